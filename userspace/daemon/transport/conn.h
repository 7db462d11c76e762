/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to transport/: the connection object shared by the UDP, TCP
 * and TLS code, and the rules that keep callbacks safe.
 *
 * A handler may call tp_conn_close() from inside any callback, so every
 * entry point from the loop brackets its work with conn_enter() and
 * conn_leave(): close only marks the connection while a callback runs,
 * and the last conn_leave() frees it. After an error is reported the
 * connection is dead: its fd leaves the loop and no handler runs again.
 */
#ifndef SIPSTEERD_TRANSPORT_CONN_H
#define SIPSTEERD_TRANSPORT_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "transport/transport.h"

struct tp_tls;

enum tp_state {
	TPC_CONNECTING,
	TPC_HANDSHAKE,
	TPC_OPEN,
	TPC_DEAD,
};

struct tp_conn {
	struct loop *loop;
	enum tp_proto proto;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	char peer_str[64];
	uint32_t mark;
	uint32_t connect_timeout_ms;
	struct tp_handlers h;
	void *arg;
	int fd;
	loop_fd_fn on_fd;	/* the transport's readiness handler */
	enum tp_state state;
	unsigned int events;	/* what the loop watches; 0: not watched */
	unsigned int depth;	/* callbacks running */
	bool closed;
	struct loop_timer conn_timer;
	struct loop_timer err_timer;
	enum tp_error pend_err;
	char pend_detail[1024];
	/* Unsent bytes of a stream. */
	char *wbuf;
	size_t wlen, woff, wcap;
	/* Received bytes not yet framed. */
	char *rbuf;
	size_t rlen;
	struct tp_tls *tls;
};

void conn_enter(struct tp_conn *c);
/* Returns false when @c is gone or dead: the caller must stop. */
bool conn_leave(struct tp_conn *c);
bool conn_alive(const struct tp_conn *c);
void conn_watch(struct tp_conn *c, unsigned int events);
/* Reports @err once, from a loop callback; the connection is dead. */
void conn_fail(struct tp_conn *c, enum tp_error err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same, from outside a callback: reported from the loop soon after. */
void conn_fail_later(struct tp_conn *c, enum tp_error err,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* errno of a failed socket call -> the error the layer above sees. */
enum tp_error conn_errno_kind(int err);

int udp_open(struct tp_conn *c);
int udp_send(struct tp_conn *c, const char *buf, size_t len);

int stream_open(struct tp_conn *c, const struct tp_opts *o);
int stream_send(struct tp_conn *c, const char *buf, size_t len);
/* The stream is up (TCP connected, or TLS verified). */
void stream_established(struct tp_conn *c);

int tls_setup(struct tp_conn *c, const struct tp_opts *o);
/* Drives the handshake; on success calls stream_established(). */
void tls_handshake(struct tp_conn *c);
/* Like recv()/send(): bytes, 0 at EOF, -EAGAIN, or another -errno
 * (-EPROTO for a TLS failure, with the text in *why). */
long tls_read(struct tp_conn *c, char *buf, size_t len, const char **why);
long tls_write(struct tp_conn *c, const char *buf, size_t len,
	       const char **why);
/* Whether the last TLS call waits for the socket to become writable. */
bool tls_wants_write(const struct tp_conn *c);
bool tls_has_pending(const struct tp_conn *c);
/* close_notify, best effort: the socket is closed right after. */
void tls_bye(struct tp_conn *c);
void tls_free(struct tp_conn *c);

#endif
