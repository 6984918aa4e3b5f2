/*
 * listen.h - listening sockets: address parsing and creation.
 */
#ifndef SOCKWARD_LISTEN_H
#define SOCKWARD_LISTEN_H

#include <stddef.h>

#include "ev.h"

#define LISTEN_MAX 16

struct listener {
	struct ev_io	 io;
	int		 is_unix;
	char		 name[160];	/* canonical "tcp://127.0.0.1:2375" */
	char		 unix_path[108];
};

/*
 * Open a non-blocking listening socket for addr ("tcp://HOST:PORT" with an
 * IPv4 address, "[IPv6]", "*" or empty host for every address, or
 * "unix:///path").  A wildcard tries IPv6 dual-stack, then IPv4.  A unix
 * socket is created with mode 0660 (umask set around bind, so no wider
 * window); a stale socket file nobody listens on is replaced.  Returns 0,
 * or -1 with a message in err[0..errlen).
 */
int	listen_open(const char *addr, struct listener *l, char *err,
	    size_t errlen);

/* Close l's socket and unlink its unix path, if any. */
void	listen_close(struct listener *l);

#endif
