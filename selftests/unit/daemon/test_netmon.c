// SPDX-License-Identifier: GPL-2.0
/*
 * The network monitor against the running kernel, in a network namespace
 * of the test's own (unshare): a veth pair that is up, another that is
 * down, and loopback. Changes are made with ip(8). Skips when no
 * namespace can be made (not root).
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/log.h"
#include "core/loop.h"
#include "helpers/testloop.h"
#include "netmon/netmon.h"

struct fix {
	struct loop *loop;
	struct netmon *nm;
	unsigned int calls;
	char why[128];
	uint64_t called_ms;
};

static struct fix fx;
static bool ready;

static void on_change(void *arg, const char *why)
{
	struct fix *f = arg;

	f->calls++;
	f->called_ms = testloop_mono_ms();
	snprintf(f->why, sizeof(f->why), "%s", why);
}

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc)
		print_message("# command failed (%d): %s\n", rc, cmd);
	return rc;
}

static int setup(void **state)
{
	(void)state;
	log_init("test_netmon", false, LOG_LVL_ERR);
	if (unshare(CLONE_NEWNET) < 0) {
		print_message("# no network namespace: %s\n", strerror(errno));
		return 0;
	}
	/* No link-local addresses: their DAD would end mid-test. */
	if (sh("ip link set lo up && "
	       "ip link add v0 type veth peer name v1 && "
	       "ip link add v2 type veth peer name v3 && "
	       "for d in v0 v1 v2 v3; do "
	       "ip link set $d addrgenmode none || exit 1; done && "
	       "ip link set v0 up && ip link set v1 up"))
		return 0;
	if (loop_new(&fx.loop) ||
	    netmon_new(fx.loop, on_change, &fx, &fx.nm))
		return -1;
	/* The links' own notifications are not under test. */
	testloop_run_for(fx.loop, NETMON_SETTLE_MS + 200);
	ready = true;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	netmon_free(fx.nm);
	loop_free(fx.loop);
	return 0;
}

/* Runs the loop after @cmd; returns the callbacks it made. */
static unsigned int change(const char *cmd, unsigned int ms)
{
	if (!ready)
		skip();
	fx.calls = 0;
	fx.why[0] = '\0';
	assert_int_equal(sh(cmd), 0);
	testloop_run_for(fx.loop, ms);
	return fx.calls;
}

static void test_burst_one_callback(void **state)
{
	uint64_t done;

	(void)state;
	if (!ready)
		skip();
	fx.calls = 0;
	assert_int_equal(sh("ip addr add 192.0.2.7/24 dev v0 && "
			    "ip addr add 192.0.2.8/24 dev v0 && "
			    "ip -6 addr add 2001:db8::7/64 dev v0 nodad"), 0);
	done = testloop_mono_ms();
	testloop_run_for(fx.loop, NETMON_SETTLE_MS + 400);
	assert_int_equal(fx.calls, 1);
	assert_string_equal(fx.why, "address 192.0.2.7 added");
	/* Not before the burst was quiet for the settle time. */
	assert_true(fx.called_ms + 20 >= done + NETMON_SETTLE_MS);
}

static void test_loopback_ignored(void **state)
{
	(void)state;
	assert_int_equal(change("ip addr add 127.0.0.2/8 dev lo && "
				"ip -6 addr add ::2/128 dev lo && "
				"ip addr del 127.0.0.2/8 dev lo",
				NETMON_SETTLE_MS + 300), 0);
}

static void test_down_interface_ignored(void **state)
{
	(void)state;
	assert_int_equal(change("ip addr add 198.51.100.1/24 dev v2",
				NETMON_SETTLE_MS + 300), 0);
}

/* A tentative address is reported once DAD has made it usable. */
static void test_tentative_after_dad(void **state)
{
	uint64_t until;
	bool once;

	(void)state;
	assert_int_equal(change("ip -6 addr add 2001:db8::9/64 dev v0",
				NETMON_SETTLE_MS + 100), 0);
	/* DAD takes a second at least: it must still be running. */
	assert_int_equal(sh("ip -6 addr show dev v0 tentative | "
			    "grep -q 2001:db8::9"), 0);
	once = false;
	until = testloop_mono_ms() + 10000;
	while (!once && testloop_mono_ms() < until) {
		testloop_run_for(fx.loop, 100);
		once = fx.calls > 0;
	}
	/* Anything after it would be a second report. */
	testloop_run_for(fx.loop, NETMON_SETTLE_MS + 100);
	assert_int_equal(fx.calls, 1);
	assert_string_equal(fx.why, "address 2001:db8::9 added");
}

static void test_default_route(void **state)
{
	(void)state;
	assert_int_equal(change("ip route add default via 192.0.2.1",
				NETMON_SETTLE_MS + 300), 1);
	assert_string_equal(fx.why, "default route via 192.0.2.1 added");
	/* Other routes are not news. */
	assert_int_equal(change("ip route add 203.0.113.0/24 via 192.0.2.1",
				NETMON_SETTLE_MS + 300), 0);
	assert_int_equal(change("ip -6 route add default via 2001:db8::1",
				NETMON_SETTLE_MS + 300), 1);
	assert_string_equal(fx.why, "default route via 2001:db8::1 added");
	assert_int_equal(change("ip route del default",
				NETMON_SETTLE_MS + 300), 1);
	assert_string_equal(fx.why, "default route via 192.0.2.1 removed");
}

static void test_address_removed(void **state)
{
	(void)state;
	assert_int_equal(change("ip addr del 192.0.2.8/24 dev v0",
				NETMON_SETTLE_MS + 300), 1);
	assert_string_equal(fx.why, "address 192.0.2.8 removed");
}

/*
 * The kernel announces an address again when its lifetime is renewed
 * (a router advertisement for IPv6): no change, no callback.
 */
static void test_renewal_is_not_news(void **state)
{
	(void)state;
	assert_int_equal(change("ip -6 addr add 2001:db8::20/64 dev v0 nodad "
				"valid_lft 100 preferred_lft 100 && "
				"ip addr add 192.0.2.30/24 dev v0 "
				"valid_lft 100 preferred_lft 100",
				NETMON_SETTLE_MS + 300), 1);
	assert_string_equal(fx.why, "address 2001:db8::20 added");
	assert_int_equal(change("ip -6 addr change 2001:db8::20/64 dev v0 "
				"valid_lft 200 preferred_lft 200 && "
				"ip addr change 192.0.2.30/24 dev v0 "
				"valid_lft 200 preferred_lft 200 && "
				"ip -6 addr replace 2001:db8::20/64 dev v0 "
				"nodad valid_lft 300 preferred_lft 300",
				NETMON_SETTLE_MS + 300), 0);
	/* Its removal still is. */
	assert_int_equal(change("ip -6 addr del 2001:db8::20/64 dev v0",
				NETMON_SETTLE_MS + 300), 1);
	assert_string_equal(fx.why, "address 2001:db8::20 removed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_one_callback),
		cmocka_unit_test(test_loopback_ignored),
		cmocka_unit_test(test_down_interface_ignored),
		cmocka_unit_test(test_tentative_after_dad),
		cmocka_unit_test(test_default_route),
		cmocka_unit_test(test_address_removed),
		cmocka_unit_test(test_renewal_is_not_news),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
