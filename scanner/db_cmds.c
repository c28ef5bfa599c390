/*
 * db_cmds.c - the commands that read or combine stored runs: `runs`,
 * `diff` (per domain and standard: improved / regressed / unchanged; exit 1
 * on a regression, for cron) and `merge` (shard databases into one run).
 * The SQL is in db/; this file is the command line and the wording.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/json.h"
#include "../base/log.h"
#include "../base/str.h"
#include "../db/db.h"
#include "../probes/scan.h"
#include "cli.h"
#include "cmds.h"

static const char usage_runs[] =
    "usage: mailscan runs --db FILE [--json]\n"
    "\n"
    "List the runs stored in FILE, oldest first: status, domains stored of the\n"
    "list's unique domains, invalid entries skipped, and the verdict counts\n"
    "(domain x standard). --json: one object per run per line.\n";

static const char usage_diff[] =
    "usage: mailscan diff --db FILE [--json] [--all] RUN_A RUN_B\n"
    "\n"
    "Compare two runs per domain and standard: regressed (worse in RUN_B: pass\n"
    "or n/a to warn or fail, warn to fail), improved, changed (pass <-> n/a, to or\n"
    "from error), new or gone (in one run only); --all also lists the unchanged.\n"
    "A run is its number, `last` (the newest finished run) or `prev` (the one\n"
    "before it). --json: one object per line.\n"
    "\n"
    "Exit status: 0 nothing regressed; 1 something regressed; 2 usage error\n"
    "(such as an unknown run); 3 the database could not be read.\n";

static const char usage_merge[] =
    "usage: mailscan merge --db OUT [--label TEXT] SHARD.db...\n"
    "\n"
    "Copy the newest finished run of each shard database (from scan --shard K/N)\n"
    "into one new run in OUT (created if missing), as if the list had been\n"
    "scanned in one piece. Exit status: 0 merged; 2 usage error or shards that\n"
    "do not belong together; 3 a database could not be read or written.\n";

struct dbopts {
	const char *db;
	const char *label;
	bool json, all;
};

/* --db, --json, --all, --label, -v, -q, -h; 0, 1 for help, -1 usage. */
static int dbcmd_parse(int argc, char **argv, const char *usage, const char *allowed,
		       struct dbopts *o)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'}, {"json", no_argument, NULL, 'j'},
	    {"all", no_argument, NULL, 'a'},      {"label", required_argument, NULL, 'l'},
	    {"verbose", no_argument, NULL, 'v'},  {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},     {NULL, 0, NULL, 0},
	};
	int c, verbose = 0;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "vqh", opts, NULL)) != -1) {
		if (c == 'h') {
			(void)fputs(usage, stdout);
			return 1;
		}
		if (c == '?' || !strchr(allowed, c)) {
			if (c != '?')
				(void)fprintf(stderr,
					      "mailscan: %s: option %s is not for this command\n",
					      argv[0], argv[optind - 1]);
			(void)fputs(usage, stderr);
			return -1;
		}
		if (c == 'd')
			o->db = optarg;
		else if (c == 'l')
			o->label = optarg;
		else if (c == 'j')
			o->json = true;
		else if (c == 'a')
			o->all = true;
		else if (c == 'v')
			verbose++;
		else if (c == 'q')
			verbose = -1;
	}
	log_set_level(verbose < 0 ? LOG_ERR : verbose == 0 ? LOG_WARN : LOG_INFO);
	if (!o->db) {
		(void)fprintf(stderr, "mailscan: %s: --db FILE is required\n", argv[0]);
		(void)fputs(usage, stderr);
		return -1;
	}
	return 0;
}

struct db *cmd_open_existing(const char *path, int *ret)
{
	char err[1024];
	struct db *db;
	FILE *f = fopen(path, "rb");

	if (!f) {
		(void)fprintf(stderr, "mailscan: %s: no such database\n", path);
		*ret = EXIT_USAGE;
		return NULL;
	}
	(void)fclose(f);
	db = db_open_readonly(path, err, sizeof(err));
	if (!db) {
		(void)fprintf(stderr, "mailscan: %s\n", err);
		*ret = EXIT_RUN;
	}
	return db;
}

/* ---- runs ---- */

/* The width of the runs table's domains column ("stored/unique"). */
#define RUNS_DOMAINS_W 15

static int runs_print(const struct db_run *r, void *arg)
{
	const struct dbopts *o = arg;

	if (o->json) {
		struct json j;
		struct buf b;
		int rc;

		buf_init(&b, 0);
		json_init(&j, &b);
		json_obj_open(&j);
		json_kint(&j, "run", r->id);
		json_kstr(&j, "started", r->started);
		json_kstr(&j, "finished", r->finished[0] ? r->finished : NULL);
		json_kstr(&j, "status", r->status);
		json_kstr(&j, "label", r->label[0] ? r->label : NULL);
		json_kstr(&j, "targets", r->targets[0] ? r->targets : NULL);
		json_kstr(&j, "shard", r->shard[0] ? r->shard : NULL);
		json_kstr(&j, "options", r->options[0] ? r->options : NULL);
		json_kint(&j, "domains", (long long)r->n_domains);
		json_kint(&j, "targets_unique", (long long)r->n_targets);
		json_kint(&j, "entries", (long long)r->n_entries);
		json_kint(&j, "invalid", (long long)r->n_invalid);
		json_kint(&j, "retried", (long long)r->n_retried);
		json_key(&j, "verdicts");
		json_obj_open(&j);
		json_kint(&j, "pass", (long long)r->n_pass);
		json_kint(&j, "warn", (long long)r->n_warn);
		json_kint(&j, "fail", (long long)r->n_fail);
		json_kint(&j, "n/a", (long long)r->n_na);
		json_kint(&j, "error", (long long)r->n_error);
		json_obj_close(&j);
		json_obj_close(&j);
		rc = json_status(&j) < 0 || printf("%s\n", buf_str(&b)) < 0 ? -1 : 0;
		buf_free(&b);
		return rc;
	}
	{
		char label[80], domains[48];

		(void)str_sanitise(label, sizeof(label), r->label, strlen(r->label));
		/* "stored/unique" as one field, right-aligned under its header
		 * like the other counts (RUNS_DOMAINS_W in cmd_runs) */
		(void)snprintf(domains, sizeof(domains), "%lu/%lu", r->n_domains, r->n_targets);
		(void)printf("%5lld  %-20s  %-8s  %*s  %7lu  %6lu %6lu %6lu %6lu %6lu  %-5s  %s\n",
			     r->id, r->started, r->status, RUNS_DOMAINS_W, domains, r->n_invalid,
			     r->n_pass, r->n_warn, r->n_fail, r->n_na, r->n_error,
			     r->shard[0] ? r->shard : "-", label);
	}
	return 0;
}

int cmd_runs(int argc, char **argv)
{
	struct dbopts o;
	struct db *db;
	int rc, ret = 0;

	rc = dbcmd_parse(argc, argv, usage_runs, "djvq", &o);
	if (rc)
		return rc > 0 ? 0 : EXIT_USAGE;
	if (optind != argc) {
		(void)fputs(usage_runs, stderr);
		return EXIT_USAGE;
	}
	db = cmd_open_existing(o.db, &ret);
	if (!db)
		return ret;
	if (!o.json)
		(void)printf("%5s  %-20s  %-8s  %*s  %7s  %6s %6s %6s %6s %6s  %-5s  %s\n", "run",
			     "started", "status", RUNS_DOMAINS_W, "domains", "invalid", "pass",
			     "warn", "fail", "n/a", "error", "shard", "label");
	rc = db_runs_each(db, runs_print, &o);
	if (rc < 0) {
		(void)fprintf(stderr, "mailscan: %s\n",
			      db_error(db)[0] ? db_error(db) : "write error");
		ret = EXIT_RUN;
	}
	db_close(db);
	return ret;
}

/* ---- diff ---- */

enum diff_kind {
	DIFF_UNCHANGED,
	DIFF_IMPROVED,
	DIFF_REGRESSED,
	DIFF_CHANGED,
	DIFF_NEW,
	DIFF_GONE,
	DIFF_KINDS
};

static const char *const diff_names[DIFF_KINDS] = {"unchanged", "improved", "regressed",
						   "changed",   "new",      "gone"};

struct diff_state {
	const struct dbopts *o;
	unsigned long count[DIFF_KINDS];
	bool write_failed;
};

/* Compliance order (verdict_compliance, probes/registry.c): fail < warn <
 * pass = n/a (no mail, nothing to fix); -1 for error (untested: not
 * comparable). */
static int diff_rank(const char *v) { return verdict_compliance(verdict_from_name(v)); }

static enum diff_kind diff_classify(const struct db_diff_row *r)
{
	int a, b;

	if (!r->verdict_a)
		return DIFF_NEW;
	if (!r->verdict_b)
		return DIFF_GONE;
	if (strcmp(r->verdict_a, r->verdict_b) == 0)
		return DIFF_UNCHANGED;
	a = diff_rank(r->verdict_a);
	b = diff_rank(r->verdict_b);
	if (a < 0 || b < 0 || a == b)
		return DIFF_CHANGED;
	return b < a ? DIFF_REGRESSED : DIFF_IMPROVED;
}

static int diff_print(const struct db_diff_row *r, void *arg)
{
	struct diff_state *d = arg;
	enum diff_kind k = diff_classify(r);

	d->count[k]++;
	if (k == DIFF_UNCHANGED && !d->o->all)
		return 0;
	if (d->o->json) {
		struct json j;
		struct buf b;

		buf_init(&b, 0);
		json_init(&j, &b);
		json_obj_open(&j);
		json_kstr(&j, "domain", r->domain);
		json_kstr(&j, "standard", r->standard);
		json_kstr(&j, "change", diff_names[k]);
		json_kstr(&j, "a", r->verdict_a);
		json_kstr(&j, "a_reasons", r->reasons_a);
		json_kstr(&j, "b", r->verdict_b);
		json_kstr(&j, "b_reasons", r->reasons_b);
		json_obj_close(&j);
		if (json_status(&j) < 0 || printf("%s\n", buf_str(&b)) < 0)
			d->write_failed = true;
		buf_free(&b);
		return 0;
	}
	if (printf("%-9s  %-30s  %-8s  %s -> %s%s%s%s\n", diff_names[k], r->domain, r->standard,
		   r->verdict_a ? r->verdict_a : "-", r->verdict_b ? r->verdict_b : "-",
		   r->reasons_b && *r->reasons_b ? "  (" : "",
		   r->reasons_b && *r->reasons_b ? r->reasons_b : "",
		   r->reasons_b && *r->reasons_b ? ")" : "") < 0)
		d->write_failed = true;
	return 0;
}

/* "N", "last" or "prev" (newest finished runs) to a run id; 0 if none. */
struct diff_pick {
	long long last, prev;
	unsigned long finished; /* runs with status "done" */
};

static int diff_pick_cb(const struct db_run *r, void *arg)
{
	struct diff_pick *p = arg;

	if (strcmp(r->status, "done") == 0) {
		p->prev = p->last;
		p->last = r->id;
		p->finished++;
	}
	return 0;
}

static long long diff_run_id(struct db *db, const char *s, const struct diff_pick *p)
{
	struct db_run r;
	unsigned id;

	if (strcmp(s, "last") == 0)
		return p->last;
	if (strcmp(s, "prev") == 0)
		return p->prev;
	if (cli_parse_uint("run", s, 1, 2000000000, &id) < 0)
		return -1;
	return db_run_get(db, id, &r) == 1 ? (long long)id : 0;
}

int cmd_diff(int argc, char **argv)
{
	struct dbopts o;
	struct diff_state d;
	struct diff_pick pick = {0, 0, 0};
	struct db *db;
	long long a, b;
	int rc, ret = 0;

	rc = dbcmd_parse(argc, argv, usage_diff, "djavq", &o);
	if (rc)
		return rc > 0 ? 0 : EXIT_USAGE;
	if (argc - optind != 2) {
		(void)fputs("mailscan: diff: give two runs\n", stderr);
		(void)fputs(usage_diff, stderr);
		return EXIT_USAGE;
	}
	db = cmd_open_existing(o.db, &ret);
	if (!db)
		return ret;
	if (db_runs_each(db, diff_pick_cb, &pick) < 0) {
		(void)fprintf(stderr, "mailscan: %s\n", db_error(db));
		db_close(db);
		return EXIT_RUN;
	}
	a = diff_run_id(db, argv[optind], &pick);
	b = diff_run_id(db, argv[optind + 1], &pick);
	if (a <= 0 || b <= 0) {
		const char *bad = a <= 0 ? argv[optind] : argv[optind + 1];

		/* "last" or "prev" with too few finished runs: say how many there
		 * are, not that a run called 'prev' is missing */
		if ((a <= 0 ? a : b) == 0 && (strcmp(bad, "last") == 0 || strcmp(bad, "prev") == 0))
			(void)fprintf(stderr,
				      "mailscan: diff needs %s finished run%s for '%s'; %s has %lu"
				      " (mailscan runs --db %s lists them)\n",
				      bad[0] == 'p' ? "two" : "a", bad[0] == 'p' ? "s" : "", bad,
				      o.db, pick.finished, o.db);
		else if ((a <= 0 ? a : b) == 0)
			(void)fprintf(stderr, "mailscan: %s: no run '%s'\n", o.db, bad);
		db_close(db);
		return EXIT_USAGE;
	}
	memset(&d, 0, sizeof(d));
	d.o = &o;
	if (db_diff_each(db, a, b, diff_print, &d) < 0) {
		(void)fprintf(stderr, "mailscan: %s\n", db_error(db));
		db_close(db);
		return EXIT_RUN;
	}
	db_close(db);
	if (!o.json)
		(void)printf("run %lld -> %lld: %lu regressed, %lu improved, %lu changed, %lu new,"
			     " %lu gone, %lu unchanged (domain x standard)\n",
			     a, b, d.count[DIFF_REGRESSED], d.count[DIFF_IMPROVED],
			     d.count[DIFF_CHANGED], d.count[DIFF_NEW], d.count[DIFF_GONE],
			     d.count[DIFF_UNCHANGED]);
	if (d.write_failed || fflush(stdout) != 0) {
		(void)fputs("mailscan: cannot write the results\n", stderr);
		return EXIT_RUN;
	}
	return d.count[DIFF_REGRESSED] ? EXIT_FAILS : 0;
}

/* ---- merge ---- */

int cmd_merge(int argc, char **argv)
{
	struct dbopts o;
	struct db *db;
	char err[1024];
	long long run;
	int rc;

	rc = dbcmd_parse(argc, argv, usage_merge, "dlvq", &o);
	if (rc)
		return rc > 0 ? 0 : EXIT_USAGE;
	if (optind >= argc) {
		(void)fputs("mailscan: merge: give the shard databases\n", stderr);
		(void)fputs(usage_merge, stderr);
		return EXIT_USAGE;
	}
	for (rc = optind; rc < argc; rc++) {
		FILE *f = fopen(argv[rc], "rb");

		if (!f) {
			(void)fprintf(stderr, "mailscan: %s: no such database\n", argv[rc]);
			return EXIT_USAGE;
		}
		(void)fclose(f);
	}
	db = db_open(o.db, err, sizeof(err));
	if (!db) {
		(void)fprintf(stderr, "mailscan: %s\n", err);
		return EXIT_RUN;
	}
	run = db_merge(db, o.label, (const char *const *)(argv + optind), (size_t)(argc - optind));
	if (run < 0) {
		(void)fprintf(stderr, "mailscan: %s\n", db_error(db));
		db_close(db);
		/* shards that do not belong together are an input error */
		return run == -2 ? EXIT_USAGE : EXIT_RUN;
	}
	db_close(db);
	(void)printf("merged %d shard databases into run %lld of %s\n", argc - optind, run, o.db);
	return 0;
}
