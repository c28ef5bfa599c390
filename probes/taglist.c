/*
 * taglist.c - the tag=value list of RFC 6376 §3.2 (see taglist.h).
 */
#include "taglist.h"

#include <string.h>

#include "txt_record.h"

bool taglist_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static bool taglist_valchar(char c)
{
	unsigned char u = (unsigned char)c;

	return u >= 0x21 && u <= 0x7e && u != ';';
}

void taglist_init(struct taglist *t, const char *txt)
{
	t->p = txt;
	t->index = 0;
	t->done = false;
}

bool taglist_is(const struct taglist_tag *tag, const char *name, bool icase)
{
	size_t n = strlen(name), i;

	if (tag->nlen != n)
		return false;
	for (i = 0; i < n; i++) {
		char a = tag->name[i], b = name[i];

		if (icase) {
			if (a >= 'A' && a <= 'Z')
				a = (char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (char)(b - 'A' + 'a');
		}
		if (a != b)
			return false;
	}
	return true;
}

int taglist_next(struct taglist *t, struct taglist_tag *tag, char *why, size_t whylen)
{
	const char *p = t->p;
	size_t i;

	if (t->done)
		return 0;
	while (taglist_ws(*p))
		p++;
	if (*p == '\0') {
		/* "" or "...;" + FWS: the end; but a record of no tags at all
		 * (or one that ends in ';' right after nothing) is caught by
		 * the callers, which require their first tag. */
		t->done = true;
		return 0;
	}
	t->index++;
	if (*p == ';') {
		txt_why(why, whylen, "tag %d is empty", t->index);
		return -1;
	}
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) {
		txt_why(why, whylen, "tag %d: name must start with a letter", t->index);
		return -1;
	}
	tag->name = p;
	while (txt_alnum(*p) || *p == '_')
		p++;
	tag->nlen = (size_t)(p - tag->name);
	if (tag->nlen > TAGLIST_NAME_MAX) {
		txt_why(why, whylen, "tag %d: name longer than %d characters", t->index,
			TAGLIST_NAME_MAX);
		return -1;
	}
	while (taglist_ws(*p))
		p++;
	if (*p != '=') {
		txt_why(why, whylen, "tag %d (%.*s): expected '=' after the name", t->index,
			(int)tag->nlen, tag->name);
		return -1;
	}
	p++;
	while (taglist_ws(*p))
		p++;
	tag->val = p;
	while (*p && *p != ';')
		p++;
	tag->vlen = (size_t)(p - tag->val);
	while (tag->vlen > 0 && taglist_ws(tag->val[tag->vlen - 1]))
		tag->vlen--;
	for (i = 0; i < tag->vlen; i++) {
		if (!taglist_valchar(tag->val[i]) && !taglist_ws(tag->val[i])) {
			txt_why(why, whylen,
				"tag %d (%.*s): character 0x%02x not allowed in a value", t->index,
				(int)tag->nlen, tag->name, (unsigned char)tag->val[i]);
			return -1;
		}
	}
	tag->index = t->index;
	if (*p == ';')
		p++;
	else
		t->done = true;
	t->p = p;
	return 1;
}

int taglist_split(const char *v, size_t n, char sep, taglist_item_fn fn, void *arg, const char *tag,
		  char *why, size_t whylen)
{
	size_t pos = 0, k = 0;

	for (;;) {
		size_t start, end;

		while (pos < n && taglist_ws(v[pos]))
			pos++;
		start = pos;
		while (pos < n && v[pos] != sep)
			pos++;
		end = pos;
		while (end > start && taglist_ws(v[end - 1]))
			end--;
		k++;
		if (end == start) {
			txt_why(why, whylen, "%s: item %zu is empty", tag, k);
			return -1;
		}
		if (fn(v + start, end - start, k, arg, why, whylen) < 0)
			return -1;
		if (pos == n)
			return 0;
		pos++; /* the separator */
	}
}
