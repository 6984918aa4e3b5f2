/*
 * fuzz_rule.c - rule parser and matcher.
 *
 * Input: the first line is a rule line for rule_parse_line ("allow ..." /
 * "deny ..."); each further line is "METHOD TARGET", canonicalised with
 * canon_target and matched.  An unknown METHOD is taken as method
 * (first byte % REQ_M_COUNT) so that the fuzzer need not spell one.
 *
 * Properties:
 *  - round trip: rule_line_str of a parsed rule parses again to the same
 *    rule (action, methods, segments, constraints, reason) with the same
 *    normalised text, which is a fixed point;
 *  - rule_matches == rule_matches_path && every query_cond_match, and the
 *    re-parsed rule decides every request the same way;
 *  - rule_match over a one-rule set returns that rule exactly when
 *    rule_matches does; a rule never matches a method outside its mask;
 *  - no crash or over-read on arbitrary (non-canonical) paths either.
 */
#include "fuzz_common.h"

#include "canon.h"
#include "engine_api.h"
#include "learn.h"
#include "rule.h"

static void
same_rule(const struct rule *a, const struct rule *b)
{
	size_t i;

	FUZZ_CHECK(a->action == b->action, "action");
	FUZZ_CHECK(a->methods == b->methods, "methods %x != %x", a->methods,
	    b->methods);
	FUZZ_CHECK(a->nsegs == b->nsegs, "nsegs %zu != %zu", a->nsegs,
	    b->nsegs);
	for (i = 0; i < a->nsegs; i++) {
		FUZZ_CHECK(a->segs[i].kind == b->segs[i].kind, "seg kind");
		if (a->segs[i].kind == RULE_SEG_LITERAL)
			FUZZ_CHECK(fuzz_same(a->segs[i].lit, a->segs[i].lit_len,
			    b->segs[i].lit, b->segs[i].lit_len), "literal");
	}
	FUZZ_CHECK(a->nquery == b->nquery, "nquery");
	for (i = 0; i < a->nquery; i++)
		FUZZ_CHECK(a->query[i].kind == b->query[i].kind &&
		    strcmp(a->query[i].key, b->query[i].key) == 0 &&
		    strcmp(a->query[i].values, b->query[i].values) == 0,
		    "constraint %zu", i);
	FUZZ_CHECK(strcmp(a->reason, b->reason) == 0, "reason");
	FUZZ_CHECK(strcmp(a->text, b->text) == 0, "text '%s' != '%s'",
	    a->text, b->text);
}


/*
 * The route table on a canonical path: bindings lie inside the path,
 * hijack detection is the table's flag, and a learned pattern is a rule
 * that covers the path it was learned from.
 */
static void
fuzz_rule_engine(enum req_method m, const char *path)
{
	const struct engine_api_route *er;
	struct engine_api_bind b;
	char pat[LEARN_PATTERN], text[LEARN_PATTERN + 16];
	struct rule lr;
	size_t plen = strlen(path), k;
	int lrc;

	er = engine_api_match(m, path, &b);
	for (k = 0; k < b.nvars; k++)
		FUZZ_CHECK(b.var[k].off + b.var[k].len <= plen,
		    "binding outside the path");
	FUZZ_CHECK((er != NULL && (er->flags & ENGINE_API_HIJACK) != 0) ==
	    (engine_api_hijacks(m, path) != 0), "hijack flag disagrees");
	lrc = learn_route(m, path, pat, sizeof(pat));
	if (lrc < 0)
		return;
	snprintf(text, sizeof(text), "%s %s", req_method_name(m), pat);
	FUZZ_CHECK(rule_parse(text, RULE_ALLOW, &lr, NULL) == 0,
	    "learned pattern is no rule");
	FUZZ_CHECK(rule_matches_path(&lr, m, path),
	    "learned rule does not cover its path");
}
static void
check_request(const struct rule *r, const struct rule *r2,
    const char *line, size_t len)
{
	static struct canon_target c;
	struct rule_set set = { NULL, 0, 0, "fuzz" };
	const struct rule *hit;
	enum req_method m;
	const char *why, *sp;
	char *raw;
	size_t mlen, i;
	int all, want, got;

	sp = memchr(line, ' ', len);
	mlen = sp != NULL ? (size_t)(sp - line) : len;
	if (req_method_parse(line, mlen, &m) == -1)
		m = (enum req_method)(len > 0 ? (unsigned char)line[0] %
		    REQ_M_COUNT : 0);
	if (sp == NULL)
		return;
	line = sp + 1;
	len -= mlen + 1;

	/* Robustness on the raw, unchecked path (NUL-terminated copy). */
	raw = fuzz_dup((const uint8_t *)line, len, 1);
	(void)rule_matches_path(r, m, raw);
	(void)engine_api_hijacks(m, raw);
	free(raw);

	if (canon_target(line, len, &c, &why) != 0)
		return;
	all = 1;
	for (i = 0; i < r->nquery; i++)
		if (!query_cond_match(&r->query[i], c.query, c.query_len))
			all = 0;
	want = rule_matches_path(r, m, c.path) && all;
	got = rule_matches(r, m, c.path, c.query, c.query_len);
	FUZZ_CHECK(got == want, "rule_matches %d, path && constraints %d",
	    got, want);
	if (!(r->methods & (1u << m)))
		FUZZ_CHECK(!got, "matched a method outside the mask");
	FUZZ_CHECK(rule_matches(r2, m, c.path, c.query, c.query_len) == got,
	    "re-parsed rule decides differently");
	fuzz_rule_engine(m, c.path);

	FUZZ_CHECK(rule_set_add(&set, r, "fuzz") == 0, "rule_set_add");
	hit = rule_match(&set, m, c.path, c.query, c.query_len);
	FUZZ_CHECK((hit != NULL) == (got != 0) &&
	    (hit == NULL || hit == &set.rules[0]), "rule_match disagrees");
	rule_set_free(&set);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rule r, r2, r3, ra;
	char text[RULE_MAX_TEXT + 16], text2[RULE_MAX_TEXT + 16];
	const char *why, *p, *end, *nl;
	char *first, *all;
	size_t flen;

	if (size > 16384)
		return 0;
	all = fuzz_dup(data, size, 0);
	nl = memchr(all, '\n', size);
	flen = nl != NULL ? (size_t)(nl - all) : size;
	first = fuzz_dup(data, flen, 1);

	/* rule_parse itself, both actions, for coverage of its errors. */
	(void)rule_parse(first, RULE_ALLOW, &ra, &why);
	(void)rule_parse(first, RULE_DENY, &ra, &why);

	if (rule_parse_line(first, &r, &why) != 0)
		goto done;
	FUZZ_CHECK(r.text[0] != '\0' && strlen(r.text) < RULE_MAX_TEXT,
	    "normalised text");
	FUZZ_CHECK(r.methods != 0 && r.methods < (1u << REQ_M_COUNT),
	    "methods %x", r.methods);
	FUZZ_CHECK(r.nsegs <= RULE_MAX_SEGMENTS && r.nquery <= RULE_MAX_QUERY,
	    "counts");
	FUZZ_CHECK(r.action == RULE_ALLOW || r.nquery == 0,
	    "deny rule with query constraints");

	rule_line_str(&r, text, sizeof(text));
	FUZZ_CHECK(rule_parse_line(text, &r2, &why) == 0,
	    "normalised rule '%s' refused: %s", text, why);
	same_rule(&r, &r2);
	rule_line_str(&r2, text2, sizeof(text2));
	FUZZ_CHECK(strcmp(text, text2) == 0, "rule_line_str not stable");
	FUZZ_CHECK(rule_parse(r.text, r.action, &r3, &why) == 0,
	    "rule_parse of r.text refused: %s", why);
	same_rule(&r, &r3);

	/* Requests, one per further line. */
	end = all + size;
	for (p = nl != NULL ? nl + 1 : end; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		check_request(&r, &r2, p, (size_t)(nl - p));
		if (nl == end)
			break;
	}
done:
	free(first);
	free(all);
	return 0;
}
