/*
 * test_hardening.c - unit tests for the findings of issue 15, as tables of
 * cases: error messages that show a user's value cut and sanitised
 * (str_show), the nesting cap of every YAML reader (target list, config,
 * explanations) and their refusal of aliases, binary data and endless
 * streams as a target list, and the read-only opening of a database.
 *
 * Inputs are written to temporary files; run from the repository root.
 */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../base/buf.h"
#include "../../base/str.h"
#include "../../db/db.h"
#include "../../reports/report.h"
#include "../../scanner/config.h"
#include "../../targets/target_yaml.h"
#include "../../targets/targets.h"
#include "unit.h"

/* Write len bytes to a new temporary file (path[64]); 0 or -1. */
static int hard_temp(char path[64], const char *data, size_t len)
{
	FILE *f;
	int fd;

	(void)snprintf(path, 64, "/tmp/mailscan-hard-XXXXXX");
	fd = mkstemp(path);
	if (!CHECK(fd >= 0))
		return -1;
	f = fdopen(fd, "wb");
	if (!CHECK(f != NULL)) {
		(void)close(fd);
		return -1;
	}
	if (!CHECK(fwrite(data, 1, len, f) == len)) {
		(void)fclose(f);
		return -1;
	}
	return CHECK(fclose(f) == 0) ? 0 : -1;
}

/* Send stderr to /dev/null (on) and back (off): invalid entries and bad
 * config values are printed, not wanted among the test output. */
static void hard_quiet(bool on)
{
	static int saved = -1;
	int fd;

	(void)fflush(stderr);
	if (on && saved < 0) {
		saved = dup(2);
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			(void)dup2(fd, 2);
			(void)close(fd);
		}
	} else if (!on && saved >= 0) {
		(void)dup2(saved, 2);
		(void)close(saved);
		saved = -1;
	}
}

/* "open" n times, then "1", then "close" n times, with prefix and suffix. */
static void hard_nest(struct buf *b, const char *prefix, const char *open, const char *close,
		      unsigned n, const char *suffix)
{
	unsigned i;

	buf_reset(b);
	CHECK(buf_addstr(b, prefix) == 0);
	for (i = 0; i < n; i++)
		CHECK(buf_addstr(b, open) == 0);
	CHECK(buf_addstr(b, "1") == 0);
	for (i = 0; i < n; i++)
		CHECK(buf_addstr(b, close) == 0);
	CHECK(buf_addstr(b, suffix) == 0);
}

/* ---- str_show ---- */

void test_hard_str_show(void)
{
	static const struct {
		const char *in;
		size_t outlen;
		const char *want;
	} cases[] = {
	    {"timeout", 16, "timeout"},
	    {"", 16, ""},
	    {"\x1b[31mred", 16, "?[31mred"},
	    {"a\x07"
	     "b\r\nc",
	     16, "a?b??c"},
	    {"0123456789abcdef", 16, "0123456789ab..."},
	    {"0123456789abcde", 16, "0123456789abcde"},
	    {"\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b", 8, "????..."},
	    {"caf\xc3\xa9", 16, "caf??"},
	};
	char out[64];
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		unit_case("str_show %zu", i);
		CHECK_STR(str_show(out, cases[i].outlen, cases[i].in), cases[i].want);
		CHECK(strlen(out) < cases[i].outlen);
	}
	unit_case("%s", "");
}

/* ---- target lists ---- */

/* Read path to the end or the first fatal error; the last return code. */
static int hard_read(const char *path, enum target_format fmt, unsigned long *n, char *err,
		     size_t errlen)
{
	struct target_reader *r;
	struct target t;
	int rc;

	*n = 0;
	err[0] = '\0';
	r = target_open(path, fmt, err, errlen);
	if (!r)
		return -2;
	hard_quiet(true);
	while ((rc = target_next(r, &t, err, errlen)) == 1)
		(*n)++;
	hard_quiet(false);
	target_close(r);
	return rc;
}

void test_hard_targets(void)
{
	/* how the nesting is built: depth, what opens and closes it */
	static const struct {
		const char *name;
		enum target_format fmt;
		const char *prefix, *open, *close, *suffix;
		unsigned depth;
		int rc;             /* of the last target_next */
		unsigned long n;    /* targets read */
		const char *errhas; /* in err, when rc < 0 */
	} cases[] = {
	    {"flow maps under an unknown org key, 100000", TARGET_YAML,
	     "organisations:\n  - name: A\n    category: b\n    domains: [a.example]\n    x: ",
	     "{a: ", "}", "\n", 100000, -1, 1, ":5:252: YAML nested deeper than 64 levels"},
	    {"flow sequences under an unknown top key, 100000", TARGET_YAML, "x: ", "[", "]",
	     "\norganisations: []\n", 100000, -1, 0, ":1:67: YAML nested deeper than 64 levels"},
	    {"block sequences, 70 levels", TARGET_YAML, "organisations: []\nx:\n", "- ", "", "\n",
	     70, -1, 0, ":3:127: YAML nested deeper than 64 levels"},
	    /* 62 here + the root mapping + the value's own = 64: allowed */
	    {"flow maps at the cap", TARGET_YAML,
	     "organisations:\n  - name: A\n    category: b\n    domains: [a.example]\n    x: ",
	     "{a: ", "}", "\n", 61, 0, 1, NULL},
	    {"flow maps one over the cap", TARGET_YAML,
	     "organisations:\n  - name: A\n    category: b\n    domains: [a.example]\n    x: ",
	     "{a: ", "}", "\n", 62, -1, 1, "nested deeper than 64"},
	    {"an alias is refused", TARGET_YAML,
	     "organisations:\n  - name: &n A\n    category: *n\n    domains: [a.example]\n", "", "",
	     "", 0, -1, 0, ":3:15: YAML aliases"},
	};
	struct buf b;
	char path[64], err[512];
	unsigned long n;
	size_t i;
	int rc;

	buf_init(&b, 0);
	for (i = 0; i < UNIT_COUNT(cases); i++) {
		unit_case("targets: %s", cases[i].name);
		hard_nest(&b, cases[i].prefix, cases[i].open, cases[i].close, cases[i].depth,
			  cases[i].suffix);
		if (cases[i].depth == 0) { /* the prefix is the whole file */
			buf_reset(&b);
			CHECK(buf_addstr(&b, cases[i].prefix) == 0);
		}
		if (hard_temp(path, b.data, b.len) < 0)
			continue;
		rc = hard_read(path, cases[i].fmt, &n, err, sizeof(err));
		CHECK_INT(rc, cases[i].rc);
		CHECK_INT(n, cases[i].n);
		if (cases[i].errhas && !CHECK(strstr(err, cases[i].errhas) != NULL))
			(void)printf("  err: %s\n", err);
		(void)unlink(path);
	}
	buf_free(&b);

	/* binary data: a line of NULs over the cap stops at once; an over-long
	 * text line in a regular file is still skipped */
	static const struct {
		const char *name;
		const char *path; /* NULL: a temporary file of fill x size */
		enum target_format fmt;
		char fill;
		size_t size;
		int rc;
		unsigned long n;
		const char *errhas;
	} streams[] = {
	    {"/dev/zero as text", "/dev/zero", TARGET_TEXT, 0, 0, -1, 0,
	     "/dev/zero:1: binary data: NUL bytes"},
	    {"/dev/zero as CSV", "/dev/zero", TARGET_CSV, 0, 0, -1, 0,
	     "/dev/zero:1: binary data: NUL bytes"},
	    {"/dev/zero as YAML", "/dev/zero", TARGET_YAML, 0, 0, -1, 0, "/dev/zero:1:1: YAML"},
	    {"a file of 200 KB of NULs, text", NULL, TARGET_TEXT, 0, 200000, -1, 0,
	     ":1: binary data"},
	    {"a file of 200 KB of NULs, CSV", NULL, TARGET_CSV, 0, 200000, -1, 0,
	     ":1: binary data"},
	    {"a file of 200 KB of x, text: skipped", NULL, TARGET_TEXT, 'x', 200000, 0, 0, NULL},
	    {"a file of 200 KB of x, CSV: skipped", NULL, TARGET_CSV, 'x', 200000, 0, 0, NULL},
	};
	for (i = 0; i < UNIT_COUNT(streams); i++) {
		const char *p = streams[i].path;
		char *data = NULL;

		unit_case("targets: %s", streams[i].name);
		if (!p) {
			data = malloc(streams[i].size + 32);
			if (!CHECK(data != NULL))
				continue;
			memset(data, streams[i].fill, streams[i].size);
			memcpy(data + streams[i].size, "\nok.example\n", 12);
			if (hard_temp(path, data, streams[i].size + 12) < 0) {
				free(data);
				continue;
			}
			p = path; /* a skipped line does not hide ok.example after it */
		}
		rc = hard_read(p, streams[i].fmt, &n, err, sizeof(err));
		CHECK_INT(rc, streams[i].rc);
		CHECK_INT(n, streams[i].rc == 0 ? 1 : streams[i].n);
		if (streams[i].errhas && !CHECK(strstr(err, streams[i].errhas) != NULL))
			(void)printf("  err: %s\n", err);
		if (data) {
			(void)unlink(path);
			free(data);
		}
	}
	unit_case("%s", "");
}

/* ---- config ---- */

static int hard_conf_set(const char *key, const char *value, void *arg)
{
	unsigned *n = arg;

	(void)key;
	(void)value;
	(*n)++;
	return 0;
}

void test_hard_config(void)
{
	static const struct {
		const char *name;
		const char *prefix, *open, *close, *suffix;
		unsigned depth;
		int rc;
		unsigned n; /* keys handed over */
	} cases[] = {
	    {"flat", "timeout: 5\njson: true\n", "", "", "", 0, 0, 2},
	    {"deep flow maps", "timeout: 5\nx: ", "{a: ", "}", "\n", 100000, -1, 1},
	    {"deep flow sequences", "timeout: 5\nx: ", "[", "]", "\n", 100000, -1, 1},
	    {"an alias", "json: &t true\nehlo: *t\ntimeout: 5\n", "", "", "", 0, -1, 1},
	};
	struct buf b;
	char path[64];
	unsigned n;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < UNIT_COUNT(cases); i++) {
		unit_case("config: %s", cases[i].name);
		hard_nest(&b, cases[i].prefix, cases[i].open, cases[i].close, cases[i].depth,
			  cases[i].suffix);
		if (cases[i].depth == 0) {
			buf_reset(&b);
			CHECK(buf_addstr(&b, cases[i].prefix) == 0);
		}
		if (hard_temp(path, b.data, b.len) < 0)
			continue;
		n = 0;
		hard_quiet(true);
		CHECK_INT(config_load(path, hard_conf_set, &n), cases[i].rc);
		hard_quiet(false);
		CHECK_INT(n, cases[i].n);
		(void)unlink(path);
	}
	buf_free(&b);
	unit_case("%s", "");
}

/* ---- explanations ---- */

void test_hard_explanations(void)
{
#define EX1                                                                                        \
	"  - domain: a.example\n    standard: dnssec\n    reason: r\n    valid_until: "            \
	"2030-01-01\n"
	static const struct {
		const char *name;
		const char *prefix, *open, *close, *suffix;
		unsigned depth;
		int rc;
		size_t n;
		const char *errhas;
	} cases[] = {
	    {"one", "explanations:\n" EX1, "", "", "", 0, 0, 1, NULL},
	    {"a bare list", EX1 EX1, "", "", "", 0, 0, 2, NULL},
	    {"empty", "", "", "", "", 0, 0, 0, NULL},
	    {"deep under a key", "explanations:\n" EX1 "    extra: ", "{a: ", "}", "\n", 100000, -1,
	     0, ":6:12: expected a text value for: extra"},
	    {"deep as the list", "explanations: ", "[", "]", "\n", 100000, -1, 0,
	     ":1:16: an explanation is a mapping"},
	    {"an alias",
	     "explanations:\n  - &e {domain: a.example, standard: dnssec, reason: r, "
	     "valid_until: 2030-01-01}\n  - *e\n",
	     "", "", "", 0, -1, 0, ":3:5: YAML aliases"},
	    {"a key of 500 bytes, shown cut", "explanations:\n  - domain: a.example\n    ",
	     "kkkkkkkkkk", "", ": v\n", 50, -1, 0, ":3:5: unknown key"},
	    {"a second document is not read", "explanations:\n" EX1 "---\n- [1\n", "", "", "", 0, 0,
	     1, NULL},
	};
	struct rep_expl *ex;
	struct buf b;
	char path[64], err[512];
	size_t i, n;
	int rc;

	buf_init(&b, 0);
	for (i = 0; i < UNIT_COUNT(cases); i++) {
		unit_case("explanations: %s", cases[i].name);
		hard_nest(&b, cases[i].prefix, cases[i].open, cases[i].close, cases[i].depth,
			  cases[i].suffix);
		if (cases[i].depth == 0) {
			buf_reset(&b);
			CHECK(buf_addstr(&b, cases[i].prefix) == 0);
		}
		if (hard_temp(path, b.data, b.len) < 0)
			continue;
		err[0] = '\0';
		rc = rep_expl_load(path, &ex, &n, err, sizeof(err));
		CHECK_INT(rc, cases[i].rc);
		CHECK_INT(n, cases[i].n);
		if (cases[i].errhas && !CHECK(strstr(err, cases[i].errhas) != NULL))
			(void)printf("  err: %s\n", err);
		CHECK(strlen(err) < 300);
		rep_expl_free(ex, n);
		(void)unlink(path);
	}
	buf_free(&b);
	unit_case("%s", "");
#undef EX1
}

/* ---- the read-only database ---- */

void test_hard_db_readonly(void)
{
	static const struct {
		const char *name;
		const char *sql; /* run on the file after db_open made it */
		bool opens;
		const char *errhas;
	} cases[] = {
	    {"current schema", NULL, true, NULL},
	    {"newer schema", "PRAGMA user_version = 99", false, "schema version 99 is newer"},
	    {"not a database", "", false, "not a database"},
	};
	char path[64], err[512];
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		struct db *db;
		sqlite3 *h = NULL;

		unit_case("readonly: %s", cases[i].name);
		if (hard_temp(path, "", 0) < 0)
			continue;
		db = db_open(path, err, sizeof(err));
		if (!CHECK(db != NULL))
			continue;
		db_close(db);
		if (cases[i].sql && *cases[i].sql) {
			CHECK(sqlite3_open(path, &h) == SQLITE_OK);
			CHECK(sqlite3_exec(h, cases[i].sql, NULL, NULL, NULL) == SQLITE_OK);
			(void)sqlite3_close(h);
		} else if (cases[i].sql) {
			FILE *f = fopen(path, "w");

			if (CHECK(f != NULL)) {
				CHECK(fputs("this is not a database, but long enough to be read as "
					    "one: 0123456789012345678901234567890123456789",
					    f) >= 0);
				CHECK(fclose(f) == 0);
			}
		}
		db = db_open_readonly(path, err, sizeof(err));
		CHECK_INT(db != NULL, cases[i].opens);
		if (cases[i].errhas && !CHECK(strstr(err, cases[i].errhas) != NULL))
			(void)printf("  err: %s\n", err);
		if (db) {
			/* nothing can be written through it */
			CHECK(db_run_begin(db, "x", NULL) < 0);
			CHECK(strstr(db_error(db), "readonly") != NULL ||
			      strstr(db_error(db), "read-only") != NULL);
			db_close(db);
		}
		(void)unlink(path);
		(void)snprintf(err, sizeof(err), "%s-wal", path);
		(void)unlink(err);
		(void)snprintf(err, sizeof(err), "%s-shm", path);
		(void)unlink(err);
	}
	unit_case("%s", "");
}
