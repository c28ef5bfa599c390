/*
 * ncsc_table.h - how the NCSC "ICT-beveiligingsrichtlijnen voor Transport
 * Layer Security (TLS)" (2025-05 edition) classify what a TLS server
 * offers: protocol versions, cipher suites, key-exchange groups,
 * certificate public keys and signature hashes, each good / sufficient /
 * phase-out / insufficient. One data file (ncsc_table.c) with the guideline
 * reference beside every row; these lookups are the only way to read it.
 *
 * Where the 2025 text was not at hand, the rows follow the lists of
 * internet.nl (internetstandards/Internet.nl, checks/tasks/tls/
 * tls_constants.py and evaluation.py after its "NCSC 2025" update), which
 * implement the same guidelines; every such row says so in its reference.
 */
#ifndef MAILSCAN_NCSC_TABLE_H
#define MAILSCAN_NCSC_TABLE_H

#include <stddef.h>

/* Ordered: a higher value is worse. */
enum ncsc_class { NCSC_GOOD = 0, NCSC_SUFFICIENT, NCSC_PHASE_OUT, NCSC_INSUFFICIENT };

/* "good", "sufficient", "phase-out", "insufficient". */
const char *ncsc_class_name(enum ncsc_class c);

/* One row of a table: an item, its class and where the guidelines say so. */
struct ncsc_row {
	const char *name;
	enum ncsc_class cls;
	const char *ref;
};

/*
 * The lookups. Each returns the class and, when ref is not NULL, points
 * *ref at the guideline reference of the row that decided (a static
 * string). Names are compared case-insensitively.
 */

/* version: OpenSSL's SSL3_VERSION .. TLS1_3_VERSION (unknown: insufficient). */
enum ncsc_class ncsc_version_class(int version, const char **ref);

/* suite: the IANA name (SSL_CIPHER_standard_name), e.g.
 * "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256". Not listed: insufficient
 * (appendix B lists what may be used; everything else may not). */
enum ncsc_class ncsc_suite_class(const char *suite, const char **ref);

/* A key-exchange group as OpenSSL names it ("x25519", "secp256r1",
 * "prime256v1", "ffdhe3072", ...). dh: finite-field DHE; for DHE with
 * parameters that are no named group pass group "" and the key size in
 * bits: such groups are insufficient whatever their size. */
enum ncsc_class ncsc_group_class(const char *group, int dh, int bits, const char **ref);

/* A certificate public key: key_type "RSA", "EC", "ED25519", "ED448",
 * "DSA", ...; bits; curve for EC keys (OpenSSL name, e.g. "prime256v1"). */
enum ncsc_class ncsc_cert_key_class(const char *key_type, int bits, const char *curve,
				    const char **ref);

/* A certificate signature by its hash ("SHA256", "SHA1", "MD5",
 * "INTRINSIC" for EdDSA) and the signing key's type ("RSA", "EC", "DSA",
 * "RSA-PSS", "ED25519", ...). */
enum ncsc_class ncsc_sig_class(const char *hash, const char *key_type, const char **ref);

/* References for the configuration items that are one row each. */
extern const char *const ncsc_ref_compression;
extern const char *const ncsc_ref_renegotiation;
extern const char *const ncsc_ref_ems;
extern const char *const ncsc_ref_order;

/* The tables themselves (read-only), for the unit tests. */
extern const struct ncsc_row ncsc_suite_rows[];
extern const size_t ncsc_nsuite_rows;
extern const struct ncsc_row ncsc_group_rows[];
extern const size_t ncsc_ngroup_rows;

#endif
