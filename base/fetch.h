/*
 * fetch.h - HTTPS GET on the scanner's libevent loop (libcurl multi-socket).
 *
 * Used for MTA-STS policies (RFC 8461 §3.3): PKIX-verified HTTPS only, no
 * redirects followed, a body cap, an overall timeout, and addresses that
 * the caller resolved itself handed to curl (CURLOPT_RESOLVE), so curl never
 * asks the system resolver.
 */
#ifndef MAILSCAN_FETCH_H
#define MAILSCAN_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct event_base;
struct fetcher;
struct fetch;

struct fetch_request {
	const char *url;
	const char *resolve; /* "host:443:ip1,ip2" for CURLOPT_RESOLVE, or NULL */
	long timeout_ms;
	size_t max_body; /* body bytes kept; more is too_large */
};

struct fetch_result {
	int curl_code; /* CURLcode; 0 = transfer done */
	long http_status;
	char content_type[128];
	struct buf body; /* owned by the fetch; valid during the callback */
	bool too_large;
	bool tls_error; /* the peer's certificate or TLS failed */
	bool timeout;
	char error[256];
};

typedef void (*fetch_cb)(struct fetch_result *r, void *arg);

/*
 * A fetcher on base, trusting the certificates of ca_file (PEM), or the
 * system's default CA locations when ca_file is NULL, loaded once here for
 * all its fetches. NULL with a message in err when they cannot be loaded.
 */
struct fetcher *fetcher_new(struct event_base *base, const char *ca_file, char *err, size_t errlen);
/* Frees the fetcher; running fetches are dropped without callbacks. */
void fetcher_free(struct fetcher *f);

/*
 * Start a GET. cb is called once from the loop. Returns the fetch (for
 * fetch_cancel) or NULL when it could not start (cb not called).
 */
struct fetch *fetch_start(struct fetcher *f, const struct fetch_request *req, fetch_cb cb,
			  void *arg);
/* Cancel a running fetch; its callback is not called. */
void fetch_cancel(struct fetch *x);

#endif
