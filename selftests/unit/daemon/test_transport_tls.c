// SPDX-License-Identifier: GPL-2.0
/*
 * TLS transport against an in-process GnuTLS server on loopback, with a
 * CA and server certificates made at test time: a good certificate
 * connects (SNI = the SIP domain) and carries messages both ways; a
 * wrong domain, a wildcard-only certificate and an untrusted chain are
 * refused with TP_ERR_TLS; a sip: URI SAN is accepted; a server that
 * never speaks TLS times out; a client certificate is offered; closing
 * sends close_notify.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/log.h"
#include "core/loop.h"
#include "helpers/testcert.h"
#include "helpers/testloop.h"
#include "helpers/tprec.h"
#include "transport/transport.h"

#define REQ "REGISTER sip:example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n"
#define RESP "SIP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok"

struct srv {
	struct loop *loop;
	int lfd, fd;
	uint16_t port;
	gnutls_certificate_credentials_t cred;
	gnutls_session_t s;
	bool silent;		/* accept, never answer */
	bool want_client_cert;
	bool handshaken, failed, got_client_cert;
	bool clean_close;	/* close_notify seen */
	char sni[256];
	char rx[4096];
	size_t rxlen;
};

struct fx {
	struct loop *loop;
	struct testcert ca, other_ca;
	char ca_path[64];
	struct srv srv;
	struct tprec r;
};

static void srv_on_fd(int fd, unsigned int events, void *arg)
{
	struct srv *v = arg;
	ssize_t n;
	int r;

	(void)events;
	if (!v->handshaken) {
		r = gnutls_handshake(v->s);
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
			loop_fd_mod(v->loop, fd,
				    gnutls_record_get_direction(v->s) ?
				    LOOP_OUT : LOOP_IN);
			return;
		}
		if (r < 0) {
			v->failed = true;
			loop_fd_del(v->loop, fd);
			return;
		}
		v->handshaken = true;
		loop_fd_mod(v->loop, fd, LOOP_IN);
		size_t l = sizeof(v->sni);
		unsigned int type;

		if (gnutls_server_name_get(v->s, v->sni, &l, &type, 0) < 0)
			v->sni[0] = '\0';
		unsigned int ncert = 0;

		v->got_client_cert = gnutls_certificate_get_peers(v->s, &ncert)
				     && ncert;
		gnutls_record_send(v->s, RESP, strlen(RESP));
		return;
	}
	n = gnutls_record_recv(v->s, v->rx + v->rxlen,
			       sizeof(v->rx) - 1 - v->rxlen);
	if (n > 0) {
		v->rxlen += (size_t)n;
		return;
	}
	if (n == GNUTLS_E_AGAIN)
		return;
	v->clean_close = n == 0;
	loop_fd_del(v->loop, fd);
}

static void srv_on_accept(int lfd, unsigned int events, void *arg)
{
	struct srv *v = arg;

	(void)events;
	v->fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (v->fd < 0 || v->silent)
		return;
	gnutls_init(&v->s, GNUTLS_SERVER | GNUTLS_NONBLOCK);
	gnutls_set_default_priority(v->s);
	gnutls_credentials_set(v->s, GNUTLS_CRD_CERTIFICATE, v->cred);
	if (v->want_client_cert)
		gnutls_certificate_server_set_request(v->s,
						      GNUTLS_CERT_REQUIRE);
	gnutls_transport_set_int(v->s, v->fd);
	loop_fd_add(v->loop, v->fd, LOOP_IN, srv_on_fd, v);
}

/* Serves a leaf for @sans signed by @ca. */
static void srv_start(struct fx *f, const struct testcert *ca,
		      const char *const *sans)
{
	struct srv *v = &f->srv;
	struct testcert leaf;

	memset(v, 0, sizeof(*v));
	v->loop = f->loop;
	v->fd = -1;
	assert_int_equal(testcert_make(&leaf, "server", sans, ca), 0);
	assert_int_equal(gnutls_certificate_allocate_credentials(&v->cred), 0);
	assert_int_equal(gnutls_certificate_set_x509_key(v->cred, &leaf.crt,
							 1, leaf.key), 0);
	testcert_free(&leaf);
	v->lfd = tprec_server(AF_INET, SOCK_STREAM, &v->port);
	assert_true(v->lfd >= 0);
	fcntl(v->lfd, F_SETFL, O_NONBLOCK);
	assert_int_equal(loop_fd_add(f->loop, v->lfd, LOOP_IN, srv_on_accept,
				     v), 0);
}

static void srv_stop(struct srv *v)
{
	if (!v->loop)
		return;
	loop_fd_del(v->loop, v->lfd);
	close(v->lfd);
	if (v->fd >= 0) {
		loop_fd_del(v->loop, v->fd);
		close(v->fd);
	}
	if (v->s)
		gnutls_deinit(v->s);
	gnutls_certificate_free_credentials(v->cred);
	v->loop = NULL;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || loop_new(&f->loop) ||
	    testcert_make(&f->ca, "sipsteer test CA", NULL, NULL) ||
	    testcert_make(&f->other_ca, "another CA", NULL, NULL) ||
	    testcert_write_pem(&f->ca, f->ca_path))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->r.c)
		tp_conn_close(f->r.c);
	srv_stop(&f->srv);
	testcert_free(&f->ca);
	testcert_free(&f->other_ca);
	unlink(f->ca_path);
	loop_free(f->loop);
	free(f);
	return 0;
}

static void tls_open(struct fx *f, const char *domain)
{
	struct tp_opts o;

	tprec_peer(&o, TP_TLS, AF_INET, f->srv.port);
	o.tls_domain = domain;
	o.tls_ca_file = f->ca_path;
	o.connect_timeout_ms = 10000;
	assert_int_equal(tp_conn_open(f->loop, &o, &tprec_handlers, &f->r,
				      &f->r.c), 0);
}

static void test_good_certificate(void **state)
{
	struct fx *f = *state;
	const char *const sans[] = { "dns:sip.example.com", NULL };

	srv_start(f, &f->ca, sans);
	tls_open(f, "sip.example.com");
	/* Queued during the handshake, sent once verified. */
	assert_int_equal(tp_conn_send(f->r.c, REQ, strlen(REQ)), 0);
	assert_true(testloop_run_until(f->loop, &f->r.connected, 10000));
	assert_false(f->r.errored);
	/* TLS 1.3: the client is done one flight before the server. */
	assert_true(testloop_run_until(f->loop, &f->srv.handshaken, 10000));
	assert_string_equal(f->srv.sni, "sip.example.com");
	assert_true(testloop_run_until(f->loop, &f->r.got_msg, 10000));
	assert_string_equal(f->r.msgs[0], RESP);
	testloop_run_for(f->loop, 30);
	assert_int_equal(f->srv.rxlen, strlen(REQ));
	assert_memory_equal(f->srv.rx, REQ, strlen(REQ));
	/* Closing says goodbye properly. */
	tp_conn_close(f->r.c);
	f->r.c = NULL;
	assert_true(testloop_run_until(f->loop, &f->srv.clean_close, 10000));
}

static void expect_refused(struct fx *f, const char *domain,
			   const char *why)
{
	tls_open(f, domain);
	assert_true(testloop_run_until(f->loop, &f->r.errored, 10000));
	assert_false(f->r.connected);
	assert_int_equal(f->r.err, TP_ERR_TLS);
	assert_non_null(strstr(f->r.detail, why));
}

static void test_wrong_domain(void **state)
{
	struct fx *f = *state;
	const char *const sans[] = { "dns:other.example.net", NULL };

	srv_start(f, &f->ca, sans);
	expect_refused(f, "sip.example.com",
		       "certificate for other.example.net does not match SIP domain sip.example.com");
}

static void test_wildcard_only_refused(void **state)
{
	struct fx *f = *state;
	const char *const sans[] = { "dns:*.example.com", NULL };

	srv_start(f, &f->ca, sans);
	expect_refused(f, "sip.example.com", "does not match SIP domain");
}

static void test_uri_san_accepted(void **state)
{
	struct fx *f = *state;
	const char *const sans[] = { "uri:sip:example.com",
				     "dns:proxy1.example.com", NULL };

	srv_start(f, &f->ca, sans);
	tls_open(f, "example.com");
	assert_true(testloop_run_until(f->loop, &f->r.connected, 10000));
	assert_false(f->r.errored);
}

static void test_untrusted_chain(void **state)
{
	struct fx *f = *state;
	const char *const sans[] = { "dns:sip.example.com", NULL };

	srv_start(f, &f->other_ca, sans);
	expect_refused(f, "sip.example.com", "not trusted");
}

static void test_handshake_timeout(void **state)
{
	struct fx *f = *state;
	const char *const sans[] = { "dns:sip.example.com", NULL };
	struct tp_opts o;

	srv_start(f, &f->ca, sans);
	f->srv.silent = true;
	tprec_peer(&o, TP_TLS, AF_INET, f->srv.port);
	o.tls_domain = "sip.example.com";
	o.tls_ca_file = f->ca_path;
	o.connect_timeout_ms = 200;
	assert_int_equal(tp_conn_open(f->loop, &o, &tprec_handlers, &f->r,
				      &f->r.c), 0);
	assert_true(testloop_run_until(f->loop, &f->r.errored, 10000));
	assert_int_equal(f->r.err, TP_ERR_TIMEOUT);
	assert_non_null(strstr(f->r.detail, "TLS handshake"));
}

static void test_client_certificate(void **state)
{
	struct fx *f = *state;
	const char *const sans[] = { "dns:sip.example.com", NULL };
	struct testcert client;
	char cert[64], key[64];
	struct tp_opts o;

	assert_int_equal(testcert_make(&client, "phone", NULL, &f->ca), 0);
	assert_int_equal(testcert_write_pem(&client, cert), 0);
	assert_int_equal(testcert_write_key(&client, key), 0);
	srv_start(f, &f->ca, sans);
	f->srv.want_client_cert = true;
	tprec_peer(&o, TP_TLS, AF_INET, f->srv.port);
	o.tls_domain = "sip.example.com";
	o.tls_ca_file = f->ca_path;
	o.tls_cert_file = cert;
	o.tls_key_file = key;
	assert_int_equal(tp_conn_open(f->loop, &o, &tprec_handlers, &f->r,
				      &f->r.c), 0);
	assert_true(testloop_run_until(f->loop, &f->r.connected, 10000));
	assert_true(testloop_run_until(f->loop, &f->srv.handshaken, 10000));
	assert_true(f->srv.got_client_cert);
	unlink(cert);
	unlink(key);
	testcert_free(&client);
}

static void test_bad_options(void **state)
{
	struct fx *f = *state;
	struct tp_opts o;

	tprec_peer(&o, TP_TLS, AF_INET, 5061);
	/* RFC 5922 needs the SIP domain. */
	assert_int_equal(tp_conn_open(f->loop, &o, &tprec_handlers, &f->r,
				      &f->r.c), -EINVAL);
	o.tls_domain = "sip.example.com";
	o.tls_ca_file = "/nonexistent/ca.pem";
	assert_int_equal(tp_conn_open(f->loop, &o, &tprec_handlers, &f->r,
				      &f->r.c), -EINVAL);
	f->r.c = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_good_certificate),
		T(test_wrong_domain),
		T(test_wildcard_only_refused),
		T(test_uri_san_accepted),
		T(test_untrusted_chain),
		T(test_handshake_timeout),
		T(test_client_certificate),
		T(test_bad_options),
#undef T
	};

	log_init("test", false, LOG_LVL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
