/*
 * explain.c - the explanations file of the report ("leg uit", SPEC §7):
 * recorded, dated deviations from a standard, per organisation or domain.
 *
 *   explanations:
 *     - organisation: Gemeente Voorbeeld     # or   domain: voorbeeld.nl
 *       standard: starttls_dane              # an id of rep_standards[]
 *       reason: Migratie naar nieuwe mailprovider, gereed in Q2
 *       valid_until: 2027-06-30              # YYYY-MM-DD, inclusive
 *
 * A bare list (without the `explanations:` key) is accepted too. Every
 * problem is fatal and named as FILE:LINE:COLUMN: a typo in a key must not
 * silently turn an explained failure into an unexplained one, or the reverse.
 * Read with libyaml's document API: the file is small (capped).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "../base/str.h"
#include "../targets/targets.h"
#include "report.h"

#define EXPL_MAX 100000    /* explanations per file */
#define EXPL_TEXT_MAX 4096 /* longest value */

static int expl_err(char *err, size_t errlen, const char *path, const yaml_mark_t *m,
		    const char *what, const char *detail)
{
	(void)snprintf(err, errlen, "%s:%zu:%zu: %s%s%s", path, m->line + 1, m->column + 1, what,
		       detail ? ": " : "", detail ? detail : "");
	return -1;
}

/* YYYY-MM-DD, a real calendar date. */
static bool expl_date_ok(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;
	char tail;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || s[4] != '-' ||
	    s[7] != '-' || y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

static const char *expl_scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int expl_std(const char *id)
{
	size_t i;

	for (i = 0; i < rep_nstandards; i++)
		if (strcmp(rep_standards[i].id, id) == 0)
			return (int)i;
	return -1;
}

/* One mapping of the list into e. */
static int expl_one(yaml_document_t *doc, yaml_node_t *map, struct rep_expl *e, const char *path,
		    char *err, size_t errlen)
{
	yaml_node_pair_t *p;
	char ids[256] = "";
	size_t i;

	memset(e, 0, sizeof(*e));
	e->line = map->start_mark.line + 1;
	if (map->type != YAML_MAPPING_NODE)
		return expl_err(
		    err, errlen, path, &map->start_mark,
		    "an explanation is a mapping (organisation or domain, standard, reason,"
		    " valid_until)",
		    NULL);
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(doc, p->value);
		const char *k = expl_scalar(kn), *v = expl_scalar(vn);
		char **slot = NULL;

		if (!kn || !vn)
			return expl_err(err, errlen, path, &map->start_mark, "broken mapping",
					NULL);
		if (!k)
			return expl_err(err, errlen, path, &map->start_mark, "a key must be text",
					NULL);
		if (!v)
			return expl_err(err, errlen, path, &vn->start_mark,
					"expected a text value for", k);
		if (strlen(v) > EXPL_TEXT_MAX)
			return expl_err(err, errlen, path, &vn->start_mark, "value too long for",
					k);
		if (strcmp(k, "organisation") == 0 || strcmp(k, "organization") == 0)
			slot = &e->organisation;
		else if (strcmp(k, "domain") == 0)
			slot = &e->domain;
		else if (strcmp(k, "standard") == 0)
			slot = &e->standard;
		else if (strcmp(k, "reason") == 0)
			slot = &e->reason;
		else if (strcmp(k, "valid_until") == 0) {
			if (!expl_date_ok(v))
				return expl_err(err, errlen, path, &vn->start_mark,
						"valid_until is not a date YYYY-MM-DD", v);
			(void)str_copy(e->valid_until, sizeof(e->valid_until), v);
			continue;
		} else {
			return expl_err(err, errlen, path, &kn->start_mark,
					"unknown key (expected organisation or domain, standard,"
					" reason, valid_until)",
					k);
		}
		if (*slot)
			return expl_err(err, errlen, path, &kn->start_mark, "key given twice", k);
		if (slot == &e->domain) {
			char name[DNS_NAME_MAX + 1];
			const char *why = NULL;

			if (target_normalise(v, name, sizeof(name), &why) < 0)
				return expl_err(err, errlen, path, &vn->start_mark,
						"not a domain name", why);
			*slot = str_dup(name);
		} else {
			*slot = str_dup(v);
		}
		if (!*slot)
			return expl_err(err, errlen, path, &vn->start_mark, "out of memory", NULL);
	}
	if (!e->organisation == !e->domain)
		return expl_err(err, errlen, path, &map->start_mark,
				"give either organisation or domain", NULL);
	if (!e->standard)
		return expl_err(err, errlen, path, &map->start_mark, "standard is missing", NULL);
	if (expl_std(e->standard) < 0) {
		for (i = 0; i < rep_nstandards; i++)
			(void)snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%s",
				       i ? ", " : "", rep_standards[i].id);
		(void)snprintf(err, errlen, "%s:%lu: unknown standard '%s' (one of: %s)", path,
			       e->line, e->standard, ids);
		return -1;
	}
	e->std = (size_t)expl_std(e->standard);
	if (!e->reason || !*e->reason)
		return expl_err(err, errlen, path, &map->start_mark, "reason is missing", NULL);
	if (!e->valid_until[0])
		return expl_err(err, errlen, path, &map->start_mark,
				"valid_until is missing (an explanation expires)", NULL);
	return 0;
}

static void expl_clear(struct rep_expl *e)
{
	free(e->organisation);
	free(e->domain);
	free(e->standard);
	free(e->reason);
}

void rep_expl_free(struct rep_expl *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		expl_clear(&e[i]);
	free(e);
}

int rep_expl_load(const char *path, struct rep_expl **out, size_t *n, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *list = NULL;
	struct rep_expl *ex = NULL;
	size_t count = 0;
	FILE *f;
	int rc = -1;

	*out = NULL;
	*n = 0;
	f = fopen(path, "r");
	if (!f) {
		(void)snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		(void)fclose(f);
		(void)snprintf(err, errlen, "out of memory");
		return -1;
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		(void)expl_err(err, errlen, path, &parser.problem_mark, "YAML syntax error",
			       parser.problem ? parser.problem : "unknown");
		yaml_parser_delete(&parser);
		(void)fclose(f);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root) { /* an empty file: no explanations */
		rc = 0;
		goto out;
	}
	if (root->type == YAML_SEQUENCE_NODE) {
		list = root;
	} else if (root->type == YAML_MAPPING_NODE) {
		yaml_node_pair_t *p;

		for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
			const char *k = expl_scalar(yaml_document_get_node(&doc, p->key));

			if (k && strcmp(k, "explanations") == 0)
				list = yaml_document_get_node(&doc, p->value);
			else {
				(void)expl_err(err, errlen, path, &root->start_mark,
					       "unknown top-level key (expected explanations)",
					       k ? k : "?");
				goto out;
			}
		}
	}
	if (!list || list->type != YAML_SEQUENCE_NODE) {
		(void)expl_err(err, errlen, path, &root->start_mark,
			       "expected a list of explanations", NULL);
		goto out;
	}
	{
		yaml_node_item_t *it;
		size_t total =
		    (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);

		if (total > EXPL_MAX) {
			(void)expl_err(err, errlen, path, &list->start_mark,
				       "too many explanations", NULL);
			goto out;
		}
		ex = calloc(total ? total : 1, sizeof(*ex));
		if (!ex) {
			(void)snprintf(err, errlen, "out of memory");
			goto out;
		}
		for (it = list->data.sequence.items.start; it < list->data.sequence.items.top;
		     it++) {
			if (expl_one(&doc, yaml_document_get_node(&doc, *it), &ex[count], path, err,
				     errlen) < 0) {
				expl_clear(&ex[count]);
				goto out;
			}
			count++;
		}
	}
	*out = ex;
	*n = count;
	ex = NULL;
	rc = 0;
out:
	if (ex)
		rep_expl_free(ex, count);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	(void)fclose(f);
	return rc;
}
