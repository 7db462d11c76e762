// SPDX-License-Identifier: GPL-2.0
/*
 * Registration client against in-process registrars on loopback
 * (helpers/registrar.h), through the real transports, with the loop's
 * manual clock so timeouts take no wall time and timings are exact:
 * digest, refresh, un-register, wrong password, 423, stale nonce,
 * SHA-256 preference, 503, silence, ICMP, TLS failure; make before
 * break, a new transport at the same server, keep-alives over UDP and
 * TCP, and re-entry from on_result.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/log.h"
#include "core/loop.h"
#include "helpers/logcap.h"
#include "helpers/registrar.h"
#include "helpers/testcert.h"
#include "helpers/testloop.h"
#include "reg/reg.h"

#define USER	REGISTRAR_USER
#define PASS	REGISTRAR_PASS
#define REALM	REGISTRAR_REALM
#define T0	1000000		/* manual clock start, ms */
#define MAX_RES	64
#define REG_BUF_SIZE_TEST	5000	/* over reg's 4096-byte request */
#define UUID	"6f1f3c2e-8d0a-4c5b-9e7f-0a1b2c3d4e5f"

struct result {
	struct reg_result r;
	char addr[64];
	char detail[200];
	uint64_t at_ms;
};

struct fixture {
	struct loop *loop;
	struct reg *reg;
	struct registrar a, b, c;
	enum reg_state states[32];
	unsigned int n_states;
	struct result res[MAX_RES];
	unsigned int n_res;
	bool stopped;
	/* Register here from inside on_result after a failure. */
	const struct sip_server *then_at;
	int then_err;
	const char *tls_ca_file;	/* for the next new_reg() */
	uint32_t timeout_ms;		/* for the next new_reg(); 0: 300 */
	const char *auth_user;		/* for the next new_reg() */
	bool no_outbound;		/* for the next new_reg() */
	uint16_t contact_port;		/* for the next new_reg() */
	struct logcap log;
	bool passed;		/* else teardown shows the captured log */
};

static void on_state(void *arg, struct reg *reg, enum reg_state state)
{
	struct fixture *f = arg;

	(void)reg;
	if (f->n_states < 32)
		f->states[f->n_states++] = state;
}

static void on_result(void *arg, struct reg *reg, const struct reg_result *r)
{
	struct fixture *f = arg;
	struct result *x;

	assert_non_null(r->srv);
	assert_non_null(r->detail);
	if (f->n_res < MAX_RES) {
		x = &f->res[f->n_res];
		x->r = *r;
		x->r.srv = NULL;
		x->r.detail = NULL;
		tp_fmt_addr(&r->srv->addr, x->addr, sizeof(x->addr));
		snprintf(x->detail, sizeof(x->detail), "%s", r->detail);
		x->at_ms = loop_now_ms(f->loop);
	}
	f->n_res++;
	if (r->res != SL_RES_OK && f->then_at) {
		const struct sip_server *srv = f->then_at;

		f->then_at = NULL;
		f->then_err = reg_register_at(reg, srv);
	}
}

static void on_stopped(void *arg, struct reg *reg)
{
	struct fixture *f = arg;

	(void)reg;
	f->stopped = true;
}

static const struct result *last_res(const struct fixture *f)
{
	assert_true(f->n_res > 0 && f->n_res <= MAX_RES);
	return &f->res[f->n_res - 1];
}

/* There are @n results and the last one is @res. */
static const struct result *expect_result(const struct fixture *f,
					  unsigned int n, enum sl_result res)
{
	assert_int_equal(f->n_res, n);
	assert_int_equal(last_res(f)->r.res, res);
	return last_res(f);
}

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	/* The daemon logs to stderr: capture it to check the messages. */
	assert_int_equal(logcap_start(&f.log, "test_reg"), 0);
	log_init("test_reg", false, LOG_LVL_DEBUG);
	assert_int_equal(loop_new(&f.loop), 0);
	loop_use_manual_clock(f.loop, T0);
	assert_int_equal(registrar_open(&f.a, f.loop, TP_UDP), 0);
	assert_int_equal(registrar_open(&f.b, f.loop, TP_UDP), 0);
	assert_int_equal(registrar_open(&f.c, f.loop, TP_TCP), 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	reg_free(f->reg);
	registrar_close(&f->a);
	registrar_close(&f->b);
	registrar_close(&f->c);
	loop_free(f->loop);
	logcap_stop(&f->log, !f->passed);
	return 0;
}

static void advance(struct fixture *f, uint64_t ms)
{
	assert_int_equal(testloop_advance(f->loop, ms), 0);
}

static void new_reg(struct fixture *f, uint32_t expires)
{
	static const struct reg_handlers h = {
		.on_state = on_state,
		.on_result = on_result,
		.on_stopped = on_stopped,
	};
	struct reg_params p = {
		.line = 3,
		.user = USER,
		.domain = REALM,
		.auth_user = f->auth_user,
		.password = PASS,
		.expires_s = expires,
		.no_response_timeout_ms = f->timeout_ms ? f->timeout_ms : 300,
		.t1_ms = 50,
		.t2_ms = 200,
		.stop_timeout_ms = 200,	/* before Timer F */
		.tls_ca_file = f->tls_ca_file,
		.outbound = !f->no_outbound,
		.instance_uuid = UUID,
		.contact_port = f->contact_port,
	};

	assert_int_equal(reg_new(f->loop, &p, &h, f, &f->reg), 0);
}

static void start_at(struct fixture *f, struct registrar *r,
		     enum registrar_mode mode, uint32_t expires)
{
	struct sip_server srv;

	r->mode = mode;
	registrar_server(r, &srv);
	new_reg(f, expires);
	assert_int_equal(reg_register_at(f->reg, &srv), 0);
	/* Never from inside reg_register_at(). */
	assert_int_equal(f->n_res, 0);
}

/* Registered at @r (digest, 600 s asked), 50 ms into the test. */
static void registered_at(struct fixture *f, struct registrar *r)
{
	struct reg_status st;

	start_at(f, r, REGISTRAR_DIGEST, 600);
	advance(f, 50);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
}

static bool log_has(struct fixture *f, const char *needle)
{
	return logcap_has(&f->log, needle);
}

static void addr_of(const struct registrar *r, char *out, size_t size)
{
	snprintf(out, size, "127.0.0.1:%u", r->port);
}

static void test_register_and_unregister(void **state)
{
	struct fixture *f = *state;
	struct reg_status *st = malloc(sizeof(*st));
	const struct result *x;
	char addr[64];

	start_at(f, &f->a, REGISTRAR_DIGEST, 600);
	advance(f, 500);
	reg_status(f->reg, st);
	assert_int_equal(st->state, REG_REGISTERED);
	assert_int_equal(f->a.n_req, 2);	/* challenge, then 200 */
	assert_false(f->a.bad_auth);
	assert_int_equal(f->a.last_expires, 600);
	assert_string_equal(f->a.last_alg, "MD5");
	/* The binding the server granted for us, not the other one. */
	assert_int_equal(st->granted_expires_s, 300);
	assert_true(st->expires_left_s > 290 && st->expires_left_s <= 300);
	assert_string_equal(st->contact, f->a.last_contact);
	assert_non_null(strstr(st->contact, "sip:" USER "@127.0.0.1:"));
	addr_of(&f->a, addr, sizeof(addr));
	assert_string_equal(st->server_addr, addr);
	assert_int_equal(st->server, -1);	/* the proxy set's to fill */
	assert_int_equal(st->n_servers, 0);
	assert_int_equal(st->last_error[0], '\0');
	x = expect_result(f, 1, SL_RES_OK);
	assert_int_equal(x->r.code, 200);
	assert_false(x->r.refresh);
	assert_false(x->r.keepalive);
	assert_string_equal(x->addr, addr);
	assert_true(x->r.elapsed_ms <= 10);
	assert_int_equal(f->n_states, 2);
	assert_int_equal(f->states[0], REG_REGISTERING);
	assert_int_equal(f->states[1], REG_REGISTERED);

	reg_stop(f->reg);
	assert_false(f->stopped);	/* never from inside reg_stop() */
	reg_status(f->reg, st);
	assert_int_equal(st->state, REG_UNREGISTERING);
	advance(f, 1000);
	assert_true(f->stopped);
	assert_int_equal(f->a.n_unreg, 1);
	assert_int_equal(f->a.last_expires, 0);
	reg_status(f->reg, st);
	assert_int_equal(st->state, REG_IDLE);
	assert_int_equal(f->n_res, 1);	/* stopping reports no result */
	assert_false(log_has(f, PASS));
	free(st);
	f->passed = true;
}

/* The password is refused: a clear error, then quiet until told. */
static void test_wrong_password(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;
	const struct result *x;

	start_at(f, &f->a, REGISTRAR_WRONG_PW, 600);
	advance(f, 800);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_FAILED);
	assert_int_equal(f->a.n_req, 2);
	x = expect_result(f, 1, SL_RES_AUTH);
	assert_int_equal(x->r.code, 401);
	assert_non_null(strstr(x->detail, "authentication failed"));
	assert_non_null(strstr(st.last_error, "authentication failed"));
	assert_true(log_has(f, "line 3: authentication failed for user " USER
			    " at realm " REALM " (wrong password?)"));
	assert_false(log_has(f, PASS));
	assert_false(log_has(f, "response="));
	advance(f, 5000);
	assert_int_equal(f->a.n_req, 2);
	assert_int_equal(f->n_res, 1);
	f->passed = true;
}

static void test_423_min_expires(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;

	start_at(f, &f->a, REGISTRAR_423, 60);
	advance(f, 500);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_int_equal(f->a.last_expires, 120);
	assert_int_equal(st.granted_expires_s, 60);
	assert_int_equal(f->a.n_req, 3);	/* 423, 401, 200 */
	assert_int_equal(last_res(f)->r.res, SL_RES_OK);
	f->passed = true;
}

/* stale=true: answer the new nonce, do not call it a failure. */
static void test_stale_nonce(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;

	start_at(f, &f->a, REGISTRAR_STALE, 600);
	advance(f, 500);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_int_equal(f->a.n_req, 3);
	assert_false(f->a.bad_auth);
	assert_int_equal(f->n_res, 1);
	assert_int_equal(last_res(f)->r.res, SL_RES_OK);
	f->passed = true;
}

static void test_sha256_first(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;

	start_at(f, &f->a, REGISTRAR_SHA256, 600);
	advance(f, 500);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_string_equal(f->a.last_alg, "SHA-256");
	assert_false(f->a.bad_auth);
	f->passed = true;
}

static void test_503(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;
	const struct result *x;

	start_at(f, &f->a, REGISTRAR_503, 600);
	advance(f, 500);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_FAILED);
	assert_int_equal(f->a.n_req, 1);
	x = expect_result(f, 1, SL_RES_503);
	assert_int_equal(x->r.code, 503);
	assert_int_equal(x->r.retry_after_s, 30);
	assert_non_null(strstr(x->detail, "503"));
	f->passed = true;
}

/* No answer: Timer F (300 ms here) with UDP retransmissions. */
static void test_no_response(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;
	const struct result *x;

	start_at(f, &f->a, REGISTRAR_SILENT, 600);
	advance(f, 200);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERING);
	assert_int_equal(f->n_res, 0);
	advance(f, 400);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_FAILED);
	x = expect_result(f, 1, SL_RES_TIMEOUT);
	assert_int_equal(x->r.code, 0);
	assert_int_equal(x->r.elapsed_ms, 300);
	assert_int_equal(x->at_ms, T0 + 300);
	/* 0, 50, 150 (+T2 200 would be 350: after Timer F). */
	assert_int_equal(f->a.n_req, 3);
	assert_non_null(strstr(st.last_error, "no response within 300 ms"));

	/* Stopping without a binding needs no un-REGISTER. */
	reg_stop(f->reg);
	assert_false(f->stopped);
	advance(f, 1);
	assert_true(f->stopped);
	assert_int_equal(f->a.n_unreg, 0);
	f->passed = true;
}

/* Refresh before the granted expiry, with credentials up front. */
static void test_refresh(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;
	const struct result *x;

	start_at(f, &f->a, REGISTRAR_DIGEST, 4);	/* 2 s granted */
	advance(f, 400);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_int_equal(st.granted_expires_s, 2);
	assert_int_equal(f->a.n_req, 2);
	/* 50..80% of 2 s after the 200: between 1.0 and 1.6 s. */
	advance(f, 590);
	assert_int_equal(f->a.n_req, 2);
	advance(f, 620);
	assert_int_equal(f->a.n_req, 3);
	assert_true(f->a.last_req_ms >= T0 + 1000 &&
		    f->a.last_req_ms <= T0 + 1610);
	assert_int_equal(f->a.nonce_seq, 1);	/* no new challenge */
	assert_false(f->a.bad_auth);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_true(st.expires_left_s >= 1);
	x = expect_result(f, 2, SL_RES_OK);
	assert_true(x->r.refresh);
	f->passed = true;
}

/* A refresh without an answer: reported as a failed refresh. */
static void test_refresh_fails(void **state)
{
	struct fixture *f = *state;
	const struct result *x;
	struct reg_status st;

	start_at(f, &f->a, REGISTRAR_DIGEST, 4);	/* 2 s granted */
	advance(f, 50);
	f->a.mode = REGISTRAR_SILENT;
	advance(f, 1600 + 300);
	x = expect_result(f, 2, SL_RES_TIMEOUT);
	assert_true(x->r.refresh);
	assert_false(x->r.keepalive);
	assert_int_equal(x->r.elapsed_ms, 300);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_FAILED);
	assert_int_equal(st.server_addr[0], '\0');
	f->passed = true;
}

/*
 * A refresh with the last nonce challenged again (no stale=true): that
 * is a new challenge, not a wrong password.
 */
static void test_refresh_rechallenged(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;

	start_at(f, &f->a, REGISTRAR_ROTATE, 4);
	advance(f, 1900);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_int_equal(f->a.n_req, 4);	/* 401 200, 401 200 */
	assert_int_equal(f->a.nonce_seq, 2);
	assert_int_equal(last_res(f)->r.res, SL_RES_OK);
	assert_false(log_has(f, "authentication failed"));
	f->passed = true;
}

/* ICMP port unreachable ends the attempt at once, as its own result. */
static void test_unreachable(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;

	registrar_close(&f->a);	/* nobody listens on its port now */
	start_at(f, &f->a, REGISTRAR_SILENT, 600);
	advance(f, 20);		/* well before Timer F (300 ms) */
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_FAILED);
	assert_int_equal(f->n_res, 1);
	assert_int_equal(last_res(f)->r.res, SL_RES_UNREACHABLE);
	assert_true(last_res(f)->r.elapsed_ms < 20);
	assert_non_null(strstr(last_res(f)->detail, "unreachable"));
	f->passed = true;
}

/*
 * Make before break: at B while the binding at A stands; A hears
 * nothing until reg_drop_previous(), then Expires: 0 with the same
 * Call-ID and a higher CSeq, after B granted the binding.
 */
static void test_make_before_break(void **state)
{
	struct fixture *f = *state;
	struct sip_server sb;
	struct reg_status st;
	char a_call_id[128], addr[64];
	uint32_t a_cseq;
	unsigned int a_req;

	registered_at(f, &f->a);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	snprintf(a_call_id, sizeof(a_call_id), "%s", f->a.last_call_id);
	a_cseq = f->a.last_cseq;
	a_req = f->a.n_req;

	registrar_server(&f->b, &sb);
	assert_int_equal(reg_register_at(f->reg, &sb), 0);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERING);
	addr_of(&f->a, addr, sizeof(addr));
	assert_string_equal(st.server_addr, addr);	/* still bound at A */
	advance(f, 50);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	addr_of(&f->b, addr, sizeof(addr));
	assert_string_equal(st.server_addr, addr);
	assert_int_equal(f->b.n_req, 2);
	assert_true(f->b.granted_seq > 0);
	assert_int_equal(f->n_res, 2);
	assert_string_equal(last_res(f)->addr, addr);
	assert_int_equal(last_res(f)->r.res, SL_RES_OK);
	/* A is kept, untouched, however long the caller waits. */
	advance(f, 2000);
	assert_int_equal(f->a.n_req, a_req);
	assert_int_equal(f->a.n_unreg, 0);

	reg_drop_previous(f->reg);
	advance(f, 50);
	assert_int_equal(f->a.n_unreg, 1);
	assert_int_equal(f->a.last_expires, 0);
	assert_true(f->a.unreg_seq > f->b.granted_seq);
	assert_string_equal(f->a.last_call_id, a_call_id);
	assert_true(f->a.last_cseq > a_cseq);
	assert_string_equal(f->b.last_call_id, a_call_id);
	/* Nothing more for A; B's binding goes on. */
	a_req = f->a.n_req;
	reg_drop_previous(f->reg);	/* none left: nothing */
	advance(f, 1000);
	assert_int_equal(f->a.n_req, a_req);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_int_equal(f->n_res, 2);
	assert_int_equal(f->b.n_unreg, 0);
	f->passed = true;
}

/* Un-registering the kept binding needs no answer. */
static void test_drop_previous_silent(void **state)
{
	struct fixture *f = *state;
	struct sip_server sb;
	unsigned int a_req;

	registered_at(f, &f->a);
	registrar_server(&f->b, &sb);
	assert_int_equal(reg_register_at(f->reg, &sb), 0);
	advance(f, 50);
	f->a.mode = REGISTRAR_SILENT;
	a_req = f->a.n_req;
	reg_drop_previous(f->reg);
	advance(f, 199);
	assert_true(log_has(f, "un-registering at"));
	assert_false(log_has(f, "giving up"));
	advance(f, 2);		/* stop_timeout_ms: 200 */
	assert_true(log_has(f, "no answer to un-REGISTER"));
	advance(f, 1000);
	/* Retransmissions stop with the transport: 0, 50, 150 ms. */
	assert_int_equal(f->a.n_req, a_req + 3);
	assert_int_equal(f->n_res, 2);
	f->passed = true;
}

/* Back to the kept server: it gets a new transport, nobody is dropped. */
static void test_back_to_kept_server(void **state)
{
	struct fixture *f = *state;
	struct sip_server sa, sb;

	registered_at(f, &f->a);
	registrar_server(&f->b, &sb);
	assert_int_equal(reg_register_at(f->reg, &sb), 0);
	advance(f, 50);
	assert_int_equal(f->a.n_unreg, 0);
	/* Back to A: the binding at B is kept, A gets a new transport. */
	registrar_server(&f->a, &sa);
	assert_int_equal(reg_register_at(f->reg, &sa), 0);
	advance(f, 50);
	assert_int_equal(f->a.n_unreg, 0);
	assert_int_equal(f->b.n_unreg, 0);
	assert_int_equal(last_res(f)->r.res, SL_RES_OK);
	/* And to B again: the kept B goes quietly, A is kept. */
	assert_int_equal(reg_register_at(f->reg, &sb), 0);
	advance(f, 50);
	assert_int_equal(f->b.n_unreg, 0);
	reg_drop_previous(f->reg);
	advance(f, 50);
	assert_int_equal(f->a.n_unreg, 1);
	assert_int_equal(f->b.n_unreg, 0);
	assert_int_equal(f->n_res, 4);
	f->passed = true;
}

/* A second move before the drop un-registers the older binding first. */
static void test_second_move_drops_older(void **state)
{
	struct fixture *f = *state;
	struct sip_server sb, sc;
	struct reg_status st;

	registered_at(f, &f->a);
	registrar_server(&f->b, &sb);
	assert_int_equal(reg_register_at(f->reg, &sb), 0);
	advance(f, 50);
	registrar_server(&f->c, &sc);		/* over TCP */
	assert_int_equal(reg_register_at(f->reg, &sc), 0);
	advance(f, 50);
	assert_int_equal(f->a.n_unreg, 1);	/* the older one: dropped */
	assert_int_equal(f->b.n_unreg, 0);	/* kept */
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_int_equal(f->c.n_req, 2);
	reg_drop_previous(f->reg);
	advance(f, 50);
	assert_int_equal(f->b.n_unreg, 1);
	assert_int_equal(f->c.n_unreg, 0);
	assert_int_equal(f->n_res, 3);
	f->passed = true;
}

/* The same server again: a new REGISTER from a new socket (new port). */
static void test_same_server_new_transport(void **state)
{
	struct fixture *f = *state;
	struct sip_server sa;
	struct reg_status st;
	char contact[256];
	uint16_t port;

	registered_at(f, &f->a);
	port = f->a.last_reg_src_port;
	reg_status(f->reg, &st);
	snprintf(contact, sizeof(contact), "%s", st.contact);
	registrar_server(&f->a, &sa);
	assert_int_equal(reg_register_at(f->reg, &sa), 0);
	advance(f, 50);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_int_not_equal(f->a.last_reg_src_port, port);
	assert_string_not_equal(st.contact, contact);
	assert_int_equal(f->a.n_unreg, 0);
	assert_int_equal(f->n_res, 2);
	assert_int_equal(last_res(f)->r.res, SL_RES_OK);
	assert_false(last_res(f)->r.refresh);
	f->passed = true;
}

/*
 * Without RFC 5626 a new transport at the same server is a new Contact:
 * once it is granted, the old one is un-registered (Expires: 0), so no
 * stale binding stays at the registrar.
 */
static void test_same_server_unregisters_old_contact(void **state)
{
	struct fixture *f = *state;
	struct sip_server sa;
	struct reg_status st;
	uint16_t port_old, port_new;
	char old[256];

	f->no_outbound = true;
	registered_at(f, &f->a);
	reg_status(f->reg, &st);
	snprintf(old, sizeof(old), "%s", f->a.last_contact);
	port_old = f->a.last_reg_src_port;
	registrar_server(&f->a, &sa);
	assert_int_equal(reg_register_at(f->reg, &sa), 0);
	advance(f, 1);
	port_new = f->a.last_reg_src_port;
	advance(f, 49);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_int_equal(f->a.n_unreg, 1);
	assert_true(f->a.granted_seq < f->a.unreg_seq);	/* after */
	assert_string_equal(f->a.last_contact, old);	/* the old one */
	/* Over a transport of its own: the old one's address may be gone. */
	assert_int_not_equal(f->a.last_reg_src_port, port_old);
	assert_int_not_equal(f->a.last_reg_src_port, port_new);
	assert_string_not_equal(st.contact, old);
	assert_int_equal(f->n_res, 2);
	assert_int_equal(last_res(f)->r.res, SL_RES_OK);
	f->passed = true;
}

/*
 * The Contact is the call application (our address, its port), not our
 * socket: the same on every transport and at every server. So a new
 * transport at the same server sends no Expires: 0 (it would end the
 * binding just renewed), and a move un-registers that same Contact at
 * the old server.
 */
static void test_contact_is_call_application(void **state)
{
	struct fixture *f = *state;
	struct sip_server sa, sb;
	struct reg_status st;
	const char *want = "sip:" USER "@127.0.0.1:5099";
	uint16_t port;

	f->no_outbound = true;
	f->contact_port = 5099;
	registered_at(f, &f->a);
	reg_status(f->reg, &st);
	assert_string_equal(st.contact, want);
	assert_string_equal(f->a.last_contact, want);
	port = f->a.last_reg_src_port;
	assert_int_not_equal(port, 5099);	/* our socket: Via only */

	registrar_server(&f->a, &sa);
	assert_int_equal(reg_register_at(f->reg, &sa), 0);
	advance(f, 50);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_int_not_equal(f->a.last_reg_src_port, port);
	assert_string_equal(f->a.last_contact, want);
	assert_int_equal(f->a.n_unreg, 0);

	registrar_server(&f->b, &sb);
	assert_int_equal(reg_register_at(f->reg, &sb), 0);
	advance(f, 50);
	assert_string_equal(f->b.last_contact, want);
	reg_drop_previous(f->reg);
	advance(f, 50);
	assert_int_equal(f->a.n_unreg, 1);
	assert_string_equal(f->a.last_contact, want);
	assert_int_equal(f->b.n_unreg, 0);
	f->passed = true;
}

/* Over TCP the Contact says so, with the application's port. */
static void test_contact_tcp(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;

	f->contact_port = 5099;
	registered_at(f, &f->c);
	reg_status(f->reg, &st);
	assert_string_equal(st.contact,
			    "sip:" USER "@127.0.0.1:5099;transport=tcp");
	f->passed = true;
}

/* on_result may send the line elsewhere at once. */
static void test_register_from_on_result(void **state)
{
	struct fixture *f = *state;
	struct sip_server sb;
	struct reg_status st;

	registrar_server(&f->b, &sb);
	f->then_at = &sb;
	f->then_err = -1;
	start_at(f, &f->a, REGISTRAR_503, 600);
	advance(f, 100);
	assert_int_equal(f->then_err, 0);
	assert_int_equal(f->n_res, 2);
	assert_int_equal(f->res[0].r.res, SL_RES_503);
	assert_int_equal(f->res[1].r.res, SL_RES_OK);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_int_equal(f->b.n_req, 2);
	f->passed = true;
}

static void test_keepalive_needs_binding(void **state)
{
	struct fixture *f = *state;

	start_at(f, &f->a, REGISTRAR_SILENT, 600);
	assert_int_equal(reg_keepalive(f->reg), -ENOTCONN);
	advance(f, 10);
	assert_int_equal(reg_keepalive(f->reg), -ENOTCONN);
	f->passed = true;
}

/* UDP: OPTIONS on the registration's own socket; any answer will do. */
static void test_keepalive_udp_answered(void **state)
{
	struct fixture *f = *state;
	const struct result *x;

	registered_at(f, &f->a);
	f->a.options = REGISTRAR_OPT_200;
	assert_int_equal(reg_keepalive(f->reg), 0);
	assert_int_equal(reg_keepalive(f->reg), -EBUSY);
	advance(f, 20);
	assert_int_equal(f->a.n_options, 1);
	assert_int_equal(f->a.last_opt_src_port, f->a.last_reg_src_port);
	assert_string_equal(f->a.last_ruri, "sip:" REALM);
	x = expect_result(f, 2, SL_RES_OK);
	assert_true(x->r.keepalive);
	assert_int_equal(x->r.code, 200);
	assert_true(x->r.elapsed_ms < 10);
	assert_int_equal(reg_keepalive(f->reg), 0);	/* free again */
	f->passed = true;
}

static void test_keepalive_udp_silent(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;
	const struct result *x;

	registered_at(f, &f->a);
	f->a.options = REGISTRAR_OPT_SILENT;
	assert_int_equal(reg_keepalive(f->reg), 0);
	advance(f, 299);
	assert_int_equal(f->n_res, 1);
	advance(f, 1);
	x = expect_result(f, 2, SL_RES_TIMEOUT);
	assert_true(x->r.keepalive);
	assert_int_equal(x->r.elapsed_ms, 300);
	assert_int_equal(f->a.n_options, 3);	/* 0, 50, 150 */
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_FAILED);
	assert_int_equal(st.server_addr[0], '\0');
	assert_int_equal(reg_keepalive(f->reg), -ENOTCONN);
	f->passed = true;
}

static void test_keepalive_udp_503(void **state)
{
	struct fixture *f = *state;
	const struct result *x;

	registered_at(f, &f->a);
	f->a.options = REGISTRAR_OPT_503;
	assert_int_equal(reg_keepalive(f->reg), 0);
	advance(f, 20);
	x = expect_result(f, 2, SL_RES_503);
	assert_int_equal(x->r.code, 503);
	assert_int_equal(x->r.retry_after_s, 20);
	assert_true(x->r.keepalive);
	f->passed = true;
}

/* TCP: register, then a CRLF ping answered by a pong. */
static void test_keepalive_tcp_pong(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;
	const struct result *x;

	f->c.require_outbound = true;
	registered_at(f, &f->c);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_non_null(strstr(st.contact, ";transport=tcp"));
	assert_int_equal(f->c.n_accepts, 1);
	assert_int_equal(reg_keepalive(f->reg), 0);
	assert_int_equal(reg_keepalive(f->reg), -EBUSY);
	advance(f, 20);
	assert_int_equal(f->c.n_pings, 1);
	x = expect_result(f, 2, SL_RES_OK);
	assert_true(x->r.keepalive);
	assert_true(x->r.elapsed_ms < 10);
	/* The stream still frames messages after the pong. */
	assert_int_equal(reg_keepalive(f->reg), 0);
	advance(f, 20);
	assert_int_equal(f->c.n_pings, 2);
	assert_int_equal(f->n_res, 3);
	reg_stop(f->reg);
	advance(f, 50);
	assert_true(f->stopped);
	assert_int_equal(f->c.n_unreg, 1);
	f->passed = true;
}

static void test_keepalive_tcp_no_pong(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;
	const struct result *x;

	f->c.require_outbound = true;
	registered_at(f, &f->c);
	f->c.pong = false;
	assert_int_equal(reg_keepalive(f->reg), 0);
	advance(f, REG_PONG_TIMEOUT_MS - 1);
	assert_int_equal(f->c.n_pings, 1);
	assert_int_equal(f->n_res, 1);
	advance(f, 1);
	x = expect_result(f, 2, SL_RES_TIMEOUT);
	assert_true(x->r.keepalive);
	assert_int_equal(x->r.elapsed_ms, REG_PONG_TIMEOUT_MS);
	assert_non_null(strstr(x->detail, "pong"));
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_FAILED);
	f->passed = true;
}

/*
 * A keep-alive that failed at a server that was only slow: once the line
 * is registered elsewhere, reg_drop_previous() un-registers it there.
 */
static void test_failed_keepalive_unregistered_later(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;
	struct sip_server srv_b;

	registered_at(f, &f->a);
	f->a.options = REGISTRAR_OPT_SILENT;
	assert_int_equal(reg_keepalive(f->reg), 0);
	advance(f, 300);
	expect_result(f, 2, SL_RES_TIMEOUT);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_FAILED);
	assert_int_equal(st.server_addr[0], '\0');	/* not registered */
	registrar_server(&f->b, &srv_b);
	f->b.mode = REGISTRAR_DIGEST;
	assert_int_equal(reg_register_at(f->reg, &srv_b), 0);
	advance(f, 50);
	expect_result(f, 3, SL_RES_OK);
	assert_int_equal(f->a.n_unreg, 0);	/* make before break */
	reg_drop_previous(f->reg);
	advance(f, 50);
	assert_int_equal(f->a.n_unreg, 1);
	assert_true(f->b.granted_seq < f->a.unreg_seq);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	f->passed = true;
}

/*
 * With Timer F at 32 s, a keep-alive OPTIONS still gives up after
 * REG_PONG_TIMEOUT_MS: the loss is found within the keep-alive interval.
 */
static void test_keepalive_udp_timeout_capped(void **state)
{
	struct fixture *f = *state;
	const struct result *x;

	f->timeout_ms = 32000;
	registered_at(f, &f->a);
	f->a.options = REGISTRAR_OPT_SILENT;
	assert_int_equal(reg_keepalive(f->reg), 0);
	assert_int_equal(reg_keepalive(f->reg), -EBUSY);
	advance(f, REG_PONG_TIMEOUT_MS - 1);
	assert_int_equal(f->n_res, 1);
	assert_int_equal(reg_keepalive(f->reg), -EBUSY);
	advance(f, 1);
	x = expect_result(f, 2, SL_RES_TIMEOUT);
	assert_true(x->r.keepalive);
	assert_int_equal(x->r.elapsed_ms, REG_PONG_TIMEOUT_MS);
	f->passed = true;
}

/*
 * TCP to a registrar whose 2xx had no "Require: outbound": it may not
 * answer CRLF pings (RFC 5626 section 4.4.1), so OPTIONS on the stream.
 */
static void test_keepalive_tcp_without_outbound(void **state)
{
	struct fixture *f = *state;
	const struct result *x;

	registered_at(f, &f->c);
	f->c.options = REGISTRAR_OPT_200;
	f->c.pong = false;
	assert_int_equal(reg_keepalive(f->reg), 0);
	assert_int_equal(reg_keepalive(f->reg), -EBUSY);
	advance(f, 20);
	assert_int_equal(f->c.n_pings, 0);
	assert_int_equal(f->c.n_options, 1);
	assert_int_equal(f->c.n_accepts, 1);	/* the registration's own */
	x = expect_result(f, 2, SL_RES_OK);
	assert_true(x->r.keepalive);
	assert_int_equal(x->r.code, 200);
	f->passed = true;
}

/* The server resets the stream while the ping waits: SL_RES_RESET. */
static void test_keepalive_tcp_reset(void **state)
{
	struct fixture *f = *state;

	f->c.require_outbound = true;
	registered_at(f, &f->c);
	f->c.pong = false;
	assert_int_equal(reg_keepalive(f->reg), 0);
	advance(f, 10);
	registrar_drop_conns(&f->c);
	advance(f, 10);
	assert_int_equal(f->n_res, 2);
	assert_int_equal(last_res(f)->r.res, SL_RES_RESET);
	assert_true(last_res(f)->r.keepalive);
	f->passed = true;
}

/* An idle stream closed by the server: reconnect and refresh there. */
static void test_tcp_closed_idle_reconnects(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;

	registered_at(f, &f->c);
	registrar_drop_conns(&f->c);
	advance(f, 50);
	assert_int_equal(f->c.n_accepts, 2);
	assert_int_equal(f->n_res, 2);
	assert_int_equal(last_res(f)->r.res, SL_RES_OK);
	assert_true(last_res(f)->r.refresh);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	f->passed = true;
}

/*
 * Credentials we cannot even write into a REGISTER (an authentication
 * name longer than the request may be) are the line's own problem:
 * SL_RES_AUTH, not a transport failure that would move the proxy set.
 */
static void test_unbuildable_credentials(void **state)
{
	struct fixture *f = *state;
	static char longname[REG_BUF_SIZE_TEST];
	const struct result *x;

	memset(longname, 'u', sizeof(longname) - 1);
	f->auth_user = longname;
	start_at(f, &f->a, REGISTRAR_DIGEST, 600);
	advance(f, 50);
	assert_int_equal(f->a.n_register, 1);	/* then the challenge */
	x = expect_result(f, 1, SL_RES_AUTH);
	assert_false(x->r.refresh);
	assert_int_equal(x->r.code, 0);
	assert_non_null(strstr(x->detail, "cannot build REGISTER"));
	assert_true(log_has(f, "check the line's credentials"));
	f->passed = true;
}

/* A failure found inside reg_register_at() comes from the loop. */
static void test_local_failure_reported_later(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;
	struct sip_server sc;

	f->tls_ca_file = "/nonexistent/ca.pem";
	new_reg(f, 600);
	registrar_server(&f->c, &sc);
	sc.proto = TP_TLS;
	assert_int_equal(reg_register_at(f->reg, &sc), 0);
	assert_int_equal(f->n_res, 0);
	advance(f, 1);
	expect_result(f, 1, SL_RES_TRANSPORT);
	assert_non_null(strstr(last_res(f)->detail, "cannot send REGISTER"));
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_FAILED);
	assert_int_equal(f->c.n_accepts, 0);
	f->passed = true;
}

/* Not TLS on the other end: a TLS failure, not a timeout. */
static void test_tls_failure(void **state)
{
	struct fixture *f = *state;
	struct testcert ca;
	struct sip_server sc;
	char ca_path[64];

	assert_int_equal(testcert_make(&ca, "Test CA", NULL, NULL), 0);
	assert_int_equal(testcert_write_pem(&ca, ca_path), 0);
	f->tls_ca_file = ca_path;
	f->c.greeting = "SIP/2.0 400 Not TLS\r\n\r\n";
	new_reg(f, 600);
	registrar_server(&f->c, &sc);
	sc.proto = TP_TLS;
	assert_int_equal(reg_register_at(f->reg, &sc), 0);
	advance(f, 50);
	expect_result(f, 1, SL_RES_TLS);
	assert_true(last_res(f)->r.elapsed_ms < 50);
	assert_int_equal(f->c.n_accepts, 1);
	unlink(ca_path);
	testcert_free(&ca);
	f->passed = true;
}

static void test_register_while_stopping(void **state)
{
	struct fixture *f = *state;
	struct sip_server sa;

	registered_at(f, &f->a);
	reg_stop(f->reg);
	registrar_server(&f->a, &sa);
	assert_int_equal(reg_register_at(f->reg, &sa), -ESHUTDOWN);
	assert_int_equal(reg_register_at(f->reg, NULL), -EINVAL);
	advance(f, 50);
	assert_true(f->stopped);
	/* Stopped: the line may register again. */
	assert_int_equal(reg_register_at(f->reg, &sa), 0);
	advance(f, 50);
	expect_result(f, 2, SL_RES_OK);
	f->passed = true;
}

/* Stopping with a kept binding un-registers at both servers. */
static void test_stop_with_kept_binding(void **state)
{
	struct fixture *f = *state;
	struct sip_server sb;
	struct reg_status st;

	registered_at(f, &f->a);
	registrar_server(&f->b, &sb);
	assert_int_equal(reg_register_at(f->reg, &sb), 0);
	advance(f, 50);
	reg_stop(f->reg);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_UNREGISTERING);
	advance(f, 50);
	assert_true(f->stopped);
	assert_int_equal(f->a.n_unreg, 1);
	assert_int_equal(f->b.n_unreg, 1);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_IDLE);
	assert_int_equal(st.server_addr[0], '\0');
	f->passed = true;
}

/*
 * RFC 5626: the same +sip.instance everywhere, a reg-id per server flow.
 * With one reg-id for all, a registrar sharing its location database
 * with the other would let the REGISTER at B replace A's binding and the
 * un-REGISTER at A remove B's.
 */
static void test_outbound_reg_id_per_server(void **state)
{
	struct fixture *f = *state;
	struct sip_server sa, sb;

	registered_at(f, &f->a);
	assert_string_equal(f->a.last_instance, "<urn:uuid:" UUID ">");
	assert_string_equal(f->a.last_reg_id, "1");
	registrar_server(&f->b, &sb);
	assert_int_equal(reg_register_at(f->reg, &sb), 0);
	advance(f, 50);
	assert_string_equal(f->b.last_instance, "<urn:uuid:" UUID ">");
	assert_string_equal(f->b.last_reg_id, "2");
	/* The un-REGISTER at A names A's flow, not B's. */
	reg_drop_previous(f->reg);
	advance(f, 50);
	assert_int_equal(f->a.n_unreg, 1);
	assert_string_equal(f->a.last_instance, "<urn:uuid:" UUID ">");
	assert_string_equal(f->a.last_reg_id, "1");
	/* Back to A (failback): A's own reg-id again, replacing its
	 * binding (section 4.2.1); B's goes with B's. */
	registrar_server(&f->a, &sa);
	assert_int_equal(reg_register_at(f->reg, &sa), 0);
	advance(f, 50);
	assert_string_equal(f->a.last_reg_id, "1");
	reg_drop_previous(f->reg);
	advance(f, 50);
	assert_int_equal(f->b.n_unreg, 1);
	assert_string_equal(f->b.last_reg_id, "2");
	/* A refresh keeps the flow's reg-id. */
	advance(f, 600 * 1000);
	assert_true(f->a.n_register > 3);
	assert_string_equal(f->a.last_reg_id, "1");
	f->passed = true;
}

/*
 * Where two registrars share one location database, a 2xx lists the
 * binding of our other flow too (same instance, other reg-id): the
 * expiry that counts is our flow's.
 */
static void test_outbound_binding_of_our_flow(void **state)
{
	struct fixture *f = *state;
	struct sip_server sb;
	struct reg_status st;
	char other[400];

	registered_at(f, &f->a);
	snprintf(other, sizeof(other), "<%s>;+sip.instance=\"<urn:uuid:"
		 UUID ">\";reg-id=1;expires=7", f->a.last_contact);
	f->b.also_bound = other;
	registrar_server(&f->b, &sb);
	assert_int_equal(reg_register_at(f->reg, &sb), 0);
	advance(f, 50);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_int_equal(st.granted_expires_s, 300);
	f->passed = true;
}

/*
 * Outbound negotiated ("Require: outbound"): the flow is kept alive with
 * no keep-alive configured, at 80..100 % of the registrar's Flow-Timer.
 */
static void test_outbound_flow_timer(void **state)
{
	struct fixture *f = *state;
	unsigned int pings, regs, i, quiet_ms;

	f->c.require_outbound = true;
	f->c.flow_timer_s = 30;
	registered_at(f, &f->c);
	advance(f, 24 * 1000 - 100);
	assert_int_equal(f->c.n_pings, 0);
	advance(f, 6 * 1000 + 200);
	assert_int_equal(f->c.n_pings, 1);
	assert_int_equal(f->n_res, 2);
	assert_true(last_res(f)->r.keepalive);
	assert_int_equal(last_res(f)->r.res, SL_RES_OK);
	/*
	 * And on: the flow never goes more than 30 s without a ping or a
	 * REGISTER (each 2xx of a refresh starts the interval again, so a
	 * count of pings alone depends on where the refreshes fall).
	 */
	pings = f->c.n_pings;
	regs = f->c.n_register;
	for (i = 0, quiet_ms = 0; i < 300; i++) {
		advance(f, 1000);
		quiet_ms += 1000;
		if (f->c.n_pings != pings || f->c.n_register != regs)
			quiet_ms = 0;
		pings = f->c.n_pings;
		regs = f->c.n_register;
		assert_true(quiet_ms <= 30 * 1000);
	}
	/*
	 * A flow that stops answering fails like any keep-alive: within an
	 * interval and the pong's timeout, or two if a refresh started the
	 * interval again.
	 */
	f->c.pong = false;
	for (i = 0; i < 2 * 30 + REG_PONG_TIMEOUT_MS / 1000 + 1; i++) {
		advance(f, 1000);
		if (last_res(f)->r.keepalive &&
		    last_res(f)->r.res == SL_RES_TIMEOUT)
			break;
	}
	assert_int_equal(last_res(f)->r.res, SL_RES_TIMEOUT);
	assert_true(last_res(f)->r.keepalive);
	f->passed = true;
}

/* Without a Flow-Timer: 95..120 s over a stream (section 4.4.1). */
static void test_outbound_keepalive_default(void **state)
{
	struct fixture *f = *state;

	f->c.require_outbound = true;
	registered_at(f, &f->c);
	advance(f, 96 * 1000 - 100);
	assert_int_equal(f->c.n_pings, 0);
	advance(f, 24 * 1000 + 200);
	assert_int_equal(f->c.n_pings, 1);
	f->passed = true;
}

/* Not negotiated (no "Require: outbound"): no keep-alive of its own. */
static void test_no_outbound_no_flow_keepalive(void **state)
{
	struct fixture *f = *state;

	f->c.flow_timer_s = 30;
	registered_at(f, &f->c);
	advance(f, 200 * 1000);
	assert_int_equal(f->c.n_pings, 0);
	assert_int_equal(f->c.n_options, 0);
	f->passed = true;
}

/* A loopback UDP port nobody listens on (bound, then closed). */
static uint16_t free_udp_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, len), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

/*
 * More servers than reg-ids (DNS kept naming new ones): a new server
 * takes the number of one no site uses, never that of the binding kept.
 */
static void test_outbound_reg_ids_recycled(void **state)
{
	struct fixture *f = *state;
	struct sip_server dead, sb;
	struct reg_status st;
	unsigned int i;

	registered_at(f, &f->a);		/* reg-id 1, kept below */
	for (i = 2; i <= REG_STATUS_MAX_SERVERS; i++) {
		registrar_server(&f->a, &dead);
		((struct sockaddr_in *)&dead.addr)->sin_port =
			htons(free_udp_port());
		assert_int_equal(reg_register_at(f->reg, &dead), 0);
		advance(f, 20);
		assert_int_equal(f->n_res, i);	/* each one failed */
	}
	registrar_server(&f->b, &sb);
	assert_int_equal(reg_register_at(f->reg, &sb), 0);
	advance(f, 50);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_string_equal(f->b.last_reg_id, "2");
	reg_drop_previous(f->reg);
	advance(f, 50);
	assert_int_equal(f->a.n_unreg, 1);
	assert_string_equal(f->a.last_reg_id, "1");
	f->passed = true;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_register_and_unregister),
		T(test_wrong_password),
		T(test_423_min_expires),
		T(test_stale_nonce),
		T(test_sha256_first),
		T(test_503),
		T(test_no_response),
		T(test_refresh),
		T(test_refresh_fails),
		T(test_refresh_rechallenged),
		T(test_unreachable),
		T(test_make_before_break),
		T(test_drop_previous_silent),
		T(test_back_to_kept_server),
		T(test_second_move_drops_older),
		T(test_same_server_new_transport),
		T(test_register_from_on_result),
		T(test_keepalive_needs_binding),
		T(test_keepalive_udp_answered),
		T(test_keepalive_udp_silent),
		T(test_keepalive_udp_503),
		T(test_keepalive_tcp_pong),
		T(test_keepalive_tcp_no_pong),
		T(test_keepalive_tcp_reset),
		T(test_keepalive_udp_timeout_capped),
		T(test_unbuildable_credentials),
		T(test_same_server_unregisters_old_contact),
		T(test_failed_keepalive_unregistered_later),
		T(test_keepalive_tcp_without_outbound),
		T(test_outbound_reg_id_per_server),
		T(test_outbound_binding_of_our_flow),
		T(test_outbound_reg_ids_recycled),
		T(test_outbound_flow_timer),
		T(test_outbound_keepalive_default),
		T(test_no_outbound_no_flow_keepalive),
		T(test_tcp_closed_idle_reconnects),
		T(test_local_failure_reported_later),
		T(test_tls_failure),
		T(test_register_while_stopping),
		T(test_stop_with_kept_binding),
		T(test_contact_is_call_application),
		T(test_contact_tcp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
