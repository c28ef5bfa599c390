/*
 * mono.c - durations on the monotonic clock (see mono.h).
 */
#include "mono.h"

#include <stdint.h>
#include <time.h>

void mono_now(struct timespec *ts)
{
	if (clock_gettime(CLOCK_MONOTONIC, ts) < 0) {
		ts->tv_sec = 0;
		ts->tv_nsec = 0;
	}
}

/* Nanoseconds from a to b (a run's durations are far below 292 years). */
static int64_t mono_ns(const struct timespec *a, const struct timespec *b)
{
	return ((int64_t)b->tv_sec - (int64_t)a->tv_sec) * 1000000000 +
	       ((int64_t)b->tv_nsec - (int64_t)a->tv_nsec);
}

double mono_sec(const struct timespec *a, const struct timespec *b)
{
	return (double)mono_ns(a, b) / 1e9;
}

long mono_ms(const struct timespec *a, const struct timespec *b)
{
	int64_t ns = mono_ns(a, b);

	/* C division truncates toward zero; round down for negative spans */
	return (long)(ns >= 0 ? ns / 1000000 : -((-ns + 999999) / 1000000));
}
