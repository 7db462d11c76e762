// SPDX-License-Identifier: GPL-2.0
/*
 * sipsteerd: options, signals, and the three ways to run: the daemon
 * itself, --check-config and --status. The daemon stays in the
 * foreground; the init system supervises it.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "config/config.h"
#include "core/log.h"
#include "core/loop.h"
#include "status/status.h"

#define DEFAULT_CONFIG		"/etc/sipsteerd.conf"
/* SIGTERM: the lines get this long to un-register, then we exit anyway. */
#define SHUTDOWN_DEADLINE_MS	2000

enum {
	EXIT_RUNTIME = 1,
	EXIT_CONFIG = 2,	/* also bad usage */
};

struct daemon {
	struct loop *loop;
	struct app *app;
	const char *config_path;
	bool stopping;
	struct loop_timer deadline;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: sipsteerd [--config FILE] [--socket PATH] [--syslog] "
		"[-v]\n"
		"                 [--no-steering] [--release-on-exit]\n"
		"       sipsteerd --check-config [--config FILE]\n"
		"       sipsteerd --status [-j] [--socket PATH]\n"
		"\n"
		"  -c, --config FILE   provisioning file (default %s)\n"
		"  -n, --check-config  validate FILE, print the effective "
		"configuration\n"
		"  -s, --status        print the running daemon's state\n"
		"  -j, --json          with --status: as JSON\n"
		"  -S, --socket PATH   status socket (default %s)\n"
		"      --syslog        log to syslog instead of stderr\n"
		"      --no-steering   registration failover only: leave "
		"sipsteer.ko alone\n"
		"      --release-on-exit\n"
		"                      delete the steering service on "
		"SIGTERM/SIGINT\n"
		"  -f, --foreground    accepted; sipsteerd never forks\n"
		"  -v, --verbose       log debug messages\n"
		"  -V, --version       print the version\n"
		"  -h, --help          print this help\n",
		DEFAULT_CONFIG, STATUS_DEFAULT_SOCKET);
}

/* --check-config prints problems plainly on stderr. */
static void diag_stderr(void *arg, enum log_level lvl, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s%s\n", lvl == LOG_LVL_ERR ? "" : "warning: ", msg);
}

static int check_config(const char *path)
{
	struct config *cfg = malloc(sizeof(*cfg));
	int err;

	if (!cfg) {
		fprintf(stderr, "sipsteerd: out of memory\n");
		return EXIT_RUNTIME;
	}
	err = config_load_file(path, cfg, diag_stderr, NULL);
	if (!err)
		config_print(cfg, stdout);
	free(cfg);
	return err ? EXIT_CONFIG : 0;
}

static int query_status(const char *socket_path, bool json)
{
	int err = status_query(socket_path, json, stdout);

	if (err) {
		fprintf(stderr, "sipsteerd: cannot get the status from %s: %s"
			"%s\n", socket_path, strerror(-err),
			err == -ENOENT || err == -ECONNREFUSED ?
			" (is sipsteerd running?)" : "");
		return EXIT_RUNTIME;
	}
	return 0;
}

static void shutdown_done(void *arg)
{
	struct daemon *d = arg;

	log_info("every line stopped; exiting");
	loop_stop(d->loop);
}

static void shutdown_deadline(void *arg)
{
	struct daemon *d = arg;

	log_warn("%u line(s) did not finish un-registering within %u ms; "
		 "exiting", app_active_lines(d->app), SHUTDOWN_DEADLINE_MS);
	loop_stop(d->loop);
}

static void on_terminate(int signo, void *arg)
{
	struct daemon *d = arg;

	if (d->stopping)
		return;
	d->stopping = true;
	log_info("%s: un-registering every line", strsignal(signo));
	loop_timer_start(d->loop, &d->deadline, SHUTDOWN_DEADLINE_MS,
			 shutdown_deadline, d);
	app_stop(d->app, shutdown_done, d);
}

static void on_reload(int signo, void *arg)
{
	struct daemon *d = arg;
	struct config *cfg;

	(void)signo;
	if (d->stopping)
		return;
	cfg = malloc(sizeof(*cfg));
	if (!cfg) {
		log_err("SIGHUP: out of memory; configuration unchanged");
		return;
	}
	log_info("SIGHUP: reading %s", d->config_path);
	if (config_load_file(d->config_path, cfg, NULL, NULL))
		log_err("%s has errors; keeping the old configuration",
			d->config_path);
	else
		app_reload(d->app, cfg);
	free(cfg);
}

static int run_daemon(struct app_opts *opts)
{
	const char *config_path = opts->config_path;
	struct daemon d = { .config_path = config_path };
	struct config *cfg;
	int err, rc = EXIT_RUNTIME;

	cfg = malloc(sizeof(*cfg));
	if (!cfg) {
		log_err("out of memory");
		return EXIT_RUNTIME;
	}
	if (config_load_file(config_path, cfg, NULL, NULL)) {
		log_err("%s: configuration not valid; not starting",
			config_path);
		free(cfg);
		return EXIT_CONFIG;
	}
	err = loop_new(&d.loop);
	if (err)
		goto out;
	err = app_new(d.loop, opts, cfg, &d.app);
	if (err)
		goto out;
	err = loop_signal_add(d.loop, SIGTERM, on_terminate, &d);
	if (!err)
		err = loop_signal_add(d.loop, SIGINT, on_terminate, &d);
	if (!err)
		err = loop_signal_add(d.loop, SIGHUP, on_reload, &d);
	if (err)
		goto out;
	/* A status client that goes away must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	log_info("sipsteerd %s starting with %s", SIPSTEERD_VERSION,
		 config_path);
	err = app_start(d.app);
	if (err)
		goto out;
	err = loop_run(d.loop);
	if (!err)
		rc = 0;
out:
	if (err)
		log_err("exiting: %s", strerror(-err));
	app_free(d.app);
	loop_free(d.loop);
	free(cfg);
	return rc;
}

int main(int argc, char **argv)
{
	enum { OPT_SYSLOG = 256, OPT_NO_STEERING, OPT_RELEASE_ON_EXIT };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "status", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 'S' },
		{ "syslog", no_argument, NULL, OPT_SYSLOG },
		{ "no-steering", no_argument, NULL, OPT_NO_STEERING },
		{ "release-on-exit", no_argument, NULL, OPT_RELEASE_ON_EXIT },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct app_opts opts = {
		.config_path = DEFAULT_CONFIG,
		.socket_path = STATUS_DEFAULT_SOCKET,
	};
	bool check = false, status = false, json = false;
	bool use_syslog = false;
	int c;

	while ((c = getopt_long(argc, argv, "c:nsjS:fvVh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'c':
			opts.config_path = optarg;
			break;
		case 'n':
			check = true;
			break;
		case 's':
			status = true;
			break;
		case 'j':
			json = true;
			break;
		case 'S':
			opts.socket_path = optarg;
			break;
		case OPT_SYSLOG:
			use_syslog = true;
			break;
		case OPT_NO_STEERING:
			opts.no_steering = true;
			break;
		case OPT_RELEASE_ON_EXIT:
			opts.release_on_exit = true;
			break;
		case 'f':
			break;
		case 'v':
			opts.log_level_fixed = true;
			break;
		case 'V':
			printf("sipsteerd %s\n", SIPSTEERD_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_CONFIG;
		}
	}
	if (optind < argc || (check && status) || (json && !status)) {
		usage(stderr);
		return EXIT_CONFIG;
	}
	if (status)
		return query_status(opts.socket_path, json);
	if (check)
		return check_config(opts.config_path);

	log_init("sipsteerd", use_syslog,
		 opts.log_level_fixed ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	return run_daemon(&opts);
}
