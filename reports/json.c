/*
 * json.c - the report as one JSON document (for dashboards). The shape is
 * documented in reports/README.md; status words are the language-neutral
 * "pass", "fail", "explained", "n/a", "untested", names follow --lang.
 * Everything is written through base/json.c, which escapes all text.
 */
#include <string.h>

#include "../base/buf.h"
#include "../base/json.h"
#include "advice.h"
#include "report.h"

static const char *const rep_json_status[RS_COUNT] = {"pass", "fail", "explained", "n/a",
						      "untested"};

static void json_counts(struct json *j, const struct rep_count *c)
{
	double a = rep_adoption(c);

	json_obj_open(j);
	json_kint(j, "pass", (long long)c->n[RS_PASS]);
	json_kint(j, "fail", (long long)c->n[RS_FAIL]);
	json_kint(j, "explained", (long long)c->n[RS_EXPLAINED]);
	json_kint(j, "n/a", (long long)c->n[RS_NA]);
	json_kint(j, "untested", (long long)c->n[RS_UNTESTED]);
	json_key(j, "adoption");
	if (a < 0)
		json_null(j);
	else
		json_fixed1(j, a);
	json_obj_close(j);
}

/* "per_standard": {id: counts} over the standards present in the run. */
static void json_per_standard(struct json *j, const struct report *r, const struct rep_count *c)
{
	size_t s;

	json_key(j, "per_standard");
	json_obj_open(j);
	for (s = 0; s < rep_nstandards; s++)
		if (r->present[s]) {
			json_key(j, rep_standards[s].id);
			json_counts(j, &c[s]);
		}
	json_obj_close(j);
}

static void json_statuses(struct json *j, const struct report *r, const enum rep_status *st)
{
	size_t s;

	json_key(j, "status");
	json_obj_open(j);
	for (s = 0; s < rep_nstandards; s++)
		if (r->present[s])
			json_kstr(j, rep_standards[s].id, rep_json_status[st[s]]);
	json_obj_close(j);
}

/* An array of the parts of s between runs of sep ("" or NULL: empty). */
static void json_split(struct json *j, const char *s, const char *sep)
{
	const char *p = s ? s : "";

	json_arr_open(j);
	while (*p) {
		size_t n = strcspn(p, sep);

		if (n)
			json_strn(j, p, n);
		p += n;
		p += strspn(p, sep);
	}
	json_arr_close(j);
}

static void json_reasons(struct json *j, const char *reasons) { json_split(j, reasons, " "); }

/* The failed lookups of the domain, a string each ("NAME TYPE: STATUS
 * (ERROR)"), and how many more the scan did not list; only when any failed. */
static void json_dns_failures(struct json *j, const struct rep_domain *d)
{
	json_key(j, "dns_failures");
	json_split(j, d->dns_failures, "\n");
	if (d->dns_failures_more > 0)
		json_kint(j, "dns_failures_more", d->dns_failures_more);
}

static void json_advice(struct json *j, const struct report *r, const struct rep_domain *d)
{
	size_t i;

	json_key(j, "advice");
	json_arr_open(j);
	for (i = 0; i < d->nverdicts; i++) {
		const char *p = d->verdicts[i].reasons;

		while (p && *p) {
			size_t n = strcspn(p, " ");
			char code[64];
			const struct advice *a;

			(void)snprintf(code, sizeof(code), "%.*s", (int)(n < 63 ? n : 63), p);
			a = advice_find(code);
			if (a) {
				json_obj_open(j);
				json_kstr(j, "standard", d->verdicts[i].standard);
				json_kstr(j, "code", code);
				json_kstr(j, "what", a->what[r->lang == REP_EN]);
				json_kstr(j, "fix", a->fix[r->lang == REP_EN]);
				json_obj_close(j);
			}
			p += n;
			p += strspn(p, " ");
		}
	}
	json_arr_close(j);
}

static void json_kbool3(struct json *j, const char *key, int v)
{
	json_key(j, key);
	if (v < 0)
		json_null(j);
	else
		json_bool(j, v != 0);
}

/* "ncsc": the tls_ncsc evidence of an address, null when the probe did not
 * run on it. */
static void json_ncsc(struct json *j, const struct rep_addr *a)
{
	size_t i;

	json_key(j, "ncsc");
	if (!a->ncsc_state) {
		json_null(j);
		return;
	}
	json_obj_open(j);
	json_kstr(j, "state", a->ncsc_state);
	json_kint(j, "handshakes", a->ncsc_handshakes);
	json_kstr(j, "versions", a->ncsc_versions);
	json_key(j, "findings");
	json_arr_open(j);
	for (i = 0; i < a->nncsc; i++) {
		const struct rep_ncsc_finding *f = &a->ncsc[i];

		json_obj_open(j);
		json_kstr(j, "class", f->cls);
		json_kstr(j, "aspect", f->aspect);
		json_kstr(j, "item", f->item);
		json_kstr(j, "version", f->version);
		json_kstr(j, "detail", *f->detail ? f->detail : NULL);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

static void json_addr(struct json *j, const struct rep_addr *a)
{
	json_obj_open(j);
	json_kstr(j, "ip", a->ip);
	json_kstr(j, "starttls", a->starttls);
	json_kstr(j, "error", a->error);
	json_kstr(j, "banner", a->banner);
	json_kstr(j, "tls_version", a->tls_version);
	json_kstr(j, "cipher", a->cipher);
	json_kstr(j, "cert_subject", a->cert_subject);
	json_kstr(j, "cert_issuer", a->cert_issuer);
	json_kstr(j, "cert_not_after", a->cert_not_after);
	json_kstr(j, "cert_sha256", a->cert_sha256);
	json_kstr(j, "key_type", a->key_type);
	json_kint(j, "key_bits", a->key_bits);
	json_kstr(j, "signature", a->signature);
	json_kbool3(j, "pkix_valid", a->pkix_valid);
	json_kbool3(j, "name_match", a->name_match);
	json_kstr(j, "dane", a->dane);
	json_kbool(j, "retried", a->retried);
	json_kstr(j, "first_attempt", a->first_attempt);
	json_ncsc(j, a);
	json_obj_close(j);
}

static void json_domain(struct json *j, const struct report *r, const struct rep_domain *d)
{
	size_t i, k, s;

	json_obj_open(j);
	json_kstr(j, "name", d->name);
	json_key(j, "organisations");
	json_arr_open(j);
	for (i = 0; i < d->norgs; i++)
		json_str(j, r->orgs[d->orgs[i]].name);
	json_arr_close(j);
	json_statuses(j, r, d->status);
	json_key(j, "explanations");
	json_obj_open(j);
	for (s = 0; s < rep_nstandards; s++) {
		const struct rep_expl *e = d->expl[s];

		if (!r->present[s] || !e)
			continue;
		json_key(j, rep_standards[s].id);
		json_obj_open(j);
		json_kstr(j, "reason", e->reason);
		json_kstr(j, "valid_until", e->valid_until);
		json_kbool(j, "expired", d->status[s] != RS_EXPLAINED);
		json_kstr(j, "by", e->domain ? "domain" : "organisation");
		json_obj_close(j);
	}
	json_obj_close(j);
	json_key(j, "verdicts");
	json_obj_open(j);
	for (i = 0; i < d->nverdicts; i++) {
		json_key(j, d->verdicts[i].standard);
		json_obj_open(j);
		json_kstr(j, "verdict", d->verdicts[i].verdict);
		json_key(j, "reasons");
		json_reasons(j, d->verdicts[i].reasons);
		json_obj_close(j);
	}
	json_obj_close(j);
	json_advice(j, r, d);
	json_key(j, "evidence");
	json_obj_open(j);
	json_kstr(j, "checked_at", d->checked_at);
	json_kstr(j, "mx_error", d->mx_error);
	if (d->dns_failures && *d->dns_failures)
		json_dns_failures(j, d);
	json_key(j, "mx");
	json_arr_open(j);
	for (i = 0; i < d->nmx; i++) {
		const struct rep_mx *m = &d->mx[i];

		json_obj_open(j);
		json_kstr(j, "host", m->host);
		json_kint(j, "preference", m->preference);
		json_kstr(j, "provider", r->providers[m->provider].name);
		json_kstr(j, "dnssec", m->dnssec);
		json_kstr(j, "tlsa_state", m->tlsa_state);
		json_kstr(j, "tlsa", m->tlsa);
		json_kstr(j, "error", m->error);
		json_key(j, "addresses");
		json_arr_open(j);
		for (k = 0; k < m->naddrs; k++)
			json_addr(j, &m->addrs[k]);
		json_arr_close(j);
		json_obj_close(j);
	}
	json_arr_close(j);
	/* the probes' own evidence, flattened: {probe: {path: value}} */
	json_key(j, "probes");
	json_obj_open(j);
	for (i = 0; i < d->nev; i++) {
		const struct rep_evidence *e = &d->ev[i];

		if (i == 0 || strcmp(e->probe, d->ev[i - 1].probe) != 0) {
			if (i)
				json_obj_close(j);
			json_key(j, e->probe);
			json_obj_open(j);
		}
		json_kstr(j, e->path, e->value);
	}
	if (d->nev)
		json_obj_close(j);
	json_obj_close(j);
	json_obj_close(j);
	json_obj_close(j);
}

static const char *const json_expl_state[] = {"applied", "expired", "not-needed", "unused"};

/* How the run was made (the stored facts as stored: null for an older
 * run), and what became of the list. */
static void json_method(struct json *j, const struct report *r)
{
	size_t i;

	json_key(j, "provenance");
	if (!r->nprov) {
		json_null(j);
	} else {
		json_obj_open(j);
		for (i = 0; i < r->nprov; i++)
			json_kstr(j, r->prov[i].key, r->prov[i].value);
		json_obj_close(j);
	}
	json_key(j, "list");
	json_obj_open(j);
	json_kint(j, "entries", (long long)(r->run.n_entries + r->run.n_invalid));
	json_kint(j, "invalid", (long long)r->run.n_invalid);
	json_kint(j, "repeats",
		  r->run.n_entries > r->run.n_targets
		      ? (long long)(r->run.n_entries - r->run.n_targets)
		      : 0);
	json_kint(j, "unique", (long long)r->run.n_targets);
	json_kint(j, "scanned", (long long)r->ndomains);
	json_kint(j, "not_scanned",
		  r->run.n_targets > r->ndomains ? (long long)(r->run.n_targets - r->ndomains) : 0);
	json_kint(j, "not_tested", (long long)r->domains_untested);
	json_key(j, "invalid_entries");
	json_arr_open(j);
	for (i = 0; i < r->ninvalid; i++) {
		json_obj_open(j);
		json_kint(j, "line", (long long)r->invalid[i].line);
		json_kstr(j, "entry", r->invalid[i].entry);
		json_kstr(j, "reason", r->invalid[i].why);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_key(j, "not_tested_by_reason");
	json_obj_open(j);
	for (i = 0; i < r->nuntested; i++)
		json_kint(j, r->untested[i].code, (long long)r->untested[i].n);
	json_obj_close(j);
	json_obj_close(j);
}

/* The conclusion (report.head). */
static void json_headline(struct json *j, const struct report *r)
{
	const struct rep_headline *h = &r->head;
	size_t i;

	json_key(j, "headline");
	json_obj_open(j);
	json_key(j, "organisations_meeting_required");
	json_obj_open(j);
	json_kint(j, "meet", (long long)h->orgs_meet);
	json_kint(j, "not_fully_tested", (long long)h->orgs_untested);
	json_kint(j, "of", (long long)r->norgs);
	json_obj_close(j);
	json_key(j, "domains_meeting_required");
	json_obj_open(j);
	json_kint(j, "meet", (long long)h->domains_meet);
	json_kint(j, "not_fully_tested", (long long)h->domains_untested);
	json_kint(j, "of", (long long)r->ndomains);
	json_obj_close(j);
	json_key(j, "movers");
	json_arr_open(j);
	for (i = 0; i < h->nmovers; i++) {
		json_obj_open(j);
		json_kstr(j, "standard", rep_standards[h->movers[i].std].id);
		json_key(j, "before");
		json_fixed1(j, h->movers[i].before);
		json_key(j, "after");
		json_fixed1(j, h->movers[i].after);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_key(j, "providers");
	json_arr_open(j);
	for (i = 0; i < h->ntop; i++) {
		json_obj_open(j);
		json_kstr(j, "provider", r->providers[h->top[i].provider].name);
		json_kint(j, "fixable_verdicts", (long long)h->top[i].moves);
		json_kstr(j, "mostly", rep_standards[h->top[i].std].id);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

/* The slice of a --group-by report: "group": {"tag": KEY, "value": V or
 * null (the organisations without the tag)}; nothing for a whole run. */
static void json_group(struct json *j, const struct report *r)
{
	if (!r->filter)
		return;
	json_key(j, "group");
	json_obj_open(j);
	json_kstr(j, "tag", r->filter->key);
	json_kstr(j, "value", r->filter->value);
	json_kint(j, "organisations", (long long)r->norgs);
	json_kint(j, "domains", (long long)r->ndomains);
	json_obj_close(j);
}

static void json_header(struct json *j, const struct report *r)
{
	size_t s;

	json_key(j, "report");
	json_obj_open(j);
	json_kint(j, "run", r->run.id);
	json_kstr(j, "date", r->date);
	json_kstr(j, "started", r->run.started);
	json_kstr(j, "finished", r->run.finished[0] ? r->run.finished : NULL);
	json_kstr(j, "status", r->run.status);
	json_kstr(j, "label", r->run.label[0] ? r->run.label : NULL);
	json_kstr(j, "targets", r->run.targets[0] ? r->run.targets : NULL);
	json_kstr(j, "language", r->lang == REP_EN ? "en" : "nl");
	json_kstr(j, "options", r->run.options[0] ? r->run.options : NULL);
	json_group(j, r);
	json_obj_close(j);
	json_method(j, r);
	json_headline(j, r);
	json_key(j, "standards");
	json_arr_open(j);
	for (s = 0; s < rep_nstandards; s++) {
		if (!r->present[s])
			continue;
		json_obj_open(j);
		json_kstr(j, "id", rep_standards[s].id);
		json_kstr(j, "name", rep_standards[s].name[r->lang == REP_EN]);
		json_kstr(j, "level",
			  rep_standards[s].level == REP_REQUIRED ? "required" : "recommended");
		json_kstr(j, "basis", rep_standards[s].basis[r->lang == REP_EN]);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void json_summary(struct json *j, const struct report *r)
{
	size_t i, s;

	json_key(j, "summary");
	json_obj_open(j);
	json_kint(j, "domains", (long long)r->ndomains);
	json_kint(j, "organisations", (long long)r->norgs);
	json_per_standard(j, r, r->total);
	json_key(j, "organisations_per_standard");
	json_obj_open(j);
	for (s = 0; s < rep_nstandards; s++)
		if (r->present[s]) {
			json_key(j, rep_standards[s].id);
			json_counts(j, &r->total_orgs[s]);
		}
	json_obj_close(j);
	json_obj_close(j);
	json_key(j, "categories");
	json_arr_open(j);
	for (i = 0; i < r->ncats; i++) {
		json_obj_open(j);
		json_kstr(j, "name", r->cats[i].name);
		json_kint(j, "domains", (long long)r->cats[i].ndomains);
		json_kint(j, "organisations", (long long)r->cats[i].norgs);
		json_per_standard(j, r, r->cats[i].domains);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void json_orgs(struct json *j, const struct report *r)
{
	size_t i, k;

	json_key(j, "organisations");
	json_arr_open(j);
	for (i = 0; i < r->norgs; i++) {
		const struct rep_org *o = &r->orgs[i];

		json_obj_open(j);
		json_kstr(j, "name", o->name);
		json_kstr(j, "category", o->category);
		json_key(j, "domains");
		json_arr_open(j);
		for (k = 0; k < o->ndomains; k++)
			json_str(j, r->domains[o->domains[k]].name);
		json_arr_close(j);
		json_statuses(j, r, o->status);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void json_explanations(struct json *j, const struct report *r)
{
	size_t i;

	json_key(j, "explanations");
	json_arr_open(j);
	for (i = 0; i < r->nexpl; i++) {
		const struct rep_expl *e = &r->expl[i];

		json_obj_open(j);
		json_kstr(j, e->domain ? "domain" : "organisation",
			  e->domain ? e->domain : e->organisation);
		json_kstr(j, "standard", e->standard);
		json_kstr(j, "reason", e->reason);
		json_kstr(j, "valid_until", e->valid_until);
		json_kint(j, "line", (long long)e->line);
		json_kstr(j, "state", json_expl_state[e->state]);
		json_kint(j, "applied", (long long)e->applied);
		json_kint(j, "expired", (long long)e->expired);
		json_kint(j, "passing", (long long)e->passing);
		json_kint(j, "covered", (long long)e->covered);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void json_trend_changes(struct json *j, const struct report *r)
{
	size_t i, pass;

	json_key(j, "trend");
	json_arr_open(j);
	for (i = 0; i < r->ntrend; i++) {
		json_obj_open(j);
		json_kint(j, "run", r->trend[i].run);
		json_kstr(j, "date", r->trend[i].date);
		json_per_standard(j, r, r->trend[i].c);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_key(j, "changes");
	json_obj_open(j);
	json_key(j, "previous_run");
	if (r->prev_run)
		json_int(j, r->prev_run);
	else
		json_null(j);
	for (pass = 0; pass < 2; pass++) {
		json_key(j, pass ? "improved" : "regressed");
		json_arr_open(j);
		for (i = 0; i < r->nchanges; i++) {
			const struct rep_change *c = &r->changes[i];

			if (c->improved != (pass == 1))
				continue;
			json_obj_open(j);
			json_kstr(j, "domain", r->domains[c->domain].name);
			json_kstr(j, "standard", rep_standards[c->std].id);
			json_kstr(j, "before", rep_json_status[c->before]);
			json_kstr(j, "after", rep_json_status[c->after]);
			json_obj_close(j);
		}
		json_arr_close(j);
	}
	json_obj_close(j);
}

static void json_providers(struct json *j, const struct report *r)
{
	size_t i, k, s;

	json_key(j, "providers");
	json_arr_open(j);
	for (i = 0; i < r->nproviders; i++) {
		const struct rep_provider *p = &r->providers[i];

		json_obj_open(j);
		json_kstr(j, "name", p->name);
		json_key(j, "hosts");
		json_arr_open(j);
		for (k = 0; k < p->nhosts; k++)
			json_str(j, p->hosts[k]);
		json_arr_close(j);
		json_kint(j, "domains", (long long)p->ndomains);
		json_kint(j, "organisations", (long long)p->norgs);
		json_per_standard(j, r, p->c);
		json_key(j, "fixable");
		json_obj_open(j);
		for (s = 0; s < rep_nstandards; s++)
			if (r->present[s] && p->fixable[s])
				json_kint(j, rep_standards[s].id, (long long)p->fixable[s]);
		json_obj_close(j);
		json_obj_close(j);
	}
	json_arr_close(j);
}

/* The finished document j (in b) to f as one line; frees b. 0, or -1 on a
 * JSON or write error. */
static int json_flush(const struct json *j, struct buf *b, FILE *f)
{
	int rc =
	    json_status(j) < 0 || buf_addch(b, '\n') < 0 || fwrite(b->data, 1, b->len, f) != b->len
		? -1
		: 0;

	buf_free(b);
	return rc;
}

static int json_render(const struct report *r, FILE *f)
{
	struct buf b;
	struct json j;
	size_t i;

	buf_init(&b, 0);
	json_init(&j, &b);
	json_obj_open(&j);
	json_header(&j, r);
	json_summary(&j, r);
	json_orgs(&j, r);
	json_key(&j, "domains");
	json_arr_open(&j);
	for (i = 0; i < r->ndomains; i++)
		json_domain(&j, r, &r->domains[i]);
	json_arr_close(&j);
	json_explanations(&j, r);
	json_trend_changes(&j, r);
	json_providers(&j, r);
	json_obj_close(&j);
	return json_flush(&j, &b, f);
}

const struct report_ops report_json = {.name = "json", .render = json_render};

/* ---- the exception report (report --changes-only) ---- */

static void json_change_list(struct json *j, const struct report *r, bool improved)
{
	char reasons[1024];
	size_t i, k;

	json_key(j, improved ? "improved" : "regressed");
	json_arr_open(j);
	for (i = 0; i < r->nchanges; i++) {
		const struct rep_change *c = &r->changes[i];
		const struct rep_domain *d = &r->domains[c->domain];

		if (c->improved != improved)
			continue;
		json_obj_open(j);
		json_kstr(j, "domain", d->name);
		json_key(j, "organisations");
		json_arr_open(j);
		for (k = 0; k < d->norgs; k++)
			json_str(j, r->orgs[d->orgs[k]].name);
		json_arr_close(j);
		json_kstr(j, "standard", rep_standards[c->std].id);
		json_kstr(j, "before", rep_json_status[c->before]);
		json_kstr(j, "after", rep_json_status[c->after]);
		json_key(j, "reasons");
		json_reasons(j, rep_reasons_of(d, c->std, reasons, sizeof(reasons)));
		json_obj_close(j);
	}
	json_arr_close(j);
}

/* {"run", "date", "previous_run" (null: none), "group" (a slice only),
 * "regressed": [...], "improved": [...]}; each change with its domain,
 * organisations, standard, before, after and the reason codes now. */
static int json_changes_render(const struct report *r, FILE *f)
{
	struct buf b;
	struct json j;
	size_t i;

	buf_init(&b, 0);
	json_init(&j, &b);
	json_obj_open(&j);
	json_kint(&j, "run", r->run.id);
	json_kstr(&j, "date", r->date);
	json_key(&j, "previous_run");
	if (r->prev_run)
		json_int(&j, r->prev_run);
	else
		json_null(&j);
	json_key(&j, "previous_date");
	for (i = 0; i < r->ntrend && r->trend[i].run != r->prev_run; i++)
		;
	json_str(&j, r->prev_run && i < r->ntrend ? r->trend[i].date : NULL);
	json_kstr(&j, "language", r->lang == REP_EN ? "en" : "nl");
	json_group(&j, r);
	json_change_list(&j, r, false);
	json_change_list(&j, r, true);
	json_obj_close(&j);
	return json_flush(&j, &b, f);
}

const struct report_ops report_changes_json = {.name = "json", .render = json_changes_render};
