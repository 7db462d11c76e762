// SPDX-License-Identifier: GPL-2.0
/* service add|replace|del|set|show */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cli.h"

static int service_new(struct cli *c, int argc, char **argv,
		       enum sipsteer_new_mode mode)
{
	const char *op = mode == SIPSTEER_REPLACE ? "service replace" :
						    "service add";
	struct sipsteer_service svc;
	char err[ARGS_ERR_SIZE];
	int rc, ret;

	if (args_service(argc, argv, &svc, err))
		return cli_usage_error("%s", err);
	rc = cli_handle(c);
	if (rc)
		return rc;
	ret = sipsteer_service_new(c->h, &svc, mode);
	if (ret)
		return cli_error(c, op, ret);
	return EXIT_OK;
}

static int service_del(struct cli *c, int argc, char **argv)
{
	char name[SIPSTEER_NAME_SIZE], err[ARGS_ERR_SIZE];
	int rc, ret;

	if (argc != 1)
		return cli_usage_error("service del: expected NAME");
	if (args_name(argv[0], name, err))
		return cli_usage_error("%s", err);
	rc = cli_handle(c);
	if (rc)
		return rc;
	ret = sipsteer_service_del(c->h, name);
	if (ret)
		return cli_error(c, "service del", ret);
	return EXIT_OK;
}

int cli_kill_sockets(struct cli *c, const char *op,
		     const struct sipsteer_service *svc, int *killed)
{
	int ret;

	ret = sipsteer_tcp_kill_stale(c->h, svc);
	if (ret < 0) {
		fprintf(stderr, "sipsteer: %s: destroying stale TCP connections: %s%s%s%s\n",
			op, strerror(-ret),
			sipsteer_extack(c->h)[0] ? ": " : "",
			sipsteer_extack(c->h),
			ret == -ENOENT || ret == -EINVAL || ret == -EOPNOTSUPP ?
			" (are inet_diag, tcp_diag and nf_conntrack_netlink loaded?)" :
			"");
		return EXIT_FAILED;
	}
	*killed = ret;
	return EXIT_OK;
}

static int service_set(struct cli *c, int argc, char **argv)
{
	struct sipsteer_service svc;
	char err[ARGS_ERR_SIZE];
	struct set_args a;
	int killed = 0;
	int rc, ret;

	if (args_set(argc, argv, &a, err))
		return cli_usage_error("%s", err);
	rc = cli_handle(c);
	if (rc)
		return rc;
	ret = sipsteer_service_set(c->h, a.name, a.targets, a.n_targets,
				   a.has_expect ? &a.expect_gen : NULL, &svc);
	if (ret)
		return cli_error(c, "service set", ret);
	if (!a.keep_sockets) {
		rc = cli_kill_sockets(c, "service set", &svc, &killed);
		if (rc)
			return rc;
	}
	if (c->verbose)
		printf("%s generation %" PRIu32 ", %d TCP connections destroyed\n",
		       svc.name, svc.generation, killed);
	return EXIT_OK;
}

int cmd_service(struct cli *c, int argc, char **argv)
{
	const char *verb;

	if (argc < 1)
		return cmd_show(c, 0, argv);
	verb = argv[0];
	argc--;
	argv++;
	if (!strcmp(verb, "add"))
		return service_new(c, argc, argv, SIPSTEER_CREATE);
	if (!strcmp(verb, "replace"))
		return service_new(c, argc, argv, SIPSTEER_REPLACE);
	if (!strcmp(verb, "del") || !strcmp(verb, "delete"))
		return service_del(c, argc, argv);
	if (!strcmp(verb, "set"))
		return service_set(c, argc, argv);
	if (!strcmp(verb, "show") || !strcmp(verb, "list"))
		return cmd_show(c, argc, argv);
	return cli_usage_error("service: unknown command \"%s\"", verb);
}
