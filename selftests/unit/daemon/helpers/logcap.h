/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test helper: capture the daemon's log (stderr) in a temp file, so a
 * test can check what was logged (and what was not: passwords), and show
 * it only when the test failed.
 *
 *	logcap_start(&lc, "test_reg");	// stderr -> /tmp/test_reg.PID.log
 *	assert_true(logcap_has(&lc, "registered"));
 *	logcap_stop(&lc, !passed);	// stderr back; print the log if asked
 */
#ifndef SELFTESTS_DAEMON_LOGCAP_H
#define SELFTESTS_DAEMON_LOGCAP_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct logcap {
	char path[64];
	int saved_stderr;
};

/* 0, or -1 when stderr could not be redirected. */
static inline int logcap_start(struct logcap *lc, const char *name)
{
	int fd;

	snprintf(lc->path, sizeof(lc->path), "/tmp/%s.%d.log", name,
		 (int)getpid());
	fflush(stderr);
	lc->saved_stderr = dup(STDERR_FILENO);
	fd = open(lc->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || lc->saved_stderr < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	dup2(fd, STDERR_FILENO);
	close(fd);
	return 0;
}

/* Whether the first 64 KiB of the log so far hold @needle. */
static inline bool logcap_has(const struct logcap *lc, const char *needle)
{
	char *buf = calloc(1, 65536);
	FILE *fp;
	bool found = false;

	fflush(stderr);
	fp = fopen(lc->path, "r");
	if (buf && fp) {
		size_t n = fread(buf, 1, 65535, fp);

		buf[n] = '\0';
		found = strstr(buf, needle) != NULL;
	}
	if (fp)
		fclose(fp);
	free(buf);
	return found;
}

/* stderr back; with @show, the captured lines go there, "log: "-marked. */
static inline void logcap_stop(struct logcap *lc, bool show)
{
	char line[512];
	FILE *fp;

	fflush(stderr);
	dup2(lc->saved_stderr, STDERR_FILENO);
	close(lc->saved_stderr);
	fp = show ? fopen(lc->path, "r") : NULL;
	while (fp && fgets(line, sizeof(line), fp))
		fprintf(stderr, "log: %s", line);
	if (fp)
		fclose(fp);
	unlink(lc->path);
}

#endif
