/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One OPTIONS request to one server on a transport of its own, to learn
 * whether that server answers: the failback probe. The socket carries the
 * daemon's mark, so the kernel's steering leaves it alone and the probe
 * reaches the server it names, not the active one.
 */
#ifndef SIPSTEERD_PROBE_H
#define SIPSTEERD_PROBE_H

#include <stdint.h>

#include "dns/resolver.h"
#include "reg/serverlist.h"

struct loop;
struct probe;

struct probe_opts {
	const struct sip_server *srv;	/* copied */
	const char *domain;		/* Request-URI host and TLS name */
	const char *user;		/* From user part; NULL: "sipsteerd" */
	const char *tls_ca_file;	/* NULL: system trust */
	const char *tls_cert_file;
	const char *tls_key_file;
	uint32_t mark;			/* SO_MARK; 0: none */
	uint32_t timeout_ms;		/* Timer F and connect; 0: 32000 */
	uint32_t t1_ms;			/* 0: 500 */
	uint32_t t2_ms;			/* 0: 4000 */
	const char *user_agent;		/* NULL: "sipsteerd" */
};

/*
 * @res: SL_RES_OK for any final answer but 503 (the server is alive and
 * routing), SL_RES_503 for 503, or the transport failure; @code is the
 * SIP status or 0; @retry_after_s the Retry-After of a 503, 0: none;
 * @rtt_ms from the first send to the outcome. The probe is finished (and
 * freed) when this returns.
 */
typedef void (*probe_fn)(void *arg, enum sl_result res, int code,
			 uint32_t retry_after_s, uint32_t rtt_ms);

int probe_start(struct loop *loop, const struct probe_opts *opts,
		probe_fn fn, void *arg, struct probe **out);
/* Abandon a probe in flight; @fn is not called. NULL is fine. */
void probe_cancel(struct probe *p);

#endif
