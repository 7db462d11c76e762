/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A line's ordered server list and what happened at each server. The
 * registration client reports results; the list decides which server to
 * try next. Plain logic over results and a clock, no sockets, so the
 * failover policy can replace the decision without touching SIP code.
 */
#ifndef SIPSTEERD_REG_SERVERLIST_H
#define SIPSTEERD_REG_SERVERLIST_H

#include <stdbool.h>
#include <stdint.h>

#include "dns/resolver.h"

enum sl_result {
	SL_RES_NONE,		/* not tried yet */
	SL_RES_OK,		/* 2xx */
	SL_RES_TIMEOUT,		/* no response within Timer F */
	SL_RES_UNREACHABLE,	/* ICMP unreachable, connection refused */
	SL_RES_RESET,		/* TCP reset, peer closed */
	SL_RES_TLS,		/* TLS handshake or verification failed */
	SL_RES_TRANSPORT,	/* any other transport failure */
	SL_RES_503,		/* 503 Service Unavailable */
	SL_RES_AUTH,		/* credentials refused */
	SL_RES_REJECTED,	/* another final error (4xx..6xx) */
};

const char *sl_result_name(enum sl_result res);
/* Does this result mean "try another server"? */
bool sl_result_fails_over(enum sl_result res);
/*
 * Did the server not answer at all (timeout, ICMP, reset, TLS, other
 * transport failure)? Only such a server's traffic is steered elsewhere:
 * one that answers, even 503, keeps its dialogs.
 */
bool sl_result_silent(enum sl_result res);

#define SL_MAX_SERVERS	16

struct sl_entry {
	struct sip_server srv;
	enum sl_result last;
	int last_code;
	uint64_t last_ms;		/* loop time of @last */
	uint64_t retry_after_ms;	/* not before (503 Retry-After) */
	uint64_t fail_ms;		/* last failure moving on, 0: none */
	unsigned int probe_ok;		/* failback probes answered, in a row */
	bool round_tried;		/* tried (or skipped) in this round */
	/* The last word from it was silence (sl_result_silent()); cleared
	 * by any answer, a probe's included. */
	bool dead;
};

struct serverlist {
	struct sl_entry e[SL_MAX_SERVERS];
	unsigned int n;
	int cur;			/* entry in use, -1: none */
	unsigned int tried;		/* entries tried in this round */
};

void sl_init(struct serverlist *sl);
/*
 * Replace the list with a fresh DNS answer (at most SL_MAX_SERVERS);
 * entries that stay keep their last result. The round starts again.
 */
void sl_set(struct serverlist *sl, const struct sip_server *srv,
	    unsigned int n);
/* Same transport, address and port. */
bool sl_same_server(const struct sip_server *a,
		    const struct sip_server *b);
/* The same server, or another address of its host (the other family). */
bool sl_same_host(const struct sip_server *a, const struct sip_server *b);
/* Record @res for entry @idx (@code: SIP status or 0). */
void sl_report(struct serverlist *sl, int idx, enum sl_result res, int code,
	       uint32_t retry_after_s, uint64_t now_ms);
/*
 * The entry to try first in a new round: the first one in DNS order that
 * is not held back by Retry-After. -1 when the list is empty.
 */
int sl_first(struct serverlist *sl, uint64_t now_ms);
/*
 * The next entry after a failure in this round: the first in DNS order
 * not yet tried in it and not held back. -1 when all were tried.
 */
int sl_next(struct serverlist *sl, uint64_t now_ms);
/*
 * Start a round at entry @idx (a server found in use, e.g. the steering
 * target an earlier daemon left); sl_next() then goes on from the top
 * with the entries not yet tried. -1 when @idx is out of range.
 */
int sl_start_at(struct serverlist *sl, int idx);
/* The entry for @srv (same address, port and transport), -1: none. */
int sl_find(const struct serverlist *sl, const struct sip_server *srv);
/*
 * Entry @idx is dead without a result of ours (an earlier daemon found it
 * so: steering adopted from the module); a failure at @now_ms.
 */
void sl_mark_dead(struct serverlist *sl, int idx, uint64_t now_ms);
/*
 * A failback probe of entry @idx answered (@ok) or not: returns the
 * answers in a row so far (0 after a failure). An answer ends "dead".
 */
unsigned int sl_probe_report(struct serverlist *sl, int idx, bool ok);
/*
 * Did entry @idx fail less than @hold_ms ago? Hysteresis of failback: a
 * server that just failed is not returned to.
 */
bool sl_held_down(const struct serverlist *sl, int idx, uint64_t hold_ms,
		  uint64_t now_ms);
const struct sl_entry *sl_get(const struct serverlist *sl, int idx);
/*
 * Keep using the entry for @srv after a new DNS answer: it becomes the
 * entry in use and the round starts from it. -1 when DNS dropped it.
 */
int sl_keep(struct serverlist *sl, const struct sip_server *srv);

#endif
