/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the selftest traffic tools. */
#ifndef SELFTEST_TOOLS_COMMON_H
#define SELFTEST_TOOLS_COMMON_H

#include <stdint.h>
#include <sys/socket.h>

/* "10.0.0.1:5060" or "[fd00::1]:5060" into a sockaddr; 0 or -EINVAL. */
int addr_parse(const char *text, struct sockaddr_storage *ss,
	       socklen_t *len);
/* "ADDR:PORT" (IPv6 in brackets) into buf. */
const char *addr_format(const struct sockaddr_storage *ss, char *buf,
			size_t size);
/* CLOCK_REALTIME in nanoseconds: comparable with bash's $EPOCHREALTIME. */
uint64_t now_ns(void);
/* CLOCK_MONOTONIC in nanoseconds, for rates and durations. */
uint64_t mono_ns(void);
/* Sleep until the monotonic time deadline_ns. */
void sleep_until(uint64_t deadline_ns);
/* Exit with a message naming the tool; errno text appended when set. */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Set by SIGINT/SIGTERM once stop_on_signals() installed the handler. */
extern volatile int stop_requested;
void stop_on_signals(void);
/*
 * A socket in the named network namespace (ip netns: /run/netns/NAME);
 * the caller stays in its own. Dies on failure.
 */
int open_in_netns(const char *netns, int family, int type);
/* Wire payload of the UDP tools: sequence and send time. */
struct probe {
	uint64_t seq;
	uint64_t sent_ns;	/* now_ns() just before sending */
};

#endif
