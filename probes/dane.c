/*
 * dane.c - the dane probe (SPEC §3 dane; RFC 7672, RFC 7671, RFC 6698).
 *
 * TLSA is looked up (by the engine) only for MX hosts whose address
 * records are secure. Matching is OpenSSL's (tls.c); here each host is
 * judged: every host needs a secure TLSA RRset with a usable record
 * (usage 2/3), and every address that answered must authenticate by it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../base/json.h"
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

char *tlsa_rr_text(const struct tlsa_rr *t)
{
	size_t k, off, cap = 16 + 2 * t->datalen;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	off = (size_t)snprintf(out, cap, "%u %u %u ", t->usage, t->selector, t->mtype);
	for (k = 0; k < t->datalen && off < cap; k++)
		off += (size_t)snprintf(out + off, cap - off, "%02x", t->data[k]);
	return out;
}

/* RFC 7671 §8.1 style rollover: two or more 3xx, or 3xx with 2xx. */
bool dane_rollover(const struct mx_host *h)
{
	size_t i, ee = 0, ta = 0;

	for (i = 0; i < h->ntlsa; i++) {
		if (h->tlsa[i].usage == 3)
			ee++;
		else if (h->tlsa[i].usage == 2)
			ta++;
	}
	return ee >= 2 || (ee >= 1 && ta >= 1);
}

/* The evidence of a host (SPEC §4 "tlsa"): where the TLSA RRset was
 * looked up, its DNSSEC status, its records, how many OpenSSL could use and
 * whether they make a rollover; null where DANE was impossible. */
static void dane_host_evidence(const struct domain_scan *ds, const struct mx_host *h,
			       struct json *j)
{
	size_t i;

	(void)ds;
	json_key(j, "tlsa");
	if (h->tlsa_state == TLSA_NOT_ASKED) {
		json_null(j);
		return;
	}
	json_obj_open(j);
	json_kstr(j, "state", tlsa_state_name(h->tlsa_state));
	json_kstr(j, "name", h->tlsa_name);
	json_kstr(j, "dnssec", dnssec_state_name(h->tlsa_sec));
	json_key(j, "records");
	json_arr_open(j);
	for (i = 0; i < h->ntlsa; i++) {
		char *rec = tlsa_rr_text(&h->tlsa[i]);

		json_str(j, rec ? rec : "");
		free(rec);
	}
	json_arr_close(j);
	json_kint(j, "usable", (long long)h->tlsa_usable);
	json_kbool(j, "rollover", dane_rollover(h));
	json_obj_close(j);
}

/* The evidence of an address: its certificate against the TLSA records. */
static void dane_addr_evidence(const struct domain_scan *ds, const struct mx_host *h,
			       const struct addr_result *ar, struct json *j)
{
	(void)ds;
	(void)h;
	json_kstr(j, "dane", ar->dane == DANE_NOT_CHECKED ? NULL : dane_match_name(ar->dane));
	if (ar->dane_detail[0])
		json_kstr(j, "dane_detail", ar->dane_detail);
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
    .host_evidence = dane_host_evidence,
    .addr_evidence = dane_addr_evidence,
};
