// SPDX-License-Identifier: GPL-2.0
/*
 * sipsteer: removing stale conntrack entries after a change.
 *
 * A conntrack entry keeps its NAT binding for its whole life, so after a
 * switch a long-lived UDP 5-tuple would keep going to the old target.
 * Removing the entry makes its next packet create a new one, which the
 * NAT core's functions steer by the table in force. Which entries go is
 * decided from their tuples only (sipsteer_flush_match() in verdict.c):
 * nothing is marked or attached to the entries, so nothing of the module
 * outlives it in the conntrack table.
 */
#include <net/netfilter/nf_conntrack.h>

#include "sipsteer.h"

struct sipsteer_flush_ctx {
	const struct sipsteer_table *old;
	const struct sipsteer_table *new;
	const struct sipsteer_service *svc;	/* NULL: every service */
	bool all;
	unsigned int count;
};

/* Called with a conntrack bucket lock held: must not sleep. */
static int sipsteer_flush_iter(struct nf_conn *ct, void *data)
{
	struct sipsteer_flush_ctx *ctx = data;

	if (!sipsteer_flush_match(ctx->old, ctx->new, ctx->svc, ctx->all,
				  &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple,
				  &ct->tuplehash[IP_CT_DIR_REPLY].tuple))
		return 0;
	ctx->count++;
	return 1;
}

/**
 * sipsteer_flush - remove conntrack entries that no longer fit a change
 * @net: the namespace whose entries are considered
 * @old: the table before the change (may be NULL)
 * @new: the table after the change (may be NULL)
 * @svc: restrict to this service's endpoints, or NULL for every service
 * @all: remove every matched entry the module may touch
 *
 * @new must have been published for a grace period: every entry created
 * from @old is then confirmed, and every later one was checked against
 * @new before its confirmation (nat.c), so one walk leaves no entry that
 * contradicts @new. Sleeps; the conntrack table is walked once.
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
	nf_ct_iterate_cleanup_net(sipsteer_flush_iter, &iter);
	return ctx.count;
}
