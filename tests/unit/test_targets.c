/*
 * test_targets.c - unit tests for targets/targets.c: the three list formats
 * (valid and invalid entries, line numbers, normalisation), CSV quoting,
 * YAML key orders, syntax and structure errors, memory on a large YAML
 * list, and the real data in tests/data/real/nl-government-domains.csv (a copy of
 * the Open State Foundation list, see tests/data/real/README.md).
 *
 * Lists are written to temporary files; what the loader prints on stderr
 * is captured (so invalid entries do not clutter the test output) and
 * checked where it matters. Run from the repository root (as make does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../../base/buf.h"
#include "../../base/str.h"
#include "../../targets/targets.h"
#include "unit.h"

/* Under AddressSanitizer freed memory sits in a quarantine (256 MB by
 * default), so the RSS of a streaming reader grows with the number of
 * allocations; the memory check is made in the plain build only. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define FIXTURES "tests/data/targets/"
#define REAL_DATA "tests/data/real/nl-government-domains.csv"

/* ---- helpers ---- */

/* Write len bytes (strlen when len is 0) to a new temporary file; its path
 * goes to path[64]. Returns 0 or -1. */
static int write_temp(char path[64], const char *data, size_t len)
{
	const char *dir = getenv("TMPDIR");
	FILE *f;
	int fd;

	if (snprintf(path, 64, "%s/mailscan-targets-XXXXXX", dir && *dir ? dir : "/tmp") >= 64)
		(void)snprintf(path, 64, "/tmp/mailscan-targets-XXXXXX");
	fd = mkstemp(path);
	if (!CHECK(fd >= 0))
		return -1;
	f = fdopen(fd, "wb");
	if (!CHECK(f != NULL)) {
		(void)close(fd);
		return -1;
	}
	if (!len)
		len = strlen(data);
	if (!CHECK(fwrite(data, 1, len, f) == len)) {
		(void)fclose(f);
		return -1;
	}
	return CHECK(fclose(f) == 0) ? 0 : -1;
}

/* stderr goes to a temporary file between capture_begin and capture_end. */
static FILE *capture_file;
static int capture_saved = -1;

static void capture_begin(void)
{
	(void)fflush(stderr);
	capture_file = tmpfile();
	if (!CHECK(capture_file != NULL))
		return;
	capture_saved = dup(2);
	CHECK(capture_saved >= 0);
	CHECK(dup2(fileno(capture_file), 2) == 2);
}

/* Restore stderr; what was written goes to out (when not NULL). */
static void capture_end(struct buf *out)
{
	char chunk[4096];
	size_t n;

	if (!capture_file)
		return;
	(void)fflush(stderr);
	CHECK(dup2(capture_saved, 2) == 2);
	(void)close(capture_saved);
	capture_saved = -1;
	rewind(capture_file);
	while (out && (n = fread(chunk, 1, sizeof(chunk), capture_file)) > 0)
		CHECK(buf_add(out, chunk, n) == 0);
	(void)fclose(capture_file);
	capture_file = NULL;
}

/* Number of lines in s. */
static unsigned long count_lines(const char *s)
{
	unsigned long n = 0;

	for (; *s; s++)
		if (*s == '\n')
			n++;
	return n;
}

/*
 * Read a whole list into out as "domain|organisation|category|line\n" per
 * target; stderr into msgs (when not NULL). Returns the last target_next()
 * result (0 or -1; -2 when it cannot be opened), the fatal message in err.
 */
static int read_all(const char *path, enum target_format fmt, struct buf *out,
		    unsigned long *invalid, struct buf *msgs, char *err, size_t errlen)
{
	struct target_reader *r;
	struct target t;
	bool written = true;
	int rc;

	err[0] = '\0';
	*invalid = 0;
	capture_begin();
	r = target_open(path, fmt, err, errlen);
	if (!r) {
		capture_end(msgs);
		return -2;
	}
	while ((rc = target_next(r, &t, err, errlen)) == 1)
		if (buf_printf(out, "%s|%s|%s|%lu\n", t.domain, t.organisation, t.category,
			       t.line) < 0)
			written = false;
	CHECK(written);
	*invalid = target_invalid(r);
	target_close(r);
	capture_end(msgs);
	return rc;
}

/* ---- target_normalise and target_parse_format ---- */

static void test_normalise(void)
{
	static const struct {
		const char *in;
		const char *want; /* NULL: invalid */
		const char *why;  /* substring of the reason */
	} cases[] = {
	    {"example.nl", "example.nl", NULL},
	    {"Example.NL.", "example.nl", NULL},
	    {"bücher.example", "xn--bcher-kva.example", NULL},
	    {"BÜCHER.Example.", "xn--bcher-kva.example", NULL},
	    {"xn--bcher-kva.example", "xn--bcher-kva.example", NULL},
	    {"XN--BCHER-KVA.example", "xn--bcher-kva.example", NULL},
	    {"faß.de", "xn--fa-hia.de", NULL}, /* non-transitional: ß kept */
	    {"b\xc3\xbc\x63her.example", "xn--bcher-kva.example", NULL},  /* NFC already */
	    {"bu\xcc\x88\x63her.example", "xn--bcher-kva.example", NULL}, /* NFD -> NFC */
	    {"_dmarc.example", "_dmarc.example", NULL},
	    {"ab--cd.example", "ab--cd.example", NULL}, /* ASCII: not checked by idn2 */
	    {"1password.example", "1password.example", NULL},
	    {"", NULL, "empty"},
	    {".", NULL, "empty"},
	    {"a..b", NULL, "empty label"},
	    {"single", NULL, "one label"},
	    {"-a.example", NULL, "hyphen"},
	    {"a b.example", NULL, "not allowed"},
	    {"a/b.example", NULL, "not allowed"},
	    {"192.0.2.1", NULL, "all digits"},
	    {"example.123", NULL, "all digits"},
	    {"xn--zz.example", NULL, "punycode"},
	    {"\xff.example", NULL, "encoding"},
	    {"ab--cd-ü.example", NULL, "hyphen"},
	    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example", NULL,
	     "63"},
	};
	char out[DNS_NAME_MAX + 1], big[2000];
	const char *why;
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		int rc;

		unit_case("normalise %zu: %s", i, cases[i].in);
		rc = target_normalise(cases[i].in, out, sizeof(out), &why);
		if (cases[i].want) {
			CHECK_INT(rc, 0);
			if (rc == 0)
				CHECK_STR(out, cases[i].want);
		} else {
			CHECK_INT(rc, -1);
			CHECK(why != NULL);
			if (why)
				CHECK_STR(strstr(why, cases[i].why) ? cases[i].why : why,
					  cases[i].why);
		}
	}
	unit_case("normalise: long names");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(target_normalise(big, out, sizeof(out), &why), -1);
	CHECK_INT(target_normalise("a.example", out, 10, &why), -1);

	unit_case("parse_format");
	{
		enum target_format f = TARGET_AUTO;

		CHECK_INT(target_parse_format("yaml", &f), 0);
		CHECK_INT(f, TARGET_YAML);
		CHECK_INT(target_parse_format("csv", &f), 0);
		CHECK_INT(f, TARGET_CSV);
		CHECK_INT(target_parse_format("TEXT", &f), 0);
		CHECK_INT(f, TARGET_TEXT);
		CHECK_INT(target_parse_format("json", &f), -1);
		CHECK_INT(target_parse_format("", &f), -1);
	}
}

/* ---- lists given inline, one table for all formats ---- */

struct list_case {
	const char *name;
	enum target_format fmt;
	const char *content;
	const char *want; /* the targets, as read_all() writes them */
	unsigned long invalid;
	const char *fatal; /* substring of the fatal error after the path; NULL: none */
};

static const struct list_case list_cases[] = {
    /* text */
    {"text basic", TARGET_TEXT,
     "good.example\n  Upper.Example.  # comment\n\n# a comment line\nbücher.example\n",
     "good.example|||1\nupper.example|||2\nxn--bcher-kva.example|||5\n", 0, NULL},
    {"text invalid", TARGET_TEXT,
     "a b.example\n-x.example\nlocalhost\n192.0.2.1\nxn--zz.example\nok.example\r\n",
     "ok.example|||6\n", 5, NULL},
    {"text no final newline", TARGET_TEXT, "a.example\nb.example", "a.example|||1\nb.example|||2\n",
     0, NULL},
    {"text BOM", TARGET_TEXT,
     "\xef\xbb\xbf"
     "a.example\n",
     "a.example|||1\n", 0, NULL},
    {"text comment glued", TARGET_TEXT, "a.example#x\n\t\tb.example\t\n#\n",
     "a.example|||1\nb.example|||2\n", 0, NULL},
    {"text empty", TARGET_TEXT, "", "", 0, NULL},
    {"text duplicates kept", TARGET_TEXT, "a.example\nA.EXAMPLE.\n",
     "a.example|||1\na.example|||2\n", 0, NULL},
    /* CSV */
    {"csv no header", TARGET_CSV, "a.example,Org A,gemeente\nb.example,\"Org, B\",rijk\n",
     "a.example|Org A|gemeente|1\nb.example|Org, B|rijk|2\n", 0, NULL},
    {"csv open data header", TARGET_CSV,
     "Domain Name,Domain Type,Agency\r\nx.example,Rijksoverheid,Ministerie X \r\n",
     "x.example|Ministerie X|Rijksoverheid|2\n", 0, NULL},
    {"csv header order and case", TARGET_CSV, " Organisatie , DOMAIN \nGemeente A,a.example\n",
     "a.example|Gemeente A||2\n", 0, NULL},
    {"csv header unknown columns", TARGET_CSV,
     "id,domain,organization,type,remark\n7,a.example,Org,rijk,x\n", "a.example|Org|rijk|2\n", 0,
     NULL},
    {"csv quote escapes", TARGET_CSV, "a.example,\"He said \"\"hi\"\"\",c\n",
     "a.example|He said \"hi\"|c|1\n", 0, NULL},
    {"csv quoted newline", TARGET_CSV, "a.example,\"line1\nline2\",c\nb.example,o,c\n",
     "a.example|line1\nline2|c|1\nb.example|o|c|3\n", 0, NULL},
    {"csv quoted CRLF kept", TARGET_CSV, "a.example,\"x\r\ny\",c\r\nb.example\r\n",
     "a.example|x\r\ny|c|1\nb.example|||3\n", 0, NULL},
    {"csv quoted domain", TARGET_CSV, "  \"A.EXAMPLE.\"  , o ,c\n", "a.example|o|c|1\n", 0, NULL},
    {"csv quoted blanks kept", TARGET_CSV, "a.example,\" o \",\"\"\n", "a.example| o ||1\n", 0,
     NULL},
    {"csv quoted domain on line 2", TARGET_CSV, "\"x\ny\",\"a.example\",o,c\n", "", 1,
     NULL}, /* "x\ny" is the domain column: invalid */
    {"csv text after quote", TARGET_CSV, "\"a.example\"x,o,c\nb.example\n", "b.example|||2\n", 1,
     NULL},
    {"csv unterminated quote", TARGET_CSV, "a.example,\"oops\nb.example,o,c\n", "", 1, NULL},
    {"csv stray quote literal", TARGET_CSV, "a.example,O\"Brien,c\n", "a.example|O\"Brien|c|1\n", 0,
     NULL},
    {"csv blank lines", TARGET_CSV, "\n\r\na.example\n \n", "a.example|||3\n", 0, NULL},
    {"csv columns fewer and more", TARGET_CSV, "a.example\nb.example,o,c,extra,more\n",
     "a.example|||1\nb.example|o|c|2\n", 0, NULL},
    {"csv invalid first row is data", TARGET_CSV, "bad..example,o,c\ngood.example,o,c\n",
     "good.example|o|c|2\n", 1, NULL},
    {"csv invalid rows", TARGET_CSV,
     "domain,organisation,category\n-x.example,o,c\n,o,c\nbücher.example,o,c\nlocalhost,o,c\n",
     "xn--bcher-kva.example|o|c|4\n", 3, NULL},
    {"csv CR line ends", TARGET_CSV, "a.example,o,c\rb.example,o,c\r",
     "a.example|o|c|1\nb.example|o|c|2\n", 0, NULL},
    {"csv BOM header", TARGET_CSV,
     "\xef\xbb\xbf"
     "domain,category\na.example,rijk\n",
     "a.example||rijk|2\n", 0, NULL},
    {"csv empty", TARGET_CSV, "", "", 0, NULL},
    {"csv header without domain", TARGET_CSV, "Agency,Type\nx,y\n", "", 0,
     ":1: the CSV header names no domain column"},
    /* YAML */
    {"yaml block", TARGET_YAML,
     "organisations:\n  - name: Gemeente A\n    category: gemeente\n    domains:\n"
     "      - a.example\n      - B.EXAMPLE.\n",
     "a.example|Gemeente A|gemeente|5\nb.example|Gemeente A|gemeente|6\n", 0, NULL},
    {"yaml flow", TARGET_YAML,
     "organisations:\n  - {name: X, category: rijk, domains: [x.example, 'y.example']}\n",
     "x.example|X|rijk|2\ny.example|X|rijk|2\n", 0, NULL},
    {"yaml domains first", TARGET_YAML,
     "organisations:\n  - domains: [a.example, b.example]\n    category: c\n    name: N\n"
     "  - name: M\n    domains: [m.example]\n",
     "a.example|N|c|2\nb.example|N|c|2\nm.example|M||6\n", 0, NULL},
    {"yaml name, domains, category", TARGET_YAML,
     "organisations:\n  - name: N\n    domains:\n      - a.example\n      - b.example\n"
     "    category: c\n    domains: [d.example]\n",
     "a.example|N|c|4\nb.example|N|c|5\nd.example|N|c|7\n", 0, NULL},
    {"yaml invalid entries", TARGET_YAML,
     "organisations:\n  - name: A\n    category: c\n    domains: [ok.example, \"bad name\", "
     "-x.example, \"\", 42, \"nul\\0.example\"]\n",
     "ok.example|A|c|4\n", 5, NULL},
    {"yaml unknown keys", TARGET_YAML,
     "version: 1\norganisations:\n  - name: A\n    website: {url: x, tags: [a, *b]}\n"
     "    category: c\n    domains: [a.example]\nextra: [1, [2, 3]]\n",
     "a.example|A|c|6\n", 0, NULL},
    {"yaml one plain domain", TARGET_YAML,
     "organisations:\n  - name: A\n    category: c\n    domains: a.example\n", "a.example|A|c|4\n",
     0, NULL},
    {"yaml nulls", TARGET_YAML,
     "organisations:\n  -\n  - name:\n    category: ~\n    domains:\n  - domains: [a.example]\n",
     "a.example|||6\n", 0, NULL},
    {"yaml American spelling", TARGET_YAML, "organizations:\n  - domains: [a.example]\n",
     "a.example|||2\n", 0, NULL},
    {"yaml two documents", TARGET_YAML,
     "organisations:\n  - domains: [a.example]\n---\norganisations:\n  - domains: [b.example]\n",
     "a.example|||2\nb.example|||5\n", 0, NULL},
    {"yaml empty file", TARGET_YAML, "", "", 0, NULL},
    {"yaml comments only", TARGET_YAML, "# nothing yet\n", "", 0, NULL},
    {"yaml empty list", TARGET_YAML, "organisations: []\n", "", 0, NULL},
    {"yaml no list", TARGET_YAML, "organisations:\n", "", 0, NULL},
    {"yaml syntax error", TARGET_YAML,
     "organisations:\n  - name: A\n    category: c\n    domains: [a.example]\n"
     "  - name: B: C\n",
     "a.example|A|c|4\n", 0, ":5:12: YAML syntax error: mapping values are not allowed"},
    {"yaml bad indentation", TARGET_YAML, "organisations:\n  - name: A\n   category: c\n", "", 0,
     ":3:4: YAML syntax error: "},
    {"yaml tab", TARGET_YAML, "organisations:\n\t- name: A\n", "", 0, ":2:1: YAML syntax error: "},
    {"yaml bad UTF-8", TARGET_YAML, "organisations:\n  - name: \xff\n", "", 0,
     ":2:11: YAML syntax error: invalid"},
    {"yaml organisations scalar", TARGET_YAML, "organisations: foo\n", "", 0,
     ":1:16: 'organisations' must be a list"},
    {"yaml organisation scalar", TARGET_YAML, "organisations:\n  - a.example\n", "", 0,
     ":2:5: an organisation must be a mapping"},
    {"yaml domain mapping", TARGET_YAML,
     "organisations:\n  - name: A\n    domains:\n      - a.example\n      - {x: y}\n", "", 0,
     ":5:9: a domain must be a name"},
    {"yaml domains mapping", TARGET_YAML, "organisations:\n  - domains: {a: b}\n", "", 0,
     ":2:14: 'domains' must be a list"},
    {"yaml name list", TARGET_YAML, "organisations:\n  - name: [a, b]\n", "", 0,
     ":2:11: 'name' must be text"},
    {"yaml no organisations", TARGET_YAML, "orgs: []\n", "", 0, ":2:1: no 'organisations' list"},
    {"yaml top-level list", TARGET_YAML, "- a.example\n", "", 0, ":1:1: expected a mapping"},
    {"yaml duplicate name", TARGET_YAML, "organisations:\n  - name: A\n    name: B\n", "", 0,
     ":3:11: 'name' given twice"},
    {"yaml alias", TARGET_YAML,
     "organisations:\n  - name: &n A\n    category: c\n    domains: [*n]\n", "", 0,
     ":4:15: YAML aliases"},
};

static void test_list_cases(void)
{
	size_t i;

	for (i = 0; i < UNIT_COUNT(list_cases); i++) {
		const struct list_case *c = &list_cases[i];
		char path[64], err[512];
		struct buf out, msgs;
		unsigned long invalid;
		int rc;

		unit_case("%s", c->name);
		if (write_temp(path, c->content, 0) < 0)
			continue;
		buf_init(&out, 0);
		buf_init(&msgs, 0);
		rc = read_all(path, c->fmt, &out, &invalid, &msgs, err, sizeof(err));
		CHECK_STR(buf_str(&out), c->want);
		CHECK_INT(invalid, c->invalid);
		CHECK_INT(count_lines(buf_str(&msgs)), c->invalid); /* one message each */
		if (c->fatal) {
			CHECK_INT(rc, -1);
			CHECK(str_iprefix(err, path));
			CHECK_STR(strstr(err, c->fatal) ? c->fatal : err, c->fatal);
		} else {
			CHECK_INT(rc, 0);
			CHECK_STR(err, "");
		}
		buf_free(&out);
		buf_free(&msgs);
		(void)unlink(path);
	}
}

/* ---- the fixture files: format by extension, messages on stderr ---- */

static void test_fixtures(void)
{
	static const struct {
		const char *file;
		const char *want;
		const char *msgs; /* exactly what goes to stderr */
		const char *fatal;
	} cases[] = {
	    {"mixed.txt",
	     "good.example|||2\nupper.example|||3\nxn--bcher-kva.example|||5\n_dmarc.example|||10\n"
	     "crlf.example|||12\n",
	     "mailscan: " FIXTURES "mixed.txt:6: 'not a domain': character not allowed in a host "
	     "name\n"
	     "mailscan: " FIXTURES "mixed.txt:7: '-hyphen.example': label starts with a hyphen\n"
	     "mailscan: " FIXTURES "mixed.txt:8: 'single': not a domain name (one label)\n"
	     "mailscan: " FIXTURES "mixed.txt:9: '192.0.2.1': last label is all digits (an IP "
	     "address?)\n"
	     "mailscan: " FIXTURES "mixed.txt:11: 'xn--zz.example': string contains invalid "
	     "punycode data\n",
	     NULL},
	    {"mixed.csv",
	     "good.example|Gemeente Voorbeeld|gemeente|2\n"
	     "quoted.example|Ministerie van Voorbeelden, Tests en Zo|rijk|3\n"
	     "xn--bcher-kva.example|Provincie \"Bücherland\"|provincie|4\n"
	     "multi.example|Gemeente\nTwee Regels|gemeente|6\n"
	     "after.example|Gemeente Na|gemeente|8\n"
	     "short.example|||10\n",
	     "mailscan: " FIXTURES "mixed.csv:5: 'bad..example': empty label\n"
	     "mailscan: " FIXTURES "mixed.csv:9: 'unclosed.examplex': text after the closing "
	     "quote of a field\n",
	     NULL},
	    {"orgs.yaml",
	     "good.example|Gemeente Voorbeeld|gemeente|6\nupper.example|Gemeente "
	     "Voorbeeld|gemeente|7\n"
	     "xn--bcher-kva.example|Provincie Test|provincie|12\nprov.example|Provincie "
	     "Test|provincie|12\n",
	     "mailscan: " FIXTURES "orgs.yaml:8: 'not valid': character not allowed in a host "
	     "name\n",
	     NULL},
	    {"orgs-reversed.yaml",
	     "good.example|Gemeente Voorbeeld|gemeente|4\nupper.example|Gemeente "
	     "Voorbeeld|gemeente|5\n"
	     "xn--bcher-kva.example|Provincie Test|provincie|9\nprov.example|Provincie "
	     "Test|provincie|9\n",
	     "mailscan: " FIXTURES "orgs-reversed.yaml:6: 'not valid': character not allowed in a "
	     "host name\n",
	     NULL},
	    {"broken.yaml", "good.example|Gemeente Voorbeeld|gemeente|5\n", "",
	     FIXTURES "broken.yaml:6:19: YAML syntax error: mapping values are not allowed in "
		      "this context"},
	    {"structure.yaml", "good.example|Gemeente Voorbeeld|gemeente|6\n", "",
	     FIXTURES "structure.yaml:7:9: a domain must be a name, not a list or mapping"},
	};
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		char path[128], err[512];
		struct buf out, msgs;
		unsigned long invalid;
		int rc;

		unit_case("fixture %s", cases[i].file);
		(void)snprintf(path, sizeof(path), FIXTURES "%s", cases[i].file);
		buf_init(&out, 0);
		buf_init(&msgs, 0);
		rc = read_all(path, TARGET_AUTO, &out, &invalid, &msgs, err, sizeof(err));
		CHECK_STR(buf_str(&out), cases[i].want);
		CHECK_STR(buf_str(&msgs), cases[i].msgs);
		CHECK_INT(invalid, count_lines(cases[i].msgs));
		CHECK_INT(rc, cases[i].fatal ? -1 : 0);
		CHECK_STR(err, cases[i].fatal ? cases[i].fatal : "");
		buf_free(&out);
		buf_free(&msgs);
	}

	unit_case("--format overrides the extension");
	{
		char err[512];
		struct buf out, msgs;
		unsigned long invalid;

		buf_init(&out, 0);
		buf_init(&msgs, 0);
		/* orgs.yaml read as text: every line is an invalid name or a comment */
		CHECK_INT(read_all(FIXTURES "orgs.yaml", TARGET_TEXT, &out, &invalid, &msgs, err,
				   sizeof(err)),
			  0);
		CHECK_STR(buf_str(&out), "");
		CHECK_INT(invalid, 11);
		buf_free(&out);
		buf_free(&msgs);
	}
}

/* ---- opening, fatal errors stay, limits ---- */

static void test_open_and_limits(void)
{
	char err[512], path[64];
	struct target_reader *r;
	struct target t;
	struct buf big, out, msgs;
	unsigned long invalid;

	unit_case("open: missing file");
	r = target_open("tests/data/targets/no-such-file.yaml", TARGET_AUTO, err, sizeof(err));
	CHECK(r == NULL);
	CHECK_STR(err, "tests/data/targets/no-such-file.yaml: cannot open: No such file or "
		       "directory");
	unit_case("open: directory");
	r = target_open("tests/data/targets", TARGET_AUTO, err, sizeof(err));
	CHECK(r == NULL);
	CHECK_STR(err, "tests/data/targets: cannot open: Is a directory");
	target_close(NULL);

	unit_case("fatal error is sticky");
	capture_begin();
	r = target_open(FIXTURES "broken.yaml", TARGET_AUTO, err, sizeof(err));
	CHECK(r != NULL);
	if (r) {
		CHECK_INT(target_next(r, &t, err, sizeof(err)), 1);
		CHECK_INT(target_next(r, &t, err, sizeof(err)), -1);
		err[0] = '\0';
		CHECK_INT(target_next(r, &t, err, sizeof(err)), -1);
		CHECK(strstr(err, "broken.yaml:6:19: ") != NULL);
		target_close(r);
	}
	capture_end(NULL);

	unit_case("end is sticky");
	capture_begin();
	r = target_open(FIXTURES "orgs.yaml", TARGET_AUTO, err, sizeof(err));
	CHECK(r != NULL);
	if (r) {
		int n = 0;

		while (target_next(r, &t, err, sizeof(err)) == 1)
			n++;
		CHECK_INT(n, 4);
		CHECK_INT(target_next(r, &t, err, sizeof(err)), 0);
		target_close(r);
	}
	capture_end(NULL);

	/* A line / record over TARGET_RECORD_MAX is one invalid entry; reading
	 * goes on at the next line. */
	buf_init(&big, 0);
	CHECK(buf_addstr(&big, "a.example\n") == 0);
	CHECK(buf_printf(&big, "%0*d", TARGET_RECORD_MAX + 10, 0) == 0);
	memset(big.data + 10, 'x', TARGET_RECORD_MAX + 10);
	CHECK(buf_addstr(&big, ",o,c\nb.example\n") == 0);
	{
		static const enum target_format fmts[] = {TARGET_TEXT, TARGET_CSV};

		for (size_t i = 0; i < UNIT_COUNT(fmts); i++) {
			unit_case("overlong line, format %d", (int)fmts[i]);
			if (write_temp(path, big.data, big.len) < 0)
				continue;
			buf_init(&out, 0);
			buf_init(&msgs, 0);
			CHECK_INT(read_all(path, fmts[i], &out, &invalid, &msgs, err, sizeof(err)),
				  0);
			CHECK_STR(buf_str(&out), "a.example|||1\nb.example|||3\n");
			CHECK_INT(invalid, 1);
			CHECK(strstr(buf_str(&msgs), ":2: 'xxxxxxxx") != NULL);
			CHECK(strstr(buf_str(&msgs), "...': ") != NULL);
			CHECK(strstr(buf_str(&msgs), "longer than 65536 bytes") != NULL);
			buf_free(&out);
			buf_free(&msgs);
			(void)unlink(path);
		}
	}
	buf_free(&big);

	unit_case("NUL byte in a text line");
	if (write_temp(path, "a.exa\0mple\nb.example\n", 21) == 0) {
		buf_init(&out, 0);
		buf_init(&msgs, 0);
		CHECK_INT(read_all(path, TARGET_TEXT, &out, &invalid, &msgs, err, sizeof(err)), 0);
		CHECK_STR(buf_str(&out), "b.example|||2\n");
		CHECK_INT(invalid, 1);
		CHECK(strstr(buf_str(&msgs), ":1: 'a.exa?mple': NUL byte") != NULL);
		buf_free(&out);
		buf_free(&msgs);
		(void)unlink(path);
	}
}

/* ---- YAML: more domains before name+category than can be held ---- */

static void test_yaml_overflow(void)
{
	const unsigned long n = TARGET_PENDING_MAX * 2 + 500;
	unsigned long i, count = 0, bad_line = 0, line_ok = 0, invalid;
	bool built = true;
	char path[64], err[512];
	struct buf yaml, out, msgs;
	const char *s;
	int rc;

	unit_case("yaml overflow");
	buf_init(&yaml, 0);
	CHECK(buf_addstr(&yaml, "organisations:\n  - name: First\n    category: a\n"
				"    domains: [first.example]\n  - domains:\n") == 0);
	/* lines 6 .. 6+n-1; two invalid ones: before and after the overflow */
	for (i = 0; i < n; i++) {
		if (buf_printf(&yaml,
			       i == 100 || i == n - 100 ? "      - bad_%lu..example\n"
							: "      - d%lu.example\n",
			       i) < 0)
			built = false;
	}
	CHECK(built);
	CHECK(buf_addstr(&yaml, "    name: Big\n    category: b\n  - name: Last\n"
				"    domains: [last.example]\n") == 0);
	if (write_temp(path, yaml.data, yaml.len) < 0) {
		buf_free(&yaml);
		return;
	}
	buf_free(&yaml);
	buf_init(&out, 0);
	buf_init(&msgs, 0);
	rc = read_all(path, TARGET_YAML, &out, &invalid, &msgs, err, sizeof(err));
	CHECK_INT(rc, 0);
	CHECK_STR(err, "");
	CHECK_INT(invalid, 2);
	CHECK_INT(count_lines(buf_str(&msgs)), 2); /* each reported once */
	CHECK(strstr(buf_str(&msgs), ":106: 'bad_100..example': empty label") != NULL);
	s = buf_str(&out);
	CHECK(str_iprefix(s, "first.example|First|a|4\nd0.example|Big|b|6\n"));
	for (; *s; s = strchr(s, '\n') + 1) {
		unsigned long num, line;

		count++;
		if (sscanf(s, "d%lu.example|Big|b|%lu", &num, &line) == 2) {
			if (line == num + 6)
				line_ok++;
		} else if (!str_iprefix(s, "first.example|") && !str_iprefix(s, "last.example|")) {
			bad_line++;
		}
	}
	CHECK_INT(count, n - 2 + 2);
	CHECK_INT(line_ok, n - 2);
	CHECK_INT(bad_line, 0);
	CHECK(strstr(buf_str(&out), "\nlast.example|Last||") != NULL);
	buf_free(&out);
	buf_free(&msgs);
	(void)unlink(path);
}

/* ---- memory: a large YAML list is streamed ---- */

static long max_rss_kb(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return -1;
	return ru.ru_maxrss;
}

static void test_yaml_large(void)
{
	const unsigned long n = 200000, per_org = 1000;
	unsigned long i, count = 0, invalid = 0;
	char path[64], err[512];
	struct target_reader *r;
	struct target t;
	long before, after;
	bool written = true;
	FILE *f;
	int fd, rc;

	unit_case("large yaml");
	(void)snprintf(path, sizeof(path), "/tmp/mailscan-targets-XXXXXX");
	fd = mkstemp(path);
	if (!CHECK(fd >= 0))
		return;
	f = fdopen(fd, "w");
	if (!CHECK(f != NULL)) {
		(void)close(fd);
		return;
	}
	written = fputs("organisations:\n", f) >= 0;
	for (i = 0; i < n; i++) {
		if (i % per_org == 0 &&
		    fprintf(f,
			    "  - name: Gemeenschappelijke Regeling Voorbeeld %lu\n"
			    "    category: gemeenschappelijke regeling\n    domains:\n",
			    i / per_org) < 0)
			written = false;
		if (fprintf(
			f, "      - mail-%06lu.een-tamelijk-lange-naam-voor-een-gemeente.example\n",
			i) < 0)
			written = false;
	}
	CHECK(written);
	CHECK(fclose(f) == 0);

	before = max_rss_kb();
	r = target_open(path, TARGET_YAML, err, sizeof(err));
	CHECK(r != NULL);
	if (r) {
		while ((rc = target_next(r, &t, err, sizeof(err))) == 1)
			count++;
		CHECK_INT(rc, 0);
		invalid = target_invalid(r);
		target_close(r);
	}
	after = max_rss_kb();
	CHECK_INT(count, n);
	CHECK_INT(invalid, 0);
	CHECK(before > 0 && after > 0);
	if (!UNDER_ASAN)
		CHECK(after - before < 20 * 1024);
	if (getenv("MAILSCAN_TEST_VERBOSE"))
		(void)printf("targets: %lu YAML domains read, max RSS %ld -> %ld kB (+%ld kB)\n",
			     count, before, after, after - before);
	(void)unlink(path);
}

/* CSV and text are streamed too: 400,000 records (about 30 MB of names)
 * read with less than 20 MB of growth in peak RSS. */
static void test_csv_text_large(void)
{
	static const enum target_format fmts[] = {TARGET_CSV, TARGET_TEXT};
	const unsigned long n = 400000;
	size_t k;

	for (k = 0; k < UNIT_COUNT(fmts); k++) {
		unsigned long i, count = 0;
		char path[64], err[512];
		struct target_reader *r;
		struct target t;
		long before, after;
		bool written = true;
		FILE *f;
		int fd, rc;

		unit_case(fmts[k] == TARGET_CSV ? "large csv" : "large text");
		(void)snprintf(path, sizeof(path), "/tmp/mailscan-targets-XXXXXX");
		fd = mkstemp(path);
		if (!CHECK(fd >= 0))
			return;
		f = fdopen(fd, "w");
		if (!CHECK(f != NULL)) {
			(void)close(fd);
			return;
		}
		if (fmts[k] == TARGET_CSV)
			written = fputs("domain,organisation,category\n", f) >= 0;
		for (i = 0; i < n; i++)
			if ((fmts[k] == TARGET_CSV
				 ? fprintf(f,
					   "mail-%06lu.een-tamelijk-lange-naam-voor-een-gemeente."
					   "example,"
					   "\"Gemeente %lu, afdeling ICT\",gemeente\n",
					   i, i / 100)
				 : fprintf(f,
					   "mail-%06lu.een-tamelijk-lange-naam-voor-een-gemeente."
					   "example"
					   "  # regel %lu\n",
					   i, i)) < 0)
				written = false;
		CHECK(written);
		CHECK(fclose(f) == 0);
		before = max_rss_kb();
		r = target_open(path, fmts[k], err, sizeof(err));
		CHECK(r != NULL);
		if (r) {
			while ((rc = target_next(r, &t, err, sizeof(err))) == 1)
				count++;
			CHECK_INT(rc, 0);
			CHECK_INT(target_invalid(r), 0);
			target_close(r);
		}
		after = max_rss_kb();
		CHECK_INT(count, n);
		CHECK(before > 0 && after > 0);
		if (!UNDER_ASAN)
			CHECK(after - before < 20 * 1024);
		(void)unlink(path);
	}
}

/* ---- the real data: Open State Foundation's list of government domains ---- */

static void test_real_data(void)
{
	char err[512];
	struct target_reader *r;
	struct target t;
	unsigned long valid = 0;
	int rc;

	unit_case("real data %s", REAL_DATA);
	capture_begin();
	r = target_open(REAL_DATA, TARGET_AUTO, err, sizeof(err));
	if (!CHECK(r != NULL)) { /* absent data is a failure, not a skip */
		capture_end(NULL);
		(void)printf("  %s\n", err);
		return;
	}
	while ((rc = target_next(r, &t, err, sizeof(err))) == 1) {
		if (valid++ == 0) {
			CHECK_STR(t.domain, "2017.jaarverslaghogeraad.nl");
			CHECK_STR(t.organisation, "Ministerie van Justitie en Veiligheid");
			CHECK_STR(t.category, "Rijksoverheid");
			CHECK_INT(t.line, 2);
		}
		if (t.line == 2462) { /* the last one */
			CHECK_STR(t.domain, "zuidelijkerekenkamer.nl");
			CHECK_STR(t.organisation, "Gemeenschappelijke Regelingen");
		}
		if (strcmp(t.domain, "aanmelden.brba.nl") == 0) /* a quoted agency with commas */
			CHECK_STR(t.organisation,
				  "Ministerie van Volksgezondheid, Welzijn en Sport");
		if (t.line == 21) /* UTF-8 in an agency name */
			CHECK_STR(t.organisation, "Ministerie van Financi\xc3\xabn");
	}
	CHECK_INT(rc, 0);
	CHECK_INT(valid + target_invalid(r), 2461);
	CHECK_INT(target_invalid(r), 0);
	target_close(r);
	capture_end(NULL);
}

/* ---- the shipped example: valid, and every domain is a lab domain ---- */

static void test_example_yaml(void)
{
	char err[512], line[512];
	struct buf out, lab;
	unsigned long invalid, count = 0, missing = 0;
	const char *s;
	FILE *f;

	unit_case("targets/example.yaml");
	buf_init(&out, 0);
	buf_init(&lab, 0);
	CHECK_INT(
	    read_all("targets/example.yaml", TARGET_AUTO, &out, &invalid, NULL, err, sizeof(err)),
	    0);
	CHECK_INT(invalid, 0);
	f = fopen("tests/lab/scenarios.tsv", "r");
	if (CHECK(f != NULL)) {
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\t\n")] = '\0';
			CHECK(buf_printf(&lab, "\n%s|", line) == 0);
		}
		(void)fclose(f);
	}
	for (s = buf_str(&out); *s; s = strchr(s, '\n') + 1) {
		char needle[300];
		size_t len = strcspn(s, "|");

		count++;
		(void)snprintf(needle, sizeof(needle), "\n%.*s|", (int)len, s);
		if (!strstr(buf_str(&lab), needle)) {
			missing++;
			(void)printf("  not a lab domain: %s\n", needle + 1);
		}
		CHECK(strstr(s, "||") == NULL); /* organisation and category given */
	}
	CHECK(count >= 20);
	CHECK_INT(missing, 0);
	buf_free(&out);
	buf_free(&lab);
}

/* ---- the shipped real-world example: every domain is in the real data ---- */

#define NL_GOVERNMENT "targets/nl-government.yaml"

/*
 * targets/nl-government.yaml is valid (no invalid entry), every organisation
 * in it has a name and a category, and every domain it lists is one of the
 * Forum Standaardisatie list (REAL_DATA, read through the CSV loader, so both
 * sides are normalised alike). Without REAL_DATA the test fails: the claim in
 * the file's header cannot be checked then.
 */
void test_targets_nl_government(void)
{
	char err[512];
	struct buf yaml, known, orgs;
	struct target_reader *r;
	struct target t;
	unsigned long invalid = 0, count = 0, missing = 0, norg = 0;
	const char *s;
	int rc;

	buf_init(&yaml, 0);
	buf_init(&known, 0);
	buf_init(&orgs, 0);
	unit_case("%s", NL_GOVERNMENT);
	CHECK_INT(read_all(NL_GOVERNMENT, TARGET_AUTO, &yaml, &invalid, NULL, err, sizeof(err)), 0);
	CHECK_INT(invalid, 0);

	unit_case("%s", REAL_DATA);
	capture_begin();
	r = target_open(REAL_DATA, TARGET_AUTO, err, sizeof(err));
	capture_end(NULL);
	if (!CHECK(r != NULL)) { /* absent data is a failure, not a skip */
		(void)printf("  cannot check %s without the real data beside the repository: %s\n",
			     NL_GOVERNMENT, err);
		goto out;
	}
	CHECK(buf_add(&known, "\n", 1) == 0);
	capture_begin();
	while ((rc = target_next(r, &t, err, sizeof(err))) == 1)
		CHECK(buf_printf(&known, "%s\n", t.domain) == 0);
	capture_end(NULL);
	CHECK_INT(rc, 0);
	target_close(r);

	unit_case("%s against %s", NL_GOVERNMENT, REAL_DATA);
	/* "domain|organisation|category|line\n" per entry */
	for (s = buf_str(&yaml); *s; s = strchr(s, '\n') + 1) {
		char domain[300], org[1100], cat[1100], needle[1110];
		size_t dl = strcspn(s, "|"), ol, cl;
		const char *o = s + dl + 1, *c;

		count++;
		ol = strcspn(o, "|");
		c = o + ol + 1;
		cl = strcspn(c, "|");
		(void)snprintf(domain, sizeof(domain), "%.*s", (int)dl, s);
		(void)snprintf(org, sizeof(org), "%.*s", (int)ol, o);
		(void)snprintf(cat, sizeof(cat), "%.*s", (int)cl, c);
		if (!CHECK(org[0] != '\0' && cat[0] != '\0'))
			(void)printf("  %s: organisation '%s', category '%s'\n", domain, org, cat);
		(void)snprintf(needle, sizeof(needle), "\n%s\n", domain);
		if (!strstr(buf_str(&known), needle)) {
			missing++;
			(void)printf("  %s (%s) is not in %s\n", domain, org, REAL_DATA);
		}
		(void)snprintf(needle, sizeof(needle), "\n%s|", org);
		if (!strstr(buf_str(&orgs), needle)) {
			norg++;
			CHECK(buf_printf(&orgs, "\n%s|", org) == 0);
		}
	}
	CHECK(count >= 20);
	CHECK(norg >= 10);
	CHECK_INT(missing, 0);
out:
	buf_free(&yaml);
	buf_free(&known);
	buf_free(&orgs);
}

/* ---- tags (report --group-by) ---- */

static void tags_collect(const char *org, const struct target_tag *tags, size_t n,
			 unsigned long line, void *arg)
{
	struct buf *b = arg;
	size_t i;

	CHECK(buf_printf(b, "%s@%lu:", org, line) == 0);
	for (i = 0; i < n; i++)
		CHECK(buf_printf(b, " %s=%s", tags[i].key, tags[i].value) == 0);
	CHECK(buf_addch(b, '\n') == 0);
}

struct tag_case {
	const char *name;
	enum target_format fmt;
	const char *content;
	const char *want; /* targets "domain|org", one a line */
	const char *tags; /* what tags_collect wrote */
	unsigned long invalid;
	const char *msgs;  /* substring of stderr; NULL: nothing (or only invalid lines) */
	const char *fatal; /* substring of the fatal error; NULL: none */
};

#define LONG_VALUE                                                                                 \
	"vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv" \
	"vvv"                                                                                      \
	"vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv" \
	"vvv"                                                                                      \
	"vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv" /* 257 */

static const struct tag_case tag_cases[] = {
    {"yaml flow tags", TARGET_YAML,
     "organisations:\n  - name: A\n    tags: {ministerie: BZK, provincie: Utrecht}\n"
     "    domains: [a.example]\n",
     "a.example|A\n", "A@3: ministerie=BZK provincie=Utrecht\n", 0, NULL, NULL},
    {"yaml block tags after domains", TARGET_YAML,
     "organisations:\n  - name: A\n    domains: [a.example]\n    tags:\n"
     "      ministerie: \"BZK\"\n      provincie: 'Fryslân'\n  - name: B\n"
     "    domains: [b.example]\n",
     "a.example|A\nb.example|B\n", "A@4: ministerie=BZK provincie=Fryslân\n", 0, NULL, NULL},
    {"yaml tags before name", TARGET_YAML,
     "organisations:\n  - tags: {x: 1}\n    domains: [a.example]\n    name: A\n", "a.example|A\n",
     "A@2: x=1\n", 0, NULL, NULL},
    {"yaml empty and null tag values", TARGET_YAML,
     "organisations:\n  - name: A\n    tags: {a: , b: ~, c: '', d: D}\n  - name: B\n"
     "    tags:\n  - name: C\n    tags: {}\n",
     "", "A@3: d=D\n", 0, NULL, NULL},
    {"yaml key charset", TARGET_YAML, "organisations:\n  - name: A\n    tags: {Org.Type_2-x: v}\n",
     "", "A@3: Org.Type_2-x=v\n", 0, NULL, NULL},
    {"yaml tags without name", TARGET_YAML,
     "organisations:\n  - tags: {x: y}\n    domains: [a.example]\n", "a.example|\n", "", 0,
     ":2: warning: tags of an organisation without a name are ignored", NULL},
    {"yaml tags a list", TARGET_YAML, "organisations:\n  - name: A\n    tags: [a, b]\n", "", "", 0,
     NULL, ":3:11: 'tags' must be a mapping"},
    {"yaml tags scalar", TARGET_YAML, "organisations:\n  - name: A\n    tags: BZK\n", "", "", 0,
     NULL, ":3:11: 'tags' must be a mapping"},
    {"yaml tag value a list", TARGET_YAML, "organisations:\n  - name: A\n    tags: {a: [1]}\n", "",
     "", 0, NULL, ":3:15: tag 'a': the value must be text"},
    {"yaml tag key a mapping", TARGET_YAML, "organisations:\n  - name: A\n    tags: {{a: b}: c}\n",
     "", "", 0, NULL, ":3:12: a tag key must be text"},
    {"yaml tag key with space", TARGET_YAML,
     "organisations:\n  - name: A\n    tags: {\"a b\": c}\n", "", "", 0, NULL,
     ":3:12: tag 'a b': a tag key holds only"},
    {"yaml tag key markup", TARGET_YAML,
     "organisations:\n  - name: A\n    tags: {\"<script>\": c}\n", "", "", 0, NULL,
     "tag '<script>': a tag key holds only"},
    {"yaml tag key control byte shown safely", TARGET_YAML,
     "organisations:\n  - name: A\n    tags: {\"a\\x1bb\": c}\n", "", "", 0, NULL,
     "tag 'a?b': a tag key holds only"},
    {"yaml tag key too long", TARGET_YAML,
     "organisations:\n  - name: A\n    tags: "
     "{kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: v}\n",
     "", "", 0, NULL, "tag key longer than 64 bytes"},
    {"yaml tag key empty", TARGET_YAML, "organisations:\n  - name: A\n    tags: {'': v}\n", "", "",
     0, NULL, "empty tag key"},
    {"yaml tag key twice", TARGET_YAML, "organisations:\n  - name: A\n    tags: {a: 1, a: 2}\n", "",
     "", 0, NULL, ":3:18: tag 'a': given twice"},
    {"yaml tags twice", TARGET_YAML,
     "organisations:\n  - name: A\n    tags: {a: 1}\n    tags: {b: 2}\n", "", "", 0, NULL,
     ":4:5: 'tags' given twice"},
    {"yaml tag value LF", TARGET_YAML, "organisations:\n  - name: A\n    tags: {a: \"x\\ny\"}\n",
     "", "", 0, NULL, ":3:15: tag 'a': control character"},
    {"yaml tag value CR", TARGET_YAML, "organisations:\n  - name: A\n    tags: {a: \"x\\ry\"}\n",
     "", "", 0, NULL, "tag 'a': control character"},
    {"yaml tag value tab", TARGET_YAML, "organisations:\n  - name: A\n    tags: {a: \"x\\ty\"}\n",
     "", "", 0, NULL, "tag 'a': control character"},
    {"yaml tag value NUL", TARGET_YAML, "organisations:\n  - name: A\n    tags: {a: \"x\\0y\"}\n",
     "", "", 0, NULL, "tag 'a': NUL byte in a tag value"},
    {"yaml tag value C1", TARGET_YAML,
     "organisations:\n  - name: A\n    tags: {a: \"x\\u0085y\"}\n", "", "", 0, NULL,
     "tag 'a': control character"},
    {"yaml tag value bidi override", TARGET_YAML,
     "organisations:\n  - name: A\n    tags: {a: \"x\\u202Ey\"}\n", "", "", 0, NULL,
     "tag 'a': control character (or bidirectional override)"},
    {"yaml tag value too long", TARGET_YAML,
     "organisations:\n  - name: A\n    tags: {a: " LONG_VALUE "}\n", "", "", 0, NULL,
     "tag 'a': tag value longer than 256 bytes"},
    {"yaml tag value markup kept", TARGET_YAML,
     "organisations:\n  - name: A\n    tags: {a: \"<b>&amp;'\\\"|#\"}\n", "",
     "A@3: a=<b>&amp;'\"|#\n", 0, NULL, NULL},
    {"yaml tag alias", TARGET_YAML, "organisations:\n  - name: &n A\n    tags: {a: *n}\n", "", "",
     0, NULL, ":3:15: YAML aliases"},
    {"yaml 33 tags", TARGET_YAML,
     "organisations:\n  - name: A\n    tags: {a1: 1, a2: 1, a3: 1, a4: 1, a5: 1, a6: 1, a7: 1,"
     " a8: 1, a9: 1, a10: 1, a11: 1, a12: 1, a13: 1, a14: 1, a15: 1, a16: 1, a17: 1, a18: 1,"
     " a19: 1, a20: 1, a21: 1, a22: 1, a23: 1, a24: 1, a25: 1, a26: 1, a27: 1, a28: 1, a29: 1,"
     " a30: 1, a31: 1, a32: 1, a33: 1}\n",
     "", "", 0, NULL, "tag 'a33': more than 32 tags"},
    {"csv tag columns", TARGET_CSV,
     "domain,organisation,Tag:ministerie,tag: provincie\na.example,A,BZK,Utrecht\n"
     "b.example,B,,\nc.example,,X,\nd.example,A,\"BZK\",\n",
     "a.example|A\nb.example|B\nc.example|\nd.example|A\n",
     "A@2: ministerie=BZK provincie=Utrecht\nA@5: ministerie=BZK\n", 0,
     ":4: warning: tags of an organisation without a name are ignored", NULL},
    {"csv tag value control byte: record invalid", TARGET_CSV,
     "domain,organisation,tag:m\na.example,A,\"x\ny\"\nb.example,B,ok\n", "b.example|B\n",
     "B@4: m=ok\n", 1, "'a.example': tag 'm': control character", NULL},
    {"csv tag value too long: record invalid", TARGET_CSV,
     "domain,organisation,tag:m\na.example,A," LONG_VALUE "\n", "", "", 1,
     "tag 'm': tag value longer than 256 bytes", NULL},
    {"csv bad tag key", TARGET_CSV, "domain,organisation,tag:a b\na.example,A,x\n", "", "", 0, NULL,
     ":1: CSV header column 'tag:a b': a tag key holds only"},
    {"csv tag key twice", TARGET_CSV, "domain,tag:a,tag:a\na.example,x,y\n", "", "", 0, NULL,
     ":1: CSV header column 'tag:a': the tag is named twice"},
    {"csv empty tag key", TARGET_CSV, "domain,tag:\na.example,x\n", "", "", 0, NULL,
     "empty tag key"},
    {"csv tag columns alone are no domain column", TARGET_CSV, "tag:a,organisation\nx,y\n", "", "",
     0, NULL, ":1: the CSV header names no domain column"},
    {"text has no tags", TARGET_TEXT, "tag:a.example\na.example\n", "a.example|\n", "", 1, NULL,
     NULL},
};

static void test_tags(void)
{
	size_t i;

	for (i = 0; i < UNIT_COUNT(tag_cases); i++) {
		const struct tag_case *c = &tag_cases[i];
		struct target_reader *r;
		struct target t;
		char path[64], err[512];
		struct buf out, tags, msgs;
		int rc = -2;

		unit_case("tags: %s", c->name);
		if (write_temp(path, c->content, 0) < 0)
			continue;
		buf_init(&out, 0);
		buf_init(&tags, 0);
		buf_init(&msgs, 0);
		err[0] = '\0';
		capture_begin();
		r = target_open(path, c->fmt, err, sizeof(err));
		if (r) {
			target_on_tags(r, tags_collect, &tags);
			while ((rc = target_next(r, &t, err, sizeof(err))) == 1)
				CHECK(buf_printf(&out, "%s|%s\n", t.domain, t.organisation) == 0);
			CHECK_INT(target_invalid(r), c->invalid);
			target_close(r);
		}
		capture_end(&msgs);
		CHECK_STR(buf_str(&out), c->want);
		CHECK_STR(buf_str(&tags), c->tags);
		if (c->msgs)
			CHECK_STR(strstr(buf_str(&msgs), c->msgs) ? c->msgs : buf_str(&msgs),
				  c->msgs);
		else if (!c->invalid)
			CHECK_STR(buf_str(&msgs), "");
		if (c->fatal) {
			CHECK_INT(rc, -1);
			CHECK(str_iprefix(err, path));
			CHECK_STR(strstr(err, c->fatal) ? c->fatal : err, c->fatal);
		} else {
			CHECK_INT(rc, 0);
			CHECK_STR(err, "");
		}
		buf_free(&out);
		buf_free(&tags);
		buf_free(&msgs);
		(void)unlink(path);
	}

	/* An organisation read twice (more domains before its name than are
	 * held): its tags are handed out once, after the second reading. */
	unit_case("tags: yaml overflow and replay");
	{
		struct buf yaml, tags, msgs;
		struct target_reader *r;
		struct target t;
		char path[64], err[512];
		unsigned long k, n = 0;
		int rc = -2;

		buf_init(&yaml, 0);
		buf_init(&tags, 0);
		buf_init(&msgs, 0);
		CHECK(buf_addstr(&yaml, "organisations:\n  - tags: {a: 1}\n    domains:\n") == 0);
		for (k = 0; k <= TARGET_PENDING_MAX; k++)
			CHECK(buf_printf(&yaml, "      - d%lu.example\n", k) == 0);
		CHECK(buf_addstr(&yaml, "    tags: {b: 2}\n    name: Big\n") == 0);
		if (write_temp(path, yaml.data, yaml.len) == 0) {
			capture_begin();
			r = target_open(path, TARGET_YAML, err, sizeof(err));
			if (r) {
				target_on_tags(r, tags_collect, &tags);
				while ((rc = target_next(r, &t, err, sizeof(err))) == 1)
					n++;
				target_close(r);
			}
			capture_end(&msgs);
			/* `tags` twice is refused, in the first reading already */
			CHECK_INT(rc, -1);
			CHECK(strstr(err, "'tags' given twice") != NULL);
			CHECK_STR(buf_str(&tags), "");
			(void)unlink(path);
		}
		buf_reset(&yaml);
		CHECK(buf_addstr(&yaml, "organisations:\n  - tags: {a: 1, b: 2}\n    domains:\n") ==
		      0);
		for (k = 0; k <= TARGET_PENDING_MAX; k++)
			CHECK(buf_printf(&yaml, "      - d%lu.example\n", k) == 0);
		CHECK(buf_addstr(&yaml, "    name: Big\n") == 0);
		n = 0;
		if (write_temp(path, yaml.data, yaml.len) == 0) {
			capture_begin();
			r = target_open(path, TARGET_YAML, err, sizeof(err));
			if (r) {
				target_on_tags(r, tags_collect, &tags);
				while ((rc = target_next(r, &t, err, sizeof(err))) == 1)
					n++;
				target_close(r);
			}
			capture_end(&msgs);
			CHECK_INT(rc, 0);
			CHECK_INT(n, TARGET_PENDING_MAX + 1);
			CHECK_STR(buf_str(&tags), "Big@2: a=1 b=2\n");
			(void)unlink(path);
		}
		buf_free(&yaml);
		buf_free(&tags);
		buf_free(&msgs);
	}

	unit_case("tags: key and value checks");
	CHECK(target_tag_key_check("ministerie", 10) == NULL);
	CHECK(target_tag_key_check("a/b", 3) != NULL);
	CHECK(target_tag_key_check("", 0) != NULL);
	CHECK(target_tag_value_check("Fryslân", strlen("Fryslân")) == NULL);
	CHECK(target_tag_value_check("<a href=x>", 10) == NULL); /* escaped by the renderers */
	CHECK(target_tag_value_check("\xff", 1) != NULL);
	CHECK(target_tag_value_check("a\x7f", 2) != NULL);
	CHECK(target_tag_value_check("a\x00", 2) != NULL);
}

void test_targets(void)
{
	test_yaml_large(); /* first: a low high-water mark of memory */
	test_csv_text_large();
	test_normalise();
	test_list_cases();
	test_fixtures();
	test_open_and_limits();
	test_yaml_overflow();
	test_real_data();
	test_example_yaml();
	test_tags();
}
