// SPDX-License-Identifier: GPL-2.0
#include "nl.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/sipsteer.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			*(uint16_t *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

/* Extack text of an error message, when the kernel sent one. */
static void extack_text(const struct nlmsghdr *nlh, char *msg, size_t size)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*err);
	struct nlattr *attr;

	msg[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	mnl_attr_for_each_payload((void *)((char *)err + off),
				  nlh->nlmsg_len - sizeof(*nlh) - off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG)
			snprintf(msg, size, "%s", mnl_attr_get_str(attr));
		/* The kernel names a missing attribute by type, not text. */
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MISS_TYPE &&
		    !msg[0])
			snprintf(msg, size, "missing attribute type %u",
				 mnl_attr_get_u32(attr));
	}
}

int nl_talk(struct nl *nl, struct nlmsghdr *nlh, char *msg, size_t size)
{
	uint32_t portid = mnl_socket_get_portid(nl->sock);
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;

	if (msg && size)
		msg[0] = '\0';
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		const struct nlmsghdr *r;
		int len;

		n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (n < 0)
			return -errno;
		len = (int)n;
		for (r = (const void *)nl->buf; mnl_nlmsg_ok(r, len);
		     r = mnl_nlmsg_next(r, &len)) {
			if (r->nlmsg_seq != seq || r->nlmsg_pid != portid)
				continue;
			if (r->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e =
					mnl_nlmsg_get_payload(r);

				if (e->error && msg && size)
					extack_text(r, msg, size);
				return e->error;
			}
			if (r->nlmsg_type == NLMSG_DONE)
				return 0;
		}
	}
}

int nl_open(struct nl *nl)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock)
		return -errno;
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out;
	}
	nlh = mnl_nlmsg_put_header(nl->buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, SIPSTEER_GENL_NAME);
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf,
						sizeof(nl->buf));

		if (n < 0) {
			err = -errno;
			goto out;
		}
		err = mnl_cb_run(nl->buf, (size_t)n, nl->seq,
				 mnl_socket_get_portid(nl->sock), family_cb,
				 &nl->family);
		if (err <= 0)
			break;
	}
	err = err < 0 ? -errno : 0;
	if (!err && !nl->family)
		err = -ENOENT;
out:
	if (err)
		nl_close(nl);
	return err;
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

struct nlmsghdr *nl_request(struct nl *nl, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = SIPSTEER_GENL_VERSION;
	return nlh;
}
