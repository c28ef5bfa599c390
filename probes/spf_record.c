/*
 * spf_record.c - SPF (RFC 7208) for a policy check: record selection
 * (§4.5), the record grammar (§12, with §4.6, §5, §6, §7.1, §7.3), and a
 * DNS-driven evaluator that follows include (§5.2) and redirect (§6.1),
 * counts DNS-querying terms and void lookups against the limits of
 * §4.6.4, and detects loops. See spf.h for the interface.
 *
 * The policy rule is internet.nl's "SPF policy" (issue 11 §2), read from
 * internetstandards/Internet.nl, checks/tasks/mail.py, spf_check_policy()
 * and spf_check_include_redirect():
 *  - the top record's effective all decides: -all or ~all passes; ?all,
 *    +all (or a bare "all") fails; no all and no redirect fails (the
 *    default is ?all, RFC 7208 §4.7); with redirect= (and no all) the
 *    redirect target's effective all is the policy (§6.1);
 *  - "a policy that only includes others is judged through them": every
 *    included record is checked too. It must exist, parse, stay within
 *    the limits, and must not end in +all (or bare all), since an include
 *    whose record passes every sender makes the including record pass
 *    every sender. ?all in an included record is fine: inside an include,
 *    neutral is just "no match" (§5.2). Internet.nl exempts included
 *    records from the "no all" rule for the same reason, and so do we. A
 *    top record of only includes still needs its own -all/~all (or a
 *    redirect), exactly as in internet.nl.
 * Where we differ from internet.nl, we follow the RFC: the lookup count
 * covers a, mx, ptr, exists with arguments too (internet.nl only counts a
 * bare "a"), void lookups are counted, and loops are named as such.
 */
#include "spf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/json.h"
#include "txt_record.h"

/* ---- reason codes -------------------------------------------------------- */

static const struct {
	enum reason id;
	const char *meaning;
} spf_reason_table[] = {
#define SPF_REASON_ROW(e, code, meaning) [e] = {code, meaning},
    SPF_REASONS(SPF_REASON_ROW)
#undef SPF_REASON_ROW
};

enum reason spf_reason_id(enum spf_reason r)
{
	if ((unsigned)r >= SPF_R_COUNT)
		return R_NONE;
	return spf_reason_table[r].id;
}

const char *spf_reason_code(enum spf_reason r) { return reason_code(spf_reason_id(r)); }

const char *spf_reason_meaning(enum spf_reason r)
{
	if ((unsigned)r >= SPF_R_COUNT)
		return "";
	return spf_reason_table[r].meaning;
}

const char *spf_status_name(enum spf_status s)
{
	switch (s) {
	case SPF_ST_OK:
		return "ok";
	case SPF_ST_NONE:
		return "none";
	case SPF_ST_PERMERROR:
		return "permerror";
	case SPF_ST_TEMPERROR:
		return "temperror";
	case SPF_ST_PENDING:
		break;
	}
	return "pending";
}

/* ---- selection ------------------------------------------------------------ */

bool spf_txt_is_spf(const char *txt)
{
	return txt && str_iprefix(txt, "v=spf1") && (txt[6] == '\0' || txt[6] == ' ');
}

size_t spf_select(const char *const *txts, size_t n, size_t *first)
{
	size_t i, count = 0;

	for (i = 0; txts && i < n; i++) {
		if (!spf_txt_is_spf(txts[i]))
			continue;
		if (count++ == 0 && first)
			*first = i;
	}
	return count;
}

/* ---- grammar --------------------------------------------------------------- */

static bool spf_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool spf_digit(char c) { return c >= '0' && c <= '9'; }

/*
 * A macro-string (RFC 7208 §7.1) of n bytes. *macro is set when it holds
 * any macro-expand ("%{...}", "%%", "%_", "%-"); *end_expand is set when
 * it ends with one (a valid domain-end). crt: the letters c, r, t are
 * allowed (only in explanation text, §7.3). NULL, or what is wrong.
 */
static const char *spf_macro_check(const char *s, size_t n, bool crt, bool *macro, bool *end_expand)
{
	size_t i = 0;

	*macro = false;
	*end_expand = false;
	while (i < n) {
		char c = s[i], l;
		size_t digits = 0, d0;

		*end_expand = false;
		if (c != '%') {
			if ((unsigned char)c < 0x21 || (unsigned char)c > 0x7e)
				return "character not allowed";
			i++;
			continue;
		}
		*macro = true;
		if (i + 1 >= n)
			return "'%' at the end (write %% for a percent sign)";
		if (s[i + 1] == '%' || s[i + 1] == '_' || s[i + 1] == '-') {
			i += 2;
			*end_expand = true;
			continue;
		}
		if (s[i + 1] != '{')
			return "'%' must be followed by {, %, _ or -";
		i += 2;
		if (i >= n)
			return "unterminated macro";
		l = (char)tolower((unsigned char)s[i]);
		if (!strchr("slodiphcrtv", l) || l == '\0')
			return "unknown macro letter";
		if (!crt && strchr("crt", l))
			return "macro letters c, r, t are only allowed in explanation text";
		i++;
		d0 = i;
		while (i < n && spf_digit(s[i])) {
			i++;
			if (++digits > 3)
				return "macro digit transformer too long";
		}
		if (digits > 0 && strtoul(s + d0, NULL, 10) == 0)
			return "macro digit transformer must be nonzero";
		if (i < n && (s[i] == 'r' || s[i] == 'R'))
			i++;
		while (i < n && strchr(".-+,/_=", s[i]) && s[i] != '\0')
			i++;
		if (i >= n || s[i] != '}')
			return "malformed macro (expected '}')";
		i++;
		*end_expand = true;
	}
	return NULL;
}

/* toplabel (§12): ALPHA among alphanums, or alphanums with inner '-'. */
static bool spf_toplabel_ok(const char *s, size_t n)
{
	bool alpha = false, hyphen = false;
	size_t i;

	if (n == 0 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '-')
			hyphen = true;
		else if (spf_alpha(s[i]))
			alpha = true;
		else if (!spf_digit(s[i]))
			return false;
	}
	return alpha || hyphen;
}

/* domain-spec = macro-string domain-end (§12); a macro-free one must also
 * be a host name. NULL, or what is wrong (static text or into buf). */
static const char *spf_domain_spec_check(const char *s, size_t n, bool *macro, char *buf,
					 size_t buflen)
{
	bool end_expand;
	const char *err;
	size_t m, dot;

	if (n == 0)
		return "empty domain-spec";
	err = spf_macro_check(s, n, false, macro, &end_expand);
	if (err)
		return err;
	if (!end_expand) {
		m = n;
		if (s[m - 1] == '.')
			m--;
		for (dot = m; dot > 0 && s[dot - 1] != '.'; dot--)
			;
		if (dot == 0)
			return "domain-spec must end in '.' and a top label";
		if (!spf_toplabel_ok(s + dot, m - dot))
			return "domain-spec ends in an invalid top label";
	}
	if (!*macro) {
		char in[DNS_NAME_MAX + 2], out[DNS_NAME_MAX + 1];
		const char *reason = NULL;

		if (n > DNS_NAME_MAX)
			return "domain name longer than 253 characters";
		memcpy(in, s, n);
		in[n] = '\0';
		if (str_domain_normalise(in, out, sizeof(out), &reason) < 0) {
			(void)snprintf(buf, buflen, "not a valid domain name: %s",
				       reason ? reason : "malformed");
			return buf;
		}
	}
	return NULL;
}

/* A CIDR length: "0" or no leading zero, value <= max. -1 when invalid. */
static int spf_cidr_value(const char *s, size_t n, int max)
{
	int v = 0;
	size_t i;

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (!spf_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* ip4-network: four qnum, no leading zeros (§12). */
static bool spf_ip4_ok(const char *s, size_t n)
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		size_t start = i;
		int v = 0;

		while (i < n && spf_digit(s[i]) && i - start < 3)
			v = v * 10 + (s[i++] - '0');
		if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
			return false;
		if (part < 3) {
			if (i >= n || s[i] != '.')
				return false;
			i++;
		}
	}
	return i == n;
}

/* ip6-network (RFC 4291 §2.2), through inet_pton. */
static bool spf_ip6_ok(const char *s, size_t n)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	unsigned char addr[16];

	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(AF_INET6, tmp, addr) == 1;
}

/* Strip a dual-cidr-length from the end of s[0..*n): sets cidr4/cidr6.
 * NULL, or what is wrong. */
static const char *spf_dual_cidr(const char *s, size_t *n, int *cidr4, int *cidr6)
{
	size_t e = *n, d;

	/* "//" ip6 length at the end */
	for (d = e; d > 0 && spf_digit(s[d - 1]); d--)
		;
	if (d >= 2 && s[d - 1] == '/' && s[d - 2] == '/') {
		*cidr6 = spf_cidr_value(s + d, e - d, 128);
		if (*cidr6 < 0)
			return "bad ip6 CIDR length";
		e = d - 2;
		for (d = e; d > 0 && spf_digit(s[d - 1]); d--)
			;
	}
	if (d >= 1 && s[d - 1] == '/' && d < e) {
		*cidr4 = spf_cidr_value(s + d, e - d, 32);
		if (*cidr4 < 0)
			return "bad ip4 CIDR length";
		e = d - 1;
	} else if (e > 0 && s[e - 1] == '/') {
		return "empty CIDR length";
	}
	*n = e;
	return NULL;
}

static const struct {
	const char *name;
	enum spf_term_kind kind;
} spf_mechanisms[] = {
    {"all", SPF_T_ALL}, {"include", SPF_T_INCLUDE}, {"a", SPF_T_A},     {"mx", SPF_T_MX},
    {"ptr", SPF_T_PTR}, {"ip4", SPF_T_IP4},         {"ip6", SPF_T_IP6}, {"exists", SPF_T_EXISTS},
};
#define SPF_MECH_COUNT (sizeof(spf_mechanisms) / sizeof(spf_mechanisms[0]))

/* Is s[0..n) exactly name, ignoring case? */
static bool spf_word(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

/* A modifier: name "=" value. t->off/len set; fills the rest. */
static const char *spf_modifier(const char *rec, struct spf_term *t, size_t nlen,
				struct spf_record *r, int index, char *buf, size_t buflen)
{
	const char *name = rec + t->off, *val = name + nlen + 1;
	size_t vlen = t->len - nlen - 1;
	bool end_expand;

	t->aoff = t->off + nlen + 1;
	t->alen = vlen;
	if (spf_word(name, nlen, "redirect") || spf_word(name, nlen, "exp")) {
		bool redirect = nlen == 8;
		int *slot = redirect ? &r->redirect : &r->exp;

		t->kind = redirect ? SPF_T_REDIRECT : SPF_T_EXP;
		if (*slot >= 0)
			return redirect ? "redirect appears more than once"
					: "exp appears more than once";
		*slot = index;
		return spf_domain_spec_check(val, vlen, &t->macro, buf, buflen);
	}
	t->kind = SPF_T_UNKNOWN_MOD;
	/* never expanded, so any macro letter is acceptable */
	return spf_macro_check(val, vlen, true, &t->macro, &end_expand);
}

/* A directive: [qualifier] mechanism. */
static const char *spf_directive(const char *rec, struct spf_term *t, char *buf, size_t buflen)
{
	const char *s = rec + t->off, *arg;
	size_t n = t->len, nlen, alen, i;
	const char *err;

	if (strchr("+-~?", s[0]) && s[0] != '\0') {
		t->qual = s[0];
		s++;
		n--;
	}
	for (nlen = 0; nlen < n && s[nlen] != ':' && s[nlen] != '/'; nlen++)
		;
	for (i = 0; i < SPF_MECH_COUNT; i++)
		if (spf_word(s, nlen, spf_mechanisms[i].name))
			break;
	if (i == SPF_MECH_COUNT)
		return n == 0 ? "qualifier without a mechanism" : "unknown mechanism";
	t->kind = spf_mechanisms[i].kind;
	arg = s + nlen;
	alen = n - nlen;
	t->aoff = (size_t)(arg - rec);
	switch (t->kind) {
	case SPF_T_ALL:
		return alen ? "all takes no argument" : NULL;
	case SPF_T_INCLUDE:
	case SPF_T_EXISTS:
	case SPF_T_PTR:
		if (alen == 0 && t->kind == SPF_T_PTR)
			return NULL;
		if (alen == 0 || arg[0] != ':')
			return t->kind == SPF_T_PTR ? "ptr takes ':' and a domain"
						    : "needs ':' and a domain";
		t->aoff++;
		t->alen = alen - 1;
		return spf_domain_spec_check(arg + 1, alen - 1, &t->macro, buf, buflen);
	case SPF_T_A:
	case SPF_T_MX:
		err = spf_dual_cidr(arg, &alen, &t->cidr4, &t->cidr6);
		if (err)
			return err;
		if (alen == 0)
			return NULL;
		if (arg[0] != ':')
			return "expected ':' and a domain, or a CIDR length";
		t->aoff++;
		t->alen = alen - 1;
		return spf_domain_spec_check(arg + 1, alen - 1, &t->macro, buf, buflen);
	case SPF_T_IP4:
	case SPF_T_IP6: {
		bool v4 = t->kind == SPF_T_IP4;
		const char *slash;

		if (alen < 2 || arg[0] != ':')
			return v4 ? "ip4 needs ':' and a network" : "ip6 needs ':' and a network";
		arg++;
		alen--;
		t->aoff++;
		slash = memchr(arg, '/', alen);
		t->alen = slash ? (size_t)(slash - arg) : alen;
		if (v4 ? !spf_ip4_ok(arg, t->alen) : !spf_ip6_ok(arg, t->alen))
			return v4 ? "bad ip4 network" : "bad ip6 network";
		if (slash) {
			int v = spf_cidr_value(slash + 1, alen - t->alen - 1, v4 ? 32 : 128);

			if (v < 0)
				return v4 ? "bad ip4 CIDR length" : "bad ip6 CIDR length";
			if (v4)
				t->cidr4 = v;
			else
				t->cidr6 = v;
		}
		return NULL;
	}
	default:
		break;
	}
	return "unknown mechanism";
}

/* Cut, classify and check one term. NULL, or what is wrong. */
static const char *spf_term_parse(const char *rec, struct spf_term *t, struct spf_record *r,
				  int index, char *buf, size_t buflen)
{
	const char *s = rec + t->off;
	size_t i, nlen = 0;

	for (i = 0; i < t->len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return "character not allowed";
	/* name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) followed by '=' */
	if (spf_alpha(s[0])) {
		for (nlen = 1;
		     nlen < t->len &&
		     (spf_alpha(s[nlen]) || spf_digit(s[nlen]) || strchr("-_.", s[nlen])) &&
		     s[nlen] != '\0';
		     nlen++)
			;
		if (nlen < t->len && s[nlen] == '=')
			return spf_modifier(rec, t, nlen, r, index, buf, buflen);
	}
	if (t->len > 1 && strchr("+-~?", s[0]) && memchr(s, '=', t->len) && !memchr(s, ':', t->len))
		return "a modifier takes no qualifier";
	return spf_directive(rec, t, buf, buflen);
}

void spf_record_free(struct spf_record *r)
{
	if (!r)
		return;
	free(r->text);
	free(r->terms);
	memset(r, 0, sizeof(*r));
	r->all = r->redirect = r->exp = -1;
}

/* "term N "text" at offset K: err", the term sanitised and cut */
static void spf_term_why(char *why, size_t whylen, int index, const char *s, size_t n, size_t off,
			 const char *err)
{
	char shown[48];

	(void)str_sanitise(shown, sizeof(shown), s, n);
	txt_why(why, whylen, "term %d \"%s%s\" at offset %zu: %s", index + 1, shown,
		n >= sizeof(shown) ? "..." : "", off, err);
}

int spf_record_parse(const char *txt, struct spf_record *r, char *why, size_t whylen)
{
	size_t pos, cap = 0, len;
	char buf[SPF_WHY_MAX];

	if (!r)
		return -1;
	memset(r, 0, sizeof(*r));
	r->all = r->redirect = r->exp = -1;
	if (!spf_txt_is_spf(txt)) {
		txt_why(why, whylen, "does not start with v=spf1");
		return -1;
	}
	len = strlen(txt);
	r->text = malloc(len + 1);
	if (!r->text) {
		txt_why(why, whylen, "out of memory");
		return -1;
	}
	memcpy(r->text, txt, len + 1);
	pos = 6;
	for (;;) {
		struct spf_term *t;
		const char *err;
		size_t start;

		while (pos < len && r->text[pos] == ' ')
			pos++;
		if (pos >= len)
			break;
		start = pos;
		while (pos < len && r->text[pos] != ' ')
			pos++;
		if (r->nterms == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct spf_term *nt = realloc(r->terms, ncap * sizeof(*nt));

			if (!nt) {
				txt_why(why, whylen, "out of memory");
				spf_record_free(r);
				return -1;
			}
			r->terms = nt;
			cap = ncap;
		}
		t = &r->terms[r->nterms];
		memset(t, 0, sizeof(*t));
		t->off = start;
		t->len = pos - start;
		t->qual = '+';
		t->cidr4 = t->cidr6 = -1;
		err = spf_term_parse(r->text, t, r, (int)r->nterms, buf, sizeof(buf));
		if (err) {
			spf_term_why(why, whylen, (int)r->nterms, r->text + start, t->len, start,
				     err);
			spf_record_free(r);
			return -1;
		}
		if (t->kind < SPF_T_REDIRECT) {
			r->nmech++;
			if (t->kind == SPF_T_ALL && r->all < 0)
				r->all = (int)r->nterms;
		}
		r->nterms++;
	}
	return 0;
}

/* ---- the evaluator ---------------------------------------------------------- */

/* A DNS question asked and not yet answered. */
struct spf_pending {
	struct spf_query q;
	bool used;      /* slot in use */
	bool handed;    /* handed out by spf_eval_next_query */
	int node, term; /* asker: the node whose TXT this is, or whose term */
	unsigned ordinal;
};

/* A void lookup (or one whose answer is unknown) of a counted term. */
struct spf_void_event {
	int node, term;
	unsigned ordinal;
	bool uncertain; /* timeout or error: void or not, we cannot tell */
};

struct spf_eval {
	struct spf_result res;
	int stack[SPF_DEPTH_MAX + 1]; /* the current include/redirect path */
	int sp;
	bool waiting_txt; /* the node on top awaits its TXT */
	bool stopped;     /* the walk met an error: dstatus/dcode/dwhere */
	bool finished;
	enum spf_status dstatus;
	enum spf_reason dcode;
	struct spf_where dwhere;
	char dwhy[SPF_WHY_MAX];
	struct spf_pending pend[SPF_QUERIES_MAX];
	unsigned asked; /* questions created, against SPF_QUERIES_MAX */
	struct spf_void_event ev[SPF_LOOKUP_LIMIT + 1];
	size_t nev;
};

static bool spf_counts(enum spf_term_kind k)
{
	return k == SPF_T_INCLUDE || k == SPF_T_A || k == SPF_T_MX || k == SPF_T_PTR ||
	       k == SPF_T_EXISTS || k == SPF_T_REDIRECT;
}

/* The walk ends with an error; the first one stands. */
static void spf_stop(struct spf_eval *ev, enum spf_status st, enum spf_reason code, int node,
		     int term, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void spf_stop(struct spf_eval *ev, enum spf_status st, enum spf_reason code, int node,
		     int term, const char *fmt, ...)
{
	va_list ap;

	if (ev->stopped)
		return;
	ev->stopped = true;
	ev->dstatus = st;
	ev->dcode = code;
	ev->dwhere.node = node;
	ev->dwhere.term = term;
	ev->dwhere.ordinal = ev->res.lookups;
	va_start(ap, fmt);
	(void)vsnprintf(ev->dwhy, sizeof(ev->dwhy), fmt, ap);
	va_end(ap);
	if (node >= 0 && (size_t)node < ev->res.nnodes)
		ev->res.node[node].problem = code;
	ev->sp = 0;
	ev->waiting_txt = false;
}

/* Ask a question. 0, or -1 when the cap is reached (the walk is stopped). */
static int spf_ask(struct spf_eval *ev, const char *name, enum spf_dns_type type, int node,
		   int term)
{
	size_t i;

	for (i = 0; i < SPF_QUERIES_MAX && ev->pend[i].used; i++)
		;
	if (ev->asked >= SPF_QUERIES_MAX || i == SPF_QUERIES_MAX) {
		spf_stop(ev, SPF_ST_PERMERROR, SPF_R_TOO_MANY_LOOKUPS, node, term,
			 "more than %d DNS questions for one domain", SPF_QUERIES_MAX);
		return -1;
	}
	ev->asked++;
	memset(&ev->pend[i], 0, sizeof(ev->pend[i]));
	(void)str_copy(ev->pend[i].q.name, sizeof(ev->pend[i].q.name), name);
	ev->pend[i].q.type = type;
	ev->pend[i].used = true;
	ev->pend[i].node = node;
	ev->pend[i].term = term;
	ev->pend[i].ordinal = ev->res.lookups;
	return 0;
}

/* A new node for domain (already normalised). Its index, or -1 at the cap. */
static int spf_node_add(struct spf_eval *ev, const char *domain, enum spf_via via, int parent,
			int term)
{
	struct spf_node *n;

	if (ev->res.nnodes >= SPF_NODES_MAX)
		return -1;
	n = &ev->res.node[ev->res.nnodes];
	memset(n, 0, sizeof(*n));
	(void)str_copy(n->domain, sizeof(n->domain), domain);
	n->via = via;
	n->parent = parent;
	n->via_term = term;
	n->depth = parent < 0 ? 0 : ev->res.node[parent].depth + 1;
	n->rec.all = n->rec.redirect = n->rec.exp = -1;
	n->problem = SPF_R_OK;
	return (int)ev->res.nnodes++;
}

/* The argument of term ti of node ni, normalised into out (a macro-free
 * domain-spec; the parser checked it is a host name). */
static int spf_term_domain(const struct spf_node *nd, const struct spf_term *t, char *out,
			   size_t outlen)
{
	char in[DNS_NAME_MAX + 2];
	const char *reason = NULL;

	if (t->alen == 0)
		return str_copy(out, outlen, nd->domain);
	if (t->alen > DNS_NAME_MAX)
		return -1;
	memcpy(in, nd->rec.text + t->aoff, t->alen);
	in[t->alen] = '\0';
	return str_domain_normalise(in, out, outlen, &reason);
}

/* Count term ti of node ni toward the limit of 10. 0, or -1 (stopped). */
static int spf_count(struct spf_eval *ev, int ni, int ti)
{
	ev->res.lookups++;
	ev->res.node[ni].lookups++;
	if (ev->res.lookups > SPF_LOOKUP_LIMIT) {
		spf_stop(ev, SPF_ST_PERMERROR, SPF_R_TOO_MANY_LOOKUPS, ni, ti,
			 "DNS-querying term %u exceeds the limit of %d at %s", ev->res.lookups,
			 SPF_LOOKUP_LIMIT, ev->res.node[ni].domain);
		return -1;
	}
	return 0;
}

/* Follow include or redirect term ti of node ni: 1 when a child now waits
 * for its TXT, 0 when not followed (macro), -1 when stopped. */
static int spf_follow(struct spf_eval *ev, int ni, int ti, enum spf_via via)
{
	struct spf_node *nd = &ev->res.node[ni];
	const struct spf_term *t = &nd->rec.terms[ti];
	char dom[DNS_NAME_MAX + 1];
	int i, child;

	if (t->macro) {
		nd->unresolved++;
		return 0;
	}
	if (spf_term_domain(nd, t, dom, sizeof(dom)) < 0) {
		spf_stop(ev, SPF_ST_PERMERROR, SPF_R_SYNTAX, ni, ti, "target is not a domain name");
		return -1;
	}
	for (i = 0; i < ev->sp; i++) {
		if (strcmp(ev->res.node[ev->stack[i]].domain, dom) == 0) {
			spf_stop(ev, SPF_ST_PERMERROR, SPF_R_LOOP, ni, ti,
				 "%s of %s leads back to %s on its own path",
				 via == SPF_VIA_INCLUDE ? "include" : "redirect", nd->domain, dom);
			return -1;
		}
	}
	if (ev->sp >= SPF_DEPTH_MAX + 1 || (child = spf_node_add(ev, dom, via, ni, ti)) < 0) {
		spf_stop(ev, SPF_ST_PERMERROR, SPF_R_TOO_MANY_LOOKUPS, ni, ti,
			 "more than %d records or %d levels", SPF_NODES_MAX, SPF_DEPTH_MAX);
		return -1;
	}
	if (spf_ask(ev, dom, SPF_DNS_TXT, child, -1) < 0)
		return -1;
	ev->stack[ev->sp++] = child;
	ev->waiting_txt = true;
	return 1;
}

/* The A or MX lookup of an a, mx or exists term, for the void count. */
static int spf_void_ask(struct spf_eval *ev, int ni, int ti)
{
	struct spf_node *nd = &ev->res.node[ni];
	const struct spf_term *t = &nd->rec.terms[ti];
	char dom[DNS_NAME_MAX + 1];

	if (t->macro) {
		nd->unresolved++;
		return 0;
	}
	if (spf_term_domain(nd, t, dom, sizeof(dom)) < 0) {
		spf_stop(ev, SPF_ST_PERMERROR, SPF_R_SYNTAX, ni, ti, "not a domain name");
		return -1;
	}
	return spf_ask(ev, dom, t->kind == SPF_T_MX ? SPF_DNS_MX : SPF_DNS_A, ni, ti);
}

/*
 * Walk the tree depth first, in record order, until a TXT answer is
 * needed, the walk is over, or an error stops it. This is the only place
 * the walk advances: include pushes a child, the end of a record without
 * "all" follows its redirect, a finished record is popped.
 */
static void spf_walk(struct spf_eval *ev)
{
	while (ev->sp > 0 && !ev->stopped && !ev->waiting_txt) {
		int ni = ev->stack[ev->sp - 1];
		struct spf_node *nd = &ev->res.node[ni];
		int nterms = (int)nd->rec.nterms;
		int pushed = 0;

		while (nd->next_term < nterms && !pushed) {
			int ti = nd->next_term++;
			const struct spf_term *t = &nd->rec.terms[ti];

			if (t->kind == SPF_T_ALL) {
				/* all always matches: later terms and redirect are never reached */
				nd->all = t->qual;
				nd->next_term = nterms;
				break;
			}
			if (!spf_counts(t->kind) || t->kind == SPF_T_REDIRECT)
				continue;
			if (spf_count(ev, ni, ti) < 0)
				return;
			if (t->kind == SPF_T_INCLUDE)
				pushed = spf_follow(ev, ni, ti, SPF_VIA_INCLUDE);
			else if (t->kind == SPF_T_PTR)
				nd->unresolved++;
			else
				pushed = spf_void_ask(ev, ni, ti);
			if (pushed < 0)
				return;
		}
		if (pushed)
			continue;
		if (nd->next_term == nterms) {
			nd->next_term = nterms + 1;
			if (nd->all == 0 && nd->rec.redirect >= 0) {
				if (spf_count(ev, ni, nd->rec.redirect) < 0)
					return;
				pushed = spf_follow(ev, ni, nd->rec.redirect, SPF_VIA_REDIRECT);
				if (pushed < 0)
					return;
				if (pushed)
					continue;
			}
		}
		ev->sp--;
	}
}

/* The TXT answer for node ni. */
static void spf_txt_answer(struct spf_eval *ev, int ni, enum spf_dns_status st,
			   const char *const *values, size_t n)
{
	struct spf_node *nd = &ev->res.node[ni];
	char why[SPF_WHY_MAX];
	size_t k, first = 0;

	ev->waiting_txt = false;
	if (st == SPF_DNS_TIMEOUT || st == SPF_DNS_ERROR) {
		spf_stop(ev, SPF_ST_TEMPERROR, SPF_R_TEMPERROR, ni, -1, "TXT lookup of %s %s",
			 nd->domain, st == SPF_DNS_TIMEOUT ? "timed out" : "failed");
		return;
	}
	k = st == SPF_DNS_OK ? spf_select(values, n, &first) : 0;
	if (k == 0) {
		if (nd->via == SPF_VIA_ROOT)
			spf_stop(ev, SPF_ST_NONE, SPF_R_NONE, ni, -1, "no v=spf1 record at %s",
				 nd->domain);
		else
			spf_stop(ev, SPF_ST_PERMERROR,
				 nd->via == SPF_VIA_INCLUDE ? SPF_R_INCLUDE_NO_RECORD
							    : SPF_R_REDIRECT_NO_RECORD,
				 ni, -1, "%s target %s has no v=spf1 record",
				 nd->via == SPF_VIA_INCLUDE ? "include" : "redirect", nd->domain);
		return;
	}
	(void)str_sanitise(nd->text, sizeof(nd->text), values[first], strlen(values[first]));
	nd->text_cut = strlen(values[first]) > SPF_TEXT_MAX;
	if (k > 1) {
		spf_stop(ev, SPF_ST_PERMERROR, SPF_R_MULTIPLE, ni, -1, "%zu v=spf1 records at %s",
			 k, nd->domain);
		return;
	}
	if (spf_record_parse(values[first], &nd->rec, why, sizeof(why)) < 0) {
		spf_stop(ev, SPF_ST_PERMERROR, SPF_R_SYNTAX, ni, -1, "%s: %s", nd->domain, why);
		return;
	}
	nd->parsed = true;
}

/* The A/MX answer of a counted term: a void lookup or not. */
static void spf_void_answer(struct spf_eval *ev, const struct spf_pending *p,
			    enum spf_dns_status st, size_t n)
{
	struct spf_void_event *e;
	bool is_void =
	    st == SPF_DNS_NXDOMAIN || st == SPF_DNS_NODATA || (st == SPF_DNS_OK && n == 0);

	if (!is_void && st == SPF_DNS_OK)
		return;
	if (ev->nev >= sizeof(ev->ev) / sizeof(ev->ev[0]))
		return; /* cannot happen: one per counted term, at most 10 */
	e = &ev->ev[ev->nev++];
	e->node = p->node;
	e->term = p->term;
	e->ordinal = p->ordinal;
	e->uncertain = !is_void;
	if (is_void) {
		ev->res.voids++;
		ev->res.node[p->node].voids++;
	}
}

/* Effective all of node ni, through its redirect chain. *from: the node
 * it came from; *macro: the chain ends in a redirect with macros. */
static char spf_effective_all(const struct spf_result *r, int ni, int *from, bool *macro)
{
	size_t steps;

	*from = -1;
	*macro = false;
	for (steps = 0; steps < r->nnodes; steps++) {
		const struct spf_node *nd = &r->node[ni];
		size_t c;

		if (nd->all) {
			*from = ni;
			return nd->all;
		}
		for (c = (size_t)ni + 1; c < r->nnodes; c++)
			if (r->node[c].parent == ni && r->node[c].via == SPF_VIA_REDIRECT)
				break;
		if (c < r->nnodes) {
			ni = (int)c;
			continue;
		}
		if (nd->parsed && nd->rec.redirect >= 0 && nd->rec.terms[nd->rec.redirect].macro)
			*macro = true;
		return 0;
	}
	return 0;
}

static void spf_result_set(struct spf_result *r, enum spf_reason code, int node, int term,
			   const char *why)
{
	r->code = code;
	r->where.node = node;
	r->where.term = term;
	(void)str_copy(r->why, sizeof(r->why), why);
}

/* The policy of a tree walked without error (see the file comment). */
static void spf_judge(struct spf_result *r)
{
	char why[SPF_WHY_MAX];
	bool macro;
	int from;
	size_t i;

	r->status = SPF_ST_OK;
	r->all = spf_effective_all(r, 0, &from, &macro);
	r->all_node = from;
	r->policy_ok = false;
	if (macro) {
		spf_result_set(r, SPF_R_REDIRECT_MACRO, 0, -1,
			       "redirect target uses macros: the policy depends on the sender");
		return;
	}
	if (r->all == 0) {
		spf_result_set(r, SPF_R_ALL_MISSING, 0, -1,
			       "no all and no redirect: the default is ?all (neutral)");
		return;
	}
	if (r->all == '?' || r->all == '+') {
		(void)snprintf(why, sizeof(why), "%s ends in %call", r->node[from].domain, r->all);
		spf_result_set(r, r->all == '?' ? SPF_R_ALL_NEUTRAL : SPF_R_ALL_PASS, from,
			       r->node[from].rec.all, why);
		return;
	}
	for (i = 1; i < r->nnodes; i++) {
		char a;

		if (r->node[i].via != SPF_VIA_INCLUDE)
			continue;
		a = spf_effective_all(r, (int)i, &from, &macro);
		if (a == '+') {
			(void)snprintf(why, sizeof(why),
				       "included %s ends in +all: every sender passes",
				       r->node[from].domain);
			spf_result_set(r, SPF_R_INCLUDE_PASS_ALL, from, r->node[from].rec.all, why);
			return;
		}
	}
	r->policy_ok = true;
	spf_result_set(r, SPF_R_OK, -1, -1, "");
}

/* Nothing outstanding and the walk is over: decide. */
static void spf_finish(struct spf_eval *ev)
{
	struct spf_result *r = &ev->res;
	const struct spf_void_event *third = NULL, *unsure = NULL;
	unsigned certain = 0, uncertain = 0;
	unsigned ord;
	size_t i;

	/* the void events in evaluation order: the third void is the error */
	for (ord = 1; ord <= SPF_LOOKUP_LIMIT && !third; ord++) {
		for (i = 0; i < ev->nev; i++) {
			const struct spf_void_event *e = &ev->ev[i];

			if (e->ordinal != ord)
				continue;
			if (e->uncertain) {
				uncertain++;
				if (!unsure)
					unsure = e;
			} else if (++certain > SPF_VOID_LIMIT && !third) {
				third = e;
			}
		}
	}
	ev->finished = true;
	r->where.node = r->where.term = -1;
	r->where.ordinal = 0;
	r->all_node = -1;
	if (third && (!ev->stopped || third->ordinal < ev->dwhere.ordinal)) {
		char why[SPF_WHY_MAX];

		(void)snprintf(why, sizeof(why), "void lookup %u of %s exceeds the limit of %d",
			       certain, r->node[third->node].domain, SPF_VOID_LIMIT);
		r->status = SPF_ST_PERMERROR;
		spf_result_set(r, SPF_R_TOO_MANY_VOIDS, third->node, third->term, why);
		r->where.ordinal = third->ordinal;
		if (r->node[third->node].problem == SPF_R_OK)
			r->node[third->node].problem = SPF_R_TOO_MANY_VOIDS;
		return;
	}
	if (ev->stopped) {
		r->status = ev->dstatus;
		spf_result_set(r, ev->dcode, ev->dwhere.node, ev->dwhere.term, ev->dwhy);
		r->where.ordinal = ev->dwhere.ordinal;
		return;
	}
	if (unsure && certain + uncertain > SPF_VOID_LIMIT) {
		r->status = SPF_ST_TEMPERROR;
		spf_result_set(
		    r, SPF_R_TEMPERROR, unsure->node, unsure->term,
		    "a lookup that could be void failed: the void limit cannot be judged");
		r->where.ordinal = unsure->ordinal;
		return;
	}
	spf_judge(r);
}

static bool spf_outstanding(const struct spf_eval *ev)
{
	size_t i;

	for (i = 0; i < SPF_QUERIES_MAX; i++)
		if (ev->pend[i].used)
			return true;
	return false;
}

static void spf_advance(struct spf_eval *ev)
{
	spf_walk(ev);
	if (!ev->finished && (ev->stopped || ev->sp == 0) && !spf_outstanding(ev))
		spf_finish(ev);
}

struct spf_eval *spf_eval_new(const char *domain)
{
	struct spf_eval *ev = calloc(1, sizeof(*ev));
	char dom[DNS_NAME_MAX + 1];
	const char *reason = NULL;
	int root;

	if (!ev)
		return NULL;
	ev->res.status = SPF_ST_PENDING;
	if (!domain || str_domain_normalise(domain, dom, sizeof(dom), &reason) < 0) {
		ev->finished = true;
		ev->res.status = SPF_ST_NONE;
		ev->res.all_node = ev->res.where.node = ev->res.where.term = -1;
		spf_result_set(&ev->res, SPF_R_NONE, -1, -1,
			       "not a valid domain name (RFC 7208 §4.3)");
		return ev;
	}
	root = spf_node_add(ev, dom, SPF_VIA_ROOT, -1, -1);
	if (spf_ask(ev, dom, SPF_DNS_TXT, root, -1) < 0) {
		free(ev);
		return NULL;
	}
	ev->stack[ev->sp++] = root;
	ev->waiting_txt = true;
	return ev;
}

void spf_eval_free(struct spf_eval *ev)
{
	size_t i;

	if (!ev)
		return;
	for (i = 0; i < ev->res.nnodes; i++)
		spf_record_free(&ev->res.node[i].rec);
	free(ev);
}

const struct spf_query *spf_eval_next_query(struct spf_eval *ev)
{
	size_t i, k;

	if (!ev)
		return NULL;
	for (i = 0; i < SPF_QUERIES_MAX; i++) {
		struct spf_pending *p = &ev->pend[i];
		bool dup = false;

		if (!p->used || p->handed)
			continue;
		p->handed = true;
		for (k = 0; k < SPF_QUERIES_MAX && !dup; k++)
			dup = k != i && ev->pend[k].used && ev->pend[k].handed &&
			      ev->pend[k].q.type == p->q.type &&
			      strcmp(ev->pend[k].q.name, p->q.name) == 0;
		if (!dup)
			return &p->q;
	}
	return NULL;
}

int spf_eval_answer(struct spf_eval *ev, const char *name, enum spf_dns_type type,
		    enum spf_dns_status status, const char *const *values, size_t n)
{
	char dom[DNS_NAME_MAX + 1];
	const char *reason = NULL;
	bool any = false;
	size_t i;

	if (!ev || !name || ev->finished ||
	    str_domain_normalise(name, dom, sizeof(dom), &reason) < 0)
		return -1;
	if (!values)
		n = 0;
	for (i = 0; i < SPF_QUERIES_MAX; i++) {
		struct spf_pending p = ev->pend[i];

		if (!p.used || !p.handed || p.q.type != type || strcmp(p.q.name, dom) != 0)
			continue;
		ev->pend[i].used = false;
		any = true;
		if (type == SPF_DNS_TXT) {
			/* a TXT asked for a node the walk has since left is of no use */
			if (!ev->stopped && ev->waiting_txt && ev->sp > 0 &&
			    ev->stack[ev->sp - 1] == p.node)
				spf_txt_answer(ev, p.node, status, values, n);
		} else {
			spf_void_answer(ev, &p, status, n);
		}
	}
	if (!any)
		return -1;
	spf_advance(ev);
	return 0;
}

bool spf_eval_done(const struct spf_eval *ev) { return ev && ev->finished; }

const struct spf_result *spf_eval_result(const struct spf_eval *ev)
{
	return ev && ev->finished ? &ev->res : NULL;
}

bool spf_is_deny_all(const struct spf_result *r)
{
	const struct spf_record *rec;
	size_t i;

	if (!r || r->status != SPF_ST_OK || r->nnodes == 0 || !r->node[0].parsed)
		return false;
	rec = &r->node[0].rec;
	if (rec->nmech != 1 || rec->all < 0 || rec->terms[rec->all].qual != '-' ||
	    rec->redirect >= 0)
		return false;
	for (i = 0; i < rec->nterms; i++)
		if (rec->terms[i].kind != SPF_T_ALL && rec->terms[i].kind != SPF_T_EXP)
			return false;
	return true;
}

/* ---- evidence as JSON ------------------------------------------------------- */

static const char *spf_via_name(enum spf_via v)
{
	return v == SPF_VIA_INCLUDE ? "include" : v == SPF_VIA_REDIRECT ? "redirect" : "root";
}

static void spf_json_all(struct json *j, const char *key, char all)
{
	char s[5] = {all, 'a', 'l', 'l', '\0'};

	json_key(j, key);
	if (all)
		json_str(j, s);
	else
		json_null(j);
}

/* The text of term ti of node ni, or null. */
static void spf_json_term(struct json *j, const struct spf_result *r, const char *key, int ni,
			  int ti)
{
	const struct spf_node *nd;

	json_key(j, key);
	if (ni < 0 || (size_t)ni >= r->nnodes || ti < 0 || !r->node[ni].parsed ||
	    (size_t)ti >= r->node[ni].rec.nterms) {
		json_null(j);
		return;
	}
	nd = &r->node[ni];
	json_strn(j, nd->rec.text + nd->rec.terms[ti].off, nd->rec.terms[ti].len);
}

static void spf_json_node(struct json *j, const struct spf_result *r, int ni)
{
	const struct spf_node *nd = &r->node[ni];
	size_t c;

	json_obj_open(j);
	json_kstr(j, "domain", nd->domain);
	json_kstr(j, "via", spf_via_name(nd->via));
	spf_json_term(j, r, "term", nd->parent, nd->via_term);
	json_key(j, "record");
	if (nd->parsed || nd->text[0])
		json_str(j, nd->text);
	else
		json_null(j);
	json_kbool(j, "record_cut", nd->text_cut);
	json_kint(j, "lookups", nd->lookups);
	json_kint(j, "voids", nd->voids);
	json_kint(j, "unresolved", nd->unresolved);
	spf_json_all(j, "all", nd->all);
	json_kstr(j, "problem", spf_reason_code(nd->problem));
	json_key(j, "children");
	json_arr_open(j);
	for (c = (size_t)ni + 1; c < r->nnodes; c++)
		if (r->node[c].parent == ni)
			spf_json_node(j, r, (int)c);
	json_arr_close(j);
	json_obj_close(j);
}

int spf_result_json(const struct spf_result *r, struct json *j)
{
	if (!r) {
		json_null(j);
		return json_status(j);
	}
	json_obj_open(j);
	json_kstr(j, "status", spf_status_name(r->status));
	json_kstr(j, "code", spf_reason_code(r->code));
	json_kstr(j, "why", r->why[0] ? r->why : NULL);
	json_key(j, "policy");
	if (r->status == SPF_ST_OK)
		json_str(j, r->policy_ok ? "pass" : "fail");
	else
		json_null(j);
	spf_json_all(j, "all", r->all);
	json_key(j, "all_domain");
	if (r->all_node >= 0 && (size_t)r->all_node < r->nnodes)
		json_str(j, r->node[r->all_node].domain);
	else
		json_null(j);
	json_kint(j, "lookups", r->lookups);
	json_kint(j, "lookup_limit", SPF_LOOKUP_LIMIT);
	json_kint(j, "voids", r->voids);
	json_kint(j, "void_limit", SPF_VOID_LIMIT);
	json_kbool(j, "deny_all", spf_is_deny_all(r));
	json_key(j, "where");
	if (r->where.node >= 0 && (size_t)r->where.node < r->nnodes) {
		json_obj_open(j);
		json_kstr(j, "domain", r->node[r->where.node].domain);
		spf_json_term(j, r, "term", r->where.node, r->where.term);
		json_kint(j, "ordinal", r->where.ordinal);
		json_obj_close(j);
	} else {
		json_null(j);
	}
	json_key(j, "tree");
	if (r->nnodes > 0)
		spf_json_node(j, r, 0);
	else
		json_null(j);
	json_obj_close(j);
	return json_status(j);
}
