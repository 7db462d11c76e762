/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test helper: the proxy set tests' fixture. Two in-process registrars,
 * a (SRV priority 10) and b (20), found through a fake DNS, on the
 * loop's manual clock, with the log captured (shown when a test fails).
 * add_third() adds c (30) before the set is made, for the rules that
 * need three servers; add_a2() a second address of a's host.
 * Header-only: each test file is its own binary.
 */
#ifndef SELFTESTS_DAEMON_PSETFIX_H
#define SELFTESTS_DAEMON_PSETFIX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/log.h"
#include "core/loop.h"
#include "dns/resolver.h"
#include "failover/pset.h"
#include "fakedns.h"
#include "logcap.h"
#include "registrar.h"
#include "testloop.h"

#define T0		1000000		/* manual clock start, ms */
#define TIMER_F		300
#define BASE_S		10
#define MAX_S		80
#define RETRY_S		5
#define PROBES		3
#define HOLD_S		10

struct fixture {
	struct loop *loop;
	struct fakedns dns;
	struct resolver *resolver;
	struct registrar a, b, c;
	bool has_c;		/* add_third() */
	struct registrar a2;	/* a's host at 127.0.0.2, a's port */
	bool has_a2;		/* add_a2() */
	uint32_t hold_s;	/* the set's hold-down, 0: HOLD_S */
	struct pset *ps;
	struct pset_status st;
	struct logcap log;
	bool passed;		/* else teardown shows the captured log */
	uint64_t took;		/* by the last ADVANCE_UNTIL */
};

static inline int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct resolver_opts ro = { .timeout_ms = 200, .tries = 1 };

	assert_non_null(f);
	assert_int_equal(logcap_start(&f->log, "test_pset"), 0);
	log_init("test_pset", false, LOG_LVL_DEBUG);

	assert_int_equal(loop_new(&f->loop), 0);
	loop_use_manual_clock(f->loop, T0);
	assert_int_equal(registrar_open(&f->a, f->loop, TP_UDP), 0);
	assert_int_equal(registrar_open(&f->b, f->loop, TP_UDP), 0);
	assert_int_equal(fakedns_start(&f->dns, f->loop), 0);
	fakedns_srv(&f->dns, "_sip._udp." REGISTRAR_REALM, 3600, 10, 0,
		    f->a.port, "a." REGISTRAR_REALM);
	fakedns_srv(&f->dns, "_sip._udp." REGISTRAR_REALM, 3600, 20, 0,
		    f->b.port, "b." REGISTRAR_REALM);
	fakedns_addr(&f->dns, "a." REGISTRAR_REALM, 3600, "127.0.0.1");
	fakedns_addr(&f->dns, "b." REGISTRAR_REALM, 3600, "127.0.0.1");
	ro.servers = f->dns.servers;
	assert_int_equal(resolver_new(f->loop, &ro, &f->resolver), 0);
	*state = f;
	return 0;
}

static inline int teardown(void **state)
{
	struct fixture *f = *state;

	pset_free(f->ps);
	resolver_free(f->resolver);
	fakedns_stop(&f->dns);
	registrar_close(&f->a);
	registrar_close(&f->b);
	if (f->has_c)
		registrar_close(&f->c);
	if (f->has_a2)
		registrar_close(&f->a2);
	loop_free(f->loop);
	logcap_stop(&f->log, !f->passed);
	free(f);
	return 0;
}

/* A third server, c (SRV priority 30): call before making the set. */
static inline void add_third(struct fixture *f)
{
	assert_int_equal(registrar_open(&f->c, f->loop, TP_UDP), 0);
	f->has_c = true;
	fakedns_srv(&f->dns, "_sip._udp." REGISTRAR_REALM, 3600, 30, 0,
		    f->c.port, "c." REGISTRAR_REALM);
	fakedns_addr(&f->dns, "c." REGISTRAR_REALM, 3600, "127.0.0.1");
}

/*
 * A second address of a's host (as its other family's would be, in the
 * field): 127.0.0.2, a's port, after 127.0.0.1 in DNS. Before the set.
 */
static inline void add_a2(struct fixture *f)
{
	assert_int_equal(registrar_open_at(&f->a2, f->loop, TP_UDP,
					   "127.0.0.2", f->a.port), 0);
	f->has_a2 = true;
	fakedns_addr(&f->dns, "a." REGISTRAR_REALM, 3600, "127.0.0.2");
}

/* @r silent (REGISTER and OPTIONS), or answering again. */
static inline void set_silent(struct registrar *r, bool silent)
{
	r->mode = silent ? REGISTRAR_SILENT : REGISTRAR_DIGEST;
	r->options = silent ? REGISTRAR_OPT_SILENT : REGISTRAR_OPT_200;
}

/* 1 ms steps: every packet on loopback gets its turn at its time. */
static inline void advance(struct fixture *f, uint64_t ms)
{
	assert_int_equal(testloop_advance(f->loop, ms), 0);
}

/* Advance until @cond holds, at most @max_ms; f->took: the time taken. */
#define ADVANCE_UNTIL(f, cond, max_ms) do {				\
	uint64_t _t = 0;						\
	while (!(cond) && _t < (max_ms)) {				\
		advance((f), 1);					\
		_t++;							\
	}								\
	assert_true(cond);						\
	(f)->took = _t;							\
} while (0)

/*
 * A set on @host and @port (DNS_PORT_SRV: NAPTR/SRV): @standing servers
 * per line (1: failover mode, 2..4: concurrent), a keep-alive every
 * @ka_s seconds (0: none).
 */
static inline void new_set_at(struct fixture *f, const char *host,
			      uint16_t port, bool symmetric,
			      uint32_t standing, uint32_t ka_s)
{
	struct pset_params p = {
		.host = host,
		.port = port,
		.proto = TP_UDP,
		.domain = REGISTRAR_REALM,
		.no_response_timeout_ms = TIMER_F,
		.t1_ms = 50,
		.t2_ms = 200,
		.failed_base_s = BASE_S,
		.failed_max_s = MAX_S,
		.startup_delay_max_ms = 0,
		.symmetric = symmetric,
		.failback_retry_s = RETRY_S,
		.failback_probes = PROBES,
		.hold_down_s = f->hold_s ? f->hold_s : HOLD_S,
		.ka_interval_s = ka_s,
		.standing = standing,
	};

	assert_int_equal(pset_new(f->loop, f->resolver, NULL, &p, NULL, NULL,
				  &f->ps), 0);
}

/* The set on a then b (SRV). */
static inline void new_set_ex(struct fixture *f, bool symmetric,
			      uint32_t standing, uint32_t ka_s)
{
	new_set_at(f, REGISTRAR_REALM, DNS_PORT_SRV, symmetric, standing,
		   ka_s);
}

static inline void new_set(struct fixture *f, bool symmetric)
{
	new_set_ex(f, symmetric, 1, 0);
}

/* Line @line with password @pw; with RFC 5626 outbound (a fixed
 * instance) when @outbound. */
static inline void add_line_ex(struct fixture *f, unsigned int line,
			       const char *pw, bool outbound)
{
	struct reg_params p = {
		.line = line,
		.user = REGISTRAR_USER,
		.domain = REGISTRAR_REALM,
		.password = pw,
		.expires_s = 600,
		.no_response_timeout_ms = TIMER_F,
		.t1_ms = 50,
		.t2_ms = 200,
		.stop_timeout_ms = 200,
		.outbound = outbound,
		.instance_uuid = outbound ?
			"0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d" : NULL,
	};

	assert_int_equal(pset_line_add(f->ps, &p), 0);
	assert_int_equal(pset_line_add(f->ps, &p), -EEXIST);
}

static inline void add_line(struct fixture *f, unsigned int line,
			    const char *pw)
{
	add_line_ex(f, line, pw, false);
}

static inline const struct pset_status *status(struct fixture *f)
{
	pset_status(f->ps, &f->st);
	return &f->st;
}

static inline bool registered_at(struct fixture *f, unsigned int line,
			  const struct registrar *r)
{
	struct reg_status st;
	char want[32];

	snprintf(want, sizeof(want), "%s:%u", r->ip, r->port);
	return pset_line_status(f->ps, line, &st) &&
	       st.state == REG_REGISTERED && st.server >= 0 &&
	       !strcmp(st.servers[st.server].addr, want);
}

/* The newest event of @kind, or NULL. */
static inline const struct pset_event *event(struct fixture *f,
				      enum pset_event_kind kind)
{
	const struct pset_status *st = status(f);

	for (unsigned int i = st->n_events; i-- > 0;) {
		if (st->events[i].kind == kind)
			return &st->events[i];
	}
	return NULL;
}

static inline unsigned int count_events(struct fixture *f,
				 enum pset_event_kind kind)
{
	const struct pset_status *st = status(f);
	unsigned int i, n = 0;

	for (i = 0; i < st->n_events; i++)
		n += st->events[i].kind == kind;
	return n;
}

static inline bool log_has(struct fixture *f, const char *text)
{
	return logcap_has(&f->log, text);
}
#endif
