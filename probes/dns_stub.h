/*
 * dns_stub.h - a DNS stub client that takes the DNSSEC status from a
 * validating resolver's AD bit (mailscan --resolver ADDR[@PORT][,...]).
 *
 * For very large runs the recursion and validation are left to one or more
 * local validating resolvers (unbound) and mailscan only asks them: RD=1,
 * AD=1 (RFC 6840 §5.7), EDNS0 with DO=1 (RFC 6891, RFC 3225), UDP with a
 * fallback to TCP on TC=1 (RFC 7766). The AD bit means something only on a
 * trusted path (RFC 4035 §4.9.3, RFC 6840 §5.8; Postfix's
 * smtp_dns_support_level=dnssec makes the same rule): a loopback resolver,
 * or one the operator vouches for (--resolver-trusted). An answer from any
 * other resolver is STUB_SEC_UNTRUSTED, never secure.
 *
 * A validating resolver answers a bogus name with SERVFAIL. To tell that
 * apart from a name whose servers failed, the question is asked once more
 * with CD=1 (RFC 4035 §3.2.2): an answer then means the data exists and
 * failed validation (STUB_SEC_BOGUS, with the Extended DNS Error of the
 * SERVFAIL when there was one, RFC 8914).
 *
 * Everything runs on the caller's libevent base: no threads, no blocking
 * calls except in dns_stub_check, which runs the base itself.
 */
#ifndef MAILSCAN_DNS_STUB_H
#define MAILSCAN_DNS_STUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct sockaddr;
struct dns_stub;

/* The DNSSEC status of a reply, as the resolver's AD bit tells it. */
enum dns_stub_sec {
	STUB_SEC_INSECURE = 0,  /* AD=0 from a trusted resolver (or a SERVFAIL) */
	STUB_SEC_BOGUS = 1,     /* SERVFAIL, but an answer with CD=1: validation failed */
	STUB_SEC_SECURE = 2,    /* AD=1 from a trusted resolver */
	STUB_SEC_UNTRUSTED = 3, /* the resolver is not on a trusted path: not testable */
};

/*
 * The outcome of a query, called exactly once from the event loop (never
 * from inside dns_stub_query) unless the query is cancelled first.
 *   outcome  0: a reply, in wire (len octets), borrowed for the call only
 *            (check it with dns_answer_from_wire before reading it);
 *            DNS_TIMEOUT or DNS_FAILURE (probes/dns.h): wire is NULL.
 *   sec      the DNSSEC status of the reply (meaningless on SERVFAIL and
 *            when outcome != 0).
 *   why      never NULL; "" or a sanitised human text: why bogus (with the
 *            EDE code and text), which server failed, what timed out.
 * The callback may start, cancel and free queries, and free the stub.
 */
typedef void (*dns_stub_cb)(void *arg, int outcome, const uint8_t *wire, size_t len,
			    enum dns_stub_sec sec, const char *why);

/* Counters, for logs, benchmarks and the tests. */
struct dns_stub_stats {
	unsigned long queries;  /* dns_stub_query calls that started */
	unsigned long sent;     /* datagrams and TCP queries sent */
	unsigned long ignored;  /* replies dropped: wrong ID, other question, malformed */
	unsigned long tcp;      /* TC=1 answers repeated over TCP */
	unsigned long cd_retry; /* SERVFAILs asked again with CD=1 */
	unsigned long bogus;    /* of those, answered: validation failures */
	unsigned long timeouts; /* queries given up at the deadline */
	unsigned long failures; /* queries failed otherwise (refused, TCP error) */
	unsigned long inflight; /* outstanding now */
};

/*
 * Make a stub client on base for servers: "ADDR[@PORT]" items separated by
 * commas (IPv4 or IPv6 literals, port 53 by default; at most 16). A server
 * is trusted when its address is loopback or trusted_flag is set.
 * timeout_ms (0: 10000) bounds each exchange: the question (UDP, then TCP
 * after TC=1), and once more the CD=1 re-ask after a SERVFAIL, so a query
 * takes at most twice timeout_ms. Unanswered, a datagram is sent again to
 * the next server after a third of it. Returns NULL with a message in err
 * naming the bad item. Free with dns_stub_free.
 */
struct dns_stub *dns_stub_new(struct event_base *base, const char *servers, bool trusted_flag,
			      unsigned timeout_ms, char *err, size_t errlen);

/*
 * Cancel every outstanding query (their callbacks are never called) and
 * free s. NULL is fine.
 */
void dns_stub_free(struct dns_stub *s);

/*
 * Ask name (presentation form, a trailing dot optional; "." for the root)
 * for type in class IN. The queries are spread over the servers in turn.
 * Returns 0 with *id (may be NULL) set to a handle for dns_stub_cancel, or
 * -1 when the query could not be started (bad name, out of memory or
 * sockets); cb is then never called.
 */
int dns_stub_query(struct dns_stub *s, const char *name, uint16_t type, dns_stub_cb cb, void *arg,
		   uint64_t *id);

/* Forget query id; its callback is never called. Unknown ids are ignored. */
void dns_stub_cancel(struct dns_stub *s, uint64_t id);

/*
 * Check at start-up that the servers can be used: ask each one ". SOA",
 * running base (event_base_loop) until every answer is in or timed out.
 * Call it before the caller's loop runs. Returns 0, or -1 with a message in
 * err when no server answers, when a server refuses or fails the root, or
 * when a trusted server answers without the AD bit (it does not validate).
 * Servers that do not answer while another does are only logged.
 */
int dns_stub_check(struct dns_stub *s, char *err, size_t errlen);

/* Number of queries started (for logs and benchmarks). */
unsigned long dns_stub_queries(const struct dns_stub *s);
void dns_stub_get_stats(const struct dns_stub *s, struct dns_stub_stats *st);

/* Is a resolver at this address on a trusted path by itself: 127.0.0.0/8,
 * ::1 (and ::ffff:127.0.0.0/104)? */
bool dns_stub_addr_trusted(const struct sockaddr *sa);

/*
 * For the unit tests only (they can reach loopback servers alone): set every
 * server's trust, overriding the address rule and trusted_flag.
 */
void dns_stub_set_trust_for_tests(struct dns_stub *s, bool trusted);

/*
 * For the fuzzer and the tests only (a reply from the network cannot be
 * made to order otherwise): would the message m (len octets, from a server)
 * be taken as the reply with ID txid to the question qname/qtype, and what
 * Extended DNS Error does it carry? Runs the checks of the receive path
 * itself, not a copy. Fills ede (edelen octets; may be NULL) with the EDE
 * text as a SERVFAIL's would be shown, "" when none or not accepted.
 * Returns 1 when accepted, 0 when dropped, -1 when qname is not a name.
 */
int dns_stub_inspect_reply(const uint8_t *m, size_t len, uint16_t txid, const char *qname,
			   uint16_t qtype, char *ede, size_t edelen);

#endif
