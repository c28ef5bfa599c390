/*
 * main.c - the mailscan command line (SPEC §2).
 *
 * Exit status: 0 ran fine; 1 some domain fails a required standard
 * (DNSSEC, STARTTLS, DANE: the "pas toe of leg uit" list); 2 usage or
 * input error; 3 the run itself failed.
 */
#include <getopt.h>
#include <idn2.h>
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

/* Normalise one command-line domain (IDN to A-labels, lower case, no dot). */
static int normalise_arg(const char *in, char *out, size_t outlen, int argn)
{
	const char *why = NULL, *p, *orig = in;
	char *ascii = NULL;
	bool non_ascii = false;
	int rc;

	for (p = in; *p; p++)
		if ((unsigned char)*p >= 0x80)
			non_ascii = true;
	if (non_ascii) {
		rc = idn2_to_ascii_8z(in, &ascii, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
		if (rc != IDN2_OK) {
			(void)fprintf(stderr, "mailscan: domain argument %d: '%s': not a valid IDN: %s\n",
				      argn, in, idn2_strerror(rc));
			return -1;
		}
		in = ascii;
	}
	rc = str_domain_normalise(in, out, outlen, &why);
	if (rc < 0) {
		char shown[128];

		(void)fprintf(stderr, "mailscan: domain argument %d: '%s': %s\n", argn,
			      str_sanitise(shown, sizeof(shown), orig, strlen(orig)), why);
	}
	idn2_free(ascii);
	return rc;
}

static void default_ehlo(char *out, size_t outlen)
{
	char host[256];

	if (gethostname(host, sizeof(host)) == 0 && strchr(host, '.'))
		(void)str_copy(out, outlen, host);
	else
		(void)str_copy(out, outlen, "mailscan.invalid");
}

static int cmd_check(int argc, char **argv)
{
	enum { O_JSON = 256, O_HINTS, O_TA, O_CA, O_CONC, O_TIMEOUT, O_PERIP, O_MAXMX, O_EHLO };
	static const struct option opts[] = {
	    {"json", no_argument, NULL, O_JSON},
	    {"root-hints", required_argument, NULL, O_HINTS},
	    {"trust-anchor", required_argument, NULL, O_TA},
	    {"ca-file", required_argument, NULL, O_CA},
	    {"concurrency", required_argument, NULL, O_CONC},
	    {"timeout", required_argument, NULL, O_TIMEOUT},
	    {"per-ip", required_argument, NULL, O_PERIP},
	    {"max-mx", required_argument, NULL, O_MAXMX},
	    {"ehlo", required_argument, NULL, O_EHLO},
	    {"verbose", no_argument, NULL, 'v'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct engine_config cfg;
	struct check_out co;
	struct engine *e = NULL;
	char ehlo[256], err[512], **names = NULL;
	unsigned timeout_s = 10;
	int c, verbose = 0, ret = EXIT_RUN, i, n;
	const char *why = NULL;

	memset(&cfg, 0, sizeof(cfg));
	memset(&co, 0, sizeof(co));
	cfg.concurrency = 50;
	cfg.per_ip = 2;
	cfg.max_mx = 10;
	default_ehlo(ehlo, sizeof(ehlo));
	optind = 1;
	while ((c = getopt_long(argc, argv, "vqh", opts, NULL)) != -1) {
		switch (c) {
		case O_JSON:
			co.json = true;
			break;
		case O_HINTS:
			cfg.root_hints = optarg;
			break;
		case O_TA:
			cfg.trust_anchor = optarg;
			break;
		case O_CA:
			cfg.ca_file = optarg;
			break;
		case O_CONC:
			if (parse_uint("--concurrency", optarg, 1, 100000, &cfg.concurrency) < 0)
				return EXIT_USAGE;
			break;
		case O_TIMEOUT:
			if (parse_uint("--timeout", optarg, 1, 600, &timeout_s) < 0)
				return EXIT_USAGE;
			break;
		case O_PERIP:
			if (parse_uint("--per-ip", optarg, 1, 1000, &cfg.per_ip) < 0)
				return EXIT_USAGE;
			break;
		case O_MAXMX:
			if (parse_uint("--max-mx", optarg, 1, SCAN_MX_MAX, &cfg.max_mx) < 0)
				return EXIT_USAGE;
			break;
		case O_EHLO:
			if (str_domain_normalise(optarg, ehlo, sizeof(ehlo), &why) < 0) {
				(void)fprintf(stderr, "mailscan: --ehlo: '%s': %s\n", optarg, why);
				return EXIT_USAGE;
			}
			break;
		case 'v':
			verbose++;
			break;
		case 'q':
			verbose = -1;
			break;
		case 'h':
			(void)fputs(usage_check, stdout);
			return 0;
		default:
			(void)fputs(usage_check, stderr);
			return EXIT_USAGE;
		}
	}
	log_set_level(verbose < 0 ? LOG_ERR : verbose == 0 ? LOG_WARN
				  : verbose == 1   ? LOG_INFO
						   : LOG_DEBUG);
	n = argc - optind;
	if (n <= 0) {
		(void)fputs("mailscan: check: no domains given\n", stderr);
		(void)fputs(usage_check, stderr);
		return EXIT_USAGE;
	}
	names = calloc((size_t)n, sizeof(*names));
	if (!names)
		return EXIT_RUN;
	for (i = 0; i < n; i++) {
		names[i] = malloc(DNS_NAME_MAX + 1);
		if (!names[i] || normalise_arg(argv[optind + i], names[i], DNS_NAME_MAX + 1,
					       i + 1) < 0) {
			ret = names[i] ? EXIT_USAGE : EXIT_RUN;
			goto out;
		}
	}
	cfg.ehlo_name = ehlo;
	cfg.timeout_ms = timeout_s * 1000;
	cfg.domain_timeout_ms = cfg.timeout_ms * 8;
	co.colour = !co.json && isatty(STDOUT_FILENO);
	e = engine_new(&cfg, err, sizeof(err));
	if (!e) {
		(void)fprintf(stderr, "mailscan: %s\n", err);
		ret = EXIT_USAGE; /* a bad --root-hints/--trust-anchor/--ca-file file */
		goto out;
	}
	if (engine_run(e, names, (size_t)n, check_print, &co) < 0) {
		ret = EXIT_RUN;
		goto out;
	}
	if (co.write_failed) {
		(void)fputs("mailscan: cannot write the results\n", stderr);
		ret = EXIT_RUN;
		goto out;
	}
	{
		struct engine_stats st;

		engine_get_stats(e, &st);
		log_info("%d domains, %lu DNS queries, %lu unique MX hosts, %lu SMTP probes", n,
			 st.dns_queries, st.hosts, st.smtp_probes);
	}
	ret = co.any_required_fail ? EXIT_FAILS : 0;
out:
	engine_free(e);
	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
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
