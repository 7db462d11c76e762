// SPDX-License-Identifier: GPL-2.0
/* Typed records out of a raw response; see answer.h. */
#include "dns/answer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define CNAME_HOPS	8

static int take_addr(const struct dns_msg *m, const struct dns_rr *rr,
		     struct dns_addr *v, size_t *n)
{
	struct dns_addr *a;
	int err;

	if (*n >= DNS_ANSWER_MAX)
		return 0;
	a = &v[*n];
	err = dns_rr_addr(m, rr, a->addr);
	if (err)
		return err;
	a->family = rr->type == DNS_T_A ? AF_INET : AF_INET6;
	a->ttl = rr->ttl;
	memcpy(a->name, rr->name, sizeof(a->name));
	(*n)++;
	return 0;
}

static int take_answer(const struct dns_msg *m, const struct dns_rr *rr,
		       struct dns_answer *out)
{
	struct dns_srv_rdata srv;
	struct dns_naptr_rdata np;
	int err;

	switch (rr->type) {
	case DNS_T_SRV:
		if (out->n_srv >= DNS_ANSWER_MAX)
			return 0;
		err = dns_rr_srv(m, rr, &srv);
		if (err)
			return err;
		out->srv[out->n_srv++] = (struct dns_srv){
			.priority = srv.priority,
			.weight = srv.weight,
			.port = srv.port,
			.ttl = rr->ttl,
		};
		memcpy(out->srv[out->n_srv - 1].target, srv.target,
		       sizeof(srv.target));
		return 0;
	case DNS_T_NAPTR:
		if (out->n_naptr >= DNS_ANSWER_MAX)
			return 0;
		err = dns_rr_naptr(m, rr, &np);
		if (err)
			return err;
		struct dns_naptr *n = &out->naptr[out->n_naptr++];

		n->order = np.order;
		n->pref = np.pref;
		n->ttl = rr->ttl;
		memcpy(n->service, np.service, sizeof(n->service));
		memcpy(n->flags, np.flags, sizeof(n->flags));
		memcpy(n->replacement, np.replacement,
		       sizeof(n->replacement));
		return 0;
	case DNS_T_A:
	case DNS_T_AAAA:
		return take_addr(m, rr, out->addr, &out->n_addr);
	default:
		return 0;
	}
}

/* Follows the CNAME chain from @qname; @owner gets the final name. */
static int resolve_cname(const uint8_t *buf, size_t len, const char *qname,
			 char owner[DNS_NAME_MAX + 1], uint32_t *ttl)
{
	struct dns_msg m;
	struct dns_rr rr;
	char target[DNS_NAME_MAX + 1];
	int err, moved = 1;

	*ttl = UINT32_MAX;
	snprintf(owner, DNS_NAME_MAX + 1, "%s", qname);
	for (int hop = 0; moved && hop < CNAME_HOPS; hop++) {
		moved = 0;
		err = dns_msg_init(&m, buf, len);
		while (!err && (err = dns_msg_next(&m, &rr)) == 1) {
			if (rr.section != DNS_SEC_ANSWER ||
			    rr.type != DNS_T_CNAME ||
			    strcasecmp(rr.name, owner))
				continue;
			err = dns_read_name(buf, rr.rdata + rr.rdlen,
					    rr.rdata, target, NULL);
			if (err)
				return err;
			memcpy(owner, target, sizeof(target));
			if (rr.ttl < *ttl)
				*ttl = rr.ttl;
			moved = 1;
			break;
		}
		if (err < 0)
			return err;
	}
	return 0;
}

int dns_answer_parse(const uint8_t *buf, size_t len, const char *qname,
		     uint16_t qtype, struct dns_answer *out)
{
	struct dns_msg m;
	struct dns_rr rr;
	char owner[DNS_NAME_MAX + 1];
	int err;

	memset(out, 0, sizeof(*out));
	err = dns_msg_init(&m, buf, len);
	if (err)
		return err;
	out->rcode = dns_msg_rcode(&m);
	err = resolve_cname(buf, len, qname, owner, &out->cname_ttl);
	if (err)
		return err;
	while ((err = dns_msg_next(&m, &rr)) == 1) {
		if (rr.rclass != DNS_C_IN)
			continue;
		err = 0;
		if (rr.section == DNS_SEC_ANSWER && rr.type == qtype &&
		    !strcasecmp(rr.name, owner))
			err = take_answer(&m, &rr, out);
		else if (rr.section == DNS_SEC_ADDITIONAL &&
			 (rr.type == DNS_T_A || rr.type == DNS_T_AAAA))
			err = take_addr(&m, &rr, out->extra, &out->n_extra);
		if (err)
			return err;
	}
	return err;
}
