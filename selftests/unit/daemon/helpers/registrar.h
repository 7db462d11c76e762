/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test helper: an in-process SIP registrar on 127.0.0.1 (UDP or TCP; or
 * another loopback address, registrar_open_at()),
 * driven by the daemon's own event loop, for the registration client,
 * the probe and the proxy set tests. Header-only: each test file is its
 * own binary.
 *
 * Use:
 *	struct registrar r;
 *	registrar_open(&r, loop, TP_UDP);	// or TP_TCP; 0 or -errno
 *	registrar_server(&r, &srv);		// struct sip_server to use
 *	r.mode = REGISTRAR_DIGEST;		// how REGISTER is answered
 *	r.options = REGISTRAR_OPT_200;		// how OPTIONS is answered
 *	r.pong = true;				// answer CRLF pings (TCP)
 *	r.require_outbound = true;		// 2xx: "Require: outbound"
 *	r.flow_timer_s = 30;			// 2xx: "Flow-Timer: 30"
 *	r.also_bound = "<sip:..>;...";		// 2xx: listed before ours
 *	r.greeting = "junk\r\n";		// TCP: sent on accept
 *	... run the loop ...
 *	registrar_drop_conns(&r);		// TCP: close every accepted
 *						// connection (peer reset)
 *	registrar_close(&r);
 *
 * Credentials: user REGISTRAR_USER, password REGISTRAR_PASS, realm and
 * SIP domain REGISTRAR_REALM. A 200 grants half the Expires asked for and
 * also lists another phone's binding. What it saw is in the counters and
 * last_* fields below; every REGISTER it granted and every Expires: 0 it
 * received gets a number from one counter shared by all registrars of
 * the binary (granted_seq, unreg_seq), so tests can tell which came
 * first across two registrars.
 */
#ifndef SELFTESTS_DAEMON_REGISTRAR_H
#define SELFTESTS_DAEMON_REGISTRAR_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/loop.h"
#include "dns/resolver.h"
#include "sip/digest.h"
#include "sip/msg.h"
#include "transport/framing.h"
#include "transport/transport.h"

#define REGISTRAR_USER		"100"
#define REGISTRAR_PASS		"s3cret-pw"
#define REGISTRAR_REALM		"test.example"
#define REGISTRAR_MAX_CONNS	4

enum registrar_mode {
	REGISTRAR_DIGEST,	/* 401 once, then 200 for valid credentials */
	REGISTRAR_WRONG_PW,	/* 401 with a new nonce every time */
	REGISTRAR_423,		/* 423 Min-Expires: 120 below 120, then 200 */
	REGISTRAR_STALE,	/* 401, then 401 stale=true once, then 200 */
	REGISTRAR_SHA256,	/* offer SHA-256 first, MD5 second */
	REGISTRAR_503,		/* 503 with Retry-After: 30 */
	REGISTRAR_SILENT,	/* REGISTER gets no answer */
	REGISTRAR_ROTATE,	/* each nonce is good for one REGISTER only */
};

enum registrar_opt {
	REGISTRAR_OPT_200,
	REGISTRAR_OPT_503,
	REGISTRAR_OPT_SILENT,
};

struct registrar_conn {
	int fd;			/* -1: free slot */
	char buf[16384];
	size_t len;
	unsigned int lf_run;	/* LFs in the current CRLF run */
};

struct registrar {
	struct loop *loop;
	enum tp_proto proto;
	int fd;
	char ip[INET_ADDRSTRLEN];	/* where it listens */
	uint16_t port;
	enum registrar_mode mode;
	enum registrar_opt options;
	bool pong;
	bool require_outbound;	/* a 2xx to REGISTER says RFC 5626 */
	uint32_t flow_timer_s;	/* a 2xx's Flow-Timer; 0: none */
	/* A binding a 2xx lists before the client's (a location database
	 * shared with another registrar). */
	const char *also_bound;
	const char *greeting;	/* TCP: written at once on accept */
	struct registrar_conn conns[REGISTRAR_MAX_CONNS];

	unsigned int n_req, n_register, n_unreg, n_options, n_pings;
	unsigned int n_accepts, nonce_seq;
	bool stale_sent, bad_auth;
	uint32_t last_expires;		/* 9999: no Expires header */
	uint32_t last_cseq;
	uint16_t last_src_port;		/* of the last request */
	uint16_t last_reg_src_port;	/* of the last REGISTER */
	uint16_t last_opt_src_port;	/* of the last OPTIONS */
	char last_alg[32];
	char last_contact[256];
	char last_instance[64];		/* +sip.instance of the Contact */
	char last_reg_id[16];		/* its reg-id, "" none */
	char last_call_id[128];
	char last_ruri[128];
	char cur_nonce[16];
	unsigned int granted_seq, unreg_seq;
	uint64_t last_req_ms;		/* loop time of the last request */
	uint64_t last_reg_ms;		/* of the last REGISTER */
};

/* One order for every registrar of the test binary. */
static unsigned int registrar_seq;

static inline void registrar_str(char *dst, size_t size, struct sip_str s)
{
	if (sip_str_copy(dst, size, s))
		dst[0] = '\0';
}

/* Value of auth-param @name in an Authorization header value. */
static inline bool registrar_auth_param(const char *hdr, const char *name,
					char *out, size_t size)
{
	char key[40];
	const char *p, *e;

	snprintf(key, sizeof(key), "%s=", name);
	for (p = strstr(hdr, key); p; p = strstr(p + 1, key)) {
		if (p == hdr || p[-1] == ' ' || p[-1] == ',')
			break;
	}
	if (!p)
		return false;
	p += strlen(key);
	if (*p == '"')
		e = strchr(++p, '"');
	else
		e = p + strcspn(p, ", ");
	if (!e || (size_t)(e - p) >= size)
		return false;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return true;
}

/* Checks the credentials like a registrar would. */
static inline bool registrar_auth_ok(struct registrar *r, const char *hdr)
{
	char user[64], realm[64], nonce[64], uri[128], resp[160], alg[32];
	char nc[16], cnonce[80], qop[16], want[DIGEST_HEX_MAX];
	struct sip_str as;
	enum digest_alg a;
	bool sess;

	if (!registrar_auth_param(hdr, "username", user, sizeof(user)) ||
	    !registrar_auth_param(hdr, "realm", realm, sizeof(realm)) ||
	    !registrar_auth_param(hdr, "nonce", nonce, sizeof(nonce)) ||
	    !registrar_auth_param(hdr, "uri", uri, sizeof(uri)) ||
	    !registrar_auth_param(hdr, "response", resp, sizeof(resp)) ||
	    !registrar_auth_param(hdr, "nc", nc, sizeof(nc)) ||
	    !registrar_auth_param(hdr, "cnonce", cnonce, sizeof(cnonce)) ||
	    !registrar_auth_param(hdr, "qop", qop, sizeof(qop)))
		return false;
	if (!registrar_auth_param(hdr, "algorithm", alg, sizeof(alg)))
		strcpy(alg, "MD5");
	snprintf(r->last_alg, sizeof(r->last_alg), "%s", alg);
	as = (struct sip_str){ alg, strlen(alg) };
	if (digest_alg_parse(as, &a, &sess))
		return false;
	if (digest_response(a, sess, user, realm, REGISTRAR_PASS, nonce,
			    cnonce, nc, qop, "REGISTER", uri, want))
		return false;
	if (r->mode == REGISTRAR_ROTATE && strcmp(nonce, r->cur_nonce))
		return false;
	return !strcmp(want, resp) && !strcmp(user, REGISTRAR_USER) &&
	       !strcmp(realm, REGISTRAR_REALM) &&
	       !strcmp(uri, "sip:" REGISTRAR_REALM);
}

static inline const char *registrar_hdr(const struct sip_msg *m,
					const char *name, char *out,
					size_t size)
{
	unsigned int i;

	for (i = 0; i < m->n_hdrs; i++) {
		if (sip_str_caseeq(m->hdrs[i].name, name)) {
			registrar_str(out, size, m->hdrs[i].value);
			return out;
		}
	}
	return NULL;
}

/* Where an answer goes: a UDP peer, or the TCP connection it came on. */
struct registrar_peer {
	int fd;
	struct sockaddr_storage addr;
	socklen_t len;		/* 0: stream */
};

static inline void registrar_send(const struct registrar_peer *to,
				  const char *buf, size_t len)
{
	if (to->len)
		sendto(to->fd, buf, len, 0,
		       (const struct sockaddr *)&to->addr, to->len);
	else
		send(to->fd, buf, len, MSG_NOSIGNAL);
}

static inline void registrar_answer(const struct registrar_peer *to,
				    const struct sip_msg *req,
				    const char *status, const char *extra)
{
	char via[512] = "", from[256], tto[256], cid[128], method[32];
	char out[4096];
	int n;

	registrar_hdr(req, "Via", via, sizeof(via));
	registrar_str(from, sizeof(from), req->from);
	registrar_str(tto, sizeof(tto), req->to);
	registrar_str(cid, sizeof(cid), req->call_id);
	registrar_str(method, sizeof(method), req->cseq_method);
	n = snprintf(out, sizeof(out),
		     "SIP/2.0 %s\r\nVia: %s;received=127.0.0.1\r\n"
		     "From: %s\r\nTo: %s;tag=srv\r\nCall-ID: %s\r\n"
		     "CSeq: %u %s\r\n%sContent-Length: 0\r\n\r\n",
		     status, via, from, tto, cid, req->cseq, method, extra);
	if (n > 0 && (size_t)n < sizeof(out))
		registrar_send(to, out, (size_t)n);
}

static inline void registrar_challenge(struct registrar *r,
				       const struct registrar_peer *to,
				       const struct sip_msg *req, bool stale)
{
	char extra[512];

	r->nonce_seq++;
	snprintf(r->cur_nonce, sizeof(r->cur_nonce), "n%u", r->nonce_seq);
	if (r->mode == REGISTRAR_SHA256)
		snprintf(extra, sizeof(extra),
			 "WWW-Authenticate: Digest realm=\"" REGISTRAR_REALM
			 "\", nonce=\"n%u\", algorithm=SHA-256, qop=\"auth\"\r\n"
			 "WWW-Authenticate: Digest realm=\"" REGISTRAR_REALM
			 "\", nonce=\"n%u\", algorithm=MD5, qop=\"auth\"\r\n",
			 r->nonce_seq, r->nonce_seq);
	else
		snprintf(extra, sizeof(extra),
			 "WWW-Authenticate: Digest realm=\"" REGISTRAR_REALM
			 "\", nonce=\"n%u\", qop=\"auth\", opaque=\"o\"%s\r\n",
			 r->nonce_seq, stale ? ", stale=true" : "");
	registrar_answer(to, req, "401 Unauthorized", extra);
}

static inline void registrar_options(struct registrar *r,
				     const struct registrar_peer *to,
				     const struct sip_msg *req)
{
	r->n_options++;
	r->last_opt_src_port = r->last_src_port;
	if (r->options == REGISTRAR_OPT_200)
		registrar_answer(to, req, "200 OK", "");
	else if (r->options == REGISTRAR_OPT_503)
		registrar_answer(to, req, "503 Service Unavailable",
				 "Retry-After: 20\r\n");
}

static inline void registrar_register(struct registrar *r,
				      const struct registrar_peer *to,
				      const struct sip_msg *req)
{
	char auth[1024], extra[512];
	bool has_auth = registrar_hdr(req, "Authorization", auth,
				      sizeof(auth));

	r->n_register++;
	r->last_reg_ms = loop_now_ms(r->loop);
	r->last_reg_src_port = r->last_src_port;
	r->last_expires = req->has_expires ? req->expires : 9999;
	if (req->n_contacts) {
		struct sip_str v;

		registrar_str(r->last_contact, sizeof(r->last_contact),
			      req->contacts[0].uri);
		r->last_instance[0] = r->last_reg_id[0] = '\0';
		if (sip_param_find(req->contacts[0].params, "+sip.instance",
				   &v))
			registrar_str(r->last_instance,
				      sizeof(r->last_instance), v);
		if (sip_param_find(req->contacts[0].params, "reg-id", &v))
			registrar_str(r->last_reg_id, sizeof(r->last_reg_id),
				      v);
	}
	if (r->mode == REGISTRAR_SILENT)
		return;
	if (r->mode == REGISTRAR_503) {
		registrar_answer(to, req, "503 Service Unavailable",
				 "Retry-After: 30\r\n");
		return;
	}
	if (r->mode == REGISTRAR_423 && r->last_expires < 120) {
		registrar_answer(to, req, "423 Interval Too Brief",
				 "Min-Expires: 120\r\n");
		return;
	}
	if (!has_auth) {
		registrar_challenge(r, to, req, false);
		return;
	}
	if (r->mode == REGISTRAR_WRONG_PW || !registrar_auth_ok(r, auth)) {
		r->bad_auth = r->mode == REGISTRAR_DIGEST;
		registrar_challenge(r, to, req, false);
		return;
	}
	if (r->mode == REGISTRAR_STALE && !r->stale_sent) {
		r->stale_sent = true;
		registrar_challenge(r, to, req, true);
		return;
	}
	if (!r->last_expires) {
		r->n_unreg++;
		r->unreg_seq = ++registrar_seq;
		registrar_answer(to, req, "200 OK", "");
		return;
	}
	if (r->mode == REGISTRAR_ROTATE)
		r->cur_nonce[0] = '\0';	/* used up */
	r->granted_seq = ++registrar_seq;
	/* Grant less than asked, and list another phone's binding too. */
	snprintf(extra, sizeof(extra),
		 "Contact: <sip:other@192.0.2.9>;expires=50, %s%s<%s>;expires=%u\r\n"
		 "%s%s%.0u%s", r->also_bound ? r->also_bound : "",
		 r->also_bound ? ", " : "", r->last_contact,
		 r->last_expires / 2,
		 r->require_outbound ? "Require: outbound\r\n" : "",
		 r->flow_timer_s ? "Flow-Timer: " : "", r->flow_timer_s,
		 r->flow_timer_s ? "\r\n" : "");
	registrar_answer(to, req, "200 OK", extra);
}

static inline void registrar_input(struct registrar *r,
				   const struct registrar_peer *to,
				   const char *buf, size_t len)
{
	struct sip_msg *req = malloc(sizeof(*req));

	if (!req)
		return;
	if (!sip_msg_parse(req, buf, len) && req->is_request) {
		r->n_req++;
		r->last_cseq = req->cseq;
		r->last_req_ms = loop_now_ms(r->loop);
		registrar_str(r->last_call_id, sizeof(r->last_call_id),
			      req->call_id);
		registrar_str(r->last_ruri, sizeof(r->last_ruri), req->ruri);
		if (sip_str_eq(req->method, "OPTIONS"))
			registrar_options(r, to, req);
		else if (sip_str_eq(req->method, "REGISTER"))
			registrar_register(r, to, req);
	}
	free(req);
}

static inline uint16_t registrar_port_of(const struct sockaddr_storage *ss)
{
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static inline void registrar_udp_fd(int fd, unsigned int events, void *arg)
{
	struct registrar *r = arg;
	struct registrar_peer to = { .fd = fd };
	char buf[8192];
	ssize_t n;

	(void)events;
	for (;;) {
		to.len = sizeof(to.addr);
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&to.addr, &to.len);
		if (n <= 0)
			return;
		r->last_src_port = registrar_port_of(&to.addr);
		registrar_input(r, &to, buf, (size_t)n);
	}
}

static inline void registrar_conn_close(struct registrar *r,
					struct registrar_conn *c)
{
	loop_fd_del(r->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	c->len = 0;
	c->lf_run = 0;
}

/* Counts CRLF CRLF pings in a CRLF run and answers each with a CRLF. */
static inline void registrar_crlf(struct registrar *r,
				  struct registrar_conn *c, const char *p,
				  size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\n')
			continue;
		if (++c->lf_run % 2)
			continue;
		r->n_pings++;
		if (r->pong)
			send(c->fd, "\r\n", 2, MSG_NOSIGNAL);
	}
}

static inline struct registrar_conn *registrar_conn_of(struct registrar *r,
						       int fd)
{
	for (unsigned int i = 0; i < REGISTRAR_MAX_CONNS; i++)
		if (r->conns[i].fd == fd)
			return &r->conns[i];
	return NULL;
}

static inline void registrar_tcp_conn_fd(int fd, unsigned int events,
					 void *arg)
{
	struct registrar *r = arg;
	struct registrar_conn *c = registrar_conn_of(r, fd);
	struct registrar_peer to = { .fd = fd };
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	size_t skip, mlen;
	ssize_t n;
	int f;

	(void)events;
	if (!c)
		return;
	n = recv(fd, c->buf + c->len, sizeof(c->buf) - c->len, MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		registrar_conn_close(r, c);
		return;
	}
	if (n < 0)
		return;
	c->len += (size_t)n;
	if (!getpeername(fd, (struct sockaddr *)&ss, &sl))
		r->last_src_port = registrar_port_of(&ss);
	for (;;) {
		f = tp_frame(c->buf, c->len, &skip, &mlen);
		registrar_crlf(r, c, c->buf, skip);
		if (f == 1) {
			c->lf_run = 0;
			registrar_input(r, &to, c->buf + skip, mlen);
			/* The test may have dropped the connection. */
			if (c->fd < 0)
				return;
			skip += mlen;
		}
		memmove(c->buf, c->buf + skip, c->len - skip);
		c->len -= skip;
		if (f != 1)
			break;
	}
	if (f < 0)
		registrar_conn_close(r, c);
}

static inline void registrar_accept_fd(int fd, unsigned int events,
				       void *arg)
{
	struct registrar *r = arg;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct registrar_conn *c;

	(void)events;
	if (cfd < 0)
		return;
	c = registrar_conn_of(r, -1);
	if (!c || loop_fd_add(r->loop, cfd, LOOP_IN, registrar_tcp_conn_fd,
			      r)) {
		close(cfd);
		return;
	}
	r->n_accepts++;
	if (r->greeting)
		send(cfd, r->greeting, strlen(r->greeting), MSG_NOSIGNAL);
	c->fd = cfd;
	c->len = 0;
	c->lf_run = 0;
}

/* Closes every accepted TCP connection: the client sees a reset/EOF. */
static inline void registrar_drop_conns(struct registrar *r)
{
	for (unsigned int i = 0; i < REGISTRAR_MAX_CONNS; i++)
		if (r->conns[i].fd >= 0)
			registrar_conn_close(r, &r->conns[i]);
}

/* Listens on IPv4 address @ip, port @port (0: any free one). 0 or
 * -errno. */
static inline int registrar_open_at(struct registrar *r, struct loop *loop,
				    enum tp_proto proto, const char *ip,
				    uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int type = proto == TP_UDP ? SOCK_DGRAM : SOCK_STREAM, err;

	memset(r, 0, sizeof(*r));
	for (unsigned int i = 0; i < REGISTRAR_MAX_CONNS; i++)
		r->conns[i].fd = -1;
	r->loop = loop;
	r->proto = proto;
	r->pong = true;
	snprintf(r->ip, sizeof(r->ip), "%s", ip);
	if (inet_pton(AF_INET, ip, &sin.sin_addr) != 1)
		return -EINVAL;
	sin.sin_port = htons(port);
	r->fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->fd < 0)
		return -errno;
	if (bind(r->fd, (struct sockaddr *)&sin, len) ||
	    getsockname(r->fd, (struct sockaddr *)&sin, &len) ||
	    (type == SOCK_STREAM && listen(r->fd, 8))) {
		err = -errno;
		close(r->fd);
		r->fd = -1;
		return err;
	}
	r->port = ntohs(sin.sin_port);
	err = loop_fd_add(loop, r->fd, LOOP_IN, type == SOCK_DGRAM ?
			  registrar_udp_fd : registrar_accept_fd, r);
	if (err) {
		close(r->fd);
		r->fd = -1;
	}
	return err;
}

/* Listens on 127.0.0.1, any free port. 0 or -errno. */
static inline int registrar_open(struct registrar *r, struct loop *loop,
				 enum tp_proto proto)
{
	return registrar_open_at(r, loop, proto, "127.0.0.1", 0);
}

static inline void registrar_close(struct registrar *r)
{
	registrar_drop_conns(r);
	if (r->fd >= 0) {
		loop_fd_del(r->loop, r->fd);
		close(r->fd);
	}
	r->fd = -1;
}

/* The server to hand to reg_register_at() or probe_start(). */
static inline void registrar_server(const struct registrar *r,
				    struct sip_server *srv)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&srv->addr;

	memset(srv, 0, sizeof(*srv));
	snprintf(srv->target, sizeof(srv->target), "%s", r->ip);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, r->ip, &sin->sin_addr);
	sin->sin_port = htons(r->port);
	srv->addr_len = sizeof(*sin);
	srv->proto = r->proto;
}

#endif
