/*
 * fuzz_dns_reply.c - libFuzzer harness for probes/dns.c dns_answer_from_wire,
 * the checks and the copy-out of a DNS reply in wire format. The first byte
 * picks the type asked and the validator's verdict; the rest is the reply,
 * to the question a.example. Whatever comes in, a refused reply carries no
 * records and no DNSSEC state, and an accepted one only records of the type
 * asked.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../probes/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t types[] = {DNS_T_MX,   DNS_T_A,   DNS_T_AAAA,
					 DNS_T_TLSA, DNS_T_TXT, DNS_T_SOA};
	struct dns_answer a;
	size_t i;

	if (size < 1)
		return 0;
	memset(&a, 0, sizeof(a));
	a.qname = "a.example";
	a.qtype = types[data[0] % 6];
	dns_answer_from_wire(&a, data + 1, size - 1, (data[0] >> 4) % 3);
	if (a.status == DNS_BADREPLY && (a.n != 0 || a.sec != SEC_UNKNOWN))
		__builtin_trap();
	for (i = 0; i < a.n; i++)
		if (a.rr[i].type != a.qtype)
			__builtin_trap();
	if (a.error[sizeof(a.error) - 1] != '\0' || a.canonical[sizeof(a.canonical) - 1] != '\0')
		__builtin_trap();
	dns_answer_free(&a);
	return 0;
}
