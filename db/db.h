/*
 * db.h - the SQLite store (SPEC §6): one file, WAL, a versioned schema with
 * forward migrations, runs of domain checks with their MX hosts, addresses,
 * verdicts and raw evidence, written in batched transactions so a killed run
 * can be resumed without losing or double-counting a domain.
 *
 * db/ is the only code in mailscan that writes SQL; every statement is
 * prepared once and fed bound parameters. A struct db is one connection,
 * owned by the caller from db_open() to db_close(); it is not thread-safe.
 * Nothing passed in is retained: db_store_domain() copies what it needs
 * into the database before it returns.
 */
#ifndef MAILSCAN_DB_H
#define MAILSCAN_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "../probes/scan.h"

#define DB_SCHEMA_VERSION 9 /* the newest migration this build knows */
#define DB_BATCH 200        /* domains per write transaction */
#define DB_BUSY_MS 10000    /* how long to wait for another writer */

struct db;

/*
 * Open or create FILE: WAL mode, foreign keys on, a busy timeout, and
 * forward migrations up to DB_SCHEMA_VERSION via PRAGMA user_version (each
 * migration in one transaction). A file with a newer version than this build
 * knows is refused. Returns NULL and "FILE: problem" in err on failure.
 */
struct db *db_open(const char *path, char *err, size_t errlen);

/*
 * Open an existing FILE for reading only (runs, diff, report): no WAL
 * switch, no migration, no write, so that a database on a read-only mount
 * or in a directory this user cannot write can be read. SQLITE_OPEN_READONLY
 * uses an existing WAL and its -shm index; where there is no -shm and none
 * can be made, the file is opened with immutable=1 (no process has it open
 * for writing then). A file with an older schema is handed to db_open(),
 * which migrates it (and needs to write). Returns NULL and "FILE: problem"
 * in err on failure. Writing calls fail on it.
 */
struct db *db_open_readonly(const char *path, char *err, size_t errlen);

/* db_open, but migrate only up to version (1..DB_SCHEMA_VERSION): for the
 * tests of the migrations. Below DB_SCHEMA_VERSION no statement is prepared,
 * so only db_schema_version and db_close may be used on it. */
struct db *db_open_version(const char *path, int version, char *err, size_t errlen);

/* Commit what is pending and close; accepts NULL. A failed final commit is
 * logged (the batch is lost; a resumed run stores those domains again). */
void db_close(struct db *db);

/* The schema version of the open file (PRAGMA user_version), -1 on error. */
int db_schema_version(struct db *db);

/* What went wrong in the last failed call ("" if nothing); owned by db,
 * valid until the next call. */
const char *db_error(const struct db *db);

/* Start a run (committed at once, status "running"): label and options text
 * are stored as given (NULL allowed). Returns the run id (> 0) or -1. */
long long db_run_begin(struct db *db, const char *label, const char *options);

/*
 * Store one domain's results in run: the domain (organisation / category may
 * be "" or NULL for none), its MX hosts and their addresses (with each
 * address's tls_ncsc findings, certificate ones included), one verdict row
 * per standard with the reason codes space-separated, and evidence_json (the
 * domain's `check --json` line, NULL allowed) as raw evidence. Each domain is
 * stored whole or not at all. Rows go into the open write transaction, which
 * is committed every DB_BATCH domains and by db_flush / db_run_finish /
 * db_close. A domain already stored in run keeps its first result and is not
 * stored again (returns 0). Returns 0 or -1.
 */
int db_store_domain(struct db *db, long long run, const struct domain_scan *ds,
		    const char *organisation, const char *category, const char *evidence_json);

/* Commit the open write transaction, if any. 0 or -1 (the batch is then
 * rolled back). */
int db_flush(struct db *db);

/*
 * Flush, then mark run finished: the status text ("done", "failed"), the
 * finish time, and the counts taken from what is stored: n_domains, and
 * n_pass / n_warn / n_fail / n_na / n_error, the number of verdict rows
 * (domain x standard) with that verdict. 0 or -1.
 */
int db_run_finish(struct db *db, long long run, const char *status);

/* For resume: is domain already stored in run (pending rows included)?
 * 1 yes, 0 no, -1 error. */
int db_domain_done(struct db *db, long long run, const char *domain);

/* ---- scan runs: the target list first, then the results (db_run.c) ---- */

/* Start a scan run of the list at targets (its path, as given) and shard
 * ("K/N", or NULL for the whole list); committed at once, status "running",
 * not yet loaded. Returns the run id or -1. */
long long db_run_begin_scan(struct db *db, const char *label, const char *options,
			    const char *targets, const char *shard);

/*
 * Add one entry of the target list to run: the normalised domain, the
 * organisation listing it (NULL or "" for none) with its category, and the
 * line in the list. Written in batched transactions. Returns 1 when the
 * domain is new in the run, 0 when it was listed before (the organisation is
 * still recorded: a domain is probed once and attributed to everyone who
 * lists it), -1 on error.
 */
int db_target_add(struct db *db, long long run, const char *domain, const char *organisation,
		  const char *category, unsigned long line);

/* The list is complete: record the number of entries read and of invalid
 * ones skipped, mark the run loaded and commit. 0 or -1. */
int db_targets_loaded(struct db *db, long long run, unsigned long entries, unsigned long invalid);

/* Forget the targets (and invalid entries and tags) of a run that was killed while
 * its list was loading, so that it can be loaded again. 0 or -1. */
int db_targets_clear(struct db *db, long long run);

/* Keep one invalid entry of run's list (line, the entry as printed, why),
 * in the list's batch transaction. The caller keeps at most
 * DB_INVALID_KEEP per run; runs.n_invalid counts them all. 0 or -1. */
#define DB_INVALID_KEEP 1000
int db_invalid_add(struct db *db, long long run, unsigned long line, const char *entry,
		   const char *why);

/* Keep one tag of an organisation of run's list (targets.h "Tags"): the
 * organisation (created when new; NULL or "" does nothing), key and value,
 * the line in the list. A key the organisation already has in run keeps its
 * first value. In the list's batch transaction. 0 or -1. */
int db_org_tag_add(struct db *db, long long run, const char *organisation, const char *key,
		   const char *value, unsigned long line);

/* Record how run was made: provenance is a JSON object of texts (valid
 * JSON; the store checks it). 0 or -1. */
int db_run_set_provenance(struct db *db, long long run, const char *provenance);

/*
 * The next domains of run still to probe: up to max names (each
 * DNS_NAME_MAX + 1 bytes, in names) of the list after position *after that
 * are not stored yet, in list order; *after moves past them. Returns how
 * many (0 at the end) or -1. Flushes first, so stored domains are seen.
 */
int db_targets_pending(struct db *db, long long run, long long *after,
		       char (*names)[DNS_NAME_MAX + 1], size_t max);

/* Delete a run and everything stored for it (a run whose list could not be
 * read). 0 or -1. */
int db_run_delete(struct db *db, long long run);

struct db_run {
	long long id;
	char started[24], finished[24]; /* ISO 8601 UTC; finished "" while running */
	char status[16];                /* running, done, stopped, failed */
	char label[256];
	char options[1024];
	char targets[1024];
	char shard[32]; /* "K/N" or "" */
	bool loaded;
	unsigned long n_targets, n_entries, n_invalid, n_domains;
	unsigned long n_pass, n_warn, n_fail, n_na, n_error, n_retried;
};

/* Read run id into *out: 1 found, 0 no such run, -1 error. Long texts are
 * cut to the buffers. */
int db_run_get(struct db *db, long long id, struct db_run *out);

/* The newest run with status "running" (to resume): its id, 0 for none, -1
 * on error. */
long long db_run_last_open(struct db *db);

/* Domains stored in run so far, or -1. */
long long db_run_done_count(struct db *db, long long run);

/* Call cb for every run, oldest first; a non-zero return from cb stops and
 * is returned. 0 or -1. */
int db_runs_each(struct db *db, int (*cb)(const struct db_run *r, void *arg), void *arg);

/* One domain x standard of a diff; a side the domain is missing from has
 * NULL verdict and reasons. All pointers borrowed for the call. */
struct db_diff_row {
	const char *domain, *standard;
	const char *verdict_a, *reasons_a;
	const char *verdict_b, *reasons_b;
};

/* Call cb for every domain x standard in run a or b, ordered by domain and
 * standard; a non-zero return from cb stops and is returned. 0 or -1. */
int db_diff_each(struct db *db, long long a, long long b,
		 int (*cb)(const struct db_diff_row *row, void *arg), void *arg);

/* ---- reading a run back for the reports (db_report.c) ---- */

/* One stored domain of a run. Pointers borrowed for the callback; NULL where
 * nothing was stored. */
struct db_rep_domain {
	const char *name, *checked_at;
	const char *mx_error; /* the domains' own DNSSEC, MTA-STS and TLS-RPT
			       * evidence is their probes' (db_rep_evidence) */
	/* the failed lookups of the domain (evidence dns_failures), a line
	 * each: "NAME TYPE: STATUS (ERROR)"; NULL when none */
	const char *dns_failures;
	long long dns_failures_more; /* listed beyond those, or 0 */
};

struct db_rep_verdict {
	const char *domain, *standard, *verdict, *reasons; /* reasons space-separated */
};

struct db_rep_org {
	const char *domain, *organisation, *category;
};

struct db_rep_mx {
	const char *domain, *host, *dnssec, *tlsa_state, *tlsa, *error;
	long long preference;
};

struct db_rep_addr {
	const char *domain, *host, *ip, *starttls, *tls_version, *cipher;
	const char *cert_sha256, *cert_subject, *cert_issuer, *cert_not_after;
	const char *key_type, *signature, *dane, *error, *banner, *first_attempt;
	long long key_bits;
	int pkix_valid, name_match; /* -1 unknown (no TLS) */
	bool retried;
	/* tls_ncsc: state "done" / "incomplete", NULL when the probe did not
	 * run (then the other three are NULL / 0 too); versions "TLSv1.3
	 * accepted, ..."; findings one per line, "class TAB aspect TAB item TAB
	 * version-or-'-' TAB detail", "" for none */
	const char *ncsc_state, *ncsc_versions, *ncsc_findings;
	long long ncsc_handshakes;
};

/* Row-by-row readers of run's data, each ordered by domain name (then MX
 * preference and host, or address); a non-zero return from cb stops and is
 * returned. 0 or -1 (db_error). */
int db_rep_domains(struct db *db, long long run,
		   int (*cb)(const struct db_rep_domain *d, void *arg), void *arg);
int db_rep_verdicts(struct db *db, long long run,
		    int (*cb)(const struct db_rep_verdict *v, void *arg), void *arg);
/* Every (domain, organisation) of run: from the domain attributions, so a
 * domain listed by two organisations comes twice. */
int db_rep_orgs(struct db *db, long long run, int (*cb)(const struct db_rep_org *o, void *arg),
		void *arg);
int db_rep_mx(struct db *db, long long run, int (*cb)(const struct db_rep_mx *m, void *arg),
	      void *arg);
int db_rep_addrs(struct db *db, long long run, int (*cb)(const struct db_rep_addr *a, void *arg),
		 void *arg);

/* The evidence of the probes that write their own (probe_evidence),
 * flattened by SQLite's json_tree into one row per value: path like
 * "records[0]" or "tree.children[1].domain" ("" for the object itself when
 * it is empty), value as text ("true", "false", "null", numbers as
 * written, "[]" / "{}" for empty containers). Ordered by domain, probe, then
 * the object's own order. */
struct db_rep_evidence {
	const char *domain, *probe, *path, *value;
};
int db_rep_evidence(struct db *db, long long run,
		    int (*cb)(const struct db_rep_evidence *e, void *arg), void *arg);

/* How run was made (db_run_set_provenance): each key and its value as
 * text, in the object's order; nothing for a run without (older builds,
 * check). And its kept invalid entries, by line. 0 or -1. */
int db_rep_provenance(struct db *db, long long run,
		      int (*cb)(const char *key, const char *value, void *arg), void *arg);
/* The tags of run's organisations (db_org_tag_add), ordered by
 * organisation name, then key. 0 or -1. */
struct db_rep_tag {
	const char *organisation, *key, *value;
};
int db_rep_tags(struct db *db, long long run, int (*cb)(const struct db_rep_tag *t, void *arg),
		void *arg);

struct db_rep_invalid {
	unsigned long line;
	const char *entry, *why;
};
int db_rep_invalid(struct db *db, long long run,
		   int (*cb)(const struct db_rep_invalid *v, void *arg), void *arg);

/* The figures of run for monitoring (scan --metrics): one row per (kind,
 * labels): kind "verdict" (a = standard, b = verdict), "category" (a =
 * category, "" for none, b = standard, c = verdict; a domain listed by
 * organisations of two categories counts in each), "reason" (a = reason
 * code of an error verdict: domains with it in any standard). Ordered by
 * kind, then labels. 0 or -1. */
struct db_metric {
	const char *kind, *a, *b, *c;
	unsigned long long n;
};
int db_metrics(struct db *db, long long run, int (*cb)(const struct db_metric *m, void *arg),
	       void *arg);

/* For trends: every verdict of every finished run ("done" or "partial"),
 * ordered by run, domain, standard; the run's id and start come along. */
struct db_rep_trend_row {
	long long run;
	const char *started, *domain, *standard, *verdict;
};
int db_rep_trend(struct db *db, int (*cb)(const struct db_rep_trend_row *t, void *arg), void *arg);

/* ---- merging shard databases (db_merge.c) ---- */

/*
 * Copy the newest finished run of each file in paths (shard databases of
 * one list, from `scan --shard K/N`) into one new run of db with label, and
 * finish it. The shards must all be K/N of the same N, each K at most once,
 * and share no domain; a missing K is allowed (reported as a warning, the
 * run's status then says "partial"). Each file is migrated to this build's
 * schema first. Returns the new run id; -2 when the shards are the problem
 * (not shards, no finished run, of different N, a K twice, overlapping) or
 * -1 on a database error, with db_error() saying which file and why;
 * nothing is left in db then.
 */
long long db_merge(struct db *db, const char *label, const char *const *paths, size_t n);

#endif
