/*
 * fuzz_tlsrpt.c - libFuzzer harness for probes/tlsrpt_record.c (RFC 8460
 * §3 TXT record).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../probes/tlsrpt_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[128];
	char *s = malloc(size + 1);
	int rc;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	why[0] = '\0';
	rc = tlsrpt_txt_parse(s, why, sizeof(why));
	if ((rc == 0 && !tlsrpt_txt_is_tlsrpt(s)) || (rc < 0 && why[0] == '\0'))
		__builtin_trap();
	free(s);
	return 0;
}
