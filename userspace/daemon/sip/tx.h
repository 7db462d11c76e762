/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Non-INVITE client transactions (RFC 3261 section 17.1.2). The layer
 * keeps every transaction until Timer K ends it, so retransmitted
 * responses are absorbed; the owner sees one final result per request.
 * Sending goes through a function pointer: no socket is needed here.
 */
#ifndef SIPSTEERD_SIP_TX_H
#define SIPSTEERD_SIP_TX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sip/msg.h"
#include "transport/transport.h"

struct loop;
struct tx_layer;
struct sip_tx;

enum tx_result {
	TX_FINAL,		/* a final response (@rsp) arrived */
	TX_TIMEOUT,		/* Timer F: no final response in time */
	TX_TRANSPORT,		/* the transport failed (@err) */
};

const char *tx_result_name(enum tx_result res);

struct tx_opts {
	bool reliable;		/* TCP/TLS: no retransmission, no Timer K */
	uint32_t t1_ms;		/* 0: 500 */
	uint32_t t2_ms;		/* 0: 4000 */
	uint32_t t4_ms;		/* Timer K on UDP; 0: 5000 */
	uint32_t timeout_ms;	/* Timer F; 0: 64 * T1 */
};

typedef int (*tx_send_fn)(void *arg, const char *buf, size_t len);

struct tx_handlers {
	/* 1xx; optional. */
	void (*on_provisional)(void *arg, const struct sip_msg *rsp);
	/*
	 * Exactly once per transaction, unless abandoned. @rsp only with
	 * TX_FINAL, valid during the call. The handle is dead afterwards.
	 */
	void (*on_done)(void *arg, enum tx_result res,
			const struct sip_msg *rsp, enum tp_error err);
};

int tx_layer_new(struct loop *loop, struct tx_layer **out);
/* Ends every transaction without callbacks. Not from a callback. */
void tx_layer_free(struct tx_layer *txl);

/*
 * Send request @req (a whole message; branch and method are taken from
 * it) and run its transaction. Returns 0, -EBADMSG for a request the
 * parser refuses, or the send function's error (no transaction then).
 */
int tx_start(struct tx_layer *txl, const struct tx_opts *opts,
	     const char *req, size_t len, tx_send_fn send, void *send_arg,
	     const struct tx_handlers *h, void *arg, struct sip_tx **out);

/* A response from the transport: true when a transaction took it. */
bool tx_layer_input(struct tx_layer *txl, const struct sip_msg *rsp);

/* The transport under @tx failed: ends it with TX_TRANSPORT. */
void tx_transport_error(struct sip_tx *tx, enum tp_error err);
/* The owner is going away: no callback, no further send. */
void tx_abandon(struct sip_tx *tx);

/* Number of live transactions, for tests and leak checks. */
unsigned int tx_layer_count(const struct tx_layer *txl);

#endif
