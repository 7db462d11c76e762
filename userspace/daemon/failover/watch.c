// SPDX-License-Identifier: GPL-2.0
/*
 * While the lines stand at a server, the proxy set watches: a keep-alive
 * on one registered line (its failure is a failover trigger), and, in
 * asymmetric mode, OPTIONS probes of every better server, returning to
 * one that answered failback_probes probes in a row and did not fail
 * within hold_down_s.
 */
#include "core/rand.h"
#include "failover/policy.h"
#include "failover/pset_int.h"
#include "probe/probe.h"
#include "reg/reg.h"

void pset_watch_stop(struct pset *ps)
{
	loop_timer_cancel(ps->loop, &ps->ka_timer);
	loop_timer_cancel(ps->loop, &ps->probe_timer);
	probe_cancel(ps->probe);
	ps->probe = NULL;
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
	loop_timer_start(ps->loop, &ps->ka_timer,
			 policy_keepalive_ms(ps->p.ka_interval_s,
					     rand_u32()), ka_fired, ps);
}

/* --------------------------------------------------------- failback */

static void probe_from(struct pset *ps, int start);

static void probe_timer_fired(void *arg)
{
	probe_from(arg, 0);
}

static void failback(struct pset *ps, int idx, unsigned int answers)
{
	const struct sip_server *to = &ps->sl.e[idx].srv;

	ps->failbacks++;
	pset_event(ps, LOG_LVL_INFO, PSET_EV_FAILBACK, &ps->target, to, 0,
		   "%u probe(s) answered in a row", answers);
	sl_start_at(&ps->sl, idx);
	pset_move_to(ps, idx, MOVE_FAILBACK, "failback");
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
		failback(ps, idx, n);
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
		struct probe_opts o = {
			.srv = &e->srv,
			.domain = ps->p.domain,
			.tls_ca_file = ps->p.tls_ca_file,
			.tls_cert_file = ps->p.tls_cert_file,
			.tls_key_file = ps->p.tls_key_file,
			.mark = ps->p.mark,
			.timeout_ms = ps->p.no_response_timeout_ms,
			.t1_ms = ps->p.t1_ms,
			.t2_ms = ps->p.t2_ms,
			.user_agent = ps->p.user_agent,
		};

		if (e->retry_after_ms > loop_now_ms(ps->loop))
			continue;	/* asked us to wait */
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
