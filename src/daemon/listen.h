/*
 * listen.h - listening sockets: address parsing and creation.
 */
#ifndef SOCKWARD_LISTEN_H
#define SOCKWARD_LISTEN_H

#include <stddef.h>

#include "config.h"
#include "ev.h"

#define LISTEN_MAX CFG_MAX_ALL_ADDRS	/* config.c refuses more */

struct cfg_listener;
struct learn;

struct listener {
	struct ev_io	 io;
	int		 is_unix;
	char		 name[160];	/* canonical "tcp://127.0.0.1:2375" */
	char		 unix_path[108];
	/* The policy of this address: replaced on reload, read by each
	 * request as it is judged, never kept across requests. */
	const struct cfg_listener *pol;
	struct learn	*learn;		/* audit mode: what was seen */
};

/*
 * Open a non-blocking listening socket for addr, parsed by set_addr_parse
 * (settings.h) as `sockward check` parses it: "tcp://HOST:PORT" with an
 * IPv4 address, "[IPv6]", "*" or empty host for every address, or
 * "unix:///path".  A wildcard tries IPv6 dual-stack, then IPv4.  A unix
 * socket is created with mode 0600 (umask set around bind) and must then
 * get its final owner and mode from listen_unix_perms; a stale socket file
 * nobody listens on is replaced.  Returns 0,
 * or -1 with a message in err[0..errlen).
 */
int	listen_open(const char *addr, struct listener *l, char *err,
	    size_t errlen);

/*
 * Set the owner (uid/gid, -1 to keep) and then the mode (-1: 0660) of l's
 * unix socket; no-op for TCP.  Returns 0, or -1 with a message in err.
 */
int	listen_unix_perms(struct listener *l, long uid, long gid, int mode,
	    char *err, size_t errlen);

/* Close l's socket and unlink its unix path, if any. */
void	listen_close(struct listener *l);

#endif
