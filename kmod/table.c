// SPDX-License-Identifier: GPL-2.0
/*
 * sipsteer: the endpoint lookup table.
 *
 * An immutable open-addressing hash from (address family, protocol,
 * address, port) to the configuration that owns the endpoint. It is
 * rebuilt whole on every change (at most SIPSTEER_MAX_SERVICES *
 * SIPSTEER_MAX_ENDPOINTS keys) and published with one pointer store, so
 * readers see either the whole old table or the whole new one.
 */
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "sipsteer.h"

static bool sipsteer_endpoint_equal(const struct sipsteer_endpoint *a,
				    const struct sipsteer_endpoint *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static u32 sipsteer_endpoint_hash(const struct sipsteer_endpoint *ep,
				  u32 seed)
{
	BUILD_BUG_ON(sizeof(*ep) % sizeof(u32));
	return jhash2((const u32 *)ep, sizeof(*ep) / sizeof(u32), seed);
}

static const struct sipsteer_config *
sipsteer_table_find(const struct sipsteer_table *table,
		    const struct sipsteer_endpoint *key)
{
	u32 i = sipsteer_endpoint_hash(key, table->seed);

	/* Never full: the table has at least twice as many slots as keys. */
	for (;; i++) {
		const struct sipsteer_slot *slot;

		slot = &table->slots[i & table->mask];
		if (!slot->cfg)
			return NULL;
		if (sipsteer_endpoint_equal(&slot->key, key))
			return slot->cfg;
	}
}

/*
 * The lookup key of one end of a conntrack tuple: its protocol, and the
 * address and port of @dst ? its destination : its source. False when
 * no endpoint can have it.
 */
static bool sipsteer_endpoint_key(const struct nf_conntrack_tuple *tuple,
				  bool dst, struct sipsteer_endpoint *key)
{
	const union nf_inet_addr *addr = dst ? &tuple->dst.u3 : &tuple->src.u3;

	memset(key, 0, sizeof(*key));
	if (tuple->dst.protonum != IPPROTO_UDP &&
	    tuple->dst.protonum != IPPROTO_TCP)
		return false;

	switch (tuple->src.l3num) {
	case NFPROTO_IPV4:
		key->af = SIPSTEER_AF_INET;
		key->addr.ip = addr->ip;
		break;
	case NFPROTO_IPV6:
		key->af = SIPSTEER_AF_INET6;
		key->addr.in6 = addr->in6;
		break;
	default:
		return false;
	}
	key->port = dst ? tuple->dst.u.all : tuple->src.u.all;
	key->proto = tuple->dst.protonum;
	return true;
}

/*
 * The table's answer for one end of a conntrack tuple. Runs in the NAT
 * core's functions (RCU) and in the flush filter (conntrack bucket lock
 * held), so it must not sleep.
 */
static const struct sipsteer_config *
sipsteer_table_find_end(const struct sipsteer_table *table,
			const struct nf_conntrack_tuple *tuple, bool dst)
{
	struct sipsteer_endpoint key;

	if (!table || !sipsteer_endpoint_key(tuple, dst, &key))
		return NULL;
	if (!(table->families & BIT(key.af)))
		return NULL;
	return sipsteer_table_find(table, &key);
}

/* The configuration whose endpoint is the tuple's destination. */
const struct sipsteer_config *
sipsteer_table_find_dst(const struct sipsteer_table *table,
			const struct nf_conntrack_tuple *tuple)
{
	return sipsteer_table_find_end(table, tuple, true);
}
EXPORT_SYMBOL_FOR_SIPSTEER_KUNIT(sipsteer_table_find_dst);

/* The configuration whose endpoint is the tuple's source. */
const struct sipsteer_config *
sipsteer_table_find_src(const struct sipsteer_table *table,
			const struct nf_conntrack_tuple *tuple)
{
	return sipsteer_table_find_end(table, tuple, false);
}
EXPORT_SYMBOL_FOR_SIPSTEER_KUNIT(sipsteer_table_find_src);

/* The index of the tuple's destination in @cfg's endpoints, or -1. */
int sipsteer_endpoint_index(const struct sipsteer_config *cfg,
			    const struct nf_conntrack_tuple *tuple)
{
	const struct sipsteer_spec *spec = &cfg->spec;
	struct sipsteer_endpoint key;
	unsigned int i;

	if (!sipsteer_endpoint_key(tuple, true, &key))
		return -1;
	for (i = 0; i < spec->n_endpoints; i++)
		if (sipsteer_endpoint_equal(&spec->endpoints[i], &key))
			return i;
	return -1;
}
EXPORT_SYMBOL_FOR_SIPSTEER_KUNIT(sipsteer_endpoint_index);

static void sipsteer_table_insert(struct sipsteer_table *table,
				  const struct sipsteer_endpoint *key,
				  const struct sipsteer_config *cfg)
{
	u32 i = sipsteer_endpoint_hash(key, table->seed);

	while (table->slots[i & table->mask].cfg)
		i++;
	table->slots[i & table->mask].key = *key;
	table->slots[i & table->mask].cfg = cfg;
	table->families |= BIT(key->af);
}

/**
 * sipsteer_table_build - build the lookup table of some configurations
 * @cfgs: the configurations, one per service; their endpoints are unique
 * @n_cfgs: how many
 *
 * Return: the table, NULL when there is no endpoint at all, or
 * ERR_PTR(-ENOMEM). Sleeps.
 */
struct sipsteer_table *
sipsteer_table_build(const struct sipsteer_config *const *cfgs,
		     unsigned int n_cfgs)
{
	struct sipsteer_table *table;
	unsigned int n = 0, slots, i, j;

	for (i = 0; i < n_cfgs; i++)
		n += cfgs[i]->spec.n_endpoints;
	if (!n)
		return NULL;

	slots = roundup_pow_of_two(2 * n);
	table = kvzalloc(struct_size(table, slots, slots), GFP_KERNEL_ACCOUNT);
	if (!table)
		return ERR_PTR(-ENOMEM);
	table->seed = get_random_u32();
	table->mask = slots - 1;

	for (i = 0; i < n_cfgs; i++) {
		const struct sipsteer_spec *spec = &cfgs[i]->spec;

		for (j = 0; j < spec->n_endpoints; j++)
			sipsteer_table_insert(table, &spec->endpoints[j],
					      cfgs[i]);
	}
	return table;
}
EXPORT_SYMBOL_FOR_SIPSTEER_KUNIT(sipsteer_table_build);

/* Free a table after a grace period: readers may still hold it. */
void sipsteer_table_free(struct sipsteer_table *table)
{
	if (table)
		kvfree_rcu(table, rcu);
}
EXPORT_SYMBOL_FOR_SIPSTEER_KUNIT(sipsteer_table_free);
