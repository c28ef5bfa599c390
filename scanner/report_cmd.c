/*
 * report_cmd.c - `mailscan report`: the "pas toe of leg uit" compliance
 * report of a stored run (SPEC §7) in HTML, Markdown, CSV or JSON. The
 * evaluation is reports/report.c, each format one renderer. --group-by
 * TAG writes the report once per value of an organisation tag (the slices
 * are reports/group.c; the files and the one JSON document are made here);
 * --changes-only swaps each renderer for its exception report and exits 1
 * when something regressed, as `diff` does.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/json.h"
#include "../base/log.h"
#include "../base/str.h"
#include "../db/db.h"
#include "../reports/report.h"
#include "../targets/targets.h"
#include "cli.h"
#include "cmds.h"

static const char usage_report[] =
    "usage: mailscan report --db FILE [--run ID] [--format html|md|csv|json]\n"
    "                       [--lang nl|en] [--explanations FILE] [-o FILE]\n"
    "                       [--group-by TAG] [--changes-only]\n"
    "\n"
    "The compliance report of a stored run (default: the newest finished one):\n"
    "per standard voldoet / voldoet niet / uitgelegd / n.v.t. / niet getest for\n"
    "every domain and organisation, adoption per category and overall, the trend\n"
    "over all runs, changes since the previous run, the mail providers domains\n"
    "depend on, and the evidence and advice per domain.\n"
    "\n"
    "Options:\n"
    "  --db FILE              the database written by scan (required)\n"
    "  --run ID               the run to report on\n"
    "  --format FORMAT        html (default: one self-contained file), md, csv, json\n"
    "  --lang LANG            nl (default) or en\n"
    "  --explanations FILE    recorded explanations (YAML; see the README): a failing\n"
    "                         domain with a valid one is uitgelegd (explained)\n"
    "  -o, --output FILE      write there (default: standard output): a new or\n"
    "                         regular file, replaced whole when the report is done\n"
    "                         (devices, pipes and symbolic links are refused)\n"
    "  --group-by TAG         the same report once per value of the organisations'\n"
    "                         tag TAG (from the target list), each restricted to the\n"
    "                         domains of the organisations with that value, then one\n"
    "                         for those without it. html, md, csv with -o FILE.EXT:\n"
    "                         one file per value, FILE-VALUE.EXT (VALUE made safe:\n"
    "                         a-z, 0-9 and '-'; -o DIR/: DIR/VALUE.EXT); the files\n"
    "                         written are listed on standard output, one\n"
    "                         \"FILE<TAB>VALUE\" line each. md without -o: the\n"
    "                         reports one after the other. json: one document,\n"
    "                         {\"group_by\": TAG, \"groups\": [{\"value\": V or null,\n"
    "                         \"report\": {...}}, ...]}\n"
    "  --changes-only         only what changed since the previous finished run:\n"
    "                         per domain and standard that improved or regressed the\n"
    "                         status before and now, and the reason codes now (for a\n"
    "                         mail); \"no changes since run N\" when nothing did\n"
    "  -v, -q, -h             more / less logging, this text\n"
    "\n"
    "Exit status: 0 written; 1 (--changes-only) written, and some domain regressed\n"
    "(like `mailscan diff`); 2 usage error, unknown run, a bad explanations file, an\n"
    "-o that is not a regular file, or a --group-by TAG no organisation of the run\n"
    "has; 3 the database could not be read or the output not written.\n";

struct report_opts {
	const char *db, *explanations, *output;
	const char *group_by; /* a tag key, NULL: the whole run */
	const struct report_ops *ops;
	enum rep_lang lang;
	long long run;
	bool changes_only, quiet;
};

static int report_parse(int argc, char **argv, struct report_opts *o)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"run", required_argument, NULL, 'r'},
	    {"format", required_argument, NULL, 'f'},
	    {"lang", required_argument, NULL, 'l'},
	    {"explanations", required_argument, NULL, 'e'},
	    {"output", required_argument, NULL, 'o'},
	    {"group-by", required_argument, NULL, 'g'},
	    {"changes-only", no_argument, NULL, 'c'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	unsigned run;
	int c, verbose = 0;

	memset(o, 0, sizeof(*o));
	o->ops = &report_html;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:vqh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->db = optarg;
			break;
		case 'r':
			if (cli_parse_uint("--run", optarg, 1, 2000000000, &run) < 0)
				return -1;
			o->run = run;
			break;
		case 'f':
			o->ops = report_find(optarg);
			if (!o->ops) {
				(void)fprintf(
				    stderr,
				    "mailscan: --format: '%s' is not html, md, csv or json\n",
				    optarg);
				return -1;
			}
			break;
		case 'l':
			if (strcmp(optarg, "nl") != 0 && strcmp(optarg, "en") != 0) {
				(void)fprintf(stderr, "mailscan: --lang: '%s' is not nl or en\n",
					      optarg);
				return -1;
			}
			o->lang = strcmp(optarg, "en") == 0 ? REP_EN : REP_NL;
			break;
		case 'e':
			o->explanations = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'g': {
			const char *why = target_tag_key_check(optarg, strlen(optarg));
			char shown[80];

			if (why) {
				(void)fprintf(stderr, "mailscan: --group-by '%s': %s\n",
					      str_show(shown, sizeof(shown), optarg), why);
				return -1;
			}
			o->group_by = optarg;
			break;
		}
		case 'c':
			o->changes_only = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'q':
			verbose = -1;
			break;
		case 'h':
			(void)fputs(usage_report, stdout);
			return 1;
		default:
			(void)fputs(usage_report, stderr);
			return -1;
		}
	}
	log_set_level(verbose < 0 ? LOG_ERR : verbose == 0 ? LOG_WARN : LOG_INFO);
	o->quiet = verbose < 0;
	if (o->changes_only)
		o->ops = report_changes_ops(o->ops);
	if (!o->db || optind != argc) {
		(void)fputs(!o->db ? "mailscan: report: --db FILE is required\n"
				   : "mailscan: report: unexpected argument\n",
			    stderr);
		(void)fputs(usage_report, stderr);
		return -1;
	}
	return 0;
}

/* What a path is, for the message that refuses it. */
static const char *report_kind(mode_t mode)
{
	return S_ISLNK(mode)    ? "a symbolic link"
	       : S_ISCHR(mode)  ? "a character device"
	       : S_ISBLK(mode)  ? "a block device"
	       : S_ISFIFO(mode) ? "a named pipe"
	       : S_ISSOCK(mode) ? "a socket"
	       : S_ISDIR(mode)  ? "a directory"
				: "not a regular file";
}

/*
 * -o PATH must be a regular file or not exist: 0, or -1 after saying why.
 * The report is written to a temporary file and renamed over PATH, so that
 * a half-written report never replaces a good one; renamed over a device
 * node, that turned /dev/null into a regular file (as root: for everyone).
 * Writing through a device, pipe or symbolic link instead would give up the
 * atomic replacement and, for a link planted in a shared directory, let
 * whoever planted it choose the file written; standard output (no -o)
 * serves devices and pipes.
 */
static int report_output_ok(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		(void)fprintf(stderr, "mailscan: %s: cannot write: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISREG(st.st_mode))
		return 0;
	(void)fprintf(stderr,
		      "mailscan: -o %s: %s; -o writes regular files only (without -o the report "
		      "goes to standard output)\n",
		      path, report_kind(st.st_mode));
	return -1;
}

/* What writes a whole output to f: 0, or -1 (a write error, or a failure
 * already reported). */
typedef int (*report_emit_fn)(void *arg, FILE *f);

/* Write through emit to path (NULL: standard output): to a new temporary
 * file beside it (O_EXCL, by mkstemp: a file or link already there under
 * that name is never followed), then renamed over it: a half-written
 * report never replaces a good one. */
static int report_write_with(const char *path, report_emit_fn emit, void *arg)
{
	char tmp[4096];
	mode_t mask;
	FILE *f;
	int rc, fd;

	if (!path) {
		rc = emit(arg, stdout);
		return rc == 0 && fflush(stdout) == 0 ? 0 : -1;
	}
	if (report_output_ok(path) < 0)
		return -1;
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -1;
	fd = mkstemp(tmp);
	if (fd < 0) {
		(void)fprintf(stderr, "mailscan: %s: cannot write: %s\n", tmp, strerror(errno));
		return -1;
	}
	/* mkstemp makes it 0600; a report is as readable as any new file */
	mask = umask(0);
	(void)umask(mask);
	f = fchmod(fd, 0666 & ~mask) == 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		(void)fprintf(stderr, "mailscan: %s: cannot write: %s\n", tmp, strerror(errno));
		(void)close(fd);
		(void)unlink(tmp);
		return -1;
	}
	rc = emit(arg, f);
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0) {
		(void)fprintf(stderr, "mailscan: %s: cannot write the report\n", path);
		(void)unlink(tmp);
	}
	return rc;
}

/* One built report through one renderer. */
struct report_one {
	const struct report *r;
	const struct report_ops *ops;
};

static int report_emit_one(void *arg, FILE *f)
{
	const struct report_one *one = arg;

	return one->ops->render(one->r, f);
}

static int report_write(const struct report *r, const struct report_opts *o)
{
	struct report_one one = {r, o->ops};

	return report_write_with(o->output, report_emit_one, &one);
}

/* Did some domain regress since the previous run? */
static bool report_regressed(const struct report *r)
{
	size_t i;

	for (i = 0; i < r->nchanges; i++)
		if (!r->changes[i].improved)
			return true;
	return false;
}

/* ---- --group-by ---- */

/* --group-by writes one file per value: html, md and csv with -o. */
static bool report_group_files(const struct report_opts *o)
{
	return o->group_by && o->output && strcmp(o->ops->name, "json") != 0;
}

/* -o names a directory: "DIR/" or an existing directory. */
static bool report_output_dir(const char *path)
{
	struct stat st;
	size_t len = strlen(path);

	return (len && path[len - 1] == '/') || (stat(path, &st) == 0 && S_ISDIR(st.st_mode));
}

/* The combinations --group-by refuses: 0, or EXIT_USAGE after saying why. */
static int report_group_usage(const struct report_opts *o)
{
	const char *fmt = o->ops->name;

	if (!o->group_by)
		return 0;
	if (!o->output && (strcmp(fmt, "html") == 0 || strcmp(fmt, "csv") == 0)) {
		(void)fprintf(stderr,
			      "mailscan: report: --group-by with --format %s writes one file per "
			      "value: give -o FILE.%s (or -o DIR/)\n",
			      fmt, fmt);
		return EXIT_USAGE;
	}
	if (o->output && strcmp(fmt, "json") == 0 && report_output_dir(o->output)) {
		(void)fprintf(stderr, "mailscan: report: --group-by with --format json writes one "
				      "document: give -o FILE.json\n");
		return EXIT_USAGE;
	}
	return 0;
}

/* A value as part of a file name: ASCII letters (lower case) and digits,
 * the Latin-1 letters with their accent dropped ("Fryslân" -> "fryslan"),
 * every other run of bytes one '-', none at either end, at most 60 bytes;
 * "x" when nothing is left. */
static void report_slug(char *out, size_t outlen, const char *value)
{
	/* U+00C0..U+00FF without accent; '-' for the signs among them */
	static const char latin1[] = "aaaaaaaceeeeiiiidnooooo-ouuuuyts"
				     "aaaaaaaceeeeiiiidnooooo-ouuuuyty";
	size_t n = 0;
	bool dash = false;

	for (; *value && n + 2 < outlen && n < 60; value++) {
		char c = *value;

		if ((unsigned char)c == 0xc3 && (unsigned char)value[1] >= 0x80 &&
		    (unsigned char)value[1] <= 0xbf) {
			c = latin1[(unsigned char)value[1] - 0x80];
			value++;
		}

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash && n)
				out[n++] = '-';
			dash = false;
			out[n++] = c;
		} else {
			dash = true;
		}
	}
	if (!n)
		out[n++] = 'x';
	out[n] = '\0';
}

/* The file of group i: FILE-SLUG.EXT or DIR/SLUG.EXT, the slug made unique
 * among the groups before it (-2, -3, ...). 0, or -1 when too long. */
static int report_group_path(char *out, size_t outlen, const struct report_opts *o,
			     const struct rep_filter *g, size_t i, char (*slugs)[80])
{
	const char *base = o->output, *slash, *dot;
	char slug[64], label[200];
	size_t k, same;
	int n;

	if (g[i].value)
		report_slug(slug, sizeof(slug), g[i].value);
	else {
		(void)snprintf(label, sizeof(label), "%s %s",
			       o->lang == REP_EN ? "without" : "zonder", g[i].key);
		report_slug(slug, sizeof(slug), label);
	}
	/* the first of slug, slug-2, slug-3, ... no group before it has */
	for (same = 1;; same++) {
		bool taken = false;

		if (same == 1)
			(void)snprintf(slugs[i], sizeof(slugs[i]), "%s", slug);
		else
			(void)snprintf(slugs[i], sizeof(slugs[i]), "%s-%zu", slug, same);
		for (k = 0; k < i && !taken; k++)
			taken = strcmp(slugs[k], slugs[i]) == 0;
		if (!taken)
			break;
	}
	if (report_output_dir(base)) {
		size_t len = strlen(base);

		n = snprintf(out, outlen, "%s%s%s.%s", base, base[len - 1] == '/' ? "" : "/",
			     slugs[i], o->ops->name);
	} else {
		slash = strrchr(base, '/');
		dot = strrchr(slash ? slash + 1 : base, '.');
		if (!dot || dot == (slash ? slash + 1 : base))
			dot = base + strlen(base);
		n = snprintf(out, outlen, "%.*s-%s%s", (int)(dot - base), base, slugs[i], dot);
	}
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* Print a value for the list of files: control bytes as '?'. */
static void report_print_value(const char *v)
{
	for (; *v; v++)
		(void)putchar((unsigned char)*v < 0x20 || *v == 0x7f ? '?' : *v);
}

struct report_groups_ctx {
	const struct report *whole;
	struct db *db;
	const struct report_opts *o;
	struct rep_filter *g;
	size_t n;
	bool regressed;
	int failed; /* EXIT_USAGE or EXIT_RUN after a build failed */
};

/* Build the report of group i into *r; 0, or -1 after saying why. */
static int report_group_build(struct report_groups_ctx *c, size_t i, struct report *r)
{
	char err[1024];
	bool usage = false;

	if (report_build_filtered(r, c->db, c->whole->run.id, c->o->explanations, c->o->lang,
				  &c->g[i], &usage, err, sizeof(err)) < 0) {
		(void)fprintf(stderr, "mailscan: %s: %s\n", c->o->db, err);
		report_free(r);
		c->failed = usage ? EXIT_USAGE : EXIT_RUN;
		return -1;
	}
	c->regressed = c->regressed || report_regressed(r);
	return 0;
}

/* json: one document with every group; md on standard output: one report
 * after the other. */
static int report_emit_groups(void *arg, FILE *f)
{
	struct report_groups_ctx *c = arg;
	bool json = strcmp(c->o->ops->name, "json") == 0;
	struct buf key;
	size_t i;
	int rc = 0;

	buf_init(&key, 0);
	if (json) {
		rc = json_escape(&key, c->o->group_by, strlen(c->o->group_by));
		if (rc == 0 && fprintf(f, "{\"group_by\": %s, \"groups\": [", buf_str(&key)) < 0)
			rc = -1;
	}
	for (i = 0; i < c->n && rc == 0; i++) {
		struct report r;

		if (report_group_build(c, i, &r) < 0) {
			rc = -1;
			break;
		}
		if (json) {
			buf_reset(&key);
			if (c->g[i].value &&
			    json_escape(&key, c->g[i].value, strlen(c->g[i].value)) < 0)
				rc = -1;
			else if (fprintf(f, "%s{\"value\": %s, \"report\": ", i ? ", " : "",
					 c->g[i].value ? buf_str(&key) : "null") < 0)
				rc = -1;
		} else if (i && fputs("\n---\n\n", f) < 0) {
			rc = -1;
		}
		if (rc == 0)
			rc = c->o->ops->render(&r, f);
		if (rc == 0 && json && fputs("}", f) < 0)
			rc = -1;
		report_free(&r);
	}
	if (rc == 0 && json && fputs("]}\n", f) < 0)
		rc = -1;
	buf_free(&key);
	return rc;
}

/* html, md, csv with -o: one file per group, listed on standard output. */
static int report_group_files_write(struct report_groups_ctx *c)
{
	char path[4096], (*slugs)[80] = calloc(c->n, sizeof(*slugs));
	size_t i;
	int rc = 0;

	if (!slugs)
		return -1;
	/* -o DIR/ that does not exist yet: made (one level, like mkdir) */
	if (c->o->output[strlen(c->o->output) - 1] == '/' && mkdir(c->o->output, 0777) < 0 &&
	    errno != EEXIST) {
		(void)fprintf(stderr, "mailscan: -o %s: cannot make the directory: %s\n",
			      c->o->output, strerror(errno));
		free(slugs);
		return -1;
	}
	for (i = 0; i < c->n && rc == 0; i++) {
		struct report r;
		struct report_one one = {&r, c->o->ops};

		if (report_group_path(path, sizeof(path), c->o, c->g, i, slugs) < 0) {
			(void)fprintf(stderr, "mailscan: -o %s: file name too long\n",
				      c->o->output);
			c->failed = EXIT_USAGE;
			rc = -1;
			break;
		}
		if (report_group_build(c, i, &r) < 0) {
			rc = -1;
			break;
		}
		rc = report_write_with(path, report_emit_one, &one);
		report_free(&r);
		if (rc == 0 && !c->o->quiet) {
			(void)fputs(path, stdout);
			(void)putchar('\t');
			if (c->g[i].value)
				report_print_value(c->g[i].value);
			else
				(void)printf("(%s %s)", c->o->lang == REP_EN ? "without" : "zonder",
					     c->g[i].key);
			(void)putchar('\n');
		}
	}
	free(slugs);
	if (fflush(stdout) != 0)
		rc = -1;
	return rc;
}

/* report --group-by: the exit status. */
static int report_grouped(const struct report *whole, struct db *db, const struct report_opts *o)
{
	struct report_groups_ctx c = {.whole = whole, .db = db, .o = o};
	char err[1024];
	int n, rc;

	n = report_groups(whole, db, o->group_by, &c.g, &c.n, err, sizeof(err));
	if (n <= 0) {
		(void)fprintf(stderr, "mailscan: %s%s%s\n", n < 0 ? o->db : "", n < 0 ? ": " : "",
			      err);
		return n < 0 ? EXIT_RUN : EXIT_USAGE;
	}
	if (report_group_files(o))
		rc = report_group_files_write(&c);
	else
		rc = report_write_with(o->output, report_emit_groups, &c);
	report_groups_free(c.g, c.n);
	if (rc != 0)
		return c.failed ? c.failed : EXIT_RUN;
	return o->changes_only && c.regressed ? EXIT_FAILS : 0;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o;
	struct report r;
	struct db *db;
	char err[1024];
	bool usage = false;
	int rc;

	rc = report_parse(argc, argv, &o);
	if (rc)
		return rc > 0 ? 0 : EXIT_USAGE;
	rc = report_group_usage(&o);
	if (rc)
		return rc;
	if (o.output && !report_group_files(&o) && report_output_ok(o.output) < 0)
		return EXIT_USAGE; /* before the work: checked again when writing */
	db = cmd_open_existing(o.db, &rc);
	if (!db)
		return rc;
	rc = report_build(&r, db, o.run, o.explanations, o.lang, &usage, err, sizeof(err));
	if (rc < 0) {
		db_close(db);
		(void)fprintf(stderr, "mailscan: %s%s%s\n", usage ? "" : o.db, usage ? "" : ": ",
			      err);
		report_free(&r);
		return usage ? EXIT_USAGE : EXIT_RUN;
	}
	if (o.group_by) {
		rc = report_grouped(&r, db, &o);
		db_close(db);
		report_free(&r);
		return rc;
	}
	db_close(db);
	rc = report_write(&r, &o);
	if (rc == 0 && o.output)
		log_info("report of run %lld written to %s", r.run.id, o.output);
	if (rc == 0 && o.changes_only && report_regressed(&r))
		rc = 1;
	report_free(&r);
	return rc == 0 ? 0 : rc == 1 ? EXIT_FAILS : EXIT_RUN;
}
