/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's wiring: one resolver, one registration client per enabled
 * line, the status socket; configuration changes applied line by line.
 */
#ifndef SIPSTEERD_APP_H
#define SIPSTEERD_APP_H

#include <stdbool.h>

#include "config/config.h"

#define SIPSTEERD_VERSION	"0.1"

struct loop;
struct app;

struct app_opts {
	const char *config_path;	/* for status output */
	const char *socket_path;	/* NULL: no status socket */
	bool log_level_fixed;		/* -v given: ignore log_level key */
	bool no_steering;		/* --no-steering */
	bool release_on_exit;		/* --release-on-exit: delete the
					 * steering service on SIGTERM */
};

/* Takes a copy of @cfg; nothing runs before app_start(). */
int app_new(struct loop *loop, const struct app_opts *opts,
	    const struct config *cfg, struct app **out);
/* Opens the status socket, creates the resolver, starts every line. */
int app_start(struct app *app);
/*
 * Applies @cfg: lines whose settings changed are un-registered and
 * started again once stopped; the others keep running untouched.
 */
void app_reload(struct app *app, const struct config *cfg);
/*
 * Un-registers every line; @done runs from the loop once all are
 * stopped (each gives up after 1.5 s without an answer).
 */
void app_stop(struct app *app, void (*done)(void *arg), void *arg);
/* Lines still running or stopping. */
unsigned int app_active_lines(const struct app *app);
void app_free(struct app *app);

#endif
