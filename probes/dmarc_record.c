/*
 * dmarc_record.c - the pure core of the DMARC check (see dmarc.h).
 *
 * Implements RFC 7489: record discovery and selection (§6.6.3), the
 * record grammar (§6.3, §6.4 ABNF; tag-value syntax of RFC 6376 §3.2),
 * report URIs with their size limits (§6.2), the organisational domain
 * (§3.2, with the Public Suffix List through libpsl), the verification of
 * external report destinations (§7.1); and the "np" tag of RFC 9091. Input
 * is untrusted DNS data: bounded copies only, the first problem reported
 * in words naming the tag.
 */
#include "dmarc.h"

#include <idn2.h>
#include <libpsl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/json.h"
#include "taglist.h"
#include "txt_record.h"

/* ---- small helpers ---- */

static bool dmarc_wsp(char c) { return c == ' ' || c == '\t'; }

/* n bytes at s equal to word, ASCII case-insensitively */
static bool dmarc_ieqn(const char *s, size_t n, const char *word)
{
	size_t i;

	if (strlen(word) != n)
		return false;
	for (i = 0; i < n; i++) {
		char a = s[i], b = word[i];

		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

static bool dmarc_digits(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Decimal digits to a saturating unsigned long long. */
static unsigned long long dmarc_num(const char *s, size_t n)
{
	unsigned long long v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (v > (ULLONG_MAX - d) / 10)
			return ULLONG_MAX;
		v = v * 10 + d;
	}
	return v;
}

static bool dmarc_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int dmarc_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

/*
 * Normalise a host name: IDN (non-ASCII, or an "xn--" label) to A-labels
 * through libidn2 with the flags targets/targets.c uses, then
 * str_domain_normalise. 0, or -1 with *why static text.
 */
static int dmarc_name_norm(const char *in, char *out, size_t outlen, const char **why)
{
	const char *p;
	char *ascii = NULL;
	bool idn = false;
	int rc;

	*why = NULL;
	if (strlen(in) > 4 * DNS_NAME_MAX) {
		*why = "name longer than 253 characters";
		return -1;
	}
	for (p = in; *p; p++) {
		if ((unsigned char)*p >= 0x80 ||
		    ((p == in || p[-1] == '.') && str_iprefix(p, "xn--"))) {
			idn = true;
			break;
		}
	}
	if (idn) {
		rc = idn2_to_ascii_8z(in, &ascii, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
		if (rc != IDN2_OK) {
			*why = "not a valid internationalised name";
			return -1;
		}
	}
	rc = str_domain_normalise(ascii ? ascii : in, out, outlen, why);
	idn2_free(ascii);
	return rc;
}

/* ---- selection ---- */

bool dmarc_txt_is_dmarc(const char *txt)
{
	const char *p = txt;

	if (!p || (*p != 'v' && *p != 'V'))
		return false;
	p++;
	while (dmarc_wsp(*p))
		p++;
	if (*p++ != '=')
		return false;
	while (dmarc_wsp(*p))
		p++;
	if (!str_iprefix(p, "DMARC1"))
		return false;
	p += 6;
	return *p == '\0' || *p == ';' || dmarc_wsp(*p);
}

/* ---- tags ---- */

enum dmarc_tag {
	DT_V,
	DT_P,
	DT_SP,
	DT_NP,
	DT_PCT,
	DT_RUA,
	DT_RUF,
	DT_ADKIM,
	DT_ASPF,
	DT_FO,
	DT_RF,
	DT_RI,
	DT_COUNT
};

static const char *const dmarc_tag_names[DT_COUNT] = {
    "v", "p", "sp", "np", "pct", "rua", "ruf", "adkim", "aspf", "fo", "rf", "ri",
};

static int dmarc_tag_of(const struct taglist_tag *t)
{
	int i;

	for (i = 0; i < DT_COUNT; i++)
		if (taglist_is(t, dmarc_tag_names[i], true))
			return i;
	return -1;
}

static int dmarc_policy_value(const char *v, size_t n, enum dmarc_policy *out)
{
	if (dmarc_ieqn(v, n, "none"))
		*out = DMARC_POLICY_NONE;
	else if (dmarc_ieqn(v, n, "quarantine"))
		*out = DMARC_POLICY_QUARANTINE;
	else if (dmarc_ieqn(v, n, "reject"))
		*out = DMARC_POLICY_REJECT;
	else
		return -1;
	return 0;
}

static int dmarc_fo_item(const char *s, size_t n, size_t k, void *arg, char *why, size_t whylen)
{
	unsigned *fo = arg;

	if (n == 1 && s[0] == '0')
		*fo |= DMARC_FO_0;
	else if (n == 1 && s[0] == '1')
		*fo |= DMARC_FO_1;
	else if (dmarc_ieqn(s, n, "d"))
		*fo |= DMARC_FO_D;
	else if (dmarc_ieqn(s, n, "s"))
		*fo |= DMARC_FO_S;
	else {
		txt_why(why, whylen, "fo: option %zu is not 0, 1, d or s", k);
		return -1;
	}
	return 0;
}

/* Keyword (RFC 5321 §4.1.2): Let-dig [Ldh-str] */
static int dmarc_rf_item(const char *s, size_t n, size_t k, void *arg, char *why, size_t whylen)
{
	size_t i;

	(void)arg;
	for (i = 0; i < n; i++) {
		if (!txt_alnum(s[i]) && !(s[i] == '-' && i > 0 && i + 1 < n)) {
			txt_why(why, whylen, "rf: format %zu is not a keyword", k);
			return -1;
		}
	}
	return 0;
}

/* URI characters of RFC 3986 (unreserved, reserved, '%' HEXDIG HEXDIG),
 * less ',' and '!' which DMARC uses as delimiters (§6.2 asks for them to
 * be %-encoded). */
static bool dmarc_uri_chars(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%') {
			if (i + 2 >= n || !dmarc_hex(s[i + 1]) || !dmarc_hex(s[i + 2]))
				return false;
			i += 2;
			continue;
		}
		if (txt_alnum(c) || strchr("-._~:/?#[]@$&'()*+;=", c))
			continue;
		return false;
	}
	return true;
}

/* The domain of a mailto: URI's first address into out; NULL or why not. */
static const char *dmarc_mailto_domain(const char *s, size_t n, char *out, size_t outlen)
{
	char raw[DNS_NAME_MAX * 4 + 1];
	const char *q, *at = NULL, *why;
	size_t i, len = 0, end;

	q = memchr(s, '?', n); /* hfields (RFC 6068) are not part of the address */
	end = q ? (size_t)(q - s) : n;
	for (i = 0; i < end; i++)
		if (s[i] == '@')
			at = s + i;
	if (!at)
		return "mailto: address has no '@'";
	if (at == s)
		return "mailto: empty local part";
	for (i = (size_t)(at - s) + 1; i < end; i++) {
		char c = s[i];

		if (c == '%') { /* dmarc_uri_chars checked the two hex digits */
			c = (char)(dmarc_hexval(s[i + 1]) * 16 + dmarc_hexval(s[i + 2]));
			i += 2;
			if (c == '\0')
				return "mailto: %00 in the domain";
		}
		if (len + 1 >= sizeof(raw))
			return "mailto: domain too long";
		raw[len++] = c;
	}
	raw[len] = '\0';
	if (len == 0)
		return "mailto: empty domain";
	if (dmarc_name_norm(raw, out, outlen, &why) < 0)
		return why ? why : "mailto: bad domain";
	return NULL;
}

struct dmarc_uri_list {
	const char *tag;
	struct dmarc_uri *uris;
	size_t *n;
	bool *truncated;
};

/* dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ] */
static int dmarc_uri_item(const char *s, size_t n, size_t k, void *arg, char *why, size_t whylen)
{
	struct dmarc_uri_list *l = arg;
	struct dmarc_uri u;
	const char *bang = memchr(s, '!', n);
	size_t ulen = bang ? (size_t)(bang - s) : n, i;
	const char *err;

	memset(&u, 0, sizeof(u));
	if (bang) {
		const char *d = bang + 1;
		size_t dn = n - ulen - 1, digits = dn;
		unsigned shift = 0;

		if (dn > 0) {
			switch (d[dn - 1]) {
			case 'k':
			case 'K':
				shift = 10;
				digits--;
				break;
			case 'm':
			case 'M':
				shift = 20;
				digits--;
				break;
			case 'g':
			case 'G':
				shift = 30;
				digits--;
				break;
			case 't':
			case 'T':
				shift = 40;
				digits--;
				break;
			default:
				break;
			}
		}
		if (!dmarc_digits(d, digits)) {
			txt_why(why, whylen,
				"%s: URI %zu: size limit after '!' is not digits[kmgt]", l->tag, k);
			return -1;
		}
		u.max_size = dmarc_num(d, digits);
		if (u.max_size > (ULLONG_MAX >> shift))
			u.max_size = ULLONG_MAX;
		else
			u.max_size <<= shift;
		if (u.max_size == 0)
			u.max_size = 1; /* "!0" is a limit, not "no limit": keep it nonzero */
	}
	/* scheme ":" rest */
	i = 0;
	if (ulen > 0 && ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		for (i = 1; i < ulen && (txt_alnum(s[i]) || strchr("+-.", s[i])); i++)
			;
	if (i == 0 || i >= ulen || s[i] != ':' || i + 1 == ulen) {
		txt_why(why, whylen, "%s: URI %zu is not a URI (scheme:...)", l->tag, k);
		return -1;
	}
	if (!dmarc_uri_chars(s + i + 1, ulen - i - 1)) {
		txt_why(why, whylen, "%s: URI %zu has a character not allowed in a URI", l->tag, k);
		return -1;
	}
	if (dmarc_ieqn(s, i, "mailto")) {
		err = dmarc_mailto_domain(s + i + 1, ulen - i - 1, u.domain, sizeof(u.domain));
		if (err) {
			txt_why(why, whylen, "%s: URI %zu: %s", l->tag, k, err);
			return -1;
		}
		u.mailto = true;
	}
	if (*l->n >= DMARC_URI_MAX) {
		*l->truncated = true;
		return 0;
	}
	u.cut = ulen > DMARC_URI_LEN;
	memcpy(u.uri, s, u.cut ? DMARC_URI_LEN : ulen);
	u.uri[u.cut ? DMARC_URI_LEN : ulen] = '\0';
	l->uris[(*l->n)++] = u;
	return 0;
}

static int dmarc_tag_value(struct dmarc_record *r, int tag, const char *v, size_t n, char *why,
			   size_t whylen)
{
	const char *name = dmarc_tag_names[tag];
	struct dmarc_uri_list ul;

	if (n == 0) {
		txt_why(why, whylen, "%s: empty value", name);
		return -1;
	}
	switch (tag) {
	case DT_P:
	case DT_SP:
	case DT_NP: {
		enum dmarc_policy *dst = tag == DT_P ? &r->p : tag == DT_SP ? &r->sp : &r->np;

		if (dmarc_policy_value(v, n, dst) < 0) {
			txt_why(why, whylen, "%s: not none, quarantine or reject", name);
			return -1;
		}
		return 0;
	}
	case DT_PCT:
		if (n > 3 || !dmarc_digits(v, n) || dmarc_num(v, n) > 100) {
			txt_why(why, whylen, "pct: not an integer 0-100");
			return -1;
		}
		r->pct = (int)dmarc_num(v, n);
		r->pct_present = true;
		return 0;
	case DT_ADKIM:
	case DT_ASPF: {
		enum dmarc_align *dst = tag == DT_ADKIM ? &r->adkim : &r->aspf;

		if (dmarc_ieqn(v, n, "r"))
			*dst = DMARC_ALIGN_RELAXED;
		else if (dmarc_ieqn(v, n, "s"))
			*dst = DMARC_ALIGN_STRICT;
		else {
			txt_why(why, whylen, "%s: not r or s", name);
			return -1;
		}
		return 0;
	}
	case DT_FO:
		r->fo = 0;
		return taglist_split(v, n, ':', dmarc_fo_item, &r->fo, name, why, whylen);
	case DT_RF:
		if (taglist_split(v, n, ':', dmarc_rf_item, NULL, name, why, whylen) < 0)
			return -1;
		(void)snprintf(r->rf, sizeof(r->rf), "%.*s", (int)(n < 63 ? n : 63), v);
		return 0;
	case DT_RI:
		if (n > 32 || !dmarc_digits(v, n)) {
			txt_why(why, whylen, "ri: not an integer (1-32 digits)");
			return -1;
		}
		r->ri = dmarc_num(v, n) > ULONG_MAX ? ULONG_MAX : (unsigned long)dmarc_num(v, n);
		return 0;
	case DT_RUA:
	case DT_RUF:
		ul.tag = name;
		ul.uris = tag == DT_RUA ? r->rua : r->ruf;
		ul.n = tag == DT_RUA ? &r->nrua : &r->nruf;
		ul.truncated = tag == DT_RUA ? &r->rua_truncated : &r->ruf_truncated;
		return taglist_split(v, n, ',', dmarc_uri_item, &ul, name, why, whylen);
	default:
		return 0;
	}
}

int dmarc_record_parse(const char *txt, struct dmarc_record *r, char *why, size_t whylen)
{
	struct taglist tl;
	struct taglist_tag t;
	unsigned seen = 0;
	int rc;

	if (!txt || !r) {
		txt_why(why, whylen, "no record");
		return -1;
	}
	memset(r, 0, sizeof(*r));
	r->pct = 100;
	r->fo = DMARC_FO_0;
	(void)snprintf(r->rf, sizeof(r->rf), "afrf");
	r->ri = 86400;
	if (!dmarc_txt_is_dmarc(txt)) {
		txt_why(why, whylen, "v: the record must start with v=DMARC1");
		return -1;
	}
	taglist_init(&tl, txt);
	while ((rc = taglist_next(&tl, &t, why, whylen)) == 1) {
		int tag = dmarc_tag_of(&t);

		if (tag < 0)
			continue; /* unknown tags are ignored (§6.3) */
		if (seen & (1u << tag)) {
			txt_why(why, whylen, "%s: tag appears more than once",
				dmarc_tag_names[tag]);
			return -1;
		}
		seen |= 1u << tag;
		if (tag == DT_V) {
			if (t.index != 1) { /* dmarc_txt_is_dmarc saw v first */
				txt_why(why, whylen, "v: tag appears more than once");
				return -1;
			}
			if (t.vlen != 6 || memcmp(t.val, "DMARC1", 6) != 0) {
				txt_why(why, whylen,
					"v: value must be DMARC1 (upper case) followed by ';'");
				return -1;
			}
			continue;
		}
		if (dmarc_tag_value(r, tag, t.val, t.vlen, why, whylen) < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	if (!(seen & (1u << DT_P))) {
		if (r->nrua == 0) {
			txt_why(why, whylen, "p: required tag is missing");
			return -1;
		}
		r->p = DMARC_POLICY_NONE; /* §6.6.3 step 6 */
		r->p_implied = true;
	}
	return 0;
}

/* ---- organisational domain ---- */

static psl_ctx_t *dmarc_psl_latest;
static const psl_ctx_t *dmarc_psl;
static bool dmarc_psl_registered;

void dmarc_psl_free(void)
{
	psl_free(dmarc_psl_latest);
	dmarc_psl_latest = NULL;
	dmarc_psl = NULL;
}

static const psl_ctx_t *dmarc_psl_get(void)
{
	if (dmarc_psl)
		return dmarc_psl;
	/* Debian's publicsuffix data if installed (and newer), else built in */
	dmarc_psl_latest = psl_latest(NULL);
	dmarc_psl = dmarc_psl_latest ? dmarc_psl_latest : psl_builtin();
	if (!dmarc_psl_registered && atexit(dmarc_psl_free) == 0)
		dmarc_psl_registered = true;
	return dmarc_psl;
}

int dmarc_org_domain(const char *domain, char *out, size_t n)
{
	char norm[DNS_NAME_MAX + 1];
	const char *why, *reg;
	const psl_ctx_t *psl;

	if (!domain || !out || n < DNS_NAME_MAX + 1)
		return -1;
	out[0] = '\0';
	if (dmarc_name_norm(domain, norm, sizeof(norm), &why) < 0)
		return -1;
	psl = dmarc_psl_get();
	if (!psl)
		return -1;
	reg = psl_registrable_domain(psl, norm);
	return str_copy(out, n, reg ? reg : norm);
}

/* ---- lookups ---- */

void dmarc_lookup_init(struct dmarc_lookup *l, const char *name)
{
	memset(l, 0, sizeof(*l));
	if (name)
		(void)str_copy(l->name, sizeof(l->name), name);
}

void dmarc_lookup_clear(struct dmarc_lookup *l)
{
	size_t i;
	char name[DNS_NAME_MAX + 1];

	if (!l)
		return;
	for (i = 0; i < DMARC_RECORDS_KEEP; i++)
		free(l->records[i]);
	memcpy(name, l->name, sizeof(name));
	dmarc_lookup_init(l, name);
}

int dmarc_lookup_set_txt(struct dmarc_lookup *l, const char *const *txt, size_t n)
{
	size_t i, first = 0;

	dmarc_lookup_clear(l);
	for (i = 0; i < n; i++) {
		size_t len;
		char *copy;

		if (!txt[i] || !dmarc_txt_is_dmarc(txt[i]))
			continue;
		if (l->nrecords == 0)
			first = i;
		if (l->nrecords < DMARC_RECORDS_KEEP) {
			len = strnlen(txt[i], DMARC_RECORD_LEN);
			copy = malloc(len + 1);
			if (!copy) {
				dmarc_lookup_clear(l);
				l->state = DMARC_DNS_ERROR;
				return -1;
			}
			memcpy(copy, txt[i], len);
			copy[len] = '\0';
			l->records[l->nrecords] = copy;
		}
		l->nrecords++;
	}
	if (l->nrecords == 0)
		l->state = DMARC_ABSENT;
	else if (l->nrecords > 1)
		l->state = DMARC_MULTIPLE;
	else if (dmarc_record_parse(txt[first], &l->rec, l->why, sizeof(l->why)) == 0)
		l->state = DMARC_VALID;
	else
		l->state = DMARC_SYNTAX;
	return 0;
}

void dmarc_lookup_set_status(struct dmarc_lookup *l, enum dns_status st)
{
	dmarc_lookup_clear(l);
	l->state = (st == DNS_NXDOMAIN || st == DNS_OK) ? DMARC_ABSENT : DMARC_DNS_ERROR;
}

bool dmarc_needs_org_lookup(const char *domain, const struct dmarc_lookup *own, char *org, size_t n)
{
	char norm[DNS_NAME_MAX + 1];
	const char *why;

	if (!org || n == 0)
		return false;
	org[0] = '\0';
	if (!domain || dmarc_org_domain(domain, org, n) < 0)
		return false;
	if (dmarc_name_norm(domain, norm, sizeof(norm), &why) < 0)
		return false;
	return own && own->state == DMARC_ABSENT && strcmp(norm, org) != 0;
}

/* ---- the policy that applies ---- */

int dmarc_effective(const struct dmarc_lookup *own, const struct dmarc_lookup *orgl,
		    struct dmarc_effective *e)
{
	const struct dmarc_lookup *l = own;

	memset(e, 0, sizeof(*e));
	if (!own)
		return -1;
	if (own->state == DMARC_ABSENT && orgl && orgl->state != DMARC_NOT_ASKED) {
		l = orgl;
		e->fallback = true;
	}
	e->lookup = l;
	e->state = l->state == DMARC_NOT_ASKED ? DMARC_ABSENT : l->state;
	e->policy_domain = l->name;
	if (l->state != DMARC_VALID)
		return 0;
	e->rec = &l->rec;
	e->pct = l->rec.pct;
	if (l == own) {
		e->source = DMARC_SRC_DOMAIN;
		e->policy = l->rec.p;
	} else {
		e->source = DMARC_SRC_ORG;
		e->from_sp = l->rec.sp != DMARC_POLICY_UNSET;
		e->policy = e->from_sp ? l->rec.sp : l->rec.p;
	}
	return 0;
}

bool dmarc_is_reject(const struct dmarc_effective *e)
{
	return e && e->source != DMARC_SRC_NOWHERE && e->policy == DMARC_POLICY_REJECT &&
	       e->pct == 100;
}

/* ---- external destinations ---- */

int dmarc_auth_name(const char *policy_domain, const char *dest_domain, char *out, size_t n)
{
	int w;

	if (!out || n == 0)
		return -1;
	out[0] = '\0';
	if (!policy_domain || !dest_domain)
		return -1;
	w = snprintf(out, n, "%s._report._dmarc.%s", policy_domain, dest_domain);
	if (w < 0 || (size_t)w >= n || w > 253) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

static int dmarc_dest_add(struct dmarc_dests *d, const struct dmarc_uri *u, bool rua,
			  const char *policy_domain, const char *policy_org)
{
	struct dmarc_dest *x = NULL;
	size_t i;

	if (!u->mailto) {
		d->nother++;
		return 0;
	}
	for (i = 0; i < d->n; i++)
		if (strcmp(d->d[i].domain, u->domain) == 0)
			x = &d->d[i];
	if (!x) {
		if (d->n >= DMARC_DEST_MAX) {
			d->truncated = true;
			return 0;
		}
		x = &d->d[d->n++];
		memset(x, 0, sizeof(*x));
		(void)str_copy(x->domain, sizeof(x->domain), u->domain);
		if (dmarc_org_domain(x->domain, x->org, sizeof(x->org)) < 0)
			return -1;
		x->external = strcmp(x->org, policy_org) != 0;
		if (x->external) {
			if (dmarc_auth_name(policy_domain, x->domain, x->auth_name,
					    sizeof(x->auth_name)) < 0) {
				x->auth_name_too_long = true;
				x->auth = DMARC_AUTH_NO;
			} else {
				x->auth = DMARC_AUTH_PENDING;
			}
		}
	}
	if (rua)
		x->in_rua = true;
	else
		x->in_ruf = true;
	return 0;
}

int dmarc_dests_build(const struct dmarc_record *rec, const char *policy_domain,
		      struct dmarc_dests *d)
{
	char org[DNS_NAME_MAX + 1], pd[DNS_NAME_MAX + 1];
	const char *why;
	size_t i;

	memset(d, 0, sizeof(*d));
	if (!rec)
		return 0;
	if (!policy_domain || dmarc_name_norm(policy_domain, pd, sizeof(pd), &why) < 0 ||
	    dmarc_org_domain(pd, org, sizeof(org)) < 0)
		return -1;
	for (i = 0; i < rec->nrua; i++)
		if (dmarc_dest_add(d, &rec->rua[i], true, pd, org) < 0)
			return -1;
	for (i = 0; i < rec->nruf; i++)
		if (dmarc_dest_add(d, &rec->ruf[i], false, pd, org) < 0)
			return -1;
	return 0;
}

enum dmarc_auth dmarc_auth_judge(const char *const *txt, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (txt && dmarc_txt_is_dmarc(txt[i]))
			return DMARC_AUTH_YES;
	return DMARC_AUTH_NO;
}

/* ---- verdict ---- */

static void dmarc_reason(struct dmarc_judgment *j, enum verdict v, enum reason code)
{
	size_t i;

	/* rank: pass < warn < fail < error; VERDICT_NONE (info) raises nothing */
	static const int rank[] = {[VERDICT_NONE] = 0, [VERDICT_PASS] = 1, [VERDICT_WARN] = 2,
				   [VERDICT_FAIL] = 3, [VERDICT_NA] = 0,   [VERDICT_ERROR] = 4};

	if (v != VERDICT_NONE && rank[v] > rank[j->v])
		j->v = v;
	for (i = 0; i < j->nreasons; i++)
		if (j->reasons[i] == code)
			return;
	if (j->nreasons < DMARC_REASONS_MAX)
		j->reasons[j->nreasons++] = code;
}

void dmarc_judge(const struct dmarc_effective *e, const struct dmarc_dests *d,
		 struct dmarc_judgment *j)
{
	size_t i;

	memset(j, 0, sizeof(*j));
	j->v = VERDICT_PASS;
	if (e->fallback && e->state != DMARC_ABSENT)
		dmarc_reason(j, VERDICT_NONE, R_DMARC_FROM_ORG_DOMAIN);
	if (e->source == DMARC_SRC_NOWHERE) {
		switch (e->state) {
		case DMARC_MULTIPLE:
			dmarc_reason(j, VERDICT_FAIL, R_DMARC_MULTIPLE_RECORDS);
			break;
		case DMARC_SYNTAX:
			dmarc_reason(j, VERDICT_FAIL, R_DMARC_SYNTAX);
			break;
		case DMARC_DNS_ERROR:
			dmarc_reason(j, VERDICT_ERROR, R_DMARC_DNS_ERROR);
			break;
		default:
			dmarc_reason(j, VERDICT_FAIL, R_DMARC_NONE);
			break;
		}
		return;
	}
	if (e->policy == DMARC_POLICY_NONE || e->policy == DMARC_POLICY_UNSET) {
		dmarc_reason(j, VERDICT_WARN, R_DMARC_POLICY_NONE);
		if (e->rec && e->rec->p_implied && !e->from_sp)
			dmarc_reason(j, VERDICT_WARN, R_DMARC_P_MISSING);
	} else if (e->pct < 100) {
		dmarc_reason(j, VERDICT_WARN, R_DMARC_PCT_PARTIAL);
	}
	if (!d)
		return;
	for (i = 0; i < d->n; i++) {
		if (d->d[i].auth == DMARC_AUTH_NO)
			dmarc_reason(j, VERDICT_WARN, R_DMARC_EXTERNAL_UNAUTHORISED);
		else if (d->d[i].auth == DMARC_AUTH_ERROR || d->d[i].auth == DMARC_AUTH_PENDING)
			dmarc_reason(j, VERDICT_NONE, R_DMARC_EXTERNAL_UNVERIFIED);
	}
	if (d->nother > 0)
		dmarc_reason(j, VERDICT_NONE, R_DMARC_URI_NOT_MAILTO);
}

/* ---- names ---- */

const char *dmarc_policy_name(enum dmarc_policy p)
{
	switch (p) {
	case DMARC_POLICY_NONE:
		return "none";
	case DMARC_POLICY_QUARANTINE:
		return "quarantine";
	case DMARC_POLICY_REJECT:
		return "reject";
	default:
		return NULL;
	}
}

const char *dmarc_state_name(enum dmarc_state s)
{
	static const char *const names[] = {"not-asked", "absent",   "valid",
					    "syntax",    "multiple", "dns-error"};

	return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

const char *dmarc_auth_word(enum dmarc_auth a)
{
	static const char *const names[] = {"not-needed", "pending", "yes", "no", "error"};

	return (size_t)a < sizeof(names) / sizeof(names[0]) ? names[a] : "?";
}

/* ---- evidence ---- */

static void dmarc_json_lookup(struct json *j, const char *key, const struct dmarc_lookup *l)
{
	size_t i;

	json_key(j, key);
	if (!l || l->state == DMARC_NOT_ASKED) {
		json_null(j);
		return;
	}
	json_obj_open(j);
	json_kstr(j, "name", l->name);
	json_kstr(j, "state", dmarc_state_name(l->state));
	json_kint(j, "count", (long long)l->nrecords);
	json_key(j, "records");
	json_arr_open(j);
	for (i = 0; i < l->nrecords && i < DMARC_RECORDS_KEEP; i++)
		json_str(j, l->records[i]);
	json_arr_close(j);
	if (l->state == DMARC_SYNTAX)
		json_kstr(j, "error", l->why);
	json_obj_close(j);
}

static void dmarc_json_uris(struct json *j, const char *key, const struct dmarc_uri *u, size_t n,
			    bool truncated)
{
	size_t i;

	json_key(j, key);
	json_arr_open(j);
	for (i = 0; i < n; i++) {
		json_obj_open(j);
		json_kstr(j, "uri", u[i].uri);
		if (u[i].cut)
			json_kbool(j, "cut", true);
		if (u[i].max_size) {
			json_key(j, "max_size");
			json_int(j, u[i].max_size > (unsigned long long)LLONG_MAX
					? LLONG_MAX
					: (long long)u[i].max_size);
		}
		json_kstr(j, "domain", u[i].mailto ? u[i].domain : NULL);
		json_obj_close(j);
	}
	json_arr_close(j);
	if (truncated)
		json_kbool(j, key[2] == 'a' ? "rua_truncated" : "ruf_truncated", true);
}

static void dmarc_json_tags(struct json *j, const struct dmarc_record *r)
{
	char fo[16];
	size_t n = 0;

	json_key(j, "tags");
	if (!r) {
		json_null(j);
		return;
	}
	json_obj_open(j);
	json_kstr(j, "p", dmarc_policy_name(r->p));
	json_kbool(j, "p_implied", r->p_implied);
	json_kstr(j, "sp", dmarc_policy_name(r->sp));
	json_kstr(j, "np", dmarc_policy_name(r->np));
	json_kint(j, "pct", r->pct);
	json_kbool(j, "pct_given", r->pct_present);
	json_kstr(j, "adkim", r->adkim == DMARC_ALIGN_STRICT ? "s" : "r");
	json_kstr(j, "aspf", r->aspf == DMARC_ALIGN_STRICT ? "s" : "r");
	if (r->fo & DMARC_FO_0)
		n += (size_t)snprintf(fo + n, sizeof(fo) - n, "%s0", n ? ":" : "");
	if (r->fo & DMARC_FO_1)
		n += (size_t)snprintf(fo + n, sizeof(fo) - n, "%s1", n ? ":" : "");
	if (r->fo & DMARC_FO_D)
		n += (size_t)snprintf(fo + n, sizeof(fo) - n, "%sd", n ? ":" : "");
	if (r->fo & DMARC_FO_S)
		n += (size_t)snprintf(fo + n, sizeof(fo) - n, "%ss", n ? ":" : "");
	fo[n] = '\0';
	json_kstr(j, "fo", fo);
	json_kstr(j, "rf", r->rf);
	json_kint(j, "ri", (long long)r->ri);
	dmarc_json_uris(j, "rua", r->rua, r->nrua, r->rua_truncated);
	dmarc_json_uris(j, "ruf", r->ruf, r->nruf, r->ruf_truncated);
	json_obj_close(j);
}

void dmarc_evidence_json(struct json *j, const struct dmarc_effective *e,
			 const struct dmarc_lookup *own, const struct dmarc_lookup *orgl,
			 const char *org, const struct dmarc_dests *d)
{
	static const char *const sources[] = {"none", "domain", "org"};
	size_t i;

	json_obj_open(j);
	json_kstr(j, "org_domain", org && org[0] ? org : NULL);
	dmarc_json_lookup(j, "domain_lookup", own);
	dmarc_json_lookup(j, "org_lookup", orgl);
	json_kstr(j, "source", sources[e->source <= DMARC_SRC_ORG ? e->source : 0]);
	json_kstr(j, "policy_domain", e->source != DMARC_SRC_NOWHERE ? e->policy_domain : NULL);
	json_kstr(j, "policy", dmarc_policy_name(e->policy));
	json_kbool(j, "from_sp", e->from_sp);
	if (e->rec)
		json_kint(j, "pct", e->pct);
	dmarc_json_tags(j, e->rec);
	json_key(j, "destinations");
	json_arr_open(j);
	for (i = 0; d && i < d->n; i++) {
		const struct dmarc_dest *x = &d->d[i];

		json_obj_open(j);
		json_kstr(j, "domain", x->domain);
		json_kstr(j, "org_domain", x->org);
		json_kbool(j, "rua", x->in_rua);
		json_kbool(j, "ruf", x->in_ruf);
		json_kbool(j, "external", x->external);
		json_kstr(j, "auth_name", x->auth_name[0] ? x->auth_name : NULL);
		if (x->auth_name_too_long)
			json_kbool(j, "auth_name_too_long", true);
		json_kstr(j, "authorised", dmarc_auth_word(x->auth));
		json_obj_close(j);
	}
	json_arr_close(j);
	if (d && d->truncated)
		json_kbool(j, "destinations_truncated", true);
	if (d && d->nother)
		json_kint(j, "non_mailto_uris", (long long)d->nother);
	json_obj_close(j);
}
