/*
 * log.h - levelled logging to stderr. One line per event, prefixed with the
 * level. Never used for user-facing CLI output (that goes to stdout).
 */
#ifndef BOT_CORE_LOG_H
#define BOT_CORE_LOG_H

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_NOTICE = 2, LOG_INFO = 3, LOG_DEBUG = 4 };

/* Set the most verbose level printed (default LOG_NOTICE). */
void log_set_level(enum log_level lvl);

/* Print one formatted line at lvl, if enabled. */
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)    log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)   log_msg(LOG_WARN, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)   log_msg(LOG_INFO, __VA_ARGS__)

#endif
