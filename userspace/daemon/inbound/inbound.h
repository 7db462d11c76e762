/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Requests that servers send to the daemon's own flows (the sockets and
 * connections its REGISTERs and probes use). Every one gets a final
 * answer; none is dropped:
 *
 * - OPTIONS (a registrar checking the flow or the Contact) is answered
 *   here, 200.
 * - Anything else was meant for the phone's call application, which
 *   every line's Contact names: RFC 5626 outbound sends a line's requests
 *   over its registration flow, and some servers send to the address a
 *   REGISTER came from. It is relayed statelessly (RFC 3261 16.11) to the
 *   application over UDP at the Contact's address and
 *   voip/signalling/sip/port, and the application's responses go back
 *   over the flow the request came on. When the application cannot be
 *   reached (ICMP) or answers nothing within 64*T1, the server gets 480
 *   or 408 from here.
 * - A flow that belongs to no line (a probe's) answers 480 to anything
 *   but OPTIONS (and nothing to ACK).
 */
#ifndef SIPSTEERD_INBOUND_H
#define SIPSTEERD_INBOUND_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct inbound;
struct loop;
struct sip_msg;
struct tp_conn;

struct inbound_opts {
	uint16_t app_port;	/* the call application's UDP port */
	uint32_t t1_ms;		/* 0: 500 */
	const char *user_agent;	/* Server header of our answers; NULL: none */
};

/*
 * One flow of the daemon's, embedded in its owner. The owner fills the
 * first fields, calls inbound_flow_open() once the connection exists and
 * inbound_flow_close() before closing it.
 */
struct inbound_flow {
	struct tp_conn *conn;		/* requests came on it, answers go */
	const char *contact_uri;	/* the line's Contact; NULL: no line */
	char local_host[INET6_ADDRSTRLEN];	/* our end: the phone */
	uint16_t local_port;
	/* inbound's */
	struct inbound *in;
	uint32_t id;
	struct inbound_flow *next;
};

struct inbound_stats {
	uint64_t options;	/* answered 200 here */
	uint64_t relayed;	/* requests sent on to the application */
	uint64_t responses;	/* the application's, sent back */
	uint64_t refused;	/* final answers of ours: 480, 408, 483 */
};

int inbound_new(struct loop *loop, const struct inbound_opts *opts,
		struct inbound **out);
void inbound_free(struct inbound *in);
/* A new configuration: the application's port (requests go there next). */
void inbound_set_app_port(struct inbound *in, uint16_t port);
void inbound_stats(const struct inbound *in, struct inbound_stats *st);

/* @in may be NULL: the flow's requests are then answered here only. */
void inbound_flow_open(struct inbound *in, struct inbound_flow *f);
/* Responses still coming for the flow's requests are dropped. */
void inbound_flow_close(struct inbound_flow *f);
/* A request @msg, parsed from @raw, arrived on @f. */
void inbound_request(struct inbound_flow *f, const struct sip_msg *msg,
		     const char *raw, size_t len);

#endif
