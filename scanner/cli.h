/*
 * cli.h - the options of the probing commands (`check`, `scan`; SPEC §2):
 * one table, the YAML config file (--config) applied first and the command
 * line over it, and the engine configuration derived from them.
 */
#ifndef MAILSCAN_CLI_H
#define MAILSCAN_CLI_H

#include <stdbool.h>

#include "../targets/targets.h"
#include "engine.h"

#define EXIT_FAILS 1
#define EXIT_USAGE 2
#define EXIT_RUN 3

#define CLI_CHECK 1u
#define CLI_SCAN 2u
#define CLI_STRS_MAX 32

/* The --help text of the options that check and scan share. */
#define PROBE_OPTIONS_HELP                                                                         \
	"  --root-hints FILE      root servers from this zone file (default: the real root)\n"     \
	"  --trust-anchor FILE    DNSSEC trust anchors, DS or DNSKEY records in zone-file\n"       \
	"                         form (default: the IANA root trust anchor)\n"                    \
	"  --resolver ADDR[@PORT][,...]  stub mode: ask these validating resolvers (e.g. a\n"      \
	"                         local unbound) instead of resolving from the root; the\n"        \
	"                         DNSSEC status is their AD bit, trusted on loopback only\n"       \
	"  --resolver-trusted     trust the AD bit of a --resolver off loopback too (the\n"        \
	"                         path to it must be secured, e.g. by IPsec)\n"                    \
	"  --ca-file FILE         PEM CA bundle for PKIX checks (default: system store)\n"         \
	"  --timeout SECONDS      deadline of each network step (default 10); a domain\n"          \
	"                         as a whole gets 8 times that\n"                                  \
	"  --per-ip N             simultaneous SMTP connections per IP (default 2)\n"              \
	"  --rate N               new SMTP connections per second in all (default 0: no\n"         \
	"                         limit); a timeout or 4xx greeting is retried once after\n"       \
	"                         half the timeout\n"                                              \
	"  --dns-rate N           DNS queries sent per second in all (default 0: no limit)\n"      \
	"  --max-mx N             MX hosts tested per domain (default 10)\n"                       \
	"  --host-cache N         finished MX hosts kept for reuse by later domains\n"             \
	"                         (default 5000; least recently used dropped first)\n"             \
	"  --skip PROBE[,PROBE]   do not run these probes (their verdict: error, skipped);\n"      \
	"                         tls_ncsc is --skip-tls-ncsc\n"                                   \
	"  --skip-tls-ncsc        no tls_ncsc handshakes (about 13 extra SMTP sessions per\n"      \
	"                         MX address); its verdict is then error, ncsc-skipped\n"          \
	"  --dkim-selectors FILE  known DKIM selectors: lines 'domain sel1[,sel2...]';\n"          \
	"                         their keys are fetched and judged\n"                             \
	"  --rpki-cache HOST:PORT RPKI validated ROA payloads from this RTR cache (RFC 8210;\n"    \
	"                         e.g. StayRTR or Routinator on port 323 or 8282); the run\n"      \
	"                         waits up to --timeout for its first full set\n"                  \
	"  --rpki-vrps FILE       ... or from this rpki-client / Routinator JSON file; without\n"  \
	"                         either, rpki is error, rpki-no-source\n"                         \
	"  --bgp-table FILE       announced routes, lines 'PREFIX ORIGIN-AS' (default: Team\n"     \
	"                         Cymru's origin.asn.cymru.com TXT records, by DNS)\n"             \
	"  --ehlo NAME            name sent in EHLO (default: this host's name)\n"                 \
	"  --config FILE          options from a YAML file (name: value); the command\n"           \
	"                         line overrides it\n"                                             \
	"  -v, --verbose          more logging on stderr (repeat for debug)\n"                     \
	"  -q, --quiet            errors only\n"                                                   \
	"  -h, --help             this text\n"

struct cli {
	unsigned cmd; /* CLI_CHECK or CLI_SCAN */
	struct engine_config cfg;
	char ehlo[256];
	unsigned timeout_s;
	int verbose;
	bool json;                   /* check */
	const char *db;              /* scan */
	const char *label;           /* scan */
	const char *metrics;         /* scan: --metrics FILE */
	bool resume;                 /* scan */
	unsigned shard_k, shard_n;   /* scan: 0/0 = the whole list */
	enum target_format format;   /* scan */
	struct dkim_selectors *dkim; /* --dkim-selectors, loaded (owned) */
	const char *dkim_path;       /* ... and its file */
	struct rpki_data *rpki;      /* --rpki-cache / --rpki-vrps / --bgp-table (owned) */
	const char *rpki_cache, *rpki_vrps, *bgp_table; /* ... as given */
	char *strs[CLI_STRS_MAX]; /* option values copied from the config file */
	size_t nstrs;
	bool from_file;
};

/*
 * Fill c with the defaults of command cmd, then read --config files and the
 * command line (argv[0] is the command name). Returns 0 with optind at the
 * first operand, 1 when --help was asked (usage printed on stdout), or -1
 * after printing the problem (exit EXIT_USAGE). The engine configuration is
 * complete on 0 (cfg.ehlo_name points into c). Release with cli_free.
 */
int cli_parse(struct cli *c, unsigned cmd, int argc, char **argv, const char *usage);

void cli_free(struct cli *c);

/* "N" within lo..hi into *out; prints "mailscan: OPT: ..." and returns -1
 * otherwise. */
int cli_parse_uint(const char *opt, const char *s, unsigned lo, unsigned hi, unsigned *out);

/* The effective probing options as command-line text (stored with a run). */
void cli_options_text(const struct cli *c, char *out, size_t outlen);

#endif
