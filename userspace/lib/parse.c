// SPDX-License-Identifier: GPL-2.0
/*
 * Parse sipsteer replies and notifications. Unknown attributes are
 * skipped (the ABI only grows); known ones with a wrong size are errors.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>

#include "internal.h"

static int addr_attr_cb(const struct nlattr *attr, void *data)
{
	struct sipsteer_addr *a = data;
	uint16_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case SIPSTEER_ADDR_A_PROTO:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		a->proto = mnl_attr_get_u8(attr);
		break;
	case SIPSTEER_ADDR_A_IPV4:
		if (len != sizeof(a->ip.v4) || a->family)
			return MNL_CB_ERROR;
		a->family = AF_INET;
		memcpy(&a->ip.v4, mnl_attr_get_payload(attr), len);
		break;
	case SIPSTEER_ADDR_A_IPV6:
		if (len != sizeof(a->ip.v6) || a->family)
			return MNL_CB_ERROR;
		a->family = AF_INET6;
		memcpy(&a->ip.v6, mnl_attr_get_payload(attr), len);
		break;
	case SIPSTEER_ADDR_A_PORT:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		a->port = mnl_attr_get_u16(attr);
		break;
	}
	return MNL_CB_OK;
}

static int parse_addrs(const struct nlattr *list, struct sipsteer_addr *out,
		       unsigned int max, unsigned int *n)
{
	const struct nlattr *entry;

	*n = 0;
	mnl_attr_for_each_nested(entry, list) {
		struct sipsteer_addr a = { 0 };

		if (mnl_attr_get_type(entry) != SIPSTEER_LIST_A_ENTRY)
			continue;
		if (*n >= max)
			return -E2BIG;
		if (mnl_attr_parse_nested(entry, addr_attr_cb, &a) < 0 ||
		    !a.family)
			return -EBADMSG;
		out[(*n)++] = a;
	}
	return 0;
}

static int stats_attr_cb(const struct nlattr *attr, void *data)
{
	struct sipsteer_stats *st = data;
	uint64_t *field;

	switch (mnl_attr_get_type(attr)) {
	case SIPSTEER_STATS_A_FLOWS_STEERED:
		field = &st->flows_steered;
		break;
	case SIPSTEER_STATS_A_FLOWS_PASSED:
		field = &st->flows_passed;
		break;
	case SIPSTEER_STATS_A_FLOWS_BYPASSED:
		field = &st->flows_bypassed;
		break;
	case SIPSTEER_STATS_A_FLUSHES:
		field = &st->flushes;
		break;
	case SIPSTEER_STATS_A_FLOWS_FLUSHED:
		field = &st->flows_flushed;
		break;
	case SIPSTEER_STATS_A_FLOWS_REFUSED:
		field = &st->flows_refused;
		break;
	case SIPSTEER_STATS_A_EVIDENCE_ICMP:
		field = &st->evidence[SIPSTEER_EVIDENCE_ICMP];
		break;
	case SIPSTEER_STATS_A_EVIDENCE_RESET:
		field = &st->evidence[SIPSTEER_EVIDENCE_RESET];
		break;
	case SIPSTEER_STATS_A_EVIDENCE_SYN:
		field = &st->evidence[SIPSTEER_EVIDENCE_SYN];
		break;
	case SIPSTEER_STATS_A_EVIDENCE_UNREPLIED:
		field = &st->evidence[SIPSTEER_EVIDENCE_UNREPLIED];
		break;
	default:
		return MNL_CB_OK;
	}
	if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
		return MNL_CB_ERROR;
	*field = mnl_attr_get_u64(attr);
	return MNL_CB_OK;
}

/* ENDPOINT_STATS: per endpoint, the evidence counters of a stats nest. */
static int parse_endpoint_stats(const struct nlattr *list,
				struct sipsteer_service *svc)
{
	const struct nlattr *entry;
	unsigned int n = 0;

	mnl_attr_for_each_nested(entry, list) {
		struct sipsteer_stats st = { 0 };

		if (mnl_attr_get_type(entry) != SIPSTEER_LIST_A_ENTRY)
			continue;
		if (n >= SIPSTEER_MAX_ENDPOINTS)
			return -E2BIG;
		if (mnl_attr_parse_nested(entry, stats_attr_cb, &st) < 0)
			return -EBADMSG;
		memcpy(svc->endpoint_evidence[n++], st.evidence,
		       sizeof(st.evidence));
	}
	return 0;
}

struct svc_parse {
	struct sipsteer_service *svc;
	struct sipsteer_event *ev;	/* NULL outside notifications */
	int err;
};

static int svc_u32(const struct nlattr *attr, uint32_t *v)
{
	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_ERROR;
	*v = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int svc_attr_cb(const struct nlattr *attr, void *data)
{
	struct svc_parse *p = data;
	struct sipsteer_service *svc = p->svc;
	uint16_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case SIPSTEER_A_NAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
		    len > SIPSTEER_NAME_SIZE)
			return MNL_CB_ERROR;
		memcpy(svc->name, mnl_attr_get_payload(attr), len);
		svc->name[len - 1] = '\0';
		break;
	case SIPSTEER_A_ENDPOINTS:
		p->err = parse_addrs(attr, svc->endpoints,
				     SIPSTEER_MAX_ENDPOINTS, &svc->n_endpoints);
		if (p->err)
			return MNL_CB_ERROR;
		svc->has |= SIPSTEER_HAS_ENDPOINTS;
		break;
	case SIPSTEER_A_TARGETS:
		p->err = parse_addrs(attr, svc->targets, SIPSTEER_MAX_TARGETS,
				     &svc->n_targets);
		if (p->err)
			return MNL_CB_ERROR;
		svc->has |= SIPSTEER_HAS_TARGETS;
		break;
	case SIPSTEER_A_BYPASS_MARK:
		svc->has |= SIPSTEER_HAS_BYPASS;
		return svc_u32(attr, &svc->bypass_mark);
	case SIPSTEER_A_BYPASS_MASK:
		svc->has |= SIPSTEER_HAS_BYPASS;
		return svc_u32(attr, &svc->bypass_mask);
	case SIPSTEER_A_GENERATION:
		svc->has |= SIPSTEER_HAS_GENERATION;
		return svc_u32(attr, &svc->generation);
	case SIPSTEER_A_STATS:
		if (mnl_attr_parse_nested(attr, stats_attr_cb,
					  &svc->stats) < 0)
			return MNL_CB_ERROR;
		svc->has |= SIPSTEER_HAS_STATS;
		break;
	case SIPSTEER_A_FLUSHED:
		if (!p->ev)
			break;
		p->ev->has_flushed = true;
		return svc_u32(attr, &p->ev->flushed);
	case SIPSTEER_A_UNREPLIED_MS:
		svc->has |= SIPSTEER_HAS_UNREPLIED;
		return svc_u32(attr, &svc->unreplied_ms);
	case SIPSTEER_A_ENDPOINT_STATS:
		p->err = parse_endpoint_stats(attr, svc);
		if (p->err)
			return MNL_CB_ERROR;
		svc->has |= SIPSTEER_HAS_ENDPOINT_STATS;
		break;
	case SIPSTEER_A_EVIDENCE:
		if (!p->ev)
			break;
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		p->ev->evidence = mnl_attr_get_u8(attr);
		break;
	case SIPSTEER_A_SUPPRESSED:
		if (!p->ev)
			break;
		return svc_u32(attr, &p->ev->suppressed);
	case SIPSTEER_A_ENDPOINT:
		if (!p->ev)
			break;
		memset(&p->ev->endpoint, 0, sizeof(p->ev->endpoint));
		if (mnl_attr_parse_nested(attr, addr_attr_cb,
					  &p->ev->endpoint) < 0 ||
		    !p->ev->endpoint.family)
			return MNL_CB_ERROR;
		break;
	}
	return MNL_CB_OK;
}

static int parse_common(const struct nlmsghdr *nlh, struct svc_parse *p)
{
	struct sipsteer_service *svc = p->svc;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -EBADMSG;
	memset(svc, 0, sizeof(*svc));
	/* A mask left out by the kernel means "all bits", as on input. */
	svc->bypass_mask = 0xffffffff;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), svc_attr_cb,
			   p) < 0)
		return p->err ? p->err : -EBADMSG;
	return 0;
}

int sipsteer_parse_service(const struct nlmsghdr *nlh,
			   struct sipsteer_service *out)
{
	struct svc_parse p = { .svc = out };
	int err;

	err = parse_common(nlh, &p);
	if (err)
		return err;
	return out->name[0] ? 0 : -EBADMSG;
}

int sipsteer_parse_event(const struct nlmsghdr *nlh,
			 struct sipsteer_event *ev)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct svc_parse p = { .svc = &ev->service, .ev = ev };

	ev->has_flushed = false;
	ev->flushed = 0;
	ev->evidence = 0;
	ev->suppressed = 0;
	memset(&ev->endpoint, 0, sizeof(ev->endpoint));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*g))
		return -EBADMSG;
	ev->cmd = g->cmd;
	return parse_common(nlh, &p);
}
