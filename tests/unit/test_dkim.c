/*
 * test_dkim.c - unit tests for probes/dkim_record.c: the _domainkey rule,
 * the key record parser (RFC 6376 §3.6.1, RFC 8463), the verdict, the
 * evidence JSON and the --dkim-selectors file format.
 *
 * The keys were made once with "openssl genrsa N" + "openssl rsa -pubout
 * -outform DER | base64" (and -RSAPublicKey_out for the PKCS#1 form),
 * "openssl genpkey -algorithm ed25519" (the last 32 bytes of its SPKI are
 * the raw key) and "openssl ecparam -name prime256v1 -genkey".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../base/buf.h"
#include "../../base/json.h"
#include "../../probes/dkim.h"
#include "unit.h"

#define K512                                                                                       \
	"MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAN+zdryjl8d6im+BstiSa2ZQLe3x3Zw8xJs828zlo/sieshZjxNpGnnD" \
	"6namBkTTVmJ6aWQLfAJVAVPcFVxz3YkCAwEAAQ=="
#define K1024                                                                                      \
	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDAxKqUZmf2jIrlRdDvi9g8vK9d4T0kNWYj3tWsAVHapTMNEXww" \
	"XZmroLhfpEphi1c1TIeeTczfzB1qfSNJijugE3zgDZgfDF+7/qOPo3zRRQyVhfxEGTWNbF6M2PRY1dg70C7mQOX4" \
	"dsEzLVFSXVlaVkpplIu9Y5ro5wdH6hnB/wIDAQAB"
#define K2048                                                                                      \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA0At77zEWkqhLQWk3nMi7dZcjK0ObaiFGYdTBKz9Qc+Uh" \
	"PL/i7d8DVZA86tcwbWe+mwhGbMoKii2IQKvCAFTT4nNwaq5PC7G7+DheZ3yj0KZ2A0KikgVsm9e155umWc7WfRyB" \
	"DQlNvQuR9T+lDFiuMJ3/AXbDgqDfmPDKJAZq+SWU6fwWESbMamD5myQsurpl6QH6sThJSmFVnEwKtLONtmUYKN9W" \
	"kjh9FGz57V/04Zg5aThbRgTHSmMz61mLz43gDYCh30U/N/4YB4m8D48Uit/J2UzZRiim+CuwEQhyUeVUE+M+pv//" \
	"fE09ksMr/dy1GtMHkOA5brrlS7SQF/7cxwIDAQAB"
#define K1024_PKCS1                                                                                \
	"MIGJAoGBAMDEqpRmZ/aMiuVF0O+L2Dy8r13hPSQ1ZiPe1awBUdqlMw0RfDBdmauguF+kSmGLVzVMh55NzN/MHWp9" \
	"I0mKO6ATfOANmB8MX7v+o4+jfNFFDJWF/EQZNY1sXozY9FjV2DvQLuZA5fh2wTMtUVJdWVpWSmmUi71jmujnB0fq" \
	"GcH/AgMBAAE="
#define ED_RAW "xWqNU/gKt/OAx3LEf+g9oryfTgF3U6tMe7smjBPg6ts="
#define ED_SPKI "MCowBQYDK2VwAyEAxWqNU/gKt/OAx3LEf+g9oryfTgF3U6tMe7smjBPg6ts="
#define EC_SPKI                                                                                    \
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAESP7vCr53oNYzied3pz/DPoU68eBwMtWErUps60pBs+wEOQ++0jb1" \
	"48rLEOMoVDIJ3QKJxHuM2YXmE+pczJ4p4w=="

void test_dkim_presence(void)
{
	static const struct {
		enum dns_status st;
		enum dkim_presence want;
		enum reason reason;
	} cases[] = {
	    {DNS_OK, DKIM_IN_USE, R_NONE}, /* with data, or an empty non-terminal */
	    {DNS_NXDOMAIN, DKIM_NOT_IN_USE, R_DKIM_NONE},
	    {DNS_SERVFAIL, DKIM_PRESENCE_ERROR, R_DKIM_DNS_ERROR},
	    {DNS_TIMEOUT, DKIM_PRESENCE_ERROR, R_DKIM_DNS_ERROR},
	    {DNS_FAILURE, DKIM_PRESENCE_ERROR, R_DKIM_DNS_ERROR},
	    {DNS_BADREPLY, DKIM_PRESENCE_ERROR, R_DKIM_DNS_ERROR},
	};
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		enum reason reason = R_COUNT; /* unset */

		unit_case("%zu", i);
		CHECK_INT(dkim_presence_of(cases[i].st, &reason), cases[i].want);
		CHECK_INT(reason, cases[i].reason);
		CHECK_INT(dkim_presence_of(cases[i].st, NULL), cases[i].want);
	}
	CHECK_STR(dkim_presence_name(DKIM_IN_USE), "in-use");
	CHECK_STR(dkim_presence_name(DKIM_NOT_IN_USE), "not-in-use");
}

struct dkim_case {
	const char *txt;
	int rc;
	enum dkim_key_state state;
	enum dkim_key_type type;
	int bits;
	const char *why; /* substring of the reason on a syntax error */
};

static const struct dkim_case dkim_cases[] = {
    {"v=DKIM1; k=rsa; p=" K2048, 0, DKIM_KEY_OK, DKIM_KEY_RSA, 2048, NULL},
    {"v=DKIM1; p=" K1024, 0, DKIM_KEY_OK, DKIM_KEY_RSA, 1024, NULL},
    {"p=" K1024, 0, DKIM_KEY_OK, DKIM_KEY_RSA, 1024, NULL}, /* v is optional */
    {"v=DKIM1; k=rsa; p=" K512, 0, DKIM_KEY_WEAK, DKIM_KEY_RSA, 512, NULL},
    {"v=DKIM1; k=rsa; p=" K1024_PKCS1, 0, DKIM_KEY_OK, DKIM_KEY_RSA, 1024, NULL},
    {"v=DKIM1; k=ed25519; p=" ED_RAW, 0, DKIM_KEY_OK, DKIM_KEY_ED25519, 256, NULL},
    {"v=DKIM1; k=rsa; p=", 0, DKIM_KEY_REVOKED, DKIM_KEY_RSA, 0, NULL},
    {"v=DKIM1; p=  ", 0, DKIM_KEY_REVOKED, DKIM_KEY_RSA, 0, NULL},
    {"v=DKIM1; k=x-new; p=AAAA", 0, DKIM_KEY_TYPE_UNKNOWN, DKIM_KEY_OTHER, 0, NULL},
    /* whitespace inside p, tags in another order, h/s/t/n and unknown tags */
    {"v=DKIM1; h=sha256; k=rsa; s=email; t=y:s; n=notes here; x=1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4"
     "GNADCBiQKBgQDAxKqUZmf2jIrlRdDvi9g8vK9d4T0kNWYj3tWsAVHapTMNEXwwXZmroLhfpEphi1c1TIeeTczf "
     "zB1qfSNJijugE3zgDZgfDF+7/qOPo3zRRQyVhfxEGTWNbF6M2PRY1dg70C7mQOX4dsEzLVFSXVlaVkpplIu9Y5ro5"
     "wdH6hnB/wI\tDAQAB",
     0, DKIM_KEY_OK, DKIM_KEY_RSA, 1024, NULL},
    {"v=DKIM1;h=sha1:sha256;s=*;p=" K2048 ";", 0, DKIM_KEY_OK, DKIM_KEY_RSA, 2048, NULL},
    /* syntax errors */
    {"v=DKIM1; k=rsa", -1, DKIM_KEY_SYNTAX, DKIM_KEY_RSA, 0, "p: required"},
    {"v=DKIM1; p=" K1024 "; p=" K1024, -1, DKIM_KEY_SYNTAX, DKIM_KEY_RSA, 0, "more than once"},
    {"k=rsa; v=DKIM1; p=" K1024, -1, DKIM_KEY_SYNTAX, DKIM_KEY_RSA, 0, "v: must be the first"},
    {"v=DKIM2; p=" K1024, -1, DKIM_KEY_SYNTAX, DKIM_KEY_RSA, 0, "v: not DKIM1"},
    {"v=dkim1; p=" K1024, -1, DKIM_KEY_SYNTAX, DKIM_KEY_RSA, 0, "v: not DKIM1"},
    {"v=DKIM1; p=not*base64", -1, DKIM_KEY_SYNTAX, DKIM_KEY_RSA, 0, "p: not base64"},
    {"v=DKIM1; p=QUJD=", -1, DKIM_KEY_SYNTAX, DKIM_KEY_RSA, 0, "p: not base64"},
    {"v=DKIM1; p=QU=JD", -1, DKIM_KEY_SYNTAX, DKIM_KEY_RSA, 0, "p: not base64"},
    {"v=DKIM1; p=QUJD", -1, DKIM_KEY_SYNTAX, DKIM_KEY_RSA, 0, "p: not a DER public key"},
    {"v=DKIM1; p=" EC_SPKI, -1, DKIM_KEY_SYNTAX, DKIM_KEY_RSA, 0, "not an RSA key"},
    {"v=DKIM1; k=ed25519; p=" ED_SPKI, -1, DKIM_KEY_SYNTAX, DKIM_KEY_ED25519, 0,
     "Ed25519 key is 32 bytes, this one 44"},
    {"v=DKIM1; k=ed25519; p=" K1024, -1, DKIM_KEY_SYNTAX, DKIM_KEY_ED25519, 0, "32 bytes"},
    {"v=DKIM1; k=rsa; p=" K1024 "AAAA", -1, DKIM_KEY_SYNTAX, DKIM_KEY_RSA, 0, "DER"},
    {"v=DKIM1; k=; p=" K1024, -1, DKIM_KEY_SYNTAX, DKIM_KEY_RSA, 0, "k: not a key type"},
    {"v=DKIM1; h=sha256:; p=" K1024, -1, DKIM_KEY_SYNTAX, DKIM_KEY_RSA, 0, "h: item 2"},
    {"v=DKIM1; t=y:?; p=" K1024, -1, DKIM_KEY_SYNTAX, DKIM_KEY_RSA, 0, "t: item 2"},
    {"v=DKIM1; p=" K1024 ";;", -1, DKIM_KEY_SYNTAX, DKIM_KEY_RSA, 0, "empty"},
    {"v=DKIM1; P=" K1024, -1, DKIM_KEY_SYNTAX, DKIM_KEY_RSA, 0, "p: required"}, /* case-sensitive */
    {"", -1, DKIM_KEY_SYNTAX, DKIM_KEY_RSA, 0, "p: required"},
};

void test_dkim_key(void)
{
	size_t i;

	for (i = 0; i < UNIT_COUNT(dkim_cases); i++) {
		const struct dkim_case *c = &dkim_cases[i];
		struct dkim_key k;
		int rc;

		unit_case("%zu: %.60s", i, c->txt);
		rc = dkim_key_parse(c->txt, &k);
		CHECK_INT(rc, c->rc);
		CHECK_INT(k.state, c->state);
		if (rc == 0) {
			CHECK_INT(k.type, c->type);
			CHECK_INT(k.bits, c->bits);
		} else {
			CHECK(k.why[0] != '\0');
			if (c->why)
				CHECK_STR(strstr(k.why, c->why) ? c->why : k.why, c->why);
		}
	}
	unit_case("flags");
	{
		struct dkim_key k;

		CHECK_INT(dkim_key_parse("v=DKIM1; t=y:s; h=sha256; s=email; p=" K1024, &k), 0);
		CHECK(k.testing);
		CHECK(k.strict);
		CHECK(k.spki);
		CHECK_STR(k.h, "sha256");
		CHECK_STR(k.s, "email");
		CHECK_INT(dkim_key_parse("p=" K1024_PKCS1, &k), 0);
		CHECK(!k.spki);
		CHECK_INT(dkim_key_parse(NULL, &k), -1);
	}
}

void test_dkim_candidate(void)
{
	static const struct {
		const char *txt;
		bool want;
	} cases[] = {
	    {"v=DKIM1; p=abc", true},    {"p=abc", true},           {"v = DKIM1 ; p=", true},
	    {"v=DKIM1", true},           {"v=DKIM2; p=abc", false}, {"v=spf1 -all", false},
	    {"v=DMARC1; p=none", false}, {"vx=1; p=", true},
	};
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		unit_case("%zu: %s", i, cases[i].txt);
		CHECK_INT(dkim_txt_is_candidate(cases[i].txt), cases[i].want);
	}
	CHECK(!dkim_txt_is_candidate(NULL));
}

void test_dkim_judge(void)
{
	static const struct {
		const char *name;
		enum dkim_presence p;
		const char *txt[2]; /* selector answers; "" = NXDOMAIN, "!" = SERVFAIL */
		enum verdict v;
		const char *reasons;
	} cases[] = {
	    {"present", DKIM_IN_USE, {NULL, NULL}, VERDICT_PASS, ""},
	    {"absent", DKIM_NOT_IN_USE, {NULL, NULL}, VERDICT_FAIL, "dkim-none"},
	    {"error", DKIM_PRESENCE_ERROR, {NULL, NULL}, VERDICT_ERROR, "dkim-dns-error"},
	    {"good selector", DKIM_IN_USE, {"v=DKIM1; p=" K2048, NULL}, VERDICT_PASS, ""},
	    {"512-bit selector",
	     DKIM_IN_USE,
	     {"v=DKIM1; p=" K512, NULL},
	     VERDICT_FAIL,
	     "dkim-key-weak"},
	    {"revoked + good",
	     DKIM_IN_USE,
	     {"v=DKIM1; p=", "v=DKIM1; k=ed25519; p=" ED_RAW},
	     VERDICT_WARN,
	     "dkim-key-revoked"},
	    {"missing", DKIM_IN_USE, {"", NULL}, VERDICT_WARN, "dkim-key-missing"},
	    {"only other TXT",
	     DKIM_IN_USE,
	     {"v=spf1 -all", NULL},
	     VERDICT_WARN,
	     "dkim-key-missing"},
	    {"servfail", DKIM_IN_USE, {"!", NULL}, VERDICT_PASS, "dkim-key-unverified"},
	    {"malformed + testing",
	     DKIM_IN_USE,
	     {"v=DKIM1; p=QUJD", "t=y; p=" K1024},
	     VERDICT_FAIL,
	     "dkim-key-syntax dkim-key-testing"},
	    {"unknown type",
	     DKIM_IN_USE,
	     {"k=foo; p=AAAA", NULL},
	     VERDICT_WARN,
	     "dkim-key-unknown-type"},
	};
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		struct dkim_selector sel[2];
		struct dkim_judgment j;
		char reasons[256];
		size_t n = 0, k, w = 0;

		unit_case("%zu: %s", i, cases[i].name);
		for (k = 0; k < 2 && cases[i].txt[k]; k++, n++) {
			const char *t = cases[i].txt[k];
			char selname[16];

			(void)snprintf(selname, sizeof(selname), "s%zu", k);
			CHECK_INT(dkim_selector_init(&sel[k], selname, "example.nl"), 0);
			if (strcmp(t, "") == 0)
				dkim_selector_set_status(&sel[k], DNS_NXDOMAIN);
			else if (strcmp(t, "!") == 0)
				dkim_selector_set_status(&sel[k], DNS_SERVFAIL);
			else
				CHECK_INT(dkim_selector_set_txt(&sel[k], &t, 1), 0);
		}
		dkim_judge(cases[i].p, sel, n, &j);
		CHECK_INT(j.v, cases[i].v);
		reasons[0] = '\0';
		for (k = 0; k < j.nreasons; k++)
			w += (size_t)snprintf(reasons + w, sizeof(reasons) - w, "%s%s",
					      k ? " " : "", reason_code(j.reasons[k]));
		CHECK_STR(reasons, cases[i].reasons);
		for (k = 0; k < n; k++)
			dkim_selector_clear(&sel[k]);
	}
}

void test_dkim_json(void)
{
	const char *txt[] = {"v=spf1 -all", "v=DKIM1; k=rsa; p=" K512, "v=DKIM1; p=" K2048};
	struct dkim_selector sel[2];
	struct buf b;
	struct json j;
	const char *s;
	char longsel[80];

	CHECK_INT(dkim_selector_init(&sel[0], "mail", "example.nl"), 0);
	CHECK_STR(sel[0].name, "mail._domainkey.example.nl");
	CHECK_INT(dkim_selector_set_txt(&sel[0], txt, 3), 0);
	CHECK_INT(sel[0].nrecords, 2);
	CHECK_INT(sel[0].key.state, DKIM_KEY_WEAK); /* the first candidate is judged */
	CHECK_INT(dkim_selector_init(&sel[1], "bad", "example.nl"), 0);
	{
		const char *bad = "v=DKIM1; p=QUJD";

		CHECK_INT(dkim_selector_set_txt(&sel[1], &bad, 1), 0);
	}
	buf_init(&b, 1 << 16);
	json_init(&j, &b);
	dkim_evidence_json(&j, "example.nl", DKIM_IN_USE, sel, 2);
	CHECK_INT(json_status(&j), 0);
	s = buf_str(&b);
	CHECK(strstr(s, "\"domainkey_name\":\"_domainkey.example.nl\"") != NULL);
	CHECK(strstr(s, "\"domainkey\":\"in-use\"") != NULL);
	CHECK(strstr(s, "\"state\":\"weak\"") != NULL);
	CHECK(strstr(s, "\"bits\":512") != NULL);
	CHECK(strstr(s, "\"key_type\":\"rsa\"") != NULL);
	CHECK(strstr(s, "\"encoding\":\"spki\"") != NULL);
	CHECK(strstr(s, "\"count\":2") != NULL);
	CHECK(strstr(s, "\"error\":\"p: not a DER public key\"") != NULL);
	buf_free(&b);
	dkim_selector_clear(&sel[0]);
	dkim_selector_clear(&sel[1]);
	dkim_selector_clear(NULL);

	unit_case("name too long");
	memset(longsel, 'a', 63);
	longsel[63] = '\0';
	{
		char dom[200];

		memset(dom, 'b', 60);
		dom[60] = '.';
		memset(dom + 61, 'c', 60);
		dom[121] = '.';
		memset(dom + 122, 'd', 60);
		(void)snprintf(dom + 182, sizeof(dom) - 182, ".example.nl"); /* 193 */
		CHECK_INT(dkim_selector_init(&sel[0], longsel, dom), -1);
	}
}

struct dkim_file_case {
	const char *name;
	const char *text;
	size_t len; /* 0: strlen */
	int rc;
	const char *err; /* substring */
};

static const struct dkim_file_case dkim_file_cases[] = {
    {"good", "# selectors\n\nexample.nl selector1,selector2\nRijksoverheid.NL. s1 # trailing\n", 0,
     0, NULL},
    {"crlf and tabs", "example.nl\tS1,s2\r\n  other.nl   k1  \r\n", 0, 0, NULL},
    {"merge", "example.nl a\nother.nl x\nexample.nl b,a\n", 0, 0, NULL},
    {"empty file", "", 0, 0, NULL},
    {"only comments", "# nothing\n   # here\n", 0, 0, NULL},
    {"no selectors", "example.nl\n", 0, -1, "t.txt:1: no selectors"},
    {"bad domain", "ok.nl s\nexa_mple!.nl s1\n", 0, -1, "t.txt:2: bad domain"},
    {"one label", "localhost s1\n", 0, -1, "t.txt:1: bad domain"},
    {"space in list", "example.nl s1, s2\n", 0, -1, "t.txt:1: selectors are separated"},
    {"empty selector", "example.nl s1,,s2\n", 0, -1, "t.txt:1: bad selector"},
    {"bad selector", "example.nl s/1\n", 0, -1, "t.txt:1: bad selector"},
    {"selector dash", "example.nl -s\n", 0, -1, "t.txt:1: bad selector"},
    {"selector too long",
     "example.nl "
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
     0, -1, "t.txt:1: bad selector"},
    {"too many selectors", "example.nl a,b,c,d,e\nexample.nl f,g,h,i\n", 0, -1,
     "more than 8 selectors for example.nl"},
    {"NUL", "example.nl s1\nexam\0ple.nl s2\n", 28, -1, "t.txt:2: NUL byte"},
    {"non-ASCII",
     "b\xc3\xbc"
     "cher.de s1\n",
     0, -1, "t.txt:1: bad domain"},
};

void test_dkim_selectors(void)
{
	size_t i;
	char err[256];

	for (i = 0; i < UNIT_COUNT(dkim_file_cases); i++) {
		const struct dkim_file_case *c = &dkim_file_cases[i];
		struct dkim_selectors s;
		int rc;

		unit_case("%zu: %s", i, c->name);
		err[0] = '\0';
		rc = dkim_selectors_parse(c->text, c->len ? c->len : strlen(c->text), "t.txt", &s,
					  err, sizeof(err));
		CHECK_INT(rc, c->rc);
		if (rc < 0) {
			CHECK_INT(s.n, 0);
			if (c->err)
				CHECK_STR(strstr(err, c->err) ? c->err : err, c->err);
		}
		dkim_selectors_free(&s);
	}

	unit_case("lookup");
	{
		struct dkim_selectors s;
		const struct dkim_sel_entry *e;
		const char *t = "example.nl a\nother.nl X\nexample.nl b,a\nRijksoverheid.NL. s1\n";

		CHECK_INT(dkim_selectors_parse(t, strlen(t), "t.txt", &s, err, sizeof(err)), 0);
		CHECK_INT(s.n, 3);
		e = dkim_selectors_find(&s, "example.nl");
		CHECK(e != NULL);
		if (e) {
			CHECK_INT(e->nsel, 2);
			CHECK_STR(e->sel[0], "a");
			CHECK_STR(e->sel[1], "b");
			CHECK_INT(e->line, 1);
		}
		e = dkim_selectors_find(&s, "other.nl");
		CHECK(e && e->nsel == 1 && strcmp(e->sel[0], "x") == 0);
		CHECK(dkim_selectors_find(&s, "rijksoverheid.nl") != NULL);
		CHECK(dkim_selectors_find(&s, "missing.nl") == NULL);
		CHECK(dkim_selectors_find(NULL, "x.nl") == NULL);
		dkim_selectors_free(&s);
		dkim_selectors_free(NULL);
	}

	unit_case("long line");
	{
		char line[DKIM_LINE_MAX + 40];
		struct dkim_selectors s;

		memset(line, ' ', sizeof(line) - 1);
		memcpy(line, "example.nl s1", 13);
		line[sizeof(line) - 1] = '\0';
		CHECK_INT(dkim_selectors_parse(line, strlen(line), "t.txt", &s, err, sizeof(err)),
			  -1);
		CHECK(strstr(err, "t.txt:1: line longer") != NULL);
	}

	unit_case("load");
	{
		char path[] = "/tmp/mailscan-dkim-XXXXXX";
		int fd = mkstemp(path);
		struct dkim_selectors s;

		CHECK(fd >= 0);
		if (fd >= 0) {
			static const char body[] = "example.nl sel1\n";

			CHECK(write(fd, body, sizeof(body) - 1) == (ssize_t)(sizeof(body) - 1));
			CHECK_INT(close(fd), 0);
			CHECK_INT(dkim_selectors_load(path, &s, err, sizeof(err)), 0);
			CHECK_INT(s.n, 1);
			dkim_selectors_free(&s);
			CHECK_INT(unlink(path), 0);
		}
		CHECK_INT(dkim_selectors_load("/nonexistent/dkim", &s, err, sizeof(err)), -1);
		CHECK(strstr(err, "/nonexistent/dkim: ") != NULL);
	}
}
