/*
 * dns_ub.h - libunbound on a thread of its own, beside the caller's loop.
 *
 * Recursion and DNSSEC validation are most of a scan's CPU (the signature
 * checks above all), and the loop that speaks SMTP and TLS and writes the
 * store is the rest: on one thread each waits for the other. Here
 * libunbound runs on its own libevent base in its own thread (its event API,
 * ub_resolve_event), and questions and answers cross between the threads in
 * batches, each way through a queue under one mutex and a pipe that wakes
 * the other side once per batch, never blocking the caller.
 *
 * libunbound's own thread mode (ub_ctx_async) was measured and not kept: it
 * writes every question into a socket pair with a blocking write, which
 * stalled the loop (19 % of its samples asleep in the kernel's send path
 * on the scale lab's 10,000 domains), and parses every answer once more in
 * the caller's thread to fill a struct ub_result nobody here reads.
 *
 * Threads: dns_ub_new, dns_ub_ctx (until dns_ub_start), dns_ub_resolve,
 * dns_ub_abandon and dns_ub_free are called from the caller's loop thread
 * only; callbacks run there too. The ub_ctx is the resolver thread's once
 * dns_ub_start has returned.
 */
#ifndef MAILSCAN_DNS_UB_H
#define MAILSCAN_DNS_UB_H

#include <stddef.h>
#include <stdint.h>

/* The resolver's loop measures how late it runs this often (dns_ub_lag_ms). */
#define DNS_UB_TICK_MS 50

struct event_base;
struct ub_ctx;
struct dns_ub;
struct dns_ub_query;

/*
 * The answer to a query, called once from the caller's loop unless the query
 * was abandoned first.
 *   rcode  0: wire holds the reply (len octets), handed over: the callee
 *          frees it. Otherwise wire is NULL and rcode is libunbound's
 *          error (< 0, ub_strerror) or the response code of its own
 *          failure (> 0: SERVFAIL when no server gave a usable answer).
 *   sec    libunbound's: 0 insecure, 1 bogus, 2 secure.
 *   why    "" or why bogus, sanitised; borrowed for the call.
 * The callback may start and abandon queries; it must not free the dns_ub.
 */
typedef void (*dns_ub_cb)(void *arg, int rcode, uint8_t *wire, size_t len, int sec,
			  const char *why);

/* A resolver on base's thread, its context not yet configured: set it up
 * through dns_ub_ctx, then start it. NULL (with err) on failure. */
struct dns_ub *dns_ub_new(struct event_base *base, char *err, size_t errlen);

/* The context to configure (ub_ctx_set_option, trust anchors), only until
 * dns_ub_start. */
struct ub_ctx *dns_ub_ctx(struct dns_ub *u);

/* Start the resolver thread. -1 (with err) on failure. */
int dns_ub_start(struct dns_ub *u, char *err, size_t errlen);

/* Ask name/type (class IN). NULL when out of memory. */
struct dns_ub_query *dns_ub_resolve(struct dns_ub *u, const char *name, int type, dns_ub_cb cb,
				    void *arg);

/* The caller no longer wants q's answer: its callback is never called, and
 * q must not be used again (it is freed when libunbound is done with it).
 * NULL: nothing to abandon. */
void dns_ub_abandon(struct dns_ub_query *q);

/* How late, in milliseconds, the resolver thread's loop last ran a timer
 * due then: how long one turn of it takes, i.e. how far libunbound is
 * behind its work (0 when it keeps up); every DNS_UB_TICK_MS. ticks (if not
 * NULL): how many such measures there were so far. Any thread. */
unsigned dns_ub_lag_ms(struct dns_ub *u, unsigned long *ticks);

/* The DNSSEC signature checks libunbound made on the resolver thread so far
 * (*checks), and how many of them tests/libunbound.patch's memo of good
 * signatures answered without the crypto (*memo): counted as of the last
 * answers handed over. Both 0 when libunbound is not built with the patch,
 * which is what counts them. Any thread. */
void dns_ub_sigs(struct dns_ub *u, unsigned long *checks, unsigned long *memo);

/* Stop the thread and free everything; no callback is called. */
void dns_ub_free(struct dns_ub *u);

#endif
