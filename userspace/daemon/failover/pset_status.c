// SPDX-License-Identifier: GPL-2.0
/* The proxy set's state for the status socket, and each line's view. */
#include <stdio.h>
#include <string.h>

#include "failover/pset_int.h"
#include "reg/reg.h"

static uint32_t secs_left(const struct pset *ps, const struct loop_timer *t)
{
	uint64_t now = loop_now_ms(ps->loop);

	if (!loop_timer_pending(t))
		return 0;
	if (t->due_ms <= now)
		return 0;
	return (uint32_t)((t->due_ms - now + 999) / 1000);
}

static unsigned int fill_servers(const struct pset *ps,
				 struct reg_server_status *out, int in_use)
{
	uint64_t now = loop_now_ms(ps->loop);
	unsigned int i, n = ps->sl.n;

	if (n > REG_STATUS_MAX_SERVERS)
		n = REG_STATUS_MAX_SERVERS;
	for (i = 0; i < n; i++) {
		const struct sl_entry *e = &ps->sl.e[i];
		struct reg_server_status *s = &out[i];

		memset(s, 0, sizeof(*s));
		snprintf(s->target, sizeof(s->target), "%s", e->srv.target);
		pset_fmt_server(&e->srv, s->addr, sizeof(s->addr));
		s->proto = e->srv.proto;
		s->priority = e->srv.priority;
		s->weight = e->srv.weight;
		s->in_use = (int)i == in_use;
		s->last = e->last;
		s->last_code = e->last_code;
		s->last_age_s = e->last != SL_RES_NONE && now > e->last_ms ?
				(uint32_t)((now - e->last_ms) / 1000) : 0;
	}
	return n;
}

static int active_idx(const struct pset *ps)
{
	if (ps->state != PSET_ACTIVE || !ps->has_target)
		return -1;
	return sl_find(&ps->sl, &ps->target);
}

void pset_status(const struct pset *ps, struct pset_status *st)
{
	unsigned int i, k;

	memset(st, 0, sizeof(*st));
	st->state = ps->state;
	st->active = active_idx(ps);
	if (st->active >= 0)
		pset_fmt_server(&ps->target, st->active_addr,
				sizeof(st->active_addr));
	st->failovers = ps->failovers;
	st->failbacks = ps->failbacks;
	st->consecutive_failures = ps->consecutive_failures;
	st->next_try_s = secs_left(ps, &ps->wait_timer);
	if (!st->next_try_s)
		st->next_try_s = secs_left(ps, &ps->probe_timer);
	st->n_servers = fill_servers(ps, st->servers, st->active);
	for (i = 0; i < st->n_servers; i++)
		st->probe_ok[i] = ps->sl.e[i].probe_ok;
	/* Oldest first. */
	k = (ps->ev_next + PSET_EVENTS - ps->ev_count) % PSET_EVENTS;
	for (i = 0; i < ps->ev_count; i++)
		st->events[i] = ps->events[(k + i) % PSET_EVENTS];
	st->n_events = ps->ev_count;
}

/* The set's state where the line itself has nothing to do. */
static void set_view(const struct pset *ps, struct reg_status *st)
{
	switch (ps->state) {
	case PSET_STARTING:
	case PSET_RESOLVING:
		st->state = REG_RESOLVING;
		snprintf(st->text, sizeof(st->text), "%s",
			 ps->state == PSET_STARTING ?
			 "waiting for the start-up delay" :
			 "looking up the servers");
		break;
	case PSET_BACKOFF:
		st->state = REG_FAILED;
		snprintf(st->text, sizeof(st->text),
			 "every server failed; trying again in %u s",
			 secs_left(ps, &ps->wait_timer));
		if (!st->last_error[0])
			snprintf(st->last_error, sizeof(st->last_error), "%s",
				 ps->last_error);
		break;
	default:
		break;
	}
}

/* Every binding the line holds or is making: the active one first. */
static void fill_bindings(const struct pset *ps, const struct pset_line *l,
			  struct reg_status *st)
{
	struct reg_binding_status *b = st->bindings;
	struct reg_status sb;
	unsigned int k;

	if (!pset_standby_slots(ps) || !ps->has_target)
		return;
	pset_fmt_server(&ps->target, b->addr, sizeof(b->addr));
	b->active = true;
	b->state = st->state;
	b->expires_left_s = st->expires_left_s;
	b->reg_id = st->reg_id;
	st->n_bindings = 1;
	for (k = 0; k < PSET_MAX_STANDBY &&
	     st->n_bindings < REG_STATUS_MAX_BINDINGS; k++) {
		if (!ps->slots[k].used || !l->sb[k])
			continue;
		b = &st->bindings[st->n_bindings++];
		reg_status(l->sb[k], &sb);
		pset_fmt_server(&ps->slots[k].srv, b->addr, sizeof(b->addr));
		b->state = l->sb_sent[k] ? sb.state : REG_IDLE;
		b->expires_left_s = sb.expires_left_s;
		b->reg_id = sb.reg_id;
	}
}

bool pset_line_status(const struct pset *ps, unsigned int line,
		      struct reg_status *st)
{
	const struct pset_line *l = pset_line_find(ps, line);
	int in_use = -1;

	if (!l)
		return false;
	reg_status(l->reg, st);
	fill_bindings(ps, l, st);
	if (l->registered)
		in_use = sl_find(&ps->sl, &l->bound);
	st->server = in_use;
	st->n_servers = fill_servers(ps, st->servers, in_use);
	if (st->state == REG_IDLE || st->state == REG_FAILED ||
	    st->state == REG_RESOLVING) {
		if (!l->own_wait)
			set_view(ps, st);
	}
	return true;
}
