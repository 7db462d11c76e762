/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's single-threaded event loop: fd readiness (epoll), timers
 * (a min-heap, no periodic tick) and signals (signalfd). Nothing in the
 * daemon blocks; everything runs from these callbacks.
 */
#ifndef SIPSTEERD_CORE_LOOP_H
#define SIPSTEERD_CORE_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;

enum {
	LOOP_IN = 1 << 0,
	LOOP_OUT = 1 << 1,
	LOOP_ERR = 1 << 2,	/* error or hang-up; always reported */
};

typedef void (*loop_fd_fn)(int fd, unsigned int events, void *arg);
typedef void (*loop_timer_fn)(void *arg);
typedef void (*loop_signal_fn)(int signo, void *arg);

/* Embedded in its owner; no allocation. Zero-initialised = idle. */
struct loop_timer {
	uint64_t due_ms;
	loop_timer_fn fn;
	void *arg;
	size_t heap_idx;	/* private: 0 = not queued */
};

int loop_new(struct loop **out);
void loop_free(struct loop *loop);
/* Runs until loop_stop(); returns 0, or -errno if epoll failed. */
int loop_run(struct loop *loop);
void loop_stop(struct loop *loop);

/* Monotonic milliseconds, read once per loop iteration. */
uint64_t loop_now_ms(const struct loop *loop);

int loop_fd_add(struct loop *loop, int fd, unsigned int events,
		loop_fd_fn fn, void *arg);
int loop_fd_mod(struct loop *loop, int fd, unsigned int events);
void loop_fd_del(struct loop *loop, int fd);

/* (Re)arms @t to fire once after @delay_ms. Safe from any callback. */
void loop_timer_start(struct loop *loop, struct loop_timer *t,
		      uint64_t delay_ms, loop_timer_fn fn, void *arg);
void loop_timer_cancel(struct loop *loop, struct loop_timer *t);
bool loop_timer_pending(const struct loop_timer *t);

/* Blocks @signo and delivers it through the loop. */
int loop_signal_add(struct loop *loop, int signo, loop_signal_fn fn,
		    void *arg);

/* Additions beyond the lead's interface. */

/* Wake-ups so far: tests use it to show there is no periodic tick. */
uint64_t loop_iterations(const struct loop *loop);

/*
 * Test clock. After loop_use_manual_clock() the loop no longer reads
 * CLOCK_MONOTONIC: loop_now_ms() starts at @start_ms (pending timers keep
 * the delay they had left) and moves only through loop_advance().
 * loop_run() then returns -EINVAL.
 */
void loop_use_manual_clock(struct loop *loop, uint64_t start_ms);
/*
 * Moves the manual clock @ms forward. Every timer due on the way fires in
 * due order with loop_now_ms() equal to its due time; ready fds are
 * dispatched at each step without blocking. A loop_stop() from a callback
 * ends it early, the clock staying at that callback's time. Returns 0,
 * -EINVAL without a manual clock, or -errno if epoll failed.
 */
int loop_advance(struct loop *loop, uint64_t ms);

#endif
