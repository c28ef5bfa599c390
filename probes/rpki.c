/*
 * rpki.c - the rpki probe (issue 12 §2; RFC 6811 route-origin validation,
 * as internet.nl's mail test and Forum Standaardisatie's measurement judge
 * it): for every address of the MX hosts, of the domain's name servers and
 * of the name servers of the MX hosts' zones ("MX domains"), the announced
 * prefix and origin AS, and whether the RPKI says valid, invalid or
 * not-found.
 *
 * pass: every route of every address valid; warn: some route not-found (no
 * ROA covers it) or an address without an announced route; fail: some route
 * invalid (rpki-invalid-origin: no covering ROA names its origin AS;
 * rpki-invalid-length: one does, but the route is longer than its
 * maxLength); error: no RPKI source given (rpki-no-source: never a silent
 * pass), the RTR cache not in sync (rpki-cache-unreachable), or a lookup
 * failed so not every address could be judged (rpki-dns-error).
 *
 * The lookups are the probe's own, through the engine's resolver: the NS
 * set of the domain's zone and of each MX host's zone (found by asking NS
 * from the name upwards: a domain or MX host need not be a zone apex), A and AAAA of every MX host
 * and name server (the MX hosts' hit the cache of the engine's own lookups), and per address its
 * origin: Team Cymru's origin TXT, or the --bgp-table. The engine resolves MX addresses too, but
 * only hands them over when the domain is evaluated, too late to start lookups from; so the probe
 * asks again, and the answers come from the shared cache. The VRPs and the validation are RTRlib's
 * (probes/rpki_data.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/json.h"
#include "../base/str.h"
#include "probe.h"
#include "rpki.h"

#define RPKI_HOSTS_MAX 32 /* MX hosts and name servers judged per domain */
_Static_assert(RPKI_HOSTS_MAX <= 32, "rpki_addr.hosts has a bit per host");
#define RPKI_ADDRS_MAX 64 /* addresses judged per domain */
#define RPKI_NS_MAX 8     /* name servers kept of one NS set */

/* What a host or address is to the domain (bits). */
#define ROLE_MX 1u   /* an MX host */
#define ROLE_NS 2u   /* a name server of the domain */
#define ROLE_MXNS 4u /* a name server of an MX host's zone */

struct rpki_host {
	char name[DNS_NAME_MAX + 1];
	unsigned roles;
	int answers;  /* of A and AAAA */
	bool failed;  /* a lookup failed: its addresses may be incomplete */
	size_t naddr; /* addresses found */
};

/* The state of one address, the worst of its routes'. */
enum rpki_addr_state {
	ADDR_RPKI_PENDING = 0, /* no origin answer (yet) */
	ADDR_RPKI_VALID,
	ADDR_RPKI_NOT_FOUND,
	ADDR_RPKI_NO_ROUTE,      /* no announced route covers it */
	ADDR_RPKI_INVALID,       /* some route invalid */
	ADDR_RPKI_LOOKUP_FAILED, /* its origin could not be looked up */
	ADDR_RPKI_NOT_JUDGED,    /* the RTR cache was not in sync */
};

struct rpki_addr {
	char ip[48];
	uint32_t hosts;               /* the hosts on it: bits indexing rpki_probe.hosts */
	char qname[DNS_NAME_MAX + 1]; /* its Cymru origin name */
	enum rpki_addr_state state;
	char error[200];
	size_t nroutes;
	struct rpki_route routes[RPKI_ROUTES_MAX];
	enum rpki_state rstate[RPKI_ROUTES_MAX];
};

/* Finding the zone of the domain or of an MX host: NS asked from its name
 * upwards, the first NS set found is its zone's. */
struct rpki_walk {
	char qname[DNS_NAME_MAX + 1];
	unsigned role; /* ROLE_NS: the domain's, ROLE_MXNS: an MX host's */
	bool done;
};

struct rpki_probe {
	bool ns_failed; /* an NS lookup failed, or the domain's zone has no NS set */
	bool bogus;     /* an answer failed DNSSEC validation (so: not used) */
	bool capped;    /* more hosts or addresses than kept */
	size_t nhosts, naddrs, nwalks;
	char detail[512];
	/* From here on not cleared when made (rpki_start: 110 KB for every
	 * domain): only the first nhosts / naddrs / nwalks entries are used,
	 * each set in full when it is added. */
	struct rpki_host hosts[RPKI_HOSTS_MAX];
	struct rpki_addr addrs[RPKI_ADDRS_MAX];
	struct rpki_walk walks[SCAN_MX_MAX + 1];
};

static struct rpki_probe *rpki_of(const struct domain_scan *ds) { return ds->priv[PROBE_RPKI]; }

static const struct rpki_data *rpki_env(const struct domain_scan *ds)
{
	return ds->env ? ds->env->rpki : NULL;
}

/* A lookup that failed: no answer, or one that failed DNSSEC validation
 * (what a validating receiver never sees, RFC 4035 §5.5: not evidence). */
static bool rpki_failed(struct rpki_probe *p, const struct dns_answer *a)
{
	if (a->sec == SEC_BOGUS)
		p->bogus = true;
	return a->sec == SEC_BOGUS || (a->status != DNS_OK && a->status != DNS_NXDOMAIN);
}

static void rpki_on_origin(struct domain_scan *ds, const struct dns_answer *a);
static void rpki_on_addr(struct domain_scan *ds, const struct dns_answer *a);

/* Judge the routes of ad against the VRPs (once, where they are learnt). */
static void rpki_judge_addr(const struct domain_scan *ds, struct rpki_addr *ad)
{
	const struct rpki_data *d = rpki_env(ds);
	size_t i;

	if (ad->nroutes == 0) {
		ad->state = ADDR_RPKI_NO_ROUTE;
		return;
	}
	if (!rpki_data_ready(d)) {
		ad->state = ADDR_RPKI_NOT_JUDGED;
		return;
	}
	ad->state = ADDR_RPKI_VALID;
	for (i = 0; i < ad->nroutes; i++) {
		if (rpki_data_validate(d, &ad->routes[i], &ad->rstate[i]) < 0) {
			ad->state = ADDR_RPKI_LOOKUP_FAILED;
			(void)str_copy(ad->error, sizeof(ad->error),
				       "route could not be validated");
			return;
		}
		if (ad->rstate[i] == RPKI_INVALID_ORIGIN || ad->rstate[i] == RPKI_INVALID_LENGTH)
			ad->state = ADDR_RPKI_INVALID;
		else if (ad->rstate[i] == RPKI_NOT_FOUND && ad->state == ADDR_RPKI_VALID)
			ad->state = ADDR_RPKI_NOT_FOUND;
	}
}

/* Add address ip of host h; start its origin lookup when it is new. */
static void rpki_add_addr(struct domain_scan *ds, const struct rpki_host *h, const char *ip)
{
	struct rpki_probe *p = rpki_of(ds);
	const struct rpki_data *d = rpki_env(ds);
	struct rpki_addr *ad;
	size_t i;

	for (i = 0; i < p->naddrs; i++)
		if (strcmp(p->addrs[i].ip, ip) == 0) {
			p->addrs[i].hosts |= 1u << (h - p->hosts);
			return;
		}
	if (p->naddrs >= RPKI_ADDRS_MAX) {
		p->capped = true;
		return;
	}
	ad = &p->addrs[p->naddrs++];
	memset(ad, 0, sizeof(*ad));
	(void)str_copy(ad->ip, sizeof(ad->ip), ip);
	ad->hosts = 1u << (h - p->hosts);
	if (rpki_data_has_bgp(d)) {
		ad->nroutes = rpki_data_bgp_routes(d, ip, ad->routes, RPKI_ROUTES_MAX);
		rpki_judge_addr(ds, ad);
		return;
	}
	if (rpki_cymru_name(ip, ad->qname, sizeof(ad->qname)) < 0 ||
	    ds->env->query(ds, ad->qname, DNS_T_TXT, rpki_on_origin) < 0) {
		ad->state = ADDR_RPKI_LOOKUP_FAILED;
		(void)str_copy(ad->error, sizeof(ad->error), "origin lookup could not start");
	}
}

/* Add host name with role; ask its addresses when it is new. */
static void rpki_add_host(struct domain_scan *ds, const char *name, unsigned role)
{
	struct rpki_probe *p = rpki_of(ds);
	struct rpki_host *h;
	size_t i;

	if (!name[0])
		return;
	for (i = 0; i < p->nhosts; i++)
		if (str_ieq(p->hosts[i].name, name)) {
			p->hosts[i].roles |= role;
			return;
		}
	if (p->nhosts >= RPKI_HOSTS_MAX) {
		p->capped = true;
		return;
	}
	h = &p->hosts[p->nhosts++];
	memset(h, 0, sizeof(*h));
	(void)str_copy(h->name, sizeof(h->name), name);
	h->roles = role;
	if (ds->env->query(ds, h->name, DNS_T_A, rpki_on_addr) < 0) {
		h->failed = true;
		h->answers++;
	}
	if (ds->env->query(ds, h->name, DNS_T_AAAA, rpki_on_addr) < 0) {
		h->failed = true;
		h->answers++;
	}
}

static void rpki_on_addr(struct domain_scan *ds, const struct dns_answer *a)
{
	struct rpki_probe *p = rpki_of(ds);
	size_t i, k;

	if (!p)
		return;
	for (i = 0; i < p->nhosts; i++) {
		struct rpki_host *h = &p->hosts[i];

		if (!str_ieq(h->name, a->qname))
			continue;
		h->answers++;
		if (rpki_failed(p, a)) {
			h->failed = true;
			continue;
		}
		for (k = 0; a->status == DNS_OK && k < a->n; k++) {
			if (a->rr[k].type != a->qtype || !a->rr[k].addr[0])
				continue;
			h->naddr++;
			rpki_add_addr(ds, h, a->rr[k].addr);
		}
	}
}

static void rpki_on_origin(struct domain_scan *ds, const struct dns_answer *a)
{
	struct rpki_probe *p = rpki_of(ds);
	const char *txt[16];
	size_t i, n;

	if (!p)
		return;
	for (i = 0; i < p->naddrs; i++) {
		struct rpki_addr *ad = &p->addrs[i];

		if (ad->state != ADDR_RPKI_PENDING || !str_ieq(ad->qname, a->qname))
			continue;
		if (rpki_failed(p, a)) {
			ad->state = ADDR_RPKI_LOOKUP_FAILED;
			(void)snprintf(ad->error, sizeof(ad->error), "origin lookup: %s",
				       a->sec == SEC_BOGUS ? "DNSSEC bogus" : a->error);
			continue;
		}
		n = a->status == DNS_OK ? probe_txt_sorted(a, txt, sizeof(txt) / sizeof(txt[0]))
					: 0;
		ad->nroutes = rpki_cymru_parse(ad->ip, txt, n, ad->routes, RPKI_ROUTES_MAX);
		rpki_judge_addr(ds, ad);
	}
}

/* One step of a walk up to the apex of a zone. */
static void rpki_on_walk(struct domain_scan *ds, const struct dns_answer *a)
{
	struct rpki_probe *p = rpki_of(ds);
	size_t i, k, kept;

	if (!p)
		return;
	for (i = 0; i < p->nwalks; i++) {
		struct rpki_walk *w = &p->walks[i];
		const char *up;

		if (w->done || !str_ieq(w->qname, a->qname))
			continue;
		if (rpki_failed(p, a)) {
			w->done = true;
			p->ns_failed = true;
			continue;
		}
		kept = 0;
		for (k = 0; a->status == DNS_OK && k < a->n && kept < RPKI_NS_MAX; k++)
			if (a->rr[k].type == DNS_T_NS && a->rr[k].name[0]) {
				rpki_add_host(ds, a->rr[k].name, w->role);
				kept++;
			}
		if (kept) {
			w->done = true; /* the apex of the zone */
			continue;
		}
		up = probe_name_parent(w->qname);
		if (!up) {
			/* the domain exists, so its zone has name servers; an MX host
			 * in a name that does not exist has none (and no address) */
			w->done = true;
			p->ns_failed |= w->role == ROLE_NS;
			continue;
		}
		memmove(w->qname, up, strlen(up) + 1);
		if (ds->env->query(ds, w->qname, DNS_T_NS, rpki_on_walk) < 0) {
			w->done = true;
			p->ns_failed = true;
		}
	}
}

/* Find the name servers of name's zone, for role. */
static void rpki_walk_start(struct domain_scan *ds, const char *name, unsigned role)
{
	struct rpki_probe *p = rpki_of(ds);
	struct rpki_walk *w;

	if (p->nwalks >= sizeof(p->walks) / sizeof(p->walks[0]))
		return;
	w = &p->walks[p->nwalks++];
	memset(w, 0, sizeof(*w));
	(void)str_copy(w->qname, sizeof(w->qname), name);
	w->role = role;
	if (ds->env->query(ds, w->qname, DNS_T_NS, rpki_on_walk) < 0) {
		w->done = true;
		p->ns_failed = true;
	}
}

static void rpki_start(struct domain_scan *ds, const struct probe_env *env)
{
	struct rpki_probe *p;
	size_t i;

	if (probe_domain_failed(ds) || !rpki_data_has_source(env->rpki))
		return; /* judged from the DNS failure, or rpki-no-source */
	p = malloc(sizeof(*p));
	if (!p)
		return;
	memset(p, 0, offsetof(struct rpki_probe, hosts));
	ds->priv[PROBE_RPKI] = p;
	rpki_walk_start(ds, ds->name, ROLE_NS);
	for (i = 0; ds->mx_kind == MX_LIST && i < ds->nmx; i++) {
		rpki_add_host(ds, ds->mx[i].host->name, ROLE_MX);
		rpki_walk_start(ds, ds->mx[i].host->name, ROLE_MXNS);
	}
}

static void rpki_evaluate(const struct domain_scan *ds, struct probe_verdict *out)
{
	const struct rpki_probe *p = rpki_of(ds);
	bool failed;
	size_t i, k;

	if (probe_domain_precheck(ds, out))
		return; /* it does not exist, or its name servers failed */
	if (!rpki_data_has_source(rpki_env(ds))) {
		out->v = VERDICT_ERROR;
		verdict_add_reason(out, R_RPKI_NO_SOURCE);
		return;
	}
	if (!p) {
		out->v = VERDICT_ERROR;
		verdict_add_reason(out, R_RPKI_DNS_ERROR);
		return;
	}
	failed = p->ns_failed || p->naddrs == 0;
	for (i = 0; i < p->nhosts; i++)
		failed |= p->hosts[i].failed;
	verdict_raise(out, VERDICT_PASS);
	for (i = 0; i < p->naddrs; i++) {
		const struct rpki_addr *ad = &p->addrs[i];

		switch (ad->state) {
		case ADDR_RPKI_VALID:
			break;
		case ADDR_RPKI_NOT_FOUND:
			verdict_raise(out, VERDICT_WARN);
			verdict_add_reason(out, R_RPKI_NOT_FOUND);
			break;
		case ADDR_RPKI_NO_ROUTE:
			verdict_raise(out, VERDICT_WARN);
			verdict_add_reason(out, R_RPKI_NO_ROUTE);
			break;
		case ADDR_RPKI_INVALID:
			verdict_raise(out, VERDICT_FAIL);
			for (k = 0; k < ad->nroutes; k++) {
				if (ad->rstate[k] == RPKI_INVALID_ORIGIN)
					verdict_add_reason(out, R_RPKI_INVALID_ORIGIN);
				if (ad->rstate[k] == RPKI_INVALID_LENGTH)
					verdict_add_reason(out, R_RPKI_INVALID_LENGTH);
			}
			/* a route not-found beside an invalid one is said too */
			for (k = 0; k < ad->nroutes; k++)
				if (ad->rstate[k] == RPKI_NOT_FOUND)
					verdict_add_reason(out, R_RPKI_NOT_FOUND);
			break;
		case ADDR_RPKI_NOT_JUDGED:
			verdict_raise(out, VERDICT_ERROR);
			verdict_add_reason(out, R_RPKI_CACHE_UNREACHABLE);
			break;
		case ADDR_RPKI_PENDING: /* cut off by the deadline */
			if (ds->timed_out)
				verdict_raise(out, VERDICT_ERROR);
			else
				failed = true;
			break;
		case ADDR_RPKI_LOOKUP_FAILED:
			failed = true;
			break;
		}
	}
	if (p->bogus)
		verdict_add_reason(out, R_DNSSEC_BOGUS);
	if (failed && !ds->timed_out) {
		/* not every address could be judged: no pass (a fail stands) */
		verdict_raise(out, VERDICT_ERROR);
		verdict_add_reason(out, R_RPKI_DNS_ERROR);
	}
}

static const char *rpki_addr_state_name(enum rpki_addr_state s)
{
	switch (s) {
	case ADDR_RPKI_VALID:
		return "valid";
	case ADDR_RPKI_NOT_FOUND:
		return "not-found";
	case ADDR_RPKI_NO_ROUTE:
		return "no-route";
	case ADDR_RPKI_INVALID:
		return "invalid";
	case ADDR_RPKI_LOOKUP_FAILED:
		return "lookup-failed";
	case ADDR_RPKI_NOT_JUDGED:
		return "not-judged";
	case ADDR_RPKI_PENDING:
		break;
	}
	return "not-answered";
}

/*
 * An address's roles are those of every host on it, and the host it is
 * listed under is the first of them in name order: neither may depend on
 * which answer came first, so that the evidence of two runs compares.
 */
static unsigned rpki_addr_roles(const struct rpki_probe *p, const struct rpki_addr *ad)
{
	unsigned roles = 0;
	size_t i;

	for (i = 0; i < p->nhosts; i++)
		if (ad->hosts & (1u << i))
			roles |= p->hosts[i].roles;
	return roles;
}

static const char *rpki_addr_host(const struct rpki_probe *p, const struct rpki_addr *ad)
{
	const char *name = "";
	size_t i;

	for (i = 0; i < p->nhosts; i++)
		if ((ad->hosts & (1u << i)) && (!name[0] || strcmp(p->hosts[i].name, name) < 0))
			name = p->hosts[i].name;
	return name;
}

static void rpki_roles_json(struct json *j, unsigned roles)
{
	json_key(j, "roles");
	json_arr_open(j);
	if (roles & ROLE_MX)
		json_str(j, "mx");
	if (roles & ROLE_NS)
		json_str(j, "ns");
	if (roles & ROLE_MXNS)
		json_str(j, "mx-ns");
	json_arr_close(j);
}

static int rpki_host_cmp(const void *x, const void *y)
{
	const struct rpki_host *const *a = x, *const *b = y;

	return strcmp((*a)->name, (*b)->name);
}

static int rpki_addr_cmp(const void *x, const void *y)
{
	const struct rpki_addr *const *a = x, *const *b = y;

	return strcmp((*a)->ip, (*b)->ip);
}

/* The evidence lists hosts and addresses sorted (answers come in any order,
 * and the evidence of two runs must compare). */
static void rpki_evidence(const struct domain_scan *ds, struct json *j)
{
	const struct rpki_probe *p = rpki_of(ds);
	const struct rpki_data *d = rpki_env(ds);
	const struct rpki_host *hs[RPKI_HOSTS_MAX];
	const struct rpki_addr *as[RPKI_ADDRS_MAX];
	size_t i, k;

	json_obj_open(j);
	if (!rpki_data_has_source(d)) {
		json_kstr(j, "source", NULL);
		json_obj_close(j);
		return;
	}
	json_kstr(j, "source", rpki_data_source_name(d));
	json_kstr(j, "origins", rpki_data_has_bgp(d) ? "bgp-table" : "dns");
	if (!p) {
		json_kstr(j, "state", "not-evaluated");
		json_obj_close(j);
		return;
	}
	json_kbool(j, "capped", p->capped);
	for (i = 0; i < p->nhosts; i++)
		hs[i] = &p->hosts[i];
	for (i = 0; i < p->naddrs; i++)
		as[i] = &p->addrs[i];
	qsort(hs, p->nhosts, sizeof(hs[0]), rpki_host_cmp);
	qsort(as, p->naddrs, sizeof(as[0]), rpki_addr_cmp);
	json_key(j, "hosts");
	json_arr_open(j);
	for (i = 0; i < p->nhosts; i++) {
		json_obj_open(j);
		json_kstr(j, "name", hs[i]->name);
		rpki_roles_json(j, hs[i]->roles);
		json_kint(j, "addresses", (long long)hs[i]->naddr);
		json_kbool(j, "lookup_failed", hs[i]->failed);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_key(j, "addresses");
	json_arr_open(j);
	for (i = 0; i < p->naddrs; i++) {
		const struct rpki_addr *ad = as[i];

		json_obj_open(j);
		json_kstr(j, "ip", ad->ip);
		json_kstr(j, "host", rpki_addr_host(p, ad));
		rpki_roles_json(j, rpki_addr_roles(p, ad));
		json_kstr(j, "state", rpki_addr_state_name(ad->state));
		if (ad->error[0])
			json_kstr(j, "error", ad->error);
		json_key(j, "routes");
		json_arr_open(j);
		for (k = 0; k < ad->nroutes; k++) {
			bool judged = ad->state == ADDR_RPKI_VALID ||
				      ad->state == ADDR_RPKI_NOT_FOUND ||
				      ad->state == ADDR_RPKI_INVALID;

			json_obj_open(j);
			json_kstr(j, "prefix", ad->routes[k].prefix);
			json_kint(j, "origin", (long long)ad->routes[k].origin);
			json_kstr(j, "state", judged ? rpki_state_name(ad->rstate[k]) : NULL);
			if (judged && ad->rstate[k] == RPKI_INVALID_ORIGIN)
				json_kstr(j, "why", "origin-as");
			if (judged && ad->rstate[k] == RPKI_INVALID_LENGTH)
				json_kstr(j, "why", "max-length");
			json_obj_close(j);
		}
		json_arr_close(j);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

/* How much an address state weighs in the one line of words: the worst is
 * told (invalid, then not judged, then not-found, no route). */
static int rpki_addr_weight(enum rpki_addr_state s)
{
	switch (s) {
	case ADDR_RPKI_INVALID:
		return 5;
	case ADDR_RPKI_LOOKUP_FAILED:
	case ADDR_RPKI_NOT_JUDGED:
	case ADDR_RPKI_PENDING:
		return 4;
	case ADDR_RPKI_NOT_FOUND:
		return 3;
	case ADDR_RPKI_NO_ROUTE:
		return 2;
	case ADDR_RPKI_VALID:
		break;
	}
	return 0;
}

/* The worst address, in words (the lowest address of the worst state: the
 * same line every run, whatever order the answers came in). */
static const char *rpki_detail(const struct domain_scan *ds)
{
	struct rpki_probe *p = rpki_of(ds);
	const struct rpki_addr *ad = NULL;
	size_t i;

	if (!p)
		return NULL;
	for (i = 0; i < p->naddrs; i++) {
		const struct rpki_addr *c = &p->addrs[i];
		int w = rpki_addr_weight(c->state);

		if (w == 0)
			continue;
		if (!ad || w > rpki_addr_weight(ad->state) ||
		    (w == rpki_addr_weight(ad->state) && strcmp(c->ip, ad->ip) < 0))
			ad = c;
	}
	if (!ad)
		return NULL;
	if (ad->nroutes)
		(void)snprintf(p->detail, sizeof(p->detail), "%s (%s): %s from AS%u %s", ad->ip,
			       rpki_addr_host(p, ad), ad->routes[0].prefix,
			       (unsigned)ad->routes[0].origin, rpki_addr_state_name(ad->state));
	else
		(void)snprintf(p->detail, sizeof(p->detail), "%s (%s): %s", ad->ip,
			       rpki_addr_host(p, ad), rpki_addr_state_name(ad->state));
	return p->detail;
}

static void rpki_cleanup(struct domain_scan *ds)
{
	free(ds->priv[PROBE_RPKI]);
	ds->priv[PROBE_RPKI] = NULL;
}

const struct probe_ops probe_rpki = {
    .name = "rpki",
    .id = PROBE_RPKI,
    .title = {"RPKI (routeringsbeveiliging)", "RPKI (route origin validation)"},
    .level = PROBE_REQUIRED,
    .basis = {"RFC 6480, RFC 6811, RFC 9319; pas-toe-of-leg-uitlijst Forum Standaardisatie, "
	      "internet.nl controleert MX en naamservers",
	      "RFC 6480, RFC 6811, RFC 9319; Forum Standaardisatie comply-or-explain list, "
	      "internet.nl checks MX and name servers"},
    .mx_bound = true,
    .start = rpki_start,
    .evaluate = rpki_evaluate,
    .cleanup = rpki_cleanup,
    .evidence = rpki_evidence,
    .detail = rpki_detail,
};
