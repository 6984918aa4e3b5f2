/*
 * spipe.h - kernel pipes for zero-copy relaying with splice(2).
 *
 * A large response body moves upstream socket -> pipe -> client socket
 * without entering user space.  Pipes are taken only while a bulk body
 * streams and go back to a small pool when empty, so a connection that
 * serves small answers never owns one and a busy one never creates one
 * per request.
 */
#ifndef SOCKWARD_SPIPE_H
#define SOCKWARD_SPIPE_H

#include <stddef.h>
#include <sys/types.h>

struct spipe {
	int	 rfd, wfd;	/* -1 when no pipe is held */
	size_t	 len;		/* bytes inside, not yet spliced out */
	size_t	 cap;		/* the pipe's capacity */
	int	 stalled;	/* a fill found no free pipe slot: wait for a
				   drain (slots, not bytes, may run out) */
};

/* Make p hold no pipe (before first use). */
void	spipe_init(struct spipe *p);

/* Bytes p may take now: 0 while it is full or stalled. */
size_t	spipe_room(const struct spipe *p);

/* Capacity asked of each pipe (F_SETPIPE_SZ); the kernel default of 64 KiB
 * stays when the request is refused.  Bigger pipes mean fewer splices out
 * per chunk spliced in. */
#define SPIPE_CAP 262144

/* Make p hold a pipe (pooled or new, non-blocking, close-on-exec).
 * Returns 0, or -1 when none could be had or 64 are held already (callers
 * fall back to copying). */
int	spipe_take(struct spipe *p);

/* Give p's pipe back: to the pool when empty, else closed. */
void	spipe_give(struct spipe *p);

/* Splice up to max bytes from socket fd into p.  Returns the count, 0 on
 * EOF, -1 with errno (EAGAIN: nothing to move now). */
ssize_t	spipe_fill(struct spipe *p, int fd, size_t max);

/* Splice what p holds out to socket fd; returns as spipe_fill. */
ssize_t	spipe_drain(struct spipe *p, int fd);

struct exchange;

/*
 * Move response bytes of exchange x from the upstream socket fd into p,
 * as far as x's framing lets them pass unparsed.  A chunked body goes a
 * chunk at a time: at a chunk edge the framing ahead is peeked and, when
 * it ends inside a payload, framing and payload go as one run.  A pipe is
 * taken only when may_take() says so (asked only then: it may cost a
 * system call).  Returns 1 when that was
 * the way to read (bytes moved, EOF reported to x, or none could move
 * now), 0 when the caller must copy into x->rs.in instead.
 */
int	spipe_pump(struct spipe *p, int fd, struct exchange *x,
	    int (*may_take)(void));

/* Descriptors held by pipes, in use or pooled (for open-file pacing). */
size_t	spipe_fds(void);

#endif
