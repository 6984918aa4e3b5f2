/*
 * test_exchange.c - the exchange state machine driven through a fake
 * transport: no sockets, every byte each side receives is checked.
 * Covers what used to be testable only over real sockets: pipelining,
 * 100-continue, HEAD, interim responses, hijack with half-close, chunked
 * bodies both ways, de-chunking for HTTP/1.0, upstream EOF before and
 * inside a response, denials with and without a body; the waits that
 * time a connection out, stream counting (429) and revoked clients (403);
 * judged bodies read whole (Content-Length or chunked) and forwarded
 * exactly, refused, too large (413) or too slow (408).  Until the real
 * body policy lands, body_judge refuses '"Privileged":true' (403) and a
 * body that is not {...} (400).  Filtered responses: re-framed chunked (or
 * by close), elements dropped, values redacted, invalid JSON failing
 * closed; visibility probes: visible, hidden (dockerd's 404), missing,
 * failed, and chained (exec to container, tasks to services).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "exchange.h"
#include "profile.h"
#include "rule.h"

/* One connection's world: the exchange and what each end received. */
struct fake {
	struct exchange	 x;
	struct cfg_listener pol;
	const struct cfg_listener *polp;
	char		 up[1 << 16];	/* bytes written to the upstream */
	size_t		 uplen;
	char		 cli[1 << 16];	/* bytes written to the client */
	size_t		 clilen;
	int		 opens, closes, shut_up, shut_cli, records;
	int		 fail_open;	/* up_open fails */
	int		 streams;	/* counted open by stream_open */
	int		 refuse_streams;	/* stream_open says no */
	int		 cli_stalled;	/* the client reads nothing */
	int		 last_status;
	const char	*last_verdict;
	char		 last_rule[200];
	struct exchange_rec last_rec;	/* the whole last record */
	uint64_t	 clock;		/* f_now's microseconds */
};

static struct fake	F;

static int
f_up_open(void *arg, char *err, size_t errlen)
{
	struct fake *f = arg;

	if (f->fail_open) {
		snprintf(err, errlen, "/fake.sock: refused");
		return -1;
	}
	f->opens++;
	return 0;
}

static void
f_up_close(void *arg)
{
	((struct fake *)arg)->closes++;
}

static void
f_shut(void *arg, int to_up)
{
	struct fake *f = arg;

	if (to_up)
		f->shut_up++;
	else
		f->shut_cli++;
}

static void
f_record(void *arg, const struct exchange *x)
{
	struct fake *f = arg;

	f->records++;
	f->last_status = x->rec.status;
	f->last_verdict = x->rec.verdict;
	snprintf(f->last_rule, sizeof(f->last_rule), "%s", x->rec.rule);
	f->last_rec = x->rec;
}

static uint64_t
f_now(void)
{
	return F.clock;
}

static int
f_stream_open(void *arg, char *msg, size_t msglen)
{
	struct fake *f = arg;

	if (f->refuse_streams) {
		snprintf(msg, msglen, "sockward: too many streams");
		return -1;
	}
	f->streams++;
	return 0;
}

static void
f_stream_close(void *arg)
{
	((struct fake *)arg)->streams--;
}

static const struct exchange_io f_io = {
	.stream_open = f_stream_open,
	.stream_close = f_stream_close,
	.up_open = f_up_open,
	.up_close = f_up_close,
	.shut = f_shut,
	.record = f_record,
	.now_us = f_now,
};

/* Profile traefik plus the routes the tests need. */
static int
setup(void **state)
{
	static const char *const extra[] = {
		"allow POST /containers/create",
		"allow POST /networks/create",
		"allow POST /containers/{id}/attach",
		"allow HEAD /_ping",
		"allow GET /events",
		"allow GET /exec/{id}/json",
		"allow GET /volumes",
	};
	struct rule	 r;
	const char	*why;
	size_t		 i;

	(void)state;
	memset(&F, 0, sizeof(F));
	cfg_listener_defaults(&F.pol);
	snprintf(F.pol.name, sizeof(F.pol.name), "test");
	assert_int_equal(profile_load(profile_find("traefik"), &F.pol.rules),
	    0);
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		assert_int_equal(rule_parse_line(extra[i], &r, &why), 0);
		assert_int_equal(rule_set_add(&F.pol.rules, &r, "test"), 0);
	}
	F.polp = &F.pol;
	exchange_init(&F.x);
	F.x.io = &f_io;
	F.x.arg = &F;
	F.x.pol = &F.polp;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (!F.x.dead)
		exchange_end(&F.x);
	exchange_end(&F.x);	/* twice: safe */
	rule_set_free(&F.pol.rules);
	rf_policy_unref(F.pol.rf);
	return 0;
}

/* Write what half h has ready to dst, as a transport that never blocks. */
static int
flush(struct exchange_half *h, char *dst, size_t *len, size_t cap)
{
	size_t	n, hl, bl;

	if (!exchange_pending(h))
		return 0;
	hl = sbuf_len(&h->head);
	bl = h->held_end - h->held_start;
	n = hl + bl + h->ready;
	assert_true(*len + n <= cap);
	if (hl > 0)
		memcpy(dst + *len, h->head.data + h->head.start, hl);
	if (bl > 0)
		memcpy(dst + *len + hl, h->held + h->held_start, bl);
	if (h->ready > 0)
		memcpy(dst + *len + hl + bl, h->in.data + h->in.start,
		    h->ready);
	*len += n;
	exchange_sent(&F.x, h, n);
	return 1;
}

/* Advance and write until nothing moves, as conn_progress does. */
static void
pump(void)
{
	int	i, moved = 1;

	for (i = 0; i < 100 && moved && !F.x.dead; i++) {
		exchange_advance(&F.x);
		if (F.x.dead)
			break;
		moved = 0;
		if (F.x.up_open)
			moved |= flush(&F.x.rq, F.up, &F.uplen, sizeof(F.up));
		if (!F.cli_stalled)
			moved |= flush(&F.x.rs, F.cli, &F.clilen,
			    sizeof(F.cli));
	}
}

/* One source sends s (n bytes; 0: strlen), or EOF when s is NULL. */
static void
send_to(struct exchange_half *h, const char *s, size_t n)
{
	if (s == NULL) {
		exchange_got(&F.x, h, 0);
		pump();
		return;
	}
	if (n == 0)
		n = strlen(s);
	assert_int_equal(sbuf_reserve(&h->in), 0);
	assert_true(sbuf_room(&h->in) >= n);
	memcpy(h->in.data + h->in.end, s, n);
	h->in.end += n;
	exchange_got(&F.x, h, n);
	pump();
}

#define CLI(s)	send_to(&F.x.rq, (s), 0)
#define UP(s)	send_to(&F.x.rs, (s), 0)

/* What a side received, as a string (consumed: the next call starts
 * after it). */
static const char *
take(char *buf, size_t *len)
{
	static char out[1 << 16];

	memcpy(out, buf, *len);
	out[*len] = '\0';
	*len = 0;
	return out;
}

#define GOT_UP()	take(F.up, &F.uplen)
#define GOT_CLI()	take(F.cli, &F.clilen)

static const char PING[] = "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n";
static const char OK2[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK";

static void
test_pipelining(void **state)
{
	char	two[200];

	(void)state;
	snprintf(two, sizeof(two), "%s%s", PING, PING);
	CLI(two);
	/* One request in flight at a time: the second waits. */
	assert_non_null(strstr(GOT_UP(), "GET /_ping HTTP/1.1\r\n"));
	assert_int_equal(F.x.rs.phase, EXCH_HEAD);
	UP(OK2);
	assert_non_null(strstr(GOT_CLI(), "200 OK"));
	assert_int_equal(F.records, 1);
	/* The second went upstream once the first was answered. */
	assert_non_null(strstr(GOT_UP(), "GET /_ping HTTP/1.1\r\n"));
	UP(OK2);
	assert_non_null(strstr(GOT_CLI(), "\r\n\r\nOK"));
	assert_int_equal(F.records, 2);
	assert_int_equal(F.opens, 1);	/* the upstream was reused */
	assert_true(exchange_idle(&F.x));
	assert_false(F.x.dead);
}

static void
test_expect_continue(void **state)
{
	const char *up;

	(void)state;
	CLI("POST /networks/create HTTP/1.1\r\nHost: d\r\n"
	    "Content-Type: application/json\r\n"
	    "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n");
	assert_string_equal(GOT_CLI(), "HTTP/1.1 100 Continue\r\n\r\n");
	up = GOT_UP();
	assert_non_null(strstr(up, "POST /networks/create"));
	assert_null(strstr(up, "Expect"));
	CLI("{}");
	assert_string_equal(GOT_UP(), "{}");
	assert_int_equal(F.x.rq.phase, EXCH_DONE);
}

static void
test_head_has_no_body(void **state)
{
	(void)state;
	CLI("HEAD /_ping HTTP/1.1\r\nHost: d\r\n\r\n");
	(void)GOT_UP();
	UP("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
	assert_non_null(strstr(GOT_CLI(), "Content-Length: 2\r\n"));
	/* Done without waiting for two body bytes. */
	assert_int_equal(F.records, 1);
	assert_true(exchange_idle(&F.x));
}

static void
test_interim_response_dropped(void **state)
{
	const char *cli;

	(void)state;
	CLI(PING);
	UP("HTTP/1.1 102 Processing\r\n\r\n");
	assert_int_equal(F.clilen, 0);
	UP(OK2);
	cli = GOT_CLI();
	assert_null(strstr(cli, "102"));
	assert_non_null(strstr(cli, "HTTP/1.1 200 OK"));
}

static void
test_hijack_half_close(void **state)
{
	(void)state;
	CLI("POST /containers/abc/attach?stream=1&stdin=1 HTTP/1.1\r\n"
	    "Host: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
	(void)GOT_UP();
	UP("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\n"
	    "Upgrade: tcp\r\n\r\nhello");
	assert_non_null(strstr(GOT_CLI(), "101"));
	assert_int_equal(F.x.rq.phase, EXCH_HIJACK);
	/* Raw bytes both ways, unparsed. */
	CLI("GET / HTTP/1.1\r\n\r\n");
	assert_string_equal(GOT_UP(), "GET / HTTP/1.1\r\n\r\n");
	UP("more");
	assert_string_equal(GOT_CLI(), "more");
	/* Half-close passes through; both ends closed ends it. */
	CLI(NULL);
	assert_int_equal(F.shut_up, 1);
	assert_false(F.x.dead);
	UP("tail");
	assert_string_equal(GOT_CLI(), "tail");
	UP(NULL);
	assert_int_equal(F.shut_cli, 1);
	assert_true(F.x.dead);
	assert_null(F.x.why);
}

static void
test_chunked_request_passes_validated(void **state)
{
	const char *up;

	(void)state;
	CLI("POST /networks/create HTTP/1.1\r\nHost: d\r\n"
	    "Content-Type: application/json\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
	up = GOT_UP();
	assert_non_null(strstr(up, "\r\n\r\n2\r\n{}\r\n0\r\n\r\n"));
	assert_int_equal(F.x.rq.phase, EXCH_DONE);
}

static void
test_chunked_request_malformed(void **state)
{
	(void)state;
	CLI("POST /networks/create HTTP/1.1\r\nHost: d\r\n"
	    "Content-Type: application/json\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n");
	(void)GOT_UP();
	CLI("zz\r\n");
	/* Nothing of it went upstream; the upstream was dropped. */
	assert_int_equal(F.uplen, 0);
	assert_int_equal(F.closes, 1);
	assert_non_null(strstr(GOT_CLI(), "HTTP/1.1 400 "));
	assert_true(F.x.dead);
	assert_int_equal(F.last_status, 400);
}

static void
test_chunked_response(void **state)
{
	const char *cli;

	(void)state;
	CLI(PING);
	UP("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "2\r\nOK\r\n");
	cli = GOT_CLI();
	assert_non_null(strstr(cli, "Transfer-Encoding: chunked\r\n"));
	assert_non_null(strstr(cli, "\r\n\r\n2\r\nOK\r\n"));
	assert_int_equal(F.records, 0);
	UP("0\r\n\r\n");
	assert_string_equal(GOT_CLI(), "0\r\n\r\n");
	assert_int_equal(F.records, 1);
	assert_true(exchange_idle(&F.x));
}

static void
test_http10_dechunked(void **state)
{
	const char *cli;

	(void)state;
	CLI("GET /events HTTP/1.0\r\n\r\n");
	UP("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "3\r\nabc\r\n4\r\ndefg\r\n");
	cli = GOT_CLI();
	assert_null(strstr(cli, "Transfer-Encoding"));
	assert_non_null(strstr(cli, "\r\n\r\nabcdefg"));
	assert_int_equal((int)(strlen(cli) - (size_t)(strstr(cli, "abcdefg") -
	    cli)), 7);
	UP("0\r\n\r\n");
	assert_int_equal(F.clilen, 0);
	/* Delimited by close. */
	assert_true(F.x.dead);
}

static void
test_upstream_eof_before_head(void **state)
{
	(void)state;
	CLI(PING);
	UP(NULL);
	assert_non_null(strstr(GOT_CLI(), "HTTP/1.1 502 "));
	assert_int_equal(F.last_status, 502);
	assert_string_equal(F.last_verdict, "error");
	assert_true(F.x.dead);	/* Connection: close after it */
}

static void
test_upstream_eof_mid_body(void **state)
{
	(void)state;
	CLI(PING);
	UP("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
	assert_non_null(strstr(GOT_CLI(), "\r\n\r\nabc"));
	UP(NULL);
	/* The head is out: no 502 can follow, only a close. */
	assert_int_equal(F.clilen, 0);
	assert_true(F.x.dead);
	assert_string_equal(F.x.why, "upstream closed mid-response");
}

static void
test_upstream_unreachable(void **state)
{
	(void)state;
	F.fail_open = 1;
	CLI(PING);
	assert_non_null(strstr(GOT_CLI(), "cannot reach the Docker daemon at "
	    "/fake.sock: refused"));
	assert_int_equal(F.last_status, 502);
	assert_false(F.x.dead);	/* bodiless and keep-alive: continues */
}

static void
test_deny_with_body_closes(void **state)
{
	(void)state;
	CLI("POST /secrets/create HTTP/1.1\r\nHost: d\r\n"
	    "Content-Length: 5\r\n\r\nhello");
	assert_non_null(strstr(GOT_CLI(), "HTTP/1.1 403 Forbidden\r\n"));
	assert_int_equal(F.opens, 0);	/* never reached the upstream */
	assert_int_equal(F.uplen, 0);
	assert_true(F.x.dead);
	assert_string_equal(F.last_verdict, "deny");
}

static void
test_deny_without_body_keeps_alive(void **state)
{
	const char *cli;

	(void)state;
	CLI("GET /secrets HTTP/1.1\r\nHost: d\r\n\r\n");
	cli = GOT_CLI();
	assert_non_null(strstr(cli, "403"));
	assert_non_null(strstr(cli, "Connection: keep-alive"));
	assert_false(F.x.dead);
	CLI(PING);
	assert_int_equal(F.opens, 1);
	assert_non_null(strstr(GOT_UP(), "GET /_ping"));
}

static void
test_bytes_past_response(void **state)
{
	(void)state;
	CLI(PING);
	UP("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOKjunk");
	assert_non_null(strstr(GOT_CLI(), "\r\n\r\nOK"));
	assert_int_equal(F.clilen, 0);
	/* The upstream is out of step: not reused. */
	assert_int_equal(F.closes, 1);
	assert_false(F.x.up_open);
}

static const char EVENTS[] = "GET /events HTTP/1.1\r\nHost: d\r\n\r\n";
static const char CHUNKED_OK[] = "HTTP/1.1 200 OK\r\n"
    "Transfer-Encoding: chunked\r\n\r\n";

static void
test_stream_counted_once(void **state)
{
	(void)state;
	CLI(EVENTS);
	assert_int_equal(F.streams, 1);
	UP(CHUNKED_OK);
	UP("3\r\nabc\r\n");
	/* A quiet stream waits under no deadline. */
	assert_int_equal(exchange_wait(&F.x), EXCH_WAIT_NONE);
	UP("0\r\n\r\n");
	assert_int_equal(F.streams, 0);
	assert_false(F.x.dead);
	/* A plain request is not a stream. */
	CLI(PING);
	assert_int_equal(F.streams, 0);
	UP(OK2);
	/* A stream cut short is uncounted by exchange_end. */
	CLI(EVENTS);
	assert_int_equal(F.streams, 1);
	exchange_end(&F.x);
	assert_int_equal(F.streams, 0);
}

static void
test_stream_refused_429(void **state)
{
	const char *cli;

	(void)state;
	F.refuse_streams = 1;
	CLI(EVENTS);
	cli = GOT_CLI();
	assert_non_null(strstr(cli, "HTTP/1.1 429 Too Many Requests"));
	assert_non_null(strstr(cli, "{\"message\":\"sockward: too many "
	    "streams\"}"));
	assert_non_null(strstr(cli, "Connection: keep-alive"));
	assert_int_equal(F.opens, 0);	/* nothing went upstream */
	assert_int_equal(F.uplen, 0);
	assert_string_equal(F.last_verdict, "limit");
	/* Without a body the connection goes on. */
	CLI(PING);
	assert_int_equal(F.opens, 1);
	assert_int_equal(F.streams, 0);
}

static void
test_hijack_counted(void **state)
{
	(void)state;
	CLI("POST /containers/abc/attach?stream=1&stdin=1 HTTP/1.1\r\n"
	    "Host: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
	assert_int_equal(F.streams, 1);
	UP("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\n"
	    "Upgrade: tcp\r\n\r\n");
	assert_int_equal(exchange_wait(&F.x), EXCH_WAIT_NONE);
	CLI(NULL);
	UP(NULL);
	assert_true(F.x.dead);
	exchange_end(&F.x);
	assert_int_equal(F.streams, 0);
}

static void
test_revoked_403(void **state)
{
	const char *cli;

	(void)state;
	CLI(PING);
	UP(OK2);
	(void)GOT_CLI();
	F.x.revoked = "sockward: client 127.0.0.1 is no longer admitted";
	CLI(PING);
	cli = GOT_CLI();
	assert_non_null(strstr(cli, "HTTP/1.1 403 Forbidden"));
	assert_non_null(strstr(cli, "no longer admitted"));
	assert_non_null(strstr(cli, "Connection: close"));
	assert_true(F.x.dead);
	assert_int_equal(F.uplen, strlen(PING));	/* only the first */
}

static void
test_waits(void **state)
{
	(void)state;
	assert_int_equal(exchange_wait(&F.x), EXCH_WAIT_HEADER);
	CLI("POST /networks/create HTTP/1.1\r\nHost: d\r\n"
	    "Content-Length: 10\r\n\r\n{\"I");
	/* The body is owed by the client. */
	assert_int_equal(exchange_wait(&F.x), EXCH_WAIT_BODY);
	exchange_timeout(&F.x, EXCH_WAIT_BODY);
	assert_true(F.x.dead);
	assert_int_equal(F.closes, 1);	/* the upstream is let go */
	assert_non_null(strstr(F.x.rs.head.data + F.x.rs.head.start,
	    "HTTP/1.1 408 Request Timeout"));
	assert_non_null(strstr(F.x.rs.head.data + F.x.rs.head.start,
	    "timed out reading the request body"));
}

static void
test_wait_send(void **state)
{
	(void)state;
	CLI(PING);
	F.cli_stalled = 1;
	UP(OK2);
	/* An answer the client does not take. */
	assert_int_equal(exchange_wait(&F.x), EXCH_WAIT_SEND);
	F.cli_stalled = 0;
	pump();
	assert_int_equal(exchange_wait(&F.x), EXCH_WAIT_IDLE);
	exchange_timeout(&F.x, EXCH_WAIT_IDLE);
	assert_true(F.x.dead);
}


/* ---- judged bodies (POST /containers/create) ---- */

static const char CREATE_CL[] = "POST /containers/create?name=a HTTP/1.1\r\n"
    "Host: d\r\nContent-Type: application/json\r\n";
static const char BODY[] = "{\"Image\":\"alpine\",\"Cmd\":[\"true\"]}";
static const char PRIV[] = "{\"Image\":\"alpine\",\"HostConfig\":"
    "{\"Privileged\":true}}";

/* A create head announcing n body bytes, with extra header lines. */
static const char *
create_head(size_t n, const char *extra)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s%sContent-Length: %zu\r\n\r\n",
	    CREATE_CL, extra, n);
	return buf;
}

/* The upstream got exactly one request: a head framed with
 * Content-Length: strlen(body) and no Transfer-Encoding, then body. */
static void
assert_forwarded(const char *body)
{
	const char *up = GOT_UP(), *end;
	char	cl[64];

	end = strstr(up, "\r\n\r\n");
	assert_non_null(end);
	assert_non_null(strstr(up, "POST /containers/create?name=a "
	    "HTTP/1.1\r\n"));
	snprintf(cl, sizeof(cl), "\r\nContent-Length: %zu\r\n", strlen(body));
	assert_non_null(strstr(up, cl));
	assert_null(strstr(up, "Transfer-Encoding"));
	assert_null(strstr(up, "Expect"));
	assert_string_equal(end + 4, body);
}

static void
test_collect_length_allowed(void **state)
{
	(void)state;
	CLI(create_head(strlen(BODY), ""));
	/* Nothing dialled, nothing sent, until the whole body is judged. */
	assert_int_equal(F.x.rq.phase, EXCH_COLLECT);
	assert_int_equal(exchange_wait(&F.x), EXCH_WAIT_COLLECT);
	assert_int_equal(F.opens, 0);
	send_to(&F.x.rq, BODY, 10);
	assert_int_equal(F.opens, 0);
	assert_int_equal(F.uplen, 0);
	assert_int_equal(exchange_wait(&F.x), EXCH_WAIT_COLLECT);
	CLI(BODY + 10);
	assert_int_equal(F.opens, 1);
	assert_forwarded(BODY);
	assert_null(F.x.rq.held);	/* freed once sent */
	assert_int_equal(exchange_wait(&F.x), EXCH_WAIT_NONE);
	UP("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}");
	assert_non_null(strstr(GOT_CLI(), "201 Created"));
	assert_int_equal(F.last_status, 201);
	assert_string_equal(F.last_verdict, "allow");
	assert_true(exchange_idle(&F.x));
}

static void
test_collect_chunked_allowed(void **state)
{
	(void)state;
	CLI(CREATE_CL);
	CLI("Transfer-Encoding: chunked\r\n\r\n5\r\n{\"Ima\r\n");
	assert_int_equal(F.opens, 0);
	CLI("1b\r\nge\":\"alpine\",\"Cmd\":[\"true\"]\r\n");
	CLI("1\r\n}\r\n0\r\n");
	assert_int_equal(F.uplen, 0);
	CLI("\r\n");
	assert_forwarded(BODY);
	UP(OK2);
	assert_string_equal(F.last_verdict, "allow");
	assert_false(F.x.dead);
}

static void
test_collect_refused_403(void **state)
{
	const char *cli;

	(void)state;
	CLI(create_head(strlen(PRIV), ""));
	CLI(PRIV);
	cli = GOT_CLI();
	assert_non_null(strstr(cli, "HTTP/1.1 403 Forbidden\r\n"));
	assert_non_null(strstr(cli, "HostConfig.Privileged=true is not "
	    "allowed"));
	assert_non_null(strstr(cli, "Connection: keep-alive"));
	assert_int_equal(F.opens, 0);
	assert_int_equal(F.uplen, 0);
	assert_int_equal(F.last_status, 403);
	assert_string_equal(F.last_verdict, "deny");
	assert_non_null(strstr(F.last_rule, "body"));
	/* The body was read whole: the connection goes on. */
	assert_false(F.x.dead);
	CLI(PING);
	assert_int_equal(F.opens, 1);
	assert_string_equal(GOT_UP(), PING);
}

static void
test_collect_malformed_400(void **state)
{
	const char *cli;

	(void)state;
	CLI(create_head(5, ""));
	CLI("nope!");
	cli = GOT_CLI();
	assert_non_null(strstr(cli, "HTTP/1.1 400 Bad Request\r\n"));
	assert_non_null(strstr(cli, "request body refused"));
	assert_int_equal(F.opens, 0);
	assert_string_equal(F.last_verdict, "reject");
	assert_non_null(strstr(F.last_rule, "body"));
	assert_false(F.x.dead);
}

static void
test_collect_refused_keeps_alive_pipelined(void **state)
{
	char	buf[1024];
	size_t	n;

	(void)state;
	/* Refused create, then an allowed one, then a ping, in one read. */
	n = (size_t)snprintf(buf, sizeof(buf), "%s%s",
	    create_head(strlen(PRIV), ""), PRIV);
	snprintf(buf + n, sizeof(buf) - n, "%s%s%s",
	    create_head(strlen(BODY), ""), BODY, PING);
	CLI(buf);
	assert_non_null(strstr(GOT_CLI(), "403 Forbidden"));
	assert_int_equal(F.records, 1);
	assert_forwarded(BODY);
	UP(OK2);
	assert_int_equal(F.records, 2);
	/* The bytes after the second body were the next request. */
	assert_string_equal(GOT_UP(), PING);
	UP(OK2);
	assert_int_equal(F.records, 3);
	assert_int_equal(F.opens, 1);
	assert_true(exchange_idle(&F.x));
}

static void
test_collect_chunked_pipelined(void **state)
{
	char	buf[1024];

	(void)state;
	snprintf(buf, sizeof(buf), "%sTransfer-Encoding: chunked\r\n\r\n"
	    "%zx\r\n%s\r\n0\r\n\r\n%s", CREATE_CL, strlen(BODY), BODY, PING);
	CLI(buf);
	assert_forwarded(BODY);
	UP(OK2);
	assert_string_equal(GOT_UP(), PING);
}

static void
test_collect_413_length(void **state)
{
	const char *cli;

	(void)state;
	F.pol.body_max = 16;
	CLI(create_head(17, "Expect: 100-continue\r\n"));
	cli = GOT_CLI();
	assert_null(strstr(cli, "100 Continue"));
	assert_non_null(strstr(cli, "HTTP/1.1 413 Payload Too Large\r\n"));
	assert_non_null(strstr(cli, "sockward: request body larger than 16 "
	    "bytes (body-max)"));
	assert_non_null(strstr(cli, "Connection: close"));
	assert_true(F.x.dead);
	assert_int_equal(F.opens, 0);
	assert_int_equal(F.last_status, 413);
}

static void
test_collect_exactly_body_max(void **state)
{
	(void)state;
	F.pol.body_max = strlen(BODY);
	CLI(create_head(strlen(BODY), ""));
	CLI(BODY);
	assert_forwarded(BODY);
}

static void
test_collect_413_chunked(void **state)
{
	(void)state;
	F.pol.body_max = 16;
	CLI(CREATE_CL);
	CLI("Transfer-Encoding: chunked\r\n\r\n9\r\n{\"Image\":\r\n");
	assert_int_equal(F.clilen, 0);
	CLI("8\r\n\"alpine\"\r\n");
	assert_non_null(strstr(GOT_CLI(), "HTTP/1.1 413 "));
	assert_true(F.x.dead);
	assert_int_equal(F.opens, 0);
	assert_int_equal(F.uplen, 0);
}

static void
test_collect_chunked_malformed(void **state)
{
	(void)state;
	CLI(CREATE_CL);
	CLI("Transfer-Encoding: chunked\r\n\r\n2\r\n{}zz");
	assert_non_null(strstr(GOT_CLI(), "HTTP/1.1 400 "));
	assert_true(F.x.dead);
	assert_int_equal(F.opens, 0);
}

static void
test_collect_expect_continue(void **state)
{
	(void)state;
	CLI(create_head(strlen(BODY), "Expect: 100-continue\r\n"));
	assert_string_equal(GOT_CLI(), "HTTP/1.1 100 Continue\r\n\r\n");
	assert_int_equal(F.opens, 0);
	CLI(BODY);
	assert_forwarded(BODY);
	UP(OK2);
	assert_non_null(strstr(GOT_CLI(), "200 OK"));
}

static void
test_collect_timeout_408(void **state)
{
	const char *rs;

	(void)state;
	CLI(PING);
	UP(OK2);
	(void)GOT_CLI();
	(void)GOT_UP();
	/* An idle upstream stays open meanwhile but gets nothing. */
	CLI(create_head(strlen(BODY), ""));
	CLI("{");
	assert_int_equal(exchange_wait(&F.x), EXCH_WAIT_COLLECT);
	exchange_timeout(&F.x, EXCH_WAIT_COLLECT);
	assert_true(F.x.dead);
	rs = F.x.rs.head.data + F.x.rs.head.start;
	assert_non_null(strstr(rs, "HTTP/1.1 408 Request Timeout"));
	assert_non_null(strstr(rs, "timed out reading the request body"));
	assert_int_equal(F.uplen, 0);
	assert_null(F.x.col);
}

static void
test_collect_client_eof(void **state)
{
	(void)state;
	CLI(create_head(strlen(BODY), ""));
	CLI("{\"Im");
	CLI(NULL);
	assert_true(F.x.dead);
	assert_int_equal(F.opens, 0);
	assert_int_equal(F.uplen, 0);
}

static void
test_collect_audit_forwards(void **state)
{
	(void)state;
	F.pol.mode = CFG_AUDIT;
	CLI(create_head(strlen(PRIV), ""));
	CLI(PRIV);
	assert_int_equal(F.opens, 1);
	{
		const char *up = GOT_UP();

		assert_string_equal(strstr(up, "\r\n\r\n") + 4, PRIV);
	}
	UP(OK2);
	assert_string_equal(F.last_verdict, "would_deny");
	assert_non_null(strstr(F.last_rule, "body"));
}

static void
test_collect_upstream_unreachable(void **state)
{
	(void)state;
	F.fail_open = 1;
	CLI(create_head(strlen(BODY), ""));
	CLI(BODY);
	assert_non_null(strstr(GOT_CLI(), "HTTP/1.1 502 "));
	assert_string_equal(F.last_verdict, "error");
	assert_false(F.x.dead);
	assert_null(F.x.rq.held);
}

/* A policy reloaded while the body is read decides: the request is
 * judged again under it, never under the one that was freed. */
static void
test_collect_policy_reloaded(void **state)
{
	struct cfg_listener *np;
	const char *why;
	struct rule r;

	(void)state;
	np = calloc(1, sizeof(*np));
	assert_non_null(np);
	cfg_listener_defaults(np);
	snprintf(np->name, sizeof(np->name), "new");
	assert_int_equal(rule_parse_line("allow GET /_ping", &r, &why), 0);
	assert_int_equal(rule_set_add(&np->rules, &r, "new"), 0);
	CLI(create_head(strlen(BODY), ""));
	F.polp = np;
	CLI(BODY);
	assert_non_null(strstr(GOT_CLI(), "403 Forbidden"));
	assert_int_equal(F.opens, 0);
	assert_string_equal(F.last_verdict, "deny");
	F.polp = &F.pol;
	rule_set_free(&np->rules);
	free(np);
}

/* The buffer grows past its first allocation and keeps every byte. */
static void
test_collect_large(void **state)
{
	static char body[40000];
	const char *up;
	size_t	i, n = sizeof(body) - 1;

	(void)state;
	memcpy(body, "{\"x\":\"", 6);
	for (i = 6; i < n - 2; i++)
		body[i] = (char)('a' + i % 26);
	memcpy(body + n - 2, "\"}", 2);
	CLI(create_head(n, ""));
	for (i = 0; i < n; i += 1000)
		send_to(&F.x.rq, body + i, n - i < 1000 ? n - i : 1000);
	up = GOT_UP();
	assert_non_null(strstr(up, "Content-Length: 39999\r\n"));
	up = strstr(up, "\r\n\r\n") + 4;
	assert_memory_equal(up, body, n);
	assert_int_equal(strlen(up), n);
}


/* ---- response filters and visibility probes ---- */

/* Give the listener response filters: redaction on, visible label. */
static void
filters(const char *label)
{
	char	err[200];

	F.pol.redact = 1;
	F.pol.nvisible = 0;
	if (label != NULL)
		snprintf(F.pol.visible[F.pol.nvisible++],
		    sizeof(F.pol.visible[0]), "%s", label);
	assert_int_equal(cfg_listener_filters(&F.pol, err, sizeof(err)), 0);
}

/* The payload of a chunked body starting at the first chunk of s; *end
 * set when the last chunk was seen. */
static const char *
dechunk(const char *s, int *end)
{
	static char out[1 << 16];
	size_t	 n = 0;
	unsigned long k;
	char	*e;

	*end = 0;
	for (;;) {
		k = strtoul(s, &e, 16);
		assert_true(e != s);
		assert_true(e[0] == '\r' && e[1] == '\n');
		s = e + 2;
		if (k == 0) {
			assert_true(s[0] == '\r' && s[1] == '\n');
			*end = 1;
			break;
		}
		memcpy(out + n, s, k);
		n += k;
		s += k;
		assert_true(s[0] == '\r' && s[1] == '\n');
		s += 2;
		if (*s == '\0')
			break;
	}
	out[n] = '\0';
	return out;
}

/* An upstream answer with Content-Length for body. */
static void
up_json(const char *status, const char *body)
{
	char	buf[8192];

	snprintf(buf, sizeof(buf), "HTTP/1.1 %s\r\nApi-Version: 1.41\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
	    status, strlen(body), body);
	UP(buf);
}

/* One chunk of an upstream chunked body. */
static void
up_chunk(const char *payload)
{
	char	buf[8192];

	snprintf(buf, sizeof(buf), "%zx\r\n%s\r\n", strlen(payload),
	    payload);
	UP(buf);
}

static const char LIST[] =
    "[{\"Id\":\"a1\",\"Labels\":{\"traefik.enable\":\"true\"},"
    "\"NetworkSettings\":{\"Networks\":{\"bridge\":{\"DriverOpts\":"
    "{\"k\":\"secret1\"}}}}},"
    "{\"Id\":\"b2\",\"Labels\":{\"other\":\"x\"},\"NetworkSettings\":null}]";

static void
test_filter_list(void **state)
{
	const char *cli, *body;
	int	 end;

	(void)state;
	filters("traefik.enable=true");
	CLI("GET /containers/json HTTP/1.1\r\nHost: d\r\n\r\n");
	assert_non_null(strstr(GOT_UP(), "GET /containers/json HTTP/1.1"));
	up_json("200 OK", LIST);
	cli = GOT_CLI();
	assert_non_null(strstr(cli, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(cli, "Api-Version: 1.41\r\n"));
	assert_non_null(strstr(cli, "Transfer-Encoding: chunked\r\n"));
	assert_null(strstr(cli, "Content-Length"));
	body = dechunk(strstr(cli, "\r\n\r\n") + 4, &end);
	assert_true(end);
	assert_string_equal(body, "[{\"Id\":\"a1\",\"Labels\":{\"traefik."
	    "enable\":\"true\"},\"NetworkSettings\":{\"Networks\":{\"bridge\""
	    ":{\"DriverOpts\":{}}}}}]");
	assert_null(strstr(cli, "secret1"));
	assert_int_equal(F.records, 1);
	assert_string_equal(F.last_verdict, "allow");
	assert_true(F.x.rec.filtered);
	assert_int_equal((int)F.x.rec.dropped, 1);
	/* The connection goes on. */
	assert_true(exchange_idle(&F.x));
	CLI(PING);
	UP(OK2);
	assert_non_null(strstr(GOT_CLI(), "\r\n\r\nOK"));
}

static void
test_filter_list_chunked_split(void **state)
{
	const char *cli, *body;
	char	 piece[64];
	size_t	 i, n = strlen(LIST);
	int	 end;

	(void)state;
	filters("traefik.enable=true");
	CLI("GET /containers/json HTTP/1.1\r\nHost: d\r\n\r\n");
	(void)GOT_UP();
	UP("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	/* One byte per chunk. */
	for (i = 0; i < n; i++) {
		snprintf(piece, sizeof(piece), "1\r\n%c\r\n", LIST[i]);
		UP(piece);
	}
	UP("0\r\n\r\n");
	cli = GOT_CLI();
	body = dechunk(strstr(cli, "\r\n\r\n") + 4, &end);
	assert_true(end);
	assert_non_null(strstr(body, "\"a1\""));
	assert_null(strstr(body, "\"b2\""));
	assert_null(strstr(cli, "secret1"));
	assert_true(exchange_idle(&F.x));
}

static void
test_filter_http10_close(void **state)
{
	const char *cli;

	(void)state;
	filters("traefik.enable=true");
	CLI("GET /containers/json HTTP/1.0\r\n\r\n");
	(void)GOT_UP();
	up_json("200 OK", LIST);
	cli = GOT_CLI();
	assert_null(strstr(cli, "Transfer-Encoding"));
	assert_null(strstr(cli, "Content-Length"));
	assert_non_null(strstr(cli, "Connection: close\r\n"));
	assert_non_null(strstr(cli, "\r\n\r\n[{\"Id\":\"a1\""));
	assert_null(strstr(cli, "b2"));
	assert_true(F.x.dead);
}

static void
test_filter_error_passes(void **state)
{
	const char *cli;

	(void)state;
	filters("traefik.enable=true");
	CLI("GET /containers/json HTTP/1.1\r\nHost: d\r\n\r\n");
	(void)GOT_UP();
	up_json("500 Internal Server Error", "{\"message\":\"boom\"}");
	cli = GOT_CLI();
	assert_non_null(strstr(cli, "Content-Length: 18\r\n"));
	assert_non_null(strstr(cli, "{\"message\":\"boom\"}"));
	assert_true(exchange_idle(&F.x));
}

static void
test_filter_invalid_fails_closed(void **state)
{
	const char *cli;

	(void)state;
	filters("traefik.enable=true");
	CLI("GET /containers/json HTTP/1.1\r\nHost: d\r\n\r\n");
	(void)GOT_UP();
	up_json("200 OK", "[{\"Id\":\"a1\",\"Labels\":{\"other\":\"x\"}} oops]");
	cli = GOT_CLI();
	assert_null(strstr(cli, "a1"));
	assert_null(strstr(cli, "0\r\n\r\n"));
	assert_true(F.x.dead);
	/* Said loudly: the transport warns, the record is an error. */
	assert_true(F.x.why_warn);
	assert_string_equal(F.x.rec.verdict, "error");
}

static const char INSPECT_VIS[] =
    "{\"Id\":\"c1\",\"Config\":{\"Env\":[\"DB_PASSWORD=hunter2\",\"X=1\"],"
    "\"Labels\":{\"traefik.enable\":\"true\"}}}";
static const char INSPECT_HID[] =
    "{\"Id\":\"c2\",\"Config\":{\"Env\":[\"S=1\"],\"Labels\":{}}}";

static void
test_filter_probe_visible(void **state)
{
	const char *cli, *up, *body;
	int	 end;

	(void)state;
	filters("traefik.enable=true");
	CLI("GET /v1.41/containers/web/json HTTP/1.1\r\nHost: d\r\n\r\n");
	up = GOT_UP();
	assert_string_equal(up, "GET /containers/web/json HTTP/1.1\r\n"
	    "Host: docker\r\n\r\n");
	up_json("200 OK", INSPECT_VIS);
	assert_int_equal(F.clilen, 0);
	up = GOT_UP();
	assert_non_null(strstr(up, "GET /v1.41/containers/web/json HTTP/1.1"));
	assert_non_null(strstr(up, "Host: d\r\n"));
	up_json("200 OK", INSPECT_VIS);
	cli = GOT_CLI();
	body = dechunk(strstr(cli, "\r\n\r\n") + 4, &end);
	assert_true(end);
	assert_string_equal(body, "{\"Id\":\"c1\",\"Config\":{\"Env\":"
	    "[\"DB_PASSWORD=\",\"X=\"],\"Labels\":{\"traefik.enable\":"
	    "\"true\"}}}");
	assert_int_equal(F.records, 1);
	assert_int_equal(F.last_status, 200);
	assert_int_equal(F.opens, 1);	/* one upstream connection */
	assert_true(exchange_idle(&F.x));
}

static void
test_filter_probe_hidden(void **state)
{
	const char *cli;

	(void)state;
	filters("traefik.enable=true");
	CLI("GET /containers/web/json HTTP/1.1\r\nHost: d\r\n\r\n");
	(void)GOT_UP();
	up_json("200 OK", INSPECT_HID);
	/* The client's request never went. */
	assert_int_equal(F.uplen, 0);
	cli = GOT_CLI();
	assert_string_equal(cli, "HTTP/1.1 404 Not Found\r\n"
	    "Api-Version: 1.41\r\nContent-Type: application/json\r\n"
	    "Content-Length: 37\r\nConnection: keep-alive\r\n\r\n"
	    "{\"message\":\"No such container: web\"}\n");
	assert_int_equal(F.records, 1);
	assert_string_equal(F.last_verdict, "hidden");
	assert_int_equal(F.last_status, 404);
	assert_true(exchange_idle(&F.x));
	CLI(PING);
	UP(OK2);
	assert_non_null(strstr(GOT_CLI(), "\r\n\r\nOK"));
}

static void
test_filter_probe_missing_forwards(void **state)
{
	const char *cli;

	(void)state;
	filters("traefik.enable=true");
	CLI("GET /containers/nope/json HTTP/1.1\r\nHost: d\r\n\r\n");
	(void)GOT_UP();
	up_json("404 Not Found", "{\"message\":\"No such container: nope\"}");
	assert_non_null(strstr(GOT_UP(), "GET /containers/nope/json HTTP/1.1"
	    "\r\nHost: d\r\n"));
	up_json("404 Not Found", "{\"message\":\"No such container: nope\"}");
	cli = GOT_CLI();
	assert_non_null(strstr(cli, "404 Not Found"));
	assert_non_null(strstr(cli, "No such container: nope"));
	assert_string_equal(F.last_verdict, "allow");
}

static void
test_filter_probe_error_502(void **state)
{
	(void)state;
	filters("traefik.enable=true");
	CLI("GET /containers/web/json HTTP/1.1\r\nHost: d\r\n\r\n");
	(void)GOT_UP();
	up_json("500 Internal Server Error", "{\"message\":\"x\"}");
	assert_non_null(strstr(GOT_CLI(), "HTTP/1.1 502 "));
	assert_int_equal(F.uplen, 0);
}

static void
test_filter_probe_exec_chain(void **state)
{
	(void)state;
	filters("traefik.enable=true");
	CLI("GET /exec/e1/json HTTP/1.1\r\nHost: d\r\n\r\n");
	assert_string_equal(GOT_UP(), "GET /exec/e1/json HTTP/1.1\r\n"
	    "Host: docker\r\n\r\n");
	up_json("200 OK", "{\"ID\":\"e1\",\"ContainerID\":\"c2\"}");
	assert_string_equal(GOT_UP(), "GET /containers/c2/json HTTP/1.1\r\n"
	    "Host: docker\r\n\r\n");
	up_json("200 OK", INSPECT_HID);
	assert_int_equal(F.uplen, 0);
	assert_non_null(strstr(GOT_CLI(),
	    "{\"message\":\"No such exec instance: e1\"}"));
	assert_string_equal(F.last_verdict, "hidden");
}

static void
test_filter_tasks_by_service(void **state)
{
	const char *cli, *body;
	int	 end;

	(void)state;
	filters("traefik.enable=true");
	CLI("GET /tasks HTTP/1.1\r\nHost: d\r\n\r\n");
	assert_string_equal(GOT_UP(), "GET /services HTTP/1.1\r\n"
	    "Host: docker\r\n\r\n");
	up_json("200 OK", "[{\"ID\":\"s1\",\"Spec\":{\"Labels\":"
	    "{\"traefik.enable\":\"true\"}}},{\"ID\":\"s2\",\"Spec\":"
	    "{\"Labels\":{}}}]");
	assert_non_null(strstr(GOT_UP(), "GET /tasks HTTP/1.1"));
	up_json("200 OK", "[{\"ID\":\"t1\",\"ServiceID\":\"s1\",\"Spec\":"
	    "{\"ContainerSpec\":{\"Env\":[\"A=b\"]}}},{\"ID\":\"t2\","
	    "\"ServiceID\":\"s2\"}]");
	cli = GOT_CLI();
	body = dechunk(strstr(cli, "\r\n\r\n") + 4, &end);
	assert_string_equal(body, "[{\"ID\":\"t1\",\"ServiceID\":\"s1\","
	    "\"Spec\":{\"ContainerSpec\":{\"Env\":[\"A=\"]}}}]");
}

static void
test_filter_events(void **state)
{
	const char *body;
	int	 end;

	(void)state;
	filters("traefik.enable=true");
	CLI("GET /events HTTP/1.1\r\nHost: d\r\n\r\n");
	(void)GOT_UP();
	UP("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	assert_non_null(strstr(GOT_CLI(), "Transfer-Encoding: chunked"));
	up_chunk("{\"Type\":\"container\",\"Actor\":{\"Attributes\":{\"name\":"
	    "\"hid\"}}}\n");
	assert_int_equal(F.clilen, 0);
	up_chunk("{\"Type\":\"container\",\"Actor\":{\"Attributes\":{"
	    "\"traefik.enable\":\"true\",\"name\":\"v\"}}}\n");
	body = dechunk(GOT_CLI(), &end);
	assert_false(end);
	assert_string_equal(body, "{\"Type\":\"container\",\"Actor\":{"
	    "\"Attributes\":{\"traefik.enable\":\"true\",\"name\":\"v\"}}}\n");
	up_chunk("{\"Type\":\"network\",\"Actor\":{\"Attributes\":{\"container\""
	    ":\"c2\"}}}\n");
	assert_int_equal(F.clilen, 0);
	up_chunk("{\"Type\":\"image\",\"Actor\":{\"Attributes\":{}}}\n");
	body = dechunk(GOT_CLI(), &end);
	assert_string_equal(body, "{\"Type\":\"image\",\"Actor\":{"
	    "\"Attributes\":{}}}\n");
	UP("0\r\n\r\n");
	assert_string_equal(GOT_CLI(), "0\r\n\r\n");
	assert_int_equal((int)F.x.rec.dropped, 2);
}

static void
test_filter_redact_only_volumes(void **state)
{
	const char *cli, *body;
	int	 end;

	(void)state;
	filters(NULL);
	CLI("GET /volumes HTTP/1.1\r\nHost: d\r\n\r\n");
	assert_non_null(strstr(GOT_UP(), "GET /volumes HTTP/1.1"));
	up_json("200 OK", "{\"Volumes\":[{\"Name\":\"v\",\"Options\":{\"o\":"
	    "\"username=u,password=p\"}}],\"Warnings\":null}");
	cli = GOT_CLI();
	body = dechunk(strstr(cli, "\r\n\r\n") + 4, &end);
	assert_string_equal(body, "{\"Volumes\":[{\"Name\":\"v\",\"Options\":"
	    "{}}],\"Warnings\":null}");
	/* Without visible labels nothing is probed. */
	CLI("GET /containers/web/json HTTP/1.1\r\nHost: d\r\n\r\n");
	assert_non_null(strstr(GOT_UP(), "Host: d\r\n"));
}

/* ---- what the metrics read (metrics.h) ---- */

/*
 * The record says what decided in fixed words (why), names the deciding
 * rule by its origin only and the refused body field; t_first is when
 * the first byte of the answer left, not a 100 Continue; the byte
 * counters follow every write, both ways.
 */
static void
test_metrics_fields(void **state)
{
	uint64_t ctr[2] = { 0, 0 };
	size_t	 up, cli;

	(void)state;
	F.x.bytes_ctr = ctr;
	F.clock = 1000;
	CLI(PING);
	F.clock = 1400;
	UP(OK2);
	assert_int_equal(F.last_rec.t_start, 1000);
	assert_int_equal(F.last_rec.t_first, 1400);
	assert_int_equal(F.last_rec.why, JUDGE_WHY_NONE);
	assert_string_equal(F.last_rec.rule_id, "");
	assert_int_equal(ctr[0], F.uplen);
	assert_int_equal(ctr[1], F.clilen);
	assert_int_equal(ctr[1], F.last_rec.bytes);
	up = F.uplen;
	cli = F.clilen;
	(void)GOT_UP();
	(void)GOT_CLI();

	/* A default deny: no rule, nothing of the request in the ids. */
	F.clock = 2000;
	CLI("GET /secrets/abc HTTP/1.1\r\nHost: d\r\n\r\n");
	assert_string_equal(F.last_verdict, "deny");
	assert_int_equal(F.last_rec.why, JUDGE_WHY_DEFAULT);
	assert_string_equal(F.last_rec.rule_id, "");
	assert_int_equal(F.last_rec.t_first, 2000);
	assert_int_equal(ctr[0], up);
	assert_int_equal(ctr[1], cli + F.clilen);
	(void)GOT_CLI();

	/* A body refused by the policy: the allow rule by origin, and the
	 * field.  A 100 Continue sent alone is no answer yet. */
	F.clock = 3000;
	CLI(create_head(strlen(PRIV), "Expect: 100-continue\r\n"));
	assert_string_equal(GOT_CLI(), "HTTP/1.1 100 Continue\r\n\r\n");
	F.clock = 3700;
	CLI(PRIV);
	assert_string_equal(F.last_verdict, "deny");
	assert_int_equal(F.last_rec.why, JUDGE_WHY_BODY_FIELD);
	assert_string_equal(F.last_rec.rule_id, "test #1");
	assert_string_equal(F.last_rec.field, "HostConfig.Privileged");
	assert_int_equal(F.last_rec.t_start, 3000);
	assert_int_equal(F.last_rec.t_first, 3700);

	/* The next exchange starts clean. */
	F.clock = 5000;
	CLI(PING);
	UP(OK2);
	assert_int_equal(F.last_rec.why, JUDGE_WHY_NONE);
	assert_string_equal(F.last_rec.rule_id, "");
	assert_string_equal(F.last_rec.field, "");
	F.x.bytes_ctr = NULL;
}

/* Refusals the exchange decides itself carry their own why. */
static void
test_metrics_why_local(void **state)
{
	(void)state;
	F.refuse_streams = 1;
	CLI("GET /events HTTP/1.1\r\nHost: d\r\n\r\n");
	assert_string_equal(F.last_verdict, "limit");
	assert_int_equal(F.last_rec.why, JUDGE_WHY_STREAMS);
	F.refuse_streams = 0;
	F.x.revoked = "sockward: client x is no longer admitted";
	CLI(PING);
	assert_string_equal(F.last_verdict, "deny");
	assert_int_equal(F.last_rec.why, JUDGE_WHY_REVOKED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_pipelining),
		T(test_filter_list),
		T(test_filter_list_chunked_split),
		T(test_filter_http10_close),
		T(test_filter_error_passes),
		T(test_filter_invalid_fails_closed),
		T(test_filter_probe_visible),
		T(test_filter_probe_hidden),
		T(test_filter_probe_missing_forwards),
		T(test_filter_probe_error_502),
		T(test_filter_probe_exec_chain),
		T(test_filter_tasks_by_service),
		T(test_filter_events),
		T(test_filter_redact_only_volumes),
		T(test_expect_continue),
		T(test_head_has_no_body),
		T(test_interim_response_dropped),
		T(test_hijack_half_close),
		T(test_chunked_request_passes_validated),
		T(test_chunked_request_malformed),
		T(test_chunked_response),
		T(test_http10_dechunked),
		T(test_upstream_eof_before_head),
		T(test_upstream_eof_mid_body),
		T(test_upstream_unreachable),
		T(test_deny_with_body_closes),
		T(test_deny_without_body_keeps_alive),
		T(test_bytes_past_response),
		T(test_stream_counted_once),
		T(test_stream_refused_429),
		T(test_hijack_counted),
		T(test_revoked_403),
		T(test_waits),
		T(test_wait_send),
		T(test_collect_length_allowed),
		T(test_collect_chunked_allowed),
		T(test_collect_refused_403),
		T(test_collect_malformed_400),
		T(test_collect_refused_keeps_alive_pipelined),
		T(test_collect_chunked_pipelined),
		T(test_collect_413_length),
		T(test_collect_exactly_body_max),
		T(test_collect_413_chunked),
		T(test_collect_chunked_malformed),
		T(test_collect_expect_continue),
		T(test_collect_timeout_408),
		T(test_collect_client_eof),
		T(test_collect_audit_forwards),
		T(test_collect_upstream_unreachable),
		T(test_collect_policy_reloaded),
		T(test_collect_large),
		T(test_metrics_fields),
		T(test_metrics_why_local),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
