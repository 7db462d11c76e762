// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>

#include "print.h"

const char *event_name(uint8_t cmd)
{
	switch (cmd) {
	case SIPSTEER_CMD_SERVICE_NEW:
		return "new";
	case SIPSTEER_CMD_SERVICE_DEL:
		return "del";
	case SIPSTEER_CMD_SERVICE_SET:
		return "set";
	case SIPSTEER_CMD_FLOWS_FLUSH:
		return "flush";
	case SIPSTEER_CMD_EVIDENCE:
		return "evidence";
	default:
		return "unknown";
	}
}

/* Each target as "PRE active ADDR POST", or "PRE inactive POST". */
static void print_targets(FILE *f, const struct sipsteer_service *svc,
			  const char *pre, const char *post)
{
	char buf[SIPSTEER_ADDRSTRLEN];
	unsigned int i;

	if (!svc->n_targets) {
		fprintf(f, "%sinactive%s", pre, post);
		return;
	}
	for (i = 0; i < svc->n_targets; i++)
		fprintf(f, "%sactive %s%s", pre,
			sipsteer_addr_format(&svc->targets[i], buf,
					     sizeof(buf)), post);
}

static void print_counters(FILE *f, const struct sipsteer_stats *st)
{
	fprintf(f, "steered %" PRIu64 " passed %" PRIu64 " bypassed %" PRIu64
		" refused %" PRIu64 " flushes %" PRIu64 " flushed %" PRIu64,
		st->flows_steered, st->flows_passed, st->flows_bypassed,
		st->flows_refused, st->flushes, st->flows_flushed);
}

/* " icmp N reset N syn N unreplied N" */
static void print_evidence(FILE *f, const uint64_t *counts)
{
	int k;

	for (k = SIPSTEER_EVIDENCE_ICMP; k <= SIPSTEER_EVIDENCE_MAX; k++)
		fprintf(f, " %s %" PRIu64, sipsteer_evidence_name(k),
			counts[k]);
}

void print_service(FILE *f, const struct sipsteer_service *svc)
{
	char buf[SIPSTEER_ADDRSTRLEN];
	unsigned int i;

	fprintf(f, "service %s", svc->name);
	if (svc->has & SIPSTEER_HAS_GENERATION)
		fprintf(f, " generation %" PRIu32, svc->generation);
	fputc('\n', f);
	for (i = 0; i < svc->n_endpoints; i++) {
		fprintf(f, "  endpoint %s %s",
			sipsteer_proto_name(svc->endpoints[i].proto),
			sipsteer_addr_format(&svc->endpoints[i], buf,
					     sizeof(buf)));
		if ((svc->has & SIPSTEER_HAS_ENDPOINT_STATS) &&
		    svc->unreplied_ms) {
			fputs(" evidence", f);
			print_evidence(f, svc->endpoint_evidence[i]);
		}
		fputc('\n', f);
	}
	print_targets(f, svc, "  ", "\n");
	if ((svc->has & SIPSTEER_HAS_BYPASS) && svc->bypass_mark)
		fprintf(f, "  bypass-mark 0x%" PRIx32 "/0x%" PRIx32 "\n",
			svc->bypass_mark, svc->bypass_mask);
	if (svc->unreplied_ms)
		fprintf(f, "  unreplied-ms %" PRIu32 "\n", svc->unreplied_ms);
	if (svc->has & SIPSTEER_HAS_STATS) {
		fputs("  flows ", f);
		print_counters(f, &svc->stats);
		fputc('\n', f);
		if (svc->unreplied_ms) {
			fputs("  evidence", f);
			print_evidence(f, svc->stats.evidence);
			fputc('\n', f);
		}
	}
}

void print_stats(FILE *f, const struct sipsteer_service *svc)
{
	fprintf(f, "%s generation %" PRIu32 " ", svc->name, svc->generation);
	print_counters(f, &svc->stats);
	fputc('\n', f);
}

void print_event(FILE *f, const struct sipsteer_event *ev)
{
	const struct sipsteer_service *svc = &ev->service;

	fprintf(f, "%s %s", event_name(ev->cmd),
		svc->name[0] ? svc->name : "?");
	if (svc->has & SIPSTEER_HAS_GENERATION)
		fprintf(f, " generation %" PRIu32, svc->generation);
	if (ev->cmd == SIPSTEER_CMD_SERVICE_SET ||
	    ev->cmd == SIPSTEER_CMD_SERVICE_NEW)
		print_targets(f, svc, " ", "");
	if (ev->has_flushed)
		fprintf(f, " flushed %" PRIu32, ev->flushed);
	if (ev->cmd == SIPSTEER_CMD_EVIDENCE) {
		char buf[SIPSTEER_ADDRSTRLEN];

		fprintf(f, " %s endpoint %s %s suppressed %" PRIu32,
			sipsteer_evidence_name(ev->evidence),
			sipsteer_proto_name(ev->endpoint.proto),
			sipsteer_addr_format(&ev->endpoint, buf, sizeof(buf)),
			ev->suppressed);
	}
	fputc('\n', f);
}

static void json_addr(struct json *j, const struct sipsteer_addr *a,
		      bool proto)
{
	char buf[SIPSTEER_ADDRSTRLEN];

	json_obj_begin(j, NULL);
	if (proto)
		json_str(j, "proto", sipsteer_proto_name(a->proto));
	json_str(j, "addr", sipsteer_addr_ntop(a, buf, sizeof(buf)));
	if (a->port)
		json_uint(j, "port", a->port);
	json_obj_end(j);
}

static void json_addrs(struct json *j, const char *key,
		       const struct sipsteer_addr *v, unsigned int n,
		       bool proto)
{
	unsigned int i;

	json_arr_begin(j, key);
	for (i = 0; i < n; i++)
		json_addr(j, &v[i], proto);
	json_arr_end(j);
}

/* "evidence_icmp": N, ... inside an open object */
static void json_evidence(struct json *j, const uint64_t *counts)
{
	char key[32];
	int k;

	for (k = SIPSTEER_EVIDENCE_ICMP; k <= SIPSTEER_EVIDENCE_MAX; k++) {
		snprintf(key, sizeof(key), "evidence_%s",
			 sipsteer_evidence_name(k));
		json_uint(j, key, counts[k]);
	}
}

static void json_counters(struct json *j, const struct sipsteer_stats *st)
{
	json_obj_begin(j, "stats");
	json_uint(j, "flows_steered", st->flows_steered);
	json_uint(j, "flows_passed", st->flows_passed);
	json_uint(j, "flows_bypassed", st->flows_bypassed);
	json_uint(j, "flows_refused", st->flows_refused);
	json_uint(j, "flushes", st->flushes);
	json_uint(j, "flows_flushed", st->flows_flushed);
	json_evidence(j, st->evidence);
	json_obj_end(j);
}

/* The fields of svc the kernel sent, inside an open object. */
static void json_service_fields(struct json *j,
				const struct sipsteer_service *svc,
				bool targets)
{
	json_str(j, "name", svc->name);
	if (svc->has & SIPSTEER_HAS_GENERATION)
		json_uint(j, "generation", svc->generation);
	if (svc->has & SIPSTEER_HAS_ENDPOINTS)
		json_addrs(j, "endpoints", svc->endpoints, svc->n_endpoints,
			   true);
	/* No TARGETS attribute in a full service means inactive. */
	if (targets || (svc->has & SIPSTEER_HAS_TARGETS))
		json_addrs(j, "targets", svc->targets, svc->n_targets, false);
	if (svc->has & SIPSTEER_HAS_BYPASS) {
		json_uint(j, "bypass_mark", svc->bypass_mark);
		json_uint(j, "bypass_mask", svc->bypass_mask);
	}
	if (svc->has & SIPSTEER_HAS_UNREPLIED)
		json_uint(j, "unreplied_ms", svc->unreplied_ms);
	if (svc->has & SIPSTEER_HAS_STATS)
		json_counters(j, &svc->stats);
	if (svc->has & SIPSTEER_HAS_ENDPOINT_STATS) {
		unsigned int i;

		json_arr_begin(j, "endpoint_stats");
		for (i = 0; i < svc->n_endpoints; i++) {
			json_obj_begin(j, NULL);
			json_evidence(j, svc->endpoint_evidence[i]);
			json_obj_end(j);
		}
		json_arr_end(j);
	}
}

void json_service(struct json *j, const struct sipsteer_service *svc)
{
	json_obj_begin(j, NULL);
	json_service_fields(j, svc, true);
	json_obj_end(j);
}

void json_stats(struct json *j, const struct sipsteer_service *svc)
{
	json_obj_begin(j, NULL);
	json_str(j, "name", svc->name);
	json_uint(j, "generation", svc->generation);
	json_counters(j, &svc->stats);
	json_obj_end(j);
}

void json_event(struct json *j, const struct sipsteer_event *ev)
{
	json_obj_begin(j, NULL);
	json_str(j, "event", event_name(ev->cmd));
	json_service_fields(j, &ev->service,
			    ev->cmd == SIPSTEER_CMD_SERVICE_SET ||
			    ev->cmd == SIPSTEER_CMD_SERVICE_NEW);
	if (ev->has_flushed)
		json_uint(j, "flushed", ev->flushed);
	if (ev->cmd == SIPSTEER_CMD_EVIDENCE) {
		json_str(j, "evidence", sipsteer_evidence_name(ev->evidence));
		json_arr_begin(j, "endpoint");
		json_addr(j, &ev->endpoint, true);
		json_arr_end(j);
		json_uint(j, "suppressed", ev->suppressed);
	}
	json_obj_end(j);
}

int json_put(FILE *f, struct strbuf *sb)
{
	const char *text = sb_str(sb);
	int ret = 0;

	if (!text) {
		ret = -ENOMEM;
		goto out;
	}
	fwrite(text, 1, sb->len, f);
	fputc('\n', f);
out:
	sb_free(sb);
	return ret;
}
