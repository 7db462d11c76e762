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

/* Where the binding stands: the current server, else the kept one. */
static const struct reg_site *bound_site(const struct reg *reg)
{
	if (reg->cur && reg->cur->bound)
		return reg->cur;
	/* A kept site that failed is only waiting to be un-registered. */
	if (reg->prev && reg->prev->bound && !reg->prev->failed)
		return reg->prev;
	return NULL;
}

void reg_status(const struct reg *reg, struct reg_status *st)
{
	const struct reg_site *b = bound_site(reg);
	uint64_t now = loop_now_ms(reg->loop);

	memset(st, 0, sizeof(*st));
	st->state = reg->state;
	st->server = -1;
	if (b) {
		snprintf(st->server_addr, sizeof(st->server_addr), "%s",
			 b->addr);
		if (b->expires_at_ms > now)
			st->expires_left_s = (uint32_t)((b->expires_at_ms -
							 now + 999) / 1000);
		snprintf(st->contact, sizeof(st->contact), "%s",
			 b->granted_contact);
		st->granted_expires_s = b->granted_expires_s;
		st->reg_id = reg->p.outbound ? b->reg_id : 0;
	}
	snprintf(st->last_error, sizeof(st->last_error), "%s",
		 reg->last_error);
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
