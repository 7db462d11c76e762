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

#include "core/rand.h"
#include "core/str.h"
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
	    !sl_same_server(&ps->target, &e->srv)) {
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
	if (kind != MOVE_NETWORK)
		pset_standby_yield_target(ps);
	pset_lines_register(ps);
	if (kind == MOVE_NETWORK)
		pset_standby_network(ps);
}

static void wait_fired(void *arg)
{
	begin_resolve(arg);
}

/* Every server of the round failed (or none is known): wait, resolve. */
void pset_enter_backoff(struct pset *ps, const char *why)
{
	uint64_t wait_ms;

	pset_watch_stop(ps);
	pset_standby_release_all(ps);
	loop_timer_cancel(ps->loop, &ps->dns_timer);
	ps->consecutive_failures++;
	wait_ms = policy_backoff_ms(ps->p.failed_base_s, ps->p.failed_max_s,
				    ps->consecutive_failures,
				    rand_u32());
	snprintf(ps->last_error, sizeof(ps->last_error), "%s", why);
	ps->move = MOVE_NONE;
	set_state(ps, PSET_BACKOFF);
	pset_event(ps, LOG_LVL_WARN, PSET_EV_BACKOFF, NULL, NULL, 0,
		   "%s; round %u failed, retrying in %llu s", why,
		   ps->consecutive_failures,
		   (unsigned long long)(wait_ms + 999) / 1000);
	loop_timer_start(ps->loop, &ps->wait_timer, wait_ms, wait_fired, ps);
}

/* The server in use before (steering's target, the old set's), or -1. */
static int adopted_idx(struct pset *ps)
{
	unsigned int i, j;

	if (!ps->adopt_pending)
		return -1;
	ps->adopt_pending = false;
	for (i = 0; i < ps->sl.n; i++) {
		for (j = 0; j < ps->n_adopt; j++) {
			if (tp_same_addr(&ps->sl.e[i].srv.addr, &ps->adopt[j]))
				return (int)i;
		}
	}
	return -1;
}

/*
 * The servers an earlier daemon found dead stay dead (and steered) until
 * they answer us: a restart must not send the phone's traffic back into
 * a dead server.
 */
static void adopt_dead(struct pset *ps)
{
	unsigned int i, j;

	for (i = 0; i < ps->n_adopt_dead; i++) {
		for (j = 0; j < ps->sl.n; j++) {
			if (tp_same_addr(&ps->sl.e[j].srv.addr,
					 &ps->adopt_dead[i]))
				sl_mark_dead(&ps->sl, (int)j, now(ps));
		}
	}
	ps->n_adopt_dead = 0;
}

static void on_dns_round(void *arg, const struct dns_result *res)
{
	struct pset *ps = arg;
	int idx;

	if (ps->state != PSET_RESOLVING)
		return;
	if (!res->n_servers) {
		pset_enter_backoff(ps, res->status == DNS_NOT_FOUND ?
			      "no SIP server in DNS" :
			      "DNS failed, no earlier answer");
		return;
	}
	pset_take_servers(ps, res);
	adopt_dead(ps);
	idx = adopted_idx(ps);
	if (idx >= 0) {
		char addr[64];

		pset_fmt_server(&ps->sl.e[idx].srv, addr, sizeof(addr));
		log_info("proxy set %s: %s was in use; trying it first",
			 ps->p.host, addr);
		sl_start_at(&ps->sl, idx);
	} else {
		idx = sl_first(&ps->sl, now(ps));
	}
	if (idx < 0) {
		pset_enter_backoff(ps, "every server asked us to wait "
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
		pset_enter_backoff(ps, why);
	}
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
	ps->has_steer_at = true;
	ps->steer_at = ps->target;
	pset_steer_sync(ps);
	ps->move = MOVE_NONE;
	pset_watch_start(ps);
	pset_standby_fill(ps);
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

/*
 * A server that refused (every line, or 5xx) and that the set leaves for
 * another is neither registered at nor probed for the hold-down. Without
 * another server the backoff alone paces the retries.
 */
static void hold_refused(struct pset *ps, int idx, const struct reg_result *r)
{
	if (r->res == SL_RES_AUTH || r->res == SL_RES_REJECTED)
		sl_report(&ps->sl, idx, r->res, r->code, ps->p.hold_down_s,
			  now(ps));
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
	pset_steer_sync(ps);
	snprintf(ps->last_error, sizeof(ps->last_error), "%s: %s", why,
		 r->detail);
	if (kind == PSET_EV_KEEPALIVE)
		pset_event(ps, LOG_LVL_WARN, PSET_EV_KEEPALIVE, &from, NULL,
			   r->elapsed_ms, "%s", why);

	/* A failback that never got a binding: back where the lines are. */
	if (ps->move == MOVE_FAILBACK && !ps->move_done && ps->has_prev) {
		int back = sl_find(&ps->sl, &ps->prev);

		if (back >= 0) {
			hold_refused(ps, idx, r);
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
	/* Concurrent mode: a standby holds every binding already. */
	if (pset_standby_failover(ps, why, r->elapsed_ms))
		return;
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
		pset_enter_backoff(ps, msg);
		return;
	}
	hold_refused(ps, idx, r);
	ps->failovers++;
	pset_event(ps, LOG_LVL_WARN, PSET_EV_FAILOVER, &from,
		   &ps->sl.e[next].srv, r->elapsed_ms, "%s", why);
	pset_move_to(ps, next, MOVE_FAILOVER, why);
}

void pset_target_lost(struct pset *ps, const struct reg_result *r)
{
	target_failed(ps, r, PSET_EV_HINT);
}

/*
 * A REGISTER succeeded while every server was thought failed (an answer
 * that came late): that server works, the move ends there.
 */
static void late_success(struct pset_line *l, const struct reg_result *r)
{
	struct pset *ps = l->ps;
	int idx = sl_find(&ps->sl, r->srv);

	if (idx < 0)
		return;
	loop_timer_cancel(ps->loop, &ps->wait_timer);
	resolver_cancel(ps->resolver, ps);
	sl_start_at(&ps->sl, idx);
	if (!ps->has_target || !sl_same_server(&ps->target, r->srv)) {
		ps->has_target = true;
		ps->target = *r->srv;
		ps->move_ms = now(ps);
	}
	ps->has_prev = false;
	ps->move = MOVE_FIRST;
	snprintf(ps->move_reason, sizeof(ps->move_reason), "%s",
		 "late answer");
	move_done(ps, l->index, r);
	if (!r->refresh)
		reg_drop_previous(l->reg);
	pset_lines_register_missing(ps);
	pset_dns_later(ps, PSET_DNS_MIN_S);
}

void pset_line_result(struct pset_line *l, const struct reg_result *r)
{
	struct pset *ps = l->ps;
	bool at_target = ps->has_target && r->srv &&
			 sl_same_server(r->srv, &ps->target);

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
		if (r->srv && (ps->state == PSET_BACKOFF ||
			       ps->state == PSET_RESOLVING)) {
			late_success(l, r);
			return;
		}
		if (!at_target)
			return;
		if (!ps->move_done)
			move_done(ps, l->index, r);
		/* Make before break: the old binding goes now. */
		if (!r->refresh) {
			reg_drop_previous(l->reg);
			if (ps->state == PSET_ACTIVE)
				pset_standby_line_join(l);
		}
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

void pset_line_refused(struct pset_line *l, const struct reg_result *r)
{
	struct pset *ps = l->ps;

	if (!ps->has_target || !r->srv ||
	    !sl_same_server(r->srv, &ps->target) || ps->move_done ||
	    ps->move == MOVE_NONE || ps->state == PSET_BACKOFF ||
	    ps->state == PSET_RESOLVING || pset_lines_may_succeed(ps))
		return;
	/* Every line refused here: the server, not the lines, is wrong. */
	pset_lines_forgive(ps);
	target_failed(ps, r, PSET_EV_FAILOVER);
}

/* --------------------------------------------------------- lifecycle */

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
	d->passive = s->passive;
}

static int params_copy(struct pset_params *d, const struct pset_params *s)
{
	bool fail = false;

	*d = *s;
	d->host = str_dup_opt(s->host, &fail);
	d->domain = str_dup_opt(s->domain, &fail);
	d->tls_ca_file = str_dup_opt(s->tls_ca_file, &fail);
	d->tls_cert_file = str_dup_opt(s->tls_cert_file, &fail);
	d->tls_key_file = str_dup_opt(s->tls_key_file, &fail);
	d->user_agent = str_dup_opt(s->user_agent, &fail);
	take_policy(d, s);
	if (!fail)
		return 0;
	params_free(d);
	return -ENOMEM;
}

int pset_new(struct loop *loop, struct resolver *resolver,
	     struct steer *steer, const struct pset_params *params,
	     const struct pset_handlers *h, void *arg, struct pset **out)
{
	struct pset *ps;
	unsigned int i;
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
	ps->hints_fd = -1;
	for (i = 0; i < PSET_MAX_STANDBY; i++)
		ps->slots[i].ps = ps;
	sl_init(&ps->sl);
	pset_hints_start(ps);
	*out = ps;
	return 0;
}

void pset_set_policy(struct pset *ps, const struct pset_params *params)
{
	take_policy(&ps->p, params);
	if (ps->p.passive)
		pset_hints_start(ps);
	else
		pset_hints_stop(ps);
	if (ps->state == PSET_ACTIVE) {
		pset_watch_stop(ps);
		pset_watch_start(ps);
	}
}

void pset_adopt(struct pset *ps, const struct sockaddr_storage *addr)
{
	if (ps->started || !addr)
		return;
	ps->adopt[0] = *addr;
	ps->n_adopt = 1;
	ps->adopt_pending = true;
}

bool pset_target_addr(const struct pset *ps, struct sockaddr_storage *out)
{
	if (!ps->has_target)
		return false;
	*out = ps->target.addr;
	return true;
}

int pset_start(struct pset *ps)
{
	uint64_t delay;

	if (ps->started)
		return -EALREADY;
	ps->started = true;
	pset_steer_adopt(ps);
	delay = policy_startup_ms(ps->p.startup_delay_max_ms,
				  rand_u32());
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
		if (ps->move != MOVE_NONE && !ps->move_done && idx >= 0) {
			/* Keep the move (a failback keeps its undo): resend. */
			pset_lines_register(ps);
			break;
		}
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
	pset_hints_stop(ps);
	pset_steer_stop(ps);
	pset_standby_free(ps);
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
