/*
 * fuzz_explain.c - libFuzzer harness for the explanations file of the
 * report (reports/explain.c, read as a stream of libyaml events): every
 * explanation handed back must be whole, and an error must say where.
 */
#include <string.h>

#include "../../reports/report.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, ".yaml");
	struct rep_expl *ex = NULL;
	char err[512] = "";
	size_t n = 0, i;

	if (!path)
		return 0;
	if (rep_expl_load(path, &ex, &n, err, sizeof(err)) < 0) {
		if (ex || n || err[0] == '\0')
			__builtin_trap();
		return 0;
	}
	for (i = 0; i < n; i++)
		if (!ex[i].standard || !ex[i].reason || !ex[i].valid_until[0] ||
		    !ex[i].organisation == !ex[i].domain)
			__builtin_trap();
	rep_expl_free(ex, n);
	return 0;
}
