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
	    algs[alg].hash->context_size > 64 * sizeof(uint64_t) ||
	    (sess && !cnonce) ||
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

/*
 * Appends @s as the inside of a quoted-string (RFC 3261 section 25.1):
 * '"' and '\' as quoted-pairs. CR and LF cannot be quoted: -EINVAL.
 */
static int put_quoted(char *out, size_t size, size_t *n, const char *s)
{
	for (; *s; s++) {
		if (*s == '\r' || *s == '\n')
			return -EINVAL;
		if ((*s == '"' || *s == '\\') && *n + 1 < size)
			out[(*n)++] = '\\';
		if (*n + 1 >= size)
			return -ENOSPC;
		out[(*n)++] = *s;
	}
	out[*n] = '\0';
	return 0;
}

/* Appends formatted text; -ENOSPC when it does not fit. */
static int put_fmt(char *out, size_t size, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int put_fmt(char *out, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(out + *n, size - *n, fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= size - *n)
		return -ENOSPC;
	*n += (size_t)len;
	return 0;
}

/* name="value", @value quoted; @name carries any leading ", ". */
static int put_param(char *out, size_t size, size_t *n, const char *name,
		     const char *value)
{
	return put_fmt(out, size, n, "%s=\"", name) ?:
	       put_quoted(out, size, n, value) ?:
	       put_fmt(out, size, n, "\"");
}

int digest_authorization(struct digest_auth *a, const char *method,
			 const char *uri, const char *user,
			 const char *password, const char *cnonce,
			 char *out, size_t size)
{
	char resp[DIGEST_HEX_MAX], nc[9], cn[33];
	size_t n = 0;
	int err;

	if (!size)
		return -ENOSPC;
	if (strpbrk(user, "\r\n") || strpbrk(uri, "\r\n"))
		return -EINVAL;
	if (!cnonce) {
		err = sip_random_hex(cn, 32);
		if (err)
			return err;
		cnonce = cn;
	}
	a->nc++;
	snprintf(nc, sizeof(nc), "%08x", a->nc);
	/* The hash covers the values, not their quoted form. */
	err = digest_response(a->alg, a->sess, user, a->realm, password,
			      a->nonce, cnonce, nc,
			      a->qop_auth ? "auth" : NULL, method, uri, resp);
	if (err)
		return err;
	err = put_fmt(out, size, &n, "Digest ") ?:
	      put_param(out, size, &n, "username", user) ?:
	      put_param(out, size, &n, ", realm", a->realm) ?:
	      put_param(out, size, &n, ", nonce", a->nonce) ?:
	      put_param(out, size, &n, ", uri", uri) ?:
	      put_param(out, size, &n, ", response", resp);
	if (!err && a->alg_name[0])
		err = put_fmt(out, size, &n, ", algorithm=%s", a->alg_name);
	if (!err && a->has_opaque)
		err = put_param(out, size, &n, ", opaque", a->opaque);
	if (!err && a->qop_auth)
		err = put_fmt(out, size, &n, ", qop=auth, nc=%s", nc) ?:
		      put_param(out, size, &n, ", cnonce", cnonce);
	return err ? err : (int)n;
}
