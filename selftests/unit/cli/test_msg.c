// SPDX-License-Identifier: GPL-2.0
/*
 * Requests built by libsipsteer, compared byte for byte with layouts
 * written out by hand from the uapi headers (little-endian host).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include <linux/genetlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/sock_diag.h>

#include "internal.h"

#define FAMILY	0x20

static void assert_msg(const struct nlmsghdr *nlh, const uint8_t *want,
		       size_t len)
{
	assert_int_equal(nlh->nlmsg_len, len);
	assert_memory_equal(nlh, want, len);
}

static struct sipsteer_addr addr(const char *s, uint8_t proto)
{
	struct sipsteer_addr a;

	assert_int_equal(sipsteer_addr_parse(s, SIPSTEER_PORT_OPTIONAL, &a,
					     NULL), 0);
	a.proto = proto;
	return a;
}

static void test_service_new(void **state)
{
	static const uint8_t want[] = {
		0x5c, 0, 0, 0,	0x20, 0x00,  0x01, 0x00,  0, 0, 0, 0,  0, 0, 0, 0,
		0x01, 0x02, 0, 0,			/* NEW, version 2 */
		8, 0, 2, 0,  's', 'i', 'p', 0,		/* NAME */
		0x20, 0, 0x03, 0x80,			/* ENDPOINTS, nested */
		0x1c, 0, 0x01, 0x80,			/* ENTRY */
		5, 0, 1, 0,  17, 0, 0, 0,		/* PROTO udp */
		8, 0, 2, 0,  192, 0, 2, 10,		/* IPV4 */
		6, 0, 4, 0,  0xc4, 0x13, 0, 0,		/* PORT 5060 */
		0x10, 0, 0x04, 0x80,			/* TARGETS */
		0x0c, 0, 0x01, 0x80,			/* ENTRY */
		8, 0, 2, 0,  192, 0, 2, 11,		/* IPV4, no port */
		8, 0, 5, 0,  0x5e, 0, 0, 0,		/* BYPASS_MARK */
		8, 0, 6, 0,  0xff, 0xff, 0xff, 0xff,	/* BYPASS_MASK */
	};
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct sipsteer_service svc = {
		.name = "sip",
		.n_endpoints = 1,
		.n_targets = 1,
		.has = SIPSTEER_HAS_BYPASS,
		.bypass_mark = 0x5e,
		.bypass_mask = 0xffffffff,
	};
	struct nlmsghdr *nlh;

	(void)state;
	svc.endpoints[0] = addr("192.0.2.10:5060", IPPROTO_UDP);
	svc.targets[0] = addr("192.0.2.11", 0);
	/* Create: no nlmsg_flags, no REPLACE. */
	nlh = sipsteer_msg_start(buf, FAMILY, SIPSTEER_CMD_SERVICE_NEW, 0);
	assert_int_equal(sipsteer_msg_put_new(nlh, &svc, SIPSTEER_CREATE), 0);
	assert_msg(nlh, want, sizeof(want));
}

static void test_service_new_v6_no_bypass(void **state)
{
	static const uint8_t want[] = {
		0x4c, 0, 0, 0,	0x20, 0x00,  0x01, 0x00,  0, 0, 0, 0,  0, 0, 0, 0,
		0x01, 0x02, 0, 0,
		7, 0, 2, 0,  'v', '6', 0, 0,		/* NAME, padded */
		0x2c, 0, 0x03, 0x80,
		0x28, 0, 0x01, 0x80,
		5, 0, 1, 0,  6, 0, 0, 0,		/* PROTO tcp */
		0x14, 0, 3, 0,				/* IPV6 */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0x10,
		6, 0, 4, 0,  0xc4, 0x13, 0, 0,
		4, 0, 12, 0,				/* REPLACE, a flag */
	};
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct sipsteer_service svc = { .name = "v6", .n_endpoints = 1 };
	struct nlmsghdr *nlh;

	(void)state;
	svc.endpoints[0] = addr("[2001:db8::10]:5060", IPPROTO_TCP);
	nlh = sipsteer_msg_start(buf, FAMILY, SIPSTEER_CMD_SERVICE_NEW, 0);
	assert_int_equal(sipsteer_msg_put_new(nlh, &svc, SIPSTEER_REPLACE), 0);
	assert_msg(nlh, want, sizeof(want));
}

static void test_service_rejects(void **state)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct sipsteer_service svc = { .name = "", .n_endpoints = 0 };
	struct nlmsghdr *nlh;

	(void)state;
	nlh = sipsteer_msg_start(buf, FAMILY, SIPSTEER_CMD_SERVICE_NEW, 0);
	assert_int_equal(sipsteer_msg_put_service(nlh, &svc), -EINVAL);
	strcpy(svc.name, "x");
	svc.n_endpoints = SIPSTEER_MAX_ENDPOINTS + 1;
	assert_int_equal(sipsteer_msg_put_service(nlh, &svc), -E2BIG);
	svc.n_endpoints = 1;
	svc.endpoints[0].family = AF_UNIX;
	assert_int_equal(sipsteer_msg_put_service(nlh, &svc), -EAFNOSUPPORT);
}

static void test_targets_both_families(void **state)
{
	static const uint8_t want[] = {
		0x44, 0, 0, 0,	0x20, 0x00,  0x01, 0x00,  0, 0, 0, 0,  0, 0, 0, 0,
		0x04, 0x02, 0, 0,			/* SET */
		0x30, 0, 0x04, 0x80,			/* TARGETS */
		0x14, 0, 0x01, 0x80,
		8, 0, 2, 0,  192, 0, 2, 11,
		6, 0, 4, 0,  0xc5, 0x13, 0, 0,		/* 5061 */
		0x18, 0, 0x01, 0x80,
		0x14, 0, 3, 0,				/* IPV6 */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0x11,
	};
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct sipsteer_addr t[2];
	struct nlmsghdr *nlh;

	(void)state;
	t[0] = addr("192.0.2.11:5061", 0);
	t[1] = addr("[2001:db8::11]", 0);
	nlh = sipsteer_msg_start(buf, FAMILY, SIPSTEER_CMD_SERVICE_SET, 0);
	assert_int_equal(sipsteer_msg_put_addrs(nlh, SIPSTEER_A_TARGETS, t, 2),
			 0);
	assert_msg(nlh, want, sizeof(want));
}

static void test_getfamily(void **state)
{
	static const uint8_t want[] = {
		0x24, 0, 0, 0,	GENL_ID_CTRL, 0,  0x01, 0x00,  0, 0, 0, 0,
		0, 0, 0, 0,
		CTRL_CMD_GETFAMILY, 1, 0, 0,
		0x0d, 0, CTRL_ATTR_FAMILY_NAME, 0,
		's', 'i', 'p', 's', 't', 'e', 'e', 'r', 0, 0, 0, 0,
	};
	char buf[MNL_SOCKET_BUFFER_SIZE];

	(void)state;
	assert_msg(genl_msg_getfamily(buf, "sipsteer"), want, sizeof(want));
}

static void test_sockdiag(void **state)
{
	static const uint8_t dump[] = {
		0x48, 0, 0, 0,	SOCK_DIAG_BY_FAMILY, 0,  0x01, 0x03,
		0, 0, 0, 0,  0, 0, 0, 0,
		AF_INET6, IPPROTO_TCP, 0, 0,
		/* ESTABLISHED..FIN_WAIT2, CLOSE_WAIT, LAST_ACK, CLOSING */
		0x3e, 0x0b, 0, 0,
		[24 ... 71] = 0,
	};
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct tcp_sock_ref s = { .family = AF_INET };
	const struct inet_diag_req_v2 *req;
	struct nlmsghdr *nlh;

	(void)state;
	assert_int_equal(sockdiag_states(), 0xb3e);
	assert_msg(sockdiag_msg_dump(buf, AF_INET6), dump, sizeof(dump));

	s.id.idiag_sport = htons(40000);
	s.id.idiag_dport = htons(5060);
	s.id.idiag_src[0] = htonl(0x0a000001);
	s.id.idiag_dst[0] = htonl(0xc000020a);
	s.id.idiag_cookie[0] = 0x1234;
	s.id.idiag_cookie[1] = 0x5678;
	nlh = sockdiag_msg_destroy(buf, &s);
	assert_int_equal(nlh->nlmsg_type, SOCK_DESTROY);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST);
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + sizeof(*req));
	req = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(req->sdiag_family, AF_INET);
	assert_int_equal(req->sdiag_protocol, IPPROTO_TCP);
	/* The exact socket, cookie included, as the dump reported it. */
	assert_memory_equal(&req->id, &s.id, sizeof(s.id));
}

static void test_ctnl_get(void **state)
{
	static const uint8_t want[] = {
		0x48, 0, 0, 0,	0x01, 0x01,  0x01, 0x00,  0, 0, 0, 0,
		0, 0, 0, 0,
		AF_INET, 0, 0, 0,			/* nfgenmsg */
		0x34, 0, 0x01, 0x80,			/* CTA_TUPLE_ORIG */
		0x14, 0, 0x01, 0x80,			/* CTA_TUPLE_IP */
		8, 0, 1, 0,  10, 0, 0, 1,		/* V4_SRC */
		8, 0, 2, 0,  192, 0, 2, 10,		/* V4_DST */
		0x1c, 0, 0x02, 0x80,			/* CTA_TUPLE_PROTO */
		5, 0, 1, 0,  6, 0, 0, 0,		/* NUM tcp */
		6, 0, 2, 0,  0x9c, 0x40, 0, 0,		/* SRC_PORT 40000 */
		6, 0, 3, 0,  0x13, 0xc4, 0, 0,		/* DST_PORT 5060 */
	};
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct sipsteer_addr src = addr("10.0.0.1:40000", IPPROTO_TCP);
	struct sipsteer_addr dst = addr("192.0.2.10:5060", IPPROTO_TCP);
	struct nlmsghdr *nlh;

	(void)state;
	assert_msg(ctnl_msg_get(buf, &src, &dst), want, sizeof(want));

	src = addr("[2001:db8::1]:40000", IPPROTO_TCP);
	dst = addr("[2001:db8::10]:5060", IPPROTO_TCP);
	nlh = ctnl_msg_get(buf, &src, &dst);
	/* Two 16-byte addresses instead of two 4-byte ones. */
	assert_int_equal(nlh->nlmsg_len, sizeof(want) + 2 * 12);
	assert_int_equal(((struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))
			 ->nfgen_family, AF_INET6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_service_new),
		cmocka_unit_test(test_service_new_v6_no_bypass),
		cmocka_unit_test(test_service_rejects),
		cmocka_unit_test(test_targets_both_families),
		cmocka_unit_test(test_getfamily),
		cmocka_unit_test(test_sockdiag),
		cmocka_unit_test(test_ctnl_get),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
