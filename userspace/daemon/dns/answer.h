/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Typed records, with their TTLs, out of one raw DNS response: the
 * answers of the asked type (following CNAMEs from the question name)
 * and the addresses in the additional section (RFC 2782 hints).
 */
#ifndef SIPSTEERD_DNS_ANSWER_H
#define SIPSTEERD_DNS_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dnsmsg.h"
#include "dns/order.h"

#define DNS_ANSWER_MAX	32	/* records of each kind kept per response */

struct dns_addr {
	char name[DNS_NAME_MAX + 1];
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint32_t ttl;
};

struct dns_answer {
	unsigned int rcode;
	size_t n_naptr, n_srv, n_addr, n_extra;
	struct dns_naptr naptr[DNS_ANSWER_MAX];
	struct dns_srv srv[DNS_ANSWER_MAX];
	struct dns_addr addr[DNS_ANSWER_MAX];	/* answers to an A/AAAA */
	struct dns_addr extra[DNS_ANSWER_MAX];	/* additional section */
	uint32_t cname_ttl;	/* smallest TTL of the CNAMEs followed;
				 * UINT32_MAX if none */
};

/*
 * Fills @out from the response to (@qname, @qtype). Records beyond
 * DNS_ANSWER_MAX are ignored; a malformed message gives -EBADMSG.
 */
int dns_answer_parse(const uint8_t *buf, size_t len, const char *qname,
		     uint16_t qtype, struct dns_answer *out);

#endif
