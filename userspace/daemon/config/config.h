/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The provisioning file: one `path/to/key=value` a line, `#` comments at
 * the start of a line, blank lines, white space around key and value
 * ignored, `voip/line/N/...` for lines 0..CFG_MAX_LINES-1.
 *
 * Every key is described once, in the table behind config_keys(): name,
 * type, default, range and meaning. The reader, --check-config and the
 * admin guide's table all follow that table (a unit test checks the guide).
 */
#ifndef SIPSTEERD_CONFIG_H
#define SIPSTEERD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/log.h"
#include "transport/transport.h"

#define CFG_MAX_LINES		8
#define CFG_NAME_MAX		128	/* user names, passwords, labels */
#define CFG_HOST_MAX		256	/* host name or IP literal */
#define CFG_PATH_MAX		512
#define CFG_PORT_SRV		65535	/* port meaning "look up NAPTR/SRV" */

/* voip/signalling/sip/redundant_proxy/mode */
enum cfg_redundancy {
	CFG_RED_FAILOVER,	/* one server at a time */
	CFG_RED_CONCURRENT,	/* standby bindings at the next servers */
};

struct cfg_line {
	bool enabled;
	char id[CFG_NAME_MAX];		/* AOR user part */
	char auth_name[CFG_NAME_MAX];	/* "": same as id */
	char auth_password[CFG_NAME_MAX];
	char description[CFG_NAME_MAX];	/* label for logs and status */
	char display_name[CFG_NAME_MAX];
};

/* An address the phone may send to: host name or IP literal, and port. */
struct cfg_server {
	bool enabled;
	char addr[CFG_HOST_MAX];	/* IPv6 stored without brackets */
	uint16_t port;			/* CFG_PORT_SRV: NAPTR/SRV */
};

struct cfg_sip {
	char proxy_address[CFG_HOST_MAX];	/* also the SIP domain */
	uint16_t proxy_port;
	bool use_proxy;
	enum tp_proto transport;
	uint32_t no_response_timeout_ms;
	uint32_t registration_expires_s;
	uint32_t registration_failed_timeout_s;
	uint32_t t1_ms;
	uint32_t t2_ms;
	/* The phone's call application: every line's Contact. */
	uint16_t local_port;			/* UDP and TCP */
	uint16_t local_tls_port;		/* TLS */
	struct cfg_server outbound_proxy;
	struct cfg_server registrar;
	char tls_ca_file[CFG_PATH_MAX];		/* "": system trust */
	char tls_cert_file[CFG_PATH_MAX];	/* "": no client certificate */
	char tls_key_file[CFG_PATH_MAX];
	uint32_t socket_mark;			/* 0: none */
	bool outbound_rfc5626;
	char instance_uuid[40];			/* "": instance_uuid_file's */
	char instance_uuid_file[CFG_PATH_MAX];	/* "": random per start */
	char user_agent[CFG_NAME_MAX];
	char dns_servers[CFG_PATH_MAX];		/* "": /etc/resolv.conf */
	uint32_t dns_timeout_ms;
	uint32_t dns_tries;
	/* redundant_proxy/mode and concurrent_servers: a change rebuilds
	 * the set (re-registers), hence here. */
	enum cfg_redundancy redundancy;
	uint32_t concurrent_servers;	/* bindings per line, concurrent */

	/*
	 * From here to the end: the proxy set's policy, applied without
	 * re-registering (config_set_changed); keep new line-level fields
	 * above.
	 */
	/* failover and failback (voip/signalling/sip/redundant_proxy/...) */
	uint32_t registration_failed_max_s;	/* RFC 5626 backoff cap */
	uint32_t startup_delay_max_ms;	/* random start-up delay, 0..this */
	bool symmetric_mode;		/* 1: stay until the server fails */
	uint32_t failback_retry_s;	/* probe interval of better servers */
	uint32_t failback_probes;	/* consecutive answers before return */
	uint32_t hold_down_s;		/* a failed server is not returned to
					 * sooner; 503 without Retry-After */
	/* keep-alive (voip/signalling/sip/registrar_ka/...) */
	bool ka_enabled;
	uint32_t ka_timeout_s;		/* keep-alive interval */
	/* kernel steering (voip/signalling/sip/steering/...) */
	bool steering_enabled;
	char steering_service[32];	/* module service name */
	char steering_vaddr[CFG_HOST_MAX];	/* IP literal; "": none */
	uint16_t steering_vport;
	/* passive failure detection (voip/signalling/sip/steering/...) */
	bool passive_detection;		/* kernel evidence probes the server */
	uint32_t unreplied_ms;		/* a flow unreplied this long */
};

/*
 * Plain data: zeroed, then every field set by its key's setter, so two
 * configurations compare with memcmp().
 */
struct config {
	struct cfg_line line[CFG_MAX_LINES];
	struct cfg_sip sip;
	enum log_level log_level;
};

enum cfg_type {
	CFG_BOOL,	/* 0|1, also true|false, yes|no, on|off */
	CFG_U32,	/* decimal, within [min, max] */
	CFG_MARK,	/* u32, decimal or 0x hex */
	CFG_PORT,	/* 1..65535 */
	CFG_STRING,	/* any text up to the field size */
	CFG_SECRET,	/* as STRING, printed as **** */
	CFG_HOST,	/* host name, IPv4 or IPv6 literal; "" = unset */
	CFG_PATH,	/* readable file; "" = unset */
	CFG_PROTO,	/* UDP|TCP|TLS, any case */
	CFG_LOGLEVEL,	/* error|warning|info|debug */
	CFG_UUID,	/* 8-4-4-4-12 hex digits; "" = unset */
	CFG_DNSLIST,	/* "ip[:port],[ip6]:port,..."; "" = unset */
	CFG_IPADDR,	/* IPv4 or IPv6 literal, no host name; "" = unset */
	CFG_REDUNDANCY,	/* failover|concurrent */
};

struct cfg_key {
	const char *name;	/* per-line keys spell the index "N" */
	enum cfg_type type;
	bool per_line;
	size_t offset;		/* in struct config, or struct cfg_line */
	size_t size;		/* field size */
	uint32_t min, max;	/* CFG_U32 */
	const char *def;	/* default, in file syntax */
	const char *range;	/* for people: "1000..300000", "UDP|TCP|TLS" */
	const char *meaning;
};

const struct cfg_key *config_keys(size_t *n);

/* 8-4-4-4-12 hex digits, as CFG_UUID wants. */
bool config_is_uuid(const char *s);

/* Diagnostics: "FILE:LINE: key: why" (error) or a warning. */
typedef void (*config_diag_fn)(void *arg, enum log_level lvl,
			       const char *msg);

void config_defaults(struct config *cfg);
/*
 * Reads @path into @cfg (defaults first). Every problem is reported
 * through @diag (NULL: the log). Returns 0, -EINVAL when a value was
 * bad (@cfg is then unusable), or -errno when the file cannot be read.
 */
int config_load_file(const char *path, struct config *cfg,
		     config_diag_fn diag, void *arg);
/* Same, from memory; @name stands for the file name in messages. */
int config_load_string(const char *name, const char *text,
		       struct config *cfg, config_diag_fn diag, void *arg);

/* The effective configuration in file syntax, passwords as ****. */
void config_print(const struct config *cfg, FILE *out);

/* Where a line's REGISTER goes, from proxy/outbound proxy/registrar. */
struct cfg_target {
	const char *domain;	/* SIP domain (Request-URI, AOR, TLS name) */
	const char *host;	/* next hop: host name or IP literal */
	uint16_t port;		/* CFG_PORT_SRV: NAPTR/SRV */
};

/* false when registration is off (use_proxy=0 or no address). */
bool config_target(const struct config *cfg, struct cfg_target *t);

/* Bytes of struct cfg_sip that registrations depend on. */
#define CFG_SIP_LINE_PART \
	offsetof(struct cfg_sip, registration_failed_max_s)

/*
 * Has anything that line @n's registration depends on changed? Failover,
 * keep-alive and steering keys are not such things: see
 * config_set_changed().
 */
bool config_line_changed(const struct config *a, const struct config *b,
			 unsigned int n);
/* Has the failover, keep-alive or steering policy changed? */
bool config_set_changed(const struct config *a, const struct config *b);

#endif
