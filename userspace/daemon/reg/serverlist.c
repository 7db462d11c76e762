// SPDX-License-Identifier: GPL-2.0
/* A line's server list: results per entry and the next-server choice. */
#include <string.h>

#include "reg/serverlist.h"
#include "transport/transport.h"

const char *sl_result_name(enum sl_result res)
{
	static const char *const names[] = {
		[SL_RES_NONE] = "untried",
		[SL_RES_OK] = "ok",
		[SL_RES_TIMEOUT] = "timeout",
		[SL_RES_UNREACHABLE] = "unreachable",
		[SL_RES_RESET] = "reset",
		[SL_RES_TLS] = "tls",
		[SL_RES_TRANSPORT] = "transport",
		[SL_RES_503] = "503",
		[SL_RES_AUTH] = "auth-failed",
		[SL_RES_REJECTED] = "rejected",
	};

	if ((unsigned int)res >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[res];
}

bool sl_result_silent(enum sl_result res)
{
	switch (res) {
	case SL_RES_TIMEOUT:
	case SL_RES_UNREACHABLE:
	case SL_RES_RESET:
	case SL_RES_TLS:
	case SL_RES_TRANSPORT:
		return true;
	default:
		return false;
	}
}

bool sl_result_fails_over(enum sl_result res)
{
	/* Credentials or policy: another server would say the same. */
	return sl_result_silent(res) || res == SL_RES_503;
}

void sl_init(struct serverlist *sl)
{
	memset(sl, 0, sizeof(*sl));
	sl->cur = -1;
}

bool sl_same_server(const struct sip_server *a,
		    const struct sip_server *b)
{
	return a->proto == b->proto && tp_same_addr(&a->addr, &b->addr);
}

bool sl_same_host(const struct sip_server *a, const struct sip_server *b)
{
	return sl_same_server(a, b) ||
	       (a->target[0] && !strcmp(a->target, b->target) &&
		a->proto == b->proto &&
		tp_addr_port(&a->addr) == tp_addr_port(&b->addr));
}

void sl_set(struct serverlist *sl, const struct sip_server *srv,
	    unsigned int n)
{
	struct serverlist old = *sl;
	unsigned int i, j;

	if (n > SL_MAX_SERVERS)
		n = SL_MAX_SERVERS;
	sl_init(sl);
	for (i = 0; i < n; i++) {
		struct sl_entry *e = &sl->e[i];

		e->srv = srv[i];
		for (j = 0; j < old.n; j++) {
			if (sl_same_server(&old.e[j].srv, &srv[i])) {
				e->last = old.e[j].last;
				e->last_code = old.e[j].last_code;
				e->last_ms = old.e[j].last_ms;
				e->retry_after_ms = old.e[j].retry_after_ms;
				e->fail_ms = old.e[j].fail_ms;
				e->probe_ok = old.e[j].probe_ok;
				e->dead = old.e[j].dead;
				break;
			}
		}
	}
	sl->n = n;
}

void sl_report(struct serverlist *sl, int idx, enum sl_result res, int code,
	       uint32_t retry_after_s, uint64_t now_ms)
{
	struct sl_entry *e;

	if (idx < 0 || (unsigned int)idx >= sl->n)
		return;
	e = &sl->e[idx];
	e->last = res;
	e->last_code = code;
	e->last_ms = now_ms;
	e->retry_after_ms = retry_after_s ?
			    now_ms + (uint64_t)retry_after_s * 1000 : 0;
	if (sl_result_fails_over(res)) {
		/* 0 is "never": a failure at time 0 still counts. */
		e->fail_ms = now_ms ? now_ms : 1;
		e->probe_ok = 0;
	}
	if (res != SL_RES_NONE)
		e->dead = sl_result_silent(res);
}

void sl_mark_dead(struct serverlist *sl, int idx, uint64_t now_ms)
{
	if (idx < 0 || (unsigned int)idx >= sl->n)
		return;
	sl->e[idx].dead = true;
	sl->e[idx].fail_ms = now_ms ? now_ms : 1;
	sl->e[idx].probe_ok = 0;
}

static bool held_back(const struct sl_entry *e, uint64_t now_ms)
{
	return e->retry_after_ms && e->retry_after_ms > now_ms;
}

static void mark_tried(struct serverlist *sl, unsigned int i)
{
	if (!sl->e[i].round_tried) {
		sl->e[i].round_tried = true;
		sl->tried++;
	}
}

static void new_round(struct serverlist *sl)
{
	unsigned int i;

	for (i = 0; i < sl->n; i++)
		sl->e[i].round_tried = false;
	sl->tried = 0;
}

/* First usable entry not tried in this round, marking the ones passed. */
static int pick(struct serverlist *sl, uint64_t now_ms)
{
	unsigned int i;

	for (i = 0; i < sl->n; i++) {
		if (sl->e[i].round_tried)
			continue;
		mark_tried(sl, i);
		if (!held_back(&sl->e[i], now_ms)) {
			sl->cur = (int)i;
			return sl->cur;
		}
	}
	sl->cur = -1;
	return -1;
}

int sl_first(struct serverlist *sl, uint64_t now_ms)
{
	new_round(sl);
	return pick(sl, now_ms);
}

int sl_next(struct serverlist *sl, uint64_t now_ms)
{
	if (sl->cur < 0)
		return -1;
	return pick(sl, now_ms);
}

int sl_start_at(struct serverlist *sl, int idx)
{
	if (idx < 0 || (unsigned int)idx >= sl->n)
		return -1;
	new_round(sl);
	mark_tried(sl, (unsigned int)idx);
	sl->cur = idx;
	return idx;
}

int sl_find(const struct serverlist *sl, const struct sip_server *srv)
{
	unsigned int i;

	for (i = 0; i < sl->n; i++) {
		if (sl_same_server(&sl->e[i].srv, srv))
			return (int)i;
	}
	return -1;
}

unsigned int sl_probe_report(struct serverlist *sl, int idx, bool ok)
{
	struct sl_entry *e;

	if (idx < 0 || (unsigned int)idx >= sl->n)
		return 0;
	e = &sl->e[idx];
	e->probe_ok = ok ? e->probe_ok + 1 : 0;
	if (ok)
		e->dead = false;
	return e->probe_ok;
}

bool sl_held_down(const struct serverlist *sl, int idx, uint64_t hold_ms,
		  uint64_t now_ms)
{
	const struct sl_entry *e = sl_get(sl, idx);

	return e && e->fail_ms && now_ms < e->fail_ms + hold_ms;
}

const struct sl_entry *sl_get(const struct serverlist *sl, int idx)
{
	if (idx < 0 || (unsigned int)idx >= sl->n)
		return NULL;
	return &sl->e[idx];
}

int sl_keep(struct serverlist *sl, const struct sip_server *srv)
{
	int idx = sl_find(sl, srv);
	int i;

	if (idx < 0)
		return -1;
	new_round(sl);
	/* The entries before it are behind us in this round. */
	for (i = 0; i <= idx; i++)
		mark_tried(sl, (unsigned int)i);
	sl->cur = idx;
	return idx;
}
