/*
 * test_mtasts.c - unit tests for probes/mtasts_policy.c (RFC 8461 §3.1 TXT
 * record, §3.2 policy file, §4.1 MX pattern matching).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../base/buf.h"
#include "../../probes/mtasts_policy.h"
#include "unit.h"

/* why must contain want (when want is not NULL). */
static void check_why(const char *why, const char *want)
{
	if (want)
		CHECK_STR(strstr(why, want) ? want : why, want);
}

struct txt_case {
	const char *txt;
	int rc;
	const char *id;  /* on success */
	const char *why; /* substring of the reason on failure */
};

static const struct txt_case txt_cases[] = {
    {"v=STSv1; id=20160831085700Z", 0, "20160831085700Z", NULL},
    {"v=STSv1;id=abc", 0, "abc", NULL},
    {"v=STSv1; id=abc;", 0, "abc", NULL},
    {"v=STSv1; id=abc; ", 0, "abc", NULL},
    {"v=STSv1 ; id=abc ; ", 0, "abc", NULL},
    {"v=STSv1;\tid=abc\t;\t", 0, "abc", NULL},
    {"v=STSv1;  id=abc  ;  ext=1", 0, "abc", NULL},
    {"v=STSv1; ext=value; id=x1", 0, "x1", NULL},
    {"v=STSv1; id=abc; a_b-c.d=!\"#$%&'()*+,-./:<>?@[]^_`{|}~", 0, "abc", NULL},
    {"v=STSv1; id=12345678901234567890123456789012", 0, "12345678901234567890123456789012", NULL},
    {"v=STSv1; id=123456789012345678901234567890123", -1, NULL, "id must be 1-32"},
    {"v=STSv1; id=", -1, NULL, "id must be 1-32"},
    {"v=STSv1; id=abc-def", -1, NULL, "letters and digits only"},
    {"v=STSv1; id=abc_1", -1, NULL, "letters and digits only"},
    {"v=STSv1; id=ab=c", -1, NULL, "letters and digits only"},
    {"v=STSv1; id=a; id=b", -1, NULL, "more than once"},
    {"v=STSv1; id=a; id=a", -1, NULL, "more than once"},
    {"v=STSv1", -1, NULL, "id is missing"},
    {"v=STSv1;", -1, NULL, "id is missing"},
    {"v=STSv1; ext=1", -1, NULL, "id is missing"},
    {"v=STSv1; ID=abc", -1, NULL, "id is missing"},
    {"v=STSv1; id=abc;;", -1, NULL, "empty"},
    {"v=STSv1;; id=abc", -1, NULL, "empty"},
    {"v=STSv1; id abc", -1, NULL, "key=value"},
    {"v=STSv1; id=abc ext=1", -1, NULL, "expected ';'"},
    {"v=STSv1; _x=1; id=abc", -1, NULL, "bad field name"},
    {"v=STSv1; abcdefghijabcdefghijabcdefghijabc=1; id=abc", -1, NULL, "bad field name"},
    {"v=STSv1; abcdefghijabcdefghijabcdefghijab=1; id=abc", 0, "abc", NULL},
    {"v=STSv1; ext=; id=abc", -1, NULL, "value"},
    {"v=STSv1; ext=a=b; id=abc", -1, NULL, "value"},
    {"v=STSv1; ext=\x01; id=abc", -1, NULL, "value"},
    {"v=STSv1; ext=\xc3\xa9; id=abc", -1, NULL, "value"},
    {"v=STSv2; id=abc", -1, NULL, "v=STSv1"},
    {"v=STSv1x; id=abc", -1, NULL, "v=STSv1"},
    {" v=STSv1; id=abc", -1, NULL, "v=STSv1"},
    {"id=abc; v=STSv1", -1, NULL, "v=STSv1"},
    {"V=STSV1; id=abc", -1, NULL, "v=STSv1"},
    {"v=spf1 -all", -1, NULL, "v=STSv1"},
    {"", -1, NULL, "v=STSv1"},
};

void test_mtasts_txt(void)
{
	size_t i;

	for (i = 0; i < UNIT_COUNT(txt_cases); i++) {
		const struct txt_case *c = &txt_cases[i];
		char id[STS_ID_MAX + 1], why[128];
		int rc;

		unit_case("%zu: %s", i, c->txt);
		memset(id, 'x', sizeof(id));
		why[0] = '\0';
		rc = mtasts_txt_parse(c->txt, id, why, sizeof(why));
		CHECK_INT(rc, c->rc);
		if (rc == 0) {
			CHECK_STR(id, c->id);
		} else {
			CHECK(why[0] != '\0');
			check_why(why, c->why);
		}
	}
	{
		char id[STS_ID_MAX + 1], why[8];

		unit_case("short why buffer");
		CHECK_INT(mtasts_txt_parse("v=STSv1; id=a-b", id, why, sizeof(why)), -1);
		CHECK_INT(strlen(why), sizeof(why) - 1);
		CHECK_INT(mtasts_txt_parse("v=STSv1", id, NULL, 0), -1);
	}
}

struct is_case {
	const char *txt;
	bool want;
};

void test_mtasts_txt_is_sts(void)
{
	static const struct is_case cases[] = {
	    {"v=STSv1; id=1", true}, {"v=STSv1;", true},     {"v=STSv1", true},
	    {"v=STSv1 ;id=1", true}, {"v=STSv1\tid", true},  {"v=STSv10; id=1", false},
	    {"v=STSv1x", false},     {"v=STSv", false},      {"V=STSv1;", false},
	    {"v=stsv1;", false},     {" v=STSv1;", false},   {"", false},
	    {"v=TLSRPTv1;", false},  {"v=spf1 ~all", false},
	};
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		unit_case("%zu: %s", i, cases[i].txt);
		CHECK_INT(mtasts_txt_is_sts(cases[i].txt), cases[i].want);
	}
	unit_case("NULL");
	CHECK(!mtasts_txt_is_sts(NULL));
}

struct policy_case {
	const char *name;
	const char *body;
	int rc;
	enum sts_mode mode;
	long max_age;
	size_t nmx;
	const char *mx0, *mx1; /* first two patterns, when expected */
	const char *why;
};

#define P_OK(name, body, mode, age, nmx, mx0, mx1)                                                 \
	{                                                                                          \
		name, body, 0, mode, age, nmx, mx0, mx1, NULL                                      \
	}
#define P_ERR(name, body, why)                                                                     \
	{                                                                                          \
		name, body, -1, STS_MODE_UNSET, -1, 0, NULL, NULL, why                             \
	}

static const struct policy_case policy_cases[] = {
    P_OK("LF", "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n",
	 STS_MODE_ENFORCE, 86400, 1, "mail.example.com", NULL),
    P_OK("CRLF", "version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 604800\r\n",
	 STS_MODE_TESTING, 604800, 1, "mail.example.com", NULL),
    P_OK("no final newline", "version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 1",
	 STS_MODE_ENFORCE, 1, 1, "a.example.com", NULL),
    P_OK("no final CRLF", "version: STSv1\r\nmode: enforce\r\nmx: a.example.com\r\nmax_age: 1",
	 STS_MODE_ENFORCE, 1, 1, "a.example.com", NULL),
    P_OK("mixed line ends", "version: STSv1\r\nmode: enforce\nmx: a.example.com\r\nmax_age: 9\n",
	 STS_MODE_ENFORCE, 9, 1, "a.example.com", NULL),
    P_OK("no space after colon", "version:STSv1\nmode:enforce\nmx:a.example.com\nmax_age:5\n",
	 STS_MODE_ENFORCE, 5, 1, "a.example.com", NULL),
    P_OK("whitespace trimmed", "  version: \tSTSv1  \nmode:   none\t\r\nmax_age:  0 \n",
	 STS_MODE_NONE, 0, 0, NULL, NULL),
    P_OK("unknown keys ignored",
	 "version: STSv1\nfoo: bar baz\nmode: enforce\nx-y.z_1: \nmx: a.example.com\n"
	 "max_age: 86400\nMode: junk\n",
	 STS_MODE_ENFORCE, 86400, 1, "a.example.com", NULL),
    P_OK("multiple mx",
	 "version: STSv1\nmode: enforce\nmx: MX1.Example.COM.\nmx: *.backup.example.net\n"
	 "mx: mx3.example.org\nmax_age: 86400\n",
	 STS_MODE_ENFORCE, 86400, 3, "mx1.example.com", "*.backup.example.net"),
    P_OK("wildcard mx", "version: STSv1\nmode: testing\nmx: *.Example.NET\nmax_age: 60\n",
	 STS_MODE_TESTING, 60, 1, "*.example.net", NULL),
    P_OK("mode none without mx", "version: STSv1\nmode: none\nmax_age: 86400\n", STS_MODE_NONE,
	 86400, 0, NULL, NULL),
    P_OK("mode none with mx", "version: STSv1\nmode: none\nmx: a.example.com\nmax_age: 86400\n",
	 STS_MODE_NONE, 86400, 1, "a.example.com", NULL),
    P_OK("max_age 0", "version: STSv1\nmode: none\nmax_age: 0\n", STS_MODE_NONE, 0, 0, NULL, NULL),
    P_OK("max_age maximum", "version: STSv1\nmode: none\nmax_age: 31557600\n", STS_MODE_NONE,
	 31557600, 0, NULL, NULL),
    P_OK("max_age leading zeros", "version: STSv1\nmode: none\nmax_age: 0000000001\n",
	 STS_MODE_NONE, 1, 0, NULL, NULL),
    P_OK("duplicates: first wins",
	 "version: STSv1\nmode: testing\nmode: enforce\nmax_age: 10\nmax_age: 20\n"
	 "version: STSv2\nmx: a.example.com\n",
	 STS_MODE_TESTING, 10, 1, "a.example.com", NULL),
    P_OK("blank lines tolerated", "\nversion: STSv1\n\nmode: none\r\n \t\nmax_age: 1\n\n\n",
	 STS_MODE_NONE, 1, 0, NULL, NULL),
    P_OK("fields in any order", "max_age: 1\nmx: a.example.com\nmode: enforce\nversion: STSv1\n",
	 STS_MODE_ENFORCE, 1, 1, "a.example.com", NULL),
    P_ERR("empty body", "", "empty"),
    P_ERR("only newlines", "\n\r\n\n", "version"),
    P_ERR("missing version", "mode: enforce\nmx: a.example.com\nmax_age: 1\n",
	  "version line is missing"),
    P_ERR("wrong version", "version: STSv2\nmode: enforce\nmx: a.example.com\nmax_age: 1\n",
	  "line 1: version must be STSv1"),
    P_ERR("version case", "version: stsv1\nmode: enforce\nmx: a.example.com\nmax_age: 1\n",
	  "line 1: version must be STSv1"),
    P_ERR("version key case", "Version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 1\n",
	  "version line is missing"),
    P_ERR("bad mode", "version: STSv1\nmode: enforcing\nmx: a.example.com\nmax_age: 1\n",
	  "line 2: mode must be enforce, testing or none"),
    P_ERR("mode case", "version: STSv1\nmode: Enforce\nmx: a.example.com\nmax_age: 1\n",
	  "line 2: mode must be"),
    P_ERR("empty mode", "version: STSv1\nmode:\nmx: a.example.com\nmax_age: 1\n",
	  "line 2: mode must be"),
    P_ERR("missing mode", "version: STSv1\nmx: a.example.com\nmax_age: 1\n",
	  "mode line is missing"),
    P_ERR("enforce without mx", "version: STSv1\nmode: enforce\nmax_age: 1\n", "no mx"),
    P_ERR("testing without mx", "version: STSv1\nmode: testing\nmax_age: 1\n", "no mx"),
    P_ERR("missing max_age", "version: STSv1\nmode: enforce\nmx: a.example.com\n",
	  "max_age line is missing"),
    P_ERR("max_age too big", "version: STSv1\nmode: none\nmax_age: 31557601\n",
	  "line 3: max_age above 31557600"),
    P_ERR("max_age 10 digits too big", "version: STSv1\nmode: none\nmax_age: 9999999999\n",
	  "line 3: max_age above"),
    P_ERR("max_age 11 digits", "version: STSv1\nmode: none\nmax_age: 00000000001\n",
	  "line 3: max_age must be 1 to 10 digits"),
    P_ERR("max_age negative", "version: STSv1\nmode: none\nmax_age: -1\n",
	  "line 3: max_age must be digits"),
    P_ERR("max_age plus", "version: STSv1\nmode: none\nmax_age: +1\n",
	  "line 3: max_age must be digits"),
    P_ERR("max_age letters", "version: STSv1\nmode: none\nmax_age: 1d\n",
	  "line 3: max_age must be digits"),
    P_ERR("max_age inner space", "version: STSv1\nmode: none\nmax_age: 1 0\n",
	  "line 3: max_age must be digits"),
    P_ERR("max_age empty", "version: STSv1\nmode: none\nmax_age:\n", "line 3: max_age"),
    P_ERR("line without colon", "version: STSv1\nmode enforce\nmx: a.example.com\n",
	  "line 2: expected \"key: value\""),
    P_ERR("garbage", "<html>hello</html>", "line 1"),
    P_ERR("bad key", "version: STSv1\nmo de: enforce\n", "line 2: bad field name"),
    P_ERR("empty key", "version: STSv1\n: enforce\n", "line 2: bad field name"),
    P_ERR("space before colon", "version : STSv1\n", "line 1: bad field name"),
    P_ERR("mx bare star", "version: STSv1\nmode: enforce\nmx: *\nmax_age: 1\n",
	  "line 3: bad mx pattern"),
    P_ERR("mx star label inside",
	  "version: STSv1\nmode: enforce\nmx: a.*.example.com\nmax_age: 1\n",
	  "line 3: bad mx pattern"),
    P_ERR("mx partial wildcard", "version: STSv1\nmode: enforce\nmx: mx*.example.com\nmax_age: 1\n",
	  "line 3: bad mx pattern"),
    P_ERR("mx double wildcard", "version: STSv1\nmode: enforce\nmx: *.*.example.com\nmax_age: 1\n",
	  "line 3: bad mx pattern"),
    P_ERR("mx wildcard of TLD", "version: STSv1\nmode: enforce\nmx: *.com\nmax_age: 1\n",
	  "line 3: bad mx pattern"),
    P_ERR("mx one label", "version: STSv1\nmode: enforce\nmx: localhost\nmax_age: 1\n",
	  "line 3: bad mx pattern"),
    P_ERR("mx empty", "version: STSv1\nmode: enforce\nmx:\nmax_age: 1\n", "line 3: bad mx pattern"),
    P_ERR("mx empty label", "version: STSv1\nmode: enforce\nmx: a..example.com\nmax_age: 1\n",
	  "line 3: bad mx pattern"),
    P_ERR("mx two names", "version: STSv1\nmode: enforce\nmx: a.example.com b.example.com\n",
	  "line 3: bad mx pattern"),
    P_ERR("mx bad char", "version: STSv1\nmode: enforce\nmx: a!.example.com\nmax_age: 1\n",
	  "line 3: bad mx pattern"),
    P_ERR("error after mx frees them",
	  "version: STSv1\nmode: enforce\nmx: a.example.com\nmx: b.example.com\nmax_age: x\n",
	  "line 5: max_age"),
};

static void policy_check(const struct policy_case *c, size_t len)
{
	struct sts_policy p;
	char why[160];
	int rc;

	memset(&p, 0x5a, sizeof(p));
	why[0] = '\0';
	rc = mtasts_policy_parse(c->body, len, &p, why, sizeof(why));
	CHECK_INT(rc, c->rc);
	CHECK_INT(p.mode, c->mode);
	CHECK_INT(p.max_age, c->max_age);
	CHECK_INT(p.nmx, c->nmx);
	if (rc == 0 && c->mx0 && p.nmx > 0)
		CHECK_STR(p.mx[0], c->mx0);
	if (rc == 0 && c->mx1 && p.nmx > 1)
		CHECK_STR(p.mx[1], c->mx1);
	if (rc < 0) {
		CHECK(why[0] != '\0');
		check_why(why, c->why);
	}
	mtasts_policy_free(&p);
	CHECK_INT(p.nmx, 0);
}

void test_mtasts_policy(void)
{
	size_t i;

	for (i = 0; i < UNIT_COUNT(policy_cases); i++) {
		const struct policy_case *c = &policy_cases[i];
		size_t len = strlen(c->body);
		char *copy;

		unit_case("%zu: %s", i, c->name);
		policy_check(c, len);
		/* the body is not NUL-terminated: an exact-size copy (ASan checks) */
		copy = malloc(len ? len : 1);
		if (!CHECK(copy != NULL))
			return;
		memcpy(copy, c->body, len);
		unit_case("%zu: %s (unterminated)", i, c->name);
		{
			struct policy_case c2 = *c;

			c2.body = copy;
			policy_check(&c2, len);
		}
		free(copy);
	}
	{
		struct sts_policy p;
		char why[64];
		static const char nul[] = "version: STSv1\nmode: none\nmax_age: 1\0\n";

		unit_case("NUL in value");
		CHECK_INT(mtasts_policy_parse(nul, sizeof(nul) - 1, &p, why, sizeof(why)), -1);
		check_why(why, "line 3");
		unit_case("length shorter than the string");
		CHECK_INT(mtasts_policy_parse("version: STSv1\nmode: none\nmax_age: 12345", 38, &p,
					      why, sizeof(why)),
			  0);
		CHECK_INT(p.max_age, 123);
		mtasts_policy_free(&p);
		unit_case("NULL why");
		CHECK_INT(mtasts_policy_parse("x", 1, &p, NULL, 0), -1);
	}
}

/* STS_MX_MAX patterns are kept; one more is an error (documented). */
void test_mtasts_policy_mx_limit(void)
{
	struct buf b;
	struct sts_policy p;
	char why[128];
	int i;

	buf_init(&b, 0);
	CHECK_INT(buf_addstr(&b, "version: STSv1\nmode: enforce\nmax_age: 86400\n"), 0);
	for (i = 0; i < STS_MX_MAX; i++)
		CHECK_INT(buf_printf(&b, "mx: mx%d.example.com\n", i), 0);
	unit_case("STS_MX_MAX mx");
	CHECK_INT(mtasts_policy_parse(b.data, b.len, &p, why, sizeof(why)), 0);
	CHECK_INT(p.nmx, STS_MX_MAX);
	CHECK_STR(p.mx[STS_MX_MAX - 1], "mx63.example.com");
	mtasts_policy_free(&p);

	unit_case("STS_MX_MAX + 1 mx");
	CHECK_INT(buf_addstr(&b, "mx: *.extra.example.com\n"), 0);
	CHECK_INT(mtasts_policy_parse(b.data, b.len, &p, why, sizeof(why)), -1);
	check_why(why, "line 68: more than 64 mx");
	CHECK_INT(p.nmx, 0);
	mtasts_policy_free(&p);
	buf_free(&b);
}

struct mx_case {
	const char *pattern, *host;
	bool want;
};

void test_mtasts_mx_match(void)
{
	static const struct mx_case cases[] = {
	    {"mail.example.com", "mail.example.com", true},
	    {"mail.example.com", "MAIL.Example.COM", true},
	    {"MAIL.EXAMPLE.COM", "mail.example.com", true},
	    {"mail.example.com", "mail.example.com.", true},
	    {"mail.example.com.", "mail.example.com", true},
	    {"mail.example.com", "mail2.example.com", false},
	    {"mail.example.com", "example.com", false},
	    {"mail.example.com", "x.mail.example.com", false},
	    {"*.example.net", "mx.example.net", true},
	    {"*.example.net", "MX.EXAMPLE.NET.", true},
	    {"*.Example.Net", "mx.example.net", true},
	    {"*.example.net", "a.b.example.net", false},
	    {"*.example.net", "example.net", false},
	    {"*.example.net", ".example.net", false},
	    {"*.example.net", "mx.example.org", false},
	    {"*.example.net", "mxexample.net", false},
	    {"*.example.net", "*.example.net", false},
	    {"*", "mx.example.net", false},
	    {"*", "*", false},
	    {"*.", "mx.example.net", false},
	    {"*example.net", "mx.example.net", false},
	    {"mx.*.net", "mx.example.net", false},
	    {"", "", false},
	    {"mx.example.net", "", false},
	    {"mx..example.net", "mx..example.net", false},
	};
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		unit_case("%zu: %s vs %s", i, cases[i].pattern, cases[i].host);
		CHECK_INT(mtasts_mx_match(cases[i].pattern, cases[i].host), cases[i].want);
	}
	unit_case("NULL");
	CHECK(!mtasts_mx_match(NULL, "a.example.com"));
	CHECK(!mtasts_mx_match("a.example.com", NULL));
}
