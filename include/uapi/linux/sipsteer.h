/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * sipsteer: steer locally generated SIP traffic to the active proxy.
 *
 * Generic netlink ABI shared by the kernel module, the netlink client
 * library, the CLI and the controller. Versioning is additive only: new
 * commands and attributes are appended, nothing is renumbered or removed.
 * Version 2 froze it (REPLACE became an attribute; requests carry no
 * nlmsg_flags beyond NLM_F_REQUEST, NLM_F_ACK and NLM_F_ECHO, NLM_F_DUMP
 * for the GET dumps). Documentation/netlink/specs/sipsteer.yaml describes
 * the same ABI.
 */
#ifndef _UAPI_LINUX_SIPSTEER_H
#define _UAPI_LINUX_SIPSTEER_H

#include <linux/types.h>

#define SIPSTEER_GENL_NAME	"sipsteer"
#define SIPSTEER_GENL_VERSION	2
#define SIPSTEER_MCGRP_EVENTS	"events"

/* Service names: 1..31 printable bytes, NUL-terminated on the wire. */
#define SIPSTEER_NAME_SIZE	32
/* Match endpoints per service. */
#define SIPSTEER_MAX_ENDPOINTS	16
/* Services per network namespace. */
#define SIPSTEER_MAX_SERVICES	64

/*
 * Commands. Every mutation needs CAP_NET_ADMIN in the namespace's user
 * namespace (FLOWS_FLUSH: in the initial one) and is announced on the
 * "events" group with the same command number (SERVICE_NEW, SERVICE_DEL,
 * SERVICE_SET, FLOWS_FLUSH).
 *
 * SERVICE_NEW: NAME, ENDPOINTS required (may be empty: nothing is
 *	steered, the targets are kept); BYPASS_MARK, BYPASS_MASK (the mark
 *	may have no bit outside the mask), TARGETS, REPLACE optional. An
 *	existing service of that name is replaced only with REPLACE
 *	(-EEXIST otherwise); a replace keeps the counters.
 * SERVICE_DEL: NAME. The service's steered flows are flushed.
 * SERVICE_GET: do (NAME) or dump; replies carry the whole service,
 *	its GENERATION and STATS. Dumps set NLM_F_DUMP_INTR when the
 *	namespace's table changed while the dump ran.
 * SERVICE_SET: NAME; TARGETS (absent or empty: inactive, pass through);
 *	EXPECT_GENERATION makes the change conditional (-ESTALE on
 *	mismatch). The switch is atomic; before the reply, conntrack entries
 *	of the service's flows that do not point at the new target are
 *	removed. The reply is the service as SERVICE_GET returns it.
 * STATS_GET: do (NAME) or dump; replies carry NAME, GENERATION, STATS.
 * FLOWS_FLUSH: NAME; removes the conntrack entries of the service's
 *	flows that do not point at the active target, or all of them with
 *	FLUSH_ALL; entries NATed by someone else's rules are left alone.
 *	The reply carries FLUSHED (entries removed).
 * EVIDENCE: an event only, never a request. A local flow to one of the
 *	service's endpoints looks like its server is gone: NAME, GENERATION,
 *	ENDPOINT, EVIDENCE (enum sipsteer_evidence), SUPPRESSED (evidence on
 *	that endpoint not announced since its last event: at most one event
 *	per endpoint and second). Only services with UNREPLIED_MS are
 *	watched; the counters are in STATS and ENDPOINT_STATS.
 */
enum sipsteer_cmd {
	SIPSTEER_CMD_UNSPEC,
	SIPSTEER_CMD_SERVICE_NEW,
	SIPSTEER_CMD_SERVICE_DEL,
	SIPSTEER_CMD_SERVICE_GET,
	SIPSTEER_CMD_SERVICE_SET,
	SIPSTEER_CMD_STATS_GET,
	SIPSTEER_CMD_FLOWS_FLUSH,
	SIPSTEER_CMD_EVIDENCE,

	__SIPSTEER_CMD_MAX,
	SIPSTEER_CMD_MAX = __SIPSTEER_CMD_MAX - 1
};

enum sipsteer_attr {
	SIPSTEER_A_UNSPEC,
	SIPSTEER_A_PAD,
	SIPSTEER_A_NAME,		/* string, 1..31 bytes */
	SIPSTEER_A_ENDPOINTS,		/* nest of SIPSTEER_LIST_A_ENTRY */
	SIPSTEER_A_TARGETS,		/* nest of SIPSTEER_LIST_A_ENTRY */
	SIPSTEER_A_BYPASS_MARK,		/* u32; 0 disables the bypass */
	SIPSTEER_A_BYPASS_MASK,		/* u32; default 0xffffffff */
	SIPSTEER_A_GENERATION,		/* u32, bumped on every change */
	SIPSTEER_A_EXPECT_GENERATION,	/* u32, SERVICE_SET only */
	SIPSTEER_A_STATS,		/* nest of SIPSTEER_STATS_A_* */
	SIPSTEER_A_FLUSH_ALL,		/* flag, FLOWS_FLUSH only */
	SIPSTEER_A_FLUSHED,		/* u32, FLOWS_FLUSH reply */
	SIPSTEER_A_REPLACE,		/* flag, SERVICE_NEW only */
	/*
	 * u32, SERVICE_NEW: watch the service's flows for evidence that a
	 * server is gone (EVIDENCE events); a UDP flow unreplied for this
	 * long across retransmissions is such evidence. 0 or absent: not
	 * watched. At most 32000 (Timer B).
	 */
	SIPSTEER_A_UNREPLIED_MS,
	SIPSTEER_A_EVIDENCE,		/* u8, enum sipsteer_evidence */
	SIPSTEER_A_ENDPOINT,		/* nest of SIPSTEER_ADDR_A_*, EVIDENCE */
	SIPSTEER_A_SUPPRESSED,		/* u32, EVIDENCE */
	/*
	 * Nest of SIPSTEER_LIST_A_ENTRY, one per endpoint in the order of
	 * ENDPOINTS, each a nest of the SIPSTEER_STATS_A_EVIDENCE_* counters.
	 */
	SIPSTEER_A_ENDPOINT_STATS,

	__SIPSTEER_A_MAX,
	SIPSTEER_A_MAX = __SIPSTEER_A_MAX - 1
};

/* Lists (ENDPOINTS, TARGETS): repeated entries, each a nested address. */
enum sipsteer_list_attr {
	SIPSTEER_LIST_A_UNSPEC,
	SIPSTEER_LIST_A_ENTRY,		/* nest of SIPSTEER_ADDR_A_* */

	__SIPSTEER_LIST_A_MAX,
	SIPSTEER_LIST_A_MAX = __SIPSTEER_LIST_A_MAX - 1
};

/*
 * One address. An endpoint has PROTO, exactly one of IPV4/IPV6, and PORT.
 * A target has exactly one of IPV4/IPV6 and an optional PORT (absent:
 * the destination port is kept); at most one target per address family,
 * and it never has PROTO.
 */
enum sipsteer_addr_attr {
	SIPSTEER_ADDR_A_UNSPEC,
	SIPSTEER_ADDR_A_PROTO,		/* u8: IPPROTO_UDP or IPPROTO_TCP */
	SIPSTEER_ADDR_A_IPV4,		/* binary, 4 bytes, network order */
	SIPSTEER_ADDR_A_IPV6,		/* binary, 16 bytes, network order */
	SIPSTEER_ADDR_A_PORT,		/* u16, host order, 1..65535 */

	__SIPSTEER_ADDR_A_MAX,
	SIPSTEER_ADDR_A_MAX = __SIPSTEER_ADDR_A_MAX - 1
};

/*
 * Counters, summed over CPUs. The module sees only the first packet of
 * each new flow (conntrack NATs the rest), so counters are per flow: a
 * per-packet counter would put a cost on every packet that nftables'
 * dnat does not pay. Conntrack accounting gives per-flow packet counts.
 * A flow is counted once, just before conntrack confirms its entry.
 * Refused: a new local flow whose entry was NATed from a table that a
 * change replaced before the entry was confirmed (its next packet is
 * steered by the new one), or a new UDP entry from an endpoint that is
 * not the active target of its family (a server found dead).
 */
enum sipsteer_stats_attr {
	SIPSTEER_STATS_A_UNSPEC,
	SIPSTEER_STATS_A_PAD,
	SIPSTEER_STATS_A_FLOWS_STEERED,	/* u64: new flows DNATed */
	SIPSTEER_STATS_A_FLOWS_PASSED,	/* u64: matched, no target: untouched */
	SIPSTEER_STATS_A_FLOWS_BYPASSED, /* u64: matched, bypass mark set */
	SIPSTEER_STATS_A_FLUSHES,	/* u64: switches and explicit flushes */
	SIPSTEER_STATS_A_FLOWS_FLUSHED,	/* u64: conntrack entries removed */
	SIPSTEER_STATS_A_FLOWS_REFUSED,	/* u64: new entries dropped, below */
	/* u64 each: evidence seen, enum sipsteer_evidence */
	SIPSTEER_STATS_A_EVIDENCE_ICMP,
	SIPSTEER_STATS_A_EVIDENCE_RESET,
	SIPSTEER_STATS_A_EVIDENCE_SYN,
	SIPSTEER_STATS_A_EVIDENCE_UNREPLIED,

	__SIPSTEER_STATS_A_MAX,
	SIPSTEER_STATS_A_MAX = __SIPSTEER_STATS_A_MAX - 1
};

/*
 * What a watched flow to an endpoint showed, before any reply: an
 * ICMP/ICMPv6 error about it, a TCP reset answering its SYN, its SYN
 * sent again unanswered, or its datagrams sent again, unreplied, for
 * longer than UNREPLIED_MS. A flow once replied is no longer watched.
 */
enum sipsteer_evidence {
	SIPSTEER_EVIDENCE_UNSPEC,
	SIPSTEER_EVIDENCE_ICMP,
	SIPSTEER_EVIDENCE_RESET,
	SIPSTEER_EVIDENCE_SYN,
	SIPSTEER_EVIDENCE_UNREPLIED,

	__SIPSTEER_EVIDENCE_MAX,
	SIPSTEER_EVIDENCE_MAX = __SIPSTEER_EVIDENCE_MAX - 1
};

#endif /* _UAPI_LINUX_SIPSTEER_H */
