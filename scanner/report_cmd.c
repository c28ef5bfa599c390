/*
 * report_cmd.c - `mailscan report`: the "pas toe of leg uit" compliance
 * report of a stored run (SPEC §7) in HTML, Markdown, CSV or JSON. The
 * evaluation is reports/report.c, each format one renderer.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/log.h"
#include "../db/db.h"
#include "../reports/report.h"
#include "cli.h"
#include "cmds.h"

static const char usage_report[] =
    "usage: mailscan report --db FILE [--run ID] [--format html|md|csv|json]\n"
    "                       [--lang nl|en] [--explanations FILE] [-o FILE]\n"
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
    "  -v, -q, -h             more / less logging, this text\n"
    "\n"
    "Exit status: 0 written; 2 usage error, unknown run, a bad explanations file or\n"
    "an -o that is not a regular file;\n"
    "3 the database could not be read or the output not written.\n";

struct report_opts {
	const char *db, *explanations, *output;
	const struct report_ops *ops;
	enum rep_lang lang;
	long long run;
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

/* Write to a new temporary file beside the output (O_EXCL, by mkstemp: a
 * file or link already there under that name is never followed), then
 * rename it over the output: a half-written report never replaces a good
 * one. */
static int report_write(const struct report *r, const struct report_opts *o)
{
	char tmp[4096];
	mode_t mask;
	FILE *f;
	int rc, fd;

	if (!o->output) {
		rc = o->ops->render(r, stdout);
		return rc == 0 && fflush(stdout) == 0 ? 0 : -1;
	}
	if (report_output_ok(o->output) < 0)
		return -1;
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", o->output) >= (int)sizeof(tmp))
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
	rc = o->ops->render(r, f);
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, o->output) != 0)
		rc = -1;
	if (rc != 0) {
		(void)fprintf(stderr, "mailscan: %s: cannot write the report\n", o->output);
		(void)unlink(tmp);
	}
	return rc;
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
	if (o.output && report_output_ok(o.output) < 0)
		return EXIT_USAGE; /* before the work: checked again when writing */
	db = cmd_open_existing(o.db, &rc);
	if (!db)
		return rc;
	rc = report_build(&r, db, o.run, o.explanations, o.lang, &usage, err, sizeof(err));
	db_close(db);
	if (rc < 0) {
		(void)fprintf(stderr, "mailscan: %s%s%s\n", usage ? "" : o.db, usage ? "" : ": ",
			      err);
		report_free(&r);
		return usage ? EXIT_USAGE : EXIT_RUN;
	}
	rc = report_write(&r, &o);
	if (rc == 0 && o.output)
		log_info("report of run %lld written to %s", r.run.id, o.output);
	report_free(&r);
	return rc == 0 ? 0 : EXIT_RUN;
}
