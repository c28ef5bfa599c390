/*
 * fuzz_cert.c - libFuzzer harness for certificate handling: a chain of DER
 * certificates (one after another, as a server sends them) through
 * tls_chain_facts() (probes/tls.c: names, subjectAltName, expiry, key and
 * signature, the name check) and the NCSC classification of keys and
 * signatures (ncsc_cert_findings(), probes/ncsc.c and ncsc_table.c).
 */
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../probes/ncsc.h"
#include "../../probes/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cert_info ci; /* large: not on the stack */
	struct ncsc_item items[64];
	const unsigned char *p = data;
	STACK_OF(X509) *chain = sk_X509_new_null();
	size_t i, n;

	if (!chain)
		return 0;
	while (p < data + size && sk_X509_num(chain) < 12) {
		X509 *x = d2i_X509(NULL, &p, (long)(data + size - p));

		if (!x)
			break;
		if (!sk_X509_push(chain, x)) {
			X509_free(x);
			break;
		}
	}
	if (sk_X509_num(chain) > 0) {
		memset(&ci, 0, sizeof(ci));
		tls_chain_facts(sk_X509_value(chain, 0), chain, "mx.example.com", &ci);
		if (ci.ncerts > SCAN_CHAIN_MAX || ci.nsan > SCAN_SAN_MAX ||
		    strlen(ci.subject) >= sizeof(ci.subject))
			__builtin_trap();
		for (i = 0; i < ci.nsan; i++)
			if (strpbrk(ci.san[i], "\r\n\033"))
				__builtin_trap(); /* sanitised */
		n = ncsc_cert_findings(&ci, items, sizeof(items) / sizeof(items[0]));
		if (n > sizeof(items) / sizeof(items[0]))
			__builtin_trap();
	}
	sk_X509_pop_free(chain, X509_free);
	return 0;
}
