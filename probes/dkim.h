/*
 * dkim.h - the pure core of the DKIM check (issue 11 §4): the
 * "_domainkey" presence rule internet.nl uses, the key record parser
 * (RFC 6376 §3.6.1; Ed25519 keys of RFC 8463), the per-selector judgment,
 * the --dkim-selectors file format, the verdict and the evidence JSON.
 * Nothing here talks to the network; the probe asks DNS through the
 * engine and hands the answers in.
 *
 * A selector cannot be enumerated, so DKIM use is judged the way
 * internet.nl does: a NOERROR answer for _domainkey.<domain> (with or
 * without records: an empty non-terminal) means DKIM is in use, NXDOMAIN
 * that it is not (RFC 8020: nothing exists below a name that does not
 * exist).
 */
#ifndef MAILSCAN_DKIM_H
#define MAILSCAN_DKIM_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/str.h"
#include "dns.h"
#include "scan.h"

struct json;

/*
 * The reason codes dkim_judge gives (the dkim rows of probes/reasons.def,
 * R_DKIM_*, where their advice is), with the verdict each raises: fail /
 * warn raise the verdict, info never does.
 *
 *   dkim-none              fail  _domainkey.<domain> does not exist (NXDOMAIN)
 *   dkim-dns-error         error the _domainkey lookup failed
 *   dkim-key-missing       warn  a selector from --dkim-selectors has no key record
 *   dkim-key-weak          fail  an RSA key shorter than 1024 bits (RFC 8301 §3.2)
 *   dkim-key-revoked       warn  a key record with an empty p= (RFC 6376 §3.6.1)
 *   dkim-key-syntax        fail  a key record that does not parse (the evidence
 *                                says why)
 *   dkim-key-unknown-type  warn  k= is neither rsa nor ed25519: verifiers ignore it
 *   dkim-key-testing       info  t=y: the domain is testing DKIM
 *   dkim-key-unverified    info  a selector's lookup failed
 */

#define DKIM_WHY_MAX 160
#define DKIM_REASONS_MAX 8
#define DKIM_P_MAX 4096 /* base64 characters of p= (an 8192-bit RSA SPKI is ~1.5k) */
#define DKIM_RSA_MIN_BITS 1024
#define DKIM_SEL_MAX 8                    /* selectors per domain in --dkim-selectors */
#define DKIM_SEL_LEN 63                   /* characters of one selector */
#define DKIM_LINE_MAX 1024                /* characters of one --dkim-selectors line */
#define DKIM_FILE_MAX (16L * 1024 * 1024) /* bytes of a --dkim-selectors file */
#define DKIM_RECORDS_KEEP 2               /* key records kept as evidence per selector */
#define DKIM_RECORD_LEN 2048

/* ---- _domainkey presence ---- */

enum dkim_presence {
	DKIM_IN_USE = 0,     /* NOERROR, with or without data */
	DKIM_NOT_IN_USE,     /* NXDOMAIN */
	DKIM_PRESENCE_ERROR, /* SERVFAIL, timeout, bad reply, local failure */
};

/* Map the _domainkey.<domain> lookup's status; *reason (may be NULL) gets
 * R_DKIM_NONE, R_DKIM_DNS_ERROR or R_NONE. */
enum dkim_presence dkim_presence_of(enum dns_status st, enum reason *reason);
const char *dkim_presence_name(enum dkim_presence p); /* "in-use" ... */

/* ---- key records ---- */

enum dkim_key_type { DKIM_KEY_NONE = 0, DKIM_KEY_RSA, DKIM_KEY_ED25519, DKIM_KEY_OTHER };

enum dkim_key_state {
	DKIM_KEY_NOT_ASKED = 0,
	DKIM_KEY_OK,
	DKIM_KEY_WEAK,         /* RSA < DKIM_RSA_MIN_BITS */
	DKIM_KEY_REVOKED,      /* p= empty */
	DKIM_KEY_SYNTAX,       /* does not parse: why */
	DKIM_KEY_TYPE_UNKNOWN, /* k= neither rsa nor ed25519 */
	DKIM_KEY_MISSING,      /* no key record at the selector */
	DKIM_KEY_DNS_ERROR,    /* the lookup failed */
};

struct dkim_key {
	enum dkim_key_state state;
	enum dkim_key_type type;
	char k[16];   /* k= as written (sanitised, cut); "rsa" when absent */
	int bits;     /* RSA modulus bits; 256 for Ed25519; 0 unknown */
	bool spki;    /* RSA given as SubjectPublicKeyInfo (else PKCS#1 RSAPublicKey) */
	bool testing; /* t= has y */
	bool strict;  /* t= has s (no subdomains in i=) */
	char h[64];   /* h= as written (sanitised, cut); "" when absent (all algorithms) */
	char s[64];   /* s= as written; "" when absent ("*") */
	char why[DKIM_WHY_MAX]; /* when DKIM_KEY_SYNTAX */
};

/*
 * True unless txt begins with a v= tag whose value is not "DKIM1": such
 * records "MUST be discarded" (RFC 6376 §3.6.1). A record without v= is a
 * candidate key record.
 */
bool dkim_txt_is_candidate(const char *txt);

/*
 * Parse one key record (character-strings joined): tag=value list of
 * RFC 6376 §3.2 with case-sensitive tag names, no tag twice, unknown tags
 * ignored; v (optional) first and "DKIM1"; h a ':' list of hash names;
 * k "rsa" (default), "ed25519" (RFC 8463) or another type (-> TYPE_UNKNOWN);
 * n free text; p required, base64 with whitespace allowed, empty = revoked;
 * s a ':' list of service types; t a ':' list of flags. An RSA p is DER
 * SubjectPublicKeyInfo (or a bare RSAPublicKey) decoded by OpenSSL; an
 * Ed25519 p is 32 raw bytes (RFC 8463 §4.2). Returns 0 with k->state one
 * of OK / WEAK / REVOKED / TYPE_UNKNOWN, or -1 with k->state SYNTAX and
 * the reason (naming the tag) in k->why.
 */
int dkim_key_parse(const char *txt, struct dkim_key *k);

/* ---- one selector ---- */

struct dkim_selector {
	char selector[DKIM_SEL_LEN + 1];
	char name[DNS_NAME_MAX + 1];      /* <selector>._domainkey.<domain> */
	size_t nrecords;                  /* candidate key records seen */
	char *records[DKIM_RECORDS_KEEP]; /* owned copies, cut at DKIM_RECORD_LEN */
	struct dkim_key key;              /* of the first candidate record */
};

/* Name sel (borrowed strings copied) and build its query name. Returns 0,
 * or -1 when the name would exceed 253 characters. */
int dkim_selector_init(struct dkim_selector *s, const char *selector, const char *domain);
/* Free the kept records (s keeps its names). NULL is fine. */
void dkim_selector_clear(struct dkim_selector *s);
/*
 * Judge a NOERROR answer's TXT strings at the selector: records that are
 * not candidates are dropped; none -> MISSING; else the first one is parsed
 * (RFC 6376 §3.6.2.2 lets a verifier pick one). Returns 0, or -1 when a
 * copy could not be allocated (state DNS_ERROR: a local fault).
 */
int dkim_selector_set_txt(struct dkim_selector *s, const char *const *txt, size_t n);
/* A lookup without records: NXDOMAIN / NODATA -> MISSING, else DNS_ERROR. */
void dkim_selector_set_status(struct dkim_selector *s, enum dns_status st);

/* ---- verdict and evidence ---- */

struct dkim_judgment {
	enum verdict v;
	size_t nreasons;
	enum reason reasons[DKIM_REASONS_MAX]; /* dkim rows of probes/reasons.def */
};

/*
 * The verdict: _domainkey NXDOMAIN fails, a failed lookup is an error,
 * otherwise pass, lowered by what the given selectors show (weak or
 * malformed keys fail; missing, revoked or unknown-type keys warn).
 * sel may be NULL when n is 0.
 */
void dkim_judge(enum dkim_presence p, const struct dkim_selector *sel, size_t n,
		struct dkim_judgment *j);

/* One JSON object value: the presence lookup and each selector with its
 * records, key type, bits, flags and state. */
void dkim_evidence_json(struct json *j, const char *domain, enum dkim_presence p,
			const struct dkim_selector *sel, size_t n);

const char *dkim_key_state_name(enum dkim_key_state s);
const char *dkim_key_type_name(enum dkim_key_type t);

/* ---- --dkim-selectors FILE ---- */

/*
 * Format, one domain per line:
 *
 *     # comment
 *     example.nl   selector1,selector2   # trailing comment
 *
 * A domain (ASCII; internationalised names as A-labels), whitespace, then
 * one or more selectors separated by ',' (no spaces inside the list).
 * Blank lines and lines starting with '#' are skipped. A selector is
 * sub-domain *("." sub-domain) (RFC 6376 §3.1), at most DKIM_SEL_LEN
 * characters, lower-cased. A domain on several lines collects all its
 * selectors; a repeated selector is kept once. Limits: DKIM_LINE_MAX per
 * line, DKIM_SEL_MAX selectors per domain, DKIM_FILE_MAX bytes; a NUL
 * byte anywhere is refused. Any bad line stops loading with
 * "FILE:LINE: reason".
 */
struct dkim_sel_entry {
	char domain[DNS_NAME_MAX + 1];
	unsigned long line; /* where the domain first appears */
	size_t nsel;
	char sel[DKIM_SEL_MAX][DKIM_SEL_LEN + 1];
};

struct dkim_selectors {
	size_t n, cap;
	struct dkim_sel_entry *e; /* owned, sorted by domain after parsing */
};

/*
 * Parse len bytes of file content (fname only names it in errors).
 * Returns 0 with out filled (free with dkim_selectors_free), or -1 with
 * "fname:line: reason" in err and out empty.
 */
int dkim_selectors_parse(const char *buf, size_t len, const char *fname, struct dkim_selectors *out,
			 char *err, size_t errlen);
/* Read path (at most DKIM_FILE_MAX bytes) and parse it. Same returns. */
int dkim_selectors_load(const char *path, struct dkim_selectors *out, char *err, size_t errlen);
/* The entry of a domain (lower case, no trailing dot); NULL if none.
 * Borrowed from s. */
const struct dkim_sel_entry *dkim_selectors_find(const struct dkim_selectors *s,
						 const char *domain);
/* Free what parse allocated; s becomes empty. NULL is fine. */
void dkim_selectors_free(struct dkim_selectors *s);

#endif
