/*
 * fuzz_exchange.c - the exchange state machine (core/exchange.c) driven
 * through a fake transport, under the traefik profile.
 *
 * Input: one flags byte (bit 0: audit mode; bit 1: the client may be
 * spliced to; bit 2: the upstream cannot be dialled; bit 3: streams are
 * refused; bit 4: body-max is 64 bytes; bit 5: responses are filtered,
 * with redaction and the visible label a=b, so lists and events go
 * through the rewriter and per-object routes are probed first), then
 * operations of
 * two bytes, OP and N (1..256), the sending ones followed by N data bytes:
 *
 *   0 client sends    1 upstream sends    2 client EOF    3 upstream EOF
 *   4 client reads <= N    5 upstream reads <= N
 *   6 upstream bytes spliced towards the client
 *   7 drain starts (N even), or the header timeout fires (N odd)
 *
 * The fake transport reads a source only when exchange_want_read says so, and
 * never copies upstream bytes while the pipe holds some, as daemon/conn.c
 * does.  Properties:
 *  - no crash, leak or sanitizer report;
 *  - each upstream connection receives canonical heads that the judge
 *    allows (or, in audit mode, would deny) again, each followed only by
 *    body bytes valid for its framing; raw bytes only after a hijack;
 *    a body the policy judges (POST /containers/create) arrives with a
 *    Content-Length, within body-max, and judge_body allows it (or would
 *    deny it) too;
 *  - the client receives a valid sequence of responses (heads that parse,
 *    bodies that match their framing, HEAD answers without a body);
 *  - the invariants written in exchange.h hold between calls.
 */
#include "fuzz_common.h"

#include "chunk.h"
#include "config.h"
#include "exchange.h"
#include "http_req.h"
#include "http_resp.h"
#include "judge.h"
#include "profile.h"
#include "rule.h"

#define FX_CAP	(4u << 20)

struct fx_stream {
	char	*b;
	size_t	 len;
};

static struct cfg_listener	 fx_pol;
static const struct cfg_listener *fx_polp = &fx_pol;
static struct exchange		 fx;
static struct fx_stream		 fx_cin;	/* all bytes the client sent */
static struct fx_stream		 fx_cli;	/* all bytes the client got */
static struct fx_stream		 fx_up;		/* this upstream connection */
static struct fx_stream		 fx_pipe;	/* spliced, not yet drained */
static struct fx_stream		 fx_heads;	/* heads queued for fx_up */
static size_t			 fx_head_end[1024];	/* where each ends */
static size_t			 fx_nheads;
static size_t			 fx_up_raw;	/* fx_up bytes before a hijack */
static int			 fx_hijacked;
static int			 fx_fail_open;
static int			 fx_pipe_held;
static struct rf_policy		*fx_rf;		/* bit 5's filters */
static uint64_t			 fx_clock;

static void
fx_put(struct fx_stream *s, const char *p, size_t n)
{
	FUZZ_CHECK(s->len + n <= FX_CAP, "stream over %u bytes", FX_CAP);
	memcpy(s->b + s->len, p, n);
	s->len += n;
}

/* The bytes one upstream connection received, whole or cut short. */
static void
fx_check_upstream(void)
{
	static char	 canon[SBUF_SIZE];
	const char	*b = fx_up.b;
	size_t		 len = fx_hijacked ? fx_up_raw : fx_up.len, pos = 0;
	struct req_head	 h;
	struct req_error err;
	struct judge_result res;
	struct chunk_state cs;
	long		 k;
	int		 n;

	size_t		 qh = 0, qstart, qlen;

	while (pos < len) {
		/* Exactly the heads the exchange queued, in order. */
		FUZZ_CHECK(qh < fx_nheads, "upstream got bytes with no head "
		    "queued: %.*s", (int)(len - pos < 200 ? len - pos : 200),
		    b + pos);
		qstart = qh == 0 ? 0 : fx_head_end[qh - 1];
		qlen = fx_head_end[qh++] - qstart;
		FUZZ_CHECK(memcmp(b + pos, fx_heads.b + qstart,
		    len - pos < qlen ? len - pos : qlen) == 0,
		    "upstream got other bytes than the head queued");
		n = req_parse(b + pos, len - pos, &h, &err);
		if (n == REQ_INCOMPLETE) {
			FUZZ_CHECK(len - pos < qlen, "a whole head incomplete");
			pos = len;	/* a head cut short */
			break;
		}
		FUZZ_CHECK(n > 0, "upstream got an unparseable head: %s",
		    err.reason);
		FUZZ_CHECK((size_t)n == qlen, "head of %d bytes, %zu queued",
		    n, qlen);
		judge_request(&fx_pol, &h, canon, sizeof(canon), &res);
		FUZZ_CHECK(res.verdict == JUDGE_ALLOW ||
		    res.verdict == JUDGE_WOULD_DENY,
		    "upstream got a request judged %s: %.*s",
		    judge_verdict_name(res.verdict), n, b + pos);
		pos += (size_t)n;
		if (res.body_collect) {
			/* Only whole judged bodies, framed by length. */
			FUZZ_CHECK(h.body == REQ_BODY_LENGTH &&
			    h.content_length <= fx_pol.body_max,
			    "a judged body forwarded unframed or too large");
			/* The upstream may be dropped while it is sent. */
			if (h.content_length > len - pos) {
				pos = len;
				continue;
			}
			judge_body(&fx_pol, b + pos, (size_t)h.content_length,
			    &res);
			FUZZ_CHECK(res.verdict == JUDGE_ALLOW ||
			    res.verdict == JUDGE_WOULD_DENY,
			    "upstream got a body judged %s",
			    judge_verdict_name(res.verdict));
		}
		if (h.body == REQ_BODY_LENGTH) {
			if (h.content_length > len - pos)
				pos = len;	/* cut short */
			else
				pos += (size_t)h.content_length;
		} else if (h.body == REQ_BODY_CHUNKED) {
			chunk_init(&cs, 1);
			k = chunk_feed(&cs, b + pos, len - pos, NULL, NULL);
			FUZZ_CHECK(k != CHUNK_ERROR,
			    "upstream got a malformed chunked body");
			pos += (size_t)k;
			if (!cs.done)
				break;
		}
	}
	FUZZ_CHECK(fx_hijacked || pos == len,
	    "upstream got %zu bytes past its messages", len - pos);
	fx_up.len = 0;
	fx_up_raw = 0;
	fx_hijacked = 0;
	fx_heads.len = 0;
	fx_nheads = 0;
}

/* Whether each request the client sent is a HEAD, in order, as far as
 * sockward could parse them. */
static size_t
fx_client_heads(int *is_head, size_t cap)
{
	struct req_head	 h;
	struct req_error err;
	struct chunk_state cs;
	size_t		 pos = 0, nq = 0;
	long		 k;
	int		 n;

	while (nq < cap && pos < fx_cin.len) {
		n = req_parse(fx_cin.b + pos, fx_cin.len - pos, &h, &err);
		if (n <= 0)
			break;
		is_head[nq++] = h.method == REQ_M_HEAD;
		pos += (size_t)n;
		if (h.body == REQ_BODY_LENGTH) {
			if (h.content_length > fx_cin.len - pos)
				break;
			pos += (size_t)h.content_length;
		} else if (h.body == REQ_BODY_CHUNKED) {
			chunk_init(&cs, 1);
			k = chunk_feed(&cs, fx_cin.b + pos, fx_cin.len - pos,
			    NULL, NULL);
			if (k == CHUNK_ERROR || !cs.done)
				break;
			pos += (size_t)k;
		}
	}
	return nq;
}

/* The bytes the client received: a sequence of responses. */
static void
fx_check_client(void)
{
	static int	 is_head[4096];
	static struct resp_head h;
	const char	*b = fx_cli.b;
	size_t		 len = fx_cli.len, pos = 0, nq, q = 0;
	struct chunk_state cs;
	enum resp_framing f;
	long		 k;
	int		 n;

	nq = fx_client_heads(is_head, sizeof(is_head) / sizeof(is_head[0]));
	while (pos < len) {
		n = resp_parse(b + pos, len - pos, &h);
		if (n == REQ_INCOMPLETE) {
			pos = len;	/* a head cut short */
			break;
		}
		FUZZ_CHECK(n > 0, "client got an unparseable response: %.*s",
		    (int)(len - pos < 200 ? len - pos : 200), b + pos);
		pos += (size_t)n;
		if (h.status >= 100 && h.status < 200 && h.status != 101)
			continue;	/* our 100 Continue */
		f = resp_framing(&h, q < nq ? is_head[q] : 0, 1);
		q++;
		if (f == RESP_FRAME_HIJACK || f == RESP_FRAME_CLOSE)
			return;		/* the rest is raw or body */
		if (f == RESP_FRAME_LENGTH) {
			if (h.content_length > len - pos)
				pos = len;	/* cut short by a close */
			else
				pos += (size_t)h.content_length;
		} else if (f == RESP_FRAME_CHUNKED) {
			chunk_init(&cs, 0);
			k = chunk_feed(&cs, b + pos, len - pos, NULL, NULL);
			FUZZ_CHECK(k != CHUNK_ERROR,
			    "client got a malformed chunked body");
			pos += (size_t)k;
			if (!cs.done)
				break;
		}
	}
	FUZZ_CHECK(pos == len, "client got %zu bytes past its responses",
	    len - pos);
}

static int
fx_up_open(void *arg, char *err, size_t errlen)
{
	(void)arg;
	if (fx_fail_open) {
		snprintf(err, errlen, "fake: refused");
		return -1;
	}
	return 0;
}

static void
fx_up_close(void *arg)
{
	(void)arg;
	fx_check_upstream();
}

static void
fx_shut(void *arg, int to_up)
{
	(void)arg;
	(void)to_up;
}

static void
fx_forwarding(void *arg, const struct exchange *x)
{
	(void)arg;
	FUZZ_CHECK(fx_nheads < sizeof(fx_head_end) / sizeof(fx_head_end[0]),
	    "too many heads");
	fx_put(&fx_heads, x->rq.head.data + x->rq.head.start,
	    sbuf_len(&x->rq.head));
	fx_head_end[fx_nheads++] = fx_heads.len;
}

static void
fx_finished(void *arg)
{
	(void)arg;
	FUZZ_CHECK(fx_pipe.len == 0, "finished with %zu bytes piped",
	    fx_pipe.len);
	fx_pipe_held = 0;
}

static void
fx_record(void *arg, const struct exchange *x)
{
	(void)arg;
	FUZZ_CHECK(x->rec.status >= 100 && x->rec.status <= 599,
	    "recorded status %d", x->rec.status);
}

static uint64_t
fx_now(void)
{
	return ++fx_clock;
}

/* Streams counted open; data[0] & 8 refuses them (429). */
static int	 fx_streams, fx_refuse_streams;

static int
fx_stream_open(void *arg, char *msg, size_t msglen)
{
	(void)arg;
	if (fx_refuse_streams) {
		snprintf(msg, msglen, "sockward: too many streams");
		return -1;
	}
	FUZZ_CHECK(fx_streams == 0, "a second stream on one connection");
	fx_streams++;
	return 0;
}

static void
fx_stream_close(void *arg)
{
	(void)arg;
	FUZZ_CHECK(fx_streams == 1, "stream closed %d times", 1 - fx_streams);
	fx_streams--;
}

static const struct exchange_io fx_io = {
	.stream_open = fx_stream_open,
	.stream_close = fx_stream_close,
	.up_open = fx_up_open,
	.up_close = fx_up_close,
	.shut = fx_shut,
	.forwarding = fx_forwarding,
	.finished = fx_finished,
	.record = fx_record,
	.now_us = fx_now,
};

static void
fx_setup(void)
{
	static const char *const extra[] = {
		"allow POST /containers/create",
		"allow POST /containers/{id}/attach",
		"allow POST /exec/{id}/start",
		"allow GET /events",
		"allow GET /exec/{id}/json",	/* the exec probe */
		"allow GET /volumes",
	};
	struct rule	 r;
	const char	*why;
	char		 err[200];
	size_t		 i;

	cfg_listener_defaults(&fx_pol);
	snprintf(fx_pol.name, sizeof(fx_pol.name), "fuzz");
	if (profile_load(profile_find("traefik"), &fx_pol.rules) != 0)
		abort();
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		if (rule_parse_line(extra[i], &r, &why) != 0 ||
		    rule_set_add(&fx_pol.rules, &r, "fuzz") != 0)
			abort();
	fx_pol.redact = 1;
	fx_pol.nvisible = 1;
	snprintf(fx_pol.visible[0], sizeof(fx_pol.visible[0]), "a=b");
	if (cfg_listener_filters(&fx_pol, err, sizeof(err)) != 0)
		abort();
	fx_rf = fx_pol.rf;
	fx_cin.b = malloc(FX_CAP);
	fx_cli.b = malloc(FX_CAP);
	fx_up.b = malloc(FX_CAP);
	fx_pipe.b = malloc(FX_CAP);
	fx_heads.b = malloc(FX_CAP);
	if (!fx_cin.b || !fx_cli.b || !fx_up.b || !fx_pipe.b || !fx_heads.b)
		abort();
}

/* A source sends p[0..n): what fits in h's buffer goes in. */
static void
fx_read(struct exchange_half *h, const char *p, size_t n)
{
	size_t	room;

	if (!exchange_want_read(&fx, h, 1, fx_pipe_held) ||
	    sbuf_reserve(&h->in) == -1)
		return;
	if ((room = sbuf_room(&h->in)) == 0)
		return;
	if (n > room)
		n = room;
	memcpy(h->in.data + h->in.end, p, n);
	h->in.end += n;
	if (h == &fx.rq)
		fx_put(&fx_cin, p, n);
	exchange_got(&fx, h, n);
}

/* The destination of h takes up to max bytes. */
static void
fx_write(struct exchange_half *h, struct fx_stream *to, size_t max)
{
	size_t	hl = sbuf_len(&h->head), n, from_head, from_held;
	size_t	bl = h->held_end - h->held_start;

	if (h->piped > 0) {
		FUZZ_CHECK(hl == 0 && sbuf_len(&h->in) == 0,
		    "bytes queued ahead of the pipe");
		n = max < fx_pipe.len ? max : fx_pipe.len;
		fx_put(to, fx_pipe.b, n);
		memmove(fx_pipe.b, fx_pipe.b + n, fx_pipe.len - n);
		fx_pipe.len -= n;
		exchange_sent(&fx, h, n);
		return;
	}
	FUZZ_CHECK(h->ready <= sbuf_len(&h->in), "ready %zu > %zu buffered",
	    h->ready, sbuf_len(&h->in));
	/* Held response bytes are rewritten output: only when filtering. */
	FUZZ_CHECK(bl == 0 || h == &fx.rq || fx_pol.rf != NULL,
	    "held bytes on an unfiltered response");
	n = hl + bl + h->ready;
	if (n > max)
		n = max;
	if (n == 0)
		return;
	from_head = n < hl ? n : hl;
	from_held = n - from_head < bl ? n - from_head : bl;
	if (from_head > 0)
		fx_put(to, h->head.data + h->head.start, from_head);
	if (from_held > 0)
		fx_put(to, h->held + h->held_start, from_held);
	if (n > from_head + from_held)
		fx_put(to, h->in.data + h->in.start, n - from_head - from_held);
	exchange_sent(&fx, h, n);
}

/* Upstream bytes p[0..n) offered to the splice path. */
static void
fx_splice(const char *p, size_t n)
{
	uint64_t budget;
	size_t	 peeked = 0, take;

	if (!fx.up_open || !exchange_want_read(&fx, &fx.rs, 1, fx_pipe_held))
		return;
	budget = exchange_splice_budget(&fx);
	if (budget == 0 && exchange_splice_edge(&fx, fx_pipe_held)) {
		peeked = n < 64 ? n : 64;
		budget = exchange_splice_peek(&fx, p, peeked);
		if (budget == 0) {
			if (fx.rs.piped > 0)
				fx.peek_stuck = 1;
			peeked = 0;
		}
	}
	if (budget == 0) {
		if (fx.rs.piped == 0)
			fx_read(&fx.rs, p, n);
		return;
	}
	take = budget < n ? (size_t)budget : n;
	fx_pipe_held = 1;
	fx_put(&fx_pipe, p, take);
	exchange_spliced(&fx, p, peeked, take);
	FUZZ_CHECK(fx.rs.piped == fx_pipe.len, "piped %llu, pipe %zu",
	    (unsigned long long)fx.rs.piped, fx_pipe.len);
}

/* The invariants exchange.h writes next to the state, between calls. */
static void
fx_invariants(void)
{
	const struct exchange_half *rq = &fx.rq, *rs = &fx.rs;

	FUZZ_CHECK((rq->phase == EXCH_HIJACK) == (rs->phase == EXCH_HIJACK),
	    "phases %d/%d", rq->phase, rs->phase);
	FUZZ_CHECK(rs->phase != EXCH_IDLE || rq->phase == EXCH_HEAD ||
	    rq->phase == EXCH_COLLECT,
	    "response idle, request phase %d", rq->phase);
	FUZZ_CHECK((rq->phase == EXCH_COLLECT) == (fx.col != NULL),
	    "collecting %d, buffer %p", rq->phase == EXCH_COLLECT,
	    (void *)fx.col);
	FUZZ_CHECK(rq->phase != EXCH_COLLECT || (!exchange_pending(rq) &&
	    rq->held == NULL && rs->phase == EXCH_IDLE),
	    "request bytes pending while its body is collected");
	FUZZ_CHECK(fx.col == NULL || fx.col_len - fx.col_head <=
	    fx_pol.body_max, "collected past body-max");
	FUZZ_CHECK((rq->held == NULL) == (rq->held_end == rq->held_start),
	    "held buffer without bytes");
	FUZZ_CHECK(rq->phase != EXCH_HIJACK || !fx.keep_alive,
	    "hijacked and keep-alive");
	FUZZ_CHECK(fx.up_open || (rs->in.data == NULL &&
	    rq->head.data == NULL && rq->held == NULL && !rs->eof &&
	    !rq->shut),
	    "upstream state without an upstream");
	FUZZ_CHECK(rq->ready <= sbuf_len(&rq->in) &&
	    rs->ready <= sbuf_len(&rs->in), "ready past the buffer");
	FUZZ_CHECK(rs->piped == 0 || (sbuf_len(&rs->head) == 0 &&
	    sbuf_len(&rs->in) == 0), "bytes queued ahead of the pipe");
	FUZZ_CHECK(rq->piped == 0, "request bytes piped");
	FUZZ_CHECK(fx.streaming == fx_streams, "streaming %d, counted %d",
	    fx.streaming, fx_streams);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 ready;
	const char	*d = (const char *)data;
	size_t		 pos = 1, n;
	int		 op, i;

	if (!ready) {
		fx_setup();
		ready = 1;
	}
	if (size < 1)
		return 0;
	fx_pol.mode = (data[0] & 1) ? CFG_AUDIT : CFG_ENFORCE;
	fx_fail_open = (data[0] & 4) != 0;
	fx_cin.len = fx_cli.len = fx_up.len = fx_pipe.len = fx_heads.len = 0;
	fx_nheads = 0;
	fx_up_raw = 0;
	fx_hijacked = 0;
	fx_pipe_held = 0;
	fx_streams = 0;
	fx_refuse_streams = (data[0] & 8) != 0;
	fx_pol.body_max = (data[0] & 16) ? 64 : BODY_DEFAULT_MAX;
	fx_pol.rf = (data[0] & 32) ? fx_rf : NULL;
	exchange_init(&fx);
	fx.io = &fx_io;
	fx.pol = &fx_polp;
	fx.splice_ok = (data[0] & 2) != 0;

	while (pos + 2 <= size && !fx.dead) {
		op = data[pos] & 7;
		n = (size_t)data[pos + 1] + 1;
		pos += 2;
		if (op <= 1 || op == 6) {
			if (n > size - pos)
				n = size - pos;
			if (op == 0)
				fx_read(&fx.rq, d + pos, n);
			else if (op == 1 && fx.up_open && fx.rs.piped == 0)
				fx_read(&fx.rs, d + pos, n);
			else if (op == 6)
				fx_splice(d + pos, n);
			pos += n;
		} else if (op == 2 && !fx.rq.eof)
			exchange_got(&fx, &fx.rq, 0);
		else if (op == 3 && fx.up_open && !fx.rs.eof)
			exchange_got(&fx, &fx.rs, 0);
		else if (op == 4 && exchange_pending(&fx.rs))
			fx_write(&fx.rs, &fx_cli, n);
		else if (op == 5 && fx.up_open && exchange_pending(&fx.rq))
			fx_write(&fx.rq, &fx_up, n);
		else if (op == 7 && (n & 1) == 0) {
			fx.draining = 1;
			fx.keep_alive = 0;
		} else if (op == 7 && exchange_wait(&fx) != EXCH_WAIT_NONE) {
			exchange_timeout(&fx, (int)exchange_wait(&fx));
			FUZZ_CHECK(fx.dead, "alive after a timeout");
			fx_write(&fx.rs, &fx_cli, SBUF_SIZE);
		}
		/* Advance as the transport does after every event. */
		for (i = 0; i < 4 && !fx.dead; i++)
			exchange_advance(&fx);
		if (!fx.dead)
			fx_invariants();
		if (fx.rq.phase == EXCH_HIJACK && !fx_hijacked) {
			fx_hijacked = 1;
			fx_up_raw = fx_up.len;
		}
	}
	exchange_end(&fx);
	FUZZ_CHECK(fx_streams == 0, "a stream left counted at the end");
	fx_check_upstream();
	fx_check_client();
	return 0;
}
