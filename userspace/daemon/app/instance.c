// SPDX-License-Identifier: GPL-2.0
/*
 * The instance UUID kept in a state file: one line, the UUID. Written to
 * a temporary file, synced and renamed over, so a power cut leaves the
 * old UUID or the new one, never half of one.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/instance.h"
#include "config/config.h"
#include "core/log.h"
#include "core/rand.h"
#include "sip/build.h"

/* The stored UUID, or -errno (-EINVAL: not a UUID). */
static int read_stored(const char *path, char out[37])
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, " \t\r\n")] = '\0';
	if (!config_is_uuid(buf))
		return -EINVAL;
	memcpy(out, buf, 37);
	return 0;
}

static int make_parent(const char *path)
{
	char dir[CFG_PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir(dirname(dir), 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int store(const char *path, const char *uuid)
{
	char tmp[CFG_PATH_MAX + 8], line[40];
	int fd, err = 0, len;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	err = make_parent(path);
	if (err)
		return err;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	len = snprintf(line, sizeof(line), "%s\n", uuid);
	if (write(fd, line, (size_t)len) != len || fsync(fd))
		err = errno ? -errno : -EIO;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

void instance_uuid_get(const char *configured, const char *path,
		       char out[37])
{
	int err;

	if (configured && *configured) {
		snprintf(out, 37, "%s", configured);
		return;
	}
	if (path && *path) {
		err = read_stored(path, out);
		if (!err)
			return;
		if (err != -ENOENT)
			log_warn("instance UUID in %s: %s; making a new one",
				 path, err == -EINVAL ? "not a UUID" :
				 strerror(-err));
	}
	if (sip_new_uuid(out))		/* getrandom() failed */
		snprintf(out, 37, "%08x-%04x-4%03x-8%03x-%04x%08x", rand_u32(),
			 rand_u32() & 0xffff, rand_u32() & 0xfff,
			 rand_u32() & 0xfff, rand_u32() & 0xffff, rand_u32());
	if (!path || !*path) {
		log_info("instance UUID %s, for this run only", out);
		return;
	}
	err = store(path, out);
	if (err)
		log_warn("cannot store the instance UUID in %s: %s; %s is for "
			 "this run only (set voip/signalling/sip/instance_uuid "
			 "in the provisioning)", path, strerror(-err), out);
	else
		log_info("instance UUID %s, stored in %s", out, path);
}
