/*
 * tls.c - OpenSSL glue for the SMTP probe (see tls.h).
 *
 * PKIX: X509_verify_cert over the presented chain with the configured
 * store, purpose "SSL server"; the name is checked separately against the
 * subjectAltName DNS-IDs only (X509_CHECK_FLAG_NEVER_CHECK_SUBJECT), as
 * MTA-STS requires (RFC 8461 §4.2) and RFC 6125 recommends.
 * DANE: SSL_dane_enable / SSL_dane_tlsa_add / SSL_get0_dane_authority;
 * DANE-EE(3) without name checks (RFC 7671 §5.1), DANE-TA(2) with the MX
 * host name as reference identifier (RFC 7672 §3.2.3).
 */
#include "tls.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../base/log.h"
#include "../base/str.h"

SSL_CTX *tls_client_ctx_new(const char *ca_file, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx) {
		(void)snprintf(err, errlen, "OpenSSL: cannot create a TLS context");
		return NULL;
	}
	SSL_CTX_set_security_level(ctx, 0);
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0")) {
		(void)snprintf(err, errlen, "OpenSSL: cannot open up the protocol range");
		goto fail;
	}
	/* OpenSSL 3 refuses to finish a handshake with a server that does not
	 * support RFC 5746 secure renegotiation (no renegotiation_info). The
	 * scanner must observe such a server, not refuse it: a sending MTA that
	 * allows legacy servers gets TLS from it. So STARTTLS is judged on its own
	 * merits and the missing RFC 5746 is tls_ncsc's finding
	 * (SSL_get_secure_renegotiation_support, ncsc-renegotiation-insecure).
	 * Unsafe renegotiation itself stays off (SSL_OP_ALLOW_UNSAFE_LEGACY_-
	 * RENEGOTIATION is set only for tls_ncsc's one renegotiation test). The
	 * MTA-STS HTTPS client (base/fetch.c, libcurl's own context) keeps
	 * OpenSSL's default. */
	SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (SSL_CTX_dane_enable(ctx) <= 0) {
		(void)snprintf(err, errlen, "OpenSSL: DANE not available");
		goto fail;
	}
	if (ca_file) {
		if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
			(void)snprintf(err, errlen, "%s: cannot load CA certificates", ca_file);
			goto fail;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		(void)snprintf(err, errlen, "OpenSSL: cannot load the system CA store");
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

X509_STORE *tls_ctx_store(SSL_CTX *ctx) { return SSL_CTX_get_cert_store(ctx); }

/* Would OpenSSL accept this record as usable for SMTP? */
static bool tls_tlsa_usable(const struct tlsa_rr *t)
{
	if (t->usage != 2 && t->usage != 3)
		return false;
	if (t->selector > 1)
		return false;
	switch (t->mtype) {
	case 0:
		return t->datalen > 0;
	case 1:
		return t->datalen == 32;
	case 2:
		return t->datalen == 64;
	default:
		return false;
	}
}

size_t tls_count_usable_tlsa(const struct mx_host *host)
{
	size_t i, n = 0;

	for (i = 0; i < host->ntlsa; i++)
		if (tls_tlsa_usable(&host->tlsa[i]))
			n++;
	return n;
}

int tls_prepare(SSL *ssl, const struct mx_host *host)
{
	size_t i;
	int added = 0;

	if (!SSL_set_tlsext_host_name(ssl, host->name))
		return -1;
	if (host->tlsa_state != TLSA_PRESENT || tls_count_usable_tlsa(host) == 0)
		return 0;
	if (SSL_dane_enable(ssl, host->name) <= 0)
		return -1;
	/* RFC 7672 §3.2.3: the reference identifiers are the MX host name and,
	 * after a secure CNAME, its target. */
	if (host->canonical[0] && !SSL_add1_host(ssl, host->canonical))
		return -1;
	(void)SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	for (i = 0; i < host->ntlsa; i++) {
		const struct tlsa_rr *t = &host->tlsa[i];
		int rc;

		if (t->usage != 2 && t->usage != 3)
			continue; /* PKIX-TA/EE are unusable for SMTP (RFC 7672 §3.1.3) */
		rc = SSL_dane_tlsa_add(ssl, t->usage, t->selector, t->mtype, t->data, t->datalen);
		if (rc > 0)
			added++;
		else if (rc < 0)
			return -1;
		/* rc == 0: a record OpenSSL cannot use; skipped like a sender would */
	}
	return added;
}

static void tls_name_oneline(X509_NAME *n, char *out, size_t outlen)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL;
	long len;

	out[0] = '\0';
	if (!b)
		return;
	if (X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253) >= 0) {
		len = BIO_get_mem_data(b, &p);
		if (len > 0)
			(void)str_sanitise(out, outlen, p, (size_t)len);
	}
	BIO_free(b);
}

static void tls_cert_details(X509 *cert, struct cert_info *ci)
{
	GENERAL_NAMES *sans;
	const ASN1_TIME *na;
	struct tm tm;
	EVP_PKEY *pk;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	int nid;

	ci->present = true;
	tls_name_oneline(X509_get_subject_name(cert), ci->subject, sizeof(ci->subject));
	tls_name_oneline(X509_get_issuer_name(cert), ci->issuer, sizeof(ci->issuer));
	na = X509_get0_notAfter(cert);
	if (na && ASN1_TIME_to_tm(na, &tm) == 1)
		(void)strftime(ci->not_after, sizeof(ci->not_after), "%Y-%m-%dT%H:%M:%SZ", &tm);
	pk = X509_get0_pubkey(cert);
	if (pk) {
		int id = EVP_PKEY_get_base_id(pk);
		const char *t = id == EVP_PKEY_RSA       ? "RSA"
				: id == EVP_PKEY_EC      ? "EC"
				: id == EVP_PKEY_DSA     ? "DSA"
				: id == EVP_PKEY_ED25519 ? "ED25519"
				: id == EVP_PKEY_ED448   ? "ED448"
							 : OBJ_nid2sn(id);

		(void)str_copy(ci->key_type, sizeof(ci->key_type), t ? t : "unknown");
		ci->key_bits = EVP_PKEY_get_bits(pk);
	}
	nid = X509_get_signature_nid(cert);
	(void)str_copy(ci->sig_alg, sizeof(ci->sig_alg),
		       OBJ_nid2ln(nid) ? OBJ_nid2ln(nid) : "unknown");
	if (X509_digest(cert, EVP_sha256(), md, &mdlen) == 1)
		for (i = 0; i < mdlen && i < 32; i++)
			(void)snprintf(ci->sha256 + 2 * i, 3, "%02x", md[i]);
	sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (sans) {
		int k, n = sk_GENERAL_NAME_num(sans);

		for (k = 0; k < n && ci->nsan < SCAN_SAN_MAX; k++) {
			const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, k);

			if (g->type != GEN_DNS)
				continue;
			(void)str_sanitise(ci->san[ci->nsan++], sizeof(ci->san[0]),
					   (const char *)ASN1_STRING_get0_data(g->d.dNSName),
					   (size_t)ASN1_STRING_length(g->d.dNSName));
		}
		GENERAL_NAMES_free(sans);
	}
}

static const char *tls_key_type(EVP_PKEY *pk)
{
	int id = EVP_PKEY_get_base_id(pk);
	const char *t = id == EVP_PKEY_RSA       ? "RSA"
			: id == EVP_PKEY_RSA_PSS ? "RSA-PSS"
			: id == EVP_PKEY_EC      ? "EC"
			: id == EVP_PKEY_DSA     ? "DSA"
			: id == EVP_PKEY_ED25519 ? "ED25519"
			: id == EVP_PKEY_ED448   ? "ED448"
						 : OBJ_nid2sn(id);

	return t ? t : "unknown";
}

/* The public key and signature of one certificate, for tls_ncsc. */
static void tls_cert_brief(X509 *cert, struct cert_brief *b)
{
	EVP_PKEY *pk = X509_get0_pubkey(cert);
	int mdnid = NID_undef, pknid = NID_undef, nid = X509_get_signature_nid(cert);
	const char *sn;
	char cn[128];

	memset(b, 0, sizeof(*b));
	tls_name_oneline(X509_get_subject_name(cert), b->subject, sizeof(b->subject));
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn)) >
	    0)
		(void)str_sanitise(b->subject, sizeof(b->subject), cn, strlen(cn));
	if (pk) {
		(void)str_copy(b->key_type, sizeof(b->key_type), tls_key_type(pk));
		b->key_bits = EVP_PKEY_get_bits(pk);
		if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC &&
		    EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, b->curve,
						   sizeof(b->curve), NULL) != 1)
			b->curve[0] = '\0';
	}
	(void)str_copy(b->sig_alg, sizeof(b->sig_alg),
		       OBJ_nid2ln(nid) ? OBJ_nid2ln(nid) : "unknown");
	if (X509_get_signature_info(cert, &mdnid, &pknid, NULL, NULL) == 1) {
		if (mdnid == NID_undef && (pknid == NID_ED25519 || pknid == NID_ED448))
			(void)str_copy(b->sig_hash, sizeof(b->sig_hash), "INTRINSIC");
		else if ((sn = OBJ_nid2sn(mdnid)) != NULL)
			(void)str_copy(b->sig_hash, sizeof(b->sig_hash), sn);
		sn = pknid == EVP_PKEY_RSA       ? "RSA"
		     : pknid == EVP_PKEY_RSA_PSS ? "RSA-PSS"
		     : pknid == EVP_PKEY_EC      ? "EC"
		     : pknid == EVP_PKEY_DSA     ? "DSA"
						 : OBJ_nid2sn(pknid);
		(void)str_copy(b->sig_key, sizeof(b->sig_key), sn ? sn : "unknown");
	} else {
		/* a digest OpenSSL does not know (MD2, MD4 ...): let the name speak */
		(void)str_copy(b->sig_hash, sizeof(b->sig_hash), "unknown");
	}
	b->self_signed = (X509_get_extension_flags(cert) & EXFLAG_SS) != 0;
	ERR_clear_error();
}

void tls_chain_facts(X509 *leaf, STACK_OF(X509) * chain, const char *host, struct cert_info *ci)
{
	tls_cert_details(leaf, ci);
	ci->chain_len = chain ? (size_t)sk_X509_num(chain) : 1;
	if (chain && sk_X509_num(chain) > 0) {
		int k;

		for (k = 0; k < sk_X509_num(chain) && ci->ncerts < SCAN_CHAIN_MAX; k++)
			tls_cert_brief(sk_X509_value(chain, k), &ci->certs[ci->ncerts++]);
	} else {
		tls_cert_brief(leaf, &ci->certs[ci->ncerts++]);
	}
	ci->name_match = X509_check_host(leaf, host, 0,
					 X509_CHECK_FLAG_NEVER_CHECK_SUBJECT |
					     X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
					 NULL) == 1;
	ERR_clear_error();
}

/* PKIX: does the presented chain verify to the trust store? */
static void tls_pkix(SSL *ssl, X509 *leaf, X509_STORE *store, struct cert_info *ci)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	X509_STORE_CTX *vctx = X509_STORE_CTX_new();
	int err;

	ci->pkix_valid = false;
	if (!vctx) {
		(void)str_copy(ci->pkix_error, sizeof(ci->pkix_error), "out of memory");
		return;
	}
	if (X509_STORE_CTX_init(vctx, store, leaf, chain) != 1 ||
	    X509_STORE_CTX_set_purpose(vctx, X509_PURPOSE_SSL_SERVER) != 1) {
		(void)str_copy(ci->pkix_error, sizeof(ci->pkix_error),
			       "cannot set up verification");
		X509_STORE_CTX_free(vctx);
		return;
	}
	if (X509_verify_cert(vctx) == 1) {
		STACK_OF(X509) *path = X509_STORE_CTX_get0_chain(vctx);
		X509 *anchor = path ? sk_X509_value(path, sk_X509_num(path) - 1) : NULL;
		int k;

		ci->pkix_valid = true;
		/* the presented copy of the anchor: a known root (tls_ncsc skips it) */
		for (k = 1; anchor && chain && k < sk_X509_num(chain) && (size_t)k < ci->ncerts;
		     k++)
			if (X509_cmp(sk_X509_value(chain, k), anchor) == 0)
				ci->certs[k].known_root = true;
	} else {
		err = X509_STORE_CTX_get_error(vctx);
		(void)str_copy(ci->pkix_error, sizeof(ci->pkix_error),
			       X509_verify_cert_error_string(err));
	}
	X509_STORE_CTX_free(vctx);
}

void tls_facts_get(SSL *ssl, struct tls_facts *f)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
	EVP_PKEY *pk = NULL;
	int nid;

	memset(f, 0, sizeof(*f));
	f->version = SSL_version(ssl);
	if (c) {
		(void)str_copy(f->suite, sizeof(f->suite),
			       SSL_CIPHER_standard_name(c) ? SSL_CIPHER_standard_name(c)
							   : SSL_CIPHER_get_name(c));
		(void)str_copy(f->suite_ossl, sizeof(f->suite_ossl), SSL_CIPHER_get_name(c));
	}
	nid = SSL_get_negotiated_group(ssl);
	if (nid > 0) {
		const char *g = SSL_group_to_name(ssl, nid);

		if (!g)
			g = OBJ_nid2sn(nid);
		(void)str_copy(f->group, sizeof(f->group), g ? g : "");
	}
	if (SSL_get_peer_tmp_key(ssl, &pk) == 1 && pk) {
		f->kx_bits = EVP_PKEY_get_bits(pk);
		if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_DH) {
			f->kx_dh = true;
			/* OpenSSL recognises the RFC 7919 (and RFC 3526) groups by p and g */
			if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, f->group,
							   sizeof(f->group), NULL) != 1)
				f->group[0] = '\0';
		}
		EVP_PKEY_free(pk);
	}
	f->ems = f->version >= TLS1_3_VERSION ? -1 : SSL_get_extms_support(ssl) == 1;
	f->secure_reneg =
	    f->version >= TLS1_3_VERSION ? -1 : SSL_get_secure_renegotiation_support(ssl) == 1;
	f->compression = SSL_get_current_compression(ssl) != NULL;
	ERR_clear_error();
}

void tls_record(SSL *ssl, X509_STORE *store, const char *host, int tlsa_added,
		struct addr_result *ar)
{
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	int nid;

	(void)str_copy(ar->tls_version, sizeof(ar->tls_version), SSL_get_version(ssl));
	(void)str_copy(ar->cipher, sizeof(ar->cipher),
		       SSL_CIPHER_standard_name(SSL_get_current_cipher(ssl))
			   ? SSL_CIPHER_standard_name(SSL_get_current_cipher(ssl))
			   : SSL_get_cipher_name(ssl));
	nid = SSL_get_negotiated_group(ssl);
	if (nid > 0) {
		const char *g = SSL_group_to_name(ssl, nid);

		(void)str_copy(ar->group, sizeof(ar->group), g ? g : OBJ_nid2sn(nid));
	}
	tls_facts_get(ssl, &ar->facts);
	ar->dane_depth = -1;
	if (!leaf) {
		(void)str_copy(ar->cert.pkix_error, sizeof(ar->cert.pkix_error),
			       "no certificate presented");
		if (tlsa_added > 0) {
			ar->dane = DANE_MISMATCH;
			(void)str_copy(ar->dane_detail, sizeof(ar->dane_detail),
				       "no certificate presented");
		}
		return;
	}
	tls_chain_facts(leaf, chain, host, &ar->cert);
	tls_pkix(ssl, leaf, store, &ar->cert);
	if (tlsa_added > 0) {
		long vr = SSL_get_verify_result(ssl);
		int depth = SSL_get0_dane_authority(ssl, NULL, NULL);

		if (vr == X509_V_OK && depth >= 0) {
			ar->dane = DANE_MATCH;
			ar->dane_depth = depth;
			(void)snprintf(ar->dane_detail, sizeof(ar->dane_detail),
				       "TLSA matched at chain depth %d", depth);
		} else {
			ar->dane = DANE_MISMATCH;
			(void)snprintf(ar->dane_detail, sizeof(ar->dane_detail), "%s",
				       vr == X509_V_OK ? "no TLSA record matched"
						       : X509_verify_cert_error_string(vr));
		}
	}
}
