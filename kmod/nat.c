// SPDX-License-Identifier: GPL-2.0
/*
 * sipsteer: the functions the nf_nat core calls.
 *
 * They are registered with the NAT core (as nftables' nat chains are),
 * not as plain netfilter hooks: the core calls them only for a conntrack
 * entry whose NAT of that hook's kind is not set up yet, i.e. once per new
 * entry, then applies the binding to every later packet and reverses it
 * for replies. Established flows thus cost the module nothing.
 *
 * - LOCAL_OUT (destination NAT): a new flow to an endpoint is DNATed to
 *   the active target of its family.
 * - POST_ROUTING and LOCAL_IN (source NAT, ahead of any rule that sets
 *   one): the last look at a new entry before conntrack confirms it, in
 *   the same RCU read-side section as the confirmation. A locally
 *   originated entry that does not fit the table published now (it was
 *   NATed from a table a switch replaced meanwhile) and an inbound UDP
 *   entry from an endpoint that is not the target are dropped, and the
 *   flows are counted. A change waits for a grace period after publishing
 *   a table before it walks conntrack, so every entry is either checked
 *   against the new table or confirmed before the walk: nothing that
 *   contradicts a switch survives it.
 */
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_nat.h>
#include <net/sock.h>

#include "sipsteer.h"

static void sipsteer_count(const struct sipsteer_config *cfg,
			   enum sipsteer_verdict verdict)
{
	struct sipsteer_pcpu_stats *stats;
	unsigned long flags;

	/* The hooks also run in softirq context (TCP resets, ICMP). */
	stats = get_cpu_ptr(cfg->stats);
	flags = u64_stats_update_begin_irqsave(&stats->syncp);
	switch (verdict) {
	case SIPSTEER_NOT_MINE:
		break;
	case SIPSTEER_STEERED:
		u64_stats_inc(&stats->steered);
		break;
	case SIPSTEER_PASSED:
		u64_stats_inc(&stats->passed);
		break;
	case SIPSTEER_BYPASSED:
		u64_stats_inc(&stats->bypassed);
		break;
	case SIPSTEER_REFUSED:
		u64_stats_inc(&stats->refused);
		break;
	}
	u64_stats_update_end_irqrestore(&stats->syncp, flags);
	put_cpu_ptr(cfg->stats);
}

/* LOCAL_OUT: DNAT a new flow to an endpoint. */
static unsigned int sipsteer_steer(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	const struct sipsteer_net *sn = priv;
	const struct sipsteer_target *target;
	const struct sipsteer_config *cfg;
	struct nf_nat_range2 range = {};
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	u32 mark;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct)
		return NF_ACCEPT;

	cfg = sipsteer_table_find_dst(rcu_dereference(sn->table),
				      &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple);
	if (!cfg)
		return NF_ACCEPT;

	mark = cfg->spec.mark;
	if (mark && (skb->mark & cfg->spec.mask) == mark)
		return NF_ACCEPT;

	target = sipsteer_target(&cfg->spec, nf_ct_l3num(ct));
	if (!target->active)
		return NF_ACCEPT;

	range.flags = NF_NAT_RANGE_MAP_IPS;
	range.min_addr = target->addr;
	range.max_addr = target->addr;
	if (target->port) {
		range.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
		range.min_proto.all = target->port;
		range.max_proto.all = target->port;
	}
	/* Counted (or refused) at POST_ROUTING, once the route is known. */
	return nf_nat_setup_info(ct, &range, NF_NAT_MANIP_DST);
}

/* The new, not yet confirmed entry of @skb, or NULL. */
static struct nf_conn *sipsteer_new_ct(const struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || nf_ct_is_confirmed(ct))
		return NULL;
	return ct;
}

static void sipsteer_account(const struct sipsteer_config *cfg,
			     enum sipsteer_verdict verdict)
{
	if (cfg)
		sipsteer_count(cfg, verdict);
}

/*
 * POST_ROUTING: the entry of a locally originated flow, checked against
 * the table in force. Locally originated means the packet has a socket:
 * forwarded and bridged packets never do, and the module steers only
 * what the host itself sends.
 */
static unsigned int sipsteer_check_out(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	const struct sipsteer_net *sn = priv;
	const struct sipsteer_config *cfg;
	enum sipsteer_verdict verdict;
	struct nf_conn *ct;

	ct = sipsteer_new_ct(skb);
	if (!ct || !skb->sk)
		return NF_ACCEPT;
	verdict = sipsteer_verdict_out(rcu_dereference(sn->table),
				       &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple,
				       &ct->tuplehash[IP_CT_DIR_REPLY].tuple,
				       skb->mark, &cfg);
	sipsteer_account(cfg, verdict);
	/* The controller's own flows (bypass mark) are its to judge. */
	if (verdict == SIPSTEER_STEERED || verdict == SIPSTEER_PASSED)
		sipsteer_evidence_watch(ct, cfg);
	/*
	 * Lost like a datagram on a full queue: UDP senders see no error
	 * (unless IP_RECVERR), TCP sends the SYN again; not the EPERM of a
	 * firewall rule. The flow's next packet is steered by this table.
	 */
	if (verdict == SIPSTEER_REFUSED)
		return NF_DROP_ERR(-ENOBUFS);
	return NF_ACCEPT;
}

/* LOCAL_IN: a new inbound entry, checked against the table in force. */
static unsigned int sipsteer_check_in(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	const struct sipsteer_net *sn = priv;
	const struct sipsteer_config *cfg;
	enum sipsteer_verdict verdict;
	struct nf_conn *ct;

	ct = sipsteer_new_ct(skb);
	if (!ct)
		return NF_ACCEPT;
	verdict = sipsteer_verdict_in(rcu_dereference(sn->table),
				      &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple,
				      &cfg);
	sipsteer_account(cfg, verdict);
	return verdict == SIPSTEER_REFUSED ? NF_DROP : NF_ACCEPT;
}

void sipsteer_nat_init(struct sipsteer_net *sn)
{
	static const struct {
		nf_hookfn *fn;
		unsigned int hooknum;
		int priority[SIPSTEER_AF_COUNT];
	} hooks[SIPSTEER_HOOK_COUNT] = {
		[SIPSTEER_HOOK_STEER] = {
			sipsteer_steer, NF_INET_LOCAL_OUT,
			{ NF_IP_PRI_NAT_DST, NF_IP6_PRI_NAT_DST },
		},
		/* First in the NAT core's list: no SNAT rule skips them. */
		[SIPSTEER_HOOK_CHECK_OUT] = {
			sipsteer_check_out, NF_INET_POST_ROUTING,
			{ NF_IP_PRI_FIRST, NF_IP6_PRI_FIRST },
		},
		[SIPSTEER_HOOK_CHECK_IN] = {
			sipsteer_check_in, NF_INET_LOCAL_IN,
			{ NF_IP_PRI_FIRST, NF_IP6_PRI_FIRST },
		},
	};
	static const u8 pf[SIPSTEER_AF_COUNT] = {
		[SIPSTEER_AF_INET] = NFPROTO_IPV4,
		[SIPSTEER_AF_INET6] = NFPROTO_IPV6,
	};
	int af, h;

	for (af = 0; af < SIPSTEER_AF_COUNT; af++) {
		for (h = 0; h < SIPSTEER_HOOK_COUNT; h++) {
			struct nf_hook_ops *ops = &sn->ops[af][h];

			ops->hook = hooks[h].fn;
			ops->priv = sn;
			ops->pf = pf[af];
			ops->hooknum = hooks[h].hooknum;
			ops->priority = hooks[h].priority[af];
		}
	}
}

static int sipsteer_nat_register_fn(struct net *net,
				    const struct nf_hook_ops *ops)
{
	if (ops->pf == NFPROTO_IPV4)
		return nf_nat_ipv4_register_fn(net, ops);
	return nf_nat_ipv6_register_fn(net, ops);
}

static void sipsteer_nat_unregister_fn(struct net *net,
				       const struct nf_hook_ops *ops)
{
	if (ops->pf == NFPROTO_IPV4)
		nf_nat_ipv4_unregister_fn(net, ops);
	else
		nf_nat_ipv6_unregister_fn(net, ops);
}

static int sipsteer_nat_register(struct sipsteer_net *sn, int af)
{
	struct nf_hook_ops *ops = sn->ops[af];
	struct net *net = sn->net;
	int h, err;

	/* Conntrack's own hooks are registered lazily, per namespace. */
	err = nf_ct_netns_get(net, ops->pf);
	if (err)
		return err;
	for (h = 0; h < SIPSTEER_HOOK_COUNT; h++) {
		err = sipsteer_nat_register_fn(net, &ops[h]);
		if (err)
			goto out_unregister;
	}
	sn->hooked |= BIT(af);
	return 0;

out_unregister:
	while (h--)
		sipsteer_nat_unregister_fn(net, &ops[h]);
	nf_ct_netns_put(net, ops->pf);
	return err;
}

static void sipsteer_nat_unregister(struct sipsteer_net *sn, int af)
{
	struct nf_hook_ops *ops = sn->ops[af];
	struct net *net = sn->net;
	int h;

	for (h = SIPSTEER_HOOK_COUNT - 1; h >= 0; h--)
		sipsteer_nat_unregister_fn(net, &ops[h]);
	nf_ct_netns_put(net, ops->pf);
	sn->hooked &= ~BIT(af);
}

/*
 * Register the functions for exactly the address families in @families
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
