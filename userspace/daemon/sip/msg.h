/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SIP message parser (RFC 3261 section 7 and 20). Strict and bounded:
 * the result is a struct of slices pointing into the caller's buffer,
 * no allocation at all, so any input is safe to feed it.
 */
#ifndef SIPSTEERD_SIP_MSG_H
#define SIPSTEERD_SIP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIP_MAX_MSG		65536	/* bytes, headers and body */
#define SIP_MAX_HEADERS		64
#define SIP_MAX_HDR_LEN		4096	/* one header line */
#define SIP_MAX_CONTACTS	16
#define SIP_MAX_CHALLENGES	8

/* A slice of the parsed buffer; not NUL-terminated. */
struct sip_str {
	const char *s;
	size_t len;
};

enum sip_hdr_id {
	SIP_HDR_OTHER,
	SIP_HDR_VIA,
	SIP_HDR_FROM,
	SIP_HDR_TO,
	SIP_HDR_CALL_ID,
	SIP_HDR_CSEQ,
	SIP_HDR_CONTACT,
	SIP_HDR_EXPIRES,
	SIP_HDR_MIN_EXPIRES,
	SIP_HDR_RETRY_AFTER,
	SIP_HDR_WWW_AUTHENTICATE,
	SIP_HDR_PROXY_AUTHENTICATE,
	SIP_HDR_CONTENT_LENGTH,
	SIP_HDR_CONTENT_TYPE,
	SIP_HDR_MAX_FORWARDS,
	SIP_HDR_FLOW_TIMER,
};

struct sip_hdr {
	enum sip_hdr_id id;
	struct sip_str name;
	struct sip_str value;	/* without surrounding white space */
};

struct sip_via {
	struct sip_str transport;	/* "UDP", "TCP", "TLS" ... */
	struct sip_str host;
	uint16_t port;			/* 0: absent */
	struct sip_str params;		/* ";branch=...;rport..." */
	struct sip_str branch;
	struct sip_str received;
	bool has_rport;
	uint16_t rport;			/* 0: present without a value */
};

struct sip_contact {
	struct sip_str uri;		/* without the angle brackets */
	struct sip_str params;		/* header params, from the first ';' */
	bool has_expires;
	uint32_t expires;
};

struct sip_challenge {
	bool proxy;			/* Proxy-Authenticate (407) */
	struct sip_str scheme;		/* "Digest" */
	struct sip_str realm;		/* values without their quotes */
	struct sip_str nonce;
	struct sip_str opaque;
	struct sip_str algorithm;	/* empty: MD5 */
	struct sip_str qop;		/* "auth,auth-int" or empty */
	bool has_opaque;
	bool stale;
	bool userhash;
};

struct sip_msg {
	bool is_request;
	struct sip_str method;		/* requests */
	struct sip_str ruri;
	int status;			/* responses: 100..699 */
	struct sip_str reason;

	struct sip_hdr hdrs[SIP_MAX_HEADERS];
	unsigned int n_hdrs;

	struct sip_via via;		/* the top Via */
	unsigned int n_via;
	struct sip_str from, to;	/* whole header values */
	struct sip_str from_tag, to_tag;
	struct sip_str call_id;
	uint32_t cseq;
	struct sip_str cseq_method;

	struct sip_contact contacts[SIP_MAX_CONTACTS];
	unsigned int n_contacts;	/* beyond SIP_MAX_CONTACTS: dropped */
	bool contact_star;

	bool has_expires, has_min_expires, has_retry_after;
	uint32_t expires, min_expires, retry_after;
	/* RFC 5626 Flow-Timer: seconds; a bad or repeated one is ignored
	 * (the binding it came with still counts). */
	bool has_flow_timer;
	uint32_t flow_timer;

	struct sip_challenge challenges[SIP_MAX_CHALLENGES];
	unsigned int n_challenges;	/* beyond SIP_MAX_CHALLENGES: dropped */

	bool has_content_length;
	size_t content_length;
	struct sip_str body;
};

/*
 * Parse one whole message. Returns 0, -EMSGSIZE (over a limit) or
 * -EBADMSG (malformed, or a mandatory header is missing). A datagram
 * without Content-Length takes the rest as body; with one, extra bytes
 * are ignored and too few is an error. Folded headers are refused.
 */
int sip_msg_parse(struct sip_msg *msg, const char *buf, size_t len);

/*
 * For stream framing: total length of the first message in @buf once its
 * headers are complete (> 0), 0 when more bytes are needed, or -EBADMSG /
 * -EMSGSIZE. Leading CRLFs (keep-alives) are not part of a message: the
 * caller skips them first.
 */
long sip_msg_frame_len(const char *buf, size_t len);

/* First header with @id after @from (NULL: from the start). */
const struct sip_hdr *sip_msg_hdr(const struct sip_msg *msg,
				  enum sip_hdr_id id,
				  const struct sip_hdr *from);

/*
 * Find parameter @name (case-insensitive) in a ";a=b;c" list. Returns
 * true when present; @val is its value (quotes removed) or empty.
 */
bool sip_param_find(struct sip_str params, const char *name,
		    struct sip_str *val);

bool sip_str_eq(struct sip_str a, const char *s);	/* exact */
bool sip_str_caseeq(struct sip_str a, const char *s);
/* Copies into @dst (NUL-terminated); -ENOSPC when it does not fit. */
int sip_str_copy(char *dst, size_t size, struct sip_str s);

#endif
