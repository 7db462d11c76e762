// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

/* Length of the valid UTF-8 sequence at @s, 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF are invalid. */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void json_quote(struct strbuf *sb, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	sb_append(sb, "\"", 1);
	while (*s) {
		size_t n;

		switch (*s) {
		case '"':
			sb_append(sb, "\\\"", 2);
			s++;
			continue;
		case '\\':
			sb_append(sb, "\\\\", 2);
			s++;
			continue;
		case '\n':
			sb_append(sb, "\\n", 2);
			s++;
			continue;
		case '\r':
			sb_append(sb, "\\r", 2);
			s++;
			continue;
		case '\t':
			sb_append(sb, "\\t", 2);
			s++;
			continue;
		}
		if (*s < 0x20 || *s == 0x7f) {
			sb_printf(sb, "\\u%04x", *s);
			s++;
			continue;
		}
		n = utf8_len(s);
		if (!n) {
			sb_append(sb, "\\ufffd", 6);
			s++;
			continue;
		}
		sb_append(sb, (const char *)s, n);
		s += n;
	}
	sb_append(sb, "\"", 1);
}

void json_init(struct json *j, struct strbuf *sb, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->sb = sb;
	j->pretty = pretty;
}

static void newline(struct json *j)
{
	unsigned int i;

	if (!j->pretty)
		return;
	sb_append(j->sb, "\n", 1);
	for (i = 0; i < j->depth; i++)
		sb_append(j->sb, "  ", 2);
}

static void member(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		sb_append(j->sb, ",", 1);
	j->need_comma[j->depth] = true;
	/* Top-level values stay where the caller put them. */
	if (j->depth)
		newline(j);
	if (key) {
		json_quote(j->sb, key);
		sb_puts(j->sb, j->pretty ? ": " : ":");
	}
}

static void open_(struct json *j, const char *key, const char *brace)
{
	member(j, key);
	sb_puts(j->sb, brace);
	/* Deeper nesting is a programming error; keep the output valid. */
	if (j->depth < JSON_MAX_DEPTH)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_(struct json *j, const char *brace)
{
	bool had_members = j->need_comma[j->depth];

	if (j->depth)
		j->depth--;
	/* Empty containers stay on one line: {} and []. */
	if (had_members)
		newline(j);
	sb_puts(j->sb, brace);
}

void json_obj_begin(struct json *j, const char *key)
{
	open_(j, key, "{");
}

void json_obj_end(struct json *j)
{
	close_(j, "}");
}

void json_arr_begin(struct json *j, const char *key)
{
	open_(j, key, "[");
}

void json_arr_end(struct json *j)
{
	close_(j, "]");
}

void json_str(struct json *j, const char *key, const char *val)
{
	member(j, key);
	json_quote(j->sb, val ? val : "");
}

void json_uint(struct json *j, const char *key, uint64_t val)
{
	member(j, key);
	sb_printf(j->sb, "%" PRIu64, val);
}

void json_int(struct json *j, const char *key, int64_t val)
{
	member(j, key);
	sb_printf(j->sb, "%" PRId64, val);
}

void json_bool(struct json *j, const char *key, bool val)
{
	member(j, key);
	sb_puts(j->sb, val ? "true" : "false");
}

void json_null(struct json *j, const char *key)
{
	member(j, key);
	sb_puts(j->sb, "null");
}
