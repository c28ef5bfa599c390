/*
 * test_dns_stub.c - the DNS stub client (probes/dns_stub.c) against a fake
 * resolver on 127.0.0.1 with an ephemeral port, UDP and TCP, driven by the
 * same libevent base as the client. The fake answers the way each case
 * needs: AD or not, a wrong ID or a garbage datagram before the answer, an
 * answer to another question, TC=1 and then the answer over TCP (written in
 * two pieces), SERVFAIL with an Extended DNS Error and then an answer to
 * CD=1, SERVFAIL twice, silence, the answer only to a retransmission. No lab
 * needed; nothing leaves 127.0.0.1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unbound.h>
#include <unistd.h>

#include "../../base/log.h"
#include "../../probes/dns.h"
#include "../../probes/dns_stub.h"
#include "../../probes/dns_ub.h"
#include "dnsmsg.h"
#include "unit.h"

#define T_MS 300 /* the stub's timeout in these tests */
#define EDE_TEXT "signature crypto failed from 192.0.2.53"

enum fake_mode {
	FAKE_AD,          /* NOERROR, AD=1, one MX */
	FAKE_NOAD,        /* NOERROR, AD=0 */
	FAKE_NX_AD,       /* NXDOMAIN, AD=1 */
	FAKE_WRONG_ID,    /* the answer with another ID first, then the right one */
	FAKE_GARBAGE,     /* 5 octets, then a query (QR=0), then the answer */
	FAKE_MALFORMED,   /* records beyond the message, another type, then the answer */
	FAKE_UPPER,       /* the question in upper case (RFC 4343): accepted */
	FAKE_OTHER_Q,     /* only an answer to another name */
	FAKE_TC,          /* TC=1 over UDP; 30 MX over TCP, in two pieces */
	FAKE_SERVFAIL_CD, /* SERVFAIL with EDE 6; with CD=1 an answer */
	FAKE_SERVFAIL,    /* SERVFAIL, also with CD=1 */
	FAKE_SILENT,      /* reads, never answers */
	FAKE_SECOND,      /* ignores the first datagram, answers the others */
};

struct fake {
	struct event_base *base;
	enum fake_mode mode;
	int udp, tcp, conn;
	uint16_t port;
	struct event *uev, *tev, *cev, *later;
	unsigned queries, cd_queries, tcp_queries;
	unsigned last_flags, last_edns_size;
	bool last_do, last_opt;
	uint8_t cbuf[1024]; /* the TCP query being read */
	size_t clen;
	uint8_t rest[4096]; /* the second piece of the TCP answer */
	size_t restlen;
};

struct fq { /* a query as the fake read it */
	uint16_t id;
	unsigned flags;
	const uint8_t *question; /* name, type, class */
	size_t qlen;
	uint16_t qtype;
};

static uint16_t g16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

/* Read a query: header, question (no compression), the OPT record. */
static int fake_parse(struct fake *f, const uint8_t *q, size_t len, struct fq *out)
{
	size_t off = 12;

	if (len < 12)
		return -1;
	out->id = g16(q);
	out->flags = g16(q + 2);
	while (off < len && q[off] != 0)
		off += 1u + q[off];
	if (off + 5 > len)
		return -1;
	out->qtype = g16(q + off + 1);
	out->question = q + 12;
	out->qlen = off + 5 - 12;
	off += 5;
	f->last_flags = out->flags;
	f->last_opt = g16(q + 10) == 1 && off + 11 <= len && q[off] == 0 && g16(q + off + 1) == 41;
	if (f->last_opt) {
		f->last_edns_size = g16(q + off + 3);
		f->last_do = (g16(q + off + 7) & 0x8000) != 0;
	}
	return 0;
}

/*
 * A reply to query fq: flags (QR, RD, RA added), nmx MX records for the
 * name asked (when it asked MX), an OPT record (with an EDE option when ede
 * is set). upper: the question in upper case; other: the question replaced.
 */
static void fake_reply(const struct fq *fq, uint16_t id, unsigned flags, unsigned nmx, bool upper,
		       const char *other, const char *ede, struct tmsg *m)
{
	size_t i;

	m->n = 0;
	if (fq->qtype != DNS_T_MX)
		nmx = 0;
	tmsg16(m, id);
	tmsg16(m, 0x8000u | 0x0100u | 0x0080u | flags);
	tmsg16(m, 1);
	tmsg16(m, nmx);
	tmsg16(m, 0);
	tmsg16(m, 1);
	if (other) {
		tmsg_name(m, other);
		tmsg16(m, fq->qtype);
		tmsg16(m, 1);
	} else {
		for (i = 0; i < fq->qlen; i++) {
			uint8_t c = fq->question[i];

			tmsg8(m, upper && c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
		}
	}
	for (i = 0; i < nmx; i++) {
		char mx[32];

		tmsg16(m, 0xc00c); /* the name asked */
		tmsg16(m, DNS_T_MX);
		tmsg16(m, 1);
		tmsg16(m, 0);
		tmsg16(m, 300);
		tmsg16(m, 2 + 14);
		tmsg16(m, (unsigned)(10 + i));
		(void)snprintf(mx, sizeof(mx), "mx%02u.example", (unsigned)i % 100);
		tmsg_name(m, mx);
	}
	tmsg8(m, 0); /* OPT */
	tmsg16(m, 41);
	tmsg16(m, 1232);
	tmsg16(m, 0);
	tmsg16(m, 0x8000);
	if (ede) {
		tmsg16(m, 4 + 2 + strlen(ede));
		tmsg16(m, 15);
		tmsg16(m, 2 + strlen(ede));
		tmsg16(m, 6);
		memcpy(m->b + m->n, ede, strlen(ede));
		m->n += strlen(ede);
	} else {
		tmsg16(m, 0);
	}
}

static void fake_send(int fd, const struct sockaddr_storage *to, socklen_t tolen, const void *b,
		      size_t n)
{
	if (sendto(fd, b, n, 0, (const struct sockaddr *)to, tolen) != (ssize_t)n)
		(void)printf("fake: sendto: %s\n", strerror(errno));
}

static void fake_on_udp(evutil_socket_t fd, short what, void *arg)
{
	struct fake *f = arg;
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	uint8_t q[1024];
	ssize_t r;
	struct fq fq;
	struct tmsg m;
	static const uint8_t junk[5] = {1, 2, 3, 4, 5};

	(void)what;
	r = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
	if (r < 0 || fake_parse(f, q, (size_t)r, &fq) < 0)
		return;
	f->queries++;
	if (fq.flags & 0x0010)
		f->cd_queries++;
	switch (f->mode) {
	case FAKE_AD:
		fake_reply(&fq, fq.id, 0x0020, 1, false, NULL, NULL, &m);
		break;
	case FAKE_NOAD:
		fake_reply(&fq, fq.id, 0, 1, false, NULL, NULL, &m);
		break;
	case FAKE_NX_AD:
		fake_reply(&fq, fq.id, 0x0020 | 3, 0, false, NULL, NULL, &m);
		break;
	case FAKE_WRONG_ID:
		fake_reply(&fq, (uint16_t)(fq.id ^ 0x5a5a), 0x0020, 1, false, NULL, NULL, &m);
		fake_send(fd, &from, fl, m.b, m.n);
		fake_reply(&fq, fq.id, 0x0020, 1, false, NULL, NULL, &m);
		break;
	case FAKE_GARBAGE:
		fake_send(fd, &from, fl, junk, sizeof(junk));
		fake_send(fd, &from, fl, q, (size_t)r); /* the query itself: QR=0 */
		fake_reply(&fq, fq.id, 0x0020, 1, false, NULL, NULL, &m);
		break;
	case FAKE_MALFORMED:
		fake_reply(&fq, fq.id, 0x0020, 1, false, NULL, NULL, &m);
		m.b[7] = 5; /* five answers, one there */
		fake_send(fd, &from, fl, m.b, m.n);
		fake_reply(&fq, fq.id, 0x0020, 1, false, NULL, NULL, &m);
		m.b[12 + fq.qlen - 3] = DNS_T_A; /* the question's type */
		fake_send(fd, &from, fl, m.b, m.n);
		fake_reply(&fq, fq.id, 0x0020, 1, false, NULL, NULL, &m);
		break;
	case FAKE_UPPER:
		fake_reply(&fq, fq.id, 0x0020, 1, true, NULL, NULL, &m);
		break;
	case FAKE_OTHER_Q:
		fake_reply(&fq, fq.id, 0x0020, 1, false, "other.example", NULL, &m);
		break;
	case FAKE_TC:
		fake_reply(&fq, fq.id, 0x0020 | 0x0200, 0, false, NULL, NULL, &m);
		break;
	case FAKE_SERVFAIL_CD:
		if (fq.flags & 0x0010)
			fake_reply(&fq, fq.id, 0, 1, false, NULL, NULL, &m);
		else
			fake_reply(&fq, fq.id, 2, 0, false, NULL, EDE_TEXT, &m);
		break;
	case FAKE_SERVFAIL:
		fake_reply(&fq, fq.id, 2, 0, false, NULL, NULL, &m);
		break;
	case FAKE_SILENT:
		return;
	case FAKE_SECOND:
		if (f->queries == 1)
			return;
		fake_reply(&fq, fq.id, 0x0020, 1, false, NULL, NULL, &m);
		break;
	}
	fake_send(fd, &from, fl, m.b, m.n);
}

/* The second piece of a TCP answer, a little later (partial reads). */
static void fake_on_later(evutil_socket_t fd, short what, void *arg)
{
	struct fake *f = arg;

	(void)fd;
	(void)what;
	if (f->conn >= 0 && send(f->conn, f->rest, f->restlen, MSG_NOSIGNAL) != (ssize_t)f->restlen)
		(void)printf("fake: tcp send: %s\n", strerror(errno));
}

static void fake_on_conn(evutil_socket_t fd, short what, void *arg)
{
	struct fake *f = arg;
	ssize_t r;
	struct fq fq;
	struct tmsg m;
	uint8_t framed[sizeof(m.b) + 2];
	static const struct timeval soon = {0, 20000};

	(void)what;
	r = recv(fd, f->cbuf + f->clen, sizeof(f->cbuf) - f->clen, 0);
	if (r <= 0) {
		event_del(f->cev);
		return;
	}
	f->clen += (size_t)r;
	if (f->clen < 2 || f->clen < 2u + g16(f->cbuf))
		return;
	if (fake_parse(f, f->cbuf + 2, g16(f->cbuf), &fq) < 0)
		return;
	f->tcp_queries++;
	fake_reply(&fq, fq.id, 0x0020, 30, false, NULL, NULL, &m);
	framed[0] = (uint8_t)(m.n >> 8);
	framed[1] = (uint8_t)(m.n & 0xff);
	memcpy(framed + 2, m.b, m.n);
	/* one octet of the length now, the rest 20 ms later */
	if (send(fd, framed, 1, MSG_NOSIGNAL) != 1)
		(void)printf("fake: tcp send: %s\n", strerror(errno));
	memcpy(f->rest, framed + 1, m.n + 1);
	f->restlen = m.n + 1;
	f->clen = 0;
	if (evtimer_add(f->later, &soon) < 0)
		(void)printf("fake: evtimer_add failed\n");
}

static void fake_on_accept(evutil_socket_t fd, short what, void *arg)
{
	struct fake *f = arg;
	int c = accept(fd, NULL, NULL);

	(void)what;
	if (c < 0)
		return;
	if (f->conn >= 0) { /* one connection at a time is all the tests need */
		(void)close(c);
		return;
	}
	f->conn = c;
	f->clen = 0;
	f->cev = event_new(f->base, c, EV_READ | EV_PERSIST, fake_on_conn, f);
	if (!f->cev || event_add(f->cev, NULL) < 0)
		(void)printf("fake: cannot watch the connection\n");
}

/* A fake that holds nothing (fake_stop on it does nothing). */
static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->udp = f->tcp = f->conn = -1;
}

/* Bind UDP and TCP to the same ephemeral port on 127.0.0.1. */
static int fake_start(struct fake *f, struct event_base *base, enum fake_mode mode)
{
	int tries;

	fake_init(f);
	f->base = base;
	f->mode = mode;
	for (tries = 0; tries < 20; tries++) {
		struct sockaddr_in a;
		socklen_t al = sizeof(a);
		int one = 1;

		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		f->udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		if (f->udp < 0 || bind(f->udp, (struct sockaddr *)&a, sizeof(a)) < 0 ||
		    getsockname(f->udp, (struct sockaddr *)&a, &al) < 0)
			return -1;
		f->tcp = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (f->tcp < 0 ||
		    setsockopt(f->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
			return -1;
		if (bind(f->tcp, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(f->tcp, 8) == 0) {
			f->port = ntohs(a.sin_port);
			break;
		}
		(void)close(f->udp);
		(void)close(f->tcp);
		f->udp = f->tcp = -1;
	}
	if (!f->port)
		return -1;
	f->uev = event_new(base, f->udp, EV_READ | EV_PERSIST, fake_on_udp, f);
	f->tev = event_new(base, f->tcp, EV_READ | EV_PERSIST, fake_on_accept, f);
	f->later = evtimer_new(base, fake_on_later, f);
	if (!f->uev || !f->tev || !f->later || event_add(f->uev, NULL) < 0 ||
	    event_add(f->tev, NULL) < 0)
		return -1;
	return 0;
}

static void fake_stop(struct fake *f)
{
	if (f->uev)
		event_free(f->uev);
	if (f->tev)
		event_free(f->tev);
	if (f->cev)
		event_free(f->cev);
	if (f->later)
		event_free(f->later);
	if (f->udp >= 0)
		(void)close(f->udp);
	if (f->tcp >= 0)
		(void)close(f->tcp);
	if (f->conn >= 0)
		(void)close(f->conn);
	fake_init(f);
}

/* ------------------------------------------------------------------ the client side */

struct result {
	unsigned calls;
	int outcome;
	enum dns_stub_sec sec;
	char why[400];
	int rcode;
	unsigned flags;
	size_t n;                  /* MX records, by dns_answer_from_wire */
	enum dns_status status;    /* by dns_answer_from_wire */
	bool during_query;         /* called from inside dns_stub_query */
	struct dns_stub **free_me; /* free the stub from the callback */
};

static bool in_query;

static void on_result(void *arg, int outcome, const uint8_t *wire, size_t len,
		      enum dns_stub_sec sec, const char *why)
{
	struct result *r = arg;

	r->calls++;
	r->during_query = r->during_query || in_query;
	r->outcome = outcome;
	r->sec = sec;
	(void)snprintf(r->why, sizeof(r->why), "%s", why ? why : "(null)");
	r->rcode = -1;
	if (outcome == 0 && wire && len >= 12) {
		struct dns_answer a;

		r->flags = (unsigned)((wire[2] << 8) | wire[3]);
		r->rcode = wire[3] & 0xf;
		memset(&a, 0, sizeof(a));
		a.qname = "example.nl";
		a.qtype = DNS_T_MX;
		dns_answer_from_wire(&a, wire, len, 0);
		r->n = a.n;
		r->status = a.status;
		dns_answer_free(&a);
	}
	if (r->free_me) {
		dns_stub_free(*r->free_me);
		*r->free_me = NULL;
	}
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	*(bool *)arg = true;
}

/* Run base until r has its answer (or ms pass). */
static void run_for(struct event_base *base, struct result *r, unsigned ms)
{
	bool stop = false;
	struct timeval tv = {ms / 1000, (suseconds_t)(ms % 1000) * 1000};
	struct event *t = evtimer_new(base, on_stop, &stop);

	if (!t || evtimer_add(t, &tv) < 0) {
		CHECK(!"cannot arm the test timer");
		return;
	}
	while (!stop && (!r || !r->calls))
		if (event_base_loop(base, EVLOOP_ONCE) != 0)
			break;
	event_free(t);
}

static double now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static struct dns_stub *stub_for(struct event_base *base, const struct fake *f, unsigned ms)
{
	char servers[64], err[256];
	struct dns_stub *s;

	(void)snprintf(servers, sizeof(servers), "127.0.0.1@%u", (unsigned)f->port);
	s = dns_stub_new(base, servers, false, ms, err, sizeof(err));
	if (!s)
		(void)printf("dns_stub_new(%s): %s\n", servers, err);
	return s;
}

/* One query of example.nl MX to a fake in mode; the result in r. */
static void ask(enum fake_mode mode, bool untrusted, struct result *r, struct fake *f,
		struct dns_stub_stats *st)
{
	struct event_base *base = event_base_new();
	struct dns_stub *s = NULL;
	uint64_t id = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	memset(st, 0, sizeof(*st));
	fake_init(f);
	if (!base || fake_start(f, base, mode) < 0 || !(s = stub_for(base, f, T_MS))) {
		CHECK(!"cannot set up the fake resolver");
		goto out;
	}
	if (untrusted)
		dns_stub_set_trust_for_tests(s, false);
	in_query = true;
	rc = dns_stub_query(s, "Example.NL.", DNS_T_MX, on_result, r, &id);
	in_query = false;
	CHECK_INT(rc, 0);
	CHECK(id != 0);
	CHECK_INT(r->calls, 0); /* never from inside dns_stub_query */
	run_for(base, r, 3 * T_MS);
	dns_stub_get_stats(s, st);
	CHECK_INT(st->inflight, 0);
	CHECK_INT(dns_stub_queries(s), 1);
out:
	dns_stub_free(s);
	if (base) {
		struct fake keep = *f;

		fake_stop(f);
		/* keep the counters for the caller */
		f->queries = keep.queries;
		f->cd_queries = keep.cd_queries;
		f->tcp_queries = keep.tcp_queries;
		f->last_flags = keep.last_flags;
		f->last_do = keep.last_do;
		f->last_opt = keep.last_opt;
		f->last_edns_size = keep.last_edns_size;
		event_base_free(base);
	}
}

void test_dns_stub_trust(void)
{
	static const struct {
		const char *addr;
		bool trusted;
	} cases[] = {
	    {"127.0.0.1", true},        {"127.53.0.53", true},
	    {"127.255.255.254", true},  {"::1", true},
	    {"::ffff:127.0.0.1", true}, {"192.0.2.1", false},
	    {"10.0.0.1", false},        {"126.255.255.255", false},
	    {"128.0.0.1", false},       {"0.0.0.0", false},
	    {"2001:db8::1", false},     {"::", false},
	    {"::ffff:10.0.0.1", false}, {"::2", false},
	};
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		struct sockaddr_storage ss;

		unit_case("%s", cases[i].addr);
		memset(&ss, 0, sizeof(ss));
		if (strchr(cases[i].addr, ':')) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

			a->sin6_family = AF_INET6;
			CHECK_INT(inet_pton(AF_INET6, cases[i].addr, &a->sin6_addr), 1);
		} else {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;

			a->sin_family = AF_INET;
			CHECK_INT(inet_pton(AF_INET, cases[i].addr, &a->sin_addr), 1);
		}
		CHECK_INT(dns_stub_addr_trusted((struct sockaddr *)&ss), cases[i].trusted);
	}
	unit_case("%s", "");
	CHECK(!dns_stub_addr_trusted(NULL));
}

void test_dns_stub_servers(void)
{
	static const struct {
		const char *servers;
		const char *err; /* NULL: accepted; else a part of the message */
	} cases[] = {
	    {"127.0.0.1", NULL},
	    {"127.0.0.1@5353", NULL},
	    {"::1", NULL},
	    {"::1@53", NULL},
	    {"127.0.0.1, ::1@5300,192.0.2.1", NULL},
	    {"", "no server"},
	    {"foo", "resolver 'foo': 'foo' is not an IPv4 or IPv6 address"},
	    {"127.0.0.1,resolver.example@53", "'resolver.example@53'"},
	    {"127.0.0.1@", "resolver '127.0.0.1@': the port is not a number from 1 to 65535"},
	    {"127.0.0.1@0", "port"},
	    {"127.0.0.1@65536", "port"},
	    {"127.0.0.1@53x", "port"},
	    {"127.0.0.1@-1", "port"},
	    {"127.0.0.1,,::1", "empty item"},
	    {"127.0.0.1,", "empty item"},
	    {"@53", "no address"},
	    {"[::1]@53", "is not an IPv4 or IPv6 address"},
	    {"fe80::1%eth0", "is not an IPv4 or IPv6 address"},
	    {"127.0.0.1:53", "is not an IPv4 or IPv6 address"},
	    {"1.2.3.4,1.2.3.4,1.2.3.4,1.2.3.4,1.2.3.4,1.2.3.4,1.2.3.4,1.2.3.4,"
	     "1.2.3.4,1.2.3.4,1.2.3.4,1.2.3.4,1.2.3.4,1.2.3.4,1.2.3.4,1.2.3.4,1.2.3.4",
	     "more than 16"},
	    {"1111111111111111111111111111111111111111111111111111111111111111111111", "too long"},
	};
	struct event_base *base = event_base_new();
	size_t i;

	if (!CHECK(base != NULL))
		return;
	for (i = 0; i < UNIT_COUNT(cases); i++) {
		char err[256] = "";
		struct dns_stub *s;

		unit_case("'%s'", cases[i].servers);
		s = dns_stub_new(base, cases[i].servers, false, 1000, err, sizeof(err));
		if (!cases[i].err) {
			CHECK(s != NULL);
		} else {
			CHECK(s == NULL);
			if (!CHECK(strstr(err, cases[i].err) != NULL))
				(void)printf("    message: %s\n", err);
		}
		dns_stub_free(s);
	}
	unit_case("%s", "");
	event_base_free(base);
}

void test_dns_stub_answers(void)
{
	static const struct {
		enum fake_mode mode;
		const char *name;
		enum dns_stub_sec sec;
		int rcode;
		size_t n;
		unsigned long ignored;
	} cases[] = {
	    {FAKE_AD, "AD=1", STUB_SEC_SECURE, 0, 1, 0},
	    {FAKE_NOAD, "AD=0", STUB_SEC_INSECURE, 0, 1, 0},
	    {FAKE_NX_AD, "NXDOMAIN AD=1", STUB_SEC_SECURE, 3, 0, 0},
	    {FAKE_WRONG_ID, "wrong ID first", STUB_SEC_SECURE, 0, 1, 1},
	    {FAKE_GARBAGE, "garbage and a query first", STUB_SEC_SECURE, 0, 1, 2},
	    {FAKE_MALFORMED, "malformed and another type first", STUB_SEC_SECURE, 0, 1, 2},
	    {FAKE_UPPER, "question in upper case", STUB_SEC_SECURE, 0, 1, 0},
	};
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		struct result r;
		struct fake f;
		struct dns_stub_stats st;

		unit_case("%s", cases[i].name);
		ask(cases[i].mode, false, &r, &f, &st);
		CHECK_INT(r.calls, 1);
		CHECK(!r.during_query);
		CHECK_INT(r.outcome, 0);
		CHECK_INT(r.sec, cases[i].sec);
		CHECK_INT(r.rcode, cases[i].rcode);
		CHECK_INT(r.n, cases[i].n);
		CHECK_INT(r.status, cases[i].rcode == 3 ? DNS_NXDOMAIN : DNS_OK);
		CHECK_STR(r.why, "");
		CHECK_INT(st.ignored, cases[i].ignored);
		CHECK_INT(f.queries, 1);
		/* the query: RD, AD, no CD, EDNS0 with DO and 1232 */
		CHECK_INT(f.last_flags & 0x0100, 0x0100);
		CHECK_INT(f.last_flags & 0x0020, 0x0020);
		CHECK_INT(f.last_flags & 0x0010, 0);
		CHECK(f.last_opt);
		CHECK(f.last_do);
		CHECK_INT(f.last_edns_size, 1232);
	}
	unit_case("%s", "");
}

void test_dns_stub_untrusted(void)
{
	struct result r;
	struct fake f;
	struct dns_stub_stats st;

	unit_case("AD=1 from an untrusted server");
	ask(FAKE_AD, true, &r, &f, &st);
	CHECK_INT(r.outcome, 0);
	CHECK_INT(r.sec, STUB_SEC_UNTRUSTED);
	CHECK_INT(r.n, 1);

	unit_case("SERVFAIL, then an answer to CD=1, from an untrusted server");
	ask(FAKE_SERVFAIL_CD, true, &r, &f, &st);
	CHECK_INT(r.outcome, 0);
	CHECK_INT(r.sec, STUB_SEC_UNTRUSTED);
	CHECK_INT(r.rcode, 0);
	CHECK_INT(st.bogus, 0);
	CHECK(strstr(r.why, "not on a trusted path") != NULL);
	unit_case("%s", "");
}

void test_dns_stub_tcp(void)
{
	struct result r;
	struct fake f;
	struct dns_stub_stats st;

	ask(FAKE_TC, false, &r, &f, &st);
	CHECK_INT(r.calls, 1);
	CHECK_INT(r.outcome, 0);
	CHECK_INT(r.sec, STUB_SEC_SECURE);
	CHECK_INT(r.flags & 0x0200, 0); /* the TCP answer, not the truncated one */
	CHECK_INT(r.n, 30);
	CHECK_INT(r.status, DNS_OK);
	CHECK_INT(st.tcp, 1);
	CHECK_INT(f.queries, 1);
	CHECK_INT(f.tcp_queries, 1);
	CHECK(f.last_do);
}

void test_dns_stub_servfail(void)
{
	struct result r;
	struct fake f;
	struct dns_stub_stats st;

	unit_case("SERVFAIL with EDE, an answer to CD=1: bogus");
	ask(FAKE_SERVFAIL_CD, false, &r, &f, &st);
	CHECK_INT(r.calls, 1);
	CHECK_INT(r.outcome, 0);
	CHECK_INT(r.sec, STUB_SEC_BOGUS);
	CHECK_INT(r.rcode, 0);
	CHECK_INT(r.n, 1);
	CHECK_STR(r.why, "validation failed at the resolver: EDE 6 (DNSSEC Bogus): " EDE_TEXT);
	CHECK_INT(f.queries, 2);
	CHECK_INT(f.cd_queries, 1);
	CHECK_INT(f.last_flags & 0x0010, 0x0010);
	CHECK_INT(st.cd_retry, 1);
	CHECK_INT(st.bogus, 1);

	unit_case("SERVFAIL twice: the SERVFAIL");
	ask(FAKE_SERVFAIL, false, &r, &f, &st);
	CHECK_INT(r.calls, 1);
	CHECK_INT(r.outcome, 0);
	CHECK_INT(r.rcode, 2);
	CHECK_INT(r.sec, STUB_SEC_INSECURE);
	CHECK_INT(r.status, DNS_SERVFAIL);
	CHECK(strstr(r.why, "SERVFAIL from 127.0.0.1@") == r.why);
	CHECK(strstr(r.why, "; with CD=1: SERVFAIL too (the lookup failed, not validation)") !=
	      NULL);
	CHECK_INT(f.queries, 2);
	CHECK_INT(f.cd_queries, 1);
	CHECK_INT(st.bogus, 0);
	unit_case("%s", "");
}

void test_dns_stub_timeout(void)
{
	struct result r;
	struct fake f, g;
	struct dns_stub_stats st;
	struct event_base *base;
	struct dns_stub *s;
	char servers[64], err[256];
	double t0, dt;

	unit_case("silence");
	t0 = now_ms();
	ask(FAKE_SILENT, false, &r, &f, &st);
	dt = now_ms() - t0;
	CHECK_INT(r.calls, 1);
	CHECK_INT(r.outcome, DNS_TIMEOUT);
	CHECK(r.why[0] != '\0');
	/* libevent's clock is CLOCK_MONOTONIC_COARSE (4 ms ticks): a timer may
	 * fire a few ms before this test's precise clock says it is due */
	if (!CHECK(dt >= T_MS - 15 && dt < T_MS + 250))
		(void)printf("    took %.1f ms\n", dt);
	CHECK_INT(f.queries, 3); /* at 0, T/3, 2T/3 */
	CHECK_INT(st.timeouts, 1);

	unit_case("only an answer to another question");
	ask(FAKE_OTHER_Q, false, &r, &f, &st);
	CHECK_INT(r.outcome, DNS_TIMEOUT);
	CHECK_INT(st.ignored, 3);

	unit_case("an answer to the retransmission");
	t0 = now_ms();
	ask(FAKE_SECOND, false, &r, &f, &st);
	dt = now_ms() - t0;
	CHECK_INT(r.outcome, 0);
	CHECK_INT(r.sec, STUB_SEC_SECURE);
	CHECK_INT(f.queries, 2);
	CHECK(dt >= T_MS / 3 - 15 && dt < T_MS);

	unit_case("first server silent, the second answers");
	base = event_base_new();
	if (!CHECK(base != NULL) || !CHECK(fake_start(&f, base, FAKE_SILENT) == 0) ||
	    !CHECK(fake_start(&g, base, FAKE_AD) == 0))
		return;
	(void)snprintf(servers, sizeof(servers), "127.0.0.1@%u,127.0.0.1@%u", (unsigned)f.port,
		       (unsigned)g.port);
	s = dns_stub_new(base, servers, false, T_MS, err, sizeof(err));
	if (CHECK(s != NULL)) {
		memset(&r, 0, sizeof(r));
		CHECK_INT(dns_stub_query(s, "example.nl", DNS_T_MX, on_result, &r, NULL), 0);
		run_for(base, &r, 3 * T_MS);
		CHECK_INT(r.outcome, 0);
		CHECK_INT(r.sec, STUB_SEC_SECURE);
		CHECK_INT(f.queries, 1);
		CHECK_INT(g.queries, 1);
		/* the next query starts at the second server: no wait */
		memset(&r, 0, sizeof(r));
		t0 = now_ms();
		CHECK_INT(dns_stub_query(s, "example.nl", DNS_T_MX, on_result, &r, NULL), 0);
		run_for(base, &r, 3 * T_MS);
		CHECK_INT(r.outcome, 0);
		CHECK(now_ms() - t0 < T_MS / 3);
		CHECK_INT(g.queries, 2);
	}
	dns_stub_free(s);
	fake_stop(&f);
	fake_stop(&g);

	unit_case("nothing listens: refused at once");
	/* a port that was free a moment ago */
	if (CHECK(fake_start(&f, base, FAKE_SILENT) == 0)) {
		(void)snprintf(servers, sizeof(servers), "127.0.0.1@%u", (unsigned)f.port);
		fake_stop(&f);
		s = dns_stub_new(base, servers, false, T_MS, err, sizeof(err));
		if (CHECK(s != NULL)) {
			memset(&r, 0, sizeof(r));
			t0 = now_ms();
			CHECK_INT(dns_stub_query(s, "example.nl", DNS_T_MX, on_result, &r, NULL),
				  0);
			run_for(base, &r, 3 * T_MS);
			CHECK_INT(r.outcome, DNS_FAILURE);
			CHECK(strstr(r.why, "refused") != NULL);
			CHECK(now_ms() - t0 < T_MS / 3);
		}
		dns_stub_free(s);
	}
	unit_case("%s", "");
	event_base_free(base);
}

void test_dns_stub_cancel(void)
{
	struct event_base *base = event_base_new();
	struct fake f;
	struct dns_stub *s = NULL;
	struct result r[4];
	uint64_t id[4];
	size_t i;
	enum log_level level;

	if (!CHECK(base != NULL) || !CHECK(fake_start(&f, base, FAKE_AD) == 0))
		return;
	memset(r, 0, sizeof(r));
	s = stub_for(base, &f, T_MS);
	if (!CHECK(s != NULL))
		goto out;

	unit_case("bad names are refused, cb never called");
	level = log_get_level();
	log_set_level(LOG_ERR); /* the warnings are expected here */
	CHECK_INT(dns_stub_query(s, "a..example", DNS_T_MX, on_result, &r[0], NULL), -1);
	CHECK_INT(dns_stub_query(s, "a\\.b.example", DNS_T_MX, on_result, &r[0], NULL), -1);
	CHECK_INT(dns_stub_query(s, "a b.example", DNS_T_MX, on_result, &r[0], NULL), -1);
	CHECK_INT(dns_stub_query(s,
				 "a234567890123456789012345678901234567890123456789012345678901234"
				 ".example",
				 DNS_T_MX, on_result, &r[0], NULL),
		  -1);
	{
		char longname[300];

		for (i = 0; i + 2 < sizeof(longname); i += 2)
			memcpy(longname + i, "a.", 2);
		longname[i] = '\0';
		CHECK_INT(dns_stub_query(s, longname, DNS_T_MX, on_result, &r[0], NULL), -1);
	}
	log_set_level(level);
	CHECK_INT(dns_stub_queries(s), 0);

	unit_case("cancelled: never called");
	CHECK_INT(dns_stub_query(s, "example.nl", DNS_T_MX, on_result, &r[0], &id[0]), 0);
	CHECK_INT(dns_stub_query(s, "example.nl", DNS_T_MX, on_result, &r[1], &id[1]), 0);
	CHECK(id[0] != id[1]);
	dns_stub_cancel(s, id[0]);
	dns_stub_cancel(s, 987654321); /* unknown: ignored */
	run_for(base, &r[1], 3 * T_MS);
	run_for(base, NULL, 50);
	CHECK_INT(r[0].calls, 0);
	CHECK_INT(r[1].calls, 1);
	CHECK_INT(f.queries, 2);

	unit_case("freed with queries out: never called");
	memset(r, 0, sizeof(r));
	for (i = 0; i < 3; i++)
		CHECK_INT(dns_stub_query(s, "example.nl", DNS_T_MX, on_result, &r[i], NULL), 0);
	dns_stub_free(s);
	s = NULL;
	run_for(base, NULL, 50);
	for (i = 0; i < 3; i++)
		CHECK_INT(r[i].calls, 0);

	unit_case("a callback frees the stub with other queries out");
	s = stub_for(base, &f, T_MS);
	if (!CHECK(s != NULL))
		goto out;
	memset(r, 0, sizeof(r));
	r[0].free_me = &s;
	r[1].free_me = &s;
	CHECK_INT(dns_stub_query(s, "example.nl", DNS_T_MX, on_result, &r[0], NULL), 0);
	CHECK_INT(dns_stub_query(s, "example.nl", DNS_T_MX, on_result, &r[1], NULL), 0);
	run_for(base, &r[0], 3 * T_MS);
	run_for(base, NULL, 50);
	CHECK_INT(r[0].calls + r[1].calls, 1);
	CHECK(s == NULL);
out:
	unit_case("%s", "");
	dns_stub_free(s);
	fake_stop(&f);
	event_base_free(base);
}

/* dns_stub_check against a fake in mode: its return and message. */
static int check_one(enum fake_mode mode, bool untrusted, bool refused, char *err, size_t errlen,
		     char *name, size_t namelen)
{
	struct event_base *base = event_base_new();
	struct fake f;
	struct dns_stub *s = NULL;
	int rc = -2;

	err[0] = '\0';
	fake_init(&f);
	if (!base || fake_start(&f, base, mode) < 0)
		goto out;
	(void)snprintf(name, namelen, "127.0.0.1@%u", (unsigned)f.port);
	if (refused)
		fake_stop(&f); /* the port is free again: nothing listens */
	s = dns_stub_new(base, name, false, 200, err, errlen);
	if (!s)
		goto out;
	if (untrusted)
		dns_stub_set_trust_for_tests(s, false);
	rc = dns_stub_check(s, err, errlen);
	if (mode != FAKE_SILENT && !refused) {
		CHECK_INT(f.queries >= 1, 1);
		CHECK_INT(f.last_flags & 0x0020, 0x0020);
	}
out:
	dns_stub_free(s);
	if (!refused)
		fake_stop(&f);
	if (base)
		event_base_free(base);
	return rc;
}

void test_dns_stub_check(void)
{
	char err[512], name[64], want[512];
	struct event_base *base;
	struct fake f, g;
	struct dns_stub *s;
	char servers[64];
	enum log_level level = log_get_level();

	log_set_level(LOG_ERR); /* warnings about untrusted and silent servers are expected */
	unit_case("validating");
	CHECK_INT(check_one(FAKE_AD, false, false, err, sizeof(err), name, sizeof(name)), 0);

	unit_case("not validating");
	CHECK_INT(check_one(FAKE_NOAD, false, false, err, sizeof(err), name, sizeof(name)), -1);
	(void)snprintf(want, sizeof(want),
		       "resolver %s does not validate DNSSEC (no AD bit on the root SOA); "
		       "configure a trust anchor",
		       name);
	CHECK_STR(err, want);

	unit_case("untrusted: only a warning");
	CHECK_INT(check_one(FAKE_NOAD, true, false, err, sizeof(err), name, sizeof(name)), 0);

	unit_case("the root is bogus");
	CHECK_INT(check_one(FAKE_SERVFAIL_CD, false, false, err, sizeof(err), name, sizeof(name)),
		  -1);
	CHECK(strstr(err, "cannot validate the root") != NULL);

	unit_case("SERVFAIL for the root");
	CHECK_INT(check_one(FAKE_SERVFAIL, false, false, err, sizeof(err), name, sizeof(name)), -1);
	CHECK(strstr(err, "rcode 2") != NULL);

	unit_case("silent");
	CHECK_INT(check_one(FAKE_SILENT, false, false, err, sizeof(err), name, sizeof(name)), -1);
	CHECK(strstr(err, "no resolver answers") != NULL);
	CHECK(strstr(err, name) != NULL);

	unit_case("nothing listens");
	CHECK_INT(check_one(FAKE_AD, false, true, err, sizeof(err), name, sizeof(name)), -1);
	CHECK(strstr(err, "no resolver answers") != NULL);
	CHECK(strstr(err, "refused") != NULL);

	unit_case("one of two silent");
	base = event_base_new();
	if (!CHECK(base != NULL) || !CHECK(fake_start(&f, base, FAKE_SILENT) == 0) ||
	    !CHECK(fake_start(&g, base, FAKE_AD) == 0)) {
		log_set_level(level);
		return;
	}
	(void)snprintf(servers, sizeof(servers), "127.0.0.1@%u,127.0.0.1@%u", (unsigned)f.port,
		       (unsigned)g.port);
	s = dns_stub_new(base, servers, false, 200, err, sizeof(err));
	if (CHECK(s != NULL))
		CHECK_INT(dns_stub_check(s, err, sizeof(err)), 0);
	CHECK_INT(g.queries, 1);
	CHECK(f.queries >= 1);
	dns_stub_free(s);
	fake_stop(&f);
	fake_stop(&g);
	event_base_free(base);
	log_set_level(level);
	unit_case("%s", "");
}

/* ------------------------------------------------ the window at the resolver (dns.c) */

struct held {
	struct sockaddr_storage from;
	socklen_t fl;
	struct fq fq;
	uint8_t question[300];
};

/* A resolver that answers the root SOA at once (validated) and holds every
 * other query until told (hold_release): queries pile up as they would in a
 * resolver busy elsewhere. */
struct holder {
	struct fake f; /* the sockets; its mode is unused */
	struct held *held;
	size_t nheld, cap;
	unsigned seen; /* queries other than the root SOA */
};

static void hold_on_udp(evutil_socket_t fd, short what, void *arg)
{
	struct holder *h = arg;
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	uint8_t q[1024];
	ssize_t r;
	struct fq fq;
	struct tmsg m;

	(void)what;
	while ((r = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl)) > 0) {
		if (fake_parse(&h->f, q, (size_t)r, &fq) < 0)
			continue;
		if (fq.qlen == 5 && fq.question[0] == 0) { /* the root */
			fake_reply(&fq, fq.id, 0x0020, 0, false, NULL, NULL, &m);
			fake_send(fd, &from, fl, m.b, m.n);
			continue;
		}
		h->seen++;
		if (h->nheld == h->cap || fq.qlen > sizeof(h->held[0].question)) {
			(void)printf("holder: cannot hold query %u\n", h->seen);
			continue;
		}
		h->held[h->nheld].from = from;
		h->held[h->nheld].fl = fl;
		memcpy(h->held[h->nheld].question, fq.question, fq.qlen);
		h->held[h->nheld].fq = fq;
		h->held[h->nheld].fq.question = h->held[h->nheld].question;
		h->nheld++;
		fl = sizeof(from);
	}
}

/* Answer every held query (AD, one MX). */
static void hold_release(struct holder *h)
{
	struct tmsg m;
	size_t i;

	for (i = 0; i < h->nheld; i++) {
		fake_reply(&h->held[i].fq, h->held[i].fq.id, 0x0020, 1, false, NULL, NULL, &m);
		fake_send(h->f.udp, &h->held[i].from, h->held[i].fl, m.b, m.n);
	}
	h->nheld = 0;
}

static void count_answer(const struct dns_answer *a, void *arg)
{
	unsigned *n = arg;

	if (a->status == DNS_OK)
		(*n)++;
}

/* A holder with room for cap queries on base; -1 on failure. */
static int holder_start(struct event_base *base, struct holder *h, size_t cap)
{
	memset(h, 0, sizeof(*h));
	fake_init(&h->f);
	h->cap = cap;
	h->held = calloc(h->cap, sizeof(*h->held));
	if (!CHECK(base != NULL) || !CHECK(h->held != NULL) ||
	    !CHECK(fake_start(&h->f, base, FAKE_SILENT) == 0))
		return -1;
	/* the fake's own reader is replaced by the holder's */
	event_free(h->f.uev);
	h->f.uev = event_new(base, h->f.udp, EV_READ | EV_PERSIST, hold_on_udp, h);
	if (!CHECK(h->f.uev != NULL) || !CHECK(event_add(h->f.uev, NULL) == 0))
		return -1;
	return 0;
}

/* A holder with room for cap queries on base, and a dns.c in stub mode that
 * asks it (timeout 9 s: no retransmission within a test); NULL on failure. */
static struct dns *holder_dns(struct event_base *base, struct holder *h, size_t cap)
{
	struct dns_config cfg;
	struct dns *d;
	char servers[64], err[256];

	if (holder_start(base, h, cap) < 0)
		return NULL;
	(void)snprintf(servers, sizeof(servers), "127.0.0.1@%u", (unsigned)h->f.port);
	memset(&cfg, 0, sizeof(cfg));
	cfg.resolver = servers;
	cfg.timeout_ms = 9000;
	d = dns_new(base, &cfg, err, sizeof(err));
	if (!CHECK(d != NULL))
		(void)printf("    dns_new: %s\n", err);
	return d;
}

static void holder_stop(struct event_base *base, struct holder *h, struct dns *d)
{
	dns_free(d);
	fake_stop(&h->f);
	free(h->held);
	if (base)
		event_base_free(base);
	unit_case("%s", "");
}

#define WQ 600 /* queries asked at once */

void test_dns_stub_window(void)
{
	struct event_base *base = event_base_new();
	struct holder h;
	struct dns *d = holder_dns(base, &h, 2 * WQ);
	char name[64];
	unsigned answered = 0, i;
	double t0;

	if (!d)
		goto out;
	t0 = now_ms();
	for (i = 0; i < WQ; i++) {
		(void)snprintf(name, sizeof(name), "w%u.example", i);
		CHECK_INT(dns_query(d, name, DNS_T_MX, count_answer, &answered, NULL), 0);
	}

	unit_case("at most DNS_STUB_WINDOW queries at a resolver that does not answer");
	run_for(base, NULL, 200);
	CHECK_INT(h.seen, DNS_STUB_WINDOW);
	CHECK_INT(answered, 0);

	unit_case("each answer lets the next one go, in order");
	hold_release(&h);
	run_for(base, NULL, 200);
	CHECK_INT(answered, DNS_STUB_WINDOW);
	CHECK_INT(h.seen, 2 * DNS_STUB_WINDOW);
	CHECK_INT(h.nheld, DNS_STUB_WINDOW);
	CHECK(now_ms() - t0 < DNS_STUB_WINDOW_MS - 200); /* not by age */

	unit_case("a query unanswered for DNS_STUB_WINDOW_MS leaves the window");
	run_for(base, NULL, DNS_STUB_WINDOW_MS + 100);
	CHECK_INT(h.seen, WQ);
	CHECK_INT(answered, DNS_STUB_WINDOW);
	hold_release(&h);
	run_for(base, NULL, 200);
	CHECK_INT(answered, WQ);
	CHECK_INT(h.seen, WQ); /* nothing asked twice */
out:
	holder_stop(base, &h, d);
}

/* Recursive mode's window of queries at libunbound (dns.h, dns_window_next):
 * it widens by one per answer while the resolver keeps up, shrinks by a
 * quarter on each new measure of a lag above the limit, within its bounds. */
void test_dns_window_next(void)
{
	unsigned cap = 256, i;

	unit_case("an answer while the resolver keeps up widens the window by one");
	CHECK_INT(dns_window_next(256, 256, 4096, false, 0, 100, true), 257);
	CHECK_INT(dns_window_next(256, 256, 4096, true, 100, 100, true), 257); /* at the limit */
	for (i = 0; i < 256; i++)
		cap = dns_window_next(cap, 256, 4096, i % 10 == 0, 5, 100, true);
	CHECK_INT(cap, 512); /* doubled in a window's worth of answers */

	unit_case("no answer, or an answer while it lags: the same size");
	CHECK_INT(dns_window_next(1000, 256, 4096, false, 0, 100, false), 1000);
	CHECK_INT(dns_window_next(1000, 256, 4096, false, 101, 100, true), 1000);
	CHECK_INT(dns_window_next(1000, 256, 4096, true, 50, 100, false), 1000);

	unit_case("a new measure above the limit: a quarter less, not below the floor");
	CHECK_INT(dns_window_next(1000, 256, 4096, true, 101, 100, true), 750);
	CHECK_INT(dns_window_next(1000, 256, 4096, true, 101, 100, false), 750);
	CHECK_INT(dns_window_next(300, 256, 4096, true, 500, 100, false), 256);
	CHECK_INT(dns_window_next(256, 256, 4096, true, 500, 100, false), 256);

	unit_case("never wider than the outgoing range, nor a floor above it");
	CHECK_INT(dns_window_next(4096, 256, 4096, false, 0, 100, true), 4096);
	CHECK_INT(dns_window_next(64, 256, 64, false, 0, 100, true), 64);
	CHECK_INT(dns_window_next(64, 256, 64, true, 500, 100, false), 64);
}

/* --dns-rate, through the same wait queue as the window: a second's worth of
 * tokens at once, then one per 1/rate s, in order. */
void test_dns_rate(void)
{
	struct event_base *base = event_base_new();
	struct fake f;
	struct dns_config cfg;
	struct dns *d = NULL;
	char servers[64], err[256], name[64];
	unsigned answered = 0, i, at_start;
	double t0;

	fake_init(&f);
	if (!CHECK(base != NULL) || !CHECK(fake_start(&f, base, FAKE_AD) == 0))
		goto out;
	(void)snprintf(servers, sizeof(servers), "127.0.0.1@%u", (unsigned)f.port);
	memset(&cfg, 0, sizeof(cfg));
	cfg.resolver = servers;
	cfg.timeout_ms = 9000;
	cfg.rate = 20;
	d = dns_new(base, &cfg, err, sizeof(err));
	if (!CHECK(d != NULL)) {
		(void)printf("    dns_new: %s\n", err);
		goto out;
	}
	at_start = f.queries; /* the root SOA of the check */
	t0 = now_ms();
	for (i = 0; i < 40; i++) {
		(void)snprintf(name, sizeof(name), "r%u.example", i);
		CHECK_INT(dns_query(d, name, DNS_T_MX, count_answer, &answered, NULL), 0);
	}
	unit_case("a second's worth at once");
	run_for(base, NULL, 100);
	CHECK(answered >= 19 && answered <= 23);
	unit_case("then 20 a second");
	run_for(base, NULL, 400);
	CHECK(answered >= 25 && answered <= 32);
	while (answered < 40 && now_ms() - t0 < 3000)
		run_for(base, NULL, 50);
	CHECK_INT(answered, 40);
	CHECK(now_ms() - t0 >= 900);
	CHECK_INT(f.queries - at_start, 40);
out:
	dns_free(d);
	fake_stop(&f);
	if (base)
		event_base_free(base);
	unit_case("%s", "");
}

/* The same question asked while it is under way joins it: one query sent,
 * the reply shared; a cancelled leader's followers ask on their own. */
void test_dns_join(void)
{
	struct event_base *base = event_base_new();
	struct holder h;
	struct dns *d = holder_dns(base, &h, 64);
	struct dns_stats st;
	unsigned answered = 0, i;
	uint64_t first = 0;

	if (!d)
		goto out;

	unit_case("five askings of one question, one of another: two queries sent");
	for (i = 0; i < 5; i++)
		CHECK_INT(dns_query(d, i % 2 ? "Same.Example" : "same.example", DNS_T_MX,
				    count_answer, &answered, NULL),
			  0);
	CHECK_INT(dns_query(d, "same.example", DNS_T_TXT, count_answer, &answered, NULL), 0);
	run_for(base, NULL, 200);
	CHECK_INT(h.seen, 2);
	dns_get_stats(d, &st);
	CHECK_INT(st.joined, 4);
	CHECK_INT(st.queries, 2);

	unit_case("the reply goes to every one of them");
	hold_release(&h);
	run_for(base, NULL, 200);
	CHECK_INT(answered, 6);

	unit_case("a question answered is asked anew (or from the memo), not joined");
	CHECK_INT(dns_query(d, "same.example", DNS_T_MX, count_answer, &answered, NULL), 0);
	run_for(base, NULL, 100);
	CHECK_INT(answered, 7);
	dns_get_stats(d, &st);
	CHECK_INT(st.joined, 4);

	unit_case("the leader cancelled: its followers ask on their own");
	CHECK_INT(dns_query(d, "gone.example", DNS_T_MX, count_answer, &answered, &first), 0);
	CHECK_INT(dns_query(d, "gone.example", DNS_T_MX, count_answer, &answered, NULL), 0);
	CHECK_INT(dns_query(d, "gone.example", DNS_T_MX, count_answer, &answered, NULL), 0);
	run_for(base, NULL, 100);
	CHECK_INT(h.seen, 3);
	dns_cancel(d, first);
	run_for(base, NULL, 100);
	CHECK_INT(h.seen, 4); /* one more, for the two followers */
	hold_release(&h);
	run_for(base, NULL, 200);
	CHECK_INT(answered, 9);
out:
	holder_stop(base, &h, d);
}

/* ------------------------------------------------ libunbound on its own thread (dns_ub.c) */

struct ub_got {
	unsigned calls;
	int rcode;
	size_t len;
	bool wire;
	bool in_loop_thread;
};

static pthread_t ub_loop_thread;

static void ub_got_answer(void *arg, int rcode, uint8_t *wire, size_t len, int sec, const char *why)
{
	struct ub_got *g = arg;

	(void)sec;
	(void)why;
	g->calls++;
	g->rcode = rcode;
	g->len = len;
	g->wire = wire != NULL;
	g->in_loop_thread = pthread_equal(pthread_self(), ub_loop_thread) != 0;
	free(wire); /* handed over */
}

/* Run base until every one of n (those at odd places only when odd) has
 * been called back, or ms passed; h (when set) answers what it holds each
 * turn (libunbound may have asked again from another port meanwhile). */
static void ub_run_until(struct event_base *base, struct holder *h, struct ub_got *g, unsigned n,
			 bool odd, unsigned ms)
{
	double t0 = now_ms();
	unsigned i, missing;

	do {
		if (h)
			hold_release(h);
		run_for(base, NULL, 20);
		for (missing = 0, i = odd ? 1 : 0; i < n; i += odd ? 2 : 1)
			missing += g[i].calls == 0;
	} while (missing && now_ms() - t0 < ms);
}

#define UBQ 20

/*
 * libunbound forwarding to the holder, on the resolver thread: questions go
 * over, answers come back once each, in the loop's thread, never from inside
 * dns_ub_resolve (not even an answer from libunbound's own data), never
 * after dns_ub_abandon, never after dns_ub_free; nothing is leaked (the
 * ASan build's leak check).
 */
void test_dns_ub(void)
{
	struct event_base *base = event_base_new();
	struct holder h;
	struct dns_ub *u = NULL;
	struct ub_ctx *ub;
	struct ub_got local, got[UBQ], late[UBQ];
	struct dns_ub_query *q[UBQ];
	char fwd[64], err[256], name[64];
	unsigned i, calls;

	memset(&local, 0, sizeof(local));
	memset(got, 0, sizeof(got));
	memset(late, 0, sizeof(late));
	ub_loop_thread = pthread_self();
	if (holder_start(base, &h, 4 * UBQ) < 0)
		goto out;
	u = dns_ub_new(base, err, sizeof(err));
	if (!CHECK(u != NULL)) {
		(void)printf("    dns_ub_new: %s\n", err);
		goto out;
	}
	ub = dns_ub_ctx(u);
	(void)snprintf(fwd, sizeof(fwd), "127.0.0.1@%u", (unsigned)h.f.port);
	if (!CHECK_INT(ub_ctx_set_option(ub, "do-not-query-localhost:", "no"), 0) ||
	    !CHECK_INT(ub_ctx_set_fwd(ub, fwd), 0) ||
	    !CHECK_INT(ub_ctx_data_add(ub, "local.test. 300 IN A 192.0.2.1"), 0) ||
	    !CHECK_INT(dns_ub_start(u, err, sizeof(err)), 0))
		goto out;

	unit_case("the resolver thread measures its lag every DNS_UB_TICK_MS, small when idle");
	{
		unsigned long t0, t1;

		(void)dns_ub_lag_ms(u, &t0);
		run_for(base, NULL, 10 * DNS_UB_TICK_MS);
		CHECK(dns_ub_lag_ms(u, &t1) < 4 * DNS_UB_TICK_MS);
		CHECK(t1 >= t0 + 5 && t1 <= t0 + 11);
	}

	unit_case("an answer from libunbound's own data comes through the loop");
	CHECK(dns_ub_resolve(u, "local.test", DNS_T_A, ub_got_answer, &local) != NULL);
	CHECK_INT(local.calls, 0); /* not from inside dns_ub_resolve */
	ub_run_until(base, NULL, &local, 1, false, 2000);
	CHECK_INT(local.calls, 1);
	CHECK_INT(local.rcode, 0);
	CHECK(local.wire && local.len > 12);
	CHECK(local.in_loop_thread);

	unit_case("questions reach the server; abandoned ones are never answered");
	for (i = 0; i < UBQ; i++) {
		(void)snprintf(name, sizeof(name), "u%u.example", i);
		q[i] = dns_ub_resolve(u, name, DNS_T_MX, ub_got_answer, &got[i]);
		CHECK(q[i] != NULL);
	}
	for (i = 0; i < 100 && h.seen < UBQ; i++)
		run_for(base, NULL, 10);
	CHECK(h.seen >= UBQ);
	for (i = 0; i < UBQ; i += 2)
		dns_ub_abandon(q[i]);
	ub_run_until(base, &h, got, UBQ, true, 3000);
	run_for(base, NULL, 100); /* time for a stray callback */
	for (calls = 0, i = 0; i < UBQ; i++)
		calls += got[i].calls;
	CHECK_INT(calls, UBQ / 2);
	for (i = 1; i < UBQ; i += 2) {
		CHECK_INT(got[i].calls, 1);
		CHECK_INT(got[i].rcode, 0);
		CHECK(got[i].wire && got[i].in_loop_thread);
	}

	unit_case("freed with questions under way: no callback");
	h.seen = 0;
	for (i = 0; i < UBQ; i++) {
		(void)snprintf(name, sizeof(name), "late%u.example", i);
		CHECK(dns_ub_resolve(u, name, DNS_T_MX, ub_got_answer, &late[i]) != NULL);
	}
	for (i = 0; i < 100 && h.seen < UBQ; i++)
		run_for(base, NULL, 10);
	CHECK(h.seen >= UBQ);
	dns_ub_free(u);
	u = NULL;
	hold_release(&h);
	run_for(base, NULL, 100);
	for (calls = 0, i = 0; i < UBQ; i++)
		calls += late[i].calls;
	CHECK_INT(calls, 0);
out:
	dns_ub_free(u);
	holder_stop(base, &h, NULL);
}
