/*
 * fetch.c - HTTPS GET on libevent through libcurl's multi-socket API
 * (CURLMOPT_SOCKETFUNCTION / CURLMOPT_TIMERFUNCTION, as in curl's
 * docs/examples/multi-event.c).
 */
#include "fetch.h"

#include <curl/curl.h>
#include <event2/event.h>
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

struct fetcher *fetcher_new(struct event_base *base, char *err, size_t errlen)
{
	struct fetcher *f = calloc(1, sizeof(*f));

	if (!f) {
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->base = base;
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
	    (req->ca_file && curl_easy_setopt(e, CURLOPT_CAINFO, req->ca_file)))
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
