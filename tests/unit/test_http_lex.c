/*
 * test_http_lex.c - unit tests for the lexical pieces shared by the request
 * and response parsers.  Field lines are lexed from bytes placed right
 * before a PROT_NONE page (guard.h), so any over-read crashes the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "http_lex.h"
#include "guard.h"

#define LIT(s)	(s), (sizeof(s) - 1)

static int
mem_is(const char *p, size_t n, const char *lit)
{
	return p != NULL && n == strlen(lit) && memcmp(p, lit, n) == 0;
}

static void
test_tchar(void **state)
{
	static const char	tchars[] = "!#$%&'*+-.^_`|~";
	int			c, want;

	(void)state;
	for (c = 0; c < 256; c++) {
		want = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') ||
		    (c != 0 && strchr(tchars, c) != NULL);
		assert_int_equal(lex_is_tchar((unsigned char)c), want);
	}
}

static void
test_hex(void **state)
{
	int	c, want;

	(void)state;
	for (c = 0; c < 256; c++) {
		if (c >= '0' && c <= '9')
			want = c - '0';
		else if (c >= 'a' && c <= 'f')
			want = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			want = c - 'A' + 10;
		else
			want = -1;
		assert_int_equal(lex_hex((unsigned char)c), want);
	}
}

static void
test_token_eq(void **state)
{
	(void)state;
	assert_true(lex_token_eq(LIT("Content-Length"), "content-length"));
	assert_true(lex_token_eq(LIT("CLOSE"), "close"));
	assert_true(lex_token_eq("", 0, ""));
	assert_false(lex_token_eq(LIT("close"), "clos"));
	assert_false(lex_token_eq(LIT("clos"), "close"));
	assert_false(lex_token_eq(LIT("close"), ""));
	/* The literal is lower case; an upper-case literal never matches. */
	assert_false(lex_token_eq(LIT("close"), "CLOSE"));
	/* Only ASCII letters fold. */
	assert_false(lex_token_eq(LIT("\xc3\x89"), "\xc3\xa9"));
	/* s need not be NUL-terminated: only len bytes are read. */
	assert_true(lex_token_eq("hostXYZ", 4, "host"));
}

static void
test_name_eq(void **state)
{
	(void)state;
	assert_true(lex_name_eq(LIT("X-Foo"), LIT("x-FOO")));
	assert_true(lex_name_eq("", 0, "", 0));
	assert_false(lex_name_eq(LIT("X-Foo"), LIT("X-Fo")));
	assert_false(lex_name_eq(LIT("X-Foo"), LIT("X-Fop")));
	assert_false(lex_name_eq(LIT("a"), LIT("\x81")));
	assert_true(lex_name_eq("abc!", 3, "ABC?", 3));
}

/* Lex one line s[0..n) placed at the end of a guarded page. */
static enum lex_line
gline(const char *s, size_t n, int full, size_t *pos, struct req_hdr *hd,
    const char **why)
{
	const char	*p = guard_place(0, s, n);

	*pos = 0;
	*why = NULL;
	memset(hd, 0, sizeof(*hd));
	return lex_field_line(p, n, pos, full, hd, why);
}

static void
test_field_line(void **state)
{
	static const char	in[] = "Host:  docker \t\r\nX: y\r\n";
	struct req_hdr		hd;
	const char		*why;
	size_t			pos;

	(void)state;
	assert_int_equal(gline(LIT("\r\n"), 0, &pos, &hd, &why),
	    LEX_LINE_END);
	assert_int_equal(pos, 2);

	assert_int_equal(gline(LIT(in), 0, &pos, &hd, &why), LEX_LINE_FIELD);
	assert_int_equal(pos, 17);
	assert_true(mem_is(hd.name, hd.name_len, "Host"));
	assert_true(mem_is(hd.value, hd.value_len, "docker"));
	assert_null(why);

	/* Starting mid-buffer, at the next line. */
	pos = 17;
	assert_int_equal(lex_field_line(LIT(in), &pos, 0, &hd, NULL),
	    LEX_LINE_FIELD);
	assert_int_equal(pos, sizeof(in) - 1);
	assert_true(mem_is(hd.name, hd.name_len, "X"));
	assert_true(mem_is(hd.value, hd.value_len, "y"));

	assert_int_equal(gline(LIT("Empty:\r\n"), 0, &pos, &hd, &why),
	    LEX_LINE_FIELD);
	assert_int_equal(hd.value_len, 0);
	assert_int_equal(gline(LIT("Blank: \t \r\n"), 0, &pos, &hd, &why),
	    LEX_LINE_FIELD);
	assert_int_equal(hd.value_len, 0);
	/* Inner whitespace and obs-text are kept. */
	assert_int_equal(gline(LIT("V: a \t b\x80\xff\r\n"), 0, &pos, &hd,
	    &why), LEX_LINE_FIELD);
	assert_true(mem_is(hd.value, hd.value_len, "a \t b\x80\xff"));
}

static void
test_field_line_full(void **state)
{
	struct req_hdr	hd;
	const char	*why;
	size_t		pos;

	(void)state;
	/* full: a field is refused before it is read, even an invalid one. */
	assert_int_equal(gline(LIT("Host: d\r\n"), 1, &pos, &hd, &why),
	    LEX_LINE_FULL);
	assert_int_equal(pos, 0);
	assert_int_equal(gline(LIT("H"), 1, &pos, &hd, &why), LEX_LINE_FULL);
	assert_int_equal(gline(LIT("@"), 1, &pos, &hd, &why), LEX_LINE_FULL);
	/* The end, and lines malformed at their first byte, still count. */
	assert_int_equal(gline(LIT("\r\n"), 1, &pos, &hd, &why),
	    LEX_LINE_END);
	assert_int_equal(gline(LIT("\n"), 1, &pos, &hd, &why), LEX_LINE_BAD);
	assert_int_equal(gline(LIT(" x\r\n"), 1, &pos, &hd, &why),
	    LEX_LINE_BAD);
}

struct bad {
	const char	*in;
	size_t		 len;
	const char	*why;
	int		 line;
};
#define B(s, w)	{ (s), sizeof(s) - 1, (w), __LINE__ }

static const struct bad bads[] = {
	B("\rX", "bare CR in head"),
	B("\n", "bare LF in head"),
	B(" X: y\r\n", "obsolete line folding"),
	B("\tX: y\r\n", "obsolete line folding"),
	B("X : y\r\n", "whitespace before colon"),
	B("X\t: y\r\n", "whitespace before colon"),
	B("X\n", "bare LF in head"),
	B("X\r\n", "malformed field name"),
	B("X@: y\r\n", "malformed field name"),
	B("\"X\": y\r\n", "malformed field name"),
	B(": y\r\n", "empty field name"),
	B("X: y\n", "bare LF in head"),
	B("X: y\rz\r\n", "bare CR in head"),
	B("X: y\r\r\n", "bare CR in head"),
	B("X: a\x01" "b\r\n", "control byte in field value"),
	B("X: a\x7f\r\n", "control byte in field value"),
	B("X: a\0b\r\n", "control byte in field value"),
};

static void
test_field_line_bad(void **state)
{
	struct req_hdr	hd;
	const char	*why;
	size_t		i, pos;

	(void)state;
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		if (gline(bads[i].in, bads[i].len, 0, &pos, &hd, &why) !=
		    LEX_LINE_BAD || why == NULL ||
		    strcmp(why, bads[i].why) != 0)
			fail_msg("line %d: want \"%s\", got \"%s\"",
			    bads[i].line, bads[i].why, why ? why : "(none)");
		assert_int_equal(pos, 0);
		/* why may be NULL. */
		pos = 0;
		assert_int_equal(lex_field_line(guard_place(0, bads[i].in,
		    bads[i].len), bads[i].len, &pos, 0, &hd, NULL),
		    LEX_LINE_BAD);
	}
}

/* Every proper prefix of a valid line is SHORT and reads nothing past it. */
static void
test_field_line_prefixes(void **state)
{
	static const char *const lines[] = {
		"\r\n", "Host: docker\r\n", "X:\r\n", "X-Y:  a b \t\r\n",
	};
	struct req_hdr	hd;
	const char	*why;
	size_t		i, n, len, pos;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		len = strlen(lines[i]);
		for (n = 0; n < len; n++) {
			assert_int_equal(gline(lines[i], n, 0, &pos, &hd, &why),
			    LEX_LINE_SHORT);
			assert_int_equal(pos, 0);
		}
		assert_int_not_equal(gline(lines[i], len, 0, &pos, &hd, &why),
		    LEX_LINE_SHORT);
		assert_int_equal(pos, len);
	}
}

static void
test_list_next(void **state)
{
	static const char	v[] = " ,a, b\t,,\tc d ,, ";
	const char		*tok;
	size_t			pos = 0, tl;

	(void)state;
	assert_int_equal(lex_list_next(LIT(v), &pos, &tok, &tl), 1);
	assert_true(mem_is(tok, tl, "a"));
	assert_int_equal(lex_list_next(LIT(v), &pos, &tok, &tl), 1);
	assert_true(mem_is(tok, tl, "b"));
	assert_int_equal(lex_list_next(LIT(v), &pos, &tok, &tl), 1);
	assert_true(mem_is(tok, tl, "c d"));
	assert_int_equal(lex_list_next(LIT(v), &pos, &tok, &tl), 0);
	assert_int_equal(pos, sizeof(v) - 1);
	assert_int_equal(lex_list_next(LIT(v), &pos, &tok, &tl), 0);

	pos = 0;
	assert_int_equal(lex_list_next("", 0, &pos, &tok, &tl), 0);
	assert_int_equal(lex_list_next(LIT(" , ,"), &pos, &tok, &tl), 0);
}

static void
test_conn_options(void **state)
{
	unsigned	o;

	(void)state;
	o = 0;
	assert_int_equal(lex_conn_options(LIT("Close"), 1, &o), 0);
	assert_int_equal(o, LEX_CONN_CLOSE);
	o = 0;
	assert_int_equal(lex_conn_options(LIT(" keep-alive , UPGRADE,x-foo"),
	    1, &o), 0);
	assert_int_equal(o, LEX_CONN_KEEP_ALIVE | LEX_CONN_UPGRADE);
	/* Bits are ORed into what is there. */
	o = LEX_CONN_CLOSE;
	assert_int_equal(lex_conn_options(LIT("upgrade"), 1, &o), 0);
	assert_int_equal(o, LEX_CONN_CLOSE | LEX_CONN_UPGRADE);
	o = 0;
	assert_int_equal(lex_conn_options("", 0, 1, &o), 0);
	assert_int_equal(o, 0);

	/* Strict: options are tokens; lenient: anything goes. */
	o = 0;
	assert_int_equal(lex_conn_options(LIT("close, a b"), 1, &o), -1);
	assert_int_equal(o, LEX_CONN_CLOSE);
	o = 0;
	assert_int_equal(lex_conn_options(LIT("a@b, close"), 1, &o), -1);
	assert_int_equal(o, 0);
	o = 0;
	assert_int_equal(lex_conn_options(LIT("a@b, close, \"x\""), 0, &o),
	    0);
	assert_int_equal(o, LEX_CONN_CLOSE);
}

static void
test_conn_lists(void **state)
{
	const struct req_hdr	h[] = {
		{ LIT("X-Foo"), LIT("bar") },
		{ LIT("CONNECTION"), LIT("x-one, X-Two") },
		{ LIT("Connection"), LIT("close") },
		{ LIT("Connectionx"), LIT("x-three") },
	};

	(void)state;
	assert_true(lex_conn_lists(h, 4, LIT("x-one")));
	assert_true(lex_conn_lists(h, 4, LIT("x-two")));
	assert_true(lex_conn_lists(h, 4, LIT("Close")));
	assert_false(lex_conn_lists(h, 4, LIT("x-three")));
	assert_false(lex_conn_lists(h, 4, LIT("bar")));
	assert_false(lex_conn_lists(h, 4, LIT("x-on")));
	assert_false(lex_conn_lists(h, 2, LIT("close")));
	assert_false(lex_conn_lists(h, 0, LIT("x-one")));
}

static void
test_content_length(void **state)
{
	uint64_t	v;

	(void)state;
	v = 7;
	assert_int_equal(lex_content_length(LIT("0"), &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(lex_content_length(LIT("000123"), &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(lex_content_length(LIT("9007199254740992"), &v), 0);
	assert_true(v == LEX_MAX_CL);

	v = 7;
	assert_int_equal(lex_content_length(LIT("9007199254740993"), &v), -1);
	assert_int_equal(lex_content_length(LIT("18446744073709551616"), &v),
	    -1);
	assert_int_equal(lex_content_length(LIT("99999999999999999999999"),
	    &v), -1);
	assert_int_equal(lex_content_length("", 0, &v), -1);
	assert_int_equal(lex_content_length(LIT("+1"), &v), -1);
	assert_int_equal(lex_content_length(LIT("-1"), &v), -1);
	assert_int_equal(lex_content_length(LIT(" 1"), &v), -1);
	assert_int_equal(lex_content_length(LIT("1 "), &v), -1);
	assert_int_equal(lex_content_length(LIT("1,1"), &v), -1);
	assert_int_equal(lex_content_length(LIT("0x10"), &v), -1);
	assert_int_equal(v, 7);
	/* Only len bytes are read. */
	assert_int_equal(lex_content_length("12abc", 2, &v), 0);
	assert_int_equal(v, 12);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tchar),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_token_eq),
		cmocka_unit_test(test_name_eq),
		cmocka_unit_test(test_field_line),
		cmocka_unit_test(test_field_line_full),
		cmocka_unit_test(test_field_line_bad),
		cmocka_unit_test(test_field_line_prefixes),
		cmocka_unit_test(test_list_next),
		cmocka_unit_test(test_conn_options),
		cmocka_unit_test(test_conn_lists),
		cmocka_unit_test(test_content_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
