// SPDX-License-Identifier: GPL-2.0
/* flows flush NAME [all], flows kill NAME */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "json.h"
#include "print.h"

static int report(struct cli *c, const char *name, uint32_t flushed,
		  int killed)
{
	struct strbuf sb;
	struct json j;

	if (!c->json) {
		printf("%s: flushed %" PRIu32 " conntrack entries", name,
		       flushed);
		if (killed >= 0)
			printf(", destroyed %d TCP connections", killed);
		putchar('\n');
		return 0;
	}
	sb_init(&sb);
	json_init(&j, &sb, c->pretty);
	json_obj_begin(&j, NULL);
	json_str(&j, "name", name);
	json_uint(&j, "flushed", flushed);
	if (killed >= 0)
		json_uint(&j, "destroyed", (uint64_t)killed);
	json_obj_end(&j);
	return json_put(stdout, &sb);
}

static int flows(struct cli *c, int argc, char **argv, bool kill)
{
	const char *op = kill ? "flows kill" : "flows flush";
	char name[SIPSTEER_NAME_SIZE], err[ARGS_ERR_SIZE];
	struct sipsteer_service svc;
	uint32_t flushed = 0;
	bool all = false;
	int killed = -1;
	int rc, ret;

	if (argc < 1)
		return cli_usage_error("%s: expected NAME", op);
	if (args_name(argv[0], name, err))
		return cli_usage_error("%s", err);
	if (argc == 2 && !kill && !strcmp(argv[1], "all"))
		all = true;
	else if (argc > 1)
		return cli_usage_error("%s: unexpected argument \"%s\"", op,
				       argv[1]);
	rc = cli_handle(c);
	if (rc)
		return rc;
	ret = sipsteer_flows_flush(c->h, name, all, &flushed);
	if (ret)
		return cli_error(c, op, ret);
	if (kill) {
		ret = sipsteer_service_get(c->h, name, &svc);
		if (ret)
			return cli_error(c, op, ret);
		rc = cli_kill_sockets(c, op, &svc, &killed);
		if (rc)
			return rc;
	}
	ret = report(c, name, flushed, killed);
	if (ret)
		return cli_error(c, op, ret);
	return EXIT_OK;
}

int cmd_flows(struct cli *c, int argc, char **argv)
{
	if (argc < 1)
		return cli_usage_error("flows: expected flush or kill");
	if (!strcmp(argv[0], "flush"))
		return flows(c, argc - 1, argv + 1, false);
	if (!strcmp(argv[0], "kill"))
		return flows(c, argc - 1, argv + 1, true);
	return cli_usage_error("flows: unknown command \"%s\"", argv[0]);
}
