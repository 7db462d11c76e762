/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's side of kernel steering: one sipsteer.ko service per proxy
 * set. Its endpoints are every address:port the set resolved to (UDP for
 * UDP, TCP for TCP and TLS) plus an optional virtual address; its target
 * is the server the lines are registered at; its bypass mark is the
 * daemon's socket mark, so the daemon's own traffic (REGISTER, probes)
 * reaches the server it names. Netlink requests are synchronous: the
 * module answers at once.
 *
 * Without the module, steering is off and the daemon does registration
 * failover alone (said once in the log). The service outlives the daemon:
 * a restarted daemon adopts it, so steering never has a gap.
 */
#ifndef SIPSTEERD_STEER_H
#define SIPSTEERD_STEER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dns/resolver.h"

/* The bypass mark (and SO_MARK) used when steering is on and
 * voip/signalling/sip/socket_mark is 0. */
#define STEER_DEFAULT_MARK	0x53495000u

struct steer;

struct steer_opts {
	const char *name;		/* service name, 1..31 bytes */
	uint32_t mark;			/* bypass mark, not 0 */
	/* Virtual address the phone's applications may use: matched too. */
	const struct sockaddr_storage *vaddr;	/* NULL: none */
	bool disabled;			/* --no-steering */
};

enum steer_state {
	STEER_DISABLED,		/* --no-steering or the configuration */
	STEER_NO_MODULE,	/* sipsteer.ko not loaded */
	STEER_READY,		/* the service is ours */
	STEER_FAILED,		/* a netlink request failed; see error */
};

const char *steer_state_name(enum steer_state s);

struct steer_status {
	enum steer_state state;
	char service[32];
	bool adopted;			/* found left by an earlier daemon */
	unsigned int n_endpoints;
	char target[64];		/* "ip:port", "" when inactive */
	uint32_t generation;
	uint32_t switches;		/* target changes made by us */
	uint32_t sockets_killed;	/* TCP connections failed on switches */
	uint32_t last_switch_us;	/* netlink time of the last switch */
	char error[160];		/* "" when none */
};

/* Never fails for a missing module (state STEER_NO_MODULE); -errno. */
int steer_new(const struct steer_opts *opts, struct steer **out);
/*
 * The target of a service an earlier daemon left: 0 and @target (an
 * address with port), or -ENOENT when there is none or it is inactive.
 */
int steer_adopted_target(const struct steer *st,
			 struct sockaddr_storage *target);
/*
 * Match these servers (and the virtual address); the service is created
 * when missing, replaced (counters and active target kept) otherwise.
 * Unchanged endpoints send nothing.
 */
int steer_set_servers(struct steer *st, const struct sip_server *srv,
		      unsigned int n);
/*
 * Make @srv the target (NULL: inactive) with one SERVICE_SET conditional
 * on the generation we last saw (re-read once on -ESTALE), then fail the
 * other processes' TCP connections that cannot follow. 0 when done or
 * nothing to do (module absent, disabled, same target), else -errno.
 */
int steer_switch(struct steer *st, const struct sip_server *srv);
/*
 * A datagram sent while the switch was being made may have been NATed
 * with the old table and confirmed after the module's flush: flush the
 * service's stale flows (and TCP connections) once more a moment after a
 * switch (STEER_REFLUSH_MS). Returns the entries removed, or -errno.
 */
#define STEER_REFLUSH_MS	200
int steer_reflush(struct steer *st);
/* Delete the service (--release-on-exit). */
void steer_release(struct steer *st);
void steer_status(const struct steer *st, struct steer_status *out);
/* Closes the netlink socket; the service stays in the kernel. */
void steer_free(struct steer *st);

#endif
