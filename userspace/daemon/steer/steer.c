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
	struct sipsteer *ev;		/* hints (events group), NULL: none */
	uint32_t unreplied_ms;		/* 0: no passive detection */
	uint8_t proto;			/* the servers' transport */
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
	char missing_family[16];	/* steer_status() */
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
	st->unreplied_ms = opts->unreplied_ms;
	st->proto = opts->proto == IPPROTO_TCP ? IPPROTO_TCP : IPPROTO_UDP;
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

/* Is @a (any protocol) one of the targets? Steering it would be void. */
static bool is_target(const struct sipsteer_service *svc,
		      const struct sipsteer_addr *a)
{
	unsigned int i;

	for (i = 0; i < svc->n_targets; i++) {
		if (sipsteer_addr_ip_equal(a, &svc->targets[i]) &&
		    a->port == svc->targets[i].port)
			return true;
	}
	return false;
}

/*
 * An endpoint of the service because its server was found dead: not the
 * virtual address, nor the server in use watched (steered to itself).
 */
static bool is_dead_endpoint(const struct steer *st,
			     const struct sipsteer_addr *a)
{
	if (st->has_vaddr && sipsteer_addr_ip_equal(a, &st->vaddr) &&
	    a->port == st->vaddr.port)
		return false;
	return !is_target(&st->svc, a);
}

int steer_current(const struct steer *st,
		  struct sockaddr_storage targets[STEER_MAX_TARGETS],
		  unsigned int *n_targets,
		  struct sockaddr_storage dead[SIPSTEER_MAX_ENDPOINTS],
		  unsigned int *n_dead)
{
	unsigned int i;

	*n_targets = 0;
	*n_dead = 0;
	if (!st->exists)
		return -ENOENT;
	for (i = 0; i < st->svc.n_targets && i < STEER_MAX_TARGETS; i++)
		addr_to_sockaddr(&st->svc.targets[i], &targets[(*n_targets)++]);
	for (i = 0; i < st->svc.n_endpoints; i++) {
		const struct sipsteer_addr *a = &st->svc.endpoints[i];

		if (is_dead_endpoint(st, a))
			addr_to_sockaddr(a, &dead[(*n_dead)++]);
	}
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
 * the dead servers then in their RFC 3263 order, so what is cut is the
 * least preferred. Returns how many addresses did not fit.
 */
static unsigned int build_endpoints(const struct steer *st,
				    const struct sip_server *dead,
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
		if (addr_from_sockaddr(&dead[i].addr, &a) || !a.port ||
		    is_target(svc, &a))
			continue;
		a.proto = dead[i].proto == TP_UDP ? IPPROTO_UDP : IPPROTO_TCP;
		if (!add_endpoint(svc, &a))
			cut++;
	}
	/*
	 * Watching: the server in use too, steered to itself (a NAT that
	 * changes nothing), so the module sees the other processes' flows
	 * to it. Last: a long list cuts it first, and watching with it.
	 */
	for (i = 0; st->unreplied_ms && i < svc->n_targets; i++) {
		a = svc->targets[i];
		a.proto = st->proto;
		if (a.port && !add_endpoint(svc, &a))
			cut++;
	}
	return cut;
}

/* At most one target per family: the first one given wins. */
static int build_targets(const struct sockaddr_storage *targets,
			 unsigned int n, struct sipsteer_service *svc)
{
	struct sipsteer_addr t;
	unsigned int i;
	int err;

	svc->n_targets = 0;
	for (i = 0; i < n && svc->n_targets < STEER_MAX_TARGETS; i++) {
		err = addr_from_sockaddr(&targets[i], &t);
		if (err)
			return err;
		if (!sipsteer_service_target(svc, t.family))
			svc->targets[svc->n_targets++] = t;
	}
	return 0;
}

/* A dead server of a family no target serves: "IPv4", "IPv6" or "". */
static const char *missing_family(const struct steer *st,
				  const struct sipsteer_service *svc)
{
	unsigned int i;

	if (!svc->n_targets)
		return "";
	for (i = 0; i < svc->n_endpoints; i++) {
		const struct sipsteer_addr *a = &svc->endpoints[i];

		if (st->has_vaddr && sipsteer_addr_ip_equal(a, &st->vaddr))
			continue;
		if (!sipsteer_service_target(svc, a->family))
			return a->family == AF_INET6 ? "IPv6" : "IPv4";
	}
	return "";
}

static bool targets_same(const struct sipsteer_service *a,
			 const struct sipsteer_service *b)
{
	unsigned int i;

	if (a->n_targets != b->n_targets)
		return false;
	for (i = 0; i < a->n_targets; i++) {
		const struct sipsteer_addr *t =
			sipsteer_service_target(b, a->targets[i].family);

		if (!t || !addr_equal(t, &a->targets[i]))
			return false;
	}
	return true;
}

static bool usable(const struct steer *st)
{
	return st->h && (st->state == STEER_READY ||
			 st->state == STEER_FAILED);
}

/* Only the targets change: a switch, conditional on what we saw. */
static int switch_targets(struct steer *st,
			  const struct sipsteer_service *want,
			  struct sipsteer_service *out, const char **how,
			  char *from, size_t from_size)
{
	struct sipsteer_service cur;
	uint32_t gen = st->svc.generation;
	int err;

	err = sipsteer_service_set(st->h, st->name, want->targets,
				   want->n_targets, &gen, out);
	if (err == -ESTALE) {
		/* Someone else (the CLI) changed it: ours wins, once. */
		err = sipsteer_service_get(st->h, st->name, &cur);
		if (!err) {
			target_text(&cur, from, from_size);
			gen = cur.generation;
			*how = ", re-read after a change by another process";
			err = sipsteer_service_set(st->h, st->name,
						   want->targets,
						   want->n_targets, &gen, out);
		}
	}
	if (err == -ENOENT)
		*how = ", re-created after it was deleted";
	return err;
}

/* Everything at once (created when missing): one replace. */
static int replace(struct steer *st, struct sipsteer_service *want,
		   struct sipsteer_service *out)
{
	int err;

	want->has = SIPSTEER_HAS_ENDPOINTS | SIPSTEER_HAS_BYPASS |
		    (want->n_targets ? SIPSTEER_HAS_TARGETS : 0) |
		    (st->unreplied_ms ? SIPSTEER_HAS_UNREPLIED : 0);
	want->unreplied_ms = st->unreplied_ms;
	want->bypass_mark = st->mark;
	want->bypass_mask = 0xffffffffu;
	err = sipsteer_service_new(st->h, want, SIPSTEER_REPLACE);
	if (err)
		return err;
	return sipsteer_service_get(st->h, st->name, out);
}

/*
 * Fail the TCP connections a change left behind: to a steered address
 * and not leading to the target; and, through an address steered no
 * more, leading anywhere but where they were sent (the old endpoints as
 * an inactive service).
 */
static int kill_stale(struct steer *st, const struct sipsteer_service *old)
{
	struct sipsteer_service gone;
	unsigned int i;
	int killed, more;

	killed = sipsteer_tcp_kill_stale(st->h, &st->svc);
	if (killed < 0 || !old)
		return killed;
	memset(&gone, 0, sizeof(gone));
	snprintf(gone.name, sizeof(gone.name), "%s", st->name);
	gone.has = SIPSTEER_HAS_ENDPOINTS | SIPSTEER_HAS_BYPASS;
	gone.bypass_mark = st->svc.bypass_mark;
	gone.bypass_mask = st->svc.bypass_mask;
	for (i = 0; i < old->n_endpoints; i++) {
		if (!addr_in(&old->endpoints[i], st->svc.endpoints,
			     st->svc.n_endpoints))
			gone.endpoints[gone.n_endpoints++] = old->endpoints[i];
	}
	if (!gone.n_endpoints)
		return killed;
	more = sipsteer_tcp_kill_stale(st->h, &gone);
	return more < 0 ? more : killed + more;
}

int steer_apply(struct steer *st, const struct sip_server *dead,
		unsigned int n_dead, const struct sockaddr_storage *targets,
		unsigned int n_targets)
{
	char from[2 * SIPSTEER_ADDRSTRLEN], to[2 * SIPSTEER_ADDRSTRLEN];
	struct sipsteer_service want, out, old;
	bool same_eps, same_targets, had = st->exists;
	const char *how = "";
	unsigned int cut;
	uint64_t t0;
	int err, killed;

	if (!usable(st))
		return 0;
	memset(&want, 0, sizeof(want));
	snprintf(want.name, sizeof(want.name), "%s", st->name);
	err = build_targets(targets, n_targets, &want);
	if (err)
		return fail(st, err, "target");
	cut = build_endpoints(st, dead, n_dead, &want);
	if (!st->exists && !want.n_endpoints && !want.n_targets)
		return 0;	/* nothing to steer yet: leave the kernel alone */
	same_eps = st->exists && st->svc.bypass_mark == st->mark &&
		   st->svc.unreplied_ms == st->unreplied_ms &&
		   addrs_same(want.endpoints, want.n_endpoints,
			      st->svc.endpoints, st->svc.n_endpoints);
	same_targets = st->exists && targets_same(&want, &st->svc);
	if (same_eps && same_targets)
		return 0;
	if (cut)
		log_warn("steering: service %s: %u address(es) beyond the "
			 "module's %u endpoints are not matched", st->name,
			 cut, SIPSTEER_MAX_ENDPOINTS);

	old = st->svc;
	target_text(&st->svc, from, sizeof(from));
	t0 = now_us();
	err = same_eps ? switch_targets(st, &want, &out, &how, from,
					sizeof(from)) : -ENOENT;
	if (err == -ENOENT)
		err = replace(st, &want, &out);
	st->last_switch_us = (uint32_t)(now_us() - t0);
	if (err)
		return fail(st, err, same_eps ? "switch" : "set endpoints");
	st->svc = out;
	st->exists = true;
	ok(st);
	snprintf(st->missing_family, sizeof(st->missing_family), "%s",
		 missing_family(st, &st->svc));
	if (!same_targets && had)
		st->switches++;

	killed = kill_stale(st, had ? &old : NULL);
	if (killed < 0) {
		/* The change stands; only idle TCP connections wait. */
		snprintf(st->error, sizeof(st->error),
			 "failing stale TCP connections: %s",
			 strerror(-killed));
		log_warn("steering: service %s: %s", st->name, st->error);
		killed = 0;
	}
	st->sockets_killed += (uint32_t)killed;
	log_info("steering: service %s %s, %u endpoint(s), target %s -> %s, "
		 "generation %u, %u us%s, %d TCP connection(s) failed",
		 st->name, had ? "changed" : "created", st->svc.n_endpoints,
		 from, target_text(&st->svc, to, sizeof(to)),
		 st->svc.generation, st->last_switch_us, how, killed);
	if (st->missing_family[0])
		log_warn("steering: service %s: the server in use has no %s "
			 "address; %s traffic to the servers that do not "
			 "answer is not steered", st->name,
			 st->missing_family, st->missing_family);
	return 0;
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
	unsigned int i, j;

	memset(out, 0, sizeof(*out));
	out->state = st->state;
	snprintf(out->service, sizeof(out->service), "%s", st->name);
	out->adopted = st->adopted;
	if (st->exists) {
		out->n_endpoints = st->svc.n_endpoints;
		out->generation = st->svc.generation;
		for (i = 0; i < st->svc.n_targets && i < STEER_MAX_TARGETS;
		     i++)
			sipsteer_addr_format(&st->svc.targets[i],
					     out->targets[out->n_targets++],
					     sizeof(out->targets[0]));
		if (out->n_targets)
			snprintf(out->target, sizeof(out->target), "%s",
				 out->targets[0]);
	}
	/* The servers, once each (UDP and TCP of one address are one). */
	for (i = 0; st->exists && i < st->svc.n_endpoints; i++) {
		struct sipsteer_addr a = st->svc.endpoints[i];
		char text[SIPSTEER_ADDRSTRLEN];

		if (!is_dead_endpoint(st, &a))
			continue;
		a.proto = 0;
		sipsteer_addr_format(&a, text, sizeof(text));
		for (j = 0; j < out->n_steered; j++) {
			if (!strcmp(out->steered[j], text))
				break;
		}
		if (j == out->n_steered)
			snprintf(out->steered[out->n_steered++],
				 sizeof(out->steered[0]), "%s", text);
	}
	snprintf(out->missing_family, sizeof(out->missing_family), "%s",
		 st->missing_family);
	out->switches = st->switches;
	out->sockets_killed = st->sockets_killed;
	out->last_switch_us = st->last_switch_us;
	snprintf(out->error, sizeof(out->error), "%s", st->error);
}

int steer_hints_open(struct steer *st)
{
	int err;

	if (st->ev)
		return sipsteer_fd(st->ev);
	if (!st->unreplied_ms || !usable(st))
		return -ENOTSUP;
	err = sipsteer_open(&st->ev);
	if (err)
		return err;
	err = sipsteer_subscribe(st->ev);
	if (err) {
		sipsteer_close(st->ev);
		st->ev = NULL;
		return err;
	}
	log_info("steering: service %s: passive failure detection on "
		 "(unreplied %u ms)", st->name, st->unreplied_ms);
	return sipsteer_fd(st->ev);
}

struct hint_read {
	const struct steer *st;
	steer_hint_fn fn;
	void *arg;
};

static int hint_cb(const struct sipsteer_event *ev, void *arg)
{
	const struct hint_read *r = arg;
	struct sockaddr_storage ss;

	if (ev->cmd != SIPSTEER_CMD_EVIDENCE ||
	    strcmp(ev->service.name, r->st->name) || !ev->endpoint.family)
		return 0;
	addr_to_sockaddr(&ev->endpoint, &ss);
	r->fn(r->arg, &ss, ev->endpoint.proto, ev->evidence,
	      ev->suppressed);
	return 0;
}

void steer_hints_read(struct steer *st, steer_hint_fn fn, void *arg)
{
	struct hint_read r = { .st = st, .fn = fn, .arg = arg };
	int err;

	if (!st->ev)
		return;
	err = sipsteer_events_read(st->ev, hint_cb, &r);
	/* Lost events are lost hints: the next evidence tells again. */
	if (err && err != -EAGAIN && err != -ENOBUFS)
		log_warn("steering: reading the module's events: %s",
			 strerror(-err));
}

void steer_free(struct steer *st)
{
	if (!st)
		return;
	sipsteer_close(st->ev);
	sipsteer_close(st->h);
	free(st);
}
