// SPDX-License-Identifier: GPL-2.0
/*
 * udpsend: send numbered datagrams (struct probe) to ADDR:PORT at a given
 * rate, for a count or a duration, from one socket or a fresh socket per
 * datagram, optionally with SO_MARK, and report where replies came from.
 *
 * usage: udpsend -d ADDR:PORT [-c COUNT] [-t SECONDS] [-r PPS] [-s SPORT]
 *                [-f] [-m MARK] [-e] [-F FLOWS]
 *   -f  fresh socket (new source port, new flow) per datagram
 *   -e  wait up to 200 ms for an echo after each datagram
 *   -F  FLOWS sockets, one datagram each in turn (many live flows)
 * Prints "sent=N errors=N replies=N seconds=S pps=P reply_from=A,B".
 */
#include "common.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SOURCES 8

struct opts {
	struct sockaddr_storage dst;
	socklen_t dst_len;
	unsigned long count;
	double seconds;
	unsigned long rate;
	unsigned int sport;
	unsigned int mark;
	unsigned int flows;
	int fresh;
	int echo;
};

struct report {
	unsigned long sent, errors, replies;
	int nsources;
	struct sockaddr_storage sources[MAX_SOURCES];
};

static int open_socket(const struct opts *o)
{
	int one = 1;
	int fd = socket(o->dst.ss_family, SOCK_DGRAM, 0);

	if (fd < 0)
		die("socket");
	if (o->mark &&
	    setsockopt(fd, SOL_SOCKET, SO_MARK, &o->mark, sizeof(o->mark)))
		die("SO_MARK");
	if (o->sport) {
		struct sockaddr_storage src = { .ss_family = o->dst.ss_family };
		socklen_t len = o->dst_len;

		if (src.ss_family == AF_INET6)
			((struct sockaddr_in6 *)&src)->sin6_port =
				htons((uint16_t)o->sport);
		else
			((struct sockaddr_in *)&src)->sin_port =
				htons((uint16_t)o->sport);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&src, len))
			die("bind source port %u", o->sport);
	}
	return fd;
}

static void note_source(struct report *r, const struct sockaddr_storage *ss,
			socklen_t len)
{
	int i;

	for (i = 0; i < r->nsources; i++)
		if (!memcmp(&r->sources[i], ss, len))
			return;
	if (r->nsources < MAX_SOURCES)
		memcpy(&r->sources[r->nsources++], ss, sizeof(*ss));
}

static void await_echo(int fd, struct report *r)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct sockaddr_storage from;
	socklen_t len = sizeof(from);
	char buf[256];

	if (poll(&pfd, 1, 200) != 1)
		return;
	memset(&from, 0, sizeof(from));
	if (recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
		     (struct sockaddr *)&from, &len) < 0)
		return;
	r->replies++;
	note_source(r, &from, len);
}

static void send_one(int fd, const struct opts *o, struct report *r)
{
	struct probe p = { .seq = r->sent + r->errors };

	p.sent_ns = now_ns();
	if (sendto(fd, &p, sizeof(p), 0, (const struct sockaddr *)&o->dst,
		   o->dst_len) < 0) {
		r->errors++;
		return;
	}
	r->sent++;
	if (o->echo)
		await_echo(fd, r);
}

static void parse(int argc, char **argv, struct opts *o)
{
	int c;

	while ((c = getopt(argc, argv, "d:c:t:r:s:fm:eF:")) != -1) {
		switch (c) {
		case 'd':
			if (addr_parse(optarg, &o->dst, &o->dst_len))
				die("bad address %s", optarg);
			break;
		case 'c': o->count = strtoul(optarg, NULL, 0); break;
		case 't': o->seconds = strtod(optarg, NULL); break;
		case 'r': o->rate = strtoul(optarg, NULL, 0); break;
		case 's': o->sport = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'f': o->fresh = 1; break;
		case 'm': o->mark = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'e': o->echo = 1; break;
		case 'F': o->flows = (unsigned int)strtoul(optarg, NULL, 0); break;
		default:
			errno = 0;
			die("usage: udpsend -d ADDR:PORT [-c N] [-t S] [-r PPS] [-s SPORT] [-f] [-m MARK] [-e] [-F FLOWS]");
		}
	}
	if (!o->dst_len) {
		errno = 0;
		die("udpsend: -d ADDR:PORT is required");
	}
	if (!o->count && !o->seconds)
		o->count = 1;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct report r = { 0 };
	uint64_t start, end, next, gap;
	int *fds = NULL;
	unsigned int i, nfds = 1;
	char buf[80];
	double secs;

	parse(argc, argv, &o);
	stop_on_signals();
	if (o.flows)
		nfds = o.flows;
	fds = calloc(nfds, sizeof(*fds));
	if (!fds)
		die("calloc");
	if (!o.fresh)
		for (i = 0; i < nfds; i++)
			fds[i] = open_socket(&o);

	start = mono_ns();
	end = o.seconds ? start + (uint64_t)(o.seconds * 1e9) : 0;
	gap = o.rate ? 1000000000ull / o.rate : 0;
	next = start;
	for (i = 0; !stop_requested; i = (i + 1) % nfds) {
		if (o.count && r.sent + r.errors >= o.count)
			break;
		if (end && mono_ns() >= end)
			break;
		if (gap) {
			sleep_until(next);
			next += gap;
		}
		if (o.fresh) {
			int fd = open_socket(&o);

			send_one(fd, &o, &r);
			close(fd);
		} else {
			send_one(fds[i], &o, &r);
		}
	}
	secs = (double)(mono_ns() - start) / 1e9;

	printf("sent=%lu errors=%lu replies=%lu seconds=%.3f pps=%.0f reply_from=",
	       r.sent, r.errors, r.replies, secs, secs > 0 ? r.sent / secs : 0);
	for (i = 0; i < (unsigned int)r.nsources; i++)
		printf("%s%s", i ? "," : "",
		       addr_format(&r.sources[i], buf, sizeof(buf)));
	printf("\n");
	return 0;
}
