// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink request/reply over libmnl, shared by the generic netlink,
 * sock_diag and ctnetlink sockets. Parses ACKs and extended acks itself
 * because mnl_cb_run() drops both the extack and NLM_F_DUMP_INTR parts.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <linux/netlink.h>

#include "internal.h"

void nl_ext_clear(struct nl_ext *ext)
{
	ext->msg[0] = '\0';
	ext->offset = -1;
}

struct ext_tlvs {
	struct nl_ext *ext;
	bool miss_type;
	uint32_t miss;
};

static int ext_attr_cb(const struct nlattr *attr, void *data)
{
	struct ext_tlvs *t = data;
	struct nl_ext *ext = t->ext;
	uint16_t len = mnl_attr_get_payload_len(attr);
	const char *s;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		s = mnl_attr_get_payload(attr);
		if (len == 0)
			break;
		snprintf(ext->msg, sizeof(ext->msg), "%.*s", (int)len, s);
		break;
	case NLMSGERR_ATTR_OFFS:
		if (len == sizeof(uint32_t))
			ext->offset = mnl_attr_get_u32(attr);
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (len == sizeof(uint32_t)) {
			t->miss_type = true;
			t->miss = mnl_attr_get_u32(attr);
		}
		break;
	}
	return MNL_CB_OK;
}

static void ext_parse(const void *tlvs, size_t len, struct nl_ext *ext)
{
	struct ext_tlvs t = { .ext = ext };

	if (!ext || len < sizeof(struct nlattr))
		return;
	mnl_attr_parse_payload(tlvs, len, ext_attr_cb, &t);
	if (!ext->msg[0] && t.miss_type)
		snprintf(ext->msg, sizeof(ext->msg),
			 "missing attribute %u", t.miss);
}

static int reply_error(const struct nlmsghdr *nlh, struct nl_reply *r)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t plen = mnl_nlmsg_get_payload_len(nlh);
	size_t off = sizeof(*err);

	if (plen < sizeof(*err))
		return -EBADMSG;
	r->done = true;
	r->error = err->error > 0 ? -err->error : err->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (err->msg.nlmsg_len < sizeof(err->msg))
			return -EBADMSG;
		off = sizeof(int) + NLMSG_ALIGN(err->msg.nlmsg_len);
	}
	if (off < plen)
		ext_parse((const char *)err + off, plen - off, r->ext);
	return 0;
}

static int reply_done(const struct nlmsghdr *nlh, struct nl_reply *r)
{
	size_t plen = mnl_nlmsg_get_payload_len(nlh);
	const char *p = mnl_nlmsg_get_payload(nlh);
	int error = 0;

	r->done = true;
	if (plen >= sizeof(int)) {
		memcpy(&error, p, sizeof(error));
		r->error = error > 0 ? -error : error;
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
			ext_parse(p + NLMSG_ALIGN(sizeof(int)),
				  plen - NLMSG_ALIGN(sizeof(int)), r->ext);
	}
	return 0;
}

int nl_reply_parse(const void *buf, size_t len, struct nl_reply *r,
		   nl_data_cb cb, void *arg)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;
	int err;

	while (mnl_nlmsg_ok(nlh, left)) {
		if (nlh->nlmsg_seq != r->seq ||
		    (r->portid && nlh->nlmsg_pid != r->portid))
			goto next;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			r->intr = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			break;
		case NLMSG_ERROR:
			return reply_error(nlh, r);
		case NLMSG_DONE:
			return reply_done(nlh, r);
		case NLMSG_OVERRUN:
			return -ENOBUFS;
		default:
			if (cb) {
				err = cb(nlh, arg);
				if (err)
					return err;
			}
		}
next:
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	if (left != 0)
		return -EBADMSG;
	return 0;
}

int nl_open(int bus, struct mnl_socket **out)
{
	struct mnl_socket *nl;
	int one = 1;
	int err;

	nl = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		mnl_socket_close(nl);
		return err;
	}
	/* Best effort: without them errors still arrive, only less text. */
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	*out = nl;
	return 0;
}

int nl_talk(struct mnl_socket *nl, uint32_t *seq, struct nlmsghdr *req,
	    nl_data_cb cb, void *arg, struct nl_ext *ext)
{
	char buf[NL_RECV_SIZE];
	struct nl_reply r = {
		.portid = mnl_socket_get_portid(nl),
		.ext = ext,
	};
	ssize_t n;
	int err;

	nl_ext_clear(ext);
	if (!++*seq)
		++*seq;
	req->nlmsg_seq = *seq;
	req->nlmsg_flags |= NLM_F_ACK;
	r.seq = *seq;
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
		return -errno;
	while (!r.done) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		err = nl_reply_parse(buf, (size_t)n, &r, cb, arg);
		if (err)
			return err;
	}
	if (r.error)
		return r.error;
	return r.intr ? -EINTR : 0;
}
