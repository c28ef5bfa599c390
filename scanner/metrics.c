/*
 * metrics.c - scan --metrics FILE: the figures of a finished run in the
 * Prometheus text exposition format (version 0.0.4), for node_exporter's
 * textfile collector: per standard and verdict, per category, domains by
 * error reason, the run's size, duration and end time.
 *
 * The file is replaced atomically (a temporary file in the same directory,
 * written, flushed to disk, renamed over FILE), so the collector never
 * reads half a file. Label values are escaped as the format asks (\\, \",
 * \n) and other control bytes replaced, since category names come from a
 * target list.
 */
#include "metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../db/db.h"

#ifndef MAILSCAN_VERSION
#define MAILSCAN_VERSION "0.0.0"
#endif

struct metrics_out {
	FILE *f;
	char kind[16]; /* the family whose HELP and TYPE were written last */
};

/* A label value: \\ \" \n escaped, other control bytes as '?'. */
static void metrics_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\' || c == '"')
			(void)fprintf(f, "\\%c", c);
		else if (c == '\n')
			(void)fputs("\\n", f);
		else if (c < 0x20 || c == 0x7f)
			(void)fputc('?', f);
		else
			(void)fputc(c, f);
	}
}

static void metrics_family(FILE *f, const char *name, const char *help)
{
	(void)fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static int metrics_row(const struct db_metric *m, void *arg)
{
	struct metrics_out *o = arg;
	FILE *f = o->f;

	if (strcmp(o->kind, m->kind) != 0) {
		(void)snprintf(o->kind, sizeof(o->kind), "%s", m->kind);
		if (strcmp(m->kind, "verdict") == 0)
			metrics_family(f, "mailscan_verdicts", "Domains per standard and verdict.");
		else if (strcmp(m->kind, "category") == 0)
			metrics_family(f, "mailscan_category_verdicts",
				       "Domains per organisation category, standard and verdict (a "
				       "domain listed in two categories counts in each).");
		else if (strcmp(m->kind, "reason") == 0)
			metrics_family(f, "mailscan_error_reasons",
				       "Domains with an error verdict for this reason code, in any "
				       "standard.");
	}
	if (strcmp(m->kind, "verdict") == 0) {
		(void)fputs("mailscan_verdicts{standard=\"", f);
		metrics_label(f, m->a);
		(void)fputs("\",verdict=\"", f);
		metrics_label(f, m->b);
	} else if (strcmp(m->kind, "category") == 0) {
		(void)fputs("mailscan_category_verdicts{category=\"", f);
		metrics_label(f, m->a);
		(void)fputs("\",standard=\"", f);
		metrics_label(f, m->b);
		(void)fputs("\",verdict=\"", f);
		metrics_label(f, m->c);
	} else if (strcmp(m->kind, "reason") == 0) {
		(void)fputs("mailscan_error_reasons{reason=\"", f);
		metrics_label(f, m->a);
	} else {
		return 0;
	}
	(void)fprintf(f, "\"} %llu\n", m->n);
	return 0;
}

int metrics_write(struct db *db, long long run, const char *path, double seconds, char *err,
		  size_t errlen)
{
	struct metrics_out o = {NULL, ""};
	struct db_run r;
	char tmp[4096];
	int fd = -1, rc = -1;

	if (db_run_get(db, run, &r) != 1) {
		(void)snprintf(err, errlen, "%s", db_error(db));
		return -1;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		(void)snprintf(err, errlen, "--metrics: the file name is too long");
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		(void)snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	o.f = fdopen(fd, "w");
	if (!o.f) {
		(void)snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		(void)close(fd);
		goto out;
	}
	metrics_family(o.f, "mailscan_run_info", "The run these figures are of (value 1).");
	(void)fprintf(o.f, "mailscan_run_info{run=\"%lld\",status=\"", r.id);
	metrics_label(o.f, r.status);
	(void)fprintf(o.f, "\",version=\"%s\"} 1\n", MAILSCAN_VERSION);
	metrics_family(o.f, "mailscan_run_domains", "Domains stored in the run.");
	(void)fprintf(o.f, "mailscan_run_domains %lu\n", r.n_domains);
	metrics_family(o.f, "mailscan_run_targets", "Unique domains in the run's target list.");
	(void)fprintf(o.f, "mailscan_run_targets %lu\n", r.n_targets);
	metrics_family(o.f, "mailscan_run_duration_seconds",
		       "Wall time of the scan that finished the run.");
	(void)fprintf(o.f, "mailscan_run_duration_seconds %.3f\n", seconds);
	metrics_family(o.f, "mailscan_run_finished_timestamp_seconds",
		       "When the scan finished (Unix time).");
	(void)fprintf(o.f, "mailscan_run_finished_timestamp_seconds %lld\n", (long long)time(NULL));
	if (db_metrics(db, run, metrics_row, &o) != 0) {
		(void)snprintf(err, errlen, "%s", db_error(db));
		goto out;
	}
	if (fflush(o.f) != 0 || ferror(o.f) || fsync(fileno(o.f)) < 0) {
		(void)snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fclose(o.f) != 0) {
		o.f = NULL;
		(void)snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	o.f = NULL;
	if (rename(tmp, path) < 0) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (o.f)
		(void)fclose(o.f);
	if (rc < 0)
		(void)unlink(tmp);
	return rc;
}
