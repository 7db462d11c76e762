// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's wiring against a small in-process registrar on loopback:
 * lines start from the configuration, a reload restarts only the lines
 * whose settings changed, and stopping un-registers every line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "app/app.h"
#include "config/config.h"
#include "core/loop.h"
#include "strbuf.h"
#include "helpers/testloop.h"

#define MAX_SEEN	64

/* What the registrar saw: one entry per REGISTER. */
struct seen {
	char user[32];
	int expires;
};

struct registrar {
	struct loop *loop;
	int fd;
	uint16_t port;
	struct seen seen[MAX_SEEN];
	unsigned int n;
};

/* Copies header @name's line from @req, with @suffix before the CRLF. */
static void copy_hdr(struct strbuf *out, const char *req, const char *name,
		     const char *suffix)
{
	char pat[32];
	const char *h, *end;

	snprintf(pat, sizeof(pat), "\r\n%s:", name);
	h = strstr(req, pat);
	if (!h)
		return;
	h += 2;
	end = strstr(h, "\r\n");
	sb_printf(out, "%.*s%s\r\n", (int)(end - h), h, suffix);
}

static void registrar_read(int fd, unsigned int events, void *arg)
{
	struct registrar *r = arg;
	struct sockaddr_storage from;
	socklen_t from_len = sizeof(from);
	const char *to, *exp;
	struct strbuf out;
	char req[4096];
	int expires = 3600;
	ssize_t n;

	(void)events;
	n = recvfrom(fd, req, sizeof(req) - 1, 0, (struct sockaddr *)&from,
		     &from_len);
	if (n <= 0)
		return;
	req[n] = '\0';
	if (strncmp(req, "REGISTER ", 9))
		return;
	exp = strstr(req, "\r\nExpires:");
	if (exp)
		expires = atoi(exp + 10);
	to = strstr(req, "\r\nTo:");
	if (r->n < MAX_SEEN && to) {
		const char *u = strstr(to, "sip:");

		sscanf(u + 4, "%31[^@]", r->seen[r->n].user);
		r->seen[r->n].expires = expires;
		r->n++;
	}
	sb_init(&out);
	sb_puts(&out, "SIP/2.0 200 OK\r\n");
	copy_hdr(&out, req, "Via", "");
	copy_hdr(&out, req, "From", "");
	copy_hdr(&out, req, "To", ";tag=reg1");
	copy_hdr(&out, req, "Call-ID", "");
	copy_hdr(&out, req, "CSeq", "");
	if (expires) {
		char suffix[32];

		snprintf(suffix, sizeof(suffix), ";expires=%d", expires);
		copy_hdr(&out, req, "Contact", suffix);
	}
	sb_puts(&out, "Content-Length: 0\r\n\r\n");
	sendto(fd, out.buf, out.len, 0, (struct sockaddr *)&from, from_len);
	sb_free(&out);
}

static void registrar_open(struct registrar *r, struct loop *loop)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);

	memset(r, 0, sizeof(*r));
	r->loop = loop;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(r->fd >= 0);
	assert_int_equal(bind(r->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(r->fd, (struct sockaddr *)&sa, &len), 0);
	r->port = ntohs(sa.sin_port);
	assert_int_equal(loop_fd_add(loop, r->fd, LOOP_IN, registrar_read, r),
			 0);
}

static void registrar_close(struct registrar *r)
{
	loop_fd_del(r->loop, r->fd);
	close(r->fd);
}

static unsigned int count(const struct registrar *r, const char *user,
			  bool unregister)
{
	unsigned int i, n = 0;

	for (i = 0; i < r->n; i++) {
		if (!strcmp(r->seen[i].user, user) &&
		    (r->seen[i].expires == 0) == unregister)
			n++;
	}
	return n;
}

static void make_config(struct config *cfg, uint16_t port,
			const char *pw1, bool line2)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "voip/line/0/enabled=1\n"
		 "voip/line/0/id=2001\n"
		 "voip/line/0/auth_password=a\n"
		 "voip/line/1/enabled=1\n"
		 "voip/line/1/id=2002\n"
		 "voip/line/1/auth_password=%s\n"
		 "voip/line/2/enabled=%d\n"
		 "voip/line/2/id=2003\n"
		 "voip/signalling/sip/proxy_address=127.0.0.1\n"
		 "voip/signalling/sip/proxy_port=%u\n"
		 "voip/signalling/sip/startup_delay_max_ms=0\n"
		 "voip/signalling/sip/steering/enabled=0\n"
		 "system/sipsteerd/log_level=error\n", pw1, line2, port);
	assert_int_equal(config_load_string("t.conf", text, cfg, NULL, NULL),
			 0);
}

struct waiter {
	struct registrar *r;
	unsigned int want;
	bool flag;
	struct loop_timer t;
};

static void poll_count(void *arg)
{
	struct waiter *w = arg;

	w->flag = w->r->n >= w->want;
	if (!w->flag)
		loop_timer_start(w->r->loop, &w->t, 5, poll_count, w);
}

/* Runs the loop until the registrar has seen @want REGISTERs. */
static void wait_for(struct registrar *r, unsigned int want)
{
	struct waiter w = { .r = r, .want = want };

	loop_timer_start(r->loop, &w.t, 0, poll_count, &w);
	if (!testloop_run_until(r->loop, &w.flag, 3000))
		fail_msg("registrar saw %u REGISTERs, wanted %u", r->n, want);
	loop_timer_cancel(r->loop, &w.t);
}

static void on_done(void *arg)
{
	*(bool *)arg = true;
}

static void test_start_reload_stop(void **state)
{
	struct app_opts opts = { .config_path = "t.conf" };
	struct config *cfg = malloc(sizeof(*cfg));
	struct registrar r;
	struct loop *loop;
	struct app *app;
	bool done = false;

	(void)state;
	assert_int_equal(loop_new(&loop), 0);
	registrar_open(&r, loop);
	make_config(cfg, r.port, "b", false);
	assert_int_equal(app_new(loop, &opts, cfg, &app), 0);
	assert_int_equal(app_start(app), 0);
	wait_for(&r, 2);
	testloop_run_for(loop, 50);
	assert_int_equal(count(&r, "2001", false), 1);
	assert_int_equal(count(&r, "2002", false), 1);
	assert_int_equal(app_active_lines(app), 2);

	/* Same file again: nothing restarts. */
	app_reload(app, cfg);
	testloop_run_for(loop, 100);
	assert_int_equal(r.n, 2);

	/* Failover and keep-alive policy: applied, nothing re-registers. */
	cfg->sip.failback_probes = 5;
	cfg->sip.hold_down_s = 99;
	cfg->sip.ka_enabled = true;
	app_reload(app, cfg);
	testloop_run_for(loop, 100);
	assert_int_equal(r.n, 2);
	assert_int_equal(app_active_lines(app), 2);

	/* Line 1's password changes, line 2 appears: line 0 untouched. */
	make_config(cfg, r.port, "c", true);
	app_reload(app, cfg);
	wait_for(&r, 5);
	testloop_run_for(loop, 50);
	assert_int_equal(count(&r, "2001", false), 1);
	assert_int_equal(count(&r, "2001", true), 0);
	assert_int_equal(count(&r, "2002", true), 1);
	assert_int_equal(count(&r, "2002", false), 2);
	assert_int_equal(count(&r, "2003", false), 1);
	assert_int_equal(app_active_lines(app), 3);

	/* Stop: every line un-registers, then done. */
	app_stop(app, on_done, &done);
	assert_true(testloop_run_until(loop, &done, 3000));
	assert_int_equal(count(&r, "2001", true), 1);
	assert_int_equal(count(&r, "2002", true), 2);
	assert_int_equal(count(&r, "2003", true), 1);
	assert_int_equal(app_active_lines(app), 0);

	app_free(app);
	registrar_close(&r);
	loop_free(loop);
	free(cfg);
}

static void test_stop_without_lines(void **state)
{
	struct app_opts opts = { 0 };
	struct config cfg;
	struct loop *loop;
	struct app *app;
	bool done = false;

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(loop_new(&loop), 0);
	assert_int_equal(app_new(loop, &opts, &cfg, &app), 0);
	assert_int_equal(app_start(app), 0);
	app_stop(app, on_done, &done);
	/* Never from inside app_stop(). */
	assert_false(done);
	assert_true(testloop_run_until(loop, &done, 1000));
	app_free(app);
	loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_reload_stop),
		cmocka_unit_test(test_stop_without_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
