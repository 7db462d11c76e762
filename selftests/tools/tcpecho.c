// SPDX-License-Identifier: GPL-2.0
/*
 * tcpecho: TCP server that answers every chunk it receives with its
 * banner and a newline, so a client can tell which server it reached.
 *
 * usage: tcpecho -l ADDR:PORT -b BANNER
 * Prints "ready" once listening and "accepted=N" at exit (SIGTERM).
 */
#include "common.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS 256

int main(int argc, char **argv)
{
	struct pollfd pfd[MAX_CLIENTS + 1];
	struct sockaddr_storage addr;
	socklen_t len = 0;
	const char *banner = "server";
	unsigned long accepted = 0;
	int one = 1, n = 1, c, i;
	char reply[128], buf[512];

	while ((c = getopt(argc, argv, "l:b:")) != -1) {
		switch (c) {
		case 'l':
			if (addr_parse(optarg, &addr, &len))
				die("bad address %s", optarg);
			break;
		case 'b': banner = optarg; break;
		default:
			errno = 0;
			die("usage: tcpecho -l ADDR:PORT -b BANNER");
		}
	}
	if (!len) {
		errno = 0;
		die("tcpecho: -l ADDR:PORT is required");
	}
	snprintf(reply, sizeof(reply), "%s\n", banner);
	stop_on_signals();
	pfd[0].fd = socket(addr.ss_family, SOCK_STREAM, 0);
	if (pfd[0].fd < 0)
		die("socket");
	pfd[0].events = POLLIN;
	setsockopt(pfd[0].fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(pfd[0].fd, (struct sockaddr *)&addr, len) ||
	    listen(pfd[0].fd, 128))
		die("listen");
	printf("ready\n");
	fflush(stdout);

	while (!stop_requested) {
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if ((pfd[0].revents & POLLIN) && n <= MAX_CLIENTS) {
			int fd = accept(pfd[0].fd, NULL, NULL);

			if (fd >= 0) {
				pfd[n].fd = fd;
				pfd[n].events = POLLIN;
				pfd[n++].revents = 0;
				accepted++;
			}
		}
		for (i = 1; i < n; i++) {
			ssize_t r;

			if (!pfd[i].revents)
				continue;
			r = recv(pfd[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (r > 0) {
				send(pfd[i].fd, reply, strlen(reply),
				     MSG_NOSIGNAL);
				continue;
			}
			if (r < 0 && errno == EAGAIN)
				continue;
			close(pfd[i].fd);
			pfd[i--] = pfd[--n];
		}
	}
	printf("accepted=%lu\n", accepted);
	return 0;
}
