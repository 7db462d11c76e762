// SPDX-License-Identifier: GPL-2.0
/*
 * Registration client against an in-process registrar on a loopback UDP
 * socket, through the real transport and resolver (IP literal, no DNS):
 * digest, refresh data, un-register, wrong password, 423, stale nonce,
 * SHA-256 preference, 503 and silence.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/log.h"
#include "core/loop.h"
#include "dns/resolver.h"
#include "reg/reg.h"
#include "sip/digest.h"
#include "sip/msg.h"

#define USER	"100"
#define PASS	"s3cret-pw"
#define REALM	"test.example"

enum mode {
	M_DIGEST,	/* 401 once, then 200 for valid credentials */
	M_WRONG_PW,	/* 401 with a new nonce every time */
	M_423,		/* 423 Min-Expires: 120 below 120, then 200 */
	M_STALE,	/* 401, then 401 stale=true once, then 200 */
	M_SHA256,	/* offer SHA-256 first, MD5 second */
	M_503,
	M_SILENT,
	M_ROTATE,	/* each nonce is good for one REGISTER only */
};

struct registrar {
	int fd;
	uint16_t port;
	enum mode mode;
	unsigned int n_req, n_unreg, nonce_seq;
	bool stale_sent;
	uint32_t last_expires;
	char last_alg[32];
	char last_contact[256];
	char cur_nonce[16];
	bool bad_auth;
};

struct fixture {
	struct loop *loop;
	struct resolver *res;
	struct reg *reg;
	struct registrar srv;
	enum reg_state states[32];
	unsigned int n_states;
	bool stopped;
	struct loop_timer stop;
	char log_path[64];
	int saved_stderr;
	bool passed;		/* else teardown shows the captured log */
};

static void str_copy(char *dst, size_t size, struct sip_str s)
{
	if (sip_str_copy(dst, size, s))
		dst[0] = '\0';
}

/* Value of auth-param @name in an Authorization header value. */
static bool auth_param(const char *hdr, const char *name, char *out,
		       size_t size)
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
	if (*p == '"') {
		e = strchr(++p, '"');
	} else {
		e = p + strcspn(p, ", ");
	}
	if (!e || (size_t)(e - p) >= size)
		return false;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return true;
}

/* Checks the credentials like a registrar would. */
static bool auth_ok(struct registrar *s, const char *hdr)
{
	char user[64], realm[64], nonce[64], uri[128], resp[160], alg[32];
	char nc[16], cnonce[80], qop[16], want[DIGEST_HEX_MAX];
	struct sip_str as;
	enum digest_alg a;
	bool sess;

	if (!auth_param(hdr, "username", user, sizeof(user)) ||
	    !auth_param(hdr, "realm", realm, sizeof(realm)) ||
	    !auth_param(hdr, "nonce", nonce, sizeof(nonce)) ||
	    !auth_param(hdr, "uri", uri, sizeof(uri)) ||
	    !auth_param(hdr, "response", resp, sizeof(resp)) ||
	    !auth_param(hdr, "nc", nc, sizeof(nc)) ||
	    !auth_param(hdr, "cnonce", cnonce, sizeof(cnonce)) ||
	    !auth_param(hdr, "qop", qop, sizeof(qop)))
		return false;
	if (!auth_param(hdr, "algorithm", alg, sizeof(alg)))
		strcpy(alg, "MD5");
	snprintf(s->last_alg, sizeof(s->last_alg), "%s", alg);
	as = (struct sip_str){ alg, strlen(alg) };
	if (digest_alg_parse(as, &a, &sess))
		return false;
	if (digest_response(a, sess, user, realm, PASS, nonce, cnonce, nc,
			    qop, "REGISTER", uri, want))
		return false;
	if (s->mode == M_ROTATE && strcmp(nonce, s->cur_nonce))
		return false;
	return !strcmp(want, resp) && !strcmp(user, USER) &&
	       !strcmp(realm, REALM) && !strcmp(uri, "sip:" REALM);
}

static const char *hdr_value(const struct sip_msg *m, const char *name,
			     char *out, size_t size)
{
	unsigned int i;

	for (i = 0; i < m->n_hdrs; i++) {
		if (sip_str_caseeq(m->hdrs[i].name, name)) {
			str_copy(out, size, m->hdrs[i].value);
			return out;
		}
	}
	return NULL;
}

static void answer(struct registrar *s, const struct sip_msg *req,
		   const struct sockaddr_storage *peer, socklen_t plen,
		   const char *status, const char *extra)
{
	char via[512], from[256], to[256], cid[128], cseq[64], out[4096];
	int n;

	hdr_value(req, "Via", via, sizeof(via));
	str_copy(from, sizeof(from), req->from);
	str_copy(to, sizeof(to), req->to);
	str_copy(cid, sizeof(cid), req->call_id);
	snprintf(cseq, sizeof(cseq), "%u REGISTER", req->cseq);
	n = snprintf(out, sizeof(out),
		     "SIP/2.0 %s\r\nVia: %s;received=127.0.0.1\r\n"
		     "From: %s\r\nTo: %s;tag=srv\r\nCall-ID: %s\r\n"
		     "CSeq: %s\r\n%sContent-Length: 0\r\n\r\n",
		     status, via, from, to, cid, cseq, extra);
	assert_true(n > 0 && (size_t)n < sizeof(out));
	assert_int_equal(sendto(s->fd, out, (size_t)n, 0,
				(const struct sockaddr *)peer, plen), n);
}

static void challenge(struct registrar *s, const struct sip_msg *req,
		      const struct sockaddr_storage *peer, socklen_t plen,
		      bool stale)
{
	char extra[512];

	s->nonce_seq++;
	snprintf(s->cur_nonce, sizeof(s->cur_nonce), "n%u", s->nonce_seq);
	if (s->mode == M_SHA256)
		snprintf(extra, sizeof(extra),
			 "WWW-Authenticate: Digest realm=\"" REALM "\", "
			 "nonce=\"n%u\", algorithm=SHA-256, qop=\"auth\"\r\n"
			 "WWW-Authenticate: Digest realm=\"" REALM "\", "
			 "nonce=\"n%u\", algorithm=MD5, qop=\"auth\"\r\n",
			 s->nonce_seq, s->nonce_seq);
	else
		snprintf(extra, sizeof(extra),
			 "WWW-Authenticate: Digest realm=\"" REALM "\", "
			 "nonce=\"n%u\", qop=\"auth\", opaque=\"o\"%s\r\n",
			 s->nonce_seq, stale ? ", stale=true" : "");
	answer(s, req, peer, plen, "401 Unauthorized", extra);
}

static void on_request(struct registrar *s, const struct sip_msg *req,
		       const struct sockaddr_storage *peer, socklen_t plen)
{
	char auth[1024], extra[512];
	bool has_auth = hdr_value(req, "Authorization", auth, sizeof(auth));

	s->n_req++;
	s->last_expires = req->has_expires ? req->expires : 9999;
	if (req->n_contacts)
		str_copy(s->last_contact, sizeof(s->last_contact),
			 req->contacts[0].uri);
	if (s->mode == M_SILENT)
		return;
	if (s->mode == M_503) {
		answer(s, req, peer, plen, "503 Service Unavailable",
		       "Retry-After: 30\r\n");
		return;
	}
	if (s->mode == M_423 && s->last_expires < 120) {
		answer(s, req, peer, plen, "423 Interval Too Brief",
		       "Min-Expires: 120\r\n");
		return;
	}
	if (!has_auth) {
		challenge(s, req, peer, plen, false);
		return;
	}
	if (s->mode == M_WRONG_PW || !auth_ok(s, auth)) {
		s->bad_auth = s->mode == M_DIGEST;
		challenge(s, req, peer, plen, false);
		return;
	}
	if (s->mode == M_STALE && !s->stale_sent) {
		s->stale_sent = true;
		challenge(s, req, peer, plen, true);
		return;
	}
	if (!s->last_expires) {
		s->n_unreg++;
		answer(s, req, peer, plen, "200 OK", "");
		return;
	}
	if (s->mode == M_ROTATE)
		s->cur_nonce[0] = '\0';	/* used up */
	/* Grant less than asked, and list another phone's binding too. */
	snprintf(extra, sizeof(extra),
		 "Contact: <sip:other@192.0.2.9>;expires=50, <%s>;expires=%u\r\n",
		 s->last_contact, s->last_expires / 2);
	answer(s, req, peer, plen, "200 OK", extra);
}

static void srv_readable(int fd, unsigned int events, void *arg)
{
	struct registrar *s = arg;
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	struct sip_msg *req = malloc(sizeof(*req));
	char buf[8192];
	ssize_t n;

	(void)events;
	assert_non_null(req);
	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen);
	if (n > 0 && !sip_msg_parse(req, buf, (size_t)n) && req->is_request)
		on_request(s, req, &peer, plen);
	free(req);
}

static void on_state(void *arg, struct reg *reg, enum reg_state state)
{
	struct fixture *f = arg;

	(void)reg;
	if (f->n_states < 32)
		f->states[f->n_states++] = state;
}

static void on_stopped(void *arg, struct reg *reg)
{
	struct fixture *f = arg;

	(void)reg;
	f->stopped = true;
	loop_stop(f->loop);
}

static int setup(void **state)
{
	static struct fixture f;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	struct resolver_opts ro = { .timeout_ms = 500, .tries = 1 };
	int fd;

	memset(&f, 0, sizeof(f));
	snprintf(f.log_path, sizeof(f.log_path), "/tmp/test_reg.%d.log",
		 (int)getpid());
	/* The daemon logs to stderr: capture it to check the messages. */
	fflush(stderr);
	f.saved_stderr = dup(STDERR_FILENO);
	fd = open(f.log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0 && f.saved_stderr >= 0);
	dup2(fd, STDERR_FILENO);
	close(fd);
	log_init("test_reg", false, LOG_LVL_DEBUG);
	assert_int_equal(loop_new(&f.loop), 0);
	assert_int_equal(resolver_new(f.loop, &ro, &f.res), 0);
	f.srv.fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(f.srv.fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(f.srv.fd, (struct sockaddr *)&sin, len), 0);
	assert_int_equal(getsockname(f.srv.fd, (struct sockaddr *)&sin, &len),
			 0);
	f.srv.port = ntohs(sin.sin_port);
	assert_int_equal(loop_fd_add(f.loop, f.srv.fd, LOOP_IN, srv_readable,
				     &f.srv), 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	reg_free(f->reg);
	loop_fd_del(f->loop, f->srv.fd);
	close(f->srv.fd);
	resolver_free(f->res);
	loop_free(f->loop);
	fflush(stderr);
	dup2(f->saved_stderr, STDERR_FILENO);
	close(f->saved_stderr);
	if (!f->passed) {
		char line[512];
		FILE *fp = fopen(f->log_path, "r");

		while (fp && fgets(line, sizeof(line), fp))
			fprintf(stderr, "log: %s", line);
		if (fp)
			fclose(fp);
	}
	unlink(f->log_path);
	return 0;
}

static void start_reg(struct fixture *f, enum mode mode, uint32_t expires)
{
	static const struct reg_handlers h = {
		.on_state = on_state,
		.on_stopped = on_stopped,
	};
	struct reg_params p = {
		.line = 3,
		.user = USER,
		.domain = REALM,
		.password = PASS,
		.proxy_host = "127.0.0.1",
		.proxy_port = f->srv.port,
		.proto = TP_UDP,
		.expires_s = expires,
		.no_response_timeout_ms = 300,
		.t1_ms = 50,
		.t2_ms = 200,
		.failed_retry_s = 30,
		.stop_timeout_ms = 300,
		.outbound = true,
	};

	f->srv.mode = mode;
	assert_int_equal(reg_new(f->loop, f->res, &p, &h, f, &f->reg), 0);
	assert_int_equal(reg_start(f->reg), 0);
}

static void stop_fn(void *arg)
{
	loop_stop(((struct fixture *)arg)->loop);
}

static void run_for(struct fixture *f, uint64_t ms)
{
	loop_timer_start(f->loop, &f->stop, ms, stop_fn, f);
	assert_int_equal(loop_run(f->loop), 0);
	loop_timer_cancel(f->loop, &f->stop);
}

static bool log_has(struct fixture *f, const char *needle)
{
	char *buf = calloc(1, 65536);
	FILE *fp;
	bool found;

	fflush(stderr);
	fp = fopen(f->log_path, "r");
	assert_non_null(fp);
	fread(buf, 1, 65535, fp);
	fclose(fp);
	found = strstr(buf, needle) != NULL;
	free(buf);
	return found;
}

static void test_register_and_unregister(void **state)
{
	struct fixture *f = *state;
	struct reg_status *st = malloc(sizeof(*st));

	start_reg(f, M_DIGEST, 600);
	run_for(f, 500);
	reg_status(f->reg, st);
	assert_int_equal(st->state, REG_REGISTERED);
	assert_int_equal(f->srv.n_req, 2);	/* challenge, then 200 */
	assert_false(f->srv.bad_auth);
	assert_int_equal(f->srv.last_expires, 600);
	assert_string_equal(f->srv.last_alg, "MD5");
	/* The binding the server granted for us, not the other one. */
	assert_int_equal(st->granted_expires_s, 300);
	assert_true(st->expires_left_s > 290 && st->expires_left_s <= 300);
	assert_string_equal(st->contact, f->srv.last_contact);
	assert_non_null(strstr(st->contact, "sip:" USER "@127.0.0.1:"));
	assert_int_equal(st->n_servers, 1);
	assert_int_equal(st->server, 0);
	assert_true(st->servers[0].in_use);
	assert_int_equal(st->servers[0].last, SL_RES_OK);
	assert_int_equal(st->servers[0].last_code, 200);
	assert_int_equal(st->last_error[0], '\0');
	assert_int_equal(f->states[0], REG_RESOLVING);
	assert_int_equal(f->states[1], REG_REGISTERING);
	assert_int_equal(f->states[2], REG_REGISTERED);

	reg_stop(f->reg);
	assert_false(f->stopped);	/* never from inside reg_stop() */
	run_for(f, 1000);
	assert_true(f->stopped);
	assert_int_equal(f->srv.n_unreg, 1);
	assert_int_equal(f->srv.last_expires, 0);
	reg_status(f->reg, st);
	assert_int_equal(st->state, REG_IDLE);
	assert_false(log_has(f, PASS));
	free(st);
	f->passed = true;
}

/* The password is refused: a clear error, then quiet until the retry. */
static void test_wrong_password(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;

	start_reg(f, M_WRONG_PW, 600);
	run_for(f, 800);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_FAILED);
	assert_int_equal(f->srv.n_req, 2);
	assert_int_equal(st.servers[0].last, SL_RES_AUTH);
	assert_int_equal(st.servers[0].last_code, 401);
	assert_non_null(strstr(st.last_error, "authentication failed"));
	assert_true(log_has(f, "line 3: authentication failed for user " USER
			    " at realm " REALM " (wrong password?)"));
	assert_false(log_has(f, PASS));
	assert_false(log_has(f, "response="));
	f->passed = true;
}

static void test_423_min_expires(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;

	start_reg(f, M_423, 60);
	run_for(f, 500);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_int_equal(f->srv.last_expires, 120);
	assert_int_equal(st.granted_expires_s, 60);
	assert_int_equal(f->srv.n_req, 3);	/* 423, 401, 200 */
	f->passed = true;
}

/* stale=true: answer the new nonce, do not call it a failure. */
static void test_stale_nonce(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;

	start_reg(f, M_STALE, 600);
	run_for(f, 500);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_int_equal(f->srv.n_req, 3);
	assert_false(f->srv.bad_auth);
	f->passed = true;
}

static void test_sha256_first(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;

	start_reg(f, M_SHA256, 600);
	run_for(f, 500);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_string_equal(f->srv.last_alg, "SHA-256");
	assert_false(f->srv.bad_auth);
	f->passed = true;
}

static void test_503(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;

	start_reg(f, M_503, 600);
	run_for(f, 500);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_FAILED);
	assert_int_equal(f->srv.n_req, 1);
	assert_int_equal(st.servers[0].last, SL_RES_503);
	assert_int_equal(st.servers[0].last_code, 503);
	f->passed = true;
}

/* No answer: Timer F (300 ms here) with UDP retransmissions. */
static void test_no_response(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;

	start_reg(f, M_SILENT, 600);
	run_for(f, 200);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERING);
	run_for(f, 400);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_FAILED);
	assert_int_equal(st.servers[0].last, SL_RES_TIMEOUT);
	/* 0, 50, 150 (+T2 200 would be 350: after Timer F). */
	assert_true(f->srv.n_req >= 2 && f->srv.n_req <= 3);
	assert_non_null(strstr(st.last_error, "no server answered"));

	/* Stopping without a binding needs no un-REGISTER. */
	reg_stop(f->reg);
	run_for(f, 1000);
	assert_true(f->stopped);
	assert_int_equal(f->srv.n_unreg, 0);
	f->passed = true;
}

/* Refresh before the granted expiry, with credentials up front. */
static void test_refresh(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;

	start_reg(f, M_DIGEST, 4);	/* the registrar grants 2 s */
	run_for(f, 400);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_int_equal(st.granted_expires_s, 2);
	assert_int_equal(f->srv.n_req, 2);
	/* 50..80% of 2 s after the 200: between 1.0 and 1.6 s. */
	run_for(f, 500);
	assert_int_equal(f->srv.n_req, 2);
	run_for(f, 1000);
	assert_int_equal(f->srv.n_req, 3);
	assert_int_equal(f->srv.nonce_seq, 1);	/* no new challenge */
	assert_false(f->srv.bad_auth);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_true(st.expires_left_s >= 1);
	f->passed = true;
}

/*
 * A refresh with the last nonce challenged again (no stale=true): that
 * is a new challenge, not a wrong password.
 */
static void test_refresh_rechallenged(void **state)
{
	struct fixture *f = *state;
	struct reg_status st;

	start_reg(f, M_ROTATE, 4);
	run_for(f, 1900);
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_REGISTERED);
	assert_int_equal(f->srv.n_req, 4);	/* 401 200, 401 200 */
	assert_int_equal(f->srv.nonce_seq, 2);
	assert_int_equal(st.servers[0].last, SL_RES_OK);
	assert_false(log_has(f, "authentication failed"));
	f->passed = true;
}

/* ICMP port unreachable ends the attempt at once, as its own result. */
static void test_unreachable(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	struct reg_status st;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	/* A port nobody listens on: bind one, then close it. */
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, len), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	f->srv.port = ntohs(sin.sin_port);
	start_reg(f, M_SILENT, 600);
	run_for(f, 150);	/* well before Timer F (300 ms) */
	reg_status(f->reg, &st);
	assert_int_equal(st.state, REG_FAILED);
	assert_int_equal(st.servers[0].last, SL_RES_UNREACHABLE);
	f->passed = true;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register_and_unregister,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_password, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_423_min_expires, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stale_nonce, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sha256_first, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_503, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_response, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh_rechallenged,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreachable, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
