/*
 * fuzz_ncsc_hello.c - libFuzzer harness for probes/ncsc_hello.c: the parse
 * of what a server answers to a hand-made ClientHello (untrusted bytes),
 * and the builder with arbitrary suites and names.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../probes/ncsc_hello.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ncsc_server_hello sh, half;
	enum ncsc_hello_res r = ncsc_hello_parse(data, size, &sh), h;
	uint8_t out[NCSC_HELLO_MAX], rnd[32] = {0};
	uint16_t codes[64];
	char sni[256];
	size_t n, k;
	int len;

	if (r == NCSC_HELLO_SERVER_HELLO && (sh.version < 0x0300 || sh.version > 0x0303))
		__builtin_trap();
	if (r == NCSC_HELLO_GARBAGE && sh.why[0] == '\0')
		__builtin_trap();
	/* a prefix says "more" or already the same */
	h = ncsc_hello_parse(data, size / 2, &half);
	if (h != NCSC_HELLO_MORE && h != r)
		__builtin_trap();
	/* the builder: version from the first byte, suites and SNI from the rest */
	if (size < 3)
		return 0;
	n = (size_t)data[1] % 64 + 1;
	for (k = 0; k < n; k++)
		codes[k] = (uint16_t)(data[(2 + k) % size] << 8 | data[(3 + k) % size]);
	k = size - 2 < sizeof(sni) - 1 ? size - 2 : sizeof(sni) - 1;
	memcpy(sni, data + 2, k);
	sni[k] = '\0';
	len = ncsc_hello_build(out, sizeof(out), 0x0300 + data[0] % 5, codes, n, data[0] & 0x80,
			       sni, rnd);
	if (len > 0 && (len > NCSC_HELLO_MAX || ((out[3] << 8) | out[4]) != len - 5))
		__builtin_trap();
	return 0;
}
