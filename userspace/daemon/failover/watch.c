// SPDX-License-Identifier: GPL-2.0
/*
 * While the lines stand at a server, the proxy set watches: a keep-alive
 * on one registered line (its failure is a failover trigger), and, in
 * asymmetric mode, OPTIONS probes of every better server, returning to
 * one that answered failback_probes probes in a row and did not fail
 * within hold_down_s (at its host's best address that answered too).
 * And kernel evidence (steering hints): about the server in use, one
 * quick probe of it decides; about another server, its failback answers
 * start over.
 */
#include <netinet/in.h>
#include <string.h>

#include "core/rand.h"
#include "failover/policy.h"
#include "failover/pset_int.h"
#include "probe/probe.h"
#include "reg/reg.h"
#include "sipsteer_nl.h"
#include "steer/steer.h"

void pset_watch_stop(struct pset *ps)
{
	loop_timer_cancel(ps->loop, &ps->ka_timer);
	loop_timer_cancel(ps->loop, &ps->probe_timer);
	probe_cancel(ps->probe);
	ps->probe = NULL;
	probe_cancel(ps->hint_probe);
	ps->hint_probe = NULL;
}

/* ------------------------------------------------------- keep-alive */

static void ka_fired(void *arg)
{
	struct pset *ps = arg;
	unsigned int i;

	for (i = 0; i < PSET_MAX_LINES; i++) {
		struct pset_line *l = &ps->lines[i];

		if (l->used && !l->stopping && l->registered &&
		    sl_same_server(&l->bound, &ps->target) &&
		    reg_keepalive(l->reg) == 0)
			break;
	}
	pset_standby_keepalive(ps);
	loop_timer_start(ps->loop, &ps->ka_timer,
			 policy_keepalive_ms(ps->p.ka_interval_s,
					     rand_u32()), ka_fired, ps);
}

/* --------------------------------------------------------- failback */

/* A probe of @srv taking at most @timeout_ms, bypassing the steering. */
static void fill_probe_opts(const struct pset *ps,
			    const struct sip_server *srv, uint32_t timeout_ms,
			    struct probe_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->srv = srv;
	o->domain = ps->p.domain;
	o->tls_ca_file = ps->p.tls_ca_file;
	o->tls_cert_file = ps->p.tls_cert_file;
	o->tls_key_file = ps->p.tls_key_file;
	o->mark = ps->p.mark;
	o->timeout_ms = timeout_ms;
	o->t1_ms = ps->p.t1_ms;
	o->t2_ms = ps->p.t2_ms;
	o->user_agent = ps->p.user_agent;
}

static void probe_from(struct pset *ps, int start);

static void probe_timer_fired(void *arg)
{
	probe_from(arg, 0);
}

static void failback(struct pset *ps, int idx, unsigned int answers)
{
	const struct sip_server *to = &ps->sl.e[idx].srv;

	if (pset_standby_failback(ps, idx, answers))
		return;
	ps->failbacks++;
	pset_event(ps, LOG_LVL_INFO, PSET_EV_FAILBACK, &ps->target, to, 0,
		   "%u probe(s) answered in a row", answers);
	sl_start_at(&ps->sl, idx);
	pset_move_to(ps, idx, MOVE_FAILBACK, "failback");
}

/*
 * Entry @idx answered enough probes: its host is back. A better address
 * of that host (the other family) that answered its own probe in this
 * round, and is out of its hold-down, takes the lines instead: one move,
 * not a second failback when it has answered enough probes itself.
 */
static int best_address(const struct pset *ps, int idx)
{
	uint64_t hold_ms = (uint64_t)ps->p.hold_down_s * 1000;
	int i;

	for (i = 0; i < idx; i++) {
		const struct sl_entry *e = &ps->sl.e[i];

		if (e->probe_ok && sl_same_host(&e->srv, &ps->sl.e[idx].srv) &&
		    !sl_held_down(&ps->sl, i, hold_ms, loop_now_ms(ps->loop)))
			return i;
	}
	return idx;
}

static void on_probe(void *arg, enum sl_result res, int code,
		     uint32_t retry_after_s, uint32_t rtt_ms)
{
	struct pset *ps = arg;
	int idx = sl_find(&ps->sl, &ps->probe_srv);
	bool ok = res == SL_RES_OK;
	unsigned int n;

	ps->probe = NULL;
	if (idx < 0) {
		probe_from(ps, 0);
		return;
	}
	n = sl_probe_report(&ps->sl, idx, ok);
	/*
	 * A failed probe is a failure: the hold-down starts again. A 503
	 * is not probed again before its Retry-After (or the hold-down).
	 */
	if (!ok)
		sl_report(&ps->sl, idx, res, code,
			  res != SL_RES_503 ? 0 : retry_after_s ?
			  retry_after_s : ps->p.hold_down_s,
			  loop_now_ms(ps->loop));
	/* An answer ends "dead": that server's traffic is its own again. */
	pset_steer_sync(ps);
	if (ok)
		pset_event(ps, LOG_LVL_INFO, PSET_EV_PROBE, NULL,
			   &ps->probe_srv, rtt_ms, "answered %d (%u of %u)",
			   code, n, ps->p.failback_probes);
	else
		pset_event(ps, LOG_LVL_INFO, PSET_EV_PROBE, NULL,
			   &ps->probe_srv, rtt_ms, "%s%s%.0d",
			   sl_result_name(res), code ? " " : "", code);
	if (ok && n >= ps->p.failback_probes &&
	    !sl_held_down(&ps->sl, idx, (uint64_t)ps->p.hold_down_s * 1000,
			  loop_now_ms(ps->loop))) {
		failback(ps, best_address(ps, idx), n);
		return;
	}
	probe_from(ps, idx + 1);
}

/* Probe the next better server from @start, or wait for the next tick. */
static void probe_from(struct pset *ps, int start)
{
	int cur = pset_target_idx(ps);
	int i;

	if (ps->state != PSET_ACTIVE || ps->p.symmetric || cur <= 0)
		return;
	for (i = start; i < cur; i++) {
		const struct sl_entry *e = &ps->sl.e[i];
		struct probe_opts o;

		if (e->retry_after_ms > loop_now_ms(ps->loop))
			continue;	/* asked us to wait */
		fill_probe_opts(ps, &e->srv, ps->p.no_response_timeout_ms, &o);
		ps->probe_srv = e->srv;
		if (!probe_start(ps->loop, &o, on_probe, ps, &ps->probe))
			return;
		ps->probe = NULL;
	}
	loop_timer_start(ps->loop, &ps->probe_timer,
			 (uint64_t)ps->p.failback_retry_s * 1000,
			 probe_timer_fired, ps);
}

void pset_watch_start(struct pset *ps)
{
	if (ps->p.ka_interval_s && !loop_timer_pending(&ps->ka_timer))
		loop_timer_start(ps->loop, &ps->ka_timer,
				 policy_keepalive_ms(ps->p.ka_interval_s,
						     rand_u32()),
				 ka_fired, ps);
	if (!ps->p.symmetric && pset_target_idx(ps) > 0 && !ps->probe &&
	    !loop_timer_pending(&ps->probe_timer))
		loop_timer_start(ps->loop, &ps->probe_timer,
				 (uint64_t)ps->p.failback_retry_s * 1000,
				 probe_timer_fired, ps);
}

/* ------------------------------------------------------------ hints */

static void on_hint_probe(void *arg, enum sl_result res, int code,
			  uint32_t retry_after_s, uint32_t rtt_ms)
{
	struct pset *ps = arg;
	struct reg_result r = {
		.res = res,
		.code = code,
		.retry_after_s = retry_after_s,
		.srv = &ps->hint_srv,
		.elapsed_ms = rtt_ms,
		.detail = "probe after kernel evidence",
	};

	ps->hint_probe = NULL;
	if (res == SL_RES_OK) {
		pset_event(ps, LOG_LVL_INFO, PSET_EV_HINT, NULL, &ps->hint_srv,
			   rtt_ms, "probe answered %d: staying", code);
		return;
	}
	pset_event(ps, LOG_LVL_WARN, PSET_EV_HINT, &ps->hint_srv, NULL,
		   rtt_ms, "probe failed: %s%s%.0d", sl_result_name(res),
		   code ? " " : "", code);
	/* Only if the lines are still there: a move may have come first. */
	if (ps->state == PSET_ACTIVE && ps->has_target &&
	    sl_same_server(&ps->target, &ps->hint_srv))
		pset_target_lost(ps, &r);
}

static void on_hint(void *arg, const struct sockaddr_storage *addr,
		    uint8_t proto, uint8_t evidence, uint32_t suppressed)
{
	const char *what = sipsteer_evidence_name(evidence);
	struct pset *ps = arg;
	struct sip_server srv;
	struct probe_opts o;
	int idx, cur = pset_target_idx(ps);

	memset(&srv, 0, sizeof(srv));
	srv.addr = *addr;
	srv.proto = proto == IPPROTO_UDP ? TP_UDP :
		    ps->p.proto == TP_TLS ? TP_TLS : TP_TCP;
	idx = sl_find(&ps->sl, &srv);
	/*
	 * A server found dead is steered: the flow the kernel saw went to
	 * where steering points, and so did the evidence.
	 */
	if (idx >= 0 && ps->sl.e[idx].dead && ps->has_steer_at)
		idx = sl_find(&ps->sl, &ps->steer_at);
	switch (policy_hint(ps->p.passive, ps->state == PSET_ACTIVE, idx, cur,
			    ps->hint_probe != NULL)) {
	case POLICY_HINT_IGNORE:
		log_debug("proxy set %s: kernel evidence (%s) about a server "
			  "not in play: ignored", ps->p.host, what);
		return;
	case POLICY_HINT_JOINED:
		pset_event(ps, LOG_LVL_INFO, PSET_EV_HINT, NULL, &ps->target,
			   0, "%s (+%u): probe under way", what, suppressed);
		return;
	case POLICY_HINT_FAILBACK:
		sl_probe_report(&ps->sl, idx, false);
		pset_event(ps, LOG_LVL_INFO, PSET_EV_HINT, NULL,
			   &ps->sl.e[idx].srv, 0,
			   "%s (+%u) about a server not in use: its failback "
			   "answers start over", what, suppressed);
		return;
	case POLICY_HINT_PROBE:
		break;
	}
	ps->hint_srv = ps->target;
	fill_probe_opts(ps, &ps->hint_srv,
			policy_hint_timeout_ms(ps->p.t1_ms), &o);
	pset_event(ps, LOG_LVL_INFO, PSET_EV_HINT, NULL, &ps->hint_srv, 0,
		   "%s (+%u): probing the server in use", what, suppressed);
	if (probe_start(ps->loop, &o, on_hint_probe, ps, &ps->hint_probe)) {
		ps->hint_probe = NULL;
		log_warn("proxy set %s: cannot probe after kernel evidence",
			 ps->p.host);
	}
}

static void hints_readable(int fd, unsigned int events, void *arg)
{
	struct pset *ps = arg;

	(void)fd;
	(void)events;
	steer_hints_read(ps->steer, on_hint, ps);
}

void pset_hints_start(struct pset *ps)
{
	int fd;

	if (ps->hints_fd >= 0 || !ps->p.passive || !ps->steer)
		return;
	fd = steer_hints_open(ps->steer);
	if (fd < 0)
		return;
	if (loop_fd_add(ps->loop, fd, LOOP_IN, hints_readable, ps))
		return;
	ps->hints_fd = fd;
}

void pset_hints_stop(struct pset *ps)
{
	if (ps->hints_fd < 0)
		return;
	loop_fd_del(ps->loop, ps->hints_fd);
	ps->hints_fd = -1;
	probe_cancel(ps->hint_probe);
	ps->hint_probe = NULL;
}
