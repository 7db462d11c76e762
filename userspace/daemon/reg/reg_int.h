/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the registration client: its state, shared by reg.c (the line
 * and its sites), register.c (REGISTER and its answers), keepalive.c,
 * params.c and status.c. Nothing outside reg/ includes this.
 *
 * A "site" is everything the line holds at one server: the transport,
 * the digest state, the binding and its refresh. The line has a current
 * site, at most one previous site (kept after a move until
 * reg_drop_previous()), and sites being un-registered (dropping).
 */
#ifndef SIPSTEERD_REG_INT_H
#define SIPSTEERD_REG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/loop.h"
#include "inbound/inbound.h"
#include "reg/reg.h"
#include "reg/request.h"
#include "reg/serverlist.h"
#include "sip/build.h"
#include "sip/digest.h"
#include "sip/tx.h"

#define REG_MAX_AUTH_TRIES	3	/* fresh challenges per request */
#define REG_MAX_STALE		3	/* stale=true re-tries per request */
#define REG_MAX_423		2
#define REG_BUF_SIZE		4096

enum reg_req {
	REG_REQ_REGISTER,	/* the first REGISTER at this site */
	REG_REQ_REFRESH,	/* a binding stands: refresh it */
	REG_REQ_UNREGISTER,	/* Expires: 0 */
};

struct reg_site {
	struct reg *reg;
	struct reg_site *next;		/* in reg->dropping */
	struct sip_server srv;
	char name[400];			/* sipreq_server_name() */
	char addr[64];
	struct tp_conn *conn;
	char tp_detail[160];		/* the transport's last error */
	struct sipreq_local local;
	char contact_uri[256];
	struct inbound_flow flow;	/* requests arriving on @conn */
	unsigned int reg_id;		/* RFC 5626: this server's flow */

	struct sip_tx *tx;		/* REGISTER in flight */
	enum reg_req req;		/* what @tx is */
	uint64_t started_ms;		/* first send of this request's try */
	uint32_t expires_req;		/* raised by 423 Min-Expires */

	struct digest_auth auth;
	bool have_auth;
	bool auth_sent;		/* the request in flight carried @auth */
	bool build_failed;	/* the last reg_send_register() could not
				 * write the request: the line's settings */
	bool auth_fresh;	/* @auth answers a challenge to this very
				 * request, not an earlier one */
	unsigned int auth_tries, stale_tries, tries_423;

	bool bound;			/* a binding was granted here */
	bool failed;			/* kept as prev after a failed refresh
					 * or keep-alive: not registered */
	char granted_contact[256];
	uint32_t granted_expires_s;
	uint64_t expires_at_ms;
	struct loop_timer refresh_timer;
	struct loop_timer drop_timer;	/* dropping: give up */

	/* The 2xx had "Require: outbound" (RFC 5626 section 4.2.1): the
	 * registrar answers CRLF pings on this flow. */
	bool outbound_ok;
	uint32_t flow_timer_s;		/* its Flow-Timer, 0: none */
	struct loop_timer flow_ka_timer;	/* outbound: keep the flow */
	bool ka_busy;			/* reg_keepalive() in flight */
	struct sip_tx *ka_tx;		/* its OPTIONS */
	struct loop_timer pong_timer;	/* its pong (CRLF ping) */
	uint64_t ka_started_ms;
};

struct reg {
	struct loop *loop;
	struct reg_handlers h;
	void *arg;
	struct reg_params p;	/* strings owned (strdup) */
	enum reg_state state;
	bool stopping;
	struct tx_layer *txl;

	struct reg_site *cur;
	struct reg_site *prev;
	struct reg_site *dropping;

	/* One Call-ID for the line's life: each registrar sees one
	 * registration whose CSeq only grows, whatever the server. */
	char call_id[64];
	char from_tag[SIP_TOKEN_LEN + 1];
	char instance[37];
	/* reg_flow_id(): p.flows, or own_flows. */
	struct reg_flows own_flows;
	struct reg_flows *flows;
	uint32_t cseq;
	char last_error[160];

	struct loop_timer stop_timer;
	/* A failure found inside an API call, reported from the loop. */
	struct loop_timer defer_timer;
	struct reg_result deferred;
	struct sip_server deferred_srv;
	char deferred_detail[160];
};

/* reg.c */
void reg_set_state(struct reg *reg, enum reg_state state);
/*
 * The current site failed: close it, state FAILED, then on_result. Must
 * be the caller's last use of @s (on_result may register elsewhere).
 */
void reg_site_failed(struct reg_site *s, enum sl_result res, int code,
		     uint32_t retry_after_s, bool keepalive,
		     const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* A success at the current site: on_result. Last use of @s too. */
void reg_site_ok(struct reg_site *s, int code, bool keepalive,
		 const char *detail);
/*
 * The binding at the current site stands: without RFC 5626, un-register
 * the older Contact kept at the same server (a network change).
 */
void reg_drop_replaced(struct reg *reg);
/* A dropping site is done (answered, failed, timed out): free it. */
void reg_drop_done(struct reg_site *s);
void reg_site_close(struct reg_site *s);

/* register.c */
int reg_send_register(struct reg_site *s, enum reg_req req);
/*
 * What a reg_send_register() failure @err means: a request we could not
 * write (digest or header over the limits: the line's own settings) is
 * SL_RES_AUTH, so the proxy set does not leave a good server for it;
 * anything else is the transport's. And a readable detail.
 */
enum sl_result reg_send_result(const struct reg_site *s, int err);
void reg_send_detail(const struct reg_site *s, int err, char *out,
		     size_t size);
void reg_refresh_fired(void *arg);

/* keepalive.c */
/* Also stops the flow's keep-alive (reg_flow_ka_arm()). */
void reg_ka_stop(struct reg_site *s);
/*
 * Outbound was negotiated at @s: (re)arm the flow's own keep-alive
 * (RFC 5626 section 4.4.1), whatever the configured one does.
 */
void reg_flow_ka_arm(struct reg_site *s);
void reg_ka_pong(void *arg);

/*
 * flowid.c: the RFC 5626 reg-id of @srv's flow for a new site, the same
 * for the line's life, never that of another server still bound; the
 * site gives it back with reg_flow_put() when it goes.
 */
unsigned int reg_flow_id(struct reg *reg, const struct sip_server *srv);
void reg_flow_put(struct reg *reg, unsigned int id);

/* Copies @s into @d with defaults filled in; -ENOMEM. */
int reg_params_copy(struct reg_params *d, const struct reg_params *s);
/* Frees the copied strings, wiping the password first. */
void reg_params_free(struct reg_params *p);

#endif
