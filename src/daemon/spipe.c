/*
 * spipe.c - kernel pipes for zero-copy relaying with splice(2).
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "exchange.h"
#include "spipe.h"

#define SPIPE_POOL 8
/* Pipes held at once, so their kernel memory stays bounded (64 x 256 KiB
 * = 16 MiB at most); beyond, connections copy as before. */
#define SPIPE_MAX_HELD 64

static struct spipe spipe_pool[SPIPE_POOL];	/* empty pipes */
static size_t	spipe_pooled;
static size_t	spipe_held;	/* pipes out of the pool */

void
spipe_init(struct spipe *p)
{
	p->rfd = p->wfd = -1;
	p->len = 0;
	p->cap = 0;
	p->stalled = 0;
}

size_t
spipe_room(const struct spipe *p)
{
	if (p->rfd == -1 || p->stalled || p->len >= p->cap)
		return 0;
	return p->cap - p->len;
}

int
spipe_take(struct spipe *p)
{
	int	fds[2], cap;

	if (p->rfd != -1)
		return 0;
	if (spipe_held >= SPIPE_MAX_HELD)
		return -1;
	if (spipe_pooled > 0) {
		*p = spipe_pool[--spipe_pooled];
	} else {
		if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) == -1)
			return -1;
		if ((cap = fcntl(fds[1], F_SETPIPE_SZ, SPIPE_CAP)) == -1 &&
		    (cap = fcntl(fds[1], F_GETPIPE_SZ)) == -1)
			cap = 65536;	/* the kernel's default */
		spipe_init(p);
		p->rfd = fds[0];
		p->wfd = fds[1];
		p->cap = (size_t)cap;
	}
	spipe_held++;
	return 0;
}

void
spipe_give(struct spipe *p)
{
	if (p->rfd == -1)
		return;
	if (p->len == 0 && spipe_pooled < SPIPE_POOL) {
		p->stalled = 0;
		spipe_pool[spipe_pooled++] = *p;
	} else {
		/* Bytes left inside would reach the next user: never reuse. */
		close(p->rfd);
		close(p->wfd);
	}
	spipe_init(p);
	spipe_held--;
}

ssize_t
spipe_fill(struct spipe *p, int fd, size_t max)
{
	ssize_t	n;

	if (p->len >= p->cap)
		max = 0;
	else if (max > p->cap - p->len)
		max = p->cap - p->len;
	if (max == 0) {
		errno = EAGAIN;
		return -1;
	}
	n = splice(fd, NULL, p->wfd, NULL, max,
	    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n > 0)
		p->len += (size_t)n;
	else if (n == -1 && errno == EAGAIN && p->len > 0)
		p->stalled = 1;	/* maybe the socket is empty, maybe the
				   pipe's slots are used: a drain decides */
	return n;
}

ssize_t
spipe_drain(struct spipe *p, int fd)
{
	ssize_t	n;

	n = splice(p->rfd, NULL, fd, NULL, p->len,
	    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n > 0) {
		p->len -= (size_t)n;
		p->stalled = 0;
	}
	return n;
}

size_t
spipe_fds(void)
{
	return 2 * (spipe_pooled + spipe_held);
}

int
spipe_pump(struct spipe *p, int fd, struct exchange *x, int (*may_take)(void))
{
	char		 ahead[64];
	uint64_t	 budget = exchange_splice_budget(x);
	size_t		 peeked = 0;
	ssize_t		 n;

	if (budget == 0 && exchange_splice_edge(x, p->rfd != -1)) {
		n = recv(fd, ahead, sizeof(ahead), MSG_PEEK);
		if (n > 0 && (budget = exchange_splice_peek(x, ahead,
		    (size_t)n)) > 0)
			peeked = (size_t)n;
		if (budget == 0) {
			/* A copying read must go first; it waits for the
			 * pipe to empty. */
			if (p->len > 0)
				x->peek_stuck = 1;
			return 0;
		}
	}
	if (budget == 0)
		return 0;
	if (p->rfd == -1 && (budget < EXCHANGE_SPLICE_MIN || !may_take() ||
	    spipe_take(p) == -1))
		return 0;
	n = spipe_fill(p, fd, budget < SIZE_MAX ? (size_t)budget : SIZE_MAX);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 1;
	if (n == -1 && (errno == EINVAL || errno == ENOSYS) && p->len == 0) {
		x->splice_ok = 0;	/* cannot splice here: copy from now on */
		return 0;
	}
	if (n <= 0)	/* EOF, or an error that ends the stream */
		exchange_got(x, &x->rs, 0);
	else
		exchange_spliced(x, ahead, peeked, (size_t)n);
	return 1;
}
