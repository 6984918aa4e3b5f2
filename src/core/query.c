/*
 * query.c - query-string constraints, judged on what dockerd will read.
 *
 * The raw query is split and decoded the way Go's url.ParseQuery does it
 * (Go >= 1.17).  Whatever Go reports as an error makes dockerd answer 400,
 * so here it makes every constraint fail: a rule never passes a query that
 * we and dockerd might read differently.  Where dockerd looks only at the
 * first value of a repeated key, we insist on every one of them.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "http_lex.h"
#include "query.h"

#define QUERY_FILTERS_KEY	"filters"
#define QUERY_JSON_MAX		4096	/* decoded "filters" value, bytes */
#define QUERY_JSON_NODES	256

/* One non-empty '&'-separated pair of the raw query, still encoded. */
struct query_pair {
	const char	*k;
	size_t		 klen;
	const char	*v;
	size_t		 vlen;
};

static const char *const query_kw[] = {
	[QUERY_ONE_OF] = "query",
	[QUERY_REQUIRE] = "require",
	[QUERY_FILTER] = "filter",
};

static int
query_kind_ok(enum query_kind kind)
{
	return kind == QUERY_ONE_OF || kind == QUERY_REQUIRE ||
	    kind == QUERY_FILTER;
}

static int
query_keychar(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/*
 * Next pair from q[*pos..len), skipping empty ones as Go does ("a&&b").
 * Returns 1 and fills p, 0 at the end, or -1 for a pair holding ';' (an
 * error since Go 1.17) or a control byte (net/url refuses the whole URL).
 */
static int
query_next(const char *q, size_t len, size_t *pos, struct query_pair *p)
{
	const char *eq;
	size_t i, start;
	unsigned char c;

	while (*pos < len) {
		start = *pos;
		for (i = start; i < len && q[i] != '&'; i++) {
			c = (unsigned char)q[i];
			if (c == ';' || c < 0x20 || c == 0x7f)
				return -1;
		}
		*pos = i < len ? i + 1 : len;
		if (i == start)
			continue;
		/* Key and value split at the first '='; no '=': empty value. */
		p->k = q + start;
		if ((eq = memchr(p->k, '=', i - start)) == NULL) {
			p->klen = i - start;
			p->v = q + i;
			p->vlen = 0;
		} else {
			p->klen = (size_t)(eq - p->k);
			p->v = eq + 1;
			p->vlen = i - start - p->klen - 1;
		}
		return 1;
	}
	return 0;
}

/*
 * Go's QueryUnescape: '+' is a space, "%XX" one byte, every other byte
 * itself.  Writes at most cap bytes to dst but always sets *outlen to the
 * whole decoded length, so the caller sees "too long" instead of a value
 * silently cut short.  Returns -1 on a malformed escape.
 */
static int
query_unescape(const char *s, size_t n, char *dst, size_t cap,
    size_t *outlen)
{
	size_t i = 0, w = 0;
	int hi, lo;
	char c;

	while (i < n) {
		if (s[i] == '%') {
			if (n - i < 3 ||
			    (hi = lex_hex((unsigned char)s[i + 1])) < 0 ||
			    (lo = lex_hex((unsigned char)s[i + 2])) < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 3;
		} else {
			c = s[i] == '+' ? ' ' : s[i];
			i++;
		}
		if (w < cap)
			dst[w] = c;
		w++;
	}
	*outlen = w;
	return 0;
}

/* Does s[0..n) equal the NUL-terminated want? */
static int
query_eq(const char *s, size_t n, const char *want)
{
	return strlen(want) == n && memcmp(s, want, n) == 0;
}

/*
 * Length of the Unicode white space (Go's unicode.IsSpace) that starts
 * s[0..n), as UTF-8; 0 when s does not start with one.
 */
static size_t
query_space_len(const unsigned char *s, size_t n)
{
	if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
		return 1;
	if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;	/* U+0085, U+00A0 */
	if (n < 3)
		return 0;
	if ((s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) ||	/* U+1680 */
	    (s[0] == 0xe2 && s[1] == 0x80 && ((s[2] >= 0x80 && s[2] <= 0x8a) ||
	    s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf)) ||	/* U+2000.. */
	    (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) ||	/* U+205F */
	    (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80))	/* U+3000 */
		return 3;
	return 0;
}

/* Length of the white space that ends s[0..n) (see query_space_len). */
static size_t
query_space_len_end(const unsigned char *s, size_t n)
{
	size_t k;

	for (k = 1; k <= 3 && k <= n; k++)
		if (query_space_len(s + n - k, k) == k)
			return k;
	return 0;
}

/*
 * The truth value dockerd's httputils.BoolValue gives the decoded value
 * v[0..n): strings.TrimSpace, strings.ToLower, then "", "0", "no",
 * "false" and "none" are false, anything else true.  ToLower maps no
 * non-ASCII letter onto a letter of those words, so an ASCII case fold
 * is exact.
 */
static int
query_bool_value(const char *v, size_t n)
{
	static const char *const falses[] = { "", "0", "no", "false", "none" };
	const unsigned char *s = (const unsigned char *)v;
	size_t	 k, i;

	while (n > 0 && (k = query_space_len(s, n)) > 0) {
		s += k;
		n -= k;
	}
	while (n > 0 && (k = query_space_len_end(s, n)) > 0)
		n -= k;
	for (i = 0; i < sizeof(falses) / sizeof(falses[0]); i++)
		if (strlen(falses[i]) == n &&
		    lex_token_eq((const char *)s, n, falses[i]))
			return 0;
	return 1;
}

/*
 * Is the decoded value v (n bytes, of which only avail were stored) one of
 * the '|'-separated values of c?  A lone "*" accepts anything; a boolean
 * constraint accepts what dockerd reads as its truth value.
 */
static int
query_in_set(const struct query_cond *c, const char *v, size_t n,
    size_t avail)
{
	const char *s = c->values, *bar;
	size_t l;

	if (strcmp(s, "*") == 0)
		return 1;
	if (n > avail)
		return 0;	/* longer than what was kept: fail closed */
	if (c->boolean != QUERY_BOOL_NONE)
		return query_bool_value(v, n) == (c->boolean == QUERY_BOOL_TRUE);
	for (;;) {
		bar = strchr(s, '|');
		l = bar != NULL ? (size_t)(bar - s) : strlen(s);
		if (l == n && memcmp(s, v, n) == 0)
			return 1;
		if (bar == NULL)
			return 0;
		s = bar + 1;
	}
}

/*
 * The shape filters.FromJSON would accept for the root object: JSON_OBJECT
 * when every member is an object of booleans (map[string]map[string]bool),
 * JSON_ARRAY when every member is an array of strings (the legacy
 * map[string][]string), -1 otherwise.  Shadowed members count too: Go
 * decodes them before overwriting, and a type error fails the whole shape.
 * null (which Go would take as an empty map or slice) is refused.
 */
static int
query_filter_shape(const struct json_doc *d)
{
	const struct json_node *nodes = d->nodes;
	enum json_type shape = JSON_NULL, want;
	int i, j;

	for (i = nodes[0].first; i != -1; i = nodes[i].next) {
		if (nodes[i].type == JSON_OBJECT)
			want = JSON_BOOL;
		else if (nodes[i].type == JSON_ARRAY)
			want = JSON_STRING;
		else
			return -1;
		if (shape == JSON_NULL)
			shape = nodes[i].type;
		else if (shape != nodes[i].type)
			return -1;
		for (j = nodes[i].first; j != -1; j = nodes[j].next)
			if (nodes[j].type != want)
				return -1;
	}
	return shape == JSON_NULL ? JSON_OBJECT : (int)shape;
}

/*
 * Is the effective entry for c->key in the (still encoded) "filters" value
 * exactly {c->values}: present, non-empty, every member c->values (and
 * true, in the object form)?  The whole value must decode and parse.
 */
static int
query_filter_holds(const struct query_cond *c, const char *raw, size_t rawlen)
{
	char text[QUERY_JSON_MAX], scratch[QUERY_JSON_MAX];
	struct json_node nodes[QUERY_JSON_NODES];
	struct json_doc doc;
	const struct json_node *e;
	size_t n;
	int shape, i, j;

	if (query_unescape(raw, rawlen, text, sizeof(text), &n) == -1 ||
	    n > sizeof(text))
		return 0;
	if (n == 0)
		return 0;	/* FromJSON(""): no filters at all */
	doc = (struct json_doc){
		.nodes = nodes,
		.cap = QUERY_JSON_NODES,
		.scratch = scratch,
		.scratch_cap = sizeof(scratch),
	};
	if (json_parse(text, n, &doc) == -1 || nodes[0].type != JSON_OBJECT ||
	    (shape = query_filter_shape(&doc)) == -1)
		return 0;
	for (i = nodes[0].first; i != -1; i = nodes[i].next) {
		e = &nodes[i];
		/* Key compare is exact: Go map keys are case-sensitive. */
		if (e->shadowed || !query_eq(e->key, e->key_len, c->key))
			continue;
		if (e->first == -1)
			return 0;	/* empty: dockerd does not filter */
		for (j = e->first; j != -1; j = nodes[j].next) {
			if (shape == JSON_OBJECT ? nodes[j].shadowed ||
			    (query_eq(nodes[j].key, nodes[j].key_len,
			    c->values) && nodes[j].boolean) :
			    query_eq(nodes[j].str, nodes[j].str_len, c->values))
				continue;
			return 0;
		}
		return 1;
	}
	return 0;
}

/*
 * Parse "K=V1|V2" (QUERY_ONE_OF, QUERY_REQUIRE) or "NAME=VALUE"
 * (QUERY_FILTER) into *out.  Keys are [A-Za-z0-9_.-]{1,31}; values are
 * printable ASCII without space, shorter than QUERY_MAX_VALUES in all.
 * A "*" must stand alone ("K=1|*" is refused rather than read as a literal
 * star).  A filter VALUE is one non-empty value that may hold '=' or '|'.
 * Returns 0, or -1 with *reason (if reason is not NULL) set to a static
 * string.
 */
int
query_cond_parse(enum query_kind kind, const char *arg,
    struct query_cond *out, const char **reason)
{
	const char *why, *v, *s, *bar;
	size_t klen, vlen, i;

	if (reason == NULL)
		reason = &why;
	if (out == NULL) {
		*reason = "no output";
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	if (!query_kind_ok(kind)) {
		*reason = "unknown constraint kind";
		return -1;
	}
	if (arg == NULL) {
		*reason = "missing constraint";
		return -1;
	}
	for (klen = 0; query_keychar((unsigned char)arg[klen]); klen++)
		;
	if (arg[klen] != '=') {
		*reason = arg[klen] == '\0' ? "missing '=' in constraint" :
		    "bad character in constraint key";
		return -1;
	}
	if (klen == 0) {
		*reason = "empty constraint key";
		return -1;
	}
	if (klen >= QUERY_MAX_KEY) {
		*reason = "constraint key too long";
		return -1;
	}
	v = arg + klen + 1;
	for (vlen = 0; v[vlen] != '\0'; vlen++) {
		if ((unsigned char)v[vlen] <= 0x20 ||
		    (unsigned char)v[vlen] >= 0x7f) {
			*reason = "bad character in constraint value";
			return -1;
		}
		if (vlen + 1 >= QUERY_MAX_VALUES) {
			*reason = "constraint values too long";
			return -1;
		}
	}
	if (kind == QUERY_FILTER && vlen == 0) {
		*reason = "empty filter value";
		return -1;
	}
	if (kind != QUERY_FILTER && strcmp(v, "*") != 0) {
		for (s = v; ; s = bar + 1) {
			bar = strchr(s, '|');
			i = bar != NULL ? (size_t)(bar - s) : strlen(s);
			if (i == 1 && s[0] == '*') {
				*reason = "'*' must be the only value";
				return -1;
			}
			if (bar == NULL)
				break;
		}
	}
	memcpy(out->key, arg, klen);
	memcpy(out->values, v, vlen);
	if (kind != QUERY_FILTER && strcmp(v, "true") == 0)
		out->boolean = QUERY_BOOL_TRUE;
	else if (kind != QUERY_FILTER && strcmp(v, "false") == 0)
		out->boolean = QUERY_BOOL_FALSE;
	return 0;
}

/*
 * Does the raw query q[0..len) (q may be NULL: no query) satisfy c?
 * Any ';', control byte or malformed escape anywhere in the query fails.
 * QUERY_ONE_OF: every occurrence of the key decodes to a value of the set
 * (absent is fine).  QUERY_REQUIRE: the same, and at least one occurrence.
 * QUERY_FILTER: exactly one "filters" parameter, which decodes and parses
 * as filters.FromJSON would, and whose last entry for NAME holds VALUE.
 * Returns 1 or 0.
 */
int
query_cond_match(const struct query_cond *c, const char *q, size_t len)
{
	struct query_pair p = { NULL, 0, NULL, 0 };
	char key[QUERY_MAX_KEY], val[QUERY_MAX_VALUES];
	const char *want, *fv = NULL;
	size_t pos = 0, klen, vlen, fvlen = 0, seen = 0;
	int r;

	if (c == NULL || !query_kind_ok(c->kind))
		return 0;
	if (q == NULL)
		len = 0;
	want = c->kind == QUERY_FILTER ? QUERY_FILTERS_KEY : c->key;
	/* Walk the whole query: an error after our key still means 400. */
	while ((r = query_next(q, len, &pos, &p)) == 1) {
		if (query_unescape(p.k, p.klen, key, sizeof(key), &klen) == -1 ||
		    query_unescape(p.v, p.vlen, val, sizeof(val), &vlen) == -1)
			return 0;
		if (klen > sizeof(key) || !query_eq(key, klen, want))
			continue;
		seen++;
		if (c->kind == QUERY_FILTER) {
			fv = p.v;
			fvlen = p.vlen;
		} else if (!query_in_set(c, val, vlen, sizeof(val)))
			return 0;
	}
	if (r == -1)
		return 0;
	switch (c->kind) {
	case QUERY_ONE_OF:
		return 1;
	case QUERY_REQUIRE:
		return seen > 0;
	case QUERY_FILTER:
		return seen == 1 && query_filter_holds(c, fv, fvlen);
	}
	return 0;
}

/*
 * Write c as rule text ("query all=1|true", "require K=V",
 * "filter NAME=VALUE") to dst[0..cap), NUL-terminated and truncated if
 * need be.  Returns dst.
 */
char *
query_cond_str(const struct query_cond *c, char *dst, size_t cap)
{
	if (dst == NULL || cap == 0)
		return dst;
	if (c == NULL || !query_kind_ok(c->kind)) {
		snprintf(dst, cap, "?");
		return dst;
	}
	snprintf(dst, cap, "%s %s=%s", query_kw[c->kind], c->key, c->values);
	return dst;
}

int
query_first(const char *q, size_t len, const char *key, size_t *vlen)
{
	struct query_pair p;
	char	 k[QUERY_MAX_KEY];
	size_t	 pos = 0, klen;
	int	 r;

	*vlen = 0;
	if (q == NULL)
		return 0;
	while ((r = query_next(q, len, &pos, &p)) == 1) {
		if (query_unescape(p.k, p.klen, k, sizeof(k), &klen) == -1)
			return -1;
		if (klen >= sizeof(k) || !query_eq(k, klen, key))
			continue;
		if (query_unescape(p.v, p.vlen, NULL, 0, vlen) == -1)
			return -1;
		return 1;
	}
	return r;
}
