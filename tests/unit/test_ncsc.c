/*
 * test_ncsc.c - unit tests for the tls_ncsc probe: the NCSC classification
 * table (ncsc_table.c), the catalogue of this OpenSSL, the plan of extra
 * handshakes (ncsc.c: versions, class searches with family peeling and
 * bisection, the order check, the weak-curve test, the budget and the one
 * retry) driven by simulated servers, the classification of failed
 * handshakes, the certificate findings, the tls_ncsc verdict, and the
 * runner (tls_ncsc_run.c) against a fake engine (probe.h, probe_run_env).
 *
 * The plan is pure, so a "server" here is a small table: which versions and
 * suites it accepts, whether it picks by its own order, how many suites it
 * can stand in one ClientHello; sim_run() plays the plan against it to the
 * end and the cases check the findings and the number of handshakes.
 */
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../base/buf.h"
#include "../../base/json.h"
#include "../../probes/ncsc.h"
#include "../../probes/probe.h"
#include "../../probes/smtp.h"
#include "unit.h"

/* ---- the table ---- */

void test_ncsc_table(void)
{
	static const struct {
		const char *what; /* "v" version, "s" suite, "g" group, "k" key, "h" sig hash */
		const char *name;
		int num; /* version, DH flag, key bits */
		const char *extra;
		enum ncsc_class want;
	} cases[] = {
	    {"v", "TLSv1.3", TLS1_3_VERSION, NULL, NCSC_GOOD},
	    {"v", "TLSv1.2", TLS1_2_VERSION, NULL, NCSC_SUFFICIENT},
	    {"v", "TLSv1.1", TLS1_1_VERSION, NULL, NCSC_INSUFFICIENT},
	    {"v", "TLSv1.0", TLS1_VERSION, NULL, NCSC_INSUFFICIENT},
	    {"v", "SSLv3", SSL3_VERSION, NULL, NCSC_INSUFFICIENT},
	    {"s", "TLS_AES_256_GCM_SHA384", 0, NULL, NCSC_GOOD},
	    {"s", "TLS_CHACHA20_POLY1305_SHA256", 0, NULL, NCSC_GOOD},
	    {"s", "TLS_AES_128_GCM_SHA256", 0, NULL, NCSC_SUFFICIENT},
	    {"s", "TLS_AES_128_CCM_8_SHA256", 0, NULL, NCSC_INSUFFICIENT},
	    {"s", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0, NULL, NCSC_SUFFICIENT},
	    {"s", "tls_ecdhe_ecdsa_with_aes_256_gcm_sha384", 0, NULL, NCSC_SUFFICIENT},
	    {"s", "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", 0, NULL, NCSC_SUFFICIENT},
	    {"s", "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", 0, NULL, NCSC_INSUFFICIENT},
	    {"s", "TLS_ECDHE_RSA_WITH_AES_128_CCM", 0, NULL, NCSC_INSUFFICIENT}, /* no code point */
	    {"s", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", 0, NULL, NCSC_PHASE_OUT},
	    {"s", "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", 0, NULL, NCSC_PHASE_OUT},
	    {"s", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", 0, NULL, NCSC_PHASE_OUT},
	    {"s", "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", 0, NULL, NCSC_INSUFFICIENT},
	    {"s", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0, NULL, NCSC_INSUFFICIENT},
	    {"s", "TLS_RSA_WITH_AES_256_GCM_SHA384", 0, NULL, NCSC_INSUFFICIENT},
	    {"s", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", 0, NULL, NCSC_INSUFFICIENT},
	    {"s", "TLS_RSA_WITH_RC4_128_SHA", 0, NULL, NCSC_INSUFFICIENT},
	    {"s", "TLS_DH_anon_WITH_AES_128_GCM_SHA256", 0, NULL, NCSC_INSUFFICIENT},
	    {"s", "TLS_RSA_WITH_NULL_SHA256", 0, NULL, NCSC_INSUFFICIENT},
	    {"s", "", 0, NULL, NCSC_INSUFFICIENT},
	    {"g", "x25519", 0, NULL, NCSC_GOOD},
	    {"g", "X448", 0, NULL, NCSC_GOOD},
	    {"g", "secp256r1", 0, NULL, NCSC_GOOD},
	    {"g", "prime256v1", 0, NULL, NCSC_GOOD},
	    {"g", "brainpoolP384r1", 0, NULL, NCSC_GOOD},
	    {"g", "secp224r1", 0, NULL, NCSC_PHASE_OUT},
	    {"g", "secp192r1", 0, NULL, NCSC_INSUFFICIENT},
	    {"g", "secp256k1", 0, NULL, NCSC_INSUFFICIENT},
	    {"g", "sect571r1", 0, NULL, NCSC_INSUFFICIENT},
	    {"g", "ffdhe2048", 1, NULL, NCSC_INSUFFICIENT},
	    {"g", "ffdhe3072", 1, NULL, NCSC_PHASE_OUT},
	    {"g", "ffdhe8192", 1, NULL, NCSC_PHASE_OUT},
	    {"g", "modp_4096", 1, NULL, NCSC_INSUFFICIENT},
	    {"g", "", 1, NULL, NCSC_INSUFFICIENT}, /* DHE with its own group, any size */
	    {"k", "RSA", 4096, NULL, NCSC_GOOD},
	    {"k", "RSA", 3072, NULL, NCSC_GOOD},
	    {"k", "RSA", 3071, NULL, NCSC_PHASE_OUT},
	    {"k", "RSA", 2048, NULL, NCSC_PHASE_OUT},
	    {"k", "RSA", 2047, NULL, NCSC_INSUFFICIENT},
	    {"k", "RSA", 1024, NULL, NCSC_INSUFFICIENT},
	    {"k", "RSA-PSS", 3072, NULL, NCSC_GOOD},
	    {"k", "EC", 256, "prime256v1", NCSC_GOOD},
	    {"k", "EC", 384, "secp384r1", NCSC_GOOD},
	    {"k", "EC", 256, "brainpoolP256r1", NCSC_GOOD},
	    {"k", "EC", 224, "secp224r1", NCSC_PHASE_OUT},
	    {"k", "EC", 256, "secp256k1", NCSC_INSUFFICIENT},
	    {"k", "EC", 3072, "ffdhe3072", NCSC_INSUFFICIENT}, /* no curve */
	    {"k", "ED25519", 256, NULL, NCSC_GOOD},
	    {"k", "ED448", 456, NULL, NCSC_GOOD},
	    {"k", "DSA", 3072, NULL, NCSC_INSUFFICIENT},
	    {"k", "", 0, NULL, NCSC_INSUFFICIENT},
	    {"h", "SHA256", 0, "RSA", NCSC_GOOD},
	    {"h", "SHA384", 0, "EC", NCSC_GOOD},
	    {"h", "SHA512", 0, "RSA-PSS", NCSC_GOOD},
	    {"h", "INTRINSIC", 0, "ED25519", NCSC_GOOD},
	    {"h", "SHA224", 0, "EC", NCSC_PHASE_OUT},
	    {"h", "SHA3-256", 0, "EC", NCSC_INSUFFICIENT},
	    {"h", "SHA3-512", 0, "RSA", NCSC_INSUFFICIENT},
	    {"h", "SHA1", 0, "RSA", NCSC_INSUFFICIENT},
	    {"h", "SHA1", 0, "EC", NCSC_INSUFFICIENT},
	    {"h", "MD5", 0, "RSA", NCSC_INSUFFICIENT},
	    {"h", "SHA256", 0, "DSA", NCSC_INSUFFICIENT},
	    {"h", "unknown", 0, "RSA", NCSC_INSUFFICIENT},
	};
	size_t i, k;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		const char *ref = NULL;
		enum ncsc_class got = NCSC_GOOD;

		unit_case("%s %s %d %s", cases[i].what, cases[i].name, cases[i].num,
			  cases[i].extra ? cases[i].extra : "");
		switch (cases[i].what[0]) {
		case 'v':
			got = ncsc_version_class(cases[i].num, &ref);
			break;
		case 's':
			got = ncsc_suite_class(cases[i].name, &ref);
			break;
		case 'g':
			got = ncsc_group_class(cases[i].name, cases[i].num, 0, &ref);
			break;
		case 'k':
			got =
			    ncsc_cert_key_class(cases[i].name, cases[i].num, cases[i].extra, &ref);
			break;
		default:
			got = ncsc_sig_class(cases[i].name, cases[i].extra, &ref);
			break;
		}
		CHECK_STR(ncsc_class_name(got), ncsc_class_name(cases[i].want));
		CHECK(ref != NULL && strncmp(ref, "NCSC 2025", 9) == 0);
	}
	/* the rows themselves: a reference each, no name twice, IANA names */
	for (i = 0; i < ncsc_nsuite_rows; i++) {
		unit_case("suite row %s", ncsc_suite_rows[i].name);
		CHECK(ncsc_suite_rows[i].ref != NULL);
		CHECK(strncmp(ncsc_suite_rows[i].name, "TLS_", 4) == 0);
		CHECK(ncsc_suite_rows[i].cls != NCSC_INSUFFICIENT); /* that is the default */
		for (k = 0; k < i; k++)
			CHECK(strcmp(ncsc_suite_rows[k].name, ncsc_suite_rows[i].name) != 0);
	}
	for (i = 0; i < ncsc_ngroup_rows; i++) {
		unit_case("group row %s", ncsc_group_rows[i].name);
		CHECK(ncsc_group_rows[i].ref != NULL);
		for (k = 0; k < i; k++)
			CHECK(strcmp(ncsc_group_rows[k].name, ncsc_group_rows[i].name) != 0);
	}
	/* tls_ncsc.c maps every weak version to the insufficient reason: the
	 * table must not grow a phase-out version without it */
	unit_case("no phase-out version");
	for (i = SSL3_VERSION; i <= TLS1_3_VERSION; i++)
		CHECK(ncsc_version_class((int)i, NULL) != NCSC_PHASE_OUT);
	unit_case("%s", "");
}

/* ---- the catalogue of this OpenSSL ---- */

void test_ncsc_catalogue(void)
{
	static struct ncsc_catalogue cat;
	char err[128] = "";
	size_t i, ncls[4] = {0, 0, 0, 0};
	int k;

	unit_case("load");
	CHECK_INT(ncsc_catalogue_load(&cat, err, sizeof(err)), 0);
	CHECK(cat.n > 40);
#ifdef OPENSSL_NO_SSL3
	CHECK(!cat.ssl3);
#endif
	for (i = 0; i < cat.n; i++) {
		const struct ncsc_suite *s = &cat.s[i];

		unit_case("%s", s->iana);
		CHECK_INT(s->cls, ncsc_suite_class(s->iana, NULL));
		CHECK(s->minv <= s->maxv);
		CHECK(s->maxv == TLS1_3_VERSION ? s->minv == TLS1_3_VERSION
						: s->maxv == TLS1_2_VERSION);
		CHECK_INT(ncsc_catalogue_find(&cat, s->iana), (long long)i);
		CHECK_INT(ncsc_catalogue_find(&cat, s->ossl), (long long)i);
		ncls[s->cls]++;
	}
	unit_case("every class is present");
	CHECK(ncls[NCSC_GOOD] >= 2 && ncls[NCSC_SUFFICIENT] >= 4 && ncls[NCSC_PHASE_OUT] >= 4 &&
	      ncls[NCSC_INSUFFICIENT] >= 10);
	unit_case("known suites");
	k = ncsc_catalogue_find(&cat, "ECDHE-RSA-AES128-GCM-SHA256");
	CHECK(k >= 0 && cat.s[k].cls == NCSC_SUFFICIENT && cat.s[k].ecdhe &&
	      cat.s[k].minv == TLS1_2_VERSION);
	k = ncsc_catalogue_find(&cat, "TLS_AES_128_CCM_8_SHA256");
	CHECK(k >= 0 && cat.s[k].cls == NCSC_INSUFFICIENT && cat.s[k].minv == TLS1_3_VERSION);
	k = ncsc_catalogue_find(&cat, "AES128-SHA");
	CHECK(k >= 0 && cat.s[k].cls == NCSC_INSUFFICIENT && !cat.s[k].ecdhe &&
	      cat.s[k].minv <= TLS1_VERSION);
	CHECK_INT(ncsc_catalogue_find(&cat, "TLS_NO_SUCH_SUITE"), -1);
	unit_case("%s", "");
}

/* ---- the plan against simulated servers ---- */

/* A small catalogue, independent of the OpenSSL at hand. */
static const struct {
	const char *ossl, *iana;
	int minv, maxv;
	enum ncsc_kx kx;
	enum ncsc_bulk bulk;
} sim_suites[] = {
    {"A256", "TLS_AES_256_GCM_SHA384", TLS1_3_VERSION, TLS1_3_VERSION, NCSC_KX_OTHER,
     NCSC_BULK_AEAD},
    {"CHA", "TLS_CHACHA20_POLY1305_SHA256", TLS1_3_VERSION, TLS1_3_VERSION, NCSC_KX_OTHER,
     NCSC_BULK_AEAD},
    {"A128", "TLS_AES_128_GCM_SHA256", TLS1_3_VERSION, TLS1_3_VERSION, NCSC_KX_OTHER,
     NCSC_BULK_AEAD},
    {"CCM8", "TLS_AES_128_CCM_8_SHA256", TLS1_3_VERSION, TLS1_3_VERSION, NCSC_KX_OTHER,
     NCSC_BULK_AEAD},
    {"E-G256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", TLS1_2_VERSION, TLS1_2_VERSION,
     NCSC_KX_ECDHE, NCSC_BULK_AEAD},
    {"E-G128", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", TLS1_2_VERSION, TLS1_2_VERSION,
     NCSC_KX_ECDHE, NCSC_BULK_AEAD},
    {"E-C384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", TLS1_2_VERSION, TLS1_2_VERSION,
     NCSC_KX_ECDHE, NCSC_BULK_CBC},
    {"E-C256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", TLS1_2_VERSION, TLS1_2_VERSION,
     NCSC_KX_ECDHE, NCSC_BULK_CBC},
    {"D-G256", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", TLS1_2_VERSION, TLS1_2_VERSION, NCSC_KX_DHE,
     NCSC_BULK_AEAD},
    {"R-G256", "TLS_RSA_WITH_AES_256_GCM_SHA384", TLS1_2_VERSION, TLS1_2_VERSION, NCSC_KX_RSA,
     NCSC_BULK_AEAD},
    {"R-C256", "TLS_RSA_WITH_AES_128_CBC_SHA256", TLS1_2_VERSION, TLS1_2_VERSION, NCSC_KX_RSA,
     NCSC_BULK_CBC},
    {"EE-CCM8", "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", TLS1_2_VERSION, TLS1_2_VERSION, NCSC_KX_ECDHE,
     NCSC_BULK_AEAD},
    {"E-C1", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", TLS1_VERSION, TLS1_2_VERSION, NCSC_KX_ECDHE,
     NCSC_BULK_CBC},
    {"R-C1", "TLS_RSA_WITH_AES_128_CBC_SHA", SSL3_VERSION, TLS1_2_VERSION, NCSC_KX_RSA,
     NCSC_BULK_CBC},
    {"D-C1", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", SSL3_VERSION, TLS1_2_VERSION, NCSC_KX_DHE,
     NCSC_BULK_CBC},
};

#define SIM_ACCEPT_MAX 16
#define SIM_FIND_MAX 24

struct sim_server {
	unsigned versions;                  /* bit (1 << vidx) per accepted version */
	const char *accept[SIM_ACCEPT_MAX]; /* OpenSSL names, in the server's order */
	bool server_order;                  /* picks by accept[] order, else the client's */
	size_t choke_over;                  /* > 0: offers with more suites choke it */
	bool weak_curve;                    /* accepts secp224r1 when offered alone */
	const char *dh_group;               /* named group of its DHE, "" its own */
	bool no_ems, no_reneg;
	bool unreachable;       /* every session fails before TLS */
	bool compress;          /* chooses DEFLATE when offered */
	const char *groups13;   /* TLS 1.3 groups it accepts beyond the good ones, in its order */
	const char *sig_hashes; /* TLS 1.2: the weak hashes it signs with when asked */
};

/* Whether the simulated server completes a renegotiation the client asks
 * for (test_ncsc_reneg sets it; false elsewhere). */
static bool sim_reneg_allowed;

static struct ncsc_catalogue sim_cat;

static void sim_catalogue(void)
{
	size_t i;

	memset(&sim_cat, 0, sizeof(sim_cat));
	for (i = 0; i < UNIT_COUNT(sim_suites); i++)
		(void)ncsc_catalogue_add(&sim_cat, sim_suites[i].ossl, sim_suites[i].iana,
					 (uint16_t)(0x1000 + i), sim_suites[i].minv,
					 sim_suites[i].maxv, sim_suites[i].kx, sim_suites[i].bulk);
	ncsc_catalogue_raw(&sim_cat);
}

static bool sim_accepts(const struct sim_server *sv, int idx)
{
	size_t i;

	for (i = 0; i < SIM_ACCEPT_MAX && sv->accept[i]; i++)
		if (strcmp(sv->accept[i], sim_cat.s[idx].ossl) == 0)
			return true;
	return false;
}

/* The server's answer to attempt a. */
static void sim_answer(const struct sim_server *sv, const struct ncsc_attempt *a,
		       struct ncsc_outcome *o)
{
	int offered[NCSC_SUITES_MAX], chosen = -1;
	size_t n = 0, i, k;

	memset(o, 0, sizeof(*o));
	if (sv->unreachable) {
		o->res = NCSC_RES_UNREACHED;
		(void)snprintf(o->why, sizeof(o->why), "timeout");
		return;
	}
	if (a->norder > 0)
		for (i = 0; i < a->norder; i++)
			offered[n++] = a->order[i];
	else
		for (i = 0; i < sim_cat.n; i++)
			if (ncsc_set_has(&a->offer, i))
				offered[n++] = (int)i;
	o->res = NCSC_RES_REFUSED;
	if (!(sv->versions & (1u << ncsc_vidx_of(a->version))))
		return;
	if (sv->choke_over && n > sv->choke_over) {
		o->res = NCSC_RES_CHOKED;
		return;
	}
	if (sv->server_order) {
		for (k = 0; k < SIM_ACCEPT_MAX && sv->accept[k] && chosen < 0; k++)
			for (i = 0; i < n; i++)
				if (strcmp(sv->accept[k], sim_cat.s[offered[i]].ossl) == 0)
					chosen = offered[i];
	} else {
		for (i = 0; i < n && chosen < 0; i++)
			if (sim_accepts(sv, offered[i]))
				chosen = offered[i];
	}
	if (chosen < 0 && a->raw) {
		/* the suites only a hand-made ClientHello offers, by IANA name */
		for (i = 0; i < ncsc_nraw_suites && chosen < 0; i++)
			for (k = 0; k < SIM_ACCEPT_MAX && sv->accept[k]; k++)
				if (a->raw_offer >> i & 1 &&
				    strcmp(sv->accept[k], ncsc_raw_suites[i].iana) == 0) {
					o->res = NCSC_RES_OK;
					o->f.version = a->version;
					(void)snprintf(o->f.suite, sizeof(o->f.suite), "%s",
						       ncsc_raw_suites[i].iana);
					o->f.ems = o->f.secure_reneg = -1;
					return;
				}
	}
	if (chosen < 0 || (a->weak_groups && !sv->weak_curve))
		return;
	if (a->sigalgs) {
		/* only SHA-1 or only SHA-224 signature algorithms offered */
		const char *h = strstr(a->sigalgs, "+SHA1") ? "SHA1" : "SHA224";

		if (!sv->sig_hashes || !strstr(sv->sig_hashes, h))
			return;
		o->res = NCSC_RES_OK;
		o->f.version = a->version;
		(void)snprintf(o->f.suite, sizeof(o->f.suite), "%s", sim_cat.s[chosen].iana);
		(void)snprintf(o->sig_hash, sizeof(o->sig_hash), "%s", h);
		(void)snprintf(o->sig_key, sizeof(o->sig_key), "RSA");
		o->f.ems = !sv->no_ems;
		o->f.secure_reneg = !sv->no_reneg;
		return;
	}
	if (a->groups) {
		/* only weak TLS 1.3 groups offered: the first it has */
		static const char *const names[] = {"ffdhe2048", "ffdhe3072", "ffdhe4096",
						    "ffdhe6144", "ffdhe8192"};
		const char *pick = NULL;
		size_t g;

		for (g = 0; g < UNIT_COUNT(names) && !pick; g++)
			if (sv->groups13 && strstr(sv->groups13, names[g]) &&
			    strstr(a->groups, names[g]))
				pick = names[g];
		if (!pick)
			return;
		o->res = NCSC_RES_OK;
		o->f.version = a->version;
		(void)snprintf(o->f.suite, sizeof(o->f.suite), "%s", sim_cat.s[chosen].iana);
		(void)snprintf(o->f.group, sizeof(o->f.group), "%.9s", pick);
		o->f.kx_dh = true;
		o->f.kx_bits = (int)strtol(pick + 5, NULL, 10);
		o->f.ems = o->f.secure_reneg = -1;
		return;
	}
	o->res = NCSC_RES_OK;
	o->f.version = a->version;
	o->f.compression = a->compress && sv->compress;
	(void)snprintf(o->f.suite, sizeof(o->f.suite), "%s", sim_cat.s[chosen].iana);
	(void)snprintf(o->f.suite_ossl, sizeof(o->f.suite_ossl), "%s", sim_cat.s[chosen].ossl);
	if (strstr(sim_cat.s[chosen].iana, "_DHE_")) {
		o->f.kx_dh = true;
		o->f.kx_bits = 3072;
		(void)snprintf(o->f.group, sizeof(o->f.group), "%s",
			       sv->dh_group ? sv->dh_group : "");
	} else if (strstr(sim_cat.s[chosen].iana, "ECDHE") || a->version == TLS1_3_VERSION) {
		(void)snprintf(o->f.group, sizeof(o->f.group), "%s",
			       a->weak_groups ? "secp224r1" : "x25519");
		o->f.kx_bits = a->weak_groups ? 224 : 253;
	}
	o->f.ems = a->version == TLS1_3_VERSION ? -1 : !sv->no_ems;
	o->f.secure_reneg = a->version == TLS1_3_VERSION ? -1 : !sv->no_reneg;
}

/* Where the plan asked for client-initiated renegotiation in the last
 * sim_run: how often, and in which attempt (its step and version). */
static unsigned sim_reneg_asked;
static struct ncsc_attempt sim_reneg_at;

/* Play the plan against sv to its end; returns the attempts made. Every
 * session that completes an OpenSSL handshake is offered the renegotiation,
 * as tls_ncsc_run.c's hook does, before its outcome is fed. */
static unsigned sim_run(const struct sim_server *sv, const struct tls_facts *seed,
			unsigned max_attempts, struct ncsc_result *r)
{
	static struct ncsc_plan plan;
	struct ncsc_attempt a;
	struct ncsc_outcome o;
	unsigned n = 0;

	memset(r, 0, sizeof(*r));
	sim_reneg_asked = 0;
	memset(&sim_reneg_at, 0, sizeof(sim_reneg_at));
	ncsc_plan_init(&plan, &sim_cat, r, seed, max_attempts);
	while (ncsc_plan_next(&plan, &a) && n < 200) {
		CHECK(ncsc_set_count(&a.offer) > 0 || a.raw_offer != 0);
		sim_answer(sv, &a, &o);
		if (o.res == NCSC_RES_OK && !a.raw && ncsc_plan_reneg_want(&plan, o.f.version)) {
			sim_reneg_asked++;
			sim_reneg_at = a;
			ncsc_plan_reneg_result(
			    &plan, sim_reneg_allowed ? NCSC_RENEG_ALLOWED : NCSC_RENEG_REFUSED,
			    "at sim");
		}
		ncsc_plan_feed(&plan, &o);
		n++;
	}
	CHECK(r->state != NCSC_RUNNING);
	CHECK_INT(r->handshakes, n);
	return n;
}

/* "aspect:item:class@version" of every finding, sorted, joined with ' '. */
static int sim_cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void sim_findings(const struct ncsc_result *r, char *out, size_t outlen)
{
	static char items[NCSC_ITEMS_MAX][128];
	size_t i, len = 0;

	for (i = 0; i < r->nfind && i < NCSC_ITEMS_MAX; i++)
		(void)snprintf(items[i], sizeof(items[i]), "%s:%s:%s@%s",
			       ncsc_aspect_name(r->find[i].aspect), r->find[i].item,
			       ncsc_class_name(r->find[i].cls),
			       r->find[i].version ? ncsc_version_name(r->find[i].version) : "-");
	qsort(items, i, sizeof(items[0]), sim_cmp);
	out[0] = '\0';
	for (i = 0; i < r->nfind && i < NCSC_ITEMS_MAX; i++)
		len += (size_t)snprintf(out + len, len < outlen ? outlen - len : 0, "%s%s",
					i ? " " : "", items[i]);
}

/* "item@version" of every accepted suite the probe saw, sorted, joined with ' '. */
static void sim_seen_suites(const struct ncsc_result *r, char *out, size_t outlen)
{
	static char items[NCSC_ITEMS_MAX][128];
	size_t i, n = 0, len = 0;

	for (i = 0; i < r->nseen && i < NCSC_ITEMS_MAX; i++)
		if (r->seen[i].aspect == NCSC_A_SUITE)
			(void)snprintf(items[n++], sizeof(items[0]), "%s@%s", r->seen[i].item,
				       ncsc_version_name(r->seen[i].version));
	qsort(items, n, sizeof(items[0]), sim_cmp);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, len < outlen ? outlen - len : 0, "%s%s",
					i ? " " : "", items[i]);
}

#define V(x) (1u << (x))
#define T13 "TLS_AES_256_GCM_SHA384"

void test_ncsc_plan(void)
{
	static const struct {
		const char *name;
		struct sim_server sv;
		int seed_version;       /* 0: no seed */
		const char *seed_suite; /* IANA */
		unsigned max_attempts;
		unsigned handshakes;
		enum ncsc_state state;
		const char
		    *versions; /* SSL3..TLS1.3: a accepted, r refused, u untestable, ? unknown */
		const char *findings; /* sorted "aspect:item:class ..." */
		int order;
	} cases[] = {
	    {"TLS 1.3 only (good): versions, one CCM_8 probe, the good and sufficient suites "
	     "listed, two weak-group probes refused; nothing below 1.3 to test",
	     {V(NCSC_TLS13),
	      {"A256", "CHA", "A128"},
	      true,
	      0,
	      false,
	      NULL,
	      false,
	      false,
	      false,
	      false,
	      NULL,
	      NULL},
	     TLS1_3_VERSION,
	     T13,
	     0,
	     9,
	     NCSC_DONE,
	     "rrrra",
	     "",
	     -1},
	    {"TLS 1.3 accepting ffdhe2048 and ffdhe3072 (offered alone): insufficient and "
	     "phase-out key exchange",
	     {V(NCSC_TLS13),
	      {"A256", "CHA", "A128"},
	      true,
	      0,
	      false,
	      NULL,
	      false,
	      false,
	      false,
	      false,
	      "ffdhe2048:ffdhe3072",
	      NULL},
	     TLS1_3_VERSION,
	     T13,
	     0,
	     9,
	     NCSC_DONE,
	     "rrrra",
	     "key-exchange:ffdhe2048:insufficient@TLSv1.3 key-exchange:ffdhe3072:phase-out@TLSv1.3",
	     -1},
	    {"TLS 1.2 ECDHE-GCM (sufficient): each weak class cleared by one refusal",
	     {V(NCSC_TLS12),
	      {"E-G256", "E-G128"},
	      true,
	      0,
	      false,
	      NULL,
	      false,
	      false,
	      false,
	      false,
	      NULL,
	      NULL},
	     TLS1_2_VERSION,
	     "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	     0,
	     11,
	     NCSC_DONE,
	     "rrrar",
	     "",
	     -1},
	    {"TLS 1.2 signing its key exchange with SHA-1 or SHA-224 when asked",
	     {V(NCSC_TLS12),
	      {"E-G256", "E-G128"},
	      true,
	      0,
	      false,
	      NULL,
	      false,
	      false,
	      false,
	      false,
	      NULL,
	      "SHA1:SHA224"},
	     TLS1_2_VERSION,
	     "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	     0,
	     11,
	     NCSC_DONE,
	     "rrrar",
	     "key-exchange-signature:RSA+SHA1:insufficient@TLSv1.2 "
	     "key-exchange-signature:RSA+SHA224:phase-out@TLSv1.2",
	     -1},
	    {"phase-out: CBC-SHA2 family known from the seed, DHE family found, ffdhe3072",
	     {V(NCSC_TLS12),
	      {"E-C384", "E-C256", "D-G256"},
	      true,
	      0,
	      false,
	      "ffdhe3072",
	      false,
	      false,
	      false,
	      false,
	      NULL,
	      NULL},
	     TLS1_2_VERSION,
	     "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
	     0,
	     12,
	     NCSC_DONE,
	     "rrrar",
	     "cipher:TLS_DHE_RSA_WITH_AES_256_GCM_SHA384:phase-out@TLSv1.2 "
	     "cipher:TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384:phase-out@TLSv1.2 "
	     "key-exchange:ffdhe3072:phase-out@TLSv1.2",
	     -1},
	    {"legacy, client order: one handshake per accepted family, order violation",
	     {V(NCSC_TLS10) | V(NCSC_TLS11) | V(NCSC_TLS12),
	      {"E-G256", "E-G128", "E-C384", "E-C256", "D-G256", "R-G256", "R-C256", "EE-CCM8",
	       "E-C1", "R-C1", "D-C1"},
	      false,
	      0,
	      false,
	      "",
	      false,
	      false,
	      false,
	      false,
	      NULL,
	      NULL},
	     /* 3 versions, 5 insufficient and 2 phase-out families, order, weak curves */
	     TLS1_2_VERSION,
	     "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	     0,
	     18,
	     NCSC_DONE,
	     "raaar",
	     "cipher-order:TLS_RSA_WITH_AES_256_GCM_SHA384:insufficient@TLSv1.2 "
	     "cipher:TLS_DHE_RSA_WITH_AES_128_CBC_SHA:insufficient@TLSv1.2 "
	     "cipher:TLS_DHE_RSA_WITH_AES_256_GCM_SHA384:phase-out@TLSv1.2 "
	     "cipher:TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8:insufficient@TLSv1.2 "
	     "cipher:TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384:phase-out@TLSv1.2 "
	     "cipher:TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA:insufficient@TLSv1.0 "
	     "cipher:TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA:insufficient@TLSv1.1 "
	     "cipher:TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA:insufficient@TLSv1.2 "
	     "cipher:TLS_RSA_WITH_AES_128_CBC_SHA256:insufficient@TLSv1.2 "
	     "cipher:TLS_RSA_WITH_AES_256_GCM_SHA384:insufficient@TLSv1.2 "
	     "key-exchange:DH-3072:insufficient@TLSv1.2 version:TLSv1.0:insufficient@TLSv1.0 "
	     "version:TLSv1.1:insufficient@TLSv1.1",
	     1},
	    {"server prefers the better class: order ok; weak curve accepted",
	     {V(NCSC_TLS12),
	      {"E-G128", "E-C256"},
	      true,
	      0,
	      true,
	      NULL,
	      false,
	      false,
	      false,
	      false,
	      NULL,
	      NULL},
	     TLS1_2_VERSION,
	     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	     0,
	     15,
	     NCSC_DONE,
	     "rrrar",
	     "cipher:TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256:phase-out@TLSv1.2 "
	     "key-exchange:secp224r1:phase-out@TLSv1.2",
	     0},
	    {"order AES256-GCM > AES128-CBC-SHA256 > AES128-GCM: the second GCM, never picked "
	     "by the search, is found preferred less than the CBC suite",
	     {V(NCSC_TLS12),
	      {"E-G256", "E-C256", "E-G128"},
	      true,
	      0,
	      false,
	      NULL,
	      false,
	      false,
	      false,
	      false,
	      NULL,
	      NULL},
	     TLS1_2_VERSION,
	     "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	     0,
	     15,
	     NCSC_DONE,
	     "rrrar",
	     "cipher-order:TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256:insufficient@TLSv1.2 "
	     "cipher:TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256:phase-out@TLSv1.2",
	     1},
	    {"no seed; chokes on more than 3 suites: short version offer, bisected search",
	     {V(NCSC_TLS12),
	      {"E-G256", "E-G128", "E-C384"},
	      true,
	      3,
	      false,
	      NULL,
	      false,
	      false,
	      false,
	      false,
	      NULL,
	      NULL},
	     0,
	     NULL,
	     0,
	     18,
	     NCSC_DONE,
	     "rrrar",
	     "cipher:TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384:phase-out@TLSv1.2",
	     0},
	    {"no EMS, no secure renegotiation",
	     {V(NCSC_TLS12),
	      {"E-G256"},
	      true,
	      0,
	      false,
	      NULL,
	      true,
	      true,
	      false,
	      false,
	      NULL,
	      NULL},
	     TLS1_2_VERSION,
	     "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	     0,
	     11,
	     NCSC_DONE,
	     "rrrar",
	     "extended-master-secret:extended_master_secret:insufficient@TLSv1.2 "
	     "renegotiation:secure_renegotiation:insufficient@-",
	     -1},
	    {"the server stops answering: one retry, then incomplete",
	     {V(NCSC_TLS13), {"A256"}, true, 0, false, NULL, false, false, true, false, NULL, NULL},
	     TLS1_3_VERSION,
	     T13,
	     0,
	     2,
	     NCSC_INCOMPLETE,
	     "????a",
	     "",
	     -1},
	    {"the handshake budget ends the legacy probe, keeping its findings",
	     {V(NCSC_TLS10) | V(NCSC_TLS11) | V(NCSC_TLS12),
	      {"E-G256", "R-G256", "R-C256", "E-C1", "R-C1", "D-C1"},
	      false,
	      0,
	      false,
	      "",
	      false,
	      false,
	      false,
	      false,
	      NULL,
	      NULL},
	     TLS1_2_VERSION,
	     "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	     5,
	     5,
	     NCSC_INCOMPLETE,
	     "raaar",
	     "cipher:TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA:insufficient@TLSv1.0 "
	     "cipher:TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA:insufficient@TLSv1.1 "
	     "cipher:TLS_RSA_WITH_AES_256_GCM_SHA384:insufficient@TLSv1.2 "
	     "version:TLSv1.0:insufficient@TLSv1.0 version:TLSv1.1:insufficient@TLSv1.1",
	     -1},
	    {"raw ClientHellos: 3DES and RC4 (which this OpenSSL lacks) named once per family",
	     {V(NCSC_TLS12),
	      {"E-G256", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
	       "TLS_RSA_WITH_RC4_128_SHA"},
	      true,
	      0,
	      false,
	      NULL,
	      false,
	      false,
	      false,
	      false,
	      NULL,
	      NULL},
	     TLS1_2_VERSION,
	     "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	     0,
	     /* 4 versions, 2 classes refused, 3 raw (3DES, RC4, rest refused), compression, groups
	      */
	     13,
	     NCSC_DONE,
	     "rrrar",
	     "cipher:TLS_RSA_WITH_3DES_EDE_CBC_SHA:insufficient@TLSv1.2 "
	     "cipher:TLS_RSA_WITH_RC4_128_SHA:insufficient@TLSv1.2",
	     -1},
	    {"raw ClientHellos: SSL 3.0 accepted; TLS compression chosen",
	     {V(NCSC_SSL3) | V(NCSC_TLS12),
	      {"E-G256", "R-C1"},
	      true,
	      0,
	      false,
	      NULL,
	      false,
	      false,
	      false,
	      true,
	      NULL,
	      NULL},
	     TLS1_2_VERSION,
	     "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	     0,
	     /* 4 versions, 2 + 1 searches, raw, compression, order (the server's), groups */
	     15,
	     NCSC_DONE,
	     "arrar",
	     "cipher:TLS_RSA_WITH_AES_128_CBC_SHA:insufficient@SSLv3 "
	     "cipher:TLS_RSA_WITH_AES_128_CBC_SHA:insufficient@TLSv1.2 "
	     "compression:compression:insufficient@- version:SSLv3:insufficient@SSLv3",
	     0},
	};
	size_t i;
	int vi;

	sim_catalogue();
	for (i = 0; i < UNIT_COUNT(cases); i++) {
		static struct ncsc_result r;
		struct tls_facts seed;
		char got[2048], vs[NCSC_VERSIONS + 1];
		unsigned n;

		unit_case("%s", cases[i].name);
		memset(&seed, 0, sizeof(seed));
		if (cases[i].seed_version) {
			int k = ncsc_catalogue_find(&sim_cat, cases[i].seed_suite);

			seed.version = cases[i].seed_version;
			(void)snprintf(seed.suite, sizeof(seed.suite), "%s", cases[i].seed_suite);
			(void)snprintf(seed.suite_ossl, sizeof(seed.suite_ossl), "%s",
				       k >= 0 ? sim_cat.s[k].ossl : "");
			(void)snprintf(seed.group, sizeof(seed.group), "x25519");
			seed.ems = seed.secure_reneg =
			    seed.version == TLS1_3_VERSION ? -1 : !cases[i].sv.no_ems;
		}
		n = sim_run(&cases[i].sv, cases[i].seed_version ? &seed : NULL,
			    cases[i].max_attempts, &r);
		CHECK_INT(n, cases[i].handshakes);
		CHECK_STR(ncsc_state_name(r.state), ncsc_state_name(cases[i].state));
		for (vi = 0; vi < NCSC_VERSIONS; vi++)
			vs[vi] = "?aru"[r.version[vi]];
		vs[NCSC_VERSIONS] = '\0';
		CHECK_STR(vs, cases[i].versions);
		sim_findings(&r, got, sizeof(got));
		CHECK_STR(got, cases[i].findings);
		CHECK_INT(r.order, cases[i].order);
		if (cases[i].state == NCSC_INCOMPLETE)
			CHECK(r.note[0] != '\0');
		if (i == 0) {
			/* every accepted suite is listed, whatever its class */
			sim_seen_suites(&r, got, sizeof(got));
			CHECK_STR(got, "TLS_AES_128_GCM_SHA256@TLSv1.3 "
				       "TLS_AES_256_GCM_SHA384@TLSv1.3 "
				       "TLS_CHACHA20_POLY1305_SHA256@TLSv1.3");
		}
		if (i == 5) {
			/* one suite per accepted family at TLS 1.2, the sufficient one too */
			sim_seen_suites(&r, got, sizeof(got));
			CHECK(strstr(got, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384@TLSv1.2") != NULL);
			CHECK(strstr(got, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384@TLSv1.2") != NULL);
			CHECK(strstr(got, "TLS_RSA_WITH_AES_256_GCM_SHA384@TLSv1.2") != NULL);
		}
	}
	unit_case("%s", "");
}

/* ---- client-initiated renegotiation in the plan's sessions ---- */

void test_ncsc_reneg(void)
{
	static const struct {
		const char *name;
		struct sim_server sv;
		bool allowed;     /* it completes the renegotiation */
		int seed_version; /* its suite: the first the server accepts */
		enum ncsc_reneg want;
		unsigned asked;
		int at_version; /* the attempt that asked (when asked) */
		enum ncsc_step at_step;
	} cases[] = {
	    {"TLS 1.3 only: not applicable, never asked",
	     {.versions = V(NCSC_TLS13), .accept = {"A256", "CHA"}, .server_order = true},
	     true,
	     TLS1_3_VERSION,
	     NCSC_RENEG_NA,
	     0,
	     0,
	     0},
	    {"TLS 1.3 and 1.2, allowing it: asked in the TLS 1.2 version handshake",
	     {.versions = V(NCSC_TLS13) | V(NCSC_TLS12),
	      .accept = {"A256", "E-G256"},
	      .server_order = true},
	     true,
	     TLS1_3_VERSION,
	     NCSC_RENEG_ALLOWED,
	     1,
	     TLS1_2_VERSION,
	     NCSC_STEP_VERSION},
	    {"TLS 1.2 seen by STARTTLS: asked in the first TLS 1.2 suite search that completes",
	     {.versions = V(NCSC_TLS12), .accept = {"E-G256", "E-C384"}, .server_order = true},
	     false,
	     TLS1_2_VERSION,
	     NCSC_RENEG_REFUSED,
	     1,
	     TLS1_2_VERSION,
	     NCSC_STEP_SUITES},
	    {"TLS 1.2 only with one suite family, seen by STARTTLS: no later handshake "
	     "completes, so not tested (never a session of its own)",
	     {.versions = V(NCSC_TLS12), .accept = {"E-G256", "E-G128"}, .server_order = true},
	     true,
	     TLS1_2_VERSION,
	     NCSC_RENEG_NOT_TESTED,
	     0,
	     0,
	     0},
	    {"TLS 1.0-1.2 seen at 1.2: not at 1.1 or 1.0, at 1.2",
	     {.versions = V(NCSC_TLS10) | V(NCSC_TLS11) | V(NCSC_TLS12),
	      .accept = {"E-C1", "E-G256"},
	      .server_order = true},
	     true,
	     TLS1_2_VERSION,
	     NCSC_RENEG_ALLOWED,
	     1,
	     TLS1_2_VERSION,
	     NCSC_STEP_SUITES},
	    {"TLS 1.0 and 1.1 only (seen at 1.1): asked at 1.0, without TLS 1.2",
	     {.versions = V(NCSC_TLS10) | V(NCSC_TLS11), .accept = {"E-C1"}, .server_order = true},
	     false,
	     TLS1_1_VERSION,
	     NCSC_RENEG_REFUSED,
	     1,
	     TLS1_VERSION,
	     NCSC_STEP_VERSION},
	    {"unreachable after the STARTTLS probe: not tested",
	     {.versions = V(NCSC_TLS12), .accept = {"E-G256"}, .unreachable = true},
	     true,
	     TLS1_2_VERSION,
	     NCSC_RENEG_NOT_TESTED,
	     0,
	     0,
	     0},
	};
	static struct ncsc_result r;
	static struct ncsc_plan plan;
	size_t i;

	sim_catalogue();
	for (i = 0; i < UNIT_COUNT(cases); i++) {
		struct tls_facts seed;
		int k = ncsc_catalogue_find(&sim_cat, cases[i].sv.accept[0]);

		unit_case("%s", cases[i].name);
		memset(&seed, 0, sizeof(seed));
		seed.version = cases[i].seed_version;
		if (k >= 0) {
			(void)snprintf(seed.suite, sizeof(seed.suite), "%s", sim_cat.s[k].iana);
			(void)snprintf(seed.suite_ossl, sizeof(seed.suite_ossl), "%s",
				       sim_cat.s[k].ossl);
		}
		seed.ems = seed.secure_reneg = seed.version == TLS1_3_VERSION ? -1 : 1;
		sim_reneg_allowed = cases[i].allowed;
		(void)sim_run(&cases[i].sv, &seed, 0, &r);
		sim_reneg_allowed = false;
		CHECK_STR(ncsc_reneg_name(r.client_reneg), ncsc_reneg_name(cases[i].want));
		CHECK_INT(sim_reneg_asked, cases[i].asked);
		if (cases[i].asked) {
			CHECK_STR(ncsc_version_name(sim_reneg_at.version),
				  ncsc_version_name(cases[i].at_version));
			CHECK_STR(ncsc_step_name(sim_reneg_at.step),
				  ncsc_step_name(cases[i].at_step));
			CHECK(strncmp(r.client_reneg_detail, "at sim", 6) == 0);
		} else {
			CHECK_STR(r.client_reneg_detail, "");
		}
	}

	unit_case("the plan's own rules: TLS 1.3 and SSL 3.0 never, once, nothing after the end");
	memset(&r, 0, sizeof(r));
	ncsc_plan_init(&plan, &sim_cat, &r, NULL, 0);
	CHECK(!ncsc_plan_reneg_want(&plan, TLS1_3_VERSION));
	CHECK(!ncsc_plan_reneg_want(&plan, SSL3_VERSION));
	CHECK(ncsc_plan_reneg_want(&plan, TLS1_2_VERSION));
	CHECK(!ncsc_plan_reneg_want(&plan, TLS1_2_VERSION));
	ncsc_plan_reneg_result(&plan, NCSC_RENEG_NA, "at TLSv1.2: local error: x");
	CHECK_INT(r.client_reneg, NCSC_RENEG_NOT_TESTED); /* only the plan says n/a */
	ncsc_plan_stop(&plan, "the run was stopped");
	ncsc_plan_reneg_result(&plan, NCSC_RENEG_ALLOWED, "late");
	CHECK_INT(r.client_reneg, NCSC_RENEG_NOT_TESTED);
	CHECK_STR(ncsc_reneg_name(NCSC_RENEG_NA), "not-applicable");
	CHECK_STR(ncsc_reneg_name((enum ncsc_reneg)42), "not-tested");
	unit_case("%s", "");
}

/* ---- failed handshakes ---- */

void test_ncsc_failure(void)
{
	static const struct {
		const char *name;
		unsigned long err;
		int ssl_error;
		enum ncsc_res want;
	} cases[] = {
	    {"handshake_failure alert",
	     ERR_PACK(ERR_LIB_SSL, 0, SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE), SSL_ERROR_SSL,
	     NCSC_RES_REFUSED},
	    {"protocol_version alert", ERR_PACK(ERR_LIB_SSL, 0, SSL_R_TLSV1_ALERT_PROTOCOL_VERSION),
	     SSL_ERROR_SSL, NCSC_RES_REFUSED},
	    {"a version we did not offer", ERR_PACK(ERR_LIB_SSL, 0, SSL_R_UNSUPPORTED_PROTOCOL),
	     SSL_ERROR_SSL, NCSC_RES_REFUSED},
	    {"closed without an alert", 0, SSL_ERROR_SYSCALL, NCSC_RES_REFUSED},
	    {"decode_error alert", ERR_PACK(ERR_LIB_SSL, 0, SSL_R_TLSV1_ALERT_DECODE_ERROR),
	     SSL_ERROR_SSL, NCSC_RES_CHOKED},
	    {"internal_error alert", ERR_PACK(ERR_LIB_SSL, 0, SSL_R_TLSV1_ALERT_INTERNAL_ERROR),
	     SSL_ERROR_SSL, NCSC_RES_CHOKED},
	    {"a suite we did not offer", ERR_PACK(ERR_LIB_SSL, 0, SSL_R_WRONG_CIPHER_RETURNED),
	     SSL_ERROR_SSL, NCSC_RES_CHOKED},
	    {"no ciphers of our own", ERR_PACK(ERR_LIB_SSL, 0, SSL_R_NO_CIPHERS_AVAILABLE),
	     SSL_ERROR_SSL, NCSC_RES_LOCAL},
	    {"nothing at all", 0, SSL_ERROR_NONE, NCSC_RES_LOCAL},
	};
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		unit_case("%s", cases[i].name);
		CHECK_INT(ncsc_classify_failure(cases[i].err, cases[i].ssl_error), cases[i].want);
	}
	unit_case("%s", "");
}

/* ---- certificates ---- */

static void brief(struct cert_brief *b, const char *subject, const char *type, int bits,
		  const char *curve, const char *sig, const char *hash, const char *sig_key,
		  bool self_signed)
{
	memset(b, 0, sizeof(*b));
	(void)snprintf(b->subject, sizeof(b->subject), "%s", subject);
	(void)snprintf(b->key_type, sizeof(b->key_type), "%s", type);
	b->key_bits = bits;
	(void)snprintf(b->curve, sizeof(b->curve), "%s", curve);
	(void)snprintf(b->sig_alg, sizeof(b->sig_alg), "%s", sig);
	(void)snprintf(b->sig_hash, sizeof(b->sig_hash), "%s", hash);
	(void)snprintf(b->sig_key, sizeof(b->sig_key), "%s", sig_key);
	b->self_signed = self_signed;
}

void test_ncsc_cert(void)
{
	static struct cert_info ci;
	struct ncsc_item out[2 * SCAN_CHAIN_MAX];
	size_t n;

	unit_case("RSA-1024 leaf signed with SHA-1, weak known root (chain verified) ignored");
	memset(&ci, 0, sizeof(ci));
	brief(&ci.certs[0], "mx", "RSA", 1024, "", "ecdsa-with-SHA1", "SHA1", "EC", false);
	brief(&ci.certs[1], "root", "RSA", 1024, "", "sha1WithRSAEncryption", "SHA1", "RSA", true);
	ci.certs[1].known_root = true;
	ci.ncerts = 2;
	n = ncsc_cert_findings(&ci, out, UNIT_COUNT(out));
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_INT(out[0].aspect, NCSC_A_CERT_KEY);
		CHECK_STR(out[0].item, "RSA-1024");
		CHECK_INT(out[0].cls, NCSC_INSUFFICIENT);
		CHECK_INT(out[1].aspect, NCSC_A_CERT_SIG);
		CHECK_STR(out[1].item, "ecdsa-with-SHA1");
		CHECK_INT(out[1].cls, NCSC_INSUFFICIENT);
	}
	unit_case("the same chain, its root no trust anchor: a private root, judged");
	ci.certs[1].known_root = false;
	n = ncsc_cert_findings(&ci, out, UNIT_COUNT(out));
	CHECK_INT(n, 4);
	if (n == 4) {
		CHECK_STR(out[2].item, "RSA-1024");
		CHECK_STR(out[2].detail, "depth 1: root");
		CHECK_STR(out[3].item, "sha1WithRSAEncryption");
	}
	unit_case("SHA3-256 signature: insufficient (not listed by NCSC 2025)");
	memset(&ci, 0, sizeof(ci));
	brief(&ci.certs[0], "mx", "EC", 256, "prime256v1", "id-ecdsa-with-sha3-256", "SHA3-256",
	      "EC", false);
	ci.ncerts = 1;
	n = ncsc_cert_findings(&ci, out, UNIT_COUNT(out));
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_INT(out[0].cls, NCSC_INSUFFICIENT);
	unit_case("RSA-2048 leaf, phase-out intermediate on P-224 with SHA-224");
	memset(&ci, 0, sizeof(ci));
	brief(&ci.certs[0], "mx", "RSA", 2048, "", "sha256WithRSAEncryption", "SHA256", "EC",
	      false);
	brief(&ci.certs[1], "sub", "EC", 224, "secp224r1", "ecdsa-with-SHA224", "SHA224", "EC",
	      false);
	ci.ncerts = 2;
	n = ncsc_cert_findings(&ci, out, UNIT_COUNT(out));
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(out[0].item, "RSA-2048");
		CHECK_STR(out[1].item, "EC-secp224r1");
		CHECK_STR(out[2].item, "ecdsa-with-SHA224");
		CHECK_INT(out[2].cls, NCSC_PHASE_OUT);
	}
	unit_case("a self-signed leaf is judged");
	memset(&ci, 0, sizeof(ci));
	brief(&ci.certs[0], "mx", "EC", 256, "prime256v1", "ecdsa-with-SHA1", "SHA1", "EC", true);
	ci.ncerts = 1;
	CHECK_INT(ncsc_cert_findings(&ci, out, UNIT_COUNT(out)), 1);
	unit_case("good chain: nothing");
	memset(&ci, 0, sizeof(ci));
	brief(&ci.certs[0], "mx", "EC", 256, "prime256v1", "ecdsa-with-SHA256", "SHA256", "EC",
	      false);
	brief(&ci.certs[1], "ca", "RSA", 4096, "", "sha384WithRSAEncryption", "SHA384", "RSA",
	      true);
	ci.certs[1].known_root = true;
	ci.ncerts = 2;
	CHECK_INT(ncsc_cert_findings(&ci, out, UNIT_COUNT(out)), 0);
	unit_case("%s", "");
}

/* ---- the verdict ---- */

#define TV_ADDRS 3

struct tv_addr {
	enum addr_status st;
	enum ncsc_state state; /* NCSC_RUNNING with no_probe: ar->ncsc NULL */
	bool no_probe;
	enum ncsc_aspect aspect;
	enum ncsc_class cls; /* a finding of this class when >= phase-out */
	bool rsa1024;        /* a certificate finding */
};

/* n reason codes as one text, comma-separated. */
static const char *reasons_text(const char *const *codes, size_t n, char *got, size_t size)
{
	size_t k, len = 0;

	got[0] = '\0';
	for (k = 0; k < n; k++)
		len += (size_t)snprintf(got + len, len < size ? size - len : 0, "%s%s",
					k ? "," : "", codes[k]);
	return got;
}

/* A domain of one MX host "mx.example" (MX_LIST), its addresses and their
 * tls_ncsc results all cleared (TV_ADDRS of each). */
static void tv_reset(struct domain_scan *ds, struct mx_host *host, struct addr_result *addr,
		     struct ncsc_result *res)
{
	memset(ds, 0, sizeof(*ds));
	memset(host, 0, sizeof(*host));
	memset(addr, 0, TV_ADDRS * sizeof(*addr));
	memset(res, 0, TV_ADDRS * sizeof(*res));
	ds->mx_kind = MX_LIST;
	(void)snprintf(host->name, sizeof(host->name), "mx.example");
}

/* The tls_ncsc verdict of ds, whose host has n addresses (none: no host). */
static void tv_evaluate(struct domain_scan *ds, struct mx_host *host, size_t n,
			struct probe_verdict *pv)
{
	host->naddr = n;
	host->done = true;
	if (n) {
		ds->mx[0].host = host;
		ds->nmx = 1;
	}
	memset(pv, 0, sizeof(*pv));
	probe_tls_ncsc.evaluate(ds, pv);
}
void test_verdict_tls_ncsc(void)
{
	static const struct {
		const char *name;
		enum mx_kind mx;
		size_t n;
		struct tv_addr a[TV_ADDRS];
		enum verdict v;
		const char *reasons; /* sorted, ',' joined */
	} cases[] = {
	    {"null MX", MX_NULL, 0, {{0}}, VERDICT_NA, "null-mx"},
	    {"no MX", MX_NONE, 0, {{0}}, VERDICT_NA, "no-mx"},
	    {"one clean address",
	     MX_LIST,
	     1,
	     {{ADDR_OK, NCSC_DONE, false, 0, NCSC_GOOD, false}},
	     VERDICT_PASS,
	     ""},
	    {"a phase-out suite",
	     MX_LIST,
	     1,
	     {{ADDR_OK, NCSC_DONE, false, NCSC_A_SUITE, NCSC_PHASE_OUT, false}},
	     VERDICT_WARN,
	     "ncsc-cipher-phase-out"},
	    {"an old version",
	     MX_LIST,
	     1,
	     {{ADDR_TLS_OLD, NCSC_DONE, false, NCSC_A_VERSION, NCSC_INSUFFICIENT, false}},
	     VERDICT_FAIL,
	     "ncsc-tls-version-insufficient"},
	    {"phase-out group on one address, weak key on the other",
	     MX_LIST,
	     2,
	     {{ADDR_OK, NCSC_DONE, false, NCSC_A_KEX, NCSC_PHASE_OUT, false},
	      {ADDR_OK, NCSC_DONE, false, 0, NCSC_GOOD, true}},
	     VERDICT_FAIL,
	     "ncsc-cert-key-insufficient,ncsc-kex-phase-out"},
	    {"nobody answered",
	     MX_LIST,
	     2,
	     {{ADDR_TIMEOUT, NCSC_DONE, true, 0, NCSC_GOOD, false},
	      {ADDR_REFUSED, NCSC_DONE, true, 0, NCSC_GOOD, false}},
	     VERDICT_ERROR,
	     "mx-unreachable"},
	    {"answered without STARTTLS",
	     MX_LIST,
	     1,
	     {{ADDR_NO_STARTTLS, NCSC_DONE, true, 0, NCSC_GOOD, false}},
	     VERDICT_FAIL,
	     "ncsc-no-tls"},
	    {"clean, but another address has no TLS",
	     MX_LIST,
	     2,
	     {{ADDR_OK, NCSC_DONE, false, 0, NCSC_GOOD, false},
	      {ADDR_HANDSHAKE_FAILED, NCSC_DONE, true, 0, NCSC_GOOD, false}},
	     VERDICT_FAIL,
	     "ncsc-no-tls"},
	    {"insufficient, and another address has no TLS",
	     MX_LIST,
	     2,
	     {{ADDR_OK, NCSC_DONE, false, NCSC_A_ORDER, NCSC_INSUFFICIENT, false},
	      {ADDR_STARTTLS_REJECTED, NCSC_DONE, true, 0, NCSC_GOOD, false}},
	     VERDICT_FAIL,
	     "ncsc-cipher-order,ncsc-no-tls"},
	    {"cut short, nothing found: no pass",
	     MX_LIST,
	     1,
	     {{ADDR_OK, NCSC_INCOMPLETE, false, 0, NCSC_GOOD, false}},
	     VERDICT_ERROR,
	     "ncsc-incomplete"},
	    {"cut short with a phase-out finding: it stands",
	     MX_LIST,
	     1,
	     {{ADDR_OK, NCSC_INCOMPLETE, false, NCSC_A_EMS, NCSC_PHASE_OUT, false}},
	     VERDICT_WARN,
	     "ncsc-ems-missing,ncsc-incomplete"},
	    {"still running at the domain's deadline",
	     MX_LIST,
	     1,
	     {{ADDR_OK, NCSC_RUNNING, false, 0, NCSC_GOOD, false}},
	     VERDICT_ERROR,
	     "ncsc-incomplete"},
	    {"a handshake, but no probe",
	     MX_LIST,
	     1,
	     {{ADDR_OK, NCSC_DONE, true, 0, NCSC_GOOD, false}},
	     VERDICT_ERROR,
	     "ncsc-incomplete"},
	    {"a handshake, but no probe: the certificate's weak key still counts",
	     MX_LIST,
	     1,
	     {{ADDR_OK, NCSC_DONE, true, 0, NCSC_GOOD, true}},
	     VERDICT_FAIL,
	     "ncsc-cert-key-insufficient,ncsc-incomplete"},
	    {"--skip-tls-ncsc: a clean handshake is no pass",
	     MX_LIST,
	     1,
	     {{ADDR_OK, NCSC_DONE, true, 0, NCSC_GOOD, false}},
	     VERDICT_ERROR,
	     "ncsc-skipped"},
	    {"--skip-tls-ncsc: an RSA-1024 certificate still fails",
	     MX_LIST,
	     1,
	     {{ADDR_OK, NCSC_DONE, true, 0, NCSC_GOOD, true}},
	     VERDICT_FAIL,
	     "ncsc-cert-key-insufficient,ncsc-skipped"},
	    {"--skip-tls-ncsc: no STARTTLS still fails",
	     MX_LIST,
	     1,
	     {{ADDR_NO_STARTTLS, NCSC_DONE, true, 0, NCSC_GOOD, false}},
	     VERDICT_FAIL,
	     "ncsc-no-tls"},
	};
	/* the cases named "--skip-tls-ncsc..." run with the probe switched off */
	static const struct probe_env skip_env = {.ncsc_skip = true};
	static struct domain_scan ds;
	static struct mx_host host;
	static struct addr_result addr[TV_ADDRS];
	static struct ncsc_result res[TV_ADDRS];
	size_t i, k;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		struct probe_verdict pv;
		const char *sorted[SCAN_REASONS_MAX];
		char got[512];
		size_t m;

		unit_case("%s", cases[i].name);
		tv_reset(&ds, &host, addr, res);
		ds.mx_kind = cases[i].mx;
		ds.env = strncmp(cases[i].name, "--skip-tls-ncsc", 15) == 0 ? &skip_env : NULL;
		for (k = 0; k < cases[i].n; k++) {
			const struct tv_addr *t = &cases[i].a[k];

			(void)snprintf(addr[k].ip, sizeof(addr[k].ip), "192.0.2.%zu", k + 1);
			addr[k].family = AF_INET;
			addr[k].status = t->st;
			addr[k].cert.pkix_valid = addr[k].cert.name_match = true;
			if (t->rsa1024) {
				brief(&addr[k].cert.certs[0], "mx", "RSA", 1024, "",
				      "sha256WithRSAEncryption", "SHA256", "EC", false);
				addr[k].cert.ncerts = 1;
			}
			if (!t->no_probe) {
				res[k].state = t->state;
				if (t->cls >= NCSC_PHASE_OUT) {
					res[k].find[0].aspect = t->aspect;
					res[k].find[0].cls = t->cls;
					res[k].nfind = 1;
				}
				addr[k].ncsc = &res[k];
			}
			host.addr[k] = &addr[k];
		}
		tv_evaluate(&ds, &host, cases[i].n, &pv);
		CHECK_STR(verdict_name(pv.v), verdict_name(cases[i].v));
		m = pv.nreasons < SCAN_REASONS_MAX ? pv.nreasons : SCAN_REASONS_MAX;
		memcpy(sorted, pv.reasons, m * sizeof(sorted[0]));
		for (k = 1; k < m; k++) { /* insertion sort: a handful of codes */
			const char *x = sorted[k];
			size_t j = k;

			while (j > 0 && strcmp(sorted[j - 1], x) > 0) {
				sorted[j] = sorted[j - 1];
				j--;
			}
			sorted[j] = x;
		}
		CHECK_STR(reasons_text(sorted, m, got, sizeof(got)), cases[i].reasons);
	}
	/* certificate trust and host name: a fail with a DANE-TA record, for
	 * information only without one (internet.nl) */
	static const struct {
		const char *name;
		bool pkix, match, dane_ta, dane_ok;
		enum verdict v;
		const char *reason; /* the reasons expected, comma separated, "" none */
	} certs[] = {
	    {"no DANE-TA: a chain to no known root is info, still a pass", false, true, false,
	     false, VERDICT_PASS, "ncsc-cert-untrusted"},
	    {"no DANE-TA: a host name not in the certificate is info, still a pass", true, false,
	     false, false, VERDICT_PASS, "ncsc-cert-name-mismatch"},
	    {"no DANE-TA: both, still a pass", false, false, false, true, VERDICT_PASS,
	     "ncsc-cert-untrusted,ncsc-cert-name-mismatch"},
	    {"no DANE-TA: trusted and named: nothing", true, true, false, false, VERDICT_PASS, ""},
	    {"DANE-TA, host name not in the certificate: fail, no info beside it", false, false,
	     true, true, VERDICT_FAIL, "ncsc-dane-ta-cert-invalid"},
	    {"DANE-TA matched, private CA, name right: nothing", false, true, true, true,
	     VERDICT_PASS, ""},
	};
	for (i = 0; i < UNIT_COUNT(certs); i++) {
		struct probe_verdict pv;
		char got[256];

		unit_case("%s", certs[i].name);
		tv_reset(&ds, &host, addr, res);
		addr[0].status = ADDR_OK;
		addr[0].cert.pkix_valid = certs[i].pkix;
		addr[0].cert.name_match = certs[i].match;
		addr[0].dane = certs[i].dane_ok ? DANE_MATCH : DANE_NOT_CHECKED;
		res[0].state = NCSC_DONE;
		addr[0].ncsc = &res[0];
		if (certs[i].dane_ta) {
			host.tlsa_state = TLSA_PRESENT;
			host.tlsa[0].usage = 2;
			host.ntlsa = 1;
		}
		host.addr[0] = &addr[0];
		tv_evaluate(&ds, &host, 1, &pv);
		CHECK_STR(verdict_name(pv.v), verdict_name(certs[i].v));
		CHECK_STR(reasons_text(pv.reasons, pv.nreasons, got, sizeof(got)), certs[i].reason);
	}
	/* client-initiated renegotiation: information beside the verdict
	 * (internet.nl), said once however many addresses allow it */
	static const struct {
		const char *name;
		enum ncsc_reneg reneg[2];
		enum ncsc_class cls; /* a phase-out suite on the first address */
		enum verdict v;
		const char *reasons;
	} renegs[] = {
	    {"client-initiated renegotiation allowed: information, still a pass",
	     {NCSC_RENEG_ALLOWED, NCSC_RENEG_REFUSED},
	     NCSC_GOOD,
	     VERDICT_PASS,
	     "ncsc-client-renegotiation"},
	    {"allowed on both addresses, beside a phase-out suite: warn, said once",
	     {NCSC_RENEG_ALLOWED, NCSC_RENEG_ALLOWED},
	     NCSC_PHASE_OUT,
	     VERDICT_WARN,
	     "ncsc-cipher-phase-out,ncsc-client-renegotiation"},
	    {"refused, not tested or not applicable: nothing",
	     {NCSC_RENEG_NOT_TESTED, NCSC_RENEG_NA},
	     NCSC_GOOD,
	     VERDICT_PASS,
	     ""},
	};
	for (i = 0; i < UNIT_COUNT(renegs); i++) {
		struct probe_verdict pv;
		char got[256];

		unit_case("%s", renegs[i].name);
		tv_reset(&ds, &host, addr, res);
		for (k = 0; k < 2; k++) {
			(void)snprintf(addr[k].ip, sizeof(addr[k].ip), "192.0.2.%zu", k + 1);
			addr[k].status = ADDR_OK;
			addr[k].cert.pkix_valid = addr[k].cert.name_match = true;
			res[k].state = NCSC_DONE;
			res[k].client_reneg = renegs[i].reneg[k];
			addr[k].ncsc = &res[k];
			host.addr[k] = &addr[k];
		}
		if (renegs[i].cls >= NCSC_PHASE_OUT) {
			res[0].find[0].aspect = NCSC_A_SUITE;
			res[0].find[0].cls = renegs[i].cls;
			res[0].nfind = 1;
		}
		tv_evaluate(&ds, &host, 2, &pv);
		CHECK_STR(verdict_name(pv.v), verdict_name(renegs[i].v));
		CHECK_STR(reasons_text(pv.reasons, pv.nreasons, got, sizeof(got)),
			  renegs[i].reasons);
	}
	unit_case("%s", "");
}

/* ---- hand-made ClientHellos and the parse of the answer ---- */

/* The extension types of a ClientHello built by ncsc_hello_build, in order,
 * as "0000 000a ..."; "" when it has none, "bad" when the lengths are off. */
static void hello_ext_types(const uint8_t *h, size_t len, char *out, size_t outlen)
{
	size_t off = 9 + 2 + 32, n, end, o = 0;

	out[0] = '\0';
	off += 1 + h[off];                               /* session id */
	off += 2 + (size_t)((h[off] << 8) | h[off + 1]); /* suites */
	off += 1 + h[off];                               /* compression methods */
	if (off == len)
		return;
	n = (size_t)((h[off] << 8) | h[off + 1]);
	off += 2;
	if (off + n != len) {
		(void)snprintf(out, outlen, "bad");
		return;
	}
	for (end = off + n; off + 4 <= end; off += 4 + (size_t)((h[off + 2] << 8) | h[off + 3]))
		o += (size_t)snprintf(out + o, o < outlen ? outlen - o : 0, "%s%02x%02x",
				      o ? " " : "", h[off], h[off + 1]);
	if (off != end)
		(void)snprintf(out, outlen, "bad");
}

void test_ncsc_hello(void)
{
	static const uint16_t codes[] = {0x000a, 0xc02f};
	/* ServerHello, TLS 1.2, suite c02f, null compression, with
	 * renegotiation_info and extended_master_secret */
	static const uint8_t sh12[] = {
	    0x16, 0x03, 0x03, 0x00, 0x35, 0x02, 0x00, 0x00, 0x31, 0x03, 0x03, 1,    2,   3,    4,
	    5,    6,    7,    8,    9,    10,   11,   12,   13,   14,   15,   16,   17,  18,   19,
	    20,   21,   22,   23,   24,   25,   26,   27,   28,   29,   30,   31,   32,  0x00, 0xc0,
	    0x2f, 0x00, 0x00, 0x09, 0xff, 0x01, 0x00, 0x01, 0x00, 0x00, 0x17, 0x00, 0x00};
	static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
	uint8_t rnd[32], h[NCSC_HELLO_MAX], split[sizeof(sh12) + 5], warn[sizeof(sh12) + 7];
	struct ncsc_server_hello sh;
	struct ncsc_attempt a;
	struct ncsc_outcome o;
	char ext[128];
	int n;
	size_t k;

	memset(rnd, 0x5a, sizeof(rnd));
	unit_case("TLS 1.2 ClientHello: record, lengths, suites, compression, extensions");
	n = ncsc_hello_build(h, sizeof(h), TLS1_2_VERSION, codes, 2, true, "mx.example", rnd);
	CHECK(n > 60);
	CHECK(h[0] == 22 && h[1] == 3 && h[2] == 1);
	CHECK_INT((h[3] << 8) | h[4], n - 5);
	CHECK(h[5] == 1);
	CHECK_INT((h[6] << 16) | (h[7] << 8) | h[8], n - 9);
	CHECK(h[9] == 3 && h[10] == 3);
	CHECK(memcmp(h + 11, rnd, 32) == 0);
	CHECK(h[43] == 0);               /* no session id */
	CHECK(h[44] == 0 && h[45] == 4); /* two suites */
	CHECK(h[46] == 0x00 && h[47] == 0x0a && h[48] == 0xc0 && h[49] == 0x2f);
	CHECK(h[50] == 2 && h[51] == 1 && h[52] == 0); /* DEFLATE, null */
	hello_ext_types(h, (size_t)n, ext, sizeof(ext));
	CHECK_STR(ext, "0000 000a 000b 000d 0017 ff01");
	for (k = 0; k + 10 <= (size_t)n && memcmp(h + k, "mx.example", 10) != 0; k++)
		;
	CHECK(k + 10 <= (size_t)n); /* the SNI */

	unit_case("TLS 1.0 ClientHello: no signature_algorithms; no SNI when none given");
	n = ncsc_hello_build(h, sizeof(h), TLS1_VERSION, codes, 1, false, "", rnd);
	CHECK(n > 0);
	hello_ext_types(h, (size_t)n, ext, sizeof(ext));
	CHECK_STR(ext, "000a 000b 0017 ff01");
	CHECK(h[48] == 1 && h[49] == 0); /* one method: null */

	unit_case("SSL 3.0 ClientHello: record version 3.0, no extensions");
	n = ncsc_hello_build(h, sizeof(h), SSL3_VERSION, codes, 2, false, NULL, rnd);
	CHECK(n > 0);
	CHECK(h[1] == 3 && h[2] == 0 && h[9] == 3 && h[10] == 0);
	hello_ext_types(h, (size_t)n, ext, sizeof(ext));
	CHECK_STR(ext, "");
	CHECK_INT(n, 9 + 2 + 32 + 1 + 2 + 4 + 2);

	unit_case("bad arguments: -1");
	CHECK_INT(ncsc_hello_build(h, 40, TLS1_2_VERSION, codes, 2, false, "mx.example", rnd), -1);
	CHECK_INT(ncsc_hello_build(h, sizeof(h), TLS1_2_VERSION, codes, 0, false, NULL, rnd), -1);
	CHECK_INT(ncsc_hello_build(h, sizeof(h), TLS1_3_VERSION, codes, 2, false, NULL, rnd), -1);

	unit_case("ServerHello: version, suite, compression, extensions");
	CHECK_INT(ncsc_hello_parse(sh12, sizeof(sh12), &sh), NCSC_HELLO_SERVER_HELLO);
	CHECK_INT(sh.version, TLS1_2_VERSION);
	CHECK_INT(sh.suite, 0xc02f);
	CHECK_INT(sh.compression, 0);
	CHECK(sh.reneg_info && sh.ems);

	unit_case("every prefix of a ServerHello is MORE, never an answer");
	for (k = 0; k < sizeof(sh12); k++)
		CHECK_INT(ncsc_hello_parse(sh12, k, &sh), NCSC_HELLO_MORE);

	unit_case("a ServerHello split over two records");
	memcpy(split, sh12, 5);
	split[3] = 0x00;
	split[4] = 0x06; /* first record: 6 bytes of the message */
	memcpy(split + 5, sh12 + 5, 6);
	split[11] = 0x16;
	split[12] = 0x03;
	split[13] = 0x03;
	split[14] = 0x00;
	split[15] = (uint8_t)(sizeof(sh12) - 5 - 6);
	memcpy(split + 16, sh12 + 11, sizeof(sh12) - 11);
	CHECK_INT(ncsc_hello_parse(split, sizeof(split), &sh), NCSC_HELLO_SERVER_HELLO);
	CHECK_INT(sh.suite, 0xc02f);

	unit_case("a warning alert (unrecognized_name) before the ServerHello is skipped");
	memcpy(warn, "\x15\x03\x01\x00\x02\x01\x70", 7);
	memcpy(warn + 7, sh12, sizeof(sh12));
	CHECK_INT(ncsc_hello_parse(warn, sizeof(warn), &sh), NCSC_HELLO_SERVER_HELLO);
	CHECK_INT(sh.suite, 0xc02f);
	for (k = 0; k < sizeof(warn); k++)
		CHECK_INT(ncsc_hello_parse(warn, k, &sh), NCSC_HELLO_MORE);
	warn[5] = 2; /* the same alert, fatal: the answer */
	CHECK_INT(ncsc_hello_parse(warn, sizeof(warn), &sh), NCSC_HELLO_ALERT);
	CHECK(sh.alert_desc == 0x70);

	unit_case("alert; SMTP text; a Certificate first; bad extension lengths");
	CHECK_INT(ncsc_hello_parse(alert, sizeof(alert), &sh), NCSC_HELLO_ALERT);
	CHECK(sh.alert_level == 2 && sh.alert_desc == 40);
	CHECK_INT(ncsc_hello_parse((const uint8_t *)"454 4.7.0 TLS not available\r\n", 29, &sh),
		  NCSC_HELLO_GARBAGE);
	CHECK(sh.why[0] != '\0');
	memcpy(h, sh12, sizeof(sh12));
	h[5] = 11;
	CHECK_INT(ncsc_hello_parse(h, sizeof(sh12), &sh), NCSC_HELLO_GARBAGE);
	memcpy(h, sh12, sizeof(sh12));
	h[48] = 0x0a; /* extensions longer than the message */
	CHECK_INT(ncsc_hello_parse(h, sizeof(sh12), &sh), NCSC_HELLO_GARBAGE);

	unit_case("outcomes: only what was offered counts");
	sim_catalogue();
	memset(&a, 0, sizeof(a));
	a.step = NCSC_STEP_RAW;
	a.raw = true;
	a.version = TLS1_2_VERSION;
	a.raw_offer = (uint64_t)1 << ncsc_raw_find(0x000a);
	memset(&sh, 0, sizeof(sh));
	sh.version = TLS1_2_VERSION;
	sh.suite = 0x000a;
	sh.ems = true;
	ncsc_hello_outcome(&sim_cat, &a, NCSC_HELLO_SERVER_HELLO, &sh, false, &o);
	CHECK_INT(o.res, NCSC_RES_OK);
	CHECK_STR(o.f.suite, "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
	CHECK(o.f.version == TLS1_2_VERSION && o.f.ems == 1 && o.f.secure_reneg == 0 &&
	      !o.f.compression);
	sh.suite = 0xc02f;
	ncsc_hello_outcome(&sim_cat, &a, NCSC_HELLO_SERVER_HELLO, &sh, false, &o);
	CHECK_INT(o.res, NCSC_RES_CHOKED);
	sh.suite = 0x000a;
	sh.compression = 1;
	ncsc_hello_outcome(&sim_cat, &a, NCSC_HELLO_SERVER_HELLO, &sh, false, &o);
	CHECK_INT(o.res, NCSC_RES_CHOKED);
	a.compress = true;
	ncsc_hello_outcome(&sim_cat, &a, NCSC_HELLO_SERVER_HELLO, &sh, false, &o);
	CHECK(o.res == NCSC_RES_OK && o.f.compression);
	a.version = SSL3_VERSION; /* a TLS 1.2 answer to an SSL 3.0 hello: not SSL 3.0 */
	ncsc_hello_outcome(&sim_cat, &a, NCSC_HELLO_SERVER_HELLO, &sh, false, &o);
	CHECK_INT(o.res, NCSC_RES_REFUSED);
	sh.alert_desc = 40;
	ncsc_hello_outcome(&sim_cat, &a, NCSC_HELLO_ALERT, &sh, false, &o);
	CHECK_INT(o.res, NCSC_RES_REFUSED);
	sh.alert_desc = 50;
	ncsc_hello_outcome(&sim_cat, &a, NCSC_HELLO_ALERT, &sh, false, &o);
	CHECK_INT(o.res, NCSC_RES_CHOKED);
	ncsc_hello_outcome(&sim_cat, &a, NCSC_HELLO_MORE, &sh, true, &o);
	CHECK_INT(o.res, NCSC_RES_REFUSED);
	ncsc_hello_outcome(&sim_cat, &a, NCSC_HELLO_GARBAGE, &sh, false, &o);
	CHECK_INT(o.res, NCSC_RES_CHOKED);

	unit_case("the raw table: unique codes, every row insufficient, this OpenSSL lacks them");
	for (k = 0; k < ncsc_nraw_suites; k++) {
		CHECK_INT(ncsc_raw_find(ncsc_raw_suites[k].code), (long long)k);
		CHECK_INT(ncsc_suite_class(ncsc_raw_suites[k].iana, NULL), NCSC_INSUFFICIENT);
	}
	unit_case("%s", "");
}

/* ---- the runner (tls_ncsc_run.c) against a fake engine ---- */

/* What the fake engine saw; its sessions are answered by the test. */
static struct {
	bool stopping, fail_session;
	unsigned sessions, cancels, holds, releases, addrs;
	struct addr_result *ar;
	probe_session_cb done;
	void *arg;
	const struct mx_host *host;
	const struct smtp_hooks *hooks;
} fake;

static int fake_session(struct probe_run *run, const struct mx_host *host, struct addr_result *ar,
			const struct smtp_hooks *hooks, probe_session_cb done, void *arg,
			struct probe_session **sp)
{
	(void)run;
	if (fake.fail_session)
		return -1;
	CHECK(fake.done == NULL); /* one at a time */
	fake.sessions++;
	fake.host = host;
	fake.ar = ar;
	fake.hooks = hooks;
	fake.done = done;
	fake.arg = arg;
	*sp = (struct probe_session *)&fake;
	return 0;
}

static void fake_session_cancel(struct probe_run *run, struct probe_session *s)
{
	(void)run;
	CHECK(s == (struct probe_session *)&fake);
	fake.cancels++;
	fake.done = NULL;
}

static void fake_host_hold(struct probe_run *run, struct mx_host *host)
{
	(void)run;
	(void)host;
	fake.holds++;
}

static void fake_host_release(struct probe_run *run, struct mx_host *host)
{
	(void)run;
	(void)host;
	fake.releases++;
}

static bool fake_stopping(const struct probe_run *run)
{
	(void)run;
	return fake.stopping;
}

static void fake_count_addr(struct probe_run *run)
{
	(void)run;
	fake.addrs++;
}

/* Answer the session under way: the server is not there (no handshake). */
static void fake_answer_refused(void)
{
	probe_session_cb done = fake.done;

	fake.done = NULL;
	fake.ar->status = ADDR_REFUSED;
	done(fake.ar, fake.arg);
}

void test_ncsc_run(void)
{
	struct event_base *base = event_base_new();
	struct probe_run_env env = {
	    .run = NULL,
	    .base = base,
	    .timeout_ms = 3000,
	    .session = fake_session,
	    .session_cancel = fake_session_cancel,
	    .host_hold = fake_host_hold,
	    .host_release = fake_host_release,
	    .stopping = fake_stopping,
	    .count_addr = fake_count_addr,
	};
	struct mx_host h1, h2;
	struct addr_result a1, a2, a3, a4;
	char err[128] = "";
	void *st = NULL;
	int i;

	memset(&fake, 0, sizeof(fake));
	memset(&h1, 0, sizeof(h1));
	memset(&h2, 0, sizeof(h2));
	(void)snprintf(h1.name, sizeof(h1.name), "mx1.example");
	(void)snprintf(h2.name, sizeof(h2.name), "mx2.example");
	memset(&a1, 0, sizeof(a1));
	(void)snprintf(a1.ip, sizeof(a1.ip), "192.0.2.1");
	a1.status = ADDR_OK;
	a2 = a1; /* the same IP under the second name */
	a3 = a1;
	a3.status = ADDR_NO_STARTTLS;
	a4 = a1;
	(void)snprintf(a4.ip, sizeof(a4.ip), "192.0.2.2");
	CHECK(base != NULL);
	if (!base)
		return;
	CHECK_INT(probe_tls_ncsc.run_init(&env, &st, err, sizeof(err)), 0);
	CHECK(st != NULL && probe_tls_ncsc.addr_done == tls_ncsc_addr_done);

	unit_case("no completed handshake: nothing starts");
	tls_ncsc_addr_done(st, &h1, &a3);
	CHECK(a3.ncsc == NULL && fake.addrs == 0 && fake.holds == 0);

	unit_case("once per IP: two names share one probe, both hosts wait");
	tls_ncsc_addr_done(st, &h1, &a1);
	tls_ncsc_addr_done(st, &h2, &a2);
	CHECK(a1.ncsc != NULL && a1.ncsc == a2.ncsc);
	CHECK_INT(fake.addrs, 1);
	CHECK_INT(fake.holds, 2);
	CHECK_STR(a1.ncsc->sni, "mx1.example");
	CHECK_INT(fake.sessions, 0); /* the first step comes from the loop */
	for (i = 0; i < 2 * NCSC_ATTEMPTS_MAX && fake.releases == 0; i++) {
		(void)event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		if (fake.done) {
			CHECK(fake.hooks != NULL && fake.host != NULL);
			CHECK_STR(fake.host->name, "mx1.example");
			CHECK_STR(fake.ar->ip, "192.0.2.1");
			fake_answer_refused();
		}
	}
	CHECK_INT(fake.releases, 2);
	CHECK(fake.sessions >= 1 && fake.sessions <= NCSC_ATTEMPTS_MAX);
	CHECK_INT(a1.ncsc->state, NCSC_INCOMPLETE);
	CHECK_INT(a1.ncsc->handshakes, fake.sessions);

	unit_case("finished: a later name on the IP shares it and does not wait");
	a3.status = ADDR_OK;
	tls_ncsc_addr_done(st, &h2, &a3);
	CHECK(a3.ncsc == a1.ncsc && fake.holds == 2 && fake.addrs == 1);
	tls_ncsc_addr_free(st, &a1);
	tls_ncsc_addr_free(st, &a2);
	tls_ncsc_addr_free(st, &a3); /* the last one frees it */

	unit_case("the time cap cancels the session under way");
	memset(&fake, 0, sizeof(fake));
	env.timeout_ms = 5; /* a cap of 20 ms */
	a1.ncsc = NULL;
	tls_ncsc_addr_done(st, &h1, &a1);
	CHECK(a1.ncsc != NULL && fake.holds == 1);
	for (i = 0; i < 1000 && fake.releases == 0; i++)
		(void)event_base_loop(base, EVLOOP_ONCE);
	CHECK_INT(fake.releases, 1);
	CHECK_INT(fake.cancels, 1);
	CHECK(a1.ncsc && a1.ncsc->state == NCSC_INCOMPLETE &&
	      strstr(a1.ncsc->note, "time cap of 20 ms") != NULL);
	tls_ncsc_addr_free(st, &a1);

	unit_case("the run is stopping: no new probe");
	memset(&fake, 0, sizeof(fake));
	fake.stopping = true;
	a4.ncsc = NULL;
	tls_ncsc_addr_done(st, &h1, &a4);
	CHECK(a4.ncsc == NULL && fake.addrs == 0);

	unit_case("the engine cannot queue a session: the probe ends, its host goes on");
	memset(&fake, 0, sizeof(fake));
	fake.fail_session = true;
	tls_ncsc_addr_done(st, &h1, &a4);
	(void)event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	CHECK(a4.ncsc && a4.ncsc->state == NCSC_INCOMPLETE &&
	      strstr(a4.ncsc->note, "out of memory") != NULL && fake.releases == 1);

	unit_case("torn down in the middle of a probe: everything is freed (ASan)");
	memset(&fake, 0, sizeof(fake));
	a2.ncsc = NULL;
	(void)snprintf(a2.ip, sizeof(a2.ip), "192.0.2.3");
	tls_ncsc_addr_done(st, &h2, &a2);
	(void)event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	CHECK(fake.done != NULL);
	tls_ncsc_run_free(st); /* a4's finished probe and a2's running one */
	event_base_free(base);
	unit_case("%s", "");
}

/* ---- CAA on the MX host names (tls_ncsc_caa.c) ---- */

static char caa_asked[8][DNS_NAME_MAX + 1];
static size_t caa_nasked;
static probe_dns_cb caa_cb;

static int caa_fake_query(struct domain_scan *ds, const char *name, uint16_t type, probe_dns_cb cb)
{
	(void)ds;
	if (type != DNS_T_CAA || caa_nasked >= UNIT_COUNT(caa_asked))
		return -1;
	(void)snprintf(caa_asked[caa_nasked++], sizeof(caa_asked[0]), "%s", name);
	caa_cb = cb;
	return 0;
}

void test_ncsc_caa(void)
{
	/* per name climbed: 'n' NODATA, 'x' NXDOMAIN, 'c' CAA, 's' SERVFAIL,
	 * 'b' DNSSEC bogus */
	static const struct {
		const char *name, *host, *answers;
		const char *asked; /* the names asked, comma separated */
		const char *state; /* the evidence's state */
		bool notice;
	} cases[] = {
	    {"CAA at the host", "mx.a.example", "c", "mx.a.example", "found", false},
	    {"CAA one up, at the registrable domain", "mx.a.example", "nc",
	     "mx.a.example,a.example", "found", false},
	    {"none up to the registrable domain (not the public suffix)", "mx.b.a.example", "xnn",
	     "mx.b.a.example,b.a.example,a.example", "none", true},
	    {"a failed lookup says nothing", "mx.a.example", "s", "mx.a.example", "lookup-failed",
	     false},
	    {"DNSSEC bogus says nothing", "mx.a.example", "nb", "mx.a.example,a.example",
	     "lookup-failed", false},
	};
	static const struct probe_env env = {.query = caa_fake_query};
	static struct domain_scan ds;
	static struct mx_host host;
	size_t i, k;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		struct probe_verdict pv;
		struct dns_rr rr;
		struct json j;
		struct buf b;
		char asked[256];
		size_t len = 0;

		unit_case("%s", cases[i].name);
		memset(&ds, 0, sizeof(ds));
		memset(&host, 0, sizeof(host));
		caa_nasked = 0;
		ds.env = &env;
		ds.mx_kind = MX_LIST;
		(void)snprintf(host.name, sizeof(host.name), "%s", cases[i].host);
		ds.mx[0].host = &host;
		ds.nmx = 1;
		tls_ncsc_caa_start(&ds, &env);
		for (k = 0; k < caa_nasked && cases[i].answers[k]; k++) {
			struct dns_answer a;
			char c = cases[i].answers[k];

			memset(&a, 0, sizeof(a));
			memset(&rr, 0, sizeof(rr));
			a.qname = caa_asked[k];
			a.qtype = DNS_T_CAA;
			a.status = c == 'x' ? DNS_NXDOMAIN : c == 's' ? DNS_SERVFAIL : DNS_OK;
			a.sec = c == 'b' ? SEC_BOGUS : SEC_SECURE;
			if (c == 'c') {
				rr.type = DNS_T_CAA;
				rr.txt = (char *)"issue ca.example";
				a.rr = &rr;
				a.n = 1;
			}
			caa_cb(&ds, &a);
		}
		asked[0] = '\0';
		for (k = 0; k < caa_nasked; k++)
			len += (size_t)snprintf(asked + len,
						len < sizeof(asked) ? sizeof(asked) - len : 0,
						"%s%s", k ? "," : "", caa_asked[k]);
		CHECK_STR(asked, cases[i].asked);
		CHECK(tls_ncsc_caa_missing(&ds, &host) == cases[i].notice);
		buf_init(&b, 4096);
		json_init(&j, &b);
		json_obj_open(&j);
		tls_ncsc_caa_evidence(&ds, &host, &j);
		json_obj_close(&j);
		CHECK(buf_str(&b) && strstr(buf_str(&b), cases[i].state) != NULL);
		buf_free(&b);
		/* the verdict: a notice beside it, never lower */
		memset(&pv, 0, sizeof(pv));
		host.done = true;
		probe_tls_ncsc.evaluate(&ds, &pv);
		CHECK_INT(pv.nreasons > 0 && strcmp(pv.reasons[0], "ncsc-caa-missing") == 0,
			  cases[i].notice);
		tls_ncsc_caa_cleanup(&ds);
	}
	unit_case("%s", "");
}
