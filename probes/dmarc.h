/*
 * dmarc.h - the pure core of the DMARC check (RFC 7489; RFC 9091 for np):
 * record selection and parsing, report URIs, the organisational domain
 * (Public Suffix List through libpsl), the external report destination
 * authorisation of §7.1, the policy fallback of §6.6.3, the verdict and
 * the evidence JSON. Nothing here does I/O: the probe asks DNS through the
 * engine and hands the answers in.
 *
 * A probe uses it like this:
 *   1. TXT _dmarc.<domain>      -> dmarc_lookup_set_txt / _set_state (own)
 *   2. if dmarc_needs_org_lookup(domain, &own, org):
 *      TXT _dmarc.<org>         -> the same, into orgl
 *   3. dmarc_effective(domain, org, &own, &orgl, &eff)
 *   4. dmarc_dests_build(eff.rec, eff.policy_domain, &dests); for each
 *      dests.d[i] with .external and .auth_name[0]: TXT .auth_name ->
 *      dmarc_auth_judge (or DMARC_AUTH_ERROR on a failed lookup)
 *   5. dmarc_judge(&eff, &dests, &j); dmarc_evidence_json(...)
 *   6. dmarc_lookup_clear both lookups.
 */
#ifndef MAILSCAN_DMARC_H
#define MAILSCAN_DMARC_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/str.h"
#include "dns.h"
#include "scan.h"

struct json;

/*
 * The reason codes dmarc_judge gives (the dmarc rows of probes/reasons.def,
 * R_DMARC_*, where their advice is), with the verdict each raises: fail /
 * warn raise the verdict, info never does.
 *
 *   dmarc-none                   fail  no v=DMARC1 record at the domain nor at its
 *                                      organisational domain
 *   dmarc-multiple-records       fail  more than one v=DMARC1 record: no policy
 *                                      applies (§6.6.3 step 5)
 *   dmarc-syntax                 fail  the record has a syntax error (the evidence
 *                                      names the tag)
 *   dmarc-dns-error              error the _dmarc lookup failed (SERVFAIL, timeout)
 *   dmarc-policy-none            warn  the policy that applies is p=none (monitoring)
 *   dmarc-p-missing              warn  no p tag, but a rua: p=none applies (§6.6.3
 *                                      step 6)
 *   dmarc-pct-partial            warn  quarantine/reject for less than 100% of the
 *                                      mail (pct < 100)
 *   dmarc-external-unauthorised  warn  a rua/ruf mailbox in another organisational
 *                                      domain is not authorised (§7.1)
 *   dmarc-external-unverified    info  an external destination's authorisation
 *                                      lookup failed
 *   dmarc-from-org-domain        info  no record of its own: the organisational
 *                                      domain's policy applies
 *   dmarc-uri-not-mailto         info  a report URI is not mailto: (receivers need
 *                                      only support mailto, §6.2)
 */

#define DMARC_URI_MAX 8       /* report URIs kept per tag (rua, ruf); more: truncated */
#define DMARC_URI_LEN 200     /* a report URI kept as text, longer ones cut (flagged) */
#define DMARC_DEST_MAX 16     /* distinct mailto: destination domains */
#define DMARC_RECORDS_KEEP 4  /* v=DMARC1 records kept as evidence per lookup */
#define DMARC_RECORD_LEN 2048 /* a record kept as evidence, longer ones cut */
#define DMARC_WHY_MAX 160
#define DMARC_REASONS_MAX 8

enum dmarc_policy {
	DMARC_POLICY_UNSET = 0, /* tag absent */
	DMARC_POLICY_NONE,
	DMARC_POLICY_QUARANTINE,
	DMARC_POLICY_REJECT,
};

enum dmarc_align { DMARC_ALIGN_RELAXED = 0, DMARC_ALIGN_STRICT };

/* fo= options (§6.3), a bit mask */
#define DMARC_FO_0 1u
#define DMARC_FO_1 2u
#define DMARC_FO_D 4u
#define DMARC_FO_S 8u

struct dmarc_uri {
	char uri[DMARC_URI_LEN + 1]; /* as written, without "!size"; printable ASCII */
	bool cut;                    /* the URI was longer than DMARC_URI_LEN */
	unsigned long long max_size; /* "!size[kmgt]" in bytes, saturating; 0: none */
	bool mailto;
	char domain[DNS_NAME_MAX + 1]; /* mailto: domain, A-label, lower case; "" otherwise */
};

struct dmarc_record {
	enum dmarc_policy p, sp, np; /* sp/np UNSET: absent (p applies) */
	bool p_implied;              /* p absent, rua present: p=none per §6.6.3 */
	int pct;                     /* 0..100; 100 when absent */
	bool pct_present;
	enum dmarc_align adkim, aspf; /* relaxed when absent */
	unsigned fo;                  /* DMARC_FO_* ; DMARC_FO_0 when absent */
	char rf[64];                  /* as written; "afrf" when absent */
	unsigned long ri;             /* 86400 when absent; saturates at ULONG_MAX */
	size_t nrua, nruf;
	bool rua_truncated, ruf_truncated; /* more than DMARC_URI_MAX URIs */
	struct dmarc_uri rua[DMARC_URI_MAX];
	struct dmarc_uri ruf[DMARC_URI_MAX];
};

/*
 * True when txt is a DMARC record by §6.6.3 step 2: it begins with the v
 * tag ("v" or "V", optional WSP around '=') whose value is "DMARC1" in any
 * case, followed by WSP, ';' or the end. Leading whitespace is not allowed
 * (the ABNF starts with dmarc-version). The case is ignored here although
 * the ABNF spells the value %x44 %x4d %x41 %x52 %x43 %x31, because
 * receivers do (Mail::DMARC's fetch_dmarc_record, internet.nl's
 * _dmarc_dns_lookup): a "v=dmarc1" record is then a DMARC record with a
 * syntax error (dmarc_record_parse refuses it), not an absent one that
 * would send the lookup on to the organisational domain. NULL: false.
 */
bool dmarc_txt_is_dmarc(const char *txt);

/*
 * Parse one record (character-strings joined), RFC 7489 §6.3/§6.4 plus np
 * (RFC 9091). Tag names and keyword values case-insensitive (ABNF quoted
 * strings), v first and exactly "DMARC1"; unknown tags ignored (their
 * values must still be tag-list VALCHARs, RFC 6376 §3.2); a known tag
 * twice (RFC 6376 §3.2: the tag-list is then invalid), a bad value,
 * or an empty known tag is a syntax error. p is required, except that a
 * record without p whose rua holds at least one URI is valid with p=none
 * and p_implied set (§6.6.3 step 6). Returns 0 with r filled, or -1 with
 * r undefined and the reason (naming the tag) in why.
 */
int dmarc_record_parse(const char *txt, struct dmarc_record *r, char *why, size_t whylen);

/*
 * The organisational domain (§3.2) of domain: its registrable domain by
 * the Public Suffix List (libpsl: Debian's list if installed, else the
 * built-in one), lower case, into out (n >= DNS_NAME_MAX + 1). A name that
 * is itself a public suffix is its own organisational domain. domain is
 * normalised first (IDN to A-labels, lower case, no trailing dot).
 * Returns 0, or -1 when domain is not a valid name or out is too small.
 */
int dmarc_org_domain(const char *domain, char *out, size_t n);

/* Free the cached PSL context (also registered with atexit on first use);
 * safe to call more than once and before any use. */
void dmarc_psl_free(void);

/* ---- one lookup of _dmarc.<name> ---- */

enum dmarc_state {
	DMARC_NOT_ASKED = 0, /* this lookup was not needed / not made */
	DMARC_ABSENT,        /* NXDOMAIN, NODATA, or no v=DMARC1 record among the TXT */
	DMARC_VALID,         /* exactly one record, parsed */
	DMARC_SYNTAX,        /* exactly one record, with a syntax error (why) */
	DMARC_MULTIPLE,      /* more than one v=DMARC1 record */
	DMARC_DNS_ERROR,     /* SERVFAIL, timeout, bad reply ... */
};

struct dmarc_lookup {
	enum dmarc_state state;
	char name[DNS_NAME_MAX + 1];       /* the domain whose _dmarc was asked */
	size_t nrecords;                   /* v=DMARC1 records seen */
	char *records[DMARC_RECORDS_KEEP]; /* owned copies (cut at DMARC_RECORD_LEN) */
	struct dmarc_record rec;           /* when state == DMARC_VALID */
	char why[DMARC_WHY_MAX];           /* when DMARC_SYNTAX */
};

/* Empty l and name it (the domain, not "_dmarc.<domain>"). */
void dmarc_lookup_init(struct dmarc_lookup *l, const char *name);
/* Free the kept records; l is as after dmarc_lookup_init. NULL is fine. */
void dmarc_lookup_clear(struct dmarc_lookup *l);

/*
 * Fill l from a NOERROR answer's TXT strings (txt[i] each one record with
 * its character-strings joined; borrowed): select the v=DMARC1 records,
 * then parse when there is exactly one. Returns 0, or -1 when a copy could
 * not be allocated (l then holds DMARC_DNS_ERROR: a local fault).
 */
int dmarc_lookup_set_txt(struct dmarc_lookup *l, const char *const *txt, size_t n);

/* Fill l from a lookup without usable records: DNS_NXDOMAIN -> ABSENT,
 * DNS_OK (NODATA) -> ABSENT, any other status -> DNS_ERROR. */
void dmarc_lookup_set_status(struct dmarc_lookup *l, enum dns_status st);

/*
 * Does §6.6.3 step 3 call for the organisational domain's record? True
 * when own is ABSENT and domain is not its own organisational domain;
 * org (n >= DNS_NAME_MAX + 1) gets the organisational domain either way
 * ("" when it cannot be found).
 */
bool dmarc_needs_org_lookup(const char *domain, const struct dmarc_lookup *own, char *org,
			    size_t n);

/* ---- the policy that applies ---- */

enum dmarc_source {
	DMARC_SRC_NOWHERE = 0, /* no usable record: see .state */
	DMARC_SRC_DOMAIN,      /* the domain's own record */
	DMARC_SRC_ORG,         /* the organisational domain's record (sp, else p) */
};

struct dmarc_effective {
	enum dmarc_source source;
	enum dmarc_state state; /* of the lookup that decided (own, or org after fallback) */
	bool fallback;          /* the organisational domain's lookup decided */
	const struct dmarc_lookup *lookup; /* borrowed: that lookup */
	const struct dmarc_record *rec;    /* borrowed: its record, NULL unless a source */
	const char *policy_domain;         /* borrowed: where the record was found */
	enum dmarc_policy policy;          /* what applies to the domain */
	bool from_sp;                      /* policy came from the org record's sp */
	int pct;
};

/*
 * Combine the two lookups (orgl may be NULL or NOT_ASKED when there was no
 * fallback). The domain's own record decides unless it is ABSENT; then the
 * org record decides, with sp taking precedence over p (§6.6.3, §6.3 "sp").
 * A syntax error, several records or a DNS error at the domain itself
 * stops there (no fallback: only an empty set falls back). Returns 0, or
 * -1 when own is NULL.
 */
int dmarc_effective(const struct dmarc_lookup *own, const struct dmarc_lookup *orgl,
		    struct dmarc_effective *e);

/* True for a non-sending domain's DMARC half: reject applies to all mail. */
bool dmarc_is_reject(const struct dmarc_effective *e);

/* ---- external report destinations (§7.1) ---- */

enum dmarc_auth {
	DMARC_AUTH_NOT_NEEDED = 0, /* same organisational domain */
	DMARC_AUTH_PENDING,        /* external, authorisation not judged yet */
	DMARC_AUTH_YES,            /* a v=DMARC1 record at auth_name */
	DMARC_AUTH_NO,             /* none there (or the name is too long) */
	DMARC_AUTH_ERROR,          /* the lookup failed */
};

struct dmarc_dest {
	char domain[DNS_NAME_MAX + 1]; /* mailto: destination */
	char org[DNS_NAME_MAX + 1];    /* its organisational domain */
	bool in_rua, in_ruf;
	bool external; /* org differs from the policy domain's */
	char auth_name[DNS_NAME_MAX +
		       1];       /* <policy-domain>._report._dmarc.<domain>; "" if not needed */
	bool auth_name_too_long; /* over 253 characters: cannot be authorised */
	enum dmarc_auth auth;
};

struct dmarc_dests {
	size_t n;
	bool truncated; /* more than DMARC_DEST_MAX distinct domains */
	size_t nother;  /* report URIs that are not mailto: */
	struct dmarc_dest d[DMARC_DEST_MAX];
};

/*
 * Build the authorisation query name into out (n bytes): "<policy_domain>.
 * _report._dmarc.<dest_domain>". Returns 0, or -1 (out "") when it would
 * exceed 253 characters or n.
 */
int dmarc_auth_name(const char *policy_domain, const char *dest_domain, char *out, size_t n);

/*
 * The distinct mailto: destination domains of rec's rua and ruf (rec may
 * be NULL: no destinations), each judged external or not against
 * policy_domain's organisational domain, with its authorisation name.
 * External ones start as DMARC_AUTH_PENDING (or DMARC_AUTH_NO when the
 * name is too long). Returns 0, or -1 when policy_domain is not a name.
 */
int dmarc_dests_build(const struct dmarc_record *rec, const char *policy_domain,
		      struct dmarc_dests *d);

/* Judge the TXT records at an authorisation name (§7.1): any record that
 * is a DMARC record (dmarc_txt_is_dmarc) authorises. Overriding rua/ruf
 * in it are not followed. */
enum dmarc_auth dmarc_auth_judge(const char *const *txt, size_t n);

/* ---- verdict and evidence ---- */

struct dmarc_judgment {
	enum verdict v;
	size_t nreasons;
	enum reason reasons[DMARC_REASONS_MAX]; /* dmarc rows of probes/reasons.def */
};

/*
 * The verdict (issue 11 §3): reject or quarantine with pct 100 passes;
 * pct < 100 warns (dmarc-pct-partial); p=none (given or implied) warns;
 * no record, several records or a syntax error fail; a failed lookup is
 * an error. External destinations not authorised warn. d may be NULL.
 *
 * On pct: internet.nl does not judge it. Its check
 * (internetstandards/Internet.nl, checks/tasks/mail.py,
 * dmarc_verify_sufficient_policy) only refuses p=none (sp=none, else
 * p=none, after the organisational-domain fallback); "p=reject; pct=50"
 * passes there. Issue 11 asks for pct 100, and a policy applied to part of
 * the mail (RFC 7489 §6.3 "pct") leaves the rest unprotected, so mailscan
 * warns: stricter than internet.nl, but not a fail, so a domain that
 * internet.nl passes is never failed here for pct alone.
 */
void dmarc_judge(const struct dmarc_effective *e, const struct dmarc_dests *d,
		 struct dmarc_judgment *j);

/*
 * Write the evidence as one JSON object value (the caller wrote the key,
 * if any): the lookups with their records, the parsed tags of the record
 * that applies, the organisational domain, where the policy came from,
 * and the destinations with their external/authorised flags. org and d
 * may be NULL/"".
 */
void dmarc_evidence_json(struct json *j, const struct dmarc_effective *e,
			 const struct dmarc_lookup *own, const struct dmarc_lookup *orgl,
			 const char *org, const struct dmarc_dests *d);

const char *dmarc_policy_name(enum dmarc_policy p); /* "none" ... ; NULL for UNSET */
const char *dmarc_state_name(enum dmarc_state s);
const char *dmarc_auth_word(enum dmarc_auth a); /* "not-needed" ... */

#endif
