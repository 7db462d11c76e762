// SPDX-License-Identifier: GPL-2.0
/* SIP message parser: slices into the caller's buffer, no allocation. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "sip/msg.h"

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 3261 token characters. */
static bool is_token(char c)
{
	return is_alnum(c) || (c && strchr("-.!%*_+`'~", c));
}

static struct sip_str mkstr(const char *s, size_t len)
{
	struct sip_str r = { s, len };

	return r;
}

static struct sip_str trim(struct sip_str v)
{
	while (v.len && is_wsp(v.s[0])) {
		v.s++;
		v.len--;
	}
	while (v.len && is_wsp(v.s[v.len - 1]))
		v.len--;
	return v;
}

bool sip_str_eq(struct sip_str a, const char *s)
{
	return strlen(s) == a.len && !memcmp(a.s, s, a.len);
}

bool sip_str_caseeq(struct sip_str a, const char *s)
{
	return strlen(s) == a.len && !strncasecmp(a.s, s, a.len);
}

int sip_str_copy(char *dst, size_t size, struct sip_str s)
{
	if (!size || s.len >= size)
		return -ENOSPC;
	if (s.len)
		memcpy(dst, s.s, s.len);
	dst[s.len] = '\0';
	return 0;
}

/* Whole slice of digits -> value; refuses empty, junk and overflow. */
static int parse_u32(struct sip_str v, uint32_t *out)
{
	uint64_t n = 0;
	size_t i;

	if (!v.len || v.len > 10)
		return -EBADMSG;
	for (i = 0; i < v.len; i++) {
		if (!is_digit(v.s[i]))
			return -EBADMSG;
		n = n * 10 + (uint64_t)(v.s[i] - '0');
	}
	if (n > UINT32_MAX)
		return -EBADMSG;
	*out = (uint32_t)n;
	return 0;
}

static int parse_port(struct sip_str v, uint16_t *out)
{
	uint32_t n;

	if (parse_u32(v, &n) || !n || n > 65535)
		return -EBADMSG;
	*out = (uint16_t)n;
	return 0;
}

/* Length of a quoted string starting at s[0] == '"', or 0 if unclosed. */
static size_t quoted_len(const char *s, size_t len)
{
	size_t i;

	for (i = 1; i < len; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] == '"')
			return i + 1;
	}
	return 0;
}

/*
 * Split @v at the first @sep that is outside quotes and angle brackets.
 * Returns the offset of @sep, or v.len when absent; -1 when unbalanced.
 */
static long find_sep(struct sip_str v, char sep)
{
	bool angle = false;
	size_t i, q;

	for (i = 0; i < v.len; i++) {
		char c = v.s[i];

		if (c == '"') {
			q = quoted_len(v.s + i, v.len - i);
			if (!q)
				return -1;
			i += q - 1;
		} else if (c == '<') {
			if (angle)
				return -1;
			angle = true;
		} else if (c == '>') {
			if (!angle)
				return -1;
			angle = false;
		} else if (c == sep && !angle) {
			return (long)i;
		}
	}
	return angle ? -1 : (long)v.len;
}

static struct sip_str unquote(struct sip_str v)
{
	if (v.len >= 2 && v.s[0] == '"' && v.s[v.len - 1] == '"')
		return mkstr(v.s + 1, v.len - 2);
	return v;
}

bool sip_param_find(struct sip_str params, const char *name,
		    struct sip_str *val)
{
	struct sip_str rest = params;

	while (rest.len) {
		struct sip_str p, n;
		long end;
		const char *eq;

		if (rest.s[0] == ';') {
			rest.s++;
			rest.len--;
			continue;
		}
		end = find_sep(rest, ';');
		if (end < 0)
			return false;
		p = mkstr(rest.s, (size_t)end);
		rest.s += end;
		rest.len -= (size_t)end;

		eq = memchr(p.s, '=', p.len);
		n = trim(mkstr(p.s, eq ? (size_t)(eq - p.s) : p.len));
		if (!sip_str_caseeq(n, name))
			continue;
		if (val) {
			if (eq)
				*val = unquote(trim(mkstr(eq + 1,
					p.len - (size_t)(eq + 1 - p.s))));
			else
				*val = mkstr(p.s + p.len, 0);
		}
		return true;
	}
	return false;
}

/*
 * name-addr / addr-spec: `"Name" <uri>;params` or `uri;params`. Without
 * angle brackets the first ';' ends the URI (RFC 3261 section 20).
 */
/* Offset of the first '<' outside a quoted display name, v.len if none. */
static long find_laquot(struct sip_str v)
{
	size_t i, q;

	for (i = 0; i < v.len; i++) {
		if (v.s[i] == '"') {
			q = quoted_len(v.s + i, v.len - i);
			if (!q)
				return -1;
			i += q - 1;
		} else if (v.s[i] == '<') {
			return (long)i;
		}
	}
	return (long)v.len;
}

static int parse_nameaddr(struct sip_str v, struct sip_str *uri,
			  struct sip_str *params)
{
	long lt = find_laquot(v);
	const char *gt;

	if (lt < 0)
		return -EBADMSG;
	if ((size_t)lt < v.len) {
		gt = memchr(v.s + lt, '>', v.len - (size_t)lt);
		if (!gt)
			return -EBADMSG;
		*uri = trim(mkstr(v.s + lt + 1, (size_t)(gt - v.s - lt - 1)));
		*params = trim(mkstr(gt + 1, v.len - (size_t)(gt + 1 - v.s)));
		if (params->len && params->s[0] != ';')
			return -EBADMSG;
	} else {
		const char *semi = memchr(v.s, ';', v.len);
		size_t ulen = semi ? (size_t)(semi - v.s) : v.len;

		*uri = trim(mkstr(v.s, ulen));
		*params = mkstr(v.s + ulen, v.len - ulen);
		if (memchr(uri->s, ' ', uri->len) || memchr(uri->s, '"',
							     uri->len))
			return -EBADMSG;
	}
	if (!uri->len || !memchr(uri->s, ':', uri->len))
		return -EBADMSG;
	return 0;
}

static int parse_fromto(struct sip_str v, struct sip_str *tag)
{
	struct sip_str uri, params;
	int err = parse_nameaddr(v, &uri, &params);

	if (err)
		return err;
	if (!sip_param_find(params, "tag", tag))
		*tag = mkstr(v.s, 0);
	return 0;
}

/* host or [v6] followed by optional :port. */
static int parse_hostport(struct sip_str v, struct sip_str *host,
			  uint16_t *port)
{
	const char *colon;
	size_t i;

	*port = 0;
	if (!v.len)
		return -EBADMSG;
	if (v.s[0] == '[') {
		const char *rb = memchr(v.s, ']', v.len);

		if (!rb)
			return -EBADMSG;
		*host = mkstr(v.s, (size_t)(rb - v.s) + 1);
		colon = rb + 1 < v.s + v.len ? rb + 1 : NULL;
		if (colon && *colon != ':')
			return -EBADMSG;
	} else {
		colon = memchr(v.s, ':', v.len);
		*host = mkstr(v.s, colon ? (size_t)(colon - v.s) : v.len);
		for (i = 0; i < host->len; i++)
			if (!is_alnum(host->s[i]) && host->s[i] != '.' &&
			    host->s[i] != '-' && host->s[i] != '_')
				return -EBADMSG;
	}
	if (host->len == 0 || host->len > 255)
		return -EBADMSG;
	if (colon)
		return parse_port(mkstr(colon + 1,
				  (size_t)(v.s + v.len - colon - 1)), port);
	return 0;
}

/* "SIP / 2.0 / UDP host:port;params" -- only the first of a list. */
static int parse_via(struct sip_str v, struct sip_via *via)
{
	long comma = find_sep(v, ',');
	struct sip_str part, proto[3], rest, sentby, rport;
	const char *semi;
	size_t i, pos = 0;

	if (comma < 0)
		return -EBADMSG;
	part = trim(mkstr(v.s, (size_t)comma));
	for (i = 0; i < 3; i++) {
		size_t start;

		while (pos < part.len && is_wsp(part.s[pos]))
			pos++;
		start = pos;
		while (pos < part.len && is_token(part.s[pos]))
			pos++;
		proto[i] = mkstr(part.s + start, pos - start);
		if (!proto[i].len)
			return -EBADMSG;
		while (pos < part.len && is_wsp(part.s[pos]))
			pos++;
		if (i < 2) {
			if (pos >= part.len || part.s[pos] != '/')
				return -EBADMSG;
			pos++;
		}
	}
	if (!sip_str_caseeq(proto[0], "SIP") || !sip_str_eq(proto[1], "2.0"))
		return -EBADMSG;
	via->transport = proto[2];
	rest = trim(mkstr(part.s + pos, part.len - pos));
	semi = memchr(rest.s, ';', rest.len);
	sentby = trim(mkstr(rest.s, semi ? (size_t)(semi - rest.s) : rest.len));
	via->params = semi ? mkstr(semi, (size_t)(rest.s + rest.len - semi)) :
			     mkstr(rest.s + rest.len, 0);
	if (parse_hostport(sentby, &via->host, &via->port))
		return -EBADMSG;
	if (!sip_param_find(via->params, "branch", &via->branch))
		via->branch = mkstr(rest.s, 0);
	if (!sip_param_find(via->params, "received", &via->received))
		via->received = mkstr(rest.s, 0);
	via->has_rport = sip_param_find(via->params, "rport", &rport);
	via->rport = 0;
	if (via->has_rport && rport.len && parse_port(rport, &via->rport))
		return -EBADMSG;
	return 0;
}

static int parse_cseq(struct sip_msg *m, struct sip_str v)
{
	const char *sp = memchr(v.s, ' ', v.len);
	size_t i;

	if (!sp)
		return -EBADMSG;
	if (parse_u32(mkstr(v.s, (size_t)(sp - v.s)), &m->cseq) ||
	    m->cseq > 0x7fffffff)
		return -EBADMSG;
	m->cseq_method = trim(mkstr(sp + 1, (size_t)(v.s + v.len - sp - 1)));
	if (!m->cseq_method.len)
		return -EBADMSG;
	for (i = 0; i < m->cseq_method.len; i++)
		if (!is_token(m->cseq_method.s[i]))
			return -EBADMSG;
	return 0;
}

static int parse_contacts(struct sip_msg *m, struct sip_str v)
{
	struct sip_str rest = v;

	if (sip_str_eq(v, "*")) {
		m->contact_star = true;
		return 0;
	}
	while (rest.len) {
		long end = find_sep(rest, ',');
		struct sip_contact c = { 0 };
		struct sip_str one, ev;

		if (end < 0)
			return -EBADMSG;
		one = trim(mkstr(rest.s, (size_t)end));
		rest.s += end;
		rest.len -= (size_t)end;
		if (rest.len) {
			rest.s++;
			rest.len--;
			if (!trim(rest).len)
				return -EBADMSG;
		}
		if (parse_nameaddr(one, &c.uri, &c.params))
			return -EBADMSG;
		if (sip_param_find(c.params, "expires", &ev)) {
			if (parse_u32(ev, &c.expires))
				return -EBADMSG;
			c.has_expires = true;
		}
		if (m->n_contacts < SIP_MAX_CONTACTS)
			m->contacts[m->n_contacts++] = c;
	}
	return 0;
}

/* auth-param list: name=token or name="quoted", separated by commas. */
static int parse_challenge(struct sip_msg *m, struct sip_str v, bool proxy)
{
	struct sip_challenge ch = { .proxy = proxy };
	size_t pos = 0;

	while (pos < v.len && is_token(v.s[pos]))
		pos++;
	ch.scheme = mkstr(v.s, pos);
	if (!ch.scheme.len || (pos < v.len && !is_wsp(v.s[pos])))
		return -EBADMSG;
	while (pos < v.len) {
		struct sip_str name, val;
		size_t start;

		while (pos < v.len && (is_wsp(v.s[pos]) || v.s[pos] == ','))
			pos++;
		if (pos >= v.len)
			break;
		start = pos;
		while (pos < v.len && is_token(v.s[pos]))
			pos++;
		name = mkstr(v.s + start, pos - start);
		while (pos < v.len && is_wsp(v.s[pos]))
			pos++;
		if (!name.len || pos >= v.len || v.s[pos] != '=')
			return -EBADMSG;
		pos++;
		while (pos < v.len && is_wsp(v.s[pos]))
			pos++;
		if (pos < v.len && v.s[pos] == '"') {
			size_t q = quoted_len(v.s + pos, v.len - pos);

			if (!q)
				return -EBADMSG;
			val = mkstr(v.s + pos + 1, q - 2);
			pos += q;
		} else {
			start = pos;
			while (pos < v.len && is_token(v.s[pos]))
				pos++;
			val = mkstr(v.s + start, pos - start);
			if (!val.len)
				return -EBADMSG;
		}
		while (pos < v.len && is_wsp(v.s[pos]))
			pos++;
		if (pos < v.len && v.s[pos] != ',')
			return -EBADMSG;

		if (sip_str_caseeq(name, "realm"))
			ch.realm = val;
		else if (sip_str_caseeq(name, "nonce"))
			ch.nonce = val;
		else if (sip_str_caseeq(name, "opaque")) {
			ch.opaque = val;
			ch.has_opaque = true;
		} else if (sip_str_caseeq(name, "algorithm"))
			ch.algorithm = val;
		else if (sip_str_caseeq(name, "qop"))
			ch.qop = val;
		else if (sip_str_caseeq(name, "stale"))
			ch.stale = sip_str_caseeq(val, "true");
		else if (sip_str_caseeq(name, "userhash"))
			ch.userhash = sip_str_caseeq(val, "true");
	}
	if (m->n_challenges < SIP_MAX_CHALLENGES)
		m->challenges[m->n_challenges++] = ch;
	return 0;
}

static const struct {
	const char *name;
	const char *compact;
	enum sip_hdr_id id;
} hdr_names[] = {
	{ "Via", "v", SIP_HDR_VIA },
	{ "From", "f", SIP_HDR_FROM },
	{ "To", "t", SIP_HDR_TO },
	{ "Call-ID", "i", SIP_HDR_CALL_ID },
	{ "CSeq", NULL, SIP_HDR_CSEQ },
	{ "Contact", "m", SIP_HDR_CONTACT },
	{ "Expires", NULL, SIP_HDR_EXPIRES },
	{ "Min-Expires", NULL, SIP_HDR_MIN_EXPIRES },
	{ "Retry-After", NULL, SIP_HDR_RETRY_AFTER },
	{ "WWW-Authenticate", NULL, SIP_HDR_WWW_AUTHENTICATE },
	{ "Proxy-Authenticate", NULL, SIP_HDR_PROXY_AUTHENTICATE },
	{ "Content-Length", "l", SIP_HDR_CONTENT_LENGTH },
	{ "Content-Type", "c", SIP_HDR_CONTENT_TYPE },
	{ "Max-Forwards", NULL, SIP_HDR_MAX_FORWARDS },
	{ "Flow-Timer", NULL, SIP_HDR_FLOW_TIMER },
};

static enum sip_hdr_id hdr_lookup(struct sip_str name)
{
	size_t i;

	for (i = 0; i < sizeof(hdr_names) / sizeof(hdr_names[0]); i++) {
		if (sip_str_caseeq(name, hdr_names[i].name) ||
		    (hdr_names[i].compact &&
		     sip_str_caseeq(name, hdr_names[i].compact)))
			return hdr_names[i].id;
	}
	return SIP_HDR_OTHER;
}

/* A header seen twice where only one makes sense. */
static int once(bool *seen)
{
	if (*seen)
		return -EBADMSG;
	*seen = true;
	return 0;
}

struct seen {
	bool from, to, call_id, cseq, expires, min_expires, retry_after, clen;
};

static int parse_hdr_value(struct sip_msg *m, struct sip_hdr *h,
			   struct seen *seen)
{
	struct sip_str v = h->value;
	int err = 0;

	switch (h->id) {
	case SIP_HDR_VIA:
		if (!m->n_via++)
			err = parse_via(v, &m->via);
		break;
	case SIP_HDR_FROM:
		err = once(&seen->from) ?: parse_fromto(v, &m->from_tag);
		m->from = v;
		break;
	case SIP_HDR_TO:
		err = once(&seen->to) ?: parse_fromto(v, &m->to_tag);
		m->to = v;
		break;
	case SIP_HDR_CALL_ID:
		err = once(&seen->call_id);
		if (!v.len || memchr(v.s, ' ', v.len))
			err = -EBADMSG;
		m->call_id = v;
		break;
	case SIP_HDR_CSEQ:
		err = once(&seen->cseq) ?: parse_cseq(m, v);
		break;
	case SIP_HDR_CONTACT:
		err = parse_contacts(m, v);
		break;
	case SIP_HDR_EXPIRES:
		err = once(&seen->expires) ?: parse_u32(v, &m->expires);
		m->has_expires = true;
		break;
	case SIP_HDR_MIN_EXPIRES:
		err = once(&seen->min_expires) ?:
		      parse_u32(v, &m->min_expires);
		m->has_min_expires = true;
		break;
	case SIP_HDR_RETRY_AFTER: {
		/* delta-seconds [ comment ] *( ;param ) */
		size_t n = 0;

		while (n < v.len && is_digit(v.s[n]))
			n++;
		err = once(&seen->retry_after) ?:
		      parse_u32(mkstr(v.s, n), &m->retry_after);
		m->has_retry_after = true;
		break;
	}
	case SIP_HDR_WWW_AUTHENTICATE:
	case SIP_HDR_PROXY_AUTHENTICATE:
		err = parse_challenge(m, v,
				      h->id == SIP_HDR_PROXY_AUTHENTICATE);
		break;
	case SIP_HDR_CONTENT_LENGTH: {
		uint32_t n;

		err = once(&seen->clen) ?: parse_u32(v, &n);
		m->content_length = err ? 0 : n;
		m->has_content_length = true;
		break;
	}
	case SIP_HDR_FLOW_TIMER:
		m->has_flow_timer = !m->has_flow_timer &&
				    !parse_u32(v, &m->flow_timer) &&
				    m->flow_timer;
		if (!m->has_flow_timer)
			m->flow_timer = 0;
		break;
	default:
		break;
	}
	return err;
}

static int parse_start_line(struct sip_msg *m, struct sip_str line)
{
	const char *sp1, *sp2;
	size_t i;

	for (i = 0; i < line.len; i++)
		if ((unsigned char)line.s[i] < 0x20 && line.s[i] != '\t')
			return -EBADMSG;
	if (line.len >= 8 && !memcmp(line.s, "SIP/2.0 ", 8)) {
		if (line.len < 11 || !is_digit(line.s[8]) ||
		    !is_digit(line.s[9]) || !is_digit(line.s[10]) ||
		    (line.len > 11 && line.s[11] != ' '))
			return -EBADMSG;
		m->status = (line.s[8] - '0') * 100 + (line.s[9] - '0') * 10 +
			    (line.s[10] - '0');
		if (m->status < 100 || m->status > 699)
			return -EBADMSG;
		m->reason = line.len > 12 ? mkstr(line.s + 12, line.len - 12) :
					    mkstr(line.s + line.len, 0);
		return 0;
	}
	/* Method SP Request-URI SP SIP-Version */
	sp1 = memchr(line.s, ' ', line.len);
	if (!sp1)
		return -EBADMSG;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(line.s + line.len - sp1 - 1));
	if (!sp2)
		return -EBADMSG;
	m->is_request = true;
	m->method = mkstr(line.s, (size_t)(sp1 - line.s));
	m->ruri = mkstr(sp1 + 1, (size_t)(sp2 - sp1 - 1));
	if (!m->method.len || !m->ruri.len ||
	    !memchr(m->ruri.s, ':', m->ruri.len) ||
	    !sip_str_eq(mkstr(sp2 + 1, (size_t)(line.s + line.len - sp2 - 1)),
			"SIP/2.0"))
		return -EBADMSG;
	for (i = 0; i < m->method.len; i++)
		if (!is_token(m->method.s[i]))
			return -EBADMSG;
	for (i = 0; i < m->ruri.len; i++)
		if ((unsigned char)m->ruri.s[i] <= 0x20 ||
		    (unsigned char)m->ruri.s[i] >= 0x7f)
			return -EBADMSG;
	return 0;
}

/* Offset just past the blank line ending the headers, or 0. */
static size_t headers_end(const char *buf, size_t len)
{
	const char *p = memmem(buf, len, "\r\n\r\n", 4);

	return p ? (size_t)(p - buf) + 4 : 0;
}

int sip_msg_parse(struct sip_msg *m, const char *buf, size_t len)
{
	struct seen seen = { 0 };
	size_t hend, pos, eol;
	const char *nl;
	int err;

	memset(m, 0, sizeof(*m));
	if (len > SIP_MAX_MSG)
		return -EMSGSIZE;
	hend = headers_end(buf, len);
	if (!hend)
		return -EBADMSG;

	nl = memmem(buf, hend, "\r\n", 2);
	eol = (size_t)(nl - buf);
	if (eol > SIP_MAX_HDR_LEN)
		return -EMSGSIZE;
	err = parse_start_line(m, mkstr(buf, eol));
	if (err)
		return err;

	for (pos = eol + 2; pos < hend - 2; pos = eol + 2) {
		struct sip_hdr *h;
		const char *colon;
		size_t i;

		nl = memmem(buf + pos, hend - pos, "\r\n", 2);
		eol = (size_t)(nl - buf);
		if (eol - pos > SIP_MAX_HDR_LEN)
			return -EMSGSIZE;
		if (is_wsp(buf[pos]))
			return -EBADMSG;	/* folding: obsolete, refused */
		if (m->n_hdrs == SIP_MAX_HEADERS)
			return -EMSGSIZE;
		for (i = pos; i < eol; i++)
			if (((unsigned char)buf[i] < 0x20 && buf[i] != '\t') ||
			    buf[i] == 0x7f)
				return -EBADMSG;
		colon = memchr(buf + pos, ':', eol - pos);
		if (!colon)
			return -EBADMSG;
		h = &m->hdrs[m->n_hdrs++];
		h->name = trim(mkstr(buf + pos, (size_t)(colon - buf) - pos));
		if (!h->name.len)
			return -EBADMSG;
		for (i = 0; i < h->name.len; i++)
			if (!is_token(h->name.s[i]))
				return -EBADMSG;
		h->value = trim(mkstr(colon + 1, (size_t)(buf + eol - colon - 1)));
		h->id = hdr_lookup(h->name);
		err = parse_hdr_value(m, h, &seen);
		if (err)
			return err;
	}

	if (!m->n_via || !seen.from || !seen.to || !seen.call_id ||
	    !seen.cseq)
		return -EBADMSG;
	if (m->is_request && !sip_str_eq(m->cseq_method, "ACK") &&
	    !sip_str_eq(m->cseq_method, "CANCEL") &&
	    !(m->cseq_method.len == m->method.len &&
	      !memcmp(m->cseq_method.s, m->method.s, m->method.len)))
		return -EBADMSG;

	if (m->has_content_length) {
		if (m->content_length > len - hend)
			return -EBADMSG;
		m->body = mkstr(buf + hend, m->content_length);
	} else {
		m->content_length = len - hend;
		m->body = mkstr(buf + hend, len - hend);
	}
	return 0;
}

long sip_msg_frame_len(const char *buf, size_t len)
{
	size_t hend, pos, eol;
	uint32_t clen = 0;
	bool found = false;

	hend = headers_end(buf, len < SIP_MAX_MSG ? len : SIP_MAX_MSG);
	if (!hend)
		return len >= SIP_MAX_MSG ? -EMSGSIZE : 0;
	for (pos = 0; pos < hend - 2; pos = eol + 2) {
		const char *nl = memmem(buf + pos, hend - pos, "\r\n", 2);
		const char *colon;

		eol = (size_t)(nl - buf);
		if (!pos)
			continue;	/* start line */
		colon = memchr(buf + pos, ':', eol - pos);
		if (!colon)
			return -EBADMSG;
		if (hdr_lookup(trim(mkstr(buf + pos, (size_t)(colon - buf) -
					  pos))) != SIP_HDR_CONTENT_LENGTH)
			continue;
		if (found || parse_u32(trim(mkstr(colon + 1,
			(size_t)(buf + eol - colon - 1))), &clen))
			return -EBADMSG;
		found = true;
	}
	if (!found)
		return -EBADMSG;	/* mandatory on streams */
	if (clen > SIP_MAX_MSG - hend)
		return -EMSGSIZE;
	return (long)(hend + clen);
}

const struct sip_hdr *sip_msg_hdr(const struct sip_msg *m,
				  enum sip_hdr_id id,
				  const struct sip_hdr *from)
{
	unsigned int i = from ? (unsigned int)(from - m->hdrs) + 1 : 0;

	for (; i < m->n_hdrs; i++)
		if (m->hdrs[i].id == id)
			return &m->hdrs[i];
	return NULL;
}
