// SPDX-License-Identifier: GPL-2.0
/*
 * The proxy set's server list follows DNS: every usable answer replaces
 * the list (and steering's endpoints); when its TTL runs out while the
 * lines stand, DNS is asked again and the server in use is kept unless
 * DNS dropped it. A failed query keeps the list in use.
 */
#include <string.h>

#include "failover/pset_int.h"

static bool servers_differ(const struct serverlist *sl,
			   const struct dns_result *res)
{
	unsigned int i, n = res->n_servers;

	if (n > SL_MAX_SERVERS)
		n = SL_MAX_SERVERS;
	if (sl->n != n)
		return true;
	for (i = 0; i < n; i++) {
		if (!sl_same_server(&sl->e[i].srv, &res->servers[i]))
			return true;
	}
	return false;
}

static void dns_timer_fired(void *arg);

void pset_dns_later(struct pset *ps, uint32_t s)
{
	loop_timer_start(ps->loop, &ps->dns_timer, (uint64_t)s * 1000,
			 dns_timer_fired, ps);
}

/* A usable DNS answer: the list, steering's endpoints, the TTL timer. */
void pset_take_servers(struct pset *ps, const struct dns_result *res)
{
	uint64_t ttl_s = res->ttl_s;
	bool changed = servers_differ(&ps->sl, res);

	sl_set(&ps->sl, res->servers, res->n_servers);
	if (changed) {
		pset_event(ps, LOG_LVL_INFO, PSET_EV_DNS, NULL, NULL, 0,
			   "%u server(s)%s", ps->sl.n,
			   res->status == DNS_STALE ?
			   ", last good answer (DNS unreachable)" : "");
		pset_steer_sync(ps);
	}
	loop_timer_cancel(ps->loop, &ps->dns_timer);
	if (res->ttl_s == DNS_TTL_FOREVER)
		return;
	if (ttl_s < PSET_DNS_MIN_S)
		ttl_s = PSET_DNS_MIN_S;
	pset_dns_later(ps, (uint32_t)ttl_s);
}

/* The TTL ran out while registered: ask again, keep the server in use. */
static void on_dns_refresh(void *arg, const struct dns_result *res)
{
	struct pset *ps = arg;
	struct sip_server cur = ps->target;
	int idx;

	ps->dns_refreshing = false;
	if (ps->state != PSET_ACTIVE) {
		/* A move is under way: ask again once it is over. */
		pset_dns_later(ps, PSET_DNS_MIN_S);
		return;
	}
	if (!res->n_servers) {
		log_warn("proxy set %s: %s; keeping the server in use",
			 ps->p.host, res->status == DNS_NOT_FOUND ?
			 "DNS lists no SIP server any more" :
			 "DNS failed");
		pset_dns_later(ps, DNS_STALE_RETRY_S);
		return;
	}
	pset_take_servers(ps, res);
	if (sl_keep(&ps->sl, &cur) >= 0) {
		pset_watch_start(ps);
		pset_standby_check_dns(ps);
		return;
	}
	idx = sl_first(&ps->sl, loop_now_ms(ps->loop));
	if (idx < 0) {
		pset_enter_backoff(ps, "DNS dropped the server in use, the "
				   "others ask us to wait");
		return;
	}
	ps->failovers++;
	pset_event(ps, LOG_LVL_WARN, PSET_EV_FAILOVER, &cur,
		   &ps->sl.e[idx].srv, 0, "DNS no longer lists %s",
		   cur.target);
	pset_move_to(ps, idx, MOVE_FAILOVER, "DNS change");
}

static void dns_timer_fired(void *arg)
{
	struct pset *ps = arg;

	if (ps->dns_refreshing)
		return;
	/* A new round resolves anyway; a move is waited for. */
	if (ps->state != PSET_ACTIVE) {
		if (ps->state == PSET_REGISTERING)
			pset_dns_later(ps, PSET_DNS_MIN_S);
		return;
	}
	ps->dns_refreshing = true;
	if (resolver_resolve(ps->resolver, ps->p.host, ps->p.port,
			     ps->p.proto, on_dns_refresh, ps)) {
		ps->dns_refreshing = false;
		pset_dns_later(ps, DNS_STALE_RETRY_S);
	}
}
