// SPDX-License-Identifier: GPL-2.0
/*
 * Requests on the daemon's flows: the flows themselves, the answers made
 * here (OPTIONS, and the refusals), and the choice between answering and
 * relaying; relay.c relays.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "inbound/inbound_int.h"
#include "sip/build.h"
#include "sip/msg.h"
#include "transport/transport.h"

uint64_t inbound_hash(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	if (!h)
		h = 0xcbf29ce484222325ull;
	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

int inbound_new(struct loop *loop, const struct inbound_opts *opts,
		struct inbound **out)
{
	struct inbound *in;
	unsigned int i;

	if (!loop || !opts || !opts->app_port)
		return -EINVAL;
	in = calloc(1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	in->loop = loop;
	in->o = *opts;
	if (!in->o.t1_ms)
		in->o.t1_ms = 500;
	snprintf(in->user_agent, sizeof(in->user_agent), "%s",
		 opts->user_agent ? opts->user_agent : "");
	in->o.user_agent = NULL;
	for (i = 0; i < INBOUND_MAX_DESTS; i++)
		in->dests[i].in = in;
	for (i = 0; i < INBOUND_MAX_PENDING; i++)
		in->pending[i].in = in;
	*out = in;
	return 0;
}

void inbound_free(struct inbound *in)
{
	struct inbound_flow *f;

	if (!in)
		return;
	/* Flows outlive nothing of ours: they only stop pointing here. */
	for (f = in->flows; f; f = f->next)
		f->in = NULL;
	inbound_relay_free(in);
	free(in);
}

void inbound_set_app_port(struct inbound *in, uint16_t port)
{
	if (!in || !port || port == in->o.app_port)
		return;
	inbound_relay_free(in);
	memset(in->dests, 0, sizeof(in->dests));
	for (unsigned int i = 0; i < INBOUND_MAX_DESTS; i++)
		in->dests[i].in = in;
	in->o.app_port = port;
}

void inbound_stats(const struct inbound *in, struct inbound_stats *st)
{
	if (in)
		*st = in->st;
	else
		memset(st, 0, sizeof(*st));
}

void inbound_flow_open(struct inbound *in, struct inbound_flow *f)
{
	f->in = in;
	f->next = NULL;
	if (!in)
		return;
	/* 0 never names a flow: a stale branch cannot find a new one. */
	f->id = ++in->next_id ? in->next_id : ++in->next_id;
	f->next = in->flows;
	in->flows = f;
}

void inbound_flow_close(struct inbound_flow *f)
{
	struct inbound_flow **pp;

	if (!f->in)
		return;
	for (pp = &f->in->flows; *pp; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	}
	f->in = NULL;
	f->next = NULL;
}

struct inbound_flow *inbound_flow_find(const struct inbound *in,
				       uint32_t id)
{
	struct inbound_flow *f;

	for (f = in->flows; f; f = f->next) {
		if (f->id == id)
			return f;
	}
	return NULL;
}

/* Our To tag: the same for every retransmission of the request. */
static void to_tag(const struct sip_msg *req, char *out, size_t size)
{
	uint64_t h = inbound_hash(0, req->via.branch.s, req->via.branch.len);

	h = inbound_hash(h, req->call_id.s, req->call_id.len);
	snprintf(out, size, "sst%016llx", (unsigned long long)h);
}

bool inbound_answer(struct inbound_flow *f, const struct sip_msg *req,
		    int status, const char *reason)
{
	char buf[SIP_MAX_HDR_LEN * 2], tag[24], extra[160] = "";
	const char *ua = f->in ? f->in->user_agent : "sipsteerd";
	int len, err;

	if (ua[0])
		snprintf(extra, sizeof(extra), "Server: %s\r\n", ua);
	to_tag(req, tag, sizeof(tag));
	len = sip_build_response(buf, sizeof(buf), req, status, reason, tag,
				 extra);
	if (len < 0) {
		log_warn("inbound: cannot answer %.*s %d: %s",
			 (int)req->method.len, req->method.s, status,
			 strerror(-len));
		return false;
	}
	err = f->conn ? tp_conn_send(f->conn, buf, (size_t)len) : -ENOTCONN;
	if (err) {
		log_debug("inbound: answer %d not sent: %s", status,
			  strerror(-err));
		return false;
	}
	if (f->in && status != 200)
		f->in->st.refused++;
	return true;
}

void inbound_request(struct inbound_flow *f, const struct sip_msg *msg,
		     const char *raw, size_t len)
{
	if (sip_str_eq(msg->method, "OPTIONS")) {
		if (inbound_answer(f, msg, 200, "OK") && f->in)
			f->in->st.options++;
		return;
	}
	if (f->in && f->contact_uri) {
		inbound_relay(f, msg, raw, len);
		return;
	}
	if (sip_str_eq(msg->method, "ACK"))
		return;
	log_info("inbound: %.*s on a flow of no line: 480",
		 (int)msg->method.len, msg->method.s);
	inbound_answer(f, msg, 480, "Temporarily Unavailable");
}
