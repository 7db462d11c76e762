// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the provisioning file. Every problem is reported (not just the
 * first), so one run of --check-config shows everything to fix. A key set
 * twice is a warning and the last value wins, as when a phone applies a
 * provisioning file on top of another.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/value.h"
#include "sipsteer_nl.h"

#define LINE_PREFIX	"voip/line/"
#define WHY_MAX		(CFG_PATH_MAX + 128)

struct reader {
	const char *name;
	struct config *cfg;
	config_diag_fn diag;
	void *arg;
	unsigned int errors;
	/* File line where each key was set; 0 = default. */
	unsigned int *set_at;	/* [key] for globals, [key * N + line] */
	size_t n_keys;
	const struct cfg_key *keys;
};

static void log_diag(void *arg, enum log_level lvl, const char *msg)
{
	(void)arg;
	log_msg(lvl, "%s", msg);
}

static void report(struct reader *r, enum log_level lvl, unsigned int lineno,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void report(struct reader *r, enum log_level lvl, unsigned int lineno,
		   const char *fmt, ...)
{
	char msg[WHY_MAX + 2 * CFG_PATH_MAX];
	size_t off;
	va_list ap;

	if (lineno)
		off = (size_t)snprintf(msg, sizeof(msg), "%s:%u: ", r->name,
				       lineno);
	else
		off = (size_t)snprintf(msg, sizeof(msg), "%s: ", r->name);
	if (off >= sizeof(msg))
		off = sizeof(msg) - 1;
	va_start(ap, fmt);
	vsnprintf(msg + off, sizeof(msg) - off, fmt, ap);
	va_end(ap);
	if (lvl == LOG_LVL_ERR)
		r->errors++;
	r->diag(r->arg, lvl, msg);
}

static void *key_field(struct config *cfg, const struct cfg_key *k,
		       unsigned int line)
{
	if (k->per_line)
		return (char *)&cfg->line[line] + k->offset;
	return (char *)cfg + k->offset;
}

static const void *key_cfield(const struct config *cfg,
			      const struct cfg_key *k, unsigned int line)
{
	return key_field((struct config *)cfg, k, line);
}

static unsigned int *set_slot(struct reader *r, size_t ki, unsigned int line)
{
	return &r->set_at[ki * CFG_MAX_LINES + line];
}

void config_defaults(struct config *cfg)
{
	const struct cfg_key *keys;
	char why[WHY_MAX];
	size_t n, i;
	unsigned int l;

	memset(cfg, 0, sizeof(*cfg));
	keys = config_keys(&n);
	for (i = 0; i < n; i++) {
		for (l = 0; l < (keys[i].per_line ? CFG_MAX_LINES : 1); l++) {
			/* Defaults are in the table; they always parse. */
			if (cfg_value_parse(&keys[i], keys[i].def,
					    key_field(cfg, &keys[i], l),
					    why, sizeof(why)))
				abort();
		}
	}
}

/*
 * Finds @name in the table. Per-line keys: "voip/line/<N>/<rest>" with N
 * in decimal without leading zeros. Returns the key index, -1 unknown,
 * -2 line index out of range.
 */
static int find_key(const struct reader *r, const char *name,
		    unsigned int *line)
{
	const char *rest = NULL;
	size_t i;

	*line = 0;
	if (!strncmp(name, LINE_PREFIX, strlen(LINE_PREFIX))) {
		const char *p = name + strlen(LINE_PREFIX);
		unsigned long n = 0;

		if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] != '/'))
			return -1;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (n <= CFG_MAX_LINES)	/* saturates */
				n = n * 10 + (unsigned long)(*p - '0');
		}
		if (*p != '/')
			return -1;
		rest = p + 1;
		for (i = 0; i < r->n_keys; i++) {
			const char *kn = r->keys[i].name;

			if (r->keys[i].per_line &&
			    !strcmp(kn + strlen(LINE_PREFIX "N/"), rest)) {
				if (n >= CFG_MAX_LINES)
					return -2;
				*line = (unsigned int)n;
				return (int)i;
			}
		}
		return -1;
	}
	for (i = 0; i < r->n_keys; i++) {
		if (!r->keys[i].per_line && !strcmp(r->keys[i].name, name))
			return (int)i;
	}
	return -1;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\r' || end[-1] == '\n'))
		end--;
	*end = '\0';
	return s;
}

static void read_line(struct reader *r, char *text, unsigned int lineno)
{
	char why[WHY_MAX];
	char *eq, *key, *val;
	unsigned int line, *at;
	int ki;

	/* Editors on other systems may start the file with a UTF-8 BOM. */
	if (lineno == 1 && !strncmp(text, "\xef\xbb\xbf", 3))
		text += 3;
	key = trim(text);
	if (!*key || *key == '#')
		return;
	eq = strchr(key, '=');
	if (!eq) {
		report(r, LOG_LVL_ERR, lineno, "expected key=value");
		return;
	}
	*eq = '\0';
	val = trim(eq + 1);
	key = trim(key);
	if (!*key) {
		report(r, LOG_LVL_ERR, lineno, "empty key");
		return;
	}
	ki = find_key(r, key, &line);
	if (ki == -2) {
		report(r, LOG_LVL_WARN, lineno,
		       "%s: line index out of range 0..%u, ignored", key,
		       CFG_MAX_LINES - 1);
		return;
	}
	if (ki < 0) {
		report(r, LOG_LVL_WARN, lineno, "unknown key \"%s\"", key);
		return;
	}
	at = set_slot(r, (size_t)ki, line);
	if (*at)
		report(r, LOG_LVL_WARN, lineno,
		       "%s: also set on line %u; this value wins", key, *at);
	if (cfg_value_parse(&r->keys[ki], val,
			    key_field(r->cfg, &r->keys[ki], line),
			    why, sizeof(why))) {
		report(r, LOG_LVL_ERR, lineno, "%s: %s", key, why);
		return;
	}
	*at = lineno;
}

static size_t key_index(const struct reader *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n_keys; i++) {
		if (!strcmp(r->keys[i].name, name))
			return i;
	}
	abort();	/* a name below is missing from the table */
}

/* Reports against the line that set @name, or the file when defaulted. */
static void report_key(struct reader *r, enum log_level lvl,
		       const char *name, unsigned int line, const char *why)
{
	size_t ki = key_index(r, name);
	char full[CFG_NAME_MAX];

	if (r->keys[ki].per_line)
		snprintf(full, sizeof(full), LINE_PREFIX "%u/%s", line,
			 name + strlen(LINE_PREFIX "N/"));
	else
		snprintf(full, sizeof(full), "%s", name);
	report(r, lvl, *set_slot(r, ki, line), "%s: %s", full, why);
}

#define SIPK(k)	"voip/signalling/sip/" k

static void check_server(struct reader *r, const struct cfg_server *s,
			 const char *addr)
{
	if (s->enabled && !s->addr[0])
		report_key(r, LOG_LVL_ERR, addr, 0,
			   "required when enabled is 1");
}

static void check_failover(struct reader *r, const struct cfg_sip *sip)
{
	if (sip->registration_failed_max_s < sip->registration_failed_timeout_s)
		report_key(r, LOG_LVL_ERR,
			   SIPK("registration_failed_max_timeout"), 0,
			   "must not be less than registration_failed_timeout");
	/* The value parser has checked length and characters. */
	if (!sipsteer_name_valid(sip->steering_service))
		report_key(r, LOG_LVL_ERR, SIPK("steering/service_name"), 0,
			   "must not be empty");
}

/* Rules that involve more than one key. */
static void check_all(struct reader *r)
{
	const struct config *cfg = r->cfg;
	const struct cfg_sip *sip = &cfg->sip;
	unsigned int l, enabled = 0;
	struct cfg_target t;

	if (sip->t2_ms < sip->t1_ms)
		report_key(r, LOG_LVL_ERR, SIPK("sip_t2"), 0,
			   "must not be less than sip_t1");
	if (!!sip->tls_cert_file[0] != !!sip->tls_key_file[0])
		report_key(r, LOG_LVL_ERR, sip->tls_cert_file[0] ?
			   SIPK("tls/key_file") : SIPK("tls/cert_file"), 0,
			   "tls/cert_file and tls/key_file go together");
	check_server(r, &sip->outbound_proxy, SIPK("sip_outbound_proxy/addr"));
	check_server(r, &sip->registrar, SIPK("sip_registrar/addr"));
	check_failover(r, sip);

	for (l = 0; l < CFG_MAX_LINES; l++) {
		if (!cfg->line[l].enabled)
			continue;
		enabled++;
		if (!cfg->line[l].id[0])
			report_key(r, LOG_LVL_ERR, "voip/line/N/id", l,
				   "required when the line is enabled");
	}
	if (!enabled) {
		report(r, LOG_LVL_WARN, 0, "no line is enabled");
		return;
	}
	if (config_target(cfg, &t) && sip->transport == TP_TLS &&
	    (strchr(t.domain, ':') || strspn(t.domain, "0123456789.") ==
	     strlen(t.domain)))
		report_key(r, LOG_LVL_WARN, sip->use_proxy ?
			   SIPK("proxy_address") : SIPK("sip_registrar/addr"),
			   0, "TLS checks the server against the SIP domain "
			   "(RFC 5922); an IP address here rarely matches a "
			   "certificate");
	if (sip->redundancy == CFG_RED_CONCURRENT && config_target(cfg, &t) &&
	    (strchr(t.host, ':') ||
	     strspn(t.host, "0123456789.") == strlen(t.host)))
		report_key(r, LOG_LVL_WARN, SIPK("redundant_proxy/mode"), 0,
			   "concurrent needs a host name DNS lists several "
			   "servers for; with one server it works as "
			   "failover");
	if (!config_target(cfg, &t)) {
		if (sip->use_proxy)
			report_key(r, LOG_LVL_ERR, SIPK("proxy_address"), 0,
				   "required when a line is enabled");
		else
			report(r, LOG_LVL_WARN, 0,
			       "use_proxy is 0 and no registrar is enabled: "
			       "no line registers");
	}
}

static int reader_init(struct reader *r, const char *name,
		       struct config *cfg, config_diag_fn diag, void *arg)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->cfg = cfg;
	r->diag = diag ? diag : log_diag;
	r->arg = arg;
	r->keys = config_keys(&r->n_keys);
	r->set_at = calloc(r->n_keys * CFG_MAX_LINES, sizeof(*r->set_at));
	if (!r->set_at)
		return -ENOMEM;
	config_defaults(cfg);
	return 0;
}

static int reader_finish(struct reader *r)
{
	if (!r->errors)
		check_all(r);
	free(r->set_at);
	return r->errors ? -EINVAL : 0;
}

int config_load_file(const char *path, struct config *cfg,
		     config_diag_fn diag, void *arg)
{
	unsigned int lineno = 0;
	struct reader r;
	char *buf = NULL;
	size_t cap = 0;
	FILE *f;
	int err;

	f = fopen(path, "re");
	if (!f) {
		char msg[CFG_PATH_MAX + 128];

		err = -errno;
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(-err));
		(diag ? diag : log_diag)(arg, LOG_LVL_ERR, msg);
		goto out_nofile;
	}
	err = reader_init(&r, path, cfg, diag, arg);
	if (err)
		goto out;
	while (getline(&buf, &cap, f) >= 0)
		read_line(&r, buf, ++lineno);
	if (ferror(f))
		report(&r, LOG_LVL_ERR, lineno, "read error");
	err = reader_finish(&r);
out:
	free(buf);
	fclose(f);
out_nofile:
	return err;
}

int config_load_string(const char *name, const char *text,
		       struct config *cfg, config_diag_fn diag, void *arg)
{
	unsigned int lineno = 0;
	struct reader r;
	char *copy, *line, *next;
	int err;

	copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	err = reader_init(&r, name, cfg, diag, arg);
	if (err)
		goto out;
	for (line = copy; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!next && !*line)
			break;
		read_line(&r, line, ++lineno);
	}
	err = reader_finish(&r);
out:
	free(copy);
	return err;
}

static bool line_shown(const struct config *cfg, unsigned int l)
{
	struct config def;

	if (cfg->line[l].enabled)
		return true;
	config_defaults(&def);
	return memcmp(&cfg->line[l], &def.line[l], sizeof(def.line[l])) != 0;
}

void config_print(const struct config *cfg, FILE *out)
{
	const struct cfg_key *keys;
	char val[CFG_PATH_MAX];
	unsigned int l;
	size_t n, i;

	keys = config_keys(&n);
	for (l = 0; l < CFG_MAX_LINES; l++) {
		if (!line_shown(cfg, l))
			continue;
		for (i = 0; i < n; i++) {
			if (!keys[i].per_line)
				continue;
			cfg_value_format(&keys[i], key_cfield(cfg, &keys[i], l),
					 val, sizeof(val));
			fprintf(out, LINE_PREFIX "%u/%s=%s\n", l,
				keys[i].name + strlen(LINE_PREFIX "N/"), val);
		}
	}
	for (i = 0; i < n; i++) {
		if (keys[i].per_line)
			continue;
		cfg_value_format(&keys[i], key_cfield(cfg, &keys[i], 0), val,
				 sizeof(val));
		fprintf(out, "%s=%s\n", keys[i].name, val);
	}
}

bool config_target(const struct config *cfg, struct cfg_target *t)
{
	const struct cfg_sip *sip = &cfg->sip;

	memset(t, 0, sizeof(*t));
	if (sip->use_proxy && sip->proxy_address[0]) {
		t->domain = sip->proxy_address;
		t->host = sip->proxy_address;
		t->port = sip->proxy_port;
	} else if (sip->registrar.enabled && sip->registrar.addr[0]) {
		t->domain = sip->registrar.addr;
	} else {
		return false;
	}
	if (sip->registrar.enabled && sip->registrar.addr[0]) {
		t->host = sip->registrar.addr;
		t->port = sip->registrar.port;
	}
	if (sip->outbound_proxy.enabled && sip->outbound_proxy.addr[0]) {
		t->host = sip->outbound_proxy.addr;
		t->port = sip->outbound_proxy.port;
	}
	return true;
}

bool config_line_changed(const struct config *a, const struct config *b,
			 unsigned int n)
{
	if (n >= CFG_MAX_LINES)
		return false;
	return memcmp(&a->line[n], &b->line[n], sizeof(a->line[n])) ||
	       memcmp(&a->sip, &b->sip, CFG_SIP_LINE_PART);
}

bool config_set_changed(const struct config *a, const struct config *b)
{
	const char *pa = (const char *)&a->sip, *pb = (const char *)&b->sip;

	return memcmp(pa + CFG_SIP_LINE_PART, pb + CFG_SIP_LINE_PART,
		      sizeof(a->sip) - CFG_SIP_LINE_PART) != 0;
}
