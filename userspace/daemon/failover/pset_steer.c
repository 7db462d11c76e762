// SPDX-License-Identifier: GPL-2.0
/*
 * The proxy set drives its steering service: endpoints from every DNS
 * answer, the target on every change of server. A request the module
 * refused is tried again (1 s, doubling to 30 s) until the service
 * matches the set: a transient failure must not leave the phone's other
 * processes steered to a server the lines left. steer.c logs each
 * request; the set keeps the change as an event for the status.
 */
#include <string.h>

#include "failover/pset_int.h"
#include "steer/steer.h"

#define STEER_RETRY_MIN_MS	1000
#define STEER_RETRY_MAX_MS	30000

static void retry_fired(void *arg);

static void retry_later(struct pset *ps)
{
	uint64_t ms = ps->steer_retry_ms;

	if (loop_timer_pending(&ps->steer_timer))
		return;
	ms = !ms ? STEER_RETRY_MIN_MS : ms * 2 > STEER_RETRY_MAX_MS ?
	     STEER_RETRY_MAX_MS : ms * 2;
	ps->steer_retry_ms = (uint32_t)ms;
	loop_timer_start(ps->loop, &ps->steer_timer, ms, retry_fired, ps);
}

void pset_steer_servers(struct pset *ps)
{
	struct sip_server srv[SL_MAX_SERVERS];
	unsigned int i;
	int err;

	if (!ps->steer)
		return;
	for (i = 0; i < ps->sl.n; i++)
		srv[i] = ps->sl.e[i].srv;
	err = steer_set_servers(ps->steer, srv, ps->sl.n);
	if (!err) {
		ps->steer_eps_failed = false;
		return;
	}
	if (!ps->steer_eps_failed)
		pset_event_quiet(ps, PSET_EV_STEER, NULL, NULL, 0,
				 "cannot set the endpoints: %s",
				 strerror(-err));
	ps->steer_eps_failed = true;
	retry_later(ps);
}

static void reflush_fired(void *arg)
{
	struct pset *ps = arg;

	steer_reflush(ps->steer);
}

void pset_steer_switch(struct pset *ps)
{
	struct steer_status before, after;
	uint64_t t0 = loop_now_ms(ps->loop);
	int err;

	if (!ps->steer || !ps->has_target)
		return;
	steer_status(ps->steer, &before);
	err = steer_switch(ps->steer, &ps->target);
	steer_status(ps->steer, &after);
	if (err) {
		if (!ps->steer_switch_failed)
			pset_event_quiet(ps, PSET_EV_STEER, NULL, &ps->target,
					 0, "switch failed: %s",
					 strerror(-err));
		ps->steer_switch_failed = true;
		retry_later(ps);
		return;
	}
	ps->steer_switch_failed = false;
	if (after.switches == before.switches)
		return;
	loop_timer_start(ps->loop, &ps->reflush_timer, STEER_REFLUSH_MS,
			 reflush_fired, ps);
	pset_event_quiet(ps, PSET_EV_STEER,
			 before.target[0] && ps->has_prev ? &ps->prev : NULL,
			 &ps->target, (uint32_t)(loop_now_ms(ps->loop) - t0),
			 "target switched (generation %u, %u connection(s) "
			 "failed, %u us)", after.generation,
			 after.sockets_killed - before.sockets_killed,
			 after.last_switch_us);
}

/* The service still differs from the set: ask the module again. */
static void retry_fired(void *arg)
{
	struct pset *ps = arg;

	if (ps->steer_eps_failed)
		pset_steer_servers(ps);
	/* Only a finished move names the server the lines are at. */
	if (ps->steer_switch_failed && !ps->steer_eps_failed &&
	    ps->state == PSET_ACTIVE && ps->move == MOVE_NONE)
		pset_steer_switch(ps);
	if (ps->steer_eps_failed || ps->steer_switch_failed)
		retry_later(ps);
	else
		ps->steer_retry_ms = 0;
}

void pset_steer_stop(struct pset *ps)
{
	loop_timer_cancel(ps->loop, &ps->steer_timer);
	loop_timer_cancel(ps->loop, &ps->reflush_timer);
}

bool pset_steer_adopted(struct pset *ps, struct sockaddr_storage *out)
{
	return ps->steer && !steer_adopted_target(ps->steer, out);
}
