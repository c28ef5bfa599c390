/*
 * starttls.c - the starttls probe (SPEC §3 starttls; RFC 3207).
 *
 * The SMTP sessions themselves run in smtp.c, once per (MX host, address),
 * shared by all domains. Here: pass when every MX address that answered
 * offers STARTTLS and completes a TLS >= 1.2 handshake; fail when one does
 * not; error when none answered at all (never fail for the untested).
 */
#include "../base/json.h"
#include "probe.h"

static void starttls_evaluate(const struct domain_scan *ds, struct probe_verdict *out)
{
	size_t i, k, answered = 0;

	if (probe_mail_precheck(ds, out))
		return;
	for (i = 0; i < ds->nmx; i++) {
		const struct mx_host *h = ds->mx[i].host;

		for (k = 0; k < h->naddr; k++) {
			const struct addr_result *ar = h->addr[k];

			if (!addr_status_answered(ar->status))
				continue;
			answered++;
			switch (ar->status) {
			case ADDR_OK:
				verdict_raise(out, VERDICT_PASS);
				break;
			case ADDR_TLS_OLD:
				verdict_raise(out, VERDICT_FAIL);
				verdict_add_reason(out, R_TLS_VERSION_OLD);
				break;
			case ADDR_NO_STARTTLS:
				verdict_raise(out, VERDICT_FAIL);
				verdict_add_reason(out, R_STARTTLS_MISSING);
				break;
			case ADDR_STARTTLS_REJECTED:
				verdict_raise(out, VERDICT_FAIL);
				verdict_add_reason(out, R_STARTTLS_REJECTED);
				break;
			default:
				verdict_raise(out, VERDICT_FAIL);
				verdict_add_reason(out, R_TLS_HANDSHAKE_FAILED);
				break;
			}
		}
	}
	if (answered == 0) {
		out->v = VERDICT_ERROR;
		verdict_add_reason(out, R_MX_UNREACHABLE);
		return;
	}
	if (ds->null_mixed) {
		verdict_raise(out, VERDICT_WARN);
		verdict_add_reason(out, R_NULL_MX_MIXED);
	}
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

/* The evidence of an address (SPEC §4): the SMTP outcome, what the
 * server said, the one retry, and of a handshake the TLS version, cipher,
 * group and certificate chain. */
static void starttls_addr_evidence(const struct domain_scan *ds, const struct mx_host *h,
				   const struct addr_result *ar, struct json *j)
{
	(void)ds;
	(void)h;
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
}

const struct probe_ops probe_starttls = {
    .name = "starttls",
    .id = PROBE_STARTTLS,
    .title = {"STARTTLS", "STARTTLS"},
    .level = PROBE_REQUIRED,
    .basis = {"RFC 3207", "RFC 3207"},
    .mx_bound = true,
    .evaluate = starttls_evaluate,
    .addr_evidence = starttls_addr_evidence,
};
