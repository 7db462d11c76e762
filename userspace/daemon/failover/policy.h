/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The proxy set's policy as pure functions of their inputs (and a random
 * number, core/rand.h), so tests can check every bound without a clock.
 */
#ifndef SIPSTEERD_FAILOVER_POLICY_H
#define SIPSTEERD_FAILOVER_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "reg/serverlist.h"

/* Never wait less than this, whatever the configuration says. */
#define POLICY_MIN_WAIT_MS	1000

/*
 * RFC 5626 section 4.5 after @failures rounds in a row failed:
 * upper = min(@max_s, @base_s * 2^@failures), then a point in
 * [50 %, 100 %] of upper chosen by @rnd (uniform over uint32_t). After
 * the first failure that is base..2*base, so nothing is retried sooner
 * than registration_failed_timeout; never below POLICY_MIN_WAIT_MS.
 */
uint64_t policy_backoff_ms(uint32_t base_s, uint32_t max_s,
			   uint32_t failures, uint32_t rnd);

/* Keep-alive: 80-100 % of @interval_s, at least POLICY_MIN_WAIT_MS. */
uint64_t policy_keepalive_ms(uint32_t interval_s, uint32_t rnd);

/* Start-up delay: uniform in [0, @max_ms]. */
uint64_t policy_startup_ms(uint32_t max_ms, uint32_t rnd);

/* A uniform point in [@lo, @hi] picked by @rnd. */
uint64_t policy_pick(uint64_t lo, uint64_t hi, uint32_t rnd);

/*
 * Would another server do better after @res with SIP status @code? Yes
 * for transport failures and 503, and for 5xx, 408 and 480 (the server
 * is broken or cannot reach its back end); no for credentials and other
 * refusals, which another server of the set would repeat.
 */
bool policy_fails_over(enum sl_result res, int code);

/*
 * Evidence from the kernel (a hint, never a verdict: any process on the
 * phone can send into silence) about the server at @idx of the list, the
 * lines being at @cur (-1: nowhere), a hint probe of it under way or not.
 */
enum policy_hint {
	POLICY_HINT_IGNORE,	/* off, not settled, or not a server of ours */
	POLICY_HINT_PROBE,	/* the server in use: probe it at once */
	POLICY_HINT_JOINED,	/* ... already being probed: one probe */
	POLICY_HINT_FAILBACK,	/* a server not in use: its answers start over */
};

enum policy_hint policy_hint(bool enabled, bool settled, int idx, int cur,
			     bool probing);

/*
 * The hint probe's whole time: 3 * T1 (an OPTIONS over UDP is sent at 0
 * and T1), at least POLICY_HINT_MIN_MS, at most the keep-alive's answer
 * time POLICY_HINT_MAX_MS. A live server answers well within it. Why 3:
 * the hint comes with a retransmission, at 3 T1 into the request with
 * the default unreplied_ms (the INVITE's third packet); its next one
 * leaves 4 T1 later. A verdict after 3 T1 leaves T1 for the failover's
 * REGISTER and the steering, so that packet reaches the next server;
 * after 4 T1 it left for the dead one in the same milliseconds.
 */
#define POLICY_HINT_MIN_MS	1000
#define POLICY_HINT_MAX_MS	10000
uint32_t policy_hint_timeout_ms(uint32_t t1_ms);

#endif
