// SPDX-License-Identifier: GPL-2.0
/* Service, stats and flush requests. */
#include <errno.h>
#include <string.h>

#include <linux/genetlink.h>

#include "internal.h"

static int talk(struct sipsteer *h, struct nlmsghdr *nlh, nl_data_cb cb,
		void *arg)
{
	return nl_talk(h->nl, &h->seq, nlh, cb, arg, &h->ext);
}

static int put_name(struct nlmsghdr *nlh, const char *name)
{
	if (!sipsteer_name_valid(name))
		return -EINVAL;
	mnl_attr_put_strz(nlh, SIPSTEER_A_NAME, name);
	return 0;
}

/* A do request answers with exactly one service. */
struct one {
	struct sipsteer_service *out;
	bool seen;
};

static int one_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct one *o = arg;
	int err;

	if (o->seen)
		return -EBADMSG;
	err = sipsteer_parse_service(nlh, o->out);
	if (err)
		return err;
	o->seen = true;
	return 0;
}

static int do_one(struct sipsteer *h, struct nlmsghdr *nlh,
		  struct sipsteer_service *out)
{
	struct sipsteer_service tmp;
	struct one o = { .out = out ? out : &tmp };
	int err;

	err = talk(h, nlh, one_cb, &o);
	if (err)
		return err;
	return o.seen ? 0 : -EBADMSG;
}

struct each {
	sipsteer_service_cb cb;
	void *arg;
};

static int each_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct sipsteer_service svc;
	struct each *e = arg;
	int err;

	err = sipsteer_parse_service(nlh, &svc);
	if (err)
		return err;
	return e->cb(&svc, e->arg);
}

static int dump(struct sipsteer *h, uint8_t cmd, sipsteer_service_cb cb,
		void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct each e = { .cb = cb, .arg = arg };
	struct nlmsghdr *nlh;

	nlh = sipsteer_msg_start(buf, h->family, cmd, NLM_F_DUMP);
	return talk(h, nlh, each_cb, &e);
}

int sipsteer_service_new(struct sipsteer *h,
			 const struct sipsteer_service *svc,
			 enum sipsteer_new_mode mode)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	nlh = sipsteer_msg_start(buf, h->family, SIPSTEER_CMD_SERVICE_NEW, 0);
	err = sipsteer_msg_put_new(nlh, svc, mode);
	if (err)
		return err;
	return talk(h, nlh, NULL, NULL);
}

int sipsteer_service_del(struct sipsteer *h, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	nlh = sipsteer_msg_start(buf, h->family, SIPSTEER_CMD_SERVICE_DEL, 0);
	err = put_name(nlh, name);
	if (err)
		return err;
	return talk(h, nlh, NULL, NULL);
}

static int get_one(struct sipsteer *h, uint8_t cmd, const char *name,
		   struct sipsteer_service *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	nlh = sipsteer_msg_start(buf, h->family, cmd, 0);
	err = put_name(nlh, name);
	if (err)
		return err;
	return do_one(h, nlh, out);
}

int sipsteer_service_get(struct sipsteer *h, const char *name,
			 struct sipsteer_service *out)
{
	return get_one(h, SIPSTEER_CMD_SERVICE_GET, name, out);
}

int sipsteer_service_dump(struct sipsteer *h, sipsteer_service_cb cb,
			  void *arg)
{
	return dump(h, SIPSTEER_CMD_SERVICE_GET, cb, arg);
}

int sipsteer_service_set(struct sipsteer *h, const char *name,
			 const struct sipsteer_addr *targets, unsigned int n,
			 const uint32_t *expect_gen,
			 struct sipsteer_service *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	if (n > SIPSTEER_MAX_TARGETS)
		return -E2BIG;
	nlh = sipsteer_msg_start(buf, h->family, SIPSTEER_CMD_SERVICE_SET, 0);
	err = put_name(nlh, name);
	if (err)
		return err;
	/* No TARGETS attribute means inactive. */
	if (n) {
		err = sipsteer_msg_put_addrs(nlh, SIPSTEER_A_TARGETS, targets,
					     n);
		if (err)
			return err;
	}
	if (expect_gen)
		mnl_attr_put_u32(nlh, SIPSTEER_A_EXPECT_GENERATION,
				 *expect_gen);
	return do_one(h, nlh, out);
}

int sipsteer_stats_get(struct sipsteer *h, const char *name,
		       struct sipsteer_service *out)
{
	return get_one(h, SIPSTEER_CMD_STATS_GET, name, out);
}

int sipsteer_stats_dump(struct sipsteer *h, sipsteer_service_cb cb,
			void *arg)
{
	return dump(h, SIPSTEER_CMD_STATS_GET, cb, arg);
}

struct flushed {
	uint32_t n;
	bool seen;
};

static int flushed_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct sipsteer_event ev;
	struct flushed *f = arg;
	int err;

	err = sipsteer_parse_event(nlh, &ev);
	if (err)
		return err;
	if (ev.has_flushed) {
		f->n = ev.flushed;
		f->seen = true;
	}
	return 0;
}

int sipsteer_flows_flush(struct sipsteer *h, const char *name, bool all,
			 uint32_t *flushed)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct flushed f = { 0 };
	struct nlmsghdr *nlh;
	int err;

	nlh = sipsteer_msg_start(buf, h->family, SIPSTEER_CMD_FLOWS_FLUSH, 0);
	err = put_name(nlh, name);
	if (err)
		return err;
	if (all)
		mnl_attr_put(nlh, SIPSTEER_A_FLUSH_ALL, 0, NULL);
	err = talk(h, nlh, flushed_cb, &f);
	if (err)
		return err;
	if (!f.seen)
		return -EBADMSG;
	if (flushed)
		*flushed = f.n;
	return 0;
}
