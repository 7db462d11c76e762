// SPDX-License-Identifier: GPL-2.0
/* Server list: order, next-server decisions, Retry-After, results kept
 * across a DNS refresh. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "reg/serverlist.h"

static struct sip_server srv(const char *ip, uint16_t port)
{
	struct sip_server s;
	struct sockaddr_in *in = (struct sockaddr_in *)&s.addr;

	memset(&s, 0, sizeof(s));
	snprintf(s.target, sizeof(s.target), "sip-%u.example.org", port);
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	inet_pton(AF_INET, ip, &in->sin_addr);
	s.addr_len = sizeof(*in);
	s.proto = TP_UDP;
	return s;
}

static void test_sequential_failover(void **state)
{
	struct sip_server s[3] = {
		srv("192.0.2.1", 5060), srv("192.0.2.2", 5060),
		srv("192.0.2.3", 5060),
	};
	struct serverlist sl;

	(void)state;
	sl_init(&sl);
	assert_int_equal(sl_first(&sl, 0), -1);	/* empty */
	sl_set(&sl, s, 3);
	assert_int_equal(sl.n, 3);
	assert_int_equal(sl_first(&sl, 1000), 0);
	sl_report(&sl, 0, SL_RES_TIMEOUT, 0, 0, 1000);
	assert_int_equal(sl_next(&sl, 1000), 1);
	sl_report(&sl, 1, SL_RES_UNREACHABLE, 0, 0, 1100);
	assert_int_equal(sl_next(&sl, 1100), 2);
	sl_report(&sl, 2, SL_RES_OK, 200, 0, 1200);
	assert_int_equal(sl.cur, 2);
	assert_int_equal(sl_get(&sl, 0)->last, SL_RES_TIMEOUT);
	assert_int_equal(sl_get(&sl, 1)->last, SL_RES_UNREACHABLE);
	assert_int_equal(sl_get(&sl, 2)->last, SL_RES_OK);
	assert_int_equal(sl_get(&sl, 2)->last_code, 200);
	assert_int_equal(sl_get(&sl, 2)->last_ms, 1200);
	assert_int_equal(sl_next(&sl, 1300), -1);	/* round over */
	assert_int_equal(sl.cur, -1);
	assert_int_equal(sl_next(&sl, 1300), -1);
	assert_null(sl_get(&sl, 3));
	assert_null(sl_get(&sl, -1));
}

/* A 503 with Retry-After keeps the server out until the time passes. */
static void test_retry_after(void **state)
{
	struct sip_server s[2] = {
		srv("192.0.2.1", 5060), srv("192.0.2.2", 5060),
	};
	struct serverlist sl;

	(void)state;
	sl_init(&sl);
	sl_set(&sl, s, 2);
	assert_int_equal(sl_first(&sl, 0), 0);
	sl_report(&sl, 0, SL_RES_503, 503, 30, 0);
	assert_int_equal(sl_next(&sl, 0), 1);
	sl_report(&sl, 1, SL_RES_503, 503, 0, 0);
	assert_int_equal(sl_first(&sl, 29999), 1);	/* 0 held back */
	assert_int_equal(sl_first(&sl, 30000), 0);
	sl_report(&sl, 1, SL_RES_503, 503, 60, 0);
	sl_report(&sl, 0, SL_RES_503, 503, 60, 0);
	assert_int_equal(sl_first(&sl, 1000), -1);	/* all held back */
}

static void test_refresh_keeps_results(void **state)
{
	struct sip_server a[2] = {
		srv("192.0.2.1", 5060), srv("192.0.2.2", 5060),
	};
	struct sip_server b[2] = {
		srv("192.0.2.2", 5060), srv("192.0.2.9", 5060),
	};
	struct sip_server many[SL_MAX_SERVERS + 3];
	struct serverlist sl;
	unsigned int i;

	(void)state;
	sl_init(&sl);
	sl_set(&sl, a, 2);
	sl_report(&sl, 1, SL_RES_TLS, 0, 0, 500);
	sl_set(&sl, b, 2);
	assert_int_equal(sl.cur, -1);
	assert_int_equal(sl_get(&sl, 0)->last, SL_RES_TLS);
	assert_int_equal(sl_get(&sl, 0)->last_ms, 500);
	assert_int_equal(sl_get(&sl, 1)->last, SL_RES_NONE);

	for (i = 0; i < SL_MAX_SERVERS + 3; i++)
		many[i] = srv("192.0.2.1", (uint16_t)(5060 + i));
	sl_set(&sl, many, SL_MAX_SERVERS + 3);
	assert_int_equal(sl.n, SL_MAX_SERVERS);
	sl_report(&sl, SL_MAX_SERVERS, SL_RES_OK, 200, 0, 1);	/* ignored */
}

/* A new DNS answer keeps the server in use, wherever it now stands. */
static void test_keep_server_in_use(void **state)
{
	struct sip_server a[] = { srv("192.0.2.1", 5060), srv("192.0.2.2", 5060) };
	struct sip_server b[] = { srv("192.0.2.3", 5060), srv("192.0.2.2", 5060) };
	struct sip_server c[] = { srv("192.0.2.3", 5060) };
	struct serverlist sl;

	(void)state;
	sl_init(&sl);
	sl_set(&sl, a, 2);
	assert_int_equal(sl_first(&sl, 0), 0);
	assert_int_equal(sl_next(&sl, 0), 1);
	sl_set(&sl, b, 2);
	assert_int_equal(sl_keep(&sl, &a[1]), 1);
	assert_int_equal(sl.cur, 1);
	/* Only what comes after it is left in this round. */
	assert_int_equal(sl_next(&sl, 0), -1);
	sl_set(&sl, c, 1);
	assert_int_equal(sl_keep(&sl, &a[1]), -1);
}

/* A round that starts at a server found in use goes on from the top. */
static void test_start_at(void **state)
{
	struct sip_server s[3] = {
		srv("192.0.2.1", 5060), srv("192.0.2.2", 5060),
		srv("192.0.2.3", 5060),
	};
	struct serverlist sl;

	(void)state;
	sl_init(&sl);
	sl_set(&sl, s, 3);
	assert_int_equal(sl_start_at(&sl, 3), -1);
	assert_int_equal(sl_start_at(&sl, 1), 1);
	assert_int_equal(sl.cur, 1);
	assert_int_equal(sl_next(&sl, 0), 0);	/* the top, not 2 */
	assert_int_equal(sl_next(&sl, 0), 2);	/* 1 is not tried twice */
	assert_int_equal(sl_next(&sl, 0), -1);
	assert_int_equal(sl_find(&sl, &s[2]), 2);
	s[2].proto = TP_TCP;
	assert_int_equal(sl_find(&sl, &s[2]), -1);	/* other transport */
}

/* Failback hysteresis: answers in a row, reset by any failure. */
static void test_probe_count_and_hold_down(void **state)
{
	struct sip_server s[2] = {
		srv("192.0.2.1", 5060), srv("192.0.2.2", 5060),
	};
	struct serverlist sl;

	(void)state;
	sl_init(&sl);
	sl_set(&sl, s, 2);
	assert_false(sl_held_down(&sl, 0, 30000, 0));	/* never failed */
	assert_int_equal(sl_probe_report(&sl, 0, true), 1);
	assert_int_equal(sl_probe_report(&sl, 0, true), 2);
	assert_int_equal(sl_probe_report(&sl, 0, false), 0);
	assert_int_equal(sl_probe_report(&sl, 0, true), 1);
	assert_int_equal(sl_probe_report(&sl, 5, true), 0);	/* ignored */

	/* A failure that moves on starts the hold-down, clears the count. */
	sl_report(&sl, 0, SL_RES_TIMEOUT, 0, 0, 10000);
	assert_int_equal(sl_get(&sl, 0)->probe_ok, 0);
	assert_true(sl_held_down(&sl, 0, 30000, 10000));
	assert_true(sl_held_down(&sl, 0, 30000, 39999));
	assert_false(sl_held_down(&sl, 0, 30000, 40000));
	/* Credentials refused: not a server failure. */
	sl_report(&sl, 1, SL_RES_AUTH, 401, 0, 10000);
	assert_false(sl_held_down(&sl, 1, 30000, 10000));
	/* Kept across a new DNS answer. */
	assert_int_equal(sl_probe_report(&sl, 0, true), 1);
	sl_set(&sl, s, 2);
	assert_int_equal(sl_get(&sl, 0)->probe_ok, 1);
	assert_true(sl_held_down(&sl, 0, 30000, 20000));
	assert_false(sl_held_down(&sl, 7, 30000, 20000));
}

/* Same server = same transport, address and port, nothing else. */
static void test_same_server(void **state)
{
	struct sip_server a = srv("192.0.2.1", 5060), b = a;
	struct sockaddr_in6 *x = (struct sockaddr_in6 *)&a.addr;
	struct sockaddr_in6 *y = (struct sockaddr_in6 *)&b.addr;

	(void)state;
	memset(((struct sockaddr_in *)&b.addr)->sin_zero, 0xa5,
	       sizeof(((struct sockaddr_in *)&b.addr)->sin_zero));
	b.addr_len = sizeof(b.addr);
	snprintf(b.target, sizeof(b.target), "%s", "other.example.org");
	assert_true(sl_same_server(&a, &b));
	b.proto = TP_TCP;
	assert_false(sl_same_server(&a, &b));
	b = srv("192.0.2.1", 5061);
	assert_false(sl_same_server(&a, &b));
	b = srv("192.0.2.2", 5060);
	assert_false(sl_same_server(&a, &b));

	memset(&a.addr, 0, sizeof(a.addr));
	x->sin6_family = AF_INET6;
	x->sin6_port = htons(5060);
	inet_pton(AF_INET6, "fe80::1", &x->sin6_addr);
	x->sin6_scope_id = 2;
	b.addr = a.addr;
	y->sin6_flowinfo = htonl(7);
	assert_true(sl_same_server(&a, &b));
	y->sin6_scope_id = 3;
	assert_false(sl_same_server(&a, &b));
}

static void test_result_names(void **state)
{
	(void)state;
	assert_string_equal(sl_result_name(SL_RES_TIMEOUT), "timeout");
	assert_string_equal(sl_result_name(SL_RES_503), "503");
	assert_string_equal(sl_result_name((enum sl_result)99), "?");
	assert_true(sl_result_fails_over(SL_RES_TIMEOUT));
	assert_true(sl_result_fails_over(SL_RES_RESET));
	assert_true(sl_result_fails_over(SL_RES_TLS));
	assert_true(sl_result_fails_over(SL_RES_503));
	assert_false(sl_result_fails_over(SL_RES_AUTH));
	assert_false(sl_result_fails_over(SL_RES_REJECTED));
	assert_false(sl_result_fails_over(SL_RES_OK));
}

/*
 * "Dead" (what steering moves away from) is silence only: a server that
 * answers, even 503 or 403, is alive. Any answer ends it, a probe's
 * included; a DNS refresh keeps it.
 */
static void test_dead(void **state)
{
	struct sip_server s[2] = { srv("192.0.2.1", 5060),
				   srv("192.0.2.2", 5060) };
	static const enum sl_result silent[] = {
		SL_RES_TIMEOUT, SL_RES_UNREACHABLE, SL_RES_RESET, SL_RES_TLS,
		SL_RES_TRANSPORT,
	};
	static const enum sl_result answers[] = {
		SL_RES_OK, SL_RES_503, SL_RES_AUTH, SL_RES_REJECTED,
	};
	struct serverlist sl;
	size_t i;

	(void)state;
	sl_init(&sl);
	sl_set(&sl, s, 2);
	assert_false(sl_get(&sl, 0)->dead);
	for (i = 0; i < sizeof(silent) / sizeof(silent[0]); i++) {
		assert_true(sl_result_silent(silent[i]));
		sl_report(&sl, 0, silent[i], 0, 0, 1000);
		assert_true(sl_get(&sl, 0)->dead);
		sl_report(&sl, 0, SL_RES_OK, 200, 0, 1000);
		assert_false(sl_get(&sl, 0)->dead);
	}
	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		assert_false(sl_result_silent(answers[i]));
		sl_report(&sl, 0, SL_RES_TIMEOUT, 0, 0, 1000);
		sl_report(&sl, 0, answers[i], 500, 0, 1000);
		assert_false(sl_get(&sl, 0)->dead);
	}
	sl_report(&sl, 1, SL_RES_TIMEOUT, 0, 0, 2000);
	sl_report(&sl, 1, SL_RES_NONE, 0, 0, 2000);	/* says nothing */
	assert_true(sl_get(&sl, 1)->dead);
	sl_set(&sl, s, 2);
	assert_true(sl_get(&sl, 1)->dead);
	assert_int_equal(sl_probe_report(&sl, 1, false), 0);
	assert_true(sl_get(&sl, 1)->dead);
	assert_int_equal(sl_probe_report(&sl, 1, true), 1);
	assert_false(sl_get(&sl, 1)->dead);
	/* Adopted from the module: dead and just failed (hold-down). */
	sl_mark_dead(&sl, 0, 5000);
	assert_true(sl_get(&sl, 0)->dead);
	assert_true(sl_held_down(&sl, 0, 1000, 5500));
	sl_mark_dead(&sl, 7, 5000);		/* out of range: ignored */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequential_failover),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_refresh_keeps_results),
		cmocka_unit_test(test_keep_server_in_use),
		cmocka_unit_test(test_start_at),
		cmocka_unit_test(test_probe_count_and_hold_down),
		cmocka_unit_test(test_same_server),
		cmocka_unit_test(test_result_names),
		cmocka_unit_test(test_dead),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
