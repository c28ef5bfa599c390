/*
 * db_int.h - what the files of db/ share: the connection, its cached
 * statements and the small helpers around sqlite3. Not for use outside db/.
 */
#ifndef MAILSCAN_DB_INT_H
#define MAILSCAN_DB_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

struct db;

/* Every statement mailscan runs more than once, prepared at open
 * (db_stmt_sql[] in db.c). */
enum db_stmt {
	ST_RUN_BEGIN,
	ST_RUN_FINISH,
	ST_ORG_UPSERT,
	ST_ORG_ID,
	ST_DOMAIN_INSERT,
	ST_DOMAIN_DONE,
	ST_DOMAIN_ORGS,
	ST_DOMAIN_ORG,
	ST_MX_INSERT,
	ST_ADDR_INSERT,
	ST_VERDICT_INSERT,
	ST_EVIDENCE_INSERT,
	ST_RUN_SCAN,
	ST_TARGET_ADD,
	ST_TARGET_ID,
	ST_TARGET_ORG,
	ST_TARGETS_LOADED,
	ST_TARGETS_CLEAR,
	ST_INVALID_ADD,
	ST_INVALID_CLEAR,
	ST_TAG_ADD,
	ST_TAGS_CLEAR,
	ST_TARGETS_PENDING,
	ST_RUN_GET,
	ST_RUNS_ALL,
	ST_RUN_LAST_OPEN,
	ST_RUN_DONE_COUNT,
	ST_DIFF,
	ST_DOMAIN_SAVEPOINT,
	ST_DOMAIN_RELEASE,
	ST_COUNT
};

struct db {
	sqlite3 *h;
	char *path;
	sqlite3_stmt *st[ST_COUNT];
	bool in_tx;           /* a batch transaction is open */
	size_t pending;       /* domains (or target entries) written in it */
	bool pending_targets; /* ... target entries: the list is being loaded */
	char err[512];
};

/* Set db->err to "PATH: " + the formatted text. */
void db_seterr(struct db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record "what: sqlite's message" as the error; returns -1. */
int db_fail(struct db *db, const char *what);
/* Run fixed SQL (never user strings) with no results; 0 or -1. */
int db_exec(struct db *db, const char *sql, const char *what);
/* The cached statement s, reset and with its bindings cleared. */
sqlite3_stmt *db_stmt(struct db *db, enum db_stmt s);
int db_bind_text(struct db *db, sqlite3_stmt *st, int i, const char *s);
/* Text, or NULL for NULL or "". */
int db_bind_opt(struct db *db, sqlite3_stmt *st, int i, const char *s);
int db_bind_int(struct db *db, sqlite3_stmt *st, int i, long long v);
/* Step a statement that returns no rows, then reset it; 0 or -1. */
int db_done(struct db *db, sqlite3_stmt *st, const char *what);
/* Open the batch write transaction unless it is open; 0 or -1. */
int db_tx_begin(struct db *db);
/* The organisation's id (created, or its category filled in), 0 for none
 * (name NULL or ""), -1 on error. */
long long db_organisation(struct db *db, const char *name, const char *category);
/* The C step of migration 8 -> 9 (db_migrate.c); 0 or -1. */
int db_migrate9_evidence(struct db *db);

#endif
