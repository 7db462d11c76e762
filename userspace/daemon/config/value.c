// SPDX-License-Identifier: GPL-2.0
/*
 * One parser and one printer per key type. Parsers are strict: a value
 * that is not exactly of the documented form is an error, never a guess.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config/value.h"

static const char *const proto_names[] = {
	[TP_UDP] = "UDP",
	[TP_TCP] = "TCP",
	[TP_TLS] = "TLS",
};

static const char *const redundancy_names[] = {
	[CFG_RED_FAILOVER] = "failover",
	[CFG_RED_CONCURRENT] = "concurrent",
};

static int fail(char *why, size_t len, const char *fmt, const char *arg)
{
	snprintf(why, len, fmt, arg);
	return -EINVAL;
}

/* Decimal (or, with @hex, 0x-prefixed hex) without sign or spaces. */
static int parse_u32(const char *s, bool hex, uint32_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;

	if (hex && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = (unsigned int)(tolower((unsigned char)*s) - 'a' + 10);
		else
			return -EINVAL;
		v = v * base + d;
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	*out = (uint32_t)v;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static bool is_ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

static bool is_ipv6(const char *s)
{
	struct in6_addr a;

	return inet_pton(AF_INET6, s, &a) == 1;
}

/* RFC 1123 host name; '_' allowed as in SRV owner names. */
static bool is_host_name(const char *s)
{
	size_t len = strlen(s), label = 0;
	bool all_numeric = true;
	size_t i;

	if (len && s[len - 1] == '.')
		len--;
	if (!len || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (!label || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-' && c != '_')
			return false;
		if (c == '-' && !label)
			return false;
		if (!isdigit(c))
			all_numeric = false;
		if (++label > 63)
			return false;
	}
	/* "1.2.3.400" is a broken IPv4 address, not a host name. */
	return s[len - 1] != '-' && !all_numeric;
}

static int parse_host(const char *s, char *field, size_t size, char *why,
		      size_t why_len)
{
	char buf[CFG_HOST_MAX];
	size_t len = strlen(s);

	if (len >= sizeof(buf))
		return fail(why, why_len, "longer than %s characters", "255");
	memcpy(buf, s, len + 1);
	if (buf[0] == '[') {
		if (len < 3 || buf[len - 1] != ']')
			return fail(why, why_len, "\"%s\": bad IPv6 literal", s);
		buf[len - 1] = '\0';
		memmove(buf, buf + 1, len - 1);
		if (!is_ipv6(buf))
			return fail(why, why_len, "\"%s\": bad IPv6 literal", s);
	} else if (strchr(buf, ':')) {
		if (!is_ipv6(buf))
			return fail(why, why_len,
				    "\"%s\": not a host name or IP address "
				    "(the port has its own key)", s);
	} else if (buf[0] && !is_ipv4(buf) && !is_host_name(buf)) {
		return fail(why, why_len,
			    "\"%s\": not a host name or IP address", s);
	}
	if (strlen(buf) >= size)
		return fail(why, why_len, "\"%s\": too long", s);
	memset(field, 0, size);
	memcpy(field, buf, strlen(buf));
	return 0;
}

/* As a host, but only an address: it is matched, never resolved. */
static int parse_ipaddr(const char *s, char *field, size_t size, char *why,
			size_t why_len)
{
	int err = parse_host(s, field, size, why, why_len);

	if (err || !field[0] || is_ipv4(field) || is_ipv6(field))
		return err;
	field[0] = '\0';
	return fail(why, why_len, "\"%s\": not an IP address", s);
}

/* One c-ares server: ip, ip:port, [ip6] or [ip6]:port. */
static bool dns_entry_ok(const char *s, size_t len)
{
	char buf[64];
	char *port = NULL;
	uint32_t p;

	if (!len || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[0] == '[') {
		char *end = strchr(buf, ']');

		if (!end)
			return false;
		*end = '\0';
		if (end[1] == ':')
			port = end + 2;
		else if (end[1])
			return false;
		if (!is_ipv6(buf + 1))
			return false;
	} else if (is_ipv6(buf)) {
		return true;
	} else {
		port = strchr(buf, ':');
		if (port)
			*port++ = '\0';
		if (!is_ipv4(buf))
			return false;
	}
	return !port || (!parse_u32(port, false, &p) && p >= 1 && p <= 65535);
}

static int parse_dnslist(const char *s, char *field, size_t size, char *why,
			 size_t why_len)
{
	const char *p = s;

	if (strlen(s) >= size)
		return fail(why, why_len, "longer than %s characters", "511");
	while (*s) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (!dns_entry_ok(p, len))
			return fail(why, why_len,
				    "\"%s\": expected ip[:port],[ipv6]:port,...",
				    s);
		if (!end)
			break;
		p = end + 1;
	}
	memset(field, 0, size);
	memcpy(field, s, strlen(s));
	return 0;
}

bool config_is_uuid(const char *s)
{
	size_t i;

	if (strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

static int parse_text(const struct cfg_key *key, const char *val,
		      char *field, char *why, size_t why_len)
{
	size_t len = strlen(val);
	const char *c;

	for (c = val; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return fail(why, why_len, "%s", "control character in "
				    "value");
	}
	if (len >= key->size) {
		char max[16];

		snprintf(max, sizeof(max), "%zu", key->size - 1);
		return fail(why, why_len, "longer than %s characters", max);
	}
	if (key->type == CFG_UUID && len && !config_is_uuid(val))
		return fail(why, why_len,
			    "\"%s\": expected a UUID like "
			    "01234567-89ab-cdef-0123-456789abcdef", val);
	if (key->type == CFG_PATH && len && access(val, R_OK) < 0) {
		char msg[CFG_PATH_MAX + 64];

		snprintf(msg, sizeof(msg), "cannot read %s: %s", val,
			 strerror(errno));
		return fail(why, why_len, "%s", msg);
	}
	memset(field, 0, key->size);
	memcpy(field, val, len);
	return 0;
}

int cfg_value_parse(const struct cfg_key *key, const char *val, void *field,
		    char *why, size_t why_len)
{
	char range[32];
	uint32_t u;
	int err;

	switch (key->type) {
	case CFG_BOOL:
		if (parse_bool(val, field))
			return fail(why, why_len, "\"%s\": expected 0 or 1",
				    val);
		return 0;
	case CFG_U32:
		err = parse_u32(val, false, &u);
		if (err == -EINVAL)
			return fail(why, why_len, "\"%s\": not a number", val);
		if (err || u < key->min || u > key->max) {
			snprintf(range, sizeof(range), "%u..%u", key->min,
				 key->max);
			snprintf(why, why_len, "%s out of range %s", val,
				 range);
			return -EINVAL;
		}
		*(uint32_t *)field = u;
		return 0;
	case CFG_MARK:
		if (parse_u32(val, true, &u))
			return fail(why, why_len,
				    "\"%s\": expected 0..4294967295 or 0x hex",
				    val);
		*(uint32_t *)field = u;
		return 0;
	case CFG_PORT:
		err = parse_u32(val, false, &u);
		if (err == -EINVAL)
			return fail(why, why_len, "\"%s\": not a number", val);
		if (err || u < 1 || u > 65535)
			return fail(why, why_len, "%s out of range 1..65535",
				    val);
		*(uint16_t *)field = (uint16_t)u;
		return 0;
	case CFG_PROTO:
		for (u = 0; u < 3; u++) {
			if (!strcasecmp(val, proto_names[u])) {
				*(enum tp_proto *)field = (enum tp_proto)u;
				return 0;
			}
		}
		return fail(why, why_len, "\"%s\": expected UDP, TCP or TLS",
			    val);
	case CFG_LOGLEVEL:
		if (log_level_parse(val, field))
			return fail(why, why_len,
				    "\"%s\": expected error, warning, info or "
				    "debug", val);
		return 0;
	case CFG_REDUNDANCY:
		for (u = 0; u < 2; u++) {
			if (!strcasecmp(val, redundancy_names[u])) {
				*(enum cfg_redundancy *)field =
					(enum cfg_redundancy)u;
				return 0;
			}
		}
		return fail(why, why_len,
			    "\"%s\": expected failover or concurrent", val);
	case CFG_HOST:
		return parse_host(val, field, key->size, why, why_len);
	case CFG_IPADDR:
		return parse_ipaddr(val, field, key->size, why, why_len);
	case CFG_DNSLIST:
		return parse_dnslist(val, field, key->size, why, why_len);
	case CFG_STRING:
	case CFG_SECRET:
	case CFG_PATH:
	case CFG_UUID:
		return parse_text(key, val, field, why, why_len);
	}
	return fail(why, why_len, "%s", "unknown key type");
}

void cfg_value_format(const struct cfg_key *key, const void *field,
		      char *buf, size_t len)
{
	switch (key->type) {
	case CFG_BOOL:
		snprintf(buf, len, "%d", *(const bool *)field ? 1 : 0);
		break;
	case CFG_U32:
		snprintf(buf, len, "%u", *(const uint32_t *)field);
		break;
	case CFG_MARK:
		snprintf(buf, len, "0x%x", *(const uint32_t *)field);
		break;
	case CFG_PORT:
		snprintf(buf, len, "%u", *(const uint16_t *)field);
		break;
	case CFG_PROTO:
		snprintf(buf, len, "%s",
			 proto_names[*(const enum tp_proto *)field]);
		break;
	case CFG_LOGLEVEL:
		snprintf(buf, len, "%s",
			 log_level_name(*(const enum log_level *)field));
		break;
	case CFG_REDUNDANCY:
		snprintf(buf, len, "%s", redundancy_names[
			 *(const enum cfg_redundancy *)field]);
		break;
	case CFG_SECRET:
		snprintf(buf, len, "%s", *(const char *)field ? "****" : "");
		break;
	case CFG_STRING:
	case CFG_HOST:
	case CFG_IPADDR:
	case CFG_PATH:
	case CFG_UUID:
	case CFG_DNSLIST:
		snprintf(buf, len, "%s", (const char *)field);
		break;
	}
}
