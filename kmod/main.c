// SPDX-License-Identifier: GPL-2.0
/*
 * sipsteer: steer locally generated SIP traffic to the active proxy.
 *
 * New flows from local processes to a service's match endpoints are
 * DNATed (through the nf_nat core) to the service's active target, so
 * every process on the device follows a proxy failover without knowing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include "sipsteer.h"

#define SIPSTEER_VERSION "1.0"

static int __init sipsteer_init(void)
{
	int err;

	/* Before any flow can be given the helper. */
	err = sipsteer_evidence_init();
	if (err)
		goto out;
	err = sipsteer_netns_init();
	if (err)
		goto out_evidence;
	err = sipsteer_genl_init();
	if (err)
		goto out_netns;
	return 0;

out_netns:
	sipsteer_netns_exit();
out_evidence:
	sipsteer_evidence_exit();
out:
	pr_err("initialisation failed: %d\n", err);
	return err;
}

static void __exit sipsteer_exit(void)
{
	/* No request runs once the family is gone. */
	sipsteer_genl_exit();
	/* The helper reads the namespaces' state: it goes first. */
	sipsteer_evidence_exit();
	sipsteer_netns_exit();
	/* Services and tables are freed by RCU callbacks of this module. */
	rcu_barrier();
}

module_init(sipsteer_init);
module_exit(sipsteer_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Steer locally generated SIP traffic to the active proxy");
MODULE_VERSION(SIPSTEER_VERSION);
MODULE_ALIAS_GENL_FAMILY(SIPSTEER_GENL_NAME);
