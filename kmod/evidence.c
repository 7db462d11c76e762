// SPDX-License-Identifier: GPL-2.0
/*
 * sipsteer: evidence that a server is gone, seen on local flows to the
 * endpoints of a watched service (one with UNREPLIED_MS) before any reply.
 *
 * The check before confirmation (nat.c) gives a new, locally originated
 * flow to such an endpoint the module's conntrack helper. Conntrack calls
 * a helper for every packet of the flows it is attached to, and for no
 * other: flows that are not to an endpoint cost nothing. The helper looks
 * for a TCP reset answering the SYN, the SYN sent again, and datagrams
 * sent again, unreplied, for longer than the service's threshold; at the
 * flow's first reply it takes itself off the flow, so an established,
 * replied flow costs nothing either. Conntrack passes no ICMP error to a
 * helper: a plain LOCAL_IN hook after conntrack looks at those. It is
 * registered only in a namespace with a watched service, for its
 * families, and returns after one test of the packet's conntrack state
 * unless the packet is an error about a watched flow.
 *
 * Evidence is counted per endpoint and announced on the "events" group,
 * at most once per endpoint and SIPSTEER_EVIDENCE_INTERVAL.
 */
#include <linux/bitops.h>
#include <linux/jiffies.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "sipsteer.h"

#define SIPSTEER_EVIDENCE_INTERVAL	HZ

/* Cleared on unload before the helper goes: no flow is given it after. */
static bool sipsteer_watching __read_mostly;

/* A watched flow: the private area of its helper extension. */
struct sipsteer_flow {
	unsigned long since;		/* jiffies at its first packet */
	unsigned long reported;		/* bit 0: SYN or UNREPLIED announced */
	u32 unreplied_ms;
	u32 sent;			/* packets in the original direction */
};

static int sipsteer_help(struct sk_buff *skb, unsigned int protoff,
			 struct nf_conn *ct, enum ip_conntrack_info ctinfo);

/* The helper expects nothing; conntrack insists on a policy. */
static const struct nf_conntrack_expect_policy sipsteer_expect_policy = {
	.max_expected = 0,
	.timeout = 1,
};

/*
 * Attached by the module only. No protocol or port of its own: conntrack
 * never assigns it to a flow by itself (automatic helper assignment).
 */
static struct nf_conntrack_helper sipsteer_helper __read_mostly = {
	.name = "sipsteer",
	.me = THIS_MODULE,
	.data_len = sizeof(struct sipsteer_flow),
	.tuple.src.l3num = NFPROTO_UNSPEC,
	.help = sipsteer_help,
	.expect_policy = &sipsteer_expect_policy,
};

/* Count @what on the endpoint @ct is to and announce it if it is due. */
static void sipsteer_evidence(struct nf_conn *ct, enum sipsteer_evidence what)
{
	const struct nf_conntrack_tuple *orig =
		&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	const struct sipsteer_net *sn = sipsteer_net(nf_ct_net(ct));
	const struct sipsteer_config *cfg;
	struct sipsteer_ep_evidence *ev;
	unsigned long now, next;
	int i;

	cfg = sipsteer_table_find_dst(rcu_dereference(sn->table), orig);
	if (!cfg || !cfg->spec.unreplied_ms)
		return;
	i = sipsteer_endpoint_index(cfg, orig);
	if (i < 0)
		return;
	ev = &cfg->evidence[i];
	atomic64_inc(&ev->count[what]);

	now = jiffies;
	next = READ_ONCE(ev->next);
	if (time_before(now, next) ||
	    cmpxchg(&ev->next, next, now + SIPSTEER_EVIDENCE_INTERVAL) != next) {
		atomic_inc(&ev->suppressed);
		return;
	}
	sipsteer_genl_evidence(nf_ct_net(ct), cfg, i, what,
			       atomic_xchg(&ev->suppressed, 0));
}

/* The flow is replied: conntrack calls nothing of the module for it. */
static void sipsteer_unwatch(struct nf_conn *ct)
{
	struct nf_conn_help *help = nfct_help(ct);

	if (help)
		RCU_INIT_POINTER(help->helper, NULL);
}

static int sipsteer_help(struct sk_buff *skb, unsigned int protoff,
			 struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	struct sipsteer_flow *flow = nfct_help_data(ct);
	bool tcp = nf_ct_protonum(ct) == IPPROTO_TCP;
	const struct tcphdr *th = NULL;
	enum sipsteer_evidence what;
	struct tcphdr _th;
	u32 sent;

	if (!READ_ONCE(sipsteer_watching))
		return NF_ACCEPT;
	if (tcp)
		th = skb_header_pointer(skb, protoff, sizeof(_th), &_th);

	if (CTINFO2DIR(ctinfo) == IP_CT_DIR_REPLY) {
		if (th && th->rst)
			sipsteer_evidence(ct, SIPSTEER_EVIDENCE_RESET);
		sipsteer_unwatch(ct);
		return NF_ACCEPT;
	}
	/* Attached by someone else (by name): not the module's to watch. */
	if (!flow->unreplied_ms || test_bit(IPS_SEEN_REPLY_BIT, &ct->status)) {
		sipsteer_unwatch(ct);
		return NF_ACCEPT;
	}

	sent = READ_ONCE(flow->sent) + 1;
	WRITE_ONCE(flow->sent, sent);
	if (sent < 2)
		return NF_ACCEPT;
	if (tcp) {
		if (!th || !th->syn)
			return NF_ACCEPT;
		what = SIPSTEER_EVIDENCE_SYN;
	} else {
		if (time_before(jiffies, flow->since +
				msecs_to_jiffies(flow->unreplied_ms)))
			return NF_ACCEPT;
		what = SIPSTEER_EVIDENCE_UNREPLIED;
	}
	if (!test_and_set_bit(0, &flow->reported))
		sipsteer_evidence(ct, what);
	return NF_ACCEPT;
}

/*
 * Watch a new, locally originated flow of @cfg that is not confirmed yet
 * (the check before confirmation, nat.c). A flow that already has a
 * helper is left to it.
 */
void sipsteer_evidence_watch(struct nf_conn *ct,
			     const struct sipsteer_config *cfg)
{
	struct sipsteer_flow *flow;
	struct nf_conn_help *help;

	if (!cfg->spec.unreplied_ms || nfct_help(ct) ||
	    !READ_ONCE(sipsteer_watching))
		return;
	help = nf_ct_helper_ext_add(ct, GFP_ATOMIC);
	if (!help)
		return;
	flow = nfct_help_data(ct);
	flow->since = jiffies;
	flow->unreplied_ms = cfg->spec.unreplied_ms;
	rcu_assign_pointer(help->helper, &sipsteer_helper);
}

/*
 * LOCAL_IN, after conntrack: an ICMP or ICMPv6 error about a packet of a
 * watched flow. The helper sets up no expectations, so the only packets
 * related to its flows in the reply direction are such errors.
 */
static unsigned int sipsteer_icmp(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn_help *help;
	struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	if (likely(!ct || ctinfo != IP_CT_RELATED_REPLY))
		return NF_ACCEPT;
	help = nfct_help(ct);
	if (help && rcu_access_pointer(help->helper) == &sipsteer_helper &&
	    !test_bit(IPS_SEEN_REPLY_BIT, &ct->status))
		sipsteer_evidence(ct, SIPSTEER_EVIDENCE_ICMP);
	return NF_ACCEPT;
}

void sipsteer_evidence_hooks_init(struct sipsteer_net *sn)
{
	static const u8 pf[SIPSTEER_AF_COUNT] = {
		[SIPSTEER_AF_INET] = NFPROTO_IPV4,
		[SIPSTEER_AF_INET6] = NFPROTO_IPV6,
	};
	int af;

	for (af = 0; af < SIPSTEER_AF_COUNT; af++) {
		struct nf_hook_ops *ops = &sn->icmp_ops[af];

		ops->hook = sipsteer_icmp;
		ops->priv = sn;
		ops->pf = pf[af];
		ops->hooknum = NF_INET_LOCAL_IN;
		/* Where conntrack calls helpers, which never see ICMP. */
		ops->priority = NF_IP_PRI_CONNTRACK_HELPER;
	}
}

/*
 * Register the ICMP hook for exactly the families in @families (those of
 * the watched services' endpoints, whose NAT core functions, and with
 * them conntrack, are registered). Only registering can fail; on failure
 * the previous set is restored. Caller holds sn->lock or owns sn.
 */
int sipsteer_evidence_sync(struct sipsteer_net *sn, unsigned int families)
{
	unsigned int before = sn->watched;
	int af, err = 0;

	for (af = 0; af < SIPSTEER_AF_COUNT; af++) {
		if (!(families & BIT(af)) || (sn->watched & BIT(af)))
			continue;
		err = nf_register_net_hook(sn->net, &sn->icmp_ops[af]);
		if (err) {
			families = before;
			break;
		}
		sn->watched |= BIT(af);
	}
	for (af = 0; af < SIPSTEER_AF_COUNT; af++) {
		if ((families & BIT(af)) || !(sn->watched & BIT(af)))
			continue;
		nf_unregister_net_hook(sn->net, &sn->icmp_ops[af]);
		sn->watched &= ~BIT(af);
	}
	return err;
}

void sipsteer_evidence_config_init(struct sipsteer_config *cfg)
{
	unsigned int i;

	/* Jiffies start near a wrap: "no event yet" must be now. */
	for (i = 0; i < SIPSTEER_MAX_ENDPOINTS; i++)
		cfg->evidence[i].next = jiffies;
}

/*
 * Add the evidence @old counted into @cfg, its successor, endpoint by
 * endpoint, once no reader holds @old any more (after the grace period
 * of the change that published @cfg). Caller holds sn->lock.
 */
void sipsteer_evidence_inherit(struct sipsteer_config *cfg,
			       const struct sipsteer_config *old)
{
	const struct sipsteer_spec *was = &old->spec;
	unsigned int i, j;
	int k;

	for (i = 0; i < cfg->spec.n_endpoints; i++) {
		struct sipsteer_ep_evidence *ev = &cfg->evidence[i];

		for (j = 0; j < was->n_endpoints; j++)
			if (!memcmp(&cfg->spec.endpoints[i],
				    &was->endpoints[j],
				    sizeof(was->endpoints[j])))
				break;
		if (j == was->n_endpoints)
			continue;
		for (k = 0; k <= SIPSTEER_EVIDENCE_MAX; k++)
			atomic64_add(atomic64_read(&old->evidence[j].count[k]),
				     &ev->count[k]);
		atomic_add(atomic_read(&old->evidence[j].suppressed),
			   &ev->suppressed);
		if (time_after(old->evidence[j].next, READ_ONCE(ev->next)))
			WRITE_ONCE(ev->next, old->evidence[j].next);
	}
}

/* The counters of endpoint @ep, added to @counts. */
void sipsteer_evidence_sum(const struct sipsteer_config *cfg,
			   unsigned int ep, u64 *counts)
{
	int k;

	for (k = 0; k <= SIPSTEER_EVIDENCE_MAX; k++)
		counts[k] += atomic64_read(&cfg->evidence[ep].count[k]);
}

int sipsteer_evidence_init(void)
{
	int err;

	err = nf_conntrack_helper_register(&sipsteer_helper);
	if (!err)
		WRITE_ONCE(sipsteer_watching, true);
	return err;
}

/*
 * Before the namespaces' state goes (the helper reads it): no flow is
 * given the helper any more, the helper is taken off every flow that
 * still has it, and the packets that were in it are waited for.
 */
void sipsteer_evidence_exit(void)
{
	WRITE_ONCE(sipsteer_watching, false);
	/* The checks that saw it set have attached the helper by now. */
	synchronize_rcu();
	nf_conntrack_helper_unregister(&sipsteer_helper);
	synchronize_rcu();
}
