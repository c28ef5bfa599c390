/*
 * main.c - the mailscan command line (SPEC §2).
 *
 * Exit status: 0 ran fine; 1 some domain fails a required standard
 * (the probes with level PROBE_REQUIRED: DNSSEC, STARTTLS, DANE, SPF,
 * DMARC, the "pas toe of leg uit" list); 2 usage or
 * input error; 3 the run itself failed.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/log.h"
#include "../base/str.h"
#include "../probes/probe.h"
#include "../targets/targets.h"
#include "cli.h"
#include "cmds.h"
#include "engine.h"
#include "output.h"

#ifndef MAILSCAN_VERSION
#define MAILSCAN_VERSION "0.0.0"
#endif

static const char usage_main[] =
    "usage: mailscan COMMAND [OPTIONS] ...\n"
    "\n"
    "Commands:\n"
    "  check [OPTIONS] DOMAIN...             probe the domains now and print the results\n"
    "  scan  [OPTIONS] TARGETS --db FILE     probe a target list, store the run in SQLite\n"
    "  runs  --db FILE                       list the runs with their counts\n"
    "  diff  --db FILE RUN_A RUN_B           what improved / regressed between two runs\n"
    "  merge --db OUT SHARD.db...            merge the shard databases of one list\n"
    "  report --db FILE [--format F] [-o F]  the compliance report of a run\n"
    "\n"
    "  mailscan --help | --version; mailscan COMMAND --help for its options.\n";

static const char usage_check[] =
    "usage: mailscan check [OPTIONS] DOMAIN...\n"
    "\n"
    "Probe each domain for DNSSEC, STARTTLS, TLS per NCSC (tls_ncsc), DANE, MTA-STS,\n"
    "TLS-RPT, SPF, DMARC, DKIM and RPKI (route-origin validation of the mail and\n"
    "name server addresses) and print the verdicts (pass, warn, fail, n/a, error)\n"
    "with their reason codes.\n"
    "\n"
    "Options:\n"
    "  --json                 one JSON object per domain per line, in input order\n"
    "  --concurrency N        domains in flight (default 50)\n" PROBE_OPTIONS_HELP "\n"
    "Exit status: 0 fine; 1 some domain fails DNSSEC, STARTTLS, DANE, SPF or DMARC;\n"
    "2 usage or input error; 3 the run failed.\n";

struct check_out {
	bool json;
	bool colour;
	bool any_required_fail;
	int write_failed;
	size_t unreached; /* domains with dns_unreached: no name server answered */
};

static void check_print(const struct domain_scan *ds, void *arg)
{
	struct check_out *co = arg;

	size_t i;

	for (i = 0; i < PROBE_COUNT; i++)
		if (probe_registry[i]->level == PROBE_REQUIRED && ds->verdict[i].v == VERDICT_FAIL)
			co->any_required_fail = true;
	if (ds->dns_unreached)
		co->unreached++;
	if (co->json) {
		struct buf b;

		buf_init(&b, 0);
		if (output_json(ds, &b) < 0 || buf_addch(&b, '\n') < 0 ||
		    fwrite(b.data, 1, b.len, stdout) != b.len)
			co->write_failed = 1;
		buf_free(&b);
	} else {
		output_human(ds, stdout, co->colour);
	}
	if (fflush(stdout) != 0)
		co->write_failed = 1;
}

/* Normalise one command-line domain as target lists are (IDN to A-labels,
 * lower case, no trailing dot); argn counts the domain arguments. */
static int normalise_arg(const char *in, char *out, size_t outlen, int argn)
{
	const char *why = NULL;
	char shown[128];

	if (target_normalise(in, out, outlen, &why) == 0)
		return 0;
	(void)fprintf(stderr, "mailscan: domain argument %d: '%s': %s\n", argn,
		      str_sanitise(shown, sizeof(shown), in, strlen(in)), why);
	return -1;
}

static int cmd_check(int argc, char **argv)
{
	struct cli c;
	struct check_out co;
	struct engine *e = NULL;
	char err[512], **names = NULL;
	int ret = EXIT_RUN, i, n = 0, rc;

	memset(&co, 0, sizeof(co));
	rc = cli_parse(&c, CLI_CHECK, argc, argv, usage_check);
	if (rc != 0) {
		ret = rc > 0 ? 0 : EXIT_USAGE;
		goto out;
	}
	co.json = c.json;
	n = argc - optind;
	if (n <= 0) {
		(void)fputs("mailscan: check: no domains given\n", stderr);
		(void)fputs(usage_check, stderr);
		ret = EXIT_USAGE;
		n = 0;
		goto out;
	}
	names = calloc((size_t)n, sizeof(*names));
	if (!names)
		goto out;
	for (i = 0; i < n; i++) {
		names[i] = malloc(DNS_NAME_MAX + 1);
		if (!names[i] ||
		    normalise_arg(argv[optind + i], names[i], DNS_NAME_MAX + 1, i + 1) < 0) {
			ret = names[i] ? EXIT_USAGE : EXIT_RUN;
			goto out;
		}
	}
	co.colour = !co.json && isatty(STDOUT_FILENO);
	e = engine_new(&c.cfg, err, sizeof(err));
	if (!e) {
		(void)fprintf(stderr, "mailscan: %s\n", err);
		ret = EXIT_USAGE; /* a bad --root-hints/--trust-anchor/--ca-file file */
		goto out;
	}
	if (engine_run(e, names, (size_t)n, check_print, &co) < 0)
		goto out;
	if (co.write_failed) {
		(void)fputs("mailscan: cannot write the results\n", stderr);
		goto out;
	}
	{
		struct engine_stats es;

		engine_get_stats(e, &es);
		log_info("%d domains, %lu DNS queries, %lu unique MX hosts, %lu SMTP probes"
			 " (%lu retries)",
			 n, es.dns_queries, es.hosts, es.smtp_probes, es.smtp_retries);
		log_info("DNS: %lu timeouts, %lu SERVFAIL, %lu replies refused, %lu repeated "
			 "questions answered from the memo, %lu joined the same question under "
			 "way; window of domains in flight: lowest %u of %u",
			 es.dns_timeouts, es.dns_servfail, es.dns_badreply, es.dns_memo_hits,
			 es.dns_joined, es.window_lowest, c.cfg.concurrency);
		/* every domain error because no name server answered at all (not
		 * even the root): the run failed, nothing was learnt of the domains */
		if (co.unreached == (size_t)n && es.dns_answered == 0) {
			(void)fputs("mailscan: no DNS answer at all in this run, not even from the "
				    "root servers - is there a network? (every domain is error)\n",
				    stderr);
			goto out; /* EXIT_RUN */
		}
	}
	ret = co.any_required_fail ? EXIT_FAILS : 0;
out:
	engine_free(e);
	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	cli_free(&c);
	return ret;
}

/*
 * What a command printed must have reached standard output: stdout is
 * fully buffered when it is not a terminal, so a full disk or /dev/full
 * shows only when the buffer is flushed, after the command returned 0.
 * Every command ends here, whatever it checked itself. A stdout closed
 * before start (">&-") that nothing was written to is not an error.
 */
static int main_close_stdout(int ret)
{
	int e = 0;

	if (fflush(stdout) != 0 || ferror(stdout))
		e = errno ? errno : EIO;
	else if (fclose(stdout) != 0 && errno != EBADF)
		e = errno;
	if (!e)
		return ret;
	(void)fprintf(stderr, "mailscan: cannot write to standard output: %s\n", strerror(e));
	return EXIT_RUN;
}

static int main_dispatch(int argc, char **argv)
{
	if (argc < 2) {
		(void)fputs(usage_main, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		(void)fputs(usage_main, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		(void)printf("mailscan %s\n", MAILSCAN_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "scan") == 0)
		return cmd_scan(argc - 1, argv + 1);
	if (strcmp(argv[1], "runs") == 0)
		return cmd_runs(argc - 1, argv + 1);
	if (strcmp(argv[1], "diff") == 0)
		return cmd_diff(argc - 1, argv + 1);
	if (strcmp(argv[1], "merge") == 0)
		return cmd_merge(argc - 1, argv + 1);
	if (strcmp(argv[1], "report") == 0)
		return cmd_report(argc - 1, argv + 1);
	(void)fprintf(stderr, "mailscan: unknown command '%s'\n", argv[1]);
	(void)fputs(usage_main, stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	/* Peers hang up mid-write (SSL_write has no MSG_NOSIGNAL): a finding,
	 * not a reason to die. A closed pipe on stdout then shows as EPIPE in
	 * main_close_stdout(). */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return EXIT_RUN;
	return main_close_stdout(main_dispatch(argc, argv));
}
