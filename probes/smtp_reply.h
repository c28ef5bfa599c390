/*
 * smtp_reply.h - incremental parser for SMTP replies (RFC 5321 §4.2).
 *
 * A reply is one or more lines "NNN-text" ending with "NNN text" (or a bare
 * "NNN"). The parser is fed whatever bytes arrived from the peer and says
 * when a complete reply has been read. The peer is hostile: lines and whole
 * replies are capped, codes must be three digits and the same on every line,
 * and the stored text is sanitised (non-printable bytes become '?').
 * Both CRLF and bare LF end a line (real servers send both).
 */
#ifndef MAILSCAN_SMTP_REPLY_H
#define MAILSCAN_SMTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/buf.h"

#define SMTP_LINE_MAX 2048   /* one reply line, without CRLF (RFC: 512) */
#define SMTP_REPLY_LINES 200 /* lines in one reply */
#define SMTP_REPLY_MAX 65536 /* the whole reply text */

enum smtp_parse {
	SMTP_PARSE_MORE = 0,    /* need more bytes */
	SMTP_PARSE_DONE,        /* a complete reply is in r */
	SMTP_PARSE_ERR_SYNTAX,  /* not an SMTP reply (r->error says why) */
	SMTP_PARSE_ERR_TOOLONG, /* a line, the line count or the text too long */
};

struct smtp_reply {
	int code;          /* reply code of the lines read so far (100..599) */
	size_t nlines;     /* complete lines read */
	struct buf text;   /* sanitised lines "NNN-text", joined by '\n' */
	struct buf line;   /* the partial line being read (parser state) */
	const char *error; /* static description after an ERR result */
};

/* Initialise an empty parser. */
void smtp_reply_init(struct smtp_reply *r);
/* Forget the previous reply (keeps allocations) before reading the next. */
void smtp_reply_reset(struct smtp_reply *r);
/* Free all memory; r may be re-initialised afterwards. */
void smtp_reply_free(struct smtp_reply *r);

/*
 * Feed len bytes. *used is set to how many bytes were consumed: after
 * SMTP_PARSE_DONE, bytes past *used belong to whatever follows the reply
 * (for a 220 to STARTTLS they are a plaintext injection and must be
 * dropped). After an ERR result the parser must be reset before reuse.
 * Feeding again without a reset returns the same result with *used = 0.
 * Codes follow §4.2: first digit 1-5, second 0-5, third 0-9.
 */
enum smtp_parse smtp_reply_feed(struct smtp_reply *r, const char *data, size_t len, size_t *used);

/*
 * EHLO keyword check on a complete reply: true when a line after the first
 * has the keyword (case-insensitive) as its first word, e.g. "STARTTLS".
 */
bool smtp_ehlo_has(const struct smtp_reply *r, const char *keyword);

#endif
