/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test helper: build DNS messages byte by byte, to craft answers (and
 * broken ones) for the DNS reader and the in-process DNS responder.
 */
#ifndef SELFTESTS_DAEMON_DNSWIRE_H
#define SELFTESTS_DAEMON_DNSWIRE_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "dns/dnsmsg.h"

struct dnsw {
	uint8_t buf[4096];
	size_t len;
};

static inline void dnsw_u8(struct dnsw *w, unsigned int v)
{
	if (w->len < sizeof(w->buf))
		w->buf[w->len++] = (uint8_t)v;
}

static inline void dnsw_u16(struct dnsw *w, unsigned int v)
{
	dnsw_u8(w, v >> 8);
	dnsw_u8(w, v & 0xff);
}

static inline void dnsw_u32(struct dnsw *w, uint32_t v)
{
	dnsw_u16(w, v >> 16);
	dnsw_u16(w, v & 0xffff);
}

static inline void dnsw_bytes(struct dnsw *w, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dnsw_u8(w, ((const uint8_t *)p)[i]);
}

/* Uncompressed name; "" is the root. */
static inline void dnsw_name(struct dnsw *w, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		dnsw_u8(w, (unsigned int)l);
		dnsw_bytes(w, name, l);
		name += l;
		if (*name == '.')
			name++;
	}
	dnsw_u8(w, 0);
}

static inline void dnsw_header(struct dnsw *w, unsigned int id,
			       unsigned int flags, unsigned int qd,
			       unsigned int an, unsigned int ns,
			       unsigned int ar)
{
	w->len = 0;
	dnsw_u16(w, id);
	dnsw_u16(w, flags);
	dnsw_u16(w, qd);
	dnsw_u16(w, an);
	dnsw_u16(w, ns);
	dnsw_u16(w, ar);
}

static inline void dnsw_question(struct dnsw *w, const char *name,
				 unsigned int type)
{
	dnsw_name(w, name);
	dnsw_u16(w, type);
	dnsw_u16(w, DNS_C_IN);
}

/* Owner, type, class, TTL; returns where RDLENGTH goes. */
static inline size_t dnsw_rr_begin(struct dnsw *w, const char *name,
				   unsigned int type, uint32_t ttl)
{
	size_t at;

	dnsw_name(w, name);
	dnsw_u16(w, type);
	dnsw_u16(w, DNS_C_IN);
	dnsw_u32(w, ttl);
	at = w->len;
	dnsw_u16(w, 0);
	return at;
}

static inline void dnsw_rr_end(struct dnsw *w, size_t at)
{
	size_t l = w->len - at - 2;

	w->buf[at] = (uint8_t)(l >> 8);
	w->buf[at + 1] = (uint8_t)l;
}

static inline void dnsw_srv(struct dnsw *w, const char *name, uint32_t ttl,
			    unsigned int prio, unsigned int weight,
			    unsigned int port, const char *target)
{
	size_t at = dnsw_rr_begin(w, name, DNS_T_SRV, ttl);

	dnsw_u16(w, prio);
	dnsw_u16(w, weight);
	dnsw_u16(w, port);
	dnsw_name(w, target);
	dnsw_rr_end(w, at);
}

static inline void dnsw_cstr(struct dnsw *w, const char *s)
{
	dnsw_u8(w, (unsigned int)strlen(s));
	dnsw_bytes(w, s, strlen(s));
}

static inline void dnsw_naptr(struct dnsw *w, const char *name, uint32_t ttl,
			      unsigned int order, unsigned int pref,
			      const char *flags, const char *service,
			      const char *replacement)
{
	size_t at = dnsw_rr_begin(w, name, DNS_T_NAPTR, ttl);

	dnsw_u16(w, order);
	dnsw_u16(w, pref);
	dnsw_cstr(w, flags);
	dnsw_cstr(w, service);
	dnsw_cstr(w, "");
	dnsw_name(w, replacement);
	dnsw_rr_end(w, at);
}

/* A or AAAA, by the form of @ip. */
static inline void dnsw_addr(struct dnsw *w, const char *name, uint32_t ttl,
			     const char *ip)
{
	uint8_t a[16];
	int v6 = strchr(ip, ':') != NULL;
	size_t at = dnsw_rr_begin(w, name, v6 ? DNS_T_AAAA : DNS_T_A, ttl);

	inet_pton(v6 ? AF_INET6 : AF_INET, ip, a);
	dnsw_bytes(w, a, v6 ? 16 : 4);
	dnsw_rr_end(w, at);
}

static inline void dnsw_cname(struct dnsw *w, const char *name, uint32_t ttl,
			      const char *target)
{
	size_t at = dnsw_rr_begin(w, name, DNS_T_CNAME, ttl);

	dnsw_name(w, target);
	dnsw_rr_end(w, at);
}

#endif
