// SPDX-License-Identifier: GPL-2.0
/*
 * Non-INVITE client transactions on the event loop with short timers:
 * retransmission rhythm, Timer F, Proceeding, matching, absorption of
 * repeated responses, transport errors. The loop runs on its manual
 * clock, so every timer fires at its exact due time, however loaded the
 * machine is.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/loop.h"
#include "sip/msg.h"
#include "sip/tx.h"

#define REQ "REGISTER sip:example.org SIP/2.0\r\n" \
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKtx1;rport\r\n" \
	"From: <sip:1@example.org>;tag=f\r\nTo: <sip:1@example.org>\r\n" \
	"Call-ID: c\r\nCSeq: 5 REGISTER\r\nContent-Length: 0\r\n\r\n"

#define RSP(code, branch, method) "SIP/2.0 " code "\r\n" \
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=" branch "\r\n" \
	"From: <sip:1@example.org>;tag=f\r\nTo: <sip:1@example.org>;tag=t\r\n" \
	"Call-ID: c\r\nCSeq: 5 " method "\r\nContent-Length: 0\r\n\r\n"

struct fixture {
	struct loop *loop;
	struct tx_layer *txl;
	struct sip_tx *tx;
	uint64_t t0;
	uint64_t sends[64];
	unsigned int n_sends;
	int send_err;
	unsigned int n_done, n_prov;
	enum tx_result res;
	enum tp_error err;
	int status;
	uint64_t done_at;
	struct loop_timer inject;
	const char *inject_msg;
	unsigned int inject_times;
};

/* Not 0, so a timer taken as absolute rather than relative shows up. */
#define CLOCK_START_MS	100000

static int fake_send(void *arg, const char *buf, size_t len)
{
	struct fixture *f = arg;

	assert_int_equal(len, strlen(REQ));
	assert_memory_equal(buf, REQ, len);
	if (f->send_err)
		return f->send_err;
	if (f->n_sends < 64)
		f->sends[f->n_sends] = loop_now_ms(f->loop) - f->t0;
	f->n_sends++;
	return 0;
}

static void on_prov(void *arg, const struct sip_msg *rsp)
{
	struct fixture *f = arg;

	assert_true(rsp->status < 200);
	f->n_prov++;
}

static void on_done(void *arg, enum tx_result res, const struct sip_msg *rsp,
		    enum tp_error err)
{
	struct fixture *f = arg;

	f->n_done++;
	f->res = res;
	f->err = err;
	f->status = rsp ? rsp->status : 0;
	f->done_at = loop_now_ms(f->loop) - f->t0;
	f->tx = NULL;
}

static const struct tx_handlers handlers = {
	.on_provisional = on_prov,
	.on_done = on_done,
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	assert_int_equal(loop_new(&f.loop), 0);
	loop_use_manual_clock(f.loop, CLOCK_START_MS);
	assert_int_equal(tx_layer_new(f.loop, &f.txl), 0);
	f.t0 = loop_now_ms(f.loop);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tx_layer_free(f->txl);
	loop_free(f->loop);
	return 0;
}

static void run_for(struct fixture *f, uint64_t ms)
{
	assert_int_equal(loop_advance(f->loop, ms), 0);
}

static bool deliver(struct fixture *f, const char *text)
{
	struct sip_msg msg;

	assert_int_equal(sip_msg_parse(&msg, text, strlen(text)), 0);
	return tx_layer_input(f->txl, &msg);
}

static void inject_fn(void *arg)
{
	struct fixture *f = arg;

	deliver(f, f->inject_msg);
}

static void start(struct fixture *f, bool reliable)
{
	struct tx_opts o = {
		.reliable = reliable,
		.t1_ms = 20,
		.t2_ms = 80,
		.t4_ms = 100,
		.timeout_ms = 500,
	};

	f->t0 = loop_now_ms(f->loop);
	assert_int_equal(tx_start(f->txl, &o, REQ, strlen(REQ), fake_send, f,
				  &handlers, f, &f->tx), 0);
	assert_non_null(f->tx);
}

/* Timer E doubles from T1 to T2; Timer F ends it with TX_TIMEOUT. */
static void test_udp_retransmit_then_timeout(void **state)
{
	struct fixture *f = *state;
	/* Gaps 20, 40, then T2 = 80; the next one (540) is after Timer F. */
	static const uint64_t at[] = { 0, 20, 60, 140, 220, 300, 380, 460 };
	unsigned int i;

	start(f, false);
	run_for(f, 499);
	assert_int_equal(f->n_done, 0);
	run_for(f, 1);
	assert_int_equal(f->n_done, 1);
	assert_int_equal(f->res, TX_TIMEOUT);
	assert_int_equal(f->done_at, 500);
	assert_int_equal(f->n_sends, 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(f->sends[i], at[i]);
	assert_int_equal(tx_layer_count(f->txl), 0);
	/* Nothing left to fire. */
	run_for(f, 1000);
	assert_int_equal(f->n_sends, 8);
	assert_int_equal(f->n_done, 1);
}

static void test_tcp_no_retransmit(void **state)
{
	struct fixture *f = *state;

	start(f, true);
	run_for(f, 600);
	assert_int_equal(f->n_sends, 1);
	assert_int_equal(f->n_done, 1);
	assert_int_equal(f->res, TX_TIMEOUT);
	assert_int_equal(f->done_at, 500);
	assert_int_equal(tx_layer_count(f->txl), 0);
}

/* 1xx -> Proceeding: retransmit at T2; 200 ends it; repeats absorbed. */
static void test_proceeding_then_final(void **state)
{
	struct fixture *f = *state;
	unsigned int sends_at_final;

	start(f, false);
	f->inject_msg = RSP("100 Trying", "z9hG4bKtx1", "REGISTER");
	loop_timer_start(f->loop, &f->inject, 30, inject_fn, f);
	run_for(f, 250);
	assert_int_equal(f->n_prov, 1);
	assert_int_equal(f->n_done, 0);
	/* 0, 20, 60 (armed before the 1xx), then every T2 = 80 ms. */
	assert_int_equal(f->n_sends, 5);
	assert_int_equal(f->sends[2], 60);
	assert_int_equal(f->sends[3], 140);
	assert_int_equal(f->sends[4], 220);

	sends_at_final = f->n_sends;
	assert_true(deliver(f, RSP("200 OK", "z9hG4bKtx1", "REGISTER")));
	assert_int_equal(f->n_done, 1);
	assert_int_equal(f->res, TX_FINAL);
	assert_int_equal(f->status, 200);
	/* Completed: a retransmitted 200 is taken but not reported. */
	assert_true(deliver(f, RSP("200 OK", "z9hG4bKtx1", "REGISTER")));
	assert_int_equal(f->n_done, 1);
	assert_int_equal(tx_layer_count(f->txl), 1);
	/* Timer K = T4 = 100 ms from the final response. */
	run_for(f, 99);
	assert_int_equal(tx_layer_count(f->txl), 1);
	run_for(f, 1);
	assert_int_equal(tx_layer_count(f->txl), 0);
	assert_int_equal(f->n_sends, sends_at_final);
	assert_false(deliver(f, RSP("200 OK", "z9hG4bKtx1", "REGISTER")));
}

/* Matching needs the branch and the CSeq method (RFC 3261 17.1.3). */
static void test_matching(void **state)
{
	struct fixture *f = *state;

	start(f, true);
	assert_false(deliver(f, RSP("200 OK", "z9hG4bKother", "REGISTER")));
	assert_false(deliver(f, RSP("200 OK", "z9hG4bKtx1", "OPTIONS")));
	assert_false(deliver(f, RSP("200 OK", "z9hG4bKTX1", "REGISTER")));
	assert_int_equal(f->n_done, 0);
	assert_true(deliver(f, RSP("401 Unauthorized", "z9hG4bKtx1",
				   "REGISTER")));
	assert_int_equal(f->n_done, 1);
	assert_int_equal(f->status, 401);
	/* Reliable: gone at once, no Timer K. */
	assert_int_equal(tx_layer_count(f->txl), 0);
}

static void test_transport_error(void **state)
{
	struct fixture *f = *state;

	start(f, false);
	tx_transport_error(f->tx, TP_ERR_UNREACHABLE);
	assert_int_equal(f->n_done, 1);
	assert_int_equal(f->res, TX_TRANSPORT);
	assert_int_equal(f->err, TP_ERR_UNREACHABLE);
	assert_int_equal(tx_layer_count(f->txl), 0);
	run_for(f, 100);
	assert_int_equal(f->n_sends, 1);
}

static void test_abandon_and_send_failure(void **state)
{
	struct fixture *f = *state;
	struct tx_opts o = { .t1_ms = 20, .timeout_ms = 100 };
	struct sip_tx *tx = NULL;
	static const char junk[] = "not sip";

	start(f, false);
	tx_abandon(f->tx);
	assert_int_equal(tx_layer_count(f->txl), 0);
	run_for(f, 150);
	assert_int_equal(f->n_done, 0);
	assert_int_equal(f->n_sends, 1);

	f->send_err = -ECONNREFUSED;
	assert_int_equal(tx_start(f->txl, &o, REQ, strlen(REQ), fake_send, f,
				  &handlers, f, &tx), -ECONNREFUSED);
	assert_null(tx);
	assert_int_equal(tx_layer_count(f->txl), 0);
	assert_int_equal(tx_start(f->txl, &o, junk, strlen(junk), fake_send,
				  f, &handlers, f, &tx), -EBADMSG);
}

/* Freeing the layer with live transactions: no callback, no leak. */
static void test_free_with_live(void **state)
{
	struct fixture *f = *state;

	start(f, false);
	start(f, false);
	assert_int_equal(tx_layer_count(f->txl), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_udp_retransmit_then_timeout,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_no_retransmit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_proceeding_then_final,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_matching, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transport_error, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_abandon_and_send_failure,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_with_live, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
