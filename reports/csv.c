/*
 * csv.c - the report as CSV (RFC 4180) for a spreadsheet: a header row, one
 * row per domain, then one row per organisation; the first column says
 * which (domein/organisatie, domain/organisation in English).
 *
 * Columns: kind, name, category, organisations, domains, then per standard
 * of the run its status word in r->lang, then per standard the reason codes
 * of the domain. A domain row has the categories and organisations that
 * list it; an organisation row its category and its domains (lists joined
 * with "; "), and no reasons.
 *
 * Encoding decisions:
 *  - UTF-8 with a byte order mark. Excel reads a CSV without a BOM in the
 *    legacy code page and mangles "Súdwest-Fryslân"; with the BOM it opens
 *    it as UTF-8. LibreOffice, Google Sheets and Python's csv module
 *    (encoding="utf-8-sig") accept it; RFC 4180 does not forbid it.
 *  - Comma separator, CRLF line ends and double-quote quoting per RFC 4180.
 *    A field is quoted when it holds a quote, comma, semicolon, CR or LF,
 *    or begins or ends with a space. Semicolons too: Excel with Dutch
 *    regional settings splits on ";", and a quoted field stays whole there.
 *  - Formula injection (OWASP "CSV Injection"): a field whose first
 *    non-space character is = + - @ TAB or CR gets a leading apostrophe, so
 *    a spreadsheet shows it as text instead of evaluating it. Status words,
 *    domain names and reason codes never start with one of those, so only
 *    hostile names (from a target list) are changed.
 *  - Control characters other than TAB, CR and LF, C1 controls, bidi
 *    overrides and isolates, and bytes that are not UTF-8 become U+FFFD;
 *    CR and LF stay (inside quotes).
 */
#include <string.h>

#include "../base/buf.h"
#include "../base/str.h"
#include "report.h"

struct csv {
	const struct report *r;
	int en;
	FILE *f;
	int failed;
};

static void csv_raw(struct csv *c, const char *s, size_t n)
{
	if (n && fwrite(s, 1, n, c->f) != n)
		c->failed = 1;
}

/* Does the field need quotes (see the top of the file)? */
static int csv_needs_quotes(const char *s, size_t len, int apostrophe)
{
	if (strpbrk(s, "\",;\r\n"))
		return 1;
	return len && (s[len - 1] == ' ' || (s[0] == ' ' && !apostrophe));
}

/* A formula trigger as the first non-space character? */
static int csv_formula(const char *s)
{
	s += strspn(s, " ");
	return *s && strchr("=+-@\t\r", *s) != NULL;
}

/* One field, untrusted text (NULL: empty), preceded by a comma unless
 * first. */
static void csv_field(struct csv *c, const char *s, int first)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), i = 0, n;
	int apostrophe = csv_formula((const char *)p);
	int quote = csv_needs_quotes((const char *)p, len, apostrophe);
	unsigned long cp = 0;

	if (!first)
		csv_raw(c, ",", 1);
	if (quote)
		csv_raw(c, "\"", 1);
	if (apostrophe)
		csv_raw(c, "'", 1);
	while (i < len) {
		unsigned char ch = p[i];

		if (ch == '"') {
			csv_raw(c, "\"\"", 2);
			n = 1;
		} else if (ch < 0x20 && ch != '\t' && ch != '\r' && ch != '\n') {
			csv_raw(c, "\xef\xbf\xbd", 3);
			n = 1;
		} else if (ch == 0x7f || (n = str_utf8(p + i, len - i, &cp)) == 0) {
			csv_raw(c, "\xef\xbf\xbd", 3);
			n = 1;
		} else if (str_cp_hidden(cp) && ch >= 0x80) {
			csv_raw(c, "\xef\xbf\xbd", 3);
		} else {
			csv_raw(c, (const char *)p + i, n);
		}
		i += n;
	}
	if (quote)
		csv_raw(c, "\"", 1);
}

static void csv_end_row(struct csv *c) { csv_raw(c, "\r\n", 2); }

/* ---- rows ---- */

static void csv_header(struct csv *c)
{
	static const char *const words[5][2] = {{"soort", "kind"},
						{"naam", "name"},
						{"categorie", "category"},
						{"organisaties", "organisations"},
						{"domeinen", "domains"}};
	const struct report *r = c->r;
	size_t k, s;

	for (k = 0; k < 5; k++)
		csv_field(c, words[k][c->en], k == 0);
	for (s = 0; s < rep_nstandards; s++)
		if (r->present[s])
			csv_field(c, rep_standards[s].name[c->en], 0);
	for (s = 0; s < rep_nstandards; s++)
		if (r->present[s]) {
			char h[96];

			(void)snprintf(h, sizeof(h), "%s %s", rep_standards[s].name[c->en],
				       c->en ? "reasons" : "redenen");
			csv_field(c, h, 0);
		}
	csv_end_row(c);
}

/* Append item (n bytes) to the "; "-joined list in b. */
static int csv_join(struct buf *b, const char *item, size_t n)
{
	if (b->len && buf_add(b, "; ", 2) < 0)
		return -1;
	return buf_add(b, item, n);
}

/* Does the n-byte code at p occur in reasons before the position at? */
static int csv_code_before(const char *reasons, const char *at, const char *p, size_t n)
{
	while (*reasons && reasons < at) {
		size_t len = strcspn(reasons, " ");

		if (len == n && strncmp(reasons, p, n) == 0)
			return 1;
		reasons += len;
		reasons += strspn(reasons, " ");
	}
	return 0;
}

/* The reason codes of standard s over its stored parts, each once. */
static int csv_reasons(const struct rep_domain *d, size_t s, struct buf *b)
{
	const struct rep_verdict *v[REP_PARTS_MAX] = {NULL};
	size_t i, k, np = 0;

	for (k = 0; k < REP_PARTS_MAX && rep_standards[s].parts[k]; k++, np++)
		for (i = 0; i < d->nverdicts; i++)
			if (strcmp(d->verdicts[i].standard, rep_standards[s].parts[k]) == 0)
				v[k] = &d->verdicts[i];
	for (k = 0; k < np; k++) {
		const char *p = v[k] ? v[k]->reasons : "";

		while (*p) {
			size_t n = strcspn(p, " "), j;
			int dup = csv_code_before(v[k]->reasons, p, p, n);

			for (j = 0; j < k && !dup; j++)
				dup = v[j] &&
				      csv_code_before(v[j]->reasons,
						      v[j]->reasons + strlen(v[j]->reasons), p, n);
			if (n && !dup && csv_join(b, p, n) < 0)
				return -1;
			p += n;
			p += strspn(p, " ");
		}
	}
	return 0;
}

/* A field of a joined list built in b (reset afterwards). */
static void csv_list_field(struct csv *c, struct buf *b)
{
	csv_field(c, b->len ? buf_str(b) : "", 0);
	buf_reset(b);
}

static void csv_domain(struct csv *c, const struct rep_domain *d, struct buf *b)
{
	const struct report *r = c->r;
	size_t i, s;

	csv_field(c, c->en ? "domain" : "domein", 1);
	csv_field(c, d->name, 0);
	/* each category once, in the order of the organisations */
	for (i = 0; i < d->norgs; i++) {
		const char *cat = r->orgs[d->orgs[i]].category;
		size_t k;
		int dup = !*cat;

		for (k = 0; k < i && !dup; k++)
			dup = strcmp(r->orgs[d->orgs[k]].category, cat) == 0;
		if (!dup && csv_join(b, cat, strlen(cat)) < 0)
			c->failed = 1;
	}
	csv_list_field(c, b);
	for (i = 0; i < d->norgs; i++)
		if (csv_join(b, r->orgs[d->orgs[i]].name, strlen(r->orgs[d->orgs[i]].name)) < 0)
			c->failed = 1;
	csv_list_field(c, b);
	csv_field(c, "", 0);
	for (s = 0; s < rep_nstandards; s++)
		if (r->present[s])
			csv_field(c, rep_status_name(r->lang, d->status[s]), 0);
	for (s = 0; s < rep_nstandards; s++)
		if (r->present[s]) {
			if (csv_reasons(d, s, b) < 0)
				c->failed = 1;
			csv_list_field(c, b);
		}
	csv_end_row(c);
}

static void csv_org(struct csv *c, const struct rep_org *o, struct buf *b)
{
	const struct report *r = c->r;
	size_t i, s;

	csv_field(c, c->en ? "organisation" : "organisatie", 1);
	csv_field(c, o->name, 0);
	csv_field(c, o->category, 0);
	csv_field(c, "", 0);
	for (i = 0; i < o->ndomains; i++) {
		const char *name = r->domains[o->domains[i]].name;

		if (csv_join(b, name, strlen(name)) < 0)
			c->failed = 1;
	}
	csv_list_field(c, b);
	for (s = 0; s < rep_nstandards; s++)
		if (r->present[s])
			csv_field(c, rep_status_name(r->lang, o->status[s]), 0);
	for (s = 0; s < rep_nstandards; s++)
		if (r->present[s])
			csv_field(c, "", 0);
	csv_end_row(c);
}

static int csv_render(const struct report *r, FILE *f)
{
	struct csv c = {.r = r, .en = r->lang == REP_EN, .f = f, .failed = 0};
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	csv_raw(&c, "\xef\xbb\xbf", 3); /* the BOM: see the top of the file */
	csv_header(&c);
	for (i = 0; i < r->ndomains && !c.failed; i++)
		csv_domain(&c, &r->domains[i], &b);
	for (i = 0; i < r->norgs && !c.failed; i++)
		csv_org(&c, &r->orgs[i], &b);
	buf_free(&b);
	return c.failed || ferror(f) ? -1 : 0;
}

const struct report_ops report_csv = {.name = "csv", .render = csv_render};

/* ---- the exception report (report --changes-only) ---- */

/* One row per change, regressions first: change, domain, organisations,
 * standard, was, now, reasons now, run, previous run. Only the header when
 * nothing changed (or there is no previous run): a spreadsheet or script
 * reading it needs no special case. */
static int csv_changes_render(const struct report *r, FILE *f)
{
	static const char *const words[9][2] = {
	    {"verandering", "change"},     {"domein", "domain"}, {"organisaties", "organisations"},
	    {"standaard", "standard"},     {"was", "was"},       {"nu", "now"},
	    {"redenen nu", "reasons now"}, {"run", "run"},       {"vorige run", "previous run"}};
	struct csv c = {.r = r, .en = r->lang == REP_EN, .f = f, .failed = 0};
	char reasons[1024], num[32];
	struct buf b;
	size_t i, k, pass;

	buf_init(&b, 0);
	csv_raw(&c, "\xef\xbb\xbf", 3); /* the BOM: see the top of the file */
	for (k = 0; k < 9; k++)
		csv_field(&c, words[k][c.en], k == 0);
	csv_end_row(&c);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < r->nchanges && !c.failed; i++) {
			const struct rep_change *ch = &r->changes[i];
			const struct rep_domain *d = &r->domains[ch->domain];

			if (ch->improved != (pass == 1))
				continue;
			csv_field(&c, rep_word(r->lang, ch->improved ? RW_IMPROVED : RW_REGRESSED),
				  1);
			csv_field(&c, d->name, 0);
			for (k = 0; k < d->norgs; k++) {
				const char *name = r->orgs[d->orgs[k]].name;

				if (csv_join(&b, name, strlen(name)) < 0)
					c.failed = 1;
			}
			csv_list_field(&c, &b);
			csv_field(&c, rep_standards[ch->std].name[c.en], 0);
			csv_field(&c, rep_status_name(r->lang, ch->before), 0);
			csv_field(&c, rep_status_name(r->lang, ch->after), 0);
			csv_field(&c, rep_reasons_of(d, ch->std, reasons, sizeof(reasons)), 0);
			(void)snprintf(num, sizeof(num), "%lld", r->run.id);
			csv_field(&c, num, 0);
			(void)snprintf(num, sizeof(num), "%lld", r->prev_run);
			csv_field(&c, num, 0);
			csv_end_row(&c);
		}
	buf_free(&b);
	return c.failed || ferror(f) ? -1 : 0;
}

const struct report_ops report_changes_csv = {.name = "csv", .render = csv_changes_render};
