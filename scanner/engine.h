/*
 * engine.h - runs the checks of a list of domains on one libevent loop.
 *
 * The engine owns the loop's users (getdns, libcurl multi, the SMTP
 * sessions), a bounded window of domains in flight (--concurrency), the
 * per-run caches (each MX host resolved once, each (host, address) probed
 * once, however many domains share them), the per-IP connection limit
 * (--per-ip), and a total deadline per domain. Results are handed out in
 * input order.
 */
#ifndef MAILSCAN_ENGINE_H
#define MAILSCAN_ENGINE_H

#include <stddef.h>

#include "../probes/scan.h"

struct event_base;
struct engine;

struct engine_config {
	const char *root_hints;   /* NULL: the real root */
	const char *trust_anchor; /* NULL: getdns's default (IANA) */
	const char *ca_file;      /* NULL: system store */
	const char *ehlo_name;
	unsigned timeout_ms;        /* per network step */
	unsigned domain_timeout_ms; /* total per domain */
	unsigned concurrency;       /* domains in flight */
	unsigned per_ip;            /* simultaneous SMTP connections per IP */
	unsigned max_mx;            /* MX hosts tested per domain */
};

/* Called once per domain, in input order; ds is borrowed for the call. */
typedef void (*engine_result_cb)(const struct domain_scan *ds, void *arg);

struct engine *engine_new(const struct engine_config *cfg, char *err, size_t errlen);
void engine_free(struct engine *e);

/*
 * Check n domains (already normalised names, borrowed). Returns 0 when
 * every domain was reported through cb, -1 on a local failure (message
 * logged).
 */
int engine_run(struct engine *e, char *const *domains, size_t n, engine_result_cb cb, void *arg);

struct engine_stats {
	unsigned long dns_queries;
	unsigned long hosts;       /* unique MX hosts resolved */
	unsigned long smtp_probes; /* SMTP connections made */
};
void engine_get_stats(const struct engine *e, struct engine_stats *st);

#endif
