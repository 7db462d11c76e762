// SPDX-License-Identifier: GPL-2.0
/* Logging: level filter, one line per event, the stderr line format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/log.h"

/* Runs @fn with stderr going to a temporary file; returns what it wrote. */
static char *capture(void (*fn)(void))
{
	char path[] = "/tmp/test_log.XXXXXX";
	int fd = mkstemp(path), saved;
	char *buf = calloc(1, 8192);

	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_true(pread(fd, buf, 8191, 0) >= 0);
	close(fd);
	unlink(path);
	return buf;
}

static void log_some(void)
{
	log_init("unit", false, LOG_LVL_INFO);
	log_debug("hidden %d", 1);
	log_info("reason \"%s\"", "Bad\r\nInjected: yes");
	log_warn("warn %d", 2);
	log_err("err\n");
}

static void test_filter_and_one_line(void **state)
{
	char *out = capture(log_some);
	char *line, *save;
	int n = 0;

	(void)state;
	print_message("%s", out);
	assert_null(strstr(out, "hidden"));
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		/* 2026-11-24T12:00:00.123Z unit[PID] level: ... */
		assert_int_equal(line[4], '-');
		assert_int_equal(line[10], 'T');
		assert_int_equal(line[23], 'Z');
		assert_memory_equal(line + 25, "unit[", 5);
		n++;
	}
	assert_int_equal(n, 3);
	free(out);
	out = capture(log_some);
	assert_non_null(strstr(out, "] info: reason \"Bad??Injected: yes\"\n"));
	assert_non_null(strstr(out, "] warning: warn 2\n"));
	/* A trailing newline in the format is not doubled. */
	assert_non_null(strstr(out, "] error: err\n"));
	free(out);
}

static void log_long(void)
{
	char big[3000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_init("unit", false, LOG_LVL_DEBUG);
	log_debug("%s", big);
}

static void test_long_message_truncated(void **state)
{
	char *out = capture(log_long);

	(void)state;
	assert_non_null(strstr(out, "aaa...\n"));
	assert_true(strlen(out) < 1200);
	free(out);
}

static void test_level_names(void **state)
{
	enum log_level l;

	(void)state;
	assert_int_equal(log_level_parse("WARN", &l), 0);
	assert_int_equal(l, LOG_LVL_WARN);
	assert_int_equal(log_level_parse("debug", &l), 0);
	assert_int_equal(l, LOG_LVL_DEBUG);
	assert_int_equal(log_level_parse("verbose", &l), -1);
	assert_string_equal(log_level_name(LOG_LVL_ERR), "error");
	log_set_level(LOG_LVL_WARN);
	assert_int_equal(log_get_level(), LOG_LVL_WARN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_and_one_line),
		cmocka_unit_test(test_long_message_truncated),
		cmocka_unit_test(test_level_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
