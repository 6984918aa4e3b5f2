/*
 * test_jrewrite.c - the streaming response rewriter (jrewrite.h):
 * redaction, element selection, labels, captures, plans, errors.
 *
 * Every document goes through run(), which rewrites it in one feed, then
 * in 1-byte pieces, then split at every point, and fails unless all give
 * the same output and counters (split invariance).  Each piece is placed
 * to end at a PROT_NONE page (guard.h), so an over-read crashes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"
#include "jrewrite.h"

enum { K_LABELS, K_ALL, K_NONE, K_SCRIPT };

struct keeper {
	int	 mode;
	const char *script;	/* K_SCRIPT: '1' keep, '0' drop, in order */
	size_t	 calls;
	struct jrw_elem last[8];	/* the first elements seen */
};

static int
keeper(void *arg, const struct jrw_elem *e)
{
	struct keeper *k = arg;
	size_t	 i = k->calls++;

	if (i < 8)
		k->last[i] = *e;
	switch (k->mode) {
	case K_ALL:
		return 1;
	case K_NONE:
		return 0;
	case K_SCRIPT:
		return k->script[i] == '1';
	default:
		return e->label_match;
	}
}

struct result {
	int	 rc;		/* of feeds + finish */
	char	 out[65536];
	size_t	 len;
	uint64_t kept, dropped, redacted;
	const char *err;
};

static struct jrw_plan	plan;
static struct jrw_label	labels[JRW_MAX_LABELS];
static size_t		elem_max = 1 << 20;

/* Rewrite doc[0..n) fed in pieces ending at cuts[0..ncut). */
static void
run_cuts(struct keeper *k, const char *doc, size_t n, const size_t *cuts,
    size_t ncut, struct result *res)
{
	struct jrw	 w;
	struct jrw_out	 out = { NULL, 0, 0 };
	size_t		 at = 0, i, to;
	const char	*g;

	k->calls = 0;
	jrw_init(&w, &plan, keeper, k, elem_max);
	res->rc = 0;
	for (i = 0; i <= ncut && res->rc == 0; i++) {
		to = i < ncut ? cuts[i] : n;
		g = guard_place((int)(i & 1), doc + at, to - at);
		res->rc = jrw_feed(&w, g, to - at, &out);
		at = to;
	}
	if (res->rc == 0)
		res->rc = jrw_finish(&w);
	assert_true(out.len < sizeof(res->out));
	if (out.len > 0)
		memcpy(res->out, out.data, out.len);
	res->out[out.len] = '\0';
	res->len = out.len;
	res->kept = w.kept;
	res->dropped = w.dropped;
	res->redacted = w.redacted;
	res->err = w.err;
	if (res->rc == 0)
		assert_null(w.ebuf);	/* nothing held after the end */
	jrw_free(&w);
	free(out.data);
}

static struct result	r1, r2;

/*
 * Rewrite doc with the current plan; check split invariance (every split
 * point and 1-byte pieces give r1's output, counters and verdict); the
 * one-feed result is in r1.
 */
static void
same_as_r1(void)
{
	assert_int_equal(r2.rc, r1.rc);
	if (r1.rc != 0)
		return;		/* what came out before a refusal varies */
	assert_int_equal(r2.len, r1.len);
	assert_memory_equal(r2.out, r1.out, r1.len + 1);
	assert_int_equal(r2.kept, r1.kept);
	assert_int_equal(r2.dropped, r1.dropped);
	assert_int_equal(r2.redacted, r1.redacted);
}

static void
run(struct keeper *k, const char *doc)
{
	size_t	 n = strlen(doc), i, cuts[4096];

	assert_true(n <= 4096);
	run_cuts(k, doc, n, NULL, 0, &r1);
	for (i = 0; i + 1 < n; i++)
		cuts[i] = i + 1;
	run_cuts(k, doc, n, cuts, n > 0 ? n - 1 : 0, &r2);
	same_as_r1();
	for (i = 0; i <= n; i++) {
		run_cuts(k, doc, n, &i, 1, &r2);
		same_as_r1();
	}
}

static void
plan_reset(void)
{
	jrw_plan_init(&plan);
	elem_max = 1 << 20;
}

static void
add(const char *path, unsigned flags, int cap)
{
	char	err[128];

	if (jrw_plan_add(&plan, path, flags, cap, err, sizeof(err)) != 0)
		fail_msg("jrw_plan_add(%s): %s", path, err);
}

static void
label(const char *spec)
{
	char	err[128];

	assert_int_equal(jrw_label_parse(spec, &labels[plan.nlabels], err,
	    sizeof(err)), 0);
	plan.label = labels;
	plan.nlabels++;
}

/* Expect doc to rewrite to want with the current plan. */
#define REWRITES(k, doc, want) do {					\
	run((k), (doc));						\
	if (r1.rc != 0)							\
		fail_msg("%s: failed: %s", (doc), r1.err);		\
	assert_string_equal(r1.out, (want));				\
} while (0)

#define REFUSED(k, doc) do {						\
	run((k), (doc));						\
	if (r1.rc != -1)						\
		fail_msg("%s: accepted as %s", (doc), r1.out);		\
	assert_non_null(r1.err);					\
} while (0)

static struct keeper	kall = { K_ALL, NULL, 0, { { 0 } } };

static void
test_passthrough(void **state)
{
	(void)state;
	plan_reset();
	/* No plan: everything byte-exact. */
	REWRITES(&kall, " {\"a\" : [1, -2.5e+3, \"\\u00e9\\n\", true] }\n",
	    " {\"a\" : [1, -2.5e+3, \"\\u00e9\\n\", true] }\n");
	add("Config.Env", JRW_N_REDACT, 0);
	/* A plan that finds nothing: still byte-exact. */
	REWRITES(&kall, "{\"Config\" :{\"Image\" : \"x\"} , \"Env\":[\"A=b\"]}",
	    "{\"Config\" :{\"Image\" : \"x\"} , \"Env\":[\"A=b\"]}");
	assert_int_equal(r1.redacted, 0);
	REWRITES(&kall, "[] {} \"x\" 0 null\t", "[] {} \"x\" 0 null\t");
	REWRITES(&kall, "", "");
	REWRITES(&kall, "\"\xc3\xa9\"", "\"\xc3\xa9\"");
}

static void
test_redact_types(void **state)
{
	(void)state;
	plan_reset();
	add("v", JRW_N_REDACT, 0);
	REWRITES(&kall, "{\"v\": { \"k\" : \"s\", \"o\": {\"x\":[1]} } }",
	    "{\"v\": {} }");
	assert_int_equal(r1.redacted, 1);
	REWRITES(&kall, "{\"v\":[ \"A=1\" , 2 ,{\"a\":1}, [ \"x\" ,[]], "
	    "true,false,null ] ,\"w\":1}",
	    "{\"v\":[\"A=\",0,{},[\"\",[]],true,false,null] ,\"w\":1}");
	assert_int_equal(r1.redacted, 1);
	REWRITES(&kall, "{\"v\":\"secret\"}", "{\"v\":\"\"}");
	REWRITES(&kall, "{\"v\":-12.5e-7}", "{\"v\":0}");
	REWRITES(&kall, "{\"v\":0}", "{\"v\":0}");
	REWRITES(&kall, "{\"v\":true}", "{\"v\":true}");
	REWRITES(&kall, "{\"v\":false}", "{\"v\":false}");
	REWRITES(&kall, "{\"v\":null}", "{\"v\":null}");
	REWRITES(&kall, "{\"v\":[]}", "{\"v\":[]}");
	REWRITES(&kall, "{\"v\":{}}", "{\"v\":{}}");
	/* Every occurrence, counted once each. */
	REWRITES(&kall, "{\"v\":1,\"v\":\"x\"}\n{\"v\":[2]}",
	    "{\"v\":0,\"v\":\"\"}\n{\"v\":[0]}");
	assert_int_equal(r1.redacted, 3);
	/* The root of each top-level value. */
	plan_reset();
	add("", JRW_N_REDACT, 0);
	REWRITES(&kall, " {\"a\":1} [1, 2]\n\"x\" 7 ", " {} [0,0]\n\"\" 0 ");
	assert_int_equal(r1.redacted, 4);
	REWRITES(&kall, "12", "0");
	/* Escaped key matches. */
	plan_reset();
	add("Config.Env", JRW_N_REDACT, 0);
	REWRITES(&kall, "{\"Config\":{\"\\u0045nv\":[\"PASS=x\"]}}",
	    "{\"Config\":{\"\\u0045nv\":[\"PASS=\"]}}");
	/* A key of a different case or with a suffix does not. */
	REWRITES(&kall, "{\"Config\":{\"env\":[\"P=x\"],\"Env2\":\"y\"}}",
	    "{\"Config\":{\"env\":[\"P=x\"],\"Env2\":\"y\"}}");
}

static void
test_redact_name(void **state)
{
	char	 doc[512], want[512], name[JRW_NAME_MAX + 2];

	(void)state;
	plan_reset();
	add("*", JRW_N_REDACT, 0);
	REWRITES(&kall, "[\"A=b\",\"_x=\",\"a.b-c9=1=2\",\"1A=x\",\"=x\","
	    "\"A\\u003db\",\"A=\\u0041\",\"AB\",\"A b=c\",\"\",\"-A=1\","
	    "\"\\u0041=b\",\"A\\n=b\",\"a\xc3\xa9=x\"]",
	    "[\"A=\",\"_x=\",\"a.b-c9=\",\"\",\"\",\"\",\"A=\",\"\",\"\","
	    "\"\",\"\",\"\",\"\",\"\"]");
	assert_int_equal(r1.redacted, 14);
	/* A name of JRW_NAME_MAX bytes is kept, one more is not. */
	memset(name, 'N', JRW_NAME_MAX);
	name[JRW_NAME_MAX] = '\0';
	snprintf(doc, sizeof(doc), "[\"%s=secret\"]", name);
	snprintf(want, sizeof(want), "[\"%s=\"]", name);
	REWRITES(&kall, doc, want);
	name[JRW_NAME_MAX] = 'N';
	name[JRW_NAME_MAX + 1] = '\0';
	snprintf(doc, sizeof(doc), "[\"%s=secret\"]", name);
	REWRITES(&kall, doc, "[\"\"]");
}

static void
test_select(void **state)
{
	struct keeper k = { K_SCRIPT, NULL, 0, { { 0 } } };

	(void)state;
	plan_reset();
	add("*", JRW_N_SELECT, 0);
	k.script = "111";
	REWRITES(&k, "[ {\"a\":1} ,\n 2 , \"x\" ]", "[{\"a\":1},2,\"x\"]");
	assert_int_equal(r1.kept, 3);
	k.script = "011";
	REWRITES(&k, "[ {\"a\":1} ,\n 2 , \"x\" ]", "[2,\"x\"]");
	assert_int_equal(r1.dropped, 1);
	k.script = "101";
	REWRITES(&k, "[{\"a\":1},2,\"x\"]", "[{\"a\":1},\"x\"]");
	k.script = "110";
	REWRITES(&k, "[{\"a\":1},2,\"x\"]", "[{\"a\":1},2]");
	k.script = "000";
	REWRITES(&k, "[{\"a\":1}, [2], \"x\"] ", "[] ");
	assert_int_equal(r1.kept, 0);
	assert_int_equal(r1.dropped, 3);
	k.script = "";
	REWRITES(&k, " [ ]\n", " []\n");
	assert_int_equal(k.calls, 0);
	/* Nested arrays inside an element keep their own commas. */
	k.script = "01";
	REWRITES(&k, "[[1, 2],[3 , [4,5]]]", "[[3 , [4,5]]]");
	/* An error object at the list's path is not a list: passes. */
	k.script = "";
	REWRITES(&k, "{\"message\": \"page not found\"}\n",
	    "{\"message\": \"page not found\"}\n");
	assert_int_equal(k.calls, 0);
	/* keep == NULL keeps everything. */
	{
		struct jrw	w;
		struct jrw_out	o = { NULL, 0, 0 };

		jrw_init(&w, &plan, NULL, NULL, 100);
		assert_int_equal(jrw_feed(&w, "[1, 2]", 6, &o), 0);
		assert_int_equal(jrw_finish(&w), 0);
		assert_int_equal(o.len, 5);
		assert_memory_equal(o.data, "[1,2]", 5);
		jrw_free(&w);
		free(o.data);
	}
	/* Select with redaction inside the element and of the list. */
	plan_reset();
	add("*", JRW_N_SELECT, 0);
	add("*.Env", JRW_N_REDACT, 0);
	k.script = "101";
	REWRITES(&k, "[{\"Env\":[\"A=1\"]},{\"Env\":[\"B=2\"]},{\"Env\":\"C\"}]",
	    "[{\"Env\":[\"A=\"]},{\"Env\":\"\"}]");
	assert_int_equal(r1.redacted, 3);
	plan_reset();
	add("*", JRW_N_SELECT, 0);
	add("", JRW_N_REDACT, 0);
	k.script = "101";
	REWRITES(&k, "[ \"a=1\" , 5, {\"x\":1} ]", "[\"a=\",{}]");
}

static void
test_stream(void **state)
{
	struct keeper k = { K_SCRIPT, NULL, 0, { { 0 } } };

	(void)state;
	plan_reset();
	add("", JRW_N_SELECT, 0);
	k.script = "1111";
	REWRITES(&k, "{\"a\":1}\n{\"b\":2}\n \"s\"  [1]\n",
	    "{\"a\":1}\n{\"b\":2}\n \"s\"  [1]\n");
	k.script = "0101";
	REWRITES(&k, "{\"a\":1}\n{\"b\":2}\n \"s\"  [1]\n",
	    "{\"b\":2}\n [1]\n");
	assert_int_equal(r1.kept, 2);
	assert_int_equal(r1.dropped, 2);
	k.script = "1010";
	REWRITES(&k, "  {\"a\":1}\n{\"b\":2}\n \"s\"  [1]\n",
	    "  {\"a\":1}\n\"s\"  ");
	k.script = "0000";
	REWRITES(&k, "{\"a\":1}\r\n\t{\"b\":2} ", "");
	/* A bare number is ended by whitespace or by the end. */
	k.script = "101";
	REWRITES(&k, "1 22\n-3.5", "1 -3.5");
	k.script = "0";
	REWRITES(&k, "17", "");
	assert_int_equal(r1.dropped, 1);
	k.script = "1";
	REWRITES(&k, "17", "17");
	assert_int_equal(r1.kept, 1);
	k.script = "11";
	REWRITES(&k, "true\"x\"", "true\"x\"");
}

static void
test_labels(void **state)
{
	struct keeper k = { K_LABELS, NULL, 0, { { 0 } } };
	char	 doc[1024], big[JRW_LABEL_MAX + 2];

	(void)state;
	plan_reset();
	add("*", JRW_N_SELECT, 0);
	add("*.Labels", JRW_N_LABELS, 0);
	label("app");			/* any value */
	label("tier=front end");	/* exact value */
	REWRITES(&k, "[{\"Labels\":{\"app\":\"\"}},{\"Labels\":{\"apps\":\"x\","
	    "\"ap\":\"x\"}},{\"Labels\":{\"tier\":\"front end\"}},"
	    "{\"Labels\":{\"tier\":\"front\"}},{\"Labels\":null},{}]",
	    "[{\"Labels\":{\"app\":\"\"}},{\"Labels\":{\"tier\":\"front end\"}}]");
	assert_int_equal(k.calls, 6);
	assert_int_equal(k.last[0].labels_seen, 1);
	assert_int_equal(k.last[1].labels_seen, 1);
	assert_int_equal(k.last[4].labels_seen, 0);	/* null */
	assert_int_equal(k.last[5].labels_seen, 0);	/* absent */
	/* Escapes in keys and values, split anywhere. */
	REWRITES(&k, "[{\"Labels\":{\"\\u0061pp\":\"1\"}},{\"Labels\":{\"tier\":"
	    "\"front\\u0020end\"}},{\"Labels\":{\"tier\":\"front\\tend\"}}]",
	    "[{\"Labels\":{\"\\u0061pp\":\"1\"}},{\"Labels\":{\"tier\":"
	    "\"front\\u0020end\"}}]");
	/* Non-string values never match, nested objects are not labels. */
	REWRITES(&k, "[{\"Labels\":{\"app\":1}},{\"Labels\":{\"app\":[\"x\"]}},"
	    "{\"Labels\":{\"x\":{\"app\":\"y\"}}},{\"Labels\":{\"app\":null}}]",
	    "[]");
	/* Labels elsewhere in the element do not count. */
	REWRITES(&k, "[{\"Other\":{\"app\":\"y\"},\"Labels\":{}}]", "[]");
	/* Surrogate pairs decode to UTF-8; a lone one to U+FFFD. */
	plan_reset();
	add("*", JRW_N_SELECT, 0);
	add("*.Labels", JRW_N_LABELS, 0);
	label("e=\xf0\x9f\x98\x80");
	label("\xef\xbf\xbdx=\xc3\xa9");
	REWRITES(&k, "[{\"Labels\":{\"e\":\"\\ud83d\\ude00\"}},"
	    "{\"Labels\":{\"e\":\"\\uD83D\\uDE00\"}},"
	    "{\"Labels\":{\"e\":\"\xf0\x9f\x98\x80\"}},"
	    "{\"Labels\":{\"e\":\"\\ud83d\"}},"
	    "{\"Labels\":{\"\\ud83dx\":\"\\u00e9\"}},"
	    "{\"Labels\":{\"\\ude00x\":\"\\u00E9\"}},"
	    "{\"Labels\":{\"\\ud83d\\u0078\":\"\\u00e9\"}}]",
	    "[{\"Labels\":{\"e\":\"\\ud83d\\ude00\"}},"
	    "{\"Labels\":{\"e\":\"\\uD83D\\uDE00\"}},"
	    "{\"Labels\":{\"e\":\"\xf0\x9f\x98\x80\"}},"
	    "{\"Labels\":{\"\\ud83dx\":\"\\u00e9\"}},"
	    "{\"Labels\":{\"\\ude00x\":\"\\u00E9\"}},"
	    "{\"Labels\":{\"\\ud83d\\u0078\":\"\\u00e9\"}}]");
	/* Keys and values of JRW_LABEL_MAX bytes match, longer never. */
	plan_reset();
	add("*", JRW_N_SELECT, 0);
	add("*.Labels", JRW_N_LABELS, 0);
	memset(big, 'k', JRW_LABEL_MAX);
	big[JRW_LABEL_MAX] = '\0';
	label(big);
	snprintf(doc, sizeof(doc), "[{\"Labels\":{\"%s\":\"v\"}},"
	    "{\"Labels\":{\"%sk\":\"v\"}}]", big, big);
	run(&k, doc);
	assert_int_equal(r1.rc, 0);
	assert_int_equal(r1.kept, 1);
	assert_int_equal(k.last[0].label_match, 1);
	assert_int_equal(k.last[1].label_match, 0);
	plan_reset();
	add("*", JRW_N_SELECT, 0);
	add("*.Labels", JRW_N_LABELS, 0);
	memset(big, 'v', JRW_LABEL_MAX);
	snprintf(doc, sizeof(doc), "k=%s", big);
	label(doc);
	snprintf(doc, sizeof(doc), "[{\"Labels\":{\"k\":\"%s\"}},"
	    "{\"Labels\":{\"k\":\"%sv\"}}]", big, big);
	run(&k, doc);
	assert_int_equal(r1.kept, 1);
	assert_int_equal(k.last[0].label_match, 1);
	assert_int_equal(k.last[1].label_match, 0);
	/* No labels in the plan: nothing matches. */
	plan_reset();
	add("*", JRW_N_SELECT, 0);
	add("*.Labels", JRW_N_LABELS, 0);
	REWRITES(&k, "[{\"Labels\":{\"a\":\"b\"}}]", "[]");
	assert_int_equal(k.last[0].labels_seen, 1);
}

static void
test_captures(void **state)
{
	struct keeper k = { K_ALL, NULL, 0, { { 0 } } };
	char	 doc[512], big[JRW_CAPTURE_MAX + 2];

	(void)state;
	plan_reset();
	add("", JRW_N_SELECT, 0);
	add("Type", JRW_N_CAPTURE, 0);
	add("Actor.ID", JRW_N_CAPTURE, 1);
	REWRITES(&k, "{\"Type\":\"cont\\u0061iner\",\"Actor\":{\"ID\":5}}\n"
	    "{\"Type\":[\"x\"]}\n{}\n",
	    "{\"Type\":\"cont\\u0061iner\",\"Actor\":{\"ID\":5}}\n"
	    "{\"Type\":[\"x\"]}\n{}\n");
	assert_int_equal(k.last[0].present[0], 1);
	assert_string_equal(k.last[0].capture[0], "container");
	assert_int_equal(k.last[0].capture_len[0], 9);
	assert_int_equal(k.last[0].present[1], 1);
	assert_string_equal(k.last[0].capture[1], "");
	assert_int_equal(k.last[1].present[0], 1);
	assert_string_equal(k.last[1].capture[0], "");
	assert_int_equal(k.last[1].present[1], 0);
	assert_int_equal(k.last[2].present[0], 0);
	/* The root value of a stream element is not below it. */
	memset(big, 'c', JRW_CAPTURE_MAX);
	big[JRW_CAPTURE_MAX] = '\0';
	snprintf(doc, sizeof(doc), "{\"Type\":\"%s\"}{\"Type\":\"%sXY\"}",
	    big, big);
	run(&k, doc);
	assert_int_equal(r1.rc, 0);
	assert_int_equal(k.last[0].truncated[0], 0);
	assert_int_equal(k.last[1].truncated[0], 1);
	assert_int_equal(k.last[1].capture_len[0], JRW_CAPTURE_MAX);
	assert_string_equal(k.last[1].capture[0], big);
}

static void
test_paths(void **state)
{
	struct keeper k = { K_ALL, NULL, 0, { { 0 } } };
	char	 key[JRW_KEY_MAX + 2], path[128], doc[256];

	(void)state;
	/* '*' and a named sibling: both apply to the named key. */
	plan_reset();
	add("*.x", JRW_N_REDACT, 0);
	add("a.y", JRW_N_REDACT, 0);
	REWRITES(&k, "{\"a\":{\"x\":1,\"y\":2,\"z\":3},\"b\":{\"x\":1,\"y\":2}}",
	    "{\"a\":{\"x\":0,\"y\":0,\"z\":3},\"b\":{\"x\":0,\"y\":2}}");
	plan_reset();
	add("a.y", JRW_N_REDACT, 0);	/* the other order */
	add("*.x", JRW_N_REDACT, 0);
	REWRITES(&k, "{\"a\":{\"x\":1,\"y\":2,\"z\":3},\"b\":{\"x\":1,\"y\":2}}",
	    "{\"a\":{\"x\":0,\"y\":0,\"z\":3},\"b\":{\"x\":0,\"y\":2}}");
	/* '*' matches array elements, a named key never does. */
	plan_reset();
	add("0", JRW_N_REDACT, 0);
	REWRITES(&k, "[1,2]", "[1,2]");
	REWRITES(&k, "{\"0\":1}", "{\"0\":0}");
	plan_reset();
	add("*.*", JRW_N_REDACT, 0);
	REWRITES(&k, "[[1],{\"a\":\"b\"},3]", "[[0],{\"a\":\"\"},3]");
	/* A key of JRW_KEY_MAX bytes matches; longer keys only '*'. */
	memset(key, 'k', JRW_KEY_MAX);
	key[JRW_KEY_MAX] = '\0';
	plan_reset();
	add(key, JRW_N_REDACT, 0);
	snprintf(doc, sizeof(doc), "{\"%s\":1,\"%sk\":1}", key, key);
	snprintf(path, sizeof(path), "{\"%s\":0,\"%sk\":1}", key, key);
	REWRITES(&k, doc, path);
	plan_reset();
	add("*", JRW_N_REDACT, 0);
	snprintf(path, sizeof(path), "{\"%s\":0,\"%sk\":0}", key, key);
	REWRITES(&k, doc, path);
}

static void
test_plan_rules(void **state)
{
	char	 err[128], path[JRW_LABEL_MAX + 8];
	struct jrw_label l;
	int	 i;

	(void)state;
	plan_reset();
	assert_int_equal(jrw_plan_active(&plan), 0);
	add("a.b", JRW_N_REDACT, 0);
	assert_int_equal(jrw_plan_active(&plan), 1);
	/* Bad paths. */
	assert_int_equal(jrw_plan_add(&plan, "a..b", JRW_N_REDACT, 0, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "empty key"));
	assert_int_equal(jrw_plan_add(&plan, ".a", JRW_N_REDACT, 0, err,
	    sizeof(err)), -1);
	assert_int_equal(jrw_plan_add(&plan, "a.", JRW_N_REDACT, 0, err,
	    sizeof(err)), -1);
	memset(path, 'k', JRW_KEY_MAX + 1);
	path[JRW_KEY_MAX + 1] = '\0';
	assert_int_equal(jrw_plan_add(&plan, path, JRW_N_REDACT, 0, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "too long"));
	assert_int_equal(jrw_plan_add(&plan, "a", 0, 0, err, sizeof(err)), -1);
	assert_int_equal(jrw_plan_add(&plan, "a", 0x40, 0, err, sizeof(err)),
	    -1);
	/* Select: "" or ending in '*', once, never nested. */
	assert_int_equal(jrw_plan_add(&plan, "a", JRW_N_SELECT, 0, err,
	    sizeof(err)), -1);
	add("*", JRW_N_SELECT, 0);
	assert_int_equal(jrw_plan_add(&plan, "*.x.*", JRW_N_SELECT, 0, err,
	    sizeof(err)), -1);
	assert_int_equal(jrw_plan_add(&plan, "", JRW_N_SELECT, 0, err,
	    sizeof(err)), -1);
	/* Labels and captures strictly below it. */
	assert_int_equal(jrw_plan_add(&plan, "*", JRW_N_LABELS, 0, err,
	    sizeof(err)), -1);
	assert_int_equal(jrw_plan_add(&plan, "Labels", JRW_N_LABELS, 0, err,
	    sizeof(err)), -1);
	assert_int_equal(jrw_plan_add(&plan, "", JRW_N_CAPTURE, 0, err,
	    sizeof(err)), -1);
	add("*.Labels", JRW_N_LABELS, 0);
	add("*.Name", JRW_N_CAPTURE, 1);
	assert_int_equal(jrw_plan_add(&plan, "*.Id", JRW_N_CAPTURE,
	    JRW_MAX_CAPTURE, err, sizeof(err)), -1);
	assert_int_equal(jrw_plan_add(&plan, "*.Id", JRW_N_CAPTURE, -1, err,
	    sizeof(err)), -1);
	assert_int_equal(jrw_plan_add(&plan, "*.Name", JRW_N_CAPTURE, 0, err,
	    sizeof(err)), -1);
	/* A failed add leaves the plan as it was. */
	{
		struct jrw_plan before = plan;

		assert_int_equal(jrw_plan_add(&plan, "*.*", JRW_N_SELECT, 0,
		    err, sizeof(err)), -1);
		assert_memory_equal(&before, &plan, sizeof(plan));
	}
	/* Labels first, select after: checked when the select comes. */
	plan_reset();
	add("Actor.Attributes", JRW_N_LABELS, 0);
	add("", JRW_N_SELECT, 0);
	plan_reset();
	add("Actor.Attributes", JRW_N_LABELS, 0);
	assert_int_equal(jrw_plan_add(&plan, "Actor.*", JRW_N_SELECT, 0, err,
	    sizeof(err)), -1);
	/* Too many nodes. */
	plan_reset();
	for (i = 0; i < JRW_MAX_NODES - 1; i++) {
		snprintf(path, sizeof(path), "k%d", i);
		add(path, JRW_N_REDACT, 0);
	}
	assert_int_equal(jrw_plan_add(&plan, "one.more", JRW_N_REDACT, 0, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "too many"));
	/* Labels. */
	assert_int_equal(jrw_label_parse("a=b=c", &l, err, sizeof(err)), 0);
	assert_string_equal(l.key, "a");
	assert_string_equal(l.val, "b=c");
	assert_int_equal(l.any_value, 0);
	assert_int_equal(jrw_label_parse("a=", &l, err, sizeof(err)), 0);
	assert_int_equal(l.any_value, 0);
	assert_string_equal(l.val, "");
	assert_int_equal(jrw_label_parse("a", &l, err, sizeof(err)), 0);
	assert_int_equal(l.any_value, 1);
	assert_int_equal(jrw_label_parse("=a", &l, err, sizeof(err)), -1);
	assert_int_equal(jrw_label_parse("", &l, err, sizeof(err)), -1);
	memset(path, 'k', JRW_LABEL_MAX + 1);
	path[JRW_LABEL_MAX + 1] = '\0';
	assert_int_equal(jrw_label_parse(path, &l, err, sizeof(err)), -1);
	path[JRW_LABEL_MAX] = '\0';
	assert_int_equal(jrw_label_parse(path, &l, err, sizeof(err)), 0);
	path[0] = '=';
	assert_int_equal(jrw_label_parse(path, &l, err, sizeof(err)), -1);
	path[0] = 'k';
	path[1] = '=';
	assert_int_equal(jrw_label_parse(path, &l, err, sizeof(err)), 0);
}

static void
test_grammar_errors(void **state)
{
	static const char *const bad[] = {
		"{", "[", "[1", "[1,", "{\"a\"", "{\"a\":", "{\"a\":1", "\"abc",
		"]", "}", "[}", "{]", "[1,]", "[,1]", "[1 2]", "{,}", "{\"a\" 1}",
		"{\"a\":1,}", "{1:2}", "{\"a\":1 \"b\":2}", "{\"a\"::1}", ":",
		",", "[1]]", "01", "[01]", "-", "[-]", "1.", "[1.]", ".5",
		"[1e]", "[1e+]", "[+1]", "1-2", "1\"x\"", "[--1]", "[1.e5]",
		"[0x1]", "tru", "[tru]", "[trux]", "nul", "[nulL]", "[False]",
		"[\"a\\x\"]", "[\"\\u12\"]", "[\"\\u12G4\"]", "[\"\\U0041\"]",
		"[\"\x01\"]", "[\"a\nb\"]", "[\"\x1f\"]", "[\"\t\"]", "x",
		"[NaN]", "[Infinity]", "\xef\xbb\xbf[]", "/*c*/[]",
		"['a']", "[\"\\\"]",
	};
	struct keeper k = { K_ALL, NULL, 0, { { 0 } } };
	size_t	i;

	(void)state;
	plan_reset();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		REFUSED(&k, bad[i]);
	/* The same with a plan that selects and redacts. */
	add("*", JRW_N_SELECT, 0);
	add("*.x", JRW_N_REDACT, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		REFUSED(&k, bad[i]);
	/* "\x00" inside, separately (strlen). */
	{
		struct jrw	w;

		jrw_init(&w, &plan, NULL, NULL, 100);
		assert_int_equal(jrw_feed(&w, "[1,\0]", 5, NULL), -1);
		assert_int_equal(jrw_feed(&w, "]", 1, NULL), -1);
		assert_int_equal(jrw_finish(&w), -1);
		jrw_free(&w);
	}
}

static void
test_good_forms(void **state)
{
	struct keeper k = { K_ALL, NULL, 0, { { 0 } } };
	const char *doc = "[0,-0,1,-1,10,0.5,-0.0e0,1E5,1e-5,1.25E+10,"
	    "123456789012345678901234567890,\"\\\"\\\\\\/\\b\\f\\n\\r\\t"
	    "\\u0000\\uFFFF\\uffff\",\"\x7f\xff\",{},[],{\"\":\"\"},"
	    "[[[]]],true,false,null]";

	(void)state;
	plan_reset();
	REWRITES(&k, doc, doc);
	add("*", JRW_N_REDACT, 0);
	REWRITES(&k, doc, "[0,0,0,0,0,0,0,0,0,0,0,\"\",\"\",{},[],{},[[[]]],"
	    "true,false,null]");
}

static void
test_limits(void **state)
{
	struct keeper k = { K_ALL, NULL, 0, { { 0 } } };
	char	*doc = malloc(2 * JRW_MAX_DEPTH + 8);
	size_t	 i;

	(void)state;
	assert_non_null(doc);
	plan_reset();
	/* JRW_MAX_DEPTH containers: fine; one more: refused. */
	for (i = 0; i < JRW_MAX_DEPTH; i++) {
		doc[i] = '[';
		doc[JRW_MAX_DEPTH + i] = ']';
	}
	doc[2 * JRW_MAX_DEPTH] = '\0';
	run_cuts(&k, doc, 2 * JRW_MAX_DEPTH, NULL, 0, &r1);
	assert_int_equal(r1.rc, 0);
	assert_int_equal(r1.len, 2 * JRW_MAX_DEPTH);
	memmove(doc + 1, doc, 2 * JRW_MAX_DEPTH + 1);
	doc[0] = '[';
	memcpy(doc + 2 * JRW_MAX_DEPTH + 1, "]", 2);
	run_cuts(&k, doc, 2 * JRW_MAX_DEPTH + 2, NULL, 0, &r1);
	assert_int_equal(r1.rc, -1);
	assert_non_null(strstr(r1.err, "deep"));
	free(doc);
	/* elem_max: an element of exactly elem_max bytes passes. */
	add("*", JRW_N_SELECT, 0);
	elem_max = 7;
	REWRITES(&k, "[ \"12345\" , [1,2,3] ]", "[\"12345\",[1,2,3]]");
	REFUSED(&k, "[\"123456\"]");
	assert_non_null(strstr(r1.err, "limit"));
	/* ... counted on the element's output, after redaction. */
	add("*.s", JRW_N_REDACT, 0);
	elem_max = 10;
	REWRITES(&k, "[{\"s\":\"long secret\"}]", "[{\"s\":\"\"}]");
	/* The limit holds with out == NULL too. */
	{
		struct jrw	w;

		jrw_init(&w, &plan, NULL, NULL, 7);
		assert_int_equal(jrw_feed(&w, "[\"123456\"]", 10, NULL), -1);
		jrw_free(&w);
	}
}

static void
test_null_out(void **state)
{
	struct keeper k = { K_LABELS, NULL, 0, { { 0 } } };
	struct jrw	w;
	const char *doc = "[{\"L\":{\"a\":\"b\"}},{\"L\":{}},{\"L\":{\"a\":\"c\"}}]";

	(void)state;
	plan_reset();
	add("*", JRW_N_SELECT, 0);
	add("*.L", JRW_N_LABELS, 0);
	label("a");
	jrw_init(&w, &plan, keeper, &k, 1 << 20);
	assert_int_equal(jrw_feed(&w, doc, 20, NULL), 0);
	assert_null(w.ebuf);
	assert_int_equal(jrw_feed(&w, doc + 20, strlen(doc) - 20, NULL), 0);
	assert_null(w.ebuf);
	assert_int_equal(jrw_finish(&w), 0);
	assert_int_equal(k.calls, 3);
	assert_int_equal(w.kept, 2);
	assert_int_equal(w.dropped, 1);
	jrw_free(&w);
}

static void
test_stream_memory(void **state)
{
	struct keeper k = { K_ALL, NULL, 0, { { 0 } } };
	struct jrw	w;
	struct jrw_out	o = { NULL, 0, 0 };
	const char *ev = "{\"Type\":\"container\",\"Actor\":{\"Attributes\":"
	    "{\"a\":\"b\"}}}\n";

	(void)state;
	plan_reset();
	add("", JRW_N_SELECT, 0);
	add("Actor.Attributes", JRW_N_LABELS, 0);
	jrw_init(&w, &plan, keeper, &k, 1 << 20);
	/* Half an event pending: buffered; after it, nothing held. */
	assert_int_equal(jrw_feed(&w, ev, 20, &o), 0);
	assert_non_null(w.ebuf);
	assert_int_equal(o.len, 0);
	assert_int_equal(jrw_feed(&w, ev + 20, strlen(ev) - 20, &o), 0);
	assert_null(w.ebuf);
	assert_int_equal(o.len, strlen(ev));
	assert_int_equal(jrw_finish(&w), 0);
	/* Fed after its end: refused. */
	assert_int_equal(jrw_feed(&w, "{}", 2, &o), -1);
	jrw_free(&w);
	free(o.data);
	/* Inside a value at the end: refused by jrw_finish. */
	jrw_init(&w, &plan, keeper, &k, 1 << 20);
	assert_int_equal(jrw_feed(&w, ev, 20, NULL), 0);
	assert_int_equal(jrw_finish(&w), -1);
	assert_non_null(w.err);
	jrw_free(&w);
	assert_null(w.ebuf);
	/* The struct stays small (1,000 streams in a few MB). */
	assert_true(sizeof(struct jrw) <= 2048);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passthrough),
		cmocka_unit_test(test_redact_types),
		cmocka_unit_test(test_redact_name),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_captures),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_plan_rules),
		cmocka_unit_test(test_grammar_errors),
		cmocka_unit_test(test_good_forms),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_null_out),
		cmocka_unit_test(test_stream_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
