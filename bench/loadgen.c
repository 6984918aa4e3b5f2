/*
 * loadgen - the benchmarks' HTTP/1.1 load generator.
 *
 * One thread, epoll, keep-alive, TCP or unix sockets.  Modes:
 *
 *   rps     N connections, one request in flight on each; for a fixed
 *           duration (or a total request count).  Reports requests per
 *           second, latency percentiles (sorted samples) and response-body
 *           throughput (for the big streamed response).  With --body FILE
 *           every request carries FILE's bytes with a Content-Length and
 *           a Content-Type (--content-type, default application/json);
 *           a request's latency runs from its first byte written to the
 *           last byte of its response read.
 *   events  open N GET /events streams, wait for every head, then push K
 *           events (SIGUSR1 to --trigger-pid) and measure each one's
 *           delivery latency against its "timeNano" (CLOCK_REALTIME).
 *   hijack  POST an attach-like endpoint, expect 101, then pump bytes
 *           through the echoing upstream and report MB/s.
 *   idle    open N connections one after the other, one request on each
 *           (so that each is known to be admitted), then hold them all
 *           and read --rss-pid's VmRSS before and with them open.
 *
 * --new-conn (rps): every request on a new connection, closed by the
 * loadgen once the response is read; the latency then runs from the
 * connect to the end of the response, TLS handshake included.
 *
 * tls://HOST:PORT: TCP with TLS 1.3 (wolfSSL, non-blocking handshakes
 * driven by the same epoll loop in rps mode).  The server's certificate
 * is verified against --tls-ca and must name --tls-name (default
 * localhost); --tls-cert and --tls-key give a client certificate.  No
 * session is resumed: every connection is a full handshake.
 *
 * Output: one line of key=value pairs on stdout.
 *
 * usage: loadgen --connect tcp://HOST:PORT|tls://HOST:PORT|unix:///PATH
 *        [--mode M] [--path P]... [--method M] [-c N] [--duration S]
 *        [--warmup S] [--requests N] [--new-conn 1]
 *        [--body FILE [--content-type T]]
 *        [--events K] [--interval-ms MS] [--trigger-pid PID] [--rss-pid PID]
 *        [--tls-ca PEM] [--tls-cert PEM --tls-key PEM] [--tls-name NAME]
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#define MAXPATHS 16
#define RBUF     (256 * 1024)
#define HEADMAX  1024
#define BODYMAX  (16 * 1024 * 1024)

static const char *opt_connect;
static const char *opt_mode = "rps";
static const char *opt_paths[MAXPATHS];
static int	 opt_npaths;
static const char *opt_method = "GET";
static int	 opt_conns = 1;
static double	 opt_duration = 2.0, opt_warmup = 0.2;
static long	 opt_requests;
static int	 opt_events = 20, opt_interval_ms = 50;
static pid_t	 opt_trigger, opt_rss;
static const char *opt_body_file;
static const char *opt_ctype = "application/json";
static int	 opt_newconn;
static int	 opt_tls;	/* tls:// */
static const char *opt_tls_ca, *opt_tls_cert, *opt_tls_key;
static const char *opt_tls_name = "localhost";

static WOLFSSL_CTX *tls_ctx;
static int	 tls_reported;	/* the first TLS failure went to stderr */
static char	 tls_what[128];	/* the first session's version, suite, group */

static char	*reqbody;	/* --body FILE's bytes, or NULL */
static size_t	 reqbodylen;

static struct sockaddr_storage addr;
static socklen_t addrlen;
static int	 epfd;
static char	 rbuf[RBUF];

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t
real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
die(const char *fmt, const char *arg)
{
	fprintf(stderr, "loadgen: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

static void
parse_addr(const char *s)
{
	memset(&addr, 0, sizeof(addr));
	if (strncmp(s, "unix://", 7) == 0) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&addr;

		if (strlen(s + 7) >= sizeof(sun->sun_path))
			die("path too long: %s", s);
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, s + 7);
		addrlen = sizeof(*sun);
	} else if (strncmp(s, "tcp://", 6) == 0 ||
	    strncmp(s, "tls://", 6) == 0) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&addr;
		char	 host[64];
		const char *colon = strrchr(s + 6, ':');

		if (colon == NULL || (size_t)(colon - s - 6) >= sizeof(host))
			die("bad address: %s", s);
		memcpy(host, s + 6, (size_t)(colon - s - 6));
		host[colon - s - 6] = '\0';
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)atoi(colon + 1));
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			die("bad IPv4 host: %s", s);
		addrlen = sizeof(*sin);
		opt_tls = strncmp(s, "tls://", 6) == 0;
	} else
		die("address must be tcp://, tls:// or unix://: %s", s);
}

static int
dial(void)
{
	int	 fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int	 one = 1;

	if (fd == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, addrlen) == -1) {
		close(fd);
		return -1;
	}
	if (addr.ss_family == AF_INET)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static long
rss_kb(pid_t pid, const char *key)
{
	char	 p[64], line[256];
	FILE	*f;
	long	 v = -1;
	size_t	 kl = strlen(key);

	snprintf(p, sizeof(p), "/proc/%d/status", (int)pid);
	if ((f = fopen(p, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			v = atol(line + kl + 1);
			break;
		}
	fclose(f);
	return v;
}

/* ---- TLS ---- */

static void
tls_setup(void)
{
	WOLFSSL_METHOD *m;

	if (wolfSSL_Init() != WOLFSSL_SUCCESS)
		die("%s", "wolfSSL_Init failed");
	if ((m = wolfTLSv1_3_client_method()) == NULL ||
	    (tls_ctx = wolfSSL_CTX_new(m)) == NULL)
		die("%s", "wolfSSL_CTX_new failed");
	if (opt_tls_ca == NULL)
		die("%s", "tls:// needs --tls-ca");
	if (wolfSSL_CTX_load_verify_locations(tls_ctx, opt_tls_ca, NULL) !=
	    WOLFSSL_SUCCESS)
		die("cannot load the CA bundle %s", opt_tls_ca);
	wolfSSL_CTX_set_verify(tls_ctx, WOLFSSL_VERIFY_PEER, NULL);
	if ((opt_tls_cert == NULL) != (opt_tls_key == NULL))
		die("%s", "--tls-cert and --tls-key go together");
	if (opt_tls_cert != NULL &&
	    (wolfSSL_CTX_use_certificate_chain_file(tls_ctx, opt_tls_cert) !=
	    WOLFSSL_SUCCESS || wolfSSL_CTX_use_PrivateKey_file(tls_ctx,
	    opt_tls_key, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS))
		die("cannot load the client certificate or key %s", opt_tls_cert);
}

/* The first TLS failure, on stderr (the rest are counted as errors). */
static void
tls_report(const char *what, WOLFSSL *ssl, int ret)
{
	char	 buf[WOLFSSL_MAX_ERROR_SZ];
	int	 e = wolfSSL_get_error(ssl, ret);

	if (tls_reported++)
		return;
	fprintf(stderr, "loadgen: TLS %s: %s (%d)\n", what,
	    wolfSSL_ERR_error_string((unsigned long)e, buf), e);
}

/* Remember what the first complete handshake negotiated. */
static void
tls_note(WOLFSSL *ssl)
{
	const char *g;

	if (tls_what[0] != '\0')
		return;
	g = wolfSSL_get_curve_name(ssl);
	snprintf(tls_what, sizeof(tls_what), " tls_version=%s tls_suite=%s "
	    "tls_group=%s", wolfSSL_get_version(ssl),
	    wolfSSL_get_cipher_name(ssl), g ? g : "none");
}

/* A TLS session on connected socket fd, server name checked. */
static WOLFSSL *
tls_session(int fd)
{
	WOLFSSL	*ssl = wolfSSL_new(tls_ctx);

	if (ssl == NULL)
		die("%s", "wolfSSL_new failed");
	if (wolfSSL_set_fd(ssl, fd) != WOLFSSL_SUCCESS ||
	    wolfSSL_check_domain_name(ssl, opt_tls_name) != WOLFSSL_SUCCESS ||
	    wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, opt_tls_name,
	    (unsigned short)strlen(opt_tls_name)) != WOLFSSL_SUCCESS)
		die("%s", "TLS session set-up failed");
	return ssl;
}

/* read(2) or wolfSSL_read: bytes, 0 at EOF, -1 with errno (EAGAIN when
 * the session waits for the socket). */
static ssize_t
io_read(int fd, WOLFSSL *ssl, void *buf, size_t n)
{
	int	 r, e;

	if (ssl == NULL)
		return read(fd, buf, n);
	r = wolfSSL_read(ssl, buf, n > INT_MAX ? INT_MAX : (int)n);
	if (r > 0)
		return r;
	e = wolfSSL_get_error(ssl, r);
	if (e == WOLFSSL_ERROR_WANT_READ || e == WOLFSSL_ERROR_WANT_WRITE) {
		errno = EAGAIN;
		return -1;
	}
	if (e == WOLFSSL_ERROR_ZERO_RETURN)
		return 0;
	tls_report("read", ssl, r);
	errno = EIO;
	return -1;
}

/* write(2) or wolfSSL_write (all of buf or nothing: after EAGAIN the
 * same bytes are offered again, as wolfSSL requires). */
static ssize_t
io_write(int fd, WOLFSSL *ssl, const void *buf, size_t n)
{
	int	 r, e;

	if (ssl == NULL)
		return write(fd, buf, n);
	r = wolfSSL_write(ssl, buf, n > INT_MAX ? INT_MAX : (int)n);
	if (r > 0)
		return r;
	e = wolfSSL_get_error(ssl, r);
	if (e == WOLFSSL_ERROR_WANT_READ || e == WOLFSSL_ERROR_WANT_WRITE) {
		errno = EAGAIN;
		return -1;
	}
	tls_report("write", ssl, r);
	errno = EIO;
	return -1;
}

/* Read --body FILE whole into reqbody/reqbodylen (at most BODYMAX bytes). */
static void
body_load(const char *path)
{
	struct stat st;
	size_t	 off = 0;
	int	 fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1 || fstat(fd, &st) == -1)
		die("cannot read %s", path);
	if (st.st_size > BODYMAX)
		die("body file too large: %s", path);
	reqbodylen = (size_t)st.st_size;
	if ((reqbody = malloc(reqbodylen ? reqbodylen : 1)) == NULL)
		die("%s", "out of memory");
	while (off < reqbodylen) {
		ssize_t n = read(fd, reqbody + off, reqbodylen - off);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			die("short read of %s", path);
		off += (size_t)n;
	}
	close(fd);
}

/* ---- response parser ---- */

enum { P_HEAD, P_LEN, P_CHUNKED, P_CLOSE, P_DONE };
enum { CH_SIZE, CH_EXT, CH_DATA, CH_CRLF, CH_TRAILER };

struct resp {
	int	 st;
	char	 head[8192];
	size_t	 hlen;
	int	 status;
	int	 conn_close;
	uint64_t remain;
	int	 ch;
	uint64_t chsize;
	int	 chdigits;
	size_t	 trline;
	uint64_t body;
};

static void
resp_reset(struct resp *r)
{
	r->st = P_HEAD;
	r->hlen = 0;
	r->status = 0;
	r->conn_close = 0;
	r->remain = 0;
	r->ch = CH_SIZE;
	r->chsize = 0;
	r->chdigits = 0;
	r->trline = 0;
	r->body = 0;
}

static const char *
hdr_find(const char *h, size_t hl, const char *name)
{
	size_t	 nl = strlen(name), i;

	for (i = 0; i + nl + 2 < hl; i++)
		if (h[i] == '\n' && strncasecmp(h + i + 1, name, nl) == 0 &&
		    h[i + 1 + nl] == ':')
			return h + i + 2 + nl;
	return NULL;
}

typedef void (*sink_fn)(void *arg, const char *p, size_t n);

/*
 * Feed n bytes; returns bytes consumed (stops at the end of a response),
 * or -1 on a malformed response.  head_only: stop after the head (101).
 */
static ssize_t
resp_feed(struct resp *r, const char *p, size_t n, int is_head_req,
    sink_fn sink, void *arg)
{
	size_t	 i = 0;

	while (i < n && r->st != P_DONE) {
		if (r->st == P_HEAD) {
			size_t	 k = n - i, j;
			const char *e;

			if (k > sizeof(r->head) - r->hlen)
				k = sizeof(r->head) - r->hlen;
			if (k == 0)
				return -1;
			memcpy(r->head + r->hlen, p + i, k);
			e = memmem(r->head + (r->hlen > 3 ? r->hlen - 3 : 0),
			    r->hlen + k - (r->hlen > 3 ? r->hlen - 3 : 0),
			    "\r\n\r\n", 4);
			if (e == NULL) {
				r->hlen += k;
				i += k;
				continue;
			}
			j = (size_t)(e - r->head) + 4;	/* head length */
			i += j - r->hlen;
			r->hlen = j;
			if (r->hlen < 12 || memcmp(r->head, "HTTP/1.", 7) != 0)
				return -1;
			r->status = atoi(r->head + 9);
			{
				const char *v;

				v = hdr_find(r->head, r->hlen, "Connection");
				if (v && strncasecmp(v + strspn(v, " "), "close", 5) == 0)
					r->conn_close = 1;
				if (r->head[7] == '0')
					r->conn_close = 1;
				if (r->status == 101 || r->status == 204 ||
				    r->status == 304 || is_head_req) {
					r->st = P_DONE;
				} else if ((v = hdr_find(r->head, r->hlen,
				    "Transfer-Encoding")) != NULL) {
					r->st = P_CHUNKED;
				} else if ((v = hdr_find(r->head, r->hlen,
				    "Content-Length")) != NULL) {
					r->remain = strtoull(v, NULL, 10);
					r->st = r->remain ? P_LEN : P_DONE;
				} else {
					r->st = P_CLOSE;
					r->conn_close = 1;
				}
			}
		} else if (r->st == P_LEN || r->st == P_CLOSE) {
			size_t k = n - i;

			if (r->st == P_LEN && k > r->remain)
				k = (size_t)r->remain;
			if (sink)
				sink(arg, p + i, k);
			r->body += k;
			i += k;
			if (r->st == P_LEN) {
				r->remain -= k;
				if (r->remain == 0)
					r->st = P_DONE;
			}
		} else {	/* P_CHUNKED */
			char	 c = p[i];

			switch (r->ch) {
			case CH_SIZE:
				i++;
				if (c >= '0' && c <= '9')
					r->chsize = r->chsize * 16 + (uint64_t)(c - '0');
				else if ((c | 32) >= 'a' && (c | 32) <= 'f')
					r->chsize = r->chsize * 16 + (uint64_t)((c | 32) - 'a' + 10);
				else if (c == '\r')
					;
				else if (c == '\n') {
					if (r->chsize == 0) {
						r->ch = CH_TRAILER;
						r->trline = 0;
					} else
						r->ch = CH_DATA;
				} else
					r->ch = CH_EXT;
				break;
			case CH_EXT:
				i++;
				if (c == '\n')
					r->ch = r->chsize ? CH_DATA : CH_TRAILER;
				break;
			case CH_DATA: {
				size_t k = n - i;

				if (k > r->chsize)
					k = (size_t)r->chsize;
				if (sink)
					sink(arg, p + i, k);
				r->body += k;
				i += k;
				r->chsize -= k;
				if (r->chsize == 0)
					r->ch = CH_CRLF;
				break;
			}
			case CH_CRLF:
				i++;
				if (c == '\n') {
					r->ch = CH_SIZE;
					r->chsize = 0;
				}
				break;
			case CH_TRAILER:
				i++;
				if (c == '\n') {
					if (r->trline == 0)
						r->st = P_DONE;
					r->trline = 0;
				} else if (c != '\r')
					r->trline++;
				break;
			}
		}
	}
	return (ssize_t)i;
}

/* ---- sorted samples ---- */

static uint32_t	*samples;	/* in units of 100 ns */
static size_t	 nsamples, capsamples;

static void
sample_add(uint64_t ns)
{
	uint64_t v = ns / 100;

	if (nsamples == capsamples) {
		capsamples = capsamples ? capsamples * 2 : 1 << 16;
		samples = realloc(samples, capsamples * sizeof(*samples));
		if (samples == NULL)
			die("%s", "out of memory");
	}
	samples[nsamples++] = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct(double p)
{
	size_t	 i;

	if (nsamples == 0)
		return 0;
	i = (size_t)(p / 100.0 * (double)(nsamples - 1) + 0.5);
	return samples[i] / 10.0;	/* microseconds */
}

static void
print_latency(void)
{
	qsort(samples, nsamples, sizeof(*samples), cmp_u32);
	printf(" samples=%zu p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f",
	    nsamples, pct(50), pct(90), pct(99),
	    nsamples ? samples[nsamples - 1] / 10.0 : 0.0);
}

/* ---- rps mode ---- */

struct rconn {
	int	 fd;
	WOLFSSL	*ssl;		/* tls:// */
	int	 hs;		/* TLS handshake not complete */
	uint64_t t_open;	/* connect started (--new-conn latency) */
	int	 busy;
	int	 pi;		/* path index */
	int	 is_head;
	uint64_t t_sent;
	struct resp r;
	/* The request being written: a body may not fit the socket
	 * buffer, so what is left waits for EPOLLOUT. */
	char	*req;		/* HEADMAX + reqbodylen bytes */
	size_t	 reqlen, reqoff;
};

static long	 st_count[6];	/* 1xx..5xx, other */
static long	 n_err, n_reconn;

static void
rconn_events(struct rconn *c, uint32_t events)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = c;
	epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/*
 * Write what is left of c's request; when the socket is full, wait for
 * EPOLLOUT.  Returns 0, or -1 when the connection failed.
 */
static int
rconn_flush(struct rconn *c)
{
	while (c->reqoff < c->reqlen) {
		ssize_t n = io_write(c->fd, c->ssl, c->req + c->reqoff,
		    c->reqlen - c->reqoff);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			rconn_events(c, EPOLLIN | EPOLLOUT | EPOLLRDHUP);
			return 0;
		}
		if (n <= 0)
			return -1;
		if ((c->reqoff += (size_t)n) == c->reqlen)
			rconn_events(c, EPOLLIN | EPOLLRDHUP);
	}
	return 0;
}

static int
rconn_send(struct rconn *c)
{
	const char *path = opt_paths[c->pi];
	int	 n;

	c->pi = (c->pi + 1) % opt_npaths;
	if (reqbody)
		n = snprintf(c->req, HEADMAX, "%s %s HTTP/1.1\r\n"
		    "Host: docker\r\nUser-Agent: sockward-loadgen\r\n"
		    "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
		    opt_method, path, opt_ctype, reqbodylen);
	else
		n = snprintf(c->req, HEADMAX, "%s %s HTTP/1.1\r\n"
		    "Host: docker\r\nUser-Agent: sockward-loadgen\r\n\r\n",
		    opt_method, path);
	if (n < 0 || n >= HEADMAX)
		die("%s", "request head too long");
	if (reqbodylen)
		memcpy(c->req + n, reqbody, reqbodylen);
	c->reqlen = (size_t)n + reqbodylen;
	c->reqoff = 0;
	c->is_head = strcmp(opt_method, "HEAD") == 0;
	resp_reset(&c->r);
	c->t_sent = opt_newconn ? c->t_open : now_ns();
	c->busy = 1;
	return rconn_flush(c);
}

static int
rconn_open(struct rconn *c)
{
	struct epoll_event ev;

	c->t_open = now_ns();
	c->fd = dial();
	if (c->fd == -1)
		return -1;
	if (c->req == NULL && (c->req = malloc(HEADMAX + reqbodylen)) == NULL)
		die("%s", "out of memory");
	if (opt_tls) {
		c->ssl = tls_session(c->fd);
		c->hs = 1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLRDHUP;
	ev.data.ptr = c;
	epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
	return 0;
}

/* Orderly: a close_notify first (best effort, never waited for). */
static void
rconn_close(struct rconn *c)
{
	if (c->ssl != NULL) {
		if (!c->hs)
			wolfSSL_shutdown(c->ssl);
		wolfSSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->busy = 0;
	c->hs = 0;
}

/* Advance c's TLS handshake: 1 complete, 0 waiting for the socket (the
 * events it waits for set), -1 failed. */
static int
rconn_handshake(struct rconn *c)
{
	int	 r = wolfSSL_connect(c->ssl), e;

	if (r == WOLFSSL_SUCCESS) {
		c->hs = 0;
		tls_note(c->ssl);
		return 1;
	}
	e = wolfSSL_get_error(c->ssl, r);
	if (e == WOLFSSL_ERROR_WANT_READ) {
		rconn_events(c, EPOLLIN | EPOLLRDHUP);
		return 0;
	}
	if (e == WOLFSSL_ERROR_WANT_WRITE) {
		rconn_events(c, EPOLLOUT);
		return 0;
	}
	tls_report("handshake", c->ssl, r);
	return -1;
}

/* The first request on a newly opened c, once its handshake (tls://) is
 * complete: 0 (sent or waiting), -1 failed. */
static int
rconn_start(struct rconn *c)
{
	if (c->hs) {
		int h = rconn_handshake(c);

		if (h <= 0)
			return h;
	}
	return rconn_send(c);
}

static int
mode_rps(void)
{
	struct rconn *cs = calloc((size_t)opt_conns, sizeof(*cs));
	struct epoll_event evs[512];
	uint64_t t0, ws, end, hard, t_last = 0;
	uint64_t body = 0, body_time = 0, done_total = 0, recorded = 0;
	int	 i, inflight = 0, stopping = 0;

	if (cs == NULL)
		die("%s", "out of memory");
	t0 = now_ns();
	ws = t0 + (uint64_t)(opt_warmup * 1e9);
	end = opt_requests ? UINT64_MAX : ws + (uint64_t)(opt_duration * 1e9);
	hard = end == UINT64_MAX ? UINT64_MAX : end + 30000000000ull;
	for (i = 0; i < opt_conns; i++) {
		cs[i].pi = i % opt_npaths;
		if (rconn_open(&cs[i]) == -1)
			die("connect %s failed", opt_connect);
		if (rconn_start(&cs[i]) == -1)
			die("%s", "write or TLS handshake failed");
		inflight++;
	}
	while (inflight > 0) {
		uint64_t now = now_ns();
		int	 n, to;

		if (now >= hard) {
			n_err += inflight;
			break;
		}
		if (now >= end)
			stopping = 1;
		to = stopping ? 100 : (int)((end - now) / 1000000) + 1;
		n = epoll_wait(epfd, evs, 512, to);
		for (i = 0; i < n; i++) {
			struct rconn *c = evs[i].data.ptr;
			int	 again = 1;

			if (c->fd != -1 && c->hs) {
				if (rconn_start(c) == -1) {
					n_err++;
					rconn_close(c);
					inflight--;
				}
				continue;
			}
			if ((evs[i].events & EPOLLOUT) && c->fd != -1 &&
			    c->busy && rconn_flush(c) == -1) {
				n_err++;
				rconn_close(c);
				inflight--;
				continue;
			}
			while (again && c->fd != -1) {
				ssize_t r = io_read(c->fd, c->ssl, rbuf,
				    sizeof(rbuf));
				ssize_t off = 0;

				if (r == -1 && errno == EAGAIN)
					break;
				if (r == -1 && errno == EINTR)
					continue;
				if (r <= 0 && !c->busy) {
					rconn_close(c);
					break;
				}
				if (r <= 0) {
					/* closed (or error) mid-response */
					if (c->busy && !(c->r.st == P_CLOSE)) {
						n_err++;
					} else if (c->busy) {
						c->r.st = P_DONE;
						goto complete;
					}
					rconn_close(c);
					goto next_req;
				}
				while (off < r && c->busy) {
					ssize_t k = resp_feed(&c->r, rbuf + off,
					    (size_t)(r - off), c->is_head, NULL, NULL);

					if (k < 0) {
						n_err++;
						rconn_close(c);
						goto next_req;
					}
					off += k;
					if (c->r.st != P_DONE)
						continue;
complete:
					{
						uint64_t t = now_ns();
						int s = c->r.status / 100;

						st_count[s >= 1 && s <= 5 ? s - 1 : 5]++;
						done_total++;
						if (c->t_sent >= ws && c->t_sent < end) {
							sample_add(t - c->t_sent);
							recorded++;
							body += c->r.body;
							body_time += t - c->t_sent;
						}
						t_last = t;
					}
					c->busy = 0;
					if (c->r.conn_close || opt_newconn)
						rconn_close(c);
next_req:
					inflight--;
					again = 0;
					/* A failed request counts: a refused
					 * client must not retry for ever. */
					if (opt_requests && (long)done_total +
					    n_err >= opt_requests)
						stopping = 1;
					if (stopping || now_ns() >= end) {
						stopping = 1;
						if (c->fd != -1)
							rconn_close(c);
						break;
					}
					if (c->fd == -1) {
						n_reconn++;
						if (rconn_open(c) == -1) {
							n_err++;
							break;
						}
					}
					if (rconn_start(c) == -1) {
						n_err++;
						rconn_close(c);
						break;
					}
					inflight++;
					break;
				}
			}
		}
	}
	{
		double win = opt_requests ? (t_last > t0 ?
		    (double)(t_last - t0) / 1e9 : 0.0) :
		    (double)(end - ws) / 1e9;

		if (opt_requests) {
			recorded = done_total;
		}
		printf("mode=rps conns=%d requests=%lu window_s=%.3f rps=%.1f",
		    opt_conns, (unsigned long)recorded, win,
		    win > 0 ? (double)recorded / win : 0.0);
		print_latency();
		printf(" body_bytes=%lu body_mb_s=%.1f s1xx=%ld s2xx=%ld "
		    "s3xx=%ld s4xx=%ld s5xx=%ld errors=%ld reconnects=%ld",
		    (unsigned long)body, body_time ? (double)body / 1e6 /
		    ((double)body_time / 1e9 / opt_conns) : 0.0,
		    st_count[0], st_count[1], st_count[2], st_count[3],
		    st_count[4], n_err + st_count[5], n_reconn);
		printf("%s\n", tls_what);
	}
	return 0;
}

/* ---- events mode ---- */

struct econn {
	int	 fd;
	int	 headed;
	int	 got;		/* events received */
	struct resp r;
	char	 line[4096];
	size_t	 llen;
};

static int	 ev_round;
static long	 ev_delivered, ev_bad;

static void
ev_sink(void *arg, const char *p, size_t n)
{
	struct econn *c = arg;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (p[i] != '\n') {
			if (c->llen < sizeof(c->line) - 1)
				c->line[c->llen++] = p[i];
			continue;
		}
		c->line[c->llen] = '\0';
		{
			const char *t = strstr(c->line, "\"timeNano\":");

			if (t) {
				uint64_t sent = strtoull(t + 11, NULL, 10);
				uint64_t now = real_ns();

				sample_add(now > sent ? now - sent : 0);
				c->got++;
				ev_delivered++;
			} else
				ev_bad++;
		}
		c->llen = 0;
	}
}

static void
ev_pump(struct econn *cs, int timeout_ms)
{
	struct epoll_event evs[512];
	int	 n, i;

	n = epoll_wait(epfd, evs, 512, timeout_ms);
	for (i = 0; i < n; i++) {
		struct econn *c = evs[i].data.ptr;

		for (;;) {
			ssize_t r = read(c->fd, rbuf, sizeof(rbuf)), off = 0;

			if (r == -1 && errno == EINTR)
				continue;
			if (r <= 0) {
				if (r == 0 || errno != EAGAIN) {
					epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
					close(c->fd);
					c->fd = -1;
					ev_bad++;
				}
				break;
			}
			while (off < r) {
				ssize_t k = resp_feed(&c->r, rbuf + off,
				    (size_t)(r - off), 0, ev_sink, c);

				if (k < 0 || c->r.st == P_DONE) {
					ev_bad++;
					break;
				}
				if (!c->headed && c->r.st != P_HEAD)
					c->headed = 1;
				off += k;
			}
		}
	}
	(void)cs;
}

static int
mode_events(void)
{
	struct econn *cs = calloc((size_t)opt_conns, sizeof(*cs));
	char	 req[1024];
	int	 i, n, k, headed;
	uint64_t deadline;
	long	 rss_open = -1, rss_after = -1, missing = 0;

	if (cs == NULL)
		die("%s", "out of memory");
	if (opt_trigger <= 0)
		die("%s", "events mode needs --trigger-pid");
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: docker\r\n"
	    "User-Agent: sockward-loadgen\r\n\r\n", opt_paths[0]);
	for (i = 0; i < opt_conns; i++) {
		struct epoll_event ev;

		resp_reset(&cs[i].r);
		cs[i].fd = dial();
		if (cs[i].fd == -1)
			die("connect %s failed", opt_connect);
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.ptr = &cs[i];
		epoll_ctl(epfd, EPOLL_CTL_ADD, cs[i].fd, &ev);
		if (write(cs[i].fd, req, (size_t)n) != n)
			die("%s", "write failed");
		if (i % 64 == 63)
			ev_pump(cs, 0);
	}
	deadline = now_ns() + 20000000000ull;
	for (;;) {
		for (headed = 0, i = 0; i < opt_conns; i++)
			headed += cs[i].headed && cs[i].r.status == 200;
		if (headed == opt_conns || now_ns() > deadline)
			break;
		ev_pump(cs, 50);
	}
	if (headed != opt_conns) {
		printf("mode=events conns=%d open=%d errors=1\n", opt_conns,
		    headed);
		return 1;
	}
	usleep(200000);	/* let the proxy settle before reading its RSS */
	if (opt_rss > 0)
		rss_open = rss_kb(opt_rss, "VmRSS");
	for (k = 1; k <= opt_events; k++) {
		if (kill(opt_trigger, SIGUSR1) == -1)
			die("%s", "kill(trigger) failed");
		ev_round = k;
		deadline = now_ns() + 5000000000ull;
		for (;;) {
			int	 all = 1;

			for (i = 0; i < opt_conns && all; i++)
				if (cs[i].fd != -1 && cs[i].got < k)
					all = 0;
			if (all || now_ns() > deadline)
				break;
			ev_pump(cs, 10);
		}
		/* quiet gap between pushes */
		deadline = now_ns() + (uint64_t)opt_interval_ms * 1000000ull;
		while (now_ns() < deadline)
			ev_pump(cs, opt_interval_ms);
	}
	for (i = 0; i < opt_conns; i++)
		if (cs[i].got < opt_events)
			missing += opt_events - cs[i].got;
	if (opt_rss > 0)
		rss_after = rss_kb(opt_rss, "VmRSS");
	printf("mode=events conns=%d open=%d events=%d delivered=%ld "
	    "missing=%ld", opt_conns, headed, opt_events, ev_delivered,
	    missing);
	print_latency();
	printf(" rss_open_kb=%ld rss_after_kb=%ld errors=%ld\n", rss_open,
	    rss_after, ev_bad + missing);
	return 0;
}

/* ---- hijack mode ---- */

static int
mode_hijack(void)
{
	static char wbuf[65536];
	char	 req[1024];
	struct resp r;
	int	 fd, n;
	uint64_t sent = 0, recvd = 0, t0, end, t1;
	const uint64_t window = 1u << 20;
	int	 wr_done = 0;
	ssize_t	 k;

	memset(wbuf, 'x', sizeof(wbuf));
	fd = dial();
	if (fd == -1)
		die("connect %s failed", opt_connect);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	n = snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: docker\r\n"
	    "User-Agent: sockward-loadgen\r\nContent-Type: text/plain\r\n"
	    "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n", opt_paths[0]);
	if (write(fd, req, (size_t)n) != n)
		die("%s", "write failed");
	resp_reset(&r);
	while (r.st != P_DONE) {
		ssize_t rr = read(fd, rbuf, sizeof(r.head) - r.hlen);

		if (rr <= 0)
			die("%s", "no hijack response");
		k = resp_feed(&r, rbuf, (size_t)rr, 0, NULL, NULL);
		if (k < 0 || (r.st != P_DONE && r.st != P_HEAD))
			die("%s", "hijack: unexpected response");
		if (r.st == P_DONE && k < rr)
			recvd += (uint64_t)(rr - k);	/* cannot happen: echo */
	}
	if (r.status != 101 && r.status != 200) {
		printf("mode=hijack status=%d errors=1\n", r.status);
		return 1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	t0 = now_ns();
	end = t0 + (uint64_t)(opt_duration * 1e9);
	for (;;) {
		struct epoll_event ev;
		uint64_t now = now_ns();

		if (!wr_done && now >= end) {
			shutdown(fd, SHUT_WR);
			wr_done = 1;
		}
		if (now >= end + 10000000000ull)
			break;
		if (!wr_done) {
			while (sent - recvd < window) {
				k = write(fd, wbuf, sizeof(wbuf));
				if (k <= 0)
					break;
				sent += (uint64_t)k;
			}
		}
		for (;;) {
			k = read(fd, rbuf, sizeof(rbuf));
			if (k > 0) {
				recvd += (uint64_t)k;
				continue;
			}
			break;
		}
		if (k == 0)
			break;	/* EOF: the echo is complete */
		if (k == -1 && errno != EAGAIN && errno != EINTR)
			break;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | ((!wr_done && sent - recvd < window) ?
		    EPOLLOUT : 0);
		ev.data.fd = fd;
		if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) == -1)
			epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
		epoll_wait(epfd, &ev, 1, 100);
	}
	t1 = now_ns();
	printf("mode=hijack status=%d sent=%lu echoed=%lu seconds=%.3f "
	    "mb_s=%.1f errors=%d\n", r.status, (unsigned long)sent,
	    (unsigned long)recvd, (double)(t1 - t0) / 1e9,
	    (double)recvd / 1e6 / ((double)(t1 - t0) / 1e9),
	    recvd == sent ? 0 : 1);
	close(fd);
	return recvd == sent ? 0 : 1;
}

/* ---- idle mode ---- */

/*
 * One request on a new blocking connection (handshake first on tls://),
 * its response read to the end; the connection is left open.  Returns
 * the descriptor (its session in *sslp), or -1.
 */
static int
idle_open(char *req, size_t reqlen, WOLFSSL **sslp)
{
	struct timeval tv = { 10, 0 };
	struct resp r;
	WOLFSSL	*ssl = NULL;
	int	 fd = dial();

	*sslp = NULL;
	if (fd == -1)
		return -1;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (opt_tls) {
		int	 ret;

		ssl = tls_session(fd);
		if ((ret = wolfSSL_connect(ssl)) != WOLFSSL_SUCCESS) {
			tls_report("handshake", ssl, ret);
			goto fail;
		}
		tls_note(ssl);
	}
	if (io_write(fd, ssl, req, reqlen) != (ssize_t)reqlen)
		goto fail;
	resp_reset(&r);
	while (r.st != P_DONE) {
		ssize_t n = io_read(fd, ssl, rbuf, sizeof(rbuf));

		if (n <= 0 || resp_feed(&r, rbuf, (size_t)n, 0, NULL, NULL) < 0)
			goto fail;
	}
	if (r.status / 100 != 2 || r.conn_close)
		goto fail;
	*sslp = ssl;
	return fd;
fail:
	if (ssl != NULL)
		wolfSSL_free(ssl);
	close(fd);
	return -1;
}

static int
mode_idle(void)
{
	int	*fds = calloc((size_t)opt_conns, sizeof(*fds));
	WOLFSSL	**ssls = calloc((size_t)opt_conns, sizeof(*ssls));
	char	 req[1024];
	long	 rss_before = -1, rss_open = -1;
	uint64_t t0;
	int	 i, n, open = 0, errs = 0;

	if (fds == NULL || ssls == NULL)
		die("%s", "out of memory");
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: docker\r\n"
	    "User-Agent: sockward-loadgen\r\n\r\n", opt_paths[0]);
	if (opt_rss > 0)
		rss_before = rss_kb(opt_rss, "VmRSS");
	t0 = now_ns();
	for (i = 0; i < opt_conns; i++) {
		fds[i] = idle_open(req, (size_t)n, &ssls[i]);
		if (fds[i] == -1)
			errs++;
		else
			open++;
	}
	/* let the proxy settle before reading its RSS */
	usleep(300000);
	if (opt_rss > 0)
		rss_open = rss_kb(opt_rss, "VmRSS");
	printf("mode=idle conns=%d open=%d open_s=%.3f rss_before_kb=%ld "
	    "rss_open_kb=%ld errors=%d%s\n", opt_conns, open,
	    (double)(now_ns() - t0) / 1e9 - 0.3, rss_before, rss_open, errs,
	    tls_what);
	for (i = 0; i < opt_conns; i++) {
		if (ssls[i] != NULL) {
			wolfSSL_shutdown(ssls[i]);
			wolfSSL_free(ssls[i]);
		}
		if (fds[i] != -1)
			close(fds[i]);
	}
	free(fds);
	free(ssls);
	return errs ? 1 : 0;
}

int
main(int argc, char **argv)
{
	struct rlimit rl;
	int	 i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			die("missing value for %s", a);
		i++;
		if (!strcmp(a, "--connect"))
			opt_connect = v;
		else if (!strcmp(a, "--mode"))
			opt_mode = v;
		else if (!strcmp(a, "--path")) {
			if (opt_npaths == MAXPATHS)
				die("%s", "too many --path");
			opt_paths[opt_npaths++] = v;
		} else if (!strcmp(a, "--method"))
			opt_method = v;
		else if (!strcmp(a, "-c"))
			opt_conns = atoi(v);
		else if (!strcmp(a, "--duration"))
			opt_duration = atof(v);
		else if (!strcmp(a, "--warmup"))
			opt_warmup = atof(v);
		else if (!strcmp(a, "--requests"))
			opt_requests = atol(v);
		else if (!strcmp(a, "--events"))
			opt_events = atoi(v);
		else if (!strcmp(a, "--interval-ms"))
			opt_interval_ms = atoi(v);
		else if (!strcmp(a, "--trigger-pid"))
			opt_trigger = atoi(v);
		else if (!strcmp(a, "--rss-pid"))
			opt_rss = atoi(v);
		else if (!strcmp(a, "--body"))
			opt_body_file = v;
		else if (!strcmp(a, "--content-type"))
			opt_ctype = v;
		else if (!strcmp(a, "--new-conn"))
			opt_newconn = atoi(v);
		else if (!strcmp(a, "--tls-ca"))
			opt_tls_ca = v;
		else if (!strcmp(a, "--tls-cert"))
			opt_tls_cert = v;
		else if (!strcmp(a, "--tls-key"))
			opt_tls_key = v;
		else if (!strcmp(a, "--tls-name"))
			opt_tls_name = v;
		else
			die("unknown option %s", a);
	}
	if (opt_connect == NULL)
		die("%s", "--connect is required");
	if (opt_npaths == 0)
		opt_paths[opt_npaths++] = "/_ping";
	if (opt_conns < 1)
		opt_conns = 1;
	parse_addr(opt_connect);
	if (opt_body_file != NULL) {
		if (strcmp(opt_mode, "rps") != 0)
			die("%s", "--body is for --mode rps");
		body_load(opt_body_file);
	}
	if (opt_tls) {
		if (strcmp(opt_mode, "rps") != 0 && strcmp(opt_mode, "idle") != 0)
			die("%s", "tls:// is for --mode rps and idle");
		tls_setup();
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd == -1)
		die("%s", "epoll_create1 failed");
	if (!strcmp(opt_mode, "rps"))
		return mode_rps();
	if (!strcmp(opt_mode, "events"))
		return mode_events();
	if (!strcmp(opt_mode, "hijack"))
		return mode_hijack();
	if (!strcmp(opt_mode, "idle"))
		return mode_idle();
	die("unknown mode %s", opt_mode);
	return 2;
}
