/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RFC 3263 / RFC 2782 ordering: which NAPTR records apply to a transport
 * and in what order, and the SRV order (priority, then weighted random
 * choice within a priority). Pure functions; the random source is passed
 * in so tests can fix it.
 */
#ifndef SIPSTEERD_DNS_ORDER_H
#define SIPSTEERD_DNS_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dnsmsg.h"
#include "transport/transport.h"

/* Returns a uniformly distributed 32-bit value. */
typedef uint32_t (*dns_rng_fn)(void *ctx);

struct dns_naptr {
	uint16_t order;
	uint16_t pref;
	uint32_t ttl;
	char service[64];
	char flags[32];
	char replacement[DNS_NAME_MAX + 1];
};

struct dns_srv {
	uint16_t priority;
	uint16_t weight;
	uint16_t port;
	uint32_t ttl;
	char target[DNS_NAME_MAX + 1];
};

/* "SIP+D2U", "SIP+D2T" or "SIPS+D2T". */
const char *dns_naptr_service(enum tp_proto proto);
/* "_sip._udp", "_sip._tcp" or "_sips._tcp". */
const char *dns_srv_prefix(enum tp_proto proto);
/* 5060, or 5061 for TLS. */
uint16_t dns_default_port(enum tp_proto proto);

/*
 * Keeps the records for @proto whose flags are "s" (case-insensitive),
 * sorted by order then preference (stable). Returns the new count.
 */
size_t dns_naptr_select(struct dns_naptr *v, size_t n, enum tp_proto proto);

/*
 * Orders @v by priority, and within a priority by RFC 2782's weighted
 * random selection. Weight-0 records are shuffled to the front of their
 * priority before selection, so they keep a small chance when others
 * weigh more, and an equal chance among themselves.
 */
void dns_srv_order(struct dns_srv *v, size_t n, dns_rng_fn rng, void *ctx);

/* A default source: xorshift64*, seeded by the caller. */
struct dns_xorshift {
	uint64_t s;
};
uint32_t dns_xorshift_next(void *ctx);

#endif
