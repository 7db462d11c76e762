// SPDX-License-Identifier: GPL-2.0
/* sock_diag messages: dump local TCP sockets, destroy one of them. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/sock_diag.h>
#include <netinet/tcp.h>

#include "internal.h"

/*
 * Every state but LISTEN (not a connection), TIME_WAIT and CLOSE (already
 * over), and NEW_SYN_RECV (server side request sockets).
 */
uint32_t sockdiag_states(void)
{
	uint32_t all = (1u << TCP_CLOSING) | ((1u << TCP_CLOSING) - 1);

	return all & ~((1u << 0) | (1u << TCP_LISTEN) |
		       (1u << TCP_TIME_WAIT) | (1u << TCP_CLOSE));
}

static struct nlmsghdr *put_req(void *buf, uint16_t type, uint16_t flags,
				int family, uint32_t states,
				const struct inet_diag_sockid *id)
{
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *req;

	nl_buf_zero(buf);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = states;
	if (id)
		req->id = *id;
	return nlh;
}

struct nlmsghdr *sockdiag_msg_dump(void *buf, int family)
{
	return put_req(buf, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, family,
		       sockdiag_states(), NULL);
}

struct nlmsghdr *sockdiag_msg_destroy(void *buf, const struct tcp_sock_ref *s)
{
	return put_req(buf, SOCK_DESTROY, 0, s->family, 0, &s->id);
}

static bool v4mapped(const __be32 *a)
{
	return a[0] == 0 && a[1] == 0 && a[2] == htonl(0xffff);
}

/* A v4-mapped peer of an IPv6 socket is an IPv4 flow to conntrack. */
static void sock_addr(int family, const __be32 *ip, __be16 port,
		      struct sipsteer_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->proto = IPPROTO_TCP;
	out->port = ntohs(port);
	if (family == AF_INET || v4mapped(ip)) {
		out->family = AF_INET;
		out->ip.v4.s_addr = family == AF_INET ? ip[0] : ip[3];
	} else {
		out->family = AF_INET6;
		memcpy(&out->ip.v6, ip, sizeof(out->ip.v6));
	}
}

int sockdiag_parse(const struct nlmsghdr *nlh, struct tcp_sock_ref *out)
{
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return -EBADMSG;
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return -EAFNOSUPPORT;
	out->family = m->idiag_family;
	out->id = m->id;
	sock_addr(out->family, m->id.idiag_src, m->id.idiag_sport, &out->src);
	sock_addr(out->family, m->id.idiag_dst, m->id.idiag_dport, &out->dst);
	/* A dual-stack socket talks IPv4 only when both ends are mapped. */
	if (out->src.family != out->dst.family)
		return -EAFNOSUPPORT;
	/* The kernel adds the mark for a caller with CAP_NET_ADMIN. */
	out->has_mark = false;
	out->mark = 0;
	mnl_attr_for_each(attr, nlh, sizeof(*m)) {
		if (mnl_attr_get_type(attr) == INET_DIAG_MARK &&
		    !mnl_attr_validate(attr, MNL_TYPE_U32)) {
			out->has_mark = true;
			out->mark = mnl_attr_get_u32(attr);
		}
	}
	return 0;
}
