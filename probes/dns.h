/*
 * dns.h - asynchronous DNS with DNSSEC status, on libunbound's event API.
 *
 * libunbound does the recursion and the validation (RFC 4033-4035) on a
 * libevent base in a thread of its own (probes/dns_ub.c), so lookups never
 * block the loop, the signature checks run beside the SMTP and TLS work,
 * and its cache serves the whole run. It is driven directly
 * (ub_ctx_create_event / ub_resolve_event) rather than through getdns,
 * because a scanner needs settings getdns cannot pass on: libunbound's
 * library defaults (16 outgoing UDP ports, 2 TCP connections, 1 MB caches)
 * starve every healthy query behind a few lame delegations (see dns.c).
 * With --resolver, the queries go to validating resolvers instead
 * (probes/dns_stub.c).
 *
 * Every reply is checked before any field of it is read (dns_answer_from_wire,
 * probes/dns_wire.c): the QR bit, the opcode, one question equal to the one
 * asked, counts and bounds. A reply that fails is DNS_BADREPLY, never NODATA.
 */
#ifndef MAILSCAN_DNS_H
#define MAILSCAN_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/str.h"
#include "reason.h"

struct event_base;
struct dns;

#define DNS_T_A 1
#define DNS_T_NS 2
#define DNS_T_MX 15
#define DNS_T_SOA 6
#define DNS_T_TXT 16
#define DNS_T_AAAA 28
#define DNS_T_TLSA 52
#define DNS_T_CAA 257

/* The four DNSSEC states of RFC 4035 §4.3, kept as four (never a boolean). */
enum dnssec_state {
	SEC_UNKNOWN = 0, /* not asked / no answer */
	SEC_SECURE,
	SEC_INSECURE,
	SEC_BOGUS,
	SEC_INDETERMINATE,
};

enum dns_status {
	DNS_OK = 0,   /* NOERROR (with or without records of the type) */
	DNS_NXDOMAIN, /* name does not exist */
	DNS_SERVFAIL, /* SERVFAIL or another failing rcode */
	DNS_TIMEOUT,  /* no answer within the timeout */
	DNS_FAILURE,  /* local or library failure */
	DNS_BADREPLY, /* a reply that is not the answer to the question asked */
};

struct dns_rr {
	uint16_t type;
	uint16_t pref;                  /* MX preference */
	char name[DNS_NAME_MAX + 1];    /* MX exchange, NS host: lower case, no dot */
	char addr[48];                  /* A / AAAA in presentation form */
	int family;                     /* AF_INET / AF_INET6 for A / AAAA */
	uint8_t usage, selector, mtype; /* TLSA; CAA: flags in usage */
	unsigned char *data;            /* TLSA association data (owned) */
	size_t datalen;
	char *txt; /* TXT strings joined; CAA: "tag value", the tag in lower
		    * case, the value's non-printables as '?' (owned) */
};

struct dns_answer {
	const char *qname; /* as asked */
	uint16_t qtype;
	enum dns_status status;
	int rcode;             /* -1 when there was no reply */
	enum dnssec_state sec; /* of this answer (or denial) */
	size_t n;              /* records of qtype in the answer */
	struct dns_rr *rr;
	char canonical[DNS_NAME_MAX + 1]; /* after CNAMEs; "" when none */
	char error[160];                  /* human text when status != OK */
	/* probe_env.query_at only: the server asked (an IP literal), and
	 * whether this machine has no route to its address family (the query
	 * was not sent: status DNS_FAILURE) */
	const char *server;
	bool unreachable;
};

struct dns_config {
	const char *root_hints;   /* zone file with root NS + A/AAAA, or NULL */
	const char *trust_anchor; /* zone file with DS/DNSKEY, or NULL: the IANA root */
	/* stub mode (--resolver): "ADDR[@PORT][,...]" of validating resolvers
	 * whose AD bit is the DNSSEC status; trusted on loopback, or with
	 * resolver_trusted (--resolver-trusted); NULL: recursive mode */
	const char *resolver;
	bool resolver_trusted;
	unsigned timeout_ms;
	/* recursive mode: queries outstanding at once; stub mode: queries at the
	 * resolver at once (DNS_STUB_WINDOW); 0: the default */
	unsigned max_inflight;
	unsigned rate; /* queries sent per second at most, 0: no limit */
};

/*
 * Stub mode: at most this many queries sent to the resolvers in the last
 * DNS_STUB_WINDOW_MS and not yet answered; the rest wait, in order, and their
 * deadline starts when they are sent. A resolver reads its queries from one
 * socket buffer per thread, 208 KB by default in Linux: about 256 queries
 * (sent 600 at once without the window, a resolver in test_dns_stub_window
 * that had not read yet kept exactly 256; the kernel dropped the rest).
 * Measured on the scale lab (10,000 domains, --concurrency 500, unbound
 * with two threads and default buffers): without a window mailscan had up
 * to 6,400 queries outstanding, the kernel dropped 3,000 to 7,600 of them at
 * the resolver's sockets, and 16 to 325 lookups of healthy domains timed
 * out although each was sent three times; with 200 (or 128, or 256), no
 * drops, no such timeouts, about 5 % more wall time; with 512, drops
 * again. A query older than DNS_STUB_WINDOW_MS leaves the window (the
 * resolver has read it; one that waits on a lame server must not hold a
 * place for the whole timeout).
 */
#define DNS_STUB_WINDOW 200
#define DNS_STUB_WINDOW_MS 1000

/*
 * Recursive mode: the queries handed to libunbound and not yet answered are
 * a window too, of at most the outgoing range (4,096), sized by how far the
 * resolver thread is behind its work: the lateness of a timer in its loop
 * (dns_ub_lag_ms), i.e. how long one turn of that loop takes. A new measure
 * above --timeout / DNS_UB_LAG_DIV shrinks the window by a quarter, each
 * answer while it keeps up widens it by one (dns_window_next); it starts at
 * DNS_UB_WINDOW_MIN and never goes below. What does not fit waits in
 * mailscan, its deadline not yet running; a query older than the larger of
 * DNS_STUB_WINDOW_MS and half --timeout leaves the window (one at a lame
 * server must not hold a place to its deadline).
 *
 * Without it, every question went to libunbound at once, and a query's
 * deadline ran while it queued behind thousands of others in the resolver
 * thread, each turn of its loop slower than the last: on the scale lab's
 * 10,000 domains, healthy ones were stored with dns-timeout (782 at
 * --concurrency 2000, 6,743 at 5000; 0 at 50 and 500), and on 2,000 of them
 * at --concurrency 5000 --timeout 2 the collapse was back (4,897 dns-timeout
 * verdicts). A fixed window of 1,000 held at every --concurrency and even
 * --timeout 1 but cost 8 to 15 % of the wall time at 500: the resolver ran
 * dry whenever the loop was busy storing results. This one gives the same
 * verdicts at --concurrency 50 to 5,000, --timeout 1 to 5, and the speed of
 * no window at 500.
 */
#define DNS_UB_WINDOW_MIN 256
#define DNS_UB_LAG_DIV 20

/* The window's next size from cap (between lo and hi): a quarter less when
 * a new measure (measured) of the resolver's lag is above limit, one more
 * when an answer came (answered) while it is not. Exposed for the tests. */
unsigned dns_window_next(unsigned cap, unsigned lo, unsigned hi, bool measured, unsigned lag,
			 unsigned limit, bool answered);

struct dns_stats {
	unsigned long queries;     /* started */
	unsigned long timeouts;    /* given up by our own timer */
	unsigned long badreply;    /* replies refused by the checks */
	unsigned long servfail;    /* SERVFAIL and other failing rcodes */
	unsigned long answered;    /* answers (NOERROR, NXDOMAIN) or bogus replies:
				    * proof that some name server was reached */
	unsigned long inflight;    /* outstanding now */
	unsigned long peak;        /* most outstanding at once */
	unsigned long memo_hits;   /* answered from the memo of repeated questions
				    * (dns.c): not in queries, nothing sent */
	unsigned long joined;      /* asked while the same question was under way:
				    * given its reply, nothing sent */
	unsigned long window_cuts; /* recursive mode: the window shrunk (dns_adapt) */
	unsigned long window_peak; /* ... and its widest */
	unsigned long sig_checks;  /* recursive mode with tests/libunbound.patch:
				    * DNSSEC signature checks by libunbound */
	unsigned long sig_memo;    /* ... of them answered from its memo of
				    * good signatures, without the crypto */
};

typedef void (*dns_cb)(const struct dns_answer *a, void *arg);

/*
 * Make a recursive, validating resolver on base. Returns NULL with a message
 * in err (naming the file and problem) on failure. Free with dns_free.
 */
struct dns *dns_new(struct event_base *base, const struct dns_config *cfg, char *err,
		    size_t errlen);
void dns_free(struct dns *d);

/*
 * Start a query; cb is called exactly once from the loop (never from inside
 * dns_query) unless dns_cancel is called first. The answer passed to cb is
 * borrowed for the duration of the call. Returns 0, or -1 when the query
 * could not be started (cb is then not called).
 */
int dns_query(struct dns *d, const char *name, uint16_t type, dns_cb cb, void *arg, uint64_t *txid);
void dns_cancel(struct dns *d, uint64_t txid);

/* Number of queries sent (for logs and benchmarks). */
unsigned long dns_queries(const struct dns *d);
void dns_get_stats(const struct dns *d, struct dns_stats *st);

/*
 * Fill a (zeroed, with qname and qtype set) from a reply in wire format,
 * after checking it: QR set, opcode QUERY, a known rcode, exactly one
 * question equal (case-insensitively) to a->qname / a->qtype / class IN,
 * section counts that match the records. sec is the validator's verdict
 * (0 insecure, 1 bogus, 2 secure, as libunbound gives it). Frees nothing of
 * wire; a's records are freed by dns_answer_free. Exposed for the unit tests
 * and the fuzzer.
 */
void dns_answer_from_wire(struct dns_answer *a, const uint8_t *wire, size_t len, int sec);
void dns_answer_free(struct dns_answer *a);

/*
 * The seconds a reply in wire format may be kept: the smallest TTL of its
 * answer and authority records (a negative answer's is its SOA's). 0, or
 * -1 when the reply is malformed or has no such record (nothing says how
 * long: keep it not at all). Exposed for the unit tests.
 */
int dns_wire_ttl(const uint8_t *wire, size_t len, uint32_t *ttl);

const char *dnssec_state_name(enum dnssec_state s);
const char *dns_status_name(enum dns_status s);
/* The reason code of a failed lookup: R_DNS_TIMEOUT or R_DNS_ERROR. */
enum reason dns_status_reason(enum dns_status s);
/* The worse of two states: bogus > indeterminate > insecure > secure > unknown. */
enum dnssec_state dnssec_worst(enum dnssec_state a, enum dnssec_state b);

#endif
