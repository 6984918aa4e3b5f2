/*
 * test_json.c - json_parse: grammar, decoding, duplicate keys, limits.
 *
 * Every input is placed so that it ends at a PROT_NONE page (guard.h): a
 * read past the end of the text crashes the test instead of passing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"
#include "json.h"

#define NODES	256
#define SCRATCH	4096

static struct json_node	nodes[NODES];
static char		scratch[SCRATCH];
static struct json_doc	doc;

/* Parse text[0..len) with the given storage limits. */
static int
parse_lim(const char *text, size_t len, size_t ncap, size_t scap)
{
	const char *g = guard_place(0, text, len);

	memset(nodes, 0xa5, sizeof(nodes));
	doc = (struct json_doc){
		.nodes = nodes,
		.cap = ncap,
		.scratch = scratch,
		.scratch_cap = scap,
		.n = 12345,		/* must be reset by json_parse */
		.scratch_len = 999,
	};
	return json_parse(g, len, &doc);
}

static int
parse_n(const char *text, size_t len)
{
	return parse_lim(text, len, NODES, SCRATCH);
}

#define OK(s) do {							\
	if (parse_n((s), sizeof(s) - 1) != 0)				\
		fail_msg("should parse: %s", (s));			\
} while (0)

#define BAD(s) do {							\
	if (parse_n((s), sizeof(s) - 1) != -1)				\
		fail_msg("should not parse: %s", (s));			\
	assert_int_equal(doc.n, 0);					\
} while (0)

/* A single string value must decode to want[0..wlen). */
#define STR(s, want) do {						\
	OK(s);								\
	assert_int_equal(doc.n, 1);					\
	assert_int_equal(nodes[0].type, JSON_STRING);			\
	assert_int_equal(nodes[0].str_len, sizeof(want) - 1);		\
	assert_memory_equal(nodes[0].str, (want), sizeof(want) - 1);	\
} while (0)

static void
test_literals(void **state)
{
	(void)state;
	OK("true");
	assert_int_equal(doc.n, 1);
	assert_int_equal(nodes[0].type, JSON_BOOL);
	assert_int_equal(nodes[0].boolean, 1);
	assert_int_equal(nodes[0].parent, -1);
	OK("false");
	assert_int_equal(nodes[0].type, JSON_BOOL);
	assert_int_equal(nodes[0].boolean, 0);
	OK("null");
	assert_int_equal(nodes[0].type, JSON_NULL);
	OK(" \t\r\nnull\n ");

	BAD("");
	BAD(" ");
	BAD("tru");
	BAD("True");
	BAD("TRUE");
	BAD("truex");
	BAD("nul");
	BAD("nulll");
	BAD("fals");
	BAD("undefined");
	BAD("true false");
	BAD("\v true");		/* only four whitespace bytes exist */
	BAD("\xc2\xa0true");	/* NBSP is not whitespace */
	BAD("\xef\xbb\xbftrue");	/* neither is a BOM (Go agrees) */
}

static void
test_numbers(void **state)
{
	(void)state;
	OK("0");
	assert_int_equal(nodes[0].type, JSON_NUMBER);
	OK("-0");
	OK("7");
	OK("-1");
	OK("1234567890");
	OK("1.5");
	OK("-0.25");
	OK("1e5");
	OK("1E5");
	OK("1e+5");
	OK("1e-5");
	OK("-1.5e-10");
	OK("0e0");
	OK("123456789012345678901234567890e999");	/* syntax only */
	OK("[0,-0,1.0]");

	BAD("01");
	BAD("-01");
	BAD("00");
	BAD("-");
	BAD("+1");
	BAD(".5");
	BAD("1.");
	BAD("1.e5");
	BAD("1e");
	BAD("1e+");
	BAD("1e-");
	BAD("1ee5");
	BAD("--1");
	BAD("0x10");
	BAD("1_000");
	BAD("Infinity");
	BAD("-Infinity");
	BAD("NaN");
	BAD("1 2");
	BAD("[01]");
	BAD("[1.]");
	BAD("[-]");
}

static void
test_strings(void **state)
{
	(void)state;
	STR("\"\"", "");
	STR("\"abc\"", "abc");
	STR("\"a b\"", "a b");
	STR("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t");
	STR("\"\\u0041\\u0062\"", "Ab");
	STR("\"autoheal\\u003dtrue\"", "autoheal=true");
	STR("\"\\u00e9\\u00E9\"", "\xc3\xa9\xc3\xa9");
	STR("\"\\u20ac\"", "\xe2\x82\xac");
	STR("\"\\uffff\"", "\xef\xbf\xbf");
	STR("\"\\u0000\"", "\0");		/* a NUL byte; length says so */
	STR("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80");	/* surrogate pair */
	STR("\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf");	/* U+10FFFF */
	STR("\"\\uD800\\uDC00\"", "\xf0\x90\x80\x80");	/* U+10000 */
	/* Well-formed raw UTF-8 passes through as is; so does DEL. */
	STR("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
	    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	STR("\"\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80\"",
	    "\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80");
	STR("\"\x7f\"", "\x7f");

	/* Broken strings and escapes. */
	BAD("\"");
	BAD("\"abc");
	BAD("\"abc\\\"");
	BAD("\"\\");
	BAD("'abc'");
	BAD("\"\\x41\"");
	BAD("\"\\a\"");
	BAD("\"\\U0041\"");
	BAD("\"\\u\"");
	BAD("\"\\u4\"");
	BAD("\"\\u41\"");
	BAD("\"\\u041\"");
	BAD("\"\\u004G\"");
	BAD("\"\\u+041\"");
	BAD("\"\\u 041\"");
	BAD("\"\\u0041");
	/* Raw control bytes must be escaped. */
	BAD("\"a\tb\"");
	BAD("\"a\nb\"");
	BAD("\"\x01\"");
	BAD("\"\x1f\"");
	assert_int_equal(parse_n("\"\0\"", 3), -1);
	/* Go turns these into U+FFFD; we refuse them. */
	BAD("\"\\ud800\"");			/* lone high surrogate */
	BAD("\"\\ud83dx\"");
	BAD("\"\\ud83d\\\"");
	BAD("\"\\ud83d\\n\"");
	BAD("\"\\ud83d\\u0041\"");		/* high + non-surrogate */
	BAD("\"\\ud83d\\ud83d\"");		/* high + high */
	BAD("\"\\ude00\"");			/* lone low surrogate */
	BAD("\"\\ude00\\ud83d\"");		/* reversed pair */
	BAD("\"\\ud83d\\ude0\"");
	BAD("\"\\ud83d\\u");
	BAD("\"\\ud83d");
	BAD("\"\xff\"");
	BAD("\"\xfe\"");
	BAD("\"\x80\"");			/* lone continuation */
	BAD("\"\xbf\"");
	BAD("\"\xc3\"");			/* truncated */
	BAD("\"\xc3\x28\"");			/* bad continuation */
	BAD("\"\xe2\x82\"");
	BAD("\"\xe2\x82\x28\"");
	BAD("\"\xf0\x9f\x98\"");
	BAD("\"\xf0\x9f\x98\x28\"");
	BAD("\"\xc0\x80\"");			/* overlong NUL */
	BAD("\"\xc1\xbf\"");			/* overlong */
	BAD("\"\xe0\x80\xaf\"");		/* overlong '/' */
	BAD("\"\xe0\x9f\xbf\"");		/* overlong */
	BAD("\"\xf0\x8f\xbf\xbf\"");		/* overlong */
	BAD("\"\xed\xa0\x80\"");		/* encoded surrogate */
	BAD("\"\xed\xbf\xbf\"");
	BAD("\"\xf4\x90\x80\x80\"");		/* above U+10FFFF */
	BAD("\"\xf5\x80\x80\x80\"");
	BAD("\"\xf8\x88\x80\x80\x80\"");
	/* Invalid bytes outside strings are syntax errors anyway. */
	BAD("\xff");
	BAD("[\xc3\xa9]");
}

static void
test_structure(void **state)
{
	(void)state;
	OK("{\"a\":[1,\"x\",true,null],\"b\":{}}");
	assert_int_equal(doc.n, 7);
	assert_int_equal(nodes[0].type, JSON_OBJECT);
	assert_int_equal(nodes[0].parent, -1);
	assert_null(nodes[0].key);
	assert_int_equal(nodes[0].first, 1);
	assert_int_equal(nodes[0].next, -1);

	assert_int_equal(nodes[1].type, JSON_ARRAY);
	assert_int_equal(nodes[1].parent, 0);
	assert_int_equal(nodes[1].key_len, 1);
	assert_memory_equal(nodes[1].key, "a", 1);
	assert_int_equal(nodes[1].first, 2);
	assert_int_equal(nodes[1].next, 6);

	assert_int_equal(nodes[2].type, JSON_NUMBER);
	assert_int_equal(nodes[2].parent, 1);
	assert_null(nodes[2].key);
	assert_int_equal(nodes[2].next, 3);
	assert_int_equal(nodes[3].type, JSON_STRING);
	assert_int_equal(nodes[3].str_len, 1);
	assert_memory_equal(nodes[3].str, "x", 1);
	assert_int_equal(nodes[3].next, 4);
	assert_int_equal(nodes[4].type, JSON_BOOL);
	assert_int_equal(nodes[4].boolean, 1);
	assert_int_equal(nodes[4].next, 5);
	assert_int_equal(nodes[5].type, JSON_NULL);
	assert_int_equal(nodes[5].next, -1);
	assert_int_equal(nodes[5].first, -1);

	assert_int_equal(nodes[6].type, JSON_OBJECT);
	assert_int_equal(nodes[6].parent, 0);
	assert_memory_equal(nodes[6].key, "b", 1);
	assert_int_equal(nodes[6].first, -1);
	assert_int_equal(nodes[6].next, -1);
	for (size_t i = 0; i < doc.n; i++)
		assert_int_equal(nodes[i].shadowed, 0);

	/* Keys are decoded too. */
	OK("{\"l\\u0061bel\":\"v\",\"\":1}");
	assert_int_equal(nodes[1].key_len, 5);
	assert_memory_equal(nodes[1].key, "label", 5);
	assert_int_equal(nodes[2].key_len, 0);
	assert_non_null(nodes[2].key);

	OK("{}");
	assert_int_equal(doc.n, 1);
	assert_int_equal(nodes[0].first, -1);
	OK("[]");
	assert_int_equal(nodes[0].type, JSON_ARRAY);
	OK("[[[]]]");
	assert_int_equal(doc.n, 3);
	assert_int_equal(nodes[2].parent, 1);
	OK(" \t\n\r{ \t\n\r\"a\" \t\n\r: \t\n\r[ \t\n\r1 \t\n\r, \t\n\r2"
	    " \t\n\r] \t\n\r, \"b\" : { } } \t\n\r");
	OK("[ ]");
	OK("{ }");
	OK("\"top\"");

	BAD("{");
	BAD("[");
	BAD("}");
	BAD("]");
	BAD("{]");
	BAD("[}");
	BAD("[1,]");
	BAD("[,1]");
	BAD("[1 2]");
	BAD("[1,,2]");
	BAD("{,}");
	BAD("{\"a\":1,}");
	BAD("{\"a\" 1}");
	BAD("{\"a\":}");
	BAD("{\"a\"}");
	BAD("{\"a\":1 \"b\":2}");
	BAD("{\"a\"::1}");
	BAD("{a:1}");
	BAD("{1:1}");
	BAD("{'a':1}");
	BAD("{null:1}");
	BAD("{\"a\":1");
	BAD("{\"a\":[1}");
	BAD("[1]]");
	BAD("{}}");
	BAD("{}x");
	BAD("{} {}");
	BAD("[] 1");
	BAD("{}\0");
	assert_int_equal(parse_n("{}\0", 3), -1);
	BAD("/* c */ {}");
	BAD("{} // c");
}

/* n nested arrays (or objects), parsed. */
static int
nest(size_t n, int objects)
{
	static char	buf[256];
	size_t		i, w = 0, unit;

	unit = objects ? 5 : 1;
	assert_true(n * (unit + 1) + 1 < sizeof(buf));
	for (i = 0; i < n; i++) {
		memcpy(buf + w, objects ? "{\"k\":" : "[", unit);
		w += unit;
	}
	buf[w++] = '1';
	for (i = 0; i < n; i++)
		buf[w++] = objects ? '}' : ']';
	return parse_n(buf, w);
}

static void
test_depth(void **state)
{
	(void)state;
	assert_int_equal(nest(1, 0), 0);
	assert_int_equal(nest(JSON_MAX_DEPTH, 0), 0);
	assert_int_equal(doc.n, JSON_MAX_DEPTH + 1);
	assert_int_equal(nest(JSON_MAX_DEPTH + 1, 0), -1);
	assert_int_equal(doc.n, 0);
	assert_int_equal(nest(JSON_MAX_DEPTH, 1), 0);
	assert_int_equal(nest(JSON_MAX_DEPTH + 1, 1), -1);
	assert_int_equal(nest(40, 0), -1);
	/* Scalars do not add depth; siblings do not either. */
	OK("[[[[[[[[[[[[[[[[1,\"a\",true,null]]]]]]]]]]]]]]]]");
	OK("[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]],[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]");
	BAD("[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]");
	BAD("[[[[[[[[[[[[[[[[{}]]]]]]]]]]]]]]]]");
}

static void
test_shadowed(void **state)
{
	(void)state;
	OK("{\"a\":1,\"b\":2,\"a\":3}");
	assert_int_equal(nodes[1].shadowed, 1);
	assert_int_equal(nodes[2].shadowed, 0);
	assert_int_equal(nodes[3].shadowed, 0);

	/* Three times: all but the last. */
	OK("{\"k\":[],\"k\":{},\"k\":\"v\"}");
	assert_int_equal(nodes[1].shadowed, 1);
	assert_int_equal(nodes[2].shadowed, 1);
	assert_int_equal(nodes[3].shadowed, 0);

	/* Compared decoded; exactly (case matters); prefixes differ. */
	OK("{\"a\":1,\"\\u0061\":2,\"A\":3,\"ab\":4}");
	assert_int_equal(nodes[1].shadowed, 1);
	assert_int_equal(nodes[2].shadowed, 0);
	assert_int_equal(nodes[3].shadowed, 0);
	assert_int_equal(nodes[4].shadowed, 0);

	/* Empty keys are keys like any other. */
	OK("{\"\":1,\"\":2}");
	assert_int_equal(nodes[1].shadowed, 1);
	assert_int_equal(nodes[2].shadowed, 0);

	/* Only within one object, never across levels or siblings. */
	OK("{\"a\":{\"a\":1},\"b\":{\"a\":2}}");
	for (size_t i = 0; i < doc.n; i++)
		assert_int_equal(nodes[i].shadowed, 0);
	OK("{\"x\":{\"a\":1,\"a\":2},\"y\":3}");
	assert_int_equal(nodes[1].shadowed, 0);
	assert_int_equal(nodes[2].shadowed, 1);
	assert_int_equal(nodes[3].shadowed, 0);
	assert_int_equal(nodes[4].shadowed, 0);

	/* Array elements have no keys: nothing is shadowed. */
	OK("[\"a\",\"a\"]");
	assert_int_equal(nodes[1].shadowed, 0);
	assert_int_equal(nodes[2].shadowed, 0);
}

static void
test_storage(void **state)
{
	static const char	text[] = "{\"abc\":[\"de\",\"\\u00e9\"]}";
	size_t			len = sizeof(text) - 1;

	(void)state;
	/* 4 nodes; scratch: "abc" + "de" + 2 bytes of e-acute = 7. */
	assert_int_equal(parse_lim(text, len, 4, 7), 0);
	assert_int_equal(doc.n, 4);
	assert_int_equal(doc.scratch_len, 7);
	assert_memory_equal(nodes[3].str, "\xc3\xa9", 2);
	assert_int_equal(parse_lim(text, len, 3, 7), -1);
	assert_int_equal(doc.n, 0);
	assert_int_equal(parse_lim(text, len, 4, 6), -1);
	assert_int_equal(parse_lim(text, len, 0, 7), -1);
	assert_int_equal(parse_lim(text, len, 4, 0), -1);

	/* A multi-byte sequence must fit whole. */
	assert_int_equal(parse_lim("\"\\ud83d\\ude00\"", 14, 1, 4), 0);
	assert_int_equal(parse_lim("\"\\ud83d\\ude00\"", 14, 1, 3), -1);
	assert_int_equal(parse_lim("\"\xf0\x9f\x98\x80\"", 6, 1, 3), -1);

	/* No scratch at all is fine while every string is empty. */
	doc = (struct json_doc){ .nodes = nodes, .cap = NODES };
	assert_int_equal(json_parse("{\"\":[\"\",1]}", 11, &doc), 0);
	assert_int_equal(doc.n, 4);
	assert_int_equal(nodes[1].key_len, 0);
	assert_non_null(nodes[1].key);
	assert_int_equal(nodes[2].str_len, 0);
	assert_non_null(nodes[2].str);
	assert_int_equal(json_parse("\"a\"", 3, &doc), -1);

	/* Bad arguments. */
	assert_int_equal(json_parse(NULL, 0, &doc), -1);
	assert_int_equal(json_parse("1", 1, NULL), -1);
	doc = (struct json_doc){ .nodes = NULL, .cap = 4 };
	assert_int_equal(json_parse("1", 1, &doc), -1);

	/* A long flat array hits the node limit, not the stack. */
	{
		static char	big[8192];
		size_t		w = 0, i;

		big[w++] = '[';
		for (i = 0; i < NODES - 1; i++) {
			if (i > 0)
				big[w++] = ',';
			big[w++] = '0';
		}
		big[w++] = ']';
		assert_int_equal(parse_n(big, w), 0);
		assert_int_equal(doc.n, NODES);
		memcpy(big + w - 1, ",0]", 3);
		assert_int_equal(parse_n(big, w + 2), -1);
	}
}

/*
 * Every prefix of these documents is read right up to the guard page; a
 * proper prefix of a container or string must not parse.
 */
static void
test_prefixes(void **state)
{
	static const char *const docs[] = {
		"{\"health\":[\"unhealthy\"],\"label\":[\"autoheal=true\"],"
		    "\"status\":[\"running\"]}",
		"{\"label\":{\"autoheal=true\":true,\"x\":false},\"n\":null}",
		"[\"\\ud83d\\ude00\",\"\\u0041\\\"\\\\\",\"\xc3\xa9\xf0\x9f\x98\x80\"]",
		"[-1.5e+10,0,true,false,null,{},[]]",
		"\"\\u00e9\"",
	};
	size_t i, n, len;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		len = strlen(docs[i]);
		assert_int_equal(parse_n(docs[i], len), 0);
		for (n = 0; n < len; n++)
			if (parse_n(docs[i], n) != -1)
				fail_msg("prefix %zu of %s parsed", n, docs[i]);
	}
	/* Numbers and literals cut short right at the guard. */
	assert_int_equal(parse_n("1e", 2), -1);
	assert_int_equal(parse_n("-", 1), -1);
	assert_int_equal(parse_n("1.", 2), -1);
	assert_int_equal(parse_n("12", 2), 0);
	assert_int_equal(parse_n("tr", 2), -1);
	assert_int_equal(parse_n("\"\\u12", 5), -1);
	assert_int_equal(parse_n("\"\xe2\x82", 3), -1);
	assert_int_equal(parse_n("\"\xf0", 2), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_shadowed),
		cmocka_unit_test(test_storage),
		cmocka_unit_test(test_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
