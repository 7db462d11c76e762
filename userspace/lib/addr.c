// SPDX-License-Identifier: GPL-2.0
/* Address and name syntax shared by the CLI and the controller. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sipsteer_nl.h"

static int parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return -EINVAL;
	}
	if (v == 0)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

static int split_v6(const char *s, char *host, size_t hostlen,
		    const char **port, const char **why)
{
	const char *end = strchr(s, ']');
	size_t n;

	if (!end) {
		*why = "missing ']'";
		return -EINVAL;
	}
	n = (size_t)(end - s - 1);
	if (n == 0 || n >= hostlen) {
		*why = "bad IPv6 address";
		return -EINVAL;
	}
	memcpy(host, s + 1, n);
	host[n] = '\0';
	if (end[1] == '\0') {
		*port = NULL;
	} else if (end[1] == ':') {
		*port = end + 2;
	} else {
		*why = "expected ':' after ']'";
		return -EINVAL;
	}
	return 0;
}

int sipsteer_addr_parse(const char *s, unsigned int flags,
			struct sipsteer_addr *out, const char **why)
{
	char host[INET6_ADDRSTRLEN];
	const char *port = NULL, *colon;
	struct sipsteer_addr a;
	const char *dummy;
	size_t n;
	int err;

	if (!why)
		why = &dummy;
	memset(&a, 0, sizeof(a));
	if (s[0] == '[') {
		err = split_v6(s, host, sizeof(host), &port, why);
		if (err)
			return err;
		a.family = AF_INET6;
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':')) {
			/* Bare IPv6 is unambiguous only without a port. */
			if (!(flags & SIPSTEER_PORT_OPTIONAL) ||
			    inet_pton(AF_INET6, s, &a.ip.v6) != 1) {
				*why = "IPv6 addresses are written [addr]:port";
				return -EINVAL;
			}
			a.family = AF_INET6;
			*out = a;
			return 0;
		}
		n = colon ? (size_t)(colon - s) : strlen(s);
		if (n == 0 || n >= sizeof(host)) {
			*why = "bad IPv4 address";
			return -EINVAL;
		}
		memcpy(host, s, n);
		host[n] = '\0';
		port = colon ? colon + 1 : NULL;
		a.family = AF_INET;
	}
	if (inet_pton(a.family, host, &a.ip) != 1) {
		*why = a.family == AF_INET ? "bad IPv4 address" :
					     "bad IPv6 address";
		return -EINVAL;
	}
	if (!port) {
		if (!(flags & SIPSTEER_PORT_OPTIONAL)) {
			*why = "missing port";
			return -EINVAL;
		}
	} else if (parse_port(port, &a.port)) {
		*why = "port must be 1..65535";
		return -EINVAL;
	}
	*out = a;
	return 0;
}

char *sipsteer_addr_ntop(const struct sipsteer_addr *a, char *buf,
			 size_t len)
{
	if (!inet_ntop(a->family, &a->ip, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

char *sipsteer_addr_format(const struct sipsteer_addr *a, char *buf,
			   size_t len)
{
	char host[INET6_ADDRSTRLEN];

	sipsteer_addr_ntop(a, host, sizeof(host));
	if (!a->port)
		snprintf(buf, len, "%s", host);
	else if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", host, a->port);
	else
		snprintf(buf, len, "%s:%u", host, a->port);
	return buf;
}

bool sipsteer_addr_ip_equal(const struct sipsteer_addr *a,
			    const struct sipsteer_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->ip.v4.s_addr == b->ip.v4.s_addr;
	return !memcmp(&a->ip.v6, &b->ip.v6, sizeof(a->ip.v6));
}

const char *sipsteer_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_TCP:
		return "tcp";
	default:
		return "?";
	}
}

const char *sipsteer_evidence_name(uint8_t evidence)
{
	switch (evidence) {
	case SIPSTEER_EVIDENCE_ICMP:
		return "icmp";
	case SIPSTEER_EVIDENCE_RESET:
		return "reset";
	case SIPSTEER_EVIDENCE_SYN:
		return "syn";
	case SIPSTEER_EVIDENCE_UNREPLIED:
		return "unreplied";
	default:
		return "unknown";
	}
}

bool sipsteer_name_valid(const char *name)
{
	size_t n = strnlen(name, SIPSTEER_NAME_SIZE);

	if (n == 0 || n >= SIPSTEER_NAME_SIZE)
		return false;
	for (; *name; name++)
		if (!isprint((unsigned char)*name))
			return false;
	return true;
}

const struct sipsteer_addr *
sipsteer_service_target(const struct sipsteer_service *svc, int family)
{
	unsigned int i;

	for (i = 0; i < svc->n_targets && i < SIPSTEER_MAX_TARGETS; i++)
		if (svc->targets[i].family == family)
			return &svc->targets[i];
	return NULL;
}
