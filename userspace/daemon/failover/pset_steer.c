// SPDX-License-Identifier: GPL-2.0
/*
 * The proxy set drives its steering service. Until the steering service
 * (steer/) is in this tree, registration failover works alone.
 */
#include "failover/pset_int.h"

void pset_steer_servers(struct pset *ps, const struct sip_server *srv,
			unsigned int n)
{
	(void)ps;
	(void)srv;
	(void)n;
}

void pset_steer_switch(struct pset *ps)
{
	(void)ps;
}

bool pset_steer_adopted(struct pset *ps, struct sockaddr_storage *out)
{
	(void)ps;
	(void)out;
	return false;
}
