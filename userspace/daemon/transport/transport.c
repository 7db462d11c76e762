// SPDX-License-Identifier: GPL-2.0
/*
 * Connection lifetime and what every transport shares: opening, error
 * reporting, safe closing from callbacks. See conn.h for the rules.
 */
#include "transport/transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "transport/conn.h"

const char *tp_proto_name(enum tp_proto proto)
{
	switch (proto) {
	case TP_UDP:
		return "UDP";
	case TP_TCP:
		return "TCP";
	case TP_TLS:
		return "TLS";
	}
	return "?";
}

const char *tp_error_name(enum tp_error err)
{
	switch (err) {
	case TP_ERR_TIMEOUT:
		return "timeout";
	case TP_ERR_UNREACHABLE:
		return "unreachable";
	case TP_ERR_RESET:
		return "reset";
	case TP_ERR_TLS:
		return "TLS failure";
	case TP_ERR_OTHER:
		break;
	}
	return "error";
}

enum tp_error conn_errno_kind(int err)
{
	switch (err) {
	case ECONNREFUSED:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
	case EACCES:
	case EPERM:
		return TP_ERR_UNREACHABLE;
	case ECONNRESET:
	case ECONNABORTED:
	case EPIPE:
		return TP_ERR_RESET;
	case ETIMEDOUT:
		return TP_ERR_TIMEOUT;
	default:
		return TP_ERR_OTHER;
	}
}

static void conn_free(struct tp_conn *c)
{
	tls_free(c);
	free(c->wbuf);
	free(c->rbuf);
	free(c);
}

void conn_enter(struct tp_conn *c)
{
	c->depth++;
}

bool conn_alive(const struct tp_conn *c)
{
	return !c->closed && c->state != TPC_DEAD;
}

bool conn_leave(struct tp_conn *c)
{
	if (--c->depth == 0 && c->closed) {
		conn_free(c);
		return false;
	}
	return conn_alive(c);
}

void conn_watch(struct tp_conn *c, unsigned int events)
{
	int err = 0;

	if (c->fd < 0 || events == c->events)
		return;
	if (!events)
		loop_fd_del(c->loop, c->fd);
	else if (!c->events)
		err = loop_fd_add(c->loop, c->fd, events, c->on_fd, c);
	else
		err = loop_fd_mod(c->loop, c->fd, events);
	if (err)
		log_err("transport: %s: cannot watch socket: %s", c->peer_str,
			strerror(-err));
	c->events = err ? 0 : events;
}

static void conn_stop(struct tp_conn *c)
{
	conn_watch(c, 0);
	loop_timer_cancel(c->loop, &c->conn_timer);
	c->state = TPC_DEAD;
}

static void conn_report(struct tp_conn *c, enum tp_error err,
			const char *detail)
{
	if (!conn_alive(c))
		return;
	conn_stop(c);
	log_info("transport: %s %s: %s (%s)", tp_proto_name(c->proto),
		 c->peer_str, tp_error_name(err), detail);
	conn_enter(c);
	if (c->h.on_error)
		c->h.on_error(c->arg, err, detail);
	conn_leave(c);
}

void conn_fail(struct tp_conn *c, enum tp_error err, const char *fmt, ...)
{
	char detail[sizeof(c->pend_detail)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	conn_report(c, err, detail);
}

static void conn_on_err_timer(void *arg)
{
	struct tp_conn *c = arg;

	conn_enter(c);
	conn_report(c, c->pend_err, c->pend_detail);
	conn_leave(c);
}

void conn_fail_later(struct tp_conn *c, enum tp_error err,
		     const char *fmt, ...)
{
	va_list ap;

	if (!conn_alive(c) || loop_timer_pending(&c->err_timer))
		return;
	c->pend_err = err;
	va_start(ap, fmt);
	vsnprintf(c->pend_detail, sizeof(c->pend_detail), fmt, ap);
	va_end(ap);
	/* Nothing more goes out or comes in until it is reported. */
	conn_watch(c, 0);
	loop_timer_start(c->loop, &c->err_timer, 0, conn_on_err_timer, c);
}

void tp_addr_host(const struct sockaddr_storage *ss, char *out, size_t size)
{
	snprintf(out, size, "?");
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr,
			  out, (socklen_t)size);
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)ss)->sin6_addr, out,
			  (socklen_t)size);
}

uint16_t tp_addr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

void tp_fmt_addr(const struct sockaddr_storage *ss, char *out, size_t size)
{
	char host[INET6_ADDRSTRLEN];

	tp_addr_host(ss, host, sizeof(host));
	if (ss->ss_family == AF_INET)
		snprintf(out, size, "%s:%u", host, tp_addr_port(ss));
	else if (ss->ss_family == AF_INET6)
		snprintf(out, size, "[%s]:%u", host, tp_addr_port(ss));
	else
		snprintf(out, size, "?");
}

bool tp_same_addr(const struct sockaddr_storage *a,
		  const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a;
		const struct sockaddr_in *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a;
		const struct sockaddr_in6 *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       x->sin6_scope_id == y->sin6_scope_id &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr,
			       sizeof(x->sin6_addr));
	}
	return false;
}

int tp_conn_open(struct loop *loop, const struct tp_opts *opts,
		 const struct tp_handlers *h, void *arg,
		 struct tp_conn **out)
{
	struct tp_conn *c;
	int err;

	if (!opts || !h || opts->peer_len > sizeof(opts->peer) ||
	    (opts->peer.ss_family != AF_INET &&
	     opts->peer.ss_family != AF_INET6))
		return -EINVAL;
	if (opts->proto == TP_TLS && (!opts->tls_domain ||
				      !opts->tls_domain[0]))
		return -EINVAL;	/* RFC 5922 needs the SIP domain */
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->loop = loop;
	c->proto = opts->proto;
	c->peer = opts->peer;
	c->peer_len = opts->peer_len;
	c->h = *h;
	c->arg = arg;
	c->fd = -1;
	c->mark = opts->mark;
	c->connect_timeout_ms = opts->connect_timeout_ms ?
		opts->connect_timeout_ms : TP_CONNECT_TIMEOUT_DEFAULT_MS;
	tp_fmt_addr(&c->peer, c->peer_str, sizeof(c->peer_str));
	switch (opts->proto) {
	case TP_UDP:
		err = udp_open(c);
		break;
	case TP_TCP:
	case TP_TLS:
		err = stream_open(c, opts);
		break;
	default:
		err = -EINVAL;
	}
	if (err) {
		if (c->fd >= 0)
			close(c->fd);
		conn_free(c);
		return err;
	}
	*out = c;
	return 0;
}

int tp_conn_send(struct tp_conn *c, const char *buf, size_t len)
{
	if (!c || c->closed)
		return -EINVAL;
	if (c->state == TPC_DEAD)
		return -ENOTCONN;
	/* A failure is on its way to on_error: that is the report. */
	if (loop_timer_pending(&c->err_timer))
		return 0;
	if (c->proto == TP_UDP)
		return udp_send(c, buf, len);
	return stream_send(c, buf, len);
}

int tp_conn_local_addr(const struct tp_conn *c,
		       struct sockaddr_storage *ss, socklen_t *len)
{
	*len = sizeof(*ss);
	if (c->fd < 0 || getsockname(c->fd, (struct sockaddr *)ss, len))
		return c->fd < 0 ? -ENOTCONN : -errno;
	return 0;
}

void tp_conn_close(struct tp_conn *c)
{
	if (!c || c->closed)
		return;
	conn_watch(c, 0);
	loop_timer_cancel(c->loop, &c->conn_timer);
	loop_timer_cancel(c->loop, &c->err_timer);
	if (c->tls && c->state == TPC_OPEN)
		tls_bye(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->closed = true;
	if (!c->depth)
		conn_free(c);
}
