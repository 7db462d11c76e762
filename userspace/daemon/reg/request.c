// SPDX-License-Identifier: GPL-2.0
/* Requests to one server, shared by reg and probe; see request.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "inbound/inbound.h"
#include "reg/request.h"
#include "sip/build.h"
#include "sip/msg.h"

static int local_addr(const struct tp_conn *c, struct sipreq_local *l)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int err;

	err = tp_conn_local_addr(c, &ss, &sl);
	if (err)
		return err;
	l->v6 = ss.ss_family == AF_INET6;
	tp_addr_host(&ss, l->host, sizeof(l->host));
	l->port = tp_addr_port(&ss);
	return 0;
}

int sipreq_open(struct loop *loop, const struct sip_server *srv,
		const struct sipreq_conn_opts *o, const struct tp_handlers *h,
		void *arg, struct tp_conn **conn,
		struct sipreq_local *local)
{
	struct tp_opts to = {
		.proto = srv->proto,
		.peer = srv->addr,
		.peer_len = srv->addr_len,
		.tls_domain = o->domain,
		.tls_ca_file = o->tls_ca_file,
		.tls_cert_file = o->tls_cert_file,
		.tls_key_file = o->tls_key_file,
		.mark = o->mark,
		.connect_timeout_ms = o->timeout_ms,
	};
	struct tp_conn *c = NULL;
	int err;

	err = tp_conn_open(loop, &to, h, arg, &c);
	if (err)
		return err;
	err = local_addr(c, local);
	if (err) {
		tp_conn_close(c);
		return err;
	}
	*conn = c;
	return 0;
}

void sipreq_domain_uri(char *out, size_t size, const char *domain)
{
	/* An IPv6 literal as the domain needs brackets in a URI. */
	bool v6 = strchr(domain, ':') && domain[0] != '[';

	snprintf(out, size, "sip:%s%s%s", v6 ? "[" : "", domain,
		 v6 ? "]" : "");
}

void sipreq_server_name(const struct sip_server *srv, char *out,
			size_t size)
{
	char addr[64];

	tp_fmt_addr(&srv->addr, addr, sizeof(addr));
	snprintf(out, size, "%s %s (%s)", srv->target, addr,
		 tp_proto_name(srv->proto));
}

int sipreq_conn_send(void *conn, const char *buf, size_t len)
{
	return conn ? tp_conn_send(conn, buf, len) : -ENOTCONN;
}

struct tx_opts sipreq_tx_opts(enum tp_proto proto, uint32_t t1_ms,
			      uint32_t t2_ms, uint32_t timeout_ms)
{
	return (struct tx_opts) {
		.reliable = proto != TP_UDP,
		.t1_ms = t1_ms,
		.t2_ms = t2_ms,
		.timeout_ms = timeout_ms,
	};
}

void sipreq_input(struct tx_layer *txl, struct inbound_flow *flow,
		  const char *buf, size_t len, const char *who)
{
	struct sip_msg *msg = malloc(sizeof(*msg));

	if (!msg)
		return;
	if (sip_msg_parse(msg, buf, len))
		log_debug("%s: unparsable message dropped", who);
	else if (msg->is_request)
		inbound_request(flow, msg, buf, len);
	else if (!tx_layer_input(txl, msg))
		log_debug("%s: stray %d response dropped", who, msg->status);
	free(msg);
}

enum sl_result sipreq_tp_result(enum tp_error err)
{
	switch (err) {
	case TP_ERR_TIMEOUT:
		return SL_RES_TIMEOUT;
	case TP_ERR_UNREACHABLE:
		return SL_RES_UNREACHABLE;
	case TP_ERR_RESET:
		return SL_RES_RESET;
	case TP_ERR_TLS:
		return SL_RES_TLS;
	default:
		return SL_RES_TRANSPORT;
	}
}

enum sl_result sipreq_errno_result(int err)
{
	switch (err < 0 ? -err : err) {
	case ECONNREFUSED:
	case ENETUNREACH:
	case EHOSTUNREACH:
	case ENETDOWN:
	case EHOSTDOWN:
		return SL_RES_UNREACHABLE;
	case ECONNRESET:
		return SL_RES_RESET;
	case ETIMEDOUT:
		return SL_RES_TIMEOUT;
	default:
		return SL_RES_TRANSPORT;
	}
}

int sipreq_options_start(struct tx_layer *txl, struct tp_conn *c,
			 const struct sipreq_options *o,
			 const struct tx_handlers *h, void *arg,
			 struct sip_tx **out)
{
	char ruri[300], from[600], branch[64], tag[SIP_TOKEN_LEN + 1];
	char call_id[SIP_TOKEN_LEN + 1], buf[2048];
	struct tx_opts to = sipreq_tx_opts(o->proto, o->t1_ms, o->t2_ms,
					   o->timeout_ms);
	struct sip_req req;
	int len, err;

	sipreq_domain_uri(ruri, sizeof(ruri), o->domain);
	snprintf(from, sizeof(from), "sip:%s@%s",
		 o->user && *o->user ? o->user : "sipsteerd", ruri + 4);
	err = sip_new_branch(branch, sizeof(branch)) ?:
	      sip_random_hex(tag, SIP_TOKEN_LEN) ?:
	      sip_random_hex(call_id, SIP_TOKEN_LEN);
	if (err)
		return err;
	req = (struct sip_req) {
		.method = "OPTIONS",
		.ruri = ruri,
		.proto = o->proto,
		.via_host = o->local->host,
		.via_port = o->local->port,
		.branch = branch,
		.from_uri = from,
		.from_tag = tag,
		.to_uri = ruri,
		.call_id = call_id,
		.cseq = 1,
		.expires = -1,
		.user_agent = o->user_agent,
	};
	len = sip_build_request(buf, sizeof(buf), &req);
	if (len < 0)
		return len;
	return tx_start(txl, &to, buf, (size_t)len, sipreq_conn_send, c, h,
			arg, out);
}

enum sl_result sipreq_options_result(enum tx_result res,
				     const struct sip_msg *rsp,
				     enum tp_error err)
{
	switch (res) {
	case TX_FINAL:
		return rsp->status == 503 ? SL_RES_503 : SL_RES_OK;
	case TX_TIMEOUT:
		return SL_RES_TIMEOUT;
	case TX_TRANSPORT:
		break;
	}
	return sipreq_tp_result(err);
}
