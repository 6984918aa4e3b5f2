/*
 * test_http_resp.c - unit tests for the upstream response-head parser,
 * the body framing decision and the head written to the client.  Parses
 * run on bytes ending at a PROT_NONE page (guard.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "http_resp.h"
#include "guard.h"

#define LIT(s)	(s), (sizeof(s) - 1)

static struct resp_head	H;

static int
gparse(const char *s, size_t n)
{
	return resp_parse(guard_place(0, s, n), n, &H);
}

static int
mem_is(const char *p, size_t n, const char *lit)
{
	return n == strlen(lit) && (n == 0 || memcmp(p, lit, n) == 0);
}

static const char *const valid[] = {
	"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
	"HTTP/1.1 101 UPGRADED\r\nContent-Type: "
	    "application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\n"
	    "Upgrade: tcp\r\n\r\n",
	"HTTP/1.0 204\r\n\r\n",
	"HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\n\r\n",
	"HTTP/1.1 404 Not Found\r\nApi-Version: 1.43\r\nDocker-Experimental: "
	    "false\r\nOstype: linux\r\nServer: Docker/24.0 (linux)\r\n"
	    "Date: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 599 \x01\x80 weird\treason\r\nX:\r\nY:  \t \r\n\r\n",
};

static const char *const invalid[] = {
	"HTTP/1.2 200 OK\r\n\r\n",
	"HTTP/2 200 OK\r\n\r\n",
	"HTTP/2.0 200 OK\r\n\r\n",
	"HTTP/1.1200 OK\r\n\r\n",
	"http/1.1 200 OK\r\n\r\n",
	"HTTP/1.1  200 OK\r\n\r\n",
	" HTTP/1.1 200 OK\r\n\r\n",
	"\r\nHTTP/1.1 200 OK\r\n\r\n",
	"HTTP/1.1 20 OK\r\n\r\n",
	"HTTP/1.1 2000 OK\r\n\r\n",
	"HTTP/1.1 20x OK\r\n\r\n",
	"HTTP/1.1 -20 OK\r\n\r\n",
	"HTTP/1.1 099 X\r\n\r\n",
	"HTTP/1.1 600 X\r\n\r\n",
	"HTTP/1.1 000\r\n\r\n",
	"HTTP/1.1 200\tOK\r\n\r\n",
	"HTTP/1.1 200 OK\n\r\n",
	"HTTP/1.1 200 OK\r\r\n",
	"HTTP/1.1 200 O\rK\r\n\r\n",
	"HTTP/1.1 200 O\nK\r\n\r\n",
	"HTTP/1.1 200\n\r\n",
	"HTTP/1.1 200 OK\r\n\n",
	"HTTP/1.1 200 OK\r\n\rX",
	"HTTP/1.1 200 OK\r\nA: b\n\r\n",
	"HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n",
	"HTTP/1.1 200 OK\r\n A: b\r\n\r\n",
	"HTTP/1.1 200 OK\r\nA: b\r\n\tc\r\n\r\n",
	"HTTP/1.1 200 OK\r\nA : b\r\n\r\n",
	"HTTP/1.1 200 OK\r\n: b\r\n\r\n",
	"HTTP/1.1 200 OK\r\nA(: b\r\n\r\n",
	"HTTP/1.1 200 OK\r\nAb\r\n\r\n",
	"HTTP/1.1 200 OK\r\nA: \x01\r\n\r\n",
	"HTTP/1.1 200 OK\r\nA: \x7f\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: 1,1\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: 1 1\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: 9007199254740993\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: x\r\n\r\n",
	("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    "Content-Length: 1\r\nContent-Length: 2\r\n\r\n"),
};

static void
test_invalid(void **state)
{
	size_t	i, k, n;

	(void)state;
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		n = strlen(invalid[i]);
		if (gparse(invalid[i], n) != REQ_ERROR) {
			print_error("accepted: %s\n", invalid[i]);
			fail();
		}
		/* Prefixes are undecided or already refused. */
		for (k = 0; k < n; k++)
			assert_true(gparse(invalid[i], k) < 0);
	}
	/* NULs cannot sit in the table above. */
	assert_int_equal(gparse(LIT("HTTP/1.1 200 O\0K\r\n\r\n")), REQ_ERROR);
	assert_int_equal(gparse(LIT("HTTP/1.1 200 OK\r\nA: \0\r\n\r\n")),
	    REQ_ERROR);
	assert_int_equal(gparse(LIT("HTTP/1.1 200 OK\r\nA\0: b\r\n\r\n")),
	    REQ_ERROR);
	assert_int_equal(gparse(LIT("HTTP/1.1 2\0000 OK\r\n\r\n")), REQ_ERROR);
}

static void
test_prefixes(void **state)
{
	char	buf[1024];
	size_t	i, k, n;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		n = strlen(valid[i]);
		for (k = 0; k < n; k++)
			if (gparse(valid[i], k) != REQ_INCOMPLETE) {
				print_error("valid %zu prefix %zu\n", i, k);
				fail();
			}
		assert_int_equal(gparse(valid[i], n), (int)n);
		memcpy(buf, valid[i], n);
		memcpy(buf + n, "\r\n\r\nbody", 8);
		for (k = 1; k <= 8; k++)
			assert_int_equal(gparse(buf, n + k), (int)n);
	}
}

static void
test_fields(void **state)
{
	(void)state;
	assert_true(gparse(valid[0], strlen(valid[0])) > 0);
	assert_int_equal(H.status, 200);
	assert_int_equal(H.minor, 1);
	assert_true(mem_is(H.reason, H.reason_len, "OK"));
	assert_int_equal(H.nhdrs, 1);
	assert_int_equal(H.has_length, 1);
	assert_true(H.content_length == 5);
	assert_int_equal(H.chunked, 0);
	assert_int_equal(H.conn_close, 0);

	assert_true(gparse(valid[1], strlen(valid[1])) > 0);
	assert_int_equal(H.status, 101);
	assert_true(mem_is(H.reason, H.reason_len, "UPGRADED"));
	assert_int_equal(H.nhdrs, 3);
	assert_true(mem_is(H.hdrs[2].name, H.hdrs[2].name_len, "Upgrade"));
	assert_true(mem_is(H.hdrs[2].value, H.hdrs[2].value_len, "tcp"));

	/* Reason absent, or present and empty. */
	assert_true(gparse(valid[2], strlen(valid[2])) > 0);
	assert_int_equal(H.status, 204);
	assert_int_equal(H.minor, 0);
	assert_int_equal(H.reason_len, 0);
	assert_int_equal(H.nhdrs, 0);
	assert_int_equal(H.conn_close, 1);
	assert_true(gparse(valid[3], strlen(valid[3])) > 0);
	assert_int_equal(H.reason_len, 0);
	assert_int_equal(H.chunked, 1);

	/* Any reason bytes but CR, LF and NUL. */
	assert_true(gparse(valid[5], strlen(valid[5])) > 0);
	assert_int_equal(H.status, 599);
	assert_true(mem_is(H.reason, H.reason_len, "\x01\x80 weird\treason"));
	assert_int_equal(H.hdrs[0].value_len, 0);
	assert_int_equal(H.hdrs[1].value_len, 0);
	assert_true(gparse(LIT("HTTP/1.1 200 OK  \r\n\r\n")) > 0);
	assert_true(mem_is(H.reason, H.reason_len, "OK  "));
	assert_true(gparse(LIT("HTTP/1.1 100 Continue\r\n\r\n")) > 0);
	assert_int_equal(H.status, 100);
	assert_true(gparse(LIT("HTTP/1.1 200 OK\r\nX: \xff\x80\r\n\r\n")) > 0);
}

static void
test_length_and_coding(void **state)
{
	(void)state;
	assert_true(gparse(LIT("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
	    "\r\n")) > 0);
	assert_int_equal(H.has_length, 1);
	assert_true(H.content_length == 0);
	/* Repeats of one value are tolerated, also spelt differently. */
	assert_true(gparse(LIT("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n"
	    "content-length: 007\r\n\r\n")) > 0);
	assert_int_equal(H.has_length, 1);
	assert_true(H.content_length == 7);
	assert_true(gparse(LIT("HTTP/1.1 200 OK\r\nContent-Length: "
	    "9007199254740992\r\n\r\n")) > 0);
	assert_true(H.content_length == (uint64_t)1 << 53);
	assert_true(gparse(LIT("HTTP/1.1 200 OK\r\n\r\n")) > 0);
	assert_int_equal(H.has_length, 0);
	assert_int_equal(H.chunked, 0);

	/* Final coding decides; Content-Length is then ignored. */
	assert_true(gparse(LIT("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n")) > 0);
	assert_int_equal(H.chunked, 1);
	assert_int_equal(H.has_length, 0);
	assert_int_equal(H.conn_close, 0);
	assert_true(gparse(LIT("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, "
	    "CHUNKED\r\n\r\n")) > 0);
	assert_int_equal(H.chunked, 1);
	assert_true(gparse(LIT("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n")) > 0);
	assert_int_equal(H.chunked, 1);
	assert_true(gparse(LIT("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked,"
	    " \r\n\r\n")) > 0);
	assert_int_equal(H.chunked, 1);
	/* Not chunked last: the body runs until close (RFC 9112 6.3). */
	assert_true(gparse(LIT("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
	    "\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\n")) > 0);
	assert_int_equal(H.chunked, 0);
	assert_int_equal(H.has_length, 0);
	assert_int_equal(H.conn_close, 1);
	assert_true(gparse(LIT("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	    "chunked, gzip\r\n\r\n")) > 0);
	assert_int_equal(H.chunked, 0);
	assert_int_equal(H.conn_close, 1);
	assert_true(gparse(LIT("HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n"
	    "\r\n")) > 0);
	assert_int_equal(H.chunked, 0);
	assert_int_equal(H.conn_close, 1);
}

static void
test_conn_close(void **state)
{
	(void)state;
	assert_true(gparse(LIT("HTTP/1.1 200 OK\r\nConnection: close\r\n"
	    "\r\n")) > 0);
	assert_int_equal(H.conn_close, 1);
	assert_true(gparse(LIT("HTTP/1.1 200 OK\r\nConnection: x, CLOSE\r\n"
	    "\r\n")) > 0);
	assert_int_equal(H.conn_close, 1);
	assert_true(gparse(LIT("HTTP/1.1 200 OK\r\nConnection: closed\r\n"
	    "\r\n")) > 0);
	assert_int_equal(H.conn_close, 0);
	assert_true(gparse(LIT("HTTP/1.0 200 OK\r\n\r\n")) > 0);
	assert_int_equal(H.conn_close, 1);
	assert_true(gparse(LIT("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n"
	    "\r\n")) > 0);
	assert_int_equal(H.conn_close, 0);
	assert_true(gparse(LIT("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
	    "Connection: close\r\n\r\n")) > 0);
	assert_int_equal(H.conn_close, 1);
}

static char	big[64 * 1024];

static size_t
build_padded(size_t total)
{
	static const char	pre[] = "HTTP/1.1 200 OK\r\nX-Pad: ";
	size_t			n = sizeof(pre) - 1, pad = total - n - 4;

	memcpy(big, pre, n);
	memset(big + n, 'a', pad);
	memcpy(big + n + pad, "\r\n\r\n", 4);
	return total;
}

static size_t
build_nhdrs(int nfields)
{
	size_t	n;
	int	i;

	n = (size_t)sprintf(big, "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < nfields; i++)
		n += (size_t)sprintf(big + n, "X-%d: v\r\n", i);
	n += (size_t)sprintf(big + n, "\r\n");
	return n;
}

static void
test_limits(void **state)
{
	size_t	n;

	(void)state;
	n = build_padded(RESP_MAX_HEAD);
	assert_int_equal(gparse(big, n), RESP_MAX_HEAD);
	assert_int_equal(gparse(big, n - 1), REQ_INCOMPLETE);
	memset(big + n, 'b', 10);
	assert_int_equal(gparse(big, n + 10), RESP_MAX_HEAD);

	n = build_padded(RESP_MAX_HEAD + 1);
	assert_int_equal(gparse(big, n), REQ_ERROR);
	assert_int_equal(gparse(big, RESP_MAX_HEAD - 1), REQ_INCOMPLETE);
	assert_int_equal(gparse(big, RESP_MAX_HEAD), REQ_ERROR);

	n = build_nhdrs(RESP_MAX_HEADERS);
	assert_int_equal(gparse(big, n), (int)n);
	assert_int_equal(H.nhdrs, RESP_MAX_HEADERS);
	n = build_nhdrs(RESP_MAX_HEADERS + 1);
	assert_int_equal(gparse(big, n), REQ_ERROR);
}

static void
test_framing(void **state)
{
	static const struct {
		const char		*in;
		int			 is_head, hijack_ok;
		enum resp_framing	 want;
	} t[] = {
		{ "HTTP/1.1 101 UPGRADED\r\nUpgrade: tcp\r\n\r\n", 0, 1,
		    RESP_FRAME_HIJACK },
		{ "HTTP/1.1 101 UPGRADED\r\nUpgrade: tcp\r\n\r\n", 1, 1,
		    RESP_FRAME_HIJACK },
		{ "HTTP/1.1 101 UPGRADED\r\nUpgrade: tcp\r\n\r\n", 0, 0,
		    RESP_FRAME_NONE },
		{ "HTTP/1.1 100 Continue\r\n\r\n", 0, 1, RESP_FRAME_NONE },
		{ "HTTP/1.1 102 Processing\r\n\r\n", 0, 0, RESP_FRAME_NONE },
		{ "HTTP/1.1 103 Early Hints\r\nContent-Length: 4\r\n\r\n", 0,
		    1, RESP_FRAME_NONE },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n", 1, 0,
		    RESP_FRAME_NONE },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 1,
		    1, RESP_FRAME_NONE },
		{ "HTTP/1.1 204 No Content\r\nContent-Length: 4\r\n\r\n", 0,
		    0, RESP_FRAME_NONE },
		{ "HTTP/1.1 204 No Content\r\n\r\n", 0, 1, RESP_FRAME_NONE },
		{ "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked"
		    "\r\n\r\n", 0, 0, RESP_FRAME_NONE },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 0,
		    0, RESP_FRAME_CHUNKED },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
		    "Content-Length: 3\r\n\r\n", 0, 1, RESP_FRAME_CHUNKED },
		{ "HTTP/1.1 500 Oops\r\nContent-Length: 3\r\n\r\n", 0, 1,
		    RESP_FRAME_LENGTH },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, 1,
		    RESP_FRAME_LENGTH },
		{ "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker."
		    "raw-stream\r\n\r\n", 0, 1, RESP_FRAME_HIJACK },
		{ "HTTP/1.1 201 Created\r\n\r\n", 0, 1, RESP_FRAME_HIJACK },
		{ "HTTP/1.1 299 X\r\n\r\n", 0, 1, RESP_FRAME_HIJACK },
		{ "HTTP/1.1 200 OK\r\n\r\n", 0, 0, RESP_FRAME_CLOSE },
		{ "HTTP/1.1 300 X\r\n\r\n", 0, 1, RESP_FRAME_CLOSE },
		{ "HTTP/1.1 404 Not Found\r\n\r\n", 0, 1, RESP_FRAME_CLOSE },
		{ "HTTP/1.0 200 OK\r\n\r\n", 0, 0, RESP_FRAME_CLOSE },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
		    "Content-Length: 3\r\n\r\n", 0, 0, RESP_FRAME_CLOSE },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_true(gparse(t[i].in, strlen(t[i].in)) > 0);
		if (resp_framing(&H, t[i].is_head, t[i].hijack_ok) !=
		    t[i].want) {
			print_error("case %zu: got %d want %d\n", i,
			    resp_framing(&H, t[i].is_head, t[i].hijack_ok),
			    t[i].want);
			fail();
		}
	}
}

static void
test_hdr_is_hop(void **state)
{
	static const char *const hop[] = {
		"Connection", "keep-alive", "Proxy-Connection", "TE",
		"trailer", "UPGRADE", "Proxy-Authenticate", "X-Listed", "y"
	};
	static const char *const e2e[] = {
		"Transfer-Encoding", "Content-Length", "Content-Type",
		"Proxy-Authorization", "X-Listedd", "Docker-Experimental", ""
	};
	size_t	i;

	(void)state;
	assert_true(gparse(LIT("HTTP/1.1 200 OK\r\nConnection: x-listed\r\n"
	    "Connection: ,Y ,\r\n\r\n")) > 0);
	for (i = 0; i < sizeof(hop) / sizeof(hop[0]); i++)
		assert_int_equal(resp_hdr_is_hop(&H, hop[i], strlen(hop[i])),
		    1);
	for (i = 0; i < sizeof(e2e) / sizeof(e2e[0]); i++)
		assert_int_equal(resp_hdr_is_hop(&H, e2e[i], strlen(e2e[i])),
		    0);
}

static char	out[32 * 1024];

static void
ser_is(const char *in, enum resp_framing f, int ka, int dechunk,
    const char *want)
{
	long	n;

	assert_true(gparse(in, strlen(in)) > 0);
	n = resp_serialize(&H, f, ka, dechunk, out, sizeof(out));
	assert_true(n >= 0);
	out[n] = '\0';
	assert_string_equal(out, want);
}

static void
test_serialize(void **state)
{
	(void)state;
	ser_is("HTTP/1.1 200 OK\r\nApi-Version: 1.43\r\n"
	    "Content-Length: 2\r\nConnection: keep-alive, X-Secret\r\n"
	    "Keep-Alive: timeout=5\r\nX-Secret: s\r\nTE: x\r\nTrailer: y\r\n"
	    "Proxy-Connection: z\r\nProxy-Authenticate: w\r\n"
	    "Upgrade: u\r\nx-MiXed:  v \r\n\r\n",
	    RESP_FRAME_LENGTH, 1, 0,
	    "HTTP/1.1 200 OK\r\nApi-Version: 1.43\r\nContent-Length: 2\r\n"
	    "x-MiXed: v\r\nConnection: keep-alive\r\n\r\n");
	ser_is("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n",
	    RESP_FRAME_LENGTH, 0, 0,
	    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n"
	    "\r\n");

	/* The version is always ours; the reason is kept, even empty. */
	ser_is("HTTP/1.0 204\r\n\r\n", RESP_FRAME_NONE, 0, 0,
	    "HTTP/1.1 204 \r\nConnection: close\r\n\r\n");
	ser_is("HTTP/1.1 404 Not  Found\r\nContent-Length: 0\r\n\r\n",
	    RESP_FRAME_LENGTH, 1, 0, "HTTP/1.1 404 Not  Found\r\n"
	    "Content-Length: 0\r\nConnection: keep-alive\r\n\r\n");

	/* Hijack by 101: our own Connection, the upstream's Upgrade. */
	ser_is("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker."
	    "raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n",
	    RESP_FRAME_HIJACK, 1, 0, "HTTP/1.1 101 UPGRADED\r\n"
	    "Content-Type: application/vnd.docker.raw-stream\r\n"
	    "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
	ser_is("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\n\r\n",
	    RESP_FRAME_HIJACK, 0, 0,
	    "HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\n\r\n");
	/* Hijack by 200: plain Connection as asked. */
	ser_is("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker."
	    "raw-stream\r\n\r\n", RESP_FRAME_HIJACK, 0, 0,
	    "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker."
	    "raw-stream\r\nConnection: close\r\n\r\n");

	/* Chunked passes through, or is dropped when de-chunking. */
	ser_is("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX: 1\r\n\r\n",
	    RESP_FRAME_CHUNKED, 1, 0, "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\nX: 1\r\nConnection: keep-alive\r\n"
	    "\r\n");
	ser_is("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX: 1\r\n\r\n",
	    RESP_FRAME_CHUNKED, 0, 1,
	    "HTTP/1.1 200 OK\r\nX: 1\r\nConnection: close\r\n\r\n");
	/* Both framings from upstream: Content-Length never goes on. */
	ser_is("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", RESP_FRAME_CHUNKED, 1, 0,
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    "Connection: keep-alive\r\n\r\n");
	ser_is("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", RESP_FRAME_CHUNKED, 0, 1,
	    "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
}

static void
test_serialize_cap(void **state)
{
	static const char	in[] = "HTTP/1.1 101 UPGRADED\r\nX: y\r\n"
	    "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n";
	char			ref[256], dst[256];
	long			n;
	size_t			cap, i;

	(void)state;
	assert_true(gparse(LIT(in)) > 0);
	n = resp_serialize(&H, RESP_FRAME_HIJACK, 1, 0, ref, sizeof(ref));
	assert_true(n > 0);
	for (cap = 0; cap < (size_t)n; cap++) {
		memset(dst, 0x5a, sizeof(dst));
		assert_int_equal(resp_serialize(&H, RESP_FRAME_HIJACK, 1, 0,
		    dst, cap), -1);
		for (i = cap; i < sizeof(dst); i++)
			assert_int_equal((unsigned char)dst[i], 0x5a);
	}
	memset(dst, 0x5a, sizeof(dst));
	assert_int_equal(resp_serialize(&H, RESP_FRAME_HIJACK, 1, 0, dst,
	    (size_t)n), n);
	assert_memory_equal(dst, ref, (size_t)n);
	assert_int_equal((unsigned char)dst[n], 0x5a);
}

/* parse(serialize(x)) keeps status, reason and end-to-end fields. */
static void
test_roundtrip(void **state)
{
	static struct resp_head	h2;
	static const char *const in[] = {
		"HTTP/1.1 200 OK\r\nA: 1\r\nConnection: x\r\nx: 2\r\n"
		    "Content-Length: 3\r\nB:\r\n\r\n",
		"HTTP/1.0 500 Internal Server Error\r\nC: \xff\r\n\r\n",
		"HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\n"
		    "Upgrade: tcp\r\nContent-Type: x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
		    "Trailer: T\r\nD: 4\r\n\r\n",
	};
	const char	*p;
	size_t		 i, j;
	long		 n;
	int		 f, ka, dc;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
	for (f = RESP_FRAME_NONE; f <= RESP_FRAME_HIJACK; f++)
	for (ka = 0; ka < 2; ka++)
	for (dc = 0; dc < 2; dc++) {
		assert_true(gparse(in[i], strlen(in[i])) > 0);
		n = resp_serialize(&H, (enum resp_framing)f, ka, dc, out,
		    sizeof(out));
		assert_true(n > 0);
		p = guard_place(1, out, (size_t)n);
		assert_int_equal(resp_parse(p, (size_t)n, &h2), (int)n);
		assert_int_equal(h2.status, H.status);
		assert_int_equal(h2.minor, 1);
		assert_int_equal(h2.reason_len, H.reason_len);
		assert_memory_equal(h2.reason, H.reason, H.reason_len);
		if (f == RESP_FRAME_HIJACK && H.status == 101)
			assert_int_equal(h2.conn_close, 0);
		else
			assert_int_equal(h2.conn_close, !ka);
		assert_int_equal(h2.chunked, H.chunked && !dc);
		for (j = 0; j < h2.nhdrs; j++)
			assert_int_equal(resp_hdr_is_hop(&H, h2.hdrs[j].name,
			    h2.hdrs[j].name_len) && !req_token_eq(
			    h2.hdrs[j].name, h2.hdrs[j].name_len,
			    "connection") && !req_token_eq(h2.hdrs[j].name,
			    h2.hdrs[j].name_len, "upgrade"), 0);
	}
}

/* Random mutations never crash and never accept a broken terminator. */
static uint64_t	rng = 0xd1b54a32d192ed03ULL;

static uint32_t
rnd(uint32_t n)
{
	/* xorshift64; the masks only keep -fsanitize=integer quiet. */
	rng ^= (rng & (UINT64_MAX >> 13)) << 13;
	rng ^= rng >> 7;
	rng ^= (rng & (UINT64_MAX >> 17)) << 17;
	return (uint32_t)(rng >> 32) % n;
}

static void
test_mutations(void **state)
{
	static const char	special[] = "\r\n :\t\0\x80/,0";
	char			buf[1024];
	size_t			n, pos, i;
	int			iter, k, rc;
	char			c;

	(void)state;
	for (iter = 0; iter < 100000; iter++) {
		i = rnd(sizeof(valid) / sizeof(valid[0]));
		n = strlen(valid[i]);
		memcpy(buf, valid[i], n);
		for (k = 0; k < 1 + (int)rnd(3) && n > 0; k++) {
			pos = rnd((uint32_t)n);
			c = rnd(2) ? special[rnd(sizeof(special) - 1)] :
			    (char)rnd(256);
			switch (rnd(3)) {
			case 0:
				buf[pos] = c;
				break;
			case 1:
				memmove(buf + pos + 1, buf + pos, n - pos);
				buf[pos] = c;
				n++;
				break;
			default:
				memmove(buf + pos, buf + pos + 1, n - pos - 1);
				n--;
				break;
			}
		}
		rc = gparse(buf, n);
		if (rc < 0) {
			assert_true(rc == REQ_ERROR || rc == REQ_INCOMPLETE);
			continue;
		}
		assert_true(rc >= 16 && (size_t)rc <= n);
		assert_memory_equal(buf + rc - 4, "\r\n\r\n", 4);
		assert_true(H.status >= 100 && H.status <= 599);
		assert_true(H.nhdrs <= RESP_MAX_HEADERS);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_length_and_coding),
		cmocka_unit_test(test_conn_close),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_hdr_is_hop),
		cmocka_unit_test(test_serialize),
		cmocka_unit_test(test_serialize_cap),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
