// SPDX-License-Identifier: GPL-2.0
/*
 * The failback probe: one OPTIONS on a transport of its own (with the
 * daemon's mark), through its own transaction layer; one outcome.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/loop.h"
#include "inbound/inbound.h"
#include "probe/probe.h"
#include "reg/request.h"
#include "sip/msg.h"
#include "sip/tx.h"

struct probe {
	struct loop *loop;
	struct sip_server srv;
	char name[400];
	struct tx_layer *txl;
	struct tp_conn *conn;
	struct inbound_flow flow;	/* a request on it: answered here */
	struct sip_tx *tx;
	probe_fn fn;
	void *arg;
	uint64_t started_ms;
	/* A failure found inside probe_start(), reported from the loop. */
	enum sl_result early_res;
	struct loop_timer early_timer;
};

static void probe_free(struct probe *p)
{
	loop_timer_cancel(p->loop, &p->early_timer);
	/* The transaction first: it sends through the transport. */
	tx_layer_free(p->txl);
	inbound_flow_close(&p->flow);
	if (p->conn)
		tp_conn_close(p->conn);
	free(p);
}

/* The outcome, then the probe is gone: the caller must not touch it. */
static void finish(struct probe *p, enum sl_result res, int code,
		   uint32_t retry_after_s)
{
	uint64_t now = loop_now_ms(p->loop);
	uint32_t rtt = now > p->started_ms ? (uint32_t)(now - p->started_ms)
					   : 0;
	probe_fn fn = p->fn;
	void *arg = p->arg;

	log_debug("probe %s: %s%s%.0d after %u ms", p->name,
		  sl_result_name(res), code ? " " : "", code, rtt);
	p->tx = NULL;
	probe_free(p);
	fn(arg, res, code, retry_after_s, rtt);
}

static void tx_done(void *arg, enum tx_result res, const struct sip_msg *rsp,
		    enum tp_error err)
{
	struct probe *p = arg;

	bool final = res == TX_FINAL;

	finish(p, sipreq_options_result(res, rsp, err),
	       final ? rsp->status : 0,
	       final && rsp->status == 503 && rsp->has_retry_after ?
	       rsp->retry_after : 0);
}

static void on_message(void *arg, const char *buf, size_t len)
{
	struct probe *p = arg;

	sipreq_input(p->txl, &p->flow, buf, len, "probe");
}

static void on_error(void *arg, enum tp_error err, const char *detail)
{
	struct probe *p = arg;

	log_debug("probe %s: %s (%s)", p->name, tp_error_name(err), detail);
	if (p->tx)
		tx_transport_error(p->tx, err);
	else
		finish(p, sipreq_tp_result(err), 0, 0);
}

static void early_fired(void *arg)
{
	struct probe *p = arg;

	finish(p, p->early_res, 0, 0);
}

int probe_start(struct loop *loop, const struct probe_opts *o, probe_fn fn,
		void *arg, struct probe **out)
{
	static const struct tp_handlers tph = {
		.on_message = on_message,
		.on_error = on_error,
	};
	static const struct tx_handlers txh = { .on_done = tx_done };
	uint32_t timeout = o->timeout_ms ? o->timeout_ms : 32000;
	const struct sipreq_conn_opts co = {
		.domain = o->domain,
		.tls_ca_file = o->tls_ca_file,
		.tls_cert_file = o->tls_cert_file,
		.tls_key_file = o->tls_key_file,
		.mark = o->mark,
		.timeout_ms = timeout,
	};
	struct sipreq_local local;
	struct probe *p;
	int err;

	if (!o->srv || !o->domain || !*o->domain || !fn)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->loop = loop;
	p->srv = *o->srv;
	p->fn = fn;
	p->arg = arg;
	p->started_ms = loop_now_ms(loop);
	sipreq_server_name(&p->srv, p->name, sizeof(p->name));
	err = tx_layer_new(loop, &p->txl);
	if (err)
		goto fail;
	err = sipreq_open(loop, &p->srv, &co, &tph, p, &p->conn, &local);
	if (!err) {
		p->flow.conn = p->conn;
		inbound_flow_open(NULL, &p->flow);
	}
	if (!err) {
		const struct sipreq_options so = {
			.proto = p->srv.proto,
			.local = &local,
			.domain = o->domain,
			.user = o->user,
			.user_agent = o->user_agent ? o->user_agent :
				      "sipsteerd",
			.t1_ms = o->t1_ms,
			.t2_ms = o->t2_ms,
			.timeout_ms = timeout,
		};

		err = sipreq_options_start(p->txl, p->conn, &so, &txh, p,
					   &p->tx);
	}
	if (err == -EINVAL || err == -ENOMEM)
		goto fail;
	if (err) {
		/* Like a failure seen later: through @fn, from the loop. */
		p->early_res = sipreq_errno_result(err);
		loop_timer_start(loop, &p->early_timer, 0, early_fired, p);
	}
	*out = p;
	return 0;
fail:
	probe_free(p);
	return err;
}

void probe_cancel(struct probe *p)
{
	if (p)
		probe_free(p);
}
