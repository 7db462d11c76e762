// SPDX-License-Identifier: GPL-2.0
/* Resolve a generic netlink family and its multicast group by name. */
#include <errno.h>
#include <string.h>

#include <linux/genetlink.h>

#include "internal.h"

struct nlmsghdr *genl_msg_getfamily(void *buf, const char *name)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	nl_buf_zero(buf);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	return nlh;
}

struct group_match {
	const char *want;
	uint32_t id;
};

static int group_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == CTRL_ATTR_MCAST_GRP_NAME &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		tb[type] = attr;
	else if (type == CTRL_ATTR_MCAST_GRP_ID &&
		 mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void parse_groups(const struct nlattr *groups, struct group_match *m)
{
	const struct nlattr *grp;

	mnl_attr_for_each_nested(grp, groups) {
		const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = { 0 };

		mnl_attr_parse_nested(grp, group_attr_cb, tb);
		if (tb[CTRL_ATTR_MCAST_GRP_NAME] && tb[CTRL_ATTR_MCAST_GRP_ID] &&
		    !strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]),
			    m->want))
			m->id = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	}
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	switch (type) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		break;
	default:
		return MNL_CB_OK;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

int genl_parse_family(const struct nlmsghdr *nlh, const char *group,
		      struct genl_family_info *info)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = { 0 };
	struct group_match m = { .want = group };

	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb,
			   tb) < 0 || !tb[CTRL_ATTR_FAMILY_ID])
		return -EBADMSG;
	info->id = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	info->version = tb[CTRL_ATTR_VERSION] ?
			mnl_attr_get_u32(tb[CTRL_ATTR_VERSION]) : 0;
	if (tb[CTRL_ATTR_MCAST_GROUPS])
		parse_groups(tb[CTRL_ATTR_MCAST_GROUPS], &m);
	info->events_group = m.id;
	return 0;
}
