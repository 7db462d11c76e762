// SPDX-License-Identifier: GPL-2.0
/*
 * Logging: one line per event. Control characters (a CR/LF inside a SIP
 * reason phrase, say) are replaced so a line in the log is always one event.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"

#define LOG_LINE_MAX	1024

static struct {
	const char *ident;
	bool use_syslog;
	enum log_level max;
} log_cfg = {
	.ident = "sipsteerd",
	.max = LOG_LVL_INFO,
};

static const char *const level_names[] = {
	[LOG_LVL_ERR] = "error",
	[LOG_LVL_WARN] = "warning",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};

static const int syslog_prio[] = {
	[LOG_LVL_ERR] = LOG_ERR,
	[LOG_LVL_WARN] = LOG_WARNING,
	[LOG_LVL_INFO] = LOG_INFO,
	[LOG_LVL_DEBUG] = LOG_DEBUG,
};

void log_init(const char *ident, bool use_syslog, enum log_level max)
{
	if (log_cfg.use_syslog)
		closelog();
	log_cfg.ident = ident ? ident : "sipsteerd";
	log_cfg.use_syslog = use_syslog;
	log_cfg.max = max;
	if (use_syslog)
		openlog(log_cfg.ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(enum log_level max)
{
	log_cfg.max = max;
}

enum log_level log_get_level(void)
{
	return log_cfg.max;
}

const char *log_level_name(enum log_level lvl)
{
	if ((unsigned int)lvl > LOG_LVL_DEBUG)
		return "?";
	return level_names[lvl];
}

int log_level_parse(const char *s, enum log_level *out)
{
	/* "err" and "warn" are accepted as the syslog-style short forms. */
	static const struct {
		const char *name;
		enum log_level lvl;
	} names[] = {
		{ "error", LOG_LVL_ERR }, { "err", LOG_LVL_ERR },
		{ "warning", LOG_LVL_WARN }, { "warn", LOG_LVL_WARN },
		{ "info", LOG_LVL_INFO }, { "debug", LOG_LVL_DEBUG },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcasecmp(s, names[i].name)) {
			*out = names[i].lvl;
			return 0;
		}
	}
	return -1;
}

static void sanitize(char *s)
{
	size_t len = strlen(s);

	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		s[--len] = '\0';
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	}
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;
	int n;

	if ((unsigned int)lvl > LOG_LVL_DEBUG)
		lvl = LOG_LVL_DEBUG;
	if (lvl > log_cfg.max)
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(msg))
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	sanitize(msg);

	if (log_cfg.use_syslog) {
		syslog(syslog_prio[lvl], "%s", msg);
	} else {
		struct timespec ts;
		struct tm tm;
		char stamp[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		/* One fprintf per line: stderr is unbuffered, keep it whole. */
		fprintf(stderr, "%s.%03ldZ %s[%ld] %s: %s\n", stamp,
			ts.tv_nsec / 1000000, log_cfg.ident, (long)getpid(),
			level_names[lvl], msg);
	}
}
