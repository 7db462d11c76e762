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
 * and replaces that server's binding, as section 4.2.1 wants. In
 * concurrent mode the line's clients share the table, so its bindings
 * at every server differ as well.
 */
#include "reg/reg_int.h"

unsigned int reg_flow_id(struct reg *reg, const struct sip_server *srv)
{
	struct reg_flows *f = reg->flows;
	unsigned int i;

	for (i = 0; i < f->n; i++)
		if (sl_same_server(&f->srv[i], srv))
			goto take;
	if (f->n < REG_MAX_FLOWS) {
		i = f->n++;
		f->srv[i] = *srv;
		goto take;
	}
	/* Full (DNS kept naming new servers): take an idle one's number. */
	for (i = 0; i < REG_MAX_FLOWS; i++) {
		if (!f->users[i]) {
			f->srv[i] = *srv;
			goto take;
		}
	}
	i = 0;	/* unreachable: a line never has that many sites */
take:
	f->users[i]++;
	return i + 1;
}

void reg_flow_put(struct reg *reg, unsigned int id)
{
	if (id && id <= REG_MAX_FLOWS && reg->flows->users[id - 1])
		reg->flows->users[id - 1]--;
}
