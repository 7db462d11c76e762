// SPDX-License-Identifier: GPL-2.0
/*
 * SIP over UDP: a connected socket, so the kernel hands us the ICMP
 * errors for this flow (IP_RECVERR), and "port unreachable" becomes a
 * transport error at once instead of a 32 s transaction timeout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/log.h"
#include "transport/conn.h"
#include "transport/framing.h"
#include "transport/sock.h"

static const char *icmp_text(const struct sock_extended_err *ee)
{
	if (ee->ee_origin == SO_EE_ORIGIN_ICMP && ee->ee_type == ICMP_UNREACH) {
		switch (ee->ee_code) {
		case ICMP_UNREACH_NET:
			return "ICMP network unreachable";
		case ICMP_UNREACH_HOST:
			return "ICMP host unreachable";
		case ICMP_UNREACH_PROTOCOL:
			return "ICMP protocol unreachable";
		case ICMP_UNREACH_PORT:
			return "ICMP port unreachable";
		case ICMP_UNREACH_NET_PROHIB:
		case ICMP_UNREACH_HOST_PROHIB:
		case ICMP_UNREACH_FILTER_PROHIB:
			return "ICMP administratively prohibited";
		}
		return "ICMP destination unreachable";
	}
	if (ee->ee_origin == SO_EE_ORIGIN_ICMP6 &&
	    ee->ee_type == ICMP6_DST_UNREACH) {
		switch (ee->ee_code) {
		case ICMP6_DST_UNREACH_NOROUTE:
			return "ICMPv6 no route";
		case ICMP6_DST_UNREACH_ADMIN:
			return "ICMPv6 administratively prohibited";
		case ICMP6_DST_UNREACH_ADDR:
			return "ICMPv6 address unreachable";
		case ICMP6_DST_UNREACH_NOPORT:
			return "ICMPv6 port unreachable";
		}
		return "ICMPv6 destination unreachable";
	}
	return NULL;
}

static void offender_str(const struct sock_extended_err *ee, char *buf,
			 size_t len)
{
	/* Sized for its family, which is all tp_addr_host() reads. */
	tp_addr_host((const struct sockaddr_storage *)SO_EE_OFFENDER(ee), buf,
		     len);
}

/*
 * Drains the error queue. Returns true, with @detail set, on an ICMP
 * unreachable; other queued errors (e.g. a path MTU note) are harmless.
 */
static bool udp_read_errqueue(struct tp_conn *c, char *detail, size_t dlen)
{
	char data[64], ctrl[512], from[INET6_ADDRSTRLEN];
	bool found = false;

	for (;;) {
		struct iovec iov = { data, sizeof(data) };
		struct msghdr mh = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = ctrl,
			.msg_controllen = sizeof(ctrl),
		};
		struct cmsghdr *cm;

		if (recvmsg(c->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return found;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			const struct sock_extended_err *ee;
			const char *what;

			if (!((cm->cmsg_level == SOL_IP &&
			       cm->cmsg_type == IP_RECVERR) ||
			      (cm->cmsg_level == SOL_IPV6 &&
			       cm->cmsg_type == IPV6_RECVERR)))
				continue;
			ee = (const void *)CMSG_DATA(cm);
			what = icmp_text(ee);
			if (!what || found)
				continue;
			offender_str(ee, from, sizeof(from));
			snprintf(detail, dlen, "%s from %s", what, from);
			found = true;
		}
	}
}

/* Reports a pending ICMP error or socket error @err (0: SO_ERROR). */
static void udp_report(struct tp_conn *c, int err)
{
	char detail[sizeof(c->pend_detail)];
	socklen_t l = sizeof(err);

	if (udp_read_errqueue(c, detail, sizeof(detail))) {
		conn_fail(c, TP_ERR_UNREACHABLE, "%s", detail);
		return;
	}
	if (!err && (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l) ||
		     !err))
		return;
	conn_fail(c, conn_errno_kind(err), "%s", strerror(err));
}

/* Keep-alive datagrams (CRLF) carry no message. */
static bool only_crlf(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != '\r' && buf[i] != '\n')
			return false;
	return true;
}

static void udp_on_fd(int fd, unsigned int events, void *arg)
{
	struct tp_conn *c = arg;
	ssize_t n;

	(void)fd;
	conn_enter(c);
	if (events & LOOP_ERR) {
		udp_report(c, 0);
		if (!conn_alive(c))
			goto out;
	}
	if (!(events & LOOP_IN))
		goto out;
	while (conn_alive(c)) {
		n = recv(c->fd, c->rbuf, TP_MSG_MAX, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			udp_report(c, errno);
			break;
		}
		if (!n || only_crlf(c->rbuf, (size_t)n))
			continue;
		if (c->h.on_message)
			c->h.on_message(c->arg, c->rbuf, (size_t)n);
	}
out:
	conn_leave(c);
}

int udp_open(struct tp_conn *c)
{
	int on = 1, err;

	c->rbuf = malloc(TP_MSG_MAX);
	if (!c->rbuf)
		return -ENOMEM;
	c->fd = tp_socket(c->peer.ss_family, SOCK_DGRAM, c->mark,
			  c->peer_str);
	if (c->fd < 0)
		return c->fd;
	if (c->peer.ss_family == AF_INET6)
		err = setsockopt(c->fd, SOL_IPV6, IPV6_RECVERR, &on,
				 sizeof(on));
	else
		err = setsockopt(c->fd, SOL_IP, IP_RECVERR, &on, sizeof(on));
	if (err)
		return -errno;
	/* Connected: only this server's datagrams and ICMP reach us. */
	if (connect(c->fd, (struct sockaddr *)&c->peer, c->peer_len))
		return -errno;
	c->on_fd = udp_on_fd;
	c->state = TPC_OPEN;
	conn_watch(c, LOOP_IN);
	return c->events ? 0 : -EIO;
}

int udp_send(struct tp_conn *c, const char *buf, size_t len)
{
	ssize_t n;

	if (len > TP_MSG_MAX)
		return -EMSGSIZE;
	n = send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n >= 0)
		return 0;
	switch (errno) {
	case EAGAIN:
	case ENOBUFS:
	case EINTR:
		/* Lost like any datagram; the transaction retransmits. */
		return 0;
	case EMSGSIZE:
		return -EMSGSIZE;
	default: {
		char detail[sizeof(c->pend_detail)];
		int err = errno;

		if (udp_read_errqueue(c, detail, sizeof(detail)))
			conn_fail_later(c, TP_ERR_UNREACHABLE, "%s", detail);
		else
			conn_fail_later(c, conn_errno_kind(err), "%s",
					strerror(err));
		return 0;
	}
	}
}
