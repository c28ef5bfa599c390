/*
 * engine.c - the scheduler: domains in flight, shared MX hosts and address
 * probes, the per-IP limit and per-domain deadlines (SPEC §3 "MX set", §9).
 */
#include "engine.h"

#include <event2/event.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/fetch.h"
#include "../base/log.h"
#include "../base/str.h"
#include "../probes/dns.h"
#include "../probes/probe.h"
#include "../probes/smtp.h"
#include "../probes/tls.h"

#define HOST_BUCKETS 4096

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
	struct dop *prev, *next;
};

struct dpriv {
	struct domain_scan ds; /* first: a struct domain_scan * is a struct dpriv * */
	struct dop *ops;
	struct event *deadline;
	bool started;
	bool waiting[SCAN_MX_MAX]; /* registered as a waiter of mx[i].host */
};

struct hentry {
	struct mx_host h;
	struct engine *e;
	struct hentry *next;
	int pending;
	enum dns_status a_status, aaaa_status;
	enum dnssec_state a_sec, aaaa_sec;
	bool tlsa_at_target; /* TLSA asked at the CNAME target first */
	struct dpriv **waiters;
	size_t nwait, capwait;
};

struct ipslot {
	char ip[48];
	unsigned active;
	struct ajob *head, *tail;
	struct ipslot *next;
};

struct ajob {
	struct hentry *he;
	struct addr_result *ar;
	struct ipslot *slot;
	struct smtp_session *sess;
	struct ajob *next;     /* queue link */
	struct ajob *all_next; /* every job, for teardown */
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
	struct ajob *jobs;
	struct dpriv **doms;
	size_t ndoms, next_start, next_emit, inflight;
	engine_result_cb cb;
	void *cbarg;
	unsigned long nhosts, nprobes;
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

static void dop_dns_done(const struct dns_answer *a, void *arg)
{
	struct dop *op = arg;
	struct dpriv *dp = op->dp;

	dop_unlink(op);
	op->dcb(&dp->ds, a);
	free(op);
	dp->ds.pending--;
	domain_check_complete(dp);
}

static int env_query(struct domain_scan *ds, const char *name, uint16_t type, probe_dns_cb cb)
{
	struct dpriv *dp = (struct dpriv *)ds;
	struct engine *e = ds->engine;
	struct dop *op = dop_new(dp);

	if (!op)
		return -1;
	op->dcb = cb;
	if (dns_query(e->dns, name, type, dop_dns_done, op, &op->txid) < 0) {
		dop_unlink(op);
		free(op);
		ds->pending--;
		return -1;
	}
	return 0;
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

static void host_done(struct hentry *he)
{
	size_t i;

	he->h.done = true;
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
}

static void slot_dispatch(struct engine *e, struct ipslot *slot);

static void ajob_done(struct addr_result *ar, void *arg)
{
	struct ajob *j = arg;
	struct hentry *he = j->he;

	(void)ar;
	j->sess = NULL;
	j->slot->active--;
	slot_dispatch(he->e, j->slot);
	if (--he->pending == 0)
		host_done(he);
}

static void slot_dispatch(struct engine *e, struct ipslot *slot)
{
	while (slot->head && slot->active < e->cfg.per_ip) {
		struct ajob *j = slot->head;

		slot->head = j->next;
		if (!slot->head)
			slot->tail = NULL;
		slot->active++;
		e->nprobes++;
		j->sess = smtp_probe_start(e->base, &e->smtp, &j->he->h, j->ar, ajob_done, j);
		if (!j->sess) {
			/* could not start: ar already says why */
			slot->active--;
			if (--j->he->pending == 0)
				host_done(j->he);
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
			continue;
		}
		j->he = he;
		j->ar = he->h.addr[i];
		j->all_next = e->jobs;
		e->jobs = j;
		he->pending++;
		if (j->slot->tail)
			j->slot->tail->next = j;
		else
			j->slot->head = j;
		j->slot->tail = j;
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
	if (a->status != DNS_OK && !he->h.dns_error[0])
		(void)snprintf(he->h.dns_error, sizeof(he->h.dns_error), "%s %s: %s", a->qname,
			       a->qtype == DNS_T_A ? "A" : "AAAA", a->error);
	if (--he->pending > 0)
		return;
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
		if (strcmp(he->h.name, name) == 0)
			return he;
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

static void domain_on_mx(struct domain_scan *ds, const struct dns_answer *a)
{
	struct dpriv *dp = (struct dpriv *)ds;
	struct engine *e = ds->engine;
	struct dns_rr *rrs;
	size_t i, n = 0, nnull = 0;

	ds->mx_sec = a->sec;
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
		if (!he->h.done && host_add_waiter(he, dp) == 0) {
			dp->waiting[ds->nmx] = true;
			ds->pending++;
		}
		ds->nmx++;
	}
	free(rrs);
}

/* ---- domains ---- */

static void engine_start_more(struct engine *e);

static void domain_cleanup(struct dpriv *dp)
{
	size_t i;

	for (i = 0; i < PROBE_COUNT; i++)
		if (probe_registry[i]->cleanup)
			probe_registry[i]->cleanup(&dp->ds);
	if (dp->deadline)
		event_free(dp->deadline);
	free(dp);
}

static void engine_emit(struct engine *e)
{
	while (e->next_emit < e->ndoms && e->doms[e->next_emit] && e->doms[e->next_emit]->ds.done) {
		struct dpriv *dp = e->doms[e->next_emit];

		e->cb(&dp->ds, e->cbarg);
		domain_cleanup(dp);
		e->doms[e->next_emit] = NULL;
		e->next_emit++;
	}
	if (e->next_emit == e->ndoms)
		(void)event_base_loopbreak(e->base);
}

static void domain_finish(struct dpriv *dp)
{
	struct engine *e = dp->ds.engine;
	size_t i;

	dp->ds.done = true;
	if (dp->deadline)
		(void)evtimer_del(dp->deadline);
	for (i = 0; i < PROBE_COUNT; i++) {
		memset(&dp->ds.verdict[i], 0, sizeof(dp->ds.verdict[i]));
		probe_registry[i]->evaluate(&dp->ds, &dp->ds.verdict[i]);
		if (!dp->ds.timed_out)
			continue;
		/* Cut off by the total deadline: part of the evidence is missing, so
		 * a pass would be a claim about what was not tested. A fail stands. */
		if (dp->ds.verdict[i].v == VERDICT_PASS)
			dp->ds.verdict[i].v = VERDICT_ERROR;
		if (dp->ds.verdict[i].v == VERDICT_ERROR)
			verdict_add_reason(&dp->ds.verdict[i], "domain-timeout");
	}
	e->inflight--;
	engine_emit(e);
	engine_start_more(e);
}

static void domain_check_complete(struct dpriv *dp)
{
	if (dp->ds.pending == 0 && !dp->ds.done && dp->started)
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

		dop_unlink(op);
		if (op->fx)
			fetch_cancel(op->fx);
		else
			dns_cancel(e->dns, op->txid);
		free(op);
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

static void domain_start(struct engine *e, struct dpriv *dp)
{
	struct timeval tv;
	size_t i;

	e->inflight++;
	dp->ds.pending = 1; /* guard: nothing completes while starting */
	dp->deadline = evtimer_new(e->base, domain_on_deadline, dp);
	if (dp->deadline) {
		tv.tv_sec = e->cfg.domain_timeout_ms / 1000;
		tv.tv_usec = (suseconds_t)(e->cfg.domain_timeout_ms % 1000) * 1000;
		(void)evtimer_add(dp->deadline, &tv);
	}
	if (env_query(&dp->ds, dp->ds.name, DNS_T_MX, domain_on_mx) < 0) {
		dp->ds.mx_kind = MX_ERROR;
		(void)str_copy(dp->ds.mx_error, sizeof(dp->ds.mx_error), "cannot start MX lookup");
	}
	for (i = 0; i < PROBE_COUNT; i++)
		if (probe_registry[i]->start)
			probe_registry[i]->start(&dp->ds, &e->env);
	dp->started = true;
	dp->ds.pending--;
	domain_check_complete(dp);
}

static void engine_start_more(struct engine *e)
{
	while (e->next_start < e->ndoms && e->inflight < e->cfg.concurrency) {
		struct dpriv *dp = e->doms[e->next_start++];

		domain_start(e, dp);
	}
}

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
	e->base = event_base_new();
	if (!e->base) {
		(void)snprintf(err, errlen, "libevent: cannot create the event loop");
		goto fail;
	}
	memset(&dc, 0, sizeof(dc));
	dc.root_hints = cfg->root_hints;
	dc.trust_anchor = cfg->trust_anchor;
	dc.timeout_ms = cfg->timeout_ms;
	e->dns = dns_new(e->base, &dc, err, errlen);
	if (!e->dns)
		goto fail;
	e->fetcher = fetcher_new(e->base, err, errlen);
	if (!e->fetcher)
		goto fail;
	e->ssl_ctx = tls_client_ctx_new(cfg->ca_file, err, errlen);
	if (!e->ssl_ctx)
		goto fail;
	e->smtp.ehlo_name = e->cfg.ehlo_name;
	e->smtp.timeout_ms = cfg->timeout_ms;
	e->smtp.port = 25;
	e->smtp.ssl_ctx = e->ssl_ctx;
	e->env.query = env_query;
	e->env.fetch = env_fetch;
	e->env.ca_file = cfg->ca_file;
	e->env.timeout_ms = cfg->timeout_ms;
	return e;
fail:
	engine_free(e);
	return NULL;
}

int engine_run(struct engine *e, char *const *domains, size_t n, engine_result_cb cb, void *arg)
{
	size_t i;

	if (n == 0)
		return 0;
	e->doms = calloc(n, sizeof(*e->doms));
	if (!e->doms)
		return -1;
	e->ndoms = n;
	e->cb = cb;
	e->cbarg = arg;
	for (i = 0; i < n; i++) {
		struct dpriv *dp = calloc(1, sizeof(*dp));

		if (!dp) {
			log_err("out of memory");
			return -1;
		}
		(void)str_copy(dp->ds.name, sizeof(dp->ds.name), domains[i]);
		dp->ds.index = i;
		dp->ds.engine = e;
		dp->ds.env = &e->env;
		dp->ds.sts.max_age = -1;
		e->doms[i] = dp;
	}
	engine_start_more(e);
	while (e->next_emit < e->ndoms) {
		if (event_base_dispatch(e->base) < 0) {
			log_err("libevent: the event loop failed");
			return -1;
		}
		if (e->next_emit < e->ndoms && !event_base_got_break(e->base)) {
			log_err("internal: event loop ran dry with %zu domains unfinished",
				e->ndoms - e->next_emit);
			return -1;
		}
	}
	return 0;
}

void engine_get_stats(const struct engine *e, struct engine_stats *st)
{
	st->dns_queries = e->dns ? dns_queries(e->dns) : 0;
	st->hosts = e->nhosts;
	st->smtp_probes = e->nprobes;
}

void engine_free(struct engine *e)
{
	size_t i, k;

	if (!e)
		return;
	while (e->jobs) {
		struct ajob *j = e->jobs;

		e->jobs = j->all_next;
		smtp_probe_abort(j->sess);
		free(j);
	}
	for (i = 0; i < e->ndoms; i++)
		if (e->doms[i]) {
			struct dpriv *dp = e->doms[i];

			while (dp->ops) {
				struct dop *op = dp->ops;

				dop_unlink(op);
				if (op->fx)
					fetch_cancel(op->fx);
				free(op);
			}
			domain_cleanup(dp);
		}
	free(e->doms);
	for (i = 0; i < HOST_BUCKETS; i++) {
		while (e->hosts[i]) {
			struct hentry *he = e->hosts[i];

			e->hosts[i] = he->next;
			for (k = 0; k < he->h.naddr; k++) {
				free(he->h.addr[k]->banner);
				free(he->h.addr[k]->ehlo);
				free(he->h.addr[k]);
			}
			for (k = 0; k < he->h.ntlsa; k++)
				free(he->h.tlsa[k].data);
			free(he->waiters);
			free(he);
		}
		while (e->slots[i]) {
			struct ipslot *s = e->slots[i];

			e->slots[i] = s->next;
			free(s);
		}
	}
	if (e->ssl_ctx)
		SSL_CTX_free(e->ssl_ctx);
	fetcher_free(e->fetcher);
	dns_free(e->dns);
	if (e->base)
		event_base_free(e->base);
	free(e);
}
