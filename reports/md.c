/*
 * md.c - the report as Markdown, for wikis and mail: GitHub-flavoured
 * Markdown (GFM tables; CommonMark otherwise), in r->lang.
 *
 * Order: title, summary per standard (domains, then organisations), per
 * category, trend, changes since the previous run, explanations by state,
 * mail providers, organisations, the advice per reason code (what is wrong
 * and what to change, once per code the run names, sorted by code), and an
 * appendix per domain with its reasons and the evidence (MX hosts,
 * addresses, and per address the tls_ncsc findings when the probe ran). The
 * appendix names a code with advice as a code span
 * (`dane-missing`; such codes are [a-z0-9-] only) and points to the advice
 * section once per domain in words, not with a link: heading anchors differ
 * between Markdown renderers (cmark-gfm makes none).
 *
 * Everything that came from a target list, the network or the explanations
 * file goes through md_text(), the one escape of this file, so that it can
 * neither break a table nor become markup, a link or HTML:
 *  - & < > become entities (no raw HTML, autolinks or entity tricks);
 *  - \ ` * _ [ ] | # ~ $ are backslash-escaped (code spans, emphasis,
 *    links and images, table cells, headings, strikethrough, GitHub math);
 *  - line breaks become " ↵ " (a banner or policy stays in its cell), tabs
 *    a space; other control characters, C1 controls, bidi overrides and
 *    bytes that are not UTF-8 become U+FFFD.
 * Block-level markers (- + = > 1.) only act at the start of a line, and no
 * line here starts with such text: data sits in table cells, in headings
 * after "### " or in list items after a fixed label.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/str.h"
#include "../probes/probe.h"
#include "advice.h"
#include "report.h"

/* ---- words ---- */

enum md_word {
	W_TITLE,
	W_OF,
	W_STARTED,
	W_FINISHED,
	W_STATUS,
	W_TARGETS,
	W_DOMAINS_LC,
	W_ORGS_LC,
	W_ADOPTION_NOTE,
	W_SUMMARY,
	W_DOMAINS,
	W_ORGS,
	W_ORGS_NOTE,
	W_STANDARD,
	W_LEVEL,
	W_ADOPTION,
	W_PER_CAT,
	W_CATEGORY,
	W_NO_CAT,
	W_CELL_NOTE,
	W_TREND,
	W_RUN,
	W_DATE,
	W_CHANGES_SINCE,
	W_CHANGES_NONE,
	W_IMPROVED,
	W_REGRESSED,
	W_NONE,
	W_DOMAIN,
	W_DOMAIN_LC,
	W_WAS,
	W_NOW,
	W_EXPLANATIONS,
	W_EXPL_NONE,
	W_EXPL_JUDGED,
	W_EXPL_NOTE,
	W_ST_APPLIED,
	W_ST_EXPIRED,
	W_ST_NOT_NEEDED,
	W_ST_UNUSED,
	W_LINE,
	W_LINE_LC,
	W_APPLIES_TO,
	W_ORG,
	W_REASON,
	W_VALID_UNTIL,
	W_N_EXPLAINED,
	W_N_EXPIRED,
	W_N_PASSING,
	W_PROVIDERS,
	W_PROVIDERS_NOTE,
	W_PROVIDERS_NONE,
	W_PROVIDERS_SINGLE,
	W_PROVIDER,
	W_MX_HOSTS,
	W_MX_HOST,
	W_FIX_PROVIDER,
	W_FIX_AND,
	W_FIX_COMPLIES,
	W_FIX_COMPLY,
	W_ORGANISATIONS,
	W_APPENDIX,
	W_CHECKED,
	W_REASONS,
	W_EXPLANATION,
	W_EXPL_VALID,
	W_EXPL_EXPIRED,
	W_ADVICE,
	W_ADVICE_INTRO,
	W_ADVICE_NONE,
	W_ADVICE_SEE,
	W_WHAT,
	W_FIX,
	W_EVIDENCE,
	W_DNSSEC_EV,
	W_DNSSEC_ZONE,
	W_DNSSEC_MXSET,
	W_MX_ERROR,
	W_DNS_FAILED,
	W_DNS_MORE_PRE,
	W_DNS_MORE_POST,
	W_NO_MX,
	W_PREFERENCE,
	W_ERROR,
	W_ADDRESS,
	W_CERT,
	W_ISSUER,
	W_NOT_AFTER,
	W_NAME_MATCH,
	W_BANNER,
	W_RETRIED,
	W_YES,
	W_NO,
	W_STS_TXT,
	W_STS_POLICY,
	W_TLSRPT_TXT,
	W_AND,
	W_MORE,
	W_NCSC_PROBE,
	W_NCSC_VERSIONS,
	W_NCSC_FINDINGS,
	W_NCSC_DONE,
	W_NCSC_INCOMPLETE,
	W_NCSC_HANDSHAKES,
	W_NCSC_NONE,
	W_NCSC_PHASE_OUT,
	W_NCSC_INSUFFICIENT,
	W_SAME_EVIDENCE,
	W_VERDICT_COL,
	W_V_WARN,
	W_V_ERROR,
	W_COUNT
};

static const char *const md_words[W_COUNT][2] = {
    [W_TITLE] = {"Rapport mailbeveiliging", "Mail security report"},
    [W_OF] = {"van", "of"},
    [W_STARTED] = {"Meting gestart", "Scan started"},
    [W_FINISHED] = {"klaar", "finished"},
    [W_STATUS] = {"status", "status"},
    [W_TARGETS] = {"Doelenlijst", "Target list"},
    [W_DOMAINS_LC] = {"domeinen", "domains"},
    [W_ORGS_LC] = {"organisaties", "organisations"},
    [W_ADOPTION_NOTE] =
	{"Adoptie = voldoet / (voldoet + voldoet niet + uitgelegd). N.v.t. en niet getest tellen "
	 "niet mee en staan apart. Uitgelegd: een afwijking met een geldige uitleg (pas toe of "
	 "leg uit).",
	 "Adoption = pass / (pass + fail + explained). N/a and not tested are not counted and are "
	 "shown separately. Explained: a deviation with a valid explanation (comply or explain)."},
    [W_SUMMARY] = {"Samenvatting", "Summary"},
    [W_DOMAINS] = {"Domeinen", "Domains"},
    [W_ORGS] = {"Organisaties", "Organisations"},
    [W_ORGS_NOTE] = {"Een organisatie voldoet als al haar domeinen voldoen.",
		     "An organisation complies when all its domains do."},
    [W_STANDARD] = {"Standaard", "Standard"},
    [W_LEVEL] = {"Niveau", "Level"},
    [W_ADOPTION] = {"Adoptie", "Adoption"},
    [W_PER_CAT] = {"Per categorie", "Per category"},
    [W_CATEGORY] = {"Categorie", "Category"},
    [W_NO_CAT] = {"(geen organisatie)", "(no organisation)"},
    [W_CELL_NOTE] = {"Per standaard: adoptie (voldoet/meegeteld) van de domeinen.",
		     "Per standard: adoption (pass/counted) of the domains."},
    [W_TREND] = {"Trend", "Trend"},
    [W_RUN] = {"Run", "Run"},
    [W_DATE] = {"Datum", "Date"},
    [W_CHANGES_SINCE] = {"Veranderingen sinds run", "Changes since run"},
    [W_CHANGES_NONE] = {"Veranderingen", "Changes"},
    [W_IMPROVED] = {"Verbeterd", "Improved"},
    [W_REGRESSED] = {"Verslechterd", "Regressed"},
    [W_NONE] = {"Geen.", "None."},
    [W_DOMAIN] = {"Domein", "Domain"},
    [W_DOMAIN_LC] = {"domein", "domain"},
    [W_WAS] = {"Was", "Was"},
    [W_NOW] = {"Nu", "Now"},
    [W_EXPLANATIONS] = {"Uitleg (pas toe of leg uit)", "Explanations (comply or explain)"},
    [W_EXPL_NONE] = {"Geen uitleg vastgelegd.", "No explanations recorded."},
    [W_EXPL_JUDGED] = {"Beoordeeld op de datum van de run,", "Judged on the date of the run,"},
    [W_EXPL_NOTE] = {"Een verlopen uitleg telt als voldoet niet.",
		     "An expired explanation counts as a failure."},
    [W_ST_APPLIED] = {"Toegepast", "Applied"},
    [W_ST_EXPIRED] = {"Verlopen", "Expired"},
    [W_ST_NOT_NEEDED] = {"Niet meer nodig", "No longer needed"},
    [W_ST_UNUSED] = {"Niet gebruikt", "Unused"},
    [W_LINE] = {"Regel", "Line"},
    [W_LINE_LC] = {"regel", "line"},
    [W_APPLIES_TO] = {"Geldt voor", "Applies to"},
    [W_ORG] = {"organisatie", "organisation"},
    [W_REASON] = {"Reden", "Reason"},
    [W_VALID_UNTIL] = {"Geldig tot", "Valid until"},
    [W_N_EXPLAINED] = {"uitgelegd", "explained"},
    [W_N_EXPIRED] = {"verlopen", "expired"},
    [W_N_PASSING] = {"voldoet al", "passing"},
    [W_PROVIDERS] = {"Mailproviders", "Mail providers"},
    [W_PROVIDERS_NOTE] =
	{"MX-hosts gegroepeerd naar geregistreerd domein, de providers met meer dan één "
	 "domein. De statussen zijn die van de domeinen "
	 "die de provider gebruiken. \"Los de provider op\" telt de domeinen die niet voldoen en "
	 "alleen deze provider gebruiken.",
	 "MX hosts grouped by registered domain, the providers with more than one domain. "
	 "The statuses are those of the domains that use "
	 "the provider. \"Fix the provider\" counts the failing domains that use only this "
	 "provider."},
    [W_PROVIDERS_NONE] = {"Geen provider bedient meer dan één domein.",
			  "No provider serves more than one domain."},
    [W_PROVIDERS_SINGLE] = {"Providers met maar één domein (alleen in de bijlage per domein)",
			    "Providers with a single domain (in the appendix per domain only)"},
    [W_PROVIDER] = {"Provider", "Provider"},
    [W_MX_HOSTS] = {"MX-hosts", "MX hosts"},
    [W_MX_HOST] = {"MX-host", "MX host"},
    [W_FIX_PROVIDER] = {"Los", "Fix"},
    [W_FIX_AND] = {"op en", "and"},
    [W_FIX_COMPLIES] = {"voldoet aan", "complies with"},
    [W_FIX_COMPLY] = {"voldoen aan", "comply with"},
    [W_ORGANISATIONS] = {"Organisaties", "Organisations"},
    [W_APPENDIX] = {"Bijlage: per domein", "Appendix: per domain"},
    [W_CHECKED] = {"Gecontroleerd", "Checked"},
    [W_REASONS] = {"Redenen", "Reasons"},
    [W_EXPLANATION] = {"Uitleg", "Explanation"},
    [W_EXPL_VALID] = {"geldig tot", "valid until"},
    [W_EXPL_EXPIRED] = {"verlopen op", "expired on"},
    [W_ADVICE] = {"Advies per redencode", "Advice per reason code"},
    [W_ADVICE_INTRO] =
	{"Wat elke redencode in de bijlage betekent en wat er moet veranderen, één keer per "
	 "code: alleen de codes die in deze run voorkomen, op alfabet, met het aantal domeinen "
	 "dat die reden heeft.",
	 "What each reason code in the appendix means and what to change, once per code: only "
	 "the codes that occur in this run, in alphabetical order, with the number of domains "
	 "that have that reason."},
    [W_ADVICE_NONE] = {"In deze run komt geen redencode met advies voor.",
		       "No reason code with advice occurs in this run."},
    [W_ADVICE_SEE] = {"Advies bij deze redenen: zie Advies per redencode.",
		      "Advice on these reasons: see Advice per reason code."},
    [W_WHAT] = {"Wat is er mis:", "What is wrong:"},
    [W_FIX] = {"Wat te doen:", "What to do:"},
    [W_EVIDENCE] = {"Bewijs", "Evidence"},
    [W_DNSSEC_EV] = {"DNSSEC", "DNSSEC"},
    [W_DNSSEC_ZONE] = {"domein", "domain"},
    [W_DNSSEC_MXSET] = {"MX-records", "MX records"},
    [W_MX_ERROR] = {"MX-fout", "MX error"},
    [W_DNS_FAILED] = {"Mislukte DNS-opvragingen", "Failed DNS lookups"},
    [W_DNS_MORE_PRE] = {"en nog", "and"},
    [W_DNS_MORE_POST] = {"niet getoond", "more not shown"},
    [W_NO_MX] = {"Geen MX-hosts.", "No MX hosts."},
    [W_PREFERENCE] = {"Voorkeur", "Preference"},
    [W_ERROR] = {"Fout", "Error"},
    [W_ADDRESS] = {"Adres", "Address"},
    [W_CERT] = {"Certificaat", "Certificate"},
    [W_ISSUER] = {"Uitgever", "Issuer"},
    [W_NOT_AFTER] = {"Geldig tot", "Not after"},
    [W_NAME_MATCH] = {"Naam klopt", "Name matches"},
    [W_BANNER] = {"Banner", "Banner"},
    [W_RETRIED] = {"opnieuw geprobeerd; eerste poging", "retried; first attempt"},
    [W_YES] = {"ja", "yes"},
    [W_NO] = {"nee", "no"},
    [W_STS_TXT] = {"MTA-STS-record", "MTA-STS record"},
    [W_STS_POLICY] = {"MTA-STS-beleid", "MTA-STS policy"},
    [W_TLSRPT_TXT] = {"TLS-RPT-record", "TLS-RPT record"},
    [W_AND] = {"en", "and"},
    [W_MORE] = {"meer", "more"},
    [W_NCSC_PROBE] = {"TLS volgens NCSC", "TLS per NCSC"},
    [W_NCSC_VERSIONS] = {"Versies", "Versions"},
    [W_NCSC_FINDINGS] = {"Bevindingen", "Findings"},
    [W_NCSC_DONE] = {"afgerond", "complete"},
    [W_NCSC_INCOMPLETE] = {"onvolledig", "incomplete"},
    [W_NCSC_HANDSHAKES] = {"extra handshakes", "extra handshakes"},
    [W_NCSC_NONE] = {"geen", "none"},
    [W_NCSC_PHASE_OUT] = {"uit te faseren", "phase-out"},
    [W_NCSC_INSUFFICIENT] = {"onvoldoende", "insufficient"},
    [W_SAME_EVIDENCE] = {"hetzelfde bewijs als bij", "the same evidence as at"},
    [W_VERDICT_COL] = {"Gemeten oordeel en redenen", "Measured verdict and reasons"},
    [W_V_WARN] = {"waarschuwing", "warning"},
    [W_V_ERROR] = {"fout (niet getest)", "error (not tested)"},
};

/* At most this many names in one cell (a large provider has thousands of
 * MX host names, a ministry hundreds of domains); the rest is counted. */
#define MD_LIST_MAX 10

/* Providers with fewer dependent domains are not listed (mostly a domain's
 * own mail server; a run of thousands of domains has thousands of them):
 * they are in the appendix per domain, and counted. */
#define MD_PROVIDER_MIN 2

/* Per row of the advice table (advice_all()): the domains whose reasons
 * name the code (0: the run does not). */
struct md_adv {
	unsigned long domains;
};

/* The writer: the report, its language, the output and a sticky error. */
struct md {
	const struct report *r;
	int en; /* index into the word table */
	FILE *f;
	int failed;
	const struct advice *adv_rows; /* advice_all(), sorted by code */
	size_t nadv;
	struct md_adv *adv; /* nadv of them; NULL when out of memory */
};

static const char *md_w(const struct md *m, enum md_word w) { return md_words[w][m->en]; }

/* Text we wrote ourselves (words, numbers, fixed markup): no escaping. */
static void md_raw(struct md *m, const char *s)
{
	if (fputs(s, m->f) < 0)
		m->failed = 1;
}

static void md_printf(struct md *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void md_printf(struct md *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vfprintf(m->f, fmt, ap) < 0)
		m->failed = 1;
	va_end(ap);
}

/* ---- the escape ---- */

/* Code points that must not reach a reader as they are: C1 controls and the
 * bidirectional overrides and isolates (they reorder the text around them). */
static int md_bad_cp(unsigned long cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* Write untrusted text s (NULL or "" writes nothing) safe for Markdown
 * inline content and GFM table cells; see the top of the file. */
static void md_text(struct md *m, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), i = 0, n;

	/* trailing line breaks and spaces carry nothing (a policy ends in one) */
	while (len && (p[len - 1] == '\n' || p[len - 1] == '\r' || p[len - 1] == ' '))
		len--;
	while (i < len) {
		unsigned char c = p[i];
		unsigned long cp;

		if (c == '\r' && i + 1 < len && p[i + 1] == '\n') {
			i++;
			continue;
		}
		if (c == '\n' || c == '\r')
			md_raw(m, " \xe2\x86\xb5 "); /* U+21B5 */
		else if (c == '\t')
			md_raw(m, " ");
		else if (c < 0x20 || c == 0x7f)
			md_raw(m, "\xef\xbf\xbd"); /* U+FFFD */
		else if (c == '&')
			md_raw(m, "&amp;");
		else if (c == '<')
			md_raw(m, "&lt;");
		else if (c == '>')
			md_raw(m, "&gt;");
		else if (strchr("\\`*_[]|#~$", c)) {
			if (putc('\\', m->f) == EOF || putc(c, m->f) == EOF)
				m->failed = 1;
		} else if ((n = str_utf8(p + i, len - i, &cp)) == 0 || md_bad_cp(cp)) {
			md_raw(m, "\xef\xbf\xbd");
			i += n ? n : 1;
			continue;
		} else {
			if (fwrite(p + i, 1, n, m->f) != n)
				m->failed = 1;
			i += n;
			continue;
		}
		i++;
	}
}

/* A table cell of untrusted text: " text |", or an en dash when empty. */
static void md_cell(struct md *m, const char *s)
{
	md_raw(m, " ");
	if (s && *s)
		md_text(m, s);
	else
		md_raw(m, "\xe2\x80\x93"); /* U+2013 */
	md_raw(m, " |");
}

/* A table cell of our own text. */
static void md_cell_raw(struct md *m, const char *s)
{
	md_raw(m, " ");
	md_raw(m, s);
	md_raw(m, " |");
}

/* The header row and the alignment row of a table; cols is "l"/"r" per
 * column. */
static void md_thead(struct md *m, const char *const *names, const char *cols)
{
	size_t i;

	md_raw(m, "|");
	for (i = 0; names[i]; i++)
		md_cell_raw(m, names[i]);
	md_raw(m, "\n|");
	for (i = 0; cols[i]; i++)
		md_raw(m, cols[i] == 'r' ? "--:|" : ":--|");
	md_raw(m, "\n");
}

/* ---- numbers ---- */

/* Adoption of c as "90,9%" (nl) or "90.9%" (en); an en dash when nothing
 * counts. */
static void md_pct(const struct md *m, const struct rep_count *c, char *out, size_t outlen)
{
	double a = rep_adoption(c);
	char *dot;

	if (a < 0) {
		(void)snprintf(out, outlen, "\xe2\x80\x93");
		return;
	}
	(void)snprintf(out, outlen, "%.1f%%", a);
	dot = strchr(out, '.');
	if (dot && !m->en)
		*dot = ',';
}

/* An adoption cell: "75,0% (3/4)", then "; 1 uitgelegd" and "; 1 niet
 * getest" when there are any (never silently dropped). */
static void md_adoption_cell(struct md *m, const struct rep_count *c)
{
	char pct[32];
	unsigned long counted = c->n[RS_PASS] + c->n[RS_FAIL] + c->n[RS_EXPLAINED];

	md_pct(m, c, pct, sizeof(pct));
	md_raw(m, " ");
	md_raw(m, pct);
	if (counted)
		md_printf(m, " (%lu/%lu)", c->n[RS_PASS], counted);
	if (c->n[RS_EXPLAINED])
		md_printf(m, "; %lu %s", c->n[RS_EXPLAINED],
			  rep_status_name(m->r->lang, RS_EXPLAINED));
	if (c->n[RS_UNTESTED])
		md_printf(m, "; %lu %s", c->n[RS_UNTESTED],
			  rep_status_name(m->r->lang, RS_UNTESTED));
	md_raw(m, " |");
}

/* The header cells naming the standards of the run. */
static void md_std_heads(const struct md *m, const char **names, size_t *n, char *cols)
{
	size_t s;

	for (s = 0; s < rep_nstandards; s++)
		if (m->r->present[s]) {
			cols[*n] = 'l';
			names[(*n)++] = rep_standards[s].name[m->en];
		}
}

/* A word with its first letter in upper case, for a table heading. */
static void md_cap(const char *w, char *out, size_t outlen)
{
	(void)snprintf(out, outlen, "%s", w);
	if (out[0] >= 'a' && out[0] <= 'z')
		out[0] = (char)(out[0] - 'a' + 'A');
}

/* ---- sections ---- */

static void md_title(struct md *m)
{
	const struct report *r = m->r;

	md_raw(m, "# ");
	md_raw(m, md_w(m, W_TITLE));
	md_raw(m, ": ");
	md_printf(m, "run %lld %s %s", r->run.id, md_w(m, W_OF), r->date);
	if (r->run.label[0]) {
		md_raw(m, " (");
		md_text(m, r->run.label);
		md_raw(m, ")");
	}
	md_printf(m, "\n\n%s %s", md_w(m, W_STARTED), r->run.started);
	if (r->run.finished[0])
		md_printf(m, ", %s %s", md_w(m, W_FINISHED), r->run.finished);
	md_printf(m, ", %s ", md_w(m, W_STATUS));
	if (rep_run_status_name(r->lang, r->run.status))
		md_text(m, rep_run_status_name(r->lang, r->run.status));
	else
		md_text(m, r->run.status);
	md_raw(m, ".");
	if (r->run.targets[0]) {
		md_printf(m, " %s: ", md_w(m, W_TARGETS));
		md_text(m, r->run.targets);
		md_raw(m, ".");
	}
	md_printf(m, " %zu %s, %zu %s.", r->ndomains, md_w(m, W_DOMAINS_LC), r->norgs,
		  md_w(m, W_ORGS_LC));
	md_printf(m, "\n\n%s\n\n", md_w(m, W_ADOPTION_NOTE));
}

/* A percentage with one decimal, a decimal comma in Dutch. */
/* A shared word (report.h) in m's language. */
static const char *mw(const struct md *m, enum rep_word w) { return rep_word(m->r->lang, w); }

static void md_num(const struct md *m, double v, char *out, size_t outlen)
{
	char *dot;

	(void)snprintf(out, outlen, "%.1f", v);
	dot = strchr(out, '.');
	if (dot && !m->en)
		*dot = ',';
}

/* The conclusion on the first screen (report.head). */
static void md_headline(struct md *m)
{
	const struct report *r = m->r;
	const struct rep_headline *h = &r->head;
	size_t s, i;
	bool first = true;

	md_printf(m, "## %s\n\n- **%zu %s %zu %s**", mw(m, RW_HEADLINE), h->orgs_meet,
		  m->en ? "of" : "van", r->norgs, mw(m, RW_HEAD_ORGS));
	if (h->orgs_untested)
		md_printf(m, " (%zu %s)", h->orgs_untested, mw(m, RW_HEAD_ORGS_UNTESTED));
	md_printf(m, "; %s: %zu %s %zu", mw(m, RW_HEAD_DOMAINS), h->domains_meet,
		  m->en ? "of" : "van", r->ndomains);
	if (h->domains_untested)
		md_printf(m, " (%zu %s)", h->domains_untested, mw(m, RW_HEAD_ORGS_UNTESTED));
	md_raw(m, ".");
	md_printf(m, " %s: ", mw(m, RW_HEAD_REQUIRED));
	for (s = 0; s < rep_nstandards; s++)
		if (r->present[s] && rep_standards[s].level == REP_REQUIRED) {
			md_printf(m, "%s%s", first ? "" : ", ", rep_standards[s].name[m->en]);
			first = false;
		}
	md_raw(m, ".\n");
	if (!r->prev_run) {
		md_printf(m, "- %s\n", mw(m, RW_HEAD_NO_PREV));
	} else {
		md_printf(m, "- %s %lld: ", mw(m, RW_HEAD_MOVERS), r->prev_run);
		if (!h->nmovers)
			md_raw(m, mw(m, RW_HEAD_NO_MOVE));
		for (i = 0; i < h->nmovers; i++) {
			char a[16], b[16], d[16];
			double diff = h->movers[i].after - h->movers[i].before;

			md_num(m, h->movers[i].before, a, sizeof(a));
			md_num(m, h->movers[i].after, b, sizeof(b));
			md_num(m, diff < 0 ? -diff : diff, d, sizeof(d));
			md_printf(m, "%s%s %s%% \xe2\x86\x92 %s%% (%s%s %s)", i ? "; " : "",
				  rep_standards[h->movers[i].std].name[m->en], a, b,
				  diff < 0 ? "\xe2\x88\x92" : "+", d, mw(m, RW_HEAD_POINTS));
		}
		md_raw(m, ".\n");
	}
	if (!h->ntop) {
		md_printf(m, "- %s\n\n", mw(m, RW_HEAD_NO_PROVIDER));
		return;
	}
	md_printf(m, "- %s: ", mw(m, RW_HEAD_PROVIDERS));
	for (i = 0; i < h->ntop; i++) {
		if (i)
			md_raw(m, "; ");
		md_text(m, r->providers[h->top[i].provider].name);
		md_printf(m, " (%lu %s, %s %s)", h->top[i].moves,
			  mw(m, h->top[i].moves == 1 ? RW_HEAD_VERDICT : RW_HEAD_VERDICTS),
			  mw(m, RW_HEAD_MOSTLY), rep_standards[h->top[i].std].name[m->en]);
	}
	md_raw(m, ".\n\n");
}

static void md_row_num(struct md *m, enum rep_word w, unsigned long n)
{
	md_raw(m, "|");
	md_cell_raw(m, mw(m, w));
	md_printf(m, " %lu |\n", n);
}

/* How the run was made (provenance), and what became of the list. */
static void md_method(struct md *m)
{
	const struct report *r = m->r;
	const char *names[4];
	unsigned long listed = r->run.n_entries + r->run.n_invalid;
	char cap[64];
	size_t i;

	md_printf(m, "## %s\n\n", mw(m, RW_METHOD));
	names[0] = mw(m, RW_FACT);
	names[1] = mw(m, RW_VALUE);
	names[2] = NULL;
	md_thead(m, names, "ll");
	md_raw(m, "|");
	md_cell_raw(m, md_w(m, W_STARTED));
	md_cell(m, r->run.started);
	md_raw(m, "\n|");
	md_cap(md_w(m, W_FINISHED), cap, sizeof(cap));
	md_cell_raw(m, cap);
	md_cell(m, r->run.finished[0] ? r->run.finished : "\xe2\x80\x93");
	md_raw(m, "\n|");
	md_cell_raw(m, mw(m, RW_OPTIONS));
	md_cell(m, r->run.options[0] ? r->run.options : "\xe2\x80\x93");
	md_raw(m, "\n");
	for (i = 0; i < r->nprov; i++) {
		const char *label = rep_prov_label(r->lang, r->prov[i].key);

		md_raw(m, "|");
		if (label)
			md_cell_raw(m, label);
		else
			md_cell(m, r->prov[i].key);
		md_cell(m, rep_prov_value(r->lang, r->prov[i].key, r->prov[i].value));
		md_raw(m, "\n");
	}
	if (!r->nprov)
		md_printf(m, "\n%s\n", mw(m, RW_PROV_NONE));

	md_printf(m, "\n### %s\n\n", mw(m, RW_LIST));
	names[0] = mw(m, RW_FACT);
	names[1] = mw(m, RW_VALUE);
	md_thead(m, names, "lr");
	md_row_num(m, RW_L_ENTRIES, listed);
	md_row_num(m, RW_L_INVALID, r->run.n_invalid);
	md_row_num(m, RW_L_REPEATS,
		   r->run.n_entries > r->run.n_targets ? r->run.n_entries - r->run.n_targets : 0);
	md_row_num(m, RW_L_UNIQUE, r->run.n_targets);
	md_row_num(m, RW_L_STORED, (unsigned long)r->ndomains);
	if (r->run.n_targets > r->ndomains)
		md_row_num(m, RW_L_NOT_STORED, r->run.n_targets - (unsigned long)r->ndomains);
	md_row_num(m, RW_L_UNTESTED, (unsigned long)r->domains_untested);
	if (r->ninvalid) {
		md_printf(m, "\n%s:\n\n", mw(m, RW_L_INVALID_HEAD));
		names[0] = md_w(m, W_LINE);
		names[1] = m->en ? "Entry" : "Vermelding";
		names[2] = md_w(m, W_REASON);
		names[3] = NULL;
		md_thead(m, names, "rll");
		for (i = 0; i < r->ninvalid; i++) {
			md_printf(m, "| %lu |", r->invalid[i].line);
			md_cell(m, r->invalid[i].entry);
			md_cell(m, r->invalid[i].why);
			md_raw(m, "\n");
		}
		if (r->run.n_invalid > r->ninvalid)
			md_printf(m, "\n%s %lu.\n", mw(m, RW_L_INVALID_MORE),
				  r->run.n_invalid - (unsigned long)r->ninvalid);
	}
	if (r->nuntested) {
		md_printf(m, "\n%s. %s\n\n", mw(m, RW_L_UNTESTED_HEAD), mw(m, RW_L_UNTESTED_NOTE));
		names[0] = mw(m, RW_CODE);
		names[1] = md_w(m, W_DOMAINS);
		names[2] = NULL;
		md_thead(m, names, "lr");
		for (i = 0; i < r->nuntested; i++) {
			md_raw(m, "|");
			md_cell(m, r->untested[i].code);
			md_printf(m, " %lu |\n", r->untested[i].n);
		}
	}
	md_raw(m, "\n");
}

/* One summary table: per standard, level, the five counts and adoption. */
static void md_summary_table(struct md *m, const struct rep_count *total)
{
	const struct report *r = m->r;
	char heads[RS_COUNT][32];
	const char *names[RS_COUNT + 4];
	size_t s, k, n = 0;

	names[n++] = md_w(m, W_STANDARD);
	names[n++] = md_w(m, W_LEVEL);
	for (k = 0; k < RS_COUNT; k++) {
		md_cap(rep_status_name(r->lang, (enum rep_status)k), heads[k], sizeof(heads[k]));
		names[n++] = heads[k];
	}
	names[n++] = md_w(m, W_ADOPTION);
	names[n] = NULL;
	md_thead(m, names, "llrrrrrr");
	for (s = 0; s < rep_nstandards; s++) {
		char pct[32];

		if (!r->present[s])
			continue;
		md_raw(m, "|");
		md_cell_raw(m, rep_standards[s].name[m->en]);
		md_cell_raw(m, rep_level_name(r->lang, rep_standards[s].level));
		for (k = 0; k < RS_COUNT; k++)
			md_printf(m, " %lu |", total[s].n[k]);
		md_pct(m, &total[s], pct, sizeof(pct));
		md_cell_raw(m, pct);
		md_raw(m, "\n");
	}
}

static void md_summary(struct md *m)
{
	md_printf(m, "## %s\n\n### %s\n\n", md_w(m, W_SUMMARY), md_w(m, W_DOMAINS));
	md_summary_table(m, m->r->total);
	md_printf(m, "\n### %s\n\n%s\n\n", md_w(m, W_ORGS), md_w(m, W_ORGS_NOTE));
	md_summary_table(m, m->r->total_orgs);
	md_raw(m, "\n");
}

static void md_categories(struct md *m)
{
	const struct report *r = m->r;
	const char *names[REP_STD_MAX + 4];
	char cols[REP_STD_MAX + 4] = "lrr";
	size_t i, s, n = 0, sum;

	md_printf(m, "## %s\n\n%s\n\n", md_w(m, W_PER_CAT), md_w(m, W_CELL_NOTE));
	names[n++] = md_w(m, W_CATEGORY);
	names[n++] = md_w(m, W_ORGS);
	names[n++] = md_w(m, W_DOMAINS);
	md_std_heads(m, names, &n, cols);
	names[n] = NULL;
	cols[n] = '\0';
	md_thead(m, names, cols);
	for (i = 0; i < r->ncats; i++) {
		const struct rep_category *c = &r->cats[i];

		md_raw(m, "|");
		if (c->name[0])
			md_cell(m, c->name);
		else
			md_cell_raw(m, md_w(m, W_NO_CAT));
		md_printf(m, " %zu | %zu |", c->norgs, c->ndomains);
		for (s = 0; s < rep_nstandards; s++)
			if (r->present[s])
				md_adoption_cell(m, &c->domains[s]);
		md_raw(m, "\n");
	}
	for (i = 0, sum = 0; i < r->ncats; i++)
		sum += r->cats[i].ndomains;
	if (sum > r->ndomains)
		md_printf(m, "\n%s (%zu > %zu).\n", mw(m, RW_CAT_SUM_NOTE), sum, r->ndomains);
	md_raw(m, "\n");
}

static void md_trend(struct md *m)
{
	const struct report *r = m->r;
	const char *names[REP_STD_MAX + 3];
	char cols[REP_STD_MAX + 3] = "rl";
	size_t i, s, n = 0;

	md_printf(m, "## %s\n\n", md_w(m, W_TREND));
	names[n++] = md_w(m, W_RUN);
	names[n++] = md_w(m, W_DATE);
	md_std_heads(m, names, &n, cols);
	names[n] = NULL;
	cols[n] = '\0';
	md_thead(m, names, cols);
	for (i = 0; i < r->ntrend; i++) {
		md_printf(m, "| %lld | %s |", r->trend[i].run, r->trend[i].date);
		for (s = 0; s < rep_nstandards; s++)
			if (r->present[s])
				md_adoption_cell(m, &r->trend[i].c[s]);
		md_raw(m, "\n");
	}
	md_raw(m, "\n");
}

static void md_changes(struct md *m)
{
	const struct report *r = m->r;
	const char *names[5], *date = "?";
	size_t i, pass, count;

	if (!r->prev_run) {
		md_printf(m, "## %s\n\n%s\n\n", md_w(m, W_CHANGES_NONE), md_w(m, W_NONE));
		return;
	}
	for (i = 0; i < r->ntrend; i++)
		if (r->trend[i].run == r->prev_run)
			date = r->trend[i].date;
	md_printf(m, "## %s %lld (%s)\n\n", md_w(m, W_CHANGES_SINCE), r->prev_run, date);
	names[0] = md_w(m, W_DOMAIN);
	names[1] = md_w(m, W_STANDARD);
	names[2] = md_w(m, W_WAS);
	names[3] = md_w(m, W_NOW);
	names[4] = NULL;
	for (pass = 0; pass < 2; pass++) {
		bool improved = pass == 0;

		for (i = count = 0; i < r->nchanges; i++)
			count += r->changes[i].improved == improved;
		md_printf(m, "### %s (%zu)\n\n", md_w(m, improved ? W_IMPROVED : W_REGRESSED),
			  count);
		if (!count) {
			md_printf(m, "%s\n\n", md_w(m, W_NONE));
			continue;
		}
		md_thead(m, names, "llll");
		for (i = 0; i < r->nchanges; i++) {
			const struct rep_change *c = &r->changes[i];

			if (c->improved != improved)
				continue;
			md_raw(m, "|");
			md_cell(m, r->domains[c->domain].name);
			md_cell_raw(m, rep_standards[c->std].name[m->en]);
			md_cell_raw(m, rep_status_name(r->lang, c->before));
			md_cell_raw(m, rep_status_name(r->lang, c->after));
			md_raw(m, "\n");
		}
		md_raw(m, "\n");
	}
}

/* "1 uitgelegd, 1 voldoet al": what an explanation met in this run. */
static void md_expl_counts(struct md *m, const struct rep_expl *e)
{
	const unsigned long v[3] = {e->applied, e->expired, e->passing};
	const enum md_word w[3] = {W_N_EXPLAINED, W_N_EXPIRED, W_N_PASSING};
	size_t k;
	int any = 0;

	md_raw(m, " ");
	for (k = 0; k < 3; k++)
		if (v[k]) {
			md_printf(m, "%s%lu %s", any ? ", " : "", v[k], md_w(m, w[k]));
			any = 1;
		}
	md_raw(m, any ? " |" : "\xe2\x80\x93 |");
}

static void md_explanations(struct md *m)
{
	static const enum md_word state_words[] = {W_ST_APPLIED, W_ST_EXPIRED, W_ST_NOT_NEEDED,
						   W_ST_UNUSED};
	static const enum rep_expl_state states[] = {EXPL_APPLIED, EXPL_EXPIRED, EXPL_NOT_NEEDED,
						     EXPL_UNUSED};
	const struct report *r = m->r;
	const char *names[7];
	size_t i, k, count;

	md_printf(m, "## %s\n\n", md_w(m, W_EXPLANATIONS));
	if (!r->nexpl) {
		md_printf(m, "%s\n\n", md_w(m, W_EXPL_NONE));
		return;
	}
	md_printf(m, "%s %s. %s\n\n", md_w(m, W_EXPL_JUDGED), r->date, md_w(m, W_EXPL_NOTE));
	names[0] = md_w(m, W_LINE);
	names[1] = md_w(m, W_APPLIES_TO);
	names[2] = md_w(m, W_STANDARD);
	names[3] = md_w(m, W_REASON);
	names[4] = md_w(m, W_VALID_UNTIL);
	names[5] = md_w(m, W_DOMAINS);
	names[6] = NULL;
	for (k = 0; k < sizeof(states) / sizeof(states[0]); k++) {
		for (i = count = 0; i < r->nexpl; i++)
			count += r->expl[i].state == states[k];
		if (!count)
			continue;
		md_printf(m, "### %s (%zu)\n\n", md_w(m, state_words[k]), count);
		md_thead(m, names, "rlllll");
		for (i = 0; i < r->nexpl; i++) {
			const struct rep_expl *e = &r->expl[i];

			if (e->state != states[k])
				continue;
			md_printf(m, "| %lu | %s ", e->line,
				  md_w(m, e->domain ? W_DOMAIN_LC : W_ORG));
			md_text(m, e->domain ? e->domain : e->organisation);
			md_raw(m, " |");
			md_cell_raw(m, rep_standards[e->std].name[m->en]);
			md_cell(m, e->reason);
			md_cell_raw(m, e->valid_until);
			md_expl_counts(m, e);
			md_raw(m, "\n");
		}
		md_raw(m, "\n");
	}
}

/* A cell of names separated by ", ", at most MD_LIST_MAX, then "en N
 * meer"; name(r, items, i) gives the i-th. */
static void md_list_cell(struct md *m, const void *items, size_t n,
			 const char *(*name)(const struct report *, const void *, size_t))
{
	size_t i;

	md_raw(m, " ");
	for (i = 0; i < n && i < MD_LIST_MAX; i++) {
		if (i)
			md_raw(m, ", ");
		md_text(m, name(m->r, items, i));
	}
	if (n > MD_LIST_MAX) {
		md_printf(m, " %s %zu %s", md_w(m, W_AND), n - MD_LIST_MAX, md_w(m, W_MORE));
	}
	md_raw(m, n ? " |" : "\xe2\x80\x93 |");
}

static const char *md_host_name(const struct report *r, const void *items, size_t i)
{
	(void)r;
	return ((char *const *)items)[i];
}

static const char *md_domain_name(const struct report *r, const void *items, size_t i)
{
	return r->domains[((const size_t *)items)[i]].name;
}

static void md_providers(struct md *m)
{
	const struct report *r = m->r;
	const char *names[REP_STD_MAX + 5];
	char cols[REP_STD_MAX + 5] = "llrr";
	size_t i, s, n = 0, shown = 0;

	md_printf(m, "## %s\n\n", md_w(m, W_PROVIDERS));
	/* sorted by dependent domains: the shared ones come first */
	while (shown < r->nproviders && r->providers[shown].ndomains >= MD_PROVIDER_MIN)
		shown++;
	if (!shown) {
		md_printf(m, "%s\n\n", md_w(m, W_PROVIDERS_NONE));
		return;
	}
	md_printf(m, "%s\n\n", md_w(m, W_PROVIDERS_NOTE));
	names[n++] = md_w(m, W_PROVIDER);
	names[n++] = md_w(m, W_MX_HOSTS);
	names[n++] = md_w(m, W_DOMAINS);
	names[n++] = md_w(m, W_ORGS);
	md_std_heads(m, names, &n, cols);
	names[n] = NULL;
	cols[n] = '\0';
	md_thead(m, names, cols);
	for (i = 0; i < shown; i++) {
		const struct rep_provider *p = &r->providers[i];

		md_raw(m, "|");
		md_cell(m, p->name);
		md_list_cell(m, p->hosts, p->nhosts, md_host_name);
		md_printf(m, " %zu | %zu |", p->ndomains, p->norgs);
		for (s = 0; s < rep_nstandards; s++)
			if (r->present[s])
				md_adoption_cell(m, &p->c[s]);
		md_raw(m, "\n");
	}
	md_raw(m, "\n");
	/* "fix this one hoster and N domains comply" */
	for (i = 0; i < shown; i++)
		for (s = 0; s < rep_nstandards; s++) {
			const struct rep_provider *p = &r->providers[i];

			if (!r->present[s] || !p->fixable[s])
				continue;
			md_printf(m, "- %s **", md_w(m, W_FIX_PROVIDER));
			md_text(m, p->name);
			md_raw(m, "** ");
			md_printf(m, "%s %lu %s %s %s.\n", md_w(m, W_FIX_AND), p->fixable[s],
				  md_w(m, p->fixable[s] == 1 ? W_DOMAIN_LC : W_DOMAINS_LC),
				  md_w(m, p->fixable[s] == 1 ? W_FIX_COMPLIES : W_FIX_COMPLY),
				  rep_standards[s].name[m->en]);
		}
	if (shown < r->nproviders)
		md_printf(m, "\n%s: %zu.\n", md_w(m, W_PROVIDERS_SINGLE), r->nproviders - shown);
	md_raw(m, "\n");
}

static void md_orgs(struct md *m)
{
	const struct report *r = m->r;
	const char *names[REP_STD_MAX + 4];
	char cols[REP_STD_MAX + 4] = "lll";
	size_t i, s, n = 0;

	md_printf(m, "## %s\n\n", md_w(m, W_ORGANISATIONS));
	names[n++] = md_w(m, W_ORG);
	names[n++] = md_w(m, W_CATEGORY);
	names[n++] = md_w(m, W_DOMAINS);
	md_std_heads(m, names, &n, cols);
	names[n] = NULL;
	cols[n] = '\0';
	{
		char head[32];

		md_cap(names[0], head, sizeof(head));
		names[0] = head;
		md_thead(m, names, cols);
	}
	for (i = 0; i < r->norgs; i++) {
		const struct rep_org *o = &r->orgs[i];

		md_raw(m, "|");
		md_cell(m, o->name);
		md_cell(m, o->category);
		md_list_cell(m, o->domains, o->ndomains, md_domain_name);
		for (s = 0; s < rep_nstandards; s++)
			if (r->present[s])
				md_cell_raw(m, rep_status_name(r->lang, o->status[s]));
		md_raw(m, "\n");
	}
	md_raw(m, "\n");
}

/* ---- the appendix ---- */

/* A reason code inside a stored reasons string (not NUL-terminated). */
struct md_code {
	const char *p;
	size_t n;
};

#define MD_CODES_MAX 64

/* Append the codes of the stored parts of standard s to out (without
 * repeats; *n codes so far, at most MD_CODES_MAX). */
static void md_codes(const struct rep_domain *d, size_t s, struct md_code *out, size_t *n)
{
	size_t k, i;

	for (k = 0; rep_standards[s].parts[k]; k++) {
		const struct rep_verdict *v = rep_verdict_of(d, rep_standards[s].parts[k]);
		const char *p = v ? v->reasons : "";

		while (*p && *n < MD_CODES_MAX) {
			size_t len = strcspn(p, " ");
			int dup = 0;

			for (i = 0; i < *n && !dup; i++)
				dup = out[i].n == len && strncmp(out[i].p, p, len) == 0;
			if (len && !dup) {
				out[*n].p = p;
				out[(*n)++].n = len;
			}
			p += len;
			p += strspn(p, " ");
		}
	}
}

static int md_adv_cmp(const void *key, const void *row)
{
	return strcmp(key, ((const struct advice *)row)->code);
}

/* The row of code in the advice table, or NULL for a code without advice or
 * one that is not [a-z0-9-] only (it could not be a code span). */
static const struct advice *md_adv_row(const struct md *m, const char *code)
{
	if (!m->adv || !*code || code[strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789-")])
		return NULL;
	return bsearch(code, m->adv_rows, m->nadv, sizeof(*m->adv_rows), md_adv_cmp);
}

/* A stored verdict word in the report's language. */
static const char *md_verdict_word(const struct md *m, const char *v)
{
	if (strcmp(v, "pass") == 0)
		return rep_status_name(m->r->lang, RS_PASS);
	if (strcmp(v, "fail") == 0)
		return rep_status_name(m->r->lang, RS_FAIL);
	if (strcmp(v, "n/a") == 0)
		return rep_status_name(m->r->lang, RS_NA);
	if (strcmp(v, "warn") == 0)
		return md_w(m, W_V_WARN);
	if (strcmp(v, "error") == 0)
		return md_w(m, W_V_ERROR);
	return NULL;
}

/* One stored verdict: the part's title when titled, the verdict, its
 * reason codes (a code with advice as a code span, any other as text).
 * Returns the number of codes with advice. */
static size_t md_part(struct md *m, const char *part, const struct rep_verdict *v, int titled)
{
	const struct probe_ops *p = probe_find(part);
	const char *q, *w;
	size_t known = 0;
	int any = 0;

	if (titled) {
		md_text(m, p ? p->title[m->en] : part);
		md_raw(m, ": ");
	}
	if (!v) {
		md_raw(m, "\xe2\x80\x93");
		return 0;
	}
	w = md_verdict_word(m, v->verdict);
	if (w)
		md_raw(m, w);
	else
		md_text(m, v->verdict);
	for (q = v->reasons ? v->reasons : ""; *q;) {
		size_t len = strcspn(q, " ");
		char code[128];

		(void)snprintf(code, sizeof(code), "%.*s", (int)(len < 127 ? len : 127), q);
		if (len) {
			md_raw(m, any ? ", " : " ");
			if (md_adv_row(m, code)) {
				md_raw(m, "`");
				md_raw(m, code);
				md_raw(m, "`");
				known++;
			} else {
				md_text(m, code);
			}
			any = 1;
		}
		q += len;
		q += strspn(q, " ");
	}
	return known;
}

/* The stored verdicts of the parts of standard s with their reason codes,
 * separated by "; ". Returns the number of codes with advice. */
static size_t md_verdicts_cell(struct md *m, const struct rep_domain *d, size_t s)
{
	const struct rep_standard *st = &rep_standards[s];
	size_t k, known = 0;

	md_raw(m, " ");
	for (k = 0; st->parts[k]; k++) {
		if (k)
			md_raw(m, "; ");
		known +=
		    md_part(m, st->parts[k], rep_verdict_of(d, st->parts[k]), st->parts[1] != NULL);
	}
	md_raw(m, " |");
	return known;
}

/* Whether stored standard name is a part of a standard the report shows. */
static int md_part_shown(const struct report *r, const char *name)
{
	size_t s, k;

	for (s = 0; s < rep_nstandards; s++)
		for (k = 0; r->present[s] && rep_standards[s].parts[k]; k++)
			if (strcmp(rep_standards[s].parts[k], name) == 0)
				return 1;
	return 0;
}

static void md_expl_cell(struct md *m, const struct rep_domain *d, size_t s)
{
	const struct rep_expl *e = d->expl[s];

	if (!e) {
		md_cell(m, NULL);
		return;
	}
	md_printf(m,
		  " %s %s: ", md_w(m, d->status[s] == RS_EXPLAINED ? W_EXPL_VALID : W_EXPL_EXPIRED),
		  e->valid_until);
	md_text(m, e->reason);
	md_printf(m, " (%s, %s %lu) |", md_w(m, e->domain ? W_DOMAIN_LC : W_ORG),
		  md_w(m, W_LINE_LC), e->line);
}

/* Count, per code with advice, the domains whose reasons (of the standards
 * of the report) name it. */
static void md_adv_scan(struct md *m)
{
	const struct report *r = m->r;
	size_t i, s, k;

	m->adv_rows = advice_all(&m->nadv);
	m->adv = calloc(m->nadv ? m->nadv : 1, sizeof(*m->adv));
	if (!m->adv) {
		m->failed = 1;
		return;
	}
	for (i = 0; i < r->ndomains; i++) {
		struct md_code codes[MD_CODES_MAX];
		size_t n = 0;

		for (s = 0; s < rep_nstandards; s++)
			if (r->present[s])
				md_codes(&r->domains[i], s, codes, &n); /* each code once */
		for (k = 0; k < n; k++) {
			const struct advice *a;
			char code[128];

			(void)snprintf(code, sizeof(code), "%.*s", (int)codes[k].n, codes[k].p);
			a = md_adv_row(m, code);
			if (a)
				m->adv[a - m->adv_rows].domains++;
		}
	}
}

/* The advice per reason code: a heading per code the run names, sorted by
 * code, with the number of domains, what is wrong and what to do. */
static void md_advice(struct md *m)
{
	size_t k, n = 0;

	md_printf(m, "## %s\n\n%s\n\n", md_w(m, W_ADVICE), md_w(m, W_ADVICE_INTRO));
	for (k = 0; m->adv && k < m->nadv; k++) {
		const struct advice *a = &m->adv_rows[k];
		unsigned long c = m->adv[k].domains;

		if (!c)
			continue;
		md_printf(m, "### `%s`\n\n%lu %s. %s ", a->code, c,
			  md_w(m, c == 1 ? W_DOMAIN_LC : W_DOMAINS_LC), md_w(m, W_WHAT));
		md_text(m, a->what[m->en]);
		md_printf(m, "\n\n%s ", md_w(m, W_FIX));
		md_text(m, a->fix[m->en]);
		md_raw(m, "\n\n");
		n++;
	}
	if (!n)
		md_printf(m, "%s\n\n", md_w(m, W_ADVICE_NONE));
}

/* A machine word of the evidence (rep_ev_word) in the report's language;
 * a word this build does not know as stored; an en dash for none. */
static void md_ev(struct md *m, enum rep_ev_kind kind, const char *v)
{
	const char *t = rep_ev_word(m->r->lang, kind, v);

	if (t)
		md_raw(m, t);
	else if (v && *v)
		md_text(m, v);
	else
		md_raw(m, "\xe2\x80\x93");
}

static void md_ev_cell(struct md *m, enum rep_ev_kind kind, const char *v)
{
	md_raw(m, " ");
	md_ev(m, kind, v);
	md_raw(m, " |");
}

/* The STARTTLS status of an address in words; a status that is a reason
 * code keeps the code beside it, as a code span. */
static void md_starttls_cell(struct md *m, const char *v)
{
	const char *t = rep_ev_word(m->r->lang, REP_EV_ADDR, v);
	const struct advice *a;

	if (!t || strcmp(v, "ok") == 0 || strcmp(v, "not-tested") == 0) {
		md_ev_cell(m, REP_EV_ADDR, v);
		return;
	}
	/* a code span only for a code of the advice section (as in the verdict
	 * column); v is a word of the table, [a-z-] only */
	a = md_adv_row(m, v);
	md_printf(m, a && m->adv[a - m->adv_rows].domains ? " %s (`%s`) |" : " %s (%s) |", t, v);
}

static void md_bool_cell(struct md *m, int v)
{
	md_cell_raw(m, v < 0 ? "\xe2\x80\x93" : md_w(m, v ? W_YES : W_NO));
}

/* The first address row of d (MX i, address k) that shows what (i, k)
 * shows, as its MX index; i itself when (i, k) is the first. */
static size_t md_addr_first(const struct rep_domain *d, size_t i, size_t k)
{
	size_t i2, k2;

	for (i2 = 0; i2 < i; i2++)
		for (k2 = 0; k2 < d->mx[i2].naddrs; k2++)
			if (rep_addr_same(&d->mx[i2].addrs[k2], &d->mx[i].addrs[k]))
				return i2;
	return i;
}

static void md_mx_tables(struct md *m, const struct rep_domain *d)
{
	static const char cols_mx[] = "lrllll", cols_addr[] = "llllllllllll";
	const char *mx_names[7], *addr_names[13];
	size_t i, k, nsame = 0;

	mx_names[0] = md_w(m, W_MX_HOST);
	mx_names[1] = md_w(m, W_PREFERENCE);
	mx_names[2] = md_w(m, W_PROVIDER);
	mx_names[3] = "DNSSEC";
	mx_names[4] = "TLSA";
	mx_names[5] = md_w(m, W_ERROR);
	mx_names[6] = NULL;
	md_thead(m, mx_names, cols_mx);
	for (i = 0; i < d->nmx; i++) {
		const struct rep_mx *x = &d->mx[i];

		md_raw(m, "|");
		md_cell(m, x->host);
		md_printf(m, " %lld |", x->preference);
		md_cell(m, m->r->providers[x->provider].name);
		md_ev_cell(m, REP_EV_DNSSEC, x->dnssec);
		md_raw(m, " ");
		md_ev(m, REP_EV_TLSA, x->tlsa_state);
		if (x->tlsa && *x->tlsa) {
			md_raw(m, ": ");
			md_text(m, x->tlsa);
		}
		md_raw(m, " |");
		md_cell(m, x->error);
		md_raw(m, "\n");
	}
	md_raw(m, "\n");
	addr_names[0] = md_w(m, W_MX_HOST);
	addr_names[1] = md_w(m, W_ADDRESS);
	addr_names[2] = "STARTTLS";
	addr_names[3] = "TLS";
	addr_names[4] = md_w(m, W_CERT);
	addr_names[5] = md_w(m, W_ISSUER);
	addr_names[6] = md_w(m, W_NOT_AFTER);
	addr_names[7] = "PKIX";
	addr_names[8] = md_w(m, W_NAME_MATCH);
	addr_names[9] = "DANE";
	addr_names[10] = md_w(m, W_BANNER);
	addr_names[11] = md_w(m, W_ERROR);
	addr_names[12] = NULL;
	md_thead(m, addr_names, cols_addr);
	for (i = 0; i < d->nmx; i++)
		for (k = 0; k < d->mx[i].naddrs; k++) {
			const struct rep_addr *a = &d->mx[i].addrs[k];

			/* an address shown for an earlier MX host of the domain with
			 * the same evidence (ten host names on one IP) is named
			 * below the table instead */
			if (md_addr_first(d, i, k) != i) {
				nsame++;
				continue;
			}
			md_raw(m, "|");
			md_cell(m, d->mx[i].host);
			md_cell(m, a->ip);
			md_starttls_cell(m, a->starttls);
			md_raw(m, " ");
			if (a->tls_version && *a->tls_version) {
				md_text(m, a->tls_version);
				if (a->cipher && *a->cipher) {
					md_raw(m, " (");
					md_text(m, a->cipher);
					md_raw(m, ")");
				}
			} else {
				md_raw(m, "\xe2\x80\x93");
			}
			md_raw(m, " |");
			md_cell(m, a->cert_subject);
			md_cell(m, a->cert_issuer);
			md_cell(m, a->cert_not_after);
			md_bool_cell(m, a->pkix_valid);
			md_bool_cell(m, a->name_match);
			md_ev_cell(m, REP_EV_DANE, a->dane);
			md_cell(m, a->banner);
			md_raw(m, " ");
			md_text(m, a->error);
			if (a->retried) {
				md_printf(m, "%s(%s: ", a->error && *a->error ? " " : "",
					  md_w(m, W_RETRIED));
				md_text(m, a->first_attempt);
				md_raw(m, ")");
			} else if (!a->error || !*a->error) {
				md_raw(m, "\xe2\x80\x93");
			}
			md_raw(m, " |\n");
		}
	md_raw(m, "\n");
	if (!nsame)
		return;
	for (i = 0; i < d->nmx; i++)
		for (k = 0; k < d->mx[i].naddrs; k++) {
			size_t first = md_addr_first(d, i, k);

			if (first == i)
				continue;
			md_raw(m, "- ");
			md_text(m, d->mx[i].host);
			md_raw(m, " (");
			md_text(m, d->mx[i].addrs[k].ip);
			md_printf(m, "): %s ", md_w(m, W_SAME_EVIDENCE));
			md_text(m, d->mx[first].host);
			md_raw(m, "\n");
		}
	md_raw(m, "\n");
}

/* A stored word in the report's language when it is one we know, else as
 * stored (escaped). */
static void md_word_or_text(struct md *m, const char *s, const char *known[2],
			    const enum md_word w[2])
{
	size_t i;

	for (i = 0; i < 2; i++)
		if (strcmp(s, known[i]) == 0) {
			md_raw(m, md_w(m, w[i]));
			return;
		}
	md_text(m, s);
}

/* The findings cell of an address: "class: aspect item (version): detail"
 * per finding, separated by "; ". */
static void md_ncsc_findings(struct md *m, const struct rep_addr *a)
{
	static const char *cls[2] = {"insufficient", "phase-out"};
	static const enum md_word cls_w[2] = {W_NCSC_INSUFFICIENT, W_NCSC_PHASE_OUT};
	size_t i;

	md_raw(m, " ");
	if (!a->nncsc)
		md_raw(m, md_w(m, W_NCSC_NONE));
	for (i = 0; i < a->nncsc; i++) {
		const struct rep_ncsc_finding *f = &a->ncsc[i];

		md_raw(m, i ? "; " : "");
		md_word_or_text(m, f->cls, cls, cls_w);
		md_raw(m, ": ");
		md_ev(m, REP_EV_NCSC_ASPECT, f->aspect);
		md_raw(m, " ");
		md_text(m, f->item);
		if (f->version && strcmp(f->version, f->item) != 0) {
			md_raw(m, " (");
			md_text(m, f->version);
			md_raw(m, ")");
		}
		if (*f->detail) {
			const char *t = rep_ev_word(m->r->lang, REP_EV_NCSC_STATE, f->detail);

			md_raw(m, ": ");
			if (t)
				md_raw(m, t);
			else
				md_text(m, f->detail);
		}
	}
	md_raw(m, " |");
}

/* The protocol versions the tls_ncsc probe tried ("TLSv1.3 accepted,
 * TLSv1.2 refused, ..."), each state in the report's language. */
static void md_ncsc_versions_cell(struct md *m, const char *list)
{
	struct buf b;

	md_raw(m, " ");
	buf_init(&b, 0);
	if (rep_ncsc_versions(m->r->lang, list, &b) < 0)
		m->failed = 1;
	if (b.len)
		md_text(m, buf_str(&b));
	else
		md_raw(m, "\xe2\x80\x93");
	buf_free(&b);
	md_raw(m, " |");
}

/* The tls_ncsc evidence per address (what made its verdict warn or fail),
 * when the probe ran on any address of the domain. */
static void md_ncsc_table(struct md *m, const struct rep_domain *d)
{
	static const char *state[2] = {"done", "incomplete"};
	static const enum md_word state_w[2] = {W_NCSC_DONE, W_NCSC_INCOMPLETE};
	const char *names[6];
	size_t i, k;
	int any = 0;

	for (i = 0; i < d->nmx; i++)
		for (k = 0; k < d->mx[i].naddrs; k++)
			any |= d->mx[i].addrs[k].ncsc_state != NULL;
	if (!any)
		return;
	names[0] = md_w(m, W_MX_HOST);
	names[1] = md_w(m, W_ADDRESS);
	names[2] = md_w(m, W_NCSC_PROBE);
	names[3] = md_w(m, W_NCSC_VERSIONS);
	names[4] = md_w(m, W_NCSC_FINDINGS);
	names[5] = NULL;
	md_thead(m, names, "lllll");
	for (i = 0; i < d->nmx; i++)
		for (k = 0; k < d->mx[i].naddrs; k++) {
			const struct rep_addr *a = &d->mx[i].addrs[k];

			if (md_addr_first(d, i, k) != i)
				continue; /* named below the address table */
			md_raw(m, "|");
			md_cell(m, d->mx[i].host);
			md_cell(m, a->ip);
			if (!a->ncsc_state) {
				md_raw(m, " \xe2\x80\x93 | \xe2\x80\x93 | \xe2\x80\x93 |\n");
				continue;
			}
			md_raw(m, " ");
			md_word_or_text(m, a->ncsc_state, state, state_w);
			md_printf(m, ", %lld %s |", a->ncsc_handshakes, md_w(m, W_NCSC_HANDSHAKES));
			md_ncsc_versions_cell(m, a->ncsc_versions);
			md_ncsc_findings(m, a);
			md_raw(m, "\n");
		}
	md_raw(m, "\n");
}

/* "- Label: text" for evidence that is there. */
static void md_item(struct md *m, enum md_word label, const char *text)
{
	if (!text || !*text)
		return;
	md_printf(m, "- %s: ", md_w(m, label));
	md_text(m, text);
	md_raw(m, "\n");
}

/* Every lookup made for the domain that failed (dns_failures), a nested
 * item each: what an error verdict with a DNS reason rests on. */
static void md_dns_failures(struct md *m, const struct rep_domain *d)
{
	const char *p = d->dns_failures, *nl;
	char line[512];
	size_t n;

	if (!p || !*p)
		return;
	md_printf(m, "- %s:\n", md_w(m, W_DNS_FAILED));
	for (; *p; p = *nl ? nl + 1 : nl) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		n = (size_t)(nl - p) < sizeof(line) ? (size_t)(nl - p) : sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		md_raw(m, "  - ");
		md_text(m, line);
		md_raw(m, "\n");
	}
	if (d->dns_failures_more > 0)
		md_printf(m, "  - %s %lld %s\n", md_w(m, W_DNS_MORE_PRE), d->dns_failures_more,
			  md_w(m, W_DNS_MORE_POST));
}

/* The evidence of the probes that write their own (rep_evidence): per
 * probe an item with its title, its values nested below ("path: value"). */
static void md_probe_evidence(struct md *m, const struct rep_domain *d)
{
	size_t i;

	for (i = 0; i < d->nev; i++) {
		const struct rep_evidence *e = &d->ev[i];

		if (i == 0 || strcmp(e->probe, d->ev[i - 1].probe) != 0) {
			const struct probe_ops *p = probe_find(e->probe);

			md_raw(m, "- ");
			md_text(m, p ? p->title[m->en] : e->probe);
			md_raw(m, ":\n");
		}
		md_raw(m, "  - ");
		if (e->path[0]) {
			md_text(m, e->path);
			md_raw(m, ": ");
		}
		md_text(m, rep_ev_value(m->r->lang, e->probe, e->path, e->value));
		md_raw(m, "\n");
	}
}

static void md_domain(struct md *m, const struct rep_domain *d)
{
	const struct report *r = m->r;
	const char *names[6];
	size_t i, s, known = 0;

	md_raw(m, "### ");
	md_text(m, d->name);
	md_printf(m, "\n\n%s: ", md_w(m, W_ORGS));
	for (i = 0; i < d->norgs; i++) {
		if (i)
			md_raw(m, "; ");
		md_text(m, r->orgs[d->orgs[i]].name);
	}
	if (!d->norgs)
		md_raw(m, md_w(m, W_NO_CAT));
	md_printf(m, ". %s: ", md_w(m, W_CHECKED));
	md_text(m, d->checked_at);
	md_raw(m, ".\n\n");
	names[0] = md_w(m, W_STANDARD);
	names[1] = md_w(m, W_LEVEL);
	names[2] = md_w(m, W_STATUS);
	names[3] = md_w(m, W_VERDICT_COL);
	names[4] = md_w(m, W_EXPLANATION);
	names[5] = NULL;
	{
		char head[32];

		md_cap(names[2], head, sizeof(head));
		names[2] = head;
		md_thead(m, names, "lllll");
	}
	for (s = 0; s < rep_nstandards; s++) {
		if (!r->present[s])
			continue;
		md_raw(m, "|");
		md_cell_raw(m, rep_standards[s].name[m->en]);
		md_cell_raw(m, rep_level_name(r->lang, rep_standards[s].level));
		md_cell_raw(m, rep_status_name(r->lang, d->status[s]));
		known += md_verdicts_cell(m, d, s);
		md_expl_cell(m, d, s);
		md_raw(m, "\n");
	}
	for (i = 0; i < d->nverdicts; i++) {
		const struct probe_ops *p = probe_find(d->verdicts[i].standard);

		if (md_part_shown(r, d->verdicts[i].standard))
			continue;
		md_raw(m, "|");
		md_cell(m, p ? p->title[m->en] : d->verdicts[i].standard);
		md_raw(m, " \xe2\x80\x93 | \xe2\x80\x93 | ");
		known += md_part(m, d->verdicts[i].standard, &d->verdicts[i], 0);
		md_raw(m, " | \xe2\x80\x93 |\n");
	}
	md_raw(m, "\n");
	if (known)
		md_printf(m, "%s\n\n", md_w(m, W_ADVICE_SEE));
	md_printf(m, "%s:\n\n", md_w(m, W_EVIDENCE));
	md_item(m, W_MX_ERROR, d->mx_error);
	md_dns_failures(m, d);
	md_probe_evidence(m, d);
	md_raw(m, "\n");
	if (d->nmx) {
		md_mx_tables(m, d);
		md_ncsc_table(m, d);
	} else
		md_printf(m, "%s\n\n", md_w(m, W_NO_MX));
}

/* ---- a slice of the run (report --group-by) ---- */

/* "organisaties met provincie = Utrecht" / "organisaties zonder provincie
 * en de domeinen die geen organisatie noemt". */
static void md_group_words(struct md *m, const struct rep_filter *g)
{
	md_raw(m, mw(m, g->value ? RW_GROUP_WITH : RW_GROUP_WITHOUT));
	md_raw(m, " ");
	md_text(m, g->key);
	if (g->value) {
		md_raw(m, " = ");
		md_text(m, g->value);
	} else {
		md_printf(m, " %s", mw(m, RW_GROUP_NO_ORG));
	}
}

/* Under the title of a slice: which one, and that every figure is its. */
static void md_group(struct md *m)
{
	if (!m->r->filter)
		return;
	md_printf(m, "**%s:** ", mw(m, RW_GROUP));
	md_group_words(m, m->r->filter);
	md_printf(m, ". %s\n\n", mw(m, RW_GROUP_NOTE));
}

static int md_render(const struct report *r, FILE *f)
{
	struct md m = {.r = r, .en = r->lang == REP_EN, .f = f, .failed = 0};
	size_t i;

	md_adv_scan(&m);
	md_title(&m);
	md_group(&m);
	md_headline(&m);
	md_summary(&m);
	md_method(&m);
	md_categories(&m);
	md_trend(&m);
	md_changes(&m);
	md_explanations(&m);
	md_providers(&m);
	md_orgs(&m);
	md_advice(&m);
	md_printf(&m, "## %s\n\n", md_w(&m, W_APPENDIX));
	for (i = 0; i < r->ndomains && !m.failed; i++)
		md_domain(&m, &r->domains[i]);
	free(m.adv);
	return m.failed || ferror(f) ? -1 : 0;
}

const struct report_ops report_md = {.name = "md", .render = md_render};

/* ---- the exception report (report --changes-only) ---- */

/* The date of run id in the trend, "?" when it is not there. */
static const char *md_run_date(const struct report *r, long long id)
{
	size_t i;

	for (i = 0; i < r->ntrend; i++)
		if (r->trend[i].run == id)
			return r->trend[i].date;
	return "?";
}

/* " voor organisaties met provincie = Utrecht" after a one-line answer. */
static void md_group_suffix(struct md *m)
{
	if (!m->r->filter)
		return;
	md_printf(m, " %s ", mw(m, RW_CHG_IN));
	md_group_words(m, m->r->filter);
}

/* One line when there is nothing to list: no earlier run, or no change. */
static void md_changes_line(struct md *m)
{
	const struct report *r = m->r;
	char w[128];

	if (!r->prev_run) {
		md_cap(mw(m, RW_CHG_NO_PREV), w, sizeof(w));
		md_printf(m, "%s: run %lld (%s)", w, r->run.id, r->date);
	} else {
		md_cap(mw(m, RW_CHG_NONE), w, sizeof(w));
		md_printf(m, "%s %lld (%s) %s %lld (%s)", w, r->prev_run,
			  md_run_date(r, r->prev_run), mw(m, RW_CHG_OF), r->run.id, r->date);
	}
	md_group_suffix(m);
	md_raw(m, ".\n");
}

/* The organisations of domain d, "; "-joined, as one cell. */
static void md_orgs_cell(struct md *m, const struct rep_domain *d)
{
	size_t k;

	md_raw(m, " ");
	if (!d->norgs)
		md_raw(m, "\xe2\x80\x93");
	for (k = 0; k < d->norgs; k++) {
		if (k)
			md_raw(m, "; ");
		md_text(m, m->r->orgs[d->orgs[k]].name);
	}
	md_raw(m, " |");
}

static void md_changes_table(struct md *m, bool improved, size_t count)
{
	const struct report *r = m->r;
	const char *names[7];
	char reasons[1024];
	size_t i;

	md_printf(m, "## %s (%zu)\n\n", mw(m, improved ? RW_IMPROVED : RW_REGRESSED), count);
	if (!count) {
		md_printf(m, "%s\n\n", md_w(m, W_NONE));
		return;
	}
	names[0] = mw(m, RW_DOMAIN);
	names[1] = mw(m, RW_ORGS);
	names[2] = mw(m, RW_STANDARD);
	names[3] = mw(m, RW_WAS);
	names[4] = mw(m, RW_NOW);
	names[5] = mw(m, RW_REASONS_NOW);
	names[6] = NULL;
	md_thead(m, names, "llllll");
	for (i = 0; i < r->nchanges; i++) {
		const struct rep_change *c = &r->changes[i];
		const struct rep_domain *d = &r->domains[c->domain];

		if (c->improved != improved)
			continue;
		md_raw(m, "|");
		md_cell(m, d->name);
		md_orgs_cell(m, d);
		md_cell_raw(m, rep_standards[c->std].name[m->en]);
		md_cell_raw(m, rep_status_name(r->lang, c->before));
		md_cell_raw(m, rep_status_name(r->lang, c->after));
		md_cell(m, rep_reasons_of(d, c->std, reasons, sizeof(reasons)));
		md_raw(m, "\n");
	}
	md_raw(m, "\n");
}

/* Only what changed since the previous finished run, regressions first:
 * short enough for a mail to the people who must act on it. */
static int md_changes_render(const struct report *r, FILE *f)
{
	struct md m = {.r = r, .en = r->lang == REP_EN, .f = f, .failed = 0};
	size_t i, regressed = 0;

	if (!r->prev_run || !r->nchanges) {
		md_changes_line(&m);
		return m.failed || ferror(f) ? -1 : 0;
	}
	for (i = 0; i < r->nchanges; i++)
		regressed += !r->changes[i].improved;
	md_printf(&m, "# %s %lld (%s) %s %lld (%s)", mw(&m, RW_CHG_TITLE), r->prev_run,
		  md_run_date(r, r->prev_run), mw(&m, RW_CHG_OF), r->run.id, r->date);
	if (r->run.label[0]) {
		md_raw(&m, ", ");
		md_text(&m, r->run.label);
	}
	md_raw(&m, "\n\n");
	md_group(&m);
	md_printf(&m, "%zu %s, %zu %s.\n\n", regressed, mw(&m, RW_N_REGRESSED),
		  r->nchanges - regressed, mw(&m, RW_N_IMPROVED));
	md_changes_table(&m, false, regressed);
	md_changes_table(&m, true, r->nchanges - regressed);
	return m.failed || ferror(f) ? -1 : 0;
}

const struct report_ops report_changes_md = {.name = "md", .render = md_changes_render};
