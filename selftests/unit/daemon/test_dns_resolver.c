// SPDX-License-Identifier: GPL-2.0
/*
 * The RFC 3263 resolver against an in-process DNS responder on loopback
 * (helpers/fakedns.h): NAPTR -> SRV -> A/AAAA, fall-through on "no such
 * record", TTLs, the shared cache, and the stale answer while DNS is
 * down. The integration tests repeat the main cases against dnsmasq.
 */
#include <arpa/inet.h>
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

#include "core/log.h"
#include "core/loop.h"
#include "dns/resolver.h"
#include "helpers/fakedns.h"
#include "helpers/testloop.h"

struct got {
	bool done;
	int calls;
	enum dns_status st;
	unsigned int n;
	struct sip_server s[16];
	uint32_t ttl;
};

struct fx {
	struct loop *loop;
	struct fakedns dns;
	struct resolver *r;
};

static void on_result(void *arg, const struct dns_result *res)
{
	struct got *g = arg;

	g->done = true;
	g->calls++;
	g->st = res->status;
	g->ttl = res->ttl_s;
	g->n = res->n_servers < 16 ? res->n_servers : 16;
	if (g->n)
		memcpy(g->s, res->servers, g->n * sizeof(g->s[0]));
}

static const char *addr_str(const struct sip_server *s)
{
	static char out[4][64];
	static int k;
	char ip[INET6_ADDRSTRLEN];
	char *o = out[k++ % 4];

	if (s->addr.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)&s->addr;

		inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
		snprintf(o, 64, "[%s]:%u", ip, ntohs(a->sin6_port));
	} else {
		const struct sockaddr_in *a = (const void *)&s->addr;

		inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
		snprintf(o, 64, "%s:%u", ip, ntohs(a->sin_port));
	}
	return o;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct resolver_opts o = { .timeout_ms = 250, .tries = 1 };

	if (!f || loop_new(&f->loop) || fakedns_start(&f->dns, f->loop))
		return -1;
	o.servers = f->dns.servers;
	if (resolver_new(f->loop, &o, &f->r))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	resolver_free(f->r);
	fakedns_stop(&f->dns);
	loop_free(f->loop);
	free(f);
	return 0;
}

static void resolve(struct fx *f, const char *host, uint16_t port,
		    enum tp_proto proto, struct got *g)
{
	memset(g, 0, sizeof(*g));
	assert_int_equal(resolver_resolve(f->r, host, port, proto, on_result,
					  g), 0);
	/* Never from inside the call. */
	assert_int_equal(g->calls, 0);
	assert_true(testloop_run_until(f->loop, &g->done, 10000));
	assert_int_equal(g->calls, 1);
}

static void test_ip_literal(void **state)
{
	struct fx *f = *state;
	struct got g;

	resolve(f, "192.0.2.5", 0, TP_UDP, &g);
	assert_int_equal(g.st, DNS_OK);
	assert_int_equal(g.n, 1);
	assert_string_equal(addr_str(&g.s[0]), "192.0.2.5:5060");
	assert_int_equal(g.ttl, DNS_TTL_FOREVER);
	resolve(f, "[2001:db8::1]", DNS_PORT_SRV, TP_TLS, &g);
	assert_string_equal(addr_str(&g.s[0]), "[2001:db8::1]:5061");
	assert_int_equal(g.s[0].proto, TP_TLS);
	resolve(f, "2001:db8::2", 5080, TP_TCP, &g);
	assert_string_equal(addr_str(&g.s[0]), "[2001:db8::2]:5080");
	assert_int_equal(f->dns.queries, 0);
}

static void zone_example(struct fakedns *d)
{
	fakedns_naptr(d, "example.com", 3600, 10, 20, "s", "SIP+D2T",
		      "_sip._tcp.example.com");
	fakedns_naptr(d, "example.com", 3600, 10, 10, "s", "SIP+D2U",
		      "_sip._udp.example.com");
	fakedns_naptr(d, "example.com", 3600, 5, 10, "s", "SIPS+D2T",
		      "_sips._tcp.example.com");
	fakedns_srv(d, "_sip._udp.example.com", 300, 20, 0, 5080,
		    "sip2.example.com");
	fakedns_srv(d, "_sip._udp.example.com", 300, 10, 0, 5070,
		    "sip1.example.com");
	fakedns_srv(d, "_sip._tcp.example.com", 300, 10, 0, 5090,
		    "tcp.example.com");
	fakedns_addr(d, "sip1.example.com", 100, "192.0.2.1");
	fakedns_addr(d, "sip1.example.com", 150, "2001:db8::1");
	fakedns_addr(d, "sip2.example.com", 40, "192.0.2.2");
	fakedns_addr(d, "tcp.example.com", 500, "192.0.2.3");
}

static void test_naptr_srv_a_chain(void **state)
{
	struct fx *f = *state;
	struct got g;

	zone_example(&f->dns);
	resolve(f, "example.com", DNS_PORT_SRV, TP_UDP, &g);
	assert_int_equal(g.st, DNS_OK);
	assert_int_equal(g.n, 3);
	/* Priority order; each host's AAAA before its A. */
	assert_string_equal(addr_str(&g.s[0]), "[2001:db8::1]:5070");
	assert_string_equal(addr_str(&g.s[1]), "192.0.2.1:5070");
	assert_string_equal(addr_str(&g.s[2]), "192.0.2.2:5080");
	assert_string_equal(g.s[0].target, "sip1.example.com");
	assert_int_equal(g.s[0].priority, 10);
	assert_int_equal(g.s[2].priority, 20);
	assert_int_equal(g.s[0].proto, TP_UDP);
	/* The smallest TTL along the chain: sip2's A record. */
	assert_int_equal(g.ttl, 40);
	/* Only the UDP branch was followed. */
	assert_int_equal(f->dns.q_naptr, 1);
	assert_int_equal(f->dns.q_srv, 1);
	assert_int_equal(f->dns.q_a, 2);
	assert_int_equal(f->dns.q_aaaa, 2);

	resolve(f, "example.com", 0, TP_TCP, &g);
	assert_int_equal(g.st, DNS_OK);
	assert_int_equal(g.n, 1);
	assert_string_equal(addr_str(&g.s[0]), "192.0.2.3:5090");
	assert_int_equal(g.s[0].proto, TP_TCP);
	assert_int_equal(g.ttl, 300);
}

/* NAPTR for TLS points at a name without SRV: fall through to the
 * host's own addresses on 5061. */
static void test_naptr_to_missing_srv(void **state)
{
	struct fx *f = *state;
	struct got g;

	zone_example(&f->dns);
	fakedns_addr(&f->dns, "example.com", 60, "192.0.2.50");
	resolve(f, "example.com", DNS_PORT_SRV, TP_TLS, &g);
	assert_int_equal(g.st, DNS_OK);
	assert_int_equal(g.n, 1);
	assert_string_equal(addr_str(&g.s[0]), "192.0.2.50:5061");
}

static void test_srv_without_naptr(void **state)
{
	struct fx *f = *state;
	struct got g;

	fakedns_srv(&f->dns, "_sips._tcp.example.org", 120, 1, 0, 5071,
		    "tls.example.org");
	fakedns_addr(&f->dns, "tls.example.org", 90, "192.0.2.71");
	resolve(f, "example.org", DNS_PORT_SRV, TP_TLS, &g);
	assert_int_equal(g.st, DNS_OK);
	assert_int_equal(g.n, 1);
	assert_string_equal(addr_str(&g.s[0]), "192.0.2.71:5071");
	assert_int_equal(g.ttl, 90);
	assert_int_equal(f->dns.q_naptr, 1);
	assert_int_equal(f->dns.q_srv, 1);
}

static void test_host_fallback_default_port(void **state)
{
	struct fx *f = *state;
	struct got g;

	fakedns_addr(&f->dns, "pbx.example.net", 77, "192.0.2.10");
	resolve(f, "pbx.example.net", DNS_PORT_SRV, TP_UDP, &g);
	assert_int_equal(g.st, DNS_OK);
	assert_int_equal(g.n, 1);
	assert_string_equal(addr_str(&g.s[0]), "192.0.2.10:5060");
	assert_int_equal(g.ttl, 77);
	resolve(f, "pbx.example.net", 0, TP_TLS, &g);
	assert_string_equal(addr_str(&g.s[0]), "192.0.2.10:5061");
}

static void test_explicit_port_a_aaaa_only(void **state)
{
	struct fx *f = *state;
	struct got g;

	zone_example(&f->dns);
	resolve(f, "sip1.example.com", 5099, TP_UDP, &g);
	assert_int_equal(g.st, DNS_OK);
	assert_int_equal(g.n, 2);
	assert_string_equal(addr_str(&g.s[0]), "[2001:db8::1]:5099");
	assert_string_equal(addr_str(&g.s[1]), "192.0.2.1:5099");
	assert_int_equal(g.ttl, 100);
	assert_int_equal(f->dns.q_naptr, 0);
	assert_int_equal(f->dns.q_srv, 0);
	assert_int_equal(f->dns.q_a, 1);
	assert_int_equal(f->dns.q_aaaa, 1);
}

static void test_additional_section_used(void **state)
{
	struct fx *f = *state;
	struct got g;

	zone_example(&f->dns);
	f->dns.additional = true;
	resolve(f, "example.com", DNS_PORT_SRV, TP_UDP, &g);
	assert_int_equal(g.st, DNS_OK);
	assert_int_equal(g.n, 3);
	assert_string_equal(addr_str(&g.s[0]), "[2001:db8::1]:5070");
	assert_int_equal(g.ttl, 40);
	assert_int_equal(f->dns.q_a, 0);
	assert_int_equal(f->dns.q_aaaa, 0);
}

static void test_cache_shared(void **state)
{
	struct fx *f = *state;
	struct got g1 = { 0 }, g2 = { 0 }, g3;

	zone_example(&f->dns);
	/* Two lines with the same proxy: one lookup. */
	assert_int_equal(resolver_resolve(f->r, "Example.COM", DNS_PORT_SRV,
					  TP_UDP, on_result, &g1), 0);
	assert_int_equal(resolver_resolve(f->r, "example.com", 0, TP_UDP,
					  on_result, &g2), 0);
	assert_true(testloop_run_until(f->loop, &g2.done, 10000));
	testloop_run_until(f->loop, &g1.done, 1000);
	assert_int_equal(g1.calls, 1);
	assert_int_equal(g2.calls, 1);
	assert_int_equal(g1.n, 3);
	assert_int_equal(g2.n, 3);
	assert_int_equal(f->dns.q_naptr, 1);

	/* Within the TTL: from the cache, no query. */
	resolve(f, "example.com", DNS_PORT_SRV, TP_UDP, &g3);
	assert_int_equal(g3.st, DNS_OK);
	assert_int_equal(g3.n, 3);
	assert_true(g3.ttl <= 40 && g3.ttl >= 39);
	assert_int_equal(f->dns.queries, 6);
	assert_memory_equal(&g3.s[0], &g1.s[0], sizeof(g1.s[0]));
}

static void test_ttl_expiry_refetches(void **state)
{
	struct fx *f = *state;
	struct got g;

	fakedns_addr(&f->dns, "short.example", 1, "192.0.2.20");
	resolve(f, "short.example", 5060, TP_UDP, &g);
	assert_int_equal(g.ttl, 1);
	assert_int_equal(f->dns.q_a, 1);
	testloop_run_for(f->loop, 1100);
	f->dns.rr[0].data[9] = '1';	/* 192.0.2.21 */
	resolve(f, "short.example", 5060, TP_UDP, &g);
	assert_int_equal(g.st, DNS_OK);
	assert_int_equal(f->dns.q_a, 2);
	assert_string_equal(addr_str(&g.s[0]), "192.0.2.21:5060");
}

/* Reads what the code under test logged while @fn ran. */
static char *capture_stderr(void (*fn)(struct fx *, struct got *),
			    struct fx *f, struct got *g)
{
	char path[] = "/tmp/sipsteerd-test-log-XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	char *buf = calloc(1, 8192);

	assert_true(fd >= 0 && saved >= 0 && buf);
	unlink(path);
	dup2(fd, STDERR_FILENO);
	fn(f, g);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_true(pread(fd, buf, 8191, 0) >= 0);
	close(fd);
	return buf;
}

static void resolve_stale(struct fx *f, struct got *g)
{
	resolve(f, "example.com", DNS_PORT_SRV, TP_UDP, g);
}

static void test_stale_when_dns_down(void **state)
{
	struct fx *f = *state;
	struct got g, old;
	char *log;

	log_init("test", false, LOG_LVL_INFO);
	fakedns_naptr(&f->dns, "example.com", 1, 10, 10, "s", "SIP+D2U",
		      "_sip._udp.example.com");
	fakedns_srv(&f->dns, "_sip._udp.example.com", 1, 10, 0, 5070,
		    "sip1.example.com");
	fakedns_addr(&f->dns, "sip1.example.com", 1, "192.0.2.1");
	resolve(f, "example.com", DNS_PORT_SRV, TP_UDP, &old);
	assert_int_equal(old.st, DNS_OK);

	/* DNS goes down; the TTL runs out. */
	f->dns.silent = true;
	testloop_run_for(f->loop, 1100);
	log = capture_stderr(resolve_stale, f, &g);
	assert_int_equal(g.st, DNS_STALE);
	assert_int_equal(g.n, 1);
	assert_memory_equal(&g.s[0], &old.s[0], sizeof(g.s[0]));
	assert_int_equal(g.ttl, DNS_STALE_RETRY_S);
	assert_non_null(strstr(log, "dns: example.com: DNS unreachable ("));
	const char *ago = strstr(log, "using the last good answer from ");

	assert_non_null(ago);
	/* About 1 s: the TTL wait plus the DNS timeout. */
	long secs = strtol(ago + strlen("using the last good answer from "),
			   NULL, 10);

	assert_true(secs >= 1 && secs <= 3);
	assert_non_null(strstr(ago, " s ago"));
	free(log);

	/* Back up: a fresh answer again. */
	f->dns.silent = false;
	resolve(f, "example.com", DNS_PORT_SRV, TP_UDP, &g);
	assert_int_equal(g.st, DNS_OK);
}

static void test_failed_without_cache(void **state)
{
	struct fx *f = *state;
	struct got g;

	zone_example(&f->dns);
	f->dns.silent = true;
	resolve(f, "example.com", DNS_PORT_SRV, TP_UDP, &g);
	assert_int_equal(g.st, DNS_FAILED);
	assert_int_equal(g.n, 0);
	/* Down is not "no such record": no fall-through to SRV. */
	assert_int_equal(f->dns.q_srv, 0);
}

/* A timeout at any step of the chain is an outage, not "no record". */
static void test_outage_mid_chain(void **state)
{
	struct fx *f = *state;
	struct got g, old;

	fakedns_naptr(&f->dns, "example.com", 1, 10, 10, "s", "SIP+D2U",
		      "_sip._udp.example.com");
	fakedns_srv(&f->dns, "_sip._udp.example.com", 1, 10, 0, 5070,
		    "sip1.example.com");
	fakedns_addr(&f->dns, "sip1.example.com", 1, "192.0.2.1");
	f->dns.silent_type = DNS_T_SRV;
	resolve(f, "example.com", DNS_PORT_SRV, TP_UDP, &g);
	assert_int_equal(g.st, DNS_FAILED);
	/* No fall-through to the host's own A record either. */
	assert_int_equal(f->dns.q_a, 0);

	f->dns.silent_type = 0;
	resolve(f, "example.com", DNS_PORT_SRV, TP_UDP, &old);
	assert_int_equal(old.st, DNS_OK);
	testloop_run_for(f->loop, 1100);
	/* Addresses of the target time out: stale, not "not found". */
	f->dns.silent_type = DNS_T_A;
	resolve(f, "example.com", DNS_PORT_SRV, TP_UDP, &g);
	assert_int_equal(g.st, DNS_STALE);
	assert_int_equal(g.n, 1);
	assert_memory_equal(&g.s[0], &old.s[0], sizeof(g.s[0]));
}

/* SRV target "." (RFC 2782): not offered here; the others still are. */
static void test_srv_root_target_dropped(void **state)
{
	struct fx *f = *state;
	struct got g;

	fakedns_srv(&f->dns, "_sip._tcp.example.org", 60, 1, 0, 5060, "");
	fakedns_srv(&f->dns, "_sip._tcp.example.org", 60, 2, 0, 5062,
		    "b.example.org");
	fakedns_addr(&f->dns, "b.example.org", 60, "192.0.2.62");
	resolve(f, "example.org", 0, TP_TCP, &g);
	assert_int_equal(g.st, DNS_OK);
	assert_int_equal(g.n, 1);
	assert_string_equal(addr_str(&g.s[0]), "192.0.2.62:5062");
}

static void test_servfail_refused_are_unreachable(void **state)
{
	struct fx *f = *state;
	struct got g;

	zone_example(&f->dns);
	f->dns.rcode = 2;
	resolve(f, "example.com", DNS_PORT_SRV, TP_UDP, &g);
	assert_int_equal(g.st, DNS_FAILED);
	f->dns.rcode = 5;
	resolve(f, "sip1.example.com", 5060, TP_UDP, &g);
	assert_int_equal(g.st, DNS_FAILED);
}

static void test_not_found(void **state)
{
	struct fx *f = *state;
	struct got g;

	resolve(f, "nowhere.example", DNS_PORT_SRV, TP_UDP, &g);
	assert_int_equal(g.st, DNS_NOT_FOUND);
	assert_int_equal(g.n, 0);
	/* The whole RFC order was walked. */
	assert_int_equal(f->dns.q_naptr, 1);
	assert_int_equal(f->dns.q_srv, 1);
	assert_int_equal(f->dns.q_a, 1);
	assert_int_equal(f->dns.q_aaaa, 1);
}

static void test_records_withdrawn(void **state)
{
	struct fx *f = *state;
	struct got g;

	fakedns_addr(&f->dns, "gone.example", 1, "192.0.2.30");
	resolve(f, "gone.example", 5060, TP_UDP, &g);
	assert_int_equal(g.st, DNS_OK);
	f->dns.n_rr = 0;
	testloop_run_for(f->loop, 1100);
	/* An answer that says "no such name" is not a DNS outage. */
	resolve(f, "gone.example", 5060, TP_UDP, &g);
	assert_int_equal(g.st, DNS_NOT_FOUND);
}

struct canceller {
	struct fx *f;
	struct got *victim;
	struct got self;
};

static void on_result_cancel(void *arg, const struct dns_result *res)
{
	struct canceller *c = arg;

	on_result(&c->self, res);
	resolver_cancel(c->f->r, c->victim);
}

static void test_cancel(void **state)
{
	struct fx *f = *state;
	struct got a = { 0 }, b = { 0 };
	struct canceller c = { .f = f, .victim = &b };

	zone_example(&f->dns);
	assert_int_equal(resolver_resolve(f->r, "example.com", 0, TP_UDP,
					  on_result, &a), 0);
	resolver_cancel(f->r, &a);
	testloop_run_for(f->loop, 300);
	assert_int_equal(a.calls, 0);

	/* Cancelled from inside another caller's callback. */
	assert_int_equal(resolver_resolve(f->r, "192.0.2.1", 0, TP_UDP,
					  on_result_cancel, &c), 0);
	assert_int_equal(resolver_resolve(f->r, "192.0.2.2", 0, TP_UDP,
					  on_result, &b), 0);
	testloop_run_for(f->loop, 100);
	assert_int_equal(c.self.calls, 1);
	assert_int_equal(b.calls, 0);
	assert_int_equal(resolver_resolve(f->r, "", 0, TP_UDP, on_result, &a),
			 -EINVAL);
}

/* Freed with a lookup in flight: no callback, nothing leaked. */
static void test_free_in_flight(void **state)
{
	struct fx *f = *state;
	struct got g = { 0 };

	zone_example(&f->dns);
	f->dns.silent_type = DNS_T_SRV;
	assert_int_equal(resolver_resolve(f->r, "example.com", 0, TP_UDP,
					  on_result, &g), 0);
	testloop_run_for(f->loop, 30);
	assert_int_equal(f->dns.q_srv, 1);
	resolver_free(f->r);
	f->r = NULL;
	testloop_run_for(f->loop, 300);
	assert_int_equal(g.calls, 0);
}

static uint32_t rng_zero(void *ctx)
{
	(void)ctx;
	return 0;
}

static uint32_t rng_max(void *ctx)
{
	(void)ctx;
	return UINT32_MAX;
}

/* The weighted choice runs on the injected random source. */
static void test_weighted_choice_uses_rng(void **state)
{
	struct fx *f = *state;
	struct got g;

	fakedns_srv(&f->dns, "_sip._udp.w.example", 60, 1, 100, 5060,
		    "heavy.w.example");
	fakedns_srv(&f->dns, "_sip._udp.w.example", 60, 1, 0, 5060,
		    "zero.w.example");
	fakedns_addr(&f->dns, "heavy.w.example", 60, "192.0.2.100");
	fakedns_addr(&f->dns, "zero.w.example", 60, "192.0.2.101");
	/* A pick of 0 selects the weight-0 record (RFC 2782). */
	resolver_set_rng(f->r, rng_zero, NULL);
	resolve(f, "w.example", 0, TP_UDP, &g);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.s[0].target, "zero.w.example");
	assert_int_equal(g.s[1].weight, 100);

	/* UINT32_MAX % 101 = 52: the heavy one. Other proto: no cache. */
	resolver_set_rng(f->r, rng_max, NULL);
	fakedns_srv(&f->dns, "_sip._tcp.w.example", 60, 1, 100, 5060,
		    "heavy.w.example");
	fakedns_srv(&f->dns, "_sip._tcp.w.example", 60, 1, 0, 5060,
		    "zero.w.example");
	resolve(f, "w.example", 0, TP_TCP, &g);
	assert_string_equal(g.s[0].target, "heavy.w.example");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_ip_literal),
		T(test_naptr_srv_a_chain),
		T(test_naptr_to_missing_srv),
		T(test_srv_without_naptr),
		T(test_host_fallback_default_port),
		T(test_explicit_port_a_aaaa_only),
		T(test_additional_section_used),
		T(test_cache_shared),
		T(test_ttl_expiry_refetches),
		T(test_stale_when_dns_down),
		T(test_failed_without_cache),
		T(test_outage_mid_chain),
		T(test_srv_root_target_dropped),
		T(test_servfail_refused_are_unreachable),
		T(test_not_found),
		T(test_records_withdrawn),
		T(test_cancel),
		T(test_weighted_choice_uses_rng),
		T(test_free_in_flight),
#undef T
	};

	log_init("test", false, LOG_LVL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
