/*
 * tls.h - OpenSSL glue for the SMTP probe: the client context, DANE set-up
 * (RFC 6698, RFC 7671, RFC 7672 §3) through OpenSSL's own DANE API, and the
 * facts we record about a handshake and its certificate, with PKIX
 * validation by X509_verify_cert and DNS-ID name checks (RFC 6125).
 */
#ifndef MAILSCAN_TLS_H
#define MAILSCAN_TLS_H

#include <openssl/ssl.h>

#include "scan.h"

/*
 * A client context that accepts TLS 1.0 - 1.3 and every cipher OpenSSL
 * still has (security level 0): the probe must be able to *see* what an old
 * server speaks in order to judge it; that includes a server without RFC
 * 5746 secure renegotiation (SSL_OP_LEGACY_SERVER_CONNECT, which OpenSSL 3
 * clears). Verification is not enforced during the handshake
 * (SSL_VERIFY_NONE); results are read afterwards. ca_file
 * NULL means the system store. Returns NULL with err filled on failure.
 */
SSL_CTX *tls_client_ctx_new(const char *ca_file, char *err, size_t errlen);

/*
 * Prepare ssl for a connection to MX host `host`: SNI = host (RFC 7672
 * §8.1), and when host has usable TLSA records, DANE with those records
 * (usage 2 and 3 only; 0/1 are unusable for SMTP, RFC 7672 §3.1.3).
 * Returns the number of TLSA records OpenSSL accepted (0: DANE not in use),
 * or -1 on an OpenSSL error.
 */
int tls_prepare(SSL *ssl, const struct mx_host *host);

/*
 * Count the records of host that OpenSSL would use (usage 2 or 3, a
 * selector and matching type it knows, right digest length). Used to tell
 * dane-unusable from a usable set before any connection.
 */
size_t tls_count_usable_tlsa(const struct mx_host *host);

/*
 * After a completed handshake: fill version, cipher, group, certificate
 * details, PKIX validity against store, name match against host, and the
 * DANE outcome when DANE was enabled (tlsa_added > 0).
 */
void tls_record(SSL *ssl, X509_STORE *store, const char *host, int tlsa_added,
		struct addr_result *ar);

/*
 * After a completed handshake: the facts the tls_ncsc probe judges
 * (version, suite, key-exchange group and size, EMS, secure renegotiation,
 * compression) into f.
 */
void tls_facts_get(SSL *ssl, struct tls_facts *f);

/*
 * What a presented chain says without a handshake or a trust store: the
 * leaf's names, subjectAltName DNS-IDs, expiry, key and signature and
 * fingerprint, a brief (key, curve, signature hash, self-signed) of each
 * certificate of chain (or of the leaf alone when chain is NULL or empty),
 * and whether a DNS-ID matches host. Fills *ci, which the caller zeroed;
 * everything from the certificates is sanitised. PKIX is not judged here.
 * tls_record() uses it; the certificate fuzzer feeds it DER.
 */
void tls_chain_facts(X509 *leaf, STACK_OF(X509) * chain, const char *host, struct cert_info *ci);

/* The context's trust store (borrowed). */
X509_STORE *tls_ctx_store(SSL_CTX *ctx);

#endif
