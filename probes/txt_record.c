/*
 * txt_record.c - the tagged TXT record grammar of RFC 8461 §3.1 and
 * RFC 8460 §3 (see txt_record.h).
 */
#include "txt_record.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void txt_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || whylen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

bool txt_wsp(char c) { return c == ' ' || c == '\t'; }

bool txt_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool txt_key_ok(const char *k, size_t n)
{
	size_t i;

	if (n == 0 || n > TXT_KEY_MAX || !txt_alnum(k[0]))
		return false;
	for (i = 1; i < n; i++)
		if (!txt_alnum(k[i]) && k[i] != '_' && k[i] != '-' && k[i] != '.')
			return false;
	return true;
}

bool txt_ext_value_ok(const char *v, size_t n)
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

bool txt_has_version(const char *txt, const char *tag)
{
	size_t n = strlen(tag);

	if (!txt || strncmp(txt, tag, n) != 0)
		return false;
	return txt[n] == '\0' || txt[n] == ';' || txt_wsp(txt[n]);
}

void txt_cursor_init(struct txt_cursor *c, const char *txt, const char *tag)
{
	c->p = txt + strlen(tag);
	c->field = 1;
}

int txt_next_field(struct txt_cursor *c, const char *list_key, struct txt_field *f, char *why,
		   size_t whylen)
{
	const char *p = c->p;
	bool list;

	while (txt_wsp(*p))
		p++;
	if (*p == '\0')
		return 0;
	if (*p != ';') {
		txt_why(why, whylen, "expected ';' after field %d", c->field);
		return -1;
	}
	p++;
	while (txt_wsp(*p))
		p++;
	if (*p == '\0') {
		c->p = p;
		return 0; /* optional trailing ';' */
	}
	c->field++;
	if (*p == ';') {
		txt_why(why, whylen, "field %d is empty", c->field);
		return -1;
	}
	f->name = p;
	while (*p && *p != '=' && *p != ';' && !txt_wsp(*p))
		p++;
	f->nlen = (size_t)(p - f->name);
	if (*p != '=') {
		txt_why(why, whylen, "field %d: expected key=value", c->field);
		return -1;
	}
	f->val = ++p;
	list = list_key && f->nlen == strlen(list_key) && memcmp(f->name, list_key, f->nlen) == 0;
	while (*p && *p != ';' && (list || !txt_wsp(*p)))
		p++;
	f->vlen = (size_t)(p - f->val);
	while (list && f->vlen > 0 && txt_wsp(f->val[f->vlen - 1]))
		f->vlen--;
	f->index = c->field;
	c->p = p;
	return 1;
}

int txt_ext_field_check(const struct txt_field *f, char *why, size_t whylen)
{
	if (!txt_key_ok(f->name, f->nlen)) {
		txt_why(why, whylen, "field %d: bad field name", f->index);
		return -1;
	}
	if (!txt_ext_value_ok(f->val, f->vlen)) {
		txt_why(why, whylen, "field %d: bad or empty field value", f->index);
		return -1;
	}
	return 0;
}
