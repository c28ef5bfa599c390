/*
 * test_ub_patch.c - tests/libunbound.patch: the memo of good signatures in
 * libunbound's validator (validator/val_secalgo.c, verify_canonrrset).
 *
 * The memo answers a signature check without the cryptography only when
 * algorithm, key, signature and signed data are all the very bytes of a
 * check that came out secure. These tests sign data with a fresh P-256 key
 * (DNSSEC algorithm 13: the key as x || y, the signature as r || s) and call
 * the patched check itself, which the static library built in deps/unbound
 * holds: a good signature is secure twice, the second time from the memo;
 * one byte changed in the data, the signature or the key, or another
 * algorithm, is bogus and never from the memo; a bogus result is never kept.
 *
 * Built on Debian's libunbound (tests/libunbound.sh fell back, and said so),
 * the patch is not there and nothing of it can be checked: the test says so
 * on stderr, in every run.
 */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

#ifdef MAILSCAN_UB_PATCHED
/* libunbound's own, not in its installed headers */
struct sldns_buffer;
struct sldns_buffer *sldns_buffer_new(size_t capacity);
void sldns_buffer_new_frm_data(struct sldns_buffer *buffer, void *data, size_t size);
void sldns_buffer_free(struct sldns_buffer *buffer);
/* enum sec_status: 1 bogus, 5 secure (validator/val_secalgo.h, util/data/packed_rrset.h) */
int verify_canonrrset(struct sldns_buffer *buf, int algo, unsigned char *sigblock,
		      unsigned int sigblock_len, unsigned char *key, unsigned int keylen,
		      char **reason);
/* the patch's counters, of the calling thread */
void mailscan_sigmemo_counts(unsigned long *checks, unsigned long *hits);

#define SEC_BOGUS 1
#define SEC_SECURE 5

/* A P-256 key as DNSKEY data (x || y), and a signature (r || s) over data. */
static int p256_key(EVP_PKEY **pkey, unsigned char key[64])
{
	unsigned char pub[65];
	size_t n = 0;

	*pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!*pkey ||
	    EVP_PKEY_get_octet_string_param(*pkey, "encoded-pub-key", pub, sizeof(pub), &n) != 1 ||
	    n != 65 || pub[0] != 4)
		return -1;
	memcpy(key, pub + 1, 64);
	return 0;
}

static int p256_sign(EVP_PKEY *pkey, const unsigned char *data, size_t len, unsigned char sig[64])
{
	unsigned char der[128];
	size_t dlen = sizeof(der);
	const unsigned char *p = der;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	ECDSA_SIG *es = NULL;
	const BIGNUM *r, *s;
	int rc = -1;

	if (ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1 &&
	    EVP_DigestSign(ctx, der, &dlen, data, len) == 1 &&
	    (es = d2i_ECDSA_SIG(NULL, &p, (long)dlen)) != NULL) {
		ECDSA_SIG_get0(es, &r, &s);
		if (BN_bn2binpad(r, sig, 32) == 32 && BN_bn2binpad(s, sig + 32, 32) == 32)
			rc = 0;
	}
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* One check of sig over data with key, asserted to count as one check; how
 * many of it the memo answered in *hits. */
static int check(int algo, const unsigned char *data, size_t len, const unsigned char sig[64],
		 const unsigned char key[64], unsigned long *hits)
{
	unsigned char d[512], s[64], k[64];
	unsigned long c0, h0, c1, h1;
	struct sldns_buffer *buf;
	char *reason = NULL;
	int sec;

	if (len > sizeof(d))
		return -1;
	memcpy(d, data, len);
	memcpy(s, sig, 64);
	memcpy(k, key, 64);
	buf = sldns_buffer_new(len); /* then a copy of d[len] in it, position 0, limit len */
	if (!buf)
		return -1;
	sldns_buffer_new_frm_data(buf, d, len);
	mailscan_sigmemo_counts(&c0, &h0);
	sec = verify_canonrrset(buf, algo, s, 64, k, 64, &reason);
	mailscan_sigmemo_counts(&c1, &h1);
	sldns_buffer_free(buf);
	CHECK_INT(c1 - c0, 1);
	*hits = h1 - h0;
	return sec;
}

void test_ub_sigmemo(void)
{
	/* the signed data of an RRSIG over an RRset, in form only: any bytes do */
	static const char text[] = "\x00\x30\x0d\x02\x00\x00\x0e\x10 an RRSIG's fields, then the "
				   "canonical RRset: example.nl. DNSKEY 257 3 13 ...";
	unsigned char data[sizeof(text) - 1], other[sizeof(text) - 1];
	unsigned char key[64], key2[64], sig[64], sig2[64], bad[64];
	EVP_PKEY *pk = NULL, *pk2 = NULL;
	unsigned long hits;

	memcpy(data, text, sizeof(data));
	if (p256_key(&pk, key) < 0 || p256_key(&pk2, key2) < 0 ||
	    p256_sign(pk, data, sizeof(data), sig) < 0 ||
	    p256_sign(pk2, data, sizeof(data), sig2) < 0) {
		CHECK(!"OpenSSL: cannot make a P-256 key and signature");
		goto out;
	}

	unit_case("a good signature: secure, checked");
	CHECK_INT(check(13, data, sizeof(data), sig, key, &hits), SEC_SECURE);
	CHECK_INT(hits, 0);
	unit_case("the same again: secure, from the memo");
	CHECK_INT(check(13, data, sizeof(data), sig, key, &hits), SEC_SECURE);
	CHECK_INT(hits, 1);

	for (size_t i = 0; i < sizeof(data); i += 13) {
		unit_case("data byte %zu changed: bogus, not from the memo", i);
		memcpy(other, data, sizeof(data));
		other[i] ^= 0x01;
		CHECK_INT(check(13, other, sizeof(data), sig, key, &hits), SEC_BOGUS);
		CHECK_INT(hits, 0);
	}
	unit_case("the data one byte shorter: bogus, not from the memo");
	CHECK_INT(check(13, data, sizeof(data) - 1, sig, key, &hits), SEC_BOGUS);
	CHECK_INT(hits, 0);
	for (size_t i = 0; i < 64; i += 9) {
		unit_case("signature byte %zu changed: bogus, not from the memo", i);
		memcpy(bad, sig, 64);
		bad[i] ^= 0x80;
		CHECK_INT(check(13, data, sizeof(data), bad, key, &hits), SEC_BOGUS);
		CHECK_INT(hits, 0);
		unit_case("key byte %zu changed: not secure, not from the memo", i);
		memcpy(bad, key, 64);
		bad[i] ^= 0x80; /* mostly no point of the curve: bogus either way */
		CHECK(check(13, data, sizeof(data), sig, bad, &hits) != SEC_SECURE);
		CHECK_INT(hits, 0);
	}
	unit_case("another key that did not sign it: bogus, not from the memo");
	CHECK_INT(check(13, data, sizeof(data), sig, key2, &hits), SEC_BOGUS);
	CHECK_INT(hits, 0);
	unit_case("algorithm 14 (P-384) for the same bytes: not secure, not from the memo");
	CHECK(check(14, data, sizeof(data), sig, key, &hits) != SEC_SECURE);
	CHECK_INT(hits, 0);

	unit_case("a bogus result is not kept: checked again");
	memcpy(bad, sig, 64);
	bad[10] ^= 0x01;
	CHECK_INT(check(13, data, sizeof(data), bad, key, &hits), SEC_BOGUS);
	CHECK_INT(check(13, data, sizeof(data), bad, key, &hits), SEC_BOGUS);
	CHECK_INT(hits, 0);

	unit_case("a second good signature over the same data: kept beside the first");
	CHECK_INT(check(13, data, sizeof(data), sig2, key2, &hits), SEC_SECURE);
	CHECK_INT(hits, 0);
	CHECK_INT(check(13, data, sizeof(data), sig2, key2, &hits), SEC_SECURE);
	CHECK_INT(hits, 1);
	CHECK_INT(check(13, data, sizeof(data), sig, key, &hits), SEC_SECURE);
	CHECK_INT(hits, 1);
	unit_case("%s", "");
out:
	EVP_PKEY_free(pk);
	EVP_PKEY_free(pk2);
}
#else
void test_ub_sigmemo(void)
{
	(void)fprintf(stderr,
		      "test_ub_sigmemo: NOT RUN: mailscan is built on Debian's "
		      "libunbound, without tests/libunbound.patch (see tests/libunbound.sh)\n");
}
#endif
