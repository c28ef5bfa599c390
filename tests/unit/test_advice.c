/*
 * test_advice.c - unit tests for reports/advice.c, the advice column of the
 * reports: the table is sorted by code without duplicates; every row has
 * what/fix in Dutch and in English (and they differ); advice_find finds
 * every row and nothing else; and every code mailscan can report has a row,
 * while every row is a code mailscan can report.
 *
 * The codes are read from the sources (the tests run from the repository
 * root: every .c file in probes/ and scanner/), so a new reason code without advice
 * fails here. A small C tokeniser (comments, strings and preprocessor lines
 * skipped) finds:
 *
 *  - reasons: string literals given to verdict_add_reason() and to every
 *    "emitter", a function that passes one of its parameters on to an
 *    emitter or stores it in a member named reason (dane_fail, sts_fail;
 *    found to a fixed point, so a new wrapper is followed too), and string
 *    literals stored in a member named reason (tlsrpt's r->reason);
 *  - statuses: the per-address starttls statuses, "[ADDR_X] = "code"" in
 *    addr_status_name(), except ADDR_OK and ADDR_PENDING (not findings);
 *  - notes: the string literals after "notes" up to json_arr_close() in
 *    scanner/output.c.
 *
 * A reason that is neither a literal, a parameter of an emitter, nor a
 * member named reason cannot be followed and fails the test, as does a
 * parse that finds too few codes or misses one of the known anchors of
 * each path: then the tokeniser, not the table, needs attention.
 */
#include <ctype.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../probes/probe.h"
#include "../../reports/advice.h"
#include "unit.h"

void test_advice(void);

#define ADV_FILES_MAX 64
#define ADV_EMITTERS_MAX 32
#define ADV_CODES_MAX 256
#define ADV_CODE_LEN 48
#define ADV_FILE_MAX (1024 * 1024)

enum adv_tok_type { AT_IDENT, AT_STR, AT_PUNCT, AT_OTHER };

struct adv_tok {
	enum adv_tok_type t;
	const char *p; /* into the file text; a string without its quotes */
	size_t len;
	int line;
};

struct adv_func {
	size_t name;   /* token index of the name */
	size_t po, pc; /* parameter list: '(' and ')' */
	size_t bo, bc; /* body: '{' and '}' */
};

struct adv_file {
	char path[256];
	char *text;
	struct adv_tok *tok;
	size_t ntok, captok;
	struct adv_func *fn;
	size_t nfn, capfn;
};

enum adv_kind { AK_REASON, AK_STATUS, AK_NOTE, AK_COUNT };

struct adv_code {
	char code[ADV_CODE_LEN];
	unsigned kinds;  /* 1 << enum adv_kind, for every kind it was seen as */
	char where[300]; /* file:line of the first sighting */
};

struct adv_scan {
	struct adv_file f[ADV_FILES_MAX];
	size_t nf;
	struct {
		char name[64];
		size_t arg; /* which argument is the reason code */
	} em[ADV_EMITTERS_MAX];
	size_t nem;
	struct adv_code c[ADV_CODES_MAX];
	size_t nc;
	size_t nkind[AK_COUNT]; /* distinct codes seen as each kind */
};

/* ---- reading and tokenising ---- */

static int adv_push(struct adv_file *f, enum adv_tok_type t, const char *p, size_t len, int line)
{
	if (f->ntok == f->captok) {
		size_t cap = f->captok ? f->captok * 2 : 1024;
		struct adv_tok *n = realloc(f->tok, cap * sizeof(*n));

		if (!n)
			return -1;
		f->tok = n;
		f->captok = cap;
	}
	f->tok[f->ntok].t = t;
	f->tok[f->ntok].p = p;
	f->tok[f->ntok].len = len;
	f->tok[f->ntok].line = line;
	f->ntok++;
	return 0;
}

/* Skip a comment, a preprocessor line or a quoted literal starting at s;
 * returns the first character after it (s itself when none starts here). */
static const char *adv_skip(const char *s, int *line, int bol)
{
	if (bol && *s == '#') {
		for (; *s && *s != '\n'; s++)
			if (*s == '\\' && s[1] == '\n') {
				s++;
				(*line)++;
			}
		return s;
	}
	if (s[0] == '/' && s[1] == '/') {
		while (*s && *s != '\n')
			s++;
		return s;
	}
	if (s[0] == '/' && s[1] == '*') {
		for (s += 2; *s && !(s[0] == '*' && s[1] == '/'); s++)
			if (*s == '\n')
				(*line)++;
		return *s ? s + 2 : s;
	}
	return s;
}

static int adv_tokenise(struct adv_file *f)
{
	const char *s = f->text, *start, *next;
	int line = 1, bol = 1, rc = 0;

	while (*s && rc == 0) {
		if (*s == '\n' || isspace((unsigned char)*s)) {
			if (*s == '\n') {
				line++;
				bol = 1;
			}
			s++;
			continue;
		}
		next = adv_skip(s, &line, bol);
		bol = 0;
		if (next != s) {
			s = next;
			continue;
		}
		start = s;
		if (*s == '"' || *s == '\'') {
			char q = *s++;

			for (start = s; *s && *s != q && *s != '\n'; s++)
				if (*s == '\\' && s[1])
					s++;
			rc = adv_push(f, q == '"' ? AT_STR : AT_OTHER, start, (size_t)(s - start),
				      line);
			if (*s == q)
				s++;
		} else if (isalnum((unsigned char)*s) || *s == '_') {
			while (isalnum((unsigned char)*s) || *s == '_')
				s++;
			rc = adv_push(f, isdigit((unsigned char)*start) ? AT_OTHER : AT_IDENT,
				      start, (size_t)(s - start), line);
		} else {
			rc = adv_push(f, AT_PUNCT, s++, 1, line);
		}
	}
	return rc;
}

static int adv_read(struct adv_file *f, const char *path)
{
	FILE *fp = fopen(path, "r");
	size_t n;

	(void)snprintf(f->path, sizeof(f->path), "%s", path);
	if (!fp)
		return -1;
	f->text = malloc(ADV_FILE_MAX + 1);
	n = f->text ? fread(f->text, 1, ADV_FILE_MAX, fp) : 0;
	(void)fclose(fp);
	if (!f->text || n == ADV_FILE_MAX)
		return -1;
	f->text[n] = '\0';
	return adv_tokenise(f);
}

static void adv_free(struct adv_scan *sc)
{
	size_t i;

	for (i = 0; i < sc->nf; i++) {
		free(sc->f[i].text);
		free(sc->f[i].tok);
		free(sc->f[i].fn);
	}
}

/* ---- token helpers ---- */

static bool adv_is(const struct adv_file *f, size_t i, enum adv_tok_type t, const char *s)
{
	return i < f->ntok && f->tok[i].t == t && f->tok[i].len == strlen(s) &&
	       memcmp(f->tok[i].p, s, f->tok[i].len) == 0;
}

static bool adv_punct(const struct adv_file *f, size_t i, char c)
{
	return i < f->ntok && f->tok[i].t == AT_PUNCT && f->tok[i].p[0] == c;
}

/* Index of the bracket closing the one at i (f->ntok when unbalanced). */
static size_t adv_close(const struct adv_file *f, size_t i)
{
	char open = f->tok[i].p[0], shut = open == '(' ? ')' : open == '{' ? '}' : ']';
	size_t depth = 0;

	for (; i < f->ntok; i++) {
		if (adv_punct(f, i, open))
			depth++;
		else if (adv_punct(f, i, shut) && --depth == 0)
			return i;
	}
	return f->ntok;
}

/* Argument k of the list between brackets o and c: [*b, *e). */
static bool adv_arg(const struct adv_file *f, size_t o, size_t c, size_t k, size_t *b, size_t *e)
{
	size_t i, depth = 0, n = 0;

	*b = o + 1;
	for (i = o + 1; i < c; i++) {
		if (adv_punct(f, i, '(') || adv_punct(f, i, '[') || adv_punct(f, i, '{'))
			depth++;
		else if (adv_punct(f, i, ')') || adv_punct(f, i, ']') || adv_punct(f, i, '}'))
			depth--;
		else if (depth == 0 && adv_punct(f, i, ',')) {
			if (n++ == k) {
				*e = i;
				return *b < *e;
			}
			*b = i + 1;
		}
	}
	*e = c;
	return n == k && *b < *e;
}

/* ---- functions and emitters ---- */

static int adv_find_functions(struct adv_file *f)
{
	size_t i = 0, c;

	while (i < f->ntok) {
		if (adv_punct(f, i, '{')) {
			i = adv_close(f, i) + 1;
			continue;
		}
		if (f->tok[i].t != AT_IDENT || !adv_punct(f, i + 1, '(')) {
			i++;
			continue;
		}
		c = adv_close(f, i + 1);
		if (!adv_punct(f, c + 1, '{')) {
			i = c < f->ntok ? c + 1 : f->ntok;
			continue;
		}
		if (f->nfn == f->capfn) {
			size_t cap = f->capfn ? f->capfn * 2 : 64;
			struct adv_func *n = realloc(f->fn, cap * sizeof(*n));

			if (!n)
				return -1;
			f->fn = n;
			f->capfn = cap;
		}
		f->fn[f->nfn].name = i;
		f->fn[f->nfn].po = i + 1;
		f->fn[f->nfn].pc = c;
		f->fn[f->nfn].bo = c + 1;
		f->fn[f->nfn].bc = adv_close(f, c + 1);
		i = f->fn[f->nfn++].bc + 1;
	}
	return 0;
}

/* Which parameter of fn is the single identifier [b, e)? -1: none. */
static long adv_param(const struct adv_file *f, const struct adv_func *fn, size_t b, size_t e)
{
	size_t k, pb, pe, j;

	if (e != b + 1 || f->tok[b].t != AT_IDENT)
		return -1;
	for (k = 0; adv_arg(f, fn->po, fn->pc, k, &pb, &pe); k++) {
		for (j = pe; j > pb && f->tok[j - 1].t != AT_IDENT; j--)
			;
		if (j > pb && f->tok[j - 1].len == f->tok[b].len &&
		    memcmp(f->tok[j - 1].p, f->tok[b].p, f->tok[b].len) == 0)
			return (long)k;
	}
	return -1;
}

/* The emitter whose name is token i, or -1. */
static long adv_emitter(const struct adv_scan *sc, const struct adv_file *f, size_t i)
{
	size_t k;

	if (f->tok[i].t != AT_IDENT || !adv_punct(f, i + 1, '('))
		return -1;
	for (k = 0; k < sc->nem; k++)
		if (adv_is(f, i, AT_IDENT, sc->em[k].name))
			return (long)k;
	return -1;
}

/* Is token i the member "reason" being assigned (x->reason = or .reason =)? */
static bool adv_reason_store(const struct adv_file *f, size_t i)
{
	bool member = i >= 1 && (adv_punct(f, i - 1, '.') ||
				 (i >= 2 && adv_punct(f, i - 1, '>') && adv_punct(f, i - 2, '-')));

	return member && adv_is(f, i, AT_IDENT, "reason") && adv_punct(f, i + 1, '=') &&
	       !adv_punct(f, i + 2, '=');
}

/* The end of the right-hand side starting at b (';' ',' or a closer). */
static size_t adv_rhs_end(const struct adv_file *f, size_t b)
{
	size_t i, depth = 0;

	for (i = b; i < f->ntok; i++) {
		if (adv_punct(f, i, '(') || adv_punct(f, i, '[') || adv_punct(f, i, '{'))
			depth++;
		else if (adv_punct(f, i, ')') || adv_punct(f, i, ']') || adv_punct(f, i, '}')) {
			if (depth-- == 0)
				return i;
		} else if (depth == 0 && (adv_punct(f, i, ';') || adv_punct(f, i, ',')))
			return i;
	}
	return i;
}

/* Where in fn's body its parameter reaches a sink: -1 when nowhere. */
static long adv_forwards(const struct adv_scan *sc, const struct adv_file *f,
			 const struct adv_func *fn)
{
	size_t i, b, e;
	long em, p;

	for (i = fn->bo; i < fn->bc; i++) {
		em = adv_emitter(sc, f, i);
		if (em >= 0 && adv_arg(f, i + 1, adv_close(f, i + 1), sc->em[em].arg, &b, &e) &&
		    (p = adv_param(f, fn, b, e)) >= 0)
			return p;
		if (adv_reason_store(f, i) &&
		    (p = adv_param(f, fn, i + 2, adv_rhs_end(f, i + 2))) >= 0)
			return p;
	}
	return -1;
}

/* Grow the emitter list to a fixed point over all files. */
static void adv_find_emitters(struct adv_scan *sc)
{
	bool changed = true;
	size_t i, k;
	long p;

	(void)snprintf(sc->em[0].name, sizeof(sc->em[0].name), "verdict_add_reason");
	sc->em[0].arg = 1;
	sc->nem = 1;
	while (changed) {
		changed = false;
		for (i = 0; i < sc->nf; i++) {
			const struct adv_file *f = &sc->f[i];

			for (k = 0; k < f->nfn && sc->nem < ADV_EMITTERS_MAX; k++) {
				const struct adv_tok *name = &f->tok[f->fn[k].name];

				if (adv_emitter(sc, f, f->fn[k].name) >= 0)
					continue;
				if ((p = adv_forwards(sc, f, &f->fn[k])) < 0)
					continue;
				(void)snprintf(sc->em[sc->nem].name, sizeof(sc->em[0].name), "%.*s",
					       (int)name->len, name->p);
				sc->em[sc->nem++].arg = (size_t)p;
				changed = true;
			}
		}
	}
}

/* ---- collecting the codes ---- */

/* A code a probe declares in its table (probe_ops.codes), as a reason. */
static void adv_add_declared(struct adv_scan *sc, const char *probe, const char *code)
{
	size_t k;

	unit_case("probe %s declares \"%s\"", probe, code);
	if (!CHECK(strlen(code) < ADV_CODE_LEN) || !CHECK(sc->nc < ADV_CODES_MAX))
		return;
	for (k = 0; k < sc->nc; k++)
		if (strcmp(sc->c[k].code, code) == 0)
			break;
	if (k == sc->nc) {
		(void)snprintf(sc->c[k].code, ADV_CODE_LEN, "%s", code);
		(void)snprintf(sc->c[k].where, sizeof(sc->c[k].where), "probe %s (.codes)", probe);
		sc->nc++;
	}
	if (!(sc->c[k].kinds & (1u << AK_REASON)))
		sc->nkind[AK_REASON]++;
	sc->c[k].kinds |= 1u << AK_REASON;
}

/* Does file f declare a probe's table of codes (".codes =")? Then a reason
 * it passes on from that table need not be a literal. */
static bool adv_declares_codes(const struct adv_file *f)
{
	size_t i;

	for (i = 1; i + 1 < f->ntok; i++)
		if (adv_is(f, i, AT_IDENT, "codes") && adv_punct(f, i - 1, '.') &&
		    adv_punct(f, i + 1, '='))
			return true;
	return false;
}

static void adv_add(struct adv_scan *sc, const struct adv_file *f, size_t i, enum adv_kind kind)
{
	const struct adv_tok *t = &f->tok[i];
	size_t k;
	bool ok = t->len > 0 && t->len < ADV_CODE_LEN;

	for (k = 0; k < t->len; k++)
		ok = ok && (islower((unsigned char)t->p[k]) || isdigit((unsigned char)t->p[k]) ||
			    t->p[k] == '-');
	unit_case("%s:%d: \"%.*s\"", f->path, t->line, (int)t->len, t->p);
	if (!CHECK(ok) || !CHECK(sc->nc < ADV_CODES_MAX))
		return;
	for (k = 0; k < sc->nc; k++)
		if (strlen(sc->c[k].code) == t->len && memcmp(sc->c[k].code, t->p, t->len) == 0)
			break;
	if (k == sc->nc) {
		(void)snprintf(sc->c[k].code, ADV_CODE_LEN, "%.*s", (int)t->len, t->p);
		(void)snprintf(sc->c[k].where, sizeof(sc->c[k].where), "%s:%d", f->path, t->line);
		sc->nc++;
	}
	if (!(sc->c[k].kinds & (1u << kind)))
		sc->nkind[kind]++;
	sc->c[k].kinds |= 1u << kind;
}

/*
 * A reason expression that is a call of a function ending in _reason
 * (dns_status_reason): the string literals that function returns are its
 * codes. Returns how many were added; 0 when [b, e) is no such call.
 */
static size_t adv_reason_call(struct adv_scan *sc, const struct adv_file *f, size_t b, size_t e)
{
	const struct adv_tok *t = &f->tok[b];
	size_t i, k, j, n = 0;

	if (e < b + 3 || t->t != AT_IDENT || t->len < 8 ||
	    memcmp(t->p + t->len - 7, "_reason", 7) != 0 || !adv_punct(f, b + 1, '('))
		return 0;
	for (i = 0; i < sc->nf; i++) {
		const struct adv_file *g = &sc->f[i];

		for (k = 0; k < g->nfn; k++) {
			const struct adv_tok *name = &g->tok[g->fn[k].name];

			if (name->len != t->len || memcmp(name->p, t->p, t->len) != 0)
				continue;
			for (j = g->fn[k].bo; j < g->fn[k].bc; j++)
				if (g->tok[j].t == AT_STR) {
					adv_add(sc, g, j, AK_REASON);
					n++;
				}
		}
	}
	return n;
}

/*
 * A reason expression [b, e) inside fn: its string literals are codes; with
 * none, it must be a call of a *_reason function (its literals are the
 * codes), a parameter of fn (fn is then an emitter itself) or end in a
 * member named reason (fed by the stores); anything else is a reason this
 * test cannot follow.
 */
static void adv_reason_expr(struct adv_scan *sc, const struct adv_file *f,
			    const struct adv_func *fn, size_t b, size_t e)
{
	size_t i, lits = 0;

	for (i = b; i < e; i++)
		if (f->tok[i].t == AT_STR) {
			adv_add(sc, f, i, AK_REASON);
			lits++;
		}
	if (lits || adv_reason_call(sc, f, b, e) > 0)
		return;
	unit_case("%s:%d: a reason code test_advice.c cannot follow", f->path, f->tok[b].line);
	CHECK((fn && adv_param(f, fn, b, e) >= 0) || adv_is(f, e - 1, AT_IDENT, "reason") ||
	      (e == b + 1 && adv_is(f, b, AT_IDENT, "NULL")) || adv_declares_codes(f));
}

static const struct adv_func *adv_enclosing(const struct adv_file *f, size_t i)
{
	size_t k;

	for (k = 0; k < f->nfn; k++)
		if (f->fn[k].bo < i && i < f->fn[k].bc)
			return &f->fn[k];
	return NULL;
}

/* "[ADDR_X] = "code"" with X not OK or PENDING: a per-address status. */
static bool adv_status_entry(const struct adv_file *f, size_t i)
{
	const struct adv_tok *t = &f->tok[i + 1];

	return adv_punct(f, i, '[') && i + 4 < f->ntok && t->t == AT_IDENT && t->len > 5 &&
	       memcmp(t->p, "ADDR_", 5) == 0 && !adv_is(f, i + 1, AT_IDENT, "ADDR_OK") &&
	       !adv_is(f, i + 1, AT_IDENT, "ADDR_PENDING") && adv_punct(f, i + 2, ']') &&
	       adv_punct(f, i + 3, '=') && f->tok[i + 4].t == AT_STR;
}

static void adv_collect(struct adv_scan *sc, const struct adv_file *f)
{
	size_t i, b, e;
	long em;

	for (i = 0; i < f->ntok; i++) {
		const struct adv_func *fn = adv_enclosing(f, i);

		if (fn && (em = adv_emitter(sc, f, i)) >= 0) {
			if (CHECK(adv_arg(f, i + 1, adv_close(f, i + 1), sc->em[em].arg, &b, &e)))
				adv_reason_expr(sc, f, fn, b, e);
		} else if (adv_reason_store(f, i)) {
			adv_reason_expr(sc, f, fn, i + 2, adv_rhs_end(f, i + 2));
		} else if (adv_status_entry(f, i)) {
			adv_add(sc, f, i + 4, AK_STATUS);
		} else if (adv_is(f, i, AT_STR, "notes")) {
			for (i++; i < f->ntok && !adv_is(f, i, AT_IDENT, "json_arr_close"); i++)
				if (f->tok[i].t == AT_STR)
					adv_add(sc, f, i, AK_NOTE);
		}
	}
}

/* Read the .c files of probes/ and scanner/ and collect every code; 0 or -1. */
static int adv_scan_sources(struct adv_scan *sc)
{
	static const char *const patterns[] = {"probes/*.c", "scanner/*.c"};
	glob_t g;
	size_t p, i;

	for (p = 0; p < UNIT_COUNT(patterns); p++) {
		memset(&g, 0, sizeof(g));
		unit_case("glob %s (run from the repository root)", patterns[p]);
		if (!CHECK(glob(patterns[p], 0, NULL, &g) == 0))
			return -1;
		for (i = 0; i < g.gl_pathc && sc->nf < ADV_FILES_MAX; i++) {
			struct adv_file *f = &sc->f[sc->nf++];

			unit_case("%s", g.gl_pathv[i]);
			if (!CHECK(adv_read(f, g.gl_pathv[i]) == 0 && adv_find_functions(f) == 0)) {
				globfree(&g);
				return -1;
			}
		}
		globfree(&g);
	}
	adv_find_emitters(sc);
	for (i = 0; i < sc->nf; i++)
		adv_collect(sc, &sc->f[i]);
	return 0;
}

static const struct adv_code *adv_code(const struct adv_scan *sc, const char *code)
{
	size_t i;

	for (i = 0; i < sc->nc; i++)
		if (strcmp(sc->c[i].code, code) == 0)
			return &sc->c[i];
	return NULL;
}

/* ---- the checks ---- */

/* Non-empty, one line of printable text, a full stop at the end. */
static bool adv_text_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	size_t i;

	if (n < 10 || s[n - 1] != '.')
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static void adv_check_table(void)
{
	size_t n, i, k;
	const struct advice *rows = advice_all(&n);

	CHECK(rows != NULL);
	CHECK(n >= 20);
	for (i = 0; rows && i < n; i++) {
		const struct advice *a = &rows[i];

		unit_case("row %zu: %s", i, a->code ? a->code : "(null)");
		if (!CHECK(a->code && a->code[0]))
			continue;
		if (i > 0)
			CHECK(strcmp(rows[i - 1].code, a->code) < 0); /* sorted, unique */
		for (k = 0; a->code[k]; k++)
			CHECK(islower((unsigned char)a->code[k]) ||
			      isdigit((unsigned char)a->code[k]) || a->code[k] == '-');
		CHECK(adv_text_ok(a->what[ADVICE_NL]) && adv_text_ok(a->what[ADVICE_EN]));
		CHECK(adv_text_ok(a->fix[ADVICE_NL]) && adv_text_ok(a->fix[ADVICE_EN]));
		if (a->what[0] && a->what[1] && a->fix[0] && a->fix[1]) {
			CHECK(strcmp(a->what[ADVICE_NL], a->what[ADVICE_EN]) != 0);
			CHECK(strcmp(a->fix[ADVICE_NL], a->fix[ADVICE_EN]) != 0);
			CHECK(strcmp(a->what[ADVICE_NL], a->fix[ADVICE_NL]) != 0);
		}
		CHECK(advice_find(a->code) == a);
	}
	unit_case("unknown codes");
	CHECK(advice_find("no-such-code") == NULL);
	CHECK(advice_find("") == NULL);
	CHECK(advice_find(NULL) == NULL);
	CHECK(advice_find("DANE-MISMATCH") == NULL);
	CHECK(advice_find("dane-mismatch ") == NULL);
	CHECK(advice_find("dane") == NULL);
}

static void adv_check_sources(struct adv_scan *sc)
{
	static const struct {
		const char *code;
		enum adv_kind kind;
	} anchors[] = {
	    {"starttls-missing", AK_REASON},   /* verdict_add_reason("...") */
	    {"dane-mismatch", AK_REASON},      /* a wrapper: dane_fail */
	    {"policy-redirect", AK_REASON},    /* a wrapper storing ->reason: sts_fail */
	    {"tlsrpt-invalid", AK_REASON},     /* r->reason = "..." */
	    {"domain-timeout", AK_REASON},     /* scanner/engine.c */
	    {"family-unreachable", AK_STATUS}, /* addr_status_name() */
	    {"mx-cap-reached", AK_NOTE},       /* the "notes" of output.c */
	    {"domain-timeout", AK_NOTE},
	};
	size_t i, n;
	const struct advice *rows = advice_all(&n);

	if (adv_scan_sources(sc) < 0)
		return;
	for (i = 0; i < PROBE_COUNT; i++) {
		size_t k;

		for (k = 0; k < probe_registry[i]->ncodes; k++)
			if (probe_registry[i]->codes[k])
				adv_add_declared(sc, probe_registry[i]->name,
						 probe_registry[i]->codes[k]);
	}
	unit_case("extraction: %zu reasons, %zu statuses, %zu notes", sc->nkind[AK_REASON],
		  sc->nkind[AK_STATUS], sc->nkind[AK_NOTE]);
	CHECK(sc->nkind[AK_REASON] >= 20);
	CHECK(sc->nkind[AK_STATUS] >= 5);
	CHECK(sc->nkind[AK_NOTE] >= 2);
	for (i = 0; i < UNIT_COUNT(anchors); i++) {
		const struct adv_code *c = adv_code(sc, anchors[i].code);

		unit_case("extraction anchor %s", anchors[i].code);
		CHECK(c && (c->kinds & (1u << anchors[i].kind)));
	}
	for (i = 0; i < sc->nc; i++) {
		unit_case("%s: code \"%s\" has no advice", sc->c[i].where, sc->c[i].code);
		CHECK(advice_find(sc->c[i].code) != NULL);
	}
	for (i = 0; i < n; i++) {
		unit_case("advice row \"%s\" is no code the sources produce", rows[i].code);
		CHECK(adv_code(sc, rows[i].code) != NULL);
	}
}

void test_advice(void)
{
	static struct adv_scan sc;

	memset(&sc, 0, sizeof(sc));
	adv_check_table();
	adv_check_sources(&sc);
	adv_free(&sc);
	memset(&sc, 0, sizeof(sc));
}
