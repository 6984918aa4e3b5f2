/*
 * fuzz_query.c - query constraints and the filters JSON reader.
 *
 * Input: the first line is a constraint argument ("all=1|true",
 * "label=autoheal=true"), optionally preceded by its keyword ("query ",
 * "require ", "filter "); without a keyword it is tried as all three
 * kinds.  The rest of the input is (a) a raw query string for
 * query_cond_match, (b) the same bytes percent-encoded as a "filters"
 * parameter, and (c) a JSON text for json_parse with caller storage.
 *
 * Properties:
 *  - no crash or over-read on any input (exact-size copies);
 *  - query_cond_str of a parsed constraint parses back to the same one;
 *  - "require K=V" matching implies "query K=V" matching; with no query at
 *    all "query" holds and "require"/"filter" do not;
 *  - json_parse: the node tree is well formed (indices in range, parents
 *    consistent, keys exactly on object members, strings inside scratch,
 *    shadowed only when a later sibling has the same key), and a parse
 *    with less storage never succeeds with more nodes than it was given.
 */
#include "fuzz_common.h"

#include "json.h"
#include "query.h"

#define NODES	256
#define SCRATCH	4096

static void
check_doc(const struct json_doc *d)
{
	const struct json_node *nd = d->nodes, *a;
	size_t i;
	int j, k, depth;

	FUZZ_CHECK(d->n >= 1 && d->n <= d->cap, "n %zu cap %zu", d->n, d->cap);
	FUZZ_CHECK(d->scratch_len <= d->scratch_cap, "scratch_len");
	FUZZ_CHECK(nd[0].parent == -1 && nd[0].key == NULL, "root");
	for (i = 0; i < d->n; i++) {
		a = &nd[i];
		FUZZ_CHECK(a->type <= JSON_OBJECT, "type");
		FUZZ_CHECK(a->next == -1 || ((size_t)a->next > i &&
		    (size_t)a->next < d->n && nd[a->next].parent == a->parent),
		    "next of %zu", i);
		FUZZ_CHECK(a->first == -1 || ((size_t)a->first == i + 1 &&
		    (size_t)a->first < d->n && nd[a->first].parent == (int)i),
		    "first of %zu", i);
		FUZZ_CHECK(a->first == -1 || a->type == JSON_ARRAY ||
		    a->type == JSON_OBJECT, "children of a scalar");
		if (i > 0) {
			FUZZ_CHECK(a->parent >= 0 && (size_t)a->parent < i,
			    "parent of %zu", i);
			FUZZ_CHECK((nd[a->parent].type == JSON_OBJECT) ==
			    (a->key != NULL), "key presence of %zu", i);
		}
		if (a->key != NULL)
			FUZZ_CHECK(a->key >= d->scratch && a->key + a->key_len
			    <= d->scratch + d->scratch_len, "key storage");
		if (a->type == JSON_STRING)
			FUZZ_CHECK(a->str != NULL && a->str >= d->scratch &&
			    a->str + a->str_len <= d->scratch + d->scratch_len,
			    "string storage");
		if (a->shadowed) {
			FUZZ_CHECK(a->key != NULL, "shadowed non-member");
			for (k = a->next; k != -1; k = nd[k].next)
				if (fuzz_same(nd[k].key, nd[k].key_len, a->key,
				    a->key_len))
					break;
			FUZZ_CHECK(k != -1, "shadowed without a later twin");
		} else if (a->key != NULL) {
			for (k = a->next; k != -1; k = nd[k].next)
				FUZZ_CHECK(!fuzz_same(nd[k].key, nd[k].key_len,
				    a->key, a->key_len), "twin not shadowed");
		}
		for (j = (int)i, depth = 0; j != -1; j = nd[j].parent)
			depth++;
		FUZZ_CHECK(depth <= JSON_MAX_DEPTH + 1, "depth %d", depth);
	}
}

static void
json_round(const char *text, size_t len)
{
	static struct json_node nodes[NODES];
	static char scratch[SCRATCH];
	struct json_doc d;
	size_t cap, full;
	int rc;

	d = (struct json_doc){ .nodes = nodes, .cap = NODES,
	    .scratch = scratch, .scratch_cap = SCRATCH };
	if ((rc = json_parse(text, len, &d)) != 0)
		return;
	check_doc(&d);
	full = d.n;
	/* Too little storage must fail rather than truncate. */
	for (cap = full > 4 ? full - 4 : 0; cap < full; cap++) {
		d = (struct json_doc){ .nodes = nodes, .cap = cap,
		    .scratch = scratch, .scratch_cap = SCRATCH };
		FUZZ_CHECK(json_parse(text, len, &d) == -1,
		    "parse with %zu of %zu nodes succeeded", cap, full);
	}
}

/* "filters=" + every byte of s as %XX. */
static char *
as_filters(const char *s, size_t n, size_t *outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	char *q = malloc(8 + 3 * n + 1);
	size_t i, w = 8;

	if (q == NULL)
		abort();
	memcpy(q, "filters=", 8);
	for (i = 0; i < n; i++) {
		q[w++] = '%';
		q[w++] = hex[(unsigned char)s[i] >> 4];
		q[w++] = hex[(unsigned char)s[i] & 15];
	}
	*outlen = w;
	return q;
}

static void
check_cond(const struct query_cond *c, const char *q, size_t qlen,
    const char *fq, size_t fqlen)
{
	static struct query_cond c2;
	char str[QUERY_MAX_KEY + QUERY_MAX_VALUES + 16], *sp, *arg;
	const char *why;
	int m;

	query_cond_str(c, str, sizeof(str));
	sp = strchr(str, ' ');
	FUZZ_CHECK(sp != NULL, "query_cond_str '%s'", str);
	arg = fuzz_dup((const uint8_t *)sp + 1, strlen(sp + 1), 1);
	FUZZ_CHECK(query_cond_parse(c->kind, arg, &c2, &why) == 0,
	    "'%s' does not parse back: %s", str, why);
	FUZZ_CHECK(c2.kind == c->kind && strcmp(c2.key, c->key) == 0 &&
	    strcmp(c2.values, c->values) == 0, "'%s' parses differently", str);
	free(arg);

	m = query_cond_match(c, q, qlen);
	FUZZ_CHECK(m == 0 || m == 1, "match %d", m);
	(void)query_cond_match(c, fq, fqlen);
	FUZZ_CHECK(query_cond_match(c, NULL, 0) == (c->kind == QUERY_ONE_OF),
	    "no query at all");
	FUZZ_CHECK(query_cond_match(c, q, 0) == (c->kind == QUERY_ONE_OF),
	    "empty query");
	if (c->kind == QUERY_REQUIRE && m) {
		c2 = *c;
		c2.kind = QUERY_ONE_OF;
		FUZZ_CHECK(query_cond_match(&c2, q, qlen) == 1,
		    "require holds but query does not");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kw[] = { "query ", "require ", "filter " };
	static const enum query_kind kinds[] = { QUERY_ONE_OF, QUERY_REQUIRE,
	    QUERY_FILTER };
	static struct query_cond c;
	const char *nl, *why, *a;
	char *all, *first, *rest, *fq;
	size_t flen, rlen, fqlen, k;
	int fixed = -1;

	if (size > 16384)
		return 0;
	all = fuzz_dup(data, size, 0);
	nl = memchr(all, '\n', size);
	flen = nl != NULL ? (size_t)(nl - all) : size;
	first = fuzz_dup(data, flen, 1);
	rlen = nl != NULL ? size - flen - 1 : 0;
	rest = fuzz_dup(data + size - rlen, rlen, 0);
	fq = as_filters(rest, rlen, &fqlen);

	a = first;
	for (k = 0; k < 3; k++)
		if (strncmp(first, kw[k], strlen(kw[k])) == 0) {
			fixed = (int)k;
			a = first + strlen(kw[k]);
		}
	for (k = 0; k < 3; k++) {
		if (fixed != -1 && (int)k != fixed)
			continue;
		if (query_cond_parse(kinds[k], a, &c, &why) != 0) {
			FUZZ_CHECK(why != NULL, "no reason");
			continue;
		}
		FUZZ_CHECK(c.key[0] != '\0' && strlen(c.key) < QUERY_MAX_KEY &&
		    strlen(c.values) < QUERY_MAX_VALUES, "stored constraint");
		check_cond(&c, rest, rlen, fq, fqlen);
	}
	json_round(rest, rlen);

	free(fq);
	free(rest);
	free(first);
	free(all);
	return 0;
}
