/*
 * main.c - the mailscan command line (SPEC §2).
 *
 * Exit status: 0 ran fine; 1 some domain fails a required standard
 * (DNSSEC, STARTTLS, DANE: the "pas toe of leg uit" list); 2 usage or
 * input error; 3 the run itself failed.
 */
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
#include "config.h"
#include "engine.h"
#include "output.h"

#ifndef MAILSCAN_VERSION
#define MAILSCAN_VERSION "0.0.0"
#endif

#define EXIT_FAILS 1
#define EXIT_USAGE 2
#define EXIT_RUN 3

static const char usage_main[] =
    "usage: mailscan COMMAND [OPTIONS] ...\n"
    "\n"
    "Commands:\n"
    "  check [OPTIONS] DOMAIN...   probe the domains now and print the results\n"
    "\n"
    "  mailscan --help | --version; mailscan check --help for the options.\n"
    "  (scan, report, runs, diff and merge are planned; see the README.)\n";

static const char usage_check[] =
    "usage: mailscan check [OPTIONS] DOMAIN...\n"
    "\n"
    "Probe each domain for DNSSEC, STARTTLS, DANE, MTA-STS and TLS-RPT and print\n"
    "the verdicts (pass, warn, fail, n/a, error) with their reason codes.\n"
    "\n"
    "Options:\n"
    "  --json                 one JSON object per domain per line, in input order\n"
    "  --root-hints FILE      root servers from this zone file (default: the real root)\n"
    "  --trust-anchor FILE    DNSSEC trust anchors, DS or DNSKEY records in zone-file\n"
    "                         form (default: the IANA root trust anchor)\n"
    "  --ca-file FILE         PEM CA bundle for PKIX checks (default: system store)\n"
    "  --concurrency N        domains in flight (default 50)\n"
    "  --timeout SECONDS      deadline of each network step (default 10); a domain\n"
    "                         as a whole gets 8 times that\n"
    "  --per-ip N             simultaneous SMTP connections per IP (default 2)\n"
    "  --max-mx N             MX hosts tested per domain (default 10)\n"
    "  --ehlo NAME            name sent in EHLO (default: this host's name)\n"
    "  --config FILE          options from a YAML file (name: value); the command\n"
    "                         line overrides it\n"
    "  -v, --verbose          more logging on stderr (repeat for debug)\n"
    "  -q, --quiet            errors only\n"
    "  -h, --help             this text\n"
    "\n"
    "Exit status: 0 fine; 1 some domain fails DNSSEC, STARTTLS or DANE;\n"
    "2 usage or input error; 3 the run failed.\n";

struct check_out {
	bool json;
	bool colour;
	bool any_required_fail;
	int write_failed;
};

static void check_print(const struct domain_scan *ds, void *arg)
{
	struct check_out *co = arg;

	if (ds->verdict[PROBE_DNSSEC].v == VERDICT_FAIL ||
	    ds->verdict[PROBE_STARTTLS].v == VERDICT_FAIL ||
	    ds->verdict[PROBE_DANE].v == VERDICT_FAIL)
		co->any_required_fail = true;
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

static int parse_uint(const char *opt, const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end = NULL;
	unsigned long v;

	v = strtoul(s, &end, 10);
	if (!*s || *end || v < lo || v > hi) {
		(void)fprintf(stderr, "mailscan: %s: '%s' is not a number from %u to %u\n", opt, s,
			      lo, hi);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
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

static void default_ehlo(char *out, size_t outlen)
{
	char host[256];

	if (gethostname(host, sizeof(host)) == 0 && strchr(host, '.'))
		(void)str_copy(out, outlen, host);
	else
		(void)str_copy(out, outlen, "mailscan.invalid");
}

enum { O_JSON = 256, O_HINTS, O_TA, O_CA, O_CONC, O_TIMEOUT, O_PERIP, O_MAXMX, O_EHLO, O_CONFIG };

static const struct option check_opts[] = {
    {"json", no_argument, NULL, O_JSON},
    {"root-hints", required_argument, NULL, O_HINTS},
    {"trust-anchor", required_argument, NULL, O_TA},
    {"ca-file", required_argument, NULL, O_CA},
    {"concurrency", required_argument, NULL, O_CONC},
    {"timeout", required_argument, NULL, O_TIMEOUT},
    {"per-ip", required_argument, NULL, O_PERIP},
    {"max-mx", required_argument, NULL, O_MAXMX},
    {"ehlo", required_argument, NULL, O_EHLO},
    {"config", required_argument, NULL, O_CONFIG},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

#define CHECK_STRS_MAX 16

struct check_state {
	struct engine_config cfg;
	struct check_out co;
	char ehlo[256];
	unsigned timeout_s;
	int verbose;
	char *strs[CHECK_STRS_MAX]; /* option values copied from the config file */
	size_t nstrs;
	bool from_file;
};

/* Keep a copy of a value that came from the config file. */
static const char *check_keep(struct check_state *st, const char *v)
{
	if (!st->from_file)
		return v;
	if (st->nstrs >= CHECK_STRS_MAX)
		return NULL;
	st->strs[st->nstrs] = str_dup(v);
	return st->strs[st->nstrs++];
}

/* Apply one option, from the command line or the config file.
 * Returns 0, 1 for --help, or -1 (message printed). */
static int check_apply(struct check_state *st, int c, const char *arg)
{
	const char *why = NULL;

	switch (c) {
	case O_JSON:
		st->co.json = true;
		return 0;
	case O_HINTS:
		return (st->cfg.root_hints = check_keep(st, arg)) ? 0 : -1;
	case O_TA:
		return (st->cfg.trust_anchor = check_keep(st, arg)) ? 0 : -1;
	case O_CA:
		return (st->cfg.ca_file = check_keep(st, arg)) ? 0 : -1;
	case O_CONC:
		return parse_uint("--concurrency", arg, 1, 100000, &st->cfg.concurrency);
	case O_TIMEOUT:
		return parse_uint("--timeout", arg, 1, 600, &st->timeout_s);
	case O_PERIP:
		return parse_uint("--per-ip", arg, 1, 1000, &st->cfg.per_ip);
	case O_MAXMX:
		return parse_uint("--max-mx", arg, 1, SCAN_MX_MAX, &st->cfg.max_mx);
	case O_EHLO:
		if (str_domain_normalise(arg, st->ehlo, sizeof(st->ehlo), &why) < 0) {
			(void)fprintf(stderr, "mailscan: --ehlo: '%s': %s\n", arg, why);
			return -1;
		}
		return 0;
	case 'v':
		st->verbose++;
		return 0;
	case 'q':
		st->verbose = -1;
		return 0;
	case 'h':
		return 1;
	default:
		return -1;
	}
}

/* A key of the config file: an option name; flags take true/false. */
static int check_config_set(const char *key, const char *value, void *arg)
{
	struct check_state *st = arg;
	const struct option *o;

	for (o = check_opts; o->name; o++) {
		if (strcmp(o->name, key) != 0 || o->val == O_CONFIG || o->val == 'h')
			continue;
		if (o->has_arg == no_argument) {
			if (strcmp(value, "true") == 0)
				return check_apply(st, o->val, NULL);
			if (strcmp(value, "false") == 0)
				return 0;
			(void)fprintf(stderr, "mailscan: %s: expected true or false\n", key);
			return -1;
		}
		return check_apply(st, o->val, value);
	}
	(void)fprintf(stderr, "mailscan: unknown option '%s' in the config file\n", key);
	return -1;
}

static int cmd_check(int argc, char **argv)
{
	struct check_state st;
	struct engine *e = NULL;
	char err[512], **names = NULL;
	int c, ret = EXIT_RUN, i, n = 0, rc;

	memset(&st, 0, sizeof(st));
	st.cfg.concurrency = 50;
	st.cfg.per_ip = 2;
	st.cfg.max_mx = 10;
	st.timeout_s = 10;
	default_ehlo(st.ehlo, sizeof(st.ehlo));
	/* The config file first, so that the command line overrides it. */
	for (i = 1; i < argc; i++) {
		const char *path = NULL;

		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[i + 1];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			path = argv[i] + 9;
		if (!path)
			continue;
		st.from_file = true;
		rc = config_load(path, check_config_set, &st);
		st.from_file = false;
		if (rc < 0) {
			ret = EXIT_USAGE;
			goto out;
		}
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "vqh", check_opts, NULL)) != -1) {
		if (c == O_CONFIG)
			continue;
		rc = c == '?' ? -1 : check_apply(&st, c, optarg);
		if (rc == 1) {
			(void)fputs(usage_check, stdout);
			ret = 0;
			goto out;
		}
		if (rc < 0) {
			if (c == '?')
				(void)fputs(usage_check, stderr);
			ret = EXIT_USAGE;
			goto out;
		}
	}
	log_set_level(st.verbose < 0    ? LOG_ERR
		      : st.verbose == 0 ? LOG_WARN
		      : st.verbose == 1 ? LOG_INFO
					: LOG_DEBUG);
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
	st.cfg.ehlo_name = st.ehlo;
	st.cfg.timeout_ms = st.timeout_s * 1000;
	st.cfg.domain_timeout_ms = st.cfg.timeout_ms * 8;
	st.co.colour = !st.co.json && isatty(STDOUT_FILENO);
	e = engine_new(&st.cfg, err, sizeof(err));
	if (!e) {
		(void)fprintf(stderr, "mailscan: %s\n", err);
		ret = EXIT_USAGE; /* a bad --root-hints/--trust-anchor/--ca-file file */
		goto out;
	}
	if (engine_run(e, names, (size_t)n, check_print, &st.co) < 0)
		goto out;
	if (st.co.write_failed) {
		(void)fputs("mailscan: cannot write the results\n", stderr);
		goto out;
	}
	{
		struct engine_stats es;

		engine_get_stats(e, &es);
		log_info("%d domains, %lu DNS queries, %lu unique MX hosts, %lu SMTP probes", n,
			 es.dns_queries, es.hosts, es.smtp_probes);
	}
	ret = st.co.any_required_fail ? EXIT_FAILS : 0;
out:
	engine_free(e);
	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	while (st.nstrs > 0)
		free(st.strs[--st.nstrs]);
	return ret;
}

int main(int argc, char **argv)
{
	/* Peers hang up mid-write (SSL_write has no MSG_NOSIGNAL): a finding,
	 * not a reason to die. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return EXIT_RUN;
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
	(void)fprintf(stderr, "mailscan: unknown command '%s'\n", argv[1]);
	(void)fputs(usage_main, stderr);
	return EXIT_USAGE;
}
