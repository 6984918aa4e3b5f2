/*
 * exchange.c - the exchange state machine: requests parsed and judged,
 * bodies framed and validated in both directions, local answers,
 * pipelining, hijacking, keep-alive.  No system calls: bytes come in
 * through the halves' buffers and everything else goes through x->io.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "exchange.h"
#include "http_req.h"
#include "jrewrite.h"
#include "judge.h"
#include "learn.h"
#include "resp_filter.h"

static void	x_resp_start(struct exchange *);
static void	x_flt_free(struct exchange *);

/* Room kept in front of rewritten output for its chunk size line. */
#define X_FLT_PREFIX	12
/* Rewritten output waiting for the client beyond which the upstream is
 * not read on. */
#define X_FLT_HIGH	(256 * 1024)
/* Output buffer allocated at first. */
#define X_FLT_FIRST	16384
/* A pending element (a container of a list, an event) or a probed
 * object may be this large; beyond, the response fails closed. */
#define X_FLT_ELEM_MAX	(4 * 1024 * 1024)

struct exchange_filter {
	struct rf_policy *pol;		/* referenced: outlives a reload */
	const struct jrw_plan *plan;	/* of pol: the response's, or NULL */
	struct jrw	 w;
	int		 w_live;	/* w was initialised */
	struct rf_keeper keep;
	int		 active;	/* the body being read goes through w */
	int		 finished;	/* jrw_finish was called */
	int		 done;		/* all of it was rewritten and framed */
	int		 used;		/* a response went through w */
	enum rf_kind	 resp_kind;	/* of the client's request */
	struct jrw_out	 out;		/* rewritten, not yet handed over */
	uint64_t	 redacted, dropped;	/* over the whole exchange */
	/* The probe: what is asked, of which object the client named. */
	enum rf_kind	 probe;		/* RF_NONE: none (now) */
	enum rf_object	 obj;
	const struct engine_api_route *route;	/* the client's (static) */
	char		*name;		/* malloc'd */
	size_t		 name_len;
	int		 probe_status;
	char		*hidden;	/* the 404 a hidden object gets */
	size_t		 hidden_len;
	int		 hidden_close;	/* the connection ends after it */
	/* The client's request, held back while the probe runs. */
	char		*saved;		/* canonical head */
	size_t		 saved_len;
	char		*saved_body;	/* a judged body, or NULL */
	size_t		 saved_start, saved_end;
	enum exchange_phase saved_phase;
};


void
exchange_init(struct exchange *x)
{
	memset(x, 0, sizeof(*x));
	x->rq.phase = EXCH_HEAD;
	x->rs.phase = EXCH_IDLE;
}

/* Mark x for closing; the first reason stands. */
static void
x_close(struct exchange *x, const char *why)
{
	if (x->dead)
		return;
	x->dead = 1;
	x->why = why;
}

/* Free the judged body still owed to the upstream, if any. */
static void
x_held_free(struct exchange_half *h)
{
	free(h->held);
	h->held = NULL;
	h->held_start = h->held_end = 0;
}

/* Free a body being collected, if any. */
static void
x_col_free(struct exchange *x)
{
	free(x->col);
	x->col = NULL;
	x->col_head = x->col_len = x->col_cap = 0;
	x->col_fail = 0;
}

/* Close the upstream connection, with what it had sent or was owed. */
static void
x_up_drop(struct exchange *x)
{
	if (!x->up_open)
		return;
	x->io->up_close(x->arg);
	x->up_open = 0;
	x->up_why = NULL;
	x->rs.eof = 0;
	x->rq.shut = 0;
	sbuf_release(&x->rs.in);
	sbuf_release(&x->rq.head);
	x_held_free(&x->rq);
}

/* The counted stream or hijack of x, if any, is over. */
static void
x_stream_end(struct exchange *x)
{
	if (!x->streaming)
		return;
	x->streaming = 0;
	x->io->stream_close(x->arg);
}

/* Log the current exchange once, if there is one. */
static void
x_record(struct exchange *x)
{
	if (!x->rec.open)
		return;
	x->rec.open = 0;
	if (x->flt != NULL && x->flt->used) {
		x->rec.filtered = 1;
		x->rec.redacted = x->flt->redacted + x->flt->w.redacted *
		    (uint64_t)x->flt->w_live;
		x->rec.dropped = x->flt->dropped + x->flt->w.dropped *
		    (uint64_t)x->flt->w_live;
	}
	x->io->record(x->arg, x);
}

static void
x_begin(struct exchange *x)
{
	struct exchange_rec *r = &x->rec;

	r->open = 1;
	r->t_start = x->io->now_us();
	r->method = NULL;
	r->target_len = 0;
	r->path[0] = '\0';
	r->rule[0] = '\0';
	r->status = 0;
	r->bytes = 0;
	r->verdict = NULL;
	r->filtered = 0;
	r->redacted = r->dropped = 0;
	r->t_first = 0;
	r->why = JUDGE_WHY_NONE;
	r->rule_id[0] = '\0';
	r->field[0] = '\0';
	x->is_head = 0;
	x->hijack_ok = 0;
}

/* Record the raw target for the log, truncated, still unescaped. */
static void
x_note_target(struct exchange *x, const char *t, size_t len)
{
	if (len > sizeof(x->rec.target))
		len = sizeof(x->rec.target);
	memcpy(x->rec.target, t, len);
	x->rec.target_len = len;
}

/* Copy the string src to dst[0..cap), cut to fit (no printf: every
 * request needs it). */
static void
x_copy(char *dst, size_t cap, const char *src)
{
	size_t	k = strlen(src);

	if (k >= cap)
		k = cap - 1;
	memcpy(dst, src, k);
	dst[k] = '\0';
}

/*
 * What the metrics need of a judged request that is not simply allowed:
 * why, the deciding rule as "ORIGIN #N" (the config's words, never the
 * request's) and the body field refused.  Allowed requests skip it: it is
 * not on the hot path.
 */
static void
x_note_why(struct exchange *x, const struct judge_result *res)
{
	struct exchange_rec *r = &x->rec;
	const struct rule *rl = res->rule;
	char	 num[16];
	size_t	 i = sizeof(num), n;
	unsigned v;

	r->why = res->why;
	r->rule_id[0] = '\0';
	r->field[0] = '\0';
	if (res->verdict == JUDGE_ALLOW)
		return;
	if (res->body_field[0] != '\0')
		x_copy(r->field, sizeof(r->field), res->body_field);
	if (rl == NULL)
		return;
	v = rl->index < 0 ? 0 : (unsigned)rl->index;
	num[--i] = '\0';
	do {
		num[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	x_copy(r->rule_id, sizeof(r->rule_id) - sizeof(num) - 2, rl->origin);
	n = strlen(r->rule_id);
	memcpy(r->rule_id + n, " #", 2);
	memcpy(r->rule_id + n + 2, num + i, sizeof(num) - i);
}

/* The body of response h follows, framed as rs->frame says: track it
 * from its first byte. */
static void
x_rs_body_begin(struct exchange_half *rs, const struct resp_head *h)
{
	rs->ready = 0;
	rs->remain = h->content_length;
	rs->body_done = rs->frame == RESP_FRAME_NONE ||
	    (rs->frame == RESP_FRAME_LENGTH && h->content_length == 0);
	if (rs->frame == RESP_FRAME_CHUNKED)
		chunk_init(&rs->chunk, 0);
}

/* ---- local responses ---- */

/*
 * Queue a complete response with a JSON {"message": ...} body, as dockerd
 * writes its errors, so the docker CLI and SDKs show it.  close_after: the
 * client connection ends after it.
 */
static void
x_local_response(struct exchange *x, int status, const char *message,
    int close_after)
{
	struct sbuf *out = &x->rs.head;
	char	esc[1024], body[1100];
	int	blen, n;

	esc_json(esc, sizeof(esc), message, strlen(message));
	blen = snprintf(body, sizeof(body), "{\"message\":\"%s\"}\n", esc);
	if (blen < 0 || (size_t)blen >= sizeof(body))
		blen = (int)strlen(strcpy(body, "{\"message\":\"sockward\"}\n"));
	if (sbuf_reserve(out) == -1) {
		x_close(x, "out of memory");
		return;
	}
	n = snprintf(out->data + out->end, SBUF_SIZE - out->end,
	    "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
	    "Content-Length: %d\r\nConnection: %s\r\n\r\n%s",
	    status, judge_status_reason(status), blen,
	    close_after ? "close" : "keep-alive",
	    x->is_head ? "" : body);
	if (n < 0 || (size_t)n >= SBUF_SIZE - out->end) {
		x_close(x, "local response too large");
		return;
	}
	out->end += (size_t)n;
	x->rec.status = status;
	x->rs.phase = EXCH_LOCAL;
	if (close_after)
		x->keep_alive = 0;
}

/* Drop what is left of the request body: it will never be sent. */
static void
x_drop_body(struct exchange *x)
{
	sbuf_release(&x->rq.in);
	x->rq.ready = 0;
	x->linger = 1;
}

/* Refuse a request sockward could not take: answer message (the JSON
 * "message" text) and close. */
static void
x_reject_msg(struct exchange *x, int status, const char *message)
{
	x->rec.verdict = "reject";
	/* The body (if any) was not read: the connection cannot continue. */
	x_drop_body(x);
	x->rq.phase = EXCH_DONE;
	x_local_response(x, status, message, 1);
}

/* x_reject_msg with "sockward: REASON". */
static void
x_reject(struct exchange *x, int status, const char *reason)
{
	char	msg[300];

	snprintf(msg, sizeof(msg), "sockward: %s", reason);
	x_reject_msg(x, status, msg);
}

/*
 * Answer a request that was not forwarded (denied, or no upstream) with
 * status and message.  Its head (hlen bytes) is dropped; a body it
 * announced was never read, so only a bodiless request leaves the
 * connection in a known state for the next one.
 */
static void
x_answer_unsent(struct exchange *x, const struct req_head *h, size_t hlen,
    int status, const char *message)
{
	sbuf_release(&x->rq.head);
	sbuf_consume(&x->rq.in, hlen);
	if (h->body != REQ_BODY_NONE)
		x_drop_body(x);
	x->rq.phase = EXCH_DONE;
	x_local_response(x, status, message,
	    h->body != REQ_BODY_NONE || !x->keep_alive);
}

/*
 * Make sure an upstream connection is open, dialling one if needed.
 * Returns 0, or -1 with the 502 message in msg[0..len).
 */
static int
x_up_dial(struct exchange *x, char *msg, size_t len)
{
	char	why[400];

	if (x->up_open)
		return 0;
	if (x->io->up_open(x->arg, why, sizeof(why)) == -1) {
		snprintf(msg, len, "sockward: cannot reach the Docker daemon "
		    "at %s", why);
		return -1;
	}
	x->up_open = 1;
	x->rs.eof = 0;
	x->rq.shut = 0;
	return 0;
}

/* ---- response filters and visibility probes (resp_filter.h) ---- */

static void
x_flt_jrw_end(struct exchange_filter *f)
{
	if (!f->w_live)
		return;
	f->redacted += f->w.redacted;
	f->dropped += f->w.dropped;
	jrw_free(&f->w);
	f->w_live = 0;
}

/* Release x's filter, if any (one teardown path). */
static void
x_flt_free(struct exchange *x)
{
	struct exchange_filter *f = x->flt;

	if (f == NULL)
		return;
	x_flt_jrw_end(f);
	rf_keeper_free(&f->keep);
	rf_policy_unref(f->pol);
	free(f->out.data);
	free(f->hidden);
	free(f->name);
	free(f->saved);
	free(f->saved_body);
	free(f);
	x->flt = NULL;
	x->flt_full = 0;
}

/* Write the probe's request head into rq.head.  Returns 0 or -1. */
static int
x_probe_head(struct exchange *x, const char *id, size_t len)
{
	struct exchange_filter *f = x->flt;
	struct sbuf *hb = &x->rq.head;
	char	 path[3 * REQ_MAX_TARGET + 32];
	int	 n;

	if (rf_probe_path(f->probe, id, len, path, sizeof(path)) < 0 ||
	    sbuf_reserve(hb) == -1)
		return -1;
	hb->start = 0;
	n = snprintf(hb->data, SBUF_SIZE, "GET %s HTTP/1.1\r\nHost: "
	    "docker\r\n\r\n", path);
	if (n < 0 || n >= SBUF_SIZE)
		return -1;
	hb->end = (size_t)n;
	return 0;
}

/*
 * Set up the filter of the request just judged (res), whose canonical
 * head is in rq.head (and judged body, if any, in rq.held).  With a
 * probe, both are held back and the probe's head takes their place.
 * Returns 0, or -1 when memory runs out.
 */
static int
x_flt_begin(struct exchange *x, const struct judge_result *res)
{
	struct exchange_filter *f;
	struct exchange_half *rq = &x->rq;
	const struct cfg_listener *pol = *x->pol;
	char	*name, *saved;
	size_t	 nlen, slen;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	x->flt = f;
	f->pol = pol->rf;
	rf_policy_ref(f->pol);
	f->plan = res->resp_plan;
	f->resp_kind = res->resp_kind;
	f->keep.kind = res->resp_kind;
	f->probe = res->probe;
	if (f->probe == RF_NONE)
		return 0;
	f->keep.kind = f->probe;
	f->obj = res->probe_obj;
	f->route = res->route;
	nlen = res->probe_len;
	slen = sbuf_len(&rq->head);
	name = malloc(nlen + 1);
	saved = malloc(slen);
	if (name == NULL || saved == NULL) {
		free(name);
		free(saved);
		return -1;
	}
	memcpy(name, res->target.path + res->probe_off, nlen);
	name[nlen] = '\0';
	memcpy(saved, rq->head.data + rq->head.start, slen);
	f->name = name;
	f->name_len = nlen;
	f->saved = saved;
	f->saved_len = slen;
	f->saved_body = rq->held;
	f->saved_start = rq->held_start;
	f->saved_end = rq->held_end;
	rq->held = NULL;
	rq->held_start = rq->held_end = 0;
	return x_probe_head(x, f->name, f->name_len);
}

/* Start reading a response body through the rewriter with plan (NULL:
 * read and dropped, for a probe's answer that is not read). */
static void
x_flt_body_start(struct exchange *x, const struct jrw_plan *plan, int probe)
{
	struct exchange_filter *f = x->flt;

	x_flt_jrw_end(f);
	f->active = 1;
	f->finished = f->done = 0;
	if (!probe)
		f->used = 1;
	if (plan != NULL) {
		jrw_init(&f->w, plan, rf_keep, &f->keep, X_FLT_ELEM_MAX);
		f->w_live = 1;
	}
	/* The payload alone reaches the rewriter. */
	x->rs.dechunk = x->rs.frame == RESP_FRAME_CHUNKED;
}

/* Hand what the rewriter wrote to the transport as one chunk (the whole
 * payload for an HTTP/1.0 client), with the last chunk when end.
 * Returns 1 when all was handed over (and the end, when end), 0 when
 * the previous output is still going out, -1 when memory runs out. */
static int
x_flt_emit(struct exchange *x, int end)
{
	struct exchange_filter *f = x->flt;
	struct exchange_half *rs = &x->rs;
	size_t	 n = f->out.len > X_FLT_PREFIX ? f->out.len - X_FLT_PREFIX : 0;
	size_t	 need, k;
	char	 hex[X_FLT_PREFIX], *b;
	static const char digits[] = "0123456789abcdef";

	if (rs->held != NULL)
		return 0;	/* the previous output is still going out */
	if (n == 0 && (!end || x->http10))
		return 1;
	if (f->out.data == NULL)
		f->out.len = X_FLT_PREFIX;
	need = f->out.len + 2 + 5;
	if (need > f->out.cap) {
		if ((b = realloc(f->out.data, need)) == NULL)
			return -1;
		f->out.data = b;
		f->out.cap = need;
	}
	b = f->out.data;
	rs->held_start = X_FLT_PREFIX;
	if (!x->http10 && n > 0) {
		k = sizeof(hex);
		hex[--k] = '\n';
		hex[--k] = '\r';
		do
			hex[--k] = digits[n & 15];
		while ((n >>= 4) > 0);
		memcpy(b + k, hex + k, sizeof(hex) - k);
		rs->held_start = k;
		memcpy(b + f->out.len, "\r\n", 2);
		f->out.len += 2;
	}
	if (end && !x->http10) {
		memcpy(b + f->out.len, "0\r\n\r\n", 5);
		f->out.len += 5;
	}
	rs->held = b;
	rs->held_end = f->out.len;
	f->out.data = NULL;
	f->out.len = f->out.cap = 0;
	return 1;
}

static void	x_probe_done(struct exchange *);

/*
 * Feed the validated response bytes (rs.in[0..ready)) to the rewriter,
 * or drop them (a probe's answer that is not read); hand the output on.
 * At the end of the body: finish the response, or decide the probe.
 */
static void
x_flt_feed(struct exchange *x)
{
	struct exchange_filter *f = x->flt;
	struct exchange_half *rs = &x->rs;
	struct jrw_out	*out = f->probe != RF_NONE ? NULL : &f->out;
	int	 r = 0, e;

	/* Room for the chunk size line in front of whatever the rewriter
	 * writes next: jrw_finish appends to the out of the last jrw_feed,
	 * which x_flt_emit may have handed over since. */
	if (f->w_live && out != NULL && out->data == NULL &&
	    (rs->ready > 0 || (rs->body_done && !f->finished))) {
		if ((out->data = malloc(X_FLT_FIRST)) == NULL) {
			x_close(x, "out of memory");
			return;
		}
		out->cap = X_FLT_FIRST;
		out->len = X_FLT_PREFIX;
	}
	if (rs->ready > 0 && f->w_live)
		r = jrw_feed(&f->w, rs->in.data + rs->in.start, rs->ready,
		    out);
	sbuf_consume(&rs->in, rs->ready);
	rs->ready = 0;
	if (r == 0 && rs->body_done && f->w_live && !f->finished) {
		f->finished = 1;
		r = jrw_finish(&f->w);
	}
	if (r == -1) {
		/* Fail closed: the client never gets the rest unfiltered;
		 * a cut chunked response or a short one tells it. */
		x->up_reusable = 0;
		if (f->probe != RF_NONE) {
			f->probe_status = -1;
			x_probe_done(x);
			return;
		}
		x->rec.verdict = "error";
		x->why_warn = 1;
		x_close(x, f->w.err != NULL ? f->w.err :
		    "response could not be filtered");
		return;
	}
	if (f->probe != RF_NONE) {
		if (rs->body_done)
			x_probe_done(x);
		return;
	}
	if ((e = x_flt_emit(x, rs->body_done)) == -1) {
		x_close(x, "out of memory");
		return;
	}
	if (rs->body_done && e == 1)
		f->done = 1;
	x->flt_full = f->out.len > X_FLT_HIGH;
}

/* The probe's answer has begun (head h, hn bytes): note its status and
 * build the 404 a hidden object would get from its fields, so that the
 * answer cannot be told from dockerd's own. */
static void
x_probe_resp(struct exchange *x, const struct resp_head *h)
{
	struct exchange_filter *f = x->flt;
	char	*msg, *esc, *b;
	size_t	 cap = 2 * f->name_len + 64, ecap = 6 * cap;
	int	 blen;
	long	 n;

	f->probe_status = h->status;
	x->rs.frame = resp_framing(h, 0, 0);
	if (h->conn_close || x->rs.frame == RESP_FRAME_CLOSE)
		x->up_reusable = 0;
	x_rs_body_begin(&x->rs, h);
	x->rs.phase = EXCH_BODY;
	x_flt_body_start(x, h->status == 200 ?
	    &f->pol->plan[f->probe] : NULL, 1);
	if (h->status != 200 || f->hidden != NULL)
		return;
	/* Sized for the whole name: dockerd's message carries all of it. */
	msg = malloc(cap);
	esc = malloc(ecap);
	b = malloc(RESP_MAX_HEAD + ecap + 32);
	if (msg == NULL || esc == NULL || b == NULL)
		goto out;	/* x_probe_done answers 502 */
	rf_hidden_message(f->obj, f->route, f->name, f->name_len, msg, cap);
	if (rf_hidden_raw(f->route)) {
		/* As sockward relays dockerd's own: raw, closed after. */
		n = snprintf(b, RESP_MAX_HEAD + ecap + 32, "HTTP/1.1 404 Not "
		    "Found\r\nContent-Type: application/vnd.docker.raw-stream"
		    "\r\nConnection: close\r\n\r\n%s\r\n", msg);
		f->hidden_close = 1;
		goto done;
	}
	esc_json(esc, ecap, msg, strlen(msg));
	blen = (int)strlen(esc) + 15;	/* {"message":"..."}\n */
	n = resp_serialize_reframed(h, 404, "Not Found", 9, RESP_FRAME_LENGTH,
	    (uint64_t)blen, x->keep_alive && f->saved_phase != EXCH_BODY, b,
	    RESP_MAX_HEAD);
	if (n < 0)
		goto out;
	if (!x->is_head)
		n += sprintf(b + n, "{\"message\":\"%s\"}\n", esc);
done:
	f->hidden = b;
	f->hidden_len = (size_t)n;
	b = NULL;
out:
	free(msg);
	free(esc);
	free(b);
}

/* The probe is answered and read: answer 404, probe on, or let the
 * client's request go. */
static void
x_probe_done(struct exchange *x)
{
	struct exchange_filter *f = x->flt;
	struct exchange_half *rq = &x->rq, *rs = &x->rs;
	int	 visible = f->keep.visible, st = f->probe_status;
	char	 msg[600];

	x_flt_jrw_end(f);
	f->active = 0;
	rs->dechunk = 0;
	rs->ready = 0;
	/* An upstream that answered before it had the whole probe, or
	 * sent more than the answer, is out of step. */
	if (!x->up_reusable || sbuf_len(&rs->in) > 0 ||
	    exchange_pending(rq))
		x_up_drop(x);
	if (st == 200 && visible &&
	    (f->probe == RF_PROBE_EXEC || f->probe == RF_PROBE_TASK)) {
		/* An exec is its container's, a task its service's. */
		f->probe = f->probe == RF_PROBE_EXEC ? RF_PROBE_CONTAINER :
		    RF_PROBE_SERVICE;
		f->keep.kind = f->probe;
		f->keep.visible = 0;
		if (x_probe_head(x, f->keep.next_id,
		    strlen(f->keep.next_id)) == -1 ||
		    x_up_dial(x, msg, sizeof(msg)) == -1)
			goto bad_gateway;
		rs->phase = EXCH_HEAD;
		if (x->io->forwarding != NULL)
			x->io->forwarding(x->arg, x);
		return;
	}
	if (st == 200 && !visible && f->probe != RF_PROBE_SERVICES) {
		/* Hidden: dockerd's own 404 for a missing object. */
		if (f->hidden == NULL)
			goto bad_gateway;
		x->rec.verdict = "hidden";
		x->rec.why = JUDGE_WHY_HIDDEN;
		x->rec.status = 404;
		if (rq->phase == EXCH_PROBE && f->saved_phase == EXCH_BODY) {
			x_drop_body(x);
			x->keep_alive = 0;
		}
		if (f->hidden_close)
			x->keep_alive = 0;
		rq->phase = EXCH_DONE;
		if (sbuf_reserve(&rs->head) == -1 ||
		    f->hidden_len > SBUF_SIZE - rs->head.end) {
			x_close(x, "out of memory");
			return;
		}
		memcpy(rs->head.data + rs->head.end, f->hidden, f->hidden_len);
		rs->head.end += f->hidden_len;
		rs->phase = EXCH_LOCAL;
		return;
	}
	if (st != 200 && st != 404 && f->probe != RF_PROBE_SERVICES)
		goto bad_gateway;
	/* Visible, or dockerd does not know it either (it answers the
	 * request itself): the client's request goes now. */
	f->probe = RF_NONE;
	f->keep.kind = f->resp_kind;
	if (x_up_dial(x, msg, sizeof(msg)) == -1 ||
	    sbuf_reserve(&rq->head) == -1 || f->saved_len > SBUF_SIZE)
		goto bad_gateway;
	memcpy(rq->head.data, f->saved, f->saved_len);
	rq->head.start = 0;
	rq->head.end = f->saved_len;
	rq->held = f->saved_body;
	rq->held_start = f->saved_start;
	rq->held_end = f->saved_end;
	f->saved_body = NULL;
	rq->phase = f->saved_phase;
	rs->phase = EXCH_HEAD;
	if (x->io->forwarding != NULL)
		x->io->forwarding(x->arg, x);
	return;
bad_gateway:
	x_up_drop(x);
	x->rec.verdict = "error";
	if (rq->phase == EXCH_PROBE && f->saved_phase == EXCH_BODY)
		x_drop_body(x);
	rq->phase = EXCH_DONE;
	x_local_response(x, 502, "sockward: could not ask the Docker daemon "
	    "whether the client may see this object", 1);
}

/* ---- judged bodies, read whole before anything is forwarded ---- */

/* Bytes of a collected body allocated at first: most create bodies fit. */
#define X_COL_FIRST	8192

/* Answer 413 for a body over max bytes and close: the rest of it is
 * never read. */
static void
x_too_large(struct exchange *x, size_t max)
{
	char	msg[120];

	x_col_free(x);
	snprintf(msg, sizeof(msg), "sockward: request body larger than %zu "
	    "bytes (body-max)", max);
	x_reject_msg(x, 413, msg);
}

/*
 * Append p[0..n) to the collected body, within body-max (of the policy
 * in force now).  want: the bytes still to come, these n included, when
 * known (a Content-Length), else 0; the buffer grows no further.
 * Returns 0, or -1 with x->col_fail set: 413 (too large) or -2 (out of
 * memory).
 */
static int
x_col_put(struct exchange *x, const char *p, size_t n, uint64_t want)
{
	size_t	max = (*x->pol)->body_max, used = x->col_len - x->col_head;
	size_t	cap;
	char	*b;

	if (x->col_fail)
		return -1;
	if (used > max || n > max - used) {
		x->col_fail = 413;
		return -1;
	}
	if (n > x->col_cap - x->col_len) {
		cap = x->col_cap * 2;
		if (cap < x->col_len + n)
			cap = x->col_len + n;
		if (want > 0 && cap > x->col_len + want)
			cap = x->col_len + (size_t)want;
		if (cap > x->col_head + max)
			cap = x->col_head + max;
		if ((b = realloc(x->col, cap)) == NULL) {
			x->col_fail = -2;
			return -1;
		}
		x->col = b;
		x->col_cap = cap;
	}
	memcpy(x->col + x->col_len, p, n);
	x->col_len += n;
	return 0;
}

/* De-chunking callback: payload goes straight into the collected body. */
static void
x_col_chunk_data(void *arg, const char *p, size_t n)
{
	(void)x_col_put(arg, p, n, 0);
}

/*
 * Start reading the body of request h (head of hlen bytes at the front
 * of rq.in) whole: judge_request set body_collect.  A Content-Length
 * over body-max is refused before a byte of the body is read (and
 * before any 100 Continue).
 */
static void
x_collect_start(struct exchange *x, const struct req_head *h, size_t hlen)
{
	struct exchange_half *rq = &x->rq;
	size_t	max = (*x->pol)->body_max, cap;

	if (h->body == REQ_BODY_LENGTH && h->content_length > max) {
		x_too_large(x, max);
		return;
	}
	cap = X_COL_FIRST;
	if (h->body == REQ_BODY_LENGTH && h->content_length < cap)
		cap = (size_t)h->content_length;
	if ((x->col = malloc(hlen + cap)) == NULL) {
		x_close(x, "out of memory");
		return;
	}
	memcpy(x->col, rq->in.data + rq->in.start, hlen);
	x->col_head = x->col_len = hlen;
	x->col_cap = hlen + cap;
	x->col_fail = 0;
	sbuf_consume(&rq->in, hlen);
	rq->frame = h->body == REQ_BODY_LENGTH ? RESP_FRAME_LENGTH :
	    RESP_FRAME_CHUNKED;
	rq->remain = h->body == REQ_BODY_LENGTH ? h->content_length : 0;
	if (h->body == REQ_BODY_CHUNKED)
		chunk_init(&rq->chunk, 1);
	rq->body_done = 0;
	rq->ready = 0;
	rq->phase = EXCH_COLLECT;
	/* rs stays EXCH_IDLE: nothing is asked of the upstream yet. */
	if (h->expect_continue && sbuf_reserve(&x->rs.head) == 0) {
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		memcpy(x->rs.head.data + x->rs.head.end, cont,
		    sizeof(cont) - 1);
		x->rs.head.end += sizeof(cont) - 1;
	}
}

/*
 * The body is complete: judge the request as it will be forwarded (its
 * head with "Content-Length: N" for the N bytes read, under the policy in
 * force now, then judge_body on those bytes) and either answer locally or
 * dial the upstream and queue the canonical head and exactly the bytes
 * judged.  Either way the connection may go on: the body was read whole.
 */
static void
x_collect_done(struct exchange *x)
{
	struct exchange_half *rq = &x->rq;
	const struct cfg_listener *pol = *x->pol;
	struct req_head	 h;
	struct req_error err;
	struct judge_result res;
	size_t		 blen = x->col_len - x->col_head;
	char		 msg[600];
	long		 hl;

	rq->phase = EXCH_DONE;
	rq->frame = RESP_FRAME_NONE;
	rq->body_done = 1;
	if (req_parse(x->col, x->col_head, &h, &err) != (int)x->col_head) {
		/* The same bytes parsed before: cannot happen. */
		x_col_free(x);
		x_reject(x, 400, "request head changed");
		return;
	}
	if (x->revoked != NULL) {
		x_col_free(x);
		x->rec.verdict = "deny";
		x->rec.why = JUDGE_WHY_REVOKED;
		x->keep_alive = 0;
		x_local_response(x, 403, x->revoked, 1);
		return;
	}
	if (sbuf_reserve(&rq->head) == -1) {
		x_close(x, "out of memory");
		return;
	}
	h.body = REQ_BODY_LENGTH;
	h.content_length = blen;
	judge_request(pol, &h, rq->head.data, SBUF_SIZE, &res);
	if (res.body_collect)
		(void)judge_body(pol, x->col + x->col_head, blen, &res);
	x_copy(x->rec.rule, sizeof(x->rec.rule), res.label);
	x->rec.verdict = judge_verdict_name(res.verdict);
	x_note_why(x, &res);
	hl = (long)res.head_len;
	if (res.verdict == JUDGE_DENY || res.verdict == JUDGE_REJECT) {
		sbuf_release(&rq->head);
		x_col_free(x);
		x_local_response(x, res.status, res.message, !x->keep_alive);
		return;
	}
	/* Framed with the length of the bytes judged, within the limits of
	 * sockward's own parser (the head stays canonical). */
	if (res.body_collect && (hl = judge_frame_length(rq->head.data,
	    res.head_len, REQ_MAX_HEAD, blen)) < 0) {
		sbuf_release(&rq->head);
		x_col_free(x);
		x->rec.verdict = "reject";
		x_local_response(x, 431, "sockward: request head too large",
		    !x->keep_alive);
		return;
	}
	x->hijack_ok = res.hijack;
	if ((res.stream || res.hijack) && x->io->stream_open != NULL) {
		if (x->io->stream_open(x->arg, msg, sizeof(msg)) == -1) {
			sbuf_release(&rq->head);
			x_col_free(x);
			x->rec.verdict = "limit";
			x->rec.why = JUDGE_WHY_STREAMS;
			x_local_response(x, 429, msg, !x->keep_alive);
			return;
		}
		x->streaming = 1;
	}
	rq->head.start = 0;
	rq->head.end = (size_t)hl;
	if (x_up_dial(x, msg, sizeof(msg)) == -1) {
		sbuf_release(&rq->head);
		x_col_free(x);
		x->rec.verdict = "error";
		x_local_response(x, 502, msg, !x->keep_alive);
		return;
	}
	/* The bytes judged go out from the buffer they were read into. */
	if (blen > 0) {
		rq->held = x->col;
		rq->held_start = x->col_head;
		rq->held_end = x->col_len;
		x->col = NULL;
	}
	x_col_free(x);
	rq->ready = 0;
	x->rs.phase = EXCH_HEAD;
	x->up_reusable = 1;
	if ((res.resp_plan != NULL || res.probe != RF_NONE) &&
	    x_flt_begin(x, &res) == -1) {
		x_close(x, "out of memory");
		return;
	}
	if (x->flt != NULL && x->flt->probe != RF_NONE) {
		x->flt->saved_phase = EXCH_DONE;
		rq->phase = EXCH_PROBE;
	}
	if (x->io->forwarding != NULL)
		x->io->forwarding(x->arg, x);
}

/* Read what arrived of a body being collected; judge it once whole. */
static void
x_collect(struct exchange *x)
{
	struct exchange_half *rq = &x->rq;
	size_t	avail = sbuf_len(&rq->in), take;
	long	k;

	if (avail > 0 && rq->frame == RESP_FRAME_LENGTH) {
		take = avail < rq->remain ? avail : (size_t)rq->remain;
		if (x_col_put(x, rq->in.data + rq->in.start, take,
		    rq->remain) == 0) {
			sbuf_consume(&rq->in, take);
			rq->remain -= take;
			rq->body_done = rq->remain == 0;
		}
	} else if (avail > 0) {
		k = chunk_feed(&rq->chunk, rq->in.data + rq->in.start, avail,
		    x_col_chunk_data, x);
		if (k == CHUNK_ERROR) {
			x_col_free(x);
			x_reject(x, 400, "malformed chunked request body");
			return;
		}
		if (!x->col_fail) {
			/* Bytes past the body (a pipelined request) stay. */
			sbuf_consume(&rq->in, (size_t)k);
			rq->body_done = rq->chunk.done;
		}
	}
	if (x->col_fail == 413) {
		x_too_large(x, (*x->pol)->body_max);
		return;
	}
	if (x->col_fail) {
		x_close(x, "out of memory");
		return;
	}
	if (rq->body_done) {
		x_collect_done(x);
		return;
	}
	if (rq->eof && sbuf_len(&rq->in) == 0)
		x_close(x, "client closed inside a request body");
}

/* ---- starting an exchange ---- */

/* Parse the head at the front of rq.in and act on judge_request's
 * verdict. */
static void
x_start_request(struct exchange *x)
{
	struct exchange_half	*rq = &x->rq;
	struct req_head	 h;
	struct req_error err;
	struct judge_result res;
	char		 msg[600];
	int		 n;

	n = req_parse(rq->in.data + rq->in.start, sbuf_len(&rq->in), &h, &err);
	if (n == REQ_INCOMPLETE) {
		if (rq->eof)
			x_close(x, "client closed inside a request head");
		return;
	}
	x_begin(x);
	x->served = 1;
	if (n == REQ_ERROR) {
		/* Log what we can of the request line. */
		const char *p = rq->in.data + rq->in.start;
		size_t len = sbuf_len(&rq->in), i;
		for (i = 0; i < len && p[i] != '\r' && p[i] != '\n'; i++)
			;
		x_note_target(x, p, i);
		x_reject(x, err.status, err.reason);
		return;
	}
	x->rec.method = req_method_name(h.method);
	x_note_target(x, h.target, h.target_len);
	x->is_head = h.method == REQ_M_HEAD;
	x->keep_alive = h.keep_alive && !x->draining;
	x->http10 = h.minor == 0;
	if (x->revoked != NULL) {
		/* Admitted under a policy that no longer admits it. */
		x->rec.verdict = "deny";
		x->rec.why = JUDGE_WHY_REVOKED;
		x->keep_alive = 0;
		x_answer_unsent(x, &h, (size_t)n, 403, x->revoked);
		return;
	}

	if (sbuf_reserve(&rq->head) == -1) {
		x_close(x, "out of memory");
		return;
	}
	judge_request(*x->pol, &h, rq->head.data, SBUF_SIZE, &res);
	if (res.verdict != JUDGE_REJECT || res.status != 400)	/* target ok */
		x_copy(x->rec.path, sizeof(x->rec.path), res.target.path);
	x_copy(x->rec.rule, sizeof(x->rec.rule), res.label);
	x->rec.verdict = judge_verdict_name(res.verdict);
	if (res.verdict != JUDGE_ALLOW)
		x_note_why(x, &res);
	if (res.verdict == JUDGE_REJECT) {
		sbuf_release(&rq->head);
		x_reject_msg(x, res.status, res.message);
		return;
	}
	if (x->learn != NULL && *x->learn != NULL)
		(void)learn_add(*x->learn, h.method, res.target.path);
	if (res.verdict == JUDGE_DENY) {
		x_answer_unsent(x, &h, (size_t)n, res.status, res.message);
		return;
	}
	if (res.body_collect) {
		/* Nothing is dialled or sent before the body is judged. */
		sbuf_release(&rq->head);
		x_collect_start(x, &h, (size_t)n);
		return;
	}
	x->hijack_ok = res.hijack;
	if ((res.stream || res.hijack) && x->io->stream_open != NULL) {
		if (x->io->stream_open(x->arg, msg, sizeof(msg)) == -1) {
			sbuf_release(&rq->head);
			x->rec.verdict = "limit";
			x->rec.why = JUDGE_WHY_STREAMS;
			x_answer_unsent(x, &h, (size_t)n, 429, msg);
			return;
		}
		x->streaming = 1;
	}
	rq->head.start = 0;
	rq->head.end = res.head_len;
	if ((res.resp_plan != NULL || res.probe != RF_NONE) &&
	    x_flt_begin(x, &res) == -1) {
		x_close(x, "out of memory");
		return;
	}

	if (x_up_dial(x, msg, sizeof(msg)) == -1) {
		x->rec.verdict = "error";
		x_answer_unsent(x, &h, (size_t)n, 502, msg);
		return;
	}
	if (x->io->forwarding != NULL)
		x->io->forwarding(x->arg, x);

	sbuf_consume(&rq->in, (size_t)n);
	rq->frame = h.body == REQ_BODY_LENGTH ? RESP_FRAME_LENGTH :
	    h.body == REQ_BODY_CHUNKED ? RESP_FRAME_CHUNKED : RESP_FRAME_NONE;
	rq->remain = h.body == REQ_BODY_LENGTH ? h.content_length : 0;
	rq->body_done = h.body == REQ_BODY_NONE ||
	    (h.body == REQ_BODY_LENGTH && h.content_length == 0);
	if (h.body == REQ_BODY_CHUNKED)
		chunk_init(&rq->chunk, 1);
	rq->ready = 0;
	rq->phase = rq->body_done ? EXCH_DONE : EXCH_BODY;
	if (x->flt != NULL && x->flt->probe != RF_NONE) {
		/* The body waits for the probe's verdict. */
		x->flt->saved_phase = rq->phase;
		rq->phase = EXCH_PROBE;
	}

	x->rs.phase = EXCH_HEAD;
	x->up_reusable = 1;
	if (h.expect_continue && !rq->body_done &&
	    sbuf_reserve(&x->rs.head) == 0) {
		/* We answer the expectation ourselves: the upstream never sees
		 * Expect, so its answer cannot race the body. */
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		memcpy(x->rs.head.data + x->rs.head.end, cont,
		    sizeof(cont) - 1);
		x->rs.head.end += sizeof(cont) - 1;
	}
}

/* ---- bodies, either direction ---- */

/* De-chunking callback: move payload down to the write cursor. */
static void
x_dechunk_data(void *arg, const char *p, size_t n)
{
	struct exchange_half *h = arg;

	memmove(h->in.data + h->dechunk_end, p, n);
	h->dechunk_end += n;
}

/*
 * Follow h's framing over the bytes of in past ready, moving ready up to
 * what is validated (stripping the chunk framing when h->dechunk).
 * Returns 0, or -1 when the chunked coding is malformed.
 */
static int
x_body_advance(struct exchange_half *h)
{
	size_t	avail, take, base;
	long	k;

	avail = sbuf_len(&h->in) - h->ready;
	if (avail == 0)
		return 0;
	switch (h->frame) {
	case RESP_FRAME_LENGTH:
		take = avail < h->remain ? avail : (size_t)h->remain;
		h->remain -= take;
		h->ready += take;
		if (h->remain == 0)
			h->body_done = 1;
		break;
	case RESP_FRAME_CHUNKED:
		base = h->in.start + h->ready;
		h->dechunk_end = base;
		k = chunk_feed(&h->chunk, h->in.data + base, avail,
		    h->dechunk ? x_dechunk_data : NULL, h);
		if (k == CHUNK_ERROR)
			return -1;
		if (h->dechunk) {
			h->in.end = h->dechunk_end;
			h->ready = h->in.end - h->in.start;
		} else
			h->ready += (size_t)k;
		if (h->chunk.done)
			h->body_done = 1;
		break;
	default:	/* RESP_FRAME_CLOSE: everything until EOF */
		h->ready += avail;
		break;
	}
	return 0;
}

/* Validate newly arrived request body bytes. */
static void
x_req_body_advance(struct exchange *x)
{
	if (x->rq.phase != EXCH_BODY || x->rq.body_done)
		return;
	if (x_body_advance(&x->rq) == 0)
		return;
	/* Part of the request is already upstream: drop that side; answer
	 * 400 unless a response has begun, then close. */
	x_up_drop(x);
	if (x->rs.phase != EXCH_HEAD) {
		x->rec.status = 400;
		x->rec.verdict = "reject";
		x_close(x, "malformed chunked request body");
		return;
	}
	x_reject(x, 400, "malformed chunked request body");
}

/* Follow the response framing over newly arrived upstream bytes. */
static void
x_resp_body_advance(struct exchange *x)
{
	struct exchange_half *rs = &x->rs;

	if (rs->phase == EXCH_HIJACK) {
		rs->ready = sbuf_len(&rs->in);
		return;
	}
	if (rs->phase != EXCH_BODY)
		return;
	if (!rs->body_done) {
		if (x_body_advance(rs) == -1) {
			x_close(x, "malformed chunked response");
			return;
		}
		if (rs->body_done && sbuf_len(&rs->in) > rs->ready) {
			/* Bytes past the response: the upstream is out of
			 * step. */
			rs->in.end = rs->in.start + rs->ready;
			x->up_reusable = 0;
		}
	}
	if (x->flt != NULL && x->flt->active && !x->flt->done)
		x_flt_feed(x);
}

/* ---- response head ---- */

/*
 * Response head h (hn bytes at the front of rs.in) of a response that is
 * filtered: its body goes through the rewriter and out re-framed, chunked
 * (an HTTP/1.0 client: delimited by close).
 */
static void
x_resp_filtered(struct exchange *x, const struct resp_head *h, size_t hn)
{
	struct exchange_half *rs = &x->rs;
	long	n;

	if (x->http10)
		x->keep_alive = 0;
	if (h->conn_close || rs->frame == RESP_FRAME_CLOSE)
		x->up_reusable = 0;
	if (sbuf_reserve(&rs->head) == -1) {
		x_close(x, "out of memory");
		return;
	}
	n = resp_serialize_reframed(h, h->status, h->reason, h->reason_len,
	    x->http10 ? RESP_FRAME_CLOSE : RESP_FRAME_CHUNKED, 0,
	    x->keep_alive, rs->head.data + rs->head.end,
	    SBUF_SIZE - rs->head.end);
	if (n < 0) {
		x_close(x, "response head too large");
		return;
	}
	rs->head.end += (size_t)n;
	x->rec.status = h->status;
	sbuf_consume(&rs->in, hn);
	x_rs_body_begin(rs, h);
	rs->phase = EXCH_BODY;
	x_flt_body_start(x, x->flt->plan, 0);
}

static void
x_resp_start(struct exchange *x)
{
	struct exchange_half	*rs = &x->rs;
	struct resp_head h;
	char	why[400];
	long	n;
	int	hn;

	for (;;) {
		if (sbuf_len(&rs->in) == 0) {
			if (rs->eof)
				goto bad_gateway;
			return;
		}
		hn = resp_parse(rs->in.data + rs->in.start, sbuf_len(&rs->in),
		    &h);
		if (hn == REQ_INCOMPLETE) {
			if (rs->eof)
				goto bad_gateway;
			return;
		}
		if (hn == REQ_ERROR)
			goto bad_gateway;
		if (h.status >= 100 && h.status < 200 && h.status != 101) {
			/* Interim responses are for the upstream's client,
			 * which is us; never forwarded. */
			sbuf_consume(&rs->in, (size_t)hn);
			continue;
		}
		break;
	}
	if (x->flt != NULL && x->flt->probe != RF_NONE) {
		/* sockward's own question: read, never forwarded. */
		x_probe_resp(x, &h);
		sbuf_consume(&rs->in, (size_t)hn);
		return;
	}
	rs->frame = resp_framing(&h, x->is_head, x->hijack_ok);
	if (h.status == 101 && rs->frame != RESP_FRAME_HIJACK)
		goto bad_gateway;
	if (x->flt != NULL && x->flt->plan != NULL && h.status >= 200 &&
	    h.status < 300 && (rs->frame == RESP_FRAME_LENGTH ||
	    rs->frame == RESP_FRAME_CHUNKED || rs->frame == RESP_FRAME_CLOSE)) {
		x_resp_filtered(x, &h, (size_t)hn);
		return;
	}
	/* HTTP/1.0 has no chunked coding: such a client gets the payload
	 * alone, delimited by close. */
	rs->dechunk = rs->frame == RESP_FRAME_CHUNKED && x->http10;
	if (rs->frame == RESP_FRAME_CLOSE || rs->frame == RESP_FRAME_HIJACK ||
	    rs->dechunk)
		x->keep_alive = 0;
	if (h.conn_close || rs->frame == RESP_FRAME_CLOSE)
		x->up_reusable = 0;
	if (sbuf_reserve(&rs->head) == -1)
		goto bad_gateway;
	n = resp_serialize(&h, rs->frame, x->keep_alive, rs->dechunk,
	    rs->head.data + rs->head.end, SBUF_SIZE - rs->head.end);
	if (n < 0)
		goto bad_gateway;
	rs->head.end += (size_t)n;
	x->rec.status = h.status;
	sbuf_consume(&rs->in, (size_t)hn);
	x_rs_body_begin(rs, &h);
	if (rs->frame == RESP_FRAME_HIJACK) {
		rs->phase = EXCH_HIJACK;
		x->rq.phase = EXCH_HIJACK;
		x->rq.ready = sbuf_len(&x->rq.in);
	} else
		rs->phase = EXCH_BODY;
	return;
bad_gateway:
	x->up_reusable = 0;
	if (rs->head.data != NULL && x->rec.status != 0) {
		x_close(x, "upstream broke mid-response");
		return;
	}
	/* Read before the drop, which clears them. */
	n = rs->eof;
	if (x->up_why != NULL)
		snprintf(why, sizeof(why), "sockward: cannot reach the Docker "
		    "daemon at %s", x->up_why);
	else
		snprintf(why, sizeof(why), "%s", n ? "sockward: the Docker "
		    "daemon closed the connection without a response" :
		    "sockward: malformed response from the Docker daemon");
	x_up_drop(x);
	x->rec.verdict = "error";
	x->rq.phase = EXCH_DONE;
	x_drop_body(x);		/* the body, if any, is lost */
	x_local_response(x, 502, why, 1);
}

/* ---- progress ---- */

/* The exchange is over on both sides: log it and get ready for the next. */
static void
x_finish(struct exchange *x)
{
	x_stream_end(x);
	x_record(x);
	x_flt_free(x);
	/* An upstream that answered before it had the whole request (head
	 * or body) is out of step: the next head must not follow the rest
	 * of this one, nor overwrite it unsent. */
	if (!x->up_reusable || x->rq.phase == EXCH_BODY ||
	    exchange_pending(&x->rq))
		x_up_drop(x);
	if (!x->keep_alive || x->rq.phase == EXCH_BODY) {
		x_close(x, NULL);
		return;
	}
	x->rq.phase = EXCH_HEAD;
	x->rs.phase = EXCH_IDLE;
	if (x->io->finished != NULL)
		x->io->finished(x->arg);
	x->rq.ready = 0;
	x->rs.ready = 0;
	x->bulk = 0;
	sbuf_release(&x->rs.in);
	sbuf_release(&x->rs.head);
	if (sbuf_len(&x->rq.in) == 0)
		sbuf_release(&x->rq.in);
}

/* Half-close handling of a hijacked pipe: pass each EOF on once what
 * came before it is delivered; both passed on ends the connection. */
static void
x_hijack_progress(struct exchange *x)
{
	if (x->rq.eof && sbuf_len(&x->rq.in) == 0 && !x->rq.shut &&
	    x->up_open) {
		x->io->shut(x->arg, 1);
		x->rq.shut = 1;
	}
	if (x->rs.eof && sbuf_len(&x->rs.in) == 0 &&
	    sbuf_len(&x->rs.head) == 0 && x->rs.piped == 0 && !x->rs.shut) {
		x->io->shut(x->arg, 0);
		x->rs.shut = 1;
	}
	if (x->rq.shut && x->rs.shut)
		x_close(x, NULL);
}

void
exchange_advance(struct exchange *x)
{
	struct exchange_half *rq = &x->rq, *rs = &x->rs;
	int	guard;

	/* Loops because finishing one exchange may let a pipelined one
	 * start. */
	for (guard = 0; guard < 64 && !x->dead; guard++) {
		if (exchange_idle(x)) {
			if (sbuf_len(&rq->in) == 0) {
				if (rq->eof)
					x_close(x, NULL);
				else if (x->draining)
					x_close(x, "draining");
				return;
			}
			x_start_request(x);
			if (x->dead || exchange_idle(x))
				return;
		}
		if (rq->phase == EXCH_COLLECT) {
			x_collect(x);
			if (x->dead || rq->phase == EXCH_COLLECT)
				return;
		}
		x_req_body_advance(x);
		if (x->dead)
			return;
		if (rq->phase == EXCH_BODY && rq->body_done && rq->ready == 0)
			rq->phase = EXCH_DONE;
		if (rq->phase == EXCH_BODY && rq->eof &&
		    sbuf_len(&rq->in) == rq->ready && rq->ready == 0) {
			x_close(x, "client closed inside a request body");
			return;
		}
		if (rs->phase == EXCH_HEAD)
			x_resp_start(x);
		if (x->dead)
			return;
		x_resp_body_advance(x);
		if (x->dead)
			return;
		if (rs->phase == EXCH_HIJACK) {
			rq->ready = sbuf_len(&rq->in);
			x_hijack_progress(x);
			return;
		}
		if (rs->phase == EXCH_BODY && !rs->body_done && rs->eof &&
		    rs->ready == sbuf_len(&rs->in)) {
			if (rs->frame != RESP_FRAME_CLOSE) {
				x_close(x, "upstream closed mid-response");
				return;
			}
			rs->body_done = 1;
			if (x->flt != NULL && x->flt->active &&
			    !x->flt->done) {
				x_flt_feed(x);
				if (x->dead)
					return;
			}
		}
		if (x->cli_gone) {
			/* The client left while a response streams to it. */
			x_close(x, "client went away");
			return;
		}
		/* Exchange complete? */
		if (!exchange_pending(rs) &&
		    ((rs->phase == EXCH_BODY && rs->body_done &&
		    (x->flt == NULL || !x->flt->active || x->flt->done)) ||
		    rs->phase == EXCH_LOCAL)) {
			x_finish(x);
			continue;
		}
		return;
	}
}

/* ---- what the transport reports ---- */

void
exchange_got(struct exchange *x, struct exchange_half *h, size_t n)
{
	int	idle_up = h == &x->rs &&
		    (x->rs.phase == EXCH_IDLE || x->rs.phase == EXCH_LOCAL);

	if (n > 0) {
		if (h == &x->rs && n >= EXCHANGE_SPLICE_MIN)
			x->bulk = 1;
		/* Nothing was asked: the upstream is out of step. */
		if (idle_up)
			x_up_drop(x);
		return;
	}
	if (sbuf_len(&h->in) == 0)
		sbuf_release(&h->in);
	if (idle_up) {
		/* An idle upstream connection went away (daemon restart):
		 * dial afresh for the next request. */
		x_up_drop(x);
		return;
	}
	h->eof = 1;
	/* Client EOF before the response started is a half-close: the
	 * answer is still delivered.  EOF during a streaming body means
	 * gone. */
	if (h == &x->rq && x->rs.phase == EXCH_BODY && !x->rs.body_done)
		x->cli_gone = 1;
}

void
exchange_up_failed(struct exchange *x)
{
	if (x->rs.phase == EXCH_HEAD && x->rec.status == 0) {
		x->rs.eof = 1;
		x_resp_start(x);	/* answers 502 */
	} else
		x_close(x, "upstream write failed");
}

/* ---- splicing ---- */

uint64_t
exchange_splice_budget(const struct exchange *x)
{
	const struct exchange_half *rs = &x->rs;

	if (!x->splice_ok || sbuf_len(&rs->in) > 0 || sbuf_len(&rs->head) > 0 ||
	    rs->held != NULL || (x->flt != NULL && x->flt->active))
		return 0;
	if (rs->phase == EXCH_HIJACK)
		return x->bulk ? UINT64_MAX : 0;
	if (rs->phase != EXCH_BODY || rs->body_done || rs->dechunk)
		return 0;
	switch (rs->frame) {
	case RESP_FRAME_LENGTH:
		return rs->remain;
	case RESP_FRAME_CHUNKED:
		return chunk_data_left(&rs->chunk);
	case RESP_FRAME_CLOSE:
		return x->bulk ? UINT64_MAX : 0;
	default:
		return 0;
	}
}

int
exchange_splice_edge(const struct exchange *x, int pipe_held)
{
	const struct exchange_half *rs = &x->rs;

	return pipe_held && x->splice_ok && rs->phase == EXCH_BODY &&
	    (x->flt == NULL || !x->flt->active) && rs->held == NULL &&
	    rs->frame == RESP_FRAME_CHUNKED && !rs->body_done &&
	    !rs->dechunk && sbuf_len(&rs->in) == 0 &&
	    sbuf_len(&rs->head) == 0 && chunk_data_left(&rs->chunk) == 0;
}

uint64_t
exchange_splice_peek(const struct exchange *x, const char *ahead, size_t n)
{
	struct chunk_state after = x->rs.chunk;

	if (chunk_feed(&after, ahead, n, NULL, NULL) != (long)n ||
	    chunk_data_left(&after) == 0)
		return 0;
	return n + chunk_data_left(&after);
}

void
exchange_spliced(struct exchange *x, const char *ahead, size_t peeked,
    size_t n)
{
	struct exchange_half *rs = &x->rs;
	size_t	fed;

	rs->piped += n;
	if (rs->phase != EXCH_BODY)
		return;
	if (rs->frame == RESP_FRAME_LENGTH) {
		rs->remain -= (uint64_t)n;
		if (rs->remain == 0)
			rs->body_done = 1;
	} else if (rs->frame == RESP_FRAME_CHUNKED) {
		/* The tracker is fed the peeked framing and skips the
		 * payload it never sees. */
		fed = n < peeked ? n : peeked;
		if ((fed > 0 && chunk_feed(&rs->chunk, ahead, fed, NULL,
		    NULL) != (long)fed) ||
		    chunk_skip(&rs->chunk, (uint64_t)(n - fed)) == CHUNK_ERROR)
			x_close(x, "chunk tracking lost while splicing");
	}
}

/* ---- the end ---- */

void
exchange_timeout(struct exchange *x, int w)
{
	if (w == EXCH_WAIT_HEADER) {
		x_begin(x);
		x_note_target(x, "-", 1);
		x->rec.verdict = "reject";
		x_local_response(x, 408, "sockward: timed out reading the "
		    "request head", 1);
		x_close(x, "header timeout");
		return;
	}
	if (w == EXCH_WAIT_COLLECT) {
		/* Fail closed: nothing of the request went anywhere. */
		x_col_free(x);
		x->rec.verdict = "reject";
		x_drop_body(x);
		x->rq.phase = EXCH_DONE;
		x_local_response(x, 408, "sockward: timed out reading the "
		    "request body", 1);
		x_close(x, "body timeout");
		return;
	}
	if (w == EXCH_WAIT_BODY) {
		/* The upstream has part of a request it will never get
		 * whole: drop it (and the descriptor it holds). */
		x_up_drop(x);
		if (x->rec.status == 0 && sbuf_len(&x->rs.head) == 0 &&
		    x->rs.phase == EXCH_HEAD) {
			x->rec.verdict = "reject";
			x_drop_body(x);
			x->rq.phase = EXCH_DONE;
			x_local_response(x, 408, "sockward: timed out reading "
			    "the request body", 1);
		}
		x_close(x, "body timeout");
		return;
	}
	x_close(x, w == EXCH_WAIT_SEND ? "send timeout" : "idle timeout");
}

void
exchange_end(struct exchange *x)
{
	if (x->rec.open && x->rec.status == 0)
		x->rec.status = 499;	/* no response was sent */
	x_record(x);
	x_stream_end(x);
	x->dead = 1;
	x_up_drop(x);
	x_col_free(x);
	x_flt_free(x);
	x_held_free(&x->rq);
	x_held_free(&x->rs);
	sbuf_release(&x->rq.in);
	sbuf_release(&x->rq.head);
	sbuf_release(&x->rs.in);
	sbuf_release(&x->rs.head);
}
