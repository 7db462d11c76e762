/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sipsteer: private interfaces between the module's files.
 *
 * Writers (netlink requests, netns exit) hold sipsteer_net.lock. The NAT
 * core functions only read sipsteer_net.table under RCU. A table and the
 * configs it points to are immutable once published; every change builds
 * new ones and frees the old ones after a grace period.
 */
#ifndef _SIPSTEER_H
#define _SIPSTEER_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <net/netfilter/nf_conntrack_tuple.h>
#include <linux/sipsteer.h>

#include "compat.h"

struct net;

/* Index of an address family in per-family arrays. */
enum sipsteer_af {
	SIPSTEER_AF_INET,
	SIPSTEER_AF_INET6,
	SIPSTEER_AF_COUNT
};

/* A match endpoint; also the lookup key. Padding is always zero. */
struct sipsteer_endpoint {
	union nf_inet_addr addr;
	__be16 port;
	u8 proto;		/* IPPROTO_UDP or IPPROTO_TCP */
	u8 af;			/* enum sipsteer_af */
};

/* The active target of one address family. */
struct sipsteer_target {
	union nf_inet_addr addr;
	__be16 port;		/* 0: keep the destination port */
	bool active;
};

/* Per-CPU flow counters, written by the NAT core's check functions. */
struct sipsteer_pcpu_stats {
	u64_stats_t steered;
	u64_stats_t passed;
	u64_stats_t bypassed;
	u64_stats_t refused;
	struct u64_stats_sync syncp;
};

struct sipsteer_stats {
	u64 steered;
	u64 passed;
	u64 bypassed;
	u64 refused;
	u64 flushes;
	u64 flows_flushed;
	u64 evidence[SIPSTEER_EVIDENCE_MAX + 1];	/* summed endpoints */
};

/*
 * Evidence seen on one endpoint's flows (evidence.c): the counters and
 * the event rate limit. Written from the packet path with atomics; it is
 * rare (watched flows are those not yet replied), so no per-CPU copies.
 */
struct sipsteer_ep_evidence {
	unsigned long next;		/* jiffies: next event allowed */
	atomic_t suppressed;		/* evidence since the last event */
	atomic64_t count[SIPSTEER_EVIDENCE_MAX + 1];
};

/* What a request asks for, already validated by netlink.c. */
struct sipsteer_spec {
	char name[SIPSTEER_NAME_SIZE];
	u32 mark;
	u32 mask;
	u32 unreplied_ms;		/* 0: flows not watched */
	unsigned int n_endpoints;
	struct sipsteer_endpoint endpoints[SIPSTEER_MAX_ENDPOINTS];
	struct sipsteer_target targets[SIPSTEER_AF_COUNT];
};

/* The target for conntrack's l3num (NFPROTO_IPV4 or NFPROTO_IPV6). */
static inline const struct sipsteer_target *
sipsteer_target(const struct sipsteer_spec *spec, u16 l3num)
{
	return &spec->targets[l3num == NFPROTO_IPV4 ? SIPSTEER_AF_INET :
						      SIPSTEER_AF_INET6];
}

struct sipsteer_service;

/*
 * Immutable snapshot of one service's configuration. @previous holds the
 * targets of the configuration it replaced, where they differ: an entry
 * NATed there was NATed by this service (not by someone else's rule) and
 * no longer fits. Only @evidence changes after publication: the packet
 * path counts there, and a change adds the old config's counts into its
 * successor once no reader holds the old one.
 */
struct sipsteer_config {
	struct rcu_head rcu;
	/* Identity only (flush filter); the hooks never dereference it. */
	const struct sipsteer_service *svc;
	struct sipsteer_pcpu_stats __percpu *stats;
	u32 generation;
	struct sipsteer_target previous[SIPSTEER_AF_COUNT];
	struct sipsteer_spec spec;
	/* SIPSTEER_MAX_ENDPOINTS of them, in the same allocation */
	struct sipsteer_ep_evidence *evidence;
};

/* A service; lives on sipsteer_net.services, touched under the lock. */
struct sipsteer_service {
	struct list_head node;
	struct rcu_head rcu;
	struct sipsteer_config *cfg;
	struct sipsteer_pcpu_stats __percpu *stats;
	u64 flushes;
	u64 flows_flushed;
};

struct sipsteer_slot {
	struct sipsteer_endpoint key;
	const struct sipsteer_config *cfg;	/* NULL: empty slot */
};

/* Immutable endpoint -> config hash table (open addressing). */
struct sipsteer_table {
	struct rcu_head rcu;
	u32 seed;
	u32 mask;			/* slots - 1, slots a power of two */
	unsigned int families;		/* BIT(enum sipsteer_af) in use */
	struct sipsteer_slot slots[];
};

/* The NAT core functions of one address family, see nat.c. */
enum sipsteer_hook {
	SIPSTEER_HOOK_STEER,		/* LOCAL_OUT: DNAT new flows */
	SIPSTEER_HOOK_CHECK_OUT,	/* POST_ROUTING: before confirmation */
	SIPSTEER_HOOK_CHECK_IN,		/* LOCAL_IN: before confirmation */
	SIPSTEER_HOOK_COUNT
};

struct sipsteer_net {
	struct net *net;
	struct mutex lock;		/* writers */
	struct list_head services;
	unsigned int n_services;
	u32 generation;			/* bumped on every change */
	struct sipsteer_table __rcu *table;
	unsigned int hooked;		/* BIT(enum sipsteer_af) hooked */
	struct nf_hook_ops ops[SIPSTEER_AF_COUNT][SIPSTEER_HOOK_COUNT];
	unsigned int watched;		/* BIT(enum sipsteer_af): ICMP hook */
	struct nf_hook_ops icmp_ops[SIPSTEER_AF_COUNT];
};

/*
 * What the NAT core's check functions decide for a new conntrack entry,
 * and the counter it goes to (verdict.c).
 */
enum sipsteer_verdict {
	SIPSTEER_NOT_MINE,		/* not a flow of any service: accept */
	SIPSTEER_STEERED,		/* DNATed to the active target: accept */
	SIPSTEER_PASSED,		/* no target for its family: accept */
	SIPSTEER_BYPASSED,		/* bypass mark: accept */
	SIPSTEER_REFUSED,		/* does not fit the table: drop */
};

/* Why a service operation failed, for netlink.c's error messages. */
enum sipsteer_why {
	SIPSTEER_WHY_NONE,
	SIPSTEER_WHY_EXISTS,		/* name taken, no REPLACE */
	SIPSTEER_WHY_ENDPOINT_TAKEN,	/* endpoint of another service */
	SIPSTEER_WHY_TOO_MANY,		/* SIPSTEER_MAX_SERVICES hit */
	SIPSTEER_WHY_NOENT,		/* no such service */
	SIPSTEER_WHY_STALE,		/* expected generation differs */
};

struct sipsteer_fail {
	enum sipsteer_why why;
	unsigned int endpoint;		/* index for ENDPOINT_TAKEN */
};

/* netns.c */
struct sipsteer_net *sipsteer_net(const struct net *net);
int sipsteer_netns_init(void);
void sipsteer_netns_exit(void);

/* service.c */
struct sipsteer_service *sipsteer_service_find(struct sipsteer_net *sn,
					       const char *name);
int sipsteer_service_add(struct sipsteer_net *sn,
			 const struct sipsteer_spec *spec, bool replace,
			 struct sipsteer_service **svcp,
			 struct sipsteer_fail *fail);
int sipsteer_service_set(struct sipsteer_net *sn, const char *name,
			 const struct sipsteer_target *targets,
			 const u32 *expect_generation,
			 struct sipsteer_service **svcp,
			 struct sipsteer_fail *fail);
int sipsteer_service_del(struct sipsteer_net *sn, const char *name,
			 u32 *generation, struct sipsteer_fail *fail);
int sipsteer_service_flush(struct sipsteer_net *sn, const char *name,
			   bool all, struct sipsteer_service **svcp,
			   unsigned int *flushed, struct sipsteer_fail *fail);
void sipsteer_service_stats(const struct sipsteer_service *svc,
			    struct sipsteer_stats *stats);
void sipsteer_service_destroy_all(struct sipsteer_net *sn);

/*
 * Internals the KUnit tests (sipsteer_kunit.ko, kunit.c) call: exported,
 * in the kernel's namespace for them, only when the kernel has KUnit.
 */
#if IS_ENABLED(CONFIG_KUNIT)
#define EXPORT_SYMBOL_FOR_SIPSTEER_KUNIT(sym) \
	EXPORT_SYMBOL_NS_GPL(sym, EXPORTED_FOR_KUNIT_TESTING)
#else
#define EXPORT_SYMBOL_FOR_SIPSTEER_KUNIT(sym)
#endif

/* table.c */
struct sipsteer_table *
sipsteer_table_build(const struct sipsteer_config *const *cfgs,
		     unsigned int n_cfgs);
void sipsteer_table_free(struct sipsteer_table *table);
const struct sipsteer_config *
sipsteer_table_find_dst(const struct sipsteer_table *table,
			const struct nf_conntrack_tuple *tuple);
const struct sipsteer_config *
sipsteer_table_find_src(const struct sipsteer_table *table,
			const struct nf_conntrack_tuple *tuple);
int sipsteer_endpoint_index(const struct sipsteer_config *cfg,
			    const struct nf_conntrack_tuple *tuple);

/* verdict.c: pure functions of a conntrack entry's two tuples */
enum sipsteer_verdict
sipsteer_verdict_out(const struct sipsteer_table *table,
		     const struct nf_conntrack_tuple *orig,
		     const struct nf_conntrack_tuple *reply, u32 skb_mark,
		     const struct sipsteer_config **cfgp);
enum sipsteer_verdict
sipsteer_verdict_in(const struct sipsteer_table *table,
		    const struct nf_conntrack_tuple *orig,
		    const struct sipsteer_config **cfgp);
bool sipsteer_flush_match(const struct sipsteer_table *old,
			  const struct sipsteer_table *new,
			  const struct sipsteer_service *svc, bool all,
			  const struct nf_conntrack_tuple *orig,
			  const struct nf_conntrack_tuple *reply);

/* nat.c */
void sipsteer_nat_init(struct sipsteer_net *sn);
int sipsteer_nat_sync(struct sipsteer_net *sn, unsigned int families);

/* flush.c */
unsigned int sipsteer_flush(struct net *net,
			    const struct sipsteer_table *old,
			    const struct sipsteer_table *new,
			    const struct sipsteer_service *svc, bool all);

/* evidence.c */
int sipsteer_evidence_init(void);
void sipsteer_evidence_exit(void);
void sipsteer_evidence_watch(struct nf_conn *ct,
			     const struct sipsteer_config *cfg);
void sipsteer_evidence_hooks_init(struct sipsteer_net *sn);
int sipsteer_evidence_sync(struct sipsteer_net *sn, unsigned int families);
void sipsteer_evidence_config_init(struct sipsteer_config *cfg);
void sipsteer_evidence_inherit(struct sipsteer_config *cfg,
			       const struct sipsteer_config *old);
void sipsteer_evidence_sum(const struct sipsteer_config *cfg,
			   unsigned int ep, u64 *counts);

/* netlink.c */
int sipsteer_genl_init(void);
void sipsteer_genl_exit(void);
void sipsteer_genl_evidence(struct net *net,
			    const struct sipsteer_config *cfg,
			    unsigned int ep, enum sipsteer_evidence what,
			    u32 suppressed);

#endif /* _SIPSTEER_H */
