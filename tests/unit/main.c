/*
 * main.c - the unit-test runner: the table of tests, the check recorders,
 * and the summary line "N passed, N failed" (N counts test functions).
 * Exits 1 when any check failed. "-v" lists every test with its checks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

static const struct {
	const char *name;
	void (*fn)(void);
} unit_tests[] = {
#define UNIT_TEST(f)                                                                               \
	{                                                                                          \
#f, f                                                                              \
	}
    UNIT_TEST(test_provenance),
    UNIT_TEST(test_rpki_cymru),
    UNIT_TEST(test_rpki_vrps),
    UNIT_TEST(test_rpki_bgp),
    UNIT_TEST(test_rpki_cache_arg),
    UNIT_TEST(test_smtp_reply_single),
    UNIT_TEST(test_smtp_reply_table),
    UNIT_TEST(test_smtp_reply_bytewise),
    UNIT_TEST(test_smtp_reply_used),
    UNIT_TEST(test_smtp_reply_limits),
    UNIT_TEST(test_smtp_reply_reuse),
    UNIT_TEST(test_smtp_ehlo_has),
    UNIT_TEST(test_mtasts_txt),
    UNIT_TEST(test_mtasts_txt_is_sts),
    UNIT_TEST(test_mtasts_policy),
    UNIT_TEST(test_mtasts_policy_mx_limit),
    UNIT_TEST(test_mtasts_mx_match),
    UNIT_TEST(test_tlsrpt_txt),
    UNIT_TEST(test_tlsrpt_txt_is_tlsrpt),
    UNIT_TEST(test_spf_syntax),
    UNIT_TEST(test_spf_syntax_terms),
    UNIT_TEST(test_spf_select),
    UNIT_TEST(test_spf_eval),
    UNIT_TEST(test_spf_eval_where),
    UNIT_TEST(test_spf_eval_fanout),
    UNIT_TEST(test_spf_eval_api),
    UNIT_TEST(test_spf_deny_all),
    UNIT_TEST(test_spf_json),
    UNIT_TEST(test_dmarc_is_dmarc),
    UNIT_TEST(test_dmarc_parse),
    UNIT_TEST(test_dmarc_tags),
    UNIT_TEST(test_dmarc_org_domain),
    UNIT_TEST(test_dmarc_policy),
    UNIT_TEST(test_dmarc_external),
    UNIT_TEST(test_dmarc_json),
    UNIT_TEST(test_dkim_presence),
    UNIT_TEST(test_dkim_key),
    UNIT_TEST(test_dkim_candidate),
    UNIT_TEST(test_dkim_judge),
    UNIT_TEST(test_dkim_json),
    UNIT_TEST(test_dkim_selectors),
    UNIT_TEST(test_base_json_escape),
    UNIT_TEST(test_base_buf_cap),
    UNIT_TEST(test_base_domain_normalise),
    UNIT_TEST(test_base_mono),
    UNIT_TEST(test_dns_reply_checks),
    UNIT_TEST(test_dns_reply_short),
    UNIT_TEST(test_dns_reply_records),
    UNIT_TEST(test_dns_wire_ttl),
    UNIT_TEST(test_dns_stub_trust),
    UNIT_TEST(test_dns_stub_servers),
    UNIT_TEST(test_dns_stub_answers),
    UNIT_TEST(test_dns_stub_untrusted),
    UNIT_TEST(test_dns_stub_tcp),
    UNIT_TEST(test_dns_stub_servfail),
    UNIT_TEST(test_dns_stub_timeout),
    UNIT_TEST(test_dns_stub_cancel),
    UNIT_TEST(test_dns_stub_check),
    UNIT_TEST(test_dns_stub_window),
    UNIT_TEST(test_dns_rate),
    UNIT_TEST(test_dns_window_next),
    UNIT_TEST(test_dns_join),
    UNIT_TEST(test_dns_ub),
    UNIT_TEST(test_ub_sigmemo),
    UNIT_TEST(test_verdict_raise),
    UNIT_TEST(test_verdict_add_reason),
    UNIT_TEST(test_verdict_registry),
    UNIT_TEST(test_verdict_precheck),
    UNIT_TEST(test_verdict_dnssec),
    UNIT_TEST(test_verdict_starttls),
    UNIT_TEST(test_verdict_dane),
    UNIT_TEST(test_verdict_mta_sts),
    UNIT_TEST(test_verdict_tlsrpt),
    UNIT_TEST(test_verdict_ipv6),
    UNIT_TEST(test_targets),
    UNIT_TEST(test_targets_nl_government),
    UNIT_TEST(test_hard_str_show),
    UNIT_TEST(test_hard_targets),
    UNIT_TEST(test_hard_config),
    UNIT_TEST(test_hard_explanations),
    UNIT_TEST(test_hard_db_readonly),
    UNIT_TEST(test_db_open_fresh),
    UNIT_TEST(test_db_migrate),
    UNIT_TEST(test_db_migrate9),
    UNIT_TEST(test_db_refuse),
    UNIT_TEST(test_db_store),
    UNIT_TEST(test_db_resume),
    UNIT_TEST(test_db_batch),
    UNIT_TEST(test_db_tags),
    UNIT_TEST(test_advice),
    UNIT_TEST(test_ncsc_table),
    UNIT_TEST(test_ncsc_catalogue),
    UNIT_TEST(test_ncsc_plan),
    UNIT_TEST(test_ncsc_reneg),
    UNIT_TEST(test_ncsc_failure),
    UNIT_TEST(test_ncsc_cert),
    UNIT_TEST(test_ncsc_hello),
    UNIT_TEST(test_verdict_tls_ncsc),
    UNIT_TEST(test_ncsc_run),
    UNIT_TEST(test_ncsc_caa),
#undef UNIT_TEST
};

static const char *unit_test_name = "";
static char unit_case_name[256];
static unsigned long unit_checks, unit_test_failures;

void unit_case(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(unit_case_name, sizeof(unit_case_name), fmt, ap);
	va_end(ap);
}

/* Print a string for a failure message: quoted, escapes for the unprintable. */
static void unit_print_str(const char *s)
{
	if (!s) {
		(void)fputs("(null)", stdout);
		return;
	}
	(void)putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			(void)printf("\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			(void)putchar(c);
		else
			(void)printf("\\x%02x", c);
	}
	(void)putchar('"');
}

static void unit_fail_head(const char *file, int line)
{
	unit_test_failures++;
	(void)printf("%s:%d: %s", file, line, unit_test_name);
	if (unit_case_name[0])
		(void)printf(" [%s]", unit_case_name);
	(void)fputs(": ", stdout);
}

bool unit_check(bool ok, const char *file, int line, const char *expr)
{
	unit_checks++;
	if (!ok) {
		unit_fail_head(file, line);
		(void)printf("CHECK(%s) failed\n", expr);
	}
	return ok;
}

bool unit_check_str(const char *file, int line, const char *ea, const char *eb, const char *a,
		    const char *b)
{
	bool ok = (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);

	unit_checks++;
	if (!ok) {
		unit_fail_head(file, line);
		(void)printf("CHECK_STR(%s, %s): ", ea, eb);
		unit_print_str(a);
		(void)fputs(" != ", stdout);
		unit_print_str(b);
		(void)putchar('\n');
	}
	return ok;
}

bool unit_check_int(const char *file, int line, const char *ea, const char *eb, long long a,
		    long long b)
{
	unit_checks++;
	if (a != b) {
		unit_fail_head(file, line);
		(void)printf("CHECK_INT(%s, %s): %lld != %lld\n", ea, eb, a, b);
	}
	return a == b;
}

int main(int argc, char **argv)
{
	bool verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	unsigned long passed = 0, failed = 0, total_checks = 0;
	size_t i;

	for (i = 0; i < UNIT_COUNT(unit_tests); i++) {
		unit_test_name = unit_tests[i].name;
		unit_case_name[0] = '\0';
		unit_checks = 0;
		unit_test_failures = 0;
		unit_tests[i].fn();
		total_checks += unit_checks;
		if (unit_test_failures)
			failed++;
		else
			passed++;
		if (verbose)
			(void)printf("%-32s %4lu checks, %lu failed\n", unit_test_name, unit_checks,
				     unit_test_failures);
	}
	if (verbose)
		(void)printf("%lu checks in all\n", total_checks);
	(void)printf("%lu passed, %lu failed\n", passed, failed);
	return failed ? 1 : 0;
}
