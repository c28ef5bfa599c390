/*
 * dane.c - the dane probe (SPEC §3 dane; RFC 7672, RFC 7671, RFC 6698).
 *
 * TLSA is looked up (by the engine) only for MX hosts whose address
 * records are secure. Matching is OpenSSL's (tls.c); here each host is
 * judged: every host needs a secure TLSA RRset with a usable record
 * (usage 2/3), and every address that answered must authenticate by it.
 */
#include "probe.h"

static void dane_fail(struct probe_verdict *out, const char *code)
{
	verdict_raise(out, VERDICT_FAIL);
	verdict_add_reason(out, code);
}

static void dane_host(const struct mx_host *h, struct probe_verdict *out)
{
	size_t k, answered = 0;

	if (h->sec == SEC_BOGUS) {
		dane_fail(out, "dane-bogus");
		return;
	}
	if (h->sec == SEC_INSECURE) {
		dane_fail(out, "dane-insecure");
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
		dane_fail(out, "dane-bogus");
		return;
	case TLSA_NONE:
		dane_fail(out, "dane-missing");
		return;
	case TLSA_ERROR:
		verdict_raise(out, VERDICT_ERROR);
		verdict_add_reason(out, dns_status_reason(h->tlsa_status));
		return;
	case TLSA_NOT_ASKED:
		verdict_raise(out, VERDICT_ERROR);
		verdict_add_reason(out, "dns-error");
		return;
	case TLSA_PRESENT:
		break;
	}
	if (h->tlsa_usable == 0) {
		dane_fail(out, "dane-unusable");
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
			dane_fail(out, "dane-mismatch");
		else
			dane_fail(out, "dane-no-tls");
	}
	if (answered == 0) {
		verdict_raise(out, VERDICT_ERROR);
		verdict_add_reason(out, "dane-unreachable");
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
		dane_fail(out, "dane-bogus");
	else if (ds->mx_sec == SEC_INSECURE)
		dane_fail(out, "dane-insecure");
	else if (ds->mx_sec != SEC_SECURE) {
		verdict_raise(out, VERDICT_ERROR);
		verdict_add_reason(out, "dns-error");
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
