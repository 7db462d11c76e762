// SPDX-License-Identifier: GPL-2.0
/* RFC 5922 identity check; see tls_identity.h. */
#include "transport/tls_identity.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define SAN_MAX	64	/* subjectAltName entries looked at */

static void names_add(char *names, size_t len, const char *name)
{
	size_t used = strlen(names);

	if (used + 1 >= len)
		return;
	snprintf(names + used, len - used, "%s%s", used ? ", " : "", name);
}

/* Embedded NULs would make a name compare equal to a shorter one. */
static bool clean_name(const char *buf, size_t size)
{
	return strlen(buf) == size;
}

int tls_identity_check(gnutls_x509_crt_t crt, const char *domain,
		       char *names, size_t names_len)
{
	char buf[512];
	bool any_san = false, any_sip_uri = false;
	bool uri_match = false, dns_match = false;
	int ret;

	names[0] = '\0';
	for (unsigned int seq = 0; seq < SAN_MAX; seq++) {
		size_t size = sizeof(buf) - 1;

		ret = gnutls_x509_crt_get_subject_alt_name(crt, seq, buf,
							   &size, NULL);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		any_san = true;
		if (ret < 0)
			continue;	/* too long or unreadable: no match */
		buf[size] = '\0';
		if (!clean_name(buf, size))
			continue;
		if (ret == GNUTLS_SAN_URI) {
			if (strncasecmp(buf, "sip:", 4))
				continue;
			any_sip_uri = true;
			names_add(names, names_len, buf);
			if (!strcasecmp(buf + 4, domain))
				uri_match = true;
		} else if (ret == GNUTLS_SAN_DNSNAME) {
			names_add(names, names_len, buf);
			if (!strcasecmp(buf, domain))
				dns_match = true;
		}
	}
	if (any_sip_uri)
		return uri_match ? 0 : -EACCES;
	if (any_san)
		return dns_match ? 0 : -EACCES;

	/* No subjectAltName at all: RFC 5922 lets the CN stand in. */
	size_t size = sizeof(buf) - 1;

	ret = gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
					    0, 0, buf, &size);
	if (ret < 0)
		return -EACCES;
	buf[size] = '\0';
	if (!clean_name(buf, size))
		return -EACCES;
	names_add(names, names_len, buf);
	return strcasecmp(buf, domain) ? -EACCES : 0;
}
