/*
 * test_rule.c - rule parsing (patterns, query constraints, reasons) and
 * matching, rule sets, and hijack endpoints.  Profiles: test_profile.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rule.h"

#define M(x)  (1u << REQ_M_##x)
#define ALL   ((1u << REQ_M_COUNT) - 1)

static struct rule r;
static struct rule_set set;

/* Every test leaves set empty, whether it passes or fails. */
static int
set_teardown(void **state)
{
	(void)state;
	rule_set_free(&set);
	memset(&set, 0, sizeof(set));
	return 0;
}

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
#define DENY_QUERY "query constraints are for allow rules only"
#define UNEXPECTED "unexpected text after pattern (want query, require, " \
	"filter, body, redact or reason)"
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
	PARSE_BAD("GET /x /y", UNEXPECTED);
	PARSE_BAD("GET /x y", UNEXPECTED);
	/* the pattern is checked before what follows it */
	PARSE_BAD("GET POST /x", "pattern must start with '/'");
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
	/* dockerd declares "/containers/{name:.*}/json": a span. */
	assert_int_equal(r.segs[1].kind, RULE_SEG_SPAN);
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
	assert_int_equal(rule_matches(&r, REQ_M_GET, "/a/b", NULL, 0), 0);
}

static int
matches(const char *text, enum req_method m, const char *path)
{
	struct rule x;
	const char *why = NULL;

	if (rule_parse(text, RULE_ALLOW, &x, &why) != 0)
		fail_msg("'%s' refused: %s", text, why);
	return rule_matches(&x, m, path, NULL, 0);
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

/* A deny rule's verdict on (m, path). */
static int
deny_matches(const char *text, enum req_method m, const char *path)
{
	struct rule x;
	const char *why = NULL;

	if (rule_parse(text, RULE_DENY, &x, &why) != 0)
		fail_msg("'%s' refused: %s", text, why);
	return rule_matches(&x, m, path, NULL, 0);
}

/* Podman's libpod API is granted only by allow rules that name it. */
static void
test_match_libpod_family(void **state)
{
	(void)state;
	NO("GET,HEAD /**", GET, "/libpod/containers/x/export");
	NO("GET,HEAD /**", GET, "/libpod");
	NO("GET /*/info", GET, "/libpod/info");
	NO("GET /{x}/json", GET, "/libpod/json");
	NO("GET /*/*/*/json", GET, "/libpod/containers/x/json");
	YES("GET /libpod/**", GET, "/libpod/containers/x/export");
	YES("GET /libpod/info", GET, "/libpod/info");
	YES("GET /libpod/containers/{name}/json", GET,
	    "/libpod/containers/x/json");
	YES("GET /libpod/*/json", GET, "/libpod/containers/json");
	/* only the exact first segment is the family */
	YES("GET,HEAD /**", GET, "/libpodx/info");
	YES("GET,HEAD /**", GET, "/LIBPOD/info");
	YES("GET,HEAD /**", GET, "/containers/libpod/json");
	/* denies reach both families: broader is safe */
	assert_int_equal(deny_matches("GET /**", REQ_M_GET,
	    "/libpod/containers/x/export"), 1);
	assert_int_equal(deny_matches("GET /*/containers/*/export",
	    REQ_M_GET, "/libpod/containers/x/export"), 1);
	assert_int_equal(deny_matches("GET /*/info", REQ_M_GET,
	    "/libpod/info"), 1);
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
	assert_int_equal(rule_matches(&r, REQ_M_COUNT, "/x", NULL, 0), 0);
	assert_int_equal(rule_matches(&r, (enum req_method)99, "/x", NULL, 0),
	    0);
	assert_int_equal(rule_matches(&r, REQ_M_GET, NULL, NULL, 0), 0);
	assert_int_equal(rule_matches(NULL, REQ_M_GET, "/x", NULL, 0), 0);
}

static void
test_match_one(void **state)
{
	(void)state;
	YES("GET /containers/{id}/json", GET, "/containers/abc/json");
	YES("GET /containers/{id}/json", GET, "/containers/json/json");
	NO("GET /containers/{id}/json", GET, "/containers/json");
	NO("GET /containers/{id}/json", GET, "/containers//json");
	/* a span since dockerd's route is "{name:.*}" (was: one segment) */
	YES("GET /containers/{id}/json", GET, "/containers/a/b/json");
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
	assert_true(rule_matches(&set.rules[0], REQ_M_GET, "/a", NULL, 0));

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
	/* empty: deny */
	assert_null(rule_match(&set, REQ_M_GET, "/x", NULL, 0));
	add(&set, "GET /containers/secret/json", RULE_DENY);
	add(&set, "GET /containers/{id}/json", RULE_ALLOW);
	add(&set, "* /**", RULE_DENY);
	add(&set, "GET /_ping", RULE_ALLOW);	/* shadowed by the line above */

	m = rule_match(&set, REQ_M_GET, "/containers/secret/json", NULL, 0);
	assert_non_null(m);
	assert_int_equal(m->action, RULE_DENY);
	assert_int_equal(m->index, 1);
	m = rule_match(&set, REQ_M_GET, "/containers/abc/json", NULL, 0);
	assert_non_null(m);
	assert_int_equal(m->action, RULE_ALLOW);
	assert_int_equal(m->index, 2);
	m = rule_match(&set, REQ_M_GET, "/_ping", NULL, 0);
	assert_non_null(m);
	assert_int_equal(m->index, 3);
	assert_int_equal(m->action, RULE_DENY);

	rule_set_free(&set);
	add(&set, "GET /_ping", RULE_ALLOW);
	assert_null(rule_match(&set, REQ_M_POST, "/_ping", NULL, 0));
	assert_null(rule_match(&set, REQ_M_GET, "/info", NULL, 0));
	assert_null(rule_match(NULL, REQ_M_GET, "/_ping", NULL, 0));
}

/*
 * Placeholders bind what dockerd's router binds (engine_api.h): spans at
 * "{name:.*}", one segment at "{id}", "*" always one segment.
 */
static void
test_match_span(void **state)
{
	struct rule_set rs = { 0 };
	const struct rule *m;

	(void)state;
	/* issue 10, case 1: a deny next to a broader allow, walked around
	 * with a legacy link name; it must end denied */
	add(&rs, "POST /containers/{id}/exec", RULE_DENY);
	add(&rs, "POST /containers/**", RULE_ALLOW);
	m = rule_match(&rs, REQ_M_POST, "/containers/web/db/exec", NULL, 0);
	assert_non_null(m);
	assert_int_equal(m->action, RULE_DENY);
	m = rule_match(&rs, REQ_M_POST, "/containers/a/b/c/d/exec", NULL, 0);
	assert_non_null(m);
	assert_int_equal(m->action, RULE_DENY);
	m = rule_match(&rs, REQ_M_POST, "/containers/web/db/start", NULL, 0);
	assert_non_null(m);
	assert_int_equal(m->action, RULE_ALLOW);
	rule_set_free(&rs);

	/* issue 10, case 2: image names with a registry and slashes */
	YES("GET /images/{id}/json", GET, "/images/reg:5000/org/app:1/json");
	YES("GET /images/{id}/json", GET, "/images/alpine/json");
	NO("GET /images/{id}/json", GET, "/images/json");
	NO("GET /images/{id}/json", GET, "/images/a/b/history");
	NO("GET /images/*/json", GET, "/images/reg:5000/org/app:1/json");
	YES("DELETE /images/{name}", DELETE, "/images/reg:5000/org/app:1");
	YES("GET /volumes/{name}", GET, "/volumes/a/b");
	YES("GET /networks/{id}", GET, "/networks/a/b");
	YES("POST /exec/{id}/start", POST, "/exec/a/b/start");
	/* one-segment variables stay one segment */
	NO("GET /services/{id}", GET, "/services/a/b");
	NO("GET /nodes/{id}", GET, "/nodes/a/b");
	NO("GET /tasks/{id}/logs", GET, "/tasks/a/b/logs");
	/* no route with this shape: one segment */
	NO("GET /{id}", GET, "/swarm/x");
	NO("GET /foo/{id}/json", GET, "/foo/a/b/json");
	NO("GET /containers/{id}/bogus", GET, "/containers/a/b/bogus");
	/* the route shape is looked up for the rule's methods only */
	NO("GET /containers/{id}/exec", GET, "/containers/a/b/exec");
	assert_int_equal(rule_parse("GET /{id}", RULE_ALLOW, &r, NULL), 0);
	assert_int_equal(r.segs[0].kind, RULE_SEG_ONE);
	assert_int_equal(rule_parse("OPTIONS /{id}", RULE_DENY, &r, NULL), 0);
	assert_int_equal(r.segs[0].kind, RULE_SEG_SPAN);
	/* allow: a span over several segments needs dockerd to dispatch
	 * there; DELETE /containers/a/checkpoints/b is a checkpoint delete
	 * (the checkpoint router is registered first) */
	YES("DELETE /containers/{id}", DELETE, "/containers/a/b");
	NO("DELETE /containers/{id}", DELETE, "/containers/a/checkpoints/b");
	NO("GET,HEAD /containers/{id}/json", HEAD, "/containers/a/b/json");
	YES("GET,HEAD /containers/{id}/json", HEAD, "/containers/a/json");
	/* deny: the shape is enough (denying more is the safe side) */
	assert_int_equal(rule_parse("DELETE /containers/{id}", RULE_DENY, &r,
	    NULL), 0);
	assert_true(rule_matches_path(&r, REQ_M_DELETE,
	    "/containers/a/checkpoints/b"));
	assert_true(rule_matches_path(&r, REQ_M_DELETE, "/containers/a/b"));
	/* spans hold whole, non-empty segments */
	NO("GET /containers/{id}/json", GET, "/containers/json");
	NO("GET /containers/{id}/json", GET, "/containers//json");
	NO("GET /containers/{id}/json", GET, "/containers/a//json");
	NO("GET /containers/{id}/json", GET, "/containers/a/json/");
	NO("GET /containers/{id}/json", GET, "/containers/ajson");
	NO("GET /containers/{id}/json", GET, "/containersx/a/json");
	YES("DELETE /containers/{id}/checkpoints/{c}", DELETE,
	    "/containers/a/checkpoints/b");
	NO("DELETE /containers/{id}/checkpoints/{c}", DELETE,
	    "/containers/a/b/checkpoints/c");
}

static void
test_hijacks(void **state)
{
	(void)state;
	assert_true(engine_api_hijacks(REQ_M_POST, "/containers/abc/attach"));
	assert_true(engine_api_hijacks(REQ_M_POST, "/exec/abc/start"));
	assert_true(engine_api_hijacks(REQ_M_GET,
	    "/containers/abc/attach/ws"));
	assert_true(engine_api_hijacks(REQ_M_POST, "/session"));
	assert_true(engine_api_hijacks(REQ_M_POST, "/grpc"));
	/*
	 * dockerd routes "/containers/{name:.*}/attach": the name may span
	 * segments (legacy link names "parent/alias"), so these hijack too.
	 */
	assert_true(engine_api_hijacks(REQ_M_POST,
	    "/containers/web/db/attach"));
	assert_true(engine_api_hijacks(REQ_M_GET,
	    "/containers/web/db/attach/ws"));
	assert_true(engine_api_hijacks(REQ_M_POST, "/exec/a/b/start"));
	assert_true(engine_api_hijacks(REQ_M_POST,
	    "/containers/attach/attach"));

	assert_false(engine_api_hijacks(REQ_M_GET, "/containers/abc/attach"));
	assert_false(engine_api_hijacks(REQ_M_HEAD,
	    "/containers/abc/attach"));
	assert_false(engine_api_hijacks(REQ_M_PUT, "/containers/abc/attach"));
	assert_false(engine_api_hijacks(REQ_M_POST,
	    "/containers/abc/attach/ws"));
	assert_false(engine_api_hijacks(REQ_M_POST, "/containers/attach"));
	assert_false(engine_api_hijacks(REQ_M_POST, "/containers//attach"));
	assert_false(engine_api_hijacks(REQ_M_POST,
	    "/containers/abc/attachX"));
	assert_false(engine_api_hijacks(REQ_M_POST,
	    "/containers/abc/xattach"));
	assert_false(engine_api_hijacks(REQ_M_POST,
	    "/containersX/abc/attach"));
	assert_false(engine_api_hijacks(REQ_M_POST, "/exec/abc/json"));
	assert_false(engine_api_hijacks(REQ_M_GET, "/exec/abc/start"));
	assert_false(engine_api_hijacks(REQ_M_POST, "/exec/start"));
	assert_false(engine_api_hijacks(REQ_M_POST, "/exec/abc/resize"));
	assert_false(engine_api_hijacks(REQ_M_GET, "/session"));
	assert_false(engine_api_hijacks(REQ_M_POST, "/session/x"));
	assert_false(engine_api_hijacks(REQ_M_POST, "/sessions"));
	assert_false(engine_api_hijacks(REQ_M_POST, "/grpcx"));
	assert_false(engine_api_hijacks(REQ_M_GET, "/grpc"));
	assert_false(engine_api_hijacks(REQ_M_GET,
	    "/containers/abc/attach/wsx"));
	assert_false(engine_api_hijacks(REQ_M_POST, "/containers/create"));
	assert_false(engine_api_hijacks(REQ_M_POST, "/_ping"));
	assert_false(engine_api_hijacks(REQ_M_GET, "/"));
	assert_false(engine_api_hijacks(REQ_M_GET, ""));
	assert_false(engine_api_hijacks(REQ_M_POST, NULL));
	assert_false(engine_api_hijacks(REQ_M_COUNT, "/session"));
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

/* ---- query constraints and reasons ---- */

/* Parse text, check its normalised form, and that the form reads back. */
static void
check_round_trip(const char *text, const char *norm, int line)
{
	struct rule again;
	const char *why = NULL;
	size_t k;

	if (rule_parse(text, RULE_ALLOW, &r, &why) != 0)
		fail_msg("line %d: '%s' refused: %s", line, text, why);
	if (strcmp(r.text, norm) != 0)
		fail_msg("line %d: '%s' text '%s' != '%s'", line, text,
		    r.text, norm);
	if (rule_parse(r.text, RULE_ALLOW, &again, &why) != 0)
		fail_msg("line %d: normalised '%s' refused: %s", line, r.text,
		    why);
	if (strcmp(again.text, r.text) != 0)
		fail_msg("line %d: '%s' reads back as '%s'", line, r.text,
		    again.text);
	if (again.methods != r.methods || again.nsegs != r.nsegs ||
	    again.nquery != r.nquery || strcmp(again.reason, r.reason) != 0)
		fail_msg("line %d: '%s' reads back differently", line, r.text);
	for (k = 0; k < r.nquery; k++)
		if (again.query[k].kind != r.query[k].kind ||
		    strcmp(again.query[k].key, r.query[k].key) != 0 ||
		    strcmp(again.query[k].values, r.query[k].values) != 0)
			fail_msg("line %d: '%s' constraint %zu differs", line,
			    r.text, k);
}

#define ROUND_TRIP(t, n) check_round_trip((t), (n), __LINE__)

static void
test_parse_constraints(void **state)
{
	(void)state;
	ROUND_TRIP("GET /containers/json query all=1|true filter "
	    "label=autoheal=true reason \"x \\\"y\\\"\"",
	    "GET /containers/json query all=1|true filter "
	    "label=autoheal=true reason \"x \\\"y\\\"\"");
	assert_int_equal(r.action, RULE_ALLOW);
	assert_int_equal(r.methods, M(GET));
	assert_int_equal(r.nsegs, 2);
	assert_int_equal(r.nquery, 2);
	assert_int_equal(r.query[0].kind, QUERY_ONE_OF);
	assert_string_equal(r.query[0].key, "all");
	assert_string_equal(r.query[0].values, "1|true");
	assert_int_equal(r.query[1].kind, QUERY_FILTER);
	assert_string_equal(r.query[1].key, "label");
	assert_string_equal(r.query[1].values, "autoheal=true");
	assert_string_equal(r.reason, "x \"y\"");

	/* blanks collapse, methods normalise, reason goes last */
	ROUND_TRIP("  get,head\t/x  reason   \"r  r\"\trequire  a=1 \t",
	    "GET,HEAD /x require a=1 reason \"r  r\"");
	assert_int_equal(r.nquery, 1);
	assert_int_equal(r.query[0].kind, QUERY_REQUIRE);
	assert_string_equal(r.reason, "r  r");
	ROUND_TRIP("* /** reason \"a\\\\b\"", "* /** reason \"a\\\\b\"");
	assert_string_equal(r.reason, "a\\b");
	ROUND_TRIP("* /** reason \"\\\\\\\"\"", "* /** reason \"\\\\\\\"\"");
	assert_string_equal(r.reason, "\\\"");
	ROUND_TRIP("GET /x reason \"caf\xc3\xa9 'q' {} % # ?\"",
	    "GET /x reason \"caf\xc3\xa9 'q' {} % # ?\"");
	/* a reason may contain the keywords and what looks like syntax */
	ROUND_TRIP("GET /x reason \"query a=1 reason \\\"z\\\"\"",
	    "GET /x reason \"query a=1 reason \\\"z\\\"\"");
	assert_int_equal(r.nquery, 0);
	assert_string_equal(r.reason, "query a=1 reason \"z\"");
	/* constraints keep their order; each kind may repeat */
	ROUND_TRIP("GET /x filter a=b|c=d query k=* require k= query K=|1",
	    "GET /x filter a=b|c=d query k=* require k= query K=|1");
	assert_int_equal(r.nquery, 4);
	assert_int_equal(r.query[0].kind, QUERY_FILTER);
	assert_string_equal(r.query[0].values, "b|c=d");
	assert_int_equal(r.query[1].kind, QUERY_ONE_OF);
	assert_string_equal(r.query[1].values, "*");
	assert_int_equal(r.query[2].kind, QUERY_REQUIRE);
	assert_string_equal(r.query[2].values, "");
	assert_int_equal(r.query[3].kind, QUERY_ONE_OF);
	assert_string_equal(r.query[3].key, "K");
	assert_string_equal(r.query[3].values, "|1");
	assert_string_equal(r.reason, "");
	/* no constraint, no reason: nothing extra in the text */
	ROUND_TRIP("GET /x", "GET /x");
	assert_int_equal(r.nquery, 0);
	assert_string_equal(r.reason, "");
}

static void
test_parse_constraint_limits(void **state)
{
	char buf[RULE_MAX_TEXT + 64], norm[RULE_MAX_TEXT];

	(void)state;
	/* RULE_MAX_QUERY constraints, not one more */
	PARSE_OK("GET /x query a=1 query b=2 require c=3 filter d=4",
	    M(GET), "GET /x query a=1 query b=2 require c=3 filter d=4", 1);
	assert_int_equal(r.nquery, RULE_MAX_QUERY);
	PARSE_BAD("GET /x query a=1 query b=2 require c=3 filter d=4 "
	    "query e=5", "too many query constraints");
	PARSE_BAD("GET /x query a=1 query b=2 require c=3 filter d=4 "
	    "reason \"r\" query e=5", "too many query constraints");
	PARSE_OK("GET /x query a=1 query b=2 require c=3 filter d=4 "
	    "reason \"r\"", M(GET), "GET /x query a=1 query b=2 require c=3 "
	    "filter d=4 reason \"r\"", 1);

	/* a reason holds up to RULE_MAX_REASON - 1 bytes */
	strcpy(buf, "GET /x reason \"");
	memset(buf + strlen(buf), 'r', RULE_MAX_REASON - 1);
	buf[15 + RULE_MAX_REASON - 1] = '\0';
	strcat(buf, "\"");
	PARSE_OK(buf, M(GET), buf, 1);
	assert_int_equal(strlen(r.reason), RULE_MAX_REASON - 1);
	strcpy(buf, "GET /x reason \"");
	memset(buf + strlen(buf), 'r', RULE_MAX_REASON);
	buf[15 + RULE_MAX_REASON] = '\0';
	strcat(buf, "\"");
	PARSE_BAD(buf, "reason too long");
	/* escapes count once: 127 quotes, written 254 bytes in the text */
	strcpy(buf, "GET /x reason \"");
	strcpy(norm, buf);
	{
		size_t i;

		for (i = 0; i < RULE_MAX_REASON - 1; i++)
			strcat(buf, "\\\"");
	}
	strcat(buf, "\"");
	PARSE_OK(buf, M(GET), buf, 1);
	assert_int_equal(strlen(r.reason), RULE_MAX_REASON - 1);
	assert_int_equal(r.reason[0], '"');
	ROUND_TRIP(buf, buf);
}

static void
test_parse_constraint_errors(void **state)
{
	(void)state;
	PARSE_BAD("GET /x bogus a=1", UNEXPECTED);
	PARSE_BAD("GET /x query a=1 bogus", UNEXPECTED);
	PARSE_BAD("GET /x queries a=1", UNEXPECTED);
	PARSE_BAD("GET /x reasons \"r\"", UNEXPECTED);
	PARSE_BAD("GET /x reason\"r\"", UNEXPECTED);
	PARSE_BAD("GET /x reason \"r\" x", UNEXPECTED);
	PARSE_BAD("GET /x reason \"r\"x",
	    "text right after the reason's closing quote");
	PARSE_BAD("GET /x reason \"a\"query a=1",
	    "text right after the reason's closing quote");
	PARSE_BAD("GET /x \"r\"", UNEXPECTED);

	PARSE_BAD("GET /x reason r", "reason must be a double-quoted string");
	PARSE_BAD("GET /x reason 'r'", "reason must be a double-quoted string");
	PARSE_BAD("GET /x reason", "reason must be a double-quoted string");
	PARSE_BAD("GET /x reason  \t", "reason must be a double-quoted string");
	PARSE_BAD("GET /x reason \"r", "unterminated reason string");
	PARSE_BAD("GET /x reason \"", "unterminated reason string");
	PARSE_BAD("GET /x reason \"r\\\"", "unterminated reason string");
	PARSE_BAD("GET /x reason \"a\\nb\"",
	    "bad escape in reason (only \\\" and \\\\)");
	PARSE_BAD("GET /x reason \"a\\'b\"",
	    "bad escape in reason (only \\\" and \\\\)");
	PARSE_BAD("GET /x reason \"a\\",
	    "bad escape in reason (only \\\" and \\\\)");
	PARSE_BAD("GET /x reason \"a\tb\"", "control character in reason");
	PARSE_BAD("GET /x reason \"a\x01b\"", "control character in reason");
	PARSE_BAD("GET /x reason \"a\x7f\"", "control character in reason");
	PARSE_BAD("GET /x reason \"a\nb\"", "control character in reason");
	PARSE_BAD("GET /x reason \"\"", "empty reason");
	PARSE_BAD("GET /x reason \"a\" reason \"b\"", "more than one reason");
	PARSE_BAD("GET /x reason \"a\" query k=1 reason \"a\"",
	    "more than one reason");

	PARSE_BAD("GET /x query", "missing argument to query constraint");
	PARSE_BAD("GET /x query  \t", "missing argument to query constraint");
	PARSE_BAD("GET /x require", "missing argument to query constraint");
	PARSE_BAD("GET /x filter", "missing argument to query constraint");
	PARSE_BAD("GET /x query a=1 filter",
	    "missing argument to query constraint");
	/* the constraint's own errors come through (query.c) */
	PARSE_BAD("GET /x query a", "missing '=' in constraint");
	PARSE_BAD("GET /x query reason", "missing '=' in constraint");
	PARSE_BAD("GET /x query =1", "empty constraint key");
	PARSE_BAD("GET /x require a!=1", "bad character in constraint key");
	PARSE_BAD("GET /x query a=1|*", "'*' must be the only value");
	PARSE_BAD("GET /x filter label=", "empty filter value");

	/* a refused rule is cleared: no constraint or reason survives */
	assert_int_equal(rule_parse("GET /x require a=1 reason \"r\"",
	    RULE_ALLOW, &r, NULL), 0);
	assert_int_equal(r.nquery, 1);
	assert_int_equal(rule_parse("GET /x require a=1 reason \"r\" bogus",
	    RULE_ALLOW, &r, NULL), -1);
	assert_int_equal(r.action, RULE_ALLOW);
	assert_int_equal(r.methods, 0);
	assert_int_equal(r.nquery, 0);
	assert_string_equal(r.reason, "");
	assert_string_equal(r.text, "");
	assert_int_equal(rule_parse("GET /x reason \"r\"", RULE_DENY, &r,
	    NULL), 0);
	assert_string_equal(r.reason, "r");
	assert_int_equal(rule_parse("GET /x reason \"r\" bogus", RULE_DENY,
	    &r, NULL), -1);
	assert_int_equal(r.action, RULE_DENY);
	assert_int_equal(r.methods, 0);
	assert_int_equal(r.nquery, 0);
	assert_string_equal(r.reason, "");
	assert_string_equal(r.text, "");
}

static int
qmatches(const char *text, enum req_method m, const char *path,
    const char *query)
{
	struct rule x;
	const char *why = NULL;

	if (rule_parse(text, RULE_ALLOW, &x, &why) != 0)
		fail_msg("'%s' refused: %s", text, why);
	return rule_matches(&x, m, path, query,
	    query != NULL ? strlen(query) : 0);
}

#define QYES(t, m, p, q) do { if (!qmatches((t), REQ_M_##m, (p), (q))) \
	fail_msg("line %d: '%s' should match %s %s?%s", __LINE__, (t), #m, \
	    (p), (q) != NULL ? (q) : "(none)"); } while (0)
#define QNO(t, m, p, q) do { if (qmatches((t), REQ_M_##m, (p), (q))) \
	fail_msg("line %d: '%s' should not match %s %s?%s", __LINE__, \
	    (t), #m, (p), (q) != NULL ? (q) : "(none)"); } while (0)

/* {"label":{"autoheal=true":true}}, percent-encoded */
#define FILTER_AUTOHEAL "filters=%7B%22label%22%3A%7B%22autoheal%3Dtrue" \
	"%22%3Atrue%7D%7D"
#define FILTER_OTHER "filters=%7B%22label%22%3A%7B%22other%22%3Atrue%7D%7D"

static void
test_match_constraints(void **state)
{
	static const char *const one_of =
	    "GET /containers/json query all=1|true";
	static const char *const req =
	    "GET /containers/json require all=1|true";
	static const char *const filt =
	    "GET /containers/json filter label=autoheal=true";

	(void)state;
	/* query: absent is fine, present must be in the set */
	QYES(one_of, GET, "/containers/json", NULL);
	QYES(one_of, GET, "/containers/json", "");
	QYES(one_of, GET, "/containers/json", "all=1");
	QYES(one_of, GET, "/containers/json", "all=true");
	QYES(one_of, GET, "/containers/json", "limit=3&all=1");
	QYES(one_of, GET, "/containers/json", "limit=3");
	QNO(one_of, GET, "/containers/json", "all=0");
	QNO(one_of, GET, "/containers/json", "all=");
	QNO(one_of, GET, "/containers/json", "all=1&all=0");
	QNO(one_of, GET, "/containers/json", "all=1;x=2");
	QNO(one_of, GET, "/containers/json", "all=%zz");
	/* the path and method still decide first */
	QNO(one_of, GET, "/containers/abc/json", "all=1");
	QNO(one_of, POST, "/containers/json", "all=1");
	QNO(one_of, POST, "/containers/json", NULL);

	/* require: absent is a violation */
	QNO(req, GET, "/containers/json", NULL);
	QNO(req, GET, "/containers/json", "");
	QNO(req, GET, "/containers/json", "limit=3");
	QYES(req, GET, "/containers/json", "all=1");
	QYES(req, GET, "/containers/json", "all=true&limit=3");
	QNO(req, GET, "/containers/json", "all=yes");

	/* filter: the filters JSON must carry NAME=VALUE */
	QYES(filt, GET, "/containers/json", FILTER_AUTOHEAL);
	QYES(filt, GET, "/containers/json", "all=1&" FILTER_AUTOHEAL);
	QNO(filt, GET, "/containers/json", FILTER_OTHER);
	QNO(filt, GET, "/containers/json", NULL);
	QNO(filt, GET, "/containers/json", "all=1");
	QNO(filt, GET, "/containers/json",
	    FILTER_AUTOHEAL "&" FILTER_AUTOHEAL);

	/* every constraint must hold */
	QYES("GET /containers/json query all=1 filter label=autoheal=true",
	    GET, "/containers/json", "all=1&" FILTER_AUTOHEAL);
	QYES("GET /containers/json query all=1 filter label=autoheal=true",
	    GET, "/containers/json", FILTER_AUTOHEAL);
	QNO("GET /containers/json query all=1 filter label=autoheal=true",
	    GET, "/containers/json", "all=0&" FILTER_AUTOHEAL);
	QNO("GET /containers/json query all=1 filter label=autoheal=true",
	    GET, "/containers/json", "all=1");
	QNO("GET /x require a=1 require b=2", GET, "/x", "a=1");
	QYES("GET /x require a=1 require b=2", GET, "/x", "b=2&a=1");
	/* a reason does not change what matches */
	QYES("GET /x reason \"r\"", GET, "/x", "anything=1");
	QYES("GET /x reason \"r\"", GET, "/x", NULL);

	/* only query[0..query_len) is read */
	assert_int_equal(rule_parse(one_of, RULE_ALLOW, &r, NULL), 0);
	assert_int_equal(rule_matches(&r, REQ_M_GET, "/containers/json",
	    "all=1&all=0", 5), 1);
	assert_int_equal(rule_matches(&r, REQ_M_GET, "/containers/json",
	    "all=1&all=0", 11), 0);
	assert_int_equal(rule_matches(&r, REQ_M_GET, "/containers/json",
	    "all=0", 0), 1);
	assert_int_equal(rule_parse(req, RULE_ALLOW, &r, NULL), 0);
	assert_int_equal(rule_matches(&r, REQ_M_GET, "/containers/json",
	    "all=1", 0), 0);
}

static void
test_match_path_only(void **state)
{
	(void)state;
	/* rule_matches_path ignores the constraints, not the method or path */
	assert_int_equal(rule_parse("GET /containers/json require all=1 "
	    "filter label=x reason \"r\"", RULE_ALLOW, &r, NULL), 0);
	assert_int_equal(rule_matches(&r, REQ_M_GET, "/containers/json",
	    NULL, 0), 0);
	assert_int_equal(rule_matches(&r, REQ_M_GET, "/containers/json",
	    "all=2", 5), 0);
	assert_int_equal(rule_matches_path(&r, REQ_M_GET,
	    "/containers/json"), 1);
	assert_int_equal(rule_matches_path(&r, REQ_M_HEAD,
	    "/containers/json"), 0);
	assert_int_equal(rule_matches_path(&r, REQ_M_GET,
	    "/containers/json/x"), 0);
	assert_int_equal(rule_matches_path(&r, REQ_M_GET, "/containers"), 0);
	assert_int_equal(rule_matches_path(&r, REQ_M_COUNT,
	    "/containers/json"), 0);
	assert_int_equal(rule_matches_path(&r, REQ_M_GET, NULL), 0);
	assert_int_equal(rule_matches_path(NULL, REQ_M_GET,
	    "/containers/json"), 0);
	assert_int_equal(rule_parse("GET /a/{id}/**", RULE_ALLOW, &r, NULL),
	    0);
	assert_int_equal(rule_matches_path(&r, REQ_M_GET, "/a/b"), 1);
	assert_int_equal(rule_matches_path(&r, REQ_M_GET, "/a/b/c/d"), 1);
	assert_int_equal(rule_matches_path(&r, REQ_M_GET, "/a"), 0);
}

/* ---- allow/deny lines ---- */

static void
check_line_bad(const char *line, const char *reason, int n)
{
	const char *why = NULL;

	memset(&r, 0x5a, sizeof(r));
	if (rule_parse_line(line, &r, &why) != -1)
		fail_msg("line %d: '%s' accepted as '%s'", n, line, r.text);
	if (why == NULL || strcmp(why, reason) != 0)
		fail_msg("line %d: '%s' refused with '%s', expected '%s'", n,
		    line, why != NULL ? why : "(null)", reason);
	if (r.methods != 0 || r.nsegs != 0 || r.nquery != 0 ||
	    r.text[0] != '\0' || r.reason[0] != '\0')
		fail_msg("line %d: '%s' left a rule behind", n, line);
}

#define LINE_BAD(l, why) check_line_bad((l), (why), __LINE__)

static void
test_parse_line(void **state)
{
	static const char *const noact = "a rule starts with allow or deny";
	char buf[RULE_MAX_TEXT + 16];
	const char *why = NULL;

	(void)state;
	assert_int_equal(rule_parse_line("allow GET /_ping", &r, &why), 0);
	assert_int_equal(r.action, RULE_ALLOW);
	assert_int_equal(r.methods, M(GET));
	assert_string_equal(r.text, "GET /_ping");
	assert_int_equal(rule_parse_line(
	    " \tdeny\t* /** reason \"no \\\"way\\\"\"", &r, &why), 0);
	assert_int_equal(r.action, RULE_DENY);
	assert_int_equal(r.methods, ALL);
	assert_string_equal(r.reason, "no \"way\"");
	assert_string_equal(r.text, "* /** reason \"no \\\"way\\\"\"");
	assert_string_equal(rule_line_str(&r, buf, sizeof(buf)),
	    "deny * /** reason \"no \\\"way\\\"\"");
	assert_int_equal(rule_parse_line("allow   get /x query a=1", &r, NULL),
	    0);
	assert_int_equal(r.action, RULE_ALLOW);
	assert_string_equal(r.text, "GET /x query a=1");
	assert_int_equal(r.nquery, 1);

	LINE_BAD("GET /x", noact);
	LINE_BAD("", noact);
	LINE_BAD("   ", noact);
	LINE_BAD("allow", noact);
	LINE_BAD("deny", noact);
	LINE_BAD("allowGET /x", noact);
	LINE_BAD("deny/x", noact);
	LINE_BAD("permit GET /x", noact);
	LINE_BAD("allowed GET /x", noact);
	LINE_BAD("reason \"x\" allow GET /x", noact);
	/* rule_parse's errors come through */
	LINE_BAD("allow FOO /x", "unknown method");
	LINE_BAD("deny GET /x reason \"\"", "empty reason");
	LINE_BAD("allow ", "empty rule");
	LINE_BAD("deny GET /x allow", UNEXPECTED);
	LINE_BAD("deny GET /x query a=1", DENY_QUERY);
	LINE_BAD("deny GET /x reason \"r\" filter label=x", DENY_QUERY);
	assert_int_equal(rule_parse_line("allow GET", &r, NULL), -1);
}

static void
test_line_str(void **state)
{
	static const char *const lines[] = {
		"allow GET,HEAD /_ping",
		"deny GET /containers/{id}/archive reason "
		    "\"no file copies\"",
		"allow GET /containers/json require all=1|true reason "
		    "\"only with all\"",
		"allow GET /containers/json query all=1|true filter "
		    "label=autoheal=true reason \"x \\\"y\\\" \\\\\"",
		"deny * /**",
	};
	char buf[RULE_MAX_TEXT + 16], small[16];
	struct rule again;
	size_t i, cap, full;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		assert_int_equal(rule_parse_line(lines[i], &r, NULL), 0);
		assert_string_equal(rule_line_str(&r, buf, sizeof(buf)),
		    lines[i]);
		assert_int_equal(rule_parse_line(buf, &again, NULL), 0);
		assert_int_equal(again.action, r.action);
		assert_string_equal(again.text, r.text);
		assert_string_equal(again.reason, r.reason);
	}
	/* a rule from rule_parse: the action is the one given there */
	assert_int_equal(rule_parse("GET /x reason \"r\"", RULE_DENY, &r,
	    NULL), 0);
	assert_string_equal(rule_line_str(&r, buf, sizeof(buf)),
	    "deny GET /x reason \"r\"");
	assert_int_equal(rule_parse("GET /x reason \"r\"", RULE_ALLOW, &r,
	    NULL), 0);
	assert_string_equal(rule_line_str(&r, buf, sizeof(buf)),
	    "allow GET /x reason \"r\"");

	/* a short buffer: NUL-terminated, within cap, a prefix of the line */
	full = strlen("allow GET /x reason \"r\"");
	for (cap = 1; cap <= full + 1; cap++) {
		memset(small, 'Z', sizeof(small));
		if (cap > sizeof(small))
			break;
		assert_ptr_equal(rule_line_str(&r, small, cap), small);
		assert_true(memchr(small, '\0', cap) != NULL);
		assert_true(strncmp(small, buf, strlen(small)) == 0);
		if (cap < sizeof(small))
			assert_int_equal(small[cap], 'Z');
	}
	assert_string_equal(rule_line_str(&r, buf, full + 1),
	    "allow GET /x reason \"r\"");
	small[0] = 'Z';
	assert_ptr_equal(rule_line_str(&r, small, 0), small);
	assert_int_equal(small[0], 'Z');
}

/* ---- dynamic rule sets ---- */

static void
add_line(struct rule_set *s, const char *line, const char *origin)
{
	struct rule x;
	const char *why = NULL;

	if (rule_parse_line(line, &x, &why) != 0)
		fail_msg("'%s' refused: %s", line, why);
	assert_int_equal(rule_set_add(s, &x, origin), 0);
}

static void
test_set_deny_reasons(void **state)
{
	static const char *const q_all = "all=1";
	const struct rule *m;
	char buf[RULE_MAX_TEXT + 16];

	(void)state;
	memset(&set, 0, sizeof(set));
	add_line(&set, "deny GET /containers/{id}/archive reason "
	    "\"file copies are not allowed\"", "--deny");
	add_line(&set, "allow GET /containers/**", "--allow");
	add_line(&set, "deny * /** reason \"catch-all\"", "--deny");

	/* the deny before the allow decides for its path, with its reason */
	m = rule_match(&set, REQ_M_GET, "/containers/abc/archive", NULL, 0);
	assert_non_null(m);
	assert_ptr_equal(m, &set.rules[0]);
	assert_int_equal(m->action, RULE_DENY);
	assert_string_equal(m->reason, "file copies are not allowed");
	assert_string_equal(m->origin, "--deny");
	assert_int_equal(m->index, 1);
	assert_string_equal(rule_line_str(m, buf, sizeof(buf)),
	    "deny GET /containers/{id}/archive reason "
	    "\"file copies are not allowed\"");
	m = rule_match(&set, REQ_M_GET, "/containers/abc/archive", q_all,
	    strlen(q_all));
	assert_ptr_equal(m, &set.rules[0]);
	/* other paths fall through to the allow */
	m = rule_match(&set, REQ_M_GET, "/containers/abc/json", NULL, 0);
	assert_ptr_equal(m, &set.rules[1]);
	assert_int_equal(m->action, RULE_ALLOW);
	assert_string_equal(m->reason, "");
	/* and what nothing allows reaches the catch-all */
	m = rule_match(&set, REQ_M_POST, "/containers/abc/archive", NULL, 0);
	assert_ptr_equal(m, &set.rules[2]);
	assert_int_equal(m->action, RULE_DENY);
	assert_string_equal(m->reason, "catch-all");
	assert_int_equal(m->index, 2);
	m = rule_match(&set, REQ_M_GET, "/images/json", q_all, strlen(q_all));
	assert_ptr_equal(m, &set.rules[2]);

	/* the same rules with the allow first: the allow decides */
	rule_set_free(&set);
	add_line(&set, "allow GET /containers/**", "--allow");
	add_line(&set, "deny GET /containers/{id}/archive reason "
	    "\"file copies are not allowed\"", "--deny");
	m = rule_match(&set, REQ_M_GET, "/containers/abc/archive", NULL, 0);
	assert_ptr_equal(m, &set.rules[0]);
	assert_int_equal(m->action, RULE_ALLOW);

	/* an allow whose constraint fails falls through to the next rule */
	rule_set_free(&set);
	add_line(&set, "allow GET /containers/json query all=0", "a");
	add_line(&set, "deny GET /containers/json reason \"r2\"", "a");
	add_line(&set, "allow GET /containers/json require all=1", "a");
	m = rule_match(&set, REQ_M_GET, "/containers/json", NULL, 0);
	assert_ptr_equal(m, &set.rules[0]);
	assert_int_equal(m->action, RULE_ALLOW);
	m = rule_match(&set, REQ_M_GET, "/containers/json", q_all,
	    strlen(q_all));
	assert_ptr_equal(m, &set.rules[1]);
	assert_int_equal(m->action, RULE_DENY);
	assert_string_equal(m->reason, "r2");
	assert_int_equal(m->index, 2);
	/* without the deny, the later allow takes the request */
	rule_set_free(&set);
	add_line(&set, "allow GET /containers/json query all=0", "a");
	add_line(&set, "allow GET /containers/json require all=1", "a");
	m = rule_match(&set, REQ_M_GET, "/containers/json", q_all,
	    strlen(q_all));
	assert_ptr_equal(m, &set.rules[1]);
	assert_null(rule_match(&set, REQ_M_GET, "/containers/json", "all=2",
	    5));
}

static void
test_deny_no_constraints(void **state)
{
	(void)state;
	/* "every occurrence" makes an allow stricter, a deny sidesteppable */
	assert_int_equal(rule_parse("GET /x query a=1", RULE_DENY, &r, NULL),
	    -1);
	assert_int_equal(r.action, RULE_DENY);
	assert_int_equal(r.nquery, 0);
	assert_int_equal(r.methods, 0);
	assert_string_equal(r.text, "");
	{
		const char *why = NULL;

		assert_int_equal(rule_parse("GET /x require a=1 reason \"r\"",
		    RULE_DENY, &r, &why), -1);
		assert_non_null(why);
		assert_string_equal(why, DENY_QUERY);
		why = NULL;
		assert_int_equal(rule_parse("GET /x filter label=x",
		    RULE_DENY, &r, &why), -1);
		assert_string_equal(why, DENY_QUERY);
	}
	/* the same text is fine as an allow, and a deny may keep a reason */
	assert_int_equal(rule_parse("GET /x query a=1", RULE_ALLOW, &r, NULL),
	    0);
	assert_int_equal(rule_parse("GET /x reason \"r\"", RULE_DENY, &r,
	    NULL), 0);
	assert_int_equal(r.action, RULE_DENY);
	assert_string_equal(r.reason, "r");
}

/* Issue 13: "redact off|PATH[,PATH...]", the response filter of a rule. */
static void
test_redact_clause(void **state)
{
	char	 buf[RULE_MAX_TEXT + 16], longp[200];
	struct rule again;
	const char *why;

	(void)state;
	PARSE_OK("GET /containers/{name}/json redact off", M(GET),
	    "GET /containers/{name}/json redact off", 3);
	assert_string_equal(r.redact, "off");
	assert_int_equal(r.redact_idx, 0);
	assert_non_null(r.route);

	/* Blanks collapse; the clause goes after the query constraints
	 * and the body, before the reason, wherever it was written. */
	PARSE_OK("GET   /containers/json\tredact  Config.Env,*.Labels  "
	    "query all=1 reason \"r\"", M(GET),
	    "GET /containers/json query all=1 redact Config.Env,*.Labels "
	    "reason \"r\"", 2);
	assert_string_equal(r.redact, "Config.Env,*.Labels");
	PARSE_OK("GET /volumes redact Volumes.*.Labels body deploy", M(GET),
	    "GET /volumes body deploy redact Volumes.*.Labels", 1);

	/* Round trip through the line form. */
	assert_int_equal(rule_parse_line("allow GET /tasks redact "
	    "*.Spec.Labels reason \"x\"", &r, NULL), 0);
	assert_string_equal(rule_line_str(&r, buf, sizeof(buf)),
	    "allow GET /tasks redact *.Spec.Labels reason \"x\"");
	assert_int_equal(rule_parse_line(buf, &again, NULL), 0);
	assert_string_equal(again.text, r.text);
	assert_string_equal(again.redact, r.redact);
	assert_int_equal(again.action, RULE_ALLOW);

	/* Refusals. */
	PARSE_BAD("GET /x redact", "missing redact paths (or off)");
	PARSE_BAD("GET /x redact   ", "missing redact paths (or off)");
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	snprintf(buf, sizeof(buf), "GET /x redact %s", longp);
	PARSE_BAD(buf, "redact paths too long");
	/* sizeof(r.redact) - 1 bytes fit. */
	longp[sizeof(r.redact) - 1] = '\0';
	snprintf(buf, sizeof(buf), "GET /x redact %s", longp);
	if (rule_parse(buf, RULE_ALLOW, &r, &why) != 0)
		fail_msg("%zu bytes of redact refused: %s",
		    sizeof(r.redact) - 1, why);
	assert_string_equal(r.redact, longp);

	why = NULL;
	assert_int_equal(rule_parse("GET /containers/json redact off",
	    RULE_DENY, &r, &why), -1);
	assert_string_equal(why, "only an allow rule takes redact");
	assert_int_equal(rule_parse_line("deny GET /containers/json redact "
	    "Config.Env", &r, &why), -1);
	assert_string_equal(why, "only an allow rule takes redact");
	assert_string_equal(r.redact, "");
	/* One clause per rule: a second would silently win. */
	assert_int_equal(rule_parse("GET /containers/json redact off redact "
	    "Config.Env", RULE_ALLOW, &r, &why), -1);
	assert_string_equal(why, "more than one redact");
}

/* Add n rules "GET /rK" (K = first .. first + n - 1) from origin "g". */
static void
add_numbered(struct rule_set *s, size_t first, size_t n)
{
	char text[64];
	size_t k;

	for (k = first; k < first + n; k++) {
		snprintf(text, sizeof(text), "GET /r%zu reason \"n%zu\"", k, k);
		if (rule_parse(text, k % 2 ? RULE_DENY : RULE_ALLOW, &r,
		    NULL) != 0)
			fail_msg("'%s' refused", text);
		assert_int_equal(rule_set_add(s, &r, "g"), 0);
	}
}

/* Check that s holds exactly the rules "GET /r0" .. "GET /r{n-1}". */
static void
check_numbered(const struct rule_set *s, size_t n)
{
	char text[64], path[32], reason[32];
	const struct rule *m;
	size_t k;

	assert_int_equal(s->nrules, n);
	assert_true(s->cap >= n);
	for (k = 0; k < n; k++) {
		snprintf(text, sizeof(text), "GET /r%zu reason \"n%zu\"", k, k);
		snprintf(path, sizeof(path), "/r%zu", k);
		snprintf(reason, sizeof(reason), "n%zu", k);
		if (strcmp(s->rules[k].text, text) != 0)
			fail_msg("rule %zu: '%s' != '%s'", k, s->rules[k].text,
			    text);
		assert_string_equal(s->rules[k].reason, reason);
		assert_int_equal(s->rules[k].index, (int)k + 1);
		assert_int_equal(s->rules[k].action,
		    k % 2 ? RULE_DENY : RULE_ALLOW);
		m = rule_match(s, REQ_M_GET, path, NULL, 0);
		if (m != &s->rules[k])
			fail_msg("%s matched rule %td, not %zu", path,
			    m != NULL ? m - s->rules : (ptrdiff_t)-1, k);
	}
	snprintf(path, sizeof(path), "/r%zu", n);
	assert_null(rule_match(s, REQ_M_GET, path, NULL, 0));
}

static void
test_set_growth(void **state)
{
	size_t k;

	(void)state;
	memset(&set, 0, sizeof(set));
	assert_null(set.rules);
	/* the first 16 fit; the 17th moves everything */
	add_numbered(&set, 0, 16);
	check_numbered(&set, 16);
	add_numbered(&set, 16, 1);
	check_numbered(&set, 17);
	assert_true(set.cap > 16);
	/* and well past 100 */
	add_numbered(&set, 17, 150 - 17);
	check_numbered(&set, 150);
	assert_true(set.cap >= 150 && set.cap <= RULE_MAX_RULES);

	/* free empties the set; it takes rules again afterwards */
	rule_set_free(&set);
	assert_null(set.rules);
	assert_int_equal(set.nrules, 0);
	assert_int_equal(set.cap, 0);
	assert_null(rule_match(&set, REQ_M_GET, "/r0", NULL, 0));
	rule_set_free(&set);	/* twice is harmless */
	add_numbered(&set, 0, 3);
	check_numbered(&set, 3);
	rule_set_free(&set);

	/* up to RULE_MAX_RULES, not one more; free and fill again */
	for (k = 0; k < 2; k++) {
		add_numbered(&set, 0, RULE_MAX_RULES);
		check_numbered(&set, RULE_MAX_RULES);
		assert_int_equal(rule_parse("GET /more", RULE_ALLOW, &r, NULL),
		    0);
		assert_int_equal(rule_set_add(&set, &r, "g"), -1);
		assert_int_equal(set.nrules, RULE_MAX_RULES);
		assert_null(rule_match(&set, REQ_M_GET, "/more", NULL, 0));
		rule_set_free(&set);
	}
}

static void
test_set_copy(void **state)
{
	struct rule_set copy, copy2;
	const struct rule *m;
	size_t k;

	(void)state;
	memset(&set, 0, sizeof(set));
	strcpy(set.name, "traefik");
	add_numbered(&set, 0, 20);

	/* dst need not be initialised */
	memset(&copy, 0xa5, sizeof(copy));
	assert_int_equal(rule_set_copy(&copy, &set), 0);
	assert_string_equal(copy.name, "traefik");
	assert_non_null(copy.rules);
	assert_true(copy.rules != set.rules);
	check_numbered(&copy, 20);
	for (k = 0; k < 20; k++) {
		assert_string_equal(copy.rules[k].origin, set.rules[k].origin);
		assert_int_equal(copy.rules[k].nsegs, set.rules[k].nsegs);
	}

	/* change the copy in every way: the original does not move */
	strcpy(copy.name, "other");
	copy.rules[0].methods = 0;
	strcpy(copy.rules[1].text, "changed");
	strcpy(copy.rules[1].reason, "changed");
	add_numbered(&copy, 20, 30);	/* grows past the copied capacity */
	assert_int_equal(copy.nrules, 50);
	assert_ptr_equal(rule_match(&copy, REQ_M_GET, "/r2", NULL, 0),
	    &copy.rules[2]);
	/* rule 0 is dead in the copy ... */
	assert_null(rule_match(&copy, REQ_M_GET, "/r0", NULL, 0));
	assert_ptr_equal(rule_match(&copy, REQ_M_GET, "/r49", NULL, 0),
	    &copy.rules[49]);
	assert_string_equal(set.name, "traefik");
	check_numbered(&set, 20);	/* ... but not in the original */
	assert_null(rule_match(&set, REQ_M_GET, "/r49", NULL, 0));

	/* change the original: the copy does not move */
	rule_set_free(&set);
	assert_int_equal(copy.nrules, 50);
	assert_string_equal(copy.rules[1].text, "changed");
	m = rule_match(&copy, REQ_M_GET, "/r2", NULL, 0);
	assert_ptr_equal(m, &copy.rules[2]);
	assert_string_equal(m->reason, "n2");

	/* a copy of a copy, then the copy released and reused */
	assert_int_equal(rule_set_copy(&copy2, &copy), 0);
	rule_set_free(&copy);
	assert_int_equal(copy2.nrules, 50);
	assert_ptr_equal(rule_match(&copy2, REQ_M_GET, "/r49", NULL, 0),
	    &copy2.rules[49]);
	add_numbered(&copy, 0, 2);
	check_numbered(&copy, 2);
	rule_set_free(&copy);
	rule_set_free(&copy2);

	/* an empty set copies to an empty set that still grows */
	memset(&set, 0, sizeof(set));
	strcpy(set.name, "none");
	memset(&copy, 0xa5, sizeof(copy));
	assert_int_equal(rule_set_copy(&copy, &set), 0);
	assert_string_equal(copy.name, "none");
	assert_int_equal(copy.nrules, 0);
	assert_null(rule_match(&copy, REQ_M_GET, "/r0", NULL, 0));
	add_numbered(&copy, 0, 17);
	check_numbered(&copy, 17);
	assert_int_equal(set.nrules, 0);
	assert_null(set.rules);
	rule_set_free(&copy);

	/* a full set copies whole, and the copy is full too */
	add_numbered(&set, 0, RULE_MAX_RULES);
	assert_int_equal(rule_set_copy(&copy, &set), 0);
	check_numbered(&copy, RULE_MAX_RULES);
	assert_int_equal(rule_set_add(&copy, &r, "g"), -1);
	rule_set_free(&copy);
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
		cmocka_unit_test(test_match_libpod_family),
		cmocka_unit_test(test_match_methods),
		cmocka_unit_test(test_match_one),
		cmocka_unit_test(test_match_rest),
		cmocka_unit_test_teardown(test_set_add, set_teardown),
		cmocka_unit_test_teardown(test_set_match_order, set_teardown),
		cmocka_unit_test(test_match_span),
		cmocka_unit_test(test_hijacks),
		cmocka_unit_test(test_methods_str),
		cmocka_unit_test(test_parse_constraints),
		cmocka_unit_test(test_parse_constraint_limits),
		cmocka_unit_test(test_parse_constraint_errors),
		cmocka_unit_test(test_match_constraints),
		cmocka_unit_test(test_match_path_only),
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_line_str),
		cmocka_unit_test_teardown(test_set_deny_reasons, set_teardown),
		cmocka_unit_test(test_deny_no_constraints),
		cmocka_unit_test(test_redact_clause),
		cmocka_unit_test_teardown(test_set_growth, set_teardown),
		cmocka_unit_test_teardown(test_set_copy, set_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
