// SPDX-License-Identifier: GPL-2.0
/* CLI grammar and the text/JSON renderings of services. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "args.h"
#include "print.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__ })
#define ARGC(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
#define SERVICE(svc, err, ...) \
	args_service(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), svc, err)
#define SET(a, err, ...) args_set(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), a, err)

static void test_service_args(void **state)
{
	struct sipsteer_service svc;
	char err[ARGS_ERR_SIZE];
	char buf[SIPSTEER_ADDRSTRLEN];

	(void)state;
	assert_int_equal(SERVICE(&svc, err, "sip", "endpoint", "udp",
				 "192.0.2.10:5060", "endpoint", "tcp",
				 "[2001:db8::10]:5060", "bypass-mark", "0x5e",
				 "active", "192.0.2.11", "active",
				 "[2001:db8::11]:5070"), 0);
	assert_string_equal(svc.name, "sip");
	assert_int_equal(svc.n_endpoints, 2);
	assert_int_equal(svc.endpoints[0].proto, IPPROTO_UDP);
	assert_int_equal(svc.endpoints[1].proto, IPPROTO_TCP);
	assert_string_equal(sipsteer_addr_format(&svc.endpoints[1], buf,
						 sizeof(buf)),
			    "[2001:db8::10]:5060");
	assert_int_equal(svc.n_targets, 2);
	assert_string_equal(sipsteer_addr_format(&svc.targets[0], buf,
						 sizeof(buf)), "192.0.2.11");
	assert_int_equal(svc.targets[1].port, 5070);
	assert_true(svc.has & SIPSTEER_HAS_BYPASS);
	assert_int_equal(svc.bypass_mark, 0x5e);
	assert_int_equal(svc.bypass_mask, 0xffffffff);

	assert_int_equal(SERVICE(&svc, err, "s", "endpoint", "tcp",
				 "10.0.0.1:5061", "bypass-mark", "7/0xff"), 0);
	assert_int_equal(svc.bypass_mark, 7);
	assert_int_equal(svc.bypass_mask, 0xff);
	assert_int_equal(svc.n_targets, 0);
	/* No bypass-mark: nothing sent, the module's default applies. */
	assert_int_equal(SERVICE(&svc, err, "s", "endpoint", "tcp",
				 "10.0.0.1:5061"), 0);
	assert_false(svc.has & SIPSTEER_HAS_BYPASS);
	assert_false(svc.has & SIPSTEER_HAS_UNREPLIED);

	assert_int_equal(SERVICE(&svc, err, "s", "endpoint", "udp",
				 "10.0.0.1:5060", "unreplied-ms", "1500"), 0);
	assert_true(svc.has & SIPSTEER_HAS_UNREPLIED);
	assert_int_equal(svc.unreplied_ms, 1500);
}

static void service_fails(int argc, char **argv, const char *msg)
{
	struct sipsteer_service svc;
	char err[ARGS_ERR_SIZE] = "";

	assert_int_equal(args_service(argc, argv, &svc, err), -EINVAL);
	assert_string_equal(err, msg);
}

#define SERVICE_FAILS(msg, ...) \
	service_fails(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), msg)

static void test_service_args_errors(void **state)
{
	char *argv[64];
	int i;

	(void)state;
	service_fails(0, NULL, "service name missing");
	SERVICE_FAILS("service sip: at least one endpoint needed", "sip");
	SERVICE_FAILS("bad service name \"\": 1..31 printable characters", "");
	SERVICE_FAILS("bad endpoint \"x\": bad IPv4 address",
		      "sip", "endpoint", "udp", "x");
	SERVICE_FAILS("bad endpoint \"192.0.2.1\": missing port",
		      "sip", "endpoint", "udp", "192.0.2.1");
	SERVICE_FAILS("bad endpoint protocol \"sctp\": udp or tcp",
		      "sip", "endpoint", "sctp", "192.0.2.1:5060");
	SERVICE_FAILS("\"endpoint\" needs PROTO ADDR:PORT",
		      "sip", "endpoint", "udp");
	SERVICE_FAILS("duplicate endpoint udp 192.0.2.1:5060",
		      "sip", "endpoint", "udp", "192.0.2.1:5060",
		      "endpoint", "udp", "192.0.2.1:5060");
	SERVICE_FAILS("bad target \"192.0.2.2\": one active target per address family",
		      "sip", "endpoint", "udp", "192.0.2.1:5060",
		      "active", "192.0.2.3", "active", "192.0.2.2");
	SERVICE_FAILS("bad target \"[::1\": missing ']'",
		      "sip", "endpoint", "udp", "192.0.2.1:5060",
		      "active", "[::1");
	SERVICE_FAILS("\"active\" needs a value",
		      "sip", "endpoint", "udp", "192.0.2.1:5060", "active");
	SERVICE_FAILS("bad unreplied-ms \"soon\"",
		      "s", "endpoint", "udp", "10.0.0.1:5060",
		      "unreplied-ms", "soon");
	SERVICE_FAILS("bad bypass-mark \"0x1/\": MARK[/MASK], 32-bit numbers",
		      "sip", "endpoint", "udp", "192.0.2.1:5060",
		      "bypass-mark", "0x1/");
	SERVICE_FAILS("bad bypass-mark \"0x100000000\": MARK[/MASK], 32-bit numbers",
		      "sip", "endpoint", "udp", "192.0.2.1:5060",
		      "bypass-mark", "0x100000000");
	SERVICE_FAILS("bad bypass-mark \"-1\": MARK[/MASK], 32-bit numbers",
		      "sip", "endpoint", "udp", "192.0.2.1:5060",
		      "bypass-mark", "-1");
	SERVICE_FAILS("unknown argument \"endpoints\"",
		      "sip", "endpoints", "udp", "192.0.2.1:5060");

	/* Seventeen endpoints. */
	argv[0] = "sip";
	for (i = 0; i <= SIPSTEER_MAX_ENDPOINTS; i++) {
		static char addrs[SIPSTEER_MAX_ENDPOINTS + 1][32];

		snprintf(addrs[i], sizeof(addrs[i]), "192.0.2.%d:5060", i + 1);
		argv[1 + 3 * i] = "endpoint";
		argv[2 + 3 * i] = "udp";
		argv[3 + 3 * i] = addrs[i];
	}
	service_fails(1 + 3 * (SIPSTEER_MAX_ENDPOINTS + 1), argv,
		      "too many endpoints (at most 16)");
	assert_int_equal(SIPSTEER_MAX_ENDPOINTS, 16);
}

static void test_set_args(void **state)
{
	char err[ARGS_ERR_SIZE] = "";
	struct set_args a;

	(void)state;
	assert_int_equal(SET(&a, err, "sip", "active", "192.0.2.11:5060",
			     "active", "[2001:db8::11]", "expect-gen", "41",
			     "keep-sockets"), 0);
	assert_string_equal(a.name, "sip");
	assert_int_equal(a.n_targets, 2);
	assert_int_equal(a.targets[0].port, 5060);
	assert_int_equal(a.targets[1].family, AF_INET6);
	assert_true(a.has_expect);
	assert_int_equal(a.expect_gen, 41);
	assert_true(a.keep_sockets);

	assert_int_equal(SET(&a, err, "sip", "inactive"), 0);
	assert_int_equal(a.n_targets, 0);
	assert_false(a.has_expect);
	assert_false(a.keep_sockets);

	assert_int_equal(SET(&a, err, "sip"), -EINVAL);
	assert_string_equal(err, "service set sip: say \"active ADDR\" or \"inactive\"");
	assert_int_equal(SET(&a, err, "sip", "inactive", "active", "1.2.3.4"),
			 -EINVAL);
	assert_int_equal(SET(&a, err, "sip", "inactive", "expect-gen", "x"),
			 -EINVAL);
	assert_string_equal(err, "bad expect-gen \"x\"");
	assert_int_equal(SET(&a, err, "sip", "active", "1.2.3.4:99999"),
			 -EINVAL);
	assert_string_equal(err, "bad target \"1.2.3.4:99999\": port must be 1..65535");
	assert_int_equal(SET(&a, err, "sip", "inactive", "bogus"), -EINVAL);
	assert_string_equal(err, "unknown argument \"bogus\"");
}

static void test_u32(void **state)
{
	uint32_t v;

	(void)state;
	assert_int_equal(args_u32("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(args_u32("4294967295", &v), 0);
	assert_int_equal(v, 4294967295u);
	assert_int_equal(args_u32("0xffffffff", &v), 0);
	assert_int_equal(args_u32("4294967296", &v), -EINVAL);
	assert_int_equal(args_u32("", &v), -EINVAL);
	assert_int_equal(args_u32("12a", &v), -EINVAL);
	assert_int_equal(args_u32("-0", &v), -EINVAL);
	assert_int_equal(args_u32(" 1", &v), -EINVAL);
}

/* Capture what a printer writes. */
struct capture {
	char *text;
	size_t len;
	FILE *f;
};

static void cap_open(struct capture *c)
{
	c->text = NULL;
	c->f = open_memstream(&c->text, &c->len);
	assert_non_null(c->f);
}

static const char *cap_close(struct capture *c)
{
	fclose(c->f);
	return c->text;
}

static struct sipsteer_service sample(void)
{
	struct sipsteer_service svc;
	char err[ARGS_ERR_SIZE];

	assert_int_equal(SERVICE(&svc, err, "sip", "endpoint", "udp",
				 "192.0.2.10:5060", "endpoint", "tcp",
				 "[2001:db8::10]:5060", "bypass-mark",
				 "0x5e", "active", "192.0.2.11:5062"), 0);
	svc.has |= SIPSTEER_HAS_GENERATION | SIPSTEER_HAS_STATS;
	svc.generation = 4;
	svc.stats = (struct sipsteer_stats){
		.flows_steered = 10, .flows_passed = 2, .flows_bypassed = 1,
		.flushes = 3, .flows_flushed = 7,
	};
	return svc;
}

static void test_print_service(void **state)
{
	struct sipsteer_service svc = sample();
	struct capture c;

	(void)state;
	cap_open(&c);
	print_service(c.f, &svc);
	assert_string_equal(cap_close(&c),
		"service sip generation 4\n"
		"  endpoint udp 192.0.2.10:5060\n"
		"  endpoint tcp [2001:db8::10]:5060\n"
		"  active 192.0.2.11:5062\n"
		"  bypass-mark 0x5e/0xffffffff\n"
		"  flows steered 10 passed 2 bypassed 1 refused 0 flushes 3 flushed 7\n");
	free(c.text);

	/* One line per target. */
	assert_int_equal(sipsteer_addr_parse("[2001:db8::11]", 2,
					     &svc.targets[1], NULL), 0);
	svc.n_targets = 2;
	svc.has &= ~SIPSTEER_HAS_STATS;
	cap_open(&c);
	print_service(c.f, &svc);
	assert_string_equal(cap_close(&c),
		"service sip generation 4\n"
		"  endpoint udp 192.0.2.10:5060\n"
		"  endpoint tcp [2001:db8::10]:5060\n"
		"  active 192.0.2.11:5062\n"
		"  active 2001:db8::11\n"
		"  bypass-mark 0x5e/0xffffffff\n");
	free(c.text);

	svc.n_targets = 0;
	svc.bypass_mark = 0;
	svc.has &= ~SIPSTEER_HAS_STATS;
	cap_open(&c);
	print_service(c.f, &svc);
	assert_string_equal(cap_close(&c),
		"service sip generation 4\n"
		"  endpoint udp 192.0.2.10:5060\n"
		"  endpoint tcp [2001:db8::10]:5060\n"
		"  inactive\n");
	free(c.text);

	svc = sample();
	cap_open(&c);
	print_stats(c.f, &svc);
	assert_string_equal(cap_close(&c),
		"sip generation 4 steered 10 passed 2 bypassed 1 refused 0 flushes 3 flushed 7\n");
	free(c.text);
}

static void test_json_service(void **state)
{
	struct sipsteer_service svc = sample();
	struct strbuf sb;
	struct json j;

	(void)state;
	sb_init(&sb);
	json_init(&j, &sb, false);
	json_service(&j, &svc);
	assert_string_equal(sb_str(&sb),
		"{\"name\":\"sip\",\"generation\":4,"
		"\"endpoints\":[{\"proto\":\"udp\",\"addr\":\"192.0.2.10\",\"port\":5060},"
		"{\"proto\":\"tcp\",\"addr\":\"2001:db8::10\",\"port\":5060}],"
		"\"targets\":[{\"addr\":\"192.0.2.11\",\"port\":5062}],"
		"\"bypass_mark\":94,\"bypass_mask\":4294967295,"
		"\"stats\":{\"flows_steered\":10,\"flows_passed\":2,"
		"\"flows_bypassed\":1,\"flows_refused\":0,\"flushes\":3,"
		"\"flows_flushed\":7,\"evidence_icmp\":0,\"evidence_reset\":0,"
		"\"evidence_syn\":0,\"evidence_unreplied\":0}}");
	sb_free(&sb);

	sb_init(&sb);
	json_init(&j, &sb, false);
	json_stats(&j, &svc);
	assert_string_equal(sb_str(&sb),
		"{\"name\":\"sip\",\"generation\":4,"
		"\"stats\":{\"flows_steered\":10,\"flows_passed\":2,"
		"\"flows_bypassed\":1,\"flows_refused\":0,\"flushes\":3,"
		"\"flows_flushed\":7,\"evidence_icmp\":0,\"evidence_reset\":0,"
		"\"evidence_syn\":0,\"evidence_unreplied\":0}}");
	sb_free(&sb);

	/* Inactive, target port kept: empty list, no port key. */
	svc.n_targets = 0;
	svc.has = SIPSTEER_HAS_ENDPOINTS;
	svc.n_endpoints = 0;
	sb_init(&sb);
	json_init(&j, &sb, false);
	json_service(&j, &svc);
	assert_string_equal(sb_str(&sb),
		"{\"name\":\"sip\",\"endpoints\":[],\"targets\":[]}");
	sb_free(&sb);
}

static void test_events(void **state)
{
	struct sipsteer_event ev = { .cmd = SIPSTEER_CMD_SERVICE_SET };
	struct capture c;
	struct strbuf sb;
	struct json j;

	(void)state;
	ev.service = sample();
	ev.service.has = SIPSTEER_HAS_GENERATION | SIPSTEER_HAS_TARGETS;
	cap_open(&c);
	print_event(c.f, &ev);
	assert_string_equal(cap_close(&c),
			    "set sip generation 4 active 192.0.2.11:5062\n");
	free(c.text);
	sb_init(&sb);
	json_init(&j, &sb, false);
	json_event(&j, &ev);
	assert_string_equal(sb_str(&sb),
		"{\"event\":\"set\",\"name\":\"sip\",\"generation\":4,"
		"\"targets\":[{\"addr\":\"192.0.2.11\",\"port\":5062}]}");
	sb_free(&sb);

	/* Inactive switch: no TARGETS attribute at all. */
	ev.service.n_targets = 0;
	ev.service.has = SIPSTEER_HAS_GENERATION;
	cap_open(&c);
	print_event(c.f, &ev);
	assert_string_equal(cap_close(&c), "set sip generation 4 inactive\n");
	free(c.text);

	ev.cmd = SIPSTEER_CMD_FLOWS_FLUSH;
	ev.has_flushed = true;
	ev.flushed = 12;
	cap_open(&c);
	print_event(c.f, &ev);
	assert_string_equal(cap_close(&c), "flush sip generation 4 flushed 12\n");
	free(c.text);
	sb_init(&sb);
	json_init(&j, &sb, false);
	json_event(&j, &ev);
	assert_string_equal(sb_str(&sb),
		"{\"event\":\"flush\",\"name\":\"sip\",\"generation\":4,"
		"\"flushed\":12}");
	sb_free(&sb);

	ev.cmd = SIPSTEER_CMD_SERVICE_DEL;
	ev.has_flushed = false;
	ev.service.has = 0;
	cap_open(&c);
	print_event(c.f, &ev);
	assert_string_equal(cap_close(&c), "del sip\n");
	free(c.text);
	assert_string_equal(event_name(SIPSTEER_CMD_SERVICE_NEW), "new");
	assert_string_equal(event_name(99), "unknown");

	/* Evidence: what, on which endpoint, how much was held back. */
	ev.cmd = SIPSTEER_CMD_EVIDENCE;
	ev.service.has = SIPSTEER_HAS_GENERATION;
	ev.evidence = SIPSTEER_EVIDENCE_ICMP;
	ev.suppressed = 3;
	ev.endpoint = ev.service.endpoints[1];
	cap_open(&c);
	print_event(c.f, &ev);
	assert_string_equal(cap_close(&c),
		"evidence sip generation 4 icmp endpoint tcp "
		"[2001:db8::10]:5060 suppressed 3\n");
	free(c.text);
	sb_init(&sb);
	json_init(&j, &sb, false);
	json_event(&j, &ev);
	assert_string_equal(sb_str(&sb),
		"{\"event\":\"evidence\",\"name\":\"sip\",\"generation\":4,"
		"\"evidence\":\"icmp\",\"endpoint\":[{\"proto\":\"tcp\","
		"\"addr\":\"2001:db8::10\",\"port\":5060}],\"suppressed\":3}");
	sb_free(&sb);
}

/* A watched service shows its threshold and evidence counters. */
static void test_print_watched(void **state)
{
	struct sipsteer_service svc = sample();
	struct capture c;

	(void)state;
	svc.has |= SIPSTEER_HAS_UNREPLIED | SIPSTEER_HAS_ENDPOINT_STATS;
	svc.unreplied_ms = 1000;
	svc.stats.evidence[SIPSTEER_EVIDENCE_UNREPLIED] = 2;
	svc.endpoint_evidence[0][SIPSTEER_EVIDENCE_UNREPLIED] = 2;
	svc.stats.evidence[SIPSTEER_EVIDENCE_RESET] = 1;
	svc.endpoint_evidence[1][SIPSTEER_EVIDENCE_RESET] = 1;
	cap_open(&c);
	print_service(c.f, &svc);
	assert_string_equal(cap_close(&c),
		"service sip generation 4\n"
		"  endpoint udp 192.0.2.10:5060 evidence icmp 0 reset 0 syn 0 unreplied 2\n"
		"  endpoint tcp [2001:db8::10]:5060 evidence icmp 0 reset 1 syn 0 unreplied 0\n"
		"  active 192.0.2.11:5062\n"
		"  bypass-mark 0x5e/0xffffffff\n"
		"  unreplied-ms 1000\n"
		"  flows steered 10 passed 2 bypassed 1 refused 0 flushes 3 flushed 7\n"
		"  evidence icmp 0 reset 1 syn 0 unreplied 2\n");
	free(c.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_service_args),
		cmocka_unit_test(test_service_args_errors),
		cmocka_unit_test(test_set_args),
		cmocka_unit_test(test_u32),
		cmocka_unit_test(test_print_service),
		cmocka_unit_test(test_json_service),
		cmocka_unit_test(test_print_watched),
		cmocka_unit_test(test_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
