/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON writer into a strbuf: objects, arrays, strings (escaped per
 * RFC 8259, invalid UTF-8 replaced by U+FFFD), integers and booleans.
 * @key is the member name inside an object and NULL inside an array or at
 * the top level. Pretty output puts each member on its own line, indented
 * by two spaces per level, with ": " after keys.
 */
#ifndef SIPSTEER_JSON_H
#define SIPSTEER_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"

#define JSON_MAX_DEPTH	16

struct json {
	struct strbuf *sb;
	unsigned int depth;
	bool pretty;
	bool need_comma[JSON_MAX_DEPTH + 1];
};

void json_init(struct json *j, struct strbuf *sb, bool pretty);
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_uint(struct json *j, const char *key, uint64_t val);
void json_int(struct json *j, const char *key, int64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);

/* Appends @s as a quoted JSON string. */
void json_quote(struct strbuf *sb, const char *s);

#endif
