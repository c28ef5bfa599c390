/*
 * lab-blackhole: the name servers of the lab's lame domains (tests/lab/lab.sh synth).
 *
 * Binds UDP and TCP on PORT (53) of every IPv4 address in ADDRFILE (one a line)
 * and never answers: UDP datagrams are read and dropped; TCP connections are
 * accepted, read from and never written to, and closed after 60 s (or when the
 * client closes). It counts what it swallowed: UDP datagrams, TCP connections,
 * and the DNS messages inside them (two-byte length framing).
 *
 *   lab-blackhole -a ADDRFILE [-p PIDFILE] [-l LOGFILE] [-s STATSFILE] [-P PORT] [-d]
 *
 * STATSFILE is rewritten (atomically) at most once a second when a count changed,
 * at once on SIGUSR1, and at exit:
 *     queries N            UDP datagrams + DNS messages over TCP
 *     udp N
 *     tcp-connections N
 *     tcp-queries N
 *     addresses-asked N    addresses that got at least one datagram or connection
 *     ADDRESS UDP TCPCONN TCPQUERIES      one line per address that was asked
 * SIGUSR1 also appends the totals to LOGFILE. SIGTERM/SIGINT end it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "labd.h"

#define HOLD_SECONDS 60
#define MAX_CONNS 8192 /* held TCP connections; the oldest is closed beyond this */
#define MIN_CONNS 256  /* ... or fewer, when the descriptor limit leaves no more */

struct addr {
	char ip[INET_ADDRSTRLEN];
	int udp, tcp;
	unsigned long udp_n, tcp_conns, tcp_queries;
};

struct conn {
	uint64_t serial; /* 0: free */
	time_t since;
	unsigned addr;
	unsigned char lenbuf[2];
	unsigned lenhave;   /* bytes of the length prefix read */
	unsigned long need; /* bytes of the current message still to come */
};

static struct addr *addrs;
static size_t naddrs;
static struct conn *conns; /* indexed by fd */
static int maxfd;
static uint64_t next_serial = 1;
/* FIFO of accepted connections in accept order: (fd, serial) */
static struct {
	int fd;
	uint64_t serial;
} * fifo;
static size_t fifo_head, fifo_len, fifo_cap, nconns, max_conns = MAX_CONNS;
static unsigned long tot_udp, tot_conns, tot_tcpq;
static const char *logpath, *statspath;
static volatile sig_atomic_t stop, dump;

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("lab-blackhole: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void logmsg(const char *fmt, ...)
{
	if (logpath == NULL)
		return;
	FILE *f = fopen(logpath, "a");
	if (f == NULL)
		return;
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", localtime_r(&now, &tm));
	fprintf(f, "%s ", ts);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

static void write_stats(void)
{
	if (statspath == NULL)
		return;
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", statspath) >= (int)sizeof tmp)
		return;
	FILE *f = fopen(tmp, "w");
	if (f == NULL)
		return;
	size_t asked = 0;
	for (size_t i = 0; i < naddrs; i++)
		if (addrs[i].udp_n || addrs[i].tcp_conns)
			asked++;
	fprintf(f,
		"queries %lu\nudp %lu\ntcp-connections %lu\ntcp-queries %lu\naddresses-asked %zu\n",
		tot_udp + tot_tcpq, tot_udp, tot_conns, tot_tcpq, asked);
	for (size_t i = 0; i < naddrs; i++)
		if (addrs[i].udp_n || addrs[i].tcp_conns)
			fprintf(f, "%s %lu %lu %lu\n", addrs[i].ip, addrs[i].udp_n,
				addrs[i].tcp_conns, addrs[i].tcp_queries);
	if (fclose(f) == 0)
		rename(tmp, statspath);
	else
		unlink(tmp);
}

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_usr1(int sig)
{
	(void)sig;
	dump = 1;
}

static int nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* epoll data: fd in the low 32 bits, kind in the high ones */
enum { K_UDP = 1, K_LISTEN = 2, K_CONN = 3 };

static void ep_add(int ep, int fd, uint32_t kind)
{
	struct epoll_event ev;
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN;
	ev.data.u64 = ((uint64_t)kind << 32) | (uint32_t)fd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		die("epoll_ctl: %s", strerror(errno));
}

static void conn_close(int fd)
{
	if (fd < 0 || fd > maxfd || conns[fd].serial == 0)
		return;
	conns[fd].serial = 0;
	nconns--;
	close(fd); /* also removes it from the epoll set */
}

/* Count the DNS messages in N bytes read from a TCP connection. */
static void conn_feed(struct conn *c, const unsigned char *p, size_t n)
{
	while (n > 0) {
		if (c->need == 0) {
			c->lenbuf[c->lenhave++] = *p++;
			n--;
			if (c->lenhave == 2) {
				c->lenhave = 0;
				c->need = ((unsigned long)c->lenbuf[0] << 8) | c->lenbuf[1];
				if (c->need == 0)
					continue;
				/* a message starts: count it once its length is known */
				addrs[c->addr].tcp_queries++;
				tot_tcpq++;
			}
			continue;
		}
		size_t take = n < c->need ? n : c->need;
		c->need -= take;
		p += take;
		n -= take;
	}
}

static void expire(time_t now, int force_one)
{
	while (fifo_len > 0) {
		int fd = fifo[fifo_head].fd;
		uint64_t serial = fifo[fifo_head].serial;
		int live = fd >= 0 && fd <= maxfd && conns[fd].serial == serial;
		if (live && !force_one && now - conns[fd].since < HOLD_SECONDS)
			break;
		fifo_head = (fifo_head + 1) % fifo_cap;
		fifo_len--;
		if (live) {
			conn_close(fd);
			if (force_one)
				return;
		}
	}
}

static void read_addrs(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		die("cannot read %s: %s", path, strerror(errno));
	char line[256];
	size_t cap = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, " \t\r\n#")] = '\0';
		if (line[0] == '\0')
			continue;
		struct in_addr a;
		if (inet_pton(AF_INET, line, &a) != 1)
			die("%s: not an IPv4 address: %s", path, line);
		if (naddrs == cap) {
			cap = cap ? cap * 2 : 256;
			addrs = realloc(addrs, cap * sizeof *addrs);
			if (addrs == NULL)
				die("out of memory");
		}
		memset(&addrs[naddrs], 0, sizeof *addrs);
		inet_ntop(AF_INET, &a, addrs[naddrs].ip, sizeof addrs[naddrs].ip);
		naddrs++;
	}
	fclose(f);
	if (naddrs == 0)
		die("%s: no addresses", path);
}

static void open_sockets(int ep, int port)
{
	for (size_t i = 0; i < naddrs; i++) {
		struct sockaddr_in sa;
		memset(&sa, 0, sizeof sa);
		sa.sin_family = AF_INET;
		sa.sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, addrs[i].ip, &sa.sin_addr);
		int one = 1;

		int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (u < 0)
			die("socket: %s", strerror(errno));
		if (bind(u, (struct sockaddr *)&sa, sizeof sa) < 0)
			die("bind udp %s:%d: %s", addrs[i].ip, port, strerror(errno));
		nonblock(u);

		int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (t < 0)
			die("socket: %s", strerror(errno));
		setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(t, (struct sockaddr *)&sa, sizeof sa) < 0)
			die("bind tcp %s:%d: %s", addrs[i].ip, port, strerror(errno));
		if (listen(t, 128) < 0)
			die("listen %s:%d: %s", addrs[i].ip, port, strerror(errno));
		nonblock(t);

		addrs[i].udp = u;
		addrs[i].tcp = t;
		ep_add(ep, u, K_UDP);
		ep_add(ep, t, K_LISTEN);
	}
}

/* fd -> address index of its listening/UDP socket */
static unsigned *owner;

int main(int argc, char **argv)
{
	const char *addrfile = NULL, *pidfile = NULL;
	int port = 53, detach = 0, opt;

	while ((opt = getopt(argc, argv, "a:p:l:s:P:d")) != -1) {
		switch (opt) {
		case 'a':
			addrfile = optarg;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'l':
			logpath = optarg;
			break;
		case 's':
			statspath = optarg;
			break;
		case 'P': {
			char *end = NULL;
			long v = strtol(optarg, &end, 10);
			if (!*optarg || *end || v < 1 || v > 65535)
				die("-P: bad port %s", optarg);
			port = (int)v;
			break;
		}
		case 'd':
			detach = 1;
			break;
		default:
			addrfile = NULL;
			optind = argc + 1;
			break;
		}
	}
	if (addrfile == NULL || optind != argc) {
		fprintf(stderr, "usage: lab-blackhole -a ADDRFILE [-p PIDFILE] [-l LOGFILE] "
				"[-s STATSFILE] [-P PORT] [-d]\n");
		return 2;
	}
	read_addrs(addrfile);

	/* two sockets per address, the held connections, and some spare. Where
	 * the hard limit cannot be raised (a container's), fewer connections are
	 * held: lame name servers are asked over UDP, TCP is the rare case. */
	rlim_t want = (rlim_t)naddrs * 2 + MAX_CONNS + 64;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
		rlim_t hard = rl.rlim_max;
		rl.rlim_cur = want;
		if (rl.rlim_max < want)
			rl.rlim_max = want; /* root may raise it */
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			rlim_t floor = (rlim_t)naddrs * 2 + MIN_CONNS + 64;
			if (hard == RLIM_INFINITY || hard < floor)
				die("cannot raise the file descriptor limit to %lu: %s "
				    "(%zu addresses need at least %lu)",
				    (unsigned long)want, strerror(errno), naddrs,
				    (unsigned long)floor);
			rl.rlim_cur = rl.rlim_max = hard;
			if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
				die("cannot raise the file descriptor limit to %lu: %s",
				    (unsigned long)hard, strerror(errno));
			max_conns = (size_t)(hard - (rlim_t)naddrs * 2 - 64);
			want = hard;
			fprintf(stderr,
				"lab-blackhole: the descriptor limit is %lu: at most %zu TCP "
				"connections held, not %d\n",
				(unsigned long)hard, max_conns, MAX_CONNS);
		}
	}
	maxfd = (int)want + 16;
	conns = calloc((size_t)maxfd + 1, sizeof *conns);
	owner = calloc((size_t)maxfd + 1, sizeof *owner);
	fifo_cap = max_conns + 1;
	fifo = calloc(fifo_cap, sizeof *fifo);
	if (conns == NULL || owner == NULL || fifo == NULL)
		die("out of memory");

	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1: %s", strerror(errno));
	open_sockets(ep, port);
	for (size_t i = 0; i < naddrs; i++) {
		if (addrs[i].udp > maxfd || addrs[i].tcp > maxfd)
			die("file descriptor beyond the expected range");
		owner[addrs[i].udp] = (unsigned)i;
		owner[addrs[i].tcp] = (unsigned)i;
	}

	if (logpath != NULL) {
		FILE *f = fopen(logpath, "w"); /* a fresh log per start */
		if (f == NULL)
			die("cannot write %s: %s", logpath, strerror(errno));
		fclose(f);
	}
	labd_daemon(detach, pidfile, on_term, on_usr1, die);

	logmsg("listening on %zu addresses, port %d (udp and tcp), answering nothing", naddrs,
	       port);
	write_stats();

	struct epoll_event evs[256];
	unsigned char buf[65536];
	unsigned long last_total = 0;
	time_t last_write = 0;
	while (!stop) {
		int n = epoll_wait(ep, evs, (int)(sizeof evs / sizeof evs[0]), 1000);
		if (n < 0 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		time_t now = time(NULL);
		for (int i = 0; i < n; i++) {
			int fd = (int)(uint32_t)evs[i].data.u64;
			uint32_t kind = (uint32_t)(evs[i].data.u64 >> 32);
			if (kind == K_UDP) {
				for (;;) {
					ssize_t r = recv(fd, buf, sizeof buf, 0);
					if (r < 0)
						break;
					addrs[owner[fd]].udp_n++;
					tot_udp++;
				}
			} else if (kind == K_LISTEN) {
				for (;;) {
					int c = accept(fd, NULL, NULL);
					if (c < 0)
						break;
					nonblock(c);
					fcntl(c, F_SETFD, FD_CLOEXEC);
					if (c > maxfd) {
						close(c);
						continue;
					}
					while ((nconns >= max_conns || fifo_len >= fifo_cap) &&
					       fifo_len > 0)
						expire(now, 1);
					struct conn *cn = &conns[c];
					memset(cn, 0, sizeof *cn);
					cn->serial = next_serial++;
					cn->since = now;
					cn->addr = owner[fd];
					nconns++;
					fifo[(fifo_head + fifo_len) % fifo_cap].fd = c;
					fifo[(fifo_head + fifo_len) % fifo_cap].serial = cn->serial;
					fifo_len++;
					addrs[cn->addr].tcp_conns++;
					tot_conns++;
					ep_add(ep, c, K_CONN);
				}
			} else if (kind == K_CONN) {
				if (fd > maxfd || conns[fd].serial == 0)
					continue;
				for (;;) {
					ssize_t r = recv(fd, buf, sizeof buf, 0);
					if (r > 0) {
						conn_feed(&conns[fd], buf, (size_t)r);
						continue;
					}
					if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK &&
						       errno != EINTR))
						conn_close(fd);
					break;
				}
			}
		}
		expire(now, 0);
		unsigned long total = tot_udp + tot_conns + tot_tcpq;
		if (dump) {
			dump = 0;
			logmsg("queries %lu (udp %lu, tcp %lu in %lu connections)",
			       tot_udp + tot_tcpq, tot_udp, tot_tcpq, tot_conns);
			write_stats();
			last_total = total;
			last_write = now;
		} else if (total != last_total && now != last_write) {
			write_stats();
			last_total = total;
			last_write = now;
		}
	}
	write_stats();
	logmsg("stopped: queries %lu (udp %lu, tcp %lu in %lu connections)", tot_udp + tot_tcpq,
	       tot_udp, tot_tcpq, tot_conns);
	if (pidfile != NULL)
		unlink(pidfile);
	return 0;
}
