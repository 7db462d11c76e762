/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command line grammar of the service commands, parsed into library
 * structs before anything is sent. Errors fill a message buffer with the
 * text the CLI prints after "sipsteer: ".
 */
#ifndef SIPSTEER_CLI_ARGS_H
#define SIPSTEER_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipsteer_nl.h"

#define ARGS_ERR_SIZE	256

struct set_args {
	char name[SIPSTEER_NAME_SIZE];
	unsigned int n_targets;
	struct sipsteer_addr targets[SIPSTEER_MAX_TARGETS];
	bool has_expect;
	uint32_t expect_gen;
	bool keep_sockets;
};

int args_u32(const char *s, uint32_t *v);
int args_name(const char *s, char *name, char *err);
/* NAME endpoint PROTO ADDR:PORT ... [bypass-mark M[/MASK]] [active A ...] */
int args_service(int argc, char **argv, struct sipsteer_service *svc,
		 char *err);
/* NAME {active A [active B] | inactive} [expect-gen N] [keep-sockets] */
int args_set(int argc, char **argv, struct set_args *out, char *err);

#endif /* SIPSTEER_CLI_ARGS_H */
