/*
 * test_settings.c - the settings table, the precedence of flag,
 * environment, Tecnativa variable, config file and default (with a fake
 * getenv), and the listen address checks shared by check and start-up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "settings.h"

/* A NULL-terminated table of "NAME=VALUE" strings stands for environ. */
static const char *
fget(void *arg, const char *name)
{
	const char *const *kv = arg;
	size_t n = strlen(name);

	for (; kv != NULL && *kv != NULL; kv++)
		if (strncmp(*kv, name, n) == 0 && (*kv)[n] == '=')
			return *kv + n + 1;
	return NULL;
}

static struct set_res res;
static struct set_args args;
static struct cfg cfg;
static char err[512];

static int
setup(void **state)
{
	(void)state;
	memset(&args, 0, sizeof(args));
	memset(&cfg, 0, sizeof(cfg));
	err[0] = '\0';
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cfg_free(&cfg);
	return 0;
}

static void
resolve_ok(const char *const *env, const struct cfg *c)
{
	if (set_resolve(&args, fget, (void *)env, c, &res, err,
	    sizeof(err)) != 0)
		fail_msg("refused: %s", err);
}

static void
resolve_bad(const char *const *env, const struct cfg *c, const char *want)
{
	if (set_resolve(&args, fget, (void *)env, c, &res, err,
	    sizeof(err)) != -1)
		fail_msg("accepted, wanted '%s'", want);
	if (strstr(err, want) == NULL)
		fail_msg("got '%s', wanted '%s'", err, want);
}

static void
parse_cfg(const char *text)
{
	if (cfg_parse(text, strlen(text), "t.conf", &cfg, err,
	    sizeof(err)) != 0)
		fail_msg("config refused: %s", err);
}

#define V(id)	(&res.v[(id)])

static void
assert_from(enum set_id id, const char *text, enum set_src src,
    const char *origin)
{
	assert_non_null(V(id)->text);
	assert_string_equal(V(id)->text, text);
	assert_int_equal(V(id)->src, src);
	assert_string_equal(V(id)->origin, origin);
}

static void
test_table(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < SET_N; i++) {
		assert_int_equal(set_table[i].id, i);
		assert_non_null(set_table[i].name);
		assert_non_null(set_table[i].doc);
		assert_non_null(set_table[i].def_doc);
		/* Every row says why it is (not) reloadable. */
		assert_non_null(set_table[i].reload_why);
		assert_true(set_table[i].flag != NULL ||
		    set_table[i].env != NULL || set_table[i].keyword != NULL);
		if (set_table[i].flag != NULL)
			assert_memory_equal(set_table[i].flag, "--", 2);
		if (set_table[i].type == SET_T_ENUM)
			assert_non_null(set_table[i].values);
		for (k = 0; k < i; k++) {
			assert_string_not_equal(set_table[i].name,
			    set_table[k].name);
			if (set_table[i].flag && set_table[k].flag)
				assert_string_not_equal(set_table[i].flag,
				    set_table[k].flag);
			if (set_table[i].env && set_table[k].env)
				assert_string_not_equal(set_table[i].env,
				    set_table[k].env);
		}
	}
	/* The decisions the reload code relies on. */
	assert_false(set_table[SET_LISTEN].reload);
	assert_false(set_table[SET_UPSTREAM].reload);
	assert_false(set_table[SET_USER].reload);
	assert_false(set_table[SET_HEADER_TIMEOUT].reload);
	assert_true(set_table[SET_LOG_LEVEL].reload);
	assert_true(set_table[SET_MODE].reload);
}

static void
test_defaults(void **state)
{
	static const char *const env[] = { NULL };

	(void)state;
	resolve_ok(env, NULL);
	assert_from(SET_UPSTREAM, "/var/run/docker.sock", SET_SRC_DEFAULT,
	    "default");
	assert_from(SET_LOG_FORMAT, "text", SET_SRC_DEFAULT, "default");
	assert_from(SET_LOG_LEVEL, "info", SET_SRC_DEFAULT, "default");
	assert_from(SET_MODE, "enforce", SET_SRC_DEFAULT, "default");
	assert_from(SET_PROFILE, "traefik", SET_SRC_DEFAULT, "default");
	assert_from(SET_LISTEN, "tcp://127.0.0.1:2375", SET_SRC_DEFAULT,
	    "default");
	assert_int_equal(V(SET_HEADER_TIMEOUT)->num, 10);
	assert_int_equal(V(SET_IDLE_TIMEOUT)->num, 60);
	assert_null(V(SET_USER)->text);
	assert_int_equal(V(SET_USER)->num, -1);
	assert_string_equal(V(SET_SANDBOX)->text, "1");
	assert_int_equal(V(SET_ALLOW)->nitems, 0);
	assert_int_equal(res.tec, 0);
	assert_null(set_config_path(&args, fget, (void *)env));
}

/* flag > SOCKWARD_* > config file > default, setting by setting. */
static void
test_precedence_globals(void **state)
{
	static const char *const env[] = {
		"SOCKWARD_LOG_LEVEL=warn", "SOCKWARD_IDLE_TIMEOUT=30",
		"SOCKWARD_UPSTREAM=unix:///env.sock", "SOCKWARD_CONFIG=/x.conf",
		NULL };

	(void)state;
	parse_cfg("upstream /file.sock\nlog-level debug\nlog-format json\n"
	    "idle-timeout 20\nheader-timeout 7\n"
	    "listener a {\nlisten tcp://127.0.0.1:1\nallow GET /x\n}\n");
	assert_int_equal(set_args_add(&args, SET_UPSTREAM, "/flag.sock"), 0);
	resolve_ok(env, &cfg);
	assert_from(SET_UPSTREAM, "/flag.sock", SET_SRC_FLAG, "--upstream");
	assert_from(SET_LOG_LEVEL, "warn", SET_SRC_ENV, "SOCKWARD_LOG_LEVEL");
	assert_from(SET_LOG_FORMAT, "json", SET_SRC_CONFIG, "config file");
	assert_from(SET_IDLE_TIMEOUT, "30", SET_SRC_ENV,
	    "SOCKWARD_IDLE_TIMEOUT");
	assert_int_equal(V(SET_IDLE_TIMEOUT)->num, 30);
	assert_int_equal(V(SET_HEADER_TIMEOUT)->num, 7);
	assert_int_equal(V(SET_HEADER_TIMEOUT)->src, SET_SRC_CONFIG);
	assert_string_equal(set_config_path(&args, fget, (void *)env),
	    "/x.conf");

	/* Without the flag, the variable (its scheme stripped). */
	memset(&args, 0, sizeof(args));
	resolve_ok(env, &cfg);
	assert_from(SET_UPSTREAM, "/env.sock", SET_SRC_ENV,
	    "SOCKWARD_UPSTREAM");
	/* Without the variable, the file. */
	resolve_ok(NULL, &cfg);
	assert_from(SET_UPSTREAM, "/file.sock", SET_SRC_CONFIG,
	    "config file");
	assert_from(SET_LOG_LEVEL, "debug", SET_SRC_CONFIG, "config file");
	/* Without the file, the default. */
	resolve_ok(NULL, NULL);
	assert_from(SET_UPSTREAM, "/var/run/docker.sock", SET_SRC_DEFAULT,
	    "default");
	/* The last flag wins; --config too. */
	assert_int_equal(set_args_add(&args, SET_LOG_LEVEL, "error"), 0);
	assert_int_equal(set_args_add(&args, SET_LOG_LEVEL, "debug"), 0);
	assert_int_equal(set_args_add(&args, SET_CONFIG, "/a.conf"), 0);
	assert_int_equal(set_args_add(&args, SET_CONFIG, "/b.conf"), 0);
	resolve_ok(env, NULL);
	assert_from(SET_LOG_LEVEL, "debug", SET_SRC_FLAG, "--log-level");
	assert_string_equal(set_config_path(&args, fget, (void *)env),
	    "/b.conf");
}

/* An empty SOCKWARD_* variable counts as unset. */
static void
test_empty_env(void **state)
{
	static const char *const env[] = { "SOCKWARD_LOG_FORMAT=",
		"SOCKWARD_LISTEN=", "SOCKWARD_CONFIG=", NULL };

	(void)state;
	resolve_ok(env, NULL);
	assert_from(SET_LOG_FORMAT, "text", SET_SRC_DEFAULT, "default");
	assert_from(SET_LISTEN, "tcp://127.0.0.1:2375", SET_SRC_DEFAULT,
	    "default");
	assert_null(set_config_path(&args, fget, (void *)env));
}

/* Tecnativa's SOCKET_PATH and LOG_LEVEL: under SOCKWARD_*, over the
 * default; a config file turns them off. */
static void
test_precedence_tecnativa(void **state)
{
	static const char *const tec[] = { "CONTAINERS=1",
		"SOCKET_PATH=/tec.sock", "LOG_LEVEL=notice",
		"DISABLE_IPV6=1", NULL };
	static const char *const both[] = { "CONTAINERS=1",
		"SOCKET_PATH=/tec.sock", "SOCKWARD_UPSTREAM=/sw.sock", NULL };

	(void)state;
	resolve_ok(tec, NULL);
	assert_int_equal(res.tec, 1);
	assert_from(SET_UPSTREAM, "/tec.sock", SET_SRC_TEC, "SOCKET_PATH");
	assert_from(SET_LOG_LEVEL, "info", SET_SRC_TEC, "LOG_LEVEL");
	assert_from(SET_LISTEN, "tcp://0.0.0.0:2375", SET_SRC_TEC,
	    "DISABLE_IPV6");
	/* No default profile: Tecnativa's rules stand alone. */
	assert_int_equal(V(SET_PROFILE)->nitems, 0);
	resolve_ok(both, NULL);
	assert_from(SET_UPSTREAM, "/sw.sock", SET_SRC_ENV,
	    "SOCKWARD_UPSTREAM");

	parse_cfg("listener a {\nlisten tcp://127.0.0.1:1\nallow GET /x\n}\n");
	resolve_ok(tec, &cfg);
	assert_int_equal(res.tec, 0);
	assert_from(SET_UPSTREAM, "/var/run/docker.sock", SET_SRC_DEFAULT,
	    "default");
	assert_string_equal(res.ignored, "Tecnativa variables");
}

/* Rules from --allow and SOCKWARD_ALLOW both apply, flags first. */
static void
test_rules_add_up(void **state)
{
	static const char *const env[] = {
		"SOCKWARD_ALLOW=GET /info; GET /volumes\n GET /x ",
		"SOCKWARD_DENY=GET /networks reason \"a; b\"", NULL };

	(void)state;
	assert_int_equal(set_args_add(&args, SET_ALLOW, "GET /a"), 0);
	assert_int_equal(set_args_add(&args, SET_ALLOW, "GET /b"), 0);
	resolve_ok(env, NULL);
	assert_int_equal(V(SET_ALLOW)->nitems, 5);
	assert_string_equal(V(SET_ALLOW)->item[0], "GET /a");
	assert_string_equal(V(SET_ALLOW)->item_origin[1], "--allow");
	assert_string_equal(V(SET_ALLOW)->item[2], "GET /info");
	assert_string_equal(V(SET_ALLOW)->item[4], "GET /x");
	assert_string_equal(V(SET_ALLOW)->item_origin[4], "SOCKWARD_ALLOW");
	assert_int_equal(V(SET_ALLOW)->src, SET_SRC_FLAG);
	/* ';' separates rules, as documented, even inside quotes. */
	assert_int_equal(V(SET_DENY)->nitems, 2);
	assert_int_equal(V(SET_DENY)->src, SET_SRC_ENV);
}

/* A list flag given twice keeps both (it used to keep the last only):
 * "--host-path /a --host-path /b" is "--host-path /a,/b". */
static void
test_list_flags_add_up(void **state)
{
	(void)state;
	assert_int_equal(set_args_add(&args, SET_HOST_PATH, "/a"), 0);
	assert_int_equal(set_args_add(&args, SET_HOST_PATH, "/b:rw,/c"), 0);
	assert_int_equal(set_args_add(&args, SET_VISIBLE_LABEL, "a"), 0);
	assert_int_equal(set_args_add(&args, SET_VISIBLE_LABEL, "b=c"), 0);
	assert_int_equal(set_args_add(&args, SET_PROFILE, "traefik"), 0);
	assert_int_equal(set_args_add(&args, SET_PROFILE, "dozzle"), 0);
	resolve_ok(NULL, NULL);
	assert_int_equal(V(SET_HOST_PATH)->nitems, 3);
	assert_string_equal(V(SET_HOST_PATH)->item[0], "/a");
	assert_string_equal(V(SET_HOST_PATH)->item[2], "/c");
	assert_int_equal(V(SET_VISIBLE_LABEL)->nitems, 2);
	assert_string_equal(V(SET_VISIBLE_LABEL)->item[1], "b=c");
	assert_string_equal(V(SET_VISIBLE_LABEL)->item_origin[1],
	    "--visible-label");
	assert_int_equal(V(SET_PROFILE)->nitems, 2);
}

/* A flag replaces its variable for lists too (listen, profile). */
static void
test_lists_replace(void **state)
{
	static const char *const env[] = {
		"SOCKWARD_LISTEN=tcp://127.0.0.1:2, unix:///run/a.sock",
		"SOCKWARD_PROFILE=traefik, dozzle", NULL };

	(void)state;
	resolve_ok(env, NULL);
	assert_int_equal(V(SET_LISTEN)->nitems, 2);
	assert_string_equal(V(SET_LISTEN)->item[1], "unix:///run/a.sock");
	assert_from(SET_PROFILE, "traefik, dozzle", SET_SRC_ENV,
	    "SOCKWARD_PROFILE");
	assert_int_equal(V(SET_PROFILE)->nitems, 2);
	assert_int_equal(set_args_add(&args, SET_LISTEN, "tcp://*:3"), 0);
	assert_int_equal(set_args_add(&args, SET_PROFILE, "none"), 0);
	resolve_ok(env, NULL);
	assert_int_equal(V(SET_LISTEN)->nitems, 1);
	assert_from(SET_LISTEN, "tcp://*:3", SET_SRC_FLAG, "--listen");
	assert_from(SET_PROFILE, "none", SET_SRC_FLAG, "--profile");
}

/* With a file, policy flags are an error and policy variables ignored. */
static void
test_config_owns_policy(void **state)
{
	static const char *const env[] = { "SOCKWARD_PROFILE=dozzle", NULL };

	(void)state;
	parse_cfg("listener a {\nlisten tcp://127.0.0.1:1\nallow GET /x\n}\n");
	resolve_ok(env, &cfg);
	assert_int_equal(V(SET_PROFILE)->src, SET_SRC_CONFIG);
	assert_int_equal(V(SET_PROFILE)->nitems, 0);
	assert_string_equal(res.ignored, "SOCKWARD_PROFILE");
	assert_int_equal(set_args_add(&args, SET_MODE, "audit"), 0);
	resolve_bad(env, &cfg, "go in the config file when one is used");
	/* SOCKWARD_COMPAT is not read with a file. */
	memset(&args, 0, sizeof(args));
	resolve_ok((const char *const[]){ "SOCKWARD_COMPAT=bogus", NULL },
	    &cfg);
}

static void
test_bad_values(void **state)
{
	(void)state;
	resolve_bad((const char *const[]){ "SOCKWARD_HEADER_TIMEOUT=0", NULL },
	    NULL, "SOCKWARD_HEADER_TIMEOUT must be whole seconds from 1 to "
	    "86400, not '0'");
	resolve_bad((const char *const[]){ "SOCKWARD_IDLE_TIMEOUT=86401",
	    NULL }, NULL, "must be whole seconds");
	resolve_bad((const char *const[]){ "SOCKWARD_IDLE_TIMEOUT=5s", NULL },
	    NULL, "must be whole seconds");
	resolve_bad((const char *const[]){ "SOCKWARD_MODE=learn", NULL },
	    NULL, "SOCKWARD_MODE must be enforce or audit, not 'learn'");
	resolve_bad((const char *const[]){ "SOCKWARD_LOG_LEVEL=loud", NULL },
	    NULL, "must be debug, info, warn or error, not 'loud'");
	resolve_bad((const char *const[]){ "SOCKWARD_USER=nobody", NULL },
	    NULL, "SOCKWARD_USER must be a numeric uid");
	resolve_bad((const char *const[]){ "SOCKWARD_USER=4294967295", NULL },
	    NULL, "must be a numeric uid");
	resolve_bad((const char *const[]){ "SOCKWARD_SANDBOX=off", NULL },
	    NULL, "SOCKWARD_SANDBOX must be 0 or 1");
	resolve_bad((const char *const[]){ "SOCKWARD_COMPAT=haproxy", NULL },
	    NULL, "SOCKWARD_COMPAT must be tecnativa or linuxserver");
	resolve_bad((const char *const[]){ "SOCKWARD_UPSTREAM=docker.sock",
	    NULL }, NULL, "SOCKWARD_UPSTREAM 'docker.sock': upstream must be "
	    "an absolute path");
	resolve_bad((const char *const[]){
	    "SOCKWARD_UPSTREAM=tcp://127.0.0.1:2375", NULL }, NULL,
	    "upstream must be a unix socket path");
	/* Accepted spellings. */
	resolve_ok((const char *const[]){ "SOCKWARD_LOG_LEVEL=warning",
	    "SOCKWARD_USER=0", "SOCKWARD_COMPAT=LinuxServer",
	    "SOCKWARD_SANDBOX=0", NULL }, NULL);
	assert_string_equal(V(SET_LOG_LEVEL)->text, "warn");
	assert_int_equal(V(SET_USER)->num, 0);
	assert_int_equal(res.tec, 1);
}

/* Issue 14: the TLS upstream's files, and the metrics address. */
static void
test_tls_metrics(void **state)
{
	(void)state;
	resolve_ok((const char *const[]){
	    "SOCKWARD_UPSTREAM=tls://127.0.0.1:2376",
	    "SOCKWARD_UPSTREAM_CA=/ca.pem", "SOCKWARD_UPSTREAM_CERT=/c.pem",
	    "SOCKWARD_UPSTREAM_KEY=/k.pem", "SOCKWARD_METRICS=tcp://127.0.0.1:9100",
	    NULL }, NULL);
	assert_string_equal(V(SET_UPSTREAM)->text, "tls://127.0.0.1:2376");
	assert_string_equal(V(SET_UPSTREAM_CA)->text, "/ca.pem");
	assert_string_equal(V(SET_METRICS)->item[0], "tcp://127.0.0.1:9100");
	resolve_bad((const char *const[]){
	    "SOCKWARD_UPSTREAM=tls://127.0.0.1:2376", NULL }, NULL,
	    "upstream tls://127.0.0.1:2376: upstream-ca is required");
	resolve_bad((const char *const[]){
	    "SOCKWARD_UPSTREAM=tls://127.0.0.1:2376",
	    "SOCKWARD_UPSTREAM_CA=/ca.pem", "SOCKWARD_UPSTREAM_KEY=/k.pem",
	    NULL }, NULL, "upstream-cert and upstream-key go together "
	    "(upstream-key is set alone, by SOCKWARD_UPSTREAM_KEY)");
	resolve_bad((const char *const[]){ "SOCKWARD_UPSTREAM_CA=/ca.pem",
	    NULL }, NULL, "upstream-ca (from SOCKWARD_UPSTREAM_CA) applies to a "
	    "tls:// upstream, and the upstream is /var/run/docker.sock");
	resolve_bad((const char *const[]){
	    "SOCKWARD_UPSTREAM=tls://[::]:2376", NULL }, NULL,
	    "numeric IPv4 or [IPv6] address");
	resolve_bad((const char *const[]){
	    "SOCKWARD_METRICS=tcp://127.0.0.1:2375", NULL }, NULL,
	    "metrics tcp://127.0.0.1:2375 (SOCKWARD_METRICS) overlaps listen "
	    "address tcp://127.0.0.1:2375: the same address twice");
	resolve_bad((const char *const[]){
	    "SOCKWARD_METRICS=tls://127.0.0.1:9100", NULL }, NULL,
	    "tcp:// or unix://, not tls://");
	resolve_bad((const char *const[]){
	    "SOCKWARD_INSECURE_TLS_NO_CLIENT_CERT=yes", NULL }, NULL,
	    "must be off or on");
	/* With a file, the metrics address is judged against its blocks. */
	parse_cfg("metrics tcp://0.0.0.0:9100\nlistener a {\n"
	    "listen tcp://127.0.0.1:9100\nprofile traefik\n}\n");
	resolve_bad(NULL, &cfg, "metrics tcp://0.0.0.0:9100 (config file) "
	    "overlaps listen address tcp://127.0.0.1:9100 of listener \"a\"");
}

/* The three cases of issue 10, and more, refused before binding. */
static void
test_listen_refused(void **state)
{
	static const struct { const char *a, *b, *msg; } cases[] = {
		{ "tcp://localhost:2375", NULL, "--listen: listen host must "
		    "be a numeric address, [IPv6] or * (sockward resolves no "
		    "names): tcp://localhost:2375" },
		{ "tcp://127.0.0.1:99999", NULL, "listen port must be from 1 "
		    "to 65535: tcp://127.0.0.1:99999" },
		{ "tcp://*:2376", "tcp://[::]:2376", "listen addresses "
		    "tcp://*:2376 and tcp://[::]:2376 overlap: * takes the "
		    "port on every IPv4 and IPv6 address" },
		{ "tcp://0.0.0.0:2375", "tcp://0.0.0.0:2375", "overlap: the "
		    "same address twice" },
		{ "tcp://0.0.0.0:2375", "tcp://127.0.0.1:2375", "overlap: "
		    "0.0.0.0 takes the port on every IPv4 address" },
		{ "tcp://[::1]:2375", "tcp://[::]:2375", "overlap: [::] takes "
		    "the port on every IPv6 address" },
		{ "tcp://[::1]:2375", "tcp://:2375", "overlap: * takes" },
		{ "unix:///run/a.sock", "unix:///run/a.sock", "overlap: the "
		    "same socket path twice" },
		{ "tcp://127.0.0.1:0", NULL, "listen port must be from 1" },
		{ "tcp://127.0.0.1", NULL, "bad listen address" },
		{ "tcp://127.0.0.1:", NULL, "bad listen address" },
		{ "tcp://127.0.0.1:+80", NULL, "bad listen address" },
		{ "tcp://[::1]", NULL, "bad listen address" },
		{ "tcp://[example]:80", NULL, "not a numeric IPv6 address" },
		{ "tcp://::1:80", NULL, "bad listen address" },
		{ "tcp://[::ffff:10.0.0.1]:80", NULL, "IPv4-mapped" },
		{ "http://127.0.0.1:80", NULL, "bad listen address" },
		{ "unix://run/a.sock", NULL, "must be absolute" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&args, 0, sizeof(args));
		set_args_add(&args, SET_LISTEN, cases[i].a);
		if (cases[i].b != NULL)
			set_args_add(&args, SET_LISTEN, cases[i].b);
		resolve_bad(NULL, NULL, cases[i].msg);
	}
	/* From the variable, the message names it. */
	memset(&args, 0, sizeof(args));
	resolve_bad((const char *const[]){ "SOCKWARD_LISTEN=tcp://host:1",
	    NULL }, NULL, "SOCKWARD_LISTEN: listen host must be a numeric");
}

static void
test_listen_accepted(void **state)
{
	static const char *const ok[][2] = {
		{ "tcp://0.0.0.0:2375", "tcp://[::]:2375" },	/* v6only */
		{ "tcp://127.0.0.1:2375", "tcp://127.0.0.2:2375" },
		{ "tcp://*:2375", "tcp://*:2376" },
		{ "tcp://[::1]:1", "tcp://127.0.0.1:1" },
		{ "tcp://127.0.0.1:65535", "unix:///run/sockward.sock" },
		{ "unix:///run/a.sock", "unix:///run/b.sock" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		memset(&args, 0, sizeof(args));
		set_args_add(&args, SET_LISTEN, ok[i][0]);
		set_args_add(&args, SET_LISTEN, ok[i][1]);
		resolve_ok(NULL, NULL);
		assert_int_equal(V(SET_LISTEN)->nitems, 2);
	}
}

static void
test_addr_parse(void **state)
{
	struct set_addr a;

	(void)state;
	assert_int_equal(set_addr_parse("tcp://10.1.2.3:80", &a, err,
	    sizeof(err)), 0);
	assert_int_equal(a.kind, SET_ADDR_TCP4);
	assert_int_equal(a.port, 80);
	assert_memory_equal(a.ip, "\x0a\x01\x02\x03", 4);
	assert_string_equal(a.host, "10.1.2.3");
	assert_int_equal(set_addr_parse("tcp://[fe80::1]:443", &a, err,
	    sizeof(err)), 0);
	assert_int_equal(a.kind, SET_ADDR_TCP6);
	assert_string_equal(a.host, "fe80::1");
	assert_int_equal(set_addr_parse("tcp://*:1", &a, err, sizeof(err)), 0);
	assert_int_equal(a.kind, SET_ADDR_TCP_ANY);
	assert_int_equal(set_addr_parse("tcp://:1", &a, err, sizeof(err)), 0);
	assert_int_equal(a.kind, SET_ADDR_TCP_ANY);
	assert_int_equal(set_addr_parse("unix:///run/x.sock", &a, err,
	    sizeof(err)), 0);
	assert_int_equal(a.kind, SET_ADDR_UNIX);
	assert_string_equal(a.path, "/run/x.sock");
}

/* Too many addresses or rules, from flags. */
static void
test_limits(void **state)
{
	static char big[8 * SET_MAX_ITEMS];
	size_t i;

	(void)state;
	for (i = 0; i <= CFG_MAX_ADDRS; i++)
		set_args_add(&args, SET_LISTEN, "tcp://127.0.0.1:1");
	resolve_bad(NULL, NULL, "too many listen addresses from --listen");
	memset(&args, 0, sizeof(args));
	for (i = 0; i <= SET_MAX_ITEMS; i++)
		strcat(big, "GET /x;");
	memmove(big + 15, big, strlen(big) + 1);
	memcpy(big, "SOCKWARD_ALLOW=", 15);
	resolve_bad((const char *const[]){ big, NULL }, NULL,
	    "too many allow values");
	assert_int_equal(SET_MAX_ARGS, 256);
}

static void
out_count(void *arg, const char *line)
{
	size_t *n = arg;

	assert_non_null(line);
	assert_null(strchr(line, '\n'));
	(*n)++;
}

static void
test_print_table(void **state)
{
	size_t text = 0, man = 0;

	(void)state;
	set_print_table(0, out_count, &text);
	set_print_table(1, out_count, &man);
	assert_int_equal(text, 3 * SET_N);
	assert_int_equal(man, 7 * SET_N);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_precedence_globals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_empty_env, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_precedence_tecnativa,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules_add_up, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_list_flags_add_up, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lists_replace, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_config_owns_policy, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_values, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tls_metrics, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_listen_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_listen_accepted, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_addr_parse, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_print_table, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
