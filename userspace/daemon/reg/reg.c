// SPDX-License-Identifier: GPL-2.0
/*
 * Registration client for one line. States and what moves them:
 *   IDLE -> RESOLVING (reg_start) -> REGISTERING (servers known)
 *   REGISTERING -> REGISTERED (2xx) | next server (timeout, transport
 *   error, 503) | FAILED (all servers failed, credentials refused)
 *   FAILED -> RESOLVING after failed_retry_s
 *   any -> UNREGISTERING (reg_stop with a binding) -> IDLE
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "core/log.h"
#include "core/loop.h"
#include "reg/reg.h"
#include "reg/reg_int.h"
#include "sip/build.h"
#include "sip/digest.h"
#include "sip/msg.h"
#include "sip/tx.h"
#include "transport/transport.h"

static void begin_round(struct reg *reg);
static void try_server(struct reg *reg, int idx);
static int send_register(struct reg *reg, bool unregister);

static uint32_t rand_below(uint32_t n)
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint32_t)rand();
	return n ? r % n : 0;
}

static const char *srv_name(const struct reg *reg, char *buf, size_t size)
{
	const struct sl_entry *e = sl_get(&reg->sl, reg->sl.cur);
	char addr[64];

	if (!e)
		return "none";
	tp_fmt_addr(&e->srv.addr, addr, sizeof(addr));
	snprintf(buf, size, "%s %s (%s)", e->srv.target, addr,
		 tp_proto_name(e->srv.proto));
	return buf;
}

static void set_state(struct reg *reg, enum reg_state state)
{
	if (reg->state == state)
		return;
	reg->state = state;
	if (reg->h.on_state)
		reg->h.on_state(reg->arg, reg, state);
}

static void set_error(struct reg *reg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_error(struct reg *reg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reg->last_error, sizeof(reg->last_error), fmt, ap);
	va_end(ap);
}

static void drop_tx(struct reg *reg)
{
	if (reg->tx)
		tx_abandon(reg->tx);
	reg->tx = NULL;
}

static void close_conn(struct reg *reg)
{
	drop_tx(reg);
	if (reg->conn)
		tp_conn_close(reg->conn);
	reg->conn = NULL;
}

static void stop_timers(struct reg *reg)
{
	loop_timer_cancel(reg->loop, &reg->refresh_timer);
	loop_timer_cancel(reg->loop, &reg->retry_timer);
}

static void stop_timer_fired(void *arg);

static void finish_stop(struct reg *reg)
{
	if (reg->in_stop_call) {
		loop_timer_start(reg->loop, &reg->stop_timer, 0,
				 stop_timer_fired, reg);
		return;
	}
	loop_timer_cancel(reg->loop, &reg->stop_timer);
	stop_timers(reg);
	resolver_cancel(reg->resolver, reg);
	close_conn(reg);
	reg->stopping = false;
	reg->started = false;
	reg->granted_expires_s = 0;
	reg->expires_at_ms = 0;
	set_state(reg, REG_IDLE);
	if (reg->h.on_stopped)
		reg->h.on_stopped(reg->arg, reg);
}

static void stop_timer_fired(void *arg)
{
	struct reg *reg = arg;

	if (reg->state == REG_UNREGISTERING)
		log_warn("line %u: no answer to un-REGISTER, giving up",
			 reg->p.line);
	finish_stop(reg);
}

static void retry_timer_fired(void *arg)
{
	begin_round(arg);
}

/* Every server failed, or the failure is not one another server fixes. */
static void round_failed(struct reg *reg)
{
	uint32_t wait_ms = reg->p.failed_retry_s * 1000;

	close_conn(reg);
	reg->granted_expires_s = 0;
	reg->expires_at_ms = 0;
	/* Up to 10% jitter so that lines and phones do not move in step. */
	wait_ms += rand_below(wait_ms / 10 + 1);
	log_warn("line %u: registration failed (%s); retrying in %u s",
		 reg->p.line, reg->last_error, wait_ms / 1000);
	set_state(reg, REG_FAILED);
	loop_timer_start(reg->loop, &reg->retry_timer, wait_ms,
			 retry_timer_fired, reg);
}

static enum sl_result tp_result(enum tp_error err)
{
	switch (err) {
	case TP_ERR_TIMEOUT:
		return SL_RES_TIMEOUT;
	case TP_ERR_UNREACHABLE:
		return SL_RES_UNREACHABLE;
	case TP_ERR_RESET:
		return SL_RES_RESET;
	case TP_ERR_TLS:
		return SL_RES_TLS;
	default:
		return SL_RES_TRANSPORT;
	}
}

/* The server in use failed in a way another server may not: move on. */
static void server_failed(struct reg *reg, enum sl_result res, int code,
			  uint32_t retry_after_s)
{
	char name[400];
	int next;

	sl_report(&reg->sl, reg->sl.cur, res, code, retry_after_s,
		  loop_now_ms(reg->loop));
	log_warn("line %u: server %s: %s", reg->p.line,
		 srv_name(reg, name, sizeof(name)), reg->last_error);
	close_conn(reg);
	if (reg->stopping) {
		finish_stop(reg);
		return;
	}
	if (reg->state == REG_REGISTERED)
		set_state(reg, REG_REGISTERING);
	next = sl_next(&reg->sl, loop_now_ms(reg->loop));
	if (next < 0) {
		set_error(reg, "no server answered (last: %s)",
			  sl_result_name(res));
		round_failed(reg);
		return;
	}
	try_server(reg, next);
}

static void refresh_binding(struct reg *reg)
{
	if (!reg->conn) {
		try_server(reg, reg->sl.cur);
		return;
	}
	if (send_register(reg, false)) {
		set_error(reg, "cannot send REGISTER");
		server_failed(reg, SL_RES_TRANSPORT, 0, 0);
	}
}

/* Start a round at the first server DNS lists that may be used now. */
static void try_first_server(struct reg *reg)
{
	int idx = sl_first(&reg->sl, loop_now_ms(reg->loop));

	if (idx < 0) {
		set_error(reg, "every server asked us to wait (Retry-After)");
		round_failed(reg);
		return;
	}
	try_server(reg, idx);
}

static void note_dns_ttl(struct reg *reg, const struct dns_result *res)
{
	if (res->ttl_s == DNS_TTL_FOREVER)
		reg->dns_expires_at_ms = UINT64_MAX;
	else
		reg->dns_expires_at_ms = loop_now_ms(reg->loop) +
					 (uint64_t)res->ttl_s * 1000;
}

/*
 * The server list outlived its TTL while we were registered: refresh on
 * the same server while DNS still lists it, else register afresh with
 * the new order. Without an answer the binding is refreshed where it is.
 */
static void on_refresh_dns(void *arg, const struct dns_result *res)
{
	struct reg *reg = arg;
	struct sip_server cur;

	if (res->status == DNS_NOT_FOUND || res->status == DNS_FAILED ||
	    !res->n_servers || reg->sl.cur < 0) {
		log_warn("line %u: %s: %s; refreshing at the server in use",
			 reg->p.line, reg->p.proxy_host,
			 res->status == DNS_NOT_FOUND ?
			 "no SIP server in DNS any more" : "DNS unreachable");
		refresh_binding(reg);
		return;
	}
	note_dns_ttl(reg, res);
	cur = reg->sl.e[reg->sl.cur].srv;
	sl_set(&reg->sl, res->servers, res->n_servers);
	if (sl_keep(&reg->sl, &cur) >= 0) {
		refresh_binding(reg);
		return;
	}
	log_info("line %u: DNS no longer lists %s; registering afresh",
		 reg->p.line, cur.target);
	close_conn(reg);
	set_state(reg, REG_REGISTERING);
	try_first_server(reg);
}

static void refresh_timer_fired(void *arg)
{
	struct reg *reg = arg;
	int err;

	if (loop_now_ms(reg->loop) < reg->dns_expires_at_ms) {
		refresh_binding(reg);
		return;
	}
	err = resolver_resolve(reg->resolver, reg->p.proxy_host,
			       reg->p.proxy_port, reg->p.proto,
			       on_refresh_dns, reg);
	if (err) {
		log_warn("line %u: cannot resolve %s: %s", reg->p.line,
			 reg->p.proxy_host, strerror(-err));
		refresh_binding(reg);
	}
}

/* Our binding among the Contacts of a 2xx, as the server granted it. */
static const struct sip_contact *find_binding(const struct reg *reg,
					      const struct sip_msg *rsp)
{
	unsigned int i;

	for (i = 0; i < rsp->n_contacts; i++) {
		const struct sip_contact *c = &rsp->contacts[i];
		struct sip_str inst;

		/* "<urn:uuid:" 36 chars ">" */
		if (reg->p.outbound &&
		    sip_param_find(c->params, "+sip.instance", &inst) &&
		    inst.len == 47 && !strncasecmp(inst.s, "<urn:uuid:", 10) &&
		    !strncasecmp(inst.s + 10, reg->instance, 36))
			return c;
		if (sip_str_caseeq(c->uri, reg->contact_uri))
			return c;
	}
	return NULL;
}

static void registered(struct reg *reg, const struct sip_msg *rsp)
{
	const struct sip_contact *c = find_binding(reg, rsp);
	uint32_t granted = reg->expires_req;
	uint64_t delay_ms;
	char name[400];
	bool was = reg->state == REG_REGISTERED;

	if (c && c->has_expires)
		granted = c->expires;
	else if (rsp->has_expires)
		granted = rsp->expires;
	if (c)
		sip_str_copy(reg->granted_contact,
			     sizeof(reg->granted_contact), c->uri);
	else
		snprintf(reg->granted_contact, sizeof(reg->granted_contact),
			 "%s", reg->contact_uri);
	if (!granted) {
		set_error(reg, "server kept no binding for our contact");
		sl_report(&reg->sl, reg->sl.cur, SL_RES_REJECTED, rsp->status,
			  0, loop_now_ms(reg->loop));
		round_failed(reg);
		return;
	}
	reg->granted_expires_s = granted;
	reg->expires_at_ms = loop_now_ms(reg->loop) + (uint64_t)granted * 1000;
	reg->last_error[0] = '\0';
	reg->auth_tries = 0;
	reg->stale_tries = 0;
	reg->tries_423 = 0;
	reg->auth_fresh = false;
	sl_report(&reg->sl, reg->sl.cur, SL_RES_OK, rsp->status, 0,
		  loop_now_ms(reg->loop));

	/* Refresh at 50..80% of the granted time, never in step. */
	delay_ms = (uint64_t)granted * (500 + rand_below(301));
	if (delay_ms < 1000)
		delay_ms = 1000;
	loop_timer_start(reg->loop, &reg->refresh_timer, delay_ms,
			 refresh_timer_fired, reg);
	if (!was)
		log_info("line %u: registered %s at %s, expires in %u s",
			 reg->p.line, reg->granted_contact,
			 srv_name(reg, name, sizeof(name)), granted);
	else
		log_debug("line %u: refreshed, expires in %u s", reg->p.line,
			  granted);
	set_state(reg, REG_REGISTERED);
}

/* 401/407: answer the challenge, or give up on these credentials. */
static void challenged(struct reg *reg, const struct sip_msg *rsp)
{
	const struct sip_challenge *ch;
	int idx;

	idx = digest_pick(rsp);
	if (idx < 0) {
		set_error(reg, "%d without a challenge we support",
			  rsp->status);
		goto refused;
	}
	ch = &rsp->challenges[idx];
	if (reg->auth_sent && ch->stale) {
		if (++reg->stale_tries > REG_MAX_STALE) {
			set_error(reg, "server keeps saying our nonce is stale");
			goto refused;
		}
	} else if ((reg->auth_sent && reg->auth_fresh &&
		    ch->proxy == reg->auth.proxy) ||
		   ++reg->auth_tries > REG_MAX_AUTH_TRIES) {
		/*
		 * The answer to a fresh challenge refused without
		 * stale=true: the password is wrong, whatever the new
		 * nonce. (A refresh reusing an old nonce may just be
		 * challenged again.)
		 */
		char realm[128] = "";

		sip_str_copy(realm, sizeof(realm), ch->realm);
		log_err("line %u: authentication failed for user %s at realm %s (wrong password?)",
			reg->p.line, reg->p.auth_user, realm);
		set_error(reg, "authentication failed for user %s at realm %s",
			  reg->p.auth_user, realm);
		sl_report(&reg->sl, reg->sl.cur, SL_RES_AUTH, rsp->status, 0,
			  loop_now_ms(reg->loop));
		goto stop;
	}
	if (digest_init(&reg->auth, ch)) {
		set_error(reg, "cannot use the %d challenge", rsp->status);
		goto refused;
	}
	reg->have_auth = true;
	reg->auth_fresh = true;
	if (!send_register(reg, reg->tx_unregister))
		return;
	set_error(reg, "cannot send REGISTER");
	server_failed(reg, SL_RES_TRANSPORT, 0, 0);
	return;
refused:
	sl_report(&reg->sl, reg->sl.cur, SL_RES_AUTH, rsp->status, 0,
		  loop_now_ms(reg->loop));
stop:
	if (reg->stopping)
		finish_stop(reg);
	else
		round_failed(reg);
}

static void on_response(struct reg *reg, const struct sip_msg *rsp)
{
	bool unregister = reg->tx_unregister;
	int code = rsp->status;

	if (code == 401 || code == 407) {
		challenged(reg, rsp);
		return;
	}
	if (unregister) {
		if (code >= 300)
			log_warn("line %u: un-REGISTER answered %d",
				 reg->p.line, code);
		else
			log_info("line %u: un-registered", reg->p.line);
		finish_stop(reg);
		return;
	}
	if (code >= 200 && code < 300) {
		registered(reg, rsp);
		return;
	}
	set_error(reg, "REGISTER answered %d %.*s", code,
		  (int)(rsp->reason.len > 60 ? 60 : rsp->reason.len),
		  rsp->reason.s);
	if (code == 423 && rsp->has_min_expires &&
	    rsp->min_expires > reg->expires_req &&
	    reg->tries_423++ < REG_MAX_423) {
		log_info("line %u: registrar wants at least %u s",
			 reg->p.line, rsp->min_expires);
		reg->expires_req = rsp->min_expires;
		if (!send_register(reg, false))
			return;
		server_failed(reg, SL_RES_TRANSPORT, 0, 0);
		return;
	}
	if (code == 503) {
		server_failed(reg, SL_RES_503, code,
			      rsp->has_retry_after ? rsp->retry_after : 0);
		return;
	}
	sl_report(&reg->sl, reg->sl.cur, SL_RES_REJECTED, code, 0,
		  loop_now_ms(reg->loop));
	round_failed(reg);
}

static void tx_done(void *arg, enum tx_result res, const struct sip_msg *rsp,
		    enum tp_error err)
{
	struct reg *reg = arg;

	reg->tx = NULL;
	switch (res) {
	case TX_FINAL:
		on_response(reg, rsp);
		break;
	case TX_TIMEOUT:
		set_error(reg, "no response within %u ms",
			  reg->p.no_response_timeout_ms);
		server_failed(reg, SL_RES_TIMEOUT, 0, 0);
		break;
	case TX_TRANSPORT:
		set_error(reg, "transport error: %s", tp_error_name(err));
		server_failed(reg, tp_result(err), 0, 0);
		break;
	}
}

static int conn_send(void *arg, const char *buf, size_t len)
{
	struct reg *reg = arg;

	return reg->conn ? tp_conn_send(reg->conn, buf, len) : -ENOTCONN;
}

static int send_register(struct reg *reg, bool unregister)
{
	static const struct tx_handlers txh = { .on_done = tx_done };
	const struct sl_entry *e = sl_get(&reg->sl, reg->sl.cur);
	char ruri[300], aor[600], branch[64], params[160];
	char *buf = NULL, *auth = NULL;
	struct tx_opts opts = {
		.t1_ms = reg->p.t1_ms,
		.t2_ms = reg->p.t2_ms,
		.timeout_ms = reg->p.no_response_timeout_ms,
	};
	struct sip_req req;
	int len, err;
	bool v6;

	if (!e)
		return -ENOENT;
	drop_tx(reg);
	buf = malloc(REG_BUF_SIZE);
	auth = malloc(REG_BUF_SIZE);
	if (!buf || !auth) {
		err = -ENOMEM;
		goto out;
	}
	/* An IPv6 literal as the domain needs brackets in a URI. */
	v6 = strchr(reg->p.domain, ':') && reg->p.domain[0] != '[';
	snprintf(ruri, sizeof(ruri), "sip:%s%s%s", v6 ? "[" : "",
		 reg->p.domain, v6 ? "]" : "");
	snprintf(aor, sizeof(aor), "sip:%s@%s", reg->p.user, ruri + 4);
	err = sip_new_branch(branch, sizeof(branch));
	if (err)
		goto out;
	params[0] = '\0';
	if (reg->p.outbound)
		snprintf(params, sizeof(params),
			 ";reg-id=%u;+sip.instance=\"<urn:uuid:%s>\"",
			 reg->p.reg_id, reg->instance);

	reg->auth_sent = false;
	if (reg->have_auth) {
		err = digest_authorization(&reg->auth, "REGISTER", ruri,
					   reg->p.auth_user, reg->p.password,
					   NULL, auth, REG_BUF_SIZE);
		if (err < 0)
			goto out;
		reg->auth_sent = true;
	}
	req = (struct sip_req) {
		.method = "REGISTER",
		.ruri = ruri,
		.proto = e->srv.proto,
		.via_host = reg->local_host,
		.via_port = reg->local_port,
		.branch = branch,
		.from_uri = aor,
		.from_display = reg->p.display_name,
		.from_tag = reg->from_tag,
		.to_uri = aor,
		.call_id = reg->call_id,
		.cseq = ++reg->cseq,
		.contact_uri = reg->contact_uri,
		.contact_params = params,
		.expires = unregister ? 0 : (int)reg->expires_req,
		.auth_hdr_name = !reg->auth_sent ? NULL :
				 reg->auth.proxy ? "Proxy-Authorization" :
				 "Authorization",
		.auth_hdr_value = reg->auth_sent ? auth : NULL,
		.user_agent = reg->p.user_agent,
		.supported = reg->p.outbound ? "path, outbound" : NULL,
	};
	len = sip_build_request(buf, REG_BUF_SIZE, &req);
	if (len < 0) {
		err = len;
		goto out;
	}
	opts.reliable = e->srv.proto != TP_UDP;
	reg->tx_unregister = unregister;
	err = tx_start(reg->txl, &opts, buf, (size_t)len, conn_send, reg,
		       &txh, reg, &reg->tx);
out:
	free(buf);
	free(auth);
	return err;
}

static void conn_error(void *arg, enum tp_error err, const char *detail)
{
	struct reg *reg = arg;

	set_error(reg, "%s%s%s", tp_error_name(err), detail ? ": " : "",
		  detail ? detail : "");
	if (reg->tx) {
		tx_transport_error(reg->tx, err);
		return;
	}
	/* Idle stream closed: reconnect to the same server and refresh. */
	log_info("line %u: connection lost (%s), registering again",
		 reg->p.line, reg->last_error);
	close_conn(reg);
	if (reg->state == REG_REGISTERED && !reg->stopping)
		try_server(reg, reg->sl.cur);
}

static void conn_message(void *arg, const char *buf, size_t len)
{
	struct reg *reg = arg;
	struct sip_msg *msg = malloc(sizeof(*msg));

	if (!msg)
		return;
	/* Requests from the server (OPTIONS, NOTIFY) are not ours here. */
	if (!sip_msg_parse(msg, buf, len) && !msg->is_request &&
	    !tx_layer_input(reg->txl, msg))
		log_debug("line %u: stray %d response dropped", reg->p.line,
			  msg->status);
	free(msg);
}

static int local_contact(struct reg *reg, enum tp_proto proto)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	bool v6;
	int err;

	err = tp_conn_local_addr(reg->conn, &ss, &sl);
	if (err)
		return err;
	v6 = ss.ss_family == AF_INET6;
	if (v6) {
		const struct sockaddr_in6 *in6 = (const void *)&ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, reg->local_host,
			  sizeof(reg->local_host));
		reg->local_port = ntohs(in6->sin6_port);
	} else {
		const struct sockaddr_in *in = (const void *)&ss;

		inet_ntop(AF_INET, &in->sin_addr, reg->local_host,
			  sizeof(reg->local_host));
		reg->local_port = ntohs(in->sin_port);
	}
	snprintf(reg->contact_uri, sizeof(reg->contact_uri),
		 "sip:%s@%s%s%s:%u%s", reg->p.user, v6 ? "[" : "",
		 reg->local_host, v6 ? "]" : "", reg->local_port,
		 proto == TP_TCP ? ";transport=tcp" :
		 proto == TP_TLS ? ";transport=tls" : "");
	return 0;
}

static void try_server(struct reg *reg, int idx)
{
	static const struct tp_handlers tph = {
		.on_message = conn_message,
		.on_error = conn_error,
	};
	const struct sl_entry *e = sl_get(&reg->sl, idx);
	struct tp_opts opts;
	char name[400];
	int err;

	close_conn(reg);
	if (!e) {
		round_failed(reg);
		return;
	}
	reg->sl.cur = idx;
	if (reg->state != REG_REGISTERED && !reg->stopping)
		set_state(reg, REG_REGISTERING);
	log_debug("line %u: registering at %s", reg->p.line,
		  srv_name(reg, name, sizeof(name)));
	opts = (struct tp_opts) {
		.proto = e->srv.proto,
		.peer = e->srv.addr,
		.peer_len = e->srv.addr_len,
		.tls_domain = reg->p.domain,
		.tls_ca_file = reg->p.tls_ca_file,
		.tls_cert_file = reg->p.tls_cert_file,
		.tls_key_file = reg->p.tls_key_file,
		.mark = reg->p.mark,
		.connect_timeout_ms = reg->p.no_response_timeout_ms,
	};
	err = tp_conn_open(reg->loop, &opts, &tph, reg, &reg->conn);
	if (!err)
		err = local_contact(reg, e->srv.proto);
	if (!err)
		err = send_register(reg, reg->stopping);
	if (err) {
		set_error(reg, "cannot send: %s", strerror(-err));
		server_failed(reg, err == -ECONNREFUSED ||
			      err == -ENETUNREACH || err == -EHOSTUNREACH ?
			      SL_RES_UNREACHABLE : SL_RES_TRANSPORT, 0, 0);
	}
}

static void on_dns(void *arg, const struct dns_result *res)
{
	struct reg *reg = arg;

	if (res->status == DNS_NOT_FOUND || res->status == DNS_FAILED ||
	    !res->n_servers) {
		set_error(reg, "%s: %s", reg->p.proxy_host,
			  res->status == DNS_FAILED ? "DNS unreachable" :
			  "no SIP server found in DNS");
		round_failed(reg);
		return;
	}
	note_dns_ttl(reg, res);
	sl_set(&reg->sl, res->servers, res->n_servers);
	try_first_server(reg);
}

static void begin_round(struct reg *reg)
{
	int err;

	close_conn(reg);
	stop_timers(reg);
	reg->have_auth = false;
	reg->auth_tries = 0;
	reg->stale_tries = 0;
	reg->tries_423 = 0;
	set_state(reg, REG_RESOLVING);
	err = resolver_resolve(reg->resolver, reg->p.proxy_host,
			       reg->p.proxy_port, reg->p.proto, on_dns, reg);
	if (err) {
		set_error(reg, "cannot resolve %s: %s", reg->p.proxy_host,
			  strerror(-err));
		round_failed(reg);
	}
}

int reg_start(struct reg *reg)
{
	if (reg->started)
		return -EALREADY;
	reg->started = true;
	begin_round(reg);
	return 0;
}

int reg_refresh(struct reg *reg)
{
	if (!reg->started || reg->stopping)
		return -EINVAL;
	resolver_cancel(reg->resolver, reg);
	begin_round(reg);
	return 0;
}

void reg_stop(struct reg *reg)
{
	bool bound = reg->state == REG_REGISTERED ||
		     (reg->expires_at_ms > loop_now_ms(reg->loop) &&
		      reg->sl.cur >= 0);

	if (reg->stopping)
		return;
	reg->stopping = true;
	stop_timers(reg);
	resolver_cancel(reg->resolver, reg);
	loop_timer_start(reg->loop, &reg->stop_timer, bound ?
			 reg->p.stop_timeout_ms : 0, stop_timer_fired, reg);
	if (!bound)
		return;
	set_state(reg, REG_UNREGISTERING);
	reg->in_stop_call = true;
	if (!reg->conn)
		try_server(reg, reg->sl.cur);	/* sends Expires: 0 */
	else if (send_register(reg, true))
		finish_stop(reg);
	reg->in_stop_call = false;
}

int reg_new(struct loop *loop, struct resolver *resolver,
	    const struct reg_params *params, const struct reg_handlers *h,
	    void *arg, struct reg **out)
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
	reg->resolver = resolver;
	reg->h = *h;
	reg->arg = arg;
	sl_init(&reg->sl);
	err = reg_params_copy(&reg->p, params);
	if (err)
		goto out;
	reg->expires_req = reg->p.expires_s;
	err = tx_layer_new(loop, &reg->txl);
	if (err)
		goto out;
	err = sip_random_hex(reg->from_tag, SIP_TOKEN_LEN) ?:
	      sip_random_hex(rnd, SIP_TOKEN_LEN);
	if (err)
		goto out;
	/* Stable for the line's life: the registrar sees one binding. */
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
	stop_timers(reg);
	if (reg->resolver)
		resolver_cancel(reg->resolver, reg);
	close_conn(reg);
	tx_layer_free(reg->txl);
	reg_params_free(&reg->p);
	free(reg);
}

