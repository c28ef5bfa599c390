/*
 * dnssec.c - the dnssec probe (SPEC §3 dnssec; RFC 4033-4035).
 *
 * pass: the domain's SOA answer validates secure, and so do the MX RRset and
 * every MX host's address RRset; fail: some name insecure or bogus (named in the
 * output's "dnssec" object); error: no answer or indeterminate.
 */
#include "probe.h"

static void dnssec_on_soa(struct domain_scan *ds, const struct dns_answer *a)
{
	ds->soa_status = a->status;
	ds->soa_sec = a->sec;
}

static void dnssec_start(struct domain_scan *ds, const struct probe_env *env)
{
	ds->soa_status = DNS_FAILURE;
	if (env->query(ds, ds->name, DNS_T_SOA, dnssec_on_soa) < 0)
		ds->soa_status = DNS_FAILURE;
}

/* Judge one name's status into out. */
static void dnssec_judge(enum dnssec_state sec, bool answered, enum dns_status status,
			 struct probe_verdict *out)
{
	if (sec == SEC_BOGUS) {
		verdict_raise(out, VERDICT_FAIL);
		verdict_add_reason(out, "dnssec-bogus");
	} else if (!answered) {
		verdict_raise(out, VERDICT_ERROR);
		verdict_add_reason(out, dns_status_reason(status));
	} else if (sec == SEC_INSECURE) {
		verdict_raise(out, VERDICT_FAIL);
		verdict_add_reason(out, "dnssec-insecure");
	} else if (sec == SEC_SECURE) {
		verdict_raise(out, VERDICT_PASS);
	} else {
		verdict_raise(out, VERDICT_ERROR);
		verdict_add_reason(out, "dnssec-indeterminate");
	}
}

static void dnssec_evaluate(const struct domain_scan *ds, struct probe_verdict *out)
{
	size_t i;

	if (ds->soa_status == DNS_NXDOMAIN || ds->mx_kind == MX_NXDOMAIN) {
		out->v = VERDICT_ERROR;
		verdict_add_reason(out, "nxdomain");
		return;
	}
	dnssec_judge(ds->soa_sec, ds->soa_status == DNS_OK, ds->soa_status, out);
	/* The MX RRset itself: a bogus or unsigned MX answer fails even when the
	 * SOA validated; an MX lookup that failed leaves the hosts untested. */
	dnssec_judge(ds->mx_sec, ds->mx_kind != MX_ERROR && ds->mx_kind != MX_PENDING,
		     ds->mx_kind == MX_ERROR ? ds->mx_status : DNS_FAILURE, out);
	for (i = 0; i < ds->nmx; i++) {
		const struct mx_host *h = ds->mx[i].host;

		dnssec_judge(h->sec, h->done && !h->dns_failed,
			     h->dns_failed ? h->dns_status : DNS_FAILURE, out);
	}
}

const struct probe_ops probe_dnssec = {
    .name = "dnssec",
    .id = PROBE_DNSSEC,
    .start = dnssec_start,
    .evaluate = dnssec_evaluate,
};
