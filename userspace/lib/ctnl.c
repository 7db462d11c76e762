// SPDX-License-Identifier: GPL-2.0
/* ctnetlink: look up one conntrack entry by its ORIGINAL tuple. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
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

/* ORIGINAL direction TCP flags: set BE_LIBERAL means picked up. */
static bool picked_up(const struct nlmsghdr *nlh)
{
	const struct nlattr *info, *tcp, *a;
	const struct nf_ct_tcp_flags *f;

	info = top(nlh, CTA_PROTOINFO);
	tcp = info ? nested(info, CTA_PROTOINFO_TCP) : NULL;
	a = tcp ? nested(tcp, CTA_PROTOINFO_TCP_FLAGS_ORIGINAL) : NULL;
	if (!a || mnl_attr_get_payload_len(a) < sizeof(*f))
		return false;
	f = mnl_attr_get_payload(a);
	return f->flags & IP_CT_TCP_FLAG_BE_LIBERAL;
}

int ctnl_parse_entry(const struct nlmsghdr *nlh, struct ct_entry *out)
{
	struct sipsteer_addr *src = &out->reply_src;
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
	src->proto = IPPROTO_TCP;
	a = nested(ip, CTA_IP_V4_SRC);
	if (a && mnl_attr_get_payload_len(a) == sizeof(src->ip.v4)) {
		src->family = AF_INET;
		memcpy(&src->ip.v4, mnl_attr_get_payload(a),
		       sizeof(src->ip.v4));
	} else {
		a = nested(ip, CTA_IP_V6_SRC);
		if (!a || mnl_attr_get_payload_len(a) != sizeof(src->ip.v6))
			return -EBADMSG;
		src->family = AF_INET6;
		memcpy(&src->ip.v6, mnl_attr_get_payload(a),
		       sizeof(src->ip.v6));
	}
	a = nested(proto, CTA_PROTO_SRC_PORT);
	if (!a || mnl_attr_validate(a, MNL_TYPE_U16) < 0)
		return -EBADMSG;
	src->port = ntohs(mnl_attr_get_u16(a));
	out->picked_up = picked_up(nlh);
	return 0;
}
