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

/* Stop a running probe without calling its callback (run teardown). */
void smtp_probe_abort(struct smtp_session *s);

#endif
