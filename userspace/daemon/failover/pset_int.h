/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the proxy set: its state, shared by pset.c (the decision),
 * pset_lines.c (the lines' registration clients), watch.c (keep-alive
 * and failback probes), event.c (the event ring and its log lines),
 * pset_steer.c and pset_status.c. Nothing outside failover/ includes
 * this.
 */
#ifndef SIPSTEERD_PSET_INT_H
#define SIPSTEERD_PSET_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/sipsteer.h>

#include "core/log.h"
#include "core/loop.h"
#include "failover/pset.h"
#include "reg/serverlist.h"

#define PSET_MAX_LINES		16
/* concurrent_servers 4: the active server and three standbys. */
#define PSET_MAX_STANDBY	3
/* A DNS answer with a shorter TTL is not asked again sooner. */
#define PSET_DNS_MIN_S		5

struct probe;

struct pset_line {
	struct pset *ps;
	bool used;
	unsigned int index;
	struct reg *reg;	/* at the target (the active server) */
	/* Concurrent mode: a client per standby slot, swapped with @reg
	 * when its slot becomes the target; all share @flows. */
	struct reg *sb[PSET_MAX_STANDBY];
	bool sb_sent[PSET_MAX_STANDBY];		/* told the slot's server */
	bool sb_registered[PSET_MAX_STANDBY];	/* a binding stands there */
	struct reg_flows flows;
	unsigned int stops_pending;	/* clients not yet stopped */
	bool stopping;		/* pset_line_stop() called */
	bool registered;	/* a binding stands at @bound */
	struct sip_server bound;
	bool own_wait;		/* credentials refused: retrying alone */
	uint32_t own_failures;
	struct loop_timer retry_timer;
	struct loop_timer stopped_timer;
};

/* Why the lines are going to the target. */
enum pset_move {
	MOVE_NONE,
	MOVE_FIRST,		/* a new round after start or backoff */
	MOVE_FAILOVER,
	MOVE_FAILBACK,
	MOVE_NETWORK,		/* same server, new transports */
};

/*
 * Concurrent mode: a server other than the target where every line keeps
 * a binding (a standby), ready to become the target with no REGISTER.
 */
struct pset_slot {
	bool used;		/* @srv chosen, lines told */
	struct sip_server srv;
	bool ready;		/* every registered line is bound there */
	bool promote;		/* a failback waits for it to be ready */
	uint32_t failures;	/* in a row: RFC 5626 backoff per slot */
	struct loop_timer timer;	/* start-up jitter, backoff */
	struct pset *ps;
};

struct pset {
	struct loop *loop;
	struct resolver *resolver;
	struct steer *steer;
	struct pset_params p;		/* strings owned */
	struct pset_handlers h;
	void *arg;

	enum pset_state state;
	bool started;
	struct serverlist sl;
	bool has_target;
	struct sip_server target;	/* where the lines go or are */
	bool has_prev;
	struct sip_server prev;		/* where they were (failback undo) */
	enum pset_move move;
	bool move_done;			/* a line registered at @target */
	uint64_t move_ms;		/* loop time of the trigger */
	char move_reason[96];
	bool adopt_pending;		/* try one of these servers first */
	struct sockaddr_storage adopt[2];	/* steering's or the old set's */
	unsigned int n_adopt;
	/* Servers an earlier daemon found dead (steering's endpoints),
	 * marked so at the first DNS answer. */
	struct sockaddr_storage adopt_dead[SIPSTEER_MAX_ENDPOINTS];
	unsigned int n_adopt_dead;
	/* Where steering points: the server a line was registered at last
	 * (set when a move is done, not when it starts). */
	bool has_steer_at;
	struct sip_server steer_at;
	uint32_t failovers, failbacks, consecutive_failures;
	char last_error[160];

	struct loop_timer wait_timer;	/* start-up delay, backoff */
	struct loop_timer ka_timer;
	struct loop_timer probe_timer;
	struct loop_timer dns_timer;
	bool dns_refreshing;
	struct probe *probe;
	struct sip_server probe_srv;
	int hints_fd;			/* steer hints, -1: none */
	struct probe *hint_probe;	/* of the server in use */
	struct sip_server hint_srv;
	struct loop_timer steer_timer;	/* retry a refused request */
	uint32_t steer_retry_ms;
	bool steer_failed;

	struct pset_line lines[PSET_MAX_LINES];
	struct pset_slot slots[PSET_MAX_STANDBY];
	bool warned_one_server;

	struct pset_event events[PSET_EVENTS];	/* ring */
	unsigned int ev_next, ev_count;
};

/* event.c: one status ring entry and one log line. */
void pset_event(struct pset *ps, enum log_level lvl,
		enum pset_event_kind kind, const struct sip_server *from,
		const struct sip_server *to, uint32_t elapsed_ms,
		const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* The same in the ring only: another module logs it already. */
void pset_event_quiet(struct pset *ps, enum pset_event_kind kind,
		      const struct sip_server *from,
		      const struct sip_server *to, uint32_t elapsed_ms,
		      const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void pset_fmt_server(const struct sip_server *srv, char *buf, size_t size);

/* pset_lines.c */
int pset_lines_register(struct pset *ps);
/* Every line without a binding at the target registers there. */
void pset_lines_register_missing(struct pset *ps);
void pset_line_register(struct pset_line *l);
/* Could a line still register at the target (not refused, running)? */
bool pset_lines_may_succeed(const struct pset *ps);
/* The lines refused on their own go with the set again. */
void pset_lines_forgive(struct pset *ps);
struct pset_line *pset_line_find(const struct pset *ps, unsigned int line);
void pset_line_free(struct pset_line *l);

/*
 * pset_steer.c: the steering service follows the set: the dead servers
 * of the list to steer_at. Call it after anything that may change them;
 * it sends nothing when the module already matches.
 */
void pset_steer_sync(struct pset *ps);
void pset_steer_stop(struct pset *ps);
/* What the module steers now (an earlier daemon's or set's work):
 * adopt_dead[], and adopt[] unless pset_adopt() said where. */
void pset_steer_adopt(struct pset *ps);

/* watch.c: keep-alive and failback probes while the lines stand. */
void pset_watch_start(struct pset *ps);
void pset_watch_stop(struct pset *ps);
/* Kernel evidence: listen to the steering service's hints, or stop. */
void pset_hints_start(struct pset *ps);
void pset_hints_stop(struct pset *ps);

/* pset_standby.c: concurrent mode's standby bindings. */
/* Slots in use: concurrent_servers - 1, or 0 in failover mode. */
unsigned int pset_standby_slots(const struct pset *ps);
/* Fill every free slot with the next best server (the lines stand). */
void pset_standby_fill(struct pset *ps);
/*
 * The target failed: make a ready standby the target, steering there at
 * once, no REGISTER. false: none is ready (fail over as in failover
 * mode).
 */
bool pset_standby_failover(struct pset *ps, const char *why,
			   uint32_t elapsed_ms);
/* Return to the better server @idx: false when not concurrent. */
bool pset_standby_failback(struct pset *ps, int idx, unsigned int answers);
/*
 * A move (not a swap) to the target: a slot standing there gives its
 * clients to the lines, so no line has two bindings at one server.
 */
void pset_standby_yield_target(struct pset *ps);
/* Leave every standby (backoff); DNS dropped a slot's server. */
void pset_standby_release_all(struct pset *ps);
void pset_standby_check_dns(struct pset *ps);
/* New transports for every standby binding (network change). */
void pset_standby_network(struct pset *ps);
/* One keep-alive per standby server. */
void pset_standby_keepalive(struct pset *ps);
/* A line's client of slot @k had a result. */
void pset_standby_result(struct pset_line *l, unsigned int k,
			 const struct reg_result *r);
/* A line is registered at the target: it joins the standing slots. */
void pset_standby_line_join(struct pset_line *l);
/* The slot of a line's client, -1: @reg is the line's active one. */
int pset_standby_slot_of(const struct pset_line *l, const struct reg *reg);
void pset_standby_free(struct pset *ps);

/* pset_dns.c: the list follows DNS answers and their TTL. */
void pset_take_servers(struct pset *ps, const struct dns_result *res);
/* Ask DNS again in @s seconds (while the lines stand). */
void pset_dns_later(struct pset *ps, uint32_t s);

/* pset.c */
int pset_target_idx(const struct pset *ps);
/* Every server of the round failed (or none is known): wait, resolve. */
void pset_enter_backoff(struct pset *ps, const char *why);
/* Send every line to entry @idx of the server list. */
void pset_move_to(struct pset *ps, int idx, enum pset_move kind,
		  const char *reason);
/* The server in use failed a probe made on a hint: fail over. */
void pset_target_lost(struct pset *ps, const struct reg_result *r);
/* A line's outcome at a server. */
void pset_line_result(struct pset_line *l, const struct reg_result *r);
/* A line's credentials or policy refused at a server. */
void pset_line_refused(struct pset_line *l, const struct reg_result *r);

#endif
