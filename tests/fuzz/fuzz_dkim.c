/*
 * fuzz_dkim.c - libFuzzer harness for probes/dkim_record.c: the key record
 * parser (RFC 6376 §3.6.1, RFC 8463) with OpenSSL decoding the keys, the
 * selector judgment and evidence, and the --dkim-selectors file parser
 * (which gets the raw bytes, NULs included).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../base/buf.h"
#include "../../base/json.h"
#include "../../probes/dkim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[256];
	struct dkim_selectors sels;
	struct dkim_selector sel;
	struct dkim_judgment j;
	struct dkim_key k;
	struct buf b;
	struct json js;
	const char *txt;
	size_t i;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	txt = s;

	if (dkim_key_parse(s, &k) == 0) {
		if (k.state == DKIM_KEY_SYNTAX || (k.state == DKIM_KEY_WEAK && k.bits >= 1024) ||
		    (k.state == DKIM_KEY_OK && k.type == DKIM_KEY_RSA && k.bits < 1024))
			__builtin_trap();
	} else if (k.state != DKIM_KEY_SYNTAX || k.why[0] == '\0') {
		__builtin_trap();
	}

	if (dkim_selector_init(&sel, "s1", "example.nl") < 0)
		__builtin_trap();
	if (dkim_selector_set_txt(&sel, &txt, 1) == 0) {
		dkim_judge(DKIM_IN_USE, &sel, 1, &j);
		buf_init(&b, 1 << 20);
		json_init(&js, &b);
		dkim_evidence_json(&js, "example.nl", DKIM_IN_USE, &sel, 1);
		if (json_status(&js) != 0 || js.depth != 0)
			__builtin_trap();
		buf_free(&b);
	}
	dkim_selector_clear(&sel);

	err[0] = '\0';
	if (dkim_selectors_parse((const char *)data, size, "f", &sels, err, sizeof(err)) == 0) {
		for (i = 0; i < sels.n; i++) {
			if (sels.e[i].nsel == 0 || sels.e[i].nsel > DKIM_SEL_MAX ||
			    dkim_selectors_find(&sels, sels.e[i].domain) != &sels.e[i])
				__builtin_trap();
		}
	} else if (err[0] == '\0' || sels.n != 0) {
		__builtin_trap();
	}
	dkim_selectors_free(&sels);
	free(s);
	return 0;
}
