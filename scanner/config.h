/*
 * config.h - the YAML configuration file (--config FILE, SPEC §2).
 *
 * A flat mapping of option names (as on the command line, without the
 * dashes) to scalar values, e.g.
 *
 *   root-hints: /etc/mailscan/root.hints
 *   timeout: 5
 *   per-ip: 2
 *
 * Options given on the command line override the file.
 */
#ifndef MAILSCAN_CONFIG_H
#define MAILSCAN_CONFIG_H

#include <stddef.h>

/* Called for every key: return 0, or -1 after printing why the value is bad. */
typedef int (*config_set_fn)(const char *key, const char *value, void *arg);

/*
 * Read path and call set for each key/value in document order. Syntax
 * errors and non-scalar values are reported on stderr as
 * "FILE:LINE:COLUMN: problem". Returns 0 or -1.
 */
int config_load(const char *path, config_set_fn set, void *arg);

#endif
