/*
 * rule.c - allow/deny rules over canonical requests.
 *
 * Patterns are compiled once into segment arrays; matching walks the
 * canonical path segment by segment, so a literal can never match part of
 * a segment ("/containers" vs "/containersXYZ").
 */
#include <stdlib.h>
#include <string.h>

#include "rule.h"

#define RULE_ALL_METHODS ((1u << REQ_M_COUNT) - 1)

static int
rule_isblank(char c)
{
	return c == ' ' || c == '\t';
}

static char
rule_upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* Method named by s[0..n), case-insensitively, or -1. */
static int
rule_method_lookup(const char *s, size_t n)
{
	char up[sizeof("OPTIONS")];	/* the longest method name fits */
	size_t k;
	enum req_method m;

	if (n > sizeof(up))
		return -1;	/* longer than any method name */
	for (k = 0; k < n; k++)
		up[k] = rule_upper(s[k]);
	if (req_method_parse(up, n, &m) == -1)
		return -1;
	return (int)m;
}

/* Parse the METHODS token s[0..n) into *mask. */
static const char *
rule_parse_methods(const char *s, size_t n, unsigned *mask)
{
	size_t i = 0, start;
	int m;

	*mask = 0;
	if (n == 1 && s[0] == '*') {
		*mask = RULE_ALL_METHODS;
		return NULL;
	}
	for (;;) {
		start = i;
		while (i < n && s[i] != ',')
			i++;
		if (i == start)
			return "empty method in list";
		if ((m = rule_method_lookup(s + start, i - start)) < 0)
			return "unknown method";
		*mask |= 1u << m;	/* duplicates are harmless */
		if (i == n)
			return NULL;
		i++;	/* skip ',' and demand another item */
	}
}

/* A placeholder "{name}" with name = [A-Za-z0-9_]+. */
static int
rule_is_placeholder(const char *s, size_t n)
{
	size_t i;

	if (n < 3 || s[0] != '{' || s[n - 1] != '}')
		return 0;
	for (i = 1; i < n - 1; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return 1;
}

/*
 * Bytes a literal may hold.  Anything that cannot occur in a canonical
 * path ('\\', '#', '%', controls) is refused so that a typo does not give
 * a silently dead rule, and the wildcard syntax characters are reserved.
 */
static int
rule_lit_char_ok(unsigned char c)
{
	if (c < 0x21 || c > 0x7e)
		return 0;
	return strchr("{}*?%\\#", c) == NULL;
}

static const char *
rule_parse_pattern(const char *p, size_t n, struct rule *r)
{
	size_t i, start, seglen, k;
	struct rule_seg *seg;

	if (n == 0 || p[0] != '/')
		return "pattern must start with '/'";
	if (n == 1)
		return NULL;	/* "/": the root only, no segments */
	for (i = 1, start = 1; i <= n; i++) {
		if (i < n && p[i] != '/')
			continue;
		seglen = i - start;
		if (seglen == 0)
			return "empty segment in pattern";
		if (r->nsegs > 0 && r->segs[r->nsegs - 1].kind == RULE_SEG_REST)
			return "'**' must be the last segment";
		if (r->nsegs == RULE_MAX_SEGMENTS)
			return "too many segments in pattern";
		seg = &r->segs[r->nsegs];
		if ((seglen == 1 && p[start] == '.') ||
		    (seglen == 2 && p[start] == '.' && p[start + 1] == '.'))
			return "dot segment in pattern";
		if (seglen == 1 && p[start] == '*')
			seg->kind = RULE_SEG_ONE;
		else if (seglen == 2 && p[start] == '*' && p[start + 1] == '*')
			seg->kind = RULE_SEG_REST;
		else if (p[start] == '{') {
			if (!rule_is_placeholder(p + start, seglen))
				return "malformed placeholder in pattern";
			seg->kind = RULE_SEG_ONE;
			seg->named = 1;
		} else {
			if (seglen >= sizeof(seg->lit))
				return "pattern segment too long";
			for (k = start; k < i; k++)
				if (!rule_lit_char_ok((unsigned char)p[k]))
					return "invalid character in pattern";
			seg->kind = RULE_SEG_LITERAL;
			memcpy(seg->lit, p + start, seglen);
			seg->lit[seglen] = '\0';
			seg->lit_len = seglen;
		}
		r->nsegs++;
		start = i + 1;
	}
	return NULL;
}

/*
 * Decided once here so matching stays a walk: a pattern with the shape of
 * a route gets RULE_SEG_SPAN where dockerd binds "{x:.*}", if the pattern
 * has a named placeholder there.
 */
static void
rule_bind_route(struct rule *r, const char *ps, size_t plen)
{
	const struct engine_api_route *rt;
	int span;

	rt = engine_api_shape(r->methods, ps, plen, &span);
	if (rt == NULL)
		return;
	r->route = rt;
	if (span >= 0 && (size_t)span < r->nsegs && r->segs[span].named)
		r->segs[span].kind = RULE_SEG_SPAN;
}

/* Append src[0..n) to dst (length *w, capacity cap); -1 when full. */
static int
rule_text_put(char *dst, size_t *w, size_t cap, const char *src, size_t n)
{
	if (*w + n >= cap)
		return -1;
	memcpy(dst + *w, src, n);
	*w += n;
	dst[*w] = '\0';
	return 0;
}

/*
 * Read the quoted reason at text[*i..n) into r->reason.  Only \" and \\
 * are escapes; the reason ends up in JSON and log lines, which escape it
 * again, but control bytes are refused here so it reads back the same.
 */
static const char *
rule_parse_reason(const char *text, size_t n, size_t *i, struct rule *r)
{
	size_t	 w = 0;
	char	 c;

	if (*i >= n || text[*i] != '"')
		return "reason must be a double-quoted string";
	for ((*i)++; *i < n; (*i)++) {
		c = text[*i];
		if (c == '"') {
			(*i)++;
			return NULL;
		}
		if (c == '\\') {
			if (++(*i) >= n || (text[*i] != '"' && text[*i] != '\\'))
				return "bad escape in reason (only \\\" and \\\\)";
			c = text[*i];
		}
		if ((unsigned char)c < 0x20 || c == 0x7f)
			return "control character in reason";
		if (w + 1 >= sizeof(r->reason))
			return "reason too long";
		r->reason[w++] = c;
	}
	return "unterminated reason string";
}

/* Parse the constraints and reason after the pattern; text[*i..n). */
static const char *
rule_parse_tail(const char *text, size_t n, size_t i, struct rule *r)
{
	static const struct { const char *kw; enum query_kind kind; } kws[] = {
		{ "query", QUERY_ONE_OF }, { "require", QUERY_REQUIRE },
		{ "filter", QUERY_FILTER },
	};
	const char	*why, *kw;
	char		 arg[RULE_MAX_TEXT];
	size_t		 klen, alen, k;

	for (;;) {
		while (i < n && rule_isblank(text[i]))
			i++;
		if (i == n)
			return NULL;
		kw = text + i;
		while (i < n && !rule_isblank(text[i]))
			i++;
		klen = (size_t)(text + i - kw);
		while (i < n && rule_isblank(text[i]))
			i++;
		if (klen == 4 && memcmp(kw, "body", 4) == 0) {
			/* "body NAME": the body policy of an allow rule. */
			alen = 0;
			while (i < n && !rule_isblank(text[i]) &&
			    alen + 1 < sizeof(r->body))
				r->body[alen++] = text[i++];
			r->body[alen] = '\0';
			if (i < n && !rule_isblank(text[i]))
				return "body policy name too long";
			if (alen == 0)
				return "missing body policy name";
			if (r->action != RULE_ALLOW)
				return "only an allow rule takes a body policy";
			continue;
		}
		if (klen == 6 && memcmp(kw, "redact", 6) == 0) {
			/* "redact off|PATH[,PATH...]": the response filter
			 * of an allow rule (resp_filter.h). */
			if (r->redact[0] != '\0')
				return "more than one redact";
			alen = 0;
			while (i < n && !rule_isblank(text[i]) &&
			    alen + 1 < sizeof(r->redact))
				r->redact[alen++] = text[i++];
			r->redact[alen] = '\0';
			if (i < n && !rule_isblank(text[i]))
				return "redact paths too long";
			if (alen == 0)
				return "missing redact paths (or off)";
			if (r->action != RULE_ALLOW)
				return "only an allow rule takes redact";
			continue;
		}
		if (klen == 6 && memcmp(kw, "reason", 6) == 0) {
			if (r->reason[0] != '\0')
				return "more than one reason";
			if ((why = rule_parse_reason(text, n, &i, r)) != NULL)
				return why;
			if (i < n && !rule_isblank(text[i]))
				return "text right after the reason's closing quote";
			if (r->reason[0] == '\0')
				return "empty reason";
			continue;
		}
		for (k = 0; k < sizeof(kws) / sizeof(kws[0]); k++)
			if (strlen(kws[k].kw) == klen &&
			    memcmp(kws[k].kw, kw, klen) == 0)
				break;
		if (k == sizeof(kws) / sizeof(kws[0]))
			return "unexpected text after pattern (want query, "
			    "require, filter, body, redact or reason)";
		if (r->nquery == RULE_MAX_QUERY)
			return "too many query constraints";
		alen = 0;
		while (i < n && !rule_isblank(text[i]))
			arg[alen++] = text[i++];
		arg[alen] = '\0';
		if (alen == 0)
			return "missing argument to query constraint";
		if (query_cond_parse(kws[k].kind, arg, &r->query[r->nquery],
		    &why) == -1)
			return why;
		r->nquery++;
	}
}

/* Normalised text: methods, pattern, constraints, reason. */
static const char *
rule_make_text(struct rule *r, const char *ps, size_t plen)
{
	char	 buf[RULE_MAX_TEXT];
	size_t	 w = 0, k;
	const char *p;

	rule_methods_str(r->methods, buf, sizeof(buf));
	w = strlen(buf);
	memcpy(r->text, buf, w + 1);
	if (rule_text_put(r->text, &w, sizeof(r->text), " ", 1) == -1 ||
	    rule_text_put(r->text, &w, sizeof(r->text), ps, plen) == -1)
		return "rule text too long";
	for (k = 0; k < r->nquery; k++) {
		query_cond_str(&r->query[k], buf, sizeof(buf));
		if (rule_text_put(r->text, &w, sizeof(r->text), " ", 1) == -1 ||
		    rule_text_put(r->text, &w, sizeof(r->text), buf,
		    strlen(buf)) == -1)
			return "rule text too long";
	}
	if (r->body[0] != '\0' &&
	    (rule_text_put(r->text, &w, sizeof(r->text), " body ", 6) == -1 ||
	    rule_text_put(r->text, &w, sizeof(r->text), r->body,
	    strlen(r->body)) == -1))
		return "rule text too long";
	if (r->redact[0] != '\0' &&
	    (rule_text_put(r->text, &w, sizeof(r->text), " redact ", 8) == -1 ||
	    rule_text_put(r->text, &w, sizeof(r->text), r->redact,
	    strlen(r->redact)) == -1))
		return "rule text too long";
	if (r->reason[0] != '\0') {
		if (rule_text_put(r->text, &w, sizeof(r->text), " reason \"",
		    9) == -1)
			return "rule text too long";
		for (p = r->reason; *p != '\0'; p++) {
			if ((*p == '"' || *p == '\\') &&
			    rule_text_put(r->text, &w, sizeof(r->text), "\\",
			    1) == -1)
				return "rule text too long";
			if (rule_text_put(r->text, &w, sizeof(r->text), p, 1) == -1)
				return "rule text too long";
		}
		if (rule_text_put(r->text, &w, sizeof(r->text), "\"", 1) == -1)
			return "rule text too long";
	}
	return NULL;
}

int
rule_parse(const char *text, enum rule_action a, struct rule *r,
    const char **reason)
{
	const char *why, *ms, *ps;
	size_t n, i, mlen, plen;

	if (r == NULL) {
		why = "no output";
		goto fail;
	}
	memset(r, 0, sizeof(*r));
	r->action = a;
	if (text == NULL) {
		why = "empty rule";
		goto fail;
	}
	for (n = 0; n < RULE_MAX_TEXT && text[n] != '\0'; n++)
		;
	if (n >= RULE_MAX_TEXT) {
		why = "rule text too long";
		goto fail;
	}

	i = 0;
	while (i < n && rule_isblank(text[i]))
		i++;
	ms = text + i;
	while (i < n && !rule_isblank(text[i]))
		i++;
	mlen = (size_t)(text + i - ms);
	if (mlen == 0) {
		why = "empty rule";
		goto fail;
	}
	/* Methods first: "GET, HEAD /x" is best reported as a list error. */
	if ((why = rule_parse_methods(ms, mlen, &r->methods)) != NULL)
		goto fail;
	while (i < n && rule_isblank(text[i]))
		i++;
	ps = text + i;
	while (i < n && !rule_isblank(text[i]))
		i++;
	plen = (size_t)(text + i - ps);
	if (plen == 0) {
		why = "missing path pattern";
		goto fail;
	}
	if ((why = rule_parse_pattern(ps, plen, r)) != NULL)
		goto fail;
	rule_bind_route(r, ps, plen);
	if ((why = rule_parse_tail(text, n, i, r)) != NULL)
		goto fail;
	if (a == RULE_DENY && r->nquery > 0) {
		/* Constraints hold for every occurrence of a key, which makes
		 * an allow stricter but a deny easier to sidestep. */
		why = "query constraints are for allow rules only";
		goto fail;
	}
	if ((why = rule_make_text(r, ps, plen)) != NULL)
		goto fail;
	return 0;

fail:
	if (r != NULL) {
		memset(r, 0, sizeof(*r));
		r->action = a;
	}
	if (reason != NULL)
		*reason = why;
	return -1;
}

int
rule_parse_line(const char *line, struct rule *r, const char **reason)
{
	while (*line == ' ' || *line == '\t')
		line++;
	if (strncmp(line, "allow", 5) == 0 && rule_isblank(line[5]))
		return rule_parse(line + 6, RULE_ALLOW, r, reason);
	if (strncmp(line, "deny", 4) == 0 && rule_isblank(line[4]))
		return rule_parse(line + 5, RULE_DENY, r, reason);
	if (r != NULL)
		memset(r, 0, sizeof(*r));
	if (reason != NULL)
		*reason = "a rule starts with allow or deny";
	return -1;
}

char *
rule_line_str(const struct rule *r, char *dst, size_t cap)
{
	size_t	 w = 0;
	const char *act = r->action == RULE_ALLOW ? "allow " : "deny ";

	if (cap == 0)
		return dst;
	dst[0] = '\0';
	if (rule_text_put(dst, &w, cap, act, strlen(act)) == 0)
		(void)rule_text_put(dst, &w, cap, r->text, strlen(r->text));
	return dst;
}

int
rule_set_add(struct rule_set *set, const struct rule *r, const char *origin)
{
	struct rule	 copy;
	size_t		 i, n = 0;
	int		 idx = 1;

	if (set == NULL || r == NULL || set->nrules >= RULE_MAX_RULES)
		return -1;
	/* Copy first: r or origin may point into the array realloc moves. */
	memcpy(&copy, r, sizeof(copy));
	if (origin != NULL)
		while (n < sizeof(copy.origin) - 1 && origin[n] != '\0')
			n++;
	memmove(copy.origin, origin != NULL ? origin : "", n);
	copy.origin[n] = '\0';
	for (i = 0; i < set->nrules; i++)
		if (strcmp(set->rules[i].origin, copy.origin) == 0)
			idx++;
	copy.index = idx;
	if (set->nrules == set->cap) {
		size_t ncap = set->cap == 0 ? 16 : set->cap * 2;
		struct rule *nr = realloc(set->rules, ncap * sizeof(*nr));

		if (nr == NULL)
			return -1;
		set->rules = nr;
		set->cap = ncap;
	}
	memcpy(&set->rules[set->nrules++], &copy, sizeof(copy));
	return 0;
}

void
rule_set_free(struct rule_set *set)
{
	free(set->rules);
	set->rules = NULL;
	set->nrules = set->cap = 0;
}

int
rule_set_copy(struct rule_set *dst, const struct rule_set *src)
{
	memcpy(dst->name, src->name, sizeof(dst->name));
	dst->nrules = dst->cap = 0;
	dst->rules = NULL;
	if (src->nrules == 0)
		return 0;
	if ((dst->rules = calloc(src->nrules, sizeof(*dst->rules))) == NULL)
		return -1;
	memcpy(dst->rules, src->rules, src->nrules * sizeof(*dst->rules));
	dst->nrules = dst->cap = src->nrules;
	return 0;
}

/*
 * Does (m, path) match the compiled segments?  The path is canonical, but
 * an empty segment is still treated as "no segment" so that a stray "//"
 * can only ever match "**".
 */
/*
 * A span at segs[i] with p at the '/' before its first segment: where
 * does it end?  The segments after it take the path's last nsegs - i - 1
 * segments; the span gets the rest, one or more non-empty segments.
 * Returns the end (the '/' before the suffix, or the NUL), or NULL.  For
 * an allow rule a span over several segments also needs dockerd to
 * dispatch (m, path) to the rule's route.
 */
static const char *
rule_span_end(const struct rule *r, size_t i, enum req_method m,
    const char *path, const char *p)
{
	const char *q = p + strlen(p), *s;
	size_t k = r->nsegs - i - 1;

	while (k-- > 0) {
		while (q > p && *--q != '/')
			;
		if (q == p)
			return NULL;	/* not enough segments */
	}
	if (q - p < 2 || q[-1] == '/')
		return NULL;	/* empty span */
	for (s = p + 1; s < q; s++)
		if (*s == '/' && s[-1] == '/')
			return NULL;	/* empty segment */
	if (memchr(p + 1, '/', (size_t)(q - p - 1)) != NULL &&
	    r->action == RULE_ALLOW) {
		const struct engine_api_route *d;

		d = engine_api_match(m, path, NULL);
		if (d == NULL || r->route == NULL ||
		    strcmp(d->tmpl, r->route->tmpl) != 0)
			return NULL;
	}
	return q;
}

int
rule_matches_path(const struct rule *r, enum req_method m, const char *path)
{
	const struct rule_seg *seg;
	const char *p, *s;
	size_t i, slen;

	if (r == NULL || path == NULL || (unsigned)m >= REQ_M_COUNT ||
	    !(r->methods & (1u << m)) || path[0] != '/')
		return 0;
	/* An allow reaches Podman's libpod API only by naming it: a
	 * catch-all written for dockerd's routes must not grant libpod's
	 * exports and secrets.  A deny may be broader: that fails safe. */
	if (r->action == RULE_ALLOW && engine_api_libpod_path(path) &&
	    !(r->nsegs > 0 && r->segs[0].kind == RULE_SEG_LITERAL &&
	    r->segs[0].lit_len == 6 && memcmp(r->segs[0].lit, "libpod",
	    6) == 0))
		return 0;
	p = path[1] == '\0' ? path + 1 : path;	/* root: zero segments */
	for (i = 0; i < r->nsegs && i < RULE_MAX_SEGMENTS; i++) {
		seg = &r->segs[i];
		if (seg->kind == RULE_SEG_REST)
			return 1;
		if (seg->kind == RULE_SEG_SPAN) {
			if (*p == '\0' || (p = rule_span_end(r, i, m, path,
			    p)) == NULL)
				return 0;
			continue;
		}
		if (*p == '\0')
			return 0;
		s = ++p;
		while (*p != '\0' && *p != '/')
			p++;
		slen = (size_t)(p - s);
		if (slen == 0)
			return 0;
		if (seg->kind == RULE_SEG_LITERAL &&
		    (slen != seg->lit_len || memcmp(s, seg->lit, slen) != 0))
			return 0;
	}
	return *p == '\0';
}

int
rule_matches(const struct rule *r, enum req_method m, const char *path,
    const char *query, size_t query_len)
{
	size_t	i;

	if (!rule_matches_path(r, m, path))
		return 0;
	for (i = 0; i < r->nquery; i++)
		if (!query_cond_match(&r->query[i], query, query_len))
			return 0;
	return 1;
}

const struct rule *
rule_match(const struct rule_set *set, enum req_method m, const char *path,
    const char *query, size_t query_len)
{
	size_t i;

	if (set == NULL)
		return NULL;
	for (i = 0; i < set->nrules; i++)
		if (rule_matches(&set->rules[i], m, path, query, query_len))
			return &set->rules[i];
	return NULL;
}

char *
rule_methods_str(unsigned methods, char *dst, size_t cap)
{
	const char *name;
	size_t w = 0, i, l;

	if (dst == NULL || cap == 0)
		return dst;
	dst[0] = '\0';
	if ((methods & RULE_ALL_METHODS) == RULE_ALL_METHODS) {
		if (cap >= 2) {
			dst[0] = '*';
			dst[1] = '\0';
		}
		return dst;
	}
	for (i = 0; i < REQ_M_COUNT; i++) {
		if (!(methods & (1u << i)))
			continue;
		name = req_method_name((enum req_method)i);
		l = strlen(name);
		/* Whole names only: a cut "DEL" would be a different name. */
		if (w + (w > 0) + l >= cap)
			break;
		if (w > 0)
			dst[w++] = ',';
		memcpy(dst + w, name, l);
		w += l;
		dst[w] = '\0';
	}
	return dst;
}
