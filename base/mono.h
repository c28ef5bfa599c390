/*
 * mono.h - durations on the monotonic clock (CLOCK_MONOTONIC).
 *
 * Every timer, rate and elapsed time of the scanner is measured on it, never
 * on the wall clock, which NTP or an operator may step in the middle of a
 * run. One place for the arithmetic of two struct timespec, whose
 * nanoseconds borrow from the seconds.
 */
#ifndef MAILSCAN_MONO_H
#define MAILSCAN_MONO_H

struct timespec;

/* The monotonic clock now, into *ts. CLOCK_MONOTONIC cannot fail on Linux;
 * if it ever did, *ts is zero. */
void mono_now(struct timespec *ts);

/* Seconds from a to b; negative when b is before a. */
double mono_sec(const struct timespec *a, const struct timespec *b);

/* Whole milliseconds from a to b, rounded down (toward minus infinity):
 * 1.9 ms is 1, -0.1 ms is -1. */
long mono_ms(const struct timespec *a, const struct timespec *b);

#endif
