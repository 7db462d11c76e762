// SPDX-License-Identifier: GPL-2.0
/* show [NAME], stats [NAME]: read services, print as text or JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "print.h"

/* A dump the kernel flagged as inconsistent is read again, a few times. */
#define DUMP_TRIES	5

struct svc_list {
	struct sipsteer_service *v;
	size_t n, cap;
};

static int collect_cb(const struct sipsteer_service *svc, void *arg)
{
	struct svc_list *l = arg;
	struct sipsteer_service *v;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		v = realloc(l->v, l->cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
	}
	l->v[l->n++] = *svc;
	return 0;
}

static int read_services(struct cli *c, bool stats, const char *name,
			 struct svc_list *l)
{
	int tries = 0;
	int err;

	if (name) {
		err = collect_cb(&(struct sipsteer_service){ 0 }, l);
		if (err)
			return err;
		return stats ? sipsteer_stats_get(c->h, name, &l->v[0]) :
			       sipsteer_service_get(c->h, name, &l->v[0]);
	}
	do {
		l->n = 0;
		err = stats ? sipsteer_stats_dump(c->h, collect_cb, l) :
			      sipsteer_service_dump(c->h, collect_cb, l);
	} while (err == -EINTR && ++tries < DUMP_TRIES);
	return err;
}

static int output(struct cli *c, const struct svc_list *l, bool stats)
{
	struct strbuf sb;
	struct json j;
	size_t i;

	if (!c->json) {
		for (i = 0; i < l->n; i++) {
			if (stats)
				print_stats(stdout, &l->v[i]);
			else
				print_service(stdout, &l->v[i]);
		}
		return 0;
	}
	sb_init(&sb);
	json_init(&j, &sb, c->pretty);
	json_arr_begin(&j, NULL);
	for (i = 0; i < l->n; i++) {
		if (stats)
			json_stats(&j, &l->v[i]);
		else
			json_service(&j, &l->v[i]);
	}
	json_arr_end(&j);
	return json_put(stdout, &sb);
}

static int show(struct cli *c, int argc, char **argv, bool stats)
{
	const char *op = stats ? "stats" : "show";
	char name[SIPSTEER_NAME_SIZE], err[ARGS_ERR_SIZE];
	struct svc_list l = { 0 };
	int rc, ret;

	if (argc > 1)
		return cli_usage_error("%s: unexpected argument \"%s\"", op,
				       argv[1]);
	if (argc == 1 && args_name(argv[0], name, err))
		return cli_usage_error("%s", err);
	rc = cli_handle(c);
	if (rc)
		return rc;
	ret = read_services(c, stats, argc ? name : NULL, &l);
	if (ret == -EINTR) {
		fprintf(stderr, "sipsteer: %s: services kept changing during the dump\n",
			op);
		rc = EXIT_FAILED;
	} else if (ret) {
		rc = cli_error(c, op, ret);
	} else {
		ret = output(c, &l, stats);
		if (ret)
			rc = cli_error(c, op, ret);
	}
	free(l.v);
	return rc;
}

int cmd_show(struct cli *c, int argc, char **argv)
{
	return show(c, argc, argv, false);
}

int cmd_stats(struct cli *c, int argc, char **argv)
{
	return show(c, argc, argv, true);
}
