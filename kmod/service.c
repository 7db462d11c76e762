// SPDX-License-Identifier: GPL-2.0
/*
 * sipsteer: services, their immutable configuration snapshots and the
 * endpoint lookup table the NAT hook reads.
 *
 * Every change follows the same steps under sipsteer_net.lock: change
 * the service list tentatively, build a whole new table (table.c), make
 * sure the NAT core functions it needs are registered, publish it with one
 * pointer store, wait for a grace period, flush the conntrack entries that
 * no longer fit, and free what readers may still hold after a grace
 * period. A single published pointer makes each change atomic for the
 * packet path.
 */
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/net_namespace.h>

#include "sipsteer.h"

static bool sipsteer_endpoint_equal(const struct sipsteer_endpoint *a,
				    const struct sipsteer_endpoint *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* Build the table for the current service list; NULL when it is empty. */
static struct sipsteer_table *sipsteer_table_rebuild(struct sipsteer_net *sn)
{
	const struct sipsteer_config *cfgs[SIPSTEER_MAX_SERVICES];
	struct sipsteer_service *svc;
	unsigned int n = 0;

	list_for_each_entry(svc, &sn->services, node)
		cfgs[n++] = svc->cfg;
	return sipsteer_table_build(cfgs, n);
}

static struct sipsteer_table *sipsteer_table_get(struct sipsteer_net *sn)
{
	return rcu_dereference_protected(sn->table,
					 lockdep_is_held(&sn->lock));
}

/* The address families of the watched services' endpoints. */
static unsigned int sipsteer_watched(struct sipsteer_net *sn)
{
	struct sipsteer_service *svc;
	unsigned int families = 0, i;

	list_for_each_entry(svc, &sn->services, node) {
		const struct sipsteer_spec *spec = &svc->cfg->spec;

		if (!spec->unreplied_ms)
			continue;
		for (i = 0; i < spec->n_endpoints; i++)
			families |= BIT(spec->endpoints[i].af);
	}
	return families;
}

/*
 * The address families the NAT core functions are needed for: those of
 * every endpoint and every active target. A service keeps its families
 * hooked while a controller moves servers in and out of its endpoints,
 * so a switch registers and unregisters nothing (registering patches
 * kernel text on every CPU when a hook is the first of its kind).
 */
static unsigned int sipsteer_families(struct sipsteer_net *sn)
{
	struct sipsteer_service *svc;
	unsigned int families = 0, i;

	list_for_each_entry(svc, &sn->services, node) {
		const struct sipsteer_spec *spec = &svc->cfg->spec;

		for (i = 0; i < spec->n_endpoints; i++)
			families |= BIT(spec->endpoints[i].af);
		for (i = 0; i < SIPSTEER_AF_COUNT; i++)
			if (spec->targets[i].active)
				families |= BIT(i);
	}
	return families;
}

/*
 * Publish a table built from the (already changed) service list. On
 * success *oldp is the previous table, which the caller flushes against
 * and then frees with sipsteer_table_free().
 */
static int sipsteer_publish(struct sipsteer_net *sn,
			    struct sipsteer_table **oldp)
{
	struct sipsteer_table *old = sipsteer_table_get(sn);
	struct sipsteer_table *new = sipsteer_table_rebuild(sn);
	unsigned int families = sipsteer_families(sn);
	unsigned int watched = sipsteer_watched(sn);
	unsigned int hooked = sn->hooked;
	int err;

	if (IS_ERR(new))
		return PTR_ERR(new);

	/* Hooks for new families go in before the table that needs them. */
	err = sipsteer_nat_sync(sn, hooked | families);
	if (!err)
		err = sipsteer_evidence_sync(sn, sn->watched | watched);
	if (err) {
		sipsteer_nat_sync(sn, hooked);
		kvfree(new);
		return err;
	}

	rcu_assign_pointer(sn->table, new);
	/* Only unregister, so they cannot fail. */
	sipsteer_evidence_sync(sn, watched);
	sipsteer_nat_sync(sn, families);
	/*
	 * An entry NATed from the old table is confirmed within the RCU
	 * read-side section that checked it against a table (nat.c): after a
	 * grace period, each one is either in conntrack for the walk to find
	 * or was checked against the new table, which refused it.
	 */
	synchronize_rcu();
	*oldp = old;
	return 0;
}

static void sipsteer_service_free_rcu(struct rcu_head *head)
{
	struct sipsteer_service *svc =
		container_of(head, struct sipsteer_service, rcu);

	free_percpu(svc->stats);
	kfree(svc);
}

/* Free a service that is no longer reachable from a published table. */
static void sipsteer_service_free(struct sipsteer_service *svc)
{
	kfree_rcu(svc->cfg, rcu);
	call_rcu(&svc->rcu, sipsteer_service_free_rcu);
}

/*
 * Allocations are charged to the caller's memory cgroup: with
 * GENL_UNS_ADMIN_PERM, a container's root may create services.
 */
static struct sipsteer_service *sipsteer_service_alloc(void)
{
	struct sipsteer_service *svc;
	int cpu;

	svc = kzalloc(sizeof(*svc), GFP_KERNEL_ACCOUNT);
	if (!svc)
		return NULL;
	svc->stats = alloc_percpu_gfp(struct sipsteer_pcpu_stats,
				      GFP_KERNEL_ACCOUNT);
	if (!svc->stats) {
		kfree(svc);
		return NULL;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(svc->stats, cpu)->syncp);
	return svc;
}

struct sipsteer_service *sipsteer_service_find(struct sipsteer_net *sn,
					       const char *name)
{
	struct sipsteer_service *svc;

	lockdep_assert_held(&sn->lock);
	list_for_each_entry(svc, &sn->services, node)
		if (!strcmp(svc->cfg->spec.name, name))
			return svc;
	return NULL;
}

/* An endpoint may belong to only one service of a namespace. */
static int sipsteer_endpoint_taken(struct sipsteer_net *sn,
				   const struct sipsteer_spec *spec,
				   const struct sipsteer_service *self)
{
	const struct sipsteer_endpoint *mine, *theirs;
	const struct sipsteer_service *svc;
	unsigned int i, j;

	list_for_each_entry(svc, &sn->services, node) {
		if (svc == self)
			continue;
		theirs = svc->cfg->spec.endpoints;
		for (i = 0; i < spec->n_endpoints; i++) {
			mine = &spec->endpoints[i];
			for (j = 0; j < svc->cfg->spec.n_endpoints; j++)
				if (sipsteer_endpoint_equal(mine, &theirs[j]))
					return i;
		}
	}
	return -1;
}

static struct sipsteer_config *
sipsteer_config_new(struct sipsteer_net *sn, struct sipsteer_service *svc,
		    const struct sipsteer_spec *spec)
{
	struct sipsteer_config *cfg;

	cfg = kzalloc(sizeof(*cfg) +
		      SIPSTEER_MAX_ENDPOINTS * sizeof(*cfg->evidence),
		      GFP_KERNEL_ACCOUNT);
	if (!cfg)
		return NULL;
	cfg->evidence = (struct sipsteer_ep_evidence *)(cfg + 1);
	sipsteer_evidence_config_init(cfg);
	cfg->svc = svc;
	cfg->stats = svc->stats;
	cfg->generation = sn->generation + 1;
	cfg->spec = *spec;
	return cfg;
}

/*
 * The targets @old (the configuration @cfg replaces) NATed to, where they
 * differ from @cfg's: entries NATed there are this service's, and stale.
 */
static void sipsteer_config_inherit(struct sipsteer_config *cfg,
				    const struct sipsteer_config *old)
{
	const struct sipsteer_target *was = old->spec.targets;
	int af;

	for (af = 0; af < SIPSTEER_AF_COUNT; af++)
		if (memcmp(&was[af], &cfg->spec.targets[af], sizeof(was[af])))
			cfg->previous[af] = was[af];
}

static void sipsteer_count_flush(struct sipsteer_service *svc,
				 unsigned int flushed)
{
	svc->flushes++;
	svc->flows_flushed += flushed;
}

/*
 * Create a service or, with @replace, replace an existing one's whole
 * configuration (its counters are kept). Caller holds sn->lock.
 */
int sipsteer_service_add(struct sipsteer_net *sn,
			 const struct sipsteer_spec *spec, bool replace,
			 struct sipsteer_service **svcp,
			 struct sipsteer_fail *fail)
{
	struct sipsteer_service *svc, *fresh = NULL;
	struct sipsteer_config *cfg, *old_cfg = NULL;
	struct sipsteer_table *old;
	unsigned int flushed;
	int taken, err;

	lockdep_assert_held(&sn->lock);

	svc = sipsteer_service_find(sn, spec->name);
	if (svc && !replace) {
		fail->why = SIPSTEER_WHY_EXISTS;
		return -EEXIST;
	}
	taken = sipsteer_endpoint_taken(sn, spec, svc);
	if (taken >= 0) {
		fail->why = SIPSTEER_WHY_ENDPOINT_TAKEN;
		fail->endpoint = taken;
		return -EEXIST;
	}
	if (!svc && sn->n_services >= SIPSTEER_MAX_SERVICES) {
		fail->why = SIPSTEER_WHY_TOO_MANY;
		return -ENOSPC;
	}

	if (!svc) {
		fresh = sipsteer_service_alloc();
		if (!fresh)
			return -ENOMEM;
		svc = fresh;
	}
	cfg = sipsteer_config_new(sn, svc, spec);
	if (!cfg) {
		err = -ENOMEM;
		goto out_free;
	}
	if (!fresh)
		sipsteer_config_inherit(cfg, svc->cfg);

	if (fresh) {
		svc->cfg = cfg;
		list_add_tail(&svc->node, &sn->services);
		sn->n_services++;
	} else {
		old_cfg = svc->cfg;
		svc->cfg = cfg;
	}

	err = sipsteer_publish(sn, &old);
	if (err) {
		if (fresh) {
			list_del(&svc->node);
			sn->n_services--;
		} else {
			svc->cfg = old_cfg;
		}
		kfree(cfg);
		goto out_free;
	}
	sn->generation++;

	/* After the grace period: nothing counts on old_cfg any more. */
	if (old_cfg)
		sipsteer_evidence_inherit(cfg, old_cfg);
	flushed = sipsteer_flush(sn->net, old, sipsteer_table_get(sn), svc,
				 false);
	svc->flows_flushed += flushed;
	sipsteer_table_free(old);
	if (old_cfg)
		kfree_rcu(old_cfg, rcu);
	*svcp = svc;
	return 0;

out_free:
	if (fresh) {
		free_percpu(fresh->stats);
		kfree(fresh);
	}
	return err;
}

/*
 * Switch the active targets atomically, then remove the conntrack
 * entries of the service's flows that do not point at them, so that
 * datagram flows move on their next packet. Caller holds sn->lock.
 */
int sipsteer_service_set(struct sipsteer_net *sn, const char *name,
			 const struct sipsteer_target *targets,
			 const u32 *expect_generation,
			 struct sipsteer_service **svcp,
			 struct sipsteer_fail *fail)
{
	struct sipsteer_config *cfg, *old_cfg;
	struct sipsteer_service *svc;
	struct sipsteer_table *old;
	unsigned int flushed;
	int err;

	lockdep_assert_held(&sn->lock);

	svc = sipsteer_service_find(sn, name);
	if (!svc) {
		fail->why = SIPSTEER_WHY_NOENT;
		return -ENOENT;
	}
	old_cfg = svc->cfg;
	if (expect_generation && *expect_generation != old_cfg->generation) {
		fail->why = SIPSTEER_WHY_STALE;
		return -ESTALE;
	}

	cfg = sipsteer_config_new(sn, svc, &old_cfg->spec);
	if (!cfg)
		return -ENOMEM;
	memcpy(cfg->spec.targets, targets, sizeof(cfg->spec.targets));
	sipsteer_config_inherit(cfg, old_cfg);

	svc->cfg = cfg;
	err = sipsteer_publish(sn, &old);
	if (err) {
		svc->cfg = old_cfg;
		kfree(cfg);
		return err;
	}
	sn->generation++;

	sipsteer_evidence_inherit(cfg, old_cfg);
	flushed = sipsteer_flush(sn->net, old, sipsteer_table_get(sn), svc,
				 false);
	sipsteer_count_flush(svc, flushed);
	sipsteer_table_free(old);
	kfree_rcu(old_cfg, rcu);
	*svcp = svc;
	return 0;
}

/*
 * Delete a service; its flows that were NATed are flushed so nothing
 * keeps steering them. Caller holds sn->lock.
 */
int sipsteer_service_del(struct sipsteer_net *sn, const char *name,
			 u32 *generation, struct sipsteer_fail *fail)
{
	struct sipsteer_service *svc;
	struct sipsteer_table *old;
	struct list_head *prev;
	int err;

	lockdep_assert_held(&sn->lock);

	svc = sipsteer_service_find(sn, name);
	if (!svc) {
		fail->why = SIPSTEER_WHY_NOENT;
		return -ENOENT;
	}

	prev = svc->node.prev;
	list_del(&svc->node);
	sn->n_services--;
	err = sipsteer_publish(sn, &old);
	if (err) {
		list_add(&svc->node, prev);
		sn->n_services++;
		return err;
	}
	*generation = ++sn->generation;

	sipsteer_flush(sn->net, old, sipsteer_table_get(sn), svc, false);
	sipsteer_table_free(old);
	sipsteer_service_free(svc);
	return 0;
}

/*
 * Remove the conntrack entries of a service's flows that do not point at
 * its active target, or all of them with @all. Caller holds sn->lock.
 */
int sipsteer_service_flush(struct sipsteer_net *sn, const char *name,
			   bool all, struct sipsteer_service **svcp,
			   unsigned int *flushed, struct sipsteer_fail *fail)
{
	struct sipsteer_table *table = sipsteer_table_get(sn);
	struct sipsteer_service *svc;

	svc = sipsteer_service_find(sn, name);
	if (!svc) {
		fail->why = SIPSTEER_WHY_NOENT;
		return -ENOENT;
	}
	*flushed = sipsteer_flush(sn->net, table, table, svc, all);
	sipsteer_count_flush(svc, *flushed);
	*svcp = svc;
	return 0;
}

void sipsteer_service_stats(const struct sipsteer_service *svc,
			    struct sipsteer_stats *stats)
{
	unsigned int i;
	int cpu;

	memset(stats, 0, sizeof(*stats));
	for_each_possible_cpu(cpu) {
		const struct sipsteer_pcpu_stats *pcpu;
		u64 steered, passed, bypassed, refused;
		unsigned int start;

		pcpu = per_cpu_ptr(svc->stats, cpu);
		do {
			start = u64_stats_fetch_begin(&pcpu->syncp);
			steered = u64_stats_read(&pcpu->steered);
			passed = u64_stats_read(&pcpu->passed);
			bypassed = u64_stats_read(&pcpu->bypassed);
			refused = u64_stats_read(&pcpu->refused);
		} while (u64_stats_fetch_retry(&pcpu->syncp, start));
		stats->steered += steered;
		stats->passed += passed;
		stats->bypassed += bypassed;
		stats->refused += refused;
	}
	stats->flushes = svc->flushes;
	stats->flows_flushed = svc->flows_flushed;
	for (i = 0; i < svc->cfg->spec.n_endpoints; i++)
		sipsteer_evidence_sum(svc->cfg, i, stats->evidence);
}

/*
 * Namespace exit or module unload, after the NAT functions are gone and a
 * grace period has passed: free everything. On unload, first remove every
 * flow the services NATed, so no stale NAT outlives the module; a
 * namespace being dismantled needs no walk, conntrack removes all of its
 * entries itself.
 */
void sipsteer_service_destroy_all(struct sipsteer_net *sn)
{
	struct sipsteer_service *svc, *tmp;
	struct sipsteer_table *table;

	mutex_lock(&sn->lock);
	table = rcu_replace_pointer(sn->table, NULL,
				    lockdep_is_held(&sn->lock));
	if (table && check_net(sn->net))
		sipsteer_flush(sn->net, table, NULL, NULL, false);
	sipsteer_table_free(table);
	list_for_each_entry_safe(svc, tmp, &sn->services, node) {
		list_del(&svc->node);
		sipsteer_service_free(svc);
	}
	sn->n_services = 0;
	mutex_unlock(&sn->lock);
}
