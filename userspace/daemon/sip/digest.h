/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HTTP Digest for SIP (RFC 7616, RFC 3261 section 22): MD5, SHA-256 and
 * SHA-512-256, their -sess variants, qop=auth or none. Hashes come from
 * nettle (GnuTLS's own crypto library), which has SHA-512/256; GnuTLS
 * 3.7's gnutls_hash API does not.
 */
#ifndef SIPSTEERD_SIP_DIGEST_H
#define SIPSTEERD_SIP_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sip/msg.h"

enum digest_alg {
	DIGEST_MD5,
	DIGEST_SHA256,
	DIGEST_SHA512_256,
};

#define DIGEST_HEX_MAX	129	/* hex of the longest hash + NUL */

/* What a challenge asked for, copied out of the message. */
struct digest_auth {
	bool proxy;		/* answer with Proxy-Authorization */
	enum digest_alg alg;
	bool sess;
	bool qop_auth;		/* qop=auth offered; else RFC 2069 style */
	bool has_opaque;
	char realm[128];
	char nonce[256];
	char opaque[256];
	char alg_name[24];	/* as the server spelled it */
	uint32_t nc;		/* requests sent with this nonce */
};

const char *digest_alg_name(enum digest_alg alg);
/* "MD5", "sha-256-sess" ... -> 0, or -ENOTSUP. Empty means MD5. */
int digest_alg_parse(struct sip_str name, enum digest_alg *alg, bool *sess);

/*
 * The first challenge of @msg we can answer (Digest scheme, known
 * algorithm, qop absent or containing "auth"). Returns its index, or
 * -ENOTSUP when none is usable.
 */
int digest_pick(const struct sip_msg *msg);
/* Take over challenge @ch; nc restarts. -ENOTSUP / -ENOSPC. */
int digest_init(struct digest_auth *a, const struct sip_challenge *ch);

/*
 * The response hash (lowercase hex) of RFC 7616 section 3.4.1. @qop NULL
 * for the RFC 2069 form (then @cnonce and @nc are unused).
 */
int digest_response(enum digest_alg alg, bool sess, const char *user,
		    const char *realm, const char *password,
		    const char *nonce, const char *cnonce, const char *nc,
		    const char *qop, const char *method, const char *uri,
		    char out[DIGEST_HEX_MAX]);

/*
 * Writes the Authorization / Proxy-Authorization value for one request
 * and counts it in a->nc. @cnonce NULL: a fresh random one. Quoted
 * values carry '"' and '\' as quoted-pairs (RFC 3261 section 25.1);
 * the hash covers the values themselves. Returns the length, or -ENOSPC,
 * or -EINVAL for a CR or LF in @user or @uri.
 */
int digest_authorization(struct digest_auth *a, const char *method,
			 const char *uri, const char *user,
			 const char *password, const char *cnonce,
			 char *out, size_t size);

#endif
