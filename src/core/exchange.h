/*
 * exchange.h - one client connection's HTTP exchanges, without I/O.
 *
 * An exchange is a request half (client -> upstream) and a response half
 * (upstream -> client) of the same shape.  The transport (daemon/conn.c,
 * or a test or fuzzer with fake descriptors) reads source bytes into a
 * half's `in`, tells the exchange with exchange_got, calls exchange_advance,
 * writes what exchange_pending says is ready (the half's `head`, then the
 * bytes `held` has, then the first `ready` bytes of `in`) and reports it
 * with exchange_sent.  The
 * exchange parses, judges, frames and validates; it asks the transport for
 * the few things it cannot do itself (dial or drop the upstream, half-close
 * a side, log a record) through struct exchange_io, and marks itself dead
 * when the connection must end.
 *
 * Request phases:  EXCH_HEAD (waiting for a head) -> EXCH_BODY -> EXCH_DONE,
 *                  or EXCH_HIJACK; for a body that is judged
 *                  (judge_result.body_collect): EXCH_HEAD -> EXCH_COLLECT
 *                  (the body is read whole, nothing goes upstream) ->
 *                  EXCH_DONE (judged: forwarded from `held`, or answered
 *                  locally).
 *                  A request whose object's visibility must be checked
 *                  first (resp_filter.h) waits in EXCH_PROBE: its head
 *                  and any judged body are held back, nothing of its body
 *                  is read on, while sockward's own GET for the object
 *                  goes upstream; then it goes on as EXCH_BODY/EXCH_DONE,
 *                  or is answered with dockerd's 404.
 * Response phases: EXCH_IDLE (nothing asked) -> EXCH_HEAD (waiting for the
 *                  upstream's head) -> EXCH_BODY, or EXCH_LOCAL (sockward
 *                  answers itself), or EXCH_HIJACK.  A probe's answer is
 *                  read in EXCH_HEAD and EXCH_BODY too, and never sent.
 *                  A filtered response body (judge_result.resp_plan) is
 *                  fed to the rewriter instead of being sent as it came;
 *                  what it writes goes out as chunks from `held`.
 * When both halves are done the next pipelined request is parsed.  A
 * hijacked exchange is a two-way pipe with half-close passed through.
 */
#ifndef SOCKWARD_EXCHANGE_H
#define SOCKWARD_EXCHANGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "chunk.h"
#include "http_resp.h"
#include "judge.h"
#include "sbuf.h"

/* Body bytes ahead that are worth a pipe; a read this large marks a
 * stream without length as bulk. */
#define EXCHANGE_SPLICE_MIN 16384

struct cfg_listener;
struct exchange;
struct exchange_filter;
struct learn;

enum exchange_phase {
	EXCH_IDLE = 0, EXCH_HEAD, EXCH_BODY, EXCH_DONE, EXCH_LOCAL, EXCH_HIJACK,
	EXCH_COLLECT, EXCH_PROBE
};

/*
 * One direction.  Invariants:
 *  - ready <= sbuf_len(&in): only validated bytes are ever sent, and they
 *    are at the front of `in`;
 *  - head is sent before any byte of held, held before any byte of in
 *    (and head before piped bytes);
 *  - held[held_start..held_end) is, on the request half, the judged
 *    body, exactly the bytes judged; on the response half, rewritten
 *    output, framed (malloc'd; NULL when none);
 *  - while a response is filtered or a probe read, ready is 0 on the
 *    response half when exchange_advance returns: its bytes go to the
 *    rewriter, never to the client as they came;
 *  - piped > 0 only while head and in are empty (the response half's
 *    splice: bytes in the transport's pipe, in order behind nothing);
 *  - frame/remain/chunk describe the body of the current message only
 *    while phase is EXCH_BODY; body_done once its end has been validated.
 */
struct exchange_half {
	enum exchange_phase	 phase;
	struct sbuf	 head;	/* bytes sockward wrote for the destination:
				   canonical request head; response head,
				   100 Continue or local answer */
	char		*held;	/* a judged request body: sent after head,
				   before in; malloc'd, NULL when none */
	size_t		 held_start, held_end;	/* what is left to send */
	struct sbuf	 in;	/* bytes from the source not yet sent */
	size_t		 ready;	/* validated bytes at the front of in */
	uint64_t	 piped;	/* response bytes in the transport's pipe */
	enum resp_framing frame;	/* requests: NONE, LENGTH, CHUNKED */
	uint64_t	 remain;	/* LENGTH: body bytes not yet seen */
	struct chunk_state chunk;	/* CHUNKED */
	int		 body_done;	/* the whole body has been validated */
	int		 dechunk;	/* strip the chunk framing (HTTP/1.0) */
	size_t		 dechunk_end;	/* de-chunking: payload ends here */
	int		 eof;		/* the source sent EOF */
	int		 shut;		/* shutdown(SHUT_WR) sent to the
					   destination */
};

/* What the exchange asks of its transport.  arg is exchange.arg. */
struct exchange_io {
	/* Dial the upstream.  Returns 0, or -1 with "ADDRESS: REASON" in
	 * err[0..errlen).  Called only while no upstream is open. */
	int	(*up_open)(void *arg, char *err, size_t errlen);
	/* Close the upstream connection (it was open). */
	void	(*up_close)(void *arg);
	/* Half-close: shutdown(SHUT_WR) towards the upstream (to_up = 1)
	 * or the client (0). */
	void	(*shut)(void *arg, int to_up);
	/* A request head is about to go upstream (x->rq.head): a debug
	 * line. */
	void	(*forwarding)(void *arg, const struct exchange *x);
	/* The exchange finished one request and is ready for the next:
	 * nothing is pending in either direction. */
	void	(*finished)(void *arg);
	/* One exchange is over: log x->rec (borrowed for the call). */
	void	(*record)(void *arg, const struct exchange *x);
	/* Monotonic microseconds, for the record's duration. */
	uint64_t (*now_us)(void);
	/* A stream or hijack is about to be forwarded: may it open?  0
	 * counts it (stream_close is called once when it ends), -1 refuses
	 * it with a 429 whose message the transport wrote to
	 * msg[0..msglen).  NULL: streams are not counted. */
	int	(*stream_open)(void *arg, char *msg, size_t msglen);
	void	(*stream_close)(void *arg);
};

/* The access record of the current exchange. */
struct exchange_rec {
	int		 open;		/* an exchange is being recorded */
	uint64_t	 t_start;	/* microseconds */
	uint64_t	 t_first;	/* when the first byte went to the
					   client once its answer's head was
					   queued (an interim 100 Continue
					   sent alone does not count); 0:
					   nothing went */
	const char	*method;	/* static string or NULL */
	char		 target[512];	/* raw target, truncated, unescaped */
	size_t		 target_len;
	char		 path[256];	/* canonical path, "" if none */
	int		 status;	/* 0 until a response head is queued */
	uint64_t	 bytes;		/* bytes sent to the client */
	const char	*verdict;	/* static string or NULL */
	char		 rule[200];
	/* For the metrics, never request data: what decided a request not
	 * forwarded as asked (judge.h), "ORIGIN #N" of the deciding rule
	 * ("" when none, and for an allowed request), and the body field a
	 * body policy refused (judge_result.body_field: its names are the
	 * policy's, but array indices and map keys come from the body). */
	enum judge_why	 why;
	char		 rule_id[80];
	char		 field[128];
	int		 filtered;	/* the response went through the
					   rewriter */
	uint64_t	 redacted;	/* values it redacted */
	uint64_t	 dropped;	/* elements it dropped */
};

/*
 * Invariants:
 *  - rq.phase is EXCH_HIJACK exactly when rs.phase is; then both halves
 *    pass every byte (ready == sbuf_len(&in)) and keep_alive is 0;
 *  - rs.phase is EXCH_IDLE only while rq.phase is EXCH_HEAD (no request in
 *    flight) or EXCH_COLLECT (nothing asked of the upstream yet); bytes
 *    from the upstream then mean it is out of step;
 *  - rq.phase is EXCH_COLLECT exactly when col is not NULL; then nothing
 *    of the request is pending for the upstream (rq.head and rq.held
 *    empty, rq.ready 0);
 *  - up_open == 0 implies rs.in, rq.head and rq.held are released and
 *    rs.eof, rq.shut are 0 (what belonged to that upstream went with it);
 *  - rec.open from the first byte of a parsed (or refused) head until the
 *    record is handed to io->record, once;
 *  - once dead, only exchange_end may be called.
 */
struct exchange {
	struct exchange_half	 rq;		/* client -> upstream */
	struct exchange_half	 rs;		/* upstream -> client */

	/* Set by the transport before the first call. */
	const struct exchange_io *io;
	void		*arg;
	const struct cfg_listener *const *pol;	/* policy as it is now */
	struct learn	*const *learn;	/* audit: what was seen, or NULL */
	int		 splice_ok;	/* the client may be spliced to */
	int		 draining;	/* keep no connection alive */

	int		 up_open;	/* an upstream connection is open */
	int		 up_reusable;	/* it may serve the next request */
	int		 keep_alive;	/* keep the client after this exchange */
	int		 http10;	/* the client speaks HTTP/1.0 */
	int		 is_head;	/* the request is HEAD */
	int		 hijack_ok;	/* the route may hijack */
	int		 served;	/* at least one request was read */
	int		 cli_gone;	/* client EOF while a body streamed */
	int		 bulk;		/* a stream without length is bulk */
	int		 peek_stuck;	/* framing ahead needs a copying read */
	int		 streaming;	/* a stream or hijack is counted open
					   (io->stream_open granted it) */
	const char	*revoked;	/* the client is no longer admitted:
					   the next request gets 403 with this
					   message (borrowed), or NULL */
	const char	*up_why;	/* set by the transport before it
					   reports an upstream failure the
					   exchange cannot see (a TLS
					   handshake): "ADDRESS: REASON" for
					   the 502, as up_open's err (borrowed
					   until the upstream is dropped) */
	/* Set by the transport, NULL when none: counters that bytes
	 * written are added to, [0] towards the upstream, [1] towards the
	 * client (the metrics' per-listener byte counts, live even while a
	 * stream lasts). */
	uint64_t	*bytes_ctr;

	/* A judged body being read whole (rq.phase EXCH_COLLECT):
	 * col[0..col_head) is the client's head as it came, judged again
	 * with the body once that is complete (the policy may have been
	 * reloaded meanwhile, and no pointer into it is kept across
	 * events); col[col_head..col_len) is the body so far, de-chunked.
	 * malloc'd, col_cap bytes; it becomes rq.held when the body is
	 * forwarded, so the body is never copied again. */
	char		*col;
	size_t		 col_head, col_len, col_cap;
	int		 col_fail;	/* de-chunking: 413 or out of memory */

	/* The response filter or probe of the current exchange (private
	 * to exchange.c), NULL when none; flt_full: its output waits for
	 * the client, so the upstream is not read on. */
	struct exchange_filter *flt;
	int		 flt_full;

	int		 dead;		/* the connection must end now */
	int		 linger;	/* a request body was left unread: the
					   client may still be sending it, so
					   the transport closes gently (its
					   bytes drained, not reset) */
	const char	*why;		/* why, or NULL (a normal end) */
	int		 why_warn;	/* worth a warning, not a debug line
					   (a response cut because it could
					   not be filtered) */
	struct exchange_rec	 rec;
};

/* Make x an exchange waiting for its first request.  io, arg, pol and
 * learn must be set after (x is zeroed). */
void	exchange_init(struct exchange *x);

/*
 * Report n new bytes read into h->in (h is &x->rq or &x->rs), or EOF of
 * h's source when n is 0.
 */
void	exchange_got(struct exchange *x, struct exchange_half *h, size_t n);

/*
 * Move x as far as its buffers allow: parse and judge requests, frame and
 * validate bodies, finish exchanges and start pipelined ones.  May call
 * every function of x->io; sets x->dead when the connection must end.
 */
void	exchange_advance(struct exchange *x);

/* Bytes h has for its destination (head, held body, ready body, pipe). */
static inline int
exchange_pending(const struct exchange_half *h)
{
	return sbuf_len(&h->head) > 0 || h->held_end > h->held_start ||
	    h->ready > 0 || h->piped > 0;
}

/*
 * n bytes of h were written to its destination: from the pipe when
 * h->piped > 0, else from head first, then from held (freed once sent),
 * then from in.
 */
static inline void
exchange_sent(struct exchange *x, struct exchange_half *h, size_t n)
{
	size_t	hlen = sbuf_len(&h->head), k;

	if (h == &x->rs) {
		x->rec.bytes += n;
		if (x->rec.t_first == 0 && x->rec.status != 0)
			x->rec.t_first = x->io->now_us();
	}
	if (x->bytes_ctr != NULL)
		x->bytes_ctr[h == &x->rs] += n;
	if (h->piped > 0) {
		h->piped -= n;
		if (h->piped == 0)
			x->peek_stuck = 0;
		return;
	}
	if (n <= hlen) {
		sbuf_consume(&h->head, n);
		return;
	}
	if (hlen > 0)
		sbuf_consume(&h->head, hlen);
	n -= hlen;
	if (h->held_end > h->held_start) {
		k = h->held_end - h->held_start;
		if (k > n)
			k = n;
		h->held_start += k;
		n -= k;
		if (h->held_start == h->held_end) {
			/* It may be large: not kept while the answer runs. */
			free(h->held);
			h->held = NULL;
			h->held_start = h->held_end = 0;
		}
	}
	sbuf_consume(&h->in, n);
	h->ready -= n;
}

/* Writing to the upstream failed: answer 502 if nothing was answered
 * yet, else end the connection. */
void	exchange_up_failed(struct exchange *x);

/*
 * Response bytes the framing lets go to the client unparsed now (by
 * splice), 0 when none: only while nothing is queued ahead of them.
 */
uint64_t exchange_splice_budget(const struct exchange *x);

/* A spliced chunked body is between two chunks: the framing ahead must
 * be peeked (exchange_splice_peek) to know the next budget.  pipe_held:
 * the transport holds a pipe for x. */
int	exchange_splice_edge(const struct exchange *x, int pipe_held);

/*
 * At a chunk edge: ahead[0..n) was peeked from the upstream.  Returns the
 * bytes to splice (the framing and the payload it opens), 0 when a
 * copying read must go first.
 */
uint64_t exchange_splice_peek(const struct exchange *x, const char *ahead,
	    size_t n);

/*
 * n > 0 bytes were spliced from the upstream into the pipe; the first
 * min(n, peeked) of them are ahead[0..peeked) (see exchange_splice_peek).
 * Sets x->dead if the framing is lost.
 */
void	exchange_spliced(struct exchange *x, const char *ahead, size_t peeked,
	    size_t n);

/*
 * The deadline of wait w (exchange_wait) passed.  Header, a body being
 * collected, or a body before any answer: x queues a 408 in rs.head for
 * the transport to try once.  In every case x is dead (the transport
 * closes).
 */
void	exchange_timeout(struct exchange *x, int w);

/*
 * Should the transport read h's source now?  Not past EOF, not into a full
 * buffer, not from a client whose connection ends after the answer queued.
 * For the response half while the pipe holds bytes (pipe_room: it has
 * room; pipe_held: the transport holds a pipe): only what can be spliced
 * behind them.
 */
static inline int
exchange_want_read(const struct exchange *x, const struct exchange_half *h,
    int pipe_room, int pipe_held)
{
	if (h->eof)
		return 0;
	if (h == &x->rq)
		return sbuf_len(&h->in) < SBUF_SIZE &&
		    !(x->rs.phase == EXCH_LOCAL && !x->keep_alive);
	if (x->flt_full)
		return 0;
	if (h->piped > 0)
		return pipe_room && !x->peek_stuck &&
		    (exchange_splice_budget(x) > 0 ||
		    exchange_splice_edge(x, pipe_held));
	return sbuf_len(&h->in) < SBUF_SIZE;
}

/*
 * The deadline x waits under (exchange_wait), most urgent first:
 *  - COLLECT: a judged request body is being read whole; the deadline
 *    (the body timeout) counts from the end of the head and the transport
 *    never restarts it, so a body fed byte by byte cannot stretch it
 *    (a 100 Continue the client does not read does not change the wait);
 *  - SEND: bytes are queued for the client and it does not take them
 *    (pipelined answers never read, a stream whose reader stopped); the
 *    transport restarts the deadline whenever bytes move to the client;
 *  - BODY: a request body is owed by the client and nothing of it is
 *    queued for the upstream; restarted whenever body bytes arrive;
 *  - HEADER / IDLE: waiting for a request head (a new connection gets
 *    the header timeout for its first request); never restarted, so a
 *    slow head cannot stretch it.
 * A stream or hijack with nothing queued has no deadline: it is never
 * cut while data flows, nor while it is quiet.  The transport keeps one
 * timer list per kind.
 */
enum exchange_wait {
	EXCH_WAIT_NONE = 0, EXCH_WAIT_HEADER, EXCH_WAIT_IDLE, EXCH_WAIT_BODY,
	EXCH_WAIT_COLLECT, EXCH_WAIT_SEND, EXCH_WAIT_COUNT
};

/* Waiting for a request, with none begun (idle or between requests). */
static inline int
exchange_idle(const struct exchange *x)
{
	return x->rq.phase == EXCH_HEAD && x->rs.phase == EXCH_IDLE;
}

static inline enum exchange_wait
exchange_wait(const struct exchange *x)
{
	if (x->rq.phase == EXCH_COLLECT)
		return EXCH_WAIT_COLLECT;
	if (exchange_pending(&x->rs))
		return EXCH_WAIT_SEND;
	if (!exchange_idle(x)) {
		if (x->rq.phase == EXCH_BODY && !x->rq.body_done &&
		    !x->rq.eof && !exchange_pending(&x->rq))
			return EXCH_WAIT_BODY;
		return EXCH_WAIT_NONE;
	}
	if (sbuf_len(&x->rq.in) == 0 && x->served)
		return EXCH_WAIT_IDLE;
	return EXCH_WAIT_HEADER;
}

/*
 * End x: record an unanswered exchange (status 499), close the upstream,
 * release every buffer (a collected or held body too).  The transport calls it once, when it closes the
 * client; x may be re-initialised after.
 */
void	exchange_end(struct exchange *x);

#endif
