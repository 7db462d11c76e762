// SPDX-License-Identifier: GPL-2.0
/*
 * The stateless relay (RFC 3261 16.11) between a server's flow and the
 * phone's call application. A request gets our Via on top, with a branch
 * that names the flow it came on and hashes the sender's branch (so a
 * retransmission, and the CANCEL or ACK of an INVITE, carry the same
 * one), Max-Forwards one less, and goes to the application over UDP at
 * the flow's local address (the address the Contact names) and
 * app_port. A response from the application loses our Via and goes back
 * over the flow its branch names; when that flow is gone it is dropped,
 * as a stateless proxy drops what it cannot route.
 *
 * What a stateless relay cannot know, a small table remembers: requests
 * not yet answered, so that an application that cannot be reached gets
 * the server a 480 at once, and one that says nothing a 408 after 64*T1,
 * instead of silence.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "inbound/inbound_int.h"
#include "sip/build.h"
#include "sip/msg.h"
#include "strbuf.h"
#include "transport/transport.h"

static void dest_message(void *arg, const char *buf, size_t len);
static void dest_error(void *arg, enum tp_error err, const char *detail);

static void pending_free(struct inbound_pending *p)
{
	loop_timer_cancel(p->in->loop, &p->timer);
	free(p->req);
	p->req = NULL;
	p->used = false;
}

/* Answer a relayed request ourselves, from its stored copy, and forget it. */
static void pending_refuse(struct inbound_pending *p, int status,
			   const char *reason)
{
	struct inbound_flow *f = inbound_flow_find(p->in, p->flow_id);
	struct sip_msg *msg = malloc(sizeof(*msg));

	if (f && msg && !sip_msg_parse(msg, p->req, p->req_len)) {
		log_info("inbound: %.*s relayed to the call application: %d "
			 "%s", (int)msg->method.len, msg->method.s, status,
			 reason);
		inbound_answer(f, msg, status, reason);
	}
	free(msg);
	pending_free(p);
}

static void pending_expired(void *arg)
{
	struct inbound_pending *p = arg;

	/* A ringing INVITE goes on; the server's own timers end it. */
	if (p->provisional) {
		pending_free(p);
		return;
	}
	pending_refuse(p, 408, "Request Timeout");
}

static struct inbound_pending *pending_find(struct inbound *in,
					    const char *branch, bool cancel)
{
	unsigned int i;

	for (i = 0; i < INBOUND_MAX_PENDING; i++) {
		struct inbound_pending *p = &in->pending[i];

		if (p->used && p->cancel == cancel &&
		    !strcmp(p->branch, branch))
			return p;
	}
	return NULL;
}

/* Remembers a request until its answer; the oldest gives way when full. */
static void pending_add(struct inbound *in, const struct sip_msg *msg,
			const char *raw, size_t len, const char *branch,
			uint32_t flow_id, int dest)
{
	bool cancel = sip_str_eq(msg->method, "CANCEL");
	struct inbound_pending *p = pending_find(in, branch, cancel);
	struct inbound_pending *oldest = NULL;
	unsigned int i;

	if (p)
		return;		/* a retransmission */
	for (i = 0; i < INBOUND_MAX_PENDING && !p; i++) {
		struct inbound_pending *q = &in->pending[i];

		if (!q->used)
			p = q;
		else if (!oldest || q->created_ms < oldest->created_ms)
			oldest = q;
	}
	if (!p) {
		pending_free(oldest);
		p = oldest;
	}
	p->req = malloc(len);
	if (!p->req)
		return;
	memcpy(p->req, raw, len);
	p->req_len = len;
	p->used = true;
	snprintf(p->branch, sizeof(p->branch), "%s", branch);
	p->cancel = cancel;
	p->invite = sip_str_eq(msg->method, "INVITE");
	p->provisional = false;
	p->flow_id = flow_id;
	p->dest = dest;
	p->created_ms = loop_now_ms(in->loop);
	loop_timer_start(in->loop, &p->timer, 64ull * in->o.t1_ms,
			 pending_expired, p);
}

/* ------------------------------------------------------------- dests */

static int addr_of(const char *host, uint16_t port,
		   struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		*len = sizeof(*v4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		*len = sizeof(*v6);
		return 0;
	}
	return -EINVAL;
}

static void dest_close(struct inbound_dest *d)
{
	if (d->conn)
		tp_conn_close(d->conn);
	d->conn = NULL;
}

static int dest_open(struct inbound_dest *d, socklen_t len)
{
	static const struct tp_handlers h = {
		.on_message = dest_message,
		.on_error = dest_error,
	};
	const struct tp_opts o = {
		.proto = TP_UDP,
		.peer = d->addr,
		.peer_len = len,
	};
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int err;

	err = tp_conn_open(d->in->loop, &o, &h, d, &d->conn);
	if (!err)
		err = tp_conn_local_addr(d->conn, &ss, &sl);
	if (err) {
		dest_close(d);
		return err;
	}
	tp_addr_host(&ss, d->via_host, sizeof(d->via_host));
	d->via_port = tp_addr_port(&ss);
	return 0;
}

/* The application at @host: its index in in->dests, or -errno. */
static int dest_get(struct inbound *in, const char *host)
{
	struct sockaddr_storage ss;
	struct inbound_dest *d = NULL;
	socklen_t len;
	unsigned int i;
	int err;

	err = addr_of(host, in->o.app_port, &ss, &len);
	if (err)
		return err;
	for (i = 0; i < INBOUND_MAX_DESTS; i++) {
		if (in->dests[i].addr.ss_family &&
		    tp_same_addr(&in->dests[i].addr, &ss)) {
			d = &in->dests[i];
			break;
		}
	}
	if (!d) {
		/* The phone has few addresses; a new one takes the oldest
		 * slot (a request still pending there just loses its 480). */
		for (i = 0; i < INBOUND_MAX_DESTS && !d; i++) {
			if (!in->dests[i].addr.ss_family)
				d = &in->dests[i];
		}
		if (!d) {
			d = &in->dests[0];
			dest_close(d);
		}
		d->addr = ss;
	}
	if (!d->conn) {
		err = dest_open(d, len);
		if (err)
			return err;
	}
	return (int)(d - in->dests);
}

/* The application cannot be reached: what waits for it gets 480 now. */
static void dest_error(void *arg, enum tp_error err, const char *detail)
{
	struct inbound_dest *d = arg;
	struct inbound *in = d->in;
	int idx = (int)(d - in->dests);
	char addr[64];
	unsigned int i;

	tp_fmt_addr(&d->addr, addr, sizeof(addr));
	log_warn("inbound: call application at %s: %s (%s)", addr,
		 tp_error_name(err), detail ? detail : "");
	dest_close(d);
	for (i = 0; i < INBOUND_MAX_PENDING; i++) {
		struct inbound_pending *p = &in->pending[i];

		if (p->used && p->dest == idx && !p->provisional)
			pending_refuse(p, 480, "Temporarily Unavailable");
	}
}

/* ---------------------------------------------------------- requests */

/*
 * Our branch for @msg: the same for its retransmissions and for the
 * CANCEL and non-2xx ACK of an INVITE (RFC 3261 16.11). An RFC 3261
 * sender's branch is unique per transaction; an older one's is not, so
 * the transaction's other identifiers go in too.
 */
static void relay_branch(const struct sip_msg *msg, uint32_t flow_id,
			 char *out, size_t size)
{
	const struct sip_via *v = &msg->via;
	uint64_t h = inbound_hash(0, v->branch.s, v->branch.len);

	h = inbound_hash(h, v->host.s, v->host.len);
	h = inbound_hash(h, &v->port, sizeof(v->port));
	if (v->branch.len < 7 || strncmp(v->branch.s, SIP_BRANCH_MAGIC, 7)) {
		h = inbound_hash(h, msg->call_id.s, msg->call_id.len);
		h = inbound_hash(h, msg->from_tag.s, msg->from_tag.len);
		h = inbound_hash(h, &msg->cseq, sizeof(msg->cseq));
	}
	snprintf(out, size, SIP_BRANCH_MAGIC INBOUND_BRANCH_TAG "%x.%016llx",
		 flow_id, (unsigned long long)h);
}

/*
 * The Request-URI the application gets: a server that sent to the
 * address our REGISTER came from (rather than to the Contact) named our
 * flow's host and port, which the application has never heard of; it
 * gets the Contact instead.
 */
static bool names_flow(struct sip_str ruri, const struct inbound_flow *f)
{
	char want[INET6_ADDRSTRLEN + 16];
	const char *p = memchr(ruri.s, '@', ruri.len);
	size_t n, rest;

	snprintf(want, sizeof(want), "%s%s%s:%u", strchr(f->local_host, ':') ?
		 "[" : "", f->local_host, strchr(f->local_host, ':') ?
		 "]" : "", f->local_port);
	if (!p)
		p = memchr(ruri.s, ':', ruri.len);
	if (!p)
		return false;
	p++;
	rest = ruri.len - (size_t)(p - ruri.s);
	n = strlen(want);
	return rest >= n && !strncasecmp(p, want, n) &&
	       (rest == n || strchr(";?>", p[n]));
}

static int max_forwards(const struct sip_msg *msg)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_MAX_FORWARDS,
					      NULL);
	char num[12];

	if (!h)
		return 70;
	if (sip_str_copy(num, sizeof(num), h->value))
		return 0;
	return atoi(num);
}

static void build_request(struct strbuf *sb, const struct sip_msg *msg,
			  const struct inbound_flow *f,
			  const struct inbound_dest *d, const char *branch,
			  int maxfwd)
{
	bool v6 = strchr(d->via_host, ':') != NULL;
	unsigned int i;

	sb_append(sb, msg->method.s, msg->method.len);
	sb_puts(sb, " ");
	if (names_flow(msg->ruri, f))
		sb_puts(sb, f->contact_uri);
	else
		sb_append(sb, msg->ruri.s, msg->ruri.len);
	sb_printf(sb, " SIP/2.0\r\nVia: SIP/2.0/UDP %s%s%s:%u;branch=%s;"
		  "rport\r\n", v6 ? "[" : "", d->via_host, v6 ? "]" : "",
		  d->via_port, branch);
	for (i = 0; i < msg->n_hdrs; i++) {
		const struct sip_hdr *h = &msg->hdrs[i];

		if (h->id == SIP_HDR_MAX_FORWARDS)
			continue;
		sb_append(sb, h->name.s, h->name.len);
		sb_puts(sb, ": ");
		sb_append(sb, h->value.s, h->value.len);
		sb_puts(sb, "\r\n");
	}
	sb_printf(sb, "Max-Forwards: %d\r\n\r\n", maxfwd - 1);
	sb_append(sb, msg->body.s, msg->body.len);
}

void inbound_relay(struct inbound_flow *f, const struct sip_msg *msg,
		   const char *raw, size_t len)
{
	struct inbound *in = f->in;
	bool ack = sip_str_eq(msg->method, "ACK");
	int maxfwd = max_forwards(msg), idx, err;
	struct strbuf sb;
	char branch[96];

	if (maxfwd <= 0) {
		if (!ack)
			inbound_answer(f, msg, 483, "Too Many Hops");
		return;
	}
	idx = dest_get(in, f->local_host);
	if (idx < 0) {
		log_warn("inbound: no way to the call application at %s: %s",
			 f->local_host, strerror(-idx));
		if (!ack)
			inbound_answer(f, msg, 480, "Temporarily Unavailable");
		return;
	}
	relay_branch(msg, f->id, branch, sizeof(branch));
	sb_init(&sb);
	build_request(&sb, msg, f, &in->dests[idx], branch, maxfwd);
	err = sb.failed ? -ENOMEM :
	      tp_conn_send(in->dests[idx].conn, sb.buf, sb.len);
	sb_free(&sb);
	if (err) {
		log_warn("inbound: relaying %.*s: %s", (int)msg->method.len,
			 msg->method.s, strerror(-err));
		if (!ack)
			inbound_answer(f, msg, 480, "Temporarily Unavailable");
		return;
	}
	in->st.relayed++;
	log_debug("inbound: %.*s relayed to the call application",
		  (int)msg->method.len, msg->method.s);
	if (!ack)
		pending_add(in, msg, raw, len, branch, f->id, idx);
}

/* --------------------------------------------------------- responses */

/* The response without its top Via value (ours). */
static void build_response(struct strbuf *sb, const struct sip_msg *msg,
			   const char *raw)
{
	bool popped = false;
	unsigned int i;

	/* The status line, as it came. */
	sb_append(sb, raw, (size_t)(msg->hdrs[0].name.s - raw));
	for (i = 0; i < msg->n_hdrs; i++) {
		const struct sip_hdr *h = &msg->hdrs[i];
		struct sip_str v = h->value;

		if (h->id == SIP_HDR_VIA && !popped) {
			const char *comma = memchr(v.s, ',', v.len);

			popped = true;
			if (!comma)
				continue;
			/* "Via: ours, theirs": keep theirs. */
			v.len -= (size_t)(comma + 1 - v.s);
			v.s = comma + 1;
			while (v.len && (*v.s == ' ' || *v.s == '\t')) {
				v.s++;
				v.len--;
			}
		}
		sb_append(sb, h->name.s, h->name.len);
		sb_puts(sb, ": ");
		sb_append(sb, v.s, v.len);
		sb_puts(sb, "\r\n");
	}
	sb_puts(sb, "\r\n");
	sb_append(sb, msg->body.s, msg->body.len);
}

/* Which flow the branch of our Via names, 0: not ours. */
static uint32_t branch_flow(struct sip_str branch)
{
	const char *prefix = SIP_BRANCH_MAGIC INBOUND_BRANCH_TAG;
	size_t n = strlen(prefix);
	char hex[12];
	size_t i;

	if (branch.len <= n || strncmp(branch.s, prefix, n))
		return 0;
	for (i = 0; n + i < branch.len && branch.s[n + i] != '.' &&
	     i + 1 < sizeof(hex); i++)
		hex[i] = branch.s[n + i];
	hex[i] = '\0';
	return (uint32_t)strtoul(hex, NULL, 16);
}

static void note_answer(struct inbound *in, const struct sip_msg *msg)
{
	bool cancel = sip_str_eq(msg->cseq_method, "CANCEL");
	char branch[96];
	struct inbound_pending *p;

	if (sip_str_copy(branch, sizeof(branch), msg->via.branch))
		return;
	p = pending_find(in, branch, cancel);
	if (!p)
		return;
	if (msg->status >= 200)
		pending_free(p);
	else
		p->provisional = true;
}

static void dest_message(void *arg, const char *buf, size_t len)
{
	struct inbound_dest *d = arg;
	struct inbound *in = d->in;
	struct sip_msg *msg = malloc(sizeof(*msg));
	struct inbound_flow *f;
	struct strbuf sb;
	uint32_t id;
	int err;

	if (!msg)
		return;
	if (sip_msg_parse(msg, buf, len) || msg->is_request) {
		log_debug("inbound: not a response from the call application");
		goto out;
	}
	id = branch_flow(msg->via.branch);
	if (!id) {
		log_debug("inbound: a response from the call application "
			  "that we did not ask for");
		goto out;
	}
	note_answer(in, msg);
	f = inbound_flow_find(in, id);
	if (!f) {
		log_info("inbound: %d from the call application: its flow "
			 "is gone, dropped", msg->status);
		goto out;
	}
	sb_init(&sb);
	build_response(&sb, msg, buf);
	err = sb.failed ? -ENOMEM : tp_conn_send(f->conn, sb.buf, sb.len);
	sb_free(&sb);
	if (err)
		log_warn("inbound: %d from the call application not sent "
			 "back: %s", msg->status, strerror(-err));
	else
		in->st.responses++;
out:
	free(msg);
}

void inbound_relay_free(struct inbound *in)
{
	unsigned int i;

	for (i = 0; i < INBOUND_MAX_PENDING; i++) {
		if (in->pending[i].used)
			pending_free(&in->pending[i]);
	}
	for (i = 0; i < INBOUND_MAX_DESTS; i++)
		dest_close(&in->dests[i]);
}
