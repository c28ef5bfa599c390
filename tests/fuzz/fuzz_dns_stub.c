/*
 * fuzz_dns_stub.c - libFuzzer harness for probes/dns_stub.c: the checks a
 * reply from a resolver passes before the stub takes it (ID, QR, question,
 * every record inside the message) and the Extended DNS Error text taken
 * from its OPT record, through dns_stub_inspect_reply. The first byte picks
 * the type asked (low 3 bits) and the size of the EDE buffer (the next 3),
 * the next two the ID asked; the rest is the reply, to the question
 * a.example. Whatever comes in, the EDE text is a short printable string
 * inside its buffer, an accepted reply is a reply with our ID to our
 * question, and the answer does not change when asked again.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../probes/dns.h"
#include "../../probes/dns_stub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define EDE_BUF 256
#define CANARY 0xa5

/* ede (EDE_BUF octets, edelen of them given out) holds a NUL-terminated
 * printable string, and nothing past edelen was written. */
static void check_ede(const char *ede, size_t edelen)
{
	size_t i = 0;

	while (i < edelen && ede[i] != '\0') {
		if ((unsigned char)ede[i] < 0x20 || (unsigned char)ede[i] >= 0x7f)
			__builtin_trap();
		i++;
	}
	if (i == edelen)
		__builtin_trap();
	for (i = edelen; i < EDE_BUF; i++)
		if ((unsigned char)ede[i] != CANARY)
			__builtin_trap();
}

/* Is the question of m (len >= 12 octets) the one and only a.example/qtype/IN,
 * the name compared ignoring ASCII case, with opcode QUERY? */
static int asks_a_example(const uint8_t *m, size_t len, uint16_t qtype)
{
	static const uint8_t q[] = "\001a\007example"; /* and the root label */
	size_t i;

	if ((m[2] & 0x78) != 0 || m[4] != 0 || m[5] != 1 || len < 12 + sizeof(q) + 4)
		return 0;
	for (i = 0; i < sizeof(q); i++) {
		uint8_t c = m[12 + i];

		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		if (c != q[i])
			return 0;
	}
	i += 12;
	return (uint16_t)(m[i] << 8 | m[i + 1]) == qtype && m[i + 2] == 0 && m[i + 3] == 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t types[] = {DNS_T_MX,  DNS_T_A,   DNS_T_AAAA,   DNS_T_TLSA,
					 DNS_T_TXT, DNS_T_SOA, 41 /* OPT */, 65535};
	/* 240 is the stub's own buffer; the small ones try the truncation */
	static const size_t sizes[] = {240, 240, 240, 240, 1, 2, 17, 64};
	char ede[EDE_BUF], again[EDE_BUF];
	const uint8_t *m;
	size_t len, edelen;
	uint16_t qtype, txid;
	int r, r2;

	if (size < 3)
		return 0;
	qtype = types[data[0] & 7];
	edelen = sizes[(data[0] >> 3) & 7];
	txid = (uint16_t)(data[1] << 8 | data[2]);
	m = data + 3;
	len = size - 3;
	memset(ede, CANARY, sizeof(ede));
	memset(again, CANARY, sizeof(again));
	r = dns_stub_inspect_reply(m, len, txid, "a.example", qtype, ede, edelen);
	if (r != 0 && r != 1)
		__builtin_trap();
	check_ede(ede, edelen);
	if (r == 1 && (len < 12 || !(m[2] & 0x80) || (uint16_t)(m[0] << 8 | m[1]) != txid))
		__builtin_trap();
	if (r == 1 && !asks_a_example(m, len, qtype))
		__builtin_trap();
	if (r == 0 && ede[0] != '\0')
		__builtin_trap();
	r2 = dns_stub_inspect_reply(m, len, txid, "a.example", qtype, again, edelen);
	if (r2 != r || memcmp(ede, again, sizeof(ede)) != 0)
		__builtin_trap();
	/* no buffer at all is fine too, and changes nothing */
	if (dns_stub_inspect_reply(m, len, txid, "a.example", qtype, NULL, 0) != r)
		__builtin_trap();
	return 0;
}
