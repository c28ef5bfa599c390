/*
 * spf-crosscheck.c - runs mailscan's SPF evaluator on every fake-DNS case
 * of tests/unit/spf_cases.h and prints, per case, the DNS map and
 * mailscan's result as tab-separated lines for tests/spf-crosscheck.sh,
 * which replays the same maps through Debian's Mail::SPF. Not part of
 * make test.
 *
 *   case <TAB> label <TAB> domain <TAB> status <TAB> code <TAB> all
 *   rr <TAB> name <TAB> TXT|A|AAAA|MX <TAB> ok|nodata|nxdomain|timeout|error [<TAB> value]...
 *   end
 */
#include <stdio.h>
#include <string.h>

#include "../probes/spf.h"
#include "unit/spf_cases.h"

static const char *const cc_type[] = {"TXT", "A", "AAAA", "MX"};
static const char *const cc_status[] = {"ok", "nodata", "nxdomain", "timeout", "error"};

/* The case's answer for a question, as test_spf.c's fake DNS gives it. */
static void cc_answer(struct spf_eval *ev, const struct spf_eval_case *c, const struct spf_query *q)
{
	struct spf_query copy = *q;
	size_t i, n = 0;

	for (i = 0; i < FAKE_ROWS && c->dns[i].name; i++) {
		const struct fake_rr *rr = &c->dns[i];

		if (rr->type != copy.type || strcmp(rr->name, copy.name) != 0)
			continue;
		while (n < FAKE_VALUES && rr->v[n])
			n++;
		(void)spf_eval_answer(ev, copy.name, copy.type, rr->st, rr->v, n);
		return;
	}
	(void)spf_eval_answer(ev, copy.name, copy.type, SPF_DNS_NXDOMAIN, NULL, 0);
}

int main(void)
{
	size_t i, k, v;

	for (i = 0; i < sizeof(spf_eval_cases) / sizeof(spf_eval_cases[0]); i++) {
		const struct spf_eval_case *c = &spf_eval_cases[i];
		struct spf_eval *ev = spf_eval_new(c->domain);
		const struct spf_result *r;
		const struct spf_query *q;
		int guard = 0;

		if (!ev)
			return 1;
		while (!spf_eval_done(ev) && (q = spf_eval_next_query(ev)) && guard++ < 1000)
			cc_answer(ev, c, q);
		r = spf_eval_result(ev);
		if (!r)
			return 1;
		printf("case\t%s\t%s\t%s\t%s\t%c\n", c->label, c->domain,
		       spf_status_name(r->status),
		       r->code == SPF_R_OK ? "-" : spf_reason_code(r->code), r->all ? r->all : '0');
		for (k = 0; k < FAKE_ROWS && c->dns[k].name; k++) {
			printf("rr\t%s\t%s\t%s", c->dns[k].name, cc_type[c->dns[k].type],
			       cc_status[c->dns[k].st]);
			for (v = 0; v < FAKE_VALUES && c->dns[k].v[v]; v++)
				printf("\t%s", c->dns[k].v[v]);
			printf("\n");
		}
		printf("end\n");
		spf_eval_free(ev);
	}
	return 0;
}
