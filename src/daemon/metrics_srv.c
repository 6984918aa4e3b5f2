/*
 * metrics_srv.c - GET /metrics on its own listener (metrics_srv.h).
 *
 * A connection goes READ (its request head) -> WRITE (the whole answer,
 * head and body, with writev) -> DRAIN (our side shut down, the client's
 * remaining bytes read and dropped until it closes, so that a close with
 * unread bytes never resets the answer away) -> closed.  Slots are a
 * static array: nothing is freed inside a callback.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "ev.h"
#include "exchange.h"
#include "http_req.h"
#include "judge.h"
#include "listen.h"
#include "log.h"
#include "metrics_srv.h"
#include "timer.h"

#define MSRV_BATCH	16	/* accepts per event */
#define MSRV_RETRY_MS	250	/* accept paused by a lack of descriptors */

enum msrv_state { MSRV_FREE = 0, MSRV_READ, MSRV_WRITE, MSRV_DRAIN };

struct msrv_conn {
	struct ev_io	 io;
	struct timer	 timer;
	enum msrv_state	 state;
	size_t		 in_len;
	char		 in[METRICS_SRV_HEAD];
	char		 head[256];	/* the answer's status line, fields */
	size_t		 head_len;
	char		*body;		/* malloc'd, or NULL */
	size_t		 body_len;
	size_t		 sent;		/* of head, then body */
};

#define MSRV_OF(ptr, member) ((struct msrv_conn *)(void *)	\
	((char *)(ptr) - offsetof(struct msrv_conn, member)))

struct metrics		*metrics_reg;

static struct listener	 msrv_l;
static int		 msrv_listening;
static int		 msrv_paused;
static uint64_t		 msrv_resume;
static struct msrv_conn	 msrv_c[METRICS_SRV_CONNS];
static struct timer_list msrv_head_timers;	/* READ and DRAIN */
static struct timer_list msrv_send_timers;	/* WRITE */

static void	msrv_conn_cb(struct ev_io *, unsigned);

static void
msrv_close(struct msrv_conn *c)
{
	if (c->state == MSRV_FREE)
		return;
	ev_io_stop(&c->io);
	close(c->io.fd);
	c->io.fd = -1;
	timer_stop(&c->timer);
	free(c->body);
	c->body = NULL;
	c->state = MSRV_FREE;
	if (msrv_paused && msrv_listening) {
		/* A descriptor is free again. */
		msrv_paused = 0;
		(void)ev_io_set(&msrv_l.io, EV_READ);
	}
}

static void
msrv_accept_cb(struct ev_io *io, unsigned revents)
{
	struct msrv_conn *c;
	size_t	 k;
	int	 fd, i;

	(void)revents;
	for (i = 0; i < MSRV_BATCH; i++) {
		fd = accept4(io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* Level-triggered: retry later, not at once. */
				msrv_paused = 1;
				msrv_resume = ev_now_ms() + MSRV_RETRY_MS;
				(void)ev_io_set(io, 0);
			}
			return;
		}
		for (k = 0; k < METRICS_SRV_CONNS &&
		    msrv_c[k].state != MSRV_FREE; k++)
			;
		if (k == METRICS_SRV_CONNS) {
			/* Over the bound: nothing read, nothing held. */
			log_msg(LOG_DEBUG, "metrics: %d connections open, "
			    "closing a new one", METRICS_SRV_CONNS);
			close(fd);
			continue;
		}
		c = &msrv_c[k];
		ev_io_init(&c->io, fd, msrv_conn_cb);
		c->in_len = c->head_len = c->body_len = c->sent = 0;
		c->body = NULL;
		if (ev_io_set(&c->io, EV_READ) == -1) {
			close(fd);
			continue;
		}
		c->state = MSRV_READ;
		timer_set(&c->timer, &msrv_head_timers, ev_now_ms());
	}
}

/* The gauges are what is open now: count it before rendering. */
static void
msrv_walk(void *arg, const struct listener *l, const struct exchange *x)
{
	(void)arg;
	metrics_gauge_conn(metrics_reg, l->mx, x->streaming,
	    x->rs.phase == EXCH_HIJACK);
}

/* Queue the answer: status, a text body (or the metrics for 200), and
 * the extra fields (each ending in CRLF). */
static void
msrv_answer(struct msrv_conn *c, int status, const char *reason,
    const char *extra, const char *text, int head_only)
{
	struct metrics_text t;
	const char *type = "text/plain; charset=utf-8";
	int	 n;

	memset(&t, 0, sizeof(t));
	if (status == 200) {
		metrics_gauges_clear(metrics_reg);
		conn_walk(msrv_walk, NULL);
		metrics_gauge_upstreams(metrics_reg, conn_upstreams());
		if (metrics_render(metrics_reg, &t) == -1) {
			metrics_text_free(&t);
			log_msg(LOG_WARN, "metrics: out of memory rendering");
			msrv_answer(c, 500, "Internal Server Error", "",
			    "sockward: out of memory\n", head_only);
			return;
		}
		type = "text/plain; version=0.0.4; charset=utf-8";
		c->body = t.data;
		c->body_len = t.len;
	} else if ((c->body = strdup(text)) != NULL)
		c->body_len = strlen(text);
	n = snprintf(c->head, sizeof(c->head), "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n%s"
	    "Connection: close\r\n\r\n", status, reason, type, c->body_len,
	    extra);
	c->head_len = n > 0 && (size_t)n < sizeof(c->head) ? (size_t)n : 0;
	if (head_only) {
		free(c->body);
		c->body = NULL;
		c->body_len = 0;
	}
	c->state = MSRV_WRITE;
	timer_set(&c->timer, &msrv_send_timers, ev_now_ms());
}

/* A complete head (or a bad one) is in c->in: decide the answer. */
static void
msrv_request(struct msrv_conn *c)
{
	struct req_head	 h;
	struct req_error err;
	size_t	 plen;
	int	 r;

	r = req_parse(c->in, c->in_len, &h, &err);
	if (r == REQ_INCOMPLETE) {
		if (c->in_len == sizeof(c->in))
			msrv_answer(c, 431, judge_status_reason(431), "",
			    "sockward: request head too large\n", 0);
		return;
	}
	if (r == REQ_ERROR) {
		msrv_answer(c, err.status, judge_status_reason(err.status), "",
		    "sockward: bad request\n", 0);
		return;
	}
	for (plen = 0; plen < h.target_len && h.target[plen] != '?'; plen++)
		;
	if (plen != 8 || memcmp(h.target, "/metrics", 8) != 0)
		msrv_answer(c, 404, "Not Found", "", "sockward: only "
		    "/metrics is served here\n", h.method == REQ_M_HEAD);
	else if (h.method != REQ_M_GET && h.method != REQ_M_HEAD)
		msrv_answer(c, 405, "Method Not Allowed", "Allow: GET, "
		    "HEAD\r\n", "sockward: GET or HEAD /metrics\n", 0);
	else
		msrv_answer(c, 200, "OK", "", NULL, h.method == REQ_M_HEAD);
}

static void
msrv_read(struct msrv_conn *c)
{
	ssize_t	 n;

	n = read(c->io.fd, c->in + c->in_len, sizeof(c->in) - c->in_len);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	if (n <= 0) {
		msrv_close(c);	/* gone before asking */
		return;
	}
	c->in_len += (size_t)n;
	msrv_request(c);
}

static void
msrv_write(struct msrv_conn *c)
{
	struct iovec iov[2];
	int	 k = 0;
	ssize_t	 n;

	if (c->sent < c->head_len) {
		iov[k].iov_base = c->head + c->sent;
		iov[k++].iov_len = c->head_len - c->sent;
	}
	if (c->body_len > 0 && c->sent < c->head_len + c->body_len) {
		size_t off = c->sent > c->head_len ? c->sent - c->head_len : 0;

		iov[k].iov_base = c->body + off;
		iov[k++].iov_len = c->body_len - off;
	}
	n = k > 0 ? writev(c->io.fd, iov, k) : 0;
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	if (n == -1) {
		msrv_close(c);
		return;
	}
	c->sent += (size_t)n;
	if (c->sent < c->head_len + c->body_len)
		return;
	free(c->body);
	c->body = NULL;
	(void)shutdown(c->io.fd, SHUT_WR);
	c->state = MSRV_DRAIN;
	timer_set(&c->timer, &msrv_head_timers, ev_now_ms());
}

static void
msrv_drain(struct msrv_conn *c)
{
	char	 sink[4096];
	ssize_t	 n;

	while ((n = read(c->io.fd, sink, sizeof(sink))) > 0)
		;
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	msrv_close(c);		/* EOF or an error */
}

static void
msrv_conn_cb(struct ev_io *io, unsigned revents)
{
	struct msrv_conn *c = MSRV_OF(io, io);

	(void)revents;
	if (c->state == MSRV_READ)
		msrv_read(c);
	if (c->state == MSRV_WRITE)
		msrv_write(c);
	else if (c->state == MSRV_DRAIN && (revents & EV_READ))
		msrv_drain(c);
	if (c->state != MSRV_FREE &&
	    ev_io_set(&c->io, c->state == MSRV_WRITE ? EV_WRITE : EV_READ) ==
	    -1)
		msrv_close(c);
}

int
metrics_srv_start(const char *addr, const char *const *names, size_t n,
    int head_ms, int send_ms, char *err, size_t errlen)
{
	if ((metrics_reg = metrics_new(names, n, SOCKWARD_VERSION,
	    (int64_t)time(NULL))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (listen_open(addr, -1, &msrv_l, err, errlen) == -1)
		return -1;
	msrv_l.io.cb = msrv_accept_cb;
	if (ev_io_set(&msrv_l.io, EV_READ) == -1) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		listen_close(&msrv_l);
		return -1;
	}
	msrv_listening = 1;
	msrv_head_timers.ms = (uint64_t)head_ms;
	msrv_send_timers.ms = (uint64_t)send_ms;
	log_msg(LOG_INFO, "metrics on %s/metrics", msrv_l.name);
	return 0;
}

const char *
metrics_srv_unix_path(void)
{
	return msrv_listening && msrv_l.is_unix ? msrv_l.unix_path : NULL;
}

int
metrics_srv_timeout(uint64_t now, int timeout)
{
	uint64_t next = timer_next(&msrv_head_timers), t;

	if ((t = timer_next(&msrv_send_timers)) < next)
		next = t;
	if (msrv_paused && msrv_resume < next)
		next = msrv_resume;
	if (next == UINT64_MAX)
		return timeout;
	t = next <= now ? 0 : next - now;
	if (timeout == -1 || t < (uint64_t)timeout)
		return (int)t;
	return timeout;
}

void
metrics_srv_expire(uint64_t now)
{
	struct timer *t;

	while ((t = timer_due(&msrv_head_timers, now)) != NULL)
		msrv_close(MSRV_OF(t, timer));
	while ((t = timer_due(&msrv_send_timers, now)) != NULL)
		msrv_close(MSRV_OF(t, timer));
	if (msrv_paused && msrv_listening && msrv_resume <= now) {
		msrv_paused = 0;
		(void)ev_io_set(&msrv_l.io, EV_READ);
	}
}

void
metrics_srv_close(void)
{
	size_t	 i;

	for (i = 0; i < METRICS_SRV_CONNS; i++)
		msrv_close(&msrv_c[i]);
	if (msrv_listening)
		listen_close(&msrv_l);
	msrv_listening = 0;
}
