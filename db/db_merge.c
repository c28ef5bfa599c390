/*
 * db_merge.c - `mailscan merge`: the shard databases of one target list
 * (from `scan --shard K/N` on N machines) become one run, with the same
 * rows an unsharded run would have stored (SPEC §9).
 *
 * Each shard file is first opened with db_open (which migrates an older
 * file), then ATTACHed and copied with INSERT ... SELECT, mapping the
 * shard's row ids to new ones through the natural keys: organisation name,
 * domain name within the run, MX host name within the domain. SQLite cannot
 * ATTACH inside a transaction, so each shard is one transaction; on an error
 * the new run is deleted again, so nothing is left of a failed merge.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/log.h"
#include "db.h"
#include "db_int.h"

/* ?1 = the new run, ?2 = the shard's run; the shard is schema "s". */
static const char *const db_merge_sql[] = {
    "INSERT INTO main.organisations (name, category)"
    " SELECT name, category FROM s.organisations WHERE true"
    " ON CONFLICT (name) DO UPDATE SET category = excluded.category"
    " WHERE excluded.category <> ''",

    "INSERT OR IGNORE INTO main.run_targets (run_id, name)"
    " SELECT ?1, name FROM s.run_targets WHERE run_id = ?2 ORDER BY id",

    "INSERT OR IGNORE INTO main.run_target_orgs (target_id, organisation_id, line)"
    " SELECT t2.id, o2.id, x.line FROM s.run_target_orgs x"
    " JOIN s.run_targets t ON t.id = x.target_id"
    " JOIN s.organisations o ON o.id = x.organisation_id"
    " JOIN main.run_targets t2 ON t2.run_id = ?1 AND t2.name = t.name"
    " JOIN main.organisations o2 ON o2.name = o.name WHERE t.run_id = ?2",

    "INSERT OR IGNORE INTO main.run_org_tags (run_id, organisation_id, key, value, line)"
    " SELECT ?1, o2.id, x.key, x.value, x.line FROM s.run_org_tags x"
    " JOIN s.organisations o ON o.id = x.organisation_id"
    " JOIN main.organisations o2 ON o2.name = o.name WHERE x.run_id = ?2",

    "INSERT INTO main.domains (run_id, name, organisation_id, checked_at, evidence, dnssec_soa,"
    " dnssec_mx, mx_error, mta_sts_txt, mta_sts_policy, tlsrpt_txt)"
    " SELECT ?1, d.name, (SELECT o2.id FROM s.organisations o"
    "  JOIN main.organisations o2 ON o2.name = o.name WHERE o.id = d.organisation_id),"
    " d.checked_at, d.evidence, d.dnssec_soa, d.dnssec_mx, d.mx_error, d.mta_sts_txt,"
    " d.mta_sts_policy, d.tlsrpt_txt FROM s.domains d WHERE d.run_id = ?2",

    "INSERT INTO main.domain_organisations (domain_id, organisation_id)"
    " SELECT d2.id, o2.id FROM s.domain_organisations x"
    " JOIN s.domains d ON d.id = x.domain_id"
    " JOIN s.organisations o ON o.id = x.organisation_id"
    " JOIN main.domains d2 ON d2.run_id = ?1 AND d2.name = d.name"
    " JOIN main.organisations o2 ON o2.name = o.name WHERE d.run_id = ?2",

    "INSERT INTO main.mx_hosts (run_id, domain_id, host, preference, dnssec, error, evidence)"
    " SELECT ?1, d2.id, m.host, m.preference, m.dnssec, m.error, m.evidence"
    " FROM s.mx_hosts m JOIN s.domains d ON d.id = m.domain_id"
    " JOIN main.domains d2 ON d2.run_id = ?1 AND d2.name = d.name WHERE d.run_id = ?2"
    " ORDER BY m.id",

    "INSERT INTO main.addresses (mx_host_id, ip, evidence) SELECT m2.id, a.ip, a.evidence"
    " FROM s.addresses a JOIN s.mx_hosts m ON m.id = a.mx_host_id"
    " JOIN s.domains d ON d.id = m.domain_id"
    " JOIN main.domains d2 ON d2.run_id = ?1 AND d2.name = d.name"
    " JOIN main.mx_hosts m2 ON m2.domain_id = d2.id AND m2.host = m.host"
    " WHERE d.run_id = ?2 ORDER BY a.id",

    "INSERT INTO main.verdicts (domain_id, standard, verdict, reasons)"
    " SELECT d2.id, v.standard, v.verdict, v.reasons FROM s.verdicts v"
    " JOIN s.domains d ON d.id = v.domain_id"
    " JOIN main.domains d2 ON d2.run_id = ?1 AND d2.name = d.name WHERE d.run_id = ?2",

    "INSERT INTO main.probe_evidence (domain_id, probe, evidence)"
    " SELECT d2.id, x.probe, x.evidence FROM s.probe_evidence x"
    " JOIN s.domains d ON d.id = x.domain_id"
    " JOIN main.domains d2 ON d2.run_id = ?1 AND d2.name = d.name WHERE d.run_id = ?2",
};

#define DB_MERGE_NSQL (sizeof(db_merge_sql) / sizeof(db_merge_sql[0]))
#define DB_SHARDS_MAX 4096

/* Run one statement with ?1 = run, ?2 = srun (where it has them). */
static int db_merge_step(struct db *db, const char *sql, long long run, long long srun,
			 const char *what)
{
	sqlite3_stmt *st = NULL;
	int rc = -1, np;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, what);
	np = sqlite3_bind_parameter_count(st);
	if ((np < 1 || db_bind_int(db, st, 1, run) == 0) &&
	    (np < 2 || db_bind_int(db, st, 2, srun) == 0))
		rc = db_done(db, st, what);
	(void)sqlite3_finalize(st);
	return rc;
}

/* A one-row, one-column query (?1 = a, ?2 = b); the value or -1. */
static long long db_merge_int(struct db *db, const char *sql, long long a, long long b,
			      const char *what)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, what);
	if (db_bind_int(db, st, 1, a) < 0 || db_bind_int(db, st, 2, b) < 0) {
		(void)sqlite3_finalize(st);
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	else
		db_seterr(db, "%s: nothing found", what);
	(void)sqlite3_finalize(st);
	return v;
}

/* The shard's newest finished run and its "K/N"; 0 or -1 (error set). */
static int db_merge_shard_run(struct db *db, const char *path, long long *srun, unsigned *k,
			      unsigned *n, char *targets, size_t targetslen, long long *invalid,
			      long long *entries)
{
	sqlite3_stmt *st = NULL;
	const char *shard, *t;
	int rc;

	if (sqlite3_prepare_v2(db->h,
			       "SELECT id, coalesce(shard, ''), coalesce(targets, ''), n_invalid,"
			       " n_entries"
			       " FROM s.runs WHERE status = 'done' ORDER BY id DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "reading a shard's runs");
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			db_seterr(db, "%s: no finished run to merge", path);
		else
			(void)db_fail(db, "reading a shard's runs");
		(void)sqlite3_finalize(st);
		return rc == SQLITE_DONE ? -2 : -1;
	}
	*srun = sqlite3_column_int64(st, 0);
	shard = (const char *)sqlite3_column_text(st, 1);
	t = (const char *)sqlite3_column_text(st, 2);
	(void)snprintf(targets, targetslen, "%s", t ? t : "");
	*invalid = sqlite3_column_int64(st, 3);
	*entries = sqlite3_column_int64(st, 4);
	rc = shard && sscanf(shard, "%u/%u", k, n) == 2 && *k >= 1 && *k <= *n ? 0 : -2;
	if (rc < 0)
		db_seterr(db, "%s: run %lld is not a shard (scan --shard K/N)", path, *srun);
	(void)sqlite3_finalize(st);
	return rc;
}

/* Copy one attached shard's run into run. */
static int db_merge_one(struct db *db, const char *path, long long run, long long srun)
{
	size_t i;
	long long overlap;

	overlap =
	    db_merge_int(db,
			 "SELECT count(*) FROM s.domains d WHERE d.run_id = ?1 AND EXISTS"
			 " (SELECT 1 FROM main.domains x WHERE x.run_id = ?2 AND x.name = d.name)",
			 srun, run, "checking for overlapping shards");
	if (overlap < 0)
		return -1;
	if (overlap > 0) {
		db_seterr(db, "%s: %lld domains are also in another shard; not shards of one list",
			  path, overlap);
		return -2;
	}
	for (i = 0; i < DB_MERGE_NSQL; i++)
		if (db_merge_step(db, db_merge_sql[i], run, srun, "copying a shard") < 0)
			return -1;
	return 0;
}

/* How the merged run was made: the first shard's provenance and invalid
 * entries (every shard read the whole list), and each shard's file and run
 * under "merged_from". */
static int db_merge_provenance(struct db *db, const char *path, long long run, long long srun,
			       bool first)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (first &&
	    (db_merge_step(db,
			   "UPDATE main.runs SET provenance ="
			   " (SELECT provenance FROM s.runs WHERE id = ?2) WHERE id = ?1",
			   run, srun, "copying how a shard was made") < 0 ||
	     db_merge_step(db,
			   "INSERT INTO main.run_invalid (run_id, line, entry, reason)"
			   " SELECT ?1, line, entry, reason FROM s.run_invalid WHERE run_id = ?2"
			   " ORDER BY rowid",
			   run, srun, "copying a shard's invalid entries") < 0))
		return -1;
	if (sqlite3_prepare_v2(
		db->h,
		"UPDATE main.runs SET provenance = json_set(coalesce(provenance, '{}'),"
		" '$.merged_from', coalesce(json_extract(provenance, '$.merged_from')"
		" || ', ', '') || ?3 || ' (run ' || ?2 || ')') WHERE id = ?1",
		-1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "recording a merged shard");
	rc = db_bind_int(db, st, 1, run) == 0 && db_bind_int(db, st, 2, srun) == 0 &&
		     db_bind_text(db, st, 3, path) == 0
		 ? db_done(db, st, "recording a merged shard")
		 : -1;
	(void)sqlite3_finalize(st);
	return rc;
}

static int db_attach(struct db *db, const char *path)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db->h, "ATTACH DATABASE ?1 AS s", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "attaching a shard");
	rc = db_bind_text(db, st, 1, path) == 0 ? db_done(db, st, "attaching a shard") : -1;
	(void)sqlite3_finalize(st);
	return rc;
}

/* What the merged run's row says beyond the counts: every shard read the
 * whole list (so each saw all invalid entries) and counted the entries of
 * its own slice. */
static int db_merge_close_run(struct db *db, long long run, const char *targets, long long invalid,
			      long long entries)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db->h,
			       "UPDATE runs SET loaded = 1, targets = ?2, n_invalid = ?3,"
			       " n_targets = (SELECT count(*) FROM run_targets WHERE run_id = ?1),"
			       " n_entries = ?4 WHERE id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "finishing the merge");
	rc = db_bind_int(db, st, 1, run) == 0 && db_bind_opt(db, st, 2, targets) == 0 &&
		     db_bind_int(db, st, 3, invalid) == 0 && db_bind_int(db, st, 4, entries) == 0
		 ? db_done(db, st, "finishing the merge")
		 : -1;
	(void)sqlite3_finalize(st);
	return rc;
}

long long db_merge(struct db *db, const char *label, const char *const *paths, size_t n)
{
	unsigned char *seen = NULL;
	unsigned shards = 0, have = 0;
	long long run = -1, max_invalid = 0, sum_entries = 0;
	int ret = -1; /* -2: the shards are the problem, not the database */
	char targets[1024] = "", first_targets[1024] = "";
	char keep[sizeof(db->err)];
	size_t i;
	bool attached = false;

	if (n == 0 || n > DB_SHARDS_MAX) {
		db_seterr(db, "merge: give 1 to %d shard databases", DB_SHARDS_MAX);
		return -2;
	}
	/* Migrate each shard to this schema before reading it. */
	for (i = 0; i < n; i++) {
		char err[600];
		struct db *s = db_open(paths[i], err, sizeof(err));

		if (!s) {
			db_seterr(db, "merge: %s", err);
			return -1;
		}
		db_close(s);
	}
	run = db_run_begin_scan(db, label, "merge", NULL, NULL);
	if (run < 0 || db_merge_step(db, "UPDATE runs SET status = 'merging' WHERE id = ?1", run, 0,
				     "starting the merge") < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		long long srun = 0, inv = 0, ent = 0;
		unsigned k = 0, nn = 0;

		if (db_attach(db, paths[i]) < 0)
			goto fail;
		attached = true;
		ret = db_merge_shard_run(db, paths[i], &srun, &k, &nn, targets, sizeof(targets),
					 &inv, &ent);
		if (ret < 0)
			goto fail;
		ret = -2;
		if (!seen) {
			shards = nn;
			seen = calloc(nn + 1, 1);
			if (!seen) {
				db_seterr(db, "merge: out of memory");
				goto fail_db;
			}
			(void)snprintf(first_targets, sizeof(first_targets), "%s", targets);
		}
		if (nn != shards) {
			db_seterr(db, "%s: shard %u/%u does not belong with shards of %u", paths[i],
				  k, nn, shards);
			goto fail;
		}
		if (seen[k]) {
			db_seterr(db, "%s: shard %u/%u is given twice", paths[i], k, nn);
			goto fail;
		}
		seen[k] = 1;
		have++;
		if (strcmp(targets, first_targets) != 0)
			log_msg(LOG_WARN, "%s: shard of %s, the first shard is of %s", paths[i],
				targets, first_targets);
		if (inv > max_invalid)
			max_invalid = inv;
		sum_entries += ent;
		if (db_exec(db, "BEGIN IMMEDIATE", "copying a shard") < 0)
			goto fail_db;
		ret = db_merge_one(db, paths[i], run, srun);
		if (ret < 0)
			goto fail;
		ret = -1;
		if (db_merge_provenance(db, paths[i], run, srun, have == 1) < 0)
			goto fail;
		if (db_exec(db, "COMMIT", "copying a shard") < 0)
			goto fail_db;
		ret = -1;
		if (db_exec(db, "DETACH DATABASE s", "detaching a shard") < 0)
			goto fail;
		attached = false;
		log_msg(LOG_INFO, "merge: %s: shard %u/%u, run %lld", paths[i], k, nn, srun);
	}
	if (have < shards)
		log_msg(LOG_WARN, "merge: %u of %u shards given; the merged run is partial", have,
			shards);
	if (db_merge_close_run(db, run, first_targets, max_invalid, sum_entries) < 0 ||
	    db_run_finish(db, run, have < shards ? "partial" : "done") < 0)
		goto fail;
	free(seen);
	return run;
fail_db:
	ret = -1;
fail:
	if (!sqlite3_get_autocommit(db->h))
		(void)sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	if (attached)
		(void)sqlite3_exec(db->h, "DETACH DATABASE s", NULL, NULL, NULL);
	free(seen);
	memcpy(keep, db->err, sizeof(keep));
	if (run > 0 && db_run_delete(db, run) < 0)
		log_msg(LOG_WARN, "%s", db->err);
	memcpy(db->err, keep, sizeof(keep));
	return ret;
}
