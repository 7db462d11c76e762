// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <sys/random.h>

#include "core/rand.h"

uint32_t rand_u32(void)
{
	uint32_t r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint32_t)random();
	return r;
}

uint32_t rand_below(uint32_t n)
{
	return n ? rand_u32() % n : 0;
}
