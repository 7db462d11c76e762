// SPDX-License-Identifier: GPL-2.0
/* What a registration is doing, for logs, --status and scripts. */
#include <stdio.h>
#include <string.h>

#include "reg/reg_int.h"
#include "transport/transport.h"

const char *reg_state_name(enum reg_state state)
{
	static const char *const names[] = {
		[REG_IDLE] = "idle",
		[REG_RESOLVING] = "resolving",
		[REG_REGISTERING] = "registering",
		[REG_REGISTERED] = "registered",
		[REG_FAILED] = "failed",
		[REG_UNREGISTERING] = "unregistering",
	};

	if ((unsigned int)state >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[state];
}

void reg_status(const struct reg *reg, struct reg_status *st)
{
	uint64_t now = loop_now_ms(reg->loop);
	unsigned int i;

	memset(st, 0, sizeof(*st));
	st->state = reg->state;
	st->server = reg->sl.cur;
	if (reg->state == REG_REGISTERED && reg->expires_at_ms > now)
		st->expires_left_s = (uint32_t)((reg->expires_at_ms - now +
						 999) / 1000);
	if (reg->state == REG_REGISTERED) {
		snprintf(st->contact, sizeof(st->contact), "%s",
			 reg->granted_contact);
		st->granted_expires_s = reg->granted_expires_s;
	}
	snprintf(st->last_error, sizeof(st->last_error), "%s",
		 reg->last_error);
	for (i = 0; i < reg->sl.n && i < REG_STATUS_MAX_SERVERS; i++) {
		const struct sl_entry *e = &reg->sl.e[i];
		struct reg_server_status *s = &st->servers[i];

		snprintf(s->target, sizeof(s->target), "%s", e->srv.target);
		tp_fmt_addr(&e->srv.addr, s->addr, sizeof(s->addr));
		s->proto = e->srv.proto;
		s->priority = e->srv.priority;
		s->weight = e->srv.weight;
		s->in_use = (int)i == reg->sl.cur;
		s->last = e->last;
		s->last_code = e->last_code;
		if (e->last != SL_RES_NONE && now >= e->last_ms)
			s->last_age_s = (uint32_t)((now - e->last_ms) / 1000);
	}
	st->n_servers = i;
	switch (reg->state) {
	case REG_REGISTERED:
		snprintf(st->text, sizeof(st->text),
			 "registered, expires in %u s", st->expires_left_s);
		break;
	case REG_FAILED:
		snprintf(st->text, sizeof(st->text), "failed: %.150s",
			 reg->last_error);
		break;
	default:
		snprintf(st->text, sizeof(st->text), "%s",
			 reg_state_name(reg->state));
		break;
	}
}
