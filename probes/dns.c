/*
 * dns.c - asynchronous DNS with DNSSEC status, on getdns (recursive mode).
 *
 * Implements the lookups of SPEC §3 (MX, A, AAAA, TLSA, TXT, SOA) with the
 * DNSSEC status of each answer (RFC 4033-4035 validation by libunbound
 * inside getdns). Records are copied out of getdns's dicts into plain
 * structs so that nothing above this file knows getdns.
 */
#include "dns.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <getdns/getdns.h>
#include <getdns/getdns_ext_libevent.h>
#include <getdns/getdns_extra.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/log.h"

struct dns_req;

struct dns {
	struct event_base *base;
	getdns_context *ctx;
	struct dns_req *parked;  /* answers waiting for their turn in the loop */
	unsigned long abandoned; /* queries that timed out or were cancelled */
	getdns_dict *ext;
	unsigned long queries;
};

struct dns_req {
	struct dns *d;
	dns_cb cb;
	void *arg;
	char qname[DNS_NAME_MAX + 1];
	uint16_t qtype;
	/* getdns may answer from its cache inside getdns_general(); such an
	 * answer is parked here and delivered from the loop instead. */
	bool in_call;
	bool parked;
	bool cancelled;
	getdns_transaction_t txid;
	getdns_callback_type_t parked_type;
	getdns_dict *parked_resp;
	struct dns_req *prev, *next; /* in dns->parked */
};

static void dns_unpark(struct dns_req *req)
{
	if (req->prev)
		req->prev->next = req->next;
	else
		req->d->parked = req->next;
	if (req->next)
		req->next->prev = req->prev;
	req->prev = req->next = NULL;
}

const char *dnssec_state_name(enum dnssec_state s)
{
	switch (s) {
	case SEC_SECURE:
		return "secure";
	case SEC_INSECURE:
		return "insecure";
	case SEC_BOGUS:
		return "bogus";
	case SEC_INDETERMINATE:
		return "indeterminate";
	case SEC_UNKNOWN:
		break;
	}
	return "unknown";
}

static int dnssec_rank(enum dnssec_state s)
{
	static const int rank[] = {[SEC_UNKNOWN] = 2,
				   [SEC_SECURE] = 1,
				   [SEC_INSECURE] = 4,
				   [SEC_BOGUS] = 5,
				   [SEC_INDETERMINATE] = 3};
	return rank[s];
}

enum dnssec_state dnssec_worst(enum dnssec_state a, enum dnssec_state b)
{
	return dnssec_rank(a) >= dnssec_rank(b) ? a : b;
}

/* Read a zone file into a getdns list of rr dicts. */
static getdns_list *dns_read_zonefile(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	getdns_list *rrs = NULL;
	size_t n = 0;
	getdns_return_t rc;

	if (!f) {
		(void)snprintf(err, errlen, "%s: cannot open: %m", path);
		return NULL;
	}
	rc = getdns_fp2rr_list(f, &rrs, NULL, 3600);
	(void)fclose(f);
	if (rc != GETDNS_RETURN_GOOD || !rrs || getdns_list_get_length(rrs, &n) || n == 0) {
		(void)snprintf(err, errlen, "%s: not a zone file with records (%s)", path,
			       getdns_get_errorstr_by_id(rc) ? getdns_get_errorstr_by_id(rc)
							     : "parse error");
		getdns_list_destroy(rrs);
		return NULL;
	}
	return rrs;
}

/* Root hints: keep the A/AAAA records as getdns upstream address dicts. */
static int dns_set_root_hints(getdns_context *ctx, const char *path, char *err, size_t errlen)
{
	getdns_list *rrs = dns_read_zonefile(path, err, errlen), *addrs = NULL;
	size_t n = 0, i, k = 0;
	int ret = -1;

	if (!rrs)
		return -1;
	addrs = getdns_list_create();
	if (!addrs || getdns_list_get_length(rrs, &n))
		goto out;
	for (i = 0; i < n; i++) {
		getdns_dict *rr = NULL, *a = NULL;
		getdns_bindata *data = NULL;
		uint32_t type = 0;

		if (getdns_list_get_dict(rrs, i, &rr) || getdns_dict_get_int(rr, "type", &type))
			continue;
		if (type == GETDNS_RRTYPE_A)
			(void)getdns_dict_get_bindata(rr, "/rdata/ipv4_address", &data);
		else if (type == GETDNS_RRTYPE_AAAA)
			(void)getdns_dict_get_bindata(rr, "/rdata/ipv6_address", &data);
		if (!data)
			continue;
		a = getdns_dict_create();
		if (!a ||
		    getdns_dict_util_set_string(a, "address_type",
						type == GETDNS_RRTYPE_A ? "IPv4" : "IPv6") ||
		    getdns_dict_set_bindata(a, "address_data", data) ||
		    getdns_list_set_dict(addrs, k, a)) {
			getdns_dict_destroy(a);
			goto out;
		}
		getdns_dict_destroy(a);
		k++;
	}
	if (k == 0) {
		(void)snprintf(err, errlen, "%s: no A or AAAA records for root servers", path);
		goto out;
	}
	if (getdns_context_set_dns_root_servers(ctx, addrs)) {
		(void)snprintf(err, errlen, "%s: getdns refused the root servers", path);
		goto out;
	}
	ret = 0;
out:
	getdns_list_destroy(addrs);
	getdns_list_destroy(rrs);
	return ret;
}

static int dns_set_trust_anchor(getdns_context *ctx, const char *path, char *err, size_t errlen)
{
	getdns_list *rrs = dns_read_zonefile(path, err, errlen);
	int ret = 0;

	if (!rrs)
		return -1;
	if (getdns_context_set_dnssec_trust_anchors(ctx, rrs)) {
		(void)snprintf(err, errlen, "%s: getdns refused the trust anchors", path);
		ret = -1;
	}
	getdns_list_destroy(rrs);
	return ret;
}

struct dns *dns_new(struct event_base *base, const struct dns_config *cfg, char *err, size_t errlen)
{
	struct dns *d = calloc(1, sizeof(*d));

	if (!d) {
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->base = base;
	if (getdns_context_create(&d->ctx, 1) != GETDNS_RETURN_GOOD) {
		(void)snprintf(err, errlen, "getdns: cannot create a context");
		free(d);
		return NULL;
	}
	if (getdns_context_set_resolution_type(d->ctx, GETDNS_RESOLUTION_RECURSING) ||
	    getdns_context_set_timeout(d->ctx, cfg->timeout_ms ? cfg->timeout_ms : 10000)) {
		(void)snprintf(err, errlen, "getdns: cannot set recursive mode");
		goto fail;
	}
	if (cfg->root_hints && dns_set_root_hints(d->ctx, cfg->root_hints, err, errlen) < 0)
		goto fail;
	if (cfg->trust_anchor && dns_set_trust_anchor(d->ctx, cfg->trust_anchor, err, errlen) < 0)
		goto fail;
	if (getdns_extension_set_libevent_base(d->ctx, base) != GETDNS_RETURN_GOOD) {
		(void)snprintf(err, errlen, "getdns: cannot attach to the event loop");
		goto fail;
	}
	d->ext = getdns_dict_create();
	if (!d->ext ||
	    getdns_dict_set_int(d->ext, "dnssec_return_all_statuses", GETDNS_EXTENSION_TRUE)) {
		(void)snprintf(err, errlen, "getdns: cannot make the extensions");
		goto fail;
	}
	return d;
fail:
	dns_free(d);
	return NULL;
}

void dns_free(struct dns *d)
{
	if (!d)
		return;
	/* Parked answers whose turn never came (the loop is being torn down;
	 * libevent frees its once-events with the base). */
	while (d->parked) {
		struct dns_req *req = d->parked;

		dns_unpark(req);
		getdns_dict_destroy(req->parked_resp);
		free(req);
	}
	getdns_dict_destroy(d->ext);
	/*
	 * getdns 1.6 (recursive mode) leaves a query that timed out or was
	 * cancelled inside libunbound, and getdns_context_destroy() then has
	 * libunbound call back into freed getdns memory: a crash at exit after
	 * e.g. a lame delegation. After such a query the context is left to
	 * the end of the process instead (tests/lsan.supp names this leak).
	 */
	if (d->abandoned == 0)
		getdns_context_destroy(d->ctx);
	else
		log_debug("dns: %lu abandoned queries; the getdns context is left to process exit",
			  d->abandoned);
	free(d);
}

unsigned long dns_queries(const struct dns *d) { return d->queries; }

/* Presentation form of a wire-format name, lower case, no trailing dot. */
static void dns_name_str(getdns_bindata *wire, char *out, size_t outlen)
{
	char *fqdn = NULL;
	size_t len, i;

	out[0] = '\0';
	if (!wire || getdns_convert_dns_name_to_fqdn(wire, &fqdn) || !fqdn)
		return;
	len = strlen(fqdn);
	if (len > 1 && fqdn[len - 1] == '.')
		fqdn[len - 1] = '\0';
	else if (len == 1)
		fqdn[0] = '\0'; /* the root: "." -> "" */
	for (i = 0; fqdn[i]; i++)
		if (fqdn[i] >= 'A' && fqdn[i] <= 'Z')
			fqdn[i] = (char)(fqdn[i] - 'A' + 'a');
	(void)str_copy(out, outlen, fqdn);
	free(fqdn);
}

static int dns_rr_fill(getdns_dict *rrd, uint16_t type, struct dns_rr *rr)
{
	getdns_bindata *b = NULL;
	uint32_t v = 0;

	memset(rr, 0, sizeof(*rr));
	rr->type = type;
	switch (type) {
	case DNS_T_MX:
		if (getdns_dict_get_int(rrd, "/rdata/preference", &v) ||
		    getdns_dict_get_bindata(rrd, "/rdata/exchange", &b))
			return -1;
		rr->pref = (uint16_t)v;
		dns_name_str(b, rr->name, sizeof(rr->name));
		return 0;
	case DNS_T_A:
	case DNS_T_AAAA:
		if (getdns_dict_get_bindata(
			rrd, type == DNS_T_A ? "/rdata/ipv4_address" : "/rdata/ipv6_address", &b) ||
		    b->size != (type == DNS_T_A ? 4u : 16u))
			return -1;
		rr->family = type == DNS_T_A ? AF_INET : AF_INET6;
		if (!inet_ntop(rr->family, b->data, rr->addr, sizeof(rr->addr)))
			return -1;
		return 0;
	case DNS_T_TLSA:
		if (getdns_dict_get_int(rrd, "/rdata/certificate_usage", &v))
			return -1;
		rr->usage = (uint8_t)v;
		if (getdns_dict_get_int(rrd, "/rdata/selector", &v))
			return -1;
		rr->selector = (uint8_t)v;
		if (getdns_dict_get_int(rrd, "/rdata/matching_type", &v))
			return -1;
		rr->mtype = (uint8_t)v;
		if (getdns_dict_get_bindata(rrd, "/rdata/certificate_association_data", &b))
			return -1;
		rr->data = malloc(b->size ? b->size : 1);
		if (!rr->data)
			return -1;
		memcpy(rr->data, b->data, b->size);
		rr->datalen = b->size;
		return 0;
	case DNS_T_TXT: {
		getdns_list *strs = NULL;
		struct buf t;
		size_t n = 0, i;

		if (getdns_dict_get_list(rrd, "/rdata/txt_strings", &strs) ||
		    getdns_list_get_length(strs, &n))
			return -1;
		buf_init(&t, 65536);
		for (i = 0; i < n; i++) {
			if (getdns_list_get_bindata(strs, i, &b) || buf_add(&t, b->data, b->size)) {
				buf_free(&t);
				return -1;
			}
		}
		rr->txt = buf_steal(&t);
		return rr->txt ? 0 : -1;
	}
	default:
		return 0;
	}
}

static void dns_answer_free(struct dns_answer *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->rr[i].data);
		free(a->rr[i].txt);
	}
	free(a->rr);
}

static enum dnssec_state dns_sec_from(uint32_t st)
{
	switch (st) {
	case GETDNS_DNSSEC_SECURE:
		return SEC_SECURE;
	case GETDNS_DNSSEC_INSECURE:
		return SEC_INSECURE;
	case GETDNS_DNSSEC_BOGUS:
		return SEC_BOGUS;
	case GETDNS_DNSSEC_INDETERMINATE:
		return SEC_INDETERMINATE;
	default:
		return SEC_UNKNOWN;
	}
}

/* Turn getdns's response into a struct dns_answer. */
static void dns_parse_response(getdns_dict *resp, struct dns_answer *a)
{
	getdns_list *replies = NULL, *answer = NULL;
	getdns_dict *reply = NULL;
	getdns_bindata *canon = NULL;
	uint32_t rcode = 0, st = 0;
	size_t n = 0, i;

	if (getdns_dict_get_list(resp, "replies_tree", &replies) ||
	    getdns_list_get_dict(replies, 0, &reply)) {
		uint32_t status = 0;

		(void)getdns_dict_get_int(resp, "status", &status);
		a->status = status == GETDNS_RESPSTATUS_ALL_TIMEOUT ? DNS_TIMEOUT : DNS_SERVFAIL;
		(void)snprintf(a->error, sizeof(a->error), "no reply (getdns status %u)",
			       (unsigned)status);
		return;
	}
	(void)getdns_dict_get_int(reply, "/header/rcode", &rcode);
	a->rcode = (int)rcode;
	if (getdns_dict_get_int(reply, "dnssec_status", &st) == GETDNS_RETURN_GOOD)
		a->sec = dns_sec_from(st);
	if (getdns_dict_get_bindata(resp, "canonical_name", &canon) == GETDNS_RETURN_GOOD) {
		dns_name_str(canon, a->canonical, sizeof(a->canonical));
		if (str_ieq(a->canonical, a->qname))
			a->canonical[0] = '\0';
	}
	if (rcode == GETDNS_RCODE_NXDOMAIN) {
		a->status = DNS_NXDOMAIN;
		(void)snprintf(a->error, sizeof(a->error), "NXDOMAIN");
		return;
	}
	if (rcode != GETDNS_RCODE_NOERROR) {
		a->status = DNS_SERVFAIL;
		(void)snprintf(a->error, sizeof(a->error), "rcode %u", (unsigned)rcode);
		return;
	}
	a->status = DNS_OK;
	if (getdns_dict_get_list(reply, "answer", &answer) || getdns_list_get_length(answer, &n))
		return;
	a->rr = calloc(n ? n : 1, sizeof(*a->rr));
	if (!a->rr) {
		a->status = DNS_FAILURE;
		(void)snprintf(a->error, sizeof(a->error), "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		getdns_dict *rrd = NULL;
		uint32_t type = 0;

		if (getdns_list_get_dict(answer, i, &rrd) ||
		    getdns_dict_get_int(rrd, "type", &type))
			continue;
		if (type != a->qtype)
			continue;
		if (dns_rr_fill(rrd, (uint16_t)type, &a->rr[a->n]) == 0)
			a->n++;
		else {
			free(a->rr[a->n].data);
			free(a->rr[a->n].txt);
		}
	}
}

static void dns_deliver(struct dns_req *req, getdns_callback_type_t cbtype, getdns_dict *resp)
{
	struct dns_answer a;

	memset(&a, 0, sizeof(a));
	a.qname = req->qname;
	a.qtype = req->qtype;
	switch (cbtype) {
	case GETDNS_CALLBACK_COMPLETE:
		dns_parse_response(resp, &a);
		break;
	case GETDNS_CALLBACK_TIMEOUT:
		req->d->abandoned++;
		a.status = DNS_TIMEOUT;
		(void)snprintf(a.error, sizeof(a.error), "timeout");
		break;
	case GETDNS_CALLBACK_CANCEL:
		getdns_dict_destroy(resp);
		free(req);
		return;
	default:
		a.status = DNS_FAILURE;
		(void)snprintf(a.error, sizeof(a.error), "resolver error");
		break;
	}
	log_debug("dns %s/%u: status %d rcode %d %s, %zu records", req->qname, (unsigned)req->qtype,
		  (int)a.status, a.rcode, dnssec_state_name(a.sec), a.n);
	req->cb(&a, req->arg);
	dns_answer_free(&a);
	getdns_dict_destroy(resp);
	free(req);
}

static void dns_on_parked(evutil_socket_t fd, short what, void *arg)
{
	struct dns_req *req = arg;

	(void)fd;
	(void)what;
	dns_unpark(req);
	if (req->cancelled) {
		getdns_dict_destroy(req->parked_resp);
		free(req);
		return;
	}
	dns_deliver(req, req->parked_type, req->parked_resp);
}

static void dns_callback(getdns_context *ctx, getdns_callback_type_t cbtype, getdns_dict *resp,
			 void *userarg, getdns_transaction_t txid)
{
	struct dns_req *req = userarg;

	(void)ctx;
	(void)txid;
	if (req->in_call) {
		req->parked = true;
		req->parked_type = cbtype;
		req->parked_resp = resp;
		return;
	}
	dns_deliver(req, cbtype, resp);
}

int dns_query(struct dns *d, const char *name, uint16_t type, dns_cb cb, void *arg, uint64_t *txid)
{
	struct dns_req *req = calloc(1, sizeof(*req));
	getdns_transaction_t t = 0;
	getdns_return_t rc;

	if (!req)
		return -1;
	req->d = d;
	req->cb = cb;
	req->arg = arg;
	req->qtype = type;
	(void)str_copy(req->qname, sizeof(req->qname), name);
	req->in_call = true;
	rc = getdns_general(d->ctx, name, type, d->ext, req, &t, dns_callback);
	req->in_call = false;
	if (rc != GETDNS_RETURN_GOOD) {
		log_warn("dns: cannot query %s: %s", name, getdns_get_errorstr_by_id(rc));
		if (req->parked)
			getdns_dict_destroy(req->parked_resp);
		free(req);
		return -1;
	}
	d->queries++;
	req->txid = t;
	if (txid)
		*txid = t;
	if (req->parked) {
		struct timeval now = {0, 0};

		req->next = d->parked;
		if (d->parked)
			d->parked->prev = req;
		d->parked = req;

		/* Out of memory for the deferral: deliver now; the caller has
		 * its txid already and touches nothing after a 0 return. */
		if (event_base_once(d->base, -1, EV_TIMEOUT, dns_on_parked, req, &now) < 0) {
			dns_unpark(req);
			dns_deliver(req, req->parked_type, req->parked_resp);
		}
	}
	return 0;
}

void dns_cancel(struct dns *d, uint64_t txid)
{
	struct dns_req *req;

	/* An answer already parked for delivery is no longer getdns's to cancel. */
	for (req = d->parked; req; req = req->next)
		if (req->txid == txid) {
			req->cancelled = true;
			return;
		}
	if (getdns_cancel_callback(d->ctx, txid) == GETDNS_RETURN_GOOD)
		d->abandoned++;
}
