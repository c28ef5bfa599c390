/*
 * advice.c - the advice table: per reason code, what is wrong and what to
 * change, in Dutch and English (see advice.h).
 *
 * The texts are the advice columns of probes/reasons.def, the one table of
 * reason codes (its header says for whom they are written and what they
 * follow); nothing is written here. Its rows are sorted by code (strcmp
 * order), so advice_find can bsearch; test_advice.c checks the order. Codes
 * that are both a reason code and a per-address status (starttls-rejected,
 * tls-version-old) have one row.
 */
#include <stdlib.h>
#include <string.h>

#include "advice.h"

static const struct advice advice_rows[] = {
#define REASON(id, code, standard, severity, what_nl, what_en, fix_nl, fix_en)                     \
	{code, {what_nl, what_en}, {fix_nl, fix_en}},
#include "../probes/reasons.def"
#undef REASON
};

static int advice_cmp(const void *key, const void *row)
{
	return strcmp(key, ((const struct advice *)row)->code);
}

const struct advice *advice_find(const char *code)
{
	if (!code)
		return NULL;
	return bsearch(code, advice_rows, sizeof(advice_rows) / sizeof(advice_rows[0]),
		       sizeof(advice_rows[0]), advice_cmp);
}

const struct advice *advice_all(size_t *n)
{
	*n = sizeof(advice_rows) / sizeof(advice_rows[0]);
	return advice_rows;
}
