/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test helper: a tiny authoritative DNS responder on 127.0.0.1, driven by
 * the daemon's own event loop. It serves NAPTR, SRV, A and AAAA records
 * with chosen TTLs, answers NXDOMAIN or NODATA otherwise, can add the
 * SRV targets' addresses as additional records, can answer with a fixed
 * RCODE (SERVFAIL, REFUSED) or go silent (for all queries or one type)
 * to play "DNS is down".
 */
#ifndef SELFTESTS_DAEMON_FAKEDNS_H
#define SELFTESTS_DAEMON_FAKEDNS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/loop.h"
#include "dns/dnsmsg.h"
#include "dnswire.h"

#define FAKEDNS_MAX_RR	32

struct fakedns_rr {
	char name[DNS_NAME_MAX + 1];
	unsigned int type;
	uint32_t ttl;
	unsigned int a, b, c;	/* SRV prio/weight/port; NAPTR order/pref */
	char s1[32], s2[32];	/* NAPTR flags, service */
	char data[DNS_NAME_MAX + 1];	/* target, replacement or address */
};

struct fakedns {
	struct loop *loop;
	int fd;
	uint16_t port;
	char servers[32];	/* "127.0.0.1:port" for resolver_opts */
	bool silent;
	unsigned int silent_type;	/* nonzero: drop queries of it */
	unsigned int rcode;	/* nonzero: answer every query with it */
	bool additional;	/* SRV answers carry target addresses */
	unsigned int n_rr;
	struct fakedns_rr rr[FAKEDNS_MAX_RR];
	unsigned int queries;
	unsigned int q_naptr, q_srv, q_a, q_aaaa;
};

static inline struct fakedns_rr *fakedns_add(struct fakedns *d,
					     const char *name,
					     unsigned int type, uint32_t ttl)
{
	struct fakedns_rr *r = &d->rr[d->n_rr++];

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->type = type;
	r->ttl = ttl;
	return r;
}

static inline void fakedns_srv(struct fakedns *d, const char *name,
			       uint32_t ttl, unsigned int prio,
			       unsigned int weight, unsigned int port,
			       const char *target)
{
	struct fakedns_rr *r = fakedns_add(d, name, DNS_T_SRV, ttl);

	r->a = prio;
	r->b = weight;
	r->c = port;
	snprintf(r->data, sizeof(r->data), "%s", target);
}

static inline void fakedns_naptr(struct fakedns *d, const char *name,
				 uint32_t ttl, unsigned int order,
				 unsigned int pref, const char *flags,
				 const char *service, const char *repl)
{
	struct fakedns_rr *r = fakedns_add(d, name, DNS_T_NAPTR, ttl);

	r->a = order;
	r->b = pref;
	snprintf(r->s1, sizeof(r->s1), "%s", flags);
	snprintf(r->s2, sizeof(r->s2), "%s", service);
	snprintf(r->data, sizeof(r->data), "%s", repl);
}

static inline void fakedns_addr(struct fakedns *d, const char *name,
				uint32_t ttl, const char *ip)
{
	struct fakedns_rr *r = fakedns_add(d, name, strchr(ip, ':') ?
					   DNS_T_AAAA : DNS_T_A, ttl);

	snprintf(r->data, sizeof(r->data), "%s", ip);
}

static inline void fakedns_put(struct dnsw *w, const struct fakedns_rr *r)
{
	switch (r->type) {
	case DNS_T_SRV:
		dnsw_srv(w, r->name, r->ttl, r->a, r->b, r->c, r->data);
		break;
	case DNS_T_NAPTR:
		dnsw_naptr(w, r->name, r->ttl, r->a, r->b, r->s1, r->s2,
			   r->data);
		break;
	default:
		dnsw_addr(w, r->name, r->ttl, r->data);
	}
}

static inline void fakedns_count(struct fakedns *d, unsigned int type)
{
	d->queries++;
	if (type == DNS_T_NAPTR)
		d->q_naptr++;
	else if (type == DNS_T_SRV)
		d->q_srv++;
	else if (type == DNS_T_A)
		d->q_a++;
	else if (type == DNS_T_AAAA)
		d->q_aaaa++;
}

static inline void fakedns_answer(struct fakedns *d, const uint8_t *q,
				  size_t qlen, struct sockaddr_storage *from,
				  socklen_t flen)
{
	struct dnsw w;
	struct dns_msg m;
	char qname[DNS_NAME_MAX + 1];
	size_t pos;
	uint16_t qtype;
	unsigned int an = 0, ar = 0, rcode = 0;
	bool name_known = false;

	if (dns_msg_init(&m, q, qlen) || qlen < 12 || !q[5] ||
	    dns_read_name(q, qlen, 12, qname, &pos) || qlen - pos < 4)
		return;
	qtype = (uint16_t)(q[pos] << 8 | q[pos + 1]);
	fakedns_count(d, qtype);
	if (d->silent || d->silent_type == qtype)
		return;
	for (unsigned int i = 0; i < d->n_rr; i++) {
		if (strcasecmp(d->rr[i].name, qname))
			continue;
		name_known = true;
		if (d->rr[i].type == qtype)
			an++;
	}
	if (d->rcode)
		rcode = d->rcode;
	else if (!name_known)
		rcode = 3;	/* NXDOMAIN */
	if (rcode)
		an = 0;
	/* Header first with the counts, then the sections. */
	dnsw_header(&w, m.id, 0x8580 | rcode, 1, an, 0, 0);
	dnsw_question(&w, qname, qtype);
	for (unsigned int i = 0; an && i < d->n_rr; i++)
		if (!strcasecmp(d->rr[i].name, qname) &&
		    d->rr[i].type == qtype)
			fakedns_put(&w, &d->rr[i]);
	for (unsigned int i = 0; an && d->additional && qtype == DNS_T_SRV &&
	     i < d->n_rr; i++) {
		if (d->rr[i].type != DNS_T_SRV ||
		    strcasecmp(d->rr[i].name, qname))
			continue;
		for (unsigned int j = 0; j < d->n_rr; j++) {
			if ((d->rr[j].type != DNS_T_A &&
			     d->rr[j].type != DNS_T_AAAA) ||
			    strcasecmp(d->rr[j].name, d->rr[i].data))
				continue;
			fakedns_put(&w, &d->rr[j]);
			ar++;
		}
	}
	w.buf[10] = (uint8_t)(ar >> 8);
	w.buf[11] = (uint8_t)ar;
	sendto(d->fd, w.buf, w.len, 0, (struct sockaddr *)from, flen);
}

static inline void fakedns_on_fd(int fd, unsigned int events, void *arg)
{
	struct fakedns *d = arg;
	uint8_t q[512];
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	ssize_t n;

	(void)events;
	while ((n = recvfrom(fd, q, sizeof(q), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &flen)) > 0) {
		fakedns_answer(d, q, (size_t)n, &from, flen);
		flen = sizeof(from);
	}
}

static inline int fakedns_start(struct fakedns *d, struct loop *loop)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t l = sizeof(sin);

	memset(d, 0, sizeof(*d));
	d->loop = loop;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->fd < 0 || bind(d->fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(d->fd, (struct sockaddr *)&sin, &l))
		return -1;
	d->port = ntohs(sin.sin_port);
	snprintf(d->servers, sizeof(d->servers), "127.0.0.1:%u", d->port);
	return loop_fd_add(loop, d->fd, LOOP_IN, fakedns_on_fd, d);
}

static inline void fakedns_stop(struct fakedns *d)
{
	loop_fd_del(d->loop, d->fd);
	close(d->fd);
}

#endif
