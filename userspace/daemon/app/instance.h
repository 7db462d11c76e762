/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The phone's RFC 5626 instance ID, the +sip.instance of every line on
 * every flow. Section 4.1 wants it to outlive restarts: a registrar
 * sharing its location database with another matches bindings by it.
 */
#ifndef SIPSTEERD_APP_INSTANCE_H
#define SIPSTEERD_APP_INSTANCE_H

/*
 * Into @out: @configured when set (provisioning knows the phone); else
 * the UUID stored in @path; else a new random one (RFC 4122 version 4),
 * stored in @path (its directory made when missing) for the next start.
 * When @path is "" or cannot be written (a read-only file system), the
 * new one lasts this run only, with a warning. Never fails.
 */
void instance_uuid_get(const char *configured, const char *path,
		       char out[37]);

#endif
