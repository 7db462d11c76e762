// SPDX-License-Identifier: GPL-2.0
/*
 * Is the server in use still there? An RFC 5626 CRLF ping on the
 * registration's stream with the pong due within REG_PONG_TIMEOUT_MS when
 * the registrar said it supports outbound; else OPTIONS on the
 * registration's own transport, due within the same time (Timer F is
 * far longer than a keep-alive interval). Where outbound was negotiated,
 * the flow's own keep-alive, at the pace the registrar's Flow-Timer
 * sets.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/loop.h"
#include "core/rand.h"
#include "reg/reg_int.h"
#include "sip/msg.h"

void reg_ka_stop(struct reg_site *s)
{
	loop_timer_cancel(s->reg->loop, &s->flow_ka_timer);
	loop_timer_cancel(s->reg->loop, &s->pong_timer);
	if (s->ka_tx)
		tx_abandon(s->ka_tx);
	s->ka_tx = NULL;
	s->ka_busy = false;
}

static uint32_t ka_timeout_ms(const struct reg *reg)
{
	uint32_t f = reg->p.no_response_timeout_ms;

	return f < REG_PONG_TIMEOUT_MS ? f : REG_PONG_TIMEOUT_MS;
}

static void options_done(void *arg, enum tx_result res,
			 const struct sip_msg *rsp, enum tp_error err)
{
	struct reg_site *s = arg;
	enum sl_result r = sipreq_options_result(res, rsp, err);
	char detail[80];

	s->ka_tx = NULL;
	s->ka_busy = false;
	if (r == SL_RES_OK) {
		snprintf(detail, sizeof(detail), "OPTIONS answered %d",
			 rsp->status);
		reg_site_ok(s, rsp->status, true, detail);
		return;
	}
	if (res == TX_FINAL)
		reg_site_failed(s, r, rsp->status, rsp->has_retry_after ?
				rsp->retry_after : 0, true,
				"OPTIONS answered %d", rsp->status);
	else if (res == TX_TIMEOUT)
		reg_site_failed(s, r, 0, 0, true,
				"no answer to OPTIONS within %u ms",
				ka_timeout_ms(s->reg));
	else
		reg_site_failed(s, r, 0, 0, true, "transport error: %s",
				s->tp_detail[0] ? s->tp_detail :
				tp_error_name(err));
}

static void pong_timeout(void *arg)
{
	struct reg_site *s = arg;

	s->ka_busy = false;
	reg_site_failed(s, SL_RES_TIMEOUT, 0, 0, true,
			"no pong within %u ms", REG_PONG_TIMEOUT_MS);
}

void reg_ka_pong(void *arg)
{
	struct reg_site *s = arg;

	if (s != s->reg->cur || !s->ka_busy || s->ka_tx)
		return;
	loop_timer_cancel(s->reg->loop, &s->pong_timer);
	s->ka_busy = false;
	reg_site_ok(s, 0, true, "pong");
}

/* OPTIONS on the registration's own transport; any answer but 503. */
static int options_start(struct reg_site *s)
{
	static const struct tx_handlers txh = { .on_done = options_done };
	struct reg *reg = s->reg;
	const struct sipreq_options o = {
		.proto = s->srv.proto,
		.local = &s->local,
		.domain = reg->p.domain,
		.user = reg->p.user,
		.user_agent = reg->p.user_agent,
		.t1_ms = reg->p.t1_ms,
		.t2_ms = reg->p.t2_ms,
		.timeout_ms = ka_timeout_ms(reg),
	};

	return sipreq_options_start(reg->txl, s->conn, &o, &txh, s,
				    &s->ka_tx);
}

int reg_keepalive(struct reg *reg)
{
	struct reg_site *s = reg->cur;
	int err;

	if (reg->stopping || !s || !s->bound || !s->conn)
		return -ENOTCONN;
	if (s->ka_busy)
		return -EBUSY;
	s->ka_started_ms = loop_now_ms(reg->loop);
	if (s->srv.proto == TP_UDP || !s->outbound_ok) {
		err = options_start(s);
	} else {
		err = tp_conn_send(s->conn, TP_CRLF_PING,
				   sizeof(TP_CRLF_PING) - 1);
		if (!err)
			loop_timer_start(reg->loop, &s->pong_timer,
					 REG_PONG_TIMEOUT_MS, pong_timeout, s);
	}
	if (err)
		return err;
	s->ka_busy = true;
	log_debug("line %u: keep-alive (%s) to %s", reg->p.line,
		  s->ka_tx ? "OPTIONS" : "CRLF ping", s->name);
	return 0;
}

static void flow_ka_fired(void *arg)
{
	struct reg_site *s = arg;
	struct reg *reg = s->reg;
	int err;

	if (s != reg->cur || !s->bound)
		return;
	reg_flow_ka_arm(s);
	/* -EBUSY: the proxy set's keep-alive is in flight: enough. */
	err = reg_keepalive(reg);
	if (err && err != -EBUSY)
		log_warn("line %u: cannot keep the flow to %s alive: %s",
			 reg->p.line, s->name, strerror(-err));
}

void reg_flow_ka_arm(struct reg_site *s)
{
	struct reg *reg = s->reg;
	uint32_t base_s = s->flow_timer_s ? s->flow_timer_s :
			  s->srv.proto == TP_UDP ? REG_FLOW_KA_UDP_S :
			  REG_FLOW_KA_STREAM_S;
	/* 80..100 % of the interval (section 4.4.1), at least 1 s. */
	uint64_t ms = (uint64_t)base_s * (800 + rand_below(201));

	if (!s->outbound_ok) {
		loop_timer_cancel(reg->loop, &s->flow_ka_timer);
		return;
	}
	if (ms < 1000)
		ms = 1000;
	loop_timer_start(reg->loop, &s->flow_ka_timer, ms, flow_ka_fired, s);
}
