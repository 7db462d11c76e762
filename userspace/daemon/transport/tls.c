// SPDX-License-Identifier: GPL-2.0
/*
 * SIP over TLS with GnuTLS: a non-blocking client handshake driven by the
 * loop, SNI = the SIP domain, the chain checked against the configured
 * trust, then the RFC 5922 identity check (tls_identity.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "transport/conn.h"
#include "transport/tls_identity.h"

struct tp_tls {
	gnutls_session_t s;
	gnutls_certificate_credentials_t cred;
	char domain[256];
	bool want_write;
};

static bool is_ip_literal(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

static int tls_creds(struct tp_conn *c, struct tp_tls *t,
		     const struct tp_opts *o)
{
	int r;

	r = gnutls_certificate_allocate_credentials(&t->cred);
	if (r < 0)
		return -ENOMEM;
	if (o->tls_ca_file)
		r = gnutls_certificate_set_x509_trust_file(t->cred,
							   o->tls_ca_file,
							   GNUTLS_X509_FMT_PEM);
	else
		r = gnutls_certificate_set_x509_system_trust(t->cred);
	if (r <= 0) {
		log_err("tls: %s: no trusted CA from %s: %s", c->peer_str,
			o->tls_ca_file ? o->tls_ca_file : "the system store",
			r < 0 ? gnutls_strerror(r) : "empty");
		return -EINVAL;
	}
	if (o->tls_cert_file || o->tls_key_file) {
		if (!o->tls_cert_file || !o->tls_key_file)
			return -EINVAL;
		r = gnutls_certificate_set_x509_key_file(t->cred,
							 o->tls_cert_file,
							 o->tls_key_file,
							 GNUTLS_X509_FMT_PEM);
		if (r < 0) {
			log_err("tls: client certificate %s: %s",
				o->tls_cert_file, gnutls_strerror(r));
			return -EINVAL;
		}
	}
	return 0;
}

int tls_setup(struct tp_conn *c, const struct tp_opts *o)
{
	struct tp_tls *t;
	int r, err;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	c->tls = t;
	if (strlen(o->tls_domain) >= sizeof(t->domain))
		return -EINVAL;
	strcpy(t->domain, o->tls_domain);
	err = tls_creds(c, t, o);
	if (err)
		return err;
	r = gnutls_init(&t->s, GNUTLS_CLIENT | GNUTLS_NONBLOCK);
	if (r < 0) {
		t->s = NULL;
		return -ENOMEM;
	}
	if (gnutls_set_default_priority(t->s) < 0 ||
	    gnutls_credentials_set(t->s, GNUTLS_CRD_CERTIFICATE, t->cred) < 0)
		return -EINVAL;
	/* RFC 6066: SNI carries host names only. */
	if (!is_ip_literal(t->domain) &&
	    gnutls_server_name_set(t->s, GNUTLS_NAME_DNS, t->domain,
				   strlen(t->domain)) < 0)
		return -EINVAL;
	gnutls_transport_set_int(t->s, c->fd);
	return 0;
}

/* 0 if the peer's chain is trusted and names our SIP domain. */
static int tls_verify(struct tp_conn *c, char *why, size_t why_len)
{
	struct tp_tls *t = c->tls;
	const gnutls_datum_t *list;
	gnutls_x509_crt_t crt;
	gnutls_datum_t txt;
	unsigned int status = 0, n = 0;
	char names[512];
	int r;

	r = gnutls_certificate_verify_peers2(t->s, &status);
	if (r < 0) {
		snprintf(why, why_len, "certificate check: %s",
			 gnutls_strerror(r));
		return -EACCES;
	}
	if (status) {
		r = gnutls_certificate_verification_status_print(
			status, GNUTLS_CRT_X509, &txt, 0);
		snprintf(why, why_len, "certificate not trusted: %s",
			 r < 0 ? "unknown reason" : (const char *)txt.data);
		if (r >= 0)
			gnutls_free(txt.data);
		/* GnuTLS ends its sentences with a space. */
		for (size_t l = strlen(why); l && why[l - 1] == ' '; l--)
			why[l - 1] = '\0';
		return -EACCES;
	}
	list = gnutls_certificate_get_peers(t->s, &n);
	if (!list || !n) {
		snprintf(why, why_len, "no server certificate");
		return -EACCES;
	}
	if (gnutls_x509_crt_init(&crt) < 0)
		return -ENOMEM;
	r = gnutls_x509_crt_import(crt, &list[0], GNUTLS_X509_FMT_DER);
	if (r < 0) {
		snprintf(why, why_len, "server certificate: %s",
			 gnutls_strerror(r));
		gnutls_x509_crt_deinit(crt);
		return -EACCES;
	}
	r = tls_identity_check(crt, t->domain, names, sizeof(names));
	gnutls_x509_crt_deinit(crt);
	if (r) {
		snprintf(why, why_len,
			 "certificate for %s does not match SIP domain %s",
			 names[0] ? names : "(no name)", t->domain);
		return r;
	}
	return 0;
}

void tls_handshake(struct tp_conn *c)
{
	struct tp_tls *t = c->tls;
	char why[1024];
	int r;

	r = gnutls_handshake(t->s);
	if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED ||
	    (r < 0 && !gnutls_error_is_fatal(r))) {
		t->want_write = gnutls_record_get_direction(t->s) == 1;
		conn_watch(c, t->want_write ? LOOP_OUT : LOOP_IN);
		return;
	}
	if (r < 0) {
		log_err("tls: %s: handshake failed: %s", c->peer_str,
			gnutls_strerror(r));
		conn_fail(c, TP_ERR_TLS, "handshake: %s", gnutls_strerror(r));
		return;
	}
	t->want_write = false;
	if (tls_verify(c, why, sizeof(why))) {
		log_err("tls: %s: %s", c->peer_str, why);
		conn_fail(c, TP_ERR_TLS, "%s", why);
		return;
	}
	log_debug("tls: %s: verified as %s", c->peer_str, t->domain);
	stream_established(c);
}

static long tls_io_error(struct tp_conn *c, ssize_t r, const char **why)
{
	struct tp_tls *t = c->tls;

	switch (r) {
	case GNUTLS_E_AGAIN:
		t->want_write = gnutls_record_get_direction(t->s) == 1;
		return -EAGAIN;
	case GNUTLS_E_INTERRUPTED:
		return -EINTR;
	case GNUTLS_E_PREMATURE_TERMINATION:
		return 0;	/* closed without close_notify */
	case GNUTLS_E_PULL_ERROR:
	case GNUTLS_E_PUSH_ERROR:
		return -ECONNRESET;
	}
	if (!gnutls_error_is_fatal((int)r))
		return -EAGAIN;	/* e.g. a warning alert: carry on */
	*why = gnutls_strerror((int)r);
	return -EPROTO;
}

long tls_read(struct tp_conn *c, char *buf, size_t len, const char **why)
{
	ssize_t r = gnutls_record_recv(c->tls->s, buf, len);

	c->tls->want_write = false;
	return r >= 0 ? (long)r : tls_io_error(c, r, why);
}

long tls_write(struct tp_conn *c, const char *buf, size_t len,
	       const char **why)
{
	ssize_t r = gnutls_record_send(c->tls->s, buf, len);

	c->tls->want_write = false;
	return r >= 0 ? (long)r : tls_io_error(c, r, why);
}

bool tls_wants_write(const struct tp_conn *c)
{
	return c->tls && c->tls->want_write;
}

bool tls_has_pending(const struct tp_conn *c)
{
	return c->tls && gnutls_record_check_pending(c->tls->s) > 0;
}

void tls_bye(struct tp_conn *c)
{
	gnutls_bye(c->tls->s, GNUTLS_SHUT_WR);
}

void tls_free(struct tp_conn *c)
{
	struct tp_tls *t = c->tls;

	if (!t)
		return;
	if (t->s)
		gnutls_deinit(t->s);
	if (t->cred)
		gnutls_certificate_free_credentials(t->cred);
	free(t);
	c->tls = NULL;
}
