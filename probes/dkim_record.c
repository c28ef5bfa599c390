/*
 * dkim_record.c - the pure core of the DKIM check (see dkim.h).
 *
 * Implements the DKIM key record of RFC 6376 §3.6.1 (tag list of §3.2,
 * v/h/k/n/p/s/t), the minimum RSA key size of RFC 8301 §3.2 (1024 bits),
 * Ed25519 keys of RFC 8463 §4.2 (32 raw bytes, not SubjectPublicKeyInfo),
 * internet.nl's "_domainkey exists" rule, and the --dkim-selectors file.
 * Keys are decoded by OpenSSL (EVP_DecodeBlock, d2i_PUBKEY); records are
 * untrusted DNS data: bounded copies, first problem named by its tag.
 */
#include "dkim.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/json.h"
#include "taglist.h"
#include "txt_record.h"

/* ---- presence ---- */

enum dkim_presence dkim_presence_of(enum dns_status st, enum reason *reason)
{
	enum dkim_presence p;
	enum reason r;

	switch (st) {
	case DNS_OK: /* with data, or NODATA: an empty non-terminal */
		p = DKIM_IN_USE;
		r = R_NONE;
		break;
	case DNS_NXDOMAIN:
		p = DKIM_NOT_IN_USE;
		r = R_DKIM_NONE;
		break;
	default:
		p = DKIM_PRESENCE_ERROR;
		r = R_DKIM_DNS_ERROR;
		break;
	}
	if (reason)
		*reason = r;
	return p;
}

const char *dkim_presence_name(enum dkim_presence p)
{
	static const char *const names[] = {"in-use", "not-in-use", "error"};

	return (size_t)p < sizeof(names) / sizeof(names[0]) ? names[p] : "?";
}

const char *dkim_key_state_name(enum dkim_key_state s)
{
	static const char *const names[] = {"not-asked", "ok",           "weak",    "revoked",
					    "syntax",    "unknown-type", "missing", "dns-error"};

	return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

const char *dkim_key_type_name(enum dkim_key_type t)
{
	static const char *const names[] = {NULL, "rsa", "ed25519", "other"};

	return (size_t)t < sizeof(names) / sizeof(names[0]) ? names[t] : NULL;
}

/* ---- key records ---- */

bool dkim_txt_is_candidate(const char *txt)
{
	const char *p = txt;

	if (!p)
		return false;
	while (taglist_ws(*p))
		p++;
	if (*p != 'v')
		return true;
	p++;
	while (taglist_ws(*p))
		p++;
	if (*p != '=')
		return true; /* a tag named "v..." other than v: not a v= tag */
	p++;
	while (taglist_ws(*p))
		p++;
	if (strncmp(p, "DKIM1", 5) != 0)
		return false;
	p += 5;
	while (taglist_ws(*p))
		p++;
	return *p == '\0' || *p == ';';
}

/* hyphenated-word = ALPHA [ *(ALPHA / DIGIT / "-") (ALPHA / DIGIT) ] */
static bool dkim_hyph_word(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (i = 1; i < n; i++)
		if (!txt_alnum(s[i]) && !(s[i] == '-' && i + 1 < n))
			return false;
	return true;
}

static int dkim_word_item(const char *s, size_t n, size_t k, void *arg, char *why, size_t whylen)
{
	const char *tag = arg;

	if (dkim_hyph_word(s, n) || (tag[0] == 's' && n == 1 && s[0] == '*'))
		return 0;
	txt_why(why, whylen, "%s: item %zu is not a word", tag, k);
	return -1;
}

static int dkim_t_item(const char *s, size_t n, size_t k, void *arg, char *why, size_t whylen)
{
	struct dkim_key *key = arg;

	if (dkim_word_item(s, n, k, (void *)"t", why, whylen) < 0)
		return -1;
	if (n == 1 && s[0] == 'y')
		key->testing = true;
	if (n == 1 && s[0] == 's')
		key->strict = true;
	return 0;
}

/* Copy a value for evidence: printable ASCII, cut to outlen - 1. */
static void dkim_keep(char *out, size_t outlen, const char *v, size_t n)
{
	(void)str_sanitise(out, outlen, v, n);
}

static bool dkim_b64char(char c) { return txt_alnum(c) || c == '+' || c == '/'; }

/*
 * Decode p= (whitespace allowed anywhere, RFC 6376 §3.6.1) into der
 * (dersize bytes). Returns the decoded length, or -1 with why.
 */
static long dkim_b64_decode(const char *v, size_t n, unsigned char *der, size_t dersize, char *why,
			    size_t whylen)
{
	char b64[DKIM_P_MAX + 1];
	size_t len = 0, i, pad = 0;
	int out;

	for (i = 0; i < n; i++) {
		char c = v[i];

		if (taglist_ws(c))
			continue;
		if (c == '=') {
			pad++;
		} else if (!dkim_b64char(c) || pad > 0) {
			txt_why(why, whylen, "p: not base64");
			return -1;
		}
		if (len >= DKIM_P_MAX) {
			txt_why(why, whylen, "p: longer than %d base64 characters", DKIM_P_MAX);
			return -1;
		}
		b64[len++] = c;
	}
	if (len % 4 != 0 || pad > 2) {
		txt_why(why, whylen, "p: not base64 (length or padding)");
		return -1;
	}
	if (len / 4 * 3 > dersize) {
		txt_why(why, whylen, "p: too long");
		return -1;
	}
	b64[len] = '\0';
	out = EVP_DecodeBlock(der, (const unsigned char *)b64, (int)len);
	if (out < 0 || (size_t)out < pad) {
		txt_why(why, whylen, "p: not base64");
		return -1;
	}
	return (long)((size_t)out - pad);
}

/* An RSA public key in der: SPKI (what everyone publishes) or a bare
 * PKCS#1 RSAPublicKey (RFC 6376 §3.6.1's literal reading). */
static int dkim_rsa_bits(const unsigned char *der, long len, struct dkim_key *k)
{
	const unsigned char *q = der;
	EVP_PKEY *pk = d2i_PUBKEY(NULL, &q, len);
	int rc = -1;

	if (pk && q == der + len) {
		k->spki = true;
	} else {
		EVP_PKEY_free(pk);
		q = der;
		pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, len);
		if (pk && q != der + len) {
			EVP_PKEY_free(pk);
			pk = NULL;
		}
	}
	if (!pk) {
		txt_why(k->why, sizeof(k->why), "p: not a DER public key");
		goto out;
	}
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA) {
		txt_why(k->why, sizeof(k->why), "p: k=rsa but the key is not an RSA key");
		goto out;
	}
	k->bits = EVP_PKEY_get_bits(pk);
	if (k->bits <= 0) {
		txt_why(k->why, sizeof(k->why), "p: RSA key of unknown size");
		goto out;
	}
	rc = 0;
out:
	EVP_PKEY_free(pk);
	ERR_clear_error(); /* a refused key is a finding, not an OpenSSL error */
	return rc;
}

enum dkim_tag { KT_V, KT_H, KT_K, KT_N, KT_P, KT_S, KT_T, KT_COUNT };
static const char *const dkim_tag_names[KT_COUNT] = {"v", "h", "k", "n", "p", "s", "t"};

static int dkim_key_fail(struct dkim_key *k)
{
	k->state = DKIM_KEY_SYNTAX;
	if (!k->why[0])
		txt_why(k->why, sizeof(k->why), "syntax error");
	return -1;
}

int dkim_key_parse(const char *txt, struct dkim_key *k)
{
	unsigned char der[DKIM_P_MAX / 4 * 3 + 3];
	const char *pval = NULL;
	size_t plen = 0;
	struct taglist tl;
	struct taglist_tag t;
	unsigned seen = 0;
	long dlen;
	int rc, i;

	memset(k, 0, sizeof(*k));
	if (!txt)
		return dkim_key_fail(k);
	k->type = DKIM_KEY_RSA;
	(void)snprintf(k->k, sizeof(k->k), "rsa");
	taglist_init(&tl, txt);
	while ((rc = taglist_next(&tl, &t, k->why, sizeof(k->why))) == 1) {
		for (i = 0; i < KT_COUNT; i++)
			if (taglist_is(&t, dkim_tag_names[i], false))
				break;
		if (i == KT_COUNT)
			continue; /* unknown tags are ignored (§3.2) */
		if (seen & (1u << i)) {
			txt_why(k->why, sizeof(k->why), "%s: tag appears more than once",
				dkim_tag_names[i]);
			return dkim_key_fail(k);
		}
		seen |= 1u << i;
		switch (i) {
		case KT_V:
			if (t.index != 1) {
				txt_why(k->why, sizeof(k->why), "v: must be the first tag");
				return dkim_key_fail(k);
			}
			if (t.vlen != 5 || memcmp(t.val, "DKIM1", 5) != 0) {
				txt_why(k->why, sizeof(k->why), "v: not DKIM1");
				return dkim_key_fail(k);
			}
			break;
		case KT_H:
		case KT_S:
			if (taglist_split(t.val, t.vlen, ':', dkim_word_item,
					  (void *)dkim_tag_names[i], dkim_tag_names[i], k->why,
					  sizeof(k->why)) < 0)
				return dkim_key_fail(k);
			dkim_keep(i == KT_H ? k->h : k->s, sizeof(k->h), t.val, t.vlen);
			break;
		case KT_K:
			if (!dkim_hyph_word(t.val, t.vlen)) {
				txt_why(k->why, sizeof(k->why), "k: not a key type word");
				return dkim_key_fail(k);
			}
			dkim_keep(k->k, sizeof(k->k), t.val, t.vlen);
			if (t.vlen == 3 && memcmp(t.val, "rsa", 3) == 0)
				k->type = DKIM_KEY_RSA;
			else if (t.vlen == 7 && memcmp(t.val, "ed25519", 7) == 0)
				k->type = DKIM_KEY_ED25519;
			else
				k->type = DKIM_KEY_OTHER;
			break;
		case KT_T:
			if (taglist_split(t.val, t.vlen, ':', dkim_t_item, k, "t", k->why,
					  sizeof(k->why)) < 0)
				return dkim_key_fail(k);
			break;
		case KT_P:
			pval = t.val;
			plen = t.vlen;
			break;
		default: /* n: notes, free text */
			break;
		}
	}
	if (rc < 0)
		return dkim_key_fail(k);
	if (!(seen & (1u << KT_P))) {
		txt_why(k->why, sizeof(k->why), "p: required tag is missing");
		return dkim_key_fail(k);
	}
	if (plen == 0) {
		k->state = DKIM_KEY_REVOKED;
		return 0;
	}
	dlen = dkim_b64_decode(pval, plen, der, sizeof(der), k->why, sizeof(k->why));
	if (dlen < 0)
		return dkim_key_fail(k);
	switch (k->type) {
	case DKIM_KEY_RSA:
		if (dlen == 0 || dkim_rsa_bits(der, dlen, k) < 0)
			return dkim_key_fail(k);
		k->state = k->bits < DKIM_RSA_MIN_BITS ? DKIM_KEY_WEAK : DKIM_KEY_OK;
		return 0;
	case DKIM_KEY_ED25519:
		if (dlen != 32) {
			txt_why(k->why, sizeof(k->why),
				"p: an Ed25519 key is 32 bytes, this one %ld", dlen);
			return dkim_key_fail(k);
		}
		k->bits = 256;
		k->state = DKIM_KEY_OK;
		return 0;
	default:
		k->state = DKIM_KEY_TYPE_UNKNOWN;
		return 0;
	}
}

/* ---- selectors ---- */

int dkim_selector_init(struct dkim_selector *s, const char *selector, const char *domain)
{
	int w;

	memset(s, 0, sizeof(*s));
	if (!selector || !domain || str_copy(s->selector, sizeof(s->selector), selector) < 0)
		return -1;
	w = snprintf(s->name, sizeof(s->name), "%s._domainkey.%s", selector, domain);
	if (w < 0 || (size_t)w >= sizeof(s->name) || w > 253) {
		s->name[0] = '\0';
		return -1;
	}
	return 0;
}

void dkim_selector_clear(struct dkim_selector *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < DKIM_RECORDS_KEEP; i++) {
		free(s->records[i]);
		s->records[i] = NULL;
	}
	s->nrecords = 0;
	memset(&s->key, 0, sizeof(s->key));
}

int dkim_selector_set_txt(struct dkim_selector *s, const char *const *txt, size_t n)
{
	size_t i, first = 0;

	dkim_selector_clear(s);
	for (i = 0; i < n; i++) {
		size_t len;
		char *copy;

		if (!txt[i] || !dkim_txt_is_candidate(txt[i]))
			continue;
		if (s->nrecords == 0)
			first = i;
		if (s->nrecords < DKIM_RECORDS_KEEP) {
			len = strnlen(txt[i], DKIM_RECORD_LEN);
			copy = malloc(len + 1);
			if (!copy) {
				dkim_selector_clear(s);
				s->key.state = DKIM_KEY_DNS_ERROR;
				return -1;
			}
			memcpy(copy, txt[i], len);
			copy[len] = '\0';
			s->records[s->nrecords] = copy;
		}
		s->nrecords++;
	}
	if (s->nrecords == 0)
		s->key.state = DKIM_KEY_MISSING;
	else
		(void)dkim_key_parse(txt[first], &s->key); /* the state says it all */
	return 0;
}

void dkim_selector_set_status(struct dkim_selector *s, enum dns_status st)
{
	dkim_selector_clear(s);
	s->key.state = (st == DNS_OK || st == DNS_NXDOMAIN) ? DKIM_KEY_MISSING : DKIM_KEY_DNS_ERROR;
}

/* ---- verdict ---- */

static void dkim_reason(struct dkim_judgment *j, enum verdict v, enum reason code)
{
	static const int rank[] = {[VERDICT_NONE] = 0, [VERDICT_PASS] = 1, [VERDICT_WARN] = 2,
				   [VERDICT_FAIL] = 3, [VERDICT_NA] = 0,   [VERDICT_ERROR] = 4};
	size_t i;

	if (v != VERDICT_NONE && rank[v] > rank[j->v])
		j->v = v;
	for (i = 0; i < j->nreasons; i++)
		if (j->reasons[i] == code)
			return;
	if (j->nreasons < DKIM_REASONS_MAX)
		j->reasons[j->nreasons++] = code;
}

void dkim_judge(enum dkim_presence p, const struct dkim_selector *sel, size_t n,
		struct dkim_judgment *j)
{
	size_t i;

	memset(j, 0, sizeof(*j));
	j->v = VERDICT_PASS;
	if (p == DKIM_NOT_IN_USE) {
		dkim_reason(j, VERDICT_FAIL, R_DKIM_NONE);
		return;
	}
	if (p != DKIM_IN_USE) {
		dkim_reason(j, VERDICT_ERROR, R_DKIM_DNS_ERROR);
		return;
	}
	for (i = 0; sel && i < n; i++) {
		const struct dkim_key *k = &sel[i].key;

		switch (k->state) {
		case DKIM_KEY_WEAK:
			dkim_reason(j, VERDICT_FAIL, R_DKIM_KEY_WEAK);
			break;
		case DKIM_KEY_SYNTAX:
			dkim_reason(j, VERDICT_FAIL, R_DKIM_KEY_SYNTAX);
			break;
		case DKIM_KEY_REVOKED:
			dkim_reason(j, VERDICT_WARN, R_DKIM_KEY_REVOKED);
			break;
		case DKIM_KEY_TYPE_UNKNOWN:
			dkim_reason(j, VERDICT_WARN, R_DKIM_KEY_UNKNOWN_TYPE);
			break;
		case DKIM_KEY_MISSING:
			dkim_reason(j, VERDICT_WARN, R_DKIM_KEY_MISSING);
			break;
		case DKIM_KEY_DNS_ERROR:
			dkim_reason(j, VERDICT_NONE, R_DKIM_KEY_UNVERIFIED);
			break;
		default:
			break;
		}
		if (k->testing)
			dkim_reason(j, VERDICT_NONE, R_DKIM_KEY_TESTING);
	}
}

/* ---- evidence ---- */

void dkim_evidence_json(struct json *j, const char *domain, enum dkim_presence p,
			const struct dkim_selector *sel, size_t n)
{
	char name[DNS_NAME_MAX + 16];
	size_t i, r;

	(void)snprintf(name, sizeof(name), "_domainkey.%s", domain ? domain : "");
	json_obj_open(j);
	json_kstr(j, "domainkey_name", name);
	json_kstr(j, "domainkey", dkim_presence_name(p));
	json_key(j, "selectors");
	json_arr_open(j);
	for (i = 0; sel && i < n; i++) {
		const struct dkim_selector *s = &sel[i];

		json_obj_open(j);
		json_kstr(j, "selector", s->selector);
		json_kstr(j, "name", s->name);
		json_kstr(j, "state", dkim_key_state_name(s->key.state));
		json_kint(j, "count", (long long)s->nrecords);
		json_key(j, "records");
		json_arr_open(j);
		for (r = 0; r < s->nrecords && r < DKIM_RECORDS_KEEP; r++)
			json_str(j, s->records[r]);
		json_arr_close(j);
		if (s->nrecords > 0 && s->key.state != DKIM_KEY_SYNTAX) {
			json_kstr(j, "k", s->key.k);
			json_kstr(j, "key_type", dkim_key_type_name(s->key.type));
			json_kint(j, "bits", s->key.bits);
			if (s->key.type == DKIM_KEY_RSA && s->key.bits)
				json_kstr(j, "encoding", s->key.spki ? "spki" : "pkcs1");
			json_kbool(j, "testing", s->key.testing);
			json_kbool(j, "strict", s->key.strict);
			json_kstr(j, "h", s->key.h[0] ? s->key.h : NULL);
			json_kstr(j, "s", s->key.s[0] ? s->key.s : NULL);
		}
		if (s->key.state == DKIM_KEY_SYNTAX)
			json_kstr(j, "error", s->key.why);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

/* ---- --dkim-selectors ---- */

void dkim_selectors_free(struct dkim_selectors *s)
{
	if (!s)
		return;
	free(s->e);
	memset(s, 0, sizeof(*s));
}

/* sub-domain *("." sub-domain), '_' tolerated like in host names here */
static bool dkim_selector_ok(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > DKIM_SEL_LEN)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if (txt_alnum(c) || c == '_' || (c == '-' && label > 0)) {
			label++;
		} else {
			return false;
		}
	}
	return label > 0 && s[n - 1] != '-';
}

static int dkim_entry_cmp(const void *a, const void *b)
{
	const struct dkim_sel_entry *x = a, *y = b;
	int c = strcmp(x->domain, y->domain);

	if (c)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int dkim_sel_add(struct dkim_sel_entry *e, const char *sel, char *err, size_t errlen,
			const char *fname, unsigned long line)
{
	size_t i;

	for (i = 0; i < e->nsel; i++)
		if (strcmp(e->sel[i], sel) == 0)
			return 0;
	if (e->nsel >= DKIM_SEL_MAX) {
		txt_why(err, errlen, "%s:%lu: more than %d selectors for %s", fname, line,
			DKIM_SEL_MAX, e->domain);
		return -1;
	}
	(void)str_copy(e->sel[e->nsel++], sizeof(e->sel[0]), sel);
	return 0;
}

/* One line (no '\n', NUL-free, len <= DKIM_LINE_MAX) into e; 1 entry,
 * 0 blank or comment, -1 error. */
static int dkim_sel_line(const char *p, size_t len, struct dkim_sel_entry *e, const char *fname,
			 unsigned long line, char *err, size_t errlen)
{
	char tok[DKIM_LINE_MAX + 1], sel[DKIM_SEL_LEN + 1];
	const char *hash = memchr(p, '#', len), *why;
	size_t a, b, s, dn;
	char key[DNS_NAME_MAX + 1];

	if (hash)
		len = (size_t)(hash - p);
	while (len > 0 && taglist_ws(p[len - 1]))
		len--;
	for (a = 0; a < len && taglist_ws(p[a]); a++)
		;
	if (a == len)
		return 0;
	for (b = a; b < len && !taglist_ws(p[b]); b++)
		;
	memset(e, 0, sizeof(*e));
	e->line = line;
	dn = b - a;
	memcpy(tok, p + a, dn);
	tok[dn] = '\0';
	if (str_domain_normalise(tok, e->domain, sizeof(e->domain), &why) < 0) {
		txt_why(err, errlen, "%s:%lu: bad domain: %s", fname, line, why ? why : "?");
		return -1;
	}
	while (b < len && taglist_ws(p[b]))
		b++;
	if (b == len) {
		txt_why(err, errlen, "%s:%lu: no selectors after the domain", fname, line);
		return -1;
	}
	for (s = b; s <= len; s++) {
		size_t n, i;

		if (s < len && p[s] != ',') {
			if (taglist_ws(p[s])) {
				txt_why(err, errlen,
					"%s:%lu: selectors are separated by ',' without spaces",
					fname, line);
				return -1;
			}
			continue;
		}
		n = s - b;
		if (!dkim_selector_ok(p + b, n)) {
			txt_why(err, errlen,
				"%s:%lu: bad selector (letters, digits, '-', '_', "
				"'.'; 1-%d characters)",
				fname, line, DKIM_SEL_LEN);
			return -1;
		}
		for (i = 0; i < n; i++)
			sel[i] = (char)((p[b + i] >= 'A' && p[b + i] <= 'Z') ? p[b + i] - 'A' + 'a'
									     : p[b + i]);
		sel[n] = '\0';
		if (snprintf(key, sizeof(key), "%s._domainkey.%s", sel, e->domain) > 253) {
			txt_why(err, errlen, "%s:%lu: selector %s makes a name over 253 characters",
				fname, line, sel);
			return -1;
		}
		if (dkim_sel_add(e, sel, err, errlen, fname, line) < 0)
			return -1;
		b = s + 1;
	}
	return 1;
}

int dkim_selectors_parse(const char *buf, size_t len, const char *fname, struct dkim_selectors *out,
			 char *err, size_t errlen)
{
	const char *p = buf, *end = buf + len, *nul = memchr(buf, '\0', len);
	unsigned long line = 0;
	size_t i, w;

	memset(out, 0, sizeof(*out));
	if (!fname)
		fname = "dkim-selectors";
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct dkim_sel_entry e;
		int rc;

		line++;
		if (nul && nul >= p && nul < p + n + (nl ? 1 : 0)) {
			txt_why(err, errlen, "%s:%lu: NUL byte", fname, line);
			goto fail;
		}
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > DKIM_LINE_MAX) {
			txt_why(err, errlen, "%s:%lu: line longer than %d characters", fname, line,
				DKIM_LINE_MAX);
			goto fail;
		}
		rc = dkim_sel_line(p, n, &e, fname, line, err, errlen);
		if (rc < 0)
			goto fail;
		if (rc > 0) {
			if (out->n == out->cap) {
				size_t cap = out->cap ? out->cap * 2 : 16;
				struct dkim_sel_entry *ne = realloc(out->e, cap * sizeof(*ne));

				if (!ne) {
					txt_why(err, errlen, "%s:%lu: out of memory", fname, line);
					goto fail;
				}
				out->e = ne;
				out->cap = cap;
			}
			out->e[out->n++] = e;
		}
		p = nl ? nl + 1 : end;
	}
	if (out->n > 1)
		qsort(out->e, out->n, sizeof(out->e[0]), dkim_entry_cmp);
	/* merge the lines of one domain, in file order */
	for (i = 0, w = 0; i < out->n; i++) {
		size_t k;

		if (w > 0 && strcmp(out->e[w - 1].domain, out->e[i].domain) == 0) {
			for (k = 0; k < out->e[i].nsel; k++)
				if (dkim_sel_add(&out->e[w - 1], out->e[i].sel[k], err, errlen,
						 fname, out->e[i].line) < 0)
					goto fail;
			continue;
		}
		if (w != i)
			out->e[w] = out->e[i];
		w++;
	}
	out->n = w;
	return 0;
fail:
	dkim_selectors_free(out);
	return -1;
}

int dkim_selectors_load(const char *path, struct dkim_selectors *out, char *err, size_t errlen)
{
	FILE *f = NULL;
	char *buf = NULL;
	size_t len = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	f = fopen(path, "rb");
	if (!f) {
		txt_why(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	buf = malloc((size_t)DKIM_FILE_MAX + 1);
	if (!buf) {
		txt_why(err, errlen, "%s: out of memory", path);
		goto out;
	}
	len = fread(buf, 1, (size_t)DKIM_FILE_MAX + 1, f);
	if (ferror(f)) {
		txt_why(err, errlen, "%s: read error", path);
		goto out;
	}
	if (len > (size_t)DKIM_FILE_MAX) {
		txt_why(err, errlen, "%s: larger than %ld bytes", path, DKIM_FILE_MAX);
		goto out;
	}
	rc = dkim_selectors_parse(buf, len, path, out, err, errlen);
out:
	free(buf);
	if (f && fclose(f) != 0 && rc == 0) {
		txt_why(err, errlen, "%s: close failed", path);
		dkim_selectors_free(out);
		rc = -1;
	}
	return rc;
}

const struct dkim_sel_entry *dkim_selectors_find(const struct dkim_selectors *s, const char *domain)
{
	size_t lo = 0, hi;

	if (!s || !domain)
		return NULL;
	hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(domain, s->e[mid].domain);

		if (c == 0)
			return &s->e[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}
