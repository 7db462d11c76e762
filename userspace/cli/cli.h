/* SPDX-License-Identifier: GPL-2.0 */
/* Shared state and helpers of the sipsteer command line tool. */
#ifndef SIPSTEER_CLI_H
#define SIPSTEER_CLI_H

#include <stdbool.h>

#include "sipsteer_nl.h"

#define SIPSTEER_CLI_VERSION	"0.1.0"

/* Exit codes, documented in sipsteer(8). */
enum {
	EXIT_OK		= 0,
	EXIT_FAILED	= 1,	/* kernel or system error */
	EXIT_USAGE	= 2,	/* bad command line, nothing sent */
	EXIT_NOMODULE	= 3,	/* family "sipsteer" not registered */
	EXIT_STALE	= 4,	/* expect-gen did not match (ESTALE) */
};

struct cli {
	bool json;
	bool pretty;
	bool verbose;
	struct sipsteer *h;	/* opened by cli_handle() */
};

/* Open the netlink handle on first use; returns an exit code. */
int cli_handle(struct cli *c);
/* Print "sipsteer: OP: strerror[: extack]" and map err to an exit code. */
int cli_error(struct cli *c, const char *op, int err);
int cli_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void cli_usage(void);

int cmd_service(struct cli *c, int argc, char **argv);
int cmd_show(struct cli *c, int argc, char **argv);
int cmd_stats(struct cli *c, int argc, char **argv);
int cmd_flows(struct cli *c, int argc, char **argv);
int cmd_monitor(struct cli *c, int argc, char **argv);

/* Destroy the stale TCP sockets of svc; returns an exit code. */
int cli_kill_sockets(struct cli *c, const char *op,
		     const struct sipsteer_service *svc, int *killed);

#endif /* SIPSTEER_CLI_H */
