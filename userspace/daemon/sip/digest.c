// SPDX-License-Identifier: GPL-2.0
/* HTTP Digest client computations (RFC 7616). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <nettle/nettle-meta.h>

#include "sip/build.h"
#include "sip/digest.h"

static const struct {
	const char *name;
	enum digest_alg alg;
	const struct nettle_hash *hash;
} algs[] = {
	{ "MD5", DIGEST_MD5, &nettle_md5 },
	{ "SHA-256", DIGEST_SHA256, &nettle_sha256 },
	{ "SHA-512-256", DIGEST_SHA512_256, &nettle_sha512_256 },
};

const char *digest_alg_name(enum digest_alg alg)
{
	return algs[alg].name;
}

int digest_alg_parse(struct sip_str name, enum digest_alg *alg, bool *sess)
{
	size_t i;

	*sess = false;
	if (!name.len) {
		*alg = DIGEST_MD5;
		return 0;
	}
	if (name.len > 5 && !strncasecmp(name.s + name.len - 5, "-sess", 5)) {
		*sess = true;
		name.len -= 5;
	}
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (sip_str_caseeq(name, algs[i].name)) {
			*alg = algs[i].alg;
			return 0;
		}
	}
	return -ENOTSUP;
}

/* Is "auth" one of the comma separated tokens of @qop? */
static bool qop_has_auth(struct sip_str qop)
{
	size_t pos = 0;

	while (pos < qop.len) {
		size_t start, end;

		while (pos < qop.len && (qop.s[pos] == ' ' || qop.s[pos] == ','
					 || qop.s[pos] == '\t'))
			pos++;
		start = pos;
		while (pos < qop.len && qop.s[pos] != ',')
			pos++;
		end = pos;
		while (end > start && (qop.s[end - 1] == ' ' ||
				       qop.s[end - 1] == '\t'))
			end--;
		if (end - start == 4 && !strncasecmp(qop.s + start, "auth", 4))
			return true;
	}
	return false;
}

static bool usable(const struct sip_challenge *ch)
{
	enum digest_alg alg;
	bool sess;

	return sip_str_caseeq(ch->scheme, "Digest") && ch->nonce.len &&
	       !digest_alg_parse(ch->algorithm, &alg, &sess) &&
	       (!ch->qop.len || qop_has_auth(ch->qop));
}

int digest_pick(const struct sip_msg *msg)
{
	unsigned int i;

	for (i = 0; i < msg->n_challenges; i++)
		if (usable(&msg->challenges[i]))
			return (int)i;
	return -ENOTSUP;
}

int digest_init(struct digest_auth *a, const struct sip_challenge *ch)
{
	memset(a, 0, sizeof(*a));
	if (!usable(ch))
		return -ENOTSUP;
	digest_alg_parse(ch->algorithm, &a->alg, &a->sess);
	a->proxy = ch->proxy;
	a->qop_auth = ch->qop.len > 0;
	a->has_opaque = ch->has_opaque;
	if (sip_str_copy(a->realm, sizeof(a->realm), ch->realm) ||
	    sip_str_copy(a->nonce, sizeof(a->nonce), ch->nonce) ||
	    sip_str_copy(a->opaque, sizeof(a->opaque), ch->opaque) ||
	    sip_str_copy(a->alg_name, sizeof(a->alg_name), ch->algorithm))
		return -ENOSPC;
	/* Quoted values are echoed back quoted; refuse what would break. */
	if (strpbrk(a->realm, "\"\\") || strpbrk(a->nonce, "\"\\") ||
	    strpbrk(a->opaque, "\"\\"))
		return -ENOTSUP;
	return 0;
}

/* hex(H(s1 ":" s2 ":" ...)) over a NULL-terminated list. */
static void hash_hex(enum digest_alg alg, char out[DIGEST_HEX_MAX], ...)
{
	const struct nettle_hash *h = algs[alg].hash;
	uint64_t ctx[64];	/* aligned, larger than any nettle context */
	uint8_t dig[64];
	const char *s;
	bool first = true;
	unsigned int i;
	va_list ap;

	h->init(ctx);
	va_start(ap, out);
	while ((s = va_arg(ap, const char *))) {
		if (!first)
			h->update(ctx, 1, (const uint8_t *)":");
		h->update(ctx, strlen(s), (const uint8_t *)s);
		first = false;
	}
	va_end(ap);
	h->digest(ctx, h->digest_size, dig);
	for (i = 0; i < h->digest_size; i++)
		sprintf(out + 2 * i, "%02x", dig[i]);
}

int digest_response(enum digest_alg alg, bool sess, const char *user,
		    const char *realm, const char *password,
		    const char *nonce, const char *cnonce, const char *nc,
		    const char *qop, const char *method, const char *uri,
		    char out[DIGEST_HEX_MAX])
{
	char ha1[DIGEST_HEX_MAX], ha2[DIGEST_HEX_MAX];

	if ((unsigned int)alg >= sizeof(algs) / sizeof(algs[0]) ||
	    algs[alg].hash->context_size > 64 * sizeof(uint64_t) || (sess && !cnonce) ||
	    (qop && (!cnonce || !nc)))
		return -EINVAL;
	hash_hex(alg, ha1, user, realm, password, NULL);
	if (sess)
		hash_hex(alg, ha1, ha1, nonce, cnonce, NULL);
	hash_hex(alg, ha2, method, uri, NULL);
	if (qop)
		hash_hex(alg, out, ha1, nonce, nc, cnonce, qop, ha2, NULL);
	else
		hash_hex(alg, out, ha1, nonce, ha2, NULL);
	return 0;
}

int digest_authorization(struct digest_auth *a, const char *method,
			 const char *uri, const char *user,
			 const char *password, const char *cnonce,
			 char *out, size_t size)
{
	char resp[DIGEST_HEX_MAX], nc[9], cn[33];
	int err, n;

	if (strpbrk(user, "\"\\\r\n") || strpbrk(uri, "\"\r\n"))
		return -EINVAL;
	if (!cnonce) {
		err = sip_random_hex(cn, 32);
		if (err)
			return err;
		cnonce = cn;
	}
	a->nc++;
	snprintf(nc, sizeof(nc), "%08x", a->nc);
	err = digest_response(a->alg, a->sess, user, a->realm, password,
			      a->nonce, cnonce, nc,
			      a->qop_auth ? "auth" : NULL, method, uri, resp);
	if (err)
		return err;
	n = snprintf(out, size,
		     "Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", "
		     "uri=\"%s\", response=\"%s\"%s%s",
		     user, a->realm, a->nonce, uri, resp,
		     a->alg_name[0] ? ", algorithm=" : "", a->alg_name);
	if (n >= 0 && (size_t)n < size && a->has_opaque)
		n += snprintf(out + n, size - (size_t)n, ", opaque=\"%s\"",
			      a->opaque);
	if (n >= 0 && (size_t)n < size && a->qop_auth)
		n += snprintf(out + n, size - (size_t)n,
			      ", qop=auth, nc=%s, cnonce=\"%s\"", nc, cnonce);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}
