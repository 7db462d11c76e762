// SPDX-License-Identifier: GPL-2.0
/*
 * Status output: text and JSON rendering of a snapshot, and a real
 * request over the UNIX socket.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/loop.h"
#include "strbuf.h"
#include "status/status.h"

static void fake_snapshot(struct status_snapshot *s)
{
	struct status_line *l;
	struct reg_server_status *srv;

	memset(s, 0, sizeof(*s));
	s->version = "0.1";
	s->uptime_s = 42;
	s->config_file = "/etc/sipsteerd.conf";
	s->n_lines = 2;

	l = &s->lines[0];
	l->index = 0;
	strcpy(l->id, "2001");
	strcpy(l->description, "Front \"desk\"");
	strcpy(l->domain, "example.com");
	l->proto = TP_UDP;
	l->reg.state = REG_REGISTERED;
	strcpy(l->reg.text, "registered at pbx1");
	l->reg.server = 1;
	l->reg.expires_left_s = 3540;
	l->reg.granted_expires_s = 3600;
	strcpy(l->reg.contact, "<sip:2001@192.0.2.50:5060>");
	/* Concurrent mode: active at pbx1, a standby at pbx0. */
	l->reg.n_bindings = 2;
	strcpy(l->reg.bindings[0].addr, "192.0.2.1:5060");
	l->reg.bindings[0].active = true;
	l->reg.bindings[0].state = REG_REGISTERED;
	l->reg.bindings[0].expires_left_s = 3540;
	l->reg.bindings[0].reg_id = 2;
	strcpy(l->reg.bindings[1].addr, "[2001:db8::1]:5060");
	l->reg.bindings[1].state = REG_REGISTERING;
	l->reg.n_servers = 2;
	srv = &l->reg.servers[0];
	strcpy(srv->target, "pbx0.example.com");
	strcpy(srv->addr, "[2001:db8::1]:5060");
	srv->proto = TP_UDP;
	srv->priority = 10;
	srv->weight = 5;
	srv->last = SL_RES_TIMEOUT;
	srv->last_age_s = 70;
	srv = &l->reg.servers[1];
	strcpy(srv->target, "pbx1.example.com");
	strcpy(srv->addr, "192.0.2.1:5060");
	srv->proto = TP_UDP;
	srv->priority = 20;
	srv->in_use = true;
	srv->last = SL_RES_OK;
	srv->last_code = 200;
	srv->last_age_s = 60;

	l = &s->lines[1];
	l->index = 3;
	strcpy(l->id, "2004");
	strcpy(l->domain, "example.com");
	l->proto = TP_UDP;
	l->reg.state = REG_FAILED;
	l->reg.server = -1;
	strcpy(l->reg.last_error, "403 Forbidden\n");
}

static void test_render_text(void **state)
{
	struct status_snapshot *s = malloc(sizeof(*s));
	struct strbuf sb;
	const char *out;

	(void)state;
	fake_snapshot(s);
	sb_init(&sb);
	status_render_text(s, &sb);
	out = sb_str(&sb);
	print_message("%s", out);
	assert_non_null(strstr(out, "sipsteerd 0.1, up 42 s, config "
			       "/etc/sipsteerd.conf\n"));
	assert_non_null(strstr(out, "line 0: 2001@example.com (Front \"desk\")"
			       " UDP: registered\n"));
	assert_non_null(strstr(out, "  server: pbx1.example.com "
			       "192.0.2.1:5060\n"));
	assert_non_null(strstr(out, "  expires in 3540 s (granted 3600 s)\n"));
	assert_non_null(strstr(out, "  binding: 192.0.2.1:5060 active registered"
			       ", expires in 3540 s, reg-id 2\n"
			       "  binding: [2001:db8::1]:5060 standby "
			       "registering\n"));
	assert_non_null(strstr(out, "    1 pbx0.example.com [2001:db8::1]:5060"
			       " UDP priority 10 weight 5: timeout 70 s ago\n"));
	assert_non_null(strstr(out, "  * 2 pbx1.example.com 192.0.2.1:5060 UDP"
			       " priority 20 weight 0: ok (200) 60 s ago\n"));
	assert_non_null(strstr(out, "line 3: 2004@example.com UDP: failed\n"));
	assert_non_null(strstr(out, "  last error: 403 Forbidden?\n"
			       "  servers: none known\n"));
	sb_free(&sb);
	free(s);
}

static void test_render_json(void **state)
{
	struct status_snapshot *s = malloc(sizeof(*s));
	struct strbuf sb;
	const char *out;

	(void)state;
	fake_snapshot(s);
	sb_init(&sb);
	status_render_json(s, &sb);
	out = sb_str(&sb);
	assert_memory_equal(out, "{\"version\":\"0.1\",\"uptime_s\":42,"
			    "\"config\":\"/etc/sipsteerd.conf\",\"lines\":[{"
			    "\"line\":0,\"id\":\"2001\",\"description\":"
			    "\"Front \\\"desk\\\"\",", 119);
	assert_non_null(strstr(out, "\"state\":\"registered\",\"text\":"
			       "\"registered at pbx1\",\"server\":1,"
			       "\"expires_left_s\":3540,"
			       "\"granted_expires_s\":3600,"));
	assert_non_null(strstr(out, "{\"target\":\"pbx1.example.com\",\"addr\":"
			       "\"192.0.2.1:5060\",\"proto\":\"UDP\","
			       "\"priority\":20,\"weight\":0,\"in_use\":true,"
			       "\"last\":\"ok\",\"last_code\":200,"
			       "\"last_age_s\":60}"));
	assert_non_null(strstr(out, "\"last\":\"timeout\",\"last_code\":null,"
			       "\"last_age_s\":70}"));
	assert_non_null(strstr(out, "\"line\":3,"));
	assert_non_null(strstr(out, "\"state\":\"failed\",\"text\":\"\","
			       "\"server\":null,\"expires_left_s\":null,"));
	/* The newline from the server stays escaped: one JSON line. */
	assert_non_null(strstr(out, "\"bindings\":[{\"server\":"
			       "\"192.0.2.1:5060\",\"role\":\"active\","
			       "\"state\":\"registered\","
			       "\"expires_left_s\":3540,\"reg_id\":2},"
			       "{\"server\":\"[2001:db8::1]:5060\","
			       "\"role\":\"standby\",\"state\":"
			       "\"registering\",\"expires_left_s\":null,"
			       "\"reg_id\":null}],"));
	assert_non_null(strstr(out, "\"last_error\":\"403 Forbidden\\n\","
			       "\"bindings\":[],"
			       "\"servers\":[]}],\"proxy_set\":null"));
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
	sb_free(&sb);
	free(s);
}

static void fake_set(struct status_snapshot *s)
{
	struct pset_status *ps = &s->set;
	struct pset_event *ev;

	s->has_set = true;
	ps->state = PSET_ACTIVE;
	ps->active = 1;
	strcpy(ps->active_addr, "192.0.2.2:5060");
	ps->failovers = 2;
	ps->failbacks = 1;
	ps->next_try_s = 55;
	ps->n_servers = 2;
	strcpy(ps->servers[0].target, "pbx0.example.com");
	strcpy(ps->servers[0].addr, "192.0.2.1:5060");
	ps->servers[0].last = SL_RES_TIMEOUT;
	ps->probe_ok[0] = 2;
	strcpy(ps->servers[1].target, "pbx1.example.com");
	strcpy(ps->servers[1].addr, "192.0.2.2:5060");
	ps->servers[1].in_use = true;
	ps->servers[1].last = SL_RES_OK;
	ps->servers[1].last_code = 200;
	ps->n_events = 1;
	ev = &ps->events[0];
	ev->at_ms = 1700000000123ull;
	ev->kind = PSET_EV_FAILOVER;
	strcpy(ev->from, "192.0.2.1:5060");
	strcpy(ev->to, "192.0.2.2:5060");
	strcpy(ev->reason, "timeout\n");
	ev->elapsed_ms = 2000;

	s->steer.state = STEER_READY;
	strcpy(s->steer.service, "sipsteerd");
	s->steer.adopted = true;
	s->steer.n_endpoints = 3;
	strcpy(s->steer.target, "192.0.2.2:5060");
	s->steer.n_targets = 2;
	strcpy(s->steer.targets[0], "192.0.2.2:5060");
	strcpy(s->steer.targets[1], "[2001:db8::2]:5060");
	s->steer.n_steered = 1;
	strcpy(s->steer.steered[0], "192.0.2.1:5060");
	s->steer.generation = 7;
	s->steer.switches = 2;
	s->steer.sockets_killed = 1;
	s->steer.last_switch_us = 180;
}

/* The proxy set, its servers with probe counts, and its events. */
static void test_render_set(void **state)
{
	struct status_snapshot *s = malloc(sizeof(*s));
	struct strbuf sb;
	const char *out;

	(void)state;
	fake_snapshot(s);
	fake_set(s);
	sb_init(&sb);
	status_render_json(s, &sb);
	out = sb_str(&sb);
	assert_non_null(strstr(out, "\"proxy_set\":{\"state\":\"active\","
			       "\"active\":1,\"active_addr\":\"192.0.2.2:5060\","
			       "\"failovers\":2,\"failbacks\":1,"
			       "\"consecutive_failures\":0,\"next_try_s\":55,"
			       "\"servers\":[{\"target\":\"pbx0.example.com\""));
	assert_non_null(strstr(out, "\"last_age_s\":0,\"probe_ok\":2}"));
	assert_non_null(strstr(out, "\"events\":[{\"at_ms\":1700000000123,"
			       "\"kind\":\"failover\",\"from\":\"192.0.2.1:5060\","
			       "\"to\":\"192.0.2.2:5060\",\"reason\":\"timeout\\n\","
			       "\"elapsed_ms\":2000}]}"));
	assert_non_null(strstr(out, "\"steering\":{\"state\":\"ready\","
			       "\"service\":\"sipsteerd\",\"adopted\":true,"
			       "\"endpoints\":3,\"target\":\"192.0.2.2:5060\","
			       "\"targets\":[\"192.0.2.2:5060\","
			       "\"[2001:db8::2]:5060\"],"
			       "\"steered\":[\"192.0.2.1:5060\"],"
			       "\"missing_family\":null,"
			       "\"generation\":7,\"switches\":2,"
			       "\"sockets_killed\":1,\"last_switch_us\":180,"
			       "\"error\":\"\"},"
			       "\"inbound\":{\"options\":0,\"relayed\":0,"
			       "\"responses\":0,\"refused\":0}}\n"));
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
	sb_free(&sb);

	sb_init(&sb);
	status_render_text(s, &sb);
	out = sb_str(&sb);
	assert_non_null(strstr(out, "proxy set: active at 192.0.2.2:5060, "
			       "2 failover(s), 1 failback(s), next try in 55 s\n"));
	assert_non_null(strstr(out, "failback probes answered: 2\n"));
	assert_non_null(strstr(out, "    1700000000.123 failover "
			       "192.0.2.1:5060 -> 192.0.2.2:5060: timeout? "
			       "(2000 ms)\n"));
	assert_non_null(strstr(out, "steering: ready, service sipsteerd "
			       "(adopted), 3 endpoint(s), target 192.0.2.2:5060 "
			       "and [2001:db8::2]:5060, "
			       "generation 7, 2 switch(es), 1 TCP connection(s) "
			       "failed, last switch 180 us\n"
			       "  steered (not answering): 192.0.2.1:5060\n"));
	assert_non_null(strstr(out, "requests from servers: 0 OPTIONS "
			       "answered, 0 relayed to the call application, "
			       "0 response(s) relayed back, 0 refused here\n"));
	sb_free(&sb);
	free(s);
}

struct srvctx {
	struct loop *loop;
	unsigned int fills;
};

static void fill(void *arg, struct status_snapshot *snap)
{
	struct srvctx *c = arg;

	c->fills++;
	fake_snapshot(snap);
}

static void child_done(int signo, void *arg)
{
	(void)signo;
	loop_stop(((struct srvctx *)arg)->loop);
}

/* Forks a --status client, serves it from the loop, returns its output. */
static char *query(struct srvctx *c, const char *path, bool json)
{
	char tmpl[] = "/tmp/test_status_out.XXXXXX";
	int fd = mkstemp(tmpl), status;
	char *buf = calloc(1, 65536);
	pid_t pid;

	assert_true(fd >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		FILE *f = fdopen(fd, "w");

		_exit(status_query(path, json, f) ? 3 : 0);
	}
	assert_int_equal(loop_run(c->loop), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(pread(fd, buf, 65535, 0) > 0);
	close(fd);
	unlink(tmpl);
	return buf;
}

static void test_socket_round_trip(void **state)
{
	char path[] = "/tmp/test_status.XXXXXX";
	struct status_server *srv, *second;
	struct srvctx c = { 0 };
	char sock[64];
	char *out;

	(void)state;
	assert_non_null(mkdtemp(path));
	snprintf(sock, sizeof(sock), "%s/s.sock", path);
	assert_int_equal(loop_new(&c.loop), 0);
	assert_int_equal(loop_signal_add(c.loop, SIGCHLD, child_done, &c), 0);
	assert_int_equal(status_server_new(c.loop, sock, fill, &c, &srv), 0);
	/* A live socket is not taken over. */
	assert_int_equal(status_server_new(c.loop, sock, fill, &c, &second),
			 -EADDRINUSE);

	out = query(&c, sock, false);
	assert_non_null(strstr(out, "line 0: 2001@example.com"));
	free(out);
	out = query(&c, sock, true);
	assert_memory_equal(out, "{\"version\":\"0.1\"", 16);
	assert_non_null(strstr(out, "\"servers\":[]}],\"proxy_set\":null"));
	free(out);
	assert_int_equal(c.fills, 2);

	status_server_free(srv);
	assert_int_equal(access(sock, F_OK), -1);
	/* Nobody listening: the client says so. */
	assert_int_equal(status_query(sock, false, stdout), -ENOENT);
	loop_free(c.loop);
	rmdir(path);
}

static void test_stale_socket_replaced(void **state)
{
	char path[] = "/tmp/test_status.XXXXXX";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct status_server *srv;
	struct loop *loop;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(path));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/s.sock", path);
	/* A socket file nobody listens on, as a crashed daemon leaves. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(loop_new(&loop), 0);
	assert_int_equal(status_server_new(loop, sa.sun_path, fill, NULL,
					   &srv), 0);
	status_server_free(srv);
	loop_free(loop);
	rmdir(path);
}

static void stop_loop(void *arg)
{
	loop_stop(arg);
}

static void test_unknown_request(void **state)
{
	char path[] = "/tmp/test_status.XXXXXX";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct status_server *srv;
	struct srvctx c = { 0 };
	char buf[256] = "";
	int fd, i;
	ssize_t n = 0;

	(void)state;
	assert_non_null(mkdtemp(path));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/s.sock", path);
	assert_int_equal(loop_new(&c.loop), 0);
	assert_int_equal(status_server_new(c.loop, sa.sun_path, fill, &c,
					   &srv), 0);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, "yaml\n", 5), 5);
	/* Serve it: a few loop turns stopped by a short timer each. */
	for (i = 0; i < 50 && n <= 0; i++) {
		struct loop_timer t = { 0 };

		loop_timer_start(c.loop, &t, 10, stop_loop, c.loop);
		assert_int_equal(loop_run(c.loop), 0);
		n = read(fd, buf, sizeof(buf) - 1);
	}
	assert_true(n > 0);
	assert_string_equal(buf, "error: unknown request (text or json)\n");
	assert_int_equal(c.fills, 0);
	close(fd);
	status_server_free(srv);
	loop_free(c.loop);
	rmdir(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_text),
		cmocka_unit_test(test_render_json),
		cmocka_unit_test(test_render_set),
		cmocka_unit_test(test_socket_round_trip),
		cmocka_unit_test(test_stale_socket_replaced),
		cmocka_unit_test(test_unknown_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
