// SPDX-License-Identifier: GPL-2.0
/*
 * Registration client for one line, told where to register by the proxy
 * set. States and what moves them:
 *   IDLE/FAILED/REGISTERED -> REGISTERING (reg_register_at)
 *   REGISTERING -> REGISTERED (2xx) | FAILED (any failure, reported)
 *   REGISTERED -> FAILED (refresh or keep-alive failed, reported)
 *   any -> UNREGISTERING (reg_stop with a binding) -> IDLE
 * This file holds the line and its sites (see reg_int.h); register.c
 * speaks REGISTER, keepalive.c checks the server in use.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/loop.h"
#include "core/rand.h"
#include "reg/reg.h"
#include "reg/reg_int.h"

void reg_set_state(struct reg *reg, enum reg_state state)
{
	if (reg->state == state)
		return;
	reg->state = state;
	if (reg->h.on_state)
		reg->h.on_state(reg->arg, reg, state);
}

static void deliver(struct reg *reg, const struct reg_result *r)
{
	if (reg->h.on_result)
		reg->h.on_result(reg->arg, reg, r);
}

static uint32_t elapsed_since(const struct reg *reg, uint64_t start_ms)
{
	uint64_t now = loop_now_ms(reg->loop);

	if (now <= start_ms)
		return 0;
	return now - start_ms > UINT32_MAX ? UINT32_MAX :
	       (uint32_t)(now - start_ms);
}

/* ---- sites ---- */

void reg_site_close(struct reg_site *s)
{
	struct reg *reg = s->reg;

	loop_timer_cancel(reg->loop, &s->refresh_timer);
	loop_timer_cancel(reg->loop, &s->drop_timer);
	reg_ka_stop(s);
	/* Before the transport: the transaction sends through it. */
	if (s->tx)
		tx_abandon(s->tx);
	s->tx = NULL;
	inbound_flow_close(&s->flow);
	if (s->conn)
		tp_conn_close(s->conn);
	s->conn = NULL;
}

static void site_free(struct reg_site *s)
{
	if (!s)
		return;
	reg_site_close(s);
	reg_flow_put(s->reg, s->reg_id);
	explicit_bzero(&s->auth, sizeof(s->auth));
	free(s);
}

static struct reg_site *site_new(struct reg *reg,
				 const struct sip_server *srv)
{
	struct reg_site *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->reg = reg;
	s->srv = *srv;
	sipreq_server_name(srv, s->name, sizeof(s->name));
	tp_fmt_addr(&srv->addr, s->addr, sizeof(s->addr));
	s->expires_req = reg->p.expires_s;
	s->reg_id = reg_flow_id(reg, srv);
	return s;
}

static void site_message(void *arg, const char *buf, size_t len)
{
	struct reg_site *s = arg;
	char who[32];

	snprintf(who, sizeof(who), "line %u", s->reg->p.line);
	sipreq_input(s->reg->txl, &s->flow, buf, len, who);
}

static void site_conn_error(void *arg, enum tp_error err,
			    const char *detail);

/*
 * A new transport to the site's server, and our Contact on it, unless
 * @keep_contact: a binding made earlier, to un-register over today's
 * transport (the address it names may be gone).
 */
static int site_connect(struct reg_site *s, bool keep_contact)
{
	static const struct tp_handlers tph = {
		.on_message = site_message,
		.on_error = site_conn_error,
		.on_pong = reg_ka_pong,
	};
	struct reg *reg = s->reg;
	const struct sipreq_conn_opts co = {
		.domain = reg->p.domain,
		.tls_ca_file = reg->p.tls_ca_file,
		.tls_cert_file = reg->p.tls_cert_file,
		.tls_key_file = reg->p.tls_key_file,
		.mark = reg->p.mark,
		.timeout_ms = reg->p.no_response_timeout_ms,
	};
	struct sipreq_local *l = &s->local;
	int err;

	reg_site_close(s);
	s->tp_detail[0] = '\0';
	err = sipreq_open(reg->loop, &s->srv, &co, &tph, s, &s->conn, l);
	if (err)
		return err;
	/*
	 * The call application at our address towards this server: the
	 * same Contact on every transport to it, whatever our socket.
	 */
	if (!keep_contact)
		snprintf(s->contact_uri, sizeof(s->contact_uri),
			 "sip:%s@%s%s%s:%u%s", reg->p.user, l->v6 ? "[" : "",
			 l->host, l->v6 ? "]" : "",
			 reg->p.contact_port ? reg->p.contact_port : l->port,
			 s->srv.proto == TP_TCP ? ";transport=tcp" :
			 s->srv.proto == TP_TLS ? ";transport=tls" : "");
	s->flow.conn = s->conn;
	s->flow.contact_uri = reg->p.contact_port ? s->contact_uri : NULL;
	snprintf(s->flow.local_host, sizeof(s->flow.local_host), "%s",
		 l->host);
	s->flow.local_port = l->port;
	inbound_flow_open(reg->p.inbound, &s->flow);
	return 0;
}

/* Open a transport and send the first REGISTER of @req's kind. */
static int site_start(struct reg_site *s, enum reg_req req)
{
	int err;

	s->started_ms = loop_now_ms(s->reg->loop);
	s->req = req;		/* what a failure here is reported as */
	s->build_failed = false;
	err = site_connect(s, false);
	if (!err)
		err = reg_send_register(s, req);
	return err;
}

static void report(struct reg *reg, const struct sip_server *srv,
		   enum sl_result res, int code, uint32_t retry_after_s,
		   bool refresh, bool keepalive, uint64_t started_ms,
		   const char *detail)
{
	const struct reg_result r = {
		.res = res,
		.code = code,
		.retry_after_s = retry_after_s,
		.refresh = refresh,
		.keepalive = keepalive,
		.srv = srv,
		.elapsed_ms = elapsed_since(reg, started_ms),
		.detail = detail,
	};

	deliver(reg, &r);
}

static void drop_site(struct reg *reg, struct reg_site *s);

/*
 * A refresh or keep-alive failed where a binding stands. The server may
 * only have been slow: keep the site as the previous one, idle, so that
 * reg_drop_previous() (once the proxy set has a new binding) sends it
 * Expires: 0 instead of leaving the phone registered there.
 */
static void keep_failed(struct reg *reg, struct reg_site *s)
{
	loop_timer_cancel(reg->loop, &s->refresh_timer);
	reg_ka_stop(s);
	if (s->tx)
		tx_abandon(s->tx);
	s->tx = NULL;
	s->failed = true;
	if (reg->prev)
		drop_site(reg, reg->prev);
	reg->prev = s;
}

void reg_site_failed(struct reg_site *s, enum sl_result res, int code,
		     uint32_t retry_after_s, bool keepalive,
		     const char *fmt, ...)
{
	struct reg *reg = s->reg;
	bool refresh = !keepalive && s->req == REG_REQ_REFRESH;
	uint64_t started = keepalive ? s->ka_started_ms : s->started_ms;
	struct sip_server srv = s->srv;
	char detail[sizeof(reg->last_error)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	log_warn("line %u: %s at %s: %s (%s)", reg->p.line,
		 keepalive ? "keep-alive" : refresh ? "refresh" : "REGISTER",
		 s->name, sl_result_name(res), detail);
	if (s == reg->prev) {
		reg->prev = NULL;
		site_free(s);
		return;
	}
	if (s != reg->cur) {
		reg_drop_done(s);	/* unlinks it if dropping */
		return;
	}
	snprintf(reg->last_error, sizeof(reg->last_error), "%s", detail);
	reg->cur = NULL;
	if (s->bound)
		keep_failed(reg, s);
	else
		site_free(s);
	reg_set_state(reg, REG_FAILED);
	report(reg, &srv, res, code, retry_after_s, refresh, keepalive,
	       started, detail);
}

void reg_site_ok(struct reg_site *s, int code, bool keepalive,
		 const char *detail)
{
	struct reg *reg = s->reg;

	if (s != reg->cur)
		return;
	report(reg, &s->srv, SL_RES_OK, code, 0,
	       !keepalive && s->req == REG_REQ_REFRESH, keepalive,
	       keepalive ? s->ka_started_ms : s->started_ms, detail);
}

/*
 * The transport failed. With a request in flight, its transaction
 * reports; an idle stream the server closed is opened again and the
 * binding refreshed on it.
 */
static void site_conn_error(void *arg, enum tp_error err,
			    const char *detail)
{
	struct reg_site *s = arg;
	struct reg *reg = s->reg;
	int e;

	snprintf(s->tp_detail, sizeof(s->tp_detail), "%s%s%s",
		 tp_error_name(err), detail ? ": " : "", detail ? detail : "");
	if (s != reg->cur && s != reg->prev) {
		log_info("line %u: un-REGISTER at %s: %s", reg->p.line,
			 s->name, s->tp_detail);
		reg_drop_done(s);
		return;
	}
	if (s == reg->prev) {
		log_info("line %u: lost the kept connection to %s (%s)",
			 reg->p.line, s->name, s->tp_detail);
		reg->prev = NULL;
		site_free(s);
		return;
	}
	if (s->tx) {
		tx_transport_error(s->tx, err);
		return;
	}
	if (s->ka_tx) {
		tx_transport_error(s->ka_tx, err);
		return;
	}
	if (s->ka_busy || !s->bound) {
		reg_site_failed(s, sipreq_tp_result(err), 0, 0, s->ka_busy,
				"%s", s->tp_detail);
		return;
	}
	log_info("line %u: connection to %s lost (%s), registering again",
		 reg->p.line, s->name, s->tp_detail);
	loop_timer_cancel(reg->loop, &s->refresh_timer);
	e = site_start(s, REG_REQ_REFRESH);
	if (e)
		reg_site_failed(s, reg_send_result(s, e), 0, 0, false,
				"cannot reconnect: %s", strerror(-e));
}

/* ---- dropping: Expires: 0 without waiting for it ---- */

static void stop_fired(void *arg);

void reg_drop_done(struct reg_site *s)
{
	struct reg *reg = s->reg;
	struct reg_site **pp;

	for (pp = &reg->dropping; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	site_free(s);
	if (reg->stopping && !reg->dropping)
		loop_timer_start(reg->loop, &reg->stop_timer, 0, stop_fired,
				 reg);
}

static void drop_timeout(void *arg)
{
	struct reg_site *s = arg;

	log_warn("line %u: no answer to un-REGISTER at %s, giving up",
		 s->reg->p.line, s->name);
	reg_drop_done(s);
}

/* Un-register @s (no longer cur or prev) and close it when done. */
static void drop_site(struct reg *reg, struct reg_site *s)
{
	int err;

	loop_timer_cancel(reg->loop, &s->refresh_timer);
	reg_ka_stop(s);
	if (s->tx)
		tx_abandon(s->tx);
	s->tx = NULL;
	if (!s->bound || !s->conn) {
		site_free(s);
		return;
	}
	s->next = reg->dropping;
	reg->dropping = s;
	s->started_ms = loop_now_ms(reg->loop);
	s->auth_tries = s->stale_tries = 0;
	s->auth_fresh = false;
	log_info("line %u: un-registering at %s", reg->p.line, s->name);
	loop_timer_start(reg->loop, &s->drop_timer, reg->p.stop_timeout_ms,
			 drop_timeout, s);
	err = reg_send_register(s, REG_REQ_UNREGISTER);
	if (err) {
		log_warn("line %u: cannot un-register at %s: %s", reg->p.line,
			 s->name, strerror(-err));
		reg_drop_done(s);
	}
}

/* ---- the API ---- */

static void defer_fired(void *arg)
{
	struct reg *reg = arg;

	reg_set_state(reg, REG_FAILED);
	deliver(reg, &reg->deferred);
}

int reg_register_at(struct reg *reg, const struct sip_server *srv)
{
	struct reg_site *s;
	int err;

	if (!srv || (srv->addr.ss_family != AF_INET &&
		     srv->addr.ss_family != AF_INET6))
		return -EINVAL;
	if (reg->stopping)
		return -ESHUTDOWN;
	s = site_new(reg, srv);
	if (!s)
		return -ENOMEM;
	loop_timer_cancel(reg->loop, &reg->defer_timer);
	/*
	 * Back to the kept server: it gets a fresh transport instead. With
	 * RFC 5626 the new flow replaces the old binding there; without,
	 * the old Contact stays kept, to be un-registered once the new one
	 * stands (reg_drop_replaced()).
	 */
	if (reg->p.outbound && reg->prev &&
	    sl_same_server(&reg->prev->srv, srv)) {
		site_free(reg->prev);
		reg->prev = NULL;
	}
	if (reg->cur && reg->cur->bound &&
	    (!reg->p.outbound || !sl_same_server(&reg->cur->srv, srv))) {
		/* Make before break: keep the binding until told. */
		if (reg->prev)
			drop_site(reg, reg->prev);
		reg->prev = reg->cur;
		loop_timer_cancel(reg->loop, &reg->prev->refresh_timer);
		reg_ka_stop(reg->prev);
		if (reg->prev->tx)
			tx_abandon(reg->prev->tx);
		reg->prev->tx = NULL;
	} else {
		site_free(reg->cur);
	}
	reg->cur = s;
	log_info("line %u: registering at %s", reg->p.line, s->name);
	reg_set_state(reg, REG_REGISTERING);
	err = site_start(s, REG_REQ_REGISTER);
	if (!err)
		return 0;
	/* Reported like any failure, from the loop. */
	reg_send_detail(s, err, reg->deferred_detail,
			sizeof(reg->deferred_detail));
	snprintf(reg->last_error, sizeof(reg->last_error), "%s",
		 reg->deferred_detail);
	log_warn("line %u: REGISTER at %s: %s", reg->p.line, s->name,
		 reg->deferred_detail);
	reg->deferred_srv = *srv;
	reg->deferred = (struct reg_result) {
		.res = reg_send_result(s, err),
		.srv = &reg->deferred_srv,
		.detail = reg->deferred_detail,
	};
	reg->cur = NULL;
	site_free(s);
	loop_timer_start(reg->loop, &reg->defer_timer, 0, defer_fired, reg);
	return 0;
}

void reg_drop_replaced(struct reg *reg)
{
	struct reg_site *p = reg->prev, *c = reg->cur;

	if (reg->p.outbound || !p || !c ||
	    !sl_same_server(&p->srv, &c->srv))
		return;
	reg->prev = NULL;
	/* Expires: 0 on our own new Contact would end the new binding. */
	if (!strcasecmp(p->contact_uri, c->contact_uri)) {
		site_free(p);
		return;
	}
	/* The old Contact's address may be gone with the network change. */
	if (site_connect(p, true)) {
		site_free(p);
		return;
	}
	drop_site(reg, p);
}

void reg_drop_previous(struct reg *reg)
{
	struct reg_site *s = reg->prev;

	if (!s)
		return;
	reg->prev = NULL;
	drop_site(reg, s);
}

void reg_release(struct reg *reg)
{
	struct reg_site *cur = reg->cur;

	if (reg->stopping)
		return;
	loop_timer_cancel(reg->loop, &reg->defer_timer);
	reg_drop_previous(reg);
	reg->cur = NULL;
	if (cur)
		drop_site(reg, cur);
	reg_set_state(reg, REG_IDLE);
}

static void stop_fired(void *arg)
{
	struct reg *reg = arg;

	while (reg->dropping) {
		log_warn("line %u: no answer to un-REGISTER at %s, giving up",
			 reg->p.line, reg->dropping->name);
		reg->stopping = false;	/* no re-arming from drop_done */
		reg_drop_done(reg->dropping);
	}
	reg->stopping = false;
	reg_set_state(reg, REG_IDLE);
	if (reg->h.on_stopped)
		reg->h.on_stopped(reg->arg, reg);
}

void reg_stop(struct reg *reg)
{
	struct reg_site *cur = reg->cur;

	if (reg->stopping)
		return;
	reg->stopping = true;
	loop_timer_cancel(reg->loop, &reg->defer_timer);
	reg_drop_previous(reg);
	reg->cur = NULL;
	if (cur)
		drop_site(reg, cur);
	if (reg->dropping)
		reg_set_state(reg, REG_UNREGISTERING);
	/* on_stopped never from inside this call. */
	loop_timer_start(reg->loop, &reg->stop_timer, reg->dropping ?
			 reg->p.stop_timeout_ms : 0, stop_fired, reg);
}

int reg_new(struct loop *loop, const struct reg_params *params,
	    const struct reg_handlers *h, void *arg, struct reg **out)
{
	struct reg *reg;
	char rnd[SIP_TOKEN_LEN + 1];
	int err;

	if (!params->user || !*params->user || !params->domain ||
	    !*params->domain || strpbrk(params->user, " \"<>@;:\r\n") ||
	    strpbrk(params->domain, " \"<>@;\r\n"))
		return -EINVAL;
	reg = calloc(1, sizeof(*reg));
	if (!reg)
		return -ENOMEM;
	reg->loop = loop;
	reg->h = *h;
	reg->arg = arg;
	reg->flows = params->flows ? params->flows : &reg->own_flows;
	err = reg_params_copy(&reg->p, params);
	if (err)
		goto out;
	err = tx_layer_new(loop, &reg->txl);
	if (err)
		goto out;
	err = sip_random_hex(reg->from_tag, SIP_TOKEN_LEN) ?:
	      sip_random_hex(rnd, SIP_TOKEN_LEN);
	if (err)
		goto out;
	snprintf(reg->call_id, sizeof(reg->call_id), "%s", rnd);
	if (reg->p.instance_uuid)
		snprintf(reg->instance, sizeof(reg->instance), "%s",
			 reg->p.instance_uuid);
	else
		err = sip_new_uuid(reg->instance);
	reg->cseq = rand_below(1000);
out:
	if (err) {
		reg_free(reg);
		return err;
	}
	*out = reg;
	return 0;
}

void reg_free(struct reg *reg)
{
	if (!reg)
		return;
	loop_timer_cancel(reg->loop, &reg->stop_timer);
	loop_timer_cancel(reg->loop, &reg->defer_timer);
	site_free(reg->cur);
	site_free(reg->prev);
	while (reg->dropping) {
		struct reg_site *s = reg->dropping;

		reg->dropping = s->next;
		site_free(s);
	}
	tx_layer_free(reg->txl);
	reg_params_free(&reg->p);
	free(reg);
}
