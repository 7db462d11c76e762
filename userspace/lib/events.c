// SPDX-License-Identifier: GPL-2.0
/* Notifications of the "events" multicast group. */
#include <errno.h>

#include <linux/genetlink.h>

#include "internal.h"

int sipsteer_subscribe(struct sipsteer *h)
{
	int grp = (int)h->events_group;

	if (!grp)
		return -ENOENT;
	if (mnl_socket_setsockopt(h->nl, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0)
		return -errno;
	return 0;
}

int sipsteer_events_read(struct sipsteer *h, sipsteer_event_cb cb, void *arg)
{
	char buf[NL_RECV_SIZE];
	const struct nlmsghdr *nlh;
	struct sipsteer_event ev;
	ssize_t n;
	int left;
	int err;

	do {
		n = mnl_socket_recvfrom(h->nl, buf, sizeof(buf));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	nlh = (const struct nlmsghdr *)buf;
	left = (int)n;
	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		/* Notifications carry sequence 0 and the family's type. */
		if (nlh->nlmsg_type != h->family || nlh->nlmsg_seq != 0)
			continue;
		err = sipsteer_parse_event(nlh, &ev);
		if (err)
			return err;
		err = cb(&ev, arg);
		if (err)
			return err;
	}
	return 0;
}
