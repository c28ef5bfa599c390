/*
 * reason.c - the rows of enum reason: code, standard and severity from
 * probes/reasons.def (see reason.h).
 */
#include "reason.h"

#include <stddef.h>

static const struct reason_row reason_rows[R_COUNT] = {
    [R_NONE] = {NULL, NULL, SEV_INFO},
#define REASON(id, code, standard, severity, what_nl, what_en, fix_nl, fix_en)                     \
	[R_##id] = {code, standard, severity},
#include "reasons.def"
#undef REASON
};

const struct reason_row *reason_row(enum reason r)
{
	if (r <= R_NONE || r >= R_COUNT)
		return NULL;
	return &reason_rows[r];
}

const char *reason_code(enum reason r)
{
	const struct reason_row *row = reason_row(r);

	return row ? row->code : NULL;
}

const char *reason_severity_name(enum reason_severity s)
{
	static const char *const names[] = {
	    [SEV_INFO] = "info", [SEV_NOTICE] = "notice", [SEV_NA] = "n/a",
	    [SEV_WARN] = "warn", [SEV_ERROR] = "error",   [SEV_FAIL] = "fail",
	};

	if ((unsigned)s >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[s];
}
