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
    "  -o, --output FILE      write there (default: standard output)\n"
    "  -v, -q, -h             more / less logging, this text\n"
    "\n"
    "Exit status: 0 written; 2 usage error, unknown run or a bad explanations file;\n"
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

/* Write to path.tmp, then rename: a half-written report never replaces a
 * good one. */
static int report_write(const struct report *r, const struct report_opts *o)
{
	char tmp[4096];
	FILE *f;
	int rc;

	if (!o->output) {
		rc = o->ops->render(r, stdout);
		return rc == 0 && fflush(stdout) == 0 ? 0 : -1;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", o->output) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (!f) {
		(void)fprintf(stderr, "mailscan: %s: cannot write: %s\n", tmp, strerror(errno));
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
