/*
 * ipv6.c - the ipv6 probe (issue 12 §1; internet.nl's mail test and Forum
 * Standaardisatie's measurement, "IPv6" on the recommended list): can the
 * domain's mail be reached over IPv6?
 *
 * Name servers: at least two of the name servers of the domain's zone have
 * an AAAA record (ipv6-ns-no-aaaa), and at least one of their IPv6
 * addresses answers a DNS query (the zone's SOA, NOERROR) sent straight to
 * it (ipv6-ns-unreachable). The engine's resolver recurses and cannot be
 * told which server to ask, so that query goes through probe_env.query_at
 * (one query by mailscan's own stub client, probes/dns_stub.c, to that
 * address).
 * MX hosts: every MX host has an AAAA record (ipv6-mx-no-aaaa), and every
 * MX IPv6 address answers SMTP on port 25 (ipv6-mx-unreachable). The
 * engine already probes every A and AAAA address of an MX host (the
 * starttls probe's sessions): their addr_status is the evidence. Null MX
 * and no MX: the MX part does not apply; the name-server part does.
 *
 * A machine without IPv6 (no route for the family: ENETUNREACH,
 * EADDRNOTAVAIL, EHOSTUNREACH on every IPv6 address tried, and none
 * answered) cannot test reachability: error ipv6-no-connectivity, never a
 * fail of the domain. The AAAA records are DNS facts and are judged anyway:
 * a missing AAAA is a fail with or without connectivity.
 * A lookup that failed (NS, AAAA of a name server, an MX host's addresses)
 * is error ipv6-dns-error, unless what was found already fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../base/json.h"
#include "../base/str.h"
#include "probe.h"

#define IPV6_NS_MAX 8      /* name servers kept of the zone's NS set */
#define IPV6_NSADDR_MAX 16 /* IPv6 addresses of name servers asked */

struct ipv6_ns {
	char name[DNS_NAME_MAX + 1];
	bool answered; /* its AAAA lookup is in */
	bool failed;   /* ... and failed */
	size_t naaaa;
};

enum ipv6_nsaddr_state {
	NSA_PENDING = 0,
	NSA_ANSWERS,     /* a NOERROR reply came back */
	NSA_SILENT,      /* no reply, or a failing one */
	NSA_UNREACHABLE, /* no route to IPv6 from here: not sent */
};

struct ipv6_nsaddr {
	char ip[48];
	char ns[DNS_NAME_MAX + 1];
	enum ipv6_nsaddr_state state;
	char error[160];
};

struct ipv6_probe {
	char zone[DNS_NAME_MAX + 1]; /* where the NS set was found (walk: asked) */
	bool zone_found;
	bool ns_failed; /* the NS lookup failed, or no NS set up to the TLD */
	bool capped;
	size_t nns, naddr;
	struct ipv6_ns ns[IPV6_NS_MAX];
	struct ipv6_nsaddr addr[IPV6_NSADDR_MAX];
	char detail[512];
};

static struct ipv6_probe *ipv6_of(const struct domain_scan *ds) { return ds->priv[PROBE_IPV6]; }

/* No answer, or one that failed DNSSEC validation (not evidence). */
static bool ipv6_failed(const struct dns_answer *a)
{
	return a->sec == SEC_BOGUS || (a->status != DNS_OK && a->status != DNS_NXDOMAIN);
}

static void ipv6_on_soa(struct domain_scan *ds, const struct dns_answer *a)
{
	struct ipv6_probe *p = ipv6_of(ds);
	size_t i;

	if (!p || !a->server)
		return;
	for (i = 0; i < p->naddr; i++) {
		struct ipv6_nsaddr *na = &p->addr[i];

		if (na->state != NSA_PENDING || strcmp(na->ip, a->server) != 0)
			continue;
		if (a->status == DNS_OK) {
			na->state = NSA_ANSWERS;
		} else {
			na->state = a->unreachable ? NSA_UNREACHABLE : NSA_SILENT;
			if (a->status == DNS_NXDOMAIN || a->status == DNS_SERVFAIL)
				(void)snprintf(na->error, sizeof(na->error), "rcode %d", a->rcode);
			else
				(void)str_copy(na->error, sizeof(na->error), a->error);
		}
	}
}

/* Ask the zone's SOA at ip (an IPv6 address of name server ns), once. */
static void ipv6_ask_ns(struct domain_scan *ds, const char *ns, const char *ip)
{
	struct ipv6_probe *p = ipv6_of(ds);
	struct ipv6_nsaddr *na;
	size_t i;

	for (i = 0; i < p->naddr; i++)
		if (strcmp(p->addr[i].ip, ip) == 0)
			return;
	if (p->naddr >= IPV6_NSADDR_MAX) {
		p->capped = true;
		return;
	}
	na = &p->addr[p->naddr++];
	memset(na, 0, sizeof(*na));
	(void)str_copy(na->ip, sizeof(na->ip), ip);
	(void)str_copy(na->ns, sizeof(na->ns), ns);
	if (ds->env->query_at(ds, na->ip, p->zone, DNS_T_SOA, ipv6_on_soa) < 0) {
		na->state = NSA_SILENT;
		(void)str_copy(na->error, sizeof(na->error), "query could not start");
	}
}

static void ipv6_on_aaaa(struct domain_scan *ds, const struct dns_answer *a)
{
	struct ipv6_probe *p = ipv6_of(ds);
	size_t i, k;

	if (!p)
		return;
	for (i = 0; i < p->nns; i++) {
		struct ipv6_ns *ns = &p->ns[i];

		if (ns->answered || !str_ieq(ns->name, a->qname))
			continue;
		ns->answered = true;
		if (ipv6_failed(a)) {
			ns->failed = true;
			continue;
		}
		for (k = 0; a->status == DNS_OK && k < a->n; k++) {
			if (a->rr[k].type != DNS_T_AAAA || !a->rr[k].addr[0])
				continue;
			ns->naaaa++;
			ipv6_ask_ns(ds, ns->name, a->rr[k].addr);
		}
	}
}

/* NS asked from the domain upwards: the first NS set is its zone's. */
static void ipv6_on_ns(struct domain_scan *ds, const struct dns_answer *a)
{
	struct ipv6_probe *p = ipv6_of(ds);
	const char *up;
	size_t k;

	if (!p || p->zone_found || p->ns_failed || !str_ieq(p->zone, a->qname))
		return;
	if (ipv6_failed(a)) {
		p->ns_failed = true;
		return;
	}
	for (k = 0; a->status == DNS_OK && k < a->n; k++) {
		struct ipv6_ns *ns;
		size_t i;
		bool dup = false;

		if (a->rr[k].type != DNS_T_NS || !a->rr[k].name[0])
			continue;
		for (i = 0; i < p->nns; i++)
			dup |= str_ieq(p->ns[i].name, a->rr[k].name);
		if (dup)
			continue;
		if (p->nns >= IPV6_NS_MAX) {
			p->capped = true;
			break;
		}
		ns = &p->ns[p->nns++];
		memset(ns, 0, sizeof(*ns));
		(void)str_copy(ns->name, sizeof(ns->name), a->rr[k].name);
	}
	if (p->nns) {
		p->zone_found = true;
		/* all names first: an answer may come before the next query starts */
		for (k = 0; k < p->nns; k++)
			if (ds->env->query(ds, p->ns[k].name, DNS_T_AAAA, ipv6_on_aaaa) < 0) {
				p->ns[k].answered = true;
				p->ns[k].failed = true;
			}
		return;
	}
	up = probe_name_parent(p->zone);
	if (!up) {
		p->ns_failed = true; /* the domain exists, so some zone has NS */
		return;
	}
	memmove(p->zone, up, strlen(up) + 1);
	if (ds->env->query(ds, p->zone, DNS_T_NS, ipv6_on_ns) < 0)
		p->ns_failed = true;
}

static void ipv6_start(struct domain_scan *ds, const struct probe_env *env)
{
	struct ipv6_probe *p;

	if (probe_domain_failed(ds) || !env->query_at)
		return;
	p = calloc(1, sizeof(*p));
	if (!p)
		return;
	ds->priv[PROBE_IPV6] = p;
	(void)str_copy(p->zone, sizeof(p->zone), ds->name);
	if (env->query(ds, p->zone, DNS_T_NS, ipv6_on_ns) < 0)
		p->ns_failed = true;
}

/* What the tally of one evaluation found. */
struct ipv6_tally {
	size_t tried;       /* IPv6 addresses tried (name servers and MX) */
	size_t answered;    /* of those, answered */
	size_t unreachable; /* of those, no route to IPv6 from here */
};

static void ipv6_judge_ns(const struct ipv6_probe *p, struct ipv6_tally *t,
			  struct probe_verdict *out)
{
	size_t i, with_aaaa = 0, ns_answers = 0;
	bool failed = p->ns_failed || !p->zone_found;

	for (i = 0; i < p->nns; i++) {
		with_aaaa += p->ns[i].naaaa > 0;
		failed |= p->ns[i].failed || !p->ns[i].answered;
	}
	if (with_aaaa < 2 && !failed) {
		verdict_raise(out, VERDICT_FAIL);
		verdict_add_reason(out, R_IPV6_NS_NO_AAAA);
	} else if (with_aaaa < 2) {
		verdict_raise(out, VERDICT_ERROR);
		verdict_add_reason(out, R_IPV6_DNS_ERROR);
	}
	for (i = 0; i < p->naddr; i++) {
		if (p->addr[i].state == NSA_PENDING)
			continue; /* cut off by the deadline: the engine says so */
		t->tried++;
		ns_answers += p->addr[i].state == NSA_ANSWERS;
		t->unreachable += p->addr[i].state == NSA_UNREACHABLE;
	}
	t->answered += ns_answers;
}

/* The MX part: every MX host has an AAAA, every IPv6 address answers. */
static void ipv6_judge_mx(const struct domain_scan *ds, struct ipv6_tally *t,
			  struct probe_verdict *out)
{
	size_t i, k;

	for (i = 0; ds->mx_kind == MX_LIST && i < ds->nmx; i++) {
		const struct mx_host *h = ds->mx[i].host;
		size_t v6 = 0;

		for (k = 0; k < h->naddr; k++) {
			const struct addr_result *ar = h->addr[k];

			if (ar->family != AF_INET6)
				continue;
			v6++;
			if (ar->status == ADDR_PENDING)
				continue; /* cut off by the deadline */
			t->tried++;
			if (addr_status_answered(ar->status))
				t->answered++;
			else if (ar->status == ADDR_UNREACHABLE_FAMILY)
				t->unreachable++;
		}
		if (v6 == 0 && h->dns_failed) {
			verdict_raise(out, VERDICT_ERROR);
			verdict_add_reason(out, R_IPV6_DNS_ERROR);
		} else if (v6 == 0) {
			verdict_raise(out, VERDICT_FAIL);
			verdict_add_reason(out, R_IPV6_MX_NO_AAAA);
		}
	}
}

static void ipv6_evaluate(const struct domain_scan *ds, struct probe_verdict *out)
{
	const struct ipv6_probe *p = ipv6_of(ds);
	struct ipv6_tally t = {0, 0, 0};
	bool no_v6, ns_answer = false;
	size_t i, k;

	if (probe_domain_precheck(ds, out))
		return; /* it does not exist, or its name servers failed */
	if (!p) {
		out->v = VERDICT_ERROR;
		verdict_add_reason(out, R_IPV6_DNS_ERROR);
		return;
	}
	verdict_raise(out, VERDICT_PASS);
	ipv6_judge_ns(p, &t, out);
	ipv6_judge_mx(ds, &t, out);
	/* no IPv6 address answered and each one tried had no route: this
	 * machine has no IPv6, reachability could not be tested */
	no_v6 = t.tried > 0 && t.answered == 0 && t.unreachable == t.tried;
	if (no_v6) {
		verdict_raise(out, VERDICT_ERROR);
		verdict_add_reason(out, R_IPV6_NO_CONNECTIVITY);
		return;
	}
	for (i = 0; i < p->naddr; i++)
		ns_answer |= p->addr[i].state == NSA_ANSWERS;
	if (p->naddr && !ns_answer && !ds->timed_out) {
		verdict_raise(out, VERDICT_FAIL);
		verdict_add_reason(out, R_IPV6_NS_UNREACHABLE);
	}
	for (i = 0; ds->mx_kind == MX_LIST && i < ds->nmx; i++) {
		const struct mx_host *h = ds->mx[i].host;

		for (k = 0; k < h->naddr; k++) {
			const struct addr_result *ar = h->addr[k];

			if (ar->family != AF_INET6 || ar->status == ADDR_PENDING ||
			    addr_status_answered(ar->status))
				continue;
			verdict_raise(out, VERDICT_FAIL);
			verdict_add_reason(out, R_IPV6_MX_UNREACHABLE);
		}
	}
}

static const char *ipv6_nsaddr_state_name(enum ipv6_nsaddr_state s)
{
	switch (s) {
	case NSA_ANSWERS:
		return "answers";
	case NSA_SILENT:
		return "no-answer";
	case NSA_UNREACHABLE:
		return "no-route";
	case NSA_PENDING:
		break;
	}
	return "not-answered";
}

static int ipv6_ns_cmp(const void *x, const void *y)
{
	const struct ipv6_ns *const *a = x, *const *b = y;

	return strcmp((*a)->name, (*b)->name);
}

static int ipv6_nsaddr_cmp(const void *x, const void *y)
{
	const struct ipv6_nsaddr *const *a = x, *const *b = y;

	return strcmp((*a)->ip, (*b)->ip);
}

/* Name servers and their addresses sorted: answers come in any order, and
 * the evidence of two runs must compare. The MX hosts' addresses are the
 * engine's (check --json "mx"); only their IPv6 summary is here. */
static void ipv6_evidence(const struct domain_scan *ds, struct json *j)
{
	const struct ipv6_probe *p = ipv6_of(ds);
	const struct ipv6_ns *ns[IPV6_NS_MAX];
	const struct ipv6_nsaddr *na[IPV6_NSADDR_MAX];
	size_t i, k;

	json_obj_open(j);
	if (!p) {
		json_kstr(j, "state", "not-evaluated");
		json_obj_close(j);
		return;
	}
	json_kstr(j, "zone", p->zone_found ? p->zone : NULL);
	json_kbool(j, "capped", p->capped);
	for (i = 0; i < p->nns; i++)
		ns[i] = &p->ns[i];
	for (i = 0; i < p->naddr; i++)
		na[i] = &p->addr[i];
	qsort(ns, p->nns, sizeof(ns[0]), ipv6_ns_cmp);
	qsort(na, p->naddr, sizeof(na[0]), ipv6_nsaddr_cmp);
	json_key(j, "name_servers");
	json_arr_open(j);
	for (i = 0; i < p->nns; i++) {
		json_obj_open(j);
		json_kstr(j, "name", ns[i]->name);
		json_kint(j, "aaaa", (long long)ns[i]->naaaa);
		json_kbool(j, "lookup_failed", ns[i]->failed);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_key(j, "ns_addresses");
	json_arr_open(j);
	for (i = 0; i < p->naddr; i++) {
		json_obj_open(j);
		json_kstr(j, "ip", na[i]->ip);
		json_kstr(j, "host", na[i]->ns);
		json_kstr(j, "dns", ipv6_nsaddr_state_name(na[i]->state));
		if (na[i]->error[0])
			json_kstr(j, "error", na[i]->error);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_key(j, "mx");
	json_arr_open(j);
	for (i = 0; ds->mx_kind == MX_LIST && i < ds->nmx; i++) {
		const struct mx_host *h = ds->mx[i].host;

		json_obj_open(j);
		json_kstr(j, "host", h->name);
		json_key(j, "ipv6");
		json_arr_open(j);
		for (k = 0; k < h->naddr; k++) {
			if (h->addr[k]->family != AF_INET6)
				continue;
			json_obj_open(j);
			json_kstr(j, "ip", h->addr[k]->ip);
			json_kstr(j, "smtp", addr_status_name(h->addr[k]->status));
			json_obj_close(j);
		}
		json_arr_close(j);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

/* The first thing wrong, in words (the same line every run). */
static const char *ipv6_detail(const struct domain_scan *ds)
{
	struct ipv6_probe *p = ipv6_of(ds);
	size_t i, k, with_aaaa = 0;

	if (!p)
		return NULL;
	for (i = 0; i < ds->nmx && ds->mx_kind == MX_LIST; i++) {
		const struct mx_host *h = ds->mx[i].host;
		size_t v6 = 0;

		for (k = 0; k < h->naddr; k++) {
			const struct addr_result *ar = h->addr[k];

			if (ar->family != AF_INET6)
				continue;
			v6++;
			if (ar->status != ADDR_PENDING && !addr_status_answered(ar->status)) {
				(void)snprintf(p->detail, sizeof(p->detail),
					       "MX %s [%s]: no SMTP over IPv6 (%s)", h->name,
					       ar->ip, addr_status_name(ar->status));
				return p->detail;
			}
		}
		if (v6 == 0 && !h->dns_failed) {
			(void)snprintf(p->detail, sizeof(p->detail), "MX %s has no AAAA record",
				       h->name);
			return p->detail;
		}
	}
	for (i = 0; i < p->nns; i++)
		with_aaaa += p->ns[i].naaaa > 0;
	if (p->zone_found && with_aaaa < 2) {
		(void)snprintf(p->detail, sizeof(p->detail),
			       "%zu of %zu name servers of %s have an AAAA record (2 needed)",
			       with_aaaa, p->nns, p->zone);
		return p->detail;
	}
	return NULL;
}

static void ipv6_cleanup(struct domain_scan *ds)
{
	free(ds->priv[PROBE_IPV6]);
	ds->priv[PROBE_IPV6] = NULL;
}

const struct probe_ops probe_ipv6 = {
    .name = "ipv6",
    .id = PROBE_IPV6,
    .title = {"IPv6 (naamservers en mailservers)", "IPv6 (name servers and mail servers)"},
    .level = PROBE_RECOMMENDED,
    .basis = {"RFC 8200, RFC 3596; internet.nl controleert naamservers en MX",
	      "RFC 8200, RFC 3596; internet.nl checks name servers and MX"},
    .mx_bound = true,
    .start = ipv6_start,
    .evaluate = ipv6_evaluate,
    .cleanup = ipv6_cleanup,
    .evidence = ipv6_evidence,
    .detail = ipv6_detail,
};
