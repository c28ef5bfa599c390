/*
 * ncsc.h - the tls_ncsc probe of one MX address (SPEC §3 tls_ncsc): which
 * protocol versions, cipher suites and key-exchange groups the server
 * accepts, whether it prefers weaker suites, and what else its handshakes
 * show (extended master secret, secure renegotiation, compression), each
 * judged by the NCSC TLS guidelines (ncsc_table.h).
 *
 * The work is split in two so that the logic can be tested without a
 * network:
 *  - the plan (ncsc_plan_*) is pure: it says which handshake to try next
 *    and learns from each outcome; it never touches a socket;
 *  - the runner (tls_ncsc_run.c) makes every attempt a real SMTP session
 *    (EHLO, STARTTLS, handshake, QUIT) through the engine's per-IP limit
 *    and --rate (probe.h: struct probe_run_env), applying the attempt to
 *    the SSL with ncsc_attempt_apply().
 *
 * How the plan keeps the number of handshakes small:
 *  1. versions: one handshake per version the first STARTTLS probe did not
 *     already show (TLS 1.3, 1.2, 1.1, 1.0; SSL 3.0 only when this OpenSSL
 *     can still offer it), offering every suite of that version;
 *  2. suites, at TLS 1.3 and 1.2 (below 1.2 every suite and the version
 *     itself are insufficient: the version finding says it all): per class
 *     (insufficient, phase-out, sufficient, good) offer all suites of the
 *     class at once, so every accepted family is listed, not only the weak.
 *     A refusal clears the whole class in one handshake. An acceptance
 *     names one suite; its family (same key exchange and same kind of
 *     encryption: ECDHE/DHE/RSA/anonymous x AEAD/CBC/NULL; at TLS 1.3 the
 *     suite itself) is recorded and removed, and the rest is offered again,
 *     so a class costs 1 + (accepted families) handshakes, and every
 *     accepted family is named by a suite the server chose. A server that
 *     answers a large offer with a protocol error instead of a choice or a
 *     refusal ("choked": decode_error, internal_error, ...) gets the set
 *     bisected, down to four levels, so servers intolerant of long
 *     ClientHellos are still measured;
 *  3. order, as internet.nl: every accepted good or sufficient suite at TLS
 *     1.2 must be preferred to every accepted phase-out or insufficient
 *     one. W: the weak suites of the families seen accepted; C: the better
 *     suites the search has not proven refused (the members of accepted
 *     better families). Offer W then C, in that client order: a better
 *     pick X is preferred to all of W (X leaves C, offer again); a weak
 *     pick means a violation exactly when the server accepts something
 *     left in C, so C is then offered alone (accepted: violation, naming
 *     both; refused: order right). A handshake names one suite, so each of
 *     the k accepted better suites must be picked once, and one more
 *     handshake must show C exhausted: k + 1 at least; this takes at most
 *     k + 2. A server that chokes on that offer gets the rounds again with
 *     only the suites seen accepted. Then, as before, insufficient suites
 *     first and one phase-out suite last;
 *  4. groups: one TLS 1.2 handshake with ECDHE offering only weak curves,
 *     and the curve of an ECDSA certificate last (without it such a server
 *     cannot complete any ECDHE handshake, and one that prefers a weak
 *     curve to its own would go unseen);
 *  5. TLS 1.3 groups: one handshake offering only the insufficient groups
 *     (ffdhe2048), one offering only the phase-out ones (ffdhe3072 and up);
 *     what the server accepts is judged (TLS 1.3 knows no weak curves: RFC
 *     8446 4.2.7 left them out, and OpenSSL will not offer them there);
 *  6. the key-exchange signature: at TLS 1.2, with the accepted ECDHE/DHE
 *     suites, one handshake offering only SHA-1 signature algorithms, one
 *     offering only SHA-224 ones; a server that completes it signs its
 *     ServerKeyExchange with that hash when asked (internet.nl: SHA-1
 *     insufficient, SHA-224 phase-out). TLS 1.3 forbids both there (RFC
 *     8446 4.2.3), below 1.2 the hash is fixed (MD5+SHA-1, and the version
 *     fails anyway).
 * Extra handshakes per address: the versions not yet seen, 1 + (accepted
 * families) per class searched, the raw hellos, 2 for the order check, 1
 * for TLS 1.2 curves, 2 for TLS 1.3 groups and 2 for signature hashes,
 * each only where its version is accepted.
 * What this OpenSSL cannot offer is asked with hand-made ClientHellos
 * (ncsc_hello.h; the server's ServerHello or alert is the answer, no
 * handshake is completed): SSL 3.0 in step 1, the suites it lacks (3DES,
 * RC4, DES, export, IDEA, SEED, static DH) at the best version up to TLS
 * 1.2 after step 2, peeled by family the same way, and TLS compression
 * (DEFLATE offered with suites the server accepted).
 * Groups and DHE sizes, EMS and secure renegotiation are read from every
 * successful handshake, including the first STARTTLS probe (the seed).
 * Client-initiated renegotiation costs no handshake of its own: the first
 * session that completes a handshake at TLS 1.2 (at 1.1 or 1.0 only when
 * 1.2 is not accepted) asks for one before its QUIT (smtp.h hooks,
 * ncsc_plan_reneg_want), once per address.
 */
#ifndef MAILSCAN_NCSC_H
#define MAILSCAN_NCSC_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>

#include "ncsc_hello.h"
#include "ncsc_table.h"
#include "scan.h"

#define NCSC_VERSIONS 5      /* SSL 3.0, TLS 1.0, 1.1, 1.2, 1.3 */
#define NCSC_SUITES_MAX 256  /* suites of the catalogue */
#define NCSC_ITEMS_MAX 48    /* suites/groups seen, and findings, per address */
#define NCSC_ORDER_MAX 128   /* suites in an order-check offer */
#define NCSC_STACK_MAX 48    /* pending subsets of a class search */
#define NCSC_BISECT_DEPTH 4  /* a choked offer is halved at most this often */
#define NCSC_ATTEMPTS_MAX 40 /* handshakes per address, whatever happens */

enum ncsc_vidx { NCSC_SSL3 = 0, NCSC_TLS10, NCSC_TLS11, NCSC_TLS12, NCSC_TLS13 };

/* OpenSSL's version number of an index, and back (-1: none). */
int ncsc_version_of(int vidx);
int ncsc_vidx_of(int version);
/* "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3" ("" for none). */
const char *ncsc_version_name(int version);

enum ncsc_vstate { NCSC_V_UNKNOWN = 0, NCSC_V_ACCEPTED, NCSC_V_REFUSED, NCSC_V_UNTESTABLE };
/* "unknown", "accepted", "refused", "untestable". */
const char *ncsc_vstate_name(enum ncsc_vstate s);

enum ncsc_aspect {
	NCSC_A_VERSION,
	NCSC_A_SUITE,
	NCSC_A_ORDER,
	NCSC_A_KEX,
	NCSC_A_CERT_KEY,
	NCSC_A_CERT_SIG,
	NCSC_A_COMPRESSION,
	NCSC_A_RENEG,
	NCSC_A_EMS,
	NCSC_A_KEX_SIG /* the hash of the handshake's signature (ServerKeyExchange) */
};
/* "version", "cipher", "cipher-order", "key-exchange", "cert-key",
 * "cert-signature", "compression", "renegotiation", "extended-master-secret",
 * "key-exchange-signature". */
const char *ncsc_aspect_name(enum ncsc_aspect a);

/* One classified item: a version, suite, group, key, ... */
struct ncsc_item {
	enum ncsc_aspect aspect;
	enum ncsc_class cls;
	int version;      /* the protocol version it was seen at, 0 none */
	char item[64];    /* what: "TLSv1.0", a suite's IANA name, "ffdhe3072", "RSA-2048" */
	char detail[112]; /* more: OpenSSL name and family, which certificate, ... */
	const char *ref;  /* the guideline reference (static) */
};

enum ncsc_state { NCSC_RUNNING = 0, NCSC_DONE, NCSC_INCOMPLETE };

/*
 * Client-initiated renegotiation (RFC 5246 7.4.1.2): each one costs the
 * server a full handshake, so allowing it makes a denial of service cheap.
 * internet.nl reports it for mail servers for information; so does
 * tls_ncsc (ncsc-client-renegotiation, SEV_INFO).
 */
enum ncsc_reneg {
	NCSC_RENEG_NOT_TESTED = 0, /* no session to try it in, cut short, or a local error */
	NCSC_RENEG_ALLOWED,        /* a second handshake completed */
	NCSC_RENEG_REFUSED,        /* an alert (no_renegotiation, handshake_failure), a
				      close, or no answer within --timeout */
	NCSC_RENEG_NA              /* no version below TLS 1.3: renegotiation does not exist */
};
/* "not-tested", "allowed", "refused", "not-applicable". */
const char *ncsc_reneg_name(enum ncsc_reneg s);

/* The tls_ncsc evidence of one IP. */
struct ncsc_result {
	char ip[48];
	char sni[DNS_NAME_MAX + 1]; /* the first MX host name seen on this IP */
	enum ncsc_state state;
	char note[160];      /* why it is incomplete */
	unsigned handshakes; /* extra SMTP sessions made (not counting the first probe) */
	unsigned elapsed_ms; /* wall time of the probe */
	enum ncsc_vstate version[NCSC_VERSIONS];
	size_t nseen; /* suites and groups handshakes used, any class */
	struct ncsc_item seen[NCSC_ITEMS_MAX];
	size_t nfind; /* the phase-out and insufficient items */
	struct ncsc_item find[NCSC_ITEMS_MAX];
	bool find_capped; /* more than NCSC_ITEMS_MAX */
	int ems;          /* TLS 1.2 handshakes: 1 all with EMS, 0 one without, -1 none */
	int secure_reneg; /* TLS <= 1.2 handshakes: 1 all RFC 5746, 0 one not, -1 none */
	int compression;  /* -1 not tested (no answer to the offer), 0 none, 1 used */
	int order;        /* -1 not applicable, 0 prefers the better suite, 1 violation */
	char order_detail[160];
	enum ncsc_reneg client_reneg;
	char client_reneg_detail[160]; /* "at TLSv1.2: " and how the server answered */
};

/* "running", "done", "incomplete". */
const char *ncsc_state_name(enum ncsc_state s);

/* ---- the suites this OpenSSL can offer ---- */

struct ncsc_suite {
	char ossl[48];  /* OpenSSL name */
	char iana[64];  /* IANA name */
	int minv, maxv; /* protocol versions it can be offered at */
	enum ncsc_class cls;
	uint16_t code;   /* IANA code point */
	unsigned family; /* same key exchange and kind of encryption */
	bool ecdhe;
};

struct ncsc_catalogue {
	size_t n;
	struct ncsc_suite s[NCSC_SUITES_MAX];
	bool ssl3;        /* this OpenSSL can offer SSL 3.0 */
	bool compression; /* ... and TLS compression */
	uint64_t raw;     /* the ncsc_raw_suites rows it cannot offer (by index) */
};

/* Fill cat from this OpenSSL (every suite a client can offer at security
 * level 0, PSK and SRP excepted). Returns 0, or -1 with err filled. */
int ncsc_catalogue_load(struct ncsc_catalogue *cat, char *err, size_t errlen);

/* Family kinds (family = kx * 8 + bulk; TLS 1.3 suites get one each). */
enum ncsc_kx { NCSC_KX_ECDHE, NCSC_KX_DHE, NCSC_KX_RSA, NCSC_KX_ANON, NCSC_KX_OTHER };
enum ncsc_bulk { NCSC_BULK_AEAD, NCSC_BULK_CBC, NCSC_BULK_NULL };

/* Add one suite (class from the table); for ncsc_catalogue_load and tests.
 * Returns its index, or -1 when the catalogue is full. */
int ncsc_catalogue_add(struct ncsc_catalogue *cat, const char *ossl, const char *iana,
		       uint16_t code, int minv, int maxv, enum ncsc_kx kx, enum ncsc_bulk bulk);

/* Set cat->raw: every ncsc_raw_suites row whose suite cat lacks. */
void ncsc_catalogue_raw(struct ncsc_catalogue *cat);

/* Index of a suite by its IANA or OpenSSL name, -1 when not there. */
int ncsc_catalogue_find(const struct ncsc_catalogue *cat, const char *name);

/* ---- sets of catalogue suites ---- */

struct ncsc_set {
	uint64_t w[NCSC_SUITES_MAX / 64];
};

void ncsc_set_add(struct ncsc_set *s, size_t i);
bool ncsc_set_has(const struct ncsc_set *s, size_t i);
size_t ncsc_set_count(const struct ncsc_set *s);

/* ---- the plan ---- */

enum ncsc_step {
	NCSC_STEP_VERSION,
	NCSC_STEP_SUITES,
	NCSC_STEP_RAW, /* a hand-made ClientHello for legacy suites */
	NCSC_STEP_COMPRESSION,
	NCSC_STEP_ORDER,
	NCSC_STEP_GROUPS,
	NCSC_STEP_GROUPS13, /* TLS 1.3 key-exchange groups */
	NCSC_STEP_SIGALGS   /* the ServerKeyExchange signature hash */
};

/* One handshake to make. */
struct ncsc_attempt {
	enum ncsc_step step;
	int version;           /* min = max = this */
	struct ncsc_set offer; /* offered in catalogue (strength) order */
	size_t norder;         /* > 0: offer order[] in this client order instead */
	uint16_t order[NCSC_ORDER_MAX];
	bool weak_groups;    /* offer only weak elliptic curves ... */
	char own_group[32];  /* ... and this one last: the curve of an ECDSA certificate */
	const char *groups;  /* not NULL: offer only these groups (a static list) */
	const char *sigalgs; /* not NULL: offer only these signature algorithms (static) */
	bool raw;            /* a hand-made ClientHello (ncsc_hello.h), not OpenSSL */
	uint64_t raw_offer;  /* raw: ncsc_raw_suites rows offered after the offer set */
	bool compress;       /* raw: offer DEFLATE compression */
};

enum ncsc_res {
	NCSC_RES_OK,        /* handshake done; facts filled */
	NCSC_RES_REFUSED,   /* the server declined (alert, close) */
	NCSC_RES_CHOKED,    /* the server failed on the offer itself (decode error, ...) */
	NCSC_RES_UNREACHED, /* no TLS attempt: connect, greeting, EHLO or STARTTLS failed */
	NCSC_RES_LOCAL      /* our own fault (OpenSSL set-up, memory) */
};

struct ncsc_outcome {
	enum ncsc_res res;
	struct tls_facts f; /* NCSC_RES_OK */
	/* NCSC_RES_OK: the server's handshake signature (TLS 1.2: the
	 * ServerKeyExchange; "" none, as with RSA key exchange) */
	char sig_hash[16]; /* OpenSSL's short name: "SHA1", "SHA224", "SHA256" ... */
	char sig_key[16];  /* "RSA", "RSA-PSS", "EC", "DSA", "ED25519" ... */
	char why[120];     /* otherwise */
};

struct ncsc_plan {
	const struct ncsc_catalogue *cat;
	struct ncsc_result *r;
	unsigned max_attempts, attempts;
	int phase;
	int phase_kind; /* what the attempt in flight is for (ncsc.c) */
	int vi;         /* version index being worked on */
	int si, ci;     /* search: indexes into the versions and classes searched */
	bool ready;     /* search: the stack holds the current (version, class) */
	bool repeat;    /* re-issue the last attempt (one transient failure) */
	bool retried;   /* that one retry was used */
	bool short_v;   /* a version probe choked: retry it with a short offer */
	size_t nstack;
	struct {
		struct ncsc_set set;
		unsigned depth;
	} stack[NCSC_STACK_MAX];
	struct ncsc_set cur; /* the set of the search attempt in flight */
	unsigned cur_depth;
	struct ncsc_set acc[NCSC_VERSIONS]; /* suites seen accepted, per version */
	int raw_vi;                         /* the raw search: its version index */
	size_t nraw;                        /* ... its pending subsets */
	struct {
		uint64_t set;
		unsigned depth;
	} raw_stack[8];
	uint64_t raw_cur; /* the subset of the raw attempt in flight */
	unsigned raw_cur_depth;
	struct ncsc_attempt last;
	bool finished;
	/* the order check (ncsc.c): its stage, the better suites not yet
	 * picked (C), and the weak suite picked over them */
	int order_stage;
	struct ncsc_set order_c;
	int order_pick;
	bool order_short; /* it choked on W + C: only the suites seen accepted */
	/* The curve of the leaf's EC key ("" none): an ECDSA certificate can
	 * sign only where its curve is offered too (RFC 8422 5.1), so the weak
	 * curves are offered with it last (ncsc_plan_cert_curve). */
	char cert_curve[32];
	bool reneg_tried; /* the one client-initiated renegotiation was asked for */
};

/*
 * Start a plan for r (ip and sni already set) with the catalogue cat
 * (borrowed, must outlive the plan); seed: the facts of the first STARTTLS
 * handshake (may be NULL). max_attempts 0: NCSC_ATTEMPTS_MAX.
 */
void ncsc_plan_init(struct ncsc_plan *p, const struct ncsc_catalogue *cat, struct ncsc_result *r,
		    const struct tls_facts *seed, unsigned max_attempts);

/* The leaf certificate's EC curve (OpenSSL name; NULL or "" for none),
 * before the first ncsc_plan_next. */
void ncsc_plan_cert_curve(struct ncsc_plan *p, const char *curve);

/* The next handshake to make: 1 with *a filled, 0 when the plan is over
 * (r->state is then DONE or INCOMPLETE and the findings are complete). */
int ncsc_plan_next(struct ncsc_plan *p, struct ncsc_attempt *a);

/* What the attempt last returned by ncsc_plan_next gave. */
void ncsc_plan_feed(struct ncsc_plan *p, const struct ncsc_outcome *o);

/* Stop now (time cap, run teardown): what was found stands, the result is
 * INCOMPLETE with note why. */
void ncsc_plan_stop(struct ncsc_plan *p, const char *why);

/*
 * The session of the attempt in flight completed a handshake at version
 * (OpenSSL's number): should it try the client-initiated renegotiation
 * now, before its QUIT? True once per plan: at TLS 1.2, or at TLS 1.1 or
 * 1.0 when TLS 1.2 is not accepted (the versions are tried from the top,
 * so that is known by then); true marks it asked for.
 */
bool ncsc_plan_reneg_want(struct ncsc_plan *p, int version);

/* Its outcome: r->client_reneg = res (NOT_TESTED for a local failure) with
 * detail (copied). */
void ncsc_plan_reneg_result(struct ncsc_plan *p, enum ncsc_reneg res, const char *detail);

/* "version", "suites", "legacy-suites", "compression", "order", "groups",
 * "groups-tls13", "signature-hash". */
const char *ncsc_step_name(enum ncsc_step s);
/* "ok", "refused", "choked", "unreached", "local". */
const char *ncsc_res_name(enum ncsc_res r);

/* ---- the runner's helpers (OpenSSL) ---- */

/* Restrict ssl to attempt a (versions, suites in order, groups). 0 or -1. */
int ncsc_attempt_apply(SSL *ssl, const struct ncsc_catalogue *cat, const struct ncsc_attempt *a);

/* The bytes of raw attempt a (a->raw): a ClientHello record with SNI sni
 * (not sent at SSL 3.0). Returns the length, or -1. */
int ncsc_attempt_hello(const struct ncsc_catalogue *cat, const struct ncsc_attempt *a,
		       const char *sni, uint8_t *out, size_t cap);

/* The outcome of raw attempt a from the parse of the server's answer;
 * eof: nothing more will come (closed, timed out, buffer full). */
void ncsc_hello_outcome(const struct ncsc_catalogue *cat, const struct ncsc_attempt *a,
			enum ncsc_hello_res res, const struct ncsc_server_hello *sh, bool eof,
			struct ncsc_outcome *o);

/* Classify a failed handshake by OpenSSL's error (ERR_peek_last_error) and
 * SSL_get_error's value. */
enum ncsc_res ncsc_classify_failure(unsigned long err, int ssl_error);

/* ---- the runner (tls_ncsc_run.c): probe_tls_ncsc's per-run hooks ---- */

struct probe_run_env;

/* probe_ops.run_init: load the catalogue; *state is the run's probes by IP. */
int tls_ncsc_run_init(const struct probe_run_env *env, void **state, char *err, size_t errlen);
/* probe_ops.addr_done: after a completed STARTTLS handshake, ar gets its
 * IP's result (the probe starts on the first such address of an IP) and
 * host waits while it runs. */
void tls_ncsc_addr_done(void *state, struct mx_host *host, struct addr_result *ar);
/* probe_ops.addr_free: ar lets go of its IP's result (the last one frees
 * a finished probe). */
void tls_ncsc_addr_free(void *state, struct addr_result *ar);
/* probe_ops.run_free: free every probe, finished or not (accepts NULL). */
void tls_ncsc_run_free(void *state);

/* ---- CAA on the MX host names (tls_ncsc_caa.c) ---- */

struct domain_scan;
struct probe_env;
struct mx_host;
struct json;

/* probe_ops.start: climb from each MX host name to its registrable domain
 * for CAA (RFC 8659 3); the state is ds->priv[PROBE_TLS_NCSC]. */
void tls_ncsc_caa_start(struct domain_scan *ds, const struct probe_env *env);
/* probe_ops.cleanup: free it (NULL is fine). */
void tls_ncsc_caa_cleanup(struct domain_scan *ds);
/* The climb for h answered, and no name on it had CAA. */
bool tls_ncsc_caa_missing(const struct domain_scan *ds, const struct mx_host *h);
/* h's "caa" evidence (check --json "mx"); nothing when h was not asked. */
void tls_ncsc_caa_evidence(const struct domain_scan *ds, const struct mx_host *h, struct json *j);

/* ---- certificates ---- */

/* The phase-out and insufficient items of a presented chain: public keys
 * and signature hashes of every certificate but a known public root (the
 * presented copy of the trust anchor the chain verified to: cert_brief
 * known_root; a self-signed leaf, and a private root sent beyond it, are
 * judged). Returns how many were written to out. */
size_t ncsc_cert_findings(const struct cert_info *ci, struct ncsc_item *out, size_t max);

#endif
