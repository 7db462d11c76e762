/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Random numbers for jitter, backoff and CSeq: not for secrets (a nonce or
 * a key wants getrandom() with its failure handled).
 */
#ifndef SIPSTEERD_CORE_RAND_H
#define SIPSTEERD_CORE_RAND_H

#include <stdint.h>

/* From getrandom(), or random() when that fails. */
uint32_t rand_u32(void);
/* Uniform enough in [0, @n); 0 when @n is 0. */
uint32_t rand_below(uint32_t n);

#endif
