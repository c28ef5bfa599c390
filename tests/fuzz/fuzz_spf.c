/*
 * fuzz_spf.c - libFuzzer harness for probes/spf_record.c (RFC 7208): the
 * parser on the whole input, then the evaluator for "f.example" with the
 * input as its DNS: each question takes the next line, whose first byte
 * is the status (mod 5) and the rest the TXT records, split at 0x01 (for
 * A/MX questions only the count matters: 0 or 1 by bit 3 of that byte).
 * When the input runs out, every question is answered NXDOMAIN.
 * Invariants: a failed parse says why; the evaluator ends within a
 * bounded number of answers, with its limits kept; the JSON is written.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../base/buf.h"
#include "../../base/json.h"
#include "../../probes/spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_VALUES 4

static void fuzz_parse(const char *s)
{
	struct spf_record r;
	char why[SPF_WHY_MAX];
	int rc;

	why[0] = '\0';
	rc = spf_record_parse(s, &r, why, sizeof(why));
	if (rc < 0 && (why[0] == '\0' || r.text || r.terms))
		__builtin_trap();
	if (rc == 0 && (!spf_txt_is_spf(s) || (r.all >= 0 && (size_t)r.all >= r.nterms)))
		__builtin_trap();
	spf_record_free(&r);
}

/* Answer one question from the next line of in[*pos..n). */
static void fuzz_answer(struct spf_eval *ev, const struct spf_query *q, char *in, size_t n,
			size_t *pos)
{
	const char *vals[FUZZ_VALUES];
	struct spf_query copy = *q;
	size_t nv = 0, end;
	unsigned char c;
	char *p;

	if (*pos >= n) {
		(void)spf_eval_answer(ev, copy.name, copy.type, SPF_DNS_NXDOMAIN, NULL, 0);
		return;
	}
	c = (unsigned char)in[(*pos)++];
	for (end = *pos; end < n && in[end] != '\n'; end++)
		;
	in[end] = '\0';
	if (copy.type == SPF_DNS_TXT) {
		p = in + *pos;
		while (p && nv < FUZZ_VALUES) {
			char *sep = strchr(p, '\x01');

			if (sep)
				*sep++ = '\0';
			vals[nv++] = p;
			p = sep;
		}
	} else {
		vals[0] = "x";
		nv = (c & 8) ? 1 : 0;
	}
	*pos = end + 1;
	if (spf_eval_answer(ev, copy.name, copy.type, (enum spf_dns_status)(c % 5), vals, nv) < 0)
		__builtin_trap(); /* it was handed out, so it is outstanding */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct spf_eval *ev;
	const struct spf_result *r;
	struct buf b;
	struct json j;
	size_t pos = 0;
	int rounds;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	fuzz_parse(s);
	ev = spf_eval_new("f.example");
	if (!ev) {
		free(s);
		return 0;
	}
	for (rounds = 0; rounds < 1000 && !spf_eval_done(ev); rounds++) {
		const struct spf_query *q = spf_eval_next_query(ev);

		if (!q)
			__builtin_trap(); /* not done, yet nothing to ask */
		fuzz_answer(ev, q, s, size, &pos);
	}
	r = spf_eval_result(ev);
	if (!r || rounds > SPF_QUERIES_MAX || r->lookups > SPF_LOOKUP_LIMIT + 1 ||
	    r->nnodes > SPF_NODES_MAX || r->status == SPF_ST_PENDING ||
	    (r->policy_ok && r->status != SPF_ST_OK))
		__builtin_trap();
	buf_init(&b, 1 << 20);
	json_init(&j, &b);
	if (spf_result_json(r, &j) != 0)
		__builtin_trap();
	(void)spf_is_deny_all(r);
	buf_free(&b);
	spf_eval_free(ev);
	free(s);
	return 0;
}
