// SPDX-License-Identifier: GPL-2.0
/*
 * The table of every configuration key. Documentation/admin-guide.md
 * carries the same table for people; test_config checks that they agree.
 */
#include <stddef.h>

#include "config/config.h"

#define SIP	"voip/signalling/sip/"
#define G(field)	offsetof(struct config, field), \
			sizeof(((struct config *)0)->field)
#define L(field)	offsetof(struct cfg_line, field), \
			sizeof(((struct cfg_line *)0)->field)

static const struct cfg_key keys[] = {
	/* lines */
	{ "voip/line/N/enabled", CFG_BOOL, true, L(enabled), 0, 0, "0",
	  "0|1", "Register this line." },
	{ "voip/line/N/id", CFG_STRING, true, L(id), 0, 0, "",
	  "up to 127 characters; required when enabled",
	  "User part of the line's address of record (sip:id@domain)." },
	{ "voip/line/N/auth_name", CFG_STRING, true, L(auth_name), 0, 0, "",
	  "up to 127 characters",
	  "Digest user name; empty means the same as id." },
	{ "voip/line/N/auth_password", CFG_SECRET, true, L(auth_password),
	  0, 0, "", "up to 127 characters",
	  "Digest password. Never logged; shown as **** by --check-config." },
	{ "voip/line/N/description", CFG_STRING, true, L(description),
	  0, 0, "", "up to 127 characters",
	  "Label for logs and --status." },
	{ "voip/line/N/display_name", CFG_STRING, true, L(display_name),
	  0, 0, "", "up to 127 characters",
	  "Display name in the From and To headers; empty: none." },

	/* where to register */
	{ SIP "proxy_address", CFG_HOST, false, G(sip.proxy_address),
	  0, 0, "", "host name, IPv4 or IPv6 literal",
	  "SIP proxy; also the SIP domain of every line (AOR, Request-URI, "
	  "TLS server name)." },
	{ SIP "proxy_port", CFG_PORT, false, G(sip.proxy_port), 0, 0, "65535",
	  "1..65535",
	  "Proxy port. 65535 with a host name: NAPTR/SRV lookup (RFC 3263); "
	  "with an IP literal: 5060 (5061 for TLS)." },
	{ SIP "use_proxy", CFG_BOOL, false, G(sip.use_proxy), 0, 0, "1",
	  "0|1",
	  "Register through proxy_address. 0 without an enabled registrar: "
	  "no line registers." },
	{ SIP "transport_protocol", CFG_PROTO, false, G(sip.transport),
	  0, 0, "UDP", "UDP|TCP|TLS (any case)",
	  "Transport for every line; restricts NAPTR/SRV to that transport." },
	{ SIP "sip_outbound_proxy/enabled", CFG_BOOL, false,
	  G(sip.outbound_proxy.enabled), 0, 0, "0", "0|1",
	  "Send REGISTER to the outbound proxy instead of the proxy." },
	{ SIP "sip_outbound_proxy/addr", CFG_HOST, false,
	  G(sip.outbound_proxy.addr), 0, 0, "",
	  "host name, IPv4 or IPv6 literal", "Outbound proxy address." },
	{ SIP "sip_outbound_proxy/port", CFG_PORT, false,
	  G(sip.outbound_proxy.port), 0, 0, "65535", "1..65535",
	  "Outbound proxy port; 65535: NAPTR/SRV." },
	{ SIP "sip_registrar/enabled", CFG_BOOL, false,
	  G(sip.registrar.enabled), 0, 0, "0", "0|1",
	  "Send REGISTER to a separate registrar (unless an outbound proxy "
	  "is enabled)." },
	{ SIP "sip_registrar/addr", CFG_HOST, false, G(sip.registrar.addr),
	  0, 0, "", "host name, IPv4 or IPv6 literal",
	  "Registrar address; the SIP domain when use_proxy is 0." },
	{ SIP "sip_registrar/port", CFG_PORT, false, G(sip.registrar.port),
	  0, 0, "65535", "1..65535", "Registrar port; 65535: NAPTR/SRV." },

	/* the phone's call application */
	{ SIP "port", CFG_PORT, false, G(sip.local_port), 0, 0, "5060",
	  "1..65535",
	  "SIP port of the phone's call application (UDP and TCP). Every "
	  "line registers sip:id@PHONE_ADDR:port as its Contact, PHONE_ADDR "
	  "being the phone's address towards the server, so calls reach the "
	  "application; requests that reach the daemon itself are relayed "
	  "to it over UDP on this port." },
	{ SIP "tls_port", CFG_PORT, false, G(sip.local_tls_port), 0, 0,
	  "5061", "1..65535",
	  "SIP-over-TLS port of the phone's call application: the Contact's "
	  "port (with ;transport=tls) when transport_protocol is TLS." },

	/* timers */
	{ SIP "outgoing_request_no_response_timeout_ms", CFG_U32, false,
	  G(sip.no_response_timeout_ms), 1000, 300000, "32000",
	  "1000..300000",
	  "A request without any response for this long fails at that "
	  "server (Timer F); the next server is tried." },
	{ SIP "registration_expires", CFG_U32, false,
	  G(sip.registration_expires_s), 30, 86400, "3600", "30..86400",
	  "Expires asked for in REGISTER, seconds; the server's answer "
	  "(and 423 Min-Expires) decide." },
	{ SIP "registration_failed_timeout", CFG_U32, false,
	  G(sip.registration_failed_timeout_s), 10, 3600, "60", "10..3600",
	  "Seconds to wait before a new round after every server failed or "
	  "the credentials were refused." },
	{ SIP "sip_t1", CFG_U32, false, G(sip.t1_ms), 100, 10000, "500",
	  "100..10000", "RFC 3261 T1 (RTT estimate), ms." },
	{ SIP "sip_t2", CFG_U32, false, G(sip.t2_ms), 1000, 40000, "4000",
	  "1000..40000, >= sip_t1",
	  "RFC 3261 T2 (longest retransmit interval), ms." },

	/* failover and failback */
	{ SIP "registration_failed_max_timeout", CFG_U32, false,
	  G(sip.registration_failed_max_s), 10, 86400, "1800",
	  "10..86400, >= registration_failed_timeout",
	  "Longest wait between two rounds when every server keeps failing "
	  "(RFC 5626 max-time): the wait grows from "
	  "registration_failed_timeout up to this, with jitter." },
	{ SIP "startup_delay_max_ms", CFG_U32, false,
	  G(sip.startup_delay_max_ms), 0, 60000, "2000", "0..60000",
	  "The first REGISTER waits a random 0..this ms, so phones that "
	  "restart together do not all register at once." },
	{ SIP "redundant_proxy/symmetric_mode", CFG_BOOL, false,
	  G(sip.symmetric_mode), 0, 0, "0", "0|1",
	  "0: while on a lower-priority server, probe the better ones and "
	  "return to one that answers; 1: stay until the current server "
	  "fails." },
	{ SIP "redundant_proxy/mode", CFG_REDUNDANCY, false,
	  G(sip.redundancy), 0, 0, "failover", "failover|concurrent",
	  "failover: every line registers at one server at a time and moves "
	  "when it fails; concurrent: also keeps standby bindings at the "
	  "next servers, and a failover only switches to one (no REGISTER "
	  "on the way). A change re-registers every line." },
	{ SIP "redundant_proxy/concurrent_servers", CFG_U32, false,
	  G(sip.concurrent_servers), 2, 4, "2", "2..4",
	  "mode concurrent: servers each line holds a binding at (the "
	  "active one and the standbys), the best that answer in RFC 3263 "
	  "order." },
	{ SIP "redundant_proxy/failback_retry_timeout", CFG_U32, false,
	  G(sip.failback_retry_s), 5, 3600, "60", "5..3600",
	  "Seconds between two OPTIONS probes of each better server "
	  "(symmetric_mode 0)." },
	{ SIP "redundant_proxy/failback_probes", CFG_U32, false,
	  G(sip.failback_probes), 1, 20, "3", "1..20",
	  "Consecutive probes a better server must answer before the phone "
	  "returns to it." },
	{ SIP "redundant_proxy/hold_down", CFG_U32, false,
	  G(sip.hold_down_s), 1, 3600, "30", "1..3600",
	  "Seconds a server that failed is not returned to; also the hold "
	  "after a 503 without Retry-After." },
	{ SIP "registrar_ka/enabled", CFG_BOOL, false, G(sip.ka_enabled),
	  0, 0, "0", "0|1",
	  "Keep-alive to the current server: OPTIONS, or the RFC 5626 CRLF "
	  "ping over TCP and TLS when the registrar supports outbound; no "
	  "answer within 10 s fails the server." },
	{ SIP "registrar_ka/timeout", CFG_U32, false, G(sip.ka_timeout_s),
	  5, 3600, "60", "5..3600",
	  "Keep-alive interval, seconds, jittered to 80..100 %; a pong is "
	  "due within 10 s." },

	/* kernel steering */
	{ SIP "steering/enabled", CFG_BOOL, false, G(sip.steering_enabled),
	  0, 0, "1", "0|1",
	  "Steer the phone's other SIP traffic to the current server with "
	  "sipsteer.ko (when loaded)." },
	{ SIP "steering/service_name", CFG_STRING, false,
	  G(sip.steering_service), 0, 0, "sipsteerd",
	  "1..31 printable characters",
	  "Name of the module service the daemon owns." },
	{ SIP "steering/virtual_address", CFG_IPADDR, false,
	  G(sip.steering_vaddr), 0, 0, "", "IPv4 or IPv6 literal",
	  "An extra address the phone's applications may send SIP to; "
	  "steered like the servers' addresses. Empty: none." },
	{ SIP "steering/virtual_port", CFG_PORT, false,
	  G(sip.steering_vport), 0, 0, "5060", "1..65535",
	  "Port of virtual_address (UDP and TCP)." },
	{ SIP "steering/passive_detection", CFG_BOOL, false,
	  G(sip.passive_detection), 0, 0, "1", "0|1",
	  "With sipsteer.ko: evidence the kernel sees on the phone's other "
	  "processes' traffic to the server in use (ICMP errors, resets, "
	  "unanswered SYNs, requests unreplied for unreplied_ms) makes the "
	  "daemon probe that server at once (timeout 3 x T1) and fail over "
	  "if the probe fails." },
	{ SIP "steering/unreplied_ms", CFG_U32, false, G(sip.unreplied_ms),
	  200, 32000, "1000", "200..32000",
	  "A UDP flow to a server, sent again and still unreplied after "
	  "this long, is evidence that the server is gone." },

	/* TLS */
	{ SIP "tls/ca_file", CFG_PATH, false, G(sip.tls_ca_file), 0, 0, "",
	  "readable PEM file",
	  "CA certificates that verify the server; empty: the system's "
	  "trust store." },
	{ SIP "tls/cert_file", CFG_PATH, false, G(sip.tls_cert_file), 0, 0, "",
	  "readable PEM file",
	  "Client certificate; needs tls/key_file." },
	{ SIP "tls/key_file", CFG_PATH, false, G(sip.tls_key_file), 0, 0, "",
	  "readable PEM file",
	  "Private key of the client certificate; needs tls/cert_file." },

	/* daemon specifics */
	{ SIP "socket_mark", CFG_MARK, false, G(sip.socket_mark), 0, 0, "0",
	  "0..4294967295, decimal or 0x hex",
	  "SO_MARK on every socket the daemon opens (needs CAP_NET_ADMIN); "
	  "0: none." },
	{ SIP "outbound_rfc5626", CFG_BOOL, false, G(sip.outbound_rfc5626),
	  0, 0, "0", "0|1",
	  "RFC 5626 outbound: +sip.instance and reg-id in the Contact." },
	{ SIP "instance_uuid", CFG_UUID, false, G(sip.instance_uuid), 0, 0, "",
	  "8-4-4-4-12 hex UUID",
	  "+sip.instance of this phone (RFC 5626 outbound); empty: the one "
	  "stored in instance_uuid_file." },
	{ SIP "instance_uuid_file", CFG_STRING, false,
	  G(sip.instance_uuid_file), 0, 0, "/var/lib/sipsteerd/instance_uuid",
	  "absolute path, up to 511 characters",
	  "Where the +sip.instance made on first use is kept, so it stays "
	  "the same across restarts (read only with outbound_rfc5626=1 and "
	  "no instance_uuid); empty, or a file that cannot be written: a "
	  "random one per start." },
	{ SIP "user_agent", CFG_STRING, false, G(sip.user_agent), 0, 0,
	  "sipsteerd", "up to 127 characters", "User-Agent header." },
	{ SIP "dns_servers", CFG_DNSLIST, false, G(sip.dns_servers), 0, 0, "",
	  "ip[:port],[ipv6]:port,...",
	  "DNS servers to ask instead of /etc/resolv.conf; empty: "
	  "/etc/resolv.conf." },
	{ SIP "dns_timeout_ms", CFG_U32, false, G(sip.dns_timeout_ms),
	  100, 30000, "2000", "100..30000",
	  "Time for one DNS query before it is retried." },
	{ SIP "dns_tries", CFG_U32, false, G(sip.dns_tries), 1, 10, "2",
	  "1..10",
	  "Attempts per DNS query before the cached (stale) answer is used." },
	{ "system/sipsteerd/log_level", CFG_LOGLEVEL, false, G(log_level),
	  0, 0, "info", "error|warning|info|debug",
	  "Least important level logged; -v makes it debug." },
};

const struct cfg_key *config_keys(size_t *n)
{
	*n = sizeof(keys) / sizeof(keys[0]);
	return keys;
}
