/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the registration client and the failback probe share when they
 * talk to one server: a transport opened the same way, our local address
 * for Via and Contact, an OPTIONS request through the transaction layer,
 * and one mapping of failures to enum sl_result.
 */
#ifndef SIPSTEERD_REG_REQUEST_H
#define SIPSTEERD_REG_REQUEST_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/resolver.h"
#include "reg/serverlist.h"
#include "sip/tx.h"
#include "transport/transport.h"

struct loop;

/* Our end of a transport, as the server should reach it. */
struct sipreq_local {
	char host[INET6_ADDRSTRLEN];
	uint16_t port;
	bool v6;
};

struct sipreq_conn_opts {
	const char *domain;		/* TLS name (RFC 5922) */
	const char *tls_ca_file;
	const char *tls_cert_file;
	const char *tls_key_file;
	uint32_t mark;			/* SO_MARK; 0: none */
	uint32_t timeout_ms;		/* TCP connect + TLS handshake */
};

/*
 * Opens a transport to @srv and reads our local address. Returns 0, or
 * -errno when nothing could be opened (then no handler ever runs).
 */
int sipreq_open(struct loop *loop, const struct sip_server *srv,
		const struct sipreq_conn_opts *o, const struct tp_handlers *h,
		void *arg, struct tp_conn **conn,
		struct sipreq_local *local);

/* "sip:example.org", "sip:[2001:db8::1]" */
void sipreq_domain_uri(char *out, size_t size, const char *domain);
/* "target 192.0.2.1:5060 (UDP)", for logs */
void sipreq_server_name(const struct sip_server *srv, char *out,
			size_t size);

/* A tx_send_fn over a struct tp_conn: abandon the tx before closing. */
int sipreq_conn_send(void *conn, const char *buf, size_t len);
struct tx_opts sipreq_tx_opts(enum tp_proto proto, uint32_t t1_ms,
			      uint32_t t2_ms, uint32_t timeout_ms);
struct inbound_flow;

/*
 * Hands a received response to @txl and a request to @flow (answered or
 * relayed: inbound/inbound.h); junk is dropped.
 */
void sipreq_input(struct tx_layer *txl, struct inbound_flow *flow,
		  const char *buf, size_t len, const char *who);

/* Failure kinds: the transport's, and an errno from sipreq_open(). */
enum sl_result sipreq_tp_result(enum tp_error err);
enum sl_result sipreq_errno_result(int err);

struct sipreq_options {
	enum tp_proto proto;
	const struct sipreq_local *local;
	const char *domain;		/* Request-URI host */
	const char *user;		/* From user; NULL: "sipsteerd" */
	const char *user_agent;		/* NULL: none */
	uint32_t t1_ms, t2_ms, timeout_ms;
};

/* Sends one OPTIONS (fresh Call-ID, tag and branch) on @c via @txl. */
int sipreq_options_start(struct tx_layer *txl, struct tp_conn *c,
			 const struct sipreq_options *o,
			 const struct tx_handlers *h, void *arg,
			 struct sip_tx **out);
/*
 * The outcome of an OPTIONS: any final answer but 503 means the server is
 * alive (SL_RES_OK); 503, Timer F and transport failures do not.
 */
enum sl_result sipreq_options_result(enum tx_result res,
				     const struct sip_msg *rsp,
				     enum tp_error err);

#endif
