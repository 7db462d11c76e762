/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the registration client: its state, shared by reg.c (the state
 * machine), params.c and status.c. Nothing outside reg/ includes this.
 */
#ifndef SIPSTEERD_REG_INT_H
#define SIPSTEERD_REG_INT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/loop.h"
#include "reg/reg.h"
#include "reg/serverlist.h"
#include "sip/build.h"
#include "sip/digest.h"
#include "sip/tx.h"

#define REG_MAX_AUTH_TRIES	3	/* fresh challenges per request */
#define REG_MAX_STALE		3	/* stale=true re-tries per request */
#define REG_MAX_423		2
#define REG_BUF_SIZE		4096

struct reg {
	struct loop *loop;
	struct resolver *resolver;
	struct reg_handlers h;
	void *arg;
	struct reg_params p;	/* strings owned (strdup) */
	enum reg_state state;
	bool started;
	bool stopping;
	bool in_stop_call;	/* inside reg_stop(): defer on_stopped */

	struct serverlist sl;
	struct tp_conn *conn;
	struct tx_layer *txl;
	struct sip_tx *tx;
	bool tx_unregister;	/* the request in flight has Expires: 0 */

	char call_id[64];
	char from_tag[SIP_TOKEN_LEN + 1];
	char instance[37];
	uint32_t cseq;
	uint32_t expires_req;	/* raised by 423 Min-Expires */

	struct digest_auth auth;
	bool have_auth;
	bool auth_sent;		/* the request in flight carried @auth */
	bool auth_fresh;	/* @auth answers a challenge to this very
				 * registration, not an earlier one */
	unsigned int auth_tries, stale_tries, tries_423;

	char local_host[INET6_ADDRSTRLEN];
	uint16_t local_port;
	char contact_uri[256];

	char granted_contact[256];
	uint32_t granted_expires_s;
	uint64_t expires_at_ms;
	uint64_t dns_expires_at_ms;	/* the server list's TTL runs out */
	char last_error[160];

	struct loop_timer refresh_timer;
	struct loop_timer retry_timer;
	struct loop_timer stop_timer;
};

/* Copies @s into @d with defaults filled in; -ENOMEM. */
int reg_params_copy(struct reg_params *d, const struct reg_params *s);
/* Frees the copied strings, wiping the password first. */
void reg_params_free(struct reg_params *p);

#endif
