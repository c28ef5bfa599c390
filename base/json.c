/*
 * json.c - a small streaming JSON writer (RFC 8259).
 */
#include "json.h"

#include <stdio.h>
#include <string.h>

#include "str.h"

void json_init(struct json *j, struct buf *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->first[0] = true;
}

static void json_put(struct json *j, const char *s)
{
	if (buf_addstr(j->out, s) < 0)
		j->failed = 1;
}

/* Before any value or key: the comma that separates it from the previous. */
static void json_sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		json_put(j, ",");
	j->first[j->depth] = false;
}

static void json_open(struct json *j, const char *c)
{
	json_sep(j);
	json_put(j, c);
	if (j->depth + 1 >= JSON_DEPTH_MAX) {
		j->failed = 1;
		return;
	}
	j->depth++;
	j->first[j->depth] = true;
}

static void json_close(struct json *j, const char *c)
{
	json_put(j, c);
	if (j->depth > 0)
		j->depth--;
}

void json_obj_open(struct json *j) { json_open(j, "{"); }
void json_obj_close(struct json *j) { json_close(j, "}"); }
void json_arr_open(struct json *j) { json_open(j, "["); }
void json_arr_close(struct json *j) { json_close(j, "]"); }

void json_key(struct json *j, const char *key)
{
	json_sep(j);
	if (json_escape(j->out, key, strlen(key)) < 0)
		j->failed = 1;
	json_put(j, ":");
	j->after_key = true;
}

/* A byte that stands for itself inside a JSON string. */
static bool json_plain(unsigned char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; }

int json_escape(struct buf *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n;

	if (buf_addch(out, '"') < 0)
		return -1;
	while (i < len) {
		unsigned char c = s[i];
		int rc;

		if (json_plain(c)) { /* a run of them in one copy */
			for (n = i + 1; n < len && json_plain(s[n]); n++)
				;
			rc = buf_add(out, s + i, n - i);
			i = n - 1;
		} else if (c == '"')
			rc = buf_addstr(out, "\\\"");
		else if (c == '\\')
			rc = buf_addstr(out, "\\\\");
		else if (c == '\n')
			rc = buf_addstr(out, "\\n");
		else if (c == '\r')
			rc = buf_addstr(out, "\\r");
		else if (c == '\t')
			rc = buf_addstr(out, "\\t");
		else if (c < 0x20 || c == 0x7f)
			rc = buf_printf(out, "\\u%04x", c);
		else if ((n = str_utf8(s + i, len - i, NULL)) > 0) {
			rc = buf_add(out, s + i, n);
			i += n - 1;
		} else
			rc = buf_addstr(out, "\\ufffd");
		if (rc < 0)
			return -1;
		i++;
	}
	return buf_addch(out, '"');
}

void json_strn(struct json *j, const char *s, size_t len)
{
	json_sep(j);
	if (!s) {
		json_put(j, "null");
		return;
	}
	if (json_escape(j->out, s, len) < 0)
		j->failed = 1;
}

void json_str(struct json *j, const char *s) { json_strn(j, s, s ? strlen(s) : 0); }

void json_int(struct json *j, long long v)
{
	char num[24]; /* -9223372036854775808 */
	int n = snprintf(num, sizeof(num), "%lld", v);

	json_sep(j);
	if (n < 0 || (size_t)n >= sizeof(num) || buf_add(j->out, num, (size_t)n) < 0)
		j->failed = 1;
}

void json_fixed1(struct json *j, double v)
{
	json_sep(j);
	if (v != v || v > 1e15 || v < -1e15) { /* NaN or absurd: not a JSON number */
		json_put(j, "null");
		return;
	}
	if (buf_printf(j->out, "%.1f", v) < 0)
		j->failed = 1;
}

void json_bool(struct json *j, bool v)
{
	json_sep(j);
	json_put(j, v ? "true" : "false");
}

void json_null(struct json *j)
{
	json_sep(j);
	json_put(j, "null");
}

void json_kstr(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void json_kint(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	json_int(j, v);
}

void json_kbool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

int json_status(const struct json *j) { return j->failed ? -1 : 0; }
