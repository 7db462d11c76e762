// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 5626 reg-id: one per server flow. A line registers at one server
 * at a time, but keeps the old binding until the new one stands and
 * un-registers it afterwards; where servers share one location database
 * (bindings matched by +sip.instance and reg-id) the two bindings must
 * differ, or the REGISTER at the new server replaces the old binding and
 * the un-REGISTER at the old server removes the new one. So each server
 * gets a reg-id of its own at first use, kept for the line's life: a
 * new flow to the same server (a network change, a failback) reuses it
 * and replaces that server's binding, as section 4.2.1 wants.
 */
#include "reg/reg_int.h"

static bool flow_in_use(const struct reg *reg, unsigned int id)
{
	const struct reg_site *s;

	if ((reg->cur && reg->cur->reg_id == id) ||
	    (reg->prev && reg->prev->reg_id == id))
		return true;
	for (s = reg->dropping; s; s = s->next)
		if (s->reg_id == id)
			return true;
	return false;
}

unsigned int reg_flow_id(struct reg *reg, const struct sip_server *srv)
{
	unsigned int i;

	for (i = 0; i < reg->n_flows; i++)
		if (sl_same_server(&reg->flow_srv[i], srv))
			return i + 1;
	if (reg->n_flows < REG_MAX_FLOWS) {
		reg->flow_srv[reg->n_flows] = *srv;
		return ++reg->n_flows;
	}
	/* Full (DNS kept naming new servers): take an idle one's number. */
	for (i = 0; i < REG_MAX_FLOWS; i++) {
		if (!flow_in_use(reg, i + 1)) {
			reg->flow_srv[i] = *srv;
			return i + 1;
		}
	}
	return 1;	/* unreachable: a line never has that many sites */
}
