/*
 * dnsmsg.h - building DNS messages by hand for the unit tests (test_dns.c,
 * test_dns_stub.c): bytes, 16-bit fields and uncompressed names appended to
 * a buffer. Header-only; the tests keep their own bounds small.
 */
#ifndef MAILSCAN_TEST_DNSMSG_H
#define MAILSCAN_TEST_DNSMSG_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct tmsg {
	uint8_t b[4096];
	size_t n;
};

static inline void tmsg8(struct tmsg *m, unsigned v) { m->b[m->n++] = (uint8_t)v; }

static inline void tmsg16(struct tmsg *m, unsigned v)
{
	tmsg8(m, (v >> 8) & 0xff);
	tmsg8(m, v & 0xff);
}

/* A presentation-form name as labels, no compression, ending in the root. */
static inline void tmsg_name(struct tmsg *m, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		tmsg8(m, (unsigned)l);
		memcpy(m->b + m->n, name, l);
		m->n += l;
		name += l;
		if (*name == '.')
			name++;
	}
	tmsg8(m, 0);
}

#endif
