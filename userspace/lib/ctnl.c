// SPDX-License-Identifier: GPL-2.0
/* ctnetlink: look up one conntrack entry by its ORIGINAL tuple. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "internal.h"

static void put_ip(struct nlmsghdr *nlh, uint16_t v4, uint16_t v6,
		   const struct sipsteer_addr *a)
{
	if (a->family == AF_INET)
		mnl_attr_put(nlh, v4, sizeof(a->ip.v4), &a->ip.v4);
	else
		mnl_attr_put(nlh, v6, sizeof(a->ip.v6), &a->ip.v6);
}

struct nlmsghdr *ctnl_msg_get(void *buf, const struct sipsteer_addr *src,
			      const struct sipsteer_addr *dst)
{
	struct nlmsghdr *nlh;
	struct nlattr *tuple, *ip, *proto;
	struct nfgenmsg *nfg;

	nl_buf_zero(buf);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)dst->family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;

	tuple = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	put_ip(nlh, CTA_IP_V4_SRC, CTA_IP_V6_SRC, src);
	put_ip(nlh, CTA_IP_V4_DST, CTA_IP_V6_DST, dst);
	mnl_attr_nest_end(nlh, ip);
	proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_TCP);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(src->port));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dst->port));
	mnl_attr_nest_end(nlh, proto);
	mnl_attr_nest_end(nlh, tuple);
	return nlh;
}

/* Find the attribute of the given type directly inside a nest. */
static const struct nlattr *nested(const struct nlattr *nest, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

static const struct nlattr *top(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

int ctnl_parse_reply_src(const struct nlmsghdr *nlh,
			 struct sipsteer_addr *out)
{
	const struct nlattr *tuple, *ip, *proto, *a;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct nfgenmsg))
		return -EBADMSG;
	tuple = top(nlh, CTA_TUPLE_REPLY);
	if (!tuple)
		return -EBADMSG;
	ip = nested(tuple, CTA_TUPLE_IP);
	proto = nested(tuple, CTA_TUPLE_PROTO);
	if (!ip || !proto)
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->proto = IPPROTO_TCP;
	if ((a = nested(ip, CTA_IP_V4_SRC)) &&
	    mnl_attr_get_payload_len(a) == sizeof(out->ip.v4)) {
		out->family = AF_INET;
		memcpy(&out->ip.v4, mnl_attr_get_payload(a), sizeof(out->ip.v4));
	} else if ((a = nested(ip, CTA_IP_V6_SRC)) &&
		   mnl_attr_get_payload_len(a) == sizeof(out->ip.v6)) {
		out->family = AF_INET6;
		memcpy(&out->ip.v6, mnl_attr_get_payload(a), sizeof(out->ip.v6));
	} else {
		return -EBADMSG;
	}
	a = nested(proto, CTA_PROTO_SRC_PORT);
	if (!a || mnl_attr_validate(a, MNL_TYPE_U16) < 0)
		return -EBADMSG;
	out->port = ntohs(mnl_attr_get_u16(a));
	return 0;
}
