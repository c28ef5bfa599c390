/*
 * tlsrpt.c - the tlsrpt probe (SPEC §3 tlsrpt; RFC 8460 §3).
 *
 * TXT at _smtp._tls.<domain>: records not starting "v=TLSRPTv1" are
 * ignored; exactly one must remain and parse (tlsrpt_record.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/json.h"
#include "../base/str.h"
#include "probe.h"
#include "tlsrpt_record.h"

static void tlsrpt_on_txt(struct domain_scan *ds, const struct dns_answer *a)
{
	struct rpt_result *r = &ds->rpt;
	size_t i;

	r->done = true;
	r->status = a->status;
	/* A bogus answer is what a validating sender never sees (it gets
	 * SERVFAIL, RFC 4035 §5.5): neither a record nor proof of none. */
	if (a->sec == SEC_BOGUS) {
		r->bogus = true;
		r->status = DNS_SERVFAIL;
		return;
	}
	if (a->status != DNS_OK)
		return;
	/* of several, the first in strcmp order (an RRset has no order) */
	for (i = 0; i < a->n; i++) {
		if (!tlsrpt_txt_is_tlsrpt(a->rr[i].txt))
			continue;
		r->nrec++;
		if (!r->txt || strcmp(a->rr[i].txt, r->txt) < 0) {
			free(r->txt);
			r->txt = str_dup(a->rr[i].txt);
		}
	}
	if (r->nrec == 1 && tlsrpt_txt_parse(r->txt, r->error, sizeof(r->error)) < 0)
		r->reason = R_TLSRPT_INVALID;
}

static void tlsrpt_start(struct domain_scan *ds, const struct probe_env *env)
{
	char name[DNS_NAME_MAX + 16];

	(void)snprintf(name, sizeof(name), "_smtp._tls.%s", ds->name);
	ds->rpt.status = DNS_FAILURE;
	(void)env->query(ds, name, DNS_T_TXT, tlsrpt_on_txt);
}

static void tlsrpt_evaluate(const struct domain_scan *ds, struct probe_verdict *out)
{
	const struct rpt_result *r = &ds->rpt;

	if (probe_mail_precheck(ds, out))
		return;
	if (r->status == DNS_NXDOMAIN || (r->status == DNS_OK && r->nrec == 0)) {
		out->v = VERDICT_FAIL;
		verdict_add_reason(out, R_NO_RECORD);
	} else if (r->status != DNS_OK) {
		out->v = VERDICT_ERROR;
		verdict_add_reason(out, r->bogus ? R_DNSSEC_BOGUS : dns_status_reason(r->status));
	} else if (r->nrec > 1) {
		out->v = VERDICT_FAIL;
		verdict_add_reason(out, R_TLSRPT_MULTIPLE);
	} else if (r->reason != R_NONE) {
		out->v = VERDICT_FAIL;
		verdict_add_reason(out, r->reason);
	} else {
		out->v = VERDICT_PASS;
	}
}

static void tlsrpt_cleanup(struct domain_scan *ds)
{
	free(ds->rpt.txt);
	ds->rpt.txt = NULL;
}

/* The evidence (SPEC §4 "tlsrpt"): the record, how many there were, and
 * what was wrong with it. */
static void tlsrpt_evidence(const struct domain_scan *ds, struct json *j)
{
	json_obj_open(j);
	json_kstr(j, "txt", ds->rpt.txt);
	if (ds->rpt.nrec > 1)
		json_kint(j, "records", (long long)ds->rpt.nrec);
	json_kstr(j, "error", ds->rpt.error[0] ? ds->rpt.error : NULL);
	json_obj_close(j);
}

const struct probe_ops probe_tlsrpt = {
    .name = "tlsrpt",
    .id = PROBE_TLSRPT,
    .title = {"TLS-RPT", "TLS-RPT"},
    .level = PROBE_RECOMMENDED,
    .basis = {"RFC 8460", "RFC 8460"},
    .start = tlsrpt_start,
    .evaluate = tlsrpt_evaluate,
    .cleanup = tlsrpt_cleanup,
    .evidence = tlsrpt_evidence,
};
