/* SPDX-License-Identifier: GPL-2.0 */
/* Private to config/: parsing and printing one value of each key type. */
#ifndef SIPSTEERD_CONFIG_VALUE_H
#define SIPSTEERD_CONFIG_VALUE_H

#include <stddef.h>

#include "config/config.h"

/*
 * Parses @val for @key into @field (the key's field). On error returns
 * -EINVAL, leaves @field alone and puts the reason in @why.
 */
int cfg_value_parse(const struct cfg_key *key, const char *val, void *field,
		    char *why, size_t why_len);
/* The value in file syntax; secrets as "****" when set. */
void cfg_value_format(const struct cfg_key *key, const void *field,
		      char *buf, size_t len);

#endif
