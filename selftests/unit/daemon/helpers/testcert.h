/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test helper: a throw-away CA and server certificates made at test time
 * with GnuTLS (ECDSA P-256, valid for an hour), so no key material lives
 * in the tree.
 */
#ifndef SELFTESTS_DAEMON_TESTCERT_H
#define SELFTESTS_DAEMON_TESTCERT_H

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct testcert {
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
};

/* SANs as "dns:name" or "uri:sip:name"; NULL-terminated. */
static inline int testcert_make(struct testcert *tc, const char *cn,
				const char *const *sans,
				const struct testcert *issuer)
{
	static unsigned char serial = 1;
	time_t now = time(NULL);
	unsigned char id[64];
	size_t idlen = sizeof(id);
	gnutls_datum_t der;
	unsigned int bits =
		GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1);
	int r;

	memset(tc, 0, sizeof(*tc));
	if (gnutls_x509_privkey_init(&tc->key) < 0 ||
	    gnutls_x509_privkey_generate(tc->key, GNUTLS_PK_ECDSA, bits,
					 0) < 0 ||
	    gnutls_x509_crt_init(&tc->crt) < 0)
		return -1;
	serial++;
	r = gnutls_x509_crt_set_version(tc->crt, 3);
	r |= gnutls_x509_crt_set_serial(tc->crt, &serial, 1);
	r |= gnutls_x509_crt_set_activation_time(tc->crt, now - 600);
	r |= gnutls_x509_crt_set_expiration_time(tc->crt, now + 3600);
	r |= gnutls_x509_crt_set_key(tc->crt, tc->key);
	if (cn)
		r |= gnutls_x509_crt_set_dn_by_oid(tc->crt,
				GNUTLS_OID_X520_COMMON_NAME, 0, cn,
				(unsigned int)strlen(cn));
	if (r < 0)
		return -1;
	if (!issuer) {
		r = gnutls_x509_crt_set_basic_constraints(tc->crt, 1, -1);
		r |= gnutls_x509_crt_set_key_usage(tc->crt,
						   GNUTLS_KEY_KEY_CERT_SIGN |
						   GNUTLS_KEY_CRL_SIGN);
	} else {
		r = gnutls_x509_crt_set_basic_constraints(tc->crt, 0, -1);
		r |= gnutls_x509_crt_set_key_usage(tc->crt,
				GNUTLS_KEY_DIGITAL_SIGNATURE);
		r |= gnutls_x509_crt_set_key_purpose_oid(tc->crt,
				GNUTLS_KP_TLS_WWW_SERVER, 0);
	}
	if (r < 0)
		return -1;
	for (unsigned int i = 0; sans && sans[i]; i++) {
		const char *v = sans[i] + 4;
		gnutls_x509_subject_alt_name_t t =
			!strncmp(sans[i], "uri:", 4) ? GNUTLS_SAN_URI
						     : GNUTLS_SAN_DNSNAME;

		if (gnutls_x509_crt_set_subject_alt_name(tc->crt, t, v,
				(unsigned int)strlen(v),
				i ? GNUTLS_FSAN_APPEND : GNUTLS_FSAN_SET) < 0)
			return -1;
	}
	if (gnutls_x509_crt_get_key_id(tc->crt, 0, id, &idlen) < 0 ||
	    gnutls_x509_crt_set_subject_key_id(tc->crt, id, idlen) < 0)
		return -1;
	if (issuer) {
		idlen = sizeof(id);
		if (gnutls_x509_crt_get_subject_key_id(issuer->crt, id, &idlen,
						       NULL) < 0 ||
		    gnutls_x509_crt_set_authority_key_id(tc->crt, id,
							 idlen) < 0)
			return -1;
	}
	r = gnutls_x509_crt_sign2(tc->crt, issuer ? issuer->crt : tc->crt,
				  issuer ? issuer->key : tc->key,
				  GNUTLS_DIG_SHA256, 0);
	if (r < 0)
		return -1;
	/* GnuTLS parses extensions at import: round-trip through DER so
	 * the getters see what was set, as they would on a peer's cert. */
	if (gnutls_x509_crt_export2(tc->crt, GNUTLS_X509_FMT_DER, &der) < 0)
		return -1;
	gnutls_x509_crt_deinit(tc->crt);
	r = gnutls_x509_crt_init(&tc->crt);
	if (!r)
		r = gnutls_x509_crt_import(tc->crt, &der, GNUTLS_X509_FMT_DER);
	gnutls_free(der.data);
	return r < 0 ? -1 : 0;
}

static inline void testcert_free(struct testcert *tc)
{
	if (tc->crt)
		gnutls_x509_crt_deinit(tc->crt);
	if (tc->key)
		gnutls_x509_privkey_deinit(tc->key);
	memset(tc, 0, sizeof(*tc));
}

/* Writes @d to a new temp file named after @tmpl; frees @d. */
static inline int testcert_write_datum(gnutls_datum_t *d, const char *tmpl,
				       char path[64])
{
	int fd, ok;

	snprintf(path, 64, "%s", tmpl);
	fd = mkstemp(path);
	if (fd < 0) {
		gnutls_free(d->data);
		return -1;
	}
	ok = write(fd, d->data, d->size) == (ssize_t)d->size;
	gnutls_free(d->data);
	close(fd);
	return ok ? 0 : -1;
}

/* Writes @tc's certificate as PEM to a new temp file, path in @path. */
static inline int testcert_write_pem(const struct testcert *tc,
				     char path[64])
{
	gnutls_datum_t d;

	if (gnutls_x509_crt_export2(tc->crt, GNUTLS_X509_FMT_PEM, &d) < 0)
		return -1;
	return testcert_write_datum(&d, "/tmp/sipsteerd-test-ca-XXXXXX", path);
}

/* Writes @tc's private key as PEM to a new temp file. */
static inline int testcert_write_key(const struct testcert *tc,
				     char path[64])
{
	gnutls_datum_t d;

	if (gnutls_x509_privkey_export2(tc->key, GNUTLS_X509_FMT_PEM, &d) < 0)
		return -1;
	return testcert_write_datum(&d, "/tmp/sipsteerd-test-key-XXXXXX",
				    path);
}

#endif
