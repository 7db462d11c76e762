// SPDX-License-Identifier: GPL-2.0
/*
 * tcpclient: keep a TCP connection to ADDR:PORT, send a line every
 * interval and read the server's banner back. On any error, log it with
 * its time and reconnect, so a test can see when a connection was failed
 * and where the next one went.
 *
 * usage: tcpclient -c ADDR:PORT [-i MS] [-t SECONDS] [-m MARK] [-n]
 *   -n  stop after the first reply (one-shot check)
 * Event lines, times are CLOCK_REALTIME ns:
 *   connected TIME peer=ADDR     reply TIME banner=NAME (first per
 *   connection, and on change)   error TIME errno=N op=connect|send|recv
 * At exit: "summary connects=N errors=N replies=N"
 */
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

struct stats {
	unsigned long connects, errors, replies;
};

static void event_error(struct stats *s, const char *op)
{
	printf("error %llu errno=%d op=%s (%s)\n",
	       (unsigned long long)now_ns(), errno, op, strerror(errno));
	fflush(stdout);
	s->errors++;
}

static int dial(const struct sockaddr_storage *dst, socklen_t len,
		unsigned int mark, struct stats *s)
{
	struct timeval tv = { .tv_sec = 1 };
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	char buf[80];
	int fd = socket(dst->ss_family, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (mark && setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)))
		die("SO_MARK");
	if (connect(fd, (const struct sockaddr *)dst, len)) {
		event_error(s, "connect");
		close(fd);
		return -1;
	}
	getpeername(fd, (struct sockaddr *)&peer, &plen);
	printf("connected %llu peer=%s\n", (unsigned long long)now_ns(),
	       addr_format(&peer, buf, sizeof(buf)));
	fflush(stdout);
	s->connects++;
	return fd;
}

/* One ping: 0 with the banner in line, or -1 after logging the error. */
static int ping(int fd, struct stats *s, char *line, size_t size)
{
	ssize_t n;

	if (send(fd, "ping\n", 5, MSG_NOSIGNAL) != 5) {
		event_error(s, "send");
		return -1;
	}
	n = recv(fd, line, size - 1, 0);
	if (n <= 0) {
		if (n == 0)
			errno = ECONNRESET;
		event_error(s, "recv");
		return -1;
	}
	line[n] = '\0';
	line[strcspn(line, "\n")] = '\0';
	s->replies++;
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage dst;
	socklen_t len = 0;
	struct stats s = { 0 };
	unsigned int mark = 0, interval_ms = 50;
	double seconds = 0;
	int once = 0, fd = -1, c;
	uint64_t end;
	char line[128], last[128] = "";

	while ((c = getopt(argc, argv, "c:i:t:m:n")) != -1) {
		switch (c) {
		case 'c':
			if (addr_parse(optarg, &dst, &len))
				die("bad address %s", optarg);
			break;
		case 'i': interval_ms = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 't': seconds = strtod(optarg, NULL); break;
		case 'm': mark = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'n': once = 1; break;
		default:
			errno = 0;
			die("usage: tcpclient -c ADDR:PORT [-i MS] [-t S] [-m MARK] [-n]");
		}
	}
	if (!len) {
		errno = 0;
		die("tcpclient: -c ADDR:PORT is required");
	}
	stop_on_signals();
	end = seconds ? mono_ns() + (uint64_t)(seconds * 1e9) : 0;

	while (!stop_requested && (!end || mono_ns() < end)) {
		if (fd < 0) {
			fd = dial(&dst, len, mark, &s);
			last[0] = '\0';
			if (fd < 0) {
				if (once)
					break;
				usleep(20000);
				continue;
			}
		}
		if (ping(fd, &s, line, sizeof(line))) {
			close(fd);
			fd = -1;
			if (once)
				break;
			continue;
		}
		if (strcmp(line, last)) {
			printf("reply %llu banner=%s\n",
			       (unsigned long long)now_ns(), line);
			fflush(stdout);
			snprintf(last, sizeof(last), "%s", line);
		}
		if (once)
			break;
		usleep(interval_ms * 1000);
	}
	printf("summary connects=%lu errors=%lu replies=%lu\n", s.connects,
	       s.errors, s.replies);
	return 0;
}
