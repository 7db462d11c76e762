// SPDX-License-Identifier: GPL-2.0
/*
 * sipsteer: moving UDP flows whose conntrack entry no longer fits.
 *
 * The flush after a switch removes the entries that point at the old
 * target, but two kinds can appear after its walk:
 *  - an entry set up by a datagram that read the old table and was
 *    confirmed after the walk passed its bucket;
 *  - an entry created by a late datagram from the old target itself.
 *    Its reply direction is the phone's flow to that address, and a
 *    reply is never NATed, so the flow would keep going there.
 * Either would hold a long-lived 5-tuple at the old target for as long
 * as it keeps talking. This hook runs on LOCAL_OUT between conntrack and
 * NAT: an outgoing UDP datagram of an existing entry that does not fit
 * the current table has its entry removed and is tracked again, and the
 * NAT hook steers the new entry. TCP is left to the flush and to the
 * owner of the service, which fails stale connections.
 */
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_zones.h>

#include "sipsteer.h"

/*
 * A flow the remote side started: the phone's datagrams go to its
 * original source, which must be the active target, if there is one.
 */
static bool sipsteer_peer_fits(const struct nf_conn *ct,
			       const struct sipsteer_config *cfg)
{
	const struct nf_conntrack_tuple *peer;
	const struct sipsteer_target *target;

	peer = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	target = sipsteer_target(&cfg->spec, nf_ct_l3num(ct));
	if (!target->active)
		return true;
	if (target->port && target->port != peer->src.u.all)
		return false;
	return nf_inet_addr_cmp(&target->addr, &peer->src.u3);
}

unsigned int sipsteer_resteer_hook(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	const struct sipsteer_net *sn = priv;
	const struct sipsteer_config *cfg;
	enum ip_conntrack_info ctinfo;
	enum ip_conntrack_dir dir;
	struct nf_conn *ct;
	bool fits;

	ct = nf_ct_get(skb, &ctinfo);
	/* New entries are the NAT hook's; ICMP errors follow their flow. */
	if (!ct || !nf_ct_is_confirmed(ct) ||
	    nf_ct_protonum(ct) != IPPROTO_UDP ||
	    ctinfo == IP_CT_RELATED || ctinfo == IP_CT_RELATED_REPLY)
		return NF_ACCEPT;

	dir = CTINFO2DIR(ctinfo);
	cfg = sipsteer_table_lookup(rcu_dereference(sn->table),
				    &ct->tuplehash[dir].tuple);
	if (!cfg)
		return NF_ACCEPT;
	if (cfg->spec.mark && (skb->mark & cfg->spec.mask) == cfg->spec.mark)
		return NF_ACCEPT;

	fits = dir == IP_CT_DIR_ORIGINAL ? sipsteer_ct_fits(ct, cfg) :
					   sipsteer_peer_fits(ct, cfg);
	/* Tracking again would lose a zone set by a template. */
	if (fits || !nf_ct_zone_equal_any(ct, &nf_ct_zone_dflt))
		return NF_ACCEPT;

	nf_ct_kill(ct);
	nf_ct_put(ct);
	nf_ct_set(skb, NULL, 0);
	return nf_conntrack_in(skb, state);
}
