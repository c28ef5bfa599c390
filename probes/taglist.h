/*
 * taglist.h - the DKIM "tag=value" list grammar (RFC 6376 §3.2), which
 * DMARC records share (RFC 7489 §6.3: "DMARC records follow the extensible
 * tag-value syntax for DNS-based key records defined in DKIM").
 *
 *   tag-list  = tag-spec *( ";" tag-spec ) [ ";" ]
 *   tag-spec  = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 *   tag-name  = ALPHA *ALNUMPUNC            ; ALNUMPUNC = ALPHA / DIGIT / "_"
 *   tag-value = [ tval *( 1*(WSP / FWS) tval ) ]
 *   tval      = 1*VALCHAR                   ; VALCHAR = %x21-3A / %x3C-7E
 *
 * This file only cuts a record into tags; each parser judges its own names
 * (case rules differ: DKIM's are case-sensitive, DMARC's ABNF strings are
 * not) and values. No I/O, no allocation; tags point into the record.
 */
#ifndef MAILSCAN_TAGLIST_H
#define MAILSCAN_TAGLIST_H

#include <stdbool.h>
#include <stddef.h>

#define TAGLIST_NAME_MAX 32 /* longer tag names are refused (bounded messages) */

struct taglist_tag {
	const char *name; /* borrowed, into the record; not NUL-terminated */
	size_t nlen;
	const char *val; /* borrowed; surrounding whitespace removed; may be empty */
	size_t vlen;
	int index; /* 1 for the first tag */
};

struct taglist {
	const char *p;
	int index;
	bool done;
};

/* Start cutting txt (NUL-terminated, borrowed until the last call). */
void taglist_init(struct taglist *t, const char *txt);

/*
 * The next tag. Returns 1 with tag filled, 0 at the end (an optional
 * trailing ';' and whitespace after it are accepted), or -1 with the first
 * problem in why (whylen bytes, NUL-terminated; NULL/0: nothing written):
 * an empty tag-spec (";;"), a bad or over-long tag name, a missing '=',
 * or a byte outside VALCHAR/whitespace in a value.
 */
int taglist_next(struct taglist *t, struct taglist_tag *tag, char *why, size_t whylen);

/*
 * Split a value (n bytes) at sep, with optional whitespace around each
 * item, calling fn on each item (k counts from 1); empty items are refused
 * ("<tag>: item K is empty"). Returns 0, or -1 with why filled (by fn or
 * here).
 */
typedef int (*taglist_item_fn)(const char *s, size_t n, size_t k, void *arg, char *why,
			       size_t whylen);
int taglist_split(const char *v, size_t n, char sep, taglist_item_fn fn, void *arg, const char *tag,
		  char *why, size_t whylen);

/* FWS as it survives in a joined TXT record: SP, HTAB, CR, LF. */
bool taglist_ws(char c);

/* Is the tag's name equal to name (ASCII case-insensitively when icase)? */
bool taglist_is(const struct taglist_tag *tag, const char *name, bool icase);

#endif
