/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libsipsteer: client for the "sipsteer" generic netlink family.
 *
 * Every function returns 0 (or a count where documented) on success and
 * -errno on failure. After a kernel error, sipsteer_extack() holds the
 * kernel's extended ack text. A handle is one netlink socket in the
 * caller's network namespace at open time; it is not thread-safe. Use one
 * handle for requests and a separate one for events (sipsteer_subscribe),
 * so notifications never interleave with replies.
 */
#ifndef SIPSTEER_NL_H
#define SIPSTEER_NL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/sipsteer.h>

struct sipsteer;

/*
 * One address. Endpoints have proto IPPROTO_UDP or IPPROTO_TCP and a port;
 * targets have proto 0 and port 0 when the destination port is kept.
 */
struct sipsteer_addr {
	int family;			/* AF_INET or AF_INET6 */
	uint8_t proto;
	uint16_t port;			/* host order */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} ip;
};

struct sipsteer_stats {
	uint64_t flows_steered;
	uint64_t flows_passed;
	uint64_t flows_bypassed;
	uint64_t flushes;
	uint64_t flows_flushed;
	uint64_t flows_refused;
	/* Evidence seen, indexed by enum sipsteer_evidence. */
	uint64_t evidence[SIPSTEER_EVIDENCE_MAX + 1];
};

/* Which optional parts of a struct sipsteer_service are meaningful. */
enum {
	SIPSTEER_HAS_ENDPOINTS	= 1 << 0,
	SIPSTEER_HAS_TARGETS	= 1 << 1,
	SIPSTEER_HAS_BYPASS	= 1 << 2,	/* bypass_mark and bypass_mask */
	SIPSTEER_HAS_GENERATION	= 1 << 3,
	SIPSTEER_HAS_STATS	= 1 << 4,
	SIPSTEER_HAS_UNREPLIED	= 1 << 5,	/* unreplied_ms */
	SIPSTEER_HAS_ENDPOINT_STATS = 1 << 6,	/* endpoint_evidence */
};

#define SIPSTEER_MAX_TARGETS	2	/* one per address family */

struct sipsteer_service {
	char name[SIPSTEER_NAME_SIZE];
	unsigned int has;		/* SIPSTEER_HAS_* */
	unsigned int n_endpoints;
	struct sipsteer_addr endpoints[SIPSTEER_MAX_ENDPOINTS];
	unsigned int n_targets;		/* 0: inactive */
	struct sipsteer_addr targets[SIPSTEER_MAX_TARGETS];
	uint32_t bypass_mark;
	uint32_t bypass_mask;
	uint32_t generation;
	/* Watch flows for evidence (EVIDENCE events); 0: not watched. */
	uint32_t unreplied_ms;
	struct sipsteer_stats stats;
	/* Per endpoint, indexed by enum sipsteer_evidence. */
	uint64_t endpoint_evidence[SIPSTEER_MAX_ENDPOINTS]
				  [SIPSTEER_EVIDENCE_MAX + 1];
};

/* A notification from the "events" group. */
struct sipsteer_event {
	uint8_t cmd;			/* SIPSTEER_CMD_* */
	bool has_flushed;
	uint32_t flushed;		/* FLOWS_FLUSH: entries removed */
	/* EVIDENCE: what was seen on which endpoint, and how much the
	 * rate limit held back since the endpoint's previous event. */
	uint8_t evidence;		/* enum sipsteer_evidence, 0: none */
	uint32_t suppressed;
	struct sipsteer_addr endpoint;
	struct sipsteer_service service;	/* the parts the kernel sent */
};

/* Callbacks return 0 to continue; anything else stops and is returned. */
typedef int (*sipsteer_service_cb)(const struct sipsteer_service *svc,
				   void *arg);
typedef int (*sipsteer_event_cb)(const struct sipsteer_event *ev, void *arg);

/*
 * Handle. -ENOENT from open: the family is not registered (no module);
 * -EPROTONOSUPPORT: the module speaks a netlink ABI older than version 2,
 * the first this library knows.
 */
int sipsteer_open(struct sipsteer **hp);
void sipsteer_close(struct sipsteer *h);
int sipsteer_fd(const struct sipsteer *h);
uint32_t sipsteer_family_version(const struct sipsteer *h);
/* Text of the last kernel extended ack, "" when there was none. */
const char *sipsteer_extack(const struct sipsteer *h);
/* Offset of the offending attribute in the request, or -1. */
long sipsteer_extack_offset(const struct sipsteer *h);

/* Services. */
enum sipsteer_new_mode {
	SIPSTEER_CREATE,		/* -EEXIST if the name exists */
	SIPSTEER_REPLACE,		/* create or replace, counters kept */
};
int sipsteer_service_new(struct sipsteer *h,
			 const struct sipsteer_service *svc,
			 enum sipsteer_new_mode mode);
int sipsteer_service_del(struct sipsteer *h, const char *name);
int sipsteer_service_get(struct sipsteer *h, const char *name,
			 struct sipsteer_service *out);
/*
 * Dumps call cb once per service. If the kernel flagged the dump as
 * interrupted by a concurrent change (NLM_F_DUMP_INTR), the dump still
 * runs to its end and then returns -EINTR: the caller should discard what
 * it got and dump again. Nothing is retried inside the library, so cb never
 * sees the same service twice in one call.
 */
int sipsteer_service_dump(struct sipsteer *h, sipsteer_service_cb cb,
			  void *arg);
/*
 * Activate targets (n == 0: inactive). expect_gen, when not NULL, makes
 * the change conditional: -ESTALE if the generation differs. out (may be
 * NULL) receives the service after the switch, with its new generation.
 */
int sipsteer_service_set(struct sipsteer *h, const char *name,
			 const struct sipsteer_addr *targets, unsigned int n,
			 const uint32_t *expect_gen,
			 struct sipsteer_service *out);

/* Counters: out gets name, generation and stats. */
int sipsteer_stats_get(struct sipsteer *h, const char *name,
		       struct sipsteer_service *out);
int sipsteer_stats_dump(struct sipsteer *h, sipsteer_service_cb cb,
			void *arg);

/* Remove stale conntrack entries (all of them with all). */
int sipsteer_flows_flush(struct sipsteer *h, const char *name, bool all,
			 uint32_t *flushed);

/*
 * Fail established local TCP connections that can no longer follow the
 * service: sockets whose peer is one of svc's TCP endpoints and whose
 * conntrack entry is gone, was re-created mid-stream after the module
 * removed it, or does not lead to the active target of its family
 * (inactive: to the original destination) get SOCK_DESTROY, so their
 * owners see ECONNABORTED and reconnect. Sockets carrying svc's bypass
 * mark are left alone: their owners chose their server. Call it right after
 * sipsteer_service_set(). svc must carry endpoints
 * and targets (as sipsteer_service_get/_set return them). Works in the
 * caller's current network namespace; needs CAP_NET_ADMIN and the
 * inet_diag, tcp_diag and nf_conntrack_netlink modules. Returns the number
 * of sockets destroyed, or -errno.
 */
int sipsteer_tcp_kill_stale(struct sipsteer *h,
			    const struct sipsteer_service *svc);

/*
 * Events: sipsteer_subscribe() joins the "events" group on h, then each
 * sipsteer_events_read() waits for one batch (unless the socket is
 * non-blocking: -EAGAIN) and calls cb per event. -ENOBUFS means events
 * were lost; dump to resynchronise.
 */
int sipsteer_subscribe(struct sipsteer *h);
int sipsteer_events_read(struct sipsteer *h, sipsteer_event_cb cb, void *arg);

/* Addresses. */
#define SIPSTEER_ADDRSTRLEN	(INET6_ADDRSTRLEN + 8)	/* "[v6]:port" */
enum {
	SIPSTEER_PORT_REQUIRED	= 1 << 0,
	SIPSTEER_PORT_OPTIONAL	= 1 << 1,
};
/*
 * Parse "a.b.c.d:port" or "[v6]:port" (port optional with
 * SIPSTEER_PORT_OPTIONAL). Returns 0 or -EINVAL with *why set to a short
 * reason.
 */
int sipsteer_addr_parse(const char *s, unsigned int flags,
			struct sipsteer_addr *out, const char **why);
/* "a.b.c.d[:port]" or "[v6][:port]"; returns buf. */
char *sipsteer_addr_format(const struct sipsteer_addr *a, char *buf,
			   size_t len);
/* "a.b.c.d" or "v6" without port or brackets; returns buf. */
char *sipsteer_addr_ntop(const struct sipsteer_addr *a, char *buf,
			 size_t len);
bool sipsteer_addr_ip_equal(const struct sipsteer_addr *a,
			    const struct sipsteer_addr *b);
const char *sipsteer_proto_name(uint8_t proto);
/* "icmp", "reset", "syn", "unreplied", or "unknown". */
const char *sipsteer_evidence_name(uint8_t evidence);
/* Service name rule of the ABI: 1..31 printable bytes. */
bool sipsteer_name_valid(const char *name);
const struct sipsteer_addr *
sipsteer_service_target(const struct sipsteer_service *svc, int family);

#endif /* SIPSTEER_NL_H */
