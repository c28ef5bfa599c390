/*
 * test_dmarc.c - unit tests for probes/dmarc_record.c (RFC 7489): record
 * selection, the tag-by-tag parser, report URIs, the organisational
 * domain, the §6.6.3 fallback, external destinations (§7.1), the verdict
 * and the evidence JSON.
 */
#include <stdio.h>
#include <string.h>

#include "../../base/buf.h"
#include "../../base/json.h"
#include "../../probes/dmarc.h"
#include "unit.h"

/* ---- selection ---- */

void test_dmarc_is_dmarc(void)
{
	static const struct {
		const char *txt;
		bool want;
	} cases[] = {
	    {"v=DMARC1; p=reject", true},
	    {"v=DMARC1;p=reject", true},
	    {"v=DMARC1", true},
	    {"v=DMARC1 ; p=none", true},
	    {"v = DMARC1; p=none", true}, /* *WSP around '=' (§6.4) */
	    {"V=DMARC1; p=none", true},   /* "v" is an ABNF string: any case */
	    {"v=dmarc1; p=none", true},   /* selected as receivers do; the parser refuses it */
	    {"v=DMARC10; p=none", false},
	    {"v=DMARC1x", false},
	    {"v=DMARC2; p=none", false},
	    {" v=DMARC1; p=none", false},  /* nothing before dmarc-version */
	    {"p=reject; v=DMARC1", false}, /* v must be first */
	    {"v=spf1 -all", false},
	    {"", false},
	};
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		unit_case("%zu: %s", i, cases[i].txt);
		CHECK_INT(dmarc_txt_is_dmarc(cases[i].txt), cases[i].want);
	}
	unit_case("NULL");
	CHECK(!dmarc_txt_is_dmarc(NULL));
}

/* ---- the parser ---- */

struct dmarc_case {
	const char *txt;
	int rc;
	const char *why; /* substring of the reason on failure */
	enum dmarc_policy p, sp;
	int pct;
};

#define NONE_ DMARC_POLICY_NONE
#define QUAR_ DMARC_POLICY_QUARANTINE
#define REJ_ DMARC_POLICY_REJECT
#define UNSET_ DMARC_POLICY_UNSET

static const struct dmarc_case dmarc_cases[] = {
    /* valid */
    {"v=DMARC1; p=reject", 0, NULL, REJ_, UNSET_, 100},
    {"v=DMARC1; p=quarantine", 0, NULL, QUAR_, UNSET_, 100},
    {"v=DMARC1; p=none", 0, NULL, NONE_, UNSET_, 100},
    {"v=DMARC1; p=reject; pct=50", 0, NULL, REJ_, UNSET_, 50},
    {"v=DMARC1; p=quarantine; pct=0", 0, NULL, QUAR_, UNSET_, 0},
    {"v=DMARC1; p=reject; pct=100", 0, NULL, REJ_, UNSET_, 100},
    {"v=DMARC1; p=reject; sp=none", 0, NULL, REJ_, NONE_, 100},
    {"v=DMARC1; p=none; sp=quarantine;", 0, NULL, NONE_, QUAR_, 100},
    {"v=DMARC1;p=reject;sp=reject;adkim=s;aspf=s", 0, NULL, REJ_, REJ_, 100},
    {"v=DMARC1 ; p = reject ; pct = 20 ; ", 0, NULL, REJ_, UNSET_, 20},
    {"v=DMARC1;\tp=reject\t", 0, NULL, REJ_, UNSET_, 100},
    {"v=DMARC1; P=Reject; SP=NONE", 0, NULL, REJ_, NONE_, 100},
    {"v=DMARC1; p=reject; fo=0:1:d:s; rf=afrf; ri=3600", 0, NULL, REJ_, UNSET_, 100},
    {"v=DMARC1; p=reject; fo=1 : d", 0, NULL, REJ_, UNSET_, 100},
    {"v=DMARC1; p=reject; rf=afrf:iodef", 0, NULL, REJ_, UNSET_, 100},
    {"v=DMARC1; p=reject; np=reject", 0, NULL, REJ_, UNSET_, 100},
    {"v=DMARC1; p=reject; rua=mailto:dmarc@example.nl", 0, NULL, REJ_, UNSET_, 100},
    {"v=DMARC1; p=reject; rua=mailto:a@example.nl,mailto:b@example.com!10m", 0, NULL, REJ_, UNSET_,
     100},
    {"v=DMARC1; p=reject; rua=mailto:a@example.nl , mailto:b@example.com", 0, NULL, REJ_, UNSET_,
     100},
    {"v=DMARC1; p=reject; ruf=mailto:f@example.nl!500k; rua=https://r.example.net/dmarc", 0, NULL,
     REJ_, UNSET_, 100},
    {"v=DMARC1; p=reject; foo=bar; t=y; psd=n", 0, NULL, REJ_, UNSET_, 100}, /* unknown: ignored */
    {"v=DMARC1; p=reject; x_y=anything at all", 0, NULL, REJ_, UNSET_, 100},
    {"v=DMARC1; p=reject; pct=007", 0, NULL, REJ_, UNSET_, 7},
    /* p missing with rua: p=none applies (§6.6.3 step 6) */
    {"v=DMARC1; rua=mailto:d@example.nl", 0, NULL, NONE_, UNSET_, 100},
    /* syntax errors, named by tag */
    {"v=DMARC1", -1, "p: required", UNSET_, UNSET_, 0},
    {"v=DMARC1; sp=reject", -1, "p: required", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=rejected", -1, "p: not none", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=", -1, "p: empty", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; p=none", -1, "p: tag appears more than once", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; sp=always", -1, "sp:", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; np=maybe", -1, "np:", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; pct=101", -1, "pct:", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; pct=-1", -1, "pct:", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; pct=5.5", -1, "pct:", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; pct=1000", -1, "pct:", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; pct=", -1, "pct: empty", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; adkim=x", -1, "adkim:", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; aspf=relaxed", -1, "aspf:", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; fo=2", -1, "fo:", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; fo=0:", -1, "fo: item 2 is empty", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; rf=af rf", -1, "rf:", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; ri=1h", -1, "ri:", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; rua=dmarc@example.nl", -1, "rua: URI 1 is not a URI", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; rua=mailto:example.nl", -1, "rua: URI 1: mailto: address has no '@'",
     UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; rua=mailto:a@example.nl,", -1, "rua: item 2 is empty", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; rua=mailto:a@example.nl!10x", -1, "rua: URI 1: size", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; rua=mailto:a@example.nl!", -1, "rua: URI 1: size", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; rua=mailto:a@exa mple.nl", -1, "rua: URI 1", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; ruf=mailto:a@-bad.nl", -1, "ruf: URI 1", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; rua=mailto:a@example.nl%", -1, "rua: URI 1 has a character", UNSET_,
     UNSET_, 0},
    {"v=DMARC1; p=reject; rua=mailto:a@example%00.nl", -1, "%00", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; rua=", -1, "rua: empty", UNSET_, UNSET_, 0},
    {"v=DMARC1; v=DMARC1; p=reject", -1, "v: tag appears more than once", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject;; pct=50", -1, "tag 3 is empty", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; =x", -1, "tag 3: name must start", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; pct", -1, "expected '='", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; 9x=1", -1, "name must start", UNSET_, UNSET_, 0},
    {"v=DMARC1; p=reject; n=caf\xc3\xa9", -1, "not allowed in a value", UNSET_, UNSET_, 0},
    {"v=DMARC1 p=reject", -1, "v: value must be DMARC1", UNSET_, UNSET_, 0},
    /* v not first, not DMARC1 */
    {"p=reject; v=DMARC1", -1, "v: the record must start", UNSET_, UNSET_, 0},
    {"v=DMARC2; p=reject", -1, "v: the record must start", UNSET_, UNSET_, 0},
    {"v=dmarc1; p=reject", -1, "v: value must be DMARC1 (upper case)", UNSET_, UNSET_, 0},
    {"", -1, "v: the record must start", UNSET_, UNSET_, 0},
};

void test_dmarc_parse(void)
{
	size_t i;

	for (i = 0; i < UNIT_COUNT(dmarc_cases); i++) {
		const struct dmarc_case *c = &dmarc_cases[i];
		struct dmarc_record r;
		char why[DMARC_WHY_MAX];
		int rc;

		unit_case("%zu: %s", i, c->txt);
		why[0] = '\0';
		rc = dmarc_record_parse(c->txt, &r, why, sizeof(why));
		CHECK_INT(rc, c->rc);
		if (rc < 0) {
			CHECK(why[0] != '\0');
			if (c->why)
				CHECK_STR(strstr(why, c->why) ? c->why : why, c->why);
			continue;
		}
		CHECK_INT(r.p, c->p);
		CHECK_INT(r.sp, c->sp);
		CHECK_INT(r.pct, c->pct);
	}
	unit_case("NULL");
	CHECK_INT(dmarc_record_parse(NULL, NULL, NULL, 0), -1);
}

void test_dmarc_tags(void)
{
	struct dmarc_record r;
	char why[DMARC_WHY_MAX] = "";

	unit_case("defaults");
	CHECK_INT(dmarc_record_parse("v=DMARC1; p=reject", &r, why, sizeof(why)), 0);
	CHECK_INT(r.pct, 100);
	CHECK(!r.pct_present);
	CHECK_INT(r.adkim, DMARC_ALIGN_RELAXED);
	CHECK_INT(r.aspf, DMARC_ALIGN_RELAXED);
	CHECK_INT(r.fo, DMARC_FO_0);
	CHECK_STR(r.rf, "afrf");
	CHECK_INT(r.ri, 86400);
	CHECK_INT(r.nrua, 0);
	CHECK(!r.p_implied);

	unit_case("all tags");
	CHECK_INT(dmarc_record_parse("v=DMARC1; p=quarantine; sp=reject; np=none; pct=30; "
				     "adkim=s; aspf=S; fo=1:d; rf=afrf; ri=3600; "
				     "rua=mailto:agg@Example.NL!10m, mailto:x@rep.example.com!2; "
				     "ruf=mailto:ruf@example.nl!1K",
				     &r, why, sizeof(why)),
		  0);
	CHECK_INT(r.p, DMARC_POLICY_QUARANTINE);
	CHECK_INT(r.sp, DMARC_POLICY_REJECT);
	CHECK_INT(r.np, DMARC_POLICY_NONE);
	CHECK_INT(r.pct, 30);
	CHECK(r.pct_present);
	CHECK_INT(r.adkim, DMARC_ALIGN_STRICT);
	CHECK_INT(r.aspf, DMARC_ALIGN_STRICT);
	CHECK_INT(r.fo, DMARC_FO_1 | DMARC_FO_D);
	CHECK_INT(r.ri, 3600);
	CHECK_INT(r.nrua, 2);
	CHECK_INT(r.nruf, 1);
	CHECK_STR(r.rua[0].uri, "mailto:agg@Example.NL");
	CHECK_STR(r.rua[0].domain, "example.nl");
	CHECK(r.rua[0].mailto);
	CHECK_INT(r.rua[0].max_size, 10ULL << 20);
	CHECK_STR(r.rua[1].domain, "rep.example.com");
	CHECK_INT(r.rua[1].max_size, 2);
	CHECK_INT(r.ruf[0].max_size, 1024);

	unit_case("size suffixes");
	CHECK_INT(dmarc_record_parse("v=DMARC1; p=none; rua=mailto:a@example.nl!3g,"
				     "mailto:b@example.nl!1t,mailto:c@example.nl!0,"
				     "mailto:d@example.nl!99999999999999999999999t",
				     &r, why, sizeof(why)),
		  0);
	CHECK_INT(r.rua[0].max_size, 3ULL << 30);
	CHECK_INT(r.rua[1].max_size, 1ULL << 40);
	CHECK_INT(r.rua[2].max_size, 1);   /* "!0" kept as a limit */
	CHECK(r.rua[3].max_size == ~0ULL); /* saturates */

	unit_case("p implied");
	CHECK_INT(dmarc_record_parse("v=DMARC1; rua=mailto:d@example.nl", &r, why, sizeof(why)), 0);
	CHECK(r.p_implied);
	CHECK_INT(r.p, DMARC_POLICY_NONE);

	unit_case("mailto details");
	CHECK_INT(
	    dmarc_record_parse("v=DMARC1; p=none; rua=MAILTO:first.last%2Bx@Sub.Example.NL.?"
			       "subject=dmarc, mailto:a@b%C3%BCcher.de, mailto:x@xn--bcher-kva.de",
			       &r, why, sizeof(why)),
	    0);
	CHECK_STR(r.rua[0].domain, "sub.example.nl");
	CHECK_STR(r.rua[1].domain, "xn--bcher-kva.de"); /* %-encoded UTF-8 to an A-label */
	CHECK_STR(r.rua[2].domain, "xn--bcher-kva.de");

	unit_case("other schemes");
	CHECK_INT(dmarc_record_parse("v=DMARC1; p=none; rua=https://r.example.net/x?y=1", &r, why,
				     sizeof(why)),
		  0);
	CHECK(!r.rua[0].mailto);
	CHECK_STR(r.rua[0].domain, "");

	unit_case("more URIs than kept");
	CHECK_INT(dmarc_record_parse("v=DMARC1; p=none; rua=mailto:a@a.nl,mailto:a@b.nl,"
				     "mailto:a@c.nl,mailto:a@d.nl,mailto:a@e.nl,mailto:a@f.nl,"
				     "mailto:a@g.nl,mailto:a@h.nl,mailto:a@i.nl,mailto:a@j.nl",
				     &r, why, sizeof(why)),
		  0);
	CHECK_INT(r.nrua, DMARC_URI_MAX);
	CHECK(r.rua_truncated);
}

/* ---- organisational domain ---- */

void test_dmarc_org_domain(void)
{
	static const struct {
		const char *in, *org;
	} cases[] = {
	    {"example.nl", "example.nl"},
	    {"www.rijksoverheid.nl", "rijksoverheid.nl"},
	    {"a.b.c.minbzk.nl", "minbzk.nl"},
	    {"EXAMPLE.NL.", "example.nl"},
	    {"mail.example.co.uk", "example.co.uk"},
	    {"x.y.example.gov.uk", "example.gov.uk"},
	    {"foo.bar.unknowntld", "bar.unknowntld"}, /* default rule "*" */
	    {"nl", NULL},                             /* one label: not a domain here */
	    {"co.uk", "co.uk"},                       /* a public suffix is its own */
	    {"www.b\xc3\xbc"
	     "cher.de",
	     "xn--bcher-kva.de"},
	    {"sub.xn--bcher-kva.de", "xn--bcher-kva.de"},
	    {"bad..name.nl", NULL},
	    {"", NULL},
	};
	char out[DNS_NAME_MAX + 1];
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		int rc;

		unit_case("%zu: %s", i, cases[i].in);
		rc = dmarc_org_domain(cases[i].in, out, sizeof(out));
		CHECK_INT(rc, cases[i].org ? 0 : -1);
		if (cases[i].org)
			CHECK_STR(out, cases[i].org);
	}
	unit_case("small buffer");
	CHECK_INT(dmarc_org_domain("example.nl", out, 10), -1);
	CHECK_INT(dmarc_org_domain(NULL, out, sizeof(out)), -1);
	/* freed and loaded again */
	dmarc_psl_free();
	dmarc_psl_free();
	CHECK_INT(dmarc_org_domain("a.example.nl", out, sizeof(out)), 0);
	CHECK_STR(out, "example.nl");
}

/* ---- lookups, fallback and verdict ---- */

#define MAXTXT 3
struct dmarc_scn {
	const char *name;
	const char *domain;
	/* own lookup: status (DNS_OK with txt, or NXDOMAIN / SERVFAIL) */
	enum dns_status own_st;
	const char *own[MAXTXT];
	/* org lookup, when the fallback asks it */
	enum dns_status org_st;
	const char *org[MAXTXT];
	/* authorisation answers, one per external destination in order;
	 * NULL entry: no record there */
	const char *auth[MAXTXT];
	bool auth_servfail;
	/* expectations */
	bool want_org_lookup;
	enum dmarc_source source;
	enum dmarc_state state;
	enum dmarc_policy policy;
	enum verdict v;
	const char *reasons; /* space-separated, in order */
	bool reject;
};

static const struct dmarc_scn dmarc_scns[] = {
    {"reject",
     "example.nl",
     DNS_OK,
     {"v=DMARC1; p=reject"},
     0,
     {NULL},
     {NULL},
     false,
     false,
     DMARC_SRC_DOMAIN,
     DMARC_VALID,
     REJ_,
     VERDICT_PASS,
     "",
     true},
    {"quarantine",
     "example.nl",
     DNS_OK,
     {"v=DMARC1; p=quarantine; rua=mailto:d@example.nl"},
     0,
     {NULL},
     {NULL},
     false,
     false,
     DMARC_SRC_DOMAIN,
     DMARC_VALID,
     QUAR_,
     VERDICT_PASS,
     "",
     false},
    {"pct=50",
     "example.nl",
     DNS_OK,
     {"v=DMARC1; p=reject; pct=50"},
     0,
     {NULL},
     {NULL},
     false,
     false,
     DMARC_SRC_DOMAIN,
     DMARC_VALID,
     REJ_,
     VERDICT_WARN,
     "dmarc-pct-partial",
     false},
    {"none",
     "example.nl",
     DNS_OK,
     {"v=DMARC1; p=none"},
     0,
     {NULL},
     {NULL},
     false,
     false,
     DMARC_SRC_DOMAIN,
     DMARC_VALID,
     NONE_,
     VERDICT_WARN,
     "dmarc-policy-none",
     false},
    {"p implied",
     "example.nl",
     DNS_OK,
     {"v=DMARC1; rua=mailto:d@example.nl"},
     0,
     {NULL},
     {NULL},
     false,
     false,
     DMARC_SRC_DOMAIN,
     DMARC_VALID,
     NONE_,
     VERDICT_WARN,
     "dmarc-policy-none dmarc-p-missing",
     false},
    {"absent at an org domain",
     "example.nl",
     DNS_NXDOMAIN,
     {NULL},
     0,
     {NULL},
     {NULL},
     false,
     false,
     DMARC_SRC_NOWHERE,
     DMARC_ABSENT,
     UNSET_,
     VERDICT_FAIL,
     "dmarc-none",
     false},
    {"only other TXT",
     "example.nl",
     DNS_OK,
     {"v=spf1 -all", "google-site-verification=x"},
     0,
     {NULL},
     {NULL},
     false,
     false,
     DMARC_SRC_NOWHERE,
     DMARC_ABSENT,
     UNSET_,
     VERDICT_FAIL,
     "dmarc-none",
     false},
    {"two records",
     "example.nl",
     DNS_OK,
     {"v=DMARC1; p=reject", "v=DMARC1; p=none"},
     0,
     {NULL},
     {NULL},
     false,
     false,
     DMARC_SRC_NOWHERE,
     DMARC_MULTIPLE,
     UNSET_,
     VERDICT_FAIL,
     "dmarc-multiple-records",
     false},
    {"two records, one other",
     "example.nl",
     DNS_OK,
     {"v=spf1 -all", "v=DMARC1; p=reject"},
     0,
     {NULL},
     {NULL},
     false,
     false,
     DMARC_SRC_DOMAIN,
     DMARC_VALID,
     REJ_,
     VERDICT_PASS,
     "",
     true},
    {"syntax",
     "example.nl",
     DNS_OK,
     {"v=DMARC1; p=reject; pct=150"},
     0,
     {NULL},
     {NULL},
     false,
     false,
     DMARC_SRC_NOWHERE,
     DMARC_SYNTAX,
     UNSET_,
     VERDICT_FAIL,
     "dmarc-syntax",
     false},
    {"servfail",
     "example.nl",
     DNS_SERVFAIL,
     {NULL},
     0,
     {NULL},
     {NULL},
     false,
     false,
     DMARC_SRC_NOWHERE,
     DMARC_DNS_ERROR,
     UNSET_,
     VERDICT_ERROR,
     "dmarc-dns-error",
     false},
    /* fallback to the organisational domain */
    {"fallback sp",
     "mail.example.nl",
     DNS_NXDOMAIN,
     {NULL},
     DNS_OK,
     {"v=DMARC1; p=none; sp=reject"},
     {NULL},
     false,
     true,
     DMARC_SRC_ORG,
     DMARC_VALID,
     REJ_,
     VERDICT_PASS,
     "dmarc-from-org-domain",
     true},
    {"fallback p",
     "mail.example.nl",
     DNS_OK,
     {"v=spf1 -all"},
     DNS_OK,
     {"v=DMARC1; p=quarantine"},
     {NULL},
     false,
     true,
     DMARC_SRC_ORG,
     DMARC_VALID,
     QUAR_,
     VERDICT_PASS,
     "dmarc-from-org-domain",
     false},
    {"fallback sp none",
     "mail.example.nl",
     DNS_NXDOMAIN,
     {NULL},
     DNS_OK,
     {"v=DMARC1; p=reject; sp=none"},
     {NULL},
     false,
     true,
     DMARC_SRC_ORG,
     DMARC_VALID,
     NONE_,
     VERDICT_WARN,
     "dmarc-from-org-domain dmarc-policy-none",
     false},
    {"fallback absent",
     "mail.example.nl",
     DNS_NXDOMAIN,
     {NULL},
     DNS_NXDOMAIN,
     {NULL},
     {NULL},
     false,
     true,
     DMARC_SRC_NOWHERE,
     DMARC_ABSENT,
     UNSET_,
     VERDICT_FAIL,
     "dmarc-none",
     false},
    {"fallback two records",
     "mail.example.nl",
     DNS_NXDOMAIN,
     {NULL},
     DNS_OK,
     {"v=DMARC1; p=reject", "v=DMARC1; p=reject"},
     {NULL},
     false,
     true,
     DMARC_SRC_NOWHERE,
     DMARC_MULTIPLE,
     UNSET_,
     VERDICT_FAIL,
     "dmarc-from-org-domain dmarc-multiple-records",
     false},
    {"no fallback on syntax",
     "mail.example.nl",
     DNS_OK,
     {"v=DMARC1; p=bogus"},
     DNS_OK,
     {"v=DMARC1; p=reject"},
     {NULL},
     false,
     false,
     DMARC_SRC_NOWHERE,
     DMARC_SYNTAX,
     UNSET_,
     VERDICT_FAIL,
     "dmarc-syntax",
     false},
    {"lower-case v: syntax, no fallback",
     "mail.example.nl",
     DNS_OK,
     {"v=dmarc1; p=reject"},
     DNS_OK,
     {"v=DMARC1; p=reject"},
     {NULL},
     false,
     false,
     DMARC_SRC_NOWHERE,
     DMARC_SYNTAX,
     UNSET_,
     VERDICT_FAIL,
     "dmarc-syntax",
     false},
    {"no fallback on servfail",
     "mail.example.nl",
     DNS_SERVFAIL,
     {NULL},
     DNS_OK,
     {"v=DMARC1; p=reject"},
     {NULL},
     false,
     false,
     DMARC_SRC_NOWHERE,
     DMARC_DNS_ERROR,
     UNSET_,
     VERDICT_ERROR,
     "dmarc-dns-error",
     false},
    /* external destinations (§7.1) */
    {"same-org rua",
     "example.nl",
     DNS_OK,
     {"v=DMARC1; p=reject; rua=mailto:d@reports.example.nl"},
     0,
     {NULL},
     {NULL},
     false,
     false,
     DMARC_SRC_DOMAIN,
     DMARC_VALID,
     REJ_,
     VERDICT_PASS,
     "",
     true},
    {"external rua authorised",
     "example.nl",
     DNS_OK,
     {"v=DMARC1; p=reject; rua=mailto:d@dmarc.example.com"},
     0,
     {NULL},
     {"v=DMARC1"},
     false,
     false,
     DMARC_SRC_DOMAIN,
     DMARC_VALID,
     REJ_,
     VERDICT_PASS,
     "",
     true},
    {"external rua not authorised",
     "example.nl",
     DNS_OK,
     {"v=DMARC1; p=reject; rua=mailto:d@dmarc.example.com"},
     0,
     {NULL},
     {NULL},
     false,
     false,
     DMARC_SRC_DOMAIN,
     DMARC_VALID,
     REJ_,
     VERDICT_WARN,
     "dmarc-external-unauthorised",
     true},
    {"external rua other TXT",
     "example.nl",
     DNS_OK,
     {"v=DMARC1; p=reject; rua=mailto:d@dmarc.example.com"},
     0,
     {NULL},
     {"v=spf1 -all"},
     false,
     false,
     DMARC_SRC_DOMAIN,
     DMARC_VALID,
     REJ_,
     VERDICT_WARN,
     "dmarc-external-unauthorised",
     true},
    {"external ruf unverified",
     "example.nl",
     DNS_OK,
     {"v=DMARC1; p=reject; ruf=mailto:d@dmarc.example.com"},
     0,
     {NULL},
     {NULL},
     true,
     false,
     DMARC_SRC_DOMAIN,
     DMARC_VALID,
     REJ_,
     VERDICT_PASS,
     "dmarc-external-unverified",
     true},
    {"https rua",
     "example.nl",
     DNS_OK,
     {"v=DMARC1; p=reject; rua=https://r.example.com/"},
     0,
     {NULL},
     {NULL},
     false,
     false,
     DMARC_SRC_DOMAIN,
     DMARC_VALID,
     REJ_,
     VERDICT_PASS,
     "dmarc-uri-not-mailto",
     true},
};

static size_t dmarc_ntxt(const char *const *t)
{
	size_t n = 0;

	while (n < MAXTXT && t[n])
		n++;
	return n;
}

static void dmarc_reasons_str(const struct dmarc_judgment *j, char *out, size_t n)
{
	size_t i, w = 0;

	out[0] = '\0';
	for (i = 0; i < j->nreasons && w < n; i++)
		w += (size_t)snprintf(out + w, n - w, "%s%s", i ? " " : "",
				      reason_code(j->reasons[i]));
}

void test_dmarc_policy(void)
{
	size_t i;

	for (i = 0; i < UNIT_COUNT(dmarc_scns); i++) {
		const struct dmarc_scn *s = &dmarc_scns[i];
		struct dmarc_lookup own, orgl;
		struct dmarc_effective e;
		struct dmarc_dests d;
		struct dmarc_judgment j;
		char org[DNS_NAME_MAX + 1], reasons[256];
		bool need;
		size_t k, a = 0;

		unit_case("%zu: %s", i, s->name);
		dmarc_lookup_init(&own, s->domain);
		dmarc_lookup_init(&orgl, NULL);
		if (s->own_st == DNS_OK && s->own[0])
			CHECK_INT(dmarc_lookup_set_txt(&own, s->own, dmarc_ntxt(s->own)), 0);
		else
			dmarc_lookup_set_status(&own, s->own_st);
		need = dmarc_needs_org_lookup(s->domain, &own, org, sizeof(org));
		CHECK_INT(need, s->want_org_lookup);
		if (need) {
			dmarc_lookup_init(&orgl, org);
			if (s->org_st == DNS_OK && s->org[0])
				CHECK_INT(dmarc_lookup_set_txt(&orgl, s->org, dmarc_ntxt(s->org)),
					  0);
			else
				dmarc_lookup_set_status(&orgl, s->org_st);
		}
		CHECK_INT(dmarc_effective(&own, &orgl, &e), 0);
		CHECK_INT(e.source, s->source);
		CHECK_INT(e.state, s->state);
		CHECK_INT(e.policy, s->policy);
		CHECK_INT(dmarc_is_reject(&e), s->reject);
		CHECK_INT(dmarc_dests_build(e.rec, e.policy_domain, &d), 0);
		for (k = 0; k < d.n; k++) {
			if (d.d[k].auth != DMARC_AUTH_PENDING)
				continue;
			if (s->auth_servfail) {
				d.d[k].auth = DMARC_AUTH_ERROR;
				continue;
			}
			d.d[k].auth = dmarc_auth_judge(s->auth + a, s->auth[a] ? 1 : 0);
			a++;
		}
		dmarc_judge(&e, &d, &j);
		CHECK_INT(j.v, s->v);
		dmarc_reasons_str(&j, reasons, sizeof(reasons));
		CHECK_STR(reasons, s->reasons);
		dmarc_lookup_clear(&own);
		dmarc_lookup_clear(&orgl);
	}
	unit_case("NULL own");
	{
		struct dmarc_effective e;

		CHECK_INT(dmarc_effective(NULL, NULL, &e), -1);
		CHECK(!dmarc_is_reject(NULL));
	}
}

void test_dmarc_external(void)
{
	struct dmarc_record r;
	struct dmarc_dests d;
	char why[DMARC_WHY_MAX], name[DNS_NAME_MAX + 1];
	char longdom[300];
	const char *yes[] = {"v=spf1 -all", "v=DMARC1;"};
	const char *no[] = {"v=spf1 -all", "DMARC1"};
	size_t i;

	unit_case("destinations");
	CHECK_INT(dmarc_record_parse("v=DMARC1; p=reject; rua=mailto:a@example.nl,"
				     "mailto:b@dmarc.example.com,mailto:c@rep.example.co.uk; "
				     "ruf=mailto:f@dmarc.example.com,https://x.example.net/",
				     &r, why, sizeof(why)),
		  0);
	CHECK_INT(dmarc_dests_build(&r, "Sub.Example.NL", &d), 0);
	CHECK_INT(d.n, 3);
	CHECK_INT(d.nother, 1);
	CHECK_STR(d.d[0].domain, "example.nl");
	CHECK(!d.d[0].external);
	CHECK_INT(d.d[0].auth, DMARC_AUTH_NOT_NEEDED);
	CHECK_STR(d.d[0].auth_name, "");
	CHECK_STR(d.d[1].domain, "dmarc.example.com");
	CHECK_STR(d.d[1].org, "example.com");
	CHECK(d.d[1].external);
	CHECK(d.d[1].in_rua && d.d[1].in_ruf);
	CHECK_STR(d.d[1].auth_name, "sub.example.nl._report._dmarc.dmarc.example.com");
	CHECK_INT(d.d[1].auth, DMARC_AUTH_PENDING);
	CHECK_STR(d.d[2].org, "example.co.uk");
	CHECK(d.d[2].external);

	unit_case("auth judge");
	CHECK_INT(dmarc_auth_judge(yes, 2), DMARC_AUTH_YES);
	CHECK_INT(dmarc_auth_judge(no, 2), DMARC_AUTH_NO);
	CHECK_INT(dmarc_auth_judge(NULL, 0), DMARC_AUTH_NO);

	unit_case("auth name length");
	memset(longdom, 0, sizeof(longdom));
	for (i = 0; i < 3; i++) {
		memset(longdom + i * 64, 'a', 63);
		longdom[i * 64 + 63] = '.';
	}
	memset(longdom + 192, 'b', 29);
	longdom[221] = '.';
	memcpy(longdom + 222, "example.nl", 10); /* 232 characters: a valid name */
	CHECK_INT(dmarc_auth_name("example.nl", "dmarc.example.com", name, sizeof(name)), 0);
	CHECK_STR(name, "example.nl._report._dmarc.dmarc.example.com");
	CHECK_INT(dmarc_auth_name(longdom, "dmarc.example.com", name, sizeof(name)), -1);
	CHECK_STR(name, "");
	CHECK_INT(dmarc_auth_name("example.nl", "x.nl", name, 10), -1);

	unit_case("auth name too long in dests");
	CHECK_INT(dmarc_record_parse("v=DMARC1; p=reject; rua=mailto:a@dmarc.example.com", &r, why,
				     sizeof(why)),
		  0);
	CHECK_INT(dmarc_dests_build(&r, longdom, &d), 0);
	CHECK_INT(d.n, 1);
	CHECK(d.d[0].external);
	CHECK(d.d[0].auth_name_too_long);
	CHECK_INT(d.d[0].auth, DMARC_AUTH_NO);

	unit_case("no record");
	CHECK_INT(dmarc_dests_build(NULL, "example.nl", &d), 0);
	CHECK_INT(d.n, 0);
	CHECK_INT(dmarc_dests_build(&r, "not a name", &d), -1);
}

void test_dmarc_json(void)
{
	static const char *const own_txt[] = {
	    "v=DMARC1; p=none; sp=reject; rua=mailto:d@dmarc.example.com!10m"};
	struct dmarc_lookup own, orgl;
	struct dmarc_effective e;
	struct dmarc_dests d;
	struct buf b;
	struct json j;
	char org[DNS_NAME_MAX + 1];
	const char *s;

	unit_case("fallback evidence");
	dmarc_lookup_init(&own, "mail.example.nl");
	dmarc_lookup_set_status(&own, DNS_NXDOMAIN);
	CHECK(dmarc_needs_org_lookup("mail.example.nl", &own, org, sizeof(org)));
	dmarc_lookup_init(&orgl, org);
	CHECK_INT(dmarc_lookup_set_txt(&orgl, own_txt, 1), 0);
	CHECK_INT(dmarc_effective(&own, &orgl, &e), 0);
	CHECK_INT(dmarc_dests_build(e.rec, e.policy_domain, &d), 0);
	d.d[0].auth = DMARC_AUTH_YES;
	buf_init(&b, 1 << 16);
	json_init(&j, &b);
	dmarc_evidence_json(&j, &e, &own, &orgl, org, &d);
	CHECK_INT(json_status(&j), 0);
	s = buf_str(&b);
	CHECK(strstr(s, "\"org_domain\":\"example.nl\"") != NULL);
	CHECK(strstr(s, "\"source\":\"org\"") != NULL);
	CHECK(strstr(s, "\"policy\":\"reject\"") != NULL);
	CHECK(strstr(s, "\"from_sp\":true") != NULL);
	CHECK(strstr(s, "\"state\":\"absent\"") != NULL);
	CHECK(strstr(s, "\"max_size\":10485760") != NULL);
	CHECK(strstr(s, "\"auth_name\":\"example.nl._report._dmarc.dmarc.example.com\"") != NULL);
	CHECK(strstr(s, "\"authorised\":\"yes\"") != NULL);
	CHECK(strstr(s, own_txt[0]) != NULL);
	buf_free(&b);
	dmarc_lookup_clear(&own);
	dmarc_lookup_clear(&orgl);

	unit_case("syntax evidence");
	{
		static const char *const bad[] = {"v=DMARC1; p=reject; pct=x\x01"};

		dmarc_lookup_init(&own, "example.nl");
		CHECK_INT(dmarc_lookup_set_txt(&own, bad, 1), 0);
		CHECK_INT(own.state, DMARC_SYNTAX);
		CHECK_INT(dmarc_effective(&own, NULL, &e), 0);
		buf_init(&b, 1 << 16);
		json_init(&j, &b);
		dmarc_evidence_json(&j, &e, &own, NULL, "example.nl", NULL);
		CHECK_INT(json_status(&j), 0);
		s = buf_str(&b);
		CHECK(strstr(s, "\"state\":\"syntax\"") != NULL);
		CHECK(strstr(s, "\"error\":\"tag 3 (pct)") != NULL);
		CHECK(strstr(s, "\\u0001") != NULL);
		CHECK(strstr(s, "\"org_lookup\":null") != NULL);
		CHECK(strstr(s, "\"tags\":null") != NULL);
		buf_free(&b);
		dmarc_lookup_clear(&own);
	}
}
