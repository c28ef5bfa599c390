/*
 * starttls.c - the starttls probe (SPEC §3 starttls; RFC 3207).
 *
 * The SMTP sessions themselves run in smtp.c, once per (MX host, address),
 * shared by all domains. Here: pass when every MX address that answered
 * offers STARTTLS and completes a TLS >= 1.2 handshake; fail when one does
 * not; error when none answered at all (never fail for the untested).
 */
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

const struct probe_ops probe_starttls = {
    .name = "starttls",
    .id = PROBE_STARTTLS,
    .title = {"STARTTLS", "STARTTLS"},
    .level = PROBE_REQUIRED,
    .basis = {"RFC 3207", "RFC 3207"},
    .mx_bound = true,
    .evaluate = starttls_evaluate,
};
