/*
 * rpki_data.c - VRPs, announced routes and Cymru origin answers for the rpki
 * probe (see rpki.h). RFC 6811 (route-origin validation, done by RTRlib's
 * pfx_table), RFC 8210 (RTR, RTRlib's rtr_mgr over TCP), RFC 9319 (maxLength:
 * a route longer than it is invalid).
 *
 * Every input here is untrusted (a file from elsewhere, a DNS answer): sizes
 * are capped, every prefix is parsed with inet_pton and must have no host
 * bits set, and errors name the file and the line (or the roa's index).
 */
#include "rpki.h"

#include <arpa/inet.h>
#include <errno.h>
#include <rtrlib/rtrlib.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/str.h"

#define RPKI_RTR_REFRESH 3600 /* s: RTR refresh interval (RFC 8210 §6) */
#define RPKI_RTR_EXPIRE 7200  /* s: data kept this long without a refresh */
#define RPKI_RTR_RETRY 5      /* s: reconnect after a failure */
#define RPKI_STR(x) #x
#define RPKI_XSTR(x) RPKI_STR(x)

/* One route of the --bgp-table. */
struct bgp_entry {
	uint8_t family; /* 4 or 6 */
	uint8_t len;
	uint8_t addr[16];
	uint32_t origin;
};

struct rpki_data {
	char name[300]; /* "file PATH" / "rtr HOST:PORT" */
	/* --rpki-vrps: a table of our own */
	struct pfx_table *pfx;
	/* --rpki-cache: RTRlib's manager and the one socket it runs */
	char *host, *port;
	struct tr_tcp_config tcp;
	struct tr_socket tr;
	struct rtr_socket rtr;
	struct rtr_socket *socks[1];
	struct rtr_mgr_group groups[1];
	struct rtr_mgr_config *mgr;
	bool tr_made, started;
	/* --bgp-table, sorted by family, len, addr, origin */
	struct bgp_entry *bgp;
	size_t nbgp, capbgp;
	bool bgp_given;
};

const char *rpki_state_name(enum rpki_state s)
{
	switch (s) {
	case RPKI_VALID:
		return "valid";
	case RPKI_NOT_FOUND:
		return "not-found";
	case RPKI_INVALID_ORIGIN:
	case RPKI_INVALID_LENGTH:
		return "invalid";
	}
	return "not-found";
}

static void rpki_why(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void rpki_why(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "ADDR/LEN" with no host bits set: family 4 or 6, addr (16 bytes, network
 * order), len. 0, or -1 with why. */
static int rpki_prefix_parse(const char *s, uint8_t *family, uint8_t addr[16], uint8_t *len,
			     const char **why)
{
	char a[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : 0, i;
	unsigned long l;
	char *end = NULL;
	unsigned max;

	memset(addr, 0, 16);
	if (!slash || n == 0 || n >= sizeof(a)) {
		*why = "not ADDRESS/LENGTH";
		return -1;
	}
	memcpy(a, s, n);
	a[n] = '\0';
	if (inet_pton(AF_INET, a, addr) == 1) {
		*family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, a, addr) == 1) {
		*family = 6;
		max = 128;
	} else {
		*why = "not an IPv4 or IPv6 address before the /";
		return -1;
	}
	errno = 0;
	l = strtoul(slash + 1, &end, 10);
	if (!slash[1] || *end || slash[1] == '-' || slash[1] == '+' || errno || l > max) {
		*why = "the prefix length is not a number within the address's bits";
		return -1;
	}
	*len = (uint8_t)l;
	for (i = 0; i < 16; i++) {
		unsigned bits = i * 8 >= l ? 0 : (l - i * 8 >= 8 ? 8 : (unsigned)(l - i * 8));
		uint8_t mask = (uint8_t)(bits ? 0xff << (8 - bits) : 0);

		if (addr[i] & (uint8_t)~mask) {
			*why = "host bits set after the prefix length";
			return -1;
		}
	}
	return 0;
}

/* The address of a parsed prefix in RTRlib's form (host byte order). */
static void rpki_lrtr_addr(uint8_t family, const uint8_t addr[16], struct lrtr_ip_addr *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	if (family == 4) {
		out->ver = LRTR_IPV4;
		out->u.addr4.addr = (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 |
				    (uint32_t)addr[2] << 8 | addr[3];
		return;
	}
	out->ver = LRTR_IPV6;
	for (i = 0; i < 4; i++)
		out->u.addr6.addr[i] = (uint32_t)addr[4 * i] << 24 |
				       (uint32_t)addr[4 * i + 1] << 16 |
				       (uint32_t)addr[4 * i + 2] << 8 | addr[4 * i + 3];
}

/* "AS64496" or "64496" (1 .. 4294967295). */
static int rpki_asn_parse(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end = NULL;

	if ((s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		s += 2;
	if (*s < '0' || *s > '9' || strlen(s) > 10)
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno || v > 4294967295ULL)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

struct rpki_data *rpki_data_new(void) { return calloc(1, sizeof(struct rpki_data)); }

static int rpki_data_get(struct rpki_data **out, char *err, size_t errlen)
{
	if (!*out)
		*out = rpki_data_new();
	if (!*out) {
		rpki_why(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* Read a whole file of at most RPKI_FILE_MAX bytes (NUL-terminated). */
static char *rpki_slurp(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f) {
		rpki_why(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t got;

		if (n + 65536 + 1 > cap) {
			size_t ncap = cap ? cap * 2 : 1 << 20;
			char *nb;

			if (ncap > (size_t)RPKI_FILE_MAX + 65536 + 1)
				ncap = (size_t)RPKI_FILE_MAX + 65536 + 1;
			nb = realloc(buf, ncap);
			if (!nb) {
				rpki_why(err, errlen, "%s: out of memory", path);
				goto fail;
			}
			buf = nb;
			cap = ncap;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (n > (size_t)RPKI_FILE_MAX) {
			rpki_why(err, errlen, "%s: larger than %ld bytes", path, RPKI_FILE_MAX);
			goto fail;
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		rpki_why(err, errlen, "%s: read error", path);
		goto fail;
	}
	(void)fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	(void)fclose(f);
	free(buf);
	return NULL;
}

/* ---- VRPs from a JSON file ---- */

static int rpki_vrp_add(struct rpki_data *d, const char *prefix, long long maxlen, bool has_max,
			const char *asn, char *why, size_t whylen)
{
	struct pfx_record rec;
	uint8_t fam, addr[16], len;
	const char *w = NULL;
	uint32_t as;
	int rc;

	if (!prefix || rpki_prefix_parse(prefix, &fam, addr, &len, &w) < 0) {
		rpki_why(why, whylen, "prefix: %s", prefix ? w : "missing or not a string");
		return -1;
	}
	if (!asn || rpki_asn_parse(asn, &as) < 0) {
		rpki_why(why, whylen, "asn: missing or not AS<number> / a number below 2^32");
		return -1;
	}
	if (!has_max)
		maxlen = len;
	if (maxlen < len || maxlen > (fam == 4 ? 32 : 128)) {
		rpki_why(why, whylen, "maxLength %lld: not from the prefix length %u to %u", maxlen,
			 (unsigned)len, fam == 4 ? 32u : 128u);
		return -1;
	}
	memset(&rec, 0, sizeof(rec));
	rec.asn = as;
	rpki_lrtr_addr(fam, addr, &rec.prefix);
	rec.min_len = len;
	rec.max_len = (uint8_t)maxlen;
	rc = pfx_table_add(d->pfx, &rec);
	if (rc != PFX_SUCCESS && rc != PFX_DUPLICATE_RECORD) {
		rpki_why(why, whylen, "RTRlib could not add it (out of memory?)");
		return -1;
	}
	return 0;
}

int rpki_data_parse_vrps(struct rpki_data *d, const char *json, size_t len, const char *name,
			 char *err, size_t errlen)
{
	static const char check_sql[] = "SELECT json_valid(?1), json_type(?1, '$.roas')";
	static const char roas_sql[] =
	    "SELECT key, json_extract(value, '$.prefix'), json_type(value, '$.prefix'),"
	    " json_extract(value, '$.maxLength'), json_type(value, '$.maxLength'),"
	    " json_extract(value, '$.asn'), json_type(value, '$.asn'), json_type(value)"
	    " FROM json_each(?1, '$.roas')";
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	const char *type;
	char why[200];
	long n = 0;
	int rc = -1, step;

	if (d->mgr) {
		rpki_why(err, errlen, "%s: --rpki-vrps and --rpki-cache do not go together", name);
		return -1;
	}
	if (len > (size_t)RPKI_FILE_MAX) {
		rpki_why(err, errlen, "%s: larger than %ld bytes", name, RPKI_FILE_MAX);
		return -1;
	}
	if (!d->pfx) {
		d->pfx = calloc(1, sizeof(*d->pfx));
		if (!d->pfx) {
			rpki_why(err, errlen, "%s: out of memory", name);
			return -1;
		}
		pfx_table_init(d->pfx, NULL);
	}
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, check_sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, json, (int)len, SQLITE_STATIC) != SQLITE_OK) {
		rpki_why(err, errlen, "%s: SQLite: %s", name,
			 db ? sqlite3_errmsg(db) : "no memory");
		goto out;
	}
	if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0) != 1) {
		rpki_why(err, errlen, "%s: not JSON (rpki-client or routinator JSON output)", name);
		goto out;
	}
	type = (const char *)sqlite3_column_text(st, 1);
	if (!type || strcmp(type, "array") != 0) {
		rpki_why(err, errlen,
			 "%s: no \"roas\" array at the top (rpki-client or routinator "
			 "JSON output)",
			 name);
		goto out;
	}
	(void)sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, roas_sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, json, (int)len, SQLITE_STATIC) != SQLITE_OK) {
		rpki_why(err, errlen, "%s: SQLite: %s", name, sqlite3_errmsg(db));
		goto out;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		long idx = (long)sqlite3_column_int64(st, 0);
		const char *pt = (const char *)sqlite3_column_text(st, 2);
		const char *mt = (const char *)sqlite3_column_text(st, 4);
		const char *at = (const char *)sqlite3_column_text(st, 6);
		const char *vt = (const char *)sqlite3_column_text(st, 7);
		char asn[32];
		bool has_max = mt != NULL;

		if (!vt || strcmp(vt, "object") != 0) {
			rpki_why(err, errlen, "%s: roa %ld: not an object", name, idx);
			goto out;
		}
		if (has_max && strcmp(mt, "integer") != 0) {
			rpki_why(err, errlen, "%s: roa %ld: maxLength: not an integer", name, idx);
			goto out;
		}
		asn[0] = '\0';
		if (at && (strcmp(at, "integer") == 0 || strcmp(at, "text") == 0)) {
			const char *v = (const char *)sqlite3_column_text(st, 5);

			if (v && strlen(v) < sizeof(asn))
				(void)str_copy(asn, sizeof(asn), v);
		}
		if (rpki_vrp_add(d,
				 pt && strcmp(pt, "text") == 0
				     ? (const char *)sqlite3_column_text(st, 1)
				     : NULL,
				 has_max ? sqlite3_column_int64(st, 3) : 0, has_max,
				 asn[0] ? asn : NULL, why, sizeof(why)) < 0) {
			rpki_why(err, errlen, "%s: roa %ld: %s", name, idx, why);
			goto out;
		}
		n++;
	}
	if (step != SQLITE_DONE) {
		rpki_why(err, errlen, "%s: SQLite: %s", name, sqlite3_errmsg(db));
		goto out;
	}
	(void)snprintf(d->name, sizeof(d->name), "file %s (%ld VRPs)", name, n);
	rc = 0;
out:
	(void)sqlite3_finalize(st);
	(void)sqlite3_close(db);
	return rc;
}

int rpki_data_load_vrps(struct rpki_data **out, const char *path, char *err, size_t errlen)
{
	char *buf;
	size_t len = 0;
	int rc;

	if (rpki_data_get(out, err, errlen) < 0)
		return -1;
	if ((*out)->pfx) { /* the last one given counts */
		pfx_table_free((*out)->pfx);
		free((*out)->pfx);
		(*out)->pfx = NULL;
	}
	buf = rpki_slurp(path, &len, err, errlen);
	if (!buf)
		return -1;
	rc = rpki_data_parse_vrps(*out, buf, len, path, err, errlen);
	free(buf);
	return rc;
}

/* ---- VRPs from an RTR cache ---- */

int rpki_data_set_cache(struct rpki_data **out, const char *hostport, char *err, size_t errlen)
{
	struct rpki_data *d;
	const char *colon;
	char shown[80];
	unsigned long port;
	char *end = NULL;

	if (rpki_data_get(out, err, errlen) < 0)
		return -1;
	d = *out;
	colon = strrchr(hostport, ':');
	if (!colon || colon == hostport || !colon[1] || colon[1] == '-' || colon[1] == '+') {
		rpki_why(err, errlen, "'%s' is not HOST:PORT",
			 str_show(shown, sizeof(shown), hostport));
		return -1;
	}
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (*end || errno || port == 0 || port > 65535) {
		rpki_why(err, errlen, "'%s': the port is not a number from 1 to 65535",
			 str_show(shown, sizeof(shown), hostport));
		return -1;
	}
	free(d->host);
	free(d->port);
	d->host = NULL;
	d->port = NULL;
	/* "[2001:db8::1]:323" or "host:323" */
	if (hostport[0] == '[' && colon[-1] == ']')
		d->host = strndup(hostport + 1, (size_t)(colon - hostport - 2));
	else
		d->host = strndup(hostport, (size_t)(colon - hostport));
	d->port = strdup(colon + 1);
	if (!d->host || !d->port || !d->host[0]) {
		rpki_why(err, errlen, "'%s' is not HOST:PORT",
			 str_show(shown, sizeof(shown), hostport));
		return -1;
	}
	(void)snprintf(d->name, sizeof(d->name), "rtr %s", hostport);
	return 0;
}

static void rpki_sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int rpki_data_start(struct rpki_data *d, unsigned wait_ms, char *err, size_t errlen)
{
	unsigned waited = 0;
	int rc;

	if (!d || !d->host)
		return 0;
	if (d->pfx) {
		rpki_why(err, errlen, "--rpki-vrps and --rpki-cache do not go together");
		return -1;
	}
	if (!d->mgr) {
		memset(&d->tcp, 0, sizeof(d->tcp));
		d->tcp.host = d->host;
		d->tcp.port = d->port;
		d->tcp.connect_timeout = wait_ms / 1000 ? wait_ms / 1000 : 1;
		if (tr_tcp_init(&d->tcp, &d->tr) != TR_SUCCESS) {
			rpki_why(err, errlen, "%s: RTRlib cannot make a TCP transport", d->name);
			return -1;
		}
		d->tr_made = true;
		d->rtr.tr_socket = &d->tr;
		d->socks[0] = &d->rtr;
		d->groups[0].sockets = d->socks;
		d->groups[0].sockets_len = 1;
		d->groups[0].preference = 1;
		/* GCC 12 at -O1 with the sanitizers takes the 8-byte config_out for
		 * the region of groups[] (-Wstringop-overflow, a false positive) */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
		rc = rtr_mgr_init(&d->mgr, d->groups, 1, RPKI_RTR_REFRESH, RPKI_RTR_EXPIRE,
				  RPKI_RTR_RETRY, NULL, NULL, NULL, NULL);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
		if (rc != RTR_SUCCESS) {
			d->mgr = NULL;
			rpki_why(err, errlen, "%s: RTRlib cannot set up the session", d->name);
			return -1;
		}
	}
	if (!d->started) {
		if (rtr_mgr_start(d->mgr) != RTR_SUCCESS) {
			rpki_why(err, errlen, "%s: RTRlib cannot start the session", d->name);
			return -1;
		}
		d->started = true;
	}
	while (!rtr_mgr_conf_in_sync(d->mgr)) {
		if (waited >= wait_ms) {
			rpki_why(err, errlen,
				 "%s: no complete set of VRPs from the RPKI cache within %u ms",
				 d->name, wait_ms);
			return -1;
		}
		rpki_sleep_ms(50);
		waited += 50;
	}
	return 0;
}

bool rpki_data_has_source(const struct rpki_data *d) { return d && (d->pfx || d->host); }

bool rpki_data_ready(const struct rpki_data *d)
{
	if (!d)
		return false;
	if (d->pfx)
		return true;
	return d->mgr && d->started && rtr_mgr_conf_in_sync(d->mgr);
}

bool rpki_data_has_bgp(const struct rpki_data *d) { return d && d->bgp_given; }

const char *rpki_data_source_name(const struct rpki_data *d) { return d ? d->name : ""; }

int rpki_data_validate(const struct rpki_data *d, const struct rpki_route *r, enum rpki_state *out)
{
	struct pfx_table *t = d->pfx ? d->pfx : (d->mgr ? d->mgr->pfx_table : NULL);
	struct pfx_record *reason = NULL;
	unsigned int nreason = 0, i;
	struct lrtr_ip_addr a;
	enum pfxv_state st;
	uint8_t fam, addr[16], len;
	const char *why = NULL;

	if (!t || rpki_prefix_parse(r->prefix, &fam, addr, &len, &why) < 0)
		return -1;
	rpki_lrtr_addr(fam, addr, &a);
	if (pfx_table_validate_r(t, &reason, &nreason, r->origin, &a, len, &st) != PFX_SUCCESS) {
		free(reason);
		return -1;
	}
	switch (st) {
	case BGP_PFXV_STATE_VALID:
		*out = RPKI_VALID;
		break;
	case BGP_PFXV_STATE_NOT_FOUND:
		*out = RPKI_NOT_FOUND;
		break;
	default:
		/* a covering VRP of the route's own origin that still did not
		 * make it valid: the route is longer than its maxLength */
		*out = RPKI_INVALID_ORIGIN;
		for (i = 0; i < nreason; i++)
			if (reason[i].asn == r->origin && r->origin != 0)
				*out = RPKI_INVALID_LENGTH;
		break;
	}
	free(reason);
	return 0;
}

/* ---- the --bgp-table ---- */

static int bgp_cmp(const void *x, const void *y)
{
	const struct bgp_entry *a = x, *b = y;
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	c = memcmp(a->addr, b->addr, 16);
	if (c)
		return c;
	return a->origin < b->origin ? -1 : a->origin > b->origin;
}

/* Compare the key (family, len, addr) only: for bsearch of a prefix. */
static int bgp_key_cmp(const struct bgp_entry *a, const struct bgp_entry *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return memcmp(a->addr, b->addr, 16);
}

int rpki_data_parse_bgp(struct rpki_data *d, const char *buf, size_t len, const char *name,
			char *err, size_t errlen)
{
	size_t pos = 0, line = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		char l[RPKI_LINE_MAX + 1], pfx[RPKI_LINE_MAX + 1], asn[RPKI_LINE_MAX + 1], extra;
		struct bgp_entry e;
		const char *why = NULL;
		char *hash;

		line++;
		if (n > RPKI_LINE_MAX) {
			rpki_why(err, errlen, "%s:%zu: longer than %d characters", name, line,
				 RPKI_LINE_MAX);
			return -1;
		}
		memcpy(l, buf + pos, n);
		l[n] = '\0';
		pos += n + (nl ? 1 : 0);
		if (memchr(l, '\0', n)) {
			rpki_why(err, errlen, "%s:%zu: a NUL byte", name, line);
			return -1;
		}
		if ((hash = strchr(l, '#')))
			*hash = '\0';
		if (strspn(l, " \t\r") == strlen(l))
			continue;
		/* widths: both buffers hold a whole line */
		if (sscanf(l, "%" RPKI_XSTR(RPKI_LINE_MAX) "s %" RPKI_XSTR(RPKI_LINE_MAX) "s %c",
			   pfx, asn, &extra) != 2) {
			rpki_why(err, errlen, "%s:%zu: expected PREFIX ORIGIN-AS", name, line);
			return -1;
		}
		memset(&e, 0, sizeof(e));
		if (rpki_prefix_parse(pfx, &e.family, e.addr, &e.len, &why) < 0) {
			char shown[64];

			rpki_why(err, errlen, "%s:%zu: '%s': %s", name, line,
				 str_show(shown, sizeof(shown), pfx), why);
			return -1;
		}
		if (rpki_asn_parse(asn, &e.origin) < 0) {
			char shown[64];

			rpki_why(err, errlen, "%s:%zu: '%s': not an AS number (AS64496 or 64496)",
				 name, line, str_show(shown, sizeof(shown), asn));
			return -1;
		}
		if (d->nbgp == d->capbgp) {
			size_t ncap = d->capbgp ? d->capbgp * 2 : 1024;
			struct bgp_entry *nb = realloc(d->bgp, ncap * sizeof(*nb));

			if (!nb) {
				rpki_why(err, errlen, "%s:%zu: out of memory", name, line);
				return -1;
			}
			d->bgp = nb;
			d->capbgp = ncap;
		}
		d->bgp[d->nbgp++] = e;
	}
	if (d->nbgp)
		qsort(d->bgp, d->nbgp, sizeof(*d->bgp), bgp_cmp);
	d->bgp_given = true;
	return 0;
}

int rpki_data_load_bgp(struct rpki_data **out, const char *path, char *err, size_t errlen)
{
	char *buf;
	size_t len = 0;
	int rc;

	if (rpki_data_get(out, err, errlen) < 0)
		return -1;
	free((*out)->bgp); /* the last one given counts */
	(*out)->bgp = NULL;
	(*out)->nbgp = (*out)->capbgp = 0;
	buf = rpki_slurp(path, &len, err, errlen);
	if (!buf)
		return -1;
	rc = rpki_data_parse_bgp(*out, buf, len, path, err, errlen);
	free(buf);
	return rc;
}

/* ip's bytes (network order, 16), its family 4/6; -1 when not an address. */
static int rpki_ip_parse(const char *ip, uint8_t *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, ip, addr) == 1) {
		*family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, ip, addr) == 1) {
		*family = 6;
		return 0;
	}
	return -1;
}

/* addr with everything after len bits cleared. */
static void rpki_mask(uint8_t addr[16], unsigned len)
{
	size_t i;

	for (i = 0; i < 16; i++) {
		unsigned bits = i * 8 >= len ? 0 : (len - i * 8 >= 8 ? 8 : len - (unsigned)i * 8);

		addr[i] &= (uint8_t)(bits ? 0xff << (8 - bits) : 0);
	}
}

static void rpki_route_set(struct rpki_route *r, uint8_t family, const uint8_t addr[16],
			   unsigned len, uint32_t origin)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, a, sizeof(a)))
		a[0] = '\0';
	(void)snprintf(r->prefix, sizeof(r->prefix), "%s/%u", a, len);
	r->origin = origin;
}

size_t rpki_data_bgp_routes(const struct rpki_data *d, const char *ip, struct rpki_route *out,
			    size_t max)
{
	struct bgp_entry key;
	uint8_t addr[16];
	int len;

	if (!d || !d->nbgp || rpki_ip_parse(ip, &key.family, addr) < 0)
		return 0;
	for (len = key.family == 4 ? 32 : 128; len >= 0; len--) {
		size_t lo = 0, hi = d->nbgp, n = 0;

		memcpy(key.addr, addr, 16);
		rpki_mask(key.addr, (unsigned)len);
		key.len = (uint8_t)len;
		while (lo < hi) { /* the first entry not below key */
			size_t mid = lo + (hi - lo) / 2;

			if (bgp_key_cmp(&d->bgp[mid], &key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < d->nbgp && bgp_key_cmp(&d->bgp[lo], &key) == 0; lo++) {
			if (n && d->bgp[lo].origin == out[n - 1].origin)
				continue; /* the same route twice */
			if (n < max)
				rpki_route_set(&out[n++], key.family, key.addr, (unsigned)len,
					       d->bgp[lo].origin);
		}
		if (n)
			return n;
	}
	return 0;
}

void rpki_data_free(struct rpki_data *d)
{
	if (!d)
		return;
	if (d->mgr) {
		if (d->started)
			rtr_mgr_stop(d->mgr);
		rtr_mgr_free(d->mgr);
	}
	if (d->pfx) {
		pfx_table_free(d->pfx);
		free(d->pfx);
	}
	free(d->host);
	free(d->port);
	free(d->bgp);
	free(d);
}

/* ---- Team Cymru's origin zones ---- */

int rpki_cymru_name(const char *ip, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t fam, a[16];
	size_t o = 0;
	int i;

	if (rpki_ip_parse(ip, &fam, a) < 0 || outlen < 74 + sizeof("origin6.asn.cymru.com"))
		return -1;
	if (fam == 4) {
		(void)snprintf(out, outlen, "%u.%u.%u.%u.origin.asn.cymru.com", a[3], a[2], a[1],
			       a[0]);
		return 0;
	}
	for (i = 15; i >= 0; i--) {
		out[o++] = hex[a[i] & 0xf];
		out[o++] = '.';
		out[o++] = hex[a[i] >> 4];
		out[o++] = '.';
	}
	(void)str_copy(out + o, outlen - o, "origin6.asn.cymru.com");
	return 0;
}

/* s without leading and trailing blanks, copied into out. */
static void rpki_trim(const char *s, size_t n, char *out, size_t outlen)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= outlen)
		n = 0; /* too long to be what we look for */
	memcpy(out, s, n);
	out[n] = '\0';
}

size_t rpki_cymru_parse(const char *ip, const char *const *txt, size_t ntxt, struct rpki_route *out,
			size_t max)
{
	uint8_t fam, addr[16];
	size_t i, n = 0;
	int best = -1;

	if (rpki_ip_parse(ip, &fam, addr) < 0)
		return 0;
	for (i = 0; i < ntxt; i++) {
		const char *t = txt[i], *bar1, *bar2;
		char asns[256], pfx[RPKI_PREFIX_LEN];
		uint8_t tmp[16];
		uint8_t pf, pa[16], pl;
		const char *why = NULL, *p;

		if (!t || !(bar1 = strchr(t, '|')))
			continue;
		bar2 = strchr(bar1 + 1, '|');
		rpki_trim(t, (size_t)(bar1 - t), asns, sizeof(asns));
		rpki_trim(bar1 + 1, bar2 ? (size_t)(bar2 - bar1 - 1) : strlen(bar1 + 1), pfx,
			  sizeof(pfx));
		if (rpki_prefix_parse(pfx, &pf, pa, &pl, &why) < 0 || pf != fam)
			continue;
		memcpy(tmp, addr, 16);
		rpki_mask(tmp, pl);
		if (memcmp(tmp, pa, 16) != 0 || (int)pl < best)
			continue; /* does not cover ip, or a less specific one */
		if ((int)pl > best) {
			best = pl;
			n = 0;
		}
		for (p = asns; *p;) {
			char one[16];
			size_t l;
			uint32_t as;
			size_t k;
			bool dup = false;

			p += strspn(p, " \t");
			l = strcspn(p, " \t");
			if (l == 0)
				break;
			rpki_trim(p, l, one, sizeof(one));
			p += l;
			if (rpki_asn_parse(one, &as) < 0)
				continue;
			for (k = 0; k < n; k++)
				dup |= out[k].origin == as;
			if (!dup && n < max)
				rpki_route_set(&out[n++], pf, pa, pl, as);
		}
	}
	return n;
}
