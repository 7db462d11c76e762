/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A growing text buffer. Appending never fails visibly: on allocation
 * failure the buffer remembers it (sb_failed) and ignores the rest, so
 * writers need no error check after every piece.
 */
#ifndef SIPSTEER_STRBUF_H
#define SIPSTEER_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *buf;	/* NUL-terminated once anything was appended */
	size_t len;
	size_t cap;
	bool failed;
};

void sb_init(struct strbuf *sb);
void sb_free(struct strbuf *sb);
void sb_append(struct strbuf *sb, const char *s, size_t len);
void sb_puts(struct strbuf *sb, const char *s);
void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty); NULL after an allocation failure. */
const char *sb_str(const struct strbuf *sb);

#endif
