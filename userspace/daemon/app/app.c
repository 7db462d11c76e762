// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's wiring: one resolver, one steering service, one proxy set
 * for the configured target with one registration client per enabled
 * line, the network monitor, the status socket.
 *
 * Configuration changes: when anything every registration depends on
 * changes (the target, transport, timers, DNS, marks) or the steering
 * settings, every line is stopped (un-registered with the old settings)
 * and, once all have stopped, the set is built again. Failover, failback
 * and keep-alive settings are handed to the running set. Otherwise a
 * line whose settings changed is stopped and added again once stopped;
 * the other lines are left alone.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/instance.h"
#include "core/log.h"
#include "core/loop.h"
#include "dns/resolver.h"
#include "failover/pset.h"
#include "inbound/inbound.h"
#include "netmon/netmon.h"
#include "reg/reg.h"
#include "status/status.h"
#include "steer/steer.h"

/* Below the 2 s SIGTERM deadline in main.c. */
#define APP_STOP_TIMEOUT_MS	1500

struct app {
	struct loop *loop;
	struct app_opts opts;
	struct config cfg;
	struct config old_cfg;	/* before the reload that is settling */
	char instance_uuid[40];
	uint64_t started_ms;
	struct resolver *resolver;
	bool resolver_stale;
	struct steer *steer;
	bool steer_stale;	/* steering settings changed */
	struct netmon *netmon;
	struct inbound *inbound;	/* requests on the lines' flows */
	struct pset *pset;
	bool set_stale;		/* rebuild the set once its lines stopped */
	/* Where the set rebuilt last had its lines: the new one starts there. */
	bool handover;
	struct sockaddr_storage handover_addr;
	bool stopping[CFG_MAX_LINES];	/* pset_line_stop() called */
	struct status_server *status;
	bool shutting_down;
	void (*done)(void *arg);
	void *done_arg;
	struct loop_timer settle_timer;
};

/*
 * The +sip.instance, made or read from its file on first use: a phone
 * without RFC 5626 outbound never writes it.
 */
static const char *instance_of(struct app *app)
{
	if (!app->instance_uuid[0])
		instance_uuid_get(app->cfg.sip.instance_uuid,
				  app->cfg.sip.instance_uuid_file,
				  app->instance_uuid);
	return app->instance_uuid;
}

static const char *opt_str(const char *s)
{
	return s[0] ? s : NULL;
}

static void apply_log_level(const struct app *app)
{
	if (!app->opts.log_level_fixed)
		log_set_level(app->cfg.log_level);
}

/* Steering's bypass mark: the configured socket mark, or ours. */
static uint32_t bypass_mark(const struct config *cfg)
{
	return cfg->sip.socket_mark ? cfg->sip.socket_mark :
	       STEER_DEFAULT_MARK;
}

/*
 * The SO_MARK of every daemon socket: the configured one, or the bypass
 * mark whenever the module is there to steer (so our own REGISTERs and
 * probes reach the server they name). A request that failed (FAILED)
 * may succeed on a retry later: the sockets made now must carry the
 * mark already. Without the module no mark is needed.
 */
static uint32_t app_mark(const struct app *app)
{
	struct steer_status ss;

	if (app->cfg.sip.socket_mark || !app->steer)
		return app->cfg.sip.socket_mark;
	steer_status(app->steer, &ss);
	return ss.state == STEER_READY || ss.state == STEER_FAILED ?
	       STEER_DEFAULT_MARK : 0;
}

static bool steer_settings_changed(const struct config *a,
				   const struct config *b)
{
	return a->sip.steering_enabled != b->sip.steering_enabled ||
	       strcmp(a->sip.steering_service, b->sip.steering_service) ||
	       strcmp(a->sip.steering_vaddr, b->sip.steering_vaddr) ||
	       a->sip.steering_vport != b->sip.steering_vport ||
	       a->sip.socket_mark != b->sip.socket_mark ||
	       a->sip.passive_detection != b->sip.passive_detection ||
	       a->sip.unreplied_ms != b->sip.unreplied_ms ||
	       a->sip.transport != b->sip.transport;
}

static int steer_create(struct app *app)
{
	const struct cfg_sip *sip = &app->cfg.sip;
	struct sockaddr_storage vaddr;
	struct steer_opts so = {
		.name = sip->steering_service,
		.mark = bypass_mark(&app->cfg),
		.disabled = app->opts.no_steering || !sip->steering_enabled,
		.unreplied_ms = sip->passive_detection ? sip->unreplied_ms : 0,
		.proto = sip->transport == TP_UDP ? IPPROTO_UDP : IPPROTO_TCP,
	};
	struct sockaddr_in *v4 = (struct sockaddr_in *)&vaddr;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&vaddr;

	memset(&vaddr, 0, sizeof(vaddr));
	if (inet_pton(AF_INET, sip->steering_vaddr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(sip->steering_vport);
		so.vaddr = &vaddr;
	} else if (inet_pton(AF_INET6, sip->steering_vaddr,
			     &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(sip->steering_vport);
		so.vaddr = &vaddr;
	}
	return steer_new(&so, &app->steer);
}

/* Settings changed: the old service goes when it is no longer ours. */
static void steer_replace(struct app *app, const struct config *old)
{
	if (app->steer &&
	    (strcmp(old->sip.steering_service,
		    app->cfg.sip.steering_service) ||
	     !app->cfg.sip.steering_enabled))
		steer_release(app->steer);
	steer_free(app->steer);
	app->steer = NULL;
	if (steer_create(app))
		log_err("steering: cannot set up; registration failover "
			"continues without it");
}

static void on_network(void *arg, const char *why)
{
	struct app *app = arg;

	if (app->pset)
		pset_network_changed(app->pset, why);
}

static int resolver_create(struct app *app)
{
	const struct cfg_sip *sip = &app->cfg.sip;
	struct resolver_opts ro = {
		.servers = opt_str(sip->dns_servers),
		.timeout_ms = sip->dns_timeout_ms,
		.tries = sip->dns_tries,
		.mark = app_mark(app),
	};

	return resolver_new(app->loop, &ro, &app->resolver);
}

static void settle_later(struct app *app);

static void on_line_stopped(void *arg, unsigned int line)
{
	struct app *app = arg;

	if (line < CFG_MAX_LINES)
		app->stopping[line] = false;
	settle_later(app);
}

static bool stopping_any(const struct app *app)
{
	unsigned int i;

	for (i = 0; i < CFG_MAX_LINES; i++) {
		if (app->stopping[i])
			return true;
	}
	return false;
}

static const char *proto_label(const struct cfg_target *t,
			       enum tp_proto proto)
{
	if (t->port == CFG_PORT_SRV)
		return "(NAPTR/SRV)";
	return tp_proto_name(proto);
}

static int line_add(struct app *app, unsigned int n)
{
	const struct cfg_line *cl = &app->cfg.line[n];
	const struct cfg_sip *sip = &app->cfg.sip;
	struct cfg_target t;
	struct reg_params p;
	int err;

	if (!app->pset || !config_target(&app->cfg, &t))
		return -EINVAL;
	memset(&p, 0, sizeof(p));
	p.line = n;
	p.user = cl->id;
	p.domain = t.domain;
	p.display_name = opt_str(cl->display_name);
	p.auth_user = opt_str(cl->auth_name);
	p.password = cl->auth_password;
	p.expires_s = sip->registration_expires_s;
	p.no_response_timeout_ms = sip->no_response_timeout_ms;
	p.t1_ms = sip->t1_ms;
	p.t2_ms = sip->t2_ms;
	p.stop_timeout_ms = APP_STOP_TIMEOUT_MS;
	p.tls_ca_file = opt_str(sip->tls_ca_file);
	p.tls_cert_file = opt_str(sip->tls_cert_file);
	p.tls_key_file = opt_str(sip->tls_key_file);
	p.mark = app_mark(app);
	p.outbound = sip->outbound_rfc5626;
	p.instance_uuid = sip->outbound_rfc5626 ? instance_of(app) : NULL;
	p.user_agent = sip->user_agent;
	p.contact_port = sip->transport == TP_TLS ? sip->local_tls_port :
			 sip->local_port;
	p.inbound = app->inbound;

	err = pset_line_add(app->pset, &p);
	if (err) {
		log_err("line %u: cannot start: %s", n, strerror(-err));
		return err;
	}
	log_info("line %u: %s@%s via %s%s%u %s", n, cl->id, t.domain, t.host,
		 strchr(t.host, ':') ? " port " : ":", t.port,
		 proto_label(&t, sip->transport));
	return 0;
}

static void line_stop(struct app *app, unsigned int n)
{
	if (!app->pset || app->stopping[n] || !pset_has_line(app->pset, n))
		return;
	app->stopping[n] = true;
	pset_line_stop(app->pset, n);
}

static void set_params(const struct app *app, const struct cfg_target *t,
		       struct pset_params *p)
{
	const struct cfg_sip *sip = &app->cfg.sip;

	memset(p, 0, sizeof(*p));
	p->host = t->host;
	p->port = t->port;
	p->proto = sip->transport;
	p->domain = t->domain;
	p->no_response_timeout_ms = sip->no_response_timeout_ms;
	p->t1_ms = sip->t1_ms;
	p->t2_ms = sip->t2_ms;
	p->tls_ca_file = opt_str(sip->tls_ca_file);
	p->tls_cert_file = opt_str(sip->tls_cert_file);
	p->tls_key_file = opt_str(sip->tls_key_file);
	p->mark = app_mark(app);
	p->user_agent = sip->user_agent;
	p->failed_base_s = sip->registration_failed_timeout_s;
	p->failed_max_s = sip->registration_failed_max_s;
	p->startup_delay_max_ms = sip->startup_delay_max_ms;
	p->symmetric = sip->symmetric_mode;
	p->failback_retry_s = sip->failback_retry_s;
	p->failback_probes = sip->failback_probes;
	p->hold_down_s = sip->hold_down_s;
	p->ka_interval_s = sip->ka_enabled ? sip->ka_timeout_s : 0;
	p->passive = sip->passive_detection;
	p->standing = sip->redundancy == CFG_RED_CONCURRENT ?
		      sip->concurrent_servers : 1;
}

static bool any_line_enabled(const struct config *cfg)
{
	unsigned int n;

	for (n = 0; n < CFG_MAX_LINES; n++) {
		if (cfg->line[n].enabled)
			return true;
	}
	return false;
}

/* Build the set for the configured target with every enabled line. */
static int set_start(struct app *app)
{
	static const struct pset_handlers handlers = {
		.on_line_stopped = on_line_stopped,
	};
	struct pset_params p;
	struct cfg_target t;
	unsigned int n;
	int err;

	if (!config_target(&app->cfg, &t) || !any_line_enabled(&app->cfg))
		return 0;
	inbound_set_app_port(app->inbound, app->cfg.sip.local_port);
	set_params(app, &t, &p);
	err = pset_new(app->loop, app->resolver, app->steer, &p, &handlers,
		       app, &app->pset);
	if (err) {
		log_err("proxy set %s: cannot create: %s", t.host,
			strerror(-err));
		return err;
	}
	/* No needless switch, no wait on a dead primary after a reload. */
	if (app->handover)
		pset_adopt(app->pset, &app->handover_addr);
	app->handover = false;
	for (n = 0; n < CFG_MAX_LINES; n++) {
		if (app->cfg.line[n].enabled)
			line_add(app, n);
	}
	return pset_start(app->pset);
}

/* Adds every enabled line that is not in the set. */
static void add_lines(struct app *app)
{
	unsigned int n;

	for (n = 0; n < CFG_MAX_LINES; n++) {
		if (app->cfg.line[n].enabled && !pset_has_line(app->pset, n))
			line_add(app, n);
	}
}

/*
 * Runs from the loop after stops complete: reports the shutdown done or,
 * once no line is stopping any more, rebuilds what is stale and starts
 * what is enabled.
 */
static void settle(void *arg)
{
	struct app *app = arg;

	if (app->shutting_down) {
		if (!app_active_lines(app)) {
			pset_free(app->pset);
			app->pset = NULL;
			if (app->opts.release_on_exit && app->steer)
				steer_release(app->steer);
			if (app->done)
				app->done(app->done_arg);
		}
		return;
	}
	if (stopping_any(app))
		return;
	if (app->set_stale || (app->pset && !pset_lines(app->pset))) {
		if (app->pset)
			app->handover = pset_target_addr(app->pset,
							 &app->handover_addr);
		pset_free(app->pset);
		app->pset = NULL;
		app->set_stale = false;
	}
	if (app->steer_stale) {
		app->steer_stale = false;
		steer_replace(app, &app->old_cfg);
	}
	/* Also when creating it failed at an earlier reload. */
	if (app->resolver_stale || !app->resolver) {
		resolver_free(app->resolver);
		app->resolver = NULL;
		app->resolver_stale = false;
		if (resolver_create(app)) {
			log_err("DNS resolver: cannot create; lines stay "
				"stopped until the next SIGHUP");
			return;
		}
	}
	if (!app->pset)
		set_start(app);
	else
		add_lines(app);
}

static void settle_later(struct app *app)
{
	loop_timer_start(app->loop, &app->settle_timer, 0, settle, app);
}

unsigned int app_active_lines(const struct app *app)
{
	return app->pset ? pset_lines(app->pset) : 0;
}

static void status_fill(void *arg, struct status_snapshot *snap)
{
	struct app *app = arg;
	struct cfg_target t;
	unsigned int n;

	snap->version = SIPSTEERD_VERSION;
	snap->uptime_s = (loop_now_ms(app->loop) - app->started_ms) / 1000;
	snap->config_file = app->opts.config_path;
	if (!config_target(&app->cfg, &t))
		memset(&t, 0, sizeof(t));
	for (n = 0; n < CFG_MAX_LINES; n++) {
		const struct cfg_line *cl = &app->cfg.line[n];
		struct status_line *sl = &snap->lines[snap->n_lines];
		bool running = app->pset &&
			       pset_line_status(app->pset, n, &sl->reg);

		if (!cl->enabled && !running)
			continue;
		snap->n_lines++;
		sl->index = n;
		snprintf(sl->id, sizeof(sl->id), "%s", cl->id);
		snprintf(sl->description, sizeof(sl->description), "%s",
			 cl->description);
		snprintf(sl->domain, sizeof(sl->domain), "%s",
			 t.domain ? t.domain : "");
		sl->proto = app->cfg.sip.transport;
		if (!running) {
			memset(&sl->reg, 0, sizeof(sl->reg));
			sl->reg.state = REG_IDLE;
			sl->reg.server = -1;
			snprintf(sl->reg.text, sizeof(sl->reg.text),
				 "not running");
		}
	}
	if (app->pset) {
		snap->has_set = true;
		pset_status(app->pset, &snap->set);
	}
	if (app->steer)
		steer_status(app->steer, &snap->steer);
	inbound_stats(app->inbound, &snap->inbound);
}

int app_new(struct loop *loop, const struct app_opts *opts,
	    const struct config *cfg, struct app **out)
{
	struct app *app;

	app = calloc(1, sizeof(*app));
	if (!app)
		return -ENOMEM;
	app->loop = loop;
	app->opts = *opts;
	app->cfg = *cfg;
	if (cfg->sip.instance_uuid[0])
		snprintf(app->instance_uuid, sizeof(app->instance_uuid), "%s",
			 cfg->sip.instance_uuid);
	apply_log_level(app);
	*out = app;
	return 0;
}

int app_start(struct app *app)
{
	int err;

	app->started_ms = loop_now_ms(app->loop);
	if (app->opts.socket_path) {
		err = status_server_new(app->loop, app->opts.socket_path,
					status_fill, app, &app->status);
		if (err) {
			log_err("status socket %s: %s%s",
				app->opts.socket_path, strerror(-err),
				err == -EADDRINUSE ?
				" (is another sipsteerd running?)" : "");
			return err;
		}
	}
	/* Steering first: whether it works decides the sockets' mark. */
	err = steer_create(app);
	if (err) {
		log_err("steering: %s", strerror(-err));
		return err;
	}
	err = resolver_create(app);
	if (err) {
		log_err("DNS resolver: %s", strerror(-err));
		return err;
	}
	err = inbound_new(app->loop, &(const struct inbound_opts) {
				.app_port = app->cfg.sip.local_port,
				.t1_ms = app->cfg.sip.t1_ms,
				.user_agent = app->cfg.sip.user_agent,
			  }, &app->inbound);
	if (err) {
		log_err("inbound requests: %s", strerror(-err));
		return err;
	}
	err = netmon_new(app->loop, on_network, app, &app->netmon);
	if (err) {
		app->netmon = NULL;
		log_warn("network monitor: %s; network changes are found at "
			 "the next failure", strerror(-err));
	}
	set_start(app);
	return 0;
}

/* Did something every registration of the set depends on change? */
static bool set_changed(const struct config *a, const struct config *b)
{
	return memcmp(&a->sip, &b->sip, CFG_SIP_LINE_PART) != 0;
}

void app_reload(struct app *app, const struct config *cfg)
{
	struct config old = app->cfg;
	unsigned int n, changed = 0;

	if (app->shutting_down)
		return;
	app->cfg = *cfg;
	apply_log_level(app);
	if (cfg->sip.instance_uuid[0] &&
	    strcmp(cfg->sip.instance_uuid, app->instance_uuid))
		snprintf(app->instance_uuid, sizeof(app->instance_uuid), "%s",
			 cfg->sip.instance_uuid);
	if (steer_settings_changed(&old, cfg)) {
		/* The mark may change with it: new sockets everywhere. */
		if (!app->steer_stale)
			app->old_cfg = old;
		app->steer_stale = true;
		app->resolver_stale = true;
	}
	if (strcmp(old.sip.dns_servers, cfg->sip.dns_servers) ||
	    old.sip.dns_timeout_ms != cfg->sip.dns_timeout_ms ||
	    old.sip.dns_tries != cfg->sip.dns_tries ||
	    old.sip.socket_mark != cfg->sip.socket_mark || !app->resolver)
		app->resolver_stale = true;
	if (set_changed(&old, cfg) || app->resolver_stale ||
	    app->steer_stale) {
		app->set_stale = true;
	} else if (config_set_changed(&old, cfg) && app->pset) {
		struct cfg_target t;
		struct pset_params p;

		config_target(cfg, &t);
		set_params(app, &t, &p);
		pset_set_policy(app->pset, &p);
		log_info("failover, failback and keep-alive settings applied "
			 "without re-registering");
	}
	for (n = 0; n < CFG_MAX_LINES; n++) {
		if (app->set_stale || !cfg->line[n].enabled ||
		    config_line_changed(&old, cfg, n)) {
			if (app->pset && pset_has_line(app->pset, n)) {
				line_stop(app, n);
				changed++;
			}
		}
	}
	log_info("configuration reloaded: %u line(s) restarting%s", changed,
		 app->set_stale ? " with a new proxy set" : "");
	/* Starts new lines now if nothing has to stop first. */
	settle_later(app);
}

void app_stop(struct app *app, void (*done)(void *arg), void *arg)
{
	unsigned int n;

	app->shutting_down = true;
	app->done = done;
	app->done_arg = arg;
	for (n = 0; n < CFG_MAX_LINES; n++)
		line_stop(app, n);
	/* With no line running, done comes at once (from the loop). */
	settle_later(app);
}

void app_free(struct app *app)
{
	if (!app)
		return;
	loop_timer_cancel(app->loop, &app->settle_timer);
	pset_free(app->pset);
	/* Also when the lines did not stop in time; a no-op if done. */
	if (app->shutting_down && app->opts.release_on_exit)
		steer_release(app->steer);
	netmon_free(app->netmon);
	inbound_free(app->inbound);
	status_server_free(app->status);
	resolver_free(app->resolver);
	steer_free(app->steer);
	free(app);
}
