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
struct tls_server;

struct listener {
	struct ev_io	 io;		/* fd -1: shares group's socket */
	int		 is_unix;
	/* tls:// : the server context (a reference; a reload swaps it,
	 * sessions keep theirs), NULL for tcp:// and unix://. */
	struct tls_server *tls;
	/* Listener blocks sharing one tls:// address (each admits its own
	 * certificate names): the first opens the socket and heads the
	 * chain, the others follow on next_shared with io.fd -1.  After a
	 * client's handshake, door_tls_pick chooses among them. */
	struct listener	*next_shared;
	char		 name[160];	/* canonical "tcp://127.0.0.1:2375" */
	char		 unix_path[108];
	/* The policy of this address: replaced on reload, read by each
	 * request as it is judged, never kept across requests. */
	const struct cfg_listener *pol;
	struct learn	*learn;		/* audit mode: what was seen */
	unsigned	 mx;		/* index of pol's block in the config:
					   its metrics (metrics.h) */
};

/*
 * Open a non-blocking listening socket for addr, parsed by set_addr_parse
 * (settings.h) as `sockward check` parses it: "tcp://HOST:PORT" with an
 * IPv4 address, "[IPv6]", "*" or empty host for every address, or
 * "unix:///path".  A wildcard tries IPv6 dual-stack, then IPv4.  A unix
 * socket is created with its final mode (mode, -1 for 0660; the umask is
 * set around bind, so it is never chmod'ed), owned by us until
 * listen_unix_owner; a stale socket file nobody listens on is replaced.
 * mode is ignored for TCP.  Returns 0, or -1 with a message in
 * err[0..errlen).
 */
int	listen_open(const char *addr, int mode, struct listener *l, char *err,
	    size_t errlen);

/*
 * Give l's unix socket its owner (uid/gid, -1 to keep) without following
 * a symbolic link, and check the path is still a socket; no-op for TCP or
 * when both are -1.  Returns 0, or -1 with a message in err.
 */
int	listen_unix_owner(struct listener *l, long uid, long gid, char *err,
	    size_t errlen);

/* Close l's socket and unlink its unix path, if any. */
void	listen_close(struct listener *l);

#endif
