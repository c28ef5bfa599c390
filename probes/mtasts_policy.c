/*
 * mtasts_policy.c - parsers for MTA-STS (RFC 8461).
 *
 * Implements the _mta-sts TXT record grammar (§3.1), the policy file
 * grammar and field rules (§3.2) and MX host name matching against policy
 * patterns (§4.1). All input is untrusted: nothing is read past the given
 * length or terminating NUL, and every copy is bounded.
 */
#include "mtasts_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/str.h"
#include "txt_record.h"

bool mtasts_txt_is_sts(const char *txt) { return txt_has_version(txt, "v=STSv1"); }

int mtasts_txt_parse(const char *txt, char id[STS_ID_MAX + 1], char *why, size_t whylen)
{
	struct txt_cursor cur;
	struct txt_field f;
	bool have_id = false;
	size_t i;
	int rc;

	id[0] = '\0';
	if (!mtasts_txt_is_sts(txt)) {
		txt_why(why, whylen, "does not start with v=STSv1");
		return -1;
	}
	txt_cursor_init(&cur, txt, "v=STSv1");
	while ((rc = txt_next_field(&cur, NULL, &f, why, whylen)) == 1) {
		if (f.nlen == 2 && memcmp(f.name, "id", 2) == 0) {
			if (have_id) {
				txt_why(why, whylen, "field %d: id appears more than once",
					f.index);
				return -1;
			}
			if (f.vlen == 0 || f.vlen > STS_ID_MAX) {
				txt_why(why, whylen, "field %d: id must be 1-32 letters or digits",
					f.index);
				return -1;
			}
			for (i = 0; i < f.vlen; i++) {
				if (!txt_alnum(f.val[i])) {
					txt_why(why, whylen,
						"field %d: id must be letters and digits only",
						f.index);
					return -1;
				}
			}
			memcpy(id, f.val, f.vlen);
			id[f.vlen] = '\0';
			have_id = true;
		} else if (txt_ext_field_check(&f, why, whylen) < 0) {
			return -1;
		}
	}
	if (rc < 0) {
		id[0] = '\0';
		return -1;
	}
	if (!have_id) {
		id[0] = '\0';
		txt_why(why, whylen, "id is missing");
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
		txt_why(why, whylen, "policy is empty");
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
		while (n > 0 && txt_wsp(l[0])) {
			l++;
			n--;
		}
		while (n > 0 && txt_wsp(l[n - 1]))
			n--;
		if (n == 0)
			continue; /* blank line: tolerated */
		colon = memchr(l, ':', n);
		if (!colon) {
			txt_why(why, whylen, "line %u: expected \"key: value\"", lineno);
			goto fail;
		}
		klen = (size_t)(colon - l);
		if (!txt_key_ok(l, klen)) {
			txt_why(why, whylen, "line %u: bad field name", lineno);
			goto fail;
		}
		v = colon + 1;
		vlen = n - klen - 1;
		while (vlen > 0 && txt_wsp(v[0])) {
			v++;
			vlen--;
		}
		if (sts_eq(l, klen, "version")) {
			if (have_version)
				continue; /* first wins */
			if (!sts_eq(v, vlen, "STSv1")) {
				txt_why(why, whylen, "line %u: version must be STSv1", lineno);
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
				txt_why(why, whylen,
					"line %u: mode must be enforce, testing or none", lineno);
				goto fail;
			}
		} else if (sts_eq(l, klen, "max_age")) {
			long age = 0;
			size_t i;

			if (p->max_age >= 0)
				continue;
			if (vlen == 0 || vlen > 10) {
				txt_why(why, whylen, "line %u: max_age must be 1 to 10 digits",
					lineno);
				goto fail;
			}
			for (i = 0; i < vlen; i++) {
				if (v[i] < '0' || v[i] > '9') {
					txt_why(why, whylen, "line %u: max_age must be digits only",
						lineno);
					goto fail;
				}
				/* 10 digits fit a long only on LP64; stop early instead */
				if (age <= STS_MAX_AGE_MAX)
					age = age * 10 + (v[i] - '0');
			}
			if (age > STS_MAX_AGE_MAX) {
				txt_why(why, whylen, "line %u: max_age above 31557600", lineno);
				goto fail;
			}
			p->max_age = age;
		} else if (sts_eq(l, klen, "mx")) {
			char pat[DNS_NAME_MAX + 3];
			const char *reason = NULL;

			if (sts_mx_pattern(v, vlen, pat, &reason) < 0) {
				txt_why(why, whylen, "line %u: bad mx pattern: %s", lineno,
					reason ? reason : "invalid");
				goto fail;
			}
			if (p->nmx >= STS_MX_MAX) {
				txt_why(why, whylen, "line %u: more than %d mx patterns", lineno,
					STS_MX_MAX);
				goto fail;
			}
			p->mx[p->nmx++] = str_dup(pat);
		}
		/* §3.2: other fields are extensions and ignored */
	}
	if (!have_version) {
		txt_why(why, whylen, "version line is missing");
		goto fail;
	}
	if (p->mode == STS_MODE_UNSET) {
		txt_why(why, whylen, "mode line is missing");
		goto fail;
	}
	if (p->max_age < 0) {
		txt_why(why, whylen, "max_age line is missing");
		goto fail;
	}
	if (p->nmx == 0 && p->mode != STS_MODE_NONE) {
		txt_why(why, whylen, "no mx line (required unless mode is none)");
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
