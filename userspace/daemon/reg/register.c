// SPDX-License-Identifier: GPL-2.0
/*
 * REGISTER at one site and what its answers mean: digest challenges
 * (401/407, stale nonces, wrong passwords), 423 Min-Expires, the binding
 * the server granted and when to refresh it, 503 and other refusals.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/loop.h"
#include "core/rand.h"
#include "reg/reg_int.h"
#include "sip/msg.h"

static void tx_done(void *arg, enum tx_result res, const struct sip_msg *rsp,
		    enum tp_error err);

/*
 * Writes the REGISTER of @req's kind into @buf (REG_BUF_SIZE), with the
 * answer to the challenge held, if any; @auth is scratch space of the
 * same size. Returns the length or -errno; a failure here comes from the
 * line's own settings, never from the server.
 */
static int build_register(struct reg_site *s, enum reg_req req, char *buf,
			  char *auth)
{
	struct reg *reg = s->reg;
	char ruri[300], aor[600], branch[64], params[160];
	struct sip_req r;
	int err;

	sipreq_domain_uri(ruri, sizeof(ruri), reg->p.domain);
	snprintf(aor, sizeof(aor), "sip:%s@%s", reg->p.user, ruri + 4);
	err = sip_new_branch(branch, sizeof(branch));
	if (err)
		return err;
	params[0] = '\0';
	if (reg->p.outbound)
		snprintf(params, sizeof(params),
			 ";reg-id=%u;+sip.instance=\"<urn:uuid:%s>\"",
			 s->reg_id, reg->instance);
	s->auth_sent = false;
	if (s->have_auth) {
		err = digest_authorization(&s->auth, "REGISTER", ruri,
					   reg->p.auth_user, reg->p.password,
					   NULL, auth, REG_BUF_SIZE);
		if (err < 0)
			return err;
		s->auth_sent = true;
	}
	r = (struct sip_req) {
		.method = "REGISTER",
		.ruri = ruri,
		.proto = s->srv.proto,
		.via_host = s->local.host,
		.via_port = s->local.port,
		.branch = branch,
		.from_uri = aor,
		.from_display = reg->p.display_name,
		.from_tag = reg->from_tag,
		.to_uri = aor,
		.call_id = reg->call_id,
		.cseq = ++reg->cseq,
		.contact_uri = s->contact_uri,
		.contact_params = params,
		.expires = req == REG_REQ_UNREGISTER ? 0 :
			   (int)s->expires_req,
		.auth_hdr_name = !s->auth_sent ? NULL :
				 s->auth.proxy ? "Proxy-Authorization" :
				 "Authorization",
		.auth_hdr_value = s->auth_sent ? auth : NULL,
		.user_agent = reg->p.user_agent,
		.supported = reg->p.outbound ? "path, outbound" : NULL,
	};
	return sip_build_request(buf, REG_BUF_SIZE, &r);
}

int reg_send_register(struct reg_site *s, enum reg_req req)
{
	static const struct tx_handlers txh = { .on_done = tx_done };
	struct reg *reg = s->reg;
	struct tx_opts opts = sipreq_tx_opts(s->srv.proto, reg->p.t1_ms,
					     reg->p.t2_ms,
					     reg->p.no_response_timeout_ms);
	char *buf = NULL, *auth = NULL;
	int len, err;

	s->build_failed = false;
	if (!s->conn)
		return -ENOTCONN;
	if (s->tx)
		tx_abandon(s->tx);
	s->tx = NULL;
	buf = malloc(REG_BUF_SIZE);
	auth = malloc(REG_BUF_SIZE);
	if (!buf || !auth) {
		err = -ENOMEM;
		goto out;
	}
	len = build_register(s, req, buf, auth);
	if (len < 0) {
		s->build_failed = len != -ENOMEM;
		err = len;
		goto out;
	}
	s->req = req;
	err = tx_start(reg->txl, &opts, buf, (size_t)len, sipreq_conn_send,
		       s->conn, &txh, s, &s->tx);
out:
	if (auth)
		explicit_bzero(auth, REG_BUF_SIZE);
	free(buf);
	free(auth);
	return err;
}

enum sl_result reg_send_result(const struct reg_site *s, int err)
{
	return s->build_failed ? SL_RES_AUTH : sipreq_errno_result(err);
}

void reg_send_detail(const struct reg_site *s, int err, char *out,
		     size_t size)
{
	if (s->build_failed)
		snprintf(out, size, "cannot build REGISTER for user %.60s: "
			 "%s (check the line's credentials)",
			 s->reg->p.auth_user, strerror(-err));
	else
		snprintf(out, size, "cannot send REGISTER: %s",
			 strerror(-err));
}

/* A request of the current kind failed to go out again. */
static void resend_failed(struct reg_site *s, int err)
{
	char detail[160];

	if (s->req == REG_REQ_UNREGISTER) {
		reg_drop_done(s);
		return;
	}
	reg_send_detail(s, err, detail, sizeof(detail));
	reg_site_failed(s, reg_send_result(s, err), 0, 0, false, "%s",
			detail);
}

void reg_refresh_fired(void *arg)
{
	struct reg_site *s = arg;
	int err;

	s->started_ms = loop_now_ms(s->reg->loop);
	err = reg_send_register(s, REG_REQ_REFRESH);
	if (err) {
		s->req = REG_REQ_REFRESH;
		resend_failed(s, err);
	}
}

/* Our binding among the Contacts of a 2xx, as the server granted it. */
static const struct sip_contact *find_binding(const struct reg_site *s,
					      const struct sip_msg *rsp)
{
	const struct reg *reg = s->reg;
	unsigned int i;

	for (i = 0; i < rsp->n_contacts; i++) {
		const struct sip_contact *c = &rsp->contacts[i];
		struct sip_str inst, rid;
		char id[12];

		/*
		 * "<urn:uuid:" 36 chars ">", and our flow's reg-id: where
		 * servers share a location database, the binding of our
		 * other flow is listed too.
		 */
		if (reg->p.outbound &&
		    sip_param_find(c->params, "+sip.instance", &inst) &&
		    inst.len == 47 && !strncasecmp(inst.s, "<urn:uuid:", 10) &&
		    !strncasecmp(inst.s + 10, reg->instance, 36)) {
			snprintf(id, sizeof(id), "%u", s->reg_id);
			if (sip_param_find(c->params, "reg-id", &rid) &&
			    sip_str_eq(rid, id))
				return c;
			continue;
		}
		if (sip_str_caseeq(c->uri, s->contact_uri))
			return c;
	}
	return NULL;
}

/* Is "outbound" one of the option tags of a Require header? */
static bool requires_outbound(const struct sip_msg *rsp)
{
	unsigned int i;

	for (i = 0; i < rsp->n_hdrs; i++) {
		struct sip_str v = rsp->hdrs[i].value;
		size_t pos = 0, start, end;

		if (!sip_str_caseeq(rsp->hdrs[i].name, "Require"))
			continue;
		while (pos < v.len) {
			while (pos < v.len && strchr(" \t,", v.s[pos]))
				pos++;
			start = pos;
			while (pos < v.len && v.s[pos] != ',')
				pos++;
			end = pos;
			while (end > start && strchr(" \t", v.s[end - 1]))
				end--;
			if (end - start == 8 &&
			    !strncasecmp(v.s + start, "outbound", 8))
				return true;
		}
	}
	return false;
}

static void registered(struct reg_site *s, const struct sip_msg *rsp)
{
	struct reg *reg = s->reg;
	const struct sip_contact *c = find_binding(s, rsp);
	uint32_t granted = s->expires_req;
	uint64_t delay_ms;
	char detail[80];
	bool was = s->bound;

	if (c && c->has_expires)
		granted = c->expires;
	else if (rsp->has_expires)
		granted = rsp->expires;
	if (!granted) {
		reg_site_failed(s, SL_RES_REJECTED, rsp->status, 0, false,
				"server kept no binding for our contact");
		return;
	}
	if (c)
		sip_str_copy(s->granted_contact, sizeof(s->granted_contact),
			     c->uri);
	else
		snprintf(s->granted_contact, sizeof(s->granted_contact), "%s",
			 s->contact_uri);
	s->bound = true;
	s->outbound_ok = reg->p.outbound && requires_outbound(rsp);
	s->flow_timer_s = s->outbound_ok && rsp->has_flow_timer ?
			  rsp->flow_timer : 0;
	reg_flow_ka_arm(s);
	s->granted_expires_s = granted;
	s->expires_at_ms = loop_now_ms(reg->loop) + (uint64_t)granted * 1000;
	reg->last_error[0] = '\0';
	s->auth_tries = 0;
	s->stale_tries = 0;
	s->tries_423 = 0;
	s->auth_fresh = false;

	/* Refresh at 50..80% of the granted time, never in step. */
	delay_ms = (uint64_t)granted * (500 + rand_below(301));
	if (delay_ms < 1000)
		delay_ms = 1000;
	loop_timer_start(reg->loop, &s->refresh_timer, delay_ms,
			 reg_refresh_fired, s);
	if (!was || s->req == REG_REQ_REGISTER)
		log_info("line %u: registered %s at %s, expires in %u s",
			 reg->p.line, s->granted_contact, s->name, granted);
	else
		log_debug("line %u: refreshed, expires in %u s", reg->p.line,
			  granted);
	reg_set_state(reg, REG_REGISTERED);
	reg_drop_replaced(reg);
	snprintf(detail, sizeof(detail), "%d, expires in %u s", rsp->status,
		 granted);
	reg_site_ok(s, rsp->status, false, detail);
}

/* Credentials refused, or no challenge we can answer. */
static void auth_failed(struct reg_site *s, int code, const char *detail)
{
	if (s->req == REG_REQ_UNREGISTER) {
		log_warn("line %u: un-REGISTER at %s: %s", s->reg->p.line,
			 s->name, detail);
		reg_drop_done(s);
		return;
	}
	reg_site_failed(s, SL_RES_AUTH, code, 0, false, "%s", detail);
}

/* 401/407: answer the challenge, or give up on these credentials. */
static void challenged(struct reg_site *s, const struct sip_msg *rsp)
{
	struct reg *reg = s->reg;
	const struct sip_challenge *ch;
	char detail[200], realm[128] = "";
	int idx, err;

	idx = digest_pick(rsp);
	if (idx < 0) {
		snprintf(detail, sizeof(detail),
			 "%d without a challenge we support", rsp->status);
		auth_failed(s, rsp->status, detail);
		return;
	}
	ch = &rsp->challenges[idx];
	if (s->auth_sent && ch->stale) {
		if (++s->stale_tries > REG_MAX_STALE) {
			auth_failed(s, rsp->status,
				    "server keeps saying our nonce is stale");
			return;
		}
	} else if ((s->auth_sent && s->auth_fresh &&
		    ch->proxy == s->auth.proxy) ||
		   ++s->auth_tries > REG_MAX_AUTH_TRIES) {
		/*
		 * The answer to a fresh challenge refused without
		 * stale=true: the password is wrong, whatever the new
		 * nonce. (A refresh reusing an old nonce may just be
		 * challenged again.)
		 */
		sip_str_copy(realm, sizeof(realm), ch->realm);
		log_err("line %u: authentication failed for user %s at "
			"realm %s (wrong password?)", reg->p.line,
			reg->p.auth_user, realm);
		snprintf(detail, sizeof(detail),
			 "authentication failed for user %.60s at realm %.60s",
			 reg->p.auth_user, realm);
		auth_failed(s, rsp->status, detail);
		return;
	}
	if (digest_init(&s->auth, ch)) {
		snprintf(detail, sizeof(detail), "cannot use the %d challenge",
			 rsp->status);
		auth_failed(s, rsp->status, detail);
		return;
	}
	s->have_auth = true;
	s->auth_fresh = true;
	err = reg_send_register(s, s->req);
	if (err)
		resend_failed(s, err);
}

static void unregister_answered(struct reg_site *s, enum tx_result res,
				const struct sip_msg *rsp)
{
	unsigned int line = s->reg->p.line;

	if (res != TX_FINAL)
		log_warn("line %u: un-REGISTER at %s: %s", line, s->name,
			 res == TX_TIMEOUT ? "no response" : s->tp_detail);
	else if (rsp->status >= 300)
		log_warn("line %u: un-REGISTER at %s answered %d", line,
			 s->name, rsp->status);
	else
		log_info("line %u: un-registered at %s", line, s->name);
	reg_drop_done(s);
}

static void on_response(struct reg_site *s, const struct sip_msg *rsp)
{
	struct reg *reg = s->reg;
	int code = rsp->status, rl;
	int err;

	if (code == 401 || code == 407) {
		challenged(s, rsp);
		return;
	}
	if (s->req == REG_REQ_UNREGISTER) {
		unregister_answered(s, TX_FINAL, rsp);
		return;
	}
	if (code >= 200 && code < 300) {
		registered(s, rsp);
		return;
	}
	if (code == 423 && rsp->has_min_expires &&
	    rsp->min_expires > s->expires_req &&
	    s->tries_423++ < REG_MAX_423) {
		log_info("line %u: registrar wants at least %u s",
			 reg->p.line, rsp->min_expires);
		s->expires_req = rsp->min_expires;
		err = reg_send_register(s, s->req);
		if (err)
			resend_failed(s, err);
		return;
	}
	rl = (int)(rsp->reason.len > 60 ? 60 : rsp->reason.len);
	if (code == 503) {
		uint32_t ra = rsp->has_retry_after ? rsp->retry_after : 0;

		reg_site_failed(s, SL_RES_503, code, ra, false,
				"REGISTER answered 503 %.*s%s", rl,
				rsp->reason.s, ra ? " (Retry-After)" : "");
		return;
	}
	reg_site_failed(s, SL_RES_REJECTED, code, 0, false,
			"REGISTER answered %d %.*s", code, rl, rsp->reason.s);
}

static void tx_done(void *arg, enum tx_result res, const struct sip_msg *rsp,
		    enum tp_error err)
{
	struct reg_site *s = arg;

	s->tx = NULL;
	if (s->req == REG_REQ_UNREGISTER && res != TX_FINAL) {
		unregister_answered(s, res, rsp);
		return;
	}
	switch (res) {
	case TX_FINAL:
		on_response(s, rsp);
		break;
	case TX_TIMEOUT:
		reg_site_failed(s, SL_RES_TIMEOUT, 0, 0, false,
				"no response within %u ms",
				s->reg->p.no_response_timeout_ms);
		break;
	case TX_TRANSPORT:
		reg_site_failed(s, sipreq_tp_result(err), 0, 0, false,
				"transport error: %s", s->tp_detail[0] ?
				s->tp_detail : tp_error_name(err));
		break;
	}
}
