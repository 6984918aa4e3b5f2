/*
 * test_escape.c - esc_text / esc_json.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "escape.h"

typedef size_t (*escfn)(char *, size_t, const char *, size_t);

/* Independent expectation for one byte, written out the long way. */
static void
want_text(unsigned c, char *out)
{
	if (c == '"')
		strcpy(out, "\\\"");
	else if (c == '\\')
		strcpy(out, "\\\\");
	else if (c >= 0x20 && c <= 0x7e)
		snprintf(out, 8, "%c", (int)c);
	else
		snprintf(out, 8, "\\x%02x", c);
}

static void
want_json(unsigned c, char *out)
{
	if (c == '"')
		strcpy(out, "\\\"");
	else if (c == '\\')
		strcpy(out, "\\\\");
	else if (c == '\n')
		strcpy(out, "\\n");
	else if (c == '\r')
		strcpy(out, "\\r");
	else if (c == '\t')
		strcpy(out, "\\t");
	else if (c >= 0x20 && c <= 0x7e)
		snprintf(out, 8, "%c", (int)c);
	else
		snprintf(out, 8, "\\u%04x", c);
}

/* Output must be NUL-terminated at ret and hold only printable ASCII. */
static void
assert_clean(const char *out, size_t ret)
{
	size_t i;

	assert_int_equal(strlen(out), ret);
	for (i = 0; i < ret; i++) {
		unsigned char c = (unsigned char)out[i];

		if (c < 0x20 || c > 0x7e)
			fail_msg("raw byte 0x%02x at %zu", c, i);
	}
}

#define EQ(fn, src, want) do {						\
	char o_[256];							\
	size_t r_ = fn(o_, sizeof(o_), (src), sizeof(src) - 1);		\
	assert_string_equal(o_, (want));				\
	assert_int_equal(r_, strlen(want));				\
} while (0)

static void
test_text_basic(void **state)
{
	(void)state;
	EQ(esc_text, "", "");
	EQ(esc_text, "GET /_ping", "GET /_ping");
	EQ(esc_text, "a\"b", "a\\\"b");
	EQ(esc_text, "a\\b", "a\\\\b");
	EQ(esc_text, "\r\n", "\\x0d\\x0a");
	EQ(esc_text, "a\0b", "a\\x00b");
	EQ(esc_text, "\t\x1b[31m", "\\x09\\x1b[31m");
	EQ(esc_text, "\x7f\x80\xff", "\\x7f\\x80\\xff");
	EQ(esc_text, "caf\xc3\xa9", "caf\\xc3\\xa9");
	EQ(esc_text, " ~", " ~");
	/* a forged log line stays on one line */
	EQ(esc_text, "x\r\n2024 level=info msg=\"ok\"",
	    "x\\x0d\\x0a2024 level=info msg=\\\"ok\\\"");
}

static void
test_json_basic(void **state)
{
	(void)state;
	EQ(esc_json, "", "");
	EQ(esc_json, "GET /_ping", "GET /_ping");
	EQ(esc_json, "a\"b", "a\\\"b");
	EQ(esc_json, "a\\b", "a\\\\b");
	EQ(esc_json, "\r\n\t", "\\r\\n\\t");
	EQ(esc_json, "a\0b", "a\\u0000b");
	EQ(esc_json, "\x01\x1f", "\\u0001\\u001f");
	EQ(esc_json, "\x7f\x80\xff", "\\u007f\\u0080\\u00ff");
	EQ(esc_json, "/", "/");
	EQ(esc_json, "</script>", "</script>");
}

static void
every_byte(escfn fn, void (*want)(unsigned, char *))
{
	char src[1], out[16], exp[8];
	unsigned c;
	size_t n;

	for (c = 0; c < 256; c++) {
		src[0] = (char)c;
		n = fn(out, sizeof(out), src, 1);
		want(c, exp);
		if (strcmp(out, exp) != 0)
			fail_msg("byte 0x%02x: got '%s' want '%s'", c, out, exp);
		assert_clean(out, n);
	}
}

static void
test_every_byte(void **state)
{
	(void)state;
	every_byte(esc_text, want_text);
	every_byte(esc_json, want_json);
}

static void
all_bytes_at_once(escfn fn, void (*want)(unsigned, char *))
{
	static char out[256 * 6 + 1], exp[256 * 6 + 1];
	char src[256], piece[8];
	size_t n, i;

	for (i = 0; i < 256; i++)
		src[i] = (char)i;
	exp[0] = '\0';
	for (i = 0; i < 256; i++) {
		want((unsigned)i, piece);
		strcat(exp, piece);
	}
	n = fn(out, sizeof(out), src, sizeof(src));
	assert_clean(out, n);
	assert_string_equal(out, exp);
	assert_null(memchr(out, '\r', n));
	assert_null(memchr(out, '\n', n));
}

static void
test_all_bytes_at_once(void **state)
{
	(void)state;
	all_bytes_at_once(esc_text, want_text);
	all_bytes_at_once(esc_json, want_json);
}

/*
 * For every cap: the output fits, is clean, and is either the full escape
 * or the escape of some whole-byte prefix followed by "...".
 */
static void
truncation(escfn fn, void (*want)(unsigned, char *), size_t mincap)
{
	static const char src[] = "ab\"\\\r\n\x01\x7f\xff~z\tq";
	char full[256], prefix[256][256], out[300], piece[8];
	size_t len = sizeof(src) - 1, flen, cap, k, n;

	/* prefix[k] = escape of src[0..k) */
	prefix[0][0] = '\0';
	for (k = 0; k < len; k++) {
		want((unsigned char)src[k], piece);
		snprintf(prefix[k + 1], sizeof(prefix[k + 1]), "%s%s",
		    prefix[k], piece);
	}
	strcpy(full, prefix[len]);
	flen = strlen(full);

	for (cap = mincap; cap <= flen + 4; cap++) {
		memset(out, 'Z', sizeof(out));
		n = fn(out, cap, src, len);
		assert_true(n < cap);
		assert_clean(out, n);
		assert_true(out[cap] == 'Z');	/* nothing past cap */
		if (cap > flen) {
			assert_string_equal(out, full);
			continue;
		}
		/* truncated: ends in "...", cut at a piece boundary */
		assert_true(n >= 3);
		assert_memory_equal(out + n - 3, "...", 3);
		for (k = 0; k < len; k++)
			if (strlen(prefix[k]) == n - 3 &&
			    memcmp(prefix[k], out, n - 3) == 0)
				break;
		if (k == len)
			fail_msg("cap %zu: '%s' splits an escape", cap, out);
		/* and it used the room it had: the next piece did not fit */
		assert_true(strlen(prefix[k + 1]) + 3 > cap - 1);
	}
}

static void
test_truncation(void **state)
{
	(void)state;
	truncation(esc_text, want_text, 4);
	truncation(esc_json, want_json, 7);
}

static void
test_exact_fit(void **state)
{
	char out[8];

	(void)state;
	/* 7 bytes of output in cap 8: no "..." needed */
	assert_int_equal(esc_text(out, 8, "abcdefg", 7), 7);
	assert_string_equal(out, "abcdefg");
	assert_int_equal(esc_text(out, 8, "abcdefgh", 8), 7);
	assert_string_equal(out, "abcd...");
	assert_int_equal(esc_text(out, 8, "abc\n", 4), 7);
	assert_string_equal(out, "abc\\x0a");
	assert_int_equal(esc_text(out, 8, "abcd\n", 5), 7);
	assert_string_equal(out, "abcd...");
	assert_int_equal(esc_json(out, 8, "a\x01", 2), 7);
	assert_string_equal(out, "a\\u0001");
	assert_int_equal(esc_json(out, 8, "ab\x01", 3), 5);
	assert_string_equal(out, "ab...");
	/* minimum caps from the header */
	assert_int_equal(esc_text(out, 4, "abcd", 4), 3);
	assert_string_equal(out, "...");
	assert_int_equal(esc_text(out, 4, "abc", 3), 3);
	assert_string_equal(out, "abc");
	assert_int_equal(esc_json(out, 7, "\n\n\n\n", 4), 5);
	assert_string_equal(out, "\\n...");
}

/* Below the documented minimum: still safe, still terminated. */
static void
test_tiny_caps(void **state)
{
	char out[8];

	(void)state;
	memset(out, 'Z', sizeof(out));
	assert_int_equal(esc_text(out, 0, "abc", 3), 0);
	assert_true(out[0] == 'Z');
	assert_int_equal(esc_text(out, 1, "abc", 3), 0);
	assert_string_equal(out, "");
	assert_int_equal(esc_text(out, 2, "abc", 3), 1);
	assert_string_equal(out, ".");
	assert_int_equal(esc_text(out, 3, "abc", 3), 2);
	assert_string_equal(out, "..");
	assert_int_equal(esc_text(out, 2, "a", 1), 1);
	assert_string_equal(out, "a");
	assert_int_equal(esc_json(out, 3, "\n", 1), 2);
	assert_string_equal(out, "\\n");
	assert_int_equal(esc_json(out, 3, "\x01", 1), 2);
	assert_string_equal(out, "..");
	assert_int_equal(esc_text(NULL, 10, "abc", 3), 0);
	assert_int_equal(esc_text(out, sizeof(out), NULL, 5), 0);
	assert_string_equal(out, "");
	assert_int_equal(esc_json(out, sizeof(out), NULL, 0), 0);
	assert_string_equal(out, "");
}

/* Pseudo-random inputs: output is always clean and JSON-decodable. */
static void
test_random(void **state)
{
	uint64_t s = 0x2545f4914f6cdd1dull;
	char src[64], out[128];
	size_t iter, n, len, i, cap;

	(void)state;
	for (iter = 0; iter < 100000; iter++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		len = s % sizeof(src);
		for (i = 0; i < len; i++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			src[i] = (char)(s >> 24);
		}
		cap = 7 + (s >> 40) % (sizeof(out) - 7);
		n = esc_text(out, cap, src, len);
		assert_true(n < cap);
		assert_clean(out, n);
		n = esc_json(out, cap, src, len);
		assert_true(n < cap);
		assert_clean(out, n);
		/* every backslash starts a complete JSON escape */
		for (i = 0; i < n; i++) {
			if (out[i] != '\\')
				continue;
			assert_true(i + 1 < n);
			if (out[i + 1] == 'u') {
				assert_true(i + 5 < n);
				i += 5;
			} else {
				assert_non_null(strchr("\"\\nrt", out[i + 1]));
				i++;
			}
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_basic),
		cmocka_unit_test(test_json_basic),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_all_bytes_at_once),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_exact_fit),
		cmocka_unit_test(test_tiny_caps),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
