// SPDX-License-Identifier: GPL-2.0
/* monitor: one line per event of the "events" group. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "print.h"

static int event_cb(const struct sipsteer_event *ev, void *arg)
{
	struct cli *c = arg;
	struct strbuf sb;
	struct json j;
	int ret;

	if (c->json) {
		/* One object per line even with -p, so lines stay events. */
		sb_init(&sb);
		json_init(&j, &sb, false);
		json_event(&j, ev);
		ret = json_put(stdout, &sb);
		if (ret)
			return ret;
	} else {
		print_event(stdout, ev);
	}
	/* A reader at the other end of a pipe must see each event now. */
	if (fflush(stdout))
		return -errno;
	return 0;
}

int cmd_monitor(struct cli *c, int argc, char **argv)
{
	int rc, ret;

	if (argc > 0)
		return cli_usage_error("monitor: unexpected argument \"%s\"",
				       argv[0]);
	rc = cli_handle(c);
	if (rc)
		return rc;
	ret = sipsteer_subscribe(c->h);
	if (ret)
		return cli_error(c, "monitor", ret);
	for (;;) {
		ret = sipsteer_events_read(c->h, event_cb, c);
		if (ret == -ENOBUFS) {
			fputs("sipsteer: monitor: events lost (receive buffer overrun)\n",
			      stderr);
			continue;
		}
		if (ret == -EPIPE)
			return EXIT_OK;
		if (ret)
			return cli_error(c, "monitor", ret);
	}
}
