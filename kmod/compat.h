/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sipsteer: the kernel interfaces the module uses, in their newest form,
 * on every kernel it is built for (5.10 to 6.12, 32- and 64-bit, with or
 * without IPv6). The rest of the module calls the newest API and has no
 * version tests; each difference is bridged here, once, under the
 * version that introduced the newer form.
 */
#ifndef _SIPSTEER_COMPAT_H
#define _SIPSTEER_COMPAT_H

#include <linux/u64_stats_sync.h>
#include <linux/version.h>
#include <net/genetlink.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_nat.h>
#include <net/netlink.h>

/*
 * 5.11 renamed nla_strlcpy() to nla_strscpy(), which returns -E2BIG on
 * truncation. The policies bound every string attribute copied, so no
 * caller truncates or reads the result.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
static inline ssize_t sipsteer_nla_strscpy(char *dst, const struct nlattr *nla,
					   size_t dstsize)
{
	return nla_strlcpy(dst, nla, dstsize);
}

#define nla_strscpy sipsteer_nla_strscpy
#endif

/*
 * 5.19 passes the conntrack walk's net, data, portid and report in a
 * struct nf_ct_iter_data.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 19, 0)
struct nf_ct_iter_data {
	struct net *net;
	void *data;
	u32 portid;
	int report;
};

static inline void
sipsteer_nf_ct_iterate_cleanup_net(int (*iter)(struct nf_conn *i, void *data),
				   const struct nf_ct_iter_data *iter_data)
{
	nf_ct_iterate_cleanup_net(iter_data->net, iter, iter_data->data,
				  iter_data->portid, iter_data->report);
}

#define nf_ct_iterate_cleanup_net sipsteer_nf_ct_iterate_cleanup_net
#endif

/*
 * 6.1 reports a missing attribute by its type (NLMSGERR_ATTR_MISS_TYPE);
 * before, the request is refused with a message.
 */
#ifndef GENL_REQ_ATTR_CHECK
static inline bool sipsteer_genl_req_attr_check(struct genl_info *info,
						int attr)
{
	if (info->attrs[attr])
		return false;
	GENL_SET_ERR_MSG(info, "Missing required attribute");
	return true;
}

#define GENL_REQ_ATTR_CHECK sipsteer_genl_req_attr_check
#endif

/*
 * 6.1 refuses, for every command at or above resv_start_op (0: all of
 * ours), a nonzero reserved byte in the generic netlink header and the
 * nlmsg_flags the core cannot give a meaning (NLM_F_CREATE, NLM_F_EXCL,
 * NLM_F_REPLACE, NLM_F_APPEND); before, the family refuses them itself,
 * so that requests get the same answer on every kernel. Dumps (NLM_F_DUMP)
 * never reach pre_doit.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
static inline int sipsteer_genl_header_check(const struct genl_ops *ops,
					     struct sk_buff *skb,
					     struct genl_info *info)
{
	u16 allowed = NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO;

	if (info->genlhdr->reserved) {
		GENL_SET_ERR_MSG(info, "genlmsghdr.reserved field is not 0");
		return -EINVAL;
	}
	if (info->nlhdr->nlmsg_flags & ~allowed) {
		GENL_SET_ERR_MSG(info,
				 "ambiguous or reserved bits set in nlmsg_flags");
		return -EINVAL;
	}
	return 0;
}

#define SIPSTEER_GENL_PRE_DOIT sipsteer_genl_header_check
#else
#define SIPSTEER_GENL_PRE_DOIT NULL
#endif

/*
 * 6.6 gives a dump the genl_info of its request (genl_info_dump());
 * before, struct genl_dumpit_info holds the parsed attributes itself.
 * Only ->attrs is used, which both have.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#define genl_info_dump(cb) genl_dumpit_info(cb)
#endif

/*
 * Before 6.2, a 32-bit reader of per-CPU u64_stats whose writers may run
 * in softirq context needs the _irq forms (on UP there is no seqcount,
 * interrupts are disabled instead); 6.2 made the plain forms safe and
 * removed the others.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define u64_stats_fetch_begin u64_stats_fetch_begin_irq
#define u64_stats_fetch_retry u64_stats_fetch_retry_irq
#endif

/*
 * Without IPv6 the NAT core has no IPv6 functions (declared, not built).
 * netlink.c refuses IPv6 addresses on such a kernel, so these are never
 * reached; they keep the module free of undefined symbols.
 */
#if !IS_ENABLED(CONFIG_IPV6)
static inline int sipsteer_nf_nat_ipv6_register_fn(struct net *net,
						   const struct nf_hook_ops *ops)
{
	return -EAFNOSUPPORT;
}

static inline void
sipsteer_nf_nat_ipv6_unregister_fn(struct net *net,
				   const struct nf_hook_ops *ops)
{
}

#define nf_nat_ipv6_register_fn sipsteer_nf_nat_ipv6_register_fn
#define nf_nat_ipv6_unregister_fn sipsteer_nf_nat_ipv6_unregister_fn
#endif

#endif /* _SIPSTEER_COMPAT_H */
