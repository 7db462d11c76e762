// SPDX-License-Identifier: GPL-2.0
/*
 * The network monitor: rtnetlink address and route notifications through
 * libnl-route, filtered to what matters for registrations and coalesced
 * on a quiet-period timer of the daemon's loop.
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>

#include "core/log.h"
#include "core/loop.h"
#include "netmon/netmon.h"

/* A stream of changes that never pauses is still reported this often. */
#define NETMON_MAX_DELAY_MS	(10 * NETMON_SETTLE_MS)
/* Usable addresses remembered; beyond, every notification is news. */
#define NETMON_MAX_ADDRS	64

/* An address in use, so that a renewal is not taken for an addition. */
struct netmon_addr {
	int ifindex;
	int family;
	unsigned int len;
	unsigned char bin[16];
};

struct netmon {
	struct loop *loop;
	netmon_fn fn;
	void *arg;
	struct nl_sock *sk;
	int ioctl_fd;			/* interface flags */
	struct loop_timer settle;
	uint64_t first_ms;		/* first change of the burst */
	bool pending;
	char why[128];			/* first change of the burst */
	/* The kernel repeats RTM_NEWADDR for an address it already has
	 * (IPv6 lifetimes renewed by each router advertisement, flag
	 * changes): only an address not in here is added. */
	struct netmon_addr addrs[NETMON_MAX_ADDRS];
	unsigned int n_addrs;
};

/* Fills @k from @a; false when it has no local address to speak of. */
static bool addr_key(struct rtnl_addr *a, struct netmon_addr *k)
{
	struct nl_addr *local = rtnl_addr_get_local(a);

	memset(k, 0, sizeof(*k));
	if (!local || nl_addr_get_len(local) > sizeof(k->bin))
		return false;
	k->ifindex = rtnl_addr_get_ifindex(a);
	k->family = rtnl_addr_get_family(a);
	k->len = nl_addr_get_len(local);
	memcpy(k->bin, nl_addr_get_binary_addr(local), k->len);
	return true;
}

static struct netmon_addr *addr_find(struct netmon *nm,
				     const struct netmon_addr *k)
{
	unsigned int i;

	for (i = 0; i < nm->n_addrs; i++)
		if (!memcmp(&nm->addrs[i], k, sizeof(*k)))
			return &nm->addrs[i];
	return NULL;
}

static void addr_remember(struct netmon *nm, const struct netmon_addr *k)
{
	if (nm->n_addrs < NETMON_MAX_ADDRS)
		nm->addrs[nm->n_addrs++] = *k;
}

static void addr_forget(struct netmon *nm, struct netmon_addr *e)
{
	*e = nm->addrs[--nm->n_addrs];
}

static void settled(void *arg)
{
	struct netmon *nm = arg;
	char why[sizeof(nm->why)];

	nm->pending = false;
	memcpy(why, nm->why, sizeof(why));
	log_info("network changed: %s", why);
	nm->fn(nm->arg, why);
}

/* Called once per relevant change: the burst ends after a quiet time. */
static void changed(struct netmon *nm, const char *why)
{
	uint64_t now = loop_now_ms(nm->loop);

	log_debug("network: %s", why);
	if (!nm->pending) {
		nm->pending = true;
		nm->first_ms = now;
		snprintf(nm->why, sizeof(nm->why), "%s", why);
	} else if (now - nm->first_ms >= NETMON_MAX_DELAY_MS) {
		return;		/* the timer runs out soon: keep it */
	}
	loop_timer_start(nm->loop, &nm->settle, NETMON_SETTLE_MS, settled, nm);
}

/* IFF_* of an interface, or 0 when it is gone. */
static unsigned int if_flags(const struct netmon *nm, int ifindex)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (!if_indextoname((unsigned int)ifindex, ifr.ifr_name) ||
	    ioctl(nm->ioctl_fd, SIOCGIFFLAGS, &ifr) < 0)
		return 0;
	return (unsigned int)(unsigned short)ifr.ifr_flags;
}

/* Is @a one the phone can use: not loopback, DAD done? */
static bool addr_usable(struct rtnl_addr *a, unsigned int if_flags)
{
	return !(if_flags & IFF_LOOPBACK) &&
	       !(rtnl_addr_get_flags(a) & (IFA_F_TENTATIVE |
					   IFA_F_DADFAILED));
}

static void on_addr(struct netmon *nm, struct rtnl_addr *a, bool added)
{
	unsigned int flags = if_flags(nm, rtnl_addr_get_ifindex(a));
	struct nl_addr *local = rtnl_addr_get_local(a);
	char ip[INET6_ADDRSTRLEN + 8], why[128];
	struct netmon_addr k, *known;

	if ((flags & IFF_LOOPBACK) || !addr_key(a, &k))
		return;
	known = addr_find(nm, &k);
	/* Usable only once DAD ends: its end is a new RTM_NEWADDR. An
	 * address on a down interface is not in use either. */
	if (added && addr_usable(a, flags) && (flags & IFF_UP)) {
		if (known)
			return;		/* a renewal: nothing changed */
		addr_remember(nm, &k);
	} else {
		/* Removed, or tentative again: news if it was in use. */
		if (!known && (added || nm->n_addrs < NETMON_MAX_ADDRS))
			return;
		if (known)
			addr_forget(nm, known);
		added = false;
	}
	nl_addr2str(local, ip, sizeof(ip));
	/* "192.0.2.7/24": the prefix says nothing here. */
	ip[strcspn(ip, "/")] = '\0';
	snprintf(why, sizeof(why), "address %s %s", ip,
		 added ? "added" : "removed");
	changed(nm, why);
}

static void on_route(struct netmon *nm, struct rtnl_route *r, bool added)
{
	struct nl_addr *dst = rtnl_route_get_dst(r);
	struct rtnl_nexthop *nh;
	char gw[INET6_ADDRSTRLEN + 8] = "", why[128];

	if (rtnl_route_get_table(r) != RT_TABLE_MAIN ||
	    rtnl_route_get_type(r) != RTN_UNICAST ||
	    (dst && nl_addr_get_prefixlen(dst) != 0))
		return;
	if (rtnl_route_get_nnexthops(r) > 0) {
		nh = rtnl_route_nexthop_n(r, 0);
		if (nh && rtnl_route_nh_get_gateway(nh)) {
			nl_addr2str(rtnl_route_nh_get_gateway(nh), gw,
				    sizeof(gw));
		}
	}
	snprintf(why, sizeof(why), "default route%s%s %s", gw[0] ? " via " :
		 "", gw, added ? "added" : "removed");
	changed(nm, why);
}

static void parsed(struct nl_object *obj, void *arg)
{
	struct netmon *nm = arg;
	int type = nl_object_get_msgtype(obj);

	switch (type) {
	case RTM_NEWADDR:
	case RTM_DELADDR:
		on_addr(nm, (struct rtnl_addr *)obj, type == RTM_NEWADDR);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		on_route(nm, (struct rtnl_route *)obj, type == RTM_NEWROUTE);
		break;
	}
}

static int on_msg(struct nl_msg *msg, void *arg)
{
	/* Unparsable messages are not ours to judge: skip them. */
	nl_msg_parse(msg, parsed, arg);
	return NL_OK;
}

static void readable(int fd, unsigned int events, void *arg)
{
	struct netmon *nm = arg;
	struct nl_cb *cb = nl_socket_get_cb(nm->sk);
	int n;

	(void)fd;
	(void)events;
	/* Non-blocking: a read that finds nothing returns 0 messages. */
	for (;;) {
		n = nl_recvmsgs_report(nm->sk, cb);
		if (n > 0)
			continue;
		if (n == 0 || n == -NLE_AGAIN)
			break;
		if (n == -NLE_NOMEM) {
			/* ENOBUFS: notifications were lost; assume a change. */
			changed(nm, "netlink overrun (changes lost)");
			continue;
		}
		log_warn("network monitor: %s", nl_geterror(n));
		break;
	}
	nl_cb_put(cb);
}

static void seed_one(struct nl_object *obj, void *arg)
{
	struct netmon *nm = arg;
	struct rtnl_addr *a = (struct rtnl_addr *)obj;
	unsigned int flags = if_flags(nm, rtnl_addr_get_ifindex(a));
	struct netmon_addr k;

	if (addr_usable(a, flags) && (flags & IFF_UP) && addr_key(a, &k) &&
	    !addr_find(nm, &k))
		addr_remember(nm, &k);
}

/*
 * The addresses in use at start, so that their first renewal is not
 * news. Best effort: without them, that renewal is one extra report.
 */
static void seed_addrs(struct netmon *nm)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cache *cache = NULL;

	if (!sk)
		return;
	if (!nl_connect(sk, NETLINK_ROUTE) &&
	    !rtnl_addr_alloc_cache(sk, &cache)) {
		nl_cache_foreach(cache, seed_one, nm);
		nl_cache_free(cache);
	}
	nl_socket_free(sk);
}

int netmon_new(struct loop *loop, netmon_fn fn, void *arg,
	       struct netmon **out)
{
	struct netmon *nm;
	int err;

	nm = calloc(1, sizeof(*nm));
	if (!nm)
		return -ENOMEM;
	nm->loop = loop;
	nm->fn = fn;
	nm->arg = arg;
	nm->ioctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (nm->ioctl_fd < 0) {
		err = -errno;
		goto out;
	}
	nm->sk = nl_socket_alloc();
	if (!nm->sk) {
		err = -ENOMEM;
		goto out;
	}
	/* Notifications carry no sequence numbers of ours. */
	nl_socket_disable_seq_check(nm->sk);
	nl_socket_modify_cb(nm->sk, NL_CB_VALID, NL_CB_CUSTOM, on_msg, nm);
	err = nl_connect(nm->sk, NETLINK_ROUTE);
	if (err) {
		err = -EIO;
		goto out;
	}
	if (nl_socket_add_memberships(nm->sk, RTNLGRP_IPV4_IFADDR,
				      RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE,
				      RTNLGRP_IPV6_ROUTE, 0) ||
	    nl_socket_set_nonblocking(nm->sk)) {
		err = -EIO;
		goto out;
	}
	seed_addrs(nm);
	/* A DHCP renewal or a link flap is a burst: room for it. */
	nl_socket_set_buffer_size(nm->sk, 256 * 1024, 0);
	err = loop_fd_add(loop, nl_socket_get_fd(nm->sk), LOOP_IN, readable,
			  nm);
	if (err)
		goto out;
	*out = nm;
	return 0;
out:
	if (nm->sk)
		nl_socket_free(nm->sk);
	if (nm->ioctl_fd >= 0)
		close(nm->ioctl_fd);
	free(nm);
	return err;
}

void netmon_free(struct netmon *nm)
{
	if (!nm)
		return;
	loop_timer_cancel(nm->loop, &nm->settle);
	loop_fd_del(nm->loop, nl_socket_get_fd(nm->sk));
	nl_socket_free(nm->sk);
	close(nm->ioctl_fd);
	free(nm);
}
