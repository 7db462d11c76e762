// SPDX-License-Identifier: GPL-2.0
/*
 * The event loop: timer order and cancellation, fds, signals, and the
 * manual clock tests drive it with.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/loop.h"

struct fired {
	struct loop *loop;
	int order[64];
	uint64_t at[64];
	unsigned int n;
	unsigned int stop_after;
};

struct tctx {
	struct fired *f;
	int id;
	struct loop_timer t;
};

static void on_timer(void *arg)
{
	struct tctx *c = arg;
	struct fired *f = c->f;

	if (f->n < 64) {
		f->order[f->n] = c->id;
		f->at[f->n] = loop_now_ms(f->loop);
	}
	if (++f->n == f->stop_after)
		loop_stop(f->loop);
}

static struct loop *new_loop(void)
{
	struct loop *loop = NULL;

	assert_int_equal(loop_new(&loop), 0);
	assert_non_null(loop);
	return loop;
}

static void test_timers_fire_in_due_order(void **state)
{
	struct fired f = { .stop_after = 3 };
	struct tctx c[3];
	uint64_t start;
	int i;

	(void)state;
	f.loop = new_loop();
	start = loop_now_ms(f.loop);
	for (i = 0; i < 3; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].f = &f;
		c[i].id = i;
	}
	loop_timer_start(f.loop, &c[0].t, 60, on_timer, &c[0]);
	loop_timer_start(f.loop, &c[1].t, 20, on_timer, &c[1]);
	loop_timer_start(f.loop, &c[2].t, 40, on_timer, &c[2]);
	assert_true(loop_timer_pending(&c[0].t));
	assert_int_equal(loop_run(f.loop), 0);
	assert_int_equal(f.n, 3);
	assert_int_equal(f.order[0], 1);
	assert_int_equal(f.order[1], 2);
	assert_int_equal(f.order[2], 0);
	/* Never early. */
	assert_true(f.at[0] >= start + 20);
	assert_true(f.at[1] >= start + 40);
	assert_true(f.at[2] >= start + 60);
	for (i = 0; i < 3; i++)
		assert_false(loop_timer_pending(&c[i].t));
	loop_free(f.loop);
}

static void test_cancel_and_restart(void **state)
{
	struct fired f = { .stop_after = 2 };
	struct tctx a = { .f = &f, .id = 1 }, b = { .f = &f, .id = 2 },
		    c = { .f = &f, .id = 3 };

	(void)state;
	f.loop = new_loop();
	loop_timer_start(f.loop, &a.t, 10, on_timer, &a);
	loop_timer_start(f.loop, &b.t, 20, on_timer, &b);
	loop_timer_start(f.loop, &c.t, 30, on_timer, &c);
	loop_timer_cancel(f.loop, &b.t);
	assert_false(loop_timer_pending(&b.t));
	loop_timer_cancel(f.loop, &b.t);	/* idle: no-op */
	/* Restarting moves @a behind @c. */
	loop_timer_start(f.loop, &a.t, 50, on_timer, &a);
	assert_int_equal(loop_run(f.loop), 0);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.order[0], 3);
	assert_int_equal(f.order[1], 1);
	loop_free(f.loop);
}

/* A callback cancelling a timer that is due in the same pass. */
struct canceller {
	struct loop *loop;
	struct loop_timer t1, t2, t3;
	int fired2;
	int fired3;
};

static void cancel_t2(void *arg)
{
	struct canceller *c = arg;

	loop_timer_cancel(c->loop, &c->t2);
}

static void mark_t2(void *arg)
{
	((struct canceller *)arg)->fired2++;
}

static void mark_t3(void *arg)
{
	struct canceller *c = arg;

	c->fired3++;
	loop_stop(c->loop);
}

static void test_cancel_from_callback(void **state)
{
	struct canceller c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.loop = new_loop();
	loop_timer_start(c.loop, &c.t1, 5, cancel_t2, &c);
	loop_timer_start(c.loop, &c.t2, 5, mark_t2, &c);
	loop_timer_start(c.loop, &c.t3, 15, mark_t3, &c);
	/* Both due by the time the loop looks. */
	usleep(20000);
	assert_int_equal(loop_run(c.loop), 0);
	/* t1 and t2 have the same due time: t2 fires only if it ran first. */
	assert_true(c.fired2 <= 1);
	assert_int_equal(c.fired3, 1);
	loop_free(c.loop);
}

/* Many timers, random delays, half cancelled: the heap keeps order. */
struct many {
	struct loop *loop;
	struct loop_timer t[500];
	uint64_t due[500];
	bool cancelled[500];
	uint64_t last_due;
	unsigned int fired, expected;
	bool out_of_order, fired_cancelled;
};

static struct many *many_ctx;

static void many_fire(void *arg)
{
	struct many *m = many_ctx;
	size_t i = (size_t)(uintptr_t)arg;

	if (m->due[i] < m->last_due)
		m->out_of_order = true;
	if (m->cancelled[i])
		m->fired_cancelled = true;
	m->last_due = m->due[i];
	if (++m->fired == m->expected)
		loop_stop(m->loop);
}

static void test_many_timers(void **state)
{
	struct many *m = calloc(1, sizeof(*m));
	size_t i;

	(void)state;
	assert_non_null(m);
	many_ctx = m;
	m->loop = new_loop();
	srand(7);
	for (i = 0; i < 500; i++) {
		uint64_t d = (uint64_t)(rand() % 80);

		loop_timer_start(m->loop, &m->t[i], d, many_fire,
				 (void *)(uintptr_t)i);
		m->due[i] = m->t[i].due_ms;
	}
	for (i = 0; i < 500; i += 2) {
		loop_timer_cancel(m->loop, &m->t[i]);
		m->cancelled[i] = true;
	}
	m->expected = 250;
	assert_int_equal(loop_run(m->loop), 0);
	assert_int_equal(m->fired, 250);
	assert_false(m->out_of_order);
	assert_false(m->fired_cancelled);
	loop_free(m->loop);
	free(m);
}

/* A timer re-arming itself with delay 0 must not starve the fds. */
struct starve {
	struct loop *loop;
	struct loop_timer t;
	unsigned long spins;
	int fds[2];
	bool fd_seen;
};

static void spin(void *arg)
{
	struct starve *s = arg;

	s->spins++;
	if (s->spins > 100000) {
		loop_stop(s->loop);
		return;
	}
	loop_timer_start(s->loop, &s->t, 0, spin, s);
}

static void starve_fd(int fd, unsigned int events, void *arg)
{
	struct starve *s = arg;

	(void)fd;
	assert_true(events & LOOP_IN);
	s->fd_seen = true;
	loop_timer_cancel(s->loop, &s->t);
	loop_stop(s->loop);
}

static void test_zero_timer_does_not_starve(void **state)
{
	struct starve s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.loop = new_loop();
	assert_int_equal(pipe(s.fds), 0);
	assert_int_equal(write(s.fds[1], "x", 1), 1);
	assert_int_equal(loop_fd_add(s.loop, s.fds[0], LOOP_IN, starve_fd, &s),
			 0);
	loop_timer_start(s.loop, &s.t, 0, spin, &s);
	assert_int_equal(loop_run(s.loop), 0);
	assert_true(s.fd_seen);
	assert_true(s.spins < 10);
	close(s.fds[0]);
	close(s.fds[1]);
	loop_free(s.loop);
}

struct fdctx {
	struct loop *loop;
	int a[2], b[2];
	unsigned int a_calls, b_calls, w_calls;
	unsigned int last_events;
	bool del_other;
};

static void on_a(int fd, unsigned int events, void *arg)
{
	struct fdctx *c = arg;
	char buf[8];

	c->a_calls++;
	c->last_events = events;
	if (events & LOOP_IN)
		(void)!read(fd, buf, sizeof(buf));
	if (c->del_other) {
		/* b is ready too, and may be later in this same batch. */
		loop_fd_del(c->loop, c->b[0]);
		loop_fd_del(c->loop, c->a[0]);
	}
	loop_stop(c->loop);
}

static void on_b(int fd, unsigned int events, void *arg)
{
	struct fdctx *c = arg;
	char buf[8];

	(void)events;
	c->b_calls++;
	(void)!read(fd, buf, sizeof(buf));
	if (c->del_other) {
		loop_fd_del(c->loop, c->a[0]);
		loop_fd_del(c->loop, c->b[0]);
	}
	loop_stop(c->loop);
}

static void on_writable(int fd, unsigned int events, void *arg)
{
	struct fdctx *c = arg;

	(void)fd;
	c->w_calls++;
	c->last_events = events;
	loop_stop(c->loop);
}

static void test_fd_readiness(void **state)
{
	struct fdctx c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.loop = new_loop();
	assert_int_equal(pipe(c.a), 0);
	assert_int_equal(loop_fd_add(c.loop, c.a[0], LOOP_IN, on_a, &c), 0);
	assert_int_equal(loop_fd_add(c.loop, c.a[0], LOOP_IN, on_a, &c),
			 -EEXIST);
	assert_int_equal(loop_fd_add(c.loop, -1, LOOP_IN, on_a, &c), -EINVAL);
	assert_int_equal(loop_fd_mod(c.loop, c.a[1], LOOP_OUT), -ENOENT);
	assert_int_equal(write(c.a[1], "x", 1), 1);
	assert_int_equal(loop_run(c.loop), 0);
	assert_int_equal(c.a_calls, 1);
	assert_int_equal(c.last_events, LOOP_IN);

	/* Write side: OUT only when asked for. */
	assert_int_equal(loop_fd_add(c.loop, c.a[1], 0, on_writable, &c), 0);
	assert_int_equal(loop_fd_mod(c.loop, c.a[1], LOOP_OUT), 0);
	assert_int_equal(loop_run(c.loop), 0);
	assert_int_equal(c.w_calls, 1);
	assert_int_equal(c.last_events, LOOP_OUT);
	loop_fd_del(c.loop, c.a[1]);
	loop_fd_del(c.loop, c.a[1]);	/* twice: no-op */

	/* Hang-up is reported as LOOP_ERR. */
	close(c.a[1]);
	assert_int_equal(loop_run(c.loop), 0);
	assert_int_equal(c.a_calls, 2);
	assert_true(c.last_events & LOOP_ERR);
	loop_fd_del(c.loop, c.a[0]);
	close(c.a[0]);
	loop_free(c.loop);
}

static void test_fd_del_within_batch(void **state)
{
	struct fdctx c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.loop = new_loop();
	c.del_other = true;
	assert_int_equal(pipe(c.a), 0);
	assert_int_equal(pipe(c.b), 0);
	assert_int_equal(loop_fd_add(c.loop, c.a[0], LOOP_IN, on_a, &c), 0);
	assert_int_equal(loop_fd_add(c.loop, c.b[0], LOOP_IN, on_b, &c), 0);
	assert_int_equal(write(c.a[1], "x", 1), 1);
	assert_int_equal(write(c.b[1], "x", 1), 1);
	/* One epoll batch holds both; whichever runs first removes both. */
	assert_int_equal(loop_run(c.loop), 0);
	assert_int_equal(c.a_calls + c.b_calls, 1);
	close(c.a[0]);
	close(c.a[1]);
	close(c.b[0]);
	close(c.b[1]);
	loop_free(c.loop);
}

static void on_sig(int signo, void *arg)
{
	struct fired *f = arg;

	f->order[f->n++] = signo;
	loop_stop(f->loop);
}

static void test_signals(void **state)
{
	struct fired f = { 0 };
	sigset_t set;

	(void)state;
	f.loop = new_loop();
	assert_int_equal(loop_signal_add(f.loop, SIGUSR1, on_sig, &f), 0);
	assert_int_equal(loop_signal_add(f.loop, SIGUSR2, on_sig, &f), 0);
	assert_int_equal(loop_signal_add(f.loop, 0, on_sig, &f), -EINVAL);
	/* Blocked, so it waits for the loop instead of killing us. */
	assert_int_equal(raise(SIGUSR2), 0);
	assert_int_equal(loop_run(f.loop), 0);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.order[0], SIGUSR2);
	assert_int_equal(kill(getpid(), SIGUSR1), 0);
	assert_int_equal(loop_run(f.loop), 0);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.order[1], SIGUSR1);
	loop_free(f.loop);
	/* The signal mask is given back. */
	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &set), 0);
	assert_false(sigismember(&set, SIGUSR1));
}

static void test_now_advances(void **state)
{
	struct fired f = { .stop_after = 1 };
	struct tctx c = { .f = &f };
	uint64_t t0;

	(void)state;
	f.loop = new_loop();
	t0 = loop_now_ms(f.loop);
	loop_timer_start(f.loop, &c.t, 30, on_timer, &c);
	assert_int_equal(c.t.due_ms, t0 + 30);
	assert_int_equal(loop_run(f.loop), 0);
	assert_true(loop_now_ms(f.loop) >= t0 + 30);
	/* Stopped loops can run again; nothing pending, stopped at once. */
	loop_free(f.loop);
}

static void never_ready(int fd, unsigned int events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
	fail_msg("idle pipe reported ready");
}

/* One timer 300 ms out: the loop sleeps until then, no periodic tick. */
static void test_no_periodic_wakeups(void **state)
{
	struct fired f = { .stop_after = 1 };
	struct tctx c = { .f = &f };
	int fds[2];

	(void)state;
	f.loop = new_loop();
	/* An idle fd must not cause wake-ups either. */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(loop_fd_add(f.loop, fds[0], LOOP_IN,
				     never_ready, NULL), 0);
	loop_timer_start(f.loop, &c.t, 300, on_timer, &c);
	assert_int_equal(loop_run(f.loop), 0);
	assert_int_equal(f.n, 1);
	/* Millisecond rounding may cost one extra short wait. */
	assert_true(loop_iterations(f.loop) <= 2);
	loop_fd_del(f.loop, fds[0]);
	close(fds[0]);
	close(fds[1]);
	loop_free(f.loop);
}

/* ---- manual clock ---- */

/* Not 0, so delays and absolute times cannot be confused. */
#define MSTART	7000

static uint64_t real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct loop *new_manual_loop(void)
{
	struct loop *loop = new_loop();

	loop_use_manual_clock(loop, MSTART);
	assert_int_equal(loop_now_ms(loop), MSTART);
	return loop;
}

static void test_manual_exact_order_and_time(void **state)
{
	struct fired f = { 0 };
	struct tctx c[3];
	int i;

	(void)state;
	f.loop = new_manual_loop();
	for (i = 0; i < 3; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].f = &f;
		c[i].id = i;
	}
	loop_timer_start(f.loop, &c[0].t, 60, on_timer, &c[0]);
	loop_timer_start(f.loop, &c[1].t, 20, on_timer, &c[1]);
	loop_timer_start(f.loop, &c[2].t, 40, on_timer, &c[2]);
	/* Nothing is due before its time... */
	assert_int_equal(loop_advance(f.loop, 19), 0);
	assert_int_equal(f.n, 0);
	assert_int_equal(loop_now_ms(f.loop), MSTART + 19);
	/* ...and each sees the clock at exactly its due time. */
	assert_int_equal(loop_advance(f.loop, 81), 0);
	assert_int_equal(f.n, 3);
	assert_int_equal(f.order[0], 1);
	assert_int_equal(f.order[1], 2);
	assert_int_equal(f.order[2], 0);
	assert_int_equal(f.at[0], MSTART + 20);
	assert_int_equal(f.at[1], MSTART + 40);
	assert_int_equal(f.at[2], MSTART + 60);
	assert_int_equal(loop_now_ms(f.loop), MSTART + 100);
	loop_free(f.loop);
}

/* A timer re-armed from its callback, and one armed by another timer. */
struct chain {
	struct loop *loop;
	struct loop_timer every, once;
	uint64_t at[16];
	unsigned int n;
	uint64_t once_at;
};

static void chain_once(void *arg)
{
	struct chain *c = arg;

	c->once_at = loop_now_ms(c->loop);
}

static void chain_every(void *arg)
{
	struct chain *c = arg;

	if (c->n < 16)
		c->at[c->n] = loop_now_ms(c->loop);
	if (c->n++ == 0)
		loop_timer_start(c->loop, &c->once, 5, chain_once, c);
	loop_timer_start(c->loop, &c->every, 30, chain_every, c);
}

static void test_manual_rearm_within_advance(void **state)
{
	struct chain c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.loop = new_manual_loop();
	loop_timer_start(c.loop, &c.every, 30, chain_every, &c);
	assert_int_equal(loop_advance(c.loop, 100), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.at[0], MSTART + 30);
	assert_int_equal(c.at[1], MSTART + 60);
	assert_int_equal(c.at[2], MSTART + 90);
	assert_int_equal(c.once_at, MSTART + 35);
	/* Due exactly at the end of an advance: fires in that advance. */
	assert_int_equal(loop_advance(c.loop, 20), 0);
	assert_int_equal(c.n, 4);
	assert_int_equal(c.at[3], MSTART + 120);
	loop_free(c.loop);
}

/* Timers armed on the real clock keep the delay they had left. */
static void test_manual_keeps_pending_delays(void **state)
{
	struct fired f = { 0 };
	struct tctx c = { .f = &f };

	(void)state;
	f.loop = new_loop();
	assert_int_equal(loop_advance(f.loop, 10), -EINVAL);
	loop_timer_start(f.loop, &c.t, 50, on_timer, &c);
	loop_use_manual_clock(f.loop, MSTART);
	assert_int_equal(c.t.due_ms, MSTART + 50);
	/* Nothing would move the clock while loop_run() waits. */
	assert_int_equal(loop_run(f.loop), -EINVAL);
	assert_int_equal(loop_advance(f.loop, 50), 0);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.at[0], MSTART + 50);
	loop_free(f.loop);
}

/* loop_stop() from a callback ends the advance at that callback's time. */
static void test_manual_stop(void **state)
{
	struct fired f = { .stop_after = 1 };
	struct tctx a = { .f = &f, .id = 1 }, b = { .f = &f, .id = 2 };

	(void)state;
	f.loop = new_manual_loop();
	loop_timer_start(f.loop, &a.t, 40, on_timer, &a);
	loop_timer_start(f.loop, &b.t, 70, on_timer, &b);
	assert_int_equal(loop_advance(f.loop, 100), 0);
	assert_int_equal(f.n, 1);
	assert_int_equal(loop_now_ms(f.loop), MSTART + 40);
	assert_true(loop_timer_pending(&b.t));
	assert_int_equal(loop_advance(f.loop, 60), 0);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.at[1], MSTART + 70);
	assert_int_equal(loop_now_ms(f.loop), MSTART + 100);
	loop_free(f.loop);
}

/* fds: ready ones are dispatched, idle ones never block the advance. */
struct mfd {
	struct loop *loop;
	struct loop_timer t;
	int p[2];
	unsigned int reads;
	uint64_t read_at;
};

static void mfd_read(int fd, unsigned int events, void *arg)
{
	struct mfd *m = arg;
	char buf[8];

	assert_true(events & LOOP_IN);
	assert_true(read(fd, buf, sizeof(buf)) > 0);
	m->reads++;
	m->read_at = loop_now_ms(m->loop);
}

static void mfd_write(void *arg)
{
	struct mfd *m = arg;

	assert_int_equal(write(m->p[1], "x", 1), 1);
}

static void test_manual_fds(void **state)
{
	struct mfd m;
	uint64_t t0;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.loop = new_manual_loop();
	assert_int_equal(pipe(m.p), 0);
	assert_int_equal(loop_fd_add(m.loop, m.p[0], LOOP_IN, mfd_read, &m),
			 0);
	/* Idle fd, one hour of manual time: returns at once. */
	t0 = real_ms();
	assert_int_equal(loop_advance(m.loop, 3600 * 1000), 0);
	assert_true(real_ms() - t0 < 1000);
	assert_int_equal(m.reads, 0);
	/* Ready before the advance: dispatched even by a zero advance. */
	assert_int_equal(write(m.p[1], "x", 1), 1);
	assert_int_equal(loop_advance(m.loop, 0), 0);
	assert_int_equal(m.reads, 1);
	/* Made ready by a timer: dispatched within the same advance. */
	loop_timer_start(m.loop, &m.t, 25, mfd_write, &m);
	assert_int_equal(loop_advance(m.loop, 100), 0);
	assert_int_equal(m.reads, 2);
	assert_true(m.read_at >= MSTART + 3600 * 1000 + 25);
	assert_true(m.read_at <= MSTART + 3600 * 1000 + 100);
	loop_fd_del(m.loop, m.p[0]);
	close(m.p[0]);
	close(m.p[1]);
	loop_free(m.loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_fire_in_due_order),
		cmocka_unit_test(test_cancel_and_restart),
		cmocka_unit_test(test_cancel_from_callback),
		cmocka_unit_test(test_many_timers),
		cmocka_unit_test(test_zero_timer_does_not_starve),
		cmocka_unit_test(test_fd_readiness),
		cmocka_unit_test(test_fd_del_within_batch),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_now_advances),
		cmocka_unit_test(test_no_periodic_wakeups),
		cmocka_unit_test(test_manual_exact_order_and_time),
		cmocka_unit_test(test_manual_rearm_within_advance),
		cmocka_unit_test(test_manual_keeps_pending_delays),
		cmocka_unit_test(test_manual_stop),
		cmocka_unit_test(test_manual_fds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
