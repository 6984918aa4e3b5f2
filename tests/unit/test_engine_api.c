/*
 * test_engine_api.c - the Engine API route table: dockerd's dispatch
 * (gorilla/mux semantics, registration order), hijack detection, rule
 * shapes and patterns, the table's own consistency, and the route table
 * engine_api_doc prints (docs/PROFILES.md's last section; make docs-check
 * compares the whole file).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine_api.h"

/* dockerd dispatches (m, path) to the route with template want (NULL:
 * none); with var, the first variable binds exactly var. */
static void
check_match(enum req_method m, const char *path, const char *want,
    const char *var, int at)
{
	const struct engine_api_route *r;
	struct engine_api_bind b;

	r = engine_api_match(m, path, &b);
	if (want == NULL) {
		if (r != NULL)
			fail_msg("line %d: %s %s -> %s, expected no route", at,
			    req_method_name(m), path, r->tmpl);
		assert_int_equal(b.nvars, 0);
		return;
	}
	if (r == NULL)
		fail_msg("line %d: %s %s -> no route, expected %s", at,
		    req_method_name(m), path, want);
	if (strcmp(r->tmpl, want) != 0 || r->method != m)
		fail_msg("line %d: %s %s -> %s, expected %s", at,
		    req_method_name(m), path, r->tmpl, want);
	if (var == NULL)
		return;
	assert_true(b.nvars >= 1);
	if (b.var[0].len != strlen(var) ||
	    memcmp(path + b.var[0].off, var, b.var[0].len) != 0)
		fail_msg("line %d: %s binds '%.*s', expected '%s'", at, path,
		    (int)b.var[0].len, path + b.var[0].off, var);
}

#define MATCH(m, p, t, v) check_match(REQ_M_##m, (p), (t), (v), __LINE__)
#define NOMATCH(m, p) check_match(REQ_M_##m, (p), NULL, NULL, __LINE__)

static void
test_dispatch(void **state)
{
	struct engine_api_bind b;

	(void)state;
	MATCH(GET, "/containers/json", "/containers/json", NULL);
	MATCH(GET, "/containers/abc/json", "/containers/{name:.*}/json",
	    "abc");
	/* {name:.*} spans '/': legacy link names, registry image names */
	MATCH(POST, "/containers/web/db/exec", "/containers/{name:.*}/exec",
	    "web/db");
	MATCH(GET, "/images/reg:5000/org/app:1/json",
	    "/images/{name:.*}/json", "reg:5000/org/app:1");
	MATCH(GET, "/containers/json/json", "/containers/{name:.*}/json",
	    "json");
	/* greedy, anchored at the end: the last "/json" is the literal */
	MATCH(GET, "/containers/a/json/json", "/containers/{name:.*}/json",
	    "a/json");
	MATCH(GET, "/containers/a/logs/json", "/containers/{name:.*}/json",
	    "a/logs");
	MATCH(DELETE, "/containers/a/b", "/containers/{name:.*}", "a/b");
	/* registration order: the checkpoint router comes first */
	MATCH(DELETE, "/containers/a/checkpoints/cp",
	    "/containers/{name}/checkpoints/{checkpoint}", "a");
	assert_non_null(engine_api_match(REQ_M_DELETE,
	    "/containers/a/checkpoints/cp", &b));
	assert_int_equal(b.nvars, 2);
	assert_int_equal(b.var[1].off, 26);
	assert_int_equal(b.var[1].len, 2);
	assert_int_equal(b.var[1].name_len, 10);
	assert_memory_equal(b.var[1].name, "checkpoint", 10);
	MATCH(DELETE, "/containers/a/b/checkpoints/cp", "/containers/{name:.*}",
	    "a/b/checkpoints/cp");
	/* one-segment variables */
	MATCH(GET, "/services/web", "/services/{id}", "web");
	NOMATCH(GET, "/services/a/b");
	NOMATCH(GET, "/tasks/a/b/logs");
	/* {id:.+}: non-empty, spans */
	MATCH(GET, "/networks/a/b", "/networks/{id:.+}", "a/b");
	MATCH(GET, "/networks", "/networks", NULL);
	/* HEAD only where dockerd registers it (no HEAD-to-GET mapping) */
	MATCH(HEAD, "/_ping", "/_ping", NULL);
	MATCH(HEAD, "/containers/a/archive", "/containers/{name:.*}/archive",
	    "a");
	NOMATCH(HEAD, "/containers/a/json");
	NOMATCH(HEAD, "/version");
	/* OPTIONS: the CORS route takes every path */
	MATCH(OPTIONS, "/containers/create", "/{anyroute:.*}",
	    "containers/create");
	MATCH(OPTIONS, "/", "/{anyroute:.*}", "");
	/* no route */
	NOMATCH(GET, "/");
	NOMATCH(GET, "/containers");
	NOMATCH(POST, "/containers/json");
	NOMATCH(GET, "/containersx/a/json");
	NOMATCH(PATCH, "/containers/a/json");
	NOMATCH(GET, "/v1.41/containers/json");	/* not canonical */
	/* unclean paths: gorilla/mux redirects, dispatches nothing */
	NOMATCH(GET, "/containers//json");
	NOMATCH(GET, "/containers/./json");
	NOMATCH(GET, "/containers/a/../json");
	NOMATCH(GET, "/containers/a/..");
	/* Go's '.' does not match '\n' */
	NOMATCH(GET, "/containers/a\nb/json");
	MATCH(GET, "/services/a\nb", "/services/{id}", "a\nb");
	/* bad arguments */
	assert_null(engine_api_match(REQ_M_COUNT, "/_ping", &b));
	assert_null(engine_api_match(REQ_M_GET, NULL, &b));
	assert_null(engine_api_match(REQ_M_GET, "", NULL));
	assert_null(engine_api_match(REQ_M_GET, "_ping", NULL));
	assert_non_null(engine_api_match(REQ_M_GET, "/_ping", NULL));
}

/* binding k of (m, path) is exactly want */
static void
check_var(enum req_method m, const char *path, size_t k, const char *want,
    int at)
{
	struct engine_api_bind b;

	if (engine_api_match(m, path, &b) == NULL)
		fail_msg("line %d: %s: no route", at, path);
	if (b.nvars <= k)
		fail_msg("line %d: %s: %zu variables bound", at, path,
		    b.nvars);
	if (b.var[k].len != strlen(want) ||
	    memcmp(path + b.var[k].off, want, b.var[k].len) != 0)
		fail_msg("line %d: %s binds %zu = '%.*s', expected '%s'", at,
		    path, k, (int)b.var[k].len, path + b.var[k].off, want);
}

#define VAR(m, p, k, v) check_var(REQ_M_##m, (p), (k), (v), __LINE__)

static void
test_libpod_dispatch(void **state)
{
	const struct engine_api_route *r;
	struct engine_api_bind b;

	(void)state;
	MATCH(GET, "/libpod/_ping", "/libpod/_ping", NULL);
	MATCH(HEAD, "/libpod/_ping", "/libpod/_ping", NULL);
	MATCH(GET, "/libpod/info", "/libpod/info", NULL);
	MATCH(GET, "/libpod/containers/json", "/libpod/containers/json",
	    NULL);
	MATCH(GET, "/libpod/containers/abc/json",
	    "/libpod/containers/{name}/json", "abc");
	/* libpod's container "{name}" is one segment, unlike dockerd's */
	NOMATCH(GET, "/libpod/containers/a/b/json");
	NOMATCH(POST, "/libpod/containers/a/b/exec");
	/* ... except the healthcheck route's */
	MATCH(GET, "/libpod/containers/a/b/healthcheck",
	    "/libpod/containers/{name:.*}/healthcheck", "a/b");
	/* images: spanning names */
	MATCH(GET, "/libpod/images/reg:5000/org/app:1/json",
	    "/libpod/images/{name:.*}/json", "reg:5000/org/app:1");
	MATCH(GET, "/libpod/images/json", "/libpod/images/json", NULL);
	MATCH(GET, "/libpod/images/a/json/exists",
	    "/libpod/images/{name:.*}/exists", "a/json");
	MATCH(GET, "/libpod/generate/web/db/systemd",
	    "/libpod/generate/{name:.*}/systemd", "web/db");
	MATCH(GET, "/libpod/generate/kube", "/libpod/generate/kube", NULL);
	MATCH(GET, "/libpod/images/a/changes",
	    "/libpod/images/{name}/changes", "a");
	NOMATCH(GET, "/libpod/images/a/b/changes");
	/* registration order */
	MATCH(DELETE, "/libpod/images/remove", "/libpod/images/remove", NULL);
	MATCH(DELETE, "/libpod/images/a/remove", "/libpod/images/{name:.*}",
	    "a/remove");
	MATCH(DELETE, "/libpod/artifacts/remove", "/libpod/artifacts/remove",
	    NULL);
	MATCH(POST, "/libpod/images/scp/a/push",
	    "/libpod/images/{name:.*}/push", "scp/a");
	MATCH(POST, "/libpod/images/scp/a", "/libpod/images/scp/{name:.*}",
	    "a");
	MATCH(GET, "/libpod/networks/json", "/libpod/networks/json", NULL);
	MATCH(GET, "/libpod/networks/n", "/libpod/networks/{name}", "n");
	MATCH(DELETE, "/libpod/networks/json", "/libpod/networks/{name}",
	    "json");
	MATCH(GET, "/libpod/containers/stats", "/libpod/containers/stats",
	    NULL);
	MATCH(GET, "/libpod/containers/c/stats",
	    "/libpod/containers/{name}/stats", "c");
	MATCH(POST, "/libpod/containers/create", "/libpod/containers/create",
	    NULL);
	/* manifests (the v4+ subrouter): "create" is a list's name there */
	MATCH(POST, "/libpod/manifests/create", "/libpod/manifests/{name:.*}",
	    "create");
	MATCH(POST, "/libpod/manifests/registry/x",
	    "/libpod/manifests/{name:.*}", "registry/x");
	/* two spanning variables: the first as long as the second allows */
	MATCH(POST, "/libpod/manifests/l/registry/d",
	    "/libpod/manifests/{name:.*}/registry/{destination:.*}", "l");
	VAR(POST, "/libpod/manifests/l/registry/d", 1, "d");
	VAR(POST, "/libpod/manifests/reg/org/l:1/registry/docker:/h/r:2", 0,
	    "reg/org/l:1");
	VAR(POST, "/libpod/manifests/reg/org/l:1/registry/docker:/h/r:2", 1,
	    "docker:/h/r:2");
	VAR(POST, "/libpod/manifests/a/registry/b/registry/c", 0,
	    "a/registry/b");
	VAR(POST, "/libpod/manifests/a/registry/b/registry/c", 1, "c");
	VAR(POST, "/libpod/manifests/a/registry/", 1, "");
	r = engine_api_match(REQ_M_POST, "/libpod/manifests/a/registry/b",
	    &b);
	assert_non_null(r);
	assert_int_equal(b.nvars, 2);
	assert_int_equal(b.var[0].name_len, 4);
	assert_memory_equal(b.var[0].name, "name", 4);
	assert_int_equal(b.var[1].name_len, 11);
	assert_memory_equal(b.var[1].name, "destination", 11);
	/* '\n' in the destination: no push, and no create either */
	NOMATCH(POST, "/libpod/manifests/a/registry/b\nc");
	/* '\n' in the name before a "/registry/": the push is the one
	 * after it, the name may not hold it */
	NOMATCH(POST, "/libpod/manifests/a\nb/registry/c");
	MATCH(GET, "/libpod/manifests/a/b/json",
	    "/libpod/manifests/{name:.*}/json", "a/b");
	MATCH(PUT, "/libpod/manifests/a/b", "/libpod/manifests/{name:.*}",
	    "a/b");
	/* HEAD only where podman registers it */
	MATCH(HEAD, "/libpod/containers/c/archive",
	    "/libpod/containers/{name}/archive", "c");
	NOMATCH(HEAD, "/libpod/containers/c/json");
	NOMATCH(HEAD, "/libpod/version");
	/* no route */
	NOMATCH(GET, "/libpod");
	NOMATCH(GET, "/libpod/");
	NOMATCH(GET, "/libpod/containers");
	NOMATCH(PATCH, "/libpod/containers/c/json");
	NOMATCH(GET, "/libpod//info");
	NOMATCH(GET, "/v4.3.1/libpod/info");	/* not canonical */
}

/*
 * The families never mix: a libpod path goes to a libpod row or none,
 * any other path to a Docker row or none, OPTIONS included (dockerd's
 * catch-all is not Podman's).
 */
static void
test_families(void **state)
{
	static const struct {
		enum req_method m;
		const char *path;
	} cases[] = {
		{ REQ_M_OPTIONS, "/libpod/containers/json" },
		{ REQ_M_OPTIONS, "/libpod/_ping" },
		{ REQ_M_GET, "/libpod/containers/json" },
		{ REQ_M_GET, "/containers/json" },
		{ REQ_M_GET, "/libpodx/containers/json" },
		{ REQ_M_OPTIONS, "/libpodx" },
		{ REQ_M_GET, "/containers/libpod/json" },
		{ REQ_M_GET, "/images/libpod/images/x/json" },
		{ REQ_M_DELETE, "/containers/libpod/containers/x" },
		{ REQ_M_POST, "/libpod/containers/x/attach" },
		{ REQ_M_POST, "/containers/x/attach" },
	};
	const struct engine_api_route *r;
	size_t i;

	(void)state;
	NOMATCH(OPTIONS, "/libpod/containers/json");
	MATCH(OPTIONS, "/libpodx", "/{anyroute:.*}", "libpodx");
	MATCH(GET, "/containers/libpod/json", "/containers/{name:.*}/json",
	    "libpod");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = engine_api_match(cases[i].m, cases[i].path, NULL);
		if (r != NULL && engine_api_libpod_path(cases[i].path) !=
		    ((r->flags & ENGINE_API_LIBPOD) != 0))
			fail_msg("%s %s went to the other family's %s",
			    req_method_name(cases[i].m), cases[i].path,
			    r->tmpl);
	}
	assert_true(engine_api_libpod_path("/libpod"));
	assert_true(engine_api_libpod_path("/libpod/x"));
	assert_false(engine_api_libpod_path("/libpodx"));
	assert_false(engine_api_libpod_path("/x/libpod"));
	assert_false(engine_api_libpod_path("libpod"));
	assert_false(engine_api_libpod_path(NULL));
}

static void
test_hijacks(void **state)
{
	(void)state;
	assert_true(engine_api_hijacks(REQ_M_POST, "/containers/a/attach"));
	assert_true(engine_api_hijacks(REQ_M_POST, "/containers/a/b/attach"));
	assert_true(engine_api_hijacks(REQ_M_GET, "/containers/a/attach/ws"));
	assert_true(engine_api_hijacks(REQ_M_POST, "/exec/a/start"));
	assert_true(engine_api_hijacks(REQ_M_POST, "/session"));
	assert_true(engine_api_hijacks(REQ_M_POST, "/grpc"));
	assert_false(engine_api_hijacks(REQ_M_GET, "/containers/a/attach"));
	assert_false(engine_api_hijacks(REQ_M_POST, "/containers/a/exec"));
	assert_false(engine_api_hijacks(REQ_M_POST, "/exec/a/resize"));
	assert_false(engine_api_hijacks(REQ_M_HEAD, "/session"));
	assert_false(engine_api_hijacks(REQ_M_POST, "/containers//attach"));
	assert_false(engine_api_hijacks(REQ_M_POST, NULL));
	/* libpod: container attach and exec start */
	assert_true(engine_api_hijacks(REQ_M_POST,
	    "/libpod/containers/a/attach"));
	assert_true(engine_api_hijacks(REQ_M_POST, "/libpod/exec/e/start"));
	assert_false(engine_api_hijacks(REQ_M_POST,
	    "/libpod/containers/a/b/attach"));
	assert_false(engine_api_hijacks(REQ_M_GET,
	    "/libpod/containers/a/attach"));
	assert_false(engine_api_hijacks(REQ_M_POST,
	    "/libpod/containers/a/exec"));
	assert_false(engine_api_hijacks(REQ_M_POST, "/libpod/exec/e/resize"));
	assert_false(engine_api_hijacks(REQ_M_POST, "/libpod/exec/e/remove"));
	/* every hijacking row is one of these seven */
	for (size_t i = 0, n = 0; i < engine_api_count(); i++) {
		const struct engine_api_route *r = engine_api_route_at(i);

		if (i + 1 == engine_api_count())
			assert_int_equal(n + ((r->flags &
			    ENGINE_API_HIJACK) != 0), 7);
		if (!(r->flags & ENGINE_API_HIJACK))
			continue;
		n++;
		assert_true(r->method == REQ_M_POST || r->method == REQ_M_GET);
		assert_int_equal(r->body == ENGINE_API_BODY_ANY ||
		    r->body == ENGINE_API_BODY_JSON, 1);
	}
}

static void
test_shape(void **state)
{
	const unsigned get = 1u << REQ_M_GET, post = 1u << REQ_M_POST;
	const struct engine_api_route *r;
	int span;

	(void)state;
#define SHAPE(ms, p) engine_api_shape((ms), (p), strlen(p), &span)
	r = SHAPE(get, "/containers/{id}/json");
	assert_non_null(r);
	assert_string_equal(r->tmpl, "/containers/{name:.*}/json");
	assert_int_equal(span, 1);
	r = SHAPE(get, "/containers/*/json");
	assert_non_null(r);
	assert_int_equal(span, 1);
	r = SHAPE(get, "/services/{id}");
	assert_non_null(r);
	assert_int_equal(span, -1);
	assert_null(SHAPE(get, "/containers/{id}/exec"));
	assert_non_null(SHAPE(post, "/containers/{id}/exec"));
	assert_null(SHAPE(get, "/{id}"));
	assert_null(SHAPE(get, "/containers/json/json"));
	assert_null(SHAPE(get, "/containers/{id}"));
	assert_null(SHAPE(get, "/**"));
	assert_non_null(SHAPE(get, "/containers/json"));
	assert_int_equal(span, -1);
	r = SHAPE(1u << REQ_M_DELETE, "/containers/{id}/checkpoints/{c}");
	assert_non_null(r);
	assert_int_equal(span, -1);
	/* libpod */
	r = SHAPE(get, "/libpod/images/{name}/json");
	assert_non_null(r);
	assert_string_equal(r->tmpl, "/libpod/images/{name:.*}/json");
	assert_int_equal(span, 2);
	r = SHAPE(get, "/libpod/containers/{id}/json");
	assert_non_null(r);
	assert_string_equal(r->tmpl, "/libpod/containers/{name}/json");
	assert_int_equal(span, -1);
	assert_null(SHAPE(get, "/libpod/{x}/json"));
	/* two spans: the list's name is the one a rule spans */
	r = SHAPE(post, "/libpod/manifests/{name}/registry/{dest}");
	assert_non_null(r);
	assert_string_equal(r->tmpl,
	    "/libpod/manifests/{name:.*}/registry/{destination:.*}");
	assert_int_equal(span, 2);
	assert_null(engine_api_shape(get, NULL, 0, &span));
	assert_null(engine_api_shape(get, "x", 1, NULL));
#undef SHAPE
}

static void
test_pattern(void **state)
{
	const struct engine_api_route *r;
	char buf[64];

	(void)state;
	r = engine_api_match(REQ_M_GET, "/containers/a/json", NULL);
	assert_int_equal(engine_api_pattern(r, buf, sizeof(buf)), 21);
	assert_string_equal(buf, "/containers/{id}/json");
	r = engine_api_match(REQ_M_GET, "/images/a/json", NULL);
	engine_api_pattern(r, buf, sizeof(buf));
	assert_string_equal(buf, "/images/{name}/json");
	r = engine_api_match(REQ_M_POST, "/exec/a/start", NULL);
	engine_api_pattern(r, buf, sizeof(buf));
	assert_string_equal(buf, "/exec/{id}/start");
	r = engine_api_match(REQ_M_GET, "/networks/a", NULL);
	engine_api_pattern(r, buf, sizeof(buf));
	assert_string_equal(buf, "/networks/{id}");
	r = engine_api_match(REQ_M_DELETE, "/containers/a/checkpoints/b",
	    NULL);
	engine_api_pattern(r, buf, sizeof(buf));
	assert_string_equal(buf, "/containers/{id}/checkpoints/{checkpoint}");
	/* libpod: containers and execs by ID too */
	r = engine_api_match(REQ_M_GET, "/libpod/containers/a/json", NULL);
	engine_api_pattern(r, buf, sizeof(buf));
	assert_string_equal(buf, "/libpod/containers/{id}/json");
	r = engine_api_match(REQ_M_GET, "/libpod/containers/a/b/healthcheck",
	    NULL);
	engine_api_pattern(r, buf, sizeof(buf));
	assert_string_equal(buf, "/libpod/containers/{id}/healthcheck");
	r = engine_api_match(REQ_M_GET, "/libpod/images/a/b/json", NULL);
	engine_api_pattern(r, buf, sizeof(buf));
	assert_string_equal(buf, "/libpod/images/{name}/json");
	r = engine_api_match(REQ_M_POST, "/libpod/manifests/a/registry/b",
	    NULL);
	engine_api_pattern(r, buf, sizeof(buf));
	assert_string_equal(buf,
	    "/libpod/manifests/{name}/registry/{destination}");
	r = engine_api_match(REQ_M_GET, "/containers/a/json", NULL);
	assert_int_equal(engine_api_pattern(r, buf, 21), -1);
	assert_string_equal(buf, "");
	assert_int_equal(engine_api_pattern(NULL, buf, sizeof(buf)), -1);
}

/*
 * The table itself: templates in dockerd's syntax, at most one spanning
 * variable followed only by literal text, versions in range, no
 * duplicate (method, template), and every row reachable by dispatch.
 */
static void
test_table(void **state)
{
	const struct engine_api_route *r, *r2;
	char path[256];
	const char *p, *q;
	size_t i, j, w, nspan, nlibpod = 0;

	(void)state;
	assert_true(engine_api_count() >= 250);
	assert_null(engine_api_route_at(engine_api_count()));
	for (i = 0; (r = engine_api_route_at(i)) != NULL; i++) {
		assert_int_equal(r->tmpl[0], '/');
		assert_true(r->api_min >= ENGINE_API_OLDEST);
		assert_true(r->api_max <= ENGINE_API_NEWEST);
		assert_true(r->api_min <= r->api_max);
		assert_true((unsigned)r->method < REQ_M_COUNT);
		for (j = 0; j < i; j++) {
			r2 = engine_api_route_at(j);
			if (r2->method == r->method &&
			    strcmp(r2->tmpl, r->tmpl) == 0)
				fail_msg("row %zu duplicates %zu: %s", i, j,
				    r->tmpl);
		}
		nspan = 0;
		w = 0;
		for (p = r->tmpl; *p != '\0'; p++) {
			if (*p != '{') {
				path[w++] = *p;
				continue;
			}
			assert_true(p[-1] == '/');
			/* after a span, only literal text or another span
			 * (the matcher's limits) */
			q = strchr(p, '}');
			if (memchr(p, ':', (size_t)(q - p)) != NULL) {
				nspan++;
				assert_true(strncmp(q - 3, ":.*}", 4) == 0 ||
				    strncmp(q - 3, ":.+}", 4) == 0);
			} else
				assert_int_equal(nspan, 0);
			p = q;
			assert_true(p[1] == '/' || p[1] == '\0');
			memcpy(path + w, "v1", 2);
			w += 2;
		}
		path[w] = '\0';
		assert_true(nspan <= ENGINE_API_MAX_VARS);
		/* the family: libpod rows are exactly the "/libpod/" ones,
		 * and api_min/api_max (Docker minors) do not gate them */
		if (engine_api_libpod_path(r->tmpl) !=
		    ((r->flags & ENGINE_API_LIBPOD) != 0))
			fail_msg("row %zu (%s): libpod flag disagrees", i,
			    r->tmpl);
		if (r->flags & ENGINE_API_LIBPOD) {
			nlibpod++;
			assert_int_equal(r->api_min, ENGINE_API_OLDEST);
			assert_int_equal(r->api_max, ENGINE_API_NEWEST);
			assert_false(r->flags & ENGINE_API_EXPERIMENTAL);
		}
		/* the hijack test agrees with the flag on every row */
		if (engine_api_hijacks(r->method, path) !=
		    ((r->flags & ENGINE_API_HIJACK) != 0))
			fail_msg("row %zu (%s %s): hijack test disagrees", i,
			    req_method_name(r->method), r->tmpl);
		r2 = engine_api_match(r->method, path, NULL);
		if (r2 != r)
			fail_msg("row %zu (%s %s) unreachable: %s goes to %s",
			    i, req_method_name(r->method), r->tmpl, path,
			    r2 != NULL ? r2->tmpl : "nothing");
	}
	/* podman 5's libpod (method, template) pairs, a superset of
	 * 4.3.1's: the manifests' v4+ subrouter, "/libpod/_ping" once
	 * (versioned or not), "/libpod/generate/kube" once (registered
	 * twice) */
	assert_int_equal(nlibpod, 137);
}

/* engine_api_doc: a header, then one row per route, in table order,
 * each naming its method and template (docs/PROFILES.md's route table). */
struct docrows {
	size_t	 n;		/* lines seen */
};

static void
doc_row(void *arg, const char *line)
{
	struct docrows *d = arg;
	const struct engine_api_route *r;
	char want[256];

	if (d->n == 0)
		assert_string_equal(line,
		    "| Method | Route | API | Flags | Body | Sensitive |");
	else if (d->n == 1)
		assert_string_equal(line, "|---|---|---|---|---|---|");
	else {
		assert_true(d->n - 2 < engine_api_count());
		r = engine_api_route_at(d->n - 2);
		snprintf(want, sizeof(want), "| %s | `%s` | ",
		    req_method_name(r->method), r->tmpl);
		if (strncmp(line, want, strlen(want)) != 0)
			fail_msg("row %zu: '%s', expected it to start '%s'",
			    d->n - 2, line, want);
		assert_null(strchr(line, '\n'));
	}
	d->n++;
}

static void
test_doc(void **state)
{
	struct docrows d = { 0 };

	(void)state;
	engine_api_doc(doc_row, &d);
	assert_int_equal(d.n, engine_api_count() + 2);
	engine_api_doc(NULL, NULL);	/* no crash */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_libpod_dispatch),
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_hijacks),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_pattern),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_doc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
