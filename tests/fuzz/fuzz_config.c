/*
 * fuzz_config.c - libFuzzer harness for the YAML config file (--config):
 * scanner/config.c through the option parser of `check` (scanner/cli.c),
 * so every value reaches the code that checks it and the code that shows
 * a bad one.
 */
#include <string.h>

#include "../../scanner/cli.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char usage[] = "usage\n";
	char a0[] = "check", a1[] = "--config", a3[] = "x.example";
	char *argv[5] = {a0, a1, NULL, a3, NULL};
	const char *path = fuzz_file(data, size, ".yaml");
	struct cli c;

	if (!path)
		return 0;
	argv[2] = (char *)path;
	(void)cli_parse(&c, CLI_CHECK, 4, argv, usage);
	cli_free(&c);
	return 0;
}
