// SPDX-License-Identifier: GPL-2.0
/*
 * Requests a server sends on the daemon's flow, on loopback with real
 * sockets: a "server" socket the flow is connected to, and a "call
 * application" socket at the port the Contact names. OPTIONS answered
 * here; INVITE relayed with our Via and back without it, Max-Forwards
 * one less, the Request-URI that named our flow turned into the
 * Contact; retransmissions and CANCEL on the same branch; 480 at once
 * when the application is not there, 408 when it says nothing, 483 for
 * Max-Forwards 0; a response whose flow is gone dropped; a flow of no
 * line answering 480 (and nothing to ACK).
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/loop.h"
#include "helpers/testloop.h"
#include "helpers/tprec.h"
#include "inbound/inbound.h"
#include "sip/msg.h"
#include "transport/transport.h"

#define T1	50

struct fixture {
	struct loop *loop;
	struct inbound *in;
	int server;		/* the SIP server's socket */
	uint16_t server_port;
	int app;		/* the call application's socket */
	uint16_t app_port;
	struct inbound_flow flow;
	char contact[128];
	struct sockaddr_storage flow_addr;	/* where the server sends */
	struct sockaddr_storage relay_addr;	/* the last Via of ours */
};

static void flow_message(void *arg, const char *buf, size_t len)
{
	struct fixture *f = arg;
	struct sip_msg *msg = malloc(sizeof(*msg));

	assert_non_null(msg);
	assert_int_equal(sip_msg_parse(msg, buf, len), 0);
	assert_true(msg->is_request);
	inbound_request(&f->flow, msg, buf, len);
	free(msg);
}

static void flow_error(void *arg, enum tp_error err, const char *detail)
{
	(void)arg;
	fail_msg("flow error %d %s", err, detail);
}

static int setup(void **state)
{
	static const struct tp_handlers h = {
		.on_message = flow_message,
		.on_error = flow_error,
	};
	struct fixture *f = calloc(1, sizeof(*f));
	struct tp_opts o;
	socklen_t l = sizeof(f->flow_addr);

	if (!f || loop_new(&f->loop))
		return -1;
	loop_use_manual_clock(f->loop, 1000);
	f->server = tprec_server(AF_INET, SOCK_DGRAM, &f->server_port);
	f->app = tprec_server(AF_INET, SOCK_DGRAM, &f->app_port);
	if (f->server < 0 || f->app < 0)
		return -1;
	if (inbound_new(f->loop, &(const struct inbound_opts) {
				.app_port = f->app_port,
				.t1_ms = T1,
				.user_agent = "test-ua",
			}, &f->in))
		return -1;
	tprec_peer(&o, TP_UDP, AF_INET, f->server_port);
	if (tp_conn_open(f->loop, &o, &h, f, &f->flow.conn) ||
	    tp_conn_local_addr(f->flow.conn, &f->flow_addr, &l))
		return -1;
	snprintf(f->contact, sizeof(f->contact), "sip:alice@127.0.0.1:%u",
		 f->app_port);
	f->flow.contact_uri = f->contact;
	snprintf(f->flow.local_host, sizeof(f->flow.local_host), "127.0.0.1");
	f->flow.local_port = tp_addr_port(&f->flow_addr);
	inbound_flow_open(f->in, &f->flow);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	inbound_flow_close(&f->flow);
	tp_conn_close(f->flow.conn);
	inbound_free(f->in);
	if (f->app >= 0)
		close(f->app);
	close(f->server);
	loop_free(f->loop);
	free(f);
	return 0;
}

/* Lets the loop handle what arrived, @ms of manual time on. */
static void pump(struct fixture *f, unsigned int ms)
{
	unsigned int i;

	for (i = 0; i < 5; i++) {
		poll(NULL, 0, 2);
		loop_advance(f->loop, i ? 0 : ms);
	}
}

static void server_send(struct fixture *f, const char *msg)
{
	assert_int_equal(sendto(f->server, msg, strlen(msg), 0,
				(struct sockaddr *)&f->flow_addr,
				sizeof(struct sockaddr_in)),
			 (ssize_t)strlen(msg));
}

/* One datagram on @fd within a second, or "" (NUL-terminated). */
static size_t recv_one(int fd, char *buf, size_t size,
		       struct sockaddr_storage *from)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	socklen_t l = sizeof(*from);
	ssize_t n;

	buf[0] = '\0';
	if (poll(&p, 1, 1000) != 1)
		return 0;
	n = recvfrom(fd, buf, size - 1, 0, (struct sockaddr *)from, &l);
	assert_true(n > 0);
	buf[n] = '\0';
	return (size_t)n;
}

/* Nothing arrives on @fd within 100 ms. */
static void quiet(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	assert_int_equal(poll(&p, 1, 100), 0);
}

static const char *req(char *buf, size_t size, const char *method,
		       const char *ruri, const char *branch, int maxfwd)
{
	snprintf(buf, size,
		 "%s %s SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=%s\r\n"
		 "Max-Forwards: %d\r\n"
		 "From: <sip:bob@example.test>;tag=b1\r\n"
		 "To: <sip:alice@example.test>\r\n"
		 "Call-ID: call-1@example.test\r\n"
		 "CSeq: 7 %s\r\n"
		 "Content-Type: application/sdp\r\n"
		 "Content-Length: 4\r\n\r\nv=0\n", method, ruri, branch,
		 maxfwd, method);
	return buf;
}

static void parse(struct sip_msg *m, const char *buf)
{
	assert_int_equal(sip_msg_parse(m, buf, strlen(buf)), 0);
}

/* A response from the application to the Via of @relayed. */
static void app_answer(struct fixture *f, const char *relayed, int code,
		       const char *reason)
{
	struct sip_msg m;
	char out[2048], vias[1024] = "";
	const char *p = relayed;

	parse(&m, relayed);
	/* Every Via line of the request, in order, as RFC 3261 8.2.6. */
	while ((p = strstr(p, "\r\nVia: "))) {
		const char *e = strstr(p + 2, "\r\n");

		strncat(vias, p + 2, (size_t)(e - p));
		p = e;
	}
	snprintf(out, sizeof(out),
		 "SIP/2.0 %d %s\r\n%s"
		 "From: <sip:bob@example.test>;tag=b1\r\n"
		 "To: <sip:alice@example.test>;tag=a1\r\n"
		 "Call-ID: call-1@example.test\r\n"
		 "CSeq: 7 %.*s\r\n"
		 "Content-Length: 0\r\n\r\n", code, reason, vias,
		 (int)m.method.len, m.method.s);
	assert_int_equal(sendto(f->app, out, strlen(out), 0,
				(struct sockaddr *)&f->relay_addr,
				sizeof(struct sockaddr_in)),
			 (ssize_t)strlen(out));
}

static void test_options_answered(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_storage from;
	struct inbound_stats st;
	char buf[2048], got[2048];
	struct sip_msg m;

	server_send(f, req(buf, sizeof(buf), "OPTIONS", f->contact,
			   "z9hG4bKopt1", 70));
	pump(f, 1);
	assert_true(recv_one(f->server, got, sizeof(got), &from) > 0);
	parse(&m, got);
	assert_false(m.is_request);
	assert_int_equal(m.status, 200);
	assert_true(sip_str_eq(m.via.branch, "z9hG4bKopt1"));
	assert_true(m.to_tag.len > 0);
	assert_true(sip_str_eq(m.call_id, "call-1@example.test"));
	assert_int_equal(m.cseq, 7);
	assert_non_null(strstr(got, "Server: test-ua\r\n"));
	quiet(f->app);		/* not the application's business */
	inbound_stats(f->in, &st);
	assert_int_equal(st.options, 1);
	assert_int_equal(st.relayed, 0);
}

static void test_invite_relayed_both_ways(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_storage from;
	char buf[2048], got[2048], flowuri[128], first_branch[96];
	struct inbound_stats st;
	struct sip_msg m;

	/* Sent to our flow's address, as a server that uses the source
	 * of our REGISTER would: the application gets its Contact. */
	snprintf(flowuri, sizeof(flowuri), "sip:alice@127.0.0.1:%u;ob",
		 f->flow.local_port);
	server_send(f, req(buf, sizeof(buf), "INVITE", flowuri,
			   "z9hG4bKinv1", 70));
	pump(f, 1);
	assert_true(recv_one(f->app, got, sizeof(got), &f->relay_addr) > 0);
	parse(&m, got);
	assert_true(m.is_request);
	assert_true(sip_str_eq(m.method, "INVITE"));
	assert_true(sip_str_eq(m.ruri, f->contact));
	assert_int_equal(m.n_via, 2);
	assert_true(strncmp(m.via.branch.s, "z9hG4bK-sst", 11) == 0);
	assert_int_equal(m.via.port, tp_addr_port(&f->relay_addr));
	assert_non_null(strstr(got, "\r\nVia: SIP/2.0/UDP "
			       "10.0.0.1:5060;branch=z9hG4bKinv1\r\n"));
	assert_non_null(strstr(got, "Max-Forwards: 69\r\n"));
	assert_null(strstr(got, "Max-Forwards: 70"));
	assert_true(sip_str_eq(m.body, "v=0\n"));
	sip_str_copy(first_branch, sizeof(first_branch), m.via.branch);

	/* A retransmission and the CANCEL carry the same branch. */
	server_send(f, buf);
	pump(f, 1);
	assert_true(recv_one(f->app, got, sizeof(got), &from) > 0);
	parse(&m, got);
	assert_true(sip_str_eq(m.via.branch, first_branch));
	server_send(f, req(buf, sizeof(buf), "CANCEL", flowuri,
			   "z9hG4bKinv1", 70));
	pump(f, 1);
	assert_true(recv_one(f->app, got, sizeof(got), &from) > 0);
	parse(&m, got);
	assert_true(sip_str_eq(m.method, "CANCEL"));
	assert_true(sip_str_eq(m.via.branch, first_branch));
	app_answer(f, got, 200, "OK");
	pump(f, 1);
	assert_true(recv_one(f->server, buf, sizeof(buf), &from) > 0);
	parse(&m, buf);
	assert_int_equal(m.status, 200);
	assert_true(sip_str_eq(m.cseq_method, "CANCEL"));

	/* 180 and 200 from the application reach the server without our
	 * Via; 64*T1 later nothing more is said for it. */
	server_send(f, req(buf, sizeof(buf), "INVITE", flowuri,
			   "z9hG4bKinv1", 70));
	pump(f, 1);
	assert_true(recv_one(f->app, got, sizeof(got), &from) > 0);
	app_answer(f, got, 180, "Ringing");
	pump(f, 1);
	assert_true(recv_one(f->server, buf, sizeof(buf), &from) > 0);
	parse(&m, buf);
	assert_int_equal(m.status, 180);
	assert_int_equal(m.n_via, 1);
	assert_true(sip_str_eq(m.via.branch, "z9hG4bKinv1"));
	app_answer(f, got, 200, "OK");
	pump(f, 1);
	assert_true(recv_one(f->server, buf, sizeof(buf), &from) > 0);
	parse(&m, buf);
	assert_int_equal(m.status, 200);
	assert_int_equal(m.n_via, 1);
	pump(f, 64 * T1 + 10);
	quiet(f->server);
	inbound_stats(f->in, &st);
	assert_int_equal(st.relayed, 4);
	assert_int_equal(st.responses, 3);
	assert_int_equal(st.refused, 0);
}

/* An ACK is relayed too and never answered. */
static void test_ack_relayed_unanswered(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_storage from;
	char buf[2048], got[2048];

	server_send(f, req(buf, sizeof(buf), "ACK", f->contact,
			   "z9hG4bKack1", 70));
	pump(f, 1);
	assert_true(recv_one(f->app, got, sizeof(got), &from) > 0);
	assert_true(strncmp(got, "ACK ", 4) == 0);
	pump(f, 64 * T1 + 10);
	quiet(f->server);
}

static void test_application_not_there(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_storage from;
	char buf[2048], got[2048];
	struct sip_msg m;

	close(f->app);
	f->app = -1;
	server_send(f, req(buf, sizeof(buf), "INVITE", f->contact,
			   "z9hG4bKgone", 70));
	pump(f, 1);
	pump(f, 1);
	assert_true(recv_one(f->server, got, sizeof(got), &from) > 0);
	parse(&m, got);
	assert_int_equal(m.status, 480);
	assert_true(sip_str_eq(m.via.branch, "z9hG4bKgone"));
}

static void test_application_silent(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_storage from;
	char buf[2048], got[2048];
	struct sip_msg m;

	server_send(f, req(buf, sizeof(buf), "MESSAGE", f->contact,
			   "z9hG4bKmsg", 70));
	pump(f, 1);
	assert_true(recv_one(f->app, got, sizeof(got), &from) > 0);
	pump(f, 64 * T1 - 10);
	quiet(f->server);
	pump(f, 20);
	assert_true(recv_one(f->server, got, sizeof(got), &from) > 0);
	parse(&m, got);
	assert_int_equal(m.status, 408);
	assert_int_equal(m.cseq, 7);
}

static void test_max_forwards_zero(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_storage from;
	char buf[2048], got[2048];
	struct sip_msg m;

	server_send(f, req(buf, sizeof(buf), "INVITE", f->contact,
			   "z9hG4bKloop", 0));
	pump(f, 1);
	assert_true(recv_one(f->server, got, sizeof(got), &from) > 0);
	parse(&m, got);
	assert_int_equal(m.status, 483);
	quiet(f->app);
}

/* The flow closed meanwhile: its response has nowhere to go. */
static void test_flow_gone(void **state)
{
	struct fixture *f = *state;
	char buf[2048], got[2048];

	server_send(f, req(buf, sizeof(buf), "BYE", f->contact,
			   "z9hG4bKbye", 70));
	pump(f, 1);
	assert_true(recv_one(f->app, got, sizeof(got), &f->relay_addr) > 0);
	inbound_flow_close(&f->flow);
	app_answer(f, got, 200, "OK");
	pump(f, 1);
	quiet(f->server);
}

static void test_flow_of_no_line(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_storage from;
	char buf[2048], got[2048];
	struct sip_msg m;

	inbound_flow_close(&f->flow);
	f->flow.contact_uri = NULL;
	inbound_flow_open(NULL, &f->flow);
	server_send(f, req(buf, sizeof(buf), "NOTIFY", f->contact,
			   "z9hG4bKnot", 70));
	pump(f, 1);
	assert_true(recv_one(f->server, got, sizeof(got), &from) > 0);
	parse(&m, got);
	assert_int_equal(m.status, 480);
	server_send(f, req(buf, sizeof(buf), "ACK", f->contact,
			   "z9hG4bKack2", 70));
	pump(f, 1);
	quiet(f->server);
	server_send(f, req(buf, sizeof(buf), "OPTIONS", f->contact,
			   "z9hG4bKopt2", 70));
	pump(f, 1);
	assert_true(recv_one(f->server, got, sizeof(got), &from) > 0);
	parse(&m, got);
	assert_int_equal(m.status, 200);
	quiet(f->app);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_options_answered),
		T(test_invite_relayed_both_ways),
		T(test_ack_relayed_unanswered),
		T(test_application_not_there),
		T(test_application_silent),
		T(test_max_forwards_zero),
		T(test_flow_gone),
		T(test_flow_of_no_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
