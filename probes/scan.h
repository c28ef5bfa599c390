/*
 * scan.h - what one check gathers: the evidence for a domain, its MX hosts
 * and their addresses, and the verdicts derived from it (SPEC §3, §4).
 *
 * MX hosts and their address probes are shared between domains (one
 * struct mx_host per unique name per run, one struct addr_result per
 * (host, address)); domains hold borrowed pointers to them. The engine
 * (scanner/engine.c) owns and frees everything here.
 */
#ifndef MAILSCAN_SCAN_H
#define MAILSCAN_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "reason.h"

struct probe_env;

#define SCAN_MX_MAX 64      /* hard cap on MX records kept per domain */
#define SCAN_ADDR_MAX 16    /* addresses probed per MX host */
#define SCAN_TLSA_MAX 16    /* TLSA records kept per host */
#define SCAN_REASONS_MAX 16 /* reason codes per standard */
#define SCAN_SAN_MAX 16     /* subjectAltName DNS entries kept */
#define SCAN_CHAIN_MAX 8    /* certificates of a presented chain described */

enum verdict {
	VERDICT_NONE = 0,
	VERDICT_PASS,
	VERDICT_WARN,
	VERDICT_FAIL,
	VERDICT_NA,
	VERDICT_ERROR
};

/* The one vocabulary of verdicts (registry.c): the word of v ("pass",
 * "warn", "fail", "n/a", "error"), the verdict of a word (VERDICT_NONE for
 * anything else), and the compliance order two runs are compared by (diff,
 * the report's changes): fail 0 < warn 1 < pass = n/a 2 (nothing to fix);
 * -1 for error and none (not tested: not comparable). */
const char *verdict_name(enum verdict v);
enum verdict verdict_from_name(const char *s);
int verdict_compliance(enum verdict v);

/* Outcome of the SMTP/STARTTLS probe of one address (the JSON "starttls"
 * field of an address, SPEC §4). */
enum addr_status {
	ADDR_PENDING = 0,
	ADDR_OK,                 /* STARTTLS offered and handshake done, TLS >= 1.2 */
	ADDR_TLS_OLD,            /* handshake done, but TLS < 1.2 */
	ADDR_NO_STARTTLS,        /* EHLO without STARTTLS */
	ADDR_STARTTLS_REJECTED,  /* STARTTLS answered with something other than 220 */
	ADDR_HANDSHAKE_FAILED,   /* TLS handshake failed */
	ADDR_REFUSED,            /* connection refused / reset before greeting */
	ADDR_TIMEOUT,            /* a step passed its deadline */
	ADDR_BAD_GREETING,       /* greeting not 220, or not SMTP */
	ADDR_PROTOCOL,           /* garbage or oversized replies */
	ADDR_UNREACHABLE_FAMILY, /* no route for this address family from here */
	ADDR_LOCAL_ERROR,        /* our own fault (socket, memory, OpenSSL setup); keep last */
};

const char *addr_status_name(enum addr_status s);
/* True when the address answered SMTP at all (so it counts as tested). */
bool addr_status_answered(enum addr_status s);

enum dane_match { DANE_NOT_CHECKED = 0, DANE_MATCH, DANE_MISMATCH, DANE_NO_TLS };

/* "not-checked", "match", "mismatch", "no-tls" (JSON, store, logs). */
const char *dane_match_name(enum dane_match m);

/* One certificate of the presented chain: what the tls_ncsc probe judges
 * (public key, signature hash). */
struct cert_brief {
	char subject[128];
	char key_type[16]; /* RSA, EC, ED25519, DSA ... */
	int key_bits;
	char curve[32];    /* EC keys: the curve's name, else "" */
	char sig_alg[64];  /* e.g. ecdsa-with-SHA256 */
	char sig_hash[16]; /* SHA256, SHA1, MD5 ...; "INTRINSIC" for Ed25519/Ed448 */
	char sig_key[16];  /* the signer's key type: RSA, RSA-PSS, EC, DSA, ED25519 ... */
	bool self_signed;
	bool known_root; /* the trust anchor the chain verified to (--ca-file, system store) */
};

/* What one completed TLS handshake showed (tls_facts_get in tls.c). */
struct tls_facts {
	int version;         /* SSL_version(): TLS1_2_VERSION etc.; 0 = none */
	char suite[64];      /* IANA (RFC) name of the cipher suite */
	char suite_ossl[64]; /* OpenSSL's name */
	char group[32];      /* key-exchange group (ECDHE curve, named FFDHE group), "" unknown */
	bool kx_dh;          /* finite-field (EC-less) Diffie-Hellman */
	int kx_bits;         /* size of the server's ephemeral key, 0 unknown */
	int ems;             /* RFC 7627 extended master secret: 1, 0, -1 = n/a (TLS 1.3) */
	int secure_reneg;    /* RFC 5746: 1, 0, -1 = n/a (TLS 1.3) */
	bool compression;    /* TLS compression in use */
};

struct ncsc_result; /* probes/ncsc.h: the tls_ncsc findings of one IP */

struct cert_info {
	bool present;
	char subject[256];
	char issuer[256];
	char not_after[32]; /* ISO 8601 UTC */
	char key_type[16];  /* RSA, EC, ED25519 ... */
	int key_bits;
	char sig_alg[64];
	size_t nsan;
	char san[SCAN_SAN_MAX][256];
	char sha256[65];      /* leaf certificate fingerprint, hex */
	bool pkix_valid;      /* chain verifies to --ca-file / system store */
	char pkix_error[128]; /* OpenSSL's reason when not valid */
	bool name_match;      /* a DNS-ID in subjectAltName matches the MX host */
	size_t chain_len;
	size_t ncerts; /* described in certs[], leaf first */
	struct cert_brief certs[SCAN_CHAIN_MAX];
};

struct addr_result {
	char ip[48];
	int family;
	enum addr_status status;
	char *banner;    /* sanitised greeting (owned) */
	char *ehlo;      /* sanitised EHLO reply (owned) */
	char error[160]; /* what went wrong, in words */
	char tls_version[16];
	char cipher[64];
	char group[32];
	struct tls_facts facts; /* the handshake's facts, for tls_ncsc */
	struct cert_info cert;
	enum dane_match dane;
	char dane_detail[160];
	int dane_depth;    /* chain depth of the matching TLSA, -1 none */
	int greeting_code; /* the greeting's reply code, 0 before one came */
	/* A transient failure (timeout, 4xx greeting) is retried once after a
	 * back-off; the first attempt's outcome is kept here. */
	bool retried;
	enum addr_status first_status;
	char first_error[160];
	bool done;
	/* The tls_ncsc findings of this IP (SPEC §3 tls_ncsc): shared by every
	 * (host, IP) on the same address, owned by the probe's runner
	 * (tls_ncsc_run.c); NULL when the probe did not run here (no
	 * completed handshake). */
	struct ncsc_result *ncsc;
};

struct tlsa_rr {
	uint8_t usage, selector, mtype;
	unsigned char *data; /* owned */
	size_t datalen;
};

enum tlsa_state {
	TLSA_NOT_ASKED = 0, /* host not secure: DANE impossible */
	TLSA_NONE,          /* secure denial: no TLSA */
	TLSA_PRESENT,
	TLSA_BOGUS,
	TLSA_ERROR, /* lookup failed / insecure answer */
};

/* "not-looked-up", "none", "present", "bogus", "error". */
const char *tlsa_state_name(enum tlsa_state s);

/* A TLSA record as text, "usage selector type hex" (probes/dane.c; caller
 * frees; NULL when out of memory). */
char *tlsa_rr_text(const struct tlsa_rr *t);

struct mx_host {
	char name[DNS_NAME_MAX + 1];
	char canonical[DNS_NAME_MAX + 1]; /* CNAME target, "" if none */
	enum dnssec_state sec;            /* worst of the A and AAAA answers */
	bool dns_failed;                  /* neither A nor AAAA could be resolved */
	enum dns_status dns_status;       /* when failed: timeout if either timed out */
	char dns_error[400];
	size_t naddr;
	struct addr_result *addr[SCAN_ADDR_MAX];
	bool addr_capped;
	enum tlsa_state tlsa_state;
	enum dnssec_state tlsa_sec;
	enum dns_status tlsa_status;       /* of the TLSA lookup, when asked */
	char tlsa_name[DNS_NAME_MAX + 10]; /* where the TLSA RRset was looked up */
	size_t ntlsa;
	struct tlsa_rr tlsa[SCAN_TLSA_MAX];
	size_t tlsa_usable; /* usage 2 or 3 records OpenSSL accepted */
	bool done;
};

/* RFC 7671 §8.1 style rollover in h's TLSA RRset: two or more usage 3
 * records, or usage 3 with usage 2 (probes/dane.c). */
bool dane_rollover(const struct mx_host *h);

enum mx_kind { MX_PENDING = 0, MX_LIST, MX_NULL, MX_NONE, MX_ERROR, MX_NXDOMAIN };

struct mx_ref {
	struct mx_host *host; /* borrowed from the engine's cache */
	uint16_t pref;
};

struct sts_result {
	bool txt_done;
	enum dns_status txt_status;
	size_t ntxt; /* records starting v=STSv1 */
	char *txt;   /* the (first) STSv1 record, owned */
	char id[33];
	char *txt_error; /* owned */
	bool fetched;
	long http_status;
	char content_type[128];
	char *body; /* policy text as fetched (owned, capped) */
	size_t body_len;
	int mode; /* enum sts_mode */
	long max_age;
	size_t nmx;
	char **mx;          /* owned patterns */
	enum reason reason; /* when no valid policy, else R_NONE */
	char *error;        /* human detail (owned) */
	bool bogus;         /* an answer failed DNSSEC validation: not used */
	/* fetch bookkeeping */
	int addr_pending;
	char resolve[400]; /* "mta-sts.<domain>:443:ip,ip" */
	size_t nips;
};

struct rpt_result {
	bool done;
	bool bogus; /* the answer failed DNSSEC validation: not used */
	enum dns_status status;
	size_t nrec;
	char *txt;          /* owned */
	enum reason reason; /* when the one record is invalid, else R_NONE */
	char error[160];
};

/* PROBE_<ID> for every line of probes.def, in its order (0, 1, ...). */
enum probe_id {
#define PROBE(name, ID) PROBE_##ID,
#include "probes.def"
#undef PROBE
	PROBE_COUNT
};

struct probe_verdict {
	enum verdict v;
	size_t nreasons;
	const char *reasons[SCAN_REASONS_MAX]; /* reason_code() strings */
};

/* A lookup made for the domain that got no usable answer: a timeout, a
 * SERVFAIL, a reply that failed the checks, a local failure, or a bogus
 * answer. check --json lists them as dns_failures, so that an error verdict
 * can be traced to the lookup behind it. */
struct dns_failure {
	char name[DNS_NAME_MAX + 1];
	uint16_t type;
	enum dns_status status;
	bool bogus;
	char error[160];
};

/* dns_failures kept per domain; the rest are only counted */
#define SCAN_DNS_FAILURES_MAX 8

struct domain_scan {
	char name[DNS_NAME_MAX + 1];
	size_t index; /* position in the input */
	/* dnssec */
	enum dnssec_state name_sec; /* the domain's own answer (its MX answer) */
	enum dns_status name_status;
	/* MX */
	enum mx_kind mx_kind;
	enum dns_status mx_status; /* of the MX lookup, when answered */
	enum dnssec_state mx_sec;
	char mx_error[200];
	bool null_mixed;
	bool mx_capped;
	size_t nmx;
	struct mx_ref mx[SCAN_MX_MAX];
	struct sts_result sts;
	struct rpt_result rpt;
	struct probe_verdict verdict[PROBE_COUNT];
	/* each probe's own state (probe.h), made by its start, freed by its
	 * cleanup; NULL when it has none */
	void *priv[PROBE_COUNT];
	unsigned skipped; /* 1 << probe id: not run (--skip), no evidence */
	bool timed_out;
	/* the MX lookup got no reply, and neither did a query to the root that
	 * followed it, while no DNS answer had arrived in the run at all: a cause
	 * of the run (no network), not a finding about the domain */
	bool dns_unreached;
	/* the lookups that failed (engine.c), the first SCAN_DNS_FAILURES_MAX
	 * of them in the order they ended; NULL until one does */
	struct dns_failure *dns_fail;
	size_t ndns_fail, ndns_fail_all;
	/* engine bookkeeping */
	const struct probe_env *env; /* the engine's services (probe.h), borrowed */
	int pending;
	bool done;
	void *engine; /* the engine that owns this scan */
};

/* Add reason r (a row of probes/reasons.def) to a verdict as its code
 * string; duplicates and R_NONE ignored. */
void verdict_add_reason(struct probe_verdict *pv, enum reason r);
/* Set the verdict if v is worse (pass < warn < error < fail; n/a only when
 * nothing else was set). */
void verdict_raise(struct probe_verdict *pv, enum verdict v);

#endif
