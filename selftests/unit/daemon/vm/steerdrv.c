// SPDX-License-Identifier: GPL-2.0
/*
 * Drives the daemon's steering (steer.o) step by step for the VM test
 * (steering.sh): each word on the command line is one call, its result one
 * output line, so a shell script can check the kernel between steps.
 *
 * usage: steerdrv [-n NAME] [-m MARK] [-V ADDR:PORT] [-d] STEP...
 * steps: servers PROTO:ADDR:PORT[,...]   steer_set_servers (udp|tcp|tls)
 *        switch ADDR:PORT | switch none  steer_switch
 *        adopted                         steer_adopted_target
 *        status                          steer_status as key=value
 *        exec "SHELL COMMAND"            run it (a concurrent change)
 *        release                         steer_release
 */
#include <errno.h>
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

static void print_status(const struct steer *st)
{
	struct steer_status s;

	steer_status(st, &s);
	printf("status state=%s service=%s adopted=%d endpoints=%u "
	       "target=%s generation=%u switches=%u killed=%u us=%u "
	       "error=%s\n", steer_state_name(s.state), s.service,
	       s.adopted, s.n_endpoints, s.target[0] ? s.target : "-",
	       s.generation, s.switches, s.sockets_killed, s.last_switch_us,
	       s.error[0] ? s.error : "-");
}

static int step(struct steer *st, char **argv, int *i, int argc)
{
	struct sip_server srv[MAX_SERVERS];
	const char *cmd = argv[*i];
	unsigned int n;
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
	if (!strcmp(cmd, "adopted")) {
		struct sockaddr_storage ss;

		err = steer_adopted_target(st, &ss);
		printf("adopted rc=%d\n", err);
		return 0;
	}
	if (*i + 1 >= argc)
		return -EINVAL;
	(*i)++;
	if (!strcmp(cmd, "servers")) {
		if (parse_servers(argv[*i], srv, &n))
			return -EINVAL;
		err = steer_set_servers(st, srv, n);
		printf("servers rc=%d\n", err);
		return 0;
	}
	if (!strcmp(cmd, "switch")) {
		if (!strcmp(argv[*i], "none")) {
			err = steer_switch(st, NULL);
		} else {
			memset(srv, 0, sizeof(srv[0]));
			if (to_sockaddr(argv[*i], &srv[0].addr))
				return -EINVAL;
			err = steer_switch(st, &srv[0]);
		}
		printf("switch rc=%d\n", err);
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
