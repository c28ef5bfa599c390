/*
 * probe.h - the one small interface every check implements.
 *
 * A probe may start lookups of its own for a domain (through the services
 * in struct probe_env, which count them so the engine knows when the domain
 * is complete), and evaluates the gathered evidence into its verdict and
 * reason codes. Shared stages (MX set, MX host addresses, TLSA, the SMTP
 * probe of each address) are run by the engine before evaluation.
 * Adding a check = one new probes/<name>.c + one line in probe_registry.
 */
#ifndef MAILSCAN_PROBE_H
#define MAILSCAN_PROBE_H

#include "../base/fetch.h"
#include "scan.h"

struct probe_env;

typedef void (*probe_dns_cb)(struct domain_scan *ds, const struct dns_answer *a);
typedef void (*probe_fetch_cb)(struct domain_scan *ds, struct fetch_result *r);

/* Services the engine offers to probes. */
struct probe_env {
	/* Start a DNS query on behalf of ds; cb runs when it answers (not if
	 * the domain is abandoned at its deadline). Returns 0 or -1. */
	int (*query)(struct domain_scan *ds, const char *name, uint16_t type, probe_dns_cb cb);
	/* Start an HTTPS fetch on behalf of ds (same rules). */
	int (*fetch)(struct domain_scan *ds, const struct fetch_request *req, probe_fetch_cb cb);
	const char *ca_file; /* NULL: system store */
	unsigned timeout_ms;
	bool ncsc_skip; /* --skip-tls-ncsc: no tls_ncsc handshakes were made */
};

struct probe_ops {
	const char *name; /* key in "verdicts" (SPEC §4) */
	enum probe_id id;
	/* Start this probe's own lookups for ds (may be NULL). */
	void (*start)(struct domain_scan *ds, const struct probe_env *env);
	/* Derive the verdict from the evidence; called once everything is in. */
	void (*evaluate)(const struct domain_scan *ds, struct probe_verdict *out);
	/* Free what start stored in ds (may be NULL). */
	void (*cleanup)(struct domain_scan *ds);
};

extern const struct probe_ops probe_dnssec, probe_starttls, probe_tls_ncsc, probe_dane,
    probe_mta_sts, probe_tlsrpt;

/* All probes, in output order. */
extern const struct probe_ops *const probe_registry[PROBE_COUNT];

/*
 * Common pre-checks shared by the mail probes: sets n/a for null MX / no MX,
 * error for a domain that does not exist or whose MX lookup failed. Returns
 * true when it decided the verdict (the probe has nothing more to judge).
 */
bool probe_mail_precheck(const struct domain_scan *ds, struct probe_verdict *out);

#endif
