/*
 * test_spf.c - unit tests for probes/spf_record.c (RFC 7208): record
 * selection, the grammar, and the evaluator driven by a fake DNS (a table
 * of name/type -> answer per case; anything not in the table is NXDOMAIN).
 */
#include <stdio.h>
#include <string.h>

#include "../../base/buf.h"
#include "../../base/json.h"
#include "../../probes/spf.h"
#include "unit.h"

/* ---- grammar --------------------------------------------------------------- */

struct spf_syntax_case {
	const char *txt;
	int rc;
	const char *why; /* substring of the reason on failure */
};

static const struct spf_syntax_case spf_syntax_cases[] = {
    /* valid */
    {"v=spf1", 0, NULL},
    {"v=spf1 ", 0, NULL},
    {"V=SPF1 -ALL", 0, NULL},
    {"v=spf1 -all", 0, NULL},
    {"v=spf1  +all  ", 0, NULL},
    {"v=spf1 ~all", 0, NULL},
    {"v=spf1 ?all", 0, NULL},
    {"v=spf1 include:_spf.example.com -all", 0, NULL},
    {"v=spf1 include:spf.example.com. -all", 0, NULL},
    {"v=spf1 a -all", 0, NULL},
    {"v=spf1 a:mail.example.com -all", 0, NULL},
    {"v=spf1 a/24 -all", 0, NULL},
    {"v=spf1 a:example.com/24//64 -all", 0, NULL},
    {"v=spf1 a//64 -all", 0, NULL},
    {"v=spf1 a/0 a/32 a//0 a//128 -all", 0, NULL},
    {"v=spf1 mx mx:example.com mx/30 mx:example.com//48 -all", 0, NULL},
    {"v=spf1 ptr ptr:example.com -all", 0, NULL},
    {"v=spf1 ip4:192.0.2.1 ip4:192.0.2.0/24 ip4:0.0.0.0/0 -all", 0, NULL},
    {"v=spf1 ip4:255.255.255.255/32 -all", 0, NULL},
    {"v=spf1 ip6:2001:db8::/32 ip6:::1 ip6:2001:db8::1/128 -all", 0, NULL},
    {"v=spf1 ip6:::ffff:192.0.2.1 -all", 0, NULL},
    {"v=spf1 exists:%{i}.%{l1r+-}.%{d}.rbl.example -all", 0, NULL},
    {"v=spf1 exists:%{ir}.%{v}._spf.%{d2} -all", 0, NULL},
    {"v=spf1 include:%{s}.%{o}.%{h}.%{p}.example.com -all", 0, NULL},
    {"v=spf1 include:%{L}.%{D}.example.com -all", 0, NULL},
    {"v=spf1 exists:%{i}.%{d} -all", 0, NULL},
    {"v=spf1 exists:%{d}%%.example.com -all", 0, NULL},
    {"v=spf1 exists:%{l}%-x.example.com -all", 0, NULL},
    {"v=spf1 exists:%{d.-+,/_=} -all", 0, NULL},
    {"v=spf1 redirect=_spf.example.com", 0, NULL},
    {"v=spf1 REDIRECT=_spf.example.com", 0, NULL},
    {"v=spf1 -all exp=explain.example.com", 0, NULL},
    {"v=spf1 -all exp=%{d}.explain.example.com", 0, NULL},
    {"v=spf1 -all foo=bar ext.x-y_z=%{c}%{r}%{t}", 0, NULL},
    {"v=spf1 -all foo=", 0, NULL},
    {"v=spf1 include:a.example.com include:a.example.com -all", 0, NULL},
    {"v=spf1 a:mail.example.123-4 -all", 0, NULL},
    /* invalid: mechanisms */
    {"v=spf1 -al", -1, "unknown mechanism"},
    {"v=spf1 all:foo", -1, "no argument"},
    {"v=spf1 all/24", -1, "no argument"},
    {"v=spf1 foo -all", -1, "unknown mechanism"},
    {"v=spf1 mx2 -all", -1, "unknown mechanism"},
    {"v=spf1 - -all", -1, "qualifier without"},
    {"v=spf1 !all", -1, "unknown mechanism"},
    {"v=spf1 include -all", -1, "needs ':'"},
    {"v=spf1 include: -all", -1, "empty domain-spec"},
    {"v=spf1 include:example -all", -1, "top label"},
    {"v=spf1 include:example.123 -all", -1, "invalid top label"},
    {"v=spf1 include:example.-com -all", -1, "invalid top label"},
    {"v=spf1 include:a..example.com -all", -1, "not a valid domain name"},
    {"v=spf1 include:.example.com -all", -1, "not a valid domain name"},
    {"v=spf1 include:exa!mple.com -all", -1, "not a valid domain name"},
    {"v=spf1 include:example.com/24 -all", -1, "top label"},
    {"v=spf1 exists -all", -1, "needs ':'"},
    {"v=spf1 exists:example.com/24 -all", -1, "top label"},
    {"v=spf1 ptr/24 -all", -1, "ptr takes"},
    {"v=spf1 a:example -all", -1, "top label"},
    {"v=spf1 a:/24 -all", -1, "empty domain-spec"},
    {"v=spf1 a/33 -all", -1, "bad ip4 CIDR"},
    {"v=spf1 a/024 -all", -1, "bad ip4 CIDR"},
    {"v=spf1 a/ -all", -1, "CIDR"},
    {"v=spf1 a//129 -all", -1, "bad ip6 CIDR"},
    {"v=spf1 a//064 -all", -1, "bad ip6 CIDR"},
    {"v=spf1 mx/24/ -all", -1, "CIDR"},
    {"v=spf1 mx:example.com:25 -all", -1, "top label"},
    {"v=spf1 ax -all", -1, "unknown mechanism"},
    {"v=spf1 ip4 -all", -1, "ip4 needs"},
    {"v=spf1 ip4: -all", -1, "ip4 needs"},
    {"v=spf1 ip4:192.0.2 -all", -1, "bad ip4 network"},
    {"v=spf1 ip4:192.0.2.256 -all", -1, "bad ip4 network"},
    {"v=spf1 ip4:192.0.2.01 -all", -1, "bad ip4 network"},
    {"v=spf1 ip4:192.0.2.1.5 -all", -1, "bad ip4 network"},
    {"v=spf1 ip4:2001:db8::1 -all", -1, "bad ip4 network"},
    {"v=spf1 ip4:192.0.2.0/33 -all", -1, "bad ip4 CIDR"},
    {"v=spf1 ip4:192.0.2.0/ -all", -1, "bad ip4 CIDR"},
    {"v=spf1 ip4:192.0.2.0/08 -all", -1, "bad ip4 CIDR"},
    {"v=spf1 ip4:192.0.2.0//24 -all", -1, "bad ip4 CIDR"},
    {"v=spf1 ip6:192.0.2.1 -all", -1, "bad ip6 network"},
    {"v=spf1 ip6:2001:db8:::1 -all", -1, "bad ip6 network"},
    {"v=spf1 ip6:2001:db8::/129 -all", -1, "bad ip6 CIDR"},
    {"v=spf1 ip6:fe80::1%eth0 -all", -1, "bad ip6 network"},
    /* invalid: macros */
    {"v=spf1 exists:%{x}.example.com -all", -1, "unknown macro letter"},
    {"v=spf1 exists:%{i.example.com -all", -1, "malformed macro"},
    {"v=spf1 exists:%{} -all", -1, "unknown macro letter"},
    {"v=spf1 exists:%{i0}.example.com -all", -1, "nonzero"},
    {"v=spf1 exists:%{i1234}.example.com -all", -1, "too long"},
    {"v=spf1 exists:%{ir!}.example.com -all", -1, "malformed macro"},
    {"v=spf1 exists:%x.example.com -all", -1, "must be followed"},
    {"v=spf1 exists:example.com% -all", -1, "at the end"},
    {"v=spf1 exists:%{c}.example.com -all", -1, "only allowed in explanation"},
    {"v=spf1 include:%{r}.example.com -all", -1, "only allowed in explanation"},
    {"v=spf1 -all exp=%{t}.example.com", -1, "only allowed in explanation"},
    {"v=spf1 -all foo=%x", -1, "must be followed"},
    {"v=spf1 exists:%{d}com -all", -1, "top label"},
    /* invalid: modifiers */
    {"v=spf1 redirect=a.example.com redirect=b.example.com", -1, "redirect appears more"},
    {"v=spf1 -all exp=a.example.com exp=b.example.com", -1, "exp appears more"},
    {"v=spf1 redirect=", -1, "empty domain-spec"},
    {"v=spf1 redirect=example", -1, "top label"},
    {"v=spf1 -redirect=a.example.com", -1, "no qualifier"},
    {"v=spf1 -all 1foo=bar", -1, "unknown mechanism"},
    {"v=spf1 -all foo=b\x01r", -1, "not allowed"},
    {"v=spf1\t-all", -1, "v=spf1"},
    {"v=spf1 -all\t", -1, "not allowed"},
    {"v=spf1 -all caf\xc3\xa9", -1, "not allowed"},
    /* not SPF at all */
    {"v=spf10 -all", -1, "v=spf1"},
    {"v=spf2.0/pra -all", -1, "v=spf1"},
    {" v=spf1 -all", -1, "v=spf1"},
    {"", -1, "v=spf1"},
};

void test_spf_syntax(void)
{
	size_t i;

	for (i = 0; i < UNIT_COUNT(spf_syntax_cases); i++) {
		const struct spf_syntax_case *c = &spf_syntax_cases[i];
		struct spf_record r;
		char why[SPF_WHY_MAX];
		int rc;

		unit_case("%zu: %s", i, c->txt);
		why[0] = '\0';
		rc = spf_record_parse(c->txt, &r, why, sizeof(why));
		CHECK_INT(rc, c->rc);
		if (rc < 0) {
			CHECK(why[0] != '\0');
			CHECK(r.text == NULL && r.terms == NULL);
		}
		if (c->why)
			CHECK_STR(strstr(why, c->why) ? c->why : why, c->why);
		spf_record_free(&r);
	}
	unit_case("NULL");
	CHECK_INT(spf_record_parse(NULL, NULL, NULL, 0), -1);
}

void test_spf_syntax_terms(void)
{
	struct spf_record r;
	char why[SPF_WHY_MAX];
	const char *txt = "v=spf1 a:example.com/24//64 ~ip6:2001:db8::/32 -include:x.example "
			  "?mx//48 redirect=r.example exp=e.example foo=bar";

	unit_case("term fields");
	CHECK_INT(spf_record_parse(txt, &r, why, sizeof(why)), 0);
	CHECK_INT(r.nterms, 7);
	CHECK_INT(r.nmech, 4);
	CHECK_INT(r.all, -1);
	CHECK_INT(r.redirect, 4);
	CHECK_INT(r.exp, 5);
	if (r.nterms == 7) {
		CHECK_INT(r.terms[0].kind, SPF_T_A);
		CHECK_INT(r.terms[0].qual, '+');
		CHECK_INT(r.terms[0].cidr4, 24);
		CHECK_INT(r.terms[0].cidr6, 64);
		CHECK(strncmp(r.text + r.terms[0].aoff, "example.com", r.terms[0].alen) == 0);
		CHECK_INT(r.terms[0].alen, 11);
		CHECK_INT(r.terms[1].kind, SPF_T_IP6);
		CHECK_INT(r.terms[1].qual, '~');
		CHECK_INT(r.terms[1].cidr6, 32);
		CHECK_INT(r.terms[2].kind, SPF_T_INCLUDE);
		CHECK_INT(r.terms[2].qual, '-');
		CHECK_INT(r.terms[3].kind, SPF_T_MX);
		CHECK_INT(r.terms[3].cidr4, -1);
		CHECK_INT(r.terms[3].cidr6, 48);
		CHECK_INT(r.terms[3].alen, 0);
		CHECK_INT(r.terms[6].kind, SPF_T_UNKNOWN_MOD);
	}
	spf_record_free(&r);

	unit_case("error names the term and offset");
	CHECK_INT(spf_record_parse("v=spf1 -all ip4:1.2.3", &r, why, sizeof(why)), -1);
	CHECK_STR(why, "term 2 \"ip4:1.2.3\" at offset 12: bad ip4 network");

	unit_case("error message is bounded");
	{
		char big[600];

		memset(big, 'x', sizeof(big));
		memcpy(big, "v=spf1 include:", 15);
		big[sizeof(big) - 1] = '\0';
		CHECK_INT(spf_record_parse(big, &r, why, 40), -1);
		CHECK(strlen(why) < 40);
		CHECK_INT(spf_record_parse(big, &r, why, sizeof(why)), -1);
		CHECK(strstr(why, "...") != NULL);
	}
}

void test_spf_select(void)
{
	static const struct {
		const char *txt[4];
		size_t n, want, first;
	} cases[] = {
	    {{"google-site-verification=x", "v=spf1 -all"}, 2, 1, 1},
	    {{"v=spf1 -all", "v=spf1 ~all"}, 2, 2, 0},
	    {{"v=spf10 -all", "spf1 -all"}, 2, 0, 0},
	    {{"V=SpF1 -all"}, 1, 1, 0},
	    {{"v=spf1"}, 1, 1, 0},
	    {{"v=spf1\t-all"}, 1, 0, 0},
	    {{"v=spf1-all"}, 1, 0, 0},
	    {{"x", "v=DMARC1; p=none", "v=spf1 a -all", "v=spf1 mx -all"}, 4, 2, 2},
	    {{NULL}, 0, 0, 0},
	};
	static const struct {
		const char *txt;
		bool want;
	} is[] = {
	    {"v=spf1", true},   {"v=spf1 ", true},  {"v=SPF1 -all", true}, {"v=spf10", false},
	    {"v=spf1x", false}, {"v=spf", false},   {" v=spf1", false},    {"", false},
	    {"v=spf2", false},  {"v=spf1;", false},
	};
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		size_t first = 99, n;

		unit_case("select %zu", i);
		n = spf_select(cases[i].txt, cases[i].n, &first);
		CHECK_INT(n, cases[i].want);
		if (n)
			CHECK_INT(first, cases[i].first);
	}
	for (i = 0; i < UNIT_COUNT(is); i++) {
		unit_case("is_spf %s", is[i].txt);
		CHECK_INT(spf_txt_is_spf(is[i].txt), is[i].want);
	}
	unit_case("NULL");
	CHECK(!spf_txt_is_spf(NULL));
	CHECK_INT(spf_select(NULL, 3, NULL), 0);
}

/* ---- the evaluator with a fake DNS ------------------------------------------ */

#include "spf_cases.h"

/* The fake DNS: the row for name/type, or NULL (NXDOMAIN). */
static const struct fake_rr *fake_find(const struct spf_eval_case *c, const char *name,
				       enum spf_dns_type type)
{
	size_t i;

	for (i = 0; i < FAKE_ROWS && c->dns[i].name; i++)
		if (c->dns[i].type == type && strcmp(c->dns[i].name, name) == 0)
			return &c->dns[i];
	return NULL;
}

/* Run ev against the case's DNS: all outstanding questions answered per
 * round, in order. Returns the number of questions, -1 if it never ends. */
static int fake_run(struct spf_eval *ev, const struct spf_eval_case *c)
{
	int asked = 0, round;

	for (round = 0; round < 200 && !spf_eval_done(ev); round++) {
		struct spf_query batch[SPF_QUERIES_MAX];
		const struct spf_query *q;
		size_t nb = 0, i;

		while ((q = spf_eval_next_query(ev)) && nb < SPF_QUERIES_MAX)
			batch[nb++] = *q;
		if (nb == 0)
			return -1;
		for (i = 0; i < nb; i++) {
			const struct fake_rr *rr = fake_find(c, batch[i].name, batch[i].type);
			size_t n = 0;

			asked++;
			if (!rr) {
				CHECK_INT(spf_eval_answer(ev, batch[i].name, batch[i].type,
							  SPF_DNS_NXDOMAIN, NULL, 0),
					  0);
				continue;
			}
			while (n < FAKE_VALUES && rr->v[n])
				n++;
			CHECK_INT(
			    spf_eval_answer(ev, batch[i].name, batch[i].type, rr->st, rr->v, n), 0);
		}
	}
	return spf_eval_done(ev) ? asked : -1;
}

void test_spf_eval(void)
{
	size_t i;

	for (i = 0; i < UNIT_COUNT(spf_eval_cases); i++) {
		const struct spf_eval_case *c = &spf_eval_cases[i];
		struct spf_eval *ev = spf_eval_new(c->domain);
		const struct spf_result *r;

		unit_case("%zu: %s", i, c->label);
		if (!CHECK(ev != NULL))
			continue;
		CHECK(spf_eval_result(ev) == NULL);
		CHECK(fake_run(ev, c) > 0);
		r = spf_eval_result(ev);
		if (CHECK(r != NULL)) {
			CHECK_STR(spf_status_name(r->status), spf_status_name(c->status));
			CHECK_STR(spf_reason_code(r->code), spf_reason_code(c->code));
			CHECK_INT(r->policy_ok, c->policy_ok);
			CHECK_INT(r->all, c->all);
			CHECK_INT(r->lookups, c->lookups);
			CHECK_INT(r->voids, c->voids);
			CHECK_INT(r->nnodes, c->nnodes);
			CHECK_INT(r->code == SPF_R_OK, r->why[0] == '\0');
			if (!c->where_domain) {
				CHECK_INT(r->where.node, -1);
			} else if (CHECK(r->where.node >= 0)) {
				const struct spf_node *nd = &r->node[r->where.node];

				CHECK_STR(nd->domain, c->where_domain);
				if (!c->where_term) {
					CHECK_INT(r->where.term, -1);
				} else if (CHECK(r->where.term >= 0 && nd->parsed)) {
					const struct spf_term *t = &nd->rec.terms[r->where.term];
					char term[128];

					(void)snprintf(term, sizeof(term), "%.*s", (int)t->len,
						       nd->rec.text + t->off);
					CHECK_STR(term, c->where_term);
				}
			}
		}
		spf_eval_free(ev);
	}
}

void test_spf_eval_where(void)
{
	/* the 11th lookup: where.ordinal and the tree's per-node counts */
	const struct spf_eval_case *c = NULL;
	const struct spf_result *r;
	struct spf_eval *ev;
	size_t i;

	for (i = 0; i < UNIT_COUNT(spf_eval_cases); i++)
		if (strcmp(spf_eval_cases[i].label, "11 lookups through nested includes") == 0)
			c = &spf_eval_cases[i];
	if (!CHECK(c != NULL))
		return;
	ev = spf_eval_new(c->domain);
	if (!CHECK(ev != NULL))
		return;
	CHECK(fake_run(ev, c) > 0);
	r = spf_eval_result(ev);
	if (CHECK(r != NULL)) {
		CHECK_INT(r->where.ordinal, 11);
		CHECK_STR(r->node[10].domain, "l10.example.net");
		CHECK_INT(r->node[10].depth, 10);
		CHECK_INT(r->node[10].parent, 9);
		CHECK_INT(r->node[10].lookups, 1);
		CHECK_INT(r->node[10].problem, SPF_R_TOO_MANY_LOOKUPS);
		CHECK_INT(r->node[0].lookups, 1);
	}
	spf_eval_free(ev);
}

/* A hostile zone: every name has a record that includes 10 more names. */
void test_spf_eval_fanout(void)
{
	struct spf_eval *ev = spf_eval_new("hostile.example");
	const struct spf_result *r;
	int asked = 0, round;

	if (!CHECK(ev != NULL))
		return;
	for (round = 0; round < 500 && !spf_eval_done(ev); round++) {
		const struct spf_query *q = spf_eval_next_query(ev);
		char name[DNS_NAME_MAX + 1], rec[1024];
		const char *v[1] = {rec};
		size_t len;
		int k;

		if (!q)
			break;
		asked++;
		(void)snprintf(name, sizeof(name), "%s", q->name);
		if (q->type != SPF_DNS_TXT) {
			CHECK_INT(spf_eval_answer(ev, name, q->type, SPF_DNS_NXDOMAIN, NULL, 0), 0);
			continue;
		}
		len = (size_t)snprintf(rec, sizeof(rec), "v=spf1");
		for (k = 0; k < 10 && strlen(name) < 200; k++)
			len += (size_t)snprintf(rec + len, sizeof(rec) - len, " include:x%d.%s", k,
						name);
		(void)snprintf(rec + len, sizeof(rec) - len, " -all");
		CHECK_INT(spf_eval_answer(ev, name, SPF_DNS_TXT, SPF_DNS_OK, v, 1), 0);
	}
	CHECK(spf_eval_done(ev));
	CHECK(asked <= SPF_LOOKUP_LIMIT + 1);
	r = spf_eval_result(ev);
	if (CHECK(r != NULL)) {
		CHECK_INT(r->status, SPF_ST_PERMERROR);
		CHECK_INT(r->code, SPF_R_TOO_MANY_LOOKUPS);
		CHECK_INT(r->lookups, SPF_LOOKUP_LIMIT + 1);
		CHECK(r->nnodes <= SPF_LOOKUP_LIMIT + 1);
	}
	spf_eval_free(ev);
}

void test_spf_eval_api(void)
{
	struct spf_eval *ev;
	const struct spf_query *q;
	const struct spf_result *r;
	const char *v[] = {"v=spf1 a:dup.example.net a:dup.example.net mx -all"};
	const char *none[] = {"x"};

	unit_case("invalid domain is done at once");
	ev = spf_eval_new("not a domain");
	if (CHECK(ev != NULL)) {
		CHECK(spf_eval_done(ev));
		CHECK(spf_eval_next_query(ev) == NULL);
		r = spf_eval_result(ev);
		if (CHECK(r != NULL))
			CHECK_INT(r->code, SPF_R_NONE);
	}
	spf_eval_free(ev);
	spf_eval_free(NULL);
	CHECK(spf_eval_next_query(NULL) == NULL);
	CHECK(!spf_eval_done(NULL));

	unit_case("questions: one TXT first, duplicates handed out once");
	ev = spf_eval_new("Example.NL.");
	if (!CHECK(ev != NULL))
		return;
	q = spf_eval_next_query(ev);
	if (CHECK(q != NULL)) {
		CHECK_STR(q->name, "example.nl");
		CHECK_INT(q->type, SPF_DNS_TXT);
	}
	CHECK(spf_eval_next_query(ev) == NULL);
	CHECK_INT(spf_eval_answer(ev, "other.nl", SPF_DNS_TXT, SPF_DNS_OK, none, 1), -1);
	CHECK_INT(spf_eval_answer(ev, "example.nl", SPF_DNS_A, SPF_DNS_OK, none, 1), -1);
	CHECK(!spf_eval_done(ev));
	CHECK_INT(spf_eval_answer(ev, "EXAMPLE.nl.", SPF_DNS_TXT, SPF_DNS_OK, v, 1), 0);
	CHECK(!spf_eval_done(ev));
	q = spf_eval_next_query(ev);
	if (CHECK(q != NULL)) {
		CHECK_STR(q->name, "dup.example.net");
		CHECK_INT(q->type, SPF_DNS_A);
	}
	q = spf_eval_next_query(ev);
	if (CHECK(q != NULL)) {
		CHECK_STR(q->name, "example.nl");
		CHECK_INT(q->type, SPF_DNS_MX);
	}
	CHECK(spf_eval_next_query(ev) == NULL);
	CHECK_INT(spf_eval_answer(ev, "example.nl", SPF_DNS_MX, SPF_DNS_OK, none, 1), 0);
	CHECK(!spf_eval_done(ev));
	/* one answer serves both a:dup terms: two voids */
	CHECK_INT(spf_eval_answer(ev, "dup.example.net", SPF_DNS_A, SPF_DNS_NXDOMAIN, NULL, 0), 0);
	CHECK(spf_eval_done(ev));
	r = spf_eval_result(ev);
	if (CHECK(r != NULL)) {
		CHECK_INT(r->status, SPF_ST_OK);
		CHECK_INT(r->voids, 2);
		CHECK_INT(r->lookups, 3);
		CHECK(r->policy_ok);
	}
	CHECK_INT(spf_eval_answer(ev, "example.nl", SPF_DNS_TXT, SPF_DNS_OK, v, 1), -1);
	spf_eval_free(ev);
}

static bool spf_deny_all_of(const char *rec)
{
	struct spf_eval *ev = spf_eval_new("example.nl");
	const char *v[1] = {rec};
	bool yes;

	if (!ev)
		return false;
	(void)spf_eval_next_query(ev);
	(void)spf_eval_answer(ev, "example.nl", SPF_DNS_TXT, SPF_DNS_OK, v, 1);
	yes = spf_is_deny_all(spf_eval_result(ev));
	spf_eval_free(ev);
	return yes;
}

void test_spf_deny_all(void)
{
	static const struct {
		const char *rec;
		bool want;
	} cases[] = {
	    {"v=spf1 -all", true},
	    {"v=spf1  -all ", true},
	    {"V=SPF1 -ALL", true},
	    {"v=spf1 -all exp=why.example.nl", true},
	    {"v=spf1 ~all", false},
	    {"v=spf1 all", false},
	    {"v=spf1 ip4:192.0.2.1 -all", false},
	    {"v=spf1 -all -all", false},
	    {"v=spf1 -all redirect=x.example.nl", false},
	    {"v=spf1 -all foo=bar", false},
	    {"v=spf1", false},
	    {"v=spf1 -all ip4:1", false},
	};
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		unit_case("%zu: %s", i, cases[i].rec);
		CHECK_INT(spf_deny_all_of(cases[i].rec), cases[i].want);
	}
	CHECK(!spf_is_deny_all(NULL));
}

void test_spf_json(void)
{
	static const struct spf_eval_case c = {
	    "json",
	    "example.nl",
	    {TXT("example.nl", "v=spf1 include:a.example.net redirect=r.example.net"),
	     TXT("a.example.net", "v=spf1 ip4:192.0.2.1 \"q\" -all"),
	     TXT("r.example.net", "v=spf1 ~all")},
	    SPF_ST_OK,
	    SPF_R_OK,
	    true,
	    '~',
	    2,
	    0,
	    NULL,
	    NULL,
	    3,
	};
	struct spf_eval *ev = spf_eval_new(c.domain);
	struct buf b;
	struct json j;
	size_t k;

	if (!CHECK(ev != NULL))
		return;
	buf_init(&b, 1 << 16);
	json_init(&j, &b);
	CHECK(fake_run(ev, &c) > 0);
	CHECK_INT(spf_result_json(spf_eval_result(ev), &j), 0);
	/* the include's record has a syntax error ("q" is no term) */
	CHECK(strstr(buf_str(&b), "\"status\":\"permerror\"") != NULL);
	CHECK(strstr(buf_str(&b), "\"code\":\"spf-syntax\"") != NULL);
	CHECK(strstr(buf_str(&b), "\"record\":\"v=spf1 ip4:192.0.2.1 \\\"q\\\" -all\"") != NULL);
	CHECK(strstr(buf_str(&b), "\"term\":\"include:a.example.net\"") != NULL);
	spf_eval_free(ev);

	buf_reset(&b);
	json_init(&j, &b);
	{
		static const struct spf_eval_case ok = {
		    "json ok",
		    "example.nl",
		    {TXT("example.nl", "v=spf1 include:a.example.net redirect=r.example.net"),
		     TXT("a.example.net", "v=spf1 ip4:192.0.2.1 -all"),
		     TXT("r.example.net", "v=spf1 ~all")},
		    SPF_ST_OK,
		    SPF_R_OK,
		    true,
		    '~',
		    2,
		    0,
		    NULL,
		    NULL,
		    3,
		};
		static const char *const want =
		    "{\"status\":\"ok\",\"code\":null,\"why\":null,\"policy\":\"pass\","
		    "\"all\":\"~all\",\"all_domain\":\"r.example.net\",\"lookups\":2,"
		    "\"lookup_limit\":10,\"voids\":0,\"void_limit\":2,\"deny_all\":false,"
		    "\"where\":null,\"tree\":{\"domain\":\"example.nl\",\"via\":\"root\","
		    "\"term\":null,\"record\":\"v=spf1 include:a.example.net "
		    "redirect=r.example.net\",\"record_cut\":false,\"lookups\":2,\"voids\":0,"
		    "\"unresolved\":0,\"all\":null,\"problem\":null,\"children\":["
		    "{\"domain\":\"a.example.net\",\"via\":\"include\",\"term\":\"include:a."
		    "example.net\",\"record\":\"v=spf1 ip4:192.0.2.1 -all\",\"record_cut\":false,"
		    "\"lookups\":0,\"voids\":0,\"unresolved\":0,\"all\":\"-all\",\"problem\":null,"
		    "\"children\":[]},{\"domain\":\"r.example.net\",\"via\":\"redirect\","
		    "\"term\":\"redirect=r.example.net\",\"record\":\"v=spf1 ~all\","
		    "\"record_cut\":false,\"lookups\":0,\"voids\":0,\"unresolved\":0,\"all\":"
		    "\"~all\",\"problem\":null,\"children\":[]}]}}";

		ev = spf_eval_new(ok.domain);
		if (CHECK(ev != NULL)) {
			CHECK(fake_run(ev, &ok) > 0);
			CHECK_INT(spf_result_json(spf_eval_result(ev), &j), 0);
			CHECK_STR(buf_str(&b), want);
		}
		spf_eval_free(ev);
	}
	buf_free(&b);

	unit_case("reason table");
	CHECK(spf_reason_code(SPF_R_OK) == NULL);
	CHECK(spf_reason_code(SPF_R_COUNT) == NULL);
	CHECK_STR(spf_reason_meaning(SPF_R_COUNT), "");
	for (k = 1; k < SPF_R_COUNT; k++) {
		const char *code = spf_reason_code((enum spf_reason)k);

		CHECK(code != NULL && strncmp(code, "spf-", 4) == 0);
		CHECK(spf_reason_meaning((enum spf_reason)k)[0] != '\0');
	}
}
