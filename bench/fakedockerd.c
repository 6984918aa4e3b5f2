/*
 * fakedockerd - a fast fake Docker Engine API daemon for the benchmarks.
 *
 * One thread, epoll, keep-alive, pipelining-safe, canned responses on a
 * unix socket.  It answers (any /vX.Y prefix is ignored):
 *
 *   GET|HEAD /_ping                   "OK"
 *   GET /version                      a small JSON object
 *   GET /containers/json              ~2 KB JSON (one container)
 *   GET /containers/json?all=1        ~200 KB JSON (108 containers)
 *   GET /containers/json?...limit=200 ~400 KB JSON (200 containers, the
 *                                     even ones labelled
 *                                     org.sockward.bench.visible=1: the
 *                                     filter cell's list)
 *   GET /containers/{id}/json         ~2 KB JSON
 *   POST /containers/create           201 {"Id":"...","Warnings":[]}, sent
 *                                     once the whole body (Content-Length)
 *                                     has been read, as dockerd decodes it
 *                                     before it answers
 *   GET /containers/{id}/export       100 MB, chunked (32 KiB chunks, like
 *                                     dockerd's export; ?mb=N overrides)
 *   POST /containers/{id}/attach      101 UPGRADED, then echoes every byte
 *   POST /exec/{id}/start             same as attach
 *   GET /events                       chunked stream; on SIGUSR1 one event
 *                                     goes to every open stream, carrying
 *                                     "timeNano" = CLOCK_REALTIME in ns;
 *                                     with --mixed-events two: one of an
 *                                     unlabelled container, then one of a
 *                                     container labelled
 *                                     org.sockward.bench.visible=1 (a
 *                                     filtering proxy passes only that)
 *   anything else                     404 {"message":"page not found"}
 *
 * usage: fakedockerd SOCKET_PATH [--mixed-events]
 * SIGTERM/SIGINT exit and remove the socket.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define INBUF      16384
#define HIJACK_CAP (1u << 20)	/* stop reading while this much echo waits */
#define BIG_CHUNK  32768
#define BIG_IOV    32

enum st { ST_REQ, ST_EVENTS, ST_BIG, ST_HIJACK };

struct conn {
	int		 fd;
	enum st		 st;
	char		 in[INBUF];
	size_t		 inlen;
	size_t		 skip;		/* request body bytes still to discard */
	const char	*held;		/* response sent once skip reaches 0 */
	size_t		 heldlen;
	char		*obuf;		/* dynamic output (events, echo, heads) */
	size_t		 olen, ooff, ocap;
	const char	*sptr;		/* static output after obuf */
	size_t		 slen;
	uint64_t	 big_left;	/* BIG_CHUNK frames still to send */
	int		 big_tail;	/* the last-chunk still to send */
	int		 close_after;	/* close once output is flushed */
	int		 rd_eof;
	int		 want_out;	/* EPOLLOUT registered */
	int		 want_in;
	struct conn	*enext, *eprev;	/* list of event streams */
};

static int		 epfd;
static struct conn	*streams;
static char		*r_ping, *r_version, *r_small, *r_large, *r_404;
static size_t		 l_ping, l_version, l_small, l_large, l_404;
static char		*r_200;		/* the filter cell's 200 containers */
static size_t		 l_200;
static int		 mixed_events;	/* --mixed-events */
#define VISIBLE_LABEL	"\"org.sockward.bench.visible\":\"1\","
static char		*r_created;
static size_t		 l_created;
static char		*big_frame;
static size_t		 big_frame_len;
static const char	 big_last[] = "0\r\n\r\n";
static const char	 hdrs[] =
    "Api-Version: 1.41\r\n"
    "Docker-Experimental: false\r\n"
    "Ostype: linux\r\n"
    "Server: Docker/20.10.24 (linux)\r\n";

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static char *
mkresp(const char *status, const char *ctype, const char *body, size_t blen,
    size_t *outlen)
{
	size_t	 cap = blen + 512;
	char	*r = malloc(cap);
	int	 n;

	if (r == NULL)
		die("malloc");
	n = snprintf(r, cap, "HTTP/1.1 %s\r\n%sContent-Type: %s\r\n"
	    "Content-Length: %zu\r\n\r\n", status, hdrs, ctype, blen);
	memcpy(r + n, body, blen);
	*outlen = (size_t)n + blen;
	return r;
}

/* One container object as /containers/json shows it, ~1.9 KB; label
 * (a "KEY":"VALUE", member or "") opens its Labels. */
static size_t
container_json(char *dst, size_t cap, int i, const char *label)
{
	return (size_t)snprintf(dst, cap,
	    "{\"Id\":\"%064x\",\"Names\":[\"/bench_service_%d\"],"
	    "\"Image\":\"registry.example.com/team/application-image:1.2.%d\","
	    "\"ImageID\":\"sha256:%064x\",\"Command\":\"/docker-entrypoint.sh "
	    "nginx -g 'daemon off;'\",\"Created\":%d,\"Ports\":[{\"IP\":\"0.0.0.0\","
	    "\"PrivatePort\":80,\"PublicPort\":%d,\"Type\":\"tcp\"},{\"IP\":\"::\","
	    "\"PrivatePort\":80,\"PublicPort\":%d,\"Type\":\"tcp\"}],\"Labels\":{"
	    "%s\"com.docker.compose.config-hash\":\"%064x\","
	    "\"com.docker.compose.container-number\":\"1\","
	    "\"com.docker.compose.oneoff\":\"False\","
	    "\"com.docker.compose.project\":\"bench\","
	    "\"com.docker.compose.project.config_files\":\"/srv/bench/docker-compose.yml\","
	    "\"com.docker.compose.project.working_dir\":\"/srv/bench\","
	    "\"com.docker.compose.service\":\"service_%d\","
	    "\"com.docker.compose.version\":\"2.20.2\","
	    "\"traefik.enable\":\"true\","
	    "\"traefik.http.routers.service_%d.rule\":\"Host(`service%d.example.com`)\","
	    "\"traefik.http.routers.service_%d.entrypoints\":\"websecure\","
	    "\"traefik.http.routers.service_%d.tls.certresolver\":\"letsencrypt\","
	    "\"traefik.http.services.service_%d.loadbalancer.server.port\":\"80\"},"
	    "\"State\":\"running\",\"Status\":\"Up 3 days (healthy)\","
	    "\"HostConfig\":{\"NetworkMode\":\"bench_default\"},"
	    "\"NetworkSettings\":{\"Networks\":{\"bench_default\":{\"IPAMConfig\":null,"
	    "\"Links\":null,\"Aliases\":null,\"NetworkID\":\"%064x\","
	    "\"EndpointID\":\"%064x\",\"Gateway\":\"172.18.0.1\","
	    "\"IPAddress\":\"172.18.%d.%d\",\"IPPrefixLen\":16,\"IPv6Gateway\":\"\","
	    "\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,"
	    "\"MacAddress\":\"02:42:ac:12:%02x:%02x\",\"DriverOpts\":null}}},"
	    "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv/bench/data/%d\","
	    "\"Destination\":\"/usr/share/nginx/html\",\"Mode\":\"ro\",\"RW\":false,"
	    "\"Propagation\":\"rprivate\"}]}",
	    i + 1, i, i, i + 7, 1700000000 + i, 8000 + i, 8000 + i, label,
	    i * 31 + 5, i,
	    i, i, i, i, i, i + 11, i + 13, i / 250, i % 250 + 2, i / 250,
	    i % 250 + 2, i);
}

static void
build_responses(void)
{
	static const char ver[] =
	    "{\"Platform\":{\"Name\":\"\"},\"Version\":\"20.10.24\","
	    "\"ApiVersion\":\"1.41\",\"MinAPIVersion\":\"1.12\","
	    "\"GitCommit\":\"5d6db84\",\"GoVersion\":\"go1.19.8\","
	    "\"Os\":\"linux\",\"Arch\":\"amd64\","
	    "\"KernelVersion\":\"6.1.0\",\"BuildTime\":\"2023-04-04T00:00:00Z\"}\n";
	static const char nf[] = "{\"message\":\"page not found\"}\n";
	size_t	 cap = 500000, n = 0;
	char	*b = malloc(cap);
	int	 i;

	if (b == NULL)
		die("malloc");
	r_ping = mkresp("200 OK", "text/plain; charset=utf-8", "OK", 2, &l_ping);
	r_version = mkresp("200 OK", "application/json", ver, sizeof(ver) - 1,
	    &l_version);
	r_404 = mkresp("404 Not Found", "application/json", nf, sizeof(nf) - 1,
	    &l_404);
	n = (size_t)snprintf(b, cap, "{\"Id\":\"%064x\",\"Warnings\":[]}\n",
	    0xc0ffee);
	r_created = mkresp("201 Created", "application/json", b, n, &l_created);
	n = 0;
	/* ~2 KB: one container. */
	b[n++] = '[';
	n += container_json(b + n, cap - n, 0, "");
	b[n++] = ']';
	b[n++] = '\n';
	r_small = mkresp("200 OK", "application/json", b, n, &l_small);
	/* ~200 KB: 108 containers. */
	n = 0;
	b[n++] = '[';
	for (i = 0; i < 108; i++) {
		if (i)
			b[n++] = ',';
		n += container_json(b + n, cap - n, i, "");
	}
	b[n++] = ']';
	b[n++] = '\n';
	r_large = mkresp("200 OK", "application/json", b, n, &l_large);
	/* ~400 KB: 200 containers, half of them labelled visible. */
	n = 0;
	b[n++] = '[';
	for (i = 0; i < 200; i++) {
		if (i)
			b[n++] = ',';
		n += container_json(b + n, cap - n, i,
		    i % 2 == 0 ? VISIBLE_LABEL : "");
	}
	b[n++] = ']';
	b[n++] = '\n';
	if (n >= cap - 16)
		die("build_responses: list buffer too small");
	r_200 = mkresp("200 OK", "application/json", b, n, &l_200);
	free(b);

	big_frame_len = 6 + BIG_CHUNK + 2;
	big_frame = malloc(big_frame_len);
	if (big_frame == NULL)
		die("malloc");
	memcpy(big_frame, "8000\r\n", 6);
	for (i = 0; i < BIG_CHUNK; i++)
		big_frame[6 + i] = (char)('a' + i % 26);
	memcpy(big_frame + 6 + BIG_CHUNK, "\r\n", 2);
}

static void
ep_update(struct conn *c)
{
	struct epoll_event ev;
	int	 out = (c->olen > c->ooff) || c->slen || c->big_left ||
	    c->big_tail;
	int	 in = !c->rd_eof && !(c->st == ST_HIJACK &&
	    c->olen - c->ooff >= HIJACK_CAP) && !(c->st == ST_REQ && out);

	if (out == c->want_out && in == c->want_in)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = (in ? EPOLLIN : 0) | (out ? EPOLLOUT : 0) | EPOLLRDHUP;
	ev.data.ptr = c;
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) == -1)
		die("epoll_ctl mod");
	c->want_out = out;
	c->want_in = in;
}

static void
obuf_add(struct conn *c, const char *p, size_t n)
{
	if (c->ooff == c->olen)
		c->ooff = c->olen = 0;
	if (c->olen + n > c->ocap) {
		if (c->ooff > 0) {
			memmove(c->obuf, c->obuf + c->ooff, c->olen - c->ooff);
			c->olen -= c->ooff;
			c->ooff = 0;
		}
		if (c->olen + n > c->ocap) {
			size_t ncap = c->ocap ? c->ocap : 4096;
			while (ncap < c->olen + n)
				ncap *= 2;
			c->obuf = realloc(c->obuf, ncap);
			if (c->obuf == NULL)
				die("realloc");
			c->ocap = ncap;
		}
	}
	memcpy(c->obuf + c->olen, p, n);
	c->olen += n;
}

static void
conn_free(struct conn *c)
{
	if (c->st == ST_EVENTS) {
		if (c->eprev)
			c->eprev->enext = c->enext;
		else
			streams = c->enext;
		if (c->enext)
			c->enext->eprev = c->eprev;
	}
	close(c->fd);
	free(c->obuf);
	free(c);
}

/* Returns -1 when the connection is gone. */
static int
flush(struct conn *c)
{
	for (;;) {
		struct iovec iov[BIG_IOV + 2];
		int	 n = 0;
		ssize_t	 w;
		size_t	 i;

		if (c->olen > c->ooff) {
			iov[n].iov_base = c->obuf + c->ooff;
			iov[n++].iov_len = c->olen - c->ooff;
		}
		if (c->slen) {
			iov[n].iov_base = (void *)c->sptr;
			iov[n++].iov_len = c->slen;
		}
		for (i = 0; i < c->big_left && n < BIG_IOV; i++) {
			iov[n].iov_base = big_frame;
			iov[n++].iov_len = big_frame_len;
		}
		if (c->big_left == 0 && c->big_tail) {
			iov[n].iov_base = (void *)big_last;
			iov[n++].iov_len = sizeof(big_last) - 1;
		}
		if (n == 0)
			break;
		w = writev(c->fd, iov, n);
		if (w == -1) {
			if (errno == EAGAIN)
				break;
			if (errno == EINTR)
				continue;
			return -1;
		}
		/* Consume w bytes in order. */
		{
			size_t	 left = (size_t)w, k;

			k = c->olen - c->ooff;
			if (k) {
				k = left < k ? left : k;
				c->ooff += k;
				left -= k;
			}
			if (left && c->slen) {
				k = left < c->slen ? left : c->slen;
				c->sptr += k;
				c->slen -= k;
				left -= k;
			}
			while (left && c->big_left) {
				/* Partial frames: remember the tail as static. */
				if (left >= big_frame_len) {
					c->big_left--;
					left -= big_frame_len;
				} else {
					c->big_left--;
					c->sptr = big_frame + left;
					c->slen = big_frame_len - left;
					left = 0;
				}
			}
			if (left && c->big_tail) {
				/* The tail is 5 bytes; a partial write of it is
				 * left to the static pointer. */
				c->big_tail = 0;
				if (left < sizeof(big_last) - 1) {
					c->sptr = big_last + left;
					c->slen = sizeof(big_last) - 1 - left;
				}
				left = 0;
			}
		}
	}
	if (c->olen == c->ooff && !c->slen && !c->big_left && !c->big_tail) {
		/* Connection: close ends a plain response, never a stream
		 * (haproxy's http-server-close asks for it on every one). */
		if (c->close_after && c->st != ST_EVENTS && c->st != ST_HIJACK)
			return -1;
		if (c->st == ST_BIG)
			c->st = ST_REQ;
		if (c->st == ST_HIJACK && c->rd_eof) {
			shutdown(c->fd, SHUT_WR);
			return -1;
		}
	}
	return 0;
}

static size_t
strip_version(const char *p, size_t n)
{
	size_t	 i = 2;

	if (n < 3 || p[0] != '/' || p[1] != 'v' || p[2] < '0' || p[2] > '9')
		return 0;
	while (i < n && ((p[i] >= '0' && p[i] <= '9') || p[i] == '.'))
		i++;
	return (i < n && p[i] == '/') ? i : 0;
}

static int
seg_match(const char *p, size_t n, const char *pre, const char *suf)
{
	size_t	 pl = strlen(pre), sl = strlen(suf);

	return n > pl + sl && memcmp(p, pre, pl) == 0 &&
	    memcmp(p + n - sl, suf, sl) == 0;
}

static int
hdr_has(const char *h, size_t hl, const char *name, const char *val)
{
	/* Case-insensitive search for "\r\nname:" then val in that line. */
	size_t	 nl = strlen(name), i;

	for (i = 0; i + nl + 3 < hl; i++) {
		if (h[i] == '\n' && strncasecmp(h + i + 1, name, nl) == 0 &&
		    h[i + 1 + nl] == ':') {
			const char *e = memchr(h + i, '\r', hl - i - 1);
			size_t	 vl = strlen(val), j;
			const char *v = h + i + 2 + nl;

			if (e == NULL)
				return 0;
			if (val == NULL || vl == 0)
				return 1;
			for (j = 0; v + j + vl <= e; j++)
				if (strncasecmp(v + j, val, vl) == 0)
					return 1;
			return 0;
		}
	}
	return 0;
}

static unsigned long long
hdr_num(const char *h, size_t hl, const char *name)
{
	size_t	 nl = strlen(name), i;

	for (i = 0; i + nl + 3 < hl; i++)
		if (h[i] == '\n' && strncasecmp(h + i + 1, name, nl) == 0 &&
		    h[i + 1 + nl] == ':')
			return strtoull(h + i + 2 + nl, NULL, 10);
	return 0;
}

/* Handle one complete request head of length hl; returns -1 to close. */
static int
handle(struct conn *c, const char *h, size_t hl)
{
	const char *sp1 = memchr(h, ' ', hl), *sp2, *q;
	const char *path;
	size_t	 plen, qlen = 0, v;
	int	 is_head, is_post;

	if (sp1 == NULL)
		return -1;
	sp2 = memchr(sp1 + 1, ' ', hl - (size_t)(sp1 + 1 - h));
	if (sp2 == NULL)
		return -1;
	is_head = (sp1 - h == 4 && memcmp(h, "HEAD", 4) == 0);
	is_post = (sp1 - h == 4 && memcmp(h, "POST", 4) == 0);
	path = sp1 + 1;
	plen = (size_t)(sp2 - path);
	q = memchr(path, '?', plen);
	if (q) {
		qlen = plen - (size_t)(q - path) - 1;
		plen = (size_t)(q - path);
		q++;
	}
	v = strip_version(path, plen);
	path += v;
	plen -= v;
	if (hdr_has(h, hl, "Connection", "close"))
		c->close_after = 1;
	c->skip = hdr_num(h, hl, "Content-Length");

#define IS(s) (plen == sizeof(s) - 1 && memcmp(path, s, plen) == 0)
	if (IS("/_ping")) {
		c->sptr = r_ping;
		c->slen = is_head ? l_ping - 2 : l_ping;
	} else if (IS("/version")) {
		c->sptr = r_version;
		c->slen = l_version;
	} else if (IS("/containers/json")) {
		int all = q && qlen >= 5 && memmem(q, qlen, "all=1", 5) != NULL;
		int l200 = q && memmem(q, qlen, "limit=200", 9) != NULL;
		c->sptr = l200 ? r_200 : all ? r_large : r_small;
		c->slen = l200 ? l_200 : all ? l_large : l_small;
	} else if (is_post && IS("/containers/create")) {
		/* Answered when the body is in: the whole-body latency. */
		if (c->skip) {
			c->held = r_created;
			c->heldlen = l_created;
		} else {
			c->sptr = r_created;
			c->slen = l_created;
		}
	} else if (seg_match(path, plen, "/containers/", "/json")) {
		/* inspect: the small list body will do */
		c->sptr = r_small;
		c->slen = l_small;
	} else if (seg_match(path, plen, "/containers/", "/export")) {
		unsigned long mb = 100;
		const char *m = q ? memmem(q, qlen, "mb=", 3) : NULL;
		static const char head[] = "HTTP/1.1 200 OK\r\n"
		    "Content-Type: application/octet-stream\r\n"
		    "Transfer-Encoding: chunked\r\n";
		if (m)
			mb = strtoul(m + 3, NULL, 10);
		obuf_add(c, head, sizeof(head) - 1);
		obuf_add(c, hdrs, sizeof(hdrs) - 1);
		obuf_add(c, "\r\n", 2);
		c->big_left = (uint64_t)mb * (1048576 / BIG_CHUNK);
		c->big_tail = 1;
		c->st = ST_BIG;
	} else if (is_post && (seg_match(path, plen, "/containers/", "/attach") ||
	    seg_match(path, plen, "/exec/", "/start"))) {
		static const char up[] = "HTTP/1.1 101 UPGRADED\r\n"
		    "Content-Type: application/vnd.docker.raw-stream\r\n"
		    "Connection: Upgrade\r\nUpgrade: tcp\r\n";
		obuf_add(c, up, sizeof(up) - 1);
		obuf_add(c, hdrs, sizeof(hdrs) - 1);
		obuf_add(c, "\r\n", 2);
		c->st = ST_HIJACK;
		c->skip = 0;
	} else if (IS("/events")) {
		static const char head[] = "HTTP/1.1 200 OK\r\n"
		    "Content-Type: application/json\r\n"
		    "Transfer-Encoding: chunked\r\n";
		obuf_add(c, head, sizeof(head) - 1);
		obuf_add(c, hdrs, sizeof(hdrs) - 1);
		obuf_add(c, "\r\n", 2);
		c->st = ST_EVENTS;
		c->eprev = NULL;
		c->enext = streams;
		if (streams)
			streams->eprev = c;
		streams = c;
	} else {
		c->sptr = r_404;
		c->slen = l_404;
	}
#undef IS
	return 0;
}

/* Parse and answer requests while no output is pending. */
static int
process(struct conn *c)
{
	while (c->st == ST_REQ && c->olen == c->ooff && !c->slen) {
		char	*e;
		size_t	 hl;

		if (c->skip) {
			size_t k = c->skip < c->inlen ? c->skip : c->inlen;
			memmove(c->in, c->in + k, c->inlen - k);
			c->inlen -= k;
			c->skip -= k;
			if (c->skip)
				return 0;
			if (c->held) {
				c->sptr = c->held;
				c->slen = c->heldlen;
				c->held = NULL;
				if (flush(c) == -1)
					return -1;
				continue;
			}
		}
		e = memmem(c->in, c->inlen, "\r\n\r\n", 4);
		if (e == NULL) {
			if (c->inlen == sizeof(c->in))
				return -1;
			return 0;
		}
		hl = (size_t)(e - c->in) + 4;
		if (handle(c, c->in, hl) == -1)
			return -1;
		memmove(c->in, c->in + hl, c->inlen - hl);
		c->inlen -= hl;
		if (c->st == ST_HIJACK && c->inlen) {
			obuf_add(c, c->in, c->inlen);	/* early bytes: echo */
			c->inlen = 0;
		}
		if (flush(c) == -1)
			return -1;
	}
	return 0;
}

static void
on_read(struct conn *c)
{
	for (;;) {
		ssize_t	 r;

		if (c->st == ST_HIJACK) {
			char	 buf[65536];

			if (c->olen - c->ooff >= HIJACK_CAP)
				break;
			r = read(c->fd, buf, sizeof(buf));
			if (r > 0) {
				obuf_add(c, buf, (size_t)r);
				continue;
			}
		} else if (c->st == ST_EVENTS || c->st == ST_BIG) {
			char	 buf[4096];

			r = read(c->fd, buf, sizeof(buf));	/* ignored */
			if (r > 0)
				continue;
		} else {
			if (c->inlen == sizeof(c->in))
				break;
			r = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
			if (r > 0) {
				c->inlen += (size_t)r;
				if (process(c) == -1)
					goto gone;
				continue;
			}
		}
		if (r == 0) {
			c->rd_eof = 1;
			if (c->st != ST_HIJACK)
				goto gone;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			break;
		goto gone;
	}
	if (flush(c) == -1)
		goto gone;
	if (process(c) == -1)
		goto gone;
	ep_update(c);
	return;
gone:
	conn_free(c);
}

/* One container start event as a chunk in dst[0..cap); label opens its
 * Attributes (dockerd copies a container's labels there). */
static int
event_frame(char *dst, size_t cap, unsigned seq, long long tn,
    const char *label)
{
	char	 ev[1024];
	int	 l;

	l = snprintf(ev, sizeof(ev),
	    "{\"status\":\"start\",\"id\":\"%064x\",\"from\":\"busybox:latest\","
	    "\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":"
	    "\"%064x\",\"Attributes\":{%s\"image\":\"busybox:latest\","
	    "\"name\":\"bench_%u\"}},\"scope\":\"local\",\"time\":%lld,"
	    "\"timeNano\":%lld}\n", seq, seq, label, seq, tn / 1000000000LL,
	    tn);
	return snprintf(dst, cap, "%x\r\n%.*s\r\n", l, l, ev);
}

static void
emit_event(void)
{
	struct timespec ts;
	char	 frame[2300];
	struct conn *c, *n;
	long long tn;
	int	 fl = 0;
	static unsigned seq;

	clock_gettime(CLOCK_REALTIME, &ts);
	tn = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	seq++;
	/* --mixed-events: a hidden container's event first, so a filter
	 * that lets it through delivers two lines per push. */
	if (mixed_events)
		fl = event_frame(frame, sizeof(frame), seq + 0x80000000u, tn,
		    "\"com.docker.compose.project\":\"other\",");
	fl += event_frame(frame + fl, sizeof(frame) - (size_t)fl, seq, tn,
	    mixed_events ? VISIBLE_LABEL : "");
	for (c = streams; c; c = n) {
		n = c->enext;
		obuf_add(c, frame, (size_t)fl);
		if (flush(c) == -1) {
			conn_free(c);
			continue;
		}
		ep_update(c);
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sun;
	struct epoll_event ev, evs[256];
	struct rlimit rl;
	sigset_t mask;
	int	 lfd, sfd, i, n;
	static char lmark, smark;

	if (argc == 3 && strcmp(argv[2], "--mixed-events") == 0) {
		mixed_events = 1;
		argc--;
	}
	if (argc != 2 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: fakedockerd SOCKET_PATH "
		    "[--mixed-events]\n");
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	build_responses();

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd == -1)
		die("signalfd");

	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd == -1)
		die("socket");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, argv[1]);
	unlink(argv[1]);
	if (bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		die("bind");
	/* Like /var/run/docker.sock (root:docker 0660): a proxy started as
	 * root that drops to another uid keeps access through the group. */
	if (chmod(argv[1], 0660) == -1)
		die("chmod");
	if (listen(lfd, 4096) == -1)
		die("listen");

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd == -1)
		die("epoll_create1");
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = &lmark;
	epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
	ev.data.ptr = &smark;
	epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev);

	for (;;) {
		n = epoll_wait(epfd, evs, 256, -1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		for (i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &lmark) {
				int fd;

				while ((fd = accept4(lfd, NULL, NULL,
				    SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
					struct conn *c = calloc(1, sizeof(*c));

					if (c == NULL)
						die("calloc");
					c->fd = fd;
					c->st = ST_REQ;
					c->want_in = 1;
					ev.events = EPOLLIN | EPOLLRDHUP;
					ev.data.ptr = c;
					if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd,
					    &ev) == -1)
						die("epoll_ctl add");
				}
			} else if (p == &smark) {
				struct signalfd_siginfo si;

				while (read(sfd, &si, sizeof(si)) ==
				    (ssize_t)sizeof(si)) {
					if (si.ssi_signo == SIGUSR1)
						emit_event();
					else {
						unlink(argv[1]);
						return 0;
					}
				}
			} else {
				struct conn *c = p;

				if (evs[i].events & EPOLLOUT) {
					if (flush(c) == -1) {
						conn_free(c);
						continue;
					}
					if (process(c) == -1) {
						conn_free(c);
						continue;
					}
				}
				if (evs[i].events & (EPOLLIN | EPOLLRDHUP |
				    EPOLLHUP | EPOLLERR))
					on_read(c);
				else
					ep_update(c);
			}
		}
	}
}
