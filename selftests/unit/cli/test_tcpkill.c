// SPDX-License-Identifier: GPL-2.0
/*
 * The stale TCP socket killer against the running kernel, in a private
 * network namespace on loopback (no sipsteer module needed): sock_diag
 * dump and SOCK_DESTROY, and a ctnetlink lookup that finds no entry
 * because nothing registers conntrack there. Plans no test when no
 * namespace can be made (not root).
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "internal.h"

static int lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		err = -errno;
		goto out;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		err = -errno;
out:
	close(fd);
	return err;
}

struct conn {
	int listener, client, server;
	struct sockaddr_in addr;
};

static void conn_open(struct conn *c)
{
	socklen_t len = sizeof(c->addr);

	c->addr = (struct sockaddr_in){ .sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	c->listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(c->listener >= 0);
	assert_int_equal(bind(c->listener, (struct sockaddr *)&c->addr,
			      sizeof(c->addr)), 0);
	assert_int_equal(listen(c->listener, 4), 0);
	assert_int_equal(getsockname(c->listener, (struct sockaddr *)&c->addr,
				     &len), 0);
	c->client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(c->client >= 0);
	assert_int_equal(connect(c->client, (struct sockaddr *)&c->addr,
				 sizeof(c->addr)), 0);
	c->server = accept(c->listener, NULL, NULL);
	assert_true(c->server >= 0);
}

static void conn_close(struct conn *c)
{
	close(c->server);
	close(c->client);
	close(c->listener);
}

static struct sipsteer_service service_for(const struct conn *c,
					   uint8_t proto)
{
	struct sipsteer_service svc = { .name = "t", .n_endpoints = 1 };

	svc.endpoints[0].family = AF_INET;
	svc.endpoints[0].proto = proto;
	svc.endpoints[0].ip.v4 = c->addr.sin_addr;
	svc.endpoints[0].port = ntohs(c->addr.sin_port);
	return svc;
}



static void test_kill_inactive(void **state)
{
	struct sipsteer h = { 0 };
	struct sipsteer_service svc;
	struct conn c, other;
	char byte;
	int ret;

	(void)state;
	nl_ext_clear(&h.ext);
	conn_open(&c);
	conn_open(&other);
	svc = service_for(&c, IPPROTO_TCP);

	/* No conntrack entry: the client is failed, nothing else. */
	ret = sipsteer_tcp_kill_stale(&h, &svc);
	if (ret < 0)
		print_error("kill: %s: %s\n", strerror(-ret), h.ext.msg);
	assert_int_equal(ret, 1);
	assert_int_equal(recv(c.client, &byte, 1, MSG_DONTWAIT), -1);
	assert_int_equal(errno, ECONNABORTED);
	assert_int_equal(send(other.client, "x", 1, 0), 1);
	assert_int_equal(recv(other.server, &byte, 1, 0), 1);
	/* Nothing left to kill. */
	assert_int_equal(sipsteer_tcp_kill_stale(&h, &svc), 0);

	/* A UDP-only service never touches TCP sockets. */
	svc = service_for(&other, IPPROTO_UDP);
	assert_int_equal(sipsteer_tcp_kill_stale(&h, &svc), 0);
	assert_int_equal(send(other.client, "y", 1, 0), 1);
	conn_close(&other);
	conn_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_inactive),
	};
	size_t n = sizeof(tests) / sizeof(tests[0]);

	/*
	 * Never touch the host's own sockets: without a private namespace
	 * (not root), plan no tests rather than report skips as failures.
	 */
	if (unshare(CLONE_NEWNET) < 0 || lo_up() < 0) {
		printf("# no private network namespace: %s\n", strerror(errno));
		n = 0;
	}
	return _cmocka_run_group_tests("tcpkill", tests, n, NULL, NULL);
}
