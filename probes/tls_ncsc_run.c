/*
 * tls_ncsc_run.c - the runner of the tls_ncsc probe (SPEC §3 tls_ncsc):
 * after the first completed STARTTLS handshake on an IP, its extra
 * handshakes (the plan of ncsc.h) run one at a time as SMTP sessions the
 * engine queues in the IP's slot like every other probe (struct
 * probe_run_env.session), so --per-ip and --rate hold for them, under a
 * time cap of TLS_NCSC_CAP_FACTOR x --timeout for the whole probe.
 *
 * The probe runs once per IP, whatever number of MX host names are on it
 * (the first name seen is the SNI): its result is shared by every
 * addr_result on the IP with a completed handshake (ar->ncsc), and the
 * hosts whose address joined while it runs wait for it (host_hold /
 * host_release). The verdict is tls_ncsc.c's.
 *
 * Client-initiated renegotiation is tried inside one of these sessions
 * (the first to complete a handshake at TLS 1.2, ncsc_plan_reneg_want),
 * after its handshake and before its QUIT, never in a session of its own:
 * the number of connections per address stays the plan's.
 */
#include <event2/event.h>
#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/log.h"
#include "../base/mono.h"
#include "../base/str.h"
#include "ncsc.h"
#include "probe.h"
#include "smtp.h"
#include "tls.h"

#define TLS_NCSC_BUCKETS 4096
/* The tls_ncsc probe of one address may take this many times --timeout in
 * all (its handshakes and their waits in the IP's queue). */
#define TLS_NCSC_CAP_FACTOR 4

struct nentry;

/* The probe's state for one run (probe_ops.run_init). */
struct tls_ncsc_run {
	const struct probe_run_env *env;
	struct ncsc_catalogue cat; /* the suites this OpenSSL can offer */
	struct nentry *nentries[TLS_NCSC_BUCKETS];
};

/*
 * The tls_ncsc probe of one IP. Its result r is shared: every addr_result
 * on this IP with a completed handshake points at it (refs); hosts whose
 * address joined while it ran wait for it (waiters, held by the engine).
 */
struct nentry {
	struct ncsc_result r; /* first: an ar->ncsc is a struct nentry * */
	struct tls_ncsc_run *run;
	struct nentry *next; /* hash chain */
	unsigned refs;
	bool running;
	int family;
	struct ncsc_plan plan;
	struct ncsc_attempt cur; /* the attempt under way */
	struct ncsc_outcome out; /* ... and what its handshake gave */
	bool hooked;             /* the handshake hook ran */
	struct smtp_hooks hooks;
	struct mx_host sni;         /* the name only: SNI, no DANE */
	struct addr_result scratch; /* the attempt's SMTP session writes here */
	struct probe_session *job;  /* the attempt queued or under way */
	struct event *cap;          /* the time cap of the whole probe */
	struct event *kick;         /* the next step, from the loop */
	struct mx_host **waiters;
	size_t nwait, capwait;
	struct timespec t0;
};

static unsigned long tls_ncsc_hash(const char *s)
{
	unsigned long h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h % TLS_NCSC_BUCKETS;
}

static void ncsc_free(struct nentry *ne)
{
	if (ne->cap)
		event_free(ne->cap);
	if (ne->kick)
		event_free(ne->kick);
	free(ne->scratch.banner);
	free(ne->scratch.ehlo);
	free(ne->waiters);
	free(ne);
}

static struct nentry *ncsc_find(struct tls_ncsc_run *run, const char *ip)
{
	struct nentry *ne;

	for (ne = run->nentries[tls_ncsc_hash(ip)]; ne; ne = ne->next)
		if (strcmp(ne->r.ip, ip) == 0)
			return ne;
	return NULL;
}

static void ncsc_unlink(struct tls_ncsc_run *run, struct nentry *ne)
{
	struct nentry **pp;

	for (pp = &run->nentries[tls_ncsc_hash(ne->r.ip)]; *pp && *pp != ne; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = ne->next;
}

/* An addr_result lets go (its host is dropped from the cache): the last one
 * frees a finished probe; the address is probed again if it comes back. */
static void ncsc_release(struct tls_ncsc_run *run, struct nentry *ne)
{
	if (ne->refs > 0)
		ne->refs--;
	if (ne->refs == 0 && !ne->running) {
		ncsc_unlink(run, ne);
		ncsc_free(ne);
	}
}

static double ncsc_ms_since(const struct timespec *t0)
{
	struct timespec now;

	mono_now(&now);
	return mono_sec(t0, &now) * 1000.0;
}

/* The probe is over: release the hosts that waited for it. Nothing of ne
 * is used after that (the last host may drop it). */
static void ncsc_end(struct nentry *ne)
{
	const struct probe_run_env *env = ne->run->env;
	struct mx_host **w = ne->waiters;
	size_t i, n = ne->nwait;

	ne->running = false;
	ne->r.elapsed_ms = (unsigned)ncsc_ms_since(&ne->t0);
	(void)evtimer_del(ne->cap);
	(void)evtimer_del(ne->kick);
	log_info("tls_ncsc %s (%s): %s after %u handshakes in %u ms, %zu findings%s%s", ne->r.ip,
		 ne->r.sni, ncsc_state_name(ne->r.state), ne->r.handshakes, ne->r.elapsed_ms,
		 ne->r.nfind, ne->r.note[0] ? ": " : "", ne->r.note);
	ne->waiters = NULL;
	ne->nwait = ne->capwait = 0;
	for (i = 0; i < n; i++)
		env->host_release(env->run, w[i]);
	free(w);
}

/* Run the next step from the loop, not from inside a callback. */
static void ncsc_schedule(struct nentry *ne)
{
	struct timeval tv = {0, 0};

	if (evtimer_add(ne->kick, &tv) < 0) {
		ncsc_plan_stop(&ne->plan, "event loop");
		ncsc_end(ne);
	}
}

static void ncsc_attempt_done(struct addr_result *ar, void *arg);

/* Queue the plan's next attempt (first in the IP's queue: the probe runs as
 * one piece, the time cap is for its handshakes), or end the probe. */
static void ncsc_on_kick(evutil_socket_t fd, short what, void *arg)
{
	struct nentry *ne = arg;
	const struct probe_run_env *env = ne->run->env;

	(void)fd;
	(void)what;
	if (!ne->running || ne->job)
		return;
	if (env->stopping(env->run)) {
		ncsc_plan_stop(&ne->plan, "the run was stopped");
		ncsc_end(ne);
		return;
	}
	if (!ncsc_plan_next(&ne->plan, &ne->cur)) {
		ncsc_end(ne);
		return;
	}
	free(ne->scratch.banner);
	free(ne->scratch.ehlo);
	memset(&ne->scratch, 0, sizeof(ne->scratch));
	(void)str_copy(ne->scratch.ip, sizeof(ne->scratch.ip), ne->r.ip);
	ne->scratch.family = ne->family;
	ne->scratch.dane_depth = -1;
	ne->hooked = false;
	memset(&ne->out, 0, sizeof(ne->out));
	if (env->session(env->run, &ne->sni, &ne->scratch, &ne->hooks, ncsc_attempt_done, ne,
			 &ne->job) < 0) {
		ne->job = NULL;
		ncsc_plan_stop(&ne->plan, "out of memory");
		ncsc_end(ne);
	}
}

/* The time cap: stop the attempt under way, keep what was found. */
static void ncsc_on_cap(evutil_socket_t fd, short what, void *arg)
{
	struct nentry *ne = arg;
	const struct probe_run_env *env = ne->run->env;
	char why[96];

	(void)fd;
	(void)what;
	if (ne->job) {
		struct probe_session *s = ne->job;

		ne->job = NULL;
		env->session_cancel(env->run, s);
	}
	(void)snprintf(why, sizeof(why), "cut short by the time cap of %u ms",
		       TLS_NCSC_CAP_FACTOR * env->timeout_ms);
	ncsc_plan_stop(&ne->plan, why);
	ncsc_end(ne);
}

static int ncsc_hook_prepare(SSL *ssl, void *arg)
{
	struct nentry *ne = arg;

	return ncsc_attempt_apply(ssl, &ne->run->cat, &ne->cur);
}

static void ncsc_hook_handshake(SSL *ssl, int ok, unsigned long err, int ssl_error, void *arg)
{
	struct nentry *ne = arg;

	ne->hooked = true;
	memset(&ne->out, 0, sizeof(ne->out));
	if (ok) {
		int nid = NID_undef;

		ne->out.res = NCSC_RES_OK;
		tls_facts_get(ssl, &ne->out.f);
		/* the handshake's signature (none with RSA key exchange) */
		if (SSL_get_peer_signature_nid(ssl, &nid) == 1 && nid != NID_undef &&
		    OBJ_nid2sn(nid))
			(void)str_copy(ne->out.sig_hash, sizeof(ne->out.sig_hash), OBJ_nid2sn(nid));
		if (SSL_get_peer_signature_type_nid(ssl, &nid) == 1 && nid != NID_undef)
			(void)str_copy(ne->out.sig_key, sizeof(ne->out.sig_key),
				       nid == EVP_PKEY_RSA       ? "RSA"
				       : nid == EVP_PKEY_RSA_PSS ? "RSA-PSS"
				       : nid == EVP_PKEY_EC      ? "EC"
				       : nid == EVP_PKEY_DSA     ? "DSA"
				       : OBJ_nid2sn(nid)         ? OBJ_nid2sn(nid)
								 : "unknown");
		ERR_clear_error();
		return;
	}
	ne->out.res = ncsc_classify_failure(err, ssl_error);
	if (err)
		ERR_error_string_n(err, ne->out.why, sizeof(ne->out.why));
	else
		(void)str_copy(ne->out.why, sizeof(ne->out.why), "connection closed");
}

/* The handshake completed: is this the session to try client-initiated
 * renegotiation in? */
static bool ncsc_hook_renegotiate(SSL *ssl, void *arg)
{
	struct nentry *ne = arg;

	if (ne->out.res != NCSC_RES_OK || !ncsc_plan_reneg_want(&ne->plan, SSL_version(ssl)))
		return false;
	/* whether the server supports RFC 5746 is judged apart
	 * (ncsc-renegotiation-insecure); here only whether it renegotiates */
	SSL_set_options(ssl, SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION);
	return true;
}

/* ... and how the server answered. */
static void ncsc_hook_renegotiated(enum smtp_reneg res, const char *why, void *arg)
{
	struct nentry *ne = arg;
	enum ncsc_reneg r = res == SMTP_RENEG_DONE    ? NCSC_RENEG_ALLOWED
			    : res == SMTP_RENEG_LOCAL ? NCSC_RENEG_NOT_TESTED
						      : NCSC_RENEG_REFUSED;
	char detail[sizeof(ne->r.client_reneg_detail)];

	(void)snprintf(detail, sizeof(detail), "at %s: %s%.120s",
		       ncsc_version_name(ne->out.f.version),
		       res == SMTP_RENEG_LOCAL ? "local error: " : "", why);
	log_debug("tls_ncsc %s: client-initiated renegotiation %s, %s", ne->r.ip,
		  ncsc_reneg_name(r), detail);
	ncsc_plan_reneg_result(&ne->plan, r, detail);
}

/* A raw attempt (ncsc_hello.h): the ClientHello to send instead of a handshake. */
static int ncsc_hook_raw_hello(struct buf *out, void *arg)
{
	struct nentry *ne = arg;
	uint8_t hello[NCSC_HELLO_MAX];
	int n;

	if (!ne->cur.raw)
		return 0;
	n = ncsc_attempt_hello(&ne->run->cat, &ne->cur, ne->sni.name, hello, sizeof(hello));
	if (n <= 0 || buf_add(out, hello, (size_t)n) < 0)
		return -1;
	return 1;
}

/* ... and what the server answered to it. */
static int ncsc_hook_raw_reply(const unsigned char *data, size_t len, bool eof, void *arg)
{
	struct nentry *ne = arg;
	struct ncsc_server_hello sh;
	enum ncsc_hello_res res = ncsc_hello_parse(data, len, &sh);

	if (res == NCSC_HELLO_MORE && !eof)
		return 0;
	ne->hooked = true;
	ncsc_hello_outcome(&ne->run->cat, &ne->cur, res, &sh, eof, &ne->out);
	return 1;
}

/* The attempt is over (or never started): tell the plan, go on later. */
static void ncsc_attempt_done(struct addr_result *ar, void *arg)
{
	struct nentry *ne = arg;

	(void)ar;
	ne->job = NULL;
	if (!ne->hooked) {
		/* no handshake: the SMTP part failed (or our own set-up) */
		memset(&ne->out, 0, sizeof(ne->out));
		ne->out.res =
		    ne->scratch.status == ADDR_LOCAL_ERROR ? NCSC_RES_LOCAL : NCSC_RES_UNREACHED;
		(void)snprintf(ne->out.why, sizeof(ne->out.why), "%s%s%.80s",
			       addr_status_name(ne->scratch.status),
			       ne->scratch.error[0] ? ": " : "", ne->scratch.error);
	}
	log_debug("tls_ncsc %s: %s%s attempt at %s: %s%s%s", ne->r.ip, ne->cur.raw ? "raw " : "",
		  ncsc_step_name(ne->cur.step), ncsc_version_name(ne->cur.version),
		  ncsc_res_name(ne->out.res),
		  ne->out.res == NCSC_RES_OK ? " "
		  : ne->out.why[0]           ? ": "
					     : "",
		  ne->out.res == NCSC_RES_OK ? ne->out.f.suite : ne->out.why);
	ncsc_plan_feed(&ne->plan, &ne->out);
	ncsc_schedule(ne);
}

static int ncsc_add_waiter(struct nentry *ne, struct mx_host *host)
{
	const struct probe_run_env *env = ne->run->env;

	if (ne->nwait == ne->capwait) {
		size_t n = ne->capwait ? ne->capwait * 2 : 4;
		struct mx_host **w = realloc(ne->waiters, n * sizeof(*w));

		if (!w)
			return -1;
		ne->waiters = w;
		ne->capwait = n;
	}
	ne->waiters[ne->nwait++] = host;
	env->host_hold(env->run, host);
	return 0;
}

static struct nentry *ncsc_new(struct tls_ncsc_run *run, const struct mx_host *host,
			       const struct addr_result *ar)
{
	const struct probe_run_env *env = run->env;
	struct nentry *ne = calloc(1, sizeof(*ne));
	unsigned cap_ms = TLS_NCSC_CAP_FACTOR * env->timeout_ms;
	struct timeval tv;
	unsigned long h = tls_ncsc_hash(ar->ip);

	if (!ne)
		return NULL;
	ne->run = run;
	ne->family = ar->family;
	(void)str_copy(ne->r.ip, sizeof(ne->r.ip), ar->ip);
	(void)str_copy(ne->r.sni, sizeof(ne->r.sni), host->name);
	(void)str_copy(ne->sni.name, sizeof(ne->sni.name), host->name);
	ne->hooks.prepare = ncsc_hook_prepare;
	ne->hooks.handshake = ncsc_hook_handshake;
	ne->hooks.raw_hello = ncsc_hook_raw_hello;
	ne->hooks.raw_reply = ncsc_hook_raw_reply;
	ne->hooks.renegotiate = ncsc_hook_renegotiate;
	ne->hooks.renegotiated = ncsc_hook_renegotiated;
	ne->hooks.arg = ne;
	ne->cap = evtimer_new(env->base, ncsc_on_cap, ne);
	ne->kick = evtimer_new(env->base, ncsc_on_kick, ne);
	tv.tv_sec = (time_t)(cap_ms / 1000);
	tv.tv_usec = (suseconds_t)(cap_ms % 1000) * 1000;
	if (!ne->cap || !ne->kick || evtimer_add(ne->cap, &tv) < 0) {
		ncsc_free(ne);
		return NULL;
	}
	mono_now(&ne->t0);
	ncsc_plan_init(&ne->plan, &run->cat, &ne->r, &ar->facts, 0);
	if (ar->cert.ncerts > 0 && strcmp(ar->cert.certs[0].key_type, "EC") == 0)
		ncsc_plan_cert_curve(&ne->plan, ar->cert.certs[0].curve);
	ne->running = true;
	ne->next = run->nentries[h];
	run->nentries[h] = ne;
	env->count_addr(env->run);
	log_debug("tls_ncsc %s: starting (SNI %s)", ar->ip, host->name);
	ncsc_schedule(ne);
	return ne;
}

int tls_ncsc_run_init(const struct probe_run_env *env, void **state, char *err, size_t errlen)
{
	struct tls_ncsc_run *run = calloc(1, sizeof(*run));

	if (!run) {
		(void)snprintf(err, errlen, "out of memory");
		return -1;
	}
	run->env = env;
	if (ncsc_catalogue_load(&run->cat, err, errlen) < 0) {
		free(run);
		return -1;
	}
	*state = run;
	return 0;
}

/*
 * The STARTTLS probe of (host, ar) is over: when it completed a handshake,
 * ar gets the tls_ncsc result of its IP, starting the probe if this is the
 * first time the IP is seen; host waits for it while it runs.
 */
void tls_ncsc_addr_done(void *state, struct mx_host *host, struct addr_result *ar)
{
	struct tls_ncsc_run *run = state;
	struct nentry *ne;

	if (run->env->stopping(run->env->run) ||
	    (ar->status != ADDR_OK && ar->status != ADDR_TLS_OLD))
		return;
	ne = ncsc_find(run, ar->ip);
	if (!ne && !(ne = ncsc_new(run, host, ar))) {
		log_warn("tls_ncsc %s: cannot start (out of memory)", ar->ip);
		return;
	}
	ar->ncsc = &ne->r;
	ne->refs++;
	if (ne->running && ncsc_add_waiter(ne, host) < 0)
		log_warn("tls_ncsc %s: out of memory; %s does not wait for it", ar->ip, host->name);
}

void tls_ncsc_addr_free(void *state, struct addr_result *ar)
{
	if (ar->ncsc)
		ncsc_release(state, (struct nentry *)ar->ncsc);
}

void tls_ncsc_run_free(void *state)
{
	struct tls_ncsc_run *run = state;
	size_t i;

	if (!run)
		return;
	for (i = 0; i < TLS_NCSC_BUCKETS; i++)
		while (run->nentries[i]) {
			struct nentry *ne = run->nentries[i];

			run->nentries[i] = ne->next;
			ncsc_free(ne);
		}
	free(run);
}
