/*
 * scan_cmd.c - `mailscan scan`: a target list into a run in the store
 * (SPEC §5, §6, §9).
 *
 * Two phases. First the whole list is read (streamed) into the run's
 * targets in the database: a broken list stops here, with exit 2, before
 * anything is probed; duplicates fold into one target attributed to every
 * organisation that lists it; --shard keeps only its slice. Then the
 * engine pulls the targets not yet stored, a bounded window at a time, and
 * each finished domain is written (batched) as it completes. A run killed
 * at any point is continued with --resume: the targets are in the file, the
 * stored domains are skipped, nothing is probed or counted twice.
 */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/log.h"
#include "../base/mono.h"
#include "../base/str.h"
#include "../db/db.h"
#include "cli.h"
#include "cmds.h"
#include "metrics.h"
#include "output.h"
#include "provenance.h"

static const char usage_scan[] =
    "usage: mailscan scan [OPTIONS] TARGETS --db FILE\n"
    "\n"
    "Probe every domain of a target list (YAML, CSV or text) and store the run,\n"
    "with all evidence, in the SQLite file FILE. A domain listed more than once\n"
    "is probed once and attributed to every organisation that lists it.\n"
    "\n"
    "Options:\n"
    "  --db FILE              the database (created if missing; required)\n"
    "  --format FORMAT        yaml, csv or text (default: by the extension)\n"
    "  --metrics FILE         when the run ends, its figures in the Prometheus text\n"
    "                         format, replaced atomically (node_exporter textfile)\n"
    "  --label TEXT           a name for the run\n"
    "  --resume               go on with the newest unfinished run of TARGETS in FILE,\n"
    "                         probing only the domains it has not stored yet (refused\n"
    "                         while another scan holds that run's lock, FILE.lock)\n"
    "  --shard K/N            only the K-th of N slices of the list (by a hash of the\n"
    "                         domain); merge the N databases with `mailscan merge`\n"
    "  --concurrency N        domains in flight (default 500)\n" PROBE_OPTIONS_HELP "\n"
    "Progress (done/total, domains per second, ETA) is shown on stderr when it is\n"
    "a terminal. Exit status: 0 the run finished; 2 usage or input error (nothing\n"
    "probed); 3 the run failed or was interrupted (continue it with --resume), or\n"
    "the --metrics file could not be written (the run itself is stored).\n";

#define SCAN_CHUNK 256 /* targets read from the database at a time */

struct scan {
	struct cli *c;
	struct db *db;
	struct engine *e;
	long long run;
	/* the source: a chunk of pending targets */
	char (*names)[DNS_NAME_MAX + 1];
	size_t nnames, next;
	long long after;
	bool dry;
	/* progress */
	unsigned long total, done, done_here;
	struct timespec t0;
	bool progress;
	bool store_failed;
	unsigned long unreached; /* of done_here: no name server answered (dns_unreached) */
	int signal;
	int lock_fd;                /* the run lock (scan_lock), -1 until taken */
	unsigned long invalid_kept; /* invalid entries stored (DB_INVALID_KEEP) */
	bool invalid_failed;        /* ... and storing one failed */
	bool tags_failed;           /* storing an organisation's tag failed */
	bool finished;              /* the run was marked done or failed (--metrics) */
};

/* FNV-1a, 64 bits: stable across machines and builds, so every shard of a
 * list agrees on the slices. Slice of a domain = hash % N; shard K takes
 * slice K - 1. */
static uint64_t scan_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

static bool scan_in_shard(const struct cli *c, const char *domain)
{
	return c->shard_n == 0 || scan_hash(domain) % c->shard_n == c->shard_k - 1;
}

/* An invalid entry of the list: kept with the run (the first
 * DB_INVALID_KEEP), for the report's account of the list. */
static void scan_on_invalid(unsigned long line, const char *entry, const char *why, void *arg)
{
	struct scan *sc = arg;

	if (sc->invalid_failed || sc->invalid_kept >= DB_INVALID_KEEP)
		return;
	if (db_invalid_add(sc->db, sc->run, line, entry, why) < 0) {
		sc->invalid_failed = true;
		return;
	}
	sc->invalid_kept++;
}

/* The tags of an organisation of the list: kept with the run (every
 * shard keeps them all: they are per organisation, not per domain). */
static void scan_on_tags(const char *org, const struct target_tag *tags, size_t n,
			 unsigned long line, void *arg)
{
	struct scan *sc = arg;
	size_t i;

	for (i = 0; i < n && !sc->tags_failed; i++)
		if (db_org_tag_add(sc->db, sc->run, org, tags[i].key, tags[i].value, line) < 0)
			sc->tags_failed = true;
}

/* Read the whole list into the run's targets. 0, or EXIT_USAGE / EXIT_RUN
 * after printing why. */
static int scan_load(struct scan *sc, const char *path)
{
	struct target_reader *r;
	struct target t;
	char err[1024];
	unsigned long entries = 0, fresh = 0;
	int rc;

	r = target_open(path, sc->c->format, err, sizeof(err));
	if (!r) {
		(void)fprintf(stderr, "mailscan: %s\n", err);
		return EXIT_USAGE;
	}
	sc->invalid_kept = 0;
	sc->invalid_failed = false;
	target_on_invalid(r, scan_on_invalid, sc);
	sc->tags_failed = false;
	target_on_tags(r, scan_on_tags, sc);
	while ((rc = target_next(r, &t, err, sizeof(err))) == 1) {
		int added;

		if (!scan_in_shard(sc->c, t.domain))
			continue;
		entries++;
		added =
		    db_target_add(sc->db, sc->run, t.domain, t.organisation, t.category, t.line);
		if (added < 0) {
			(void)fprintf(stderr, "mailscan: %s\n", db_error(sc->db));
			target_close(r);
			return EXIT_RUN;
		}
		fresh += (unsigned long)added;
	}
	if (rc < 0) {
		(void)fprintf(stderr, "mailscan: %s\n", err);
		target_close(r);
		return EXIT_USAGE;
	}
	if (sc->invalid_failed || sc->tags_failed) {
		(void)fprintf(stderr, "mailscan: %s\n", db_error(sc->db));
		target_close(r);
		return EXIT_RUN;
	}
	if (db_targets_loaded(sc->db, sc->run, entries, target_invalid(r)) < 0) {
		(void)fprintf(stderr, "mailscan: %s\n", db_error(sc->db));
		target_close(r);
		return EXIT_RUN;
	}
	log_info("%s: %lu entries, %lu domains (%lu listed more than once), %lu invalid skipped%s",
		 path, entries, fresh, entries - fresh, target_invalid(r),
		 sc->c->shard_n ? " in this shard" : "");
	target_close(r);
	return 0;
}

static int scan_next(char *name, void *arg)
{
	struct scan *sc = arg;
	int n;

	if (sc->next >= sc->nnames) {
		if (sc->dry)
			return 0;
		n = db_targets_pending(sc->db, sc->run, &sc->after, sc->names, SCAN_CHUNK);
		if (n < 0) {
			log_err("%s", db_error(sc->db));
			sc->store_failed = true;
			return -1;
		}
		sc->nnames = (size_t)n;
		sc->next = 0;
		if (n < SCAN_CHUNK)
			sc->dry = true;
		if (n == 0)
			return 0;
	}
	(void)str_copy(name, DNS_NAME_MAX + 1, sc->names[sc->next++]);
	return 1;
}

static double scan_elapsed(const struct timespec *t0)
{
	struct timespec now;

	mono_now(&now);
	return mono_sec(t0, &now);
}

static void scan_show_progress(struct scan *sc, bool last)
{
	double secs = scan_elapsed(&sc->t0), rate = secs > 0 ? (double)sc->done_here / secs : 0;
	char eta[32] = "-";

	if (!sc->progress)
		return;
	if (rate > 0 && sc->total > sc->done) {
		unsigned long left = (unsigned long)((double)(sc->total - sc->done) / rate);

		(void)snprintf(eta, sizeof(eta), "%lu:%02lu:%02lu", left / 3600, left / 60 % 60,
			       left % 60);
	}
	(void)fprintf(stderr, "\r\033[K%lu/%lu domains  %.1f/s  ETA %s  window %u%s", sc->done,
		      sc->total, rate, eta, sc->e ? engine_window(sc->e) : 0, last ? "\n" : "");
}

static void scan_store(const struct domain_scan *ds, void *arg)
{
	struct scan *sc = arg;
	struct buf b;

	if (sc->store_failed)
		return;
	buf_init(&b, 0);
	if (output_json(ds, &b) < 0 ||
	    db_store_domain(sc->db, sc->run, ds, NULL, NULL, buf_str(&b)) < 0) {
		log_err("%s: cannot store: %s", ds->name, db_error(sc->db));
		sc->store_failed = true;
		engine_stop(sc->e);
	} else {
		sc->done++;
		sc->done_here++;
		if (ds->dns_unreached)
			sc->unreached++;
	}
	buf_free(&b);
}

/* Every second: commit what finished (so a slow tail is not held in one
 * open batch) and redraw the progress line. */
static void scan_on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct scan *sc = arg;

	(void)fd;
	(void)what;
	if (!sc->store_failed && db_flush(sc->db) < 0) {
		log_err("%s", db_error(sc->db));
		sc->store_failed = true;
		engine_stop(sc->e);
	}
	scan_show_progress(sc, false);
}

static void scan_on_signal(evutil_socket_t fd, short what, void *arg)
{
	struct scan *sc = arg;

	(void)what;
	sc->signal = (int)fd;
	engine_stop(sc->e);
}

/*
 * The run lock: one process probes a run at a time. Two `scan --resume` of
 * one run (or a resume beside the scan that started it) would both probe
 * every remaining domain: nothing doubled in the store, but every mail
 * server got twice the connections. The lock is an fcntl write lock on one
 * byte, at the run's id, of the side file FILE.lock: the kernel drops it
 * when its holder exits or is killed, so a stale lock is taken over by the
 * next scan without any clean-up, and the holder's pid comes from F_GETLK.
 * Held until the process ends. 0, or an exit status after saying why.
 */
static int scan_lock(struct scan *sc)
{
	char path[PATH_MAX + 8];
	struct flock fl;
	int fd, e;

	if (snprintf(path, sizeof(path), "%s.lock", sc->c->db) >= (int)sizeof(path)) {
		(void)fprintf(stderr, "mailscan: %s: path too long for its lock file\n", sc->c->db);
		return EXIT_USAGE;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0) {
		(void)fprintf(stderr, "mailscan: %s: cannot open the run lock: %s\n", path,
			      strerror(errno));
		return EXIT_RUN;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = (off_t)sc->run;
	fl.l_len = 1;
	if (fcntl(fd, F_SETLK, &fl) == 0) {
		sc->lock_fd = fd;
		return 0;
	}
	e = errno;
	if (e == EACCES || e == EAGAIN) {
		struct flock who = fl;

		if (fcntl(fd, F_GETLK, &who) < 0 || who.l_type == F_UNLCK)
			who.l_pid = 0; /* gone since: it was a moment ago */
		(void)fprintf(stderr,
			      "mailscan: %s: run %lld is being scanned by process %ld (lock %s); "
			      "not scanning it twice\n",
			      sc->c->db, sc->run, (long)who.l_pid, path);
		(void)close(fd);
		return EXIT_USAGE;
	}
	(void)fprintf(stderr, "mailscan: %s: cannot lock run %lld: %s\n", path, sc->run,
		      strerror(e));
	(void)close(fd);
	return EXIT_RUN;
}

/* The run to resume, checked against what was asked; 0 or an exit status. */
static int scan_find_resume(struct scan *sc, const char *targets, const char *shard,
			    struct db_run *r)
{
	long long id = db_run_last_open(sc->db);

	if (id < 0) {
		(void)fprintf(stderr, "mailscan: %s\n", db_error(sc->db));
		return EXIT_RUN;
	}
	if (id == 0 || db_run_get(sc->db, id, r) != 1) {
		(void)fprintf(stderr, "mailscan: %s: no unfinished run to resume\n", sc->c->db);
		return EXIT_USAGE;
	}
	if (strcmp(r->targets, targets) != 0 || strcmp(r->shard, shard ? shard : "") != 0) {
		(void)fprintf(stderr,
			      "mailscan: %s: the unfinished run %lld is of %s%s%s, not of %s%s%s\n",
			      sc->c->db, id, r->targets, r->shard[0] ? " shard " : "", r->shard,
			      targets, shard ? " shard " : "", shard ? shard : "");
		return EXIT_USAGE;
	}
	sc->run = id;
	return 0;
}

/* Start or find the run and make sure its targets are loaded. */
static int scan_prepare(struct scan *sc, const char *path)
{
	char targets[PATH_MAX], shard[32], options[2048];
	const char *shardp = NULL;
	struct buf prov;
	struct db_run r;
	int rc;

	if (!realpath(path, targets)) {
		(void)fprintf(stderr, "mailscan: %s: cannot open: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	if (sc->c->shard_n) {
		(void)snprintf(shard, sizeof(shard), "%u/%u", sc->c->shard_k, sc->c->shard_n);
		shardp = shard;
	}
	if (sc->c->resume) {
		rc = scan_find_resume(sc, targets, shardp, &r);
		if (rc)
			return rc;
		rc = scan_lock(sc);
		if (rc)
			return rc;
		/* read again under the lock: the holder may have loaded it */
		if (db_run_get(sc->db, sc->run, &r) != 1) {
			(void)fprintf(stderr, "mailscan: %s\n", db_error(sc->db));
			return EXIT_RUN;
		}
		if (strcmp(r.status, "running") != 0) {
			(void)fprintf(stderr, "mailscan: %s: run %lld finished meanwhile (%s)\n",
				      sc->c->db, sc->run, r.status);
			return EXIT_USAGE;
		}
		if (r.loaded)
			return 0;
		log_warn("run %lld was stopped while reading its list; reading it again", sc->run);
		if (db_targets_clear(sc->db, sc->run) < 0) {
			(void)fprintf(stderr, "mailscan: %s\n", db_error(sc->db));
			return EXIT_RUN;
		}
		return scan_load(sc, path);
	}
	cli_options_text(sc->c, options, sizeof(options));
	sc->run = db_run_begin_scan(sc->db, sc->c->label, options, targets, shardp);
	if (sc->run < 0) {
		(void)fprintf(stderr, "mailscan: %s\n", db_error(sc->db));
		return EXIT_RUN;
	}
	buf_init(&prov, 0);
	rc = provenance_json(sc->c, targets, &prov) < 0
		 ? -1
		 : db_run_set_provenance(sc->db, sc->run, buf_str(&prov));
	buf_free(&prov);
	if (rc < 0) {
		(void)fprintf(stderr, "mailscan: %s\n",
			      db_error(sc->db)[0] ? db_error(sc->db) : "out of memory");
		if (db_run_delete(sc->db, sc->run) < 0)
			log_warn("%s", db_error(sc->db));
		return EXIT_RUN;
	}
	/* a --resume that found the new run first now owns it: leave it be */
	rc = scan_lock(sc);
	if (rc)
		return rc;
	rc = scan_load(sc, path);
	if (rc && db_run_delete(sc->db, sc->run) < 0)
		log_warn("%s", db_error(sc->db));
	return rc;
}

static void scan_summary(struct scan *sc, double secs)
{
	struct db_run r;

	if (sc->c->verbose < 0 || db_run_get(sc->db, sc->run, &r) != 1)
		return;
	(void)printf("run %lld %s: %lu of %lu domains stored in %.1f s; the list had %lu entries"
		     " (%lu repeats of a domain folded, %lu invalid skipped)\n",
		     r.id, r.status, r.n_domains, r.n_targets, secs, r.n_entries,
		     r.n_entries > r.n_targets ? r.n_entries - r.n_targets : 0, r.n_invalid);
	(void)printf("  verdicts: %lu pass, %lu warn, %lu fail, %lu n/a, %lu error;"
		     " %lu addresses retried\n",
		     r.n_pass, r.n_warn, r.n_fail, r.n_na, r.n_error, r.n_retried);
}

static int scan_probe(struct scan *sc)
{
	struct event *tick = NULL, *sigint = NULL, *sigterm = NULL;
	struct timeval one = {1, 0};
	struct db_run r;
	char err[512];
	int rc, ret = EXIT_RUN;

	if (db_run_get(sc->db, sc->run, &r) != 1) {
		(void)fprintf(stderr, "mailscan: %s\n", db_error(sc->db));
		return EXIT_RUN;
	}
	sc->total = r.n_targets;
	sc->done = r.n_domains;
	sc->e = engine_new(&sc->c->cfg, err, sizeof(err));
	if (!sc->e) {
		(void)fprintf(stderr, "mailscan: %s\n", err);
		return EXIT_USAGE; /* a bad --root-hints/--trust-anchor/--ca-file file */
	}
	tick = event_new(engine_base(sc->e), -1, EV_PERSIST, scan_on_tick, sc);
	sigint = evsignal_new(engine_base(sc->e), SIGINT, scan_on_signal, sc);
	sigterm = evsignal_new(engine_base(sc->e), SIGTERM, scan_on_signal, sc);
	if (!tick || !sigint || !sigterm || event_add(tick, &one) < 0 ||
	    event_add(sigint, NULL) < 0 || event_add(sigterm, NULL) < 0) {
		(void)fputs("mailscan: libevent: cannot set up timers and signals\n", stderr);
		goto out;
	}
	rc = engine_run_source(sc->e, scan_next, sc, false, scan_store, sc);
	scan_show_progress(sc, true);
	if (db_flush(sc->db) < 0) {
		(void)fprintf(stderr, "mailscan: %s\n", db_error(sc->db));
		goto out;
	}
	if (sc->signal) {
		(void)fprintf(stderr,
			      "mailscan: stopped by signal %d; %lu of %lu domains stored; continue"
			      " with --resume\n",
			      sc->signal, sc->done, sc->total);
		goto out;
	}
	if (rc != 0 || sc->store_failed) {
		(void)fprintf(stderr, "mailscan: run %lld failed; continue it with --resume\n",
			      sc->run);
		goto out;
	}
	{
		struct engine_stats es;

		engine_get_stats(sc->e, &es);
		/* every domain probed now is error because no name server answered
		 * at all, not even the root: the run failed (what is stored stays,
		 * as evidence; reports and diff skip a failed run) */
		if (sc->done_here > 0 && sc->unreached == sc->done_here && es.dns_answered == 0) {
			(void)fprintf(
			    stderr,
			    "mailscan: no DNS answer at all in this run, not even from the"
			    " root servers - is there a network? Run %lld is marked failed"
			    " (%lu domains stored, all error)\n",
			    sc->run, sc->done_here);
			if (db_run_finish(sc->db, sc->run, "failed") < 0)
				(void)fprintf(stderr, "mailscan: %s\n", db_error(sc->db));
			else
				sc->finished = true;
			goto out;
		}
	}
	if (db_run_finish(sc->db, sc->run, "done") < 0) {
		(void)fprintf(stderr, "mailscan: %s\n", db_error(sc->db));
		goto out;
	}
	sc->finished = true;
	ret = 0;
out:
	if (tick)
		event_free(tick);
	if (sigint)
		event_free(sigint);
	if (sigterm)
		event_free(sigterm);
	return ret;
}

int cmd_scan(int argc, char **argv)
{
	struct cli c;
	struct scan sc;
	char err[1024];
	int rc, ret = EXIT_USAGE;

	memset(&sc, 0, sizeof(sc));
	sc.lock_fd = -1;
	rc = cli_parse(&c, CLI_SCAN, argc, argv, usage_scan);
	if (rc != 0) {
		cli_free(&c);
		return rc > 0 ? 0 : EXIT_USAGE;
	}
	sc.c = &c;
	if (argc - optind != 1 || !c.db) {
		(void)fputs(argc - optind != 1 ? "mailscan: scan: give exactly one target list\n"
					       : "mailscan: scan: --db FILE is required\n",
			    stderr);
		(void)fputs(usage_scan, stderr);
		goto out;
	}
	sc.names = calloc(SCAN_CHUNK, sizeof(*sc.names));
	if (!sc.names) {
		ret = EXIT_RUN;
		goto out;
	}
	sc.db = db_open(c.db, err, sizeof(err));
	if (!sc.db) {
		(void)fprintf(stderr, "mailscan: %s\n", err);
		ret = EXIT_RUN;
		goto out;
	}
	mono_now(&sc.t0);
	ret = scan_prepare(&sc, argv[optind]);
	if (ret)
		goto out;
	sc.progress = c.verbose >= 0 && isatty(STDERR_FILENO);
	ret = scan_probe(&sc);
	if (sc.e) {
		struct engine_stats es;

		engine_get_stats(sc.e, &es);
		log_info(
		    "%lu domains probed, %lu DNS queries, %lu unique MX hosts (%lu dropped from"
		    " the cache), %lu SMTP probes (%lu retries)",
		    es.domains, es.dns_queries, es.hosts, es.hosts_evicted, es.smtp_probes,
		    es.smtp_retries);
		log_info("DNS: %lu timeouts, %lu SERVFAIL, %lu replies refused, at most %lu "
			 "queries outstanding, %lu repeated questions answered from the memo, "
			 "%lu joined the same question under way; SMTP: %lu timeouts; window of "
			 "domains in flight: %u (lowest %u of %u)",
			 es.dns_timeouts, es.dns_servfail, es.dns_badreply, es.dns_peak,
			 es.dns_memo_hits, es.dns_joined, es.smtp_timeouts, es.window,
			 es.window_lowest, c.cfg.concurrency);
		if (es.dns_window_peak > 0)
			log_info("DNS: at most %lu queries at libunbound at once, fewer %lu times "
				 "when its thread fell behind",
				 es.dns_window_peak, es.dns_window_cuts);
		if (es.dns_sig_checks > 0)
			log_info("DNSSEC: %lu signature checks by libunbound, %lu of them answered "
				 "from its memo of good signatures",
				 es.dns_sig_checks, es.dns_sig_memo);
	}
	scan_summary(&sc, scan_elapsed(&sc.t0));
	if (c.metrics && sc.run > 0 && sc.finished) {
		if (metrics_write(sc.db, sc.run, c.metrics, scan_elapsed(&sc.t0), err,
				  sizeof(err)) < 0) {
			(void)fprintf(stderr, "mailscan: --metrics: %s\n", err);
			ret = EXIT_RUN;
		}
	}
out:
	engine_free(sc.e);
	db_close(sc.db);
	if (sc.lock_fd >= 0) /* after the last commit */
		(void)close(sc.lock_fd);
	free(sc.names);
	cli_free(&c);
	return ret;
}
