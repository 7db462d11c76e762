// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrent mode (redundant_proxy/mode=concurrent): besides the target,
 * every line keeps a binding at the next best servers, the standbys, one
 * slot each. A slot is filled once the lines stand at the target, after
 * its own start-up jitter (a fleet does not stampede the secondary);
 * its bindings are refreshed and kept alive like the target's. When the
 * target fails, a ready slot becomes the target: the line clients swap
 * roles, steering switches at once, and no REGISTER is on the way; the
 * failed server's slot is then given to the next server that answers,
 * with RFC 5626 backoff per slot. A standby that fails is replaced the
 * same way without touching the target. A failback registers the better
 * server as a standby first (unless it is one) and swaps once it holds
 * every binding; the old target stays a standby, so its calls go on.
 *
 * A line has one client per slot, all sharing its reg-id table: its
 * bindings differ at every server, also in a shared location database.
 */
#include <stdio.h>
#include <string.h>

#include "core/rand.h"
#include "failover/policy.h"
#include "failover/pset_int.h"
#include "reg/reg.h"

unsigned int pset_standby_slots(const struct pset *ps)
{
	uint32_t n = ps->p.standing ? ps->p.standing - 1 : 0;

	return n > PSET_MAX_STANDBY ? PSET_MAX_STANDBY : n;
}

static bool line_in_play(const struct pset_line *l)
{
	return l->used && !l->stopping && !l->own_wait;
}

int pset_standby_slot_of(const struct pset_line *l, const struct reg *reg)
{
	unsigned int k;

	for (k = 0; k < PSET_MAX_STANDBY; k++) {
		if (l->sb[k] && l->sb[k] == reg)
			return (int)k;
	}
	return -1;
}

/* Is @srv's host the target's or a used slot's? */
static bool standing(const struct pset *ps, const struct sip_server *srv)
{
	unsigned int k;

	if (ps->has_target && sl_same_host(&ps->target, srv))
		return true;
	for (k = 0; k < PSET_MAX_STANDBY; k++) {
		if (ps->slots[k].used && sl_same_host(&ps->slots[k].srv, srv))
			return true;
	}
	return false;
}

/*
 * Every line bound at the target, or told to register at slot @k, holds
 * a binding there. (A line whose REGISTER at the target just failed is
 * no longer bound there, but its standby binding counts.)
 */
static bool slot_ready(const struct pset *ps, unsigned int k)
{
	unsigned int i, n = 0;

	if (!ps->slots[k].used)
		return false;
	for (i = 0; i < PSET_MAX_LINES; i++) {
		const struct pset_line *l = &ps->lines[i];

		if (!line_in_play(l) || (!l->registered && !l->sb_sent[k]))
			continue;
		if (!l->sb_registered[k])
			return false;
		n++;
	}
	return n > 0;
}

/* Tell line @l's client of slot @k to register at the slot's server. */
static void line_send(struct pset_line *l, unsigned int k)
{
	struct pset_slot *s = &l->ps->slots[k];
	char addr[64];
	int err;

	if (!l->sb[k] || !line_in_play(l))
		return;
	l->sb_sent[k] = true;
	l->sb_registered[k] = false;
	err = reg_register_at(l->sb[k], &s->srv);
	if (!err)
		return;
	l->sb_sent[k] = false;
	pset_fmt_server(&s->srv, addr, sizeof(addr));
	log_warn("line %u: cannot register at standby %s: %s", l->index,
		 addr, strerror(-err));
}

static void slot_send(struct pset *ps, unsigned int k)
{
	unsigned int i;

	for (i = 0; i < PSET_MAX_LINES; i++) {
		if (ps->lines[i].registered)
			line_send(&ps->lines[i], k);
	}
}

/* Leave slot @k's server: its bindings are un-registered. */
static void slot_release(struct pset *ps, unsigned int k)
{
	struct pset_slot *s = &ps->slots[k];
	unsigned int i;

	loop_timer_cancel(ps->loop, &s->timer);
	for (i = 0; i < PSET_MAX_LINES; i++) {
		struct pset_line *l = &ps->lines[i];

		if (!l->used || !l->sb[k])
			continue;
		if (s->used && !l->stopping)
			reg_release(l->sb[k]);
		l->sb_sent[k] = false;
		l->sb_registered[k] = false;
	}
	s->used = false;
	s->ready = false;
	s->promote = false;
}

static void fill_slot(struct pset *ps, unsigned int k, bool allow_dead);

static void slot_timer_fired(void *arg)
{
	struct pset_slot *s = arg;
	struct pset *ps = s->ps;
	unsigned int k = (unsigned int)(s - ps->slots);

	if (s->used) {
		/* The start-up jitter is over: register there. */
		slot_send(ps, k);
		return;
	}
	fill_slot(ps, k, true);
}

/* Try again later: RFC 5626 backoff on the slot's failures. */
static void slot_later(struct pset *ps, unsigned int k)
{
	struct pset_slot *s = &ps->slots[k];
	uint64_t ms = s->failures ?
		      policy_backoff_ms(ps->p.failed_base_s,
					ps->p.failed_max_s, s->failures,
					rand_u32()) :
		      (uint64_t)ps->p.failback_retry_s * 1000;

	loop_timer_start(ps->loop, &s->timer, ms, slot_timer_fired, s);
}

/*
 * The best server not standing yet, in RFC 3263 order: one that did not
 * answer last time only when @allow_dead (the slot's backoff is over).
 */
static int candidate(const struct pset *ps, bool allow_dead)
{
	uint64_t now = loop_now_ms(ps->loop);
	unsigned int i;

	for (i = 0; i < ps->sl.n; i++) {
		const struct sl_entry *e = &ps->sl.e[i];

		if (standing(ps, &e->srv) || e->retry_after_ms > now ||
		    (e->dead && !allow_dead))
			continue;
		if (e->last == SL_RES_AUTH || e->last == SL_RES_REJECTED ||
		    e->last == SL_RES_503) {
			if (sl_held_down(&ps->sl, (int)i,
					 (uint64_t)ps->p.hold_down_s * 1000,
					 now))
				continue;
		}
		return (int)i;
	}
	return -1;
}

static void fill_slot(struct pset *ps, unsigned int k, bool allow_dead)
{
	struct pset_slot *s = &ps->slots[k];
	uint64_t delay;
	int idx;

	if (s->used || ps->state != PSET_ACTIVE)
		return;
	idx = candidate(ps, allow_dead);
	if (idx < 0) {
		slot_later(ps, k);
		return;
	}
	s->used = true;
	s->ready = false;
	s->srv = ps->sl.e[idx].srv;
	delay = policy_startup_ms(ps->p.startup_delay_max_ms, rand_u32());
	log_info("proxy set %s: standby %u at %s in %llu ms", ps->p.host,
		 k + 1, ps->sl.e[idx].srv.target,
		 (unsigned long long)delay);
	loop_timer_start(ps->loop, &s->timer, delay, slot_timer_fired, s);
}

void pset_standby_fill(struct pset *ps)
{
	unsigned int k, n = pset_standby_slots(ps);

	if (!n)
		return;
	if (ps->sl.n < 2) {
		if (!ps->warned_one_server)
			log_warn("proxy set %s: concurrent mode with one "
				 "server: working as failover", ps->p.host);
		ps->warned_one_server = true;
		return;
	}
	ps->warned_one_server = false;
	for (k = 0; k < n; k++) {
		if (!ps->slots[k].used && !loop_timer_pending(&ps->slots[k].timer))
			fill_slot(ps, k, false);
	}
}

/* The first ready slot in RFC 3263 order, -1: none. */
static int best_ready(const struct pset *ps)
{
	int best = -1, best_idx = -1;
	unsigned int k;

	for (k = 0; k < PSET_MAX_STANDBY; k++) {
		int idx;

		if (!ps->slots[k].ready || !slot_ready(ps, k))
			continue;
		idx = sl_find(&ps->sl, &ps->slots[k].srv);
		if (idx < 0 || ps->sl.e[idx].dead)
			continue;
		if (best < 0 || idx < best_idx) {
			best = (int)k;
			best_idx = idx;
		}
	}
	return best;
}

/* Line @l's active client becomes slot @k's and the slot's the active. */
static void swap_clients(struct pset_line *l, unsigned int k)
{
	struct reg *r = l->reg;

	l->reg = l->sb[k];
	l->sb[k] = r;
}

/*
 * Slot @k's server becomes the target and the target the slot's: every
 * line's two clients swap roles. Steering follows at once.
 */
static void swap_with(struct pset *ps, unsigned int k)
{
	struct pset_slot *s = &ps->slots[k];
	struct sip_server old = ps->target;
	unsigned int i;

	for (i = 0; i < PSET_MAX_LINES; i++) {
		struct pset_line *l = &ps->lines[i];
		bool was;

		if (!l->used || !l->sb[k])
			continue;
		swap_clients(l, k);
		was = l->registered && sl_same_server(&l->bound, &old);
		l->registered = l->sb_registered[k];
		l->bound = s->srv;
		l->sb_registered[k] = was;
		l->sb_sent[k] = was;
	}
	ps->has_prev = true;
	ps->prev = old;
	ps->target = s->srv;
	s->srv = old;
	s->promote = false;
	sl_start_at(&ps->sl, sl_find(&ps->sl, &ps->target));
	ps->move = MOVE_NONE;
	ps->move_done = true;
	ps->consecutive_failures = 0;
	ps->has_steer_at = true;
	ps->steer_at = ps->target;
	pset_steer_sync(ps);
	s->ready = slot_ready(ps, k);
	pset_watch_stop(ps);
	pset_watch_start(ps);
	/* A line that had no binding at the new target registers now. */
	pset_lines_register_missing(ps);
}

bool pset_standby_failover(struct pset *ps, const char *why,
			   uint32_t elapsed_ms)
{
	struct sip_server from = ps->target;
	int k;

	if (!pset_standby_slots(ps) || ps->state != PSET_ACTIVE ||
	    !ps->move_done)
		return false;
	k = best_ready(ps);
	if (k < 0)
		return false;
	ps->failovers++;
	pset_event(ps, LOG_LVL_WARN, PSET_EV_FAILOVER, &from,
		   &ps->slots[k].srv, elapsed_ms, "%s; to the standby, no "
		   "REGISTER", why);
	swap_with(ps, (unsigned int)k);
	/* The failed server's slot goes to the next one that answers. */
	slot_release(ps, (unsigned int)k);
	ps->slots[k].failures++;
	fill_slot(ps, (unsigned int)k, false);
	return true;
}

/* Slot @k is ready and a failback waits for it: return now. */
static void promote(struct pset *ps, unsigned int k)
{
	struct sip_server from = ps->target;

	ps->failbacks++;
	pset_event(ps, LOG_LVL_INFO, PSET_EV_FAILBACK, &from,
		   &ps->slots[k].srv, 0, "to the standby, no REGISTER");
	swap_with(ps, k);
}

bool pset_standby_failback(struct pset *ps, int idx, unsigned int answers)
{
	const struct sip_server *to = &ps->sl.e[idx].srv;
	unsigned int k, n = pset_standby_slots(ps);
	int worst = -1, worst_idx = -1;

	if (!n || ps->sl.n < 2)
		return false;
	/* A ready standby as good as @to, or better: return to it. */
	worst = best_ready(ps);
	if (worst >= 0 && sl_find(&ps->sl, &ps->slots[worst].srv) <= idx) {
		promote(ps, (unsigned int)worst);
		return true;
	}
	worst = -1;
	for (k = 0; k < n; k++) {
		struct pset_slot *s = &ps->slots[k];
		int si;

		if (s->used && sl_same_server(&s->srv, to)) {
			if (s->ready && slot_ready(ps, k)) {
				promote(ps, k);
			} else {
				s->promote = true;
				pset_watch_start(ps);
			}
			return true;
		}
		/* A free slot, else the one at the worst server. */
		si = s->used ? sl_find(&ps->sl, &s->srv) : SL_MAX_SERVERS;
		if (si < 0)
			si = SL_MAX_SERVERS;
		if (si > worst_idx) {
			worst = (int)k;
			worst_idx = si;
		}
	}
	/* Every slot stands at a better server: those come first. */
	if (worst_idx <= idx)
		return true;
	pset_event(ps, LOG_LVL_INFO, PSET_EV_STANDBY, NULL, to, 0,
		   "%u probe(s) answered in a row: registering as a standby "
		   "before the failback", answers);
	k = (unsigned int)worst;
	/* The slot's old bindings go once the new ones stand. */
	loop_timer_cancel(ps->loop, &ps->slots[k].timer);
	ps->slots[k].used = true;
	ps->slots[k].ready = false;
	ps->slots[k].promote = true;
	ps->slots[k].srv = *to;
	slot_send(ps, k);
	pset_watch_start(ps);
	return true;
}

void pset_standby_yield_target(struct pset *ps)
{
	unsigned int k, i;

	for (k = 0; k < PSET_MAX_STANDBY; k++) {
		struct pset_slot *s = &ps->slots[k];

		if (!s->used || !ps->has_target ||
		    !sl_same_server(&s->srv, &ps->target))
			continue;
		for (i = 0; i < PSET_MAX_LINES; i++) {
			struct pset_line *l = &ps->lines[i];

			if (!l->used || !l->sb[k])
				continue;
			/* Its binding there is the line's now. */
			swap_clients(l, k);
			l->sb_sent[k] = false;
			l->sb_registered[k] = false;
		}
		slot_release(ps, k);
	}
}

void pset_standby_release_all(struct pset *ps)
{
	unsigned int k;

	for (k = 0; k < PSET_MAX_STANDBY; k++)
		slot_release(ps, k);
}

void pset_standby_check_dns(struct pset *ps)
{
	unsigned int k;

	for (k = 0; k < PSET_MAX_STANDBY; k++) {
		if (ps->slots[k].used &&
		    sl_find(&ps->sl, &ps->slots[k].srv) < 0) {
			slot_release(ps, k);
			fill_slot(ps, k, false);
		}
	}
	pset_standby_fill(ps);
}

void pset_standby_network(struct pset *ps)
{
	unsigned int k;

	for (k = 0; k < PSET_MAX_STANDBY; k++) {
		if (ps->slots[k].used &&
		    !loop_timer_pending(&ps->slots[k].timer))
			slot_send(ps, k);
	}
}

void pset_standby_keepalive(struct pset *ps)
{
	unsigned int k, i;

	for (k = 0; k < PSET_MAX_STANDBY; k++) {
		if (!ps->slots[k].used)
			continue;
		for (i = 0; i < PSET_MAX_LINES; i++) {
			struct pset_line *l = &ps->lines[i];

			if (line_in_play(l) && l->sb_registered[k] &&
			    reg_keepalive(l->sb[k]) == 0)
				break;
		}
	}
}

/* Slot @k's server failed: leave it, take the next that answers. */
static void slot_failed(struct pset *ps, unsigned int k,
			const struct reg_result *r)
{
	struct pset_slot *s = &ps->slots[k];
	struct sip_server lost = s->srv;
	int idx = sl_find(&ps->sl, &lost);
	char why[64];

	if (r->res == SL_RES_503 && r->retry_after_s)
		snprintf(why, sizeof(why), "503 Retry-After %u",
			 r->retry_after_s);
	else
		snprintf(why, sizeof(why), "%s", sl_result_name(r->res));
	if (idx >= 0)
		sl_report(&ps->sl, idx, r->res, r->code,
			  r->res != SL_RES_503 ? 0 : r->retry_after_s ?
			  r->retry_after_s : ps->p.hold_down_s,
			  loop_now_ms(ps->loop));
	pset_steer_sync(ps);
	pset_event(ps, LOG_LVL_WARN, PSET_EV_STANDBY, &lost, NULL,
		   r->elapsed_ms, "standby lost: %s%s", why,
		   r->keepalive ? " (keep-alive)" : r->refresh ?
		   " (refresh)" : "");
	slot_release(ps, k);
	s->failures++;
	fill_slot(ps, k, false);
}

void pset_standby_result(struct pset_line *l, unsigned int k,
			 const struct reg_result *r)
{
	struct pset *ps = l->ps;
	struct pset_slot *s = &ps->slots[k];

	if (l->stopping || !s->used || !r->srv ||
	    !sl_same_server(r->srv, &s->srv))
		return;
	if (r->res == SL_RES_OK) {
		if (r->keepalive)
			return;
		l->sb_registered[k] = true;
		if (!r->refresh)
			reg_drop_previous(l->sb[k]);
		if (s->ready || !slot_ready(ps, k))
			return;
		s->ready = true;
		s->failures = 0;
		sl_report(&ps->sl, sl_find(&ps->sl, &s->srv), SL_RES_OK,
			  r->code, 0, loop_now_ms(ps->loop));
		pset_steer_sync(ps);
		pset_event(ps, LOG_LVL_INFO, PSET_EV_STANDBY, NULL, &s->srv,
			   0, "standby %u ready: every line holds a binding",
			   k + 1);
		if (s->promote && ps->state == PSET_ACTIVE)
			promote(ps, k);
		return;
	}
	l->sb_registered[k] = false;
	if (!policy_fails_over(r->res, r->code)) {
		/* This line's own business (credentials): the others stay. */
		log_warn("line %u: standby %s: %s", l->index,
			 sl_result_name(r->res), r->detail);
		return;
	}
	slot_failed(ps, k, r);
}

void pset_standby_line_join(struct pset_line *l)
{
	unsigned int k;

	for (k = 0; k < pset_standby_slots(l->ps); k++) {
		if (l->ps->slots[k].used && !l->sb_sent[k] &&
		    !loop_timer_pending(&l->ps->slots[k].timer))
			line_send(l, k);
	}
}

void pset_standby_free(struct pset *ps)
{
	unsigned int k;

	for (k = 0; k < PSET_MAX_STANDBY; k++)
		loop_timer_cancel(ps->loop, &ps->slots[k].timer);
}
