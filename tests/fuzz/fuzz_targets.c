/*
 * fuzz_targets.c - libFuzzer harness for the target-list reader
 * (targets/targets.c): the first byte picks the format (text, CSV, YAML),
 * the rest is the file. Every target handed out must be a normalised name
 * no longer than DNS_NAME_MAX, every tag handed out must pass the reader's
 * own key and value checks (no control byte, bounded), and a fatal error
 * must carry a message.
 */
#include <string.h>

#include "../../base/str.h"
#include "../../targets/targets.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_tags(const char *org, const struct target_tag *tags, size_t n, unsigned long line,
		      void *arg)
{
	size_t i;

	(void)line;
	(void)arg;
	if (!org[0] || n == 0 || n > TARGET_TAGS_MAX)
		__builtin_trap();
	for (i = 0; i < n; i++)
		if (target_tag_key_check(tags[i].key, strlen(tags[i].key)) ||
		    target_tag_value_check(tags[i].value, strlen(tags[i].value)))
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum target_format fmts[] = {TARGET_TEXT, TARGET_CSV, TARGET_YAML};
	struct target_reader *r;
	struct target t;
	const char *path;
	char err[512];
	int rc;

	if (size < 1)
		return 0;
	path = fuzz_file(data + 1, size - 1, "");
	if (!path)
		return 0;
	r = target_open(path, fmts[data[0] % 3], err, sizeof(err));
	if (!r)
		return 0;
	target_on_tags(r, fuzz_tags, NULL);
	while ((rc = target_next(r, &t, err, sizeof(err))) == 1)
		if (strlen(t.domain) > DNS_NAME_MAX || !t.organisation || !t.category)
			__builtin_trap();
	if (rc < 0 && err[0] == '\0')
		__builtin_trap();
	target_close(r);
	return 0;
}
