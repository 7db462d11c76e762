/* SPDX-License-Identifier: GPL-2.0 */
/* Owned copies of optional strings, for parameter structures. */
#ifndef SIPSTEERD_CORE_STR_H
#define SIPSTEERD_CORE_STR_H

#include <stdbool.h>

/* A copy of @s, or NULL for NULL; sets *@fail when out of memory. */
char *str_dup_opt(const char *s, bool *fail);

#endif
