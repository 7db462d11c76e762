/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SIP request builder for the requests the daemon sends (REGISTER, and
 * OPTIONS probes later). Writes into a caller buffer, never allocates.
 */
#ifndef SIPSTEERD_SIP_BUILD_H
#define SIPSTEERD_SIP_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "transport/transport.h"

#define SIP_BRANCH_MAGIC	"z9hG4bK"
#define SIP_TOKEN_LEN		24	/* random hex chars in tags, branches */

struct sip_req {
	const char *method;		/* "REGISTER" */
	const char *ruri;		/* "sip:example.org" */
	enum tp_proto proto;		/* for Via and Contact transport */
	const char *via_host;		/* our address as seen locally */
	uint16_t via_port;
	const char *branch;		/* starts with SIP_BRANCH_MAGIC */
	const char *from_uri;		/* "sip:100@example.org" */
	const char *from_display;	/* NULL or "": none */
	const char *from_tag;
	const char *to_uri;
	const char *call_id;
	uint32_t cseq;
	const char *contact_uri;	/* NULL: no Contact */
	const char *contact_params;	/* ";+sip.instance=...;reg-id=1" */
	int expires;			/* -1: no Expires header */
	const char *auth_hdr_name;	/* "Authorization" or NULL */
	const char *auth_hdr_value;
	const char *user_agent;		/* NULL: none */
	const char *supported;		/* "path, outbound" or NULL */
};

/* Returns the message length, or -ENOSPC / -EINVAL. */
int sip_build_request(char *buf, size_t size, const struct sip_req *req);

struct sip_msg;

/*
 * A response to @req made here (RFC 3261 8.2.6): its Via headers, From,
 * To (with @to_tag added when it has none), Call-ID and CSeq, the lines
 * of @extra ("Name: value\r\n"..., NULL: none), no body. Returns the
 * length, -ENOSPC, or -EINVAL.
 */
int sip_build_response(char *buf, size_t size, const struct sip_msg *req,
		       int status, const char *reason, const char *to_tag,
		       const char *extra);

/* @len random lowercase hex chars + NUL into @out (getrandom). */
int sip_random_hex(char *out, size_t len);
/* "z9hG4bK" + random: @out must hold SIP_BRANCH_MAGIC + SIP_TOKEN_LEN + 1 */
int sip_new_branch(char *out, size_t size);
/* A random RFC 4122 version 4 UUID "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx". */
int sip_new_uuid(char out[37]);

#endif
