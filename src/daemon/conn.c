/*
 * conn.c - the per-connection state machine.
 *
 * Each client connection handles one request at a time:
 *
 *   RQ_HEAD   read and parse a head; judge it; answer locally (403, 400,
 *             502) or serialise the canonical head for the upstream
 *   RQ_BODY   relay the body, validating its framing as it passes
 *   RQ_DONE   body sent; bytes that arrive now wait in cin (pipelining)
 *
 * and the response side, in parallel:
 *
 *   RS_HEAD   parse the upstream's head, decide the framing
 *   RS_BODY   relay the body, following its framing to find its end
 *   RS_LOCAL  a response sockward wrote itself is being flushed
 *
 * When both sides are done the next pipelined request is parsed.  An
 * endpoint that may hijack (attach, exec start) and whose response says so
 * turns the connection into a two-way pipe (RQ_HIJACK/RS_HIJACK) with
 * half-close passed through.  Reads stop while the destination buffer is
 * full, so a slow reader holds back its own upstream and nobody else.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admit.h"
#include "canon.h"
#include "chunk.h"
#include "config.h"
#include "conn.h"
#include "escape.h"
#include "ev.h"
#include "http_req.h"
#include "http_resp.h"
#include "judge.h"
#include "learn.h"
#include "log.h"
#include "rule.h"
#include "sbuf.h"
#include "spipe.h"

#define CONN_ACCEPT_BATCH   64
#define CONN_ACCEPT_RETRY   250	/* ms before retrying accept after EMFILE */
#define CONN_SPLICE_MIN	    16384	/* body bytes ahead that are worth a pipe */

enum conn_rq { RQ_HEAD = 0, RQ_BODY, RQ_DONE, RQ_HIJACK };
enum conn_rs { RS_NONE = 0, RS_HEAD, RS_BODY, RS_LOCAL, RS_HIJACK };
enum conn_tl { TL_NONE = 0, TL_HEADER, TL_IDLE, TL_COUNT };

struct conn {
	struct ev_io	 cli;
	struct ev_io	 up;
	struct conn	*next, *prev;	/* all open connections */
	struct conn	*tnext, *tprev;	/* the timer list tlist */
	enum conn_tl	 tlist;
	uint64_t	 deadline;
	int		 dead;		/* torn down, waiting for conn_reap */
	struct listener	*lst;		/* where it came in: whose policy */
	char		 peer[64];

	struct sbuf	 cin;		/* client bytes not yet handled */
	struct sbuf	 uin;		/* upstream bytes not yet relayed */
	struct sbuf	 uhead;		/* canonical request head to send */
	struct sbuf	 chead;		/* response head or local response */

	enum conn_rq	 rq;
	enum req_body_kind rq_body;
	uint64_t	 rq_remain;	/* Content-Length bytes not yet seen */
	struct chunk_state rq_chunk;
	int		 rq_body_done;	/* the whole body has been validated */
	size_t		 cin_ready;	/* validated body bytes at cin front */
	int		 cli_eof;
	int		 up_shut;	/* shutdown(SHUT_WR) sent upstream */

	enum conn_rs	 rs;
	enum resp_framing rs_frame;
	uint64_t	 rs_remain;
	struct chunk_state rs_chunk;
	int		 rs_body_done;
	size_t		 uin_ready;	/* checked response bytes at uin front */
	size_t		 dechunk_end;	/* de-chunking: payload ends here */
	int		 dechunk;
	int		 up_eof;
	int		 up_reusable;	/* upstream may serve the next request */
	int		 cli_shut;	/* shutdown(SHUT_WR) sent to client */

	/* Zero copy: bulk response bytes go upstream -> upipe -> client
	 * by splice(2).  upipe holds bytes only while uin and chead are
	 * empty, and uin is not read into while upipe holds bytes, so
	 * the client gets everything in order. */
	struct spipe	 upipe;
	int		 splice_ok;	/* this client may be spliced to */
	int		 bulk;		/* a stream without length moves in bulk */
	int		 peek_stuck;	/* framing ahead needs a copying read */

	int		 keep_alive;	/* keep the client after this exchange */
	int		 http10;	/* the client speaks HTTP/1.0 */
	int		 served;	/* at least one request was read */
	int		 cli_gone;	/* client EOF while a body streamed */
	int		 is_head;
	int		 hijack_ok;
	int		 more;		/* conn_progress stopped with work left */

	/* The access record of the current exchange. */
	int		 in_exchange;
	uint64_t	 t_start;	/* microseconds */
	const char	*method;
	char		 target[512];
	size_t		 target_len;
	char		 path[256];
	int		 status;
	uint64_t	 bytes;
	const char	*verdict;
	char		 rule[200];
};

static const struct conn_config *conn_cfg;
static struct conn	*conn_list;
static struct conn	*conn_graveyard;
static size_t		 conn_n;
static size_t		 conn_nup;	/* open upstream connections */
static struct conn	*conn_timers[TL_COUNT];	/* FIFO heads */
static struct conn	*conn_timers_tail[TL_COUNT];
static struct listener	*conn_listeners[LISTEN_MAX];
static size_t		 conn_nlisteners;
static int		 conn_accept_paused;
static uint64_t		 conn_accept_resume;
static int		 conn_draining;

static void	conn_cli_cb(struct ev_io *, unsigned);
static void	conn_up_cb(struct ev_io *, unsigned);
static void	conn_progress(struct conn *);
static void	conn_close(struct conn *, const char *);

#define CONN_OF(io, member) \
	((struct conn *)(void *)((char *)(io) - offsetof(struct conn, member)))

void
conn_setup(const struct conn_config *cfg)
{
	conn_cfg = cfg;
}

size_t
conn_count(void)
{
	return conn_n;
}

/* ---- timers: one FIFO per timeout kind, so each list stays sorted ---- */

static void
conn_timer_unlink(struct conn *c)
{
	if (c->tlist == TL_NONE)
		return;
	if (c->tprev != NULL)
		c->tprev->tnext = c->tnext;
	else
		conn_timers[c->tlist] = c->tnext;
	if (c->tnext != NULL)
		c->tnext->tprev = c->tprev;
	else
		conn_timers_tail[c->tlist] = c->tprev;
	c->tnext = c->tprev = NULL;
	c->tlist = TL_NONE;
}

/* Put c on list tl (no-op if already there: its deadline stands). */
static void
conn_timer_set(struct conn *c, enum conn_tl tl)
{
	int	ms;

	if (c->tlist == tl)
		return;
	conn_timer_unlink(c);
	if (tl == TL_NONE)
		return;
	ms = tl == TL_HEADER ? conn_cfg->header_timeout_ms :
	    conn_cfg->idle_timeout_ms;
	c->deadline = ev_now_ms() + (uint64_t)ms;
	c->tlist = tl;
	c->tprev = conn_timers_tail[tl];
	c->tnext = NULL;
	if (c->tprev != NULL)
		c->tprev->tnext = c;
	else
		conn_timers[tl] = c;
	conn_timers_tail[tl] = c;
}

/* ---- accepting ---- */

/*
 * Log a pause at most every 10 s: under sustained exhaustion every close
 * resumes accepting and the next accept pauses again.
 */
static void
conn_accept_pause_log(const char *why)
{
	static uint64_t last;
	uint64_t	now = ev_now_ms();

	if (last != 0 && now - last < 10000)
		return;
	last = now;
	log_msg(LOG_WARN, "pausing new connections: %s (%zu open)", why, conn_n);
}

/*
 * How many more client connections may be accepted: descriptors in use are
 * the fixed ones (stdio, epoll, signalfd, listeners), the clients and their
 * upstreams; a reserve of a quarter of the limit, at most 64, stays free
 * so clients already accepted can still reach the upstream.  The limit is
 * read each time: it may change under a running process (prlimit).
 */
static size_t
conn_accept_room(void)
{
	struct rlimit rl;
	size_t	 used, reserve;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return SIZE_MAX;
	used = 5 + conn_nlisteners + conn_n + conn_nup + spipe_fds();
	reserve = rl.rlim_cur / 4 < 64 ? (size_t)rl.rlim_cur / 4 : 64;
	if (used + reserve >= rl.rlim_cur)
		return 0;
	return (size_t)rl.rlim_cur - used - reserve;
}

static void
conn_accept_pause(int paused)
{
	size_t	i;

	conn_accept_paused = paused;
	for (i = 0; i < conn_nlisteners; i++)
		(void)ev_io_set(&conn_listeners[i]->io, paused ? 0 : EV_READ);
	if (paused)
		conn_accept_resume = ev_now_ms() + CONN_ACCEPT_RETRY;
}

static void
conn_peer_name(struct conn *c, const struct sockaddr_storage *ss, int is_unix)
{
	char	addr[INET6_ADDRSTRLEN];

	if (is_unix) {
		snprintf(c->peer, sizeof(c->peer), "unix");
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;
		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
		snprintf(c->peer, sizeof(c->peer), "%s:%u", addr,
		    ntohs(sin->sin_port));
	} else {
		const struct sockaddr_in6 *sin6 = (const void *)ss;
		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
		snprintf(c->peer, sizeof(c->peer), "[%s]:%u", addr,
		    ntohs(sin6->sin6_port));
	}
}

/*
 * Is the peer on fd admitted by listener l's policy?  TCP peers by source
 * network, unix peers by SO_PEERCRED.  Unknown credentials are refused.
 */
static int
conn_admitted(const struct listener *l, int fd,
    const struct sockaddr_storage *ss, char *who, size_t wholen)
{
	const struct admit *a = &l->pol->admit;
	struct ucred	 cr;
	socklen_t	 crlen = sizeof(cr);

	if (l->is_unix) {
		if (a->nuids == 0 && a->ngids == 0)
			return 1;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) == -1) {
			snprintf(who, wholen, "unix peer (credentials unknown)");
			return 0;
		}
		snprintf(who, wholen, "unix peer uid %u gid %u",
		    (unsigned)cr.uid, (unsigned)cr.gid);
		return admit_unix(a, cr.uid, cr.gid);
	}
	if (a->nnets == 0)
		return 1;
	if (ss->ss_family == AF_INET)
		return admit_tcp(a, 4, (const uint8_t *)
		    &((const struct sockaddr_in *)(const void *)ss)->sin_addr);
	return admit_tcp(a, 6, (const uint8_t *)
	    &((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr);
}

/* Refuse a client at the door: one 403, one log line, nothing more. */
static void
conn_refuse(const struct listener *l, int fd, const char *who)
{
	char	 msg[300], resp[600];
	int	 n;
	ssize_t	 w;

	snprintf(msg, sizeof(msg), "sockward: client %s is not admitted on "
	    "listener %s", who, l->pol->name);
	n = snprintf(resp, sizeof(resp), "HTTP/1.1 403 Forbidden\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n{\"message\":\"%s\"}\n",
	    strlen(msg) + 15, msg);
	if (n > 0 && (size_t)n < sizeof(resp))
		w = write(fd, resp, (size_t)n);
	(void)w;
	log_msg(LOG_WARN, "refused client %s on listener %s (%s): not "
	    "admitted", who, l->pol->name, l->name);
	close(fd);
}

static void
conn_accept_cb(struct ev_io *io, unsigned revents)
{
	struct listener	*l = (struct listener *)(void *)io;
	struct sockaddr_storage ss;
	socklen_t	 sslen;
	struct conn	*c;
	char		 who[80];
	size_t		 room = conn_accept_room();
	int		 fd, i, one = 1;

	(void)revents;
	for (i = 0; i < CONN_ACCEPT_BATCH; i++) {
		if (room-- == 0) {
			/* Accepting more would leave an accepted client
			 * without a descriptor for its upstream. */
			conn_accept_pause_log("open-file limit reached");
			conn_accept_pause(1);
			return;
		}
		sslen = sizeof(ss);
		fd = accept4(io->fd, (struct sockaddr *)&ss, &sslen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* Pause instead of spinning; a closing
				 * connection or the retry timer resumes. */
				conn_accept_pause_log(strerror(errno));
				conn_accept_pause(1);
			}
			return;
		}
		if (!conn_admitted(l, fd, &ss, who, sizeof(who))) {
			if (!l->is_unix) {
				struct conn tmp;
				conn_peer_name(&tmp, &ss, 0);
				snprintf(who, sizeof(who), "%s", tmp.peer);
			}
			conn_refuse(l, fd, who);
			continue;
		}
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			conn_accept_pause(1);
			return;
		}
		if (!l->is_unix)
			(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY,
			    &one, sizeof(one));
		ev_io_init(&c->cli, fd, conn_cli_cb);
		ev_io_init(&c->up, -1, conn_up_cb);
		spipe_init(&c->upipe);
		/* Splicing into a TCP socket measured slower than copying
		 * (make bench); into a unix socket it is faster. */
		c->splice_ok = l->is_unix;
		conn_peer_name(c, &ss, l->is_unix);
		c->lst = l;
		c->next = conn_list;
		if (conn_list != NULL)
			conn_list->prev = c;
		conn_list = c;
		conn_n++;
		conn_progress(c);
	}
}

int
conn_listen(struct listener *l)
{
	if (conn_nlisteners == LISTEN_MAX)
		return -1;
	l->io.cb = conn_accept_cb;
	conn_listeners[conn_nlisteners++] = l;
	return ev_io_set(&l->io, EV_READ);
}

/* ---- teardown ---- */

/* Log the current exchange once, if there is one. */
static void
conn_log_exchange(struct conn *c)
{
	struct log_access_rec r;

	if (!c->in_exchange)
		return;
	c->in_exchange = 0;
	r.client = c->peer;
	r.listener = c->lst->pol->name;
	r.method = c->method != NULL ? c->method : "-";
	r.target = c->target;
	r.target_len = c->target_len;
	r.path = c->path;
	r.status = c->status;
	r.bytes = c->bytes;
	r.duration_ms = (double)(ev_now_us() - c->t_start) / 1000.0;
	r.verdict = c->verdict != NULL ? c->verdict : "-";
	r.rule = c->rule;
	log_access(&r);
}

static void
conn_up_drop(struct conn *c)
{
	if (c->up.fd == -1)
		return;
	ev_io_stop(&c->up);
	close(c->up.fd);
	c->up.fd = -1;
	conn_nup--;
	c->up_eof = 0;
	c->up_shut = 0;
	sbuf_release(&c->uin);
	sbuf_release(&c->uhead);
}

/*
 * The one teardown path: close both sides, release buffers, and queue the
 * memory for conn_reap (events of this batch may still name c).
 */
static void
conn_close(struct conn *c, const char *why)
{
	if (c->dead)
		return;
	if (c->in_exchange && c->status == 0)
		c->status = 499;	/* no response was sent */
	conn_log_exchange(c);
	if (why != NULL)
		log_msg(LOG_DEBUG, "closing %s: %s", c->peer, why);
	c->dead = 1;
	conn_timer_unlink(c);
	conn_up_drop(c);
	ev_io_stop(&c->cli);
	close(c->cli.fd);
	c->cli.fd = -1;
	sbuf_release(&c->cin);
	sbuf_release(&c->chead);
	spipe_give(&c->upipe);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		conn_list = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->prev = NULL;
	c->next = conn_graveyard;
	conn_graveyard = c;
	conn_n--;
	if (conn_accept_paused && !conn_draining)
		conn_accept_pause(0);
}

void
conn_reap(void)
{
	struct conn *c;

	while ((c = conn_graveyard) != NULL) {
		conn_graveyard = c->next;
		free(c);
	}
}

/* ---- local responses ---- */

/*
 * Queue a complete response with a JSON {"message": ...} body, as dockerd
 * writes its errors, so the docker CLI and SDKs show it.  close_after: the
 * client connection ends after it.
 */
static void
conn_local_response(struct conn *c, int status, const char *message,
    int close_after)
{
	char	esc[1024], body[1100];
	int	blen, n;

	esc_json(esc, sizeof(esc), message, strlen(message));
	blen = snprintf(body, sizeof(body), "{\"message\":\"%s\"}\n", esc);
	if (blen < 0 || (size_t)blen >= sizeof(body))
		blen = (int)strlen(strcpy(body, "{\"message\":\"sockward\"}\n"));
	if (sbuf_reserve(&c->chead) == -1) {
		conn_close(c, "out of memory");
		return;
	}
	n = snprintf(c->chead.data + c->chead.end, SBUF_SIZE - c->chead.end,
	    "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
	    "Content-Length: %d\r\nConnection: %s\r\n\r\n%s",
	    status, judge_status_reason(status), blen,
	    close_after ? "close" : "keep-alive",
	    c->is_head ? "" : body);
	if (n < 0 || (size_t)n >= SBUF_SIZE - c->chead.end) {
		conn_close(c, "local response too large");
		return;
	}
	c->chead.end += (size_t)n;
	c->status = status;
	c->rs = RS_LOCAL;
	if (close_after)
		c->keep_alive = 0;
}

/* Refuse a request sockward could not take: answer message (the JSON
 * "message" text) and close. */
static void
conn_reject_msg(struct conn *c, int status, const char *message)
{
	c->verdict = "reject";
	/* The body (if any) was not read: the connection cannot continue. */
	sbuf_release(&c->cin);
	c->rq = RQ_DONE;
	conn_local_response(c, status, message, 1);
}

/* conn_reject_msg with "sockward: REASON". */
static void
conn_reject(struct conn *c, int status, const char *reason)
{
	char	msg[300];

	snprintf(msg, sizeof(msg), "sockward: %s", reason);
	conn_reject_msg(c, status, msg);
}

/* ---- starting an exchange ---- */

static void
conn_begin_exchange(struct conn *c)
{
	c->in_exchange = 1;
	c->t_start = ev_now_us();
	c->method = NULL;
	c->target_len = 0;
	c->path[0] = '\0';
	c->rule[0] = '\0';
	c->status = 0;
	c->bytes = 0;
	c->verdict = NULL;
	c->is_head = 0;
	c->hijack_ok = 0;
}

/* Record the raw target for the log, truncated, still unescaped. */
static void
conn_note_target(struct conn *c, const char *t, size_t len)
{
	if (len > sizeof(c->target))
		len = sizeof(c->target);
	memcpy(c->target, t, len);
	c->target_len = len;
}

static int
conn_up_connect(struct conn *c)
{
	struct sockaddr_un sun;
	size_t	 plen = strlen(conn_cfg->upstream);
	int	 fd;

	if (c->up.fd != -1)
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (plen >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, conn_cfg->upstream, plen);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	/* AF_UNIX connects complete at once, or fail (EAGAIN: backlog full). */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	ev_io_init(&c->up, fd, conn_up_cb);
	conn_nup++;
	c->up_eof = c->up_shut = 0;
	return 0;
}

/* Copy the string src to dst[0..cap), cut to fit (no printf: every
 * request needs it). */
static void
conn_copy(char *dst, size_t cap, const char *src)
{
	size_t	k = strlen(src);

	if (k >= cap)
		k = cap - 1;
	memcpy(dst, src, k);
	dst[k] = '\0';
}

/* Parse the head at the front of cin and act on judge_request's verdict. */
static void
conn_start_request(struct conn *c)
{
	struct req_head	 h;
	struct req_error err;
	struct judge_result res;
	char		 msg[600];
	int		 n;

	n = req_parse(c->cin.data + c->cin.start, sbuf_len(&c->cin), &h, &err);
	if (n == REQ_INCOMPLETE) {
		if (c->cli_eof)
			conn_close(c, "client closed inside a request head");
		return;
	}
	conn_begin_exchange(c);
	c->served = 1;
	if (n == REQ_ERROR) {
		/* Log what we can of the request line. */
		const char *p = c->cin.data + c->cin.start;
		size_t len = sbuf_len(&c->cin), i;
		for (i = 0; i < len && p[i] != '\r' && p[i] != '\n'; i++)
			;
		conn_note_target(c, p, i);
		conn_reject(c, err.status, err.reason);
		return;
	}
	c->method = req_method_name(h.method);
	conn_note_target(c, h.target, h.target_len);
	c->is_head = h.method == REQ_M_HEAD;
	c->keep_alive = h.keep_alive && !conn_draining;
	c->http10 = h.minor == 0;

	if (sbuf_reserve(&c->uhead) == -1) {
		conn_close(c, "out of memory");
		return;
	}
	judge_request(c->lst->pol, &h, c->uhead.data, SBUF_SIZE, &res);
	if (res.verdict != JUDGE_REJECT || res.status != 400)	/* target ok */
		conn_copy(c->path, sizeof(c->path), res.target.path);
	conn_copy(c->rule, sizeof(c->rule), res.label);
	c->verdict = judge_verdict_name(res.verdict);
	if (res.verdict == JUDGE_REJECT) {
		sbuf_release(&c->uhead);
		conn_reject_msg(c, res.status, res.message);
		return;
	}
	if (c->lst->learn != NULL)
		(void)learn_add(c->lst->learn, h.method, res.target.path);
	if (res.verdict == JUDGE_DENY) {
		sbuf_release(&c->uhead);
		/* The body was never read; only a bodiless request leaves the
		 * connection in a known state for the next one. */
		sbuf_consume(&c->cin, (size_t)n);
		if (h.body != REQ_BODY_NONE)
			sbuf_release(&c->cin);
		c->rq = RQ_DONE;
		conn_local_response(c, res.status, res.message,
		    h.body != REQ_BODY_NONE || !c->keep_alive);
		return;
	}
	c->hijack_ok = res.hijack;
	c->uhead.start = 0;
	c->uhead.end = res.head_len;

	if (conn_up_connect(c) == -1) {
		sbuf_release(&c->uhead);
		snprintf(msg, sizeof(msg), "sockward: cannot reach the Docker "
		    "daemon at %s: %s", conn_cfg->upstream, strerror(errno));
		c->verdict = "error";
		sbuf_consume(&c->cin, (size_t)n);
		if (h.body != REQ_BODY_NONE)
			sbuf_release(&c->cin);
		c->rq = RQ_DONE;
		conn_local_response(c, 502, msg,
		    h.body != REQ_BODY_NONE || !c->keep_alive);
		return;
	}
	log_msg(LOG_DEBUG, "%s: forwarding %.*s", c->peer,
	    (int)(res.head_len - 4), c->uhead.data);

	sbuf_consume(&c->cin, (size_t)n);
	c->rq_body = h.body;
	c->rq_remain = h.body == REQ_BODY_LENGTH ? h.content_length : 0;
	c->rq_body_done = h.body == REQ_BODY_NONE ||
	    (h.body == REQ_BODY_LENGTH && h.content_length == 0);
	if (h.body == REQ_BODY_CHUNKED)
		chunk_init(&c->rq_chunk, 1);
	c->cin_ready = 0;
	c->rq = c->rq_body_done ? RQ_DONE : RQ_BODY;

	c->rs = RS_HEAD;
	c->up_reusable = 1;
	if (h.expect_continue && !c->rq_body_done && sbuf_reserve(&c->chead) == 0) {
		/* We answer the expectation ourselves: the upstream never sees
		 * Expect, so its answer cannot race the body. */
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		memcpy(c->chead.data + c->chead.end, cont, sizeof(cont) - 1);
		c->chead.end += sizeof(cont) - 1;
	}
}

/* ---- request body ---- */

/* Validate newly arrived body bytes in cin. */
static void
conn_req_body_advance(struct conn *c)
{
	size_t	avail, take;
	long	k;

	if (c->rq != RQ_BODY || c->rq_body_done)
		return;
	avail = sbuf_len(&c->cin) - c->cin_ready;
	if (avail == 0)
		return;
	if (c->rq_body == REQ_BODY_LENGTH) {
		take = avail < c->rq_remain ? avail : (size_t)c->rq_remain;
		c->rq_remain -= take;
		c->cin_ready += take;
		if (c->rq_remain == 0)
			c->rq_body_done = 1;
		return;
	}
	k = chunk_feed(&c->rq_chunk, c->cin.data + c->cin.start + c->cin_ready,
	    avail, NULL, NULL);
	if (k == CHUNK_ERROR) {
		/* Part of the request is already upstream: drop that side;
		 * answer 400 unless a response has begun, then close. */
		conn_up_drop(c);
		if (c->rs != RS_HEAD) {
			c->status = 400;
			c->verdict = "reject";
			conn_close(c, "malformed chunked request body");
			return;
		}
		conn_reject(c, 400, "malformed chunked request body");
		return;
	}
	c->cin_ready += (size_t)k;
	if (c->rq_chunk.done)
		c->rq_body_done = 1;
}

/* ---- response ---- */

static void
conn_resp_start(struct conn *c)
{
	struct resp_head h;
	long	n;
	int	hn;

	for (;;) {
		if (sbuf_len(&c->uin) == 0) {
			if (c->up_eof)
				goto bad_gateway;
			return;
		}
		hn = resp_parse(c->uin.data + c->uin.start, sbuf_len(&c->uin), &h);
		if (hn == REQ_INCOMPLETE) {
			if (c->up_eof)
				goto bad_gateway;
			return;
		}
		if (hn == REQ_ERROR)
			goto bad_gateway;
		if (h.status >= 100 && h.status < 200 && h.status != 101) {
			/* Interim responses are for the upstream's client,
			 * which is us; never forwarded. */
			sbuf_consume(&c->uin, (size_t)hn);
			continue;
		}
		break;
	}
	c->rs_frame = resp_framing(&h, c->is_head, c->hijack_ok);
	if (h.status == 101 && c->rs_frame != RESP_FRAME_HIJACK)
		goto bad_gateway;
	/* HTTP/1.0 has no chunked coding: such a client gets the payload
	 * alone, delimited by close. */
	c->dechunk = c->rs_frame == RESP_FRAME_CHUNKED && c->http10;
	if (c->rs_frame == RESP_FRAME_CLOSE || c->rs_frame == RESP_FRAME_HIJACK ||
	    c->dechunk)
		c->keep_alive = 0;
	if (h.conn_close || c->rs_frame == RESP_FRAME_CLOSE)
		c->up_reusable = 0;
	if (sbuf_reserve(&c->chead) == -1)
		goto bad_gateway;
	n = resp_serialize(&h, c->rs_frame, c->keep_alive, c->dechunk,
	    c->chead.data + c->chead.end, SBUF_SIZE - c->chead.end);
	if (n < 0)
		goto bad_gateway;
	c->chead.end += (size_t)n;
	c->status = h.status;
	sbuf_consume(&c->uin, (size_t)hn);
	c->uin_ready = 0;
	c->rs_remain = h.content_length;
	c->rs_body_done = c->rs_frame == RESP_FRAME_NONE ||
	    (c->rs_frame == RESP_FRAME_LENGTH && h.content_length == 0);
	if (c->rs_frame == RESP_FRAME_CHUNKED)
		chunk_init(&c->rs_chunk, 0);
	if (c->rs_frame == RESP_FRAME_HIJACK) {
		c->rs = RS_HIJACK;
		c->rq = RQ_HIJACK;
		c->cin_ready = sbuf_len(&c->cin);
	} else
		c->rs = RS_BODY;
	return;
bad_gateway:
	c->up_reusable = 0;
	if (c->chead.data != NULL && c->status != 0) {
		conn_close(c, "upstream broke mid-response");
		return;
	}
	conn_up_drop(c);
	c->verdict = "error";
	c->rq = RQ_DONE;
	sbuf_release(&c->cin);	/* the body, if any, is lost */
	conn_local_response(c, 502, c->up_eof ?
	    "sockward: the Docker daemon closed the connection without "
	    "a response" : "sockward: malformed response from the Docker "
	    "daemon", 1);
}

/* De-chunking callback: move payload down to the write cursor. */
static void
conn_dechunk_data(void *arg, const char *p, size_t n)
{
	struct conn *c = arg;

	memmove(c->uin.data + c->dechunk_end, p, n);
	c->dechunk_end += n;
}

/* Follow the response framing over newly arrived upstream bytes. */
static void
conn_resp_body_advance(struct conn *c)
{
	size_t	avail, take, base;
	long	k;

	if (c->rs == RS_HIJACK) {
		c->uin_ready = sbuf_len(&c->uin);
		return;
	}
	if (c->rs != RS_BODY || c->rs_body_done)
		return;
	avail = sbuf_len(&c->uin) - c->uin_ready;
	if (avail == 0)
		return;
	switch (c->rs_frame) {
	case RESP_FRAME_LENGTH:
		take = avail < c->rs_remain ? avail : (size_t)c->rs_remain;
		c->rs_remain -= take;
		c->uin_ready += take;
		if (c->rs_remain == 0)
			c->rs_body_done = 1;
		break;
	case RESP_FRAME_CHUNKED:
		base = c->uin.start + c->uin_ready;
		c->dechunk_end = base;
		k = chunk_feed(&c->rs_chunk, c->uin.data + base, avail,
		    c->dechunk ? conn_dechunk_data : NULL, c);
		if (k == CHUNK_ERROR) {
			conn_close(c, "malformed chunked response");
			return;
		}
		if (c->dechunk) {
			c->uin.end = c->dechunk_end;
			c->uin_ready = c->uin.end - c->uin.start;
		} else
			c->uin_ready += (size_t)k;
		if (c->rs_chunk.done)
			c->rs_body_done = 1;
		break;
	default:	/* RESP_FRAME_CLOSE: everything until EOF */
		c->uin_ready += avail;
		break;
	}
	if (c->rs_body_done && sbuf_len(&c->uin) > c->uin_ready) {
		/* Bytes past the response: the upstream is out of step. */
		c->uin.end = c->uin.start + c->uin_ready;
		c->up_reusable = 0;
	}
}

/* ---- I/O ---- */

static int
conn_io_again(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

static void
conn_cli_read(struct conn *c)
{
	size_t	room;
	ssize_t	n;

	if (sbuf_reserve(&c->cin) == -1) {
		conn_close(c, "out of memory");
		return;
	}
	room = sbuf_room(&c->cin);
	if (room == 0)
		return;
	n = read(c->cli.fd, c->cin.data + c->cin.end, room);
	if (n > 0) {
		c->cin.end += (size_t)n;
		return;
	}
	if (n == -1 && conn_io_again())
		return;
	if (sbuf_len(&c->cin) == 0)
		sbuf_release(&c->cin);
	if (n == -1) {
		conn_close(c, strerror(errno));
		return;
	}
	c->cli_eof = 1;
	/* EOF before the response started is a half-close: the answer is
	 * still delivered.  EOF during a streaming body means gone. */
	if (c->rs == RS_BODY && !c->rs_body_done)
		c->cli_gone = 1;
}

/*
 * Response bytes the framing lets through unparsed now, by splice: only
 * when nothing is queued ahead of them for the client.
 */
static uint64_t
conn_splice_budget(const struct conn *c)
{
	if (!c->splice_ok || sbuf_len(&c->uin) > 0 || sbuf_len(&c->chead) > 0)
		return 0;
	if (c->rs == RS_HIJACK)
		return c->bulk ? UINT64_MAX : 0;
	if (c->rs != RS_BODY || c->rs_body_done || c->dechunk)
		return 0;
	switch (c->rs_frame) {
	case RESP_FRAME_LENGTH:
		return c->rs_remain;
	case RESP_FRAME_CHUNKED:
		return chunk_data_left(&c->rs_chunk);
	case RESP_FRAME_CLOSE:
		return c->bulk ? UINT64_MAX : 0;
	default:
		return 0;
	}
}

/* Between two chunks of a body that is being spliced. */
static int
conn_splice_at_chunk_edge(const struct conn *c)
{
	return c->upipe.rfd != -1 && c->splice_ok && c->rs == RS_BODY &&
	    c->rs_frame == RESP_FRAME_CHUNKED && !c->rs_body_done &&
	    !c->dechunk && sbuf_len(&c->uin) == 0 &&
	    sbuf_len(&c->chead) == 0 &&
	    chunk_data_left(&c->rs_chunk) == 0;
}

/*
 * Try to move upstream bytes into upipe.  Returns 1 when that was the
 * way to read (bytes moved, or none could), 0 when the caller must read
 * into uin instead.  A chunked body is spliced a chunk at a time: at a
 * chunk edge the framing ahead is peeked and, when it ends inside a
 * payload, framing and payload go as one run; the tracker is fed the
 * peeked framing and skips the payload it never sees.
 */
static int
conn_up_splice(struct conn *c)
{
	char		 ahead[64];
	struct chunk_state after;
	uint64_t	 budget = conn_splice_budget(c);
	size_t		 peeked = 0, fed;
	ssize_t		 n;

	if (budget == 0 && conn_splice_at_chunk_edge(c)) {
		n = recv(c->up.fd, ahead, sizeof(ahead), MSG_PEEK);
		if (n > 0) {
			after = c->rs_chunk;
			if (chunk_feed(&after, ahead, (size_t)n, NULL, NULL) == n &&
			    chunk_data_left(&after) > 0) {
				peeked = (size_t)n;
				budget = peeked + chunk_data_left(&after);
			}
		}
		if (budget == 0) {
			/* A copying read must go first; it waits for the
			 * pipe to empty. */
			if (c->upipe.len > 0)
				c->peek_stuck = 1;
			return 0;
		}
	}
	if (budget == 0)
		return 0;
	if (c->upipe.rfd == -1 && (budget < CONN_SPLICE_MIN ||
	    conn_accept_room() < 2 || spipe_take(&c->upipe) == -1))
		return 0;
	n = spipe_fill(&c->upipe, c->up.fd,
	    budget < SIZE_MAX ? (size_t)budget : SIZE_MAX);
	if (n == -1 && conn_io_again())
		return 1;
	if (n == -1 && (errno == EINVAL || errno == ENOSYS) &&
	    c->upipe.len == 0) {
		c->splice_ok = 0;	/* cannot splice here: copy from now on */
		return 0;
	}
	if (n <= 0) {
		c->up_eof = 1;	/* EOF, or an error that ends the stream */
		return 1;
	}
	if (c->rs != RS_BODY)
		return 1;
	if (c->rs_frame == RESP_FRAME_LENGTH) {
		c->rs_remain -= (uint64_t)n;
		if (c->rs_remain == 0)
			c->rs_body_done = 1;
	} else if (c->rs_frame == RESP_FRAME_CHUNKED) {
		fed = (size_t)n < peeked ? (size_t)n : peeked;
		if ((fed > 0 && chunk_feed(&c->rs_chunk, ahead, fed, NULL,
		    NULL) != (long)fed) ||
		    chunk_skip(&c->rs_chunk, (uint64_t)n - fed) == CHUNK_ERROR)
			conn_close(c, "chunk tracking lost while splicing");
	}
	return 1;
}

static void
conn_up_read(struct conn *c)
{
	size_t	room;
	ssize_t	n;

	if (conn_up_splice(c) || c->dead)
		return;
	if (c->upipe.len > 0)
		return;		/* spliced bytes go out first */
	if (sbuf_reserve(&c->uin) == -1) {
		conn_close(c, "out of memory");
		return;
	}
	room = sbuf_room(&c->uin);
	if (room == 0)
		return;
	n = read(c->up.fd, c->uin.data + c->uin.end, room);
	if (n > 0) {
		c->uin.end += (size_t)n;
		if (n >= CONN_SPLICE_MIN)
			c->bulk = 1;
		if (c->rs == RS_NONE || c->rs == RS_LOCAL) {
			/* Nothing was asked: the upstream is out of step. */
			conn_up_drop(c);
		}
		return;
	}
	if (n == -1 && conn_io_again())
		return;
	if (sbuf_len(&c->uin) == 0)
		sbuf_release(&c->uin);
	if (c->rs == RS_NONE || c->rs == RS_LOCAL) {
		/* An idle upstream connection went away (daemon restart):
		 * dial afresh for the next request. */
		conn_up_drop(c);
		return;
	}
	c->up_eof = 1;
}

/* Write head bytes then ready body bytes to fd with one writev. */
static ssize_t
conn_writev(int fd, struct sbuf *head, struct sbuf *body, size_t ready,
    size_t *from_body)
{
	struct iovec	iov[2];
	int		iovcnt = 0;
	size_t		hlen = sbuf_len(head);
	ssize_t		n;

	if (hlen > 0) {
		iov[iovcnt].iov_base = head->data + head->start;
		iov[iovcnt++].iov_len = hlen;
	}
	if (ready > 0) {
		iov[iovcnt].iov_base = body->data + body->start;
		iov[iovcnt++].iov_len = ready;
	}
	*from_body = 0;
	if (iovcnt == 0)
		return 0;
	n = writev(fd, iov, iovcnt);
	if (n <= 0)
		return n;
	if ((size_t)n <= hlen) {
		sbuf_consume(head, (size_t)n);
	} else {
		if (hlen > 0)
			sbuf_consume(head, hlen);
		*from_body = (size_t)n - hlen;
		sbuf_consume(body, *from_body);
	}
	return n;
}

/* Write what is ready for the upstream.  Returns the bytes written, 0 if
 * none (would block), -1 if that ended the exchange or the connection. */
static ssize_t
conn_up_write(struct conn *c)
{
	size_t	body;
	ssize_t	n;

	n = conn_writev(c->up.fd, &c->uhead, &c->cin, c->cin_ready, &body);
	if (n == -1 && !conn_io_again()) {
		if (c->rs == RS_HEAD && c->status == 0) {
			c->up_eof = 1;
			conn_resp_start(c);	/* answers 502 */
		} else
			conn_close(c, "upstream write failed");
		return -1;
	}
	if (n <= 0)
		return 0;
	c->cin_ready -= body;
	return n;
}

/* Write what is ready for the client; returns as conn_up_write. */
static ssize_t
conn_cli_write(struct conn *c)
{
	size_t	body = 0;
	ssize_t	n;

	if (c->upipe.len > 0) {
		n = spipe_drain(&c->upipe, c->cli.fd);
		if (c->upipe.len == 0)
			c->peek_stuck = 0;
	} else
		n = conn_writev(c->cli.fd, &c->chead, &c->uin, c->uin_ready,
		    &body);
	if (n == -1 && !conn_io_again()) {
		conn_close(c, strerror(errno));
		return -1;
	}
	if (n <= 0)
		return 0;
	c->bytes += (uint64_t)n;
	c->uin_ready -= body;
	return n;
}

/* ---- progress ---- */

/* The exchange is over on both sides: log it and get ready for the next. */
static void
conn_finish_exchange(struct conn *c)
{
	conn_log_exchange(c);
	if (!c->up_reusable || c->rq == RQ_BODY)
		conn_up_drop(c);
	if (!c->keep_alive || c->rq == RQ_BODY) {
		conn_close(c, NULL);
		return;
	}
	c->rq = RQ_HEAD;
	c->rs = RS_NONE;
	c->cin_ready = 0;
	c->uin_ready = 0;
	c->bulk = 0;
	spipe_give(&c->upipe);
	sbuf_release(&c->uin);
	sbuf_release(&c->chead);
	if (sbuf_len(&c->cin) == 0)
		sbuf_release(&c->cin);
}

/* Half-close handling of a hijacked pipe; returns 1 when both ends are
 * finished and the connection was closed. */
static int
conn_hijack_progress(struct conn *c)
{
	if (c->cli_eof && sbuf_len(&c->cin) == 0 && !c->up_shut &&
	    c->up.fd != -1) {
		(void)shutdown(c->up.fd, SHUT_WR);
		c->up_shut = 1;
	}
	if (c->up_eof && sbuf_len(&c->uin) == 0 && sbuf_len(&c->chead) == 0 &&
	    c->upipe.len == 0 && !c->cli_shut) {
		(void)shutdown(c->cli.fd, SHUT_WR);
		c->cli_shut = 1;
	}
	if (c->up_shut && c->cli_shut) {
		conn_close(c, NULL);
		return 1;
	}
	return 0;
}

/* Recompute what each side waits for, and the connection's timer. */
static void
conn_update(struct conn *c)
{
	unsigned cm = 0, um = 0;
	int	 idle;

	if (c->dead)
		return;
	/* Client side. */
	if (!c->cli_eof && c->cin.end - c->cin.start < SBUF_SIZE &&
	    !(c->rs == RS_LOCAL && !c->keep_alive))
		cm |= EV_READ;
	/* Write interest also when work is left over (pipelined requests
	 * answered locally need no other event): a writable socket wakes
	 * the next pass at once, a full one waits, as it should. */
	if (sbuf_len(&c->chead) > 0 || c->uin_ready > 0 ||
	    c->upipe.len > 0 || c->more)
		cm |= EV_WRITE;
	/* Upstream side.  While the pipe holds bytes, read only what can
	 * be spliced behind them. */
	if (c->up.fd != -1) {
		if (c->up_eof)
			;
		else if (c->upipe.len > 0) {
			if (spipe_room(&c->upipe) > 0 && !c->peek_stuck &&
			    (conn_splice_budget(c) > 0 ||
			    conn_splice_at_chunk_edge(c)))
				um |= EV_READ;
		} else if (c->uin.end - c->uin.start < SBUF_SIZE)
			um |= EV_READ;
		if (sbuf_len(&c->uhead) > 0 || c->cin_ready > 0)
			um |= EV_WRITE;
		if (ev_io_set(&c->up, um) == -1) {
			conn_close(c, "epoll");
			return;
		}
	}
	if (ev_io_set(&c->cli, cm) == -1) {
		conn_close(c, "epoll");
		return;
	}
	/* Only a connection waiting for a request head has a deadline (a new
	 * one gets the header timeout for its first request); once
	 * a request is in flight (streams, hijacks) nothing times it out. */
	idle = c->rq == RQ_HEAD && c->rs == RS_NONE;
	if (!idle)
		conn_timer_set(c, TL_NONE);
	else if (sbuf_len(&c->cin) == 0 && c->served)
		conn_timer_set(c, TL_IDLE);
	else
		conn_timer_set(c, TL_HEADER);
}

/*
 * Move c's state as far as its buffers allow, without I/O.  Loops because
 * finishing one exchange may let a pipelined one start.
 */
static void
conn_advance(struct conn *c)
{
	int	guard;

	for (guard = 0; guard < 64 && !c->dead; guard++) {
		if (c->rq == RQ_HEAD && c->rs == RS_NONE) {
			if (sbuf_len(&c->cin) == 0) {
				if (c->cli_eof) {
					conn_close(c, NULL);
					return;
				}
				if (conn_draining) {
					conn_close(c, "draining");
					return;
				}
				break;
			}
			conn_start_request(c);
			if (c->dead || (c->rq == RQ_HEAD && c->rs == RS_NONE))
				break;
		}
		conn_req_body_advance(c);
		if (c->dead)
			return;
		if (c->rq == RQ_BODY && c->rq_body_done && c->cin_ready == 0)
			c->rq = RQ_DONE;
		if (c->rq == RQ_BODY && c->cli_eof &&
		    sbuf_len(&c->cin) == c->cin_ready && c->cin_ready == 0) {
			conn_close(c, "client closed inside a request body");
			return;
		}
		if (c->rs == RS_HEAD)
			conn_resp_start(c);
		if (c->dead)
			return;
		conn_resp_body_advance(c);
		if (c->dead)
			return;
		if (c->rs == RS_HIJACK) {
			c->cin_ready = sbuf_len(&c->cin);
			if (conn_hijack_progress(c))
				return;
			break;
		}
		if (c->rs == RS_BODY && !c->rs_body_done && c->up_eof &&
		    c->uin_ready == sbuf_len(&c->uin)) {
			if (c->rs_frame != RESP_FRAME_CLOSE) {
				conn_close(c, "upstream closed mid-response");
				return;
			}
			c->rs_body_done = 1;
		}
		if (c->cli_gone) {
			/* The client left while a response streams to it. */
			conn_close(c, "client went away");
			return;
		}
		/* Exchange complete? */
		if (sbuf_len(&c->chead) == 0 && c->uin_ready == 0 &&
		    c->upipe.len == 0 &&
		    ((c->rs == RS_BODY && c->rs_body_done) || c->rs == RS_LOCAL)) {
			conn_finish_exchange(c);
			continue;
		}
		break;
	}
}

/*
 * Write whatever is ready, in both directions, at once: most writes
 * complete, so write interest is only asked of epoll when one would
 * block, and a request costs no epoll_ctl.  Returns 1 if bytes moved.
 */
static int
conn_flush(struct conn *c)
{
	ssize_t	 n;
	int	 moved = 0;

	if (c->up.fd != -1 && (sbuf_len(&c->uhead) > 0 || c->cin_ready > 0)) {
		if ((n = conn_up_write(c)) < 0)
			return 1;	/* the state changed: advance again */
		moved |= n > 0;
	}
	if (!c->dead && (sbuf_len(&c->chead) > 0 || c->uin_ready > 0 ||
	    c->upipe.len > 0)) {
		if ((n = conn_cli_write(c)) < 0)
			return 1;
		moved |= n > 0;
	}
	return moved;
}

/* After any event: advance, write, and again while writes free state. */
static void
conn_progress(struct conn *c)
{
	int	i;

	/* A bounded share per event, so one client's pipeline cannot
	 * starve the others; what is left resumes on the next pass. */
	c->more = 1;
	for (i = 0; i < 16 && !c->dead; i++) {
		conn_advance(c);
		if (c->dead || !conn_flush(c)) {
			c->more = 0;
			break;
		}
	}
	if (!c->dead)
		conn_update(c);
}

static void
conn_cli_cb(struct ev_io *io, unsigned revents)
{
	struct conn *c = CONN_OF(io, cli);

	/* Writes happen in conn_progress; EV_WRITE just means "try again". */
	if (revents & EV_READ)
		conn_cli_read(c);
	if (!c->dead)
		conn_progress(c);
}

static void
conn_up_cb(struct ev_io *io, unsigned revents)
{
	struct conn *c = CONN_OF(io, up);

	if (c->up.fd != -1 && (revents & EV_READ))
		conn_up_read(c);
	if (!c->dead)
		conn_progress(c);
}

/* ---- timers and draining ---- */

int
conn_next_timeout(uint64_t now)
{
	uint64_t next = UINT64_MAX;
	int	 tl;

	for (tl = TL_HEADER; tl < TL_COUNT; tl++)
		if (conn_timers[tl] != NULL && conn_timers[tl]->deadline < next)
			next = conn_timers[tl]->deadline;
	if (conn_accept_paused && !conn_draining && conn_accept_resume < next)
		next = conn_accept_resume;
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

void
conn_expire(uint64_t now)
{
	static const char timeout408[] = "HTTP/1.1 408 Request Timeout\r\n"
	    "Content-Type: application/json\r\nContent-Length: 58\r\n"
	    "Connection: close\r\n\r\n"
	    "{\"message\":\"sockward: timed out reading the request head\"}";
	struct conn *c;
	ssize_t	 n;

	while ((c = conn_timers[TL_HEADER]) != NULL && c->deadline <= now) {
		/* Slow header: one best-effort 408, then cut. */
		n = write(c->cli.fd, timeout408, sizeof(timeout408) - 1);
		conn_begin_exchange(c);
		conn_note_target(c, "-", 1);
		c->bytes = n > 0 ? (uint64_t)n : 0;
		c->status = 408;
		c->verdict = "reject";
		conn_close(c, "header timeout");
	}
	while ((c = conn_timers[TL_IDLE]) != NULL && c->deadline <= now)
		conn_close(c, "idle timeout");
	if (conn_accept_paused && !conn_draining && conn_accept_resume <= now)
		conn_accept_pause(0);
}

size_t
conn_drain(void)
{
	struct conn *c, *next;
	size_t	 i;

	conn_draining = 1;
	for (i = 0; i < conn_nlisteners; i++)
		listen_close(conn_listeners[i]);
	conn_nlisteners = 0;
	for (c = conn_list; c != NULL; c = next) {
		next = c->next;
		c->keep_alive = 0;
		if (c->rq == RQ_HEAD && c->rs == RS_NONE &&
		    sbuf_len(&c->cin) == 0)
			conn_close(c, "draining");
	}
	return conn_n;
}
