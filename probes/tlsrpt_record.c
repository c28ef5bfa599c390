/*
 * tlsrpt_record.c - parser for the TLS-RPT TXT record (RFC 8460 §3).
 *
 * Implements the record grammar of RFC 8460 §3 (tlsrpt-version, field
 * delimiters, rua with its list of report URIs, extension fields) and the
 * two URI forms of §3 "rua": mailto: (RFC 6068, addr-spec only) and
 * https: (host, optional port and path). Input is untrusted: bounded
 * copies only, the first problem is reported in words.
 */
#include "tlsrpt_record.h"

#include <stdio.h>
#include <string.h>

#include "../base/str.h"
#include "txt_record.h"

#define TLSRPT_LOCAL_MAX 64 /* RFC 5321 §4.5.3.1.1 */

bool tlsrpt_txt_is_tlsrpt(const char *txt) { return txt_has_version(txt, "v=TLSRPTv1"); }

/* Is n bytes at s a valid host name (str_domain_normalise rules)? NULL when
 * it is, else why not. */
static const char *tlsrpt_host_check(const char *s, size_t n)
{
	char in[DNS_NAME_MAX + 2], out[DNS_NAME_MAX + 1];
	const char *reason = NULL;

	if (n == 0)
		return "empty name";
	if (n > DNS_NAME_MAX)
		return "name longer than 253 characters";
	memcpy(in, s, n);
	in[n] = '\0';
	if (str_domain_normalise(in, out, sizeof(out), &reason) < 0)
		return reason ? reason : "not a host name";
	return NULL;
}

/* atext (RFC 5322 §3.2.3) plus '.' between atoms, and '%' for URI escapes */
static bool tlsrpt_local_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > TLSRPT_LOCAL_MAX || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\0')
			return false;
		if (txt_alnum(c) || strchr("!#$%&'*+-/=?^_`{|}~", c))
			continue;
		/* s[n - 1] is not '.', so s[i + 1] is inside the part */
		if (c == '.' && s[i + 1] != '.')
			continue;
		return false;
	}
	return true;
}

/* URI path characters (RFC 3986 pchar, '/', '?' and '%' escapes) */
static bool tlsrpt_path_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\0' || !(txt_alnum(c) || strchr("-._~!$&'()*+=:@/?%#", c)))
			return false;
	}
	return true;
}

/* One rua URI of n bytes; returns NULL or what is wrong with it (into buf). */
static const char *tlsrpt_uri_check(const char *u, size_t n, char *buf, size_t buflen)
{
	const char *err;

	if (n >= 7 && str_iprefix(u, "mailto:")) {
		const char *at;

		u += 7;
		n -= 7;
		at = memchr(u, '@', n);
		if (!at)
			return "mailto: address has no '@'";
		if (!tlsrpt_local_ok(u, (size_t)(at - u)))
			return "mailto: bad local part";
		err = tlsrpt_host_check(at + 1, n - (size_t)(at - u) - 1);
		if (err) {
			(void)snprintf(buf, buflen, "mailto: bad domain: %s", err);
			return buf;
		}
		return NULL;
	}
	if (n >= 8 && str_iprefix(u, "https://")) {
		size_t h, end;

		u += 8;
		n -= 8;
		for (h = 0; h < n && u[h] != ':' && u[h] != '/'; h++)
			;
		err = tlsrpt_host_check(u, h);
		if (err) {
			(void)snprintf(buf, buflen, "https: bad host name: %s", err);
			return buf;
		}
		end = h;
		if (end < n && u[end] == ':') {
			unsigned long port = 0;
			size_t digits = 0;

			for (end++; end < n && u[end] >= '0' && u[end] <= '9'; end++) {
				if (++digits > 5)
					return "https: bad port";
				port = port * 10 + (unsigned long)(u[end] - '0');
			}
			if (digits == 0 || port == 0 || port > 65535)
				return "https: bad port";
		}
		if (end < n && (u[end] != '/' || !tlsrpt_path_ok(u + end, n - end)))
			return "https: bad path";
		return NULL;
	}
	return "not a mailto: or https: URI";
}

/* The rua value (trailing WSP already removed): URIs separated by ','. */
static int tlsrpt_rua_check(const char *v, size_t n, int field, char *why, size_t whylen)
{
	size_t pos = 0;
	int k = 0;

	for (;;) {
		size_t start, len;
		const char *err;
		char ebuf[96];

		while (pos < n && txt_wsp(v[pos]))
			pos++;
		start = pos;
		while (pos < n && v[pos] != ',' && !txt_wsp(v[pos]))
			pos++;
		len = pos - start;
		k++;
		if (len == 0) {
			txt_why(why, whylen, "field %d: rua URI %d is empty", field, k);
			return -1;
		}
		err = tlsrpt_uri_check(v + start, len, ebuf, sizeof(ebuf));
		if (err) {
			txt_why(why, whylen, "field %d: rua URI %d: %s", field, k, err);
			return -1;
		}
		while (pos < n && txt_wsp(v[pos]))
			pos++;
		if (pos == n)
			return 0;
		if (v[pos] != ',') {
			txt_why(why, whylen, "field %d: rua URIs must be separated by ','", field);
			return -1;
		}
		pos++;
	}
}

int tlsrpt_txt_parse(const char *txt, char *why, size_t whylen)
{
	struct txt_cursor cur;
	struct txt_field f;
	bool have_rua = false;
	int rc;

	if (!tlsrpt_txt_is_tlsrpt(txt)) {
		txt_why(why, whylen, "does not start with v=TLSRPTv1");
		return -1;
	}
	txt_cursor_init(&cur, txt, "v=TLSRPTv1");
	while ((rc = txt_next_field(&cur, "rua", &f, why, whylen)) == 1) {
		if (f.nlen == 3 && memcmp(f.name, "rua", 3) == 0) {
			if (have_rua) {
				txt_why(why, whylen, "field %d: rua appears more than once",
					f.index);
				return -1;
			}
			if (tlsrpt_rua_check(f.val, f.vlen, f.index, why, whylen) < 0)
				return -1;
			have_rua = true;
		} else if (txt_ext_field_check(&f, why, whylen) < 0) {
			return -1;
		}
	}
	if (rc < 0)
		return -1;
	if (!have_rua) {
		txt_why(why, whylen, "rua is missing");
		return -1;
	}
	return 0;
}
