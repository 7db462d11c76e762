// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel steering over libsipsteer. Every request is synchronous; a
 * failure is recorded (state STEER_FAILED, error text) and logged, never
 * fatal: registration failover goes on without steering.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "sipsteer_nl.h"
#include "steer/steer.h"

struct steer {
	struct sipsteer *h;		/* NULL: disabled or no module */
	enum steer_state state;
	char name[SIPSTEER_NAME_SIZE];
	uint32_t mark;
	bool has_vaddr;
	struct sipsteer_addr vaddr;	/* proto 0; UDP and TCP are matched */
	bool exists;			/* the kernel has the service */
	bool adopted;
	struct sipsteer_service svc;	/* as the kernel last reported it */
	uint32_t switches;
	uint32_t sockets_killed;
	uint32_t last_switch_us;
	char error[160];
};

const char *steer_state_name(enum steer_state s)
{
	switch (s) {
	case STEER_DISABLED:
		return "disabled";
	case STEER_NO_MODULE:
		return "no-module";
	case STEER_READY:
		return "ready";
	case STEER_FAILED:
		return "failed";
	}
	return "?";
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int addr_from_sockaddr(const struct sockaddr_storage *ss,
			      struct sipsteer_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = ss->ss_family;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		a->ip.v4 = sin->sin_addr;
		a->port = ntohs(sin->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		a->ip.v6 = sin6->sin6_addr;
		a->port = ntohs(sin6->sin6_port);
	} else {
		return -EAFNOSUPPORT;
	}
	return 0;
}

static void addr_to_sockaddr(const struct sipsteer_addr *a,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (void *)ss;

		sin->sin_family = AF_INET;
		sin->sin_addr = a->ip.v4;
		sin->sin_port = htons(a->port);
	} else {
		struct sockaddr_in6 *sin6 = (void *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = a->ip.v6;
		sin6->sin6_port = htons(a->port);
	}
}

static bool addr_equal(const struct sipsteer_addr *a,
		       const struct sipsteer_addr *b)
{
	return a->proto == b->proto && a->port == b->port &&
	       sipsteer_addr_ip_equal(a, b);
}

static bool addr_in(const struct sipsteer_addr *a,
		    const struct sipsteer_addr *list, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (addr_equal(a, &list[i]))
			return true;
	}
	return false;
}

/* Same members in any order; neither list repeats an address. */
static bool addrs_same(const struct sipsteer_addr *a, unsigned int na,
		       const struct sipsteer_addr *b, unsigned int nb)
{
	unsigned int i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++) {
		if (!addr_in(&a[i], b, nb))
			return false;
	}
	return true;
}

static const char *target_text(const struct sipsteer_service *svc,
			       char *buf, size_t len)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	if (!svc->n_targets) {
		snprintf(buf, len, "inactive");
		return buf;
	}
	for (i = 0; i < svc->n_targets && used + 1 < len; i++) {
		char one[SIPSTEER_ADDRSTRLEN];

		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? "," : "",
					 sipsteer_addr_format(&svc->targets[i],
							      one,
							      sizeof(one)));
	}
	return buf;
}

/* Records a failed request: state, error text and one log line. */
static int fail(struct steer *st, int err, const char *what)
{
	const char *ext = st->h ? sipsteer_extack(st->h) : "";

	st->state = STEER_FAILED;
	snprintf(st->error, sizeof(st->error), "%s: %s%s%s", what,
		 strerror(-err), ext[0] ? ": " : "", ext);
	log_err("steering: service %s: %s", st->name, st->error);
	return err;
}

static void ok(struct steer *st)
{
	st->state = STEER_READY;
	st->error[0] = '\0';
}

int steer_new(const struct steer_opts *opts, struct steer **out)
{
	char target[2 * SIPSTEER_ADDRSTRLEN];
	struct steer *st;
	int err;

	if (!opts->disabled &&
	    (!opts->name || !sipsteer_name_valid(opts->name) || !opts->mark))
		return -EINVAL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	snprintf(st->name, sizeof(st->name), "%s",
		 opts->name ? opts->name : "");
	st->mark = opts->mark;
	if (opts->vaddr) {
		err = addr_from_sockaddr(opts->vaddr, &st->vaddr);
		if (err)
			goto out;
		st->has_vaddr = true;
	}
	*out = st;
	if (opts->disabled) {
		st->state = STEER_DISABLED;
		log_info("steering: off");
		return 0;
	}

	err = sipsteer_open(&st->h);
	if (err == -ENOENT) {
		st->state = STEER_NO_MODULE;
		log_warn("steering: sipsteer.ko is not loaded; registration "
			 "failover continues without steering");
		return 0;
	}
	if (err == -ENOMEM)
		goto out;
	if (err) {
		st->h = NULL;
		fail(st, err, "netlink");
		return 0;
	}

	err = sipsteer_service_get(st->h, st->name, &st->svc);
	if (err == -ENOENT) {
		ok(st);
		return 0;
	}
	if (err) {
		fail(st, err, "read");
		return 0;
	}
	ok(st);
	st->exists = true;
	st->adopted = true;
	log_info("steering: adopted service %s left by an earlier daemon "
		 "(target %s, generation %u)", st->name,
		 target_text(&st->svc, target, sizeof(target)),
		 st->svc.generation);
	return 0;
out:
	*out = NULL;
	free(st);
	return err;
}

int steer_adopted_target(const struct steer *st,
			 struct sockaddr_storage *target)
{
	if (!st->adopted || !st->svc.n_targets)
		return -ENOENT;
	addr_to_sockaddr(&st->svc.targets[0], target);
	return 0;
}

/* Adds @a unless present; false when the list is full. */
static bool add_endpoint(struct sipsteer_service *svc,
			 const struct sipsteer_addr *a)
{
	if (addr_in(a, svc->endpoints, svc->n_endpoints))
		return true;
	if (svc->n_endpoints >= SIPSTEER_MAX_ENDPOINTS)
		return false;
	svc->endpoints[svc->n_endpoints++] = *a;
	return true;
}

/*
 * The virtual address first, so a long server list never pushes it out;
 * the servers then in their RFC 3263 order, so what is cut is the least
 * preferred. Returns how many addresses did not fit.
 */
static unsigned int build_endpoints(const struct steer *st,
				    const struct sip_server *srv,
				    unsigned int n,
				    struct sipsteer_service *svc)
{
	unsigned int i, cut = 0;
	struct sipsteer_addr a;

	svc->n_endpoints = 0;
	if (st->has_vaddr) {
		a = st->vaddr;
		a.proto = IPPROTO_UDP;
		add_endpoint(svc, &a);
		a.proto = IPPROTO_TCP;
		add_endpoint(svc, &a);
	}
	for (i = 0; i < n; i++) {
		if (addr_from_sockaddr(&srv[i].addr, &a) || !a.port)
			continue;
		a.proto = srv[i].proto == TP_UDP ? IPPROTO_UDP : IPPROTO_TCP;
		if (!add_endpoint(svc, &a))
			cut++;
	}
	return cut;
}

static bool usable(const struct steer *st)
{
	return st->h && (st->state == STEER_READY ||
			 st->state == STEER_FAILED);
}

int steer_set_servers(struct steer *st, const struct sip_server *srv,
		      unsigned int n)
{
	struct sipsteer_service want, cur;
	unsigned int cut;
	int err;

	if (!usable(st))
		return 0;
	memset(&want, 0, sizeof(want));
	snprintf(want.name, sizeof(want.name), "%s", st->name);
	cut = build_endpoints(st, srv, n, &want);
	if (!want.n_endpoints)
		return 0;	/* nothing to match yet: leave the kernel alone */
	if (cut)
		log_warn("steering: service %s: %u address(es) beyond the "
			 "module's %u endpoints are not matched", st->name,
			 cut, SIPSTEER_MAX_ENDPOINTS);
	if (st->exists && st->svc.bypass_mark == st->mark &&
	    addrs_same(want.endpoints, want.n_endpoints, st->svc.endpoints,
		       st->svc.n_endpoints))
		return 0;

	/* A replace sets everything: carry the kernel's current target. */
	err = sipsteer_service_get(st->h, st->name, &cur);
	if (err && err != -ENOENT)
		return fail(st, err, "read");
	if (!err) {
		want.n_targets = cur.n_targets;
		memcpy(want.targets, cur.targets, sizeof(want.targets));
	}
	want.has = SIPSTEER_HAS_ENDPOINTS | SIPSTEER_HAS_BYPASS |
		   (want.n_targets ? SIPSTEER_HAS_TARGETS : 0);
	want.bypass_mark = st->mark;
	want.bypass_mask = 0xffffffffu;
	err = sipsteer_service_new(st->h, &want, SIPSTEER_REPLACE);
	if (err)
		return fail(st, err, "set endpoints");
	err = sipsteer_service_get(st->h, st->name, &st->svc);
	if (err)
		return fail(st, err, "read");
	ok(st);
	log_info("steering: service %s %s, %u endpoint(s), bypass mark 0x%x, "
		 "generation %u", st->name, st->exists ? "updated" : "created",
		 st->svc.n_endpoints, st->mark, st->svc.generation);
	st->exists = true;
	return 0;
}

/* The service was deleted behind our back: create it with @t. */
static int recreate(struct steer *st, const struct sipsteer_addr *t,
		    unsigned int n, struct sipsteer_service *out)
{
	struct sipsteer_service svc = st->svc;
	int err;

	svc.n_targets = n;
	if (n)
		svc.targets[0] = *t;
	svc.has = SIPSTEER_HAS_ENDPOINTS | SIPSTEER_HAS_BYPASS |
		  (n ? SIPSTEER_HAS_TARGETS : 0);
	svc.bypass_mark = st->mark;
	svc.bypass_mask = 0xffffffffu;
	err = sipsteer_service_new(st->h, &svc, SIPSTEER_REPLACE);
	if (err)
		return err;
	return sipsteer_service_get(st->h, st->name, out);
}

int steer_switch(struct steer *st, const struct sip_server *srv)
{
	char from[2 * SIPSTEER_ADDRSTRLEN], to[2 * SIPSTEER_ADDRSTRLEN];
	struct sipsteer_service out, cur;
	struct sipsteer_addr t = { 0 };
	const char *how = "";
	unsigned int n = 0;
	uint32_t gen;
	uint64_t t0;
	int err, killed;

	if (!usable(st))
		return 0;
	if (!st->exists) {
		snprintf(st->error, sizeof(st->error),
			 "switch before the servers are known");
		return -ENOENT;
	}
	if (srv) {
		err = addr_from_sockaddr(&srv->addr, &t);
		if (err)
			return fail(st, err, "target");
		n = 1;
	}
	if (st->svc.n_targets == n &&
	    (!n || addr_equal(&st->svc.targets[0], &t)))
		return 0;

	target_text(&st->svc, from, sizeof(from));
	gen = st->svc.generation;
	t0 = now_us();
	err = sipsteer_service_set(st->h, st->name, &t, n, &gen, &out);
	if (err == -ESTALE) {
		/* Someone else (the CLI) changed it: ours wins, once. */
		err = sipsteer_service_get(st->h, st->name, &cur);
		if (!err) {
			target_text(&cur, from, sizeof(from));
			gen = cur.generation;
			how = ", re-read after a change by another process";
			err = sipsteer_service_set(st->h, st->name, &t, n,
						   &gen, &out);
		}
	}
	if (err == -ENOENT) {
		how = ", re-created after it was deleted";
		err = recreate(st, &t, n, &out);
	}
	st->last_switch_us = (uint32_t)(now_us() - t0);
	if (err) {
		char what[SIPSTEER_ADDRSTRLEN + 16];

		snprintf(what, sizeof(what), "switch to %s", n ?
			 sipsteer_addr_format(&t, to, sizeof(to)) :
			 "inactive");
		return fail(st, err, what);
	}
	st->svc = out;
	st->switches++;
	ok(st);

	killed = sipsteer_tcp_kill_stale(st->h, &st->svc);
	if (killed < 0) {
		/* The switch stands; only idle TCP connections wait. */
		snprintf(st->error, sizeof(st->error),
			 "failing stale TCP connections: %s",
			 strerror(-killed));
		log_warn("steering: service %s: %s", st->name, st->error);
		killed = 0;
	}
	st->sockets_killed += (uint32_t)killed;
	log_info("steering: service %s target %s -> %s, generation %u, "
		 "%u us%s, %d TCP connection(s) failed", st->name, from,
		 target_text(&st->svc, to, sizeof(to)), st->svc.generation,
		 st->last_switch_us, how, killed);
	return 0;
}

int steer_reflush(struct steer *st)
{
	uint32_t flushed = 0;
	int err, killed;

	if (!usable(st) || !st->exists)
		return 0;
	err = sipsteer_flows_flush(st->h, st->name, false, &flushed);
	if (err)
		return fail(st, err, "flush after the switch");
	killed = sipsteer_tcp_kill_stale(st->h, &st->svc);
	if (killed > 0)
		st->sockets_killed += (uint32_t)killed;
	if (flushed || killed > 0)
		log_info("steering: service %s: %u flow(s) set up during the "
			 "switch moved, %d TCP connection(s) failed", st->name,
			 flushed, killed > 0 ? killed : 0);
	return (int)flushed;
}

void steer_release(struct steer *st)
{
	int err;

	if (!st || !st->h || !st->exists)
		return;
	err = sipsteer_service_del(st->h, st->name);
	if (err && err != -ENOENT) {
		fail(st, err, "delete");
		return;
	}
	st->exists = false;
	st->adopted = false;
	memset(&st->svc, 0, sizeof(st->svc));
	log_info("steering: service %s deleted", st->name);
}

void steer_status(const struct steer *st, struct steer_status *out)
{
	memset(out, 0, sizeof(*out));
	out->state = st->state;
	snprintf(out->service, sizeof(out->service), "%s", st->name);
	out->adopted = st->adopted;
	if (st->exists) {
		out->n_endpoints = st->svc.n_endpoints;
		out->generation = st->svc.generation;
		if (st->svc.n_targets)
			sipsteer_addr_format(&st->svc.targets[0], out->target,
					     sizeof(out->target));
	}
	out->switches = st->switches;
	out->sockets_killed = st->sockets_killed;
	out->last_switch_us = st->last_switch_us;
	snprintf(out->error, sizeof(out->error), "%s", st->error);
}

void steer_free(struct steer *st)
{
	if (!st)
		return;
	sipsteer_close(st->h);
	free(st);
}
