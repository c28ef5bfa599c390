/*
 * test_advice.c - unit tests for the one table of reason codes
 * (probes/reasons.def), its enum and rows (probes/reason.c) and the advice
 * rows reports/advice.c makes of it: the table is sorted by code without
 * duplicates, each id is its code (R_DANE_MISMATCH: "dane-mismatch"); every
 * row has a standard (a registered probe name or a group word), a valid
 * severity, and what/fix in Dutch and in English that differ; every
 * per-address status that is a finding has a row; advice_find finds every
 * row and nothing else.
 *
 * That every code a probe gives has a row needs no test: verdict_add_reason
 * takes an enum reason, so a code without a row does not compile. That every
 * row is given somewhere (no dead rows), and that the README lists every
 * code, is tests/reasons-check.sh (run by tests/cli-tests.sh).
 */
#include <ctype.h>
#include <string.h>

#include "../../probes/probe.h"
#include "../../reports/advice.h"
#include "unit.h"

void test_advice(void);

/* The ids as written in the table, to compare with their codes. */
static const char *const adv_ids[R_COUNT] = {
#define REASON(id, code, standard, severity, what_nl, what_en, fix_nl, fix_en) [R_##id] = #id,
#include "../../probes/reasons.def"
#undef REASON
};

/* The standard column's words besides probe names (reasons.def's header). */
static const char *const adv_groups[] = {"*", "address", "domain"};

/* Non-empty, one line of printable text, a full stop at the end. */
static bool adv_text_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	size_t i;

	if (n < 10 || s[n - 1] != '.')
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* The code in upper case with '_' for '-' is the id. */
static bool adv_id_is_code(const char *id, const char *code)
{
	size_t i;

	for (i = 0; code[i]; i++)
		if (id[i] != (code[i] == '-' ? '_' : toupper((unsigned char)code[i])))
			return false;
	return id[i] == '\0';
}

static bool adv_standard_ok(const char *s)
{
	size_t i;

	if (!s)
		return false;
	for (i = 0; i < UNIT_COUNT(adv_groups); i++)
		if (strcmp(s, adv_groups[i]) == 0)
			return true;
	return probe_find(s) != NULL;
}

static void adv_check_row(enum reason r, const struct advice *rows, size_t n)
{
	const struct reason_row *row = reason_row(r);
	const struct advice *a;
	size_t k;

	if (!CHECK(row && row->code && row->code[0]))
		return;
	CHECK(reason_code(r) == row->code);
	for (k = 0; row->code[k]; k++)
		CHECK(islower((unsigned char)row->code[k]) ||
		      isdigit((unsigned char)row->code[k]) || row->code[k] == '-');
	if (r > R_NONE + 1)
		CHECK(strcmp(reason_code(r - 1), row->code) < 0); /* sorted, unique */
	CHECK(adv_id_is_code(adv_ids[r], row->code));
	CHECK(adv_standard_ok(row->standard));
	CHECK(reason_severity_name(row->severity) != NULL);

	/* its advice row: the same place in advice_all, found by advice_find */
	if (!CHECK((size_t)r - 1 < n))
		return;
	a = &rows[r - 1];
	CHECK_STR(a->code, row->code);
	CHECK(advice_find(row->code) == a);
	CHECK(adv_text_ok(a->what[ADVICE_NL]) && adv_text_ok(a->what[ADVICE_EN]));
	CHECK(adv_text_ok(a->fix[ADVICE_NL]) && adv_text_ok(a->fix[ADVICE_EN]));
	if (a->what[0] && a->what[1] && a->fix[0] && a->fix[1]) {
		CHECK(strcmp(a->what[ADVICE_NL], a->what[ADVICE_EN]) != 0);
		CHECK(strcmp(a->fix[ADVICE_NL], a->fix[ADVICE_EN]) != 0);
		CHECK(strcmp(a->what[ADVICE_NL], a->fix[ADVICE_NL]) != 0);
		CHECK(strcmp(a->what[ADVICE_EN], a->fix[ADVICE_EN]) != 0);
	}
}

void test_advice(void)
{
	size_t n, i;
	const struct advice *rows = advice_all(&n);
	enum addr_status s;
	struct probe_verdict pv;

	unit_case("the table: %d rows", (int)R_COUNT - 1);
	CHECK(rows != NULL);
	CHECK(R_COUNT > 20);
	CHECK_INT(n, R_COUNT - 1);
	for (i = R_NONE + 1; i < R_COUNT; i++) {
		unit_case("row %s",
			  reason_code((enum reason)i) ? reason_code((enum reason)i) : "?");
		adv_check_row((enum reason)i, rows, n);
	}

	unit_case("out of range");
	CHECK(reason_code(R_NONE) == NULL);
	CHECK(reason_code(R_COUNT) == NULL);
	CHECK(reason_row(R_NONE) == NULL);
	CHECK(reason_row(R_COUNT) == NULL);
	CHECK_STR(reason_severity_name(SEV_FAIL), "fail");
	CHECK(reason_severity_name((enum reason_severity)(SEV_FAIL + 1)) == NULL);

	/* ADDR_LOCAL_ERROR is the last status (probes/scan.h) */
	for (s = ADDR_PENDING; s <= ADDR_LOCAL_ERROR; s++) {
		const char *name = addr_status_name(s);

		unit_case("address status %d: %s", (int)s, name ? name : "(null)");
		if (!CHECK(name != NULL))
			continue;
		if (s == ADDR_PENDING || s == ADDR_OK)
			CHECK(advice_find(name) == NULL); /* not findings */
		else
			CHECK(advice_find(name) != NULL);
	}

	unit_case("verdict_add_reason gives the table's strings");
	memset(&pv, 0, sizeof(pv));
	verdict_add_reason(&pv, R_NONE);
	verdict_add_reason(&pv, R_COUNT);
	CHECK_INT(pv.nreasons, 0);
	verdict_add_reason(&pv, R_DANE_MISMATCH);
	verdict_add_reason(&pv, R_DANE_MISMATCH);
	CHECK_INT(pv.nreasons, 1);
	CHECK(pv.reasons[0] == reason_code(R_DANE_MISMATCH));
	CHECK_STR(pv.reasons[0], "dane-mismatch");

	unit_case("unknown codes");
	CHECK(advice_find("no-such-code") == NULL);
	CHECK(advice_find("") == NULL);
	CHECK(advice_find(NULL) == NULL);
	CHECK(advice_find("DANE-MISMATCH") == NULL);
	CHECK(advice_find("dane-mismatch ") == NULL);
	CHECK(advice_find("dane") == NULL);
	CHECK(advice_find("ok") == NULL);
	unit_case("%s", "");
}
