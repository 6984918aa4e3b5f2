/*
 * test_http_req.c - unit tests for the strict request-head parser and its
 * serializer.  Every parse runs on bytes placed right before a PROT_NONE
 * page (guard.h), so any over-read crashes the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "http_req.h"
#include "guard.h"

#define H11	"GET / HTTP/1.1\r\nHost: d\r\n"
#define LIT(s)	(s), (sizeof(s) - 1)

static struct req_head	H;
static struct req_error	E;

/* Parse s[0..n) placed at the end of guarded slot 0. */
static int
gparse(const char *s, size_t n)
{
	const char	*p = guard_place(0, s, n);

	memset(&E, 0, sizeof(E));
	return req_parse(p, n, &H, &E);
}

static int
mem_is(const char *p, size_t n, const char *lit)
{
	return p != NULL && n == strlen(lit) && memcmp(p, lit, n) == 0;
}

static int
allowed_status(int st)
{
	return st == 400 || st == 414 || st == 417 || st == 431 ||
	    st == 501 || st == 505;
}

/* ------------------------------------------------------------------ */
/* Rejections, each with its exact status.                            */

struct reject {
	const char	*in;
	size_t		 len;
	int		 status;
	int		 line;
};
#define R(s, st)	{ (s), sizeof(s) - 1, (st), __LINE__ }

static const struct reject rejects[] = {
	/* Request line syntax. */
	R("\r\nGET / HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("\r\n\r\nGET / HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("\nGET / HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R(" GET / HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("GET  / HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("GET /  HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("GET / HTTP/1.1 \r\nHost: d\r\n\r\n", 400),
	R("GET\t/ HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("GET /\tHTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("GET/ HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("GE(T / HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("GE\x01T / HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("G\0T / HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("G\xc3\xa9T / HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R(":GET / HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	/* HTTP/0.9 and other missing or malformed versions. */
	R("GET /\r\n", 400),
	R("GET /\r\n\r\n", 400),
	R("GET / \r\nHost: d\r\n\r\n", 400),
	R("GET / HTTP/2\r\nHost: d\r\n\r\n", 400),
	R("GET / http/1.1\r\nHost: d\r\n\r\n", 400),
	R("GET / HTTPS/1.1\r\nHost: d\r\n\r\n", 400),
	R("GET / HTTP/1.10\r\nHost: d\r\n\r\n", 400),
	R("GET / HTTP/11.0\r\nHost: d\r\n\r\n", 400),
	R("GET / HTTP/1.x\r\nHost: d\r\n\r\n", 400),
	R("GET / HTTP/1,1\r\nHost: d\r\n\r\n", 400),
	R("GET / HTTP/1.1x\r\nHost: d\r\n\r\n", 400),
	R("GET / HTTP/\r\nHost: d\r\n\r\n", 400),
	R("GET / HTTP/1.1 extra\r\nHost: d\r\n\r\n", 400),
	/* Well-formed but unsupported versions. */
	R("GET / HTTP/2.0\r\nHost: d\r\n\r\n", 505),
	R("GET / HTTP/1.2\r\nHost: d\r\n\r\n", 505),
	R("GET / HTTP/1.9\r\nHost: d\r\n\r\n", 505),
	R("GET / HTTP/3.0\r\nHost: d\r\n\r\n", 505),
	R("GET / HTTP/0.9\r\nHost: d\r\n\r\n", 505),
	R("GET / HTTP/9.9\r\nHost: d\r\n\r\n", 505),
	R("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
	R("PRI * HTTP/2.0\r\n", 505),
	/* Version is judged before method, method before target. */
	R("FOO / HTTP/2.0\r\n\r\n", 505),
	R("FOO * HTTP/1.1\r\nHost: d\r\n\r\n", 501),
	R("CONNECT d:2375 HTTP/1.1\r\nHost: d\r\n\r\n", 501),
	/* Methods. */
	R("TRACE / HTTP/1.1\r\nHost: d\r\n\r\n", 501),
	R("CONNECT / HTTP/1.1\r\nHost: d\r\n\r\n", 501),
	R("PRI / HTTP/1.1\r\nHost: d\r\n\r\n", 501),
	R("get / HTTP/1.1\r\nHost: d\r\n\r\n", 501),
	R("Get / HTTP/1.1\r\nHost: d\r\n\r\n", 501),
	R("FOO / HTTP/1.1\r\nHost: d\r\n\r\n", 501),
	R("GETS / HTTP/1.1\r\nHost: d\r\n\r\n", 501),
	R("GE / HTTP/1.1\r\nHost: d\r\n\r\n", 501),
	R("OPTION / HTTP/1.1\r\nHost: d\r\n\r\n", 501),
	R("PROPFIND / HTTP/1.1\r\nHost: d\r\n\r\n", 501),
	R("M-SEARCH / HTTP/1.0\r\n\r\n", 501),
	/* Target form and bytes. */
	R("GET http://d/x HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("GET d:80 HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("GET * HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("OPTIONS * HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("GET x/ HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("GET /a#b HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("GET /# HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("GET /a\x7f HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("GET /\x80 HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("GET /\xff HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("GET /a\0b HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("GET /a\x01 HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R("GET /a\x1f HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	/* Line endings. */
	R("GET / HTTP/1.1\nHost: d\r\n\r\n", 400),
	R("GET / HTTP/1.1\rHost: d\r\n\r\n", 400),
	R("GET / HTTP/1.1\r\r\nHost: d\r\n\r\n", 400),
	R("GET /\n HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	R(H11 "\n", 400),
	R(H11 "\n\n", 400),
	R("GET / HTTP/1.1\r\nHost: d\n\r\n", 400),
	R("GET / HTTP/1.1\r\nHost: d\r\nX: y\n\r\n", 400),
	R("GET / HTTP/1.1\r\nHost: d\rX: y\r\n\r\n", 400),
	R("GET / HTTP/1.1\r\nHost: d\r\r\n\r\n", 400),
	R(H11 "\rX", 400),
	R(H11 "\r\r\n", 400),
	R(H11 "\r\r", 400),
	R(H11 "X: a\rb\r\n\r\n", 400),
	R(H11 "X\n: a\r\n\r\n", 400),
	R(H11 "X: a\n\r\n", 400),
	/* Header line grammar. */
	R("GET / HTTP/1.1\r\n Host: d\r\n\r\n", 400),
	R("GET / HTTP/1.1\r\n\tHost: d\r\n\r\n", 400),
	R(H11 "X-A: b\r\n  c\r\n\r\n", 400),
	R(H11 "X-A: b\r\n\tc\r\n\r\n", 400),
	R(H11 " \r\n\r\n", 400),
	R("GET / HTTP/1.1\r\nHost : d\r\n\r\n", 400),
	R("GET / HTTP/1.1\r\nHost\t: d\r\n\r\n", 400),
	R(H11 ": x\r\n\r\n", 400),
	R(H11 ":\r\n\r\n", 400),
	R(H11 "X(A: x\r\n\r\n", 400),
	R(H11 "X@A: x\r\n\r\n", 400),
	R(H11 "X/A: x\r\n\r\n", 400),
	R(H11 "X\x80: x\r\n\r\n", 400),
	R(H11 "X\0: x\r\n\r\n", 400),
	R(H11 "NoColon\r\n\r\n", 400),
	R(H11 "No Colon: x\r\n\r\n", 400),
	R(H11 "X-A: a\0b\r\n\r\n", 400),
	R(H11 "X-A: \0\r\n\r\n", 400),
	R(H11 "X-A: a\x01\r\n\r\n", 400),
	R(H11 "X-A: a\x1b[0m\r\n\r\n", 400),
	R(H11 "X-A: a\x7f\r\n\r\n", 400),
	R(H11 "X-A: a\x0b\r\n\r\n", 400),
	R(H11 "X-A: a\x0c\r\n\r\n", 400),
	/* Content-Length. */
	R(H11 "Content-Length: +5\r\n\r\n", 400),
	R(H11 "Content-Length: -1\r\n\r\n", 400),
	R(H11 "Content-Length: 5 5\r\n\r\n", 400),
	R(H11 "Content-Length: 5,5\r\n\r\n", 400),
	R(H11 "Content-Length: 5, 5\r\n\r\n", 400),
	R(H11 "Content-Length: 0x10\r\n\r\n", 400),
	R(H11 "Content-Length: 5a\r\n\r\n", 400),
	R(H11 "Content-Length: 1.0\r\n\r\n", 400),
	R(H11 "Content-Length: \xd9\xa5\r\n\r\n", 400),
	R(H11 "Content-Length:\r\n\r\n", 400),
	R(H11 "Content-Length: \r\n\r\n", 400),
	R(H11 "Content-Length: 9007199254740993\r\n\r\n", 400),
	R(H11 "Content-Length: 18446744073709551616\r\n\r\n", 400),
	R(H11 "Content-Length: 99999999999999999999999999\r\n\r\n", 400),
	R(H11 "Content-Length: 5\r\nContent-Length: 5\r\n\r\n", 400),
	R(H11 "Content-Length: 5\r\ncontent-length: 6\r\n\r\n", 400),
	R(H11 "Content-Length: 0\r\nCONTENT-LENGTH: 0\r\n\r\n", 400),
	/* Transfer-Encoding. */
	R(H11 "Transfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 400),
	R(H11 "Transfer-Encoding: gzip\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 400),
	R(H11 "Transfer-Encoding: gzip\r\n\r\n", 501),
	R(H11 "Transfer-Encoding: identity\r\n\r\n", 501),
	R(H11 "Transfer-Encoding: chunked, identity\r\n\r\n", 501),
	R(H11 "Transfer-Encoding: chunked,chunked\r\n\r\n", 501),
	R(H11 "Transfer-Encoding: gzip, chunked\r\n\r\n", 501),
	R(H11 "Transfer-Encoding: chunked;x=1\r\n\r\n", 501),
	R(H11 "Transfer-Encoding: xchunked\r\n\r\n", 501),
	R(H11 "Transfer-Encoding:\r\n\r\n", 501),
	R(H11 "Transfer-Encoding: \r\n\r\n", 501),
	R(H11 "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400),
	R(H11 "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
	R(H11 "Content-Length: 5\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
	R("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
	R("POST / HTTP/1.0\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
	/* Host. */
	R("GET / HTTP/1.1\r\n\r\n", 400),
	R("GET / HTTP/1.1\r\nX-Host: d\r\n\r\n", 400),
	R(H11 "Host: d\r\n\r\n", 400),
	R(H11 "host: e\r\n\r\n", 400),
	R("GET / HTTP/1.1\r\nHost:\r\nHost:\r\n\r\n", 400),
	R("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", 400),
	R("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
	R("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
	R("GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400),
	R("GET / HTTP/1.1\r\nHost: a%2e\r\n\r\n", 400),
	R("GET / HTTP/1.1\r\nHost: a,b\r\n\r\n", 400),
	R("GET / HTTP/1.1\r\nHost: a\tb\r\n\r\n", 400),
	R("GET / HTTP/1.1\r\nHost: \xc3\xa9\r\n\r\n", 400),
	R("GET / HTTP/1.0\r\nHost: a?b\r\n\r\n", 400),
	/* Connection options must be tokens. */
	R(H11 "Connection: clo/se\r\n\r\n", 400),
	R(H11 "Connection: close;x\r\n\r\n", 400),
	R(H11 "Connection: \"close\"\r\n\r\n", 400),
	R(H11 "Connection: a b\r\n\r\n", 400),
	/* Expect. */
	R(H11 "Expect: 200-ok\r\n\r\n", 417),
	R(H11 "Expect:\r\n\r\n", 417),
	R(H11 "Expect: 100-continue, foo\r\n\r\n", 417),
	R(H11 "Expect: 100-continuee\r\n\r\n", 417),
	R(H11 "Expect: 100-continue\r\nExpect: x\r\n\r\n", 417),
	R("GET / HTTP/1.0\r\nExpect: x\r\n\r\n", 417),
	/* Upgrade. */
	R(H11 "Upgrade: tcp\r\nUpgrade: tcp\r\n\r\n", 400),
	R(H11 "Connection: upgrade\r\nUpgrade: a\r\nupgrade: b\r\n\r\n", 400),
	/* A 400 outranks 501 and 417 wherever it appears. */
	R(H11 "Transfer-Encoding: gzip\r\nHost: e\r\n\r\n", 400),
	R(H11 "Expect: x\r\nContent-Length: y\r\n\r\n", 400),
	R("GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
	R(H11 "Transfer-Encoding: gzip\r\nExpect: x\r\n\r\n", 501),
};

static void
check_reject(const struct reject *r)
{
	int	rc;

	rc = gparse(r->in, r->len);
	if (rc != REQ_ERROR || E.status != r->status) {
		print_error("line %d: rc %d status %d, want status %d\n",
		    r->line, rc, E.status, r->status);
		fail();
	}
	assert_non_null(E.reason);
	assert_true(strlen(E.reason) > 0);
}

static void
test_rejects(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(rejects) / sizeof(rejects[0]); i++)
		check_reject(&rejects[i]);
}

/*
 * A prefix of an invalid head is either still undecided or already
 * rejected with the same status: never accepted, never a different code.
 */
static void
test_reject_prefixes(void **state)
{
	const struct reject	*r;
	size_t			 i, k;
	int			 rc;

	(void)state;
	for (i = 0; i < sizeof(rejects) / sizeof(rejects[0]); i++) {
		r = &rejects[i];
		for (k = 0; k < r->len; k++) {
			rc = gparse(r->in, k);
			if (rc == REQ_INCOMPLETE)
				continue;
			if (rc != REQ_ERROR || E.status != r->status) {
				print_error("line %d prefix %zu: rc %d "
				    "status %d\n", r->line, k, rc, E.status);
				fail();
			}
		}
	}
}

/* The preface of HTTP/2 is refused as soon as its first line is in. */
static void
test_h2_preface(void **state)
{
	static const char	pri[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	size_t			k;

	(void)state;
	for (k = 0; k < 16; k++)
		assert_int_equal(gparse(pri, k), REQ_INCOMPLETE);
	for (k = 16; k <= sizeof(pri) - 1; k++) {
		assert_int_equal(gparse(pri, k), REQ_ERROR);
		assert_int_equal(E.status, 505);
	}
}

/* ------------------------------------------------------------------ */
/* Accepted heads.                                                    */

static void
test_simple_get(void **state)
{
	static const char	in[] = "GET /v1.41/containers/json?all=1 "
	    "HTTP/1.1\r\nHost: localhost\r\nUser-Agent: Docker-Client/24\r\n"
	    "Accept: */*\r\n\r\n";
	int			rc;

	(void)state;
	rc = gparse(LIT(in));
	assert_int_equal(rc, (int)sizeof(in) - 1);
	assert_int_equal(H.method, REQ_M_GET);
	assert_true(mem_is(H.target, H.target_len,
	    "/v1.41/containers/json?all=1"));
	assert_int_equal(H.minor, 1);
	assert_int_equal(H.nhdrs, 3);
	assert_true(mem_is(H.hdrs[0].name, H.hdrs[0].name_len, "Host"));
	assert_true(mem_is(H.hdrs[0].value, H.hdrs[0].value_len,
	    "localhost"));
	assert_true(mem_is(H.hdrs[1].name, H.hdrs[1].name_len,
	    "User-Agent"));
	assert_true(mem_is(H.hdrs[2].value, H.hdrs[2].value_len, "*/*"));
	assert_int_equal(H.body, REQ_BODY_NONE);
	assert_int_equal(H.keep_alive, 1);
	assert_int_equal(H.expect_continue, 0);
	assert_null(H.upgrade);
	assert_true(mem_is(H.host, H.host_len, "localhost"));
}

static void
test_head_len_excludes_body(void **state)
{
	static const char	in[] = "POST /x HTTP/1.1\r\nHost: d\r\n"
	    "Content-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n";
	static const char	head[] = "POST /x HTTP/1.1\r\nHost: d\r\n"
	    "Content-Length: 5\r\n\r\n";

	(void)state;
	assert_int_equal(gparse(LIT(in)), (int)sizeof(head) - 1);
	assert_int_equal(H.method, REQ_M_POST);
	assert_int_equal(H.body, REQ_BODY_LENGTH);
	assert_int_equal(H.content_length, 5);
}

static void
test_methods(void **state)
{
	static const char *const names[REQ_M_COUNT] = {
		"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"
	};
	char	buf[128];
	int	m, n;

	(void)state;
	for (m = 0; m < REQ_M_COUNT; m++) {
		assert_string_equal(req_method_name((enum req_method)m),
		    names[m]);
		n = snprintf(buf, sizeof(buf), "%s /x HTTP/1.1\r\nHost: d\r\n"
		    "\r\n", names[m]);
		assert_int_equal(gparse(buf, (size_t)n), n);
		assert_int_equal(H.method, m);
	}
}

static void
test_http10(void **state)
{
	(void)state;
	assert_true(gparse(LIT("GET /x HTTP/1.0\r\n\r\n")) > 0);
	assert_int_equal(H.minor, 0);
	assert_null(H.host);
	assert_int_equal(H.host_len, 0);
	assert_int_equal(H.keep_alive, 0);
	assert_int_equal(H.nhdrs, 0);

	assert_true(gparse(LIT("GET /x HTTP/1.0\r\nHost: d\r\n\r\n")) > 0);
	assert_true(mem_is(H.host, H.host_len, "d"));

	assert_true(gparse(LIT("GET / HTTP/1.0\r\nConnection: Keep-Alive"
	    "\r\n\r\n")) > 0);
	assert_int_equal(H.keep_alive, 1);
	assert_true(gparse(LIT("GET / HTTP/1.0\r\nConnection: keep-alive, "
	    "close\r\n\r\n")) > 0);
	assert_int_equal(H.keep_alive, 0);
	assert_true(gparse(LIT("GET / HTTP/1.0\r\nConnection: close\r\n"
	    "Connection: keep-alive\r\n\r\n")) > 0);
	assert_int_equal(H.keep_alive, 0);
	assert_true(gparse(LIT("GET / HTTP/1.0\r\nConnection: upgrade\r\n"
	    "\r\n")) > 0);
	assert_int_equal(H.keep_alive, 0);

	/* Content-Length is fine in 1.0; 100-continue is ignored there. */
	assert_true(gparse(LIT("POST / HTTP/1.0\r\nContent-Length: 3\r\n"
	    "Expect: 100-continue\r\n\r\n")) > 0);
	assert_int_equal(H.body, REQ_BODY_LENGTH);
	assert_int_equal(H.content_length, 3);
	assert_int_equal(H.expect_continue, 0);
}

static void
test_connection(void **state)
{
	(void)state;
	assert_true(gparse(LIT(H11 "Connection: close\r\n\r\n")) > 0);
	assert_int_equal(H.keep_alive, 0);
	assert_true(gparse(LIT(H11 "Connection: CLOSE\r\n\r\n")) > 0);
	assert_int_equal(H.keep_alive, 0);
	assert_true(gparse(LIT(H11 "Connection: keep-alive\r\n\r\n")) > 0);
	assert_int_equal(H.keep_alive, 1);
	assert_true(gparse(LIT(H11 "Connection: x-a ,\tclose , y\r\n\r\n"))
	    > 0);
	assert_int_equal(H.keep_alive, 0);
	assert_true(gparse(LIT(H11 "Connection: keep-alive\r\n"
	    "Connection: close\r\n\r\n")) > 0);
	assert_int_equal(H.keep_alive, 0);
	assert_true(gparse(LIT(H11 "Connection: closed\r\n\r\n")) > 0);
	assert_int_equal(H.keep_alive, 1);
	assert_true(gparse(LIT(H11 "Connection: ,, ,\r\n\r\n")) > 0);
	assert_int_equal(H.keep_alive, 1);
	assert_true(gparse(LIT(H11 "Connection:\r\n\r\n")) > 0);
	assert_int_equal(H.keep_alive, 1);
}

static void
test_body_kinds(void **state)
{
	(void)state;
	assert_true(gparse(LIT(H11 "Content-Length: 0\r\n\r\n")) > 0);
	assert_int_equal(H.body, REQ_BODY_LENGTH);
	assert_int_equal(H.content_length, 0);
	assert_true(gparse(LIT(H11 "content-length: 007\r\n\r\n")) > 0);
	assert_int_equal(H.content_length, 7);
	assert_true(gparse(LIT(H11 "Content-Length:\t 12 \t\r\n\r\n")) > 0);
	assert_int_equal(H.content_length, 12);
	assert_true(gparse(LIT(H11 "Content-Length: 9007199254740992\r\n"
	    "\r\n")) > 0);
	assert_true(H.content_length == (uint64_t)1 << 53);
	assert_true(gparse(LIT(H11 "Content-Length: 00000000000000000000"
	    "09007199254740992\r\n\r\n")) > 0);
	assert_true(H.content_length == (uint64_t)1 << 53);

	assert_true(gparse(LIT(H11 "Transfer-Encoding: chunked\r\n\r\n")) > 0);
	assert_int_equal(H.body, REQ_BODY_CHUNKED);
	assert_true(gparse(LIT(H11 "transfer-encoding: CHUNKED \r\n\r\n")) > 0);
	assert_int_equal(H.body, REQ_BODY_CHUNKED);
	assert_true(gparse(LIT(H11 "Transfer-Encoding: Chunked\r\n\r\n")) > 0);
	assert_int_equal(H.body, REQ_BODY_CHUNKED);
}

static void
test_expect(void **state)
{
	(void)state;
	assert_true(gparse(LIT(H11 "Expect: 100-continue\r\n\r\n")) > 0);
	assert_int_equal(H.expect_continue, 1);
	assert_true(gparse(LIT(H11 "expect: 100-Continue\r\n\r\n")) > 0);
	assert_int_equal(H.expect_continue, 1);
	assert_true(gparse(LIT(H11 "Expect: 100-continue\r\n"
	    "Expect: 100-CONTINUE\r\n\r\n")) > 0);
	assert_int_equal(H.expect_continue, 1);
}

static void
test_upgrade(void **state)
{
	(void)state;
	assert_true(gparse(LIT(H11 "Connection: Upgrade\r\nUpgrade: tcp\r\n"
	    "\r\n")) > 0);
	assert_true(mem_is(H.upgrade, H.upgrade_len, "tcp"));
	assert_int_equal(H.keep_alive, 1);
	assert_true(gparse(LIT(H11 "Upgrade:  h2c \r\n"
	    "Connection: keep-alive, UPGRADE\r\n\r\n")) > 0);
	assert_true(mem_is(H.upgrade, H.upgrade_len, "h2c"));
	/* Upgrade without the Connection option is not an upgrade. */
	assert_true(gparse(LIT(H11 "Upgrade: tcp\r\n\r\n")) > 0);
	assert_null(H.upgrade);
	assert_int_equal(H.upgrade_len, 0);
	assert_true(gparse(LIT(H11 "Connection: upgrade\r\n\r\n")) > 0);
	assert_null(H.upgrade);
	assert_true(gparse(LIT(H11 "Connection: upgraded\r\nUpgrade: tcp\r\n"
	    "\r\n")) > 0);
	assert_null(H.upgrade);
	/* Nor is it one in HTTP/1.0 (RFC 9110 7.8). */
	assert_true(gparse(LIT("GET / HTTP/1.0\r\nConnection: Upgrade\r\n"
	    "Upgrade: tcp\r\n\r\n")) > 0);
	assert_null(H.upgrade);
	/* But a second Upgrade field is refused in either version. */
	assert_int_equal(gparse(LIT("GET / HTTP/1.0\r\nUpgrade: a\r\n"
	    "Upgrade: a\r\n\r\n")), REQ_ERROR);
	assert_int_equal(E.status, 400);
}

static void
test_host_values(void **state)
{
	(void)state;
	assert_true(gparse(LIT("GET / HTTP/1.1\r\nHost:\r\n\r\n")) > 0);
	assert_non_null(H.host);
	assert_int_equal(H.host_len, 0);
	assert_true(gparse(LIT("GET / HTTP/1.1\r\nHost: [::1]:2375\r\n\r\n"))
	    > 0);
	assert_true(mem_is(H.host, H.host_len, "[::1]:2375"));
	assert_true(gparse(LIT("GET / HTTP/1.1\r\nhOsT: my_docker-1.Local:80"
	    " \r\n\r\n")) > 0);
	assert_true(mem_is(H.host, H.host_len, "my_docker-1.Local:80"));
}

static void
test_values(void **state)
{
	(void)state;
	assert_true(gparse(LIT(H11 "X-A: \t a  b \t \r\nX-B:\r\nX-C:   \r\n"
	    "X-D:\xc3\xa9\x80\xff\r\nX-E: !~\"(),/:;<=>?@[\\]{}\r\n"
	    "!#$%&'*+-.^_`|~09azAZ: v\r\n\r\n")) > 0);
	assert_int_equal(H.nhdrs, 7);
	assert_true(mem_is(H.hdrs[1].value, H.hdrs[1].value_len, "a  b"));
	assert_int_equal(H.hdrs[2].value_len, 0);
	assert_int_equal(H.hdrs[3].value_len, 0);
	assert_true(mem_is(H.hdrs[4].value, H.hdrs[4].value_len,
	    "\xc3\xa9\x80\xff"));
	assert_true(mem_is(H.hdrs[5].value, H.hdrs[5].value_len,
	    "!~\"(),/:;<=>?@[\\]{}"));
	assert_true(mem_is(H.hdrs[6].name, H.hdrs[6].name_len,
	    "!#$%&'*+-.^_`|~09azAZ"));
}

static void
test_target_bytes(void **state)
{
	char	buf[256];
	size_t	n = 0;
	int	c, rc;

	(void)state;
	/* Every byte in 0x21..0x7e except '#' is accepted by this layer. */
	n += (size_t)snprintf(buf, sizeof(buf), "GET /");
	for (c = 0x21; c <= 0x7e; c++)
		if (c != '#')
			buf[n++] = (char)c;
	n += (size_t)snprintf(buf + n, sizeof(buf) - n,
	    " HTTP/1.1\r\nHost: d\r\n\r\n");
	rc = gparse(buf, n);
	assert_int_equal(rc, (int)n);
	assert_int_equal(H.target_len, 1 + 0x7e - 0x21);
}

/* ------------------------------------------------------------------ */
/* Limits: exact, and one past.                                       */

static char	big[64 * 1024];

/* "GET / HTTP/1.1\r\nHost: d\r\nX-Pad: aaa...\r\n\r\n" of total bytes. */
static size_t
build_padded(size_t total)
{
	static const char	pre[] = "GET / HTTP/1.1\r\nHost: d\r\nX-Pad: ";
	size_t			n = sizeof(pre) - 1, pad = total - n - 4;

	memcpy(big, pre, n);
	memset(big + n, 'a', pad);
	memcpy(big + n + pad, "\r\n\r\n", 4);
	return total;
}

static void
test_head_limit(void **state)
{
	size_t	n;

	(void)state;
	n = build_padded(REQ_MAX_HEAD);
	assert_int_equal(gparse(big, n), REQ_MAX_HEAD);
	/* Trailing body bytes past the limit do not matter. */
	memset(big + n, 'b', 100);
	assert_int_equal(gparse(big, n + 100), REQ_MAX_HEAD);
	assert_int_equal(gparse(big, n - 1), REQ_INCOMPLETE);

	n = build_padded(REQ_MAX_HEAD + 1);
	assert_int_equal(gparse(big, n), REQ_ERROR);
	assert_int_equal(E.status, 431);
	/* Unterminated: undecided below the limit, 431 from the limit on. */
	assert_int_equal(gparse(big, REQ_MAX_HEAD - 1), REQ_INCOMPLETE);
	assert_int_equal(gparse(big, REQ_MAX_HEAD), REQ_ERROR);
	assert_int_equal(E.status, 431);
	memset(big + n, 'b', 100);
	assert_int_equal(gparse(big, n + 100), REQ_ERROR);
	assert_int_equal(E.status, 431);

	/* A request line alone longer than the head limit. */
	memcpy(big, "GET /", 5);
	memset(big + 5, 'a', REQ_MAX_HEAD);
	assert_int_equal(gparse(big, REQ_MAX_HEAD - 1), REQ_ERROR);
	assert_int_equal(E.status, 414);
	memset(big, 'A', REQ_MAX_HEAD);
	assert_int_equal(gparse(big, REQ_MAX_HEAD - 1), REQ_INCOMPLETE);
	assert_int_equal(gparse(big, REQ_MAX_HEAD), REQ_ERROR);
	assert_int_equal(E.status, 431);
}

static size_t
build_nhdrs(int nfields)
{
	size_t	n;
	int	i;

	n = (size_t)sprintf(big, "GET / HTTP/1.1\r\nHost: d\r\n");
	for (i = 1; i < nfields; i++)
		n += (size_t)sprintf(big + n, "X-%d: v\r\n", i);
	n += (size_t)sprintf(big + n, "\r\n");
	return n;
}

static void
test_header_count_limit(void **state)
{
	size_t	n;

	(void)state;
	n = build_nhdrs(REQ_MAX_HEADERS);
	assert_int_equal(gparse(big, n), (int)n);
	assert_int_equal(H.nhdrs, REQ_MAX_HEADERS);
	assert_true(mem_is(H.hdrs[REQ_MAX_HEADERS - 1].name,
	    H.hdrs[REQ_MAX_HEADERS - 1].name_len, "X-63"));

	n = build_nhdrs(REQ_MAX_HEADERS + 1);
	assert_int_equal(gparse(big, n), REQ_ERROR);
	assert_int_equal(E.status, 431);
	/* Refused as soon as the 65th field starts. */
	n = build_nhdrs(REQ_MAX_HEADERS);
	assert_int_equal(gparse(big, n - 1), REQ_INCOMPLETE);
	big[n - 2] = 'X';
	assert_int_equal(gparse(big, n - 1), REQ_ERROR);
	assert_int_equal(E.status, 431);
}

static void
test_target_limit(void **state)
{
	size_t	n;

	(void)state;
	memcpy(big, "GET /", 5);
	memset(big + 5, 'a', REQ_MAX_TARGET - 1);
	n = 5 + REQ_MAX_TARGET - 1;
	n += (size_t)sprintf(big + n, " HTTP/1.1\r\nHost: d\r\n\r\n");
	assert_int_equal(gparse(big, n), (int)n);
	assert_int_equal(H.target_len, REQ_MAX_TARGET);

	memcpy(big, "GET /", 5);
	memset(big + 5, 'a', REQ_MAX_TARGET);
	n = 5 + REQ_MAX_TARGET;
	n += (size_t)sprintf(big + n, " HTTP/1.1\r\nHost: d\r\n\r\n");
	assert_int_equal(gparse(big, n), REQ_ERROR);
	assert_int_equal(E.status, 414);
	/* Known before the request line ends. */
	assert_int_equal(gparse(big, 4 + REQ_MAX_TARGET), REQ_INCOMPLETE);
	assert_int_equal(gparse(big, 4 + REQ_MAX_TARGET + 1), REQ_ERROR);
	assert_int_equal(E.status, 414);
}

/* ------------------------------------------------------------------ */
/* Incremental input: every prefix of a valid head is undecided.      */

static const char *const valid_heads[] = {
	"GET / HTTP/1.1\r\nHost: d\r\n\r\n",
	"GET /x HTTP/1.0\r\n\r\n",
	"HEAD /_ping HTTP/1.1\r\nHost:\r\n\r\n",
	"POST /v1.43/containers/create?name=x HTTP/1.1\r\nHost: docker\r\n"
	    "Content-Type: application/json\r\nContent-Length: 123\r\n"
	    "Expect: 100-continue\r\n\r\n",
	"POST /v1.43/build HTTP/1.1\r\nHost: [::1]:2375\r\n"
	    "Transfer-Encoding: chunked\r\nX-Registry-Config: e30=\r\n\r\n",
	"POST /v1.43/containers/abc/attach?stream=1 HTTP/1.1\r\n"
	    "Host: api.moby.localhost\r\nConnection: Upgrade\r\n"
	    "Upgrade: tcp\r\n\r\n",
	"DELETE /containers/x?force=1 HTTP/1.1\r\nHost: d\r\n"
	    "Connection: close\r\nX-Empty:\r\nX-Sp:  \t \r\n\r\n",
	"OPTIONS /%7E HTTP/1.0\r\nConnection: keep-alive\r\n"
	    "User-Agent: \xc3\xa9\r\n\r\n",
};

static void
test_prefixes(void **state)
{
	char	buf[1024];
	size_t	i, k, n;

	(void)state;
	for (i = 0; i < sizeof(valid_heads) / sizeof(valid_heads[0]); i++) {
		n = strlen(valid_heads[i]);
		for (k = 0; k < n; k++) {
			if (gparse(valid_heads[i], k) != REQ_INCOMPLETE) {
				print_error("head %zu prefix %zu: %d %d\n",
				    i, k, gparse(valid_heads[i], k), E.status);
				fail();
			}
		}
		assert_int_equal(gparse(valid_heads[i], n), (int)n);
		/* Whatever follows the head is left alone. */
		memcpy(buf, valid_heads[i], n);
		memcpy(buf + n, "\r\n\r\nGET", 7);
		for (k = 1; k <= 7; k++)
			assert_int_equal(gparse(buf, n + k), (int)n);
	}
}

/* Placing the input elsewhere than at the guard must not change a thing. */
static void
test_unguarded(void **state)
{
	static const char	in[] = "GET / HTTP/1.1\r\nHost: d\r\n\r\n";
	struct req_head		h;
	struct req_error	e;

	(void)state;
	assert_int_equal(req_parse(in, sizeof(in) - 1, &h, &e),
	    (int)sizeof(in) - 1);
	assert_int_equal(req_parse(in, sizeof(in) - 2, &h, &e),
	    REQ_INCOMPLETE);
	assert_int_equal(req_parse(in, 0, &h, &e), REQ_INCOMPLETE);
	/* err may be omitted. */
	assert_int_equal(req_parse("\n", 1, &h, NULL), REQ_ERROR);
}

/* ------------------------------------------------------------------ */
/* Helpers of the public API.                                         */

static void
test_token_eq(void **state)
{
	(void)state;
	assert_int_equal(req_token_eq("Close", 5, "close"), 1);
	assert_int_equal(req_token_eq("CLOSE", 5, "close"), 1);
	assert_int_equal(req_token_eq("close", 4, "close"), 0);
	assert_int_equal(req_token_eq("closed", 6, "close"), 0);
	assert_int_equal(req_token_eq("", 0, ""), 1);
	assert_int_equal(req_token_eq("", 0, "a"), 0);
	assert_int_equal(req_token_eq("a", 1, ""), 0);
	assert_int_equal(req_token_eq("100-CONTINUE", 12, "100-continue"), 1);
	/* Only A-Z fold: '[' is not '{', '@' is not '`'. */
	assert_int_equal(req_token_eq("[", 1, "{"), 0);
	assert_int_equal(req_token_eq("@", 1, "`"), 0);
	assert_int_equal(req_token_eq("\xc9", 1, "\xe9"), 0);
	/* Length bounds s: no NUL is needed after it. */
	assert_int_equal(req_token_eq("hostX", 4, "host"), 1);
}

static void
test_hdr_is_hop(void **state)
{
	static const char *const hop[] = {
		"connection", "Keep-Alive", "PROXY-CONNECTION", "TE",
		"Trailer", "Transfer-Encoding", "Upgrade",
		"Proxy-Authorization", "proxy-authenticate",
		"X-HTTP-Method-Override", "x-http-method",
		"X-Method-Override"
	};
	static const char *const e2e[] = {
		"Host", "Content-Length", "Expect", "X-Foo", "Accept",
		"Authorization", "X-Http-Method-Overrid", "T", "Connectio",
		"Proxy", ""
	};
	size_t	i;

	(void)state;
	assert_true(gparse(LIT(H11 "Connection: x-foo , Bar\r\n"
	    "connection: keep-alive,x-baz\r\n\r\n")) > 0);
	for (i = 0; i < sizeof(hop) / sizeof(hop[0]); i++)
		assert_int_equal(req_hdr_is_hop(&H, hop[i], strlen(hop[i])),
		    1);
	assert_int_equal(req_hdr_is_hop(&H, "X-Foo", 5), 1);
	assert_int_equal(req_hdr_is_hop(&H, "bar", 3), 1);
	assert_int_equal(req_hdr_is_hop(&H, "X-BAZ", 5), 1);
	assert_int_equal(req_hdr_is_hop(&H, "X-Fo", 4), 0);
	assert_int_equal(req_hdr_is_hop(&H, "bars", 4), 0);

	assert_true(gparse(LIT(H11 "\r\n")) > 0);
	for (i = 0; i < sizeof(e2e) / sizeof(e2e[0]); i++)
		assert_int_equal(req_hdr_is_hop(&H, e2e[i], strlen(e2e[i])),
		    0);
	assert_int_equal(req_hdr_is_hop(&H, "X-Foo", 5), 0);
}

/* ------------------------------------------------------------------ */
/* Serialization.                                                     */

static char	out[32 * 1024];

/* Parse in, serialize with target t, compare to want. */
static void
ser_is(const char *in, const char *t, int fwd, const char *want)
{
	long	n;

	assert_true(gparse(in, strlen(in)) > 0);
	n = req_serialize(&H, t, strlen(t), fwd, out, sizeof(out));
	assert_true(n >= 0);
	out[n] = '\0';
	assert_string_equal(out, want);
}

static void
test_serialize(void **state)
{
	(void)state;
	ser_is("GET /a HTTP/1.1\r\nHost: d\r\n\r\n", "/a", 0,
	    "GET /a HTTP/1.1\r\nHost: d\r\n\r\n");

	/* Hop-by-hop, method overrides, Expect and framing dropped. */
	ser_is("PUT /a/../b HTTP/1.1\r\nx-CUSTOM:  v 1 \r\nHost: h:1\r\n"
	    "Connection: keep-alive, X-Drop\r\nKeep-Alive: timeout=5\r\n"
	    "X-Drop: secret\r\nTE: trailers\r\nTrailer: X\r\n"
	    "Proxy-Connection: x\r\nProxy-Authorization: Basic Zm9v\r\n"
	    "Proxy-Authenticate: y\r\nX-HTTP-Method-Override: DELETE\r\n"
	    "X-HTTP-Method: DELETE\r\nX-Method-Override: DELETE\r\n"
	    "Upgrade: tcp\r\nExpect: 100-continue\r\n"
	    "Content-Length: 42\r\nAccept: */*\r\nX-E:\r\n\r\n",
	    "/b", 1,
	    "PUT /b HTTP/1.1\r\nHost: h:1\r\nx-CUSTOM: v 1\r\n"
	    "Accept: */*\r\nX-E: \r\nContent-Length: 42\r\n\r\n");

	/* HTTP/1.0 without Host; upgraded to 1.1 with Host: docker. */
	ser_is("DELETE /c HTTP/1.0\r\nUser-Agent: x\r\n\r\n", "/c", 0,
	    "DELETE /c HTTP/1.1\r\nHost: docker\r\nUser-Agent: x\r\n\r\n");
	ser_is("HEAD /c HTTP/1.1\r\nHost:\r\n\r\n", "/c", 0,
	    "HEAD /c HTTP/1.1\r\nHost: \r\n\r\n");

	ser_is("POST /b HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n"
	    "Host: d\r\nX-A: 1\r\n\r\n", "/b", 0,
	    "POST /b HTTP/1.1\r\nHost: d\r\nX-A: 1\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n");
	ser_is("POST /b HTTP/1.1\r\nContent-Length: 0\r\nHost: d\r\n\r\n",
	    "/b", 0, "POST /b HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n");
	ser_is("PATCH /b HTTP/1.1\r\nContent-Length: 9007199254740992\r\n"
	    "Host: d\r\n\r\n", "/b", 0, "PATCH /b HTTP/1.1\r\nHost: d\r\n"
	    "Content-Length: 9007199254740992\r\n\r\n");

	/* Upgrade: forwarded only when asked and when it is one. */
	ser_is("POST /x/attach HTTP/1.1\r\nHost: d\r\n"
	    "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n", "/x/attach", 1,
	    "POST /x/attach HTTP/1.1\r\nHost: d\r\n"
	    "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
	ser_is("POST /x/attach HTTP/1.1\r\nHost: d\r\n"
	    "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n", "/x/attach", 0,
	    "POST /x/attach HTTP/1.1\r\nHost: d\r\n\r\n");
	ser_is("POST /x HTTP/1.1\r\nHost: d\r\nUpgrade: tcp\r\n"
	    "Content-Length: 2\r\n\r\n", "/x", 1,
	    "POST /x HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n");
	ser_is("OPTIONS /x HTTP/1.1\r\nConnection: upgrade\r\nHost: d\r\n"
	    "Upgrade: h2c\r\nContent-Length: 1\r\n\r\n", "/x", 1,
	    "OPTIONS /x HTTP/1.1\r\nHost: d\r\nContent-Length: 1\r\n"
	    "Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n");
}

static void
test_serialize_cap(void **state)
{
	static const char	in[] = "POST /x HTTP/1.1\r\nHost: d\r\n"
	    "X-A: b\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
	    "Content-Length: 10\r\n\r\n";
	char			ref[512], dst[512];
	long			n, r;
	size_t			cap, i;

	(void)state;
	assert_true(gparse(LIT(in)) > 0);
	n = req_serialize(&H, "/x", 2, 1, ref, sizeof(ref));
	assert_true(n > 0);
	for (cap = 0; cap < (size_t)n; cap++) {
		memset(dst, 0x5a, sizeof(dst));
		r = req_serialize(&H, "/x", 2, 1, dst, cap);
		assert_int_equal(r, -1);
		for (i = cap; i < sizeof(dst); i++)
			assert_int_equal((unsigned char)dst[i], 0x5a);
	}
	memset(dst, 0x5a, sizeof(dst));
	assert_int_equal(req_serialize(&H, "/x", 2, 1, dst, (size_t)n), n);
	assert_memory_equal(dst, ref, (size_t)n);
	assert_int_equal((unsigned char)dst[n], 0x5a);
	/* cap 0 with a NULL destination is just "too small". */
	assert_int_equal(req_serialize(&H, "/x", 2, 1, NULL, 0), -1);
}

/* ------------------------------------------------------------------ */
/* Property: parse(serialize(parse(x))) keeps method, target and the  */
/* end-to-end fields, for many generated requests.                    */

static uint64_t	rng = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(uint32_t n)
{
	/* xorshift64; the masks only keep -fsanitize=integer quiet. */
	rng ^= (rng & (UINT64_MAX >> 13)) << 13;
	rng ^= rng >> 7;
	rng ^= (rng & (UINT64_MAX >> 17)) << 17;
	return (uint32_t)(rng >> 32) % n;
}

struct sb {
	char	b[16384];
	size_t	n;
};

static void
sb_add(struct sb *s, const char *fmt, ...)
{
	va_list	ap;
	int	r;

	va_start(ap, fmt);
	r = vsnprintf(s->b + s->n, sizeof(s->b) - s->n, fmt, ap);
	va_end(ap);
	assert_true(r >= 0 && (size_t)r < sizeof(s->b) - s->n);
	s->n += (size_t)r;
}

static const char tchars[] =
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

static void
gen_value(struct sb *s)
{
	size_t	n = rnd(12), i;
	int	c;

	if (rnd(3) == 0)
		sb_add(s, "%s", rnd(2) ? " " : "\t ");
	for (i = 0; i < n; i++) {
		do {
			c = (int)rnd(256);
		} while (!((c >= 0x21 && c <= 0x7e) || c >= 0x80 ||
		    ((c == ' ' || c == '\t') && i > 0 && i + 1 < n)));
		s->b[s->n++] = (char)c;
	}
	if (rnd(3) == 0)
		sb_add(s, "%s", rnd(2) ? " " : " \t");
}

static int
is_e2e(const struct req_head *h, const struct req_hdr *hd)
{
	return !req_hdr_is_hop(h, hd->name, hd->name_len) &&
	    !req_token_eq(hd->name, hd->name_len, "content-length") &&
	    !req_token_eq(hd->name, hd->name_len, "host") &&
	    !req_token_eq(hd->name, hd->name_len, "expect");
}

static void
gen_request(struct sb *s)
{
	static const char *const methods[] = {
		"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"
	};
	static const char *const targets[] = {
		"/", "/_ping", "/v1.41/containers/json?all=1",
		"/containers/x/attach?stream=1&stdin=1", "/a%20b/%7e",
		"/!$&'()*+,;=:@/?/?"
	};
	static const char *const hosts[] = {
		"", "d", "localhost:2375", "[::1]:80", "docker_1.x-y"
	};
	static const char *const hops[] = {
		"Keep-Alive: timeout=5", "Proxy-Connection: keep-alive",
		"TE: trailers", "Trailer: X-T", "Proxy-Authorization: x",
		"Proxy-Authenticate: y", "X-HTTP-Method-Override: DELETE",
		"x-http-method: PUT", "X-Method-Override: GET"
	};
	static const char *const copts[] = {
		"close", "keep-alive", "Upgrade", "X-Drop", "te", "Keep-Alive"
	};
	char	lines[32][1024];
	size_t	nl = 0, i, j;
	int	minor = (int)rnd(2);
	struct sb l;

#define LINE(...) do {							\
	l.n = 0;							\
	sb_add(&l, __VA_ARGS__);					\
	memcpy(lines[nl++], l.b, l.n + 1);				\
} while (0)

	if (minor == 1 || rnd(2))
		LINE("%s: %s", rnd(2) ? "Host" : "host", hosts[rnd(5)]);
	switch (rnd(3)) {
	case 1:
		LINE("Content-Length: %s%llu", rnd(4) ? "" : "00",
		    (unsigned long long)(rnd(2) ? rnd(100000) :
		    ((uint64_t)1 << 53) - rnd(1000)));
		break;
	case 2:
		if (minor == 1)
			LINE("Transfer-Encoding: %s", rnd(2) ? "chunked" :
			    "ChUnKeD");
		break;
	}
	if (rnd(4) == 0)
		LINE("Expect: 100-%s", rnd(2) ? "continue" : "Continue");
	if (rnd(2)) {
		l.n = 0;
		sb_add(&l, "Connection:%s", rnd(2) ? " " : "");
		for (i = 0, j = 1 + rnd(3); i < j; i++)
			sb_add(&l, "%s%s", i ? (rnd(2) ? ", " : " ,\t") : "",
			    copts[rnd(6)]);
		memcpy(lines[nl++], l.b, l.n + 1);
	}
	if (rnd(3) == 0)
		LINE("Upgrade: %s", rnd(2) ? "tcp" : "h2c");
	if (rnd(2))
		LINE("X-Drop: %u", rnd(10));
	for (i = 0, j = rnd(3); i < j; i++)
		LINE("%s", hops[rnd(9)]);
	for (i = 0, j = rnd(9); i < j; i++) {
		l.n = 0;
		sb_add(&l, "X-");
		for (size_t k = 0, m = 1 + rnd(10); k < m; k++)
			l.b[l.n++] = tchars[rnd(sizeof(tchars) - 1)];
		l.b[l.n++] = ':';
		gen_value(&l);
		l.b[l.n] = '\0';
		memcpy(lines[nl++], l.b, l.n + 1);
	}
#undef LINE
	/* Shuffle so special fields appear anywhere. */
	for (i = nl; i > 1; i--) {
		j = rnd((uint32_t)i);
		memcpy(l.b, lines[i - 1], sizeof(lines[0]));
		memcpy(lines[i - 1], lines[j], sizeof(lines[0]));
		memcpy(lines[j], l.b, sizeof(lines[0]));
	}
	s->n = 0;
	sb_add(s, "%s %s HTTP/1.%d\r\n", methods[rnd(7)], targets[rnd(6)],
	    minor);
	for (i = 0; i < nl; i++) {
		/* gen_value may emit obs-text, so copy bytes, not %s. */
		j = strlen(lines[i]);
		memcpy(s->b + s->n, lines[i], j);
		s->n += j;
		sb_add(s, "\r\n");
	}
	sb_add(s, "\r\n");
}

static void
test_roundtrip(void **state)
{
	static struct req_head	h2;
	static struct sb	s;
	const char		*in, *t;
	size_t			 i, a, b, tl;
	long			 n;
	int			 iter, fwd;

	(void)state;
	for (iter = 0; iter < 20000; iter++) {
		gen_request(&s);
		in = guard_place(0, s.b, s.n);
		if (req_parse(in, s.n, &H, &E) != (int)s.n) {
			print_error("iter %d: %d %d %s: %.*s\n", iter,
			    req_parse(in, s.n, &H, &E), E.status, E.reason,
			    (int)s.n, s.b);
			fail();
		}
		fwd = (int)rnd(2);
		/* The caller's canonical target replaces the raw one. */
		if (rnd(2)) {
			t = H.target;
			tl = H.target_len;
		} else {
			t = "/v1.41/canonical";
			tl = strlen(t);
		}
		n = req_serialize(&H, t, tl, fwd, out, sizeof(out));
		assert_true(n > 0);
		in = guard_place(1, out, (size_t)n);
		assert_int_equal(req_parse(in, (size_t)n, &h2, &E), (int)n);

		assert_int_equal(h2.method, H.method);
		assert_memory_equal(h2.target, t, tl);
		assert_int_equal(h2.target_len, tl);
		assert_int_equal(h2.minor, 1);
		assert_int_equal(h2.body, H.body);
		if (H.body == REQ_BODY_LENGTH)
			assert_true(h2.content_length == H.content_length);
		if (H.host != NULL)
			assert_true(h2.host_len == H.host_len &&
			    memcmp(h2.host, H.host, H.host_len) == 0);
		else
			assert_true(mem_is(h2.host, h2.host_len, "docker"));
		assert_int_equal(h2.keep_alive, 1);
		assert_int_equal(h2.expect_continue, 0);
		if (fwd && H.upgrade != NULL)
			assert_true(h2.upgrade_len == H.upgrade_len &&
			    memcmp(h2.upgrade, H.upgrade, H.upgrade_len) == 0);
		else
			assert_null(h2.upgrade);

		/* Same end-to-end fields, same order, same bytes. */
		for (a = 0, b = 0;; a++, b++) {
			while (a < H.nhdrs && !is_e2e(&H, &H.hdrs[a]))
				a++;
			while (b < h2.nhdrs && !is_e2e(&h2, &h2.hdrs[b]))
				b++;
			if (a == H.nhdrs || b == h2.nhdrs)
				break;
			assert_memory_equal(H.hdrs[a].name, h2.hdrs[b].name,
			    H.hdrs[a].name_len);
			assert_int_equal(H.hdrs[a].name_len,
			    h2.hdrs[b].name_len);
			assert_int_equal(H.hdrs[a].value_len,
			    h2.hdrs[b].value_len);
			if (H.hdrs[a].value_len > 0)
				assert_memory_equal(H.hdrs[a].value,
				    h2.hdrs[b].value, H.hdrs[a].value_len);
		}
		assert_int_equal(a, H.nhdrs);
		assert_int_equal(b, h2.nhdrs);
		/* Nothing the client marked hop-by-hop leaks through. */
		for (i = 0; i < h2.nhdrs; i++)
			assert_int_equal(req_hdr_is_hop(&H, h2.hdrs[i].name,
			    h2.hdrs[i].name_len) && !req_token_eq(
			    h2.hdrs[i].name, h2.hdrs[i].name_len,
			    "connection") && !req_token_eq(h2.hdrs[i].name,
			    h2.hdrs[i].name_len, "upgrade") &&
			    !req_token_eq(h2.hdrs[i].name,
			    h2.hdrs[i].name_len, "transfer-encoding"), 0);
	}
}

/* ------------------------------------------------------------------ */
/* Mutations of valid heads never crash and always give a sane answer. */

static void
test_mutations(void **state)
{
	static const char	special[] = "\r\n :#\t\0\x80\x7f/,";
	static struct sb	s;
	size_t			i, n, pos;
	int			iter, k, rc;
	unsigned char		c;

	(void)state;
	for (iter = 0; iter < 100000; iter++) {
		if (iter % 2) {
			gen_request(&s);
		} else {
			i = rnd(sizeof(valid_heads) / sizeof(valid_heads[0]));
			s.n = strlen(valid_heads[i]);
			memcpy(s.b, valid_heads[i], s.n);
		}
		for (k = 0, n = 1 + rnd(3); k < (int)n; k++) {
			pos = rnd((uint32_t)s.n);
			c = rnd(2) ? (unsigned char)special[rnd(
			    sizeof(special) - 1)] : (unsigned char)rnd(256);
			switch (rnd(3)) {
			case 0:
				s.b[pos] = (char)c;
				break;
			case 1:
				memmove(s.b + pos + 1, s.b + pos, s.n - pos);
				s.b[pos] = (char)c;
				s.n++;
				break;
			default:
				memmove(s.b + pos, s.b + pos + 1,
				    s.n - pos - 1);
				s.n--;
				break;
			}
			if (s.n == 0)
				break;
		}
		rc = gparse(s.b, s.n);
		if (rc == REQ_INCOMPLETE)
			continue;
		if (rc == REQ_ERROR) {
			assert_true(allowed_status(E.status));
			continue;
		}
		assert_true(rc >= 18 && (size_t)rc <= s.n);
		assert_memory_equal(s.b + rc - 4, "\r\n\r\n", 4);
		assert_int_equal(H.target[0], '/');
		assert_true(H.nhdrs <= REQ_MAX_HEADERS);
		assert_true(H.minor == 0 || H.minor == 1);
		for (i = 0; i < H.nhdrs; i++)
			assert_true(H.hdrs[i].name_len > 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_reject_prefixes),
		cmocka_unit_test(test_h2_preface),
		cmocka_unit_test(test_simple_get),
		cmocka_unit_test(test_head_len_excludes_body),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_http10),
		cmocka_unit_test(test_connection),
		cmocka_unit_test(test_body_kinds),
		cmocka_unit_test(test_expect),
		cmocka_unit_test(test_upgrade),
		cmocka_unit_test(test_host_values),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_target_bytes),
		cmocka_unit_test(test_head_limit),
		cmocka_unit_test(test_header_count_limit),
		cmocka_unit_test(test_target_limit),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_unguarded),
		cmocka_unit_test(test_token_eq),
		cmocka_unit_test(test_hdr_is_hop),
		cmocka_unit_test(test_serialize),
		cmocka_unit_test(test_serialize_cap),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
