/*
 * fuzz_dmarc.c - libFuzzer harness for probes/dmarc_record.c (RFC 7489).
 *
 * The input is cut at '\n': line 1 is a domain name, lines 2-4 are TXT
 * records at its _dmarc name. Each line goes through the parser on its
 * own, then the whole policy pipeline runs (selection, the organisational
 * domain fallback answered with the same records, destinations and their
 * authorisation judged on the same records, verdict, evidence JSON).
 * Traps on broken invariants; ASan/UBSan catch the rest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../base/buf.h"
#include "../../base/json.h"
#include "../../probes/dmarc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LINES 4

static void fuzz_dmarc_one(const char *txt)
{
	struct dmarc_record r;
	char why[DMARC_WHY_MAX];
	size_t i;

	why[0] = '\0';
	if (dmarc_record_parse(txt, &r, why, sizeof(why)) == 0) {
		if (!dmarc_txt_is_dmarc(txt) || r.p == DMARC_POLICY_UNSET || r.pct < 0 ||
		    r.pct > 100 || r.nrua > DMARC_URI_MAX || r.nruf > DMARC_URI_MAX)
			__builtin_trap();
		for (i = 0; i < r.nrua; i++)
			if (strlen(r.rua[i].uri) > DMARC_URI_LEN ||
			    (r.rua[i].mailto && r.rua[i].domain[0] == '\0'))
				__builtin_trap();
	} else if (why[0] == '\0' || strlen(why) >= sizeof(why)) {
		__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *line[LINES] = {NULL};
	const char *txt[LINES - 1];
	struct dmarc_lookup own, orgl;
	struct dmarc_effective e;
	struct dmarc_dests d;
	struct dmarc_judgment j;
	char org[DNS_NAME_MAX + 1];
	struct buf b;
	struct json js;
	size_t n = 0, i, ntxt;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	line[n++] = s;
	for (i = 0; i < size && n < LINES; i++) {
		if (s[i] == '\n') {
			s[i] = '\0';
			line[n++] = s + i + 1;
		}
	}
	for (i = 0; i < n; i++)
		fuzz_dmarc_one(line[i]);
	ntxt = n - 1;
	for (i = 0; i < ntxt; i++)
		txt[i] = line[i + 1];

	dmarc_lookup_init(&own, line[0]);
	dmarc_lookup_init(&orgl, NULL);
	if (ntxt == 0)
		dmarc_lookup_set_status(&own, DNS_NXDOMAIN);
	else if (dmarc_lookup_set_txt(&own, txt, ntxt) < 0)
		goto out;
	if (dmarc_needs_org_lookup(line[0], &own, org, sizeof(org))) {
		dmarc_lookup_init(&orgl, org);
		if (dmarc_lookup_set_txt(&orgl, txt, ntxt) < 0)
			goto out;
	}
	if (dmarc_effective(&own, &orgl, &e) < 0)
		__builtin_trap();
	if ((e.source == DMARC_SRC_NOWHERE) != (e.rec == NULL))
		__builtin_trap();
	if (dmarc_dests_build(e.rec, e.policy_domain, &d) == 0) {
		for (i = 0; i < d.n; i++) {
			if (strlen(d.d[i].auth_name) > 253)
				__builtin_trap();
			if (d.d[i].auth == DMARC_AUTH_PENDING)
				d.d[i].auth = dmarc_auth_judge(txt, ntxt);
		}
	} else {
		memset(&d, 0, sizeof(d));
	}
	dmarc_judge(&e, &d, &j);
	if (j.nreasons == 0 && j.v != VERDICT_PASS)
		__builtin_trap();
	(void)dmarc_is_reject(&e);
	buf_init(&b, 1 << 20);
	json_init(&js, &b);
	dmarc_evidence_json(&js, &e, &own, &orgl, org, &d);
	if (json_status(&js) != 0 || js.depth != 0)
		__builtin_trap();
	buf_free(&b);
out:
	dmarc_lookup_clear(&own);
	dmarc_lookup_clear(&orgl);
	free(s);
	return 0;
}
