// SPDX-License-Identifier: GPL-2.0
/* c-ares on the event loop; see ares_loop.h. */
#include "dns/ares_loop.h"

#include <arpa/nameser.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "core/log.h"

static void ares_loop_rearm(struct ares_loop *al)
{
	struct timeval tv, *t;
	uint64_t ms;

	t = ares_timeout(al->ch, NULL, &tv);
	if (!t) {
		loop_timer_cancel(al->loop, &al->timer);
		return;
	}
	/* Round up: waking early would only spin once more. */
	ms = (uint64_t)t->tv_sec * 1000 + ((uint64_t)t->tv_usec + 999) / 1000;
	loop_timer_start(al->loop, &al->timer, ms, al->timer.fn, al);
}

static void ares_loop_on_timer(void *arg)
{
	struct ares_loop *al = arg;

	ares_process_fd(al->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	ares_loop_rearm(al);
}

static void ares_loop_on_fd(int fd, unsigned int events, void *arg)
{
	struct ares_loop *al = arg;
	ares_socket_t rfd = ARES_SOCKET_BAD, wfd = ARES_SOCKET_BAD;

	if (events & (LOOP_IN | LOOP_ERR))
		rfd = fd;
	if (events & LOOP_OUT)
		wfd = fd;
	ares_process_fd(al->ch, rfd, wfd);
	ares_loop_rearm(al);
}

static int fd_index(const struct ares_loop *al, int fd)
{
	for (unsigned int i = 0; i < al->n_fds; i++)
		if (al->fds[i] == fd)
			return (int)i;
	return -1;
}

static void ares_loop_sock_state(void *data, ares_socket_t fd, int readable,
				 int writable)
{
	struct ares_loop *al = data;
	unsigned int ev = (readable ? LOOP_IN : 0) | (writable ? LOOP_OUT : 0);
	int i = fd_index(al, fd), err;

	if (!ev) {
		if (i < 0)
			return;
		loop_fd_del(al->loop, fd);
		al->fds[i] = al->fds[--al->n_fds];
		return;
	}
	if (i >= 0) {
		loop_fd_mod(al->loop, fd, ev);
		return;
	}
	if (al->n_fds >= ARES_LOOP_MAX_FDS) {
		log_err("dns: too many resolver sockets");
		return;
	}
	err = loop_fd_add(al->loop, fd, ev, ares_loop_on_fd, al);
	if (err) {
		log_err("dns: cannot watch resolver socket: %s",
			strerror(-err));
		return;
	}
	al->fds[al->n_fds++] = fd;
}

static int ares_loop_sock_create(ares_socket_t fd, int type, void *data)
{
	struct ares_loop *al = data;

	(void)type;
	if (al->mark && setsockopt(fd, SOL_SOCKET, SO_MARK, &al->mark,
				   sizeof(al->mark))) {
		log_err("dns: SO_MARK %u on resolver socket: %s", al->mark,
			strerror(errno));
		return -1;
	}
	return 0;
}

int ares_loop_init(struct ares_loop *al, struct loop *loop,
		   const char *servers, uint32_t timeout_ms,
		   unsigned int tries, uint32_t mark)
{
	struct ares_options o;
	int mask = ARES_OPT_SOCK_STATE_CB, rc;

	memset(al, 0, sizeof(*al));
	al->loop = loop;
	al->mark = mark;
	al->timer.fn = ares_loop_on_timer;
	memset(&o, 0, sizeof(o));
	o.sock_state_cb = ares_loop_sock_state;
	o.sock_state_cb_data = al;
	if (timeout_ms) {
		o.timeout = (int)timeout_ms;
		mask |= ARES_OPT_TIMEOUTMS;
	}
	if (tries) {
		o.tries = (int)tries;
		mask |= ARES_OPT_TRIES;
	}
	rc = ares_init_options(&al->ch, &o, mask);
	if (rc != ARES_SUCCESS) {
		log_err("dns: c-ares init: %s", ares_strerror(rc));
		return rc == ARES_ENOMEM ? -ENOMEM : -EIO;
	}
	ares_set_socket_callback(al->ch, ares_loop_sock_create, al);
	if (servers && *servers) {
		rc = ares_set_servers_ports_csv(al->ch, servers);
		if (rc != ARES_SUCCESS) {
			log_err("dns: bad server list \"%s\": %s", servers,
				ares_strerror(rc));
			ares_destroy(al->ch);
			al->ch = NULL;
			return -EINVAL;
		}
	}
	return 0;
}

void ares_loop_destroy(struct ares_loop *al)
{
	if (!al->ch)
		return;
	ares_destroy(al->ch);
	al->ch = NULL;
	/* ares_destroy closes its sockets through the state callback; drop
	 * whatever is left in any case. */
	while (al->n_fds)
		loop_fd_del(al->loop, al->fds[--al->n_fds]);
	loop_timer_cancel(al->loop, &al->timer);
}

void ares_loop_query(struct ares_loop *al, const char *name, int type,
		     ares_callback cb, void *arg)
{
	ares_query(al->ch, name, ns_c_in, type, cb, arg);
	ares_loop_rearm(al);
}
