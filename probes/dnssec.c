/*
 * dnssec.c - the dnssec probe (SPEC §3 dnssec; RFC 4033-4035).
 *
 * pass: the domain's own answer validates secure, and so does every MX host's
 * address RRset; fail: some name insecure or bogus (named in the output's
 * "dnssec" object); error: no answer or indeterminate.
 *
 * The domain's own answer is its MX answer (records, NODATA or NXDOMAIN, each
 * validated like any other): the engine asks it anyway, and an SOA question
 * beside it (SPEC §3 says SOA) proves nothing more about the name's chain of
 * trust, while costing a query and a signature check per signed domain.
 */
#include "../base/json.h"
#include "probe.h"

/* Judge one name's status into out. */
static void dnssec_judge(enum dnssec_state sec, bool answered, enum dns_status status,
			 struct probe_verdict *out)
{
	if (sec == SEC_BOGUS) {
		verdict_raise(out, VERDICT_FAIL);
		verdict_add_reason(out, R_DNSSEC_BOGUS);
	} else if (!answered) {
		verdict_raise(out, VERDICT_ERROR);
		verdict_add_reason(out, dns_status_reason(status));
	} else if (sec == SEC_INSECURE) {
		verdict_raise(out, VERDICT_FAIL);
		verdict_add_reason(out, R_DNSSEC_INSECURE);
	} else if (sec == SEC_SECURE) {
		verdict_raise(out, VERDICT_PASS);
	} else {
		verdict_raise(out, VERDICT_ERROR);
		verdict_add_reason(out, R_DNSSEC_INDETERMINATE);
	}
}

static void dnssec_evaluate(const struct domain_scan *ds, struct probe_verdict *out)
{
	size_t i;

	if (ds->name_status == DNS_NXDOMAIN || ds->mx_kind == MX_NXDOMAIN) {
		out->v = VERDICT_ERROR;
		verdict_add_reason(out, R_NXDOMAIN);
		return;
	}
	dnssec_judge(ds->name_sec, ds->name_status == DNS_OK, ds->name_status, out);
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

/* The evidence (SPEC §4 "dnssec"): the status of the domain's own answer,
 * of each MX host's addresses and of the MX RRset. */
static void dnssec_evidence(const struct domain_scan *ds, struct json *j)
{
	size_t i;

	json_obj_open(j);
	json_kstr(j, "domain", dnssec_state_name(ds->name_sec));
	json_key(j, "mx");
	json_obj_open(j);
	for (i = 0; i < ds->nmx; i++)
		json_kstr(j, ds->mx[i].host->name, dnssec_state_name(ds->mx[i].host->sec));
	json_obj_close(j);
	json_kstr(j, "mx_rrset", dnssec_state_name(ds->mx_sec));
	json_obj_close(j);
}

const struct probe_ops probe_dnssec = {
    .name = "dnssec",
    .id = PROBE_DNSSEC,
    .title = {"DNSSEC", "DNSSEC"},
    .level = PROBE_REQUIRED,
    .basis = {"RFC 4033-4035; lijst verplichte standaarden Forum Standaardisatie",
	      "RFC 4033-4035; Forum Standaardisatie mandatory list"},
    .evaluate = dnssec_evaluate,
    .evidence = dnssec_evidence,
};
