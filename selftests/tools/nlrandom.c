// SPDX-License-Identifier: GPL-2.0
/*
 * nlrandom: random sipsteer requests for a bounded time. Each request is
 * put together from pieces that are each sometimes valid: a command (one
 * of the family's, or not), nlmsg flags, and up to 8 attributes of random
 * types and lengths, nested lists of random addresses among them; some
 * requests are cut short or carry trailing bytes. The kernel must answer
 * every request within 5 s, and afterwards a valid create, get and
 * delete must still work. Under the debug kernel, KASAN and lockdep
 * watch the parsing and the changes the valid ones make.
 *
 * usage: nlrandom [-t SECONDS] [-s SEED]
 * Prints the seed, a count per answer, and "PASS ..." or "FAIL ...";
 * exits 1 on failure.
 */
#include "nl.h"
#include "common.h"

#include <errno.h>
#include <linux/sipsteer.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

/* Services the valid requests may create: few, so the limit is not hit. */
#define NAMES		8
#define MAX_ERRNO	160

static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
	/* xorshift64*: reproducible from the printed seed. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 32) % n;
}

static void put_bytes(struct nlmsghdr *nlh, uint16_t type, size_t len)
{
	uint8_t data[40];
	size_t i;

	for (i = 0; i < len && i < sizeof(data); i++)
		data[i] = (uint8_t)rnd(256);
	mnl_attr_put(nlh, type, len < sizeof(data) ? len : sizeof(data),
		     data);
}

/* An integer of the right size most of the time, else a wrong one. */
static void put_int(struct nlmsghdr *nlh, uint16_t type, size_t size,
		    uint32_t value)
{
	if (rnd(8))
		mnl_attr_put(nlh, type, size, &value);
	else
		put_bytes(nlh, type, rnd(9));
}

static void put_addr_attr(struct nlmsghdr *nlh)
{
	uint16_t type = (uint16_t)rnd(SIPSTEER_ADDR_A_MAX + 3);
	uint8_t ip[16] = { 0xfd, 0, 0, 9 };
	uint32_t ip4 = htonl(0x0a090000 | rnd(0x10000));

	switch (type) {
	case SIPSTEER_ADDR_A_PROTO:
		put_int(nlh, type, 1, rnd(3) ? (rnd(2) ? 17 : 6) : rnd(256));
		break;
	case SIPSTEER_ADDR_A_IPV4:
		if (rnd(8))
			mnl_attr_put(nlh, type, sizeof(ip4), &ip4);
		else
			put_bytes(nlh, type, rnd(20));
		break;
	case SIPSTEER_ADDR_A_IPV6:
		ip[15] = (uint8_t)rnd(256);
		if (rnd(8))
			mnl_attr_put(nlh, type, sizeof(ip), ip);
		else
			put_bytes(nlh, type, rnd(20));
		break;
	case SIPSTEER_ADDR_A_PORT:
		put_int(nlh, type, 2, rnd(4) ? 5060 + rnd(4) : rnd(65536));
		break;
	default:
		put_bytes(nlh, type, rnd(12));
	}
}

/* A list of up to 18 entries of up to 5 address attributes each. */
static void put_list(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *list, *entry;
	uint32_t n = rnd(4) ? rnd(4) : rnd(19), i, j, k;

	list = mnl_attr_nest_start(nlh, type);
	for (i = 0; i < n; i++) {
		entry = mnl_attr_nest_start(nlh, rnd(6) ?
					    SIPSTEER_LIST_A_ENTRY : rnd(4));
		k = rnd(6);
		for (j = 0; j < k; j++)
			put_addr_attr(nlh);
		mnl_attr_nest_end(nlh, entry);
		if (!rnd(16))
			entry->nla_type &= ~NLA_F_NESTED;
	}
	mnl_attr_nest_end(nlh, list);
	if (!rnd(16))
		list->nla_type &= ~NLA_F_NESTED;
}

static void put_attr(struct nlmsghdr *nlh)
{
	uint16_t type = (uint16_t)rnd(SIPSTEER_A_MAX + 3);
	char name[48];

	switch (type) {
	case SIPSTEER_A_NAME:
		if (rnd(8)) {
			snprintf(name, sizeof(name), "fz%u", rnd(NAMES));
			mnl_attr_put_strz(nlh, type, name);
		} else {
			put_bytes(nlh, type, rnd(40));
		}
		break;
	case SIPSTEER_A_ENDPOINTS:
	case SIPSTEER_A_TARGETS:
		if (rnd(8))
			put_list(nlh, type);
		else
			put_bytes(nlh, type, rnd(12));
		break;
	case SIPSTEER_A_BYPASS_MARK:
	case SIPSTEER_A_BYPASS_MASK:
	case SIPSTEER_A_EXPECT_GENERATION:
	case SIPSTEER_A_GENERATION:
	case SIPSTEER_A_FLUSHED:
		put_int(nlh, type, 4, rnd(2) ? rnd(16) << rnd(29) : rnd(8));
		break;
	case SIPSTEER_A_FLUSH_ALL:
	case SIPSTEER_A_REPLACE:
		put_bytes(nlh, type, rnd(4) ? 0 : rnd(8));
		break;
	default:
		put_bytes(nlh, type, rnd(16));
	}
}

static uint16_t random_flags(void)
{
	static const uint16_t some[] = {
		0, 0, 0, 0, NLM_F_DUMP, NLM_F_ECHO, NLM_F_CREATE,
		NLM_F_EXCL, NLM_F_REPLACE, NLM_F_APPEND,
	};

	if (!rnd(16))
		return (uint16_t)rnd(0x10000);
	return some[rnd(sizeof(some) / sizeof(some[0]))];
}

/* One random request; returns the kernel's answer (0 or -errno). */
static int one_request(struct nl *nl)
{
	struct nlmsghdr *nlh;
	uint32_t n, i;
	uint8_t cmd;

	cmd = (uint8_t)(rnd(8) ? 1 + rnd(SIPSTEER_CMD_MAX) : rnd(256));
	nlh = nl_request(nl, cmd, random_flags());
	n = rnd(9);
	for (i = 0; i < n; i++)
		put_attr(nlh);
	switch (rnd(16)) {
	case 0:	/* cut short: at least the headers stay */
		if (nlh->nlmsg_len > NLMSG_HDRLEN + 8)
			nlh->nlmsg_len -= 1 + rnd(8);
		break;
	case 1:	/* trailing bytes that are not an attribute */
		put_bytes(nlh, 0, 0);
		nlh->nlmsg_len -= 4 - rnd(4);
		break;
	}
	return nl_talk(nl, nlh, NULL, 0);
}

/* After the noise, the family still does what it should. */
static int still_works(struct nl *nl)
{
	static const uint8_t cmds[] = {
		SIPSTEER_CMD_SERVICE_NEW, SIPSTEER_CMD_SERVICE_GET,
		SIPSTEER_CMD_SERVICE_DEL,
	};
	uint32_t ip = htonl(0x0a0900fe);
	struct nlattr *list, *entry;
	struct nlmsghdr *nlh;
	char msg[256];
	size_t i;
	int err;

	for (i = 0; i < sizeof(cmds); i++) {
		nlh = nl_request(nl, cmds[i], 0);
		mnl_attr_put_strz(nlh, SIPSTEER_A_NAME, "nlrandom");
		if (cmds[i] == SIPSTEER_CMD_SERVICE_NEW) {
			list = mnl_attr_nest_start(nlh, SIPSTEER_A_ENDPOINTS);
			entry = mnl_attr_nest_start(nlh,
						    SIPSTEER_LIST_A_ENTRY);
			mnl_attr_put_u8(nlh, SIPSTEER_ADDR_A_PROTO,
					IPPROTO_UDP);
			mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV4, 4, &ip);
			mnl_attr_put_u16(nlh, SIPSTEER_ADDR_A_PORT, 5999);
			mnl_attr_nest_end(nlh, entry);
			mnl_attr_nest_end(nlh, list);
		}
		err = nl_talk(nl, nlh, msg, sizeof(msg));
		if (err) {
			printf("FAIL valid request %zu afterwards: %s %s\n", i,
			       strerrorname_np(-err), msg);
			return -1;
		}
	}
	return 0;
}

static void cleanup(struct nl *nl)
{
	struct nlmsghdr *nlh;
	char name[16];
	int i;

	for (i = 0; i < NAMES; i++) {
		snprintf(name, sizeof(name), "fz%d", i);
		nlh = nl_request(nl, SIPSTEER_CMD_SERVICE_DEL, 0);
		mnl_attr_put_strz(nlh, SIPSTEER_A_NAME, name);
		nl_talk(nl, nlh, NULL, 0);
	}
}

int main(int argc, char **argv)
{
	static unsigned long answers[MAX_ERRNO + 1];
	struct timeval timeout = { .tv_sec = 5 };
	uint64_t seed = now_ns(), end, requests = 0;
	unsigned int seconds = 10;
	struct nl nl;
	int c, err, e, failed = 0;

	while ((c = getopt(argc, argv, "t:s:")) != -1) {
		switch (c) {
		case 't':
			seconds = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		default:
			errno = 0;
			die("usage: nlrandom [-t SECONDS] [-s SEED]");
		}
	}
	rng = seed | 1;
	err = nl_open(&nl);
	if (err) {
		errno = -err;
		die("nlrandom: sipsteer family");
	}
	/* A request the kernel never answers fails the run, not hangs it. */
	if (setsockopt(mnl_socket_get_fd(nl.sock), SOL_SOCKET, SO_RCVTIMEO,
		       &timeout, sizeof(timeout)))
		die("nlrandom: SO_RCVTIMEO");
	printf("seed %llu, %u s\n", (unsigned long long)seed, seconds);

	end = mono_ns() + (uint64_t)seconds * 1000000000ULL;
	while (mono_ns() < end) {
		err = one_request(&nl);
		requests++;
		if (err == -EAGAIN) {
			printf("FAIL request %llu: no answer within %ld s\n",
			       (unsigned long long)requests,
			       (long)timeout.tv_sec);
			failed = 1;
			break;
		}
		e = -err;
		answers[e >= 0 && e <= MAX_ERRNO ? e : MAX_ERRNO]++;
	}
	for (e = 0; e <= MAX_ERRNO; e++)
		if (answers[e])
			printf("  %-12s %lu\n",
			       e ? strerrorname_np(e) : "success", answers[e]);
	if (!failed && still_works(&nl))
		failed = 1;
	cleanup(&nl);
	nl_close(&nl);
	printf("%s random requests: %llu in %u s, seed %llu\n",
	       failed ? "FAIL" : "PASS", (unsigned long long)requests,
	       seconds, (unsigned long long)seed);
	return failed;
}
