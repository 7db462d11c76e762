// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "args.h"

static int fail(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, ARGS_ERR_SIZE, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int args_u32(const char *s, uint32_t *v)
{
	unsigned long long x;
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end || x > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

int args_name(const char *s, char *name, char *err)
{
	if (!sipsteer_name_valid(s))
		return fail(err, "bad service name \"%s\": %d..%d printable characters",
			    s, 1, SIPSTEER_NAME_SIZE - 1);
	snprintf(name, SIPSTEER_NAME_SIZE, "%s", s);
	return 0;
}

static int need_value(int i, int argc, char **argv, char *err)
{
	if (i + 1 >= argc)
		return fail(err, "\"%s\" needs a value", argv[i]);
	return 0;
}

static int parse_proto(const char *s, uint8_t *proto)
{
	if (!strcmp(s, "udp"))
		*proto = IPPROTO_UDP;
	else if (!strcmp(s, "tcp"))
		*proto = IPPROTO_TCP;
	else
		return -EINVAL;
	return 0;
}

static int add_endpoint(struct sipsteer_service *svc, const char *proto,
			const char *addr, char *err)
{
	struct sipsteer_addr a;
	const char *why;
	unsigned int i;

	if (svc->n_endpoints >= SIPSTEER_MAX_ENDPOINTS)
		return fail(err, "too many endpoints (at most %d)",
			    SIPSTEER_MAX_ENDPOINTS);
	if (sipsteer_addr_parse(addr, SIPSTEER_PORT_REQUIRED, &a, &why))
		return fail(err, "bad endpoint \"%s\": %s", addr, why);
	if (parse_proto(proto, &a.proto))
		return fail(err, "bad endpoint protocol \"%s\": udp or tcp",
			    proto);
	for (i = 0; i < svc->n_endpoints; i++) {
		const struct sipsteer_addr *e = &svc->endpoints[i];

		if (e->proto == a.proto && e->port == a.port &&
		    sipsteer_addr_ip_equal(e, &a))
			return fail(err, "duplicate endpoint %s %s", proto,
				    addr);
	}
	svc->endpoints[svc->n_endpoints++] = a;
	return 0;
}

static int add_target(struct sipsteer_addr *targets, unsigned int *n,
		      const char *s, char *err)
{
	struct sipsteer_addr a;
	const char *why;
	unsigned int i;

	if (sipsteer_addr_parse(s, SIPSTEER_PORT_OPTIONAL, &a, &why))
		return fail(err, "bad target \"%s\": %s", s, why);
	for (i = 0; i < *n; i++)
		if (targets[i].family == a.family)
			return fail(err, "bad target \"%s\": one active target per address family",
				    s);
	targets[(*n)++] = a;
	return 0;
}

static int parse_mark(const char *s, struct sipsteer_service *svc, char *err)
{
	char buf[64];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	svc->bypass_mask = 0xffffffff;
	if (args_u32(buf, &svc->bypass_mark) ||
	    (slash && args_u32(slash, &svc->bypass_mask)))
		return fail(err, "bad bypass-mark \"%s\": MARK[/MASK], 32-bit numbers",
			    s);
	svc->has |= SIPSTEER_HAS_BYPASS;
	return 0;
}

int args_service(int argc, char **argv, struct sipsteer_service *svc,
		 char *err)
{
	int i, ret;

	memset(svc, 0, sizeof(*svc));
	if (argc < 1)
		return fail(err, "service name missing");
	ret = args_name(argv[0], svc->name, err);
	if (ret)
		return ret;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "endpoint")) {
			if (i + 2 >= argc)
				return fail(err, "\"endpoint\" needs PROTO ADDR:PORT");
			ret = add_endpoint(svc, argv[i + 1], argv[i + 2], err);
			i += 2;
		} else if (!strcmp(argv[i], "bypass-mark")) {
			ret = need_value(i, argc, argv, err);
			if (!ret)
				ret = parse_mark(argv[++i], svc, err);
		} else if (!strcmp(argv[i], "active")) {
			ret = need_value(i, argc, argv, err);
			if (!ret)
				ret = add_target(svc->targets, &svc->n_targets,
						 argv[++i], err);
		} else if (!strcmp(argv[i], "unreplied-ms")) {
			ret = need_value(i, argc, argv, err);
			if (!ret && args_u32(argv[++i], &svc->unreplied_ms))
				ret = fail(err, "bad unreplied-ms \"%s\"",
					   argv[i]);
			svc->has |= SIPSTEER_HAS_UNREPLIED;
		} else {
			ret = fail(err, "unknown argument \"%s\"", argv[i]);
		}
		if (ret)
			return ret;
	}
	if (!svc->n_endpoints)
		return fail(err, "service %s: at least one endpoint needed",
			    svc->name);
	svc->has |= SIPSTEER_HAS_ENDPOINTS;
	if (svc->n_targets)
		svc->has |= SIPSTEER_HAS_TARGETS;
	return 0;
}

int args_set(int argc, char **argv, struct set_args *out, char *err)
{
	bool active = false, inactive = false;
	int i, ret;

	memset(out, 0, sizeof(*out));
	if (argc < 1)
		return fail(err, "service name missing");
	ret = args_name(argv[0], out->name, err);
	if (ret)
		return ret;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "active")) {
			ret = need_value(i, argc, argv, err);
			if (!ret)
				ret = add_target(out->targets, &out->n_targets,
						 argv[++i], err);
			active = true;
		} else if (!strcmp(argv[i], "inactive")) {
			inactive = true;
		} else if (!strcmp(argv[i], "expect-gen")) {
			ret = need_value(i, argc, argv, err);
			if (!ret && args_u32(argv[++i], &out->expect_gen))
				ret = fail(err, "bad expect-gen \"%s\"",
					   argv[i]);
			out->has_expect = true;
		} else if (!strcmp(argv[i], "keep-sockets")) {
			out->keep_sockets = true;
		} else {
			ret = fail(err, "unknown argument \"%s\"", argv[i]);
		}
		if (ret)
			return ret;
	}
	if (active == inactive)
		return fail(err, "service set %s: say \"active ADDR\" or \"inactive\"",
			    out->name);
	return 0;
}
