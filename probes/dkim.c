/*
 * dkim.c - the dkim probe (RFC 6376; internet.nl's DKIM check): a selector
 * cannot be listed, so DKIM counts as in use when _domainkey.<domain>
 * exists (NOERROR, an empty non-terminal above the selectors) and as not in
 * use when it does not (NXDOMAIN). With --dkim-selectors, the selectors the
 * organisation named are fetched and their keys judged (dkim_record.c).
 *
 * pass: in use (and every named selector's key sound); fail: not in use, a
 * weak (RSA < 1024 bits, RFC 8301) or malformed key; warn: a named selector
 * without key, revoked or of an unknown type; n/a: a non-sending domain
 * (SPF "v=spf1 -all" and DMARC p=reject, as Forum Standaardisatie and
 * internet.nl count them), asked of those probes (probe_fact); error: the
 * lookup failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/json.h"
#include "dkim.h"
#include "probe.h"

/* The probe's state of one domain (ds->priv[PROBE_DKIM]). */
struct dkim_probe {
	bool answered;
	enum dns_status status; /* of the _domainkey lookup */
	bool bogus;             /* it failed DNSSEC validation: a failed lookup */
	size_t nsel;
	struct dkim_selector sel[DKIM_SEL_MAX];
};

static struct dkim_probe *dkim_of(const struct domain_scan *ds) { return ds->priv[PROBE_DKIM]; }

static void dkim_on_domainkey(struct domain_scan *ds, const struct dns_answer *a)
{
	struct dkim_probe *p = dkim_of(ds);

	if (!p)
		return;
	p->answered = true;
	/* A bogus answer is what a validating receiver never sees (it gets
	 * SERVFAIL, RFC 4035 §5.5): not evidence of the name or its absence. */
	p->bogus = a->sec == SEC_BOGUS;
	p->status = p->bogus ? DNS_SERVFAIL : a->status;
}

static void dkim_on_selector(struct domain_scan *ds, const struct dns_answer *a)
{
	struct dkim_probe *p = dkim_of(ds);
	const char *txt[16];
	size_t i, n;

	if (!p)
		return;
	for (i = 0; i < p->nsel; i++) {
		if (strcmp(p->sel[i].name, a->qname) != 0)
			continue;
		if (a->status != DNS_OK || a->sec == SEC_BOGUS) {
			dkim_selector_set_status(&p->sel[i],
						 a->sec == SEC_BOGUS ? DNS_SERVFAIL : a->status);
			continue;
		}
		n = probe_txt_sorted(a, txt, sizeof(txt) / sizeof(txt[0]));
		if (n)
			(void)dkim_selector_set_txt(&p->sel[i], txt, n);
		else
			dkim_selector_set_status(&p->sel[i], DNS_OK);
	}
}

static void dkim_start(struct domain_scan *ds, const struct probe_env *env)
{
	const struct dkim_sel_entry *se;
	struct dkim_probe *p;
	char name[DNS_NAME_MAX + 16];
	size_t i;

	if (probe_domain_failed(ds))
		return; /* judged from the domain's own DNS failure */
	p = calloc(1, sizeof(*p));
	if (!p)
		return;
	ds->priv[PROBE_DKIM] = p;
	(void)snprintf(name, sizeof(name), "_domainkey.%s", ds->name);
	if (env->query(ds, name, DNS_T_TXT, dkim_on_domainkey) < 0) {
		p->answered = true;
		p->status = DNS_FAILURE;
	}
	se = env->dkim_selectors ? dkim_selectors_find(env->dkim_selectors, ds->name) : NULL;
	for (i = 0; se && i < se->nsel && p->nsel < DKIM_SEL_MAX; i++) {
		struct dkim_selector *s = &p->sel[p->nsel];

		if (dkim_selector_init(s, se->sel[i], ds->name) < 0)
			continue;
		p->nsel++;
		if (env->query(ds, s->name, DNS_T_TXT, dkim_on_selector) < 0)
			dkim_selector_set_status(s, DNS_FAILURE);
	}
}

static bool dkim_non_sending(const struct domain_scan *ds)
{
	return probe_fact(ds, PROBE_FACT_SPF_DENY_ALL) && probe_fact(ds, PROBE_FACT_DMARC_REJECT);
}

static void dkim_evaluate(const struct domain_scan *ds, struct probe_verdict *out)
{
	const struct dkim_probe *p = dkim_of(ds);
	struct dkim_judgment j;
	size_t i;

	if (probe_domain_precheck(ds, out))
		return; /* it does not exist, or its name servers failed (lame: dns-timeout) */
	if (dkim_non_sending(ds)) {
		/* it sends no mail, so it signs none */
		out->v = VERDICT_NA;
		verdict_add_reason(out, R_NON_SENDING);
		return;
	}
	if (!p || !p->answered) {
		out->v = VERDICT_ERROR;
		if (!ds->timed_out)
			verdict_add_reason(out, R_DKIM_DNS_ERROR);
		return;
	}
	memset(&j, 0, sizeof(j));
	dkim_judge(dkim_presence_of(p->status, NULL), p->sel, p->nsel, &j);
	verdict_raise(out, j.v);
	if (p->bogus)
		verdict_add_reason(out, R_DNSSEC_BOGUS);
	for (i = 0; i < j.nreasons; i++)
		verdict_add_reason(out, j.reasons[i]);
}

static void dkim_evidence(const struct domain_scan *ds, struct json *j)
{
	const struct dkim_probe *p = dkim_of(ds);

	if (!p || !p->answered) {
		json_obj_open(j);
		json_kstr(j, "state", "not-evaluated");
		json_obj_close(j);
		return;
	}
	dkim_evidence_json(j, ds->name, dkim_presence_of(p->status, NULL), p->sel, p->nsel);
}

static void dkim_cleanup(struct domain_scan *ds)
{
	struct dkim_probe *p = dkim_of(ds);
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nsel; i++)
		dkim_selector_clear(&p->sel[i]);
	free(p);
	ds->priv[PROBE_DKIM] = NULL;
}

const struct probe_ops probe_dkim = {
    .name = "dkim",
    .id = PROBE_DKIM,
    .title = {"DKIM", "DKIM"},
    .level = PROBE_RECOMMENDED,
    .basis = {"RFC 6376, RFC 8301; internet.nl controleert het gebruik",
	      "RFC 6376, RFC 8301; internet.nl checks its use"},
    .start = dkim_start,
    .evaluate = dkim_evaluate,
    .cleanup = dkim_cleanup,
    .evidence = dkim_evidence,
};
