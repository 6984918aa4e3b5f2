/*
 * ev.h - a minimal epoll event loop.
 *
 * Level-triggered readiness callbacks per file descriptor.  The loop knows
 * nothing of HTTP; timers are left to the caller, which passes the time to
 * the next deadline to ev_run_once.
 */
#ifndef SOCKWARD_EV_H
#define SOCKWARD_EV_H

#include <stdint.h>

#define EV_READ  0x1u
#define EV_WRITE 0x2u

struct ev_io;
typedef void (*ev_cb)(struct ev_io *io, unsigned revents);

/* One watched descriptor.  Embedded in its owner; the owner finds itself
 * from the pointer (container_of). */
struct ev_io {
	int		 fd;
	unsigned	 mask;		/* EV_READ | EV_WRITE currently asked */
	int		 registered;
	ev_cb		 cb;
};

/* Create the loop's epoll instance.  Returns 0 or -1 (errno set). */
int	ev_init(void);

/* Prepare io for fd with callback cb; not yet watched. */
void	ev_io_init(struct ev_io *io, int fd, ev_cb cb);

/*
 * Watch io for mask; 0 unregisters it (so a hang-up cannot spin the loop).
 * Cheap when the mask is unchanged.  Returns 0 or -1 (errno set).
 */
int	ev_io_set(struct ev_io *io, unsigned mask);

/* Stop watching io (before closing its fd).  Safe if not watched. */
void	ev_io_stop(struct ev_io *io);

/*
 * Wait up to timeout_ms (-1: forever) and run the callbacks of ready
 * descriptors.  revents holds EV_READ for readable, hang-up or error (the
 * callback's read then reports the condition) and EV_WRITE for writable.
 * Returns the number of events handled, or -1 on a fatal epoll error.
 */
int	ev_run_once(int timeout_ms);

/* Monotonic time in milliseconds and in microseconds. */
uint64_t ev_now_ms(void);
uint64_t ev_now_us(void);

#endif
