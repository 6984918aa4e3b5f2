/*
 * test_rule.c - rule parsing and matching, hijack endpoints, and the
 * built-in profiles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "canon.h"
#include "profile.h"
#include "rule.h"

#define M(x)  (1u << REQ_M_##x)
#define ALL   ((1u << REQ_M_COUNT) - 1)

static struct rule r;
static struct rule_set set;

static void
check_parse_ok(const char *text, unsigned methods, const char *norm,
    size_t nsegs, int line)
{
	const char *why = NULL;

	if (rule_parse(text, RULE_ALLOW, &r, &why) != 0)
		fail_msg("line %d: '%s' refused: %s", line, text, why);
	if (r.methods != methods)
		fail_msg("line %d: '%s' methods %#x != %#x", line, text,
		    r.methods, methods);
	if (strcmp(r.text, norm) != 0)
		fail_msg("line %d: '%s' text '%s' != '%s'", line, text,
		    r.text, norm);
	if (r.nsegs != nsegs)
		fail_msg("line %d: '%s' nsegs %zu != %zu", line, text,
		    r.nsegs, nsegs);
}

static void
check_parse_bad(const char *text, const char *reason, int line)
{
	const char *why = NULL;

	if (rule_parse(text, RULE_ALLOW, &r, &why) != -1)
		fail_msg("line %d: '%s' accepted as '%s'", line, text, r.text);
	if (why == NULL)
		fail_msg("line %d: '%s' refused without reason", line, text);
	if (reason != NULL && strcmp(why, reason) != 0)
		fail_msg("line %d: '%s' refused with '%s', expected '%s'",
		    line, text, why, reason);
}

#define PARSE_OK(t, m, n, s) check_parse_ok((t), (m), (n), (s), __LINE__)
#define PARSE_BAD(t, why) check_parse_bad((t), (why), __LINE__)

static void
test_parse_methods(void **state)
{
	(void)state;
	PARSE_OK("GET /_ping", M(GET), "GET /_ping", 1);
	PARSE_OK("GET,HEAD /_ping", M(GET) | M(HEAD), "GET,HEAD /_ping", 1);
	PARSE_OK("head,get /_ping", M(GET) | M(HEAD), "GET,HEAD /_ping", 1);
	PARSE_OK("Post /x", M(POST), "POST /x", 1);
	PARSE_OK("options,patch,delete,put /x",
	    M(PUT) | M(DELETE) | M(PATCH) | M(OPTIONS),
	    "PUT,DELETE,PATCH,OPTIONS /x", 1);
	PARSE_OK("* /x", ALL, "* /x", 1);
	PARSE_OK("GET,HEAD,POST,PUT,DELETE,PATCH,OPTIONS /x", ALL, "* /x", 1);
	PARSE_OK("GET,GET /x", M(GET), "GET /x", 1);	/* duplicates: OR */

	PARSE_BAD("FOO /x", "unknown method");
	PARSE_BAD("GETS /x", "unknown method");
	PARSE_BAD("GE /x", "unknown method");
	PARSE_BAD("CONNECT /x", "unknown method");
	PARSE_BAD("TRACE /x", "unknown method");
	PARSE_BAD("*,GET /x", "unknown method");
	PARSE_BAD("GET,* /x", "unknown method");
	PARSE_BAD("** /x", "unknown method");
	PARSE_BAD("GET;HEAD /x", "unknown method");
	PARSE_BAD("GET,,HEAD /x", "empty method in list");
	PARSE_BAD(",GET /x", "empty method in list");
	PARSE_BAD("GET, /x", "empty method in list");
	PARSE_BAD("GET, HEAD /x", "empty method in list");
	PARSE_BAD(", /x", "empty method in list");
}

static void
test_parse_whitespace(void **state)
{
	(void)state;
	PARSE_OK("  GET /_ping", M(GET), "GET /_ping", 1);
	PARSE_OK("GET /_ping  ", M(GET), "GET /_ping", 1);
	PARSE_OK("\tget,head \t  /_ping\t ", M(GET) | M(HEAD),
	    "GET,HEAD /_ping", 1);
	PARSE_OK("GET\t/a/b", M(GET), "GET /a/b", 2);

	PARSE_BAD("", "empty rule");
	PARSE_BAD("   \t ", "empty rule");
	PARSE_BAD("GET", "missing path pattern");
	PARSE_BAD("GET   ", "missing path pattern");
	PARSE_BAD("/x", "unknown method");
	PARSE_BAD("GET /x /y", "unexpected text after pattern");
	PARSE_BAD("GET /x y", "unexpected text after pattern");
	PARSE_BAD("GET POST /x", "unexpected text after pattern");
	/* only spaces and tabs separate; anything else is part of a token */
	PARSE_BAD("GET\n/x", "unknown method");
	PARSE_BAD("GET /x\n", "invalid character in pattern");
	PARSE_BAD("GET /x\r", "invalid character in pattern");
	PARSE_BAD("GET\v/x", "unknown method");
	PARSE_BAD(NULL, "empty rule");
	/* reason may be NULL */
	assert_int_equal(rule_parse("", RULE_ALLOW, &r, NULL), -1);
	assert_int_equal(rule_parse("GET /x", RULE_ALLOW, NULL, NULL), -1);
}

static void
test_parse_pattern(void **state)
{
	(void)state;
	PARSE_OK("GET /", M(GET), "GET /", 0);
	PARSE_OK("GET /**", M(GET), "GET /**", 1);
	assert_int_equal(r.segs[0].kind, RULE_SEG_REST);
	PARSE_OK("GET /containers/{id}/json", M(GET),
	    "GET /containers/{id}/json", 3);
	assert_int_equal(r.segs[0].kind, RULE_SEG_LITERAL);
	assert_string_equal(r.segs[0].lit, "containers");
	assert_int_equal(r.segs[0].lit_len, 10);
	assert_int_equal(r.segs[1].kind, RULE_SEG_ONE);
	assert_int_equal(r.segs[2].kind, RULE_SEG_LITERAL);
	assert_string_equal(r.segs[2].lit, "json");
	PARSE_OK("GET /containers/*/json", M(GET), "GET /containers/*/json", 3);
	assert_int_equal(r.segs[1].kind, RULE_SEG_ONE);
	PARSE_OK("GET /a/{Name_9}/**", M(GET), "GET /a/{Name_9}/**", 3);
	assert_int_equal(r.segs[1].kind, RULE_SEG_ONE);
	assert_int_equal(r.segs[2].kind, RULE_SEG_REST);
	PARSE_OK("GET /...", M(GET), "GET /...", 1);
	PARSE_OK("GET /.a/a.", M(GET), "GET /.a/a.", 2);
	PARSE_OK("GET /a-b_c~d!$&'()+,;=:@", M(GET),
	    "GET /a-b_c~d!$&'()+,;=:@", 1);

	PARSE_BAD("GET x", "pattern must start with '/'");
	PARSE_BAD("GET *", "pattern must start with '/'");
	PARSE_BAD("GET //", "empty segment in pattern");
	PARSE_BAD("GET //x", "empty segment in pattern");
	PARSE_BAD("GET /x//y", "empty segment in pattern");
	PARSE_BAD("GET /x/", "empty segment in pattern");
	PARSE_BAD("GET /.", "dot segment in pattern");
	PARSE_BAD("GET /..", "dot segment in pattern");
	PARSE_BAD("GET /a/./b", "dot segment in pattern");
	PARSE_BAD("GET /a/../b", "dot segment in pattern");
	PARSE_BAD("GET /**/x", "'**' must be the last segment");
	PARSE_BAD("GET /a/**/**", "'**' must be the last segment");
	PARSE_BAD("GET /{}", "malformed placeholder in pattern");
	PARSE_BAD("GET /{a", "malformed placeholder in pattern");
	PARSE_BAD("GET /{a-b}", "malformed placeholder in pattern");
	PARSE_BAD("GET /{a}b", "malformed placeholder in pattern");
	PARSE_BAD("GET /{{a}}", "malformed placeholder in pattern");
	PARSE_BAD("GET /{a.b}", "malformed placeholder in pattern");
	PARSE_BAD("GET /a{b}", "invalid character in pattern");
	PARSE_BAD("GET /a}", "invalid character in pattern");
	PARSE_BAD("GET /a*", "invalid character in pattern");
	PARSE_BAD("GET /*a", "invalid character in pattern");
	PARSE_BAD("GET /***", "invalid character in pattern");
	PARSE_BAD("GET /a?b", "invalid character in pattern");
	PARSE_BAD("GET /a%20", "invalid character in pattern");
	PARSE_BAD("GET /a\\b", "invalid character in pattern");
	PARSE_BAD("GET /a#b", "invalid character in pattern");
	PARSE_BAD("GET /caf\xc3\xa9", "invalid character in pattern");
	PARSE_BAD("GET /a\x7f", "invalid character in pattern");
}

static void
test_parse_limits(void **state)
{
	char buf[RULE_MAX_TEXT + 64], norm[RULE_MAX_TEXT];
	size_t i;

	(void)state;
	/* a literal holds up to 63 bytes */
	strcpy(buf, "GET /");
	memset(buf + 5, 'a', 63);
	buf[5 + 63] = '\0';
	PARSE_OK(buf, M(GET), buf, 1);
	assert_int_equal(r.segs[0].lit_len, 63);
	strcat(buf, "a");
	PARSE_BAD(buf, "pattern segment too long");

	/* RULE_MAX_SEGMENTS segments, not one more */
	strcpy(buf, "GET ");
	for (i = 0; i < RULE_MAX_SEGMENTS; i++)
		strcat(buf, "/s");
	PARSE_OK(buf, M(GET), buf, RULE_MAX_SEGMENTS);
	strcat(buf, "/s");
	PARSE_BAD(buf, "too many segments in pattern");
	strcpy(buf, "GET ");
	for (i = 0; i < RULE_MAX_SEGMENTS; i++)
		strcat(buf, "/s");
	strcat(buf, "/**");
	PARSE_BAD(buf, "too many segments in pattern");

	/* whole text up to RULE_MAX_TEXT - 1 bytes, blanks included */
	strcpy(buf, "GET /x");
	memset(buf + 6, ' ', RULE_MAX_TEXT - 1 - 6);
	buf[RULE_MAX_TEXT - 1] = '\0';
	PARSE_OK(buf, M(GET), "GET /x", 1);
	strcat(buf, " ");
	PARSE_BAD(buf, "rule text too long");

	/* a long rule keeps its full normalised text */
	strcpy(buf, "GET,HEAD,POST,PUT,DELETE,PATCH,OPTIONS ");
	strcpy(norm, "* ");
	for (i = 0; i < 3; i++) {
		size_t n = strlen(buf), k = strlen(norm);

		buf[n] = norm[k] = '/';
		memset(buf + n + 1, 'a' + (char)i, 60);
		memset(norm + k + 1, 'a' + (char)i, 60);
		buf[n + 61] = norm[k + 61] = '\0';
	}
	PARSE_OK(buf, ALL, norm, 3);
}

static void
test_parse_failure_clears(void **state)
{
	(void)state;
	assert_int_equal(rule_parse("GET /a/b", RULE_DENY, &r, NULL), 0);
	assert_int_equal(r.action, RULE_DENY);
	assert_int_equal(rule_parse("GET /a//b", RULE_DENY, &r, NULL), -1);
	assert_int_equal(r.methods, 0);
	assert_int_equal(r.nsegs, 0);
	assert_string_equal(r.text, "");
	/* a rule that matches nothing even if the caller ignores -1 */
	assert_int_equal(rule_matches(&r, REQ_M_GET, "/a/b"), 0);
}

static int
matches(const char *text, enum req_method m, const char *path)
{
	struct rule x;
	const char *why = NULL;

	if (rule_parse(text, RULE_ALLOW, &x, &why) != 0)
		fail_msg("'%s' refused: %s", text, why);
	return rule_matches(&x, m, path);
}

#define YES(t, m, p) do { if (!matches((t), REQ_M_##m, (p))) \
	fail_msg("line %d: '%s' should match %s %s", __LINE__, (t), #m, \
	    (p)); } while (0)
#define NO(t, m, p) do { if (matches((t), REQ_M_##m, (p))) \
	fail_msg("line %d: '%s' should not match %s %s", __LINE__, (t), \
	    #m, (p)); } while (0)

static void
test_match_literal(void **state)
{
	(void)state;
	YES("GET /containers/json", GET, "/containers/json");
	NO("GET /containers/json", GET, "/containers/json/x");
	NO("GET /containers/json", GET, "/containers");
	NO("GET /containers/json", GET, "/containersXYZ/json");
	NO("GET /containers/json", GET, "/containers/jsonX");
	NO("GET /containers/json", GET, "/containers/jso");
	NO("GET /containers/json", GET, "/Containers/json");
	NO("GET /containers/json", GET, "/containers/JSON");
	NO("GET /containers", GET, "/containersXYZ");
	NO("GET /containers", GET, "/container");
	NO("GET /containers/json", GET, "/x/containers/json");
	NO("GET /containers/json", GET, "containers/json");
	NO("GET /containers/json", GET, "");
	NO("GET /containers/json", GET, "/containers//json");
	NO("GET /containers/json", GET, "/containers/json/");
	YES("GET /", GET, "/");
	NO("GET /", GET, "/x");
	NO("GET /x", GET, "/");
}

static void
test_match_methods(void **state)
{
	(void)state;
	YES("GET,HEAD /_ping", GET, "/_ping");
	YES("GET,HEAD /_ping", HEAD, "/_ping");
	NO("GET,HEAD /_ping", POST, "/_ping");
	NO("GET /_ping", HEAD, "/_ping");
	YES("* /x", OPTIONS, "/x");
	YES("* /x", PATCH, "/x");
	YES("* /x", DELETE, "/x");
	assert_int_equal(rule_parse("* /x", RULE_ALLOW, &r, NULL), 0);
	assert_int_equal(rule_matches(&r, REQ_M_COUNT, "/x"), 0);
	assert_int_equal(rule_matches(&r, (enum req_method)99, "/x"), 0);
	assert_int_equal(rule_matches(&r, REQ_M_GET, NULL), 0);
	assert_int_equal(rule_matches(NULL, REQ_M_GET, "/x"), 0);
}

static void
test_match_one(void **state)
{
	(void)state;
	YES("GET /containers/{id}/json", GET, "/containers/abc/json");
	YES("GET /containers/{id}/json", GET, "/containers/json/json");
	NO("GET /containers/{id}/json", GET, "/containers/json");
	NO("GET /containers/{id}/json", GET, "/containers//json");
	NO("GET /containers/{id}/json", GET, "/containers/a/b/json");
	NO("GET /containers/{id}/json", GET, "/containers/abc/json/x");
	NO("GET /containers/{id}/json", GET, "/containers/abc/logs");
	YES("GET /containers/*/json", GET, "/containers/abc/json");
	NO("GET /containers/*/json", GET, "/containers/a/b/json");
	YES("GET /*", GET, "/x");
	NO("GET /*", GET, "/");
	NO("GET /*", GET, "/x/y");
	YES("GET /nodes/{id}", GET, "/nodes/n1");
	NO("GET /nodes/{id}", GET, "/nodes");
	NO("GET /nodes/{id}", GET, "/nodes/");
}

static void
test_match_rest(void **state)
{
	(void)state;
	YES("GET /containers/**", GET, "/containers");
	YES("GET /containers/**", GET, "/containers/json");
	YES("GET /containers/**", GET, "/containers/a/b");
	YES("GET /containers/**", GET, "/containers/a/b/c/d/e/f/g");
	NO("GET /containers/**", GET, "/containersXYZ");
	NO("GET /containers/**", GET, "/containersXYZ/a");
	NO("GET /containers/**", GET, "/");
	NO("GET /containers/**", GET, "/images/json");
	YES("GET /**", GET, "/");
	YES("GET /**", GET, "/a");
	YES("GET /**", GET, "/a/b/c");
	YES("GET /containers/{id}/**", GET, "/containers/x");
	YES("GET /containers/{id}/**", GET, "/containers/x/logs");
	NO("GET /containers/{id}/**", GET, "/containers");
}

static void
test_set_add(void **state)
{
	size_t i;
	char longorigin[100];

	(void)state;
	memset(&set, 0, sizeof(set));
	assert_int_equal(rule_parse("GET /a", RULE_ALLOW, &r, NULL), 0);
	assert_int_equal(rule_set_add(&set, &r, "--allow"), 0);
	assert_int_equal(rule_set_add(&set, &r, "profile traefik"), 0);
	assert_int_equal(rule_set_add(&set, &r, "--allow"), 0);
	assert_int_equal(rule_set_add(&set, &r, "--deny"), 0);
	assert_int_equal(rule_set_add(&set, &r, "--allow"), 0);
	assert_int_equal(set.nrules, 5);
	assert_string_equal(set.rules[0].origin, "--allow");
	assert_int_equal(set.rules[0].index, 1);
	assert_int_equal(set.rules[1].index, 1);
	assert_int_equal(set.rules[2].index, 2);
	assert_int_equal(set.rules[3].index, 1);
	assert_int_equal(set.rules[4].index, 3);
	assert_string_equal(set.rules[4].text, "GET /a");

	/* the set holds a copy */
	r.methods = 0;
	assert_true(rule_matches(&set.rules[0], REQ_M_GET, "/a"));

	/* origin truncated safely; the index counts the truncated name */
	memset(longorigin, 'o', sizeof(longorigin) - 1);
	longorigin[sizeof(longorigin) - 1] = '\0';
	assert_int_equal(rule_set_add(&set, &r, longorigin), 0);
	assert_int_equal(strlen(set.rules[5].origin),
	    sizeof(set.rules[5].origin) - 1);
	assert_int_equal(set.rules[5].index, 1);
	longorigin[60] = 'X';	/* differs only after the cut */
	assert_int_equal(rule_set_add(&set, &r, longorigin), 0);
	assert_int_equal(set.rules[6].index, 2);
	assert_int_equal(rule_set_add(&set, &r, NULL), 0);
	assert_string_equal(set.rules[7].origin, "");
	assert_int_equal(set.rules[7].index, 1);

	/* full */
	for (i = set.nrules; i < RULE_MAX_RULES; i++)
		assert_int_equal(rule_set_add(&set, &r, "x"), 0);
	assert_int_equal(set.nrules, RULE_MAX_RULES);
	assert_int_equal(rule_set_add(&set, &r, "x"), -1);
	assert_int_equal(set.nrules, RULE_MAX_RULES);
	assert_int_equal(rule_set_add(NULL, &r, "x"), -1);
}

static void
add(struct rule_set *s, const char *text, enum rule_action a)
{
	struct rule x;

	if (rule_parse(text, a, &x, NULL) != 0)
		fail_msg("'%s' refused", text);
	assert_int_equal(rule_set_add(s, &x, "test"), 0);
}

static void
test_set_match_order(void **state)
{
	const struct rule *m;

	(void)state;
	memset(&set, 0, sizeof(set));
	assert_null(rule_match(&set, REQ_M_GET, "/x"));	/* empty: deny */
	add(&set, "GET /containers/secret/json", RULE_DENY);
	add(&set, "GET /containers/{id}/json", RULE_ALLOW);
	add(&set, "* /**", RULE_DENY);
	add(&set, "GET /_ping", RULE_ALLOW);	/* shadowed by the line above */

	m = rule_match(&set, REQ_M_GET, "/containers/secret/json");
	assert_non_null(m);
	assert_int_equal(m->action, RULE_DENY);
	assert_int_equal(m->index, 1);
	m = rule_match(&set, REQ_M_GET, "/containers/abc/json");
	assert_non_null(m);
	assert_int_equal(m->action, RULE_ALLOW);
	assert_int_equal(m->index, 2);
	m = rule_match(&set, REQ_M_GET, "/_ping");
	assert_non_null(m);
	assert_int_equal(m->index, 3);
	assert_int_equal(m->action, RULE_DENY);

	memset(&set, 0, sizeof(set));
	add(&set, "GET /_ping", RULE_ALLOW);
	assert_null(rule_match(&set, REQ_M_POST, "/_ping"));
	assert_null(rule_match(&set, REQ_M_GET, "/info"));
	assert_null(rule_match(NULL, REQ_M_GET, "/_ping"));
}

static void
test_hijacks(void **state)
{
	(void)state;
	assert_true(rule_endpoint_hijacks(REQ_M_POST, "/containers/abc/attach"));
	assert_true(rule_endpoint_hijacks(REQ_M_POST, "/exec/abc/start"));
	assert_true(rule_endpoint_hijacks(REQ_M_GET,
	    "/containers/abc/attach/ws"));
	assert_true(rule_endpoint_hijacks(REQ_M_POST, "/session"));
	assert_true(rule_endpoint_hijacks(REQ_M_POST, "/grpc"));
	/*
	 * dockerd routes "/containers/{name:.*}/attach": the name may span
	 * segments (legacy link names "parent/alias"), so these hijack too.
	 */
	assert_true(rule_endpoint_hijacks(REQ_M_POST,
	    "/containers/web/db/attach"));
	assert_true(rule_endpoint_hijacks(REQ_M_GET,
	    "/containers/web/db/attach/ws"));
	assert_true(rule_endpoint_hijacks(REQ_M_POST, "/exec/a/b/start"));
	assert_true(rule_endpoint_hijacks(REQ_M_POST,
	    "/containers/attach/attach"));

	assert_false(rule_endpoint_hijacks(REQ_M_GET, "/containers/abc/attach"));
	assert_false(rule_endpoint_hijacks(REQ_M_HEAD,
	    "/containers/abc/attach"));
	assert_false(rule_endpoint_hijacks(REQ_M_PUT, "/containers/abc/attach"));
	assert_false(rule_endpoint_hijacks(REQ_M_POST,
	    "/containers/abc/attach/ws"));
	assert_false(rule_endpoint_hijacks(REQ_M_POST, "/containers/attach"));
	assert_false(rule_endpoint_hijacks(REQ_M_POST, "/containers//attach"));
	assert_false(rule_endpoint_hijacks(REQ_M_POST,
	    "/containers/abc/attachX"));
	assert_false(rule_endpoint_hijacks(REQ_M_POST,
	    "/containers/abc/xattach"));
	assert_false(rule_endpoint_hijacks(REQ_M_POST,
	    "/containersX/abc/attach"));
	assert_false(rule_endpoint_hijacks(REQ_M_POST, "/exec/abc/json"));
	assert_false(rule_endpoint_hijacks(REQ_M_GET, "/exec/abc/start"));
	assert_false(rule_endpoint_hijacks(REQ_M_POST, "/exec/start"));
	assert_false(rule_endpoint_hijacks(REQ_M_POST, "/exec/abc/resize"));
	assert_false(rule_endpoint_hijacks(REQ_M_GET, "/session"));
	assert_false(rule_endpoint_hijacks(REQ_M_POST, "/session/x"));
	assert_false(rule_endpoint_hijacks(REQ_M_POST, "/sessions"));
	assert_false(rule_endpoint_hijacks(REQ_M_POST, "/grpcx"));
	assert_false(rule_endpoint_hijacks(REQ_M_GET, "/grpc"));
	assert_false(rule_endpoint_hijacks(REQ_M_GET,
	    "/containers/abc/attach/wsx"));
	assert_false(rule_endpoint_hijacks(REQ_M_POST, "/containers/create"));
	assert_false(rule_endpoint_hijacks(REQ_M_POST, "/_ping"));
	assert_false(rule_endpoint_hijacks(REQ_M_GET, "/"));
	assert_false(rule_endpoint_hijacks(REQ_M_GET, ""));
	assert_false(rule_endpoint_hijacks(REQ_M_POST, NULL));
	assert_false(rule_endpoint_hijacks(REQ_M_COUNT, "/session"));
}

static void
test_methods_str(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(rule_methods_str(M(GET), buf, sizeof(buf)), "GET");
	assert_string_equal(rule_methods_str(M(GET) | M(HEAD), buf,
	    sizeof(buf)), "GET,HEAD");
	assert_string_equal(rule_methods_str(M(OPTIONS) | M(GET), buf,
	    sizeof(buf)), "GET,OPTIONS");
	assert_string_equal(rule_methods_str(ALL, buf, sizeof(buf)), "*");
	assert_string_equal(rule_methods_str(ALL & ~M(PATCH), buf,
	    sizeof(buf)), "GET,HEAD,POST,PUT,DELETE,OPTIONS");
	assert_string_equal(rule_methods_str(0, buf, sizeof(buf)), "");
	assert_string_equal(rule_methods_str(~0u, buf, sizeof(buf)), "*");
	/* truncation keeps whole names only */
	assert_string_equal(rule_methods_str(M(GET) | M(DELETE), buf, 8),
	    "GET");
	assert_string_equal(rule_methods_str(M(GET) | M(DELETE), buf, 11),
	    "GET,DELETE");
	assert_string_equal(rule_methods_str(M(GET) | M(DELETE), buf, 10),
	    "GET");
	assert_string_equal(rule_methods_str(M(GET), buf, 3), "");
	assert_string_equal(rule_methods_str(M(GET), buf, 1), "");
	assert_string_equal(rule_methods_str(ALL, buf, 1), "");
	buf[0] = 'Z';
	assert_ptr_equal(rule_methods_str(M(GET), buf, 0), buf);
	assert_int_equal(buf[0], 'Z');
}

/* ---- profiles ---- */

static void
test_profile_find(void **state)
{
	const struct profile *const *all = profile_all();
	const struct profile *p;
	size_t i;

	(void)state;
	p = profile_find("traefik");
	assert_non_null(p);
	assert_string_equal(p->name, "traefik");
	assert_string_equal(p->summary,
	    "what Traefik v2/v3 docker and swarm providers call");
	p = profile_find("none");
	assert_non_null(p);
	assert_string_equal(p->summary,
	    "no built-in rules: only --allow rules apply");
	assert_null(p->rules[0]);
	assert_null(profile_find("Traefik"));
	assert_null(profile_find("traefik "));
	assert_null(profile_find(""));
	assert_null(profile_find(NULL));

	assert_non_null(all);
	for (i = 0; all[i] != NULL; i++) {
		size_t k;

		assert_ptr_equal(profile_find(all[i]->name), all[i]);
		/* every built-in text parses and is already normalised */
		for (k = 0; all[i]->rules[k] != NULL; k++) {
			assert_int_equal(rule_parse(all[i]->rules[k],
			    RULE_ALLOW, &r, NULL), 0);
			assert_string_equal(r.text, all[i]->rules[k]);
		}
	}
	assert_int_equal(i, 2);
}

static const char *const traefik_texts[] = {
	"GET,HEAD /_ping",
	"GET /version",
	"GET /containers/json",
	"GET /containers/{id}/json",
	"GET /events",
	"GET /services",
	"GET /tasks",
	"GET /networks",
	"GET /nodes/{id}",
};

static void
test_profile_load_traefik(void **state)
{
	size_t i;

	(void)state;
	memset(&set, 0, sizeof(set));
	assert_int_equal(profile_load(profile_find("traefik"), &set), 0);
	assert_int_equal(set.nrules, 9);
	for (i = 0; i < set.nrules; i++) {
		assert_string_equal(set.rules[i].text, traefik_texts[i]);
		assert_string_equal(set.rules[i].origin, "profile traefik");
		assert_int_equal(set.rules[i].index, (int)i + 1);
		assert_int_equal(set.rules[i].action, RULE_ALLOW);
	}
	/* loading again appends, numbering continues within the origin */
	assert_int_equal(profile_load(profile_find("traefik"), &set), 0);
	assert_int_equal(set.nrules, 18);
	assert_int_equal(set.rules[9].index, 10);

	memset(&set, 0, sizeof(set));
	assert_int_equal(profile_load(profile_find("none"), &set), 0);
	assert_int_equal(set.nrules, 0);
	assert_int_equal(profile_load(NULL, &set), -1);
	assert_int_equal(profile_load(profile_find("none"), NULL), -1);
}

/* The daemon's view: raw target -> canon -> rule_match. */
static int
allowed(enum req_method m, const char *target)
{
	static struct canon_target ct;
	const struct rule *hit;

	if (canon_target(target, strlen(target), &ct, NULL) != 0)
		return 0;
	hit = rule_match(&set, m, ct.path);
	return hit != NULL && hit->action == RULE_ALLOW;
}

#define ALLOW(m, t) do { if (!allowed(REQ_M_##m, (t))) \
	fail_msg("line %d: %s %s denied", __LINE__, #m, (t)); } while (0)
#define DENY(m, t) do { if (allowed(REQ_M_##m, (t))) \
	fail_msg("line %d: %s %s allowed", __LINE__, #m, (t)); } while (0)

static void
test_profile_traefik_policy(void **state)
{
	static const char *const pre[] = { "", "/v1.24", "/v1.41", "/v1.47" };
	static const char *const ok_get[] = {
		"/_ping", "/version", "/containers/json",
		"/containers/3f1a/json", "/containers/my-app_1/json", "/events",
		"/services", "/tasks", "/networks", "/nodes/n1abc",
		"/containers/json?all=1",
		("/containers/json?limit=0&filters="
		    "%7B%22status%22%3A%5B%22running%22%5D%7D"),
		"/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D",
		"/services?status=true", "/tasks?filters=%7B%7D",
		"/networks?filters=%7B%22scope%22%3A%5B%22swarm%22%5D%7D",
		"/containers/abc/json?size=false", "/_ping?",
	};
	static const char *const no_get[] = {
		"/containers/abc/logs", "/containers/abc/archive",
		"/containers/abc/export", "/containers/abc/stats",
		"/containers/abc/top", "/containers/abc/changes",
		"/containers/abc/attach/ws", "/images/json", "/info",
		"/containersXYZ", "/containers/json/x", "/containers",
		"/containers/a/b/json", "/nodes", "/nodes/a/b",
		"/services/abc", "/tasks/abc", "/networks/abc", "/secrets",
		"/configs", "/swarm", "/volumes", "/system/df", "/exec/abc/json",
		"/plugins", "/distribution/x/json", "/_ping/x", "/versions",
		"/Version", "/",
	};
	static const char *const no_post[] = {
		"/containers/create", "/containers/abc/start",
		"/containers/abc/exec", "/containers/abc/attach",
		"/exec/abc/start", "/containers/json", "/_ping", "/events",
		"/images/create", "/build", "/session", "/grpc",
		"/containers/abc/json", "/networks/create", "/swarm/init",
	};
	char t[256];
	size_t p, i;

	(void)state;
	memset(&set, 0, sizeof(set));
	assert_int_equal(profile_load(profile_find("traefik"), &set), 0);
	for (p = 0; p < sizeof(pre) / sizeof(pre[0]); p++) {
		for (i = 0; i < sizeof(ok_get) / sizeof(ok_get[0]); i++) {
			snprintf(t, sizeof(t), "%s%s", pre[p], ok_get[i]);
			ALLOW(GET, t);
			DENY(POST, t);
			DENY(PUT, t);
			DENY(DELETE, t);
			DENY(PATCH, t);
			DENY(OPTIONS, t);
		}
		for (i = 0; i < sizeof(no_get) / sizeof(no_get[0]); i++) {
			snprintf(t, sizeof(t), "%s%s", pre[p], no_get[i]);
			DENY(GET, t);
			DENY(HEAD, t);
			DENY(POST, t);
			DENY(PUT, t);
			DENY(DELETE, t);
		}
		for (i = 0; i < sizeof(no_post) / sizeof(no_post[0]); i++) {
			snprintf(t, sizeof(t), "%s%s", pre[p], no_post[i]);
			DENY(POST, t);
		}
		snprintf(t, sizeof(t), "%s/_ping", pre[p]);
		ALLOW(HEAD, t);
		snprintf(t, sizeof(t), "%s/version", pre[p]);
		DENY(HEAD, t);
		snprintf(t, sizeof(t), "%s/containers/json", pre[p]);
		DENY(HEAD, t);
	}
	/* the prefix is stripped once: a second one is an unknown path */
	DENY(GET, "/v1.41/v1.41/_ping");
	/* spellings that must not sneak past the literal match */
	ALLOW(GET, "/containers/%6Aeson/json");	/* "jeson": fine, an id */
	ALLOW(GET, "/%63ontainers/json");		/* decoded: allowed */
	DENY(GET, "/containers/json/");
	DENY(GET, "//containers/json");
	DENY(GET, "/containers/x/..%2Fjson");
	DENY(GET, "/containers/abc%2Flogs/json");
	DENY(GET, "/containers/../images/json");
	DENY(GET, "/containers/%2e%2e/images/json");
	DENY(GET, "/CONTAINERS/json");
	DENY(GET, "/v1/containers/json");
	DENY(GET, "/v1.41.0/containers/json");
}

static void
test_profile_load_overflow(void **state)
{
	static const char *const bad_rules[] = {
		"GET /ok", "GET /bad//x", NULL
	};
	static const struct profile bad = { "bad", "broken", bad_rules };
	size_t i;

	(void)state;
	memset(&set, 0, sizeof(set));
	assert_int_equal(rule_parse("GET /x", RULE_ALLOW, &r, NULL), 0);
	for (i = 0; i < RULE_MAX_RULES - 5; i++)
		assert_int_equal(rule_set_add(&set, &r, "--allow"), 0);
	/* 9 rules do not fit in 5 slots: nothing is appended */
	assert_int_equal(profile_load(profile_find("traefik"), &set), -1);
	assert_int_equal(set.nrules, RULE_MAX_RULES - 5);

	/* a built-in text that fails to parse: -1, nothing appended */
	memset(&set, 0, sizeof(set));
	assert_int_equal(profile_load(&bad, &set), -1);
	assert_int_equal(set.nrules, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_methods),
		cmocka_unit_test(test_parse_whitespace),
		cmocka_unit_test(test_parse_pattern),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_parse_failure_clears),
		cmocka_unit_test(test_match_literal),
		cmocka_unit_test(test_match_methods),
		cmocka_unit_test(test_match_one),
		cmocka_unit_test(test_match_rest),
		cmocka_unit_test(test_set_add),
		cmocka_unit_test(test_set_match_order),
		cmocka_unit_test(test_hijacks),
		cmocka_unit_test(test_methods_str),
		cmocka_unit_test(test_profile_find),
		cmocka_unit_test(test_profile_load_traefik),
		cmocka_unit_test(test_profile_traefik_policy),
		cmocka_unit_test(test_profile_load_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
