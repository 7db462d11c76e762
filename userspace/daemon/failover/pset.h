/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A proxy set: the servers DNS lists for one proxy name, the one server
 * every line of the set registers at, and the failover decision, made
 * once for all lines:
 *
 * - failover: a line's REGISTER (or refresh, or keep-alive) fails at the
 *   active server with a timeout, ICMP unreachable, reset/refusal, a TLS
 *   failure or 503 -> every line moves to the next server in RFC 3263
 *   order. SL_RES_AUTH/SL_RES_REJECTED stay the line's own business: that
 *   line retries with backoff, the others stay.
 * - every server failed -> wait (RFC 5626 4.5 backoff), resolve again and
 *   start from the top.
 * - failback (asymmetric mode): while on a lower-priority server, probe
 *   the better ones every failback_retry_s; a server that answered
 *   failback_probes probes in a row, and failed no sooner than
 *   hold_down_s ago, gets every line (register there, switch steering,
 *   then un-register from the old server).
 * - keep-alive: every ka_interval_s (jittered to 80-100 %), reg_keepalive()
 *   on one registered line; a failure is a failover trigger.
 * - network change: every line re-registers at once on a new transport.
 * - passive detection: evidence the kernel saw on the phone's other
 *   processes' flows to the server in use is a hint, never a verdict:
 *   that server is probed at once (one probe however many hints) and
 *   fails over only if the probe fails; evidence about a server not in
 *   use makes its failback answers start over.
 *
 * The set owns its lines' registration clients and drives the steering
 * service (steer.h) on every change of server.
 */
#ifndef SIPSTEERD_PSET_H
#define SIPSTEERD_PSET_H

#include <stdbool.h>
#include <stdint.h>

#include "dns/resolver.h"
#include "reg/reg.h"
#include "reg/serverlist.h"
#include "transport/transport.h"

struct loop;
struct steer;
struct pset;

struct pset_params {
	const char *host;		/* proxy name or IP literal */
	uint16_t port;			/* CFG_PORT_SRV: NAPTR/SRV */
	enum tp_proto proto;
	const char *domain;		/* SIP domain: probes, TLS name */
	uint32_t no_response_timeout_ms;	/* Timer F of probes */
	uint32_t t1_ms, t2_ms;
	const char *tls_ca_file, *tls_cert_file, *tls_key_file;
	uint32_t mark;			/* SO_MARK of probes */
	const char *user_agent;
	/* Servers each line holds a binding at: 1 (failover mode), or
	 * 2..4 (concurrent: the target and standbys). 0: 1. */
	uint32_t standing;
	uint32_t failed_base_s;		/* RFC 5626 base time */
	uint32_t failed_max_s;		/* RFC 5626 max time */
	uint32_t startup_delay_max_ms;	/* first round after 0..this */
	bool symmetric;			/* no failback */
	uint32_t failback_retry_s;
	uint32_t failback_probes;	/* consecutive answers, >= 1 */
	uint32_t hold_down_s;
	uint32_t ka_interval_s;		/* 0: no keep-alive */
	/* Kernel evidence (steer hints) about the server in use probes it
	 * at once; about another server, its failback answers start over. */
	bool passive;
};

struct pset_handlers {
	/* pset_line_stop() is complete; the line is gone from the set. */
	void (*on_line_stopped)(void *arg, unsigned int line);
};

enum pset_state {
	PSET_IDLE,		/* created; pset_start() not called */
	PSET_STARTING,		/* start-up delay */
	PSET_RESOLVING,		/* DNS */
	PSET_REGISTERING,	/* lines registering at a server */
	PSET_ACTIVE,		/* a server holds the lines' bindings */
	PSET_BACKOFF,		/* every server failed; waiting */
};

const char *pset_state_name(enum pset_state s);

enum pset_event_kind {
	PSET_EV_REGISTERED,	/* first binding at a server */
	PSET_EV_FAILOVER,
	PSET_EV_FAILBACK,
	PSET_EV_PROBE,		/* failback probe result */
	PSET_EV_KEEPALIVE,	/* keep-alive failure */
	PSET_EV_STEER,		/* steering target changed (or failed) */
	PSET_EV_BACKOFF,	/* every server failed */
	PSET_EV_NETWORK,	/* network change: re-registering */
	PSET_EV_DNS,		/* server list changed */
	PSET_EV_HINT,		/* kernel evidence and what came of it */
	PSET_EV_STANDBY,	/* a standby ready, lost, or replaced */
};

const char *pset_event_name(enum pset_event_kind k);

/* Each event is also one log line with the same words. */
struct pset_event {
	uint64_t at_ms;			/* CLOCK_REALTIME, ms */
	enum pset_event_kind kind;
	char from[64];			/* "ip:port" or "" */
	char to[64];
	char reason[96];		/* "timeout", "503 Retry-After 30" */
	uint32_t elapsed_ms;		/* trigger to completion, or 0 */
};

#define PSET_EVENTS	32

struct pset_status {
	enum pset_state state;
	int active;			/* index into servers[], -1: none */
	char active_addr[64];
	uint32_t failovers, failbacks;
	uint32_t consecutive_failures;	/* rounds that all failed */
	uint32_t next_try_s;		/* backoff or next probe, 0: none */
	unsigned int n_servers;
	struct reg_server_status servers[REG_STATUS_MAX_SERVERS];
	unsigned int probe_ok[REG_STATUS_MAX_SERVERS];	/* in a row */
	unsigned int n_events;		/* oldest first */
	struct pset_event events[PSET_EVENTS];
};

int pset_new(struct loop *loop, struct resolver *resolver,
	     struct steer *steer, const struct pset_params *params,
	     const struct pset_handlers *h, void *arg, struct pset **out);
/* @steer may be NULL: registration failover only. */

/*
 * Add a line (its reg_params carry the line index); it registers as soon
 * as the set has a server. -EEXIST, -ENOMEM, -EINVAL.
 */
int pset_line_add(struct pset *ps, const struct reg_params *rp);
/* Un-register the line; on_line_stopped follows from the loop. */
void pset_line_stop(struct pset *ps, unsigned int line);
unsigned int pset_lines(const struct pset *ps);
/* Is line @line in the set (running or stopping)? */
bool pset_has_line(const struct pset *ps, unsigned int line);

/*
 * Take new failover, failback and keep-alive settings (failed_*_s,
 * symmetric, failback_*, hold_down_s, ka_interval_s) without touching
 * the registrations; the other fields of @params are ignored.
 */
void pset_set_policy(struct pset *ps, const struct pset_params *params);
/*
 * Before pset_start(): try the server at @addr first (the target of the
 * set this one replaces), instead of the steering service's.
 */
void pset_adopt(struct pset *ps, const struct sockaddr_storage *addr);
/* Where the lines are (or go): false when nowhere yet. */
bool pset_target_addr(const struct pset *ps, struct sockaddr_storage *out);
/* Start-up delay, resolve, register every line. */
int pset_start(struct pset *ps);
/* Re-register every line now on new transports (network change). */
void pset_network_changed(struct pset *ps, const char *why);

void pset_status(const struct pset *ps, struct pset_status *st);
/* The line's reg_status with the set's server list; false: no line. */
bool pset_line_status(const struct pset *ps, unsigned int line,
		      struct reg_status *st);
/* Frees the lines' clients at once (no un-register). */
void pset_free(struct pset *ps);

#endif
