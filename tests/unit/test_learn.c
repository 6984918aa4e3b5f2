/*
 * test_learn.c - audit-mode learning: Engine API route templates, the
 * fallback for unknown paths, merging, overflow, and the printed rules
 * (each must parse as a rule and cover the requests it was learned from).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine_api.h"
#include "learn.h"
#include "rule.h"

#define ID1 "3f2a9c0e1b7d4a5f8e6c2b1a0d9e8f7c6b5a4d3e2f1a0b9c8d7e6f5a4b3c2d1e"
#define ID2 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SID1 "3f2a9c0e1b7d4a5f8e6c"	/* hex-looking, fits a literal */
#define SID2 "0123456789abcdef0123"
#define ID3 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static struct learn lrn;
static struct rule r;

struct lines {
	char	 l[2 * LEARN_MAX + 1][300];
	size_t	 n;
};

static struct lines got;

static void
collect(void *arg, const char *line)
{
	struct lines *ls = arg;

	assert_true(ls->n < 2 * LEARN_MAX + 1);
	assert_true(strlen(line) < sizeof(ls->l[0]));
	strcpy(ls->l[ls->n++], line);
}

/* line must parse as an allow rule whose normalised text is line itself. */
static void
check_rule_line(const char *line, int at)
{
	const char *why = NULL;
	char norm[RULE_MAX_TEXT + 16];

	if (line[0] == '#')
		return;	/* a flag or a request not learned */
	if (rule_parse_line(line, &r, &why) != 0)
		fail_msg("line %d: '%s' is not a rule: %s", at, line, why);
	assert_int_equal(r.action, RULE_ALLOW);
	if (strcmp(rule_line_str(&r, norm, sizeof(norm)), line) != 0)
		fail_msg("line %d: '%s' normalises to '%s'", at, line, norm);
}

/* Print lrn and compare with want[0..n) exactly, in order. */
static void
check_print(const char *const *want, size_t n, int at)
{
	size_t i;

	memset(&got, 0, sizeof(got));
	learn_print(&lrn, collect, &got);
	for (i = 0; i < got.n && i < n; i++)
		if (strcmp(got.l[i], want[i]) != 0)
			fail_msg("line %d: rule %zu is '%s', expected '%s'", at,
			    i, got.l[i], want[i]);
	if (got.n != n)
		fail_msg("line %d: %zu rules printed, expected %zu", at, got.n,
		    n);
	for (i = 0; i < got.n; i++)
		check_rule_line(got.l[i], at);
}

/* Every printed rule set must admit each request it was learned from. */
static void
check_covered(enum req_method m, const char *path, int at)
{
	size_t i;

	for (i = 0; i < got.n; i++) {
		if (got.l[i][0] == '#')
			continue;
		assert_int_equal(rule_parse_line(got.l[i], &r, NULL), 0);
		if (rule_matches_path(&r, m, path))
			return;
	}
	fail_msg("line %d: %s %s not covered by the printed rules", at,
	    req_method_name(m), path);
}

/*
 * learn_route(m, path) must return ret and write want; the pattern must
 * be valid rule syntax and match (m, path).
 */
static void
check_route(enum req_method m, const char *path, int ret, const char *want,
    int at)
{
	char pat[LEARN_PATTERN], line[LEARN_PATTERN + 32];
	int rc;

	rc = learn_route(m, path, pat, sizeof(pat));
	if (rc != ret)
		fail_msg("line %d: %s %s returned %d, expected %d ('%s')", at,
		    req_method_name(m), path, rc, ret, pat);
	if (want != NULL && strcmp(pat, want) != 0)
		fail_msg("line %d: %s %s -> '%s', expected '%s'", at,
		    req_method_name(m), path, pat, want);
	snprintf(line, sizeof(line), "allow %s %s", req_method_name(m), pat);
	check_rule_line(line, at);
	if (!rule_matches_path(&r, m, path))
		fail_msg("line %d: '%s' does not cover %s %s", at, line,
		    req_method_name(m), path);
}

#define ROUTE(m, p, ret, want) \
	check_route(REQ_M_##m, (p), (ret), (want), __LINE__)
#define PRINT(...) do {							\
	static const char *const w_[] = { __VA_ARGS__ };		\
	check_print(w_, sizeof(w_) / sizeof(w_[0]), __LINE__);		\
} while (0)
#define ADD(m, p) assert_int_equal(learn_add(&lrn, REQ_M_##m, (p)), 0)
#define COVERED(m, p) check_covered(REQ_M_##m, (p), __LINE__)

static void
test_traefik(void **state)
{
	(void)state;
	learn_init(&lrn);
	ADD(HEAD, "/_ping");
	ADD(GET, "/_ping");
	ADD(GET, "/version");
	ADD(GET, "/containers/json");
	ADD(GET, "/containers/" ID1 "/json");
	ADD(GET, "/containers/" ID2 "/json");
	ADD(GET, "/containers/" ID3 "/json");
	ADD(GET, "/events");
	assert_int_equal(lrn.overflow, 0);
	PRINT("allow GET,HEAD /_ping",
	    "allow GET /containers/json",
	    "allow GET /containers/{id}/json",
	    "allow GET /events",
	    "allow GET /version");
	COVERED(HEAD, "/_ping");
	COVERED(GET, "/containers/" ID2 "/json");
	/* arrival order and counts are kept in the entries */
	assert_int_equal(lrn.n, 5);
	assert_string_equal(lrn.e[0].pattern, "/_ping");
	assert_int_equal(lrn.e[0].count, 2);
	assert_string_equal(lrn.e[3].pattern, "/containers/{id}/json");
	assert_int_equal(lrn.e[3].count, 3);
}

static void
test_docker_exec(void **state)
{
	(void)state;
	/* docker exec -it web sh, then the exit-code poll */
	learn_init(&lrn);
	ADD(HEAD, "/_ping");
	ADD(GET, "/containers/web/json");
	ADD(POST, "/containers/web/exec");
	ADD(POST, "/exec/" ID1 "/start");
	ADD(POST, "/exec/" ID1 "/resize");
	ADD(GET, "/exec/" ID1 "/json");
	PRINT("allow HEAD /_ping",
	    "allow POST /containers/{id}/exec",
	    "allow GET /containers/{id}/json",
	    "allow GET /exec/{id}/json",
	    "allow POST /exec/{id}/resize",
	    "allow POST /exec/{id}/start");
	COVERED(POST, "/exec/" ID1 "/start");
	COVERED(POST, "/containers/web/exec");
}

static void
test_podman_libpod(void **state)
{
	(void)state;
	/* podman --remote ps, inspect, image inspect, exec: libpod rules */
	learn_init(&lrn);
	ADD(GET, "/libpod/_ping");
	ADD(GET, "/libpod/containers/json");
	ADD(GET, "/libpod/containers/web/json");
	ADD(GET, "/libpod/images/reg:5000/org/app:1/json");
	ADD(POST, "/libpod/containers/web/exec");
	ADD(POST, "/libpod/exec/" ID1 "/start");
	PRINT("allow GET /libpod/_ping",
	    "allow GET /libpod/containers/json",
	    "allow POST /libpod/containers/{id}/exec",
	    "allow GET /libpod/containers/{id}/json",
	    "allow POST /libpod/exec/{id}/start",
	    "allow GET /libpod/images/{name}/json");
	COVERED(GET, "/libpod/containers/" ID2 "/json");
	COVERED(GET, "/libpod/images/other/json");
	ROUTE(GET, "/libpod/images/a/b/c/json", 1,
	    "/libpod/images/{name}/json");
	ROUTE(POST, "/libpod/manifests/l/registry/d", 1,
	    "/libpod/manifests/{name}/registry/{destination}");
	ROUTE(GET, "/libpod/generate/kube", 1, "/libpod/generate/kube");
	/* one-segment libpod container names: a two-segment path is no
	 * route, learned literally */
	ROUTE(GET, "/libpod/containers/a/b/json", 0,
	    "/libpod/containers/a/b/json");
}

static void
test_container_names(void **state)
{
	(void)state;
	/* names, short IDs and IDs all map through the route table */
	ROUTE(GET, "/containers/my-app_1/logs", 1, "/containers/{id}/logs");
	ROUTE(GET, "/containers/3f2a9c0e1b7d/json", 1,
	    "/containers/{id}/json");
	ROUTE(POST, "/containers/web/start", 1, "/containers/{id}/start");
	ROUTE(DELETE, "/containers/web", 1, "/containers/{id}");
	ROUTE(HEAD, "/containers/web/archive", 1, "/containers/{id}/archive");
	ROUTE(PUT, "/containers/web/archive", 1, "/containers/{id}/archive");
	ROUTE(GET, "/containers/web/attach/ws", 1,
	    "/containers/{id}/attach/ws");
	/* literal routes are not swallowed by the placeholder */
	ROUTE(GET, "/containers/json", 1, "/containers/json");
	ROUTE(POST, "/containers/create", 1, "/containers/create");
	ROUTE(POST, "/containers/prune", 1, "/containers/prune");
	/* the more literal route wins */
	ROUTE(DELETE, "/containers/web/checkpoints/cp1", 1,
	    "/containers/{id}/checkpoints/{checkpoint}");
	/* a container named "json" is still a container */
	ROUTE(GET, "/containers/json/json", 1, "/containers/{id}/json");
	/* legacy link names span '/', and so does dockerd's {name:.*}
	 * (was: the literal path) */
	ROUTE(GET, "/containers/web/db/json", 1, "/containers/{id}/json");
	ROUTE(POST, "/containers/web/db/exec", 1, "/containers/{id}/exec");
	/* one-segment placeholders elsewhere */
	ROUTE(GET, "/networks/traefik_default", 1, "/networks/{id}");
	ROUTE(GET, "/volumes/pgdata", 1, "/volumes/{name}");
	ROUTE(PUT, "/volumes/pgdata", 1, "/volumes/{name}");
	ROUTE(GET, "/services/web", 1, "/services/{id}");
	ROUTE(GET, "/tasks/abc/logs", 1, "/tasks/{id}/logs");
	ROUTE(POST, "/nodes/n1/update", 1, "/nodes/{id}/update");
	ROUTE(GET, "/swarm", 1, "/swarm");
	/* swarm IDs are one segment: more segments are no route */
	ROUTE(GET, "/services/a/b", 0, "/services/a/b");
	/* OPTIONS: dockerd's CORS route "/{anyroute:.*}" takes them all */
	ROUTE(OPTIONS, "/containers/a/json", 1, "/{anyroute}");
}

static void
test_images_slashes(void **state)
{
	(void)state;
	/* one-segment names: the placeholder */
	ROUTE(GET, "/images/nginx:latest/json", 1, "/images/{name}/json");
	ROUTE(GET, "/images/sha256:" ID1 "/json", 1, "/images/{name}/json");
	ROUTE(DELETE, "/images/alpine", 1, "/images/{name}");
	ROUTE(GET, "/images/json", 1, "/images/json");
	ROUTE(GET, "/images/get", 1, "/images/get");
	ROUTE(POST, "/images/create", 1, "/images/create");
	/* names with '/': the route's pattern, whose placeholder spans
	 * like dockerd's {name:.*} (was: the literal path, one image) */
	ROUTE(GET, "/images/library/nginx:latest/json", 1,
	    "/images/{name}/json");
	/* issue 10, case 3 */
	ROUTE(GET, "/images/127.0.0.1:5999/x:latest/json", 1,
	    "/images/{name}/json");
	ROUTE(DELETE, "/images/localhost:5000/a/b", 1, "/images/{name}");
	ROUTE(POST, "/images/localhost:5000/a/b/push", 1,
	    "/images/{name}/push");
	ROUTE(POST, "/images/foo/push/tag", 1, "/images/{name}/tag");
	ROUTE(GET, "/images/library/nginx/history", 1,
	    "/images/{name}/history");
	ROUTE(POST, "/plugins/vieux/sshfs:latest/enable", 1,
	    "/plugins/{name}/enable");
	ROUTE(GET, "/plugins/sshfs/json", 1, "/plugins/{name}/json");
	ROUTE(GET, "/distribution/docker.io/library/alpine/json", 1,
	    "/distribution/{name}/json");
	ROUTE(GET, "/distribution/alpine/json", 1,
	    "/distribution/{name}/json");
	/* a digest segment is too long for a literal: the route still
	 * names it (was: the literal path with "*" for the digest) */
	ROUTE(GET, "/images/reg.io/app@sha256:" ID1 "/json", 1,
	    "/images/{name}/json");

	/* every image name is one rule (was: one rule per tag) */
	learn_init(&lrn);
	ADD(GET, "/images/library/nginx:1.25/json");
	ADD(GET, "/images/library/nginx:1.27/json");
	ADD(GET, "/images/alpine/json");
	ADD(GET, "/images/busybox/json");
	ADD(DELETE, "/images/alpine");
	PRINT("allow DELETE /images/{name}",
	    "allow GET /images/{name}/json");
	COVERED(GET, "/images/library/nginx:1.27/json");
	COVERED(GET, "/images/busybox/json");
}

static void
test_fallback(void **state)
{
	char pat[LEARN_PATTERN];
	int rc;
	static const char *const weird[] = {
		"/", "/x", "/a*b", "/{id}", "/a/**", "/a/*/b", "/.x", "/..x",
		"/caf\xc3\xa9", "/a}b{", "/100%", "/_ping/x", "/containers",
		"/images", "/containers/a/b/c/d/e/f/g",
	};
	size_t i, k;

	(void)state;
	/* unknown paths: literal, never generalised (issue 10, case 3:
	 * "{id}" guessed from hex segments turned POST /x/y into a rule
	 * that allowed POST /containers/create) */
	ROUTE(GET, "/foo/" SID1 "/bar", 0, "/foo/" SID1 "/bar");
	ROUTE(GET, "/foo/abcdef012345", 0, "/foo/abcdef012345");
	ROUTE(POST, "/" SID1 "/" SID2, 0, "/" SID1 "/" SID2);
	ROUTE(GET, "/" SID1, 0, "/" SID1);
	/* a full 64-digit ID is too long for a rule literal */
	assert_int_equal(learn_route(REQ_M_GET, "/foo/" ID1, pat,
	    sizeof(pat)), -2);
	ROUTE(GET, "/foo/ABCDEF012345", 0, "/foo/ABCDEF012345");
	ROUTE(GET, "/", 0, "/");
	ROUTE(GET, "/v2/_catalog", 0, "/v2/_catalog");
	learn_init(&lrn);
	ADD(POST, "/" SID1 "/" SID2);
	ADD(GET, "/" SID2);
	PRINT("# no Engine API route: learned literally",
	    "allow GET /" SID2,
	    "# no Engine API route: learned literally",
	    "allow POST /" SID1 "/" SID2);
	assert_int_equal(lrn.e[0].flags, LEARN_NOROUTE);
	assert_int_equal(rule_parse_line(got.l[3], &r, NULL), 0);
	assert_false(rule_matches_path(&r, REQ_M_POST, "/containers/create"));
	assert_int_equal(rule_parse_line(got.l[1], &r, NULL), 0);
	assert_false(rule_matches_path(&r, REQ_M_GET, "/swarm"));
	/* bytes a literal may not hold: not learned, reported (was: "*") */
	assert_int_equal(learn_route(REQ_M_GET, "/x/a*b/{c}", pat,
	    sizeof(pat)), -2);
	assert_string_equal(pat, "");
	assert_int_equal(learn_route(REQ_M_GET, "/x/**", pat, sizeof(pat)),
	    -2);
	assert_int_equal(learn_route(REQ_M_GET, "/x/caf\xc3\xa9", pat,
	    sizeof(pat)), -2);
	assert_int_equal(learn_route(REQ_M_GET, "/x/100%/a#b/a\\b/a?b",
	    pat, sizeof(pat)), -2);
	learn_init(&lrn);
	ADD(GET, "/x/a*b/{c}");
	ADD(HEAD, "/x/a*b/{c}");
	ADD(GET, "/x/caf\xc3\xa9");
	ADD(GET, "/_ping");
	PRINT("allow GET /_ping",
	    "# not learned: GET,HEAD /x/a*b/{c} (no rule can name this "
	    "path literally)",
	    "# not learned: GET /x/caf\\xc3\\xa9 (no rule can name this "
	    "path literally)");
	assert_int_equal(lrn.e[0].flags, LEARN_SKIPPED);
	/* no route for the method (dockerd serves HEAD only where it
	 * registers it): literal (was: the GET route's pattern) */
	ROUTE(HEAD, "/containers/web/json", 0, "/containers/web/json");
	ROUTE(GET, "/containers/create", 0, "/containers/create");
	/* every method on odd paths still yields a covering rule */
	for (i = 0; i < sizeof(weird) / sizeof(weird[0]); i++)
		for (k = 0; k < REQ_M_COUNT; k++) {
			rc = learn_route((enum req_method)k, weird[i], pat,
			    sizeof(pat));
			if (rc == -2)
				continue;	/* not learned */
			check_route((enum req_method)k, weird[i], rc, NULL,
			    __LINE__);
		}
}

static void
test_cut(void **state)
{
	char path[4096], pat[LEARN_PATTERN];
	size_t i, w = 0;

	(void)state;
	/* 17 segments: no literal pattern holds them; not learned
	 * (was: cut and ended with "**", which widened the rule) */
	for (i = 0; i < RULE_MAX_SEGMENTS + 1; i++)
		w += (size_t)sprintf(path + w, "/s%zu", i);
	assert_int_equal(learn_route(REQ_M_GET, path, pat, sizeof(pat)), -2);
	/* exactly RULE_MAX_SEGMENTS segments fit */
	for (i = 0, w = 0; i < RULE_MAX_SEGMENTS; i++)
		w += (size_t)sprintf(path + w, "/s%zu", i);
	ROUTE(GET, path, 0, path);

	/* too long for the pattern buffer: -1 (learn_add reports it) */
	w = 0;
	for (i = 0; i < 5; i++) {
		path[w++] = '/';
		memset(path + w, 'g' + (int)i, 60);
		w += 60;
	}
	path[w] = '\0';	/* 305 bytes, 5 segments */
	assert_int_equal(learn_route(REQ_M_GET, path, pat, sizeof(pat)), -1);
	learn_init(&lrn);
	assert_int_equal(learn_add(&lrn, REQ_M_GET, path), 0);
	assert_int_equal(lrn.e[0].flags, LEARN_SKIPPED);
	assert_non_null(strstr(lrn.e[0].pattern, "..."));
	/* a long multi-segment image name is still the route's pattern */
	memmove(path + 7, path, w + 1);
	memcpy(path, "/images", 7);
	strcpy(path + 7 + w, "/json");
	ROUTE(GET, path, 1, "/images/{name}/json");

	/* more segments than a rule holds, on a route: the pattern */
	for (i = 0, w = 0; i < 200; i++)
		w += (size_t)sprintf(path + w, "/s");
	assert_int_equal(learn_route(REQ_M_GET, path, pat, sizeof(pat)), -2);
	memmove(path + 7, path, w + 1);
	memcpy(path, "/images", 7);
	strcpy(path + 7 + w, "/json");
	ROUTE(GET, path, 1, "/images/{name}/json");

	/* a cap too small for the pattern: refused, never cut */
	assert_int_equal(learn_route(REQ_M_GET, "/containers/" ID1 "/json",
	    pat, 4), -1);
	assert_string_equal(pat, "");
	assert_int_equal(learn_route(REQ_M_GET, "/containers/" ID1 "/json",
	    pat, 22), 1);
	assert_string_equal(pat, "/containers/{id}/json");
	assert_int_equal(learn_route(REQ_M_GET, "/containers/" ID1 "/json",
	    pat, 21), -1);
	assert_int_equal(learn_route(REQ_M_GET, "/", pat, 4), 0);
	assert_string_equal(pat, "/");
	assert_int_equal(learn_route(REQ_M_GET, "/x", pat, 3), -1);
	assert_string_equal(pat, "");
}

static void
test_merge(void **state)
{
	(void)state;
	learn_init(&lrn);
	ADD(GET, "/networks/front");
	ADD(DELETE, "/networks/back");
	ADD(GET, "/networks/front");
	ADD(POST, "/networks/create");
	ADD(HEAD, "/containers/web/archive");
	ADD(GET, "/containers/db/archive");
	ADD(PUT, "/containers/db/archive");
	PRINT("allow GET,HEAD,PUT /containers/{id}/archive",
	    "allow POST /networks/create",
	    "allow GET,DELETE /networks/{id}");
	assert_int_equal(lrn.e[0].count, 3);
	assert_int_equal(lrn.e[0].methods,
	    (1u << REQ_M_GET) | (1u << REQ_M_DELETE));
	/* all methods print as "*" (rule_methods_str) */
	learn_init(&lrn);
	for (int k = 0; k < REQ_M_COUNT; k++)
		if (k != REQ_M_OPTIONS)
			assert_int_equal(learn_add(&lrn, (enum req_method)k,
			    "/x"), 0);
	PRINT("# no Engine API route: learned literally",
	    "allow GET,HEAD,POST,PUT,DELETE,PATCH /x");
	/* nothing learned: nothing printed */
	learn_init(&lrn);
	check_print(NULL, 0, __LINE__);
}

static void
test_sort(void **state)
{
	(void)state;
	learn_init(&lrn);
	ADD(GET, "/a-b");
	ADD(GET, "/a/b");
	ADD(GET, "/a");
	ADD(GET, "/");
	ADD(GET, "/x/*");	/* a "*" segment stays "*" */
	ADD(GET, "/x/" SID1);
	ADD(GET, "/x/y");
	ADD(GET, "/B");
	/* all unrouted: each flagged; "/x/STAR" is not learned (was: kept as a
	 * wildcard), the hex ID stays literal (was: "{id}") */
#define NR "# no Engine API route: learned literally"
	PRINT(NR, "allow GET /",
	    NR, "allow GET /B",
	    NR, "allow GET /a",
	    NR, "allow GET /a/b",
	    NR, "allow GET /a-b",
	    NR, "allow GET /x/" SID1,
	    NR, "allow GET /x/y",
	    "# not learned: GET /x/* (no rule can name this path literally)");
#undef NR
}

static void
test_overflow(void **state)
{
	char path[32];
	int i;

	(void)state;
	learn_init(&lrn);
	for (i = 0; i < LEARN_MAX; i++) {
		snprintf(path, sizeof(path), "/u/p%d", i);
		assert_int_equal(learn_add(&lrn, REQ_M_GET, path), 0);
	}
	assert_int_equal(lrn.n, LEARN_MAX);
	assert_int_equal(lrn.overflow, 0);
	/* a new pattern is dropped and flagged */
	assert_int_equal(learn_add(&lrn, REQ_M_GET, "/u/new"), -1);
	assert_int_equal(lrn.overflow, 1);
	assert_int_equal(lrn.n, LEARN_MAX);
	/* a known pattern still merges when full */
	assert_int_equal(learn_add(&lrn, REQ_M_POST, "/u/p7"), 0);
	assert_int_equal(lrn.e[7].methods,
	    (1u << REQ_M_GET) | (1u << REQ_M_POST));
	assert_int_equal(lrn.e[7].count, 2);
	memset(&got, 0, sizeof(got));
	learn_print(&lrn, collect, &got);
	assert_int_equal(got.n, 2 * LEARN_MAX);	/* each flagged */
	for (i = 0; i < (int)got.n; i++)
		check_rule_line(got.l[i], __LINE__);
	/* learn_init empties it again */
	learn_init(&lrn);
	assert_int_equal(lrn.n, 0);
	assert_int_equal(lrn.overflow, 0);
}

static void
test_bad_args(void **state)
{
	char pat[LEARN_PATTERN];

	(void)state;
	learn_init(&lrn);
	assert_int_equal(learn_add(&lrn, REQ_M_COUNT, "/x"), -1);
	assert_int_equal(learn_add(&lrn, REQ_M_GET, NULL), -1);
	assert_int_equal(learn_add(&lrn, REQ_M_GET, "x"), -1);
	assert_int_equal(learn_add(&lrn, REQ_M_GET, ""), -1);
	assert_int_equal(learn_add(NULL, REQ_M_GET, "/x"), -1);
	assert_int_equal(lrn.n, 0);
	assert_int_equal(lrn.overflow, 0);
	assert_int_equal(learn_route(REQ_M_GET, NULL, pat, sizeof(pat)), -1);
	assert_int_equal(learn_route(REQ_M_GET, "rel", pat, sizeof(pat)), -1);
	assert_int_equal(learn_route(REQ_M_GET, "/x", NULL, 64), -1);
	learn_print(NULL, collect, &got);
	learn_print(&lrn, NULL, NULL);
}

/*
 * Each table route, filled with a sample name, maps back to its own
 * pattern unless dockerd dispatches the sample to an earlier route, and
 * the learned rule covers the sample; a name spanning '/' gives the same
 * pattern for "{name:.*}" routes, no route for "{id}" ones.
 */
static void
test_route_table(void **state)
{
	char path[256], wide[256], pat[LEARN_PATTERN], want[LEARN_PATTERN];
	const struct engine_api_route *rt;
	const char *p;
	size_t i, w, ww, nspan, nvar;

	(void)state;
	for (i = 0; (rt = engine_api_route_at(i)) != NULL; i++) {
		w = ww = nspan = nvar = 0;
		for (p = rt->tmpl; *p != '\0'; p++) {
			if (*p != '{') {
				path[w++] = wide[ww++] = *p;
				continue;
			}
			nvar++;
			for (; *p != '}'; p++)
				if (*p == ':')
					nspan++;
			memcpy(path + w, "x1", 2);
			memcpy(wide + ww, "r.io/x1", 7);
			w += 2;
			ww += 7;
		}
		path[w] = wide[ww] = '\0';
		assert_true(engine_api_pattern(rt, want, sizeof(want)) > 0);
		if (rt->tmpl[strlen(rt->tmpl) - 1] == '/')
			continue;	/* canonical paths never end in '/' */
		if (engine_api_match(rt->method, path, NULL) != rt) {
			/* dockerd's own order: "/networks/" is cleaned away,
			 * the sample of "/debug/pprof/{name}" is itself */
			print_message("shadowed: %s %s\n",
			    req_method_name(rt->method), rt->tmpl);
			continue;
		}
		check_route(rt->method, path, 1, want, __LINE__);
		if (nvar == 1 && nspan == 1)
			check_route(rt->method, wide, 1, want, __LINE__);
		else if (nvar == 1)
			check_route(rt->method, wide, 0, wide, __LINE__);
	}
	print_message("learn: %zu routes\n", i);
	assert_true(i >= 100);
	/* spot-check the spanning and non-spanning kinds */
	ROUTE(GET, "/exec/a/b/json", 1, "/exec/{id}/json");
	ROUTE(GET, "/secrets/a/b", 0, "/secrets/a/b");
	ROUTE(GET, "/networks/a/b", 1, "/networks/{id}");
	(void)pat;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_traefik),
		cmocka_unit_test(test_docker_exec),
		cmocka_unit_test(test_podman_libpod),
		cmocka_unit_test(test_container_names),
		cmocka_unit_test(test_images_slashes),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_route_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
