/*
 * dmarc.c - the dmarc probe (RFC 7489; internet.nl's DMARC policy check):
 * the record at _dmarc.<domain>, else at its organisational domain (the
 * Public Suffix List), the policy that applies, and whether external report
 * destinations accept the reports (§7.1).
 *
 * pass: p=reject or p=quarantine for all mail; warn: p=none, pct < 100, an
 * external destination that does not authorise; fail: no record, several,
 * a syntax error; error: a lookup failed. The rules and the evidence are
 * dmarc_record.c's; this file asks the questions in its order (dmarc.h):
 * the domain's record, the organisational domain's when the first is
 * absent, then each external destination's authorisation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/json.h"
#include "dmarc.h"
#include "probe.h"

/* The probe's state of one domain (ds->priv[PROBE_DMARC]), on the heap:
 * the lookups keep their records (several KB each). */
struct dmarc_probe {
	struct dmarc_lookup own, orgl;
	char org[DNS_NAME_MAX + 1];
	struct dmarc_effective eff;
	struct dmarc_dests dests;
	bool have_eff, have_dests;
	bool bogus; /* an answer failed DNSSEC validation: taken as a failed lookup */
	size_t auth_pending;
};

static struct dmarc_probe *dmarc_of(const struct domain_scan *ds) { return ds->priv[PROBE_DMARC]; }

/* A bogus answer is what a validating receiver never sees (it gets
 * SERVFAIL, RFC 4035 §5.5): not evidence of a record or its absence. */
static void dmarc_fill(struct dmarc_probe *p, struct dmarc_lookup *l, const struct dns_answer *a)
{
	const char *txt[32];
	size_t n;

	if (a->sec == SEC_BOGUS) {
		p->bogus = true;
		dmarc_lookup_set_status(l, DNS_SERVFAIL);
		return;
	}
	if (a->status != DNS_OK) {
		dmarc_lookup_set_status(l, a->status);
		return;
	}
	n = probe_txt_sorted(a, txt, sizeof(txt) / sizeof(txt[0]));
	if (n == 0)
		dmarc_lookup_set_status(l, DNS_OK);
	else
		(void)dmarc_lookup_set_txt(l, txt, n);
}

static void dmarc_on_auth(struct domain_scan *ds, const struct dns_answer *a)
{
	struct dmarc_probe *p = dmarc_of(ds);
	const char *txt[32];
	size_t i, n;

	if (!p)
		return;
	for (i = 0; i < p->dests.n; i++) {
		struct dmarc_dest *d = &p->dests.d[i];

		if (d->auth != DMARC_AUTH_PENDING || strcmp(d->auth_name, a->qname) != 0)
			continue;
		if (a->sec == SEC_BOGUS) {
			d->auth = DMARC_AUTH_ERROR;
		} else if (a->status == DNS_OK) {
			n = probe_txt_sorted(a, txt, sizeof(txt) / sizeof(txt[0]));
			d->auth = dmarc_auth_judge(txt, n);
		} else if (a->status == DNS_NXDOMAIN) {
			d->auth = DMARC_AUTH_NO;
		} else {
			d->auth = DMARC_AUTH_ERROR;
		}
	}
}

/* Both policy lookups are in: the policy that applies, then ask every
 * external destination's authorisation. */
static void dmarc_decide(struct domain_scan *ds, struct dmarc_probe *p)
{
	size_t i;

	if (dmarc_effective(&p->own, &p->orgl, &p->eff) < 0)
		return;
	p->have_eff = true;
	if (!p->eff.rec || !p->eff.policy_domain ||
	    dmarc_dests_build(p->eff.rec, p->eff.policy_domain, &p->dests) < 0)
		return;
	p->have_dests = true;
	for (i = 0; i < p->dests.n; i++) {
		struct dmarc_dest *d = &p->dests.d[i];

		if (d->auth != DMARC_AUTH_PENDING || !d->auth_name[0])
			continue;
		if (ds->env->query(ds, d->auth_name, DNS_T_TXT, dmarc_on_auth) < 0)
			d->auth = DMARC_AUTH_ERROR;
	}
}

static void dmarc_on_org(struct domain_scan *ds, const struct dns_answer *a)
{
	struct dmarc_probe *p = dmarc_of(ds);

	if (!p)
		return;
	dmarc_fill(p, &p->orgl, a);
	dmarc_decide(ds, p);
}

static void dmarc_on_own(struct domain_scan *ds, const struct dns_answer *a)
{
	struct dmarc_probe *p = dmarc_of(ds);
	char name[DNS_NAME_MAX + 16];

	if (!p)
		return;
	dmarc_fill(p, &p->own, a);
	if (dmarc_needs_org_lookup(ds->name, &p->own, p->org, sizeof(p->org)) && p->org[0]) {
		dmarc_lookup_init(&p->orgl, p->org);
		(void)snprintf(name, sizeof(name), "_dmarc.%s", p->org);
		if (ds->env->query(ds, name, DNS_T_TXT, dmarc_on_org) == 0)
			return;
		dmarc_lookup_set_status(&p->orgl, DNS_FAILURE);
	}
	dmarc_decide(ds, p);
}

static void dmarc_start(struct domain_scan *ds, const struct probe_env *env)
{
	struct dmarc_probe *p;
	char name[DNS_NAME_MAX + 16];

	if (probe_domain_failed(ds))
		return; /* judged from the domain's own DNS failure */
	p = calloc(1, sizeof(*p));
	if (!p)
		return;
	dmarc_lookup_init(&p->own, ds->name);
	dmarc_lookup_init(&p->orgl, "");
	ds->priv[PROBE_DMARC] = p;
	(void)snprintf(name, sizeof(name), "_dmarc.%s", ds->name);
	if (env->query(ds, name, DNS_T_TXT, dmarc_on_own) < 0) {
		dmarc_lookup_set_status(&p->own, DNS_FAILURE);
		dmarc_decide(ds, p);
	}
}

static void dmarc_evaluate(const struct domain_scan *ds, struct probe_verdict *out)
{
	const struct dmarc_probe *p = dmarc_of(ds);
	struct dmarc_judgment j;
	size_t i;

	if (probe_domain_precheck(ds, out))
		return; /* it does not exist, or its name servers failed (lame: dns-timeout) */
	if (!p || !p->have_eff) {
		/* cut off by the domain's deadline (the engine names it) */
		out->v = VERDICT_ERROR;
		if (!ds->timed_out)
			verdict_add_reason(out, R_DMARC_DNS_ERROR);
		return;
	}
	memset(&j, 0, sizeof(j));
	dmarc_judge(&p->eff, p->have_dests ? &p->dests : NULL, &j);
	verdict_raise(out, j.v);
	if (j.v == VERDICT_ERROR && p->bogus)
		verdict_add_reason(out, R_DNSSEC_BOGUS);
	for (i = 0; i < j.nreasons; i++)
		verdict_add_reason(out, j.reasons[i]);
}

static void dmarc_evidence(const struct domain_scan *ds, struct json *j)
{
	const struct dmarc_probe *p = dmarc_of(ds);

	if (!p || !p->have_eff) {
		json_obj_open(j);
		json_kstr(j, "state", "not-evaluated");
		json_obj_close(j);
		return;
	}
	dmarc_evidence_json(j, &p->eff, &p->own, &p->orgl, p->org,
			    p->have_dests ? &p->dests : NULL);
}

static const char *dmarc_detail(const struct domain_scan *ds)
{
	const struct dmarc_probe *p = dmarc_of(ds);

	/* the syntax error of the record that decided */
	if (!p || !p->have_eff || !p->eff.lookup || p->eff.state != DMARC_SYNTAX)
		return NULL;
	return p->eff.lookup->why;
}

static bool dmarc_fact(const struct domain_scan *ds, enum probe_fact f)
{
	const struct dmarc_probe *p = dmarc_of(ds);

	return f == PROBE_FACT_DMARC_REJECT && p && p->have_eff && dmarc_is_reject(&p->eff);
}

static void dmarc_cleanup(struct domain_scan *ds)
{
	struct dmarc_probe *p = dmarc_of(ds);

	if (!p)
		return;
	dmarc_lookup_clear(&p->own);
	dmarc_lookup_clear(&p->orgl);
	free(p);
	ds->priv[PROBE_DMARC] = NULL;
}

const struct probe_ops probe_dmarc = {
    .name = "dmarc",
    .id = PROBE_DMARC,
    .title = {"DMARC", "DMARC"},
    .level = PROBE_REQUIRED,
    .basis = {"RFC 7489; lijst verplichte standaarden Forum Standaardisatie",
	      "RFC 7489; Forum Standaardisatie mandatory list"},
    .start = dmarc_start,
    .evaluate = dmarc_evaluate,
    .cleanup = dmarc_cleanup,
    .evidence = dmarc_evidence,
    .fact = dmarc_fact,
    .detail = dmarc_detail,
};
