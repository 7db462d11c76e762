// SPDX-License-Identifier: GPL-2.0
/*
 * udpsink: count datagrams arriving at ADDR:PORT until SIGTERM (or until
 * -n datagrams arrived), optionally echo them back. Reports the count,
 * the newest send time carried in a probe payload, and the kernel's
 * receive time of the first and the last datagram (SO_TIMESTAMPNS).
 *
 * usage: udpsink -l ADDR:PORT [-e] [-n COUNT]
 * Prints "ready" once bound, then at exit:
 * "received=N max_sent_ns=T first_rx_ns=T last_rx_ns=T sources=N"
 */
#include "common.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Distinct source ports seen: one bit per port and family. */
static unsigned char seen_port[2][65536 / 8];

static unsigned long note_source(const struct sockaddr_storage *ss)
{
	int v6 = ss->ss_family == AF_INET6;
	unsigned int port = v6 ? ((const struct sockaddr_in6 *)ss)->sin6_port :
				 ((const struct sockaddr_in *)ss)->sin_port;
	unsigned char bit = (unsigned char)(1u << (port & 7));

	if (seen_port[v6][port >> 3] & bit)
		return 0;
	seen_port[v6][port >> 3] |= bit;
	return 1;
}

static uint64_t rx_time(struct msghdr *msg)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SO_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return (uint64_t)ts.tv_sec * 1000000000ull +
			       (uint64_t)ts.tv_nsec;
		}
	}
	return now_ns();
}

int main(int argc, char **argv)
{
	struct sockaddr_storage addr, from;
	socklen_t len = 0;
	unsigned long received = 0, count = 0, sources = 0;
	uint64_t max_sent = 0, first_rx = 0, last_rx = 0;
	int echo = 0, one = 1, rcvbuf = 8 << 20, drained = 0, fd, c;
	char cbuf[CMSG_SPACE(sizeof(struct timespec))];
	char buf[2048];

	while ((c = getopt(argc, argv, "l:en:")) != -1) {
		switch (c) {
		case 'l':
			if (addr_parse(optarg, &addr, &len))
				die("bad address %s", optarg);
			break;
		case 'e': echo = 1; break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		default:
			errno = 0;
			die("usage: udpsink -l ADDR:PORT [-e] [-n COUNT]");
		}
	}
	if (!len) {
		errno = 0;
		die("udpsink: -l ADDR:PORT is required");
	}
	stop_on_signals();
	fd = socket(addr.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&addr, len))
		die("bind %s", argv[optind - 1]);
	printf("ready\n");
	fflush(stdout);

	/*
	 * On SIGTERM, wait a moment and drain what is queued: datagrams
	 * sent before the stop must all be counted.
	 */
	for (;;) {
		int draining = stop_requested;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		struct probe p;
		ssize_t n;

		if (count && received >= count)
			break;
		if (draining && !drained++)
			usleep(50000);
		n = recvmsg(fd, &msg, draining ? MSG_DONTWAIT : 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (draining && errno == EAGAIN)
				break;
			die("recvmsg");
		}
		last_rx = rx_time(&msg);
		if (!received++)
			first_rx = last_rx;
		sources += note_source(&from);
		if ((size_t)n >= sizeof(p)) {
			memcpy(&p, buf, sizeof(p));
			if (p.sent_ns > max_sent)
				max_sent = p.sent_ns;
		}
		if (echo)
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from,
			       msg.msg_namelen);
	}
	printf("received=%lu max_sent_ns=%llu first_rx_ns=%llu last_rx_ns=%llu sources=%lu\n",
	       received, (unsigned long long)max_sent,
	       (unsigned long long)first_rx, (unsigned long long)last_rx,
	       sources);
	return 0;
}
