/*
 * rule.c - allow/deny rules over canonical requests.
 *
 * Patterns are compiled once into segment arrays; matching walks the
 * canonical path segment by segment, so a literal can never match part of
 * a segment ("/containers" vs "/containersXYZ").
 */
#include <string.h>

#include "rule.h"

/* Indexed by enum req_method; kept here so rules do not need http_req.c. */
static const char *const rule_method_names[REQ_M_COUNT] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"
};

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
	size_t i, k;

	for (i = 0; i < REQ_M_COUNT; i++) {
		const char *name = rule_method_names[i];

		if (strlen(name) != n)
			continue;
		for (k = 0; k < n; k++)
			if (rule_upper(s[k]) != name[k])
				break;
		if (k == n)
			return (int)i;
	}
	return -1;
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

int
rule_parse(const char *text, enum rule_action a, struct rule *r,
    const char **reason)
{
	const char *why, *ms, *ps;
	size_t n, i, mlen, plen, w;
	char mbuf[64];

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
	while (i < n && rule_isblank(text[i]))
		i++;
	if (i != n) {
		why = "unexpected text after pattern";
		goto fail;
	}

	if ((why = rule_parse_pattern(ps, plen, r)) != NULL)
		goto fail;

	/* Normalised text; never longer than the input, so it fits. */
	rule_methods_str(r->methods, mbuf, sizeof(mbuf));
	w = strlen(mbuf);
	if (w + 1 + plen >= sizeof(r->text)) {
		why = "rule text too long";
		goto fail;
	}
	memcpy(r->text, mbuf, w);
	r->text[w++] = ' ';
	memcpy(r->text + w, ps, plen);
	r->text[w + plen] = '\0';
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
rule_set_add(struct rule_set *set, const struct rule *r, const char *origin)
{
	char org[sizeof(((struct rule *)0)->origin)];
	struct rule *dst;
	size_t i, n = 0;
	int idx = 1;

	if (set == NULL || r == NULL || set->nrules >= RULE_MAX_RULES)
		return -1;
	if (origin != NULL)
		while (n < sizeof(org) - 1 && origin[n] != '\0')
			n++;
	if (n > 0)
		memcpy(org, origin, n);
	org[n] = '\0';
	for (i = 0; i < set->nrules; i++)
		if (strcmp(set->rules[i].origin, org) == 0)
			idx++;

	dst = &set->rules[set->nrules];
	if (dst != r)
		memcpy(dst, r, sizeof(*dst));
	memcpy(dst->origin, org, n + 1);
	dst->index = idx;
	set->nrules++;
	return 0;
}

/*
 * Does (m, path) match the compiled segments?  The path is canonical, but
 * an empty segment is still treated as "no segment" so that a stray "//"
 * can only ever match "**".
 */
int
rule_matches(const struct rule *r, enum req_method m, const char *path)
{
	const struct rule_seg *seg;
	const char *p, *s;
	size_t i, slen;

	if (r == NULL || path == NULL || (unsigned)m >= REQ_M_COUNT ||
	    !(r->methods & (1u << m)) || path[0] != '/')
		return 0;
	p = path[1] == '\0' ? path + 1 : path;	/* root: zero segments */
	for (i = 0; i < r->nsegs && i < RULE_MAX_SEGMENTS; i++) {
		seg = &r->segs[i];
		if (seg->kind == RULE_SEG_REST)
			return 1;
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

const struct rule *
rule_match(const struct rule_set *set, enum req_method m, const char *path)
{
	size_t i;

	if (set == NULL)
		return NULL;
	for (i = 0; i < set->nrules && i < RULE_MAX_RULES; i++)
		if (rule_matches(&set->rules[i], m, path))
			return &set->rules[i];
	return NULL;
}

/*
 * Does path look like prefix "/" <one or more segments> "/" suffix?
 * dockerd registers these routes as "/containers/{name:.*}/attach", and
 * ".*" spans '/' (legacy link names such as "web/db" resolve), so a
 * single-segment test would miss real hijacks.
 */
static int
rule_wrapped(const char *path, const char *prefix, const char *suffix)
{
	size_t n = strlen(path), pl = strlen(prefix), sl = strlen(suffix);

	/* prefix and suffix each carry their '/'; the middle is non-empty. */
	return n > pl + sl && memcmp(path, prefix, pl) == 0 &&
	    memcmp(path + n - sl, suffix, sl) == 0;
}

int
rule_endpoint_hijacks(enum req_method m, const char *path)
{
	if (path == NULL)
		return 0;
	switch (m) {
	case REQ_M_POST:
		return strcmp(path, "/session") == 0 ||
		    strcmp(path, "/grpc") == 0 ||
		    rule_wrapped(path, "/containers/", "/attach") ||
		    rule_wrapped(path, "/exec/", "/start");
	case REQ_M_GET:
		return rule_wrapped(path, "/containers/", "/attach/ws");
	default:
		return 0;
	}
}

char *
rule_methods_str(unsigned methods, char *dst, size_t cap)
{
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
		l = strlen(rule_method_names[i]);
		/* Whole names only: a cut "DEL" would be a different name. */
		if (w + (w > 0) + l >= cap)
			break;
		if (w > 0)
			dst[w++] = ',';
		memcpy(dst + w, rule_method_names[i], l);
		w += l;
		dst[w] = '\0';
	}
	return dst;
}
