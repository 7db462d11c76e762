// SPDX-License-Identifier: GPL-2.0
/*
 * The proxy set against in-process registrars found through a fake DNS
 * (SRV: a first, b second), on the loop's manual clock: failover at
 * exactly Timer F, on 503 with Retry-After, backoff that grows and stays
 * bounded, failback only after N probes answered in a row, a line with a
 * wrong password that does not move the other one, and the events;
 * with a third server c, failback one step at a time to the best server
 * that answers, never through a worse one; a host of two addresses
 * returned to at its better one in one move.
 */
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "helpers/psetfix.h"

/* A silent first server is left at exactly Timer F, not a ms sooner. */
static void test_failover_at_timer_f(void **state)
{
	struct fixture *f = *state;
	uint64_t first_a, at_b;
	char want[96];

	f->a.mode = REGISTRAR_SILENT;
	new_set(f, true);
	add_line(f, 0, REGISTRAR_PASS);
	add_line(f, 1, REGISTRAR_PASS);
	assert_int_equal(status(f)->state, PSET_IDLE);
	assert_int_equal(pset_start(f->ps), 0);
	ADVANCE_UNTIL(f, f->a.n_register > 0, 1000);
	first_a = loop_now_ms(f->loop);
	assert_int_equal(status(f)->state, PSET_REGISTERING);

	ADVANCE_UNTIL(f, f->b.n_register > 0, 2 * TIMER_F);
	at_b = loop_now_ms(f->loop);
	assert_int_equal(at_b - first_a, TIMER_F);
	/* Both lines went, retransmissions stayed at a. */
	/* 0, 50 and 150 ms: the next would be at 350, after Timer F. */
	assert_int_equal(f->a.n_register, 2 * 3);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->b) &&
			 registered_at(f, 1, &f->b), 100);

	assert_int_equal(status(f)->state, PSET_ACTIVE);
	assert_int_equal(f->st.active, 1);
	assert_int_equal(f->st.failovers, 1);
	assert_int_equal(f->st.servers[0].last, SL_RES_TIMEOUT);
	assert_true(f->st.servers[1].in_use);
	assert_non_null(event(f, PSET_EV_FAILOVER));
	snprintf(want, sizeof(want), "127.0.0.1:%u", f->a.port);
	assert_string_equal(event(f, PSET_EV_FAILOVER)->from, want);
	snprintf(want, sizeof(want), "127.0.0.1:%u", f->b.port);
	assert_string_equal(event(f, PSET_EV_FAILOVER)->to, want);
	assert_string_equal(event(f, PSET_EV_FAILOVER)->reason, "timeout");
	assert_int_equal(event(f, PSET_EV_FAILOVER)->elapsed_ms, TIMER_F);
	/* One decision for the set: one failover, not one per line. */
	assert_int_equal(count_events(f, PSET_EV_FAILOVER), 1);
	assert_string_equal(event(f, PSET_EV_REGISTERED)->to, want);
	snprintf(want, sizeof(want), "failover 127.0.0.1:%u -> 127.0.0.1:%u: "
		 "timeout (%u ms)", f->a.port, f->b.port, TIMER_F);
	assert_true(log_has(f, want));
	/* Symmetric mode: no probe of a while b works. */
	advance(f, 3 * RETRY_S * 1000);
	assert_int_equal(f->a.n_options, 0);
	f->passed = true;
}

/* A refusing server (ICMP port unreachable) is left at once. */
static void test_failover_on_refusal(void **state)
{
	struct fixture *f = *state;

	registrar_close(&f->a);
	new_set(f, true);
	add_line(f, 0, REGISTRAR_PASS);
	assert_int_equal(pset_start(f->ps), 0);
	ADVANCE_UNTIL(f, f->b.n_register > 0, TIMER_F);
	assert_true(f->took < 50);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->b), 100);
	assert_int_equal(status(f)->servers[0].last, SL_RES_UNREACHABLE);
	assert_string_equal(event(f, PSET_EV_FAILOVER)->reason,
			    "unreachable");
	f->passed = true;
}

/* 503: the next server at once; the first is held for its Retry-After. */
static void test_failover_on_503(void **state)
{
	struct fixture *f = *state;
	uint64_t t503;

	f->a.mode = REGISTRAR_503;	/* Retry-After: 30 */
	f->a.options = REGISTRAR_OPT_200;
	new_set(f, false);
	add_line(f, 0, REGISTRAR_PASS);
	assert_int_equal(pset_start(f->ps), 0);
	ADVANCE_UNTIL(f, f->a.n_register > 0, 1000);
	t503 = loop_now_ms(f->loop);
	ADVANCE_UNTIL(f, f->b.n_register > 0, 50);
	assert_true(f->took <= 2);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->b), 100);
	assert_int_equal(f->a.n_register, 1);
	assert_int_equal(status(f)->servers[0].last, SL_RES_503);
	assert_int_equal(f->st.servers[0].last_code, 503);
	assert_string_equal(event(f, PSET_EV_FAILOVER)->reason,
			    "503 Retry-After 30");

	/* Probes every 5 s skip a while it asked us to wait 30 s. */
	advance(f, 30000 - (loop_now_ms(f->loop) - t503) - 1);
	assert_int_equal(f->a.n_options, 0);
	ADVANCE_UNTIL(f, f->a.n_options > 0, RETRY_S * 1000 + 10);
	assert_int_equal(f->a.n_register, 1);
	f->passed = true;
}

/* Every server silent: the waits grow, then stay at the cap. */
static void test_backoff_grows_and_stays_bounded(void **state)
{
	struct fixture *f = *state;
	uint64_t starts[5];
	unsigned int round, n_req;

	f->a.mode = REGISTRAR_SILENT;
	f->b.mode = REGISTRAR_SILENT;
	new_set(f, false);
	add_line(f, 0, REGISTRAR_PASS);
	assert_int_equal(pset_start(f->ps), 0);
	for (round = 0; round < 5; round++) {
		n_req = f->a.n_register;
		ADVANCE_UNTIL(f, f->a.n_register > n_req,
			      (uint64_t)MAX_S * 1000 + 1000);
		starts[round] = loop_now_ms(f->loop);
		/* a for Timer F, then b for Timer F, then the wait. */
		ADVANCE_UNTIL(f, status(f)->state == PSET_BACKOFF,
			      3 * TIMER_F);
		assert_int_equal(f->st.consecutive_failures, round + 1);
		assert_true(f->st.next_try_s > 0);
		assert_int_equal(f->st.active, -1);
	}
	for (round = 1; round < 5; round++) {
		/* base * 2^k, k rounds failed, capped; [50 %, 100 %]. */
		uint64_t upper = (uint64_t)BASE_S * 1000 << round;
		uint64_t wait = starts[round] - starts[round - 1] - 2 * TIMER_F;

		if (upper > MAX_S * 1000)
			upper = MAX_S * 1000;
		/* DNS from the cache and 1 ms steps: a few ms late. */
		assert_in_range(wait, upper / 2, upper + 5);
	}
	assert_int_equal(count_events(f, PSET_EV_BACKOFF), 5);
	assert_int_equal(status(f)->failovers, 5);	/* a -> b each round */
	/* A line waiting for the set shows the set's failure. */
	{
		struct reg_status rs;

		assert_true(pset_line_status(f->ps, 0, &rs));
		assert_int_equal(rs.state, REG_FAILED);
		assert_non_null(strstr(rs.text, "every server failed"));
		assert_non_null(strstr(rs.last_error, "no response"));
	}
	f->passed = true;
}

/* Failback needs PROBES answers in a row, then make before break. */
static void test_failback_after_consecutive_probes(void **state)
{
	struct fixture *f = *state;
	unsigned int n_reg, n_opt;
	uint64_t t_fail;

	f->a.mode = REGISTRAR_SILENT;
	f->a.options = REGISTRAR_OPT_SILENT;
	new_set(f, false);
	add_line(f, 0, REGISTRAR_PASS);
	add_line(f, 1, REGISTRAR_PASS);
	assert_int_equal(pset_start(f->ps), 0);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->b) &&
			 registered_at(f, 1, &f->b), 2000);
	t_fail = loop_now_ms(f->loop);

	/* The first probe finds a silent still; then a comes back. */
	ADVANCE_UNTIL(f, count_events(f, PSET_EV_PROBE) == 1,
		      RETRY_S * 1000 + TIMER_F + 10);
	assert_int_equal(status(f)->probe_ok[0], 0);
	assert_non_null(strstr(event(f, PSET_EV_PROBE)->reason, "timeout"));
	f->a.mode = REGISTRAR_DIGEST;
	f->a.options = REGISTRAR_OPT_200;

	/* Two answers in a row: not yet. */
	ADVANCE_UNTIL(f, count_events(f, PSET_EV_PROBE) == 3,
		      2 * RETRY_S * 1000 + 10);
	assert_int_equal(status(f)->probe_ok[0], 2);
	assert_non_null(strstr(event(f, PSET_EV_PROBE)->reason,
			       "answered 200 (2 of 3)"));
	n_reg = f->a.n_register;
	advance(f, 5);
	assert_int_equal(f->a.n_register, n_reg);
	assert_true(registered_at(f, 0, &f->b));

	/* The third: every line registers at a, then leaves b. */
	ADVANCE_UNTIL(f, count_events(f, PSET_EV_PROBE) == 4,
		      RETRY_S * 1000 + 10);
	assert_true(loop_now_ms(f->loop) - t_fail >= HOLD_S * 1000);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->a) &&
			 registered_at(f, 1, &f->a), 200);
	ADVANCE_UNTIL(f, f->b.n_unreg == 2, 200);
	/* Make before break: granted at a before Expires: 0 at b. */
	assert_true(f->a.granted_seq < f->b.unreg_seq);
	assert_int_equal(status(f)->failbacks, 1);
	assert_int_equal(f->st.active, 0);
	assert_non_null(strstr(event(f, PSET_EV_FAILBACK)->reason,
			       "3 probe(s) answered"));
	n_opt = f->a.n_options;
	/* Back on the best server: no more probes. */
	advance(f, 2 * RETRY_S * 1000);
	assert_int_equal(f->a.n_options, n_opt);
	f->passed = true;
}

/* A flapping primary (answers every other probe) is never returned to. */
static void test_flapping_primary_not_returned_to(void **state)
{
	struct fixture *f = *state;
	unsigned int probes, n_reg;

	f->a.mode = REGISTRAR_SILENT;
	new_set(f, false);
	add_line(f, 0, REGISTRAR_PASS);
	assert_int_equal(pset_start(f->ps), 0);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->b), 2000);
	n_reg = f->a.n_register;
	for (probes = 1; probes <= 8; probes++) {
		f->a.options = probes % 2 ? REGISTRAR_OPT_200 :
			       REGISTRAR_OPT_SILENT;
		ADVANCE_UNTIL(f, count_events(f, PSET_EV_PROBE) == probes,
			      RETRY_S * 1000 + TIMER_F + 10);
		assert_true(status(f)->probe_ok[0] <= 1);
	}
	assert_int_equal(f->a.n_register, n_reg);
	assert_int_equal(status(f)->failbacks, 0);
	assert_true(registered_at(f, 0, &f->b));
	f->passed = true;
}

/* Refused credentials stay the line's business. */
static void test_wrong_password_moves_nothing(void **state)
{
	struct fixture *f = *state;
	unsigned int n;
	struct reg_status rs;

	new_set(f, false);
	add_line(f, 0, REGISTRAR_PASS);
	add_line(f, 1, "not-the-password");
	assert_int_equal(pset_start(f->ps), 0);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->a), 1000);
	advance(f, 100);
	assert_true(pset_line_status(f->ps, 1, &rs));
	assert_int_not_equal(rs.state, REG_REGISTERED);
	n = f->a.n_register;

	/* The wrong line retries alone after its backoff; no failover. */
	advance(f, BASE_S * 1000 - 200);
	assert_int_equal(f->a.n_register, n);
	advance(f, BASE_S * 1000 + 200);
	assert_true(f->a.n_register > n);
	assert_int_equal(f->b.n_register, 0);
	assert_int_equal(status(f)->failovers, 0);
	assert_int_equal(f->st.state, PSET_ACTIVE);
	assert_true(registered_at(f, 0, &f->a));
	assert_true(log_has(f, "line 1: "));
	assert_true(log_has(f, "the others stay"));
	f->passed = true;
}

/* A network change re-registers every line at the same server. */
static void test_network_change(void **state)
{
	struct fixture *f = *state;
	unsigned int n;

	new_set(f, false);
	add_line(f, 0, REGISTRAR_PASS);
	assert_int_equal(pset_start(f->ps), 0);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->a), 1000);
	n = f->a.n_register;
	pset_network_changed(f->ps, "address 192.0.2.7 added");
	ADVANCE_UNTIL(f, f->a.n_register > n, 100);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->a), 100);
	assert_int_equal(f->b.n_register, 0);
	assert_string_equal(event(f, PSET_EV_NETWORK)->reason,
			    "address 192.0.2.7 added");
	assert_int_equal(status(f)->failovers, 0);
	f->passed = true;
}

/* Keep-alive (turned on while running): a dead server is found within
 * one interval plus Timer F, and every line leaves it. */
static void test_keepalive_loss(void **state)
{
	struct fixture *f = *state;
	struct pset_params p = {
		.failed_base_s = BASE_S,
		.failed_max_s = MAX_S,
		.symmetric = true,
		.failback_retry_s = RETRY_S,
		.failback_probes = PROBES,
		.hold_down_s = HOLD_S,
		.ka_interval_s = 5,
	};
	unsigned int n_opt;
	uint64_t dead;

	new_set(f, true);
	add_line(f, 0, REGISTRAR_PASS);
	add_line(f, 1, REGISTRAR_PASS);
	assert_int_equal(pset_start(f->ps), 0);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->a) &&
			 registered_at(f, 1, &f->a), 1000);
	pset_set_policy(f->ps, &p);
	/* 80..100 % of 5 s: one check by then, answered. */
	advance(f, 5000);
	assert_int_equal(f->a.n_options, 1);
	assert_int_equal(status(f)->failovers, 0);

	f->a.mode = REGISTRAR_SILENT;
	f->a.options = REGISTRAR_OPT_SILENT;
	dead = loop_now_ms(f->loop);
	n_opt = f->a.n_options;
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->b) &&
			 registered_at(f, 1, &f->b), 5000 + TIMER_F + 100);
	assert_true(f->a.n_options > n_opt);
	assert_true(loop_now_ms(f->loop) - dead <= 5000 + TIMER_F + 100);
	assert_non_null(event(f, PSET_EV_KEEPALIVE));
	assert_string_equal(event(f, PSET_EV_KEEPALIVE)->reason, "timeout");
	assert_int_equal(status(f)->failovers, 1);
	f->passed = true;
}

/* The TTL runs out: DNS is asked again; a server it drops is left. */
static void test_dns_drops_server_in_use(void **state)
{
	struct fixture *f = *state;
	unsigned int i, q;

	for (i = 0; i < f->dns.n_rr; i++)
		f->dns.rr[i].ttl = 5;
	new_set(f, true);
	add_line(f, 0, REGISTRAR_PASS);
	assert_int_equal(pset_start(f->ps), 0);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->a), 1000);
	q = f->dns.queries;

	/* Same answer: the line stays where it is. */
	advance(f, 5100);
	assert_true(f->dns.queries > q);
	assert_true(registered_at(f, 0, &f->a));
	assert_int_equal(status(f)->failovers, 0);

	/* a's SRV record goes away. */
	snprintf(f->dns.rr[0].name, sizeof(f->dns.rr[0].name), "gone.test");
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->b), 5200);
	assert_int_equal(status(f)->n_servers, 1);
	assert_int_equal(f->st.failovers, 1);
	assert_non_null(strstr(event(f, PSET_EV_FAILOVER)->reason,
			       "DNS no longer lists a." REGISTRAR_REALM));
	assert_non_null(strstr(event(f, PSET_EV_DNS)->reason, "1 server(s)"));
	f->passed = true;
}

/* Every line refused at a (403/401 for all users): a is the problem. */
static void test_all_lines_refused_fail_over(void **state)
{
	struct fixture *f = *state;

	f->a.mode = REGISTRAR_WRONG_PW;
	new_set(f, true);
	add_line(f, 0, REGISTRAR_PASS);
	add_line(f, 1, REGISTRAR_PASS);
	assert_int_equal(pset_start(f->ps), 0);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->b) &&
			 registered_at(f, 1, &f->b), 1000);
	assert_int_equal(status(f)->state, PSET_ACTIVE);
	assert_int_equal(f->st.failovers, 1);
	assert_int_equal(f->st.servers[0].last, SL_RES_AUTH);
	assert_non_null(strstr(event(f, PSET_EV_FAILOVER)->reason,
			       "auth-failed"));
	f->passed = true;
}

/* A rebuilt set starts where the old one was, not at the primary. */
static void test_adopt_starts_at_old_target(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

	sin->sin_family = AF_INET;
	sin->sin_port = htons(f->b.port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	new_set(f, true);
	add_line(f, 0, REGISTRAR_PASS);
	pset_adopt(f->ps, &ss);
	assert_int_equal(pset_start(f->ps), 0);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->b), 1000);
	assert_int_equal(f->a.n_register, 0);
	assert_int_equal(status(f)->failovers, 0);
	assert_true(log_has(f, "was in use; trying it first"));
	f->passed = true;
}

/* A REGISTER answered after every server was given up: that one works. */
static void test_late_answer_during_backoff(void **state)
{
	struct fixture *f = *state;

	f->a.mode = REGISTRAR_SILENT;
	f->b.mode = REGISTRAR_SILENT;
	new_set(f, true);
	add_line(f, 0, REGISTRAR_PASS);
	assert_int_equal(pset_start(f->ps), 0);
	ADVANCE_UNTIL(f, f->b.n_register > 0, 1000);
	/* Line 1 joins late: its REGISTER outlives line 0's round. */
	advance(f, 250);
	add_line(f, 1, REGISTRAR_PASS);
	ADVANCE_UNTIL(f, status(f)->state == PSET_BACKOFF, 100);
	f->b.mode = REGISTRAR_DIGEST;
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->b) &&
			 registered_at(f, 1, &f->b), 500);
	assert_int_equal(status(f)->state, PSET_ACTIVE);
	assert_int_equal(f->st.active, 1);
	assert_int_equal(f->st.consecutive_failures, 0);
	f->passed = true;
}

/* A network change during a failback keeps the failback (and its undo). */
static void test_network_change_during_failback(void **state)
{
	struct fixture *f = *state;
	unsigned int n;

	f->a.mode = REGISTRAR_SILENT;
	f->a.options = REGISTRAR_OPT_200;
	new_set(f, false);
	add_line(f, 0, REGISTRAR_PASS);
	assert_int_equal(pset_start(f->ps), 0);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->b), 2000);
	n = f->a.n_register;
	ADVANCE_UNTIL(f, f->a.n_register > n, 4 * RETRY_S * 1000);
	assert_int_equal(count_events(f, PSET_EV_FAILBACK), 1);
	pset_network_changed(f->ps, "default route changed");
	/* a stays silent: the failback is abandoned, back to b. */
	ADVANCE_UNTIL(f, count_events(f, PSET_EV_FAILBACK) == 2, 2 * TIMER_F);
	assert_non_null(strstr(event(f, PSET_EV_FAILBACK)->reason,
			       "abandoned"));
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->b), 500);
	assert_int_equal(status(f)->state, PSET_ACTIVE);
	assert_int_equal(f->st.active, 1);
	f->passed = true;
}

/* A 503 to a failback probe: not probed again before its Retry-After. */
static void test_probe_503_retry_after(void **state)
{
	struct fixture *f = *state;
	unsigned int n;

	f->a.mode = REGISTRAR_SILENT;
	f->a.options = REGISTRAR_OPT_503;	/* Retry-After: 20 > HOLD_S */
	new_set(f, false);
	add_line(f, 0, REGISTRAR_PASS);
	assert_int_equal(pset_start(f->ps), 0);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->b), 2000);
	ADVANCE_UNTIL(f, f->a.n_options == 1, RETRY_S * 1000 + 10);
	n = f->a.n_options;
	advance(f, 20000 - 10);
	assert_int_equal(f->a.n_options, n);
	ADVANCE_UNTIL(f, f->a.n_options > n, RETRY_S * 1000 + 10);
	f->passed = true;
}

/* Three servers, a and b silent from the start: the lines end at c. */
static void start_at_c(struct fixture *f)
{
	add_third(f);
	set_silent(&f->a, true);
	set_silent(&f->b, true);
	new_set(f, false);
	add_line(f, 0, REGISTRAR_PASS);
	add_line(f, 1, REGISTRAR_PASS);
	assert_int_equal(pset_start(f->ps), 0);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->c) &&
			 registered_at(f, 1, &f->c), 3 * TIMER_F + 2000);
	assert_int_equal(status(f)->active, 2);
	assert_int_equal(f->st.failovers, 2);
}

/* Longest wait for a failback: the hold-down, then the probes. */
#define FAILBACK_MAX_MS	((HOLD_S + (PROBES + 2) * RETRY_S) * 1000)

/*
 * On c, b answers again: the lines return to b (c's bindings removed)
 * while a is still probed; then a answers: back to a, and no probes
 * after that.
 */
static void test_failback_steps_up_three_servers(void **state)
{
	struct fixture *f = *state;
	unsigned int n_opt_a, n_opt_b;

	start_at_c(f);
	set_silent(&f->b, false);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->b) &&
			 registered_at(f, 1, &f->b), FAILBACK_MAX_MS);
	ADVANCE_UNTIL(f, f->c.n_unreg == 2, 500);
	assert_int_equal(status(f)->failbacks, 1);
	assert_int_equal(f->st.active, 1);

	/* a is still better: its probes go on; b is not probed. */
	n_opt_a = f->a.n_options;
	n_opt_b = f->b.n_options;
	advance(f, 2 * RETRY_S * 1000 + TIMER_F);
	assert_true(f->a.n_options >= n_opt_a + 2);
	assert_int_equal(f->b.n_options, n_opt_b);
	assert_true(registered_at(f, 0, &f->b));

	set_silent(&f->a, false);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->a) &&
			 registered_at(f, 1, &f->a), FAILBACK_MAX_MS);
	ADVANCE_UNTIL(f, f->b.n_unreg == 2, 500);
	assert_int_equal(status(f)->failbacks, 2);
	assert_int_equal(f->st.active, 0);
	assert_true(f->a.granted_seq < f->b.unreg_seq);
	n_opt_a = f->a.n_options;
	advance(f, 2 * RETRY_S * 1000);
	assert_int_equal(f->a.n_options, n_opt_a);
	f->passed = true;
}

/* a and b answer again at once: the lines go from c to a, never to b. */
static void test_failback_skips_the_middle_server(void **state)
{
	struct fixture *f = *state;
	unsigned int n_reg_b;

	start_at_c(f);
	n_reg_b = f->b.n_register;
	set_silent(&f->a, false);
	set_silent(&f->b, false);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->a) &&
			 registered_at(f, 1, &f->a), FAILBACK_MAX_MS);
	ADVANCE_UNTIL(f, f->c.n_unreg == 2, 500);
	assert_int_equal(status(f)->failbacks, 1);
	assert_int_equal(f->st.active, 0);
	advance(f, 2 * RETRY_S * 1000);
	assert_int_equal(f->b.n_register, n_reg_b);
	assert_int_equal(f->st.failbacks, 1);
	f->passed = true;
}

/*
 * a's host has two addresses (a 127.0.0.1 first, a2 127.0.0.2: in the
 * field its two families). Both silent: the lines go to b. a2 answers
 * again a round before a: when a2 has answered enough probes, a has
 * answered its own latest probe, and the lines go to a, the better
 * address, in one failback (not to a2, then to a a round later).
 */
static void test_failback_to_the_hosts_best_address(void **state)
{
	struct fixture *f = *state;
	unsigned int rounds, n_reg_a2;

	add_a2(f);
	f->hold_s = 2;
	set_silent(&f->a, true);
	set_silent(&f->a2, true);
	new_set(f, false);
	add_line(f, 0, REGISTRAR_PASS);
	add_line(f, 1, REGISTRAR_PASS);
	assert_int_equal(pset_start(f->ps), 0);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->b) &&
			 registered_at(f, 1, &f->b), 3 * TIMER_F + 2000);
	assert_int_equal(status(f)->active, 2);
	n_reg_a2 = f->a2.n_register;

	/* A round of probes finds both silent; then a2 answers. */
	ADVANCE_UNTIL(f, count_events(f, PSET_EV_PROBE) == 2,
		      RETRY_S * 1000 + 2 * TIMER_F + 10);
	set_silent(&f->a2, false);
	/* The next round: a silent, a2 answers (1 of 3); then a too. */
	ADVANCE_UNTIL(f, count_events(f, PSET_EV_PROBE) == 4,
		      RETRY_S * 1000 + 2 * TIMER_F + 10);
	assert_int_equal(status(f)->probe_ok[1], 1);
	assert_int_equal(f->st.probe_ok[0], 0);
	set_silent(&f->a, false);

	/* Two rounds later a2 has 3 answers, a 2: the lines go to a. */
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->a) &&
			 registered_at(f, 1, &f->a),
		      2 * (RETRY_S * 1000 + 2 * TIMER_F) + 200);
	assert_int_equal(status(f)->failbacks, 1);
	assert_int_equal(f->st.active, 0);
	assert_int_equal(f->a2.n_register, n_reg_a2);
	ADVANCE_UNTIL(f, f->b.n_unreg == 2, 500);
	/* At the best address: no probes and no second failback. */
	rounds = f->a.n_options + f->a2.n_options;
	advance(f, 3 * RETRY_S * 1000);
	assert_int_equal(f->a.n_options + f->a2.n_options, rounds);
	assert_int_equal(status(f)->failbacks, 1);
	assert_int_equal(f->a2.n_register, n_reg_a2);
	f->passed = true;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_failover_at_timer_f,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_failover_on_refusal,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_failover_on_503,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_backoff_grows_and_stays_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_failback_after_consecutive_probes, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_flapping_primary_not_returned_to, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_wrong_password_moves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_network_change,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive_loss,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_all_lines_refused_fail_over, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_adopt_starts_at_old_target, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_late_answer_during_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_network_change_during_failback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_503_retry_after,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_drops_server_in_use,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_failback_steps_up_three_servers, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_failback_skips_the_middle_server, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_failback_to_the_hosts_best_address, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
