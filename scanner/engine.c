/*
 * engine.c - the scheduler: domains in flight, shared MX hosts and address
 * probes, the per-IP limit and per-domain deadlines (SPEC §3 "MX set", §9),
 * and the services of probes that work per address (probes/probe.h, struct
 * probe_run_env: tls_ncsc's extra handshakes): their per-run state, the
 * addr_done hook after each address's STARTTLS probe, their SMTP sessions
 * queued in the IP's slot like every other probe, so --per-ip and --rate
 * hold for them, and MX hosts that wait for their work.
 */
#include "engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../base/fetch.h"
#include "../base/log.h"
#include "../base/mono.h"
#include "../base/str.h"
#include "../probes/dns.h"
#include "../probes/dns_stub.h"
#include "../probes/probe.h"
#include "../probes/smtp.h"
#include "../probes/tls.h"

#define HOST_BUCKETS 4096
/* Finished MX hosts no domain in flight refers to are kept for later domains
 * (the per-run cache), the least recently used beyond cfg.host_cache
 * (default HOST_IDLE_DEFAULT) are dropped: a popular provider stays, while a
 * list of millions of domains with as many one-off MX hosts does not make
 * memory follow the list. A dropped host that comes back is resolved and
 * probed again. */
#define HOST_IDLE_DEFAULT 5000

struct dpriv;
struct hentry;

/* One outstanding DNS query or fetch made for a domain. */
struct dop {
	struct engine *e;
	struct dpriv *dp;
	probe_dns_cb dcb;
	probe_fetch_cb fcb;
	uint64_t txid;
	struct fetch *fx;
	struct event *skip;    /* a lookup not sent: its answer comes from here */
	struct dns_stub *stub; /* query_at: its own stub client, to server */
	char server[48];       /* query_at: the server asked */
	bool unreachable;      /* query_at: not sent, no route to server's family */
	char qname[DNS_NAME_MAX + 1];
	uint16_t qtype;
	struct dop *prev, *next;
};

struct dpriv {
	struct domain_scan ds;     /* first: a struct domain_scan * is a struct dpriv * */
	struct dpriv *prev, *next; /* the engine's domains, in start order */
	struct dop *ops;
	struct event *deadline;
	bool admitted;               /* in the window: its probes may run, it may finish */
	bool mx_unasked;             /* the MX lookup could not start */
	struct dns_answer *mx_early; /* the MX answer, come before admission */
	bool dns_dead;               /* the MX lookup timed out: ask nothing more */
	bool waiting[SCAN_MX_MAX];   /* registered as a waiter of mx[i].host */
};

struct hentry {
	struct mx_host h; /* first: a probe's struct mx_host * is a struct hentry * */
	struct engine *e;
	struct hentry *next;
	int pending;
	enum dns_status a_status, aaaa_status;
	enum dnssec_state a_sec, aaaa_sec;
	bool tlsa_at_target; /* TLSA asked at the CNAME target first */
	struct dpriv **waiters;
	size_t nwait, capwait;
	unsigned refs;                        /* domains in flight that list it */
	bool waking;                          /* host_done is calling its waiters */
	bool idle;                            /* in the engine's idle list */
	struct hentry *idle_prev, *idle_next; /* most recently used first */
};

struct ipslot {
	char ip[48];
	unsigned active;
	unsigned jobs; /* live jobs that point here; an unused slot is freed */
	struct ajob *head, *tail;
	struct ipslot *next;
	bool blocked; /* waiting for the --rate limit */
	struct ipslot *blocked_next;
};

struct ajob {
	struct hentry *he;
	struct addr_result *ar;
	struct ipslot *slot;
	struct smtp_session *sess;
	struct event *retry;              /* back-off timer of the one retry */
	struct ajob *next;                /* queue link */
	struct ajob *all_prev, *all_next; /* the live jobs, for teardown */
	/* set: a session of this probe (probe_run_env.session; he NULL, ar
	 * the probe's), to host with hooks, done(ar, arg) when it is over */
	struct probe_run *run;
	const struct mx_host *host;
	const struct smtp_hooks *hooks;
	probe_session_cb done;
	void *arg;
};

/* A probe's per-run state and what it was given (probe.h, run_init). */
struct probe_run {
	struct probe_run_env env; /* env.run points back here */
	struct engine *e;
	void *state;         /* the probe's; NULL: no run_init, or skipped */
	bool on;             /* not skipped: its hooks are called */
	unsigned long addrs; /* count_addr */
	unsigned long sessions;
};

struct engine {
	struct engine_config cfg;
	struct event_base *base;
	struct dns *dns;
	struct fetcher *fetcher;
	SSL_CTX *ssl_ctx;
	struct smtp_config smtp;
	struct probe_env env;
	struct hentry *hosts[HOST_BUCKETS];
	struct ipslot *slots[HOST_BUCKETS];
	struct probe_run runs[PROBE_COUNT]; /* by probe id */
	struct ajob *jobs;
	/* the domains started and not yet handed out, oldest first; from
	 * admit_next on, those only asked for their MX (ahead of them) */
	struct dpriv *head, *tail, *admit_next;
	size_t nstarted, inflight, ahead;
	engine_source_cb src;
	void *srcarg;
	bool ordered;
	bool src_done; /* the source said 0 (or failed) */
	bool starting; /* engine_start_more is on the stack */
	bool stopping; /* engine_stop was called */
	engine_result_cb cb;
	void *cbarg;
	/* --rate: a token bucket of new SMTP connections */
	double tokens;
	struct timespec refilled;
	struct event *rate_ev;
	struct ipslot *blocked_head, *blocked_tail;
	struct hentry *idle_head, *idle_tail;
	size_t nidle;
	unsigned long nhosts, nprobes, nretries, nevicted;
	/* the adaptive window (AIMD): domains in flight at most, and what it
	 * was judged on at the last tick */
	unsigned window, window_min, window_lowest;
	struct event *aimd_ev;
	unsigned long smtp_done, smtp_timeouts;
	unsigned long a_queries, a_dns_to, a_smtp_done, a_smtp_to;
	struct timespec last_cut;
	int failed;
};

static void domain_check_complete(struct dpriv *dp);

static unsigned long engine_hash(const char *s)
{
	unsigned long h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h % HOST_BUCKETS;
}

/* ---- domain operations (the probe_env services) ---- */

static struct dop *dop_new(struct dpriv *dp)
{
	struct dop *op = calloc(1, sizeof(*op));

	if (!op)
		return NULL;
	op->e = dp->ds.engine;
	op->dp = dp;
	op->next = dp->ops;
	if (dp->ops)
		dp->ops->prev = op;
	dp->ops = op;
	dp->ds.pending++;
	return op;
}

static void dop_unlink(struct dop *op)
{
	struct dpriv *dp = op->dp;

	if (op->prev)
		op->prev->next = op->next;
	else
		dp->ops = op->next;
	if (op->next)
		op->next->prev = op->prev;
}

/* Keep a failed lookup as the domain's evidence (struct dns_failure). */
static void domain_note_dns_failure(struct domain_scan *ds, const struct dns_answer *a)
{
	struct dns_failure *f;

	if ((a->status == DNS_OK || a->status == DNS_NXDOMAIN) && a->sec != SEC_BOGUS)
		return;
	ds->ndns_fail_all++;
	if (ds->ndns_fail >= SCAN_DNS_FAILURES_MAX)
		return;
	if (!ds->dns_fail && !(ds->dns_fail = calloc(SCAN_DNS_FAILURES_MAX, sizeof(*ds->dns_fail))))
		return; /* counted, not shown */
	f = &ds->dns_fail[ds->ndns_fail++];
	(void)str_copy(f->name, sizeof(f->name), a->qname ? a->qname : "");
	f->type = a->qtype;
	f->status = a->status;
	f->bogus = a->sec == SEC_BOGUS;
	(void)str_copy(f->error, sizeof(f->error), a->error);
}

static void dop_dns_done(const struct dns_answer *a, void *arg)
{
	struct dop *op = arg;
	struct dpriv *dp = op->dp;

	domain_note_dns_failure(&dp->ds, a);
	dop_unlink(op);
	op->dcb(&dp->ds, a);
	free(op);
	dp->ds.pending--;
	domain_check_complete(dp);
}

/* The answer to a lookup that was not sent because the domain's name
 * servers did not answer its MX query: a timeout, without a second wait. */
static void dop_on_skip(evutil_socket_t fd, short what, void *arg)
{
	struct dop *op = arg;
	struct dns_answer a;

	(void)fd;
	(void)what;
	memset(&a, 0, sizeof(a));
	a.qname = op->qname;
	a.qtype = op->qtype;
	a.rcode = -1;
	if (op->unreachable) {
		a.status = DNS_FAILURE;
		a.server = op->server;
		a.unreachable = true;
		(void)snprintf(a.error, sizeof(a.error), "not asked: no route to %s from here",
			       op->server);
	} else {
		a.status = DNS_TIMEOUT;
		(void)snprintf(a.error, sizeof(a.error),
			       "not asked: the domain's name servers did not answer its MX query");
	}
	event_free(op->skip);
	op->skip = NULL;
	dop_dns_done(&a, op);
}

/* Drop an outstanding operation of a domain (deadline, teardown). */
static void dop_abandon(struct engine *e, struct dop *op)
{
	dop_unlink(op);
	if (op->fx)
		fetch_cancel(op->fx);
	else if (op->skip)
		event_free(op->skip);
	else if (op->stub)
		dns_stub_free(op->stub);
	else
		dns_cancel(e->dns, op->txid);
	free(op);
}

/* Answer op from its timer, not from inside the call that started it. */
static int dop_answer_later(struct engine *e, struct dop *op)
{
	static const struct timeval now = {0, 0};

	op->skip = evtimer_new(e->base, dop_on_skip, op);
	if (op->skip && evtimer_add(op->skip, &now) == 0)
		return 0;
	if (op->skip)
		event_free(op->skip);
	op->skip = NULL;
	return -1;
}

static int env_query(struct domain_scan *ds, const char *name, uint16_t type, probe_dns_cb cb)
{
	struct dpriv *dp = (struct dpriv *)ds;
	struct engine *e = ds->engine;
	struct dop *op = dop_new(dp);

	if (!op)
		return -1;
	op->dcb = cb;
	op->qtype = type;
	(void)str_copy(op->qname, sizeof(op->qname), name);
	if (dp->dns_dead) {
		if (dop_answer_later(e, op) == 0)
			return 0;
		dop_unlink(op);
		free(op);
		ds->pending--;
		return -1;
	}
	if (dns_query(e->dns, name, type, dop_dns_done, op, &op->txid) < 0) {
		dop_unlink(op);
		free(op);
		ds->pending--;
		return -1;
	}
	return 0;
}

/* Can this machine send to ip at all? A UDP connect sends nothing but looks
 * up the route: 0, or the errno that says there is none (the errors
 * smtp.c takes for ADDR_UNREACHABLE_FAMILY, and EHOSTUNREACH). */
static int route_missing(const char *ip)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, err = 0;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(53);
		len = sizeof(*s6);
	} else if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(53);
		len = sizeof(*s4);
	} else {
		return 0; /* the stub says what is wrong with it */
	}
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return errno == EAFNOSUPPORT ? EAFNOSUPPORT : 0;
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		err = errno;
	(void)close(fd);
	if (err == ENETUNREACH || err == EHOSTUNREACH || err == EADDRNOTAVAIL ||
	    err == EAFNOSUPPORT)
		return err;
	return 0;
}

static void dop_on_stub(void *arg, int outcome, const uint8_t *wire, size_t len,
			enum dns_stub_sec sec, const char *why)
{
	struct dop *op = arg;
	struct dns_stub *stub = op->stub;
	struct dns_answer a;

	(void)sec;
	memset(&a, 0, sizeof(a));
	a.qname = op->qname;
	a.qtype = op->qtype;
	if (outcome == 0) {
		dns_answer_from_wire(&a, wire, len, 0);
	} else {
		a.rcode = -1;
		a.status = outcome == DNS_TIMEOUT ? DNS_TIMEOUT : DNS_FAILURE;
		(void)snprintf(a.error, sizeof(a.error), "%s: %s", op->server,
			       why[0] ? why : dns_status_name(a.status));
	}
	a.sec = SEC_UNKNOWN;
	a.server = op->server;
	op->stub = NULL;
	dop_dns_done(&a, op);
	dns_answer_free(&a);
	dns_stub_free(stub);
}

static int env_query_at(struct domain_scan *ds, const char *server, const char *name, uint16_t type,
			probe_dns_cb cb)
{
	struct dpriv *dp = (struct dpriv *)ds;
	struct engine *e = ds->engine;
	struct dop *op = dop_new(dp);
	char err[200];

	if (!op)
		return -1;
	op->dcb = cb;
	op->qtype = type;
	(void)str_copy(op->qname, sizeof(op->qname), name);
	if (str_copy(op->server, sizeof(op->server), server) < 0 || strchr(server, ','))
		goto fail;
	if (route_missing(server)) {
		op->unreachable = true;
		if (dop_answer_later(e, op) < 0)
			goto fail;
		return 0;
	}
	op->stub = dns_stub_new(e->base, server, false, e->cfg.timeout_ms, err, sizeof(err));
	if (!op->stub) {
		log_debug("%s: query to %s: %s", ds->name, server, err);
		goto fail;
	}
	if (dns_stub_query(op->stub, name, type, dop_on_stub, op, NULL) < 0)
		goto fail;
	return 0;
fail:
	if (op->stub)
		dns_stub_free(op->stub);
	dop_unlink(op);
	free(op);
	ds->pending--;
	return -1;
}

static void dop_fetch_done(struct fetch_result *r, void *arg)
{
	struct dop *op = arg;
	struct dpriv *dp = op->dp;

	dop_unlink(op);
	op->fcb(&dp->ds, r);
	free(op);
	dp->ds.pending--;
	domain_check_complete(dp);
}

static int env_fetch(struct domain_scan *ds, const struct fetch_request *req, probe_fetch_cb cb)
{
	struct dpriv *dp = (struct dpriv *)ds;
	struct engine *e = ds->engine;
	struct dop *op = dop_new(dp);

	if (!op)
		return -1;
	op->fcb = cb;
	op->fx = fetch_start(e->fetcher, req, dop_fetch_done, op);
	if (!op->fx) {
		dop_unlink(op);
		free(op);
		ds->pending--;
		return -1;
	}
	return 0;
}

/* ---- MX hosts and address probes ---- */

static void host_free(struct hentry *he)
{
	struct engine *e = he->e;
	size_t i, k;

	for (k = 0; k < he->h.naddr; k++) {
		for (i = 0; i < PROBE_COUNT; i++)
			if (e->runs[i].on && probe_registry[i]->addr_free)
				probe_registry[i]->addr_free(e->runs[i].state, he->h.addr[k]);
		free(he->h.addr[k]->banner);
		free(he->h.addr[k]->ehlo);
		free(he->h.addr[k]);
	}
	for (k = 0; k < he->h.ntlsa; k++)
		free(he->h.tlsa[k].data);
	free(he->waiters);
	free(he);
}

static void host_idle_remove(struct engine *e, struct hentry *he)
{
	if (!he->idle)
		return;
	if (he->idle_prev)
		he->idle_prev->idle_next = he->idle_next;
	else
		e->idle_head = he->idle_next;
	if (he->idle_next)
		he->idle_next->idle_prev = he->idle_prev;
	else
		e->idle_tail = he->idle_prev;
	he->idle_prev = he->idle_next = NULL;
	he->idle = false;
	e->nidle--;
}

/* A finished host nobody refers to: keep it (most recent first) and drop the
 * least recently used beyond cfg.host_cache. */
static void host_idle_add(struct engine *e, struct hentry *he)
{
	he->idle = true;
	he->idle_prev = NULL;
	he->idle_next = e->idle_head;
	if (e->idle_head)
		e->idle_head->idle_prev = he;
	else
		e->idle_tail = he;
	e->idle_head = he;
	e->nidle++;
	while (e->nidle > e->cfg.host_cache) {
		struct hentry *old = e->idle_tail, **pp;

		host_idle_remove(e, old);
		for (pp = &e->hosts[engine_hash(old->h.name)]; *pp && *pp != old; pp = &(*pp)->next)
			;
		if (*pp)
			*pp = old->next;
		host_free(old);
		e->nevicted++;
	}
}

/* A domain lets go of a host it listed. */
static void host_release(struct engine *e, struct hentry *he)
{
	if (he->refs > 0)
		he->refs--;
	if (he->refs == 0 && he->h.done && !he->waking && !he->idle)
		host_idle_add(e, he);
}

static void host_done(struct hentry *he)
{
	size_t i;

	he->h.done = true;
	he->waking = true;
	log_debug("host %s done (%zu addresses)", he->h.name, he->h.naddr);
	for (i = 0; i < he->nwait; i++) {
		struct dpriv *dp = he->waiters[i];
		size_t k;

		if (!dp)
			continue;
		for (k = 0; k < dp->ds.nmx; k++)
			if (dp->ds.mx[k].host == &he->h)
				dp->waiting[k] = false;
		dp->ds.pending--;
		domain_check_complete(dp);
	}
	free(he->waiters);
	he->waiters = NULL;
	he->nwait = he->capwait = 0;
	he->waking = false;
	if (he->refs == 0 && !he->idle)
		host_idle_add(he->e, he);
}

static void slot_dispatch(struct engine *e, struct ipslot *slot);

/* ---- politeness: --rate and the one retry ---- */

static double engine_elapsed(struct timespec *since)
{
	struct timespec now;
	double d;

	mono_now(&now);
	d = mono_sec(since, &now);
	*since = now;
	return d > 0 ? d : 0;
}

/* Take a token for one new connection; false when --rate says wait. The
 * bucket holds a tenth of a second's worth (at least one), so the pace is
 * even rather than bursts once a second. */
static bool rate_take(struct engine *e)
{
	double cap;

	if (e->cfg.rate == 0)
		return true;
	cap = (double)e->cfg.rate / 10.0;
	if (cap < 1)
		cap = 1;
	e->tokens += engine_elapsed(&e->refilled) * (double)e->cfg.rate;
	if (e->tokens > cap)
		e->tokens = cap;
	if (e->tokens < 1)
		return false;
	e->tokens -= 1;
	return true;
}

static void rate_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct engine *e = arg;
	struct ipslot *s = e->blocked_head;

	(void)fd;
	(void)what;
	/* Take the whole list: slots that run out again queue up afresh. */
	e->blocked_head = e->blocked_tail = NULL;
	while (s) {
		struct ipslot *next = s->blocked_next;

		s->blocked = false;
		s->blocked_next = NULL;
		slot_dispatch(e, s);
		s = next;
	}
}

/* Park slot until the bucket has a token again. */
static void rate_block(struct engine *e, struct ipslot *slot)
{
	struct timeval tv;
	double wait = (1.0 - e->tokens) / (double)e->cfg.rate;

	if (!slot->blocked) {
		slot->blocked = true;
		if (e->blocked_tail)
			e->blocked_tail->blocked_next = slot;
		else
			e->blocked_head = slot;
		e->blocked_tail = slot;
	}
	if (evtimer_pending(e->rate_ev, NULL))
		return;
	if (wait < 0.001)
		wait = 0.001;
	tv.tv_sec = (time_t)wait;
	tv.tv_usec = (suseconds_t)((wait - (double)tv.tv_sec) * 1e6);
	(void)evtimer_add(e->rate_ev, &tv);
}

/* Timeouts and 4xx greetings may pass (a busy server, greylisting of
 * connections): worth one more try after a back-off. */
static bool addr_transient(const struct addr_result *ar)
{
	return ar->status == ADDR_TIMEOUT || (ar->status == ADDR_BAD_GREETING &&
					      ar->greeting_code >= 400 && ar->greeting_code < 500);
}

/* Forget the first attempt's evidence, keeping its outcome for the record. */
static void addr_reset_for_retry(struct addr_result *ar)
{
	char ip[sizeof(ar->ip)];
	int family = ar->family;
	enum addr_status st = ar->status;
	char why[sizeof(ar->error)];

	memcpy(ip, ar->ip, sizeof(ip));
	memcpy(why, ar->error, sizeof(why));
	free(ar->banner);
	free(ar->ehlo);
	memset(ar, 0, sizeof(*ar));
	memcpy(ar->ip, ip, sizeof(ip));
	ar->family = family;
	ar->dane_depth = -1;
	ar->retried = true;
	ar->first_status = st;
	memcpy(ar->first_error, why, sizeof(why));
}

static void slot_maybe_free(struct engine *e, struct ipslot *slot)
{
	struct ipslot **pp;

	if (slot->jobs || slot->active || slot->head || slot->blocked)
		return;
	for (pp = &e->slots[engine_hash(slot->ip)]; *pp && *pp != slot; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = slot->next;
	free(slot);
}

/* A job is over for good: forget it (its results live on in the host). */
static void ajob_free(struct engine *e, struct ajob *j)
{
	if (j->all_prev)
		j->all_prev->all_next = j->all_next;
	else
		e->jobs = j->all_next;
	if (j->all_next)
		j->all_next->all_prev = j->all_prev;
	if (j->retry)
		event_free(j->retry);
	j->slot->jobs--;
	free(j);
}

static void slot_enqueue(struct ajob *j)
{
	j->next = NULL;
	if (j->slot->tail)
		j->slot->tail->next = j;
	else
		j->slot->head = j;
	j->slot->tail = j;
}

static void ajob_on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct ajob *j = arg;

	(void)fd;
	(void)what;
	slot_enqueue(j);
	slot_dispatch(j->he->e, j->slot);
}

/* The STARTTLS probe of (he, ar) is over: the probes' addr_done hooks. */
static void addr_probed(struct engine *e, struct hentry *he, struct addr_result *ar)
{
	size_t i;

	for (i = 0; i < PROBE_COUNT; i++)
		if (e->runs[i].on && probe_registry[i]->addr_done)
			probe_registry[i]->addr_done(e->runs[i].state, &he->h, ar);
}

static void ajob_done(struct addr_result *ar, void *arg)
{
	struct ajob *j = arg;
	struct hentry *he = j->he;
	struct engine *e = he->e;
	struct ipslot *slot;

	j->sess = NULL;
	j->slot->active--;
	e->smtp_done++;
	if (ar->status == ADDR_TIMEOUT)
		e->smtp_timeouts++;
	if (!ar->retried && addr_transient(ar) && !e->stopping &&
	    (j->retry || (j->retry = evtimer_new(e->base, ajob_on_retry, j)) != NULL)) {
		struct timeval tv;

		log_info("smtp %s [%s]: %s; one retry in %u ms", he->h.name, ar->ip,
			 addr_status_name(ar->status), e->cfg.retry_delay_ms);
		addr_reset_for_retry(ar);
		e->nretries++;
		tv.tv_sec = e->cfg.retry_delay_ms / 1000;
		tv.tv_usec = (suseconds_t)(e->cfg.retry_delay_ms % 1000) * 1000;
		if (evtimer_add(j->retry, &tv) == 0) {
			slot_dispatch(e, j->slot);
			return;
		}
		slot_enqueue(j); /* no timer: retry without the pause */
		slot_dispatch(e, j->slot);
		return;
	}
	slot = j->slot;
	ajob_free(e, j);
	addr_probed(e, he, ar);
	slot_dispatch(e, slot);
	slot_maybe_free(e, slot);
	if (--he->pending == 0)
		host_done(he);
}

static void run_session_done(struct addr_result *ar, void *arg);

static void slot_dispatch(struct engine *e, struct ipslot *slot)
{
	while (slot->head && slot->active < e->cfg.per_ip) {
		struct ajob *j = slot->head;

		if (e->stopping)
			return;
		if (!rate_take(e)) {
			rate_block(e, slot);
			return;
		}
		slot->head = j->next;
		if (!slot->head)
			slot->tail = NULL;
		slot->active++;
		e->nprobes++;
		if (j->run) {
			j->run->sessions++;
			j->sess = smtp_probe_start_hooked(e->base, &e->smtp, j->host, j->ar,
							  j->hooks, run_session_done, j);
			if (!j->sess) {
				/* could not start: the probe's ar says why */
				probe_session_cb done = j->done;
				struct addr_result *ar = j->ar;
				void *arg = j->arg;

				slot->active--;
				ajob_free(e, j);
				done(ar, arg);
			}
			continue;
		}
		j->sess = smtp_probe_start(e->base, &e->smtp, &j->he->h, j->ar, ajob_done, j);
		if (!j->sess) {
			/* could not start: ar already says why */
			struct hentry *he = j->he;
			struct addr_result *ar = j->ar;

			slot->active--;
			ajob_free(e, j);
			addr_probed(e, he, ar);
			if (--he->pending == 0)
				host_done(he);
		}
	}
}

static struct ipslot *slot_get(struct engine *e, const char *ip)
{
	unsigned long h = engine_hash(ip);
	struct ipslot *s;

	for (s = e->slots[h]; s; s = s->next)
		if (strcmp(s->ip, ip) == 0)
			return s;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	(void)str_copy(s->ip, sizeof(s->ip), ip);
	s->next = e->slots[h];
	e->slots[h] = s;
	return s;
}

/* ---- the services of probes that work per address (probe.h, probe_run_env) ---- */

static void slot_enqueue_head(struct ajob *j)
{
	j->next = j->slot->head;
	j->slot->head = j;
	if (!j->slot->tail)
		j->slot->tail = j;
}

/* Take a queued (not started) job out of its slot's queue. */
static void slot_unqueue(struct ajob *j)
{
	struct ajob **pp, *prev = NULL;

	for (pp = &j->slot->head; *pp && *pp != j; pp = &(*pp)->next)
		prev = *pp;
	if (!*pp)
		return;
	*pp = j->next;
	if (j->slot->tail == j)
		j->slot->tail = prev;
}

/* A probe's session is over: its done, then the IP's queue goes on. No
 * retry: the probe decides what a failure means. */
static void run_session_done(struct addr_result *ar, void *arg)
{
	struct ajob *j = arg;
	struct engine *e = j->run->e;
	struct ipslot *slot = j->slot;
	probe_session_cb done = j->done;
	void *darg = j->arg;

	j->sess = NULL;
	slot->active--;
	ajob_free(e, j);
	done(ar, darg);
	slot_dispatch(e, slot);
	slot_maybe_free(e, slot);
}

/* probe_run_env.session: first in the IP's queue, so that a probe's
 * sessions run as one piece and its time limits are for its handshakes. */
static int run_session(struct probe_run *run, const struct mx_host *host, struct addr_result *ar,
		       const struct smtp_hooks *hooks, probe_session_cb done, void *arg,
		       struct probe_session **sp)
{
	struct engine *e = run->e;
	struct ajob *j = calloc(1, sizeof(*j));

	if (!j || !(j->slot = slot_get(e, ar->ip))) {
		free(j);
		return -1;
	}
	j->run = run;
	j->host = host;
	j->ar = ar;
	j->hooks = hooks;
	j->done = done;
	j->arg = arg;
	j->all_next = e->jobs;
	if (e->jobs)
		e->jobs->all_prev = j;
	e->jobs = j;
	j->slot->jobs++;
	*sp = (struct probe_session *)j; /* before done can run */
	slot_enqueue_head(j);
	slot_dispatch(e, j->slot);
	return 0;
}

/* probe_run_env.session_cancel: abort it or take it out of the queue. */
static void run_session_cancel(struct probe_run *run, struct probe_session *s)
{
	struct engine *e = run->e;
	struct ajob *j = (struct ajob *)s;
	struct ipslot *slot = j->slot;

	if (j->sess) {
		smtp_probe_abort(j->sess);
		slot->active--;
	} else {
		slot_unqueue(j);
	}
	ajob_free(e, j);
	slot_dispatch(e, slot);
	slot_maybe_free(e, slot);
}

/* probe_run_env.host_hold: the host has one more thing to wait for. */
static void run_host_hold(struct probe_run *run, struct mx_host *host)
{
	(void)run;
	((struct hentry *)host)->pending++;
}

/* probe_run_env.host_release: ... and it is over. */
static void run_host_release(struct probe_run *run, struct mx_host *host)
{
	struct hentry *he = (struct hentry *)host;

	(void)run;
	if (--he->pending == 0)
		host_done(he);
}

static bool run_stopping(const struct probe_run *run) { return run->e->stopping; }

static void run_count_addr(struct probe_run *run) { run->addrs++; }

/* Give every probe that is not skipped its per-run state. 0, or -1 with err. */
static int engine_runs_init(struct engine *e, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < PROBE_COUNT; i++) {
		struct probe_run *r = &e->runs[i];

		r->e = e;
		r->env.run = r;
		r->env.base = e->base;
		r->env.timeout_ms = e->cfg.timeout_ms;
		r->env.session = run_session;
		r->env.session_cancel = run_session_cancel;
		r->env.host_hold = run_host_hold;
		r->env.host_release = run_host_release;
		r->env.stopping = run_stopping;
		r->env.count_addr = run_count_addr;
		if (e->cfg.skip_mask & (1u << i))
			continue; /* --skip: nothing of it runs */
		if (probe_registry[i]->run_init &&
		    probe_registry[i]->run_init(&r->env, &r->state, err, errlen) < 0)
			return -1;
		r->on = true;
	}
	return 0;
}

static void host_probe_addresses(struct hentry *he)
{
	struct engine *e = he->e;
	size_t i;

	he->pending = 1; /* guard while queueing */
	for (i = 0; i < he->h.naddr; i++) {
		struct ajob *j = calloc(1, sizeof(*j));

		if (!j || !(j->slot = slot_get(e, he->h.addr[i]->ip))) {
			free(j);
			he->h.addr[i]->status = ADDR_LOCAL_ERROR;
			he->h.addr[i]->done = true;
			addr_probed(e, he, he->h.addr[i]);
			continue;
		}
		j->he = he;
		j->ar = he->h.addr[i];
		j->all_next = e->jobs;
		if (e->jobs)
			e->jobs->all_prev = j;
		e->jobs = j;
		j->slot->jobs++;
		he->pending++;
		slot_enqueue(j);
		slot_dispatch(e, j->slot);
	}
	if (--he->pending == 0)
		host_done(he);
}

static void host_on_tlsa(const struct dns_answer *a, void *arg);

/* Look up TLSA at _25._tcp.<base>; returns 0 or -1. */
static int host_ask_tlsa(struct hentry *he, const char *base)
{
	(void)snprintf(he->h.tlsa_name, sizeof(he->h.tlsa_name), "_25._tcp.%s", base);
	return dns_query(he->e->dns, he->h.tlsa_name, DNS_T_TLSA, host_on_tlsa, he, NULL);
}

/* TLSA records by usage, selector, matching type, then data. */
static int tlsa_rr_cmp(const void *a, const void *b)
{
	const struct tlsa_rr *x = a, *y = b;
	size_t n = x->datalen < y->datalen ? x->datalen : y->datalen;
	int c;

	if (x->usage != y->usage)
		return x->usage < y->usage ? -1 : 1;
	if (x->selector != y->selector)
		return x->selector < y->selector ? -1 : 1;
	if (x->mtype != y->mtype)
		return x->mtype < y->mtype ? -1 : 1;
	c = n ? memcmp(x->data, y->data, n) : 0;
	if (c)
		return c;
	return x->datalen < y->datalen ? -1 : x->datalen > y->datalen;
}

static void host_on_tlsa(const struct dns_answer *a, void *arg)
{
	struct hentry *he = arg;
	size_t i;

	/* RFC 7672 §2.2.2: with a secure CNAME, TLSA at the target name first;
	 * when it securely has none, at the original MX host name. */
	if (he->tlsa_at_target && a->sec == SEC_SECURE &&
	    (a->status == DNS_NXDOMAIN || (a->status == DNS_OK && a->n == 0))) {
		he->tlsa_at_target = false;
		if (host_ask_tlsa(he, he->h.name) == 0)
			return;
		he->h.tlsa_state = TLSA_ERROR;
		host_probe_addresses(he);
		return;
	}
	he->h.tlsa_sec = a->sec;
	he->h.tlsa_status = a->status;
	if (a->sec == SEC_BOGUS) {
		he->h.tlsa_state = TLSA_BOGUS;
	} else if (a->status == DNS_OK || a->status == DNS_NXDOMAIN) {
		if (a->sec != SEC_SECURE)
			he->h.tlsa_state = a->sec == SEC_INSECURE ? TLSA_NONE : TLSA_ERROR;
		else
			he->h.tlsa_state = a->n > 0 ? TLSA_PRESENT : TLSA_NONE;
		for (i = 0; i < a->n && he->h.ntlsa < SCAN_TLSA_MAX; i++) {
			struct tlsa_rr *t = &he->h.tlsa[he->h.ntlsa];

			t->usage = a->rr[i].usage;
			t->selector = a->rr[i].selector;
			t->mtype = a->rr[i].mtype;
			t->data = malloc(a->rr[i].datalen ? a->rr[i].datalen : 1);
			if (!t->data)
				continue;
			memcpy(t->data, a->rr[i].data, a->rr[i].datalen);
			t->datalen = a->rr[i].datalen;
			he->h.ntlsa++;
		}
		/* an RRset has no order: the evidence of two runs must not differ
		 * by the answer's */
		if (he->h.ntlsa > 1)
			qsort(he->h.tlsa, he->h.ntlsa, sizeof(he->h.tlsa[0]), tlsa_rr_cmp);
		he->h.tlsa_usable = tls_count_usable_tlsa(&he->h);
	} else {
		he->h.tlsa_state = TLSA_ERROR;
	}
	host_probe_addresses(he);
}

static void host_add_addresses(struct hentry *he, const struct dns_answer *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		struct addr_result *ar;

		if (he->h.naddr >= SCAN_ADDR_MAX) {
			he->h.addr_capped = true;
			break;
		}
		ar = calloc(1, sizeof(*ar));
		if (!ar)
			break;
		(void)str_copy(ar->ip, sizeof(ar->ip), a->rr[i].addr);
		ar->family = a->rr[i].family;
		ar->dane_depth = -1;
		he->h.addr[he->h.naddr++] = ar;
	}
}

/* IPv4 before IPv6, each in numeric order: the order of a host's
 * addresses, and so of its evidence, must not depend on which answer came
 * first or on the order of an RRset. */
static int addr_cmp(const void *pa, const void *pb)
{
	const struct addr_result *a = *(const struct addr_result *const *)pa;
	const struct addr_result *b = *(const struct addr_result *const *)pb;
	unsigned char x[sizeof(struct in6_addr)] = {0}, y[sizeof(struct in6_addr)] = {0};

	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	if (inet_pton(a->family, a->ip, x) != 1 || inet_pton(b->family, b->ip, y) != 1)
		return strcmp(a->ip, b->ip);
	return memcmp(x, y, sizeof(x));
}

static void host_on_addr(const struct dns_answer *a, void *arg)
{
	struct hentry *he = arg;

	if (a->qtype == DNS_T_A) {
		he->a_status = a->status;
		he->a_sec = a->sec;
	} else {
		he->aaaa_status = a->status;
		he->aaaa_sec = a->sec;
	}
	if (a->status == DNS_OK)
		host_add_addresses(he, a);
	if (a->canonical[0] && !he->h.canonical[0])
		(void)str_copy(he->h.canonical, sizeof(he->h.canonical), a->canonical);
	if (a->status != DNS_OK && he->h.dns_status != DNS_TIMEOUT)
		he->h.dns_status = a->status;
	if (a->status != DNS_OK && !he->h.dns_error[0])
		(void)snprintf(he->h.dns_error, sizeof(he->h.dns_error), "%s %s: %s", a->qname,
			       a->qtype == DNS_T_A ? "A" : "AAAA", a->error);
	if (--he->pending > 0)
		return;
	if (he->h.naddr > 1)
		qsort(he->h.addr, he->h.naddr, sizeof(he->h.addr[0]), addr_cmp);
	he->h.sec = dnssec_worst(he->a_sec, he->aaaa_sec);
	if (he->a_status != DNS_OK && he->aaaa_status != DNS_OK)
		he->h.dns_failed = true;
	/* RFC 7672 §2.2: TLSA only for hosts whose address records are secure. */
	if (he->h.sec == SEC_SECURE && !he->h.dns_failed) {
		he->pending = 1;
		he->tlsa_at_target = he->h.canonical[0] != '\0';
		if (host_ask_tlsa(he, he->tlsa_at_target ? he->h.canonical : he->h.name) == 0)
			return;
		he->pending = 0;
		he->h.tlsa_state = TLSA_ERROR;
	}
	host_probe_addresses(he);
}

static struct hentry *host_get(struct engine *e, const char *name)
{
	unsigned long h = engine_hash(name);
	struct hentry *he;

	for (he = e->hosts[h]; he; he = he->next)
		if (strcmp(he->h.name, name) == 0) {
			host_idle_remove(e, he);
			return he;
		}
	he = calloc(1, sizeof(*he));
	if (!he)
		return NULL;
	(void)str_copy(he->h.name, sizeof(he->h.name), name);
	he->e = e;
	he->next = e->hosts[h];
	e->hosts[h] = he;
	e->nhosts++;
	he->pending = 2;
	if (dns_query(e->dns, name, DNS_T_A, host_on_addr, he, NULL) < 0) {
		he->a_status = DNS_FAILURE;
		he->pending--;
	}
	if (dns_query(e->dns, name, DNS_T_AAAA, host_on_addr, he, NULL) < 0) {
		he->aaaa_status = DNS_FAILURE;
		he->pending--;
	}
	if (he->pending == 0) {
		he->h.dns_failed = true;
		(void)str_copy(he->h.dns_error, sizeof(he->h.dns_error), "cannot start lookups");
		he->h.done = true;
	}
	return he;
}

static int host_add_waiter(struct hentry *he, struct dpriv *dp)
{
	if (he->nwait == he->capwait) {
		size_t n = he->capwait ? he->capwait * 2 : 8;
		struct dpriv **w = realloc(he->waiters, n * sizeof(*w));

		if (!w)
			return -1;
		he->waiters = w;
		he->capwait = n;
	}
	he->waiters[he->nwait++] = dp;
	return 0;
}

/* ---- the MX set (SPEC §3) ---- */

static int mx_cmp(const void *a, const void *b)
{
	const struct dns_rr *x = a, *y = b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void domain_take_mx(struct domain_scan *ds, const struct dns_answer *a)
{
	struct dpriv *dp = (struct dpriv *)ds;
	struct engine *e = ds->engine;
	struct dns_rr *rrs;
	size_t i, n = 0, nnull = 0;

	ds->mx_sec = a->sec;
	ds->mx_status = a->status;
	/* the domain's own DNSSEC status (probes/dnssec.c) */
	ds->name_sec = a->sec;
	ds->name_status = a->status;
	if (a->status == DNS_NXDOMAIN) {
		ds->mx_kind = MX_NXDOMAIN;
		return;
	}
	if (a->status != DNS_OK) {
		ds->mx_kind = MX_ERROR;
		(void)snprintf(ds->mx_error, sizeof(ds->mx_error), "MX lookup: %s", a->error);
		return;
	}
	if (a->n == 0) {
		ds->mx_kind = MX_NONE;
		return;
	}
	rrs = calloc(a->n, sizeof(*rrs));
	if (!rrs) {
		ds->mx_kind = MX_ERROR;
		(void)str_copy(ds->mx_error, sizeof(ds->mx_error), "out of memory");
		return;
	}
	for (i = 0; i < a->n; i++) {
		if (a->rr[i].name[0] == '\0') { /* RFC 7505 null MX "0 ." */
			nnull++;
			continue;
		}
		rrs[n++] = a->rr[i];
	}
	if (n == 0) {
		ds->mx_kind = MX_NULL;
		free(rrs);
		return;
	}
	ds->null_mixed = nnull > 0;
	qsort(rrs, n, sizeof(*rrs), mx_cmp);
	ds->mx_kind = MX_LIST;
	for (i = 0; i < n; i++) {
		struct hentry *he;
		size_t k;
		bool dup = false;

		for (k = 0; k < ds->nmx; k++)
			if (strcmp(ds->mx[k].host->name, rrs[i].name) == 0)
				dup = true;
		if (dup)
			continue;
		if (ds->nmx >= e->cfg.max_mx || ds->nmx >= SCAN_MX_MAX) {
			ds->mx_capped = true;
			break;
		}
		he = host_get(e, rrs[i].name);
		if (!he)
			continue;
		ds->mx[ds->nmx].host = &he->h;
		ds->mx[ds->nmx].pref = rrs[i].pref;
		he->refs++;
		if (!he->h.done && host_add_waiter(he, dp) == 0) {
			dp->waiting[ds->nmx] = true;
			ds->pending++;
		}
		ds->nmx++;
	}
	free(rrs);
}

/* The probes' own lookups (the TXT records) start once the MX answer is in
 * (or the MX lookup could not start): a domain whose name servers do not
 * answer costs one query to them, not one per probe, and is judged within
 * about one --timeout. Called once per domain. */
static void domain_start_probes(struct dpriv *dp)
{
	struct engine *e = dp->ds.engine;
	size_t i;

	for (i = 0; i < PROBE_COUNT; i++)
		if (probe_registry[i]->start && !(e->cfg.skip_mask & (1u << i)))
			probe_registry[i]->start(&dp->ds, &e->env);
}

/* Has any name server answered anything in this run? */
static bool engine_dns_answered(const struct engine *e)
{
	struct dns_stats st;

	dns_get_stats(e->dns, &st);
	return st.answered > 0;
}

/* The answer to the root query of domain_on_mx: when the root servers do not
 * answer either and nothing has been answered in the whole run, no name server
 * can be reached (no network): say so where the MX lookup's failure is told.
 * A lame domain (its own servers silent, the root's answering) is not this. */
static void domain_on_root(struct domain_scan *ds, const struct dns_answer *a)
{
	struct engine *e = ds->engine;

	if (a->status == DNS_OK || a->status == DNS_NXDOMAIN || a->sec == SEC_BOGUS ||
	    engine_dns_answered(e))
		return;
	ds->dns_unreached = true;
	(void)snprintf(ds->mx_error, sizeof(ds->mx_error),
		       "MX lookup: %s: no DNS answer in this run, not even from the root"
		       " servers - is there a network?",
		       dns_status_name(ds->mx_status));
}

/* A copy of an MX answer (its records have no owned data), or NULL. */
static struct dns_answer *mx_answer_copy(const struct dns_answer *a)
{
	struct dns_answer *c = malloc(sizeof(*c));

	if (!c)
		return NULL;
	*c = *a;
	c->qname = NULL;
	c->server = NULL;
	c->rr = NULL;
	c->n = 0;
	if (a->n) {
		size_t i;

		if (!(c->rr = calloc(a->n, sizeof(*c->rr)))) {
			free(c);
			return NULL;
		}
		for (i = 0; i < a->n; i++) {
			c->rr[i] = a->rr[i];
			c->rr[i].data = NULL; /* not kept: an MX record has none */
			c->rr[i].txt = NULL;
		}
		c->n = a->n;
	}
	return c;
}

static void mx_answer_free(struct dns_answer *a)
{
	if (!a)
		return;
	free(a->rr);
	free(a);
}

static void domain_on_mx(struct domain_scan *ds, const struct dns_answer *a)
{
	struct dpriv *dp = (struct dpriv *)ds;
	struct engine *e = ds->engine;

	if (!dp->admitted) {
		/* asked ahead of the window (engine_start_more): kept for when
		 * the domain is admitted; without memory for it, a failed
		 * lookup */
		dp->mx_early = mx_answer_copy(a);
		if (!dp->mx_early)
			dp->mx_unasked = true;
		return;
	}
	domain_take_mx(ds, a);
	/* No reply to the MX query and none to anything else yet: ask the root
	 * (libunbound caches it: one query per run while nothing answers). */
	if ((a->status == DNS_TIMEOUT || a->status == DNS_SERVFAIL || a->status == DNS_FAILURE) &&
	    a->sec != SEC_BOGUS && !engine_dns_answered(e) &&
	    env_query(ds, ".", DNS_T_SOA, domain_on_root) < 0)
		log_warn("%s: cannot ask the root whether any name server answers", ds->name);
	if (a->status == DNS_TIMEOUT)
		dp->dns_dead = true;
	domain_start_probes(dp);
}

/* ---- domains ---- */

static void engine_start_more(struct engine *e);

static void domain_cleanup(struct dpriv *dp)
{
	size_t i;

	for (i = 0; i < dp->ds.nmx; i++)
		host_release(dp->ds.engine, (struct hentry *)dp->ds.mx[i].host);
	for (i = 0; i < PROBE_COUNT; i++)
		if (probe_registry[i]->cleanup)
			probe_registry[i]->cleanup(&dp->ds);
	if (dp->deadline)
		event_free(dp->deadline);
	mx_answer_free(dp->mx_early);
	free(dp->ds.dns_fail);
	free(dp);
}

static void engine_unlink(struct engine *e, struct dpriv *dp)
{
	if (dp->prev)
		dp->prev->next = dp->next;
	else
		e->head = dp->next;
	if (dp->next)
		dp->next->prev = dp->prev;
	else
		e->tail = dp->prev;
	dp->prev = dp->next = NULL;
}

/* All domains handed out and the source dry: the run is over. */
static void engine_maybe_end(struct engine *e)
{
	if ((e->src_done && !e->head) || e->stopping)
		(void)event_base_loopbreak(e->base);
}

static void engine_hand_out(struct engine *e, struct dpriv *dp)
{
	engine_unlink(e, dp);
	e->cb(&dp->ds, e->cbarg);
	domain_cleanup(dp);
}

/* Hand out finished domains: in input order (only from the oldest on), or
 * dp alone as soon as it is finished. */
static void engine_emit(struct engine *e, struct dpriv *dp)
{
	if (!e->ordered) {
		if (!e->stopping)
			engine_hand_out(e, dp);
		return;
	}
	while (e->head && e->head->ds.done && !e->stopping)
		engine_hand_out(e, e->head);
}

static void domain_finish(struct dpriv *dp)
{
	struct engine *e = dp->ds.engine;
	size_t i;

	dp->ds.done = true;
	if (dp->deadline)
		(void)evtimer_del(dp->deadline);
	dp->ds.skipped = e->cfg.skip_mask;
	for (i = 0; i < PROBE_COUNT; i++) {
		memset(&dp->ds.verdict[i], 0, sizeof(dp->ds.verdict[i]));
		if ((e->cfg.skip_mask & (1u << i)) && !probe_registry[i]->evaluates_skipped) {
			/* --skip: not tested, on request (a probe may judge its
			 * own skip: tls_ncsc's certificate findings still count) */
			dp->ds.verdict[i].v = VERDICT_ERROR;
			verdict_add_reason(&dp->ds.verdict[i], R_SKIPPED);
			continue;
		}
		probe_registry[i]->evaluate(&dp->ds, &dp->ds.verdict[i]);
		if (!dp->ds.timed_out)
			continue;
		/* Cut off by the total deadline: part of the evidence is missing, so
		 * a pass would be a claim about what was not tested. A fail stands. */
		if (dp->ds.verdict[i].v == VERDICT_PASS)
			dp->ds.verdict[i].v = VERDICT_ERROR;
		if (dp->ds.verdict[i].v == VERDICT_ERROR)
			verdict_add_reason(&dp->ds.verdict[i], R_DOMAIN_TIMEOUT);
	}
	e->inflight--;
	engine_emit(e, dp);
	engine_start_more(e);
}

static void domain_check_complete(struct dpriv *dp)
{
	if (dp->ds.pending == 0 && !dp->ds.done && dp->admitted)
		domain_finish(dp);
}

/* The total deadline: abandon what is outstanding and judge what we have. */
static void domain_on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct dpriv *dp = arg;
	struct engine *e = dp->ds.engine;
	size_t i;

	(void)fd;
	(void)what;
	log_warn("%s: total deadline of %u ms reached; reporting what was gathered", dp->ds.name,
		 e->cfg.domain_timeout_ms);
	dp->ds.timed_out = true;
	while (dp->ops) {
		struct dop *op = dp->ops;

		dop_abandon(e, op);
	}
	for (i = 0; i < dp->ds.nmx; i++) {
		struct hentry *he = (struct hentry *)dp->ds.mx[i].host;
		size_t k;

		if (!dp->waiting[i])
			continue;
		for (k = 0; k < he->nwait; k++)
			if (he->waiters[k] == dp)
				he->waiters[k] = NULL;
		dp->waiting[i] = false;
	}
	dp->ds.pending = 0;
	domain_finish(dp);
}

/* Ask for the domain's MX, ahead of its admission to the window. */
static void domain_ask_mx(struct engine *e, struct dpriv *dp)
{
	e->ahead++;
	dp->ds.name_status = DNS_FAILURE; /* until the MX answer says otherwise */
	if (env_query(&dp->ds, dp->ds.name, DNS_T_MX, domain_on_mx) < 0)
		dp->mx_unasked = true;
}

/* Into the window: its deadline starts, and its probes once the MX answer
 * is in (now, if it came while the domain waited). */
static void domain_admit(struct engine *e, struct dpriv *dp)
{
	struct timeval tv;

	e->ahead--;
	e->inflight++;
	dp->admitted = true;
	dp->ds.pending++; /* guard: nothing completes while starting */
	dp->deadline = evtimer_new(e->base, domain_on_deadline, dp);
	if (dp->deadline) {
		tv.tv_sec = e->cfg.domain_timeout_ms / 1000;
		tv.tv_usec = (suseconds_t)(e->cfg.domain_timeout_ms % 1000) * 1000;
		(void)evtimer_add(dp->deadline, &tv);
	}
	if (dp->mx_unasked) {
		dp->ds.mx_kind = MX_ERROR;
		(void)str_copy(dp->ds.mx_error, sizeof(dp->ds.mx_error), "cannot start MX lookup");
		domain_start_probes(dp);
	} else if (dp->mx_early) {
		struct dns_answer *a = dp->mx_early;

		dp->mx_early = NULL;
		a->qname = dp->ds.name;
		domain_on_mx(&dp->ds, a);
		mx_answer_free(a);
	}
	dp->ds.pending--;
	domain_check_complete(dp);
}

/* The domains asked for their MX ahead of the window, at most: a domain
 * whose name servers never answer (a lame delegation) waits out its
 * --timeout there, beside the window's work, instead of in it - and at the
 * end of a run, after it. The window's own lookups keep their order; these
 * are one MX query per domain, and the domain (some 4 KB) waits for its
 * place. Measured on the scale lab's 10,000 domains (2 % lame, --concurrency
 * 500): with the 205 lame domains first in the list, the run took 21-22 s,
 * in list order 25-26 s; the last 3-4 s were lame domains started last,
 * waiting out their --timeout with nothing else to do. */
#define ENGINE_AHEAD_PER_WINDOW 4
#define ENGINE_AHEAD_MAX 4096

static size_t engine_ahead_max(const struct engine *e)
{
	size_t n = (size_t)e->window * ENGINE_AHEAD_PER_WINDOW;

	return n < ENGINE_AHEAD_MAX ? n : ENGINE_AHEAD_MAX;
}

static void engine_start_more(struct engine *e)
{
	if (e->starting)
		return; /* a domain finished while being started: the loop below goes on */
	e->starting = true;
	while (!e->stopping) {
		struct dpriv *dp;
		int rc = -1;

		if (e->admit_next && e->inflight < e->window) {
			dp = e->admit_next;
			e->admit_next = dp->next;
			domain_admit(e, dp);
			continue;
		}
		if (e->src_done || e->ahead >= engine_ahead_max(e))
			break;
		dp = calloc(1, sizeof(*dp));
		if (dp)
			rc = e->src(dp->ds.name, e->srcarg);
		else
			log_err("out of memory");
		if (rc <= 0) {
			free(dp);
			e->src_done = true;
			if (rc < 0)
				e->failed = 1;
			break;
		}
		dp->ds.index = e->nstarted++;
		dp->ds.engine = e;
		dp->ds.env = &e->env;
		dp->ds.sts.max_age = -1;
		dp->prev = e->tail;
		if (e->tail)
			e->tail->next = dp;
		else
			e->head = dp;
		e->tail = dp;
		if (!e->admit_next)
			e->admit_next = dp;
		domain_ask_mx(e, dp);
	}
	e->starting = false;
	engine_maybe_end(e);
}

/* ---- the adaptive window ---- */

/*
 * Every second: when more than one in ten of at least 100 DNS queries and SMTP sessions of
 * the last second timed out, halve the window of domains in flight (at most
 * once per --timeout, so that the timeouts of the window before do not cut
 * it again); when fewer than one in fifty did, widen it by a sixteenth of
 * --concurrency. Lame and dead domains in a list cost one timeout each
 * against some ten answered queries of every healthy domain, so a few
 * percent of them do not shrink the window; an overloaded path does.
 */
static void engine_on_aimd(evutil_socket_t fd, short what, void *arg)
{
	struct engine *e = arg;
	struct dns_stats st;
	unsigned long events, bad;
	struct timespec now;
	unsigned old = e->window;

	(void)fd;
	(void)what;
	dns_get_stats(e->dns, &st);
	/* a lookup answered from dns.c's memo counts as one answered, as it
	 * did when libunbound's cache answered it: the share of timeouts is
	 * of the domains' lookups, whatever answered them */
	events = (st.queries + st.memo_hits + st.joined - e->a_queries) +
		 (e->smtp_done - e->a_smtp_done);
	bad = (st.timeouts - e->a_dns_to) + (e->smtp_timeouts - e->a_smtp_to);
	e->a_queries = st.queries + st.memo_hits + st.joined;
	e->a_dns_to = st.timeouts;
	e->a_smtp_done = e->smtp_done;
	e->a_smtp_to = e->smtp_timeouts;
	mono_now(&now);
	if (events >= 100 && bad * 10 > events) {
		if (mono_ms(&e->last_cut, &now) < (long)e->cfg.timeout_ms ||
		    e->window <= e->window_min)
			return;
		e->window = e->window / 2 > e->window_min ? e->window / 2 : e->window_min;
		e->last_cut = now;
		if (e->window < e->window_lowest)
			e->window_lowest = e->window;
		log_info("engine: %lu of %lu DNS queries and SMTP sessions timed out in the last "
			 "second: window %u -> %u domains",
			 bad, events, old, e->window);
	} else if (bad * 50 < events && e->window < e->cfg.concurrency) {
		unsigned step = e->cfg.concurrency / 16 ? e->cfg.concurrency / 16 : 1;

		e->window =
		    e->window + step < e->cfg.concurrency ? e->window + step : e->cfg.concurrency;
		log_debug("engine: window %u -> %u domains", old, e->window);
		engine_start_more(e);
	}
}

unsigned engine_window(const struct engine *e) { return e->window; }

/* ---- set-up and teardown ---- */

struct engine *engine_new(const struct engine_config *cfg, char *err, size_t errlen)
{
	struct engine *e = calloc(1, sizeof(*e));
	struct dns_config dc;

	if (!e) {
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->cfg = *cfg;
	if (e->cfg.concurrency == 0)
		e->cfg.concurrency = 1;
	if (e->cfg.per_ip == 0)
		e->cfg.per_ip = 1;
	if (e->cfg.host_cache == 0)
		e->cfg.host_cache = HOST_IDLE_DEFAULT;
	e->window = e->window_lowest = e->cfg.concurrency;
	e->window_min = e->cfg.concurrency < 10 ? e->cfg.concurrency : 10;
	if (e->cfg.concurrency / 32 > e->window_min)
		e->window_min = e->cfg.concurrency / 32;
	e->base = event_base_new();
	if (!e->base) {
		(void)snprintf(err, errlen, "libevent: cannot create the event loop");
		goto fail;
	}
	memset(&dc, 0, sizeof(dc));
	dc.root_hints = cfg->root_hints;
	dc.trust_anchor = cfg->trust_anchor;
	dc.timeout_ms = cfg->timeout_ms;
	dc.rate = cfg->dns_rate;
	dc.resolver = cfg->resolver;
	dc.resolver_trusted = cfg->resolver_trusted;
	e->dns = dns_new(e->base, &dc, err, errlen);
	if (!e->dns)
		goto fail;
	e->fetcher = fetcher_new(e->base, cfg->ca_file, err, errlen);
	if (!e->fetcher)
		goto fail;
	e->aimd_ev = event_new(e->base, -1, EV_PERSIST, engine_on_aimd, e);
	if (!e->aimd_ev) {
		(void)snprintf(err, errlen, "libevent: cannot create a timer");
		goto fail;
	}
	if (e->cfg.rate) {
		e->rate_ev = evtimer_new(e->base, rate_on_timer, e);
		if (!e->rate_ev) {
			(void)snprintf(err, errlen, "libevent: cannot create a timer");
			goto fail;
		}
	}
	e->ssl_ctx = tls_client_ctx_new(cfg->ca_file, err, errlen);
	if (!e->ssl_ctx)
		goto fail;
	if (engine_runs_init(e, err, errlen) < 0)
		goto fail;
	e->env.ncsc_skip = cfg->skip_ncsc;
	e->smtp.ehlo_name = e->cfg.ehlo_name;
	e->smtp.timeout_ms = cfg->timeout_ms;
	e->smtp.port = 25;
	e->smtp.ssl_ctx = e->ssl_ctx;
	e->env.query = env_query;
	e->env.query_at = env_query_at;
	e->env.fetch = env_fetch;
	e->env.dkim_selectors = cfg->dkim_selectors;
	e->env.rpki = cfg->rpki;
	e->env.timeout_ms = cfg->timeout_ms;
	return e;
fail:
	engine_free(e);
	return NULL;
}

int engine_run_source(struct engine *e, engine_source_cb src, void *srcarg, bool ordered,
		      engine_result_cb cb, void *arg)
{
	e->src = src;
	e->srcarg = srcarg;
	e->ordered = ordered;
	e->cb = cb;
	e->cbarg = arg;
	e->src_done = e->stopping = false;
	e->failed = 0;
	{
		static const struct timeval tick = {1, 0};

		(void)evtimer_add(e->aimd_ev, &tick);
	}
	engine_start_more(e);
	while ((e->head || !e->src_done) && !e->stopping) {
		if (event_base_dispatch(e->base) < 0) {
			log_err("libevent: the event loop failed");
			return -1;
		}
		if ((e->head || !e->src_done) && !e->stopping && !event_base_got_break(e->base)) {
			log_err("internal: event loop ran dry with %zu domains unfinished",
				e->inflight);
			return -1;
		}
	}
	(void)evtimer_del(e->aimd_ev);
	if (e->failed)
		return -1;
	return e->stopping ? 1 : 0;
}

struct engine_list {
	char *const *domains;
	size_t n, next;
};

static int engine_list_next(char *name, void *arg)
{
	struct engine_list *l = arg;

	if (l->next >= l->n)
		return 0;
	if (str_copy(name, DNS_NAME_MAX + 1, l->domains[l->next++]) < 0) {
		log_err("internal: domain name too long");
		return -1;
	}
	return 1;
}

int engine_run(struct engine *e, char *const *domains, size_t n, engine_result_cb cb, void *arg)
{
	struct engine_list l = {.domains = domains, .n = n, .next = 0};

	return engine_run_source(e, engine_list_next, &l, true, cb, arg) == 0 ? 0 : -1;
}

void engine_stop(struct engine *e)
{
	e->stopping = true;
	(void)event_base_loopbreak(e->base);
}

struct event_base *engine_base(struct engine *e) { return e->base; }

void engine_get_stats(const struct engine *e, struct engine_stats *st)
{
	st->dns_queries = e->dns ? dns_queries(e->dns) : 0;
	st->hosts = e->nhosts;
	st->smtp_probes = e->nprobes;
	st->smtp_retries = e->nretries;
	st->hosts_evicted = e->nevicted;
	/* the one probe that works per address so far */
	st->ncsc_probes = e->runs[PROBE_TLS_NCSC].addrs;
	st->ncsc_handshakes = e->runs[PROBE_TLS_NCSC].sessions;
	st->domains = e->nstarted - e->ahead; /* admitted to the window */
	st->window = e->window;
	st->window_lowest = e->window_lowest;
	st->smtp_timeouts = e->smtp_timeouts;
	if (e->dns) {
		struct dns_stats ds;

		dns_get_stats(e->dns, &ds);
		st->dns_timeouts = ds.timeouts;
		st->dns_badreply = ds.badreply;
		st->dns_servfail = ds.servfail;
		st->dns_peak = ds.peak;
		st->dns_answered = ds.answered;
		st->dns_memo_hits = ds.memo_hits;
		st->dns_joined = ds.joined;
		st->dns_window_peak = ds.window_peak;
		st->dns_window_cuts = ds.window_cuts;
		st->dns_sig_checks = ds.sig_checks;
		st->dns_sig_memo = ds.sig_memo;
	}
}

void engine_free(struct engine *e)
{
	size_t i;

	if (!e)
		return;
	while (e->jobs) {
		struct ajob *j = e->jobs;

		smtp_probe_abort(j->sess);
		ajob_free(e, j);
	}
	while (e->head) {
		struct dpriv *dp = e->head;

		engine_unlink(e, dp);
		while (dp->ops) {
			struct dop *op = dp->ops;

			dop_abandon(e, op);
		}
		domain_cleanup(dp);
	}
	if (e->rate_ev)
		event_free(e->rate_ev);
	if (e->aimd_ev)
		event_free(e->aimd_ev);
	for (i = 0; i < HOST_BUCKETS; i++) {
		while (e->hosts[i]) {
			struct hentry *he = e->hosts[i];

			e->hosts[i] = he->next;
			host_free(he);
		}
		while (e->slots[i]) {
			struct ipslot *s = e->slots[i];

			e->slots[i] = s->next;
			free(s);
		}
	}
	/* after the sessions and hosts, before the loop (the probes' timers) */
	for (i = 0; i < PROBE_COUNT; i++)
		if (e->runs[i].state && probe_registry[i]->run_free)
			probe_registry[i]->run_free(e->runs[i].state);
	if (e->ssl_ctx)
		SSL_CTX_free(e->ssl_ctx);
	fetcher_free(e->fetcher);
	dns_free(e->dns);
	if (e->base)
		event_base_free(e->base);
	free(e);
}
