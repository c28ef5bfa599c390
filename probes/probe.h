/*
 * probe.h - the one small interface every check implements.
 *
 * A probe declares what its standard is (name, titles, required or
 * recommended, what it rests on), may start lookups of its own for a domain
 * (through the services in struct probe_env, which count them so the engine
 * knows when the domain is complete) keeping their results in its own state
 * (ds->priv[id]), evaluates the gathered evidence into its verdict and
 * reason codes, and writes that evidence as one JSON object: check --json
 * prints it under the probe's name, the store keeps it as is
 * (probe_evidence), and the reports show it, all without knowing the probe.
 * Shared stages (MX set, MX host addresses, TLSA, the SMTP probe of each
 * address) are run by the engine before evaluation.
 * A probe that works per address rather than per domain (tls_ncsc: extra
 * handshakes with each IP) keeps per-run state (run_init / run_free) and
 * is told when each (MX host, address)'s STARTTLS probe is over
 * (addr_done); it schedules its own SMTP sessions and makes the host wait
 * for them through the services in struct probe_run_env. The engine
 * schedules (the per-IP queue, --per-ip, --rate, teardown); the probe
 * decides what to ask and what it means.
 * Adding a check = one new probes/<name>.c + one line in probes/probes.def
 * (which makes its id in scan.h, its declaration here and its place in
 * probe_registry), and its reason codes as rows of probes/reasons.def: code,
 * standard, severity and advice, given as R_<id> through verdict_add_reason.
 */
#ifndef MAILSCAN_PROBE_H
#define MAILSCAN_PROBE_H

#include "../base/fetch.h"
#include "scan.h"

struct probe_env;
struct json;
struct dkim_selectors;
struct event_base;
struct smtp_hooks;
struct probe_run;
struct probe_session;
struct rpki_data;

typedef void (*probe_dns_cb)(struct domain_scan *ds, const struct dns_answer *a);
typedef void (*probe_fetch_cb)(struct domain_scan *ds, struct fetch_result *r);

/* Services the engine offers to probes. */
struct probe_env {
	/* Start a DNS query on behalf of ds; cb runs when it answers (not if
	 * the domain is abandoned at its deadline). Returns 0 or -1. */
	int (*query)(struct domain_scan *ds, const char *name, uint16_t type, probe_dns_cb cb);
	/* Send one query for name/type straight to the name server at server
	 * (an IPv4 or IPv6 literal, port 53; probes/dns_stub.c), not through
	 * the resolver, on behalf of ds (same rules as query). a->server is
	 * server; when this machine has no route to server's address family
	 * (a UDP connect says ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL or
	 * EAFNOSUPPORT) nothing is sent and a->unreachable is set (status
	 * DNS_FAILURE). a->sec means nothing here. Returns 0 or -1. */
	int (*query_at)(struct domain_scan *ds, const char *server, const char *name, uint16_t type,
			probe_dns_cb cb);
	/* Start an HTTPS fetch on behalf of ds (same rules). */
	int (*fetch)(struct domain_scan *ds, const struct fetch_request *req, probe_fetch_cb cb);
	unsigned timeout_ms;
	bool ncsc_skip; /* --skip-tls-ncsc: no tls_ncsc handshakes were made */
	/* --dkim-selectors: known selectors per domain (probes/dkim.h), or NULL */
	const struct dkim_selectors *dkim_selectors;
	/* --rpki-cache / --rpki-vrps / --bgp-table (probes/rpki.h), or NULL: no
	 * RPKI source (the rpki probe says rpki-no-source) */
	const struct rpki_data *rpki;
};

/* A probe's SMTP session is over (probe_run_env.session): ar is the
 * probe's own, filled as by smtp_probe_start (probes/smtp.h). */
typedef void (*probe_session_cb)(struct addr_result *ar, void *arg);

/*
 * Services the engine offers to a probe's per-run state (probe_ops.run_init):
 * for work per address that outlives any one domain. run is the engine's
 * handle of this probe in this run, to pass back. Everything is borrowed
 * and lives until run_free.
 */
struct probe_run_env {
	struct probe_run *run;
	struct event_base *base; /* the engine's loop: the probe's own timers */
	unsigned timeout_ms;     /* --timeout: the deadline of each network step */
	/*
	 * Queue one SMTP session (probes/smtp.h, smtp_probe_start_hooked:
	 * EHLO, STARTTLS, the handshake with hooks, QUIT) to ar->ip for host
	 * (the name only: SNI; not the engine's), first in that IP's queue
	 * so that the probe's sessions run as one piece, under --per-ip and
	 * --rate like every address probe, counted in the run's SMTP probes
	 * and in this probe's sessions. *sp is set to the session's handle
	 * before anything starts; done(ar, arg) runs exactly once when it is
	 * over (also when it could not start: ar then says why; this may be
	 * before session returns), unless it is cancelled or the run is torn
	 * down. host, ar and hooks are borrowed until then. Returns 0, or -1
	 * (out of memory: nothing queued, done never runs).
	 */
	int (*session)(struct probe_run *run, const struct mx_host *host, struct addr_result *ar,
		       const struct smtp_hooks *hooks, probe_session_cb done, void *arg,
		       struct probe_session **sp);
	/* Take a queued or running session back; its done does not run. */
	void (*session_cancel)(struct probe_run *run, struct probe_session *s);
	/* Make the MX host (as given to addr_done) wait for the probe's work:
	 * it is not done, and the domains that list it are not judged (but
	 * at their deadlines), until as many host_release calls. */
	void (*host_hold)(struct probe_run *run, struct mx_host *host);
	/* The work host waited for is over. May finish domains, hand them out
	 * and drop hosts from the cache (addr_free) before it returns. */
	void (*host_release)(struct probe_run *run, struct mx_host *host);
	/* engine_stop was called: start nothing more. */
	bool (*stopping)(const struct probe_run *run);
	/* Count one address the probe started its work on (the run's
	 * statistics; its sessions are counted by session). */
	void (*count_addr)(struct probe_run *run);
};

enum probe_level { PROBE_REQUIRED = 0, PROBE_RECOMMENDED };

/*
 * Facts a probe can state about a domain from its own evidence, for other
 * probes to ask (probe_fact) without knowing its state: what makes a domain
 * non-sending (SPF "v=spf1 -all" and DMARC p=reject, as Forum
 * Standaardisatie and internet.nl count them).
 */
enum probe_fact {
	PROBE_FACT_SPF_DENY_ALL, /* the SPF record is exactly "v=spf1 -all" */
	PROBE_FACT_DMARC_REJECT, /* DMARC p=reject (pct 100) applies */
};

struct probe_ops {
	const char *name; /* key in "verdicts" (SPEC §4) */
	enum probe_id id;
	const char *title[2];   /* the standard's name: nl, en */
	enum probe_level level; /* Forum Standaardisatie: verplicht / aanbevolen */
	const char *basis[2];   /* what it rests on (RFCs, lists): nl, en */
	bool mx_bound;          /* its failures sit with the MX hosts (a provider fixes them) */
	/* The report judges this probe together with another one, by name
	 * ("dane" with "starttls": one standard that passes when both do);
	 * NULL: a standard of its own. */
	const char *report_with;
	/* Start this probe's own lookups for ds (may be NULL). */
	void (*start)(struct domain_scan *ds, const struct probe_env *env);
	/* Derive the verdict from the evidence; called once everything is in. */
	void (*evaluate)(const struct domain_scan *ds, struct probe_verdict *out);
	/* Free what start stored in ds (may be NULL). */
	void (*cleanup)(struct domain_scan *ds);
	/* Write the evidence behind the verdict as one JSON object (a value:
	 * the caller wrote the key). NULL for the probes whose evidence is
	 * still written by scanner/output.c under SPEC §4's older keys. */
	void (*evidence)(const struct domain_scan *ds, struct json *j);
	/* One line of words on what it found wrong, for check's readable
	 * output (borrowed from ds; NULL when there is nothing to say). May be
	 * NULL. */
	const char *(*detail)(const struct domain_scan *ds);
	/* Write this probe's evidence about MX host h (host_evidence) or
	 * about one of its addresses (addr_evidence) as keys of that host's
	 * or address's object in check --json's "mx" (SPEC §4); the engine's
	 * own facts (name, preference, the addresses' DNSSEC, the IP) are
	 * written first. May be NULL. */
	void (*host_evidence)(const struct domain_scan *ds, const struct mx_host *h,
			      struct json *j);
	void (*addr_evidence)(const struct domain_scan *ds, const struct mx_host *h,
			      const struct addr_result *ar, struct json *j);
	/* Does this probe's evidence state fact f about ds? (may be NULL) */
	bool (*fact)(const struct domain_scan *ds, enum probe_fact f);
	/* Under --skip the probe still evaluates (it judges its own skip)
	 * instead of the engine's error "skipped". */
	bool evaluates_skipped;
	/*
	 * Work per address, for the whole run (all may be NULL; none is
	 * called when the probe is skipped, --skip):
	 * run_init, when the engine is created: set *state (the probe's,
	 * handed to the others; env lives until run_free). 0, or -1 with err
	 * filled (the engine is not created).
	 * addr_done, once per (MX host, address) whose STARTTLS probe is over
	 * (ar->status says how it went; ADDR_LOCAL_ERROR when it could not
	 * even start): the probe may attach its findings to ar, queue
	 * sessions and make host wait (env's services).
	 * addr_free, when the engine drops ar (its host leaves the cache, or
	 * the run ends): let go of what addr_done attached to it.
	 * run_free, when the engine is freed (also after engine_stop in the
	 * middle of the probe's work), after every session was aborted and
	 * every host freed, before the loop is: free everything.
	 */
	int (*run_init)(const struct probe_run_env *env, void **state, char *err, size_t errlen);
	void (*addr_done)(void *state, struct mx_host *host, struct addr_result *ar);
	void (*addr_free)(void *state, struct addr_result *ar);
	void (*run_free)(void *state);
};

#define PROBE(name, ID) extern const struct probe_ops probe_##name;
#include "probes.def"
#undef PROBE

/* All probes, in output (and evaluation) order. */
extern const struct probe_ops *const probe_registry[PROBE_COUNT];

/*
 * The TXT records of a NOERROR answer (each record's strings joined), at
 * most max, borrowed from a, sorted: an RRset has no order, and evidence
 * that shows "the first record" must not change between two runs. Returns
 * how many were put in txt.
 */
size_t probe_txt_sorted(const struct dns_answer *a, const char **txt, size_t max);

/* True when some probe states fact f about ds (its fact hook). */
bool probe_fact(const struct domain_scan *ds, enum probe_fact f);

/* The parent of a domain name (the name after its first label), or NULL
 * when it has fewer than two labels (a TLD: no zone of a domain). Borrowed
 * from name. */
const char *probe_name_parent(const char *name);

/* The probe called name, or NULL. */
const struct probe_ops *probe_find(const char *name);

/* Is probe p's evidence about ds shown (check --json) and stored: not when
 * it was skipped (--skip), unless it judges its own skip. */
bool probe_shows(const struct domain_scan *ds, const struct probe_ops *p);

/* Every shown probe's evidence about MX host h (ar NULL) or its address ar,
 * into the object open in j: the probes' keys side by side (check --json,
 * SPEC §4), or with by_probe each probe's under its name ({"dane": {...}}:
 * the store's shape, db.c). */
void probe_mx_evidence(const struct domain_scan *ds, const struct mx_host *h,
		       const struct addr_result *ar, struct json *j, bool by_probe);

/*
 * The domain's own DNS failed (its MX lookup: no answer, or NXDOMAIN): the
 * probes that judge the domain itself start no lookups of their own.
 */
bool probe_domain_failed(const struct domain_scan *ds);

/*
 * The pre-check of every probe: error for a domain that does not exist
 * (nxdomain) or whose MX lookup failed (dns-timeout for a lame delegation,
 * dns-error). Returns true when it decided the verdict.
 */
bool probe_domain_precheck(const struct domain_scan *ds, struct probe_verdict *out);

/*
 * Common pre-checks shared by the mail probes: sets n/a for null MX / no MX,
 * error for a domain that does not exist or whose MX lookup failed. Returns
 * true when it decided the verdict (the probe has nothing more to judge).
 */
bool probe_mail_precheck(const struct domain_scan *ds, struct probe_verdict *out);

#endif
