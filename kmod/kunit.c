// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of sipsteer.ko's pure parts: the endpoint lookup table and
 * the verdicts on conntrack entries (the NAT core's checks and the flush
 * filter), all functions of tuples. Built as sipsteer_kunit.ko when the
 * kernel has CONFIG_KUNIT; the suites run when it is loaded after
 * sipsteer.ko (selftests/debug/kunit.sh).
 *
 * The addresses are those of the selftests: the phone 10.9.1.1, the
 * address its processes were given (VIP) 10.9.0.10, proxies P1 10.9.1.2
 * and P2 10.9.2.2, and their IPv6 twins.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <net/ipv6.h>

#include "sipsteer.h"

#define PHONE	0x0a090101
#define VIP	0x0a09000a
#define OTHER	0x0a090014
#define P1	0x0a090102
#define P2	0x0a090202
#define SIP	5060

struct entry {
	struct nf_conntrack_tuple orig;
	struct nf_conntrack_tuple reply;
};

static void set_addr(union nf_inet_addr *a, u16 l3num, u32 host)
{
	memset(a, 0, sizeof(*a));
	if (l3num == NFPROTO_IPV4) {
		a->ip = htonl(host);
		return;
	}
	/* fd00:9:<third octet>::<fourth octet>, as in selftests/kmod. */
	a->in6.s6_addr[0] = 0xfd;
	a->in6.s6_addr[3] = 9;
	a->in6.s6_addr[5] = (host >> 8) & 0xff;
	a->in6.s6_addr[15] = host & 0xff;
}

/*
 * An entry from src:sport to dst:dport whose reply comes from
 * nat:nat_port (DNAT) to src:sport.
 */
static struct entry mk(u16 l3num, u8 proto, u32 src, u16 sport, u32 dst,
		       u16 dport, u32 nat, u16 nat_port)
{
	struct entry e;

	memset(&e, 0, sizeof(e));
	e.orig.src.l3num = l3num;
	e.orig.dst.protonum = proto;
	set_addr(&e.orig.src.u3, l3num, src);
	e.orig.src.u.all = htons(sport);
	set_addr(&e.orig.dst.u3, l3num, dst);
	e.orig.dst.u.all = htons(dport);

	e.reply.src.l3num = l3num;
	e.reply.dst.protonum = proto;
	set_addr(&e.reply.src.u3, l3num, nat);
	e.reply.src.u.all = htons(nat_port);
	e.reply.dst.u3 = e.orig.src.u3;
	e.reply.dst.u.all = e.orig.src.u.all;
	return e;
}

/* A local flow to dst:dport, DNATed to nat:nat_port. */
static struct entry out4(u8 proto, u32 dst, u16 dport, u32 nat, u16 nat_port)
{
	return mk(NFPROTO_IPV4, proto, PHONE, 40000, dst, dport, nat, nat_port);
}

/* A flow from src:sport to the phone's 5060, not NATed. */
static struct entry in4(u8 proto, u32 src, u16 sport)
{
	return mk(NFPROTO_IPV4, proto, src, sport, PHONE, SIP, PHONE, SIP);
}

static void add_endpoint(struct sipsteer_config *cfg, u8 af, u8 proto,
			 u32 host, u16 port)
{
	struct sipsteer_endpoint *ep;

	ep = &cfg->spec.endpoints[cfg->spec.n_endpoints++];
	memset(ep, 0, sizeof(*ep));
	ep->af = af;
	ep->proto = proto;
	set_addr(&ep->addr, af == SIPSTEER_AF_INET ? NFPROTO_IPV4 :
						     NFPROTO_IPV6, host);
	ep->port = htons(port);
}

static void set_target(struct sipsteer_target *targets, u8 af, u32 host,
		       u16 port)
{
	targets[af].active = true;
	set_addr(&targets[af].addr, af == SIPSTEER_AF_INET ? NFPROTO_IPV4 :
							     NFPROTO_IPV6, host);
	targets[af].port = htons(port);
}

/* Services are told apart by their address only. */
static struct sipsteer_service svc_a, svc_b;

static struct sipsteer_config *new_config(struct kunit *test,
					  const struct sipsteer_service *svc)
{
	struct sipsteer_config *cfg;

	cfg = kunit_kzalloc(test, sizeof(*cfg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cfg);
	cfg->svc = svc;
	cfg->spec.mask = U32_MAX;
	return cfg;
}

struct build_args {
	const struct sipsteer_config *const *cfgs;
	unsigned int n;
};

static int table_init(struct kunit_resource *res, void *context)
{
	const struct build_args *args = context;
	struct sipsteer_table *table;

	table = sipsteer_table_build(args->cfgs, args->n);
	if (IS_ERR_OR_NULL(table))
		return table ? PTR_ERR(table) : -ENODATA;
	res->data = table;
	return 0;
}

static void table_release(struct kunit_resource *res)
{
	sipsteer_table_free(res->data);
}

/* A table freed when the test case ends, however it ends. */
static struct sipsteer_table *build(struct kunit *test,
				    const struct sipsteer_config *const *cfgs,
				    unsigned int n)
{
	struct build_args args = { cfgs, n };
	struct sipsteer_table *table;
	unsigned int i, endpoints = 0;

	for (i = 0; i < n; i++)
		endpoints += cfgs[i]->spec.n_endpoints;
	if (!endpoints)
		return NULL;
	table = kunit_alloc_resource(test, table_init, table_release,
				     GFP_KERNEL, &args);
	KUNIT_ASSERT_NOT_NULL(test, table);
	return table;
}

/* The phone's service: VIP:5060 over UDP and TCP, both families. */
static struct sipsteer_config *vip_service(struct kunit *test)
{
	struct sipsteer_config *cfg = new_config(test, &svc_a);

	add_endpoint(cfg, SIPSTEER_AF_INET, IPPROTO_UDP, VIP, SIP);
	add_endpoint(cfg, SIPSTEER_AF_INET, IPPROTO_TCP, VIP, SIP);
	add_endpoint(cfg, SIPSTEER_AF_INET6, IPPROTO_UDP, VIP, SIP);
	return cfg;
}

/* Lookup table */

static void table_finds_endpoints(struct kunit *test)
{
	const struct sipsteer_config *cfgs[2];
	struct sipsteer_config *a = vip_service(test);
	struct sipsteer_config *b = new_config(test, &svc_b);
	struct sipsteer_table *table;
	struct entry e;

	add_endpoint(b, SIPSTEER_AF_INET, IPPROTO_UDP, OTHER, SIP);
	cfgs[0] = a;
	cfgs[1] = b;
	table = build(test, cfgs, 2);
	KUNIT_ASSERT_NOT_NULL(test, table);

	e = out4(IPPROTO_UDP, VIP, SIP, VIP, SIP);
	KUNIT_EXPECT_PTR_EQ(test, sipsteer_table_find_dst(table, &e.orig), a);
	e = out4(IPPROTO_TCP, VIP, SIP, VIP, SIP);
	KUNIT_EXPECT_PTR_EQ(test, sipsteer_table_find_dst(table, &e.orig), a);
	e = out4(IPPROTO_UDP, OTHER, SIP, OTHER, SIP);
	KUNIT_EXPECT_PTR_EQ(test, sipsteer_table_find_dst(table, &e.orig), b);
	e = mk(NFPROTO_IPV6, IPPROTO_UDP, PHONE, 40000, VIP, SIP, VIP, SIP);
	KUNIT_EXPECT_PTR_EQ(test, sipsteer_table_find_dst(table, &e.orig), a);

	/* Another port, protocol, address or family: no match. */
	e = out4(IPPROTO_UDP, VIP, 5061, VIP, 5061);
	KUNIT_EXPECT_NULL(test, sipsteer_table_find_dst(table, &e.orig));
	e = out4(IPPROTO_TCP, OTHER, SIP, OTHER, SIP);
	KUNIT_EXPECT_NULL(test, sipsteer_table_find_dst(table, &e.orig));
	e = out4(IPPROTO_UDP, P1, SIP, P1, SIP);
	KUNIT_EXPECT_NULL(test, sipsteer_table_find_dst(table, &e.orig));
	e = mk(NFPROTO_IPV6, IPPROTO_TCP, PHONE, 40000, VIP, SIP, VIP, SIP);
	KUNIT_EXPECT_NULL(test, sipsteer_table_find_dst(table, &e.orig));
	e = out4(IPPROTO_ICMP, VIP, 0, VIP, 0);
	KUNIT_EXPECT_NULL(test, sipsteer_table_find_dst(table, &e.orig));
	/* The phone is the source of its own flows, never an endpoint. */
	e = out4(IPPROTO_UDP, VIP, SIP, VIP, SIP);
	KUNIT_EXPECT_NULL(test, sipsteer_table_find_src(table, &e.orig));
}

static void table_finds_sources(struct kunit *test)
{
	struct sipsteer_config *a = new_config(test, &svc_a);
	const struct sipsteer_config *cfgs[] = { a };
	struct sipsteer_table *table;
	struct entry e;

	add_endpoint(a, SIPSTEER_AF_INET, IPPROTO_UDP, P1, SIP);
	table = build(test, cfgs, 1);

	e = in4(IPPROTO_UDP, P1, SIP);
	KUNIT_EXPECT_PTR_EQ(test, sipsteer_table_find_src(table, &e.orig), a);
	KUNIT_EXPECT_NULL(test, sipsteer_table_find_dst(table, &e.orig));
	e = in4(IPPROTO_UDP, P1, 5080);
	KUNIT_EXPECT_NULL(test, sipsteer_table_find_src(table, &e.orig));
	e = in4(IPPROTO_TCP, P1, SIP);
	KUNIT_EXPECT_NULL(test, sipsteer_table_find_src(table, &e.orig));
	/* No IPv6 endpoint: the family is not even hashed. */
	e = mk(NFPROTO_IPV6, IPPROTO_UDP, P1, SIP, PHONE, SIP, PHONE, SIP);
	KUNIT_EXPECT_NULL(test, sipsteer_table_find_src(table, &e.orig));
}

/* Evidence is counted on the endpoint a flow was addressed to. */
static void table_endpoint_index(struct kunit *test)
{
	struct sipsteer_config *a = new_config(test, &svc_a);
	struct entry e;

	add_endpoint(a, SIPSTEER_AF_INET, IPPROTO_UDP, P1, SIP);
	add_endpoint(a, SIPSTEER_AF_INET, IPPROTO_TCP, P1, SIP);
	add_endpoint(a, SIPSTEER_AF_INET6, IPPROTO_UDP, P1, SIP);

	/* Steered elsewhere or not: the original destination counts. */
	e = out4(IPPROTO_UDP, P1, SIP, P2, SIP);
	KUNIT_EXPECT_EQ(test, sipsteer_endpoint_index(a, &e.orig), 0);
	e = out4(IPPROTO_TCP, P1, SIP, P1, SIP);
	KUNIT_EXPECT_EQ(test, sipsteer_endpoint_index(a, &e.orig), 1);
	e = mk(NFPROTO_IPV6, IPPROTO_UDP, PHONE, 40000, P1, SIP, P1, SIP);
	KUNIT_EXPECT_EQ(test, sipsteer_endpoint_index(a, &e.orig), 2);
	/* Another port, or a flow from the endpoint: none. */
	e = out4(IPPROTO_UDP, P1, 5080, P1, 5080);
	KUNIT_EXPECT_EQ(test, sipsteer_endpoint_index(a, &e.orig), -1);
	e = in4(IPPROTO_UDP, P1, SIP);
	KUNIT_EXPECT_EQ(test, sipsteer_endpoint_index(a, &e.orig), -1);
}

static void table_empty(struct kunit *test)
{
	struct sipsteer_config *a = new_config(test, &svc_a);
	const struct sipsteer_config *cfgs[] = { a };
	struct entry e = out4(IPPROTO_UDP, VIP, SIP, VIP, SIP);

	/* Services without endpoints (or none at all): no table. */
	KUNIT_EXPECT_NULL(test, sipsteer_table_build(cfgs, 1));
	KUNIT_EXPECT_NULL(test, sipsteer_table_build(cfgs, 0));
	KUNIT_EXPECT_NULL(test, sipsteer_table_find_dst(NULL, &e.orig));
	KUNIT_EXPECT_NULL(test, sipsteer_table_find_src(NULL, &e.orig));
}

/* The most the module holds: every key found, no stray hit. */
static void table_full(struct kunit *test)
{
	const struct sipsteer_config *cfgs[SIPSTEER_MAX_SERVICES];
	struct sipsteer_table *table;
	unsigned int i, j;
	struct entry e;

	for (i = 0; i < SIPSTEER_MAX_SERVICES; i++) {
		struct sipsteer_config *cfg = new_config(test, &svc_a);

		for (j = 0; j < SIPSTEER_MAX_ENDPOINTS; j++)
			add_endpoint(cfg, j & 1, j & 2 ? IPPROTO_TCP :
						 IPPROTO_UDP,
				     0x0a000000 + i, 1000 + j);
		cfgs[i] = cfg;
	}
	table = build(test, cfgs, SIPSTEER_MAX_SERVICES);
	KUNIT_ASSERT_NOT_NULL(test, table);
	KUNIT_EXPECT_EQ(test, table->mask + 1,
			2 * SIPSTEER_MAX_SERVICES * SIPSTEER_MAX_ENDPOINTS);

	for (i = 0; i < SIPSTEER_MAX_SERVICES; i++) {
		for (j = 0; j < SIPSTEER_MAX_ENDPOINTS; j++) {
			u8 proto = j & 2 ? IPPROTO_TCP : IPPROTO_UDP;
			u16 l3num = j & 1 ? NFPROTO_IPV6 : NFPROTO_IPV4;

			e = mk(l3num, proto, PHONE, 40000, 0x0a000000 + i,
			       1000 + j, PHONE, 1);
			KUNIT_EXPECT_PTR_EQ(test,
					    sipsteer_table_find_dst(table,
								    &e.orig),
					    cfgs[i]);
			e = mk(l3num, proto ^ IPPROTO_TCP ^ IPPROTO_UDP,
			       PHONE, 40000, 0x0a000000 + i, 1000 + j,
			       PHONE, 1);
			KUNIT_EXPECT_NULL(test,
					  sipsteer_table_find_dst(table,
								  &e.orig));
		}
	}
}

/* The NAT core's check at POST_ROUTING */

static void verdict_out_fit(struct kunit *test)
{
	struct sipsteer_config *cfg = vip_service(test);
	const struct sipsteer_config *cfgs[] = { cfg }, *who;
	struct sipsteer_table *table;
	struct entry e;

	set_target(cfg->spec.targets, SIPSTEER_AF_INET, P2, 0);
	set_target(cfg->previous, SIPSTEER_AF_INET, P1, 0);
	table = build(test, cfgs, 1);

	e = out4(IPPROTO_UDP, VIP, SIP, P2, SIP);
	KUNIT_EXPECT_EQ(test, sipsteer_verdict_out(table, &e.orig, &e.reply,
						   0, &who),
			SIPSTEER_STEERED);
	KUNIT_EXPECT_PTR_EQ(test, who, cfg);

	/* NATed from the table before the switch: dropped. */
	e = out4(IPPROTO_UDP, VIP, SIP, P1, SIP);
	KUNIT_EXPECT_EQ(test, sipsteer_verdict_out(table, &e.orig, &e.reply,
						   0, &who),
			SIPSTEER_REFUSED);
	/* Not NATed (made while the service was inactive): dropped. */
	e = out4(IPPROTO_TCP, VIP, SIP, VIP, SIP);
	KUNIT_EXPECT_EQ(test, sipsteer_verdict_out(table, &e.orig, &e.reply,
						   0, &who),
			SIPSTEER_REFUSED);
	/* Someone else's DNAT: not ours to judge. */
	e = out4(IPPROTO_UDP, VIP, SIP, OTHER, SIP);
	KUNIT_EXPECT_EQ(test, sipsteer_verdict_out(table, &e.orig, &e.reply,
						   0, &who),
			SIPSTEER_NOT_MINE);
	/* The right address at another port is not the target either. */
	e = out4(IPPROTO_UDP, VIP, SIP, P2, 5080);
	KUNIT_EXPECT_EQ(test, sipsteer_verdict_out(table, &e.orig, &e.reply,
						   0, &who),
			SIPSTEER_NOT_MINE);
	/* Not an endpoint. */
	e = out4(IPPROTO_UDP, OTHER, SIP, OTHER, SIP);
	KUNIT_EXPECT_EQ(test, sipsteer_verdict_out(table, &e.orig, &e.reply,
						   0, &who),
			SIPSTEER_NOT_MINE);
	KUNIT_EXPECT_NULL(test, who);
}

static void verdict_out_target_port(struct kunit *test)
{
	struct sipsteer_config *cfg = vip_service(test);
	const struct sipsteer_config *cfgs[] = { cfg }, *who;
	struct sipsteer_table *table;
	struct entry e;

	set_target(cfg->spec.targets, SIPSTEER_AF_INET, P2, 5080);
	table = build(test, cfgs, 1);

	e = out4(IPPROTO_UDP, VIP, SIP, P2, 5080);
	KUNIT_EXPECT_EQ(test, sipsteer_verdict_out(table, &e.orig, &e.reply,
						   0, &who),
			SIPSTEER_STEERED);
	e = out4(IPPROTO_UDP, VIP, SIP, P2, SIP);
	KUNIT_EXPECT_EQ(test, sipsteer_verdict_out(table, &e.orig, &e.reply,
						   0, &who),
			SIPSTEER_NOT_MINE);
}

static void verdict_out_inactive_and_bypass(struct kunit *test)
{
	struct sipsteer_config *cfg = vip_service(test);
	const struct sipsteer_config *cfgs[] = { cfg }, *who;
	struct sipsteer_table *table;
	struct entry e;

	/* Deactivated: passing, and the entries to P1 are stale. */
	set_target(cfg->previous, SIPSTEER_AF_INET, P1, 0);
	cfg->spec.mark = 0x500;
	cfg->spec.mask = 0xf00;
	table = build(test, cfgs, 1);

	e = out4(IPPROTO_UDP, VIP, SIP, VIP, SIP);
	KUNIT_EXPECT_EQ(test, sipsteer_verdict_out(table, &e.orig, &e.reply,
						   0, &who),
			SIPSTEER_PASSED);
	e = out4(IPPROTO_UDP, VIP, SIP, P1, SIP);
	KUNIT_EXPECT_EQ(test, sipsteer_verdict_out(table, &e.orig, &e.reply,
						   0x4ff, &who),
			SIPSTEER_REFUSED);
	/* The bypass mark under its mask exempts anything. */
	KUNIT_EXPECT_EQ(test, sipsteer_verdict_out(table, &e.orig, &e.reply,
						   0x5ff, &who),
			SIPSTEER_BYPASSED);
	KUNIT_EXPECT_PTR_EQ(test, who, cfg);
}

/* The NAT core's check at LOCAL_IN */

static void verdict_in_refuses_dead(struct kunit *test)
{
	struct sipsteer_config *cfg = new_config(test, &svc_a);
	const struct sipsteer_config *cfgs[] = { cfg }, *who;
	struct sipsteer_table *table;
	struct entry e;

	/* P1 found dead, P2 active; P2 is an endpoint too (a VIP). */
	add_endpoint(cfg, SIPSTEER_AF_INET, IPPROTO_UDP, P1, SIP);
	add_endpoint(cfg, SIPSTEER_AF_INET, IPPROTO_UDP, P2, SIP);
	add_endpoint(cfg, SIPSTEER_AF_INET, IPPROTO_TCP, P1, SIP);
	set_target(cfg->spec.targets, SIPSTEER_AF_INET, P2, 0);
	table = build(test, cfgs, 1);

	e = in4(IPPROTO_UDP, P1, SIP);
	KUNIT_EXPECT_EQ(test, sipsteer_verdict_in(table, &e.orig, &who),
			SIPSTEER_REFUSED);
	KUNIT_EXPECT_PTR_EQ(test, who, cfg);
	e = in4(IPPROTO_UDP, P2, SIP);
	KUNIT_EXPECT_EQ(test, sipsteer_verdict_in(table, &e.orig, &who),
			SIPSTEER_NOT_MINE);
	/* A stream cannot capture the local flow: left alone. */
	e = in4(IPPROTO_TCP, P1, SIP);
	KUNIT_EXPECT_EQ(test, sipsteer_verdict_in(table, &e.orig, &who),
			SIPSTEER_NOT_MINE);
	e = in4(IPPROTO_UDP, OTHER, SIP);
	KUNIT_EXPECT_EQ(test, sipsteer_verdict_in(table, &e.orig, &who),
			SIPSTEER_NOT_MINE);
	KUNIT_EXPECT_NULL(test, who);
}

static void verdict_in_target_port_and_inactive(struct kunit *test)
{
	struct sipsteer_config *cfg = new_config(test, &svc_a);
	const struct sipsteer_config *cfgs[] = { cfg }, *who;
	struct sipsteer_table *table;
	struct entry e;

	add_endpoint(cfg, SIPSTEER_AF_INET, IPPROTO_UDP, P2, SIP);
	set_target(cfg->spec.targets, SIPSTEER_AF_INET, P2, 5080);
	table = build(test, cfgs, 1);

	/* The target listens on 5080: its 5060 is not the target. */
	e = in4(IPPROTO_UDP, P2, SIP);
	KUNIT_EXPECT_EQ(test, sipsteer_verdict_in(table, &e.orig, &who),
			SIPSTEER_REFUSED);

	/* Inactive: the module steers nothing and refuses nothing. */
	cfg->spec.targets[SIPSTEER_AF_INET].active = false;
	KUNIT_EXPECT_EQ(test, sipsteer_verdict_in(table, &e.orig, &who),
			SIPSTEER_NOT_MINE);
	/* An IPv6 datagram: no target of that family. */
	e = mk(NFPROTO_IPV6, IPPROTO_UDP, P2, SIP, PHONE, SIP, PHONE, SIP);
	KUNIT_EXPECT_EQ(test, sipsteer_verdict_in(table, &e.orig, &who),
			SIPSTEER_NOT_MINE);
}

/* The flush filter */

static bool flush(const struct sipsteer_table *old,
		  const struct sipsteer_table *new,
		  const struct sipsteer_service *svc, bool all,
		  const struct entry *e)
{
	return sipsteer_flush_match(old, new, svc, all, &e->orig, &e->reply);
}

static void flush_switch(struct kunit *test)
{
	struct sipsteer_config *before = vip_service(test);
	struct sipsteer_config *after = vip_service(test);
	const struct sipsteer_config *b[] = { before }, *a[] = { after };
	struct sipsteer_table *old, *new;
	struct entry e;

	set_target(before->spec.targets, SIPSTEER_AF_INET, P1, 0);
	set_target(after->spec.targets, SIPSTEER_AF_INET, P2, 0);
	old = build(test, b, 1);
	new = build(test, a, 1);

	e = out4(IPPROTO_UDP, VIP, SIP, P1, SIP);
	KUNIT_EXPECT_TRUE(test, flush(old, new, &svc_a, false, &e));
	e = out4(IPPROTO_UDP, VIP, SIP, P2, SIP);
	KUNIT_EXPECT_FALSE(test, flush(old, new, &svc_a, false, &e));
	KUNIT_EXPECT_TRUE(test, flush(old, new, &svc_a, true, &e));
	/* Bypassed or passed before: not NATed, now to be steered. */
	e = out4(IPPROTO_TCP, VIP, SIP, VIP, SIP);
	KUNIT_EXPECT_TRUE(test, flush(old, new, &svc_a, false, &e));
	/* Someone else's DNAT of an endpoint stays, even with all. */
	e = out4(IPPROTO_UDP, VIP, SIP, OTHER, SIP);
	KUNIT_EXPECT_FALSE(test, flush(old, new, &svc_a, false, &e));
	KUNIT_EXPECT_FALSE(test, flush(old, new, &svc_a, true, &e));
	/* Not an endpoint, another service: untouched. */
	e = out4(IPPROTO_UDP, OTHER, SIP, OTHER, SIP);
	KUNIT_EXPECT_FALSE(test, flush(old, new, &svc_a, true, &e));
	e = out4(IPPROTO_UDP, VIP, SIP, P1, SIP);
	KUNIT_EXPECT_FALSE(test, flush(old, new, &svc_b, true, &e));
	/* Every service (unload): any stale entry. */
	KUNIT_EXPECT_TRUE(test, flush(old, new, NULL, false, &e));
}

static void flush_delete(struct kunit *test)
{
	struct sipsteer_config *before = vip_service(test);
	const struct sipsteer_config *b[] = { before };
	struct sipsteer_table *old;
	struct entry e;

	set_target(before->spec.targets, SIPSTEER_AF_INET, P1, 0);
	old = build(test, b, 1);

	/* Deleted (or unloaded): what it NATed goes, the rest stays. */
	e = out4(IPPROTO_UDP, VIP, SIP, P1, SIP);
	KUNIT_EXPECT_TRUE(test, flush(old, NULL, &svc_a, false, &e));
	e = out4(IPPROTO_UDP, VIP, SIP, VIP, SIP);
	KUNIT_EXPECT_FALSE(test, flush(old, NULL, &svc_a, false, &e));
	e = out4(IPPROTO_UDP, VIP, SIP, OTHER, SIP);
	KUNIT_EXPECT_FALSE(test, flush(old, NULL, NULL, false, &e));
	KUNIT_EXPECT_FALSE(test, flush(NULL, NULL, NULL, true, &e));
}

static void flush_inbound(struct kunit *test)
{
	struct sipsteer_config *before = new_config(test, &svc_a);
	struct sipsteer_config *after = new_config(test, &svc_a);
	const struct sipsteer_config *b[] = { before }, *a[] = { after };
	struct sipsteer_table *old, *new;
	struct entry e;

	/* The phone's processes talk to P1 itself; P1 dies, P2 takes over. */
	set_target(before->spec.targets, SIPSTEER_AF_INET, P1, 0);
	add_endpoint(after, SIPSTEER_AF_INET, IPPROTO_UDP, P1, SIP);
	set_target(after->spec.targets, SIPSTEER_AF_INET, P2, 0);
	old = build(test, b, 0);
	new = build(test, a, 1);

	/* P1's request to the phone: its reply direction is the flow. */
	e = in4(IPPROTO_UDP, P1, SIP);
	KUNIT_EXPECT_TRUE(test, flush(old, new, &svc_a, false, &e));
	/* The phone's own flow to P1, made before P1 was an endpoint. */
	e = mk(NFPROTO_IPV4, IPPROTO_UDP, PHONE, SIP, P1, SIP, P1, SIP);
	KUNIT_EXPECT_TRUE(test, flush(old, new, &svc_a, false, &e));
	/* The new target's requests, and streams, stay. */
	e = in4(IPPROTO_UDP, P2, SIP);
	KUNIT_EXPECT_FALSE(test, flush(old, new, &svc_a, false, &e));
	e = in4(IPPROTO_TCP, P1, SIP);
	KUNIT_EXPECT_FALSE(test, flush(old, new, &svc_a, true, &e));
	/* A port-forward of someone else's: NATed, so stays. */
	e = mk(NFPROTO_IPV4, IPPROTO_UDP, P1, SIP, PHONE, SIP, PHONE, 5070);
	KUNIT_EXPECT_FALSE(test, flush(old, new, &svc_a, true, &e));
	/* With all, every inbound datagram flow of the service. */
	after->spec.targets[SIPSTEER_AF_INET].active = false;
	e = in4(IPPROTO_UDP, P1, SIP);
	KUNIT_EXPECT_FALSE(test, flush(new, new, &svc_a, false, &e));
	KUNIT_EXPECT_TRUE(test, flush(new, new, &svc_a, true, &e));
}

static struct kunit_case sipsteer_table_cases[] = {
	KUNIT_CASE(table_finds_endpoints),
	KUNIT_CASE(table_finds_sources),
	KUNIT_CASE(table_endpoint_index),
	KUNIT_CASE(table_empty),
	KUNIT_CASE(table_full),
	{}
};

static struct kunit_case sipsteer_verdict_cases[] = {
	KUNIT_CASE(verdict_out_fit),
	KUNIT_CASE(verdict_out_target_port),
	KUNIT_CASE(verdict_out_inactive_and_bypass),
	KUNIT_CASE(verdict_in_refuses_dead),
	KUNIT_CASE(verdict_in_target_port_and_inactive),
	KUNIT_CASE(flush_switch),
	KUNIT_CASE(flush_delete),
	KUNIT_CASE(flush_inbound),
	{}
};

static struct kunit_suite sipsteer_table_suite = {
	.name = "sipsteer_table",
	.test_cases = sipsteer_table_cases,
};

static struct kunit_suite sipsteer_verdict_suite = {
	.name = "sipsteer_verdict",
	.test_cases = sipsteer_verdict_cases,
};

kunit_test_suites(&sipsteer_table_suite, &sipsteer_verdict_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of sipsteer.ko's lookup table and verdicts");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
