/*
 * txt_record.h - the tagged TXT record grammar shared by MTA-STS
 * (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3): a version tag, then fields
 * "key=value" separated by ';' with optional whitespace and an optional
 * trailing ';'. Each parser judges its own keys; this file only cuts the
 * record into fields and checks the shared extension rules.
 */
#ifndef MAILSCAN_TXT_RECORD_H
#define MAILSCAN_TXT_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#define TXT_KEY_MAX 32 /* extension field names: 1 + 31 characters */

struct txt_field {
	const char *name; /* borrowed, into the record */
	size_t nlen;
	const char *val; /* borrowed, into the record */
	size_t vlen;
	int index; /* field number; the version tag is field 1 */
};

struct txt_cursor {
	const char *p;
	int field;
};

/* True when txt starts with tag followed by ';', whitespace or the end. */
bool txt_has_version(const char *txt, const char *tag);

/* Start cutting fields after the version tag (txt_has_version was true). */
void txt_cursor_init(struct txt_cursor *c, const char *txt, const char *tag);

/*
 * The next field. A value ends at ';' or whitespace, except for the field
 * named list_key (may be NULL), whose value runs to the next ';' with
 * trailing whitespace dropped (TLS-RPT's rua list allows spaces around
 * commas). Returns 1 with f filled, 0 at the end, -1 with why filled.
 */
int txt_next_field(struct txt_cursor *c, const char *list_key, struct txt_field *f, char *why,
		   size_t whylen);

bool txt_wsp(char c);
bool txt_alnum(char c);
/* ext-name: ALPHA/DIGIT, then ALPHA/DIGIT/'_'/'-'/'.', at most TXT_KEY_MAX. */
bool txt_key_ok(const char *k, size_t n);
/* ext-value: one or more of %x21-3A / %x3C / %x3E-7E. */
bool txt_ext_value_ok(const char *v, size_t n);

/* An extension field (one the parser does not know): name and value must
 * follow the ext-name / ext-value rules. 0, or -1 with why filled. */
int txt_ext_field_check(const struct txt_field *f, char *why, size_t whylen);

/* snprintf into why (NULL or whylen 0: nothing written). */
void txt_why(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
