/*
 * output.h - the results of `check`: JSON Lines (SPEC §4) or a compact
 * human-readable block per domain.
 */
#ifndef MAILSCAN_OUTPUT_H
#define MAILSCAN_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "../base/buf.h"
#include "../probes/scan.h"

/* Append the SPEC §4 JSON object of ds (one line, no newline) to out.
 * Returns 0 or -1 (out of memory). */
int output_json(const struct domain_scan *ds, struct buf *out);

/* Write the human-readable block for ds to f; colour when colour is true. */
void output_human(const struct domain_scan *ds, FILE *f, bool colour);

#endif
