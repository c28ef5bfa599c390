/*
 * db.c - the SQLite store (SPEC §6): opening with WAL and forward migrations,
 * runs, and batched writes of domain results. See db.h.
 *
 * The schema lives in db_migrations[] below, one entry per version; entry i
 * takes a file from user_version i to i + 1 and runs in one transaction
 * together with the user_version bump. Never edit a released migration: add
 * the next one and raise DB_SCHEMA_VERSION.
 */
#include "db.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/log.h"
#include "../probes/dns.h"
#include "../probes/probe.h"

/* ---- schema ---- */

static const char *const db_migrations[DB_SCHEMA_VERSION] = {
    /* 0 -> 1: the initial schema */
    "CREATE TABLE runs ("
    " id INTEGER PRIMARY KEY,"
    " started TEXT NOT NULL,"
    " finished TEXT,"
    " label TEXT,"
    " options TEXT,"
    " status TEXT NOT NULL DEFAULT 'running',"
    " n_domains INTEGER NOT NULL DEFAULT 0,"
    " n_pass INTEGER NOT NULL DEFAULT 0,"
    " n_warn INTEGER NOT NULL DEFAULT 0,"
    " n_fail INTEGER NOT NULL DEFAULT 0,"
    " n_na INTEGER NOT NULL DEFAULT 0,"
    " n_error INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE organisations ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " category TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE domains ("
    " id INTEGER PRIMARY KEY,"
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " name TEXT NOT NULL,"
    " organisation_id INTEGER REFERENCES organisations(id),"
    " checked_at TEXT NOT NULL,"
    " evidence TEXT,"
    " UNIQUE (run_id, name));"
    "CREATE TABLE mx_hosts ("
    " id INTEGER PRIMARY KEY,"
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,"
    " host TEXT NOT NULL,"
    " preference INTEGER NOT NULL,"
    " dnssec TEXT NOT NULL,"
    " tlsa_state TEXT NOT NULL);"
    "CREATE TABLE addresses ("
    " id INTEGER PRIMARY KEY,"
    " mx_host_id INTEGER NOT NULL REFERENCES mx_hosts(id) ON DELETE CASCADE,"
    " ip TEXT NOT NULL,"
    " starttls TEXT NOT NULL,"
    " tls_version TEXT,"
    " cipher TEXT,"
    " cert_sha256 TEXT,"
    " pkix_valid INTEGER,"
    " name_match INTEGER,"
    " dane TEXT NOT NULL);"
    "CREATE TABLE verdicts ("
    " domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,"
    " standard TEXT NOT NULL,"
    " verdict TEXT NOT NULL,"
    " reasons TEXT NOT NULL DEFAULT '',"
    " PRIMARY KEY (domain_id, standard));"
    "CREATE INDEX verdicts_standard_verdict ON verdicts(standard, verdict);"
    "CREATE INDEX domains_run ON domains(run_id);"
    "CREATE INDEX domains_name ON domains(name);"
    "CREATE INDEX domains_organisation ON domains(organisation_id);"
    "CREATE INDEX mx_hosts_domain ON mx_hosts(domain_id);"
    "CREATE INDEX addresses_mx_host ON addresses(mx_host_id);",

    /* 1 -> 2: free-text notes on a run; MX host lookups across domains (the
     * "providers many domains depend on" report) */
    "ALTER TABLE runs ADD COLUMN notes TEXT;"
    "CREATE INDEX mx_hosts_run_host ON mx_hosts(run_id, host);",
};

/* ---- statements ---- */

enum db_stmt {
	ST_RUN_BEGIN,
	ST_RUN_FINISH,
	ST_ORG_UPSERT,
	ST_ORG_ID,
	ST_DOMAIN_INSERT,
	ST_DOMAIN_DONE,
	ST_MX_INSERT,
	ST_ADDR_INSERT,
	ST_VERDICT_INSERT,
	ST_COUNT
};

#define DB_NOW "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

static const char *const db_stmt_sql[ST_COUNT] = {
    [ST_RUN_BEGIN] =
	"INSERT INTO runs (started, label, options, status) VALUES (" DB_NOW ", ?1, ?2, 'running')",
    [ST_RUN_FINISH] =
	"UPDATE runs SET finished = " DB_NOW ", status = ?2,"
	" n_domains = (SELECT count(*) FROM domains WHERE run_id = ?1),"
	" n_pass = (SELECT count(*) FROM verdicts v JOIN domains d ON d.id = v.domain_id"
	"  WHERE d.run_id = ?1 AND v.verdict = 'pass'),"
	" n_warn = (SELECT count(*) FROM verdicts v JOIN domains d ON d.id = v.domain_id"
	"  WHERE d.run_id = ?1 AND v.verdict = 'warn'),"
	" n_fail = (SELECT count(*) FROM verdicts v JOIN domains d ON d.id = v.domain_id"
	"  WHERE d.run_id = ?1 AND v.verdict = 'fail'),"
	" n_na = (SELECT count(*) FROM verdicts v JOIN domains d ON d.id = v.domain_id"
	"  WHERE d.run_id = ?1 AND v.verdict = 'n/a'),"
	" n_error = (SELECT count(*) FROM verdicts v JOIN domains d ON d.id = v.domain_id"
	"  WHERE d.run_id = ?1 AND v.verdict = 'error')"
	" WHERE id = ?1",
    [ST_ORG_UPSERT] = "INSERT INTO organisations (name, category) VALUES (?1, ?2)"
		      " ON CONFLICT (name) DO UPDATE SET category = excluded.category"
		      " WHERE excluded.category <> ''",
    [ST_ORG_ID] = "SELECT id FROM organisations WHERE name = ?1",
    [ST_DOMAIN_INSERT] = "INSERT INTO domains (run_id, name, organisation_id, checked_at, evidence)"
			 " VALUES (?1, ?2, ?3, " DB_NOW ", ?4)"
			 " ON CONFLICT (run_id, name) DO NOTHING",
    [ST_DOMAIN_DONE] = "SELECT 1 FROM domains WHERE run_id = ?1 AND name = ?2",
    [ST_MX_INSERT] =
	"INSERT INTO mx_hosts (run_id, domain_id, host, preference, dnssec, tlsa_state)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_ADDR_INSERT] = "INSERT INTO addresses (mx_host_id, ip, starttls, tls_version, cipher,"
		       " cert_sha256, pkix_valid, name_match, dane)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [ST_VERDICT_INSERT] = "INSERT INTO verdicts (domain_id, standard, verdict, reasons)"
			  " VALUES (?1, ?2, ?3, ?4)",
};

struct db {
	sqlite3 *h;
	char *path;
	sqlite3_stmt *st[ST_COUNT];
	bool in_tx;     /* a batch transaction is open */
	size_t pending; /* domains stored in it */
	char err[512];
};

/* ---- errors ---- */

static void db_seterr(struct db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void db_seterr(struct db *db, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	n = (size_t)snprintf(db->err, sizeof(db->err), "%s: ", db->path);
	if (n >= sizeof(db->err))
		return;
	va_start(ap, fmt);
	(void)vsnprintf(db->err + n, sizeof(db->err) - n, fmt, ap);
	va_end(ap);
}

/* Record "what: sqlite's message" as the error; returns -1. */
static int db_fail(struct db *db, const char *what)
{
	db_seterr(db, "%s: %s", what, sqlite3_errmsg(db->h));
	return -1;
}

const char *db_error(const struct db *db) { return db ? db->err : "no database"; }

/* ---- helpers ---- */

/* Run fixed SQL (never user strings) with no results. */
static int db_exec(struct db *db, const char *sql, const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		db_seterr(db, "%s: %s", what, msg ? msg : sqlite3_errmsg(db->h));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Reset and clear a cached statement so it is ready for the next use. */
static sqlite3_stmt *db_stmt(struct db *db, enum db_stmt s)
{
	sqlite3_stmt *st = db->st[s];

	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
	return st;
}

static int db_bind_text(struct db *db, sqlite3_stmt *st, int i, const char *s)
{
	int rc = s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);

	return rc == SQLITE_OK ? 0 : db_fail(db, "bind");
}

/* Text, or NULL for an empty string. */
static int db_bind_opt(struct db *db, sqlite3_stmt *st, int i, const char *s)
{
	return db_bind_text(db, st, i, s && *s ? s : NULL);
}

static int db_bind_int(struct db *db, sqlite3_stmt *st, int i, long long v)
{
	return sqlite3_bind_int64(st, i, v) == SQLITE_OK ? 0 : db_fail(db, "bind");
}

/* Step a statement that returns no rows; resets it afterwards. */
static int db_done(struct db *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE) {
		(void)db_fail(db, what);
		(void)sqlite3_reset(st);
		return -1;
	}
	(void)sqlite3_reset(st);
	return 0;
}

/* ---- opening and migrations ---- */

static int db_user_version(struct db *db)
{
	sqlite3_stmt *st = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "reading the schema version");
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	else
		(void)db_fail(db, "reading the schema version");
	(void)sqlite3_finalize(st);
	return v;
}

/* Bring the file from its version up to DB_SCHEMA_VERSION. */
static int db_migrate(struct db *db, int target)
{
	int v;

	/* IMMEDIATE: two processes opening a fresh file must not both migrate. */
	if (db_exec(db, "BEGIN IMMEDIATE", "starting the migration") < 0)
		return -1;
	v = db_user_version(db);
	if (v < 0)
		goto fail;
	if (v > DB_SCHEMA_VERSION) {
		db_seterr(db,
			  "schema version %d is newer than this mailscan knows (%d); use a newer "
			  "mailscan",
			  v, DB_SCHEMA_VERSION);
		goto fail;
	}
	if (v >= target)
		return db_exec(db, "COMMIT", "reading the schema version");
	for (;;) {
		char sql[64], what[64];

		(void)snprintf(what, sizeof(what), "migration to schema version %d", v + 1);
		if (db_exec(db, db_migrations[v], what) < 0)
			goto fail;
		(void)snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (db_exec(db, sql, what) < 0 || db_exec(db, "COMMIT", what) < 0)
			goto fail;
		log_msg(LOG_INFO, "%s: schema migrated to version %d", db->path, v + 1);
		if (++v >= target)
			return 0;
		if (db_exec(db, "BEGIN IMMEDIATE", "starting the migration") < 0)
			return -1;
	}
fail:
	if (!sqlite3_get_autocommit(db->h))
		(void)sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int db_setup(struct db *db, int target)
{
	sqlite3_stmt *st = NULL;
	const char *mode;
	int ok, i;

	if (sqlite3_busy_timeout(db->h, DB_BUSY_MS) != SQLITE_OK)
		return db_fail(db, "setting the busy timeout");
	(void)sqlite3_extended_result_codes(db->h, 1);
	/* Also proves early that the file is a database at all. */
	if (sqlite3_prepare_v2(db->h, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "setting WAL mode");
	if (sqlite3_step(st) != SQLITE_ROW) {
		(void)db_fail(db, "setting WAL mode");
		(void)sqlite3_finalize(st);
		return -1;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	ok = mode && strcmp(mode, "wal") == 0;
	if (!ok)
		db_seterr(db, "cannot use WAL mode (journal mode is %s)", mode ? mode : "unknown");
	(void)sqlite3_finalize(st);
	if (!ok)
		return -1;
	if (db_exec(db, "PRAGMA foreign_keys = ON", "enabling foreign keys") < 0 ||
	    db_exec(db, "PRAGMA synchronous = NORMAL", "setting synchronous") < 0)
		return -1;
	if (db_migrate(db, target) < 0)
		return -1;
	for (i = 0; i < ST_COUNT; i++)
		if (sqlite3_prepare_v3(db->h, db_stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &db->st[i], NULL) != SQLITE_OK)
			return db_fail(db, "preparing a statement");
	return 0;
}

static void db_free(struct db *db)
{
	int i;

	for (i = 0; i < ST_COUNT; i++)
		(void)sqlite3_finalize(db->st[i]);
	if (sqlite3_close(db->h) != SQLITE_OK)
		log_msg(LOG_WARN, "%s: closing: %s", db->path, sqlite3_errmsg(db->h));
	free(db->path);
	free(db);
}

struct db *db_open_version(const char *path, int version, char *err, size_t errlen)
{
	struct db *db;
	int rc;

	if (errlen)
		err[0] = '\0';
	if (version < 1 || version > DB_SCHEMA_VERSION) {
		if (errlen)
			(void)snprintf(err, errlen, "%s: no schema version %d", path, version);
		return NULL;
	}
	db = calloc(1, sizeof(*db));
	if (!db || !(db->path = strdup(path))) {
		free(db);
		if (errlen)
			(void)snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	rc = sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		if (db->h)
			(void)db_fail(db, "cannot open");
		else
			db_seterr(db, "cannot open: %s", sqlite3_errstr(rc));
	} else if (db_setup(db, version) == 0) {
		return db;
	}
	if (errlen)
		(void)snprintf(err, errlen, "%s", db->err);
	db_free(db);
	return NULL;
}

struct db *db_open(const char *path, char *err, size_t errlen)
{
	return db_open_version(path, DB_SCHEMA_VERSION, err, errlen);
}

int db_schema_version(struct db *db) { return db_user_version(db); }

/* ---- batches ---- */

static int db_tx_begin(struct db *db)
{
	if (db->in_tx)
		return 0;
	if (db_exec(db, "BEGIN IMMEDIATE", "starting a write transaction") < 0)
		return -1;
	db->in_tx = true;
	db->pending = 0;
	return 0;
}

int db_flush(struct db *db)
{
	if (!db->in_tx)
		return 0;
	db->in_tx = false;
	if (db_exec(db, "COMMIT", "committing") == 0) {
		db->pending = 0;
		return 0;
	}
	if (!sqlite3_get_autocommit(db->h))
		(void)sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	log_msg(LOG_ERR, "%s (%zu domains not stored)", db->err, db->pending);
	db->pending = 0;
	return -1;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	(void)db_flush(db);
	db_free(db);
}

/* ---- runs ---- */

long long db_run_begin(struct db *db, const char *label, const char *options)
{
	sqlite3_stmt *st;

	if (db_flush(db) < 0)
		return -1;
	st = db_stmt(db, ST_RUN_BEGIN);
	if (db_bind_text(db, st, 1, label) < 0 || db_bind_text(db, st, 2, options) < 0 ||
	    db_done(db, st, "starting a run") < 0)
		return -1;
	return (long long)sqlite3_last_insert_rowid(db->h);
}

int db_run_finish(struct db *db, long long run, const char *status)
{
	sqlite3_stmt *st;

	if (db_flush(db) < 0)
		return -1;
	st = db_stmt(db, ST_RUN_FINISH);
	if (db_bind_int(db, st, 1, run) < 0 || db_bind_text(db, st, 2, status ? status : "") < 0 ||
	    db_done(db, st, "finishing the run") < 0)
		return -1;
	if (sqlite3_changes(db->h) != 1) {
		db_seterr(db, "finishing the run: no run %lld", run);
		return -1;
	}
	return 0;
}

int db_domain_done(struct db *db, long long run, const char *domain)
{
	sqlite3_stmt *st = db_stmt(db, ST_DOMAIN_DONE);
	int rc;

	if (db_bind_int(db, st, 1, run) < 0 || db_bind_text(db, st, 2, domain) < 0)
		return -1;
	rc = sqlite3_step(st);
	(void)sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_fail(db, "looking up a domain");
}

/* ---- storing a domain ---- */

/* The organisation's id (created or its category updated), 0 for none. */
static long long db_organisation(struct db *db, const char *name, const char *category)
{
	sqlite3_stmt *st;
	long long id = -1;
	int rc;

	if (!name || !*name)
		return 0;
	st = db_stmt(db, ST_ORG_UPSERT);
	if (db_bind_text(db, st, 1, name) < 0 ||
	    db_bind_text(db, st, 2, category ? category : "") < 0 ||
	    db_done(db, st, "storing an organisation") < 0)
		return -1;
	st = db_stmt(db, ST_ORG_ID);
	if (db_bind_text(db, st, 1, name) < 0)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else
		(void)db_fail(db, "looking up an organisation");
	(void)sqlite3_reset(st);
	return id;
}

static int db_store_addr(struct db *db, long long mx_id, const struct addr_result *a)
{
	sqlite3_stmt *st = db_stmt(db, ST_ADDR_INSERT);
	bool tls = a->cert.present;

	if (db_bind_int(db, st, 1, mx_id) < 0 || db_bind_text(db, st, 2, a->ip) < 0 ||
	    db_bind_text(db, st, 3, addr_status_name(a->status)) < 0 ||
	    db_bind_opt(db, st, 4, a->tls_version) < 0 || db_bind_opt(db, st, 5, a->cipher) < 0 ||
	    db_bind_opt(db, st, 6, tls ? a->cert.sha256 : NULL) < 0)
		return -1;
	if (tls && (db_bind_int(db, st, 7, a->cert.pkix_valid) < 0 ||
		    db_bind_int(db, st, 8, a->cert.name_match) < 0))
		return -1;
	if (db_bind_text(db, st, 9, dane_match_name(a->dane)) < 0)
		return -1;
	return db_done(db, st, "storing an address");
}

static int db_store_mx(struct db *db, long long run, long long domain_id, const struct mx_ref *m)
{
	const struct mx_host *h = m->host;
	sqlite3_stmt *st = db_stmt(db, ST_MX_INSERT);
	long long mx_id;
	size_t i;

	if (db_bind_int(db, st, 1, run) < 0 || db_bind_int(db, st, 2, domain_id) < 0 ||
	    db_bind_text(db, st, 3, h->name) < 0 || db_bind_int(db, st, 4, m->pref) < 0 ||
	    db_bind_text(db, st, 5, dnssec_state_name(h->sec)) < 0 ||
	    db_bind_text(db, st, 6, tlsa_state_name(h->tlsa_state)) < 0 ||
	    db_done(db, st, "storing an MX host") < 0)
		return -1;
	mx_id = (long long)sqlite3_last_insert_rowid(db->h);
	for (i = 0; i < h->naddr && i < SCAN_ADDR_MAX; i++)
		if (h->addr[i] && db_store_addr(db, mx_id, h->addr[i]) < 0)
			return -1;
	return 0;
}

static int db_store_verdict(struct db *db, long long domain_id, const char *standard,
			    const struct probe_verdict *pv)
{
	sqlite3_stmt *st = db_stmt(db, ST_VERDICT_INSERT);
	char reasons[SCAN_REASONS_MAX * 64];
	size_t i, len = 0;

	reasons[0] = '\0';
	for (i = 0; i < pv->nreasons && i < SCAN_REASONS_MAX; i++) {
		if (!pv->reasons[i])
			continue;
		len += (size_t)snprintf(reasons + len,
					len < sizeof(reasons) ? sizeof(reasons) - len : 0, "%s%s",
					len ? " " : "", pv->reasons[i]);
	}
	if (len >= sizeof(reasons)) {
		db_seterr(db, "storing a verdict: reason codes too long");
		return -1;
	}
	if (db_bind_int(db, st, 1, domain_id) < 0 || db_bind_text(db, st, 2, standard) < 0 ||
	    db_bind_text(db, st, 3, verdict_name(pv->v)) < 0 ||
	    db_bind_text(db, st, 4, reasons) < 0)
		return -1;
	return db_done(db, st, "storing a verdict");
}

/* The rows of one domain; 0 stored, 1 already there, -1 error. */
static int db_store_rows(struct db *db, long long run, const struct domain_scan *ds,
			 const char *organisation, const char *category, const char *evidence_json)
{
	sqlite3_stmt *st;
	long long org, domain_id;
	size_t i;

	org = db_organisation(db, organisation, category);
	if (org < 0)
		return -1;
	st = db_stmt(db, ST_DOMAIN_INSERT);
	if (db_bind_int(db, st, 1, run) < 0 || db_bind_text(db, st, 2, ds->name) < 0 ||
	    (org > 0 && db_bind_int(db, st, 3, org) < 0) ||
	    db_bind_text(db, st, 4, evidence_json) < 0 || db_done(db, st, "storing a domain") < 0)
		return -1;
	if (sqlite3_changes(db->h) == 0)
		return 1;
	domain_id = (long long)sqlite3_last_insert_rowid(db->h);
	for (i = 0; i < ds->nmx && i < SCAN_MX_MAX; i++)
		if (ds->mx[i].host && db_store_mx(db, run, domain_id, &ds->mx[i]) < 0)
			return -1;
	for (i = 0; i < PROBE_COUNT; i++) {
		const struct probe_ops *p = probe_registry[i];

		if (ds->verdict[p->id].v == VERDICT_NONE)
			continue;
		if (db_store_verdict(db, domain_id, p->name, &ds->verdict[p->id]) < 0)
			return -1;
	}
	return 0;
}

int db_store_domain(struct db *db, long long run, const struct domain_scan *ds,
		    const char *organisation, const char *category, const char *evidence_json)
{
	int rc;

	if (db_tx_begin(db) < 0)
		return -1;
	/* A savepoint per domain: a failure leaves no half-stored domain and
	 * keeps the rest of the batch. */
	if (db_exec(db, "SAVEPOINT domain", "storing a domain") < 0)
		return -1;
	rc = db_store_rows(db, run, ds, organisation, category, evidence_json);
	if (rc < 0) {
		(void)sqlite3_exec(db->h, "ROLLBACK TO domain", NULL, NULL, NULL);
		(void)sqlite3_exec(db->h, "RELEASE domain", NULL, NULL, NULL);
		if (sqlite3_get_autocommit(db->h)) /* sqlite rolled back the batch */
			db->in_tx = false;
		return -1;
	}
	if (db_exec(db, "RELEASE domain", "storing a domain") < 0)
		return -1;
	if (rc == 0 && ++db->pending >= DB_BATCH)
		return db_flush(db);
	return 0;
}
