/*
 * unit.h - a tiny unit-test framework for mailscan.
 *
 * Tests are plain functions "void test_xxx(void)" listed in the one table in
 * tests/unit/main.c. Inside a test, CHECK(cond), CHECK_STR(a, b) and
 * CHECK_INT(a, b) record a failure with file:line and carry on, so a table
 * of cases reports every wrong case, not just the first. unit_case() names
 * the case being looped over; failing checks print that name.
 */
#ifndef MAILSCAN_UNIT_H
#define MAILSCAN_UNIT_H

#include <stdbool.h>
#include <stddef.h>

#define UNIT_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Name the current case (printf-style) for failure messages; "" clears. */
void unit_case(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Record one check; the macros below are the interface. */
bool unit_check(bool ok, const char *file, int line, const char *expr);
bool unit_check_str(const char *file, int line, const char *ea, const char *eb, const char *a,
		    const char *b);
bool unit_check_int(const char *file, int line, const char *ea, const char *eb, long long a,
		    long long b);

#define CHECK(cond) unit_check((cond) ? true : false, __FILE__, __LINE__, #cond)
#define CHECK_STR(a, b) unit_check_str(__FILE__, __LINE__, #a, #b, (a), (b))
#define CHECK_INT(a, b) unit_check_int(__FILE__, __LINE__, #a, #b, (long long)(a), (long long)(b))

/* The tests (registered in main.c). */
void test_hard_str_show(void);
void test_provenance(void);
void test_ub_sigmemo(void);
void test_rpki_cymru(void);
void test_rpki_vrps(void);
void test_rpki_bgp(void);
void test_rpki_cache_arg(void);
void test_hard_targets(void);
void test_hard_config(void);
void test_hard_explanations(void);
void test_hard_db_readonly(void);
void test_smtp_reply_single(void);
void test_smtp_reply_table(void);
void test_smtp_reply_bytewise(void);
void test_smtp_reply_used(void);
void test_smtp_reply_limits(void);
void test_smtp_reply_reuse(void);
void test_smtp_ehlo_has(void);
void test_mtasts_txt(void);
void test_mtasts_txt_is_sts(void);
void test_mtasts_policy(void);
void test_mtasts_policy_mx_limit(void);
void test_mtasts_mx_match(void);
void test_tlsrpt_txt(void);
void test_tlsrpt_txt_is_tlsrpt(void);
void test_spf_syntax(void);
void test_spf_syntax_terms(void);
void test_spf_select(void);
void test_spf_eval(void);
void test_spf_eval_where(void);
void test_spf_eval_fanout(void);
void test_spf_eval_api(void);
void test_spf_deny_all(void);
void test_spf_json(void);
void test_dmarc_is_dmarc(void);
void test_dmarc_parse(void);
void test_dmarc_tags(void);
void test_dmarc_org_domain(void);
void test_dmarc_policy(void);
void test_dmarc_external(void);
void test_dmarc_json(void);
void test_dkim_presence(void);
void test_dkim_key(void);
void test_dkim_candidate(void);
void test_dkim_judge(void);
void test_dkim_json(void);
void test_dkim_selectors(void);
void test_base_json_escape(void);
void test_base_buf_cap(void);
void test_base_domain_normalise(void);
void test_base_mono(void);
void test_dns_reply_checks(void);
void test_dns_reply_short(void);
void test_dns_reply_records(void);
void test_dns_wire_ttl(void);
void test_dns_stub_trust(void);
void test_dns_stub_servers(void);
void test_dns_stub_answers(void);
void test_dns_stub_untrusted(void);
void test_dns_stub_tcp(void);
void test_dns_stub_servfail(void);
void test_dns_stub_timeout(void);
void test_dns_stub_cancel(void);
void test_dns_stub_check(void);
void test_dns_stub_window(void);
void test_dns_rate(void);
void test_dns_window_next(void);
void test_dns_join(void);
void test_dns_ub(void);
void test_verdict_raise(void);
void test_verdict_add_reason(void);
void test_verdict_registry(void);
void test_verdict_precheck(void);
void test_verdict_dnssec(void);
void test_verdict_starttls(void);
void test_verdict_dane(void);
void test_verdict_mta_sts(void);
void test_verdict_tlsrpt(void);
void test_verdict_ipv6(void);
void test_targets(void);
void test_targets_nl_government(void);
void test_advice(void);
void test_ncsc_table(void);
void test_ncsc_caa(void);
void test_ncsc_catalogue(void);
void test_ncsc_plan(void);
void test_ncsc_reneg(void);
void test_ncsc_failure(void);
void test_ncsc_cert(void);
void test_ncsc_hello(void);
void test_verdict_tls_ncsc(void);
void test_ncsc_run(void);
void test_db_open_fresh(void);
void test_db_migrate(void);
void test_db_migrate9(void);
void test_db_refuse(void);
void test_db_store(void);
void test_db_resume(void);
void test_db_batch(void);
void test_db_tags(void);

#endif
