/*
 * test_base.c - unit tests for base/: JSON string escaping (RFC 8259 §7),
 * the capped buffer, domain name normalisation and the monotonic clock's
 * durations.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../base/buf.h"
#include "../../base/json.h"
#include "../../base/mono.h"
#include "../../base/str.h"
#include "unit.h"

struct json_case {
	const char *name;
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *out;
};

void test_base_json_escape(void)
{
	static const struct json_case cases[] = {
	    {"plain", "hello", 0, "\"hello\""},
	    {"empty", "", 0, "\"\""},
	    {"quotes and backslash", "a\"b\\c", 0, "\"a\\\"b\\\\c\""},
	    {"named controls", "\n\r\t", 0, "\"\\n\\r\\t\""},
	    {"other controls", "\x01\x1f\x7f\x08\x0c", 0,
	     "\"\\u0001\\u001f\\u007f\\u0008\\u000c\""},
	    {"NUL", "a\0b", 3, "\"a\\u0000b\""},
	    {"slash kept", "a/b", 0, "\"a/b\""},
	    {"valid UTF-8 kept", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0,
	     "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""},
	    {"lone continuation",
	     "a\x80"
	     "b",
	     0, "\"a\\ufffdb\""},
	    {"invalid byte ff", "\xff", 0, "\"\\ufffd\""},
	    {"overlong c0 80", "\xc0\x80", 0, "\"\\ufffd\\ufffd\""},
	    {"overlong e0 80 80", "\xe0\x80\x80", 0, "\"\\ufffd\\ufffd\\ufffd\""},
	    {"surrogate ed a0 80", "\xed\xa0\x80", 0, "\"\\ufffd\\ufffd\\ufffd\""},
	    {"above U+10FFFF", "\xf4\x90\x80\x80", 0, "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},
	    {"truncated sequence", "x\xe2\x82", 0, "\"x\\ufffd\\ufffd\""},
	    {"truncated by length", "\xc3\xa9", 1, "\"\\ufffd\""},
	    {"runs between escapes", "ab\"cd\\ef\tgh\xc3\xa9ij\x01kl", 0,
	     "\"ab\\\"cd\\\\ef\\tgh\xc3\xa9ij\\u0001kl\""},
	    {"a run cut by length", "abcdef", 3, "\"abc\""},
	};
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		const struct json_case *c = &cases[i];
		struct buf b;

		unit_case("%zu: %s", i, c->name);
		buf_init(&b, 0);
		CHECK_INT(json_escape(&b, c->in, c->len ? c->len : strlen(c->in)), 0);
		CHECK_STR(buf_str(&b), c->out);
		buf_free(&b);
	}
	{
		struct buf b;
		struct json j;

		unit_case("writer");
		buf_init(&b, 0);
		json_init(&j, &b);
		json_obj_open(&j);
		json_kstr(&j, "k\"1", "v\n");
		json_kint(&j, "n", -5);
		json_kint(&j, "m", LLONG_MIN);
		json_key(&j, "a");
		json_arr_open(&j);
		json_bool(&j, true);
		json_null(&j);
		json_str(&j, NULL);
		json_arr_close(&j);
		json_obj_close(&j);
		CHECK_INT(json_status(&j), 0);
		CHECK_STR(buf_str(&b), "{\"k\\\"1\":\"v\\n\",\"n\":-5,\"m\":-9223372036854775808,"
				       "\"a\":[true,null,null]}");
		buf_free(&b);

		unit_case("writer over the cap fails sticky");
		buf_init(&b, 8);
		json_init(&j, &b);
		json_kstr(&j, "key", "a long value");
		CHECK_INT(json_status(&j), -1);
		CHECK(b.len <= 8);
		buf_free(&b);
	}
}

void test_base_buf_cap(void)
{
	struct buf b;
	char *s;

	unit_case("empty");
	buf_init(&b, 5);
	CHECK_STR(buf_str(&b), "");
	CHECK(b.data == NULL);

	unit_case("fill to cap");
	CHECK_INT(buf_add(&b, "abc", 3), 0);
	CHECK_INT(buf_addch(&b, 'd'), 0);
	CHECK_INT(buf_addstr(&b, "e"), 0);
	CHECK_INT(b.len, 5);
	CHECK_STR(buf_str(&b), "abcde");

	unit_case("past cap: unchanged");
	CHECK_INT(buf_addch(&b, 'f'), -1);
	CHECK_INT(buf_addstr(&b, "xy"), -1);
	CHECK_INT(buf_printf(&b, "%d", 1), -1);
	CHECK_INT(b.len, 5);
	CHECK_STR(buf_str(&b), "abcde");
	CHECK_INT(buf_add(&b, "", 0), 0);

	unit_case("consume");
	buf_consume(&b, 2);
	CHECK_STR(buf_str(&b), "cde");
	CHECK_INT(buf_printf(&b, "%s", "12"), 0);
	CHECK_STR(buf_str(&b), "cde12");
	CHECK_INT(buf_printf(&b, "%s", "3"), -1);
	buf_consume(&b, 99);
	CHECK_INT(b.len, 0);
	CHECK_STR(buf_str(&b), "");

	unit_case("reset keeps the cap");
	CHECK_INT(buf_add(&b, "123456", 6), -1);
	CHECK_INT(buf_add(&b, "12345", 5), 0);
	buf_reset(&b);
	CHECK_INT(b.len, 0);
	CHECK_INT(buf_add(&b, "12345", 5), 0);

	unit_case("huge length rejected");
	CHECK_INT(buf_add(&b, "x", (size_t)-1), -1);
	CHECK_INT(b.len, 5);

	unit_case("steal");
	s = buf_steal(&b);
	CHECK_STR(s, "12345");
	CHECK(b.data == NULL && b.len == 0);
	free(s);
	s = buf_steal(&b);
	CHECK_STR(s, "");
	free(s);
	buf_free(&b);

	unit_case("no cap");
	buf_init(&b, 0);
	{
		int i, fails = 0;

		for (i = 0; i < 1000; i++)
			fails += buf_addstr(&b, "0123456789") < 0;
		CHECK_INT(fails, 0);
	}
	CHECK_INT(b.len, 10000);
	CHECK_INT(strlen(buf_str(&b)), 10000);
	buf_free(&b);
	buf_free(&b);
}

struct domain_case {
	const char *in;
	int rc;
	const char *out; /* on success */
};

void test_base_domain_normalise(void)
{
	static const char l63[] = "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc";
	static const char l64[] =
	    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd";
	char name63[80], name64[80], long254[300], long253[300];
	struct domain_case cases[] = {
	    {"example.com", 0, "example.com"},
	    {"Mail.EXAMPLE.Com", 0, "mail.example.com"},
	    {"example.com.", 0, "example.com"},
	    {"_mta-sts.example.com", 0, "_mta-sts.example.com"},
	    {"_smtp._tls.Example.com.", 0, "_smtp._tls.example.com"},
	    {"a-b.c0.example", 0, "a-b.c0.example"},
	    {"192.0.2.1", 0, "192.0.2.1"},
	    {name63, 0, name63},
	    {name64, -1, NULL},
	    {long253, 0, long253},
	    {long254, -1, NULL},
	    {"localhost", -1, NULL},
	    {"localhost.", -1, NULL},
	    {"", -1, NULL},
	    {".", -1, NULL},
	    {"example..com", -1, NULL},
	    {".example.com", -1, NULL},
	    {"example.com..", -1, NULL},
	    {"-a.example.com", -1, NULL},
	    {"a-.example.com", -1, NULL},
	    {"example.com-", -1, NULL},
	    {"exa mple.com", -1, NULL},
	    {"exa!mple.com", -1, NULL},
	    {"*.example.com", -1, NULL},
	    {"caf\xc3\xa9.example", -1, NULL},
	};
	size_t i;

	(void)snprintf(name63, sizeof(name63), "%s.example", l63);
	(void)snprintf(name64, sizeof(name64), "%s.example", l64);
	/* 4 labels of 63 + 3 dots = 255; trim to 253 and 254 characters */
	(void)snprintf(long253, sizeof(long253), "%s.%s.%s.%s", l63, l63, l63, l63);
	long253[253] = '\0';
	(void)snprintf(long254, sizeof(long254), "%s.%s.%s.%s", l63, l63, l63, l63);
	long254[254] = '\0';
	for (i = 0; i < UNIT_COUNT(cases); i++) {
		char out[DNS_NAME_MAX + 1];
		const char *why = "unset";
		int rc;

		unit_case("%zu: %s", i, cases[i].in);
		rc = str_domain_normalise(cases[i].in, out, sizeof(out), &why);
		CHECK_INT(rc, cases[i].rc);
		if (rc == 0) {
			CHECK_STR(out, cases[i].out);
			CHECK(why == NULL);
		} else {
			CHECK(why != NULL && why[0] != '\0');
		}
	}
	{
		char small[16];
		const char *why;

		unit_case("output too small");
		CHECK_INT(str_domain_normalise("example.com", small, sizeof(small), &why), -1);
	}
}

void test_base_mono(void)
{
	static const struct {
		const char *name;
		long long as, an, bs, bn;
		long ms;
		double sec;
	} cases[] = {
	    {"zero", 5, 0, 5, 0, 0, 0},
	    {"whole seconds", 5, 0, 7, 0, 2000, 2},
	    {"nanoseconds borrow", 1, 900000000, 2, 100000000, 200, 0.2},
	    {"a part of a millisecond is dropped", 1, 900000000, 2, 100999999, 200, 0.200999999},
	    {"just under one millisecond", 3, 0, 3, 999999, 0, 0.000999999},
	    {"borrow, not a whole millisecond", 1, 999999999, 2, 0, 0, 0.000000001},
	    {"backwards: rounded down", 2, 100000000, 1, 900000000, -200, -0.2},
	    {"backwards by a nanosecond", 2, 0, 1, 999999999, -1, -0.000000001},
	    {"backwards by exactly a millisecond", 2, 0, 1, 999000000, -1, -0.001},
	    {"backwards by a millisecond and a nanosecond", 2, 0, 1, 998999999, -2, -0.001000001},
	    {"a long run", 0, 0, 86400 * 30, 500000000, 2592000500L, 2592000.5},
	};
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		struct timespec a = {.tv_sec = (time_t)cases[i].as, .tv_nsec = (long)cases[i].an};
		struct timespec b = {.tv_sec = (time_t)cases[i].bs, .tv_nsec = (long)cases[i].bn};
		double sec = mono_sec(&a, &b), diff = sec - cases[i].sec;

		unit_case("%s", cases[i].name);
		CHECK_INT(mono_ms(&a, &b), cases[i].ms);
		CHECK(diff < 1e-9 && diff > -1e-9);
	}
	{
		struct timespec t0, t1;

		unit_case("the clock does not go back");
		mono_now(&t0);
		mono_now(&t1);
		CHECK(t0.tv_sec > 0 || t0.tv_nsec > 0);
		CHECK(mono_ms(&t0, &t1) >= 0);
		CHECK(mono_sec(&t0, &t1) >= 0);
	}
}
