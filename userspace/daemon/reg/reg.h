/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Registration client for one line: REGISTER with digest authentication
 * at the server the proxy set names, keep the binding refreshed, report
 * every outcome, un-register on stop. Driven by the event loop.
 */
#ifndef SIPSTEERD_REG_H
#define SIPSTEERD_REG_H

#include <stdbool.h>
#include <stdint.h>

#include "dns/resolver.h"
#include "reg/serverlist.h"
#include "transport/transport.h"

struct inbound;
struct loop;
struct reg;

/*
 * RFC 5626 reg-ids of one line: one per server flow, the same for the
 * line's life (see reg/flowid.c). A line's clients share one table when
 * they stand at several servers at once (concurrent mode), so no two of
 * its bindings anywhere carry the same +sip.instance and reg-id.
 */
#define REG_MAX_FLOWS	SL_MAX_SERVERS
struct reg_flows {
	struct sip_server srv[REG_MAX_FLOWS];	/* of reg-id i + 1 */
	unsigned int users[REG_MAX_FLOWS];	/* sites using it now */
	unsigned int n;
};

/*
 * Copied by reg_new(); the caller may free its strings afterwards. Where
 * to register is not a parameter: the proxy set (failover/pset.h) decides
 * and calls reg_register_at().
 */
struct reg_params {
	unsigned int line;		/* line index, for logs */
	const char *user;		/* AOR user part (voip/line/N/id) */
	const char *domain;		/* SIP domain; also the TLS name */
	const char *display_name;	/* NULL or "" : none */
	const char *auth_user;		/* NULL or "": same as user */
	const char *password;		/* never logged */
	uint32_t expires_s;		/* asked for; the server decides */
	uint32_t no_response_timeout_ms;	/* Timer F; 0: 32000 */
	uint32_t t1_ms;			/* 0: 500 */
	uint32_t t2_ms;			/* 0: 4000 */
	uint32_t stop_timeout_ms;	/* reg_stop() gives up after; 0: 1500 */
	const char *tls_ca_file;	/* NULL: system trust */
	const char *tls_cert_file;	/* NULL: no client certificate */
	const char *tls_key_file;
	uint32_t mark;			/* SO_MARK for our sockets; 0: none */
	/*
	 * RFC 5626: +sip.instance (the same on every flow) and a reg-id
	 * per server flow (1 for the first server the line used, 2 for
	 * the next, ...: see reg/flowid.c).
	 */
	bool outbound;
	const char *instance_uuid;	/* "xxxxxxxx-...", NULL: random */
	const char *user_agent;		/* NULL: "sipsteerd" */
	/* Shared with the line's other clients (not copied; NULL: the
	 * client's own). */
	struct reg_flows *flows;
	/*
	 * The Contact: the phone's call application at our address towards
	 * the server and this port (voip/signalling/sip/port, tls_port for
	 * TLS). 0: the daemon's own socket (tests without an application).
	 */
	uint16_t contact_port;
	/* Requests servers send on the line's flows (not copied; NULL:
	 * answered here only). */
	struct inbound *inbound;
};

enum reg_state {
	REG_IDLE,		/* created, stopped, or waiting to be told */
	REG_RESOLVING,		/* never set by reg: the proxy set's DNS */
	REG_REGISTERING,	/* REGISTER in flight */
	REG_REGISTERED,		/* binding granted, refresh timer armed */
	REG_FAILED,		/* the last attempt failed; waiting for the
				 * proxy set's next reg_register_at() */
	REG_UNREGISTERING,	/* Expires: 0 in flight (reg_stop) */
};

const char *reg_state_name(enum reg_state state);

/* What happened at a server; see struct reg_handlers.on_result. */
struct reg_result {
	enum sl_result res;		/* SL_RES_OK, or why it failed */
	int code;			/* SIP status of the answer, or 0 */
	uint32_t retry_after_s;		/* 503 Retry-After, 0: none */
	bool refresh;			/* a refresh of a granted binding */
	bool keepalive;			/* the answer to reg_keepalive() */
	const struct sip_server *srv;	/* where; valid during the call */
	uint32_t elapsed_ms;		/* first send to this result */
	const char *detail;		/* readable reason, never NULL */
};

struct reg_handlers {
	/* Every state change; reg_status() tells the details. */
	void (*on_state)(void *arg, struct reg *reg, enum reg_state state);
	/*
	 * Outcome of reg_register_at(), of a refresh, or of reg_keepalive().
	 * After a failure (res != SL_RES_OK) the line holds no transport at
	 * that server and does nothing until the next reg_register_at();
	 * after SL_RES_AUTH or SL_RES_REJECTED the caller decides when to
	 * try again. The reg may be freed only from the loop, not from here.
	 * Never called from inside reg_register_at(), reg_keepalive() or
	 * reg_stop(); reg_register_at(), reg_drop_previous() and
	 * reg_keepalive() may be called from here.
	 */
	void (*on_result)(void *arg, struct reg *reg,
			  const struct reg_result *r);
	/* reg_stop() is complete (answered, failed or timed out). */
	void (*on_stopped)(void *arg, struct reg *reg);
};

#define REG_STATUS_MAX_SERVERS	16

struct reg_server_status {
	char target[256];		/* SRV target or configured host */
	char addr[64];			/* "192.0.2.1:5060", "[::1]:5061" */
	enum tp_proto proto;
	uint16_t priority;
	uint16_t weight;
	bool in_use;
	enum sl_result last;		/* SL_RES_NONE: never tried */
	int last_code;			/* SIP status of the last answer */
	uint32_t last_age_s;		/* seconds since @last */
};

/* One of a line's bindings (concurrent mode: the active and standbys). */
struct reg_binding_status {
	char addr[64];			/* the server */
	bool active;			/* where steering points */
	enum reg_state state;
	uint32_t expires_left_s;	/* registered: seconds to expiry */
	unsigned int reg_id;		/* RFC 5626 reg-id, 0: none */
};

#define REG_STATUS_MAX_BINDINGS	4

/*
 * reg_status() fills everything but n_servers/servers[] and bindings[],
 * which are the proxy set's (pset_line_status() fills them).
 */
struct reg_status {
	enum reg_state state;
	char text[160];			/* one line a person can read */
	int server;			/* index into servers[], -1: none */
	char server_addr[64];		/* where the binding is, "" none */
	uint32_t expires_left_s;	/* registered: seconds to expiry */
	char contact[256];		/* as granted by the server */
	uint32_t granted_expires_s;
	char last_error[160];		/* "" when none */
	unsigned int reg_id;		/* RFC 5626 reg-id there, 0: none */
	unsigned int n_servers;
	struct reg_server_status servers[REG_STATUS_MAX_SERVERS];
	unsigned int n_bindings;
	struct reg_binding_status bindings[REG_STATUS_MAX_BINDINGS];
};

int reg_new(struct loop *loop, const struct reg_params *params,
	    const struct reg_handlers *h, void *arg, struct reg **out);
/*
 * Register at @srv on a fresh transport (copied; the caller's may go).
 * Called again with the server in use, it re-registers there on a new
 * transport (network change). Called with another server while a binding
 * stands, the old binding and its transport are kept (make before break)
 * until reg_drop_previous(); a second move before that drops the older
 * one first. Once registered, the binding is refreshed at 50-80 % of the
 * granted expiry; a failed refresh is reported with refresh=true.
 * Returns 0 (even when the transport cannot be opened: that comes through
 * on_result), -EINVAL, -ENOMEM, or -ESHUTDOWN between reg_stop() and
 * on_stopped.
 */
int reg_register_at(struct reg *reg, const struct sip_server *srv);
/*
 * Un-register (Expires: 0) the binding kept at the previous server after
 * a move and close its transport; nothing when there is none. Needs no
 * answer: gives up after stop_timeout_ms.
 */
void reg_drop_previous(struct reg *reg);
/*
 * Check the server in use. Over TCP and TLS, when the 2xx of the REGISTER
 * carried "Require: outbound" (RFC 5626 section 4.2.1: the registrar
 * supports outbound), an RFC 5626 CRLF ping with the pong due within
 * REG_PONG_TIMEOUT_MS. Otherwise (UDP, outbound off, or a registrar
 * without outbound) an OPTIONS on the registration's own transport: any
 * answer is fine but 503, and it times out after min(Timer F,
 * REG_PONG_TIMEOUT_MS), so a loss is found within a keep-alive interval
 * rather than after 32 s. The outcome comes through on_result with
 * keepalive=true. -ENOTCONN when not registered, -EBUSY while a check is
 * in flight.
 */
#define REG_PONG_TIMEOUT_MS	10000
int reg_keepalive(struct reg *reg);
/*
 * Where RFC 5626 outbound was negotiated (the 2xx said "Require:
 * outbound"), the line keeps its flow alive by itself, with or without
 * the proxy set's keep-alive: reg_keepalive() every 80..100 % of the
 * registrar's Flow-Timer, or of these defaults without one (section
 * 4.4.1). Its outcome comes through on_result like reg_keepalive()'s.
 */
#define REG_FLOW_KA_STREAM_S	120
#define REG_FLOW_KA_UDP_S	29
/*
 * Un-register (Expires: 0) when registered, then call on_stopped; also
 * after stop_timeout_ms without an answer. on_stopped runs from the loop,
 * never from inside this call.
 */
void reg_stop(struct reg *reg);
/*
 * Leave every server: un-register each binding in the background (as
 * reg_drop_previous() does) and go IDLE at once, ready for the next
 * reg_register_at(). No on_stopped.
 */
void reg_release(struct reg *reg);
void reg_free(struct reg *reg);

void reg_status(const struct reg *reg, struct reg_status *st);

#endif
