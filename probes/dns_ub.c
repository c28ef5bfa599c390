/*
 * dns_ub.c - libunbound on a thread of its own (see dns_ub.h).
 *
 * A query lives in exactly one place at a time:
 *   submitted  in u->submitq (under u->mu), until the resolver thread takes it;
 *   live       in u->live, inside libunbound (the resolver thread's alone);
 *   done       in u->done, answered, until the flush event of the resolver
 *              thread moves the batch on (the resolver thread's alone);
 *   returned   in u->resultq (under u->mu), until the caller's loop takes it.
 * The caller's loop frees every query it takes back, calling back only for
 * those it has not abandoned. Abandoning is one atomic flag: the caller
 * never touches a query again after it, whatever thread holds it. A query
 * answered inside ub_resolve_event (from the cache, or local data) is only
 * put in u->done there, so no query is seen by the caller before the
 * resolver thread is done with it.
 *
 * A timer in the resolver thread's loop, every DNS_UB_TICK_MS, measures how
 * late it runs: how long a turn of that loop takes, i.e. how far libunbound
 * is behind its work (dns_ub_lag_ms; dns.c sizes its window of queries by
 * it).
 */
#include "dns_ub.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>
#include <unbound-event.h>
#include <unbound.h>
#include <unistd.h>

#include "../base/mono.h"
#include "../base/str.h"
#include "dns.h"

struct dns_ub_query {
	struct dns_ub *u;
	char qname[DNS_NAME_MAX + 1];
	int qtype;
	dns_ub_cb cb;
	void *arg;
	atomic_bool abandoned; /* set by the caller, read by both threads */
	int ub_id;             /* libunbound's, while live */
	/* the answer, filled in by the resolver thread */
	int rcode;
	int sec;
	uint8_t *wire;
	size_t wlen;
	char why[96];
	TAILQ_ENTRY(dns_ub_query) link;
};

TAILQ_HEAD(dns_ub_queries, dns_ub_query);

struct dns_ub {
	struct event_base *base;  /* the caller's */
	struct event_base *rbase; /* the resolver thread's */
	struct ub_ctx *ub;
	pthread_t tid;
	bool started;
	pthread_mutex_t mu;
	/* under mu */
	struct dns_ub_queries submitq, resultq;
	bool resolver_woken, caller_woken, quit;
	/* DNSSEC signature checks by this thread so far, and how many of them
	 * the memo of good signatures answered (tests/libunbound.patch; 0 on
	 * a libunbound without it), as of the last batch handed over */
	unsigned long sig_checks, sig_memo;
	/* the resolver thread's */
	struct dns_ub_queries live, done;
	struct event *wake_ev;  /* in rbase: questions (or quit) came */
	struct event *flush_ev; /* in rbase: hand u->done over */
	struct event *tick_ev;  /* in rbase: measures how late the loop runs */
	struct timespec tick_armed;
	atomic_uint lag_ms; /* how late the last tick came (read by the caller) */
	atomic_ulong ticks; /* ticks so far */
	/* the caller's */
	struct event *answer_ev; /* in base: answers came */
	int to_resolver[2], to_caller[2];
};

static void dns_ub_poke(int fd)
{
	static const char b = 'q';

	/* a full pipe already says "look": nothing is lost on EAGAIN */
	while (write(fd, &b, 1) < 0 && errno == EINTR)
		;
}

static void dns_ub_drain(int fd)
{
	char buf[256];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static void dns_ub_query_free(struct dns_ub_query *q)
{
	free(q->wire);
	free(q);
}

/* Take the whole of list (one of the queues under the mutex) into batch,
 * after reading the pipe that said it had something: whatever comes later
 * is in the batch or wakes us again. Says whether the caller stops us. */
static bool dns_ub_take(struct dns_ub *u, int fd, struct dns_ub_queries *list, bool *woken,
			struct dns_ub_queries *batch)
{
	bool quit;

	dns_ub_drain(fd);
	TAILQ_INIT(batch);
	(void)pthread_mutex_lock(&u->mu);
	TAILQ_CONCAT(batch, list, link);
	*woken = false;
	quit = u->quit;
	(void)pthread_mutex_unlock(&u->mu);
	return quit;
}

/* ---- the resolver thread ---- */

/* q is done with (answered, or never asked): it goes to the caller with the
 * next flush, at the end of this turn of the loop. */
static void dns_ub_done(struct dns_ub *u, struct dns_ub_query *q)
{
	if (TAILQ_EMPTY(&u->done))
		event_active(u->flush_ev, EV_TIMEOUT, 0);
	TAILQ_INSERT_TAIL(&u->done, q, link);
}

/* libunbound's answer (in the resolver thread; perhaps from inside
 * ub_resolve_event). */
static void dns_ub_on_answer(void *arg, int rcode, void *packet, int len, int sec, char *why_bogus,
			     int was_ratelimited)
{
	struct dns_ub_query *q = arg;
	struct dns_ub *u = q->u;

	(void)was_ratelimited;
	TAILQ_REMOVE(&u->live, q, link);
	q->rcode = rcode;
	q->sec = sec;
	if (why_bogus)
		(void)str_sanitise(q->why, sizeof(q->why), why_bogus, strlen(why_bogus));
	/* an answer without a packet stays without one (the caller's failure) */
	if (rcode == 0 && packet && len > 0 && !atomic_load(&q->abandoned)) {
		q->wire = malloc((size_t)len);
		if (q->wire) {
			memcpy(q->wire, packet, (size_t)len);
			q->wlen = (size_t)len;
		} else {
			q->rcode = UB_NOMEM;
		}
	}
	dns_ub_done(u, q);
}

#ifdef MAILSCAN_UB_PATCHED
/* tests/libunbound.patch: the calling thread's signature checks so far, and
 * those of them answered from its memo of good signatures */
void mailscan_sigmemo_counts(unsigned long *checks, unsigned long *hits);
#endif

/* The resolver thread's signature checks, for the caller (dns_ub_sigs),
 * under mu. The patch counts per thread, so only this thread can read them. */
static void dns_ub_count_sigs(struct dns_ub *u)
{
#ifdef MAILSCAN_UB_PATCHED
	mailscan_sigmemo_counts(&u->sig_checks, &u->sig_memo);
#else
	(void)u;
#endif
}

/* Hand the answers of this turn of the loop to the caller, in one batch. */
static void dns_ub_on_flush(evutil_socket_t fd, short what, void *arg)
{
	struct dns_ub *u = arg;
	bool poke;

	(void)fd;
	(void)what;
	if (TAILQ_EMPTY(&u->done))
		return;
	(void)pthread_mutex_lock(&u->mu);
	/* with the answers: the counts the caller reads after its last answer
	 * include the checks that validated it */
	dns_ub_count_sigs(u);
	TAILQ_CONCAT(&u->resultq, &u->done, link);
	poke = !u->caller_woken;
	u->caller_woken = true;
	(void)pthread_mutex_unlock(&u->mu);
	if (poke)
		dns_ub_poke(u->to_caller[1]);
}

/* Questions came (or the caller stops us): ask libunbound. */
static void dns_ub_on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct dns_ub *u = arg;
	struct dns_ub_queries batch;
	struct dns_ub_query *q;
	int rc;

	(void)what;
	if (dns_ub_take(u, fd, &u->submitq, &u->resolver_woken, &batch)) {
		/* dns_ub_free frees what is left, in every list */
		(void)pthread_mutex_lock(&u->mu);
		TAILQ_CONCAT(&u->submitq, &batch, link);
		(void)pthread_mutex_unlock(&u->mu);
		(void)event_base_loopbreak(u->rbase);
		return;
	}
	while ((q = TAILQ_FIRST(&batch)) != NULL) {
		TAILQ_REMOVE(&batch, q, link);
		if (atomic_load(&q->abandoned)) {
			q->rcode = UB_NOID;
			dns_ub_done(u, q);
			continue;
		}
		TAILQ_INSERT_TAIL(&u->live, q, link);
		rc = ub_resolve_event(u->ub, q->qname, q->qtype, 1, q, dns_ub_on_answer, &q->ub_id);
		if (rc != 0) {
			TAILQ_REMOVE(&u->live, q, link);
			q->rcode = rc < 0 ? rc : UB_INITFAIL;
			dns_ub_done(u, q);
		}
	}
}

/* Arm the tick for DNS_UB_TICK_MS from now; 0, or -1 when libevent cannot. */
static int dns_ub_tick_arm(struct dns_ub *u)
{
	static const struct timeval every = {0, DNS_UB_TICK_MS * 1000};

	mono_now(&u->tick_armed);
	return evtimer_add(u->tick_ev, &every) < 0 ? -1 : 0;
}

/* The tick: how late it comes is how long a turn of the resolver's loop
 * takes, i.e. how far behind its work libunbound is. */
static void dns_ub_on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct dns_ub *u = arg;
	struct timespec now;
	long late;

	(void)fd;
	(void)what;
	mono_now(&now);
	late = mono_ms(&u->tick_armed, &now) - DNS_UB_TICK_MS;
	/* no more ticks: say "far behind" for good, so the caller's window
	 * stays at its floor rather than grow unmeasured */
	if (dns_ub_tick_arm(u) < 0)
		late = 1000000;
	atomic_store_explicit(&u->lag_ms, late > 0 ? (unsigned)late : 0, memory_order_relaxed);
	atomic_fetch_add_explicit(&u->ticks, 1, memory_order_release);
}

void dns_ub_sigs(struct dns_ub *u, unsigned long *checks, unsigned long *memo)
{
	(void)pthread_mutex_lock(&u->mu);
	*checks = u->sig_checks;
	*memo = u->sig_memo;
	(void)pthread_mutex_unlock(&u->mu);
}

unsigned dns_ub_lag_ms(struct dns_ub *u, unsigned long *ticks)
{
	if (ticks)
		*ticks = atomic_load_explicit(&u->ticks, memory_order_acquire);
	return atomic_load_explicit(&u->lag_ms, memory_order_relaxed);
}

static void *dns_ub_main(void *arg)
{
	struct dns_ub *u = arg;

	(void)event_base_dispatch(u->rbase);
	return NULL;
}

/* ---- the caller's thread ---- */

/* Answers came: call back for each the caller still wants. */
static void dns_ub_on_answers(evutil_socket_t fd, short what, void *arg)
{
	struct dns_ub *u = arg;
	struct dns_ub_queries batch;
	struct dns_ub_query *q;
	uint8_t *wire;

	(void)what;
	(void)dns_ub_take(u, fd, &u->resultq, &u->caller_woken, &batch);
	while ((q = TAILQ_FIRST(&batch)) != NULL) {
		TAILQ_REMOVE(&batch, q, link);
		if (!atomic_load(&q->abandoned)) {
			wire = q->wire;
			q->wire = NULL;
			q->cb(q->arg, q->rcode, wire, wire ? q->wlen : 0, q->sec, q->why);
		}
		dns_ub_query_free(q);
	}
}

static int dns_ub_pipe(int fds[2])
{
	if (pipe(fds) < 0)
		return -1;
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0 || fcntl(fds[1], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(fds[0], F_SETFD, FD_CLOEXEC) < 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

struct dns_ub *dns_ub_new(struct event_base *base, char *err, size_t errlen)
{
	struct dns_ub *u = calloc(1, sizeof(*u));

	if (!u) {
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	u->base = base;
	u->to_resolver[0] = u->to_resolver[1] = u->to_caller[0] = u->to_caller[1] = -1;
	TAILQ_INIT(&u->submitq);
	TAILQ_INIT(&u->resultq);
	TAILQ_INIT(&u->live);
	TAILQ_INIT(&u->done);
	if (pthread_mutex_init(&u->mu, NULL) != 0) {
		free(u);
		(void)snprintf(err, errlen, "cannot create a mutex");
		return NULL;
	}
	if (dns_ub_pipe(u->to_resolver) < 0 || dns_ub_pipe(u->to_caller) < 0) {
		(void)snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		goto fail;
	}
	u->rbase = event_base_new();
	if (!u->rbase) {
		(void)snprintf(err, errlen, "libevent: cannot create the resolver's loop");
		goto fail;
	}
	u->wake_ev =
	    event_new(u->rbase, u->to_resolver[0], EV_READ | EV_PERSIST, dns_ub_on_wake, u);
	u->flush_ev = event_new(u->rbase, -1, 0, dns_ub_on_flush, u);
	u->tick_ev = evtimer_new(u->rbase, dns_ub_on_tick, u);
	u->answer_ev = event_new(base, u->to_caller[0], EV_READ | EV_PERSIST, dns_ub_on_answers, u);
	if (!u->wake_ev || !u->flush_ev || !u->tick_ev || !u->answer_ev ||
	    event_add(u->wake_ev, NULL) < 0 || event_add(u->answer_ev, NULL) < 0) {
		(void)snprintf(err, errlen, "libevent: cannot watch the resolver's pipes");
		goto fail;
	}
	u->ub = ub_ctx_create_event(u->rbase);
	if (!u->ub) {
		(void)snprintf(err, errlen, "libunbound: cannot create a context");
		goto fail;
	}
	return u;
fail:
	dns_ub_free(u);
	return NULL;
}

struct ub_ctx *dns_ub_ctx(struct dns_ub *u) { return u->ub; }

int dns_ub_start(struct dns_ub *u, char *err, size_t errlen)
{
	sigset_t all, old;
	int rc;

	if (dns_ub_tick_arm(u) < 0) {
		(void)snprintf(err, errlen, "libevent: cannot arm the resolver's timer");
		return -1;
	}
	/* signals are the loop's (libevent's), never the resolver thread's */
	(void)sigfillset(&all);
	if ((rc = pthread_sigmask(SIG_BLOCK, &all, &old)) != 0) {
		(void)snprintf(err, errlen, "cannot block signals: %s", strerror(rc));
		return -1;
	}
	rc = pthread_create(&u->tid, NULL, dns_ub_main, u);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		(void)snprintf(err, errlen, "cannot start the resolver thread: %s", strerror(rc));
		return -1;
	}
	u->started = true;
	return 0;
}

struct dns_ub_query *dns_ub_resolve(struct dns_ub *u, const char *name, int type, dns_ub_cb cb,
				    void *arg)
{
	struct dns_ub_query *q = calloc(1, sizeof(*q));
	bool poke;

	if (!q)
		return NULL;
	q->u = u;
	(void)str_copy(q->qname, sizeof(q->qname), name);
	q->qtype = type;
	q->cb = cb;
	q->arg = arg;
	atomic_init(&q->abandoned, false);
	(void)pthread_mutex_lock(&u->mu);
	TAILQ_INSERT_TAIL(&u->submitq, q, link);
	poke = !u->resolver_woken;
	u->resolver_woken = true;
	(void)pthread_mutex_unlock(&u->mu);
	if (poke)
		dns_ub_poke(u->to_resolver[1]);
	return q;
}

void dns_ub_abandon(struct dns_ub_query *q)
{
	if (q)
		atomic_store(&q->abandoned, true);
}

static void dns_ub_free_all(struct dns_ub_queries *list)
{
	struct dns_ub_query *q;

	while ((q = TAILQ_FIRST(list)) != NULL) {
		TAILQ_REMOVE(list, q, link);
		dns_ub_query_free(q);
	}
}

void dns_ub_free(struct dns_ub *u)
{
	struct dns_ub_query *q;

	if (!u)
		return;
	if (u->started) {
		(void)pthread_mutex_lock(&u->mu);
		u->quit = true;
		u->resolver_woken = true;
		(void)pthread_mutex_unlock(&u->mu);
		dns_ub_poke(u->to_resolver[1]);
		(void)pthread_join(u->tid, NULL);
	}
	/* the thread is gone: everything is ours. libunbound never calls back
	 * for a cancelled query, not even while ub_ctx_delete tears it down */
	TAILQ_FOREACH(q, &u->live, link)
	(void)ub_cancel(u->ub, q->ub_id);
	if (u->ub)
		ub_ctx_delete(u->ub);
	dns_ub_free_all(&u->live);
	dns_ub_free_all(&u->done);
	dns_ub_free_all(&u->submitq);
	dns_ub_free_all(&u->resultq);
	if (u->wake_ev)
		event_free(u->wake_ev);
	if (u->flush_ev)
		event_free(u->flush_ev);
	if (u->tick_ev)
		event_free(u->tick_ev);
	if (u->answer_ev)
		event_free(u->answer_ev);
	if (u->rbase)
		event_base_free(u->rbase);
	for (int i = 0; i < 2; i++) {
		if (u->to_resolver[i] >= 0)
			(void)close(u->to_resolver[i]);
		if (u->to_caller[i] >= 0)
			(void)close(u->to_caller[i]);
	}
	(void)pthread_mutex_destroy(&u->mu);
	free(u);
}
