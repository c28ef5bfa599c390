/*
 * output.c - JSON Lines (SPEC §4) and human output of check results.
 *
 * "verdicts" and "reasons" are the stable interface; the rest is the
 * evidence behind them, which each probe writes itself (probe.h: its
 * evidence object under its name, and its keys in each MX host's and
 * address's object of "mx"); this file writes only the engine's facts: the
 * MX set (names, preference, the addresses' DNSSEC, the IPs) and the notes.
 * Every string from the network goes through the JSON escaper (json.c);
 * the human output prints only sanitised text.
 */
#include "output.h"

#include <stdio.h>
#include <string.h>

#include "../base/json.h"
#include "../probes/ncsc.h"
#include "../probes/probe.h"

static const char *mx_kind_name(enum mx_kind k)
{
	switch (k) {
	case MX_LIST:
		return "mx";
	case MX_NULL:
		return "null-mx";
	case MX_NONE:
		return "no-mx";
	case MX_NXDOMAIN:
		return "nxdomain";
	case MX_ERROR:
	case MX_PENDING:
		break;
	}
	return "error";
}

/* The MX set (the engine's stage: names, preference, DNSSEC of the
 * addresses), with each probe's evidence about a host and an address. */
static void json_mx(struct json *j, const struct domain_scan *ds)
{
	size_t i, k;

	json_key(j, "mx");
	json_arr_open(j);
	for (i = 0; i < ds->nmx; i++) {
		const struct mx_host *h = ds->mx[i].host;

		json_obj_open(j);
		json_kstr(j, "host", h->name);
		json_kint(j, "preference", ds->mx[i].pref);
		if (h->canonical[0])
			json_kstr(j, "cname", h->canonical);
		json_kstr(j, "dnssec", dnssec_state_name(h->sec));
		if (h->dns_error[0])
			json_kstr(j, "dns_error", h->dns_error);
		probe_mx_evidence(ds, h, NULL, j, false);
		json_key(j, "addresses");
		json_arr_open(j);
		for (k = 0; k < h->naddr; k++) {
			json_obj_open(j);
			json_kstr(j, "ip", h->addr[k]->ip);
			probe_mx_evidence(ds, h, h->addr[k], j, false);
			json_obj_close(j);
		}
		json_arr_close(j);
		if (h->addr_capped)
			json_kbool(j, "addresses_capped", true);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static const char *qtype_name(uint16_t t, char *tmp, size_t len)
{
	switch (t) {
	case DNS_T_A:
		return "A";
	case DNS_T_NS:
		return "NS";
	case DNS_T_SOA:
		return "SOA";
	case DNS_T_MX:
		return "MX";
	case DNS_T_TXT:
		return "TXT";
	case DNS_T_AAAA:
		return "AAAA";
	case DNS_T_TLSA:
		return "TLSA";
	case DNS_T_CAA:
		return "CAA";
	default:
		(void)snprintf(tmp, len, "TYPE%u", (unsigned)t);
		return tmp;
	}
}

/* The lookups that got no usable answer (struct dns_failure), when any:
 * what an error verdict rests on. */
static void json_dns_failures(struct json *j, const struct domain_scan *ds)
{
	char tmp[16];
	size_t i;

	if (ds->ndns_fail_all == 0)
		return;
	json_key(j, "dns_failures");
	json_arr_open(j);
	for (i = 0; i < ds->ndns_fail; i++) {
		const struct dns_failure *f = &ds->dns_fail[i];

		json_obj_open(j);
		json_kstr(j, "name", f->name);
		json_kstr(j, "type", qtype_name(f->type, tmp, sizeof(tmp)));
		json_kstr(j, "status", f->bogus ? "bogus" : dns_status_name(f->status));
		json_kstr(j, "error", f->error[0] ? f->error : NULL);
		json_obj_close(j);
	}
	json_arr_close(j);
	if (ds->ndns_fail_all > ds->ndns_fail)
		json_kint(j, "dns_failures_more", (long long)(ds->ndns_fail_all - ds->ndns_fail));
}

int output_json(const struct domain_scan *ds, struct buf *out)
{
	struct json j;
	size_t i, k;

	json_init(&j, out);
	json_obj_open(&j);
	json_kstr(&j, "domain", ds->name);
	json_key(&j, "verdicts");
	json_obj_open(&j);
	for (i = 0; i < PROBE_COUNT; i++)
		json_kstr(&j, probe_registry[i]->name, verdict_name(ds->verdict[i].v));
	json_obj_close(&j);
	json_key(&j, "reasons");
	json_obj_open(&j);
	for (i = 0; i < PROBE_COUNT; i++) {
		json_key(&j, probe_registry[i]->name);
		json_arr_open(&j);
		for (k = 0; k < ds->verdict[i].nreasons; k++)
			json_str(&j, ds->verdict[i].reasons[k]);
		json_arr_close(&j);
	}
	json_obj_close(&j);
	json_kstr(&j, "mx_status", mx_kind_name(ds->mx_kind));
	if (ds->mx_error[0])
		json_kstr(&j, "mx_error", ds->mx_error);
	json_mx(&j, ds);
	/* each probe's own evidence, under its name (SPEC §4: dnssec, mta_sts,
	 * tlsrpt, spf, dmarc, dkim) */
	for (i = 0; i < PROBE_COUNT; i++)
		if (probe_registry[i]->evidence && ds->verdict[i].v != VERDICT_NONE &&
		    probe_shows(ds, probe_registry[i])) {
			json_key(&j, probe_registry[i]->name);
			probe_registry[i]->evidence(ds, &j);
		}
	json_key(&j, "notes");
	json_arr_open(&j);
	if (ds->mx_capped)
		json_str(&j, reason_code(R_MX_CAP_REACHED));
	if (ds->null_mixed)
		json_str(&j, reason_code(R_NULL_MX_MIXED));
	if (ds->timed_out)
		json_str(&j, reason_code(R_DOMAIN_TIMEOUT));
	json_arr_close(&j);
	json_dns_failures(&j, ds);
	json_obj_close(&j);
	return json_status(&j);
}

static const char *colour_of(enum verdict v)
{
	switch (v) {
	case VERDICT_PASS:
		return "\033[32m";
	case VERDICT_WARN:
		return "\033[33m";
	case VERDICT_FAIL:
		return "\033[31m";
	case VERDICT_ERROR:
		return "\033[35m";
	default:
		return "";
	}
}

/* One line: the tls_ncsc findings of an address (worst first). */
static void human_ncsc(const struct addr_result *ar, FILE *f)
{
	const struct ncsc_result *r = ar->ncsc;
	struct ncsc_item certs[2 * SCAN_CHAIN_MAX];
	size_t i, n = ncsc_cert_findings(&ar->cert, certs, 2 * SCAN_CHAIN_MAX), shown = 0;
	int cls;

	(void)fprintf(f, "       ncsc (%u handshakes%s%s):", r->handshakes,
		      r->state == NCSC_DONE ? "" : ", ", r->state == NCSC_DONE ? "" : r->note);
	for (cls = NCSC_INSUFFICIENT; cls >= NCSC_PHASE_OUT; cls--) {
		for (i = 0; i < r->nfind; i++)
			if ((int)r->find[i].cls == cls)
				(void)fprintf(
				    f, "%s %s%s %s%s%s", shown++ ? "," : "",
				    r->find[i].aspect == NCSC_A_ORDER ? "order prefers " : "",
				    r->find[i].item, ncsc_class_name(r->find[i].cls),
				    r->find[i].version ? " in " : "",
				    r->find[i].version ? ncsc_version_name(r->find[i].version)
						       : "");
		for (i = 0; i < n; i++)
			if ((int)certs[i].cls == cls)
				(void)fprintf(f, "%s %s %s", shown++ ? "," : "", certs[i].item,
					      ncsc_class_name(certs[i].cls));
	}
	(void)fprintf(f, "%s\n", shown ? "" : " no findings");
}

void output_human(const struct domain_scan *ds, FILE *f, bool colour)
{
	size_t i, k;

	(void)fprintf(f, "%s%s%s\n", colour ? "\033[1m" : "", ds->name, colour ? "\033[0m" : "");
	for (i = 0; i < PROBE_COUNT; i++) {
		const struct probe_verdict *pv = &ds->verdict[i];

		(void)fprintf(f, "  %-9s %s%-5s%s", probe_registry[i]->name,
			      colour ? colour_of(pv->v) : "", verdict_name(pv->v),
			      colour ? "\033[0m" : "");
		for (k = 0; k < pv->nreasons; k++)
			(void)fprintf(f, "%s%s", k ? ", " : "  ", pv->reasons[k]);
		(void)fputc('\n', f);
	}
	if (ds->mx_error[0]) /* "MX lookup: ..." and why */
		(void)fprintf(f, "  %s\n", ds->mx_error);
	for (i = 0; i < ds->nmx; i++) {
		const struct mx_host *h = ds->mx[i].host;

		(void)fprintf(f, "  MX %u %s (dnssec %s, TLSA %s)\n", ds->mx[i].pref, h->name,
			      dnssec_state_name(h->sec), tlsa_state_name(h->tlsa_state));
		for (k = 0; k < h->naddr; k++) {
			const struct addr_result *ar = h->addr[k];

			(void)fprintf(f, "     %-16s %s", ar->ip, addr_status_name(ar->status));
			if (ar->tls_version[0])
				(void)fprintf(f, " %s %s, cert %s%s", ar->tls_version, ar->cipher,
					      ar->cert.pkix_valid ? "PKIX-valid" : "not PKIX-valid",
					      ar->cert.name_match ? "" : ", name mismatch");
			if (ar->dane != DANE_NOT_CHECKED)
				(void)fprintf(f, ", DANE %s", dane_match_name(ar->dane));
			if (ar->error[0] && !addr_status_answered(ar->status))
				(void)fprintf(f, " (%s)", ar->error);
			(void)fputc('\n', f);
			if (ar->ncsc)
				human_ncsc(ar, f);
		}
	}
	if (ds->sts.error)
		(void)fprintf(f, "  MTA-STS: %s\n", ds->sts.error);
	if (ds->sts.txt_error)
		(void)fprintf(f, "  MTA-STS TXT: %s\n", ds->sts.txt_error);
	if (ds->rpt.error[0])
		(void)fprintf(f, "  TLS-RPT: %s\n", ds->rpt.error);
	for (i = 0; i < PROBE_COUNT; i++) {
		const char *d;

		if (!probe_registry[i]->detail || ds->verdict[i].v == VERDICT_PASS ||
		    (ds->skipped & (1u << i)))
			continue;
		d = probe_registry[i]->detail(ds);
		if (d && *d)
			(void)fprintf(f, "  %s: %s\n", probe_registry[i]->title[1], d);
	}
}
