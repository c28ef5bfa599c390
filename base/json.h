/*
 * json.h - a small streaming JSON writer (RFC 8259) into a struct buf.
 *
 * The writer keeps track of commas; callers open and close objects and
 * arrays in order. Strings are escaped completely (quotes, backslash, all
 * control characters); bytes that are not valid UTF-8 are written as U+FFFD
 * so that anything a hostile peer sent still yields valid JSON.
 */
#ifndef MAILSCAN_JSON_H
#define MAILSCAN_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define JSON_DEPTH_MAX 32

struct json {
	struct buf *out; /* borrowed */
	int depth;
	bool first[JSON_DEPTH_MAX]; /* nothing written yet at this depth */
	bool after_key;             /* a key was written, value follows */
	int failed;                 /* sticky: an append failed */
};

/* Start writing into out (borrowed; must outlive the writer). */
void json_init(struct json *j, struct buf *out);

void json_obj_open(struct json *j);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j);
void json_arr_close(struct json *j);
/* An object member's key; the next value call writes its value. */
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s); /* NULL writes null */
void json_strn(struct json *j, const char *s, size_t len);
void json_int(struct json *j, long long v);
/* A number with one decimal (percentages); null for NaN or absurd values. */
void json_fixed1(struct json *j, double v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* Shorthands for key + value. */
void json_kstr(struct json *j, const char *key, const char *s);
void json_kint(struct json *j, const char *key, long long v);
void json_kbool(struct json *j, const char *key, bool v);

/* 0 when everything was written, -1 if any append failed. */
int json_status(const struct json *j);

/* Append s to out as a JSON string literal with quotes (used by json_str). */
int json_escape(struct buf *out, const char *s, size_t len);

#endif
