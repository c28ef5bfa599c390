/*
 * db_migrate.c - the steps of schema migrations that SQL alone cannot do
 * well (see db_migrations[] in db.c): they run inside the migration's
 * transaction, after its SQL and before the user_version bump.
 *
 * 8 -> 9: the evidence of each MX host and address becomes the JSON the
 * probes write (probe.h host_evidence / addr_evidence), keyed by probe, in
 * mx_hosts.evidence and addresses.evidence; the columns it was kept in
 * before are dropped. The old texts are turned into the shapes the probes
 * write today: the TLSA records ("u s m hex; ...") into a list, the first
 * attempt ("status: error") into an object, the tls_ncsc versions
 * ("TLSv1.3 accepted, TLSv1.2 refused, ...", newest first) into an object
 * oldest first, and the findings (one "class TAB aspect TAB item TAB
 * version-or-dash TAB detail" line each) into a list of objects. What the
 * old columns never held (a certificate's SAN and chain, the TLSA name) is
 * absent, not invented.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/json.h"
#include "db.h"
#include "db_int.h"

/* Column i as text, NULL for NULL. */
static const char *mig_col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* key: the text of column i, or nothing when it is NULL. */
static void mig_kopt(struct json *j, const char *key, sqlite3_stmt *st, int i)
{
	const char *s = mig_col(st, i);

	if (s)
		json_kstr(j, key, s);
}

/* Each piece of s between separators sep, as a list of strings. */
static void mig_split(struct json *j, const char *s, const char *sep)
{
	size_t n = strlen(sep);

	json_arr_open(j);
	while (s && *s) {
		const char *e = strstr(s, sep);
		size_t len = e ? (size_t)(e - s) : strlen(s);

		json_strn(j, s, len);
		s = e ? e + n : NULL;
	}
	json_arr_close(j);
}

/* mx_hosts: (id, tlsa_state, tlsa) -> {"dane": {"tlsa": ...}} */
static void mig_host(struct json *j, sqlite3_stmt *st)
{
	const char *state = mig_col(st, 1);

	json_obj_open(j);
	json_key(j, "dane");
	json_obj_open(j);
	json_key(j, "tlsa");
	if (!state || strcmp(state, "not-looked-up") == 0) {
		json_null(j);
	} else {
		json_obj_open(j);
		json_kstr(j, "state", state);
		json_key(j, "records");
		mig_split(j, mig_col(st, 2), "; ");
		json_obj_close(j);
	}
	json_obj_close(j);
	json_obj_close(j);
}

/* The address columns the step reads, in this order. */
#define MIG_ADDR_COLUMNS                                                                           \
	"id, starttls, error, banner, ehlo, retried, first_attempt, tls_version, cipher,"          \
	" cert_sha256, cert_subject, cert_issuer, cert_not_after, key_type, key_bits, signature,"  \
	" pkix_valid, name_match, dane, ncsc_state, ncsc_handshakes, ncsc_versions, ncsc_findings"
enum {
	MA_ID,
	MA_STARTTLS,
	MA_ERROR,
	MA_BANNER,
	MA_EHLO,
	MA_RETRIED,
	MA_FIRST,
	MA_VERSION,
	MA_CIPHER,
	MA_SHA256,
	MA_SUBJECT,
	MA_ISSUER,
	MA_NOT_AFTER,
	MA_KEY_TYPE,
	MA_KEY_BITS,
	MA_SIGNATURE,
	MA_PKIX,
	MA_NAME,
	MA_DANE,
	MA_NCSC_STATE,
	MA_NCSC_HS,
	MA_NCSC_VERSIONS,
	MA_NCSC_FINDINGS
};

static void mig_cert(struct json *j, sqlite3_stmt *st)
{
	json_key(j, "cert");
	if (!mig_col(st, MA_SHA256)) {
		json_null(j);
		return;
	}
	json_obj_open(j);
	mig_kopt(j, "subject", st, MA_SUBJECT);
	mig_kopt(j, "issuer", st, MA_ISSUER);
	mig_kopt(j, "not_after", st, MA_NOT_AFTER);
	mig_kopt(j, "key_type", st, MA_KEY_TYPE);
	if (sqlite3_column_type(st, MA_KEY_BITS) != SQLITE_NULL)
		json_kint(j, "key_bits", sqlite3_column_int64(st, MA_KEY_BITS));
	mig_kopt(j, "signature", st, MA_SIGNATURE);
	json_kstr(j, "sha256", mig_col(st, MA_SHA256));
	if (sqlite3_column_type(st, MA_PKIX) != SQLITE_NULL)
		json_kbool(j, "pkix_valid", sqlite3_column_int(st, MA_PKIX) != 0);
	if (sqlite3_column_type(st, MA_NAME) != SQLITE_NULL)
		json_kbool(j, "name_match", sqlite3_column_int(st, MA_NAME) != 0);
	json_obj_close(j);
}

static void mig_starttls(struct json *j, sqlite3_stmt *st)
{
	const char *first = mig_col(st, MA_FIRST);

	json_key(j, "starttls");
	json_obj_open(j);
	mig_kopt(j, "starttls", st, MA_STARTTLS);
	mig_kopt(j, "error", st, MA_ERROR);
	mig_kopt(j, "banner", st, MA_BANNER);
	mig_kopt(j, "ehlo", st, MA_EHLO);
	if (sqlite3_column_int(st, MA_RETRIED) && first) {
		const char *sep = strstr(first, ": ");

		json_key(j, "first_attempt");
		json_obj_open(j);
		json_key(j, "starttls");
		json_strn(j, first, sep ? (size_t)(sep - first) : strlen(first));
		json_kstr(j, "error", sep ? sep + 2 : "");
		json_obj_close(j);
	}
	if (mig_col(st, MA_VERSION)) {
		mig_kopt(j, "tls_version", st, MA_VERSION);
		mig_kopt(j, "cipher", st, MA_CIPHER);
		mig_cert(j, st);
	}
	json_obj_close(j);
}

/* "TLSv1.3 accepted, TLSv1.2 refused, ..." (newest first) as an object
 * oldest first, as the probe writes it. */
static void mig_versions(struct json *j, const char *s)
{
	const char *item[16] = {NULL};
	size_t n = 0;

	while (s && *s && n < sizeof(item) / sizeof(item[0])) {
		const char *e = strstr(s, ", ");

		item[n++] = s;
		s = e ? e + 2 : NULL;
	}
	json_obj_open(j);
	while (n-- > 0) {
		const char *e = strstr(item[n], ", ");
		size_t len = e ? (size_t)(e - item[n]) : strlen(item[n]);
		const char *sp = memchr(item[n], ' ', len);
		char key[32];

		if (!sp || (size_t)(sp - item[n]) >= sizeof(key))
			continue;
		(void)snprintf(key, sizeof(key), "%.*s", (int)(sp - item[n]), item[n]);
		json_key(j, key);
		json_strn(j, sp + 1, len - (size_t)(sp + 1 - item[n]));
	}
	json_obj_close(j);
}

/* One findings line as the probe's finding object. */
static void mig_finding(struct json *j, const char *line, size_t len)
{
	static const char *const key[] = {"class", "aspect", "item", "version", "detail"};
	const char *end = line + len;
	size_t f;

	json_obj_open(j);
	for (f = 0; f < 5 && line <= end; f++) {
		const char *tab = f < 4 ? memchr(line, '\t', (size_t)(end - line)) : NULL;
		size_t flen = tab ? (size_t)(tab - line) : (size_t)(end - line);

		if (f == 3 && flen == 1 && line[0] == '-') {
			json_kstr(j, key[f], NULL);
		} else if (f != 4 || flen) {
			json_key(j, key[f]);
			json_strn(j, line, flen);
		}
		if (!tab)
			break;
		line = tab + 1;
	}
	json_obj_close(j);
}

static void mig_ncsc(struct json *j, sqlite3_stmt *st)
{
	const char *s = mig_col(st, MA_NCSC_FINDINGS);

	json_key(j, "tls_ncsc");
	json_obj_open(j);
	json_key(j, "ncsc");
	if (!mig_col(st, MA_NCSC_STATE)) {
		json_null(j);
		json_obj_close(j);
		return;
	}
	json_obj_open(j);
	mig_kopt(j, "state", st, MA_NCSC_STATE);
	json_kint(j, "handshakes", sqlite3_column_int64(st, MA_NCSC_HS));
	json_key(j, "versions");
	mig_versions(j, mig_col(st, MA_NCSC_VERSIONS));
	json_key(j, "findings");
	json_arr_open(j);
	while (s && *s) {
		const char *e = strchr(s, '\n');
		size_t len = e ? (size_t)(e - s) : strlen(s);

		mig_finding(j, s, len);
		s = e ? e + 1 : NULL;
	}
	json_arr_close(j);
	json_obj_close(j);
	json_obj_close(j);
}

static void mig_addr(struct json *j, sqlite3_stmt *st)
{
	const char *dane = mig_col(st, MA_DANE);

	json_obj_open(j);
	mig_starttls(j, st);
	json_key(j, "dane");
	json_obj_open(j);
	json_kstr(j, "dane", dane && strcmp(dane, "not-checked") != 0 ? dane : NULL);
	json_obj_close(j);
	mig_ncsc(j, st);
	json_obj_close(j);
}

/* Rewrite every row of a query (id first) with build's JSON into the
 * evidence column through update (?1 evidence, ?2 id). */
static int mig_rows(struct db *db, const char *select, const char *update,
		    void (*build)(struct json *j, sqlite3_stmt *st), const char *what)
{
	sqlite3_stmt *sel = NULL, *upd = NULL;
	struct buf b;
	int rc = -1, step;

	buf_init(&b, 0);
	if (sqlite3_prepare_v2(db->h, select, -1, &sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->h, update, -1, &upd, NULL) != SQLITE_OK) {
		(void)db_fail(db, what);
		goto out;
	}
	while ((step = sqlite3_step(sel)) == SQLITE_ROW) {
		struct json j;

		buf_reset(&b);
		json_init(&j, &b);
		build(&j, sel);
		if (json_status(&j) < 0 || !buf_str(&b)) {
			db_seterr(db, "%s: out of memory", what);
			goto out;
		}
		if (sqlite3_bind_text(upd, 1, buf_str(&b), -1, SQLITE_TRANSIENT) != SQLITE_OK ||
		    sqlite3_bind_int64(upd, 2, sqlite3_column_int64(sel, 0)) != SQLITE_OK ||
		    sqlite3_step(upd) != SQLITE_DONE || sqlite3_reset(upd) != SQLITE_OK) {
			(void)db_fail(db, what);
			goto out;
		}
	}
	if (step != SQLITE_DONE)
		(void)db_fail(db, what);
	else
		rc = 0;
out:
	(void)sqlite3_finalize(sel);
	(void)sqlite3_finalize(upd);
	buf_free(&b);
	return rc;
}

/* The columns 8 -> 9 turns into evidence, dropped once it has. */
static const char db_mig9_drop[] = "ALTER TABLE mx_hosts DROP COLUMN tlsa_state;"
				   "ALTER TABLE mx_hosts DROP COLUMN tlsa;"
				   "ALTER TABLE addresses DROP COLUMN starttls;"
				   "ALTER TABLE addresses DROP COLUMN tls_version;"
				   "ALTER TABLE addresses DROP COLUMN cipher;"
				   "ALTER TABLE addresses DROP COLUMN cert_sha256;"
				   "ALTER TABLE addresses DROP COLUMN pkix_valid;"
				   "ALTER TABLE addresses DROP COLUMN name_match;"
				   "ALTER TABLE addresses DROP COLUMN dane;"
				   "ALTER TABLE addresses DROP COLUMN banner;"
				   "ALTER TABLE addresses DROP COLUMN ehlo;"
				   "ALTER TABLE addresses DROP COLUMN error;"
				   "ALTER TABLE addresses DROP COLUMN cert_subject;"
				   "ALTER TABLE addresses DROP COLUMN cert_issuer;"
				   "ALTER TABLE addresses DROP COLUMN cert_not_after;"
				   "ALTER TABLE addresses DROP COLUMN key_type;"
				   "ALTER TABLE addresses DROP COLUMN key_bits;"
				   "ALTER TABLE addresses DROP COLUMN signature;"
				   "ALTER TABLE addresses DROP COLUMN retried;"
				   "ALTER TABLE addresses DROP COLUMN first_attempt;"
				   "ALTER TABLE addresses DROP COLUMN ncsc_state;"
				   "ALTER TABLE addresses DROP COLUMN ncsc_handshakes;"
				   "ALTER TABLE addresses DROP COLUMN ncsc_versions;"
				   "ALTER TABLE addresses DROP COLUMN ncsc_findings;";

int db_migrate9_evidence(struct db *db)
{
	const char *what = "migration to schema version 9";

	if (mig_rows(db, "SELECT id, tlsa_state, tlsa FROM mx_hosts",
		     "UPDATE mx_hosts SET evidence = ?1 WHERE id = ?2", mig_host, what) < 0 ||
	    mig_rows(db, "SELECT " MIG_ADDR_COLUMNS " FROM addresses",
		     "UPDATE addresses SET evidence = ?1 WHERE id = ?2", mig_addr, what) < 0)
		return -1;
	return db_exec(db, db_mig9_drop, what);
}
