// SPDX-License-Identifier: GPL-2.0
/* Backoff and jitter of the proxy set (RFC 5626 section 4.5). */
#include "failover/policy.h"

uint64_t policy_pick(uint64_t lo, uint64_t hi, uint32_t rnd)
{
	uint64_t off;

	if (hi <= lo)
		return lo;
	/* Both ends included; double keeps any span from overflowing. */
	off = (uint64_t)((double)(hi - lo) * ((double)rnd / UINT32_MAX));
	/* Rounding of a huge span may step past the end. */
	return off > hi - lo ? hi : lo + off;
}

uint64_t policy_backoff_ms(uint32_t base_s, uint32_t max_s,
			   uint32_t failures, uint32_t rnd)
{
	uint64_t upper = (uint64_t)(base_s ? base_s : 1) * 1000;
	uint64_t cap = (uint64_t)max_s * 1000;
	uint32_t i;
	uint64_t wait;

	if (cap < upper)
		cap = upper;
	/* Doubling stops at the cap: no overflow for any @failures. */
	for (i = 0; i < failures && upper < cap; i++)
		upper *= 2;
	if (upper > cap)
		upper = cap;
	wait = policy_pick(upper / 2, upper, rnd);
	return wait < POLICY_MIN_WAIT_MS ? POLICY_MIN_WAIT_MS : wait;
}

uint64_t policy_keepalive_ms(uint32_t interval_s, uint32_t rnd)
{
	uint64_t full = (uint64_t)interval_s * 1000;
	uint64_t wait = policy_pick(full * 8 / 10, full, rnd);

	return wait < POLICY_MIN_WAIT_MS ? POLICY_MIN_WAIT_MS : wait;
}

uint64_t policy_startup_ms(uint32_t max_ms, uint32_t rnd)
{
	return policy_pick(0, max_ms, rnd);
}

bool policy_fails_over(enum sl_result res, int code)
{
	if (sl_result_fails_over(res))
		return true;
	return res == SL_RES_REJECTED &&
	       (code >= 500 || code == 408 || code == 480);
}

enum policy_hint policy_hint(bool enabled, bool settled, int idx, int cur,
			     bool probing)
{
	if (!enabled || !settled || idx < 0 || cur < 0)
		return POLICY_HINT_IGNORE;
	if (idx != cur)
		return POLICY_HINT_FAILBACK;
	return probing ? POLICY_HINT_JOINED : POLICY_HINT_PROBE;
}

uint32_t policy_hint_timeout_ms(uint32_t t1_ms)
{
	uint64_t t = (uint64_t)(t1_ms ? t1_ms : 500) * 3;

	if (t < POLICY_HINT_MIN_MS)
		return POLICY_HINT_MIN_MS;
	return t > POLICY_HINT_MAX_MS ? POLICY_HINT_MAX_MS : (uint32_t)t;
}
