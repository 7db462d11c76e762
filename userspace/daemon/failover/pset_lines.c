// SPDX-License-Identifier: GPL-2.0
/*
 * The proxy set's lines: one registration client each, sent where the
 * set decides. A line whose credentials are refused retries on its own
 * with backoff and never moves the others.
 */
#include <errno.h>
#include <string.h>

#include "core/rand.h"
#include "failover/policy.h"
#include "failover/pset_int.h"
#include "reg/reg.h"

struct pset_line *pset_line_find(const struct pset *ps, unsigned int line)
{
	unsigned int i;

	for (i = 0; i < PSET_MAX_LINES; i++) {
		if (ps->lines[i].used && ps->lines[i].index == line)
			return (struct pset_line *)&ps->lines[i];
	}
	return NULL;
}

unsigned int pset_lines(const struct pset *ps)
{
	unsigned int i, n = 0;

	for (i = 0; i < PSET_MAX_LINES; i++)
		n += ps->lines[i].used;
	return n;
}

bool pset_has_line(const struct pset *ps, unsigned int line)
{
	return pset_line_find(ps, line) != NULL;
}

static bool line_active(const struct pset_line *l)
{
	return l->used && !l->stopping && !l->own_wait;
}

void pset_line_register(struct pset_line *l)
{
	struct pset *ps = l->ps;
	char addr[64];
	int err;

	if (!ps->has_target || !line_active(l))
		return;
	err = reg_register_at(l->reg, &ps->target);
	if (!err)
		return;
	pset_fmt_server(&ps->target, addr, sizeof(addr));
	log_warn("line %u: cannot register at %s: %s", l->index, addr,
		 strerror(-err));
}

int pset_lines_register(struct pset *ps)
{
	unsigned int i, n = 0;

	for (i = 0; i < PSET_MAX_LINES; i++) {
		if (!line_active(&ps->lines[i]))
			continue;
		pset_line_register(&ps->lines[i]);
		n++;
	}
	return (int)n;
}

void pset_lines_register_missing(struct pset *ps)
{
	unsigned int i;

	for (i = 0; i < PSET_MAX_LINES; i++) {
		struct pset_line *l = &ps->lines[i];

		if (line_active(l) && !(l->registered &&
					sl_same_server(&l->bound, &ps->target)))
			pset_line_register(l);
	}
}

bool pset_lines_may_succeed(const struct pset *ps)
{
	unsigned int i;

	for (i = 0; i < PSET_MAX_LINES; i++) {
		if (line_active(&ps->lines[i]))
			return true;
	}
	return false;
}

void pset_lines_forgive(struct pset *ps)
{
	unsigned int i;

	for (i = 0; i < PSET_MAX_LINES; i++) {
		struct pset_line *l = &ps->lines[i];

		if (!l->used || !l->own_wait)
			continue;
		l->own_wait = false;
		loop_timer_cancel(ps->loop, &l->retry_timer);
	}
}

static void line_retry_fired(void *arg)
{
	struct pset_line *l = arg;

	l->own_wait = false;
	if (l->ps->state == PSET_ACTIVE || l->ps->state == PSET_REGISTERING)
		pset_line_register(l);
}

/* Credentials or policy refused at a working server: this line only. */
static void line_refused(struct pset_line *l, const struct reg_result *r)
{
	struct pset *ps = l->ps;
	uint64_t wait_ms;

	l->registered = false;
	l->own_wait = true;
	l->own_failures++;
	wait_ms = policy_backoff_ms(ps->p.failed_base_s, ps->p.failed_max_s,
				    l->own_failures, rand_u32());
	log_warn("line %u: %s (%s); retrying this line in %llu s, the "
		 "others stay", l->index, r->detail, sl_result_name(r->res),
		 (unsigned long long)(wait_ms + 999) / 1000);
	loop_timer_start(ps->loop, &l->retry_timer, wait_ms,
			 line_retry_fired, l);
}

static void line_on_state(void *arg, struct reg *reg, enum reg_state state)
{
	struct pset_line *l = arg;

	(void)reg;
	log_debug("line %u: %s", l->index, reg_state_name(state));
}

static void line_on_result(void *arg, struct reg *reg,
			   const struct reg_result *r)
{
	struct pset_line *l = arg;
	int k = pset_standby_slot_of(l, reg);

	if (l->stopping)
		return;
	if (k >= 0) {
		pset_standby_result(l, (unsigned int)k, r);
		return;
	}
	if (r->res == SL_RES_OK && !r->keepalive) {
		l->registered = true;
		l->bound = *r->srv;
		l->own_failures = 0;
	} else if (r->res != SL_RES_OK && !r->keepalive &&
		   (!l->registered || sl_same_server(&l->bound, r->srv))) {
		l->registered = false;
	}
	if (!r->keepalive && !policy_fails_over(r->res, r->code) &&
	    (r->res == SL_RES_AUTH || r->res == SL_RES_REJECTED)) {
		line_refused(l, r);
		pset_line_refused(l, r);
		return;
	}
	pset_line_result(l, r);
}

static void line_stopped_fired(void *arg)
{
	struct pset_line *l = arg;
	struct pset *ps = l->ps;
	unsigned int index = l->index;

	pset_line_free(l);
	log_info("line %u: stopped", index);
	if (ps->h.on_line_stopped)
		ps->h.on_line_stopped(ps->arg, index);
}

/* The registration is done: free it from the loop, not from inside reg. */
static void line_on_stopped(void *arg, struct reg *reg)
{
	struct pset_line *l = arg;

	(void)reg;
	if (l->stops_pending && --l->stops_pending)
		return;
	loop_timer_start(l->ps->loop, &l->stopped_timer, 0,
			 line_stopped_fired, l);
}

int pset_line_add(struct pset *ps, const struct reg_params *rp)
{
	static const struct reg_handlers handlers = {
		.on_state = line_on_state,
		.on_result = line_on_result,
		.on_stopped = line_on_stopped,
	};
	struct pset_line *l = NULL;
	struct reg_params p;
	unsigned int i, k;
	int err;

	if (!rp)
		return -EINVAL;
	if (pset_line_find(ps, rp->line))
		return -EEXIST;
	for (i = 0; i < PSET_MAX_LINES && !l; i++) {
		if (!ps->lines[i].used)
			l = &ps->lines[i];
	}
	if (!l)
		return -ENOMEM;
	memset(l, 0, sizeof(*l));
	l->ps = ps;
	l->index = rp->line;
	p = *rp;
	p.flows = &l->flows;
	err = reg_new(ps->loop, &p, &handlers, l, &l->reg);
	for (k = 0; !err && k < pset_standby_slots(ps); k++)
		err = reg_new(ps->loop, &p, &handlers, l, &l->sb[k]);
	if (err) {
		pset_line_free(l);
		return err;
	}
	l->used = true;
	if (ps->state == PSET_REGISTERING || ps->state == PSET_ACTIVE)
		pset_line_register(l);
	return 0;
}

void pset_line_stop(struct pset *ps, unsigned int line)
{
	struct pset_line *l = pset_line_find(ps, line);
	unsigned int k;

	if (!l || l->stopping)
		return;
	l->stopping = true;
	loop_timer_cancel(ps->loop, &l->retry_timer);
	log_info("line %u: stopping", line);
	l->stops_pending = 1;
	for (k = 0; k < PSET_MAX_STANDBY; k++) {
		if (l->sb[k]) {
			l->stops_pending++;
			reg_stop(l->sb[k]);
		}
	}
	reg_stop(l->reg);
}

void pset_line_free(struct pset_line *l)
{
	struct loop *loop = l->ps->loop;
	unsigned int k;

	loop_timer_cancel(loop, &l->retry_timer);
	loop_timer_cancel(loop, &l->stopped_timer);
	reg_free(l->reg);
	for (k = 0; k < PSET_MAX_STANDBY; k++)
		reg_free(l->sb[k]);
	memset(l, 0, sizeof(*l));
}
