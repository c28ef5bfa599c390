/*
 * fetch.c - HTTPS GET on libevent through libcurl's multi-socket API
 * (CURLMOPT_SOCKETFUNCTION / CURLMOPT_TIMERFUNCTION, as in curl's
 * docs/examples/multi-event.c).
 *
 * The certificates to trust are loaded once per fetcher (fetcher_new) and
 * handed to every connection's SSL_CTX (CURLOPT_SSL_CTX_FUNCTION), instead
 * of libcurl reading its CA file for each one: curl 7.88 caches its store
 * (CURLOPT_CA_CACHE_TIMEOUT) only when not both a CA file and a CA path are
 * set, and Debian's build sets both, so every MTA-STS fetch parsed the
 * whole system bundle again (measured on the scale lab: one
 * X509_STORE_load_file per fetch).
 */
#include "fetch.h"

#include <curl/curl.h>
#include <event2/event.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "str.h"

struct fetcher {
	struct event_base *base;
	CURLM *multi;
	struct event *timer;
	int running;
	X509_STORE *trust; /* every connection's (fetcher_new) */
};

struct fetch {
	struct fetcher *f;
	CURL *easy;
	struct curl_slist *resolve;
	fetch_cb cb;
	void *arg;
	struct fetch_result res;
	char errbuf[CURL_ERROR_SIZE];
};

struct fetch_sock {
	struct event *ev;
	struct fetcher *f;
};

static void fetch_check_done(struct fetcher *f)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(f->multi, &left))) {
		struct fetch *x = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		(void)curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (!x)
			continue;
		{
			CURLcode code = m->data.result;
			char *ct = NULL;

			x->res.curl_code = (int)code;
			(void)curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE,
						&x->res.http_status);
			if (curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
			    ct)
				(void)str_sanitise(x->res.content_type, sizeof(x->res.content_type),
						   ct, strlen(ct));
			x->res.timeout = code == CURLE_OPERATION_TIMEDOUT;
			x->res.tls_error = code == CURLE_PEER_FAILED_VERIFICATION ||
					   code == CURLE_SSL_CONNECT_ERROR ||
					   code == CURLE_SSL_CACERT_BADFILE;
			if (code == CURLE_WRITE_ERROR && x->res.too_large)
				(void)snprintf(x->res.error, sizeof(x->res.error),
					       "body larger than the limit");
			else if (code != CURLE_OK)
				(void)snprintf(x->res.error, sizeof(x->res.error), "%s",
					       x->errbuf[0] ? x->errbuf : curl_easy_strerror(code));
		}
		(void)curl_multi_remove_handle(f->multi, x->easy);
		x->cb(&x->res, x->arg);
		curl_easy_cleanup(x->easy);
		curl_slist_free_all(x->resolve);
		buf_free(&x->res.body);
		free(x);
	}
}

static void fetch_on_event(evutil_socket_t fd, short what, void *arg)
{
	struct fetcher *f = arg;
	int action =
	    ((what & EV_READ) ? CURL_CSELECT_IN : 0) | ((what & EV_WRITE) ? CURL_CSELECT_OUT : 0);

	(void)curl_multi_socket_action(f->multi, fd, action, &f->running);
	fetch_check_done(f);
}

static void fetch_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct fetcher *f = arg;

	(void)fd;
	(void)what;
	(void)curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &f->running);
	fetch_check_done(f);
}

static int fetch_sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *sockp)
{
	struct fetcher *f = userp;
	struct fetch_sock *fs = sockp;
	short kind;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (fs) {
			event_free(fs->ev);
			free(fs);
			(void)curl_multi_assign(f->multi, s, NULL);
		}
		return 0;
	}
	kind = (short)(((what & CURL_POLL_IN) ? EV_READ : 0) |
		       ((what & CURL_POLL_OUT) ? EV_WRITE : 0) | EV_PERSIST);
	if (!fs) {
		fs = calloc(1, sizeof(*fs));
		if (!fs)
			return -1;
		fs->f = f;
		(void)curl_multi_assign(f->multi, s, fs);
	} else {
		event_free(fs->ev);
	}
	fs->ev = event_new(f->base, s, kind, fetch_on_event, f);
	if (!fs->ev || event_add(fs->ev, NULL) < 0)
		return -1;
	return 0;
}

static int fetch_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct fetcher *f = userp;
	struct timeval tv;

	(void)multi;
	if (timeout_ms < 0) {
		(void)evtimer_del(f->timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	return evtimer_add(f->timer, &tv) < 0 ? -1 : 0;
}

/* The trust store: the CA file, or the system's default locations, as the
 * SMTP side loads them (probes/tls.c, tls_client_ctx_new); with the flags
 * libcurl sets on the store it would have made (vtls/openssl.c): issuers
 * from the trusted store first, and a trusted intermediate as an anchor
 * (curl's default, CURLSSLOPT_NO_PARTIALCHAIN unset). */
static X509_STORE *fetch_trust_new(const char *ca_file, char *err, size_t errlen)
{
	X509_STORE *st = X509_STORE_new();

	if (!st) {
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (ca_file ? X509_STORE_load_file(st, ca_file) != 1
		    : X509_STORE_set_default_paths(st) != 1) {
		(void)snprintf(err, errlen, "%s: cannot load CA certificates",
			       ca_file ? ca_file : "the system's CA store");
		X509_STORE_free(st);
		return NULL;
	}
	(void)X509_STORE_set_flags(st, X509_V_FLAG_TRUSTED_FIRST | X509_V_FLAG_PARTIAL_CHAIN);
	return st;
}

/* CURLOPT_SSL_CTX_FUNCTION: the fetcher's store instead of one of its own. */
static CURLcode fetch_ssl_ctx(CURL *e, void *ssl_ctx, void *arg)
{
	struct fetcher *f = arg;

	(void)e;
	SSL_CTX_set1_cert_store(ssl_ctx, f->trust);
	return CURLE_OK;
}

struct fetcher *fetcher_new(struct event_base *base, const char *ca_file, char *err, size_t errlen)
{
	struct fetcher *f = calloc(1, sizeof(*f));

	if (!f) {
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->base = base;
	f->trust = fetch_trust_new(ca_file, err, errlen);
	if (!f->trust) {
		free(f);
		return NULL;
	}
	f->multi = curl_multi_init();
	f->timer = evtimer_new(base, fetch_on_timer, f);
	if (!f->multi || !f->timer ||
	    curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, fetch_sock_cb) ||
	    curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f) ||
	    curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, fetch_timer_cb) ||
	    curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f)) {
		(void)snprintf(err, errlen, "libcurl: cannot set up the multi handle");
		fetcher_free(f);
		return NULL;
	}
	return f;
}

void fetcher_free(struct fetcher *f)
{
	if (!f)
		return;
	if (f->multi)
		(void)curl_multi_cleanup(f->multi);
	if (f->timer)
		event_free(f->timer);
	X509_STORE_free(f->trust);
	free(f);
}

static size_t fetch_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct fetch *x = userdata;
	size_t n = size * nmemb;

	if (buf_add(&x->res.body, ptr, n) < 0) {
		x->res.too_large = true;
		return 0; /* abort the transfer: CURLE_WRITE_ERROR */
	}
	return n;
}

struct fetch *fetch_start(struct fetcher *f, const struct fetch_request *req, fetch_cb cb,
			  void *arg)
{
	struct fetch *x = calloc(1, sizeof(*x));
	CURL *e;

	if (!x)
		return NULL;
	x->f = f;
	x->cb = cb;
	x->arg = arg;
	buf_init(&x->res.body, req->max_body);
	e = x->easy = curl_easy_init();
	if (!e)
		goto fail;
	if (req->resolve && !(x->resolve = curl_slist_append(NULL, req->resolve)))
		goto fail;
	if (curl_easy_setopt(e, CURLOPT_URL, req->url) ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https") ||
	    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) ||
	    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L) ||
	    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L) ||
	    curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2) ||
	    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, req->timeout_ms) ||
	    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, req->timeout_ms) ||
	    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) ||
	    curl_easy_setopt(e, CURLOPT_USERAGENT, "mailscan (MTA-STS policy fetch)") ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fetch_write) ||
	    curl_easy_setopt(e, CURLOPT_WRITEDATA, x) ||
	    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf) ||
	    curl_easy_setopt(e, CURLOPT_PRIVATE, x) || curl_easy_setopt(e, CURLOPT_PROXY, "") ||
	    (x->resolve && curl_easy_setopt(e, CURLOPT_RESOLVE, x->resolve)) ||
	    /* no file or path of curl's own: the fetcher's store (fetch_ssl_ctx) */
	    curl_easy_setopt(e, CURLOPT_CAINFO, NULL) ||
	    curl_easy_setopt(e, CURLOPT_CAPATH, NULL) ||
	    curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, fetch_ssl_ctx) ||
	    curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, f))
		goto fail;
	if (curl_multi_add_handle(f->multi, e) != CURLM_OK)
		goto fail;
	return x;
fail:
	if (x->easy)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->resolve);
	buf_free(&x->res.body);
	free(x);
	return NULL;
}

void fetch_cancel(struct fetch *x)
{
	if (!x)
		return;
	(void)curl_multi_remove_handle(x->f->multi, x->easy);
	curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->resolve);
	buf_free(&x->res.body);
	free(x);
}
