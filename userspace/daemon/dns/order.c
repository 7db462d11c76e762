// SPDX-License-Identifier: GPL-2.0
/* NAPTR selection and SRV ordering; see order.h. */
#include "dns/order.h"

#include <strings.h>

const char *dns_naptr_service(enum tp_proto proto)
{
	switch (proto) {
	case TP_TCP:
		return "SIP+D2T";
	case TP_TLS:
		return "SIPS+D2T";
	case TP_UDP:
	default:
		return "SIP+D2U";
	}
}

const char *dns_srv_prefix(enum tp_proto proto)
{
	switch (proto) {
	case TP_TCP:
		return "_sip._tcp";
	case TP_TLS:
		return "_sips._tcp";
	case TP_UDP:
	default:
		return "_sip._udp";
	}
}

uint16_t dns_default_port(enum tp_proto proto)
{
	return proto == TP_TLS ? 5061 : 5060;
}

static int naptr_before(const struct dns_naptr *a, const struct dns_naptr *b)
{
	if (a->order != b->order)
		return a->order < b->order;
	return a->pref < b->pref;
}

size_t dns_naptr_select(struct dns_naptr *v, size_t n, enum tp_proto proto)
{
	const char *svc = dns_naptr_service(proto);
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(v[i].service, svc) ||
		    strcasecmp(v[i].flags, "s"))
			continue;
		if (k != i)
			v[k] = v[i];
		k++;
	}
	/* Insertion sort: stable, and the lists are a handful long. */
	for (size_t i = 1; i < k; i++) {
		struct dns_naptr t = v[i];
		size_t j = i;

		while (j > 0 && naptr_before(&t, &v[j - 1])) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = t;
	}
	return k;
}

static void srv_swap(struct dns_srv *a, struct dns_srv *b)
{
	struct dns_srv t = *a;

	*a = *b;
	*b = t;
}

static uint32_t rng_below(dns_rng_fn rng, void *ctx, uint64_t bound)
{
	return (uint32_t)(rng(ctx) % bound);
}

/* RFC 2782 selection within v[0..n), all of one priority. */
static void srv_order_group(struct dns_srv *v, size_t n, dns_rng_fn rng,
			    void *ctx)
{
	size_t zeros = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i].weight == 0)
			srv_swap(&v[zeros++], &v[i]);
	/* Fisher-Yates over the weight-0 head. */
	for (size_t i = zeros; i > 1; i--)
		srv_swap(&v[i - 1], &v[rng_below(rng, ctx, i)]);

	for (size_t start = 0; start + 1 < n; start++) {
		uint64_t total = 0, sum = 0, pick;
		size_t i;

		for (i = start; i < n; i++)
			total += v[i].weight;
		pick = rng_below(rng, ctx, total + 1);
		for (i = start; i < n; i++) {
			sum += v[i].weight;
			if (sum >= pick)
				break;
		}
		if (i >= n)
			i = n - 1;
		/* Keep the rest in place so the zeros stay ahead. */
		struct dns_srv t = v[i];

		for (size_t j = i; j > start; j--)
			v[j] = v[j - 1];
		v[start] = t;
	}
}

void dns_srv_order(struct dns_srv *v, size_t n, dns_rng_fn rng, void *ctx)
{
	for (size_t i = 1; i < n; i++) {
		struct dns_srv t = v[i];
		size_t j = i;

		while (j > 0 && t.priority < v[j - 1].priority) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = t;
	}
	for (size_t s = 0; s < n;) {
		size_t e = s + 1;

		while (e < n && v[e].priority == v[s].priority)
			e++;
		srv_order_group(v + s, e - s, rng, ctx);
		s = e;
	}
}

uint32_t dns_xorshift_next(void *ctx)
{
	struct dns_xorshift *x = ctx;

	if (!x->s)
		x->s = 0x9e3779b97f4a7c15ull;
	x->s ^= x->s >> 12;
	x->s ^= x->s << 25;
	x->s ^= x->s >> 27;
	return (uint32_t)((x->s * 0x2545f4914f6cdd08ull) >> 32);
}
