/*
 * test_profile.c - the built-in profiles.
 *
 * For every profile, the calls its client makes (docs/PROFILES.md and
 * ../shared/docs/clients.md, beside the repository) must pass and a list of calls it has no
 * business making must not.  Each call is a raw request target, judged
 * the way the daemon judges it: canon_target (which strips "/vN.M"), then
 * rule_match on the canonical path and the raw query.  Every allowed call
 * is tried both bare and with a "/v1.41" prefix.  Also: every line
 * parses and is already normalised, profile_print re-parses to the loaded
 * rules, loading is all or nothing, and combining profiles is ordered.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "canon.h"
#include "engine_api.h"
#include "profile.h"
#include "profile_doc.h"
#include "rule.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* One request: method and raw origin-form target (path and query). */
struct call {
	const char	*method;
	const char	*target;
};

struct pcase {
	const char	*profile;
	const struct call *ok;
	size_t		 nok;
	const struct call *bad;
	size_t		 nbad;
};

static const char *const method_names[REQ_M_COUNT] = {
	[REQ_M_GET] = "GET", [REQ_M_HEAD] = "HEAD", [REQ_M_POST] = "POST",
	[REQ_M_PUT] = "PUT", [REQ_M_DELETE] = "DELETE",
	[REQ_M_PATCH] = "PATCH", [REQ_M_OPTIONS] = "OPTIONS",
};

static enum req_method
method_of(const char *s)
{
	int i;

	for (i = 0; i < REQ_M_COUNT; i++)
		if (strcmp(method_names[i], s) == 0)
			return (enum req_method)i;
	fail_msg("unknown method %s in test table", s);
	return REQ_M_GET;
}

/* Load one profile into a fresh set (the caller frees it). */
static void
load(struct rule_set *set, const char *name)
{
	const struct profile *p = profile_find(name);

	memset(set, 0, sizeof(*set));
	if (p == NULL)
		fail_msg("no profile %s", name);
	if (profile_load(p, set) != 0)
		fail_msg("profile %s does not load", name);
}

/*
 * Judge a raw target against set.  Returns the deciding rule or NULL (no
 * rule: default deny).  A target canon refuses fails the test: the tables
 * hold only targets a real client sends.
 */
static const struct rule *
judge(const struct rule_set *set, const char *method, const char *target)
{
	static struct canon_target ct;
	const char *why = NULL;

	if (canon_target(target, strlen(target), &ct, &why) != 0)
		fail_msg("canon refused %s: %s", target, why);
	return rule_match(set, method_of(method), ct.path, ct.query,
	    ct.query_len);
}

static int
allowed(const struct rule_set *set, const char *method, const char *target)
{
	const struct rule *r = judge(set, method, target);

	return r != NULL && r->action == RULE_ALLOW;
}

/* Does target carry its own version prefix ("/v4.3.1/libpod/...")? */
static int
has_version(const char *target)
{
	return target[0] == '/' && target[1] == 'v' && target[2] >= '0' &&
	    target[2] <= '9';
}

static void
check_case(const struct pcase *c)
{
	struct rule_set set;
	char vt[CANON_MAX_PATH];
	const struct rule *r;
	size_t i;

	load(&set, c->profile);
	for (i = 0; i < c->nok; i++) {
		if (!allowed(&set, c->ok[i].method, c->ok[i].target))
			fail_msg("%s: %s %s denied, client needs it",
			    c->profile, c->ok[i].method, c->ok[i].target);
		snprintf(vt, sizeof(vt), "/v1.41%s", c->ok[i].target);
		if (!has_version(c->ok[i].target) &&
		    !allowed(&set, c->ok[i].method, vt))
			fail_msg("%s: %s %s denied, client needs it",
			    c->profile, c->ok[i].method, vt);
	}
	for (i = 0; i < c->nbad; i++) {
		r = judge(&set, c->bad[i].method, c->bad[i].target);
		if (r != NULL && r->action == RULE_ALLOW)
			fail_msg("%s: %s %s allowed by rule %d '%s'",
			    c->profile, c->bad[i].method, c->bad[i].target,
			    r->index, r->text);
		snprintf(vt, sizeof(vt), "/v1.41%s", c->bad[i].target);
		if (!has_version(c->bad[i].target) &&
		    allowed(&set, c->bad[i].method, vt))
			fail_msg("%s: %s %s allowed", c->profile,
			    c->bad[i].method, vt);
	}
	rule_set_free(&set);
}

/* Ids and names as clients send them. */
#define CID	"4f66ad9a0b2e6a1d2c38f0b2d1b9d7e5c4a3b2a1f0e9d8c7b6a5f4e3d2c1b0a9"
#define CID2	"0123456789ab"
#define CNAME	"nginx-proxy"
#define SID	"9mnpnzenvg8p8tdbtq4wvbkcz"
#define TID	"0kzzo1i0y4jz6027t0k7aezc7"
#define NID	"24ifsmvkjbyhk"
#define IMGID	"sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741"
#define EXECID	"b53ee82b53a40c7dca428523e34f741f3abc51d9f297a14ff874bf761b995126"

/* Go client encodings of common filters. */
#define F_RUNNING	"filters=%7B%22status%22%3A%7B%22running%22%3Atrue%7D%7D"
#define F_CONTAINER	"filters=%7B%22type%22%3A%7B%22container%22%3Atrue%7D%7D"
#define F_SWARM		"filters=%7B%22scope%22%3A%7B%22swarm%22%3Atrue%7D%7D"
#define F_SERVICE	"filters=%7B%22service%22%3A%7B%22" SID "%22%3Atrue%7D%7D"

/* Calls no read-only client should get through. */
#define WRITES								\
	{ "POST", "/containers/create?name=x" },			\
	{ "POST", "/containers/" CID "/exec" },				\
	{ "POST", "/exec/" EXECID "/start" },				\
	{ "POST", "/containers/" CID "/attach?stream=1&stdin=1" },	\
	{ "POST", "/containers/" CID "/start" },			\
	{ "POST", "/containers/" CID "/stop" },				\
	{ "POST", "/containers/" CID "/restart" },			\
	{ "POST", "/containers/" CID "/kill" },				\
	{ "POST", "/containers/" CID "/update" },			\
	{ "DELETE", "/containers/" CID "?force=1" },			\
	{ "PUT", "/containers/" CID "/archive?path=/etc" },		\
	{ "POST", "/containers/prune" },				\
	{ "POST", "/images/create?fromImage=alpine&tag=latest" },	\
	{ "POST", "/build" },						\
	{ "POST", "/images/load" },					\
	{ "DELETE", "/images/" IMGID },					\
	{ "POST", "/volumes/create" },					\
	{ "POST", "/networks/create" },					\
	{ "POST", "/networks/bridge/connect" },				\
	{ "POST", "/plugins/pull?remote=x" },				\
	{ "POST", "/swarm/init" },					\
	{ "POST", "/services/create" },					\
	{ "POST", "/secrets/create" },					\
	{ "POST", "/session" },						\
	{ "POST", "/grpc" },						\
	{ "POST", "/auth" },						\
	{ "OPTIONS", "/containers/json" }

/* Reads that leak data and that no profile but its own client needs. */
#define LEAKS								\
	{ "GET", "/containers/" CID "/export" },			\
	{ "GET", "/containers/" CID "/archive?path=/etc/shadow" },	\
	{ "HEAD", "/containers/" CID "/archive?path=/etc/shadow" },	\
	{ "GET", "/containers/" CID "/attach/ws?stream=1" },		\
	{ "GET", "/images/get?names=alpine" },				\
	{ "GET", "/images/alpine/get" },				\
	{ "GET", "/images/library/nginx:latest/get" },			\
	{ "GET", "/swarm/unlockkey" },					\
	{ "GET", "/debug/vars" },					\
	{ "GET", "/debug/pprof/heap" },					\
	{ "GET", "/secrets" },						\
	{ "GET", "/configs" },						\
	{ "GET", "/containers/" CID "/top" },				\
	{ "GET", "/containers/" CID "/changes" }

/* Every profile but "none": Go clients ping with HEAD, the Python SDK
 * with GET, and its version="auto" asks for an unprefixed /version. */
#define PING_VERSION							\
	{ "HEAD", "/_ping" },						\
	{ "GET", "/_ping" },						\
	{ "GET", "/version" }

/* Container lists that do not make dockerd compute sizes ... */
#define SIZE_OK								\
	{ "GET", "/containers/json?size=0" },				\
	{ "GET", "/containers/json?size=false" },			\
	{ "GET", "/containers/json?all=1&size=False" },			\
	{ "GET", "/containers/json?size=" }

/* ... and lists that do (dockerd's BoolValue: anything but "", "0",
 * "no", "false", "none" is true; it reads the first of repeated keys,
 * a constraint checks them all). */
#define SIZE_BAD							\
	{ "GET", "/containers/json?size=1" },				\
	{ "GET", "/containers/json?all=1&size=1" },			\
	{ "GET", "/containers/json?size=true" },			\
	{ "GET", "/containers/json?size=True" },			\
	{ "GET", "/containers/json?size=yes" },				\
	{ "GET", "/containers/json?size=0&size=1" },			\
	{ "GET", "/containers/json?size=1&size=0" }

#define NOLOGS								\
	{ "GET", "/containers/" CID "/logs?follow=1&stdout=1&stderr=1" }, \
	{ "GET", "/services/" SID "/logs?follow=1" },			\
	{ "GET", "/tasks/" TID "/logs" }

/* ---- traefik ---- */

static const struct call traefik_ok[] = {
	PING_VERSION, SIZE_OK,
	{ "GET", "/containers/json?all=1" },
	{ "GET", "/containers/json" },
	{ "GET", "/containers/" CID "/json" },
	{ "GET", "/events?" F_CONTAINER },
	{ "GET", "/services" },
	{ "GET", "/networks?" F_SWARM },
	{ "GET", "/tasks?" F_SERVICE },
	{ "GET", "/nodes/" NID },
};

static const struct call traefik_bad[] = {
	WRITES, LEAKS, NOLOGS, SIZE_BAD,
	{ "GET", "/info" },
	{ "GET", "/images/json" },
	{ "GET", "/containers/" CID "/stats" },
	{ "HEAD", "/version" },
	{ "GET", "/nodes" },
	{ "GET", "/volumes" },
};

/* ---- readonly ---- */

static const struct call readonly_ok[] = {
	PING_VERSION, SIZE_OK,
	{ "GET", "/info" },
	{ "GET", "/events?since=1700000000&" F_CONTAINER },
	{ "GET", "/containers/json?all=1" },
	{ "GET", "/containers/" CID "/json" },
	{ "GET", "/containers/" CNAME "/json" },
	{ "GET", "/containers/" CID "/top?ps_args=aux" },
	{ "GET", "/containers/" CID "/stats?stream=0" },
	{ "GET", "/containers/" CID "/changes" },
	{ "GET", "/exec/" EXECID "/json" },
	{ "GET", "/images/json?all=0" },
	{ "GET", "/images/" IMGID "/json" },
	{ "GET", "/images/alpine:3.19/json" },
	{ "GET", "/images/library/nginx:latest/json" },
	{ "GET", "/images/ghcr.io/org/team/app:1.2/history" },
	{ "GET", "/images/get/json" },	/* inspect of an image named "get" */
	{ "GET", "/networks" },
	{ "GET", "/networks/bridge" },
	{ "GET", "/volumes" },
	{ "GET", "/volumes/data" },
	{ "GET", "/system/df" },
	{ "GET", "/services?status=true" },
	{ "GET", "/services/" SID },
	{ "GET", "/tasks" },
	{ "GET", "/tasks/" TID },
	{ "GET", "/nodes" },
	{ "GET", "/plugins" },
	{ "GET", "/secrets" },
	{ "GET", "/configs" },
	{ "HEAD", "/containers/json" },
	/* 10 segments: the deepest path the guard lets through */
	{ "GET", "/images/a/b/c/d/e/f/g/h/json" },
};

static const struct call readonly_bad[] = {
	WRITES, NOLOGS, SIZE_BAD,
	{ "GET", "/containers/" CID "/export" },
	{ "GET", "/swarm" },	/* returns the join tokens */
	{ "GET", "/containers/" CID "/archive?path=/etc/shadow" },
	{ "HEAD", "/containers/" CID "/archive?path=/etc/shadow" },
	{ "HEAD", "/containers/" CID "/logs" },
	{ "HEAD", "/containers/" CID "/export" },
	{ "GET", "/containers/" CID "/attach/ws?stream=1" },
	{ "HEAD", "/containers/" CID "/attach/ws" },
	/* legacy link names hold a '/' and dockerd routes {name:.*} */
	{ "GET", "/containers/web/db/logs?follow=1" },
	{ "GET", "/containers/web/db/archive?path=/" },
	{ "GET", "/containers/web/db/export" },
	{ "GET", "/images/get?names=alpine" },
	{ "HEAD", "/images/get" },
	{ "GET", "/images/alpine/get" },
	{ "GET", "/images/" IMGID "/get" },
	{ "GET", "/images/library/nginx:latest/get" },
	{ "GET", "/images/ghcr.io/org/team/app:1/get" },
	{ "GET", "/images/a/b/c/d/e/f/g/h/get" },
	{ "GET", "/images/a/b/c/d/e/f/g/h/i/get" },
	{ "GET", "/images/a/b/c/d/e/f/g/h/i/j/k/l/m/n/get" },
	{ "GET", "/a/b/c/d/e/f/g/h/i/j/k" },
	{ "GET", "/swarm/unlockkey" },
	{ "HEAD", "/swarm/unlockkey" },
	{ "GET", "/debug/vars" },
	{ "GET", "/debug/pprof/heap" },
	{ "GET", "/debug/pprof/goroutine?debug=2" },
	{ "PATCH", "/containers/json" },
	/* its catch-all never reaches Podman's libpod API (rule.h) */
	{ "GET", "/v4.3.1/libpod/_ping" },
	{ "GET", "/v4.3.1/libpod/containers/json" },
	{ "GET", "/v4.3.1/libpod/containers/" CNAME "/export" },
	{ "GET", "/v4.3.1/libpod/containers/" CNAME "/logs" },
	{ "GET", "/v4.3.1/libpod/secrets/s1/json?showsecret=true" },
	{ "GET", "/v4.3.1/libpod/generate/kube?names=" CNAME },
	{ "GET", "/libpod/info" },
	{ "GET", "/v1.41/libpod/info" },
};

/* podman-readonly: readonly's Docker rules and podman --remote's reads. */
static const struct call podman_ro_ok[] = {
	PING_VERSION, SIZE_OK,
	{ "GET", "/info" },
	{ "GET", "/containers/" CID "/json" },
	{ "GET", "/images/json?all=0" },
	{ "HEAD", "/libpod/_ping" },
	{ "GET", "/v4.3.1/libpod/_ping" },
	{ "GET", "/v4.3.1/libpod/version" },
	{ "GET", "/v4.3.1/libpod/info" },
	{ "GET", "/v4.3.1/libpod/events?stream=true" },
	{ "GET", "/v4.3.1/libpod/system/df" },
	{ "GET", "/v4.3.1/libpod/containers/json?all=true" },
	{ "GET", "/v4.3.1/libpod/containers/" CNAME "/json" },
	{ "GET", "/v4.3.1/libpod/containers/" CID "/exists" },
	{ "GET", "/v4.3.1/libpod/containers/stats?stream=false" },
	{ "GET", "/v4.3.1/libpod/images/json" },
	{ "GET", "/v4.3.1/libpod/images/localhost/app:1/json" },
	{ "GET", "/v4.3.1/libpod/images/" IMGID "/exists" },
	{ "GET", "/v4.3.1/libpod/images/alpine/history" },
	{ "GET", "/v4.3.1/libpod/networks/json" },
	{ "GET", "/v4.3.1/libpod/networks/podman/json" },
	{ "GET", "/v4.3.1/libpod/volumes/json" },
	{ "GET", "/v4.3.1/libpod/volumes/data/json" },
	{ "GET", "/v4.3.1/libpod/pods/json" },
	{ "GET", "/v4.3.1/libpod/pods/p1/json" },
	{ "GET", "/v4.0.0/libpod/pods/p1/exists" },
};

static const struct call podman_ro_bad[] = {
	WRITES, NOLOGS, SIZE_BAD,
	{ "GET", "/containers/" CID "/export" },
	{ "GET", "/v4.3.1/libpod/containers/json?size=true" },
	{ "GET", "/v4.3.1/libpod/containers/" CNAME "/logs?follow=true" },
	{ "GET", "/v4.3.1/libpod/containers/" CNAME "/export" },
	{ "GET", "/v4.3.1/libpod/containers/" CNAME "/archive?path=/" },
	{ "GET", "/v4.3.1/libpod/containers/" CNAME "/top" },
	{ "GET", "/v4.3.1/libpod/generate/kube?names=" CNAME },
	{ "GET", "/v4.3.1/libpod/generate/" CNAME "/systemd" },
	{ "GET", "/v4.3.1/libpod/secrets/json" },
	{ "GET", "/v4.3.1/libpod/secrets/s1/json?showsecret=true" },
	{ "GET", "/v4.3.1/libpod/images/export?references=alpine" },
	{ "GET", "/v4.3.1/libpod/images/alpine/get" },
	{ "POST", "/v4.3.1/libpod/containers/create" },
	{ "POST", "/v4.3.1/libpod/containers/" CNAME "/kill" },
	{ "POST", "/v4.3.1/libpod/containers/" CNAME "/attach" },
	{ "POST", "/v4.3.1/libpod/containers/" CNAME "/exec" },
	{ "DELETE", "/v4.3.1/libpod/containers/" CNAME },
	{ "POST", "/v4.3.1/libpod/play/kube" },
	{ "POST", "/v4.3.1/libpod/system/prune" },
};

/* ---- homepage ---- */

static const struct call homepage_ok[] = {
	PING_VERSION, SIZE_OK,
	/* docker-py's stats(stream=False) */
	{ "GET", "/containers/" CID "/stats?stream=False" },
	{ "GET", "/containers/" CID "/stats?stream=0" },
	{ "GET", "/containers/json?all=true" },
	{ "GET", "/containers/" CNAME "/json" },
	{ "GET", "/containers/" CNAME "/stats?stream=false" },
	{ "GET", "/containers/" CID "/stats?stream=false" },
	{ "GET", "/services?all=true" },
	{ "GET", "/services" },
	{ "GET", "/services/" CNAME },
	{ "GET", "/tasks?filters=%7B%22service%22%3A%5B%22" CNAME
	    "%22%5D%2C%22desired-state%22%3A%5B%22running%22%5D%7D" },
};

static const struct call homepage_bad[] = {
	WRITES, LEAKS, NOLOGS, SIZE_BAD,
	{ "GET", "/info" },
	{ "GET", "/events" },
	{ "GET", "/images/json" },
	/* streaming stats: the widget only ever asks for one sample */
	{ "GET", "/containers/" CNAME "/stats" },
	{ "GET", "/containers/" CNAME "/stats?stream=true" },
	{ "GET", "/containers/" CNAME "/stats?stream=1" },
	{ "GET", "/containers/" CNAME "/stats?stream=True" },
	{ "GET", "/containers/" CNAME "/stats?stream=false&stream=true" },
	{ "GET", "/containers/" CNAME "/stats?stream=false;x" },
	{ "POST", "/containers/" CNAME "/restart" },
};

/* ---- portainer-readonly ---- */

static const struct call portainer_ok[] = {
	/* issue 10, case 2: dockerd routes "/images/{name:.*}/json" */
	{ "GET", "/images/reg:5000/org/app:1/json" },
	{ "GET", "/images/reg:5000/org/app:1/history" },
	PING_VERSION, SIZE_OK,
	{ "GET", "/info" },
	{ "GET", "/containers/json?all=1" },
	{ "GET", "/containers/" CID "/json" },
	{ "GET", "/images/json" },
	{ "GET", "/images/" IMGID "/json" },
	{ "GET", "/images/" IMGID "/history" },
	{ "GET", "/volumes" },
	{ "GET", "/volumes/portainer_data" },
	{ "GET", "/networks" },
	{ "GET", "/networks/bridge" },
	{ "GET", "/services" },
	{ "GET", "/services/" SID },
	{ "GET", "/tasks?" F_SERVICE },
	{ "GET", "/nodes" },
	{ "GET", "/nodes/" NID },
};

static const struct call portainer_bad[] = {
	WRITES, LEAKS, NOLOGS, SIZE_BAD,
	{ "GET", "/containers/" CID "/stats" },
	{ "GET", "/events" },
	{ "GET", "/system/df" },
	{ "GET", "/exec/" EXECID "/json" },
};

/* ---- dozzle ---- */

static const struct call dozzle_ok[] = {
	PING_VERSION, SIZE_OK,
	{ "GET", "/info" },
	{ "GET", "/containers/json?all=1" },
	{ "GET", "/containers/json?all=1&filters=%7B%22label%22%3A%7B%22"
	    "dozzle%3Dtrue%22%3Atrue%7D%7D" },
	{ "GET", "/containers/" CID "/json" },
	{ "GET", "/events" },
	{ "GET", "/containers/" CID "/logs?follow=1&since=2024-05-01T10%3A00"
	    "%3A00.001Z&stderr=1&stdout=1&tail=300&timestamps=1" },
	{ "GET", "/containers/" CID "/logs?follow=1&tail=100&timestamps=1" },
	{ "GET", "/containers/" CID "/logs?since=2024-05-01T10%3A00%3A00Z&"
	    "stderr=1&stdout=1&timestamps=1&until=2024-05-01T11%3A00%3A00Z" },
	{ "GET", "/containers/" CID "/stats?stream=1" },
};

static const struct call dozzle_bad[] = {
	WRITES, LEAKS, SIZE_BAD,
	{ "GET", "/services/" SID "/logs" },
	{ "GET", "/images/json" },
	{ "POST", "/exec/" EXECID "/resize?h=40&w=120" },
};

/* ---- watchtower ---- */

/* What every watchtower run reads (also with --monitor-only --no-pull). */
#define WATCHTOWER_READS						\
	PING_VERSION, SIZE_OK,						\
	{ "GET", "/containers/json?" F_RUNNING },			\
	{ "GET", "/containers/" CID "/json" },				\
	{ "GET", "/images/" IMGID "/json" },				\
	{ "GET", "/images/containrrr/watchtower:latest/json" },		\
	{ "GET", "/images/ghcr.io/linuxserver/sonarr:latest/json" },	\
	{ "GET", "/images/registry.example.com:5000/a/b/c/app:1/json" }

/* What watchtower never does: hooks are opt-in, imports are not pulls. */
#define WATCHTOWER_NEVER						\
	LEAKS, NOLOGS, SIZE_BAD,					\
	{ "GET", "/info" },						\
	{ "GET", "/events" },						\
	{ "POST", "/containers/" CID "/exec" },				\
	{ "POST", "/exec/" EXECID "/start" },				\
	{ "GET", "/exec/" EXECID "/json" },				\
	{ "POST", "/containers/" CID "/attach?stream=1" },		\
	{ "POST", "/containers/" CID "/update" },			\
	{ "POST", "/images/create?fromSrc=http%3A%2F%2F10.0.0.1%2Fx.tar" }, \
	{ "POST", "/images/create?fromImage=alpine&fromSrc=-" },	\
	{ "POST", "/images/create" },					\
	{ "POST", "/images/load" },					\
	{ "POST", "/images/alpine/push" },				\
	{ "POST", "/images/alpine/tag?repo=x" },			\
	{ "POST", "/build" },						\
	{ "POST", "/commit?container=" CID },				\
	{ "POST", "/volumes/create" },					\
	{ "DELETE", "/volumes/data" },					\
	{ "DELETE", "/networks/bridge" },				\
	{ "POST", "/networks/create" },					\
	{ "POST", "/containers/prune" },				\
	{ "POST", "/images/prune" },					\
	{ "PUT", "/containers/" CID "/archive?path=/" },		\
	{ "POST", "/swarm/init" },					\
	{ "POST", "/session" },						\
	{ "GET", "/images/a/b/c/d/e/f/g/json" }	/* deeper than 6 */

/* The pull and the re-creation: watchtower without --monitor-only. */
#define WATCHTOWER_WRITES						\
	{ "POST", "/images/create?fromImage=containrrr%2Fwatchtower&"	\
	    "tag=latest" },						\
	{ "POST", "/images/create?fromImage=ghcr.io%2Flinuxserver%2Fsonarr" \
	    "%3Alatest" },						\
	{ "POST", "/containers/" CID "/kill?signal=SIGTERM" },		\
	{ "DELETE", "/containers/" CID "?force=1&v=1" },		\
	{ "DELETE", "/containers/" CID "?force=1" },			\
	{ "POST", "/containers/create?name=sonarr" },			\
	{ "POST", "/networks/bridge/disconnect" },			\
	{ "POST", "/networks/" CID "/connect" },			\
	{ "POST", "/containers/" CID "/start" },			\
	{ "POST", "/containers/" CID "/rename?name=watchtower-old" },	\
	{ "DELETE", "/images/" IMGID "?force=1" }

static const struct call watchtower_ok[] = {
	WATCHTOWER_READS,
	WATCHTOWER_WRITES,
};

static const struct call watchtower_bad[] = {
	WATCHTOWER_NEVER,
};

/* ---- watchtower-readonly ---- */

static const struct call watchtower_ro_ok[] = {
	WATCHTOWER_READS,
};

/* --monitor-only alone still pulls: this profile is for --no-pull too. */
static const struct call watchtower_ro_bad[] = {
	WATCHTOWER_NEVER, WATCHTOWER_WRITES, WRITES,
};

/* ---- deploy ---- */

/* docker-compose 1.29 (docker-py) filter, as it encodes it. */
#define F_COMPOSE	"filters=%7B%22label%22%3A+%5B%22com.docker.compose." \
	    "project%3Dhp%22%2C+%22com.docker.compose.oneoff%3DFalse%22%5D%7D"

/* What the docker CLI 28.2 and docker-compose 1.29.2 sent through audit
 * mode for run, create, start, stop, rm, exec (-it), logs (-f), pull and
 * compose up -d (also recreating), ps, logs -f, pull, stop, down -v. */
static const struct call deploy_ok[] = {
	PING_VERSION, SIZE_OK,
	{ "GET", "/info" },
	{ "GET", "/containers/json" },
	{ "GET", "/containers/json?all=1" },
	{ "GET", "/containers/json?limit=-1&all=1&size=0&trunc_cmd=0&"
	    F_COMPOSE },
	{ "GET", "/containers/" CID "/json" },
	{ "GET", "/containers/" CNAME "/json" },
	{ "GET", "/images/sockward-testbox:test/json" },
	{ "GET", "/images/ghcr.io/org/app:1/json" },
	{ "POST", "/images/create?fromImage=docker.io%2Flibrary%2Falpine&"
	    "tag=3" },
	{ "POST", "/images/create?tag=test&fromImage=sockward-testbox" },
	{ "POST", "/containers/create" },
	{ "POST", "/containers/create?name=hp_web_1" },
	{ "POST", "/containers/" CID "/start" },
	{ "POST", "/containers/" CNAME "/start" },
	{ "POST", "/containers/" CID "/stop?t=10" },
	{ "POST", "/containers/" CID "/kill?signal=INT" },
	{ "POST", "/containers/" CID "/rename?name=4f66ad9a0b2e_hp_web_1" },
	{ "DELETE", "/containers/" CID "?force=1" },
	{ "DELETE", "/containers/" CID "?v=True&link=False&force=False" },
	{ "POST", "/containers/" CID "/attach?stderr=1&stdin=1&stdout=1&"
	    "stream=1" },
	{ "POST", "/containers/" CID "/resize?h=40&w=120" },
	{ "POST", "/containers/" CID "/wait?condition=removed" },
	{ "POST", "/containers/" CID "/wait?condition=next-exit" },
	{ "GET", "/containers/" CID "/logs?stderr=1&stdout=1&tail=all" },
	{ "GET", "/containers/" CID "/logs?follow=1&stderr=1&stdout=1&"
	    "tail=all" },
	{ "GET", "/events?" F_COMPOSE },
	{ "POST", "/containers/" CNAME "/exec" },
	{ "POST", "/exec/" EXECID "/start" },
	{ "POST", "/exec/" EXECID "/resize?h=40&w=120" },
	{ "GET", "/exec/" EXECID "/json" },
	{ "POST", "/networks/create" },
	{ "GET", "/networks/hp_back" },
	{ "DELETE", "/networks/hp_back" },
	{ "POST", "/networks/hp_back/connect" },
	{ "POST", "/networks/hp_back/disconnect" },
	{ "POST", "/volumes/create" },
	{ "GET", "/volumes/hp_data" },
	{ "DELETE", "/volumes/hp_data" },
};

/* No build, image import/load/push/tag, plugins, swarm, prunes, file
 * copies or exports, and nothing compose and run do not call. */
static const struct call deploy_bad[] = {
	SIZE_BAD,
	{ "POST", "/build" },
	{ "POST", "/build?t=x&dockerfile=Dockerfile" },
	{ "POST", "/build/prune" },
	{ "POST", "/session" },
	{ "POST", "/grpc" },
	{ "POST", "/images/create?fromSrc=http%3A%2F%2F10.0.0.1%2Fx.tar" },
	{ "POST", "/images/create?fromImage=alpine&fromSrc=-" },
	{ "POST", "/images/create" },
	{ "POST", "/images/load" },
	{ "POST", "/images/alpine/push" },
	{ "POST", "/images/alpine/tag?repo=x" },
	{ "DELETE", "/images/" IMGID },
	{ "GET", "/images/get?names=alpine" },
	{ "GET", "/images/alpine/get" },
	{ "GET", "/images/json" },
	{ "GET", "/images/a/b/c/d/e/f/g/json" },	/* deeper than 6 */
	{ "POST", "/commit?container=" CID },
	{ "GET", "/plugins" },
	{ "GET", "/plugins/privileges?remote=x" },
	{ "POST", "/plugins/pull?remote=x" },
	{ "POST", "/plugins/x/enable" },
	{ "POST", "/plugins/x/upgrade" },
	{ "POST", "/plugins/create" },
	{ "POST", "/swarm/init" },
	{ "POST", "/swarm/join" },
	{ "GET", "/swarm" },
	{ "GET", "/swarm/unlockkey" },
	{ "POST", "/services/create" },
	{ "POST", "/services/" SID "/update" },
	{ "POST", "/secrets/create" },
	{ "POST", "/configs/create" },
	{ "POST", "/nodes/" NID "/update" },
	{ "POST", "/containers/prune" },
	{ "POST", "/images/prune" },
	{ "POST", "/volumes/prune" },
	{ "POST", "/networks/prune" },
	{ "GET", "/system/df" },
	{ "GET", "/containers/" CID "/export" },
	{ "GET", "/containers/" CID "/archive?path=/etc/shadow" },
	{ "HEAD", "/containers/" CID "/archive?path=/etc/shadow" },
	{ "PUT", "/containers/" CID "/archive?path=/" },
	{ "GET", "/containers/" CID "/attach/ws?stream=1" },
	{ "POST", "/containers/" CID "/update" },
	{ "POST", "/containers/" CID "/copy" },
	{ "GET", "/containers/" CID "/top" },
	{ "GET", "/containers/" CID "/changes" },
	{ "GET", "/containers/" CID "/stats" },
	{ "POST", "/containers/" CID "/pause" },
	{ "POST", "/containers/" CID "/restart" },
	{ "POST", "/auth" },
	{ "GET", "/volumes" },
	{ "PUT", "/volumes/hp_data" },
	{ "GET", "/networks" },
	{ "GET", "/services" },
	{ "GET", "/secrets" },
	{ "GET", "/debug/vars" },
	{ "OPTIONS", "/containers/json" },
};

/* ---- diun ---- */

static const struct call diun_ok[] = {
	PING_VERSION, SIZE_OK,
	{ "GET", "/containers/json?" F_RUNNING },
	{ "GET", "/containers/json?filters=%7B%22status%22%3A%7B%22created"
	    "%22%3Atrue%2C%22exited%22%3Atrue%2C%22running%22%3Atrue%7D%7D" },
	{ "GET", "/containers/" CID "/json" },
	{ "GET", "/images/crazymax/diun:latest/json" },
	{ "GET", "/images/nginx:1.25/json" },
	{ "GET", "/images/" IMGID "/json" },
	{ "GET", "/images/ghcr.io/crazy-max/diun:latest@sha256:"
	    "3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741"
	    "/json" },
	{ "GET", "/services" },
};

static const struct call diun_bad[] = {
	WRITES, LEAKS, NOLOGS, SIZE_BAD,
	{ "GET", "/info" },
	{ "GET", "/events" },
	{ "GET", "/images/json" },
	{ "GET", "/images/crazymax/diun:latest/history" },
	{ "GET", "/tasks" },
};

/* ---- autoheal ---- */

#define AUTOHEAL_F	"filters={\"health\":[\"unhealthy\"],"		\
	    "\"label\":[\"autoheal=true\"]}"

static const struct call autoheal_ok[] = {
	PING_VERSION,
	{ "GET", "/containers/json?size=0&" AUTOHEAL_F },
	{ "GET", "/containers/json?" AUTOHEAL_F "&size=False" },
	/* raw JSON characters, as curl sends them (entrypoint) */
	{ "GET", "/containers/json?filters={\"health\":[\"unhealthy\"],"
	    "\"label\":[\"autoheal=true\"]}" },
	/* clients.md: with a status filter */
	{ "GET", "/containers/json?filters={\"health\":[\"unhealthy\"],"
	    "\"label\":[\"autoheal=true\"],\"status\":[\"running\"]}" },
	{ "GET", "/containers/json?filters=%7B%22health%22%3A%5B%22unhealthy"
	    "%22%5D%2C%22label%22%3A%5B%22autoheal%3Dtrue%22%5D%7D" },
	{ "POST", "/containers/" CID "/restart?t=10" },
	{ "POST", "/containers/" CID "/restart?t=30" },
};

static const struct call autoheal_bad[] = {
	LEAKS, NOLOGS, SIZE_BAD,
	{ "GET", "/info" },
	{ "GET", "/containers/json?size=1&" AUTOHEAL_F },
	{ "GET", "/containers/json?" AUTOHEAL_F "&size=true" },
	/* listing anything but unhealthy autoheal=true containers */
	{ "GET", "/containers/json" },
	{ "GET", "/containers/json?all=1" },
	{ "GET", "/containers/json?filters={\"health\":[\"unhealthy\"]}" },
	{ "GET", "/containers/json?filters={\"label\":[\"autoheal=true\"]}" },
	{ "GET", "/containers/json?filters={\"health\":[\"unhealthy\"],"
	    "\"label\":[\"other=true\"]}" },
	{ "GET", "/containers/json?filters={\"health\":[\"unhealthy\"],"
	    "\"label\":[\"autoheal=true\"]}&filters={}" },
	{ "GET", "/containers/" CID "/json" },
	{ "POST", "/containers/" CID "/start" },
	{ "POST", "/containers/" CID "/stop" },
	{ "POST", "/containers/" CID "/kill" },
	{ "POST", "/containers/create" },
	{ "POST", "/containers/" CID "/exec" },
	{ "DELETE", "/containers/" CID },
};

/* ---- uptime-kuma ---- */

static const struct call uptime_kuma_ok[] = {
	PING_VERSION, SIZE_OK,
	{ "GET", "/containers/json?all=true" },
	{ "GET", "/containers/" CNAME "/json" },
	{ "GET", "/containers/" CID "/json" },
};

static const struct call uptime_kuma_bad[] = {
	WRITES, LEAKS, NOLOGS, SIZE_BAD,
	{ "GET", "/info" },
	{ "GET", "/events" },
	{ "GET", "/containers/" CNAME "/stats" },
};

/* ---- prometheus ---- */

static const struct call prometheus_ok[] = {
	PING_VERSION, SIZE_OK,
	{ "GET", "/containers/json" },
	{ "GET", "/containers/json?filters=%7B%22label%22%3A%7B%22"
	    "prometheus.scrape%3Dtrue%22%3Atrue%7D%7D" },
	{ "GET", "/networks" },
	{ "GET", "/services" },
	{ "GET", "/tasks" },
	{ "GET", "/nodes" },
};

static const struct call prometheus_bad[] = {
	WRITES, LEAKS, NOLOGS, SIZE_BAD,
	{ "GET", "/info" },
	{ "GET", "/events" },
	{ "GET", "/containers/" CID "/json" },
	{ "GET", "/nodes/" NID },
	{ "GET", "/services/" SID },
};

/* ---- crowdsec ---- */

static const struct call crowdsec_ok[] = {
	PING_VERSION, SIZE_OK,
	{ "GET", "/info" },
	{ "GET", "/containers/json" },
	{ "GET", "/containers/" CID "/json" },
	{ "GET", "/containers/" CID "/logs?follow=1&since=1700000000&"
	    "stderr=1&stdout=1&tail=0" },
	{ "GET", "/events?filters=%7B%22type%22%3A%7B%22container%22%3Atrue"
	    "%2C%22service%22%3Afalse%7D%7D" },
	{ "GET", "/services" },
	{ "GET", "/services/" SID },
	{ "GET", "/services/" SID "/logs?follow=1&stderr=1&stdout=1" },
};

static const struct call crowdsec_bad[] = {
	WRITES, LEAKS, SIZE_BAD,
	{ "GET", "/tasks/" TID "/logs" },
	{ "GET", "/images/json" },
	{ "GET", "/containers/" CID "/stats" },
};

/* ---- netdata ---- */

static const struct call netdata_ok[] = {
	/* go.d "collect_container_size: yes" lists with sizes */
	PING_VERSION, SIZE_OK,
	{ "GET", "/containers/json?all=1&size=true" },
	{ "GET", "/info" },
	{ "GET", "/containers/json?all=1&filters=%7B%22status%22%3A%7B%22"
	    "running%22%3Atrue%7D%7D" },
	{ "GET", "/containers/json?all=1&size=1" },
	{ "GET", "/containers/" CID "/json" },
	{ "GET", "/images/json" },
};

static const struct call netdata_bad[] = {
	WRITES, LEAKS, NOLOGS,
	{ "GET", "/events" },
	{ "GET", "/containers/" CID "/stats" },
	{ "GET", "/images/" IMGID "/json" },
};

/* ---- cadvisor ---- */

static const struct call cadvisor_ok[] = {
	PING_VERSION,
	{ "GET", "/info" },
	{ "GET", "/containers/" CID "/json" },
	{ "GET", "/images/json" },
};

static const struct call cadvisor_bad[] = {
	WRITES, LEAKS, NOLOGS, SIZE_BAD,
	{ "GET", "/containers/json" },
	{ "GET", "/events" },
	{ "GET", "/containers/" CID "/stats" },
};

/* ---- none ---- */

static const struct call none_bad[] = {
	WRITES, LEAKS, NOLOGS,
	{ "HEAD", "/_ping" },
	{ "GET", "/_ping" },
	{ "GET", "/version" },
	{ "GET", "/containers/json" },
};

#define PCASE(name, ok, bad) { name, ok, NELEM(ok), bad, NELEM(bad) }

static const struct pcase cases[] = {
	PCASE("traefik", traefik_ok, traefik_bad),
	PCASE("readonly", readonly_ok, readonly_bad),
	PCASE("podman-readonly", podman_ro_ok, podman_ro_bad),
	PCASE("homepage", homepage_ok, homepage_bad),
	PCASE("portainer-readonly", portainer_ok, portainer_bad),
	PCASE("dozzle", dozzle_ok, dozzle_bad),
	PCASE("watchtower", watchtower_ok, watchtower_bad),
	PCASE("watchtower-readonly", watchtower_ro_ok, watchtower_ro_bad),
	PCASE("deploy", deploy_ok, deploy_bad),
	PCASE("diun", diun_ok, diun_bad),
	PCASE("autoheal", autoheal_ok, autoheal_bad),
	PCASE("uptime-kuma", uptime_kuma_ok, uptime_kuma_bad),
	PCASE("prometheus", prometheus_ok, prometheus_bad),
	PCASE("crowdsec", crowdsec_ok, crowdsec_bad),
	PCASE("netdata", netdata_ok, netdata_bad),
	PCASE("cadvisor", cadvisor_ok, cadvisor_bad),
	{ "none", NULL, 0, none_bad, NELEM(none_bad) },
};

/*
 * Rule patterns that name no Engine API route on purpose: catch-alls,
 * depth guards and the per-depth "*" image rules (each checked below to
 * stay within its route's prefix).
 */
static const char *const profile_wildcards[] = {
	"/**",
	"/debug/**",
	"/containers/*/*/*/**",
	"/*/*/*/*/*/*/*/*/*/*/*/**",
};

/* Does pattern p (NUL-terminated) match the intentional list, or is it
 * "/images/" followed by "*" segments and a route's last segment? */
static int
profile_wildcard_ok(unsigned methods, const char *p)
{
	char buf[RULE_MAX_TEXT];
	const char *q;
	size_t i;

	for (i = 0; i < NELEM(profile_wildcards); i++)
		if (strcmp(p, profile_wildcards[i]) == 0)
			return 1;
	if (strncmp(p, "/images/", 8) != 0)
		return 0;
	/* "/images/" ("*" "/")+ TAIL: must be "/images/{name}/TAIL" */
	for (q = p + 8; q[0] == '*' && q[1] == '/'; q += 2)
		;
	if (q == p + 8)
		return 0;
	snprintf(buf, sizeof(buf), "/images/{name}/%s", q);
	return engine_api_shape(methods, buf, strlen(buf), NULL) != NULL;
}

/*
 * Every built-in rule names a real route (its shape equals a table
 * route for one of its methods) or is an intentional wildcard; a rule
 * with a route's shape gets the route's binding: a span exactly where
 * dockerd declares "{x:.*}" and the rule has a "{x}".
 */
static void
test_profile_routes(void **state)
{
	const struct profile *const *all = profile_all();
	const struct rule *r;
	struct rule_set set;
	const char *pat, *sp;
	char pbuf[RULE_MAX_TEXT];
	size_t i, k, nroute = 0, nwild = 0;
	int span;

	(void)state;
	for (i = 0; all[i] != NULL; i++) {
		load(&set, all[i]->name);
		for (k = 0; k < set.nrules; k++) {
			r = &set.rules[k];
			pat = strchr(r->text, ' ') + 1;
			sp = strchr(pat, ' ');
			snprintf(pbuf, sizeof(pbuf), "%.*s",
			    (int)(sp != NULL ? (size_t)(sp - pat) :
			    strlen(pat)), pat);
			if (r->route == NULL) {
				if (!profile_wildcard_ok(r->methods, pbuf))
					fail_msg("%s: '%s' names no route",
					    all[i]->name, r->text);
				nwild++;
				continue;
			}
			nroute++;
			assert_ptr_equal(engine_api_shape(r->methods, pbuf,
			    strlen(pbuf), &span), r->route);
			for (size_t j = 0; j < r->nsegs; j++) {
				int want = (int)j == span && r->segs[j].named;

				if ((r->segs[j].kind == RULE_SEG_SPAN) != want)
					fail_msg("%s: '%s' segment %zu binds "
					    "unlike %s", all[i]->name, r->text,
					    j, r->route->tmpl);
			}
		}
		rule_set_free(&set);
	}
	print_message("profiles: %zu rules name a route, %zu wildcards\n",
	    nroute, nwild);
	assert_true(nroute > 50);
}

static void
test_profile_calls(void **state)
{
	const struct pcase *c = *state;

	check_case(c);
}

/* ---- the list itself ---- */

static void
test_profile_list(void **state)
{
	const struct profile *const *all = profile_all();
	size_t i, j, n;
	int found;

	(void)state;
	assert_non_null(all);
	for (n = 0; all[n] != NULL; n++) {
		assert_ptr_equal(profile_find(all[n]->name), all[n]);
		assert_non_null(all[n]->summary);
		assert_true(strlen(all[n]->summary) > 0);
		assert_true(strlen(all[n]->summary) <= 72);
		assert_null(strchr(all[n]->summary, '\n'));
		for (j = 0; j < n; j++)
			assert_string_not_equal(all[j]->name, all[n]->name);
	}
	/* every profile has a test case, and every case a profile */
	assert_int_equal(n, NELEM(cases));
	for (i = 0; i < NELEM(cases); i++) {
		found = 0;
		for (j = 0; j < n; j++)
			found |= strcmp(all[j]->name, cases[i].profile) == 0;
		assert_true(found);
	}
	assert_string_equal(all[0]->name, "traefik");
	assert_null(profile_find("Traefik"));
	assert_null(profile_find("dozzle "));
	assert_null(profile_find(""));
	assert_null(profile_find(NULL));
	assert_null(profile_find("none")->rules[0].line);
}

/* Every line parses and is already in normalised form. */
static void
test_profile_lines_parse(void **state)
{
	const struct profile *const *all = profile_all();
	char buf[RULE_MAX_TEXT + 16];
	const char *why, *line;
	struct rule r;
	size_t i, k;

	(void)state;
	for (i = 0; all[i] != NULL; i++) {
		for (k = 0; (line = all[i]->rules[k].line) != NULL; k++) {
			why = NULL;
			if (rule_parse_line(line, &r, &why) != 0)
				fail_msg("%s line %zu '%s': %s", all[i]->name,
				    k + 1, line, why);
			rule_line_str(&r, buf, sizeof(buf));
			if (strcmp(buf, line) != 0)
				fail_msg("%s line %zu not normalised: '%s' "
				    "reads back as '%s'", all[i]->name, k + 1,
				    line, buf);
			/* deny rules say why */
			if (r.action == RULE_DENY && r.reason[0] == '\0')
				fail_msg("%s line %zu: deny without reason",
				    all[i]->name, k + 1);
		}
	}
}

/*
 * The traefik profile changes only on purpose (it is the default and
 * users depend on it).  Since issue 11 its list refuses size=1, which no
 * Traefik release sends; nothing else changed since the first release.
 */
static void
test_profile_traefik_rules(void **state)
{
	static const char *const want[] = {
		"allow GET,HEAD /_ping",
		"allow GET /version",
		"allow GET /containers/json query size=false",
		"allow GET /containers/{id}/json",
		"allow GET /events",
		"allow GET /services",
		"allow GET /tasks",
		"allow GET /networks",
		"allow GET /nodes/{id}",
	};
	struct rule_set set;
	char buf[RULE_MAX_TEXT + 16];
	size_t i;

	(void)state;
	load(&set, "traefik");
	assert_int_equal(set.nrules, NELEM(want));
	for (i = 0; i < set.nrules; i++) {
		assert_string_equal(rule_line_str(&set.rules[i], buf,
		    sizeof(buf)), want[i]);
		assert_string_equal(set.rules[i].origin, "profile traefik");
		assert_int_equal(set.rules[i].index, (int)i + 1);
		assert_int_equal(set.rules[i].nquery, i == 2 ? 1 : 0);
	}
	rule_set_free(&set);
}

/* ---- profile_print ---- */

struct printed {
	char	 lines[64][RULE_MAX_TEXT + 64];
	size_t	 n;
};

static void
collect(void *arg, const char *line)
{
	struct printed *pr = arg;

	assert_true(pr->n < NELEM(pr->lines));
	assert_null(strchr(line, '\n'));
	assert_true(strlen(line) < sizeof(pr->lines[0]));
	strcpy(pr->lines[pr->n++], line);
}

static void
test_profile_print_reparses(void **state)
{
	const struct profile *const *all = profile_all();
	static struct printed pr;
	struct rule_set set;
	char head[256];
	struct rule r;
	size_t i, k;

	(void)state;
	for (i = 0; all[i] != NULL; i++) {
		memset(&pr, 0, sizeof(pr));
		profile_print(all[i], collect, &pr);
		load(&set, all[i]->name);
		assert_int_equal(pr.n, set.nrules + 1);
		snprintf(head, sizeof(head), "# profile %s: %s", all[i]->name,
		    all[i]->summary);
		assert_string_equal(pr.lines[0], head);
		for (k = 1; k < pr.n; k++) {
			if (rule_parse_line(pr.lines[k], &r, NULL) != 0)
				fail_msg("%s: printed '%s' does not parse",
				    all[i]->name, pr.lines[k]);
			assert_int_equal(r.action, set.rules[k - 1].action);
			assert_int_equal(r.methods, set.rules[k - 1].methods);
			assert_int_equal(r.nsegs, set.rules[k - 1].nsegs);
			assert_int_equal(r.nquery, set.rules[k - 1].nquery);
			assert_string_equal(r.text, set.rules[k - 1].text);
			assert_string_equal(r.reason,
			    set.rules[k - 1].reason);
		}
		rule_set_free(&set);
	}
	/* no profile or no sink: nothing happens */
	memset(&pr, 0, sizeof(pr));
	profile_print(NULL, collect, &pr);
	assert_int_equal(pr.n, 0);
	profile_print(profile_find("traefik"), NULL, &pr);
}

/* ---- docs/PROFILES.md (profile_doc.h) ---- */

/* The document's lines, as profile_doc_markdown gives them. */
struct doc {
	char	**line;
	size_t	  n, cap;
};

static void
doc_collect(void *arg, const char *line)
{
	struct doc *d = arg;

	assert_null(strchr(line, '\n'));
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 256;
		d->line = realloc(d->line, d->cap * sizeof(*d->line));
		assert_non_null(d->line);
	}
	d->line[d->n] = strdup(line);
	assert_non_null(d->line[d->n]);
	d->n++;
}

static void
doc_free(struct doc *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->line[i]);
	free(d->line);
}

/* Every rule says why it is there, in one line that fits a table cell. */
static void
test_profile_whys(void **state)
{
	const struct profile *const *all = profile_all();
	const struct profile_rule *r;
	size_t i, k;

	(void)state;
	for (i = 0; all[i] != NULL; i++)
		for (k = 0; (r = &all[i]->rules[k])->line != NULL; k++)
			if (r->why == NULL || r->why[0] == '\0' ||
			    strchr(r->why, '\n') != NULL ||
			    strchr(r->why, '|') != NULL)
				fail_msg("%s rule %zu '%s': no reason, or one "
				    "that does not fit a table cell",
				    all[i]->name, k + 1, r->line);
}

/*
 * The document starts with its title; every profile has its row in the
 * overview with its number of rules, and a section "## NAME" whose table
 * shows every rule exactly as `sockward profiles NAME` prints it
 * (profile_print), in order, and no other rule.
 */
static void
test_profile_doc(void **state)
{
	const struct profile *const *all = profile_all();
	static struct printed pr;
	struct doc d = { 0 };
	char want[RULE_MAX_TEXT + 80];
	const char *at;
	size_t i, k, l, sec, end, nspans, nrules;
	int rows;

	(void)state;
	assert_int_equal(profile_doc_markdown(doc_collect, &d), 0);
	assert_true(d.n > 100);
	assert_string_equal(d.line[0], "# Built-in profiles");
	for (i = 0; all[i] != NULL; i++) {
		memset(&pr, 0, sizeof(pr));
		profile_print(all[i], collect, &pr);
		nrules = pr.n - 1;
		/* the overview row */
		snprintf(want, sizeof(want), "| `%s`", all[i]->name);
		for (l = 0; l < d.n; l++)
			if (strncmp(d.line[l], want, strlen(want)) == 0 &&
			    (d.line[l][strlen(want)] == ' '))
				break;
		if (l == d.n)
			fail_msg("%s: no overview row", all[i]->name);
		snprintf(want, sizeof(want), " | %zu | ", nrules);
		if (strstr(d.line[l], want) == NULL)
			fail_msg("%s: overview row '%s' does not count %zu "
			    "rules", all[i]->name, d.line[l], nrules);
		/* the section: from "## NAME" to the next "## " or "---" */
		snprintf(want, sizeof(want), "## %s", all[i]->name);
		for (sec = 0; sec < d.n; sec++)
			if (strcmp(d.line[sec], want) == 0)
				break;
		if (sec == d.n)
			fail_msg("no section '%s'", want);
		for (end = sec + 1; end < d.n; end++)
			if (strncmp(d.line[end], "## ", 3) == 0 ||
			    strcmp(d.line[end], "---") == 0)
				break;
		/* each printed rule, in order, as a code span in a row */
		l = sec + 1;
		at = d.line[l];
		for (k = 1; k < pr.n; k++) {
			snprintf(want, sizeof(want), "`%s`", pr.lines[k]);
			while (l < end && (d.line[l][0] != '|' ||
			    (at = strstr(at, want)) == NULL)) {
				if (++l < end)
					at = d.line[l];
			}
			if (l == end)
				fail_msg("%s: rule '%s' is not in its section "
				    "(in order)", all[i]->name, pr.lines[k]);
			at += strlen(want);
		}
		/* and no other rule in its table */
		nspans = 0;
		rows = 0;
		for (l = sec + 1; l < end; l++) {
			if (strncmp(d.line[l], "| `", 3) != 0)
				continue;
			rows++;
			/* code spans: an opening '`', its closing one */
			for (at = d.line[l]; (at = strchr(at, '`')) != NULL;
			    at++) {
				if (strncmp(at, "`allow ", 7) == 0 ||
				    strncmp(at, "`deny ", 6) == 0)
					nspans++;
				if ((at = strchr(at + 1, '`')) == NULL)
					break;
			}
		}
		if (nspans != nrules)
			fail_msg("%s: %zu rules in its table, %zu printed",
			    all[i]->name, nspans, nrules);
		assert_true(nrules == 0 || rows > 0);
	}
	doc_free(&d);
	assert_int_equal(profile_doc_markdown(NULL, NULL), -1);
}

/* ---- loading ---- */

static void
test_profile_load_errors(void **state)
{
	struct rule_set set;
	struct rule r;
	size_t i, before;

	(void)state;
	memset(&set, 0, sizeof(set));
	assert_int_equal(profile_load(NULL, &set), -1);
	assert_int_equal(profile_load(profile_find("none"), NULL), -1);
	assert_int_equal(profile_load(profile_find("none"), &set), 0);
	assert_int_equal(set.nrules, 0);

	/* all or nothing: a set with room for only part of readonly */
	assert_int_equal(rule_parse_line("allow GET /x", &r, NULL), 0);
	for (i = 0; i < RULE_MAX_RULES - 4; i++)
		assert_int_equal(rule_set_add(&set, &r, "--allow"), 0);
	before = set.nrules;
	assert_int_equal(profile_load(profile_find("readonly"), &set), -1);
	assert_int_equal(set.nrules, before);
	/* a small profile still fits */
	assert_int_equal(profile_load(profile_find("autoheal"), &set), 0);
	assert_int_equal(set.nrules, before + 4);
	assert_string_equal(set.rules[before].origin, "profile autoheal");
	assert_int_equal(set.rules[before + 3].index, 4);
	rule_set_free(&set);
	assert_int_equal(set.nrules, 0);
}

/* --profile a,b loads a then b into one set; first match wins. */
static void
test_profile_combine(void **state)
{
	const char *logs = "/containers/" CID "/logs?follow=1";
	struct rule_set set;

	(void)state;
	memset(&set, 0, sizeof(set));
	assert_int_equal(profile_load(profile_find("traefik"), &set), 0);
	assert_int_equal(profile_load(profile_find("dozzle"), &set), 0);
	assert_true(allowed(&set, "GET", "/nodes/" NID));	/* traefik */
	assert_true(allowed(&set, "GET", logs));		/* dozzle */
	assert_true(allowed(&set, "GET", "/info"));
	assert_false(allowed(&set, "POST", "/containers/" CID "/start"));
	assert_string_equal(judge(&set, "GET", "/info")->origin,
	    "profile dozzle");
	assert_int_equal(judge(&set, "GET", "/info")->index, 3);
	rule_set_free(&set);

	/* allow profiles before readonly: dozzle still reads logs */
	memset(&set, 0, sizeof(set));
	assert_int_equal(profile_load(profile_find("dozzle"), &set), 0);
	assert_int_equal(profile_load(profile_find("readonly"), &set), 0);
	assert_true(allowed(&set, "GET", logs));
	assert_true(allowed(&set, "GET", "/system/df"));
	assert_false(allowed(&set, "GET", "/swarm/unlockkey"));
	rule_set_free(&set);

	/* readonly first: its deny rules win over dozzle's allow */
	memset(&set, 0, sizeof(set));
	assert_int_equal(profile_load(profile_find("readonly"), &set), 0);
	assert_int_equal(profile_load(profile_find("dozzle"), &set), 0);
	assert_false(allowed(&set, "GET", logs));
	assert_string_equal(judge(&set, "GET", logs)->origin,
	    "profile readonly");
	assert_string_equal(judge(&set, "GET", logs)->reason,
	    "logs often hold secrets");
	rule_set_free(&set);
}

/*
 * Issue 11: the Python SDK pings with GET and, with version="auto",
 * first asks for an unprefixed GET /version; every profile but "none"
 * lets both through, prefixed or not, and HEAD /_ping for Go clients.
 */
static void
test_profile_ping_version(void **state)
{
	static const struct call want[] = {
		PING_VERSION,
		{ "GET", "/v1.41/_ping" },
		{ "HEAD", "/v1.24/_ping" },
		{ "GET", "/v1.41/version" },
	};
	const struct profile *const *all = profile_all();
	struct rule_set set;
	size_t i, k;

	(void)state;
	for (i = 0; all[i] != NULL; i++) {
		load(&set, all[i]->name);
		for (k = 0; k < NELEM(want); k++)
			if (allowed(&set, want[k].method, want[k].target) !=
			    (strcmp(all[i]->name, "none") != 0))
				fail_msg("%s: %s %s", all[i]->name,
				    want[k].method, want[k].target);
		rule_set_free(&set);
	}
}

/*
 * Issue 11: size=1 makes dockerd compute every container's disk usage.
 * No profile lets it through except netdata (go.d's optional container
 * size metric); "readonly" says why.  The autoheal filter is added so
 * that its list rule is the one judged.
 */
static void
test_profile_no_size(void **state)
{
	static const char *const sized[] = {
		"/containers/json?size=1&" AUTOHEAL_F,
		"/v1.41/containers/json?all=1&size=TRUE&" AUTOHEAL_F,
		"/v1.24/containers/json?size=%20on&" AUTOHEAL_F,
	};
	const struct profile *const *all = profile_all();
	const struct rule *r;
	struct rule_set set;
	size_t i, k;
	int netdata;

	(void)state;
	for (i = 0; all[i] != NULL; i++) {
		netdata = strcmp(all[i]->name, "netdata") == 0;
		load(&set, all[i]->name);
		for (k = 0; k < NELEM(sized); k++)
			if (allowed(&set, "GET", sized[k]) != netdata)
				fail_msg("%s: GET %s", all[i]->name, sized[k]);
		rule_set_free(&set);
	}
	load(&set, "readonly");
	r = judge(&set, "GET", sized[0]);
	assert_non_null(r);
	assert_int_equal(r->action, RULE_DENY);
	assert_string_equal(r->reason, "size=1 makes dockerd compute every "
	    "container's disk usage");
	/* HEAD is no route of dockerd's there: nothing to compute */
	assert_true(allowed(&set, "HEAD", "/containers/json?size=1"));
	rule_set_free(&set);
}

int
main(void)
{
	struct CMUnitTest tests[NELEM(cases) + 11];
	static char names[NELEM(cases)][64];
	size_t i, n = 0;

	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_profile_list);
	tests[n++] = (struct CMUnitTest)
	    cmocka_unit_test(test_profile_lines_parse);
	tests[n++] = (struct CMUnitTest)
	    cmocka_unit_test(test_profile_traefik_rules);
	tests[n++] = (struct CMUnitTest)
	    cmocka_unit_test(test_profile_print_reparses);
	tests[n++] = (struct CMUnitTest)
	    cmocka_unit_test(test_profile_load_errors);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_profile_combine);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_profile_routes);
	tests[n++] = (struct CMUnitTest)
	    cmocka_unit_test(test_profile_ping_version);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_profile_no_size);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_profile_whys);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_profile_doc);
	for (i = 0; i < NELEM(cases); i++) {
		snprintf(names[i], sizeof(names[i]), "calls_%s",
		    cases[i].profile);
		tests[n] = (struct CMUnitTest)
		    cmocka_unit_test_prestate(test_profile_calls,
		    (void *)(uintptr_t)&cases[i]);
		tests[n].name = names[i];
		n++;
	}
	return _cmocka_run_group_tests("profile", tests, n, NULL, NULL);
}
