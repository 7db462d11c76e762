// SPDX-License-Identifier: GPL-2.0
/* The status snapshot as text for people and as JSON for scripts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "status/status.h"

static void text_server(struct strbuf *out, unsigned int i,
			const struct reg_server_status *s)
{
	sb_printf(out, "  %s %u %s %s %s", s->in_use ? "*" : " ", i + 1,
		  s->target, s->addr, tp_proto_name(s->proto));
	if (s->priority || s->weight)
		sb_printf(out, " priority %u weight %u", s->priority,
			  s->weight);
	if (s->last == SL_RES_NONE) {
		sb_puts(out, ": not tried\n");
		return;
	}
	sb_printf(out, ": %s", sl_result_name(s->last));
	if (s->last_code)
		sb_printf(out, " (%d)", s->last_code);
	sb_printf(out, " %u s ago\n", s->last_age_s);
}

static void text_line(struct strbuf *out, const struct status_line *l)
{
	const struct reg_status *r = &l->reg;
	unsigned int i;

	sb_printf(out, "line %u: %s@%s", l->index, l->id, l->domain);
	if (l->description[0])
		sb_printf(out, " (%s)", l->description);
	sb_printf(out, " %s: %s\n", tp_proto_name(l->proto),
		  reg_state_name(r->state));
	if (r->text[0])
		sb_printf(out, "  %s\n", r->text);
	if (r->server >= 0 && (unsigned int)r->server < r->n_servers) {
		const struct reg_server_status *s = &r->servers[r->server];

		sb_printf(out, "  server: %s %s\n", s->target, s->addr);
	}
	if (r->state == REG_REGISTERED)
		sb_printf(out, "  expires in %u s (granted %u s)\n",
			  r->expires_left_s, r->granted_expires_s);
	if (r->contact[0])
		sb_printf(out, "  contact: %s\n", r->contact);
	if (r->last_error[0])
		sb_printf(out, "  last error: %s\n", r->last_error);
	for (i = 0; i < r->n_bindings && i < REG_STATUS_MAX_BINDINGS; i++) {
		const struct reg_binding_status *b = &r->bindings[i];

		sb_printf(out, "  binding: %s %s %s", b->addr,
			  b->active ? "active" : "standby",
			  reg_state_name(b->state));
		if (b->state == REG_REGISTERED)
			sb_printf(out, ", expires in %u s", b->expires_left_s);
		if (b->reg_id)
			sb_printf(out, ", reg-id %u", b->reg_id);
		sb_puts(out, "\n");
	}
	if (!r->n_servers) {
		sb_puts(out, "  servers: none known\n");
		return;
	}
	sb_puts(out, "  servers:\n");
	for (i = 0; i < r->n_servers && i < REG_STATUS_MAX_SERVERS; i++)
		text_server(out, i, &r->servers[i]);
}

/* Text from the network (reason phrases, DNS names) on one line each. */
static void clean(char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	}
}

static void clean_line(struct status_line *l)
{
	unsigned int i;

	clean(l->id);
	clean(l->description);
	clean(l->domain);
	clean(l->reg.text);
	clean(l->reg.contact);
	clean(l->reg.last_error);
	for (i = 0; i < REG_STATUS_MAX_SERVERS; i++) {
		clean(l->reg.servers[i].target);
		clean(l->reg.servers[i].addr);
	}
}

static void text_events(struct strbuf *out, const struct pset_status *ps)
{
	unsigned int i;

	if (!ps->n_events)
		return;
	sb_puts(out, "  events:\n");
	for (i = 0; i < ps->n_events && i < PSET_EVENTS; i++) {
		const struct pset_event *e = &ps->events[i];

		sb_printf(out, "    %llu.%03u %s", (unsigned long long)
			  (e->at_ms / 1000), (unsigned int)(e->at_ms % 1000),
			  pset_event_name(e->kind));
		if (e->from[0])
			sb_printf(out, " %s", e->from);
		if (e->from[0] && e->to[0])
			sb_puts(out, " ->");
		if (e->to[0])
			sb_printf(out, " %s", e->to);
		sb_printf(out, ": %s (%u ms)\n", e->reason, e->elapsed_ms);
	}
}

static void text_set(struct strbuf *out, const struct pset_status *ps)
{
	unsigned int i;

	sb_printf(out, "proxy set: %s", pset_state_name(ps->state));
	if (ps->active_addr[0])
		sb_printf(out, " at %s", ps->active_addr);
	sb_printf(out, ", %u failover(s), %u failback(s)", ps->failovers,
		  ps->failbacks);
	if (ps->consecutive_failures)
		sb_printf(out, ", %u round(s) failed",
			  ps->consecutive_failures);
	if (ps->next_try_s)
		sb_printf(out, ", next try in %u s", ps->next_try_s);
	sb_puts(out, "\n");
	for (i = 0; i < ps->n_servers && i < REG_STATUS_MAX_SERVERS; i++) {
		text_server(out, i, &ps->servers[i]);
		if (ps->probe_ok[i])
			sb_printf(out, "    failback probes answered: %u\n",
				  ps->probe_ok[i]);
	}
	text_events(out, ps);
}

static void text_steer(struct strbuf *out, const struct steer_status *st)
{
	unsigned int i;

	sb_printf(out, "steering: %s", steer_state_name(st->state));
	if (st->state == STEER_READY || st->state == STEER_FAILED) {
		sb_printf(out, ", service %s%s, %u endpoint(s), target ",
			  st->service, st->adopted ? " (adopted)" : "",
			  st->n_endpoints);
		for (i = 0; i < st->n_targets; i++)
			sb_printf(out, "%s%s", i ? " and " : "",
				  st->targets[i]);
		sb_printf(out, "%s, generation %u, %u switch(es), %u TCP "
			  "connection(s) failed", st->n_targets ? "" : "none",
			  st->generation, st->switches, st->sockets_killed);
		if (st->switches)
			sb_printf(out, ", last switch %u us",
				  st->last_switch_us);
	}
	sb_puts(out, "\n");
	if (st->n_steered) {
		sb_puts(out, "  steered (not answering):");
		for (i = 0; i < st->n_steered; i++)
			sb_printf(out, " %s", st->steered[i]);
		sb_puts(out, "\n");
	}
	if (st->missing_family[0])
		sb_printf(out, "  no %s address at the server in use: %s "
			  "traffic to those servers is not steered\n",
			  st->missing_family, st->missing_family);
	if (st->error[0])
		sb_printf(out, "  error: %s\n", st->error);
}

static void text_inbound(struct strbuf *out, const struct inbound_stats *in)
{
	sb_printf(out, "requests from servers: %llu OPTIONS answered, %llu "
		  "relayed to the call application, %llu response(s) "
		  "relayed back, %llu refused here\n",
		  (unsigned long long)in->options,
		  (unsigned long long)in->relayed,
		  (unsigned long long)in->responses,
		  (unsigned long long)in->refused);
}

static void clean_set(struct pset_status *ps)
{
	unsigned int i;

	for (i = 0; i < REG_STATUS_MAX_SERVERS; i++) {
		clean(ps->servers[i].target);
		clean(ps->servers[i].addr);
	}
	for (i = 0; i < PSET_EVENTS; i++)
		clean(ps->events[i].reason);
}

void status_render_text(const struct status_snapshot *snap,
			struct strbuf *out)
{
	struct status_line *line;
	unsigned int i;

	line = malloc(sizeof(*line));
	if (!line) {
		sb_puts(out, "error: out of memory\n");
		return;
	}

	sb_printf(out, "sipsteerd %s, up %llu s", snap->version,
		  (unsigned long long)snap->uptime_s);
	if (snap->config_file)
		sb_printf(out, ", config %s", snap->config_file);
	sb_puts(out, "\n");
	if (!snap->n_lines)
		sb_puts(out, "no line enabled\n");
	for (i = 0; i < snap->n_lines && i < CFG_MAX_LINES; i++) {
		memcpy(line, &snap->lines[i], sizeof(*line));
		clean_line(line);
		text_line(out, line);
	}
	free(line);
	if (snap->has_set) {
		struct pset_status *ps = malloc(sizeof(*ps));

		if (!ps) {
			sb_puts(out, "error: out of memory\n");
			return;
		}
		memcpy(ps, &snap->set, sizeof(*ps));
		clean_set(ps);
		text_set(out, ps);
		free(ps);
	}
	text_steer(out, &snap->steer);
	text_inbound(out, &snap->inbound);
}

static void json_server_fields(struct json *j,
			       const struct reg_server_status *s)
{
	json_str(j, "target", s->target);
	json_str(j, "addr", s->addr);
	json_str(j, "proto", tp_proto_name(s->proto));
	json_uint(j, "priority", s->priority);
	json_uint(j, "weight", s->weight);
	json_bool(j, "in_use", s->in_use);
	json_str(j, "last", sl_result_name(s->last));
	if (s->last_code)
		json_int(j, "last_code", s->last_code);
	else
		json_null(j, "last_code");
	if (s->last == SL_RES_NONE)
		json_null(j, "last_age_s");
	else
		json_uint(j, "last_age_s", s->last_age_s);
}

static void json_server(struct json *j, const struct reg_server_status *s)
{
	json_obj_begin(j, NULL);
	json_server_fields(j, s);
	json_obj_end(j);
}

static void json_event(struct json *j, const struct pset_event *e)
{
	json_obj_begin(j, NULL);
	json_uint(j, "at_ms", e->at_ms);
	json_str(j, "kind", pset_event_name(e->kind));
	json_str(j, "from", e->from);
	json_str(j, "to", e->to);
	json_str(j, "reason", e->reason);
	json_uint(j, "elapsed_ms", e->elapsed_ms);
	json_obj_end(j);
}

static void json_set(struct json *j, const struct pset_status *ps)
{
	unsigned int i;

	json_obj_begin(j, "proxy_set");
	json_str(j, "state", pset_state_name(ps->state));
	if (ps->active >= 0)
		json_uint(j, "active", (unsigned int)ps->active);
	else
		json_null(j, "active");
	json_str(j, "active_addr", ps->active_addr);
	json_uint(j, "failovers", ps->failovers);
	json_uint(j, "failbacks", ps->failbacks);
	json_uint(j, "consecutive_failures", ps->consecutive_failures);
	json_uint(j, "next_try_s", ps->next_try_s);
	json_arr_begin(j, "servers");
	for (i = 0; i < ps->n_servers && i < REG_STATUS_MAX_SERVERS; i++) {
		json_obj_begin(j, NULL);
		json_server_fields(j, &ps->servers[i]);
		json_uint(j, "probe_ok", ps->probe_ok[i]);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_arr_begin(j, "events");
	for (i = 0; i < ps->n_events && i < PSET_EVENTS; i++)
		json_event(j, &ps->events[i]);
	json_arr_end(j);
	json_obj_end(j);
}

static void json_binding(struct json *j, const struct reg_binding_status *b)
{
	json_obj_begin(j, NULL);
	json_str(j, "server", b->addr);
	json_str(j, "role", b->active ? "active" : "standby");
	json_str(j, "state", reg_state_name(b->state));
	if (b->state == REG_REGISTERED)
		json_uint(j, "expires_left_s", b->expires_left_s);
	else
		json_null(j, "expires_left_s");
	if (b->reg_id)
		json_uint(j, "reg_id", b->reg_id);
	else
		json_null(j, "reg_id");
	json_obj_end(j);
}

static void json_line(struct json *j, const struct status_line *l)
{
	const struct reg_status *r = &l->reg;
	unsigned int i;

	json_obj_begin(j, NULL);
	json_uint(j, "line", l->index);
	json_str(j, "id", l->id);
	json_str(j, "description", l->description);
	json_str(j, "domain", l->domain);
	json_str(j, "proto", tp_proto_name(l->proto));
	json_str(j, "state", reg_state_name(r->state));
	json_str(j, "text", r->text);
	if (r->server >= 0 && (unsigned int)r->server < r->n_servers)
		json_uint(j, "server", (unsigned int)r->server);
	else
		json_null(j, "server");
	if (r->state == REG_REGISTERED) {
		json_uint(j, "expires_left_s", r->expires_left_s);
		json_uint(j, "granted_expires_s", r->granted_expires_s);
	} else {
		json_null(j, "expires_left_s");
		json_null(j, "granted_expires_s");
	}
	json_str(j, "contact", r->contact);
	json_str(j, "last_error", r->last_error);
	json_arr_begin(j, "bindings");
	for (i = 0; i < r->n_bindings && i < REG_STATUS_MAX_BINDINGS; i++)
		json_binding(j, &r->bindings[i]);
	json_arr_end(j);
	json_arr_begin(j, "servers");
	for (i = 0; i < r->n_servers && i < REG_STATUS_MAX_SERVERS; i++)
		json_server(j, &r->servers[i]);
	json_arr_end(j);
	json_obj_end(j);
}

static void json_steer(struct json *j, const struct steer_status *st)
{
	unsigned int i;

	json_obj_begin(j, "steering");
	json_str(j, "state", steer_state_name(st->state));
	json_str(j, "service", st->service);
	json_bool(j, "adopted", st->adopted);
	json_uint(j, "endpoints", st->n_endpoints);
	json_str(j, "target", st->target);
	json_arr_begin(j, "targets");
	for (i = 0; i < st->n_targets; i++)
		json_str(j, NULL, st->targets[i]);
	json_arr_end(j);
	json_arr_begin(j, "steered");
	for (i = 0; i < st->n_steered; i++)
		json_str(j, NULL, st->steered[i]);
	json_arr_end(j);
	if (st->missing_family[0])
		json_str(j, "missing_family", st->missing_family);
	else
		json_null(j, "missing_family");
	json_uint(j, "generation", st->generation);
	json_uint(j, "switches", st->switches);
	json_uint(j, "sockets_killed", st->sockets_killed);
	json_uint(j, "last_switch_us", st->last_switch_us);
	json_str(j, "error", st->error);
	json_obj_end(j);
}

void status_render_json(const struct status_snapshot *snap,
			struct strbuf *out)
{
	struct json j;
	unsigned int i;

	json_init(&j, out, false);
	json_obj_begin(&j, NULL);
	json_str(&j, "version", snap->version);
	json_uint(&j, "uptime_s", snap->uptime_s);
	if (snap->config_file)
		json_str(&j, "config", snap->config_file);
	else
		json_null(&j, "config");
	json_arr_begin(&j, "lines");
	for (i = 0; i < snap->n_lines && i < CFG_MAX_LINES; i++)
		json_line(&j, &snap->lines[i]);
	json_arr_end(&j);
	if (snap->has_set)
		json_set(&j, &snap->set);
	else
		json_null(&j, "proxy_set");
	json_steer(&j, &snap->steer);
	json_obj_begin(&j, "inbound");
	json_uint(&j, "options", snap->inbound.options);
	json_uint(&j, "relayed", snap->inbound.relayed);
	json_uint(&j, "responses", snap->inbound.responses);
	json_uint(&j, "refused", snap->inbound.refused);
	json_obj_end(&j);
	json_obj_end(&j);
	sb_puts(out, "\n");
}
