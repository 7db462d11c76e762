/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RFC 3263 server location with c-ares: host name (+ port) + transport
 * -> an ordered list of servers. Non-blocking, driven by the event loop.
 */
#ifndef SIPSTEERD_DNS_RESOLVER_H
#define SIPSTEERD_DNS_RESOLVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "transport/transport.h"

struct loop;
struct resolver;

/* Port value meaning "look up NAPTR/SRV", as on the phone. */
#define DNS_PORT_SRV	65535

struct sip_server {
	char target[256];	/* SRV target or the configured host */
	struct sockaddr_storage addr;
	socklen_t addr_len;
	enum tp_proto proto;
	uint16_t priority;	/* SRV priority; 0 without SRV */
	uint16_t weight;
};

enum dns_status {
	DNS_OK,			/* fresh answer */
	DNS_STALE,		/* DNS unreachable: last good answer reused */
	DNS_NOT_FOUND,		/* no such records anywhere in the RFC order */
	DNS_FAILED,		/* DNS unreachable and nothing cached */
};

struct dns_result {
	enum dns_status status;
	struct sip_server *servers;	/* ordered; owned by the resolver */
	unsigned int n_servers;
	uint32_t ttl_s;		/* smallest TTL along the chain */
};

typedef void (*resolver_cb)(void *arg, const struct dns_result *res);

struct resolver_opts {
	const char *servers;	/* c-ares server list "ip:port,..."; NULL:
				 * /etc/resolv.conf */
	uint32_t timeout_ms;
	unsigned int tries;
	uint32_t mark;		/* SO_MARK on DNS sockets; 0: none */
};

/* ttl_s of an IP literal's answer: it never expires. */
#define DNS_TTL_FOREVER	UINT32_MAX
/* ttl_s of a DNS_STALE answer: when to try DNS again. */
#define DNS_STALE_RETRY_S	30

int resolver_new(struct loop *loop, const struct resolver_opts *opts,
		 struct resolver **out);
void resolver_free(struct resolver *r);
/*
 * Resolve @host for @proto. @port 0 or DNS_PORT_SRV: NAPTR/SRV; else
 * A/AAAA only. An IP literal answers at once without DNS. @cb runs from
 * the loop, never from inside this call. Answers are cached per TTL.
 * Each host's AAAA addresses come before its A addresses. @cb may call
 * resolver_resolve() and resolver_cancel(), not resolver_free().
 */
int resolver_resolve(struct resolver *r, const char *host, uint16_t port,
		     enum tp_proto proto, resolver_cb cb, void *arg);
/* Forget pending callbacks for @arg (its owner is going away). */
void resolver_cancel(struct resolver *r, void *arg);

/*
 * Replaces the random source of the RFC 2782 weighted choice (tests fix
 * it to get a known order). Default: xorshift seeded from getrandom().
 */
void resolver_set_rng(struct resolver *r, uint32_t (*rng)(void *ctx),
		      void *ctx);

#endif
