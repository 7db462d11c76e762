/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A c-ares channel driven by the daemon's event loop: c-ares tells us
 * which sockets to watch (socket-state callback) and when it next needs
 * to run (ares_timeout); nothing else wakes the loop.
 */
#ifndef SIPSTEERD_DNS_ARES_LOOP_H
#define SIPSTEERD_DNS_ARES_LOOP_H

#include <ares.h>
#include <stdint.h>

#include "core/loop.h"

#define ARES_LOOP_MAX_FDS	16

struct ares_loop {
	struct loop *loop;
	ares_channel ch;
	struct loop_timer timer;
	int fds[ARES_LOOP_MAX_FDS];
	unsigned int n_fds;
	uint32_t mark;
};

/* @servers: "ip:port,..." or NULL for /etc/resolv.conf. */
int ares_loop_init(struct ares_loop *al, struct loop *loop,
		   const char *servers, uint32_t timeout_ms,
		   unsigned int tries, uint32_t mark);
/* Pending queries complete with ARES_EDESTRUCTION. */
void ares_loop_destroy(struct ares_loop *al);
void ares_loop_query(struct ares_loop *al, const char *name, int type,
		     ares_callback cb, void *arg);

#endif
