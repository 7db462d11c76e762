// SPDX-License-Identifier: GPL-2.0
/* Socket creation shared by the transports: non-blocking, marked. */
#include "transport/sock.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"

int tp_socket(int family, int type, uint32_t mark, const char *peer)
{
	int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int err;

	if (fd < 0)
		return -errno;
	/* The mark lets failback probes bypass the kernel's steering. */
	if (mark && setsockopt(fd, SOL_SOCKET, SO_MARK, &mark,
			       sizeof(mark))) {
		err = -errno;
		log_err("transport: %s: SO_MARK %u: %s%s", peer, mark,
			strerror(-err),
			err == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
		close(fd);
		return err;
	}
	return fd;
}
