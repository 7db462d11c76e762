// SPDX-License-Identifier: GPL-2.0
/*
 * Event loop: epoll for fds, a binary min-heap of embedded timers and one
 * signalfd for every signal handed to the loop.
 *
 * fd handlers live in an array indexed by fd. Each epoll event carries the
 * fd and the slot's generation, so an event for an fd that was removed (or
 * removed and re-added) earlier in the same batch is dropped rather than
 * delivered to the wrong owner.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "core/loop.h"

#define LOOP_MAX_EVENTS	32

struct fd_slot {
	loop_fd_fn fn;
	void *arg;
	uint32_t gen;
	bool used;
};

struct sig_slot {
	loop_signal_fn fn;
	void *arg;
};

struct loop {
	int epfd;
	uint64_t now_ms;
	uint64_t iterations;
	bool stop;
	bool manual_clock;	/* tests: time moves only by loop_advance() */

	struct fd_slot *fds;
	size_t n_fds;

	/* heap[1..n_timers]; heap[0] unused so heap_idx 0 means idle. */
	struct loop_timer **heap;
	size_t n_timers;
	size_t cap_timers;

	int sigfd;
	sigset_t sigmask;
	sigset_t old_sigmask;
	struct sig_slot sigs[_NSIG];
};

static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int loop_new(struct loop **out)
{
	struct loop *loop;

	loop = calloc(1, sizeof(*loop));
	if (!loop)
		return -ENOMEM;
	loop->sigfd = -1;
	sigemptyset(&loop->sigmask);
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		int err = -errno;

		free(loop);
		return err;
	}
	loop->now_ms = monotonic_ms();
	*out = loop;
	return 0;
}

void loop_free(struct loop *loop)
{
	if (!loop)
		return;
	if (loop->sigfd >= 0) {
		close(loop->sigfd);
		sigprocmask(SIG_SETMASK, &loop->old_sigmask, NULL);
	}
	close(loop->epfd);
	free(loop->fds);
	free(loop->heap);
	free(loop);
}

uint64_t loop_now_ms(const struct loop *loop)
{
	return loop->now_ms;
}

void loop_stop(struct loop *loop)
{
	loop->stop = true;
}

uint64_t loop_iterations(const struct loop *loop)
{
	return loop->iterations;
}

/* ---- fds ---- */

static uint32_t to_epoll(unsigned int events)
{
	uint32_t ev = 0;

	if (events & LOOP_IN)
		ev |= EPOLLIN;
	if (events & LOOP_OUT)
		ev |= EPOLLOUT;
	return ev;
}

static int fd_slot_reserve(struct loop *loop, int fd)
{
	size_t n = loop->n_fds ? loop->n_fds : 16;
	struct fd_slot *fds;

	if ((size_t)fd < loop->n_fds)
		return 0;
	while (n <= (size_t)fd)
		n *= 2;
	fds = realloc(loop->fds, n * sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	memset(fds + loop->n_fds, 0, (n - loop->n_fds) * sizeof(*fds));
	loop->fds = fds;
	loop->n_fds = n;
	return 0;
}

int loop_fd_add(struct loop *loop, int fd, unsigned int events,
		loop_fd_fn fn, void *arg)
{
	struct epoll_event ev = { 0 };
	struct fd_slot *slot;
	int err;

	if (fd < 0 || !fn)
		return -EINVAL;
	err = fd_slot_reserve(loop, fd);
	if (err)
		return err;
	slot = &loop->fds[fd];
	if (slot->used)
		return -EEXIST;
	ev.events = to_epoll(events);
	ev.data.u64 = (uint64_t)(slot->gen + 1) << 32 | (uint32_t)fd;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	slot->gen++;
	slot->fn = fn;
	slot->arg = arg;
	slot->used = true;
	return 0;
}

int loop_fd_mod(struct loop *loop, int fd, unsigned int events)
{
	struct epoll_event ev = { 0 };

	if (fd < 0 || (size_t)fd >= loop->n_fds || !loop->fds[fd].used)
		return -ENOENT;
	ev.events = to_epoll(events);
	ev.data.u64 = (uint64_t)loop->fds[fd].gen << 32 | (uint32_t)fd;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	return 0;
}

void loop_fd_del(struct loop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->n_fds || !loop->fds[fd].used)
		return;
	/* Fails harmlessly if the owner already closed the fd. */
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	loop->fds[fd].used = false;
	loop->fds[fd].fn = NULL;
	loop->fds[fd].arg = NULL;
}

static void fd_dispatch(struct loop *loop, const struct epoll_event *ev)
{
	int fd = (int)(uint32_t)ev->data.u64;
	uint32_t gen = (uint32_t)(ev->data.u64 >> 32);
	struct fd_slot *slot;
	unsigned int events = 0;

	if ((size_t)fd >= loop->n_fds)
		return;
	slot = &loop->fds[fd];
	if (!slot->used || slot->gen != gen)
		return;
	if (ev->events & EPOLLIN)
		events |= LOOP_IN;
	if (ev->events & EPOLLOUT)
		events |= LOOP_OUT;
	if (ev->events & (EPOLLERR | EPOLLHUP))
		events |= LOOP_ERR;
	slot->fn(fd, events, slot->arg);
}

/* ---- timers ---- */

static bool timer_before(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->due_ms < b->due_ms;
}

static void heap_set(struct loop *loop, size_t i, struct loop_timer *t)
{
	loop->heap[i] = t;
	t->heap_idx = i;
}

static void heap_up(struct loop *loop, size_t i)
{
	struct loop_timer *t = loop->heap[i];

	while (i > 1 && timer_before(t, loop->heap[i / 2])) {
		heap_set(loop, i, loop->heap[i / 2]);
		i /= 2;
	}
	heap_set(loop, i, t);
}

static void heap_down(struct loop *loop, size_t i)
{
	struct loop_timer *t = loop->heap[i];
	size_t n = loop->n_timers;

	for (;;) {
		size_t c = 2 * i;

		if (c > n)
			break;
		if (c < n && timer_before(loop->heap[c + 1], loop->heap[c]))
			c++;
		if (!timer_before(loop->heap[c], t))
			break;
		heap_set(loop, i, loop->heap[c]);
		i = c;
	}
	heap_set(loop, i, t);
}

static void heap_remove(struct loop *loop, struct loop_timer *t)
{
	size_t i = t->heap_idx;
	struct loop_timer *last = loop->heap[loop->n_timers--];

	t->heap_idx = 0;
	if (last == t)
		return;
	heap_set(loop, i, last);
	heap_up(loop, i);
	heap_down(loop, last->heap_idx);
}

static int heap_reserve(struct loop *loop)
{
	size_t cap = loop->cap_timers ? loop->cap_timers * 2 : 16;
	struct loop_timer **heap;

	if (loop->n_timers + 1 < loop->cap_timers)
		return 0;
	heap = realloc(loop->heap, cap * sizeof(*heap));
	if (!heap)
		return -ENOMEM;
	loop->heap = heap;
	loop->cap_timers = cap;
	return 0;
}

void loop_timer_start(struct loop *loop, struct loop_timer *t,
		      uint64_t delay_ms, loop_timer_fn fn, void *arg)
{
	if (t->heap_idx)
		heap_remove(loop, t);
	t->fn = fn;
	t->arg = arg;
	t->due_ms = loop->now_ms + delay_ms;
	if (t->due_ms < loop->now_ms)
		t->due_ms = UINT64_MAX;
	/*
	 * The interface has no error return: a timer that cannot be queued
	 * would silently never fire, so running out of memory here is fatal.
	 */
	if (heap_reserve(loop))
		abort();
	loop->n_timers++;
	heap_set(loop, loop->n_timers, t);
	heap_up(loop, loop->n_timers);
}

void loop_timer_cancel(struct loop *loop, struct loop_timer *t)
{
	if (t->heap_idx)
		heap_remove(loop, t);
}

bool loop_timer_pending(const struct loop_timer *t)
{
	return t->heap_idx != 0;
}

/*
 * Fires the timers due now. Bounded by the number queued on entry, so a
 * callback re-arming itself with delay 0 runs again next iteration instead
 * of starving the fds.
 */
static void timers_expire(struct loop *loop)
{
	size_t budget = loop->n_timers;

	while (budget-- && loop->n_timers && !loop->stop) {
		struct loop_timer *t = loop->heap[1];

		if (t->due_ms > loop->now_ms)
			break;
		heap_remove(loop, t);
		t->fn(t->arg);
	}
}

static int next_timeout(const struct loop *loop)
{
	uint64_t due;

	if (!loop->n_timers)
		return -1;
	due = loop->heap[1]->due_ms;
	if (due <= loop->now_ms)
		return 0;
	if (due - loop->now_ms > INT_MAX)
		return INT_MAX;
	return (int)(due - loop->now_ms);
}

/* ---- signals ---- */

static void signals_read(int fd, unsigned int events, void *arg)
{
	struct loop *loop = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		struct sig_slot *s;

		if (si.ssi_signo >= _NSIG)
			continue;
		s = &loop->sigs[si.ssi_signo];
		if (s->fn)
			s->fn((int)si.ssi_signo, s->arg);
	}
}

int loop_signal_add(struct loop *loop, int signo, loop_signal_fn fn,
		    void *arg)
{
	sigset_t mask = loop->sigmask;
	bool first = loop->sigfd < 0;
	int fd, err;

	if (signo <= 0 || signo >= _NSIG || !fn)
		return -EINVAL;
	if (sigaddset(&mask, signo) < 0)
		return -errno;
	if (first && sigprocmask(SIG_BLOCK, NULL, &loop->old_sigmask) < 0)
		return -errno;
	fd = signalfd(loop->sigfd, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (first) {
		err = loop_fd_add(loop, fd, LOOP_IN, signals_read, loop);
		if (err) {
			close(fd);
			return err;
		}
		loop->sigfd = fd;
	}
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	loop->sigmask = mask;
	loop->sigs[signo].fn = fn;
	loop->sigs[signo].arg = arg;
	return 0;
}

/* ---- run ---- */

/* One iteration: wait up to @timeout ms for fds, dispatch, fire timers. */
static int loop_step(struct loop *loop, int timeout)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];
	int n, i;

	n = epoll_wait(loop->epfd, evs, LOOP_MAX_EVENTS, timeout);
	if (n < 0 && errno != EINTR)
		return -errno;
	if (!loop->manual_clock)
		loop->now_ms = monotonic_ms();
	loop->iterations++;
	for (i = 0; i < n && !loop->stop; i++)
		fd_dispatch(loop, &evs[i]);
	timers_expire(loop);
	return 0;
}

int loop_run(struct loop *loop)
{
	int err;

	/* Waiting for a clock nobody moves would never end. */
	if (loop->manual_clock)
		return -EINVAL;
	loop->stop = false;
	loop->now_ms = monotonic_ms();
	timers_expire(loop);
	while (!loop->stop) {
		err = loop_step(loop, next_timeout(loop));
		if (err)
			return err;
	}
	return 0;
}

/* ---- manual clock (tests) ---- */

void loop_use_manual_clock(struct loop *loop, uint64_t start_ms)
{
	size_t i;

	/* Pending timers keep the delay they have left. */
	for (i = 1; i <= loop->n_timers; i++) {
		struct loop_timer *t = loop->heap[i];

		if (t->due_ms == UINT64_MAX)
			continue;
		t->due_ms = t->due_ms > loop->now_ms ?
			    t->due_ms - loop->now_ms : 0;
		t->due_ms = t->due_ms > UINT64_MAX - start_ms ?
			    UINT64_MAX : t->due_ms + start_ms;
	}
	loop->manual_clock = true;
	loop->now_ms = start_ms;
}

int loop_advance(struct loop *loop, uint64_t ms)
{
	uint64_t target = loop->now_ms + ms;
	int err;

	if (!loop->manual_clock)
		return -EINVAL;
	if (target < loop->now_ms)
		target = UINT64_MAX;
	loop->stop = false;
	for (;;) {
		err = loop_step(loop, 0);
		if (err || loop->stop)
			return err;
		if (loop->n_timers && loop->heap[1]->due_ms <= target) {
			/* Jump to the next due time, never backwards. */
			if (loop->heap[1]->due_ms > loop->now_ms)
				loop->now_ms = loop->heap[1]->due_ms;
			continue;
		}
		if (loop->now_ms == target)
			return 0;
		loop->now_ms = target;
	}
}
