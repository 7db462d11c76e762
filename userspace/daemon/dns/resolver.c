// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 3263 server location: NAPTR -> SRV -> A/AAAA over c-ares, one
 * cache entry per (host, port, transport) shared by every caller, and
 * the last good answer kept for when DNS is unreachable.
 *
 * Choices where the RFCs leave room:
 * - NAPTR records that exist but none for our transport: SRV is tried
 *   anyway (as if there were no NAPTR).
 * - A step "fails" only when it got nothing and some query had no
 *   answer (timeout, SERVFAIL, REFUSED): then the whole lookup is an
 *   outage (stale answer or DNS_FAILED), never a fall-through. A step
 *   that got some records ignores its other queries' failures.
 * - SRV target "." is dropped; no SRV left means the host's A/AAAA.
 * - "No such record" at the end withdraws the cached answer.
 * - TTL = the smallest of the records used (NAPTR, SRV, CNAME, A/AAAA).
 */
#include "dns/resolver.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "core/log.h"
#include "core/loop.h"
#include "dns/answer.h"
#include "dns/ares_loop.h"
#include "dns/order.h"

#define LK_MAX_NAMES	8	/* SRV names from NAPTR */
#define LK_MAX_TARGETS	16	/* hosts to look up addresses for */
#define LK_MAX_ADDRS	8	/* addresses per host and family */

enum lk_step {
	LK_NAPTR,
	LK_SRV,
	LK_ADDR,
};

struct lk_target {
	char name[DNS_NAME_MAX + 1];
	uint16_t port, priority, weight;
	unsigned int n6, n4;
	struct dns_addr a6[LK_MAX_ADDRS], a4[LK_MAX_ADDRS];
};

struct lookup;

struct query {
	struct lookup *lk;
	unsigned int idx;
	int type;
	char name[DNS_NAME_MAX + 1];
};

struct lookup {
	struct resolver *r;
	struct dns_entry *e;
	enum lk_step step;
	unsigned int pending;	/* queries in flight in this step */
	bool unreachable;	/* some query got no answer at all */
	char why[64];
	uint32_t ttl;
	unsigned int n_names;
	char names[LK_MAX_NAMES][DNS_NAME_MAX + 1];
	unsigned int n_srv[LK_MAX_NAMES];
	struct dns_srv srv[LK_MAX_NAMES][DNS_ANSWER_MAX];
	unsigned int n_targets;
	struct lk_target targets[LK_MAX_TARGETS];
	unsigned int n_extra;
	struct dns_addr extra[DNS_ANSWER_MAX];
	struct dns_answer ans;	/* scratch for one response */
};

struct dns_entry {
	struct dns_entry *next;
	char host[DNS_NAME_MAX + 1];
	uint16_t port;
	enum tp_proto proto;
	bool good;		/* servers hold the last good answer */
	struct sip_server *servers;
	unsigned int n_servers;
	uint32_t ttl_s;
	uint64_t fetched_ms;
	struct lookup *lk;	/* in flight */
};

struct waiter {
	struct waiter *next;
	struct dns_entry *e;	/* NULL: an IP literal, answered by lit */
	resolver_cb cb;
	void *arg;
	bool ready;
	enum dns_status status;
	struct sip_server lit;
};

struct resolver {
	struct loop *loop;
	struct ares_loop al;
	struct dns_entry *entries;
	struct waiter *waiters;
	struct loop_timer deliver;
	dns_rng_fn rng;
	void *rng_ctx;
	struct dns_xorshift xs;
	bool freeing;
};

static void lk_step_done(struct lookup *lk);

static void resolver_on_deliver(void *arg)
{
	struct resolver *r = arg;

	for (;;) {
		struct waiter **pp = &r->waiters, *w;
		struct dns_result res = { 0 };

		while (*pp && !(*pp)->ready)
			pp = &(*pp)->next;
		w = *pp;
		if (!w)
			break;
		/* Unlinked first: the callback may resolve or cancel. */
		*pp = w->next;
		res.status = w->status;
		if (!w->e) {
			res.servers = &w->lit;
			res.n_servers = 1;
			res.ttl_s = DNS_TTL_FOREVER;
		} else if (w->status == DNS_OK || w->status == DNS_STALE) {
			struct dns_entry *e = w->e;
			uint64_t age = loop_now_ms(r->loop) - e->fetched_ms;

			res.servers = e->servers;
			res.n_servers = e->n_servers;
			if (w->status == DNS_STALE)
				res.ttl_s = DNS_STALE_RETRY_S;
			else if (age / 1000 < e->ttl_s)
				res.ttl_s = e->ttl_s - (uint32_t)(age / 1000);
		}
		w->cb(w->arg, &res);
		free(w);
	}
}

/* Callers are answered in the order they asked. */
static void waiter_append(struct resolver *r, struct waiter *w)
{
	struct waiter **pp = &r->waiters;

	while (*pp)
		pp = &(*pp)->next;
	*pp = w;
}

static void waiter_ready(struct resolver *r, struct waiter *w,
			 enum dns_status st)
{
	w->ready = true;
	w->status = st;
	if (!loop_timer_pending(&r->deliver))
		loop_timer_start(r->loop, &r->deliver, 0, resolver_on_deliver,
				 r);
}

static void why_set(struct lookup *lk, int status)
{
	if (!lk->unreachable)
		snprintf(lk->why, sizeof(lk->why), "%s",
			 ares_strerror(status));
	lk->unreachable = true;
}

static void ttl_take(struct lookup *lk, uint32_t ttl)
{
	if (ttl < lk->ttl)
		lk->ttl = ttl;
}

static void addr_to_server(const struct lk_target *t, const struct dns_addr *a,
			   enum tp_proto proto, struct sip_server *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->target, sizeof(s->target), "%s", t->name);
	s->proto = proto;
	s->priority = t->priority;
	s->weight = t->weight;
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&s->addr;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(t->port);
		memcpy(&sin6->sin6_addr, a->addr, 16);
		s->addr_len = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&s->addr;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(t->port);
		memcpy(&sin->sin_addr, a->addr, 4);
		s->addr_len = sizeof(*sin);
	}
}

static void lk_finish(struct lookup *lk, enum dns_status st)
{
	struct resolver *r = lk->r;
	struct dns_entry *e = lk->e;
	uint64_t now = loop_now_ms(r->loop);

	if (st == DNS_OK) {
		struct sip_server *v;
		unsigned int n = 0;

		for (unsigned int i = 0; i < lk->n_targets; i++)
			n += lk->targets[i].n6 + lk->targets[i].n4;
		v = calloc(n, sizeof(*v));
		if (!v) {
			log_err("dns: %s: out of memory", e->host);
			st = e->good ? DNS_STALE : DNS_FAILED;
			goto out;
		}
		n = 0;
		for (unsigned int i = 0; i < lk->n_targets; i++) {
			struct lk_target *t = &lk->targets[i];

			for (unsigned int j = 0; j < t->n6; j++)
				addr_to_server(t, &t->a6[j], e->proto, &v[n++]);
			for (unsigned int j = 0; j < t->n4; j++)
				addr_to_server(t, &t->a4[j], e->proto, &v[n++]);
		}
		free(e->servers);
		e->servers = v;
		e->n_servers = n;
		e->ttl_s = lk->ttl;
		e->fetched_ms = now;
		e->good = true;
		log_debug("dns: %s: %u server(s), TTL %u s", e->host, n,
			  lk->ttl);
	} else if (st == DNS_NOT_FOUND) {
		/* An authoritative "no such record": the old answer is
		 * withdrawn, not kept. */
		free(e->servers);
		e->servers = NULL;
		e->n_servers = 0;
		e->good = false;
		log_warn("dns: %s: no %s server found (NAPTR, SRV, A/AAAA)",
			 e->host, tp_proto_name(e->proto));
	} else if (e->good) {
		st = DNS_STALE;
		log_warn("dns: %s: DNS unreachable (%s), using the last good answer from %llu s ago",
			 e->host, lk->why,
			 (unsigned long long)((now - e->fetched_ms) / 1000));
	} else {
		st = DNS_FAILED;
		log_err("dns: %s: DNS unreachable (%s), no earlier answer",
			e->host, lk->why);
	}
out:
	e->lk = NULL;
	free(lk);
	for (struct waiter *w = r->waiters; w; w = w->next)
		if (w->e == e && !w->ready)
			waiter_ready(r, w, st);
}

/* c-ares status -> "no such record" (0) or "no answer" (1). */
static int status_unreachable(int status)
{
	switch (status) {
	case ARES_ENODATA:
	case ARES_ENOTFOUND:
	case ARES_ENOTIMP:
	case ARES_EBADNAME:
		return 0;
	default:
		return 1;
	}
}

/* One address of @t; its TTL counts only when the address is kept. */
static void target_add(struct lookup *lk, struct lk_target *t,
		       const struct dns_addr *d)
{
	if (d->family == AF_INET6 && t->n6 < LK_MAX_ADDRS)
		t->a6[t->n6++] = *d;
	else if (d->family == AF_INET && t->n4 < LK_MAX_ADDRS)
		t->a4[t->n4++] = *d;
	else
		return;
	ttl_take(lk, d->ttl);
}

static void lk_on_answer(void *arg, int status, int timeouts,
			 unsigned char *abuf, int alen)
{
	struct query *q = arg;
	struct lookup *lk = q->lk;
	struct dns_answer *a = &lk->ans;
	int err;

	(void)timeouts;
	lk->pending--;
	if (lk->r->freeing || status == ARES_EDESTRUCTION ||
	    status == ARES_ECANCELLED)
		goto out;
	if (status != ARES_SUCCESS) {
		if (status_unreachable(status))
			why_set(lk, status);
		goto done;
	}
	err = dns_answer_parse(abuf, (size_t)alen, q->name, (uint16_t)q->type,
			       a);
	if (err) {
		why_set(lk, ARES_EBADRESP);
		goto done;
	}
	/* Hints for the address step (RFC 2782 additional data). */
	for (size_t i = 0; i < a->n_extra && lk->n_extra < DNS_ANSWER_MAX; i++)
		lk->extra[lk->n_extra++] = a->extra[i];

	if (q->type == ns_t_naptr) {
		size_t n = dns_naptr_select(a->naptr, a->n_naptr,
					    lk->e->proto);

		for (size_t i = 0; i < n && lk->n_names < LK_MAX_NAMES; i++) {
			if (!a->naptr[i].replacement[0])
				continue;
			memcpy(lk->names[lk->n_names++],
			       a->naptr[i].replacement, DNS_NAME_MAX + 1);
			ttl_take(lk, a->naptr[i].ttl);
		}
	} else if (q->type == ns_t_srv) {
		unsigned int k = 0;

		for (size_t i = 0; i < a->n_srv; i++) {
			/* "." means: decidedly not offered here. */
			if (!a->srv[i].target[0])
				continue;
			lk->srv[q->idx][k++] = a->srv[i];
		}
		lk->n_srv[q->idx] = k;
	} else {
		struct lk_target *t = &lk->targets[q->idx];

		for (size_t i = 0; i < a->n_addr; i++)
			target_add(lk, t, &a->addr[i]);
		if (a->n_addr && a->cname_ttl != UINT32_MAX)
			ttl_take(lk, a->cname_ttl);
	}
done:
	if (!lk->pending)
		lk_step_done(lk);
out:
	free(q);
}

static void lk_query(struct lookup *lk, const char *name, int type,
		     unsigned int idx)
{
	struct query *q = calloc(1, sizeof(*q));

	if (!q) {
		snprintf(lk->why, sizeof(lk->why), "out of memory");
		lk->unreachable = true;
		return;
	}
	q->lk = lk;
	q->idx = idx;
	q->type = type;
	snprintf(q->name, sizeof(q->name), "%s", name);
	lk->pending++;
	ares_loop_query(&lk->r->al, name, type, lk_on_answer, q);
}

static bool target_from_extra(struct lookup *lk, struct lk_target *t)
{
	for (unsigned int i = 0; i < lk->n_extra; i++) {
		struct dns_addr *d = &lk->extra[i];

		if (!strcasecmp(d->name, t->name))
			target_add(lk, t, d);
	}
	return t->n6 || t->n4;
}

static void lk_start_addr(struct lookup *lk)
{
	lk->step = LK_ADDR;
	lk->pending++;	/* hold: answers may come back synchronously */
	for (unsigned int i = 0; i < lk->n_targets; i++) {
		struct lk_target *t = &lk->targets[i];

		if (target_from_extra(lk, t))
			continue;
		lk_query(lk, t->name, ns_t_aaaa, i);
		lk_query(lk, t->name, ns_t_a, i);
	}
	if (!--lk->pending)
		lk_step_done(lk);
}

static void lk_add_target(struct lookup *lk, const char *name, uint16_t port,
			  uint16_t prio, uint16_t weight)
{
	struct lk_target *t;

	if (lk->n_targets >= LK_MAX_TARGETS)
		return;
	t = &lk->targets[lk->n_targets++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->port = port;
	t->priority = prio;
	t->weight = weight;
}

static void lk_start_srv(struct lookup *lk)
{
	lk->step = LK_SRV;
	if (!lk->n_names) {
		int n = snprintf(lk->names[0], sizeof(lk->names[0]), "%s.%s",
				 dns_srv_prefix(lk->e->proto), lk->e->host);

		/* A name too long for SRV can still have A/AAAA. */
		if (n > 0 && (size_t)n < sizeof(lk->names[0]))
			lk->n_names = 1;
	}
	lk->pending++;
	for (unsigned int i = 0; i < lk->n_names; i++)
		lk_query(lk, lk->names[i], ns_t_srv, i);
	if (!--lk->pending)
		lk_step_done(lk);
}

static void lk_srv_done(struct lookup *lk)
{
	struct dns_entry *e = lk->e;

	for (unsigned int i = 0; i < lk->n_names; i++) {
		dns_srv_order(lk->srv[i], lk->n_srv[i], lk->r->rng,
			      lk->r->rng_ctx);
		for (unsigned int j = 0; j < lk->n_srv[i]; j++) {
			struct dns_srv *s = &lk->srv[i][j];

			lk_add_target(lk, s->target, s->port, s->priority,
				      s->weight);
			ttl_take(lk, s->ttl);
		}
	}
	if (lk->n_targets) {
		lk_start_addr(lk);
		return;
	}
	if (lk->unreachable) {
		lk_finish(lk, DNS_FAILED);
		return;
	}
	/* RFC 3263 4.2: no SRV either, the host itself on the default
	 * port. */
	lk_add_target(lk, e->host, dns_default_port(e->proto), 0, 0);
	lk_start_addr(lk);
}

static void lk_step_done(struct lookup *lk)
{
	switch (lk->step) {
	case LK_NAPTR:
		if (lk->unreachable)
			lk_finish(lk, DNS_FAILED);
		else
			lk_start_srv(lk);
		return;
	case LK_SRV:
		lk_srv_done(lk);
		return;
	case LK_ADDR:
		for (unsigned int i = 0; i < lk->n_targets; i++)
			if (lk->targets[i].n6 || lk->targets[i].n4) {
				lk_finish(lk, DNS_OK);
				return;
			}
		lk_finish(lk, lk->unreachable ? DNS_FAILED : DNS_NOT_FOUND);
		return;
	}
}

static void entry_lookup(struct resolver *r, struct dns_entry *e)
{
	struct lookup *lk = calloc(1, sizeof(*lk));

	if (!lk) {
		log_err("dns: %s: out of memory", e->host);
		for (struct waiter *w = r->waiters; w; w = w->next)
			if (w->e == e && !w->ready)
				waiter_ready(r, w, e->good ? DNS_STALE
							   : DNS_FAILED);
		return;
	}
	lk->r = r;
	lk->e = e;
	lk->ttl = UINT32_MAX;
	e->lk = lk;
	if (e->port && e->port != DNS_PORT_SRV) {
		lk_add_target(lk, e->host, e->port, 0, 0);
		lk_start_addr(lk);
		return;
	}
	lk->step = LK_NAPTR;
	lk->pending++;
	lk_query(lk, e->host, ns_t_naptr, 0);
	if (!--lk->pending)
		lk_step_done(lk);
}

/* "192.0.2.1", "2001:db8::1" or "[2001:db8::1]". */
static bool parse_literal(const char *host, uint16_t port, enum tp_proto proto,
			  struct sip_server *s)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t len = strlen(host);

	memset(s, 0, sizeof(*s));
	if (!port || port == DNS_PORT_SRV)
		port = dns_default_port(proto);
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']' &&
	    len - 2 < sizeof(buf)) {
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
	} else {
		snprintf(buf, sizeof(buf), "%s", host);
	}
	if (len >= sizeof(buf) + 2)
		return false;
	snprintf(s->target, sizeof(s->target), "%s", buf);
	s->proto = proto;
	if (inet_pton(AF_INET, buf, &((struct sockaddr_in *)&s->addr)->sin_addr)
	    == 1) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&s->addr;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		s->addr_len = sizeof(*sin);
		return true;
	}
	if (inet_pton(AF_INET6, buf,
		      &((struct sockaddr_in6 *)&s->addr)->sin6_addr) == 1) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&s->addr;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		s->addr_len = sizeof(*sin6);
		return true;
	}
	return false;
}

static struct dns_entry *entry_get(struct resolver *r, const char *host,
				   uint16_t port, enum tp_proto proto)
{
	struct dns_entry *e;

	/* Every "look up SRV" spelling shares one entry. */
	if (port == DNS_PORT_SRV)
		port = 0;
	for (e = r->entries; e; e = e->next)
		if (e->port == port && e->proto == proto &&
		    !strcasecmp(e->host, host))
			return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	snprintf(e->host, sizeof(e->host), "%s", host);
	for (char *c = e->host; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	e->port = port;
	e->proto = proto;
	e->next = r->entries;
	r->entries = e;
	return e;
}

int resolver_resolve(struct resolver *r, const char *host, uint16_t port,
		     enum tp_proto proto, resolver_cb cb, void *arg)
{
	struct waiter *w;
	struct dns_entry *e;
	size_t len = host ? strlen(host) : 0;

	if (!len || len > DNS_NAME_MAX || !cb)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->cb = cb;
	w->arg = arg;
	if (parse_literal(host, port, proto, &w->lit)) {
		waiter_append(r, w);
		waiter_ready(r, w, DNS_OK);
		return 0;
	}
	e = entry_get(r, host, port, proto);
	if (!e) {
		free(w);
		return -ENOMEM;
	}
	w->e = e;
	waiter_append(r, w);
	if (e->lk)
		return 0;	/* joins the lookup in flight */
	if (e->good && loop_now_ms(r->loop) - e->fetched_ms <
		       (uint64_t)e->ttl_s * 1000) {
		waiter_ready(r, w, DNS_OK);
		return 0;
	}
	entry_lookup(r, e);
	return 0;
}

void resolver_cancel(struct resolver *r, void *arg)
{
	struct waiter **pp = &r->waiters;

	while (*pp) {
		struct waiter *w = *pp;

		if (w->arg == arg) {
			*pp = w->next;
			free(w);
		} else {
			pp = &w->next;
		}
	}
}

void resolver_set_rng(struct resolver *r, uint32_t (*rng)(void *ctx),
		      void *ctx)
{
	r->rng = rng ? rng : dns_xorshift_next;
	r->rng_ctx = rng ? ctx : &r->xs;
}

int resolver_new(struct loop *loop, const struct resolver_opts *opts,
		 struct resolver **out)
{
	struct resolver *r;
	int err;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->loop = loop;
	if (getrandom(&r->xs.s, sizeof(r->xs.s), GRND_NONBLOCK) !=
	    sizeof(r->xs.s))
		r->xs.s = (uint64_t)(uintptr_t)r ^ loop_now_ms(loop);
	resolver_set_rng(r, NULL, NULL);
	err = ares_loop_init(&r->al, loop, opts ? opts->servers : NULL,
			     opts ? opts->timeout_ms : 0,
			     opts ? opts->tries : 0, opts ? opts->mark : 0);
	if (err) {
		free(r);
		return err;
	}
	*out = r;
	return 0;
}

void resolver_free(struct resolver *r)
{
	if (!r)
		return;
	r->freeing = true;
	ares_loop_destroy(&r->al);
	loop_timer_cancel(r->loop, &r->deliver);
	while (r->waiters) {
		struct waiter *w = r->waiters;

		r->waiters = w->next;
		free(w);
	}
	while (r->entries) {
		struct dns_entry *e = r->entries;

		r->entries = e->next;
		free(e->lk);
		free(e->servers);
		free(e);
	}
	free(r);
}
