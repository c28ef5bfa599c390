/*
 * dns_stub.c - a DNS stub client for validating resolvers, on libevent.
 *
 * The second way mailscan resolves (--resolver): instead of recursing with
 * libunbound (dns.c), it asks one or more local validating resolvers and
 * takes the DNSSEC status from their AD bit. Implements:
 *   RFC 1035 §4      messages; the reply must carry our ID and our question
 *   RFC 5452         a random ID and a kernel-chosen source port per query, a
 *                    connected socket, unrelated replies dropped and counted
 *   RFC 6891, 3225   EDNS0, UDP size 1232 (the DNS flag day 2020 value), DO=1
 *   RFC 6840 §5.7    AD=1 in the query; the AD bit of the reply is believed
 *                    only from a trusted resolver (§5.8, RFC 4035 §4.9.3)
 *   RFC 7766         TC=1: the same question over TCP, 2-octet length framing
 *   RFC 4035 §3.2.2  CD=1: a SERVFAIL asked again without validation tells a
 *                    validation failure (bogus) from a failed lookup
 *   RFC 8914         the Extended DNS Error of that SERVFAIL, shown as why
 *
 * One query is a small state machine (enum stub_state, changed only by
 * stub_set_state): UDP sends to the servers in turn (a new connected socket
 * and ID each, every earlier socket still listening for a late answer), then
 * optionally TCP to the server that truncated. A SERVFAIL starts the whole
 * exchange once more with CD=1. Everything is bounded: one deadline per
 * exchange, a few sends, a capped count of unrelated replies, TCP messages
 * of at most 65535 octets (the framing cannot say more), 16 servers.
 *
 * Callbacks run from the loop only (socket and timer events), and the query
 * is unlinked and freed before its callback runs, so a callback may start,
 * cancel or free anything, the stub included.
 */
#include "dns_stub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../base/log.h"
#include "../base/str.h"
#include "dns.h"

#define STUB_SERVERS_MAX 16
#define STUB_ITEM_MAX 64        /* one "ADDR@PORT" item */
#define STUB_TIMED_TRIES 3      /* UDP sends at 0, T/3, 2T/3 */
#define STUB_TRIES_MAX 8        /* UDP sends per exchange, refused ones included */
#define STUB_IGNORED_MAX 32     /* unrelated replies per query before it fails */
#define STUB_INFLIGHT_MAX 16384 /* queries outstanding at once */
#define STUB_QUERY_MAX 300      /* 12 header + 255 name + 4 + 11 OPT */
#define STUB_MSG_MAX 65535      /* the largest DNS message (RFC 1035 §4.2.2) */
#define STUB_EDNS_SIZE 1232
#define STUB_TIMEOUT_DEFAULT 10000
#define STUB_WHY_MAX 320
#define STUB_EDE_MAX 240
#define STUB_RECV_BURST 16 /* datagrams read per wake-up */

#define F_QR 0x8000u
#define F_TC 0x0200u
#define F_RD 0x0100u
#define F_AD 0x0020u
#define F_CD 0x0010u
#define RCODE_NOERROR 0
#define RCODE_SERVFAIL 2
#define RCODE_NXDOMAIN 3
#define RCODE_REFUSED 5
#define T_OPT 41
#define C_IN 1
#define EDNS_OPT_EDE 15

struct stub_server {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	bool trusted;
	char name[INET6_ADDRSTRLEN + 8]; /* "ADDR@PORT", for messages */
};

enum stub_state {
	STUB_UDP,         /* datagrams out, waiting for a reply */
	STUB_TCP_CONNECT, /* TC=1 seen: connecting to the server that sent it */
	STUB_TCP_WRITE,   /* sending the length-prefixed query */
	STUB_TCP_READ,    /* reading the 2-octet length, then the message */
};

struct stub_query;

/* One UDP send, on its own connected socket with its own ID. */
struct stub_try {
	struct stub_query *q;
	int fd;
	struct event *ev;
	uint16_t txid;
	unsigned server;
};

struct stub_query {
	struct dns_stub *s;
	dns_stub_cb cb;
	void *arg;
	uint64_t id;
	char qname[DNS_NAME_MAX + 2]; /* as asked, for logs */
	uint16_t qtype;
	uint8_t qwire[256]; /* the question name in wire form */
	size_t qwlen;
	enum stub_state state;
	bool cd;          /* the second exchange: CD=1 after a SERVFAIL */
	int pin;          /* the one server every send goes to, or -1 */
	unsigned first;   /* server of the exchange's first send */
	unsigned ntries;  /* UDP sends in this exchange (failed ones too) */
	unsigned nsent;   /* messages that went out, over the whole query */
	unsigned ignored; /* unrelated replies */
	struct stub_try tries[STUB_TRIES_MAX];
	struct event *retry;    /* the next UDP send */
	struct event *deadline; /* the end of this exchange */
	/* TCP, after TC=1 */
	int tcp_fd;
	struct event *tcp_ev;
	unsigned tcp_server;
	uint16_t tcp_txid;
	uint8_t tcp_out[2 + STUB_QUERY_MAX];
	size_t tcp_outlen, tcp_outoff;
	uint8_t tcp_lenbuf[2];
	size_t tcp_lenoff;
	uint8_t *tcp_in; /* the message being read, tcp_inlen octets */
	size_t tcp_inlen, tcp_inoff;
	/* the first SERVFAIL, kept while the question is asked with CD=1 */
	uint8_t *servfail;
	size_t servfail_len;
	unsigned servfail_server;
	char ede[STUB_EDE_MAX]; /* its Extended DNS Error, "" when none */
	char lasterr[128];      /* the last transport error, for the failure text */
	TAILQ_ENTRY(stub_query) link;
};

TAILQ_HEAD(stub_queries, stub_query);

struct dns_stub {
	struct event_base *base;
	struct stub_server servers[STUB_SERVERS_MAX];
	unsigned nservers;
	unsigned next_server; /* queries start at the servers in turn */
	unsigned timeout_ms;
	struct timeval timeout, retry_after;
	uint64_t next_id;
	struct stub_queries queries; /* every query not yet delivered or cancelled */
	struct dns_stub_stats st;
	uint16_t rnd[64]; /* random IDs from getrandom, used up from the end */
	unsigned nrnd;
	uint8_t rbuf[STUB_MSG_MAX + 1]; /* the datagram being read (one more: too large) */
};

static void stub_on_udp(evutil_socket_t fd, short what, void *arg);
static void stub_on_tcp(evutil_socket_t fd, short what, void *arg);

/* printf into a message buffer: a message cut short is still a message. */
static void stub_text(char *out, size_t outlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void stub_text(char *out, size_t outlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(out, outlen, fmt, ap);
	va_end(ap);
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)((v >> 8) & 0xff);
	p[1] = (uint8_t)(v & 0xff);
}

static const char *stub_state_name(enum stub_state st)
{
	switch (st) {
	case STUB_UDP:
		return "udp";
	case STUB_TCP_CONNECT:
		return "tcp-connect";
	case STUB_TCP_WRITE:
		return "tcp-write";
	case STUB_TCP_READ:
		return "tcp-read";
	}
	return "?";
}

/* The only way a query changes state. */
static void stub_set_state(struct stub_query *q, enum stub_state to)
{
	if (q->state != to)
		log_debug("dns_stub %s/%u: %s -> %s", q->qname, (unsigned)q->qtype,
			  stub_state_name(q->state), stub_state_name(to));
	q->state = to;
}

/* ------------------------------------------------------------------ servers */

bool dns_stub_addr_trusted(const struct sockaddr *sa)
{
	if (!sa)
		return false;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		const uint8_t *a = in6->sin6_addr.s6_addr;

		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return true;
		/* ::ffff:127.x.y.z, the IPv4 loopback seen through a v6 socket */
		return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && a[12] == 127;
	}
	return false;
}

/*
 * Parse one "ADDR[@PORT]" item (item is NUL-terminated, already trimmed) into
 * srv. Returns 0, or -1 with a message naming the item.
 */
static int stub_parse_server(const char *item, bool trusted_flag, struct stub_server *srv,
			     char *err, size_t errlen)
{
	char addr[STUB_ITEM_MAX + 1], shown[STUB_ITEM_MAX + 1], canon[INET6_ADDRSTRLEN];
	const void *raw;
	const char *at = strrchr(item, '@');
	unsigned long port = 53;
	size_t alen = at ? (size_t)(at - item) : strlen(item);

	(void)str_sanitise(shown, sizeof(shown), item, strlen(item));
	memset(srv, 0, sizeof(*srv));
	if (alen == 0 || alen >= sizeof(addr)) {
		stub_text(err, errlen, "resolver '%s': no address before the port", shown);
		return -1;
	}
	memcpy(addr, item, alen);
	addr[alen] = '\0';
	if (at) {
		const char *p = at + 1;
		char *end = NULL;

		if (*p < '0' || *p > '9' || strlen(p) > 5)
			goto badport;
		errno = 0;
		port = strtoul(p, &end, 10);
		if (errno || !end || *end || port == 0 || port > 65535)
			goto badport;
	}
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)&srv->addr;

		if (inet_pton(AF_INET6, addr, &in6->sin6_addr) != 1)
			goto badaddr;
		raw = &in6->sin6_addr;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		srv->addrlen = sizeof(*in6);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)(void *)&srv->addr;

		if (inet_pton(AF_INET, addr, &in->sin_addr) != 1)
			goto badaddr;
		raw = &in->sin_addr;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		srv->addrlen = sizeof(*in);
	}
	srv->trusted = trusted_flag || dns_stub_addr_trusted((const struct sockaddr *)&srv->addr);
	/* the canonical form for messages (bounded by INET6_ADDRSTRLEN) */
	if (!inet_ntop(srv->addr.ss_family, raw, canon, sizeof(canon)))
		goto badaddr;
	stub_text(srv->name, sizeof(srv->name), "%s@%lu", canon, port);
	return 0;
badport:
	stub_text(err, errlen, "resolver '%s': the port is not a number from 1 to 65535", shown);
	return -1;
badaddr:
	stub_text(err, errlen, "resolver '%s': '%s' is not an IPv4 or IPv6 address", shown, addr);
	return -1;
}

/* Parse the comma-separated list into s->servers. Returns 0 or -1. */
static int stub_parse_servers(struct dns_stub *s, const char *list, bool trusted_flag, char *err,
			      size_t errlen)
{
	const char *p = list;

	if (!list || !*list) {
		stub_text(err, errlen, "resolver: no server given");
		return -1;
	}
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char item[STUB_ITEM_MAX + 1];

		while (len && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0) {
			stub_text(err, errlen, "resolver list has an empty item");
			return -1;
		}
		if (len > STUB_ITEM_MAX) {
			char shown[32];

			(void)str_sanitise(shown, sizeof(shown), p, len);
			stub_text(err, errlen, "resolver '%s...': too long", shown);
			return -1;
		}
		if (s->nservers == STUB_SERVERS_MAX) {
			stub_text(err, errlen, "resolver: more than %d servers", STUB_SERVERS_MAX);
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if (stub_parse_server(item, trusted_flag, &s->servers[s->nservers], err, errlen) <
		    0)
			return -1;
		s->nservers++;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

struct dns_stub *dns_stub_new(struct event_base *base, const char *servers, bool trusted_flag,
			      unsigned timeout_ms, char *err, size_t errlen)
{
	struct dns_stub *s;
	unsigned ms = timeout_ms ? timeout_ms : STUB_TIMEOUT_DEFAULT, third;
	unsigned i;

	if (!base) {
		stub_text(err, errlen, "resolver: no event base");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		stub_text(err, errlen, "out of memory");
		return NULL;
	}
	s->base = base;
	TAILQ_INIT(&s->queries);
	if (stub_parse_servers(s, servers, trusted_flag, err, errlen) < 0) {
		free(s);
		return NULL;
	}
	s->timeout_ms = ms;
	s->timeout.tv_sec = ms / 1000;
	s->timeout.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	third = ms / STUB_TIMED_TRIES ? ms / STUB_TIMED_TRIES : 1;
	s->retry_after.tv_sec = third / 1000;
	s->retry_after.tv_usec = (suseconds_t)(third % 1000) * 1000;
	for (i = 0; i < s->nservers; i++)
		log_debug("dns_stub: server %s%s", s->servers[i].name,
			  s->servers[i].trusted ? " (trusted)"
						: " (not trusted: no DNSSEC status)");
	return s;
}

void dns_stub_set_trust_for_tests(struct dns_stub *s, bool trusted)
{
	unsigned i;

	for (i = 0; i < s->nservers; i++)
		s->servers[i].trusted = trusted;
}

unsigned long dns_stub_queries(const struct dns_stub *s) { return s->st.queries; }

void dns_stub_get_stats(const struct dns_stub *s, struct dns_stub_stats *st) { *st = s->st; }

/* ------------------------------------------------------------------ messages */

/* A random ID (RFC 5452 §9.2) from getrandom, drawn in batches. 0 or -1. */
static int stub_random_id(struct dns_stub *s, uint16_t *id)
{
	if (s->nrnd == 0) {
		ssize_t r = getrandom(s->rnd, sizeof(s->rnd), GRND_NONBLOCK);

		if (r != (ssize_t)sizeof(s->rnd)) {
			log_warn("dns_stub: getrandom: %s", r < 0 ? strerror(errno) : "short read");
			return -1;
		}
		s->nrnd = sizeof(s->rnd) / sizeof(s->rnd[0]);
	}
	*id = s->rnd[--s->nrnd];
	return 0;
}

/*
 * name in presentation form ("." or "" for the root, a trailing dot
 * optional; no escapes) into wire form in out (256 octets). Returns the
 * length, or -1 for a name that is not one.
 */
static int stub_name_to_wire(const char *name, uint8_t *out, size_t outlen)
{
	size_t n = strlen(name), o = 0, i = 0;

	if (n && name[n - 1] == '.')
		n--;
	while (i < n) {
		size_t start = i, l;

		while (i < n && name[i] != '.') {
			unsigned char c = (unsigned char)name[i];

			if (c <= 0x20 || c >= 0x7f || c == '\\')
				return -1;
			i++;
		}
		l = i - start;
		if (l == 0 || l > 63 || o + 1 + l + 1 > outlen || o + 1 + l + 1 > 255)
			return -1;
		out[o++] = (uint8_t)l;
		memcpy(out + o, name + start, l);
		o += l;
		if (i < n)
			i++; /* the dot; a name ending in ".." has an empty label */
		if (i == n && name[i - 1] == '.')
			return -1;
	}
	if (o + 1 > outlen)
		return -1;
	out[o++] = 0;
	return (int)o;
}

/* The query of q with ID txid into out (STUB_QUERY_MAX octets): RD, AD,
 * CD in the second exchange, one question, an OPT record with DO=1. */
static size_t stub_build_query(const struct stub_query *q, uint16_t txid, uint8_t *out)
{
	size_t o = 0;

	put16(out, txid);
	put16(out + 2, F_RD | F_AD | (q->cd ? F_CD : 0));
	put16(out + 4, 1); /* QDCOUNT */
	put16(out + 6, 0);
	put16(out + 8, 0);
	put16(out + 10, 1); /* ARCOUNT: the OPT record */
	o = 12;
	memcpy(out + o, q->qwire, q->qwlen);
	o += q->qwlen;
	put16(out + o, q->qtype);
	put16(out + o + 2, C_IN);
	o += 4;
	out[o++] = 0; /* OPT: root owner */
	put16(out + o, T_OPT);
	put16(out + o + 2, STUB_EDNS_SIZE); /* class: UDP payload size */
	out[o + 4] = 0;                     /* extended rcode */
	out[o + 5] = 0;                     /* version 0 */
	put16(out + o + 6, 0x8000);         /* DO */
	put16(out + o + 8, 0);              /* no options */
	o += 10;
	return o;
}

/* Skip the name at *off (pointers allowed; only its length matters). */
static int stub_skip_name(const uint8_t *m, size_t len, size_t *off)
{
	size_t o = *off, labels = 0;

	while (o < len && labels++ < 128) {
		uint8_t l = m[o];

		if ((l & 0xc0) == 0xc0) {
			if (o + 2 > len)
				return -1;
			*off = o + 2;
			return 0;
		}
		if (l & 0xc0)
			return -1;
		if (l == 0) {
			*off = o + 1;
			return 0;
		}
		o += 1u + l;
	}
	return -1;
}

static const char *stub_ede_name(unsigned code)
{
	/* RFC 8914 §4 */
	static const char *const names[] = {
	    "Other Error",
	    "Unsupported DNSKEY Algorithm",
	    "Unsupported DS Digest Type",
	    "Stale Answer",
	    "Forged Answer",
	    "DNSSEC Indeterminate",
	    "DNSSEC Bogus",
	    "Signature Expired",
	    "Signature Not Yet Valid",
	    "DNSKEY Missing",
	    "RRSIGs Missing",
	    "No Zone Key Bit Set",
	    "NSEC Missing",
	    "Cached Error",
	    "Not Ready",
	    "Blocked",
	    "Censored",
	    "Filtered",
	    "Prohibited",
	    "Stale NXDOMAIN Answer",
	    "Not Authoritative",
	    "Not Supported",
	    "No Reachable Authority",
	    "Network Error",
	    "Invalid Data",
	};
	return code < sizeof(names) / sizeof(names[0]) ? names[code] : NULL;
}

/* The first Extended DNS Error (RFC 8914) among the options of an OPT
 * record (rdata at m + o, rdlen octets) into out, as "EDE 6 (DNSSEC Bogus):
 * text" with the text sanitised; out is left alone when there is none. */
static void stub_opt_ede(const uint8_t *m, size_t o, size_t rdlen, char *out, size_t outlen)
{
	size_t end = o + rdlen;

	while (o + 4 <= end) {
		unsigned code = get16(m + o), olen = get16(m + o + 2);
		/* room for "EDE 65535 (Unsupported DS Digest Type): " */
		char text[STUB_EDE_MAX - 48];
		const char *name;

		if (o + 4 + olen > end)
			return;
		if (code == EDNS_OPT_EDE && olen >= 2) {
			unsigned info = get16(m + o + 4);

			(void)str_sanitise(text, sizeof(text), (const char *)m + o + 6, olen - 2);
			name = stub_ede_name(info);
			stub_text(out, outlen, "EDE %u%s%s%s%s%s", info, name ? " (" : "",
				  name ? name : "", name ? ")" : "", text[0] ? ": " : "", text);
			return;
		}
		o += 4 + olen;
	}
}

/*
 * Walk every section of message m (len octets, at least a header): each
 * question and record must lie inside the message. Fills ede (when not
 * NULL; "" when none) from the OPT record of the additional section.
 * Returns 0, or -1 for a malformed message.
 */
static int stub_walk(const uint8_t *m, size_t len, char *ede, size_t edelen)
{
	size_t off = 12, i, nrr, an_ns;

	if (ede)
		ede[0] = '\0';
	if (len < 12)
		return -1;
	for (i = 0; i < get16(m + 4); i++) {
		if (stub_skip_name(m, len, &off) < 0 || off + 4 > len)
			return -1;
		off += 4;
	}
	an_ns = (size_t)get16(m + 6) + get16(m + 8);
	nrr = an_ns + get16(m + 10);
	for (i = 0; i < nrr; i++) {
		size_t rdata, rdlen;

		if (stub_skip_name(m, len, &off) < 0 || off + 10 > len)
			return -1;
		rdlen = get16(m + off + 8);
		rdata = off + 10;
		if (rdata + rdlen > len)
			return -1;
		if (ede && !ede[0] && i >= an_ns && get16(m + off) == T_OPT)
			stub_opt_ede(m, rdata, rdlen, ede, edelen);
		off = rdata + rdlen;
	}
	return 0;
}

/*
 * Is the message (len octets) a reply to q's question with ID txid? QR,
 * opcode QUERY, one question, its name equal to ours ignoring ASCII case
 * (RFC 4343), our type, class IN; and every record inside the message
 * (unless TC=1). What the records say is checked by dns_answer_from_wire in
 * the caller.
 */
static bool stub_reply_matches(const struct stub_query *q, uint16_t txid, const uint8_t *m,
			       size_t len)
{
	size_t off = 12, j = 0;
	uint16_t flags;

	if (len < 12 || len > STUB_MSG_MAX || get16(m) != txid)
		return false;
	flags = get16(m + 2);
	if (!(flags & F_QR) || ((flags >> 11) & 0xf) != 0 || get16(m + 4) != 1)
		return false;
	for (;;) {
		uint8_t l;
		size_t k;

		if (off >= len || j >= q->qwlen)
			return false;
		l = m[off];
		if (l != q->qwire[j]) /* also refuses compression pointers here */
			return false;
		if (l == 0)
			break;
		if (l > 63 || off + 1 + l > len)
			return false;
		for (k = 1; k <= l; k++) {
			uint8_t a = m[off + k], b = q->qwire[j + k];

			if (a >= 'A' && a <= 'Z')
				a = (uint8_t)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (uint8_t)(b - 'A' + 'a');
			if (a != b)
				return false;
		}
		off += 1u + l;
		j += 1u + l;
	}
	off++;
	if (off + 4 > len || get16(m + off) != q->qtype || get16(m + off + 2) != C_IN)
		return false;
	/* a truncated reply need not hold whole records: only its header counts */
	return (flags & F_TC) || stub_walk(m, len, NULL, 0) == 0;
}

/* ------------------------------------------------------------------ a query's life */

static void stub_try_close(struct stub_try *t)
{
	if (t->ev) {
		event_free(t->ev);
		t->ev = NULL;
	}
	if (t->fd >= 0) {
		(void)close(t->fd);
		t->fd = -1;
	}
}

static void stub_tcp_close(struct stub_query *q)
{
	if (q->tcp_ev) {
		event_free(q->tcp_ev);
		q->tcp_ev = NULL;
	}
	if (q->tcp_fd >= 0) {
		(void)close(q->tcp_fd);
		q->tcp_fd = -1;
	}
	free(q->tcp_in);
	q->tcp_in = NULL;
	q->tcp_inlen = q->tcp_inoff = q->tcp_lenoff = 0;
}

/* Close every socket of the current exchange and stop its retransmissions. */
static void stub_close_transport(struct stub_query *q)
{
	unsigned i;

	for (i = 0; i < STUB_TRIES_MAX; i++)
		stub_try_close(&q->tries[i]);
	if (q->retry)
		(void)evtimer_del(q->retry);
	stub_tcp_close(q);
}

static void stub_query_free(struct stub_query *q)
{
	stub_close_transport(q);
	if (q->retry)
		event_free(q->retry);
	if (q->deadline)
		event_free(q->deadline);
	free(q->servfail);
	free(q);
}

/*
 * Hand the outcome to the caller: unlink and free q first (keeping the
 * message if q owns it), then call back, so that the callback may do
 * anything with the stub. q is gone afterwards.
 */
static void stub_deliver(struct stub_query *q, int outcome, const uint8_t *wire, size_t len,
			 enum dns_stub_sec sec, const char *why)
{
	struct dns_stub *s = q->s;
	dns_stub_cb cb = q->cb;
	void *arg = q->arg;
	uint8_t *owned = NULL;
	char text[STUB_WHY_MAX];

	(void)str_copy(text, sizeof(text), why ? why : "");
	if (wire && wire == q->tcp_in) {
		owned = q->tcp_in;
		q->tcp_in = NULL;
	} else if (wire && wire == q->servfail) {
		owned = q->servfail;
		q->servfail = NULL;
	}
	TAILQ_REMOVE(&s->queries, q, link);
	s->st.inflight--;
	if (outcome == DNS_TIMEOUT)
		s->st.timeouts++;
	else if (outcome != 0)
		s->st.failures++;
	log_debug("dns_stub %s/%u: %s, rcode %d, sec %d%s%s", q->qname, (unsigned)q->qtype,
		  outcome == 0 ? "reply" : dns_status_name((enum dns_status)outcome),
		  wire && len >= 4 ? (int)(wire[3] & 0xf) : -1, (int)sec, text[0] ? ": " : "",
		  text);
	stub_query_free(q);
	cb(arg, outcome, wire, len, sec, text);
	free(owned);
}

/* Fail q with DNS_FAILURE, or hand over the first SERVFAIL when there is one
 * (the CD=1 exchange failed: the SERVFAIL is the answer). */
static void stub_fail(struct stub_query *q, const char *why);

/* Deliver the SERVFAIL kept from the first exchange; cd_outcome says what
 * became of the question with CD=1. */
static void stub_deliver_servfail(struct stub_query *q, const char *cd_outcome)
{
	const struct stub_server *srv = &q->s->servers[q->servfail_server];
	char why[STUB_WHY_MAX];

	stub_text(why, sizeof(why), "SERVFAIL from %s%s%s; with CD=1: %s", srv->name,
		  q->ede[0] ? ": " : "", q->ede, cd_outcome);
	stub_deliver(q, 0, q->servfail, q->servfail_len,
		     srv->trusted ? STUB_SEC_INSECURE : STUB_SEC_UNTRUSTED, why);
}

static void stub_fail(struct stub_query *q, const char *why)
{
	if (q->servfail) {
		stub_deliver_servfail(q, why);
		return;
	}
	stub_deliver(q, DNS_FAILURE, NULL, 0, STUB_SEC_INSECURE, why);
}

/* The server of the next UDP send. */
static unsigned stub_next_server(const struct stub_query *q)
{
	if (q->pin >= 0)
		return (unsigned)q->pin;
	return (q->first + q->ntries) % q->s->nservers;
}

/* UDP sends allowed in one exchange: three timed ones (at 0, T/3, 2T/3),
 * or as many as there are servers when they refuse at once (ICMP port
 * unreachable: the next server is asked without waiting). */
static unsigned stub_tries_allowed(const struct stub_query *q)
{
	unsigned n =
	    q->pin < 0 && q->s->nservers > STUB_TIMED_TRIES ? q->s->nservers : STUB_TIMED_TRIES;
	return n > STUB_TRIES_MAX ? STUB_TRIES_MAX : n;
}

static bool stub_tries_open(const struct stub_query *q)
{
	unsigned i;

	for (i = 0; i < q->ntries && i < STUB_TRIES_MAX; i++)
		if (q->tries[i].fd >= 0)
			return true;
	return false;
}

/*
 * One UDP send to the next server, on a new connected socket (the kernel
 * picks a random source port; only that server's datagrams arrive) with a
 * new random ID. Returns 0, or -1 with q->lasterr set; either way the send
 * counts, so the next one goes to the next server.
 */
static int stub_send_udp(struct stub_query *q)
{
	struct dns_stub *s = q->s;
	struct stub_try *t;
	const struct stub_server *srv;
	uint8_t msg[STUB_QUERY_MAX];
	size_t mlen;
	ssize_t w;

	if (q->ntries >= STUB_TRIES_MAX)
		return -1;
	t = &q->tries[q->ntries];
	t->q = q;
	t->server = stub_next_server(q);
	srv = &s->servers[t->server];
	q->ntries++;
	if (stub_random_id(s, &t->txid) < 0) {
		stub_text(q->lasterr, sizeof(q->lasterr), "no random numbers for an ID");
		return -1;
	}
	t->fd = socket(srv->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd < 0)
		goto fail;
	if (connect(t->fd, (const struct sockaddr *)&srv->addr, srv->addrlen) < 0)
		goto fail;
	mlen = stub_build_query(q, t->txid, msg);
	w = send(t->fd, msg, mlen, 0);
	if (w < 0)
		goto fail;
	if ((size_t)w != mlen) {
		errno = EMSGSIZE;
		goto fail;
	}
	t->ev = event_new(s->base, t->fd, EV_READ | EV_PERSIST, stub_on_udp, t);
	if (!t->ev || event_add(t->ev, NULL) < 0) {
		errno = ENOMEM;
		goto fail;
	}
	s->st.sent++;
	q->nsent++;
	return 0;
fail:
	stub_text(q->lasterr, sizeof(q->lasterr), "%s: %s", srv->name, strerror(errno));
	stub_try_close(t);
	return -1;
}

/*
 * Make sure a UDP send is out: send to the next servers until one send
 * works or the exchange has used its sends. Returns 0, or -1 when no
 * socket of the exchange is open any more (nothing can answer).
 */
static int stub_send_some(struct stub_query *q)
{
	while (q->ntries < stub_tries_allowed(q))
		if (stub_send_udp(q) == 0)
			return 0;
	return stub_tries_open(q) ? 0 : -1;
}

/* Start an exchange (the first, or the CD=1 one) at server first. */
static int stub_exchange_start(struct stub_query *q, unsigned first)
{
	struct dns_stub *s = q->s;

	stub_close_transport(q);
	memset(q->tries, 0, sizeof(q->tries));
	for (unsigned i = 0; i < STUB_TRIES_MAX; i++)
		q->tries[i].fd = -1;
	q->ntries = 0;
	q->first = first;
	stub_set_state(q, STUB_UDP);
	(void)evtimer_del(q->deadline);
	if (evtimer_add(q->deadline, &s->timeout) < 0) {
		stub_text(q->lasterr, sizeof(q->lasterr), "cannot arm a timer");
		return -1;
	}
	if (stub_send_some(q) < 0 || q->ntries == 0)
		return -1;
	if (q->ntries < STUB_TIMED_TRIES && evtimer_add(q->retry, &s->retry_after) < 0) {
		stub_text(q->lasterr, sizeof(q->lasterr), "cannot arm a timer");
		return -1;
	}
	return 0;
}

/* Retransmission: the next server, a third of the timeout later. */
static void stub_on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct stub_query *q = arg;
	char why[STUB_WHY_MAX];

	(void)fd;
	(void)what;
	if (q->state != STUB_UDP)
		return;
	if (stub_send_some(q) < 0) {
		stub_text(why, sizeof(why), "no server answers: %s", q->lasterr);
		stub_fail(q, why);
		return;
	}
	if (q->ntries < STUB_TIMED_TRIES && evtimer_add(q->retry, &q->s->retry_after) < 0)
		log_warn("dns_stub: cannot arm the retransmission timer");
}

/* The exchange's deadline. */
static void stub_on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct stub_query *q = arg;
	char why[STUB_WHY_MAX];

	(void)fd;
	(void)what;
	if (q->servfail) {
		stub_text(why, sizeof(why), "no answer within %u ms", q->s->timeout_ms);
		stub_deliver_servfail(q, why);
		return;
	}
	if (q->nsent == 0) {
		stub_text(why, sizeof(why), "no query could be sent: %s", q->lasterr);
		stub_deliver(q, DNS_FAILURE, NULL, 0, STUB_SEC_INSECURE, why);
		return;
	}
	stub_text(why, sizeof(why), "no answer within %u ms%s%s%s", q->s->timeout_ms,
		  q->state != STUB_UDP ? " (over TCP)" : "", q->lasterr[0] ? "; " : "", q->lasterr);
	stub_deliver(q, DNS_TIMEOUT, NULL, 0, STUB_SEC_INSECURE, why);
}

/* One unrelated reply more; true when q failed because of too many (q is
 * then gone). */
static bool stub_ignore(struct stub_query *q)
{
	q->s->st.ignored++;
	if (++q->ignored <= STUB_IGNORED_MAX)
		return false;
	stub_fail(q, "too many replies that do not answer the question");
	return true;
}

static void stub_tcp_start(struct stub_query *q, unsigned server);

/* The first exchange ended in SERVFAIL: keep it, ask again with CD=1. */
static void stub_cd_start(struct stub_query *q, unsigned server, const uint8_t *wire, size_t len)
{
	char why[STUB_WHY_MAX];

	(void)stub_walk(wire, len, q->ede, sizeof(q->ede));
	q->servfail = malloc(len);
	if (!q->servfail) {
		/* no copy: the SERVFAIL itself is the answer */
		stub_text(why, sizeof(why), "SERVFAIL from %s%s%s", q->s->servers[server].name,
			  q->ede[0] ? ": " : "", q->ede);
		stub_deliver(q, 0, wire, len,
			     q->s->servers[server].trusted ? STUB_SEC_INSECURE : STUB_SEC_UNTRUSTED,
			     why);
		return;
	}
	memcpy(q->servfail, wire, len); /* wire may be q->tcp_in, freed below */
	q->servfail_len = len;
	q->servfail_server = server;
	q->cd = true;
	q->s->st.cd_retry++;
	log_debug("dns_stub %s/%u: SERVFAIL from %s%s%s, asking again with CD=1", q->qname,
		  (unsigned)q->qtype, q->s->servers[server].name, q->ede[0] ? ": " : "", q->ede);
	if (stub_exchange_start(q, server) < 0)
		stub_deliver_servfail(q, q->lasterr);
}

/*
 * A reply that matches the question, from server (over TCP or not). Decides
 * what it means; q is gone or in another exchange afterwards.
 */
static void stub_on_reply(struct stub_query *q, unsigned server, const uint8_t *wire, size_t len,
			  bool tcp)
{
	struct dns_stub *s = q->s;
	unsigned flags = get16(wire + 2), rcode = flags & 0xf;
	bool trusted = s->servers[server].trusted;
	char why[STUB_WHY_MAX];

	if ((flags & F_TC) && !tcp) {
		stub_tcp_start(q, server);
		return;
	}
	if (!q->cd && rcode == RCODE_SERVFAIL) {
		stub_cd_start(q, server, wire, len);
		return;
	}
	if (q->cd) {
		if (rcode != RCODE_NOERROR && rcode != RCODE_NXDOMAIN) {
			if (rcode == RCODE_SERVFAIL)
				stub_text(why, sizeof(why),
					  "SERVFAIL too (the lookup failed, not validation)");
			else
				stub_text(why, sizeof(why), "rcode %u from %s", rcode,
					  s->servers[server].name);
			stub_deliver_servfail(q, why);
			return;
		}
		/* the data is there, the resolver could not validate it */
		trusted = trusted && s->servers[q->servfail_server].trusted;
		if (trusted)
			s->st.bogus++;
		stub_text(why, sizeof(why), "validation failed at the resolver%s%s%s",
			  q->ede[0] ? ": " : "", q->ede,
			  trusted ? "" : " (resolver not on a trusted path)");
		stub_deliver(q, 0, wire, len, trusted ? STUB_SEC_BOGUS : STUB_SEC_UNTRUSTED, why);
		return;
	}
	why[0] = '\0';
	if (rcode != RCODE_NOERROR && rcode != RCODE_NXDOMAIN)
		stub_text(why, sizeof(why), "rcode %u from %s", rcode, s->servers[server].name);
	if (!trusted)
		stub_deliver(q, 0, wire, len, STUB_SEC_UNTRUSTED, why);
	else if ((rcode == RCODE_NOERROR || rcode == RCODE_NXDOMAIN) && (flags & F_AD))
		stub_deliver(q, 0, wire, len, STUB_SEC_SECURE, why);
	else
		stub_deliver(q, 0, wire, len, STUB_SEC_INSECURE, why);
}

/* Datagrams on one UDP send's socket. */
static void stub_on_udp(evutil_socket_t fd, short what, void *arg)
{
	struct stub_try *t = arg;
	struct stub_query *q = t->q;
	struct dns_stub *s = q->s;
	char why[STUB_WHY_MAX];
	unsigned n;

	(void)what;
	for (n = 0; n < STUB_RECV_BURST; n++) {
		/* MSG_TRUNC: the real length, so a datagram too large is seen */
		ssize_t r = recv(fd, s->rbuf, sizeof(s->rbuf), MSG_TRUNC);

		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			/* ICMP unreachable (ECONNREFUSED) and the like: this
			 * server will not answer here; go on to the next now */
			stub_text(q->lasterr, sizeof(q->lasterr), "%s: %s",
				  s->servers[t->server].name, strerror(errno));
			stub_try_close(t);
			if (stub_send_some(q) < 0) {
				stub_text(why, sizeof(why), "no server answers: %s", q->lasterr);
				stub_fail(q, why);
			}
			return;
		}
		if ((size_t)r > STUB_MSG_MAX ||
		    !stub_reply_matches(q, t->txid, s->rbuf, (size_t)r)) {
			if (stub_ignore(q))
				return;
			continue;
		}
		stub_on_reply(q, t->server, s->rbuf, (size_t)r, false);
		return;
	}
}

/* (Re)arm the TCP event for what the state waits for. 0 or -1. */
static int stub_tcp_arm(struct stub_query *q, short what)
{
	if (q->tcp_ev)
		event_free(q->tcp_ev);
	q->tcp_ev = event_new(q->s->base, q->tcp_fd, what, stub_on_tcp, q);
	if (!q->tcp_ev || event_add(q->tcp_ev, NULL) < 0) {
		stub_text(q->lasterr, sizeof(q->lasterr), "cannot watch a TCP socket");
		return -1;
	}
	return 0;
}

/* TC=1 from server: the same question over TCP to it, under the deadline
 * of the exchange. */
static void stub_tcp_start(struct stub_query *q, unsigned server)
{
	struct dns_stub *s = q->s;
	const struct stub_server *srv = &s->servers[server];
	char why[STUB_WHY_MAX];
	size_t mlen;

	stub_close_transport(q); /* the UDP sockets: the answer comes over TCP */
	s->st.tcp++;
	q->tcp_server = server;
	stub_set_state(q, STUB_TCP_CONNECT);
	if (stub_random_id(s, &q->tcp_txid) < 0) {
		stub_fail(q, "no random numbers for an ID");
		return;
	}
	mlen = stub_build_query(q, q->tcp_txid, q->tcp_out + 2);
	put16(q->tcp_out, (unsigned)mlen);
	q->tcp_outlen = mlen + 2;
	q->tcp_outoff = 0;
	q->tcp_fd = socket(srv->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (q->tcp_fd < 0 ||
	    (connect(q->tcp_fd, (const struct sockaddr *)&srv->addr, srv->addrlen) < 0 &&
	     errno != EINPROGRESS)) {
		stub_text(why, sizeof(why), "truncated answer, and TCP to %s: %s", srv->name,
			  strerror(errno));
		stub_fail(q, why);
		return;
	}
	if (stub_tcp_arm(q, EV_WRITE) < 0)
		stub_fail(q, q->lasterr);
}

/* Read from the TCP socket: the length, then the message. 1 = a message
 * is complete, 0 = wait for more, -1 = closed or error (why set). */
static int stub_tcp_read(struct stub_query *q, char *why, size_t whylen)
{
	const char *name = q->s->servers[q->tcp_server].name;

	for (;;) {
		ssize_t r;

		if (q->tcp_lenoff < 2)
			r = recv(q->tcp_fd, q->tcp_lenbuf + q->tcp_lenoff, 2 - q->tcp_lenoff, 0);
		else if (q->tcp_inoff < q->tcp_inlen)
			r = recv(q->tcp_fd, q->tcp_in + q->tcp_inoff, q->tcp_inlen - q->tcp_inoff,
				 0);
		else
			return 1;
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return 0;
			stub_text(why, whylen, "TCP from %s: %s", name, strerror(errno));
			return -1;
		}
		if (r == 0) {
			stub_text(why, whylen, "TCP from %s: closed before the answer", name);
			return -1;
		}
		if (q->tcp_lenoff < 2) {
			q->tcp_lenoff += (size_t)r;
			if (q->tcp_lenoff == 2) {
				/* at most 65535 by the framing: the cap is built in */
				q->tcp_inlen = get16(q->tcp_lenbuf);
				q->tcp_inoff = 0;
				q->tcp_in = malloc(q->tcp_inlen ? q->tcp_inlen : 1);
				if (!q->tcp_in) {
					stub_text(why, whylen, "out of memory");
					return -1;
				}
			}
		} else {
			q->tcp_inoff += (size_t)r;
		}
	}
}

/* The TCP socket of q is ready for what its state waits for. */
static void stub_on_tcp(evutil_socket_t fd, short what, void *arg)
{
	struct stub_query *q = arg;
	char why[STUB_WHY_MAX];
	const char *name = q->s->servers[q->tcp_server].name;
	int soerr = 0, rc;
	socklen_t sl = sizeof(soerr);
	ssize_t w;

	(void)what;
	switch (q->state) {
	case STUB_TCP_CONNECT:
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
			soerr = errno;
		if (soerr) {
			stub_text(why, sizeof(why), "truncated answer, and TCP to %s: %s", name,
				  strerror(soerr));
			stub_fail(q, why);
			return;
		}
		stub_set_state(q, STUB_TCP_WRITE);
		/* fall through */
	case STUB_TCP_WRITE:
		w = send(fd, q->tcp_out + q->tcp_outoff, q->tcp_outlen - q->tcp_outoff,
			 MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			stub_text(why, sizeof(why), "TCP to %s: %s", name, strerror(errno));
			stub_fail(q, why);
			return;
		}
		if (w > 0)
			q->tcp_outoff += (size_t)w;
		if (q->tcp_outoff < q->tcp_outlen) {
			if (stub_tcp_arm(q, EV_WRITE) < 0)
				stub_fail(q, q->lasterr);
			return;
		}
		q->s->st.sent++;
		q->nsent++;
		stub_set_state(q, STUB_TCP_READ);
		if (stub_tcp_arm(q, EV_READ | EV_PERSIST) < 0)
			stub_fail(q, q->lasterr);
		return;
	case STUB_TCP_READ:
		for (;;) {
			rc = stub_tcp_read(q, why, sizeof(why));
			if (rc < 0) {
				stub_fail(q, why);
				return;
			}
			if (rc == 0)
				return;
			if (stub_reply_matches(q, q->tcp_txid, q->tcp_in, q->tcp_inlen)) {
				stub_on_reply(q, q->tcp_server, q->tcp_in, q->tcp_inlen, true);
				return;
			}
			/* not ours: drop it, read the next message */
			free(q->tcp_in);
			q->tcp_in = NULL;
			q->tcp_inlen = q->tcp_inoff = q->tcp_lenoff = 0;
			if (stub_ignore(q))
				return;
		}
	case STUB_UDP:
		break;
	}
}

/* ------------------------------------------------------------------ the interface */

/* Start a query; pin >= 0 sends every try to that server (dns_stub_check). */
static int stub_query_start(struct dns_stub *s, const char *name, uint16_t type, dns_stub_cb cb,
			    void *arg, int pin, uint64_t *id)
{
	struct stub_query *q;
	int wl;

	if (!s || !name || !cb)
		return -1;
	if (s->st.inflight >= STUB_INFLIGHT_MAX) {
		log_warn("dns_stub: %u queries outstanding, not starting more", STUB_INFLIGHT_MAX);
		return -1;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return -1;
	q->s = s;
	q->cb = cb;
	q->arg = arg;
	q->qtype = type;
	q->pin = pin;
	q->tcp_fd = -1;
	for (unsigned i = 0; i < STUB_TRIES_MAX; i++)
		q->tries[i].fd = -1;
	(void)str_sanitise(q->qname, sizeof(q->qname), name, strlen(name));
	wl = stub_name_to_wire(name, q->qwire, sizeof(q->qwire));
	if (wl < 0) {
		log_warn("dns_stub: not a domain name: '%s'", q->qname);
		goto fail;
	}
	q->qwlen = (size_t)wl;
	q->retry = evtimer_new(s->base, stub_on_retry, q);
	q->deadline = evtimer_new(s->base, stub_on_deadline, q);
	if (!q->retry || !q->deadline)
		goto fail;
	TAILQ_INSERT_TAIL(&s->queries, q, link);
	s->st.inflight++;
	if (stub_exchange_start(q, pin >= 0 ? (unsigned)pin : s->next_server % s->nservers) < 0) {
		log_warn("dns_stub: cannot query %s: %s", q->qname, q->lasterr);
		TAILQ_REMOVE(&s->queries, q, link);
		s->st.inflight--;
		goto fail;
	}
	if (pin < 0)
		s->next_server = (s->next_server + 1) % s->nservers;
	q->id = ++s->next_id;
	s->st.queries++;
	if (id)
		*id = q->id;
	return 0;
fail:
	stub_query_free(q);
	return -1;
}

int dns_stub_query(struct dns_stub *s, const char *name, uint16_t type, dns_stub_cb cb, void *arg,
		   uint64_t *id)
{
	return stub_query_start(s, name, type, cb, arg, -1, id);
}

void dns_stub_cancel(struct dns_stub *s, uint64_t id)
{
	struct stub_query *q;

	if (!s)
		return;
	TAILQ_FOREACH(q, &s->queries, link)
	if (q->id == id) {
		TAILQ_REMOVE(&s->queries, q, link);
		s->st.inflight--;
		stub_query_free(q);
		return;
	}
}

void dns_stub_free(struct dns_stub *s)
{
	struct stub_query *q;

	if (!s)
		return;
	while ((q = TAILQ_FIRST(&s->queries)) != NULL) {
		TAILQ_REMOVE(&s->queries, q, link);
		stub_query_free(q);
	}
	free(s);
}

/* ------------------------------------------------------------------ for the fuzzer */

int dns_stub_inspect_reply(const uint8_t *m, size_t len, uint16_t txid, const char *qname,
			   uint16_t qtype, char *ede, size_t edelen)
{
	/* only the question of a query is read by stub_reply_matches */
	struct stub_query q;
	int wl;

	if (ede && edelen)
		ede[0] = '\0';
	else
		ede = NULL; /* stub_walk writes ede[0] whenever it has one */
	if (!qname || (!m && len))
		return -1;
	memset(&q, 0, sizeof(q));
	q.qtype = qtype;
	wl = stub_name_to_wire(qname, q.qwire, sizeof(q.qwire));
	if (wl < 0)
		return -1;
	q.qwlen = (size_t)wl;
	/* as stub_on_udp and stub_on_tcp: a reply that does not match is dropped */
	if (len > STUB_MSG_MAX || !stub_reply_matches(&q, txid, m, len))
		return 0;
	/* as stub_cd_start keeps the EDE of a SERVFAIL; done for every accepted
	 * reply here so that the fuzzer reaches the option parser whatever the
	 * rcode (a malformed TC=1 reply leaves ede as far as the walk got) */
	if (ede)
		(void)stub_walk(m, len, ede, edelen);
	return 1;
}

/* ------------------------------------------------------------------ start-up check */

struct stub_check {
	bool done;
	int outcome;
	unsigned flags; /* of the reply, when outcome == 0 */
	enum dns_stub_sec sec;
	char why[STUB_WHY_MAX];
};

static void stub_check_cb(void *arg, int outcome, const uint8_t *wire, size_t len,
			  enum dns_stub_sec sec, const char *why)
{
	struct stub_check *c = arg;

	c->done = true;
	c->outcome = outcome;
	c->flags = wire && len >= 12 ? get16(wire + 2) : 0;
	c->sec = sec;
	(void)str_copy(c->why, sizeof(c->why), why);
}

/* What is wrong with server's answer to ". SOA", into err; 0 when nothing. */
static int stub_check_judge(const struct stub_server *srv, const struct stub_check *c, char *err,
			    size_t errlen)
{
	unsigned rcode = c->flags & 0xf;

	if (c->sec == STUB_SEC_BOGUS) {
		stub_text(err, errlen,
			  "resolver %s cannot validate the root (%s); check its trust anchor",
			  srv->name, c->why);
		return -1;
	}
	if (rcode == RCODE_REFUSED) {
		stub_text(err, errlen,
			  "resolver %s refuses our queries (REFUSED; check its access-control)",
			  srv->name);
		return -1;
	}
	if (rcode != RCODE_NOERROR) {
		stub_text(err, errlen, "resolver %s answers the root SOA with rcode %u%s%s",
			  srv->name, rcode, c->why[0] ? ": " : "", c->why);
		return -1;
	}
	if (c->sec == STUB_SEC_UNTRUSTED) {
		log_warn("resolver %s is not on a trusted path: its AD bit is not believed and "
			 "DNSSEC is reported as not testable (--resolver-trusted vouches for it)",
			 srv->name);
		return 0;
	}
	if (c->sec != STUB_SEC_SECURE) {
		stub_text(err, errlen,
			  "resolver %s does not validate DNSSEC (no AD bit on the root SOA); "
			  "configure a trust anchor",
			  srv->name);
		return -1;
	}
	return 0;
}

int dns_stub_check(struct dns_stub *s, char *err, size_t errlen)
{
	struct stub_check c[STUB_SERVERS_MAX];
	char dead[512];
	unsigned i, pending = 0, answered = 0;
	size_t dl = 0;
	int rc = -1;

	memset(c, 0, sizeof(c));
	dead[0] = '\0';
	for (i = 0; i < s->nservers; i++) {
		if (stub_query_start(s, ".", DNS_T_SOA, stub_check_cb, &c[i], (int)i, NULL) < 0) {
			c[i].done = true;
			c[i].outcome = DNS_FAILURE;
			stub_text(c[i].why, sizeof(c[i].why), "cannot send a query");
			continue;
		}
		pending++;
	}
	while (pending) {
		int r = event_base_loop(s->base, EVLOOP_ONCE);

		if (r != 0) { /* -1: error; 1: nothing left to wait for (cannot be) */
			stub_text(err, errlen, "resolver check: the event loop stopped");
			goto out;
		}
		for (pending = 0, i = 0; i < s->nservers; i++)
			pending += !c[i].done;
	}
	for (i = 0; i < s->nservers; i++) {
		if (c[i].outcome != 0) {
			int n = snprintf(dead + dl, sizeof(dead) - dl, "%s%s: %s", dl ? "; " : "",
					 s->servers[i].name, c[i].why);

			if (n > 0 && (size_t)n < sizeof(dead) - dl)
				dl += (size_t)n;
			continue;
		}
		answered++;
		if (stub_check_judge(&s->servers[i], &c[i], err, errlen) < 0)
			goto out;
	}
	if (!answered) {
		stub_text(err, errlen, "no resolver answers (%s)", dead);
		goto out;
	}
	if (dead[0])
		log_warn("resolver check: some resolvers do not answer: %s", dead);
	rc = 0;
out:
	/* after a loop error queries may still be out: their callbacks point
	 * into c, so they go now */
	for (i = 0; i < s->nservers; i++)
		if (!c[i].done) {
			struct stub_query *q, *next;

			for (q = TAILQ_FIRST(&s->queries); q; q = next) {
				next = TAILQ_NEXT(q, link);
				if (q->arg == &c[i])
					dns_stub_cancel(s, q->id);
			}
		}
	return rc;
}
