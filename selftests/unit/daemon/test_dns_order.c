// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 3263 NAPTR selection and RFC 2782 SRV ordering. The weighted
 * choice is checked statistically with a fixed seed: a chi-square test
 * of how often each record comes first against its weight share.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dns/order.h"

#define TRIALS	60000

static struct dns_naptr naptr(uint16_t order, uint16_t pref,
			      const char *flags, const char *svc,
			      const char *repl)
{
	struct dns_naptr n = { .order = order, .pref = pref };

	snprintf(n.flags, sizeof(n.flags), "%s", flags);
	snprintf(n.service, sizeof(n.service), "%s", svc);
	snprintf(n.replacement, sizeof(n.replacement), "%s", repl);
	return n;
}

static void test_naptr_select(void **state)
{
	struct dns_naptr v[] = {
		naptr(20, 10, "s", "SIP+D2U", "udp2"),
		naptr(10, 50, "s", "SIP+D2T", "tcp"),
		naptr(10, 30, "S", "sip+d2u", "udp1"),
		naptr(10, 10, "s", "SIPS+D2T", "tls"),
		naptr(10, 20, "a", "SIP+D2U", "a-flag"),
		naptr(5, 5, "s", "SIP+D2S", "sctp"),
		naptr(20, 5, "s", "SIP+D2U", "udp1b"),
	};
	struct dns_naptr w[7];

	(void)state;
	memcpy(w, v, sizeof(v));
	assert_int_equal(dns_naptr_select(w, 7, TP_UDP), 3);
	assert_string_equal(w[0].replacement, "udp1");
	assert_string_equal(w[1].replacement, "udp1b");
	assert_string_equal(w[2].replacement, "udp2");

	memcpy(w, v, sizeof(v));
	assert_int_equal(dns_naptr_select(w, 7, TP_TCP), 1);
	assert_string_equal(w[0].replacement, "tcp");
	memcpy(w, v, sizeof(v));
	assert_int_equal(dns_naptr_select(w, 7, TP_TLS), 1);
	assert_string_equal(w[0].replacement, "tls");
	assert_int_equal(dns_naptr_select(w, 0, TP_TLS), 0);
}

static struct dns_srv srv(uint16_t prio, uint16_t weight, const char *t)
{
	struct dns_srv s = { .priority = prio, .weight = weight, .port = 5060 };

	snprintf(s.target, sizeof(s.target), "%s", t);
	return s;
}

static void test_srv_priority_order(void **state)
{
	struct dns_xorshift rng = { 1 };

	(void)state;
	for (int i = 0; i < 200; i++) {
		struct dns_srv v[] = {
			srv(30, 5, "c"), srv(10, 1, "a1"), srv(20, 0, "b"),
			srv(10, 9, "a2"), srv(40, 0, "d1"), srv(40, 0, "d2"),
		};

		dns_srv_order(v, 6, dns_xorshift_next, &rng);
		assert_int_equal(v[0].priority, 10);
		assert_int_equal(v[1].priority, 10);
		assert_string_equal(v[2].target, "b");
		assert_string_equal(v[3].target, "c");
		assert_int_equal(v[4].priority, 40);
		assert_int_equal(v[5].priority, 40);
		/* Nothing lost or duplicated. */
		assert_true(strcmp(v[0].target, v[1].target) != 0);
		assert_true(strcmp(v[4].target, v[5].target) != 0);
	}
}

/* Chi-square over how often each entry of @w comes first. */
static double first_choice_chi2(const uint16_t *w, size_t n,
				const double *expect_share, uint64_t seed)
{
	struct dns_xorshift rng = { seed };
	unsigned int count[8] = { 0 };
	double chi2 = 0;

	for (int t = 0; t < TRIALS; t++) {
		struct dns_srv v[8];

		for (size_t i = 0; i < n; i++) {
			v[i] = srv(1, w[i], "");
			v[i].port = (uint16_t)i;
		}
		dns_srv_order(v, n, dns_xorshift_next, &rng);
		count[v[0].port]++;
	}
	for (size_t i = 0; i < n; i++) {
		double e = expect_share[i] * TRIALS;

		chi2 += (count[i] - e) * (count[i] - e) / e;
	}
	return chi2;
}

static void test_srv_weighted_distribution(void **state)
{
	/* RFC 2782: pick uniformly in [0, sum], the first running sum
	 * >= the pick wins: a weight w is chosen with (w [+1]) / (sum+1). */
	const uint16_t w[] = { 10, 20, 70 };
	const double share[] = { 11.0 / 101, 20.0 / 101, 70.0 / 101 };
	const double wrong[] = { 1.0 / 3, 1.0 / 3, 1.0 / 3 };
	double chi2;

	(void)state;
	chi2 = first_choice_chi2(w, 3, share, 7);
	/* 2 degrees of freedom, p = 0.001. */
	assert_true(chi2 < 13.82);
	/* The test can fail: a uniform choice is far off. */
	assert_true(first_choice_chi2(w, 3, wrong, 7) > 1000);
}

static void test_srv_weight_zero(void **state)
{
	/* A weight-0 record comes first only when the pick is 0:
	 * 1 / 101 of the time next to a weight of 100. */
	const uint16_t w[] = { 0, 100 };
	const double share[] = { 1.0 / 101, 100.0 / 101 };
	/* All zero: equal chances, thanks to the shuffle. */
	const uint16_t z[] = { 0, 0, 0, 0 };
	const double zshare[] = { 0.25, 0.25, 0.25, 0.25 };

	(void)state;
	assert_true(first_choice_chi2(w, 2, share, 11) < 10.83);
	assert_true(first_choice_chi2(z, 4, zshare, 13) < 16.27);
}

/* Second place follows the remaining weights too. */
static void test_srv_second_choice(void **state)
{
	struct dns_xorshift rng = { 99 };
	unsigned int second_b = 0, a_first = 0;

	(void)state;
	for (int t = 0; t < TRIALS; t++) {
		struct dns_srv v[] = { srv(1, 50, "a"), srv(1, 25, "b"),
				       srv(1, 25, "c") };

		dns_srv_order(v, 3, dns_xorshift_next, &rng);
		if (strcmp(v[0].target, "a"))
			continue;
		a_first++;
		if (!strcmp(v[1].target, "b"))
			second_b++;
	}
	/* After "a", b and c are 25:25 -> 26/51 for b. */
	assert_true(a_first > 0);
	double share = (double)second_b / a_first;

	assert_true(share > 0.49 && share < 0.53);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(dns_srv_prefix(TP_UDP), "_sip._udp");
	assert_string_equal(dns_srv_prefix(TP_TCP), "_sip._tcp");
	assert_string_equal(dns_srv_prefix(TP_TLS), "_sips._tcp");
	assert_int_equal(dns_default_port(TP_UDP), 5060);
	assert_int_equal(dns_default_port(TP_TLS), 5061);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_naptr_select),
		cmocka_unit_test(test_srv_priority_order),
		cmocka_unit_test(test_srv_weighted_distribution),
		cmocka_unit_test(test_srv_weight_zero),
		cmocka_unit_test(test_srv_second_choice),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
