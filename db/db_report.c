/*
 * db_report.c - reading a stored run back, row by row, for the compliance
 * reports (SPEC §7). Read-only; the statements are prepared per call (a
 * report runs each once). See db.h.
 */
#include <stdbool.h>
#include <stdio.h>

#include "db.h"
#include "db_int.h"

/* The caller's callback, whichever kind of row it takes. */
struct db_rep_cb {
	union {
		int (*domain)(const struct db_rep_domain *d, void *arg);
		int (*verdict)(const struct db_rep_verdict *v, void *arg);
		int (*org)(const struct db_rep_org *o, void *arg);
		int (*mx)(const struct db_rep_mx *m, void *arg);
		int (*addr)(const struct db_rep_addr *a, void *arg);
		int (*trend)(const struct db_rep_trend_row *t, void *arg);
		int (*evidence)(const struct db_rep_evidence *e, void *arg);
		int (*metric)(const struct db_metric *m, void *arg);
		int (*kv)(const char *key, const char *value, void *arg);
		int (*invalid)(const struct db_rep_invalid *v, void *arg);
		int (*tag)(const struct db_rep_tag *t, void *arg);
	} fn;
	void *arg;
};

typedef int (*db_row_fn)(sqlite3_stmt *st, const struct db_rep_cb *cb);

/* Prepare sql, bind ?1 = run (when it has a parameter), call row for every
 * row. */
static int db_rep_each(struct db *db, const char *sql, long long run, db_row_fn row,
		       const struct db_rep_cb *cb, const char *what)
{
	sqlite3_stmt *st = NULL;
	int rc, stop = 0;

	if (db_flush(db) < 0)
		return -1;
	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, what);
	if (sqlite3_bind_parameter_count(st) >= 1 && db_bind_int(db, st, 1, run) < 0) {
		(void)sqlite3_finalize(st);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		stop = row(st, cb);
		if (stop)
			break;
	}
	if (!stop && rc != SQLITE_DONE)
		stop = db_fail(db, what);
	(void)sqlite3_finalize(st);
	return stop;
}

static const char *col(sqlite3_stmt *st, int i) { return (const char *)sqlite3_column_text(st, i); }

static int col_bool(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return -1;
	return sqlite3_column_int(st, i) != 0;
}

static int row_domain(sqlite3_stmt *st, const struct db_rep_cb *cb)
{
	struct db_rep_domain d = {
	    .name = col(st, 0),
	    .checked_at = col(st, 1),
	    .mx_error = col(st, 2),
	    .dns_failures = col(st, 3),
	    .dns_failures_more = sqlite3_column_int64(st, 4),
	};

	return d.name ? cb->fn.domain(&d, cb->arg) : 0;
}

int db_rep_domains(struct db *db, long long run,
		   int (*cb)(const struct db_rep_domain *d, void *arg), void *arg)
{
	struct db_rep_cb c = {.fn.domain = cb, .arg = arg};

	/* dns_failures is looked for before the evidence is parsed: most
	 * domains have none, and a domain's evidence is some 10 KB */
	return db_rep_each(
	    db,
	    "SELECT name, checked_at, mx_error,"
	    " CASE WHEN instr(evidence, '\"dns_failures\"') > 0 AND json_valid(evidence)"
	    " THEN (SELECT group_concat(json_extract(f.value, '$.name') || ' ' ||"
	    "  json_extract(f.value, '$.type') || ': ' ||"
	    "  json_extract(f.value, '$.status') ||"
	    "  coalesce(' (' || json_extract(f.value, '$.error') || ')', ''), char(10))"
	    "  FROM json_each(evidence, '$.dns_failures') f) END,"
	    " CASE WHEN instr(evidence, '\"dns_failures_more\"') > 0 AND"
	    "  json_valid(evidence) THEN json_extract(evidence, '$.dns_failures_more') END"
	    " FROM domains WHERE run_id = ?1 ORDER BY name",
	    run, row_domain, &c, "reading the domains");
}

static int row_verdict(sqlite3_stmt *st, const struct db_rep_cb *cb)
{
	struct db_rep_verdict v = {
	    .domain = col(st, 0),
	    .standard = col(st, 1),
	    .verdict = col(st, 2),
	    .reasons = col(st, 3),
	};

	return v.domain && v.standard && v.verdict ? cb->fn.verdict(&v, cb->arg) : 0;
}

int db_rep_verdicts(struct db *db, long long run,
		    int (*cb)(const struct db_rep_verdict *v, void *arg), void *arg)
{
	struct db_rep_cb c = {.fn.verdict = cb, .arg = arg};

	return db_rep_each(db,
			   "SELECT d.name, v.standard, v.verdict, v.reasons FROM domains d"
			   " JOIN verdicts v ON v.domain_id = d.id WHERE d.run_id = ?1"
			   " ORDER BY d.name, v.standard",
			   run, row_verdict, &c, "reading the verdicts");
}

static int row_evidence(sqlite3_stmt *st, const struct db_rep_cb *cb)
{
	struct db_rep_evidence e = {
	    .domain = col(st, 0),
	    .probe = col(st, 1),
	    .path = col(st, 2),
	    .value = col(st, 3),
	};

	if (!e.domain || !e.probe || !e.path || !e.value)
		return 0;
	return cb->fn.evidence(&e, cb->arg);
}

int db_rep_evidence(struct db *db, long long run,
		    int (*cb)(const struct db_rep_evidence *e, void *arg), void *arg)
{
	struct db_rep_cb c = {.fn.evidence = cb, .arg = arg};

	/* fullkey is "$" or "$.a[0].b" (SQLite quotes a key with anything but
	 * letters and digits: "$.\"all_domain\""): the path without "$", its dot
	 * and those quotes (the probes' keys are plain words) */
	return db_rep_each(
	    db,
	    "SELECT d.name, e.probe,"
	    " CASE WHEN t.fullkey = '$' THEN '' ELSE replace(substr(t.fullkey, 3), '\"', '') END,"
	    " CASE t.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'"
	    "  WHEN 'null' THEN 'null' WHEN 'object' THEN '{}' WHEN 'array' THEN '[]'"
	    "  ELSE CAST(t.atom AS TEXT) END"
	    " FROM domains d JOIN probe_evidence e ON e.domain_id = d.id, json_tree(e.evidence) t"
	    " WHERE d.run_id = ?1 AND (t.type NOT IN ('object', 'array') OR t.value IN ('{}', "
	    "'[]'))"
	    " ORDER BY d.name, e.probe, t.id",
	    run, row_evidence, &c, "reading the probes' evidence");
}

static int row_kv(sqlite3_stmt *st, const struct db_rep_cb *cb)
{
	const char *k = col(st, 0), *v = col(st, 1);

	return k && v ? cb->fn.kv(k, v, cb->arg) : 0;
}

int db_rep_provenance(struct db *db, long long run,
		      int (*cb)(const char *key, const char *value, void *arg), void *arg)
{
	struct db_rep_cb c = {.fn.kv = cb, .arg = arg};

	return db_rep_each(db,
			   "SELECT j.key, j.value FROM runs r, json_each(r.provenance) j"
			   " WHERE r.id = ?1 AND r.provenance IS NOT NULL AND j.type = 'text'"
			   " ORDER BY j.id",
			   run, row_kv, &c, "reading how the run was made");
}

static int row_invalid(sqlite3_stmt *st, const struct db_rep_cb *cb)
{
	struct db_rep_invalid v = {
	    .line = (unsigned long)sqlite3_column_int64(st, 0),
	    .entry = col(st, 1),
	    .why = col(st, 2),
	};

	return v.entry && v.why ? cb->fn.invalid(&v, cb->arg) : 0;
}

static int row_tag(sqlite3_stmt *st, const struct db_rep_cb *cb)
{
	struct db_rep_tag t = {
	    .organisation = col(st, 0),
	    .key = col(st, 1),
	    .value = col(st, 2),
	};

	return t.organisation && t.key && t.value ? cb->fn.tag(&t, cb->arg) : 0;
}

int db_rep_tags(struct db *db, long long run, int (*cb)(const struct db_rep_tag *t, void *arg),
		void *arg)
{
	struct db_rep_cb c = {.fn.tag = cb, .arg = arg};

	return db_rep_each(db,
			   "SELECT o.name, t.key, t.value FROM run_org_tags t"
			   " JOIN organisations o ON o.id = t.organisation_id WHERE t.run_id = ?1"
			   " ORDER BY o.name, t.key",
			   run, row_tag, &c, "reading the organisations' tags");
}

int db_rep_invalid(struct db *db, long long run,
		   int (*cb)(const struct db_rep_invalid *v, void *arg), void *arg)
{
	struct db_rep_cb c = {.fn.invalid = cb, .arg = arg};

	return db_rep_each(db,
			   "SELECT line, entry, reason FROM run_invalid WHERE run_id = ?1"
			   " ORDER BY line, rowid",
			   run, row_invalid, &c, "reading the invalid entries");
}

static int row_metric(sqlite3_stmt *st, const struct db_rep_cb *cb)
{
	struct db_metric m = {
	    .kind = col(st, 0),
	    .a = col(st, 1),
	    .b = col(st, 2),
	    .c = col(st, 3),
	    .n = (unsigned long long)sqlite3_column_int64(st, 4),
	};

	if (!m.kind || !m.a || !m.b || !m.c)
		return 0;
	return cb->fn.metric(&m, cb->arg);
}

int db_metrics(struct db *db, long long run, int (*cb)(const struct db_metric *m, void *arg),
	       void *arg)
{
	struct db_rep_cb c = {.fn.metric = cb, .arg = arg};

	/* the reasons of error verdicts are space-separated: split them with a
	 * recursive CTE, then count each domain once per code */
	return db_rep_each(
	    db,
	    "WITH v AS (SELECT d.id AS dom, v.standard, v.verdict, v.reasons FROM domains d"
	    "  JOIN verdicts v ON v.domain_id = d.id WHERE d.run_id = ?1),"
	    " split(dom, code, rest) AS (SELECT dom, '', reasons || ' ' FROM v"
	    "  WHERE verdict = 'error'"
	    "  UNION ALL SELECT dom, substr(rest, 1, instr(rest, ' ') - 1),"
	    "  substr(rest, instr(rest, ' ') + 1) FROM split WHERE rest <> '')"
	    " SELECT 'verdict', standard, verdict, '', count(*) FROM v GROUP BY 2, 3"
	    " UNION ALL SELECT 'category', coalesce(o.category, ''), v.standard, v.verdict,"
	    "  count(DISTINCT v.dom) FROM v LEFT JOIN domain_organisations x ON x.domain_id = v.dom"
	    "  LEFT JOIN organisations o ON o.id = x.organisation_id GROUP BY 2, 3, 4"
	    " UNION ALL SELECT 'reason', code, '', '', count(DISTINCT dom) FROM split"
	    "  WHERE code <> '' GROUP BY 2"
	    " ORDER BY 1, 2, 3, 4",
	    run, row_metric, &c, "reading the run's figures");
}

static int row_org(sqlite3_stmt *st, const struct db_rep_cb *cb)
{
	struct db_rep_org o = {
	    .domain = col(st, 0),
	    .organisation = col(st, 1),
	    .category = col(st, 2),
	};

	return o.domain && o.organisation ? cb->fn.org(&o, cb->arg) : 0;
}

int db_rep_orgs(struct db *db, long long run, int (*cb)(const struct db_rep_org *o, void *arg),
		void *arg)
{
	struct db_rep_cb c = {.fn.org = cb, .arg = arg};

	return db_rep_each(db,
			   "SELECT d.name, o.name, o.category FROM domains d"
			   " JOIN domain_organisations x ON x.domain_id = d.id"
			   " JOIN organisations o ON o.id = x.organisation_id WHERE d.run_id = ?1"
			   " ORDER BY d.name, o.name",
			   run, row_org, &c, "reading the organisations");
}

static int row_mx(sqlite3_stmt *st, const struct db_rep_cb *cb)
{
	struct db_rep_mx m = {
	    .domain = col(st, 0),
	    .host = col(st, 1),
	    .preference = sqlite3_column_int64(st, 2),
	    .dnssec = col(st, 3),
	    .tlsa_state = col(st, 4),
	    .tlsa = col(st, 5),
	    .error = col(st, 6),
	};

	return m.domain && m.host ? cb->fn.mx(&m, cb->arg) : 0;
}

int db_rep_mx(struct db *db, long long run, int (*cb)(const struct db_rep_mx *m, void *arg),
	      void *arg)
{
	struct db_rep_cb c = {.fn.mx = cb, .arg = arg};

	return db_rep_each(
	    db,
	    "SELECT d.name, m.host, m.preference, m.dnssec,"
	    " coalesce(json_extract(m.evidence, '$.dane.tlsa.state'), 'not-looked-up'),"
	    " (SELECT group_concat(r.value, '; ') FROM (SELECT value FROM"
	    "  json_each(m.evidence, '$.dane.tlsa.records') ORDER BY id) r),"
	    " m.error FROM mx_hosts m JOIN domains d ON d.id = m.domain_id"
	    " WHERE d.run_id = ?1 ORDER BY d.name, m.preference, m.host",
	    run, row_mx, &c, "reading the MX hosts");
}

static int row_addr(sqlite3_stmt *st, const struct db_rep_cb *cb)
{
	struct db_rep_addr a = {
	    .domain = col(st, 0),
	    .host = col(st, 1),
	    .ip = col(st, 2),
	    .starttls = col(st, 3),
	    .tls_version = col(st, 4),
	    .cipher = col(st, 5),
	    .cert_sha256 = col(st, 6),
	    .pkix_valid = col_bool(st, 7),
	    .name_match = col_bool(st, 8),
	    .dane = col(st, 9),
	    .banner = col(st, 10),
	    .error = col(st, 11),
	    .cert_subject = col(st, 12),
	    .cert_issuer = col(st, 13),
	    .cert_not_after = col(st, 14),
	    .key_type = col(st, 15),
	    .key_bits = sqlite3_column_int64(st, 16),
	    .signature = col(st, 17),
	    .retried = sqlite3_column_int(st, 18) != 0,
	    .first_attempt = col(st, 19),
	    .ncsc_state = col(st, 20),
	    .ncsc_handshakes = sqlite3_column_int64(st, 21),
	    .ncsc_versions = col(st, 22),
	    .ncsc_findings = col(st, 23),
	};

	return a.domain && a.host && a.ip ? cb->fn.addr(&a, cb->arg) : 0;
}

/*
 * An address's evidence (probe.h addr_evidence, stored by db.c as
 * {"starttls": {...}, "dane": {...}, "tls_ncsc": {"ncsc": {...}}}) as the
 * columns of struct db_rep_addr: the tls_ncsc versions as one text, newest
 * first ("TLSv1.3 accepted, TLSv1.2 refused, ..."), and its findings one
 * "class TAB aspect TAB item TAB version-or-dash TAB detail" line each in
 * the probe's order (tabs and line breaks inside a field become spaces).
 * An address whose tls_ncsc evidence says "not-run" (--skip tls_ncsc) reads
 * as one the probe did not run on.
 */
/* clang-format cannot lay out string pieces made by macros: */
/* clang-format off */
#define DB_REP_S(path) "json_extract(a.evidence, '$.starttls." path "')"
#define DB_REP_N(path) "json_extract(a.evidence, '$.tls_ncsc.ncsc." path "')"
#define DB_REP_NCSC_RUN "coalesce(" DB_REP_N("state") ", 'not-run') <> 'not-run'"
#define DB_REP_FIELD(path) \
	"replace(replace(replace(coalesce(json_extract(f.value, '$." path "'), ''), char(9), ' ')," \
	" char(10), ' '), char(13), ' ')"
/* The query, its columns in struct db_rep_addr's order (row_addr). */
static const char db_rep_addr_sql[] =
    "SELECT d.name, m.host, a.ip, "
    DB_REP_S("starttls") ", " DB_REP_S("tls_version") ", " DB_REP_S("cipher") ", "
    DB_REP_S("cert.sha256") ", " DB_REP_S("cert.pkix_valid") ", "
    DB_REP_S("cert.name_match") ", "
    "coalesce(json_extract(a.evidence, '$.dane.dane'), 'not-checked'), "
    DB_REP_S("banner") ", " DB_REP_S("error") ", "
    "nullif(" DB_REP_S("cert.subject") ", ''), "
    "nullif(" DB_REP_S("cert.issuer") ", ''), "
    "nullif(" DB_REP_S("cert.not_after") ", ''), "
    "nullif(" DB_REP_S("cert.key_type") ", ''), "
    DB_REP_S("cert.key_bits") ", "
    "nullif(" DB_REP_S("cert.signature") ", ''), "
    DB_REP_S("first_attempt") " IS NOT NULL, "
    DB_REP_S("first_attempt.starttls") " || ': ' || " DB_REP_S("first_attempt.error") ", "
    "CASE WHEN " DB_REP_NCSC_RUN " THEN " DB_REP_N("state") " END, "
    "CASE WHEN " DB_REP_NCSC_RUN " THEN " DB_REP_N("handshakes") " END, "
    "CASE WHEN " DB_REP_NCSC_RUN " THEN (SELECT group_concat(v.key || ' ' || v.value, ', ')"
    " FROM (SELECT key, value FROM json_each(a.evidence, '$.tls_ncsc.ncsc.versions')"
    " ORDER BY id DESC) v) END, "
    "CASE WHEN " DB_REP_NCSC_RUN " THEN coalesce((SELECT group_concat("
    DB_REP_FIELD("class") " || char(9) || " DB_REP_FIELD("aspect") " || char(9) || "
    DB_REP_FIELD("item") " || char(9) || coalesce(nullif(" DB_REP_FIELD("version")
    ", ''), '-') || char(9) || " DB_REP_FIELD("detail") ", char(10)) FROM (SELECT value"
    " FROM json_each(a.evidence, '$.tls_ncsc.ncsc.findings') ORDER BY id) f), '') END"
    " FROM addresses a JOIN mx_hosts m ON m.id = a.mx_host_id"
    " JOIN domains d ON d.id = m.domain_id WHERE d.run_id = ?1"
    " ORDER BY d.name, m.preference, m.host, a.id";
/* clang-format on */

int db_rep_addrs(struct db *db, long long run, int (*cb)(const struct db_rep_addr *a, void *arg),
		 void *arg)
{
	struct db_rep_cb c = {.fn.addr = cb, .arg = arg};

	return db_rep_each(db, db_rep_addr_sql, run, row_addr, &c, "reading the addresses");
}

static int row_trend(sqlite3_stmt *st, const struct db_rep_cb *cb)
{
	struct db_rep_trend_row t = {
	    .run = sqlite3_column_int64(st, 0),
	    .started = col(st, 1),
	    .domain = col(st, 2),
	    .standard = col(st, 3),
	    .verdict = col(st, 4),
	};

	return t.started && t.domain && t.standard && t.verdict ? cb->fn.trend(&t, cb->arg) : 0;
}

int db_rep_trend(struct db *db, int (*cb)(const struct db_rep_trend_row *t, void *arg), void *arg)
{
	struct db_rep_cb c = {.fn.trend = cb, .arg = arg};

	return db_rep_each(
	    db,
	    "SELECT r.id, r.started, d.name, v.standard, v.verdict FROM runs r"
	    " JOIN domains d ON d.run_id = r.id JOIN verdicts v ON v.domain_id = d.id"
	    " WHERE r.status IN ('done', 'partial') ORDER BY r.id, d.name, v.standard",
	    -1, row_trend, &c, "reading the trend");
}
