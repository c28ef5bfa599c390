/*
 * registry.c - the list of probes, verdict helpers and names.
 */
#include "probe.h"

#include "../base/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct probe_ops *const probe_registry[PROBE_COUNT] = {
#define PROBE(name, ID) [PROBE_##ID] = &probe_##name,
#include "probes.def"
#undef PROBE
};

static int probe_txt_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t probe_txt_sorted(const struct dns_answer *a, const char **txt, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < a->n && n < max; i++)
		if (a->rr[i].type == DNS_T_TXT)
			txt[n++] = a->rr[i].txt ? a->rr[i].txt : "";
	if (n > 1)
		qsort(txt, n, sizeof(*txt), probe_txt_cmp);
	return n;
}

bool probe_fact(const struct domain_scan *ds, enum probe_fact f)
{
	size_t i;

	for (i = 0; i < PROBE_COUNT; i++)
		if (probe_registry[i]->fact && !(ds->skipped & (1u << i)) &&
		    probe_registry[i]->fact(ds, f))
			return true;
	return false;
}

const char *probe_name_parent(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot && strchr(dot + 1, '.') ? dot + 1 : NULL;
}

const struct probe_ops *probe_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < PROBE_COUNT; i++)
		if (strcmp(probe_registry[i]->name, name) == 0)
			return probe_registry[i];
	return NULL;
}

bool probe_shows(const struct domain_scan *ds, const struct probe_ops *p)
{
	return !(ds->skipped & (1u << p->id)) || p->evaluates_skipped;
}

void probe_mx_evidence(const struct domain_scan *ds, const struct mx_host *h,
		       const struct addr_result *ar, struct json *j, bool by_probe)
{
	size_t i;

	for (i = 0; i < PROBE_COUNT; i++) {
		const struct probe_ops *p = probe_registry[i];

		if (!(ar ? p->addr_evidence != NULL : p->host_evidence != NULL) ||
		    !probe_shows(ds, p))
			continue;
		if (by_probe) {
			json_key(j, p->name);
			json_obj_open(j);
		}
		if (ar)
			p->addr_evidence(ds, h, ar, j);
		else
			p->host_evidence(ds, h, j);
		if (by_probe)
			json_obj_close(j);
	}
}

const char *verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_PASS:
		return "pass";
	case VERDICT_WARN:
		return "warn";
	case VERDICT_FAIL:
		return "fail";
	case VERDICT_NA:
		return "n/a";
	case VERDICT_ERROR:
		return "error";
	case VERDICT_NONE:
		break;
	}
	return "error";
}

enum verdict verdict_from_name(const char *s)
{
	static const enum verdict all[] = {VERDICT_PASS, VERDICT_WARN, VERDICT_FAIL, VERDICT_NA,
					   VERDICT_ERROR};
	size_t i;

	for (i = 0; s && i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(s, verdict_name(all[i])) == 0)
			return all[i];
	return VERDICT_NONE;
}

int verdict_compliance(enum verdict v)
{
	switch (v) {
	case VERDICT_FAIL:
		return 0;
	case VERDICT_WARN:
		return 1;
	case VERDICT_PASS:
	case VERDICT_NA:
		return 2;
	case VERDICT_ERROR:
	case VERDICT_NONE:
		break;
	}
	return -1;
}

/* Severity within one probe's judgment (verdict_raise): n/a < pass < warn <
 * error < fail. */
static int verdict_rank(enum verdict v)
{
	static const int rank[] = {[VERDICT_NONE] = 0, [VERDICT_NA] = 1,    [VERDICT_PASS] = 2,
				   [VERDICT_WARN] = 3, [VERDICT_ERROR] = 4, [VERDICT_FAIL] = 5};
	return rank[v];
}

void verdict_raise(struct probe_verdict *pv, enum verdict v)
{
	if (verdict_rank(v) > verdict_rank(pv->v))
		pv->v = v;
}

void verdict_add_reason(struct probe_verdict *pv, enum reason r)
{
	const char *code = reason_code(r);
	size_t i;

	if (!code)
		return;

	for (i = 0; i < pv->nreasons; i++)
		if (pv->reasons[i] == code)
			return;
	if (pv->nreasons < SCAN_REASONS_MAX)
		pv->reasons[pv->nreasons++] = code;
}

/* The statuses that are findings are codes of the reason table ("address"
 * rows, and tls-version-old / starttls-rejected, which starttls also gives);
 * "ok" and "not-tested" are not. */
const char *addr_status_name(enum addr_status s)
{
	static const enum reason findings[] = {
	    [ADDR_TLS_OLD] = R_TLS_VERSION_OLD,
	    [ADDR_NO_STARTTLS] = R_NO_STARTTLS,
	    [ADDR_STARTTLS_REJECTED] = R_STARTTLS_REJECTED,
	    [ADDR_HANDSHAKE_FAILED] = R_HANDSHAKE_FAILED,
	    [ADDR_REFUSED] = R_REFUSED,
	    [ADDR_TIMEOUT] = R_TIMEOUT,
	    [ADDR_BAD_GREETING] = R_BAD_GREETING,
	    [ADDR_PROTOCOL] = R_PROTOCOL_ERROR,
	    [ADDR_UNREACHABLE_FAMILY] = R_FAMILY_UNREACHABLE,
	    [ADDR_LOCAL_ERROR] = R_LOCAL_ERROR,
	};

	if (s == ADDR_PENDING)
		return "not-tested";
	if (s == ADDR_OK)
		return "ok";
	return reason_code(findings[s]);
}

bool addr_status_answered(enum addr_status s)
{
	return s == ADDR_OK || s == ADDR_TLS_OLD || s == ADDR_NO_STARTTLS ||
	       s == ADDR_STARTTLS_REJECTED || s == ADDR_HANDSHAKE_FAILED;
}

bool probe_domain_failed(const struct domain_scan *ds)
{
	return ds->mx_kind == MX_ERROR || ds->mx_kind == MX_NXDOMAIN;
}

bool probe_domain_precheck(const struct domain_scan *ds, struct probe_verdict *out)
{
	switch (ds->mx_kind) {
	case MX_NXDOMAIN:
		out->v = VERDICT_ERROR;
		verdict_add_reason(out, R_NXDOMAIN);
		return true;
	case MX_ERROR:
		out->v = VERDICT_ERROR;
		verdict_add_reason(out, dns_status_reason(ds->mx_status));
		return true;
	case MX_PENDING:
		out->v = VERDICT_ERROR;
		verdict_add_reason(out, R_DNS_ERROR);
		return true;
	case MX_NULL:
	case MX_NONE:
	case MX_LIST:
		break;
	}
	return false;
}

bool probe_mail_precheck(const struct domain_scan *ds, struct probe_verdict *out)
{
	if (probe_domain_precheck(ds, out))
		return true;
	switch (ds->mx_kind) {
	case MX_NULL:
		out->v = VERDICT_NA;
		verdict_add_reason(out, R_NULL_MX);
		return true;
	case MX_NONE:
		out->v = VERDICT_NA;
		verdict_add_reason(out, R_NO_MX);
		return true;
	default:
		break;
	}
	return false;
}

const char *tlsa_state_name(enum tlsa_state s)
{
	switch (s) {
	case TLSA_NONE:
		return "none";
	case TLSA_PRESENT:
		return "present";
	case TLSA_BOGUS:
		return "bogus";
	case TLSA_ERROR:
		return "error";
	case TLSA_NOT_ASKED:
		break;
	}
	return "not-looked-up";
}

const char *dane_match_name(enum dane_match m)
{
	switch (m) {
	case DANE_MATCH:
		return "match";
	case DANE_MISMATCH:
		return "mismatch";
	case DANE_NO_TLS:
		return "no-tls";
	case DANE_NOT_CHECKED:
		break;
	}
	return "not-checked";
}
