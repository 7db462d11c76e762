// SPDX-License-Identifier: GPL-2.0
/*
 * sipsteer: per network namespace state.
 *
 * Each namespace has its own services, table and NAT hooks; nothing is
 * shared between namespaces.
 */
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "sipsteer.h"

static unsigned int sipsteer_net_id __read_mostly;

struct sipsteer_net *sipsteer_net(const struct net *net)
{
	return net_generic(net, sipsteer_net_id);
}

static int __net_init sipsteer_net_init(struct net *net)
{
	struct sipsteer_net *sn = sipsteer_net(net);

	sn->net = net;
	mutex_init(&sn->lock);
	INIT_LIST_HEAD(&sn->services);
	/* Dump consistency checks treat 0 as "not known yet". */
	sn->generation = 1;
	RCU_INIT_POINTER(sn->table, NULL);
	sipsteer_nat_init(sn);
	sipsteer_evidence_hooks_init(sn);
	return 0;
}

/*
 * Unhook first; the namespace core waits for a grace period between
 * pre_exit and exit, so no hook still runs when exit flushes the flows
 * the services NATed and frees them.
 */
static void __net_exit sipsteer_net_pre_exit(struct net *net)
{
	struct sipsteer_net *sn = sipsteer_net(net);

	mutex_lock(&sn->lock);
	sipsteer_evidence_sync(sn, 0);
	sipsteer_nat_sync(sn, 0);
	mutex_unlock(&sn->lock);
}

static void __net_exit sipsteer_net_exit(struct net *net)
{
	sipsteer_service_destroy_all(sipsteer_net(net));
}

static struct pernet_operations sipsteer_net_ops = {
	.init = sipsteer_net_init,
	.pre_exit = sipsteer_net_pre_exit,
	.exit = sipsteer_net_exit,
	.id = &sipsteer_net_id,
	.size = sizeof(struct sipsteer_net),
};

int sipsteer_netns_init(void)
{
	return register_pernet_subsys(&sipsteer_net_ops);
}

void sipsteer_netns_exit(void)
{
	unregister_pernet_subsys(&sipsteer_net_ops);
}
