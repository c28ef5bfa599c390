/*
 * test_tlsrpt.c - unit tests for probes/tlsrpt_record.c (RFC 8460 §3).
 */
#include <string.h>

#include "../../probes/tlsrpt_record.h"
#include "unit.h"

struct tlsrpt_case {
	const char *txt;
	int rc;
	const char *why; /* substring of the reason on failure */
};

static const struct tlsrpt_case tlsrpt_cases[] = {
    {"v=TLSRPTv1; rua=mailto:reports@example.com", 0, NULL},
    {"v=TLSRPTv1;rua=mailto:tlsrpt+x.y@Sub.Example.COM", 0, NULL},
    {"v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt", 0, NULL},
    {"v=TLSRPTv1; rua=https://reporting.example.com", 0, NULL},
    {"v=TLSRPTv1; rua=https://reporting.example.com:8443/tls?x=1", 0, NULL},
    {"v=TLSRPTv1; rua=HTTPS://reporting.example.com/", 0, NULL},
    {"v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.com/x", 0, NULL},
    {"v=TLSRPTv1; rua=mailto:a@example.com , mailto:b@example.net", 0, NULL},
    {"v=TLSRPTv1; rua=mailto:a@example.com; ext=value", 0, NULL},
    {"v=TLSRPTv1; ext-1.x_y=v!a/l; rua=mailto:a@example.com;", 0, NULL},
    {"v=TLSRPTv1 ; rua=mailto:a@example.com ; ", 0, NULL},
    {"v=TLSRPTv1;\trua=mailto:a@example.com\t", 0, NULL},
    {"v=TLSRPTv1; rua=mailto:first.last%2Bx@example.com", 0, NULL},
    {"v=TLSRPTv1", -1, "rua is missing"},
    {"v=TLSRPTv1;", -1, "rua is missing"},
    {"v=TLSRPTv1; ext=1", -1, "rua is missing"},
    {"v=TLSRPTv1; RUA=mailto:a@example.com", -1, "rua is missing"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com", -1, "more than once"},
    {"v=TLSRPTv1; rua=foo", -1, "not a mailto: or https: URI"},
    {"v=TLSRPTv1; rua=", -1, "empty"},
    {"v=TLSRPTv1; rua=http://r.example.com/", -1, "not a mailto: or https: URI"},
    {"v=TLSRPTv1; rua=ftp://r.example.com/", -1, "not a mailto: or https: URI"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,foo", -1, "rua URI 2"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,", -1, "rua URI 2 is empty"},
    {"v=TLSRPTv1; rua=mailto:a@example.com,,mailto:b@example.com", -1, "empty"},
    {"v=TLSRPTv1; rua=mailto:a@example.com mailto:b@example.com", -1, "separated by ','"},
    {"v=TLSRPTv1; rua=mailto:example.com", -1, "no '@'"},
    {"v=TLSRPTv1; rua=mailto:@example.com", -1, "local part"},
    {"v=TLSRPTv1; rua=mailto:a..b@example.com", -1, "local part"},
    {"v=TLSRPTv1; rua=mailto:a@localhost", -1, "bad domain"},
    {"v=TLSRPTv1; rua=mailto:a@", -1, "bad domain"},
    {"v=TLSRPTv1; rua=mailto:a@b@example.com", -1, "bad domain"},
    {"v=TLSRPTv1; rua=mailto:a@exa_mple!.com", -1, "bad domain"},
    {"v=TLSRPTv1; rua=https://", -1, "bad host"},
    {"v=TLSRPTv1; rua=https:///path", -1, "bad host"},
    {"v=TLSRPTv1; rua=https://user@r.example.com/", -1, "bad host"},
    {"v=TLSRPTv1; rua=https://r.example.com:/", -1, "bad port"},
    {"v=TLSRPTv1; rua=https://r.example.com:0/", -1, "bad port"},
    {"v=TLSRPTv1; rua=https://r.example.com:65536/", -1, "bad port"},
    {"v=TLSRPTv1; rua=https://r.example.com:123456/", -1, "bad port"},
    {"v=TLSRPTv1; rua=https://r.example.com:443x", -1, "bad path"},
    {"v=TLSRPTv1; rua=https://r.example.com/a\"b", -1, "bad path"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; ext=", -1, "value"},
    {"v=TLSRPTv1; rua=mailto:a@example.com; -x=1", -1, "bad field name"},
    {"v=TLSRPTv1; rua=mailto:a@example.com;; ext=1", -1, "empty"},
    {"v=TLSRPTv1; rua", -1, "key=value"},
    {"v=TLSRPTv1 rua=mailto:a@example.com", -1, "expected ';'"},
    {"v=TLSRPTv2; rua=mailto:a@example.com", -1, "v=TLSRPTv1"},
    {"v=TLSRPTv1x; rua=mailto:a@example.com", -1, "v=TLSRPTv1"},
    {"rua=mailto:a@example.com; v=TLSRPTv1", -1, "v=TLSRPTv1"},
    {" v=TLSRPTv1; rua=mailto:a@example.com", -1, "v=TLSRPTv1"},
    {"v=STSv1; id=1", -1, "v=TLSRPTv1"},
    {"", -1, "v=TLSRPTv1"},
};

void test_tlsrpt_txt(void)
{
	size_t i;

	for (i = 0; i < UNIT_COUNT(tlsrpt_cases); i++) {
		const struct tlsrpt_case *c = &tlsrpt_cases[i];
		char why[128];
		int rc;

		unit_case("%zu: %s", i, c->txt);
		why[0] = '\0';
		rc = tlsrpt_txt_parse(c->txt, why, sizeof(why));
		CHECK_INT(rc, c->rc);
		if (rc < 0)
			CHECK(why[0] != '\0');
		if (c->why)
			CHECK_STR(strstr(why, c->why) ? c->why : why, c->why);
	}
	unit_case("NULL why");
	CHECK_INT(tlsrpt_txt_parse("v=TLSRPTv1", NULL, 0), -1);
	CHECK_INT(tlsrpt_txt_parse(NULL, NULL, 0), -1);
}

void test_tlsrpt_txt_is_tlsrpt(void)
{
	static const struct {
		const char *txt;
		bool want;
	} cases[] = {
	    {"v=TLSRPTv1; rua=mailto:a@example.com", true},
	    {"v=TLSRPTv1;", true},
	    {"v=TLSRPTv1", true},
	    {"v=TLSRPTv1 ;rua=x", true},
	    {"v=TLSRPTv10;", false},
	    {"v=TLSRPTv1x", false},
	    {"v=TLSRPT", false},
	    {"v=tlsrptv1;", false},
	    {" v=TLSRPTv1;", false},
	    {"v=STSv1;", false},
	    {"", false},
	};
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		unit_case("%zu: %s", i, cases[i].txt);
		CHECK_INT(tlsrpt_txt_is_tlsrpt(cases[i].txt), cases[i].want);
	}
	unit_case("NULL");
	CHECK(!tlsrpt_txt_is_tlsrpt(NULL));
}
