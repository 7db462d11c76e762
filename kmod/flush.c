// SPDX-License-Identifier: GPL-2.0
/*
 * sipsteer: removing stale conntrack entries after a change.
 *
 * A conntrack entry keeps its NAT binding for its whole life, so after a
 * switch a long-lived UDP 5-tuple would keep going to the old target.
 * Removing the entry makes its next packet create a new one, which the
 * NAT hook steers to the new target. Entries are chosen by their tuples
 * only: the original destination is one of the service's endpoints, and
 * the reply source (where NAT sent the flow) is not where the service
 * now wants it. Nothing is marked or attached to the entries, so nothing
 * of the module outlives it in the conntrack table.
 */
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>

#include "sipsteer.h"

struct sipsteer_flush_ctx {
	const struct sipsteer_table *old;
	const struct sipsteer_table *new;
	const struct sipsteer_service *svc;	/* NULL: every service */
	bool all;
	unsigned int count;
};

static const struct sipsteer_config *
sipsteer_flush_owner(const struct sipsteer_flush_ctx *ctx,
		     const struct sipsteer_table *table,
		     const struct nf_conntrack_tuple *tuple)
{
	const struct sipsteer_config *cfg;

	cfg = sipsteer_table_lookup(table, tuple);
	if (cfg && ctx->svc && cfg->svc != ctx->svc)
		return NULL;
	return cfg;
}

static bool sipsteer_reply_from(const struct nf_conn *ct,
				const union nf_inet_addr *addr, __be16 port)
{
	const struct nf_conntrack_tuple *reply;

	reply = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	if (reply->src.u.all != port)
		return false;
	if (nf_ct_l3num(ct) == NFPROTO_IPV4)
		return reply->src.u3.ip == addr->ip;
	return ipv6_addr_equal(&reply->src.u3.in6, &addr->in6);
}

/* Called with a conntrack bucket lock held: must not sleep. */
static int sipsteer_flush_match(struct nf_conn *ct, void *data)
{
	struct sipsteer_flush_ctx *ctx = data;
	const struct nf_conntrack_tuple *orig;
	const struct sipsteer_config *old_cfg, *new_cfg;
	const struct sipsteer_target *target = NULL;
	bool keep;

	orig = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	old_cfg = sipsteer_flush_owner(ctx, ctx->old, orig);
	new_cfg = sipsteer_flush_owner(ctx, ctx->new, orig);
	if (!old_cfg && !new_cfg)
		return 0;

	if (!ctx->all) {
		if (new_cfg)
			target = sipsteer_target(&new_cfg->spec,
						 nf_ct_l3num(ct));
		if (target && target->active)
			keep = sipsteer_reply_from(ct, &target->addr,
						   target->port ?:
						   orig->dst.u.all);
		else
			/* Pass-through (or no service any more): keep only
			 * entries that were not NATed.
			 */
			keep = sipsteer_reply_from(ct, &orig->dst.u3,
						   orig->dst.u.all);
		if (keep)
			return 0;
	}
	ctx->count++;
	return 1;
}

/**
 * sipsteer_flush - remove conntrack entries that no longer fit a change
 * @net: the namespace whose entries are considered
 * @old: the table before the change (may be NULL)
 * @new: the table after the change (may be NULL)
 * @svc: restrict to this service's endpoints, or NULL for every service
 * @all: remove every matched entry, wherever it points
 *
 * An entry is matched when its original destination is an endpoint of
 * @svc in @old or @new. It is kept when its reply source is the active
 * target of its family in @new (with the original port when the target
 * has none), or, with no such target, when it was not NATed at all.
 * Sleeps; the conntrack table is walked once.
 *
 * Return: the number of entries removed.
 */
unsigned int sipsteer_flush(struct net *net,
			    const struct sipsteer_table *old,
			    const struct sipsteer_table *new,
			    const struct sipsteer_service *svc, bool all)
{
	struct sipsteer_flush_ctx ctx = {
		.old = old,
		.new = new,
		.svc = svc,
		.all = all,
	};
	struct nf_ct_iter_data iter = {
		.net = net,
		.data = &ctx,
	};

	if (!old && !new)
		return 0;
	nf_ct_iterate_cleanup_net(sipsteer_flush_match, &iter);
	return ctx.count;
}
