/* SPDX-License-Identifier: GPL-2.0 */
/* Socket creation shared by the transports. */
#ifndef SIPSTEERD_TRANSPORT_SOCK_H
#define SIPSTEERD_TRANSPORT_SOCK_H

#include <stdint.h>

/* A non-blocking, close-on-exec socket with SO_MARK @mark (0: none);
 * an fd or -errno (a mark that cannot be set is an error, logged). */
int tp_socket(int family, int type, uint32_t mark, const char *peer);

#endif
