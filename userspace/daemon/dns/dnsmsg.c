// SPDX-License-Identifier: GPL-2.0
/* Bounded DNS message reader; see dnsmsg.h. */
#include "dns/dnsmsg.h"

#include <errno.h>
#include <string.h>

#define DNS_HDR_LEN	12
#define DNS_LABEL_MAX	63
#define DNS_WIRE_MAX	255	/* RFC 1035 2.3.4: names on the wire */

static int rd16(const uint8_t *buf, size_t len, size_t off, uint16_t *v)
{
	if (off > len || len - off < 2)
		return -EBADMSG;
	*v = (uint16_t)(buf[off] << 8 | buf[off + 1]);
	return 0;
}

static int rd32(const uint8_t *buf, size_t len, size_t off, uint32_t *v)
{
	if (off > len || len - off < 4)
		return -EBADMSG;
	*v = (uint32_t)buf[off] << 24 | (uint32_t)buf[off + 1] << 16 |
	     (uint32_t)buf[off + 2] << 8 | buf[off + 3];
	return 0;
}

/* Host names only: a dot, a backslash or a control byte inside a label
 * would make the text form ambiguous, so such names are refused. */
static int label_byte_ok(uint8_t c)
{
	return c > 0x20 && c < 0x7f && c != '.' && c != '\\';
}

int dns_read_name(const uint8_t *buf, size_t len, size_t off,
		  char out[DNS_NAME_MAX + 1], size_t *next)
{
	size_t pos = off, o = 0, wire = 0, end = 0;
	int jumped = 0;

	for (;;) {
		uint8_t l;

		if (pos >= len)
			return -EBADMSG;
		l = buf[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t ptr;

			if (pos + 1 >= len)
				return -EBADMSG;
			ptr = (size_t)(l & 0x3f) << 8 | buf[pos + 1];
			/* Only backwards: guarantees termination. */
			if (ptr >= pos)
				return -EBADMSG;
			if (!jumped)
				end = pos + 2;
			jumped = 1;
			pos = ptr;
			continue;
		}
		if (l & 0xc0)
			return -EBADMSG;	/* 0x40/0x80: extended labels */
		wire += 1u + l;
		if (wire > DNS_WIRE_MAX)
			return -EBADMSG;
		if (l == 0) {
			if (!jumped)
				end = pos + 1;
			break;
		}
		if (l > DNS_LABEL_MAX || len - pos - 1 < l)
			return -EBADMSG;
		if (o)
			out[o++] = '.';
		for (size_t i = 0; i < l; i++) {
			uint8_t c = buf[pos + 1 + i];

			if (!label_byte_ok(c))
				return -EBADMSG;
			if (c >= 'A' && c <= 'Z')
				c = (uint8_t)(c - 'A' + 'a');
			out[o++] = (char)c;
		}
		pos += 1u + l;
	}
	out[o] = '\0';
	if (next)
		*next = end;
	return 0;
}

int dns_msg_init(struct dns_msg *m, const uint8_t *buf, size_t len)
{
	uint16_t qd;
	size_t pos = DNS_HDR_LEN;
	char name[DNS_NAME_MAX + 1];
	int err;

	memset(m, 0, sizeof(*m));
	if (!buf || len < DNS_HDR_LEN)
		return -EBADMSG;
	m->buf = buf;
	m->len = len;
	rd16(buf, len, 0, &m->id);
	rd16(buf, len, 2, &m->flags);
	rd16(buf, len, 4, &qd);
	rd16(buf, len, 6, &m->count[DNS_SEC_ANSWER]);
	rd16(buf, len, 8, &m->count[DNS_SEC_AUTHORITY]);
	rd16(buf, len, 10, &m->count[DNS_SEC_ADDITIONAL]);
	for (unsigned int i = 0; i < qd; i++) {
		err = dns_read_name(buf, len, pos, name, &pos);
		if (err)
			return err;
		if (len - pos < 4)
			return -EBADMSG;
		pos += 4;
	}
	m->pos = pos;
	return 0;
}

int dns_msg_next(struct dns_msg *m, struct dns_rr *rr)
{
	size_t pos = m->pos;
	int err;

	while (m->sec < 3 && m->idx >= m->count[m->sec]) {
		m->sec++;
		m->idx = 0;
	}
	if (m->sec >= 3)
		return 0;
	err = dns_read_name(m->buf, m->len, pos, rr->name, &pos);
	if (err)
		return err;
	if (rd16(m->buf, m->len, pos, &rr->type) ||
	    rd16(m->buf, m->len, pos + 2, &rr->rclass) ||
	    rd32(m->buf, m->len, pos + 4, &rr->ttl) ||
	    rd16(m->buf, m->len, pos + 8, &rr->rdlen))
		return -EBADMSG;
	pos += 10;
	if (m->len - pos < rr->rdlen)
		return -EBADMSG;
	/* RFC 2181 8: a TTL with the top bit set means zero. */
	if (rr->ttl & 0x80000000u)
		rr->ttl = 0;
	rr->section = (enum dns_section)m->sec;
	rr->rdata = pos;
	m->pos = pos + rr->rdlen;
	m->idx++;
	return 1;
}

int dns_rr_srv(const struct dns_msg *m, const struct dns_rr *rr,
	       struct dns_srv_rdata *out)
{
	size_t end = rr->rdata + rr->rdlen, next;
	int err;

	if (rr->type != DNS_T_SRV || rr->rdlen < 7)
		return -EBADMSG;
	rd16(m->buf, m->len, rr->rdata, &out->priority);
	rd16(m->buf, m->len, rr->rdata + 2, &out->weight);
	rd16(m->buf, m->len, rr->rdata + 4, &out->port);
	/* Compression is tolerated in the target, but it must not spill
	 * out of the RDATA. */
	err = dns_read_name(m->buf, end, rr->rdata + 6, out->target, &next);
	if (err)
		return err;
	return next == end ? 0 : -EBADMSG;
}

/* <character-string>: a length byte, then that many bytes. */
static int rd_cstr(const uint8_t *buf, size_t end, size_t *pos,
		   char *out, size_t outsz)
{
	size_t l;

	if (*pos >= end)
		return -EBADMSG;
	l = buf[*pos];
	if (end - *pos - 1 < l || l >= outsz)
		return -EBADMSG;
	for (size_t i = 0; i < l; i++) {
		uint8_t c = buf[*pos + 1 + i];

		if (c < 0x20 || c > 0x7e)
			return -EBADMSG;
		out[i] = (char)c;
	}
	out[l] = '\0';
	*pos += 1 + l;
	return 0;
}

int dns_rr_naptr(const struct dns_msg *m, const struct dns_rr *rr,
		 struct dns_naptr_rdata *out)
{
	size_t end = rr->rdata + rr->rdlen, pos = rr->rdata + 4, next;
	char regexp[256];
	int err;

	if (rr->type != DNS_T_NAPTR || rr->rdlen < 8)
		return -EBADMSG;
	rd16(m->buf, m->len, rr->rdata, &out->order);
	rd16(m->buf, m->len, rr->rdata + 2, &out->pref);
	err = rd_cstr(m->buf, end, &pos, out->flags, sizeof(out->flags));
	if (!err)
		err = rd_cstr(m->buf, end, &pos, out->service,
			      sizeof(out->service));
	if (!err)
		err = rd_cstr(m->buf, end, &pos, regexp, sizeof(regexp));
	if (!err)
		err = dns_read_name(m->buf, end, pos, out->replacement, &next);
	if (err)
		return err;
	return next == end ? 0 : -EBADMSG;
}

int dns_rr_addr(const struct dns_msg *m, const struct dns_rr *rr,
		uint8_t out[16])
{
	size_t want = rr->type == DNS_T_A ? 4 : rr->type == DNS_T_AAAA ? 16 : 0;

	if (!want || rr->rdlen != want)
		return -EBADMSG;
	memcpy(out, m->buf + rr->rdata, want);
	return 0;
}
