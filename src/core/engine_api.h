/*
 * engine_api.h - the Docker Engine API routes, as dockerd's router
 * declares them, in one table.
 *
 * Pure.  One row per route that moby's api/server/router (daemon/server/
 * router since v28) registers, for API 1.24 up to the newest version
 * dockerd 20.10 and Docker 28/29 serve (1.55), in dockerd's registration
 * order.  Hijack detection (conn.c, explain), learning (learn.c), rule
 * placeholders (rule.c), profile validation and the route section of
 * docs/PROFILES.md are all derived from it.
 *
 * Podman's own routes follow, flagged ENGINE_API_LIBPOD: its libpod API
 * ("/libpod/..." after the version prefix) as pkg/api/server declares it
 * in podman 4.3.1 and 5, in its registration order.  A libpod path is
 * dispatched among libpod rows only and any other path among dockerd's
 * (no template of one family matches a path of the other, and Podman has
 * no OPTIONS catch-all).  api_min and api_max do not gate libpod rows
 * (they span all minors); rows podman 4.3 lacks say "podman 5" in their
 * note.  Podman's manifest routes depend on the version prefix (a v3
 * and a v4+ subrouter): the table holds the v4+ ones.
 *
 * Templates use dockerd's syntax: "{name}" binds one segment (gorilla/mux
 * default "[^/]+"), "{name:.*}" and "{id:.+}" bind any text, '/' included,
 * so "/containers/{name:.*}/exec" dispatches "/containers/web/db/exec"
 * with name = "web/db" (a legacy link name) and "/images/{name:.*}/json"
 * dispatches "/images/reg:5000/org/app:1/json".  Only literal text
 * follows a spanning variable, or literal text and another spanning
 * variable: "/libpod/manifests/{name:.*}/registry/{destination:.*}",
 * where Go's leftmost-first matching gives name the longest text that
 * leaves a "/registry/" after it.
 *
 * dockerd adds each route with Methods(method): gorilla/mux does not map
 * HEAD to GET, so HEAD is served only where a HEAD route is registered
 * ("/_ping", "/containers/{name:.*}/archive" and their libpod twins); any
 * other HEAD gets 404.
 */
#ifndef SOCKWARD_ENGINE_API_H
#define SOCKWARD_ENGINE_API_H

#include <stddef.h>

#include "http_req.h"	/* enum req_method */

/* API versions are 1.MINOR; the table spans these minors. */
#define ENGINE_API_OLDEST	24
#define ENGINE_API_NEWEST	55

/* Route flags. */
#define ENGINE_API_HIJACK	0x01u	/* dockerd may take the connection
					 * over (raw stream, with or without
					 * an Upgrade header) */
#define ENGINE_API_STREAM	0x02u	/* the response can last indefinitely
					 * (follow, stream, progress, wait) */
#define ENGINE_API_FORM		0x04u	/* the handler calls ParseForm /
					 * FormValue: a form body is read
					 * like the query */
#define ENGINE_API_EXPERIMENTAL	0x08u	/* 501 unless dockerd runs with
					 * --experimental */
#define ENGINE_API_LIBPOD	0x10u	/* Podman's own API ("/libpod/..."),
					 * not dockerd's: only rules that name
					 * "/libpod" grant it (rule.h) */

/* What the handler reads from the request body. */
enum engine_api_body {
	ENGINE_API_BODY_NONE = 0,	/* nothing */
	ENGINE_API_BODY_JSON,		/* a JSON document */
	ENGINE_API_BODY_TAR,		/* a tar archive (build context,
					 * image, plugin, files) */
	ENGINE_API_BODY_ANY		/* raw bytes (hijacked stream, or
					 * an image to import) */
};

struct engine_api_route {
	enum req_method	 method;
	const char	*tmpl;		/* dockerd's template */
	size_t		 tmpl_len;	/* strlen(tmpl) */
	unsigned char	 api_min;	/* oldest minor serving it */
	unsigned char	 api_max;	/* newest minor serving it */
	unsigned	 flags;		/* ENGINE_API_* */
	enum engine_api_body body;
	const char	*sensitive;	/* what it exposes or does, or NULL */
};

#define ENGINE_API_MAX_VARS	2

/* Variables dockerd binds for a route, as offsets into the path. */
struct engine_api_bind {
	size_t	nvars;
	struct {
		const char *name;	/* into the template; not terminated */
		size_t	 name_len;
		size_t	 off;		/* value = path[off .. off + len) */
		size_t	 len;
	} var[ENGINE_API_MAX_VARS];
};

/*
 * The route dockerd (Podman, for a libpod path) dispatches (m, path) to:
 * the first row of the path's family, in registration order, with method
 * m whose template matches the whole path (gorilla/mux: the template's
 * regular expression anchored at both ends).  path is canonical and NUL-terminated (version prefix removed,
 * decoded, no "//", no dot segments).  Returns a pointer into the static
 * table, or NULL when dockerd answers 404 (also for a NULL path or a
 * method out of range).  When b is not NULL it receives the bound
 * variables on success (nvars = 0 on failure).
 */
const struct engine_api_route *engine_api_match(enum req_method m,
	    const char *path, struct engine_api_bind *b);

/*
 * Returns 1 when the canonical path (version prefix removed) is in
 * Podman's libpod family: its first segment is exactly "libpod".  0
 * otherwise, also for NULL.  dockerd answers such paths with 404;
 * Podman routes them to its own API, whose exports and secrets Docker
 * routes' rules do not name.
 */
int	engine_api_libpod_path(const char *path);

/* The i-th row (0-based) in registration order, or NULL past the end. */
const struct engine_api_route *engine_api_route_at(size_t i);

/* Number of rows. */
size_t	engine_api_count(void);

/*
 * Returns 1 when dockerd or Podman may hijack the connection for
 * (m, path): the route it dispatches to has ENGINE_API_HIJACK (container
 * attach and attach/ws, exec start, session, grpc; libpod container
 * attach and exec start).  Decided from the route, not the
 * headers, because dockerd hijacks even without an Upgrade header.
 * 0 otherwise, also for a NULL path.
 */
int	engine_api_hijacks(enum req_method m, const char *path);

/*
 * The first route, among those whose method is in the mask methods (bit
 * 1u << enum req_method), that has the shape of the rule pattern p[0..n)
 * (rule.h syntax): as many segments as the template, each literal segment
 * of p equal to the template's, and a placeholder ("{x}" or "*") exactly
 * where the template has a variable.  *span gets the index of the
 * segment at the template's first spanning variable, or -1 when it has
 * none (span may be NULL).  The one template with two, the manifest push
 * above, thus spans the list's name in a rule; its destination is one
 * segment there (a rule with that shape does not match a destination
 * holding '/': an allow does not grant it, a deny of that exact shape
 * does not refuse it; a deny of "/libpod/manifests" and all below does).  Returns NULL when no route has that shape.
 */
const struct engine_api_route *engine_api_shape(unsigned methods,
	    const char *p, size_t n, int *span);

/*
 * Write route r's template in rule syntax to dst[0..cap): each variable
 * "{v:re}" becomes "{v}", except that the "name" of a container or exec
 * route (Docker's or libpod's) is written "{id}" (clients address those
 * by ID, and sockward has always printed "/containers/{id}/json").  Returns the length, or
 * -1 (dst set to "" when cap > 0) when it does not fit or r is NULL.
 */
int	engine_api_pattern(const struct engine_api_route *r, char *dst,
	    size_t cap);

/*
 * Write the generated section of docs/PROFILES.md: a Markdown table of
 * every route (method, template, API versions, flags, body, sensitive
 * note), one call of out(arg, line) per line, no newline in line, line
 * valid only during the call.
 */
void	engine_api_doc(void (*out)(void *arg, const char *line), void *arg);

#endif
