/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SIP transports: one connection (UDP flow, TCP or TLS stream) to one
 * server address. The layer above gets whole SIP messages and one of a
 * few distinct errors, whatever the transport.
 */
#ifndef SIPSTEERD_TRANSPORT_H
#define SIPSTEERD_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct loop;
struct tp_conn;

enum tp_proto {
	TP_UDP,
	TP_TCP,
	TP_TLS,
};

enum tp_error {
	TP_ERR_TIMEOUT,		/* connect or handshake took too long */
	TP_ERR_UNREACHABLE,	/* ICMP unreachable, connection refused */
	TP_ERR_RESET,		/* TCP reset or peer closed */
	TP_ERR_TLS,		/* handshake or certificate verification */
	TP_ERR_OTHER,
};

const char *tp_proto_name(enum tp_proto proto);	/* "UDP", "TCP", "TLS" */
const char *tp_error_name(enum tp_error err);
/* "192.0.2.1:5060", "[2001:db8::1]:5060", or "?" */
void tp_fmt_addr(const struct sockaddr_storage *ss, char *out, size_t size);
/* The address alone, "192.0.2.1", "2001:db8::1" (or "?"); its port. */
void tp_addr_host(const struct sockaddr_storage *ss, char *out, size_t size);
uint16_t tp_addr_port(const struct sockaddr_storage *ss);
/*
 * Same family, address and port (and IPv6 scope), whatever padding,
 * flow label or length the two sockaddrs carry.
 */
bool tp_same_addr(const struct sockaddr_storage *a,
		  const struct sockaddr_storage *b);

struct tp_handlers {
	/* Stream connected (and TLS verified); never called for UDP. */
	void (*on_connected)(void *arg);
	/* One complete SIP message (framed by Content-Length on streams). */
	void (*on_message)(void *arg, const char *buf, size_t len);
	/* The connection is dead; close it from here or later. */
	void (*on_error)(void *arg, enum tp_error err, const char *detail);
	/*
	 * Optional, streams only: a CRLF arrived between messages, the
	 * RFC 5626 pong to a TP_CRLF_PING. Addition to the lead's interface.
	 */
	void (*on_pong)(void *arg);
};

struct tp_opts {
	enum tp_proto proto;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	const char *tls_domain;	/* SIP domain: SNI and RFC 5922 check */
	const char *tls_ca_file;	/* NULL: system trust */
	const char *tls_cert_file;	/* optional client certificate */
	const char *tls_key_file;
	uint32_t mark;		/* SO_MARK on the socket; 0: none */
	uint32_t connect_timeout_ms;	/* TCP connect + TLS handshake;
					 * 0: the default below */
};

#define TP_CONNECT_TIMEOUT_DEFAULT_MS	10000
/* RFC 5626 4.4.1 keep-alive ping for streams: tp_conn_send() it as is.
 * CRLFs received between messages (pongs) go to on_pong, if set. */
#define TP_CRLF_PING	"\r\n\r\n"


/*
 * Errors returned here are local (bad options, unreadable TLS files,
 * SO_MARK refused); a refused or failed connect is reported through
 * on_error from the loop, like every later failure.
 */
int tp_conn_open(struct loop *loop, const struct tp_opts *opts,
		 const struct tp_handlers *h, void *arg,
		 struct tp_conn **out);
/*
 * Queues while a stream is still connecting. Never calls a handler: a
 * failure seen while sending (e.g. ICMP refused) is reported through
 * on_error from the loop. Returns 0, -ENOTCONN once the connection is
 * dead, -EMSGSIZE, -ENOMEM, or -ENOBUFS when a stream already has
 * 1 MiB unsent. A UDP datagram the socket cannot take now
 * is dropped (the transaction layer retransmits).
 */
int tp_conn_send(struct tp_conn *c, const char *buf, size_t len);
int tp_conn_local_addr(const struct tp_conn *c,
		       struct sockaddr_storage *ss, socklen_t *len);
/* Frees @c; no handler runs afterwards. Safe from inside a handler. */
void tp_conn_close(struct tp_conn *c);

#endif
