// SPDX-License-Identifier: GPL-2.0
/* The registration client's own copy of its parameters, with defaults. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "reg/reg_int.h"

void reg_params_free(struct reg_params *p)
{
	if (p->password)
		explicit_bzero((char *)p->password, strlen(p->password));
	free((char *)p->user);
	free((char *)p->domain);
	free((char *)p->display_name);
	free((char *)p->auth_user);
	free((char *)p->password);
	free((char *)p->tls_ca_file);
	free((char *)p->tls_cert_file);
	free((char *)p->tls_key_file);
	free((char *)p->instance_uuid);
	free((char *)p->user_agent);
}

int reg_params_copy(struct reg_params *d, const struct reg_params *s)
{
	bool fail = false;

	*d = *s;
	d->user = str_dup_opt(s->user, &fail);
	d->domain = str_dup_opt(s->domain, &fail);
	d->display_name = str_dup_opt(s->display_name, &fail);
	d->auth_user = str_dup_opt(s->auth_user && *s->auth_user ?
				   s->auth_user : s->user, &fail);
	d->password = str_dup_opt(s->password ? s->password : "", &fail);
	d->tls_ca_file = str_dup_opt(s->tls_ca_file, &fail);
	d->tls_cert_file = str_dup_opt(s->tls_cert_file, &fail);
	d->tls_key_file = str_dup_opt(s->tls_key_file, &fail);
	d->instance_uuid = str_dup_opt(s->instance_uuid, &fail);
	d->user_agent = str_dup_opt(s->user_agent ? s->user_agent :
				    "sipsteerd", &fail);
	if (!d->no_response_timeout_ms)
		d->no_response_timeout_ms = 32000;
	if (!d->t1_ms)
		d->t1_ms = 500;
	if (!d->t2_ms)
		d->t2_ms = 4000;
	if (!d->stop_timeout_ms)
		d->stop_timeout_ms = 1500;
	return fail ? -ENOMEM : 0;
}
