/*
 * tls_ncsc_caa.c - CAA on the MX host names (RFC 8659), the tls_ncsc
 * probe's own DNS lookups: internet.nl reports for mail whether the MX
 * host's certificate authorities are pinned by CAA, as a notice (it never
 * lowers the verdict). tls_ncsc says the same: ncsc-caa-missing (SEV_NOTICE).
 *
 * The relevant RRset is found by tree climbing (RFC 8659 3): CAA at the
 * MX host name, and while there is none (NODATA or NXDOMAIN), at its
 * parent, up to and including its registrable domain (the Public Suffix
 * List, dmarc_org_domain). RFC 8659 climbs to just below the root; a public
 * suffix's CAA is not the mail domain's to set, so the climb stops where
 * the owner's part of the name ends. A lookup that fails (SERVFAIL, a
 * timeout, DNSSEC bogus) says nothing: no notice, the evidence says
 * "lookup-failed". Aliases are the resolver's: the answer is the CAA at the
 * end of a CNAME chain, as RFC 8659 3 asks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/json.h"
#include "../base/str.h"
#include "dmarc.h"
#include "ncsc.h"
#include "probe.h"

#define CAA_RECORDS_MAX 8 /* kept per MX host, for the evidence */

enum caa_state { CAA_PENDING = 0, CAA_FOUND, CAA_NONE, CAA_FAILED };

/* One MX host's climb. */
struct caa_walk {
	char host[DNS_NAME_MAX + 1];  /* the MX host */
	char qname[DNS_NAME_MAX + 1]; /* asked now; when found, the owner */
	char stop[DNS_NAME_MAX + 1];  /* the registrable domain: asked last */
	enum caa_state state;
	size_t nrec; /* records kept, sorted */
	char rec[CAA_RECORDS_MAX][160];
};

/* One domain's climbs, one per MX host: as many as it has (a fixed array
 * of SCAN_MX_MAX was 132 KB to clear for every domain, most of which have
 * one or two hosts). */
struct caa_probe {
	size_t n;
	struct caa_walk w[];
};

static struct caa_probe *caa_of(const struct domain_scan *ds) { return ds->priv[PROBE_TLS_NCSC]; }

static int caa_cmp(const void *a, const void *b) { return strcmp(a, b); }

/* The records of a NOERROR answer, sorted (an RRset has no order). */
static void caa_keep(struct caa_walk *w, const struct dns_answer *a)
{
	size_t k;

	w->nrec = 0;
	for (k = 0; k < a->n && w->nrec < CAA_RECORDS_MAX; k++) {
		const char *t = a->rr[k].txt, *sp = t ? strchr(t, ' ') : NULL;

		/* about the presentation form: flags tag "value" (dns_wire.c made
		 * every non-printable '?'; a '"' in the value is not escaped:
		 * this is evidence, not zone-file text) */
		if (a->rr[k].type == DNS_T_CAA && sp)
			(void)snprintf(w->rec[w->nrec++], sizeof(w->rec[0]), "%u %.*s \"%s\"",
				       (unsigned)a->rr[k].usage, (int)(sp - t), t, sp + 1);
	}
	qsort(w->rec, w->nrec, sizeof(w->rec[0]), caa_cmp);
}

static void caa_on_answer(struct domain_scan *ds, const struct dns_answer *a)
{
	struct caa_probe *p = caa_of(ds);
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		struct caa_walk *w = &p->w[i];
		const char *dot;

		if (w->state != CAA_PENDING || !str_ieq(w->qname, a->qname))
			continue;
		if ((a->status != DNS_OK && a->status != DNS_NXDOMAIN) || a->sec == SEC_BOGUS) {
			w->state = CAA_FAILED;
			continue;
		}
		if (a->status == DNS_OK && a->n > 0) {
			w->state = CAA_FOUND;
			caa_keep(w, a);
			continue;
		}
		dot = strchr(w->qname, '.');
		if (str_ieq(w->qname, w->stop) || !dot || !dot[1]) {
			w->state = CAA_NONE;
			continue;
		}
		memmove(w->qname, dot + 1, strlen(dot + 1) + 1);
		if (ds->env->query(ds, w->qname, DNS_T_CAA, caa_on_answer) < 0)
			w->state = CAA_FAILED;
	}
}

void tls_ncsc_caa_start(struct domain_scan *ds, const struct probe_env *env)
{
	struct caa_probe *p;
	size_t i, k;

	(void)env;
	if (ds->mx_kind != MX_LIST || ds->nmx == 0)
		return;
	p = calloc(1, sizeof(*p) + ds->nmx * sizeof(p->w[0]));
	if (!p)
		return;
	ds->priv[PROBE_TLS_NCSC] = p;
	for (i = 0; i < ds->nmx; i++) {
		const char *name = ds->mx[i].host->name;
		struct caa_walk *w;

		for (k = 0; k < p->n; k++)
			if (str_ieq(p->w[k].host, name))
				break;
		if (k < p->n || !name[0])
			continue;
		w = &p->w[p->n++];
		(void)str_copy(w->host, sizeof(w->host), name);
		(void)str_copy(w->qname, sizeof(w->qname), name);
		if (dmarc_org_domain(name, w->stop, sizeof(w->stop)) < 0)
			(void)str_copy(w->stop, sizeof(w->stop), name);
		if (ds->env->query(ds, w->qname, DNS_T_CAA, caa_on_answer) < 0)
			w->state = CAA_FAILED;
	}
}

void tls_ncsc_caa_cleanup(struct domain_scan *ds)
{
	free(ds->priv[PROBE_TLS_NCSC]);
	ds->priv[PROBE_TLS_NCSC] = NULL;
}

static const struct caa_walk *caa_walk_of(const struct domain_scan *ds, const char *host)
{
	const struct caa_probe *p = caa_of(ds);
	size_t i;

	for (i = 0; p && i < p->n; i++)
		if (str_ieq(p->w[i].host, host))
			return &p->w[i];
	return NULL;
}

bool tls_ncsc_caa_missing(const struct domain_scan *ds, const struct mx_host *h)
{
	const struct caa_walk *w = caa_walk_of(ds, h->name);

	return w && w->state == CAA_NONE;
}

void tls_ncsc_caa_evidence(const struct domain_scan *ds, const struct mx_host *h, struct json *j)
{
	static const char *const names[] = {
	    [CAA_PENDING] = "not-answered",
	    [CAA_FOUND] = "found",
	    [CAA_NONE] = "none",
	    [CAA_FAILED] = "lookup-failed",
	};
	const struct caa_walk *w = caa_walk_of(ds, h->name);
	size_t i;

	if (!w)
		return;
	json_key(j, "caa");
	json_obj_open(j);
	json_kstr(j, "state", names[w->state]);
	if (w->state == CAA_FOUND) {
		json_kstr(j, "owner", w->qname);
		json_key(j, "records");
		json_arr_open(j);
		for (i = 0; i < w->nrec; i++)
			json_str(j, w->rec[i]);
		json_arr_close(j);
	} else if (w->state == CAA_NONE) {
		json_kstr(j, "searched_up_to", w->stop);
	}
	json_obj_close(j);
}
