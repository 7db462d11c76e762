// SPDX-License-Identifier: GPL-2.0
/*
 * Drives the daemon's steering (steer.o) step by step for the VM test
 * (steering.sh): each word on the command line is one call, its result one
 * output line, so a shell script can check the kernel between steps.
 *
 * usage: steerdrv [-n NAME] [-m MARK] [-V ADDR:PORT] [-d] STEP...
 * steps: apply DEAD TARGETS  steer_apply: DEAD is PROTO:ADDR:PORT[,...]
 *                            (udp|tcp|tls) or -, TARGETS ADDR:PORT[,...]
 *                            or -
 *        current             steer_current: targets= dead=
 *        status              steer_status as key=value
 *        exec "SHELL COMMAND" run it (a concurrent change)
 *        release             steer_release
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "sipsteer_nl.h"
#include "steer/steer.h"

#define MAX_SERVERS	32

static int to_sockaddr(const char *s, struct sockaddr_storage *ss)
{
	struct sipsteer_addr a;
	const char *why;

	if (sipsteer_addr_parse(s, SIPSTEER_PORT_REQUIRED, &a, &why))
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	if (a.family == AF_INET) {
		struct sockaddr_in *sin = (void *)ss;

		sin->sin_family = AF_INET;
		sin->sin_addr = a.ip.v4;
		sin->sin_port = htons(a.port);
	} else {
		struct sockaddr_in6 *sin6 = (void *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = a.ip.v6;
		sin6->sin6_port = htons(a.port);
	}
	return 0;
}

static int parse_servers(char *list, struct sip_server *srv, unsigned int *n)
{
	char *save = NULL, *one;

	*n = 0;
	for (one = strtok_r(list, ",", &save); one;
	     one = strtok_r(NULL, ",", &save)) {
		struct sip_server *s = &srv[*n];
		char *colon = strchr(one, ':');

		if (!colon || *n >= MAX_SERVERS)
			return -EINVAL;
		*colon = '\0';
		memset(s, 0, sizeof(*s));
		if (!strcmp(one, "udp"))
			s->proto = TP_UDP;
		else if (!strcmp(one, "tcp"))
			s->proto = TP_TCP;
		else if (!strcmp(one, "tls"))
			s->proto = TP_TLS;
		else
			return -EINVAL;
		if (to_sockaddr(colon + 1, &s->addr))
			return -EINVAL;
		snprintf(s->target, sizeof(s->target), "%s", colon + 1);
		(*n)++;
	}
	return 0;
}

/* "a,b" of @n strings @stride bytes apart, or "-". */
static void print_list(const char *key, const char *first, size_t stride,
		       unsigned int n)
{
	unsigned int i;

	printf(" %s=", key);
	for (i = 0; i < n; i++)
		printf("%s%s", i ? "," : "", first + i * stride);
	if (!n)
		printf("-");
}

static void print_status(const struct steer *st)
{
	struct steer_status s;

	steer_status(st, &s);
	printf("status state=%s service=%s adopted=%d endpoints=%u "
	       "target=%s generation=%u switches=%u killed=%u us=%u "
	       "missing=%s", steer_state_name(s.state), s.service,
	       s.adopted, s.n_endpoints, s.target[0] ? s.target : "-",
	       s.generation, s.switches, s.sockets_killed, s.last_switch_us,
	       s.missing_family[0] ? s.missing_family : "-");
	print_list("targets", s.targets[0], sizeof(s.targets[0]),
		   s.n_targets);
	print_list("steered", s.steered[0], sizeof(s.steered[0]),
		   s.n_steered);
	printf(" error=%s\n", s.error[0] ? s.error : "-");
}

static int parse_targets(char *list, struct sockaddr_storage *ss,
			 unsigned int *n)
{
	char *save = NULL, *one;

	*n = 0;
	if (!strcmp(list, "-"))
		return 0;
	for (one = strtok_r(list, ",", &save); one;
	     one = strtok_r(NULL, ",", &save)) {
		if (*n >= MAX_SERVERS || to_sockaddr(one, &ss[*n]))
			return -EINVAL;
		(*n)++;
	}
	return 0;
}

/* "ip:port" or "[ip6]:port", as the status prints addresses. */
static void fmt(const struct sockaddr_storage *ss, char *out, size_t size)
{
	char host[NI_MAXHOST], port[NI_MAXSERV];

	if (getnameinfo((const struct sockaddr *)ss, sizeof(*ss), host,
			sizeof(host), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV)) {
		snprintf(out, size, "?");
		return;
	}
	snprintf(out, size, ss->ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
		 host, port);
}

static void print_current(const struct steer *st)
{
	struct sockaddr_storage t[STEER_MAX_TARGETS];
	struct sockaddr_storage d[SIPSTEER_MAX_ENDPOINTS];
	char text[STEER_MAX_TARGETS + SIPSTEER_MAX_ENDPOINTS][64];
	unsigned int nt, nd, i;
	int err;

	err = steer_current(st, t, &nt, d, &nd);
	for (i = 0; i < nt; i++)
		fmt(&t[i], text[i], sizeof(text[0]));
	for (i = 0; i < nd; i++)
		fmt(&d[i], text[nt + i], sizeof(text[0]));
	printf("current rc=%d", err);
	print_list("targets", text[0], sizeof(text[0]), nt);
	print_list("dead", text[nt], sizeof(text[0]), nd);
	printf("\n");
}

static int step(struct steer *st, char **argv, int *i, int argc)
{
	struct sip_server srv[MAX_SERVERS];
	struct sockaddr_storage targets[MAX_SERVERS];
	const char *cmd = argv[*i];
	unsigned int n, nt;
	int err;

	if (!strcmp(cmd, "status")) {
		print_status(st);
		return 0;
	}
	if (!strcmp(cmd, "release")) {
		steer_release(st);
		printf("release\n");
		return 0;
	}
	if (!strcmp(cmd, "current")) {
		print_current(st);
		return 0;
	}
	if (*i + 1 >= argc)
		return -EINVAL;
	(*i)++;
	if (!strcmp(cmd, "apply")) {
		if (*i + 1 >= argc)
			return -EINVAL;
		n = 0;
		if (strcmp(argv[*i], "-") &&
		    parse_servers(argv[*i], srv, &n))
			return -EINVAL;
		(*i)++;
		if (parse_targets(argv[*i], targets, &nt))
			return -EINVAL;
		err = steer_apply(st, srv, n, targets, nt);
		printf("apply rc=%d\n", err);
		return 0;
	}
	if (!strcmp(cmd, "exec")) {
		fflush(stdout);
		err = system(argv[*i]);
		printf("exec rc=%d\n", err);
		return 0;
	}
	return -EINVAL;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage vaddr;
	struct steer_opts opts = {
		.name = "sip",
		.mark = STEER_DEFAULT_MARK,
	};
	struct steer *st;
	int c, i, err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt(argc, argv, "n:m:V:d")) != -1) {
		switch (c) {
		case 'n':
			opts.name = optarg;
			break;
		case 'm':
			opts.mark = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'V':
			if (to_sockaddr(optarg, &vaddr))
				goto usage;
			opts.vaddr = &vaddr;
			break;
		case 'd':
			opts.disabled = true;
			break;
		default:
			goto usage;
		}
	}
	log_init("steerdrv", false, LOG_LVL_DEBUG);
	err = steer_new(&opts, &st);
	printf("new rc=%d\n", err);
	if (err)
		return 1;
	for (i = optind; i < argc; i++) {
		if (step(st, argv, &i, argc)) {
			fprintf(stderr, "steerdrv: bad step %s\n", argv[i]);
			steer_free(st);
			return 2;
		}
	}
	steer_free(st);
	return 0;
usage:
	fprintf(stderr, "usage: steerdrv [-n NAME] [-m MARK] [-V ADDR:PORT] "
		"[-d] STEP...\n");
	return 2;
}
