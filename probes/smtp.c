/*
 * smtp.c - the SMTP STARTTLS probe of one MX address.
 *
 * RFC 5321 (greeting, EHLO, QUIT), RFC 3207 (STARTTLS), RFC 7672 §8.1
 * (SNI = MX host name). States:
 *
 *   CONNECT -> BANNER -> EHLO -> STARTTLS -> TLS -> QUIT -> DONE
 *                          \-> QUIT (no STARTTLS offered / refused)
 *
 * With hooks (tls_ncsc) STARTTLS may go to RAW (a hand-made ClientHello,
 * then DONE) instead of TLS, and TLS to RENEG (a client-initiated
 * renegotiation, RFC 5246 7.4.1.2, then QUIT or DONE) before QUIT.
 *
 * smtp_state() is the only way to change state; it logs "from -> to" and
 * re-arms the state's deadline. The peer is hostile: replies are parsed
 * with caps (smtp_reply.h), a deadline covers each whole state (a server
 * that trickles bytes does not extend it), and any plaintext that arrives
 * after the 220 to STARTTLS is dropped, never fed to TLS.
 */
#include "smtp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/log.h"
#include "../base/str.h"
#include "smtp_reply.h"
#include "tls.h"

enum smtp_state {
	SMTP_CONNECT,
	SMTP_BANNER,
	SMTP_EHLO,
	SMTP_STARTTLS,
	SMTP_TLS,
	SMTP_RAW,   /* a hand-made ClientHello sent, its answer awaited (hooks) */
	SMTP_RENEG, /* a client-initiated renegotiation under way (hooks) */
	SMTP_QUIT,
	SMTP_DONE
};

static const char *const smtp_state_names[] = {"CONNECT",  "BANNER", "EHLO", "STARTTLS", "TLS",
					       "RAWHELLO", "RENEG",  "QUIT", "DONE"};

struct smtp_session {
	struct event_base *base;
	const struct smtp_config *cfg;
	const struct mx_host *host;
	struct addr_result *ar;
	smtp_done_cb cb;
	void *arg;
	int fd;
	SSL *ssl;
	int tlsa_added;
	enum smtp_state state;
	struct event *ev;    /* fd readiness */
	struct event *timer; /* the current state's deadline */
	struct smtp_reply reply;
	struct buf out;   /* pending command bytes */
	struct buf rawin; /* SMTP_RAW: what the server answered */
	bool tls_up;
	const struct smtp_hooks *hooks; /* NULL: the plain probe */
};

static void smtp_on_fd(evutil_socket_t fd, short what, void *arg);
static void smtp_finish(struct smtp_session *s, enum addr_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void smtp_free(struct smtp_session *s)
{
	if (s->ev)
		event_free(s->ev);
	if (s->timer)
		event_free(s->timer);
	if (s->ssl)
		SSL_free(s->ssl);
	if (s->fd >= 0)
		(void)close(s->fd);
	smtp_reply_free(&s->reply);
	buf_free(&s->out);
	buf_free(&s->rawin);
	free(s);
}

/* Wait for the fd to become readable (or writable when want_write). */
static int smtp_wait(struct smtp_session *s, bool want_write)
{
	if (s->ev)
		event_free(s->ev);
	s->ev = event_new(s->base, s->fd, want_write ? EV_WRITE : EV_READ, smtp_on_fd, s);
	if (!s->ev || event_add(s->ev, NULL) < 0)
		return -1;
	return 0;
}

/* The only way to change state: logs the transition, re-arms the deadline. */
static void smtp_state(struct smtp_session *s, enum smtp_state to)
{
	struct timeval tv;

	log_debug("smtp %s [%s]: %s -> %s", s->host->name, s->ar->ip, smtp_state_names[s->state],
		  smtp_state_names[to]);
	s->state = to;
	if (to == SMTP_DONE)
		return;
	tv.tv_sec = s->cfg->timeout_ms / 1000;
	tv.tv_usec = (suseconds_t)(s->cfg->timeout_ms % 1000) * 1000;
	(void)evtimer_add(s->timer, &tv);
	smtp_reply_reset(&s->reply);
}

static void smtp_finish(struct smtp_session *s, enum addr_status st, const char *fmt, ...)
{
	va_list ap;

	/* A result reached before this point (e.g. before QUIT) stands. */
	if (s->ar->status == ADDR_PENDING)
		s->ar->status = st;
	/* Trouble after the result (during QUIT) is not a finding. */
	if (fmt && !s->ar->error[0] && s->state != SMTP_QUIT) {
		va_start(ap, fmt);
		(void)vsnprintf(s->ar->error, sizeof(s->ar->error), fmt, ap);
		va_end(ap);
	}
	smtp_state(s, SMTP_DONE);
	s->ar->done = true;
	log_info("smtp %s [%s]: %s%s%s", s->host->name, s->ar->ip, addr_status_name(s->ar->status),
		 s->ar->error[0] ? ": " : "", s->ar->error);
	s->cb(s->ar, s->arg);
	smtp_free(s);
}

static void smtp_on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct smtp_session *s = arg;

	(void)fd;
	(void)what;
	if (s->state == SMTP_RAW) {
		/* no (complete) answer to the ClientHello: that is the answer */
		(void)s->hooks->raw_reply((const unsigned char *)s->rawin.data, s->rawin.len, true,
					  s->hooks->arg);
		smtp_finish(s, ADDR_OK, NULL);
		return;
	}
	if (s->state == SMTP_RENEG) {
		char why[64];

		/* a server that ignores the ClientHello refuses in its way */
		(void)snprintf(why, sizeof(why), "no answer within %u ms", s->cfg->timeout_ms);
		s->hooks->renegotiated(SMTP_RENEG_NO_ANSWER, why, s->hooks->arg);
		smtp_finish(s, s->ar->status, NULL);
		return;
	}
	smtp_finish(s, ADDR_TIMEOUT, "no progress in state %s within %u ms",
		    smtp_state_names[s->state], s->cfg->timeout_ms);
}

/* Queue a command and start writing it. */
static int smtp_send(struct smtp_session *s, const char *cmd)
{
	buf_reset(&s->out);
	if (buf_addstr(&s->out, cmd) < 0 || buf_addstr(&s->out, "\r\n") < 0)
		return -1;
	return smtp_wait(s, true);
}

/* Write what is pending; returns 1 when all is written, 0 to wait, -1 error. */
static int smtp_flush(struct smtp_session *s)
{
	while (s->out.len > 0) {
		ssize_t n;

		if (s->tls_up) {
			int r = SSL_write(s->ssl, s->out.data, (int)s->out.len);

			if (r <= 0) {
				int e = SSL_get_error(s->ssl, r);

				if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
					return smtp_wait(s, e == SSL_ERROR_WANT_WRITE) < 0 ? -1 : 0;
				return -1;
			}
			n = r;
		} else {
			n = send(s->fd, s->out.data, s->out.len, MSG_NOSIGNAL);
			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
					return smtp_wait(s, true) < 0 ? -1 : 0;
				return -1;
			}
		}
		buf_consume(&s->out, (size_t)n);
	}
	return 1;
}

/*
 * Read and parse. Returns 1 with a complete reply in s->reply, 0 to wait,
 * -1 after finishing the session (closed, error, hostile input).
 */
static int smtp_read_reply(struct smtp_session *s)
{
	char data[4096];

	for (;;) {
		ssize_t n;
		size_t used = 0;
		enum smtp_parse pr;

		if (s->tls_up) {
			int r = SSL_read(s->ssl, data, sizeof(data));

			if (r <= 0) {
				int e = SSL_get_error(s->ssl, r);

				if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
					return smtp_wait(s, e == SSL_ERROR_WANT_WRITE) < 0 ? -1 : 0;
				smtp_finish(s, ADDR_PROTOCOL, "connection closed during %s",
					    smtp_state_names[s->state]);
				return -1;
			}
			n = r;
		} else {
			n = recv(s->fd, data, sizeof(data), 0);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				return smtp_wait(s, false) < 0 ? -1 : 0;
			if (n <= 0) {
				if (s->state == SMTP_BANNER)
					smtp_finish(s, n == 0 ? ADDR_BAD_GREETING : ADDR_REFUSED,
						    "connection closed before a greeting%s%s",
						    n < 0 ? ": " : "",
						    n < 0 ? strerror(errno) : "");
				else
					smtp_finish(s, ADDR_PROTOCOL, "connection closed during %s",
						    smtp_state_names[s->state]);
				return -1;
			}
		}
		pr = smtp_reply_feed(&s->reply, data, (size_t)n, &used);
		if (pr == SMTP_PARSE_DONE) {
			if (used < (size_t)n && s->state == SMTP_STARTTLS)
				log_info("smtp %s [%s]: dropped %zu bytes sent after the 220 to "
					 "STARTTLS",
					 s->host->name, s->ar->ip, (size_t)n - used);
			return 1;
		}
		if (pr == SMTP_PARSE_ERR_TOOLONG) {
			smtp_finish(s, ADDR_PROTOCOL, "%s reply too long (%s)",
				    smtp_state_names[s->state], s->reply.error);
			return -1;
		}
		if (pr != SMTP_PARSE_MORE) {
			smtp_finish(s, s->state == SMTP_BANNER ? ADDR_BAD_GREETING : ADDR_PROTOCOL,
				    "not an SMTP reply in %s (%s)", smtp_state_names[s->state],
				    s->reply.error ? s->reply.error : "syntax");
			return -1;
		}
	}
}

static void smtp_start_tls(struct smtp_session *s)
{
	s->ssl = SSL_new(s->cfg->ssl_ctx);
	if (!s->ssl || SSL_set_fd(s->ssl, s->fd) != 1) {
		smtp_finish(s, ADDR_LOCAL_ERROR, "OpenSSL: cannot create a session");
		return;
	}
	s->tlsa_added = tls_prepare(s->ssl, s->host);
	if (s->tlsa_added < 0) {
		smtp_finish(s, ADDR_LOCAL_ERROR, "OpenSSL: cannot set up SNI/DANE");
		return;
	}
	if (s->hooks && s->hooks->prepare && s->hooks->prepare(s->ssl, s->hooks->arg) < 0) {
		ERR_clear_error();
		smtp_finish(s, ADDR_LOCAL_ERROR, "OpenSSL: cannot set up the handshake");
		return;
	}
	SSL_set_connect_state(s->ssl);
	smtp_state(s, SMTP_TLS);
	smtp_on_fd(s->fd, EV_WRITE, s);
}

/* The 220 to STARTTLS: a hand-made ClientHello when the hooks want one,
 * else OpenSSL's handshake. */
static void smtp_start_raw(struct smtp_session *s)
{
	int r = s->hooks && s->hooks->raw_hello ? s->hooks->raw_hello(&s->out, s->hooks->arg) : 0;

	if (r == 0) {
		buf_reset(&s->out);
		smtp_start_tls(s);
		return;
	}
	if (r < 0 || s->out.len == 0) {
		smtp_finish(s, ADDR_LOCAL_ERROR, "cannot build the ClientHello");
		return;
	}
	buf_init(&s->rawin, SMTP_RAW_MAX);
	smtp_state(s, SMTP_RAW);
	if (smtp_wait(s, true) < 0)
		smtp_finish(s, ADDR_LOCAL_ERROR, "event loop");
}

/* SMTP_RAW: read the answer and hand it to the hook until it is enough. */
static void smtp_read_raw(struct smtp_session *s)
{
	char data[4096];
	size_t room = SMTP_RAW_MAX - s->rawin.len;
	ssize_t n = recv(s->fd, data, room < sizeof(data) ? room : sizeof(data), 0);
	bool eof;

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		if (smtp_wait(s, false) < 0)
			smtp_finish(s, ADDR_LOCAL_ERROR, "event loop");
		return;
	}
	if (n > 0 && buf_add(&s->rawin, data, (size_t)n) < 0)
		n = 0; /* over SMTP_RAW_MAX: judge what there is */
	eof = n <= 0 || s->rawin.len >= SMTP_RAW_MAX;
	if (s->hooks->raw_reply((const unsigned char *)s->rawin.data, s->rawin.len, eof,
				s->hooks->arg) == 1 ||
	    eof) {
		smtp_finish(s, ADDR_OK, NULL);
		return;
	}
	if (smtp_wait(s, false) < 0)
		smtp_finish(s, ADDR_LOCAL_ERROR, "event loop");
}

/* The result stands: say goodbye (over TLS when it is up). */
static void smtp_quit(struct smtp_session *s)
{
	smtp_state(s, SMTP_QUIT);
	if (smtp_send(s, "QUIT") < 0)
		smtp_finish(s, ADDR_LOCAL_ERROR, "out of memory");
}

/* OpenSSL's last error as text (or fallback), and the queue cleared. */
static void smtp_ssl_why(char *why, size_t len, int ssl_error, const char *fallback)
{
	unsigned long oe = ERR_peek_last_error();

	if (oe)
		ERR_error_string_n(oe, why, len);
	else
		(void)snprintf(why, len, "%s",
			       ssl_error == SSL_ERROR_SYSCALL || ssl_error == SSL_ERROR_ZERO_RETURN
				   ? "connection closed"
				   : fallback);
	ERR_clear_error();
}

/*
 * SMTP_RENEG: drive the renegotiation. Done when SSL_do_handshake completes
 * with nothing pending any more (RFC 5246 7.4.1.2: the server answers the
 * new ClientHello with a full handshake); refused on an alert (OpenSSL 3
 * turns the no_renegotiation warning into SSL_R_NO_RENEGOTIATION) or a
 * close. Whatever the server does, the first handshake's result stands.
 */
static void smtp_renegotiate(struct smtp_session *s)
{
	int r = SSL_do_handshake(s->ssl), e;
	char why[120];

	if (r == 1 && !SSL_renegotiate_pending(s->ssl)) {
		(void)snprintf(why, sizeof(why), "a second handshake completed");
		s->hooks->renegotiated(SMTP_RENEG_DONE, why, s->hooks->arg);
		smtp_quit(s);
		return;
	}
	/* 1 with the renegotiation still pending: it has not really started;
	 * wait for the server as on WANT_READ (the deadline bounds it) */
	e = r == 1 ? SSL_ERROR_WANT_READ : SSL_get_error(s->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		if (smtp_wait(s, e == SSL_ERROR_WANT_WRITE) < 0)
			smtp_finish(s, s->ar->status, NULL);
		return;
	}
	smtp_ssl_why(why, sizeof(why), e, "protocol error");
	s->hooks->renegotiated(SMTP_RENEG_REFUSED, why, s->hooks->arg);
	/* no way back to SMTP over a TLS session that failed: close */
	smtp_finish(s, s->ar->status, NULL);
}

/* After the first handshake: ask for a new one (the hooks want it). */
static void smtp_start_reneg(struct smtp_session *s)
{
	char why[120];

	if (SSL_renegotiate(s->ssl) != 1) {
		smtp_ssl_why(why, sizeof(why), SSL_ERROR_SSL, "SSL_renegotiate failed");
		s->hooks->renegotiated(SMTP_RENEG_LOCAL, why, s->hooks->arg);
		smtp_quit(s);
		return;
	}
	smtp_state(s, SMTP_RENEG);
	smtp_renegotiate(s);
}

static void smtp_handshake(struct smtp_session *s)
{
	int r = SSL_do_handshake(s->ssl), e;
	unsigned long oe;
	char ebuf[120];

	if (r == 1) {
		s->tls_up = true;
		if (s->hooks)
			s->hooks->handshake(s->ssl, 1, 0, 0, s->hooks->arg);
		else
			tls_record(s->ssl, tls_ctx_store(s->cfg->ssl_ctx), s->host->name,
				   s->tlsa_added, s->ar);
		s->ar->status = SSL_version(s->ssl) >= TLS1_2_VERSION ? ADDR_OK : ADDR_TLS_OLD;
		if (s->hooks && s->hooks->renegotiate && s->hooks->renegotiated &&
		    SSL_version(s->ssl) <= TLS1_2_VERSION &&
		    s->hooks->renegotiate(s->ssl, s->hooks->arg)) {
			smtp_start_reneg(s);
			return;
		}
		smtp_quit(s);
		return;
	}
	e = SSL_get_error(s->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		if (smtp_wait(s, e == SSL_ERROR_WANT_WRITE) < 0)
			smtp_finish(s, ADDR_LOCAL_ERROR, "event loop");
		return;
	}
	oe = ERR_peek_last_error();
	ERR_error_string_n(oe, ebuf, sizeof(ebuf));
	if (s->hooks)
		s->hooks->handshake(s->ssl, 0, oe, e, s->hooks->arg);
	ERR_clear_error();
	if (s->tlsa_added > 0)
		s->ar->dane = DANE_NO_TLS;
	smtp_finish(s, ADDR_HANDSHAKE_FAILED, "TLS handshake failed: %s",
		    oe ? ebuf : (e == SSL_ERROR_SYSCALL ? "connection closed" : "protocol error"));
}

/* A complete reply arrived in the current state. */
static void smtp_on_reply(struct smtp_session *s)
{
	char cmd[DNS_NAME_MAX + 8];

	switch (s->state) {
	case SMTP_BANNER:
		s->ar->banner = str_dup(buf_str(&s->reply.text));
		s->ar->greeting_code = s->reply.code;
		if (s->reply.code != 220) {
			smtp_finish(s, ADDR_BAD_GREETING, "greeting %d, not 220: %.100s",
				    s->reply.code, s->ar->banner ? s->ar->banner : "");
			return;
		}
		smtp_state(s, SMTP_EHLO);
		(void)snprintf(cmd, sizeof(cmd), "EHLO %s", s->cfg->ehlo_name);
		if (smtp_send(s, cmd) < 0)
			smtp_finish(s, ADDR_LOCAL_ERROR, "out of memory");
		return;
	case SMTP_EHLO:
		s->ar->ehlo = str_dup(buf_str(&s->reply.text));
		if (s->reply.code != 250 || !smtp_ehlo_has(&s->reply, "STARTTLS")) {
			s->ar->status = ADDR_NO_STARTTLS;
			(void)snprintf(s->ar->error, sizeof(s->ar->error), "%s",
				       s->reply.code != 250 ? "EHLO refused"
							    : "STARTTLS not offered in EHLO");
			if (s->tlsa_added == 0 && s->host->tlsa_state == TLSA_PRESENT &&
			    tls_count_usable_tlsa(s->host) > 0)
				s->ar->dane = DANE_NO_TLS;
			smtp_quit(s);
			return;
		}
		smtp_state(s, SMTP_STARTTLS);
		if (smtp_send(s, "STARTTLS") < 0)
			smtp_finish(s, ADDR_LOCAL_ERROR, "out of memory");
		return;
	case SMTP_STARTTLS:
		if (s->reply.code != 220) {
			s->ar->status = ADDR_STARTTLS_REJECTED;
			(void)snprintf(s->ar->error, sizeof(s->ar->error),
				       "STARTTLS answered %d: %.100s", s->reply.code,
				       buf_str(&s->reply.text));
			if (s->host->tlsa_state == TLSA_PRESENT &&
			    tls_count_usable_tlsa(s->host) > 0)
				s->ar->dane = DANE_NO_TLS;
			smtp_quit(s);
			return;
		}
		smtp_start_raw(s);
		return;
	case SMTP_QUIT:
		smtp_finish(s, s->ar->status, NULL);
		return;
	default:
		return;
	}
}

static void smtp_connected(struct smtp_session *s)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		enum addr_status st = ADDR_REFUSED;

		if (err == ENETUNREACH || err == EAFNOSUPPORT || err == EADDRNOTAVAIL)
			st = ADDR_UNREACHABLE_FAMILY;
		smtp_finish(s, st, "connect: %s", strerror(err));
		return;
	}
	smtp_state(s, SMTP_BANNER);
	if (smtp_wait(s, false) < 0)
		smtp_finish(s, ADDR_LOCAL_ERROR, "event loop");
}

static void smtp_on_fd(evutil_socket_t fd, short what, void *arg)
{
	struct smtp_session *s = arg;
	int r;

	(void)fd;
	(void)what;
	if (s->state == SMTP_CONNECT) {
		smtp_connected(s);
		return;
	}
	if (s->state == SMTP_TLS) {
		smtp_handshake(s);
		return;
	}
	if (s->state == SMTP_RENEG) {
		smtp_renegotiate(s);
		return;
	}
	if (s->state == SMTP_RAW && s->out.len == 0) {
		smtp_read_raw(s);
		return;
	}
	if (s->out.len > 0) {
		r = smtp_flush(s);
		if (r < 0) {
			if (s->state == SMTP_QUIT)
				smtp_finish(s, s->ar->status, NULL);
			else
				smtp_finish(s, ADDR_PROTOCOL, "write failed in %s",
					    smtp_state_names[s->state]);
			return;
		}
		if (r == 0)
			return;
		if (smtp_wait(s, false) < 0)
			smtp_finish(s, ADDR_LOCAL_ERROR, "event loop");
		return;
	}
	r = smtp_read_reply(s);
	if (r == 1) {
		smtp_on_reply(s);
	} else if (r == -1) {
		return;
	}
}

struct smtp_session *smtp_probe_start(struct event_base *base, const struct smtp_config *cfg,
				      const struct mx_host *host, struct addr_result *ar,
				      smtp_done_cb cb, void *arg)
{
	return smtp_probe_start_hooked(base, cfg, host, ar, NULL, cb, arg);
}

struct smtp_session *smtp_probe_start_hooked(struct event_base *base, const struct smtp_config *cfg,
					     const struct mx_host *host, struct addr_result *ar,
					     const struct smtp_hooks *hooks, smtp_done_cb cb,
					     void *arg)
{
	struct smtp_session *s = calloc(1, sizeof(*s));
	struct sockaddr_storage ss;
	socklen_t sslen;
	int flags;

	if (!s) {
		ar->status = ADDR_LOCAL_ERROR;
		return NULL;
	}
	s->base = base;
	s->cfg = cfg;
	s->host = host;
	s->ar = ar;
	s->cb = cb;
	s->arg = arg;
	s->hooks = hooks;
	s->fd = -1;
	s->state = SMTP_CONNECT;
	smtp_reply_init(&s->reply);
	buf_init(&s->out, 1024);
	memset(&ss, 0, sizeof(ss));
	if (ar->family == AF_INET6) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;

		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)cfg->port);
		if (inet_pton(AF_INET6, ar->ip, &a6->sin6_addr) != 1)
			goto fail;
		sslen = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;

		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)cfg->port);
		if (inet_pton(AF_INET, ar->ip, &a4->sin_addr) != 1)
			goto fail;
		sslen = sizeof(*a4);
	}
	s->timer = evtimer_new(base, smtp_on_timeout, s);
	if (!s->timer)
		goto fail;
	s->fd = socket(ar->family, SOCK_STREAM, 0);
	if (s->fd < 0) {
		if (errno == EAFNOSUPPORT) {
			ar->status = ADDR_UNREACHABLE_FAMILY;
			(void)snprintf(ar->error, sizeof(ar->error),
				       "address family not supported");
		}
		goto fail;
	}
	flags = fcntl(s->fd, F_GETFL, 0);
	if (flags < 0 || fcntl(s->fd, F_SETFL, flags | O_NONBLOCK) < 0)
		goto fail;
	smtp_state(s, SMTP_CONNECT);
	if (connect(s->fd, (struct sockaddr *)&ss, sslen) < 0 && errno != EINPROGRESS) {
		int e = errno;

		ar->status = (e == ENETUNREACH || e == EADDRNOTAVAIL) ? ADDR_UNREACHABLE_FAMILY
								      : ADDR_REFUSED;
		(void)snprintf(ar->error, sizeof(ar->error), "connect: %s", strerror(e));
		goto fail;
	}
	if (smtp_wait(s, true) < 0)
		goto fail;
	return s;
fail:
	if (ar->status == ADDR_PENDING) {
		ar->status = ADDR_LOCAL_ERROR;
		(void)snprintf(ar->error, sizeof(ar->error), "cannot start the connection");
	}
	ar->done = true;
	smtp_free(s);
	return NULL;
}

void smtp_probe_abort(struct smtp_session *s)
{
	if (s)
		smtp_free(s);
}
