/*
 * nullrelay - the floor for any proxy on this machine: a relay that
 * forwards bytes and does nothing else (no parsing, no policy, no log).
 *
 * One thread, epoll (level-triggered), one upstream connection per client
 * connection, bytes moved both ways either by read/write through a 64 KiB
 * buffer (--copy, what a user-space proxy pays at least) or by splice(2)
 * through a pipe (--splice, the zero-copy floor).  The benchmark runs it
 * beside the real contenders so that a ratio to "direct" can be judged
 * against what a proxy that does nothing at all reaches on the same cores.
 *
 * usage: nullrelay --listen tcp://HOST:PORT|unix:///PATH
 *        --upstream /PATH [--copy|--splice]
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUF (64 * 1024)

/* One direction of a pair: bytes from src to dst. */
struct half {
	int	 src, dst;
	char	*buf;		/* copy mode: bytes at buf + off */
	size_t	 off;
	int	 pipe[2];	/* splice mode: bytes in the pipe */
	size_t	 pending;	/* read, not yet written */
	int	 eof;
};

struct pair {
	int		 cfd, ufd;
	struct half	 up, down;	/* client->upstream, upstream->client */
	int		 tag_c, tag_u;	/* 0 and 1: which fd an event is for */
	unsigned	 ev_c, ev_u;	/* interest epoll has now */
	int		 dead;
	struct pair	*next_dead;
};

static struct pair *graveyard;	/* freed after the event batch */

static int	 epfd;
static int	 use_splice;
static const char *up_path;

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static int
listen_on(const char *spec)
{
	int fd, one = 1;

	if (strncmp(spec, "unix://", 7) == 0) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", spec + 7);
		unlink(sun.sun_path);
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
			die("bind");
	} else if (strncmp(spec, "tcp://", 6) == 0) {
		struct sockaddr_in sin = { .sin_family = AF_INET };
		char host[64];
		const char *colon = strrchr(spec + 6, ':');

		if (colon == NULL || (size_t)(colon - spec - 6) >= sizeof(host))
			die("listen address");
		memcpy(host, spec + 6, (size_t)(colon - spec - 6));
		host[colon - spec - 6] = '\0';
		inet_pton(AF_INET, host, &sin.sin_addr);
		sin.sin_port = htons((unsigned short)atoi(colon + 1));
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
			die("bind");
	} else {
		fprintf(stderr, "nullrelay: bad listen address %s\n", spec);
		exit(2);
	}
	if (listen(fd, 1024) == -1)
		die("listen");
	return fd;
}

static int
dial_upstream(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", up_path);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static void
half_init(struct half *h, int src, int dst)
{
	memset(h, 0, sizeof(*h));
	h->src = src;
	h->dst = dst;
	h->pipe[0] = h->pipe[1] = -1;
	if (use_splice) {
		if (pipe2(h->pipe, O_NONBLOCK) == -1)
			die("pipe2");
	} else if ((h->buf = malloc(BUF)) == NULL)
		die("malloc");
}

static void
half_free(struct half *h)
{
	free(h->buf);
	if (h->pipe[0] != -1) {
		close(h->pipe[0]);
		close(h->pipe[1]);
	}
}

static void
pair_close(struct pair *p)
{
	close(p->cfd);
	close(p->ufd);
	half_free(&p->up);
	half_free(&p->down);
	p->dead = 1;
	p->next_dead = graveyard;
	graveyard = p;
}

/* Write pending bytes out to dst (copy or splice). */
static ssize_t
half_out(struct half *h)
{
	ssize_t n;

	if (use_splice)
		return splice(h->pipe[0], NULL, h->dst, NULL, h->pending,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if ((n = write(h->dst, h->buf + h->off, h->pending)) > 0)
		h->off += (size_t)n;
	return n;
}

/* Read new bytes from src (copy or splice). */
static ssize_t
half_in(struct half *h)
{
	if (use_splice)
		return splice(h->src, NULL, h->pipe[1], NULL, BUF,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	h->off = 0;
	return read(h->src, h->buf, BUF);
}

/* Move what can be moved now; returns -1 when the pair must close. */
static int
half_pump(struct half *h)
{
	ssize_t n;

	for (;;) {
		if (h->pending > 0) {
			n = half_out(h);
			if (n > 0) {
				h->pending -= (size_t)n;
				continue;
			}
		} else if (h->eof)
			return -1;
		else if ((n = half_in(h)) > 0) {
			h->pending = (size_t)n;
			continue;
		} else if (n == 0) {
			h->eof = 1;
			continue;
		}
		return n == -1 && errno == EAGAIN ? 0 : -1;
	}
}

/* Interest: read the source while this half has nothing pending, else
 * wait for the destination to drain. */
static void
pair_arm(struct pair *p, int op)
{
	struct epoll_event ev;
	int up_pending = p->up.pending > 0;
	int down_pending = p->down.pending > 0;
	unsigned want_c = (up_pending ? 0 : EPOLLIN) |
	    (down_pending ? EPOLLOUT : 0);
	unsigned want_u = (down_pending ? 0 : EPOLLIN) |
	    (up_pending ? EPOLLOUT : 0);

	/* Only changes cost an epoll_ctl. */
	if (op == EPOLL_CTL_ADD || want_c != p->ev_c) {
		ev.events = p->ev_c = want_c;
		ev.data.ptr = &p->tag_c;
		epoll_ctl(epfd, op, p->cfd, &ev);
	}
	if (op == EPOLL_CTL_ADD || want_u != p->ev_u) {
		ev.events = p->ev_u = want_u;
		ev.data.ptr = &p->tag_u;
		epoll_ctl(epfd, op, p->ufd, &ev);
	}
}

int
main(int argc, char **argv)
{
	struct epoll_event evs[256];
	const char *lspec = NULL;
	int lfd, i, n, ltag = 0;
	struct epoll_event ev;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc)
			lspec = argv[++i];
		else if (strcmp(argv[i], "--upstream") == 0 && i + 1 < argc)
			up_path = argv[++i];
		else if (strcmp(argv[i], "--splice") == 0)
			use_splice = 1;
		else if (strcmp(argv[i], "--copy") == 0)
			use_splice = 0;
		else {
			fprintf(stderr, "usage: nullrelay --listen ADDR "
			    "--upstream PATH [--copy|--splice]\n");
			return 2;
		}
	}
	if (lspec == NULL || up_path == NULL) {
		fprintf(stderr, "nullrelay: --listen and --upstream needed\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_on(lspec);
	if ((epfd = epoll_create1(0)) == -1)
		die("epoll_create1");
	ev.events = EPOLLIN;
	ev.data.ptr = &ltag;
	epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
	for (;;) {
		n = epoll_wait(epfd, evs, 256, -1);
		for (i = 0; i < n; i++) {
			int *tag = evs[i].data.ptr;
			struct pair *p;

			if (tag == &ltag) {
				int cfd, one = 1;

				while ((cfd = accept4(lfd, NULL, NULL,
				    SOCK_NONBLOCK)) != -1) {
					setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY,
					    &one, sizeof(one));
					if ((p = calloc(1, sizeof(*p))) == NULL)
						die("calloc");
					p->cfd = cfd;
					p->tag_u = 1;
					if ((p->ufd = dial_upstream()) == -1) {
						close(cfd);
						free(p);
						continue;
					}
					half_init(&p->up, p->cfd, p->ufd);
					half_init(&p->down, p->ufd, p->cfd);
					pair_arm(p, EPOLL_CTL_ADD);
				}
				continue;
			}
			p = (struct pair *)((char *)tag - (*tag ?
			    offsetof(struct pair, tag_u) :
			    offsetof(struct pair, tag_c)));
			if (p->dead)
				continue;
			if (half_pump(&p->up) == -1 ||
			    half_pump(&p->down) == -1) {
				pair_close(p);
				continue;
			}
			pair_arm(p, EPOLL_CTL_MOD);
		}
		while (graveyard != NULL) {
			struct pair *d = graveyard;

			graveyard = d->next_dead;
			free(d);
		}
	}
}
