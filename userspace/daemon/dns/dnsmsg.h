/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bounded reader for DNS messages (RFC 1035): header, questions and
 * resource records, with name compression. c-ares 1.18's typed parsers
 * drop TTLs, so the resolver walks the raw answer with this instead.
 * Every read is checked against the message length; a malformed message
 * gives -EBADMSG, never a read past the buffer.
 */
#ifndef SIPSTEERD_DNS_DNSMSG_H
#define SIPSTEERD_DNS_DNSMSG_H

#include <stddef.h>
#include <stdint.h>

#define DNS_NAME_MAX	255	/* presentation form, without the root dot */

enum {
	DNS_T_A = 1,
	DNS_T_CNAME = 5,
	DNS_T_AAAA = 28,
	DNS_T_SRV = 33,
	DNS_T_NAPTR = 35,
	DNS_C_IN = 1,
};

enum dns_section {
	DNS_SEC_ANSWER,
	DNS_SEC_AUTHORITY,
	DNS_SEC_ADDITIONAL,
};

struct dns_msg {
	const uint8_t *buf;
	size_t len;
	uint16_t id;
	uint16_t flags;
	uint16_t count[3];	/* per enum dns_section */
	/* private iteration state */
	size_t pos;
	unsigned int sec;
	unsigned int idx;
};

struct dns_rr {
	char name[DNS_NAME_MAX + 1];
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	enum dns_section section;
	size_t rdata;		/* offset of RDATA in the message */
	uint16_t rdlen;
};

struct dns_srv_rdata {
	uint16_t priority;
	uint16_t weight;
	uint16_t port;
	char target[DNS_NAME_MAX + 1];	/* "" for the root (".") */
};

struct dns_naptr_rdata {
	uint16_t order;
	uint16_t pref;
	char flags[32];
	char service[64];
	char replacement[DNS_NAME_MAX + 1];
};

/*
 * Reads a possibly compressed name at @off into @out (lower case, no
 * trailing dot; "" for the root). @next gets the offset just after the
 * name in place. Compression pointers must point backwards, so loops are
 * impossible.
 */
int dns_read_name(const uint8_t *buf, size_t len, size_t off,
		  char out[DNS_NAME_MAX + 1], size_t *next);

/* Parses the header and skips the question section. */
int dns_msg_init(struct dns_msg *m, const uint8_t *buf, size_t len);
static inline unsigned int dns_msg_rcode(const struct dns_msg *m)
{
	return m->flags & 0xf;
}
/* Next record in message order: 1 = @rr filled, 0 = end, -EBADMSG. */
int dns_msg_next(struct dns_msg *m, struct dns_rr *rr);

int dns_rr_srv(const struct dns_msg *m, const struct dns_rr *rr,
	       struct dns_srv_rdata *out);
int dns_rr_naptr(const struct dns_msg *m, const struct dns_rr *rr,
		 struct dns_naptr_rdata *out);
/* A -> 4 bytes, AAAA -> 16 bytes copied to @out. */
int dns_rr_addr(const struct dns_msg *m, const struct dns_rr *rr,
		uint8_t out[16]);

#endif
