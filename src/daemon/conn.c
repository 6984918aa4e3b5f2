/*
 * conn.c - client connections: the transport under the exchange.
 *
 * For a client the door (door.c) let in: the client and upstream
 * descriptors, their epoll interest, the read/writev/splice calls,
 * half-close, timeouts and the one teardown path.  What the bytes mean is
 * core/exchange.c's business: conn reads into an exchange half's buffer,
 * lets the exchange advance, and writes what a half has ready.  Reads
 * stop while the destination buffer is full, so a slow reader holds back
 * its own upstream and nobody else.
 *
 * TLS (tls.h) on either side: a client of a tls:// listener, an upstream
 * dockerd reached over tls://.  The same bytes go through tls_read and
 * tls_writev instead of read and writev, and never through splice.  A
 * client's handshake comes first, bounded by the header timeout; its
 * certificate then picks the listener (door_tls_pick) before any HTTP is
 * read.  An upstream's handshake is driven by its first read or write.
 * Epoll cannot see what a TLS session holds: a read may wait for
 * writability (and a write for readability), so each side remembers what
 * its last read and write wait for; and decrypted bytes left inside a
 * session after the buffer filled are read again as soon as the exchange
 * frees room, not when epoll says so (it will not).
 */
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "conn.h"
#include "door.h"
#include "ev.h"
#include "exchange.h"
#include "log.h"
#include "metrics_srv.h"
#include "ratelim.h"
#include "sbuf.h"
#include "spipe.h"
#include "timer.h"
#include "tls.h"


/* Why a connection ends when its deadline of each kind passes (the kinds
 * are the exchange's waits; conn_setup gives each its milliseconds). */
static const char *const conn_timeout_why[EXCH_WAIT_COUNT] = {
	[EXCH_WAIT_HEADER] = "header timeout",
	[EXCH_WAIT_IDLE] = "idle timeout",
	[EXCH_WAIT_BODY] = "body timeout",
	[EXCH_WAIT_COLLECT] = "body timeout",
	[EXCH_WAIT_SEND] = "send timeout",
};

/* The two sides, as indices of the per-side TLS fields. */
#define CONN_CLI	0
#define CONN_UP		1

struct conn {
	struct ev_io	 cli;
	struct ev_io	 up;		/* fd -1 while x.up_open is 0 */
	/* TLS sessions: the client's on a tls:// listener, the upstream's
	 * with a tls:// upstream (while x.up_open); NULL otherwise. */
	struct tls_conn	*tls[2];
	int		 tls_ready;	/* the client's handshake is done and
					   its certificate admitted: HTTP may
					   flow (always 1 without TLS) */
	/* What the last TLS read and write of each side wait for (EV_READ
	 * or EV_WRITE): a read may need the socket writable, and the
	 * reverse. */
	unsigned	 rd_want[2], wr_want[2];
	char		 up_why[240];	/* a TLS upstream failed: x.up_why */
	struct conn	*next, *prev;	/* all open connections */
	struct timer	 timer;		/* on at most one timeout list */
	int		 dead;		/* torn down, waiting for conn_reap */
	int		 more;		/* conn_progress stopped with work left */
	struct listener	*lst;		/* where it came in: whose policy */
	struct door_peer who;		/* the client, as the door saw it */
	int		 sent;		/* bytes went to the client since the
					   last conn_update */
	int		 got;		/* bytes came from the client since */
	char		 revoked[200];	/* the 403 message once revoked */
	/* Zero copy: bulk response bytes go upstream -> upipe -> client by
	 * splice(2).  upipe.len == x.rs.piped: the exchange counts them and
	 * keeps them behind nothing, and no read goes into x.rs.in while
	 * the pipe holds bytes, so the client gets everything in order. */
	struct spipe	 upipe;
	struct exchange	 x;
};

static const struct conn_config *conn_cfg;
static struct conn	*conn_list;
static struct conn	*conn_graveyard;
static size_t		 conn_n;
static size_t		 conn_nup;	/* open upstream connections */
static struct timer_list conn_timers[EXCH_WAIT_COUNT];	/* one per wait */
static int		 conn_draining;
static struct tls_client *conn_up_tls;	/* for upstreams opened next */

/* Handshake failures and certificates not admitted: info lines, at most
 * one a second of each (a scanner must not flood the log). */
enum { CONN_RL_HANDSHAKE, CONN_RL_REFUSED, CONN_RL_N };
static struct ratelim	 conn_rl[CONN_RL_N];
static const char *const conn_rl_what[CONN_RL_N] = {
	"TLS handshake failures", "TLS clients refused",
};

static void	conn_cli_cb(struct ev_io *, unsigned);
static void	conn_up_cb(struct ev_io *, unsigned);
static void	conn_progress(struct conn *);
static void	conn_close(struct conn *, const char *);
static void	conn_cli_handshake(struct conn *);
static const struct exchange_io conn_x_io;

#define CONN_OF(ptr, member) \
	((struct conn *)(void *)((char *)(ptr) - offsetof(struct conn, member)))

void
conn_setup(const struct conn_config *cfg)
{
	conn_cfg = cfg;
	conn_timers[EXCH_WAIT_HEADER].ms = (uint64_t)cfg->header_timeout_ms;
	conn_timers[EXCH_WAIT_IDLE].ms = (uint64_t)cfg->idle_timeout_ms;
	conn_timers[EXCH_WAIT_BODY].ms = (uint64_t)cfg->body_timeout_ms;
	/* A judged body must arrive whole within the same time, counted
	 * from the end of its head. */
	conn_timers[EXCH_WAIT_COLLECT].ms = (uint64_t)cfg->body_timeout_ms;
	conn_timers[EXCH_WAIT_SEND].ms = (uint64_t)cfg->send_timeout_ms;
	ratelim_init(&conn_rl[CONN_RL_HANDSHAKE], 1000);
	ratelim_init(&conn_rl[CONN_RL_REFUSED], 1000);
	door_set_limits(&cfg->limits);
}

void
conn_set_upstream_tls(struct tls_client *c)
{
	if (c != NULL)
		tls_client_ref(c);
	tls_client_unref(conn_up_tls);
	conn_up_tls = c;
}

/* An info line of kind k, unless one went out this second (then only
 * counted; conn_expire reports the count). */
#define conn_info(k, ...) log_limited(&conn_rl[k], ev_now_ms(), LOG_INFO, \
	    conn_rl_what[k], __VA_ARGS__)

size_t
conn_count(void)
{
	return conn_n;
}

size_t
conn_upstreams(void)
{
	return conn_nup;
}

/* Put c on the timeout list of wait w (EXCH_WAIT_NONE: none); its deadline
 * stands while it stays on the same list. */
static void
conn_timer(struct conn *c, enum exchange_wait w)
{
	struct timer_list *l = w == EXCH_WAIT_NONE ? NULL : &conn_timers[w];

	if (c->timer.list == l)
		return;
	if (l == NULL)
		timer_stop(&c->timer);
	else
		timer_set(&c->timer, l, ev_now_ms());
}

/* If the exchange asked for the end, end c.  Returns 1 when c is dead. */
static int
conn_check(struct conn *c)
{
	if (c->x.dead)
		conn_close(c, c->x.why);
	return c->dead;
}

/* ---- accepting ---- */

/* ---- what the exchange asks of the transport ---- */

/*
 * A tls:// upstream: a non-blocking TCP connect (in progress is fine) and
 * a TLS session on it, whose handshake the first read or write drives.
 * A connection refused later, or a failed handshake, is reported by that
 * read or write (conn_up_failed).
 */
static int
conn_up_open_tls(struct conn *c, char *err, size_t errlen)
{
	int	 fd, saved, one = 1;

	if (conn_up_tls == NULL) {
		snprintf(err, errlen, "%s: no TLS context", conn_cfg->up_name);
		return -1;
	}
	fd = socket(conn_cfg->up_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1)
		goto fail;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)&conn_cfg->up_addr,
	    conn_cfg->up_addrlen) == -1 && errno != EINPROGRESS) {
		saved = errno;
		close(fd);
		errno = saved;
		goto fail;
	}
	if ((c->tls[CONN_UP] = tls_connect(conn_up_tls, fd)) == NULL) {
		close(fd);
		errno = ENOMEM;
		goto fail;
	}
	c->rd_want[CONN_UP] = EV_READ;
	c->wr_want[CONN_UP] = EV_WRITE;
	ev_io_init(&c->up, fd, conn_up_cb);
	conn_nup++;
	return 0;
fail:
	metrics_upstream_connect_failed(metrics_reg);
	snprintf(err, errlen, "%s: %s", conn_cfg->up_name, strerror(errno));
	return -1;
}

static int
conn_x_up_open(void *arg, char *err, size_t errlen)
{
	struct conn	*c = arg;
	struct sockaddr_un sun;
	size_t	 plen;
	int	 fd, saved;

	if (conn_cfg->up_tcp)
		return conn_up_open_tls(c, err, errlen);
	plen = strlen(conn_cfg->upstream);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (plen >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	memcpy(sun.sun_path, conn_cfg->upstream, plen);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		goto fail;
	/* AF_UNIX connects complete at once, or fail (EAGAIN: backlog full). */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		goto fail;
	}
	ev_io_init(&c->up, fd, conn_up_cb);
	conn_nup++;
	return 0;
fail:
	metrics_upstream_connect_failed(metrics_reg);
	snprintf(err, errlen, "%s: %s", conn_cfg->upstream, strerror(errno));
	return -1;
}

static void
conn_x_up_close(void *arg)
{
	struct conn *c = arg;

	ev_io_stop(&c->up);
	if (c->tls[CONN_UP] != NULL) {
		tls_close_notify(c->tls[CONN_UP]);
		tls_free(c->tls[CONN_UP]);
		c->tls[CONN_UP] = NULL;
	}
	close(c->up.fd);
	c->up.fd = -1;
	conn_nup--;
}

/* Half-close: over TLS a close_notify first (the peer's TLS layer sees
 * the end), then the TCP FIN (Docker's CloseWrite sends only that). */
static void
conn_x_shut(void *arg, int to_up)
{
	struct conn *c = arg;

	if (c->tls[to_up ? CONN_UP : CONN_CLI] != NULL)
		tls_close_notify(c->tls[to_up ? CONN_UP : CONN_CLI]);
	(void)shutdown(to_up ? c->up.fd : c->cli.fd, SHUT_WR);
}

static void
conn_x_forwarding(void *arg, const struct exchange *x)
{
	struct conn *c = arg;

	log_msg(LOG_DEBUG, "%s: forwarding %.*s", c->who.name,
	    (int)(sbuf_len(&x->rq.head) - 4), x->rq.head.data);
}

static void
conn_x_record(void *arg, const struct exchange *x)
{
	struct conn *c = arg;

	log_exchange(&x->rec, c->who.name, c->lst->pol->name,
	    (double)(ev_now_us() - x->rec.t_start) / 1000.0);
	metrics_record(metrics_reg, c->lst->mx, &x->rec);
}

/* The exchange finished one request: an empty pipe goes back to the
 * pool, so a connection serving small answers holds none. */
static void
conn_x_finished(void *arg)
{
	struct conn *c = arg;

	spipe_give(&c->upipe);
}

/* A stream or hijack wants to open: within the client's cap and the
 * global one (the door counts)? */
static int
conn_x_stream_open(void *arg, char *msg, size_t msglen)
{
	struct conn *c = arg;

	return door_stream_open(c->lst, &c->who, msg, msglen);
}

static void
conn_x_stream_close(void *arg)
{
	struct conn *c = arg;

	door_stream_close(&c->who);
}

static const struct exchange_io conn_x_io = {
	.stream_open = conn_x_stream_open,
	.stream_close = conn_x_stream_close,
	.finished = conn_x_finished,
	.up_open = conn_x_up_open,
	.up_close = conn_x_up_close,
	.shut = conn_x_shut,
	.forwarding = conn_x_forwarding,
	.record = conn_x_record,
	.now_us = ev_now_us,
};

int
conn_open(struct listener *l, int fd, const struct door_peer *who)
{
	struct conn	*c;
	int		 one = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	if (l->tls != NULL && (c->tls[CONN_CLI] = tls_accept(l->tls, fd)) ==
	    NULL) {
		free(c);
		return -1;
	}
	c->tls_ready = c->tls[CONN_CLI] == NULL;
	c->rd_want[CONN_CLI] = c->rd_want[CONN_UP] = EV_READ;
	c->wr_want[CONN_CLI] = c->wr_want[CONN_UP] = EV_WRITE;
	c->who = *who;
	c->who.cert = NULL;
	if (!l->is_unix)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	ev_io_init(&c->cli, fd, conn_cli_cb);
	ev_io_init(&c->up, -1, conn_up_cb);
	spipe_init(&c->upipe);
	exchange_init(&c->x);
	c->x.io = &conn_x_io;
	c->x.arg = c;
	c->x.pol = &l->pol;
	c->x.learn = &l->learn;
	c->x.bytes_ctr = metrics_bytes_ctr(metrics_reg, l->mx);
	/* Splicing into a TCP socket measured slower than copying
	 * (make bench); into a unix socket it is faster.  A TLS upstream
	 * has no plain bytes to splice. */
	c->x.splice_ok = l->is_unix && !conn_cfg->up_tcp;
	c->lst = l;
	c->next = conn_list;
	if (conn_list != NULL)
		conn_list->prev = c;
	conn_list = c;
	conn_n++;
	if (c->tls_ready)
		conn_progress(c);
	else
		conn_cli_handshake(c);
	return 0;
}

/* ---- a TLS client's handshake and admission ---- */

/*
 * The client's certificate names, for the refusal line: "CN=x, dns:y",
 * "no certificate".
 */
static void
conn_cert_names(const struct admit_cert *id, char *dst, size_t len)
{
	static const char *const kind[] = { "cn", "dns", "ip", "uri",
	    "email" };
	size_t	 i, n;

	if (id == NULL) {
		snprintf(dst, len, "no certificate");
		return;
	}
	n = (size_t)snprintf(dst, len, "CN=%s", id->cn[0] != '\0' ?
	    id->cn : "(none)");
	for (i = 0; i < id->nsan && n < len; i++)
		n += (size_t)snprintf(dst + n, len - n, ", %s:%s",
		    kind[id->san[i].kind], id->san[i].value);
}

/*
 * Drive c's handshake; once it is complete, read the certificate, let
 * the door pick the listener block that admits it, and start on HTTP.
 * A failure or a refusal is one (rate-limited) info line and the end of
 * c, nothing of HTTP read or written.
 */
static void
conn_cli_handshake(struct conn *c)
{
	struct tls_conn	*t = c->tls[CONN_CLI];
	struct admit_cert id;
	struct listener	*l;
	char		 who[80], names[600];
	int		 r;

	r = tls_handshake(t);
	if (r == TLS_AGAIN) {
		/* The header timeout bounds the handshake and the first
		 * head together: the exchange waits under it too. */
		conn_timer(c, EXCH_WAIT_HEADER);
		if (ev_io_set(&c->cli, tls_want(t)) == -1)
			conn_close(c, "epoll");
		return;
	}
	if (r == TLS_ERROR) {
		metrics_tls_handshake_failed(metrics_reg, c->lst->mx);
		conn_info(CONN_RL_HANDSHAKE, "TLS handshake with %s on %s "
		    "failed: %s", c->who.name, c->lst->name, tls_error(t));
		conn_close(c, NULL);
		return;
	}
	if (tls_peer_identity(t, &id) == 0) {
		if ((c->who.cert = malloc(sizeof(*c->who.cert))) == NULL) {
			conn_close(c, "out of memory");
			return;
		}
		*c->who.cert = id;
	}
	if ((l = door_tls_pick(c->lst, &c->who, who, sizeof(who))) == NULL) {
		metrics_admission_refused(metrics_reg, c->lst->mx,
		    METRICS_ADMIT_NOT_ADMITTED);
		conn_cert_names(c->who.cert, names, sizeof(names));
		/* door_tls_pick's who names the CN only: the line names
		 * every name the certificate carries. */
		conn_info(CONN_RL_REFUSED, "refused %s on %s: certificate %s "
		    "not admitted", c->who.name, c->lst->name, names);
		conn_close(c, NULL);
		return;
	}
	c->lst = l;
	c->x.pol = &l->pol;
	c->x.learn = &l->learn;
	c->x.bytes_ctr = metrics_bytes_ctr(metrics_reg, l->mx);
	c->tls_ready = 1;
	log_msg(LOG_DEBUG, "%s: %s on %s (listener %s)", c->who.name,
	    tls_describe(t), l->name, l->pol->name);
	conn_progress(c);
}

/* ---- lingering close ---- */

/*
 * A client answered before sockward read its whole request body (a denied
 * build context or image upload, a 413) may still be sending it.  A close
 * with unread bytes makes the kernel answer them with a reset, which can
 * destroy the answer before the client reads it: the docker CLI then shows
 * "broken pipe" instead of sockward's message.  So such a descriptor is
 * half-closed after the answer and what arrives is read and discarded,
 * for at most CONN_LINGER_MS and CONN_LINGER_BYTES, before it is closed;
 * at most CONN_LINGER_MAX at once (beyond that, closed at once).
 */
#define CONN_LINGER_MS		2000
#define CONN_LINGER_BYTES	(8u * 1024 * 1024)
#define CONN_LINGER_MAX		64

struct conn_linger {
	struct ev_io	 io;
	struct timer	 timer;
	size_t		 bytes;
	struct conn_linger *next, *prev;
};

#define LINGER_OF(ptr, member) ((struct conn_linger *)(void *)	\
	((char *)(ptr) - offsetof(struct conn_linger, member)))

static struct timer_list conn_linger_timers = { NULL, NULL, CONN_LINGER_MS };
static int	conn_io_again(void);
static struct conn_linger *conn_lingering;
static size_t		 conn_nlinger;

static void
conn_linger_end(struct conn_linger *l)
{
	ev_io_stop(&l->io);
	close(l->io.fd);
	timer_stop(&l->timer);
	if (l->prev != NULL)
		l->prev->next = l->next;
	else
		conn_lingering = l->next;
	if (l->next != NULL)
		l->next->prev = l->prev;
	conn_nlinger--;
	free(l);
}

static void
conn_linger_cb(struct ev_io *io, unsigned revents)
{
	struct conn_linger *l = LINGER_OF(io, io);
	static char	 sink[16384];
	ssize_t		 n;

	(void)revents;
	for (;;) {
		n = read(io->fd, sink, sizeof(sink));
		if (n > 0) {
			l->bytes += (size_t)n;
			if (l->bytes < CONN_LINGER_BYTES)
				continue;
		} else if (n == -1 && conn_io_again())
			return;
		conn_linger_end(l);	/* EOF, error or enough */
		return;
	}
}

/* Close client descriptor fd gently (see above). */
static void
conn_linger(int fd)
{
	struct conn_linger *l;

	if (conn_nlinger >= CONN_LINGER_MAX || conn_draining ||
	    shutdown(fd, SHUT_WR) == -1 ||
	    (l = calloc(1, sizeof(*l))) == NULL) {
		close(fd);
		return;
	}
	ev_io_init(&l->io, fd, conn_linger_cb);
	if (ev_io_set(&l->io, EV_READ) == -1) {
		free(l);
		close(fd);
		return;
	}
	timer_set(&l->timer, &conn_linger_timers, ev_now_ms());
	l->next = conn_lingering;
	if (conn_lingering != NULL)
		conn_lingering->prev = l;
	conn_lingering = l;
	conn_nlinger++;
}

/* ---- teardown ---- */

/*
 * The one teardown path: end the exchange (which logs it and closes the
 * upstream), close the client, and queue the memory for conn_reap (events
 * of this batch may still name c).
 */
static void
conn_close(struct conn *c, const char *why)
{
	if (c->dead)
		return;
	exchange_end(&c->x);
	if (why != NULL)
		log_msg(c->x.why_warn ? LOG_WARN : LOG_DEBUG, "closing %s: "
		    "%s%s", c->who.name, c->x.why_warn ? "response cut, "
		    "not filtered: " : "", why);
	c->dead = 1;
	timer_stop(&c->timer);
	ev_io_stop(&c->cli);
	if (c->tls[CONN_CLI] != NULL) {
		/* Orderly or not (a certificate not admitted too), the
		 * client's TLS layer hears the end, if the handshake was
		 * complete. */
		tls_close_notify(c->tls[CONN_CLI]);
		tls_free(c->tls[CONN_CLI]);
		c->tls[CONN_CLI] = NULL;
	}
	free(c->who.cert);
	c->who.cert = NULL;
	if (c->x.linger)
		conn_linger(c->cli.fd);
	else
		close(c->cli.fd);
	c->cli.fd = -1;
	spipe_give(&c->upipe);
	/* exchange_end closed its stream first, as the door wants. */
	door_closed(&c->who);
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

/* ---- I/O ---- */

static int
conn_io_again(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

/*
 * A TLS upstream failed (t: its session): the exchange's 502, if nothing
 * was answered yet, says why ("tls://ADDR: handshake: ...").
 */
static void
conn_up_failed(struct conn *c, struct tls_conn *t)
{
	snprintf(c->up_why, sizeof(c->up_why), "%s: %s", conn_cfg->up_name,
	    tls_error(t));
	c->x.up_why = c->up_why;
}

/*
 * Read from side `side` into the free room of half h's buffer and report
 * it to the exchange.  Over TLS, records are read until the session waits
 * or the buffer is full.  Returns 1 when bytes or the end were reported,
 * 0 when there was nothing to read, or -1 with errno when the read failed
 * (not EAGAIN; the exchange was not told of the failure, but of any bytes
 * before it).  EPROTO: a TLS failure.
 */
static int
conn_read(struct conn *c, int side, struct exchange_half *h)
{
	struct tls_conn	*t = c->tls[side];
	size_t	 room, got = 0;
	ssize_t	 n;

	if (sbuf_reserve(&h->in) == -1) {
		errno = ENOMEM;
		return -1;
	}
	if ((room = sbuf_room(&h->in)) == 0)
		return 0;
	n = 0;
	if (t == NULL) {
		n = read(side == CONN_UP ? c->up.fd : c->cli.fd,
		    h->in.data + h->in.end, room);
		if (n == -1)
			return conn_io_again() ? 0 : -1;
		got = (size_t)n;
	} else {
		do {
			n = tls_read(t, h->in.data + h->in.end + got,
			    room - got);
			if (n > 0)
				got += (size_t)n;
		} while (n > 0 && got < room);
		c->rd_want[side] = n == TLS_AGAIN ? tls_want(t) : EV_READ;
		if (n == TLS_ERROR && side == CONN_UP)
			conn_up_failed(c, t);
	}
	if (got > 0 && h == &c->x.rq)
		c->got = 1;
	h->in.end += got;
	/* Careful: a report may drop the upstream, and its session. */
	if (got > 0)
		exchange_got(&c->x, h, got);
	if (n == 0)
		exchange_got(&c->x, h, 0);
	if (n == TLS_ERROR) {
		errno = EPROTO;
		return -1;
	}
	return got > 0 || n == 0;
}

/* A pipe costs two descriptors: take one only with descriptors to spare
 * for accepted clients' upstreams. */
static int
conn_may_take_pipe(void)
{
	return door_room() >= 2;
}

/* Read the upstream: spliced, or copied.  Returns as conn_read (-1: the
 * failure was reported as EOF, or c closed). */
static int
conn_up_read(struct conn *c)
{
	int	r;

	if (c->x.splice_ok && (spipe_pump(&c->upipe, c->up.fd, &c->x,
	    conn_may_take_pipe) || c->x.dead))
		return 1;
	if (c->upipe.len > 0)
		return 0;	/* spliced bytes go out first */
	if ((r = conn_read(c, CONN_UP, &c->x.rs)) == -1) {
		if (errno == ENOMEM) {
			conn_close(c, "out of memory");
			return -1;
		}
		/* A failed read ends the stream like EOF. */
		if (c->x.up_open)
			exchange_got(&c->x, &c->x.rs, 0);
	}
	return r;
}

/*
 * Write what half h has ready to side `side`: spliced bytes from the
 * pipe, else its head, its held (judged) body and its ready body bytes
 * with one writev (over TLS, tls_writev).  Returns the bytes written, 0
 * if none (would block), -1 on an error.
 */
static ssize_t
conn_write(struct conn *c, int side, struct exchange_half *h)
{
	struct tls_conn	*t = c->tls[side];
	struct iovec	iov[3];
	int		iovcnt = 0, fd = side == CONN_UP ? c->up.fd : c->cli.fd;
	ssize_t		n;

	if (side == CONN_CLI && !c->tls_ready)
		return 0;	/* nothing in the clear before TLS is up */
	if (h->piped > 0) {
		n = spipe_drain(&c->upipe, fd);
	} else {
		if (sbuf_len(&h->head) > 0) {
			iov[iovcnt].iov_base = h->head.data + h->head.start;
			iov[iovcnt++].iov_len = sbuf_len(&h->head);
		}
		if (h->held_end > h->held_start) {
			iov[iovcnt].iov_base = h->held + h->held_start;
			iov[iovcnt++].iov_len = h->held_end - h->held_start;
		}
		if (h->ready > 0) {
			iov[iovcnt].iov_base = h->in.data + h->in.start;
			iov[iovcnt++].iov_len = h->ready;
		}
		if (iovcnt == 0)
			n = 0;
		else if (t == NULL)
			n = writev(fd, iov, iovcnt);
		else {
			n = tls_writev(t, iov, iovcnt);
			c->wr_want[side] = n == TLS_AGAIN ? tls_want(t) :
			    EV_WRITE;
			if (n == TLS_AGAIN)
				return 0;
			if (n == TLS_ERROR) {
				if (side == CONN_UP)
					conn_up_failed(c, t);
				errno = EPROTO;
				return -1;
			}
		}
	}
	if (n > 0) {
		exchange_sent(&c->x, h, (size_t)n);
		if (h == &c->x.rs)
			c->sent = 1;
	}
	if (n == -1 && conn_io_again())
		return 0;
	return n < 0 ? -1 : n;
}

/* Why side's last I/O failed, for a log line. */
static const char *
conn_io_error(const struct conn *c, int side)
{
	if (errno == EPROTO && c->tls[side] != NULL)
		return tls_error(c->tls[side]);
	return strerror(errno);
}

/*
 * Does side hold decrypted bytes (or records) that the exchange wants
 * now?  Epoll will not report them: they must be read without waiting.
 */
static int
conn_tls_waiting(const struct conn *c, int side)
{
	const struct exchange	*x = &c->x;
	const struct exchange_half *h = side == CONN_UP ? &x->rs : &x->rq;

	if (c->tls[side] == NULL || (side == CONN_UP && !x->up_open) ||
	    tls_pending(c->tls[side]) == 0)
		return 0;
	return exchange_want_read(x, h, 0, 0) && sbuf_len(&h->in) < SBUF_SIZE;
}

/* ---- progress ---- */

/* Recompute what each side waits for, and the connection's timer. */
static void
conn_update(struct conn *c)
{
	struct exchange	*x = &c->x;
	int	 room = spipe_room(&c->upipe) > 0, held = c->upipe.rfd != -1;
	unsigned cm = 0, um = 0;
	enum exchange_wait w;

	/* Over TLS, a read may wait for writability and a write for
	 * readability: each side asks for what its last call waits for. */
	if (exchange_want_read(x, &x->rq, room, held))
		cm |= c->rd_want[CONN_CLI];
	/* Write interest also when work is left over (pipelined requests
	 * answered locally need no other event): a writable socket wakes
	 * the next pass at once, a full one waits, as it should. */
	if (exchange_pending(&x->rs) || c->more)
		cm |= c->wr_want[CONN_CLI];
	if (x->up_open) {
		if (exchange_want_read(x, &x->rs, room, held))
			um |= c->rd_want[CONN_UP];
		if (exchange_pending(&x->rq))
			um |= c->wr_want[CONN_UP];
		if (ev_io_set(&c->up, um) == -1) {
			conn_close(c, "epoll");
			return;
		}
	}
	if (ev_io_set(&c->cli, cm) == -1) {
		conn_close(c, "epoll");
		return;
	}
	w = exchange_wait(x);
	/* Body and send deadlines count inactivity: bytes moving the way
	 * they wait for start them again.  A collected body's deadline is
	 * never restarted: it bounds the whole body. */
	if ((w == EXCH_WAIT_SEND && c->sent) || (w == EXCH_WAIT_BODY && c->got))
		timer_stop(&c->timer);
	c->sent = c->got = 0;
	conn_timer(c, w);
}

/*
 * Write whatever is ready, in both directions, at once: most writes
 * complete, so write interest is only asked of epoll when one would
 * block, and a request costs no epoll_ctl.  Returns 1 if bytes moved or
 * the exchange must advance again.
 */
static int
conn_flush(struct conn *c)
{
	ssize_t	 n;
	int	 moved = 0;

	if (c->x.up_open && exchange_pending(&c->x.rq)) {
		if ((n = conn_write(c, CONN_UP, &c->x.rq)) < 0) {
			exchange_up_failed(&c->x);
			return 1;	/* the state changed: advance again */
		}
		moved |= n > 0;
	}
	if (!c->x.dead && exchange_pending(&c->x.rs)) {
		if ((n = conn_write(c, CONN_CLI, &c->x.rs)) < 0) {
			conn_close(c, conn_io_error(c, CONN_CLI));
			return 1;
		}
		moved |= n > 0;
	}
	return moved;
}

/*
 * Read what TLS sessions hold for halves that have room again (after the
 * exchange advanced or a write freed buffer space).  Returns 1 if bytes
 * (or an end, or a failure) were reported.  Only a reported change
 * counts: records not yet whole wait for epoll, like any bytes.
 */
static int
conn_tls_drain(struct conn *c)
{
	int	 moved = 0, r;

	if (conn_tls_waiting(c, CONN_CLI)) {
		if ((r = conn_read(c, CONN_CLI, &c->x.rq)) == -1) {
			conn_close(c, conn_io_error(c, CONN_CLI));
			return 1;
		}
		moved = r;
	}
	if (!c->dead && !c->x.dead && conn_tls_waiting(c, CONN_UP))
		moved |= conn_up_read(c) != 0;
	return moved;
}

/* After any event: advance, write, and again while writes free state. */
static void
conn_progress(struct conn *c)
{
	int	i, moved;

	/* A bounded share per event, so one client's pipeline cannot
	 * starve the others; what is left resumes on the next pass. */
	c->more = 1;
	for (i = 0; i < 16 && !conn_check(c); i++) {
		exchange_advance(&c->x);
		if (conn_check(c))
			break;
		moved = conn_flush(c);
		if (conn_check(c))
			break;
		if (c->tls[CONN_CLI] != NULL || c->tls[CONN_UP] != NULL)
			moved |= conn_tls_drain(c);
		if (!moved) {
			c->more = 0;
			break;
		}
	}
	if (!conn_check(c))
		conn_update(c);
}

static void
conn_cli_cb(struct ev_io *io, unsigned revents)
{
	struct conn *c = CONN_OF(io, cli);

	if (!c->tls_ready) {
		conn_cli_handshake(c);
		return;
	}
	/* Writes happen in conn_progress; EV_WRITE just means "try again".
	 * A TLS read may have waited for EV_WRITE. */
	if (((revents & EV_READ) || (c->tls[CONN_CLI] != NULL &&
	    c->rd_want[CONN_CLI] == EV_WRITE)) &&
	    exchange_want_read(&c->x, &c->x.rq, 0, 0) &&
	    conn_read(c, CONN_CLI, &c->x.rq) == -1)
		conn_close(c, conn_io_error(c, CONN_CLI));
	if (!conn_check(c))
		conn_progress(c);
}

static void
conn_up_cb(struct ev_io *io, unsigned revents)
{
	struct conn *c = CONN_OF(io, up);

	if (c->x.up_open && ((revents & EV_READ) ||
	    (c->tls[CONN_UP] != NULL && c->rd_want[CONN_UP] == EV_WRITE)))
		conn_up_read(c);
	if (!conn_check(c))
		conn_progress(c);
}

/* ---- timers and draining ---- */

int
conn_next_timeout(uint64_t now)
{
	uint64_t next = UINT64_MAX, t;
	int	 w;

	for (w = EXCH_WAIT_NONE + 1; w < EXCH_WAIT_COUNT; w++)
		if ((t = timer_next(&conn_timers[w])) < next)
			next = t;
	if ((t = timer_next(&conn_linger_timers)) < next)
		next = t;
	if ((t = door_next_deadline()) < next)
		next = t;
	for (w = 0; w < CONN_RL_N; w++)
		if ((t = ratelim_due(&conn_rl[w])) < next)
			next = t;
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

void
conn_expire(uint64_t now)
{
	struct timer *t;
	struct conn *c;
	unsigned long n;
	int	 w;

	for (w = EXCH_WAIT_NONE + 1; w < EXCH_WAIT_COUNT; w++) {
		while ((t = timer_due(&conn_timers[w], now)) != NULL) {
			c = CONN_OF(t, timer);
			if (!c->tls_ready) {
				/* Still in the TLS handshake: nothing in the
				 * clear, not even a 408. */
				conn_info(CONN_RL_HANDSHAKE, "TLS handshake "
				    "with %s on %s failed: %s", c->who.name,
				    c->lst->name, conn_timeout_why[w]);
				conn_close(c, NULL);
				continue;
			}
			/* Slow header or body: one best-effort 408, then
			 * cut.  A client that reads nothing gets nothing
			 * more. */
			exchange_timeout(&c->x, w);
			if (w != EXCH_WAIT_SEND)
				(void)conn_write(c, CONN_CLI, &c->x.rs);
			conn_close(c, conn_timeout_why[w]);
		}
	}
	while ((t = timer_due(&conn_linger_timers, now)) != NULL)
		conn_linger_end(LINGER_OF(t, timer));
	for (w = 0; w < CONN_RL_N; w++)
		if ((n = ratelim_flush(&conn_rl[w], now)) > 0)
			log_msg(LOG_INFO, "%lu more %s not logged", n,
			    conn_rl_what[w]);
	door_expire(now);
}

size_t
conn_drain(void)
{
	struct conn *c, *next;

	conn_draining = 1;
	door_close();
	while (conn_lingering != NULL)
		conn_linger_end(conn_lingering);
	for (c = conn_list; c != NULL; c = next) {
		next = c->next;
		c->x.keep_alive = 0;
		c->x.draining = 1;
		if (exchange_idle(&c->x) && sbuf_len(&c->x.rq.in) == 0)
			conn_close(c, "draining");
	}
	return conn_n;
}

size_t
conn_revalidate(void)
{
	struct conn *c, *next;
	char	 who[80];
	size_t	 n = 0;

	for (c = conn_list; c != NULL; c = next) {
		next = c->next;
		/* A TLS client still in its handshake is judged when it
		 * ends, by the policy then in force. */
		if (c->x.revoked != NULL || !c->tls_ready ||
		    door_admitted(c->lst, &c->who))
			continue;
		n++;
		door_who(c->lst, &c->who, who, sizeof(who));
		snprintf(c->revoked, sizeof(c->revoked), "sockward: client %s "
		    "is no longer admitted on listener %s", who,
		    c->lst->pol->name);
		c->x.revoked = c->revoked;
		log_msg(LOG_INFO, "reload: %s (%s) no longer admitted on "
		    "listener %s%s", c->who.name, who, c->lst->pol->name,
		    c->x.streaming || c->x.rs.phase == EXCH_HIJACK ?
		    ": its stream is closed" : "");
		if (c->x.streaming || c->x.rs.phase == EXCH_HIJACK)
			conn_close(c, "no longer admitted");
		else
			conn_progress(c);
	}
	return n;
}

void
conn_walk(void (*fn)(void *arg, const struct listener *l,
    const struct exchange *x), void *arg)
{
	const struct conn *c;

	for (c = conn_list; c != NULL; c = c->next)
		fn(arg, c->lst, &c->x);
}
