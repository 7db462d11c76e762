// SPDX-License-Identifier: GPL-2.0
/* `sipsteerd --status`: one blocking request to the running daemon. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "status/status.h"

#define STATUS_QUERY_TIMEOUT_S	5

int status_query(const char *path, bool json, FILE *out)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = STATUS_QUERY_TIMEOUT_S };
	const char *req = json ? "json\n" : "text\n";
	char buf[4096];
	ssize_t n;
	int fd, err = 0;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	memcpy(addr.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    send(fd, req, strlen(req), MSG_NOSIGNAL) < 0) {
		err = -errno;
		goto out;
	}
	shutdown(fd, SHUT_WR);
	while ((n = recv(fd, buf, sizeof(buf), 0)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			/* EAGAIN here is the receive timeout. */
			err = errno == EAGAIN ? -ETIMEDOUT : -errno;
			goto out;
		}
		if (fwrite(buf, 1, (size_t)n, out) != (size_t)n) {
			err = -EIO;
			goto out;
		}
	}
	if (fflush(out))
		err = -EIO;
out:
	close(fd);
	return err;
}
