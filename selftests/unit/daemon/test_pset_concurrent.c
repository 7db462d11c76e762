// SPDX-License-Identifier: GPL-2.0
/*
 * The proxy set in concurrent mode (two servers per line), against the
 * in-process registrars a and b: both hold every line's binding, each
 * with a reg-id of its own; a silent a (keep-alive) or one refusing a
 * refresh (503) is left for b by a steering switch, with no REGISTER on
 * the way; a lost standby is repaired without touching the active
 * server; a failback swaps back to a once it holds the bindings again,
 * and b stays a standby; a single server works as failover. With a third
 * server c, a failed a's slot goes to c, and a failback re-homes c's
 * slot to a before the swap.
 */
#include "helpers/psetfix.h"

#define KA_S	5

/* Line @line's binding at @r is a standby, and registered. */
static bool standby_at(struct fixture *f, unsigned int line,
		       const struct registrar *r)
{
	struct reg_status st;
	char want[32];
	unsigned int i;

	snprintf(want, sizeof(want), "%s:%u", r->ip, r->port);
	if (!pset_line_status(f->ps, line, &st))
		return false;
	for (i = 0; i < st.n_bindings; i++) {
		if (!st.bindings[i].active &&
		    !strcmp(st.bindings[i].addr, want) &&
		    st.bindings[i].state == REG_REGISTERED)
			return true;
	}
	return false;
}

/* The newest event of @kind whose reason has @text: its index, or -1. */
static int event_index(struct fixture *f, enum pset_event_kind kind,
		       const char *text)
{
	const struct pset_status *st = status(f);
	unsigned int i;

	for (i = st->n_events; i-- > 0;) {
		if (st->events[i].kind == kind &&
		    strstr(st->events[i].reason, text))
			return (int)i;
	}
	return -1;
}

/* Start with @lines lines (1 or 2); each stands at a (active) and b
 * (standby). */
static void start_n(struct fixture *f, bool symmetric, unsigned int lines)
{
	unsigned int i;

	new_set_ex(f, symmetric, 2, KA_S);
	for (i = 0; i < lines; i++)
		add_line_ex(f, i, REGISTRAR_PASS, true);
	assert_int_equal(pset_start(f->ps), 0);
	for (i = 0; i < lines; i++)
		ADVANCE_UNTIL(f, registered_at(f, i, &f->a) &&
				 standby_at(f, i, &f->b), 2000);
	assert_int_equal(status(f)->active, 0);
}

static void start_both(struct fixture *f, bool symmetric)
{
	start_n(f, symmetric, 2);
}

/* Both servers hold both lines, each binding with its own reg-id. */
static void test_bindings_at_both(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;

	start_both(f, true);
	assert_true(pset_line_status(f->ps, 0, &st));
	assert_int_equal(st.n_bindings, 2);
	assert_true(st.bindings[0].active);
	assert_false(st.bindings[1].active);
	assert_int_equal(st.bindings[0].state, REG_REGISTERED);
	assert_int_equal(st.bindings[1].state, REG_REGISTERED);
	assert_true(st.bindings[0].reg_id > 0);
	assert_true(st.bindings[1].reg_id > 0);
	assert_int_not_equal(st.bindings[0].reg_id, st.bindings[1].reg_id);
	assert_string_equal(f->a.last_instance, f->b.last_instance);
	assert_string_not_equal(f->a.last_reg_id, f->b.last_reg_id);
	assert_non_null(strstr(event(f, PSET_EV_STANDBY)->reason,
			       "standby 1 ready"));
	/* Nothing moves while both answer; keep-alives reach both. */
	advance(f, 3 * KA_S * 1000);
	assert_true(f->a.n_options > 0);
	assert_true(f->b.n_options > 0);
	assert_int_equal(status(f)->failovers, 0);
	assert_int_equal(f->a.n_unreg + f->b.n_unreg, 0);
	f->passed = true;
}

/* A silent active server: steering moves to b, no REGISTER at b. */
static void test_failover_without_register(void **state)
{
	struct fixture *f = *state;
	unsigned int n_reg_b;
	uint64_t dead;

	start_both(f, true);
	n_reg_b = f->b.n_register;
	f->a.mode = REGISTRAR_SILENT;
	f->a.options = REGISTRAR_OPT_SILENT;
	dead = loop_now_ms(f->loop);
	ADVANCE_UNTIL(f, status(f)->active == 1,
		      KA_S * 1000 + TIMER_F + 100);
	/* Keep-alive detection only: one interval and its timeout. */
	assert_true(loop_now_ms(f->loop) - dead <= KA_S * 1000 + TIMER_F + 5);
	assert_int_equal(f->b.n_register, n_reg_b);
	assert_true(registered_at(f, 0, &f->b));
	assert_true(registered_at(f, 1, &f->b));
	assert_int_equal(f->st.failovers, 1);
	assert_non_null(strstr(event(f, PSET_EV_FAILOVER)->reason,
			       "to the standby, no REGISTER"));
	assert_int_equal(event(f, PSET_EV_KEEPALIVE)->elapsed_ms, TIMER_F);
	/* b's bindings stand: no un-REGISTER there. */
	advance(f, 1000);
	assert_int_equal(f->b.n_unreg, 0);
	assert_int_equal(f->b.n_register, n_reg_b);
	f->passed = true;
}

/*
 * The active server refuses a refresh with 503 (its keep-alive still
 * answered): the failing line is no longer bound there, its standby
 * binding still counts, and the switch needs no REGISTER either.
 */
static void test_refresh_failure_swaps(void **state)
{
	struct fixture *f = *state;
	unsigned int n_reg_a;

	/* One line: once its REGISTER failed, no line is bound at a. */
	start_n(f, true, 1);
	n_reg_a = f->a.n_register;
	/* 503 to REGISTER at once (OPTIONS still 200): a failure with no
	 * wait, so any REGISTER at b at the switch would be the switch's. */
	f->a.mode = REGISTRAR_503;
	/* Granted 300 s: refreshed at 50..80 %. */
	ADVANCE_UNTIL(f, status(f)->active == 1, 240 * 1000 + 100);
	assert_true(f->a.n_register > n_reg_a);
	assert_non_null(strstr(event(f, PSET_EV_FAILOVER)->reason,
			       "to the standby, no REGISTER"));
	/* b's own refreshes run on their timer, none at the switch. */
	assert_true(f->b.last_reg_ms < loop_now_ms(f->loop) - 1);
	assert_true(registered_at(f, 0, &f->b));
	f->passed = true;
}

/* A lost standby is repaired; the active server is not touched. */
static void test_standby_lost_and_repaired(void **state)
{
	struct fixture *f = *state;
	unsigned int n_reg_a;

	start_both(f, true);
	n_reg_a = f->a.n_register;
	f->b.mode = REGISTRAR_SILENT;
	f->b.options = REGISTRAR_OPT_SILENT;
	ADVANCE_UNTIL(f, !standby_at(f, 0, &f->b),
		      KA_S * 1000 + TIMER_F + 100);
	assert_non_null(strstr(event(f, PSET_EV_STANDBY)->reason,
			       "standby lost: timeout (keep-alive)"));
	assert_int_equal(status(f)->active, 0);
	assert_int_equal(f->st.failovers, 0);
	assert_true(registered_at(f, 0, &f->a));

	/* b answers again: after the slot's backoff it is a standby. */
	f->b.mode = REGISTRAR_DIGEST;
	f->b.options = REGISTRAR_OPT_200;
	ADVANCE_UNTIL(f, standby_at(f, 0, &f->b) && standby_at(f, 1, &f->b),
		      2 * BASE_S * 1000 + 2 * TIMER_F + 500);
	assert_int_equal(f->a.n_register, n_reg_a);
	assert_int_equal(status(f)->active, 0);
	f->passed = true;
}

/*
 * After a failover to b, a comes back: it becomes a standby again, then
 * after the failback probes the lines swap back to it, no REGISTER on
 * the way, and b stays a standby (its calls go on).
 */
static void test_failback_by_swap(void **state)
{
	struct fixture *f = *state;
	unsigned int n_reg_a;
	int ready, back;
	char want[32];

	start_both(f, false);
	f->a.mode = REGISTRAR_SILENT;
	f->a.options = REGISTRAR_OPT_SILENT;
	ADVANCE_UNTIL(f, status(f)->active == 1,
		      KA_S * 1000 + TIMER_F + 100);
	f->a.mode = REGISTRAR_DIGEST;
	f->a.options = REGISTRAR_OPT_200;
	/*
	 * The slot's retry (after its backoff) or the failback (after the
	 * probes) registers at a as a standby; the swap follows once both
	 * lines hold a binding there.
	 */
	ADVANCE_UNTIL(f, status(f)->active == 0,
		      2 * BASE_S * 1000 + (PROBES + 1) * RETRY_S * 1000 +
		      HOLD_S * 1000);
	assert_int_equal(f->st.failbacks, 1);
	ready = event_index(f, PSET_EV_STANDBY, "standby 1 ready");
	back = event_index(f, PSET_EV_FAILBACK, "to the standby, no REGISTER");
	assert_true(ready >= 0 && back > ready);
	snprintf(want, sizeof(want), "127.0.0.1:%u", f->a.port);
	assert_string_equal(f->st.events[ready].to, want);
	n_reg_a = f->a.n_register;
	advance(f, 1000);
	assert_int_equal(f->a.n_register, n_reg_a);
	assert_true(registered_at(f, 0, &f->a));
	assert_true(registered_at(f, 1, &f->a));
	assert_true(standby_at(f, 0, &f->b));
	assert_int_equal(f->b.n_unreg, 0);
	assert_non_null(strstr(event(f, PSET_EV_FAILBACK)->reason,
			       "to the standby, no REGISTER"));
	f->passed = true;
}

/* One server (an IP literal): a warning, and failover mode's behaviour. */
static void test_one_server_works_as_failover(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;

	new_set_at(f, "127.0.0.1", f->a.port, true, 2, 0);
	add_line_ex(f, 0, REGISTRAR_PASS, true);
	assert_int_equal(pset_start(f->ps), 0);
	ADVANCE_UNTIL(f, registered_at(f, 0, &f->a), 1000);
	advance(f, 1000);
	assert_true(log_has(f, "concurrent mode with one server: working as "
			    "failover"));
	assert_true(pset_line_status(f->ps, 0, &st));
	assert_int_equal(st.n_bindings, 1);
	assert_int_equal(f->b.n_register, 0);
	f->passed = true;
}

/*
 * Three servers, two per line. a silent: the lines swap to b and a's
 * slot goes to c, the next in RFC 3263 order. a back: the worst slot
 * (c) is re-homed to a, its bindings at c removed once a holds the
 * lines', then the lines swap back to a; b stays a standby, and no
 * REGISTER reaches c after that.
 */
static void test_three_servers_rehome_and_failback(void **state)
{
	struct fixture *f = *state;
	unsigned int n_reg_b, n_reg_c;

	add_third(f);
	start_both(f, false);
	assert_int_equal(f->c.n_register, 0);
	n_reg_b = f->b.n_register;
	set_silent(&f->a, true);
	ADVANCE_UNTIL(f, status(f)->active == 1,
		      KA_S * 1000 + TIMER_F + 100);
	assert_int_equal(f->b.n_register, n_reg_b);
	ADVANCE_UNTIL(f, standby_at(f, 0, &f->c) && standby_at(f, 1, &f->c),
		      2000);
	assert_int_equal(f->a.n_unreg, 0);

	set_silent(&f->a, false);
	ADVANCE_UNTIL(f, status(f)->active == 0,
		      (HOLD_S + (PROBES + 2) * RETRY_S) * 1000);
	assert_int_equal(f->st.failbacks, 1);
	assert_true(event_index(f, PSET_EV_STANDBY,
				"registering as a standby before the "
				"failback") >= 0);
	assert_non_null(strstr(event(f, PSET_EV_FAILBACK)->reason,
			       "to the standby, no REGISTER"));
	ADVANCE_UNTIL(f, f->c.n_unreg == 2, 1000);
	assert_true(f->a.granted_seq < f->c.unreg_seq);
	assert_true(registered_at(f, 0, &f->a));
	assert_true(registered_at(f, 1, &f->a));
	assert_true(standby_at(f, 0, &f->b));
	assert_true(standby_at(f, 1, &f->b));
	assert_int_equal(f->b.n_unreg, 0);
	n_reg_c = f->c.n_register;
	advance(f, 3 * KA_S * 1000);
	assert_int_equal(f->c.n_register, n_reg_c);
	f->passed = true;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bindings_at_both,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_failover_without_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh_failure_swaps,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_standby_lost_and_repaired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failback_by_swap,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_one_server_works_as_failover, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_three_servers_rehome_and_failback, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
