/*
 * mtasts.c - the mta_sts probe (SPEC §3 mta_sts; RFC 8461).
 *
 * TXT at _mta-sts.<domain> (§3.1), then the policy over HTTPS from
 * mta-sts.<domain> (§3.3) resolved by our own DNS and handed to curl,
 * PKIX-checked, no redirects, text/plain, 64 KiB cap; parsed by
 * mtasts_policy.c; every MX must match a pattern (§4.1) and, in enforce
 * mode, present a PKIX-valid certificate for its name (§4.2).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../base/json.h"
#include "../base/str.h"
#include "mtasts_policy.h"
#include "probe.h"

#define STS_BODY_MAX 65536

static void sts_fail(struct sts_result *s, enum reason reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void sts_fail(struct sts_result *s, enum reason reason, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	if (s->reason != R_NONE)
		return;
	s->reason = reason;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	free(s->error);
	s->error = str_dup(msg);
}

static bool sts_ctype_plain(const char *ct)
{
	size_t n = strlen("text/plain");

	return str_iprefix(ct, "text/plain") && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static void sts_on_policy(struct domain_scan *ds, struct fetch_result *r)
{
	struct sts_result *s = &ds->sts;
	struct sts_policy p;
	char why[200];
	size_t i;

	s->fetched = true;
	s->http_status = r->http_status;
	(void)str_copy(s->content_type, sizeof(s->content_type), r->content_type);
	if (r->too_large) {
		sts_fail(s, R_POLICY_TOO_LARGE, "policy larger than %d bytes", STS_BODY_MAX);
		return;
	}
	if (r->tls_error) {
		sts_fail(s, R_POLICY_TLS_INVALID, "HTTPS: %s", r->error);
		return;
	}
	if (r->curl_code != 0) {
		sts_fail(s, R_POLICY_FETCH_FAILED, "HTTPS: %s", r->error);
		return;
	}
	if (r->http_status >= 300 && r->http_status < 400) {
		sts_fail(s, R_POLICY_REDIRECT, "HTTP %ld redirect (not followed, RFC 8461 §3.3)",
			 r->http_status);
		return;
	}
	if (r->http_status != 200) {
		sts_fail(s, R_POLICY_HTTP_STATUS, "HTTP status %ld", r->http_status);
		return;
	}
	s->body = malloc(r->body.len + 1);
	if (s->body) {
		memcpy(s->body, buf_str(&r->body), r->body.len + 1);
		s->body_len = r->body.len;
	}
	if (!sts_ctype_plain(r->content_type)) {
		sts_fail(s, R_POLICY_CONTENT_TYPE, "media type \"%s\", not text/plain",
			 r->content_type);
		return;
	}
	if (mtasts_policy_parse(buf_str(&r->body), r->body.len, &p, why, sizeof(why)) < 0) {
		sts_fail(s, R_POLICY_SYNTAX, "%s", why);
		return;
	}
	s->mode = (int)p.mode;
	s->max_age = p.max_age;
	s->mx = calloc(p.nmx ? p.nmx : 1, sizeof(char *));
	if (s->mx) {
		for (i = 0; i < p.nmx; i++)
			s->mx[i] = str_dup(p.mx[i]);
		s->nmx = p.nmx;
	}
	mtasts_policy_free(&p);
}

static void sts_maybe_fetch(struct domain_scan *ds, const struct probe_env *env)
{
	struct sts_result *s = &ds->sts;
	struct fetch_request req;
	char url[DNS_NAME_MAX + 64];

	if (s->addr_pending > 0)
		return;
	if (s->nips == 0 && s->bogus)
		return; /* not fetched: error, dnssec-bogus (mtasts_evaluate) */
	if (s->nips == 0) {
		sts_fail(s, R_POLICY_FETCH_FAILED, "mta-sts.%s has no address", ds->name);
		return;
	}
	(void)snprintf(url, sizeof(url), "https://mta-sts.%s/.well-known/mta-sts.txt", ds->name);
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.resolve = s->resolve;
	req.timeout_ms = (long)env->timeout_ms;
	req.max_body = STS_BODY_MAX;
	if (env->fetch(ds, &req, sts_on_policy) < 0)
		sts_fail(s, R_POLICY_FETCH_FAILED, "cannot start the HTTPS request");
}

static void sts_on_addr(struct domain_scan *ds, const struct dns_answer *a)
{
	struct sts_result *s = &ds->sts;
	size_t i;

	/* a bogus answer is no address a validating sender would connect to */
	if (a->sec == SEC_BOGUS)
		s->bogus = true;
	for (i = 0; i < a->n && a->sec != SEC_BOGUS; i++) {
		size_t len = strlen(s->resolve);
		bool v6 = a->rr[i].family == AF_INET6;

		if (len + strlen(a->rr[i].addr) + 4 >= sizeof(s->resolve))
			break;
		(void)snprintf(s->resolve + len, sizeof(s->resolve) - len, "%s%s%s%s",
			       s->nips ? "," : "", v6 ? "[" : "", a->rr[i].addr, v6 ? "]" : "");
		s->nips++;
	}
	s->addr_pending--;
	sts_maybe_fetch(ds, ds->env);
}

static void sts_on_txt(struct domain_scan *ds, const struct dns_answer *a)
{
	struct sts_result *s = &ds->sts;
	char why[200], host[DNS_NAME_MAX + 16];
	size_t i;

	s->txt_done = true;
	s->txt_status = a->status;
	/* A bogus answer is what a validating sender never sees (it gets
	 * SERVFAIL, RFC 4035 §5.5): neither a record nor proof of none. */
	if (a->sec == SEC_BOGUS) {
		s->bogus = true;
		s->txt_status = DNS_SERVFAIL;
		return;
	}
	if (a->status != DNS_OK)
		return;
	/* of several, the first in strcmp order: an RRset has no order, and
	 * the evidence of two runs must not differ by the answer's */
	for (i = 0; i < a->n; i++) {
		if (!mtasts_txt_is_sts(a->rr[i].txt))
			continue;
		s->ntxt++;
		if (!s->txt || strcmp(a->rr[i].txt, s->txt) < 0) {
			free(s->txt);
			s->txt = str_dup(a->rr[i].txt);
		}
	}
	if (s->ntxt != 1)
		return;
	if (mtasts_txt_parse(s->txt, s->id, why, sizeof(why)) < 0) {
		s->txt_error = str_dup(why);
		return;
	}
	(void)snprintf(host, sizeof(host), "mta-sts.%s", ds->name);
	(void)snprintf(s->resolve, sizeof(s->resolve), "mta-sts.%s:443:", ds->name);
	s->addr_pending = 2;
	if (ds->env->query(ds, host, DNS_T_A, sts_on_addr) < 0)
		s->addr_pending--;
	if (ds->env->query(ds, host, DNS_T_AAAA, sts_on_addr) < 0)
		s->addr_pending--;
	if (s->addr_pending == 0)
		sts_maybe_fetch(ds, ds->env);
}

static void mtasts_start(struct domain_scan *ds, const struct probe_env *env)
{
	char name[DNS_NAME_MAX + 16];

	(void)snprintf(name, sizeof(name), "_mta-sts.%s", ds->name);
	ds->sts.txt_status = DNS_FAILURE;
	(void)env->query(ds, name, DNS_T_TXT, sts_on_txt);
}

static void mtasts_evaluate(const struct domain_scan *ds, struct probe_verdict *out)
{
	const struct sts_result *s = &ds->sts;
	size_t i, j, k, answered = 0;

	if (probe_mail_precheck(ds, out))
		return;
	if (s->txt_status == DNS_NXDOMAIN || (s->txt_status == DNS_OK && s->ntxt == 0)) {
		out->v = VERDICT_FAIL;
		verdict_add_reason(out, R_NO_POLICY);
		return;
	}
	if (s->txt_status != DNS_OK) {
		out->v = VERDICT_ERROR;
		verdict_add_reason(out,
				   s->bogus ? R_DNSSEC_BOGUS : dns_status_reason(s->txt_status));
		return;
	}
	if (s->ntxt > 1) {
		out->v = VERDICT_FAIL;
		verdict_add_reason(out, R_STS_TXT_MULTIPLE);
		return;
	}
	if (s->txt_error) {
		out->v = VERDICT_FAIL;
		verdict_add_reason(out, R_STS_TXT_INVALID);
		return;
	}
	if (s->reason != R_NONE) {
		out->v = VERDICT_FAIL;
		verdict_add_reason(out, s->reason);
		return;
	}
	if (!s->fetched) {
		out->v = VERDICT_ERROR;
		verdict_add_reason(out, s->bogus ? R_DNSSEC_BOGUS : R_POLICY_FETCH_FAILED);
		return;
	}
	if (s->mode == STS_MODE_NONE) {
		out->v = VERDICT_FAIL;
		verdict_add_reason(out, R_POLICY_MODE_NONE);
		return;
	}
	for (i = 0; i < ds->nmx; i++) {
		const struct mx_host *h = ds->mx[i].host;
		bool matched = false;

		for (j = 0; j < s->nmx && !matched; j++)
			matched = mtasts_mx_match(s->mx[j], h->name);
		if (!matched) {
			verdict_raise(out, VERDICT_FAIL);
			verdict_add_reason(out, R_MX_NOT_IN_POLICY);
		}
		if (s->mode != STS_MODE_ENFORCE)
			continue;
		for (k = 0; k < h->naddr; k++) {
			const struct addr_result *ar = h->addr[k];

			if (!addr_status_answered(ar->status))
				continue;
			answered++;
			if (ar->status != ADDR_OK || !ar->cert.pkix_valid || !ar->cert.name_match) {
				verdict_raise(out, VERDICT_FAIL);
				verdict_add_reason(out, R_MX_CERT_INVALID);
			}
		}
	}
	if (out->v == VERDICT_FAIL)
		return;
	if (s->mode == STS_MODE_TESTING) {
		out->v = VERDICT_WARN;
		verdict_add_reason(out, R_POLICY_MODE_TESTING);
		return;
	}
	if (answered == 0) {
		out->v = VERDICT_ERROR;
		verdict_add_reason(out, R_MX_UNREACHABLE);
		return;
	}
	out->v = VERDICT_PASS;
}

static void mtasts_cleanup(struct domain_scan *ds)
{
	struct sts_result *s = &ds->sts;
	size_t i;

	free(s->txt);
	free(s->txt_error);
	free(s->body);
	free(s->error);
	for (i = 0; i < s->nmx; i++)
		free(s->mx[i]);
	free(s->mx);
	memset(s, 0, sizeof(*s));
}

static const char *sts_mode_name(int m)
{
	switch (m) {
	case STS_MODE_ENFORCE:
		return "enforce";
	case STS_MODE_TESTING:
		return "testing";
	case STS_MODE_NONE:
		return "none";
	default:
		return NULL;
	}
}

/* The evidence (SPEC §4 "mta_sts"): the TXT record, the policy as parsed
 * and as fetched (its first 4 KiB), and what went wrong. */
static void mtasts_evidence(const struct domain_scan *ds, struct json *j)
{
	const struct sts_result *s = &ds->sts;
	size_t i;

	json_obj_open(j);
	json_kstr(j, "txt", s->txt);
	if (s->ntxt > 1)
		json_kint(j, "txt_records", (long long)s->ntxt);
	if (s->txt_error)
		json_kstr(j, "txt_error", s->txt_error);
	json_key(j, "policy");
	if (s->fetched && s->reason == R_NONE && s->mode) {
		json_obj_open(j);
		json_kstr(j, "mode", sts_mode_name(s->mode));
		json_kint(j, "max_age", s->max_age);
		json_key(j, "mx");
		json_arr_open(j);
		for (i = 0; i < s->nmx; i++)
			json_str(j, s->mx[i]);
		json_arr_close(j);
		json_obj_close(j);
	} else {
		json_null(j);
	}
	if (s->fetched) {
		json_kint(j, "http_status", s->http_status);
		json_kstr(j, "content_type", s->content_type);
		if (s->body) {
			json_key(j, "policy_text");
			json_strn(j, s->body, s->body_len > 4096 ? 4096 : s->body_len);
		}
	}
	json_kstr(j, "error", s->error);
	json_obj_close(j);
}

const struct probe_ops probe_mta_sts = {
    .name = "mta_sts",
    .id = PROBE_MTA_STS,
    .title = {"MTA-STS", "MTA-STS"},
    .level = PROBE_RECOMMENDED,
    .basis = {"RFC 8461", "RFC 8461"},
    .start = mtasts_start,
    .evaluate = mtasts_evaluate,
    .cleanup = mtasts_cleanup,
    .evidence = mtasts_evidence,
};
