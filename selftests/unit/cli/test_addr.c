// SPDX-License-Identifier: GPL-2.0
/* Address and name syntax of libsipsteer. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "sipsteer_nl.h"

static void parse_ok(const char *s, unsigned int flags, int family,
		     const char *ip, uint16_t port)
{
	struct sipsteer_addr a, want = { .family = family };
	const char *why = NULL;

	assert_int_equal(sipsteer_addr_parse(s, flags, &a, &why), 0);
	assert_int_equal(inet_pton(family, ip, &want.ip), 1);
	assert_int_equal(a.family, family);
	assert_true(sipsteer_addr_ip_equal(&a, &want));
	assert_int_equal(a.port, port);
	assert_int_equal(a.proto, 0);
}

static void parse_bad(const char *s, unsigned int flags, const char *reason)
{
	struct sipsteer_addr a;
	const char *why = NULL;

	assert_int_equal(sipsteer_addr_parse(s, flags, &a, &why), -EINVAL);
	assert_non_null(why);
	assert_string_equal(why, reason);
}

static void test_parse_v4(void **state)
{
	(void)state;
	parse_ok("192.0.2.10:5060", SIPSTEER_PORT_REQUIRED, AF_INET,
		 "192.0.2.10", 5060);
	parse_ok("0.0.0.0:1", SIPSTEER_PORT_REQUIRED, AF_INET, "0.0.0.0", 1);
	parse_ok("192.0.2.11", SIPSTEER_PORT_OPTIONAL, AF_INET, "192.0.2.11",
		 0);
	parse_ok("192.0.2.11:65535", SIPSTEER_PORT_OPTIONAL, AF_INET,
		 "192.0.2.11", 65535);
}

static void test_parse_v6(void **state)
{
	(void)state;
	parse_ok("[2001:db8::10]:5060", SIPSTEER_PORT_REQUIRED, AF_INET6,
		 "2001:db8::10", 5060);
	parse_ok("[::ffff:192.0.2.1]:5", SIPSTEER_PORT_REQUIRED, AF_INET6,
		 "::ffff:192.0.2.1", 5);
	parse_ok("[2001:db8::11]", SIPSTEER_PORT_OPTIONAL, AF_INET6,
		 "2001:db8::11", 0);
	/* Bare IPv6 is unambiguous only when no port may follow. */
	parse_ok("2001:db8::11", SIPSTEER_PORT_OPTIONAL, AF_INET6,
		 "2001:db8::11", 0);
}

static void test_parse_errors(void **state)
{
	(void)state;
	parse_bad("192.0.2.10", SIPSTEER_PORT_REQUIRED, "missing port");
	parse_bad("[2001:db8::10]", SIPSTEER_PORT_REQUIRED, "missing port");
	parse_bad("192.0.2.10:0", SIPSTEER_PORT_REQUIRED,
		  "port must be 1..65535");
	parse_bad("192.0.2.10:65536", SIPSTEER_PORT_REQUIRED,
		  "port must be 1..65535");
	parse_bad("192.0.2.10:50x", SIPSTEER_PORT_REQUIRED,
		  "port must be 1..65535");
	parse_bad("192.0.2.10:", SIPSTEER_PORT_REQUIRED,
		  "port must be 1..65535");
	parse_bad("192.0.2.10:-1", SIPSTEER_PORT_REQUIRED,
		  "port must be 1..65535");
	parse_bad("192.0.2.256:5060", SIPSTEER_PORT_REQUIRED,
		  "bad IPv4 address");
	parse_bad("proxy.example:5060", SIPSTEER_PORT_REQUIRED,
		  "bad IPv4 address");
	parse_bad(":5060", SIPSTEER_PORT_REQUIRED, "bad IPv4 address");
	parse_bad("", SIPSTEER_PORT_OPTIONAL, "bad IPv4 address");
	parse_bad("2001:db8::10:5060", SIPSTEER_PORT_REQUIRED,
		  "IPv6 addresses are written [addr]:port");
	parse_bad("[2001:db8::10:5060", SIPSTEER_PORT_REQUIRED,
		  "missing ']'");
	parse_bad("[2001:db8::10]5060", SIPSTEER_PORT_REQUIRED,
		  "expected ':' after ']'");
	parse_bad("[]:5060", SIPSTEER_PORT_REQUIRED, "bad IPv6 address");
	parse_bad("[192.0.2.1]:5060", SIPSTEER_PORT_REQUIRED,
		  "bad IPv6 address");
	parse_bad("[2001:db8::zz]:5060", SIPSTEER_PORT_REQUIRED,
		  "bad IPv6 address");
}

static void format_is(const char *in, unsigned int flags, const char *out)
{
	char buf[SIPSTEER_ADDRSTRLEN];
	struct sipsteer_addr a;

	assert_int_equal(sipsteer_addr_parse(in, flags, &a, NULL), 0);
	assert_string_equal(sipsteer_addr_format(&a, buf, sizeof(buf)), out);
}

static void test_format(void **state)
{
	char buf[SIPSTEER_ADDRSTRLEN];
	struct sipsteer_addr a;

	(void)state;
	format_is("192.0.2.10:5060", SIPSTEER_PORT_REQUIRED, "192.0.2.10:5060");
	format_is("[2001:DB8:0::10]:5060", SIPSTEER_PORT_REQUIRED,
		  "[2001:db8::10]:5060");
	format_is("[2001:db8::11]", SIPSTEER_PORT_OPTIONAL, "2001:db8::11");
	format_is("192.0.2.11", SIPSTEER_PORT_OPTIONAL, "192.0.2.11");
	assert_int_equal(sipsteer_addr_parse(
		"[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535",
		SIPSTEER_PORT_REQUIRED, &a, NULL), 0);
	assert_string_equal(sipsteer_addr_format(&a, buf, sizeof(buf)),
		"[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
	assert_string_equal(sipsteer_addr_ntop(&a, buf, sizeof(buf)),
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

static void test_equal_and_target(void **state)
{
	struct sipsteer_service svc = { 0 };
	struct sipsteer_addr a, b;

	(void)state;
	assert_int_equal(sipsteer_addr_parse("192.0.2.1:1", 1, &a, NULL), 0);
	assert_int_equal(sipsteer_addr_parse("192.0.2.1:2", 1, &b, NULL), 0);
	assert_true(sipsteer_addr_ip_equal(&a, &b));
	assert_int_equal(sipsteer_addr_parse("[::ffff:192.0.2.1]:1", 1, &b,
					     NULL), 0);
	assert_false(sipsteer_addr_ip_equal(&a, &b));

	assert_null(sipsteer_service_target(&svc, AF_INET));
	svc.targets[0] = b;
	svc.n_targets = 1;
	assert_null(sipsteer_service_target(&svc, AF_INET));
	assert_ptr_equal(sipsteer_service_target(&svc, AF_INET6),
			 &svc.targets[0]);
	assert_string_equal(sipsteer_proto_name(IPPROTO_UDP), "udp");
	assert_string_equal(sipsteer_proto_name(IPPROTO_TCP), "tcp");
	assert_string_equal(sipsteer_proto_name(1), "?");
}

static void test_names(void **state)
{
	(void)state;
	assert_true(sipsteer_name_valid("sip"));
	assert_true(sipsteer_name_valid("a"));
	assert_true(sipsteer_name_valid("0123456789012345678901234567890"));
	assert_false(sipsteer_name_valid("01234567890123456789012345678901"));
	assert_false(sipsteer_name_valid(""));
	assert_false(sipsteer_name_valid("tab\there"));
	assert_false(sipsteer_name_valid("nl\n"));
	assert_false(sipsteer_name_valid("\x80high"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_v4),
		cmocka_unit_test(test_parse_v6),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_equal_and_target),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
