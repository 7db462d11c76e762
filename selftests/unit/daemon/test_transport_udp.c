// SPDX-License-Identifier: GPL-2.0
/*
 * UDP transport on loopback: datagrams both ways, keep-alive CRLFs
 * dropped, and an ICMP port unreachable reported as TP_ERR_UNREACHABLE
 * (connected socket + IP_RECVERR), IPv4 and IPv6.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/log.h"
#include "core/loop.h"
#include "helpers/testloop.h"
#include "helpers/tprec.h"
#include "transport/conn.h"
#include "transport/transport.h"

#define REQ "OPTIONS sip:x SIP/2.0\r\nContent-Length: 0\r\n\r\n"
#define RESP "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"

static int setup(void **state)
{
	struct loop *loop;

	if (loop_new(&loop))
		return -1;
	*state = loop;
	return 0;
}

static int teardown(void **state)
{
	loop_free(*state);
	return 0;
}

static void unreachable(struct loop *loop, int family)
{
	struct tprec r = { 0 };
	struct tp_opts o;

	tprec_peer(&o, TP_UDP, family, tprec_closed_port(family, SOCK_DGRAM));
	assert_int_equal(tp_conn_open(loop, &o, &tprec_handlers, &r, &r.c), 0);
	assert_int_equal(tp_conn_send(r.c, REQ, strlen(REQ)), 0);
	assert_true(testloop_run_until(loop, &r.errored, 10000));
	assert_int_equal(r.err, TP_ERR_UNREACHABLE);
	assert_non_null(strstr(r.detail, "port unreachable from"));
	assert_non_null(strstr(r.detail, family == AF_INET6 ? "::1"
							    : "127.0.0.1"));
	/* Dead now: no more sends, and one report only. */
	assert_int_equal(tp_conn_send(r.c, REQ, strlen(REQ)), -ENOTCONN);
	testloop_run_for(loop, 50);
	assert_int_equal(r.n_errors, 1);
	assert_false(r.connected);
	tp_conn_close(r.c);
}

static void test_unreachable_v4(void **state)
{
	unreachable(*state, AF_INET);
}

static void test_unreachable_v6(void **state)
{
	uint16_t port;
	int fd = tprec_server(AF_INET6, SOCK_DGRAM, &port);

	if (fd < 0)
		skip();	/* no IPv6 loopback here */
	close(fd);
	unreachable(*state, AF_INET6);
}

static void test_exchange(void **state)
{
	struct loop *loop = *state;
	struct tprec r = { 0 };
	struct tp_opts o;
	struct sockaddr_storage from, local;
	socklen_t flen = sizeof(from), llen;
	char buf[256];
	uint16_t port;
	int srv = tprec_server(AF_INET, SOCK_DGRAM, &port);
	ssize_t n;

	assert_true(srv >= 0);
	tprec_peer(&o, TP_UDP, AF_INET, port);
	assert_int_equal(tp_conn_open(loop, &o, &tprec_handlers, &r, &r.c), 0);
	assert_int_equal(tp_conn_send(r.c, REQ, strlen(REQ)), 0);
	n = recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from,
		     &flen);
	assert_int_equal(n, strlen(REQ));
	assert_memory_equal(buf, REQ, strlen(REQ));
	/* The local address is the one the server saw. */
	assert_int_equal(tp_conn_local_addr(r.c, &local, &llen), 0);
	assert_int_equal(llen, flen);
	assert_memory_equal(&local, &from, flen);

	/* A CRLF keep-alive is not a message; the response is. */
	sendto(srv, "\r\n\r\n", 4, 0, (struct sockaddr *)&from, flen);
	sendto(srv, RESP, strlen(RESP), 0, (struct sockaddr *)&from, flen);
	assert_true(testloop_run_until(loop, &r.got_msg, 10000));
	testloop_run_for(loop, 20);
	assert_int_equal(r.n_msgs, 1);
	assert_string_equal(r.msgs[0], RESP);
	assert_false(r.errored);
	assert_int_equal(tp_conn_send(r.c, NULL, 70000), -EMSGSIZE);
	tp_conn_close(r.c);
	close(srv);
}

static void test_close_inside_error_handler(void **state)
{
	struct loop *loop = *state;
	struct tprec r = { .close_on_err = true };
	struct tp_opts o;

	tprec_peer(&o, TP_UDP, AF_INET,
		   tprec_closed_port(AF_INET, SOCK_DGRAM));
	assert_int_equal(tp_conn_open(loop, &o, &tprec_handlers, &r, &r.c), 0);
	assert_int_equal(tp_conn_send(r.c, REQ, strlen(REQ)), 0);
	assert_int_equal(tp_conn_send(r.c, REQ, strlen(REQ)), 0);
	assert_true(testloop_run_until(loop, &r.errored, 10000));
	testloop_run_for(loop, 50);
	assert_null(r.c);
	assert_int_equal(r.n_errors, 1);
}

static void test_mark(void **state)
{
	struct loop *loop = *state;
	struct tprec r = { 0 };
	struct tp_opts o;
	int err;

	tprec_peer(&o, TP_UDP, AF_INET, 5060);
	o.mark = 0x5e;
	err = tp_conn_open(loop, &o, &tprec_handlers, &r, &r.c);
	/* Without CAP_NET_ADMIN the mark is refused, and said so. */
	if (geteuid() != 0) {
		assert_int_equal(err, -EPERM);
		return;
	}
	assert_int_equal(err, 0);
	/* White box: the mark is on the socket. */
	int mark = 0;
	socklen_t l = sizeof(mark);

	assert_int_equal(getsockopt(r.c->fd, SOL_SOCKET, SO_MARK, &mark, &l),
			 0);
	assert_int_equal(mark, 0x5e);
	tp_conn_close(r.c);
	o.peer.ss_family = AF_UNIX;
	assert_int_equal(tp_conn_open(loop, &o, &tprec_handlers, &r, &r.c),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_unreachable_v4),
		T(test_unreachable_v6),
		T(test_exchange),
		T(test_close_inside_error_handler),
		T(test_mark),
#undef T
	};

	log_init("test", false, LOG_LVL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
