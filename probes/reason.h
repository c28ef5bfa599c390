/*
 * reason.h - the reason codes as an enum, made from the one table
 * (probes/reasons.def: code, standard, severity, advice nl/en).
 *
 * A probe names a code by its id (R_DANE_MISMATCH); verdict_add_reason
 * (scan.h) takes an enum reason, so only a code that is a row of the table
 * can be given, and what a verdict carries (struct probe_verdict.reasons)
 * are the table's own strings. The advice texts are not here: reports/
 * advice.c makes its rows from the same file.
 *
 * Ownership: every string returned points into one static, read-only table
 * (valid for the life of the program, nothing to free).
 */
#ifndef MAILSCAN_REASON_H
#define MAILSCAN_REASON_H

/* What a code leads to (reasons.def's severity column), least first. */
/* SEV_NOTICE: said beside the verdict like SEV_INFO, but a recommendation
 * (internet.nl's "notice": CAA), not only a fact. */
enum reason_severity { SEV_INFO = 0, SEV_NOTICE, SEV_NA, SEV_WARN, SEV_ERROR, SEV_FAIL };

enum reason {
	R_NONE = 0, /* no code: a zeroed member means "none", never a row */
#define REASON(id, code, standard, severity, what_nl, what_en, fix_nl, fix_en) R_##id,
#include "reasons.def"
#undef REASON
	R_COUNT /* rows are R_NONE + 1 .. R_COUNT - 1, in code (strcmp) order */
};

struct reason_row {
	const char *code;     /* "dane-mismatch" */
	const char *standard; /* a probe name, "*", "address" or "domain" */
	enum reason_severity severity;
};

/* The kebab-case code of r; NULL for R_NONE or out of range. */
const char *reason_code(enum reason r);

/* The row of r (code, standard, severity); NULL for R_NONE or out of range. */
const struct reason_row *reason_row(enum reason r);

/* "info", "notice", "n/a", "warn", "error", "fail"; NULL out of range. */
const char *reason_severity_name(enum reason_severity s);

#endif
