/*
 * dns_wire.c - a DNS reply in wire format (RFC 1035 §4, RFC 3596, RFC 6698,
 * RFC 7505) checked and copied out into a struct dns_answer.
 *
 * Nothing of a reply is read before it has passed its checks: QR set, opcode
 * QUERY, not truncated, exactly one question equal (case-insensitively) to
 * the one asked with class IN, every record of the answer section inside
 * the message. A reply that fails is DNS_BADREPLY, with no records and no
 * DNSSEC state, so it can never read as NODATA or NXDOMAIN.
 *
 * Written here rather than taken from getdns: getdns_wire2msg_dict (1.6)
 * reads past its buffer on malformed input (found by fuzz_dns_reply).
 * Every offset is checked against the message length; compression pointers
 * must point backwards, so a name cannot loop; names are limited to 255
 * octets and labels to 63. Bytes outside letters, digits, '-', '_' and '*'
 * in a label are written as \DDD, so a label holding a dot cannot pass for
 * two labels.
 */
#include "dns.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"

#define DNS_T_CNAME 5
#define DNS_C_IN 1
#define DNS_RR_MAX 512 /* answer records looked at; more is refused */
#define DNS_TXT_MAX 65536

const char *dns_status_name(enum dns_status s)
{
	switch (s) {
	case DNS_OK:
		return "ok";
	case DNS_NXDOMAIN:
		return "nxdomain";
	case DNS_SERVFAIL:
		return "servfail";
	case DNS_TIMEOUT:
		return "timeout";
	case DNS_FAILURE:
		return "failure";
	case DNS_BADREPLY:
		return "bad-reply";
	}
	return "failure";
}

enum reason dns_status_reason(enum dns_status s)
{
	return s == DNS_TIMEOUT ? R_DNS_TIMEOUT : R_DNS_ERROR;
}

void dns_answer_free(struct dns_answer *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->rr[i].data);
		free(a->rr[i].txt);
	}
	free(a->rr);
	a->rr = NULL;
	a->n = 0;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

static bool label_byte_plain(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '*';
}

/*
 * The name at *off in msg (len octets) in presentation form, lower case,
 * without the trailing dot ("" for the root), into out (outlen >= 4 * 255 is
 * always enough; a shorter out fails). *off moves past the name where it is
 * written (not where a pointer leads). Returns 0, or -1 for a malformed name.
 */
static int wire_name(const uint8_t *msg, size_t len, size_t *off, char *out, size_t outlen)
{
	size_t pos = *off, o = 0, wire_len = 0, limit = *off; /* pointers go below limit */
	bool jumped = false;

	out[0] = '\0';
	for (;;) {
		uint8_t l;

		if (pos >= len)
			return -1;
		l = msg[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t to;

			if (pos + 1 >= len)
				return -1;
			to = (size_t)(((l & 0x3f) << 8) | msg[pos + 1]);
			if (to >= limit)
				return -1; /* forward or self: could loop */
			if (!jumped)
				*off = pos + 2;
			jumped = true;
			limit = to;
			pos = to;
			continue;
		}
		if (l & 0xc0)
			return -1; /* 0x40 / 0x80: no such label types in use */
		if (l == 0) {
			if (!jumped)
				*off = pos + 1;
			break;
		}
		if (pos + 1 + l > len)
			return -1;
		wire_len += 1u + l;
		if (wire_len + 1 > 255)
			return -1;
		if (o && o + 1 < outlen)
			out[o++] = '.';
		for (size_t i = 0; i < l; i++) {
			uint8_t c = msg[pos + 1 + i];

			if (label_byte_plain(c)) {
				if (o + 1 >= outlen)
					return -1;
				out[o++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
			} else {
				if (o + 5 >= outlen)
					return -1;
				(void)snprintf(out + o, 5, "\\%03u", (unsigned)c);
				o += 4;
			}
		}
		out[o] = '\0';
		pos += 1u + l;
	}
	return 0;
}

/* Compare two presentation-form names, ignoring case and a trailing dot. */
static bool dns_name_eq(const char *x, const char *y)
{
	size_t lx = strlen(x), ly = strlen(y);

	if (lx && x[lx - 1] == '.')
		lx--;
	if (ly && y[ly - 1] == '.')
		ly--;
	return lx == ly && strncasecmp(x, y, lx) == 0;
}

/* One record of the answer section, located. */
struct wire_rr {
	char owner[4 * 255 + 1];
	uint16_t type, cls;
	size_t rdata, rdlen; /* offset and length in the message */
};

static void dns_bad(struct dns_answer *a, const char *why)
{
	dns_answer_free(a);
	a->status = DNS_BADREPLY;
	a->sec = SEC_UNKNOWN;
	a->rcode = -1;
	a->canonical[0] = '\0';
	(void)snprintf(a->error, sizeof(a->error), "reply refused: %s", why);
}

/* A CAA record (RFC 8659 4.1): flags, tag length, tag (1-15 letters and
 * digits), value (the rest). Kept as flags and "tag value"; the value is the
 * peer's text, so anything not printable becomes '?'. 0, or -1 when the
 * rdata does not have that form. */
static int wire_caa(const uint8_t *d, size_t rdlen, struct dns_rr *rr)
{
	size_t tl, i, o = 0;

	if (rdlen < 2)
		return -1;
	tl = d[1];
	if (tl < 1 || tl > 15 || 2 + tl > rdlen || rdlen - 2 - tl > DNS_TXT_MAX)
		return -1;
	rr->usage = d[0];
	rr->txt = malloc(rdlen); /* tag, ' ', value, NUL: rdlen - 2 + 2 */
	if (!rr->txt)
		return -1;
	for (i = 0; i < tl; i++) {
		uint8_t c = d[2 + i];

		if (!isalnum(c))
			return -1; /* rr->txt freed with the answer */
		rr->txt[o++] = (char)tolower(c);
	}
	rr->txt[o++] = ' ';
	for (i = 2 + tl; i < rdlen; i++)
		rr->txt[o++] = d[i] >= 0x20 && d[i] < 0x7f ? (char)d[i] : '?';
	rr->txt[o] = '\0';
	return 0;
}

/* Copy one record of the type asked out of its rdata; 0, or -1 when the
 * rdata does not have the form of its type. */
static int wire_rr_fill(const uint8_t *msg, size_t len, const struct wire_rr *w, struct dns_rr *rr)
{
	const uint8_t *d = msg + w->rdata;
	size_t end = w->rdata + w->rdlen, off;

	memset(rr, 0, sizeof(*rr));
	rr->type = w->type;
	switch (w->type) {
	case DNS_T_NS:
	case DNS_T_MX: {
		char name[4 * 255 + 1];

		if (w->rdlen < (w->type == DNS_T_MX ? 3u : 1u))
			return -1;
		rr->pref = w->type == DNS_T_MX ? get16(d) : 0;
		off = w->rdata + (w->type == DNS_T_MX ? 2u : 0u);
		if (wire_name(msg, len, &off, name, sizeof(name)) < 0 || off != end ||
		    strlen(name) > DNS_NAME_MAX)
			return -1;
		(void)str_copy(rr->name, sizeof(rr->name), name);
		return 0;
	}
	case DNS_T_A:
	case DNS_T_AAAA:
		if (w->rdlen != (w->type == DNS_T_A ? 4u : 16u))
			return -1;
		rr->family = w->type == DNS_T_A ? AF_INET : AF_INET6;
		return inet_ntop(rr->family, d, rr->addr, sizeof(rr->addr)) ? 0 : -1;
	case DNS_T_TLSA:
		if (w->rdlen < 3)
			return -1;
		rr->usage = d[0];
		rr->selector = d[1];
		rr->mtype = d[2];
		rr->datalen = w->rdlen - 3;
		rr->data = malloc(rr->datalen ? rr->datalen : 1);
		if (!rr->data)
			return -1;
		memcpy(rr->data, d + 3, rr->datalen);
		return 0;
	case DNS_T_TXT: {
		struct buf t;
		size_t i = 0;

		if (w->rdlen == 0)
			return -1;
		buf_init(&t, DNS_TXT_MAX);
		while (i < w->rdlen) {
			size_t l = d[i];

			if (i + 1 + l > w->rdlen || buf_add(&t, d + i + 1, l) < 0) {
				buf_free(&t);
				return -1;
			}
			i += 1 + l;
		}
		rr->txt = buf_steal(&t);
		return rr->txt ? 0 : -1;
	}
	case DNS_T_CAA:
		return wire_caa(d, w->rdlen, rr);
	default:
		return 0; /* counted, nothing to copy (SOA) */
	}
}

/*
 * How long the reply may be kept (dns.c's memo): the smallest TTL of the
 * records of its answer and authority sections (RFC 2181 5.2: an RRset's
 * records share one; RFC 2308 5: a negative answer lives as long as the SOA
 * beside it). A resolver gives the TTL left in its cache, so a copy kept
 * this long is never older than the resolver's own.
 */
int dns_wire_ttl(const uint8_t *wire, size_t len, uint32_t *ttl)
{
	char name[4 * 255 + 1];
	size_t off = 12, i, n;
	uint32_t least = UINT32_MAX;

	if (!wire || len < 12 || get16(wire + 4) != 1)
		return -1;
	if (wire_name(wire, len, &off, name, sizeof(name)) < 0 || off + 4 > len)
		return -1;
	off += 4;
	n = (size_t)get16(wire + 6) + get16(wire + 8);
	for (i = 0; i < n; i++) {
		uint32_t t;

		if (wire_name(wire, len, &off, name, sizeof(name)) < 0 || off + 10 > len)
			return -1;
		t = ((uint32_t)get16(wire + off + 4) << 16) | get16(wire + off + 6);
		if (t < least)
			least = t;
		off += 10 + (size_t)get16(wire + off + 8);
		if (off > len)
			return -1;
	}
	if (least == UINT32_MAX)
		return -1; /* no record says how long */
	/* RFC 2181 8: a TTL with the top bit set is 0 */
	*ttl = least & 0x80000000u ? 0 : least;
	return 0;
}

void dns_answer_from_wire(struct dns_answer *a, const uint8_t *wire, size_t len, int sec)
{
	struct wire_rr *rrs = NULL;
	char qname[4 * 255 + 1], cur[4 * 255 + 1];
	uint16_t flags, qd, an, qtype, qclass;
	size_t off = 12, i, hop;

	a->rcode = -1;
	a->sec = SEC_UNKNOWN;
	a->n = 0;
	a->rr = NULL;
	if (!wire || len < 12 || len > 65535) {
		dns_bad(a, "not a DNS message");
		return;
	}
	flags = get16(wire + 2);
	qd = get16(wire + 4);
	an = get16(wire + 6);
	if (!(flags & 0x8000)) {
		dns_bad(a, "not a response (QR bit clear)");
		return;
	}
	if (((flags >> 11) & 0xf) != 0) {
		dns_bad(a, "not an answer to a standard query (opcode)");
		return;
	}
	if (flags & 0x0200) {
		dns_bad(a, "truncated (TC)");
		return;
	}
	if (qd != 1) {
		dns_bad(a, "not exactly one question");
		return;
	}
	if (wire_name(wire, len, &off, qname, sizeof(qname)) < 0 || off + 4 > len) {
		dns_bad(a, "malformed question");
		return;
	}
	qtype = get16(wire + off);
	qclass = get16(wire + off + 2);
	off += 4;
	if (!dns_name_eq(qname, a->qname) || qtype != a->qtype || qclass != DNS_C_IN) {
		char shown[64], why[100];

		(void)str_sanitise(shown, sizeof(shown), qname, strlen(qname));
		(void)snprintf(why, sizeof(why), "it answers another question (%s/%u)", shown,
			       (unsigned)qtype);
		dns_bad(a, why);
		return;
	}
	if (an > DNS_RR_MAX) {
		dns_bad(a, "too many answer records");
		return;
	}
	rrs = calloc(an ? an : 1, sizeof(*rrs));
	if (!rrs) {
		a->status = DNS_FAILURE;
		(void)snprintf(a->error, sizeof(a->error), "out of memory");
		return;
	}
	for (i = 0; i < an; i++) {
		struct wire_rr *w = &rrs[i];

		if (wire_name(wire, len, &off, w->owner, sizeof(w->owner)) < 0 || off + 10 > len) {
			dns_bad(a, "answer section malformed or shorter than its count");
			goto out;
		}
		w->type = get16(wire + off);
		w->cls = get16(wire + off + 2);
		w->rdlen = get16(wire + off + 8);
		w->rdata = off + 10;
		if (w->rdata + w->rdlen > len) {
			dns_bad(a, "record data beyond the message");
			goto out;
		}
		off = w->rdata + w->rdlen;
	}
	a->rcode = flags & 0xf;
	a->sec = sec == 2 ? SEC_SECURE : sec == 1 ? SEC_BOGUS : SEC_INSECURE;
	/* follow the CNAME chain from the name asked (16 links at most) */
	(void)str_copy(cur, sizeof(cur), qname);
	for (hop = 0; hop < 16; hop++) {
		bool moved = false;

		for (i = 0; i < an && !moved; i++) {
			size_t roff = rrs[i].rdata;
			char target[4 * 255 + 1];

			if (rrs[i].type != DNS_T_CNAME || rrs[i].cls != DNS_C_IN ||
			    !dns_name_eq(rrs[i].owner, cur) ||
			    wire_name(wire, len, &roff, target, sizeof(target)) < 0 ||
			    roff != rrs[i].rdata + rrs[i].rdlen)
				continue;
			(void)str_copy(cur, sizeof(cur), target);
			moved = true;
		}
		if (!moved)
			break;
	}
	if (!dns_name_eq(cur, qname) && strlen(cur) <= DNS_NAME_MAX)
		(void)str_copy(a->canonical, sizeof(a->canonical), cur);
	if (a->rcode == 3) {
		a->status = DNS_NXDOMAIN;
		(void)snprintf(a->error, sizeof(a->error), "NXDOMAIN");
		goto out;
	}
	if (a->rcode != 0) {
		a->status = DNS_SERVFAIL;
		(void)snprintf(a->error, sizeof(a->error), "rcode %d", a->rcode);
		goto out;
	}
	a->status = DNS_OK;
	a->rr = calloc(an ? an : 1, sizeof(*a->rr));
	if (!a->rr) {
		a->status = DNS_FAILURE;
		(void)snprintf(a->error, sizeof(a->error), "out of memory");
		goto out;
	}
	/* only records of the type asked, at the end of the CNAME chain */
	for (i = 0; i < an; i++) {
		if (rrs[i].type != a->qtype || rrs[i].cls != DNS_C_IN ||
		    !dns_name_eq(rrs[i].owner, cur))
			continue;
		if (wire_rr_fill(wire, len, &rrs[i], &a->rr[a->n]) < 0) {
			/* a record of the type asked that cannot be read: the
			 * answer is unusable, not one record shorter */
			free(a->rr[a->n].data);
			free(a->rr[a->n].txt);
			dns_bad(a, "a record of the type asked is malformed or too large");
			goto out;
		}
		a->n++;
	}
out:
	free(rrs);
}
