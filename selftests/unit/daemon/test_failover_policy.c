// SPDX-License-Identifier: GPL-2.0
/*
 * The proxy set's timing policy: RFC 5626 backoff growth, cap and jitter
 * bounds, keep-alive and start-up jitter, over many random draws; which
 * results make the set fail over.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/rand.h"
#include "failover/policy.h"

#define DRAWS	100000

/* The extremes of the random source give the extremes of the range. */
static void test_pick_bounds(void **state)
{
	(void)state;
	assert_int_equal(policy_pick(100, 200, 0), 100);
	assert_int_equal(policy_pick(100, 200, UINT32_MAX), 200);
	assert_in_range(policy_pick(100, 200, UINT32_MAX / 2), 149, 150);
	assert_int_equal(policy_pick(7, 7, 12345), 7);
	assert_int_equal(policy_pick(9, 3, 12345), 9);	/* empty range */
	/* A span far beyond 32 bits does not overflow. */
	assert_int_equal(policy_pick(0, UINT64_MAX / 2, UINT32_MAX),
			 UINT64_MAX / 2);
}

/* min(max, base * 2^k), k failed rounds; [50 %, 100 %] of that. */
static void test_backoff_growth_and_cap(void **state)
{
	static const struct {
		uint32_t failures;
		uint64_t upper_ms;
	} want[] = {
		{ 1, 120000 }, { 2, 240000 }, { 3, 480000 }, { 4, 960000 },
		{ 5, 1800000 }, { 6, 1800000 }, { 40, 1800000 },
		{ UINT32_MAX, 1800000 },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		uint64_t lo = policy_backoff_ms(60, 1800, want[i].failures, 0);
		uint64_t hi = policy_backoff_ms(60, 1800, want[i].failures,
						UINT32_MAX);

		assert_int_equal(hi, want[i].upper_ms);
		assert_int_equal(lo, want[i].upper_ms / 2);
	}
	/* Zero failures: the base itself is the upper bound. */
	assert_int_equal(policy_backoff_ms(10, 100, 0, UINT32_MAX), 10000);
	/* A cap below the base: the base wins, never a shorter wait. */
	assert_int_equal(policy_backoff_ms(30, 5, 3, UINT32_MAX), 30000);
}

/* Random draws all fall in [upper/2, upper] and spread over it. */
static void test_backoff_jitter_bounds(void **state)
{
	uint64_t min = UINT64_MAX, max = 0;
	unsigned int i, low_half = 0;

	(void)state;
	srandom(1);
	for (i = 0; i < DRAWS; i++) {
		uint32_t rnd = rand_u32();
		uint64_t w = policy_backoff_ms(10, 1800, 2, rnd);

		assert_true(w >= 20000 && w <= 40000);
		if (w < min)
			min = w;
		if (w > max)
			max = w;
		low_half += w < 30000;
	}
	/* Uniform: both ends reached closely, about half below the middle. */
	assert_true(min < 20100);
	assert_true(max > 39900);
	assert_true(low_half > DRAWS * 45 / 100 && low_half < DRAWS * 55 / 100);
}

/* Never 0 and never a tight loop, whatever the configuration. */
static void test_backoff_never_tight(void **state)
{
	uint32_t f;

	(void)state;
	for (f = 0; f < 70; f++) {
		assert_true(policy_backoff_ms(0, 0, f, 0) >=
			    POLICY_MIN_WAIT_MS);
		assert_true(policy_backoff_ms(1, 1, f, 0) >=
			    POLICY_MIN_WAIT_MS);
	}
}

static void test_keepalive_jitter(void **state)
{
	unsigned int i;

	(void)state;
	assert_int_equal(policy_keepalive_ms(60, 0), 48000);
	assert_int_equal(policy_keepalive_ms(60, UINT32_MAX), 60000);
	for (i = 0; i < DRAWS; i++) {
		uint64_t w = policy_keepalive_ms(5, rand_u32());

		assert_true(w >= 4000 && w <= 5000);
	}
	assert_int_equal(policy_keepalive_ms(0, 0), POLICY_MIN_WAIT_MS);
}

static void test_startup_delay(void **state)
{
	unsigned int i;

	(void)state;
	assert_int_equal(policy_startup_ms(0, UINT32_MAX), 0);
	assert_int_equal(policy_startup_ms(2000, 0), 0);
	assert_int_equal(policy_startup_ms(2000, UINT32_MAX), 2000);
	for (i = 0; i < DRAWS; i++)
		assert_true(policy_startup_ms(2000, rand_u32()) <= 2000);
}

/* A broken server is left; refused credentials are the line's own. */
static void test_fails_over(void **state)
{
	(void)state;
	assert_true(policy_fails_over(SL_RES_TIMEOUT, 0));
	assert_true(policy_fails_over(SL_RES_503, 503));
	assert_true(policy_fails_over(SL_RES_REJECTED, 500));
	assert_true(policy_fails_over(SL_RES_REJECTED, 504));
	assert_true(policy_fails_over(SL_RES_REJECTED, 600));
	assert_true(policy_fails_over(SL_RES_REJECTED, 408));
	assert_true(policy_fails_over(SL_RES_REJECTED, 480));
	assert_false(policy_fails_over(SL_RES_REJECTED, 403));
	assert_false(policy_fails_over(SL_RES_REJECTED, 404));
	assert_false(policy_fails_over(SL_RES_AUTH, 401));
	assert_false(policy_fails_over(SL_RES_OK, 200));
}

/* A hint about the server in use is probed once; others feed failback. */
static void test_hint(void **state)
{
	(void)state;
	assert_int_equal(policy_hint(true, true, 0, 0, false),
			 POLICY_HINT_PROBE);
	/* A storm while the probe runs: that one probe answers them all. */
	assert_int_equal(policy_hint(true, true, 0, 0, true),
			 POLICY_HINT_JOINED);
	/* The primary while on the secondary, and the other way round. */
	assert_int_equal(policy_hint(true, true, 0, 1, false),
			 POLICY_HINT_FAILBACK);
	assert_int_equal(policy_hint(true, true, 2, 1, true),
			 POLICY_HINT_FAILBACK);
	/* Off, moving or backing off, unknown server, no server in use. */
	assert_int_equal(policy_hint(false, true, 0, 0, false),
			 POLICY_HINT_IGNORE);
	assert_int_equal(policy_hint(true, false, 0, 0, false),
			 POLICY_HINT_IGNORE);
	assert_int_equal(policy_hint(true, true, -1, 0, false),
			 POLICY_HINT_IGNORE);
	assert_int_equal(policy_hint(true, true, 0, -1, false),
			 POLICY_HINT_IGNORE);
}

static void test_hint_timeout(void **state)
{
	(void)state;
	assert_int_equal(policy_hint_timeout_ms(500), 1500);
	assert_int_equal(policy_hint_timeout_ms(0), 1500);
	assert_int_equal(policy_hint_timeout_ms(100), POLICY_HINT_MIN_MS);
	assert_int_equal(policy_hint_timeout_ms(4000), POLICY_HINT_MAX_MS);
	assert_int_equal(policy_hint_timeout_ms(UINT32_MAX),
			 POLICY_HINT_MAX_MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick_bounds),
		cmocka_unit_test(test_hint),
		cmocka_unit_test(test_hint_timeout),
		cmocka_unit_test(test_backoff_growth_and_cap),
		cmocka_unit_test(test_backoff_jitter_bounds),
		cmocka_unit_test(test_backoff_never_tight),
		cmocka_unit_test(test_keepalive_jitter),
		cmocka_unit_test(test_startup_delay),
		cmocka_unit_test(test_fails_over),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
