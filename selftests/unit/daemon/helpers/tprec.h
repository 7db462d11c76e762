/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test helper: transport handlers that record what they were told, and
 * loopback addresses and listeners for the transport tests.
 */
#ifndef SELFTESTS_DAEMON_TPREC_H
#define SELFTESTS_DAEMON_TPREC_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport/transport.h"

#define TPREC_MAX	8

struct tprec {
	struct tp_conn *c;
	bool connected;
	bool errored;
	bool got_msg;
	int n_connected, n_errors, n_msgs, n_pongs;
	enum tp_error err;
	char detail[1024];
	char msgs[TPREC_MAX][2048];
	size_t lens[TPREC_MAX];
	/* Close the connection from inside these handlers. */
	bool close_on_msg, close_on_err, close_on_pong;
};

static inline void tprec_connected(void *arg)
{
	struct tprec *r = arg;

	r->connected = true;
	r->n_connected++;
}

static inline void tprec_message(void *arg, const char *buf, size_t len)
{
	struct tprec *r = arg;

	if (r->n_msgs < TPREC_MAX) {
		size_t n = len < 2047 ? len : 2047;

		memcpy(r->msgs[r->n_msgs], buf, n);
		r->msgs[r->n_msgs][n] = '\0';
		r->lens[r->n_msgs] = len;
	}
	r->n_msgs++;
	r->got_msg = true;
	if (r->close_on_msg) {
		tp_conn_close(r->c);
		r->c = NULL;
	}
}

static inline void tprec_error(void *arg, enum tp_error err,
			       const char *detail)
{
	struct tprec *r = arg;

	r->errored = true;
	r->n_errors++;
	r->err = err;
	snprintf(r->detail, sizeof(r->detail), "%s", detail);
	if (r->close_on_err) {
		tp_conn_close(r->c);
		r->c = NULL;
	}
}

static inline void tprec_pong(void *arg)
{
	struct tprec *r = arg;

	r->n_pongs++;
	if (r->close_on_pong) {
		tp_conn_close(r->c);
		r->c = NULL;
	}
}

static const struct tp_handlers tprec_handlers = {
	.on_connected = tprec_connected,
	.on_message = tprec_message,
	.on_error = tprec_error,
	.on_pong = tprec_pong,
};

static inline void tprec_peer(struct tp_opts *o, enum tp_proto proto,
			      int family, uint16_t port)
{
	memset(o, 0, sizeof(*o));
	o->proto = proto;
	if (family == AF_INET6) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&o->peer;

		s->sin6_family = AF_INET6;
		s->sin6_addr = in6addr_loopback;
		s->sin6_port = htons(port);
		o->peer_len = sizeof(*s);
	} else {
		struct sockaddr_in *s = (struct sockaddr_in *)&o->peer;

		s->sin_family = AF_INET;
		s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s->sin_port = htons(port);
		o->peer_len = sizeof(*s);
	}
}

/* A bound loopback socket (listening for streams); port in *port. */
static inline int tprec_server(int family, int type, uint16_t *port)
{
	struct sockaddr_storage ss = { .ss_family = (sa_family_t)family };
	socklen_t l = family == AF_INET6 ? sizeof(struct sockaddr_in6)
					 : sizeof(struct sockaddr_in);
	int fd = socket(family, type | SOCK_CLOEXEC, 0), on = 1;

	if (fd < 0)
		return -1;
	if (family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	else
		((struct sockaddr_in *)&ss)->sin_addr.s_addr =
			htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, l) ||
	    getsockname(fd, (struct sockaddr *)&ss, &l) ||
	    (type == SOCK_STREAM && listen(fd, 8))) {
		close(fd);
		return -1;
	}
	*port = ntohs(family == AF_INET6 ?
		      ((struct sockaddr_in6 *)&ss)->sin6_port :
		      ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* A loopback port nobody listens on (bound, then released). */
static inline uint16_t tprec_closed_port(int family, int type)
{
	uint16_t port = 0;
	int fd = tprec_server(family, type, &port);

	if (fd >= 0)
		close(fd);
	return port;
}

#endif
