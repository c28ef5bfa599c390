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

#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/json.h"
#include "../base/log.h"
#include "../probes/dns.h"
#include "../probes/probe.h"
#include "db_int.h"

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

    /* 2 -> 3: scan runs. The target list of a run is stored first
     * (run_targets: one row per unique domain, in list order; each listing
     * organisation in run_target_orgs), so a resumed run probes exactly the
     * domains not yet in domains, and a domain listed by several
     * organisations is probed once and attributed to each of them
     * (domain_organisations). More raw evidence per name, host and address. */
    "ALTER TABLE runs ADD COLUMN targets TEXT;"
    "ALTER TABLE runs ADD COLUMN shard TEXT;"
    "ALTER TABLE runs ADD COLUMN loaded INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE runs ADD COLUMN n_targets INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE runs ADD COLUMN n_entries INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE runs ADD COLUMN n_invalid INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE runs ADD COLUMN n_retried INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE run_targets ("
    " id INTEGER PRIMARY KEY,"
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " name TEXT NOT NULL,"
    " UNIQUE (run_id, name));"
    "CREATE TABLE run_target_orgs ("
    " target_id INTEGER NOT NULL REFERENCES run_targets(id) ON DELETE CASCADE,"
    " organisation_id INTEGER NOT NULL REFERENCES organisations(id),"
    " line INTEGER NOT NULL,"
    " PRIMARY KEY (target_id, organisation_id)) WITHOUT ROWID;"
    "CREATE TABLE domain_organisations ("
    " domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,"
    " organisation_id INTEGER NOT NULL REFERENCES organisations(id),"
    " PRIMARY KEY (domain_id, organisation_id)) WITHOUT ROWID;"
    "CREATE INDEX domain_organisations_org ON domain_organisations(organisation_id);"
    "INSERT INTO domain_organisations (domain_id, organisation_id)"
    " SELECT id, organisation_id FROM domains WHERE organisation_id IS NOT NULL;"
    "ALTER TABLE domains ADD COLUMN dnssec_soa TEXT;"
    "ALTER TABLE domains ADD COLUMN dnssec_mx TEXT;"
    "ALTER TABLE domains ADD COLUMN mx_error TEXT;"
    "ALTER TABLE domains ADD COLUMN mta_sts_txt TEXT;"
    "ALTER TABLE domains ADD COLUMN mta_sts_policy TEXT;"
    "ALTER TABLE domains ADD COLUMN tlsrpt_txt TEXT;"
    "ALTER TABLE mx_hosts ADD COLUMN tlsa TEXT;"
    "ALTER TABLE mx_hosts ADD COLUMN error TEXT;"
    "CREATE UNIQUE INDEX mx_hosts_domain_host ON mx_hosts(domain_id, host);"
    "ALTER TABLE addresses ADD COLUMN banner TEXT;"
    "ALTER TABLE addresses ADD COLUMN ehlo TEXT;"
    "ALTER TABLE addresses ADD COLUMN error TEXT;"
    "ALTER TABLE addresses ADD COLUMN cert_subject TEXT;"
    "ALTER TABLE addresses ADD COLUMN cert_issuer TEXT;"
    "ALTER TABLE addresses ADD COLUMN cert_not_after TEXT;"
    "ALTER TABLE addresses ADD COLUMN key_type TEXT;"
    "ALTER TABLE addresses ADD COLUMN key_bits INTEGER;"
    "ALTER TABLE addresses ADD COLUMN signature TEXT;"
    "ALTER TABLE addresses ADD COLUMN retried INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE addresses ADD COLUMN first_attempt TEXT;"
    "CREATE INDEX runs_status ON runs(status);",

    /* 3 -> 4: the tls_ncsc evidence of each address, so that a report can
     * show what made the verdict warn or fail: the probe's state (NULL: it
     * did not run), its extra handshakes, the protocol versions tried and
     * every phase-out or insufficient finding, one "class TAB aspect TAB
     * item TAB version TAB detail" line each (columns dropped in 8 -> 9). */
    "ALTER TABLE addresses ADD COLUMN ncsc_state TEXT;"
    "ALTER TABLE addresses ADD COLUMN ncsc_handshakes INTEGER;"
    "ALTER TABLE addresses ADD COLUMN ncsc_versions TEXT;"
    "ALTER TABLE addresses ADD COLUMN ncsc_findings TEXT;",

    /* 4 -> 5: the evidence of each probe that writes its own (probe.h):
     * one JSON object per domain and probe, stored as the probe wrote it,
     * read back by the reports without knowing the probe. */
    "CREATE TABLE probe_evidence ("
    " domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,"
    " probe TEXT NOT NULL,"
    " evidence TEXT NOT NULL CHECK (json_valid(evidence)),"
    " PRIMARY KEY (domain_id, probe)) WITHOUT ROWID;",

    /* 5 -> 6: how a run was made, for a report an auditor can reproduce:
     * provenance is one flat JSON object of texts (mailscan's version, the
     * DNS mode and trust anchor, the list's SHA-256, ...: scan_cmd.c); and
     * the invalid entries of its list (the first DB_INVALID_KEEP; n_invalid
     * counts them all) with their line and reason. */
    "ALTER TABLE runs ADD COLUMN provenance TEXT CHECK (provenance IS NULL OR "
    "json_valid(provenance));"
    "CREATE TABLE run_invalid ("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " line INTEGER NOT NULL,"
    " entry TEXT NOT NULL,"
    " reason TEXT NOT NULL);"
    "CREATE INDEX run_invalid_run ON run_invalid(run_id, line);",

    /* 6 -> 7: dnssec, mta_sts and tlsrpt write their own evidence (probe.h)
     * like every newer probe; the rows stored before in their columns of
     * domains (dnssec_soa, dnssec_mx, mta_sts_txt, mta_sts_policy,
     * tlsrpt_txt, NULL from now on) become their probe_evidence, so a
     * report shows old and new runs alike. */
    "INSERT OR IGNORE INTO probe_evidence (domain_id, probe, evidence)"
    " SELECT id, 'dnssec', json_object('domain', dnssec_soa, 'mx_rrset', dnssec_mx)"
    " FROM domains WHERE dnssec_soa IS NOT NULL OR dnssec_mx IS NOT NULL;"
    "INSERT OR IGNORE INTO probe_evidence (domain_id, probe, evidence)"
    " SELECT id, 'mta_sts', json_object('txt', mta_sts_txt, 'policy_text', mta_sts_policy)"
    " FROM domains WHERE mta_sts_txt IS NOT NULL OR mta_sts_policy IS NOT NULL;"
    "INSERT OR IGNORE INTO probe_evidence (domain_id, probe, evidence)"
    " SELECT id, 'tlsrpt', json_object('txt', tlsrpt_txt) FROM domains"
    " WHERE tlsrpt_txt IS NOT NULL;",

    /* 7 -> 8: the free tags of each organisation as its run's list gave them
     * (targets.h "Tags"), for `report --group-by KEY`: per run, because a
     * list may change its tags between runs; the first value of a key
     * given for an organisation is kept. */
    "CREATE TABLE run_org_tags ("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " organisation_id INTEGER NOT NULL REFERENCES organisations(id),"
    " key TEXT NOT NULL,"
    " value TEXT NOT NULL,"
    " line INTEGER NOT NULL,"
    " PRIMARY KEY (run_id, organisation_id, key)) WITHOUT ROWID;",

    /* 8 -> 9: a probe owns its evidence about an MX host and an address
     * too (probe.h host_evidence, addr_evidence): one JSON object per row,
     * {"PROBE": {what it wrote}, ...}, stored as check --json shows it and
     * read back by the reports (db_report.c); the columns it was kept in
     * (tlsa_state, tlsa; starttls ... ncsc_findings) are turned into it and
     * dropped by db_migrate9_evidence() (db_migrate.c). */
    "ALTER TABLE mx_hosts ADD COLUMN evidence TEXT"
    " CHECK (evidence IS NULL OR json_valid(evidence));"
    "ALTER TABLE addresses ADD COLUMN evidence TEXT"
    " CHECK (evidence IS NULL OR json_valid(evidence));",
};

/* The steps of a migration done in C after its SQL (NULL: none). */
static int (*const db_migration_steps[DB_SCHEMA_VERSION])(struct db *db) = {
    [8] = db_migrate9_evidence,
};

/* ---- statements (the enum is in db_int.h) ---- */

#define DB_NOW "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

/* The columns db_run_row() (db_run.c) reads, in its order. */
#define DB_RUN_COLUMNS                                                                             \
	"id, started, coalesce(finished, ''), status, coalesce(label, ''), coalesce(options, '')," \
	" coalesce(targets, ''), coalesce(shard, ''), loaded, n_targets, n_entries, n_invalid,"    \
	" (SELECT count(*) FROM domains d WHERE d.run_id = runs.id), n_pass, n_warn, n_fail,"      \
	" n_na, n_error, n_retried"

static const char *const db_stmt_sql[ST_COUNT] = {
    [ST_RUN_BEGIN] =
	"INSERT INTO runs (started, label, options, status) VALUES (" DB_NOW ", ?1, ?2, 'running')",
    /* One pass over the run's verdicts, not one per verdict: 0.12 s
     * instead of 0.36 s at 10,000 domains, at the end of a scan, when
     * nothing else runs. */
    [ST_RUN_FINISH] =
	"UPDATE runs SET finished = " DB_NOW ", status = ?2,"
	" (n_domains, n_pass, n_warn, n_fail, n_na, n_error) ="
	" (SELECT (SELECT count(*) FROM domains WHERE run_id = ?1),"
	"  coalesce(sum(v.verdict = 'pass'), 0), coalesce(sum(v.verdict = 'warn'), 0),"
	"  coalesce(sum(v.verdict = 'fail'), 0), coalesce(sum(v.verdict = 'n/a'), 0),"
	"  coalesce(sum(v.verdict = 'error'), 0)"
	"  FROM verdicts v JOIN domains d ON d.id = v.domain_id WHERE d.run_id = ?1),"
	" n_retried = (SELECT count(DISTINCT m.host || ' ' || a.ip) FROM addresses a"
	"  JOIN mx_hosts m ON m.id = a.mx_host_id WHERE m.run_id = ?1"
	"  AND json_extract(a.evidence, '$.starttls.first_attempt') IS NOT NULL)"
	" WHERE id = ?1",
    [ST_ORG_UPSERT] = "INSERT INTO organisations (name, category) VALUES (?1, ?2)"
		      " ON CONFLICT (name) DO UPDATE SET category = excluded.category"
		      " WHERE excluded.category <> ''",
    [ST_ORG_ID] = "SELECT id FROM organisations WHERE name = ?1",
    /* Without an organisation given, the first one that lists the domain
     * in the run's targets. */
    [ST_DOMAIN_INSERT] =
	"INSERT INTO domains (run_id, name, organisation_id, checked_at, evidence, mx_error)"
	" VALUES (?1, ?2, coalesce(?3, (SELECT o.organisation_id FROM run_target_orgs o"
	"  JOIN run_targets t ON t.id = o.target_id WHERE t.run_id = ?1 AND t.name = ?2"
	"  ORDER BY o.line LIMIT 1)), " DB_NOW ", ?4, ?5)"
	" ON CONFLICT (run_id, name) DO NOTHING",
    [ST_DOMAIN_ORGS] = "INSERT OR IGNORE INTO domain_organisations (domain_id, organisation_id)"
		       " SELECT ?1, o.organisation_id FROM run_target_orgs o"
		       " JOIN run_targets t ON t.id = o.target_id"
		       " WHERE t.run_id = ?2 AND t.name = ?3",
    [ST_DOMAIN_ORG] = "INSERT OR IGNORE INTO domain_organisations (domain_id, organisation_id)"
		      " VALUES (?1, ?2)",
    [ST_DOMAIN_DONE] = "SELECT 1 FROM domains WHERE run_id = ?1 AND name = ?2",
    [ST_MX_INSERT] = "INSERT INTO mx_hosts (run_id, domain_id, host, preference, dnssec, error,"
		     " evidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_ADDR_INSERT] = "INSERT INTO addresses (mx_host_id, ip, evidence) VALUES (?1, ?2, ?3)",
    [ST_EVIDENCE_INSERT] = "INSERT INTO probe_evidence (domain_id, probe, evidence)"
			   " VALUES (?1, ?2, ?3)",
    [ST_VERDICT_INSERT] = "INSERT INTO verdicts (domain_id, standard, verdict, reasons)"
			  " VALUES (?1, ?2, ?3, ?4)",
    [ST_RUN_SCAN] = "INSERT INTO runs (started, label, options, status, targets, shard)"
		    " VALUES (" DB_NOW ", ?1, ?2, 'running', ?3, ?4)",
    [ST_TARGET_ADD] = "INSERT INTO run_targets (run_id, name) VALUES (?1, ?2)"
		      " ON CONFLICT (run_id, name) DO NOTHING",
    [ST_TARGET_ID] = "SELECT id FROM run_targets WHERE run_id = ?1 AND name = ?2",
    [ST_TARGET_ORG] = "INSERT INTO run_target_orgs (target_id, organisation_id, line)"
		      " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    [ST_TARGETS_LOADED] =
	"UPDATE runs SET loaded = 1, n_invalid = ?2, n_entries = ?3,"
	" n_targets = (SELECT count(*) FROM run_targets WHERE run_id = ?1) WHERE id = ?1",
    [ST_TARGETS_CLEAR] = "DELETE FROM run_targets WHERE run_id = ?1",
    [ST_INVALID_ADD] =
	"INSERT INTO run_invalid (run_id, line, entry, reason) VALUES (?1, ?2, ?3, ?4)",
    [ST_INVALID_CLEAR] = "DELETE FROM run_invalid WHERE run_id = ?1",
    [ST_TAG_ADD] = "INSERT INTO run_org_tags (run_id, organisation_id, key, value, line)"
		   " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
    [ST_TAGS_CLEAR] = "DELETE FROM run_org_tags WHERE run_id = ?1",
    [ST_TARGETS_PENDING] = "SELECT t.id, t.name FROM run_targets t"
			   " WHERE t.run_id = ?1 AND t.id > ?2 AND NOT EXISTS"
			   " (SELECT 1 FROM domains d WHERE d.run_id = ?1 AND d.name = t.name)"
			   " ORDER BY t.id LIMIT ?3",
    [ST_RUN_GET] = "SELECT " DB_RUN_COLUMNS " FROM runs WHERE id = ?1",
    [ST_RUNS_ALL] = "SELECT " DB_RUN_COLUMNS " FROM runs ORDER BY id",
    [ST_RUN_LAST_OPEN] = "SELECT id FROM runs WHERE status = 'running' ORDER BY id DESC LIMIT 1",
    [ST_RUN_DONE_COUNT] = "SELECT count(*) FROM domains WHERE run_id = ?1",
    /* Both runs' verdicts side by side, per domain and standard. */
    [ST_DIFF] = "WITH a AS (SELECT d.name, v.standard, v.verdict, v.reasons FROM domains d"
		" JOIN verdicts v ON v.domain_id = d.id WHERE d.run_id = ?1),"
		" b AS (SELECT d.name, v.standard, v.verdict, v.reasons FROM domains d"
		" JOIN verdicts v ON v.domain_id = d.id WHERE d.run_id = ?2)"
		" SELECT coalesce(a.name, b.name) AS n, coalesce(a.standard, b.standard) AS s,"
		" a.verdict, a.reasons, b.verdict, b.reasons"
		" FROM a FULL JOIN b ON a.name = b.name AND a.standard = b.standard"
		" ORDER BY n, s",
    /* around each domain's rows (db_store_domain) */
    [ST_DOMAIN_SAVEPOINT] = "SAVEPOINT domain",
    [ST_DOMAIN_RELEASE] = "RELEASE domain",
};

/* ---- errors ---- */

void db_seterr(struct db *db, const char *fmt, ...)
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
int db_fail(struct db *db, const char *what)
{
	db_seterr(db, "%s: %s", what, sqlite3_errmsg(db->h));
	return -1;
}

const char *db_error(const struct db *db) { return db ? db->err : "no database"; }

/* ---- helpers ---- */

/* Run fixed SQL (never user strings) with no results. */
int db_exec(struct db *db, const char *sql, const char *what)
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
sqlite3_stmt *db_stmt(struct db *db, enum db_stmt s)
{
	sqlite3_stmt *st = db->st[s];

	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
	return st;
}

int db_bind_text(struct db *db, sqlite3_stmt *st, int i, const char *s)
{
	int rc = s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);

	return rc == SQLITE_OK ? 0 : db_fail(db, "bind");
}

/* Text, or NULL for an empty string. */
int db_bind_opt(struct db *db, sqlite3_stmt *st, int i, const char *s)
{
	return db_bind_text(db, st, i, s && *s ? s : NULL);
}

int db_bind_int(struct db *db, sqlite3_stmt *st, int i, long long v)
{
	return sqlite3_bind_int64(st, i, v) == SQLITE_OK ? 0 : db_fail(db, "bind");
}

/* Step a statement that returns no rows; resets it afterwards. */
int db_done(struct db *db, sqlite3_stmt *st, const char *what)
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
		if (db_exec(db, db_migrations[v], what) < 0 ||
		    (db_migration_steps[v] && db_migration_steps[v](db) < 0))
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
	/* A 64 MB page cache instead of SQLite's 2 MB. Measured at 100,000
	 * domains (a 1.6 GB file): 3,020 us of CPU per domain with the
	 * default, 2,289 with this; at 10,000 no difference. Most likely the
	 * inserts at random places of the name indexes, whose pages the small
	 * cache kept reading back.
	 * temp_store = MEMORY keeps the journal of the savepoint around each
	 * domain (db_store_domain) in memory: SQLite spills one above 64 KiB
	 * to a temporary file, and one domain's rows touch more pages than
	 * that. Measured at 10,000 domains: 827,332 pwrite calls before,
	 * 146,175 with it. It holds one domain's pages at a time; reports
	 * open read-only (db_open_ro) and keep the default. */
	if (db_exec(db, "PRAGMA foreign_keys = ON", "enabling foreign keys") < 0 ||
	    db_exec(db, "PRAGMA synchronous = NORMAL", "setting synchronous") < 0 ||
	    db_exec(db, "PRAGMA cache_size = -65536", "sizing the page cache") < 0 ||
	    db_exec(db, "PRAGMA temp_store = MEMORY", "keeping temporary data in memory") < 0)
		return -1;
	if (db_migrate(db, target) < 0)
		return -1;
	if (target < DB_SCHEMA_VERSION)
		return 0; /* an old schema, for the migration tests: no statements */
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

static struct db *db_new(const char *path, char *err, size_t errlen)
{
	struct db *db = calloc(1, sizeof(*db));

	if (errlen)
		err[0] = '\0';
	if (!db || !(db->path = strdup(path))) {
		free(db);
		if (errlen)
			(void)snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	return db;
}

struct db *db_open_version(const char *path, int version, char *err, size_t errlen)
{
	struct db *db;
	int rc;

	if (version < 1 || version > DB_SCHEMA_VERSION) {
		if (errlen)
			(void)snprintf(err, errlen, "%s: no schema version %d", path, version);
		return NULL;
	}
	db = db_new(path, err, errlen);
	if (!db)
		return NULL;
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

/* "file:" URI of path (percent-encoded where a URI needs it) with query;
 * 0, or -1 when it does not fit. */
static int db_uri(char *out, size_t outlen, const char *path, const char *query)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n;
	const unsigned char *p;

	/* "file://" + "/abs": an empty authority, so a path that starts with
	 * "//" is not taken for a host name */
	n = (size_t)snprintf(out, outlen, "%s", path[0] == '/' ? "file://" : "file:");
	for (p = (const unsigned char *)path; *p && n + 4 < outlen; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._-~", *p)) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	if (*p || n + strlen(query) + 1 > outlen)
		return -1;
	(void)snprintf(out + n, outlen - n, "%s", query);
	return 0;
}

/* One read-only connection (immutable: see db_open_readonly); the schema
 * version it has, or -1 with db->err set. */
static int db_open_ro(struct db *db, bool immutable)
{
	char uri[8192];
	int rc;

	if (db->h) {
		(void)sqlite3_close(db->h);
		db->h = NULL;
	}
	if (db_uri(uri, sizeof(uri), db->path, immutable ? "?mode=ro&immutable=1" : "?mode=ro") <
	    0) {
		db_seterr(db, "cannot open: path too long");
		return -1;
	}
	rc = sqlite3_open_v2(uri, &db->h, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	if (rc != SQLITE_OK) {
		if (db->h)
			return db_fail(db, "cannot open");
		db_seterr(db, "cannot open: %s", sqlite3_errstr(rc));
		return -1;
	}
	if (sqlite3_busy_timeout(db->h, DB_BUSY_MS) != SQLITE_OK)
		return db_fail(db, "setting the busy timeout");
	(void)sqlite3_extended_result_codes(db->h, 1);
	/* the first read: proves the file is a database, and that its WAL
	 * index can be used */
	return db_user_version(db);
}

struct db *db_open_readonly(const char *path, char *err, size_t errlen)
{
	struct db *db = db_new(path, err, errlen);
	char shm[4096];
	int v, i;

	if (!db)
		return NULL;
	v = db_open_ro(db, false);
	/* No -shm file and none can be made (a read-only mount): no process
	 * has the file open in WAL mode, so nothing changes under us and it
	 * can be read as immutable, without the WAL index. */
	if (v < 0 && snprintf(shm, sizeof(shm), "%s-shm", path) < (int)sizeof(shm) &&
	    access(shm, F_OK) < 0 && errno == ENOENT)
		v = db_open_ro(db, true);
	if (v < 0)
		goto fail;
	if (v < DB_SCHEMA_VERSION) {
		/* an older schema: migrating it needs a writer (as before) */
		db_free(db);
		return db_open(path, err, errlen);
	}
	if (v > DB_SCHEMA_VERSION) {
		db_seterr(db,
			  "schema version %d is newer than this mailscan knows (%d); use a newer "
			  "mailscan",
			  v, DB_SCHEMA_VERSION);
		goto fail;
	}
	if (db_exec(db, "PRAGMA query_only = ON", "opening read-only") < 0)
		goto fail;
	for (i = 0; i < ST_COUNT; i++)
		if (sqlite3_prepare_v3(db->h, db_stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &db->st[i], NULL) != SQLITE_OK) {
			(void)db_fail(db, "preparing a statement");
			goto fail;
		}
	return db;
fail:
	if (errlen)
		(void)snprintf(err, errlen, "%s", db->err);
	db_free(db);
	return NULL;
}

int db_schema_version(struct db *db) { return db_user_version(db); }

/* ---- batches ---- */

int db_tx_begin(struct db *db)
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
	if (db->pending_targets) /* loading the list: no domain was probed yet */
		log_msg(LOG_ERR,
			"%s (%zu entries of the target list not stored; nothing was probed)",
			db->err, db->pending);
	else
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
long long db_organisation(struct db *db, const char *name, const char *category)
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

/* ---- storing a domain ---- */

/*
 * The evidence of MX host h (a NULL) or of its address a, as the probes
 * write it (probe.h), each probe's under its name: {"dane": {...}, ...}.
 * Caller frees; NULL when out of memory.
 */
static char *db_mx_evidence(const struct domain_scan *ds, const struct mx_host *h,
			    const struct addr_result *a)
{
	struct json j;
	struct buf b;

	buf_init(&b, 0);
	json_init(&j, &b);
	json_obj_open(&j);
	probe_mx_evidence(ds, h, a, &j, true);
	json_obj_close(&j);
	if (json_status(&j) < 0 || !buf_str(&b)) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static int db_store_addr(struct db *db, const struct domain_scan *ds, long long mx_id,
			 const struct mx_host *h, const struct addr_result *a)
{
	sqlite3_stmt *st = db_stmt(db, ST_ADDR_INSERT);
	char *ev = db_mx_evidence(ds, h, a);
	int rc = -1;

	if (!ev)
		db_seterr(db, "%s: out of memory writing the evidence of %s", ds->name, a->ip);
	else if (db_bind_int(db, st, 1, mx_id) == 0 && db_bind_text(db, st, 2, a->ip) == 0 &&
		 db_bind_text(db, st, 3, ev) == 0)
		rc = db_done(db, st, "storing an address");
	free(ev);
	return rc;
}

static int db_store_mx(struct db *db, const struct domain_scan *ds, long long run,
		       long long domain_id, const struct mx_ref *m)
{
	const struct mx_host *h = m->host;
	sqlite3_stmt *st = db_stmt(db, ST_MX_INSERT);
	char *ev = db_mx_evidence(ds, h, NULL);
	long long mx_id;
	size_t i;
	int rc = -1;

	if (!ev)
		db_seterr(db, "%s: out of memory writing the evidence of %s", ds->name, h->name);
	else if (db_bind_int(db, st, 1, run) == 0 && db_bind_int(db, st, 2, domain_id) == 0 &&
		 db_bind_text(db, st, 3, h->name) == 0 && db_bind_int(db, st, 4, m->pref) == 0 &&
		 db_bind_text(db, st, 5, dnssec_state_name(h->sec)) == 0 &&
		 db_bind_opt(db, st, 6, h->dns_error) == 0 && db_bind_text(db, st, 7, ev) == 0)
		rc = db_done(db, st, "storing an MX host");
	free(ev);
	if (rc < 0)
		return -1;
	mx_id = (long long)sqlite3_last_insert_rowid(db->h);
	for (i = 0; i < h->naddr && i < SCAN_ADDR_MAX; i++)
		if (h->addr[i] && db_store_addr(db, ds, mx_id, h, h->addr[i]) < 0)
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

/* The evidence object probe p writes for ds, as one row. */
static int db_store_evidence(struct db *db, long long domain_id, const struct probe_ops *p,
			     const struct domain_scan *ds)
{
	sqlite3_stmt *st;
	struct json j;
	struct buf b;
	int rc = -1;

	buf_init(&b, 0);
	json_init(&j, &b);
	p->evidence(ds, &j);
	if (json_status(&j) < 0 || buf_str(&b) == NULL) {
		db_seterr(db, "%s: out of memory writing the %s evidence", ds->name, p->name);
		goto out;
	}
	st = db_stmt(db, ST_EVIDENCE_INSERT);
	if (db_bind_int(db, st, 1, domain_id) == 0 && db_bind_text(db, st, 2, p->name) == 0 &&
	    db_bind_text(db, st, 3, buf_str(&b)) == 0)
		rc = db_done(db, st, "storing a probe's evidence");
out:
	buf_free(&b);
	return rc;
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
	    db_bind_text(db, st, 4, evidence_json) < 0 ||
	    db_bind_opt(db, st, 5, ds->mx_error) < 0 || db_done(db, st, "storing a domain") < 0)
		return -1;
	if (sqlite3_changes(db->h) == 0)
		return 1;
	domain_id = (long long)sqlite3_last_insert_rowid(db->h);
	st = db_stmt(db, ST_DOMAIN_ORGS);
	if (db_bind_int(db, st, 1, domain_id) < 0 || db_bind_int(db, st, 2, run) < 0 ||
	    db_bind_text(db, st, 3, ds->name) < 0 ||
	    db_done(db, st, "attributing a domain to its organisations") < 0)
		return -1;
	if (org > 0) {
		st = db_stmt(db, ST_DOMAIN_ORG);
		if (db_bind_int(db, st, 1, domain_id) < 0 || db_bind_int(db, st, 2, org) < 0 ||
		    db_done(db, st, "attributing a domain to its organisation") < 0)
			return -1;
	}
	for (i = 0; i < ds->nmx && i < SCAN_MX_MAX; i++)
		if (ds->mx[i].host && db_store_mx(db, ds, run, domain_id, &ds->mx[i]) < 0)
			return -1;
	for (i = 0; i < PROBE_COUNT; i++) {
		const struct probe_ops *p = probe_registry[i];

		if (ds->verdict[p->id].v == VERDICT_NONE)
			continue;
		if (db_store_verdict(db, domain_id, p->name, &ds->verdict[p->id]) < 0 ||
		    (p->evidence && probe_shows(ds, p) &&
		     db_store_evidence(db, domain_id, p, ds) < 0))
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
	if (db_done(db, db_stmt(db, ST_DOMAIN_SAVEPOINT), "storing a domain") < 0)
		return -1;
	rc = db_store_rows(db, run, ds, organisation, category, evidence_json);
	if (rc < 0) {
		(void)sqlite3_exec(db->h, "ROLLBACK TO domain", NULL, NULL, NULL);
		(void)sqlite3_exec(db->h, "RELEASE domain", NULL, NULL, NULL);
		if (sqlite3_get_autocommit(db->h)) /* sqlite rolled back the batch */
			db->in_tx = false;
		return -1;
	}
	if (db_done(db, db_stmt(db, ST_DOMAIN_RELEASE), "storing a domain") < 0)
		return -1;
	db->pending_targets = false;
	if (rc == 0 && ++db->pending >= DB_BATCH)
		return db_flush(db);
	return 0;
}
