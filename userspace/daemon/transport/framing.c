// SPDX-License-Identifier: GPL-2.0
/* Content-Length framing for streams; see framing.h. */
#include "transport/framing.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

static bool is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* Header @name (case-insensitive) at line [p, e)? Sets *val past ':'. */
static bool header_is(const char *p, const char *e, const char *name,
		      const char **val)
{
	size_t n = strlen(name);

	if ((size_t)(e - p) <= n || strncasecmp(p, name, n))
		return false;
	p += n;
	while (p < e && is_ws(*p))
		p++;
	if (p >= e || *p != ':')
		return false;
	*val = p + 1;
	return true;
}

static int parse_length(const char *p, const char *e, size_t *out)
{
	size_t v = 0;
	bool digits = false;

	while (p < e && is_ws(*p))
		p++;
	for (; p < e && *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (size_t)(*p - '0');
		if (v > TP_MSG_MAX)
			return -EMSGSIZE;
		digits = true;
	}
	while (p < e && is_ws(*p))
		p++;
	if (!digits || p != e)
		return -EBADMSG;
	*out = v;
	return 0;
}

/* Content-Length from the header block [h, e), lines ending in CRLF. */
static int content_length(const char *h, const char *e, size_t *out)
{
	bool found = false;
	size_t v;
	int err;

	while (h < e) {
		const char *eol = memchr(h, '\r', (size_t)(e - h));
		const char *val;

		if (!eol)
			eol = e;
		if (header_is(h, eol, "Content-Length", &val) ||
		    header_is(h, eol, "l", &val)) {
			err = parse_length(val, eol, &v);
			if (err)
				return err;
			/* Two different lengths: no safe boundary. */
			if (found && v != *out)
				return -EBADMSG;
			*out = v;
			found = true;
		}
		h = eol + 2;
	}
	return found ? 0 : -EBADMSG;
}

int tp_frame(const char *buf, size_t len, size_t *skip, size_t *msg_len)
{
	const char *hdr_end;
	size_t s = 0, hlen, body = 0;
	int err;

	while (s < len && (buf[s] == '\r' || buf[s] == '\n'))
		s++;
	*skip = s;
	buf += s;
	len -= s;
	hdr_end = memmem(buf, len < TP_MSG_MAX ? len : TP_MSG_MAX, "\r\n\r\n",
			 4);
	if (!hdr_end)
		return len >= TP_MSG_MAX ? -EMSGSIZE : 0;
	hlen = (size_t)(hdr_end - buf) + 4;
	/* Skip the start line: it cannot carry a header. */
	const char *first = memchr(buf, '\n', hlen);

	err = content_length(first + 1, hdr_end + 2, &body);
	if (err)
		return err;
	if (hlen + body > TP_MSG_MAX)
		return -EMSGSIZE;
	if (len < hlen + body)
		return 0;
	*msg_len = hlen + body;
	return 1;
}
