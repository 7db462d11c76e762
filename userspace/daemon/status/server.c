// SPDX-License-Identifier: GPL-2.0
/*
 * The status socket. Each connection: read one request line, render the
 * snapshot, write it (non-blocking, as the socket drains), close. A client
 * that stalls is dropped after STATUS_CLIENT_TIMEOUT_MS so it cannot hold
 * a slot; at most STATUS_MAX_CLIENTS are served at once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"
#include "status/status.h"

#define STATUS_MAX_CLIENTS		8
#define STATUS_CLIENT_TIMEOUT_MS	2000
#define STATUS_REQ_MAX			32

struct status_client {
	struct status_server *srv;
	int fd;
	char req[STATUS_REQ_MAX];
	size_t req_len;
	struct strbuf out;
	size_t sent;
	bool answering;
	struct loop_timer timer;
};

struct status_server {
	struct loop *loop;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	status_fill_fn fill;
	void *arg;
	struct status_client *clients[STATUS_MAX_CLIENTS];
};

static void client_close(struct status_client *c)
{
	struct status_server *srv = c->srv;
	size_t i;

	for (i = 0; i < STATUS_MAX_CLIENTS; i++) {
		if (srv->clients[i] == c)
			srv->clients[i] = NULL;
	}
	loop_timer_cancel(srv->loop, &c->timer);
	loop_fd_del(srv->loop, c->fd);
	close(c->fd);
	sb_free(&c->out);
	free(c);
}

static void client_timeout(void *arg)
{
	client_close(arg);
}

static void client_write(struct status_client *c)
{
	while (c->sent < c->out.len) {
		ssize_t n = send(c->fd, c->out.buf + c->sent,
				 c->out.len - c->sent, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			client_close(c);
			return;
		}
		c->sent += (size_t)n;
	}
	client_close(c);
}

static void client_answer(struct status_client *c)
{
	struct status_server *srv = c->srv;
	struct status_snapshot *snap;
	char *nl;

	c->answering = true;
	nl = memchr(c->req, '\n', c->req_len);
	c->req_len = nl ? (size_t)(nl - c->req) : c->req_len;
	if (c->req_len && c->req[c->req_len - 1] == '\r')
		c->req_len--;
	c->req[c->req_len] = '\0';

	snap = calloc(1, sizeof(*snap));
	if (!snap) {
		sb_puts(&c->out, "error: out of memory\n");
	} else if (!strcmp(c->req, "json") || !strcmp(c->req, "text")) {
		srv->fill(srv->arg, snap);
		if (!strcmp(c->req, "json"))
			status_render_json(snap, &c->out);
		else
			status_render_text(snap, &c->out);
	} else {
		sb_puts(&c->out, "error: unknown request (text or json)\n");
	}
	free(snap);
	if (c->out.failed) {
		client_close(c);
		return;
	}
	if (loop_fd_mod(srv->loop, c->fd, LOOP_OUT)) {
		client_close(c);
		return;
	}
	client_write(c);
}

static void client_event(int fd, unsigned int events, void *arg)
{
	struct status_client *c = arg;
	ssize_t n;

	if (c->answering) {
		if (events & (LOOP_OUT | LOOP_ERR))
			client_write(c);
		return;
	}
	n = recv(fd, c->req + c->req_len, sizeof(c->req) - 1 - c->req_len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		client_close(c);
		return;
	}
	if (!n && !c->req_len) {
		/* Connected and left: a liveness probe, nothing to say. */
		client_close(c);
		return;
	}
	c->req_len += (size_t)n;
	/* A whole line, the end of the request, or a full buffer. */
	if (!n || memchr(c->req, '\n', c->req_len) ||
	    c->req_len == sizeof(c->req) - 1)
		client_answer(c);
}

static void server_accept(int fd, unsigned int events, void *arg)
{
	struct status_server *srv = arg;
	struct status_client *c;
	int cfd;
	size_t i;

	(void)events;
	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	for (i = 0; i < STATUS_MAX_CLIENTS && srv->clients[i]; i++)
		;
	c = i < STATUS_MAX_CLIENTS ? calloc(1, sizeof(*c)) : NULL;
	if (!c) {
		close(cfd);
		return;
	}
	c->srv = srv;
	c->fd = cfd;
	sb_init(&c->out);
	if (loop_fd_add(srv->loop, cfd, LOOP_IN, client_event, c)) {
		close(cfd);
		free(c);
		return;
	}
	srv->clients[i] = c;
	loop_timer_start(srv->loop, &c->timer, STATUS_CLIENT_TIMEOUT_MS,
			 client_timeout, c);
}

/* Is a daemon answering on @addr? */
static bool socket_alive(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return false;
	alive = !connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
	close(fd);
	return alive;
}

int status_server_new(struct loop *loop, const char *path,
		      status_fill_fn fill, void *arg,
		      struct status_server **out)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct status_server *srv;
	int err;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	memcpy(addr.sun_path, path, strlen(path) + 1);
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->loop = loop;
	srv->fill = fill;
	srv->arg = arg;
	srv->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			 0);
	if (srv->fd < 0) {
		err = -errno;
		goto out_free;
	}
	if (socket_alive(&addr)) {
		err = -EADDRINUSE;
		goto out_close;
	}
	/* Left over from a daemon that died: take it over. */
	unlink(path);
	if (bind(srv->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		err = -errno;
		goto out_close;
	}
	memcpy(srv->path, path, strlen(path) + 1);
	/* Readable by the owner and its group only. */
	if (chmod(path, 0660) < 0 || listen(srv->fd, STATUS_MAX_CLIENTS) < 0) {
		err = -errno;
		goto out_unlink;
	}
	err = loop_fd_add(loop, srv->fd, LOOP_IN, server_accept, srv);
	if (err)
		goto out_unlink;
	*out = srv;
	return 0;

out_unlink:
	unlink(path);
out_close:
	close(srv->fd);
out_free:
	free(srv);
	return err;
}

void status_server_free(struct status_server *srv)
{
	size_t i;

	if (!srv)
		return;
	for (i = 0; i < STATUS_MAX_CLIENTS; i++) {
		if (srv->clients[i])
			client_close(srv->clients[i]);
	}
	loop_fd_del(srv->loop, srv->fd);
	close(srv->fd);
	unlink(srv->path);
	free(srv);
}
