// SPDX-License-Identifier: GPL-2.0
/*
 * The failback probe against an in-process registrar (helpers/
 * registrar.h) on loopback, with the loop's manual clock: any final
 * answer but 503 is alive, 503 is not, silence is Timer F, a closed port
 * is unreachable at once; over UDP and TCP; cancel means no callback.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/log.h"
#include "core/loop.h"
#include "helpers/registrar.h"
#include "helpers/testloop.h"
#include "probe/probe.h"

#define T0	5000

struct fixture {
	struct loop *loop;
	struct registrar udp, tcp;
	struct probe *p;
	unsigned int calls;
	enum sl_result res;
	int code;
	uint32_t retry_after_s;
	uint32_t rtt_ms;
	uint64_t at_ms;
};

static void on_probe(void *arg, enum sl_result res, int code,
		     uint32_t retry_after_s, uint32_t rtt_ms)
{
	struct fixture *f = arg;

	f->calls++;
	f->res = res;
	f->code = code;
	f->retry_after_s = retry_after_s;
	f->rtt_ms = rtt_ms;
	f->at_ms = loop_now_ms(f->loop);
	f->p = NULL;
}

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	log_init("test_probe", false, LOG_LVL_ERR);
	assert_int_equal(loop_new(&f.loop), 0);
	loop_use_manual_clock(f.loop, T0);
	assert_int_equal(registrar_open(&f.udp, f.loop, TP_UDP), 0);
	assert_int_equal(registrar_open(&f.tcp, f.loop, TP_TCP), 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	probe_cancel(f->p);
	registrar_close(&f->udp);
	registrar_close(&f->tcp);
	loop_free(f->loop);
	return 0;
}

static void advance(struct fixture *f, uint64_t ms)
{
	assert_int_equal(testloop_advance(f->loop, ms), 0);
}

static void start(struct fixture *f, const struct sip_server *srv)
{
	const struct probe_opts o = {
		.srv = srv,
		.domain = REGISTRAR_REALM,
		.mark = 0,
		.timeout_ms = 400,
		.t1_ms = 50,
		.t2_ms = 200,
	};

	assert_int_equal(probe_start(f->loop, &o, on_probe, f, &f->p), 0);
	assert_non_null(f->p);
	assert_int_equal(f->calls, 0);	/* never from inside */
}

static void test_udp_200(void **state)
{
	struct fixture *f = *state;
	struct sip_server srv;

	registrar_server(&f->udp, &srv);
	f->udp.options = REGISTRAR_OPT_200;
	start(f, &srv);
	advance(f, 20);
	assert_int_equal(f->calls, 1);
	assert_int_equal(f->res, SL_RES_OK);
	assert_int_equal(f->code, 200);
	assert_true(f->rtt_ms < 10);
	assert_int_equal(f->udp.n_options, 1);
	assert_string_equal(f->udp.last_ruri, "sip:" REGISTRAR_REALM);
	assert_int_equal(f->udp.n_register, 0);
	advance(f, 1000);
	assert_int_equal(f->calls, 1);
	assert_int_equal(f->udp.n_options, 1);
}

static void test_udp_503(void **state)
{
	struct fixture *f = *state;
	struct sip_server srv;

	registrar_server(&f->udp, &srv);
	f->udp.options = REGISTRAR_OPT_503;
	start(f, &srv);
	advance(f, 20);
	assert_int_equal(f->calls, 1);
	assert_int_equal(f->res, SL_RES_503);
	assert_int_equal(f->code, 503);
	/* The registrar's "Retry-After: 20" reaches the caller. */
	assert_int_equal(f->retry_after_s, 20);
}

/* Silence: Timer F, with UDP retransmissions on the way. */
static void test_udp_silent(void **state)
{
	struct fixture *f = *state;
	struct sip_server srv;

	registrar_server(&f->udp, &srv);
	f->udp.options = REGISTRAR_OPT_SILENT;
	start(f, &srv);
	advance(f, 399);
	assert_int_equal(f->calls, 0);
	advance(f, 1);
	assert_int_equal(f->calls, 1);
	assert_int_equal(f->res, SL_RES_TIMEOUT);
	assert_int_equal(f->code, 0);
	assert_int_equal(f->rtt_ms, 400);
	assert_int_equal(f->at_ms, T0 + 400);
	assert_int_equal(f->udp.n_options, 4);	/* 0, 50, 150, 350 */
}

/* Nobody on the port: ICMP port unreachable, long before Timer F. */
static void test_udp_refused(void **state)
{
	struct fixture *f = *state;
	struct sip_server srv;

	registrar_server(&f->udp, &srv);
	registrar_close(&f->udp);
	start(f, &srv);
	advance(f, 20);
	assert_int_equal(f->calls, 1);
	assert_int_equal(f->res, SL_RES_UNREACHABLE);
	assert_true(f->rtt_ms < 20);
}

static void test_tcp_200(void **state)
{
	struct fixture *f = *state;
	struct sip_server srv;

	registrar_server(&f->tcp, &srv);
	start(f, &srv);
	advance(f, 20);
	assert_int_equal(f->calls, 1);
	assert_int_equal(f->res, SL_RES_OK);
	assert_int_equal(f->code, 200);
	assert_int_equal(f->tcp.n_accepts, 1);
	assert_int_equal(f->tcp.n_options, 1);
}

/* TCP connection refused (RST): unreachable at once. */
static void test_tcp_refused(void **state)
{
	struct fixture *f = *state;
	struct sip_server srv;

	registrar_server(&f->tcp, &srv);
	registrar_close(&f->tcp);
	start(f, &srv);
	advance(f, 20);
	assert_int_equal(f->calls, 1);
	assert_int_equal(f->res, SL_RES_UNREACHABLE);
}

static void test_cancel(void **state)
{
	struct fixture *f = *state;
	struct sip_server srv;

	registrar_server(&f->udp, &srv);
	f->udp.options = REGISTRAR_OPT_SILENT;
	start(f, &srv);
	advance(f, 10);
	probe_cancel(f->p);
	f->p = NULL;
	advance(f, 1000);
	assert_int_equal(f->calls, 0);
	assert_int_equal(f->udp.n_options, 1);
}

static void test_bad_options(void **state)
{
	struct fixture *f = *state;
	struct probe_opts o = { .domain = REGISTRAR_REALM };
	struct probe *p = NULL;

	assert_int_equal(probe_start(f->loop, &o, on_probe, f, &p), -EINVAL);
	assert_null(p);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_udp_200),
		T(test_udp_503),
		T(test_udp_silent),
		T(test_udp_refused),
		T(test_tcp_200),
		T(test_tcp_refused),
		T(test_cancel),
		T(test_bad_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
