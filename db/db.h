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

#include <stddef.h>

#include "../probes/scan.h"

#define DB_SCHEMA_VERSION 2 /* the newest migration this build knows */
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

/* db_open, but migrate only up to version (1..DB_SCHEMA_VERSION): for the
 * tests of the migrations. */
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
 * be "" or NULL for none), its MX hosts and their addresses, one verdict row
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

#endif
