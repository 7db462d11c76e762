/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Library internals shared between its files and its unit tests. Nothing
 * here is part of the public API (sipsteer_nl.h).
 */
#ifndef SIPSTEER_INTERNAL_H
#define SIPSTEER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>

#include "sipsteer_nl.h"

#define NL_EXT_MSG_SIZE	256
/* Receive buffer: large enough for any dump batch (libmnl suggests 32k). */
#define NL_RECV_SIZE	32768

/* Extended ack of the last failed request. */
struct nl_ext {
	char msg[NL_EXT_MSG_SIZE];
	long offset;			/* -1: none */
};

/*
 * Request buffers hold MNL_SOCKET_BUFFER_SIZE bytes. libmnl leaves the
 * padding after attributes as it was, so builders zero the buffer first:
 * no stale stack bytes reach the kernel.
 */
static inline void nl_buf_zero(void *buf)
{
	memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
}

typedef int (*nl_data_cb)(const struct nlmsghdr *nlh, void *arg);

/* State of one request while its reply batches are parsed. */
struct nl_reply {
	uint32_t seq;
	uint32_t portid;
	bool done;			/* ACK, error or NLMSG_DONE seen */
	bool intr;			/* NLM_F_DUMP_INTR on some part */
	int error;			/* kernel's answer, 0 or -errno */
	struct nl_ext *ext;
};

/*
 * Parse one received buffer of a reply: data messages go to cb, the
 * terminating ACK/error/DONE sets done and error (plus ext). Messages of
 * other sequence numbers (stale replies, notifications) are skipped.
 * Returns 0, -EBADMSG on a truncated message, or what cb returned.
 */
int nl_reply_parse(const void *buf, size_t len, struct nl_reply *r,
		   nl_data_cb cb, void *arg);
void nl_ext_clear(struct nl_ext *ext);

/*
 * Send req (NLM_F_ACK is added, seq assigned from *seq) and receive until
 * the reply ends. Returns 0, the kernel's -errno, -EINTR for an
 * interrupted dump, or a local -errno.
 */
int nl_talk(struct mnl_socket *nl, uint32_t *seq, struct nlmsghdr *req,
	    nl_data_cb cb, void *arg, struct nl_ext *ext);
int nl_open(int bus, struct mnl_socket **out);

/*
 * The oldest family version the library speaks: 2 froze the ABI (REPLACE
 * became an attribute); later versions only add to it.
 */
#define SIPSTEER_GENL_VERSION_MIN	2

struct sipsteer {
	struct mnl_socket *nl;
	uint32_t seq;
	uint16_t family;
	uint32_t version;
	uint32_t events_group;		/* 0: family has no such group */
	struct nl_ext ext;
};

/* Generic netlink control: family id, version and "events" group id. */
struct genl_family_info {
	uint16_t id;
	uint32_t version;
	uint32_t events_group;
};
struct nlmsghdr *genl_msg_getfamily(void *buf, const char *name);
int genl_parse_family(const struct nlmsghdr *nlh, const char *group,
		      struct genl_family_info *info);

/* sipsteer requests (msg.c). buf must hold MNL_SOCKET_BUFFER_SIZE bytes. */
struct nlmsghdr *sipsteer_msg_start(void *buf, uint16_t family, uint8_t cmd,
				    uint16_t flags);
int sipsteer_msg_put_service(struct nlmsghdr *nlh,
			     const struct sipsteer_service *svc);
int sipsteer_msg_put_new(struct nlmsghdr *nlh,
			 const struct sipsteer_service *svc,
			 enum sipsteer_new_mode mode);
int sipsteer_msg_put_addrs(struct nlmsghdr *nlh, uint16_t type,
			   const struct sipsteer_addr *addrs, unsigned int n);

/* sipsteer replies and notifications (parse.c). */
int sipsteer_parse_service(const struct nlmsghdr *nlh,
			   struct sipsteer_service *out);
int sipsteer_parse_event(const struct nlmsghdr *nlh,
			 struct sipsteer_event *ev);

/* Stale TCP socket killer parts (sockdiag.c, ctnl.c). */
struct tcp_sock_ref {
	int family;			/* of the socket: AF_INET or AF_INET6 */
	struct sipsteer_addr src;	/* local address and port */
	struct sipsteer_addr dst;	/* peer, v4-mapped made AF_INET */
	struct inet_diag_sockid id;	/* as the kernel sent it */
	bool has_mark;			/* INET_DIAG_MARK came (CAP_NET_ADMIN) */
	uint32_t mark;			/* SO_MARK of the socket */
};
/* The socket carries the service's bypass mark: never steered. */
bool tcp_sock_bypassed(const struct sipsteer_service *svc,
		       const struct tcp_sock_ref *s);
struct nlmsghdr *sockdiag_msg_dump(void *buf, int family);
struct nlmsghdr *sockdiag_msg_destroy(void *buf, const struct tcp_sock_ref *s);
int sockdiag_parse(const struct nlmsghdr *nlh, struct tcp_sock_ref *out);
uint32_t sockdiag_states(void);

struct nlmsghdr *ctnl_msg_get(void *buf, const struct sipsteer_addr *src,
			      const struct sipsteer_addr *dst);

/* What a conntrack entry says about a local TCP connection. */
struct ct_entry {
	struct sipsteer_addr reply_src;	/* where the flow really goes */
	/*
	 * Conntrack picked the connection up mid-stream (loose tracking, the
	 * ORIGINAL direction is "be liberal"): its first entry was removed,
	 * so NAT was not bound at its start and a new target cannot apply.
	 */
	bool picked_up;
};
int ctnl_parse_entry(const struct nlmsghdr *nlh, struct ct_entry *out);

const struct sipsteer_addr *
tcp_match_endpoint(const struct sipsteer_service *svc,
		   const struct sipsteer_addr *dst);
/*
 * Is a connection to the endpoint dst with conntrack entry ct (NULL: no
 * entry) stale for svc? Only a connection that started after the switch
 * and leads to the active target (inactive: to dst itself) is not.
 */
bool tcp_conn_stale(const struct sipsteer_service *svc,
		    const struct sipsteer_addr *dst,
		    const struct ct_entry *ct);

#endif /* SIPSTEER_INTERNAL_H */
