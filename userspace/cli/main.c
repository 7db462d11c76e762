// SPDX-License-Identifier: GPL-2.0
/* sipsteer: command line client of the sipsteer kernel module. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

void cli_usage(void)
{
	fputs("Usage: sipsteer [-j [-p]] [-v] OBJECT COMMAND [ARGS]\n"
	      "       sipsteer -V | -h\n"
	      "  service add NAME endpoint {udp|tcp} ADDR:PORT [endpoint ...]\n"
	      "          [bypass-mark MARK[/MASK]] [active ADDR[:PORT] ...]\n"
	      "  service replace NAME ...   (same arguments as add)\n"
	      "  service del NAME\n"
	      "  service set NAME {active ADDR[:PORT] [active ADDR[:PORT]] | inactive}\n"
	      "          [expect-gen N] [keep-sockets]\n"
	      "  service show [NAME]        (also: show [NAME])\n"
	      "  stats [NAME]\n"
	      "  flows flush NAME [all]\n"
	      "  flows kill NAME\n"
	      "  monitor\n"
	      "ADDR is a.b.c.d or [IPv6]; see sipsteer(8).\n", stdout);
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sipsteer: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry \"sipsteer help\".\n", stderr);
	return EXIT_USAGE;
}

int cli_handle(struct cli *c)
{
	int err;

	if (c->h)
		return EXIT_OK;
	err = sipsteer_open(&c->h);
	if (err == -ENOENT) {
		fprintf(stderr, "sipsteer: the sipsteer module is not loaded "
			"(no generic netlink family \"%s\")\n",
			SIPSTEER_GENL_NAME);
		return EXIT_NOMODULE;
	}
	if (err == -EPROTONOSUPPORT) {
		fprintf(stderr, "sipsteer: the loaded sipsteer module speaks "
			"a netlink ABI older than version %d\n",
			SIPSTEER_GENL_VERSION);
		return EXIT_FAILED;
	}
	if (err) {
		fprintf(stderr, "sipsteer: netlink: %s\n", strerror(-err));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

int cli_error(struct cli *c, const char *op, int err)
{
	const char *ext = c->h ? sipsteer_extack(c->h) : "";

	if (ext[0])
		fprintf(stderr, "sipsteer: %s: %s: %s\n", op, strerror(-err),
			ext);
	else
		fprintf(stderr, "sipsteer: %s: %s\n", op, strerror(-err));
	return err == -ESTALE ? EXIT_STALE : EXIT_FAILED;
}

static int run(struct cli *c, int argc, char **argv)
{
	const char *obj = argv[0];

	if (!strcmp(obj, "help")) {
		cli_usage();
		return EXIT_OK;
	}
	if (!strcmp(obj, "service"))
		return cmd_service(c, argc - 1, argv + 1);
	if (!strcmp(obj, "show") || !strcmp(obj, "list"))
		return cmd_show(c, argc - 1, argv + 1);
	if (!strcmp(obj, "stats"))
		return cmd_stats(c, argc - 1, argv + 1);
	if (!strcmp(obj, "flows"))
		return cmd_flows(c, argc - 1, argv + 1);
	if (!strcmp(obj, "monitor"))
		return cmd_monitor(c, argc - 1, argv + 1);
	return cli_usage_error("unknown object \"%s\"", obj);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct cli c = { 0 };
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "+jpvVh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c.json = true;
			break;
		case 'p':
			c.pretty = true;
			break;
		case 'v':
			c.verbose = true;
			break;
		case 'V':
			printf("sipsteer %s (netlink ABI version %d)\n",
			       SIPSTEER_CLI_VERSION, SIPSTEER_GENL_VERSION);
			return EXIT_OK;
		case 'h':
			cli_usage();
			return EXIT_OK;
		default:
			fputs("Try \"sipsteer help\".\n", stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_usage();
		return EXIT_USAGE;
	}
	rc = run(&c, argc - optind, argv + optind);
	sipsteer_close(c.h);
	if (fflush(stdout) && rc == EXIT_OK) {
		fprintf(stderr, "sipsteer: write: %s\n", strerror(errno));
		rc = EXIT_FAILED;
	}
	return rc;
}
