// SPDX-License-Identifier: GPL-2.0
/*
 * switchlat: measure a switch from the sender's side. Run in the phone's
 * namespace; it opens a receiver in each proxy's namespace (setns), a
 * UDP flow to the service's match endpoint and a netlink socket, then
 * switches the service between the two targets:
 *
 *   -r N  N switches, each followed at once by one datagram on the same
 *         long-lived flow; reports the SERVICE_SET round trip and the
 *         time from the netlink reply to the datagram's arrival at the
 *         new target (kernel receive timestamp). Medians and p90.
 *   -F N  N live flows (one socket each) steered to A, then one switch
 *         to B; reports the SERVICE_SET time (the module flushes the N
 *         conntrack entries before replying) and the time until every
 *         flow's next datagram arrived at B.
 *   -L S  switch A, B, A, ... as fast as possible for S seconds (a
 *         stress writer; -a/-b may omit NETNS, no receivers are opened).
 *
 * usage: switchlat -s SERVICE [-d VIP:PORT] -a [NETNS,]ADDR:PORT
 *                  -b [NETNS,]ADDR:PORT (-r N | -F N | -L SECONDS)
 */
#include "common.h"
#include "nl.h"

#include <errno.h>
#include <linux/sipsteer.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct end {
	struct sockaddr_storage addr;
	socklen_t len;
	int fd;		/* receiver, in the proxy's namespace */
};

static void parse_end(const char *arg, struct end *e)
{
	char netns[64];
	const char *comma = strchr(arg, ',');
	int one = 1, buf = 32 << 20;

	if (!comma) {
		if (addr_parse(arg, &e->addr, &e->len)) {
			errno = 0;
			die("bad target %s", arg);
		}
		return;
	}
	if ((size_t)(comma - arg) >= sizeof(netns) ||
	    addr_parse(comma + 1, &e->addr, &e->len)) {
		errno = 0;
		die("bad receiver %s (NETNS,ADDR:PORT)", arg);
	}
	memcpy(netns, arg, (size_t)(comma - arg));
	netns[comma - arg] = '\0';
	e->fd = open_in_netns(netns, e->addr.ss_family, SOCK_DGRAM);
	setsockopt(e->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	setsockopt(e->fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
	if (bind(e->fd, (struct sockaddr *)&e->addr, e->len))
		die("bind receiver %s", arg);
}

/* SERVICE_SET name -> target e; returns 0 or -errno. */
static int set_target(struct nl *nl, const char *name, const struct end *e)
{
	struct nlmsghdr *nlh = nl_request(nl, SIPSTEER_CMD_SERVICE_SET, 0);
	struct nlattr *list, *entry;
	char msg[256];
	int err;

	mnl_attr_put_strz(nlh, SIPSTEER_A_NAME, name);
	list = mnl_attr_nest_start(nlh, SIPSTEER_A_TARGETS);
	entry = mnl_attr_nest_start(nlh, SIPSTEER_LIST_A_ENTRY);
	if (e->addr.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)&e->addr;

		mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV6, 16, &s->sin6_addr);
		mnl_attr_put_u16(nlh, SIPSTEER_ADDR_A_PORT, ntohs(s->sin6_port));
	} else {
		const struct sockaddr_in *s = (const void *)&e->addr;

		mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV4, 4, &s->sin_addr);
		mnl_attr_put_u16(nlh, SIPSTEER_ADDR_A_PORT, ntohs(s->sin_port));
	}
	mnl_attr_nest_end(nlh, entry);
	mnl_attr_nest_end(nlh, list);
	err = nl_talk(nl, nlh, msg, sizeof(msg));
	if (err)
		fprintf(stderr, "switchlat: set: %s %s\n", strerror(-err), msg);
	return err;
}

/* Receive one datagram within timeout_ms; its kernel rx time, or 0. */
static uint64_t receive(int fd, int timeout_ms)
{
	char cbuf[CMSG_SPACE(sizeof(struct timespec))], buf[256];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct cmsghdr *c;

	if (timeout_ms >= 0 && poll(&pfd, 1, timeout_ms) != 1)
		return 0;
	if (recvmsg(fd, &msg, timeout_ms >= 0 ? 0 : MSG_DONTWAIT) < 0)
		return 0;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, uint64_t *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	printf("%s_us median=%.1f p90=%.1f min=%.1f max=%.1f n=%u\n", what,
	       v[n / 2] / 1e3, v[n * 9 / 10] / 1e3, v[0] / 1e3,
	       v[n - 1] / 1e3, n);
}

static int send_probe(int fd, const struct sockaddr_storage *dst,
		      socklen_t len)
{
	struct probe p = { .sent_ns = now_ns() };

	return sendto(fd, &p, sizeof(p), 0, (const struct sockaddr *)dst,
		      len) < 0 ? -1 : 0;
}

static int measure_switches(struct nl *nl, const char *name, struct end *e,
			    const struct sockaddr_storage *dst, socklen_t len,
			    unsigned int reps)
{
	uint64_t *rtt = calloc(reps, sizeof(*rtt));
	uint64_t *lat = calloc(reps, sizeof(*lat));
	int fd = socket(dst->ss_family, SOCK_DGRAM, 0);
	unsigned int i, n = 0, lost = 0;

	if (!rtt || !lat || fd < 0)
		die("setup");
	for (i = 0; i < reps; i++) {
		struct end *to = &e[(i + 1) % 2];
		uint64_t t0, t1, rx;

		t0 = now_ns();
		if (set_target(nl, name, to))
			return 1;
		t1 = now_ns();
		if (send_probe(fd, dst, len))
			die("send");
		rx = receive(to->fd, 1000);
		if (!rx) {
			lost++;
			continue;
		}
		rtt[n] = t1 - t0;
		lat[n++] = rx > t1 ? rx - t1 : 0;
		while (receive(e[0].fd, -1) || receive(e[1].fd, -1))
			;
	}
	if (!n)
		die("no datagram arrived");
	report("set_rtt", rtt, n);
	report("reply_to_first_packet", lat, n);
	printf("lost=%u (datagrams that did not reach the new target)\n",
	       lost);
	return lost ? 1 : 0;
}

static unsigned int drain(int fd, unsigned int want, int timeout_ms,
			  uint64_t *last)
{
	unsigned int got = 0;
	uint64_t rx;

	while (got < want && (rx = receive(fd, timeout_ms))) {
		*last = rx;
		got++;
	}
	return got;
}

static int move_flows(struct nl *nl, const char *name, struct end *e,
		      const struct sockaddr_storage *dst, socklen_t len,
		      unsigned int flows)
{
	int *fd = calloc(flows, sizeof(*fd));
	unsigned int i, got = 0;
	uint64_t t0, t1, last = 0;

	if (!fd)
		die("calloc");
	if (set_target(nl, name, &e[0]))
		return 1;
	for (i = 0; i < flows; i++) {
		fd[i] = socket(dst->ss_family, SOCK_DGRAM, 0);
		if (fd[i] < 0 || send_probe(fd[i], dst, len))
			die("flow %u", i);
		got += drain(e[0].fd, flows, -1, &last);
	}
	got += drain(e[0].fd, flows - got, 1000, &last);
	printf("flows=%u steered_to_a=%u\n", flows, got);

	t0 = now_ns();
	if (set_target(nl, name, &e[1]))
		return 1;
	t1 = now_ns();
	got = 0;
	for (i = 0; i < flows; i++) {
		if (send_probe(fd[i], dst, len))
			die("flow %u", i);
		got += drain(e[1].fd, flows, -1, &last);
	}
	got += drain(e[1].fd, flows - got, 1000, &last);
	printf("set_ms=%.2f all_moved_ms=%.2f moved=%u\n", (t1 - t0) / 1e6,
	       (last - t0) / 1e6, got);
	return got == flows ? 0 : 1;
}

static int flap(struct nl *nl, const char *name, const struct end *e,
		double seconds)
{
	uint64_t end = mono_ns() + (uint64_t)(seconds * 1e9);
	unsigned long n = 0, errors = 0;

	while (mono_ns() < end)
		if (set_target(nl, name, &e[n++ % 2]))
			errors++;
	printf("switches=%lu errors=%lu\n", n, errors);
	return errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct end e[2] = { { .fd = -1 }, { .fd = -1 } };
	struct sockaddr_storage dst;
	socklen_t len = 0;
	const char *name = NULL;
	unsigned int reps = 0, flows = 0;
	double seconds = 0;
	struct nl nl;
	int c, err;

	while ((c = getopt(argc, argv, "s:d:a:b:r:F:L:")) != -1) {
		switch (c) {
		case 's': name = optarg; break;
		case 'd':
			if (addr_parse(optarg, &dst, &len))
				die("bad address %s", optarg);
			break;
		case 'a': parse_end(optarg, &e[0]); break;
		case 'b': parse_end(optarg, &e[1]); break;
		case 'r': reps = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'F': flows = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'L': seconds = strtod(optarg, NULL); break;
		default:
			errno = 0;
			die("usage: switchlat -s NAME [-d VIP:PORT] -a [NETNS,]ADDR:PORT -b [NETNS,]ADDR:PORT (-r N | -F N | -L S)");
		}
	}
	if (!name || !e[0].len || !e[1].len || !(reps || flows || seconds) ||
	    (!seconds && (!len || e[0].fd < 0 || e[1].fd < 0))) {
		errno = 0;
		die("switchlat: -s, -a, -b and -r, -F or -L are required; -r and -F need -d and receivers");
	}
	err = nl_open(&nl);
	if (err) {
		errno = -err;
		die("sipsteer family");
	}
	if (seconds)
		return flap(&nl, name, e, seconds);
	if (reps)
		return measure_switches(&nl, name, e, &dst, len, reps);
	return move_flows(&nl, name, e, &dst, len, flows);
}
