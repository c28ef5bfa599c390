/*
 * tls_ncsc.c - the tls_ncsc verdict (SPEC §3 tls_ncsc): each MX address's
 * TLS configuration judged by the NCSC TLS guidelines (2025-05).
 *
 * The evidence is gathered per IP by the runner (tls_ncsc_run.c, ncsc.h:
 * the extra handshakes) and per (host, IP) by the STARTTLS probe (the
 * certificate chain). Here: fail when anything is insufficient, warn when anything is
 * phase-out, pass otherwise; error when no address could be tested (none
 * answered: mx-unreachable), and n/a for null MX / no MX like starttls. An
 * address that answered but offers no usable TLS (no STARTTLS, STARTTLS
 * refused, the handshake fails even with everything offered) fails:
 * ncsc-no-tls. Forum Standaardisatie's "STARTTLS volgens NCSC" figure is a
 * subset of its "STARTTLS" one; counting such a domain as untested would
 * drop it from the denominator and could put the NCSC figure above the
 * STARTTLS one. A probe cut short (time cap, budget, the domain's deadline)
 * keeps its findings, but no pass is claimed on it. With a DANE-TA record
 * (RFC 7672) the certificate must also name the MX host and lead to that
 * anchor, or the address fails (ncsc-dane-ta-cert-invalid), as internet.nl
 * judges it; without one, an untrusted chain or a certificate that does not
 * name the host is said for information (ncsc-cert-untrusted,
 * ncsc-cert-name-mismatch: SEV_INFO, the verdict stays). An MX host name
 * without CAA up to its registrable domain gets a notice beside the verdict
 * (ncsc-caa-missing, SEV_NOTICE; tls_ncsc_caa.c), as internet.nl gives it.
 * A server that allows client-initiated renegotiation (a second handshake
 * in the same session, asked for by the client; a cheap denial of service)
 * is said for information too (ncsc-client-renegotiation, SEV_INFO), as
 * internet.nl reports it for mail servers.
 */
#include "../base/json.h"
#include "ncsc.h"
#include "probe.h"

/* Raise the verdict and add the reason. */
static void tls_ncsc_add(struct probe_verdict *out, enum verdict v, enum reason r)
{
	verdict_raise(out, v);
	verdict_add_reason(out, r);
}

/* One phase-out or insufficient item: warn or fail with its reason. */
static void tls_ncsc_item(const struct ncsc_item *it, struct probe_verdict *out)
{
	bool bad = it->cls >= NCSC_INSUFFICIENT;
	enum verdict v = bad ? VERDICT_FAIL : VERDICT_WARN;

	switch (it->aspect) {
	case NCSC_A_VERSION:
		/* the 2025 edition has no phase-out version (ncsc_table.c) */
		tls_ncsc_add(out, VERDICT_FAIL, R_NCSC_TLS_VERSION_INSUFFICIENT);
		return;
	case NCSC_A_SUITE:
		tls_ncsc_add(out, v, bad ? R_NCSC_CIPHER_INSUFFICIENT : R_NCSC_CIPHER_PHASE_OUT);
		return;
	case NCSC_A_ORDER:
		tls_ncsc_add(out, v, R_NCSC_CIPHER_ORDER);
		return;
	case NCSC_A_KEX:
		tls_ncsc_add(out, v, bad ? R_NCSC_KEX_INSUFFICIENT : R_NCSC_KEX_PHASE_OUT);
		return;
	case NCSC_A_CERT_KEY:
		tls_ncsc_add(out, v,
			     bad ? R_NCSC_CERT_KEY_INSUFFICIENT : R_NCSC_CERT_KEY_PHASE_OUT);
		return;
	case NCSC_A_CERT_SIG:
		tls_ncsc_add(out, v,
			     bad ? R_NCSC_CERT_SIGNATURE_INSUFFICIENT
				 : R_NCSC_CERT_SIGNATURE_PHASE_OUT);
		return;
	case NCSC_A_COMPRESSION:
		tls_ncsc_add(out, v, R_NCSC_COMPRESSION);
		return;
	case NCSC_A_RENEG:
		tls_ncsc_add(out, v, R_NCSC_RENEGOTIATION_INSECURE);
		return;
	case NCSC_A_EMS:
		tls_ncsc_add(out, v, R_NCSC_EMS_MISSING);
		return;
	case NCSC_A_KEX_SIG:
		tls_ncsc_add(out, v,
			     bad ? R_NCSC_KEX_SIGNATURE_INSUFFICIENT
				 : R_NCSC_KEX_SIGNATURE_PHASE_OUT);
		return;
	}
}

static void tls_ncsc_judge(const struct ncsc_item *it, size_t n, struct probe_verdict *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (it[i].cls >= NCSC_PHASE_OUT)
			tls_ncsc_item(&it[i], out);
}

/* A DANE-TA (usage 2) record among the host's DNSSEC-signed TLSA records. */
static bool tls_ncsc_dane_ta(const struct mx_host *h)
{
	size_t i;

	if (h->tlsa_state != TLSA_PRESENT)
		return false;
	for (i = 0; i < h->ntlsa; i++)
		if (h->tlsa[i].usage == 2)
			return true;
	return false;
}

/*
 * Certificate trust and host name. With a DANE-TA record the chain must lead
 * to that trust anchor and name the host (RFC 7672 3.1.2, 3.2.2), which
 * internet.nl fails. Without one internet.nl reports both for information
 * only (an MX host is not found through a name a sender can check, RFC 7672
 * 1.3): so do we, as SEV_INFO reason codes beside the verdict that do not
 * lower it (ncsc-cert-untrusted: no chain to --ca-file or the system store;
 * ncsc-cert-name-mismatch: no DNS-ID for the MX host). They are codes, not
 * only evidence, so that a report lists them line by line like internet.nl,
 * with advice.
 */
static void tls_ncsc_cert_trust(const struct mx_host *h, const struct addr_result *ar,
				struct probe_verdict *out)
{
	if (tls_ncsc_dane_ta(h)) {
		if (!ar->cert.name_match || ar->dane != DANE_MATCH)
			tls_ncsc_add(out, VERDICT_FAIL, R_NCSC_DANE_TA_CERT_INVALID);
		return;
	}
	if (!ar->cert.pkix_valid)
		verdict_add_reason(out, R_NCSC_CERT_UNTRUSTED);
	if (!ar->cert.name_match)
		verdict_add_reason(out, R_NCSC_CERT_NAME_MISMATCH);
}

static void tls_ncsc_evaluate(const struct domain_scan *ds, struct probe_verdict *out)
{
	size_t i, k, answered = 0, tested = 0, no_tls = 0, cut = 0, skipped = 0;
	bool skip = ds->env && ds->env->ncsc_skip;
	struct ncsc_item certs[2 * SCAN_CHAIN_MAX];

	if (probe_mail_precheck(ds, out))
		return;
	/* a notice beside the verdict (internet.nl): never lowers it */
	for (i = 0; i < ds->nmx; i++)
		if (tls_ncsc_caa_missing(ds, ds->mx[i].host))
			verdict_add_reason(out, R_NCSC_CAA_MISSING);
	for (i = 0; i < ds->nmx; i++) {
		const struct mx_host *h = ds->mx[i].host;

		for (k = 0; k < h->naddr; k++) {
			const struct addr_result *ar = h->addr[k];
			const struct ncsc_result *r = ar->ncsc;

			if (!addr_status_answered(ar->status))
				continue;
			answered++;
			if (ar->status != ADDR_OK && ar->status != ADDR_TLS_OLD) {
				no_tls++;
				continue;
			}
			/* the chain is the STARTTLS probe's: judged even without the rest */
			tls_ncsc_cert_trust(h, ar, out);
			tls_ncsc_judge(
			    certs, ncsc_cert_findings(&ar->cert, certs, 2 * SCAN_CHAIN_MAX), out);
			if (!r) {
				/* a handshake, but no probe: switched off, or a local failure */
				if (skip)
					skipped++;
				else
					cut++;
				continue;
			}
			tested++;
			if (r->state != NCSC_DONE)
				cut++;
			tls_ncsc_judge(r->find, r->nfind, out);
			/* information beside the verdict (internet.nl): never lowers it */
			if (r->client_reneg == NCSC_RENEG_ALLOWED)
				verdict_add_reason(out, R_NCSC_CLIENT_RENEGOTIATION);
		}
	}
	if (answered == 0) {
		out->v = VERDICT_ERROR;
		verdict_add_reason(out, R_MX_UNREACHABLE);
		return;
	}
	if (no_tls > 0) {
		/* no usable TLS at all does not meet the guidelines: "STARTTLS
		 * volgens NCSC" can never count a domain that fails STARTTLS */
		verdict_raise(out, VERDICT_FAIL);
		verdict_add_reason(out, R_NCSC_NO_TLS);
	}
	if (tested + cut + skipped == 0)
		return; /* every address that answered has no usable TLS */
	verdict_raise(out, VERDICT_PASS);
	if (skipped > 0) {
		if (out->v == VERDICT_PASS)
			out->v = VERDICT_ERROR;
		verdict_add_reason(out, R_NCSC_SKIPPED);
	}
	if (cut > 0) {
		/* what was found stands; a pass on partial evidence does not */
		if (out->v == VERDICT_PASS)
			out->v = VERDICT_ERROR;
		verdict_add_reason(out, R_NCSC_INCOMPLETE);
	}
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
	json_kstr(j, "client_renegotiation", ncsc_reneg_name(r->client_reneg));
	if (r->client_reneg_detail[0])
		json_kstr(j, "client_renegotiation_detail", r->client_reneg_detail);
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

/* The evidence of an MX host: its CAA (tls_ncsc_caa.c). */
static void tls_ncsc_host_evidence(const struct domain_scan *ds, const struct mx_host *h,
				   struct json *j)
{
	tls_ncsc_caa_evidence(ds, h, j);
}

/* The evidence of an address with a handshake (SPEC §4 "ncsc"). */
static void tls_ncsc_addr_evidence(const struct domain_scan *ds, const struct mx_host *h,
				   const struct addr_result *ar, struct json *j)
{
	(void)ds;
	(void)h;
	if (ar->tls_version[0])
		json_ncsc(j, ar);
}

const struct probe_ops probe_tls_ncsc = {
    .name = "tls_ncsc",
    .id = PROBE_TLS_NCSC,
    .title = {"TLS volgens NCSC", "TLS per NCSC"},
    .level = PROBE_RECOMMENDED,
    .basis = {"NCSC ICT-beveiligingsrichtlijnen voor TLS (2025)", "NCSC TLS guidelines (2025)"},
    .mx_bound = true,
    .start = tls_ncsc_caa_start,
    .evaluate = tls_ncsc_evaluate,
    .cleanup = tls_ncsc_caa_cleanup,
    .evaluates_skipped = true, /* its certificate findings still count */
    .run_init = tls_ncsc_run_init,
    .addr_done = tls_ncsc_addr_done,
    .addr_free = tls_ncsc_addr_free,
    .run_free = tls_ncsc_run_free,
    .host_evidence = tls_ncsc_host_evidence,
    .addr_evidence = tls_ncsc_addr_evidence,
};
