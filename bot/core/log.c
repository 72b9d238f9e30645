/*
 * log.c - levelled logging to stderr with a wall-clock timestamp.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static enum log_level max_level = LOG_NOTICE;

void log_set_level(enum log_level lvl) { max_level = lvl; }

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *names[] = { "error", "warn", "notice", "info", "debug" };
	char ts[32];
	struct tm tm;
	time_t now;
	va_list ap;

	if (lvl > max_level)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s: ", ts, names[lvl]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
