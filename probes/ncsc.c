/*
 * ncsc.c - the tls_ncsc probe's plan (which handshake next), the record of
 * what the handshakes showed, and the OpenSSL helpers of the runner. See
 * ncsc.h for the search strategy; the classes come from ncsc_table.c.
 */
#include "ncsc.h"

#include <openssl/comp.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/str.h"

/* Every TLS 1.3 suite OpenSSL implements (the default list lacks the CCM ones). */
#define NCSC_TLS13_ALL                                                                             \
	"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:"              \
	"TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256"

/* Curves a server should not accept (phase-out or insufficient), offered
 * alone in one ECDHE handshake. */
#define NCSC_WEAK_GROUPS                                                                           \
	"secp224r1:secp192r1:secp256k1:secp224k1:secp192k1:secp160r1:secp160r2:secp160k1:"         \
	"sect163k1:sect163r1:sect163r2:sect193r1:sect193r2:sect233k1:sect233r1:sect239k1:"         \
	"sect283k1:sect283r1:sect409k1:sect409r1:sect571k1:sect571r1"

/* TLS 1.3 groups by class (ncsc_table.c), each offered alone in one handshake. */
#define NCSC_GROUPS13_INSUFFICIENT "ffdhe2048"
#define NCSC_GROUPS13_PHASE_OUT "ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192"

/* TLS 1.2 signature algorithms by hash class, each offered alone. */
#define NCSC_SIGALGS_SHA1 "RSA+SHA1:ECDSA+SHA1:DSA+SHA1"
#define NCSC_SIGALGS_SHA224 "RSA+SHA224:ECDSA+SHA224:DSA+SHA224"

enum ncsc_phase {
	PH_VERSIONS,
	PH_SUITES,
	PH_RAW,
	PH_COMPRESSION,
	PH_ORDER_A,
	PH_ORDER_B,
	PH_GROUPS,
	PH_GROUPS13_INSUFFICIENT,
	PH_GROUPS13_PHASE_OUT,
	PH_SIGALGS_SHA1,
	PH_SIGALGS_SHA224,
	PH_END
};

/* What the attempt in flight is for (ncsc_plan.phase is already past it). */
enum ncsc_kind {
	K_VERSION,
	K_SEARCH,
	K_RAW,
	K_COMPRESSION,
	K_ORDER,
	K_ORDER_ROUND,
	K_ORDER_CONFIRM,
	K_GROUPS,
	K_SIGALGS
};

/* The stages of the order check (ncsc_plan.order_stage). */
enum ncsc_order_stage { ORD_INIT = 0, ORD_ROUND, ORD_CONFIRM, ORD_DONE };

static const int ncsc_versions[NCSC_VERSIONS] = {SSL3_VERSION, TLS1_VERSION, TLS1_1_VERSION,
						 TLS1_2_VERSION, TLS1_3_VERSION};

/* The suite searches: at these versions, these classes, in this order. */
static const int ncsc_search_versions[] = {NCSC_TLS13, NCSC_TLS12};
static const enum ncsc_class ncsc_search_classes[] = {NCSC_INSUFFICIENT, NCSC_PHASE_OUT,
						      NCSC_SUFFICIENT, NCSC_GOOD};

#define NCSC_NSEARCHV (sizeof(ncsc_search_versions) / sizeof(ncsc_search_versions[0]))
#define NCSC_NSEARCHC (sizeof(ncsc_search_classes) / sizeof(ncsc_search_classes[0]))

/* ---- names ---- */

int ncsc_version_of(int vidx)
{
	return vidx >= 0 && vidx < NCSC_VERSIONS ? ncsc_versions[vidx] : 0;
}

int ncsc_vidx_of(int version)
{
	int i;

	for (i = 0; i < NCSC_VERSIONS; i++)
		if (ncsc_versions[i] == version)
			return i;
	return -1;
}

const char *ncsc_version_name(int version)
{
	switch (version) {
	case SSL3_VERSION:
		return "SSLv3";
	case TLS1_VERSION:
		return "TLSv1.0";
	case TLS1_1_VERSION:
		return "TLSv1.1";
	case TLS1_2_VERSION:
		return "TLSv1.2";
	case TLS1_3_VERSION:
		return "TLSv1.3";
	default:
		return "";
	}
}

const char *ncsc_vstate_name(enum ncsc_vstate s)
{
	static const char *const names[] = {"unknown", "accepted", "refused", "untestable"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

const char *ncsc_aspect_name(enum ncsc_aspect a)
{
	static const char *const names[] = {"version",
					    "cipher",
					    "cipher-order",
					    "key-exchange",
					    "cert-key",
					    "cert-signature",
					    "compression",
					    "renegotiation",
					    "extended-master-secret",
					    "key-exchange-signature"};

	return (unsigned)a < sizeof(names) / sizeof(names[0]) ? names[a] : "unknown";
}

const char *ncsc_state_name(enum ncsc_state s)
{
	return s == NCSC_DONE ? "done" : s == NCSC_INCOMPLETE ? "incomplete" : "running";
}

const char *ncsc_reneg_name(enum ncsc_reneg s)
{
	static const char *const names[] = {"not-tested", "allowed", "refused", "not-applicable"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "not-tested";
}

const char *ncsc_step_name(enum ncsc_step s)
{
	static const char *const names[] = {"version", "suites", "legacy-suites", "compression",
					    "order",   "groups", "groups-tls13",  "signature-hash"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

const char *ncsc_res_name(enum ncsc_res r)
{
	static const char *const names[] = {"ok", "refused", "choked", "unreached", "local"};

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "unknown";
}

static void ncsc_family_name(unsigned family, char *buf, size_t len)
{
	static const char *const kx[] = {"ECDHE", "DHE", "RSA key exchange", "anonymous", "other"};
	static const char *const bulk[] = {"AEAD", "CBC", "NULL cipher"};

	if (family >= 1000)
		(void)str_copy(buf, len, "TLS 1.3");
	else
		(void)snprintf(buf, len, "%s, %s", kx[(family / 8) % 5], bulk[(family % 8) % 3]);
}

/* ---- sets ---- */

void ncsc_set_add(struct ncsc_set *s, size_t i)
{
	if (i < NCSC_SUITES_MAX)
		s->w[i / 64] |= (uint64_t)1 << (i % 64);
}

static void ncsc_set_del(struct ncsc_set *s, size_t i)
{
	if (i < NCSC_SUITES_MAX)
		s->w[i / 64] &= ~((uint64_t)1 << (i % 64));
}

bool ncsc_set_has(const struct ncsc_set *s, size_t i)
{
	return i < NCSC_SUITES_MAX && (s->w[i / 64] >> (i % 64)) & 1;
}

size_t ncsc_set_count(const struct ncsc_set *s)
{
	size_t i, n = 0;

	for (i = 0; i < NCSC_SUITES_MAX; i++)
		n += ncsc_set_has(s, i);
	return n;
}

/* The suites of cat offerable at version index vi; cls < 0: every class,
 * else that class only. */
static struct ncsc_set ncsc_suites_at(const struct ncsc_catalogue *cat, int vi, int cls)
{
	struct ncsc_set s;
	int v = ncsc_version_of(vi);
	size_t i;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < cat->n; i++)
		if (cat->s[i].minv <= v && v <= cat->s[i].maxv &&
		    (cls < 0 || (int)cat->s[i].cls == cls))
			ncsc_set_add(&s, i);
	return s;
}

/* ---- the catalogue ---- */

int ncsc_catalogue_add(struct ncsc_catalogue *cat, const char *ossl, const char *iana,
		       uint16_t code, int minv, int maxv, enum ncsc_kx kx, enum ncsc_bulk bulk)
{
	struct ncsc_suite *s;

	if (cat->n >= NCSC_SUITES_MAX)
		return -1;
	s = &cat->s[cat->n];
	memset(s, 0, sizeof(*s));
	(void)str_copy(s->ossl, sizeof(s->ossl), ossl);
	(void)str_copy(s->iana, sizeof(s->iana), iana);
	s->minv = minv;
	s->maxv = maxv;
	s->code = code;
	s->cls = ncsc_suite_class(iana, NULL);
	s->ecdhe = kx == NCSC_KX_ECDHE;
	/* TLS 1.3 suites: one family each (the key exchange is not part of them) */
	s->family =
	    minv >= TLS1_3_VERSION ? 1000 + (unsigned)cat->n : (unsigned)kx * 8 + (unsigned)bulk;
	return (int)cat->n++;
}

void ncsc_catalogue_raw(struct ncsc_catalogue *cat)
{
	size_t i;

	cat->raw = 0;
	for (i = 0; i < ncsc_nraw_suites; i++)
		if (ncsc_catalogue_find(cat, ncsc_raw_suites[i].iana) < 0)
			cat->raw |= (uint64_t)1 << i;
}

int ncsc_catalogue_find(const struct ncsc_catalogue *cat, const char *name)
{
	size_t i;

	if (!name || !name[0])
		return -1;
	for (i = 0; i < cat->n; i++)
		if (strcmp(cat->s[i].iana, name) == 0 || strcmp(cat->s[i].ossl, name) == 0)
			return (int)i;
	return -1;
}

static int ncsc_min_version(const char *v)
{
	if (strcmp(v, "TLSv1.3") == 0)
		return TLS1_3_VERSION;
	if (strcmp(v, "TLSv1.2") == 0)
		return TLS1_2_VERSION;
	if (strcmp(v, "SSLv3") == 0)
		return SSL3_VERSION;
	return TLS1_VERSION;
}

int ncsc_catalogue_load(struct ncsc_catalogue *cat, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = NULL;
	STACK_OF(SSL_CIPHER) *sk = NULL;
	STACK_OF(SSL_COMP) * comp;
	int i, rc = -1;

	memset(cat, 0, sizeof(*cat));
	if (!ctx)
		goto out;
	SSL_CTX_set_security_level(ctx, 0);
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, "ALL:COMPLEMENTOFALL:@SECLEVEL=0") ||
	    !SSL_CTX_set_ciphersuites(ctx, NCSC_TLS13_ALL))
		goto out;
	ssl = SSL_new(ctx);
	if (!ssl)
		goto out;
	sk = SSL_get1_supported_ciphers(ssl); /* what a ClientHello would carry */
	if (!sk)
		goto out;
	for (i = 0; i < sk_SSL_CIPHER_num(sk); i++) {
		const SSL_CIPHER *c = sk_SSL_CIPHER_value(sk, i);
		const char *iana = SSL_CIPHER_standard_name(c);
		int kxn = SSL_CIPHER_get_kx_nid(c),
		    minv = ncsc_min_version(SSL_CIPHER_get_version(c));
		enum ncsc_kx kx = kxn == NID_kx_ecdhe ? NCSC_KX_ECDHE
				  : kxn == NID_kx_dhe ? NCSC_KX_DHE
				  : kxn == NID_kx_rsa ? NCSC_KX_RSA
						      : NCSC_KX_OTHER;
		enum ncsc_bulk bulk = SSL_CIPHER_get_cipher_nid(c) == NID_undef ? NCSC_BULK_NULL
				      : SSL_CIPHER_is_aead(c)                   ? NCSC_BULK_AEAD
										: NCSC_BULK_CBC;

		if (!iana)
			continue;
		if (SSL_CIPHER_get_auth_nid(c) == NID_auth_null)
			kx = NCSC_KX_ANON;
		if (ncsc_catalogue_add(cat, SSL_CIPHER_get_name(c), iana,
				       (uint16_t)SSL_CIPHER_get_protocol_id(c), minv,
				       minv >= TLS1_3_VERSION ? TLS1_3_VERSION : TLS1_2_VERSION, kx,
				       bulk) < 0)
			break;
	}
	ncsc_catalogue_raw(cat);
#ifndef OPENSSL_NO_SSL3
	cat->ssl3 = true;
#endif
	comp = SSL_COMP_get_compression_methods();
	cat->compression = comp && sk_SSL_COMP_num(comp) > 0;
	rc = cat->n > 0 ? 0 : -1;
out:
	if (rc < 0)
		(void)snprintf(err, errlen, "OpenSSL: cannot list the cipher suites for tls_ncsc");
	sk_SSL_CIPHER_free(sk);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

/* ---- recording ---- */

static void ncsc_put(struct ncsc_item *arr, size_t *n, bool *capped, enum ncsc_aspect a,
		     enum ncsc_class c, int version, const char *item, const char *detail,
		     const char *ref)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (arr[i].aspect == a && arr[i].version == version &&
		    strcmp(arr[i].item, item) == 0)
			return;
	if (*n >= NCSC_ITEMS_MAX) {
		if (capped)
			*capped = true;
		return;
	}
	memset(&arr[*n], 0, sizeof(arr[*n]));
	arr[*n].aspect = a;
	arr[*n].cls = c;
	arr[*n].version = version;
	(void)str_copy(arr[*n].item, sizeof(arr[*n].item), item);
	(void)str_copy(arr[*n].detail, sizeof(arr[*n].detail), detail ? detail : "");
	arr[*n].ref = ref;
	(*n)++;
}

/* A seen item, and a finding when it is phase-out or worse. */
static void ncsc_note(struct ncsc_result *r, enum ncsc_aspect a, enum ncsc_class c, int version,
		      const char *item, const char *detail, const char *ref, bool seen)
{
	if (seen)
		ncsc_put(r->seen, &r->nseen, NULL, a, c, version, item, detail, ref);
	if (c >= NCSC_PHASE_OUT)
		ncsc_put(r->find, &r->nfind, &r->find_capped, a, c, version, item, detail, ref);
}

static void ncsc_incomplete(struct ncsc_result *r, const char *why)
{
	r->state = NCSC_INCOMPLETE;
	if (!r->note[0])
		(void)str_copy(r->note, sizeof(r->note), why);
}

/* The ncsc_raw_suites row of an IANA name, -1 when not there. */
static int ncsc_raw_index(const char *iana)
{
	size_t i;

	for (i = 0; i < ncsc_nraw_suites; i++)
		if (strcmp(ncsc_raw_suites[i].iana, iana) == 0)
			return (int)i;
	return -1;
}

/* What a successful handshake showed. */
static void ncsc_record(struct ncsc_plan *p, const struct tls_facts *f)
{
	struct ncsc_result *r = p->r;
	int vi = ncsc_vidx_of(f->version), idx, ri;
	const char *ref;
	enum ncsc_class c;
	char detail[112], name[64], fam[40];

	if (vi < 0)
		return;
	r->version[vi] = NCSC_V_ACCEPTED;
	if (f->suite[0]) {
		idx = ncsc_catalogue_find(p->cat, f->suite);
		if (idx < 0)
			idx = ncsc_catalogue_find(p->cat, f->suite_ossl);
		if (idx >= 0)
			ncsc_set_add(&p->acc[vi], (size_t)idx);
		c = ncsc_suite_class(f->suite, &ref);
		if (idx >= 0)
			ncsc_family_name(p->cat->s[idx].family, fam, sizeof(fam));
		else if ((ri = ncsc_raw_index(f->suite)) >= 0)
			(void)snprintf(fam, sizeof(fam), "%s",
				       ncsc_raw_family_name(ncsc_raw_suites[ri].family));
		else
			(void)str_copy(fam, sizeof(fam), "not offered by this OpenSSL");
		if (f->suite_ossl[0])
			(void)snprintf(detail, sizeof(detail), "%s (%s)", f->suite_ossl, fam);
		else
			(void)snprintf(detail, sizeof(detail), "%s; chosen in a raw ClientHello",
				       fam);
		ncsc_note(r, NCSC_A_SUITE, c, f->version, f->suite, detail, ref, true);
	}
	if (f->group[0] || f->kx_dh) {
		if (f->group[0])
			(void)str_copy(name, sizeof(name), f->group);
		else
			(void)snprintf(name, sizeof(name), "DH-%d", f->kx_bits);
		c = ncsc_group_class(f->group, f->kx_dh, f->kx_bits, &ref);
		(void)snprintf(detail, sizeof(detail), "%s, %d bits",
			       f->kx_dh ? "finite-field DHE" : "ECDHE", f->kx_bits);
		ncsc_note(r, NCSC_A_KEX, c, f->version, name, detail, ref, true);
	}
	if (f->version == TLS1_2_VERSION && f->ems >= 0)
		r->ems = r->ems == 0 ? 0 : f->ems;
	if (f->version <= TLS1_2_VERSION && f->secure_reneg >= 0)
		r->secure_reneg = r->secure_reneg == 0 ? 0 : f->secure_reneg;
	if (f->compression)
		r->compression = 1;
}

/* The best accepted version below TLS 1.3 (its index), or -1. */
static int ncsc_best_below13(const struct ncsc_plan *p)
{
	int vi;

	for (vi = NCSC_TLS12; vi >= NCSC_TLS10; vi--)
		if (p->r->version[vi] == NCSC_V_ACCEPTED)
			return vi;
	return -1;
}

/* TLS 1.3 accepted, and every version below it refused or untestable
 * (not merely unknown: a probe cut short proves nothing). */
static bool ncsc_only13(const struct ncsc_result *r)
{
	int vi;

	if (r->version[NCSC_TLS13] != NCSC_V_ACCEPTED)
		return false;
	for (vi = NCSC_SSL3; vi < NCSC_TLS13; vi++)
		if (r->version[vi] != NCSC_V_REFUSED && r->version[vi] != NCSC_V_UNTESTABLE)
			return false;
	return true;
}

/* The findings that rest on the whole probe. */
static void ncsc_finish(struct ncsc_plan *p)
{
	struct ncsc_result *r = p->r;
	const char *ref;
	enum ncsc_class c;
	int vi;

	if (p->finished)
		return;
	p->finished = true;
	for (vi = NCSC_TLS13; vi >= 0; vi--) {
		int v = ncsc_version_of(vi);

		if (r->version[vi] != NCSC_V_ACCEPTED)
			continue;
		c = ncsc_version_class(v, &ref);
		/* 2025 lists no phase-out version: anything worse is insufficient */
		ncsc_note(r, NCSC_A_VERSION, c, v, ncsc_version_name(v), "accepted", ref, false);
	}
	if (r->ems == 0)
		ncsc_note(r, NCSC_A_EMS, NCSC_INSUFFICIENT, TLS1_2_VERSION,
			  "extended_master_secret", "a TLS 1.2 handshake without it (RFC 7627)",
			  ncsc_ref_ems, false);
	if (r->secure_reneg == 0)
		ncsc_note(r, NCSC_A_RENEG, NCSC_INSUFFICIENT, 0, "secure_renegotiation",
			  "no renegotiation_info (RFC 5746) from the server",
			  ncsc_ref_renegotiation, false);
	if (r->compression < 0 && ncsc_best_below13(p) < 0 &&
	    r->version[NCSC_TLS13] == NCSC_V_ACCEPTED)
		r->compression = 0; /* TLS 1.3 has no compression */
	if (r->compression == 1)
		ncsc_note(r, NCSC_A_COMPRESSION, NCSC_INSUFFICIENT, 0, "compression",
			  "the server chose TLS compression", ncsc_ref_compression, false);
	if (r->client_reneg == NCSC_RENEG_NOT_TESTED && !p->reneg_tried && ncsc_only13(r))
		r->client_reneg = NCSC_RENEG_NA;
	if (r->state == NCSC_RUNNING)
		r->state = NCSC_DONE;
}

void ncsc_plan_stop(struct ncsc_plan *p, const char *why)
{
	if (p->finished)
		return;
	ncsc_incomplete(p->r, why);
	ncsc_finish(p);
}

bool ncsc_plan_reneg_want(struct ncsc_plan *p, int version)
{
	if (p->finished || p->reneg_tried || version < TLS1_VERSION || version > TLS1_2_VERSION)
		return false;
	/* at TLS 1.2, which a sender uses; an older version only without it */
	if (version != TLS1_2_VERSION && p->r->version[NCSC_TLS12] == NCSC_V_ACCEPTED)
		return false;
	p->reneg_tried = true;
	return true;
}

void ncsc_plan_reneg_result(struct ncsc_plan *p, enum ncsc_reneg res, const char *detail)
{
	if (p->finished)
		return;
	p->r->client_reneg = res == NCSC_RENEG_NA ? NCSC_RENEG_NOT_TESTED : res;
	(void)str_copy(p->r->client_reneg_detail, sizeof(p->r->client_reneg_detail),
		       detail ? detail : "");
}

/* ---- the plan ---- */

void ncsc_plan_init(struct ncsc_plan *p, const struct ncsc_catalogue *cat, struct ncsc_result *r,
		    const struct tls_facts *seed, unsigned max_attempts)
{
	int vi;

	memset(p, 0, sizeof(*p));
	p->cat = cat;
	p->r = r;
	p->max_attempts = max_attempts ? max_attempts : NCSC_ATTEMPTS_MAX;
	r->state = NCSC_RUNNING;
	r->ems = r->secure_reneg = -1;
	r->compression = cat->compression ? 0 : -1;
	r->order = -1;
	r->client_reneg = NCSC_RENEG_NOT_TESTED;
	r->client_reneg_detail[0] = '\0';
	for (vi = 0; vi < NCSC_VERSIONS; vi++)
		r->version[vi] = NCSC_V_UNKNOWN;
	p->phase = PH_VERSIONS;
	p->vi = NCSC_TLS13;
	if (seed && seed->version)
		ncsc_record(p, seed);
}

void ncsc_plan_cert_curve(struct ncsc_plan *p, const char *curve)
{
	/* a weak curve of its own is offered anyway (and judged as the key) */
	if (curve && ncsc_group_class(curve, 0, 0, NULL) == NCSC_GOOD)
		(void)str_copy(p->cert_curve, sizeof(p->cert_curve), curve);
}

static bool ncsc_push(struct ncsc_plan *p, const struct ncsc_set *s, unsigned depth)
{
	if (p->nstack >= NCSC_STACK_MAX)
		return false;
	p->stack[p->nstack].set = *s;
	p->stack[p->nstack].depth = depth;
	p->nstack++;
	return true;
}

/* Hand out attempt a, unless the budget is spent. */
static int ncsc_issue(struct ncsc_plan *p, const struct ncsc_attempt *a, enum ncsc_kind kind,
		      struct ncsc_attempt *out)
{
	char why[80];

	if (p->attempts >= p->max_attempts) {
		(void)snprintf(why, sizeof(why), "the budget of %u handshakes was spent",
			       p->max_attempts);
		ncsc_plan_stop(p, why);
		return 0;
	}
	p->last = *a;
	p->phase_kind = (int)kind;
	*out = *a;
	return 1;
}

static void ncsc_attempt_init(struct ncsc_attempt *a, enum ncsc_step step, int vi)
{
	memset(a, 0, sizeof(*a));
	a->step = step;
	a->version = ncsc_version_of(vi);
}

/* The next version to try, or 0. */
static int ncsc_next_version(struct ncsc_plan *p, struct ncsc_attempt *a)
{
	for (; p->vi >= 0; p->vi--, p->short_v = false) {
		if (p->r->version[p->vi] != NCSC_V_UNKNOWN)
			continue;
		ncsc_attempt_init(a, NCSC_STEP_VERSION, p->vi);
		a->offer = ncsc_suites_at(p->cat, p->vi, -1);
		if (p->short_v) {
			/* it choked on everything: try the suites a sane server would pick */
			struct ncsc_set s = ncsc_suites_at(p->cat, p->vi, NCSC_SUFFICIENT);
			size_t i;

			if (ncsc_set_count(&s) == 0)
				for (i = 0; i < p->cat->n && ncsc_set_count(&s) < 16; i++)
					if (ncsc_set_has(&a->offer, i))
						ncsc_set_add(&s, i);
			a->offer = s;
		}
		if (p->vi == NCSC_SSL3 && !p->cat->ssl3) {
			/* this OpenSSL has no SSL 3.0: a hand-made ClientHello asks */
			a->raw = true;
			a->raw_offer = p->short_v ? 0 : p->cat->raw;
		}
		if (ncsc_set_count(&a->offer) == 0 && a->raw_offer == 0) {
			p->r->version[p->vi] = NCSC_V_UNTESTABLE;
			continue;
		}
		return 1;
	}
	return 0;
}

/* Remove the family of suite idx from s. */
static void ncsc_drop_family(const struct ncsc_catalogue *cat, struct ncsc_set *s, size_t idx)
{
	size_t i;

	for (i = 0; i < cat->n; i++)
		if (cat->s[i].family == cat->s[idx].family)
			ncsc_set_del(s, i);
}

/* The next attempt of the class searches, or 0 when they are all done. */
static int ncsc_next_search(struct ncsc_plan *p, struct ncsc_attempt *a)
{
	while (p->si < (int)NCSC_NSEARCHV) {
		int vi = ncsc_search_versions[p->si];
		enum ncsc_class c = ncsc_search_classes[p->ci];

		if (p->r->version[vi] == NCSC_V_ACCEPTED && !p->ready) {
			struct ncsc_set s = ncsc_suites_at(p->cat, vi, (int)c);
			size_t i;

			/* families already seen accepted need no handshake */
			for (i = 0; i < p->cat->n; i++)
				if (ncsc_set_has(&p->acc[vi], i) && p->cat->s[i].cls == c)
					ncsc_drop_family(p->cat, &s, i);
			p->nstack = 0;
			(void)ncsc_push(p, &s, 0);
			p->ready = true;
		}
		while (p->r->version[vi] == NCSC_V_ACCEPTED && p->nstack > 0) {
			p->nstack--;
			if (ncsc_set_count(&p->stack[p->nstack].set) == 0)
				continue;
			p->cur = p->stack[p->nstack].set;
			p->cur_depth = p->stack[p->nstack].depth;
			ncsc_attempt_init(a, NCSC_STEP_SUITES, vi);
			a->offer = p->cur;
			return 1;
		}
		p->ready = false;
		if (++p->ci >= (int)NCSC_NSEARCHC) {
			p->ci = 0;
			p->si++;
		}
	}
	return 0;
}

static bool ncsc_raw_push(struct ncsc_plan *p, uint64_t set, unsigned depth)
{
	if (p->nraw >= sizeof(p->raw_stack) / sizeof(p->raw_stack[0]))
		return false;
	p->raw_stack[p->nraw].set = set;
	p->raw_stack[p->nraw].depth = depth;
	p->nraw++;
	return true;
}

/* The first accepted suite at vi of a class in [lo, hi], or -1. */
static int ncsc_rep(const struct ncsc_plan *p, int vi, enum ncsc_class lo, enum ncsc_class hi)
{
	size_t i;

	for (i = 0; i < p->cat->n; i++)
		if (ncsc_set_has(&p->acc[vi], i) && p->cat->s[i].cls >= lo &&
		    p->cat->s[i].cls <= hi)
			return (int)i;
	return -1;
}

/* The suites at vi of a class in [lo, hi] not proven refused: those of a
 * family and class of which a suite was seen accepted (the search dropped
 * such a family from its class without trying its other members). */
static struct ncsc_set ncsc_unproven(const struct ncsc_plan *p, int vi, enum ncsc_class lo,
				     enum ncsc_class hi)
{
	struct ncsc_set s = ncsc_suites_at(p->cat, vi, -1), out;
	size_t i, k;

	memset(&out, 0, sizeof(out));
	for (i = 0; i < p->cat->n; i++) {
		if (!ncsc_set_has(&s, i) || p->cat->s[i].cls < lo || p->cat->s[i].cls > hi)
			continue;
		for (k = 0; k < p->cat->n; k++)
			if (ncsc_set_has(&p->acc[vi], k) && p->cat->s[k].cls == p->cat->s[i].cls &&
			    p->cat->s[k].family == p->cat->s[i].family) {
				ncsc_set_add(&out, i);
				break;
			}
	}
	return out;
}

/* Append the suites of set s of class c to a's client order. */
static void ncsc_order_put(const struct ncsc_plan *p, struct ncsc_attempt *a,
			   const struct ncsc_set *s, int c)
{
	size_t i;

	for (i = 0; i < p->cat->n && a->norder < NCSC_ORDER_MAX; i++)
		if (ncsc_set_has(s, i) && (c < 0 || (int)p->cat->s[i].cls == c)) {
			a->order[a->norder++] = (uint16_t)i;
			ncsc_set_add(&a->offer, i);
		}
}

/* The order check's next attempt (internet.nl's test, ncsc.h step 3), or 0. */
static int ncsc_next_order(struct ncsc_plan *p, struct ncsc_attempt *a)
{
	struct ncsc_set w;

	if (p->order_stage == ORD_INIT) {
		p->order_stage = ORD_DONE;
		if (p->r->version[NCSC_TLS12] != NCSC_V_ACCEPTED ||
		    ncsc_rep(p, NCSC_TLS12, NCSC_PHASE_OUT, NCSC_INSUFFICIENT) < 0 ||
		    ncsc_rep(p, NCSC_TLS12, NCSC_GOOD, NCSC_SUFFICIENT) < 0)
			return 0;
		p->order_c = ncsc_unproven(p, NCSC_TLS12, NCSC_GOOD, NCSC_SUFFICIENT);
		p->order_stage = ORD_ROUND;
	}
	if (p->order_stage == ORD_ROUND) {
		/* W first, insufficient before phase-out, then C */
		w = p->order_short
			? p->acc[NCSC_TLS12]
			: ncsc_unproven(p, NCSC_TLS12, NCSC_PHASE_OUT, NCSC_INSUFFICIENT);
		ncsc_attempt_init(a, NCSC_STEP_ORDER, NCSC_TLS12);
		ncsc_order_put(p, a, &w, NCSC_INSUFFICIENT);
		ncsc_order_put(p, a, &w, NCSC_PHASE_OUT);
		ncsc_order_put(p, a, &p->order_c, -1);
		return 1;
	}
	if (p->order_stage == ORD_CONFIRM) {
		ncsc_attempt_init(a, NCSC_STEP_ORDER, NCSC_TLS12);
		a->offer = p->order_c;
		return 1;
	}
	return 0;
}

/* A round of the order check: a better pick leaves C, a weak one asks
 * whether C still holds an accepted suite. */
static void ncsc_order_round(struct ncsc_plan *p, const struct ncsc_outcome *o)
{
	int idx = o->res == NCSC_RES_OK ? ncsc_catalogue_find(p->cat, o->f.suite) : -1;

	size_t i;

	p->order_stage = ORD_DONE;
	if (o->res == NCSC_RES_CHOKED && !p->order_short) {
		/* a long offer it cannot take: the suites seen accepted only */
		p->order_short = true;
		for (i = 0; i < p->cat->n; i++)
			if (!ncsc_set_has(&p->acc[NCSC_TLS12], i))
				ncsc_set_del(&p->order_c, i);
		if (ncsc_set_count(&p->order_c) > 0)
			p->order_stage = ORD_ROUND;
		return;
	}
	if (idx < 0)
		return; /* refused or choked: no verdict on the order */
	if (ncsc_set_has(&p->order_c, (size_t)idx)) {
		ncsc_set_del(&p->order_c, (size_t)idx);
		if (ncsc_set_count(&p->order_c) > 0)
			p->order_stage = ORD_ROUND;
		else if (p->r->order < 0)
			p->r->order = 0;
		return;
	}
	if (p->cat->s[idx].cls >= NCSC_PHASE_OUT) {
		p->order_pick = idx;
		p->order_stage = ORD_CONFIRM;
	}
}

/* C offered alone after a weak pick: accepted means a violation. */
static void ncsc_order_confirm(struct ncsc_plan *p, const struct ncsc_outcome *o)
{
	const struct ncsc_suite *weak = &p->cat->s[p->order_pick];
	enum ncsc_class got;
	char detail[112];

	p->order_stage = ORD_DONE;
	if (o->res != NCSC_RES_OK) {
		if (o->res == NCSC_RES_REFUSED && p->r->order < 0)
			p->r->order = 0;
		return;
	}
	got = ncsc_suite_class(o->f.suite, NULL);
	p->r->order = 1;
	(void)snprintf(p->r->order_detail, sizeof(p->r->order_detail),
		       "chose %s (%s) although %s (%s), which it accepts, was offered", weak->iana,
		       ncsc_class_name(weak->cls), o->f.suite, ncsc_class_name(got));
	(void)snprintf(detail, sizeof(detail), "preferred over %s (%s)", o->f.suite,
		       ncsc_class_name(got));
	ncsc_note(p->r, NCSC_A_ORDER, NCSC_INSUFFICIENT, TLS1_2_VERSION, weak->iana, detail,
		  ncsc_ref_order, false);
}

/* Append the accepted suites at vi of class c to a's client order. */
static void ncsc_order_add(const struct ncsc_plan *p, struct ncsc_attempt *a, int vi,
			   enum ncsc_class c)
{
	size_t i;

	for (i = 0; i < p->cat->n && a->norder < NCSC_ORDER_MAX - 1; i++)
		if (ncsc_set_has(&p->acc[vi], i) && p->cat->s[i].cls == c) {
			a->order[a->norder++] = (uint16_t)i;
			ncsc_set_add(&a->offer, i);
		}
}

int ncsc_plan_next(struct ncsc_plan *p, struct ncsc_attempt *out)
{
	struct ncsc_attempt a;
	int rep, hv;
	size_t i;

	if (p->finished)
		return 0;
	if (p->repeat) {
		p->repeat = false;
		a = p->last;
		return ncsc_issue(p, &a, (enum ncsc_kind)p->phase_kind, out);
	}
	for (;;) {
		switch (p->phase) {
		case PH_VERSIONS:
			if (ncsc_next_version(p, &a))
				return ncsc_issue(p, &a, K_VERSION, out);
			p->phase = PH_SUITES;
			p->si = p->ci = 0;
			p->ready = false;
			continue;
		case PH_SUITES:
			if (ncsc_next_search(p, &a))
				return ncsc_issue(p, &a, K_SEARCH, out);
			p->phase = PH_RAW;
			p->raw_vi = ncsc_best_below13(p);
			p->nraw = 0;
			if (p->raw_vi >= 0 && p->cat->raw)
				(void)ncsc_raw_push(p, p->cat->raw, 0);
			continue;
		case PH_RAW:
			/* the suites this OpenSSL lacks, by hand-made ClientHellos */
			while (p->nraw > 0) {
				p->nraw--;
				if (p->raw_stack[p->nraw].set == 0)
					continue;
				p->raw_cur = p->raw_stack[p->nraw].set;
				p->raw_cur_depth = p->raw_stack[p->nraw].depth;
				ncsc_attempt_init(&a, NCSC_STEP_RAW, p->raw_vi);
				a.raw = true;
				a.raw_offer = p->raw_cur;
				return ncsc_issue(p, &a, K_RAW, out);
			}
			p->phase = PH_COMPRESSION;
			continue;
		case PH_COMPRESSION:
			/* DEFLATE offered beside suites the server accepted */
			p->phase = PH_ORDER_A;
			if (p->cat->compression || p->raw_vi < 0 ||
			    ncsc_set_count(&p->acc[p->raw_vi]) == 0)
				continue;
			ncsc_attempt_init(&a, NCSC_STEP_COMPRESSION, p->raw_vi);
			a.raw = true;
			a.compress = true;
			a.offer = p->acc[p->raw_vi];
			return ncsc_issue(p, &a, K_COMPRESSION, out);
		case PH_ORDER_A:
			/* every accepted better suite against the weak ones */
			if (ncsc_next_order(p, &a))
				return ncsc_issue(p, &a,
						  p->order_stage == ORD_CONFIRM ? K_ORDER_CONFIRM
										: K_ORDER_ROUND,
						  out);
			p->phase = PH_ORDER_B;
			continue;
		case PH_ORDER_B:
			/* insufficient first, one phase-out suite last */
			p->phase = PH_GROUPS;
			if (p->r->version[NCSC_TLS12] != NCSC_V_ACCEPTED || p->r->order == 1)
				continue;
			rep = ncsc_rep(p, NCSC_TLS12, NCSC_PHASE_OUT, NCSC_PHASE_OUT);
			if (rep < 0 ||
			    ncsc_rep(p, NCSC_TLS12, NCSC_INSUFFICIENT, NCSC_INSUFFICIENT) < 0)
				continue;
			ncsc_attempt_init(&a, NCSC_STEP_ORDER, NCSC_TLS12);
			ncsc_order_add(p, &a, NCSC_TLS12, NCSC_INSUFFICIENT);
			a.order[a.norder++] = (uint16_t)rep;
			ncsc_set_add(&a.offer, (size_t)rep);
			return ncsc_issue(p, &a, K_ORDER, out);
		case PH_SIGALGS_SHA1:
		case PH_SIGALGS_SHA224:
			/* TLS 1.2, the accepted suites with a signed key exchange */
			ncsc_attempt_init(&a, NCSC_STEP_SIGALGS, NCSC_TLS12);
			a.sigalgs =
			    p->phase == PH_SIGALGS_SHA1 ? NCSC_SIGALGS_SHA1 : NCSC_SIGALGS_SHA224;
			p->phase++;
			if (p->r->version[NCSC_TLS12] != NCSC_V_ACCEPTED)
				continue;
			for (i = 0; i < p->cat->n; i++)
				if (ncsc_set_has(&p->acc[NCSC_TLS12], i) &&
				    p->cat->s[i].family / 8 <= NCSC_KX_DHE)
					ncsc_set_add(&a.offer, i);
			if (ncsc_set_count(&a.offer) == 0)
				continue;
			return ncsc_issue(p, &a, K_SIGALGS, out);
		case PH_GROUPS13_INSUFFICIENT:
		case PH_GROUPS13_PHASE_OUT:
			/* TLS 1.3 with only the groups of one weak class */
			ncsc_attempt_init(&a, NCSC_STEP_GROUPS13, NCSC_TLS13);
			a.groups = p->phase == PH_GROUPS13_INSUFFICIENT ? NCSC_GROUPS13_INSUFFICIENT
									: NCSC_GROUPS13_PHASE_OUT;
			a.offer = ncsc_suites_at(p->cat, NCSC_TLS13, -1);
			p->phase++;
			if (p->r->version[NCSC_TLS13] != NCSC_V_ACCEPTED ||
			    ncsc_set_count(&a.offer) == 0)
				continue;
			return ncsc_issue(p, &a, K_GROUPS, out);
		case PH_GROUPS:
			/* ECDHE with only weak curves, at the best version below 1.3 */
			p->phase = PH_GROUPS13_INSUFFICIENT;
			hv = ncsc_best_below13(p);
			if (hv < 0)
				continue;
			ncsc_attempt_init(&a, NCSC_STEP_GROUPS, hv);
			a.weak_groups = true;
			(void)str_copy(a.own_group, sizeof(a.own_group), p->cert_curve);
			for (i = 0; i < p->cat->n; i++)
				if (ncsc_set_has(&p->acc[hv], i) && p->cat->s[i].ecdhe)
					ncsc_set_add(&a.offer, i);
			if (ncsc_set_count(&a.offer) == 0)
				continue;
			return ncsc_issue(p, &a, K_GROUPS, out);
		default:
			ncsc_finish(p);
			return 0;
		}
	}
}

/* Split the choked set of the search in two halves, or give up on it. */
static void ncsc_bisect(struct ncsc_plan *p)
{
	struct ncsc_set lo, hi;
	size_t i, n = ncsc_set_count(&p->cur), k = 0;
	char why[120];

	if (n > 1 && p->cur_depth < NCSC_BISECT_DEPTH) {
		memset(&lo, 0, sizeof(lo));
		memset(&hi, 0, sizeof(hi));
		for (i = 0; i < p->cat->n; i++)
			if (ncsc_set_has(&p->cur, i))
				ncsc_set_add(k++ < n / 2 ? &lo : &hi, i);
		if (ncsc_push(p, &hi, p->cur_depth + 1) && ncsc_push(p, &lo, p->cur_depth + 1))
			return;
	}
	(void)snprintf(why, sizeof(why), "the server failed on an offer of %zu suite(s) at %s", n,
		       ncsc_version_name(p->last.version));
	ncsc_incomplete(p->r, why);
}

/* A raw search attempt's outcome: peel the chosen family, halve a set the
 * server choked on, a refusal clears the set. */
static void ncsc_raw_outcome(struct ncsc_plan *p, const struct ncsc_outcome *o)
{
	uint64_t lo = 0, hi = 0, rest = p->raw_cur;
	size_t i, n = 0, k = 0;
	int ri;
	char why[120];

	if (o->res == NCSC_RES_OK) {
		ri = ncsc_raw_index(o->f.suite);
		if (ri < 0 || !(p->raw_cur >> ri & 1))
			return; /* ncsc_hello_outcome admits only what was offered */
		for (i = 0; i < ncsc_nraw_suites; i++)
			if (ncsc_raw_suites[i].family == ncsc_raw_suites[ri].family)
				rest &= ~((uint64_t)1 << i);
		if (!ncsc_raw_push(p, rest, p->raw_cur_depth))
			ncsc_incomplete(p->r, "too many legacy suite subsets to try");
		return;
	}
	if (o->res != NCSC_RES_CHOKED)
		return;
	for (i = 0; i < 64; i++)
		n += p->raw_cur >> i & 1;
	if (n > 1 && p->raw_cur_depth < NCSC_BISECT_DEPTH) {
		for (i = 0; i < 64; i++)
			if (p->raw_cur >> i & 1) {
				if (k++ < n / 2)
					lo |= (uint64_t)1 << i;
				else
					hi |= (uint64_t)1 << i;
			}
		if (ncsc_raw_push(p, hi, p->raw_cur_depth + 1) &&
		    ncsc_raw_push(p, lo, p->raw_cur_depth + 1))
			return;
	}
	(void)snprintf(why, sizeof(why),
		       "the server failed on a raw ClientHello of %zu legacy suite(s) at %s", n,
		       ncsc_version_name(p->last.version));
	ncsc_incomplete(p->r, why);
}

/* The order check's outcome. */
static void ncsc_order_outcome(struct ncsc_plan *p, const struct tls_facts *f)
{
	const struct ncsc_suite *better = &p->cat->s[p->last.order[p->last.norder - 1]];
	enum ncsc_class got = ncsc_suite_class(f->suite, NULL);
	char detail[112];

	if (got <= better->cls) {
		if (p->r->order < 0)
			p->r->order = 0;
		return;
	}
	p->r->order = 1;
	(void)snprintf(p->r->order_detail, sizeof(p->r->order_detail),
		       "chose %s (%s) although %s (%s) was offered", f->suite, ncsc_class_name(got),
		       better->iana, ncsc_class_name(better->cls));
	(void)snprintf(detail, sizeof(detail), "preferred over %s (%s)", better->iana,
		       ncsc_class_name(better->cls));
	ncsc_note(p->r, NCSC_A_ORDER, NCSC_INSUFFICIENT, f->version, f->suite, detail,
		  ncsc_ref_order, false);
}

/* A signature-hash attempt completed: the server signed with what was asked. */
static void ncsc_sig_outcome(struct ncsc_plan *p, const struct ncsc_outcome *o)
{
	const char *ref;
	enum ncsc_class c = ncsc_sig_class(o->sig_hash, o->sig_key, &ref);
	char item[40], detail[112];

	(void)snprintf(item, sizeof(item), "%s+%s", o->sig_key, o->sig_hash);
	(void)snprintf(detail, sizeof(detail),
		       "ServerKeyExchange signed so when only %s was offered",
		       p->last.sigalgs ? p->last.sigalgs : "?");
	ncsc_note(p->r, NCSC_A_KEX_SIG, c, o->f.version, item, detail, ref, true);
}

void ncsc_plan_feed(struct ncsc_plan *p, const struct ncsc_outcome *o)
{
	struct ncsc_result *r = p->r;
	int vi = ncsc_vidx_of(p->last.version), idx;
	char why[200];

	if (p->finished || vi < 0)
		return;
	p->attempts++;
	r->handshakes++;
	switch (o->res) {
	case NCSC_RES_UNREACHED:
		/* one transient failure is retried; a second ends the probe */
		if (!p->retried) {
			p->retried = true;
			p->repeat = true;
			return;
		}
		(void)snprintf(why, sizeof(why), "the server stopped answering: %s", o->why);
		ncsc_plan_stop(p, why);
		return;
	case NCSC_RES_LOCAL:
		(void)snprintf(why, sizeof(why), "local error: %s", o->why);
		ncsc_plan_stop(p, why);
		return;
	case NCSC_RES_OK:
		ncsc_record(p, &o->f);
		break;
	case NCSC_RES_REFUSED:
	case NCSC_RES_CHOKED:
		break;
	}
	switch ((enum ncsc_kind)p->phase_kind) {
	case K_VERSION:
		if (o->res == NCSC_RES_CHOKED && !p->short_v) {
			p->short_v = true; /* the same version again, with a short offer */
			return;
		}
		if (o->res == NCSC_RES_REFUSED)
			r->version[vi] = NCSC_V_REFUSED;
		else if (o->res == NCSC_RES_CHOKED) {
			(void)snprintf(why, sizeof(why), "%s: the server failed on every offer",
				       ncsc_version_name(p->last.version));
			ncsc_incomplete(r, why);
		}
		p->short_v = false;
		p->vi--;
		return;
	case K_SEARCH:
		if (o->res == NCSC_RES_OK) {
			idx = ncsc_catalogue_find(p->cat, o->f.suite);
			if (idx >= 0 && ncsc_set_has(&p->cur, (size_t)idx)) {
				struct ncsc_set rest = p->cur;

				ncsc_drop_family(p->cat, &rest, (size_t)idx);
				if (!ncsc_push(p, &rest, p->cur_depth))
					ncsc_incomplete(r, "too many suite subsets to try");
			}
		} else if (o->res == NCSC_RES_CHOKED) {
			ncsc_bisect(p);
		}
		return;
	case K_RAW:
		ncsc_raw_outcome(p, o);
		return;
	case K_COMPRESSION:
		if (o->res == NCSC_RES_OK && r->compression < 0)
			r->compression = 0; /* tested: the server chose null */
		return;
	case K_ORDER:
		if (o->res == NCSC_RES_OK)
			ncsc_order_outcome(p, &o->f);
		return;
	case K_ORDER_ROUND:
		ncsc_order_round(p, o);
		return;
	case K_ORDER_CONFIRM:
		ncsc_order_confirm(p, o);
		return;
	case K_GROUPS:
		return;
	case K_SIGALGS:
		if (o->res == NCSC_RES_OK && o->sig_hash[0])
			ncsc_sig_outcome(p, o);
		return;
	}
}

/* ---- the runner's helpers ---- */

int ncsc_attempt_apply(SSL *ssl, const struct ncsc_catalogue *cat, const struct ncsc_attempt *a)
{
	size_t cap = (size_t)NCSC_SUITES_MAX * 66 + 1, len = 0, i;
	char *list = malloc(cap);
	int rc = -1;

	if (!list)
		return -1;
	list[0] = '\0';
	if (a->norder > 0) {
		for (i = 0; i < a->norder; i++)
			if (a->order[i] < cat->n)
				len += (size_t)snprintf(list + len, cap - len, "%s%s",
							len ? ":" : "", cat->s[a->order[i]].ossl);
	} else {
		for (i = 0; i < cat->n; i++)
			if (ncsc_set_has(&a->offer, i))
				len += (size_t)snprintf(
				    list + len, cap - len, "%s%s", len ? ":" : "",
				    a->version == TLS1_3_VERSION ? cat->s[i].iana : cat->s[i].ossl);
	}
	if (len == 0 || len >= cap)
		goto out;
	if (!SSL_set_min_proto_version(ssl, a->version) ||
	    !SSL_set_max_proto_version(ssl, a->version))
		goto out;
	if (a->version == TLS1_3_VERSION) {
		if (!SSL_set_ciphersuites(ssl, list))
			goto out;
	} else if (!SSL_set_cipher_list(ssl, list)) {
		goto out;
	}
	if (a->groups && !SSL_set1_groups_list(ssl, a->groups))
		goto out;
	if (a->sigalgs && !SSL_set1_sigalgs_list(ssl, a->sigalgs))
		goto out;
	if (a->weak_groups) {
		char groups[sizeof(NCSC_WEAK_GROUPS) + sizeof(a->own_group) + 1];

		(void)snprintf(groups, sizeof(groups), "%s%s%s", NCSC_WEAK_GROUPS,
			       a->own_group[0] ? ":" : "", a->own_group);
		if (!SSL_set1_groups_list(ssl, groups))
			goto out;
	}
	if (cat->compression)
		SSL_clear_options(ssl, SSL_OP_NO_COMPRESSION);
	rc = 0;
out:
	free(list);
	return rc;
}

int ncsc_attempt_hello(const struct ncsc_catalogue *cat, const struct ncsc_attempt *a,
		       const char *sni, uint8_t *out, size_t cap)
{
	uint16_t codes[NCSC_SUITES_MAX + 64];
	uint8_t rnd[32];
	size_t n = 0, i;

	if (!a->raw)
		return -1;
	for (i = 0; i < cat->n && n < NCSC_SUITES_MAX; i++)
		if (ncsc_set_has(&a->offer, i) && cat->s[i].minv < TLS1_3_VERSION)
			codes[n++] = cat->s[i].code;
	for (i = 0; i < ncsc_nraw_suites && i < 64; i++)
		if (a->raw_offer >> i & 1)
			codes[n++] = ncsc_raw_suites[i].code;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		ERR_clear_error();
		return -1;
	}
	return ncsc_hello_build(out, cap, a->version, codes, n, a->compress,
				a->version > SSL3_VERSION ? sni : NULL, rnd);
}

/* The IANA name of a code point offered in a (catalogue or raw table),
 * with the OpenSSL name when the catalogue has it; false when not offered. */
static bool ncsc_offered(const struct ncsc_catalogue *cat, const struct ncsc_attempt *a,
			 uint16_t code, struct tls_facts *f)
{
	size_t i;

	for (i = 0; i < cat->n; i++)
		if (cat->s[i].code == code && ncsc_set_has(&a->offer, i)) {
			(void)str_copy(f->suite, sizeof(f->suite), cat->s[i].iana);
			(void)str_copy(f->suite_ossl, sizeof(f->suite_ossl), cat->s[i].ossl);
			return true;
		}
	for (i = 0; i < ncsc_nraw_suites && i < 64; i++)
		if (ncsc_raw_suites[i].code == code && a->raw_offer >> i & 1) {
			(void)str_copy(f->suite, sizeof(f->suite), ncsc_raw_suites[i].iana);
			return true;
		}
	return false;
}

void ncsc_hello_outcome(const struct ncsc_catalogue *cat, const struct ncsc_attempt *a,
			enum ncsc_hello_res res, const struct ncsc_server_hello *sh, bool eof,
			struct ncsc_outcome *o)
{
	memset(o, 0, sizeof(*o));
	switch (res) {
	case NCSC_HELLO_MORE:
		o->res = NCSC_RES_REFUSED;
		(void)snprintf(o->why, sizeof(o->why), "%s",
			       eof ? "no answer to the ClientHello" : "the answer was cut short");
		return;
	case NCSC_HELLO_ALERT:
		/* as ncsc_classify_failure: alerts about the offer itself are a choke */
		o->res = sh->alert_desc == 10 || sh->alert_desc == 22 || sh->alert_desc == 50 ||
				 sh->alert_desc == 80
			     ? NCSC_RES_CHOKED
			     : NCSC_RES_REFUSED;
		(void)snprintf(o->why, sizeof(o->why), "alert %u (level %u)", sh->alert_desc,
			       sh->alert_level);
		return;
	case NCSC_HELLO_GARBAGE:
		o->res = NCSC_RES_CHOKED;
		(void)snprintf(o->why, sizeof(o->why), "%s", sh->why);
		return;
	case NCSC_HELLO_SERVER_HELLO:
		break;
	}
	o->res = NCSC_RES_CHOKED;
	if (sh->version > a->version) {
		/* not allowed (RFC 5246 E.1), but what it says is: not this version */
		o->res = NCSC_RES_REFUSED;
		(void)snprintf(o->why, sizeof(o->why),
			       "ServerHello version 0x%04x, above the offer",
			       (unsigned)sh->version);
		return;
	}
	if (sh->version < SSL3_VERSION) {
		(void)snprintf(o->why, sizeof(o->why), "ServerHello version 0x%04x",
			       (unsigned)sh->version);
		return;
	}
	if (!ncsc_offered(cat, a, sh->suite, &o->f)) {
		(void)snprintf(o->why, sizeof(o->why), "ServerHello suite 0x%04x, not offered",
			       (unsigned)sh->suite);
		return;
	}
	if (sh->compression > 1 || (sh->compression == 1 && !a->compress)) {
		(void)snprintf(o->why, sizeof(o->why),
			       "ServerHello compression method %u, not offered",
			       (unsigned)sh->compression);
		return;
	}
	o->res = NCSC_RES_OK;
	o->f.version = sh->version;
	o->f.compression = sh->compression == 1;
	/* the extensions it answered (an SSL 3.0 hello asked for none) */
	o->f.ems = sh->version == TLS1_2_VERSION ? sh->ems : -1;
	o->f.secure_reneg = a->version > SSL3_VERSION ? sh->reneg_info : -1;
}

enum ncsc_res ncsc_classify_failure(unsigned long err, int ssl_error)
{
	if (err == 0 || ERR_GET_LIB(err) != ERR_LIB_SSL)
		/* a close without an alert: many MTAs just hang up on what they
		 * do not accept */
		return ssl_error == SSL_ERROR_SSL || ssl_error == SSL_ERROR_SYSCALL ||
			       ssl_error == SSL_ERROR_ZERO_RETURN
			   ? NCSC_RES_REFUSED
			   : NCSC_RES_LOCAL;
	switch (ERR_GET_REASON(err)) {
	case SSL_R_NO_CIPHERS_AVAILABLE:
	case SSL_R_NO_PROTOCOLS_AVAILABLE:
	case SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM:
		return NCSC_RES_LOCAL; /* we offered nothing usable */
	case SSL_R_TLSV1_ALERT_DECODE_ERROR:
	case SSL_R_TLSV1_ALERT_INTERNAL_ERROR:
	case SSL_R_SSLV3_ALERT_UNEXPECTED_MESSAGE:
	case SSL_R_TLSV1_ALERT_RECORD_OVERFLOW:
	case SSL_R_WRONG_CIPHER_RETURNED:
	case SSL_R_RECORD_LENGTH_MISMATCH:
		return NCSC_RES_CHOKED;
	default:
		/* handshake_failure, protocol_version, insufficient_security,
		 * illegal_parameter, a version or suite we did not offer ... */
		return NCSC_RES_REFUSED;
	}
}

/* ---- certificates ---- */

size_t ncsc_cert_findings(const struct cert_info *ci, struct ncsc_item *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < ci->ncerts && i < SCAN_CHAIN_MAX; i++) {
		const struct cert_brief *b = &ci->certs[i];
		const char *ref;
		enum ncsc_class c;
		char item[64], detail[112];

		/* A known public root is the one certificate not judged (as
		 * internet.nl): the trust anchor the chain verified to, whose key
		 * and signature the client takes from its own store. A
		 * self-signed certificate beyond the leaf that is no such anchor
		 * is a private root the server chose to send: judged like the rest. */
		if (i > 0 && b->known_root)
			continue;
		c = ncsc_cert_key_class(b->key_type, b->key_bits, b->curve, &ref);
		if (c >= NCSC_PHASE_OUT && n < max) {
			if (b->curve[0])
				(void)snprintf(item, sizeof(item), "%s-%s", b->key_type, b->curve);
			else
				(void)snprintf(item, sizeof(item), "%s-%d", b->key_type,
					       b->key_bits);
			(void)snprintf(detail, sizeof(detail), "depth %zu: %s", i, b->subject);
			memset(&out[n], 0, sizeof(out[n]));
			out[n].aspect = NCSC_A_CERT_KEY;
			out[n].cls = c;
			(void)str_copy(out[n].item, sizeof(out[n].item), item);
			(void)str_copy(out[n].detail, sizeof(out[n].detail), detail);
			out[n].ref = ref;
			n++;
		}
		c = ncsc_sig_class(b->sig_hash, b->sig_key, &ref);
		if (c >= NCSC_PHASE_OUT && n < max) {
			(void)snprintf(detail, sizeof(detail), "depth %zu: %s", i, b->subject);
			memset(&out[n], 0, sizeof(out[n]));
			out[n].aspect = NCSC_A_CERT_SIG;
			out[n].cls = c;
			(void)str_copy(out[n].item, sizeof(out[n].item), b->sig_alg);
			(void)str_copy(out[n].detail, sizeof(out[n].detail), detail);
			out[n].ref = ref;
			n++;
		}
	}
	return n;
}
