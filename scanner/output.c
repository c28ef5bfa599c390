/*
 * output.c - JSON Lines (SPEC §4) and human output of check results.
 *
 * "verdicts" and "reasons" are the stable interface; the rest is the
 * evidence behind them: per-name DNSSEC status, the MX set with every
 * address's SMTP/TLS facts and certificate, TLSA records, the MTA-STS
 * record and policy, the TLS-RPT record. Every string from the network
 * goes through the JSON escaper (json.c); the human output prints only
 * sanitised text.
 */
#include "output.h"

#include <string.h>

#include "../base/json.h"
#include "../probes/mtasts_policy.h"
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

/* RFC 7671 §8.1 style rollover: two or more 3xx, or 3xx with 2xx. */
static bool tlsa_rollover(const struct mx_host *h)
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

static void json_tlsa(struct json *j, const struct mx_host *h)
{
	size_t i, k;

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
		char rec[16 + 2 * 128 + 4];
		size_t off;
		const struct tlsa_rr *t = &h->tlsa[i];

		off = (size_t)snprintf(rec, sizeof(rec), "%u %u %u ", t->usage, t->selector,
				       t->mtype);
		for (k = 0; k < t->datalen && off + 3 < sizeof(rec); k++)
			off += (size_t)snprintf(rec + off, sizeof(rec) - off, "%02x", t->data[k]);
		json_str(j, rec);
	}
	json_arr_close(j);
	json_kint(j, "usable", (long long)h->tlsa_usable);
	json_kbool(j, "rollover", tlsa_rollover(h));
	json_obj_close(j);
}

static void json_cert(struct json *j, const struct cert_info *c)
{
	size_t i;

	json_key(j, "cert");
	if (!c->present) {
		json_null(j);
		return;
	}
	json_obj_open(j);
	json_kstr(j, "subject", c->subject);
	json_key(j, "san");
	json_arr_open(j);
	for (i = 0; i < c->nsan; i++)
		json_str(j, c->san[i]);
	json_arr_close(j);
	json_kstr(j, "issuer", c->issuer);
	json_kstr(j, "not_after", c->not_after);
	json_kstr(j, "key_type", c->key_type);
	json_kint(j, "key_bits", c->key_bits);
	json_kstr(j, "signature", c->sig_alg);
	json_kstr(j, "sha256", c->sha256);
	json_kint(j, "chain_length", (long long)c->chain_len);
	json_key(j, "chain");
	json_arr_open(j);
	for (i = 0; i < c->ncerts && i < SCAN_CHAIN_MAX; i++) {
		const struct cert_brief *b = &c->certs[i];

		json_obj_open(j);
		json_kstr(j, "subject", b->subject);
		json_kstr(j, "key_type", b->key_type);
		json_kint(j, "key_bits", b->key_bits);
		if (b->curve[0])
			json_kstr(j, "curve", b->curve);
		json_kstr(j, "signature", b->sig_alg);
		json_kstr(j, "signature_hash", b->sig_hash);
		json_kbool(j, "self_signed", b->self_signed);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_kbool(j, "pkix_valid", c->pkix_valid);
	if (!c->pkix_valid)
		json_kstr(j, "pkix_error", c->pkix_error);
	json_kbool(j, "name_match", c->name_match);
	json_obj_close(j);
}

static void json_ncsc_item(struct json *j, const struct ncsc_item *it, bool detail)
{
	json_obj_open(j);
	json_kstr(j, "aspect", ncsc_aspect_name(it->aspect));
	json_kstr(j, "item", it->item);
	json_kstr(j, "class", ncsc_class_name(it->cls));
	json_kstr(j, "version", it->version ? ncsc_version_name(it->version) : NULL);
	if (detail && it->detail[0])
		json_kstr(j, "detail", it->detail);
	if (detail)
		json_kstr(j, "ref", it->ref);
	json_obj_close(j);
}

static void json_tristate(struct json *j, const char *key, int v)
{
	json_key(j, key);
	if (v < 0)
		json_null(j);
	else
		json_bool(j, v != 0);
}

/* The probe's own part of the tls_ncsc evidence (everything but findings). */
static void json_ncsc_probe(struct json *j, const struct ncsc_result *r)
{
	size_t i;
	int vi;

	json_kstr(j, "state", ncsc_state_name(r->state));
	if (r->note[0])
		json_kstr(j, "note", r->note);
	json_kstr(j, "sni", r->sni);
	json_kint(j, "handshakes", r->handshakes);
	json_kint(j, "ms", r->elapsed_ms);
	json_key(j, "versions");
	json_obj_open(j);
	for (vi = 0; vi < NCSC_VERSIONS; vi++)
		json_kstr(j, ncsc_version_name(ncsc_version_of(vi)),
			  ncsc_vstate_name(r->version[vi]));
	json_obj_close(j);
	json_key(j, "seen");
	json_arr_open(j);
	for (i = 0; i < r->nseen; i++)
		json_ncsc_item(j, &r->seen[i], false);
	json_arr_close(j);
	json_tristate(j, "extended_master_secret", r->ems);
	json_tristate(j, "secure_renegotiation", r->secure_reneg);
	if (r->compression < 0)
		json_kstr(j, "compression", "not-tested");
	else
		json_kbool(j, "compression", r->compression == 1);
	json_kstr(j, "cipher_order",
		  r->order < 0    ? "not-applicable"
		  : r->order == 0 ? "ok"
				  : "violation");
	if (r->order == 1)
		json_kstr(j, "cipher_order_detail", r->order_detail);
}

/*
 * The tls_ncsc evidence of an address: the shared per-IP probe, and the
 * findings of this (host, IP)'s certificate chain. An address with a
 * handshake but no probe (--skip-tls-ncsc, or a local failure) gets state
 * "not-run" and the chain's findings, which still count (probes/tls_ncsc.c);
 * one without TLS gets null.
 */
static void json_ncsc(struct json *j, const struct addr_result *ar)
{
	const struct ncsc_result *r = ar->ncsc;
	struct ncsc_item certs[2 * SCAN_CHAIN_MAX];
	size_t i, n;

	json_key(j, "ncsc");
	if (!r && ar->status != ADDR_OK && ar->status != ADDR_TLS_OLD) {
		json_null(j);
		return;
	}
	json_obj_open(j);
	if (r)
		json_ncsc_probe(j, r);
	else
		json_kstr(j, "state", "not-run");
	json_key(j, "findings");
	json_arr_open(j);
	for (i = 0; r && i < r->nfind; i++)
		json_ncsc_item(j, &r->find[i], true);
	n = ncsc_cert_findings(&ar->cert, certs, 2 * SCAN_CHAIN_MAX);
	for (i = 0; i < n; i++)
		json_ncsc_item(j, &certs[i], true);
	json_arr_close(j);
	if (r && r->find_capped)
		json_kbool(j, "findings_capped", true);
	json_obj_close(j);
}

static void json_addr(struct json *j, const struct addr_result *ar)
{
	json_obj_open(j);
	json_kstr(j, "ip", ar->ip);
	json_kstr(j, "starttls", addr_status_name(ar->status));
	if (ar->error[0])
		json_kstr(j, "error", ar->error);
	if (ar->banner)
		json_kstr(j, "banner", ar->banner);
	if (ar->ehlo)
		json_kstr(j, "ehlo", ar->ehlo);
	if (ar->retried) {
		/* the transient failure of the first attempt (SPEC §9 politeness) */
		json_key(j, "first_attempt");
		json_obj_open(j);
		json_kstr(j, "starttls", addr_status_name(ar->first_status));
		json_kstr(j, "error", ar->first_error);
		json_obj_close(j);
	}
	if (ar->tls_version[0]) {
		json_kstr(j, "tls_version", ar->tls_version);
		json_kstr(j, "cipher", ar->cipher);
		json_kstr(j, "group", ar->group[0] ? ar->group : NULL);
		json_cert(j, &ar->cert);
	}
	json_kstr(j, "dane", ar->dane == DANE_NOT_CHECKED ? NULL : dane_match_name(ar->dane));
	if (ar->dane_detail[0])
		json_kstr(j, "dane_detail", ar->dane_detail);
	if (ar->tls_version[0])
		json_ncsc(j, ar);
	json_obj_close(j);
}

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
		json_tlsa(j, h);
		json_key(j, "addresses");
		json_arr_open(j);
		for (k = 0; k < h->naddr; k++)
			json_addr(j, h->addr[k]);
		json_arr_close(j);
		if (h->addr_capped)
			json_kbool(j, "addresses_capped", true);
		json_obj_close(j);
	}
	json_arr_close(j);
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
		    !(ds->skipped & (1u << i))) {
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
