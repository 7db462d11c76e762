/* SPDX-License-Identifier: GPL-2.0 */
/* Human and JSON renderings of services, counters and events. */
#ifndef SIPSTEER_CLI_PRINT_H
#define SIPSTEER_CLI_PRINT_H

#include <stdio.h>

#include "json.h"
#include "sipsteer_nl.h"

void print_service(FILE *f, const struct sipsteer_service *svc);
void print_stats(FILE *f, const struct sipsteer_service *svc);
void print_event(FILE *f, const struct sipsteer_event *ev);

void json_service(struct json *j, const struct sipsteer_service *svc);
void json_stats(struct json *j, const struct sipsteer_service *svc);
void json_event(struct json *j, const struct sipsteer_event *ev);
/*
 * Writes the JSON text in @sb and a newline to @f, then frees @sb.
 * -ENOMEM when building the text ran out of memory.
 */
int json_put(FILE *f, struct strbuf *sb);

const char *event_name(uint8_t cmd);

#endif /* SIPSTEER_CLI_PRINT_H */
