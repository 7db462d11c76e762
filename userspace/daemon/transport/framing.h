/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SIP message boundaries on a stream (RFC 3261 18.3): headers end at
 * CRLFCRLF, the body is Content-Length (or compact "l") bytes. CRLFs
 * between messages (RFC 5626 keep-alive ping/pong) are skipped.
 */
#ifndef SIPSTEERD_TRANSPORT_FRAMING_H
#define SIPSTEERD_TRANSPORT_FRAMING_H

#include <stddef.h>

#define TP_MSG_MAX	65536	/* largest SIP message accepted */

/*
 * Looks for one message at the start of @buf. @skip gets the number of
 * leading CRLF bytes to drop (also when no message is complete yet).
 * Returns 1 with the message at buf + *skip, *msg_len bytes long; 0 if
 * more bytes are needed; -EMSGSIZE if it would exceed TP_MSG_MAX;
 * -EBADMSG without a valid Content-Length.
 */
int tp_frame(const char *buf, size_t len, size_t *skip, size_t *msg_len);

#endif
