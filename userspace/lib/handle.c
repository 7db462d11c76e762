// SPDX-License-Identifier: GPL-2.0
/* The library handle: one generic netlink socket bound to the family. */
#include <errno.h>
#include <stdlib.h>

#include <linux/genetlink.h>

#include "internal.h"

static int family_cb(const struct nlmsghdr *nlh, void *arg)
{
	return genl_parse_family(nlh, SIPSTEER_MCGRP_EVENTS, arg);
}

int sipsteer_open(struct sipsteer **hp)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct genl_family_info info = { 0 };
	struct sipsteer *h;
	struct nlmsghdr *nlh;
	int err;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	nl_ext_clear(&h->ext);
	err = nl_open(NETLINK_GENERIC, &h->nl);
	if (err)
		goto out;
	nlh = genl_msg_getfamily(buf, SIPSTEER_GENL_NAME);
	err = nl_talk(h->nl, &h->seq, nlh, family_cb, &info, &h->ext);
	if (err)
		goto out;
	if (!info.id) {
		err = -EBADMSG;
		goto out;
	}
	/* A module from before the ABI was frozen: fail here, not later. */
	if (info.version < SIPSTEER_GENL_VERSION_MIN) {
		err = -EPROTONOSUPPORT;
		goto out;
	}
	h->family = info.id;
	h->version = info.version;
	h->events_group = info.events_group;
	*hp = h;
	return 0;
out:
	sipsteer_close(h);
	return err;
}

void sipsteer_close(struct sipsteer *h)
{
	if (!h)
		return;
	if (h->nl)
		mnl_socket_close(h->nl);
	free(h);
}

int sipsteer_fd(const struct sipsteer *h)
{
	return mnl_socket_get_fd(h->nl);
}

uint32_t sipsteer_family_version(const struct sipsteer *h)
{
	return h->version;
}

const char *sipsteer_extack(const struct sipsteer *h)
{
	return h->ext.msg;
}

long sipsteer_extack_offset(const struct sipsteer *h)
{
	return h->ext.offset;
}
