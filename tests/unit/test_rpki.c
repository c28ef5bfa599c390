/*
 * test_rpki.c - the data of the rpki probe (probes/rpki_data.c): Team Cymru
 * origin names and answers, VRPs from rpki-client / routinator JSON, the
 * --bgp-table reader and its longest match, RFC 6811 validation through
 * RTRlib, and HOST:PORT of --rpki-cache.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../probes/rpki.h"
#include "unit.h"

void test_rpki_cymru(void)
{
	static const struct {
		const char *ip, *name;
	} names[] = {
	    {"192.0.2.1", "1.2.0.192.origin.asn.cymru.com"},
	    {"2001:db8::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2."
			    "origin6.asn.cymru.com"},
	    {"192.0.2", NULL},
	    {"", NULL},
	    {"mx.example", NULL},
	};
	static const struct {
		const char *ip;
		const char *txt[3];
		size_t n;
		const char *prefix0;
		unsigned origin0, origin1;
	} answers[] = {
	    {"192.0.2.1",
	     {"64496 | 192.0.2.0/24 | NL | ripencc | 2001-01-01"},
	     1,
	     "192.0.2.0/24",
	     64496,
	     0},
	    /* more than one origin (MOAS) */
	    {"192.0.2.1",
	     {"64496 64497 | 192.0.2.0/24 | NL | ripencc |"},
	     2,
	     "192.0.2.0/24",
	     64496,
	     64497},
	    /* a covering /16 and the more specific /24: the /24 is the route */
	    {"192.0.2.1",
	     {"64500 | 192.0.0.0/16 | NL | ripencc |", "64496 | 192.0.2.0/24 | NL | ripencc |"},
	     1,
	     "192.0.2.0/24",
	     64496,
	     0},
	    /* a prefix that does not cover the address is no route of it */
	    {"192.0.2.1", {"64496 | 198.51.100.0/24 | NL | ripencc |"}, 0, NULL, 0, 0},
	    {"192.0.2.1", {"garbage"}, 0, NULL, 0, 0},
	    {"192.0.2.1", {"AS | 192.0.2.0/24"}, 0, NULL, 0, 0},
	    {"192.0.2.1", {"64496 | 192.0.2.1/16 |"}, 0, NULL, 0, 0}, /* host bits */
	    {"192.0.2.1", {"99999999999 | 192.0.2.0/24 |"}, 0, NULL, 0, 0},
	    {"2001:db8::1",
	     {"64496 | 2001:db8::/32 | NL | ripencc |"},
	     1,
	     "2001:db8::/32",
	     64496,
	     0},
	    {"2001:db8::1", {"64496 | 192.0.2.0/24 |"}, 0, NULL, 0, 0}, /* other family */
	};
	char out[128];
	size_t i;

	for (i = 0; i < UNIT_COUNT(names); i++) {
		unit_case("name %s", names[i].ip);
		if (names[i].name) {
			CHECK_INT(rpki_cymru_name(names[i].ip, out, sizeof(out)), 0);
			CHECK_STR(out, names[i].name);
		} else {
			CHECK_INT(rpki_cymru_name(names[i].ip, out, sizeof(out)), -1);
		}
	}
	for (i = 0; i < UNIT_COUNT(answers); i++) {
		struct rpki_route r[RPKI_ROUTES_MAX];
		size_t n, k = 0;

		while (k < 3 && answers[i].txt[k])
			k++;
		unit_case("answer %zu: %s", i, answers[i].txt[k - 1]);
		n = rpki_cymru_parse(answers[i].ip, answers[i].txt, k, r, RPKI_ROUTES_MAX);
		CHECK_INT(n, answers[i].n);
		if (n >= 1) {
			CHECK_STR(r[0].prefix, answers[i].prefix0);
			CHECK_INT(r[0].origin, answers[i].origin0);
		}
		if (n >= 2)
			CHECK_INT(r[1].origin, answers[i].origin1);
	}
	unit_case("%s", "");
}

/* JSON of rpki-client (asn a number) and routinator (asn "AS..."). */
static const char vrps_ok[] =
    "{\"metadata\":{\"buildtime\":\"2026-12-01T00:00:00Z\"},\"roas\":["
    "{\"asn\":64496,\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"ripe\"},"
    "{\"asn\":\"AS64497\",\"prefix\":\"198.51.100.0/22\",\"maxLength\":24,\"ta\":\"ripe\"},"
    "{\"asn\":\"AS64498\",\"prefix\":\"2001:db8::/32\",\"ta\":\"ripe\"}]}";

void test_rpki_vrps(void)
{
	static const struct {
		const char *json, *err; /* err: a part of the message, NULL: loads */
	} files[] = {
	    {vrps_ok, NULL},
	    {"{\"roas\":[]}", NULL},
	    {"", "not JSON"},
	    {"{\"roas\":[", "not JSON"},
	    {"[1,2]", "no \"roas\" array"},
	    {"{\"roas\":{}}", "no \"roas\" array"},
	    {"{\"roas\":[1]}", "roa 0: not an object"},
	    {"{\"roas\":[{\"asn\":1,\"prefix\":\"192.0.2.1/24\",\"maxLength\":24}]}",
	     "roa 0: prefix: host bits set"},
	    {"{\"roas\":[{\"asn\":1,\"prefix\":\"192.0.2.0/24\",\"maxLength\":24},"
	     "{\"asn\":1,\"prefix\":\"192.0.2.0/33\",\"maxLength\":33}]}",
	     "roa 1: prefix: the prefix length"},
	    {"{\"roas\":[{\"asn\":1,\"prefix\":\"192.0.2.0/24\",\"maxLength\":23}]}",
	     "roa 0: maxLength 23"},
	    {"{\"roas\":[{\"asn\":1,\"prefix\":\"192.0.2.0/24\",\"maxLength\":\"24\"}]}",
	     "roa 0: maxLength: not an integer"},
	    {"{\"roas\":[{\"asn\":\"ASX\",\"prefix\":\"192.0.2.0/24\"}]}", "roa 0: asn"},
	    {"{\"roas\":[{\"asn\":4294967296,\"prefix\":\"192.0.2.0/24\"}]}", "roa 0: asn"},
	    {"{\"roas\":[{\"asn\":-1,\"prefix\":\"192.0.2.0/24\"}]}", "roa 0: asn"},
	    {"{\"roas\":[{\"asn\":1,\"prefix\":24}]}", "roa 0: prefix: missing"},
	};
	static const struct {
		const char *prefix;
		unsigned origin;
		enum rpki_state want;
	} routes[] = {
	    {"192.0.2.0/24", 64496, RPKI_VALID},
	    {"192.0.2.0/25", 64496, RPKI_INVALID_LENGTH}, /* longer than maxLength */
	    {"192.0.2.0/24", 64499, RPKI_INVALID_ORIGIN},
	    {"192.0.0.0/16", 64496, RPKI_NOT_FOUND}, /* less specific: not covered */
	    {"203.0.113.0/24", 64496, RPKI_NOT_FOUND},
	    {"198.51.101.0/24", 64497, RPKI_VALID},
	    {"198.51.101.0/24", 64496, RPKI_INVALID_ORIGIN},
	    {"2001:db8::/32", 64498, RPKI_VALID},
	    {"2001:db8:1::/48", 64498, RPKI_INVALID_LENGTH},
	    {"2001:db9::/32", 64498, RPKI_NOT_FOUND},
	};
	struct rpki_data *d;
	char err[512];
	size_t i;

	for (i = 0; i < UNIT_COUNT(files); i++) {
		int rc;

		unit_case("file %zu", i);
		d = rpki_data_new();
		CHECK(d != NULL);
		if (!d)
			return;
		err[0] = '\0';
		rc = rpki_data_parse_vrps(d, files[i].json, strlen(files[i].json), "vrps.json", err,
					  sizeof(err));
		CHECK_INT(rc, files[i].err ? -1 : 0);
		if (files[i].err) {
			CHECK(strstr(err, files[i].err) != NULL);
			CHECK(strncmp(err, "vrps.json: ", 11) == 0);
			if (!strstr(err, files[i].err))
				unit_check_str(__FILE__, __LINE__, "err", "want", err,
					       files[i].err);
		} else {
			CHECK(rpki_data_has_source(d));
			CHECK(rpki_data_ready(d));
		}
		rpki_data_free(d);
	}
	d = rpki_data_new();
	CHECK(d && rpki_data_parse_vrps(d, vrps_ok, strlen(vrps_ok), "v", err, sizeof(err)) == 0);
	for (i = 0; d && i < UNIT_COUNT(routes); i++) {
		struct rpki_route r;
		enum rpki_state st = RPKI_VALID;

		unit_case("route %s AS%u", routes[i].prefix, routes[i].origin);
		memset(&r, 0, sizeof(r));
		(void)snprintf(r.prefix, sizeof(r.prefix), "%s", routes[i].prefix);
		r.origin = routes[i].origin;
		CHECK_INT(rpki_data_validate(d, &r, &st), 0);
		CHECK_INT(st, routes[i].want);
	}
	unit_case("%s", "");
	CHECK_STR(rpki_state_name(RPKI_INVALID_LENGTH), "invalid");
	CHECK_STR(rpki_state_name(RPKI_NOT_FOUND), "not-found");
	CHECK(strstr(rpki_data_source_name(d), "3 VRPs") != NULL);
	rpki_data_free(d);
}

void test_rpki_bgp(void)
{
	static const char table[] = "# prefix origin\n"
				    "192.0.0.0/16 AS64500\n"
				    "192.0.2.0/24 64496\n"
				    "192.0.2.0/24 64497   # a second origin\n"
				    "192.0.2.0/24 64497\n"
				    "\n"
				    "2001:db8::/32 AS64498\r\n";
	static const struct {
		const char *text, *err;
	} bad[] = {
	    {"192.0.2.0/24\n", "t:1: expected PREFIX ORIGIN-AS"},
	    {"\n192.0.2.0/24 1 2\n", "t:2: expected PREFIX ORIGIN-AS"},
	    {"192.0.2.1/24 1\n", "t:1: '192.0.2.1/24': host bits set"},
	    {"192.0.2.0/24 ASx\n", "t:1: 'ASx': not an AS number"},
	    {"300.0.2.0/24 1\n", "t:1: '300.0.2.0/24': not an IPv4 or IPv6"},
	    {"192.0.2.0/-1 1\n", "t:1: '192.0.2.0/-1': the prefix length"},
	    {"192.0.2.0/24 {1,2}\n", "t:1: '{1,2}': not an AS number"},
	};
	static const struct {
		const char *ip;
		size_t n;
		const char *prefix;
		unsigned origin0;
	} looks[] = {
	    {"192.0.2.77", 2, "192.0.2.0/24", 64496},
	    {"192.0.3.1", 1, "192.0.0.0/16", 64500},
	    {"198.51.100.1", 0, NULL, 0},
	    {"2001:db8:ffff::1", 1, "2001:db8::/32", 64498},
	    {"not-an-ip", 0, NULL, 0},
	};
	struct rpki_data *d = rpki_data_new();
	char err[512], big[RPKI_LINE_MAX + 8];
	size_t i;

	CHECK(d != NULL);
	if (!d)
		return;
	CHECK_INT(rpki_data_parse_bgp(d, table, strlen(table), "t", err, sizeof(err)), 0);
	CHECK(rpki_data_has_bgp(d));
	CHECK(!rpki_data_has_source(d)); /* routes are no VRPs */
	for (i = 0; i < UNIT_COUNT(looks); i++) {
		struct rpki_route r[RPKI_ROUTES_MAX];
		size_t n;

		unit_case("lookup %s", looks[i].ip);
		n = rpki_data_bgp_routes(d, looks[i].ip, r, RPKI_ROUTES_MAX);
		CHECK_INT(n, looks[i].n);
		if (n) {
			CHECK_STR(r[0].prefix, looks[i].prefix);
			CHECK_INT(r[0].origin, looks[i].origin0);
		}
	}
	rpki_data_free(d);
	for (i = 0; i < UNIT_COUNT(bad); i++) {
		unit_case("bad %zu", i);
		d = rpki_data_new();
		if (!d)
			return;
		err[0] = '\0';
		CHECK_INT(
		    rpki_data_parse_bgp(d, bad[i].text, strlen(bad[i].text), "t", err, sizeof(err)),
		    -1);
		if (!strstr(err, bad[i].err))
			unit_check_str(__FILE__, __LINE__, "err", "want", err, bad[i].err);
		rpki_data_free(d);
	}
	unit_case("a long line");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	d = rpki_data_new();
	if (!d)
		return;
	CHECK_INT(rpki_data_parse_bgp(d, big, strlen(big), "t", err, sizeof(err)), -1);
	CHECK(strstr(err, "t:1: longer than") != NULL);
	CHECK_INT(rpki_data_parse_bgp(d, "1.2.3.0/24 1\0x", 14, "t", err, sizeof(err)), -1);
	CHECK(strstr(err, "NUL") != NULL);
	rpki_data_free(d);
	unit_case("%s", "");
}

void test_rpki_cache_arg(void)
{
	static const struct {
		const char *arg;
		int rc;
	} cases[] = {
	    {"127.0.0.1:323", 0},
	    {"rtr.example:8282", 0},
	    {"[2001:db8::1]:323", 0},
	    {"rtr.example", -1},
	    {":323", -1},
	    {"rtr.example:", -1},
	    {"rtr.example:0", -1},
	    {"rtr.example:65536", -1},
	    {"rtr.example:+3", -1},
	    {"[]:323", -1},
	};
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		struct rpki_data *d = NULL;
		char err[256];

		unit_case("%s", cases[i].arg);
		CHECK_INT(rpki_data_set_cache(&d, cases[i].arg, err, sizeof(err)), cases[i].rc);
		if (cases[i].rc == 0) {
			CHECK(rpki_data_has_source(d));
			CHECK(!rpki_data_ready(d)); /* not started */
		}
		rpki_data_free(d);
	}
	unit_case("%s", "");
	CHECK(!rpki_data_has_source(NULL));
	CHECK(!rpki_data_ready(NULL));
}
