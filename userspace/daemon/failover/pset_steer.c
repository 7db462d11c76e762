// SPDX-License-Identifier: GPL-2.0
/*
 * The proxy set drives its steering service from its own state: the
 * servers that do not answer are steered (the endpoints) to the server
 * the lines are registered at (the targets: its address of each family,
 * so a process that uses the other family follows too). A server that
 * answers is never steered, whatever server the lines use: its dialogs
 * stay with it, and a failback moves new traffic only.
 *
 * A request the module refused is tried again (1 s, doubling to 30 s)
 * until the service matches the set: a transient failure must not leave
 * the phone's other processes steered to a server the lines left.
 * steer.c logs each request; the set keeps each change as an event for
 * the status.
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

/*
 * The address of the other family of the server @srv names (the same
 * SRV target or host, transport and port), if DNS gave one and it is not
 * dead itself.
 */
static const struct sip_server *sibling(const struct pset *ps,
					const struct sip_server *srv)
{
	unsigned int i;

	for (i = 0; i < ps->sl.n; i++) {
		const struct sl_entry *e = &ps->sl.e[i];

		if (e->srv.addr.ss_family != srv->addr.ss_family &&
		    !e->dead && sl_same_host(&e->srv, srv))
			return &e->srv;
	}
	return NULL;
}

void pset_steer_sync(struct pset *ps)
{
	struct sip_server dead[SL_MAX_SERVERS];
	struct sockaddr_storage targets[STEER_MAX_TARGETS];
	struct steer_status before, after;
	const struct sip_server *other;
	unsigned int i, n_dead = 0, n_targets = 0;
	uint64_t t0 = loop_now_ms(ps->loop);
	int err;

	/*
	 * Until a line is registered somewhere the set knows nothing the
	 * module should hear: what it holds (an earlier daemon's work, or
	 * nothing yet) stands.
	 */
	if (!ps->steer || !ps->has_steer_at)
		return;
	for (i = 0; i < ps->sl.n; i++) {
		if (ps->sl.e[i].dead)
			dead[n_dead++] = ps->sl.e[i].srv;
	}
	targets[n_targets++] = ps->steer_at.addr;
	other = sibling(ps, &ps->steer_at);
	if (other)
		targets[n_targets++] = other->addr;
	steer_status(ps->steer, &before);
	err = steer_apply(ps->steer, dead, n_dead, targets, n_targets);
	steer_status(ps->steer, &after);
	if (err) {
		if (!ps->steer_failed)
			pset_event_quiet(ps, PSET_EV_STEER, NULL,
					 &ps->steer_at, 0,
					 "steering failed: %s", strerror(-err));
		ps->steer_failed = true;
		retry_later(ps);
		return;
	}
	ps->steer_failed = false;
	if (after.generation == before.generation &&
	    after.switches == before.switches)
		return;
	pset_event_quiet(ps, PSET_EV_STEER, NULL, &ps->steer_at,
			 (uint32_t)(loop_now_ms(ps->loop) - t0),
			 "%u server(s) that do not answer steered to %s%s%s "
			 "(generation %u, %u connection(s) failed, %u us)",
			 after.n_steered, after.n_targets ? after.targets[0] :
			 "nowhere", after.n_targets > 1 ? " and " : "",
			 after.n_targets > 1 ? after.targets[1] : "",
			 after.generation,
			 after.sockets_killed - before.sockets_killed,
			 after.last_switch_us);
}

/* The service still differs from the set: ask the module again. */
static void retry_fired(void *arg)
{
	struct pset *ps = arg;

	pset_steer_sync(ps);
	if (!ps->steer_failed)
		ps->steer_retry_ms = 0;
}

void pset_steer_stop(struct pset *ps)
{
	loop_timer_cancel(ps->loop, &ps->steer_timer);
}

void pset_steer_adopt(struct pset *ps)
{
	struct sockaddr_storage targets[STEER_MAX_TARGETS];
	unsigned int n_targets, i;

	if (!ps->steer || steer_current(ps->steer, targets, &n_targets,
					ps->adopt_dead, &ps->n_adopt_dead))
		return;
	if (ps->adopt_pending || !n_targets)
		return;		/* the set this one replaces said where */
	for (i = 0; i < n_targets; i++)
		ps->adopt[i] = targets[i];
	ps->n_adopt = n_targets;
	ps->adopt_pending = true;
}
