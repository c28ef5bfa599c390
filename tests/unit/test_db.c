/*
 * test_db.c - unit tests for the SQLite store (db/db.c, SPEC §6): a fresh
 * file is at the newest schema in WAL mode, an older file is migrated with
 * its rows kept, a newer one is refused, stored domains read back with plain
 * sqlite3 queries after a reopen (the tls_ncsc evidence of an address
 * included: findings one per line, tab-separated, tabs and line breaks of
 * the fields made spaces), a domain stored twice in a run is one row,
 * db_domain_done, and a full batch is committed before db_close.
 *
 * Every test works on its own temporary file under /tmp (mkstemp), removed
 * with its -wal and -shm companions at the end.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../base/buf.h"
#include "../../db/db.h"
#include "../../probes/ncsc.h"
#include "../../probes/probe.h"
#include "unit.h"

/* ---- temporary files ---- */

struct tdb {
	char path[64];
};

static bool tdb_make(struct tdb *t)
{
	int fd;

	(void)snprintf(t->path, sizeof(t->path), "/tmp/mailscan-test-db-XXXXXX");
	fd = mkstemp(t->path);
	if (fd < 0) {
		t->path[0] = '\0';
		return false;
	}
	(void)close(fd);
	return true;
}

static void tdb_remove(struct tdb *t)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[80];
	size_t i;

	if (!t->path[0])
		return;
	for (i = 0; i < UNIT_COUNT(sfx); i++) {
		(void)snprintf(p, sizeof(p), "%s%s", t->path, sfx[i]);
		(void)unlink(p);
	}
}

/* ---- plain sqlite3 reads ---- */

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *h = NULL;

	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		(void)sqlite3_close(h);
		return NULL;
	}
	(void)sqlite3_busy_timeout(h, 5000);
	return h;
}

/* The first column of the first row as an integer; -1 on error or no row. */
static long long raw_int(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (!h || sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
		(void)printf("raw_int: %s: %s\n", sql, h ? sqlite3_errmsg(h) : "no db");
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	(void)sqlite3_finalize(st);
	return v;
}

/* The first column of the first row as text ("(null)" for NULL, "(error)"). */
static const char *raw_text(sqlite3 *h, const char *sql)
{
	static char out[4096];
	sqlite3_stmt *st = NULL;

	(void)snprintf(out, sizeof(out), "(error)");
	if (!h || sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
		(void)printf("raw_text: %s: %s\n", sql, h ? sqlite3_errmsg(h) : "no db");
		return out;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *s = sqlite3_column_text(st, 0);

		(void)snprintf(out, sizeof(out), "%s", s ? (const char *)s : "(null)");
	}
	(void)sqlite3_finalize(st);
	return out;
}

/* ---- a domain_scan built by hand ---- */

static struct {
	struct domain_scan ds;
	struct mx_host host[2];
	struct addr_result addr[2][2];
	struct ncsc_result ncsc[2];
} dfx;

/* A finding of the tls_ncsc probe. */
static void add_finding(struct ncsc_result *r, enum ncsc_aspect aspect, enum ncsc_class cls,
			int version, const char *item, const char *detail)
{
	struct ncsc_item *it = &r->find[r->nfind++];

	it->aspect = aspect;
	it->cls = cls;
	it->version = version;
	(void)snprintf(it->item, sizeof(it->item), "%s", item);
	(void)snprintf(it->detail, sizeof(it->detail), "%s", detail);
}

/* The tls_ncsc evidence of the TLS address of host h: on the first host a
 * finished probe with two findings (one detail with a tab and line breaks)
 * and a 1024-bit RSA certificate (a third finding, from the chain); on the
 * second an incomplete probe that found nothing. */
static void build_ncsc(struct addr_result *a, size_t h)
{
	struct ncsc_result *r = &dfx.ncsc[h];

	(void)snprintf(r->ip, sizeof(r->ip), "%s", a->ip);
	r->state = h == 0 ? NCSC_DONE : NCSC_INCOMPLETE;
	r->handshakes = h == 0 ? 9 : 2;
	r->version[NCSC_TLS13] = NCSC_V_ACCEPTED;
	if (h == 0) {
		r->version[NCSC_TLS12] = NCSC_V_ACCEPTED;
		r->version[NCSC_TLS11] = NCSC_V_REFUSED;
		r->version[NCSC_TLS10] = NCSC_V_ACCEPTED;
		r->version[NCSC_SSL3] = NCSC_V_UNTESTABLE;
		add_finding(r, NCSC_A_VERSION, NCSC_INSUFFICIENT, TLS1_VERSION, "TLSv1.0",
			    "accepted");
		add_finding(r, NCSC_A_SUITE, NCSC_PHASE_OUT, TLS1_2_VERSION,
			    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "a\tb\nc\r\nd");
		a->cert.ncerts = 1;
		(void)snprintf(a->cert.certs[0].subject, sizeof(a->cert.certs[0].subject),
			       "CN=x\ty");
		(void)snprintf(a->cert.certs[0].key_type, sizeof(a->cert.certs[0].key_type), "RSA");
		a->cert.certs[0].key_bits = 1024;
		(void)snprintf(a->cert.certs[0].sig_hash, sizeof(a->cert.certs[0].sig_hash),
			       "SHA256");
		(void)snprintf(a->cert.certs[0].sig_key, sizeof(a->cert.certs[0].sig_key), "RSA");
	}
	a->ncsc = r;
}

/* A domain with nmx MX hosts (two addresses each) and verdicts for every
 * probe: pass for even i, fail with reasons for odd i (i = the domain's
 * number), starttls always pass. */
static const struct domain_scan *build_domain(const char *name, size_t nmx, int i)
{
	struct domain_scan *ds = &dfx.ds;
	size_t h, k, p;

	memset(&dfx, 0, sizeof(dfx));
	(void)snprintf(ds->name, sizeof(ds->name), "%s", name);
	ds->mx_kind = MX_LIST;
	for (h = 0; h < nmx && h < 2; h++) {
		struct mx_host *mh = &dfx.host[h];

		(void)snprintf(mh->name, sizeof(mh->name), "mx%zu.%s", h + 1, name);
		mh->sec = SEC_SECURE;
		mh->tlsa_state = h == 0 ? TLSA_PRESENT : TLSA_NONE;
		mh->done = true;
		for (k = 0; k < 2; k++) {
			struct addr_result *a = &dfx.addr[h][k];

			(void)snprintf(a->ip, sizeof(a->ip), "192.0.2.%zu", h * 2 + k + 1);
			a->family = AF_INET;
			a->status = k == 0 ? ADDR_OK : ADDR_NO_STARTTLS;
			if (k == 0) {
				(void)snprintf(a->tls_version, sizeof(a->tls_version), "TLSv1.3");
				(void)snprintf(a->cipher, sizeof(a->cipher),
					       "TLS_AES_256_GCM_SHA384");
				a->cert.present = true;
				a->cert.pkix_valid = true;
				a->cert.name_match = h == 0;
				(void)snprintf(a->cert.sha256, sizeof(a->cert.sha256), "%064d", 7);
				a->dane = h == 0 ? DANE_MATCH : DANE_NOT_CHECKED;
				build_ncsc(a, h);
			}
			a->done = true;
			mh->addr[k] = a;
		}
		mh->naddr = 2;
		ds->mx[h].host = mh;
		ds->mx[h].pref = (uint16_t)(10 * (h + 1));
	}
	ds->nmx = h;
	for (p = 0; p < PROBE_COUNT; p++) {
		struct probe_verdict *pv = &ds->verdict[p];

		if (i % 2 == 0 || p == PROBE_STARTTLS) {
			verdict_raise(pv, VERDICT_PASS);
		} else {
			verdict_raise(pv, VERDICT_FAIL);
			verdict_add_reason(pv, R_DNSSEC_INSECURE);
			verdict_add_reason(pv, R_DANE_INSECURE);
		}
	}
	ds->done = true;
	return ds;
}

/* The reports' view of a host and an address (db_rep_mx, db_rep_addrs), one
 * line each. */
static int mx_line(const struct db_rep_mx *m, void *arg)
{
	return buf_printf(arg, "%s %s %lld %s %s\n", m->domain, m->host, m->preference, m->dnssec,
			  m->tlsa_state) < 0
		   ? -1
		   : 0;
}

static const char *dash(const char *s) { return s ? s : "-"; }

static int addr_more(const struct db_rep_addr *a, void *arg)
{
	return buf_printf(arg, "%d|%s|%s|%s|%s|%s|%s|%lld|%s|%s\n", a->retried,
			  dash(a->first_attempt), dash(a->banner), dash(a->cert_subject),
			  dash(a->cert_issuer), dash(a->cert_not_after), dash(a->key_type),
			  a->key_bits, dash(a->signature), dash(a->error)) < 0
		   ? -1
		   : 0;
}

static int addr_line(const struct db_rep_addr *a, void *arg)
{
	return buf_printf(arg, "%s %s|%s|%s|%s|%d|%d|%s|%zu|%s|%lld|%s|[%s]\n", a->host, a->ip,
			  a->starttls, a->tls_version ? a->tls_version : "-",
			  a->cipher ? a->cipher : "-", a->pkix_valid, a->name_match, a->dane,
			  a->cert_sha256 ? strlen(a->cert_sha256) : 0,
			  a->ncsc_state ? a->ncsc_state : "-", a->ncsc_handshakes,
			  a->ncsc_versions ? a->ncsc_versions : "-",
			  a->ncsc_findings ? a->ncsc_findings : "-") < 0
		   ? -1
		   : 0;
}

/* ---- the tests ---- */

void test_db_open_fresh(void)
{
	struct tdb t = {""};
	struct db *db;
	sqlite3 *h;
	char err[256];

	if (!CHECK(tdb_make(&t)))
		return;
	db = db_open(t.path, err, sizeof(err));
	if (CHECK(db != NULL)) {
		CHECK_INT(db_schema_version(db), DB_SCHEMA_VERSION);
		CHECK_INT(db_schema_version(db), 9);
		CHECK_STR(db_error(db), "");
	} else {
		(void)printf("db_open: %s\n", err);
	}
	h = raw_open(t.path);
	CHECK(h != NULL);
	CHECK_STR(raw_text(h, "PRAGMA journal_mode"), "wal");
	CHECK_INT(raw_int(h, "PRAGMA user_version"), 9);
	CHECK_INT(raw_int(h,
			  "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
			  " ('runs', 'organisations', 'domains', 'mx_hosts', 'addresses',"
			  " 'verdicts', 'run_targets', 'run_target_orgs', 'domain_organisations',"
			  " 'probe_evidence', 'run_invalid', 'run_org_tags')"),
		  12);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM pragma_table_info('runs')"
			     " WHERE name = 'provenance'"),
		  1);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name ="
			     " 'verdicts_standard_verdict'"),
		  1);
	(void)sqlite3_close(h);
	db_close(db);
	db_close(NULL);

	/* Reopening an up-to-date file changes nothing. */
	db = db_open(t.path, err, sizeof(err));
	CHECK(db != NULL);
	if (db)
		CHECK_INT(db_schema_version(db), 9);
	db_close(db);
	tdb_remove(&t);
}

/* Plain SQL on a raw connection; true when it ran. */
static bool raw_exec(sqlite3 *h, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(h, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK)
		(void)printf("sqlite: %s\n", msg ? msg : "?");
	sqlite3_free(msg);
	return rc == SQLITE_OK;
}

void test_db_migrate(void)
{
	struct tdb t = {""};
	struct db *db;
	sqlite3 *h;
	char err[256];

	if (!CHECK(tdb_make(&t)))
		return;
	/* A version-1 file (as the first mailscan wrote it) with a finished run
	 * of one domain. Rows go in with plain SQL: the store's statements are
	 * for the newest schema only. */
	db = db_open_version(t.path, 1, err, sizeof(err));
	if (!CHECK(db != NULL)) {
		(void)printf("db_open_version: %s\n", err);
		tdb_remove(&t);
		return;
	}
	CHECK_INT(db_schema_version(db), 1);
	db_close(db);
	h = raw_open(t.path);
	CHECK(raw_exec(
	    h, "INSERT INTO runs (id, started, finished, label, status, n_domains)"
	       " VALUES (1, '2025-01-01T00:00:00Z', '2025-01-01T00:01:00Z', 'v1 run',"
	       " 'done', 1);"
	       "INSERT INTO organisations (id, name, category) VALUES (7, 'Old Org', 'rijk');"
	       "INSERT INTO domains (id, run_id, name, organisation_id, checked_at, evidence)"
	       " VALUES (3, 1, 'old.example', 7, '2025-01-01T00:00:30Z', '{}');"
	       "INSERT INTO mx_hosts (id, run_id, domain_id, host, preference, dnssec,"
	       " tlsa_state) VALUES (5, 1, 3, 'mx.old.example', 10, 'secure', 'present');"
	       "INSERT INTO addresses (mx_host_id, ip, starttls, dane)"
	       " VALUES (5, '192.0.2.1', 'ok', 'match'), (5, '2001:db8::1', 'ok', 'match');"
	       "INSERT INTO verdicts (domain_id, standard, verdict) VALUES (3, 'dnssec',"
	       " 'pass'), (3, 'dane', 'pass');"));
	CHECK_INT(raw_int(h, "PRAGMA user_version"), 1);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'notes'"),
		  0);
	(void)sqlite3_close(h);

	/* Version 2 only: notes and the host index, rows kept. */
	db = db_open_version(t.path, 2, err, sizeof(err));
	if (CHECK(db != NULL))
		CHECK_INT(db_schema_version(db), 2);
	db_close(db);
	h = raw_open(t.path);
	CHECK_INT(raw_int(h, "PRAGMA user_version"), 2);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'notes'"),
		  1);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM sqlite_master WHERE name = 'mx_hosts_run_host'"),
		  1);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM sqlite_master WHERE name = 'run_targets'"), 0);
	(void)sqlite3_close(h);

	/* Version 3: scan runs and more evidence, but no tls_ncsc columns yet. */
	db = db_open_version(t.path, 3, err, sizeof(err));
	if (CHECK(db != NULL))
		CHECK_INT(db_schema_version(db), 3);
	db_close(db);
	h = raw_open(t.path);
	CHECK_INT(raw_int(h, "PRAGMA user_version"), 3);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM sqlite_master WHERE name = 'run_targets'"), 1);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM pragma_table_info('addresses')"
			     " WHERE name LIKE 'ncsc%'"),
		  0);
	/* the evidence version 3 kept in columns of domains */
	CHECK(raw_exec(h, "UPDATE domains SET dnssec_soa = 'secure', dnssec_mx = 'insecure',"
			  " mta_sts_txt = 'v=STSv1; id=1', mta_sts_policy = 'version: STSv1',"
			  " tlsrpt_txt = NULL WHERE id = 3"));
	(void)sqlite3_close(h);

	/* Opening the version-3 file migrates it to the newest and keeps the
	 * rows; the old single organisation becomes the domain's attribution,
	 * and the old addresses have no tls_ncsc evidence (NULL: not probed). */
	db = db_open(t.path, err, sizeof(err));
	if (CHECK(db != NULL))
		CHECK_INT(db_schema_version(db), DB_SCHEMA_VERSION);
	else
		(void)printf("db_open: %s\n", err);
	db_close(db);
	h = raw_open(t.path);
	CHECK_INT(raw_int(h, "PRAGMA user_version"), 9);
	/* version 7: the columns' evidence became the dnssec and mta_sts
	 * probes' (tlsrpt had none) */
	CHECK_INT(raw_int(h, "SELECT count(*) FROM probe_evidence"), 2);
	CHECK_STR(raw_text(h, "SELECT evidence FROM probe_evidence WHERE probe = 'dnssec'"),
		  "{\"domain\":\"secure\",\"mx_rrset\":\"insecure\"}");
	CHECK_STR(raw_text(h, "SELECT evidence FROM probe_evidence WHERE probe = 'mta_sts'"),
		  "{\"txt\":\"v=STSv1; id=1\",\"policy_text\":\"version: STSv1\"}");
	/* version 8: no tags for the old runs */
	CHECK_INT(raw_int(h, "SELECT count(*) FROM run_org_tags"), 0);
	/* version 6: no provenance and no invalid entries for the old runs */
	CHECK_INT(raw_int(h, "SELECT count(*) FROM runs WHERE provenance IS NOT NULL"), 0);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM run_invalid"), 0);
	/* version 9: the old addresses' columns are their probes' evidence,
	 * without tls_ncsc evidence (null: not probed) */
	CHECK_STR(raw_text(h, "SELECT group_concat(name, ',') FROM pragma_table_info('addresses')"),
		  "id,mx_host_id,ip,evidence");
	CHECK_STR(raw_text(h, "SELECT group_concat(name, ',') FROM pragma_table_info('mx_hosts')"),
		  "id,run_id,domain_id,host,preference,dnssec,error,evidence");
	CHECK_STR(raw_text(h, "SELECT evidence FROM addresses WHERE ip = '192.0.2.1'"),
		  "{\"starttls\":{\"starttls\":\"ok\"},\"dane\":{\"dane\":\"match\"},"
		  "\"tls_ncsc\":{\"ncsc\":null}}");
	CHECK_STR(raw_text(h, "SELECT evidence FROM mx_hosts"),
		  "{\"dane\":{\"tlsa\":{\"state\":\"present\",\"records\":[]}}}");
	CHECK_STR(raw_text(h, "SELECT label FROM runs"), "v1 run");
	CHECK_STR(raw_text(h, "SELECT status FROM runs"), "done");
	CHECK_INT(raw_int(h, "SELECT loaded FROM runs"), 0);
	CHECK_STR(raw_text(h, "SELECT name FROM domains"), "old.example");
	CHECK_STR(raw_text(h, "SELECT o.name FROM domain_organisations x JOIN organisations o"
			      " ON o.id = x.organisation_id WHERE x.domain_id = 3"),
		  "Old Org");
	CHECK_INT(raw_int(h, "SELECT count(*) FROM verdicts"), 2);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM sqlite_master WHERE name ="
			     " 'mx_hosts_domain_host'"),
		  1);
	(void)sqlite3_close(h);

	/* And the store works on the migrated file. */
	db = db_open(t.path, err, sizeof(err));
	if (CHECK(db != NULL)) {
		long long run = db_run_begin(db, "v3 run", NULL);

		CHECK(run == 2);
		CHECK_INT(db_store_domain(db, run, build_domain("new.example", 1, 1), "Old Org",
					  "rijk", NULL),
			  0);
		CHECK_INT(db_run_finish(db, run, "done"), 0);
	}
	db_close(db);
	h = raw_open(t.path);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM domain_organisations"), 2);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM organisations"), 1);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM addresses"
			     " WHERE json_extract(evidence, '$.tls_ncsc.ncsc.state') = 'done'"),
		  1);
	(void)sqlite3_close(h);
	tdb_remove(&t);
}

/* Migration 8 -> 9 turns the old columns of a host and an address into
 * the probes' evidence, and the reports read it back as the columns were. */
void test_db_migrate9(void)
{
	struct tdb t = {""};
	struct db *db;
	struct buf b;
	sqlite3 *h;
	char err[256];

	if (!CHECK(tdb_make(&t)))
		return;
	db = db_open_version(t.path, 8, err, sizeof(err));
	if (!CHECK(db != NULL)) {
		(void)printf("db_open_version: %s\n", err);
		tdb_remove(&t);
		return;
	}
	db_close(db);
	h = raw_open(t.path);
	CHECK(raw_exec(
	    h,
	    "INSERT INTO runs (id, started, status) VALUES (1, '2026-01-01T00:00:00Z', 'done');"
	    "INSERT INTO domains (id, run_id, name, checked_at) VALUES (3, 1, 'a.example',"
	    " '2026-01-01T00:00:30Z');"
	    "INSERT INTO mx_hosts (id, run_id, domain_id, host, preference, dnssec, tlsa_state,"
	    " tlsa, error) VALUES (5, 1, 3, 'mx.a.example', 10, 'secure', 'present',"
	    " '3 1 1 aabb; 2 0 1 ccdd', NULL), (6, 1, 3, 'mx2.a.example', 20, 'insecure',"
	    " 'not-looked-up', NULL, 'SERVFAIL');"
	    "INSERT INTO addresses (id, mx_host_id, ip, starttls, tls_version, cipher, cert_sha256,"
	    " pkix_valid, name_match, dane, banner, ehlo, error, cert_subject, cert_issuer,"
	    " cert_not_after, key_type, key_bits, signature, retried, first_attempt, ncsc_state,"
	    " ncsc_handshakes, ncsc_versions, ncsc_findings) VALUES"
	    " (1, 5, '192.0.2.1', 'ok', 'TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256', 'ab12', 1, 0,"
	    " 'match', '220 hi \"x\"', '250 ok', NULL, 'CN=mx', 'CN=ca', '2027-01-01T00:00:00Z',"
	    " 'RSA', 2048, 'sha256WithRSAEncryption', 1, 'bad-greeting: 421 busy: later',"
	    " 'done', 7, 'TLSv1.3 refused, TLSv1.2 accepted, TLSv1.1 refused, TLSv1.0 accepted,"
	    " SSLv3 untestable', 'insufficient' || char(9) || 'version' || char(9) || 'TLSv1.0'"
	    " || char(9) || 'TLSv1.0' || char(9) || 'accepted' || char(10) || 'phase-out' ||"
	    " char(9) || 'cert-key' || char(9) || 'RSA-2048' || char(9) || '-' || char(9) || ''),"
	    " (2, 6, '192.0.2.2', 'timeout', NULL, NULL, NULL, NULL, NULL, 'not-checked', NULL,"
	    " NULL, 'no banner in 5 s', NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL,"
	    " NULL, NULL);"));
	(void)sqlite3_close(h);

	db = db_open(t.path, err, sizeof(err));
	if (CHECK(db != NULL))
		CHECK_INT(db_schema_version(db), 9);
	else
		(void)printf("db_open: %s\n", err);
	db_close(db);
	h = raw_open(t.path);
	CHECK_STR(raw_text(h, "SELECT evidence FROM mx_hosts WHERE id = 5"),
		  "{\"dane\":{\"tlsa\":{\"state\":\"present\",\"records\":"
		  "[\"3 1 1 aabb\",\"2 0 1 ccdd\"]}}}");
	CHECK_STR(raw_text(h, "SELECT evidence || '|' || error FROM mx_hosts WHERE id = 6"),
		  "{\"dane\":{\"tlsa\":null}}|SERVFAIL");
	CHECK_STR(raw_text(h, "SELECT evidence FROM addresses WHERE id = 1"),
		  "{\"starttls\":{\"starttls\":\"ok\",\"banner\":\"220 hi \\\"x\\\"\","
		  "\"ehlo\":\"250 ok\",\"first_attempt\":{\"starttls\":\"bad-greeting\","
		  "\"error\":\"421 busy: later\"},\"tls_version\":\"TLSv1.2\",\"cipher\":"
		  "\"ECDHE-RSA-AES128-GCM-SHA256\",\"cert\":{\"subject\":\"CN=mx\",\"issuer\":"
		  "\"CN=ca\",\"not_after\":\"2027-01-01T00:00:00Z\",\"key_type\":\"RSA\","
		  "\"key_bits\":2048,\"signature\":\"sha256WithRSAEncryption\",\"sha256\":"
		  "\"ab12\",\"pkix_valid\":true,\"name_match\":false}},\"dane\":{\"dane\":"
		  "\"match\"},\"tls_ncsc\":{\"ncsc\":{\"state\":\"done\",\"handshakes\":7,"
		  "\"versions\":{\"SSLv3\":\"untestable\",\"TLSv1.0\":\"accepted\",\"TLSv1.1\":"
		  "\"refused\",\"TLSv1.2\":\"accepted\",\"TLSv1.3\":\"refused\"},\"findings\":"
		  "[{\"class\":\"insufficient\",\"aspect\":\"version\",\"item\":\"TLSv1.0\","
		  "\"version\":\"TLSv1.0\",\"detail\":\"accepted\"},{\"class\":\"phase-out\","
		  "\"aspect\":\"cert-key\",\"item\":\"RSA-2048\",\"version\":null}]}}}");
	CHECK_STR(raw_text(h, "SELECT evidence FROM addresses WHERE id = 2"),
		  "{\"starttls\":{\"starttls\":\"timeout\",\"error\":\"no banner in 5 s\"},"
		  "\"dane\":{\"dane\":null},\"tls_ncsc\":{\"ncsc\":null}}");
	CHECK_INT(raw_int(h, "PRAGMA foreign_key_check"), -1);
	(void)sqlite3_close(h);

	/* the reports' view is the old columns' */
	db = db_open_readonly(t.path, err, sizeof(err));
	if (CHECK(db != NULL)) {
		buf_init(&b, 0);
		CHECK_INT(db_rep_mx(db, 1, mx_line, &b), 0);
		CHECK_STR(buf_str(&b), "a.example mx.a.example 10 secure present\n"
				       "a.example mx2.a.example 20 insecure not-looked-up\n");
		buf_reset(&b);
		CHECK_INT(db_rep_addrs(db, 1, addr_line, &b), 0);
		CHECK_STR(
		    buf_str(&b),
		    "mx.a.example 192.0.2.1|ok|TLSv1.2|ECDHE-RSA-AES128-GCM-SHA256|1|0|match|4"
		    "|done|7|TLSv1.3 refused, TLSv1.2 accepted, TLSv1.1 refused, TLSv1.0 "
		    "accepted, SSLv3 untestable|[insufficient\tversion\tTLSv1.0\tTLSv1.0\t"
		    "accepted\nphase-out\tcert-key\tRSA-2048\t-\t]\n"
		    "mx2.a.example 192.0.2.2|timeout|-|-|-1|-1|not-checked|0|-|0|-|[-]\n");
		buf_reset(&b);
		CHECK_INT(db_rep_addrs(db, 1, addr_more, &b), 0);
		CHECK_STR(buf_str(&b), "1|bad-greeting: 421 busy: later|220 hi \"x\"|CN=mx|CN=ca|"
				       "2027-01-01T00:00:00Z|RSA|2048|sha256WithRSAEncryption|-\n"
				       "0|-|-|-|-|-|-|0|-|no banner in 5 s\n");
		buf_free(&b);
	}
	db_close(db);
	tdb_remove(&t);
}

static int tags_read(const struct db_rep_tag *t, void *arg)
{
	struct buf *b = arg;

	return buf_printf(b, "%s %s=%s\n", t->organisation, t->key, t->value) < 0 ? -1 : 0;
}

/* Tags are kept per run and organisation; the first value of a key wins;
 * clearing a run's targets clears them; nameless organisations have none. */
void test_db_tags(void)
{
	struct tdb t = {""};
	struct db *db;
	struct buf b;
	char err[256];
	long long run, run2;

	if (!CHECK(tdb_make(&t)))
		return;
	buf_init(&b, 0);
	db = db_open(t.path, err, sizeof(err));
	if (!CHECK(db != NULL))
		goto out;
	run = db_run_begin_scan(db, NULL, NULL, "/l.yaml", NULL);
	run2 = db_run_begin_scan(db, NULL, NULL, "/l.yaml", NULL);
	CHECK(run > 0 && run2 > run);
	CHECK_INT(db_target_add(db, run, "a.example", "Org A", "rijk", 3), 1);
	CHECK_INT(db_org_tag_add(db, run, "Org A", "ministerie", "BZK", 4), 0);
	CHECK_INT(db_org_tag_add(db, run, "Org A", "ministerie", "EZK", 9), 0);
	CHECK_INT(db_org_tag_add(db, run, "Org B", "provincie", "<Utrecht>", 5), 0);
	CHECK_INT(db_org_tag_add(db, run, "", "x", "y", 6), 0);
	CHECK_INT(db_org_tag_add(db, run2, "Org A", "ministerie", "OCW", 2), 0);
	CHECK_INT(db_targets_loaded(db, run, 1, 0), 0);
	CHECK_INT(db_rep_tags(db, run, tags_read, &b), 0);
	CHECK_STR(buf_str(&b), "Org A ministerie=BZK\nOrg B provincie=<Utrecht>\n");
	buf_reset(&b);
	CHECK_INT(db_rep_tags(db, run2, tags_read, &b), 0);
	CHECK_STR(buf_str(&b), "Org A ministerie=OCW\n");
	CHECK_INT(db_targets_clear(db, run), 0);
	buf_reset(&b);
	CHECK_INT(db_rep_tags(db, run, tags_read, &b), 0);
	CHECK_STR(buf_str(&b), "");
	db_close(db);
out:
	buf_free(&b);
	tdb_remove(&t);
}

void test_db_refuse(void)
{
	struct tdb t = {""};
	struct db *db;
	sqlite3 *h = NULL;
	char err[256];
	FILE *f;

	if (!CHECK(tdb_make(&t)))
		return;
	/* A file from the future. */
	CHECK_INT(sqlite3_open(t.path, &h), SQLITE_OK);
	CHECK_INT(sqlite3_exec(h, "CREATE TABLE x (a); PRAGMA user_version = 99", NULL, NULL, NULL),
		  SQLITE_OK);
	(void)sqlite3_close(h);
	db = db_open(t.path, err, sizeof(err));
	CHECK(db == NULL);
	db_close(db);
	CHECK(strncmp(err, t.path, strlen(t.path)) == 0);
	CHECK(strstr(err, "schema version 99 is newer") != NULL);
	h = raw_open(t.path);
	CHECK_INT(raw_int(h, "PRAGMA user_version"), 99);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM sqlite_master WHERE name = 'runs'"), 0);
	(void)sqlite3_close(h);
	tdb_remove(&t);

	/* Not a database at all. */
	if (!CHECK(tdb_make(&t)))
		return;
	f = fopen(t.path, "w");
	if (CHECK(f != NULL)) {
		(void)fputs("this is not an SQLite file, it is just some text that is long enough "
			    "to have a header of one hundred bytes and more, really it is.\n",
			    f);
		(void)fclose(f);
	}
	db = db_open(t.path, err, sizeof(err));
	CHECK(db == NULL);
	db_close(db);
	CHECK(strncmp(err, t.path, strlen(t.path)) == 0);
	CHECK(strstr(err, "not a database") != NULL);
	tdb_remove(&t);

	/* A directory that does not exist. */
	db = db_open("/nonexistent-mailscan-dir/x.db", err, sizeof(err));
	CHECK(db == NULL);
	CHECK(strncmp(err, "/nonexistent-mailscan-dir/x.db: ", 32) == 0);
}

void test_db_store(void)
{
	static const char *const names[] = {"a.example", "b.example", "c.example"};
	struct tdb t = {""};
	struct db *db;
	sqlite3 *h;
	char err[256], ev[128];
	long long run;
	size_t i;

	if (!CHECK(tdb_make(&t)))
		return;
	db = db_open(t.path, err, sizeof(err));
	if (!CHECK(db != NULL)) {
		tdb_remove(&t);
		return;
	}
	run = db_run_begin(db, "nightly", "--concurrency 100");
	CHECK_INT(run, 1);
	for (i = 0; i < UNIT_COUNT(names); i++) {
		unit_case("%s", names[i]);
		(void)snprintf(ev, sizeof(ev), "{\"domain\":\"%s\",\"n\":%zu}", names[i], i);
		CHECK_INT(db_store_domain(db, run, build_domain(names[i], i + 0, (int)i),
					  i == 2 ? "" : "Gemeente 'X'", i == 0 ? "gemeenten" : "",
					  ev),
			  0);
	}
	unit_case("%s", "");
	/* Not committed yet, but visible to this connection. */
	CHECK_INT(db_domain_done(db, run, "b.example"), 1);
	CHECK_INT(db_flush(db), 0);
	CHECK_INT(db_flush(db), 0);
	CHECK_INT(db_run_finish(db, run, "done"), 0);
	CHECK_INT(db_run_finish(db, 4242, "done"), -1);
	CHECK(strstr(db_error(db), "no run 4242") != NULL);
	/* A store into a run that does not exist fails and leaves nothing. */
	CHECK_INT(db_store_domain(db, 4242, build_domain("x.example", 1, 0), "", "", NULL), -1);
	CHECK(strstr(db_error(db), "FOREIGN KEY") != NULL);
	db_close(db);

	db = db_open(t.path, err, sizeof(err));
	if (CHECK(db != NULL)) {
		CHECK_INT(db_domain_done(db, run, "a.example"), 1);
		CHECK_INT(db_domain_done(db, run, "c.example"), 1);
		CHECK_INT(db_domain_done(db, run, "x.example"), 0);
	}
	db_close(db);

	h = raw_open(t.path);
	CHECK(h != NULL);
	CHECK_STR(raw_text(h, "SELECT label || '|' || options || '|' || status FROM runs"),
		  "nightly|--concurrency 100|done");
	CHECK(strcmp(raw_text(h, "SELECT finished FROM runs"), "(null)") != 0);
	CHECK_INT(raw_int(h, "SELECT n_domains FROM runs"), 3);
	/* a, c pass everything; b fails all but starttls */
	CHECK_INT(raw_int(h, "SELECT n_pass FROM runs"), 2 * PROBE_COUNT + 1);
	CHECK_INT(raw_int(h, "SELECT n_fail FROM runs"), PROBE_COUNT - 1);
	CHECK_INT(raw_int(h, "SELECT n_warn + n_na + n_error FROM runs"), 0);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM domains WHERE name = 'x.example'"), 0);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM domains"), 3);

	CHECK_INT(raw_int(h, "SELECT count(*) FROM organisations"), 1);
	CHECK_STR(raw_text(h, "SELECT name || '|' || category FROM organisations"),
		  "Gemeente 'X'|gemeenten");
	CHECK_INT(raw_int(h, "SELECT count(*) FROM domains WHERE organisation_id IS NULL"), 1);
	CHECK_STR(raw_text(h, "SELECT evidence FROM domains WHERE name = 'b.example'"),
		  "{\"domain\":\"b.example\",\"n\":1}");
	CHECK(strcmp(raw_text(h, "SELECT checked_at FROM domains WHERE name = 'c.example'"),
		     "(null)") != 0);

	CHECK_INT(raw_int(h, "SELECT count(*) FROM verdicts"), 3 * PROBE_COUNT);
	CHECK_STR(raw_text(h, "SELECT v.verdict || '|' || v.reasons FROM verdicts v JOIN domains d"
			      " ON d.id = v.domain_id WHERE d.name = 'b.example'"
			      " AND v.standard = 'dnssec'"),
		  "fail|dnssec-insecure dane-insecure");
	CHECK_STR(raw_text(h, "SELECT v.verdict || '|' || v.reasons FROM verdicts v JOIN domains d"
			      " ON d.id = v.domain_id WHERE d.name = 'b.example'"
			      " AND v.standard = 'starttls'"),
		  "pass|");
	CHECK_STR(raw_text(h, "SELECT group_concat(standard, ',') FROM (SELECT standard FROM"
			      " verdicts v JOIN domains d ON d.id = v.domain_id WHERE d.name ="
			      " 'c.example' ORDER BY standard)"),
		  "dane,dkim,dmarc,dnssec,ipv6,mta_sts,rpki,spf,starttls,tls_ncsc,tlsrpt");

	/* a: no MX; b: 1 host; c: 2 hosts, 2 addresses each */
	CHECK_INT(raw_int(h, "SELECT count(*) FROM mx_hosts"), 3);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM addresses"), 6);
	/* each probe's evidence about a host and an address, under its name */
	CHECK_STR(raw_text(h, "SELECT m.host || '|' || m.preference || '|' || m.dnssec || '|' ||"
			      " json_extract(m.evidence, '$.dane.tlsa.state') FROM mx_hosts m"
			      " JOIN domains d ON d.id = m.domain_id WHERE d.name = 'c.example'"
			      " ORDER BY m.preference DESC"),
		  "mx2.c.example|20|secure|none");
	CHECK_STR(
	    raw_text(h, "SELECT group_concat(j.key, ',') FROM addresses a, json_each(a.evidence) j"
			" WHERE a.id = 1"),
	    "starttls,tls_ncsc,dane");
	CHECK_STR(raw_text(h, "SELECT json_extract(a.evidence, '$.starttls.cert.sha256')"
			      " FROM addresses a WHERE a.ip = '192.0.2.1'"),
		  "0000000000000000000000000000000000000000000000000000000000000007");
	CHECK_INT(raw_int(h, "PRAGMA foreign_key_check"), -1); /* no rows: no violations */
	(void)sqlite3_close(h);

	/* read back as the reports read it (db_report.c) */
	db = db_open_readonly(t.path, err, sizeof(err));
	if (CHECK(db != NULL)) {
		struct buf b;

		buf_init(&b, 0);
		CHECK_INT(db_rep_mx(db, 1, mx_line, &b), 0);
		CHECK_STR(buf_str(&b), "b.example mx1.b.example 10 secure present\n"
				       "c.example mx1.c.example 10 secure present\n"
				       "c.example mx2.c.example 20 secure none\n");
		buf_reset(&b);
		CHECK_INT(db_rep_addrs(db, 1, addr_line, &b), 0);
		/* tls_ncsc: the probe's findings, then the certificate's; a tab
		 * or line break inside a field becomes a space; ran and found
		 * nothing: ""; did not run (no TLS): NULL */
		CHECK_STR(
		    buf_str(&b),
		    "mx1.b.example 192.0.2.1|ok|TLSv1.3|TLS_AES_256_GCM_SHA384|1|1|match|64"
		    "|done|9|TLSv1.3 accepted, TLSv1.2 accepted, TLSv1.1 refused, TLSv1.0 "
		    "accepted, SSLv3 untestable|[insufficient\tversion\tTLSv1.0\tTLSv1.0\t"
		    "accepted\nphase-out\tcipher\tTLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384\t"
		    "TLSv1.2\ta b c  d\ninsufficient\tcert-key\tRSA-1024\t-\tdepth 0: CN=x y]\n"
		    "mx1.b.example 192.0.2.2|no-starttls|-|-|-1|-1|not-checked|0|-|0|-|[-]\n"
		    "mx1.c.example 192.0.2.1|ok|TLSv1.3|TLS_AES_256_GCM_SHA384|1|1|match|64"
		    "|done|9|TLSv1.3 accepted, TLSv1.2 accepted, TLSv1.1 refused, TLSv1.0 "
		    "accepted, SSLv3 untestable|[insufficient\tversion\tTLSv1.0\tTLSv1.0\t"
		    "accepted\nphase-out\tcipher\tTLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384\t"
		    "TLSv1.2\ta b c  d\ninsufficient\tcert-key\tRSA-1024\t-\tdepth 0: CN=x y]\n"
		    "mx1.c.example 192.0.2.2|no-starttls|-|-|-1|-1|not-checked|0|-|0|-|[-]\n"
		    "mx2.c.example 192.0.2.3|ok|TLSv1.3|TLS_AES_256_GCM_SHA384|1|0|not-checked|64"
		    "|incomplete|2|TLSv1.3 accepted, TLSv1.2 unknown, TLSv1.1 unknown, TLSv1.0 "
		    "unknown, SSLv3 unknown|[]\n"
		    "mx2.c.example 192.0.2.4|no-starttls|-|-|-1|-1|not-checked|0|-|0|-|[-]\n");
		buf_free(&b);
	}
	db_close(db);
	tdb_remove(&t);
}

void test_db_resume(void)
{
	struct tdb t = {""};
	struct db *db;
	sqlite3 *h;
	char err[256];
	long long run, run2;

	if (!CHECK(tdb_make(&t)))
		return;
	db = db_open(t.path, err, sizeof(err));
	if (!CHECK(db != NULL)) {
		tdb_remove(&t);
		return;
	}
	run = db_run_begin(db, NULL, NULL);
	run2 = db_run_begin(db, "second", "");
	CHECK(run > 0);
	CHECK(run2 > run);
	CHECK_INT(db_domain_done(db, run, "twice.example"), 0);
	CHECK_INT(
	    db_store_domain(db, run, build_domain("twice.example", 2, 0), "Org", "rijk", "first"),
	    0);
	CHECK_INT(db_domain_done(db, run, "twice.example"), 1);
	CHECK_INT(db_domain_done(db, run2, "twice.example"), 0);
	/* Within the open batch, and again after a commit (a resumed run). */
	CHECK_INT(
	    db_store_domain(db, run, build_domain("twice.example", 2, 1), "Org", "", "second"), 0);
	CHECK_INT(db_flush(db), 0);
	db_close(db);
	db = db_open(t.path, err, sizeof(err));
	if (CHECK(db != NULL)) {
		CHECK_INT(db_domain_done(db, run, "twice.example"), 1);
		CHECK_INT(
		    db_store_domain(db, run, build_domain("twice.example", 1, 1), "", "", "third"),
		    0);
		CHECK_INT(db_store_domain(db, run2, build_domain("twice.example", 1, 1), "Org", "",
					  "other run"),
			  0);
		CHECK_INT(db_run_finish(db, run, "done"), 0);
	}
	db_close(db);

	h = raw_open(t.path);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM domains WHERE run_id = 1"), 1);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM domains"), 2);
	CHECK_STR(raw_text(h, "SELECT evidence FROM domains WHERE run_id = 1"), "first");
	CHECK_INT(raw_int(h, "SELECT count(*) FROM mx_hosts WHERE run_id = 1"), 2);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM verdicts v JOIN domains d ON d.id = v.domain_id"
			     " WHERE d.run_id = 1 AND v.verdict = 'pass'"),
		  PROBE_COUNT);
	CHECK_INT(raw_int(h, "SELECT n_domains FROM runs WHERE id = 1"), 1);
	CHECK_INT(raw_int(h, "SELECT n_pass FROM runs WHERE id = 1"), PROBE_COUNT);
	CHECK_STR(raw_text(h, "SELECT status FROM runs WHERE id = 2"), "running");
	CHECK_STR(raw_text(h, "SELECT ifnull(label, '-') FROM runs WHERE id = 1"), "-");
	/* The category of an organisation is kept when a later store has none. */
	CHECK_STR(raw_text(h, "SELECT category FROM organisations WHERE name = 'Org'"), "rijk");
	(void)sqlite3_close(h);
	tdb_remove(&t);
}

void test_db_batch(void)
{
	struct tdb t = {""};
	struct db *db;
	sqlite3 *h;
	char err[256], name[64];
	long long run;
	int i, fails = 0;

	if (!CHECK(tdb_make(&t)))
		return;
	db = db_open(t.path, err, sizeof(err));
	if (!CHECK(db != NULL)) {
		tdb_remove(&t);
		return;
	}
	run = db_run_begin(db, "batch", NULL);
	h = raw_open(t.path);
	CHECK(h != NULL);
	for (i = 0; i < DB_BATCH - 1; i++) {
		(void)snprintf(name, sizeof(name), "d%d.example", i);
		fails += db_store_domain(db, run, build_domain(name, 1, i), "", "", NULL) != 0;
	}
	CHECK_INT(fails, 0);
	/* Nothing committed yet. */
	CHECK_INT(raw_int(h, "SELECT count(*) FROM domains"), 0);
	for (; i < DB_BATCH + 5; i++) {
		(void)snprintf(name, sizeof(name), "d%d.example", i);
		fails += db_store_domain(db, run, build_domain(name, 1, i), "", "", NULL) != 0;
	}
	CHECK_INT(fails, 0);
	/* The first DB_BATCH are committed, seen from a second connection. */
	CHECK_INT(raw_int(h, "SELECT count(*) FROM domains"), DB_BATCH);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM verdicts"), (long long)DB_BATCH * PROBE_COUNT);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM addresses"), (long long)DB_BATCH * 2);
	db_close(db);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM domains"), DB_BATCH + 5);
	(void)sqlite3_close(h);
	tdb_remove(&t);
}
