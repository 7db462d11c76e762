// SPDX-License-Identifier: GPL-2.0
/* Non-INVITE client transactions (RFC 3261 section 17.1.2). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/loop.h"
#include "sip/tx.h"

enum tx_state {
	TX_TRYING,
	TX_PROCEEDING,
	TX_COMPLETED,	/* final response seen; Timer K absorbs repeats */
};

struct sip_tx {
	struct sip_tx *next;
	struct tx_layer *txl;
	enum tx_state state;
	struct tx_opts opts;
	char branch[128];
	char method[32];
	char *req;
	size_t len;
	uint32_t interval_ms;	/* current Timer E interval */
	struct loop_timer timer_e;
	struct loop_timer timer_f;	/* Timer K reuses it */
	tx_send_fn send;
	void *send_arg;
	struct tx_handlers h;
	void *arg;
};

struct tx_layer {
	struct loop *loop;
	struct sip_tx *head;
};

const char *tx_result_name(enum tx_result res)
{
	switch (res) {
	case TX_FINAL:
		return "final response";
	case TX_TIMEOUT:
		return "no response";
	case TX_TRANSPORT:
		return "transport error";
	}
	return "?";
}

int tx_layer_new(struct loop *loop, struct tx_layer **out)
{
	struct tx_layer *txl = calloc(1, sizeof(*txl));

	if (!txl)
		return -ENOMEM;
	txl->loop = loop;
	*out = txl;
	return 0;
}

static void tx_destroy(struct sip_tx *tx)
{
	struct sip_tx **pp;

	for (pp = &tx->txl->head; *pp; pp = &(*pp)->next) {
		if (*pp == tx) {
			*pp = tx->next;
			break;
		}
	}
	loop_timer_cancel(tx->txl->loop, &tx->timer_e);
	loop_timer_cancel(tx->txl->loop, &tx->timer_f);
	free(tx->req);
	free(tx);
}

void tx_layer_free(struct tx_layer *txl)
{
	if (!txl)
		return;
	while (txl->head)
		tx_destroy(txl->head);
	free(txl);
}

unsigned int tx_layer_count(const struct tx_layer *txl)
{
	const struct sip_tx *tx;
	unsigned int n = 0;

	for (tx = txl->head; tx; tx = tx->next)
		n++;
	return n;
}

static void timer_k(void *arg)
{
	tx_destroy(arg);
}

/*
 * Report the outcome, then either linger in Completed (UDP, to absorb
 * retransmitted responses) or go at once.
 */
static void tx_finish(struct sip_tx *tx, enum tx_result res,
		      const struct sip_msg *rsp, enum tp_error err)
{
	struct tx_handlers h = tx->h;
	void *arg = tx->arg;
	struct loop *loop = tx->txl->loop;

	loop_timer_cancel(loop, &tx->timer_e);
	loop_timer_cancel(loop, &tx->timer_f);
	if (res == TX_FINAL && !tx->opts.reliable) {
		tx->state = TX_COMPLETED;
		tx->h.on_done = NULL;
		tx->h.on_provisional = NULL;
		loop_timer_start(loop, &tx->timer_f, tx->opts.t4_ms, timer_k,
				 tx);
	} else {
		tx_destroy(tx);
	}
	if (h.on_done)
		h.on_done(arg, res, rsp, err);
}

static void timer_e(void *arg)
{
	struct sip_tx *tx = arg;

	/* A failed retransmission is not fatal: the transport reports. */
	tx->send(tx->send_arg, tx->req, tx->len);
	if (tx->state == TX_TRYING) {
		tx->interval_ms *= 2;
		if (tx->interval_ms > tx->opts.t2_ms)
			tx->interval_ms = tx->opts.t2_ms;
	} else {
		tx->interval_ms = tx->opts.t2_ms;
	}
	loop_timer_start(tx->txl->loop, &tx->timer_e, tx->interval_ms,
			 timer_e, tx);
}

static void timer_f(void *arg)
{
	tx_finish(arg, TX_TIMEOUT, NULL, TP_ERR_TIMEOUT);
}

int tx_start(struct tx_layer *txl, const struct tx_opts *opts,
	     const char *req, size_t len, tx_send_fn send, void *send_arg,
	     const struct tx_handlers *h, void *arg, struct sip_tx **out)
{
	struct sip_tx *tx = NULL;
	struct sip_msg *msg;
	int err;

	msg = malloc(sizeof(*msg));
	if (!msg)
		return -ENOMEM;
	err = sip_msg_parse(msg, req, len);
	if (!err && (!msg->is_request || !msg->via.branch.len))
		err = -EBADMSG;
	if (err)
		goto out;
	tx = calloc(1, sizeof(*tx));
	if (!tx) {
		err = -ENOMEM;
		goto out;
	}
	if (sip_str_copy(tx->branch, sizeof(tx->branch), msg->via.branch) ||
	    sip_str_copy(tx->method, sizeof(tx->method), msg->method)) {
		err = -EBADMSG;
		goto out;
	}
	tx->req = malloc(len);
	if (!tx->req) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(tx->req, req, len);
	tx->len = len;
	tx->txl = txl;
	tx->opts = *opts;
	if (!tx->opts.t1_ms)
		tx->opts.t1_ms = 500;
	if (!tx->opts.t2_ms)
		tx->opts.t2_ms = 4000;
	if (!tx->opts.t4_ms)
		tx->opts.t4_ms = 5000;
	if (!tx->opts.timeout_ms)
		tx->opts.timeout_ms = 64 * tx->opts.t1_ms;
	tx->send = send;
	tx->send_arg = send_arg;
	tx->h = *h;
	tx->arg = arg;
	tx->state = TX_TRYING;
	tx->interval_ms = tx->opts.t1_ms;

	err = send(send_arg, tx->req, tx->len);
	if (err)
		goto out;
	tx->next = txl->head;
	txl->head = tx;
	if (!tx->opts.reliable)
		loop_timer_start(txl->loop, &tx->timer_e, tx->interval_ms,
				 timer_e, tx);
	loop_timer_start(txl->loop, &tx->timer_f, tx->opts.timeout_ms,
			 timer_f, tx);
	*out = tx;
	tx = NULL;
out:
	if (tx)
		free(tx->req);
	free(tx);
	free(msg);
	return err;
}

bool tx_layer_input(struct tx_layer *txl, const struct sip_msg *rsp)
{
	struct sip_tx *tx;

	if (rsp->is_request)
		return false;
	for (tx = txl->head; tx; tx = tx->next) {
		if (sip_str_eq(rsp->via.branch, tx->branch) &&
		    sip_str_eq(rsp->cseq_method, tx->method))
			break;
	}
	if (!tx)
		return false;
	if (tx->state == TX_COMPLETED)
		return true;	/* a retransmission: absorbed */
	if (rsp->status < 200) {
		/* Timer E keeps running; it re-arms at T2 from now on. */
		tx->state = TX_PROCEEDING;
		if (tx->h.on_provisional)
			tx->h.on_provisional(tx->arg, rsp);
		return true;
	}
	tx_finish(tx, TX_FINAL, rsp, TP_ERR_OTHER);
	return true;
}

void tx_transport_error(struct sip_tx *tx, enum tp_error err)
{
	if (tx->state == TX_COMPLETED)
		return;
	tx_finish(tx, TX_TRANSPORT, NULL, err);
}

void tx_abandon(struct sip_tx *tx)
{
	tx_destroy(tx);
}
