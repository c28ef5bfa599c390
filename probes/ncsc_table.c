/*
 * ncsc_table.c - the classification data of the NCSC TLS guidelines
 * (2025-05), see ncsc_table.h. Every row carries its reference.
 *
 * Sources: the section numbers are those internet.nl cites for the 2025
 * edition in its code (checks/tasks/tls/tls_constants.py and evaluation.py,
 * "Update sslyze branch to NCSC 2025", Internet.nl v1.11); the lists follow
 * internet.nl where the 2025 text itself was not available to check:
 *  - versions: TLS 1.3 good, TLS 1.2 sufficient, nothing phase-out, TLS 1.1,
 *    1.0 and SSL 3.0 insufficient (2025 moved 1.0/1.1 from phase-out);
 *  - cipher suites: appendix B lists good, sufficient and phase-out suites;
 *    any suite not listed is insufficient (RSA key exchange, CBC with
 *    SHA-1, CCM_8, anonymous, NULL, 3DES, RC4, DHE-DSS ...);
 *  - groups: ECDHE on P-256/384/521, brainpool and X25519/X448 good,
 *    P-224 phase-out, other curves insufficient; finite-field DHE only with
 *    the RFC 7919 groups ffdhe3072 and larger, phase-out; ffdhe2048 and
 *    every other DH group insufficient (§3.3.3.1);
 *  - certificates: RSA >= 3072 good, 2048..3071 phase-out, less
 *    insufficient; EC on the good curves good, P-224 phase-out; EdDSA good;
 *    DSA insufficient; signatures with SHA-256/384/512 (or EdDSA) good,
 *    SHA-224 phase-out, SHA-1 and MD5 insufficient.
 * Differences from internet.nl, on purpose: RSA-PSS signatures are judged
 * by their hash (internet.nl's list lacks the PSS OIDs and would fail
 * them). Where the earlier rows went beyond both, they were cut back:
 *  - TLS_ECDHE_RSA_WITH_AES_{128,256}_CCM are no rows: IANA assigned no code
 *    point to them (RFC 7251 defines CCM for ECDHE_ECDSA only; the TLS
 *    Cipher Suites registry has none for ECDHE_RSA), so no server can
 *    negotiate them and a row would only hide a typo;
 *  - SHA3-256/384/512 signatures are insufficient, not good: the hash
 *    table for signatures (§3.3.5 as internet.nl implements it) lists
 *    SHA-256/384/512 good and SHA-224 phase-out and nothing else, and what
 *    the guidelines do not list may not be used (as appendix B for suites;
 *    internet.nl's tls_constants rates SHA-3 signatures insufficient).
 */
#include "ncsc_table.h"

#include <openssl/ssl.h>
#include <stdio.h>
#include <strings.h>

#define REF_VERSION "NCSC 2025 §3.3.1 (protocol versions)"
#define REF_SUITE "NCSC 2025 appendix B, §3.3.3-3.3.4 (cipher suites)"
#define REF_SUITE_UNLISTED "NCSC 2025 appendix B: not listed, so insufficient (as internet.nl)"
#define REF_EC "NCSC 2025 §3.3.2.1 (elliptic curves)"
#define REF_FFDHE "NCSC 2025 §3.3.3.1 (finite-field groups: RFC 7919 ffdhe3072 and up)"
#define REF_DH_OTHER "NCSC 2025 §3.3.3.1: DH groups other than ffdhe3072+ are insufficient"
#define REF_RSA "NCSC 2025 §3.3.2.1 (RSA: 3072+ good, 2048-3071 phase-out)"
#define REF_EDDSA "NCSC 2025 §3.3.2.1 (EdDSA)"
#define REF_DSA "NCSC 2025 §3.3.2.1: DSA is not listed, so insufficient (as internet.nl)"
#define REF_SIG "NCSC 2025 §3.3.2, §3.3.5 (hash functions for signatures)"
#define REF_SIG_SHA3                                                                               \
	"NCSC 2025 §3.3.5 lists SHA-256/384/512 and SHA-224 only: SHA-3 not listed, so "          \
	"insufficient (as internet.nl tls_constants)"

const char *const ncsc_ref_compression = "NCSC 2025 §3.4.1 (TLS compression: insufficient)";
const char *const ncsc_ref_renegotiation =
    "NCSC 2025 §3.4.2 (renegotiation without RFC 5746: insufficient)";
const char *const ncsc_ref_ems =
    "NCSC 2025 §3.4 (extended master secret, RFC 7627; internet.nl v1.11 fails its absence)";
const char *const ncsc_ref_order =
    "NCSC 2025 §3.3 (server cipher preference; internet.nl v1.11 fails a wrong or no preference)";

const char *ncsc_class_name(enum ncsc_class c)
{
	switch (c) {
	case NCSC_GOOD:
		return "good";
	case NCSC_SUFFICIENT:
		return "sufficient";
	case NCSC_PHASE_OUT:
		return "phase-out";
	case NCSC_INSUFFICIENT:
		break;
	}
	return "insufficient";
}

/* ---- protocol versions ---- */

enum ncsc_class ncsc_version_class(int version, const char **ref)
{
	if (ref)
		*ref = REF_VERSION;
	switch (version) {
	case TLS1_3_VERSION:
		return NCSC_GOOD;
	case TLS1_2_VERSION:
		return NCSC_SUFFICIENT;
	default: /* TLS 1.1, TLS 1.0, SSL 3.0 and older */
		return NCSC_INSUFFICIENT;
	}
}

/* ---- cipher suites (IANA names) ---- */

const struct ncsc_row ncsc_suite_rows[] = {
    /* TLS 1.3 */
    {"TLS_AES_256_GCM_SHA384", NCSC_GOOD, REF_SUITE},
    {"TLS_CHACHA20_POLY1305_SHA256", NCSC_GOOD, REF_SUITE},
    {"TLS_AES_128_GCM_SHA256", NCSC_SUFFICIENT, REF_SUITE},
    {"TLS_AES_128_CCM_SHA256", NCSC_SUFFICIENT, REF_SUITE},
    /* TLS 1.2: ECDHE with AEAD */
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", NCSC_SUFFICIENT, REF_SUITE},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", NCSC_SUFFICIENT, REF_SUITE},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CCM", NCSC_SUFFICIENT, REF_SUITE},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", NCSC_SUFFICIENT, REF_SUITE},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CCM", NCSC_SUFFICIENT, REF_SUITE},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", NCSC_SUFFICIENT, REF_SUITE},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", NCSC_SUFFICIENT, REF_SUITE},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", NCSC_SUFFICIENT, REF_SUITE},
    /* phase-out: ECDHE with CAMELLIA, ARIA and AES-CBC with SHA-2 */
    {"TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", NCSC_PHASE_OUT, REF_SUITE},
    /* phase-out: finite-field DHE with RSA authentication */
    {"TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_DHE_RSA_WITH_AES_256_CCM", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_DHE_RSA_WITH_AES_128_CCM", NCSC_PHASE_OUT, REF_SUITE},
    {"TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", NCSC_PHASE_OUT, REF_SUITE},
};
const size_t ncsc_nsuite_rows = sizeof(ncsc_suite_rows) / sizeof(ncsc_suite_rows[0]);

static const struct ncsc_row *ncsc_find(const struct ncsc_row *rows, size_t n, const char *name)
{
	size_t i;

	if (!name || !name[0])
		return NULL;
	for (i = 0; i < n; i++)
		if (strcasecmp(rows[i].name, name) == 0)
			return &rows[i];
	return NULL;
}

enum ncsc_class ncsc_suite_class(const char *suite, const char **ref)
{
	const struct ncsc_row *r = ncsc_find(ncsc_suite_rows, ncsc_nsuite_rows, suite);

	if (ref)
		*ref = r ? r->ref : REF_SUITE_UNLISTED;
	return r ? r->cls : NCSC_INSUFFICIENT;
}

/* ---- key-exchange groups ---- */

const struct ncsc_row ncsc_group_rows[] = {
    {"x25519", NCSC_GOOD, REF_EC},
    {"x448", NCSC_GOOD, REF_EC},
    {"secp256r1", NCSC_GOOD, REF_EC},
    {"prime256v1", NCSC_GOOD, REF_EC},
    {"P-256", NCSC_GOOD, REF_EC},
    {"secp384r1", NCSC_GOOD, REF_EC},
    {"P-384", NCSC_GOOD, REF_EC},
    {"secp521r1", NCSC_GOOD, REF_EC},
    {"P-521", NCSC_GOOD, REF_EC},
    {"brainpoolP256r1", NCSC_GOOD, REF_EC},
    {"brainpoolP384r1", NCSC_GOOD, REF_EC},
    {"brainpoolP512r1", NCSC_GOOD, REF_EC},
    {"brainpoolP256r1tls13", NCSC_GOOD, REF_EC},
    {"brainpoolP384r1tls13", NCSC_GOOD, REF_EC},
    {"brainpoolP512r1tls13", NCSC_GOOD, REF_EC},
    {"secp224r1", NCSC_PHASE_OUT, REF_EC},
    {"P-224", NCSC_PHASE_OUT, REF_EC},
    {"ffdhe3072", NCSC_PHASE_OUT, REF_FFDHE},
    {"ffdhe4096", NCSC_PHASE_OUT, REF_FFDHE},
    {"ffdhe6144", NCSC_PHASE_OUT, REF_FFDHE},
    {"ffdhe8192", NCSC_PHASE_OUT, REF_FFDHE},
    {"ffdhe2048", NCSC_INSUFFICIENT, REF_FFDHE},
};
const size_t ncsc_ngroup_rows = sizeof(ncsc_group_rows) / sizeof(ncsc_group_rows[0]);

enum ncsc_class ncsc_group_class(const char *group, int dh, int bits, const char **ref)
{
	const struct ncsc_row *r = ncsc_find(ncsc_group_rows, ncsc_ngroup_rows, group);

	(void)bits; /* a DH group that is not named is insufficient at any size */
	if (r) {
		if (ref)
			*ref = r->ref;
		return r->cls;
	}
	if (ref)
		*ref = dh ? REF_DH_OTHER : REF_EC;
	return NCSC_INSUFFICIENT; /* other curves (secp192r1, sect*, secp256k1 ...), modp */
}

/* ---- certificates ---- */

enum ncsc_class ncsc_cert_key_class(const char *key_type, int bits, const char *curve,
				    const char **ref)
{
	if (!key_type)
		key_type = "";
	if (strcasecmp(key_type, "RSA") == 0 || strcasecmp(key_type, "RSA-PSS") == 0) {
		if (ref)
			*ref = REF_RSA;
		return bits >= 3072 ? NCSC_GOOD : bits >= 2048 ? NCSC_PHASE_OUT : NCSC_INSUFFICIENT;
	}
	if (strcasecmp(key_type, "EC") == 0) {
		const struct ncsc_row *r = ncsc_find(ncsc_group_rows, ncsc_ngroup_rows, curve);

		if (ref)
			*ref = REF_EC;
		/* the curve rows of the group table (an ffdhe group is no curve) */
		if (r && strncasecmp(r->name, "ffdhe", 5) != 0)
			return r->cls;
		return NCSC_INSUFFICIENT;
	}
	if (strcasecmp(key_type, "ED25519") == 0 || strcasecmp(key_type, "ED448") == 0) {
		if (ref)
			*ref = REF_EDDSA;
		return NCSC_GOOD;
	}
	if (ref)
		*ref = REF_DSA;
	return NCSC_INSUFFICIENT; /* DSA and anything unknown */
}

enum ncsc_class ncsc_sig_class(const char *hash, const char *key_type, const char **ref)
{
	static const struct ncsc_row hashes[] = {
	    {"SHA256", NCSC_GOOD, REF_SIG},
	    {"SHA384", NCSC_GOOD, REF_SIG},
	    {"SHA512", NCSC_GOOD, REF_SIG},
	    {"SHA3-256", NCSC_INSUFFICIENT, REF_SIG_SHA3},
	    {"SHA3-384", NCSC_INSUFFICIENT, REF_SIG_SHA3},
	    {"SHA3-512", NCSC_INSUFFICIENT, REF_SIG_SHA3},
	    {"INTRINSIC", NCSC_GOOD, REF_SIG}, /* EdDSA */
	    {"SHA224", NCSC_PHASE_OUT, REF_SIG},
	    {"SHA1", NCSC_INSUFFICIENT, REF_SIG},
	    {"MD5", NCSC_INSUFFICIENT, REF_SIG},
	    {"MD4", NCSC_INSUFFICIENT, REF_SIG},
	    {"MD2", NCSC_INSUFFICIENT, REF_SIG},
	    {"MD5-SHA1", NCSC_INSUFFICIENT, REF_SIG},
	};
	const struct ncsc_row *r = ncsc_find(hashes, sizeof(hashes) / sizeof(hashes[0]), hash);

	if (key_type && strcasecmp(key_type, "DSA") == 0) {
		if (ref)
			*ref = REF_DSA;
		return NCSC_INSUFFICIENT;
	}
	if (ref)
		*ref = r ? r->ref : REF_SIG;
	return r ? r->cls : NCSC_INSUFFICIENT;
}
