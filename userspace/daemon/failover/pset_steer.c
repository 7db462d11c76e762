// SPDX-License-Identifier: GPL-2.0
/*
 * The proxy set drives its steering service: endpoints from every DNS
 * answer, the target on every change of server. Each change is an event.
 */
#include <string.h>

#include "failover/pset_int.h"
#include "steer/steer.h"

void pset_steer_servers(struct pset *ps, const struct sip_server *srv,
			unsigned int n)
{
	int err;

	if (!ps->steer)
		return;
	err = steer_set_servers(ps->steer, srv, n);
	if (err)
		pset_event(ps, LOG_LVL_WARN, PSET_EV_STEER, NULL, NULL, 0,
			   "cannot set the endpoints: %s", strerror(-err));
}

void pset_steer_switch(struct pset *ps)
{
	struct steer_status before, after;
	uint64_t t0 = loop_now_ms(ps->loop);
	int err;

	if (!ps->steer)
		return;
	steer_status(ps->steer, &before);
	err = steer_switch(ps->steer, &ps->target);
	steer_status(ps->steer, &after);
	if (err) {
		pset_event(ps, LOG_LVL_WARN, PSET_EV_STEER, NULL, &ps->target,
			   0, "switch failed: %s", strerror(-err));
		return;
	}
	if (after.switches == before.switches)
		return;
	pset_event(ps, LOG_LVL_INFO, PSET_EV_STEER,
		   before.target[0] && ps->has_prev ? &ps->prev : NULL,
		   &ps->target, (uint32_t)(loop_now_ms(ps->loop) - t0),
		   "target switched (generation %u, %u connection(s) failed, "
		   "%u us)", after.generation,
		   after.sockets_killed - before.sockets_killed,
		   after.last_switch_us);
}

bool pset_steer_adopted(struct pset *ps, struct sockaddr_storage *out)
{
	return ps->steer && !steer_adopted_target(ps->steer, out);
}
