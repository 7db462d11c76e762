// SPDX-License-Identifier: GPL-2.0
/*
 * Fail local TCP connections that a switch left behind. Conntrack decides:
 * the module removed the entries of flows that do not lead to the active
 * target, and a connection whose entry still leads elsewhere cannot be
 * steered either, because NAT is bound when a flow starts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/sock_diag.h>

#include "internal.h"

const struct sipsteer_addr *
tcp_match_endpoint(const struct sipsteer_service *svc,
		   const struct sipsteer_addr *dst)
{
	unsigned int i;

	for (i = 0; i < svc->n_endpoints; i++) {
		const struct sipsteer_addr *ep = &svc->endpoints[i];

		if (ep->proto == IPPROTO_TCP && ep->port == dst->port &&
		    sipsteer_addr_ip_equal(ep, dst))
			return ep;
	}
	return NULL;
}

bool tcp_conn_stale(const struct sipsteer_service *svc,
		    const struct sipsteer_addr *dst,
		    const struct ct_entry *ct)
{
	const struct sipsteer_addr *target;
	struct sipsteer_addr want = *dst;

	/*
	 * No entry: the module removed it. Picked up: it was removed and a
	 * later packet made a new one, which may even point at the new
	 * target, but the peer there never saw this connection.
	 */
	if (!ct || ct->picked_up)
		return true;
	target = sipsteer_service_target(svc, dst->family);
	if (target) {
		want.ip = target->ip;
		if (target->port)
			want.port = target->port;
	}
	return !sipsteer_addr_ip_equal(&want, &ct->reply_src) ||
	       want.port != ct->reply_src.port;
}

/*
 * The owner of a bypass-marked socket (the daemon itself, a failback
 * probe) talks to the server it chose on purpose: it is never steered, so
 * a switch leaves it nothing to follow.
 */
bool tcp_sock_bypassed(const struct sipsteer_service *svc,
		       const struct tcp_sock_ref *s)
{
	return (svc->has & SIPSTEER_HAS_BYPASS) && svc->bypass_mark &&
	       s->has_mark &&
	       (s->mark & svc->bypass_mask) == svc->bypass_mark;
}

struct sock_list {
	const struct sipsteer_service *svc;
	struct tcp_sock_ref *v;
	size_t n, cap;
};

static int collect_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct sock_list *l = arg;
	struct tcp_sock_ref s;
	struct tcp_sock_ref *v;

	if (sockdiag_parse(nlh, &s) || !tcp_match_endpoint(l->svc, &s.dst) ||
	    tcp_sock_bypassed(l->svc, &s))
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		v = realloc(l->v, l->cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
	}
	l->v[l->n++] = s;
	return 0;
}

static int entry_cb(const struct nlmsghdr *nlh, void *arg)
{
	return ctnl_parse_entry(nlh, arg);
}

/* 1: stale, 0: keep, <0: error. */
static int check_one(struct mnl_socket *ct, uint32_t *seq,
		     const struct sipsteer_service *svc,
		     const struct tcp_sock_ref *s, struct nl_ext *ext)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ct_entry entry;
	int err;

	err = nl_talk(ct, seq, ctnl_msg_get(buf, &s->src, &s->dst),
		      entry_cb, &entry, ext);
	if (err == -ENOENT)
		return tcp_conn_stale(svc, &s->dst, NULL);
	if (err)
		return err;
	return tcp_conn_stale(svc, &s->dst, &entry);
}

static bool has_tcp_endpoint(const struct sipsteer_service *svc)
{
	unsigned int i;

	for (i = 0; i < svc->n_endpoints; i++)
		if (svc->endpoints[i].proto == IPPROTO_TCP)
			return true;
	return false;
}

int sipsteer_tcp_kill_stale(struct sipsteer *h,
			    const struct sipsteer_service *svc)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct sock_list l = { .svc = svc };
	struct mnl_socket *diag = NULL, *ct = NULL;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = 0;
	int killed = 0;
	size_t i;
	int err;

	nl_ext_clear(&h->ext);
	if (!has_tcp_endpoint(svc))
		return 0;
	err = nl_open(NETLINK_SOCK_DIAG, &diag);
	if (err)
		goto out;
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		err = nl_talk(diag, &seq, sockdiag_msg_dump(buf, families[i]),
			      collect_cb, &l, &h->ext);
		if (err)
			goto out;
	}
	if (!l.n)
		goto out;
	err = nl_open(NETLINK_NETFILTER, &ct);
	if (err)
		goto out;
	for (i = 0; i < l.n; i++) {
		err = check_one(ct, &seq, svc, &l.v[i], &h->ext);
		if (err < 0)
			goto out;
		if (!err)
			continue;
		err = nl_talk(diag, &seq, sockdiag_msg_destroy(buf, &l.v[i]),
			      NULL, NULL, &h->ext);
		/* Closed meanwhile: nothing left to fail. */
		if (err == -ENOENT)
			continue;
		if (err)
			goto out;
		killed++;
	}
	err = 0;
out:
	if (ct)
		mnl_socket_close(ct);
	if (diag)
		mnl_socket_close(diag);
	free(l.v);
	return err ? err : killed;
}
