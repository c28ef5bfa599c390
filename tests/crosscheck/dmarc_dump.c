/*
 * dmarc_dump.c - prints what probes/dmarc_record.c makes of the unit
 * tests' DMARC record strings, for tests/dmarc-crosscheck.sh to compare
 * with Mail::DMARC (a parser nobody here wrote). It includes
 * tests/unit/test_dmarc.c so that the strings are exactly the unit
 * tests' own; the unit framework is stubbed out.
 *
 *   dmarc_dump records   one line per record:
 *                        HEX(record) TAB selected TAB valid TAB p TAB sp TAB pct
 *   dmarc_dump org       reads names on stdin, prints "name TAB org" ("-" on error)
 */
#include "../unit/test_dmarc.c"

#include <stdarg.h>

void unit_case(const char *fmt, ...) { (void)fmt; }
bool unit_check(bool ok, const char *file, int line, const char *expr)
{
	(void)file, (void)line, (void)expr;
	return ok;
}
bool unit_check_str(const char *file, int line, const char *ea, const char *eb, const char *a,
		    const char *b)
{
	(void)file, (void)line, (void)ea, (void)eb, (void)a, (void)b;
	return true;
}
bool unit_check_int(const char *file, int line, const char *ea, const char *eb, long long a,
		    long long b)
{
	(void)file, (void)line, (void)ea, (void)eb;
	return a == b;
}

static void dump_one(const char *txt)
{
	struct dmarc_record r;
	char why[DMARC_WHY_MAX];
	const unsigned char *p;

	for (p = (const unsigned char *)txt; *p; p++)
		printf("%02x", *p);
	if (!*txt)
		printf("-");
	if (dmarc_record_parse(txt, &r, why, sizeof(why)) == 0)
		printf("\t%d\t1\t%s\t%s\t%d\n", dmarc_txt_is_dmarc(txt), dmarc_policy_name(r.p),
		       r.sp ? dmarc_policy_name(r.sp) : "-", r.pct);
	else
		printf("\t%d\t0\t-\t-\t-\n", dmarc_txt_is_dmarc(txt));
}

int main(int argc, char **argv)
{
	size_t i, k;

	if (argc > 1 && strcmp(argv[1], "org") == 0) {
		char line[512], org[DNS_NAME_MAX + 1];

		while (fgets(line, sizeof(line), stdin)) {
			line[strcspn(line, "\n")] = '\0';
			if (!line[0])
				continue;
			printf("%s\t%s\n", line,
			       dmarc_org_domain(line, org, sizeof(org)) == 0 ? org : "-");
		}
		return 0;
	}
	for (i = 0; i < UNIT_COUNT(dmarc_cases); i++)
		dump_one(dmarc_cases[i].txt);
	for (i = 0; i < UNIT_COUNT(dmarc_scns); i++) {
		for (k = 0; k < MAXTXT; k++) {
			if (dmarc_scns[i].own[k])
				dump_one(dmarc_scns[i].own[k]);
			if (dmarc_scns[i].org[k])
				dump_one(dmarc_scns[i].org[k]);
		}
	}
	return 0;
}
