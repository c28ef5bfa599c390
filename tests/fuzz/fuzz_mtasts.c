/*
 * fuzz_mtasts.c - libFuzzer harness for probes/mtasts_policy.c (RFC 8461
 * §3.1 TXT, §3.2 policy, §4.1 matching). The policy parser gets the input
 * as an exact-size unterminated buffer, so ASan sees any over-read.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../probes/mtasts_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sts_policy p;
	char why[128], id[STS_ID_MAX + 1];
	char *s = malloc(size + 1);
	size_t i;

	if (!s)
		return 0;
	memcpy(s, data, size);
	if (mtasts_policy_parse(s, size, &p, why, sizeof(why)) == 0) {
		if (p.nmx > STS_MX_MAX || p.max_age < 0 || p.max_age > STS_MAX_AGE_MAX)
			__builtin_trap();
		for (i = 0; i < p.nmx; i++)
			(void)mtasts_mx_match(p.mx[i], "mx.example.com");
	} else if (p.nmx != 0 || strlen(why) == 0) {
		__builtin_trap();
	}
	mtasts_policy_free(&p);

	s[size] = '\0';
	if (mtasts_txt_parse(s, id, why, sizeof(why)) == 0 &&
	    (strlen(id) == 0 || strlen(id) > STS_ID_MAX || !mtasts_txt_is_sts(s)))
		__builtin_trap();
	/* split at the first NUL-free halves as pattern and host */
	{
		size_t half = strlen(s) / 2;
		char *host = s + half + (s[half] ? 1 : 0);

		if (s[half])
			s[half] = '\0';
		(void)mtasts_mx_match(s, host);
	}
	free(s);
	return 0;
}
