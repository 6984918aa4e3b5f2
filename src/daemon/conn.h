/*
 * conn.h - client connections: accept, the request/response state machine
 * that judges and relays each request, timeouts and teardown.
 *
 * Abbreviations: cli = the client side, up = the upstream (dockerd) side,
 * req = request, resp = response, hdr = header.
 */
#ifndef SOCKWARD_CONN_H
#define SOCKWARD_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "climit.h"
#include "listen.h"

struct conn_config {
	const char		*upstream;	/* unix socket path of dockerd */
	int			 header_timeout_ms;
	int			 idle_timeout_ms;
	int			 body_timeout_ms;	/* a request body stalls */
	int			 send_timeout_ms;	/* the client reads nothing */
	struct climit_limits	 limits;	/* per client and in all */
};

/* Use cfg (borrowed for the life of the process) for every connection. */
void	conn_setup(const struct conn_config *cfg);

/* Start accepting on l (the listener must stay alive while watched).
 * Each request is judged by l->pol as it is at that moment. */
int	conn_listen(struct listener *l);

/*
 * Milliseconds until the next connection deadline (header, idle or accept
 * pause), or -1 when none.  Expire what is due at now first with
 * conn_expire.
 */
int	conn_next_timeout(uint64_t now);
void	conn_expire(uint64_t now);

/* Free connections torn down during the last event batch.  Call after
 * every ev_run_once: a connection is never freed inside its own callback. */
void	conn_reap(void);

/*
 * Graceful stop: close listeners and idle connections; in-flight requests
 * finish, then their connections close.  Returns the number still open.
 */
size_t	conn_drain(void);

/* Number of open client connections. */
size_t	conn_count(void);

/* New caps for what opens next (SIGHUP); what is open stays open. */
void	conn_set_limits(const struct climit_limits *lim);

/*
 * Judge every open connection again against its listener's admission
 * rules as they are now (after a reload attached a new policy).  A
 * connection no longer admitted answers its next request with 403 and
 * closes; its open stream or hijack is closed now.  Returns how many
 * were revoked.
 */
size_t	conn_revalidate(void);

#endif
