// SPDX-License-Identifier: GPL-2.0
/*
 * The proxy set's decision: which server every line registers at. States
 * and what moves them:
 *   IDLE -> STARTING (pset_start, random start-up delay) -> RESOLVING
 *   RESOLVING -> REGISTERING (servers known) | BACKOFF (none)
 *   REGISTERING -> ACTIVE (a line registered) | next server (failure)
 *   | BACKOFF (every server of the round failed)
 *   ACTIVE -> REGISTERING at the next server (failure of a REGISTER,
 *   refresh or keep-alive) | a better server (failback, stays ACTIVE)
 *   BACKOFF -> RESOLVING after the RFC 5626 wait
 * Steering follows as soon as the first line is registered at a new
 * server; the lines then un-register from the old one.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failover/policy.h"
#include "failover/pset_int.h"

static void begin_resolve(struct pset *ps);

static uint64_t now(const struct pset *ps)
{
	return loop_now_ms(ps->loop);
}

int pset_target_idx(const struct pset *ps)
{
	return ps->has_target ? sl_find(&ps->sl, &ps->target) : -1;
}

static void set_state(struct pset *ps, enum pset_state st)
{
	if (ps->state == st)
		return;
	log_debug("proxy set %s: %s -> %s", ps->p.host,
		  pset_state_name(ps->state), pset_state_name(st));
	ps->state = st;
}

/* Send every line to entry @idx. */
void pset_move_to(struct pset *ps, int idx, enum pset_move kind,
		  const char *reason)
{
	const struct sl_entry *e = sl_get(&ps->sl, idx);

	if (!e)
		return;
	if (ps->has_target && kind != MOVE_NETWORK &&
	    !pset_same_server(&ps->target, &e->srv)) {
		ps->has_prev = true;
		ps->prev = ps->target;
	}
	ps->has_target = true;
	ps->target = e->srv;
	ps->move = kind;
	ps->move_done = false;
	ps->move_ms = now(ps);
	snprintf(ps->move_reason, sizeof(ps->move_reason), "%s", reason);
	pset_watch_stop(ps);
	/* During failback the lines stay registered at the old server. */
	if (kind != MOVE_FAILBACK && kind != MOVE_NETWORK)
		set_state(ps, PSET_REGISTERING);
	pset_lines_register(ps);
}

static void wait_fired(void *arg)
{
	begin_resolve(arg);
}

/* Every server of the round failed (or none is known): wait, resolve. */
static void enter_backoff(struct pset *ps, const char *why)
{
	uint64_t wait_ms;

	pset_watch_stop(ps);
	loop_timer_cancel(ps->loop, &ps->dns_timer);
	ps->consecutive_failures++;
	wait_ms = policy_backoff_ms(ps->p.failed_base_s, ps->p.failed_max_s,
				    ps->consecutive_failures,
				    policy_random());
	snprintf(ps->last_error, sizeof(ps->last_error), "%s", why);
	ps->move = MOVE_NONE;
	set_state(ps, PSET_BACKOFF);
	pset_event(ps, LOG_LVL_WARN, PSET_EV_BACKOFF, NULL, NULL, 0,
		   "%s; round %u failed, retrying in %llu s", why,
		   ps->consecutive_failures,
		   (unsigned long long)(wait_ms + 999) / 1000);
	loop_timer_start(ps->loop, &ps->wait_timer, wait_ms, wait_fired, ps);
}

static bool servers_differ(const struct serverlist *sl,
			   const struct dns_result *res)
{
	unsigned int i, n = res->n_servers;

	if (n > SL_MAX_SERVERS)
		n = SL_MAX_SERVERS;
	if (sl->n != n)
		return true;
	for (i = 0; i < n; i++) {
		if (!pset_same_server(&sl->e[i].srv, &res->servers[i]))
			return true;
	}
	return false;
}

static void dns_timer_fired(void *arg);
static void dns_retry_later(struct pset *ps, uint32_t s);

/* A usable DNS answer: the list, steering's endpoints, the TTL timer. */
static void take_servers(struct pset *ps, const struct dns_result *res)
{
	uint64_t ttl_s = res->ttl_s;
	bool changed = servers_differ(&ps->sl, res);

	sl_set(&ps->sl, res->servers, res->n_servers);
	if (changed) {
		pset_event(ps, LOG_LVL_INFO, PSET_EV_DNS, NULL, NULL, 0,
			   "%u server(s)%s", ps->sl.n,
			   res->status == DNS_STALE ?
			   ", last good answer (DNS unreachable)" : "");
		pset_steer_servers(ps, res->servers, ps->sl.n);
	}
	loop_timer_cancel(ps->loop, &ps->dns_timer);
	if (res->ttl_s == DNS_TTL_FOREVER)
		return;
	if (ttl_s < PSET_DNS_MIN_S)
		ttl_s = PSET_DNS_MIN_S;
	loop_timer_start(ps->loop, &ps->dns_timer, ttl_s * 1000,
			 dns_timer_fired, ps);
}

/* Same address and port, whatever else the sockaddr carries. */
static bool same_addr(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6 *a6 = (const void *)a;
	const struct sockaddr_in6 *b6 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		       a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return a6->sin6_port == b6->sin6_port &&
		       !memcmp(&a6->sin6_addr, &b6->sin6_addr,
			       sizeof(a6->sin6_addr));
	return false;
}

/* The server the steering target an earlier daemon left names, or -1. */
static int adopted_idx(struct pset *ps)
{
	unsigned int i;

	if (!ps->adopt_pending)
		return -1;
	ps->adopt_pending = false;
	for (i = 0; i < ps->sl.n; i++) {
		if (same_addr(&ps->sl.e[i].srv.addr, &ps->adopt))
			return (int)i;
	}
	return -1;
}

static void on_dns_round(void *arg, const struct dns_result *res)
{
	struct pset *ps = arg;
	int idx;

	if (ps->state != PSET_RESOLVING)
		return;
	if (!res->n_servers) {
		enter_backoff(ps, res->status == DNS_NOT_FOUND ?
			      "no SIP server in DNS" :
			      "DNS failed, no earlier answer");
		return;
	}
	take_servers(ps, res);
	idx = adopted_idx(ps);
	if (idx >= 0) {
		char addr[64];

		pset_fmt_server(&ps->sl.e[idx].srv, addr, sizeof(addr));
		log_info("proxy set %s: steering already points at %s; "
			 "trying it first", ps->p.host, addr);
		sl_start_at(&ps->sl, idx);
	} else {
		idx = sl_first(&ps->sl, now(ps));
	}
	if (idx < 0) {
		enter_backoff(ps, "every server asked us to wait "
			      "(Retry-After)");
		return;
	}
	ps->has_prev = false;
	pset_move_to(ps, idx, MOVE_FIRST, ps->consecutive_failures ?
		"retry after backoff" : "start");
}

static void begin_resolve(struct pset *ps)
{
	int err;

	set_state(ps, PSET_RESOLVING);
	resolver_cancel(ps->resolver, ps);
	ps->dns_refreshing = false;
	err = resolver_resolve(ps->resolver, ps->p.host, ps->p.port,
			       ps->p.proto, on_dns_round, ps);
	if (err) {
		char why[128];

		snprintf(why, sizeof(why), "cannot resolve: %s",
			 strerror(-err));
		enter_backoff(ps, why);
	}
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
		dns_retry_later(ps, PSET_DNS_MIN_S);
		return;
	}
	if (!res->n_servers) {
		log_warn("proxy set %s: %s; keeping the server in use",
			 ps->p.host, res->status == DNS_NOT_FOUND ?
			 "DNS lists no SIP server any more" :
			 "DNS failed");
		dns_retry_later(ps, DNS_STALE_RETRY_S);
		return;
	}
	take_servers(ps, res);
	if (sl_keep(&ps->sl, &cur) >= 0) {
		pset_watch_start(ps);
		return;
	}
	idx = sl_first(&ps->sl, now(ps));
	if (idx < 0) {
		enter_backoff(ps, "DNS dropped the server in use, the others "
			      "ask us to wait");
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
			dns_retry_later(ps, PSET_DNS_MIN_S);
		return;
	}
	ps->dns_refreshing = true;
	if (resolver_resolve(ps->resolver, ps->p.host, ps->p.port,
			     ps->p.proto, on_dns_refresh, ps)) {
		ps->dns_refreshing = false;
		dns_retry_later(ps, DNS_STALE_RETRY_S);
	}
}

static void dns_retry_later(struct pset *ps, uint32_t s)
{
	loop_timer_start(ps->loop, &ps->dns_timer, (uint64_t)s * 1000,
			 dns_timer_fired, ps);
}

/* The first line is registered at the target: the move is complete. */
static void move_done(struct pset *ps, unsigned int line,
		      const struct reg_result *r)
{
	uint32_t elapsed = (uint32_t)(now(ps) - ps->move_ms);
	char reason[96];

	snprintf(reason, sizeof(reason), "%s", ps->move_reason);
	ps->move_done = true;
	ps->consecutive_failures = 0;
	ps->last_error[0] = '\0';
	sl_report(&ps->sl, pset_target_idx(ps), SL_RES_OK, r->code, 0, now(ps));
	set_state(ps, PSET_ACTIVE);
	if (ps->move != MOVE_NETWORK)
		pset_event(ps, LOG_LVL_INFO, PSET_EV_REGISTERED,
			   ps->has_prev ? &ps->prev : NULL, &ps->target,
			   elapsed, "line %u registered (%s)", line,
			   reason);
	pset_steer_switch(ps);
	ps->move = MOVE_NONE;
	pset_watch_start(ps);
}

static void describe(char *buf, size_t size, const struct reg_result *r)
{
	if (r->res == SL_RES_503 && r->retry_after_s)
		snprintf(buf, size, "503 Retry-After %u", r->retry_after_s);
	else if (r->code)
		snprintf(buf, size, "%s %d", sl_result_name(r->res), r->code);
	else
		snprintf(buf, size, "%s", sl_result_name(r->res));
}

/* The target failed for a reason another server may not have. */
static void target_failed(struct pset *ps, const struct reg_result *r,
			  enum pset_event_kind kind)
{
	int idx = pset_target_idx(ps);
	uint32_t hold_s = 0;
	struct sip_server from = ps->target;
	char why[64];
	int next;

	describe(why, sizeof(why), r);
	if (r->res == SL_RES_503)
		hold_s = r->retry_after_s ? r->retry_after_s :
			 ps->p.hold_down_s;
	sl_report(&ps->sl, idx, r->res, r->code, hold_s, now(ps));
	snprintf(ps->last_error, sizeof(ps->last_error), "%s: %s", why,
		 r->detail);
	if (kind == PSET_EV_KEEPALIVE)
		pset_event(ps, LOG_LVL_WARN, PSET_EV_KEEPALIVE, &from, NULL,
			   r->elapsed_ms, "%s", why);

	/* A failback that never got a binding: back where the lines are. */
	if (ps->move == MOVE_FAILBACK && !ps->move_done && ps->has_prev) {
		int back = sl_find(&ps->sl, &ps->prev);

		if (back >= 0) {
			pset_event(ps, LOG_LVL_WARN, PSET_EV_FAILBACK, &from,
				   &ps->prev, r->elapsed_ms,
				   "abandoned: %s", why);
			sl_start_at(&ps->sl, back);
			ps->has_prev = false;
			pset_move_to(ps, back, MOVE_FAILOVER,
				     "failback abandoned");
			return;
		}
	}
	/*
	 * A server that held the bindings failed: a new round, from the top
	 * without it. A failure while registering goes on with the round.
	 */
	if (ps->move_done || ps->sl.cur != idx)
		sl_start_at(&ps->sl, idx);
	next = sl_next(&ps->sl, now(ps));
	if (next < 0) {
		char msg[128];

		snprintf(msg, sizeof(msg), "no server answered (last: %s)",
			 why);
		enter_backoff(ps, msg);
		return;
	}
	ps->failovers++;
	pset_event(ps, LOG_LVL_WARN, PSET_EV_FAILOVER, &from,
		   &ps->sl.e[next].srv, r->elapsed_ms, "%s", why);
	pset_move_to(ps, next, MOVE_FAILOVER, why);
}

void pset_line_result(struct pset_line *l, const struct reg_result *r)
{
	struct pset *ps = l->ps;
	bool at_target = ps->has_target && r->srv &&
			 pset_same_server(r->srv, &ps->target);

	if (r->keepalive) {
		if (r->res == SL_RES_OK) {
			log_debug("proxy set %s: keep-alive answered in %u ms",
				  ps->p.host, r->elapsed_ms);
			return;
		}
		if (at_target && ps->state == PSET_ACTIVE)
			target_failed(ps, r, PSET_EV_KEEPALIVE);
		return;
	}
	if (r->res == SL_RES_OK) {
		if (!at_target)
			return;
		if (!ps->move_done && ps->state != PSET_BACKOFF &&
		    ps->state != PSET_RESOLVING)
			move_done(ps, l->index, r);
		/* Make before break: the old binding goes now. */
		if (!r->refresh)
			reg_drop_previous(l->reg);
		return;
	}
	if (!at_target || ps->state == PSET_BACKOFF ||
	    ps->state == PSET_RESOLVING) {
		log_debug("line %u: %s at a server no longer in use",
			  l->index, sl_result_name(r->res));
		return;
	}
	target_failed(ps, r, PSET_EV_FAILOVER);
}

/* --------------------------------------------------------- lifecycle */

static char *dup_opt(const char *s, int *err)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*err = -ENOMEM;
	return d;
}

static void params_free(struct pset_params *p)
{
	free((char *)p->host);
	free((char *)p->domain);
	free((char *)p->tls_ca_file);
	free((char *)p->tls_cert_file);
	free((char *)p->tls_key_file);
	free((char *)p->user_agent);
}

/* The policy fields of @s into @d, with defaults for what is 0. */
static void take_policy(struct pset_params *d, const struct pset_params *s)
{
	d->failed_base_s = s->failed_base_s ? s->failed_base_s : 30;
	d->failed_max_s = s->failed_max_s < d->failed_base_s ?
			  d->failed_base_s : s->failed_max_s;
	d->startup_delay_max_ms = s->startup_delay_max_ms;
	d->symmetric = s->symmetric;
	d->failback_retry_s = s->failback_retry_s ? s->failback_retry_s : 60;
	d->failback_probes = s->failback_probes ? s->failback_probes : 1;
	d->hold_down_s = s->hold_down_s;
	d->ka_interval_s = s->ka_interval_s;
}

static int params_copy(struct pset_params *d, const struct pset_params *s)
{
	int err = 0;

	*d = *s;
	d->host = dup_opt(s->host, &err);
	d->domain = dup_opt(s->domain, &err);
	d->tls_ca_file = dup_opt(s->tls_ca_file, &err);
	d->tls_cert_file = dup_opt(s->tls_cert_file, &err);
	d->tls_key_file = dup_opt(s->tls_key_file, &err);
	d->user_agent = dup_opt(s->user_agent, &err);
	take_policy(d, s);
	if (err)
		params_free(d);
	return err;
}

int pset_new(struct loop *loop, struct resolver *resolver,
	     struct steer *steer, const struct pset_params *params,
	     const struct pset_handlers *h, void *arg, struct pset **out)
{
	struct pset *ps;
	int err;

	if (!loop || !resolver || !params || !params->host ||
	    !params->host[0] || !params->domain)
		return -EINVAL;
	ps = calloc(1, sizeof(*ps));
	if (!ps)
		return -ENOMEM;
	err = params_copy(&ps->p, params);
	if (err) {
		free(ps);
		return err;
	}
	ps->loop = loop;
	ps->resolver = resolver;
	ps->steer = steer;
	if (h)
		ps->h = *h;
	ps->arg = arg;
	sl_init(&ps->sl);
	*out = ps;
	return 0;
}

void pset_set_policy(struct pset *ps, const struct pset_params *params)
{
	take_policy(&ps->p, params);
	if (ps->state == PSET_ACTIVE) {
		pset_watch_stop(ps);
		pset_watch_start(ps);
	}
}

int pset_start(struct pset *ps)
{
	uint64_t delay;

	if (ps->started)
		return -EALREADY;
	ps->started = true;
	ps->adopt_pending = pset_steer_adopted(ps, &ps->adopt);
	delay = policy_startup_ms(ps->p.startup_delay_max_ms,
				  policy_random());
	set_state(ps, PSET_STARTING);
	if (delay)
		log_info("proxy set %s: starting in %llu ms", ps->p.host,
			 (unsigned long long)delay);
	loop_timer_start(ps->loop, &ps->wait_timer, delay, wait_fired, ps);
	return 0;
}

void pset_network_changed(struct pset *ps, const char *why)
{
	int idx = pset_target_idx(ps);

	pset_event(ps, LOG_LVL_INFO, PSET_EV_NETWORK, NULL,
		   ps->has_target ? &ps->target : NULL, 0, "%s", why);
	switch (ps->state) {
	case PSET_ACTIVE:
	case PSET_REGISTERING:
		if (idx >= 0) {
			pset_move_to(ps, idx, MOVE_NETWORK, "network change");
			break;
		}
		/* fall through */
	case PSET_BACKOFF:
		loop_timer_cancel(ps->loop, &ps->wait_timer);
		begin_resolve(ps);
		break;
	default:
		break;
	}
}

void pset_free(struct pset *ps)
{
	unsigned int i;

	if (!ps)
		return;
	pset_watch_stop(ps);
	loop_timer_cancel(ps->loop, &ps->wait_timer);
	loop_timer_cancel(ps->loop, &ps->dns_timer);
	resolver_cancel(ps->resolver, ps);
	for (i = 0; i < PSET_MAX_LINES; i++) {
		if (ps->lines[i].used)
			pset_line_free(&ps->lines[i]);
	}
	params_free(&ps->p);
	free(ps);
}
