/*
 * cli.c - options of `check` and `scan` (SPEC §2). See cli.h.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/log.h"
#include "../base/str.h"
#include "../probes/dkim.h"
#include "../probes/probe.h"
#include "../probes/rpki.h"
#include "config.h"

enum {
	O_JSON = 256,
	O_HINTS,
	O_TA,
	O_CA,
	O_CONC,
	O_TIMEOUT,
	O_PERIP,
	O_MAXMX,
	O_EHLO,
	O_CONFIG,
	O_RATE,
	O_DB,
	O_RESUME,
	O_SHARD,
	O_LABEL,
	O_METRICS,
	O_FORMAT,
	O_HOSTCACHE,
	O_SKIPNCSC,
	O_SKIP,
	O_DKIMSEL,
	O_DNSRATE,
	O_RESOLVER,
	O_RESOLVER_TRUSTED,
	O_RPKI_CACHE,
	O_RPKI_VRPS,
	O_BGP_TABLE
};

#define CLI_BOTH (CLI_CHECK | CLI_SCAN)

/* A bad value is shown in an error message cut to this (with "..."), and
 * with control bytes replaced: a config file may hold megabytes and ESC. */
#define CLI_SHOWN_MAX 84

/* --skip PROBE[,PROBE]: the probes named by the registry; tls_ncsc is
 * --skip-tls-ncsc (no handshakes, its verdict error ncsc-skipped). */
static int cli_parse_skip(struct cli *c, const char *arg)
{
	char name[32], shown[CLI_SHOWN_MAX + 1];
	const char *p = arg;

	while (*p) {
		size_t n = strcspn(p, ",");
		const struct probe_ops *po;

		if (n == 0 || n >= sizeof(name)) {
			(void)fprintf(stderr, "mailscan: --skip: '%s': not a list of probe names\n",
				      str_show(shown, sizeof(shown), arg));
			return -1;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		po = probe_find(name);
		if (!po) {
			size_t i;

			(void)fprintf(stderr, "mailscan: --skip: unknown probe '%s' (one of:",
				      str_show(shown, sizeof(shown), name));
			for (i = 0; i < PROBE_COUNT; i++)
				(void)fprintf(stderr, " %s", probe_registry[i]->name);
			(void)fprintf(stderr, ")\n");
			return -1;
		}
		c->cfg.skip_mask |= 1u << po->id;
		if (po->id == PROBE_TLS_NCSC)
			c->cfg.skip_ncsc = true;
		p += n;
		if (*p == ',' && *++p == '\0') {
			(void)fprintf(stderr,
				      "mailscan: --skip: '%s': a probe name after the comma\n",
				      str_show(shown, sizeof(shown), arg));
			return -1;
		}
	}
	return 0;
}

/* --dkim-selectors FILE: loaded now, so a bad line stops the run before any
 * probe with "FILE:LINE: reason" (the last one given counts). */
static int cli_load_dkim(struct cli *c, const char *path)
{
	char err[512];

	if (c->dkim) {
		dkim_selectors_free(c->dkim);
		free(c->dkim);
		c->dkim = NULL;
		c->cfg.dkim_selectors = NULL;
	}
	c->dkim = calloc(1, sizeof(*c->dkim));
	if (!c->dkim) {
		(void)fprintf(stderr, "mailscan: out of memory\n");
		return -1;
	}
	if (dkim_selectors_load(path, c->dkim, err, sizeof(err)) < 0) {
		(void)fprintf(stderr, "mailscan: --dkim-selectors: %s\n", err);
		free(c->dkim);
		c->dkim = NULL;
		return -1;
	}
	c->cfg.dkim_selectors = c->dkim;
	return 0;
}

/* --rpki-vrps FILE, --bgp-table FILE: loaded now (a bad line stops the run
 * with "FILE:LINE: reason"); --rpki-cache HOST:PORT: checked now, connected
 * at the end of cli_parse (cli_start_rpki). */
static const char *cli_keep(struct cli *c, const char *v);

static int cli_rpki(struct cli *c, int opt, const char *arg)
{
	const char **kept;
	char err[512];
	int rc;

	if (opt == O_RPKI_CACHE)
		rc = rpki_data_set_cache(&c->rpki, arg, err, sizeof(err));
	else if (opt == O_RPKI_VRPS)
		rc = rpki_data_load_vrps(&c->rpki, arg, err, sizeof(err));
	else
		rc = rpki_data_load_bgp(&c->rpki, arg, err, sizeof(err));
	if (rc < 0) {
		(void)fprintf(stderr, "mailscan: %s: %s\n",
			      opt == O_RPKI_CACHE  ? "--rpki-cache"
			      : opt == O_RPKI_VRPS ? "--rpki-vrps"
						   : "--bgp-table",
			      err);
		return -1;
	}
	kept = opt == O_RPKI_CACHE  ? &c->rpki_cache
	       : opt == O_RPKI_VRPS ? &c->rpki_vrps
				    : &c->bgp_table;
	if (!(*kept = cli_keep(c, arg)))
		return -1;
	c->cfg.rpki = c->rpki;
	return 0;
}

/* Wait for the RTR cache's first full set of VRPs (at most the --timeout):
 * the probes run only after it. A cache that does not answer in time is not
 * fatal: the rpki verdicts say rpki-cache-unreachable while it is out of
 * sync (RTRlib keeps trying). */
static void cli_start_rpki(struct cli *c)
{
	char err[512];

	if (!c->rpki_cache)
		return;
	if (rpki_data_start(c->rpki, c->timeout_s * 1000, err, sizeof(err)) < 0)
		log_warn("--rpki-cache: %s; RPKI is not judged while it is out of sync", err);
}

static const struct cli_opt {
	struct option o;
	unsigned cmds;
} cli_opts[] = {
    {{"json", no_argument, NULL, O_JSON}, CLI_CHECK},
    {{"root-hints", required_argument, NULL, O_HINTS}, CLI_BOTH},
    {{"trust-anchor", required_argument, NULL, O_TA}, CLI_BOTH},
    {{"resolver", required_argument, NULL, O_RESOLVER}, CLI_BOTH},
    {{"resolver-trusted", no_argument, NULL, O_RESOLVER_TRUSTED}, CLI_BOTH},
    {{"ca-file", required_argument, NULL, O_CA}, CLI_BOTH},
    {{"concurrency", required_argument, NULL, O_CONC}, CLI_BOTH},
    {{"timeout", required_argument, NULL, O_TIMEOUT}, CLI_BOTH},
    {{"per-ip", required_argument, NULL, O_PERIP}, CLI_BOTH},
    {{"rate", required_argument, NULL, O_RATE}, CLI_BOTH},
    {{"dns-rate", required_argument, NULL, O_DNSRATE}, CLI_BOTH},
    {{"max-mx", required_argument, NULL, O_MAXMX}, CLI_BOTH},
    {{"host-cache", required_argument, NULL, O_HOSTCACHE}, CLI_BOTH},
    {{"skip-tls-ncsc", no_argument, NULL, O_SKIPNCSC}, CLI_BOTH},
    {{"skip", required_argument, NULL, O_SKIP}, CLI_BOTH},
    {{"dkim-selectors", required_argument, NULL, O_DKIMSEL}, CLI_BOTH},
    {{"rpki-cache", required_argument, NULL, O_RPKI_CACHE}, CLI_BOTH},
    {{"rpki-vrps", required_argument, NULL, O_RPKI_VRPS}, CLI_BOTH},
    {{"bgp-table", required_argument, NULL, O_BGP_TABLE}, CLI_BOTH},
    {{"ehlo", required_argument, NULL, O_EHLO}, CLI_BOTH},
    {{"config", required_argument, NULL, O_CONFIG}, CLI_BOTH},
    {{"db", required_argument, NULL, O_DB}, CLI_SCAN},
    {{"resume", no_argument, NULL, O_RESUME}, CLI_SCAN},
    {{"shard", required_argument, NULL, O_SHARD}, CLI_SCAN},
    {{"label", required_argument, NULL, O_LABEL}, CLI_SCAN},
    {{"metrics", required_argument, NULL, O_METRICS}, CLI_SCAN},
    {{"format", required_argument, NULL, O_FORMAT}, CLI_SCAN},
    {{"verbose", no_argument, NULL, 'v'}, CLI_BOTH},
    {{"quiet", no_argument, NULL, 'q'}, CLI_BOTH},
    {{"help", no_argument, NULL, 'h'}, CLI_BOTH},
};

#define CLI_NOPTS (sizeof(cli_opts) / sizeof(cli_opts[0]))

int cli_parse_uint(const char *opt, const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end = NULL;
	unsigned long v;
	char shown[CLI_SHOWN_MAX];

	v = strtoul(s, &end, 10);
	if (!*s || *end || *s == '-' || *s == '+' || v < lo || v > hi) {
		(void)fprintf(stderr, "mailscan: %s: '%s' is not a number from %u to %u\n", opt,
			      str_show(shown, sizeof(shown), s), lo, hi);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static void cli_default_ehlo(char *out, size_t outlen)
{
	char host[256];

	if (gethostname(host, sizeof(host)) == 0 && strchr(host, '.'))
		(void)str_copy(out, outlen, host);
	else
		(void)str_copy(out, outlen, "mailscan.invalid");
}

/* Keep a copy of a value that came from the config file. */
static const char *cli_keep(struct cli *c, const char *v)
{
	if (!c->from_file)
		return v;
	if (c->nstrs >= CLI_STRS_MAX) {
		(void)fputs("mailscan: too many options in the config file\n", stderr);
		return NULL;
	}
	c->strs[c->nstrs] = str_dup(v);
	return c->strs[c->nstrs++];
}

/* "K/N" with 1 <= K <= N <= 65536. */
static int cli_parse_shard(struct cli *c, const char *s)
{
	unsigned k = 0, n = 0;
	char tail, shown[CLI_SHOWN_MAX];

	if (sscanf(s, "%u/%u%c", &k, &n, &tail) != 2 || n < 1 || n > 65536 || k < 1 || k > n ||
	    strspn(s, "0123456789/") != strlen(s)) {
		(void)fprintf(stderr, "mailscan: --shard: '%s' is not K/N with 1 <= K <= N\n",
			      str_show(shown, sizeof(shown), s));
		return -1;
	}
	c->shard_k = k;
	c->shard_n = n;
	return 0;
}

/* Apply one option. Returns 0, 1 for --help, or -1 (message printed). */
static int cli_apply(struct cli *c, int opt, const char *arg)
{
	const char *why = NULL;
	char shown[CLI_SHOWN_MAX];

	switch (opt) {
	case O_JSON:
		c->json = true;
		return 0;
	case O_HINTS:
		return (c->cfg.root_hints = cli_keep(c, arg)) ? 0 : -1;
	case O_TA:
		return (c->cfg.trust_anchor = cli_keep(c, arg)) ? 0 : -1;
	case O_RESOLVER:
		return (c->cfg.resolver = cli_keep(c, arg)) ? 0 : -1;
	case O_RESOLVER_TRUSTED:
		c->cfg.resolver_trusted = true;
		return 0;
	case O_CA:
		return (c->cfg.ca_file = cli_keep(c, arg)) ? 0 : -1;
	case O_CONC:
		return cli_parse_uint("--concurrency", arg, 1, 100000, &c->cfg.concurrency);
	case O_TIMEOUT:
		return cli_parse_uint("--timeout", arg, 1, 600, &c->timeout_s);
	case O_PERIP:
		return cli_parse_uint("--per-ip", arg, 1, 1000, &c->cfg.per_ip);
	case O_RATE:
		return cli_parse_uint("--rate", arg, 0, 100000, &c->cfg.rate);
	case O_DNSRATE:
		return cli_parse_uint("--dns-rate", arg, 0, 1000000, &c->cfg.dns_rate);
	case O_HOSTCACHE:
		return cli_parse_uint("--host-cache", arg, 1, 10000000, &c->cfg.host_cache);
	case O_MAXMX:
		return cli_parse_uint("--max-mx", arg, 1, SCAN_MX_MAX, &c->cfg.max_mx);
	case O_SKIPNCSC:
		c->cfg.skip_ncsc = true;
		c->cfg.skip_mask |= 1u << PROBE_TLS_NCSC;
		return 0;
	case O_SKIP:
		return cli_parse_skip(c, arg);
	case O_DKIMSEL:
		if (!(c->dkim_path = cli_keep(c, arg)))
			return -1;
		return cli_load_dkim(c, arg);
	case O_RPKI_CACHE:
	case O_RPKI_VRPS:
	case O_BGP_TABLE:
		return cli_rpki(c, opt, arg);
	case O_EHLO:
		if (str_domain_normalise(arg, c->ehlo, sizeof(c->ehlo), &why) < 0) {
			(void)fprintf(stderr, "mailscan: --ehlo: '%s': %s\n",
				      str_show(shown, sizeof(shown), arg), why);
			return -1;
		}
		return 0;
	case O_DB:
		return (c->db = cli_keep(c, arg)) ? 0 : -1;
	case O_LABEL:
		return (c->label = cli_keep(c, arg)) ? 0 : -1;
	case O_METRICS:
		return (c->metrics = cli_keep(c, arg)) ? 0 : -1;
	case O_RESUME:
		c->resume = true;
		return 0;
	case O_SHARD:
		return cli_parse_shard(c, arg);
	case O_FORMAT:
		if (target_parse_format(arg, &c->format) < 0) {
			(void)fprintf(stderr, "mailscan: --format: '%s' is not yaml, csv or text\n",
				      str_show(shown, sizeof(shown), arg));
			return -1;
		}
		return 0;
	case 'v':
		c->verbose++;
		return 0;
	case 'q':
		c->verbose = -1;
		return 0;
	case 'h':
		return 1;
	default:
		return -1;
	}
}

/* A key of the config file: an option name; flags take true/false. */
static int cli_config_set(const char *key, const char *value, void *arg)
{
	struct cli *c = arg;
	char shown[CLI_SHOWN_MAX];
	size_t i;

	for (i = 0; i < CLI_NOPTS; i++) {
		const struct option *o = &cli_opts[i].o;

		if (!(cli_opts[i].cmds & c->cmd) || strcmp(o->name, key) != 0 ||
		    o->val == O_CONFIG || o->val == 'h')
			continue;
		if (o->has_arg == no_argument) {
			if (strcmp(value, "true") == 0)
				return cli_apply(c, o->val, NULL);
			if (strcmp(value, "false") == 0)
				return 0;
			(void)fprintf(stderr, "mailscan: %s: '%s': expected true or false\n", key,
				      str_show(shown, sizeof(shown), value));
			return -1;
		}
		return cli_apply(c, o->val, value);
	}
	(void)fprintf(stderr, "mailscan: unknown option '%s' in the config file\n",
		      str_show(shown, sizeof(shown), key));
	return -1;
}

static void cli_defaults(struct cli *c, unsigned cmd)
{
	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	c->cfg.concurrency = cmd == CLI_SCAN ? 500 : 50;
	c->cfg.per_ip = 2;
	c->cfg.max_mx = 10;
	c->timeout_s = 10;
	cli_default_ehlo(c->ehlo, sizeof(c->ehlo));
}

/* The --config files, in order, before anything else. */
static int cli_config_files(struct cli *c, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *path = NULL;
		int rc;

		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[i + 1];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			path = argv[i] + 9;
		if (!path)
			continue;
		c->from_file = true;
		rc = config_load(path, cli_config_set, c);
		c->from_file = false;
		if (rc < 0)
			return -1;
	}
	return 0;
}

int cli_parse(struct cli *c, unsigned cmd, int argc, char **argv, const char *usage)
{
	struct option longopts[CLI_NOPTS + 1];
	size_t i, n = 0;
	int opt, rc;

	cli_defaults(c, cmd);
	for (i = 0; i < CLI_NOPTS; i++)
		if (cli_opts[i].cmds & cmd)
			longopts[n++] = cli_opts[i].o;
	memset(&longopts[n], 0, sizeof(longopts[n]));
	if (cli_config_files(c, argc, argv) < 0)
		return -1;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "vqh", longopts, NULL)) != -1) {
		if (opt == O_CONFIG)
			continue;
		rc = opt == '?' ? -1 : cli_apply(c, opt, optarg);
		if (rc == 1) {
			(void)fputs(usage, stdout);
			return 1;
		}
		if (rc < 0) {
			if (opt == '?')
				(void)fputs(usage, stderr);
			return -1;
		}
	}
	log_set_level(c->verbose < 0    ? LOG_ERR
		      : c->verbose == 0 ? LOG_WARN
		      : c->verbose == 1 ? LOG_INFO
					: LOG_DEBUG);
	if (c->cfg.resolver && (c->cfg.root_hints || c->cfg.trust_anchor)) {
		(void)fputs(
		    "mailscan: --resolver asks a validating resolver, which has its own root "
		    "hints and trust anchor: it does not go with --root-hints or "
		    "--trust-anchor\n",
		    stderr);
		return -1;
	}
	if (c->cfg.resolver_trusted && !c->cfg.resolver) {
		(void)fputs("mailscan: --resolver-trusted needs --resolver\n", stderr);
		return -1;
	}
	if (c->rpki_cache && c->rpki_vrps) {
		(void)fputs(
		    "mailscan: --rpki-cache and --rpki-vrps are two sources of the same VRPs: "
		    "give one\n",
		    stderr);
		return -1;
	}
	cli_start_rpki(c);
	c->cfg.ehlo_name = c->ehlo;
	c->cfg.timeout_ms = c->timeout_s * 1000;
	c->cfg.domain_timeout_ms = c->cfg.timeout_ms * 8;
	c->cfg.retry_delay_ms = c->cfg.timeout_ms / 2;
	return 0;
}

void cli_free(struct cli *c)
{
	if (c->dkim) {
		dkim_selectors_free(c->dkim);
		free(c->dkim);
		c->dkim = NULL;
	}
	rpki_data_free(c->rpki);
	c->rpki = NULL;
	while (c->nstrs > 0)
		free(c->strs[--c->nstrs]);
}

void cli_options_text(const struct cli *c, char *out, size_t outlen)
{
	char skip[256] = "";
	size_t i, n = 0;

	for (i = 0; i < PROBE_COUNT; i++)
		if (c->cfg.skip_mask & (1u << probe_registry[i]->id))
			n +=
			    (size_t)snprintf(skip + n, n < sizeof(skip) ? sizeof(skip) - n : 0,
					     "%s%s", n ? "," : " --skip ", probe_registry[i]->name);
	(void)snprintf(
	    out, outlen,
	    "--timeout %u --concurrency %u --per-ip %u --rate %u --dns-rate %u --max-mx %u"
	    " --ehlo %s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s",
	    c->timeout_s, c->cfg.concurrency, c->cfg.per_ip, c->cfg.rate, c->cfg.dns_rate,
	    c->cfg.max_mx, c->ehlo, c->cfg.root_hints ? " --root-hints " : "",
	    c->cfg.root_hints ? c->cfg.root_hints : "",
	    c->cfg.trust_anchor ? " --trust-anchor " : "",
	    c->cfg.trust_anchor ? c->cfg.trust_anchor : "", c->cfg.ca_file ? " --ca-file " : "",
	    c->cfg.ca_file ? c->cfg.ca_file : "", c->cfg.resolver ? " --resolver " : "",
	    c->cfg.resolver ? c->cfg.resolver : "",
	    c->cfg.resolver_trusted ? " --resolver-trusted" : "", n < sizeof(skip) ? skip : "",
	    c->dkim_path ? " --dkim-selectors " : "", c->dkim_path ? c->dkim_path : "",
	    c->rpki_cache ? " --rpki-cache " : "", c->rpki_cache ? c->rpki_cache : "",
	    c->rpki_vrps ? " --rpki-vrps " : "", c->rpki_vrps ? c->rpki_vrps : "",
	    c->bgp_table ? " --bgp-table " : "", c->bgp_table ? c->bgp_table : "");
}
