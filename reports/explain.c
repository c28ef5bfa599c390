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
 * Only the first YAML document is read; aliases are refused.
 *
 * Streamed with libyaml's event API, as the target reader is: the document
 * API loaded a whole file before a single entry could be counted, so a file
 * of a million entries took 1.5 GB before "too many explanations". Now an
 * entry is checked as its mapping ends, the count stops at EXPL_MAX + 1 and
 * the nesting at TARGET_YAML_DEPTH_MAX (see targets/target_yaml.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "../base/str.h"
#include "../targets/target_yaml.h"
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

static int expl_std(const char *id)
{
	size_t i;

	for (i = 0; i < rep_nstandards; i++)
		if (strcmp(rep_standards[i].id, id) == 0)
			return (int)i;
	return -1;
}

/* Where the reader is in the fixed structure of the file. */
enum expl_state {
	E_STREAM,   /* expecting the first document */
	E_ROOT,     /* expecting the root node */
	E_ROOT_KEY, /* in the root mapping, expecting a key */
	E_ROOT_VAL, /* expecting the list after `explanations:` */
	E_ITEM,     /* in the list, expecting an explanation */
	E_KEY,      /* in an explanation, expecting a key */
	E_VALUE,    /* expecting the value of key */
	E_DONE,     /* the first document ended */
};

struct expl_reader {
	const char *path;
	char *err;
	size_t errlen;
	enum expl_state state;
	unsigned nest;         /* target_yaml_nest() */
	bool in_root_map;      /* the list is the value of `explanations:` */
	bool seen_list;        /* ... and it was there */
	yaml_mark_t root_mark; /* where the root mapping starts */
	yaml_mark_t list_mark; /* where the list starts */
	yaml_mark_t item_mark; /* where the current explanation starts */
	yaml_mark_t key_mark;
	char key[32]; /* the current key (longer keys are unknown anyway) */
	bool key_cut;
	struct rep_expl cur; /* the explanation being read; owned */
	struct rep_expl *ex; /* owned array of n (room for size) */
	size_t n, size;
};

static void expl_clear(struct rep_expl *e);

/* One key: value pair of the current explanation. */
static int expl_pair(struct expl_reader *x, const yaml_event_t *ev)
{
	struct rep_expl *e = &x->cur;
	const char *k = x->key, *v = (const char *)ev->data.scalar.value;
	const yaml_mark_t *vm = &ev->start_mark;
	char **slot = NULL;
	char shown[84];

	if (x->key_cut) /* too long for any known key: shown cut, sanitised */
		k = str_show(shown, sizeof(shown), x->key);
	if (ev->data.scalar.length > EXPL_TEXT_MAX)
		return expl_err(x->err, x->errlen, x->path, vm, "value too long for", k);
	if (strlen(v) != ev->data.scalar.length)
		return expl_err(x->err, x->errlen, x->path, vm, "NUL byte in the value of", k);
	if (x->key_cut) {
		slot = NULL;
	} else if (strcmp(k, "organisation") == 0 || strcmp(k, "organization") == 0) {
		slot = &e->organisation;
	} else if (strcmp(k, "domain") == 0) {
		slot = &e->domain;
	} else if (strcmp(k, "standard") == 0) {
		slot = &e->standard;
	} else if (strcmp(k, "reason") == 0) {
		slot = &e->reason;
	} else if (strcmp(k, "valid_until") == 0) {
		if (!expl_date_ok(v))
			return expl_err(x->err, x->errlen, x->path, vm,
					"valid_until is not a date YYYY-MM-DD",
					str_show(shown, sizeof(shown), v));
		(void)str_copy(e->valid_until, sizeof(e->valid_until), v);
		return 0;
	}
	if (!slot)
		return expl_err(x->err, x->errlen, x->path, &x->key_mark,
				"unknown key (expected organisation or domain, standard,"
				" reason, valid_until)",
				x->key_cut ? k : str_show(shown, sizeof(shown), k));
	if (*slot)
		return expl_err(x->err, x->errlen, x->path, &x->key_mark, "key given twice", k);
	if (slot == &e->domain) {
		char name[DNS_NAME_MAX + 1];
		const char *why = NULL;

		if (target_normalise(v, name, sizeof(name), &why) < 0)
			return expl_err(x->err, x->errlen, x->path, vm, "not a domain name", why);
		*slot = str_dup(name);
	} else {
		*slot = str_dup(v);
	}
	return 0;
}

/* The explanation's mapping ended: check it is whole and keep it. */
static int expl_end(struct expl_reader *x)
{
	struct rep_expl *e = &x->cur;
	const yaml_mark_t *m = &x->item_mark;
	char ids[256] = "", shown[84];
	size_t i;

	if (!e->organisation == !e->domain)
		return expl_err(x->err, x->errlen, x->path, m, "give either organisation or domain",
				NULL);
	if (!e->standard)
		return expl_err(x->err, x->errlen, x->path, m, "standard is missing", NULL);
	if (expl_std(e->standard) < 0) {
		for (i = 0; i < rep_nstandards; i++)
			(void)snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%s",
				       i ? ", " : "", rep_standards[i].id);
		(void)snprintf(x->err, x->errlen, "%s:%lu: unknown standard '%s' (one of: %s)",
			       x->path, e->line, str_show(shown, sizeof(shown), e->standard), ids);
		return -1;
	}
	e->std = (size_t)expl_std(e->standard);
	if (!e->reason || !*e->reason)
		return expl_err(x->err, x->errlen, x->path, m, "reason is missing", NULL);
	if (!e->valid_until[0])
		return expl_err(x->err, x->errlen, x->path, m,
				"valid_until is missing (an explanation expires)", NULL);
	if (x->n == x->size) {
		size_t size = x->size ? x->size * 2 : 16;
		struct rep_expl *p = realloc(x->ex, size * sizeof(*p));

		if (!p) {
			(void)snprintf(x->err, x->errlen, "out of memory");
			return -1;
		}
		x->ex = p;
		x->size = size;
	}
	x->ex[x->n++] = *e;
	memset(e, 0, sizeof(*e));
	return 0;
}

/* A new explanation starts at ev (a mapping, or the error). */
static int expl_item(struct expl_reader *x, const yaml_event_t *ev)
{
	if (ev->type == YAML_SEQUENCE_END_EVENT) {
		x->state = x->in_root_map ? E_ROOT_KEY : E_DONE;
		return 0;
	}
	if (ev->type != YAML_MAPPING_START_EVENT)
		return expl_err(
		    x->err, x->errlen, x->path, &ev->start_mark,
		    "an explanation is a mapping (organisation or domain, standard, reason,"
		    " valid_until)",
		    NULL);
	if (x->n >= EXPL_MAX)
		return expl_err(x->err, x->errlen, x->path, &x->list_mark, "too many explanations",
				NULL);
	expl_clear(&x->cur);
	memset(&x->cur, 0, sizeof(x->cur));
	x->cur.line = ev->start_mark.line + 1;
	x->item_mark = ev->start_mark;
	x->state = E_KEY;
	return 0;
}

/* One event; 0 to read on, -1 with x->err set. */
static int expl_event(struct expl_reader *x, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	const char *v = ev->type == YAML_SCALAR_EVENT ? (const char *)ev->data.scalar.value : NULL;
	char shown[84];

	if (target_yaml_nest(&x->nest, ev) < 0)
		return expl_err(x->err, x->errlen, x->path, m, TARGET_YAML_DEPTH_MSG, NULL);
	if (ev->type == YAML_ALIAS_EVENT)
		return expl_err(x->err, x->errlen, x->path, m,
				"YAML aliases (*name) are not supported here", NULL);
	switch (x->state) {
	case E_STREAM:
		if (ev->type == YAML_DOCUMENT_START_EVENT)
			x->state = E_ROOT;
		else if (ev->type == YAML_STREAM_END_EVENT)
			x->state = E_DONE; /* an empty file: no explanations */
		return 0;
	case E_ROOT:
		if (ev->type == YAML_SEQUENCE_START_EVENT) {
			x->list_mark = *m;
			x->state = E_ITEM;
			return 0;
		}
		if (ev->type == YAML_MAPPING_START_EVENT) {
			x->root_mark = *m;
			x->in_root_map = true;
			x->state = E_ROOT_KEY;
			return 0;
		}
		return expl_err(x->err, x->errlen, x->path, m, "expected a list of explanations",
				NULL);
	case E_ROOT_KEY:
		if (ev->type == YAML_MAPPING_END_EVENT) {
			if (!x->seen_list)
				return expl_err(x->err, x->errlen, x->path, &x->root_mark,
						"expected a list of explanations", NULL);
			x->state = E_DONE;
			return 0;
		}
		if (!v || strcmp(v, "explanations") != 0)
			return expl_err(x->err, x->errlen, x->path, &x->root_mark,
					"unknown top-level key (expected explanations)",
					v ? str_show(shown, sizeof(shown), v) : "?");
		x->state = E_ROOT_VAL;
		return 0;
	case E_ROOT_VAL:
		if (ev->type != YAML_SEQUENCE_START_EVENT)
			return expl_err(x->err, x->errlen, x->path, &x->root_mark,
					"expected a list of explanations", NULL);
		x->seen_list = true;
		x->list_mark = *m;
		x->state = E_ITEM;
		return 0;
	case E_ITEM:
		return expl_item(x, ev);
	case E_KEY:
		if (ev->type == YAML_MAPPING_END_EVENT) {
			x->state = E_ITEM;
			return expl_end(x);
		}
		if (!v)
			return expl_err(x->err, x->errlen, x->path, &x->item_mark,
					"a key must be text", NULL);
		x->key_cut = str_copy(x->key, sizeof(x->key), v) < 0;
		x->key_mark = *m;
		x->state = E_VALUE;
		return 0;
	case E_VALUE:
		if (!v)
			return expl_err(x->err, x->errlen, x->path, m, "expected a text value for",
					x->key_cut ? "?" : x->key);
		x->state = E_KEY;
		return expl_pair(x, ev);
	case E_DONE:
		return 0;
	}
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
	struct expl_reader x;
	yaml_parser_t parser;
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
	memset(&x, 0, sizeof(x));
	x.path = path;
	x.err = err;
	x.errlen = errlen;
	while (x.state != E_DONE) {
		yaml_event_t ev;
		int erc;

		if (!yaml_parser_parse(&parser, &ev)) {
			(void)expl_err(err, errlen, path, &parser.problem_mark,
				       parser.error == YAML_MEMORY_ERROR ? "out of memory"
									 : "YAML syntax error",
				       parser.problem ? parser.problem : "unknown");
			goto out;
		}
		erc = expl_event(&x, &ev);
		yaml_event_delete(&ev);
		if (erc < 0)
			goto out;
	}
	*out = x.ex;
	*n = x.n;
	x.ex = NULL;
	x.n = 0;
	rc = 0;
out:
	expl_clear(&x.cur);
	rep_expl_free(x.ex, x.n);
	yaml_parser_delete(&parser);
	(void)fclose(f);
	return rc;
}
