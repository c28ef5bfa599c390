/*
 * advice.h - what each reason code means and what the domain owner should
 * change, in Dutch and English (the reports' advice column). One table, one
 * row per reason code.
 *
 * "Reason code" here covers everything mailscan reports per domain: the
 * verdict reasons of every standard (README "Reason codes"; emitted by
 * the probes and scanner/engine.c), the domain notes (mx-cap-reached,
 * null-mx-mixed, domain-timeout) and the per-address starttls statuses that
 * are findings (no-starttls, refused, timeout, ...; not "ok" or
 * "not-tested"). The rows are made from probes/reasons.def, the one table
 * of reason codes, where the texts are written; a probe can only give a
 * code that is a row there, so every code has its advice.
 *
 * The strings are plain UTF-8 text for a mail or DNS administrator (at a
 * Dutch municipality, say), without markup: renderers escape them like any
 * other text. Placeholders are written <domein>/<domain> and <mx-host>.
 *
 * Ownership: everything returned points into one static, read-only table;
 * nothing is allocated, nothing is to be freed, and the pointers stay valid
 * for the life of the program (safe to share between threads).
 */
#ifndef MAILSCAN_ADVICE_H
#define MAILSCAN_ADVICE_H

#include <stddef.h>

enum advice_lang { ADVICE_NL = 0, ADVICE_EN = 1 };

struct advice {
	const char *code;    /* reason code, e.g. "dane-mismatch" */
	const char *what[2]; /* one sentence: what is wrong (nl, en) */
	const char *fix[2];  /* one or two sentences: what to change (nl, en) */
};

/*
 * The row for code (exact, case-sensitive match), or NULL for an unknown
 * code or NULL. The row is borrowed from the static table.
 */
const struct advice *advice_find(const char *code);

/*
 * All rows, sorted by code (strcmp order), for listing; *n is set to the
 * count. The array is borrowed from the static table.
 */
const struct advice *advice_all(size_t *n);

#endif
