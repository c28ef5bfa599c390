/*
 * report.h - the "pas toe of leg uit" compliance report of a stored run
 * (SPEC §7).
 *
 * Evaluation and rendering are separate. report_build() reads one run from
 * the store (db/ does the SQL), combines the stored per-probe verdicts into
 * the standards of the report (rep_standards[], the one table of them),
 * applies the recorded explanations ("leg uit"), and computes what every
 * format shows: the status of each domain and organisation per standard,
 * adoption per category and overall, the trend over all finished runs, the
 * changes since the previous run and the mail providers many domains depend
 * on. Each format is one module behind struct report_ops (html.c, md.c,
 * csv.c, json.c); renderers only read a built report and escape everything
 * that came from a target list or the network.
 *
 * Statuses (Forum Standaardisatie's words): voldoet (pass), voldoet niet
 * (fail), uitgelegd (explained: a failure with a valid explanation),
 * n.v.t. (not applicable: the domain takes no mail) and niet getest (not
 * tested: the evidence was incomplete). Adoption is voldoet / (voldoet +
 * voldoet niet + uitgelegd); uitgelegd is shown beside it, niet getest is
 * counted and shown separately, never silently dropped.
 */
#ifndef MAILSCAN_REPORT_H
#define MAILSCAN_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../db/db.h"

enum rep_lang { REP_NL = 0, REP_EN = 1 };

enum rep_status { RS_PASS = 0, RS_FAIL, RS_EXPLAINED, RS_NA, RS_UNTESTED, RS_COUNT };

enum rep_level { REP_REQUIRED = 0, REP_RECOMMENDED };

#define REP_STD_MAX 16
#define REP_PARTS_MAX 3

/* A standard of the report: one or more stored verdicts combined. */
struct rep_standard {
	const char *id;                       /* explanations name it: "dnssec", ... */
	const char *name[2];                  /* nl, en */
	enum rep_level level;                 /* verplicht / aanbevolen */
	const char *parts[REP_PARTS_MAX + 1]; /* stored standards, NULL-terminated */
	const char *basis[2];                 /* what it rests on (RFCs, the list) */
	bool mx_bound; /* its failures sit with the MX hosts (a provider can fix them) */
};

/*
 * The standards of the report, made once from the probe registry
 * (probes/probe.h): one per probe, in registry order, except that a probe
 * with report_with joins that probe's standard (starttls and dane: one
 * standard "starttls_dane" that passes when both do). Borrowed, static.
 */
const struct rep_standard *rep_standards_table(void);
size_t rep_standards_count(void);
#define rep_standards (rep_standards_table())
#define rep_nstandards (rep_standards_count())

struct rep_count {
	unsigned long n[RS_COUNT];
};

/* Adoption in percent (0..100) of c, or -1 when nothing applies. */
double rep_adoption(const struct rep_count *c);

struct rep_verdict {
	char *standard, *verdict, *reasons; /* as stored; reasons space-separated */
};

/* One phase-out or insufficient item of the tls_ncsc probe, as stored. */
struct rep_ncsc_finding {
	char *cls;     /* "phase-out", "insufficient" */
	char *aspect;  /* "version", "cipher", "cert-key", ... */
	char *item;    /* "TLSv1.0", a suite's IANA name, "RSA-1024", ... */
	char *version; /* the protocol version it was seen at; NULL for none */
	char *detail;  /* "" for none */
};

struct rep_addr {
	char *ip, *starttls, *tls_version, *cipher, *cert_sha256, *cert_subject, *cert_issuer;
	char *cert_not_after, *key_type, *signature, *dane, *error, *banner, *first_attempt;
	long long key_bits;
	int pkix_valid, name_match; /* -1: unknown */
	bool retried;
	/* tls_ncsc: ncsc_state NULL when the probe did not run on the address
	 * (then no findings); "done" or "incomplete" otherwise */
	char *ncsc_state, *ncsc_versions;
	long long ncsc_handshakes;
	struct rep_ncsc_finding *ncsc; /* in stored order: the probe's, then the certificate's */
	size_t nncsc;
};

struct rep_mx {
	char *host, *dnssec, *tlsa_state, *tlsa, *error;
	long long preference;
	size_t provider; /* index into report.providers */
	struct rep_addr *addrs;
	size_t naddrs;
};

struct rep_expl;

/* One value of a probe's own evidence (db_rep_evidence: flattened JSON). */
struct rep_evidence {
	char *probe, *path, *value;
};

struct rep_domain {
	char *name, *checked_at;
	char *mx_error;
	char *dns_failures;           /* failed lookups, a line each; NULL when none */
	long long dns_failures_more;  /* failed lookups beyond those */
	struct rep_verdict *verdicts; /* stored, by standard name */
	size_t nverdicts;
	enum rep_status status[REP_STD_MAX];      /* with explanations applied */
	enum rep_status raw[REP_STD_MAX];         /* without */
	const struct rep_expl *expl[REP_STD_MAX]; /* the explanation used or expired */
	size_t *orgs;                             /* indexes into report.orgs, sorted by name */
	size_t norgs;
	struct rep_mx *mx;
	size_t nmx;
	struct rep_evidence *ev; /* the probes' own evidence, by probe, in order */
	size_t nev;
};

struct rep_org {
	char *name, *category;
	size_t *domains; /* indexes into report.domains */
	size_t ndomains;
	enum rep_status status[REP_STD_MAX];
};

struct rep_category {
	char *name; /* "" for domains no organisation lists */
	size_t ndomains, norgs;
	struct rep_count domains[REP_STD_MAX]; /* domain statuses */
	struct rep_count orgs[REP_STD_MAX];    /* organisation statuses */
};

enum rep_expl_state {
	EXPL_APPLIED,    /* a failing domain is uitgelegd */
	EXPL_EXPIRED,    /* valid_until passed: the failure counts */
	EXPL_NOT_NEEDED, /* it covers domains, but none fails with it */
	EXPL_UNUSED      /* names no domain or organisation of the run */
};

struct rep_expl {
	char *organisation, *domain; /* one of them is set */
	char *standard;              /* an id of rep_standards */
	size_t std;                  /* its index */
	char *reason;
	char valid_until[11]; /* YYYY-MM-DD */
	unsigned long line;   /* in the explanations file */
	enum rep_expl_state state;
	unsigned long applied, expired, passing; /* domains it met, by outcome */
	unsigned long covered;                   /* domains it covers at all */
};

struct rep_trend {
	long long run;
	char date[11];
	struct rep_count c[REP_STD_MAX];
};

struct rep_change {
	size_t domain; /* index into report.domains */
	size_t std;
	enum rep_status before, after;
	bool improved; /* else regressed */
};

struct rep_provider {
	char *name;   /* registrable domain of the MX host names */
	char **hosts; /* its MX host names, sorted */
	size_t nhosts;
	size_t ndomains;
	size_t *orgs; /* organisations with a domain that uses it (report.orgs) */
	size_t norgs;
	struct rep_count c[REP_STD_MAX]; /* statuses of the domains that use it */
	/* failing domains whose every MX host is at this provider: fix the
	 * provider and they comply */
	unsigned long fixable[REP_STD_MAX];
};

/* One fact of how the run was made (runs.provenance; scanner/provenance.h):
 * key ("mailscan", "dns", "trust_anchor", "targets_sha256", ...) and text. */
struct rep_kv {
	char *key, *value;
};

/* An invalid entry of the list, as kept with the run. */
struct rep_invalid {
	unsigned long line;
	char *entry, *why;
};

/* Domains not tested in some standard, by the reason code of that error
 * verdict (a domain counts once per code). */
struct rep_reason_count {
	char *code;
	unsigned long n;
};

#define REP_HEAD_MAX 3

/*
 * The conclusion on the first screen: organisations that meet every
 * required standard (pass, explained or n/a in each that the run has; none
 * failing but some not tested is counted apart); the standards whose
 * adoption moved most since the previous finished run; the providers whose
 * fix would turn the most failing domain verdicts (provider.fixable summed
 * over the standards).
 */
struct rep_headline {
	size_t orgs_meet, orgs_untested;       /* of report.norgs */
	size_t domains_meet, domains_untested; /* of report.ndomains */
	size_t nmovers;
	struct {
		size_t std;
		double before, after; /* adoption in percent */
	} movers[REP_HEAD_MAX];
	size_t ntop;
	struct {
		size_t provider;     /* index into report.providers */
		unsigned long moves; /* domain verdicts it would turn */
		size_t std;          /* the standard with the most of them */
	} top[REP_HEAD_MAX];
};

/*
 * One slice of a run for `report --group-by KEY` (group.c): the
 * organisations whose tag KEY has value (NULL: those without the tag), and
 * the domains they list (for the group without the tag also the domains no
 * organisation lists). Names sorted (strcmp), owned by the group.
 */
struct rep_filter {
	const char *key;
	char *value; /* NULL: without the tag */
	char **orgs;
	size_t norgs;
	char **domains;
	size_t ndomains;
};

struct report {
	struct db_run run;
	/* the slice this report is restricted to (report_build_filtered):
	 * its organisations, their domains, the trend and the changes of those
	 * domains; NULL for the whole run. Borrowed. */
	const struct rep_filter *filter;
	enum rep_lang lang;
	char date[11];              /* the run's date: explanations are judged on it */
	bool present[REP_STD_MAX];  /* standards the run has verdicts for */
	struct rep_domain *domains; /* sorted by name */
	size_t ndomains;
	struct rep_org *orgs; /* sorted by category, then name */
	size_t norgs;
	struct rep_category *cats; /* sorted by name */
	size_t ncats;
	struct rep_count total[REP_STD_MAX];
	struct rep_count total_orgs[REP_STD_MAX];
	struct rep_expl *expl; /* in file order */
	size_t nexpl;
	struct rep_trend *trend; /* every finished run, oldest first */
	size_t ntrend;
	long long prev_run; /* 0: none */
	struct rep_change *changes;
	size_t nchanges;
	struct rep_provider *providers; /* most dependent domains first */
	size_t nproviders;
	struct rep_kv *prov; /* how the run was made; none for older runs */
	size_t nprov;
	struct rep_invalid *invalid; /* the kept invalid entries, by line */
	size_t ninvalid;
	struct rep_reason_count *untested; /* most domains first, then by code */
	size_t nuntested;
	size_t domains_untested; /* domains not tested in at least one standard */
	struct rep_headline head;
};

/* Words the formats share (the conclusion, how the run was made, the
 * list): rep_word(lang, w). */
enum rep_word {
	RW_HEADLINE,
	RW_HEAD_ORGS,
	RW_HEAD_ORGS_UNTESTED,
	RW_HEAD_DOMAINS,
	RW_HEAD_REQUIRED,
	RW_HEAD_MOVERS,
	RW_HEAD_NO_PREV,
	RW_HEAD_NO_MOVE,
	RW_HEAD_POINTS,
	RW_HEAD_PROVIDERS,
	RW_HEAD_NO_PROVIDER,
	RW_HEAD_VERDICTS,
	RW_HEAD_VERDICT,
	RW_HEAD_MOSTLY,
	RW_METHOD,
	RW_PROV_NONE,
	RW_FACT,
	RW_VALUE,
	RW_OPTIONS,
	RW_LIST,
	RW_L_ENTRIES,
	RW_L_INVALID,
	RW_L_REPEATS,
	RW_L_UNIQUE,
	RW_L_STORED,
	RW_L_NOT_STORED,
	RW_L_UNTESTED,
	RW_L_INVALID_HEAD,
	RW_L_INVALID_MORE,
	RW_L_UNTESTED_HEAD,
	RW_L_UNTESTED_NOTE,
	RW_CODE,
	RW_CAT_SUM_NOTE,
	RW_GROUP,
	RW_GROUP_WITH,
	RW_GROUP_WITHOUT,
	RW_GROUP_NO_ORG,
	RW_GROUP_NOTE,
	RW_CHG_TITLE,
	RW_CHG_OF,
	RW_CHG_NONE,
	RW_CHG_NO_PREV,
	RW_CHG_IN,
	RW_IMPROVED,
	RW_REGRESSED,
	RW_N_IMPROVED,
	RW_N_REGRESSED,
	RW_DOMAIN,
	RW_ORGS,
	RW_STANDARD,
	RW_WAS,
	RW_NOW,
	RW_REASONS_NOW,
	RW_COUNT
};
const char *rep_word(enum rep_lang lang, enum rep_word w);

/* Machine words of the stored evidence (words.c), by what they describe. */
enum rep_ev_kind {
	REP_EV_DNSSEC,      /* secure, insecure, bogus, indeterminate */
	REP_EV_TLSA,        /* tlsa_state_name(): none, present, not-looked-up, ... */
	REP_EV_DANE,        /* dane_match_name(): match, mismatch, no-tls, not-checked */
	REP_EV_ADDR,        /* addr_status_name(): ok, not-tested, tls-version-old, ... */
	REP_EV_NCSC_ASPECT, /* a tls_ncsc finding's aspect: version, cipher, ... */
	REP_EV_NCSC_STATE   /* a protocol version's state: accepted, refused, ... */
};
/* word in lang ("not-looked-up" -> "niet opgevraagd"); NULL for a word this
 * build does not know (show it as stored). Borrowed, static. */
const char *rep_ev_word(enum rep_lang lang, enum rep_ev_kind kind, const char *word);
/* A value of a probe's own evidence (probe, flattened path) in lang's words
 * where it is a known word of a known kind (dnssec's states, ...); else
 * value itself. */
/* The stored verdict of d for the stored standard (probe) name, or NULL. */
const struct rep_verdict *rep_verdict_of(const struct rep_domain *d, const char *name);

/* Do two addresses carry the same evidence, every stored field of it
 * (rep_addr_same; the MX host name aside), or the same tls_ncsc evidence
 * of their IP (rep_ncsc_same)? The appendix shows such an address once
 * and refers to it from the others. 1 or 0. */
int rep_addr_same(const struct rep_addr *a, const struct rep_addr *b);
int rep_ncsc_same(const struct rep_addr *a, const struct rep_addr *b);

struct buf;
/* The protocol versions a tls_ncsc probe tried as stored ("TLSv1.3 accepted,
 * TLSv1.2 refused, ..."), each known state in lang's words, appended to out
 * (text: renderers escape it); an entry too long to be a version and a
 * state ends it as stored. 0, or -1 when out is full. */
int rep_ncsc_versions(enum rep_lang lang, const char *list, struct buf *out);
const char *rep_ev_value(enum rep_lang lang, const char *probe, const char *path,
			 const char *value);
/* The reason codes now of domain d for standard std: those of its stored
 * verdicts of the standard's parts, space-separated, each once, into out
 * (cut to fit). Returns out. */
char *rep_reasons_of(const struct rep_domain *d, size_t std, char *out, size_t outlen);

/* The words for a provenance key in lang ("Trust anchor", ...); NULL for a
 * key this build does not know (show the key itself). */
const char *rep_prov_label(enum rep_lang lang, const char *key);
/* A provenance value in lang's words when it is one of the fixed ones
 * ("recursive", "built-in", ...), else value itself. */
const char *rep_prov_value(enum rep_lang lang, const char *key, const char *value);

/*
 * Build the report of run (0: the newest finished run) from db, with the
 * explanations file (NULL: none). Returns 0; or -1 with err set and, for a
 * problem of the explanations file or an unknown run, *usage set (exit 2
 * rather than 3). report_free() in all cases.
 */
int report_build(struct report *r, struct db *db, long long run, const char *explanations,
		 enum rep_lang lang, bool *usage, char *err, size_t errlen);
void report_free(struct report *r);

/* report_build restricted to the slice f (NULL: the whole run); f must
 * outlive r. */
int report_build_filtered(struct report *r, struct db *db, long long run, const char *explanations,
			  enum rep_lang lang, const struct rep_filter *f, bool *usage, char *err,
			  size_t errlen);

/*
 * The slices of r's run by the tag key (group.c): one per value of key
 * among r's organisations, sorted by value (strcmp), then one for the
 * organisations without it (and the domains of no organisation) when there
 * are any. Returns how many (*out owned, report_groups_free); 0 when no
 * organisation of the run has the tag (err then names the run's keys); -1
 * with err set on a database error or out of memory.
 */
int report_groups(const struct report *r, struct db *db, const char *key, struct rep_filter **out,
		  size_t *n, char *err, size_t errlen);
void report_groups_free(struct rep_filter *g, size_t n);

/* Is name among the sorted names[n]? */
bool rep_filter_has(char *const *names, size_t n, const char *name);

/* Words of the report in r->lang. */
const char *rep_status_name(enum rep_lang lang, enum rep_status s);
const char *rep_level_name(enum rep_lang lang, enum rep_level l);
/* The run's stored status (done, partial, running, stopped, failed) in lang;
 * NULL for a status this build does not know (show the stored text). */
const char *rep_run_status_name(enum rep_lang lang, const char *status);

/* Parse the explanations YAML (see explain.c) into *out / *n; 0, or -1 with
 * err "FILE:LINE[:COLUMN]: problem". Free with rep_expl_free. */
int rep_expl_load(const char *path, struct rep_expl **out, size_t *n, char *err, size_t errlen);
void rep_expl_free(struct rep_expl *e, size_t n);

/* A renderer: writes the whole report to f; 0, or -1 on a write error. */
struct report_ops {
	const char *name; /* the --format word */
	int (*render)(const struct report *r, FILE *f);
};

extern const struct report_ops report_html, report_md, report_csv, report_json;

/* The renderer for a --format word, NULL if none. */
const struct report_ops *report_find(const char *format);

/*
 * The exception report of each format (report --changes-only): only the
 * changes since the previous finished run (report.changes), per domain and
 * standard with the status before and now, the organisations and the reason
 * codes now; one line "no changes since run N" (md, html) when there are
 * none. report_changes_ops(ops) is the one for ops's format.
 */
extern const struct report_ops report_changes_html, report_changes_md, report_changes_csv,
    report_changes_json;
const struct report_ops *report_changes_ops(const struct report_ops *ops);

#endif
