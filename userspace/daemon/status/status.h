/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State for people and scripts: a snapshot of every line, rendered as
 * text or JSON, served on a UNIX stream socket. A client sends one request
 * line ("text" or "json"), the daemon writes the answer and closes.
 */
#ifndef SIPSTEERD_STATUS_H
#define SIPSTEERD_STATUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config/config.h"
#include "strbuf.h"
#include "failover/pset.h"
#include "inbound/inbound.h"
#include "reg/reg.h"
#include "steer/steer.h"

#define STATUS_DEFAULT_SOCKET	"/run/sipsteerd.sock"

struct loop;
struct status_server;

struct status_line {
	unsigned int index;		/* voip/line/N */
	char id[CFG_NAME_MAX];
	char description[CFG_NAME_MAX];
	char domain[CFG_HOST_MAX];
	enum tp_proto proto;
	struct reg_status reg;
};

struct status_snapshot {
	const char *version;
	uint64_t uptime_s;
	const char *config_file;
	unsigned int n_lines;
	struct status_line lines[CFG_MAX_LINES];
	bool has_set;			/* a proxy set exists */
	struct pset_status set;
	struct steer_status steer;
	struct inbound_stats inbound;
};

void status_render_text(const struct status_snapshot *snap,
			struct strbuf *out);
void status_render_json(const struct status_snapshot *snap,
			struct strbuf *out);

/* Fills @snap (zeroed by the caller) when a client asks. */
typedef void (*status_fill_fn)(void *arg, struct status_snapshot *snap);

/*
 * Listens on @path. A stale socket file is replaced; a live one (another
 * daemon answers there) gives -EADDRINUSE.
 */
int status_server_new(struct loop *loop, const char *path,
		      status_fill_fn fill, void *arg,
		      struct status_server **out);
/* Closes every connection and removes the socket file. */
void status_server_free(struct status_server *srv);

/* The client side of --status: asks @path and copies the answer to @out. */
int status_query(const char *path, bool json, FILE *out);

#endif
