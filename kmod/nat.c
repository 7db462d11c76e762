// SPDX-License-Identifier: GPL-2.0
/*
 * sipsteer: the NAT hook.
 *
 * The hook is registered with the nf_nat core (as nftables' nat chains
 * are), not as a plain netfilter hook: the core calls it only for the
 * first packet of a conntrack whose destination NAT is not set up yet,
 * applies the binding to every later packet, reverses it for replies and
 * redoes routing after LOCAL_OUT. Steering thus costs one table lookup
 * per new flow and nothing per packet beyond what the NAT core costs.
 */
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_nat.h>

#include "sipsteer.h"

enum sipsteer_counter {
	SIPSTEER_STEERED,
	SIPSTEER_PASSED,
	SIPSTEER_BYPASSED,
};

static void sipsteer_count(const struct sipsteer_config *cfg,
			   enum sipsteer_counter counter)
{
	struct sipsteer_pcpu_stats *stats;
	unsigned long flags;

	/* LOCAL_OUT also runs in softirq context (TCP resets, ICMP). */
	stats = get_cpu_ptr(cfg->stats);
	flags = u64_stats_update_begin_irqsave(&stats->syncp);
	switch (counter) {
	case SIPSTEER_STEERED:
		u64_stats_inc(&stats->steered);
		break;
	case SIPSTEER_PASSED:
		u64_stats_inc(&stats->passed);
		break;
	case SIPSTEER_BYPASSED:
		u64_stats_inc(&stats->bypassed);
		break;
	}
	u64_stats_update_end_irqrestore(&stats->syncp, flags);
	put_cpu_ptr(cfg->stats);
}

static unsigned int sipsteer_nat_hook(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	const struct sipsteer_net *sn = priv;
	const struct nf_conntrack_tuple *tuple;
	const struct sipsteer_target *target;
	const struct sipsteer_config *cfg;
	struct nf_nat_range2 range = {};
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	unsigned int verdict;
	u32 mark;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct)
		return NF_ACCEPT;

	tuple = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	cfg = sipsteer_table_lookup(rcu_dereference(sn->table), tuple);
	if (!cfg)
		return NF_ACCEPT;

	mark = cfg->spec.mark;
	if (mark && (skb->mark & cfg->spec.mask) == mark) {
		sipsteer_count(cfg, SIPSTEER_BYPASSED);
		return NF_ACCEPT;
	}

	target = sipsteer_target(&cfg->spec, nf_ct_l3num(ct));
	if (!target->active) {
		sipsteer_count(cfg, SIPSTEER_PASSED);
		return NF_ACCEPT;
	}

	range.flags = NF_NAT_RANGE_MAP_IPS;
	range.min_addr = target->addr;
	range.max_addr = target->addr;
	if (target->port) {
		range.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
		range.min_proto.all = target->port;
		range.max_proto.all = target->port;
	}

	/* NF_DROP when no unique tuple can be found, as nftables' dnat. */
	verdict = nf_nat_setup_info(ct, &range, NF_NAT_MANIP_DST);
	if (verdict == NF_ACCEPT)
		sipsteer_count(cfg, SIPSTEER_STEERED);
	return verdict;
}

void sipsteer_nat_init(struct sipsteer_net *sn)
{
	static const struct {
		u8 pf;
		int priority;
	} hooks[SIPSTEER_AF_COUNT] = {
		[SIPSTEER_AF_INET] = { NFPROTO_IPV4, NF_IP_PRI_NAT_DST },
		[SIPSTEER_AF_INET6] = { NFPROTO_IPV6, NF_IP6_PRI_NAT_DST },
	};
	int af;

	for (af = 0; af < SIPSTEER_AF_COUNT; af++) {
		sn->ops[af].hook = sipsteer_nat_hook;
		sn->ops[af].priv = sn;
		sn->ops[af].pf = hooks[af].pf;
		sn->ops[af].hooknum = NF_INET_LOCAL_OUT;
		sn->ops[af].priority = hooks[af].priority;
	}
}

static int sipsteer_nat_register(struct sipsteer_net *sn, int af)
{
	struct net *net = sn->net;
	u8 pf = sn->ops[af].pf;
	int err;

	/* Conntrack's own hooks are registered lazily, per namespace. */
	err = nf_ct_netns_get(net, pf);
	if (err)
		return err;
	if (af == SIPSTEER_AF_INET)
		err = nf_nat_ipv4_register_fn(net, &sn->ops[af]);
	else
		err = nf_nat_ipv6_register_fn(net, &sn->ops[af]);
	if (err) {
		nf_ct_netns_put(net, pf);
		return err;
	}
	sn->hooked |= BIT(af);
	return 0;
}

static void sipsteer_nat_unregister(struct sipsteer_net *sn, int af)
{
	struct net *net = sn->net;

	if (af == SIPSTEER_AF_INET)
		nf_nat_ipv4_unregister_fn(net, &sn->ops[af]);
	else
		nf_nat_ipv6_unregister_fn(net, &sn->ops[af]);
	nf_ct_netns_put(net, sn->ops[af].pf);
	sn->hooked &= ~BIT(af);
}

/*
 * Register the hook for exactly the address families in @families
 * (BIT(enum sipsteer_af)), so a namespace without services, or without
 * endpoints of one family, pays nothing for the module. Only registering
 * can fail; on failure the previous set is restored. Caller holds
 * sn->lock or owns sn exclusively (namespace exit).
 */
int sipsteer_nat_sync(struct sipsteer_net *sn, unsigned int families)
{
	unsigned int before = sn->hooked;
	int af, err;

	for (af = 0; af < SIPSTEER_AF_COUNT; af++) {
		if (!(families & BIT(af)) || (sn->hooked & BIT(af)))
			continue;
		err = sipsteer_nat_register(sn, af);
		if (err)
			goto out_restore;
	}
	for (af = 0; af < SIPSTEER_AF_COUNT; af++)
		if (!(families & BIT(af)) && (sn->hooked & BIT(af)))
			sipsteer_nat_unregister(sn, af);
	return 0;

out_restore:
	for (af = 0; af < SIPSTEER_AF_COUNT; af++)
		if ((sn->hooked & BIT(af)) && !(before & BIT(af)))
			sipsteer_nat_unregister(sn, af);
	return err;
}
