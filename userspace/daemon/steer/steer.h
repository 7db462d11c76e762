/*
 * The daemon's side of kernel steering: one sipsteer.ko service per proxy
 * set. Its endpoints are the addresses of the servers that do not answer
 * (UDP for UDP, TCP for TCP and TLS) plus an optional virtual address;
 * its targets are the server the lines are registered at, one address
 * per family; its bypass mark is the daemon's socket mark, so the
 * daemon's own traffic (REGISTER, probes) reaches the server it names.
 * Traffic to a server that answers is never an endpoint: its dialogs stay
 * with it. Netlink requests are synchronous: the module answers at once.
 *
 * Without the module, steering is off and the daemon does registration
 * failover alone (said once in the log). The service outlives the daemon:
 * a restarted daemon adopts it (targets and dead servers), so steering
 * never has a gap.
 */
#ifndef SIPSTEERD_STEER_H
#define SIPSTEERD_STEER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/sipsteer.h>

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
	/*
	 * Passive failure detection: not 0, the server in use is matched
	 * too (steered to itself) and the module watches the flows to the
	 * service's endpoints for evidence (steer_hints_open()); a UDP flow
	 * unreplied this long is evidence. @proto (IPPROTO_UDP or
	 * IPPROTO_TCP) is the servers' transport.
	 */
	uint32_t unreplied_ms;
	uint8_t proto;
};

enum steer_state {
	STEER_DISABLED,		/* --no-steering or the configuration */
	STEER_NO_MODULE,	/* sipsteer.ko not loaded */
	STEER_READY,		/* the service is ours */
	STEER_FAILED,		/* a netlink request failed; see error */
};

const char *steer_state_name(enum steer_state s);

#define STEER_MAX_TARGETS	2	/* one per address family */

struct steer_status {
	enum steer_state state;
	char service[32];
	bool adopted;			/* found left by an earlier daemon */
	unsigned int n_endpoints;	/* the virtual address's included */
	unsigned int n_steered;		/* servers that do not answer */
	char steered[SIPSTEER_MAX_ENDPOINTS][64];	/* "ip:port" each */
	unsigned int n_targets;		/* 0: inactive */
	char targets[STEER_MAX_TARGETS][64];	/* "ip:port" */
	char target[64];		/* the first of targets, "" none */
	/* Dead servers of a family the active server has no address of:
	 * their traffic passes untouched. "" none, "IPv4", "IPv6". */
	char missing_family[16];
	uint32_t generation;
	uint32_t switches;		/* target changes made by us */
	uint32_t sockets_killed;	/* TCP connections failed on changes */
	uint32_t last_switch_us;	/* netlink time of the last change */
	char error[160];		/* "" when none */
};

/* Never fails for a missing module (state STEER_NO_MODULE); -errno. */
int steer_new(const struct steer_opts *opts, struct steer **out);
/*
 * What the service steers now (left by an earlier daemon, or by the set
 * this one replaces): its targets (addresses with port) and the servers
 * it steers away from (without the virtual address). Counts into
 * @n_targets and @n_dead; -ENOENT when there is no service.
 */
int steer_current(const struct steer *st,
		  struct sockaddr_storage targets[STEER_MAX_TARGETS],
		  unsigned int *n_targets,
		  struct sockaddr_storage dead[SIPSTEER_MAX_ENDPOINTS],
		  unsigned int *n_dead);
/*
 * Make the service steer the addresses of @dead (and the virtual
 * address) to @targets (at most one per family; none: inactive). Nothing
 * is sent when the kernel already has that; a change of targets alone is
 * one SERVICE_SET conditional on the generation we last saw (re-read
 * once on -ESTALE), anything else one replace. Then the other processes'
 * TCP connections that cannot follow are failed: those to a steered
 * address that do not lead to the target, and those a server that is no
 * longer steered was reached through. 0 when done or nothing to do
 * (module absent, disabled), else -errno.
 */
int steer_apply(struct steer *st, const struct sip_server *dead,
		unsigned int n_dead, const struct sockaddr_storage *targets,
		unsigned int n_targets);
/*
 * Evidence the module saw on a flow to @addr (a server; with its port),
 * before any reply: enum sipsteer_evidence, and how much evidence about
 * it the module held back since its previous event. A hint, not a
 * verdict.
 */
typedef void (*steer_hint_fn)(void *arg, const struct sockaddr_storage *addr,
			      uint8_t proto, uint8_t evidence,
			      uint32_t suppressed);

/*
 * The descriptor to watch for hints (subscribed to the module's events on
 * first use; the same one after), or -errno: -ENOTSUP when passive
 * detection is off or there is no module.
 */
int steer_hints_open(struct steer *st);
/* Read what arrived; @fn for each hint about this service. */
void steer_hints_read(struct steer *st, steer_hint_fn fn, void *arg);

/* Delete the service (--release-on-exit). */
void steer_release(struct steer *st);
void steer_status(const struct steer *st, struct steer_status *out);
/* Closes the netlink socket; the service stays in the kernel. */
void steer_free(struct steer *st);

#endif
