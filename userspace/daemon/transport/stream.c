// SPDX-License-Identifier: GPL-2.0
/*
 * SIP over TCP, and the byte stream under TLS: non-blocking connect with
 * a deadline, a write queue drained on LOOP_OUT, and Content-Length
 * framing of what comes in.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "transport/conn.h"
#include "transport/framing.h"
#include "transport/sock.h"

#define RBUF_SIZE	(TP_MSG_MAX + 4096)
#define TLS_CHUNK	16384

static unsigned int stream_events(const struct tp_conn *c)
{
	unsigned int ev = LOOP_IN;

	if (c->wlen > c->woff || (c->tls && tls_wants_write(c)))
		ev |= LOOP_OUT;
	return ev;
}

static void stream_fail_errno(struct tp_conn *c, int err, const char *what)
{
	conn_fail(c, conn_errno_kind(err), "%s: %s", what, strerror(err));
}

/* Sends what the queue holds; false if the connection died. */
static bool stream_flush(struct tp_conn *c)
{
	while (c->woff < c->wlen) {
		size_t want = c->wlen - c->woff;
		const char *why = NULL;
		long n;

		if (c->tls) {
			/* GnuTLS wants the same length again after
			 * EAGAIN: fixed-size chunks give it that. */
			if (want > TLS_CHUNK)
				want = TLS_CHUNK;
			n = tls_write(c, c->wbuf + c->woff, want, &why);
		} else {
			n = send(c->fd, c->wbuf + c->woff, want,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n < 0)
				n = -errno;
		}
		if (n == -EAGAIN || n == -EINTR)
			break;
		if (n < 0) {
			if (n == -EPROTO)
				conn_fail(c, TP_ERR_TLS, "%s", why);
			else
				stream_fail_errno(c, (int)-n, "send");
			return false;
		}
		c->woff += (size_t)n;
	}
	if (c->woff == c->wlen)
		c->woff = c->wlen = 0;
	return true;
}

/* Hands complete messages up; false if the connection died. */
static bool stream_deliver(struct tp_conn *c)
{
	size_t skip, len, used = 0;
	bool pong;
	int r;

	while (conn_alive(c)) {
		r = tp_frame(c->rbuf + used, c->rlen - used, &skip, &len);
		/* A CRLF between messages: the RFC 5626 pong. */
		pong = c->h.on_pong && memchr(c->rbuf + used, '\n', skip);
		used += skip;
		if (pong) {
			c->h.on_pong(c->arg);
			if (!conn_alive(c))
				return false;
		}
		if (r == 0)
			break;
		if (r < 0) {
			conn_fail(c, TP_ERR_OTHER, "%s",
				  r == -EMSGSIZE ? "message too large"
						 : "no valid Content-Length");
			return false;
		}
		if (c->h.on_message)
			c->h.on_message(c->arg, c->rbuf + used, len);
		used += len;
	}
	if (!conn_alive(c))
		return false;
	memmove(c->rbuf, c->rbuf + used, c->rlen - used);
	c->rlen -= used;
	return true;
}

static void stream_read(struct tp_conn *c)
{
	const char *why = NULL;
	long n;

	do {
		if (c->rlen == RBUF_SIZE) {
			conn_fail(c, TP_ERR_OTHER, "message too large");
			return;
		}
		if (c->tls) {
			n = tls_read(c, c->rbuf + c->rlen, RBUF_SIZE - c->rlen,
				     &why);
		} else {
			n = recv(c->fd, c->rbuf + c->rlen, RBUF_SIZE - c->rlen,
				 MSG_DONTWAIT);
			if (n < 0)
				n = -errno;
		}
		if (n == -EAGAIN || n == -EINTR)
			return;
		if (n == 0) {
			conn_fail(c, TP_ERR_RESET, "connection closed by peer");
			return;
		}
		if (n == -EPROTO) {
			conn_fail(c, TP_ERR_TLS, "%s", why);
			return;
		}
		if (n < 0) {
			stream_fail_errno(c, (int)-n, "recv");
			return;
		}
		c->rlen += (size_t)n;
		if (!stream_deliver(c))
			return;
	} while (c->tls && tls_has_pending(c));
}

void stream_established(struct tp_conn *c)
{
	loop_timer_cancel(c->loop, &c->conn_timer);
	c->state = TPC_OPEN;
	conn_watch(c, stream_events(c));
	if (c->h.on_connected)
		c->h.on_connected(c->arg);
	if (!conn_alive(c))
		return;
	if (stream_flush(c))
		conn_watch(c, stream_events(c));
}

static void stream_connected(struct tp_conn *c)
{
	int err = 0;
	socklen_t l = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l))
		err = errno;
	if (err) {
		stream_fail_errno(c, err, "connect");
		return;
	}
	if (c->proto == TP_TLS) {
		c->state = TPC_HANDSHAKE;
		tls_handshake(c);
		return;
	}
	stream_established(c);
}

static void stream_on_fd(int fd, unsigned int events, void *arg)
{
	struct tp_conn *c = arg;

	(void)fd;
	conn_enter(c);
	switch (c->state) {
	case TPC_CONNECTING:
		stream_connected(c);
		break;
	case TPC_HANDSHAKE:
		tls_handshake(c);
		break;
	case TPC_OPEN:
		/* Read first: a reset's data and error come in order. */
		if (events & (LOOP_IN | LOOP_ERR))
			stream_read(c);
		if (conn_alive(c) && (events & LOOP_OUT) && stream_flush(c))
			conn_watch(c, stream_events(c));
		break;
	case TPC_DEAD:
		break;
	}
	conn_leave(c);
}

static void stream_on_timeout(void *arg)
{
	struct tp_conn *c = arg;

	conn_enter(c);
	conn_fail(c, TP_ERR_TIMEOUT, "%s not done after %u ms",
		  c->state == TPC_HANDSHAKE ? "TLS handshake" : "connect",
		  c->connect_timeout_ms);
	conn_leave(c);
}

int stream_open(struct tp_conn *c, const struct tp_opts *o)
{
	int on = 1, err;

	c->rbuf = malloc(RBUF_SIZE);
	if (!c->rbuf)
		return -ENOMEM;
	c->fd = tp_socket(c->peer.ss_family, SOCK_STREAM, c->mark,
			  c->peer_str);
	if (c->fd < 0)
		return c->fd;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (c->proto == TP_TLS) {
		err = tls_setup(c, o);
		if (err)
			return err;
	}
	c->on_fd = stream_on_fd;
	c->state = TPC_CONNECTING;
	loop_timer_start(c->loop, &c->conn_timer, c->connect_timeout_ms,
			 stream_on_timeout, c);
	if (connect(c->fd, (struct sockaddr *)&c->peer, c->peer_len) &&
	    errno != EINPROGRESS) {
		err = errno;
		/* Reported like any later failure, from the loop. */
		conn_fail_later(c, conn_errno_kind(err), "connect: %s",
				strerror(err));
		return 0;
	}
	/* Writable = connected or failed; stream_connected tells which. */
	conn_watch(c, LOOP_OUT);
	return c->events ? 0 : -EIO;
}

int stream_send(struct tp_conn *c, const char *buf, size_t len)
{
	if (len > TP_MSG_MAX)
		return -EMSGSIZE;
	if (c->wlen + len > c->wcap) {
		size_t cap = c->wcap ? c->wcap : 4096;
		char *p;

		/* Bounded: a server that stops reading is dead to us. */
		if (c->wlen + len > 16 * TP_MSG_MAX)
			return -ENOBUFS;
		while (cap < c->wlen + len)
			cap *= 2;
		p = realloc(c->wbuf, cap);
		if (!p)
			return -ENOMEM;
		c->wbuf = p;
		c->wcap = cap;
	}
	memcpy(c->wbuf + c->wlen, buf, len);
	c->wlen += len;
	if (c->state != TPC_OPEN)
		return 0;
	/* stream_flush reports through a handler; not from inside send. */
	if (!(c->events & LOOP_OUT))
		conn_watch(c, stream_events(c) | LOOP_OUT);
	return 0;
}
