/*
 * str.c - string helpers for names and untrusted text.
 */
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int str_domain_normalise(const char *in, char *out, size_t outlen, const char **why)
{
	size_t len = strlen(in), i, label = 0, labels = 1;

	*why = NULL;
	if (outlen < DNS_NAME_MAX + 1) {
		*why = "internal: output too small";
		return -1;
	}
	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0) {
		*why = "empty name";
		return -1;
	}
	if (len > 253) {
		*why = "name longer than 253 characters";
		return -1;
	}
	for (i = 0; i < len; i++) {
		char c = in[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c == '.') {
			if (label == 0) {
				*why = "empty label";
				return -1;
			}
			if (out[i - 1] == '-') {
				*why = "label ends with a hyphen";
				return -1;
			}
			label = 0;
			labels++;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
			   c == '-') {
			if (c == '-' && label == 0) {
				*why = "label starts with a hyphen";
				return -1;
			}
			if (++label > 63) {
				*why = "label longer than 63 characters";
				return -1;
			}
		} else {
			*why = "character not allowed in a host name";
			return -1;
		}
		out[i] = c;
	}
	if (label == 0 || out[len - 1] == '-') {
		*why = label == 0 ? "empty label" : "label ends with a hyphen";
		return -1;
	}
	if (labels < 2) {
		*why = "not a domain name (one label)";
		return -1;
	}
	out[len] = '\0';
	return 0;
}

char *str_sanitise(char *out, size_t outlen, const char *in, size_t inlen)
{
	size_t i, n = 0;

	if (outlen == 0)
		return out;
	for (i = 0; i < inlen && n + 1 < outlen; i++) {
		unsigned char c = (unsigned char)in[i];

		out[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[n] = '\0';
	return out;
}

char *str_show(char *out, size_t outlen, const char *in)
{
	size_t len = strnlen(in, outlen);

	if (outlen < 4 || len < outlen)
		return str_sanitise(out, outlen, in, len);
	(void)str_sanitise(out, outlen - 3, in, outlen - 4);
	(void)str_copy(out + outlen - 4, 4, "...");
	return out;
}

char *str_dup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p) {
		(void)fputs("mailscan: out of memory\n", stderr);
		abort();
	}
	return p;
}

static char str_lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

bool str_ieq(const char *a, const char *b)
{
	while (*a && *b && str_lower(*a) == str_lower(*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

bool str_iprefix(const char *s, const char *prefix)
{
	while (*prefix) {
		if (str_lower(*s) != str_lower(*prefix))
			return false;
		s++;
		prefix++;
	}
	return true;
}

int str_copy(char *out, size_t outlen, const char *in)
{
	size_t len = strlen(in);

	if (outlen == 0)
		return -1;
	if (len >= outlen) {
		memcpy(out, in, outlen - 1);
		out[outlen - 1] = '\0';
		return -1;
	}
	memcpy(out, in, len + 1);
	return 0;
}

size_t str_utf8(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t need, i;
	unsigned long v;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		v = s[0];
		need = 1;
	} else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
		v = s[0] & 0x1fUL;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		v = s[0] & 0x0fUL;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		v = s[0] & 0x07UL;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3fUL);
	}
	if ((need == 3 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) ||
	    (need == 4 && (v < 0x10000 || v > 0x10ffff)))
		return 0;
	if (cp)
		*cp = v;
	return need;
}

bool str_cp_hidden(unsigned long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}
