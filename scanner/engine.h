/*
 * engine.h - runs the checks of a list of domains on one libevent loop.
 *
 * The engine owns the loop's users (libunbound, libcurl multi, the SMTP
 * sessions), a bounded window of domains in flight (--concurrency, adapted
 * to timeouts), the
 * per-run caches (each MX host resolved once, each (host, address) probed
 * once, however many domains share them), the per-IP connection limit
 * (--per-ip), and a total deadline per domain. Probes that work per address
 * (tls_ncsc) keep per-run state of their own and run their SMTP sessions
 * through the engine's per-IP queues (probes/probe.h, struct
 * probe_run_env). Results are handed out in input order.
 */
#ifndef MAILSCAN_ENGINE_H
#define MAILSCAN_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "../probes/scan.h"

struct event_base;
struct engine;

struct engine_config {
	const char *root_hints;   /* NULL: the real root */
	const char *trust_anchor; /* NULL: the IANA root anchors */
	const char *resolver;     /* --resolver: stub mode through these, NULL: recursive */
	bool resolver_trusted;    /* --resolver-trusted: its AD bit counts off loopback too */
	const char *ca_file;      /* NULL: system store */
	const char *ehlo_name;
	unsigned timeout_ms;        /* per network step */
	unsigned domain_timeout_ms; /* total per domain */
	unsigned concurrency;       /* domains in flight */
	unsigned per_ip;            /* simultaneous SMTP connections per IP */
	unsigned max_mx;            /* MX hosts tested per domain */
	unsigned rate;              /* new SMTP connections per second, 0 = no limit */
	unsigned dns_rate;          /* DNS queries per second, 0 = no limit */
	unsigned retry_delay_ms;    /* back-off before the one retry of a transient failure */
	unsigned host_cache;        /* finished MX hosts kept for reuse, 0 = default (5000) */
	bool skip_ncsc;             /* no tls_ncsc probe (its verdict: error, ncsc-skipped) */
	unsigned skip_mask;         /* 1 << probe id: probes not run (--skip); error, skipped */
	const struct dkim_selectors *dkim_selectors; /* --dkim-selectors, or NULL (borrowed) */
	const struct rpki_data *rpki; /* --rpki-cache/-vrps, --bgp-table, or NULL (borrowed) */
};

/* Called once per finished domain; ds is borrowed for the call. */
typedef void (*engine_result_cb)(const struct domain_scan *ds, void *arg);

/* Pull the next domain: copy its normalised name into name (DNS_NAME_MAX + 1
 * bytes) and return 1; 0 when the list is done; -1 on a local failure (the
 * engine then takes no more and engine_run_source returns -1 once the
 * domains in flight are finished). */
typedef int (*engine_source_cb)(char *name, void *arg);

struct engine *engine_new(const struct engine_config *cfg, char *err, size_t errlen);
void engine_free(struct engine *e);

/*
 * Check n domains (already normalised names, borrowed). Returns 0 when
 * every domain was reported through cb, -1 on a local failure (message
 * logged).
 */
int engine_run(struct engine *e, char *const *domains, size_t n, engine_result_cb cb, void *arg);

/*
 * Check the domains src hands out, at most cfg.concurrency of them in flight
 * at a time, so memory follows the window, not the list. Results go to cb in
 * input order when ordered is true (a slow domain then holds back the ones
 * after it), else as soon as each domain is finished. Returns 0 when the
 * source ran dry and every domain was handed out; 1 after engine_stop (the
 * domains in flight are dropped unreported); -1 on a local failure.
 */
int engine_run_source(struct engine *e, engine_source_cb src, void *srcarg, bool ordered,
		      engine_result_cb cb, void *arg);

/* Stop the run from a callback or an event on engine_base(): no new domain
 * starts, nothing more is reported, engine_run_source returns 1 soon. */
void engine_stop(struct engine *e);

/* The engine's event loop (borrowed), e.g. for a signal or progress timer. */
struct event_base *engine_base(struct engine *e);

struct engine_stats {
	unsigned long domains;         /* domains started */
	unsigned long dns_queries;     /* sent to the resolver */
	unsigned long dns_memo_hits;   /* repeated questions answered from dns.c's memo */
	unsigned long dns_joined;      /* questions that joined the same one under way */
	unsigned long dns_window_peak; /* recursive mode: widest window of queries at libunbound */
	unsigned long dns_window_cuts; /* ... and how often it shrank (its thread lagged) */
	unsigned long dns_sig_checks;  /* recursive mode, patched libunbound: DNSSEC
					* signature checks */
	unsigned long dns_sig_memo;    /* ... of them answered from the memo */
	unsigned long hosts;           /* unique MX hosts resolved */
	unsigned long smtp_probes;     /* SMTP connections made (retries included) */
	unsigned long smtp_retries;    /* transient failures tried again */
	unsigned long hosts_evicted;   /* idle MX hosts dropped from the cache */
	unsigned long ncsc_probes;     /* addresses the tls_ncsc probe ran on (count_addr) */
	unsigned long ncsc_handshakes; /* its SMTP sessions (also in smtp_probes) */
	unsigned long smtp_timeouts;   /* SMTP sessions that timed out */
	unsigned long dns_timeouts;    /* DNS queries given up on */
	unsigned long dns_badreply;    /* DNS replies refused by the checks */
	unsigned long dns_servfail;    /* DNS answers SERVFAIL (or another failing rcode) */
	unsigned long dns_peak;        /* DNS queries outstanding at most */
	unsigned long dns_answered;    /* DNS answers: 0 = no name server was reached */
	unsigned window;               /* domains in flight allowed now (adaptive) */
	unsigned window_lowest;        /* the smallest the window became */
};
void engine_get_stats(const struct engine *e, struct engine_stats *st);

/* The window of domains in flight now: --concurrency, halved when timeouts
 * rise and widened again when they fall (engine.c, engine_on_aimd). */
unsigned engine_window(const struct engine *e);

#endif
