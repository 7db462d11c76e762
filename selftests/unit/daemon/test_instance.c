// SPDX-License-Identifier: GPL-2.0
/*
 * The RFC 5626 instance UUID: the configured one wins; else the one in
 * the state file, made and stored on first use and the same on every
 * later start; a file that cannot be written gives a random one for the
 * run, with a warning; a broken file is replaced.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/instance.h"
#include "config/config.h"
#include "core/log.h"
#include "helpers/logcap.h"

#define UUID	"6f1f3c2e-8d0a-4c5b-9e7f-0a1b2c3d4e5f"

struct fixture {
	char dir[64];
	char path[128];
	struct logcap log;
	bool passed;
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	snprintf(f.dir, sizeof(f.dir), "/tmp/test_instance.XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	/* A directory of its own that does not exist yet. */
	snprintf(f.path, sizeof(f.path), "%s/state/instance_uuid", f.dir);
	assert_int_equal(logcap_start(&f.log, "test_instance"), 0);
	log_init("test_instance", false, LOG_LVL_DEBUG);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	logcap_stop(&f->log, !f->passed);
	return 0;
}

static void file_holds(const char *path, char *out, size_t size)
{
	FILE *fp = fopen(path, "r");

	assert_non_null(fp);
	assert_non_null(fgets(out, (int)size, fp));
	fclose(fp);
}

static void test_configured_wins(void **state)
{
	struct fixture *f = *state;
	char u[37];

	instance_uuid_get(UUID, f->path, u);
	assert_string_equal(u, UUID);
	assert_int_equal(access(f->path, F_OK), -1);
	f->passed = true;
}

static void test_stored_and_kept(void **state)
{
	struct fixture *f = *state;
	char u1[37], u2[37], line[64], want[40];

	instance_uuid_get("", f->path, u1);
	assert_true(config_is_uuid(u1));
	assert_int_equal(u1[14], '4');		/* RFC 4122 version 4 */
	snprintf(want, sizeof(want), "%s\n", u1);
	file_holds(f->path, line, sizeof(line));
	assert_string_equal(line, want);
	/* The next start: the same one. */
	instance_uuid_get(NULL, f->path, u2);
	assert_string_equal(u2, u1);
	assert_true(logcap_has(&f->log, "stored in"));
	f->passed = true;
}

static void test_broken_file_replaced(void **state)
{
	struct fixture *f = *state;
	char u1[37], u2[37];
	FILE *fp;

	instance_uuid_get("", f->path, u1);
	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fputs("not-a-uuid\n", fp);
	fclose(fp);
	instance_uuid_get("", f->path, u2);
	assert_true(config_is_uuid(u2));
	assert_true(logcap_has(&f->log, "not a UUID"));
	instance_uuid_get("", f->path, u1);
	assert_string_equal(u1, u2);
	f->passed = true;
}

/* Read-only (here: /proc, where nothing can be made even by root). */
static void test_unwritable(void **state)
{
	struct fixture *f = *state;
	char u1[37], u2[37];

	instance_uuid_get("", "/proc/sipsteer-test/instance_uuid", u1);
	assert_true(config_is_uuid(u1));
	assert_true(logcap_has(&f->log, "cannot store the instance UUID"));
	instance_uuid_get("", "/proc/sipsteer-test/instance_uuid", u2);
	assert_true(config_is_uuid(u2));
	assert_string_not_equal(u1, u2);
	instance_uuid_get("", "", u1);
	assert_true(config_is_uuid(u1));
	assert_string_not_equal(u1, u2);
	f->passed = true;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_configured_wins),
		T(test_stored_and_kept),
		T(test_broken_file_replaced),
		T(test_unwritable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
