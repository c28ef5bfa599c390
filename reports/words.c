/*
 * words.c - the machine words of the stored evidence in the report's
 * language, one table shared by the HTML and Markdown appendix.
 *
 * The store keeps language-neutral words: the DNSSEC states of a lookup
 * (secure, insecure, bogus, indeterminate), the TLSA state of an MX host
 * (probes/registry.c tlsa_state_name), the DANE result of an address
 * (dane_match_name), the STARTTLS status of an address (addr_status_name:
 * "ok", "not-tested" or a reason code of the "address" rows of
 * probes/reasons.def), the aspects of a tls_ncsc finding and the states in
 * its list of protocol versions. A Dutch auditor reads "niet opgevraagd",
 * not "not-looked-up". JSON and CSV keep the machine words; so does the
 * store. A word this table does not know is shown as stored.
 */
#include <stdio.h>
#include <string.h>

#include "../base/buf.h"

#include "report.h"

struct rep_ev_row {
	enum rep_ev_kind kind;
	const char *word; /* as stored */
	const char *text[2];
};

static const struct rep_ev_row rep_ev_rows[] = {
    {REP_EV_DNSSEC, "secure", {"beveiligd", "secure"}},
    {REP_EV_DNSSEC, "insecure", {"onbeveiligd", "insecure"}},
    {REP_EV_DNSSEC, "bogus", {"ongeldig (bogus)", "bogus"}},
    {REP_EV_DNSSEC, "indeterminate", {"onbepaald", "indeterminate"}},
    {REP_EV_TLSA, "none", {"geen", "none"}},
    {REP_EV_TLSA, "present", {"aanwezig", "present"}},
    {REP_EV_TLSA, "bogus", {"ongeldig (bogus)", "bogus"}},
    {REP_EV_TLSA, "error", {"fout bij opvragen", "lookup error"}},
    {REP_EV_TLSA, "not-looked-up", {"niet opgevraagd", "not looked up"}},
    {REP_EV_DANE, "match", {"klopt", "match"}},
    {REP_EV_DANE, "mismatch", {"klopt niet", "mismatch"}},
    {REP_EV_DANE, "no-tls", {"geen TLS", "no TLS"}},
    {REP_EV_DANE, "not-checked", {"niet gecontroleerd", "not checked"}},
    {REP_EV_ADDR, "ok", {"in orde", "ok"}},
    {REP_EV_ADDR, "not-tested", {"niet getest", "not tested"}},
    {REP_EV_ADDR, "tls-version-old", {"verouderde TLS-versie", "old TLS version"}},
    {REP_EV_ADDR, "no-starttls", {"geen STARTTLS", "no STARTTLS"}},
    {REP_EV_ADDR, "starttls-rejected", {"STARTTLS geweigerd", "STARTTLS rejected"}},
    {REP_EV_ADDR, "handshake-failed", {"TLS-handshake mislukt", "TLS handshake failed"}},
    {REP_EV_ADDR, "refused", {"verbinding geweigerd", "connection refused"}},
    {REP_EV_ADDR, "timeout", {"geen antwoord (time-out)", "timeout"}},
    {REP_EV_ADDR, "bad-greeting", {"ongeldige begroeting", "bad greeting"}},
    {REP_EV_ADDR, "protocol-error", {"SMTP-protocolfout", "SMTP protocol error"}},
    {REP_EV_ADDR,
     "family-unreachable",
     {"adresfamilie niet bereikbaar", "address family unreachable"}},
    {REP_EV_ADDR, "local-error", {"lokale fout", "local error"}},
    {REP_EV_NCSC_ASPECT, "version", {"protocolversie", "protocol version"}},
    {REP_EV_NCSC_ASPECT, "cipher", {"cipher", "cipher"}},
    {REP_EV_NCSC_ASPECT, "cipher-order", {"cipher-volgorde", "cipher order"}},
    {REP_EV_NCSC_ASPECT, "key-exchange", {"sleuteluitwisseling", "key exchange"}},
    {REP_EV_NCSC_ASPECT, "cert-key", {"certificaatsleutel", "certificate key"}},
    {REP_EV_NCSC_ASPECT, "cert-signature", {"certificaathandtekening", "certificate signature"}},
    {REP_EV_NCSC_ASPECT, "compression", {"compressie", "compression"}},
    {REP_EV_NCSC_ASPECT, "renegotiation", {"renegotiatie", "renegotiation"}},
    {REP_EV_NCSC_ASPECT,
     "extended-master-secret",
     {"extended master secret", "extended master secret"}},
    {REP_EV_NCSC_STATE, "accepted", {"geaccepteerd", "accepted"}},
    {REP_EV_NCSC_STATE, "refused", {"geweigerd", "refused"}},
    {REP_EV_NCSC_STATE, "untestable", {"niet te testen", "untestable"}},
    {REP_EV_NCSC_STATE, "unknown", {"onbekend", "unknown"}},
};

/* Which values of a probe's own evidence are words of a kind: probe, and
 * path (exact) or path prefix (ending in '.'). */
static const struct {
	const char *probe, *path;
	enum rep_ev_kind kind;
} rep_ev_paths[] = {
    {"dnssec", "domain", REP_EV_DNSSEC},
    {"dnssec", "mx_rrset", REP_EV_DNSSEC},
    {"dnssec", "mx.", REP_EV_DNSSEC},
};

const char *rep_ev_value(enum rep_lang lang, const char *probe, const char *path, const char *value)
{
	size_t i;

	for (i = 0; probe && path && i < sizeof(rep_ev_paths) / sizeof(rep_ev_paths[0]); i++) {
		const char *p = rep_ev_paths[i].path;
		size_t n = strlen(p);
		const char *w;

		if (strcmp(rep_ev_paths[i].probe, probe) != 0 ||
		    (p[n - 1] == '.' ? strncmp(path, p, n) != 0 : strcmp(path, p) != 0))
			continue;
		w = rep_ev_word(lang, rep_ev_paths[i].kind, value);
		return w ? w : value;
	}
	return value;
}

const char *rep_ev_word(enum rep_lang lang, enum rep_ev_kind kind, const char *word)
{
	size_t i;

	for (i = 0; word && i < sizeof(rep_ev_rows) / sizeof(rep_ev_rows[0]); i++)
		if (rep_ev_rows[i].kind == kind && strcmp(rep_ev_rows[i].word, word) == 0)
			return rep_ev_rows[i].text[lang == REP_EN];
	return NULL;
}

int rep_ncsc_versions(enum rep_lang lang, const char *list, struct buf *out)
{
	const char *p = list ? list : "";

	while (*p) {
		size_t n = strcspn(p, ",");
		char item[96];
		char *sp;
		const char *t;

		if (n >= sizeof(item)) /* not a version and a state: the rest as stored */
			return buf_addstr(out, p);
		(void)snprintf(item, sizeof(item), "%.*s", (int)n, p);
		sp = strrchr(item, ' ');
		t = sp ? rep_ev_word(lang, REP_EV_NCSC_STATE, sp + 1) : NULL;
		if (t)
			*sp = '\0';
		if (buf_addstr(out, item) < 0 ||
		    (t && (buf_addch(out, ' ') < 0 || buf_addstr(out, t) < 0)))
			return -1;
		p += n;
		if (*p == ',') {
			if (buf_addch(out, ',') < 0)
				return -1;
			p++;
		}
	}
	return 0;
}
