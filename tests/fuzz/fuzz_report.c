/*
 * fuzz_report.c - libFuzzer harness for the report: hostile stored evidence
 * through report_build() (reports/report.c, advice.c) and every renderer
 * (html, md, csv, json) in both languages.
 *
 * The input is cut at NUL bytes into fields, used in turn as the text of
 * every column the report reads: run label, start and list; organisation
 * names and categories; per domain its name, check time, DNSSEC words, MX
 * error, MTA-STS record and policy, TLS-RPT record; per MX host and address
 * every stored fact (banner, certificate names, the tls_ncsc findings
 * lines, ...); per standard the verdict word and reason codes; and per
 * probe with evidence of its own (probe_evidence) a JSON object, the field
 * itself when it is valid JSON, else one built around it, so that any key
 * and value reach the renderers through db_rep_evidence's json_tree. A
 * database is not to be trusted more than the network it came from: a
 * copied or tampered file may hold any bytes in any column. Rows go in with
 * SQL beside the db API (db_run_begin, db_run_finish, the reader of
 * db_report.c), into one database made at start in /dev/shm; each input's
 * run is deleted again.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../db/db.h"
#include "../../db/db_int.h"
#include "../../reports/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct db *fz_db;
static FILE *fz_null;
static char fz_path[64];

static void fz_cleanup(void)
{
	char p[80];

	db_close(fz_db);
	if (fz_null)
		(void)fclose(fz_null);
	(void)unlink(fz_path);
	(void)snprintf(p, sizeof(p), "%s-wal", fz_path);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-shm", fz_path);
	(void)unlink(p);
}

static bool fz_init(void)
{
	char err[512];
	int fd;

	(void)snprintf(fz_path, sizeof(fz_path), "%s/mailscan-fuzz-report-XXXXXX",
		       access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	fd = mkstemp(fz_path);
	if (fd < 0)
		return false;
	(void)close(fd);
	fz_db = db_open(fz_path, err, sizeof(err));
	fz_null = fopen("/dev/null", "w");
	if (!fz_db || !fz_null)
		return false;
	(void)sqlite3_exec(fz_db->h, "PRAGMA synchronous = OFF", NULL, NULL, NULL);
	(void)atexit(fz_cleanup);
	return true;
}

/* The fields of one input, handed out in turn (the last ones again). */
struct fz_in {
	const uint8_t *p, *end;
	unsigned char pick; /* bits for the choices */
};

static const char *fz_next(struct fz_in *in, char *buf, size_t len)
{
	size_t n = 0;

	while (in->p < in->end && *in->p && n + 1 < len)
		buf[n++] = (char)*in->p++;
	if (in->p < in->end)
		in->pick = *in->p++;
	buf[n] = '\0';
	return buf;
}

static void fz_text(sqlite3_stmt *st, int i, struct fz_in *in, char *buf, size_t len)
{
	(void)fz_next(in, buf, len);
	if (in->pick & 1) /* NULL sometimes: every column that may be NULL is */
		(void)sqlite3_bind_null(st, i);
	else
		(void)sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
}

static sqlite3_stmt *fz_prep(const char *sql)
{
	sqlite3_stmt *st = NULL;

	(void)sqlite3_prepare_v2(fz_db->h, sql, -1, &st, NULL);
	return st;
}

static void fz_step(sqlite3_stmt *st)
{
	if (st) {
		(void)sqlite3_step(st);
		(void)sqlite3_finalize(st);
	}
}

/* One domain with one organisation, MX host and address, and a verdict per
 * standard, from the next fields. */
static void fz_domain(struct fz_in *in, long long run, int k)
{
	static const char *const words[] = {"pass", "warn", "fail", "n/a", "error"};
	static const char *const stds[] = {"dnssec",   "starttls", "dane",  "mta_sts", "tlsrpt",
					   "tls_ncsc", "spf",      "dmarc", "dkim"};
	static const char *const evprobes[] = {"spf", "dmarc", "dkim"};
	char buf[1024], name[300];
	sqlite3_stmt *st;
	long long org, dom, mx;
	size_t i;
	int c;

	st = fz_prep("INSERT INTO organisations (name, category) VALUES (?1, ?2)"
		     " ON CONFLICT (name) DO UPDATE SET category = excluded.category");
	if (!st)
		return;
	(void)sqlite3_bind_text(st, 1, fz_next(in, buf, sizeof(buf)), -1, SQLITE_TRANSIENT);
	(void)sqlite3_bind_text(st, 2, fz_next(in, buf, sizeof(buf)), -1, SQLITE_TRANSIENT);
	fz_step(st);
	org = sqlite3_last_insert_rowid(fz_db->h);
	st = fz_prep("INSERT OR IGNORE INTO domains (run_id, name, organisation_id, checked_at,"
		     " evidence, dnssec_soa, dnssec_mx, mx_error, mta_sts_txt, mta_sts_policy,"
		     " tlsrpt_txt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
	if (!st)
		return;
	(void)snprintf(name, sizeof(name), "%s", fz_next(in, buf, sizeof(buf)));
	if (in->pick & 2) /* a name not seen before in this run */
		(void)snprintf(name, sizeof(name), "d%d.example", k);
	(void)sqlite3_bind_int64(st, 1, run);
	(void)sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	(void)sqlite3_bind_int64(st, 3, org);
	(void)sqlite3_bind_text(st, 4, fz_next(in, buf, sizeof(buf)), -1, SQLITE_TRANSIENT);
	for (c = 5; c <= 11; c++)
		fz_text(st, c, in, buf, sizeof(buf));
	fz_step(st);
	dom = sqlite3_last_insert_rowid(fz_db->h);
	st = fz_prep("INSERT OR IGNORE INTO domain_organisations VALUES (?1, ?2)");
	if (st) {
		(void)sqlite3_bind_int64(st, 1, dom);
		(void)sqlite3_bind_int64(st, 2, org);
		fz_step(st);
	}
	/* the evidence: the fuzzer's own JSON where it is valid, else the
	 * shape the probes write with the fuzzer's values in it */
	st =
	    fz_prep("INSERT OR IGNORE INTO mx_hosts (run_id, domain_id, host, preference, dnssec,"
		    " error, evidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN json_valid(?9)"
		    " THEN ?9 ELSE json_object('dane', json_object('tlsa', json_object('state', ?7,"
		    " 'records', json_array(?8, ?8)))) END)");
	if (!st)
		return;
	(void)sqlite3_bind_int64(st, 1, run);
	(void)sqlite3_bind_int64(st, 2, dom);
	(void)sqlite3_bind_text(st, 3, fz_next(in, buf, sizeof(buf)), -1, SQLITE_TRANSIENT);
	(void)sqlite3_bind_int64(st, 4, (long long)in->pick - 128);
	for (c = 5; c <= 9; c++)
		fz_text(st, c, in, buf, sizeof(buf));
	fz_step(st);
	mx = sqlite3_last_insert_rowid(fz_db->h);
	st = fz_prep(
	    "INSERT INTO addresses (mx_host_id, ip, evidence) VALUES (?1, ?2, CASE WHEN"
	    " json_valid(?25) THEN ?25 ELSE json_object('starttls', json_object('starttls', ?3,"
	    " 'tls_version', ?4, 'cipher', ?5, 'banner', ?10, 'ehlo', ?11, 'error', ?12,"
	    " 'first_attempt', CASE WHEN ?19 THEN json_object('starttls', ?20, 'error', ?20) END,"
	    " 'cert', json_object('sha256', ?6, 'pkix_valid', ?7, 'name_match', ?8, 'subject', ?13,"
	    " 'issuer', ?14, 'not_after', ?15, 'key_type', ?16, 'key_bits', ?17, 'signature', "
	    "?18)),"
	    " 'dane', json_object('dane', ?9), 'tls_ncsc', json_object('ncsc', json_object('state',"
	    " ?21, 'handshakes', ?22, 'versions', CASE WHEN json_valid(?23) THEN json(?23) ELSE"
	    " json_object(coalesce(?23, ''), ?23) END, 'findings', CASE WHEN json_valid(?24) THEN"
	    " json(?24) ELSE json_array(json_object('class', ?24, 'aspect', ?24, 'item', ?24,"
	    " 'version', ?24, 'detail', ?24)) END))) END)");
	if (!st)
		return;
	(void)sqlite3_bind_int64(st, 1, mx);
	(void)sqlite3_bind_text(st, 2, fz_next(in, buf, sizeof(buf)), -1, SQLITE_TRANSIENT);
	(void)sqlite3_bind_text(st, 3, fz_next(in, buf, sizeof(buf)), -1, SQLITE_TRANSIENT);
	for (c = 4; c <= 25; c++) {
		if (c == 7 || c == 8 || c == 17 || c == 19 || c == 22)
			(void)sqlite3_bind_int64(st, c, (long long)(signed char)in->pick);
		else if (c == 9)
			(void)sqlite3_bind_text(st, c, fz_next(in, buf, sizeof(buf)), -1,
						SQLITE_TRANSIENT);
		else
			fz_text(st, c, in, buf, sizeof(buf));
	}
	fz_step(st);
	for (i = 0; i < sizeof(stds) / sizeof(stds[0]); i++) {
		st =
		    fz_prep("INSERT OR IGNORE INTO verdicts (domain_id, standard, verdict, reasons)"
			    " VALUES (?1, ?2, ?3, ?4)");
		if (!st)
			return;
		(void)sqlite3_bind_int64(st, 1, dom);
		(void)fz_next(in, buf, sizeof(buf));
		/* mostly a known standard and verdict word; sometimes the field */
		(void)sqlite3_bind_text(st, 2, in->pick & 4 ? buf : stds[i], -1, SQLITE_TRANSIENT);
		(void)sqlite3_bind_text(st, 3, in->pick & 8 ? buf : words[in->pick % 5], -1,
					SQLITE_TRANSIENT);
		(void)sqlite3_bind_text(st, 4, fz_next(in, buf, sizeof(buf)), -1, SQLITE_TRANSIENT);
		fz_step(st);
	}
	for (i = 0; i < sizeof(evprobes) / sizeof(evprobes[0]); i++) {
		char val[1024];

		st = fz_prep("INSERT OR IGNORE INTO probe_evidence (domain_id, probe, evidence)"
			     " VALUES (?1, ?2, CASE WHEN json_valid(?3) THEN ?3 ELSE"
			     " json_object(?3, ?4, 'list', json_array(?4, ?3, json_object(?4, ?3)))"
			     " END)");
		if (!st)
			return;
		(void)sqlite3_bind_int64(st, 1, dom);
		(void)fz_next(in, buf, sizeof(buf));
		(void)sqlite3_bind_text(st, 2, in->pick & 16 ? buf : evprobes[i], -1,
					SQLITE_TRANSIENT);
		(void)sqlite3_bind_text(st, 3, fz_next(in, buf, sizeof(buf)), -1, SQLITE_TRANSIENT);
		(void)sqlite3_bind_text(st, 4, fz_next(in, val, sizeof(val)), -1, SQLITE_TRANSIENT);
		fz_step(st);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct report_ops *const ops[] = {&report_html, &report_md, &report_csv,
						       &report_json};
	static bool ready;
	struct fz_in in = {data, data + size, 0};
	struct report r;
	char buf[1024], err[512];
	sqlite3_stmt *st;
	long long run;
	bool usage = false;
	int k, ndom = size ? 1 + data[0] % 3 : 1;
	size_t i;

	if (!ready && !(ready = fz_init()))
		return 0;
	run = db_run_begin(fz_db, fz_next(&in, buf, sizeof(buf)), NULL);
	if (run < 0)
		return 0;
	st = fz_prep("UPDATE runs SET started = ?2, targets = ?3 WHERE id = ?1");
	if (st) {
		(void)sqlite3_bind_int64(st, 1, run);
		(void)fz_next(&in, buf, sizeof(buf));
		if (in.pick & 1) /* a hostile start date now and then */
			(void)sqlite3_bind_text(st, 2, buf, -1, SQLITE_TRANSIENT);
		else
			(void)sqlite3_bind_text(st, 2, "2026-03-02T07:00:00Z", -1, SQLITE_STATIC);
		(void)sqlite3_bind_text(st, 3, fz_next(&in, buf, sizeof(buf)), -1,
					SQLITE_TRANSIENT);
		fz_step(st);
	}
	for (k = 0; k < ndom; k++)
		fz_domain(&in, run, k);
	if (db_run_finish(fz_db, run, "done") == 0) {
		for (k = 0; k < 2; k++) {
			memset(&r, 0, sizeof(r));
			if (report_build(&r, fz_db, run, NULL, k ? REP_EN : REP_NL, &usage, err,
					 sizeof(err)) == 0)
				for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
					(void)ops[i]->render(&r, fz_null);
			report_free(&r);
		}
	}
	(void)db_exec(fz_db, "DELETE FROM runs; DELETE FROM organisations", "cleaning up");
	return 0;
}
