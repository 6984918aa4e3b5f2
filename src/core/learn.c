/*
 * learn.c - audit mode: map requests to Engine API routes (engine_api.h)
 * and collect the minimal rule set that covers them.
 *
 * A request dockerd dispatches to a route is learned as that route's
 * pattern, whose placeholders bind like dockerd's (rule.h), so one rule
 * covers every container and image name, slashes included.  A request
 * that reaches no route is learned as its literal path, never widened:
 * learned rules are pasted into configurations, and "{id}" guessed from a
 * hex-looking segment once turned "POST /x/y" into a rule that allowed
 * POST /containers/create.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_api.h"
#include "learn.h"
#include "rule.h"

/* Longest literal segment a rule holds (struct rule_seg.lit, NUL incl.). */
#define LEARN_LIT_MAX  (sizeof(((struct rule_seg *)0)->lit) - 1)

/* Can s[0..n) be a literal segment of a rule pattern (rule.c's test)? */
static int
learn_lit_ok(const char *s, size_t n)
{
	size_t i;
	unsigned char c;

	if (n == 0 || n > LEARN_LIT_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c < 0x21 || c > 0x7e || strchr("{}*?%\\#", c) != NULL)
			return 0;
	}
	/* "." and ".." are refused in patterns (and canonical paths). */
	if (s[0] == '.' && (n == 1 || (n == 2 && s[1] == '.')))
		return 0;
	return 1;
}

/*
 * Is path, as it is, a valid rule pattern that matches only itself:
 * at most RULE_MAX_SEGMENTS segments, each a literal?
 */
static int
learn_literal_ok(const char *path)
{
	const char *p = path, *s;
	size_t nseg = 0;

	if (path[0] == '/' && path[1] == '\0')
		return 1;
	while (*p == '/') {
		s = ++p;
		while (*p != '\0' && *p != '/')
			p++;
		if (++nseg > RULE_MAX_SEGMENTS ||
		    !learn_lit_ok(s, (size_t)(p - s)))
			return 0;
	}
	return *p == '\0';
}

int
learn_route(enum req_method m, const char *path, char *dst, size_t cap)
{
	const struct engine_api_route *rt;
	struct engine_api_bind b;
	size_t n, i;
	int known = 0;

	if (dst != NULL && cap > 0)
		dst[0] = '\0';
	if (path == NULL || path[0] != '/' || dst == NULL || cap < 4)
		return -1;
	if ((rt = engine_api_match(m, path, &b)) != NULL) {
		for (i = 0; i < b.nvars && b.var[i].len > 0; i++)
			;
		if (i == b.nvars)
			return engine_api_pattern(rt, dst, cap) < 0 ? -1 : 1;
		/* A variable bound empty ("OPTIONS /" on "/{anyroute:.*}")
		 * is no placeholder's match: the literal path. */
		known = 1;
	}
	n = strlen(path);
	if (!learn_literal_ok(path))
		return -2;
	if (n >= cap)
		return -1;
	memcpy(dst, path, n + 1);
	return known;
}

/*
 * Write path for a comment line: bytes outside '!'..'~' and '\\' as
 * "\xNN", cut with "..." when it does not fit dst[0..cap), cap >= 8.
 */
static void
learn_escape(const char *path, char *dst, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t w = 0;
	unsigned char c;

	for (; *path != '\0'; path++) {
		c = (unsigned char)*path;
		if (w + 4 + 4 > cap) {
			memcpy(dst + w, "...", 4);
			return;
		}
		if (c < 0x21 || c > 0x7e || c == '\\') {
			dst[w++] = '\\';
			dst[w++] = 'x';
			dst[w++] = hex[c >> 4];
			dst[w++] = hex[c & 15];
		} else
			dst[w++] = (char)c;
	}
	dst[w] = '\0';
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
	unsigned flags = 0;
	int rc;

	if (l == NULL || (unsigned)m >= REQ_M_COUNT || path == NULL ||
	    path[0] != '/')
		return -1;
	rc = learn_route(m, path, pat, sizeof(pat));
	if (rc == 0)
		flags = LEARN_NOROUTE;
	else if (rc == -2 || rc == -1) {
		/* Kept as a comment, so the operator sees what was left out. */
		flags = LEARN_SKIPPED;
		learn_escape(path, pat, sizeof(pat));
	}
	for (i = 0; i < l->n; i++) {
		e = &l->e[i];
		if (e->flags == flags && strcmp(e->pattern, pat) == 0) {
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
	e->flags = flags;
	memcpy(e->pattern, pat, sizeof(pat));
	e->count = 1;
	return 0;
}

struct learn_seg {
	const char	*s;
	size_t		 n;
};

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
	const struct learn_entry *ea = *(const struct learn_entry *const *)va;
	const struct learn_entry *eb = *(const struct learn_entry *const *)vb;
	const char *a = ea->pattern, *b = eb->pattern;
	struct learn_seg sa, sb;
	int ra, rb, c;
	size_t n;

	/* What was not learned goes last, after every rule. */
	if ((ea->flags & LEARN_SKIPPED) != (eb->flags & LEARN_SKIPPED))
		return (ea->flags & LEARN_SKIPPED) ? 1 : -1;
	if (ea->flags & LEARN_SKIPPED)
		return strcmp(a, b);
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
		if (sorted[i]->flags & LEARN_SKIPPED) {
			snprintf(line, sizeof(line), "# not learned: %s %s "
			    "(no rule can name this path literally)", methods,
			    sorted[i]->pattern);
			out(arg, line);
			continue;
		}
		if (sorted[i]->flags & LEARN_NOROUTE)
			out(arg, "# no Engine API route: learned literally");
		snprintf(line, sizeof(line), "allow %s %s", methods,
		    sorted[i]->pattern);
		out(arg, line);
	}
}
