/*
 * dane.c - the dane probe (SPEC §3 dane; RFC 7672, RFC 7671, RFC 6698).
 *
 * TLSA is looked up (by the engine) only for MX hosts whose address
 * records are secure. Matching is OpenSSL's (tls.c); here each host is
 * judged: every host needs a secure TLSA RRset with a usable record
 * (usage 2/3), and every address that answered must authenticate by it.
 */
#include "probe.h"

static void dane_fail(struct probe_verdict *out, enum reason r)
{
	verdict_raise(out, VERDICT_FAIL);
	verdict_add_reason(out, r);
}

static void dane_host(const struct mx_host *h, struct probe_verdict *out)
{
	size_t k, answered = 0;

	if (h->sec == SEC_BOGUS) {
		dane_fail(out, R_DANE_BOGUS);
		return;
	}
	if (h->sec == SEC_INSECURE) {
		dane_fail(out, R_DANE_INSECURE);
		return;
	}
	if (!h->done || h->dns_failed || h->sec != SEC_SECURE) {
		verdict_raise(out, VERDICT_ERROR);
		verdict_add_reason(out,
				   dns_status_reason(h->dns_failed ? h->dns_status : DNS_FAILURE));
		return;
	}
	switch (h->tlsa_state) {
	case TLSA_BOGUS:
		dane_fail(out, R_DANE_BOGUS);
		return;
	case TLSA_NONE:
		dane_fail(out, R_DANE_MISSING);
		return;
	case TLSA_ERROR:
		verdict_raise(out, VERDICT_ERROR);
		verdict_add_reason(out, dns_status_reason(h->tlsa_status));
		return;
	case TLSA_NOT_ASKED:
		verdict_raise(out, VERDICT_ERROR);
		verdict_add_reason(out, R_DNS_ERROR);
		return;
	case TLSA_PRESENT:
		break;
	}
	if (h->tlsa_usable == 0) {
		dane_fail(out, R_DANE_UNUSABLE);
		return;
	}
	for (k = 0; k < h->naddr; k++) {
		const struct addr_result *ar = h->addr[k];

		if (!addr_status_answered(ar->status))
			continue;
		answered++;
		if (ar->dane == DANE_MATCH)
			verdict_raise(out, VERDICT_PASS);
		else if (ar->dane == DANE_MISMATCH)
			dane_fail(out, R_DANE_MISMATCH);
		else
			dane_fail(out, R_DANE_NO_TLS);
	}
	if (answered == 0) {
		verdict_raise(out, VERDICT_ERROR);
		verdict_add_reason(out, R_DANE_UNREACHABLE);
	}
}

static void dane_evaluate(const struct domain_scan *ds, struct probe_verdict *out)
{
	size_t i;

	if (probe_mail_precheck(ds, out))
		return;
	/* RFC 7672 §2.2.1: MX host names from an insecure MX RRset cannot be
	 * used for DANE. */
	if (ds->mx_sec == SEC_BOGUS)
		dane_fail(out, R_DANE_BOGUS);
	else if (ds->mx_sec == SEC_INSECURE)
		dane_fail(out, R_DANE_INSECURE);
	else if (ds->mx_sec != SEC_SECURE) {
		verdict_raise(out, VERDICT_ERROR);
		verdict_add_reason(out, R_DNS_ERROR);
	}
	for (i = 0; i < ds->nmx; i++)
		dane_host(ds->mx[i].host, out);
}

const struct probe_ops probe_dane = {
    .name = "dane",
    .id = PROBE_DANE,
    .title = {"DANE", "DANE"},
    .level = PROBE_REQUIRED,
    .basis = {"RFC 7672", "RFC 7672"},
    .mx_bound = true,
    .report_with = "starttls",
    .evaluate = dane_evaluate,
};
