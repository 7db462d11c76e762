/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside inbound/: the flows, the relay's connections to the call
 * application and the requests waiting for its answer. inbound.c answers
 * and dispatches, relay.c relays. Nothing outside inbound/ includes this.
 */
#ifndef SIPSTEERD_INBOUND_INT_H
#define SIPSTEERD_INBOUND_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/loop.h"
#include "inbound/inbound.h"

struct sip_msg;

/* Our Via branch: magic, this tag, the flow id, a hash of theirs. */
#define INBOUND_BRANCH_TAG	"-sst"
#define INBOUND_MAX_PENDING	64
#define INBOUND_MAX_DESTS	4	/* phone addresses relayed to */

/* A connected UDP transport to the call application at one address. */
struct inbound_dest {
	struct inbound *in;
	struct sockaddr_storage addr;	/* phone address, app_port */
	struct tp_conn *conn;		/* NULL: opened on the next relay */
	char via_host[INET6_ADDRSTRLEN];
	uint16_t via_port;
};

/* A relayed request whose final answer has not been seen yet. */
struct inbound_pending {
	struct inbound *in;
	bool used;
	char branch[96];		/* our Via branch */
	bool cancel;			/* CANCEL has its own transaction */
	bool invite;
	bool provisional;		/* the application said 1xx */
	uint32_t flow_id;
	int dest;			/* index into in->dests */
	char *req;			/* the request as received */
	size_t req_len;
	uint64_t created_ms;
	struct loop_timer timer;
};

struct inbound {
	struct loop *loop;
	struct inbound_opts o;
	char user_agent[128];
	uint32_t next_id;
	struct inbound_flow *flows;
	struct inbound_dest dests[INBOUND_MAX_DESTS];
	struct inbound_pending pending[INBOUND_MAX_PENDING];
	struct inbound_stats st;
};

/* inbound.c */
struct inbound_flow *inbound_flow_find(const struct inbound *in,
				       uint32_t id);
/* A final answer of ours to @req, sent on @f; false when not sent. */
bool inbound_answer(struct inbound_flow *f, const struct sip_msg *req,
		    int status, const char *reason);
/* 64-bit FNV-1a of @len bytes, continuing from @h (start: 0). */
uint64_t inbound_hash(uint64_t h, const void *p, size_t len);

/* relay.c */
void inbound_relay(struct inbound_flow *f, const struct sip_msg *msg,
		   const char *raw, size_t len);
void inbound_relay_free(struct inbound *in);

#endif
