/*
 * spf.c - the spf probe (RFC 7208; the policy rule of internet.nl's mail
 * test, see spf_record.c): the domain's v=spf1 record, followed through
 * include and redirect with the lookup limits of §4.6.4, and its policy.
 *
 * pass: one valid record within the limits whose effective "all" is -all
 * or ~all; fail: no record, several, a syntax error, a limit passed, a loop,
 * a missing include or redirect target, or a policy that lets everyone
 * pass or says nothing (?all, +all, no all); error: a lookup the judgment
 * needs failed. The evaluator (spf_record.c) asks its questions one after
 * the other; this file hands them to the engine and the answers back.
 * Its evidence is the evaluator's tree (spf_result_json).
 */
#include <stdlib.h>
#include <string.h>

#include "../base/json.h"
#include "probe.h"
#include "spf.h"

/* The probe's state of one domain (ds->priv[PROBE_SPF]). */
struct spf_probe {
	struct spf_eval *ev;
	bool bogus; /* an answer failed DNSSEC validation: taken as a failed lookup */
};

static struct spf_probe *spf_of(const struct domain_scan *ds) { return ds->priv[PROBE_SPF]; }

/* The evaluator's result, NULL until it is done (or when it never started). */
static const struct spf_result *spf_result_of(const struct domain_scan *ds)
{
	const struct spf_probe *p = spf_of(ds);

	return p && p->ev && spf_eval_done(p->ev) ? spf_eval_result(p->ev) : NULL;
}

static uint16_t spf_qtype(enum spf_dns_type t)
{
	switch (t) {
	case SPF_DNS_A:
		return DNS_T_A;
	case SPF_DNS_AAAA:
		return DNS_T_AAAA;
	case SPF_DNS_MX:
		return DNS_T_MX;
	case SPF_DNS_TXT:
		break;
	}
	return DNS_T_TXT;
}

static bool spf_type_of(uint16_t qtype, enum spf_dns_type *t)
{
	switch (qtype) {
	case DNS_T_TXT:
		*t = SPF_DNS_TXT;
		return true;
	case DNS_T_A:
		*t = SPF_DNS_A;
		return true;
	case DNS_T_AAAA:
		*t = SPF_DNS_AAAA;
		return true;
	case DNS_T_MX:
		*t = SPF_DNS_MX;
		return true;
	default:
		return false;
	}
}

static void spf_pump(struct domain_scan *ds);

static void spf_on_answer(struct domain_scan *ds, const struct dns_answer *a)
{
	struct spf_probe *p = spf_of(ds);
	const char *vals[64];
	enum spf_dns_status st;
	enum spf_dns_type t;
	size_t i, n = 0;

	if (!p || !p->ev || !spf_type_of(a->qtype, &t))
		return;
	switch (a->sec == SEC_BOGUS ? DNS_SERVFAIL : a->status) {
	case DNS_OK:
		/* the records of the type asked (a CNAME chain's own records are
		 * not values); TXT: each record's strings joined, sorted */
		if (a->qtype == DNS_T_TXT)
			n = probe_txt_sorted(a, vals, sizeof(vals) / sizeof(vals[0]));
		else
			for (i = 0; i < a->n && n < sizeof(vals) / sizeof(vals[0]); i++)
				if (a->rr[i].type == a->qtype)
					vals[n++] = a->rr[i].name;
		st = n ? SPF_DNS_OK : SPF_DNS_NODATA;
		break;
	case DNS_NXDOMAIN:
		st = SPF_DNS_NXDOMAIN;
		break;
	case DNS_TIMEOUT:
		st = SPF_DNS_TIMEOUT;
		break;
	default:
		st = SPF_DNS_ERROR;
		break;
	}
	/* A bogus answer is what a validating receiver never sees (it gets
	 * SERVFAIL, RFC 4035 §5.5): not evidence of a record or its absence. */
	if (a->sec == SEC_BOGUS)
		p->bogus = true;
	(void)spf_eval_answer(p->ev, a->qname, t, st, vals, n);
	spf_pump(ds);
}

/* Ask every question the evaluator has now; one that cannot be asked is
 * answered as a failed lookup (the evaluator then says temperror). */
static void spf_pump(struct domain_scan *ds)
{
	struct spf_probe *p = spf_of(ds);
	const struct spf_query *q;

	while ((q = spf_eval_next_query(p->ev)) != NULL) {
		struct spf_query copy = *q;

		if (ds->env->query(ds, copy.name, spf_qtype(copy.type), spf_on_answer) < 0)
			(void)spf_eval_answer(p->ev, copy.name, copy.type, SPF_DNS_ERROR, NULL, 0);
	}
}

static void spf_start(struct domain_scan *ds, const struct probe_env *env)
{
	struct spf_probe *p;

	(void)env;
	if (probe_domain_failed(ds))
		return; /* the domain's own DNS failed or it does not exist: judged as such */
	p = calloc(1, sizeof(*p));
	if (!p)
		return;
	p->ev = spf_eval_new(ds->name);
	if (!p->ev) {
		free(p);
		return;
	}
	ds->priv[PROBE_SPF] = p;
	spf_pump(ds);
}

static void spf_evaluate(const struct domain_scan *ds, struct probe_verdict *out)
{
	const struct spf_probe *p = spf_of(ds);
	const struct spf_result *r;
	enum reason code;

	if (probe_domain_precheck(ds, out))
		return; /* it does not exist, or its name servers failed (lame: dns-timeout) */
	r = spf_result_of(ds);
	if (!r) {
		/* cut off by the domain's deadline (the engine names it), or out
		 * of memory */
		out->v = VERDICT_ERROR;
		if (!ds->timed_out)
			verdict_add_reason(out, R_SPF_TEMPERROR);
		return;
	}
	code = spf_reason_id(r->code);
	switch (r->status) {
	case SPF_ST_OK:
		out->v = r->policy_ok ? VERDICT_PASS : VERDICT_FAIL;
		break;
	case SPF_ST_TEMPERROR:
		out->v = VERDICT_ERROR;
		break;
	case SPF_ST_NONE:
	case SPF_ST_PERMERROR:
	case SPF_ST_PENDING:
		out->v = VERDICT_FAIL;
		break;
	}
	if (r->status == SPF_ST_TEMPERROR && p->bogus)
		verdict_add_reason(out, R_DNSSEC_BOGUS);
	else if (code != R_NONE)
		verdict_add_reason(out, code);
	else if (out->v != VERDICT_PASS)
		verdict_add_reason(out, R_SPF_TEMPERROR);
}

static void spf_evidence(const struct domain_scan *ds, struct json *j)
{
	const struct spf_result *r = spf_result_of(ds);

	if (!r || spf_result_json(r, j) < 0) {
		json_obj_open(j);
		json_kstr(j, "status", r ? "error" : "not-evaluated");
		json_obj_close(j);
	}
}

static const char *spf_detail(const struct domain_scan *ds)
{
	const struct spf_result *r = spf_result_of(ds);

	return r && r->why[0] ? r->why : NULL;
}

static bool spf_fact(const struct domain_scan *ds, enum probe_fact f)
{
	const struct spf_result *r = spf_result_of(ds);

	return f == PROBE_FACT_SPF_DENY_ALL && r && spf_is_deny_all(r);
}

static void spf_cleanup(struct domain_scan *ds)
{
	struct spf_probe *p = spf_of(ds);

	if (!p)
		return;
	spf_eval_free(p->ev);
	free(p);
	ds->priv[PROBE_SPF] = NULL;
}

const struct probe_ops probe_spf = {
    .name = "spf",
    .id = PROBE_SPF,
    .title = {"SPF", "SPF"},
    .level = PROBE_REQUIRED,
    .basis = {"RFC 7208; lijst verplichte standaarden Forum Standaardisatie",
	      "RFC 7208; Forum Standaardisatie mandatory list"},
    .start = spf_start,
    .evaluate = spf_evaluate,
    .cleanup = spf_cleanup,
    .evidence = spf_evidence,
    .fact = spf_fact,
    .detail = spf_detail,
};
