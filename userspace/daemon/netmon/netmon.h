/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Watches the phone's network (libnl-route): an address added or removed
 * on an interface that is up, or a change of the default route. Bursts
 * (DHCP renewals, DAD) are coalesced: the callback runs once, after
 * NETMON_SETTLE_MS of quiet. Loopback and tentative addresses are ignored;
 * an address already in use that the kernel announces again (an IPv6
 * lifetime renewed by a router advertisement, a flag change) is no news,
 * but one that becomes usable (DAD done) is added.
 */
#ifndef SIPSTEERD_NETMON_H
#define SIPSTEERD_NETMON_H

struct loop;
struct netmon;

#define NETMON_SETTLE_MS	300

/* @why: what changed first in the burst, e.g. "address 192.0.2.7 added". */
typedef void (*netmon_fn)(void *arg, const char *why);

int netmon_new(struct loop *loop, netmon_fn fn, void *arg,
	       struct netmon **out);
void netmon_free(struct netmon *nm);

#endif
