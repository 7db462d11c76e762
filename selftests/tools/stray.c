// SPDX-License-Identifier: GPL-2.0
/*
 * stray: no datagram from the old proxy can pin the phone's flow.
 *
 * Run in the phone's namespace. The phone's SIP flow is one UDP socket
 * bound to PHONE:5060 sending to P1:5060, the address it was given (SIP's
 * fixed 5060 <-> 5060 tuple). Sockets bound to P1:5060 in "proxy1" and
 * P2:5060 in "proxy2" receive it and send from there. Each cycle makes
 * two switches with SERVICE_NEW and REPLACE, as the controller does:
 *
 *   P1 dead:  endpoints P1:5060 (and VIP:5060 with -v), target P2:5060.
 *             Right after the reply P1 sends a datagram to the phone's
 *             5060 (a late answer, a retransmission), then a marker from
 *             another port that tells it has been through LOCAL_IN; then
 *             the phone sends K datagrams, which must all reach P2.
 *   P1 back:  endpoints none (or VIP:5060), target P1:5060. P2 sends a
 *             stray, or on every other cycle P1 sends a request first, so
 *             the flow's entry is an inbound one when P1 dies again; the
 *             phone's K datagrams must all reach P1.
 *
 * With -r a child process sends from P1:5060 to the phone's 5060 every
 * 200 us from start to end, racing every switch; a stray then reaching
 * the phone while P1 is dead is no error by itself, only where the
 * phone's datagrams land counts.
 *
 * usage: stray -s SERVICE -P PHONE -1 P1 -2 P2 [-v VIP] [-n CYCLES]
 *              [-k K] [-r]
 * Prints "switches=N strays=N strays_in=N sent=N at_target=N
 * misdelivered=N lost=N" and exits 1 unless every datagram reached its
 * target (and, without -r, no stray reached the phone while P1 was dead).
 */
#include "common.h"
#include "nl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sipsteer.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIP_PORT	5060
#define MARKER_PORT	5999
#define MAGIC		0x53545259	/* "STRY" */

enum kind { PHONE = 1, STRAY, MARKER, REQUEST };

struct msg {
	uint32_t magic;
	uint32_t kind;
	uint32_t step;
	uint32_t seq;
};

struct peer {
	struct sockaddr_storage addr;	/* ADDR:5060 */
	socklen_t len;
	int fd;				/* bound to ADDR:5060 */
	int marker_fd;			/* bound to ADDR:5999 */
};

static struct {
	unsigned long switches, strays, strays_in, sent, at_target;
	unsigned long misdelivered;
} count;

/* Which peer (0: P1, 1: P2) each step's datagrams must reach. */
static unsigned char *expect;
static uint32_t steps;

static void make_addr(const char *text, uint16_t port,
		      struct sockaddr_storage *ss, socklen_t *len)
{
	char buf[64];

	snprintf(buf, sizeof(buf), strchr(text, ':') ? "[%s]:%u" : "%s:%u",
		 text, port);
	if (addr_parse(buf, ss, len)) {
		errno = 0;
		die("stray: bad address %s", text);
	}
}

static int bound(const char *netns, const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	make_addr(addr, port, &ss, &len);
	fd = netns ? open_in_netns(netns, ss.ss_family, SOCK_DGRAM) :
		     socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len))
		die("stray: bind %s:%u", addr, port);
	return fd;
}

static void open_peer(struct peer *p, const char *netns, const char *addr)
{
	make_addr(addr, SIP_PORT, &p->addr, &p->len);
	p->fd = bound(netns, addr, SIP_PORT);
	p->marker_fd = bound(netns, addr, MARKER_PORT);
}

static void put_entry(struct nlmsghdr *nlh, const struct sockaddr_storage *a,
		      bool endpoint)
{
	struct nlattr *e = mnl_attr_nest_start(nlh, SIPSTEER_LIST_A_ENTRY);

	if (endpoint)
		mnl_attr_put_u8(nlh, SIPSTEER_ADDR_A_PROTO, IPPROTO_UDP);
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)a;

		mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV6, 16, &s->sin6_addr);
		mnl_attr_put_u16(nlh, SIPSTEER_ADDR_A_PORT,
				 ntohs(s->sin6_port));
	} else {
		const struct sockaddr_in *s = (const void *)a;

		mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV4, 4, &s->sin_addr);
		mnl_attr_put_u16(nlh, SIPSTEER_ADDR_A_PORT,
				 ntohs(s->sin_port));
	}
	mnl_attr_nest_end(nlh, e);
}

/* Replace the service: endpoints dead (may be NULL) and vip, target. */
static void replace(struct nl *nl, const char *name,
		    const struct sockaddr_storage *dead,
		    const struct sockaddr_storage *vip,
		    const struct sockaddr_storage *target)
{
	struct nlmsghdr *nlh = nl_request(nl, SIPSTEER_CMD_SERVICE_NEW, 0);
	struct nlattr *list;
	char msg[256];
	int err;

	mnl_attr_put_strz(nlh, SIPSTEER_A_NAME, name);
	list = mnl_attr_nest_start(nlh, SIPSTEER_A_ENDPOINTS);
	if (dead)
		put_entry(nlh, dead, true);
	if (vip)
		put_entry(nlh, vip, true);
	mnl_attr_nest_end(nlh, list);
	list = mnl_attr_nest_start(nlh, SIPSTEER_A_TARGETS);
	put_entry(nlh, target, false);
	mnl_attr_nest_end(nlh, list);
	mnl_attr_put(nlh, SIPSTEER_A_REPLACE, 0, NULL);
	err = nl_talk(nl, nlh, msg, sizeof(msg));
	if (err) {
		errno = -err;
		die("stray: switch: %s", msg);
	}
	count.switches++;
}

static void send_msg(int fd, const struct sockaddr_storage *to,
		     socklen_t len, enum kind kind, uint32_t step,
		     uint32_t seq)
{
	struct msg m = { MAGIC, kind, step, seq };

	if (sendto(fd, &m, sizeof(m), 0, (const struct sockaddr *)to,
		   len) != sizeof(m))
		die("stray: send");
}

/*
 * Read what arrived at the proxies within timeout_ms, until the phone's
 * datagrams of @step reached their target @want times (0: just drain).
 */
static void judge(struct peer *peers, uint32_t step, unsigned long want,
		  int timeout_ms)
{
	uint64_t end = mono_ns() + (uint64_t)timeout_ms * 1000000;
	unsigned long got = 0;

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = peers[0].fd, .events = POLLIN },
			{ .fd = peers[1].fd, .events = POLLIN },
		};
		int64_t left = (int64_t)(end - mono_ns()) / 1000000;
		struct msg m;
		int i;

		if (want && got >= want)
			return;
		if (left < 0 || poll(pfd, 2, (int)left) <= 0)
			return;
		for (i = 0; i < 2; i++) {
			if (!(pfd[i].revents & POLLIN) ||
			    recv(peers[i].fd, &m, sizeof(m), 0) != sizeof(m) ||
			    m.magic != MAGIC || m.kind != PHONE ||
			    !m.step || m.step > steps)
				continue;
			if (expect[m.step] == i) {
				count.at_target++;
				got += m.step == step;
			} else {
				count.misdelivered++;
				printf("step %u datagram %u reached P%d\n",
				       m.step, m.seq, i + 1);
			}
		}
	}
}

/*
 * Wait (up to 500 ms) for the marker of @step at the phone, counting the
 * strays that got there on the way. With @marker false, just drain.
 */
static void phone_drain(int fd, uint32_t step, bool dead, bool marker)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct msg m;

	while (poll(&pfd, 1, marker ? 500 : 0) == 1) {
		if (recv(fd, &m, sizeof(m), 0) != sizeof(m) ||
		    m.magic != MAGIC)
			continue;
		if (m.kind == STRAY && dead && m.step == step)
			count.strays_in++;
		if (m.kind == MARKER && m.step == step)
			return;
	}
}

static pid_t start_racer(struct peer *p1, const struct sockaddr_storage *phone,
			 socklen_t len)
{
	pid_t pid = fork();
	uint32_t seq = 0;

	if (pid < 0)
		die("stray: fork");
	if (pid)
		return pid;
	for (;;) {
		/* Step UINT32_MAX: never counted as a stray of a step. */
		send_msg(p1->fd, phone, len, STRAY, UINT32_MAX, seq++);
		usleep(200);
	}
}

int main(int argc, char **argv)
{
	const char *name = NULL, *phone_ip = NULL, *p1_ip = NULL;
	const char *p2_ip = NULL, *vip_ip = NULL;
	struct sockaddr_storage phone, vip;
	socklen_t vip_len;
	unsigned int cycles = 150, k = 3, c, j;
	struct peer peers[2];
	bool race = false;
	uint32_t step = 0;
	socklen_t len;
	struct nl nl;
	pid_t racer = 0;
	int opt, phone_fd, err;

	while ((opt = getopt(argc, argv, "s:P:1:2:v:n:k:r")) != -1) {
		switch (opt) {
		case 's': name = optarg; break;
		case 'P': phone_ip = optarg; break;
		case '1': p1_ip = optarg; break;
		case '2': p2_ip = optarg; break;
		case 'v': vip_ip = optarg; break;
		case 'n': cycles = (unsigned int)atoi(optarg); break;
		case 'k': k = (unsigned int)atoi(optarg); break;
		case 'r': race = true; break;
		default: name = NULL; break;
		}
	}
	if (!name || !phone_ip || !p1_ip || !p2_ip || !cycles || !k) {
		errno = 0;
		die("usage: stray -s SERVICE -P PHONE -1 P1 -2 P2 [-v VIP] "
		    "[-n CYCLES] [-k K] [-r]");
	}
	steps = 2 * cycles;
	expect = calloc(steps + 1, 1);
	if (!expect)
		die("stray: memory");
	make_addr(phone_ip, SIP_PORT, &phone, &len);
	if (vip_ip)
		make_addr(vip_ip, SIP_PORT, &vip, &vip_len);
	phone_fd = bound(NULL, phone_ip, SIP_PORT);
	open_peer(&peers[0], "proxy1", p1_ip);
	open_peer(&peers[1], "proxy2", p2_ip);
	err = nl_open(&nl);
	if (err) {
		errno = -err;
		die("stray: sipsteer family");
	}
	/* P1 alive and active: the phone talks to it directly. */
	replace(&nl, name, NULL, vip_ip ? &vip : NULL, &peers[0].addr);
	if (race)
		racer = start_racer(&peers[0], &phone, len);

	for (c = 0; c < cycles; c++) {
		/* P1 found dead: P2 takes over. */
		step++;
		expect[step] = 1;
		replace(&nl, name, &peers[0].addr, vip_ip ? &vip : NULL,
			&peers[1].addr);
		if (!race) {
			send_msg(peers[0].fd, &phone, len, STRAY, step, 0);
			send_msg(peers[0].marker_fd, &phone, len, MARKER, step,
				 0);
			count.strays++;
		}
		phone_drain(phone_fd, step, true, !race);
		for (j = 0; j < k; j++, count.sent++)
			send_msg(phone_fd, &peers[0].addr, peers[0].len, PHONE,
				 step, j);
		judge(peers, step, k, 1000);

		/* P1 back: the phone talks to it again. */
		step++;
		expect[step] = 0;
		replace(&nl, name, NULL, vip_ip ? &vip : NULL, &peers[0].addr);
		if (!race) {
			/* Odd cycles: P1's request makes the entry inbound. */
			struct peer *from = &peers[c & 1 ? 0 : 1];

			send_msg(from->fd, &phone, len, c & 1 ? REQUEST : STRAY,
				 step, 0);
			send_msg(from->marker_fd, &phone, len, MARKER, step, 0);
			count.strays += !(c & 1);
		}
		phone_drain(phone_fd, step, false, !race);
		for (j = 0; j < k; j++, count.sent++)
			send_msg(phone_fd, &peers[0].addr, peers[0].len, PHONE,
				 step, j);
		judge(peers, step, k, 1000);
	}
	if (racer) {
		kill(racer, SIGKILL);
		waitpid(racer, NULL, 0);
	}
	judge(peers, 0, 0, 200);
	nl_close(&nl);

	printf("switches=%lu strays=%lu strays_in=%lu sent=%lu at_target=%lu "
	       "misdelivered=%lu lost=%lu\n", count.switches, count.strays,
	       count.strays_in, count.sent, count.at_target,
	       count.misdelivered,
	       count.sent - count.at_target - count.misdelivered);
	return count.at_target == count.sent && !count.misdelivered &&
	       (race || !count.strays_in) ? 0 : 1;
}
