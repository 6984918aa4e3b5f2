/*
 * door.h - the door: who gets in.  Listening sockets are watched here;
 * each client is accepted with a descriptor reserve (accept pauses instead
 * of failing), judged by its listener's admission rules (core/admit.c),
 * counted against the per-client and global caps (core/climit.c), and only
 * then handed to conn.c as a connection.  Refusal warnings are limited to
 * one line a second per kind (core/ratelim.c).
 */
#ifndef SOCKWARD_DOOR_H
#define SOCKWARD_DOOR_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "admit.h"
#include "climit.h"
#include "listen.h"

/* Who a client is, as the door saw it at accept. */
struct door_peer {
	struct sockaddr_storage ss;	/* TCP peer address */
	struct ucred	 cred;		/* unix peer, when cred_ok */
	int		 cred_ok;
	struct climit_key key;		/* its count in the caps */
	/* A TLS client's certificate names, read after its handshake
	 * (malloc'd, owned by the connection; NULL before, for other
	 * clients, and for a TLS client that sent no certificate). */
	struct admit_cert *cert;
	char		 name[64];	/* "ADDR:PORT", "[ADDR6]:PORT", "unix" */
};

/* Caps for every client from now on (also after a reload: what is open
 * stays open). */
void	door_set_limits(const struct climit_limits *lim);

/* Start accepting on l (the listener must stay alive while watched). */
int	door_listen(struct listener *l);

/* Is p admitted by l's admission rules as they are now? */
int	door_admitted(const struct listener *l, const struct door_peer *p);

/*
 * A TLS client of l finished its handshake; p->cert is set (NULL if it
 * sent no certificate).  Returns l or the first listener on l's next_shared chain whose
 * admission admits p (network and certificate names), or NULL when none
 * does (the caller logs "refused" with who and closes, before any HTTP is
 * read).  who: as door_who, for that log line.
 */
struct listener *door_tls_pick(struct listener *l, const struct door_peer *p,
	    char *who, size_t len);

/* "unix peer uid U gid G" or the address, for a log line or message. */
void	door_who(const struct listener *l, const struct door_peer *p,
	    char *who, size_t len);

/*
 * A counted connection of p on l wants to become a stream or hijack.
 * Returns 0 (counted: release with door_stream_close), or -1 with the
 * client's 429 message in msg (and a rate-limited warning).
 */
int	door_stream_open(const struct listener *l, const struct door_peer *p,
	    char *msg, size_t msglen);
void	door_stream_close(const struct door_peer *p);

/* A connection of p ended (its stream closed first): uncount it and
 * resume accepting if a lack of descriptors had paused it. */
void	door_closed(const struct door_peer *p);

/* The door's next deadline (an accept retry, a warning count to report),
 * UINT64_MAX when none; door_expire does what is due at now. */
uint64_t door_next_deadline(void);
void	door_expire(uint64_t now);

/* How many more descriptors may be used while keeping the reserve that
 * accepted clients need for their upstreams. */
size_t	door_room(void);

/* Stop accepting for good (SIGTERM): close every listener. */
void	door_close(void);

#endif
