/*
 * smtp.h - the SMTP STARTTLS probe of one MX address (RFC 5321, RFC 3207).
 *
 * Connect to port 25, read the greeting, EHLO, look for STARTTLS, STARTTLS,
 * TLS handshake (with DANE when the host has usable TLSA), QUIT. One explicit
 * state machine on a non-blocking socket driven by the scanner's libevent
 * loop; every state has a deadline and every reply a size cap.
 */
#ifndef MAILSCAN_SMTP_H
#define MAILSCAN_SMTP_H

#include <openssl/ssl.h>

#include "../base/buf.h"
#include "scan.h"

struct event_base;
struct smtp_session;

struct smtp_config {
	const char *ehlo_name; /* name sent in EHLO (borrowed) */
	unsigned timeout_ms;   /* deadline of each state */
	unsigned port;         /* 25 */
	SSL_CTX *ssl_ctx;      /* borrowed, from tls_client_ctx_new */
};

typedef void (*smtp_done_cb)(struct addr_result *ar, void *arg);

/* The outcome of a client-initiated renegotiation (struct smtp_hooks). */
enum smtp_reneg {
	SMTP_RENEG_DONE,      /* a second handshake completed */
	SMTP_RENEG_REFUSED,   /* an alert, or the connection closed */
	SMTP_RENEG_NO_ANSWER, /* nothing within the state's deadline (ignored) */
	SMTP_RENEG_LOCAL      /* OpenSSL would not start it */
};

/*
 * Hooks for a session that does more than record (the tls_ncsc probe's
 * extra handshakes). prepare runs after SSL_new and SNI, before the
 * handshake (return 0, or -1 to give up with ADDR_LOCAL_ERROR); handshake
 * runs when the handshake is over: ok 1 (then nothing is recorded into the
 * addr_result but the status), or ok 0 with OpenSSL's last error and
 * SSL_get_error's value, while the SSL still lives.
 */
struct smtp_hooks {
	int (*prepare)(SSL *ssl, void *arg);
	void (*handshake)(SSL *ssl, int ok, unsigned long err, int ssl_error, void *arg);
	/*
	 * Raw mode (tls_ncsc's hand-made ClientHellos), optional: after the
	 * 220 to STARTTLS, raw_hello may put bytes into out and return 1;
	 * they are sent instead of an OpenSSL handshake, and raw_reply gets
	 * everything the server sent back so far (at most SMTP_RAW_MAX bytes;
	 * eof: nothing more will come - closed, timed out or full) until it
	 * returns 1. The connection is then closed without QUIT (there is no
	 * way back to SMTP inside a half-done handshake). raw_hello returns 0
	 * for the normal handshake, -1 for ADDR_LOCAL_ERROR.
	 */
	int (*raw_hello)(struct buf *out, void *arg);
	int (*raw_reply)(const unsigned char *data, size_t len, bool eof, void *arg);
	/*
	 * Client-initiated renegotiation (tls_ncsc), optional, both or
	 * neither: after a completed handshake at TLS 1.2 or lower (and after
	 * handshake), renegotiate may return true to ask for one in the same
	 * session before QUIT: SSL_renegotiate, then SSL_do_handshake driven
	 * by the loop under the state's deadline like the first handshake.
	 * renegotiated then gets the outcome with a short why (borrowed,
	 * valid during the call); the session QUITs when TLS survived it and
	 * is closed otherwise. The status stays that of the first handshake.
	 */
	bool (*renegotiate)(SSL *ssl, void *arg);
	void (*renegotiated)(enum smtp_reneg res, const char *why, void *arg);
	void *arg;
};

#define SMTP_RAW_MAX 16384

/*
 * Probe ar->ip for MX host `host` (borrowed; TLSA records are taken from it).
 * Results go into ar; cb(ar, arg) is called exactly once, from the loop,
 * after which the session is gone. Returns the session, or NULL when it
 * could not even start (then ar is filled with ADDR_LOCAL_ERROR and cb is
 * not called).
 */
struct smtp_session *smtp_probe_start(struct event_base *base, const struct smtp_config *cfg,
				      const struct mx_host *host, struct addr_result *ar,
				      smtp_done_cb cb, void *arg);

/* smtp_probe_start with hooks (borrowed, must outlive the session). */
struct smtp_session *smtp_probe_start_hooked(struct event_base *base, const struct smtp_config *cfg,
					     const struct mx_host *host, struct addr_result *ar,
					     const struct smtp_hooks *hooks, smtp_done_cb cb,
					     void *arg);

/* Stop a running probe without calling its callback (run teardown). */
void smtp_probe_abort(struct smtp_session *s);

#endif
