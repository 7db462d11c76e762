/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test helper: run the daemon's event loop until a condition holds or a
 * deadline passes, or move its manual clock step by step. Header-only
 * because each test file is its own binary.
 */
#ifndef SELFTESTS_DAEMON_TESTLOOP_H
#define SELFTESTS_DAEMON_TESTLOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/loop.h"

static inline uint64_t testloop_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct testloop_wait {
	struct loop *loop;
	struct loop_timer t;
	const bool *flag;
	uint64_t deadline;
	bool timed_out;
};

static inline void testloop_check(void *arg)
{
	struct testloop_wait *w = arg;

	if (*w->flag) {
		loop_stop(w->loop);
		return;
	}
	if (testloop_mono_ms() >= w->deadline) {
		w->timed_out = true;
		loop_stop(w->loop);
		return;
	}
	loop_timer_start(w->loop, &w->t, 2, testloop_check, w);
}

/* Runs @loop until *@flag is true; false if @ms passed first. */
static inline bool testloop_run_until(struct loop *loop, const bool *flag,
				      unsigned int ms)
{
	struct testloop_wait w = { .loop = loop, .flag = flag };

	w.deadline = testloop_mono_ms() + ms;
	loop_timer_start(loop, &w.t, 0, testloop_check, &w);
	loop_run(loop);
	loop_timer_cancel(loop, &w.t);
	return *flag && !w.timed_out;
}

/*
 * With the manual clock: moves it @ms forward in 1 ms steps, so every
 * exchange on loopback gets its turn at its time. 0 or loop_advance()'s
 * error.
 */
static inline int testloop_advance(struct loop *loop, uint64_t ms)
{
	int err = 0;

	for (uint64_t i = 0; i < ms && !err; i++)
		err = loop_advance(loop, 1);
	return err;
}

/* Runs @loop for @ms milliseconds. */
static inline void testloop_run_for(struct loop *loop, unsigned int ms)
{
	bool never = false;

	testloop_run_until(loop, &never, ms);
}

#endif
