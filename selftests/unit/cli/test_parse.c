// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing of canned kernel messages: sipsteer replies and events, netlink
 * ACKs with extended acks, dumps, the genl controller, sock_diag and
 * ctnetlink answers, and the stale-connection rule built on them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include <linux/genetlink.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/sock_diag.h>

#include "internal.h"

#define FAMILY	0x20
#define SEQ	7
#define PORTID	4242

#define HALF	8192
static char buf[2 * HALF];

static struct sipsteer_addr addr(const char *s, uint8_t proto)
{
	struct sipsteer_addr a;

	assert_int_equal(sipsteer_addr_parse(s, SIPSTEER_PORT_OPTIONAL, &a,
					     NULL), 0);
	a.proto = proto;
	return a;
}

/* A reply as the module's netlink.c writes it. */
static struct nlmsghdr *genl_put(void *at, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(at);
	struct genlmsghdr *g;

	nlh->nlmsg_type = FAMILY;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = SEQ;
	nlh->nlmsg_pid = PORTID;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = SIPSTEER_GENL_VERSION;
	return nlh;
}

static void put_entry(struct nlmsghdr *nlh, const struct sipsteer_addr *a)
{
	struct nlattr *e = mnl_attr_nest_start(nlh, SIPSTEER_LIST_A_ENTRY);

	if (a->proto)
		mnl_attr_put_u8(nlh, SIPSTEER_ADDR_A_PROTO, a->proto);
	if (a->family == AF_INET)
		mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV4, 4, &a->ip.v4);
	else
		mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV6, 16, &a->ip.v6);
	if (a->port)
		mnl_attr_put_u16(nlh, SIPSTEER_ADDR_A_PORT, a->port);
	mnl_attr_nest_end(nlh, e);
}

/* u64 the way nla_put_u64_64bit() aligns it: a PAD attribute first. */
static void put_u64_padded(struct nlmsghdr *nlh, uint16_t type, uint64_t v,
			   uint16_t pad)
{
	mnl_attr_put(nlh, pad, 0, NULL);
	mnl_attr_put_u64(nlh, type, v);
}

static struct nlmsghdr *full_service(void *at, uint16_t flags)
{
	struct nlmsghdr *nlh = genl_put(at, SIPSTEER_CMD_SERVICE_GET, flags);
	struct sipsteer_addr ep1 = addr("192.0.2.10:5060", IPPROTO_UDP);
	struct sipsteer_addr ep2 = addr("[2001:db8::10]:5061", IPPROTO_TCP);
	struct sipsteer_addr t = addr("192.0.2.11:5070", 0);
	struct nlattr *n;

	mnl_attr_put_strz(nlh, SIPSTEER_A_NAME, "sip");
	mnl_attr_put_u32(nlh, SIPSTEER_A_GENERATION, 9);
	mnl_attr_put_u32(nlh, SIPSTEER_A_BYPASS_MARK, 0x5e);
	mnl_attr_put_u32(nlh, SIPSTEER_A_BYPASS_MASK, 0xff);
	n = mnl_attr_nest_start(nlh, SIPSTEER_A_ENDPOINTS);
	put_entry(nlh, &ep1);
	put_entry(nlh, &ep2);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, SIPSTEER_A_TARGETS);
	put_entry(nlh, &t);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, SIPSTEER_A_STATS);
	put_u64_padded(nlh, SIPSTEER_STATS_A_FLOWS_STEERED, 1ULL << 40,
		       SIPSTEER_STATS_A_PAD);
	put_u64_padded(nlh, SIPSTEER_STATS_A_FLOWS_PASSED, 2,
		       SIPSTEER_STATS_A_PAD);
	put_u64_padded(nlh, SIPSTEER_STATS_A_FLOWS_BYPASSED, 3,
		       SIPSTEER_STATS_A_PAD);
	put_u64_padded(nlh, SIPSTEER_STATS_A_FLUSHES, 4, SIPSTEER_STATS_A_PAD);
	put_u64_padded(nlh, SIPSTEER_STATS_A_FLOWS_FLUSHED, 5,
		       SIPSTEER_STATS_A_PAD);
	put_u64_padded(nlh, SIPSTEER_STATS_A_FLOWS_REFUSED, 6,
		       SIPSTEER_STATS_A_PAD);
	mnl_attr_nest_end(nlh, n);
	/* A newer module's attribute: skipped, not an error. */
	mnl_attr_put_u32(nlh, 200, 1);
	return nlh;
}

static void test_service_reply(void **state)
{
	struct sipsteer_service svc;
	struct sipsteer_addr want;

	(void)state;
	assert_int_equal(sipsteer_parse_service(full_service(buf, 0), &svc), 0);
	assert_string_equal(svc.name, "sip");
	assert_int_equal(svc.has, SIPSTEER_HAS_ENDPOINTS | SIPSTEER_HAS_TARGETS |
			 SIPSTEER_HAS_BYPASS | SIPSTEER_HAS_GENERATION |
			 SIPSTEER_HAS_STATS);
	assert_int_equal(svc.generation, 9);
	assert_int_equal(svc.bypass_mark, 0x5e);
	assert_int_equal(svc.bypass_mask, 0xff);
	assert_int_equal(svc.n_endpoints, 2);
	want = addr("192.0.2.10:5060", IPPROTO_UDP);
	assert_memory_equal(&svc.endpoints[0], &want, sizeof(want));
	want = addr("[2001:db8::10]:5061", IPPROTO_TCP);
	assert_memory_equal(&svc.endpoints[1], &want, sizeof(want));
	assert_int_equal(svc.n_targets, 1);
	want = addr("192.0.2.11:5070", 0);
	assert_memory_equal(&svc.targets[0], &want, sizeof(want));
	assert_true(svc.stats.flows_steered == 1ULL << 40);
	assert_int_equal(svc.stats.flows_passed, 2);
	assert_int_equal(svc.stats.flows_bypassed, 3);
	assert_int_equal(svc.stats.flushes, 4);
	assert_int_equal(svc.stats.flows_flushed, 5);
	assert_int_equal(svc.stats.flows_refused, 6);
}

static void test_service_inactive(void **state)
{
	struct nlmsghdr *nlh = genl_put(buf, SIPSTEER_CMD_STATS_GET, 0);
	struct sipsteer_service svc;

	(void)state;
	mnl_attr_put_strz(nlh, SIPSTEER_A_NAME, "s");
	assert_int_equal(sipsteer_parse_service(nlh, &svc), 0);
	assert_int_equal(svc.n_targets, 0);
	assert_int_equal(svc.n_endpoints, 0);
	assert_int_equal(svc.has, 0);
	/* A mask not sent reads as "all bits", like on input. */
	assert_int_equal(svc.bypass_mask, 0xffffffff);
}

static void test_service_bad(void **state)
{
	struct sipsteer_addr ep = addr("192.0.2.10:5060", IPPROTO_UDP);
	struct sipsteer_service svc;
	struct nlmsghdr *nlh;
	struct nlattr *n, *e;
	int i;

	(void)state;
	/* No name. */
	nlh = genl_put(buf, SIPSTEER_CMD_SERVICE_GET, 0);
	mnl_attr_put_u32(nlh, SIPSTEER_A_GENERATION, 1);
	assert_int_equal(sipsteer_parse_service(nlh, &svc), -EBADMSG);

	/* A three-byte IPv4 address. */
	nlh = genl_put(buf, SIPSTEER_CMD_SERVICE_GET, 0);
	mnl_attr_put_strz(nlh, SIPSTEER_A_NAME, "s");
	n = mnl_attr_nest_start(nlh, SIPSTEER_A_ENDPOINTS);
	e = mnl_attr_nest_start(nlh, SIPSTEER_LIST_A_ENTRY);
	mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV4, 3, "abc");
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, n);
	assert_int_equal(sipsteer_parse_service(nlh, &svc), -EBADMSG);

	/* Both IPV4 and IPV6 in one entry. */
	nlh = genl_put(buf, SIPSTEER_CMD_SERVICE_GET, 0);
	mnl_attr_put_strz(nlh, SIPSTEER_A_NAME, "s");
	n = mnl_attr_nest_start(nlh, SIPSTEER_A_ENDPOINTS);
	e = mnl_attr_nest_start(nlh, SIPSTEER_LIST_A_ENTRY);
	mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV4, 4, &ep.ip.v4);
	mnl_attr_put(nlh, SIPSTEER_ADDR_A_IPV6, 16, "0123456789abcdef");
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, n);
	assert_int_equal(sipsteer_parse_service(nlh, &svc), -EBADMSG);

	/* More endpoints than the ABI allows must not overrun the array. */
	nlh = genl_put(buf, SIPSTEER_CMD_SERVICE_GET, 0);
	mnl_attr_put_strz(nlh, SIPSTEER_A_NAME, "s");
	n = mnl_attr_nest_start(nlh, SIPSTEER_A_ENDPOINTS);
	for (i = 0; i <= SIPSTEER_MAX_ENDPOINTS; i++)
		put_entry(nlh, &ep);
	mnl_attr_nest_end(nlh, n);
	assert_int_equal(sipsteer_parse_service(nlh, &svc), -E2BIG);

	/* A u64 counter sent as u32. */
	nlh = genl_put(buf, SIPSTEER_CMD_STATS_GET, 0);
	mnl_attr_put_strz(nlh, SIPSTEER_A_NAME, "s");
	n = mnl_attr_nest_start(nlh, SIPSTEER_A_STATS);
	mnl_attr_put_u32(nlh, SIPSTEER_STATS_A_FLUSHES, 1);
	mnl_attr_nest_end(nlh, n);
	assert_int_equal(sipsteer_parse_service(nlh, &svc), -EBADMSG);

	/* A name without its NUL. */
	nlh = genl_put(buf, SIPSTEER_CMD_SERVICE_GET, 0);
	mnl_attr_put(nlh, SIPSTEER_A_NAME, 3, "sip");
	assert_int_equal(sipsteer_parse_service(nlh, &svc), -EBADMSG);

	/* No genetlink header at all. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = FAMILY;
	assert_int_equal(sipsteer_parse_service(nlh, &svc), -EBADMSG);
}

static void test_event(void **state)
{
	struct nlmsghdr *nlh = genl_put(buf, SIPSTEER_CMD_FLOWS_FLUSH, 0);
	struct sipsteer_event ev;

	(void)state;
	mnl_attr_put_strz(nlh, SIPSTEER_A_NAME, "sip");
	mnl_attr_put_u32(nlh, SIPSTEER_A_GENERATION, 3);
	mnl_attr_put_u32(nlh, SIPSTEER_A_FLUSHED, 12);
	assert_int_equal(sipsteer_parse_event(nlh, &ev), 0);
	assert_int_equal(ev.cmd, SIPSTEER_CMD_FLOWS_FLUSH);
	assert_string_equal(ev.service.name, "sip");
	assert_int_equal(ev.service.generation, 3);
	assert_true(ev.has_flushed);
	assert_int_equal(ev.flushed, 12);

	nlh = genl_put(buf, SIPSTEER_CMD_SERVICE_DEL, 0);
	mnl_attr_put_strz(nlh, SIPSTEER_A_NAME, "gone");
	assert_int_equal(sipsteer_parse_event(nlh, &ev), 0);
	assert_int_equal(ev.cmd, SIPSTEER_CMD_SERVICE_DEL);
	assert_false(ev.has_flushed);
	assert_int_equal(ev.service.has, 0);
}

/* Reply parsing: ACKs, errors with extended acks, dumps. */

struct seen {
	int calls;
	int ret;
};

static int count_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct seen *s = arg;

	(void)nlh;
	s->calls++;
	return s->ret;
}

static struct nlmsghdr *put_err(void *at, int error, uint16_t flags,
				const struct nlmsghdr *orig)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(at);
	struct nlmsgerr *e;
	char *echo;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = SEQ;
	nlh->nlmsg_pid = PORTID;
	if (flags & NLM_F_CAPPED) {
		e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
		e->msg = *orig;
	} else {
		/* The whole request is echoed after the error code. */
		e = mnl_nlmsg_put_extra_header(nlh, sizeof(int) +
					       orig->nlmsg_len);
		echo = (char *)e + sizeof(int);
		memcpy(echo, orig, orig->nlmsg_len);
	}
	e->error = error;
	return nlh;
}

static void reply_init(struct nl_reply *r, struct nl_ext *ext)
{
	nl_ext_clear(ext);
	*r = (struct nl_reply){ .seq = SEQ, .portid = PORTID, .ext = ext };
}

static void test_reply_ack(void **state)
{
	struct nlmsghdr *data, *ack;
	struct seen s = { 0 };
	struct nl_reply r;
	struct nl_ext ext;
	size_t len;

	(void)state;
	data = full_service(buf, 0);
	ack = put_err((char *)data + data->nlmsg_len, 0, NLM_F_CAPPED, data);
	len = data->nlmsg_len + ack->nlmsg_len;
	reply_init(&r, &ext);
	assert_int_equal(nl_reply_parse(buf, len, &r, count_cb, &s), 0);
	assert_int_equal(s.calls, 1);
	assert_true(r.done);
	assert_int_equal(r.error, 0);
	assert_false(r.intr);
	assert_string_equal(ext.msg, "");
	assert_int_equal(ext.offset, -1);
}

static void test_reply_extack_capped(void **state)
{
	const char *text = "Service exists (REPLACE replaces it)";
	struct nlmsghdr *req, *err;
	struct seen s = { 0 };
	struct nl_reply r;
	struct nl_ext ext;

	(void)state;
	req = full_service(buf + HALF, 0);
	err = put_err(buf, -EEXIST, NLM_F_CAPPED | NLM_F_ACK_TLVS, req);
	mnl_attr_put_strz(err, NLMSGERR_ATTR_MSG, text);
	mnl_attr_put_u32(err, NLMSGERR_ATTR_OFFS, 20);
	reply_init(&r, &ext);
	assert_int_equal(nl_reply_parse(buf, err->nlmsg_len, &r, count_cb, &s),
			 0);
	assert_int_equal(s.calls, 0);
	assert_true(r.done);
	assert_int_equal(r.error, -EEXIST);
	assert_string_equal(ext.msg, text);
	assert_int_equal(ext.offset, 20);
}

static void test_reply_extack_full_echo(void **state)
{
	struct nlmsghdr *req, *err;
	struct nl_reply r;
	struct nl_ext ext;

	(void)state;
	/* The echoed request holds attributes that look like TLVs too. */
	req = full_service(buf + HALF, 0);
	err = put_err(buf, -EINVAL, NLM_F_ACK_TLVS, req);
	mnl_attr_put_strz(err, NLMSGERR_ATTR_MSG, "bad port");
	reply_init(&r, &ext);
	assert_int_equal(nl_reply_parse(buf, err->nlmsg_len, &r, NULL, NULL),
			 0);
	assert_int_equal(r.error, -EINVAL);
	assert_string_equal(ext.msg, "bad port");
	assert_int_equal(ext.offset, -1);
}

static void test_reply_missing_attr(void **state)
{
	struct nlmsghdr *req, *err;
	struct nl_reply r;
	struct nl_ext ext;

	(void)state;
	req = genl_put(buf + HALF, SIPSTEER_CMD_SERVICE_NEW,
		       0);
	err = put_err(buf, -EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS, req);
	mnl_attr_put_u32(err, NLMSGERR_ATTR_MISS_TYPE, SIPSTEER_A_ENDPOINTS);
	reply_init(&r, &ext);
	assert_int_equal(nl_reply_parse(buf, err->nlmsg_len, &r, NULL, NULL),
			 0);
	assert_int_equal(r.error, -EINVAL);
	assert_string_equal(ext.msg, "missing attribute 3");
}

static struct nlmsghdr *put_done(void *at, int error, const char *msg)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(at);
	int *e;

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | (msg ? NLM_F_ACK_TLVS : 0);
	nlh->nlmsg_seq = SEQ;
	nlh->nlmsg_pid = PORTID;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	*e = error;
	if (msg)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	return nlh;
}

static void test_reply_dump(void **state)
{
	struct nlmsghdr *a, *b, *done;
	struct seen s = { 0 };
	struct nl_reply r;
	struct nl_ext ext;
	char *p = buf;

	(void)state;
	a = full_service(p, NLM_F_MULTI);
	p += a->nlmsg_len;
	/* A notification (seq 0) and a stale reply are not ours. */
	b = full_service(p, NLM_F_MULTI);
	b->nlmsg_seq = 0;
	p += b->nlmsg_len;
	b = full_service(p, NLM_F_MULTI);
	b->nlmsg_seq = SEQ - 1;
	p += b->nlmsg_len;
	b = full_service(p, NLM_F_MULTI | NLM_F_DUMP_INTR);
	p += b->nlmsg_len;
	reply_init(&r, &ext);
	/* First batch: the data only; the dump is not over yet. */
	assert_int_equal(nl_reply_parse(buf, (size_t)(p - buf), &r, count_cb,
					&s), 0);
	assert_int_equal(s.calls, 2);
	assert_false(r.done);
	assert_true(r.intr);
	/* Second batch: DONE. */
	done = put_done(buf, 0, NULL);
	assert_int_equal(nl_reply_parse(buf, done->nlmsg_len, &r, count_cb,
					&s), 0);
	assert_int_equal(s.calls, 2);
	assert_true(r.done);
	assert_int_equal(r.error, 0);
}

static void test_reply_dump_error(void **state)
{
	struct nlmsghdr *done;
	struct nl_reply r;
	struct nl_ext ext;

	(void)state;
	done = put_done(buf, -EPERM, "not allowed here");
	reply_init(&r, &ext);
	assert_int_equal(nl_reply_parse(buf, done->nlmsg_len, &r, NULL, NULL),
			 0);
	assert_true(r.done);
	assert_int_equal(r.error, -EPERM);
	assert_string_equal(ext.msg, "not allowed here");
}

static void test_reply_cb_stops(void **state)
{
	struct nlmsghdr *a, *b;
	struct seen s = { .ret = -ENOMEM };
	struct nl_reply r;
	struct nl_ext ext;

	(void)state;
	a = full_service(buf, NLM_F_MULTI);
	b = full_service((char *)a + a->nlmsg_len, NLM_F_MULTI);
	reply_init(&r, &ext);
	assert_int_equal(nl_reply_parse(buf, a->nlmsg_len + b->nlmsg_len, &r,
					count_cb, &s), -ENOMEM);
	assert_int_equal(s.calls, 1);
}

static void test_reply_truncated(void **state)
{
	struct nlmsghdr *a;
	struct seen s = { 0 };
	struct nl_reply r;
	struct nl_ext ext;

	(void)state;
	a = full_service(buf, 0);
	reply_init(&r, &ext);
	assert_int_equal(nl_reply_parse(buf, a->nlmsg_len - 4, &r, count_cb,
					&s), -EBADMSG);
	assert_int_equal(s.calls, 0);
	/* An error message too short for struct nlmsgerr. */
	a = mnl_nlmsg_put_header(buf);
	a->nlmsg_type = NLMSG_ERROR;
	a->nlmsg_seq = SEQ;
	a->nlmsg_pid = PORTID;
	mnl_nlmsg_put_extra_header(a, sizeof(int));
	assert_int_equal(nl_reply_parse(buf, a->nlmsg_len, &r, count_cb, &s),
			 -EBADMSG);
}

static void test_genl_family(void **state)
{
	struct genl_family_info info = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *groups, *grp;
	struct genlmsghdr *g;

	(void)state;
	nlh->nlmsg_type = GENL_ID_CTRL;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_NEWFAMILY;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "sipsteer");
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0x1d);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 1);
	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	grp = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 8);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, "other");
	mnl_attr_nest_end(nlh, grp);
	grp = mnl_attr_nest_start(nlh, 2);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, "events");
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 9);
	mnl_attr_nest_end(nlh, grp);
	mnl_attr_nest_end(nlh, groups);
	assert_int_equal(genl_parse_family(nlh, "events", &info), 0);
	assert_int_equal(info.id, 0x1d);
	assert_int_equal(info.version, 1);
	assert_int_equal(info.events_group, 9);
	assert_int_equal(genl_parse_family(nlh, "missing", &info), 0);
	assert_int_equal(info.events_group, 0);
}

static struct nlmsghdr *diag_msg(int family, const char *src,
				 uint16_t sport, const char *dst,
				 uint16_t dport)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_msg *m;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_MULTI;
	m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
	m->idiag_family = (uint8_t)family;
	m->idiag_state = 1;
	m->id.idiag_sport = htons(sport);
	m->id.idiag_dport = htons(dport);
	inet_pton(family, src, m->id.idiag_src);
	inet_pton(family, dst, m->id.idiag_dst);
	m->id.idiag_cookie[0] = 77;
	return nlh;
}

static void test_sockdiag_parse(void **state)
{
	struct sipsteer_addr want;
	struct tcp_sock_ref s;
	struct nlmsghdr *nlh;

	(void)state;
	nlh = diag_msg(AF_INET, "10.0.0.1", 40000, "192.0.2.10", 5060);
	assert_int_equal(sockdiag_parse(nlh, &s), 0);
	assert_int_equal(s.family, AF_INET);
	want = addr("10.0.0.1:40000", IPPROTO_TCP);
	assert_memory_equal(&s.src, &want, sizeof(want));
	want = addr("192.0.2.10:5060", IPPROTO_TCP);
	assert_memory_equal(&s.dst, &want, sizeof(want));
	assert_int_equal(s.id.idiag_cookie[0], 77);

	/* A dual-stack socket on IPv4: conntrack sees an IPv4 flow. */
	nlh = diag_msg(AF_INET6, "::ffff:10.0.0.1", 40001,
		       "::ffff:192.0.2.10", 5060);
	assert_int_equal(sockdiag_parse(nlh, &s), 0);
	assert_int_equal(s.family, AF_INET6);
	assert_memory_equal(&s.dst, &want, sizeof(want));
	assert_int_equal(s.src.family, AF_INET);

	nlh = diag_msg(AF_INET6, "2001:db8::1", 40002, "2001:db8::10", 5060);
	assert_int_equal(sockdiag_parse(nlh, &s), 0);
	want = addr("[2001:db8::10]:5060", IPPROTO_TCP);
	assert_memory_equal(&s.dst, &want, sizeof(want));

	assert_false(s.has_mark);

	/* The mark comes as an attribute after the message. */
	nlh = diag_msg(AF_INET, "10.0.0.1", 40000, "192.0.2.10", 5060);
	mnl_attr_put_u32(nlh, INET_DIAG_MARK, 0x53495000);
	assert_int_equal(sockdiag_parse(nlh, &s), 0);
	assert_true(s.has_mark);
	assert_int_equal(s.mark, 0x53495000);

	nlh = diag_msg(AF_INET6, "2001:db8::1", 40002, "::ffff:192.0.2.10",
		       5060);
	assert_int_equal(sockdiag_parse(nlh, &s), -EAFNOSUPPORT);
	nlh->nlmsg_len -= 8;
	assert_int_equal(sockdiag_parse(nlh, &s), -EBADMSG);
}

static void put_tuple(struct nlmsghdr *nlh, uint16_t type, int family,
		      const char *src, uint16_t sport, const char *dst,
		      uint16_t dport)
{
	struct nlattr *t, *ip, *proto;
	uint8_t a[16];

	t = mnl_attr_nest_start(nlh, type);
	ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	inet_pton(family, src, a);
	mnl_attr_put(nlh, family == AF_INET ? CTA_IP_V4_SRC : CTA_IP_V6_SRC,
		     family == AF_INET ? 4 : 16, a);
	inet_pton(family, dst, a);
	mnl_attr_put(nlh, family == AF_INET ? CTA_IP_V4_DST : CTA_IP_V6_DST,
		     family == AF_INET ? 4 : 16, a);
	mnl_attr_nest_end(nlh, ip);
	proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_TCP);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	mnl_attr_nest_end(nlh, proto);
	mnl_attr_nest_end(nlh, t);
}

static struct nlmsghdr *ct_msg(int family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)family;
	return nlh;
}

static void put_tcp_flags(struct nlmsghdr *nlh, uint8_t orig, uint8_t reply)
{
	struct nf_ct_tcp_flags f = { 0 };
	struct nlattr *info, *tcp;

	info = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	tcp = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, 3);
	f.flags = orig;
	mnl_attr_put(nlh, CTA_PROTOINFO_TCP_FLAGS_ORIGINAL, sizeof(f), &f);
	f.flags = reply;
	mnl_attr_put(nlh, CTA_PROTOINFO_TCP_FLAGS_REPLY, sizeof(f), &f);
	mnl_attr_nest_end(nlh, tcp);
	mnl_attr_nest_end(nlh, info);
}

static void test_ctnl_reply(void **state)
{
	struct sipsteer_addr want;
	struct nlmsghdr *nlh;
	struct ct_entry e;

	(void)state;
	/* Steered: sent to .10:5060, answered by the target .11:5070. */
	nlh = ct_msg(AF_INET);
	put_tuple(nlh, CTA_TUPLE_ORIG, AF_INET, "10.0.0.1", 40000,
		  "192.0.2.10", 5060);
	put_tuple(nlh, CTA_TUPLE_REPLY, AF_INET, "192.0.2.11", 5070,
		  "10.0.0.1", 40000);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(0x18e));
	put_tcp_flags(nlh, IP_CT_TCP_FLAG_SACK_PERM |
		      IP_CT_TCP_FLAG_WINDOW_SCALE, IP_CT_TCP_FLAG_SACK_PERM);
	assert_int_equal(ctnl_parse_entry(nlh, &e), 0);
	want = addr("192.0.2.11:5070", IPPROTO_TCP);
	assert_memory_equal(&e.reply_src, &want, sizeof(want));
	assert_false(e.picked_up);

	/* Picked up mid-stream: liberal in the ORIGINAL direction. */
	nlh = ct_msg(AF_INET6);
	put_tuple(nlh, CTA_TUPLE_REPLY, AF_INET6, "2001:db8::11", 5060,
		  "2001:db8::1", 40000);
	put_tcp_flags(nlh, IP_CT_TCP_FLAG_SACK_PERM |
		      IP_CT_TCP_FLAG_BE_LIBERAL, 0);
	assert_int_equal(ctnl_parse_entry(nlh, &e), 0);
	want = addr("[2001:db8::11]:5060", IPPROTO_TCP);
	assert_memory_equal(&e.reply_src, &want, sizeof(want));
	assert_true(e.picked_up);

	/* Liberal only in the REPLY direction does not count. */
	nlh = ct_msg(AF_INET6);
	put_tuple(nlh, CTA_TUPLE_REPLY, AF_INET6, "2001:db8::11", 5060,
		  "2001:db8::1", 40000);
	put_tcp_flags(nlh, 0, IP_CT_TCP_FLAG_BE_LIBERAL);
	assert_int_equal(ctnl_parse_entry(nlh, &e), 0);
	assert_false(e.picked_up);

	nlh = ct_msg(AF_INET);
	put_tuple(nlh, CTA_TUPLE_ORIG, AF_INET, "10.0.0.1", 40000,
		  "192.0.2.10", 5060);
	assert_int_equal(ctnl_parse_entry(nlh, &e), -EBADMSG);
}

static struct ct_entry entry(const char *reply_src, bool picked_up)
{
	struct ct_entry e = { .picked_up = picked_up };

	e.reply_src = addr(reply_src, IPPROTO_TCP);
	return e;
}

static void test_bypassed_socket(void **state)
{
	struct sipsteer_service svc = {
		.name = "sip", .has = SIPSTEER_HAS_BYPASS,
		.bypass_mark = 0x5000, .bypass_mask = 0xff00,
	};
	struct tcp_sock_ref s = { .has_mark = true, .mark = 0x5042 };

	(void)state;
	/* The daemon's own connection keeps its server through a switch. */
	assert_true(tcp_sock_bypassed(&svc, &s));
	s.mark = 0x5100;
	assert_false(tcp_sock_bypassed(&svc, &s));
	s.mark = 0x5000;
	s.has_mark = false;	/* no CAP_NET_ADMIN: no mark, no exception */
	assert_false(tcp_sock_bypassed(&svc, &s));
	s.has_mark = true;
	svc.bypass_mark = 0;	/* bypass disabled */
	s.mark = 0;
	assert_false(tcp_sock_bypassed(&svc, &s));
	svc.bypass_mark = 0x5000;
	svc.has = 0;
	s.mark = 0x5000;
	assert_false(tcp_sock_bypassed(&svc, &s));
}

static void test_stale_rule(void **state)
{
	struct sipsteer_service svc = { .name = "sip", .n_endpoints = 3 };
	struct sipsteer_addr dst4 = addr("192.0.2.10:5060", IPPROTO_TCP);
	struct sipsteer_addr dst6 = addr("[2001:db8::10]:5060", IPPROTO_TCP);
	struct sipsteer_addr r;
	struct ct_entry e;

	(void)state;
	svc.endpoints[0] = addr("192.0.2.10:5060", IPPROTO_UDP);
	svc.endpoints[1] = dst4;
	svc.endpoints[2] = dst6;

	/* Only TCP endpoints, exact address and port. */
	assert_ptr_equal(tcp_match_endpoint(&svc, &dst4), &svc.endpoints[1]);
	assert_ptr_equal(tcp_match_endpoint(&svc, &dst6), &svc.endpoints[2]);
	r = addr("192.0.2.10:5061", IPPROTO_TCP);
	assert_null(tcp_match_endpoint(&svc, &r));
	svc.endpoints[1].proto = IPPROTO_UDP;
	assert_null(tcp_match_endpoint(&svc, &dst4));
	svc.endpoints[1].proto = IPPROTO_TCP;

	/* Inactive: only untranslated flows may stay. */
	assert_true(tcp_conn_stale(&svc, &dst4, NULL));
	e = entry("192.0.2.10:5060", false);
	assert_false(tcp_conn_stale(&svc, &dst4, &e));
	e = entry("192.0.2.10:5060", true);
	assert_true(tcp_conn_stale(&svc, &dst4, &e));
	e = entry("192.0.2.11:5060", false);
	assert_true(tcp_conn_stale(&svc, &dst4, &e));

	/* Active on IPv4 without a port: the destination port is kept. */
	svc.targets[0] = addr("192.0.2.11", 0);
	svc.n_targets = 1;
	assert_false(tcp_conn_stale(&svc, &dst4, &e));
	/* Re-tracked after the flush and NATed now: still stale. */
	e.picked_up = true;
	assert_true(tcp_conn_stale(&svc, &dst4, &e));
	e = entry("192.0.2.10:5060", false);
	assert_true(tcp_conn_stale(&svc, &dst4, &e));
	assert_true(tcp_conn_stale(&svc, &dst4, NULL));
	e = entry("192.0.2.11:5070", false);
	assert_true(tcp_conn_stale(&svc, &dst4, &e));
	/* IPv6 has no target: pass-through rules apply to it. */
	e = entry("[2001:db8::10]:5060", false);
	assert_false(tcp_conn_stale(&svc, &dst6, &e));

	/* Target with a port. */
	svc.targets[0] = addr("192.0.2.12:5070", 0);
	e = entry("192.0.2.12:5070", false);
	assert_false(tcp_conn_stale(&svc, &dst4, &e));
	e = entry("192.0.2.12:5060", false);
	assert_true(tcp_conn_stale(&svc, &dst4, &e));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_service_reply),
		cmocka_unit_test(test_service_inactive),
		cmocka_unit_test(test_service_bad),
		cmocka_unit_test(test_event),
		cmocka_unit_test(test_reply_ack),
		cmocka_unit_test(test_reply_extack_capped),
		cmocka_unit_test(test_reply_extack_full_echo),
		cmocka_unit_test(test_reply_missing_attr),
		cmocka_unit_test(test_reply_dump),
		cmocka_unit_test(test_reply_dump_error),
		cmocka_unit_test(test_reply_cb_stops),
		cmocka_unit_test(test_reply_truncated),
		cmocka_unit_test(test_genl_family),
		cmocka_unit_test(test_sockdiag_parse),
		cmocka_unit_test(test_ctnl_reply),
		cmocka_unit_test(test_bypassed_socket),
		cmocka_unit_test(test_stale_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
