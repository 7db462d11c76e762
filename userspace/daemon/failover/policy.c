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
