// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: send malformed and unauthorised sipsteer requests and check
 * that each is answered with the expected error and, where the module
 * rejects it, an extack message. Run it with CAP_NET_ADMIN for the
 * malformed cases, with -u without it (each mutation: -EPERM), and with
 * -n as root of a user namespace that owns the network namespace (its
 * services are its own, FLOWS_FLUSH is the initial namespace's).
 * nlrandom sends random requests for a bounded time.
 *
 * usage: nlfuzz [-u | -n]
 * Prints one "PASS"/"FAIL" line per case; exits 1 when any case failed.
 */
#include "nl.h"
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/sipsteer.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NEED_EXTACK	1
/* Errors the policy layer or the module may give for a malformed value. */
#define E_POLICY	{ EINVAL, ERANGE, EMSGSIZE }

struct fuzz_case {
	const char *name;
	uint8_t cmd;
	uint16_t flags;
	void (*build)(struct nlmsghdr *nlh);
	int expect[4];	/* positive errno values, 0 ends; {0}: success */
	int extack;
};

static void put_name(struct nlmsghdr *nlh, const char *name)
{
	mnl_attr_put_strz(nlh, SIPSTEER_A_NAME, name);
}

/* One endpoint entry: proto, IPv4 address 10.9.0.10, port. */
static void put_endpoint4(struct nlmsghdr *nlh, uint8_t proto, uint16_t port)
{
	struct nlattr *entry = mnl_attr_nest_start(nlh, SIPSTEER_LIST_A_ENTRY);
	uint32_t ip = htonl(0x0a09000a);

	mnl_attr_put_u8(nlh, SIPSTEER_ADDR_A_PROTO, proto);
	mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV4, 4, &ip);
	mnl_attr_put_u16(nlh, SIPSTEER_ADDR_A_PORT, port);
	mnl_attr_nest_end(nlh, entry);
}

static void put_endpoints(struct nlmsghdr *nlh)
{
	struct nlattr *list = mnl_attr_nest_start(nlh, SIPSTEER_A_ENDPOINTS);

	put_endpoint4(nlh, IPPROTO_UDP, 5060);
	mnl_attr_nest_end(nlh, list);
}

/* An ENDPOINTS list holding one entry with custom contents. */
static void put_custom_endpoint(struct nlmsghdr *nlh,
				void (*fill)(struct nlmsghdr *nlh))
{
	struct nlattr *list = mnl_attr_nest_start(nlh, SIPSTEER_A_ENDPOINTS);
	struct nlattr *entry = mnl_attr_nest_start(nlh, SIPSTEER_LIST_A_ENTRY);

	fill(nlh);
	mnl_attr_nest_end(nlh, entry);
	mnl_attr_nest_end(nlh, list);
}

static void b_valid(struct nlmsghdr *nlh)
{
	put_name(nlh, "fz");
	put_endpoints(nlh);
}

static void b_name_fz(struct nlmsghdr *nlh)
{
	put_name(nlh, "fz");
}

static void b_no_name(struct nlmsghdr *nlh)
{
	put_endpoints(nlh);
}

static void b_no_endpoints(struct nlmsghdr *nlh)
{
	put_name(nlh, "fz1");
}

static void b_name_u32(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, SIPSTEER_A_NAME, 0x41414141);
	put_endpoints(nlh);
}

static void b_name_long(struct nlmsghdr *nlh)
{
	char name[64];

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	put_name(nlh, name);
	put_endpoints(nlh);
}

static void b_name_empty(struct nlmsghdr *nlh)
{
	put_name(nlh, "");
	put_endpoints(nlh);
}

static void b_name_ctrl(struct nlmsghdr *nlh)
{
	put_name(nlh, "bad\nname");
	put_endpoints(nlh);
}

static void f_ipv4_3(struct nlmsghdr *nlh)
{
	uint8_t ip[3] = { 10, 9, 0 };

	mnl_attr_put_u8(nlh, SIPSTEER_ADDR_A_PROTO, IPPROTO_UDP);
	mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV4, sizeof(ip), ip);
	mnl_attr_put_u16(nlh, SIPSTEER_ADDR_A_PORT, 5060);
}

static void f_ipv6_4(struct nlmsghdr *nlh)
{
	uint32_t ip = 0;

	mnl_attr_put_u8(nlh, SIPSTEER_ADDR_A_PROTO, IPPROTO_UDP);
	mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV6, sizeof(ip), &ip);
	mnl_attr_put_u16(nlh, SIPSTEER_ADDR_A_PORT, 5060);
}

static void f_proto_icmp(struct nlmsghdr *nlh)
{
	uint32_t ip = htonl(0x0a09000a);

	mnl_attr_put_u8(nlh, SIPSTEER_ADDR_A_PROTO, IPPROTO_ICMP);
	mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV4, 4, &ip);
	mnl_attr_put_u16(nlh, SIPSTEER_ADDR_A_PORT, 5060);
}

/* Inside the policy's 6..17, neither UDP nor TCP: the parser refuses. */
static void f_proto_egp(struct nlmsghdr *nlh)
{
	uint32_t ip = htonl(0x0a09000a);

	mnl_attr_put_u8(nlh, SIPSTEER_ADDR_A_PROTO, IPPROTO_EGP);
	mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV4, 4, &ip);
	mnl_attr_put_u16(nlh, SIPSTEER_ADDR_A_PORT, 5060);
}

static void f_port_0(struct nlmsghdr *nlh)
{
	uint32_t ip = htonl(0x0a09000a);

	mnl_attr_put_u8(nlh, SIPSTEER_ADDR_A_PROTO, IPPROTO_UDP);
	mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV4, 4, &ip);
	mnl_attr_put_u16(nlh, SIPSTEER_ADDR_A_PORT, 0);
}

static void f_port_u32(struct nlmsghdr *nlh)
{
	uint32_t ip = htonl(0x0a09000a);

	mnl_attr_put_u8(nlh, SIPSTEER_ADDR_A_PROTO, IPPROTO_UDP);
	mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV4, 4, &ip);
	mnl_attr_put_u32(nlh, SIPSTEER_ADDR_A_PORT, 5060);
}

static void f_both_families(struct nlmsghdr *nlh)
{
	uint8_t ip6[16] = { 0xfd, 0, 0, 9 };
	uint32_t ip = htonl(0x0a09000a);

	mnl_attr_put_u8(nlh, SIPSTEER_ADDR_A_PROTO, IPPROTO_UDP);
	mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV4, 4, &ip);
	mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV6, sizeof(ip6), ip6);
	mnl_attr_put_u16(nlh, SIPSTEER_ADDR_A_PORT, 5060);
}

static void f_no_address(struct nlmsghdr *nlh)
{
	mnl_attr_put_u8(nlh, SIPSTEER_ADDR_A_PROTO, IPPROTO_UDP);
	mnl_attr_put_u16(nlh, SIPSTEER_ADDR_A_PORT, 5060);
}

static void f_unknown_nested(struct nlmsghdr *nlh)
{
	uint32_t ip = htonl(0x0a09000a);

	mnl_attr_put_u8(nlh, SIPSTEER_ADDR_A_PROTO, IPPROTO_UDP);
	mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV4, 4, &ip);
	mnl_attr_put_u16(nlh, SIPSTEER_ADDR_A_PORT, 5060);
	mnl_attr_put_u32(nlh, SIPSTEER_ADDR_A_MAX + 10, 1);
}

#define ENDPOINT_CASE(fn, fill)				\
	static void fn(struct nlmsghdr *nlh)		\
	{						\
		put_name(nlh, "fz1");			\
		put_custom_endpoint(nlh, fill);		\
	}
ENDPOINT_CASE(b_ipv4_3, f_ipv4_3)
ENDPOINT_CASE(b_ipv6_4, f_ipv6_4)
ENDPOINT_CASE(b_proto_icmp, f_proto_icmp)
ENDPOINT_CASE(b_proto_egp, f_proto_egp)
ENDPOINT_CASE(b_port_0, f_port_0)
ENDPOINT_CASE(b_port_u32, f_port_u32)
ENDPOINT_CASE(b_both_families, f_both_families)
ENDPOINT_CASE(b_no_address, f_no_address)
ENDPOINT_CASE(b_unknown_nested, f_unknown_nested)

static void b_unknown_top(struct nlmsghdr *nlh)
{
	put_name(nlh, "fz1");
	put_endpoints(nlh);
	mnl_attr_put_u32(nlh, SIPSTEER_A_MAX + 20, 7);
}

static void b_endpoints_u32(struct nlmsghdr *nlh)
{
	put_name(nlh, "fz1");
	mnl_attr_put_u32(nlh, SIPSTEER_A_ENDPOINTS, 1);
}

static void b_too_many_endpoints(struct nlmsghdr *nlh)
{
	struct nlattr *list;
	int i;

	put_name(nlh, "fz1");
	list = mnl_attr_nest_start(nlh, SIPSTEER_A_ENDPOINTS);
	for (i = 0; i <= SIPSTEER_MAX_ENDPOINTS; i++)
		put_endpoint4(nlh, IPPROTO_UDP, (uint16_t)(5060 + i));
	mnl_attr_nest_end(nlh, list);
}

static void b_mark_u16(struct nlmsghdr *nlh)
{
	put_name(nlh, "fz1");
	put_endpoints(nlh);
	mnl_attr_put_u16(nlh, SIPSTEER_A_BYPASS_MARK, 0x5e);
}

/* A mark with a bit outside its mask could never match. */
static void b_mark_outside_mask(struct nlmsghdr *nlh)
{
	put_name(nlh, "fz1");
	put_endpoints(nlh);
	mnl_attr_put_u32(nlh, SIPSTEER_A_BYPASS_MARK, 0x1500);
	mnl_attr_put_u32(nlh, SIPSTEER_A_BYPASS_MASK, 0x0f00);
}

static void b_replace_u32(struct nlmsghdr *nlh)
{
	put_name(nlh, "fz");
	put_endpoints(nlh);
	mnl_attr_put_u32(nlh, SIPSTEER_A_REPLACE, 1);
}

static void b_name_fz2(struct nlmsghdr *nlh)
{
	put_name(nlh, "fz2");
}

static void b_valid_fz2(struct nlmsghdr *nlh)
{
	b_name_fz2(nlh);
	put_endpoints(nlh);
}

static void b_unknown_service(struct nlmsghdr *nlh)
{
	put_name(nlh, "no-such-service");
}

static void put_target4(struct nlmsghdr *nlh, uint32_t host, int proto)
{
	struct nlattr *entry = mnl_attr_nest_start(nlh, SIPSTEER_LIST_A_ENTRY);
	uint32_t ip = htonl(host);

	if (proto)
		mnl_attr_put_u8(nlh, SIPSTEER_ADDR_A_PROTO, IPPROTO_UDP);
	mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV4, 4, &ip);
	mnl_attr_put_u16(nlh, SIPSTEER_ADDR_A_PORT, 5060);
	mnl_attr_nest_end(nlh, entry);
}

/* A service that steers nothing (yet) but keeps its target. */
static void b_empty_endpoints(struct nlmsghdr *nlh)
{
	struct nlattr *list;

	put_name(nlh, "fz");
	list = mnl_attr_nest_start(nlh, SIPSTEER_A_ENDPOINTS);
	mnl_attr_nest_end(nlh, list);
	list = mnl_attr_nest_start(nlh, SIPSTEER_A_TARGETS);
	put_target4(nlh, 0x0a090202, 0);
	mnl_attr_nest_end(nlh, list);
	mnl_attr_put(nlh, SIPSTEER_A_REPLACE, 0, NULL);
}

static void b_set_replace(struct nlmsghdr *nlh)
{
	put_name(nlh, "fz");
	mnl_attr_put(nlh, SIPSTEER_A_REPLACE, 0, NULL);
}

static void b_expect_gen_u16(struct nlmsghdr *nlh)
{
	put_name(nlh, "fz");
	mnl_attr_put_u16(nlh, SIPSTEER_A_EXPECT_GENERATION, 1);
}

static void b_target_proto(struct nlmsghdr *nlh)
{
	struct nlattr *list;

	put_name(nlh, "fz");
	list = mnl_attr_nest_start(nlh, SIPSTEER_A_TARGETS);
	put_target4(nlh, 0x0a090202, 1);
	mnl_attr_nest_end(nlh, list);
}

static void b_two_v4_targets(struct nlmsghdr *nlh)
{
	struct nlattr *list;

	put_name(nlh, "fz");
	list = mnl_attr_nest_start(nlh, SIPSTEER_A_TARGETS);
	put_target4(nlh, 0x0a090202, 0);
	put_target4(nlh, 0x0a090102, 0);
	mnl_attr_nest_end(nlh, list);
}

static void b_stale_generation(struct nlmsghdr *nlh)
{
	struct nlattr *list;

	put_name(nlh, "fz");
	list = mnl_attr_nest_start(nlh, SIPSTEER_A_TARGETS);
	put_target4(nlh, 0x0a090202, 0);
	mnl_attr_nest_end(nlh, list);
	mnl_attr_put_u32(nlh, SIPSTEER_A_EXPECT_GENERATION, 0xdeadbeef);
}

static void b_nothing(struct nlmsghdr *nlh)
{
	(void)nlh;
}

/* The generic netlink header's reserved byte set, on a valid GET. */
static void b_reserved_fz(struct nlmsghdr *nlh)
{
	struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	g->reserved = 1;
	put_name(nlh, "fz");
}

#define E_MISSING	{ EINVAL }
#define E_LIMIT		{ E2BIG, ENOSPC, EINVAL, ERANGE }

static const struct fuzz_case admin_cases[] = {
	{ "new: valid service fz (setup)", SIPSTEER_CMD_SERVICE_NEW,
	  0, b_valid, { 0 }, 0 },
	{ "new: NAME missing", SIPSTEER_CMD_SERVICE_NEW, 0,
	  b_no_name, E_MISSING, NEED_EXTACK },
	{ "new: ENDPOINTS missing", SIPSTEER_CMD_SERVICE_NEW, 0,
	  b_no_endpoints, E_MISSING, NEED_EXTACK },
	{ "new: NAME not a string", SIPSTEER_CMD_SERVICE_NEW, 0,
	  b_name_u32, E_POLICY, NEED_EXTACK },
	{ "new: NAME of 63 bytes", SIPSTEER_CMD_SERVICE_NEW, 0,
	  b_name_long, E_POLICY, NEED_EXTACK },
	{ "new: NAME empty", SIPSTEER_CMD_SERVICE_NEW, 0,
	  b_name_empty, E_POLICY, NEED_EXTACK },
	{ "new: NAME with a control character", SIPSTEER_CMD_SERVICE_NEW,
	  0, b_name_ctrl, E_POLICY, NEED_EXTACK },
	{ "new: IPV4 of 3 bytes", SIPSTEER_CMD_SERVICE_NEW, 0,
	  b_ipv4_3, E_POLICY, NEED_EXTACK },
	{ "new: IPV6 of 4 bytes", SIPSTEER_CMD_SERVICE_NEW, 0,
	  b_ipv6_4, E_POLICY, NEED_EXTACK },
	{ "new: PROTO ICMP", SIPSTEER_CMD_SERVICE_NEW, 0,
	  b_proto_icmp, E_POLICY, NEED_EXTACK },
	{ "new: PROTO EGP", SIPSTEER_CMD_SERVICE_NEW, 0,
	  b_proto_egp, { EINVAL }, NEED_EXTACK },
	{ "new: PORT 0", SIPSTEER_CMD_SERVICE_NEW, 0,
	  b_port_0, E_POLICY, NEED_EXTACK },
	{ "new: PORT as u32", SIPSTEER_CMD_SERVICE_NEW, 0,
	  b_port_u32, E_POLICY, NEED_EXTACK },
	{ "new: endpoint with IPV4 and IPV6", SIPSTEER_CMD_SERVICE_NEW,
	  0, b_both_families, E_POLICY, NEED_EXTACK },
	{ "new: endpoint without address", SIPSTEER_CMD_SERVICE_NEW,
	  0, b_no_address, E_POLICY, NEED_EXTACK },
	{ "new: unknown attribute in an endpoint", SIPSTEER_CMD_SERVICE_NEW,
	  0, b_unknown_nested, E_POLICY, NEED_EXTACK },
	{ "new: unknown top-level attribute", SIPSTEER_CMD_SERVICE_NEW,
	  0, b_unknown_top, E_POLICY, NEED_EXTACK },
	{ "new: ENDPOINTS not nested", SIPSTEER_CMD_SERVICE_NEW,
	  0, b_endpoints_u32, E_POLICY, NEED_EXTACK },
	{ "new: 17 endpoints", SIPSTEER_CMD_SERVICE_NEW, 0,
	  b_too_many_endpoints, E_LIMIT, NEED_EXTACK },
	{ "new: BYPASS_MARK of 2 bytes", SIPSTEER_CMD_SERVICE_NEW,
	  0, b_mark_u16, E_POLICY, NEED_EXTACK },
	{ "new: BYPASS_MARK outside BYPASS_MASK", SIPSTEER_CMD_SERVICE_NEW,
	  0, b_mark_outside_mask, { EINVAL }, NEED_EXTACK },
	{ "new: REPLACE not a flag", SIPSTEER_CMD_SERVICE_NEW, 0,
	  b_replace_u32, E_POLICY, NEED_EXTACK },
	{ "new: existing name without REPLACE", SIPSTEER_CMD_SERVICE_NEW,
	  0, b_valid, { EEXIST }, NEED_EXTACK },
	{ "new: REPLACE with empty ENDPOINTS", SIPSTEER_CMD_SERVICE_NEW,
	  0, b_empty_endpoints, { 0 }, 0 },
	/* nlmsg_flags carry no meaning of the family's: refused. */
	{ "new: NLM_F_CREATE", SIPSTEER_CMD_SERVICE_NEW, NLM_F_CREATE,
	  b_valid_fz2, { EINVAL }, NEED_EXTACK },
	{ "new: NLM_F_EXCL", SIPSTEER_CMD_SERVICE_NEW, NLM_F_EXCL,
	  b_valid_fz2, { EINVAL }, NEED_EXTACK },
	{ "new: NLM_F_REPLACE", SIPSTEER_CMD_SERVICE_NEW, NLM_F_REPLACE,
	  b_valid_fz2, { EINVAL }, NEED_EXTACK },
	/* REPLACE|EXCL is NLM_F_DUMP: a do-only command has no dump. */
	{ "new: NLM_F_REPLACE|NLM_F_EXCL", SIPSTEER_CMD_SERVICE_NEW,
	  NLM_F_REPLACE | NLM_F_EXCL, b_valid_fz2, { EOPNOTSUPP }, 0 },
	{ "get: none of those created fz2", SIPSTEER_CMD_SERVICE_GET, 0,
	  b_name_fz2, { ENOENT }, NEED_EXTACK },
	{ "get: NLM_F_CREATE", SIPSTEER_CMD_SERVICE_GET, NLM_F_CREATE,
	  b_name_fz, { EINVAL }, NEED_EXTACK },
	{ "get: genlmsghdr.reserved set", SIPSTEER_CMD_SERVICE_GET, 0,
	  b_reserved_fz, { EINVAL }, NEED_EXTACK },
	{ "set: unknown service", SIPSTEER_CMD_SERVICE_SET, 0,
	  b_unknown_service, { ENOENT }, NEED_EXTACK },
	{ "set: NAME missing", SIPSTEER_CMD_SERVICE_SET, 0,
	  b_nothing, E_MISSING, NEED_EXTACK },
	{ "set: target with PROTO", SIPSTEER_CMD_SERVICE_SET, 0,
	  b_target_proto, E_POLICY, NEED_EXTACK },
	{ "set: two IPv4 targets", SIPSTEER_CMD_SERVICE_SET, 0,
	  b_two_v4_targets, E_POLICY, NEED_EXTACK },
	{ "set: stale EXPECT_GENERATION", SIPSTEER_CMD_SERVICE_SET, 0,
	  b_stale_generation, { ESTALE }, NEED_EXTACK },
	{ "set: EXPECT_GENERATION of 2 bytes", SIPSTEER_CMD_SERVICE_SET, 0,
	  b_expect_gen_u16, E_POLICY, NEED_EXTACK },
	{ "set: REPLACE (a SERVICE_NEW attribute)", SIPSTEER_CMD_SERVICE_SET,
	  0, b_set_replace, E_POLICY, NEED_EXTACK },
	{ "get: unknown service", SIPSTEER_CMD_SERVICE_GET, 0,
	  b_unknown_service, { ENOENT }, NEED_EXTACK },
	{ "stats: unknown service", SIPSTEER_CMD_STATS_GET, 0,
	  b_unknown_service, { ENOENT }, NEED_EXTACK },
	{ "flush: unknown service", SIPSTEER_CMD_FLOWS_FLUSH, 0,
	  b_unknown_service, { ENOENT }, NEED_EXTACK },
	{ "del: unknown service", SIPSTEER_CMD_SERVICE_DEL, 0,
	  b_unknown_service, { ENOENT }, NEED_EXTACK },
	{ "unknown command", SIPSTEER_CMD_MAX + 10, 0,
	  b_name_fz, { EOPNOTSUPP }, 0 },
	{ "del: fz (cleanup)", SIPSTEER_CMD_SERVICE_DEL, 0,
	  b_name_fz, { 0 }, 0 },
};

/* Without CAP_NET_ADMIN: every mutation refused, reads allowed. */
static const struct fuzz_case unpriv_cases[] = {
	{ "unprivileged new", SIPSTEER_CMD_SERVICE_NEW, 0,
	  b_valid, { EPERM }, 0 },
	{ "unprivileged set", SIPSTEER_CMD_SERVICE_SET, 0,
	  b_name_fz, { EPERM }, 0 },
	{ "unprivileged flush", SIPSTEER_CMD_FLOWS_FLUSH, 0,
	  b_name_fz, { EPERM }, 0 },
	{ "unprivileged del", SIPSTEER_CMD_SERVICE_DEL, 0,
	  b_name_fz, { EPERM }, 0 },
	{ "unprivileged get of a missing service", SIPSTEER_CMD_SERVICE_GET,
	  0, b_unknown_service, { ENOENT }, NEED_EXTACK },
};

/*
 * Root of a user namespace that owns the network namespace: manages its
 * own services, but a flush (a walk of the conntrack table all
 * namespaces share, under its global mutex) is refused.
 */
static const struct fuzz_case userns_cases[] = {
	{ "userns root: new", SIPSTEER_CMD_SERVICE_NEW, 0,
	  b_valid, { 0 }, 0 },
	{ "userns root: set", SIPSTEER_CMD_SERVICE_SET, 0,
	  b_name_fz, { 0 }, 0 },
	{ "userns root: flush", SIPSTEER_CMD_FLOWS_FLUSH, 0,
	  b_name_fz, { EPERM }, 0 },
	{ "userns root: del", SIPSTEER_CMD_SERVICE_DEL, 0,
	  b_name_fz, { 0 }, 0 },
};

/* SIPSTEER_MAX_SERVICES services fit in a namespace, one more does not. */
static int service_limit(struct nl *nl)
{
	struct nlmsghdr *nlh;
	char name[SIPSTEER_NAME_SIZE], msg[256];
	int i, err = 0, failed = 0;
	struct nlattr *list;

	for (i = 0; i <= SIPSTEER_MAX_SERVICES; i++) {
		snprintf(name, sizeof(name), "limit%d", i);
		nlh = nl_request(nl, SIPSTEER_CMD_SERVICE_NEW, 0);
		put_name(nlh, name);
		list = mnl_attr_nest_start(nlh, SIPSTEER_A_ENDPOINTS);
		put_endpoint4(nlh, IPPROTO_UDP, (uint16_t)(6000 + i));
		mnl_attr_nest_end(nlh, list);
		err = nl_talk(nl, nlh, msg, sizeof(msg));
		if (err && i < SIPSTEER_MAX_SERVICES) {
			printf("FAIL service %d of %d: %s %s\n", i + 1,
			       SIPSTEER_MAX_SERVICES, strerrorname_np(-err),
			       msg);
			failed = 1;
			break;
		}
	}
	if (!failed) {
		failed = !err || !msg[0];
		printf("%s service %d: %s%s%s\n", failed ? "FAIL" : "PASS",
		       SIPSTEER_MAX_SERVICES + 1,
		       err ? strerrorname_np(-err) : "success",
		       msg[0] ? ", extack: " : "", msg);
	}
	for (i = 0; i <= SIPSTEER_MAX_SERVICES; i++) {
		snprintf(name, sizeof(name), "limit%d", i);
		nlh = nl_request(nl, SIPSTEER_CMD_SERVICE_DEL, 0);
		put_name(nlh, name);
		nl_talk(nl, nlh, NULL, 0);
	}
	return failed ? -1 : 0;
}

/*
 * The family's policies as the core dumps them (CTRL_CMD_GETPOLICY):
 * every attribute of every command is written out, so a policy the dump
 * cannot describe shows as a kernel warning, which the caller checks.
 */
static int policy_dump(struct nl *nl)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	unsigned int parts = 0;
	struct genlmsghdr *g;
	char buf[16384];
	int err = 0;
	ssize_t n;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETPOLICY;
	g->version = 1;
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, nl->family);
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		err = -errno;
	while (!err) {
		const struct nlmsghdr *r = (const void *)buf;
		int len;

		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0) {
			err = -errno;
			break;
		}
		len = (int)n;
		for (; mnl_nlmsg_ok(r, len); r = mnl_nlmsg_next(r, &len)) {
			if (r->nlmsg_type == NLMSG_ERROR) {
				err = ((const struct nlmsgerr *)
				       mnl_nlmsg_get_payload(r))->error;
				break;
			}
			if (r->nlmsg_type == NLMSG_DONE)
				goto done;
			parts++;
		}
	}
done:
	printf("%s policy dump: %s, %u messages\n",
	       err || !parts ? "FAIL" : "PASS",
	       err ? strerrorname_np(-err) : "success", parts);
	return err || !parts ? -1 : 0;
}

static int run_case(struct nl *nl, const struct fuzz_case *c)
{
	struct nlmsghdr *nlh = nl_request(nl, c->cmd, c->flags);
	char msg[256];
	int err, i, ok = 0;

	c->build(nlh);
	err = -nl_talk(nl, nlh, msg, sizeof(msg));
	for (i = 0; i < 4 && (i == 0 || c->expect[i]); i++)
		if (err == c->expect[i])
			ok = 1;
	if (ok && err && c->extack && !msg[0])
		ok = 0;
	printf("%s %s: %s%s%s%s\n", ok ? "PASS" : "FAIL", c->name,
	       err ? "-" : "", err ? strerrorname_np(err) : "success",
	       msg[0] ? ", extack: " : "", msg);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	const struct fuzz_case *cases = admin_cases;
	size_t n = sizeof(admin_cases) / sizeof(admin_cases[0]), i;
	struct nl nl;
	int failed = 0, c, err;

	while ((c = getopt(argc, argv, "un")) != -1) {
		switch (c) {
		case 'u':
			cases = unpriv_cases;
			n = sizeof(unpriv_cases) / sizeof(unpriv_cases[0]);
			break;
		case 'n':
			cases = userns_cases;
			n = sizeof(userns_cases) / sizeof(userns_cases[0]);
			break;
		default:
			errno = 0;
			die("usage: nlfuzz [-u | -n]");
		}
	}
	err = nl_open(&nl);
	if (err) {
		errno = -err;
		die("nlfuzz: sipsteer family");
	}
	for (i = 0; i < n; i++)
		failed += run_case(&nl, &cases[i]) ? 1 : 0;
	if (cases == admin_cases) {
		failed += service_limit(&nl) ? 1 : 0;
		failed += policy_dump(&nl) ? 1 : 0;
		n += 2;
	}
	nl_close(&nl);
	printf("%zu cases, %d failed\n", n, failed);
	return failed ? 1 : 0;
}
