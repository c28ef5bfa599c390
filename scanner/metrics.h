/*
 * metrics.h - scan --metrics FILE: a finished run's figures in the
 * Prometheus text format (metrics.c).
 */
#ifndef MAILSCAN_METRICS_H
#define MAILSCAN_METRICS_H

#include <stddef.h>

struct db;

/*
 * Write the figures of run (as stored in db) to path, atomically; seconds
 * is the scan's wall time. Returns 0, or -1 with the reason in err (path is
 * then left as it was).
 */
int metrics_write(struct db *db, long long run, const char *path, double seconds, char *err,
		  size_t errlen);

#endif
