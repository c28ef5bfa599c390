/*
 * fuzz_smtp_reply.c - libFuzzer harness for probes/smtp_reply.c (RFC 5321
 * §4.2 replies). The input is split into feeds at points taken from its
 * first byte, and replies are read one after another like a session does.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../probes/smtp_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_reply r;
	size_t step, pos = 0;

	if (size == 0)
		return 0;
	step = (size_t)data[0] % 17 + 1;
	data++;
	size--;
	smtp_reply_init(&r);
	while (pos < size) {
		size_t n = size - pos < step ? size - pos : step, used = 0;
		enum smtp_parse rc = smtp_reply_feed(&r, (const char *)data + pos, n, &used);

		if (used > n)
			__builtin_trap();
		if (r.text.len > SMTP_REPLY_MAX || r.line.len > SMTP_LINE_MAX + 1 ||
		    r.nlines > SMTP_REPLY_LINES)
			__builtin_trap();
		pos += used;
		if (rc == SMTP_PARSE_DONE) {
			(void)smtp_ehlo_has(&r, "STARTTLS");
			if (r.code < 100 || r.code > 599 || strlen(buf_str(&r.text)) != r.text.len)
				__builtin_trap();
			smtp_reply_reset(&r);
		} else if (rc != SMTP_PARSE_MORE) {
			if (!r.error)
				__builtin_trap();
			smtp_reply_reset(&r);
			pos += n - used; /* skip the bad feed */
		}
	}
	smtp_reply_free(&r);
	return 0;
}
