// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration reader: every key with good values, every type with
 * bad values, the file syntax, rules across keys, --check-config output
 * and the admin guide's table.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config.h"

#define SIP "voip/signalling/sip/"
/* Enough to make a file with an enabled line valid. */
#define BASE "voip/line/0/enabled=1\nvoip/line/0/id=100\n" \
	SIP "proxy_address=pbx.example.com\n"

struct diag {
	unsigned int n_err, n_warn;
	char msgs[32][768];
	unsigned int n;
};

static void collect(void *arg, enum log_level lvl, const char *msg)
{
	struct diag *d = arg;

	if (lvl == LOG_LVL_ERR)
		d->n_err++;
	else
		d->n_warn++;
	if (d->n < 32)
		snprintf(d->msgs[d->n++], sizeof(d->msgs[0]), "%s", msg);
}

static bool has_msg(const struct diag *d, const char *text)
{
	unsigned int i;

	for (i = 0; i < d->n; i++) {
		if (!strcmp(d->msgs[i], text))
			return true;
	}
	return false;
}

static void dump(const struct diag *d)
{
	unsigned int i;

	for (i = 0; i < d->n; i++)
		print_message("diag: %s\n", d->msgs[i]);
}

static int load(const char *text, struct config *cfg, struct diag *d)
{
	memset(d, 0, sizeof(*d));
	return config_load_string("t.conf", text, cfg, collect, d);
}

/* "voip/line/N/id" -> "voip/line/3/id" */
static void concrete(const struct cfg_key *k, unsigned int line, char *buf,
		     size_t len)
{
	if (k->per_line)
		snprintf(buf, len, "voip/line/%u/%s", line,
			 k->name + strlen("voip/line/N/"));
	else
		snprintf(buf, len, "%s", k->name);
}

/* The value of @name in config_print()'s output. */
static void printed(const struct config *cfg, const char *name, char *val,
		    size_t len)
{
	char *buf = NULL, *line;
	size_t size = 0;
	FILE *f;

	f = open_memstream(&buf, &size);
	assert_non_null(f);
	config_print(cfg, f);
	fclose(f);
	val[0] = '\0';
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		size_t n = strlen(name);

		if (!strncmp(line, name, n) && line[n] == '=') {
			snprintf(val, len, "%s", line + n + 1);
			free(buf);
			return;
		}
	}
	free(buf);
	fail_msg("%s not printed", name);
}

static void test_defaults(void **state)
{
	struct config cfg;
	struct diag d;

	(void)state;
	assert_int_equal(load("", &cfg, &d), 0);
	assert_int_equal(d.n_err, 0);
	assert_true(has_msg(&d, "t.conf: no line is enabled"));
	assert_false(cfg.line[0].enabled);
	assert_string_equal(cfg.sip.proxy_address, "");
	assert_int_equal(cfg.sip.proxy_port, 65535);
	assert_true(cfg.sip.use_proxy);
	assert_int_equal(cfg.sip.transport, TP_UDP);
	assert_int_equal(cfg.sip.no_response_timeout_ms, 32000);
	assert_int_equal(cfg.sip.registration_expires_s, 3600);
	assert_int_equal(cfg.sip.registration_failed_timeout_s, 60);
	assert_int_equal(cfg.sip.t1_ms, 500);
	assert_int_equal(cfg.sip.t2_ms, 4000);
	assert_false(cfg.sip.outbound_proxy.enabled);
	assert_int_equal(cfg.sip.outbound_proxy.port, 65535);
	assert_false(cfg.sip.registrar.enabled);
	assert_int_equal(cfg.sip.registrar.port, 65535);
	assert_string_equal(cfg.sip.tls_ca_file, "");
	assert_int_equal(cfg.sip.socket_mark, 0);
	assert_false(cfg.sip.outbound_rfc5626);
	assert_string_equal(cfg.sip.user_agent, "sipsteerd");
	assert_string_equal(cfg.sip.dns_servers, "");
	assert_int_equal(cfg.sip.dns_timeout_ms, 2000);
	assert_int_equal(cfg.sip.dns_tries, 2);
	assert_int_equal(cfg.sip.registration_failed_max_s, 1800);
	assert_int_equal(cfg.sip.startup_delay_max_ms, 2000);
	assert_false(cfg.sip.symmetric_mode);
	assert_int_equal(cfg.sip.failback_retry_s, 60);
	assert_int_equal(cfg.sip.failback_probes, 3);
	assert_int_equal(cfg.sip.hold_down_s, 30);
	assert_false(cfg.sip.ka_enabled);
	assert_int_equal(cfg.sip.ka_timeout_s, 60);
	assert_true(cfg.sip.steering_enabled);
	assert_string_equal(cfg.sip.steering_service, "sipsteerd");
	assert_string_equal(cfg.sip.steering_vaddr, "");
	assert_int_equal(cfg.sip.steering_vport, 5060);
	assert_int_equal(cfg.log_level, LOG_LVL_INFO);
}

static void test_typical_file(void **state)
{
	static const char text[] =
		"# line 0\n"
		"\n"
		"  voip/line/0/enabled = 1  \r\n"
		"voip/line/0/id=alice\n"
		"voip/line/0/auth_name=alice-auth\n"
		"voip/line/0/auth_password= s3cr#t =x \n"
		"voip/line/0/description=Front desk\n"
		"voip/line/7/enabled=1\n"
		"voip/line/7/id=bob\n"
		"\t# indented comment\n"
		SIP "proxy_address=sip.example.com\n"
		SIP "transport_protocol=tls\n"
		SIP "tls/ca_file=" SRCDIR "/Makefile\n"
		SIP "socket_mark=0x1f\n"
		SIP "dns_servers=127.0.0.1:5353,[::1]:5353\n";
	struct config cfg;
	struct diag d;

	(void)state;
	assert_int_equal(load(text, &cfg, &d), 0);
	dump(&d);
	assert_int_equal(d.n, 0);
	assert_true(cfg.line[0].enabled);
	assert_string_equal(cfg.line[0].id, "alice");
	assert_string_equal(cfg.line[0].auth_name, "alice-auth");
	/* '#' inside a value is data; only surrounding blanks go. */
	assert_string_equal(cfg.line[0].auth_password, "s3cr#t =x");
	assert_string_equal(cfg.line[0].description, "Front desk");
	assert_true(cfg.line[7].enabled);
	assert_string_equal(cfg.line[7].id, "bob");
	assert_false(cfg.line[3].enabled);
	assert_int_equal(cfg.sip.transport, TP_TLS);
	assert_string_equal(cfg.sip.tls_ca_file, SRCDIR "/Makefile");
	assert_int_equal(cfg.sip.socket_mark, 0x1f);
	assert_string_equal(cfg.sip.dns_servers, "127.0.0.1:5353,[::1]:5353");
}

/* A good value for each type, and how --check-config prints it. */
struct good {
	enum cfg_type type;
	const char *in, *out;
};

static const struct good goods[] = {
	{ CFG_BOOL, "1", "1" }, { CFG_BOOL, "0", "0" },
	{ CFG_BOOL, "TRUE", "1" }, { CFG_BOOL, "off", "0" },
	{ CFG_MARK, "4294967295", "0xffffffff" }, { CFG_MARK, "0xA", "0xa" },
	{ CFG_PORT, "1", "1" }, { CFG_PORT, "5061", "5061" },
	{ CFG_PORT, "65535", "65535" },
	{ CFG_STRING, "Anna Maria", "Anna Maria" },
	{ CFG_SECRET, "pa ss", "****" },
	{ CFG_HOST, "192.0.2.10", "192.0.2.10" },
	{ CFG_HOST, "2001:db8::1", "2001:db8::1" },
	{ CFG_HOST, "[2001:db8::2]", "2001:db8::2" },
	{ CFG_HOST, "sip-1.Example.com.", "sip-1.Example.com." },
	{ CFG_HOST, "", "" },
	{ CFG_PATH, SRCDIR "/Makefile", SRCDIR "/Makefile" },
	{ CFG_PATH, "", "" },
	{ CFG_PROTO, "udp", "UDP" }, { CFG_PROTO, "Tcp", "TCP" },
	{ CFG_PROTO, "TLS", "TLS" },
	{ CFG_LOGLEVEL, "DEBUG", "debug" }, { CFG_LOGLEVEL, "warn", "warning" },
	{ CFG_LOGLEVEL, "error", "error" },
	{ CFG_REDUNDANCY, "concurrent", "concurrent" },
	{ CFG_REDUNDANCY, "Failover", "failover" },
	{ CFG_UUID, "0123abcd-89ab-CDEF-0123-456789abcdef",
	  "0123abcd-89ab-CDEF-0123-456789abcdef" },
	{ CFG_IPADDR, "192.0.2.53", "192.0.2.53" },
	{ CFG_IPADDR, "[2001:db8::53]", "2001:db8::53" },
	{ CFG_IPADDR, "", "" },
	{ CFG_DNSLIST, "10.0.0.1", "10.0.0.1" },
	{ CFG_DNSLIST, "10.0.0.1:53,::1,[fe80::1]:5300",
	  "10.0.0.1:53,::1,[fe80::1]:5300" },
};

/* Bad values per type and the reason given. */
struct bad {
	enum cfg_type type;
	const char *in, *why;
};

static const struct bad bads[] = {
	{ CFG_BOOL, "2", "\"2\": expected 0 or 1" },
	{ CFG_BOOL, "", "\"\": expected 0 or 1" },
	{ CFG_BOOL, "enabled", "\"enabled\": expected 0 or 1" },
	{ CFG_U32, "", "\"\": not a number" },
	{ CFG_U32, "-1", "\"-1\": not a number" },
	{ CFG_U32, "1e3", "\"1e3\": not a number" },
	{ CFG_U32, "0x10", "\"0x10\": not a number" },
	{ CFG_U32, "12 ms", "\"12 ms\": not a number" },
	{ CFG_MARK, "-1", "\"-1\": expected 0..4294967295 or 0x hex" },
	{ CFG_MARK, "4294967296", "\"4294967296\": expected 0..4294967295 "
	  "or 0x hex" },
	{ CFG_MARK, "0x", "\"0x\": expected 0..4294967295 or 0x hex" },
	{ CFG_MARK, "0xfg", "\"0xfg\": expected 0..4294967295 or 0x hex" },
	{ CFG_PORT, "0", "0 out of range 1..65535" },
	{ CFG_PORT, "65536", "65536 out of range 1..65535" },
	{ CFG_PORT, "99999999999", "99999999999 out of range 1..65535" },
	{ CFG_PORT, "", "\"\": not a number" },
	{ CFG_PORT, "sip", "\"sip\": not a number" },
	{ CFG_STRING, "a\tb", "control character in value" },
	{ CFG_SECRET, "a\x01", "control character in value" },
	{ CFG_HOST, "pbx.example.com:5060", "\"pbx.example.com:5060\": not "
	  "a host name or IP address (the port has its own key)" },
	{ CFG_HOST, "bad_host!", "\"bad_host!\": not a host name or IP "
	  "address" },
	{ CFG_HOST, "-lead.example.com", "\"-lead.example.com\": not a host "
	  "name or IP address" },
	{ CFG_HOST, "a..b", "\"a..b\": not a host name or IP address" },
	{ CFG_HOST, "192.0.2.300", "\"192.0.2.300\": not a host name or IP "
	  "address" },
	{ CFG_HOST, "[192.0.2.1]", "\"[192.0.2.1]\": bad IPv6 literal" },
	{ CFG_HOST, "[2001:db8::1", "\"[2001:db8::1\": bad IPv6 literal" },
	{ CFG_HOST, "sip:pbx", "\"sip:pbx\": not a host name or IP address "
	  "(the port has its own key)" },
	{ CFG_IPADDR, "sip.example.com", "\"sip.example.com\": not an IP "
	  "address" },
	{ CFG_IPADDR, "192.0.2.300", "\"192.0.2.300\": not a host name or "
	  "IP address" },
	{ CFG_PATH, "/nonexistent/ca.pem", "cannot read /nonexistent/ca.pem: "
	  "No such file or directory" },
	{ CFG_PROTO, "SCTP", "\"SCTP\": expected UDP, TCP or TLS" },
	{ CFG_REDUNDANCY, "hot", "\"hot\": expected failover or concurrent" },
	{ CFG_PROTO, "", "\"\": expected UDP, TCP or TLS" },
	{ CFG_LOGLEVEL, "trace", "\"trace\": expected error, warning, info "
	  "or debug" },
	{ CFG_UUID, "0123abcd-89ab-cdef-0123-456789abcde", "\"0123abcd-89ab-"
	  "cdef-0123-456789abcde\": expected a UUID like "
	  "01234567-89ab-cdef-0123-456789abcdef" },
	{ CFG_UUID, "0123abcd+89ab-cdef-0123-456789abcdef", "\"0123abcd+89ab-"
	  "cdef-0123-456789abcdef\": expected a UUID like "
	  "01234567-89ab-cdef-0123-456789abcdef" },
	{ CFG_DNSLIST, "10.0.0.1,", "\"10.0.0.1,\": expected ip[:port],"
	  "[ipv6]:port,..." },
	{ CFG_DNSLIST, "dns.example.com", "\"dns.example.com\": expected "
	  "ip[:port],[ipv6]:port,..." },
	{ CFG_DNSLIST, "10.0.0.1:0", "\"10.0.0.1:0\": expected ip[:port],"
	  "[ipv6]:port,..." },
	{ CFG_DNSLIST, "[::1:53", "\"[::1:53\": expected ip[:port],"
	  "[ipv6]:port,..." },
};

static void test_every_key_good_values(void **state)
{
	const struct cfg_key *keys;
	size_t n, i, g, tested = 0;

	(void)state;
	keys = config_keys(&n);
	for (i = 0; i < n; i++) {
		bool any = false;

		for (g = 0; g < sizeof(goods) / sizeof(goods[0]); g++) {
			char name[128], text[1024], val[600];
			struct config cfg;
			struct diag d;

			if (goods[g].type != keys[i].type)
				continue;
			any = true;
			/* Line 5 shows that indices reach the right line. */
			concrete(&keys[i], 5, name, sizeof(name));
			const char *pair = "";

			/* Valid around it whatever the key. */
			if (strstr(name, "tls/cert_file"))
				pair = SIP "tls/key_file=" SRCDIR "/Makefile\n";
			if (strstr(name, "tls/key_file"))
				pair = SIP "tls/cert_file=" SRCDIR "/Makefile\n";
			if (*pair && !*goods[g].in)
				continue;
			snprintf(text, sizeof(text), "voip/line/5/id=u\n"
				 SIP "proxy_address=pbx\n"
				 SIP "sip_outbound_proxy/addr=op\n"
				 SIP "sip_registrar/addr=rg\n%s%s=%s\n", pair,
				 name, goods[g].in);
			if (load(text, &cfg, &d)) {
				dump(&d);
				fail_msg("%s", text);
			}
			assert_int_equal(d.n_err, 0);
			printed(&cfg, name, val, sizeof(val));
			if (strcmp(val, goods[g].out))
				fail_msg("%s=%s printed as %s", name,
					 goods[g].in, val);
			tested++;
		}
		if (!any && keys[i].type != CFG_U32)
			fail_msg("no good value for %s", keys[i].name);
	}
	assert_true(tested > n);
}

/* U32 keys: both ends of the range, one past each end. */
static void test_every_u32_range(void **state)
{
	const struct cfg_key *keys;
	size_t n, i;

	(void)state;
	keys = config_keys(&n);
	for (i = 0; i < n; i++) {
		const struct cfg_key *k = &keys[i];
		char text[256], why[256], val[32];
		struct config cfg;
		struct diag d;

		if (k->type != CFG_U32)
			continue;
		/*
		 * Keeps sip_t1 <= sip_t2 and the backoff's base <= its cap
		 * whichever is tested.
		 */
#define T12 SIP "sip_t1=100\n" SIP "sip_t2=40000\n" \
	SIP "registration_failed_timeout=10\n" \
	SIP "registration_failed_max_timeout=86400\n"
		snprintf(text, sizeof(text), T12 "%s=%u\n", k->name, k->min);
		assert_int_equal(load(text, &cfg, &d), 0);
		printed(&cfg, k->name, val, sizeof(val));
		assert_int_equal(strtoul(val, NULL, 10), k->min);
		snprintf(text, sizeof(text), T12 "%s=%u\n", k->name, k->max);
		assert_int_equal(load(text, &cfg, &d), 0);
		printed(&cfg, k->name, val, sizeof(val));
		assert_int_equal(strtoul(val, NULL, 10), k->max);

		snprintf(text, sizeof(text), T12 "%s=%u\n", k->name,
			 k->max + 1);
		assert_int_equal(load(text, &cfg, &d), -EINVAL);
		snprintf(why, sizeof(why), "t.conf:5: %s: %u out of range %u..%u",
			 k->name, k->max + 1, k->min, k->max);
		if (!has_msg(&d, why)) {
			dump(&d);
			fail_msg("expected %s", why);
		}
		if (!k->min)
			continue;
		snprintf(text, sizeof(text), T12 "%s=%u\n", k->name,
			 k->min - 1);
		assert_int_equal(load(text, &cfg, &d), -EINVAL);
		snprintf(why, sizeof(why), "t.conf:5: %s: %u out of range %u..%u",
			 k->name, k->min - 1, k->min, k->max);
		assert_true(has_msg(&d, why));
		assert_int_equal(d.n_err, 1);
	}
}

static void test_every_key_bad_values(void **state)
{
	const struct cfg_key *keys;
	size_t n, i, b, tested = 0;

	(void)state;
	keys = config_keys(&n);
	for (i = 0; i < n; i++) {
		for (b = 0; b < sizeof(bads) / sizeof(bads[0]); b++) {
			char name[128], text[1024], want[1024];
			struct config cfg;
			struct diag d;

			if (bads[b].type != keys[i].type)
				continue;
			concrete(&keys[i], 2, name, sizeof(name));
			snprintf(text, sizeof(text), "# x\n%s=%s\n", name,
				 bads[b].in);
			assert_int_equal(load(text, &cfg, &d), -EINVAL);
			snprintf(want, sizeof(want), "t.conf:2: %s: %s", name,
				 bads[b].why);
			if (!has_msg(&d, want)) {
				dump(&d);
				fail_msg("expected: %s", want);
			}
			assert_int_equal(d.n_err, 1);
			tested++;
		}
	}
	assert_true(tested >= n);
}

static void test_too_long(void **state)
{
	char text[2048], want[256];
	struct config cfg;
	struct diag d;

	(void)state;
	memset(text, 0, sizeof(text));
	strcpy(text, "voip/line/0/auth_password=");
	memset(text + strlen(text), 'x', CFG_NAME_MAX);
	assert_int_equal(load(text, &cfg, &d), -EINVAL);
	snprintf(want, sizeof(want), "t.conf:1: voip/line/0/auth_password: "
		 "longer than %d characters", CFG_NAME_MAX - 1);
	assert_true(has_msg(&d, want));
	/* One less fits. */
	text[strlen(text) - 1] = '\0';
	assert_int_equal(load(text, &cfg, &d), 0);
	assert_int_equal(strlen(cfg.line[0].auth_password), CFG_NAME_MAX - 1);

	strcpy(text, SIP "proxy_address=");
	memset(text + strlen(text), 'a', 300);
	assert_int_equal(load(text, &cfg, &d), -EINVAL);
	assert_int_equal(d.n_err, 1);
}

static void test_bom_and_tls_ip(void **state)
{
	struct config cfg;
	struct diag d;

	(void)state;
	assert_int_equal(load("\xef\xbb\xbf" BASE, &cfg, &d), 0);
	assert_int_equal(d.n, 0);
	assert_true(cfg.line[0].enabled);
	/* Only the first line may carry it. */
	assert_int_equal(load(BASE "\xef\xbb\xbfx=1\n", &cfg, &d), 0);
	assert_int_equal(d.n_warn, 1);

	assert_int_equal(load(BASE SIP "proxy_address=192.0.2.7\n"
			      SIP "transport_protocol=TLS\n", &cfg, &d), 0);
	assert_true(has_msg(&d, "t.conf:4: " SIP "proxy_address: TLS checks "
			    "the server against the SIP domain (RFC 5922); an "
			    "IP address here rarely matches a certificate"));
	assert_int_equal(load(BASE SIP "transport_protocol=TLS\n", &cfg, &d),
			 0);
	assert_int_equal(d.n, 0);
}

/* Concurrent mode: its count bounded, and a warning for one server. */
static void test_concurrent_mode(void **state)
{
	struct config cfg;
	struct diag d;

	(void)state;
	assert_int_equal(load(BASE SIP "redundant_proxy/mode=concurrent\n"
			      SIP "redundant_proxy/concurrent_servers=3\n",
			      &cfg, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(cfg.sip.redundancy, CFG_RED_CONCURRENT);
	assert_int_equal(cfg.sip.concurrent_servers, 3);
	assert_int_equal(load(BASE SIP "redundant_proxy/concurrent_servers=5\n",
			      &cfg, &d), -EINVAL);
	assert_true(has_msg(&d, "t.conf:4: " SIP "redundant_proxy/"
			    "concurrent_servers: 5 out of range 2..4"));
	assert_int_equal(load(BASE SIP "redundant_proxy/concurrent_servers=1\n",
			      &cfg, &d), -EINVAL);
	/* An IP literal is one server: a warning, the file still loads. */
	assert_int_equal(load(BASE SIP "proxy_address=192.0.2.7\n"
			      SIP "redundant_proxy/mode=concurrent\n",
			      &cfg, &d), 0);
	assert_int_equal(d.n_err, 0);
	assert_true(has_msg(&d, "t.conf:5: " SIP "redundant_proxy/mode: "
			    "concurrent needs a host name DNS lists several "
			    "servers for; with one server it works as "
			    "failover"));
	assert_int_equal(load(BASE SIP "proxy_address=2001:db8::7\n"
			      SIP "redundant_proxy/mode=concurrent\n",
			      &cfg, &d), 0);
	assert_true(has_msg(&d, "t.conf:5: " SIP "redundant_proxy/mode: "
			    "concurrent needs a host name DNS lists several "
			    "servers for; with one server it works as "
			    "failover"));
	/* Failover mode with an IP literal: only the override's warning. */
	assert_int_equal(load(BASE SIP "proxy_address=192.0.2.7\n",
			      &cfg, &d), 0);
	assert_int_equal(d.n_warn, 1);
}

static void test_syntax_errors(void **state)
{
	struct config cfg;
	struct diag d;

	(void)state;
	assert_int_equal(load(BASE "just words\n= 5\n", &cfg, &d), -EINVAL);
	assert_true(has_msg(&d, "t.conf:4: expected key=value"));
	assert_true(has_msg(&d, "t.conf:5: empty key"));
	assert_int_equal(d.n_err, 2);
}

static void test_every_error_reported(void **state)
{
	struct config cfg;
	struct diag d;

	(void)state;
	assert_int_equal(load(SIP "sip_t1=0\n" SIP "proxy_port=0\n"
			      "voip/line/1/enabled=maybe\n", &cfg, &d),
			 -EINVAL);
	assert_int_equal(d.n_err, 3);
	assert_true(has_msg(&d, "t.conf:3: voip/line/1/enabled: \"maybe\": "
			    "expected 0 or 1"));
}

static void test_unknown_keys(void **state)
{
	struct config cfg;
	struct diag d;

	(void)state;
	assert_int_equal(load(BASE SIP "no_such_key=1\n"
			      "voip/line/8/id=x\n"
			      "voip/line/01/id=x\n"
			      "voip/line/0/nope=x\n"
			      "voip/line/123/id=x\n"
			      "voip/line/x/id=x\n"
			      "voip/line/0/\n", &cfg, &d), -EINVAL);
	/* The last line has no '=': the only error. */
	assert_int_equal(d.n_err, 1);
	assert_true(has_msg(&d, "t.conf:4: unknown key \""
			    SIP "no_such_key\""));
	assert_true(has_msg(&d, "t.conf:5: voip/line/8/id: line index out of "
			    "range 0..7, ignored"));
	assert_true(has_msg(&d, "t.conf:6: unknown key \"voip/line/01/id\""));
	assert_true(has_msg(&d, "t.conf:7: unknown key \"voip/line/0/nope\""));
	assert_true(has_msg(&d, "t.conf:8: voip/line/123/id: line index out "
			    "of range 0..7, ignored"));
	assert_true(has_msg(&d, "t.conf:9: unknown key \"voip/line/x/id\""));
	assert_int_equal(d.n_warn, 6);

	assert_int_equal(load(BASE "Voip/line/0/id=x\n", &cfg, &d), 0);
	assert_true(has_msg(&d, "t.conf:4: unknown key \"Voip/line/0/id\""));
	assert_string_equal(cfg.line[0].id, "100");
}

static void test_duplicate_last_wins(void **state)
{
	struct config cfg;
	struct diag d;

	(void)state;
	assert_int_equal(load(BASE SIP "sip_t1=600\n" SIP "sip_t1 = 700\n",
			      &cfg, &d), 0);
	assert_int_equal(cfg.sip.t1_ms, 700);
	assert_true(has_msg(&d, "t.conf:5: " SIP "sip_t1: also set on line 4;"
			    " this value wins"));
	assert_int_equal(d.n_warn, 1);
}

static void test_cross_key_rules(void **state)
{
	struct config cfg;
	struct diag d;

	(void)state;
	assert_int_equal(load(BASE SIP "sip_t1=3000\n" SIP "sip_t2=2000\n",
			      &cfg, &d), -EINVAL);
	assert_true(has_msg(&d, "t.conf:5: " SIP "sip_t2: must not be less "
			    "than sip_t1"));
	/* Defaulted sip_t2 (4000) below sip_t1: reported against the file. */
	assert_int_equal(load(BASE SIP "sip_t1=5000\n", &cfg, &d), -EINVAL);
	assert_true(has_msg(&d, "t.conf: " SIP "sip_t2: must not be less "
			    "than sip_t1"));

	assert_int_equal(load("voip/line/3/enabled=1\n"
			      SIP "proxy_address=pbx\n", &cfg, &d), -EINVAL);
	assert_true(has_msg(&d, "t.conf: voip/line/3/id: required when the "
			    "line is enabled"));

	assert_int_equal(load("voip/line/0/enabled=1\nvoip/line/0/id=1\n",
			      &cfg, &d), -EINVAL);
	assert_true(has_msg(&d, "t.conf: " SIP "proxy_address: required when "
			    "a line is enabled"));

	assert_int_equal(load(BASE SIP "tls/cert_file=" SRCDIR "/Makefile\n",
			      &cfg, &d), -EINVAL);
	assert_true(has_msg(&d, "t.conf: " SIP "tls/key_file: tls/cert_file "
			    "and tls/key_file go together"));
	assert_int_equal(load(BASE SIP "tls/key_file=" SRCDIR "/Makefile\n",
			      &cfg, &d), -EINVAL);
	assert_true(has_msg(&d, "t.conf: " SIP "tls/cert_file: tls/cert_file "
			    "and tls/key_file go together"));

	assert_int_equal(load(BASE SIP "sip_outbound_proxy/enabled=1\n",
			      &cfg, &d), -EINVAL);
	assert_true(has_msg(&d, "t.conf: " SIP "sip_outbound_proxy/addr: "
			    "required when enabled is 1"));
	assert_int_equal(load(BASE SIP "sip_registrar/enabled=1\n",
			      &cfg, &d), -EINVAL);
	assert_true(has_msg(&d, "t.conf: " SIP "sip_registrar/addr: "
			    "required when enabled is 1"));

	assert_int_equal(load(BASE SIP "use_proxy=0\n", &cfg, &d), 0);
	assert_true(has_msg(&d, "t.conf: use_proxy is 0 and no registrar is "
			    "enabled: no line registers"));

	/* The backoff's cap below its base; defaulted cap below a base. */
	assert_int_equal(load(BASE SIP "registration_failed_timeout=120\n"
			      SIP "registration_failed_max_timeout=100\n",
			      &cfg, &d), -EINVAL);
	assert_true(has_msg(&d, "t.conf:5: " SIP "registration_failed_max_"
			    "timeout: must not be less than registration_"
			    "failed_timeout"));
	assert_int_equal(load(BASE SIP "registration_failed_timeout=3600\n",
			      &cfg, &d), -EINVAL);
	assert_true(has_msg(&d, "t.conf: " SIP "registration_failed_max_"
			    "timeout: must not be less than registration_"
			    "failed_timeout"));
	assert_int_equal(load(BASE SIP "registration_failed_timeout=1800\n",
			      &cfg, &d), 0);

	assert_int_equal(load(BASE SIP "steering/service_name=\n", &cfg, &d),
			 -EINVAL);
	assert_true(has_msg(&d, "t.conf:4: " SIP "steering/service_name: "
			    "must not be empty"));
	assert_int_equal(d.n_err, 1);
	assert_int_equal(load(BASE SIP "steering/service_name=phone sip\n",
			      &cfg, &d), 0);
	assert_string_equal(cfg.sip.steering_service, "phone sip");
}

static void test_target(void **state)
{
	struct cfg_target t;
	struct config cfg;
	struct diag d;

	(void)state;
	assert_int_equal(load(BASE, &cfg, &d), 0);
	assert_true(config_target(&cfg, &t));
	assert_string_equal(t.domain, "pbx.example.com");
	assert_string_equal(t.host, "pbx.example.com");
	assert_int_equal(t.port, CFG_PORT_SRV);

	assert_int_equal(load(BASE SIP "proxy_port=5070\n"
			      SIP "sip_registrar/enabled=1\n"
			      SIP "sip_registrar/addr=reg.example.com\n"
			      SIP "sip_registrar/port=5080\n", &cfg, &d), 0);
	assert_true(config_target(&cfg, &t));
	assert_string_equal(t.domain, "pbx.example.com");
	assert_string_equal(t.host, "reg.example.com");
	assert_int_equal(t.port, 5080);

	assert_int_equal(load(BASE SIP "sip_outbound_proxy/enabled=1\n"
			      SIP "sip_outbound_proxy/addr=[2001:db8::5]\n"
			      SIP "sip_outbound_proxy/port=5062\n"
			      SIP "sip_registrar/enabled=1\n"
			      SIP "sip_registrar/addr=reg.example.com\n",
			      &cfg, &d), 0);
	assert_true(config_target(&cfg, &t));
	assert_string_equal(t.domain, "pbx.example.com");
	assert_string_equal(t.host, "2001:db8::5");
	assert_int_equal(t.port, 5062);

	/* use_proxy=0: the registrar names the domain. */
	assert_int_equal(load(BASE SIP "use_proxy=0\n"
			      SIP "sip_registrar/enabled=1\n"
			      SIP "sip_registrar/addr=10.1.1.1\n"
			      SIP "sip_registrar/port=5060\n", &cfg, &d), 0);
	assert_true(config_target(&cfg, &t));
	assert_string_equal(t.domain, "10.1.1.1");
	assert_string_equal(t.host, "10.1.1.1");
	assert_int_equal(t.port, 5060);

	assert_int_equal(load(BASE SIP "use_proxy=0\n", &cfg, &d), 0);
	assert_false(config_target(&cfg, &t));
}

static void test_print_masks_and_round_trips(void **state)
{
	struct config cfg, again;
	char *buf = NULL;
	size_t size = 0;
	struct diag d;
	FILE *f;

	(void)state;
	assert_int_equal(load(BASE "voip/line/0/auth_password=hunter2\n"
			      "voip/line/4/description=spare\n"
			      SIP "transport_protocol=tcp\n"
			      SIP "socket_mark=77\n", &cfg, &d), 0);
	f = open_memstream(&buf, &size);
	config_print(&cfg, f);
	fclose(f);
	assert_null(strstr(buf, "hunter2"));
	assert_non_null(strstr(buf, "voip/line/0/auth_password=****\n"));
	assert_non_null(strstr(buf, "voip/line/4/description=spare\n"));
	/* Lines never mentioned are left out. */
	assert_null(strstr(buf, "voip/line/1/"));
	assert_non_null(strstr(buf, SIP "transport_protocol=TCP\n"));
	assert_non_null(strstr(buf, SIP "socket_mark=0x4d\n"));
	assert_non_null(strstr(buf, SIP "outgoing_request_no_response_timeout_ms"
			       "=32000\n"));

	/* The output reads back to the same configuration but the password. */
	assert_int_equal(load(buf, &again, &d), 0);
	assert_string_equal(again.line[0].auth_password, "****");
	strcpy(again.line[0].auth_password, "hunter2");
	assert_memory_equal(&cfg, &again, sizeof(cfg));
	free(buf);
}

static void test_line_changed(void **state)
{
	struct config a, b;
	struct diag d;

	(void)state;
	assert_int_equal(load(BASE "voip/line/1/enabled=1\nvoip/line/1/id=2\n",
			      &a, &d), 0);
	assert_int_equal(load(BASE "voip/line/1/enabled=1\nvoip/line/1/id=3\n",
			      &b, &d), 0);
	assert_false(config_line_changed(&a, &b, 0));
	assert_true(config_line_changed(&a, &b, 1));
	assert_false(config_line_changed(&a, &b, 2));
	/* Log level alone restarts nothing. */
	b = a;
	b.log_level = LOG_LVL_DEBUG;
	assert_false(config_line_changed(&a, &b, 0));
	assert_false(config_set_changed(&a, &b));
	b = a;
	b.sip.t1_ms = 600;
	assert_true(config_line_changed(&a, &b, 0));
	assert_true(config_line_changed(&a, &b, 1));
	assert_false(config_set_changed(&a, &b));

	/* The set's policy changes without re-registering a line. */
	b = a;
	b.sip.hold_down_s = 90;
	assert_false(config_line_changed(&a, &b, 0));
	assert_true(config_set_changed(&a, &b));
	b = a;
	b.sip.steering_vport = 5070;
	assert_false(config_line_changed(&a, &b, 1));
	assert_true(config_set_changed(&a, &b));
	b = a;
	b.sip.dns_tries = 3;	/* the last field before the set's part */
	assert_true(config_line_changed(&a, &b, 0));
	assert_false(config_set_changed(&a, &b));
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/test_config.XXXXXX";
	struct config cfg;
	struct diag d;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_true(write(fd, BASE "x=1\n" SIP "sip_t1=abc", strlen(BASE) + 4 +
			  strlen(SIP "sip_t1=abc")) > 0);
	close(fd);
	memset(&d, 0, sizeof(d));
	assert_int_equal(config_load_file(path, &cfg, collect, &d), -EINVAL);
	{
		char want[256];

		snprintf(want, sizeof(want), "%s:4: unknown key \"x\"", path);
		assert_true(has_msg(&d, want));
		/* The last line has no newline and is still read. */
		snprintf(want, sizeof(want), "%s:5: " SIP "sip_t1: \"abc\": not "
			 "a number", path);
		assert_true(has_msg(&d, want));
	}
	unlink(path);

	memset(&d, 0, sizeof(d));
	assert_int_equal(config_load_file("/nonexistent/sipsteerd.conf", &cfg,
					  collect, &d), -ENOENT);
	assert_true(has_msg(&d, "/nonexistent/sipsteerd.conf: No such file or "
			    "directory"));
}

/* Every key has a row in the admin guide: | `name` | `default` | ... */
static void test_admin_guide_lists_every_key(void **state)
{
	const struct cfg_key *keys;
	char *doc = NULL;
	size_t n, i, cap = 0;
	FILE *f;

	(void)state;
	f = fopen(SRCDIR "/Documentation/admin-guide.md", "r");
	assert_non_null(f);
	assert_true(getdelim(&doc, &cap, '\0', f) > 0);
	fclose(f);
	keys = config_keys(&n);
	for (i = 0; i < n; i++) {
		char row[512];

		snprintf(row, sizeof(row), "\n| `%s` | %s%s%s |", keys[i].name,
			 keys[i].def[0] ? "`" : "", keys[i].def[0] ?
			 keys[i].def : "(empty)", keys[i].def[0] ? "`" : "");
		if (!strstr(doc, row)) {
			free(doc);
			fail_msg("admin guide has no row %s", row + 1);
		}
	}
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_typical_file),
		cmocka_unit_test(test_every_key_good_values),
		cmocka_unit_test(test_every_u32_range),
		cmocka_unit_test(test_every_key_bad_values),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_bom_and_tls_ip),
		cmocka_unit_test(test_concurrent_mode),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_every_error_reported),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_duplicate_last_wins),
		cmocka_unit_test(test_cross_key_rules),
		cmocka_unit_test(test_target),
		cmocka_unit_test(test_print_masks_and_round_trips),
		cmocka_unit_test(test_line_changed),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_admin_guide_lists_every_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
