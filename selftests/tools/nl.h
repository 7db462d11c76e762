/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal generic netlink client for the selftest tools. It is separate
 * from userspace/lib on purpose: the tests must be able to send what the
 * library would never build (malformed and unknown attributes).
 */
#ifndef SELFTEST_TOOLS_NL_H
#define SELFTEST_TOOLS_NL_H

#include <libmnl/libmnl.h>
#include <stdint.h>

struct nl {
	struct mnl_socket *sock;
	uint16_t family;
	uint32_t seq;
	char buf[16384];
};

/* Open a socket with extended acks and resolve the sipsteer family. */
int nl_open(struct nl *nl);
void nl_close(struct nl *nl);
/* Start a sipsteer request in nl->buf. */
struct nlmsghdr *nl_request(struct nl *nl, uint8_t cmd, uint16_t flags);
/*
 * Send a request and read until its ack. Returns 0 or -errno; on error
 * copies the kernel's extack text (or "") to msg.
 */
int nl_talk(struct nl *nl, struct nlmsghdr *nlh, char *msg, size_t size);

#endif
