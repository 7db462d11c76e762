/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One readable line per event, to stderr or syslog. Never pass a password
 * or a full Authorization header to these functions.
 */
#ifndef SIPSTEERD_CORE_LOG_H
#define SIPSTEERD_CORE_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LVL_ERR,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

void log_init(const char *ident, bool use_syslog, enum log_level max);
void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Additions beyond the lead's interface. */
void log_set_level(enum log_level max);
enum log_level log_get_level(void);
const char *log_level_name(enum log_level lvl);	/* "error", "warning", ... */
/* "error"|"err", "warning"|"warn", "info", "debug"; 0 or -1. */
int log_level_parse(const char *s, enum log_level *out);

#define log_err(...)	log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
