/*
 * test_tecnativa.c - Tecnativa's environment as sockward rules: the rules,
 * what they let through (rule_match), the warnings, tec_enabled and
 * tec_listen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "rule.h"
#include "tecnativa.h"

/* A NULL-terminated table of "NAME=VALUE" strings stands for environ. */
static const char *
tget(void *arg, const char *name)
{
	const char *const *kv = arg;
	size_t n = strlen(name);

	for (; *kv != NULL; kv++)
		if (strncmp(*kv, name, n) == 0 && (*kv)[n] == '=')
			return *kv + n + 1;
	return NULL;
}

#define MAXWARN 32
static char	*warns[MAXWARN];
static int	 nwarn;

static void
collect(void *warg, const char *text)
{
	assert_ptr_equal(warg, &nwarn);
	assert_non_null(text);
	assert_true(nwarn < MAXWARN);
	warns[nwarn++] = strdup(text);
}

static void
clear_warns(void)
{
	while (nwarn > 0)
		free(warns[--nwarn]);
}

/* Number of warnings that start with prefix. */
static int
warned(const char *prefix)
{
	int i, n = 0;

	for (i = 0; i < nwarn; i++)
		if (strncmp(warns[i], prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

static struct rule_set set;

/* Load env (a brace list of strings) into the fresh global set. */
#define LOAD(...) load_env((const char *[]){ __VA_ARGS__, NULL }, __LINE__)
#define LOAD_DEFAULTS() load_env((const char *[]){ NULL }, __LINE__)

static void
load_env(const char **env, int line)
{
	const char *why = NULL;

	rule_set_free(&set);
	clear_warns();
	if (tec_load(tget, env, &set, collect, &nwarn, &why) != 0)
		fail_msg("line %d: tec_load failed: %s", line, why);
}

static int
allows(enum req_method m, const char *path)
{
	const struct rule *r = rule_match(&set, m, path, NULL, 0);

	if (r != NULL)
		assert_string_equal(r->origin, "tecnativa");
	/* linuxserver's subpath denies are rules too. */
	return r != NULL && r->action == RULE_ALLOW;
}

#define ALLOW(m, p)						\
	do {							\
		if (!allows(REQ_M_##m, (p)))			\
			fail_msg("line %d: %s %s denied", __LINE__, #m, (p)); \
	} while (0)
#define DENY(m, p)						\
	do {							\
		if (allows(REQ_M_##m, (p)))			\
			fail_msg("line %d: %s %s allowed", __LINE__, #m, (p)); \
	} while (0)

static int
teardown(void **state)
{
	(void)state;
	rule_set_free(&set);
	clear_warns();
	return 0;
}

static void
test_defaults(void **state)
{
	(void)state;
	LOAD_DEFAULTS();
	assert_int_equal(set.nrules, 3);
	assert_string_equal(set.rules[0].text, "GET,HEAD /events/**");
	assert_string_equal(set.rules[1].text, "GET,HEAD /_ping");
	assert_string_equal(set.rules[2].text, "GET,HEAD /version/**");
	assert_int_equal(set.rules[0].action, RULE_ALLOW);
	assert_int_equal(set.rules[0].index, 1);
	assert_int_equal(set.rules[2].index, 3);
	assert_int_equal(nwarn, 0);

	ALLOW(GET, "/_ping");
	ALLOW(HEAD, "/_ping");
	ALLOW(GET, "/version");
	ALLOW(HEAD, "/version");
	ALLOW(GET, "/events");
	DENY(POST, "/_ping");
	DENY(OPTIONS, "/version");
	DENY(GET, "/containers/json");
	DENY(GET, "/info");
	DENY(GET, "/images/json");
	DENY(GET, "/");

	/* Explicit values equal to the defaults change nothing. */
	LOAD("EVENTS=1", "PING=1", "VERSION=1", "POST=0", "CONTAINERS=0");
	assert_int_equal(set.nrules, 3);
	assert_int_equal(nwarn, 0);

	/* Defaults can be turned off: then nothing is allowed. */
	LOAD("EVENTS=0", "PING=0", "VERSION=0");
	assert_int_equal(set.nrules, 0);
	DENY(GET, "/_ping");
}

static void
test_containers_read_only(void **state)
{
	(void)state;
	LOAD("CONTAINERS=1");
	assert_int_equal(set.nrules, 4);
	ALLOW(GET, "/containers/json");
	ALLOW(HEAD, "/containers/json");
	ALLOW(GET, "/containers/x/json");
	ALLOW(GET, "/containers/x/logs");
	ALLOW(GET, "/containers/x/archive");
	ALLOW(GET, "/containers");
	DENY(POST, "/containers/create");
	DENY(DELETE, "/containers/x");
	DENY(POST, "/containers/x/start");
	DENY(POST, "/containers/x/exec");
	DENY(PUT, "/containers/x/archive");
	/* Tecnativa's prefix would take these; dockerd routes none. */
	DENY(GET, "/containersXYZ");
	DENY(GET, "/containers-x/json");
	/* Only the containers section opened. */
	DENY(GET, "/exec/x/json");
	DENY(GET, "/images/json");

	assert_int_equal(warned("CONTAINERS=1 opens all of /containers"), 1);
	assert_int_equal(nwarn, 1);
	assert_non_null(strstr(warns[0], "--profile readonly"));
	assert_null(strstr(warns[0], "POST=1"));
	/* The WebSocket attach writes to stdin without POST: named. */
	assert_non_null(strstr(warns[0], "GET /containers/{id}/attach/ws"));
	assert_non_null(strstr(warns[0],
	    "SOCKWARD_DENY='GET /containers/{id}/attach/ws'"));
}

static void
test_containers_post(void **state)
{
	(void)state;
	LOAD("POST=1", "CONTAINERS=1");
	ALLOW(POST, "/containers/create");
	ALLOW(DELETE, "/containers/x");
	ALLOW(PUT, "/containers/x/archive");
	ALLOW(POST, "/containers/x/start");
	ALLOW(POST, "/containers/x/exec");
	ALLOW(GET, "/containers/json");
	/* POST lifts the method gate on the defaults too (harmless). */
	ALLOW(POST, "/_ping");
	DENY(POST, "/images/create");
	DENY(POST, "/exec/x/start");
	DENY(POST, "/networks/create");

	assert_int_equal(warned("POST=1 lets every method through"), 1);
	assert_int_equal(warned("CONTAINERS=1 opens all of /containers"), 1);
	assert_int_equal(nwarn, 2);
	assert_non_null(strstr(warns[0], "(CONTAINERS)"));
	assert_non_null(strstr(warns[0], "DELETE /containers/{id}"));
	assert_non_null(strstr(warns[1], "with POST=1 also create"));
}

static void
test_networks_post(void **state)
{
	(void)state;
	LOAD("POST=1", "NETWORKS=1");
	ALLOW(POST, "/networks/create");
	ALLOW(DELETE, "/networks/foo");
	ALLOW(GET, "/networks");
	ALLOW(POST, "/networks/foo/connect");
	DENY(GET, "/containers/json");
	DENY(POST, "/containers/create");
	assert_int_equal(nwarn, 1);
	assert_int_equal(warned("POST=1 lets every method through"), 1);
	assert_non_null(strstr(warns[0], "(NETWORKS)"));
	assert_non_null(strstr(warns[0], "DELETE /networks/{id}"));

	/* Tecnativa's test_post_permissions: POST=1 alone opens nothing. */
	LOAD("POST=1");
	DENY(POST, "/networks/create");
	DENY(POST, "/containers/create");
	DENY(POST, "/images/create");
	DENY(DELETE, "/containers/x");
	assert_int_equal(nwarn, 0);	/* no write route is open */

	/* Read-only sections: POST=1 adds nothing worth a warning. */
	LOAD("POST=1", "INFO=1", "TASKS=1", "SYSTEM=1", "DISTRIBUTION=1");
	assert_int_equal(nwarn, 0);
}

static void
test_allow_tecnativa(void **state)
{
	(void)state;
	/* Tecnativa: ALLOW_* sits behind the method gate (issue #101). */
	LOAD("ALLOW_START=1");
	DENY(POST, "/containers/x/start");
	assert_int_equal(set.nrules, 3);
	assert_int_equal(nwarn, 1);
	assert_int_equal(warned("ALLOW_START=1 has no effect while POST=0"),
	    1);
	assert_non_null(strstr(warns[0],
	    "--allow 'POST /containers/{id}/start'"));
	assert_non_null(strstr(warns[0], "SOCKWARD_COMPAT=linuxserver"));

	LOAD("CONTAINERS=1", "ALLOW_START=1");
	ALLOW(GET, "/containers/json");
	DENY(POST, "/containers/x/start");
	DENY(POST, "/containers/x/stop");
	assert_int_equal(warned("ALLOW_START=1 has no effect"), 1);
	assert_int_equal(warned("CONTAINERS=1"), 1);
	assert_int_equal(nwarn, 2);

	LOAD("ALLOW_RESTARTS=1", "ALLOW_STOP=1");
	assert_int_equal(nwarn, 1);
	assert_int_equal(warned("ALLOW_RESTARTS=1, ALLOW_STOP=1 have no "
	    "effect while POST=0"), 1);

	/* ALLOW_*=0 says nothing. */
	LOAD("ALLOW_START=0", "ALLOW_STOP=0", "ALLOW_RESTARTS=0");
	assert_int_equal(nwarn, 0);
	assert_int_equal(set.nrules, 3);

	/* With POST=1 they work, and narrowly: no /containers section. */
	LOAD("POST=1", "ALLOW_START=1");
	ALLOW(POST, "/containers/x/start");
	DENY(POST, "/containers/x/stop");
	DENY(DELETE, "/containers/x");
	DENY(GET, "/containers/json");
	DENY(GET, "/containers/x/start");
	DENY(POST, "/containers/x/start/more");
	DENY(POST, "/containers/start");
	assert_int_equal(nwarn, 0);
	assert_string_equal(set.rules[0].text, "POST /containers/{id}/start");

	LOAD("POST=1", "ALLOW_RESTARTS=1");
	ALLOW(POST, "/containers/x/stop");
	ALLOW(POST, "/containers/x/restart");
	ALLOW(POST, "/containers/x/kill");
	DENY(POST, "/containers/x/start");

	LOAD("POST=1", "ALLOW_STOP=1", "ALLOW_PAUSE=1", "ALLOW_UNPAUSE=1");
	ALLOW(POST, "/containers/x/stop");
	ALLOW(POST, "/containers/x/pause");
	ALLOW(POST, "/containers/x/unpause");
	DENY(POST, "/containers/x/restart");
	DENY(POST, "/containers/x/kill");
}

static void
test_allow_linuxserver(void **state)
{
	(void)state;
	/* linuxserver/socket-proxy: ALLOW_* above the gate. */
	LOAD("SOCKWARD_COMPAT=linuxserver", "ALLOW_START=1");
	ALLOW(POST, "/containers/x/start");
	DENY(POST, "/containers/x/stop");
	DENY(GET, "/containers/json");
	assert_int_equal(nwarn, 0);

	LOAD("SOCKWARD_COMPAT=LinuxServer", "CONTAINERS=1",
	    "ALLOW_RESTARTS=1");
	ALLOW(POST, "/containers/x/restart");
	ALLOW(POST, "/containers/x/kill");
	ALLOW(POST, "/containers/x/stop");
	DENY(POST, "/containers/x/start");
	DENY(POST, "/containers/create");
	DENY(DELETE, "/containers/x");

	/* Explicit tecnativa is the default reading. */
	LOAD("SOCKWARD_COMPAT=tecnativa", "ALLOW_START=1");
	DENY(POST, "/containers/x/start");
}

/* Every section: its path read-only, every method with POST=1. */
static void
test_every_section(void **state)
{
	static const struct {
		const char *var, *path;
	} secs[] = {
		{ "AUTH", "/auth" }, { "BUILD", "/build" },
		{ "COMMIT", "/commit" }, { "CONFIGS", "/configs/x" },
		{ "CONTAINERS", "/containers/json" },
		{ "DISTRIBUTION", "/distribution/alpine/json" },
		{ "EVENTS", "/events" }, { "EXEC", "/exec/x/json" },
		{ "GRPC", "/grpc" }, { "IMAGES", "/images/json" },
		{ "INFO", "/info" }, { "NETWORKS", "/networks/x" },
		{ "NODES", "/nodes/x" }, { "PING", "/_ping" },
		{ "PLUGINS", "/plugins/privileges" }, { "SECRETS", "/secrets" },
		{ "SERVICES", "/services/x/logs" }, { "SESSION", "/session" },
		{ "SWARM", "/swarm/unlockkey" }, { "SYSTEM", "/system/df" },
		{ "TASKS", "/tasks/x" }, { "VERSION", "/version" },
		{ "VOLUMES", "/volumes/x" },
	};
	char on[40];
	const char *env[6];
	size_t i, j, n;

	(void)state;
	for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		snprintf(on, sizeof(on), "%s=1", secs[i].var);
		/* Defaults off, so only this section is open. */
		n = 0;
		env[n++] = on;
		if (strcmp(secs[i].var, "EVENTS") != 0)
			env[n++] = "EVENTS=0";
		if (strcmp(secs[i].var, "PING") != 0)
			env[n++] = "PING=0";
		if (strcmp(secs[i].var, "VERSION") != 0)
			env[n++] = "VERSION=0";
		env[n] = NULL;
		load_env(env, __LINE__);
		assert_int_equal(set.nrules, 1);
		if (!allows(REQ_M_GET, secs[i].path))
			fail_msg("%s: GET %s denied", on, secs[i].path);
		if (!allows(REQ_M_HEAD, secs[i].path))
			fail_msg("%s: HEAD %s denied", on, secs[i].path);
		if (allows(REQ_M_POST, secs[i].path))
			fail_msg("%s: POST %s allowed", on, secs[i].path);
		for (j = 0; j < sizeof(secs) / sizeof(secs[0]); j++)
			if (j != i && allows(REQ_M_GET, secs[j].path))
				fail_msg("%s: GET %s allowed", on,
				    secs[j].path);

		env[n++] = "POST=1";
		env[n] = NULL;
		load_env(env, __LINE__);
		if (!allows(REQ_M_POST, secs[i].path) ||
		    !allows(REQ_M_DELETE, secs[i].path) ||
		    !allows(REQ_M_PUT, secs[i].path) ||
		    !allows(REQ_M_OPTIONS, secs[i].path))
			fail_msg("%s POST=1: a method on %s denied", on,
			    secs[i].path);
	}
}

static void
test_booleans(void **state)
{
	static const char *const on[] = {
		"1", "2", "-1", "+1", "007", "00000000000000000000001",
		"99999999999999999999999",
	};
	static const char *const off[] = {
		"0", "", "00", "-0", "+0", "false", "No", "OFF",
		"true", "TRUE", "Yes", "on",	/* haproxy reads words as 0 */
	};
	static const char *const bad[] = {
		"maybe", "1x", " 1", "1 ", "0x1", "2.0", "-", "+", "y", "t",
		"enable", "truee", "o",
	};
	char kv[64];
	const char *why;
	struct rule r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
		snprintf(kv, sizeof(kv), "CONTAINERS=%s", on[i]);
		load_env((const char *[]){ kv, NULL }, __LINE__);
		if (!allows(REQ_M_GET, "/containers/json"))
			fail_msg("'%s' read as off", kv);
	}
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		snprintf(kv, sizeof(kv), "CONTAINERS=%s", off[i]);
		load_env((const char *[]){ kv, NULL }, __LINE__);
		if (allows(REQ_M_GET, "/containers/json"))
			fail_msg("'%s' read as on", kv);
		/* Only the words are worth a warning. */
		assert_int_equal(nwarn, (off[i][0] >= '0' && off[i][0] <= '9') ||
		    off[i][0] == '\0' || off[i][0] == '-' || off[i][0] == '+' ||
		    strcasecmp(off[i], "false") == 0 ||
		    strcasecmp(off[i], "no") == 0 ||
		    strcasecmp(off[i], "off") == 0 ? 0 : 1);
	}

	/* A bad value: -1, a reason naming it, and the set untouched. */
	assert_int_equal(rule_parse("GET /mine", RULE_ALLOW, &r, &why), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rule_set_free(&set);
		clear_warns();
		assert_int_equal(rule_set_add(&set, &r, "--allow"), 0);
		snprintf(kv, sizeof(kv), "NETWORKS=%s", bad[i]);
		why = NULL;
		if (tec_load(tget, (const char *[]){ "POST=1", "CONTAINERS=1",
		    kv, NULL }, &set, collect, &nwarn, &why) != -1)
			fail_msg("'%s' accepted", kv);
		assert_non_null(why);
		assert_non_null(strstr(why, "NETWORKS="));
		assert_non_null(strstr(why, "not a boolean"));
		assert_int_equal(set.nrules, 1);
		assert_string_equal(set.rules[0].text, "GET /mine");
		assert_int_equal(nwarn, 0);	/* nothing said on failure */
	}

	/* Every variable is checked, not only the sections. */
	why = NULL;
	assert_int_equal(tec_load(tget, (const char *[]){ "POST=yes please",
	    NULL }, &set, collect, &nwarn, &why), -1);
	assert_non_null(strstr(why, "POST=yes please"));
	assert_int_equal(tec_load(tget, (const char *[]){ "ALLOW_STOP=x",
	    NULL }, &set, collect, &nwarn, &why), -1);
	assert_non_null(strstr(why, "ALLOW_STOP=x"));
	assert_int_equal(tec_load(tget, (const char *[]){ "PING=\x01\xff",
	    NULL }, &set, collect, &nwarn, &why), -1);
	assert_non_null(strstr(why, "PING=?? is not"));	/* no raw bytes */

	/* A long value is cut in the reason. */
	assert_int_equal(tec_load(tget, (const char *[]){ "EXEC="
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    NULL }, &set, collect, &nwarn, &why), -1);
	assert_true(strlen(why) < 120);
	assert_non_null(strstr(why, "..."));
}

static void
test_word_warning(void **state)
{
	(void)state;
	/* haproxy's -m bool reads "true" as 0: say so, once. */
	LOAD("CONTAINERS=true", "POST=0");
	DENY(GET, "/containers/json");
	assert_int_equal(warned("CONTAINERS=true is read as 0 (off), as "
	    "Tecnativa's haproxy reads"), 1);
	assert_int_equal(warned("CONTAINERS=1 opens"), 0);
	assert_int_equal(nwarn, 1);

	LOAD("CONTAINERS=false", "POST=off");
	assert_int_equal(nwarn, 0);

	LOAD("POST=Yes", "NETWORKS=on");
	assert_int_equal(warned("POST=Yes is read as 0"), 1);
	assert_int_equal(warned("NETWORKS=on is read as 0"), 1);
	assert_int_equal(warned("POST=1 lets every method through"), 0);
	assert_int_equal(nwarn, 2);
}

/* Each warning once, and only where it is true. */
static void
test_warnings_relevant(void **state)
{
	(void)state;
	LOAD("IMAGES=1");
	assert_int_equal(nwarn, 0);
	LOAD("IMAGES=1", "POST=1");
	assert_int_equal(warned("IMAGES=1 with POST=1"), 1);
	assert_int_equal(warned("POST=1 lets every method through"), 1);
	assert_int_equal(nwarn, 2);

	LOAD("EXEC=1");
	assert_int_equal(nwarn, 0);
	LOAD("EXEC=1", "CONTAINERS=1", "POST=1");
	assert_int_equal(warned("EXEC=1 with POST=1"), 1);
	assert_int_equal(warned("CONTAINERS=1 opens"), 1);
	assert_int_equal(warned("POST=1 lets"), 1);
	assert_int_equal(nwarn, 3);

	LOAD("SWARM=1");
	assert_int_equal(warned("SWARM=1 opens GET /swarm"), 1);
	assert_int_equal(nwarn, 1);
	assert_null(strstr(warns[0], "POST=1"));

	LOAD("BUILD=1", "COMMIT=1", "SESSION=1", "GRPC=1", "PLUGINS=1",
	    "SECRETS=1", "SERVICES=1", "AUTH=1");
	assert_int_equal(nwarn, 0);	/* read-only: nothing to say */

	LOAD("BUILD=1", "COMMIT=1", "SESSION=1", "GRPC=1", "PLUGINS=1",
	    "SECRETS=1", "SERVICES=1", "AUTH=1", "SWARM=1", "POST=1");
	assert_int_equal(warned("POST=1 lets"), 1);
	assert_int_equal(warned("BUILD=1 with POST=1"), 1);
	assert_int_equal(warned("COMMIT=1 with POST=1"), 1);
	assert_int_equal(warned("SESSION=1 or GRPC=1 with POST=1"), 1);
	assert_int_equal(warned("PLUGINS=1 with POST=1"), 1);
	assert_int_equal(warned("SECRETS=1 with POST=1"), 1);
	assert_int_equal(warned("SERVICES=1 with POST=1"), 1);
	assert_int_equal(warned("SWARM=1 opens GET /swarm"), 1);
	assert_int_equal(nwarn, 8);

	/* Without a callback nothing breaks. */
	rule_set_free(&set);
	assert_int_equal(tec_load(tget, (const char *[]){ "POST=1",
	    "CONTAINERS=1", NULL }, &set, NULL, NULL, NULL), 0);
	assert_int_equal(set.nrules, 4);
}

static void
test_compat_bad(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_int_equal(tec_load(tget, (const char *[]){
	    "SOCKWARD_COMPAT=wollomatic", "CONTAINERS=1", NULL }, &set,
	    collect, &nwarn, &why), -1);
	assert_string_equal(why,
	    "SOCKWARD_COMPAT must be tecnativa or linuxserver");
	assert_int_equal(set.nrules, 0);
	assert_int_equal(tec_load(NULL, NULL, &set, NULL, NULL, &why), -1);
	assert_int_equal(tec_load(tget, (const char *[]){ NULL }, NULL,
	    NULL, NULL, &why), -1);
}

/* Rules from another origin before ours keep their place and index. */
static void
test_appends(void **state)
{
	const char *why;
	struct rule r;

	(void)state;
	assert_int_equal(rule_parse("GET /info", RULE_ALLOW, &r, &why), 0);
	assert_int_equal(rule_set_add(&set, &r, "--allow"), 0);
	assert_int_equal(tec_load(tget, (const char *[]){ "CONTAINERS=1",
	    NULL }, &set, NULL, NULL, &why), 0);
	assert_int_equal(set.nrules, 5);
	assert_string_equal(set.rules[0].origin, "--allow");
	assert_string_equal(set.rules[1].origin, "tecnativa");
	assert_int_equal(set.rules[1].index, 1);
	assert_string_equal(set.rules[1].text, "GET,HEAD /containers/**");
	assert_int_equal(set.rules[4].index, 4);
}

/* ---- linuxserver/socket-proxy (SOCKWARD_COMPAT=linuxserver) ---- */

#define LSIO "SOCKWARD_COMPAT=linuxserver"

/* Its Dockerfile defaults: Tecnativa's plus LIBPOD_PING, LIBPOD_VERSION
 * and the five subpath denies. */
static void
test_lsio_defaults(void **state)
{
	size_t i;

	(void)state;
	LOAD(LSIO);
	assert_int_equal(set.nrules, 20 + 5);
	for (i = 0; i < 20; i++) {
		assert_int_equal(set.rules[i].action, RULE_DENY);
		assert_non_null(strstr(set.rules[i].reason, "=0 (linuxserver)"));
	}
	assert_string_equal(set.rules[0].text, "* /containers/{id}/archive "
	    "reason \"ALLOW_ARCHIVE=0 (linuxserver)\"");
	assert_string_equal(set.rules[20].text, "GET,HEAD /events/**");
	assert_string_equal(set.rules[23].text, "GET,HEAD /libpod/_ping");
	assert_string_equal(set.rules[24].text, "GET,HEAD /libpod/version/**");
	ALLOW(GET, "/libpod/_ping");
	ALLOW(HEAD, "/libpod/_ping");
	ALLOW(GET, "/libpod/version");
	ALLOW(GET, "/_ping");
	ALLOW(GET, "/events");
	DENY(POST, "/libpod/_ping");
	DENY(GET, "/libpod/info");
	DENY(GET, "/libpod/events");
	DENY(GET, "/libpod/containers/json");
	DENY(GET, "/libpod/_ping/x");
	assert_int_equal(nwarn, 0);

	/* Turned off like any other. */
	LOAD(LSIO, "LIBPOD_PING=0", "LIBPOD_VERSION=0", "PING=0",
	    "VERSION=0", "EVENTS=0");
	assert_int_equal(set.nrules, 20);
	DENY(GET, "/libpod/_ping");
	DENY(GET, "/libpod/version");
}

/* Every libpod section: read-only, every method with POST=1, and only
 * its own paths (never the Docker ones). */
static void
test_lsio_every_libpod_section(void **state)
{
	static const struct {
		const char *var, *path;
	} secs[] = {
		{ "LIBPOD_CONTAINERS", "/libpod/containers/json" },
		{ "LIBPOD_EVENTS", "/libpod/events" },
		{ "LIBPOD_EXEC", "/libpod/exec/x/json" },
		{ "LIBPOD_GENERATE", "/libpod/generate/kube" },
		{ "LIBPOD_IMAGES", "/libpod/images/json" },
		{ "LIBPOD_INFO", "/libpod/info" },
		{ "LIBPOD_MANIFESTS", "/libpod/manifests/x/json" },
		{ "LIBPOD_NETWORKS", "/libpod/networks/json" },
		{ "LIBPOD_PING", "/libpod/_ping" },
		{ "LIBPOD_PLAY", "/libpod/play/kube" },
		{ "LIBPOD_PODS", "/libpod/pods/json" },
		{ "LIBPOD_SECRETS", "/libpod/secrets/json" },
		{ "LIBPOD_SYSTEM", "/libpod/system/df" },
		{ "LIBPOD_VERSION", "/libpod/version" },
		{ "LIBPOD_VOLUMES", "/libpod/volumes/json" },
	};
	static const char *const docker[] = {
		"/containers/json", "/events", "/exec/x/json", "/images/json",
		"/info", "/networks", "/_ping", "/secrets", "/system/df",
		"/version", "/volumes",
	};
	char on[40];
	const char *env[16];
	size_t i, j, n;

	(void)state;
	for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		snprintf(on, sizeof(on), "%s=1", secs[i].var);
		n = 0;
		env[n++] = LSIO;
		env[n++] = on;
		env[n++] = "EVENTS=0";
		env[n++] = "PING=0";
		env[n++] = "VERSION=0";
		if (strcmp(secs[i].var, "LIBPOD_PING") != 0)
			env[n++] = "LIBPOD_PING=0";
		if (strcmp(secs[i].var, "LIBPOD_VERSION") != 0)
			env[n++] = "LIBPOD_VERSION=0";
		for (j = 0; j < 5; j++)		/* no subpath denies */
			env[n++] = (const char *[]){ "ALLOW_ARCHIVE=1",
			    "ALLOW_CHANGES=1", "ALLOW_EXPORT=1",
			    "ALLOW_LOGS=1", "ALLOW_TOP=1" }[j];
		env[n] = NULL;
		load_env(env, __LINE__);
		assert_int_equal(set.nrules, 1);
		/* An allow rule must name "/libpod" to grant libpod. */
		assert_non_null(strstr(set.rules[0].text, " /libpod/"));
		if (!allows(REQ_M_GET, secs[i].path) ||
		    !allows(REQ_M_HEAD, secs[i].path))
			fail_msg("%s: GET/HEAD %s denied", on, secs[i].path);
		if (allows(REQ_M_POST, secs[i].path) ||
		    allows(REQ_M_DELETE, secs[i].path))
			fail_msg("%s POST=0: POST/DELETE %s allowed", on,
			    secs[i].path);
		for (j = 0; j < sizeof(secs) / sizeof(secs[0]); j++)
			if (j != i && allows(REQ_M_GET, secs[j].path))
				fail_msg("%s: GET %s allowed", on,
				    secs[j].path);
		for (j = 0; j < sizeof(docker) / sizeof(docker[0]); j++)
			if (allows(REQ_M_GET, docker[j]))
				fail_msg("%s: GET %s allowed", on, docker[j]);

		env[n++] = "POST=1";
		env[n] = NULL;
		load_env(env, __LINE__);
		if (!allows(REQ_M_POST, secs[i].path) ||
		    !allows(REQ_M_DELETE, secs[i].path) ||
		    !allows(REQ_M_PUT, secs[i].path))
			fail_msg("%s POST=1: a method on %s denied", on,
			    secs[i].path);
	}
}

/* The subpath denies hold whatever the sections say, POST or not. */
static void
test_lsio_gates(void **state)
{
	static const struct {
		const char *var, *sub;
	} gates[] = {
		{ "ALLOW_ARCHIVE", "archive" }, { "ALLOW_CHANGES", "changes" },
		{ "ALLOW_EXPORT", "export" }, { "ALLOW_LOGS", "logs" },
		{ "ALLOW_TOP", "top" },
	};
	static const char *const fmt[] = {
		"/containers/x/%s", "/containers/web/db/%s",
		"/containers/x/%s/json", "/libpod/containers/x/%s",
		"/libpod/pods/x/%s",
	};
	char on[40], path[80];
	size_t i, j, k;

	(void)state;
	LOAD(LSIO, "CONTAINERS=1", "LIBPOD_CONTAINERS=1", "LIBPOD_PODS=1",
	    "POST=1");
	for (i = 0; i < sizeof(gates) / sizeof(gates[0]); i++)
		for (k = 0; k < sizeof(fmt) / sizeof(fmt[0]); k++) {
			snprintf(path, sizeof(path), fmt[k], gates[i].sub);
			if (allows(REQ_M_GET, path) || allows(REQ_M_PUT, path) ||
			    allows(REQ_M_HEAD, path))
				fail_msg("%s allowed", path);
		}
	ALLOW(GET, "/containers/x/json");
	ALLOW(GET, "/containers/x/stats");
	ALLOW(GET, "/libpod/containers/x/json");
	ALLOW(GET, "/libpod/pods/x/json");
	ALLOW(POST, "/containers/create");
	ALLOW(POST, "/libpod/containers/x/start");
	/* The 403 says which variable. */
	assert_string_equal(rule_match(&set, REQ_M_GET,
	    "/libpod/containers/x/logs", NULL, 0)->reason,
	    "ALLOW_LOGS=0 (linuxserver)");

	/* Each variable lifts its own deny only; the section decides. */
	for (i = 0; i < sizeof(gates) / sizeof(gates[0]); i++) {
		snprintf(on, sizeof(on), "%s=1", gates[i].var);
		load_env((const char *[]){ LSIO, "CONTAINERS=1",
		    "LIBPOD_CONTAINERS=1", "LIBPOD_PODS=1", on, NULL },
		    __LINE__);
		assert_int_equal(set.nrules, 16 + 8);
		for (j = 0; j < sizeof(gates) / sizeof(gates[0]); j++)
			for (k = 0; k < sizeof(fmt) / sizeof(fmt[0]); k++) {
				snprintf(path, sizeof(path), fmt[k],
				    gates[j].sub);
				if (allows(REQ_M_GET, path) != (i == j))
					fail_msg("%s: GET %s %s", on, path,
					    i == j ? "denied" : "allowed");
				/* POST=0: the gate still applies. */
				if (allows(REQ_M_PUT, path))
					fail_msg("%s: PUT %s allowed", on,
					    path);
			}
		/* Alone it opens nothing. */
		load_env((const char *[]){ LSIO, on, NULL }, __LINE__);
		snprintf(path, sizeof(path), "/containers/x/%s",
		    gates[i].sub);
		if (allows(REQ_M_GET, path))
			fail_msg("%s alone: GET %s allowed", on, path);
	}
}

/* ALLOW_* without POST on every family; LIBPOD_ALLOW_* on one each. */
static void
test_lsio_allows(void **state)
{
	static const struct {
		const char *var;
		const char *acts;	/* each word between spaces */
		int docker, ctr, pod;
	} al[] = {
		{ "ALLOW_RESTARTS", " stop restart kill ", 1, 1, 1 },
		{ "ALLOW_START", " start ", 1, 1, 1 },
		{ "ALLOW_STOP", " stop ", 1, 1, 1 },
		{ "ALLOW_PAUSE", " pause ", 1, 1, 1 },
		{ "ALLOW_UNPAUSE", " unpause ", 1, 1, 1 },
		{ "LIBPOD_ALLOW_RESTARTS", " stop restart kill ", 0, 1, 0 },
		{ "LIBPOD_ALLOW_START", " start ", 0, 1, 0 },
		{ "LIBPOD_ALLOW_STOP", " stop ", 0, 1, 0 },
		{ "LIBPOD_ALLOW_PAUSE", " pause ", 0, 1, 0 },
		{ "LIBPOD_ALLOW_UNPAUSE", " unpause ", 0, 1, 0 },
		{ "LIBPOD_ALLOW_POD_RESTARTS", " stop restart kill ", 0, 0, 1 },
		{ "LIBPOD_ALLOW_POD_START", " start ", 0, 0, 1 },
		{ "LIBPOD_ALLOW_POD_STOP", " stop ", 0, 0, 1 },
		{ "LIBPOD_ALLOW_POD_PAUSE", " pause ", 0, 0, 1 },
		{ "LIBPOD_ALLOW_POD_UNPAUSE", " unpause ", 0, 0, 1 },
	};
	static const char *const acts[] = {
		"start", "stop", "restart", "kill", "pause", "unpause"
	};
	char on[48], path[80], word[16];
	size_t i, j;
	int want;

	(void)state;
	for (i = 0; i < sizeof(al) / sizeof(al[0]); i++) {
		snprintf(on, sizeof(on), "%s=1", al[i].var);
		load_env((const char *[]){ LSIO, on, NULL }, __LINE__);
		assert_int_equal(nwarn, 0);
		for (j = 0; j < sizeof(acts) / sizeof(acts[0]); j++) {
			snprintf(word, sizeof(word), " %s ", acts[j]);
			want = strstr(al[i].acts, word) != NULL;
			snprintf(path, sizeof(path), "/containers/x/%s",
			    acts[j]);
			if (allows(REQ_M_POST, path) != (want && al[i].docker))
				fail_msg("%s: POST %s", on, path);
			snprintf(path, sizeof(path),
			    "/libpod/containers/x/%s", acts[j]);
			if (allows(REQ_M_POST, path) != (want && al[i].ctr))
				fail_msg("%s: POST %s", on, path);
			snprintf(path, sizeof(path), "/libpod/pods/x/%s",
			    acts[j]);
			if (allows(REQ_M_POST, path) != (want && al[i].pod))
				fail_msg("%s: POST %s", on, path);
			/* POST only; "/pods" without "/libpod" is no route */
			if (allows(REQ_M_GET, path))
				fail_msg("%s: GET %s allowed", on, path);
			snprintf(path, sizeof(path), "/pods/x/%s", acts[j]);
			if (allows(REQ_M_POST, path))
				fail_msg("%s: POST %s allowed", on, path);
		}
		DENY(POST, "/libpod/containers/create");
		DENY(GET, "/libpod/containers/json");
	}
}

/* Without POST=1 the libpod sections read only; ALLOW_* still write. */
static void
test_lsio_post_gate(void **state)
{
	(void)state;
	LOAD(LSIO, "LIBPOD_CONTAINERS=1", "LIBPOD_ALLOW_START=1");
	ALLOW(GET, "/libpod/containers/json");
	ALLOW(HEAD, "/libpod/containers/x/json");
	ALLOW(POST, "/libpod/containers/x/start");
	DENY(POST, "/libpod/containers/create");
	DENY(POST, "/libpod/containers/x/stop");
	DENY(DELETE, "/libpod/containers/x");
	DENY(GET, "/containers/json");

	LOAD(LSIO, "LIBPOD_CONTAINERS=1", "POST=1");
	ALLOW(POST, "/libpod/containers/create");
	ALLOW(POST, "/libpod/containers/x/stop");
	ALLOW(DELETE, "/libpod/containers/x");
	DENY(GET, "/libpod/containers/x/logs");	/* ALLOW_LOGS=0 */
	DENY(POST, "/containers/create");
	assert_int_equal(warned("POST=1 lets every method through"), 1);
	assert_int_equal(warned("LIBPOD_CONTAINERS=1 opens"), 1);
	assert_int_equal(warned("libpod sections with POST=1"), 0);
}

/* Under Tecnativa, linuxserver's variables are an error naming them. */
static void
test_lsio_vars_refused_by_tecnativa(void **state)
{
	static const char *const vars[] = {
		"LIBPOD_CONTAINERS", "LIBPOD_EVENTS", "LIBPOD_EXEC",
		"LIBPOD_GENERATE", "LIBPOD_IMAGES", "LIBPOD_INFO",
		"LIBPOD_MANIFESTS", "LIBPOD_NETWORKS", "LIBPOD_PING",
		"LIBPOD_PLAY", "LIBPOD_PODS", "LIBPOD_SECRETS",
		"LIBPOD_SYSTEM", "LIBPOD_VERSION", "LIBPOD_VOLUMES",
		"LIBPOD_ALLOW_START", "LIBPOD_ALLOW_STOP",
		"LIBPOD_ALLOW_RESTARTS", "LIBPOD_ALLOW_PAUSE",
		"LIBPOD_ALLOW_UNPAUSE", "LIBPOD_ALLOW_POD_START",
		"LIBPOD_ALLOW_POD_STOP", "LIBPOD_ALLOW_POD_RESTARTS",
		"LIBPOD_ALLOW_POD_PAUSE", "LIBPOD_ALLOW_POD_UNPAUSE",
		"ALLOW_ARCHIVE", "ALLOW_CHANGES", "ALLOW_EXPORT", "ALLOW_LOGS",
		"ALLOW_TOP",
	};
	char kv[48], want[96];
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		snprintf(kv, sizeof(kv), "%s=0", vars[i]);
		snprintf(want, sizeof(want), "%s is linuxserver/socket-proxy's "
		    "variable, not Tecnativa's; set SOCKWARD_COMPAT="
		    "linuxserver", vars[i]);
		rule_set_free(&set);
		why = NULL;
		assert_int_equal(tec_load(tget, (const char *[]){
		    "CONTAINERS=1", kv, NULL }, &set, NULL, NULL, &why), -1);
		assert_non_null(why);
		if (strncmp(why, want, strlen(want)) != 0)
			fail_msg("%s: %s", kv, why);
		assert_int_equal(set.nrules, 0);
		assert_int_equal(tec_load(tget, (const char *[]){
		    "SOCKWARD_COMPAT=tecnativa", kv, NULL }, &set, NULL, NULL,
		    &why), -1);
		/* They switch the mode on, so the error is seen. */
		assert_int_equal(tec_enabled(tget, (const char *[]){ kv,
		    NULL }), 1);
		/* And linuxserver reads them. */
		assert_int_equal(tec_load(tget, (const char *[]){ LSIO, kv,
		    NULL }, &set, NULL, NULL, &why), 0);
	}
	/* A bad value under linuxserver is the usual error. */
	assert_int_equal(tec_load(tget, (const char *[]){ LSIO,
	    "LIBPOD_PODS=maybe", NULL }, &set, NULL, NULL, &why), -1);
	assert_string_equal(why, "LIBPOD_PODS=maybe is not a boolean "
	    "(Tecnativa mode; use 1 or 0)");
	LOAD(LSIO, "ALLOW_LOGS=true", "CONTAINERS=1");
	assert_int_equal(warned("ALLOW_LOGS=true is read as 0"), 1);
	DENY(GET, "/containers/x/logs");
}

static void
test_check_names(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_int_equal(tec_check_names(NULL, &why), 0);
	assert_int_equal(tec_check_names((char *[]){ NULL }, &why), 0);
	assert_int_equal(tec_check_names((char *[]){ "PATH=/bin",
	    "LIBPOD_CONTAINERS=1", "LIBPOD_ALLOW_POD_UNPAUSE=0",
	    "LIBPOD_VERSION", "libpod_foo=1", "XLIBPOD_FOO=1", NULL },
	    &why), 0);
	assert_int_equal(tec_check_names((char *[]){ "PATH=/bin",
	    "LIBPOD_CONTAINER=1", "LIBPOD_FOO=1", NULL }, &why), -1);
	assert_string_equal(why, "LIBPOD_CONTAINER is not one of "
	    "linuxserver/socket-proxy's LIBPOD_* variables, and sockward "
	    "will not guess what it should allow; remove it or use one of "
	    "theirs");
	assert_int_equal(tec_check_names((char *[]){ "LIBPOD_=1", NULL },
	    &why), -1);
	assert_string_equal(strstr(why, " is not") - 7, "LIBPOD_ is not one "
	    "of linuxserver/socket-proxy's LIBPOD_* variables, and sockward "
	    "will not guess what it should allow; remove it or use one of "
	    "theirs");
	assert_int_equal(tec_check_names((char *[]){ "LIBPOD_PINGS", NULL },
	    NULL), -1);
	/* A prefix of a real name is not that name. */
	assert_int_equal(tec_check_names((char *[]){ "LIBPOD_PIN=1", NULL },
	    &why), -1);
	assert_int_equal(tec_check_names((char *[]){
	    "LIBPOD_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=1", NULL },
	    &why), -1);
	assert_non_null(strstr(why, "AAAA... is not one of"));
}

/* The linuxserver warnings say what its denies leave open. */
static void
test_lsio_warnings(void **state)
{
	(void)state;
	LOAD(LSIO, "CONTAINERS=1");
	assert_int_equal(nwarn, 1);
	assert_int_equal(warned("CONTAINERS=1 opens all of /containers but "
	    "what linuxserver's"), 1);
	assert_non_null(strstr(warns[0], "stats is open too"));

	LOAD(LSIO, "CONTAINERS=1", "ALLOW_LOGS=1", "ALLOW_EXPORT=1");
	assert_non_null(strstr(warns[0], "stats, export, logs are open"));

	LOAD(LSIO, "LIBPOD_SECRETS=1", "LIBPOD_GENERATE=1",
	    "LIBPOD_IMAGES=1");
	assert_int_equal(warned("LIBPOD_SECRETS=1 opens"), 1);
	assert_int_equal(warned("LIBPOD_GENERATE=1 opens"), 1);
	assert_int_equal(warned("LIBPOD_IMAGES=1 opens"), 1);
	assert_int_equal(nwarn, 3);

	LOAD(LSIO, "LIBPOD_PLAY=1", "POST=1");
	assert_int_equal(warned("libpod sections with POST=1"), 1);
	assert_int_equal(warned("POST=1 lets every method through"), 1);
	assert_non_null(strstr(warns[0], "DELETE /libpod/play/kube"));
	assert_int_equal(nwarn, 2);

	/* Read-only libpod sections say nothing. */
	LOAD(LSIO, "LIBPOD_INFO=1", "LIBPOD_EVENTS=1", "LIBPOD_PODS=1",
	    "LIBPOD_VOLUMES=1", "LIBPOD_NETWORKS=1", "LIBPOD_SYSTEM=1");
	assert_int_equal(nwarn, 0);
}

#define ENABLED(...) tec_enabled(tget, (const char *[]){ __VA_ARGS__, NULL })

static void
test_enabled(void **state)
{
	(void)state;
	assert_int_equal(tec_enabled(tget, (const char *[]){ NULL }), 0);
	assert_int_equal(ENABLED("PATH=/bin", "HOME=/root"), 0);
	/* Shared names: read by the daemon, not a switch. */
	assert_int_equal(ENABLED("LOG_LEVEL=info", "SOCKET_PATH=/x",
	    "DISABLE_IPV6=1"), 0);
	assert_int_equal(ENABLED("SOCKWARD_COMPAT=wollomatic"), 0);
	assert_int_equal(ENABLED("SOCKWARD_COMPAT="), 0);
	assert_int_equal(ENABLED("CONTAINERSX=1"), 0);

	assert_int_equal(ENABLED("CONTAINERS=1"), 1);
	assert_int_equal(ENABLED("CONTAINERS=0"), 1);
	assert_int_equal(ENABLED("POST=0"), 1);
	assert_int_equal(ENABLED("EVENTS=1"), 1);
	assert_int_equal(ENABLED("VOLUMES="), 1);
	assert_int_equal(ENABLED("ALLOW_START=0"), 1);
	assert_int_equal(ENABLED("ALLOW_STOP=1"), 1);
	assert_int_equal(ENABLED("ALLOW_RESTARTS=1"), 1);
	assert_int_equal(ENABLED("ALLOW_PAUSE=1"), 1);
	assert_int_equal(ENABLED("ALLOW_UNPAUSE=1"), 1);
	assert_int_equal(ENABLED("SOCKWARD_COMPAT=tecnativa"), 1);
	assert_int_equal(ENABLED("SOCKWARD_COMPAT=Tecnativa"), 1);
	assert_int_equal(ENABLED("SOCKWARD_COMPAT=linuxserver"), 1);
	assert_int_equal(ENABLED("LIBPOD_PING=1"), 1);
	assert_int_equal(ENABLED("LIBPOD_ALLOW_POD_STOP=0"), 1);
	assert_int_equal(ENABLED("ALLOW_TOP="), 1);
	assert_int_equal(ENABLED("LIBPOD_FOO=1"), 0);	/* tec_check_names */
	assert_int_equal(tec_enabled(NULL, NULL), 0);
}

#define LISTEN(...) tec_listen(tget, (const char *[]){ __VA_ARGS__, NULL })

static void
test_listen(void **state)
{
	(void)state;
	assert_string_equal(tec_listen(tget, (const char *[]){ NULL }),
	    "tcp://*:2375");
	assert_string_equal(LISTEN("DISABLE_IPV6=0"), "tcp://*:2375");
	assert_string_equal(LISTEN("DISABLE_IPV6="), "tcp://*:2375");
	assert_string_equal(LISTEN("DISABLE_IPV6=no"), "tcp://*:2375");
	/* Tecnativa's entrypoint tests exactly 1, true, yes. */
	assert_string_equal(LISTEN("DISABLE_IPV6=on"), "tcp://*:2375");
	assert_string_equal(LISTEN("DISABLE_IPV6=1"), "tcp://0.0.0.0:2375");
	assert_string_equal(LISTEN("DISABLE_IPV6=true"), "tcp://0.0.0.0:2375");
	assert_string_equal(LISTEN("DISABLE_IPV6=TRUE"), "tcp://0.0.0.0:2375");
	assert_string_equal(LISTEN("DISABLE_IPV6=Yes"), "tcp://0.0.0.0:2375");
	assert_string_equal(tec_listen(NULL, NULL), "tcp://*:2375");
}

/* Tecnativa's LOG_LEVEL uses haproxy's names. */
static void
test_log_level(void **state)
{
	(void)state;
	assert_null(tec_log_level(NULL));
	assert_string_equal(tec_log_level("debug"), "debug");
	assert_string_equal(tec_log_level("INFO"), "info");
	assert_string_equal(tec_log_level("notice"), "info");
	assert_string_equal(tec_log_level("warning"), "warn");
	assert_string_equal(tec_log_level("Warn"), "warn");
	assert_string_equal(tec_log_level("err"), "error");
	assert_string_equal(tec_log_level("emerg"), "error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_defaults, teardown),
		cmocka_unit_test_teardown(test_containers_read_only, teardown),
		cmocka_unit_test_teardown(test_containers_post, teardown),
		cmocka_unit_test_teardown(test_networks_post, teardown),
		cmocka_unit_test_teardown(test_allow_tecnativa, teardown),
		cmocka_unit_test_teardown(test_allow_linuxserver, teardown),
		cmocka_unit_test_teardown(test_every_section, teardown),
		cmocka_unit_test_teardown(test_booleans, teardown),
		cmocka_unit_test_teardown(test_word_warning, teardown),
		cmocka_unit_test_teardown(test_warnings_relevant, teardown),
		cmocka_unit_test_teardown(test_compat_bad, teardown),
		cmocka_unit_test_teardown(test_appends, teardown),
		cmocka_unit_test_teardown(test_enabled, teardown),
		cmocka_unit_test_teardown(test_lsio_defaults, teardown),
		cmocka_unit_test_teardown(test_lsio_every_libpod_section,
		    teardown),
		cmocka_unit_test_teardown(test_lsio_gates, teardown),
		cmocka_unit_test_teardown(test_lsio_allows, teardown),
		cmocka_unit_test_teardown(test_lsio_post_gate, teardown),
		cmocka_unit_test_teardown(test_lsio_vars_refused_by_tecnativa,
		    teardown),
		cmocka_unit_test_teardown(test_check_names, teardown),
		cmocka_unit_test_teardown(test_lsio_warnings, teardown),
		cmocka_unit_test_teardown(test_listen, teardown),
		cmocka_unit_test_teardown(test_log_level, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
