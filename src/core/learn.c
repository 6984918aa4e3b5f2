/*
 * learn.c - audit mode: map requests to Engine API route templates and
 * collect the minimal rule set that covers them.
 *
 * The route table was written from dockerd's routers (moby
 * api/server/router/{system,container,image,network,volume,swarm,plugin,
 * build,session,grpc,distribution,checkpoint}) for API v1.41-1.47.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn.h"
#include "rule.h"

/* Longest literal segment a rule holds (struct rule_seg.lit, NUL incl.). */
#define LEARN_LIT_MAX  (sizeof(((struct rule_seg *)0)->lit) - 1)
/* Path segments examined; canonical paths have at most 64 (canon.h). */
#define LEARN_PATH_SEGS 128
/* Segments of a route template. */
#define LEARN_TMPL_SEGS 8

struct learn_rt {
	enum req_method	 m;
	const char	*tmpl;
	int		 span;	/* its one placeholder is "{x:.*}": spans '/' */
};

/*
 * span = 1 marks dockerd's "{name:.*}" placeholders, which also match
 * names containing '/'; span = 0 marks "{id}", exactly one segment.
 * dockerd's "OPTIONS /{anyroute:.*}" (CORS preflight) is left out on
 * purpose: an OPTIONS request takes the shape of the route it probes.
 * Routes later than v1.47 or removed before v1.41 are not listed.
 */
static const struct learn_rt learn_routes[] = {
	/* system */
	{ REQ_M_GET,	"/_ping", 0 },
	{ REQ_M_HEAD,	"/_ping", 0 },
	{ REQ_M_GET,	"/events", 0 },
	{ REQ_M_GET,	"/info", 0 },
	{ REQ_M_GET,	"/version", 0 },
	{ REQ_M_GET,	"/system/df", 0 },
	{ REQ_M_POST,	"/auth", 0 },
	/* containers */
	{ REQ_M_GET,	"/containers/json", 0 },
	{ REQ_M_POST,	"/containers/create", 0 },
	{ REQ_M_POST,	"/containers/prune", 0 },
	{ REQ_M_GET,	"/containers/{id}/json", 1 },
	{ REQ_M_GET,	"/containers/{id}/top", 1 },
	{ REQ_M_GET,	"/containers/{id}/logs", 1 },
	{ REQ_M_GET,	"/containers/{id}/changes", 1 },
	{ REQ_M_GET,	"/containers/{id}/export", 1 },
	{ REQ_M_GET,	"/containers/{id}/stats", 1 },
	{ REQ_M_GET,	"/containers/{id}/attach/ws", 1 },
	{ REQ_M_HEAD,	"/containers/{id}/archive", 1 },
	{ REQ_M_GET,	"/containers/{id}/archive", 1 },
	{ REQ_M_PUT,	"/containers/{id}/archive", 1 },
	{ REQ_M_POST,	"/containers/{id}/resize", 1 },
	{ REQ_M_POST,	"/containers/{id}/start", 1 },
	{ REQ_M_POST,	"/containers/{id}/stop", 1 },
	{ REQ_M_POST,	"/containers/{id}/restart", 1 },
	{ REQ_M_POST,	"/containers/{id}/kill", 1 },
	{ REQ_M_POST,	"/containers/{id}/update", 1 },
	{ REQ_M_POST,	"/containers/{id}/rename", 1 },
	{ REQ_M_POST,	"/containers/{id}/pause", 1 },
	{ REQ_M_POST,	"/containers/{id}/unpause", 1 },
	{ REQ_M_POST,	"/containers/{id}/attach", 1 },
	{ REQ_M_POST,	"/containers/{id}/wait", 1 },
	{ REQ_M_POST,	"/containers/{id}/exec", 1 },
	{ REQ_M_DELETE,	"/containers/{id}", 1 },
	/* checkpoints (experimental daemons only) */
	{ REQ_M_GET,	"/containers/{id}/checkpoints", 1 },
	{ REQ_M_POST,	"/containers/{id}/checkpoints", 1 },
	{ REQ_M_DELETE,	"/containers/{id}/checkpoints/{checkpoint}", 0 },
	{ REQ_M_POST,	"/commit", 0 },
	/* exec */
	{ REQ_M_POST,	"/exec/{id}/start", 1 },
	{ REQ_M_POST,	"/exec/{id}/resize", 1 },
	{ REQ_M_GET,	"/exec/{id}/json", 1 },
	/* images */
	{ REQ_M_GET,	"/images/json", 0 },
	{ REQ_M_GET,	"/images/search", 0 },
	{ REQ_M_GET,	"/images/get", 0 },
	{ REQ_M_POST,	"/images/create", 0 },
	{ REQ_M_POST,	"/images/load", 0 },
	{ REQ_M_POST,	"/images/prune", 0 },
	{ REQ_M_GET,	"/images/{name}/json", 1 },
	{ REQ_M_GET,	"/images/{name}/history", 1 },
	{ REQ_M_GET,	"/images/{name}/get", 1 },
	{ REQ_M_POST,	"/images/{name}/push", 1 },
	{ REQ_M_POST,	"/images/{name}/tag", 1 },
	{ REQ_M_DELETE,	"/images/{name}", 1 },
	{ REQ_M_POST,	"/build", 0 },
	{ REQ_M_POST,	"/build/prune", 0 },
	{ REQ_M_POST,	"/build/cancel", 0 },
	{ REQ_M_GET,	"/distribution/{name}/json", 1 },
	/* networks */
	{ REQ_M_GET,	"/networks", 0 },
	{ REQ_M_POST,	"/networks/create", 0 },
	{ REQ_M_POST,	"/networks/prune", 0 },
	{ REQ_M_GET,	"/networks/{id}", 1 },
	{ REQ_M_DELETE,	"/networks/{id}", 1 },
	{ REQ_M_POST,	"/networks/{id}/connect", 1 },
	{ REQ_M_POST,	"/networks/{id}/disconnect", 1 },
	/* volumes */
	{ REQ_M_GET,	"/volumes", 0 },
	{ REQ_M_POST,	"/volumes/create", 0 },
	{ REQ_M_POST,	"/volumes/prune", 0 },
	{ REQ_M_GET,	"/volumes/{name}", 1 },
	{ REQ_M_PUT,	"/volumes/{name}", 1 },
	{ REQ_M_DELETE,	"/volumes/{name}", 1 },
	/* swarm */
	{ REQ_M_GET,	"/swarm", 0 },
	{ REQ_M_POST,	"/swarm/init", 0 },
	{ REQ_M_POST,	"/swarm/join", 0 },
	{ REQ_M_POST,	"/swarm/leave", 0 },
	{ REQ_M_POST,	"/swarm/update", 0 },
	{ REQ_M_GET,	"/swarm/unlockkey", 0 },
	{ REQ_M_POST,	"/swarm/unlock", 0 },
	{ REQ_M_GET,	"/nodes", 0 },
	{ REQ_M_GET,	"/nodes/{id}", 0 },
	{ REQ_M_DELETE,	"/nodes/{id}", 0 },
	{ REQ_M_POST,	"/nodes/{id}/update", 0 },
	{ REQ_M_GET,	"/services", 0 },
	{ REQ_M_POST,	"/services/create", 0 },
	{ REQ_M_GET,	"/services/{id}", 0 },
	{ REQ_M_DELETE,	"/services/{id}", 0 },
	{ REQ_M_POST,	"/services/{id}/update", 0 },
	{ REQ_M_GET,	"/services/{id}/logs", 0 },
	{ REQ_M_GET,	"/tasks", 0 },
	{ REQ_M_GET,	"/tasks/{id}", 0 },
	{ REQ_M_GET,	"/tasks/{id}/logs", 0 },
	{ REQ_M_GET,	"/secrets", 0 },
	{ REQ_M_POST,	"/secrets/create", 0 },
	{ REQ_M_GET,	"/secrets/{id}", 0 },
	{ REQ_M_DELETE,	"/secrets/{id}", 0 },
	{ REQ_M_POST,	"/secrets/{id}/update", 0 },
	{ REQ_M_GET,	"/configs", 0 },
	{ REQ_M_POST,	"/configs/create", 0 },
	{ REQ_M_GET,	"/configs/{id}", 0 },
	{ REQ_M_DELETE,	"/configs/{id}", 0 },
	{ REQ_M_POST,	"/configs/{id}/update", 0 },
	/* plugins */
	{ REQ_M_GET,	"/plugins", 0 },
	{ REQ_M_GET,	"/plugins/privileges", 0 },
	{ REQ_M_POST,	"/plugins/pull", 0 },
	{ REQ_M_POST,	"/plugins/create", 0 },
	{ REQ_M_GET,	"/plugins/{name}/json", 1 },
	{ REQ_M_POST,	"/plugins/{name}/enable", 1 },
	{ REQ_M_POST,	"/plugins/{name}/disable", 1 },
	{ REQ_M_POST,	"/plugins/{name}/push", 1 },
	{ REQ_M_POST,	"/plugins/{name}/upgrade", 1 },
	{ REQ_M_POST,	"/plugins/{name}/set", 1 },
	{ REQ_M_DELETE,	"/plugins/{name}", 1 },
	/* hijacked streams */
	{ REQ_M_POST,	"/session", 0 },
	{ REQ_M_POST,	"/grpc", 0 },
};

#define LEARN_NROUTES (sizeof(learn_routes) / sizeof(learn_routes[0]))

struct learn_seg {
	const char	*s;
	size_t		 n;
};

/* Split "/a/b" into segments; returns the count, at most max ("/" has 0). */
static size_t
learn_split(const char *p, struct learn_seg *seg, size_t max, int *more)
{
	size_t n = 0;
	const char *s;

	*more = 0;
	if (p[0] == '/' && p[1] == '\0')
		return 0;
	while (*p == '/') {
		s = ++p;
		while (*p != '\0' && *p != '/')
			p++;
		if (n == max) {
			*more = 1;
			break;
		}
		seg[n].s = s;
		seg[n].n = (size_t)(p - s);
		n++;
	}
	return n;
}

static int
learn_is_placeholder(const struct learn_seg *t)
{
	return t->n > 0 && t->s[0] == '{';
}

static int
learn_seg_eq(const struct learn_seg *a, const struct learn_seg *b)
{
	return a->n == b->n && memcmp(a->s, b->s, a->n) == 0;
}

/*
 * Does route rt match path segments ps[0..np)?  Returns the number of
 * literal segments of its template (its specificity, >= 0) or -1; *wide
 * is set when the spanning placeholder covered more than one segment.
 */
static int
learn_rt_match(const struct learn_rt *rt, const struct learn_seg *ps,
    size_t np, int *wide)
{
	struct learn_seg ts[LEARN_TMPL_SEGS];
	size_t nt, i, j, span = 1, ph = LEARN_TMPL_SEGS;
	int more, lits = 0;

	*wide = 0;
	nt = learn_split(rt->tmpl, ts, LEARN_TMPL_SEGS, &more);
	for (i = 0; i < nt; i++) {
		if (learn_is_placeholder(&ts[i]))
			ph = i;
		else
			lits++;
	}
	if (rt->span && ph < nt) {
		/* The placeholder takes whatever the literals leave, >= 1. */
		if (np < nt)
			return -1;
		span = np - nt + 1;
	} else if (np != nt)
		return -1;
	for (i = 0, j = 0; i < nt; i++) {
		if (learn_is_placeholder(&ts[i])) {
			j += (rt->span && i == ph) ? span : 1;
			continue;
		}
		if (!learn_seg_eq(&ts[i], &ps[j]))
			return -1;
		j++;
	}
	*wide = span > 1;
	return lits;
}

/* Best route for (m, path); any method when m_any.  NULL when none. */
static const struct learn_rt *
learn_rt_find(enum req_method m, int m_any, const struct learn_seg *ps,
    size_t np, int *wide)
{
	const struct learn_rt *best = NULL;
	int best_lits = -1, lits, w;
	size_t i;

	*wide = 0;
	for (i = 0; i < LEARN_NROUTES; i++) {
		if (!m_any && learn_routes[i].m != m)
			continue;
		lits = learn_rt_match(&learn_routes[i], ps, np, &w);
		if (lits > best_lits) {	/* ties: the first listed wins */
			best = &learn_routes[i];
			best_lits = lits;
			*wide = w;
		}
	}
	return best;
}

/* Same test as rule.c applies to literal pattern bytes. */
static int
learn_lit_ok(const struct learn_seg *s)
{
	size_t i;
	unsigned char c;

	if (s->n == 0 || s->n > LEARN_LIT_MAX)
		return 0;
	for (i = 0; i < s->n; i++) {
		c = (unsigned char)s->s[i];
		if (c < 0x21 || c > 0x7e || strchr("{}*?%\\#", c) != NULL)
			return 0;
	}
	/* "." and ".." are refused in patterns (and canonical paths). */
	if (s->s[0] == '.' && (s->n == 1 || (s->n == 2 && s->s[1] == '.')))
		return 0;
	return 1;
}

/* dockerd prints IDs as lower-case hex; 12 digits is the short form. */
static int
learn_is_hexid(const struct learn_seg *s)
{
	size_t i;

	if (s->n < 12)
		return 0;
	for (i = 0; i < s->n; i++)
		if (!((s->s[i] >= '0' && s->s[i] <= '9') ||
		    (s->s[i] >= 'a' && s->s[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * Write "/" o[0] "/" o[1] ... to dst[0..cap), cap >= 4.  More than
 * RULE_MAX_SEGMENTS segments, a cut path (more) or too little room:
 * keep the longest prefix that fits and end with "**", which covers the
 * rest.
 */
static void
learn_emit(const struct learn_seg *o, size_t n, int more, char *dst,
    size_t cap)
{
	size_t i, k, need = 0, w = 0;

	for (i = 0; i < n; i++)
		need += 1 + o[i].n;
	if (!more && n <= RULE_MAX_SEGMENTS && need + 1 <= cap &&
	    (n > 0 || cap >= 2)) {
		k = n;
	} else {
		k = n < RULE_MAX_SEGMENTS - 1 ? n : RULE_MAX_SEGMENTS - 1;
		need = 0;
		for (i = 0; i < k; i++)
			need += 1 + o[i].n;
		while (k > 0 && need + 3 + 1 > cap) {
			k--;
			need -= 1 + o[k].n;
		}
		more = 1;
	}
	for (i = 0; i < k; i++) {
		dst[w++] = '/';
		memcpy(dst + w, o[i].s, o[i].n);
		w += o[i].n;
	}
	if (more) {
		memcpy(dst + w, "/**", 3);
		w += 3;
	} else if (k == 0)
		dst[w++] = '/';
	dst[w] = '\0';
}

static const struct learn_seg learn_star = { "*", 1 };
static const struct learn_seg learn_id = { "{id}", 4 };

int
learn_route(enum req_method m, const char *path, char *dst, size_t cap)
{
	struct learn_seg ps[LEARN_PATH_SEGS], os[LEARN_PATH_SEGS] = {{NULL, 0}};
	const struct learn_rt *rt;
	size_t np, i;
	int more, wide, known = 1;

	if (dst != NULL && cap > 0)
		dst[0] = '\0';
	if (path == NULL || path[0] != '/' || dst == NULL || cap < 4)
		return -1;
	np = learn_split(path, ps, LEARN_PATH_SEGS, &more);
	rt = more ? NULL : learn_rt_find(m, 0, ps, np, &wide);
	if (rt == NULL && !more) {
		/* Not a route for m, but maybe the shape of one. */
		known = 0;
		rt = learn_rt_find(m, 1, ps, np, &wide);
	}
	if (rt != NULL && !wide) {
		np = learn_split(rt->tmpl, os, LEARN_TMPL_SEGS, &more);
		learn_emit(os, np, 0, dst, cap);
		return known;
	}
	/*
	 * A name spanning '/': the literal path is the narrowest pattern
	 * that covers it.  Otherwise fall back to the literal path with IDs
	 * generalised, since an ID changes with every container.
	 */
	for (i = 0; i < np; i++) {
		if (rt == NULL && learn_is_hexid(&ps[i]))
			os[i] = learn_id;
		else if (!learn_lit_ok(&ps[i]))
			os[i] = learn_star;
		else
			os[i] = ps[i];
	}
	learn_emit(os, np, more, dst, cap);
	return rt != NULL ? known : 0;
}

const char *
learn_route_at(size_t i, enum req_method *m)
{
	if (i >= LEARN_NROUTES)
		return NULL;
	if (m != NULL)
		*m = learn_routes[i].m;
	return learn_routes[i].tmpl;
}

void
learn_init(struct learn *l)
{
	memset(l, 0, sizeof(*l));
}

int
learn_add(struct learn *l, enum req_method m, const char *path)
{
	char pat[LEARN_PATTERN];
	struct learn_entry *e;
	size_t i;

	if (l == NULL || (unsigned)m >= REQ_M_COUNT || path == NULL ||
	    path[0] != '/')
		return -1;
	if (learn_route(m, path, pat, sizeof(pat)) == -1)
		return -1;
	for (i = 0; i < l->n; i++) {
		e = &l->e[i];
		if (strcmp(e->pattern, pat) == 0) {
			e->methods |= 1u << m;
			if (e->count < (unsigned long)-1)
				e->count++;
			return 0;
		}
	}
	if (l->n == LEARN_MAX) {
		l->overflow = 1;
		return -1;
	}
	e = &l->e[l->n++];
	e->methods = 1u << m;
	memcpy(e->pattern, pat, sizeof(pat));
	e->count = 1;
	return 0;
}

/* Sort rank of a pattern segment: literals, then {x}, "*", "**". */
static int
learn_seg_rank(const struct learn_seg *s)
{
	if (s->n > 0 && s->s[0] == '{')
		return 1;
	if (s->n == 1 && s->s[0] == '*')
		return 2;
	if (s->n == 2 && s->s[0] == '*' && s->s[1] == '*')
		return 3;
	return 0;
}

static int
learn_cmp(const void *va, const void *vb)
{
	const char *a = (*(const struct learn_entry *const *)va)->pattern;
	const char *b = (*(const struct learn_entry *const *)vb)->pattern;
	struct learn_seg sa, sb;
	int ra, rb, c;
	size_t n;

	for (;;) {
		/* "/" (root) and the end of a pattern both sort first. */
		if (*a == '/' && a[1] == '\0')
			a++;
		if (*b == '/' && b[1] == '\0')
			b++;
		if (*a == '\0' || *b == '\0')
			return (*a != '\0') - (*b != '\0');
		sa.s = ++a;
		while (*a != '\0' && *a != '/')
			a++;
		sa.n = (size_t)(a - sa.s);
		sb.s = ++b;
		while (*b != '\0' && *b != '/')
			b++;
		sb.n = (size_t)(b - sb.s);
		ra = learn_seg_rank(&sa);
		rb = learn_seg_rank(&sb);
		if (ra != rb)
			return ra - rb;
		n = sa.n < sb.n ? sa.n : sb.n;
		if ((c = memcmp(sa.s, sb.s, n)) != 0)
			return c;
		if (sa.n != sb.n)
			return sa.n < sb.n ? -1 : 1;
	}
}

void
learn_print(const struct learn *l, void (*out)(void *arg, const char *line),
    void *arg)
{
	const struct learn_entry *sorted[LEARN_MAX];
	char methods[64], line[sizeof(methods) + LEARN_PATTERN + 16];
	size_t i, n;

	if (l == NULL || out == NULL)
		return;
	n = l->n < LEARN_MAX ? l->n : LEARN_MAX;
	for (i = 0; i < n; i++)
		sorted[i] = &l->e[i];
	qsort(sorted, n, sizeof(sorted[0]), learn_cmp);
	for (i = 0; i < n; i++) {
		rule_methods_str(sorted[i]->methods, methods, sizeof(methods));
		snprintf(line, sizeof(line), "allow %s %s", methods,
		    sorted[i]->pattern);
		out(arg, line);
	}
}
