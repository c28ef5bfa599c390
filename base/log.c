/*
 * log.c - leveled logging to stderr.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static enum log_level log_level_now = LOG_WARN;

void log_set_level(enum log_level level) { log_level_now = level; }

enum log_level log_get_level(void) { return log_level_now; }

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	va_list ap;

	if (level > log_level_now)
		return;
	(void)fprintf(stderr, "mailscan: %s: ", names[level]);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stderr);
}
