/*
 * engine_api.c - the Engine API route table and dockerd's dispatch.
 *
 * The rows were checked against moby's router source (NewGetRoute,
 * NewPostRoute, ... calls of api/server/router/<area>/<area>.go, moved to
 * daemon/server/router in v28) on the 20.10 branch (API 1.41), the 28.x
 * branch and the docker-29.x branch (API 1.55), and their order against
 * the router list (cmd/dockerd/daemon.go, daemon/command/daemon.go).
 * Minimum versions are those the router declares (WithMinimumAPIVersion);
 * handlers may refuse older versions themselves.  The form flag and body
 * kind come from reading each handler (httputils.ParseForm, r.FormValue,
 * httputils.ReadJSON).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_api.h"

#define OLD	ENGINE_API_OLDEST
#define NEW	ENGINE_API_NEWEST
#define HJ	ENGINE_API_HIJACK
#define ST	ENGINE_API_STREAM
#define FM	ENGINE_API_FORM
#define EX	ENGINE_API_EXPERIMENTAL
#define B0	ENGINE_API_BODY_NONE
#define BJ	ENGINE_API_BODY_JSON
#define BT	ENGINE_API_BODY_TAR
#define BA	ENGINE_API_BODY_ANY
#define GET	REQ_M_GET
#define HEAD	REQ_M_HEAD
#define POST	REQ_M_POST
#define PUT	REQ_M_PUT
#define DEL	REQ_M_DELETE
#define OPT	REQ_M_OPTIONS

/* A template and its length. */
#define T(tmpl)	tmpl, sizeof(tmpl) - 1

#define ENV	"container config incl. Config.Env (secrets)"
#define LOGS	"logs (often hold secrets)"
#define AUTH	"registry credentials (X-Registry-Auth)"

/*
 * Registration order matters where two templates match one path: the
 * checkpoint router comes first so that DELETE /containers/a/checkpoints/b
 * is a checkpoint delete, not the removal of container "a/checkpoints/b".
 * Debug routes: dockerd 20.10 adds them last and for every method; since
 * v23 they are GET routes of a debug router.  Both serve them only with
 * --debug (404 otherwise); listed as GET.
 */
static const struct engine_api_route engine_api_routes[] = {
	/* checkpoint (experimental) */
	{ GET,	T("/containers/{name:.*}/checkpoints"), OLD, NEW, FM | EX, B0,
	    NULL },
	{ POST,	T("/containers/{name:.*}/checkpoints"), OLD, NEW, FM | EX, BJ,
	    NULL },
	{ DEL,	T("/containers/{name}/checkpoints/{checkpoint}"), OLD, NEW,
	    FM | EX, B0, NULL },
	/* container */
	{ HEAD,	T("/containers/{name:.*}/archive"), OLD, NEW, FM, B0,
	    "container files (stat)" },
	{ GET,	T("/containers/json"), OLD, NEW, FM, B0, NULL },
	{ GET,	T("/containers/{name:.*}/export"), OLD, NEW, 0, B0,
	    "the container's whole filesystem" },
	{ GET,	T("/containers/{name:.*}/changes"), OLD, NEW, 0, B0, NULL },
	{ GET,	T("/containers/{name:.*}/json"), OLD, NEW, FM, B0, ENV },
	{ GET,	T("/containers/{name:.*}/top"), OLD, NEW, FM, B0,
	    "process command lines" },
	{ GET,	T("/containers/{name:.*}/logs"), OLD, NEW, FM | ST, B0, LOGS },
	{ GET,	T("/containers/{name:.*}/stats"), OLD, NEW, FM | ST, B0, NULL },
	{ GET,	T("/containers/{name:.*}/attach/ws"), OLD, NEW, FM | HJ, BA,
	    "container stdin/stdout" },
	{ GET,	T("/exec/{id:.*}/json"), OLD, NEW, 0, B0, "exec command line" },
	{ GET,	T("/containers/{name:.*}/archive"), OLD, NEW, FM, B0,
	    "container files" },
	{ POST,	T("/containers/create"), OLD, NEW, FM, BJ,
	    "HostConfig: privileged, host mounts (root on the host)" },
	{ POST,	T("/containers/{name:.*}/kill"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/containers/{name:.*}/pause"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/containers/{name:.*}/unpause"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/containers/{name:.*}/restart"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/containers/{name:.*}/start"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/containers/{name:.*}/stop"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/containers/{name:.*}/wait"), OLD, NEW, FM | ST, B0, NULL },
	{ POST,	T("/containers/{name:.*}/resize"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/containers/{name:.*}/attach"), OLD, NEW, FM | HJ, BA,
	    "container stdin/stdout" },
	{ POST,	T("/containers/{name:.*}/copy"), OLD, 44, 0, BJ,
	    "removed in v26; errors out" },
	{ POST,	T("/containers/{name:.*}/exec"), OLD, NEW, FM, BJ,
	    "runs a command in a container" },
	{ POST,	T("/exec/{name:.*}/start"), OLD, NEW, FM | HJ, BJ,
	    "exec stdin/stdout" },
	{ POST,	T("/exec/{name:.*}/resize"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/containers/{name:.*}/rename"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/containers/{name:.*}/update"), OLD, NEW, FM, BJ, NULL },
	{ POST,	T("/containers/prune"), 25, NEW, FM, B0, NULL },
	{ POST,	T("/commit"), OLD, NEW, FM, BJ, NULL },
	{ PUT,	T("/containers/{name:.*}/archive"), OLD, NEW, FM, BT,
	    "writes files into a container" },
	{ DEL,	T("/containers/{name:.*}"), OLD, NEW, FM, B0, NULL },
	/* image */
	{ GET,	T("/images/json"), OLD, NEW, FM, B0, NULL },
	{ GET,	T("/images/search"), OLD, NEW, FM, B0, AUTH },
	{ GET,	T("/images/get"), OLD, NEW, FM, B0, "image tarballs" },
	{ GET,	T("/images/{name:.*}/get"), OLD, NEW, FM, B0,
	    "image tarballs" },
	{ GET,	T("/images/{name:.*}/history"), OLD, NEW, FM, B0, NULL },
	{ GET,	T("/images/{name:.*}/json"), OLD, NEW, FM, B0, NULL },
	{ GET,	T("/images/{name:.*}/attestations"), 55, NEW, FM, B0, NULL },
	{ POST,	T("/images/load"), OLD, NEW, FM, BT, NULL },
	{ POST,	T("/images/create"), OLD, NEW, FM | ST, BA, AUTH },
	{ POST,	T("/images/{name:.*}/push"), OLD, NEW, FM | ST, B0, AUTH },
	{ POST,	T("/images/{name:.*}/tag"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/images/prune"), 25, NEW, FM, B0, NULL },
	{ DEL,	T("/images/{name:.*}"), OLD, NEW, FM, B0, NULL },
	/* system */
	{ OPT,	T("/{anyroute:.*}"), OLD, NEW, 0, B0, NULL },
	{ GET,	T("/_ping"), OLD, NEW, 0, B0, NULL },
	{ HEAD,	T("/_ping"), OLD, NEW, 0, B0, NULL },
	{ GET,	T("/events"), OLD, NEW, FM | ST, B0, NULL },
	{ GET,	T("/info"), OLD, NEW, 0, B0, "host and registry details" },
	{ GET,	T("/version"), OLD, NEW, 0, B0, NULL },
	{ GET,	T("/system/df"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/auth"), OLD, NEW, 0, BJ, "registry credentials" },
	/* volume */
	{ GET,	T("/volumes"), OLD, NEW, FM, B0, "volume Options" },
	{ GET,	T("/volumes/{name:.*}"), OLD, NEW, FM, B0, "volume Options" },
	{ POST,	T("/volumes/create"), OLD, NEW, FM, BJ, NULL },
	{ POST,	T("/volumes/prune"), 25, NEW, FM, B0, NULL },
	{ PUT,	T("/volumes/{name:.*}"), 42, NEW, FM, BJ, NULL },
	{ DEL,	T("/volumes/{name:.*}"), OLD, NEW, FM, B0, NULL },
	/* build */
	{ POST,	T("/build"), OLD, NEW, FM | ST, BT, AUTH },
	{ POST,	T("/build/prune"), 31, NEW, FM, B0, NULL },
	{ POST,	T("/build/cancel"), OLD, NEW, FM, B0, NULL },
	/* session */
	{ POST,	T("/session"), OLD, NEW, HJ, BA, "build session (hijack)" },
	/* swarm */
	{ POST,	T("/swarm/init"), OLD, NEW, 0, BJ, NULL },
	{ POST,	T("/swarm/join"), OLD, NEW, 0, BJ, "join token" },
	{ POST,	T("/swarm/leave"), OLD, NEW, FM, B0, NULL },
	{ GET,	T("/swarm"), OLD, NEW, 0, B0, "join tokens" },
	{ GET,	T("/swarm/unlockkey"), OLD, NEW, 0, B0, "swarm unlock key" },
	{ POST,	T("/swarm/update"), OLD, NEW, 0, BJ, NULL },
	{ POST,	T("/swarm/unlock"), OLD, NEW, 0, BJ, "swarm unlock key" },
	{ GET,	T("/services"), OLD, NEW, FM, B0, "service specs incl. Env" },
	{ GET,	T("/services/{id}"), OLD, NEW, 0, B0,
	    "service spec incl. Env" },
	{ POST,	T("/services/create"), OLD, NEW, 0, BJ, AUTH },
	{ POST,	T("/services/{id}/update"), OLD, NEW, 0, BJ, AUTH },
	{ DEL,	T("/services/{id}"), OLD, NEW, 0, B0, NULL },
	{ GET,	T("/services/{id}/logs"), OLD, NEW, FM | ST, B0, LOGS },
	{ GET,	T("/nodes"), OLD, NEW, FM, B0, NULL },
	{ GET,	T("/nodes/{id}"), OLD, NEW, 0, B0, NULL },
	{ DEL,	T("/nodes/{id}"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/nodes/{id}/update"), OLD, NEW, 0, BJ, NULL },
	{ GET,	T("/tasks"), OLD, NEW, FM, B0, "task specs incl. Env" },
	{ GET,	T("/tasks/{id}"), OLD, NEW, 0, B0, "task spec incl. Env" },
	{ GET,	T("/tasks/{id}/logs"), OLD, NEW, FM | ST, B0, LOGS },
	{ GET,	T("/secrets"), 25, NEW, FM, B0, NULL },
	{ POST,	T("/secrets/create"), 25, NEW, 0, BJ, "secret data" },
	{ DEL,	T("/secrets/{id}"), 25, NEW, 0, B0, NULL },
	{ GET,	T("/secrets/{id}"), 25, NEW, 0, B0, NULL },
	{ POST,	T("/secrets/{id}/update"), 25, NEW, 0, BJ, NULL },
	{ GET,	T("/configs"), 30, NEW, FM, B0, "config data" },
	{ POST,	T("/configs/create"), 30, NEW, 0, BJ, NULL },
	{ DEL,	T("/configs/{id}"), 30, NEW, 0, B0, NULL },
	{ GET,	T("/configs/{id}"), 30, NEW, 0, B0, "config data" },
	{ POST,	T("/configs/{id}/update"), 30, NEW, 0, BJ, NULL },
	/* plugin */
	{ GET,	T("/plugins"), OLD, NEW, FM, B0, NULL },
	{ GET,	T("/plugins/{name:.*}/json"), OLD, NEW, 0, B0, NULL },
	{ GET,	T("/plugins/privileges"), OLD, NEW, FM, B0, NULL },
	{ DEL,	T("/plugins/{name:.*}"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/plugins/{name:.*}/enable"), OLD, NEW, FM, B0,
	    "plugins run with the privileges they ask for" },
	{ POST,	T("/plugins/{name:.*}/disable"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/plugins/pull"), OLD, NEW, FM | ST, BJ, AUTH },
	{ POST,	T("/plugins/{name:.*}/push"), OLD, NEW, FM | ST, B0, AUTH },
	{ POST,	T("/plugins/{name:.*}/upgrade"), 26, NEW, FM | ST, BJ, AUTH },
	{ POST,	T("/plugins/{name:.*}/set"), OLD, NEW, 0, BJ, NULL },
	{ POST,	T("/plugins/create"), OLD, NEW, FM, BT, NULL },
	/* distribution */
	{ GET,	T("/distribution/{name:.*}/json"), 30, NEW, FM, B0, AUTH },
	/* network */
	{ GET,	T("/networks"), OLD, NEW, FM, B0, NULL },
	{ GET,	T("/networks/"), OLD, NEW, FM, B0, NULL },
	{ GET,	T("/networks/{id:.+}"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/networks/create"), OLD, NEW, FM, BJ, NULL },
	{ POST,	T("/networks/{id:.*}/connect"), OLD, NEW, FM, BJ, NULL },
	{ POST,	T("/networks/{id:.*}/disconnect"), OLD, NEW, FM, BJ, NULL },
	{ POST,	T("/networks/prune"), 25, NEW, FM, B0, NULL },
	{ DEL,	T("/networks/{id:.*}"), OLD, NEW, FM, B0, NULL },
	/* debug (dockerd --debug only) */
	{ GET,	T("/debug/vars"), OLD, NEW, 0, B0, "daemon internals" },
	{ GET,	T("/debug/pprof/"), OLD, NEW, 0, B0, "daemon internals" },
	{ GET,	T("/debug/pprof/cmdline"), OLD, NEW, 0, B0,
	    "daemon internals" },
	{ GET,	T("/debug/pprof/profile"), OLD, NEW, 0, B0,
	    "daemon internals" },
	{ GET,	T("/debug/pprof/symbol"), OLD, NEW, 0, B0, "daemon internals" },
	{ GET,	T("/debug/pprof/trace"), OLD, NEW, 0, B0, "daemon internals" },
	{ GET,	T("/debug/pprof/{name}"), OLD, NEW, 0, B0, "daemon internals" },
	/* grpc (BuildKit) */
	{ POST,	T("/grpc"), OLD, NEW, HJ, BA, "BuildKit gRPC (hijack)" },
};

#define ENGINE_API_NROUTES \
	(sizeof(engine_api_routes) / sizeof(engine_api_routes[0]))

/*
 * Rows with ENGINE_API_HIJACK, so that the per-request hijack test looks
 * at five rows, not all.  test_engine_api checks every row against
 * engine_api_hijacks, which fails if this list and the flags part.
 */
static const unsigned char engine_api_hijack_rows[] = { 11, 23, 26, 64, 122 };

#define ENGINE_API_NHIJACK \
	(sizeof(engine_api_hijack_rows) / sizeof(engine_api_hijack_rows[0]))

/* Segments of a template (the longest has 4) or a rule pattern. */
#define ENGINE_API_SEGS	16

/*
 * Match template t against the whole of p with gorilla/mux's semantics:
 * literal bytes compare exactly, "{v}" takes [^/]+ and "{v:.*}" or
 * "{v:.+}" takes what the literal suffix after it leaves (Go's '.' does
 * not match '\n').  len is strlen(path).  Returns 1 and fills b (if not
 * NULL), or 0.
 */
static int
engine_api_tmatch(const char *t, const char *path, size_t len,
    struct engine_api_bind *b)
{
	const char *p = path, *close, *colon, *s;
	size_t slen, plen, vlen, k;

	if (b != NULL)
		b->nvars = 0;
	for (;;) {
		if (*t != '{') {
			if (*t != *p)
				return 0;
			if (*t == '\0')
				return 1;
			t++;
			p++;
			continue;
		}
		close = strchr(t, '}');
		colon = memchr(t, ':', (size_t)(close - t));
		s = p;
		if (colon == NULL) {
			while (*p != '\0' && *p != '/')
				p++;
			if (p == s)
				return 0;
		} else {
			slen = strlen(close + 1);
			plen = len - (size_t)(p - path);
			if (plen < slen ||
			    memcmp(p + plen - slen, close + 1, slen) != 0)
				return 0;
			vlen = plen - slen;
			if (vlen == 0 && colon[2] == '+')
				return 0;
			if (memchr(p, '\n', vlen) != NULL)
				return 0;
			p += vlen;
		}
		if (b != NULL && b->nvars < ENGINE_API_MAX_VARS) {
			k = b->nvars++;
			b->var[k].name = t + 1;
			b->var[k].name_len = (size_t)((colon != NULL ? colon :
			    close) - (t + 1));
			b->var[k].off = (size_t)(s - path);
			b->var[k].len = (size_t)(p - s);
		}
		t = close + 1;
	}
}

/*
 * gorilla/mux answers a path that path.Clean would change ("//", "." or
 * ".." segments; a trailing '/' is kept) with a redirect, never a
 * dispatch.
 */
static int
engine_api_clean(const char *p)
{
	if (p[0] != '/')
		return 0;
	for (; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		if (p[1] == '/')
			return 0;
		if (p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
			return 0;
		if (p[1] == '.' && p[2] == '.' && (p[3] == '/' ||
		    p[3] == '\0'))
			return 0;
	}
	return 1;
}

/*
 * Every request asks for its route, so the rows are bucketed once by
 * method and by the template's first byte after '/', keeping
 * registration order within a bucket: a lookup walks the few rows that
 * could match, in dockerd's order.  A template that starts with a
 * variable ("OPTIONS /{anyroute:.*}") goes into every bucket of its
 * method.
 */
#define ENGINE_API_NKEYS	(REQ_M_COUNT * 128)
#define ENGINE_API_NWILD	2	/* rows starting with a variable */

static unsigned short	 engine_api_bucket[ENGINE_API_NKEYS + 1];
static unsigned char	 engine_api_bucket_rows[ENGINE_API_NROUTES +
			    128 * ENGINE_API_NWILD];
static int		 engine_api_bucketed;

static size_t
engine_api_key(enum req_method m, char c)
{
	return (size_t)m * 128 + ((unsigned char)c & 0x7f);
}

/* Call f(key, i) for each bucket row i belongs to. */
static void
engine_api_row_keys(size_t i, void (*f)(size_t key, size_t row))
{
	const struct engine_api_route *r = &engine_api_routes[i];
	int	 c;

	if (r->tmpl[1] != '{') {
		f(engine_api_key(r->method, r->tmpl[1]), i);
		return;
	}
	for (c = 0; c < 128; c++)
		f(engine_api_key(r->method, (char)c), i);
}

static unsigned short	 engine_api_fill[ENGINE_API_NKEYS];

static void
engine_api_count_row(size_t key, size_t row)
{
	(void)row;
	engine_api_bucket[key + 1]++;
}

static void
engine_api_place_row(size_t key, size_t row)
{
	engine_api_bucket_rows[engine_api_fill[key]++] = (unsigned char)row;
}

static void
engine_api_bucket_init(void)
{
	size_t		 i, k;

	memset(engine_api_bucket, 0, sizeof(engine_api_bucket));
	for (i = 0; i < ENGINE_API_NROUTES; i++)
		engine_api_row_keys(i, engine_api_count_row);
	for (k = 0; k < ENGINE_API_NKEYS; k++)
		engine_api_bucket[k + 1] += engine_api_bucket[k];
	/* More rows starting with a variable than ENGINE_API_NWILD: a
	 * table edit that every test run catches at its first lookup. */
	if (engine_api_bucket[ENGINE_API_NKEYS] >
	    sizeof(engine_api_bucket_rows))
		abort();
	memcpy(engine_api_fill, engine_api_bucket, sizeof(engine_api_fill));
	for (i = 0; i < ENGINE_API_NROUTES; i++)
		engine_api_row_keys(i, engine_api_place_row);
	engine_api_bucketed = 1;
}

const struct engine_api_route *
engine_api_match(enum req_method m, const char *path,
    struct engine_api_bind *b)
{
	const struct engine_api_route *r;
	size_t i, len, key;
	char last;

	if (b != NULL)
		b->nvars = 0;
	if (path == NULL || (unsigned)m >= REQ_M_COUNT ||
	    !engine_api_clean(path))
		return NULL;
	if (!engine_api_bucketed)
		engine_api_bucket_init();
	len = strlen(path);
	key = engine_api_key(m, path[1]);
	for (i = engine_api_bucket[key]; i < engine_api_bucket[key + 1];
	    i++) {
		r = &engine_api_routes[engine_api_bucket_rows[i]];
		/* A cheap reject first: the last byte, when the template
		 * ends in a literal. */
		last = r->tmpl[r->tmpl_len - 1];
		if (last != '}' && path[len - 1] != last)
			continue;
		if (engine_api_tmatch(r->tmpl, path, len, b))
			return r;
	}
	if (b != NULL)
		b->nvars = 0;
	return NULL;
}

int
engine_api_libpod_path(const char *path)
{
	return path != NULL && strncmp(path, "/libpod", 7) == 0 &&
	    (path[7] == '\0' || path[7] == '/');
}

const struct engine_api_route *
engine_api_route_at(size_t i)
{
	return i < ENGINE_API_NROUTES ? &engine_api_routes[i] : NULL;
}

size_t
engine_api_count(void)
{
	return ENGINE_API_NROUTES;
}

int
engine_api_hijacks(enum req_method m, const char *path)
{
	const struct engine_api_route *r;
	size_t i, len;

	if (path == NULL || (unsigned)m >= REQ_M_COUNT)
		return 0;
	len = strlen(path);
	/*
	 * Called for every request: try the few hijacking rows first, and
	 * only when one matches ask which route dockerd really dispatches to
	 * (an earlier row could take the path).
	 */
	for (i = 0; i < ENGINE_API_NHIJACK; i++) {
		r = &engine_api_routes[engine_api_hijack_rows[i]];
		/* All five end in a literal: compare the last byte first. */
		if (r->method == m && len > 0 &&
		    path[len - 1] == r->tmpl[r->tmpl_len - 1] &&
		    engine_api_tmatch(r->tmpl, path, len, NULL))
			break;
	}
	if (i == ENGINE_API_NHIJACK)
		return 0;
	r = engine_api_match(m, path, NULL);
	return r != NULL && (r->flags & ENGINE_API_HIJACK) != 0;
}

struct engine_api_seg {
	const char	*s;
	size_t		 n;
};

/* Split p[0..n) ("/a/b") into segments; -1 when more than max. */
static int
engine_api_split(const char *p, size_t n, struct engine_api_seg *seg,
    size_t max)
{
	size_t i = 0, k = 0, start;

	if (n == 0 || p[0] != '/')
		return -1;
	if (n == 1)
		return 0;
	while (i < n) {
		start = ++i;	/* past '/' */
		while (i < n && p[i] != '/')
			i++;
		if (k == max)
			return -1;
		seg[k].s = p + start;
		seg[k].n = i - start;
		k++;
	}
	return (int)k;
}

const struct engine_api_route *
engine_api_shape(unsigned methods, const char *p, size_t n, int *span)
{
	struct engine_api_seg ps[ENGINE_API_SEGS], ts[ENGINE_API_SEGS];
	const struct engine_api_route *r;
	int np, nt, k, sp;
	size_t i;

	if (span != NULL)
		*span = -1;
	if (p == NULL || (np = engine_api_split(p, n, ps,
	    ENGINE_API_SEGS)) < 0)
		return NULL;
	for (i = 0; i < ENGINE_API_NROUTES; i++) {
		r = &engine_api_routes[i];
		if (!(methods & (1u << r->method)))
			continue;
		nt = engine_api_split(r->tmpl, strlen(r->tmpl), ts,
		    ENGINE_API_SEGS);
		if (nt != np)
			continue;
		sp = -1;
		for (k = 0; k < nt; k++) {
			int tvar = ts[k].n > 0 && ts[k].s[0] == '{';
			int pvar = ps[k].n > 0 && (ps[k].s[0] == '{' ||
			    (ps[k].n == 1 && ps[k].s[0] == '*'));

			if (tvar != pvar)
				break;
			if (tvar) {
				if (memchr(ts[k].s, ':', ts[k].n) != NULL)
					sp = k;
				continue;
			}
			if (ts[k].n != ps[k].n ||
			    memcmp(ts[k].s, ps[k].s, ps[k].n) != 0)
				break;
		}
		if (k == nt) {
			if (span != NULL)
				*span = sp;
			return r;
		}
	}
	return NULL;
}

int
engine_api_pattern(const struct engine_api_route *r, char *dst, size_t cap)
{
	const char *t, *close, *colon;
	size_t w = 0, n;
	int as_id;

	if (dst != NULL && cap > 0)
		dst[0] = '\0';
	if (r == NULL || dst == NULL || cap == 0)
		return -1;
	/* Containers and execs are addressed by ID in practice. */
	as_id = strncmp(r->tmpl, "/containers/", 12) == 0 ||
	    strncmp(r->tmpl, "/exec/", 6) == 0;
	for (t = r->tmpl; *t != '\0'; t++) {
		if (*t != '{') {
			if (w + 1 >= cap)
				goto toolong;
			dst[w++] = *t;
			continue;
		}
		close = strchr(t, '}');
		colon = memchr(t, ':', (size_t)(close - t));
		n = (size_t)((colon != NULL ? colon : close) - t);
		if (as_id && n == 5 && memcmp(t, "{name", 5) == 0) {
			t = "{id";
			n = 3;
		}
		if (w + n + 1 >= cap)
			goto toolong;
		memcpy(dst + w, t, n);
		w += n;
		dst[w++] = '}';
		t = close;
	}
	dst[w] = '\0';
	return (int)w;

toolong:
	dst[0] = '\0';
	return -1;
}

void
engine_api_doc(void (*out)(void *arg, const char *line), void *arg)
{
	static const char *const bodies[] = { "-", "JSON", "tar", "raw" };
	const struct engine_api_route *r;
	char line[512], ver[16], flags[64];
	size_t i;

	if (out == NULL)
		return;
	out(arg, "| Method | dockerd route | API | Flags | Body | "
	    "Sensitive |");
	out(arg, "|---|---|---|---|---|---|");
	for (i = 0; i < ENGINE_API_NROUTES; i++) {
		r = &engine_api_routes[i];
		if (r->api_min == OLD && r->api_max == NEW)
			snprintf(ver, sizeof(ver), "all");
		else if (r->api_max == NEW)
			snprintf(ver, sizeof(ver), "1.%u+", r->api_min);
		else
			snprintf(ver, sizeof(ver), "1.%u-1.%u", r->api_min,
			    r->api_max);
		snprintf(flags, sizeof(flags), "%s%s%s%s",
		    (r->flags & HJ) ? "hijack " : "",
		    (r->flags & ST) ? "stream " : "",
		    (r->flags & FM) ? "form " : "",
		    (r->flags & EX) ? "experimental " : "");
		if (flags[0] != '\0')
			flags[strlen(flags) - 1] = '\0';
		snprintf(line, sizeof(line),
		    "| %s | `%s` | %s | %s | %s | %s |",
		    req_method_name(r->method), r->tmpl, ver,
		    flags[0] != '\0' ? flags : "-", bodies[r->body],
		    r->sensitive != NULL ? r->sensitive : "-");
		out(arg, line);
	}
}
