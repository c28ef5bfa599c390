/*
 * group.c - the slices of a run for `report --group-by KEY` (issue 14): the
 * organisations grouped by the value of one of their free tags (targets.h
 * "Tags", stored per run: db_rep_tags), each slice with the domains its
 * organisations list. A domain listed by organisations in two slices is in
 * both; the domains no organisation lists go with the organisations
 * without the tag. See report.h.
 */
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/str.h"
#include "report.h"

/* The value of key per organisation, read from the run's tags. */
struct grp_tags {
	const char *key;
	char **org, **value; /* parallel, sorted by organisation (the query's order) */
	size_t n, cap;
	struct buf keys; /* every key of the run, ", "-separated, for the error */
	int failed;
};

static int grp_tag(const struct db_rep_tag *t, void *arg)
{
	struct grp_tags *g = arg;

	if (strcmp(t->key, g->key) != 0) {
		const char *p = buf_str(&g->keys);
		size_t len = strlen(t->key);
		bool seen = false;

		/* keys are short and few: a linear look is enough */
		while (!seen && (p = strstr(p, t->key)) != NULL) {
			seen =
			    (p == buf_str(&g->keys) || p[-1] == ' ') && (p[len] == ',' || !p[len]);
			p += len;
		}
		if (!seen && g->keys.len < 1024 &&
		    ((g->keys.len && buf_add(&g->keys, ", ", 2) < 0) ||
		     buf_add(&g->keys, t->key, len) < 0))
			return -1;
		return 0;
	}
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 64;
		char **o = realloc(g->org, cap * sizeof(*o)), **v;

		if (!o)
			return -1;
		g->org = o;
		v = realloc(g->value, cap * sizeof(*v));
		if (!v)
			return -1;
		g->value = v;
		g->cap = cap;
	}
	g->org[g->n] = strdup(t->organisation);
	g->value[g->n] = strdup(t->value);
	if (!g->org[g->n] || !g->value[g->n]) {
		free(g->org[g->n]);
		free(g->value[g->n]);
		return -1;
	}
	g->n++;
	return 0;
}

/* The value of key for organisation org, NULL when it has none. */
static const char *grp_value(const struct grp_tags *g, const char *org)
{
	size_t lo = 0, hi = g->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(org, g->org[mid]);

		if (c == 0)
			return g->value[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int grp_str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add name to a list (duplicates removed later); 0 or -1. */
static int grp_push(char ***list, size_t *n, const char *name)
{
	char **l = realloc(*list, (*n + 1) * sizeof(*l));

	if (!l)
		return -1;
	*list = l;
	l[*n] = strdup(name);
	if (!l[*n])
		return -1;
	(*n)++;
	return 0;
}

/* Sort and drop repeats. */
static void grp_sort_unique(char **l, size_t *n)
{
	size_t i, k = 0;

	if (*n == 0)
		return;
	qsort(l, *n, sizeof(*l), grp_str_cmp);
	for (i = 0; i < *n; i++) {
		if (k && strcmp(l[k - 1], l[i]) == 0) {
			free(l[i]);
			continue;
		}
		l[k++] = l[i];
	}
	*n = k;
}

/* Fill slice g with the organisations of r whose value is value (NULL:
 * without the tag) and their domains. 0 or -1. */
static int grp_fill(struct rep_filter *g, const struct report *r, const struct grp_tags *t)
{
	size_t i, k;

	for (i = 0; i < r->norgs; i++) {
		const char *v = grp_value(t, r->orgs[i].name);

		if (g->value ? !v || strcmp(v, g->value) != 0 : v != NULL)
			continue;
		if (grp_push(&g->orgs, &g->norgs, r->orgs[i].name) < 0)
			return -1;
		for (k = 0; k < r->orgs[i].ndomains; k++)
			if (grp_push(&g->domains, &g->ndomains,
				     r->domains[r->orgs[i].domains[k]].name) < 0)
				return -1;
	}
	for (i = 0; !g->value && i < r->ndomains; i++)
		if (r->domains[i].norgs == 0 &&
		    grp_push(&g->domains, &g->ndomains, r->domains[i].name) < 0)
			return -1;
	grp_sort_unique(g->orgs, &g->norgs);
	grp_sort_unique(g->domains, &g->ndomains);
	return 0;
}

/* Free what one slice owns. */
static void grp_clear(struct rep_filter *g)
{
	size_t k;

	free(g->value);
	for (k = 0; k < g->norgs; k++)
		free(g->orgs[k]);
	for (k = 0; k < g->ndomains; k++)
		free(g->domains[k]);
	free(g->orgs);
	free(g->domains);
	memset(g, 0, sizeof(*g));
}

int report_groups(const struct report *r, struct db *db, const char *key, struct rep_filter **out,
		  size_t *n, char *err, size_t errlen)
{
	struct grp_tags t = {.key = key};
	struct rep_filter *g = NULL;
	char **values = NULL;
	size_t nvalues = 0, ng = 0, i;
	int rc = -1;

	*out = NULL;
	*n = 0;
	buf_init(&t.keys, 0);
	if (db_rep_tags(db, r->run.id, grp_tag, &t) < 0) {
		(void)snprintf(err, errlen, "%s", db_error(db));
		goto out;
	}
	/* the values that organisations of this run have */
	for (i = 0; i < r->norgs; i++) {
		const char *v = grp_value(&t, r->orgs[i].name);

		if (v && grp_push(&values, &nvalues, v) < 0)
			goto oom;
	}
	grp_sort_unique(values, &nvalues);
	if (nvalues == 0) {
		(void)snprintf(
		    err, errlen,
		    "no organisation of run %lld has the tag '%s' (tags of this run: %s)",
		    r->run.id, key, t.keys.len ? buf_str(&t.keys) : "none");
		rc = 0;
		goto out;
	}
	g = calloc(nvalues + 1, sizeof(*g));
	if (!g)
		goto oom;
	for (i = 0; i <= nvalues; i++) {
		g[ng].key = key;
		if (i < nvalues) {
			g[ng].value = values[i];
			values[i] = NULL;
		}
		ng++;
		if (grp_fill(&g[ng - 1], r, &t) < 0)
			goto oom;
	}
	if (g[ng - 1].ndomains == 0 && g[ng - 1].norgs == 0)
		grp_clear(&g[--ng]); /* nothing without the tag */
	*out = g;
	*n = ng;
	g = NULL;
	rc = (int)*n;
	goto out;
oom:
	(void)snprintf(err, errlen, "out of memory");
	rc = -1;
out:
	report_groups_free(g, ng);
	for (i = 0; i < nvalues; i++)
		free(values[i]);
	free(values);
	for (i = 0; i < t.n; i++) {
		free(t.org[i]);
		free(t.value[i]);
	}
	free(t.org);
	free(t.value);
	buf_free(&t.keys);
	return rc;
}

void report_groups_free(struct rep_filter *g, size_t n)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < n; i++)
		grp_clear(&g[i]);
	free(g);
}
