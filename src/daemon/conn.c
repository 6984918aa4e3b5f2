/*
 * conn.c - client connections: the transport under the exchange.
 *
 * Accepting (with a descriptor reserve, so accept pauses instead of
 * failing), the client and upstream descriptors, their epoll interest,
 * the read/writev/splice calls, half-close, timeouts and the one teardown
 * path.  What the bytes mean is core/exchange.c's business: conn reads
 * into an exchange half's buffer, lets the exchange advance, and writes
 * what a half has ready.  Reads stop while the destination buffer is
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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admit.h"
#include "climit.h"
#include "config.h"
#include "conn.h"
#include "ev.h"
#include "exchange.h"
#include "log.h"
#include "ratelim.h"
#include "sbuf.h"
#include "spipe.h"
#include "timer.h"

#define CONN_ACCEPT_BATCH   64
#define CONN_ACCEPT_RETRY   250	/* ms before retrying accept after EMFILE */

/* Why a connection ends when its deadline of each kind passes (the kinds
 * are the exchange's waits; conn_setup gives each its milliseconds). */
static const char *const conn_timeout_why[EXCH_WAIT_COUNT] = {
	[EXCH_WAIT_HEADER] = "header timeout",
	[EXCH_WAIT_IDLE] = "idle timeout",
	[EXCH_WAIT_BODY] = "body timeout",
	[EXCH_WAIT_SEND] = "send timeout",
};

/* Warnings a client can cause once per connection, each limited to one
 * line a second (a flood must not flood the log). */
enum conn_warn_kind { CONN_WARN_ADMIT, CONN_WARN_CONNS, CONN_WARN_STREAMS,
	CONN_WARN_N };
static const char *const conn_warn_what[CONN_WARN_N] = {
	"refusals of clients not admitted",
	"connections refused over a cap",
	"streams refused over a cap",
};

struct conn {
	struct ev_io	 cli;
	struct ev_io	 up;		/* fd -1 while x.up_open is 0 */
	struct conn	*next, *prev;	/* all open connections */
	struct timer	 timer;		/* on at most one timeout list */
	int		 dead;		/* torn down, waiting for conn_reap */
	int		 more;		/* conn_progress stopped with work left */
	struct listener	*lst;		/* where it came in: whose policy */
	char		 peer[64];
	struct sockaddr_storage ss;	/* TCP peer address */
	struct ucred	 cred;		/* unix peer, when cred_ok */
	int		 cred_ok;
	struct climit_key key;		/* counted in conn_climit */
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
static struct listener	*conn_listeners[LISTEN_MAX];
static size_t		 conn_nlisteners;
static int		 conn_accept_paused;
static uint64_t		 conn_accept_resume;
static int		 conn_draining;
static struct climit	 conn_climit;
static struct ratelim	 conn_warn_rl[CONN_WARN_N];

static void	conn_cli_cb(struct ev_io *, unsigned);
static void	conn_up_cb(struct ev_io *, unsigned);
static void	conn_progress(struct conn *);
static void	conn_close(struct conn *, const char *);
static const struct exchange_io conn_x_io;

#define CONN_OF(ptr, member) \
	((struct conn *)(void *)((char *)(ptr) - offsetof(struct conn, member)))

void
conn_setup(const struct conn_config *cfg)
{
	int	i;

	conn_cfg = cfg;
	conn_timers[EXCH_WAIT_HEADER].ms = (uint64_t)cfg->header_timeout_ms;
	conn_timers[EXCH_WAIT_IDLE].ms = (uint64_t)cfg->idle_timeout_ms;
	conn_timers[EXCH_WAIT_BODY].ms = (uint64_t)cfg->body_timeout_ms;
	conn_timers[EXCH_WAIT_SEND].ms = (uint64_t)cfg->send_timeout_ms;
	climit_init(&conn_climit, &cfg->limits);
	for (i = 0; i < CONN_WARN_N; i++)
		ratelim_init(&conn_warn_rl[i], 1000);
}

void
conn_set_limits(const struct climit_limits *lim)
{
	climit_set_limits(&conn_climit, lim);
}

/*
 * A warning of kind k: logged if the kind had no line this second, with
 * how many were held back before it; else only counted (conn_expire
 * reports the count when the second is over).
 */
static void __attribute__((format(printf, 2, 3)))
conn_warn(enum conn_warn_kind k, const char *fmt, ...)
{
	va_list	 ap;
	char	 line[600];
	unsigned long sup;

	if (!ratelim_pass(&conn_warn_rl[k], ev_now_ms(), &sup))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (sup > 0)
		log_msg(LOG_WARN, "%s (%lu more %s suppressed)", line, sup,
		    conn_warn_what[k]);
	else
		log_msg(LOG_WARN, "%s", line);
}

size_t
conn_count(void)
{
	return conn_n;
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

/* Name the peer at ss for the logs: "ADDR:PORT", "[ADDR6]:PORT" or "unix". */
static void
conn_peer_name(char *dst, size_t len, const struct sockaddr_storage *ss,
    int is_unix)
{
	char	addr[INET6_ADDRSTRLEN];

	if (is_unix) {
		snprintf(dst, len, "unix");
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;
		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
		snprintf(dst, len, "%s:%u", addr, ntohs(sin->sin_port));
	} else {
		const struct sockaddr_in6 *sin6 = (const void *)ss;
		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
		snprintf(dst, len, "[%s]:%u", addr, ntohs(sin6->sin6_port));
	}
}

/*
 * Is the peer admitted by listener l's policy as it is now?  TCP peers by
 * source network (ss), unix peers by their credentials (cred, cred_ok 0
 * when they could not be read: refused wherever credentials count).
 */
static int
conn_admitted(const struct listener *l, const struct sockaddr_storage *ss,
    const struct ucred *cred, int cred_ok)
{
	const struct admit *a = &l->pol->admit;

	if (l->is_unix) {
		if (a->nuids == 0 && a->ngids == 0)
			return 1;
		return cred_ok && admit_unix(a, cred->uid, cred->gid);
	}
	if (a->nnets == 0)
		return 1;
	if (ss->ss_family == AF_INET)
		return admit_tcp(a, 4, (const uint8_t *)
		    &((const struct sockaddr_in *)(const void *)ss)->sin_addr);
	return admit_tcp(a, 6, (const uint8_t *)
	    &((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr);
}

/* Who the peer is for a log line: "unix peer uid U gid G" or the
 * address.  Only refusals need it. */
static void
conn_who(const struct listener *l, const struct sockaddr_storage *ss,
    const struct ucred *cred, int cred_ok, char *who, size_t wholen)
{
	if (!l->is_unix)
		conn_peer_name(who, wholen, ss, 0);
	else if (cred_ok)
		snprintf(who, wholen, "unix peer uid %u gid %u",
		    (unsigned)cred->uid, (unsigned)cred->gid);
	else
		snprintf(who, wholen, "unix peer (credentials unknown)");
}

/* The peer's climit key: its address (IPv6 by /64), a unix peer by uid. */
static void
conn_key(const struct listener *l, const struct sockaddr_storage *ss,
    const struct ucred *cred, int cred_ok, struct climit_key *key)
{
	if (l->is_unix) {
		/* Unknown credentials share one key: never a way around
		 * the cap. */
		*key = climit_key_uid(cred_ok ? cred->uid : UINT32_MAX);
		return;
	}
	if (ss->ss_family == AF_INET)
		*key = climit_key_ipv4((const uint8_t *)
		    &((const struct sockaddr_in *)(const void *)ss)->sin_addr);
	else
		*key = climit_key_ipv6((const uint8_t *)
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
	conn_warn(CONN_WARN_ADMIT, "refused client %s on listener %s (%s): "
	    "not admitted", who, l->pol->name, l->name);
	close(fd);
}

static void
conn_accept_cb(struct ev_io *io, unsigned revents)
{
	struct listener	*l = (struct listener *)(void *)io;
	struct sockaddr_storage ss;
	socklen_t	 sslen;
	struct conn	*c;
	struct ucred	 cred;
	socklen_t	 crlen;
	struct climit_key key;
	enum climit_verdict v;
	char		 who[80], kbuf[64];
	size_t		 room = conn_accept_room();
	int		 fd, i, one = 1, cred_ok;

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
		cred_ok = 0;
		memset(&cred, 0, sizeof(cred));
		crlen = sizeof(cred);
		if (l->is_unix && getsockopt(fd, SOL_SOCKET, SO_PEERCRED,
		    &cred, &crlen) == 0)
			cred_ok = 1;
		if (!conn_admitted(l, &ss, &cred, cred_ok)) {
			conn_who(l, &ss, &cred, cred_ok, who, sizeof(who));
			conn_refuse(l, fd, who);
			room++;		/* its descriptor is free again */
			continue;
		}
		conn_key(l, &ss, &cred, cred_ok, &key);
		if ((v = climit_conn_open(&conn_climit, &key)) != CLIMIT_OK) {
			/* Over its cap: closed at once, nothing read. */
			close(fd);
			if (v == CLIMIT_NOMEM) {
				conn_accept_pause(1);
				return;
			}
			conn_warn(CONN_WARN_CONNS, "refused a connection of "
			    "client %s on listener %s: it holds %u "
			    "connections (client-conns)",
			    climit_key_str(&key, kbuf, sizeof(kbuf)),
			    l->pol->name, conn_climit.lim.conns);
			/* Its descriptor is free again: a client at its
			 * cap must not pause accept for the others. */
			room++;
			continue;
		}
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			climit_conn_close(&conn_climit, &key);
			close(fd);
			conn_accept_pause(1);
			return;
		}
		c->ss = ss;
		c->cred = cred;
		c->cred_ok = cred_ok;
		c->key = key;
		if (!l->is_unix)
			(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY,
			    &one, sizeof(one));
		ev_io_init(&c->cli, fd, conn_cli_cb);
		ev_io_init(&c->up, -1, conn_up_cb);
		spipe_init(&c->upipe);
		exchange_init(&c->x);
		c->x.io = &conn_x_io;
		c->x.arg = c;
		c->x.pol = &l->pol;
		c->x.learn = &l->learn;
		/* Splicing into a TCP socket measured slower than copying
		 * (make bench); into a unix socket it is faster. */
		c->x.splice_ok = l->is_unix;
		conn_peer_name(c->peer, sizeof(c->peer), &ss, l->is_unix);
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

/* ---- what the exchange asks of the transport ---- */

static int
conn_x_up_open(void *arg, char *err, size_t errlen)
{
	struct conn	*c = arg;
	struct sockaddr_un sun;
	size_t	 plen = strlen(conn_cfg->upstream);
	int	 fd, saved;

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
	snprintf(err, errlen, "%s: %s", conn_cfg->upstream, strerror(errno));
	return -1;
}

static void
conn_x_up_close(void *arg)
{
	struct conn *c = arg;

	ev_io_stop(&c->up);
	close(c->up.fd);
	c->up.fd = -1;
	conn_nup--;
}

static void
conn_x_shut(void *arg, int to_up)
{
	struct conn *c = arg;

	(void)shutdown(to_up ? c->up.fd : c->cli.fd, SHUT_WR);
}

static void
conn_x_forwarding(void *arg, const struct exchange *x)
{
	struct conn *c = arg;

	log_msg(LOG_DEBUG, "%s: forwarding %.*s", c->peer,
	    (int)(sbuf_len(&x->rq.head) - 4), x->rq.head.data);
}

static void
conn_x_record(void *arg, const struct exchange *x)
{
	struct conn *c = arg;

	log_exchange(&x->rec, c->peer, c->lst->pol->name,
	    (double)(ev_now_us() - x->rec.t_start) / 1000.0);
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
 * global one? */
static int
conn_x_stream_open(void *arg, char *msg, size_t msglen)
{
	struct conn *c = arg;
	enum climit_verdict v;
	char	 kbuf[64];

	if ((v = climit_stream_open(&conn_climit, &c->key)) == CLIMIT_OK)
		return 0;
	climit_key_str(&c->key, kbuf, sizeof(kbuf));
	if (v == CLIMIT_CLIENT_FULL)
		snprintf(msg, msglen, "sockward: client %s has %u streams "
		    "open, the most allowed (client-streams)", kbuf,
		    conn_climit.lim.streams);
	else
		snprintf(msg, msglen, "sockward: %lu streams are open, the "
		    "most allowed (streams)", conn_climit.streams_total);
	conn_warn(CONN_WARN_STREAMS, "refused a stream of client %s on "
	    "listener %s: %s", kbuf, c->lst->pol->name,
	    v == CLIMIT_CLIENT_FULL ? "client-streams reached" :
	    "streams reached");
	return -1;
}

static void
conn_x_stream_close(void *arg)
{
	struct conn *c = arg;

	climit_stream_close(&conn_climit, &c->key);
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
		log_msg(LOG_DEBUG, "closing %s: %s", c->peer, why);
	c->dead = 1;
	timer_stop(&c->timer);
	ev_io_stop(&c->cli);
	close(c->cli.fd);
	c->cli.fd = -1;
	spipe_give(&c->upipe);
	/* exchange_end closed its stream first, as climit wants. */
	climit_conn_close(&conn_climit, &c->key);
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

/* ---- I/O ---- */

static int
conn_io_again(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

/*
 * Read from fd into the free room of half h's buffer and report it to the
 * exchange.  Returns 0, or -1 with errno when the read failed (not EAGAIN;
 * the exchange was not told).
 */
static int
conn_read(struct conn *c, int fd, struct exchange_half *h)
{
	size_t	room;
	ssize_t	n;

	if (sbuf_reserve(&h->in) == -1) {
		errno = ENOMEM;
		return -1;
	}
	if ((room = sbuf_room(&h->in)) == 0)
		return 0;
	n = read(fd, h->in.data + h->in.end, room);
	if (n == -1)
		return conn_io_again() ? 0 : -1;
	if (n > 0 && h == &c->x.rq)
		c->got = 1;
	h->in.end += (size_t)n;
	exchange_got(&c->x, h, (size_t)n);
	return 0;
}

/* A pipe costs two descriptors: take one only with descriptors to spare
 * for accepted clients' upstreams. */
static int
conn_may_take_pipe(void)
{
	return conn_accept_room() >= 2;
}

static void
conn_up_read(struct conn *c)
{
	if (c->x.splice_ok && (spipe_pump(&c->upipe, c->up.fd, &c->x,
	    conn_may_take_pipe) || c->x.dead))
		return;
	if (c->upipe.len > 0)
		return;		/* spliced bytes go out first */
	if (conn_read(c, c->up.fd, &c->x.rs) == -1) {
		if (errno == ENOMEM) {
			conn_close(c, "out of memory");
			return;
		}
		/* A failed read ends the stream like EOF. */
		exchange_got(&c->x, &c->x.rs, 0);
	}
}

/*
 * Write what half h has ready to fd: spliced bytes from the pipe, else its
 * head then its ready body bytes with one writev.  Returns the bytes
 * written, 0 if none (would block), -1 on an error.
 */
static ssize_t
conn_write(struct conn *c, int fd, struct exchange_half *h)
{
	struct iovec	iov[2];
	int		iovcnt = 0;
	ssize_t		n;

	if (h->piped > 0) {
		n = spipe_drain(&c->upipe, fd);
	} else {
		if (sbuf_len(&h->head) > 0) {
			iov[iovcnt].iov_base = h->head.data + h->head.start;
			iov[iovcnt++].iov_len = sbuf_len(&h->head);
		}
		if (h->ready > 0) {
			iov[iovcnt].iov_base = h->in.data + h->in.start;
			iov[iovcnt++].iov_len = h->ready;
		}
		n = iovcnt > 0 ? writev(fd, iov, iovcnt) : 0;
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

/* ---- progress ---- */

/* Recompute what each side waits for, and the connection's timer. */
static void
conn_update(struct conn *c)
{
	struct exchange	*x = &c->x;
	int	 room = spipe_room(&c->upipe) > 0, held = c->upipe.rfd != -1;
	unsigned cm = 0, um = 0;
	enum exchange_wait w;

	if (exchange_want_read(x, &x->rq, room, held))
		cm |= EV_READ;
	/* Write interest also when work is left over (pipelined requests
	 * answered locally need no other event): a writable socket wakes
	 * the next pass at once, a full one waits, as it should. */
	if (exchange_pending(&x->rs) || c->more)
		cm |= EV_WRITE;
	if (x->up_open) {
		if (exchange_want_read(x, &x->rs, room, held))
			um |= EV_READ;
		if (exchange_pending(&x->rq))
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
	w = exchange_wait(x);
	/* Body and send deadlines count inactivity: bytes moving the way
	 * they wait for start them again. */
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
		if ((n = conn_write(c, c->up.fd, &c->x.rq)) < 0) {
			exchange_up_failed(&c->x);
			return 1;	/* the state changed: advance again */
		}
		moved |= n > 0;
	}
	if (!c->x.dead && exchange_pending(&c->x.rs)) {
		if ((n = conn_write(c, c->cli.fd, &c->x.rs)) < 0) {
			conn_close(c, strerror(errno));
			return 1;
		}
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
	for (i = 0; i < 16 && !conn_check(c); i++) {
		exchange_advance(&c->x);
		if (conn_check(c) || !conn_flush(c)) {
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

	/* Writes happen in conn_progress; EV_WRITE just means "try again". */
	if ((revents & EV_READ) && conn_read(c, c->cli.fd, &c->x.rq) == -1)
		conn_close(c, strerror(errno));
	if (!conn_check(c))
		conn_progress(c);
}

static void
conn_up_cb(struct ev_io *io, unsigned revents)
{
	struct conn *c = CONN_OF(io, up);

	if (c->x.up_open && (revents & EV_READ))
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
	for (w = 0; w < CONN_WARN_N; w++)
		if ((t = ratelim_due(&conn_warn_rl[w])) < next)
			next = t;
	if (conn_accept_paused && !conn_draining && conn_accept_resume < next)
		next = conn_accept_resume;
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

void
conn_expire(uint64_t now)
{
	struct timer *t;
	struct conn *c;
	unsigned long sup;
	int	 w;

	for (w = EXCH_WAIT_NONE + 1; w < EXCH_WAIT_COUNT; w++) {
		while ((t = timer_due(&conn_timers[w], now)) != NULL) {
			c = CONN_OF(t, timer);
			/* Slow header or body: one best-effort 408, then
			 * cut.  A client that reads nothing gets nothing
			 * more. */
			exchange_timeout(&c->x, w);
			if (w != EXCH_WAIT_SEND)
				(void)conn_write(c, c->cli.fd, &c->x.rs);
			conn_close(c, conn_timeout_why[w]);
		}
	}
	for (w = 0; w < CONN_WARN_N; w++)
		if ((sup = ratelim_flush(&conn_warn_rl[w], now)) > 0)
			log_msg(LOG_WARN, "%lu more %s suppressed", sup,
			    conn_warn_what[w]);
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
		if (c->x.revoked != NULL ||
		    conn_admitted(c->lst, &c->ss, &c->cred, c->cred_ok))
			continue;
		n++;
		conn_who(c->lst, &c->ss, &c->cred, c->cred_ok, who,
		    sizeof(who));
		snprintf(c->revoked, sizeof(c->revoked), "sockward: client %s "
		    "is no longer admitted on listener %s", who,
		    c->lst->pol->name);
		c->x.revoked = c->revoked;
		log_msg(LOG_INFO, "reload: %s (%s) no longer admitted on "
		    "listener %s%s", c->peer, who, c->lst->pol->name,
		    c->x.streaming || c->x.rs.phase == EXCH_HIJACK ?
		    ": its stream is closed" : "");
		if (c->x.streaming || c->x.rs.phase == EXCH_HIJACK)
			conn_close(c, "no longer admitted");
		else
			conn_progress(c);
	}
	return n;
}
