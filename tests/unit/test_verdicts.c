/*
 * test_verdicts.c - unit tests for the verdict evaluation of the probes
 * (SPEC §3): probe_X.evaluate() for dnssec, starttls, dane, mta_sts and
 * tlsrpt, probe_mail_precheck(), verdict_raise() and verdict_add_reason().
 *
 * The evaluators are pure functions of a struct domain_scan, so every case
 * below describes a domain (MX set, MX hosts, their addresses, the MTA-STS
 * and TLSRPT evidence) in a small spec; build_scan() turns it into a real
 * struct domain_scan (static storage, rebuilt per case) and the runner
 * checks the verdict and the exact set of reason codes (compared by
 * content, order ignored, duplicates counted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../probes/mtasts_policy.h"
#include "../../probes/probe.h"
#include "unit.h"

#define VT_HOSTS 3   /* MX hosts per case */
#define VT_ADDRS 3   /* addresses per host */
#define VT_PATS 3    /* MTA-STS mx patterns */
#define VT_REASONS 5 /* expected reason codes */

/* ---- the case description ---- */

struct vt_addr {
	enum addr_status st;
	enum dane_match dane;
	bool pkix;    /* cert.pkix_valid */
	bool name_ok; /* cert.name_match */
	bool v6;      /* an IPv6 address (2001:db8::N), else IPv4 (192.0.2.N) */
};

struct vt_host {
	const char *name; /* NULL ends the host list */
	enum dnssec_state sec;
	bool dns_failed;
	bool pending; /* !done */
	enum tlsa_state tlsa;
	size_t usable; /* tlsa_usable */
	size_t n;      /* addresses used from a[] */
	struct vt_addr a[VT_ADDRS];
};

struct vt_domain {
	enum mx_kind mx;
	enum dns_status mx_status;
	enum dnssec_state mx_sec;
	bool null_mixed;
	enum dns_status name_status;
	enum dnssec_state name_sec;
	struct vt_host h[VT_HOSTS];
	struct {
		enum dns_status txt_status;
		size_t ntxt;
		const char *txt_error;
		enum reason reason;
		bool fetched;
		enum sts_mode mode;
		const char *pat[VT_PATS]; /* NULL ends the list */
	} sts;
	struct {
		enum dns_status status;
		size_t nrec;
		enum reason reason;
	} rpt;
};

struct vt_case {
	const char *name;
	struct vt_domain d;
	enum verdict v;
	const char *reasons[VT_REASONS]; /* NULL ends the list */
};

/* ---- building a struct domain_scan from a case ---- */

static struct {
	struct domain_scan ds;
	struct mx_host host[VT_HOSTS];
	struct addr_result addr[VT_HOSTS][VT_ADDRS];
	char pat[VT_PATS][DNS_NAME_MAX + 1];
	char *patp[VT_PATS];
	char txt_error[128];
} vt_fx;

static const struct domain_scan *build_scan(const struct vt_domain *d)
{
	struct domain_scan *ds = &vt_fx.ds;
	size_t i, k;

	memset(&vt_fx, 0, sizeof(vt_fx));
	(void)snprintf(ds->name, sizeof(ds->name), "example.com");
	ds->mx_kind = d->mx;
	ds->mx_status = d->mx_status;
	ds->mx_sec = d->mx_sec;
	ds->null_mixed = d->null_mixed;
	ds->name_status = d->name_status;
	ds->name_sec = d->name_sec;
	for (i = 0; i < VT_HOSTS && d->h[i].name; i++) {
		const struct vt_host *hs = &d->h[i];
		struct mx_host *h = &vt_fx.host[i];

		(void)snprintf(h->name, sizeof(h->name), "%s", hs->name);
		h->sec = hs->sec;
		h->dns_failed = hs->dns_failed;
		h->done = !hs->pending;
		h->tlsa_state = hs->tlsa;
		h->tlsa_sec = hs->tlsa == TLSA_NOT_ASKED ? SEC_UNKNOWN : SEC_SECURE;
		h->tlsa_usable = hs->usable;
		h->ntlsa = hs->usable;
		for (k = 0; k < hs->n && k < VT_ADDRS; k++) {
			struct addr_result *ar = &vt_fx.addr[i][k];

			if (hs->a[k].v6)
				(void)snprintf(ar->ip, sizeof(ar->ip), "2001:db8::%zu",
					       i * VT_ADDRS + k + 1);
			else
				(void)snprintf(ar->ip, sizeof(ar->ip), "192.0.2.%zu",
					       i * VT_ADDRS + k + 1);
			ar->family = hs->a[k].v6 ? AF_INET6 : AF_INET;
			ar->status = hs->a[k].st;
			ar->dane = hs->a[k].dane;
			ar->dane_depth = ar->dane == DANE_MATCH ? 0 : -1;
			ar->cert.present = ar->status == ADDR_OK || ar->status == ADDR_TLS_OLD;
			ar->cert.pkix_valid = hs->a[k].pkix;
			ar->cert.name_match = hs->a[k].name_ok;
			ar->done = ar->status != ADDR_PENDING;
			h->addr[k] = ar;
		}
		h->naddr = k;
		ds->mx[i].host = h;
		ds->mx[i].pref = (uint16_t)(10 * (i + 1));
	}
	ds->nmx = i;

	ds->sts.txt_done = true;
	ds->sts.txt_status = d->sts.txt_status;
	ds->sts.ntxt = d->sts.ntxt;
	if (d->sts.txt_error) {
		(void)snprintf(vt_fx.txt_error, sizeof(vt_fx.txt_error), "%s", d->sts.txt_error);
		ds->sts.txt_error = vt_fx.txt_error;
	}
	ds->sts.reason = d->sts.reason;
	ds->sts.fetched = d->sts.fetched;
	ds->sts.http_status = d->sts.fetched ? 200 : 0;
	ds->sts.mode = (int)d->sts.mode;
	ds->sts.max_age = 86400;
	for (i = 0; i < VT_PATS && d->sts.pat[i]; i++) {
		(void)snprintf(vt_fx.pat[i], sizeof(vt_fx.pat[i]), "%s", d->sts.pat[i]);
		vt_fx.patp[i] = vt_fx.pat[i];
	}
	ds->sts.nmx = i;
	ds->sts.mx = i ? vt_fx.patp : NULL;

	ds->rpt.done = true;
	ds->rpt.status = d->rpt.status;
	ds->rpt.nrec = d->rpt.nrec;
	ds->rpt.reason = d->rpt.reason;
	return ds;
}

/* ---- checking a verdict ---- */

static const char *vt_verdict(enum verdict v)
{
	return v == VERDICT_NONE ? "(none)" : verdict_name(v);
}

static int vt_strcmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	return strcmp(x ? x : "", y ? y : "");
}

/* The reason codes, sorted by content and joined with ','. */
static void vt_join(const char *const *codes, size_t n, char *out, size_t outlen)
{
	const char *sorted[SCAN_REASONS_MAX + VT_REASONS];
	size_t i, len = 0;

	if (n > UNIT_COUNT(sorted))
		n = UNIT_COUNT(sorted);
	memcpy(sorted, codes, n * sizeof(*codes));
	qsort(sorted, n, sizeof(*sorted), vt_strcmp);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, len < outlen ? outlen - len : 0, "%s%s",
					i ? "," : "", sorted[i] ? sorted[i] : "(null)");
}

static void check_verdict(const struct probe_verdict *pv, enum verdict v,
			  const char *const *reasons)
{
	char got[512], want[512];
	size_t i, n = 0;

	while (n < VT_REASONS && reasons[n])
		n++;
	CHECK_STR(vt_verdict(pv->v), vt_verdict(v));
	CHECK(pv->nreasons <= SCAN_REASONS_MAX);
	for (i = 0; i < pv->nreasons && i < SCAN_REASONS_MAX; i++)
		CHECK(pv->reasons[i] != NULL);
	vt_join(pv->reasons, pv->nreasons, got, sizeof(got));
	vt_join(reasons, n, want, sizeof(want));
	CHECK_STR(got, want);
}

static void run_cases(const struct probe_ops *p, const struct vt_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct domain_scan *ds;
		struct probe_verdict pv;

		unit_case("%s: %s", p->name, cases[i].name);
		ds = build_scan(&cases[i].d);
		memset(&pv, 0, sizeof(pv));
		p->evaluate(ds, &pv);
		check_verdict(&pv, cases[i].v, cases[i].reasons);
	}
	unit_case("%s", "");
}

/* ---- shorthands for the tables ---- */

#define MXL .mx = MX_LIST, .mx_sec = SEC_SECURE
#define NAME_SECURE .name_status = DNS_OK, .name_sec = SEC_SECURE
#define A(s)                                                                                       \
	{                                                                                          \
		.st = (s)                                                                          \
	}
#define AD(s, d)                                                                                   \
	{                                                                                          \
		.st = (s), .dane = (d)                                                             \
	}
#define AC(s, p, nm)                                                                               \
	{                                                                                          \
		.st = (s), .pkix = (p), .name_ok = (nm)                                            \
	}
/* A secure host with one OK address (dnssec / starttls). */
#define H_SEC(nm)                                                                                  \
	{                                                                                          \
		.name = (nm), .sec = SEC_SECURE, .n = 1, .a = { A(ADDR_OK) }                       \
	}
/* A secure host with a usable TLSA RRset and n DANE-matching addresses. */
#define H_DANE(nm)                                                                                 \
	{                                                                                          \
		.name = (nm), .sec = SEC_SECURE, .tlsa = TLSA_PRESENT, .usable = 1, .n = 1,        \
		.a = { AD(ADDR_OK, DANE_MATCH) }                                                   \
	}
/* A host whose one address presents a PKIX-valid certificate for its name. */
#define H_PKIX(nm)                                                                                 \
	{                                                                                          \
		.name = (nm), .sec = SEC_SECURE, .n = 1, .a = { AC(ADDR_OK, true, true) }          \
	}
/* TXT present and policy fetched in mode m, with the given mx patterns. */
#define STS(m, ...)                                                                                \
	.sts = {.txt_status = DNS_OK, .ntxt = 1, .fetched = true, .mode = (m), .pat = {__VA_ARGS__}}
#define MX1 "mx1.example.net"
#define MX2 "mx2.example.net"

/* ---- verdict_raise / verdict_add_reason ---- */

void test_verdict_raise(void)
{
	/* SPEC order, lowest first: nothing < n/a < pass < warn < error < fail. */
	static const enum verdict order[] = {VERDICT_NONE, VERDICT_NA,    VERDICT_PASS,
					     VERDICT_WARN, VERDICT_ERROR, VERDICT_FAIL};
	static const struct {
		const char *name;
		enum verdict seq[5]; /* VERDICT_NONE ends (raising NONE is a no-op) */
		enum verdict want;
	} cases[] = {
	    {"nothing raised", {VERDICT_NONE}, VERDICT_NONE},
	    {"n/a alone", {VERDICT_NA}, VERDICT_NA},
	    {"pass beats n/a", {VERDICT_NA, VERDICT_PASS}, VERDICT_PASS},
	    {"n/a after pass", {VERDICT_PASS, VERDICT_NA}, VERDICT_PASS},
	    {"warn beats pass", {VERDICT_PASS, VERDICT_WARN, VERDICT_PASS}, VERDICT_WARN},
	    {"error beats warn", {VERDICT_WARN, VERDICT_ERROR, VERDICT_WARN}, VERDICT_ERROR},
	    {"fail beats error", {VERDICT_ERROR, VERDICT_FAIL}, VERDICT_FAIL},
	    {"error after fail", {VERDICT_FAIL, VERDICT_ERROR}, VERDICT_FAIL},
	    {"pass after fail", {VERDICT_PASS, VERDICT_FAIL, VERDICT_PASS}, VERDICT_FAIL},
	    {"n/a after fail", {VERDICT_FAIL, VERDICT_NA}, VERDICT_FAIL},
	    {"mixed",
	     {VERDICT_NA, VERDICT_PASS, VERDICT_ERROR, VERDICT_WARN, VERDICT_NA},
	     VERDICT_ERROR},
	};
	size_t i, j, k;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		struct probe_verdict pv;

		unit_case("%s", cases[i].name);
		memset(&pv, 0, sizeof(pv));
		for (k = 0; k < UNIT_COUNT(cases[i].seq) && cases[i].seq[k] != VERDICT_NONE; k++)
			verdict_raise(&pv, cases[i].seq[k]);
		CHECK_STR(vt_verdict(pv.v), vt_verdict(cases[i].want));
		CHECK_INT(pv.nreasons, 0);
	}
	/* Every pair, both orders: the later order[] entry wins. */
	for (i = 0; i < UNIT_COUNT(order); i++)
		for (j = 0; j < UNIT_COUNT(order); j++) {
			struct probe_verdict pv;

			unit_case("%s then %s", vt_verdict(order[i]), vt_verdict(order[j]));
			memset(&pv, 0, sizeof(pv));
			pv.v = order[i];
			verdict_raise(&pv, order[j]);
			CHECK_STR(vt_verdict(pv.v), vt_verdict(order[i > j ? i : j]));
		}
	unit_case("%s", "");
}

void test_verdict_add_reason(void)
{
	static const struct {
		const char *name;
		int seq[24]; /* rows of the reason table (0: the first), -1 ends */
		int want[SCAN_REASONS_MAX + 1]; /* in order, -1 ends */
	} cases[] = {
	    {"none", {-1}, {-1}},
	    {"one", {3, -1}, {3, -1}},
	    {"same twice", {1, 1, -1}, {1, -1}},
	    {"order kept, duplicate ignored", {2, 0, 2, 1, 0, -1}, {2, 0, 1, -1}},
	    {"cap at SCAN_REASONS_MAX (16)",
	     {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, -1},
	     {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, -1}},
	    {"duplicate when full",
	     {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15, 0, -1},
	     {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, -1}},
	};
	size_t i, k;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		struct probe_verdict pv;
		size_t n = 0;

		unit_case("%s", cases[i].name);
		memset(&pv, 0, sizeof(pv));
		pv.v = VERDICT_WARN;
		for (k = 0; k < UNIT_COUNT(cases[i].seq) && cases[i].seq[k] >= 0; k++)
			verdict_add_reason(&pv, (enum reason)(R_NONE + 1 + cases[i].seq[k]));
		while (n < UNIT_COUNT(cases[i].want) && cases[i].want[n] >= 0)
			n++;
		CHECK_INT(pv.nreasons, n);
		for (k = 0; k < n && k < pv.nreasons; k++)
			CHECK(pv.reasons[k] ==
			      reason_code((enum reason)(R_NONE + 1 + cases[i].want[k])));
		CHECK_STR(vt_verdict(pv.v), "warn"); /* reasons never touch the verdict */
	}
	unit_case("%s", "");
}

/* ---- the registry and the shared pre-check ---- */

void test_verdict_registry(void)
{
	static const char *const names[PROBE_COUNT] = {"dnssec",  "starttls", "tls_ncsc", "dane",
						       "mta_sts", "tlsrpt",   "spf",      "dmarc",
						       "dkim",    "rpki",     "ipv6"};
	size_t i;

	for (i = 0; i < PROBE_COUNT; i++) {
		const struct probe_ops *p = probe_registry[i];

		unit_case("%s", names[i]);
		CHECK(p != NULL);
		if (!p)
			continue;
		CHECK_STR(p->name, names[i]);
		CHECK_INT(p->id, i);
		CHECK(p->evaluate != NULL);
		/* what the reports and check's exit status read */
		CHECK(p->title[0] && p->title[0][0] && p->title[1] && p->title[1][0]);
		CHECK(p->basis[0] && p->basis[0][0] && p->basis[1] && p->basis[1][0]);
		CHECK(probe_find(names[i]) == p);
		CHECK(!p->report_with || probe_find(p->report_with) != NULL);
	}
	unit_case("the verdict vocabulary");
	{
		static const struct {
			const char *word;
			enum verdict v;
			int compliance;
		} words[] = {
		    {"pass", VERDICT_PASS, 2},    {"n/a", VERDICT_NA, 2},
		    {"warn", VERDICT_WARN, 1},    {"fail", VERDICT_FAIL, 0},
		    {"error", VERDICT_ERROR, -1}, {"PASS", VERDICT_NONE, -1},
		    {"", VERDICT_NONE, -1},       {"passed", VERDICT_NONE, -1},
		    {NULL, VERDICT_NONE, -1},
		};
		size_t k;

		for (k = 0; k < UNIT_COUNT(words); k++) {
			unit_case("verdict word '%s'", words[k].word ? words[k].word : "(null)");
			CHECK_INT(verdict_from_name(words[k].word), words[k].v);
			CHECK_INT(verdict_compliance(verdict_from_name(words[k].word)),
				  words[k].compliance);
			if (words[k].v != VERDICT_NONE)
				CHECK_STR(verdict_name(words[k].v), words[k].word);
		}
	}
	unit_case("required: the Forum Standaardisatie mandatory list");
	CHECK(probe_find("dnssec")->level == PROBE_REQUIRED);
	CHECK(probe_find("starttls")->level == PROBE_REQUIRED);
	CHECK(probe_find("dane")->level == PROBE_REQUIRED);
	CHECK(probe_find("spf")->level == PROBE_REQUIRED);
	CHECK(probe_find("dmarc")->level == PROBE_REQUIRED);
	CHECK(probe_find("mta_sts")->level == PROBE_RECOMMENDED);
	CHECK(probe_find("nope") == NULL && probe_find(NULL) == NULL);
	unit_case("%s", "");
}

void test_verdict_precheck(void)
{
	static const struct {
		enum mx_kind mx;
		enum dns_status status;
		bool decided;
		enum verdict v;
		const char *reason;
	} cases[] = {
	    {MX_PENDING, DNS_OK, true, VERDICT_ERROR, "dns-error"},
	    {MX_LIST, DNS_OK, false, VERDICT_NONE, NULL},
	    {MX_NULL, DNS_OK, true, VERDICT_NA, "null-mx"},
	    {MX_NONE, DNS_OK, true, VERDICT_NA, "no-mx"},
	    {MX_ERROR, DNS_SERVFAIL, true, VERDICT_ERROR, "dns-error"},
	    {MX_ERROR, DNS_BADREPLY, true, VERDICT_ERROR, "dns-error"},
	    {MX_ERROR, DNS_FAILURE, true, VERDICT_ERROR, "dns-error"},
	    {MX_ERROR, DNS_TIMEOUT, true, VERDICT_ERROR, "dns-timeout"},
	    {MX_NXDOMAIN, DNS_NXDOMAIN, true, VERDICT_ERROR, "nxdomain"},
	};
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		struct vt_domain d;
		struct probe_verdict pv;
		const char *want[2] = {cases[i].reason, NULL};

		unit_case("mx_kind %d, status %s", (int)cases[i].mx,
			  dns_status_name(cases[i].status));
		memset(&d, 0, sizeof(d));
		d.mx = cases[i].mx;
		d.mx_status = cases[i].status;
		memset(&pv, 0, sizeof(pv));
		CHECK_INT(probe_mail_precheck(build_scan(&d), &pv), cases[i].decided);
		check_verdict(&pv, cases[i].v, want);
	}
	unit_case("%s", "");
}

/* ---- dnssec ---- */

static const struct vt_case dnssec_cases[] = {
    {"domain and MX hosts secure",
     {MXL, NAME_SECURE, .h = {H_SEC(MX1), H_SEC(MX2)}},
     VERDICT_PASS,
     {NULL}},
    {"domain secure, null MX (dnssec still applies)",
     {.mx = MX_NULL, .mx_sec = SEC_SECURE, NAME_SECURE},
     VERDICT_PASS,
     {NULL}},
    {"domain insecure",
     {MXL, .name_status = DNS_OK, .name_sec = SEC_INSECURE, .h = {H_SEC(MX1)}},
     VERDICT_FAIL,
     {"dnssec-insecure"}},
    {"domain insecure, no MX",
     {.mx = MX_NONE, .mx_sec = SEC_INSECURE, .name_status = DNS_OK, .name_sec = SEC_INSECURE},
     VERDICT_FAIL,
     {"dnssec-insecure"}},
    {"domain bogus",
     {MXL, .name_status = DNS_OK, .name_sec = SEC_BOGUS, .h = {H_SEC(MX1)}},
     VERDICT_FAIL,
     {"dnssec-bogus"}},
    {"domain bogus with a failing rcode",
     {MXL, .name_status = DNS_SERVFAIL, .name_sec = SEC_BOGUS, .h = {H_SEC(MX1)}},
     VERDICT_FAIL,
     {"dnssec-bogus"}},
    {"one MX host insecure",
     {MXL, NAME_SECURE, .h = {H_SEC(MX1), {.name = MX2, .sec = SEC_INSECURE}}},
     VERDICT_FAIL,
     {"dnssec-insecure"}},
    {"two MX hosts insecure (one reason)",
     {MXL, NAME_SECURE,
      .h = {{.name = MX1, .sec = SEC_INSECURE}, {.name = MX2, .sec = SEC_INSECURE}}},
     VERDICT_FAIL,
     {"dnssec-insecure"}},
    {"one MX host bogus",
     {MXL, NAME_SECURE, .h = {H_SEC(MX1), {.name = MX2, .sec = SEC_BOGUS}}},
     VERDICT_FAIL,
     {"dnssec-bogus"}},
    {"MX host bogus and its lookup failed",
     {MXL, NAME_SECURE, .h = {{.name = MX1, .sec = SEC_BOGUS, .dns_failed = true}}},
     VERDICT_FAIL,
     {"dnssec-bogus"}},
    {"SOA timeout",
     {MXL, .name_status = DNS_TIMEOUT, .name_sec = SEC_UNKNOWN, .h = {H_SEC(MX1)}},
     VERDICT_ERROR,
     {"dns-timeout"}},
    {"SOA reply that answers another question",
     {MXL, .name_status = DNS_BADREPLY, .name_sec = SEC_UNKNOWN, .h = {H_SEC(MX1)}},
     VERDICT_ERROR,
     {"dns-error"}},
    {"MX lookup timed out",
     {.mx = MX_ERROR, .mx_status = DNS_TIMEOUT, .name_status = DNS_TIMEOUT},
     VERDICT_ERROR,
     {"dns-timeout"}},
    {"SOA servfail",
     {MXL, .name_status = DNS_SERVFAIL, .name_sec = SEC_UNKNOWN, .h = {H_SEC(MX1)}},
     VERDICT_ERROR,
     {"dns-error"}},
    {"domain indeterminate",
     {MXL, .name_status = DNS_OK, .name_sec = SEC_INDETERMINATE, .h = {H_SEC(MX1)}},
     VERDICT_ERROR,
     {"dnssec-indeterminate"}},
    {"MX host indeterminate",
     {MXL, NAME_SECURE, .h = {H_SEC(MX1), {.name = MX2, .sec = SEC_INDETERMINATE}}},
     VERDICT_ERROR,
     {"dnssec-indeterminate"}},
    {"MX host lookup failed",
     {MXL, NAME_SECURE, .h = {{.name = MX1, .dns_failed = true}}},
     VERDICT_ERROR,
     {"dns-error"}},
    {"MX host lookup not finished",
     {MXL, NAME_SECURE, .h = {{.name = MX1, .sec = SEC_SECURE, .pending = true}}},
     VERDICT_ERROR,
     {"dns-error"}},
    {"NXDOMAIN (SOA)",
     {.mx = MX_NXDOMAIN, .name_status = DNS_NXDOMAIN},
     VERDICT_ERROR,
     {"nxdomain"}},
    {"NXDOMAIN (SOA only)",
     {MXL, .name_status = DNS_NXDOMAIN, .h = {H_SEC(MX1)}},
     VERDICT_ERROR,
     {"nxdomain"}},
    {"NXDOMAIN (MX only)", {.mx = MX_NXDOMAIN, NAME_SECURE}, VERDICT_ERROR, {"nxdomain"}},
    {"insecure beats error",
     {MXL, NAME_SECURE,
      .h = {{.name = MX1, .sec = SEC_INSECURE}, {.name = MX2, .dns_failed = true}}},
     VERDICT_FAIL,
     {"dnssec-insecure", "dns-error"}},
    {"error then insecure (order does not matter)",
     {MXL, .name_status = DNS_TIMEOUT, .h = {{.name = MX1, .sec = SEC_INSECURE}}},
     VERDICT_FAIL,
     {"dns-timeout", "dnssec-insecure"}},
    {"bogus beats indeterminate",
     {MXL, .name_status = DNS_OK, .name_sec = SEC_INDETERMINATE,
      .h = {{.name = MX1, .sec = SEC_BOGUS}}},
     VERDICT_FAIL,
     {"dnssec-indeterminate", "dnssec-bogus"}},
};

/*
 * Found by these tests and fixed in dnssec_evaluate(): a failed MX lookup
 * left the MX hosts untested yet gave "pass"; a bogus MX RRset gave "pass".
 */
static const struct vt_case dnssec_mx_rrset_cases[] = {
    {"MX lookup failed, SOA secure", {.mx = MX_ERROR, NAME_SECURE}, VERDICT_ERROR, {"dns-error"}},
    {"MX RRset bogus, SOA and hosts secure",
     {.mx = MX_LIST, .mx_sec = SEC_BOGUS, NAME_SECURE, .h = {H_SEC(MX1)}},
     VERDICT_FAIL,
     {"dnssec-bogus"}},
};

void test_verdict_dnssec(void)
{
	run_cases(&probe_dnssec, dnssec_cases, UNIT_COUNT(dnssec_cases));
	run_cases(&probe_dnssec, dnssec_mx_rrset_cases, UNIT_COUNT(dnssec_mx_rrset_cases));
}

/* ---- starttls ---- */

static const struct vt_case starttls_cases[] = {
    {"null MX", {.mx = MX_NULL}, VERDICT_NA, {"null-mx"}},
    {"no MX", {.mx = MX_NONE}, VERDICT_NA, {"no-mx"}},
    {"MX lookup failed", {.mx = MX_ERROR}, VERDICT_ERROR, {"dns-error"}},
    {"MX lookup not finished", {.mx = MX_PENDING}, VERDICT_ERROR, {"dns-error"}},
    {"NXDOMAIN", {.mx = MX_NXDOMAIN}, VERDICT_ERROR, {"nxdomain"}},
    {"all addresses OK",
     {MXL, .h = {{.name = MX1, .n = 2, .a = {A(ADDR_OK), A(ADDR_OK)}}, H_SEC(MX2)}},
     VERDICT_PASS,
     {NULL}},
    {"one OK, one timeout",
     {MXL, .h = {{.name = MX1, .n = 2, .a = {A(ADDR_OK), A(ADDR_TIMEOUT)}}}},
     VERDICT_PASS,
     {NULL}},
    {"OK beside untested addresses and a host without addresses",
     {MXL,
      .h = {{.name = MX1, .n = 3, .a = {A(ADDR_REFUSED), A(ADDR_UNREACHABLE_FAMILY), A(ADDR_OK)}},
	    {.name = MX2, .dns_failed = true}}},
     VERDICT_PASS,
     {NULL}},
    {"one NO_STARTTLS",
     {MXL, .h = {H_SEC(MX1), {.name = MX2, .n = 1, .a = {A(ADDR_NO_STARTTLS)}}}},
     VERDICT_FAIL,
     {"starttls-missing"}},
    {"two NO_STARTTLS (one reason)",
     {MXL, .h = {{.name = MX1, .n = 2, .a = {A(ADDR_NO_STARTTLS), A(ADDR_NO_STARTTLS)}}}},
     VERDICT_FAIL,
     {"starttls-missing"}},
    {"TLS_OLD",
     {MXL, .h = {{.name = MX1, .n = 2, .a = {A(ADDR_OK), A(ADDR_TLS_OLD)}}}},
     VERDICT_FAIL,
     {"tls-version-old"}},
    {"STARTTLS_REJECTED",
     {MXL, .h = {{.name = MX1, .n = 1, .a = {A(ADDR_STARTTLS_REJECTED)}}}},
     VERDICT_FAIL,
     {"starttls-rejected"}},
    {"HANDSHAKE_FAILED",
     {MXL, .h = {{.name = MX1, .n = 1, .a = {A(ADDR_HANDSHAKE_FAILED)}}}},
     VERDICT_FAIL,
     {"tls-handshake-failed"}},
    {"a failure beside a timeout",
     {MXL, .h = {{.name = MX1, .n = 2, .a = {A(ADDR_TIMEOUT), A(ADDR_HANDSHAKE_FAILED)}}}},
     VERDICT_FAIL,
     {"tls-handshake-failed"}},
    {"several failures",
     {MXL, .h = {{.name = MX1,
		  .n = 3,
		  .a = {A(ADDR_TLS_OLD), A(ADDR_NO_STARTTLS), A(ADDR_STARTTLS_REJECTED)}},
		 {.name = MX2, .n = 1, .a = {A(ADDR_HANDSHAKE_FAILED)}}}},
     VERDICT_FAIL,
     {"tls-version-old", "starttls-missing", "starttls-rejected", "tls-handshake-failed"}},
    {"all timeout / refused",
     {MXL, .h = {{.name = MX1, .n = 2, .a = {A(ADDR_TIMEOUT), A(ADDR_REFUSED)}},
		 {.name = MX2, .n = 1, .a = {A(ADDR_TIMEOUT)}}}},
     VERDICT_ERROR,
     {"mx-unreachable"}},
    {"no SMTP greeting / protocol / local errors only",
     {MXL, .h = {{.name = MX1,
		  .n = 3,
		  .a = {A(ADDR_BAD_GREETING), A(ADDR_PROTOCOL), A(ADDR_LOCAL_ERROR)}}}},
     VERDICT_ERROR,
     {"mx-unreachable"}},
    {"not probed yet",
     {MXL, .h = {{.name = MX1, .n = 1, .a = {A(ADDR_PENDING)}}}},
     VERDICT_ERROR,
     {"mx-unreachable"}},
    {"MX host without addresses",
     {MXL, .h = {{.name = MX1, .dns_failed = true}}},
     VERDICT_ERROR,
     {"mx-unreachable"}},
    {"null MX beside OK MX",
     {MXL, .null_mixed = true, .h = {H_SEC(MX1)}},
     VERDICT_WARN,
     {"null-mx-mixed"}},
    {"null MX beside failing MX",
     {MXL, .null_mixed = true, .h = {{.name = MX1, .n = 1, .a = {A(ADDR_NO_STARTTLS)}}}},
     VERDICT_FAIL,
     {"starttls-missing", "null-mx-mixed"}},
    {"null MX beside unreachable MX",
     {MXL, .null_mixed = true, .h = {{.name = MX1, .n = 1, .a = {A(ADDR_TIMEOUT)}}}},
     VERDICT_ERROR,
     {"mx-unreachable"}},
};

void test_verdict_starttls(void)
{
	run_cases(&probe_starttls, starttls_cases, UNIT_COUNT(starttls_cases));
}

/* ---- dane ---- */

static const struct vt_case dane_cases[] = {
    {"null MX", {.mx = MX_NULL}, VERDICT_NA, {"null-mx"}},
    {"no MX", {.mx = MX_NONE}, VERDICT_NA, {"no-mx"}},
    {"MX lookup failed", {.mx = MX_ERROR}, VERDICT_ERROR, {"dns-error"}},
    {"all addresses match",
     {MXL, .h = {{.name = MX1,
		  .sec = SEC_SECURE,
		  .tlsa = TLSA_PRESENT,
		  .usable = 2,
		  .n = 2,
		  .a = {AD(ADDR_OK, DANE_MATCH), AD(ADDR_OK, DANE_MATCH)}}}},
     VERDICT_PASS,
     {NULL}},
    {"two hosts match, one address timed out",
     {MXL, .h = {H_DANE(MX1),
		 {.name = MX2,
		  .sec = SEC_SECURE,
		  .tlsa = TLSA_PRESENT,
		  .usable = 1,
		  .n = 2,
		  .a = {AD(ADDR_OK, DANE_MATCH), A(ADDR_TIMEOUT)}}}},
     VERDICT_PASS,
     {NULL}},
    {"MX host insecure",
     {MXL, .h = {{.name = MX1, .sec = SEC_INSECURE, .n = 1, .a = {A(ADDR_OK)}}}},
     VERDICT_FAIL,
     {"dane-insecure"}},
    {"MX host bogus",
     {MXL, .h = {H_DANE(MX1), {.name = MX2, .sec = SEC_BOGUS}}},
     VERDICT_FAIL,
     {"dane-bogus"}},
    {"TLSA none",
     {MXL, .h = {{.name = MX1, .sec = SEC_SECURE, .tlsa = TLSA_NONE, .n = 1, .a = {A(ADDR_OK)}}}},
     VERDICT_FAIL,
     {"dane-missing"}},
    {"TLSA bogus",
     {MXL, .h = {{.name = MX1, .sec = SEC_SECURE, .tlsa = TLSA_BOGUS, .n = 1, .a = {A(ADDR_OK)}}}},
     VERDICT_FAIL,
     {"dane-bogus"}},
    {"TLSA present, none usable",
     {MXL, .h = {{.name = MX1,
		  .sec = SEC_SECURE,
		  .tlsa = TLSA_PRESENT,
		  .usable = 0,
		  .n = 1,
		  .a = {A(ADDR_OK)}}}},
     VERDICT_FAIL,
     {"dane-unusable"}},
    {"one address mismatches",
     {MXL, .h = {{.name = MX1,
		  .sec = SEC_SECURE,
		  .tlsa = TLSA_PRESENT,
		  .usable = 1,
		  .n = 2,
		  .a = {AD(ADDR_OK, DANE_MATCH), AD(ADDR_OK, DANE_MISMATCH)}}}},
     VERDICT_FAIL,
     {"dane-mismatch"}},
    {"TLSA but no STARTTLS",
     {MXL, .h = {{.name = MX1,
		  .sec = SEC_SECURE,
		  .tlsa = TLSA_PRESENT,
		  .usable = 1,
		  .n = 1,
		  .a = {AD(ADDR_NO_STARTTLS, DANE_NO_TLS)}}}},
     VERDICT_FAIL,
     {"dane-no-tls"}},
    {"TLSA but handshake failed",
     {MXL, .h = {{.name = MX1,
		  .sec = SEC_SECURE,
		  .tlsa = TLSA_PRESENT,
		  .usable = 1,
		  .n = 2,
		  .a = {AD(ADDR_OK, DANE_MATCH), AD(ADDR_HANDSHAKE_FAILED, DANE_NO_TLS)}}}},
     VERDICT_FAIL,
     {"dane-no-tls"}},
    {"no address answered",
     {MXL, .h = {{.name = MX1,
		  .sec = SEC_SECURE,
		  .tlsa = TLSA_PRESENT,
		  .usable = 1,
		  .n = 2,
		  .a = {A(ADDR_TIMEOUT), A(ADDR_REFUSED)}}}},
     VERDICT_ERROR,
     {"dane-unreachable"}},
    {"no address at all",
     {MXL, .h = {{.name = MX1, .sec = SEC_SECURE, .tlsa = TLSA_PRESENT, .usable = 1}}},
     VERDICT_ERROR,
     {"dane-unreachable"}},
    {"one host matches, the other has no TLSA",
     {MXL, .h = {H_DANE(MX1),
		 {.name = MX2, .sec = SEC_SECURE, .tlsa = TLSA_NONE, .n = 1, .a = {A(ADDR_OK)}}}},
     VERDICT_FAIL,
     {"dane-missing"}},
    {"insecure beats unreachable",
     {MXL, .h = {{.name = MX1, .sec = SEC_INSECURE},
		 {.name = MX2,
		  .sec = SEC_SECURE,
		  .tlsa = TLSA_PRESENT,
		  .usable = 1,
		  .n = 1,
		  .a = {A(ADDR_TIMEOUT)}}}},
     VERDICT_FAIL,
     {"dane-insecure", "dane-unreachable"}},
    {"MX RRset insecure",
     {.mx = MX_LIST, .mx_sec = SEC_INSECURE, .h = {H_DANE(MX1)}},
     VERDICT_FAIL,
     {"dane-insecure"}},
    {"MX RRset and host insecure (one reason)",
     {.mx = MX_LIST, .mx_sec = SEC_INSECURE, .h = {{.name = MX1, .sec = SEC_INSECURE}}},
     VERDICT_FAIL,
     {"dane-insecure"}},
    {"MX RRset bogus",
     {.mx = MX_LIST, .mx_sec = SEC_BOGUS, .h = {H_DANE(MX1)}},
     VERDICT_FAIL,
     {"dane-bogus"}},
    {"TLSA lookup failed",
     {MXL, .h = {{.name = MX1, .sec = SEC_SECURE, .tlsa = TLSA_ERROR, .n = 1, .a = {A(ADDR_OK)}}}},
     VERDICT_ERROR,
     {"dns-error"}},
    {"MX host lookup failed",
     {MXL, .h = {{.name = MX1, .dns_failed = true}}},
     VERDICT_ERROR,
     {"dns-error"}},
    {"MX host indeterminate",
     {MXL, .h = {{.name = MX1, .sec = SEC_INDETERMINATE}}},
     VERDICT_ERROR,
     {"dns-error"}},
};

void test_verdict_dane(void) { run_cases(&probe_dane, dane_cases, UNIT_COUNT(dane_cases)); }

/* ---- mta_sts ---- */

static const struct vt_case mtasts_cases[] = {
    {"null MX", {.mx = MX_NULL, STS(STS_MODE_ENFORCE, MX1)}, VERDICT_NA, {"null-mx"}},
    {"no MX", {.mx = MX_NONE, STS(STS_MODE_ENFORCE, MX1)}, VERDICT_NA, {"no-mx"}},
    {"MX lookup failed",
     {.mx = MX_ERROR, STS(STS_MODE_ENFORCE, MX1)},
     VERDICT_ERROR,
     {"dns-error"}},
    {"TXT NXDOMAIN",
     {MXL, .h = {H_PKIX(MX1)}, .sts = {.txt_status = DNS_NXDOMAIN}},
     VERDICT_FAIL,
     {"no-policy"}},
    {"TXT without STSv1 records",
     {MXL, .h = {H_PKIX(MX1)}, .sts = {.txt_status = DNS_OK}},
     VERDICT_FAIL,
     {"no-policy"}},
    {"TXT timeout",
     {MXL, .h = {H_PKIX(MX1)}, .sts = {.txt_status = DNS_TIMEOUT}},
     VERDICT_ERROR,
     {"dns-timeout"}},
    {"TXT servfail",
     {MXL, .h = {H_PKIX(MX1)}, .sts = {.txt_status = DNS_SERVFAIL}},
     VERDICT_ERROR,
     {"dns-error"}},
    {"two STSv1 records",
     {MXL, .h = {H_PKIX(MX1)}, .sts = {.txt_status = DNS_OK, .ntxt = 2}},
     VERDICT_FAIL,
     {"sts-txt-multiple"}},
    {"TXT invalid",
     {MXL, .h = {H_PKIX(MX1)},
      .sts = {.txt_status = DNS_OK, .ntxt = 1, .txt_error = "id is missing"}},
     VERDICT_FAIL,
     {"sts-txt-invalid"}},
    {"policy redirect",
     {MXL, .h = {H_PKIX(MX1)},
      .sts = {.txt_status = DNS_OK, .ntxt = 1, .fetched = true, .reason = R_POLICY_REDIRECT}},
     VERDICT_FAIL,
     {"policy-redirect"}},
    {"policy not fetched, named",
     {MXL, .h = {H_PKIX(MX1)},
      .sts = {.txt_status = DNS_OK, .ntxt = 1, .reason = R_POLICY_FETCH_FAILED}},
     VERDICT_FAIL,
     {"policy-fetch-failed"}},
    {"policy syntax",
     {MXL, .h = {H_PKIX(MX1)},
      .sts = {.txt_status = DNS_OK, .ntxt = 1, .fetched = true, .reason = R_POLICY_SYNTAX}},
     VERDICT_FAIL,
     {"policy-syntax"}},
    {"fetch never completed",
     {MXL, .h = {H_PKIX(MX1)}, .sts = {.txt_status = DNS_OK, .ntxt = 1}},
     VERDICT_ERROR,
     {"policy-fetch-failed"}},
    {"mode none",
     {MXL, .h = {H_PKIX(MX1)}, STS(STS_MODE_NONE, NULL)},
     VERDICT_FAIL,
     {"policy-mode-none"}},
    {"enforce, MX matches, certificate valid",
     {MXL, .h = {H_PKIX(MX1)}, STS(STS_MODE_ENFORCE, MX1)},
     VERDICT_PASS,
     {NULL}},
    {"enforce, two MX, two patterns",
     {MXL, .h = {H_PKIX(MX1), H_PKIX(MX2)}, STS(STS_MODE_ENFORCE, MX2, MX1)},
     VERDICT_PASS,
     {NULL}},
    {"enforce, wildcard pattern",
     {MXL, .h = {H_PKIX(MX1), H_PKIX(MX2)}, STS(STS_MODE_ENFORCE, "*.example.net")},
     VERDICT_PASS,
     {NULL}},
    {"enforce, wildcard covers one label only",
     {MXL, .h = {H_PKIX("a.mx.example.net")}, STS(STS_MODE_ENFORCE, "*.example.net")},
     VERDICT_FAIL,
     {"mx-not-in-policy"}},
    {"enforce, certificate not PKIX-valid",
     {MXL, .h = {{.name = MX1, .n = 1, .a = {AC(ADDR_OK, false, true)}}},
      STS(STS_MODE_ENFORCE, MX1)},
     VERDICT_FAIL,
     {"mx-cert-invalid"}},
    {"enforce, certificate for another name",
     {MXL, .h = {{.name = MX1, .n = 2, .a = {AC(ADDR_OK, true, true), AC(ADDR_OK, true, false)}}},
      STS(STS_MODE_ENFORCE, MX1)},
     VERDICT_FAIL,
     {"mx-cert-invalid"}},
    {"enforce, no STARTTLS",
     {MXL, .h = {{.name = MX1, .n = 1, .a = {A(ADDR_NO_STARTTLS)}}}, STS(STS_MODE_ENFORCE, MX1)},
     VERDICT_FAIL,
     {"mx-cert-invalid"}},
    {"enforce, one address unreachable, the other valid",
     {MXL, .h = {{.name = MX1, .n = 2, .a = {A(ADDR_TIMEOUT), AC(ADDR_OK, true, true)}}},
      STS(STS_MODE_ENFORCE, MX1)},
     VERDICT_PASS,
     {NULL}},
    {"enforce, no address answered",
     {MXL, .h = {{.name = MX1, .n = 2, .a = {A(ADDR_TIMEOUT), A(ADDR_REFUSED)}}},
      STS(STS_MODE_ENFORCE, MX1)},
     VERDICT_ERROR,
     {"mx-unreachable"}},
    {"enforce, MX not in policy",
     {MXL, .h = {H_PKIX(MX1), H_PKIX(MX2)}, STS(STS_MODE_ENFORCE, MX1)},
     VERDICT_FAIL,
     {"mx-not-in-policy"}},
    {"enforce, MX not in policy and certificate invalid",
     {MXL, .h = {{.name = MX2, .n = 1, .a = {AC(ADDR_OK, false, false)}}},
      STS(STS_MODE_ENFORCE, MX1)},
     VERDICT_FAIL,
     {"mx-not-in-policy", "mx-cert-invalid"}},
    {"testing",
     {MXL, .h = {H_PKIX(MX1)}, STS(STS_MODE_TESTING, MX1)},
     VERDICT_WARN,
     {"policy-mode-testing"}},
    {"testing, certificate invalid (only enforce checks it)",
     {MXL, .h = {{.name = MX1, .n = 1, .a = {AC(ADDR_OK, false, false)}}},
      STS(STS_MODE_TESTING, MX1)},
     VERDICT_WARN,
     {"policy-mode-testing"}},
    {"testing, MX not in policy",
     {MXL, .h = {H_PKIX(MX1)}, STS(STS_MODE_TESTING, "mx.example.org")},
     VERDICT_FAIL,
     {"mx-not-in-policy"}},
};

void test_verdict_mta_sts(void)
{
	run_cases(&probe_mta_sts, mtasts_cases, UNIT_COUNT(mtasts_cases));
}

/* ---- tlsrpt ---- */

static const struct vt_case tlsrpt_cases[] = {
    {"no TLSRPTv1 record",
     {MXL, .h = {H_SEC(MX1)}, .rpt = {.status = DNS_OK, .nrec = 0}},
     VERDICT_FAIL,
     {"no-record"}},
    {"NXDOMAIN",
     {MXL, .h = {H_SEC(MX1)}, .rpt = {.status = DNS_NXDOMAIN}},
     VERDICT_FAIL,
     {"no-record"}},
    {"two records",
     {MXL, .h = {H_SEC(MX1)}, .rpt = {.status = DNS_OK, .nrec = 2}},
     VERDICT_FAIL,
     {"tlsrpt-multiple"}},
    {"invalid record",
     {MXL, .h = {H_SEC(MX1)}, .rpt = {.status = DNS_OK, .nrec = 1, .reason = R_TLSRPT_INVALID}},
     VERDICT_FAIL,
     {"tlsrpt-invalid"}},
    {"valid record",
     {MXL, .h = {H_SEC(MX1)}, .rpt = {.status = DNS_OK, .nrec = 1}},
     VERDICT_PASS,
     {NULL}},
    {"timeout",
     {MXL, .h = {H_SEC(MX1)}, .rpt = {.status = DNS_TIMEOUT}},
     VERDICT_ERROR,
     {"dns-timeout"}},
    {"servfail",
     {MXL, .h = {H_SEC(MX1)}, .rpt = {.status = DNS_SERVFAIL}},
     VERDICT_ERROR,
     {"dns-error"}},
    {"no MX", {.mx = MX_NONE, .rpt = {.status = DNS_OK, .nrec = 1}}, VERDICT_NA, {"no-mx"}},
    {"null MX", {.mx = MX_NULL, .rpt = {.status = DNS_OK, .nrec = 1}}, VERDICT_NA, {"null-mx"}},
};

void test_verdict_tlsrpt(void) { run_cases(&probe_tlsrpt, tlsrpt_cases, UNIT_COUNT(tlsrpt_cases)); }

/* ---- ipv6 ---- */

/*
 * The ipv6 probe asks its own questions (the NS set, AAAA of each name
 * server, a SOA at each IPv6 address of one), so its cases also describe
 * what those answer; a fake probe_env answers them at once from the case.
 */
enum v6_soa { V6_ANSWERS = 0, V6_SILENT, V6_NOROUTE };

struct v6_case {
	const char *name;
	struct vt_domain d;
	size_t nns;      /* name servers ns1..nsN.example.net */
	size_t ns_aaaa;  /* the first ns_aaaa of them have an AAAA */
	bool ns_fail;    /* the NS lookup fails (SERVFAIL) */
	enum v6_soa soa; /* what every name server's IPv6 address does */
	enum verdict v;
	const char *reasons[VT_REASONS];
};

static const struct v6_case *v6_now;

static void v6_query_answer(struct domain_scan *ds, const char *name, uint16_t type,
			    probe_dns_cb cb)
{
	struct dns_rr rr[4];
	struct dns_answer a;
	size_t i;

	memset(&a, 0, sizeof(a));
	memset(rr, 0, sizeof(rr));
	a.qname = name;
	a.qtype = type;
	a.rr = rr;
	a.sec = SEC_INSECURE;
	if (type == DNS_T_NS && strcmp(name, "example.com") == 0) {
		a.status = v6_now->ns_fail ? DNS_SERVFAIL : DNS_OK;
		for (i = 0; !v6_now->ns_fail && i < v6_now->nns && i < 4; i++) {
			rr[i].type = DNS_T_NS;
			(void)snprintf(rr[i].name, sizeof(rr[i].name), "ns%zu.example.net", i + 1);
		}
		a.n = i;
	} else if (type == DNS_T_AAAA && sscanf(name, "ns%zu.", &i) == 1) {
		a.status = DNS_OK;
		if (i <= v6_now->ns_aaaa) {
			rr[0].type = DNS_T_AAAA;
			rr[0].family = AF_INET6;
			(void)snprintf(rr[0].addr, sizeof(rr[0].addr), "2001:db8:53::%zu", i);
			a.n = 1;
		}
	} else {
		a.status = DNS_NXDOMAIN;
	}
	cb(ds, &a);
}

static int v6_query(struct domain_scan *ds, const char *name, uint16_t type, probe_dns_cb cb)
{
	v6_query_answer(ds, name, type, cb);
	return 0;
}

static int v6_query_at(struct domain_scan *ds, const char *server, const char *name, uint16_t type,
		       probe_dns_cb cb)
{
	struct dns_answer a;

	memset(&a, 0, sizeof(a));
	a.qname = name;
	a.qtype = type;
	a.server = server;
	a.rcode = v6_now->soa == V6_ANSWERS ? 0 : -1;
	a.status = v6_now->soa == V6_ANSWERS  ? DNS_OK
		   : v6_now->soa == V6_SILENT ? DNS_TIMEOUT
					      : DNS_FAILURE;
	a.unreachable = v6_now->soa == V6_NOROUTE;
	cb(ds, &a);
	return 0;
}

#define A6(s)                                                                                      \
	{                                                                                          \
		.st = (s), .v6 = true                                                              \
	}
/* A host with an IPv4 and an IPv6 address, both answering. */
#define H_V6(nm)                                                                                   \
	{                                                                                          \
		.name = (nm), .n = 2, .a = { A(ADDR_OK), A6(ADDR_OK) }                             \
	}

static const struct v6_case ipv6_cases[] = {
    {"all IPv6", {MXL, .h = {H_V6(MX1), H_V6(MX2)}}, 2, 2, false, V6_ANSWERS, VERDICT_PASS, {NULL}},
    {"two of three name servers with AAAA",
     {MXL, .h = {H_V6(MX1)}},
     3,
     2,
     false,
     V6_ANSWERS,
     VERDICT_PASS,
     {NULL}},
    {"one name server with AAAA",
     {MXL, .h = {H_V6(MX1)}},
     2,
     1,
     false,
     V6_ANSWERS,
     VERDICT_FAIL,
     {"ipv6-ns-no-aaaa"}},
    {"no name server with AAAA",
     {MXL, .h = {H_V6(MX1)}},
     2,
     0,
     false,
     V6_ANSWERS,
     VERDICT_FAIL,
     {"ipv6-ns-no-aaaa"}},
    {"name servers do not answer over IPv6",
     {MXL, .h = {H_V6(MX1)}},
     2,
     2,
     false,
     V6_SILENT,
     VERDICT_FAIL,
     {"ipv6-ns-unreachable"}},
    {"an MX host without AAAA",
     {MXL, .h = {H_V6(MX1), {.name = MX2, .n = 1, .a = {A(ADDR_OK)}}}},
     2,
     2,
     false,
     V6_ANSWERS,
     VERDICT_FAIL,
     {"ipv6-mx-no-aaaa"}},
    {"an MX IPv6 address refuses",
     {MXL, .h = {{.name = MX1, .n = 3, .a = {A(ADDR_OK), A6(ADDR_OK), A6(ADDR_REFUSED)}}}},
     2,
     2,
     false,
     V6_ANSWERS,
     VERDICT_FAIL,
     {"ipv6-mx-unreachable"}},
    {"an MX IPv6 address times out",
     {MXL, .h = {{.name = MX1, .n = 2, .a = {A(ADDR_OK), A6(ADDR_TIMEOUT)}}}},
     2,
     2,
     false,
     V6_ANSWERS,
     VERDICT_FAIL,
     {"ipv6-mx-unreachable"}},
    {"SMTP without STARTTLS still answers",
     {MXL, .h = {{.name = MX1, .n = 1, .a = {A6(ADDR_NO_STARTTLS)}}}},
     2,
     2,
     false,
     V6_ANSWERS,
     VERDICT_PASS,
     {NULL}},
    {"no IPv6 here: every address without a route",
     {MXL, .h = {{.name = MX1, .n = 2, .a = {A(ADDR_OK), A6(ADDR_UNREACHABLE_FAMILY)}}}},
     2,
     2,
     false,
     V6_NOROUTE,
     VERDICT_ERROR,
     {"ipv6-no-connectivity"}},
    {"no IPv6 here, and a missing AAAA still fails",
     {MXL, .h = {{.name = MX1, .n = 2, .a = {A(ADDR_OK), A6(ADDR_UNREACHABLE_FAMILY)}}}},
     2,
     1,
     false,
     V6_NOROUTE,
     VERDICT_FAIL,
     {"ipv6-ns-no-aaaa", "ipv6-no-connectivity"}},
    {"no route to one MX address while others answer: a fail",
     {MXL, .h = {{.name = MX1, .n = 2, .a = {A6(ADDR_OK), A6(ADDR_UNREACHABLE_FAMILY)}}}},
     2,
     2,
     false,
     V6_NOROUTE,
     VERDICT_FAIL,
     {"ipv6-ns-unreachable", "ipv6-mx-unreachable"}},
    {"null MX: the name servers are judged",
     {.mx = MX_NULL, .name_status = DNS_OK},
     2,
     2,
     false,
     V6_ANSWERS,
     VERDICT_PASS,
     {NULL}},
    {"null MX, name servers without AAAA",
     {.mx = MX_NULL, .name_status = DNS_OK},
     2,
     0,
     false,
     V6_ANSWERS,
     VERDICT_FAIL,
     {"ipv6-ns-no-aaaa"}},
    {"no MX, name servers fine",
     {.mx = MX_NONE, .name_status = DNS_OK},
     2,
     2,
     false,
     V6_ANSWERS,
     VERDICT_PASS,
     {NULL}},
    {"NS lookup failed",
     {MXL, .h = {H_V6(MX1)}},
     2,
     2,
     true,
     V6_ANSWERS,
     VERDICT_ERROR,
     {"ipv6-dns-error"}},
    {"MX host addresses failed",
     {MXL, .h = {{.name = MX1, .dns_failed = true}}},
     2,
     2,
     false,
     V6_ANSWERS,
     VERDICT_ERROR,
     {"ipv6-dns-error"}},
    {"NXDOMAIN", {.mx = MX_NXDOMAIN}, 2, 2, false, V6_ANSWERS, VERDICT_ERROR, {"nxdomain"}},
};

void test_verdict_ipv6(void)
{
	size_t i;

	for (i = 0; i < UNIT_COUNT(ipv6_cases); i++) {
		struct domain_scan *ds;
		struct probe_env env;
		struct probe_verdict pv;

		unit_case("ipv6: %s", ipv6_cases[i].name);
		v6_now = &ipv6_cases[i];
		ds = (struct domain_scan *)build_scan(&ipv6_cases[i].d);
		memset(&env, 0, sizeof(env));
		env.query = v6_query;
		env.query_at = v6_query_at;
		ds->env = &env;
		probe_ipv6.start(ds, &env);
		memset(&pv, 0, sizeof(pv));
		probe_ipv6.evaluate(ds, &pv);
		check_verdict(&pv, ipv6_cases[i].v, ipv6_cases[i].reasons);
		CHECK(probe_ipv6.detail != NULL);
		probe_ipv6.cleanup(ds);
		ds->env = NULL;
	}
	unit_case("%s", "");
}
