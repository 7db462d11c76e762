/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RFC 5922 section 7: does a server certificate speak for a SIP domain?
 * subjectAltName URIs "sip:<domain>" first; only when the certificate
 * has no sip: URI, its DNS names; the CN only when it has no
 * subjectAltName at all. Exact, case-insensitive matches: no wildcards,
 * never the SRV target or the IP address.
 */
#ifndef SIPSTEERD_TRANSPORT_TLS_IDENTITY_H
#define SIPSTEERD_TRANSPORT_TLS_IDENTITY_H

#include <gnutls/x509.h>
#include <stddef.h>

/*
 * 0 if @crt is for @domain, -EACCES if not. @names gets the identities
 * the certificate offered ("sip:a.example, b.example"), for the log.
 */
int tls_identity_check(gnutls_x509_crt_t crt, const char *domain,
		       char *names, size_t names_len);

#endif
