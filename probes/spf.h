/*
 * spf.h - SPF (RFC 7208) for a policy check: record selection and syntax
 * (§4.5, §12), and an evaluator that follows include and redirect, counts
 * DNS-querying terms (limit 10) and void lookups (limit 2, §4.6.4), finds
 * loops, and judges the policy the way internet.nl's "SPF policy" does.
 *
 * Nothing here does I/O. The evaluator is a state machine: the caller (the
 * SPF probe) asks it for DNS questions with spf_eval_next_query(), resolves
 * them however it likes (the engine's shared cache), and feeds the answers
 * back with spf_eval_answer(), in any order, until spf_eval_done().
 *
 * It evaluates the record "for no client": every mechanism is taken not to
 * match, so every term up to the first "all" is visited (the worst case a
 * receiver can meet, which is what the limits of §4.6.4 are about).
 *
 * Ownership: spf_eval_new() allocates; spf_eval_free() frees (accepts
 * NULL). Pointers returned by the accessors are borrowed from the
 * evaluator and valid until it is freed (queries: until answered).
 */
#ifndef MAILSCAN_SPF_H
#define MAILSCAN_SPF_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/str.h"
#include "reason.h"

struct json;

#define SPF_LOOKUP_LIMIT 10 /* RFC 7208 §4.6.4: DNS-querying terms */
#define SPF_VOID_LIMIT 2    /* RFC 7208 §4.6.4: void lookups */
#define SPF_NODES_MAX 64    /* records in one tree; hard cap */
#define SPF_DEPTH_MAX 12    /* include/redirect nesting; hard cap */
#define SPF_QUERIES_MAX 40  /* DNS questions asked for one domain; hard cap */
#define SPF_TEXT_MAX 512    /* record text kept per node as evidence */
#define SPF_WHY_MAX 160     /* the words of a syntax error or finding */

/*
 * The evaluator's findings, one table (finding, its reason code, meaning).
 * The code is a row of probes/reasons.def (R_NONE for SPF_R_OK), where its
 * standard, severity and advice are; the verdict each maps to is the
 * probe's.
 */
#define SPF_REASONS(X)                                                                             \
	X(SPF_R_OK, R_NONE, "valid record, policy -all or ~all")                                   \
	X(SPF_R_NONE, R_SPF_NONE, "the domain publishes no v=spf1 record")                         \
	X(SPF_R_MULTIPLE, R_SPF_MULTIPLE_RECORDS, "more than one v=spf1 record (permerror)")       \
	X(SPF_R_SYNTAX, R_SPF_SYNTAX, "a record in the tree breaks the grammar (permerror)")       \
	X(SPF_R_TOO_MANY_LOOKUPS, R_SPF_TOO_MANY_LOOKUPS, "more than 10 DNS-querying terms")       \
	X(SPF_R_TOO_MANY_VOIDS, R_SPF_TOO_MANY_VOID_LOOKUPS, "more than 2 void lookups")           \
	X(SPF_R_LOOP, R_SPF_LOOP, "an include or redirect leads back to a domain on its path")     \
	X(SPF_R_INCLUDE_NO_RECORD, R_SPF_INCLUDE_NO_RECORD, "an include target has no record")     \
	X(SPF_R_REDIRECT_NO_RECORD, R_SPF_REDIRECT_NO_RECORD, "a redirect target has no record")   \
	X(SPF_R_TEMPERROR, R_SPF_TEMPERROR, "a needed DNS lookup timed out or failed")             \
	X(SPF_R_ALL_MISSING, R_SPF_ALL_MISSING, "policy: no all and no redirect (default ?all)")   \
	X(SPF_R_ALL_NEUTRAL, R_SPF_ALL_NEUTRAL, "policy: the effective all is ?all")               \
	X(SPF_R_ALL_PASS, R_SPF_ALL_PASS, "policy: the effective all is +all")                     \
	X(SPF_R_INCLUDE_PASS_ALL, R_SPF_INCLUDE_PASS_ALL, "policy: an included record ends +all")  \
	X(SPF_R_REDIRECT_MACRO, R_SPF_REDIRECT_MACRO, "policy: redirect target needs a sender")

enum spf_reason {
#define SPF_REASON_ENUM(e, code, meaning) e,
	SPF_REASONS(SPF_REASON_ENUM)
#undef SPF_REASON_ENUM
	    SPF_R_COUNT
};

/* The reason code of r (R_SPF_LOOP), R_NONE for SPF_R_OK or out of range. */
enum reason spf_reason_id(enum spf_reason r);
/* The kebab-case code ("spf-loop"), NULL for SPF_R_OK or out of range. */
const char *spf_reason_code(enum spf_reason r);
/* The one-line meaning from the table ("" out of range). */
const char *spf_reason_meaning(enum spf_reason r);

/* ---- record selection and syntax ---------------------------------------- */

enum spf_term_kind {
	SPF_T_ALL,
	SPF_T_INCLUDE,
	SPF_T_A,
	SPF_T_MX,
	SPF_T_PTR,
	SPF_T_IP4,
	SPF_T_IP6,
	SPF_T_EXISTS,
	SPF_T_REDIRECT, /* modifiers from here on */
	SPF_T_EXP,
	SPF_T_UNKNOWN_MOD,
};

struct spf_term {
	enum spf_term_kind kind;
	char qual;       /* '+', '-', '~', '?' (mechanisms; '+' when omitted) */
	size_t off, len; /* the term in the record text */
	size_t aoff;     /* argument: domain-spec, network or modifier value */
	size_t alen;     /* 0 when the term has none */
	bool macro;      /* the domain-spec holds a macro ('%') */
	int cidr4;       /* -1 when absent */
	int cidr6;       /* -1 when absent */
};

struct spf_record {
	char *text;             /* owned copy of the record */
	struct spf_term *terms; /* owned */
	size_t nterms;
	int all;      /* index of the first "all" mechanism, -1 */
	int redirect; /* index of redirect=, -1 */
	int exp;      /* index of exp=, -1 */
	size_t nmech; /* mechanisms (directives) */
};

/* True when txt starts "v=spf1" (any case) followed by SP or the end. */
bool spf_txt_is_spf(const char *txt);

/*
 * Among n TXT records (each one record's strings joined), count the SPF
 * ones (spf_txt_is_spf). Returns that count (0: none, >1: permerror
 * "multiple records"); *first (may be NULL) gets the index of the first.
 */
size_t spf_select(const char *const *txts, size_t n, size_t *first);

/*
 * Parse one SPF record by the ABNF of RFC 7208 §12: terms separated by
 * 1*SP; mechanisms all include a mx ptr ip4 ip6 exists (names any case)
 * with qualifiers + - ~ ?; modifiers redirect= exp= and unknown name=value;
 * ip4/ip6 networks and CIDR lengths (dual-cidr for a and mx; no leading
 * zeros); domain-specs with their macro syntax (§7.1) and domain-end. On
 * top of the ABNF: redirect or exp twice is an error (§6), the macro
 * letters c r t outside exp text are an error (§7.3), and a domain-spec
 * without macros must be a valid host name (§4.3, §4.8; underscores
 * allowed). Returns 0 with r filled (free with spf_record_free), or -1
 * with the first problem in why ("term N \"text\" at offset K: ...";
 * bounded, the term shown sanitised and cut) and r empty.
 */
int spf_record_parse(const char *txt, struct spf_record *r, char *why, size_t whylen);
void spf_record_free(struct spf_record *r);

/* ---- the evaluator -------------------------------------------------------- */

enum spf_dns_type { SPF_DNS_TXT, SPF_DNS_A, SPF_DNS_AAAA, SPF_DNS_MX };

/* What became of a DNS question; the probe maps the engine's status. */
enum spf_dns_status {
	SPF_DNS_OK,       /* NOERROR with answers */
	SPF_DNS_NODATA,   /* NOERROR, no answer of the type (a void lookup) */
	SPF_DNS_NXDOMAIN, /* a void lookup too */
	SPF_DNS_TIMEOUT,
	SPF_DNS_ERROR, /* SERVFAIL, REFUSED, bogus, anything else */
};

struct spf_query {
	char name[DNS_NAME_MAX + 1]; /* lower case, no trailing dot */
	enum spf_dns_type type;
};

enum spf_status {
	SPF_ST_PENDING,   /* not done yet */
	SPF_ST_OK,        /* one record, evaluated without error */
	SPF_ST_NONE,      /* no record at the domain */
	SPF_ST_PERMERROR, /* code says which */
	SPF_ST_TEMPERROR, /* a needed lookup failed: could not be tested */
};

enum spf_via { SPF_VIA_ROOT, SPF_VIA_INCLUDE, SPF_VIA_REDIRECT };

struct spf_node {
	char domain[DNS_NAME_MAX + 1];
	enum spf_via via;
	int parent;                  /* node index, -1 for the root; nodes are in DFS order */
	int via_term;                /* the parent's term that led here, -1 for the root */
	int depth;                   /* 0 for the root */
	bool parsed;                 /* a record was selected and parsed */
	char text[SPF_TEXT_MAX + 1]; /* the record, sanitised, cut */
	bool text_cut;
	struct spf_record rec;   /* valid when parsed */
	unsigned lookups;        /* terms of this record counted toward 10 */
	unsigned voids;          /* void lookups of this record's terms */
	unsigned unresolved;     /* counted terms not resolved: macros, ptr */
	char all;                /* this record's all qualifier, 0 for none */
	enum spf_reason problem; /* what went wrong at this node, SPF_R_OK */
	int next_term;           /* evaluation cursor */
};

/* Where an error happened: node, term index (-1: the node itself) and
 * the ordinal of the counted term (1..11; 0 before any). */
struct spf_where {
	int node;
	int term;
	unsigned ordinal;
};

struct spf_result {
	enum spf_status status;
	enum spf_reason code;   /* the finding (error or policy), SPF_R_OK */
	char why[SPF_WHY_MAX];  /* words for code, "" for SPF_R_OK */
	bool policy_ok;         /* status OK and the policy passes */
	char all;               /* effective all of the top record, 0 none */
	int all_node;           /* node it comes from, -1 */
	unsigned lookups;       /* counted terms (stops at 11) */
	unsigned voids;         /* void lookups seen */
	struct spf_where where; /* of the error or of the policy finding */
	struct spf_node node[SPF_NODES_MAX];
	size_t nnodes;
};

struct spf_eval;

/*
 * Start evaluating domain's SPF. Returns NULL on out of memory only; a
 * domain that is not a valid host name is done at once with SPF_ST_NONE
 * (RFC 7208 §4.3).
 */
struct spf_eval *spf_eval_new(const char *domain);
void spf_eval_free(struct spf_eval *ev);

/*
 * The next DNS question not yet handed out, or NULL when there is none
 * right now. Several may be outstanding at once: at most one TXT (include
 * and redirect are followed depth first, in record order, so the count
 * of §4.6.4 is in evaluation order) plus the A/MX lookups of a, mx and
 * exists terms, which only serve the void count and run alongside. An
 * identical question is handed out once; one answer serves all its
 * askers. The pointer is borrowed until that question is answered.
 */
const struct spf_query *spf_eval_next_query(struct spf_eval *ev);

/*
 * The answer to a question handed out: status, and for SPF_DNS_OK the
 * values (TXT: each record's strings joined; A/AAAA/MX: only their number
 * matters). n may be 0 with SPF_DNS_OK (taken as NODATA). Returns 0, or -1
 * when no such question is outstanding (the answer is ignored).
 */
int spf_eval_answer(struct spf_eval *ev, const char *name, enum spf_dns_type type,
		    enum spf_dns_status status, const char *const *values, size_t n);

/* True when nothing is outstanding and the result is final. */
bool spf_eval_done(const struct spf_eval *ev);

/* The result once done (borrowed), else NULL. */
const struct spf_result *spf_eval_result(const struct spf_eval *ev);

/*
 * A non-sending domain's record (issue 11 §5): the top record is exactly
 * the one mechanism "-all", no redirect, no other mechanism; an exp= may
 * stand beside it, as in internet.nl's SPF_NON_SENDING_POLICY pattern.
 */
bool spf_is_deny_all(const struct spf_result *r);

/*
 * Write r as one JSON object value (the caller has written the key, or is
 * inside an array): status, code, why, policy, all, lookups, voids, where
 * the limit was exceeded, and the tree of records with each node's lookup
 * count and children. Returns json_status(j).
 */
int spf_result_json(const struct spf_result *r, struct json *j);

/* "ok", "none", "permerror", "temperror", "pending". */
const char *spf_status_name(enum spf_status s);

#endif
