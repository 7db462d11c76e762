// SPDX-License-Identifier: GPL-2.0
/*
 * sipsteer: what a conntrack entry means to the services.
 *
 * Pure functions of an entry's two tuples (and, for a new outgoing flow,
 * the packet's mark), shared by the NAT core's check functions (nat.c)
 * and the flush (flush.c), and tested by KUnit (kunit.c).
 *
 * The module's NAT is recognised by where an entry's reply comes from:
 * the original destination (nobody NATed it), the active target, or the
 * target of the configuration the active one replaced (this service
 * NATed it). An entry whose reply comes from anywhere else was NATed by
 * someone else's rule, and is left alone.
 */
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack_tuple.h>

#include "sipsteer.h"

static bool sipsteer_addr_equal(u16 l3num, const union nf_inet_addr *a,
				const union nf_inet_addr *b)
{
	if (l3num == NFPROTO_IPV4)
		return a->ip == b->ip;
	return ipv6_addr_equal(&a->in6, &b->in6);
}

/* The reply comes from (@addr, @port). */
static bool sipsteer_reply_from(const struct nf_conntrack_tuple *reply,
				const union nf_inet_addr *addr, __be16 port)
{
	return reply->src.u.all == port &&
	       sipsteer_addr_equal(reply->src.l3num, &reply->src.u3, addr);
}

/* Nobody NATed the entry's destination. */
static bool sipsteer_not_dnated(const struct nf_conntrack_tuple *orig,
				const struct nf_conntrack_tuple *reply)
{
	return sipsteer_reply_from(reply, &orig->dst.u3, orig->dst.u.all);
}

/* The entry was DNATed to @target (keeping the port when it has none). */
static bool sipsteer_dnated_to(const struct sipsteer_target *target,
			       const struct nf_conntrack_tuple *orig,
			       const struct nf_conntrack_tuple *reply)
{
	return target->active &&
	       sipsteer_reply_from(reply, &target->addr,
				   target->port ?: orig->dst.u.all);
}

static const struct sipsteer_target *
sipsteer_family_target(const struct sipsteer_target *targets,
		       const struct nf_conntrack_tuple *orig)
{
	return &targets[orig->src.l3num == NFPROTO_IPV4 ? SIPSTEER_AF_INET :
							  SIPSTEER_AF_INET6];
}

/* The entry of a flow to an endpoint of @cfg is where @cfg wants it. */
static bool sipsteer_fits(const struct sipsteer_config *cfg,
			  const struct nf_conntrack_tuple *orig,
			  const struct nf_conntrack_tuple *reply)
{
	const struct sipsteer_target *target;

	if (!cfg)
		return sipsteer_not_dnated(orig, reply);
	target = sipsteer_family_target(cfg->spec.targets, orig);
	if (target->active)
		return sipsteer_dnated_to(target, orig, reply);
	return sipsteer_not_dnated(orig, reply);
}

/**
 * sipsteer_verdict_out - judge a new, locally originated entry
 * @table: the published table
 * @orig: the entry's original tuple
 * @reply: its reply tuple, after the DNAT decided at LOCAL_OUT
 * @skb_mark: the packet's mark
 * @cfgp: set to the configuration whose counter the verdict goes to
 *
 * Called once per new entry, at POST_ROUTING before confirmation, with
 * the table published now: the DNAT was decided at LOCAL_OUT, possibly
 * from a table replaced since. An entry to an endpoint that the NAT core
 * left alone or that this service NATed to its previous target does not
 * fit and is refused, so the flow's next packet is steered by the table
 * in force; packets with the bypass mark are never refused.
 *
 * Return: SIPSTEER_REFUSED to drop the packet, anything else to accept.
 */
enum sipsteer_verdict
sipsteer_verdict_out(const struct sipsteer_table *table,
		     const struct nf_conntrack_tuple *orig,
		     const struct nf_conntrack_tuple *reply, u32 skb_mark,
		     const struct sipsteer_config **cfgp)
{
	const struct sipsteer_config *cfg;
	const struct sipsteer_target *target, *previous;
	u32 mark;

	cfg = sipsteer_table_find_dst(table, orig);
	*cfgp = cfg;
	if (!cfg)
		return SIPSTEER_NOT_MINE;

	mark = cfg->spec.mark;
	if (mark && (skb_mark & cfg->spec.mask) == mark)
		return SIPSTEER_BYPASSED;

	target = sipsteer_family_target(cfg->spec.targets, orig);
	if (sipsteer_fits(cfg, orig, reply))
		return target->active ? SIPSTEER_STEERED : SIPSTEER_PASSED;

	previous = sipsteer_family_target(cfg->previous, orig);
	if (sipsteer_not_dnated(orig, reply) ||
	    sipsteer_dnated_to(previous, orig, reply))
		return SIPSTEER_REFUSED;
	return SIPSTEER_NOT_MINE;
}
EXPORT_SYMBOL_FOR_SIPSTEER_KUNIT(sipsteer_verdict_out);

/**
 * sipsteer_verdict_in - judge a new inbound entry
 * @table: the published table
 * @orig: the entry's original tuple
 * @cfgp: set to the configuration whose counter the verdict goes to
 *
 * Called once per new entry, at LOCAL_IN before confirmation. A datagram
 * from an endpoint that is not the active target of its family (a server
 * the controller found dead) is refused: its entry's reply direction
 * would be the local flow to that endpoint, which then kept going there
 * without ever being steered. Only UDP: a stream cannot share a 5-tuple.
 *
 * Return: SIPSTEER_REFUSED to drop the packet, SIPSTEER_NOT_MINE else.
 */
enum sipsteer_verdict
sipsteer_verdict_in(const struct sipsteer_table *table,
		    const struct nf_conntrack_tuple *orig,
		    const struct sipsteer_config **cfgp)
{
	const struct sipsteer_config *cfg;
	const struct sipsteer_target *target;

	*cfgp = NULL;
	if (orig->dst.protonum != IPPROTO_UDP)
		return SIPSTEER_NOT_MINE;
	cfg = sipsteer_table_find_src(table, orig);
	if (!cfg)
		return SIPSTEER_NOT_MINE;
	target = sipsteer_family_target(cfg->spec.targets, orig);
	if (!target->active)
		return SIPSTEER_NOT_MINE;
	/* A target without a port is reached at the endpoint's port. */
	if (target->port && target->port != orig->src.u.all)
		goto refuse;
	if (sipsteer_addr_equal(orig->src.l3num, &orig->src.u3,
				&target->addr))
		return SIPSTEER_NOT_MINE;
refuse:
	*cfgp = cfg;
	return SIPSTEER_REFUSED;
}
EXPORT_SYMBOL_FOR_SIPSTEER_KUNIT(sipsteer_verdict_in);

static const struct sipsteer_config *
sipsteer_owned(const struct sipsteer_config *cfg,
	       const struct sipsteer_service *svc)
{
	return cfg && (!svc || cfg->svc == svc) ? cfg : NULL;
}

/**
 * sipsteer_flush_match - should a change remove this entry?
 * @old: the table before the change (may be NULL)
 * @new: the table after the change (may be NULL)
 * @svc: only this service's endpoints count, or NULL for every service
 * @all: remove every matched entry the module may touch
 * @orig: the entry's original tuple
 * @reply: its reply tuple
 *
 * An entry to an endpoint (in @old or @new) is removed when it does not
 * fit @new: its reply does not come from the active target (with no
 * target, from the original destination). A UDP entry from an endpoint of
 * @new that is not its active target is removed too: it would capture the
 * local flow to that endpoint (see sipsteer_verdict_in()). Entries NATed
 * by someone else are kept, even with @all.
 *
 * Return: true to remove the entry.
 */
bool sipsteer_flush_match(const struct sipsteer_table *old,
			  const struct sipsteer_table *new,
			  const struct sipsteer_service *svc, bool all,
			  const struct nf_conntrack_tuple *orig,
			  const struct nf_conntrack_tuple *reply)
{
	const struct sipsteer_config *old_cfg, *new_cfg, *cfg;

	old_cfg = sipsteer_owned(sipsteer_table_find_dst(old, orig), svc);
	new_cfg = sipsteer_owned(sipsteer_table_find_dst(new, orig), svc);
	if (old_cfg || new_cfg) {
		/* Ours (or nobody's): not DNATed, or to a target we had. */
		if (!sipsteer_not_dnated(orig, reply) &&
		    !(old_cfg && sipsteer_fits(old_cfg, orig, reply)) &&
		    !(new_cfg && sipsteer_fits(new_cfg, orig, reply)))
			return false;
		return all || !sipsteer_fits(new_cfg, orig, reply);
	}

	if (orig->dst.protonum != IPPROTO_UDP)
		return false;
	/* Not NATed in either direction: anything else is someone's rule. */
	cfg = sipsteer_owned(sipsteer_table_find_src(new, orig), svc);
	if (!cfg || !sipsteer_not_dnated(orig, reply) ||
	    reply->dst.u.all != orig->src.u.all ||
	    !sipsteer_addr_equal(orig->src.l3num, &reply->dst.u3,
				 &orig->src.u3))
		return false;
	if (all)
		return true;
	return sipsteer_verdict_in(new, orig, &cfg) == SIPSTEER_REFUSED;
}
EXPORT_SYMBOL_FOR_SIPSTEER_KUNIT(sipsteer_flush_match);
