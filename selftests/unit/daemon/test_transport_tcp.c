// SPDX-License-Identifier: GPL-2.0
/*
 * TCP transport on loopback against a plain socket the test drives by
 * hand: refused, reset, peer close, connect timeout, Content-Length
 * framing of split and coalesced messages, keep-alive CRLFs and pongs
 * (on_pong), the write queue under back-pressure, and closing from inside
 * a handler.
 */
#include <errno.h>
#include <poll.h>
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
#include "transport/transport.h"

#define M1 "SIP/2.0 200 OK\r\nCSeq: 1 REGISTER\r\nContent-Length: 5\r\n\r\nhello"
#define M2 "SIP/2.0 401 Unauthorized\r\nl: 0\r\n\r\n"

struct fx {
	struct loop *loop;
	int lfd;
	uint16_t port;
	int sfd;		/* accepted server side */
	struct tprec r;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || loop_new(&f->loop))
		return -1;
	f->lfd = tprec_server(AF_INET, SOCK_STREAM, &f->port);
	f->sfd = -1;
	*state = f;
	return f->lfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->r.c)
		tp_conn_close(f->r.c);
	if (f->sfd >= 0)
		close(f->sfd);
	close(f->lfd);
	loop_free(f->loop);
	free(f);
	return 0;
}

static void connect_and_accept(struct fx *f)
{
	struct tp_opts o;

	tprec_peer(&o, TP_TCP, AF_INET, f->port);
	assert_int_equal(tp_conn_open(f->loop, &o, &tprec_handlers, &f->r,
				      &f->r.c), 0);
	assert_true(testloop_run_until(f->loop, &f->r.connected, 10000));
	f->sfd = accept(f->lfd, NULL, NULL);
	assert_true(f->sfd >= 0);
}

static void server_write(struct fx *f, const char *s)
{
	assert_int_equal(write(f->sfd, s, strlen(s)), strlen(s));
}

static void test_refused(void **state)
{
	struct fx *f = *state;
	struct tp_opts o;

	tprec_peer(&o, TP_TCP, AF_INET,
		   tprec_closed_port(AF_INET, SOCK_STREAM));
	assert_int_equal(tp_conn_open(f->loop, &o, &tprec_handlers, &f->r,
				      &f->r.c), 0);
	assert_true(testloop_run_until(f->loop, &f->r.errored, 10000));
	assert_int_equal(f->r.err, TP_ERR_UNREACHABLE);
	assert_non_null(strstr(f->r.detail, "refused"));
	assert_false(f->r.connected);
}

static void test_reset(void **state)
{
	struct fx *f = *state;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	connect_and_accept(f);
	assert_int_equal(f->r.n_connected, 1);
	setsockopt(f->sfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(f->sfd);
	f->sfd = -1;
	assert_true(testloop_run_until(f->loop, &f->r.errored, 10000));
	assert_int_equal(f->r.err, TP_ERR_RESET);
	assert_non_null(strstr(f->r.detail, "reset"));
	assert_int_equal(tp_conn_send(f->r.c, M2, strlen(M2)), -ENOTCONN);
}

static void test_peer_close(void **state)
{
	struct fx *f = *state;

	connect_and_accept(f);
	server_write(f, M1);
	close(f->sfd);
	f->sfd = -1;
	assert_true(testloop_run_until(f->loop, &f->r.errored, 10000));
	/* The message before the FIN still arrives, first. */
	assert_int_equal(f->r.n_msgs, 1);
	assert_int_equal(f->r.err, TP_ERR_RESET);
	assert_non_null(strstr(f->r.detail, "closed"));
}

static void test_connect_timeout(void **state)
{
	struct fx *f = *state;
	struct tp_opts o;
	uint16_t port;
	int lfd = tprec_server(AF_INET, SOCK_STREAM, &port), fill[4];

	/* A full accept queue drops further SYNs: connect hangs. */
	assert_true(lfd >= 0);
	assert_int_equal(listen(lfd, 0), 0);
	for (int i = 0; i < 4; i++) {
		struct sockaddr_in sin = { .sin_family = AF_INET,
					   .sin_port = htons(port) };

		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fill[i], (struct sockaddr *)&sin, sizeof(sin));
	}
	testloop_run_for(f->loop, 50);
	tprec_peer(&o, TP_TCP, AF_INET, port);
	o.connect_timeout_ms = 300;
	assert_int_equal(tp_conn_open(f->loop, &o, &tprec_handlers, &f->r,
				      &f->r.c), 0);
	assert_true(testloop_run_until(f->loop, &f->r.errored, 10000));
	assert_int_equal(f->r.err, TP_ERR_TIMEOUT);
	assert_non_null(strstr(f->r.detail, "300 ms"));
	for (int i = 0; i < 4; i++)
		close(fill[i]);
	close(lfd);
}

static void test_split_and_coalesced(void **state)
{
	struct fx *f = *state;
	const char *m1 = M1;
	size_t cut[] = { 3, 30, strlen(M1) - 2 };
	size_t at = 0;

	connect_and_accept(f);
	/* One message in pieces: mid start line, mid headers, mid body. */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(write(f->sfd, m1 + at, cut[i] - at),
				 cut[i] - at);
		at = cut[i];
		testloop_run_for(f->loop, 20);
		assert_int_equal(f->r.n_msgs, 0);
	}
	server_write(f, m1 + at);
	assert_true(testloop_run_until(f->loop, &f->r.got_msg, 10000));
	assert_int_equal(f->r.n_msgs, 1);
	assert_string_equal(f->r.msgs[0], M1);

	/* Two at once, with a keep-alive pong and ping around them. */
	server_write(f, "\r\n" M2 "\r\n\r\n" M1 M2);
	testloop_run_for(f->loop, 50);
	assert_int_equal(f->r.n_msgs, 4);
	assert_string_equal(f->r.msgs[1], M2);
	assert_string_equal(f->r.msgs[2], M1);
	assert_string_equal(f->r.msgs[3], M2);
	assert_int_equal(f->r.n_pongs, 2);
	assert_false(f->r.errored);
}

static void test_framing_errors(void **state)
{
	struct fx *f = *state;

	connect_and_accept(f);
	server_write(f, "SIP/2.0 200 OK\r\nVia: x\r\n\r\n");
	assert_true(testloop_run_until(f->loop, &f->r.errored, 10000));
	assert_int_equal(f->r.err, TP_ERR_OTHER);
	assert_non_null(strstr(f->r.detail, "Content-Length"));
	assert_int_equal(f->r.n_msgs, 0);
}

static void test_too_large(void **state)
{
	struct fx *f = *state;

	connect_and_accept(f);
	server_write(f, "SIP/2.0 200 OK\r\nContent-Length: 65536\r\n\r\n");
	assert_true(testloop_run_until(f->loop, &f->r.errored, 10000));
	assert_int_equal(f->r.err, TP_ERR_OTHER);
	assert_non_null(strstr(f->r.detail, "too large"));
}

static void test_send_queue_and_backpressure(void **state)
{
	struct fx *f = *state;
	struct tp_opts o;
	static char msg[60000];
	size_t total = 0, want;
	char buf[8192];
	int small = 4096;

	/* Queued before the connection is up. */
	setsockopt(f->lfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	tprec_peer(&o, TP_TCP, AF_INET, f->port);
	assert_int_equal(tp_conn_open(f->loop, &o, &tprec_handlers, &f->r,
				      &f->r.c), 0);
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (char)('a' + i % 26);
	for (int i = 0; i < 8; i++) {
		msg[0] = (char)('0' + i);
		assert_int_equal(tp_conn_send(f->r.c, msg, sizeof(msg)), 0);
	}
	want = 8 * sizeof(msg);
	assert_true(testloop_run_until(f->loop, &f->r.connected, 10000));
	f->sfd = accept(f->lfd, NULL, NULL);
	assert_true(f->sfd >= 0);
	/* Read slowly; the loop flushes as room appears. */
	while (total < want) {
		struct pollfd p = { .fd = f->sfd, .events = POLLIN };
		ssize_t n;

		testloop_run_for(f->loop, 1);
		if (poll(&p, 1, 0) != 1)
			continue;
		n = read(f->sfd, buf, sizeof(buf));
		assert_true(n > 0);
		for (ssize_t i = 0; i < n; i++) {
			size_t pos = (total + (size_t)i) % sizeof(msg);
			char exp = pos ? (char)('a' + pos % 26)
				       : (char)('0' + (total + (size_t)i) /
						  sizeof(msg));

			assert_int_equal(buf[i], exp);
		}
		total += (size_t)n;
	}
	assert_int_equal(total, want);
	assert_false(f->r.errored);
	assert_int_equal(tp_conn_send(f->r.c, msg, 70000), -EMSGSIZE);
}

static void test_crlf_ping(void **state)
{
	struct fx *f = *state;
	char buf[8];

	connect_and_accept(f);
	assert_int_equal(tp_conn_send(f->r.c, TP_CRLF_PING,
				      strlen(TP_CRLF_PING)), 0);
	testloop_run_for(f->loop, 20);
	assert_int_equal(read(f->sfd, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "\r\n\r\n", 4);
	/* The pong is no message; on_pong hears it. */
	server_write(f, "\r\n");
	testloop_run_for(f->loop, 20);
	assert_int_equal(f->r.n_msgs, 0);
	assert_int_equal(f->r.n_pongs, 1);
	/* Split over two reads: still one pong, when the LF comes. */
	server_write(f, "\r");
	testloop_run_for(f->loop, 20);
	assert_int_equal(f->r.n_pongs, 1);
	server_write(f, "\n");
	testloop_run_for(f->loop, 20);
	assert_int_equal(f->r.n_pongs, 2);
	/* Between two messages: both framed whole, one pong. */
	server_write(f, M1 "\r\n" M2);
	testloop_run_for(f->loop, 20);
	assert_int_equal(f->r.n_pongs, 3);
	assert_int_equal(f->r.n_msgs, 2);
	assert_string_equal(f->r.msgs[0], M1);
	assert_string_equal(f->r.msgs[1], M2);
	assert_false(f->r.errored);
}

/* on_pong is optional: without it a CRLF is just skipped. */
static void test_pong_without_handler(void **state)
{
	struct fx *f = *state;
	struct tp_handlers h = tprec_handlers;
	struct tp_opts o;

	h.on_pong = NULL;
	tprec_peer(&o, TP_TCP, AF_INET, f->port);
	assert_int_equal(tp_conn_open(f->loop, &o, &h, &f->r, &f->r.c), 0);
	assert_true(testloop_run_until(f->loop, &f->r.connected, 10000));
	f->sfd = accept(f->lfd, NULL, NULL);
	assert_true(f->sfd >= 0);
	server_write(f, "\r\n" M1 "\r\n");
	assert_true(testloop_run_until(f->loop, &f->r.got_msg, 10000));
	testloop_run_for(f->loop, 20);
	assert_int_equal(f->r.n_msgs, 1);
	assert_string_equal(f->r.msgs[0], M1);
	assert_int_equal(f->r.n_pongs, 0);
	assert_false(f->r.errored);
}

static void test_close_inside_pong_handler(void **state)
{
	struct fx *f = *state;

	connect_and_accept(f);
	f->r.close_on_pong = true;
	server_write(f, "\r\n" M1);
	testloop_run_for(f->loop, 30);
	assert_int_equal(f->r.n_pongs, 1);
	assert_int_equal(f->r.n_msgs, 0);
	assert_false(f->r.errored);
	assert_null(f->r.c);
}

static void test_close_inside_message_handler(void **state)
{
	struct fx *f = *state;

	connect_and_accept(f);
	f->r.close_on_msg = true;
	server_write(f, M1 M2 M1);
	assert_true(testloop_run_until(f->loop, &f->r.got_msg, 10000));
	testloop_run_for(f->loop, 30);
	/* Closed on the first: nothing after it, no error either. */
	assert_int_equal(f->r.n_msgs, 1);
	assert_false(f->r.errored);
	assert_null(f->r.c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_refused),
		T(test_reset),
		T(test_peer_close),
		T(test_connect_timeout),
		T(test_split_and_coalesced),
		T(test_framing_errors),
		T(test_too_large),
		T(test_send_queue_and_backpressure),
		T(test_crlf_ping),
		T(test_pong_without_handler),
		T(test_close_inside_pong_handler),
		T(test_close_inside_message_handler),
#undef T
	};

	log_init("test", false, LOG_LVL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
