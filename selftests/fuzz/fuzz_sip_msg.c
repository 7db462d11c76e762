// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the SIP parser: any input must parse or be
 * refused without reading outside the buffer, and every slice of a
 * parsed message must lie inside it. Parsed challenges then go through
 * the digest code the way a 401 would.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip/digest.h"
#include "sip/msg.h"

static const char *lo, *hi;

static void in_buf(struct sip_str s)
{
	if (!s.len)
		return;
	if (s.s < lo || s.s + s.len > hi)
		abort();
}

static void check(const struct sip_msg *m)
{
	struct sip_str v;
	unsigned int i;

	in_buf(m->method);
	in_buf(m->ruri);
	in_buf(m->reason);
	in_buf(m->via.host);
	in_buf(m->via.branch);
	in_buf(m->via.received);
	in_buf(m->from_tag);
	in_buf(m->to_tag);
	in_buf(m->call_id);
	in_buf(m->cseq_method);
	in_buf(m->body);
	if (m->n_hdrs > SIP_MAX_HEADERS ||
	    m->n_contacts > SIP_MAX_CONTACTS ||
	    m->n_challenges > SIP_MAX_CHALLENGES)
		abort();
	for (i = 0; i < m->n_hdrs; i++) {
		in_buf(m->hdrs[i].name);
		in_buf(m->hdrs[i].value);
	}
	for (i = 0; i < m->n_contacts; i++) {
		in_buf(m->contacts[i].uri);
		in_buf(m->contacts[i].params);
		if (sip_param_find(m->contacts[i].params, "+sip.instance", &v))
			in_buf(v);
	}
	for (i = 0; i < m->n_challenges; i++) {
		in_buf(m->challenges[i].realm);
		in_buf(m->challenges[i].nonce);
		in_buf(m->challenges[i].opaque);
		in_buf(m->challenges[i].qop);
	}
	if (!m->is_request && (m->status < 100 || m->status > 699))
		abort();
}

static void answer_challenges(const struct sip_msg *m)
{
	struct digest_auth a;
	char hdr[1024];
	unsigned int i;
	int n, pick = digest_pick(m);

	if (pick >= (int)m->n_challenges)
		abort();
	for (i = 0; i < m->n_challenges; i++) {
		if (digest_init(&a, &m->challenges[i]))
			continue;
		n = digest_authorization(&a, "REGISTER", "sip:example.org",
					 "100", "pw", "cnonce", hdr,
					 sizeof(hdr));
		if (n >= (int)sizeof(hdr) || (n >= 0 && strlen(hdr) != (size_t)n))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so ASan sees any read past the end. */
	char *buf = malloc(size ? size : 1);
	struct sip_msg *m = malloc(sizeof(*m));
	long fl;

	if (!buf || !m)
		abort();
	memcpy(buf, data, size);
	lo = buf;
	hi = buf + size;
	if (!sip_msg_parse(m, buf, size)) {
		check(m);
		answer_challenges(m);
	}
	fl = sip_msg_frame_len(buf, size);
	if (fl > 0 && fl > 65536)
		abort();
	free(m);
	free(buf);
	return 0;
}
