/*
 * html.c - the compliance report as one self-contained HTML5 file (SPEC §7):
 * inline CSS, inline SVG charts drawn here, no scripts, nothing loaded from
 * elsewhere (a Content-Security-Policy forbids it), readable on screen and
 * on paper (@media print). Order: summary, categories, trend and changes,
 * explanations, suppliers, organisations, the advice per reason code (what
 * is wrong and what to change, once per code the run names), and an
 * appendix with the evidence behind every verdict of every domain, whose
 * reason codes link to their advice.
 *
 * Safety. Every string written as text, ours or not, goes through h_esc(),
 * the one escaping function: & < > " ' become references; control
 * characters, bidirectional overrides and bytes that are not UTF-8 become
 * U+FFFD (a line break a visible " ↵ ", or a real one inside <pre>), so a
 * name from a target list or a banner from the network can neither add
 * markup nor disguise itself. Markup is written only from string literals
 * (h_raw) and numbers (h_fmt); element ids are made from indexes (d12, o3,
 * c1, adv-4), never from names or codes.
 *
 * Size: the appendix dominates (about 3 kB per domain with one MX host,
 * nearly half of it the address evidence). Evidence of an address that
 * equals, field for field, what the appendix showed before (a provider's MX
 * host used by many domains; ten MX names on one address) is shown once and
 * linked to from every later place, and so are the tls_ncsc findings of an
 * address; the advice texts are written once, in their own section, not per
 * domain (they were some 1.2 kB of every domain). Rendering streams to the
 * FILE; it allocates one counter per row of the advice table and, to find
 * the repeated evidence, a few words per address of the run.
 *
 * Output is deterministic (only the run's own dates appear), so golden files
 * (tests/data/report/golden/) can pin it down.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/str.h"
#include "../probes/probe.h"
#include "advice.h"
#include "report.h"

/* ---- the words of the report, nl and en ---- */

enum html_word {
	W_TITLE,
	W_RUN,
	W_TOC,
	W_SUMMARY,
	W_CATEGORIES,
	W_CHANGES,
	W_EXPLANATIONS,
	W_PROVIDERS,
	W_ORGS,
	W_ADVICE,
	W_APPENDIX,
	W_STATUS,
	W_STARTED,
	W_FINISHED,
	W_LABEL,
	W_TARGETS,
	W_SHARD,
	W_NDOMAINS,
	W_NORGS,
	W_PREV,
	W_NONE,
	W_STANDARD,
	W_LEVEL,
	W_ADOPTION,
	W_ORGS_PASS,
	W_OF,
	W_CHART_STD,
	W_CHART_CAT,
	W_CHART_TREND,
	W_ABOUT,
	W_ABOUT_STATUS,
	W_ABOUT_ADOPTION,
	W_ABOUT_ORG,
	W_BASIS,
	W_CATEGORY,
	W_NO_CAT,
	W_DOMAINS,
	W_ORGANISATIONS,
	W_TREND,
	W_TREND_ONE,
	W_DATE,
	W_SINCE,
	W_NO_PREV,
	W_IMPROVED,
	W_REGRESSED,
	W_NO_CHANGES,
	W_DOMAIN,
	W_BEFORE,
	W_AFTER,
	W_EXPL_NONE,
	W_EXPL_INTRO,
	W_SUBJECT,
	W_REASON,
	W_VALID_UNTIL,
	W_EXPL_COUNTS,
	W_LINE,
	W_EXPL_APPLIED,
	W_EXPL_EXPIRED,
	W_EXPL_NOT_NEEDED,
	W_EXPL_UNUSED,
	W_ORG_WORD,
	W_DOMAIN_WORD,
	W_PROV_INTRO,
	W_PROV_NONE,
	W_PROV_SINGLE,
	W_PROVIDER,
	W_MX_HOSTS,
	W_FIXABLE,
	W_FIX_A,
	W_FIX_B,
	W_FIX_ONE,
	W_FIX_MANY,
	W_MORE,
	W_ORGS_INTRO,
	W_NO_ORGS,
	W_ADVICE_INTRO,
	W_ADVICE_NONE,
	W_APPENDIX_INTRO,
	W_CHECKED,
	W_EXPLANATION,
	W_EXPL_VALID,
	W_EXPL_LAPSED,
	W_VERDICTS,
	W_PART,
	W_VERDICT,
	W_CODE,
	W_CODES,
	W_WHAT,
	W_FIX,
	W_DNS,
	W_DNSSEC_DOMAIN,
	W_DNSSEC_MX,
	W_MX_ERROR,
	W_DNS_FAILED,
	W_DNS_MORE_PRE,
	W_DNS_MORE_POST,
	W_MTA_STS_TXT,
	W_MTA_STS_POLICY,
	W_TLSRPT_TXT,
	W_MX,
	W_NO_MX,
	W_PREFERENCE,
	W_DNSSEC,
	W_TLSA_STATE,
	W_TLSA,
	W_ERROR,
	W_NO_ADDRS,
	W_ADDRESS,
	W_STARTTLS,
	W_BANNER,
	W_TLS,
	W_CERT_SUBJECT,
	W_CERT_ISSUER,
	W_CERT_EXPIRY,
	W_KEY,
	W_SIGNATURE,
	W_PKIX,
	W_NAME_MATCH,
	W_DANE,
	W_RETRY,
	W_FIRST_ATTEMPT,
	W_CERT_SHA256,
	W_NCSC,
	W_NCSC_DONE,
	W_NCSC_INCOMPLETE,
	W_NCSC_HANDSHAKES,
	W_NCSC_NONE,
	W_NCSC_PHASE_OUT,
	W_NCSC_INSUFFICIENT,
	W_YES,
	W_NO,
	W_WARN,
	W_VERR,
	W_FOOTER,
	W_ORG_COL,
	W_PROVIDER_LC,
	W_CHANGES_H,
	W_DOMAINS_LC,
	W_ORGS_LC,
	W_SAME_ADDR,
	W_SAME_NCSC,
	W_IN,
	W_COUNT
};

static const char *const html_words[W_COUNT][2] = {
    [W_TITLE] = {"Mailbeveiliging: pas toe of leg uit", "Mail security: comply or explain"},
    [W_RUN] = {"Run", "Run"},
    [W_TOC] = {"Inhoud", "Contents"},
    [W_SUMMARY] = {"Samenvatting", "Summary"},
    [W_CATEGORIES] = {"Per categorie", "By category"},
    [W_CHANGES] = {"Ontwikkeling en wijzigingen", "Trend and changes"},
    [W_EXPLANATIONS] = {"Uitleg (leg uit)", "Explanations (comply or explain)"},
    [W_PROVIDERS] = {"Leveranciers", "Suppliers"},
    [W_ORGS] = {"Per organisatie", "By organisation"},
    [W_ADVICE] = {"Advies per redencode", "Advice per reason code"},
    [W_APPENDIX] = {"Bijlage: bewijs per domein", "Appendix: evidence per domain"},
    [W_STATUS] = {"Status", "Status"},
    [W_STARTED] = {"Gestart", "Started"},
    [W_FINISHED] = {"Afgerond", "Finished"},
    [W_LABEL] = {"Label", "Label"},
    [W_TARGETS] = {"Doellijst", "Target list"},
    [W_SHARD] = {"Deel (shard)", "Shard"},
    [W_NDOMAINS] = {"Domeinen", "Domains"},
    [W_NORGS] = {"Organisaties", "Organisations"},
    [W_PREV] = {"Vorige run", "Previous run"},
    [W_NONE] = {"geen", "none"},
    [W_STANDARD] = {"Standaard", "Standard"},
    [W_LEVEL] = {"Niveau", "Level"},
    [W_ADOPTION] = {"Adoptie", "Adoption"},
    [W_ORGS_PASS] = {"Organisaties die voldoen", "Organisations that comply"},
    [W_OF] = {"van", "of"},
    [W_CHART_STD] = {"Adoptie per standaard (domeinen)", "Adoption per standard (domains)"},
    [W_CHART_CAT] = {"Adoptie per standaard en categorie (domeinen)",
		     "Adoption per standard and category (domains)"},
    [W_CHART_TREND] = {"Adoptie per standaard over de runs (domeinen)",
		       "Adoption per standard over the runs (domains)"},
    [W_ABOUT] = {"Leeswijzer", "How to read this report"},
    [W_ABOUT_STATUS] =
	{"Per domein en standaard: voldoet, voldoet niet, uitgelegd (voldoet niet, maar met een "
	 "geldige uitleg), n.v.t. (het domein ontvangt geen mail) of niet getest (het bewijs "
	 "was onvolledig).",
	 "Per domain and standard: pass, fail, explained (fails, but with a valid explanation), "
	 "n/a (the domain takes no mail) or not tested (the evidence was incomplete)."},
    [W_ABOUT_ADOPTION] =
	{"Adoptie = voldoet / (voldoet + voldoet niet + uitgelegd). Uitgelegd telt dus niet als "
	 "voldoet; n.v.t. en niet getest tellen niet mee en staan apart vermeld.",
	 "Adoption = pass / (pass + fail + explained). Explained therefore does not count as "
	 "pass; n/a and not tested are left out and shown separately."},
    [W_ABOUT_ORG] = {"Een organisatie voldoet aan een standaard als al haar domeinen voldoen.",
		     "An organisation complies with a standard when all its domains do."},
    [W_BASIS] = {"Grondslag", "Basis"},
    [W_CATEGORY] = {"Categorie", "Category"},
    [W_NO_CAT] = {"(geen categorie)", "(no category)"},
    [W_DOMAINS] = {"Domeinen", "Domains"},
    [W_ORGANISATIONS] = {"Organisaties", "Organisations"},
    [W_TREND] = {"Ontwikkeling", "Trend"},
    [W_TREND_ONE] = {"De database bevat één afgeronde run: de grafiek toont per standaard "
		     "de adoptie in die run; vanaf de tweede run worden het lijnen.",
		     "The database holds one finished run: the chart shows each standard's "
		     "adoption in that run; from the second run on they become lines."},
    [W_DATE] = {"Datum", "Date"},
    [W_SINCE] = {"Wijzigingen sinds run", "Changes since run"},
    [W_NO_PREV] = {"Er is geen eerdere afgeronde run om mee te vergelijken.",
		   "There is no earlier finished run to compare with."},
    [W_IMPROVED] = {"Verbeterd", "Improved"},
    [W_REGRESSED] = {"Verslechterd", "Regressed"},
    [W_NO_CHANGES] = {"Geen.", "None."},
    [W_DOMAIN] = {"Domein", "Domain"},
    [W_BEFORE] = {"Vorige run", "Previous run"},
    [W_AFTER] = {"Deze run", "This run"},
    [W_EXPL_NONE] = {"Er is geen uitleg opgegeven (mailscan report --explanations).",
		     "No explanations were given (mailscan report --explanations)."},
    [W_EXPL_INTRO] =
	{"Vastgelegde afwijkingen. Een geldige uitleg maakt een falend domein 'uitgelegd'; een "
	 "verlopen uitleg telt niet: het domein voldoet dan niet.",
	 "Recorded deviations. A valid explanation makes a failing domain 'explained'; an "
	 "expired one does not count: the domain then fails."},
    [W_SUBJECT] = {"Organisatie of domein", "Organisation or domain"},
    [W_REASON] = {"Reden", "Reason"},
    [W_VALID_UNTIL] = {"Geldig tot", "Valid until"},
    [W_EXPL_COUNTS] = {"Domeinen: uitgelegd / verlopen / voldoen al",
		       "Domains: explained / expired / already pass"},
    [W_LINE] = {"Regel", "Line"},
    [W_EXPL_APPLIED] = {"toegepast", "applied"},
    [W_EXPL_EXPIRED] = {"verlopen", "expired"},
    [W_EXPL_NOT_NEEDED] = {"niet meer nodig", "no longer needed"},
    [W_EXPL_UNUSED] = {"ongebruikt", "unused"},
    [W_ORG_WORD] = {"organisatie", "organisation"},
    [W_DOMAIN_WORD] = {"domein", "domain"},
    [W_PROV_INTRO] = {"Mailproviders (het geregistreerde domein van de MX-hosts) waar meer dan "
		      "één domein van afhangt.",
		      "Mail providers (the registered domain of the MX hosts) that more than "
		      "one domain depends on."},
    [W_PROV_NONE] = {"Geen provider bedient meer dan één domein.",
		     "No provider serves more than one domain."},
    [W_PROV_SINGLE] = {"Providers met één domein (zie de bijlage per domein):",
		       "Providers with one domain (see the appendix per domain):"},
    [W_PROVIDER] = {"Provider", "Provider"},
    [W_MX_HOSTS] = {"MX-hosts", "MX hosts"},
    [W_FIXABLE] = {"Herstel bij de provider", "Fixed at the provider"},
    [W_FIX_A] = {"Los het op bij ", "Fix "},
    [W_FIX_B] = {" en ", " and "},
    [W_FIX_ONE] = {" domein voldoet aan ", " domain complies with "},
    [W_FIX_MANY] = {" domeinen voldoen aan ", " domains comply with "},
    [W_MORE] = {"meer", "more"},
    [W_ORGS_INTRO] = {"Status per organisatie en standaard, gegroepeerd per categorie.",
		      "Status per organisation and standard, grouped by category."},
    [W_NO_ORGS] = {"De doellijst noemt geen organisaties.",
		   "The target list names no organisations."},
    [W_ADVICE_INTRO] =
	{"Wat elke redencode in de bijlage betekent en wat er moet veranderen, één keer per "
	 "code: alleen de codes die in deze run voorkomen, op alfabet. Domeinen: het aantal "
	 "domeinen met die reden.",
	 "What each reason code in the appendix means and what to change, once per code: only "
	 "the codes that occur in this run, in alphabetical order. Domains: the number of "
	 "domains with that reason."},
    [W_ADVICE_NONE] = {"In deze run komt geen redencode met advies voor.",
		       "No reason code with advice occurs in this run."},
    [W_APPENDIX_INTRO] =
	{"Per domein de opgeslagen oordelen met hun redenen, en het bewijs waarop ze rusten: "
	 "DNSSEC, MX-hosts, TLSA, en per adres STARTTLS, TLS en certificaat. Het advies bij "
	 "elke redencode staat in 'Advies per redencode'.",
	 "Per domain the stored verdicts with their reasons, and the evidence they rest on: "
	 "DNSSEC, MX hosts, TLSA, and per address STARTTLS, TLS and certificate. The advice for "
	 "each reason code is in 'Advice per reason code'."},
    [W_CHECKED] = {"Gecontroleerd", "Checked"},
    [W_EXPLANATION] = {"Uitleg", "Explanation"},
    [W_EXPL_VALID] = {"uitgelegd tot ", "explained until "},
    [W_EXPL_LAPSED] = {"uitleg verlopen op ", "explanation expired on "},
    [W_VERDICTS] = {"Gemeten oordeel en redenen", "Measured verdict and reasons"},
    [W_PART] = {"Onderdeel", "Check"},
    [W_VERDICT] = {"Oordeel", "Verdict"},
    [W_CODE] = {"Redencode", "Reason code"},
    [W_CODES] = {"Redenen", "Reasons"},
    [W_WHAT] = {"Wat is er mis", "What is wrong"},
    [W_FIX] = {"Wat te doen", "What to do"},
    [W_DNS] = {"DNS", "DNS"},
    [W_DNSSEC_DOMAIN] = {"DNSSEC van het domein", "DNSSEC of the domain"},
    [W_DNSSEC_MX] = {"DNSSEC van de MX-records", "DNSSEC of the MX records"},
    [W_MX_ERROR] = {"Fout bij MX-opvraag", "MX lookup error"},
    [W_DNS_FAILED] = {"Mislukte DNS-opvragingen", "Failed DNS lookups"},
    [W_DNS_MORE_PRE] = {"en nog", "and"},
    [W_DNS_MORE_POST] = {"niet getoond", "more not shown"},
    [W_MTA_STS_TXT] = {"MTA-STS TXT-record", "MTA-STS TXT record"},
    [W_MTA_STS_POLICY] = {"MTA-STS policy", "MTA-STS policy"},
    [W_TLSRPT_TXT] = {"TLS-RPT TXT-record", "TLS-RPT TXT record"},
    [W_MX] = {"MX-hosts", "MX hosts"},
    [W_NO_MX] = {"Geen MX-hosts.", "No MX hosts."},
    [W_PREFERENCE] = {"voorkeur", "preference"},
    [W_DNSSEC] = {"DNSSEC", "DNSSEC"},
    [W_TLSA_STATE] = {"TLSA", "TLSA"},
    [W_TLSA] = {"TLSA-records", "TLSA records"},
    [W_ERROR] = {"Fout", "Error"},
    [W_NO_ADDRS] = {"Geen adressen gecontroleerd.", "No addresses checked."},
    [W_ADDRESS] = {"Adres", "Address"},
    [W_STARTTLS] = {"STARTTLS", "STARTTLS"},
    [W_BANNER] = {"Banner", "Banner"},
    [W_TLS] = {"TLS-versie en cipher", "TLS version and cipher"},
    [W_CERT_SUBJECT] = {"Certificaat: onderwerp", "Certificate subject"},
    [W_CERT_ISSUER] = {"Certificaat: uitgever", "Certificate issuer"},
    [W_CERT_EXPIRY] = {"Certificaat geldig tot", "Certificate valid until"},
    [W_KEY] = {"Sleutel", "Key"},
    [W_SIGNATURE] = {"Handtekening", "Signature"},
    [W_PKIX] = {"PKIX geldig", "PKIX valid"},
    [W_NAME_MATCH] = {"Naam klopt", "Name matches"},
    [W_DANE] = {"DANE", "DANE"},
    [W_RETRY] = {"Opnieuw geprobeerd", "Retried"},
    [W_FIRST_ATTEMPT] = {"eerste poging: ", "first attempt: "},
    [W_CERT_SHA256] = {"Certificaat SHA-256", "Certificate SHA-256"},
    [W_NCSC] = {"TLS volgens NCSC", "TLS per NCSC"},
    [W_NCSC_DONE] = {"afgerond", "complete"},
    [W_NCSC_INCOMPLETE] = {"onvolledig", "incomplete"},
    [W_NCSC_HANDSHAKES] = {" extra handshakes", " extra handshakes"},
    [W_NCSC_NONE] = {"geen bevindingen", "no findings"},
    [W_NCSC_PHASE_OUT] = {"uit te faseren", "phase-out"},
    [W_NCSC_INSUFFICIENT] = {"onvoldoende", "insufficient"},
    [W_YES] = {"ja", "yes"},
    [W_NO] = {"nee", "no"},
    [W_WARN] = {"waarschuwing", "warning"},
    [W_VERR] = {"fout (niet getest)", "error (not tested)"},
    [W_FOOTER] = {"Gemaakt door mailscan uit de opgeslagen run. Dit bestand is op zichzelf "
		  "staand: het bevat geen scripts en laadt niets van elders.",
		  "Made by mailscan from the stored run. This file is self-contained: it holds "
		  "no scripts and loads nothing from elsewhere."},
    [W_ORG_COL] = {"Organisatie", "Organisation"},
    [W_PROVIDER_LC] = {"provider", "provider"},
    [W_CHANGES_H] = {"Wijzigingen", "Changes"},
    [W_DOMAINS_LC] = {"domeinen", "domains"},
    [W_ORGS_LC] = {"organisaties", "organisations"},
    [W_SAME_ADDR] = {"hetzelfde bewijs als bij ", "the same evidence as at "},
    [W_SAME_NCSC] = {"dezelfde bevindingen als bij ", "the same findings as at "},
    [W_IN] = {" in ", " in "},
};

/* ---- output ---- */

/* Per row of the advice table (advice_all()): the domains whose verdicts
 * name the code, and its entry in the advice section. */
struct h_adv {
	unsigned long domains;
	size_t last; /* the domain (index + 1) counted last */
	size_t slot; /* 0: the run does not name it; else its index in the section + 1 */
};

/* An address of the appendix: domain, MX host and address indexes. */
struct h_loc {
	size_t d, m, a;
};

struct html {
	FILE *f;
	const struct report *r;
	int en;                        /* index into html_words: 0 nl, 1 en */
	int failed;                    /* out of memory: the render fails */
	const struct advice *adv_rows; /* advice_all(), sorted by code */
	size_t nadv;
	struct h_adv *adv; /* nadv of them; NULL when out of memory */
	/* the addresses of the appendix in its order (domain, MX host,
	 * address); per address the earlier one whose evidence it repeats
	 * (-1: none, it is shown here), of the whole address and of its
	 * tls_ncsc findings; NULL (nothing folded) when out of memory */
	struct h_loc *loc;
	long *same_addr, *same_ncsc;
	unsigned char *target; /* per address: 1 its column, 2 its findings are linked to */
	size_t nloc;
	size_t *first; /* per domain: its first address in loc */
};

static const char *h_word(const struct html *h, enum html_word w) { return html_words[w][h->en]; }

/* Markup from a string literal of this file; never data. */
static void h_raw(struct html *h, const char *markup) { (void)fputs(markup, h->f); }

/* Markup with numbers; the format is a literal, its arguments numbers. */
__attribute__((format(printf, 2, 3))) static void h_fmt(struct html *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vfprintf(h->f, fmt, ap);
	va_end(ap);
}

enum { ESC_LINES = 1 }; /* keep line breaks (for pre-wrap blocks) */

/* Code points that must not reach the page as they are: C1 controls and the
 * bidirectional marks and overrides (they can make a name read as another). */
static int h_hidden(unsigned long cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * THE escaping function: write s as HTML text (also safe in a quoted
 * attribute value). At most max code points (0: all), then "…". NULL writes
 * nothing. & < > " ' become references; a tab a space; a line break (LF or
 * CR LF) stays with ESC_LINES, else becomes " ↵ "; every other control
 * character (C0, DEL, C1), the bidi controls and bytes that are not UTF-8
 * become U+FFFD.
 */
static void h_esc(struct html *h, const char *s, size_t max, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t count = 0;

	if (!s)
		return;
	while (*p) {
		unsigned long cp = 0;
		size_t n = str_utf8(p, strnlen((const char *)p, 4), &cp);

		if (max && count == max) {
			h_raw(h, "\xe2\x80\xa6");
			return;
		}
		count++;
		if (n == 0) {
			h_raw(h, "\xef\xbf\xbd");
			p++;
			continue;
		}
		if (cp == '&')
			h_raw(h, "&amp;");
		else if (cp == '<')
			h_raw(h, "&lt;");
		else if (cp == '>')
			h_raw(h, "&gt;");
		else if (cp == '"')
			h_raw(h, "&quot;");
		else if (cp == '\'')
			h_raw(h, "&#39;");
		else if (cp == '\n')
			h_raw(h, (flags & ESC_LINES) ? "\n" : " \xe2\x86\xb5 "); /* U+21B5 */
		else if (cp == '\r' && p[1] == '\n')
			count--; /* CR LF: the LF breaks the line */
		else if (cp == '\t')
			h_raw(h, " ");
		else if (cp < 0x20 || cp == 0x7f || h_hidden(cp))
			h_raw(h, "\xef\xbf\xbd");
		else
			(void)fwrite(p, 1, n, h->f);
		p += n;
	}
}

static void h_text(struct html *h, const char *s) { h_esc(h, s, 0, 0); }

static void h_w(struct html *h, enum html_word w) { h_text(h, h_word(h, w)); }

/* A value of the evidence: escaped, or a dash when there is none. */
static void h_val(struct html *h, const char *s)
{
	if (s && *s)
		h_text(h, s);
	else
		h_raw(h, "\xe2\x80\x93");
}

/* A count with thousands separators (10.000 / 10,000). */
static void h_num(struct html *h, unsigned long n)
{
	char d[32], out[48];
	size_t len, i, o = 0;

	len = (size_t)snprintf(d, sizeof(d), "%lu", n);
	for (i = 0; i < len && o + 2 < sizeof(out); i++) {
		if (i && (len - i) % 3 == 0)
			out[o++] = h->en ? ',' : '.';
		out[o++] = d[i];
	}
	out[o] = '\0';
	h_raw(h, out);
}

/* A percentage with one decimal (89,7% / 89.7%), a dash for -1. */
static void h_pct(struct html *h, double a)
{
	char b[32], *dot;

	if (a < 0) {
		h_raw(h, "\xe2\x80\x93");
		return;
	}
	(void)snprintf(b, sizeof(b), "%.1f%%", a);
	dot = strchr(b, '.');
	if (dot && !h->en)
		*dot = ',';
	h_raw(h, b);
}

static unsigned long h_applicable(const struct rep_count *c)
{
	return c->n[RS_PASS] + c->n[RS_FAIL] + c->n[RS_EXPLAINED];
}

static const char *h_std_name(const struct html *h, size_t s)
{
	return rep_standards[s].name[h->en];
}

static void h_cat_name(struct html *h, const char *name, size_t max)
{
	if (name && *name)
		h_esc(h, name, max, 0);
	else
		h_w(h, W_NO_CAT);
}

/* A table cell with a status: colour, symbol (CSS) and the word. */
static void h_status_td(struct html *h, enum rep_status st)
{
	h_fmt(h, "<td class=\"st s%d\">", (int)st);
	h_text(h, rep_status_name(h->r->lang, st));
	h_raw(h, "</td>");
}

static void h_th(struct html *h, enum html_word w, const char *cls)
{
	h_raw(h, cls ? "<th class=\"" : "<th>");
	if (cls) {
		h_raw(h, cls);
		h_raw(h, "\">");
	}
	h_w(h, w);
	h_raw(h, "</th>");
}

/* ---- lookups (ids come from indexes) ---- */

static int h_domain_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct rep_domain *)elem)->name);
}

static long h_domain_index(const struct report *r, const char *name)
{
	const struct rep_domain *d;

	if (!name)
		return -1;
	d = bsearch(name, r->domains, r->ndomains, sizeof(*r->domains), h_domain_cmp);
	return d ? (long)(d - r->domains) : -1;
}

static long h_org_index(const struct report *r, const char *name)
{
	size_t i;

	for (i = 0; name && i < r->norgs; i++)
		if (strcmp(r->orgs[i].name, name) == 0)
			return (long)i;
	return -1;
}

static void h_domain_link(struct html *h, size_t d)
{
	h_fmt(h, "<a href=\"#d%zu\">", d);
	h_text(h, h->r->domains[d].name);
	h_raw(h, "</a>");
}

static void h_org_link(struct html *h, size_t o)
{
	h_fmt(h, "<a href=\"#o%zu\">", o);
	h_text(h, h->r->orgs[o].name);
	h_raw(h, "</a>");
}

/* The next reason code of a stored reasons string (codes are separated by
 * spaces): copied into code (cut to len - 1 bytes), *p moved past it; 0 at
 * the end. */
static int h_next_code(const char **p, char *code, size_t len)
{
	size_t n;

	*p += strspn(*p, " ");
	if (!**p)
		return 0;
	n = strcspn(*p, " ");
	(void)snprintf(code, len, "%.*s", (int)(n < len - 1 ? n : len - 1), *p);
	*p += n;
	return 1;
}

static int h_adv_cmp(const void *key, const void *row)
{
	return strcmp(key, ((const struct advice *)row)->code);
}

/* The advice section's record of code, or NULL for a code without advice. */
static struct h_adv *h_adv_of(const struct html *h, const char *code)
{
	const struct advice *a;

	if (!h->adv)
		return NULL;
	a = bsearch(code, h->adv_rows, h->nadv, sizeof(*h->adv_rows), h_adv_cmp);
	return a ? &h->adv[a - h->adv_rows] : NULL;
}

/* ---- style ---- */

static const char html_css[] =
    ":root{color-scheme:light}\n"
    "body{font:14px/1.45 \"DejaVu Sans\",\"Segoe UI\",Arial,Helvetica,sans-serif;color:#1b1b1b;"
    "background:#fff;max-width:1180px;margin:0 auto;padding:24px 28px 48px}\n"
    "header.top{border-bottom:4px solid #01689b;padding-bottom:10px;margin-bottom:8px}\n"
    "h1{font-size:26px;margin:0 0 2px;color:#01416b}\n"
    ".sub{font-size:16px;color:#3a4a57;margin:0 0 12px}\n"
    "h2{font-size:21px;color:#01416b;border-bottom:1px solid #b7c9d6;padding-bottom:4px;"
    "margin:36px 0 12px}\n"
    "h3{font-size:17px;color:#01416b;margin:26px 0 8px}\n"
    "h4{font-size:14px;margin:16px 0 6px;color:#23323d}\n"
    "h5{font-size:13px;margin:12px 0 4px}\n"
    "a{color:#01689b}\n"
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 18px;margin:8px 0}\n"
    "dl.meta dt{font-weight:bold;color:#3a4a57}dl.meta dd{margin:0;overflow-wrap:anywhere}\n"
    "nav.toc{background:#f3f7fa;border:1px solid #d5e1ea;padding:6px 16px;margin:14px 0}\n"
    "nav.toc ol{columns:2;margin:4px 0;padding-left:20px}\n"
    "table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}\n"
    "th,td{border:1px solid #c8d3dc;padding:4px 8px;text-align:left;vertical-align:top}\n"
    "thead th{background:#e8f0f6}\n"
    "tbody th{font-weight:600}\n"
    "tr.grp th{background:#f3f7fa;color:#01416b}\n"
    ".num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    ".wide{width:100%}\n"
    ".st{white-space:nowrap;border-left:4px solid}\n"
    ".s0{background:#e6f4e4;color:#1d5e20;border-left-color:#2e7d32}\n"
    ".s1{background:#fbe5e3;color:#8b1a10;border-left-color:#c62828}\n"
    ".s2{background:#fff3cd;color:#5f4400;border-left-color:#d89b00}\n"
    ".s3{background:#f0f0f0;color:#4d4d4d;border-left-color:#9e9e9e}\n"
    ".s4{background:#ece8f6;color:#46377a;border-left-color:#7e57c2}\n"
    ".s0::before{content:\"\\2713\\00a0\"}.s1::before{content:\"\\2717\\00a0\"}"
    ".s2::before{content:\"\\270E\\00a0\"}.s3::before{content:\"\\2013\\00a0\"}"
    ".s4::before{content:\"?\\00a0\"}\n"
    ".ph{background:#fff3cd;color:#5f4400;border-left-color:#d89b00}"
    ".ph::before{content:\"!\\00a0\"}\n"
    ".req{font-weight:bold}.code{white-space:nowrap}\n"
    ".note{color:#3a4a57;font-size:13px}\n"
    "ul.headline{font-size:16px;padding-left:20px;margin:8px 0 0}ul.headline li{margin:4px 0}\n"
    ".up{color:#1f6e2f}.down{color:#a31b1b}\n"
    "table.prov td{font-family:\"DejaVu Sans Mono\",Consolas,monospace;font-size:12px;"
    "overflow-wrap:anywhere}\n"
    "ul.inline{margin:0;padding:0;list-style:none}ul.inline li{display:inline}"
    "ul.il{display:inline}"
    "ul.inline li+li::before{content:\", \"}\n"
    "figure.chart{margin:10px 0 18px}figure.chart svg{max-width:100%;height:auto}\n"
    "figcaption{font-size:13px;color:#3a4a57;margin-top:2px}\n"
    "svg text{font-size:12px;fill:#1b1b1b}svg .hd{font-weight:bold;fill:#01416b}"
    "svg .ax{fill:#3a4a57;font-size:11px}\n"
    ".b0{fill:#2e7d32}.b1{fill:#c62828}.b2{fill:#e0a000}.trk{fill:#ececec}"
    ".grid{stroke:#d5dde3;stroke-width:1}.axis{stroke:#5b6b78;stroke-width:1}\n"
    /* the trend's lines: colour, dash pattern and width differ, so that
     * each stays apart in grey print too */
    ".t0{stroke:#01689b}.t1{stroke:#8e2f8e}.t2{stroke:#d35400}.t3{stroke:#138d75}"
    ".t4{stroke:#1b1b1b}.t5{stroke:#9a7d0a}.t6{stroke:#c0392b}.t7{stroke:#5d6d7e}\n"
    ".ln{fill:none;stroke-width:2.5;stroke-linejoin:round}"
    ".ln.t0{stroke-width:3.2}.ln.t1{stroke-dasharray:10 4}.ln.t2{stroke-dasharray:4 3;"
    "stroke-width:3}.ln.t3{stroke-dasharray:12 4 3 4}.ln.t4{stroke-dasharray:2 3;"
    "stroke-width:3.4}.ln.t5{stroke-dasharray:18 5}.ln.t6{stroke-dasharray:6 3 2 3 2 3}"
    ".ln.t7{stroke-dasharray:8 3 1 3;stroke-width:2.2}\n"
    ".mk{stroke-width:2;fill:#fff}.ld{stroke-width:0.8;fill:none}svg .lb{font-size:12px}\n"
    "pre.txt{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;border:1px solid "
    "#dde3e8;padding:4px 6px;margin:0;font:12px/1.35 \"DejaVu Sans Mono\",monospace}\n"
    ".mono,td.rc{font-family:\"DejaVu Sans Mono\",monospace;font-size:12px;"
    "overflow-wrap:anywhere}\n"
    "article.dom{border-top:2px solid #b7c9d6;margin-top:26px}\n"
    "article.dom h3{margin-top:10px}\n"
    "table.kv th{background:#f7f9fb;font-weight:600}table.kv tr>:first-child{width:15em}\n"
    "table.kv td{overflow-wrap:anywhere}\n"
    "table.adv td:nth-child(n+3){min-width:16em}\n"
    "dl.pe{display:grid;grid-template-columns:repeat(3,minmax(7em,max-content) minmax(0,1fr));"
    "gap:2px 10px;margin:4px 0 10px;font-size:12px;border-top:1px solid #dde3e8;"
    "padding-top:4px}\n"
    "dl.pe dt{font-weight:600;color:#3a4a57;overflow-wrap:anywhere}"
    "dl.pk dt{font:12px \"DejaVu Sans Mono\",monospace}"
    "dl.pe dd{margin:0;overflow-wrap:anywhere}\n"
    "ul.same{margin:4px 0 12px;padding-left:20px;font-size:13px}"
    "th:target,td:target{background:#fff3cd}\n"
    "table.adv tr:target>*{background:#fff3cd}td.rc a{white-space:nowrap}\n"
    "footer{margin-top:40px;border-top:1px solid #b7c9d6;padding-top:8px;font-size:12px;"
    "color:#3a4a57}\n"
    "@media print{\n"
    "@page{size:A4;margin:14mm 12mm}\n"
    "body{font-size:9.5pt;max-width:none;margin:0;padding:0}\n"
    "nav.toc{display:none}\n"
    "section.major{break-before:page}\n"
    "h2,h3,h4,h5{break-after:avoid}\n"
    "tr,figure,dl.meta,table.kv,.blk{break-inside:avoid}\n"
    "thead{display:table-header-group}\n"
    "a{color:inherit;text-decoration:none}\n"
    "table{font-size:8.5pt}th,td{padding:2px 5px}\n"
    "}\n";

/* ---- header ---- */

static void h_meta_row(struct html *h, enum html_word w, const char *value)
{
	h_raw(h, "<dt>");
	h_w(h, w);
	h_raw(h, "</dt><dd>");
	h_val(h, value);
	h_raw(h, "</dd>\n");
}

static void h_head(struct html *h)
{
	const struct report *r = h->r;

	h_raw(h, "<!DOCTYPE html>\n<html lang=\"");
	h_raw(h, h->en ? "en" : "nl");
	h_raw(h, "\">\n<head>\n<meta charset=\"utf-8\">\n"
		 "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		 "style-src 'unsafe-inline'; img-src data:\">\n"
		 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		 "<meta name=\"generator\" content=\"mailscan\">\n<title>");
	h_w(h, W_TITLE);
	h_raw(h, " \xe2\x80\x93 ");
	h_w(h, W_RUN);
	h_fmt(h, " %lld, ", r->run.id);
	h_text(h, r->date);
	if (r->run.label[0]) {
		h_raw(h, " (");
		h_text(h, r->run.label);
		h_raw(h, ")");
	}
	h_raw(h, "</title>\n<style>\n");
	h_raw(h, html_css);
	h_raw(h, "</style>\n</head>\n<body>\n");
}

static void h_run_status(struct html *h)
{
	const char *st = h->r->run.status;
	const char *word = rep_run_status_name(h->r->lang, st);

	if (word)
		h_text(h, word);
	else
		h_val(h, st);
}

/* The sections, in order: the table of contents and h_section. The
 * conclusion and how the run was made take their titles from report.h's
 * shared words (W_COUNT: none here). */
enum h_sec {
	SEC_HEADLINE,
	SEC_SUMMARY,
	SEC_METHOD,
	SEC_CATEGORIES,
	SEC_CHANGES,
	SEC_EXPLANATIONS,
	SEC_PROVIDERS,
	SEC_ORGS,
	SEC_ADVICE,
	SEC_APPENDIX,
	SEC_COUNT
};
static const enum html_word html_sections[SEC_COUNT] = {
    W_COUNT,        W_SUMMARY,   W_COUNT, W_CATEGORIES, W_CHANGES,
    W_EXPLANATIONS, W_PROVIDERS, W_ORGS,  W_ADVICE,     W_APPENDIX};
static const enum rep_word html_shared_sections[SEC_COUNT] = {
    [SEC_HEADLINE] = RW_HEADLINE, [SEC_METHOD] = RW_METHOD};
static const char *const html_section_ids[SEC_COUNT] = {
    "conclusion",   "summary",   "method",        "categories", "changes",
    "explanations", "providers", "organisations", "advice",     "domains"};

/* The title of section i. */
static void h_sec_title(struct html *h, size_t i)
{
	if (html_sections[i] == W_COUNT)
		h_text(h, rep_word(h->r->lang, html_shared_sections[i]));
	else
		h_w(h, html_sections[i]);
}

static void h_top(struct html *h)
{
	const struct report *r = h->r;
	size_t i;

	h_raw(h, "<header class=\"top\">\n<h1>");
	h_w(h, W_TITLE);
	h_raw(h, "</h1>\n<p class=\"sub\">");
	h_w(h, W_RUN);
	h_fmt(h, " %lld \xe2\x80\x93 ", r->run.id);
	h_text(h, r->date);
	if (r->run.label[0]) {
		h_raw(h, " \xe2\x80\x93 ");
		h_text(h, r->run.label);
	}
	h_raw(h, "</p>\n<dl class=\"meta\">\n");
	h_raw(h, "<dt>");
	h_w(h, W_STATUS);
	h_raw(h, "</dt><dd>");
	h_run_status(h);
	h_raw(h, "</dd>\n");
	h_meta_row(h, W_STARTED, r->run.started);
	h_meta_row(h, W_FINISHED, r->run.finished);
	if (r->run.label[0])
		h_meta_row(h, W_LABEL, r->run.label);
	h_meta_row(h, W_TARGETS, r->run.targets);
	if (r->run.shard[0])
		h_meta_row(h, W_SHARD, r->run.shard);
	h_raw(h, "<dt>");
	h_w(h, W_NDOMAINS);
	h_raw(h, "</dt><dd>");
	h_num(h, r->ndomains);
	h_raw(h, "</dd>\n<dt>");
	h_w(h, W_NORGS);
	h_raw(h, "</dt><dd>");
	h_num(h, r->norgs);
	h_raw(h, "</dd>\n<dt>");
	h_w(h, W_PREV);
	h_raw(h, "</dt><dd>");
	if (r->prev_run)
		h_fmt(h, "%lld", r->prev_run);
	else
		h_w(h, W_NONE);
	h_raw(h, "</dd>\n</dl>\n</header>\n<nav class=\"toc\"><strong>");
	h_w(h, W_TOC);
	h_raw(h, "</strong><ol>\n");
	for (i = 0; i < sizeof(html_sections) / sizeof(html_sections[0]); i++) {
		h_raw(h, "<li><a href=\"#");
		h_raw(h, html_section_ids[i]);
		h_raw(h, "\">");
		h_sec_title(h, i);
		h_raw(h, "</a></li>\n");
	}
	h_raw(h, "</ol></nav>\n");
}

static void h_section(struct html *h, size_t i, int major)
{
	h_raw(h, major ? "<section class=\"major\" id=\"" : "<section id=\"");
	h_raw(h, html_section_ids[i]);
	h_raw(h, "\">\n<h2>");
	h_sec_title(h, i);
	h_raw(h, "</h2>\n");
}

/* ---- counts table ---- */

/* Per present standard: the domain statuses, adoption and (orgs != NULL)
 * the organisations that comply. */
static void h_counts_table(struct html *h, const struct rep_count *dom, const struct rep_count *org)
{
	const struct report *r = h->r;
	size_t s;
	int st;

	h_raw(h, "<table class=\"counts\"><thead><tr>");
	h_th(h, W_STANDARD, NULL);
	h_th(h, W_LEVEL, NULL);
	for (st = 0; st < RS_COUNT; st++) {
		h_fmt(h, "<th class=\"num st s%d\">", st);
		h_text(h, rep_status_name(r->lang, (enum rep_status)st));
		h_raw(h, "</th>");
	}
	h_th(h, W_ADOPTION, "num");
	if (org)
		h_th(h, W_ORGS_PASS, "num");
	h_raw(h, "</tr></thead>\n<tbody>\n");
	for (s = 0; s < rep_nstandards; s++) {
		if (!r->present[s])
			continue;
		h_raw(h, "<tr><th scope=\"row\">");
		h_text(h, h_std_name(h, s));
		h_raw(h, rep_standards[s].level == REP_REQUIRED ? "</th><td class=\"req\">"
								: "</th><td>");
		h_text(h, rep_level_name(r->lang, rep_standards[s].level));
		h_raw(h, "</td>");
		for (st = 0; st < RS_COUNT; st++) {
			h_raw(h, "<td class=\"num\">");
			h_num(h, dom[s].n[st]);
			h_raw(h, "</td>");
		}
		h_raw(h, "<td class=\"num\"><strong>");
		h_pct(h, rep_adoption(&dom[s]));
		h_raw(h, "</strong></td>");
		if (org) {
			h_raw(h, "<td class=\"num\">");
			h_num(h, org[s].n[RS_PASS]);
			h_raw(h, " ");
			h_w(h, W_OF);
			h_raw(h, " ");
			h_num(h, h_applicable(&org[s]));
			h_raw(h, " (");
			h_pct(h, rep_adoption(&org[s]));
			h_raw(h, ")</td>");
		}
		h_raw(h, "</tr>\n");
	}
	h_raw(h, "</tbody></table>\n");
}

/* ---- charts ---- */

/* A row of a bar chart: a labelled bar, or (c == NULL) a group heading. */
struct h_bar {
	const char *label;
	int no_cat; /* label is the empty category */
	const struct rep_count *c;
};

#define BAR_W 760
#define BAR_LABEL_X 214
#define BAR_X 222
#define BAR_LEN 400
#define BAR_ROW 24
#define BAR_HEAD 26

static void h_bar_row(struct html *h, const struct h_bar *b, int y)
{
	const struct rep_count *c = b->c;
	unsigned long appl = h_applicable(c);
	double x = BAR_X, w;
	static const enum rep_status order[] = {RS_PASS, RS_EXPLAINED, RS_FAIL};
	size_t i;

	h_fmt(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", BAR_LABEL_X, y + 15);
	if (b->no_cat)
		h_w(h, W_NO_CAT);
	else
		h_esc(h, b->label, 30, 0);
	h_fmt(h, "</text><rect class=\"trk\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\"/>", BAR_X,
	      y + 3, BAR_LEN);
	for (i = 0; appl && i < 3; i++) {
		if (!c->n[order[i]])
			continue;
		w = (double)BAR_LEN * (double)c->n[order[i]] / (double)appl;
		h_fmt(h, "<rect class=\"b%d\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\"/>",
		      (int)order[i], x, y + 3, w);
		x += w;
	}
	h_fmt(h, "<text x=\"%d\" y=\"%d\">", BAR_X + BAR_LEN + 8, y + 15);
	h_pct(h, rep_adoption(c));
	h_raw(h, " (");
	h_num(h, c->n[RS_PASS]);
	h_raw(h, "/");
	h_num(h, appl);
	h_raw(h, ")</text>\n");
}

static void h_bar_legend(struct html *h, int y)
{
	static const enum rep_status order[] = {RS_PASS, RS_EXPLAINED, RS_FAIL};
	int x = BAR_X;
	size_t i;

	for (i = 0; i < 3; i++) {
		h_fmt(h, "<rect class=\"b%d\" x=\"%d\" y=\"%d\" width=\"12\" height=\"12\"/>",
		      (int)order[i], x, y);
		h_fmt(h, "<text x=\"%d\" y=\"%d\">", x + 17, y + 11);
		h_text(h, rep_status_name(h->r->lang, order[i]));
		h_raw(h, "</text>");
		x += 130;
	}
	h_raw(h, "\n");
}

static void h_bars(struct html *h, enum html_word title, const struct h_bar *rows, size_t n)
{
	int y = 6, height = 6;
	size_t i;

	for (i = 0; i < n; i++)
		height += rows[i].c ? BAR_ROW : BAR_HEAD;
	height += 30;
	h_fmt(h,
	      "<figure class=\"chart\"><svg "
	      "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"",
	      BAR_W, height, BAR_W, height);
	h_w(h, title);
	h_raw(h, "\">\n");
	for (i = 0; i < n; i++) {
		if (rows[i].c) {
			h_bar_row(h, &rows[i], y);
			y += BAR_ROW;
			continue;
		}
		h_fmt(h, "<text class=\"hd\" x=\"8\" y=\"%d\">", y + 18);
		h_esc(h, rows[i].label, 40, 0);
		h_raw(h, "</text>\n");
		y += BAR_HEAD;
	}
	h_bar_legend(h, y + 8);
	h_raw(h, "</svg><figcaption>");
	h_w(h, title);
	h_raw(h, "</figcaption></figure>\n");
}

#define TR_W 860
#define TR_X0 56
#define TR_X1 620
#define TR_Y0 16
#define TR_Y1 236
#define TR_STYLES 8 /* line styles t0..t7 (colour, dash, width): html_css */
#define TR_LABEL_GAP 14

static double h_trend_x(size_t i, size_t n)
{
	return n < 2 ? (TR_X0 + TR_X1) / 2.0
		     : TR_X0 + (double)i * (TR_X1 - TR_X0) / (double)(n - 1);
}

static double h_trend_y(double pct) { return TR_Y1 - pct * (TR_Y1 - TR_Y0) / 100.0; }

static void h_trend_axes(struct html *h)
{
	const struct report *r = h->r;
	size_t i, step;
	int v;

	for (v = 0; v <= 100; v += 25) {
		double y = h_trend_y(v);

		h_fmt(h, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>",
		      TR_X0, y, TR_X1, y);
		h_fmt(h, "<text class=\"ax\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d%%</text>\n",
		      TR_X0 - 6, y + 4, v);
	}
	h_fmt(h, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", TR_X0, TR_Y1,
	      TR_X1, TR_Y1);
	h_fmt(h, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", TR_X0, TR_Y0,
	      TR_X0, TR_Y1);
	/* a label every 80 px or so; always the last run */
	step = r->ntrend * 80 / (TR_X1 - TR_X0) + 1;
	for (i = 0; i < r->ntrend; i++) {
		double x = h_trend_x(i, r->ntrend);

		if (i % step != 0 && i + 1 != r->ntrend)
			continue;
		if (i + 1 != r->ntrend && r->ntrend - 1 - i < step)
			continue; /* too close to the last one */
		h_fmt(h, "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", x,
		      TR_Y1, x, TR_Y1 + 4);
		h_fmt(h, "<text class=\"ax\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", x,
		      TR_Y1 + 17);
		h_w(h, W_RUN);
		h_fmt(h, " %lld</text>", r->trend[i].run);
		h_fmt(h, "<text class=\"ax\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", x,
		      TR_Y1 + 31);
		h_text(h, r->trend[i].date);
		h_raw(h, "</text>\n");
	}
}

/* The last run with an adoption for standard s (-1: none). */
static long h_trend_last(const struct report *r, size_t s)
{
	size_t i;

	for (i = r->ntrend; i-- > 0;)
		if (rep_adoption(&r->trend[i].c[s]) >= 0)
			return (long)i;
	return -1;
}

static void h_trend_line(struct html *h, size_t s, size_t k)
{
	const struct report *r = h->r;
	size_t i;
	int pen = 0;

	h_fmt(h, "<path class=\"ln t%zu\" d=\"", k % TR_STYLES);
	for (i = 0; i < r->ntrend; i++) {
		double a = rep_adoption(&r->trend[i].c[s]);

		if (a < 0) {
			pen = 0;
			continue;
		}
		h_raw(h, pen ? "L" : "M");
		h_fmt(h, "%.1f %.1f ", h_trend_x(i, r->ntrend), h_trend_y(a));
		pen = 1;
	}
	h_raw(h, "\"/>\n");
	if (r->ntrend > 60)
		return;
	for (i = 0; i < r->ntrend; i++) {
		double a = rep_adoption(&r->trend[i].c[s]);

		if (a >= 0)
			h_fmt(h, "<circle class=\"mk t%zu\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>",
			      k % TR_STYLES, h_trend_x(i, r->ntrend), h_trend_y(a));
	}
	h_raw(h, "\n");
}

/* A standard's name and its latest adoption ("DNSSEC: 89,7%"). */
static void h_trend_name(struct html *h, size_t s)
{
	const struct report *r = h->r;
	long last = h_trend_last(r, s);

	h_text(h, h_std_name(h, s));
	h_raw(h, ": ");
	h_pct(h, last < 0 ? -1 : rep_adoption(&r->trend[last].c[s]));
}

/* Direct labels at the ends of the lines, in the order of their heights,
 * moved apart just enough not to overlap (TR_LABEL_GAP), and tied to the
 * end of their line by a thin leader when moved. */
static void h_trend_labels(struct html *h)
{
	const struct report *r = h->r;
	struct {
		size_t s, k;
		double x, y, at;
	} lb[REP_STD_MAX], t;
	size_t s, k = 0, n = 0, i, j;

	for (s = 0; s < rep_nstandards; s++) {
		long last;

		if (!r->present[s])
			continue;
		last = h_trend_last(r, s);
		if (last >= 0 && n < REP_STD_MAX) {
			lb[n].s = s;
			lb[n].k = k;
			lb[n].x = h_trend_x((size_t)last, r->ntrend);
			lb[n].y = lb[n].at = h_trend_y(rep_adoption(&r->trend[last].c[s]));
			n++;
		}
		k++;
	}
	for (i = 1; i < n; i++) /* by height; the first standard first when equal */
		for (j = i; j > 0 && (lb[j].y < lb[j - 1].y ||
				      (lb[j].y == lb[j - 1].y && lb[j].k < lb[j - 1].k));
		     j--) {
			t = lb[j];
			lb[j] = lb[j - 1];
			lb[j - 1] = t;
		}
	for (i = 1; i < n; i++)
		if (lb[i].y < lb[i - 1].y + TR_LABEL_GAP)
			lb[i].y = lb[i - 1].y + TR_LABEL_GAP;
	for (i = n; i-- > 0;) /* back up where the last ones ran off the bottom */
		if (lb[i].y > (i + 1 < n ? lb[i + 1].y - TR_LABEL_GAP : TR_Y1 + 12.0))
			lb[i].y = i + 1 < n ? lb[i + 1].y - TR_LABEL_GAP : TR_Y1 + 12.0;
	for (i = 0; i < n; i++) {
		h_fmt(h, "<line class=\"ld t%zu\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>",
		      lb[i].k % TR_STYLES, lb[i].x + 4, lb[i].at, TR_X1 + 14, lb[i].y);
		h_fmt(h, "<text class=\"lb\" x=\"%d\" y=\"%.1f\">", TR_X1 + 18, lb[i].y + 4);
		h_trend_name(h, lb[i].s);
		h_raw(h, "</text>\n");
	}
}

#define DOT_ROW 26

/* One run: a dot per standard on its own row (name, marker, value), not
 * lines of one point lying on top of each other. */
static void h_trend_dots(struct html *h, size_t present)
{
	const struct report *r = h->r;
	int height = 34 + (int)present * DOT_ROW, y = 14, v;
	size_t s, k = 0;

	h_fmt(h,
	      "<figure class=\"chart\"><svg class=\"trend one\" "
	      "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"",
	      BAR_W, height, BAR_W, height);
	h_w(h, W_CHART_TREND);
	h_raw(h, "\">\n");
	for (v = 0; v <= 100; v += 25) {
		int x = BAR_X + v * BAR_LEN / 100;

		h_fmt(h, "<line class=\"grid\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", x, y - 4,
		      x, height - 22);
		h_fmt(h,
		      "<text class=\"ax\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d%%</text>\n",
		      x, height - 8, v);
	}
	for (s = 0; s < rep_nstandards; s++) {
		double a;

		if (!r->present[s])
			continue;
		a = r->ntrend ? rep_adoption(&r->trend[0].c[s]) : -1;
		h_fmt(h,
		      "<g class=\"dot\"><text class=\"lb\" x=\"%d\" y=\"%d\" "
		      "text-anchor=\"end\">",
		      BAR_X - 14, y + 15);
		h_text(h, h_std_name(h, s));
		h_raw(h, "</text>");
		if (a >= 0)
			h_fmt(h, "<circle class=\"mk t%zu\" cx=\"%.1f\" cy=\"%d\" r=\"6\"/>",
			      k % TR_STYLES, BAR_X + a * BAR_LEN / 100.0, y + 11);
		h_fmt(h, "<text x=\"%d\" y=\"%d\">", BAR_X + BAR_LEN + 16, y + 15);
		h_pct(h, a);
		h_raw(h, "</text></g>\n");
		y += DOT_ROW;
		k++;
	}
	h_raw(h, "</svg><figcaption>");
	h_w(h, W_CHART_TREND);
	if (r->ntrend == 1) {
		h_raw(h, " \xe2\x80\x93 ");
		h_w(h, W_RUN);
		h_fmt(h, " %lld, ", r->trend[0].run);
		h_text(h, r->trend[0].date);
	}
	h_raw(h, "</figcaption></figure>\n");
}

static void h_trend_chart(struct html *h)
{
	const struct report *r = h->r;
	size_t s, k = 0, present = 0;
	int height, x, y;

	for (s = 0; s < rep_nstandards; s++)
		present += r->present[s];
	if (r->ntrend < 2) {
		h_trend_dots(h, present);
		return;
	}
	/* the legend goes under the plot, three to a row */
	height = TR_Y1 + 52 + (int)((present + 2) / 3) * 20;
	h_fmt(h,
	      "<figure class=\"chart\"><svg class=\"trend\" "
	      "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"",
	      TR_W, height, TR_W, height);
	h_w(h, W_CHART_TREND);
	h_raw(h, "\">\n");
	h_trend_axes(h);
	for (s = 0; s < rep_nstandards; s++) {
		if (!r->present[s])
			continue;
		h_trend_line(h, s, k);
		/* legend: line sample, name, latest value */
		x = TR_X0 + (int)(k % 3) * 250;
		y = TR_Y1 + 52 + (int)(k / 3) * 20;
		h_fmt(h, "<line class=\"ln t%zu\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>",
		      k % TR_STYLES, x, y, x + 36, y);
		h_fmt(h, "<text x=\"%d\" y=\"%d\">", x + 42, y + 4);
		h_trend_name(h, s);
		h_raw(h, "</text>\n");
		k++;
	}
	h_trend_labels(h);
	h_raw(h, "</svg><figcaption>");
	h_w(h, W_CHART_TREND);
	h_raw(h, "</figcaption></figure>\n");
}

/* ---- summary ---- */

static void h_summary(struct html *h)
{
	const struct report *r = h->r;
	struct h_bar rows[REP_STD_MAX];
	size_t s, n = 0;

	h_section(h, SEC_SUMMARY, 0);
	h_counts_table(h, r->total, r->total_orgs);
	for (s = 0; s < rep_nstandards; s++)
		if (r->present[s]) {
			rows[n].label = h_std_name(h, s);
			rows[n].no_cat = 0;
			rows[n++].c = &r->total[s];
		}
	h_bars(h, W_CHART_STD, rows, n);
	h_raw(h, "<h3>");
	h_w(h, W_ABOUT);
	h_raw(h, "</h3>\n<p class=\"note\">");
	h_w(h, W_ABOUT_STATUS);
	h_raw(h, "</p>\n<p class=\"note\">");
	h_w(h, W_ABOUT_ADOPTION);
	h_raw(h, " ");
	h_w(h, W_ABOUT_ORG);
	h_raw(h, "</p>\n<table><thead><tr>");
	h_th(h, W_STANDARD, NULL);
	h_th(h, W_LEVEL, NULL);
	h_th(h, W_BASIS, NULL);
	h_raw(h, "</tr></thead><tbody>\n");
	for (s = 0; s < rep_nstandards; s++) {
		if (!r->present[s])
			continue;
		h_raw(h, "<tr><th scope=\"row\">");
		h_text(h, h_std_name(h, s));
		h_raw(h, "</th><td>");
		h_text(h, rep_level_name(r->lang, rep_standards[s].level));
		h_raw(h, "</td><td>");
		h_text(h, rep_standards[s].basis[h->en]);
		h_raw(h, "</td></tr>\n");
	}
	h_raw(h, "</tbody></table>\n</section>\n");
}

/* ---- the conclusion, and how the run was made ---- */

static const char *hw(const struct html *h, enum rep_word w) { return rep_word(h->r->lang, w); }

static void h_pct_num(struct html *h, double a)
{
	char b[32], *dot;

	(void)snprintf(b, sizeof(b), "%.1f", a);
	dot = strchr(b, '.');
	if (dot && !h->en)
		*dot = ',';
	h_raw(h, b);
}

static void h_headline(struct html *h)
{
	const struct report *r = h->r;
	const struct rep_headline *hd = &r->head;
	size_t s, i;
	bool first = true;

	h_section(h, SEC_HEADLINE, 0);
	h_raw(h, "<ul class=\"headline\">\n<li><strong>");
	h_num(h, hd->orgs_meet);
	h_raw(h, h->en ? " of " : " van ");
	h_num(h, r->norgs);
	h_raw(h, " ");
	h_text(h, hw(h, RW_HEAD_ORGS));
	h_raw(h, "</strong>");
	if (hd->orgs_untested) {
		h_raw(h, " (");
		h_num(h, hd->orgs_untested);
		h_raw(h, " ");
		h_text(h, hw(h, RW_HEAD_ORGS_UNTESTED));
		h_raw(h, ")");
	}
	h_raw(h, "; ");
	h_text(h, hw(h, RW_HEAD_DOMAINS));
	h_raw(h, ": ");
	h_num(h, hd->domains_meet);
	h_raw(h, h->en ? " of " : " van ");
	h_num(h, r->ndomains);
	if (hd->domains_untested) {
		h_raw(h, " (");
		h_num(h, hd->domains_untested);
		h_raw(h, " ");
		h_text(h, hw(h, RW_HEAD_ORGS_UNTESTED));
		h_raw(h, ")");
	}
	h_raw(h, ". ");
	h_text(h, hw(h, RW_HEAD_REQUIRED));
	h_raw(h, ": ");
	for (s = 0; s < rep_nstandards; s++)
		if (r->present[s] && rep_standards[s].level == REP_REQUIRED) {
			if (!first)
				h_raw(h, ", ");
			h_text(h, h_std_name(h, s));
			first = false;
		}
	h_raw(h, ".</li>\n<li>");
	if (!r->prev_run) {
		h_text(h, hw(h, RW_HEAD_NO_PREV));
	} else {
		h_text(h, hw(h, RW_HEAD_MOVERS));
		h_fmt(h, " %lld: ", r->prev_run);
		if (!hd->nmovers)
			h_text(h, hw(h, RW_HEAD_NO_MOVE));
		for (i = 0; i < hd->nmovers; i++) {
			double d = hd->movers[i].after - hd->movers[i].before;

			if (i)
				h_raw(h, "; ");
			h_text(h, h_std_name(h, hd->movers[i].std));
			h_raw(h, " ");
			h_pct(h, hd->movers[i].before);
			h_raw(h, " \xe2\x86\x92 ");
			h_pct(h, hd->movers[i].after);
			h_raw(h, d < 0 ? " (<span class=\"down\">\xe2\x88\x92"
				       : " (<span class=\"up\">+");
			h_pct_num(h, d < 0 ? -d : d);
			h_raw(h, " ");
			h_text(h, hw(h, RW_HEAD_POINTS));
			h_raw(h, "</span>)");
		}
		h_raw(h, ".");
	}
	h_raw(h, "</li>\n<li>");
	if (!hd->ntop)
		h_text(h, hw(h, RW_HEAD_NO_PROVIDER));
	else {
		h_text(h, hw(h, RW_HEAD_PROVIDERS));
		h_raw(h, ": ");
		for (i = 0; i < hd->ntop; i++) {
			if (i)
				h_raw(h, "; ");
			h_raw(h, "<a href=\"#providers\">");
			h_text(h, r->providers[hd->top[i].provider].name);
			h_raw(h, "</a> (");
			h_num(h, hd->top[i].moves);
			h_raw(h, " ");
			h_text(h,
			       hw(h, hd->top[i].moves == 1 ? RW_HEAD_VERDICT : RW_HEAD_VERDICTS));
			h_raw(h, ", ");
			h_text(h, hw(h, RW_HEAD_MOSTLY));
			h_raw(h, " ");
			h_text(h, h_std_name(h, hd->top[i].std));
			h_raw(h, ")");
		}
		h_raw(h, ".");
	}
	h_raw(h, "</li>\n</ul>\n</section>\n");
}

static void h_row_text(struct html *h, const char *label, const char *value)
{
	h_raw(h, "<tr><th scope=\"row\">");
	h_text(h, label);
	h_raw(h, "</th><td>");
	h_val(h, value);
	h_raw(h, "</td></tr>\n");
}

static void h_row_count(struct html *h, enum rep_word w, unsigned long n)
{
	h_raw(h, "<tr><th scope=\"row\">");
	h_text(h, hw(h, w));
	h_raw(h, "</th><td class=\"num\">");
	h_num(h, n);
	h_raw(h, "</td></tr>\n");
}

static void h_method(struct html *h)
{
	const struct report *r = h->r;
	size_t i;

	h_section(h, SEC_METHOD, 0);
	h_raw(h, "<table class=\"prov\"><tbody>\n");
	h_row_text(h, hw(h, RW_OPTIONS), r->run.options);
	for (i = 0; i < r->nprov; i++) {
		const char *label = rep_prov_label(r->lang, r->prov[i].key);

		h_row_text(h, label ? label : r->prov[i].key,
			   rep_prov_value(r->lang, r->prov[i].key, r->prov[i].value));
	}
	h_raw(h, "</tbody></table>\n");
	if (!r->nprov) {
		h_raw(h, "<p class=\"note\">");
		h_text(h, hw(h, RW_PROV_NONE));
		h_raw(h, "</p>\n");
	}
	h_raw(h, "<h3>");
	h_text(h, hw(h, RW_LIST));
	h_raw(h, "</h3>\n<table><tbody>\n");
	h_row_count(h, RW_L_ENTRIES, r->run.n_entries + r->run.n_invalid);
	h_row_count(h, RW_L_INVALID, r->run.n_invalid);
	h_row_count(h, RW_L_REPEATS,
		    r->run.n_entries > r->run.n_targets ? r->run.n_entries - r->run.n_targets : 0);
	h_row_count(h, RW_L_UNIQUE, r->run.n_targets);
	h_row_count(h, RW_L_STORED, (unsigned long)r->ndomains);
	if (r->run.n_targets > r->ndomains)
		h_row_count(h, RW_L_NOT_STORED, r->run.n_targets - (unsigned long)r->ndomains);
	h_row_count(h, RW_L_UNTESTED, (unsigned long)r->domains_untested);
	h_raw(h, "</tbody></table>\n");
	if (r->ninvalid) {
		h_raw(h, "<h4>");
		h_text(h, hw(h, RW_L_INVALID_HEAD));
		h_raw(h, "</h4>\n<table><thead><tr><th class=\"num\">");
		h_text(h, h->en ? "Line" : "Regel");
		h_raw(h, "</th><th>");
		h_text(h, h->en ? "Entry" : "Vermelding");
		h_raw(h, "</th><th>");
		h_text(h, hw(h, RW_CODE));
		h_raw(h, "</th></tr></thead><tbody>\n");
		for (i = 0; i < r->ninvalid; i++) {
			h_raw(h, "<tr><td class=\"num\">");
			h_num(h, r->invalid[i].line);
			h_raw(h, "</td><td><span class=\"code\">");
			h_text(h, r->invalid[i].entry);
			h_raw(h, "</span></td><td>");
			h_text(h, r->invalid[i].why);
			h_raw(h, "</td></tr>\n");
		}
		h_raw(h, "</tbody></table>\n");
		if (r->run.n_invalid > r->ninvalid) {
			h_raw(h, "<p class=\"note\">");
			h_text(h, hw(h, RW_L_INVALID_MORE));
			h_raw(h, " ");
			h_num(h, r->run.n_invalid - (unsigned long)r->ninvalid);
			h_raw(h, ".</p>\n");
		}
	}
	if (r->nuntested) {
		h_raw(h, "<h4>");
		h_text(h, hw(h, RW_L_UNTESTED_HEAD));
		h_raw(h, "</h4>\n<p class=\"note\">");
		h_text(h, hw(h, RW_L_UNTESTED_NOTE));
		h_raw(h, "</p>\n<table><thead><tr><th>");
		h_text(h, hw(h, RW_CODE));
		h_raw(h, "</th><th class=\"num\">");
		h_w(h, W_DOMAINS);
		h_raw(h, "</th></tr></thead><tbody>\n");
		for (i = 0; i < r->nuntested; i++) {
			h_raw(h, "<tr><td><span class=\"code\">");
			h_text(h, r->untested[i].code);
			h_raw(h, "</span></td><td class=\"num\">");
			h_num(h, r->untested[i].n);
			h_raw(h, "</td></tr>\n");
		}
		h_raw(h, "</tbody></table>\n");
	}
	h_raw(h, "</section>\n");
}

/* ---- categories ---- */

/* The k-th category in the order shown: by name, the empty one ("no
 * category", which sorts first) last. */
static size_t h_cat_at(const struct report *r, size_t k)
{
	return r->ncats && !r->cats[0].name[0] ? (k + 1) % r->ncats : k;
}

/* "1 domein", "2 domeinen" */
static void h_count_of(struct html *h, unsigned long n, enum html_word one, enum html_word many)
{
	h_num(h, n);
	h_raw(h, " ");
	h_w(h, n == 1 ? one : many);
}

static void h_cat_matrix(struct html *h)
{
	const struct report *r = h->r;
	size_t k, s;

	h_raw(h, "<table><thead><tr>");
	h_th(h, W_CATEGORY, NULL);
	h_th(h, W_DOMAINS, "num");
	h_th(h, W_ORGANISATIONS, "num");
	for (s = 0; s < rep_nstandards; s++)
		if (r->present[s]) {
			h_raw(h, "<th class=\"num\">");
			h_text(h, h_std_name(h, s));
			h_raw(h, "</th>");
		}
	h_raw(h, "</tr></thead><tbody>\n");
	for (k = 0; k < r->ncats; k++) {
		size_t i = h_cat_at(r, k);
		const struct rep_category *c = &r->cats[i];

		h_fmt(h, "<tr><th scope=\"row\"><a href=\"#c%zu\">", i);
		h_cat_name(h, c->name, 0);
		h_raw(h, "</a></th><td class=\"num\">");
		h_num(h, c->ndomains);
		h_raw(h, "</td><td class=\"num\">");
		h_num(h, c->norgs);
		h_raw(h, "</td>");
		for (s = 0; s < rep_nstandards; s++)
			if (r->present[s]) {
				h_raw(h, "<td class=\"num\">");
				h_pct(h, rep_adoption(&c->domains[s]));
				h_raw(h, "</td>");
			}
		h_raw(h, "</tr>\n");
	}
	h_raw(h, "</tbody></table>\n");
}

static void h_categories(struct html *h)
{
	const struct report *r = h->r;
	struct h_bar *rows;
	size_t i, k, s, n = 0, sum;

	h_section(h, SEC_CATEGORIES, 1);
	h_cat_matrix(h);
	for (i = 0, sum = 0; i < r->ncats; i++)
		sum += r->cats[i].ndomains;
	if (sum > r->ndomains) {
		h_raw(h, "<p class=\"note\">");
		h_text(h, hw(h, RW_CAT_SUM_NOTE));
		h_fmt(h, " (%zu &gt; %zu).</p>\n", sum, r->ndomains);
	}
	rows = calloc(rep_nstandards * (r->ncats + 1) + 1, sizeof(*rows));
	if (rows) {
		for (s = 0; s < rep_nstandards; s++) {
			if (!r->present[s])
				continue;
			rows[n++].label = h_std_name(h, s);
			for (k = 0; k < r->ncats; k++) {
				i = h_cat_at(r, k);
				rows[n].label = r->cats[i].name;
				rows[n].no_cat = !r->cats[i].name[0];
				rows[n++].c = &r->cats[i].domains[s];
			}
		}
		h_bars(h, W_CHART_CAT, rows, n);
		free(rows);
	} else {
		h->failed = 1;
	}
	for (k = 0; k < r->ncats; k++) {
		i = h_cat_at(r, k);
		h_fmt(h, "<div class=\"blk\"><h3 id=\"c%zu\">", i);
		h_cat_name(h, r->cats[i].name, 0);
		h_raw(h, "</h3>\n<p class=\"note\">");
		h_count_of(h, r->cats[i].ndomains, W_DOMAIN_WORD, W_DOMAINS_LC);
		h_raw(h, ", ");
		h_count_of(h, r->cats[i].norgs, W_ORG_WORD, W_ORGS_LC);
		h_raw(h, "</p>\n");
		h_counts_table(h, r->cats[i].domains, r->cats[i].orgs);
		h_raw(h, "</div>\n");
	}
	h_raw(h, "</section>\n");
}

/* ---- trend and changes ---- */

static void h_trend_table(struct html *h)
{
	const struct report *r = h->r;
	size_t i, s;

	h_raw(h, "<table><thead><tr>");
	h_th(h, W_RUN, "num");
	h_th(h, W_DATE, NULL);
	for (s = 0; s < rep_nstandards; s++)
		if (r->present[s]) {
			h_raw(h, "<th class=\"num\">");
			h_text(h, h_std_name(h, s));
			h_raw(h, "</th>");
		}
	h_raw(h, "</tr></thead><tbody>\n");
	for (i = 0; i < r->ntrend; i++) {
		h_fmt(h, "<tr><td class=\"num\">%lld</td><td>", r->trend[i].run);
		h_text(h, r->trend[i].date);
		h_raw(h, "</td>");
		for (s = 0; s < rep_nstandards; s++)
			if (r->present[s]) {
				h_raw(h, "<td class=\"num\">");
				h_pct(h, rep_adoption(&r->trend[i].c[s]));
				h_raw(h, "</td>");
			}
		h_raw(h, "</tr>\n");
	}
	h_raw(h, "</tbody></table>\n");
}

static void h_change_list(struct html *h, int improved)
{
	const struct report *r = h->r;
	size_t i, n = 0;

	for (i = 0; i < r->nchanges; i++)
		n += r->changes[i].improved == (improved != 0);
	h_raw(h, "<h4>");
	h_w(h, improved ? W_IMPROVED : W_REGRESSED);
	h_raw(h, " (");
	h_num(h, n);
	h_raw(h, ")</h4>\n");
	if (!n) {
		h_raw(h, "<p>");
		h_w(h, W_NO_CHANGES);
		h_raw(h, "</p>\n");
		return;
	}
	h_raw(h, "<table><thead><tr>");
	h_th(h, W_DOMAIN, NULL);
	h_th(h, W_STANDARD, NULL);
	h_th(h, W_BEFORE, NULL);
	h_th(h, W_AFTER, NULL);
	h_raw(h, "</tr></thead><tbody>\n");
	for (i = 0; i < r->nchanges; i++) {
		const struct rep_change *c = &r->changes[i];

		if (c->improved != (improved != 0))
			continue;
		h_raw(h, "<tr><td>");
		h_domain_link(h, c->domain);
		h_raw(h, "</td><td>");
		h_text(h, h_std_name(h, c->std));
		h_raw(h, "</td>");
		h_status_td(h, c->before);
		h_status_td(h, c->after);
		h_raw(h, "</tr>\n");
	}
	h_raw(h, "</tbody></table>\n");
}

static void h_changes(struct html *h)
{
	const struct report *r = h->r;

	h_section(h, SEC_CHANGES, 1);
	h_raw(h, "<h3>");
	h_w(h, W_TREND);
	h_raw(h, "</h3>\n");
	h_trend_chart(h);
	if (r->ntrend < 2) {
		h_raw(h, "<p class=\"note\">");
		h_w(h, W_TREND_ONE);
		h_raw(h, "</p>\n");
	}
	h_trend_table(h);
	h_raw(h, "<h3>");
	if (!r->prev_run) {
		h_w(h, W_CHANGES_H);
		h_raw(h, "</h3>\n<p>");
		h_w(h, W_NO_PREV);
		h_raw(h, "</p>\n</section>\n");
		return;
	}
	h_w(h, W_SINCE);
	h_fmt(h, " %lld</h3>\n", r->prev_run);
	h_change_list(h, 0);
	h_change_list(h, 1);
	h_raw(h, "</section>\n");
}

/* ---- explanations ---- */

static const enum html_word html_expl_state[] = {W_EXPL_APPLIED, W_EXPL_EXPIRED, W_EXPL_NOT_NEEDED,
						 W_EXPL_UNUSED};
/* state -> the status class it is shown with */
static const enum rep_status html_expl_class[] = {RS_EXPLAINED, RS_FAIL, RS_PASS, RS_NA};

static void h_expl_row(struct html *h, const struct rep_expl *e)
{
	const struct report *r = h->r;
	long k;

	h_fmt(h, "<tr><td class=\"st s%d\">", (int)html_expl_class[e->state]);
	h_w(h, html_expl_state[e->state]);
	h_raw(h, "</td><td>");
	h_w(h, e->domain ? W_DOMAIN_WORD : W_ORG_WORD);
	h_raw(h, " ");
	k = e->domain ? h_domain_index(r, e->domain) : h_org_index(r, e->organisation);
	if (k >= 0 && e->domain)
		h_domain_link(h, (size_t)k);
	else if (k >= 0)
		h_org_link(h, (size_t)k);
	else
		h_text(h, e->domain ? e->domain : e->organisation);
	h_raw(h, "</td><td>");
	h_text(h, e->std < rep_nstandards ? h_std_name(h, e->std) : e->standard);
	h_raw(h, "</td><td>");
	h_val(h, e->reason);
	h_raw(h, "</td><td class=\"num\">");
	h_text(h, e->valid_until);
	h_raw(h, "</td><td class=\"num\">");
	h_num(h, e->applied);
	h_raw(h, " / ");
	h_num(h, e->expired);
	h_raw(h, " / ");
	h_num(h, e->passing);
	h_fmt(h, "</td><td class=\"num\">%lu</td></tr>\n", e->line);
}

static void h_explanations(struct html *h)
{
	const struct report *r = h->r;
	size_t i;
	int state;

	h_section(h, SEC_EXPLANATIONS, 1);
	if (!r->nexpl) {
		h_raw(h, "<p>");
		h_w(h, W_EXPL_NONE);
		h_raw(h, "</p>\n</section>\n");
		return;
	}
	h_raw(h, "<p class=\"note\">");
	h_w(h, W_EXPL_INTRO);
	h_raw(h, "</p>\n<table class=\"wide\"><thead><tr>");
	h_th(h, W_STATUS, NULL);
	h_th(h, W_SUBJECT, NULL);
	h_th(h, W_STANDARD, NULL);
	h_th(h, W_REASON, NULL);
	h_th(h, W_VALID_UNTIL, "num");
	h_th(h, W_EXPL_COUNTS, "num");
	h_th(h, W_LINE, "num");
	h_raw(h, "</tr></thead><tbody>\n");
	/* by state (applied, expired, no longer needed, unused), then file order */
	for (state = EXPL_APPLIED; state <= EXPL_UNUSED; state++)
		for (i = 0; i < r->nexpl; i++)
			if ((int)r->expl[i].state == state)
				h_expl_row(h, &r->expl[i]);
	h_raw(h, "</tbody></table>\n</section>\n");
}

/* ---- providers ---- */

static void h_fix_sentence(struct html *h, const struct rep_provider *p, size_t s)
{
	h_raw(h, "<li>");
	h_w(h, W_FIX_A);
	h_raw(h, "<strong>");
	h_text(h, p->name);
	h_raw(h, "</strong>");
	h_w(h, W_FIX_B);
	h_raw(h, "<strong>");
	h_num(h, p->fixable[s]);
	h_raw(h, "</strong>");
	h_w(h, p->fixable[s] == 1 ? W_FIX_ONE : W_FIX_MANY);
	h_text(h, h_std_name(h, s));
	h_raw(h, ".</li>\n");
}

static void h_provider_row(struct html *h, const struct rep_provider *p)
{
	const struct report *r = h->r;
	size_t k, s;
	int any = 0;

	h_raw(h, "<tr><th scope=\"row\">");
	h_text(h, p->name);
	h_raw(h, "</th><td><ul class=\"inline\">");
	for (k = 0; k < p->nhosts && k < 6; k++) {
		h_raw(h, "<li>");
		h_text(h, p->hosts[k]);
		h_raw(h, "</li>");
	}
	if (p->nhosts > 6) {
		h_raw(h, "<li>+");
		h_num(h, p->nhosts - 6);
		h_raw(h, " ");
		h_w(h, W_MORE);
		h_raw(h, "</li>");
	}
	h_raw(h, "</ul></td><td class=\"num\">");
	h_num(h, p->ndomains);
	h_raw(h, "</td><td class=\"num\">");
	h_num(h, p->norgs);
	h_raw(h, "</td>");
	for (s = 0; s < rep_nstandards; s++)
		if (r->present[s]) {
			h_raw(h, "<td class=\"num\">");
			h_pct(h, rep_adoption(&p->c[s]));
			h_raw(h, "</td>");
		}
	h_raw(h, "<td>");
	for (s = 0; s < rep_nstandards; s++)
		if (r->present[s] && p->fixable[s]) {
			h_raw(h, any ? "<br>" : "");
			h_text(h, h_std_name(h, s));
			h_raw(h, ": ");
			h_num(h, p->fixable[s]);
			any = 1;
		}
	if (!any)
		h_raw(h, "\xe2\x80\x93");
	h_raw(h, "</td></tr>\n");
}

static void h_providers(struct html *h)
{
	const struct report *r = h->r;
	size_t i, s, shared = 0, single = 0;

	h_section(h, SEC_PROVIDERS, 1);
	for (i = 0; i < r->nproviders; i++) {
		shared += r->providers[i].ndomains > 1;
		single += r->providers[i].ndomains <= 1;
	}
	h_raw(h, "<p class=\"note\">");
	h_w(h, W_PROV_INTRO);
	h_raw(h, "</p>\n");
	if (!shared) {
		h_raw(h, "<p>");
		h_w(h, W_PROV_NONE);
		h_raw(h, "</p>\n");
	} else {
		h_raw(h, "<ul>\n");
		for (i = 0; i < r->nproviders; i++)
			for (s = 0; s < rep_nstandards; s++)
				if (r->providers[i].ndomains > 1 && r->present[s] &&
				    r->providers[i].fixable[s])
					h_fix_sentence(h, &r->providers[i], s);
		h_raw(h, "</ul>\n<table class=\"wide\"><thead><tr>");
		h_th(h, W_PROVIDER, NULL);
		h_th(h, W_MX_HOSTS, NULL);
		h_th(h, W_DOMAINS, "num");
		h_th(h, W_ORGANISATIONS, "num");
		for (s = 0; s < rep_nstandards; s++)
			if (r->present[s]) {
				h_raw(h, "<th class=\"num\">");
				h_text(h, h_std_name(h, s));
				h_raw(h, "</th>");
			}
		h_th(h, W_FIXABLE, NULL);
		h_raw(h, "</tr></thead><tbody>\n");
		for (i = 0; i < r->nproviders; i++)
			if (r->providers[i].ndomains > 1)
				h_provider_row(h, &r->providers[i]);
		h_raw(h, "</tbody></table>\n");
	}
	if (single) {
		h_raw(h, "<p class=\"note\">");
		h_w(h, W_PROV_SINGLE);
		h_raw(h, "</p>\n<ul class=\"inline note\">");
		for (i = 0; i < r->nproviders; i++)
			if (r->providers[i].ndomains <= 1) {
				h_raw(h, "<li>");
				h_text(h, r->providers[i].name);
				h_raw(h, "</li>");
			}
		h_raw(h, "</ul>\n");
	}
	h_raw(h, "</section>\n");
}

/* ---- organisations ---- */

static void h_org_row(struct html *h, size_t i)
{
	const struct report *r = h->r;
	const struct rep_org *o = &r->orgs[i];
	size_t k, s;

	h_fmt(h, "<tr><th scope=\"row\" id=\"o%zu\">", i);
	h_text(h, o->name);
	h_raw(h, "</th><td><ul class=\"inline\">");
	for (k = 0; k < o->ndomains; k++) {
		h_raw(h, "<li>");
		h_domain_link(h, o->domains[k]);
		h_raw(h, "</li>");
	}
	h_raw(h, "</ul></td>");
	for (s = 0; s < rep_nstandards; s++)
		if (r->present[s])
			h_status_td(h, o->status[s]);
	h_raw(h, "</tr>\n");
}

static void h_orgs(struct html *h)
{
	const struct report *r = h->r;
	const char *prev = NULL;
	size_t i, s, cols = 2;
	int pass;

	h_section(h, SEC_ORGS, 1);
	if (!r->norgs) {
		h_raw(h, "<p>");
		h_w(h, W_NO_ORGS);
		h_raw(h, "</p>\n</section>\n");
		return;
	}
	h_raw(h, "<p class=\"note\">");
	h_w(h, W_ORGS_INTRO);
	h_raw(h, " ");
	h_w(h, W_ABOUT_ORG);
	h_raw(h, "</p>\n<table class=\"wide\"><thead><tr>");
	h_th(h, W_ORG_COL, NULL);
	h_th(h, W_DOMAINS, NULL);
	for (s = 0; s < rep_nstandards; s++)
		if (r->present[s]) {
			h_raw(h, "<th>");
			h_text(h, h_std_name(h, s));
			h_raw(h, "</th>");
			cols++;
		}
	h_raw(h, "</tr></thead><tbody>\n");
	/* sorted by category: a heading row where it changes; "no category" last */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < r->norgs; i++) {
			if ((r->orgs[i].category[0] == '\0') != (pass == 1))
				continue;
			if (!prev || strcmp(r->orgs[i].category, prev) != 0) {
				h_fmt(h, "<tr class=\"grp\"><th colspan=\"%zu\">", cols);
				h_cat_name(h, r->orgs[i].category, 0);
				h_raw(h, "</th></tr>\n");
			}
			prev = r->orgs[i].category;
			h_org_row(h, i);
		}
	h_raw(h, "</tbody></table>\n</section>\n");
}

/* ---- appendix: evidence shown once ---- */

/*
 * Domains share MX hosts (a provider's), and MX hosts share addresses
 * (manymx.example: ten names on one address). The evidence of an address
 * that is the same in every field as one shown earlier in the appendix is
 * not shown again: its place refers to the earlier one with a link. Likewise
 * the tls_ncsc findings of an address that equal those shown for the same
 * address under another MX host name. Equal means equal in every stored
 * field, so a fold never hides a difference.
 */

/* FNV-1a over s, and a mark for NULL versus "". */
static unsigned long long h_hash_str(unsigned long long x, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	for (; *p; p++)
		x = (x ^ *p) * 1099511628211ULL;
	return (x ^ (s ? 0xffu : 0xfeu)) * 1099511628211ULL;
}

static unsigned long long h_hash_num(unsigned long long x, long long v)
{
	return (x ^ (unsigned long long)v) * 1099511628211ULL;
}

static unsigned long long h_ncsc_hash(const struct rep_addr *a)
{
	unsigned long long x = 14695981039346656037ULL;
	size_t i;

	x = h_hash_str(x, a->ip);
	x = h_hash_str(x, a->ncsc_state);
	x = h_hash_str(x, a->ncsc_versions);
	x = h_hash_num(x, a->ncsc_handshakes);
	for (i = 0; i < a->nncsc; i++)
		x = h_hash_str(h_hash_str(x, a->ncsc[i].item), a->ncsc[i].detail);
	return x;
}

static unsigned long long h_addr_hash(const struct rep_addr *a)
{
	unsigned long long x = h_ncsc_hash(a);

	x = h_hash_str(x, a->starttls);
	x = h_hash_str(x, a->cert_sha256);
	x = h_hash_str(x, a->banner);
	x = h_hash_str(x, a->error);
	x = h_hash_str(x, a->dane);
	return h_hash_num(x, a->name_match * 3 + a->pkix_valid);
}

static const struct rep_addr *h_addr_at(const struct html *h, size_t k)
{
	const struct h_loc *l = &h->loc[k];

	return &h->r->domains[l->d].mx[l->m].addrs[l->a];
}

/* same[k]: the first earlier address eq to address k, or -1 (then k is
 * shown); only addresses with tls_ncsc evidence when ncsc. Open addressing
 * over the hashes. 0, or -1 when out of memory. */
static int h_fold(struct html *h, long *same, unsigned long long (*hash)(const struct rep_addr *),
		  int (*eq)(const struct rep_addr *, const struct rep_addr *), int ncsc)
{
	size_t cap = 16, k, j;
	size_t *slot;

	while (cap < 2 * h->nloc)
		cap *= 2;
	slot = calloc(cap, sizeof(*slot)); /* address index + 1; 0: empty */
	if (!slot)
		return -1;
	for (k = 0; k < h->nloc; k++) {
		const struct rep_addr *a = h_addr_at(h, k);

		same[k] = -1;
		if (ncsc && !a->ncsc_state)
			continue;
		for (j = (size_t)(hash(a) & (cap - 1)); slot[j]; j = (j + 1) & (cap - 1))
			if (eq(h_addr_at(h, slot[j] - 1), a)) {
				same[k] = (long)slot[j] - 1;
				break;
			}
		if (same[k] < 0)
			slot[j] = k + 1;
	}
	free(slot);
	return 0;
}

static void h_fold_free(struct html *h)
{
	free(h->loc);
	free(h->same_addr);
	free(h->same_ncsc);
	free(h->first);
	free(h->target);
	h->target = NULL;
	h->loc = NULL;
	h->same_addr = h->same_ncsc = NULL;
	h->first = NULL;
	h->nloc = 0;
}

/* Number the addresses of the appendix and find the repeats. Out of memory
 * folds nothing (a longer report, not a wrong one). */
static void h_fold_scan(struct html *h)
{
	const struct report *r = h->r;
	size_t d, m, a, n = 0;

	for (d = 0; d < r->ndomains; d++)
		for (m = 0; m < r->domains[d].nmx; m++)
			n += r->domains[d].mx[m].naddrs;
	h->loc = malloc((n ? n : 1) * sizeof(*h->loc));
	h->same_addr = malloc((n ? n : 1) * sizeof(*h->same_addr));
	h->same_ncsc = malloc((n ? n : 1) * sizeof(*h->same_ncsc));
	h->first = malloc((r->ndomains ? r->ndomains : 1) * sizeof(*h->first));
	h->target = calloc(n ? n : 1, 1);
	if (!h->loc || !h->same_addr || !h->same_ncsc || !h->first || !h->target) {
		h_fold_free(h);
		return;
	}
	for (d = 0; d < r->ndomains; d++) {
		h->first[d] = h->nloc;
		for (m = 0; m < r->domains[d].nmx; m++)
			for (a = 0; a < r->domains[d].mx[m].naddrs; a++)
				h->loc[h->nloc++] = (struct h_loc){d, m, a};
	}
	if (h_fold(h, h->same_addr, h_addr_hash, rep_addr_same, 0) < 0 ||
	    h_fold(h, h->same_ncsc, h_ncsc_hash, rep_ncsc_same, 1) < 0) {
		h_fold_free(h);
		return;
	}
	for (n = 0; n < h->nloc; n++) {
		if (h->same_addr[n] >= 0)
			h->target[h->same_addr[n]] |= 1;
		else if (h->same_ncsc[n] >= 0)
			h->target[h->same_ncsc[n]] |= 2;
	}
}

/* A link to address k shown earlier (anchor PREFIX k): its MX host, its
 * address, and its domain when that is not domain d. */
static void h_loc_link(struct html *h, char prefix, long k, size_t d)
{
	const struct h_loc *l = &h->loc[k];
	const struct rep_domain *to = &h->r->domains[l->d];

	h_fmt(h, "<a href=\"#%c%ld\"><span class=\"mono\">", prefix, k);
	h_text(h, to->mx[l->m].host);
	h_raw(h, "</span> (");
	h_text(h, to->mx[l->m].addrs[l->a].ip);
	h_raw(h, ")");
	if (l->d != d) {
		h_w(h, W_IN);
		h_text(h, to->name);
	}
	h_raw(h, "</a>");
}

/* ---- appendix: one domain ---- */

/* A stored verdict word in the report's language, styled like a status. */
static void h_verdict_word(struct html *h, const char *v)
{
	static const char *const words[] = {"pass", "fail", "warn", "n/a", "error"};
	static const int cls[] = {RS_PASS, RS_FAIL, RS_FAIL, RS_NA, RS_UNTESTED};
	size_t i;

	for (i = 0; i < 5; i++)
		if (strcmp(v, words[i]) == 0)
			break;
	if (i == 5) {
		h_text(h, v);
		return;
	}
	h_fmt(h, "<span class=\"st s%d\">", cls[i]);
	if (i == 2)
		h_w(h, W_WARN);
	else if (i == 4)
		h_w(h, W_VERR);
	else
		h_text(h, rep_status_name(h->r->lang, (enum rep_status)cls[i]));
	h_raw(h, "</span>");
}

/* A reason code, linked to its entry in the advice section (a code without
 * advice stays plain text). */
static void h_code(struct html *h, const char *code)
{
	const struct h_adv *a = h_adv_of(h, code);

	if (a && a->slot) {
		h_fmt(h, "<a href=\"#adv-%zu\">", a->slot - 1);
		h_text(h, code);
		h_raw(h, "</a>");
	} else {
		h_text(h, code);
	}
}

/* One stored verdict in the verdict cell: the part's title when the
 * standard combines several, the verdict, its reason codes. */
static void h_part(struct html *h, const char *part, const struct rep_verdict *v, int titled)
{
	const struct probe_ops *p = probe_find(part);
	const char *q;
	char code[64];
	int any = 0;

	if (titled) {
		h_text(h, p ? p->title[h->en] : part);
		h_raw(h, ": ");
	}
	if (!v) {
		h_raw(h, "\xe2\x80\x93");
		return;
	}
	h_verdict_word(h, v->verdict);
	q = v->reasons ? v->reasons : "";
	while (h_next_code(&q, code, sizeof(code))) {
		h_raw(h, any ? ", " : " <span class=\"rc\">");
		h_code(h, code);
		any = 1;
	}
	if (any)
		h_raw(h, "</span>");
}

static void h_expl_cell(struct html *h, const struct rep_domain *d, size_t s)
{
	const struct rep_expl *e = d->expl[s];

	h_raw(h, "<td>");
	if (e) {
		h_w(h, d->status[s] == RS_EXPLAINED ? W_EXPL_VALID : W_EXPL_LAPSED);
		h_text(h, e->valid_until);
		h_raw(h, " (");
		h_w(h, e->domain ? W_DOMAIN_WORD : W_ORG_WORD);
		h_raw(h, "): ");
		h_val(h, e->reason);
	} else {
		h_raw(h, "\xe2\x80\x93");
	}
	h_raw(h, "</td>");
}

/* Whether stored standard name is a part of a standard the report shows. */
static int h_part_shown(const struct report *r, const char *name)
{
	size_t s, k;

	for (s = 0; s < rep_nstandards; s++)
		for (k = 0; r->present[s] && rep_standards[s].parts[k]; k++)
			if (strcmp(rep_standards[s].parts[k], name) == 0)
				return 1;
	return 0;
}

/*
 * The one verdict table of a domain: per standard of the report its title,
 * level and status, the stored verdict of each of its parts with the reason
 * codes (linked to their advice), and the explanation if any. A stored
 * verdict of no standard the report shows (a probe the run has that the
 * report does not combine) follows in a row of its own, so that no stored
 * verdict is left out.
 */
static void h_domain_verdicts(struct html *h, const struct rep_domain *d)
{
	const struct report *r = h->r;
	size_t s, k;

	h_raw(h, "<table class=\"vd\"><thead><tr>");
	h_th(h, W_STANDARD, NULL);
	h_th(h, W_LEVEL, NULL);
	h_th(h, W_STATUS, NULL);
	h_th(h, W_VERDICTS, NULL);
	h_th(h, W_EXPLANATION, NULL);
	h_raw(h, "</tr></thead><tbody>\n");
	for (s = 0; s < rep_nstandards; s++) {
		const struct rep_standard *st = &rep_standards[s];

		if (!r->present[s])
			continue;
		h_raw(h, st->level == REP_REQUIRED ? "<tr><th class=\"req\">" : "<tr><th>");
		h_text(h, h_std_name(h, s));
		h_raw(h, "</th><td>");
		h_text(h, rep_level_name(r->lang, st->level));
		h_raw(h, "</td>");
		h_status_td(h, d->status[s]);
		h_raw(h, "<td>");
		for (k = 0; st->parts[k]; k++) {
			h_raw(h, k ? "<br>" : "");
			h_part(h, st->parts[k], rep_verdict_of(d, st->parts[k]),
			       st->parts[1] != NULL);
		}
		h_raw(h, "</td>");
		h_expl_cell(h, d, s);
		h_raw(h, "</tr>\n");
	}
	for (k = 0; k < d->nverdicts; k++) {
		const struct rep_verdict *v = &d->verdicts[k];
		const struct probe_ops *p = probe_find(v->standard);

		if (h_part_shown(r, v->standard))
			continue;
		h_raw(h, "<tr><th>");
		h_text(h, p ? p->title[h->en] : v->standard);
		h_raw(h, "</th><td>\xe2\x80\x93</td><td>\xe2\x80\x93</td><td>");
		h_part(h, v->standard, v, 0);
		h_raw(h, "</td><td>\xe2\x80\x93</td></tr>\n");
	}
	h_raw(h, "</tbody></table>\n");
}

static void h_kv(struct html *h, enum html_word w, const char *v, unsigned flags)
{
	h_raw(h, "<tr><th>");
	h_w(h, w);
	h_raw(h, "</th><td>");
	if (v && *v && (flags & ESC_LINES)) {
		h_raw(h, "<pre class=\"txt\">");
		h_esc(h, v, 0, ESC_LINES);
		h_raw(h, "</pre>");
	} else {
		h_val(h, v);
	}
	h_raw(h, "</td></tr>\n");
}

/* A machine word of the evidence (rep_ev_word) in the report's language,
 * the stored word in a title attribute where they differ; a dash for none. */
static void h_ev(struct html *h, enum rep_ev_kind kind, const char *v)
{
	const char *t = rep_ev_word(h->r->lang, kind, v);

	if (!t || strcmp(t, v) == 0) {
		h_val(h, v);
		return;
	}
	h_raw(h, "<span title=\"");
	h_text(h, v);
	h_raw(h, "\">");
	h_text(h, t);
	h_raw(h, "</span>");
}

/* An evidence word as a name/value pair of a dl.pe. */
static void h_dd_ev(struct html *h, enum html_word w, enum rep_ev_kind kind, const char *v)
{
	h_raw(h, "<dt>");
	h_w(h, w);
	h_raw(h, "</dt><dd>");
	h_ev(h, kind, v);
	h_raw(h, "</dd>");
}

/* What went wrong with the domain's MX lookup (the engine's stage; the
 * DNSSEC, MTA-STS and TLS-RPT evidence is their probes', h_domain_probes),
 * and every lookup made for the domain that failed (dns_failures): what an
 * error verdict with a DNS reason rests on. */
static void h_domain_dns(struct html *h, const struct rep_domain *d)
{
	bool mx = d->mx_error && *d->mx_error, failed = d->dns_failures && *d->dns_failures;
	char more[32];

	if (!mx && !failed)
		return;
	h_raw(h, "<h4>");
	h_w(h, W_DNS);
	h_raw(h, "</h4>\n<table class=\"kv wide\"><tbody>\n");
	if (mx)
		h_kv(h, W_MX_ERROR, d->mx_error, 0);
	if (failed) {
		h_kv(h, W_DNS_FAILED, d->dns_failures, ESC_LINES);
		if (d->dns_failures_more > 0) {
			(void)snprintf(more, sizeof(more), " %lld ", d->dns_failures_more);
			h_raw(h, "<tr><th></th><td>");
			h_w(h, W_DNS_MORE_PRE);
			h_text(h, more);
			h_w(h, W_DNS_MORE_POST);
			h_raw(h, "</td></tr>\n");
		}
	}
	h_raw(h, "</tbody></table>\n");
}

/* The evidence of the probes that write their own (rep_evidence): per
 * probe a heading with its title and its values as name/value pairs, three
 * pairs to a row (dl.pe): SPF, DMARC and DKIM give some forty short values
 * per domain, which one row each made the longest part of the appendix. */
static void h_domain_probes(struct html *h, const struct rep_domain *d)
{
	size_t i;

	for (i = 0; i < d->nev; i++) {
		const struct rep_evidence *e = &d->ev[i];

		if (i == 0 || strcmp(e->probe, d->ev[i - 1].probe) != 0) {
			const struct probe_ops *p = probe_find(e->probe);

			if (i)
				h_raw(h, "</dl>\n");
			h_raw(h, "<h4>");
			h_text(h, p ? p->title[h->en] : e->probe);
			h_raw(h, "</h4>\n<dl class=\"pe pk\">\n");
		}
		h_raw(h, "<dt>");
		h_text(h, e->path[0] ? e->path : "\xe2\x80\x93");
		h_raw(h, "</dt><dd>");
		h_val(h, rep_ev_value(h->r->lang, e->probe, e->path, e->value));
		h_raw(h, "</dd>\n");
	}
	if (d->nev)
		h_raw(h, "</dl>\n");
}

static void h_tri(struct html *h, int v)
{
	if (v < 0)
		h_raw(h, "\xe2\x80\x93");
	else
		h_w(h, v ? W_YES : W_NO);
}

/* Address evidence rows; one column per address. */
enum addr_row {
	AR_STARTTLS,
	AR_ERROR,
	AR_BANNER,
	AR_TLS,
	AR_SUBJECT,
	AR_ISSUER,
	AR_EXPIRY,
	AR_KEY,
	AR_SIGNATURE,
	AR_PKIX,
	AR_NAME,
	AR_DANE,
	AR_RETRY,
	AR_SHA256,
	AR_NCSC, /* only where the tls_ncsc probe ran on an address of the host */
	AR_COUNT
};

static const enum html_word html_addr_words[AR_COUNT] = {
    W_STARTTLS,  W_ERROR, W_BANNER,     W_TLS,  W_CERT_SUBJECT, W_CERT_ISSUER, W_CERT_EXPIRY, W_KEY,
    W_SIGNATURE, W_PKIX,  W_NAME_MATCH, W_DANE, W_RETRY,        W_CERT_SHA256, W_NCSC};

/* The protocol versions the tls_ncsc probe tried ("TLSv1.3 accepted,
 * TLSv1.2 refused, ..."), each state in the report's language. */
static void h_ncsc_versions(struct html *h, const char *list)
{
	struct buf b;

	buf_init(&b, 0);
	if (rep_ncsc_versions(h->r->lang, list, &b) < 0)
		h->failed = 1;
	h_text(h, buf_str(&b));
	buf_free(&b);
}

/* One finding of the tls_ncsc probe: its class (styled like a status:
 * insufficient as voldoet niet, phase-out as a warning), aspect and item in
 * the report's language, the protocol version it was seen at when that is
 * not the item itself, and the detail. */
static void h_ncsc_finding(struct html *h, const struct rep_ncsc_finding *f)
{
	const char *t;

	if (strcmp(f->cls, "insufficient") == 0) {
		h_raw(h, "<span class=\"st s1\">");
		h_w(h, W_NCSC_INSUFFICIENT);
		h_raw(h, "</span>");
	} else if (strcmp(f->cls, "phase-out") == 0) {
		h_raw(h, "<span class=\"st ph\">");
		h_w(h, W_NCSC_PHASE_OUT);
		h_raw(h, "</span>");
	} else {
		h_text(h, f->cls);
	}
	h_raw(h, " ");
	h_ev(h, REP_EV_NCSC_ASPECT, f->aspect);
	h_raw(h, " <span class=\"mono\">");
	h_text(h, f->item);
	h_raw(h, "</span>");
	if (f->version && strcmp(f->version, f->item) != 0) {
		h_raw(h, " (");
		h_text(h, f->version);
		h_raw(h, ")");
	}
	if (*f->detail) {
		h_raw(h, ": ");
		t = rep_ev_word(h->r->lang, REP_EV_NCSC_STATE, f->detail);
		h_text(h, t ? t : f->detail);
	}
}

/* The tls_ncsc evidence of an address: the probe's state and handshakes,
 * the versions it tried, then one line per finding. A dash when the probe
 * did not run. */
static void h_ncsc_cell(struct html *h, const struct rep_addr *a)
{
	size_t i;

	if (!a->ncsc_state) {
		h_val(h, NULL);
		return;
	}
	if (strcmp(a->ncsc_state, "done") == 0)
		h_w(h, W_NCSC_DONE);
	else if (strcmp(a->ncsc_state, "incomplete") == 0)
		h_w(h, W_NCSC_INCOMPLETE);
	else
		h_text(h, a->ncsc_state);
	h_fmt(h, ", %lld", a->ncsc_handshakes);
	h_w(h, W_NCSC_HANDSHAKES);
	if (a->ncsc_versions && *a->ncsc_versions) {
		h_raw(h, "<br><span class=\"mono\">");
		h_ncsc_versions(h, a->ncsc_versions);
		h_raw(h, "</span>");
	}
	if (!a->nncsc) {
		h_raw(h, "<br>");
		h_w(h, W_NCSC_NONE);
	}
	for (i = 0; i < a->nncsc; i++) {
		h_raw(h, "<br>");
		h_ncsc_finding(h, &a->ncsc[i]);
	}
}

/* The STARTTLS status of an address in words; a status that is a reason
 * code keeps the code beside it, linked to its advice when the run has it. */
static void h_starttls(struct html *h, const char *v)
{
	const char *t = rep_ev_word(h->r->lang, REP_EV_ADDR, v);

	if (!t || !strcmp(v, "ok") || !strcmp(v, "not-tested")) {
		h_ev(h, REP_EV_ADDR, v);
		return;
	}
	h_text(h, t);
	h_raw(h, " (<span class=\"rc\">");
	h_code(h, v);
	h_raw(h, "</span>)");
}

static void h_addr_cell(struct html *h, const struct rep_addr *a, enum addr_row row)
{
	switch (row) {
	case AR_STARTTLS:
		h_starttls(h, a->starttls);
		break;
	case AR_ERROR:
		h_val(h, a->error);
		break;
	case AR_BANNER:
		if (a->banner && *a->banner) {
			h_raw(h, "<pre class=\"txt\">");
			h_esc(h, a->banner, 0, ESC_LINES);
			h_raw(h, "</pre>");
		} else {
			h_val(h, NULL);
		}
		break;
	case AR_TLS:
		h_val(h, a->tls_version);
		if (a->cipher && *a->cipher) {
			h_raw(h, "<br><span class=\"mono\">");
			h_text(h, a->cipher);
			h_raw(h, "</span>");
		}
		break;
	case AR_SUBJECT:
		h_val(h, a->cert_subject);
		break;
	case AR_ISSUER:
		h_val(h, a->cert_issuer);
		break;
	case AR_EXPIRY:
		h_val(h, a->cert_not_after);
		break;
	case AR_KEY:
		h_val(h, a->key_type);
		if (a->key_bits > 0)
			h_fmt(h, " %lld bits", a->key_bits);
		break;
	case AR_SIGNATURE:
		h_val(h, a->signature);
		break;
	case AR_PKIX:
		h_tri(h, a->pkix_valid);
		break;
	case AR_NAME:
		h_tri(h, a->name_match);
		break;
	case AR_DANE:
		h_ev(h, REP_EV_DANE, a->dane);
		break;
	case AR_RETRY:
		h_w(h, a->retried ? W_YES : W_NO);
		if (a->first_attempt && *a->first_attempt) {
			h_raw(h, " (");
			h_w(h, W_FIRST_ATTEMPT);
			h_text(h, a->first_attempt);
			h_raw(h, ")");
		}
		break;
	case AR_SHA256:
		h_raw(h, "<span class=\"mono\">");
		h_val(h, a->cert_sha256);
		h_raw(h, "</span>");
		break;
	case AR_NCSC:
		h_ncsc_cell(h, a);
		break;
	default:
		break;
	}
}

/* Whether address k of the appendix is shown (not a repeat). */
static int h_shown(const struct html *h, size_t k) { return !h->same_addr || h->same_addr[k] < 0; }

/* The addresses of MX host m of domain d, the first of them address k of
 * the appendix: a column each of those not shown before, then a link for
 * each that repeats one shown earlier. */
static void h_addrs(struct html *h, size_t d, const struct rep_mx *m, size_t k0)
{
	size_t k, shown = 0;
	int row, ncsc = 0;

	if (!m->naddrs) {
		h_raw(h, "<p>");
		h_w(h, W_NO_ADDRS);
		h_raw(h, "</p>\n");
		return;
	}
	for (k = 0; k < m->naddrs; k++)
		if (h_shown(h, k0 + k)) {
			shown++;
			ncsc |= m->addrs[k].ncsc_state != NULL;
		}
	if (shown) {
		h_raw(h, "<table class=\"kv wide\"><thead><tr>");
		h_th(h, W_ADDRESS, NULL);
		for (k = 0; k < m->naddrs; k++) {
			if (!h_shown(h, k0 + k))
				continue;
			if (h->target && (h->target[k0 + k] & 1))
				h_fmt(h, "<th class=\"mono\" id=\"a%zu\">", k0 + k);
			else
				h_raw(h, "<th class=\"mono\">");
			h_val(h, m->addrs[k].ip);
			h_raw(h, "</th>");
		}
		h_raw(h, "</tr></thead><tbody>\n");
	}
	for (row = 0; shown && row < AR_COUNT; row++) {
		if (row == AR_NCSC && !ncsc)
			continue; /* runs from before tls_ncsc: no empty row */
		h_raw(h, "<tr><th>");
		h_w(h, html_addr_words[row]);
		h_raw(h, "</th>");
		for (k = 0; k < m->naddrs; k++) {
			if (!h_shown(h, k0 + k))
				continue;
			if (row == AR_NCSC && h->target && (h->target[k0 + k] & 2))
				h_fmt(h, "<td id=\"n%zu\">", k0 + k);
			else
				h_raw(h, "<td>");
			if (row == AR_NCSC && h->same_ncsc && h->same_ncsc[k0 + k] >= 0) {
				h_w(h, W_SAME_NCSC);
				h_loc_link(h, 'n', h->same_ncsc[k0 + k], d);
			} else {
				h_addr_cell(h, &m->addrs[k], (enum addr_row)row);
			}
			h_raw(h, "</td>");
		}
		h_raw(h, "</tr>\n");
	}
	if (shown)
		h_raw(h, "</tbody></table>\n");
	if (shown == m->naddrs)
		return;
	h_raw(h, "<ul class=\"same\">");
	for (k = 0; k < m->naddrs; k++) {
		if (h_shown(h, k0 + k))
			continue;
		h_raw(h, "<li><span class=\"mono\">");
		h_text(h, m->addrs[k].ip);
		h_raw(h, "</span>: ");
		h_w(h, W_SAME_ADDR);
		h_loc_link(h, 'a', h->same_addr[k0 + k], d);
		h_raw(h, "</li>");
	}
	h_raw(h, "</ul>\n");
}

static void h_domain_mx(struct html *h, size_t di)
{
	const struct rep_domain *d = &h->r->domains[di];
	size_t i, k = h->first ? h->first[di] : 0;

	h_raw(h, "<h4>");
	h_w(h, W_MX);
	h_raw(h, "</h4>\n");
	if (!d->nmx) {
		h_raw(h, "<p>");
		h_w(h, W_NO_MX);
		h_raw(h, "</p>\n");
	}
	for (i = 0; i < d->nmx; i++) {
		const struct rep_mx *m = &d->mx[i];

		h_raw(h, "<div class=\"blk\"><h5><span class=\"mono\">");
		h_text(h, m->host);
		h_raw(h, "</span> (");
		h_w(h, W_PREFERENCE);
		h_fmt(h, " %lld, ", m->preference);
		h_w(h, W_PROVIDER_LC);
		h_raw(h, " ");
		h_text(h, h->r->providers[m->provider].name);
		h_raw(h, ")</h5>\n<dl class=\"pe\">");
		h_dd_ev(h, W_DNSSEC, REP_EV_DNSSEC, m->dnssec);
		h_dd_ev(h, W_TLSA_STATE, REP_EV_TLSA, m->tlsa_state);
		if (m->tlsa && *m->tlsa) {
			h_raw(h, "<dt>");
			h_w(h, W_TLSA);
			h_raw(h, "</dt><dd><pre class=\"txt\">");
			h_esc(h, m->tlsa, 0, ESC_LINES);
			h_raw(h, "</pre></dd>");
		}
		if (m->error && *m->error) {
			h_raw(h, "<dt>");
			h_w(h, W_ERROR);
			h_raw(h, "</dt><dd>");
			h_text(h, m->error);
			h_raw(h, "</dd>");
		}
		h_raw(h, "</dl>\n</div>\n");
		h_addrs(h, di, m, k);
		k += m->naddrs;
	}
}

static void h_domain(struct html *h, size_t i)
{
	const struct rep_domain *d = &h->r->domains[i];
	size_t k;

	h_fmt(h, "<article class=\"dom\" id=\"d%zu\">\n<div class=\"blk\"><h3>", i);
	h_text(h, d->name);
	h_raw(h, "</h3>\n<div class=\"note\">");
	if (d->norgs) {
		h_w(h, W_ORGANISATIONS);
		h_raw(h, ": <ul class=\"inline il\">");
		for (k = 0; k < d->norgs; k++) {
			h_raw(h, "<li>");
			h_org_link(h, d->orgs[k]);
			h_raw(h, "</li>");
		}
		h_raw(h, "</ul> \xc2\xb7 ");
	}
	h_w(h, W_CHECKED);
	h_raw(h, ": ");
	h_val(h, d->checked_at);
	h_raw(h, "</div>\n");
	h_domain_verdicts(h, d);
	h_raw(h, "</div>\n");
	h_domain_dns(h, d);
	h_domain_probes(h, d);
	h_domain_mx(h, i);
	h_raw(h, "</article>\n");
}

/* ---- advice per reason code ---- */

/* Count, per code with advice, the domains that name it, and number the
 * codes the run names in the order of the table (by code): entry k of the
 * section is id "adv-k", an index, never the code itself. */
static void h_adv_scan(struct html *h)
{
	const struct report *r = h->r;
	size_t i, v, k, slot = 0;

	h->adv_rows = advice_all(&h->nadv);
	h->adv = calloc(h->nadv ? h->nadv : 1, sizeof(*h->adv));
	if (!h->adv) {
		h->failed = 1;
		return;
	}
	for (i = 0; i < r->ndomains; i++)
		for (v = 0; v < r->domains[i].nverdicts; v++) {
			const char *p = r->domains[i].verdicts[v].reasons;
			char code[64];

			while (p && h_next_code(&p, code, sizeof(code))) {
				struct h_adv *a = h_adv_of(h, code);

				if (a && a->last != i + 1) {
					a->last = i + 1;
					a->domains++;
				}
			}
		}
	for (k = 0; k < h->nadv; k++)
		if (h->adv[k].domains)
			h->adv[k].slot = ++slot;
}

static void h_advice(struct html *h)
{
	size_t k, n = 0;

	h_section(h, SEC_ADVICE, 1);
	h_raw(h, "<p class=\"note\">");
	h_w(h, W_ADVICE_INTRO);
	h_raw(h, "</p>\n");
	for (k = 0; h->adv && k < h->nadv; k++)
		n += h->adv[k].slot != 0;
	if (!n) {
		h_raw(h, "<p>");
		h_w(h, W_ADVICE_NONE);
		h_raw(h, "</p>\n</section>\n");
		return;
	}
	h_raw(h, "<table class=\"adv wide\"><thead><tr>");
	h_th(h, W_CODE, NULL);
	h_th(h, W_DOMAINS, "num");
	h_th(h, W_WHAT, NULL);
	h_th(h, W_FIX, NULL);
	h_raw(h, "</tr></thead><tbody>\n");
	for (k = 0; k < h->nadv; k++) {
		const struct advice *a = &h->adv_rows[k];

		if (!h->adv[k].slot)
			continue;
		h_fmt(h, "<tr id=\"adv-%zu\"><th scope=\"row\" class=\"mono code\">",
		      h->adv[k].slot - 1);
		h_text(h, a->code);
		h_raw(h, "</th><td class=\"num\">");
		h_num(h, h->adv[k].domains);
		h_raw(h, "</td><td>");
		h_val(h, a->what[h->en]);
		h_raw(h, "</td><td>");
		h_val(h, a->fix[h->en]);
		h_raw(h, "</td></tr>\n");
	}
	h_raw(h, "</tbody></table>\n</section>\n");
}

/* ---- appendix ---- */

static void h_appendix(struct html *h)
{
	size_t i;

	h_section(h, SEC_APPENDIX, 1);
	h_raw(h, "<p class=\"note\">");
	h_w(h, W_APPENDIX_INTRO);
	h_raw(h, "</p>\n");
	for (i = 0; i < h->r->ndomains; i++)
		h_domain(h, i);
	h_raw(h, "</section>\n");
}

/* ---- a slice of the run (report --group-by) ---- */

/* "organisaties met provincie = Utrecht", escaped. */
static void h_group_words(struct html *h, const struct rep_filter *g)
{
	h_text(h, hw(h, g->value ? RW_GROUP_WITH : RW_GROUP_WITHOUT));
	h_raw(h, " <strong>");
	h_text(h, g->key);
	if (g->value) {
		h_raw(h, " = ");
		h_text(h, g->value);
		h_raw(h, "</strong>");
	} else {
		h_raw(h, "</strong> ");
		h_text(h, hw(h, RW_GROUP_NO_ORG));
	}
}

/* Under the header of a slice: which one, and that every figure is its. */
static void h_group(struct html *h)
{
	if (!h->r->filter)
		return;
	h_raw(h, "<p class=\"group\"><strong>");
	h_text(h, hw(h, RW_GROUP));
	h_raw(h, ":</strong> ");
	h_group_words(h, h->r->filter);
	h_raw(h, ". ");
	h_text(h, hw(h, RW_GROUP_NOTE));
	h_raw(h, "</p>\n");
}

static int html_render(const struct report *r, FILE *f)
{
	struct html h = {.f = f, .r = r, .en = r->lang == REP_EN};

	h_adv_scan(&h);
	h_fold_scan(&h);
	h_head(&h);
	h_top(&h);
	h_group(&h);
	h_raw(&h, "<main>\n");
	h_headline(&h);
	h_summary(&h);
	h_method(&h);
	h_categories(&h);
	h_changes(&h);
	h_explanations(&h);
	h_providers(&h);
	h_orgs(&h);
	h_advice(&h);
	h_appendix(&h);
	h_raw(&h, "</main>\n<footer>");
	h_w(&h, W_FOOTER);
	h_raw(&h, "</footer>\n</body>\n</html>\n");
	free(h.adv);
	h_fold_free(&h);
	return h.failed || ferror(f) ? -1 : 0;
}

const struct report_ops report_html = {.name = "html", .render = html_render};

/* ---- the exception report (report --changes-only) ---- */

/* The date of run id in the trend, "?" when it is not there. */
static const char *h_run_date(const struct report *r, long long id)
{
	size_t i;

	for (i = 0; i < r->ntrend; i++)
		if (r->trend[i].run == id)
			return r->trend[i].date;
	return "?";
}

static void h_changes_table(struct html *h, bool improved, size_t count)
{
	static const enum rep_word heads[6] = {RW_DOMAIN, RW_ORGS, RW_STANDARD,
					       RW_WAS,    RW_NOW,  RW_REASONS_NOW};
	const struct report *r = h->r;
	char reasons[1024];
	size_t i, k;

	h_raw(h, "<h2>");
	h_text(h, hw(h, improved ? RW_IMPROVED : RW_REGRESSED));
	h_fmt(h, " (%zu)</h2>\n", count);
	if (!count) {
		h_raw(h, "<p>");
		h_w(h, W_NONE);
		h_raw(h, "</p>\n");
		return;
	}
	h_raw(h, "<table>\n<thead><tr>");
	for (k = 0; k < 6; k++) {
		h_raw(h, "<th>");
		h_text(h, hw(h, heads[k]));
		h_raw(h, "</th>");
	}
	h_raw(h, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < r->nchanges; i++) {
		const struct rep_change *c = &r->changes[i];
		const struct rep_domain *d = &r->domains[c->domain];

		if (c->improved != improved)
			continue;
		h_raw(h, "<tr><td>");
		h_text(h, d->name);
		h_raw(h, "</td><td>");
		for (k = 0; k < d->norgs; k++) {
			if (k)
				h_raw(h, "; ");
			h_text(h, r->orgs[d->orgs[k]].name);
		}
		h_raw(h, "</td><td>");
		h_text(h, rep_standards[c->std].name[h->en]);
		h_raw(h, "</td>");
		h_status_td(h, c->before);
		h_status_td(h, c->after);
		h_raw(h, "<td>");
		h_text(h, rep_reasons_of(d, c->std, reasons, sizeof(reasons)));
		h_raw(h, "</td></tr>\n");
	}
	h_raw(h, "</tbody>\n</table>\n");
}

/* Only what changed since the previous finished run, regressions first; one
 * paragraph when nothing did (or there is no earlier run). */
static int html_changes_render(const struct report *r, FILE *f)
{
	struct html h = {.f = f, .r = r, .en = r->lang == REP_EN};
	size_t i, regressed = 0;

	for (i = 0; i < r->nchanges; i++)
		regressed += !r->changes[i].improved;
	h_head(&h);
	h_raw(&h, "<main>\n<h1>");
	if (r->prev_run) {
		h_text(&h, hw(&h, RW_CHG_TITLE));
		h_fmt(&h, " %lld (", r->prev_run);
		h_text(&h, h_run_date(r, r->prev_run));
		h_raw(&h, ") ");
		h_text(&h, hw(&h, RW_CHG_OF));
		h_fmt(&h, " %lld (", r->run.id);
	} else {
		h_fmt(&h, "Run %lld (", r->run.id);
	}
	h_text(&h, r->date);
	h_raw(&h, ")</h1>\n");
	h_group(&h);
	h_raw(&h, "<p>");
	if (!r->prev_run || !r->nchanges) {
		char line[160];

		/* the sentence starts with a capital */
		(void)snprintf(line, sizeof(line), "%s",
			       hw(&h, r->prev_run ? RW_CHG_NONE : RW_CHG_NO_PREV));
		if (line[0] >= 'a' && line[0] <= 'z')
			line[0] = (char)(line[0] - 'a' + 'A');
		h_text(&h, line);
		if (r->prev_run)
			h_fmt(&h, " %lld.</p>\n", r->prev_run);
		else
			h_raw(&h, ".</p>\n");
	} else {
		h_fmt(&h, "%zu ", regressed);
		h_text(&h, hw(&h, RW_N_REGRESSED));
		h_fmt(&h, ", %zu ", r->nchanges - regressed);
		h_text(&h, hw(&h, RW_N_IMPROVED));
		h_raw(&h, ".</p>\n");
		h_changes_table(&h, false, regressed);
		h_changes_table(&h, true, r->nchanges - regressed);
	}
	h_raw(&h, "</main>\n</body>\n</html>\n");
	return h.failed || ferror(f) ? -1 : 0;
}

const struct report_ops report_changes_html = {.name = "html", .render = html_changes_render};
