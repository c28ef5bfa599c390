/*
 * db_run.c - scan runs in the store: the target list of a run (loaded
 * before anything is probed, so a YAML error stops the run before it
 * starts and a resumed run knows exactly what is left), reading runs back,
 * and the per-domain comparison of two runs behind `mailscan diff`.
 */
#include <stdio.h>
#include <string.h>

#include "../base/str.h"
#include "db.h"
#include "db_int.h"

long long db_run_begin_scan(struct db *db, const char *label, const char *options,
			    const char *targets, const char *shard)
{
	sqlite3_stmt *st;

	if (db_flush(db) < 0)
		return -1;
	st = db_stmt(db, ST_RUN_SCAN);
	if (db_bind_text(db, st, 1, label) < 0 || db_bind_text(db, st, 2, options) < 0 ||
	    db_bind_text(db, st, 3, targets) < 0 || db_bind_opt(db, st, 4, shard) < 0 ||
	    db_done(db, st, "starting a run") < 0)
		return -1;
	return (long long)sqlite3_last_insert_rowid(db->h);
}

/* The run_targets id of domain in run, or -1. */
static long long db_target_id(struct db *db, long long run, const char *domain)
{
	sqlite3_stmt *st = db_stmt(db, ST_TARGET_ID);
	long long id = -1;

	if (db_bind_int(db, st, 1, run) < 0 || db_bind_text(db, st, 2, domain) < 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else
		(void)db_fail(db, "looking up a target");
	(void)sqlite3_reset(st);
	return id;
}

int db_target_add(struct db *db, long long run, const char *domain, const char *organisation,
		  const char *category, unsigned long line)
{
	sqlite3_stmt *st;
	long long org, id;
	int fresh;

	if (db_tx_begin(db) < 0)
		return -1;
	st = db_stmt(db, ST_TARGET_ADD);
	if (db_bind_int(db, st, 1, run) < 0 || db_bind_text(db, st, 2, domain) < 0 ||
	    db_done(db, st, "storing a target") < 0)
		return -1;
	fresh = sqlite3_changes(db->h) > 0;
	org = db_organisation(db, organisation, category);
	if (org < 0)
		return -1;
	if (org > 0) {
		id = db_target_id(db, run, domain);
		if (id < 0)
			return -1;
		st = db_stmt(db, ST_TARGET_ORG);
		if (db_bind_int(db, st, 1, id) < 0 || db_bind_int(db, st, 2, org) < 0 ||
		    db_bind_int(db, st, 3, (long long)line) < 0 ||
		    db_done(db, st, "storing a target's organisation") < 0)
			return -1;
	}
	/* Ten times the result batch: a target row is small. */
	db->pending_targets = true;
	if (++db->pending >= DB_BATCH * 10 && db_flush(db) < 0)
		return -1;
	return fresh;
}

int db_org_tag_add(struct db *db, long long run, const char *organisation, const char *key,
		   const char *value, unsigned long line)
{
	sqlite3_stmt *st;
	long long org;

	if (!organisation || !*organisation)
		return 0;
	if (db_tx_begin(db) < 0)
		return -1;
	org = db_organisation(db, organisation, "");
	if (org <= 0)
		return (int)org;
	st = db_stmt(db, ST_TAG_ADD);
	if (db_bind_int(db, st, 1, run) < 0 || db_bind_int(db, st, 2, org) < 0 ||
	    db_bind_text(db, st, 3, key) < 0 || db_bind_text(db, st, 4, value) < 0 ||
	    db_bind_int(db, st, 5, (long long)line) < 0 ||
	    db_done(db, st, "storing an organisation's tag") < 0)
		return -1;
	db->pending_targets = true;
	if (++db->pending >= DB_BATCH * 10 && db_flush(db) < 0)
		return -1;
	return 0;
}

int db_targets_loaded(struct db *db, long long run, unsigned long entries, unsigned long invalid)
{
	sqlite3_stmt *st;

	if (db_tx_begin(db) < 0)
		return -1;
	st = db_stmt(db, ST_TARGETS_LOADED);
	if (db_bind_int(db, st, 1, run) < 0 || db_bind_int(db, st, 2, (long long)invalid) < 0 ||
	    db_bind_int(db, st, 3, (long long)entries) < 0 ||
	    db_done(db, st, "marking the list loaded") < 0)
		return -1;
	return db_flush(db);
}

int db_targets_clear(struct db *db, long long run)
{
	sqlite3_stmt *st;

	if (db_flush(db) < 0)
		return -1;
	st = db_stmt(db, ST_TARGETS_CLEAR);
	if (db_bind_int(db, st, 1, run) < 0 || db_done(db, st, "clearing the targets") < 0)
		return -1;
	st = db_stmt(db, ST_INVALID_CLEAR);
	if (db_bind_int(db, st, 1, run) < 0 || db_done(db, st, "clearing the invalid entries") < 0)
		return -1;
	st = db_stmt(db, ST_TAGS_CLEAR);
	if (db_bind_int(db, st, 1, run) < 0 || db_done(db, st, "clearing the tags") < 0)
		return -1;
	return 0;
}

int db_invalid_add(struct db *db, long long run, unsigned long line, const char *entry,
		   const char *why)
{
	sqlite3_stmt *st;

	if (db_tx_begin(db) < 0)
		return -1;
	st = db_stmt(db, ST_INVALID_ADD);
	if (db_bind_int(db, st, 1, run) < 0 || db_bind_int(db, st, 2, (long long)line) < 0 ||
	    db_bind_text(db, st, 3, entry) < 0 || db_bind_text(db, st, 4, why) < 0)
		return -1;
	return db_done(db, st, "keeping an invalid entry");
}

int db_run_set_provenance(struct db *db, long long run, const char *provenance)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (db_flush(db) < 0)
		return -1;
	if (sqlite3_prepare_v2(db->h, "UPDATE runs SET provenance = ?2 WHERE id = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return db_fail(db, "recording how the run was made");
	rc = db_bind_int(db, st, 1, run) == 0 && db_bind_text(db, st, 2, provenance) == 0
		 ? db_done(db, st, "recording how the run was made")
		 : -1;
	(void)sqlite3_finalize(st);
	return rc;
}

int db_targets_pending(struct db *db, long long run, long long *after,
		       char (*names)[DNS_NAME_MAX + 1], size_t max)
{
	sqlite3_stmt *st;
	size_t n = 0;
	int rc;

	if (db_flush(db) < 0)
		return -1;
	st = db_stmt(db, ST_TARGETS_PENDING);
	if (db_bind_int(db, st, 1, run) < 0 || db_bind_int(db, st, 2, *after) < 0 ||
	    db_bind_int(db, st, 3, (long long)max) < 0)
		return -1;
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);

		*after = sqlite3_column_int64(st, 0);
		if (!name || str_copy(names[n], DNS_NAME_MAX + 1, name) < 0)
			continue; /* cannot be: names were normalised when stored */
		n++;
	}
	if (n < max && rc != SQLITE_DONE) {
		(void)db_fail(db, "reading the targets");
		(void)sqlite3_reset(st);
		return -1;
	}
	(void)sqlite3_reset(st);
	return (int)n;
}

int db_run_delete(struct db *db, long long run)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (db_flush(db) < 0)
		return -1;
	if (sqlite3_prepare_v2(db->h, "DELETE FROM runs WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "deleting a run");
	rc = db_bind_int(db, st, 1, run) < 0 ? -1 : db_done(db, st, "deleting a run");
	(void)sqlite3_finalize(st);
	/* organisations only that run knew (a list that broke after them) */
	if (rc == 0)
		rc = db_exec(db,
			     "DELETE FROM organisations WHERE id NOT IN"
			     " (SELECT organisation_id FROM run_target_orgs)"
			     " AND id NOT IN (SELECT organisation_id FROM domain_organisations)"
			     " AND id NOT IN (SELECT organisation_id FROM domains"
			     "  WHERE organisation_id IS NOT NULL)",
			     "deleting a run's organisations");
	return rc;
}

static void db_col_text(sqlite3_stmt *st, int i, char *out, size_t outlen)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	(void)str_copy(out, outlen, s ? s : ""); /* cut, for display */
}

static unsigned long db_col_count(sqlite3_stmt *st, int i)
{
	long long v = sqlite3_column_int64(st, i);

	return v > 0 ? (unsigned long)v : 0;
}

/* A row of DB_RUN_COLUMNS into r. */
static void db_run_row(sqlite3_stmt *st, struct db_run *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, r->started, sizeof(r->started));
	db_col_text(st, 2, r->finished, sizeof(r->finished));
	db_col_text(st, 3, r->status, sizeof(r->status));
	db_col_text(st, 4, r->label, sizeof(r->label));
	db_col_text(st, 5, r->options, sizeof(r->options));
	db_col_text(st, 6, r->targets, sizeof(r->targets));
	db_col_text(st, 7, r->shard, sizeof(r->shard));
	r->loaded = sqlite3_column_int(st, 8) != 0;
	r->n_targets = db_col_count(st, 9);
	r->n_entries = db_col_count(st, 10);
	r->n_invalid = db_col_count(st, 11);
	r->n_domains = db_col_count(st, 12);
	r->n_pass = db_col_count(st, 13);
	r->n_warn = db_col_count(st, 14);
	r->n_fail = db_col_count(st, 15);
	r->n_na = db_col_count(st, 16);
	r->n_error = db_col_count(st, 17);
	r->n_retried = db_col_count(st, 18);
}

int db_run_get(struct db *db, long long id, struct db_run *out)
{
	sqlite3_stmt *st;
	int rc;

	if (db_flush(db) < 0)
		return -1;
	st = db_stmt(db, ST_RUN_GET);
	if (db_bind_int(db, st, 1, id) < 0)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		db_run_row(st, out);
	else if (rc != SQLITE_DONE)
		(void)db_fail(db, "reading a run");
	(void)sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static long long db_one_int(struct db *db, enum db_stmt s, long long arg, const char *what)
{
	sqlite3_stmt *st;
	long long v = 0;
	int rc;

	if (db_flush(db) < 0)
		return -1;
	st = db_stmt(db, s);
	if (arg >= 0 && db_bind_int(db, st, 1, arg) < 0)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		v = db_fail(db, what);
	(void)sqlite3_reset(st);
	return v;
}

long long db_run_last_open(struct db *db)
{
	return db_one_int(db, ST_RUN_LAST_OPEN, -1, "looking for a run to resume");
}

long long db_run_done_count(struct db *db, long long run)
{
	return db_one_int(db, ST_RUN_DONE_COUNT, run, "counting a run's domains");
}

int db_runs_each(struct db *db, int (*cb)(const struct db_run *r, void *arg), void *arg)
{
	sqlite3_stmt *st;
	struct db_run r;
	int rc, stop = 0;

	if (db_flush(db) < 0)
		return -1;
	st = db_stmt(db, ST_RUNS_ALL);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		db_run_row(st, &r);
		stop = cb(&r, arg);
		if (stop)
			break;
	}
	if (!stop && rc != SQLITE_DONE)
		stop = db_fail(db, "listing the runs");
	(void)sqlite3_reset(st);
	return stop;
}

int db_diff_each(struct db *db, long long a, long long b,
		 int (*cb)(const struct db_diff_row *row, void *arg), void *arg)
{
	sqlite3_stmt *st;
	struct db_diff_row row;
	int rc, stop = 0;

	if (db_flush(db) < 0)
		return -1;
	st = db_stmt(db, ST_DIFF);
	if (db_bind_int(db, st, 1, a) < 0 || db_bind_int(db, st, 2, b) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row.domain = (const char *)sqlite3_column_text(st, 0);
		row.standard = (const char *)sqlite3_column_text(st, 1);
		row.verdict_a = (const char *)sqlite3_column_text(st, 2);
		row.reasons_a = (const char *)sqlite3_column_text(st, 3);
		row.verdict_b = (const char *)sqlite3_column_text(st, 4);
		row.reasons_b = (const char *)sqlite3_column_text(st, 5);
		if (!row.domain || !row.standard)
			continue;
		stop = cb(&row, arg);
		if (stop)
			break;
	}
	if (!stop && rc != SQLITE_DONE)
		stop = db_fail(db, "comparing the runs");
	(void)sqlite3_reset(st);
	return stop;
}
