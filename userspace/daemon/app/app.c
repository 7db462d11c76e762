// SPDX-License-Identifier: GPL-2.0
/*
 * Lines are restarted rather than patched on a configuration change: a
 * line whose settings changed is stopped (un-registered with the old
 * settings, at the old server) and, when every stop has completed, every
 * enabled line that is not running is started from the current
 * configuration. DNS settings live in the same struct as the SIP ones, so
 * a resolver change restarts every line and the resolver can be replaced
 * once nothing uses it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "app/app.h"
#include "core/log.h"
#include "core/loop.h"
#include "dns/resolver.h"
#include "reg/reg.h"
#include "status/status.h"

/* Below the 2 s SIGTERM deadline in main.c. */
#define APP_STOP_TIMEOUT_MS	1500

struct app_line {
	struct app *app;
	unsigned int index;
	struct reg *reg;
	bool stopping;		/* reg_stop() called */
	bool stopped;		/* on_stopped came; reg_free() pending */
};

struct app {
	struct loop *loop;
	struct app_opts opts;
	struct config cfg;
	char instance_uuid[40];
	uint64_t started_ms;
	struct resolver *resolver;
	bool resolver_stale;
	struct status_server *status;
	struct app_line lines[CFG_MAX_LINES];
	bool shutting_down;
	void (*done)(void *arg);
	void *done_arg;
	struct loop_timer settle_timer;
};

static void random_uuid(char *buf, size_t len)
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	/* RFC 4122 version 4 */
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(buf, len, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
		 b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
		 b[14], b[15]);
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

static int resolver_create(struct app *app)
{
	const struct cfg_sip *sip = &app->cfg.sip;
	struct resolver_opts ro = {
		.servers = opt_str(sip->dns_servers),
		.timeout_ms = sip->dns_timeout_ms,
		.tries = sip->dns_tries,
		.mark = sip->socket_mark,
	};

	return resolver_new(app->loop, &ro, &app->resolver);
}

static void line_on_state(void *arg, struct reg *reg, enum reg_state state)
{
	struct app_line *l = arg;

	(void)reg;
	log_debug("line %u: %s", l->index, reg_state_name(state));
}

static void settle_later(struct app *app);

/*
 * Freeing the registration is left to settle(): this runs inside the
 * registration's own code.
 */
static void line_on_stopped(void *arg, struct reg *reg)
{
	struct app_line *l = arg;

	(void)reg;
	l->stopped = true;
	settle_later(l->app);
}

static bool stopping_any(const struct app *app)
{
	unsigned int i;

	for (i = 0; i < CFG_MAX_LINES; i++) {
		if (app->lines[i].stopping)
			return true;
	}
	return false;
}

static int line_start(struct app *app, unsigned int n)
{
	static const struct reg_handlers handlers = {
		.on_state = line_on_state,
		.on_stopped = line_on_stopped,
	};
	const struct cfg_line *cl = &app->cfg.line[n];
	const struct cfg_sip *sip = &app->cfg.sip;
	struct app_line *l = &app->lines[n];
	struct cfg_target t;
	struct reg_params p;
	int err;

	if (!config_target(&app->cfg, &t))
		return -EINVAL;
	memset(&p, 0, sizeof(p));
	p.line = n;
	p.user = cl->id;
	p.domain = t.domain;
	p.display_name = opt_str(cl->display_name);
	p.auth_user = opt_str(cl->auth_name);
	p.password = cl->auth_password;
	p.proxy_host = t.host;
	p.proxy_port = t.port;
	p.proto = sip->transport;
	p.expires_s = sip->registration_expires_s;
	p.no_response_timeout_ms = sip->no_response_timeout_ms;
	p.t1_ms = sip->t1_ms;
	p.t2_ms = sip->t2_ms;
	p.failed_retry_s = sip->registration_failed_timeout_s;
	p.stop_timeout_ms = APP_STOP_TIMEOUT_MS;
	p.tls_ca_file = opt_str(sip->tls_ca_file);
	p.tls_cert_file = opt_str(sip->tls_cert_file);
	p.tls_key_file = opt_str(sip->tls_key_file);
	p.mark = sip->socket_mark;
	p.outbound = sip->outbound_rfc5626;
	p.instance_uuid = app->instance_uuid;
	p.reg_id = 1;
	p.user_agent = sip->user_agent;

	l->app = app;
	l->index = n;
	err = reg_new(app->loop, app->resolver, &p, &handlers, l, &l->reg);
	if (err)
		goto fail;
	err = reg_start(l->reg);
	if (err) {
		reg_free(l->reg);
		l->reg = NULL;
		goto fail;
	}
	log_info("line %u: %s@%s via %s%s%u %s", n, cl->id, t.domain, t.host,
		 strchr(t.host, ':') ? " port " : ":", t.port,
		 t.port == CFG_PORT_SRV ? "(NAPTR/SRV)" :
		 sip->transport == TP_UDP ? "UDP" :
		 sip->transport == TP_TCP ? "TCP" : "TLS");
	return 0;
fail:
	log_err("line %u: cannot start: %s", n, strerror(-err));
	return err;
}

static void line_stop(struct app_line *l)
{
	if (!l->reg || l->stopping)
		return;
	l->stopping = true;
	log_info("line %u: stopping", l->index);
	reg_stop(l->reg);
}

/* Starts every enabled line that is not running. */
static void start_lines(struct app *app)
{
	unsigned int n;

	for (n = 0; n < CFG_MAX_LINES; n++) {
		if (app->cfg.line[n].enabled && !app->lines[n].reg)
			line_start(app, n);
	}
}

/*
 * Runs from the loop after stops complete: frees the stopped lines, then
 * either reports the shutdown done or, once no line is stopping any more,
 * replaces the resolver if needed and starts what is enabled.
 */
static void settle(void *arg)
{
	struct app *app = arg;
	unsigned int n;

	for (n = 0; n < CFG_MAX_LINES; n++) {
		struct app_line *l = &app->lines[n];

		if (!l->stopped)
			continue;
		reg_free(l->reg);
		l->reg = NULL;
		l->stopping = false;
		l->stopped = false;
		log_info("line %u: stopped", n);
	}
	if (app->shutting_down) {
		if (!app_active_lines(app) && app->done)
			app->done(app->done_arg);
		return;
	}
	if (stopping_any(app))
		return;
	if (app->resolver_stale) {
		resolver_free(app->resolver);
		app->resolver = NULL;
		app->resolver_stale = false;
		if (resolver_create(app)) {
			log_err("DNS resolver: cannot create; lines stay "
				"stopped until the next SIGHUP");
			return;
		}
	}
	start_lines(app);
}

static void settle_later(struct app *app)
{
	loop_timer_start(app->loop, &app->settle_timer, 0, settle, app);
}

unsigned int app_active_lines(const struct app *app)
{
	unsigned int i, n = 0;

	for (i = 0; i < CFG_MAX_LINES; i++)
		n += app->lines[i].reg != NULL;
	return n;
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
		struct status_line *sl;

		if (!cl->enabled && !app->lines[n].reg)
			continue;
		sl = &snap->lines[snap->n_lines++];
		sl->index = n;
		snprintf(sl->id, sizeof(sl->id), "%s", cl->id);
		snprintf(sl->description, sizeof(sl->description), "%s",
			 cl->description);
		snprintf(sl->domain, sizeof(sl->domain), "%s",
			 t.domain ? t.domain : "");
		sl->proto = app->cfg.sip.transport;
		if (app->lines[n].reg) {
			reg_status(app->lines[n].reg, &sl->reg);
		} else {
			sl->reg.state = REG_IDLE;
			sl->reg.server = -1;
			snprintf(sl->reg.text, sizeof(sl->reg.text),
				 "not running");
		}
	}
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
	else
		random_uuid(app->instance_uuid, sizeof(app->instance_uuid));
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
	err = resolver_create(app);
	if (err) {
		log_err("DNS resolver: %s", strerror(-err));
		return err;
	}
	start_lines(app);
	return 0;
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
	if (strcmp(old.sip.dns_servers, cfg->sip.dns_servers) ||
	    old.sip.dns_timeout_ms != cfg->sip.dns_timeout_ms ||
	    old.sip.dns_tries != cfg->sip.dns_tries ||
	    old.sip.socket_mark != cfg->sip.socket_mark)
		app->resolver_stale = true;
	for (n = 0; n < CFG_MAX_LINES; n++) {
		struct app_line *l = &app->lines[n];

		if (!l->reg)
			continue;
		if (!cfg->line[n].enabled || config_line_changed(&old, cfg, n)) {
			line_stop(l);
			changed++;
		}
	}
	log_info("configuration reloaded: %u line(s) restarting", changed);
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
		line_stop(&app->lines[n]);
	/* With no line running, done comes at once (from the loop). */
	settle_later(app);
}

void app_free(struct app *app)
{
	unsigned int n;

	if (!app)
		return;
	loop_timer_cancel(app->loop, &app->settle_timer);
	for (n = 0; n < CFG_MAX_LINES; n++) {
		if (app->lines[n].reg)
			reg_free(app->lines[n].reg);
	}
	status_server_free(app->status);
	resolver_free(app->resolver);
	free(app);
}
