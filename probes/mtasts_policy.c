/*
 * mtasts_policy.c - parsers for MTA-STS (RFC 8461).
 *
 * Implements the _mta-sts TXT record grammar (§3.1), the policy file
 * grammar and field rules (§3.2) and MX host name matching against policy
 * patterns (§4.1). All input is untrusted: nothing is read past the given
 * length or terminating NUL, and every copy is bounded.
 */
#include "mtasts_policy.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/str.h"

#define STS_KEY_MAX 32 /* extension field names: 1 + 31 characters */

static void sts_why(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void sts_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || whylen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

static bool sts_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool sts_wsp(char c) { return c == ' ' || c == '\t'; }

/* §3.1 sts-ext-name / §3.2 sts-policy-ext-name */
static bool sts_key_ok(const char *k, size_t n)
{
	size_t i;

	if (n == 0 || n > STS_KEY_MAX || !sts_alnum(k[0]))
		return false;
	for (i = 1; i < n; i++)
		if (!sts_alnum(k[i]) && k[i] != '_' && k[i] != '-' && k[i] != '.')
			return false;
	return true;
}

/* §3.1 sts-ext-value: %x21-3A / %x3C / %x3E-7E, at least one */
static bool sts_ext_value_ok(const char *v, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x21 || c > 0x7e || c == ';' || c == '=')
			return false;
	}
	return true;
}

bool mtasts_txt_is_sts(const char *txt)
{
	if (!txt || strncmp(txt, "v=STSv1", 7) != 0)
		return false;
	return txt[7] == '\0' || txt[7] == ';' || sts_wsp(txt[7]);
}

int mtasts_txt_parse(const char *txt, char id[STS_ID_MAX + 1], char *why, size_t whylen)
{
	const char *p;
	bool have_id = false;
	int field = 1;

	id[0] = '\0';
	if (!mtasts_txt_is_sts(txt)) {
		sts_why(why, whylen, "does not start with v=STSv1");
		return -1;
	}
	p = txt + 7;
	for (;;) {
		const char *name, *val;
		size_t nlen, vlen, i;

		while (sts_wsp(*p))
			p++;
		if (*p == '\0')
			break;
		if (*p != ';') {
			sts_why(why, whylen, "expected ';' after field %d", field);
			return -1;
		}
		p++;
		while (sts_wsp(*p))
			p++;
		if (*p == '\0')
			break; /* optional trailing ';' */
		field++;
		if (*p == ';') {
			sts_why(why, whylen, "field %d is empty", field);
			return -1;
		}
		name = p;
		while (*p && *p != '=' && *p != ';' && !sts_wsp(*p))
			p++;
		nlen = (size_t)(p - name);
		if (*p != '=') {
			sts_why(why, whylen, "field %d: expected key=value", field);
			return -1;
		}
		val = ++p;
		while (*p && *p != ';' && !sts_wsp(*p))
			p++;
		vlen = (size_t)(p - val);
		if (nlen == 2 && memcmp(name, "id", 2) == 0) {
			if (have_id) {
				sts_why(why, whylen, "field %d: id appears more than once", field);
				return -1;
			}
			if (vlen == 0 || vlen > STS_ID_MAX) {
				sts_why(why, whylen, "field %d: id must be 1-32 letters or digits",
					field);
				return -1;
			}
			for (i = 0; i < vlen; i++) {
				if (!sts_alnum(val[i])) {
					sts_why(why, whylen,
						"field %d: id must be letters and digits only",
						field);
					return -1;
				}
			}
			memcpy(id, val, vlen);
			id[vlen] = '\0';
			have_id = true;
		} else if (!sts_key_ok(name, nlen)) {
			sts_why(why, whylen, "field %d: bad field name", field);
			return -1;
		} else if (!sts_ext_value_ok(val, vlen)) {
			sts_why(why, whylen, "field %d: bad or empty field value", field);
			return -1;
		}
	}
	if (!have_id) {
		id[0] = '\0';
		sts_why(why, whylen, "id is missing");
		return -1;
	}
	return 0;
}

static void sts_policy_empty(struct sts_policy *p)
{
	size_t i;

	p->mode = STS_MODE_UNSET;
	p->max_age = -1;
	p->nmx = 0;
	for (i = 0; i < STS_MX_MAX; i++)
		p->mx[i] = NULL;
}

void mtasts_policy_free(struct sts_policy *p)
{
	size_t i;

	for (i = 0; i < p->nmx && i < STS_MX_MAX; i++)
		free(p->mx[i]);
	sts_policy_empty(p);
}

static bool sts_eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/*
 * Validate an mx value ("host" or "*.host") and store its normalised form
 * into out (size >= DNS_NAME_MAX + 3). Returns 0 or -1 with *reason set.
 */
static int sts_mx_pattern(const char *v, size_t n, char *out, const char **reason)
{
	char in[DNS_NAME_MAX + 2];
	size_t skip = 0;

	if (n >= 2 && v[0] == '*' && v[1] == '.')
		skip = 2;
	if (n - skip > DNS_NAME_MAX) {
		*reason = "name too long";
		return -1;
	}
	memcpy(in, v + skip, n - skip);
	in[n - skip] = '\0';
	if (memchr(v + skip, '\0', n - skip)) {
		*reason = "NUL byte in name";
		return -1;
	}
	if (strchr(in, '*')) {
		*reason = "a wildcard is only allowed as a whole leftmost label \"*.\"";
		return -1;
	}
	if (skip)
		memcpy(out, "*.", 2);
	return str_domain_normalise(in, out + skip, DNS_NAME_MAX + 1, reason);
}

int mtasts_policy_parse(const char *body, size_t len, struct sts_policy *p, char *why,
			size_t whylen)
{
	bool have_version = false;
	size_t pos = 0;
	unsigned lineno = 0;

	sts_policy_empty(p);
	if (!body || len == 0) {
		sts_why(why, whylen, "policy is empty");
		return -1;
	}
	while (pos < len) {
		const char *l = body + pos, *nl, *colon, *v;
		size_t n, klen, vlen;

		nl = memchr(l, '\n', len - pos);
		n = nl ? (size_t)(nl - l) : len - pos;
		pos += n + (nl ? 1 : 0);
		lineno++;
		if (n > 0 && l[n - 1] == '\r')
			n--;
		/* §3.2 allows WSP around each field */
		while (n > 0 && sts_wsp(l[0])) {
			l++;
			n--;
		}
		while (n > 0 && sts_wsp(l[n - 1]))
			n--;
		if (n == 0)
			continue; /* blank line: tolerated */
		colon = memchr(l, ':', n);
		if (!colon) {
			sts_why(why, whylen, "line %u: expected \"key: value\"", lineno);
			goto fail;
		}
		klen = (size_t)(colon - l);
		if (!sts_key_ok(l, klen)) {
			sts_why(why, whylen, "line %u: bad field name", lineno);
			goto fail;
		}
		v = colon + 1;
		vlen = n - klen - 1;
		while (vlen > 0 && sts_wsp(v[0])) {
			v++;
			vlen--;
		}
		if (sts_eq(l, klen, "version")) {
			if (have_version)
				continue; /* first wins */
			if (!sts_eq(v, vlen, "STSv1")) {
				sts_why(why, whylen, "line %u: version must be STSv1", lineno);
				goto fail;
			}
			have_version = true;
		} else if (sts_eq(l, klen, "mode")) {
			if (p->mode != STS_MODE_UNSET)
				continue;
			if (sts_eq(v, vlen, "enforce"))
				p->mode = STS_MODE_ENFORCE;
			else if (sts_eq(v, vlen, "testing"))
				p->mode = STS_MODE_TESTING;
			else if (sts_eq(v, vlen, "none"))
				p->mode = STS_MODE_NONE;
			else {
				sts_why(why, whylen,
					"line %u: mode must be enforce, testing or none", lineno);
				goto fail;
			}
		} else if (sts_eq(l, klen, "max_age")) {
			long age = 0;
			size_t i;

			if (p->max_age >= 0)
				continue;
			if (vlen == 0 || vlen > 10) {
				sts_why(why, whylen, "line %u: max_age must be 1 to 10 digits",
					lineno);
				goto fail;
			}
			for (i = 0; i < vlen; i++) {
				if (v[i] < '0' || v[i] > '9') {
					sts_why(why, whylen, "line %u: max_age must be digits only",
						lineno);
					goto fail;
				}
				/* 10 digits fit a long only on LP64; stop early instead */
				if (age <= STS_MAX_AGE_MAX)
					age = age * 10 + (v[i] - '0');
			}
			if (age > STS_MAX_AGE_MAX) {
				sts_why(why, whylen, "line %u: max_age above 31557600", lineno);
				goto fail;
			}
			p->max_age = age;
		} else if (sts_eq(l, klen, "mx")) {
			char pat[DNS_NAME_MAX + 3];
			const char *reason = NULL;

			if (sts_mx_pattern(v, vlen, pat, &reason) < 0) {
				sts_why(why, whylen, "line %u: bad mx pattern: %s", lineno,
					reason ? reason : "invalid");
				goto fail;
			}
			if (p->nmx >= STS_MX_MAX) {
				sts_why(why, whylen, "line %u: more than %d mx patterns", lineno,
					STS_MX_MAX);
				goto fail;
			}
			p->mx[p->nmx++] = str_dup(pat);
		}
		/* §3.2: other fields are extensions and ignored */
	}
	if (!have_version) {
		sts_why(why, whylen, "version line is missing");
		goto fail;
	}
	if (p->mode == STS_MODE_UNSET) {
		sts_why(why, whylen, "mode line is missing");
		goto fail;
	}
	if (p->max_age < 0) {
		sts_why(why, whylen, "max_age line is missing");
		goto fail;
	}
	if (p->nmx == 0 && p->mode != STS_MODE_NONE) {
		sts_why(why, whylen, "no mx line (required unless mode is none)");
		goto fail;
	}
	return 0;
fail:
	mtasts_policy_free(p);
	return -1;
}

/* Normalise a pattern or host for matching; -1 when it is not a name. */
static int sts_norm(const char *in, char *out)
{
	const char *reason;

	return str_domain_normalise(in, out, DNS_NAME_MAX + 1, &reason);
}

bool mtasts_mx_match(const char *pattern, const char *host)
{
	char pat[DNS_NAME_MAX + 1], h[DNS_NAME_MAX + 1];
	const char *dot;

	if (!pattern || !host || strchr(host, '*'))
		return false;
	if (sts_norm(host, h) < 0)
		return false;
	if (pattern[0] == '*' && pattern[1] == '.') {
		if (strchr(pattern + 2, '*') || sts_norm(pattern + 2, pat) < 0)
			return false;
		/* exactly one extra leftmost label */
		dot = strchr(h, '.');
		return dot && strcmp(dot + 1, pat) == 0;
	}
	if (strchr(pattern, '*') || sts_norm(pattern, pat) < 0)
		return false;
	return strcmp(h, pat) == 0;
}
