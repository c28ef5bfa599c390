/*
 * report.c - evaluation of a stored run for the compliance report (SPEC §7):
 * the table of standards, combining stored verdicts, explanations, the
 * aggregates per organisation, category and provider, trend and changes.
 * See report.h. Rendering lives in html.c, md.c, csv.c and json.c.
 */
#include "report.h"

#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/str.h"
#include "../probes/probe.h"

/* ---- the standards: from the probe registry ---- */

static struct rep_standard rep_std[REP_STD_MAX];
static size_t rep_nstd;
/* room for the joined ids, names and bases of combined standards */
static char rep_std_text[REP_STD_MAX][5][256];

/* "a" SEP "b" into out; a cut text (never with the registry's words) is
 * still terminated. */
static void rep_join(char *out, size_t n, const char *a, const char *sep, const char *b)
{
	if (snprintf(out, n, "%s%s%s", a, sep, b) >= (int)n)
		out[n - 1] = '\0';
}

static void rep_std_build(void)
{
	size_t i, k, f;

	for (i = 0; i < PROBE_COUNT && rep_nstd < REP_STD_MAX; i++) {
		const struct probe_ops *p = probe_registry[i];
		struct rep_standard *st;
		size_t nparts = 1;

		if (p->report_with)
			continue;
		st = &rep_std[rep_nstd];
		st->id = p->name;
		st->name[0] = p->title[0];
		st->name[1] = p->title[1];
		st->basis[0] = p->basis[0];
		st->basis[1] = p->basis[1];
		st->level = p->level == PROBE_REQUIRED ? REP_REQUIRED : REP_RECOMMENDED;
		st->mx_bound = p->mx_bound;
		st->parts[0] = p->name;
		for (k = 0; k < PROBE_COUNT; k++) {
			const struct probe_ops *q = probe_registry[k];
			char(*t)[256] = rep_std_text[rep_nstd];
			char tmp[5][256], both[2][256];

			if (!q->report_with || strcmp(q->report_with, p->name) != 0 ||
			    nparts >= REP_PARTS_MAX)
				continue;
			st->parts[nparts++] = q->name;
			rep_join(tmp[0], sizeof(tmp[0]), st->id, "_", q->name);
			rep_join(tmp[1], sizeof(tmp[1]), st->name[0], " en ", q->title[0]);
			rep_join(tmp[2], sizeof(tmp[2]), st->name[1], " and ", q->title[1]);
			rep_join(both[0], sizeof(both[0]), st->basis[0], ", ", q->basis[0]);
			rep_join(both[1], sizeof(both[1]), st->basis[1], ", ", q->basis[1]);
			if (snprintf(tmp[3], sizeof(tmp[3]), "%s; voldoet als %s allebei voldoen",
				     both[0], tmp[1]) >= (int)sizeof(tmp[3]))
				tmp[3][sizeof(tmp[3]) - 1] = '\0';
			if (snprintf(tmp[4], sizeof(tmp[4]), "%s; complies when %s both pass",
				     both[1], tmp[2]) >= (int)sizeof(tmp[4]))
				tmp[4][sizeof(tmp[4]) - 1] = '\0';
			for (f = 0; f < 5; f++)
				memcpy(t[f], tmp[f], sizeof(t[f]));
			st->id = t[0];
			st->name[0] = t[1];
			st->name[1] = t[2];
			st->basis[0] = t[3];
			st->basis[1] = t[4];
			if (q->level == PROBE_REQUIRED)
				st->level = REP_REQUIRED;
			st->mx_bound = st->mx_bound || q->mx_bound;
		}
		st->parts[nparts] = NULL;
		rep_nstd++;
	}
}

const struct rep_standard *rep_standards_table(void)
{
	if (!rep_nstd)
		rep_std_build();
	return rep_std;
}

size_t rep_standards_count(void)
{
	if (!rep_nstd)
		rep_std_build();
	return rep_nstd;
}

/* Standards whose failures sit with the MX hosts (so a provider can fix them
 * for every domain that uses only that provider). */
static bool rep_mx_bound(size_t s) { return rep_standards[s].mx_bound; }

static const char *const rep_status_words[2][RS_COUNT] = {
    {"voldoet", "voldoet niet", "uitgelegd", "n.v.t.", "niet getest"},
    {"pass", "fail", "explained", "n/a", "not tested"},
};

const char *rep_status_name(enum rep_lang lang, enum rep_status s)
{
	return s < RS_COUNT ? rep_status_words[lang == REP_EN][s] : "?";
}

const char *rep_level_name(enum rep_lang lang, enum rep_level l)
{
	if (l == REP_REQUIRED)
		return lang == REP_EN ? "required" : "verplicht";
	return lang == REP_EN ? "recommended" : "aanbevolen";
}

const char *rep_run_status_name(enum rep_lang lang, const char *status)
{
	/* the statuses db_run_finish and db_merge store (db/db.h) */
	static const char *const words[][3] = {
	    {"done", "afgerond", "finished"},    {"partial", "gedeeltelijk", "partial"},
	    {"running", "loopt nog", "running"}, {"stopped", "gestopt", "stopped"},
	    {"failed", "mislukt", "failed"},
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(status, words[i][0]) == 0)
			return words[i][lang == REP_EN ? 2 : 1];
	return NULL;
}

double rep_adoption(const struct rep_count *c)
{
	unsigned long d = c->n[RS_PASS] + c->n[RS_FAIL] + c->n[RS_EXPLAINED];

	return d ? 100.0 * (double)c->n[RS_PASS] / (double)d : -1;
}

/* ---- combining stored verdicts ---- */

/* The status of standard s from the stored verdicts (name, verdict) pairs:
 * any fail or warn fails; else any error (or a missing part) is untested;
 * all n/a is n/a; else pass. */
static enum rep_status rep_combine(size_t s, const char *const *names, const char *const *verdicts,
				   size_t n)
{
	const char *const *p;
	bool fail = false, untested = false, all_na = true;
	size_t i;

	for (p = rep_standards[s].parts; *p; p++) {
		const char *v = NULL;

		for (i = 0; i < n; i++)
			if (strcmp(names[i], *p) == 0)
				v = verdicts[i];
		switch (verdict_from_name(v)) {
		case VERDICT_FAIL:
		case VERDICT_WARN:
			fail = true;
			all_na = false;
			break;
		case VERDICT_NA:
			break;
		case VERDICT_PASS:
			all_na = false;
			break;
		case VERDICT_ERROR:
		case VERDICT_NONE: /* missing, or a word no mailscan writes */
			untested = true;
			all_na = false;
			break;
		}
	}
	if (fail)
		return RS_FAIL;
	if (untested)
		return RS_UNTESTED;
	return all_na ? RS_NA : RS_PASS;
}

static void rep_domain_statuses(struct rep_domain *d)
{
	const char *names[16], *verdicts[16];
	size_t i, n = 0;

	for (i = 0; i < d->nverdicts && n < 16; i++, n++) {
		names[n] = d->verdicts[i].standard;
		verdicts[n] = d->verdicts[i].verdict;
	}
	for (i = 0; i < rep_nstandards; i++)
		d->status[i] = d->raw[i] = rep_combine(i, names, verdicts, n);
}

/* ---- small helpers ---- */

static int rep_grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *q;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 16;
	q = realloc(*p, c * size);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

static char *rep_dup(const char *s) { return s ? str_dup(s) : NULL; }

static int rep_domain_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct rep_domain *)elem)->name);
}

static struct rep_domain *rep_find_domain(const struct report *r, const char *name)
{
	/* bsearch and qsort on NULL are undefined even for 0 elements */
	if (!r->ndomains)
		return NULL;
	return bsearch(name, r->domains, r->ndomains, sizeof(*r->domains), rep_domain_cmp);
}

struct rep_load {
	struct report *r;
	size_t cap;
	int failed;
};

/* ---- reading the run ---- */

static int load_domain(const struct db_rep_domain *d, void *arg)
{
	struct rep_load *l = arg;
	struct report *r = l->r;
	struct rep_domain *x;

	if (r->filter && !rep_filter_has(r->filter->domains, r->filter->ndomains, d->name))
		return 0;

	if (rep_grow((void **)&r->domains, &l->cap, r->ndomains, sizeof(*r->domains)) < 0)
		return -1;
	x = &r->domains[r->ndomains++];
	memset(x, 0, sizeof(*x));
	x->name = rep_dup(d->name);
	x->checked_at = rep_dup(d->checked_at);
	x->mx_error = rep_dup(d->mx_error);
	x->dns_failures = rep_dup(d->dns_failures);
	x->dns_failures_more = d->dns_failures_more;
	return x->name && (!d->dns_failures || x->dns_failures) ? 0 : -1;
}

static int load_verdict(const struct db_rep_verdict *v, void *arg)
{
	struct rep_load *l = arg;
	struct rep_domain *d = rep_find_domain(l->r, v->domain);
	struct rep_verdict *nv;

	if (!d)
		return 0;
	nv = realloc(d->verdicts, (d->nverdicts + 1) * sizeof(*nv));
	if (!nv)
		return -1;
	d->verdicts = nv;
	nv = &d->verdicts[d->nverdicts++];
	nv->standard = rep_dup(v->standard);
	nv->verdict = rep_dup(v->verdict);
	nv->reasons = rep_dup(v->reasons ? v->reasons : "");
	return nv->standard && nv->verdict && nv->reasons ? 0 : -1;
}

/* (domain, organisation) pairs, collected first */
struct rep_pair {
	size_t domain;
	char *org, *cat;
};

struct rep_pairs {
	struct report *r;
	struct rep_pair *p;
	size_t n, cap;
};

static int load_org(const struct db_rep_org *o, void *arg)
{
	struct rep_pairs *ps = arg;
	struct rep_domain *d = rep_find_domain(ps->r, o->domain);
	struct rep_pair *p;

	if (!d)
		return 0;
	if (ps->r->filter &&
	    !rep_filter_has(ps->r->filter->orgs, ps->r->filter->norgs, o->organisation))
		return 0;
	if (rep_grow((void **)&ps->p, &ps->cap, ps->n, sizeof(*ps->p)) < 0)
		return -1;
	p = &ps->p[ps->n];
	p->domain = (size_t)(d - ps->r->domains);
	p->org = rep_dup(o->organisation);
	p->cat = rep_dup(o->category ? o->category : "");
	if (!p->org || !p->cat) {
		free(p->org);
		free(p->cat);
		return -1;
	}
	ps->n++;
	return 0;
}

static int org_cmp(const void *a, const void *b)
{
	const struct rep_org *x = a, *y = b;
	int c = strcmp(x->category, y->category);

	return c ? c : strcmp(x->name, y->name);
}

static int org_find(const struct report *r, const char *name)
{
	size_t i;

	/* linear: organisations number in the thousands at most, and this runs
	 * once per (domain, organisation) pair */
	for (i = 0; i < r->norgs; i++)
		if (strcmp(r->orgs[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int rep_append_idx(size_t **a, size_t *n, size_t v)
{
	size_t *q, i;

	for (i = 0; i < *n; i++)
		if ((*a)[i] == v)
			return 0;
	q = realloc(*a, (*n + 1) * sizeof(*q));
	if (!q)
		return -1;
	q[(*n)++] = v;
	*a = q;
	return 0;
}

static int rep_build_orgs(struct report *r, struct rep_pairs *ps)
{
	size_t i, cap = 0;

	for (i = 0; i < ps->n; i++) {
		struct rep_org *o;

		if (org_find(r, ps->p[i].org) >= 0)
			continue;
		if (rep_grow((void **)&r->orgs, &cap, r->norgs, sizeof(*r->orgs)) < 0)
			return -1;
		o = &r->orgs[r->norgs];
		memset(o, 0, sizeof(*o));
		o->name = str_dup(ps->p[i].org);
		o->category = str_dup(ps->p[i].cat);
		if (!o->name || !o->category) {
			free(o->name);
			free(o->category);
			return -1;
		}
		r->norgs++;
	}
	if (r->norgs)
		qsort(r->orgs, r->norgs, sizeof(*r->orgs), org_cmp);
	for (i = 0; i < ps->n; i++) {
		int k = org_find(r, ps->p[i].org);

		if (k < 0)
			continue;
		if (rep_append_idx(&r->orgs[k].domains, &r->orgs[k].ndomains, ps->p[i].domain) <
			0 ||
		    rep_append_idx(&r->domains[ps->p[i].domain].orgs,
				   &r->domains[ps->p[i].domain].norgs, (size_t)k) < 0)
			return -1;
	}
	return 0;
}

static int load_mx(const struct db_rep_mx *m, void *arg)
{
	struct rep_load *l = arg;
	struct rep_domain *d = rep_find_domain(l->r, m->domain);
	struct rep_mx *nm;

	if (!d)
		return 0;
	nm = realloc(d->mx, (d->nmx + 1) * sizeof(*nm));
	if (!nm)
		return -1;
	d->mx = nm;
	nm = &d->mx[d->nmx];
	memset(nm, 0, sizeof(*nm));
	nm->host = rep_dup(m->host);
	nm->dnssec = rep_dup(m->dnssec);
	nm->tlsa_state = rep_dup(m->tlsa_state);
	nm->tlsa = rep_dup(m->tlsa);
	nm->error = rep_dup(m->error);
	nm->preference = m->preference;
	d->nmx++;
	return nm->host ? 0 : -1;
}

static int load_evidence(const struct db_rep_evidence *e, void *arg)
{
	struct rep_load *l = arg;
	struct rep_domain *d = rep_find_domain(l->r, e->domain);
	struct rep_evidence *ne;

	if (!d)
		return 0;
	ne = realloc(d->ev, (d->nev + 1) * sizeof(*ne));
	if (!ne)
		return -1;
	d->ev = ne;
	ne = &d->ev[d->nev++];
	ne->probe = rep_dup(e->probe);
	ne->path = rep_dup(e->path);
	ne->value = rep_dup(e->value);
	return ne->probe && ne->path && ne->value ? 0 : -1;
}

/* A copy of the n bytes at p, NUL-terminated; NULL when out of memory. */
static char *rep_dupn(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

/* One stored finding line (len bytes at p): class, aspect, item, version
 * ("-": none) and detail, separated by tabs; a missing field is "", fields
 * after the fifth are ignored (room for more in later versions). */
static int rep_ncsc_line(struct rep_addr *a, const char *p, size_t len)
{
	struct rep_ncsc_finding *f = realloc(a->ncsc, (a->nncsc + 1) * sizeof(*f));
	char **field[5];
	size_t i, n;

	if (!f)
		return -1;
	a->ncsc = f;
	f = &a->ncsc[a->nncsc++];
	memset(f, 0, sizeof(*f));
	field[0] = &f->cls;
	field[1] = &f->aspect;
	field[2] = &f->item;
	field[3] = &f->version;
	field[4] = &f->detail;
	for (i = 0; i < 5; i++) {
		const char *tab = memchr(p, '\t', len);

		n = tab ? (size_t)(tab - p) : len;
		*field[i] = rep_dupn(p, n);
		if (!*field[i])
			return -1;
		n += n < len; /* the tab */
		p += n;
		len -= n;
	}
	if (strcmp(f->version, "-") == 0 || !*f->version) {
		free(f->version);
		f->version = NULL;
	}
	return 0;
}

/* The stored findings text, one finding per line, into a->ncsc. */
static int rep_ncsc_parse(struct rep_addr *a, const char *text)
{
	const char *p = text ? text : "";

	while (*p) {
		size_t len = strcspn(p, "\n");

		if (len && rep_ncsc_line(a, p, len) < 0)
			return -1;
		p += len;
		p += *p == '\n';
	}
	return 0;
}

static int load_addr(const struct db_rep_addr *a, void *arg)
{
	struct rep_load *l = arg;
	struct rep_domain *d = rep_find_domain(l->r, a->domain);
	struct rep_mx *m = NULL;
	struct rep_addr *na;
	size_t i;

	for (i = 0; d && i < d->nmx; i++)
		if (strcmp(d->mx[i].host, a->host) == 0)
			m = &d->mx[i];
	if (!m)
		return 0;
	na = realloc(m->addrs, (m->naddrs + 1) * sizeof(*na));
	if (!na)
		return -1;
	m->addrs = na;
	na = &m->addrs[m->naddrs++];
	memset(na, 0, sizeof(*na));
	na->ip = rep_dup(a->ip);
	na->starttls = rep_dup(a->starttls);
	na->tls_version = rep_dup(a->tls_version);
	na->cipher = rep_dup(a->cipher);
	na->cert_sha256 = rep_dup(a->cert_sha256);
	na->cert_subject = rep_dup(a->cert_subject);
	na->cert_issuer = rep_dup(a->cert_issuer);
	na->cert_not_after = rep_dup(a->cert_not_after);
	na->key_type = rep_dup(a->key_type);
	na->signature = rep_dup(a->signature);
	na->dane = rep_dup(a->dane);
	na->error = rep_dup(a->error);
	na->banner = rep_dup(a->banner);
	na->first_attempt = rep_dup(a->first_attempt);
	na->key_bits = a->key_bits;
	na->pkix_valid = a->pkix_valid;
	na->name_match = a->name_match;
	na->retried = a->retried;
	if (a->ncsc_state) {
		na->ncsc_state = rep_dup(a->ncsc_state);
		na->ncsc_versions = rep_dup(a->ncsc_versions);
		na->ncsc_handshakes = a->ncsc_handshakes;
		if (rep_ncsc_parse(na, a->ncsc_findings) < 0)
			return -1;
	}
	return na->ip ? 0 : -1;
}

/* ---- providers ---- */

/* The registrable domain of an MX host name (Public Suffix List); the name
 * itself when the list knows no better. */
static char *rep_provider_name(const psl_ctx_t *psl, const char *host)
{
	const char *reg = psl ? psl_registrable_domain(psl, host) : NULL;

	return str_dup(reg ? reg : host);
}

static int rep_provider_index(struct report *r, size_t *cap, const char *name, size_t *out)
{
	struct rep_provider *p;
	size_t i;

	for (i = 0; i < r->nproviders; i++)
		if (strcmp(r->providers[i].name, name) == 0) {
			*out = i;
			return 0;
		}
	if (rep_grow((void **)&r->providers, cap, r->nproviders, sizeof(*r->providers)) < 0)
		return -1;
	p = &r->providers[r->nproviders];
	memset(p, 0, sizeof(*p));
	p->name = str_dup(name);
	if (!p->name)
		return -1;
	*out = r->nproviders++;
	return 0;
}

static int rep_provider_host(struct rep_provider *p, const char *host)
{
	char **h;
	size_t i;

	for (i = 0; i < p->nhosts; i++)
		if (strcmp(p->hosts[i], host) == 0)
			return 0;
	h = realloc(p->hosts, (p->nhosts + 1) * sizeof(*h));
	if (!h)
		return -1;
	p->hosts = h;
	h[p->nhosts] = str_dup(host);
	if (!h[p->nhosts])
		return -1;
	p->nhosts++;
	return 0;
}

static int provider_cmp(const void *a, const void *b)
{
	const struct rep_provider *x = a, *y = b;

	if (x->ndomains != y->ndomains)
		return x->ndomains > y->ndomains ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int host_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Assign providers to MX hosts and count per provider (after statuses). */
static int rep_build_providers(struct report *r)
{
	/* Debian's publicsuffix data if installed, else libpsl's built-in list */
	psl_ctx_t *latest = psl_latest(NULL);
	const psl_ctx_t *psl = latest ? latest : psl_builtin();
	size_t i, k, s, cap = 0, *seen = NULL, nseen;
	int rc = -1;

	for (i = 0; i < r->ndomains; i++) {
		struct rep_domain *d = &r->domains[i];

		for (k = 0; k < d->nmx; k++) {
			char *name = rep_provider_name(psl, d->mx[k].host);
			size_t idx;

			if (!name || rep_provider_index(r, &cap, name, &idx) < 0 ||
			    rep_provider_host(&r->providers[idx], d->mx[k].host) < 0) {
				free(name);
				goto out;
			}
			free(name);
			d->mx[k].provider = idx;
		}
	}
	/* counts: each domain once per provider it uses */
	seen = calloc(r->nproviders ? r->nproviders : 1, sizeof(*seen));
	if (!seen)
		goto out;
	for (i = 0; i < r->ndomains; i++) {
		struct rep_domain *d = &r->domains[i];

		nseen = 0;
		for (k = 0; k < d->nmx; k++) {
			size_t p = d->mx[k].provider, j;
			bool dup = false;

			for (j = 0; j < nseen; j++)
				dup = dup || seen[j] == p;
			if (!dup)
				seen[nseen++] = p;
		}
		for (k = 0; k < nseen; k++) {
			struct rep_provider *p = &r->providers[seen[k]];
			size_t j;

			for (j = 0; j < d->norgs; j++)
				if (rep_append_idx(&p->orgs, &p->norgs, d->orgs[j]) < 0)
					goto out;
			p->ndomains++;
			for (s = 0; s < rep_nstandards; s++) {
				p->c[s].n[d->status[s]]++;
				if (nseen == 1 && d->status[s] == RS_FAIL && rep_mx_bound(s))
					p->fixable[s]++;
			}
		}
	}
	for (i = 0; i < r->nproviders; i++)
		qsort(r->providers[i].hosts, r->providers[i].nhosts, sizeof(char *), host_cmp);
	/* sort, keeping the domains' provider indexes right */
	{
		struct rep_provider *sorted;
		size_t *map;

		sorted = malloc((r->nproviders ? r->nproviders : 1) * sizeof(*sorted));
		map = malloc((r->nproviders ? r->nproviders : 1) * sizeof(*map));
		if (!sorted || !map) {
			free(sorted);
			free(map);
			goto out;
		}
		if (r->nproviders) /* memcpy from NULL is undefined, even of 0 bytes */
			memcpy(sorted, r->providers, r->nproviders * sizeof(*sorted));
		qsort(sorted, r->nproviders, sizeof(*sorted), provider_cmp);
		for (i = 0; i < r->nproviders; i++)
			for (k = 0; k < r->nproviders; k++)
				if (sorted[k].name == r->providers[i].name)
					map[i] = k;
		for (i = 0; i < r->ndomains; i++)
			for (k = 0; k < r->domains[i].nmx; k++)
				r->domains[i].mx[k].provider = map[r->domains[i].mx[k].provider];
		free(r->providers);
		r->providers = sorted;
		free(map);
	}
	rc = 0;
out:
	free(seen);
	psl_free(latest);
	return rc;
}

/* ---- explanations ("leg uit") ---- */

static bool rep_expl_covers(const struct report *r, const struct rep_expl *e,
			    const struct rep_domain *d)
{
	size_t i;

	if (e->domain)
		return strcmp(e->domain, d->name) == 0;
	for (i = 0; i < d->norgs; i++)
		if (strcmp(r->orgs[d->orgs[i]].name, e->organisation) == 0)
			return true;
	return false;
}

/* Which explanation of a failure counts: a valid one before an expired one
 * (a renewed explanation is usually added below the lapsed one), then the
 * domain's own before its organisation's, then the first in the file. */
static int rep_expl_rank(const struct report *r, const struct rep_expl *e)
{
	return (strcmp(e->valid_until, r->date) >= 0 ? 2 : 0) + (e->domain ? 1 : 0);
}

/* For each failing domain and standard: the explanation rep_expl_rank
 * picks. Valid on the run's date: uitgelegd; expired: the failure counts,
 * and the report says so. */
static void rep_apply_explanations(struct report *r)
{
	size_t i, s, k;

	for (i = 0; i < r->ndomains; i++) {
		struct rep_domain *d = &r->domains[i];

		for (s = 0; s < rep_nstandards; s++) {
			struct rep_expl *use = NULL;

			for (k = 0; k < r->nexpl; k++) {
				struct rep_expl *e = &r->expl[k];

				if (e->std != s || !rep_expl_covers(r, e, d))
					continue;
				e->covered++;
				if (d->raw[s] == RS_PASS)
					e->passing++;
				if (!use || rep_expl_rank(r, e) > rep_expl_rank(r, use))
					use = e;
			}
			if (!use || d->raw[s] != RS_FAIL)
				continue;
			d->expl[s] = use;
			if (strcmp(use->valid_until, r->date) >= 0) {
				d->status[s] = RS_EXPLAINED;
				use->applied++;
			} else {
				use->expired++;
			}
		}
	}
	for (k = 0; k < r->nexpl; k++) {
		struct rep_expl *e = &r->expl[k];

		/* not needed: it covers domains, none of them fails with it (they
		 * pass, take no mail, were not tested, or another explanation of
		 * theirs is used) */
		e->state = e->applied   ? EXPL_APPLIED
			   : e->expired ? EXPL_EXPIRED
			   : e->covered ? EXPL_NOT_NEEDED
					: EXPL_UNUSED;
	}
}

/* ---- aggregates ---- */

/* An organisation complies when all its domains do: any fail fails, then
 * any untested, all n/a is n/a, explained when one is, else pass. */
static enum rep_status rep_org_status(const struct report *r, const struct rep_org *o, size_t s)
{
	bool fail = false, untested = false, explained = false, all_na = true;
	size_t i;

	for (i = 0; i < o->ndomains; i++) {
		enum rep_status st = r->domains[o->domains[i]].status[s];

		fail = fail || st == RS_FAIL;
		untested = untested || st == RS_UNTESTED;
		explained = explained || st == RS_EXPLAINED;
		all_na = all_na && st == RS_NA;
	}
	if (fail)
		return RS_FAIL;
	if (untested)
		return RS_UNTESTED;
	if (all_na)
		return RS_NA;
	return explained ? RS_EXPLAINED : RS_PASS;
}

static int rep_cat_index(struct report *r, size_t *cap, const char *name, size_t *out)
{
	size_t i;

	for (i = 0; i < r->ncats; i++)
		if (strcmp(r->cats[i].name, name) == 0) {
			*out = i;
			return 0;
		}
	if (rep_grow((void **)&r->cats, cap, r->ncats, sizeof(*r->cats)) < 0)
		return -1;
	memset(&r->cats[r->ncats], 0, sizeof(r->cats[0]));
	r->cats[r->ncats].name = str_dup(name);
	if (!r->cats[r->ncats].name)
		return -1;
	*out = r->ncats++;
	return 0;
}

static int cat_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rep_category *)a)->name,
		      ((const struct rep_category *)b)->name);
}

static int rep_aggregate(struct report *r)
{
	size_t i, k, s, cap = 0, c;

	for (i = 0; i < r->norgs; i++) {
		struct rep_org *o = &r->orgs[i];

		for (s = 0; s < rep_nstandards; s++) {
			o->status[s] = rep_org_status(r, o, s);
			r->total_orgs[s].n[o->status[s]]++;
		}
		if (rep_cat_index(r, &cap, o->category, &c) < 0)
			return -1;
		r->cats[c].norgs++;
		for (s = 0; s < rep_nstandards; s++)
			r->cats[c].orgs[s].n[o->status[s]]++;
	}
	for (i = 0; i < r->ndomains; i++) {
		struct rep_domain *d = &r->domains[i];
		size_t cats[64], ncats = 0, j;

		for (s = 0; s < rep_nstandards; s++)
			r->total[s].n[d->status[s]]++;
		/* once per distinct category of the organisations listing it */
		if (d->norgs == 0) {
			if (rep_cat_index(r, &cap, "", &c) < 0)
				return -1;
			cats[ncats++] = c;
		}
		for (k = 0; k < d->norgs && ncats < 64; k++) {
			bool dup = false;

			if (rep_cat_index(r, &cap, r->orgs[d->orgs[k]].category, &c) < 0)
				return -1;
			for (j = 0; j < ncats; j++)
				dup = dup || cats[j] == c;
			if (!dup)
				cats[ncats++] = c;
		}
		for (j = 0; j < ncats; j++) {
			r->cats[cats[j]].ndomains++;
			for (s = 0; s < rep_nstandards; s++)
				r->cats[cats[j]].domains[s].n[d->status[s]]++;
		}
	}
	if (r->ncats)
		qsort(r->cats, r->ncats, sizeof(*r->cats), cat_cmp);
	return 0;
}

/* ---- trend and changes ---- */

struct rep_trend_state {
	struct report *r;
	size_t cap;
	long long run;
	char domain[256];
	const char *names[16];
	const char *verdicts[16];
	char store[16][2][16];
	size_t n;
	size_t changes_cap;
};

static int rep_change_add(struct report *r, size_t *cap, size_t domain, size_t s,
			  enum rep_status before, enum rep_status after)
{
	struct rep_change *c;
	int rb = before == RS_FAIL ? 0 : 1, ra = after == RS_FAIL ? 0 : 1;

	if (before == after || before == RS_UNTESTED || after == RS_UNTESTED || ra == rb)
		return 0;
	if (rep_grow((void **)&r->changes, cap, r->nchanges, sizeof(*r->changes)) < 0)
		return -1;
	c = &r->changes[r->nchanges++];
	c->domain = domain;
	c->std = s;
	c->before = before;
	c->after = after;
	c->improved = ra > rb;
	return 0;
}

/* The verdicts of one domain of one run are complete: count them. */
static int rep_trend_flush(struct rep_trend_state *t)
{
	struct report *r = t->r;
	struct rep_trend *p;
	size_t s;

	if (t->n == 0)
		return 0;
	p = &r->trend[r->ntrend - 1];
	for (s = 0; s < rep_nstandards; s++) {
		enum rep_status st = rep_combine(s, t->names, t->verdicts, t->n);

		p->c[s].n[st]++;
		if (t->run == r->prev_run) {
			struct rep_domain *d = rep_find_domain(r, t->domain);

			if (d && rep_change_add(r, &t->changes_cap, (size_t)(d - r->domains), s, st,
						d->raw[s]) < 0)
				return -1;
		}
	}
	t->n = 0;
	return 0;
}

static int load_trend(const struct db_rep_trend_row *row, void *arg)
{
	struct rep_trend_state *t = arg;
	struct report *r = t->r;

	if (row->run > r->run.id)
		return 1; /* the future of this run is not its report */
	if (r->filter && !rep_filter_has(r->filter->domains, r->filter->ndomains, row->domain))
		return 0; /* another slice's domain */
	if (row->run != t->run || strcmp(row->domain, t->domain) != 0) {
		if (rep_trend_flush(t) < 0)
			return -1;
		(void)str_copy(t->domain, sizeof(t->domain), row->domain);
	}
	if (row->run != t->run) {
		struct rep_trend *p;

		if (rep_grow((void **)&r->trend, &t->cap, r->ntrend, sizeof(*r->trend)) < 0)
			return -1;
		p = &r->trend[r->ntrend++];
		memset(p, 0, sizeof(*p));
		p->run = row->run;
		(void)snprintf(p->date, sizeof(p->date), "%.10s", row->started);
		t->run = row->run;
	}
	if (t->n < 16) {
		(void)str_copy(t->store[t->n][0], sizeof(t->store[0][0]), row->standard);
		(void)str_copy(t->store[t->n][1], sizeof(t->store[0][1]), row->verdict);
		t->names[t->n] = t->store[t->n][0];
		t->verdicts[t->n] = t->store[t->n][1];
		t->n++;
	}
	return 0;
}

/* ---- building ---- */

struct rep_pick {
	long long want, found, prev;
};

static int pick_run(const struct db_run *run, void *arg)
{
	struct rep_pick *p = arg;
	bool finished = strcmp(run->status, "done") == 0 || strcmp(run->status, "partial") == 0;

	if (p->want == 0 && finished)
		p->found = run->id;
	if (p->want > 0 && run->id == p->want)
		p->found = run->id;
	return 0;
}

static int pick_prev(const struct db_run *run, void *arg)
{
	struct rep_pick *p = arg;
	bool finished = strcmp(run->status, "done") == 0 || strcmp(run->status, "partial") == 0;

	if (finished && run->id < p->found)
		p->prev = run->id;
	return 0;
}

/* ---- how the run was made, the list, the conclusion ---- */

static const struct {
	const char *key, *label[2];
} rep_prov_labels[] = {
    {"mailscan", {"mailscan-versie", "mailscan version"}},
    {"libraries", {"Bibliotheken", "Libraries"}},
    {"host", {"Meetmachine", "Scanning host"}},
    {"dns_mode", {"DNS", "DNS"}},
    {"resolver", {"Validerende resolver", "Validating resolver"}},
    {"ad_trusted", {"AD-bit vertrouwd", "AD bit trusted"}},
    {"root_hints", {"Rootservers", "Root servers"}},
    {"trust_anchor", {"DNSSEC-vertrouwensanker", "DNSSEC trust anchor"}},
    {"trust_anchor_keys", {"Sleutels van het anker (key tags)", "Anchor keys (key tags)"}},
    {"ca_file", {"CA-certificaten (PKIX)", "CA certificates (PKIX)"}},
    {"targets", {"Doelenlijst", "Target list"}},
    {"targets_sha256", {"SHA-256 van de lijst", "SHA-256 of the list"}},
    {"targets_bytes", {"Grootte van de lijst (bytes)", "Size of the list (bytes)"}},
    {"skipped", {"Niet uitgevoerde controles", "Checks not run"}},
    {"rpki_cache", {"RPKI-cache (RTR)", "RPKI cache (RTR)"}},
    {"rpki_vrps", {"RPKI-VRP-bestand", "RPKI VRP file"}},
    {"bgp_table", {"Routeringstabel (prefix en AS)", "Routing table (prefix and AS)"}},
    {"dkim_selectors", {"DKIM-selectors", "DKIM selectors"}},
    {"merged_from", {"Samengevoegd uit", "Merged from"}},
};

/* The fixed words of provenance values (scanner/provenance.h). */
static const struct {
	const char *key, *value, *words[2];
} rep_prov_values[] = {
    {"dns_mode",
     "recursive",
     {"recursief vanaf de rootservers (libunbound valideert)",
      "recursive from the root servers (libunbound validates)"}},
    {"dns_mode",
     "stub",
     {"via een validerende resolver (stub-modus)", "through a validating resolver (stub mode)"}},
    {"ad_trusted",
     "loopback",
     {"alleen van een resolver op loopback", "only from a resolver on loopback"}},
    {"ad_trusted",
     "--resolver-trusted",
     {"ook buiten loopback (--resolver-trusted)", "off loopback too (--resolver-trusted)"}},
    {"root_hints", "built-in", {"ingebouwd (de echte root)", "built in (the real root)"}},
    {"trust_anchor",
     "built-in",
     {"ingebouwd: de rootsleutels van IANA", "built in: IANA's root keys"}},
    {"trust_anchor", "resolver", {"dat van de resolver", "the resolver's own"}},
    {"ca_file", "system", {"de certificaatopslag van het systeem", "the system's store"}},
};

static const char *const rep_words[RW_COUNT][2] = {
    [RW_GROUP] = {"Selectie", "Selection"},
    [RW_GROUP_WITH] = {"organisaties met", "organisations with"},
    [RW_GROUP_WITHOUT] = {"organisaties zonder", "organisations without"},
    [RW_GROUP_NO_ORG] = {"en de domeinen die geen organisatie noemt",
			 "and the domains no organisation lists"},
    [RW_GROUP_NOTE] = {"Alle cijfers, ook de trend en de veranderingen, gaan alleen over de "
		       "domeinen van deze organisaties; de verantwoording van de meting en van "
		       "de lijst geldt voor de hele run.",
		       "Every figure, the trend and the changes included, covers only the "
		       "domains of these organisations; how the measurement was made and what "
		       "became of the list are the whole run's."},
    [RW_CHG_TITLE] = {"Veranderingen sinds run", "Changes since run"},
    [RW_CHG_OF] = {"in run", "in run"},
    [RW_CHG_NONE] = {"geen veranderingen sinds run", "no changes since run"},
    [RW_CHG_NO_PREV] = {"geen eerdere afgeronde run om mee te vergelijken",
			"no earlier finished run to compare with"},
    [RW_CHG_IN] = {"voor", "for"},
    [RW_IMPROVED] = {"Verbeterd", "Improved"},
    [RW_REGRESSED] = {"Verslechterd", "Regressed"},
    [RW_N_IMPROVED] = {"verbeterd", "improved"},
    [RW_N_REGRESSED] = {"verslechterd", "regressed"},
    [RW_DOMAIN] = {"Domein", "Domain"},
    [RW_ORGS] = {"Organisaties", "Organisations"},
    [RW_STANDARD] = {"Standaard", "Standard"},
    [RW_WAS] = {"Was", "Was"},
    [RW_NOW] = {"Nu", "Now"},
    [RW_REASONS_NOW] = {"Redenen nu", "Reasons now"},
    [RW_HEADLINE] = {"Conclusie", "Conclusion"},
    [RW_HEAD_ORGS] = {"organisaties voldoen aan alle verplichte standaarden",
		      "organisations meet every required standard"},
    [RW_HEAD_ORGS_UNTESTED] = {"zonder afwijking, maar niet alles getest",
			       "without a failure, but not everything tested"},
    [RW_HEAD_DOMAINS] = {"van de domeinen", "of the domains"},
    [RW_HEAD_REQUIRED] = {"Verplicht (pas toe of leg uit)", "Required (comply or explain)"},
    [RW_HEAD_MOVERS] = {"Grootste verschuivingen sinds run", "Biggest movers since run"},
    [RW_HEAD_NO_PREV] = {"Geen eerdere meting om mee te vergelijken.",
			 "No earlier run to compare with."},
    [RW_HEAD_NO_MOVE] = {"geen standaard veranderde van adoptie",
			 "no standard changed its adoption"},
    [RW_HEAD_POINTS] = {"procentpunt", "points"},
    [RW_HEAD_PROVIDERS] = {"Mailproviders waarvan een reparatie de meeste afwijkingen oplost",
			   "Mail providers whose fix would solve the most failures"},
    [RW_HEAD_NO_PROVIDER] = {"Geen afwijking die alleen bij één provider ligt.",
			     "No failure that lies with one provider alone."},
    [RW_HEAD_VERDICTS] = {"domeinoordelen", "domain verdicts"},
    [RW_HEAD_VERDICT] = {"domeinoordeel", "domain verdict"},
    [RW_HEAD_MOSTLY] = {"vooral", "mostly"},
    [RW_METHOD] = {"Verantwoording van de meting", "How the measurement was made"},
    [RW_PROV_NONE] = {"Niet vastgelegd: deze run is gemaakt door een oudere mailscan.",
		      "Not recorded: this run was made by an older mailscan."},
    [RW_FACT] = {"Gegeven", "Item"},
    [RW_VALUE] = {"Waarde", "Value"},
    [RW_OPTIONS] = {"Opties", "Options"},
    [RW_LIST] = {"De lijst en de meting", "The list and the scan"},
    [RW_L_ENTRIES] = {"Vermeldingen van een domein in de lijst", "Domain entries in the list"},
    [RW_L_INVALID] = {"waarvan ongeldig (overgeslagen)", "of which invalid (skipped)"},
    [RW_L_REPEATS] = {"waarvan herhaling van een domein (samengevoegd)",
		      "of which repeats of a domain (folded)"},
    [RW_L_UNIQUE] = {"Unieke domeinen", "Unique domains"},
    [RW_L_STORED] = {"Gemeten", "Scanned"},
    [RW_L_NOT_STORED] = {"Niet gemeten (de run stopte eerder)",
			 "Not scanned (the run stopped early)"},
    [RW_L_UNTESTED] = {"Gemeten, maar in minstens één standaard niet getest",
		       "Scanned, but not tested in at least one standard"},
    [RW_L_INVALID_HEAD] = {"Ongeldige vermeldingen", "Invalid entries"},
    [RW_L_INVALID_MORE] = {"en nog", "and"},
    [RW_L_UNTESTED_HEAD] = {"Niet getest, per reden", "Not tested, by reason"},
    [RW_L_UNTESTED_NOTE] = {"Een domein telt één keer per reden en kan meer redenen hebben.",
			    "A domain counts once per reason and may have more than one."},
    [RW_CODE] = {"Reden", "Reason"},
    [RW_CAT_SUM_NOTE] =
	{"Een domein dat organisaties in verschillende categorieën noemen, telt in elk van die "
	 "categorieën mee; daarom is de som van de domeinen per categorie groter dan het aantal "
	 "domeinen",
	 "A domain listed by organisations in different categories counts in each of them; so "
	 "the domains per category add up to more than the number of domains"},
};

const char *rep_word(enum rep_lang lang, enum rep_word w) { return rep_words[w][lang == REP_EN]; }

char *rep_reasons_of(const struct rep_domain *d, size_t std, char *out, size_t outlen)
{
	const char *const *part;
	size_t n = 0, k;

	out[0] = '\0';
	for (part = rep_standards[std].parts; *part; part++)
		for (k = 0; k < d->nverdicts; k++) {
			const char *p = d->verdicts[k].reasons;

			if (strcmp(d->verdicts[k].standard, *part) != 0)
				continue;
			while (*p) {
				size_t len = strcspn(p, " "), i;
				bool seen = false;

				/* each code once: look for it as a whole word */
				for (i = 0; len && i + len <= n && !seen; i++)
					seen = (i == 0 || out[i - 1] == ' ') &&
					       strncmp(out + i, p, len) == 0 &&
					       (out[i + len] == ' ' || out[i + len] == '\0');
				if (len && !seen && n + len + 2 < outlen) {
					if (n)
						out[n++] = ' ';
					memcpy(out + n, p, len);
					n += len;
					out[n] = '\0';
				}
				p += len;
				p += strspn(p, " ");
			}
		}
	return out;
}

const struct report_ops *report_changes_ops(const struct report_ops *ops)
{
	if (ops == &report_md)
		return &report_changes_md;
	if (ops == &report_csv)
		return &report_changes_csv;
	if (ops == &report_json)
		return &report_changes_json;
	return &report_changes_html;
}

const char *rep_prov_label(enum rep_lang lang, const char *key)
{
	size_t i;

	for (i = 0; key && i < sizeof(rep_prov_labels) / sizeof(rep_prov_labels[0]); i++)
		if (strcmp(rep_prov_labels[i].key, key) == 0)
			return rep_prov_labels[i].label[lang == REP_EN];
	return NULL;
}

const char *rep_prov_value(enum rep_lang lang, const char *key, const char *value)
{
	size_t i;

	for (i = 0; key && value && i < sizeof(rep_prov_values) / sizeof(rep_prov_values[0]); i++)
		if (strcmp(rep_prov_values[i].key, key) == 0 &&
		    strcmp(rep_prov_values[i].value, value) == 0)
			return rep_prov_values[i].words[lang == REP_EN];
	return value;
}

static int load_prov(const char *key, const char *value, void *arg)
{
	struct report *r = arg;
	struct rep_kv *n = realloc(r->prov, (r->nprov + 1) * sizeof(*n));

	if (!n)
		return -1;
	r->prov = n;
	n = &r->prov[r->nprov++];
	n->key = rep_dup(key);
	n->value = rep_dup(value);
	return n->key && n->value ? 0 : -1;
}

static int load_invalid(const struct db_rep_invalid *v, void *arg)
{
	struct report *r = arg;
	struct rep_invalid *n = realloc(r->invalid, (r->ninvalid + 1) * sizeof(*n));

	if (!n)
		return -1;
	r->invalid = n;
	n = &r->invalid[r->ninvalid++];
	n->line = v->line;
	n->entry = rep_dup(v->entry);
	n->why = rep_dup(v->why);
	return n->entry && n->why ? 0 : -1;
}

static int untested_cmp(const void *a, const void *b)
{
	const struct rep_reason_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->code, y->code);
}

/* One more domain with reason code (len bytes at code). */
static int rep_untested_add(struct report *r, const char *code, size_t len)
{
	struct rep_reason_count *n;
	size_t i;

	for (i = 0; i < r->nuntested; i++)
		if (strlen(r->untested[i].code) == len &&
		    memcmp(r->untested[i].code, code, len) == 0) {
			r->untested[i].n++;
			return 0;
		}
	n = realloc(r->untested, (r->nuntested + 1) * sizeof(*n));
	if (!n)
		return -1;
	r->untested = n;
	n = &r->untested[r->nuntested];
	n->code = rep_dupn(code, len);
	n->n = 1;
	if (!n->code)
		return -1;
	r->nuntested++;
	return 0;
}

#define REP_CODES_MAX 64

/* Why domains were not tested: the reason codes of the error verdicts of
 * the standards where a domain's status is niet getest, each code once per
 * domain. */
static int rep_build_untested(struct report *r)
{
	size_t i, s, k, j;

	for (i = 0; i < r->ndomains; i++) {
		const struct rep_domain *d = &r->domains[i];
		const char *code[REP_CODES_MAX];
		size_t len[REP_CODES_MAX], n = 0;
		bool any = false;

		for (s = 0; s < rep_nstandards; s++) {
			if (!r->present[s] || d->status[s] != RS_UNTESTED)
				continue;
			any = true;
			for (k = 0; k < d->nverdicts; k++) {
				const struct rep_verdict *v = &d->verdicts[k];
				const char *const *part;
				const char *p = v->reasons;
				bool mine = false;

				for (part = rep_standards[s].parts; *part; part++)
					mine = mine || strcmp(*part, v->standard) == 0;
				if (!mine || strcmp(v->verdict, "error") != 0)
					continue;
				while (p && *p) {
					size_t l = strcspn(p, " ");
					bool dup = false;

					for (j = 0; j < n && !dup; j++)
						dup = len[j] == l && memcmp(code[j], p, l) == 0;
					if (l && !dup && n < REP_CODES_MAX) {
						code[n] = p;
						len[n++] = l;
					}
					p += l;
					p += strspn(p, " ");
				}
			}
		}
		if (!any)
			continue;
		r->domains_untested++;
		for (j = 0; j < n; j++)
			if (rep_untested_add(r, code[j], len[j]) < 0)
				return -1;
	}
	if (r->nuntested > 1)
		qsort(r->untested, r->nuntested, sizeof(*r->untested), untested_cmp);
	return 0;
}

/* Does a status count as meeting a required standard? 1 yes, 0 not tested,
 * -1 no. */
static int rep_meets(enum rep_status st)
{
	if (st == RS_PASS || st == RS_EXPLAINED || st == RS_NA)
		return 1;
	return st == RS_UNTESTED ? 0 : -1;
}

/* 1 when every required standard of the run is met by status[], 0 when
 * none fails but some was not tested, -1 when one fails. */
static int rep_meets_all(const struct report *r, const enum rep_status *status)
{
	int worst = 1;
	size_t s;

	for (s = 0; s < rep_nstandards; s++) {
		int m;

		if (!r->present[s] || rep_standards[s].level != REP_REQUIRED)
			continue;
		m = rep_meets(status[s]);
		if (m < worst)
			worst = m;
	}
	return worst;
}

static void rep_build_headline(struct report *r)
{
	struct rep_headline *h = &r->head;
	const struct rep_trend *now = NULL, *prev = NULL;
	size_t i, s, k;

	for (i = 0; i < r->norgs; i++) {
		int m = rep_meets_all(r, r->orgs[i].status);

		h->orgs_meet += m == 1;
		h->orgs_untested += m == 0;
	}
	for (i = 0; i < r->ndomains; i++) {
		int m = rep_meets_all(r, r->domains[i].status);

		h->domains_meet += m == 1;
		h->domains_untested += m == 0;
	}
	for (i = 0; i < r->ntrend; i++) {
		if (r->trend[i].run == r->run.id)
			now = &r->trend[i];
		if (r->prev_run && r->trend[i].run == r->prev_run)
			prev = &r->trend[i];
	}
	/* the standards that moved most, biggest change first */
	for (s = 0; now && prev && s < rep_nstandards; s++) {
		double a = rep_adoption(&prev->c[s]), b = rep_adoption(&now->c[s]), d;

		if (!r->present[s] || a < 0 || b < 0 || a == b)
			continue;
		d = b > a ? b - a : a - b;
		for (k = h->nmovers; k > 0; k--) {
			double e = h->movers[k - 1].after - h->movers[k - 1].before;

			if ((e < 0 ? -e : e) >= d)
				break;
			if (k < REP_HEAD_MAX)
				h->movers[k] = h->movers[k - 1];
		}
		if (k < REP_HEAD_MAX) {
			h->movers[k].std = s;
			h->movers[k].before = a;
			h->movers[k].after = b;
			if (h->nmovers < REP_HEAD_MAX)
				h->nmovers++;
		}
	}
	/* the providers whose fix turns the most failing verdicts */
	for (i = 0; i < r->nproviders; i++) {
		unsigned long moves = 0, best = 0;
		size_t bs = 0;

		for (s = 0; s < rep_nstandards; s++) {
			if (!r->present[s])
				continue;
			moves += r->providers[i].fixable[s];
			if (r->providers[i].fixable[s] > best) {
				best = r->providers[i].fixable[s];
				bs = s;
			}
		}
		if (!moves)
			continue;
		for (k = h->ntop; k > 0 && h->top[k - 1].moves < moves; k--)
			if (k < REP_HEAD_MAX)
				h->top[k] = h->top[k - 1];
		if (k < REP_HEAD_MAX) {
			h->top[k].provider = i;
			h->top[k].moves = moves;
			h->top[k].std = bs;
			if (h->ntop < REP_HEAD_MAX)
				h->ntop++;
		}
	}
}

static int rep_name_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(char *const *)elem);
}

bool rep_filter_has(char *const *names, size_t n, const char *name)
{
	return n && name && bsearch(name, names, n, sizeof(*names), rep_name_cmp);
}

const struct rep_verdict *rep_verdict_of(const struct rep_domain *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->nverdicts; i++)
		if (strcmp(d->verdicts[i].standard, name) == 0)
			return &d->verdicts[i];
	return NULL;
}

/* ---- the same evidence ---- */

static int rep_same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

int rep_ncsc_same(const struct rep_addr *a, const struct rep_addr *b)
{
	size_t i;

	if (!rep_same_str(a->ip, b->ip) || !rep_same_str(a->ncsc_state, b->ncsc_state) ||
	    !rep_same_str(a->ncsc_versions, b->ncsc_versions) ||
	    a->ncsc_handshakes != b->ncsc_handshakes || a->nncsc != b->nncsc)
		return 0;
	for (i = 0; i < a->nncsc; i++) {
		const struct rep_ncsc_finding *f = &a->ncsc[i], *g = &b->ncsc[i];

		if (!rep_same_str(f->cls, g->cls) || !rep_same_str(f->aspect, g->aspect) ||
		    !rep_same_str(f->item, g->item) || !rep_same_str(f->version, g->version) ||
		    !rep_same_str(f->detail, g->detail))
			return 0;
	}
	return 1;
}

int rep_addr_same(const struct rep_addr *a, const struct rep_addr *b)
{
	const char *const sa[] = {
	    a->ip,           a->starttls,    a->tls_version,    a->cipher,       a->cert_sha256,
	    a->cert_subject, a->cert_issuer, a->cert_not_after, a->key_type,     a->signature,
	    a->dane,         a->error,       a->banner,         a->first_attempt};
	const char *const sb[] = {
	    b->ip,           b->starttls,    b->tls_version,    b->cipher,       b->cert_sha256,
	    b->cert_subject, b->cert_issuer, b->cert_not_after, b->key_type,     b->signature,
	    b->dane,         b->error,       b->banner,         b->first_attempt};
	size_t i;

	for (i = 0; i < sizeof(sa) / sizeof(sa[0]); i++)
		if (!rep_same_str(sa[i], sb[i]))
			return 0;
	return a->key_bits == b->key_bits && a->pkix_valid == b->pkix_valid &&
	       a->name_match == b->name_match && a->retried == b->retried && rep_ncsc_same(a, b);
}

int report_build(struct report *r, struct db *db, long long run, const char *explanations,
		 enum rep_lang lang, bool *usage, char *err, size_t errlen)
{
	return report_build_filtered(r, db, run, explanations, lang, NULL, usage, err, errlen);
}

int report_build_filtered(struct report *r, struct db *db, long long run, const char *explanations,
			  enum rep_lang lang, const struct rep_filter *f, bool *usage, char *err,
			  size_t errlen)
{
	struct rep_load l;
	struct rep_pairs ps;
	struct rep_trend_state *t = NULL;
	struct rep_pick pick = {run, 0, 0};
	size_t i, s;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	memset(&ps, 0, sizeof(ps));
	r->lang = lang;
	r->filter = f;
	*usage = false;
	if (db_runs_each(db, pick_run, &pick) < 0 || db_runs_each(db, pick_prev, &pick) < 0)
		goto dberr;
	if (!pick.found || db_run_get(db, pick.found, &r->run) != 1) {
		*usage = true;
		if (run)
			(void)snprintf(err, errlen, "no run %lld", run);
		else
			(void)snprintf(err, errlen, "no finished run to report on");
		return -1;
	}
	r->prev_run = pick.prev;
	(void)snprintf(r->date, sizeof(r->date), "%.10s", r->run.started);
	if (explanations && rep_expl_load(explanations, &r->expl, &r->nexpl, err, errlen) < 0) {
		*usage = true;
		return -1;
	}
	memset(&l, 0, sizeof(l));
	l.r = r;
	if (db_rep_domains(db, r->run.id, load_domain, &l) < 0 ||
	    db_rep_verdicts(db, r->run.id, load_verdict, &l) < 0)
		goto dberr;
	ps.r = r;
	if (db_rep_orgs(db, r->run.id, load_org, &ps) < 0)
		goto dberr;
	if (rep_build_orgs(r, &ps) < 0)
		goto oom;
	if (db_rep_mx(db, r->run.id, load_mx, &l) < 0 ||
	    db_rep_addrs(db, r->run.id, load_addr, &l) < 0 ||
	    db_rep_evidence(db, r->run.id, load_evidence, &l) < 0)
		goto dberr;
	for (i = 0; i < r->ndomains; i++) {
		rep_domain_statuses(&r->domains[i]);
		for (s = 0; s < rep_nstandards; s++) {
			const char *const *p;
			bool all = true;

			for (p = rep_standards[s].parts; *p; p++) {
				bool has = false;
				size_t k;

				for (k = 0; k < r->domains[i].nverdicts; k++)
					has = has ||
					      strcmp(r->domains[i].verdicts[k].standard, *p) == 0;
				all = all && has;
			}
			r->present[s] = r->present[s] || all;
		}
	}
	rep_apply_explanations(r);
	if (rep_aggregate(r) < 0 || rep_build_providers(r) < 0)
		goto oom;
	t = calloc(1, sizeof(*t));
	if (!t)
		goto oom;
	t->r = r;
	if (db_rep_trend(db, load_trend, t) < 0 || rep_trend_flush(t) < 0)
		goto dberr;
	if (db_rep_provenance(db, r->run.id, load_prov, r) < 0 ||
	    db_rep_invalid(db, r->run.id, load_invalid, r) < 0)
		goto dberr;
	if (rep_build_untested(r) < 0)
		goto oom;
	rep_build_headline(r);
	rc = 0;
	goto out;
oom:
	(void)snprintf(err, errlen, "out of memory");
	goto out;
dberr:
	(void)snprintf(err, errlen, "%s", db_error(db));
out:
	for (i = 0; i < ps.n; i++) {
		free(ps.p[i].org);
		free(ps.p[i].cat);
	}
	free(ps.p);
	free(t);
	return rc;
}

static void rep_addr_free(struct rep_addr *a)
{
	size_t i;

	free(a->ip);
	free(a->starttls);
	free(a->tls_version);
	free(a->cipher);
	free(a->cert_sha256);
	free(a->cert_subject);
	free(a->cert_issuer);
	free(a->cert_not_after);
	free(a->key_type);
	free(a->signature);
	free(a->dane);
	free(a->error);
	free(a->banner);
	free(a->first_attempt);
	free(a->ncsc_state);
	free(a->ncsc_versions);
	for (i = 0; i < a->nncsc; i++) {
		free(a->ncsc[i].cls);
		free(a->ncsc[i].aspect);
		free(a->ncsc[i].item);
		free(a->ncsc[i].version);
		free(a->ncsc[i].detail);
	}
	free(a->ncsc);
}

static void rep_domain_free(struct rep_domain *d)
{
	size_t i, k;

	free(d->name);
	free(d->checked_at);
	free(d->mx_error);
	free(d->dns_failures);
	for (i = 0; i < d->nverdicts; i++) {
		free(d->verdicts[i].standard);
		free(d->verdicts[i].verdict);
		free(d->verdicts[i].reasons);
	}
	free(d->verdicts);
	for (i = 0; i < d->nmx; i++) {
		for (k = 0; k < d->mx[i].naddrs; k++)
			rep_addr_free(&d->mx[i].addrs[k]);
		free(d->mx[i].addrs);
		free(d->mx[i].host);
		free(d->mx[i].dnssec);
		free(d->mx[i].tlsa_state);
		free(d->mx[i].tlsa);
		free(d->mx[i].error);
	}
	free(d->mx);
	for (i = 0; i < d->nev; i++) {
		free(d->ev[i].probe);
		free(d->ev[i].path);
		free(d->ev[i].value);
	}
	free(d->ev);
	free(d->orgs);
}

void report_free(struct report *r)
{
	size_t i, k;

	for (i = 0; i < r->ndomains; i++)
		rep_domain_free(&r->domains[i]);
	free(r->domains);
	for (i = 0; i < r->norgs; i++) {
		free(r->orgs[i].name);
		free(r->orgs[i].category);
		free(r->orgs[i].domains);
	}
	free(r->orgs);
	for (i = 0; i < r->ncats; i++)
		free(r->cats[i].name);
	free(r->cats);
	rep_expl_free(r->expl, r->nexpl);
	free(r->trend);
	free(r->changes);
	for (i = 0; i < r->nproviders; i++) {
		for (k = 0; k < r->providers[i].nhosts; k++)
			free(r->providers[i].hosts[k]);
		free(r->providers[i].hosts);
		free(r->providers[i].orgs);
		free(r->providers[i].name);
	}
	free(r->providers);
	for (i = 0; i < r->nprov; i++) {
		free(r->prov[i].key);
		free(r->prov[i].value);
	}
	free(r->prov);
	for (i = 0; i < r->ninvalid; i++) {
		free(r->invalid[i].entry);
		free(r->invalid[i].why);
	}
	free(r->invalid);
	for (i = 0; i < r->nuntested; i++)
		free(r->untested[i].code);
	free(r->untested);
	memset(r, 0, sizeof(*r));
}

const struct report_ops *report_find(const char *format)
{
	static const struct report_ops *const all[] = {&report_html, &report_md, &report_csv,
						       &report_json};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(all[i]->name, format) == 0)
			return all[i];
	return NULL;
}
