// SPDX-License-Identifier: GPL-2.0
/*
 * sipsteer: the generic netlink family, the module's whole ABI surface.
 *
 * Requests are validated strictly against per-command policies (unknown,
 * foreign and malformed attributes are rejected with an extack message),
 * turned into plain structures and handed to service.c under the
 * namespace's lock. Nothing outside this file sees netlink. The policies
 * say what Documentation/netlink/specs/sipsteer.yaml says, so a policy
 * dump and the spec agree.
 */
#include <linux/ctype.h>
#include <linux/in.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "sipsteer.h"

enum sipsteer_mcgrp {
	SIPSTEER_MCGRP_EVENTS_ID,
};

static struct genl_family sipsteer_family;

static int sipsteer_validate_name(const struct nlattr *attr,
				  struct netlink_ext_ack *extack)
{
	const unsigned char *c = nla_data(attr);

	/* The policy has already checked the length and the NUL. */
	if (!*c) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "Service name is empty");
		return -EINVAL;
	}
	for (; *c; c++) {
		if (*c <= ' ' || *c >= 0x7f) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "Service name must be printable ASCII without spaces");
			return -EINVAL;
		}
	}
	return 0;
}

#define SIPSTEER_POLICY_NAME \
	NLA_POLICY_VALIDATE_FN(NLA_NUL_STRING, sipsteer_validate_name, \
			       SIPSTEER_NAME_SIZE - 1)

/*
 * PROTO is 6 or 17: the policy says the range and the parser refuses what
 * lies between. Not a validation function: 6.1 dumps an integer policy
 * with one (into an extack or CTRL_CMD_GETPOLICY) with a WARN.
 */
static const struct nla_policy sipsteer_addr_policy[SIPSTEER_ADDR_A_MAX + 1] = {
	[SIPSTEER_ADDR_A_PROTO] =
		NLA_POLICY_RANGE(NLA_U8, IPPROTO_TCP, IPPROTO_UDP),
	[SIPSTEER_ADDR_A_IPV4] = NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[SIPSTEER_ADDR_A_IPV6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[SIPSTEER_ADDR_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
};

static const struct nla_policy sipsteer_list_policy[SIPSTEER_LIST_A_MAX + 1] = {
	[SIPSTEER_LIST_A_ENTRY] = NLA_POLICY_NESTED(sipsteer_addr_policy),
};

/* One policy per command: an attribute a command does not take is an error. */
static const struct nla_policy sipsteer_new_policy[SIPSTEER_A_MAX + 1] = {
	[SIPSTEER_A_NAME] = SIPSTEER_POLICY_NAME,
	[SIPSTEER_A_ENDPOINTS] = NLA_POLICY_NESTED(sipsteer_list_policy),
	[SIPSTEER_A_TARGETS] = NLA_POLICY_NESTED(sipsteer_list_policy),
	[SIPSTEER_A_BYPASS_MARK] = { .type = NLA_U32 },
	[SIPSTEER_A_BYPASS_MASK] = { .type = NLA_U32 },
	[SIPSTEER_A_REPLACE] = { .type = NLA_FLAG },
	[SIPSTEER_A_UNREPLIED_MS] = NLA_POLICY_MAX(NLA_U32, 32000),
};

static const struct nla_policy sipsteer_name_policy[SIPSTEER_A_MAX + 1] = {
	[SIPSTEER_A_NAME] = SIPSTEER_POLICY_NAME,
};

static const struct nla_policy sipsteer_set_policy[SIPSTEER_A_MAX + 1] = {
	[SIPSTEER_A_NAME] = SIPSTEER_POLICY_NAME,
	[SIPSTEER_A_TARGETS] = NLA_POLICY_NESTED(sipsteer_list_policy),
	[SIPSTEER_A_EXPECT_GENERATION] = { .type = NLA_U32 },
};

static const struct nla_policy sipsteer_flush_policy[SIPSTEER_A_MAX + 1] = {
	[SIPSTEER_A_NAME] = SIPSTEER_POLICY_NAME,
	[SIPSTEER_A_FLUSH_ALL] = { .type = NLA_FLAG },
};

/* Request parsing */

static int sipsteer_parse_addr(const struct nlattr *entry,
			       struct sipsteer_endpoint *out,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SIPSTEER_ADDR_A_MAX + 1];
	int err;

	if (nla_type(entry) != SIPSTEER_LIST_A_ENTRY) {
		NL_SET_ERR_MSG_ATTR(extack, entry, "Expected a list entry");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, SIPSTEER_ADDR_A_MAX, entry,
			       sipsteer_addr_policy, extack);
	if (err)
		return err;

	memset(out, 0, sizeof(*out));
	if (!tb[SIPSTEER_ADDR_A_IPV4] == !tb[SIPSTEER_ADDR_A_IPV6]) {
		NL_SET_ERR_MSG_ATTR(extack, entry,
				    "Address needs exactly one of IPV4 and IPV6");
		return -EINVAL;
	}
	if (tb[SIPSTEER_ADDR_A_IPV4]) {
		out->af = SIPSTEER_AF_INET;
		out->addr.ip = nla_get_in_addr(tb[SIPSTEER_ADDR_A_IPV4]);
		if (!out->addr.ip) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SIPSTEER_ADDR_A_IPV4],
					    "Address is unspecified");
			return -EINVAL;
		}
	} else {
		if (!IS_ENABLED(CONFIG_IPV6)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SIPSTEER_ADDR_A_IPV6],
					    "IPv6 is not enabled in this kernel");
			return -EAFNOSUPPORT;
		}
		out->af = SIPSTEER_AF_INET6;
		out->addr.in6 = nla_get_in6_addr(tb[SIPSTEER_ADDR_A_IPV6]);
		if (ipv6_addr_any(&out->addr.in6)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SIPSTEER_ADDR_A_IPV6],
					    "Address is unspecified");
			return -EINVAL;
		}
	}
	if (tb[SIPSTEER_ADDR_A_PORT])
		out->port = htons(nla_get_u16(tb[SIPSTEER_ADDR_A_PORT]));
	if (tb[SIPSTEER_ADDR_A_PROTO]) {
		out->proto = nla_get_u8(tb[SIPSTEER_ADDR_A_PROTO]);
		if (out->proto != IPPROTO_UDP && out->proto != IPPROTO_TCP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SIPSTEER_ADDR_A_PROTO],
					    "PROTO must be IPPROTO_UDP or IPPROTO_TCP");
			return -EINVAL;
		}
	}
	return 0;
}

static int sipsteer_parse_endpoints(const struct nlattr *list,
				    struct sipsteer_spec *spec,
				    const struct nlattr **attrs,
				    struct netlink_ext_ack *extack)
{
	const struct nlattr *entry;
	unsigned int i;
	int rem, err;

	nla_for_each_nested(entry, list, rem) {
		struct sipsteer_endpoint *ep;

		if (spec->n_endpoints == SIPSTEER_MAX_ENDPOINTS) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "Too many endpoints (SIPSTEER_MAX_ENDPOINTS)");
			return -EINVAL;
		}
		ep = &spec->endpoints[spec->n_endpoints];
		err = sipsteer_parse_addr(entry, ep, extack);
		if (err)
			return err;
		if (!ep->proto) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "Endpoint needs PROTO");
			return -EINVAL;
		}
		if (!ep->port) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "Endpoint needs PORT");
			return -EINVAL;
		}
		for (i = 0; i < spec->n_endpoints; i++) {
			if (!memcmp(&spec->endpoints[i], ep, sizeof(*ep))) {
				NL_SET_ERR_MSG_ATTR(extack, entry,
						    "Duplicate endpoint");
				return -EINVAL;
			}
		}
		attrs[spec->n_endpoints++] = entry;
	}
	/* Empty is fine: the service keeps its target and steers nothing. */
	return 0;
}

/* Absent or empty: no active target, flows pass through. */
static int sipsteer_parse_targets(const struct nlattr *list,
				  struct sipsteer_target *targets,
				  struct netlink_ext_ack *extack)
{
	const struct nlattr *entry;
	int rem, err;

	memset(targets, 0, sizeof(*targets) * SIPSTEER_AF_COUNT);
	if (!list)
		return 0;

	nla_for_each_nested(entry, list, rem) {
		struct sipsteer_endpoint addr;

		err = sipsteer_parse_addr(entry, &addr, extack);
		if (err)
			return err;
		if (addr.proto) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "A target takes no PROTO");
			return -EINVAL;
		}
		if (targets[addr.af].active) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "At most one target per address family");
			return -EINVAL;
		}
		targets[addr.af].addr = addr.addr;
		targets[addr.af].port = addr.port;
		targets[addr.af].active = true;
	}
	return 0;
}

static void sipsteer_report(const struct sipsteer_fail *fail,
			    struct genl_info *info,
			    const struct nlattr **endpoints)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **attrs = info->attrs;

	switch (fail->why) {
	case SIPSTEER_WHY_NONE:
		break;
	case SIPSTEER_WHY_EXISTS:
		NL_SET_ERR_MSG_ATTR(extack, attrs[SIPSTEER_A_NAME],
				    "Service exists (REPLACE replaces it)");
		break;
	case SIPSTEER_WHY_ENDPOINT_TAKEN:
		NL_SET_ERR_MSG_ATTR(extack, endpoints[fail->endpoint],
				    "Endpoint belongs to another service");
		break;
	case SIPSTEER_WHY_TOO_MANY:
		NL_SET_ERR_MSG(extack,
			       "Too many services in this namespace (SIPSTEER_MAX_SERVICES)");
		break;
	case SIPSTEER_WHY_NOENT:
		NL_SET_ERR_MSG_ATTR(extack, attrs[SIPSTEER_A_NAME],
				    "No such service");
		break;
	case SIPSTEER_WHY_STALE:
		NL_SET_ERR_MSG_ATTR(extack, attrs[SIPSTEER_A_EXPECT_GENERATION],
				    "Service changed since the expected generation");
		break;
	}
}

/* Message building */

static int sipsteer_put_addr(struct sk_buff *skb, u8 proto, u8 af,
			     const union nf_inet_addr *addr, __be16 port)
{
	struct nlattr *entry;

	entry = nla_nest_start(skb, SIPSTEER_LIST_A_ENTRY);
	if (!entry)
		return -EMSGSIZE;
	if (proto && nla_put_u8(skb, SIPSTEER_ADDR_A_PROTO, proto))
		goto cancel;
	if (af == SIPSTEER_AF_INET) {
		if (nla_put_in_addr(skb, SIPSTEER_ADDR_A_IPV4, addr->ip))
			goto cancel;
	} else {
		if (nla_put_in6_addr(skb, SIPSTEER_ADDR_A_IPV6, &addr->in6))
			goto cancel;
	}
	if (port && nla_put_u16(skb, SIPSTEER_ADDR_A_PORT, ntohs(port)))
		goto cancel;
	nla_nest_end(skb, entry);
	return 0;

cancel:
	nla_nest_cancel(skb, entry);
	return -EMSGSIZE;
}

static int sipsteer_put_config(struct sk_buff *skb,
			       const struct sipsteer_spec *spec)
{
	struct nlattr *list;
	unsigned int i;
	int af;

	if (nla_put_u32(skb, SIPSTEER_A_BYPASS_MARK, spec->mark) ||
	    nla_put_u32(skb, SIPSTEER_A_BYPASS_MASK, spec->mask))
		return -EMSGSIZE;
	if (spec->unreplied_ms &&
	    nla_put_u32(skb, SIPSTEER_A_UNREPLIED_MS, spec->unreplied_ms))
		return -EMSGSIZE;

	list = nla_nest_start(skb, SIPSTEER_A_ENDPOINTS);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < spec->n_endpoints; i++) {
		const struct sipsteer_endpoint *ep = &spec->endpoints[i];

		if (sipsteer_put_addr(skb, ep->proto, ep->af, &ep->addr,
				      ep->port))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, list);

	/* An inactive service has no TARGETS attribute. */
	if (!spec->targets[SIPSTEER_AF_INET].active &&
	    !spec->targets[SIPSTEER_AF_INET6].active)
		return 0;
	list = nla_nest_start(skb, SIPSTEER_A_TARGETS);
	if (!list)
		return -EMSGSIZE;
	for (af = 0; af < SIPSTEER_AF_COUNT; af++) {
		const struct sipsteer_target *target = &spec->targets[af];

		if (target->active &&
		    sipsteer_put_addr(skb, 0, af, &target->addr, target->port))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, list);
	return 0;
}

/* The evidence counters, inside an open STATS or ENDPOINT_STATS nest. */
static int sipsteer_put_evidence(struct sk_buff *skb, const u64 *counts)
{
	static const int attr[SIPSTEER_EVIDENCE_MAX + 1] = {
		[SIPSTEER_EVIDENCE_ICMP] = SIPSTEER_STATS_A_EVIDENCE_ICMP,
		[SIPSTEER_EVIDENCE_RESET] = SIPSTEER_STATS_A_EVIDENCE_RESET,
		[SIPSTEER_EVIDENCE_SYN] = SIPSTEER_STATS_A_EVIDENCE_SYN,
		[SIPSTEER_EVIDENCE_UNREPLIED] =
			SIPSTEER_STATS_A_EVIDENCE_UNREPLIED,
	};
	int k;

	for (k = SIPSTEER_EVIDENCE_ICMP; k <= SIPSTEER_EVIDENCE_MAX; k++)
		if (nla_put_u64_64bit(skb, attr[k], counts[k],
				      SIPSTEER_STATS_A_PAD))
			return -EMSGSIZE;
	return 0;
}

static int sipsteer_put_stats(struct sk_buff *skb,
			      const struct sipsteer_service *svc)
{
	struct sipsteer_stats stats;
	struct nlattr *nest;

	sipsteer_service_stats(svc, &stats);
	nest = nla_nest_start(skb, SIPSTEER_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, SIPSTEER_STATS_A_FLOWS_STEERED,
			      stats.steered, SIPSTEER_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, SIPSTEER_STATS_A_FLOWS_PASSED,
			      stats.passed, SIPSTEER_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, SIPSTEER_STATS_A_FLOWS_BYPASSED,
			      stats.bypassed, SIPSTEER_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, SIPSTEER_STATS_A_FLUSHES,
			      stats.flushes, SIPSTEER_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, SIPSTEER_STATS_A_FLOWS_FLUSHED,
			      stats.flows_flushed, SIPSTEER_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, SIPSTEER_STATS_A_FLOWS_REFUSED,
			      stats.refused, SIPSTEER_STATS_A_PAD) ||
	    sipsteer_put_evidence(skb, stats.evidence))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Per endpoint, in the order of ENDPOINTS: the evidence counters. */
static int sipsteer_put_endpoint_stats(struct sk_buff *skb,
				       const struct sipsteer_config *cfg)
{
	struct nlattr *list, *entry;
	unsigned int i;

	list = nla_nest_start(skb, SIPSTEER_A_ENDPOINT_STATS);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < cfg->spec.n_endpoints; i++) {
		u64 counts[SIPSTEER_EVIDENCE_MAX + 1] = {};

		sipsteer_evidence_sum(cfg, i, counts);
		entry = nla_nest_start(skb, SIPSTEER_LIST_A_ENTRY);
		if (!entry || sipsteer_put_evidence(skb, counts))
			return -EMSGSIZE;
		nla_nest_end(skb, entry);
	}
	nla_nest_end(skb, list);
	return 0;
}

/*
 * One service message: NAME, GENERATION, STATS, and for the SERVICE_*
 * commands the whole configuration. Caller holds the namespace's lock.
 */
static int sipsteer_put_service(struct sk_buff *skb,
				const struct sipsteer_service *svc,
				u32 portid, u32 seq, int flags, u8 cmd,
				struct netlink_callback *cb)
{
	const struct sipsteer_config *cfg = svc->cfg;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &sipsteer_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (nla_put_string(skb, SIPSTEER_A_NAME, cfg->spec.name) ||
	    nla_put_u32(skb, SIPSTEER_A_GENERATION, cfg->generation))
		goto cancel;
	if (cmd != SIPSTEER_CMD_STATS_GET &&
	    sipsteer_put_config(skb, &cfg->spec))
		goto cancel;
	if (sipsteer_put_stats(skb, svc) ||
	    sipsteer_put_endpoint_stats(skb, cfg))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* NAME, GENERATION and, for FLOWS_FLUSH, FLUSHED. */
static int sipsteer_put_short(struct sk_buff *skb, u32 portid, u32 seq,
			      u8 cmd, const char *name, u32 generation,
			      const unsigned int *flushed)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &sipsteer_family, 0, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(skb, SIPSTEER_A_NAME, name) ||
	    nla_put_u32(skb, SIPSTEER_A_GENERATION, generation) ||
	    (flushed && nla_put_u32(skb, SIPSTEER_A_FLUSHED, *flushed))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * Replies and events are allocated before the lock is taken, so once a
 * change is made, telling the caller and the listeners cannot fail.
 */
struct sipsteer_msgs {
	struct sk_buff *reply;
	struct sk_buff *event;		/* NULL: nobody listens */
};

static int sipsteer_msgs_alloc(struct sipsteer_msgs *msgs, struct net *net,
			       bool reply)
{
	msgs->reply = NULL;
	msgs->event = NULL;
	if (reply) {
		msgs->reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
		if (!msgs->reply)
			return -ENOMEM;
	}
	if (genl_has_listeners(&sipsteer_family, net,
			       SIPSTEER_MCGRP_EVENTS_ID)) {
		msgs->event = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
		if (!msgs->event) {
			nlmsg_free(msgs->reply);
			return -ENOMEM;
		}
	}
	return 0;
}

static int sipsteer_msgs_send(struct sipsteer_msgs *msgs, struct net *net,
			      struct genl_info *info, int err)
{
	if (err) {
		nlmsg_free(msgs->reply);
		nlmsg_free(msgs->event);
		return err;
	}
	if (msgs->event)
		genlmsg_multicast_netns(&sipsteer_family, net, msgs->event, 0,
					SIPSTEER_MCGRP_EVENTS_ID, GFP_KERNEL);
	if (msgs->reply)
		return genlmsg_reply(msgs->reply, info);
	return 0;
}

/* Fill the reply and the event with the service, as SERVICE_GET would. */
static int sipsteer_msgs_service(struct sipsteer_msgs *msgs,
				 const struct sipsteer_service *svc,
				 struct genl_info *info, u8 cmd)
{
	int err = 0;

	if (msgs->reply)
		err = sipsteer_put_service(msgs->reply, svc, info->snd_portid,
					   info->snd_seq, 0, cmd, NULL);
	if (!err && msgs->event)
		err = sipsteer_put_service(msgs->event, svc, 0, 0, 0, cmd,
					   NULL);
	return err;
}

/* Commands */

/* A mark with a bit outside its mask could never match. */
static int sipsteer_parse_bypass(struct genl_info *info,
				 struct sipsteer_spec *spec)
{
	struct nlattr **attrs = info->attrs;

	spec->mark = 0;
	spec->mask = U32_MAX;
	if (attrs[SIPSTEER_A_BYPASS_MARK])
		spec->mark = nla_get_u32(attrs[SIPSTEER_A_BYPASS_MARK]);
	if (attrs[SIPSTEER_A_BYPASS_MASK])
		spec->mask = nla_get_u32(attrs[SIPSTEER_A_BYPASS_MASK]);
	if (spec->mark & ~spec->mask) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    attrs[SIPSTEER_A_BYPASS_MARK],
				    "BYPASS_MARK has bits outside BYPASS_MASK");
		return -EINVAL;
	}
	return 0;
}

static int sipsteer_cmd_new(struct sk_buff *skb, struct genl_info *info)
{
	const struct nlattr *ep_attrs[SIPSTEER_MAX_ENDPOINTS];
	struct sipsteer_fail fail = { SIPSTEER_WHY_NONE };
	struct net *net = genl_info_net(info);
	struct sipsteer_net *sn = sipsteer_net(net);
	struct nlattr **attrs = info->attrs;
	struct sipsteer_service *svc;
	struct sipsteer_msgs msgs;
	struct sipsteer_spec *spec;
	bool replace;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SIPSTEER_A_NAME) ||
	    GENL_REQ_ATTR_CHECK(info, SIPSTEER_A_ENDPOINTS))
		return -EINVAL;

	spec = kzalloc(sizeof(*spec), GFP_KERNEL);
	if (!spec)
		return -ENOMEM;
	nla_strscpy(spec->name, attrs[SIPSTEER_A_NAME], sizeof(spec->name));
	err = sipsteer_parse_bypass(info, spec);
	if (err)
		goto out;
	err = sipsteer_parse_endpoints(attrs[SIPSTEER_A_ENDPOINTS], spec,
				       ep_attrs, info->extack);
	if (err)
		goto out;
	err = sipsteer_parse_targets(attrs[SIPSTEER_A_TARGETS], spec->targets,
				     info->extack);
	if (err)
		goto out;
	replace = nla_get_flag(attrs[SIPSTEER_A_REPLACE]);
	if (attrs[SIPSTEER_A_UNREPLIED_MS])
		spec->unreplied_ms = nla_get_u32(attrs[SIPSTEER_A_UNREPLIED_MS]);

	err = sipsteer_msgs_alloc(&msgs, net, true);
	if (err)
		goto out;
	mutex_lock(&sn->lock);
	err = sipsteer_service_add(sn, spec, replace, &svc, &fail);
	if (!err)
		err = sipsteer_msgs_service(&msgs, svc, info,
					    SIPSTEER_CMD_SERVICE_NEW);
	mutex_unlock(&sn->lock);
	sipsteer_report(&fail, info, ep_attrs);
	err = sipsteer_msgs_send(&msgs, net, info, err);
out:
	kfree(spec);
	return err;
}

static int sipsteer_cmd_del(struct sk_buff *skb, struct genl_info *info)
{
	struct sipsteer_fail fail = { SIPSTEER_WHY_NONE };
	struct net *net = genl_info_net(info);
	struct sipsteer_net *sn = sipsteer_net(net);
	char name[SIPSTEER_NAME_SIZE];
	struct sipsteer_msgs msgs;
	u32 generation;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SIPSTEER_A_NAME))
		return -EINVAL;
	nla_strscpy(name, info->attrs[SIPSTEER_A_NAME], sizeof(name));

	err = sipsteer_msgs_alloc(&msgs, net, false);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	err = sipsteer_service_del(sn, name, &generation, &fail);
	mutex_unlock(&sn->lock);
	if (!err && msgs.event)
		err = sipsteer_put_short(msgs.event, 0, 0,
					 SIPSTEER_CMD_SERVICE_DEL, name,
					 generation, NULL);
	sipsteer_report(&fail, info, NULL);
	return sipsteer_msgs_send(&msgs, net, info, err);
}

static int sipsteer_cmd_set(struct sk_buff *skb, struct genl_info *info)
{
	struct sipsteer_target targets[SIPSTEER_AF_COUNT];
	struct sipsteer_fail fail = { SIPSTEER_WHY_NONE };
	struct net *net = genl_info_net(info);
	struct sipsteer_net *sn = sipsteer_net(net);
	struct nlattr **attrs = info->attrs;
	char name[SIPSTEER_NAME_SIZE];
	struct sipsteer_service *svc;
	u32 expect, *expectp = NULL;
	struct sipsteer_msgs msgs;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SIPSTEER_A_NAME))
		return -EINVAL;
	nla_strscpy(name, attrs[SIPSTEER_A_NAME], sizeof(name));
	err = sipsteer_parse_targets(attrs[SIPSTEER_A_TARGETS], targets,
				     info->extack);
	if (err)
		return err;
	if (attrs[SIPSTEER_A_EXPECT_GENERATION]) {
		expect = nla_get_u32(attrs[SIPSTEER_A_EXPECT_GENERATION]);
		expectp = &expect;
	}

	err = sipsteer_msgs_alloc(&msgs, net, true);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	err = sipsteer_service_set(sn, name, targets, expectp, &svc, &fail);
	if (!err)
		err = sipsteer_msgs_service(&msgs, svc, info,
					    SIPSTEER_CMD_SERVICE_SET);
	mutex_unlock(&sn->lock);
	sipsteer_report(&fail, info, NULL);
	return sipsteer_msgs_send(&msgs, net, info, err);
}

static int sipsteer_cmd_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct sipsteer_fail fail = { SIPSTEER_WHY_NONE };
	struct net *net = genl_info_net(info);
	struct sipsteer_net *sn = sipsteer_net(net);
	char name[SIPSTEER_NAME_SIZE];
	struct sipsteer_service *svc;
	struct sipsteer_msgs msgs;
	unsigned int flushed;
	u32 generation;
	bool all;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SIPSTEER_A_NAME))
		return -EINVAL;
	nla_strscpy(name, info->attrs[SIPSTEER_A_NAME], sizeof(name));
	all = nla_get_flag(info->attrs[SIPSTEER_A_FLUSH_ALL]);

	err = sipsteer_msgs_alloc(&msgs, net, true);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	err = sipsteer_service_flush(sn, name, all, &svc, &flushed, &fail);
	if (!err)
		generation = svc->cfg->generation;
	mutex_unlock(&sn->lock);
	if (!err)
		err = sipsteer_put_short(msgs.reply, info->snd_portid,
					 info->snd_seq,
					 SIPSTEER_CMD_FLOWS_FLUSH, name,
					 generation, &flushed);
	if (!err && msgs.event)
		err = sipsteer_put_short(msgs.event, 0, 0,
					 SIPSTEER_CMD_FLOWS_FLUSH, name,
					 generation, &flushed);
	sipsteer_report(&fail, info, NULL);
	return sipsteer_msgs_send(&msgs, net, info, err);
}

/* SERVICE_GET and STATS_GET, do */
static int sipsteer_cmd_get(struct sk_buff *skb, struct genl_info *info)
{
	struct sipsteer_fail fail = { SIPSTEER_WHY_NONE };
	struct sipsteer_net *sn = sipsteer_net(genl_info_net(info));
	char name[SIPSTEER_NAME_SIZE];
	struct sipsteer_service *svc;
	struct sk_buff *reply;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SIPSTEER_A_NAME))
		return -EINVAL;
	nla_strscpy(name, info->attrs[SIPSTEER_A_NAME], sizeof(name));

	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	mutex_lock(&sn->lock);
	svc = sipsteer_service_find(sn, name);
	if (svc) {
		err = sipsteer_put_service(reply, svc, info->snd_portid,
					   info->snd_seq, 0,
					   info->genlhdr->cmd, NULL);
	} else {
		fail.why = SIPSTEER_WHY_NOENT;
		err = -ENOENT;
	}
	mutex_unlock(&sn->lock);
	if (err) {
		sipsteer_report(&fail, info, NULL);
		nlmsg_free(reply);
		return err;
	}
	return genlmsg_reply(reply, info);
}

/*
 * SERVICE_GET and STATS_GET, dump. cb->args[0] is the position in the
 * service list; cb->seq is the namespace's generation, so a change
 * between two parts of the dump sets NLM_F_DUMP_INTR. cb->args[1] tells
 * that a part reached the end of the list: the dump is then complete and
 * consistent, and the last, empty call must not compare generations
 * again, or a change after the dump ended would flag NLMSG_DONE as
 * interrupted. NAME, when given, limits the dump to that service.
 */
static int sipsteer_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *dump = genl_dumpit_info(cb);
	struct sipsteer_net *sn = sipsteer_net(sock_net(skb->sk));
	const struct nlattr *filter = genl_info_dump(cb)->attrs[SIPSTEER_A_NAME];
	struct sipsteer_service *svc;
	unsigned long pos = 0;
	bool full = false;

	if (cb->args[1])
		return 0;

	mutex_lock(&sn->lock);
	cb->seq = sn->generation;
	list_for_each_entry(svc, &sn->services, node) {
		if (pos < cb->args[0] ||
		    (filter && nla_strcmp(filter, svc->cfg->spec.name))) {
			pos++;
			continue;
		}
		if (sipsteer_put_service(skb, svc,
					 NETLINK_CB(cb->skb).portid,
					 cb->nlh->nlmsg_seq, NLM_F_MULTI,
					 dump->op.cmd, cb)) {
			full = true;
			break;
		}
		pos++;
	}
	cb->args[0] = pos;
	cb->args[1] = !full;
	mutex_unlock(&sn->lock);
	return skb->len;
}

static const struct genl_ops sipsteer_ops[] = {
	{
		.cmd = SIPSTEER_CMD_SERVICE_NEW,
		.doit = sipsteer_cmd_new,
		.policy = sipsteer_new_policy,
		.maxattr = SIPSTEER_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SIPSTEER_CMD_SERVICE_DEL,
		.doit = sipsteer_cmd_del,
		.policy = sipsteer_name_policy,
		.maxattr = SIPSTEER_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SIPSTEER_CMD_SERVICE_GET,
		.doit = sipsteer_cmd_get,
		.dumpit = sipsteer_dump,
		.policy = sipsteer_name_policy,
		.maxattr = SIPSTEER_A_MAX,
	},
	{
		.cmd = SIPSTEER_CMD_SERVICE_SET,
		.doit = sipsteer_cmd_set,
		.policy = sipsteer_set_policy,
		.maxattr = SIPSTEER_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SIPSTEER_CMD_STATS_GET,
		.doit = sipsteer_cmd_get,
		.dumpit = sipsteer_dump,
		.policy = sipsteer_name_policy,
		.maxattr = SIPSTEER_A_MAX,
	},
	/*
	 * Every walk of conntrack holds its global mutex over the table all
	 * namespaces share: an explicit flush, which a controller never needs
	 * for a switch, is for the initial namespace's administrator only.
	 */
	{
		.cmd = SIPSTEER_CMD_FLOWS_FLUSH,
		.doit = sipsteer_cmd_flush,
		.policy = sipsteer_flush_policy,
		.maxattr = SIPSTEER_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group sipsteer_mcgrps[] = {
	[SIPSTEER_MCGRP_EVENTS_ID] = { .name = SIPSTEER_MCGRP_EVENTS },
};

/*
 * parallel_ops: requests are serialised per namespace by sipsteer_net.lock
 * rather than by the global genl_mutex, so a change waiting for a grace
 * period or walking conntrack blocks no other generic netlink family.
 * resv_start_op is 0: the core refuses nlmsg_flags it cannot give a
 * meaning (NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE) on every command;
 * before 6.1, pre_doit does (compat.h).
 */
static struct genl_family sipsteer_family __ro_after_init = {
	.name = SIPSTEER_GENL_NAME,
	.version = SIPSTEER_GENL_VERSION,
	.maxattr = SIPSTEER_A_MAX,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.pre_doit = SIPSTEER_GENL_PRE_DOIT,
	.ops = sipsteer_ops,
	.n_ops = ARRAY_SIZE(sipsteer_ops),
	.mcgrps = sipsteer_mcgrps,
	.n_mcgrps = ARRAY_SIZE(sipsteer_mcgrps),
};

/* Cleared before the family goes: the packet path announces no more. */
static bool sipsteer_genl_live;

/*
 * EVIDENCE, from the packet path (softirq, RCU): NAME, GENERATION,
 * ENDPOINT, EVIDENCE, SUPPRESSED. Lost, like any event, when memory is
 * short; the counters still tell.
 */
void sipsteer_genl_evidence(struct net *net,
			    const struct sipsteer_config *cfg,
			    unsigned int ep, enum sipsteer_evidence what,
			    u32 suppressed)
{
	const struct sipsteer_endpoint *e = &cfg->spec.endpoints[ep];
	struct sk_buff *skb;
	struct nlattr *nest;
	void *hdr;

	if (!READ_ONCE(sipsteer_genl_live) ||
	    !genl_has_listeners(&sipsteer_family, net,
				SIPSTEER_MCGRP_EVENTS_ID))
		return;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &sipsteer_family, 0,
			  SIPSTEER_CMD_EVIDENCE);
	if (!hdr)
		goto free;
	if (nla_put_string(skb, SIPSTEER_A_NAME, cfg->spec.name) ||
	    nla_put_u32(skb, SIPSTEER_A_GENERATION, cfg->generation) ||
	    nla_put_u8(skb, SIPSTEER_A_EVIDENCE, what) ||
	    nla_put_u32(skb, SIPSTEER_A_SUPPRESSED, suppressed))
		goto free;
	/* The address nest of a list entry, under its own type. */
	nest = nla_nest_start(skb, SIPSTEER_A_ENDPOINT);
	if (!nest || nla_put_u8(skb, SIPSTEER_ADDR_A_PROTO, e->proto))
		goto free;
	if (e->af == SIPSTEER_AF_INET ?
	    nla_put_in_addr(skb, SIPSTEER_ADDR_A_IPV4, e->addr.ip) :
	    nla_put_in6_addr(skb, SIPSTEER_ADDR_A_IPV6, &e->addr.in6))
		goto free;
	if (nla_put_u16(skb, SIPSTEER_ADDR_A_PORT, ntohs(e->port)))
		goto free;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&sipsteer_family, net, skb, 0,
				SIPSTEER_MCGRP_EVENTS_ID, GFP_ATOMIC);
	return;

free:
	nlmsg_free(skb);
}

int __init sipsteer_genl_init(void)
{
	int err;

	err = genl_register_family(&sipsteer_family);
	if (!err)
		WRITE_ONCE(sipsteer_genl_live, true);
	return err;
}

void sipsteer_genl_exit(void)
{
	WRITE_ONCE(sipsteer_genl_live, false);
	/* Announcements under way run under RCU. */
	synchronize_rcu();
	genl_unregister_family(&sipsteer_family);
}
