/*
 * ev.c - epoll event loop.
 */
#include <sys/epoll.h>

#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"

#define EV_BATCH 256

static int ev_epfd = -1;

int
ev_init(void)
{
	ev_epfd = epoll_create1(EPOLL_CLOEXEC);
	return ev_epfd == -1 ? -1 : 0;
}

void
ev_io_init(struct ev_io *io, int fd, ev_cb cb)
{
	io->fd = fd;
	io->mask = 0;
	io->registered = 0;
	io->cb = cb;
}

int
ev_io_set(struct ev_io *io, unsigned mask)
{
	struct epoll_event ee;

	if (io->mask == mask && (io->registered || mask == 0))
		return 0;
	if (mask == 0) {
		/* Unregister: a level-triggered HUP would otherwise spin. */
		ev_io_stop(io);
		return 0;
	}
	ee.events = ((mask & EV_READ) ? EPOLLIN | EPOLLRDHUP : 0) |
	    ((mask & EV_WRITE) ? EPOLLOUT : 0);
	ee.data.ptr = io;
	if (epoll_ctl(ev_epfd, io->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
	    io->fd, &ee) == -1)
		return -1;
	io->registered = 1;
	io->mask = mask;
	return 0;
}

void
ev_io_stop(struct ev_io *io)
{
	if (io->registered)
		(void)epoll_ctl(ev_epfd, EPOLL_CTL_DEL, io->fd, NULL);
	io->registered = 0;
	io->mask = 0;
}

int
ev_run_once(int timeout_ms)
{
	struct epoll_event evs[EV_BATCH];
	struct ev_io	*io;
	unsigned	 rev;
	int		 i, n;

	n = epoll_wait(ev_epfd, evs, EV_BATCH, timeout_ms);
	if (n == -1)
		return errno == EINTR ? 0 : -1;
	for (i = 0; i < n; i++) {
		io = evs[i].data.ptr;
		rev = 0;
		/* Errors and hang-ups surface through read(2)/write(2). */
		if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			rev |= EV_READ;
		if (evs[i].events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
			rev |= EV_WRITE;
		rev &= io->mask;
		if (rev && io->cb != NULL)
			io->cb(io, rev);
	}
	return n;
}

uint64_t
ev_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
ev_now_ms(void)
{
	return ev_now_us() / 1000;
}
