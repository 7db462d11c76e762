// SPDX-License-Identifier: GPL-2.0
/* Build sipsteer generic netlink requests. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>

#include "internal.h"

struct nlmsghdr *sipsteer_msg_start(void *buf, uint16_t family, uint8_t cmd,
				    uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	nl_buf_zero(buf);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = SIPSTEER_GENL_VERSION;
	return nlh;
}

static int put_addr(struct nlmsghdr *nlh, const struct sipsteer_addr *a)
{
	const size_t cap = MNL_SOCKET_BUFFER_SIZE;
	struct nlattr *entry;

	entry = mnl_attr_nest_start_check(nlh, cap, SIPSTEER_LIST_A_ENTRY);
	if (!entry)
		return -EMSGSIZE;
	if (a->proto &&
	    !mnl_attr_put_u8_check(nlh, cap, SIPSTEER_ADDR_A_PROTO, a->proto))
		return -EMSGSIZE;
	if (a->family == AF_INET) {
		if (!mnl_attr_put_check(nlh, cap, SIPSTEER_ADDR_A_IPV4,
					sizeof(a->ip.v4), &a->ip.v4))
			return -EMSGSIZE;
	} else if (a->family == AF_INET6) {
		if (!mnl_attr_put_check(nlh, cap, SIPSTEER_ADDR_A_IPV6,
					sizeof(a->ip.v6), &a->ip.v6))
			return -EMSGSIZE;
	} else {
		return -EAFNOSUPPORT;
	}
	if (a->port &&
	    !mnl_attr_put_u16_check(nlh, cap, SIPSTEER_ADDR_A_PORT, a->port))
		return -EMSGSIZE;
	mnl_attr_nest_end(nlh, entry);
	return 0;
}

int sipsteer_msg_put_addrs(struct nlmsghdr *nlh, uint16_t type,
			   const struct sipsteer_addr *addrs, unsigned int n)
{
	struct nlattr *list;
	unsigned int i;
	int err;

	list = mnl_attr_nest_start_check(nlh, MNL_SOCKET_BUFFER_SIZE, type);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		err = put_addr(nlh, &addrs[i]);
		if (err)
			return err;
	}
	mnl_attr_nest_end(nlh, list);
	return 0;
}

/* NAME, ENDPOINTS, TARGETS (when any), BYPASS_MARK/MASK (when set). */
int sipsteer_msg_put_service(struct nlmsghdr *nlh,
			     const struct sipsteer_service *svc)
{
	int err;

	if (!sipsteer_name_valid(svc->name))
		return -EINVAL;
	if (svc->n_endpoints > SIPSTEER_MAX_ENDPOINTS ||
	    svc->n_targets > SIPSTEER_MAX_TARGETS)
		return -E2BIG;
	mnl_attr_put_strz(nlh, SIPSTEER_A_NAME, svc->name);
	err = sipsteer_msg_put_addrs(nlh, SIPSTEER_A_ENDPOINTS, svc->endpoints,
				     svc->n_endpoints);
	if (err)
		return err;
	if (svc->n_targets) {
		err = sipsteer_msg_put_addrs(nlh, SIPSTEER_A_TARGETS,
					     svc->targets, svc->n_targets);
		if (err)
			return err;
	}
	if (svc->has & SIPSTEER_HAS_UNREPLIED)
		mnl_attr_put_u32(nlh, SIPSTEER_A_UNREPLIED_MS, svc->unreplied_ms);
	if (svc->has & SIPSTEER_HAS_BYPASS) {
		mnl_attr_put_u32(nlh, SIPSTEER_A_BYPASS_MARK, svc->bypass_mark);
		mnl_attr_put_u32(nlh, SIPSTEER_A_BYPASS_MASK, svc->bypass_mask);
	}
	return 0;
}

/* SERVICE_NEW's attributes: the service, and REPLACE to replace it. */
int sipsteer_msg_put_new(struct nlmsghdr *nlh,
			 const struct sipsteer_service *svc,
			 enum sipsteer_new_mode mode)
{
	int err;

	err = sipsteer_msg_put_service(nlh, svc);
	if (err)
		return err;
	if (mode == SIPSTEER_REPLACE)
		mnl_attr_put(nlh, SIPSTEER_A_REPLACE, 0, NULL);
	return 0;
}
