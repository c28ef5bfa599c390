/*
 * test_smtp_reply.c - unit tests for probes/smtp_reply.c (RFC 5321 §4.2
 * replies: multi-line, CRLF and bare LF, caps, sanitising, EHLO keywords).
 */
#include <stdlib.h>
#include <string.h>

#include "../../probes/smtp_reply.h"
#include "unit.h"

/* used == USED_ALL means "all of the input". */
#define USED_ALL ((size_t)-1)

struct smtp_case {
	const char *name;
	const char *in;
	size_t len; /* 0: strlen(in) */
	enum smtp_parse want;
	int code;
	size_t nlines;
	const char *text; /* NULL: not checked */
	size_t used;
};

static const struct smtp_case smtp_cases[] = {
    {"single line", "220 mail.example.com ESMTP ready\r\n", 0, SMTP_PARSE_DONE, 220, 1,
     "220 mail.example.com ESMTP ready", USED_ALL},
    {"multi-line", "250-mx.example.com\r\n250-PIPELINING\r\n250 STARTTLS\r\n", 0, SMTP_PARSE_DONE,
     250, 3, "250-mx.example.com\n250-PIPELINING\n250 STARTTLS", USED_ALL},
    {"bare LF", "250-a\n250 b\n", 0, SMTP_PARSE_DONE, 250, 2, "250-a\n250 b", USED_ALL},
    {"CRLF and LF mixed", "250-a\r\n250-b\n250 c\r\n", 0, SMTP_PARSE_DONE, 250, 3,
     "250-a\n250-b\n250 c", USED_ALL},
    {"bare code", "250\r\n", 0, SMTP_PARSE_DONE, 250, 1, "250", USED_ALL},
    {"empty text after space", "354 \r\n", 0, SMTP_PARSE_DONE, 354, 1, "354 ", USED_ALL},
    {"bare code ends multi-line", "250-a\r\n250\r\n", 0, SMTP_PARSE_DONE, 250, 2, "250-a\n250",
     USED_ALL},
    {"code 1yz accepted", "150 go on\r\n", 0, SMTP_PARSE_DONE, 150, 1, NULL, USED_ALL},
    {"continuation only", "250-a\r\n", 0, SMTP_PARSE_MORE, 250, 1, "250-a", USED_ALL},
    {"no newline yet", "250 ok", 0, SMTP_PARSE_MORE, 0, 0, "", USED_ALL},
    {"CR without LF yet", "250 ok\r", 0, SMTP_PARSE_MORE, 0, 0, "", USED_ALL},
    {"nothing", "", 0, SMTP_PARSE_MORE, 0, 0, "", USED_ALL},
    {"leftover after reply", "220 ready\r\nEHLO injected\r\n", 0, SMTP_PARSE_DONE, 220, 1,
     "220 ready", 11},
    {"leftover after bare LF reply", "220 ready\nX", 0, SMTP_PARSE_DONE, 220, 1, NULL, 10},
    {"inconsistent codes", "250-a\r\n251 b\r\n", 0, SMTP_PARSE_ERR_SYNTAX, 250, 1, NULL, 14},
    {"non-digit code", "2x0 ok\r\n", 0, SMTP_PARSE_ERR_SYNTAX, 0, 0, NULL, 8},
    {"letters", "hello\r\n", 0, SMTP_PARSE_ERR_SYNTAX, 0, 0, NULL, 7},
    {"short line", "25\r\n", 0, SMTP_PARSE_ERR_SYNTAX, 0, 0, NULL, 4},
    {"empty line", "\r\n", 0, SMTP_PARSE_ERR_SYNTAX, 0, 0, NULL, 2},
    {"first digit 6", "650 x\r\n", 0, SMTP_PARSE_ERR_SYNTAX, 0, 0, NULL, 7},
    {"first digit 0", "050 x\r\n", 0, SMTP_PARSE_ERR_SYNTAX, 0, 0, NULL, 7},
    {"second digit 6", "260 x\r\n", 0, SMTP_PARSE_ERR_SYNTAX, 0, 0, NULL, 7},
    {"bad separator", "250_x\r\n", 0, SMTP_PARSE_ERR_SYNTAX, 0, 0, NULL, 7},
    {"four digits", "2500 x\r\n", 0, SMTP_PARSE_ERR_SYNTAX, 0, 0, NULL, 8},
    {"leading space", " 250 x\r\n", 0, SMTP_PARSE_ERR_SYNTAX, 0, 0, NULL, 8},
    {"non-printable sanitised",
     "250 a\x01"
     "b\x7f\xff"
     "c\td\r\n",
     0, SMTP_PARSE_DONE, 250, 1, "250 a?b??c?d", USED_ALL},
    {"NUL sanitised", "250 a\0b\r\n", 9, SMTP_PARSE_DONE, 250, 1, "250 a?b", USED_ALL},
    {"bare CR inside line", "250 a\rb\r\n", 0, SMTP_PARSE_DONE, 250, 1, "250 a?b", USED_ALL},
    {"escape sequence", "250 \x1b[31mred\r\n", 0, SMTP_PARSE_DONE, 250, 1, "250 ?[31mred",
     USED_ALL},
    {"UTF-8 sanitised", "250 caf\xc3\xa9\r\n", 0, SMTP_PARSE_DONE, 250, 1, "250 caf??", USED_ALL},
};

static void smtp_check_case(const struct smtp_case *c, struct smtp_reply *r)
{
	size_t len = c->len ? c->len : strlen(c->in), used = 12345;
	enum smtp_parse rc = smtp_reply_feed(r, c->in, len, &used);

	CHECK_INT(rc, c->want);
	CHECK_INT(used, c->used == USED_ALL ? len : c->used);
	CHECK_INT(r->nlines, c->nlines);
	if (c->want == SMTP_PARSE_DONE || c->want == SMTP_PARSE_MORE) {
		CHECK_INT(r->code, c->code);
		CHECK(r->error == NULL);
	} else {
		CHECK(r->error != NULL && r->error[0] != '\0');
	}
	if (c->text)
		CHECK_STR(buf_str(&r->text), c->text);
}

void test_smtp_reply_single(void)
{
	struct smtp_reply r;
	size_t used;

	smtp_reply_init(&r);
	CHECK_INT(smtp_reply_feed(&r, "220 hi\r\n", 8, &used), SMTP_PARSE_DONE);
	CHECK_INT(used, 8);
	CHECK_INT(r.code, 220);
	CHECK_INT(r.nlines, 1);
	CHECK_STR(buf_str(&r.text), "220 hi");
	CHECK_INT(r.line.len, 0);
	smtp_reply_free(&r);
}

void test_smtp_reply_table(void)
{
	size_t i;

	for (i = 0; i < UNIT_COUNT(smtp_cases); i++) {
		struct smtp_reply r;

		unit_case("%zu: %s", i, smtp_cases[i].name);
		smtp_reply_init(&r);
		smtp_check_case(&smtp_cases[i], &r);
		smtp_reply_free(&r);
	}
}

/* Feed in pieces: byte by byte, and split in two at every position. */
void test_smtp_reply_bytewise(void)
{
	size_t i, k;

	for (i = 0; i < UNIT_COUNT(smtp_cases); i++) {
		const struct smtp_case *c = &smtp_cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		size_t want_used = c->used == USED_ALL ? len : c->used;
		struct smtp_reply r;
		enum smtp_parse rc = SMTP_PARSE_MORE;
		size_t used = 0, total = 0;

		unit_case("bytewise %zu: %s", i, c->name);
		smtp_reply_init(&r);
		for (k = 0; k < len && rc == SMTP_PARSE_MORE; k++) {
			rc = smtp_reply_feed(&r, c->in + k, 1, &used);
			total += used;
			if (rc == SMTP_PARSE_MORE)
				CHECK_INT(used, 1);
		}
		CHECK_INT(rc, c->want);
		/* an error is found at the line end, so the LF counts as read */
		if (rc == SMTP_PARSE_DONE || rc == SMTP_PARSE_MORE)
			CHECK_INT(total, want_used);
		CHECK_INT(r.nlines, c->nlines);
		if (c->text)
			CHECK_STR(buf_str(&r.text), c->text);
		smtp_reply_free(&r);

		for (k = 0; k <= len; k++) {
			size_t u1 = 0, u2 = 0;

			unit_case("split at %zu, %zu: %s", k, i, c->name);
			smtp_reply_init(&r);
			rc = smtp_reply_feed(&r, c->in, k, &u1);
			if (rc == SMTP_PARSE_MORE) {
				CHECK_INT(u1, k);
				rc = smtp_reply_feed(&r, c->in + k, len - k, &u2);
			}
			CHECK_INT(rc, c->want);
			if (rc == SMTP_PARSE_DONE)
				CHECK_INT(u1 + u2, want_used);
			if (c->text)
				CHECK_STR(buf_str(&r.text), c->text);
			smtp_reply_free(&r);
		}
	}
}

/* *used after DONE: the rest belongs to what follows (STARTTLS injection). */
void test_smtp_reply_used(void)
{
	static const char in[] = "250-a\r\n250 b\r\n220 next\r\n";
	struct smtp_reply r;
	size_t used, off;

	smtp_reply_init(&r);
	CHECK_INT(smtp_reply_feed(&r, in, strlen(in), &used), SMTP_PARSE_DONE);
	CHECK_INT(used, 14);
	CHECK_STR(buf_str(&r.text), "250-a\n250 b");
	off = used;
	/* feeding again without reset: still done, nothing consumed */
	CHECK_INT(smtp_reply_feed(&r, in + off, strlen(in) - off, &used), SMTP_PARSE_DONE);
	CHECK_INT(used, 0);
	smtp_reply_reset(&r);
	CHECK_INT(smtp_reply_feed(&r, in + off, strlen(in) - off, &used), SMTP_PARSE_DONE);
	CHECK_INT(used, 10);
	CHECK_INT(r.code, 220);
	CHECK_INT(r.nlines, 1);
	CHECK_STR(buf_str(&r.text), "220 next");
	smtp_reply_free(&r);
}

/* Feed a string made of n copies of unit, then tail; returns the result. */
static enum smtp_parse smtp_feed_many(struct smtp_reply *r, const char *unit, size_t n,
				      const char *tail)
{
	enum smtp_parse rc = SMTP_PARSE_MORE;
	size_t i, used;

	for (i = 0; i < n && rc == SMTP_PARSE_MORE; i++)
		rc = smtp_reply_feed(r, unit, strlen(unit), &used);
	if (rc == SMTP_PARSE_MORE && tail)
		rc = smtp_reply_feed(r, tail, strlen(tail), &used);
	return rc;
}

void test_smtp_reply_limits(void)
{
	struct smtp_reply r;
	char *line = malloc(SMTP_LINE_MAX + 8);
	size_t used;

	if (!CHECK(line != NULL))
		return; /* cppcheck-suppress memleak ; line is NULL here */
	/* exactly SMTP_LINE_MAX bytes: fine, with CRLF or LF */
	memcpy(line, "250 ", 4);
	memset(line + 4, 'a', SMTP_LINE_MAX - 4);
	memcpy(line + SMTP_LINE_MAX, "\r\n", 3);

	unit_case("line of SMTP_LINE_MAX, CRLF");
	smtp_reply_init(&r);
	CHECK_INT(smtp_reply_feed(&r, line, SMTP_LINE_MAX + 2, &used), SMTP_PARSE_DONE);
	CHECK_INT(r.text.len, SMTP_LINE_MAX);
	smtp_reply_reset(&r);

	unit_case("line of SMTP_LINE_MAX, CR then LF later");
	CHECK_INT(smtp_reply_feed(&r, line, SMTP_LINE_MAX + 1, &used), SMTP_PARSE_MORE);
	CHECK_INT(smtp_reply_feed(&r, "\n", 1, &used), SMTP_PARSE_DONE);
	smtp_reply_reset(&r);

	unit_case("line of SMTP_LINE_MAX, LF");
	CHECK_INT(smtp_reply_feed(&r, line, SMTP_LINE_MAX, &used), SMTP_PARSE_MORE);
	CHECK_INT(smtp_reply_feed(&r, "\n", 1, &used), SMTP_PARSE_DONE);
	smtp_reply_reset(&r);

	unit_case("line one byte too long, CRLF");
	line[SMTP_LINE_MAX] = 'a';
	memcpy(line + SMTP_LINE_MAX + 1, "\r\n", 3);
	CHECK_INT(smtp_reply_feed(&r, line, SMTP_LINE_MAX + 3, &used), SMTP_PARSE_ERR_TOOLONG);
	CHECK(r.error != NULL);
	smtp_reply_reset(&r);

	unit_case("line one byte too long, no newline yet");
	CHECK_INT(smtp_reply_feed(&r, line, SMTP_LINE_MAX + 1, &used), SMTP_PARSE_ERR_TOOLONG);
	smtp_reply_reset(&r);

	unit_case("endless line fed in pieces");
	CHECK_INT(smtp_feed_many(&r, "aaaaaaaaaaaaaaaa", 1000, NULL), SMTP_PARSE_ERR_TOOLONG);
	CHECK(r.line.len <= SMTP_LINE_MAX + 1);
	smtp_reply_reset(&r);

	unit_case("SMTP_REPLY_LINES lines");
	CHECK_INT(smtp_feed_many(&r, "250-x\r\n", SMTP_REPLY_LINES - 1, "250 y\r\n"),
		  SMTP_PARSE_DONE);
	CHECK_INT(r.nlines, SMTP_REPLY_LINES);
	smtp_reply_reset(&r);

	unit_case("too many lines");
	CHECK_INT(smtp_feed_many(&r, "250-x\r\n", SMTP_REPLY_LINES, "250 y\r\n"),
		  SMTP_PARSE_ERR_TOOLONG);
	CHECK_INT(r.nlines, SMTP_REPLY_LINES);
	smtp_reply_reset(&r);

	unit_case("too much text");
	line[3] = '-';
	memcpy(line + SMTP_LINE_MAX, "\r\n", 3);
	CHECK_INT(smtp_feed_many(&r, line, SMTP_REPLY_LINES, "250 y\r\n"), SMTP_PARSE_ERR_TOOLONG);
	CHECK(r.text.len <= SMTP_REPLY_MAX);
	CHECK_INT(r.nlines, SMTP_REPLY_MAX / (SMTP_LINE_MAX + 1));

	unit_case("error is sticky until reset");
	CHECK_INT(smtp_reply_feed(&r, "250 ok\r\n", 8, &used), SMTP_PARSE_ERR_TOOLONG);
	CHECK_INT(used, 0);
	smtp_reply_reset(&r);
	CHECK_INT(smtp_reply_feed(&r, "250 ok\r\n", 8, &used), SMTP_PARSE_DONE);
	smtp_reply_free(&r);
	free(line);
}

void test_smtp_reply_reuse(void)
{
	struct smtp_reply r;
	size_t used;

	smtp_reply_init(&r);
	CHECK_INT(smtp_reply_feed(&r, "2x0\r\n", 5, &used), SMTP_PARSE_ERR_SYNTAX);
	CHECK_INT(smtp_reply_feed(&r, "250 ok\r\n", 8, &used), SMTP_PARSE_ERR_SYNTAX);
	smtp_reply_reset(&r);
	CHECK(r.error == NULL);
	CHECK_INT(smtp_reply_feed(&r, "250-a\r\n250 ok\r\n", 15, &used), SMTP_PARSE_DONE);
	CHECK_INT(r.nlines, 2);
	smtp_reply_free(&r);
	/* free then use again after init */
	smtp_reply_init(&r);
	CHECK_INT(smtp_reply_feed(&r, "421 bye\n", 8, &used), SMTP_PARSE_DONE);
	CHECK_INT(r.code, 421);
	smtp_reply_free(&r);
	smtp_reply_free(&r); /* twice is harmless */
}

struct ehlo_case {
	const char *reply;
	const char *keyword;
	bool want;
};

static const struct ehlo_case ehlo_cases[] = {
    {"250-mx.example.com\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 SIZE 1000\r\n", "STARTTLS", true},
    {"250-mx.example.com\r\n250-PIPELINING\r\n250-starttls\r\n250 SIZE 1000\r\n", "STARTTLS", true},
    {"250-mx.example.com\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 SIZE 1000\r\n", "starttls", true},
    {"250-mx.example.com\r\n250-PIPELINING\r\n250 SIZE 1000\r\n", "SIZE", true},
    {"250-mx.example.com\r\n250-PIPELINING\r\n250 SIZE 1000\r\n", "1000", false},
    {"250-mx.example.com\r\n250 PIPELINING\r\n", "PIPE", false},
    {"250-mx.example.com\r\n250 PIPELINING\r\n", "mx.example.com", false},
    {"250-STARTTLS\r\n250 SIZE\r\n", "STARTTLS", false},
    {"250 STARTTLS\r\n", "STARTTLS", false},
    {"250-mx\r\n250 STARTTLSX\r\n", "STARTTLS", false},
    {"250-mx\r\n250 STARTTLS\r\n", "STARTTLSX", false},
    {"250-mx\n250 STARTTLS\n", "STARTTLS", true},
    {"250-mx\r\n250 STARTTLS\r\n", "", false},
    {"250-mx\r\n250\r\n", "STARTTLS", false},
    {"250-mx\r\n250 \r\n", "STARTTLS", false},
    {"250-mx\r\n250 8BITMIME\r\n", "8bitmime", true},
};

void test_smtp_ehlo_has(void)
{
	size_t i;

	for (i = 0; i < UNIT_COUNT(ehlo_cases); i++) {
		const struct ehlo_case *c = &ehlo_cases[i];
		struct smtp_reply r;
		size_t used;

		unit_case("%zu: %s", i, c->keyword);
		smtp_reply_init(&r);
		CHECK_INT(smtp_reply_feed(&r, c->reply, strlen(c->reply), &used), SMTP_PARSE_DONE);
		CHECK_INT(smtp_ehlo_has(&r, c->keyword), c->want);
		smtp_reply_free(&r);
	}
	{
		struct smtp_reply r;

		unit_case("empty reply");
		smtp_reply_init(&r);
		CHECK(!smtp_ehlo_has(&r, "STARTTLS"));
		smtp_reply_free(&r);
	}
}
