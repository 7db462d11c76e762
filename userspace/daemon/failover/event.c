// SPDX-License-Identifier: GPL-2.0
/*
 * The proxy set's events: each one is a log line and an entry in a ring
 * the status socket shows, with the same words in both.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "failover/pset_int.h"
#include "transport/transport.h"

const char *pset_state_name(enum pset_state s)
{
	static const char *const names[] = {
		[PSET_IDLE] = "idle",
		[PSET_STARTING] = "starting",
		[PSET_RESOLVING] = "resolving",
		[PSET_REGISTERING] = "registering",
		[PSET_ACTIVE] = "active",
		[PSET_BACKOFF] = "backoff",
	};

	if ((unsigned int)s >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[s];
}

const char *pset_event_name(enum pset_event_kind k)
{
	static const char *const names[] = {
		[PSET_EV_REGISTERED] = "registered",
		[PSET_EV_FAILOVER] = "failover",
		[PSET_EV_FAILBACK] = "failback",
		[PSET_EV_PROBE] = "probe",
		[PSET_EV_KEEPALIVE] = "keepalive",
		[PSET_EV_STEER] = "steering",
		[PSET_EV_BACKOFF] = "backoff",
		[PSET_EV_NETWORK] = "network",
		[PSET_EV_DNS] = "dns",
		[PSET_EV_HINT] = "hint",
		[PSET_EV_STANDBY] = "standby",
	};

	if ((unsigned int)k >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[k];
}

void pset_fmt_server(const struct sip_server *srv, char *buf, size_t size)
{
	if (!srv) {
		snprintf(buf, size, "%s", "");
		return;
	}
	tp_fmt_addr(&srv->addr, buf, size);
}

static uint64_t realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void vevent(struct pset *ps, enum log_level lvl, bool log,
		   enum pset_event_kind kind, const struct sip_server *from,
		   const struct sip_server *to, uint32_t elapsed_ms,
		   const char *fmt, va_list ap)
{
	struct pset_event *ev = &ps->events[ps->ev_next];
	char where[140] = "";

	memset(ev, 0, sizeof(*ev));
	ev->at_ms = realtime_ms();
	ev->kind = kind;
	ev->elapsed_ms = elapsed_ms;
	pset_fmt_server(from, ev->from, sizeof(ev->from));
	pset_fmt_server(to, ev->to, sizeof(ev->to));
	vsnprintf(ev->reason, sizeof(ev->reason), fmt, ap);
	ps->ev_next = (ps->ev_next + 1) % PSET_EVENTS;
	if (ps->ev_count < PSET_EVENTS)
		ps->ev_count++;

	if (!log)
		return;
	if (ev->from[0] && ev->to[0])
		snprintf(where, sizeof(where), " %s -> %s", ev->from, ev->to);
	else if (ev->from[0] || ev->to[0])
		snprintf(where, sizeof(where), " %s",
			 ev->from[0] ? ev->from : ev->to);
	log_msg(lvl, "proxy set %s: %s%s: %s (%u ms)", ps->p.host,
		pset_event_name(kind), where, ev->reason, elapsed_ms);
}

void pset_event(struct pset *ps, enum log_level lvl,
		enum pset_event_kind kind, const struct sip_server *from,
		const struct sip_server *to, uint32_t elapsed_ms,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vevent(ps, lvl, true, kind, from, to, elapsed_ms, fmt, ap);
	va_end(ap);
}

void pset_event_quiet(struct pset *ps, enum pset_event_kind kind,
		      const struct sip_server *from,
		      const struct sip_server *to, uint32_t elapsed_ms,
		      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vevent(ps, LOG_LVL_DEBUG, false, kind, from, to, elapsed_ms, fmt, ap);
	va_end(ap);
}
