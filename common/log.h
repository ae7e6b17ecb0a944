/*
 * log: one line per event to stderr or syslog, with a level. Used by
 * klopfd and the console alike. Callers never pass tokens, passwords,
 * names or topics: the log is read by people who must not see them.
 */
#ifndef KLOPF_LOG_H
#define KLOPF_LOG_H

#include <stdbool.h>

enum log_level {
	KLOG_ERROR = 0,
	KLOG_WARNING,
	KLOG_INFO,
	KLOG_DEBUG,
};

/* ident: program name for syslog and the stderr prefix. */
void log_init(const char *ident, enum log_level level, bool use_syslog);
/* Parses "error", "warning", "info", "debug"; returns -1 if unknown. */
int log_level_parse(const char *s);
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(KLOG_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(KLOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(KLOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(KLOG_DEBUG, __VA_ARGS__)

#endif
