/*
 * test_canon.c - canon_target / canon_serialize.
 *
 * Every refusal rule has at least one case here, checked against the exact
 * reason so that a case cannot pass by tripping a different rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "canon.h"

/* Reasons, as canon.c spells them. */
#define R_START   "target must start with '/'"
#define R_BYTE    "invalid byte in target"
#define R_FRAG    "fragment in target"
#define R_PCT     "malformed percent escape in path"
#define R_SLASH   "encoded slash in path"
#define R_QH      "encoded '?' or '#' in path"
#define R_DOUBLE  "double percent encoding in path"
#define R_BSLASH  "backslash in path"
#define R_CTRL    "control byte or space in path"
#define R_UTF8    "invalid UTF-8 in path"
#define R_VER3 "a three-part API version is only valid before /libpod"
#define R_VER     "malformed API version prefix"
#define R_VEREMPTY "empty path after API version"
#define R_EMPTY   "empty segment in path"
#define R_DOT     "dot segment in path"
#define R_NSEG    "too many path segments"
#define R_LONG    "path too long"
#define R_QPCT    "malformed percent escape in query"

static struct canon_target ct;

/*
 * Copy t so that it ends exactly where a PROT_NONE page starts: every
 * table case below then doubles as an over-read test.
 */
#define GUARD_SPAN (64 * 1024)

static const char *
at_guard(const char *t, size_t len)
{
	static char *end;

	if (end == NULL) {
		long pg = sysconf(_SC_PAGESIZE);
		char *map;

		assert_true(pg > 0 && GUARD_SPAN % pg == 0);
		map = mmap(NULL, GUARD_SPAN + (size_t)pg,
		    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		assert_true(map != MAP_FAILED);
		assert_int_equal(mprotect(map + GUARD_SPAN, (size_t)pg,
		    PROT_NONE), 0);
		end = map + GUARD_SPAN;
	}
	assert_true(len <= GUARD_SPAN);
	memcpy(end - len, t, len);
	return end - len;
}

static void
check_ok(const char *t, size_t len, const char *ver, const char *path,
    size_t plen, const char *query, int line)
{
	const char *why = NULL, *g = at_guard(t, len);

	if (canon_target(g, len, &ct, &why) != 0)
		fail_msg("line %d: '%s' refused: %s", line, t, why);
	if (strcmp(ct.version, ver) != 0)
		fail_msg("line %d: '%s' version '%s' != '%s'", line, t,
		    ct.version, ver);
	if (ct.path_len != plen || memcmp(ct.path, path, plen) != 0 ||
	    ct.path[plen] != '\0')
		fail_msg("line %d: '%s' path '%s' != '%s'", line, t, ct.path,
		    path);
	if (query == NULL) {
		if (ct.query != NULL)
			fail_msg("line %d: '%s' unexpected query", line, t);
	} else {
		if (ct.query == NULL || ct.query_len != strlen(query) ||
		    memcmp(ct.query, query, ct.query_len) != 0)
			fail_msg("line %d: '%s' query mismatch", line, t);
		/* The query borrows from the caller's buffer. */
		if (ct.query < g || ct.query > g + len)
			fail_msg("line %d: query does not point into target",
			    line);
	}
}

static void
check_bad(const char *t, size_t len, const char *reason, int line)
{
	const char *why = NULL;

	if (canon_target(at_guard(t, len), len, &ct, &why) != -1)
		fail_msg("line %d: '%s' accepted as '%s'", line, t, ct.path);
	if (why == NULL)
		fail_msg("line %d: '%s' refused without reason", line, t);
	if (reason != NULL && strcmp(why, reason) != 0)
		fail_msg("line %d: '%s' refused with '%s', expected '%s'",
		    line, t, why, reason);
}

#define OK(t, v, p, q) check_ok((t), strlen(t), (v), (p), strlen(p), (q), \
	__LINE__)
#define BAD(t, r) check_bad((t), strlen(t), (r), __LINE__)

static void
test_basic(void **state)
{
	(void)state;
	OK("/", "", "/", NULL);
	OK("/_ping", "", "/_ping", NULL);
	OK("/containers/json", "", "/containers/json", NULL);
	OK("/info?x=1", "", "/info", "x=1");
	OK("/?", "", "/", "");
	OK("/a?", "", "/a", "");
	OK("/a?b?c", "", "/a", "b?c");
	OK("/a??", "", "/a", "?");
	OK("/containers/json?all=1&filters=%7B%22a%22%7D", "",
	    "/containers/json", "all=1&filters=%7B%22a%22%7D");
	OK("/a/b/c/d", "", "/a/b/c/d", NULL);
	OK("/...", "", "/...", NULL);
	OK("/.a/a./a.b/..a/a..", "", "/.a/a./a.b/..a/a..", NULL);
	OK("/a-b_c~d!e$f&g'h(i)j*k+l,m;n=o:p@q", "",
	    "/a-b_c~d!e$f&g'h(i)j*k+l,m;n=o:p@q", NULL);
	OK("/\"<>[]^`{|}", "", "/\"<>[]^`{|}", NULL);
}

static void
test_empty_query_is_not_null(void **state)
{
	const char t[] = "/x?";

	(void)state;
	assert_int_equal(canon_target(t, 3, &ct, NULL), 0);
	assert_non_null(ct.query);
	assert_int_equal(ct.query_len, 0);
	assert_ptr_equal(ct.query, t + 3);
	assert_int_equal(canon_target(t, 2, &ct, NULL), 0);
	assert_null(ct.query);
	assert_int_equal(ct.query_len, 0);
}

static void
test_not_origin_form(void **state)
{
	const char *why = NULL;

	(void)state;
	BAD("", R_START);
	BAD("*", R_START);
	BAD("a/b", R_START);
	BAD("http://host/_ping", R_START);
	BAD("?a", R_START);
	BAD("%2F", R_START);
	assert_int_equal(canon_target(NULL, 0, &ct, &why), -1);
	assert_string_equal(why, R_START);
	assert_int_equal(canon_target("/", 1, NULL, &why), -1);
	assert_non_null(why);
	/* reason may be NULL */
	assert_int_equal(canon_target("x", 1, &ct, NULL), -1);
}

static void
test_raw_bytes(void **state)
{
	char buf[8];
	unsigned c;

	(void)state;
	BAD("/a b", R_BYTE);
	BAD("/a\tb", R_BYTE);
	BAD("/a\rb", R_BYTE);
	BAD("/a\nb", R_BYTE);
	BAD("/a\x7f", R_BYTE);
	BAD("/a\x80", R_BYTE);
	BAD("/caf\xc3\xa9", R_BYTE);	/* raw UTF-8 must be escaped */
	BAD("/a?b c", R_BYTE);
	BAD("/a?b\x01", R_BYTE);
	BAD("/a#b", R_FRAG);
	BAD("/a?b#c", R_FRAG);
	BAD("/#", R_FRAG);
	/* NUL inside the given length */
	check_bad("/a\0b", 4, R_BYTE, __LINE__);
	check_bad("/a?\0", 4, R_BYTE, __LINE__);
	/* len excludes the NUL: the string is only read up to len */
	check_ok("/ab", 2, "", "/a", 2, NULL, __LINE__);

	/* every byte value in the path: only 0x21..0x7e minus '#' pass */
	for (c = 0; c < 256; c++) {
		int r;

		buf[0] = '/';
		buf[1] = 'a';
		buf[2] = (char)c;
		buf[3] = 'b';
		r = canon_target(buf, 4, &ct, NULL);
		if (c < 0x21 || c > 0x7e || c == '#' || c == '%' ||
		    c == '\\' || c == '/')
			continue;	/* covered by their own cases */
		if (r != 0)
			fail_msg("byte 0x%02x refused", c);
		if (c == '?')
			assert_string_equal(ct.path, "/a");
		else
			assert_int_equal((unsigned char)ct.path[2], c);
	}
	/* the same byte values in the query */
	for (c = 0; c < 256; c++) {
		int r;

		buf[0] = '/';
		buf[1] = '?';
		buf[2] = (char)c;
		r = canon_target(buf, 3, &ct, NULL);
		if (c < 0x21 || c > 0x7e || c == '#' || c == '%')
			assert_int_equal(r, -1);
		else
			assert_int_equal(r, 0);
	}
}

static void
test_percent_decoding(void **state)
{
	(void)state;
	OK("/%41", "", "/A", NULL);
	OK("/%7e%7E", "", "/~~", NULL);
	OK("/a%2db", "", "/a-b", NULL);
	OK("/%3a%3A", "", "/::", NULL);
	OK("/%22%3c%7b", "", "/\"<{", NULL);
	OK("/containers/%61bc/json", "", "/containers/abc/json", NULL);
	/* decoded once only: the result is never decoded again */
	OK("/a?%25", "", "/a", "%25");

	BAD("/%", R_PCT);
	BAD("/a%", R_PCT);
	BAD("/a%4", R_PCT);
	BAD("/a%4?x", R_PCT);	/* the escape may not run into the query */
	BAD("/a%?41", R_PCT);
	BAD("/%zz", R_PCT);
	BAD("/%4g", R_PCT);
	BAD("/%g4", R_PCT);
	BAD("/%-1", R_PCT);
	BAD("/%%41", R_PCT);
	BAD("/% 1", R_BYTE);
}

static void
test_refused_decoded_bytes(void **state)
{
	(void)state;
	BAD("/a%2Fb", R_SLASH);
	BAD("/a%2fb", R_SLASH);
	BAD("/%2F", R_SLASH);
	BAD("/v1.41%2Finfo", R_SLASH);
	BAD("/a\\b", R_BSLASH);
	BAD("/a%5Cb", R_BSLASH);
	BAD("/a%5cb", R_BSLASH);
	BAD("/\\", R_BSLASH);
	BAD("/a%3Fb", R_QH);
	BAD("/a%3fb", R_QH);
	BAD("/a%23b", R_QH);
	BAD("/a%25", R_DOUBLE);
	BAD("/a%252F", R_DOUBLE);
	BAD("/a%2541", R_DOUBLE);
	BAD("/a%00", R_CTRL);
	BAD("/a%01", R_CTRL);
	BAD("/a%09", R_CTRL);
	BAD("/a%0A", R_CTRL);
	BAD("/a%0d", R_CTRL);
	BAD("/a%1F", R_CTRL);
	BAD("/a%20b", R_CTRL);
	BAD("/a%7F", R_CTRL);
}

/* Every single escaped byte: accepted exactly when harmless ASCII. */
static void
test_every_escaped_byte(void **state)
{
	char buf[16];
	unsigned c;

	(void)state;
	for (c = 0; c < 256; c++) {
		int r, want;

		snprintf(buf, sizeof(buf), "/a%%%02Xb", c);
		r = canon_target(buf, strlen(buf), &ct, NULL);
		want = c >= 0x21 && c <= 0x7e && c != '/' && c != '\\' &&
		    c != '?' && c != '#' && c != '%';
		if ((r == 0) != want)
			fail_msg("%%%02X: got %d", c, r);
		if (r == 0) {
			assert_int_equal(ct.path_len, 4);
			assert_int_equal((unsigned char)ct.path[2], c);
		}
	}
}

static void
test_utf8(void **state)
{
	(void)state;
	OK("/caf%C3%A9", "", "/caf\xc3\xa9", NULL);
	OK("/%c3%a9", "", "/\xc3\xa9", NULL);
	OK("/%C2%80", "", "/\xc2\x80", NULL);
	OK("/%DF%BF", "", "/\xdf\xbf", NULL);
	OK("/%E0%A0%80", "", "/\xe0\xa0\x80", NULL);
	OK("/%E2%82%AC", "", "/\xe2\x82\xac", NULL);
	OK("/%ED%9F%BF", "", "/\xed\x9f\xbf", NULL);	/* U+D7FF */
	OK("/%EE%80%80", "", "/\xee\x80\x80", NULL);	/* U+E000 */
	OK("/%EF%BF%BF", "", "/\xef\xbf\xbf", NULL);
	OK("/%F0%90%80%80", "", "/\xf0\x90\x80\x80", NULL);
	OK("/%F0%9F%98%80", "", "/\xf0\x9f\x98\x80", NULL);
	OK("/%F4%8F%BF%BF", "", "/\xf4\x8f\xbf\xbf", NULL);	/* U+10FFFF */
	OK("/%C3%A9/x", "", "/\xc3\xa9/x", NULL);

	/* overlong */
	BAD("/%C0%AF", R_UTF8);		/* '/' */
	BAD("/%C0%AE", R_UTF8);		/* '.' */
	BAD("/%C0%AE%C0%AE", R_UTF8);
	BAD("/%C1%BF", R_UTF8);
	BAD("/%C0%80", R_UTF8);
	BAD("/%E0%80%AF", R_UTF8);
	BAD("/%E0%9F%BF", R_UTF8);
	BAD("/%F0%80%80%AF", R_UTF8);
	BAD("/%F0%8F%BF%BF", R_UTF8);
	/* surrogates */
	BAD("/%ED%A0%80", R_UTF8);
	BAD("/%ED%BF%BF", R_UTF8);
	BAD("/%ED%B0%80", R_UTF8);
	/* above U+10FFFF and never-valid lead bytes */
	BAD("/%F4%90%80%80", R_UTF8);
	BAD("/%F5%80%80%80", R_UTF8);
	BAD("/%F8%88%80%80%80", R_UTF8);
	BAD("/%FE", R_UTF8);
	BAD("/%FF", R_UTF8);
	/* stray continuation bytes */
	BAD("/%80", R_UTF8);
	BAD("/%BF", R_UTF8);
	BAD("/a%A9", R_UTF8);
	BAD("/%C3%A9%A9", R_UTF8);
	/* truncated sequences */
	BAD("/%C3", R_UTF8);
	BAD("/%C3/x", R_UTF8);
	BAD("/%C3A", R_UTF8);
	BAD("/%E2%82", R_UTF8);
	BAD("/%E2%82/", R_UTF8);
	BAD("/%F0%9F%98", R_UTF8);
	BAD("/%F0%9F%98a", R_UTF8);
	BAD("/%E2%82%AC%E2", R_UTF8);
}

static void
test_version_prefix(void **state)
{
	(void)state;
	OK("/v1.41/info", "1.41", "/info", NULL);
	OK("/v1.24/_ping", "1.24", "/_ping", NULL);
	OK("/v%31.24/_ping", "1.24", "/_ping", NULL);
	OK("/%761.24/_ping", "1.24", "/_ping", NULL);
	OK("/v1%2E24/_ping", "1.24", "/_ping", NULL);
	OK("/v1.4%31/x", "1.41", "/x", NULL);
	OK("/v0.0/x", "0.0", "/x", NULL);
	OK("/v999.999/x", "999.999", "/x", NULL);
	OK("/v1.24/containers/json?all=1", "1.24", "/containers/json",
	    "all=1");
	OK("/v1.41/containers/abc/json", "1.41", "/containers/abc/json",
	    NULL);
	/* stripped once only */
	OK("/v1.41/v1.41/_ping", "1.41", "/v1.41/_ping", NULL);
	OK("/v1.41/v1/_ping", "1.41", "/v1/_ping", NULL);
	/* only the first segment can be a prefix */
	OK("/x/v1.41/y", "", "/x/v1.41/y", NULL);
	/* ordinary paths */
	OK("/version", "", "/version", NULL);
	OK("/volumes", "", "/volumes", NULL);
	OK("/volumes/v1.41", "", "/volumes/v1.41", NULL);
	OK("/V1.41/x", "", "/V1.41/x", NULL);
	OK("/v", "", "/v", NULL);
	OK("/v/x", "", "/v/x", NULL);
	OK("/vx/y", "", "/vx/y", NULL);
	OK("/v-1.41/x", "", "/v-1.41/x", NULL);

	BAD("/v1/x", R_VER);
	BAD("/v1", R_VER);
	/* Podman's libpod API: three parts, only in front of /libpod */
	OK("/v4.3.1/libpod/_ping", "4.3.1", "/libpod/_ping", NULL);
	OK("/v4.0.0/libpod/containers/json?all=true", "4.0.0",
	    "/libpod/containers/json", "all=true");
	OK("/v1.41/libpod/info", "1.41", "/libpod/info", NULL);
	OK("/v4.3.1/libpod", "4.3.1", "/libpod", NULL);
	OK("/libpod/_ping", "", "/libpod/_ping", NULL);
	OK("/v4.3.%31/libpod/info", "4.3.1", "/libpod/info", NULL);
	/* Podman's client escapes the '/' of image names: decoded there */
	OK("/v4.3.1/libpod/images/localhost%2Fapp:1/json", "4.3.1",
	    "/libpod/images/localhost/app:1/json", NULL);
	OK("/libpod/images/a%2fb/exists", "", "/libpod/images/a/b/exists", NULL);
	BAD("/v4.3.1/libpod%2Fimages/json", "encoded slash in path");
	BAD("/v4.3.1/libpod/images/%2Fetc/json", R_EMPTY);
	BAD("/v4.3.1/libpod/images/a%2F/json", R_EMPTY);
	BAD("/v4.3.1/libpod/images/a%2F..%2Fb/json", R_DOT);
	BAD("/v1.41/images/localhost%2Fapp/json", "encoded slash in path");
	BAD("/v1.41.0/x", R_VER3);
	BAD("/v4.3.1/containers/json", R_VER3);
	BAD("/v4.3.1/libpodx/info", R_VER3);
	BAD("/v4.3.1/LIBPOD/info", R_VER3);
	BAD("/v4.3.1/x/libpod", R_VER3);
	BAD("/v4.3.1.1/libpod/info", R_VER);
	BAD("/v4.3./libpod/info", R_VER);
	BAD("/v4..1/libpod/info", R_VER);
	BAD("/v4.3.1000/libpod/info", R_VER);
	BAD("/v4.3.1-dev/libpod/info", R_VER);
	BAD("/v4/libpod/info", R_VER);
	BAD("/v4.3.1", R_VEREMPTY);
	BAD("/v4.3.1/", R_VEREMPTY);
	BAD("/v./x", R_VER);
	BAD("/v.", R_VER);
	BAD("/v1./x", R_VER);
	BAD("/v.1/x", R_VER);
	BAD("/v1..1/x", R_VER);
	BAD("/v1.41a/x", R_VER);
	BAD("/v1.41x", R_VER);
	BAD("/v1000.1/x", R_VER);
	BAD("/v1.1000/x", R_VER);
	BAD("/v1.4%2e1/x", R_VER3);	/* "/v1.4.1" */
	BAD("/%76%31/x", R_VER);
	BAD("/v1.41%C3%A9/x", R_VER);

	BAD("/v1.41", R_VEREMPTY);
	BAD("/v1.41?x=1", R_VEREMPTY);
	BAD("/v1.41?", R_VEREMPTY);
	BAD("/v1.41/", R_VEREMPTY);
	BAD("/v1.41/?x", R_VEREMPTY);

	/* the remaining path gets the ordinary checks */
	BAD("/v1.41//x", R_EMPTY);
	BAD("/v1.41/x/", R_EMPTY);
	BAD("/v1.41/./x", R_DOT);
	BAD("/v1.41/..", R_DOT);
	BAD("/v1.41/%2e%2e/x", R_DOT);
}

static void
test_segments(void **state)
{
	(void)state;
	BAD("//", R_EMPTY);
	BAD("//a", R_EMPTY);
	BAD("/a//b", R_EMPTY);
	BAD("/a/", R_EMPTY);
	BAD("/a/?x", R_EMPTY);
	BAD("/a/b//", R_EMPTY);
	BAD("/.", R_DOT);
	BAD("/..", R_DOT);
	BAD("/a/./b", R_DOT);
	BAD("/a/../b", R_DOT);
	BAD("/a/.", R_DOT);
	BAD("/a/..", R_DOT);
	BAD("/a/..?x", R_DOT);
	BAD("/%2e", R_DOT);
	BAD("/%2E", R_DOT);
	BAD("/%2e%2E", R_DOT);
	BAD("/.%2e/x", R_DOT);
	BAD("/%2e./x", R_DOT);
	BAD("/containers/%2e%2e/info", R_DOT);
}

static void
test_segment_count(void **state)
{
	char buf[512];
	size_t n, i;

	(void)state;
	for (n = 1; n <= CANON_MAX_SEGMENTS + 1; n++) {
		buf[0] = '\0';
		for (i = 0; i < n; i++)
			strcat(buf, "/s");
		if (n <= CANON_MAX_SEGMENTS)
			OK(buf, "", buf, NULL);
		else
			BAD(buf, R_NSEG);
	}
	/* the version segment is not counted */
	strcpy(buf, "/v1.41");
	for (i = 0; i < CANON_MAX_SEGMENTS; i++)
		strcat(buf, "/s");
	OK(buf, "1.41", buf + 6, NULL);
	strcat(buf, "/s");
	BAD(buf, R_NSEG);
}

static char big[3 * CANON_MAX_PATH + 64];

static void
test_path_length(void **state)
{
	size_t i;

	(void)state;
	/* CANON_MAX_PATH - 1 decoded bytes fit, one more does not */
	big[0] = '/';
	memset(big + 1, 'a', CANON_MAX_PATH - 2);
	big[CANON_MAX_PATH - 1] = '\0';
	OK(big, "", big, NULL);
	assert_int_equal(ct.path_len, CANON_MAX_PATH - 1);
	big[CANON_MAX_PATH - 1] = 'a';
	big[CANON_MAX_PATH] = '\0';
	BAD(big, R_LONG);
	strcpy(big + CANON_MAX_PATH, "?q");
	BAD(big, R_LONG);

	/* the limit is on the decoded path, after the version prefix */
	strcpy(big, "/v1.41/");
	memset(big + 7, 'a', CANON_MAX_PATH - 2);
	big[7 + CANON_MAX_PATH - 2] = '\0';
	OK(big, "1.41", big + 6, NULL);
	strcat(big, "a");
	BAD(big, R_LONG);

	/* escapes count as the one byte they decode to */
	big[0] = '/';
	for (i = 0; i < CANON_MAX_PATH - 2; i++)
		memcpy(big + 1 + 3 * i, "%61", 3);
	big[1 + 3 * (CANON_MAX_PATH - 2)] = '\0';
	assert_int_equal(canon_target(big, strlen(big), &ct, NULL), 0);
	assert_int_equal(ct.path_len, CANON_MAX_PATH - 1);
	strcat(big, "%61");
	BAD(big, R_LONG);
}

static void
test_query(void **state)
{
	(void)state;
	OK("/a?x=%41%4a%4B", "", "/a", "x=%41%4a%4B");
	OK("/a?%2F%25%00", "", "/a", "%2F%25%00");	/* kept raw */
	OK("/a?b\\c", "", "/a", "b\\c");
	OK("/a?/../x", "", "/a", "/../x");
	BAD("/a?%", R_QPCT);
	BAD("/a?%4", R_QPCT);
	BAD("/a?x=%zz", R_QPCT);
	BAD("/a?x=%4g&y=1", R_QPCT);
	BAD("/a?x=%g4", R_QPCT);
	BAD("/a?%%41", R_QPCT);
	BAD("/a?ok=1&%", R_QPCT);
}

/* Failure leaves *out empty rather than half-filled. */
static void
test_out_cleared_on_failure(void **state)
{
	(void)state;
	assert_int_equal(canon_target("/v1.41/a?b", 10, &ct, NULL), 0);
	assert_int_equal(canon_target("/v1.41/a/..", 11, &ct, NULL), -1);
	assert_string_equal(ct.version, "");
	assert_string_equal(ct.path, "");
	assert_int_equal(ct.path_len, 0);
	assert_null(ct.query);
}

/*
 * Inputs that end exactly at a PROT_NONE page: any read past len faults.
 */
static void
test_guard_page(void **state)
{
	static const char *const inputs[] = {
		"/", "/a", "%", "/%", "/a%", "/a%4", "/a%41", "/%C3", "/%E2%82",
		"/v", "/v1", "/v1.", "/v1.4", "/v1.41", "/v1.41/", "/v1.41/x",
		"/a?", "/a?%", "/a?%4", "/a?%41", "/a/", "/a/.", "/a/..", "//",
		"/a?b?", "/a#", "/a\\", "/v1.41?", "/%2e%2e", "/%F0%9F%98%80",
		"/v1.41/%C3%A9?q=%41",
	};
	long pg = sysconf(_SC_PAGESIZE);
	char *map, *end;
	size_t i, n;

	(void)state;
	assert_true(pg > 0);
	map = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + pg, (size_t)pg, PROT_NONE), 0);
	end = map + pg;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		char out[64];
		const char *why;
		long r;
		int rc;

		n = strlen(inputs[i]);
		memcpy(end - n, inputs[i], n);
		rc = canon_target(end - n, n, &ct, &why);
		if (rc == 0) {
			r = canon_serialize(&ct, out, sizeof(out));
			assert_true(r > 0);
		}
		/* every prefix too, each ending at the guard */
		while (n > 0) {
			n--;
			memmove(end - n, end - n - 1, n);
			(void)canon_target(end - n, n, &ct, &why);
		}
	}
	/* the query pointer of a target ending in '?' is end itself */
	memcpy(end - 3, "/x?", 3);
	assert_int_equal(canon_target(end - 3, 3, &ct, NULL), 0);
	assert_ptr_equal(ct.query, end);
	assert_int_equal(ct.query_len, 0);
	assert_int_equal(munmap(map, (size_t)pg * 2), 0);
}

static void
ser_eq(const char *t, const char *want, int line)
{
	char out[256];
	long r;

	if (canon_target(t, strlen(t), &ct, NULL) != 0)
		fail_msg("line %d: '%s' refused", line, t);
	r = canon_serialize(&ct, out, sizeof(out));
	if (r < 0 || (size_t)r != strlen(want) || strcmp(out, want) != 0)
		fail_msg("line %d: '%s' serialised as '%s' (%ld), want '%s'",
		    line, t, r < 0 ? "" : out, r, want);
}

#define SER(t, w) ser_eq((t), (w), __LINE__)

static void
test_serialize(void **state)
{
	(void)state;
	SER("/", "/");
	SER("/_ping", "/_ping");
	SER("/v1.41/info", "/v1.41/info");
	SER("/v%31.41/info", "/v1.41/info");
	SER("/%761.41/info?a=b", "/v1.41/info?a=b");
	SER("/v1.41/v1.41/_ping", "/v1.41/v1.41/_ping");
	SER("/x?", "/x?");
	SER("/x??", "/x??");
	SER("/%41%7e%7E", "/A~~");
	SER("/caf%c3%a9", "/caf%C3%A9");
	SER("/a\"b<c>d[e]f^g`h{i|j}k",
	    "/a%22b%3Cc%3Ed%5Be%5Df%5Eg%60h%7Bi%7Cj%7Dk");
	SER("/a%22b", "/a%22b");
	SER("/a-._~!$&'()*+,;=:@z", "/a-._~!$&'()*+,;=:@z");
	SER("/a?q=%7b%22x%22%7d", "/a?q=%7b%22x%22%7d");	/* query raw */
}

static void
test_serialize_capacity(void **state)
{
	static const char *const inputs[] = {
		"/", "/v1.41/info?a=b", "/caf%C3%A9?", "/v1.24/x%22y?q",
	};
	char out[64];
	size_t i, cap, len;
	long r;

	(void)state;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		assert_int_equal(canon_target(inputs[i], strlen(inputs[i]),
		    &ct, NULL), 0);
		r = canon_serialize(&ct, out, sizeof(out));
		assert_true(r > 0);
		len = (size_t)r;
		for (cap = 0; cap <= len; cap++) {
			memset(out, 'Z', sizeof(out));
			assert_int_equal(canon_serialize(&ct, out, cap), -1);
			/* never writes past cap */
			assert_true(out[cap] == 'Z');
		}
		memset(out, 'Z', sizeof(out));
		assert_int_equal(canon_serialize(&ct, out, len + 1), (long)len);
		assert_int_equal(out[len], '\0');
		assert_true(out[len + 1] == 'Z');
	}
	assert_int_equal(canon_serialize(NULL, out, sizeof(out)), -1);
	assert_int_equal(canon_serialize(&ct, NULL, 10), -1);
	/* a zeroed or failed target does not serialise to "" */
	assert_int_equal(canon_target("/a//b", 5, &ct, NULL), -1);
	assert_int_equal(canon_serialize(&ct, out, sizeof(out)), -1);
	memset(&ct, 0, sizeof(ct));
	assert_int_equal(canon_serialize(&ct, out, sizeof(out)), -1);
}

/* Deterministic PRNG so failures reproduce. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

/* Append one random path piece to b (room for 16 bytes assumed). */
static size_t
gen_piece(char *b)
{
	static const char plain[] =
	    "abcxyzABZ0189-._~!$&'()*+,;=:@\"<>[]^`{|}v";
	static const char *const tricky[] = {
		"%2e", "%2E", "%2F", "%5C", "%25", "%3F", "%23", "%00", "%20",
		"%C3%A9", "%E2%82%AC", "%F0%9F%98%80", "%C0%AF", "%ED%A0%80",
		"%C3", "%80", "..", ".", "/", "//", "v1.41", "\\", "%7e", "%41",
		"%4", "%zz", "%22", "%7B",
	};
	uint32_t k = rng() % 10;

	if (k < 7) {
		b[0] = plain[rng() % (sizeof(plain) - 1)];
		return 1;
	}
	if (k < 8) {
		/* an arbitrary escaped byte */
		unsigned c = rng() & 0xff;

		return (size_t)snprintf(b, 8, "%%%02X", c);
	}
	k = rng() % (sizeof(tricky) / sizeof(tricky[0]));
	strcpy(b, tricky[k]);
	return strlen(tricky[k]);
}

static int
is_valid_canonical(const struct canon_target *t)
{
	size_t i, start;

	if (t->path[0] != '/' || strlen(t->path) != t->path_len)
		return 0;
	for (i = 0; i < t->path_len; i++) {
		unsigned char c = (unsigned char)t->path[i];

		if (c < 0x21 || c == 0x7f || c == '%' || c == '\\' ||
		    c == '?' || c == '#')
			return 0;
	}
	if (t->path_len > 1) {
		for (i = 1, start = 1; i <= t->path_len; i++) {
			if (i < t->path_len && t->path[i] != '/')
				continue;
			if (i == start)
				return 0;
			if (i - start == 1 && t->path[start] == '.')
				return 0;
			if (i - start == 2 && t->path[start] == '.' &&
			    t->path[start + 1] == '.')
				return 0;
			start = i + 1;
		}
	} else if (t->version[0] != '\0')
		return 0;
	return 1;
}

/*
 * Property: canon_target(canon_serialize(t)) == t, and serialising again
 * gives the same bytes (the canonical form is a fixed point).
 */
static void
test_roundtrip_property(void **state)
{
	static struct canon_target a, b;
	char in[1024], s1[8192], s2[8192];
	size_t n, npieces, i, accepted = 0, iter;
	long r1, r2;

	(void)state;
	for (iter = 0; iter < 200000; iter++) {
		n = 0;
		if (rng() % 4 == 0) {
			static const char *const pre[] = {
				"/v1.41", "/v1.24", "/v%31.4", "/%761.2",
				"/v1", "/v1.41/v1.41",
			};
			const char *p = pre[rng() % 6];

			strcpy(in, p);
			n = strlen(p);
		}
		npieces = 1 + rng() % 6;
		for (i = 0; i < npieces && n < sizeof(in) - 64; i++) {
			in[n++] = '/';
			n += gen_piece(in + n);
			while (rng() % 2 && n < sizeof(in) - 64)
				n += gen_piece(in + n);
		}
		if (rng() % 3 == 0) {
			in[n++] = '?';
			for (i = rng() % 4; i > 0; i--)
				n += gen_piece(in + n);
		}
		in[n] = '\0';

		if (canon_target(in, n, &a, NULL) != 0)
			continue;
		accepted++;
		if (!is_valid_canonical(&a))
			fail_msg("'%s' gave a non-canonical result '%s'", in,
			    a.path);
		r1 = canon_serialize(&a, s1, sizeof(s1));
		if (r1 < 0)
			fail_msg("'%s' did not serialise", in);
		if (canon_target(s1, (size_t)r1, &b, NULL) != 0)
			fail_msg("'%s' -> '%s' refused on re-parse", in, s1);
		if (strcmp(a.version, b.version) != 0 ||
		    a.path_len != b.path_len ||
		    memcmp(a.path, b.path, a.path_len) != 0 ||
		    (a.query == NULL) != (b.query == NULL) ||
		    a.query_len != b.query_len ||
		    (a.query != NULL &&
		    memcmp(a.query, b.query, a.query_len) != 0))
			fail_msg("'%s' -> '%s' changed on re-parse", in, s1);
		r2 = canon_serialize(&b, s2, sizeof(s2));
		if (r2 != r1 || strcmp(s1, s2) != 0)
			fail_msg("'%s': serialisation not a fixed point", in);
	}
	/* the generator must exercise the accept path a fair amount */
	assert_true(accepted > 20000);
}

/* Raw random bytes: never crash, anything accepted is canonical. */
static void
test_random_bytes(void **state)
{
	static struct canon_target a;
	char in[64], s1[512];
	size_t n, i, iter;

	(void)state;
	for (iter = 0; iter < 200000; iter++) {
		n = 1 + rng() % (sizeof(in) - 1);
		in[0] = '/';
		for (i = 1; i < n; i++) {
			uint32_t k = rng() % 8;

			if (k == 0)
				in[i] = '%';
			else if (k == 1)
				in[i] = '/';
			else if (k < 5)
				in[i] = "0123456789abcdefACEF."[rng() % 21];
			else
				in[i] = (char)(rng() & 0xff);
		}
		if (canon_target(in, n, &a, NULL) != 0)
			continue;
		if (!is_valid_canonical(&a))
			fail_msg("non-canonical result");
		assert_true(canon_serialize(&a, s1, sizeof(s1)) > 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_empty_query_is_not_null),
		cmocka_unit_test(test_not_origin_form),
		cmocka_unit_test(test_raw_bytes),
		cmocka_unit_test(test_percent_decoding),
		cmocka_unit_test(test_refused_decoded_bytes),
		cmocka_unit_test(test_every_escaped_byte),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_version_prefix),
		cmocka_unit_test(test_segments),
		cmocka_unit_test(test_segment_count),
		cmocka_unit_test(test_path_length),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_out_cleared_on_failure),
		cmocka_unit_test(test_guard_page),
		cmocka_unit_test(test_serialize),
		cmocka_unit_test(test_serialize_capacity),
		cmocka_unit_test(test_roundtrip_property),
		cmocka_unit_test(test_random_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
