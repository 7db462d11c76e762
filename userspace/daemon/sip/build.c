// SPDX-License-Identifier: GPL-2.0
/* SIP request builder. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "sip/build.h"
#include "sip/msg.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
	bool overflow;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len) {
		o->overflow = true;
		return;
	}
	o->len += (size_t)n;
}

/* Header values we write must not smuggle in a line break. */
static bool clean(const char *s)
{
	return !s || !strpbrk(s, "\r\n");
}

/* Via transport token (RFC 3261 section 20.42). */
static const char *via_transport(enum tp_proto proto)
{
	switch (proto) {
	case TP_TCP:
		return "TCP";
	case TP_TLS:
		return "TLS";
	default:
		return "UDP";
	}
}

static bool has_value(const char *s)
{
	return s && *s;
}

int sip_build_request(char *buf, size_t size, const struct sip_req *r)
{
	const char *fields[] = {
		r->method, r->ruri, r->via_host, r->branch, r->from_uri,
		r->from_display, r->from_tag, r->to_uri, r->call_id,
		r->contact_uri, r->contact_params, r->auth_hdr_name,
		r->auth_hdr_value, r->user_agent, r->supported,
	};
	struct out o = { buf, size, 0, false };
	const char *tp = via_transport(r->proto);
	bool v6;
	size_t i;

	if (!size || !r->method || !r->ruri || !r->via_host || !r->branch ||
	    !r->from_uri || !r->from_tag || !r->to_uri || !r->call_id)
		return -EINVAL;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!clean(fields[i]))
			return -EINVAL;
	v6 = strchr(r->via_host, ':') && r->via_host[0] != '[';

	put(&o, "%s %s SIP/2.0\r\n", r->method, r->ruri);
	put(&o, "Via: SIP/2.0/%s %s%s%s:%u;branch=%s;rport\r\n", tp,
	    v6 ? "[" : "", r->via_host, v6 ? "]" : "", r->via_port,
	    r->branch);
	put(&o, "Max-Forwards: 70\r\n");
	if (has_value(r->from_display))
		put(&o, "From: \"%s\" <%s>;tag=%s\r\n", r->from_display,
		    r->from_uri, r->from_tag);
	else
		put(&o, "From: <%s>;tag=%s\r\n", r->from_uri, r->from_tag);
	put(&o, "To: <%s>\r\n", r->to_uri);
	put(&o, "Call-ID: %s\r\n", r->call_id);
	put(&o, "CSeq: %u %s\r\n", r->cseq, r->method);
	if (r->contact_uri)
		put(&o, "Contact: <%s>%s\r\n", r->contact_uri,
		    r->contact_params ? r->contact_params : "");
	if (r->expires >= 0)
		put(&o, "Expires: %d\r\n", r->expires);
	if (has_value(r->supported))
		put(&o, "Supported: %s\r\n", r->supported);
	if (r->auth_hdr_name && r->auth_hdr_value)
		put(&o, "%s: %s\r\n", r->auth_hdr_name, r->auth_hdr_value);
	if (has_value(r->user_agent))
		put(&o, "User-Agent: %s\r\n", r->user_agent);
	put(&o, "Content-Length: 0\r\n\r\n");
	if (o.overflow)
		return -ENOSPC;
	return (int)o.len;
}

/* Canonical names of the headers a response copies from its request. */
static const char *copied_name(enum sip_hdr_id id)
{
	switch (id) {
	case SIP_HDR_VIA:
		return "Via";
	case SIP_HDR_FROM:
		return "From";
	case SIP_HDR_CALL_ID:
		return "Call-ID";
	case SIP_HDR_CSEQ:
		return "CSeq";
	default:
		return NULL;
	}
}

int sip_build_response(char *buf, size_t size, const struct sip_msg *req,
		       int status, const char *reason, const char *to_tag,
		       const char *extra)
{
	struct out o = { buf, size, 0, false };
	unsigned int i;

	if (!size || !req || !req->is_request || status < 100 ||
	    status > 699 || !reason || !clean(reason) || !clean(to_tag))
		return -EINVAL;
	put(&o, "SIP/2.0 %d %s\r\n", status, reason);
	for (i = 0; i < req->n_hdrs; i++) {
		const struct sip_hdr *h = &req->hdrs[i];
		const char *name = copied_name(h->id);

		if (h->id == SIP_HDR_TO)
			put(&o, "To: %.*s%s%s\r\n", (int)h->value.len,
			    h->value.s, req->to_tag.len || !has_value(to_tag) ?
			    "" : ";tag=", req->to_tag.len ? "" :
			    has_value(to_tag) ? to_tag : "");
		else if (name)
			put(&o, "%s: %.*s\r\n", name, (int)h->value.len,
			    h->value.s);
	}
	if (extra)
		put(&o, "%s", extra);
	put(&o, "Content-Length: 0\r\n\r\n");
	if (o.overflow)
		return -ENOSPC;
	return (int)o.len;
}

int sip_random_hex(char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[64];
	size_t i;

	if (len > 2 * sizeof(rnd))
		return -EINVAL;
	if (getrandom(rnd, (len + 1) / 2, 0) != (ssize_t)((len + 1) / 2))
		return -EIO;
	for (i = 0; i < len; i++)
		out[i] = hex[(rnd[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
	out[len] = '\0';
	return 0;
}

int sip_new_branch(char *out, size_t size)
{
	size_t magic = strlen(SIP_BRANCH_MAGIC);

	if (size < magic + SIP_TOKEN_LEN + 1)
		return -ENOSPC;
	memcpy(out, SIP_BRANCH_MAGIC, magic);
	return sip_random_hex(out + magic, SIP_TOKEN_LEN);
}

int sip_new_uuid(char out[37])
{
	char hex[33];
	int err = sip_random_hex(hex, 32);

	if (err)
		return err;
	hex[12] = '4';				/* version 4 */
	hex[16] = "89ab"[hex[16] % 4];		/* RFC 4122 variant */
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8,
		 hex + 12, hex + 16, hex + 20);
	return 0;
}
