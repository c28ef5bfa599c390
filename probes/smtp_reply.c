/*
 * smtp_reply.c - incremental parser for SMTP replies (RFC 5321 §4.2).
 *
 * Implements the reply grammar of RFC 5321 §4.2 (Reply-line: "NNN-text"
 * continuation lines ending with "NNN text" or a bare "NNN"), the reply
 * code ranges of §4.2.1 (first digit 1-5, second digit 0-5) and the rule of
 * §4.2 that every line of a multi-line reply carries the same code. Lines
 * end in CRLF or a bare LF. Everything the peer sends is capped
 * (SMTP_LINE_MAX, SMTP_REPLY_LINES, SMTP_REPLY_MAX) and stored sanitised.
 */
#include "smtp_reply.h"

#include <string.h>

/* Static reasons; the first group is reported as SMTP_PARSE_ERR_TOOLONG. */
static const char smtp_err_line_long[] = "reply line longer than 2048 bytes";
static const char smtp_err_lines[] = "reply has more than 200 lines";
static const char smtp_err_text_long[] = "reply text longer than 65536 bytes";
static const char smtp_err_nomem[] = "out of memory reading reply";
static const char smtp_err_short[] = "reply line shorter than a three-digit code";
static const char smtp_err_code[] = "reply code is not three digits in 100-559";
static const char smtp_err_sep[] = "reply code not followed by space, hyphen or end of line";
static const char smtp_err_mixed[] = "reply lines carry different codes";

static enum smtp_parse smtp_err_kind(const char *error)
{
	if (error == smtp_err_line_long || error == smtp_err_lines || error == smtp_err_text_long ||
	    error == smtp_err_nomem)
		return SMTP_PARSE_ERR_TOOLONG;
	return SMTP_PARSE_ERR_SYNTAX;
}

static enum smtp_parse smtp_fail(struct smtp_reply *r, const char *error)
{
	r->error = error;
	return smtp_err_kind(error);
}

void smtp_reply_init(struct smtp_reply *r)
{
	r->code = 0;
	r->nlines = 0;
	buf_init(&r->text, SMTP_REPLY_MAX);
	/* one more byte than a line for the CR of its CRLF */
	buf_init(&r->line, SMTP_LINE_MAX + 1);
	r->error = NULL;
}

void smtp_reply_reset(struct smtp_reply *r)
{
	r->code = 0;
	r->nlines = 0;
	buf_reset(&r->text);
	buf_reset(&r->line);
	r->error = NULL;
}

void smtp_reply_free(struct smtp_reply *r)
{
	buf_free(&r->text);
	buf_free(&r->line);
	r->code = 0;
	r->nlines = 0;
	r->error = NULL;
}

static bool smtp_is_digit(char c) { return c >= '0' && c <= '9'; }

/* Is the last line stored in text a final line ("NNN text" or "NNN")? */
static bool smtp_text_complete(const struct smtp_reply *r)
{
	const char *t = r->text.data;
	size_t start = r->text.len;

	if (r->nlines == 0 || !t)
		return false;
	while (start > 0 && t[start - 1] != '\n')
		start--;
	return r->text.len - start == 3 || t[start + 3] == ' ';
}

/*
 * One complete line (terminator removed) is in r->line. Returns MORE for a
 * continuation line, DONE for the final line, or an error.
 */
static enum smtp_parse smtp_line_done(struct smtp_reply *r)
{
	char *l = r->line.data;
	size_t n = r->line.len;
	size_t i, extra;
	bool final;
	int code;

	if (n > SMTP_LINE_MAX)
		return smtp_fail(r, smtp_err_line_long);
	if (n < 3)
		return smtp_fail(r, smtp_err_short);
	/* §4.2: first digit 1-5 (1yz is unused by SMTP but well formed), second 0-5 */
	if (l[0] < '1' || l[0] > '5' || l[1] < '0' || l[1] > '5' || !smtp_is_digit(l[2]))
		return smtp_fail(r, smtp_err_code);
	code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
	if (n == 3)
		final = true;
	else if (l[3] == ' ')
		final = true;
	else if (l[3] == '-')
		final = false;
	else
		return smtp_fail(r, smtp_err_sep);
	if (r->nlines > 0 && code != r->code)
		return smtp_fail(r, smtp_err_mixed);
	if (r->nlines >= SMTP_REPLY_LINES)
		return smtp_fail(r, smtp_err_lines);
	extra = r->nlines > 0 ? 1 : 0;
	if (n + extra > SMTP_REPLY_MAX || r->text.len > SMTP_REPLY_MAX - n - extra)
		return smtp_fail(r, smtp_err_text_long);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)l[i];

		if (c < 0x20 || c >= 0x7f)
			l[i] = '?';
	}
	if ((extra && buf_addch(&r->text, '\n') < 0) || buf_add(&r->text, l, n) < 0)
		return smtp_fail(r, smtp_err_nomem);
	r->code = code;
	r->nlines++;
	buf_reset(&r->line);
	return final ? SMTP_PARSE_DONE : SMTP_PARSE_MORE;
}

enum smtp_parse smtp_reply_feed(struct smtp_reply *r, const char *data, size_t len, size_t *used)
{
	size_t i = 0;

	*used = 0;
	if (r->error)
		return smtp_err_kind(r->error);
	if (smtp_text_complete(r))
		return SMTP_PARSE_DONE;
	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t chunk = nl ? (size_t)(nl - (data + i)) : len - i;
		enum smtp_parse rc;

		/* the line may hold SMTP_LINE_MAX bytes plus the CR of a CRLF */
		if (chunk > SMTP_LINE_MAX + 1 - r->line.len) {
			*used = i;
			return smtp_fail(r, smtp_err_line_long);
		}
		if (buf_add(&r->line, data + i, chunk) < 0) {
			*used = i;
			return smtp_fail(r, smtp_err_nomem);
		}
		i += chunk;
		if (!nl) {
			/* a full line not ending in CR can only grow too long */
			if (r->line.len > SMTP_LINE_MAX && r->line.data[r->line.len - 1] != '\r') {
				*used = i;
				return smtp_fail(r, smtp_err_line_long);
			}
			break;
		}
		i++; /* the LF */
		if (r->line.len > 0 && r->line.data[r->line.len - 1] == '\r') {
			r->line.len--;
			r->line.data[r->line.len] = '\0';
		}
		rc = smtp_line_done(r);
		if (rc != SMTP_PARSE_MORE) {
			*used = i;
			return rc;
		}
	}
	*used = len;
	return SMTP_PARSE_MORE;
}

/* Case-insensitive comparison of n bytes. */
static bool smtp_iequal(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

bool smtp_ehlo_has(const struct smtp_reply *r, const char *keyword)
{
	const char *line = strchr(buf_str(&r->text), '\n');
	size_t klen;

	if (!keyword || (klen = strlen(keyword)) == 0)
		return false;
	while (line) {
		const char *end, *word;
		size_t wlen;

		line++;
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		/* "NNN-" or "NNN " then the keyword as the first word */
		if (end - line > 4) {
			word = line + 4;
			wlen = strcspn(word, " \n");
			if (wlen == klen && smtp_iequal(word, keyword, klen))
				return true;
		}
		line = *end ? end : NULL;
	}
	return false;
}
