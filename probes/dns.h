/*
 * dns.h - asynchronous DNS with DNSSEC status, on getdns in recursive mode.
 *
 * getdns (libunbound inside) does the recursion and the validation; every
 * query carries the dnssec_return_all_statuses extension so that bogus
 * answers come back marked bogus instead of vanishing (SPEC §3 dnssec).
 * getdns's stub-mode validation is deliberately not used (SPEC §2).
 * The context is attached to the scanner's libevent base, so lookups never
 * block the loop, and libunbound's cache serves the whole run.
 */
#ifndef MAILSCAN_DNS_H
#define MAILSCAN_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "../base/str.h"

struct event_base;
struct dns;

#define DNS_T_A 1
#define DNS_T_MX 15
#define DNS_T_SOA 6
#define DNS_T_TXT 16
#define DNS_T_AAAA 28
#define DNS_T_TLSA 52

/* getdns's four DNSSEC states, kept as four (never a boolean). */
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
};

struct dns_rr {
	uint16_t type;
	uint16_t pref;                  /* MX preference */
	char name[DNS_NAME_MAX + 1];    /* MX exchange, lower case, no dot */
	char addr[48];                  /* A / AAAA in presentation form */
	int family;                     /* AF_INET / AF_INET6 for A / AAAA */
	uint8_t usage, selector, mtype; /* TLSA */
	unsigned char *data;            /* TLSA association data (owned) */
	size_t datalen;
	char *txt; /* TXT strings joined (owned) */
};

struct dns_answer {
	const char *qname; /* as asked */
	uint16_t qtype;
	enum dns_status status;
	int rcode;
	enum dnssec_state sec; /* of this answer (or denial) */
	size_t n;              /* records of qtype in the answer */
	struct dns_rr *rr;
	char canonical[DNS_NAME_MAX + 1]; /* after CNAMEs; "" when none */
	char error[128];                  /* human text when status != OK */
};

struct dns_config {
	const char *root_hints;   /* zone file with root NS + A/AAAA, or NULL */
	const char *trust_anchor; /* zone file with DS/DNSKEY, or NULL */
	unsigned timeout_ms;
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

const char *dnssec_state_name(enum dnssec_state s);
/* The worse of two states: bogus > indeterminate > insecure > secure > unknown. */
enum dnssec_state dnssec_worst(enum dnssec_state a, enum dnssec_state b);

#endif
