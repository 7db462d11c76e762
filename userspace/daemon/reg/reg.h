/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Registration client for one line: resolve the proxy, REGISTER with
 * digest authentication, keep the binding refreshed, move to the next
 * server when one fails, un-register on stop. Driven by the event loop.
 */
#ifndef SIPSTEERD_REG_H
#define SIPSTEERD_REG_H

#include <stdbool.h>
#include <stdint.h>

#include "dns/resolver.h"
#include "reg/serverlist.h"
#include "transport/transport.h"

struct loop;
struct reg;

/* Copied by reg_new(); the caller may free its strings afterwards. */
struct reg_params {
	unsigned int line;		/* line index, for logs */
	const char *user;		/* AOR user part (voip/line/N/id) */
	const char *domain;		/* SIP domain; also the TLS name */
	const char *display_name;	/* NULL or "" : none */
	const char *auth_user;		/* NULL or "": same as user */
	const char *password;		/* never logged */
	const char *proxy_host;		/* where REGISTER goes (host or IP) */
	uint16_t proxy_port;		/* 0 or DNS_PORT_SRV: NAPTR/SRV */
	enum tp_proto proto;
	uint32_t expires_s;		/* asked for; the server decides */
	uint32_t no_response_timeout_ms;	/* Timer F; 0: 32000 */
	uint32_t t1_ms;			/* 0: 500 */
	uint32_t t2_ms;			/* 0: 4000 */
	uint32_t failed_retry_s;	/* wait after all servers failed or
					 * auth was refused; 0: 60 */
	uint32_t stop_timeout_ms;	/* reg_stop() gives up after; 0: 1500 */
	const char *tls_ca_file;	/* NULL: system trust */
	const char *tls_cert_file;	/* NULL: no client certificate */
	const char *tls_key_file;
	uint32_t mark;			/* SO_MARK for our sockets; 0: none */
	bool outbound;			/* RFC 5626: +sip.instance and reg-id */
	const char *instance_uuid;	/* "xxxxxxxx-...", NULL: random */
	unsigned int reg_id;		/* 0: 1 */
	const char *user_agent;		/* NULL: "sipsteerd" */
};

enum reg_state {
	REG_IDLE,		/* created or stopped */
	REG_RESOLVING,		/* waiting for DNS */
	REG_REGISTERING,	/* REGISTER in flight */
	REG_REGISTERED,		/* binding granted, refresh timer armed */
	REG_FAILED,		/* waiting failed_retry_s before a new round */
	REG_UNREGISTERING,	/* Expires: 0 in flight */
};

const char *reg_state_name(enum reg_state state);

struct reg_handlers {
	/* Every state change; reg_status() tells the details. */
	void (*on_state)(void *arg, struct reg *reg, enum reg_state state);
	/* reg_stop() is complete (answered, failed or timed out). */
	void (*on_stopped)(void *arg, struct reg *reg);
};

#define REG_STATUS_MAX_SERVERS	16

struct reg_server_status {
	char target[256];		/* SRV target or configured host */
	char addr[64];			/* "192.0.2.1:5060", "[2001:db8::1]:5061" */
	enum tp_proto proto;
	uint16_t priority;
	uint16_t weight;
	bool in_use;
	enum sl_result last;		/* SL_RES_NONE: never tried */
	int last_code;			/* SIP status of the last answer, or 0 */
	uint32_t last_age_s;		/* seconds since @last */
};

struct reg_status {
	enum reg_state state;
	char text[160];			/* one line a person can read */
	int server;			/* index into servers[], -1: none */
	uint32_t expires_left_s;	/* registered: seconds to expiry */
	char contact[256];		/* as granted by the server */
	uint32_t granted_expires_s;
	char last_error[160];		/* "" when none */
	unsigned int n_servers;
	struct reg_server_status servers[REG_STATUS_MAX_SERVERS];
};

int reg_new(struct loop *loop, struct resolver *resolver,
	    const struct reg_params *params, const struct reg_handlers *h,
	    void *arg, struct reg **out);
/* Resolve and register; keeps the line registered until reg_stop(). */
int reg_start(struct reg *reg);
/* Re-resolve and re-register now (network change, SIGHUP). */
int reg_refresh(struct reg *reg);
/*
 * Un-register (Expires: 0) when registered, then call on_stopped; also
 * after stop_timeout_ms without an answer. on_stopped runs from the loop,
 * never from inside this call.
 */
void reg_stop(struct reg *reg);
void reg_free(struct reg *reg);

void reg_status(const struct reg *reg, struct reg_status *st);

#endif
