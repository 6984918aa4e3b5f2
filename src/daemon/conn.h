/*
 * conn.h - client connections past the door (door.h): their descriptors,
 * epoll interest, reads and writes for the exchange (core/exchange.h),
 * timeouts and teardown.
 *
 * Abbreviations: cli = the client side, up = the upstream (dockerd) side,
 * req = request, resp = response, hdr = header.
 */
#ifndef SOCKWARD_CONN_H
#define SOCKWARD_CONN_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "climit.h"
#include "listen.h"

struct tls_client;

struct conn_config {
	const char		*upstream;	/* unix socket path of dockerd,
						   NULL with up_tcp */
	/* A tls:// upstream: dockerd over TCP (numeric address and port),
	 * every connection TLS with the context conn_set_upstream_tls
	 * gave last. */
	int			 up_tcp;
	struct sockaddr_storage	 up_addr;
	socklen_t		 up_addrlen;
	char			 up_name[160];	/* "tls://10.0.0.2:2376" */
	int			 header_timeout_ms;
	int			 idle_timeout_ms;
	int			 body_timeout_ms;	/* a request body stalls */
	int			 send_timeout_ms;	/* the client reads nothing */
	struct climit_limits	 limits;	/* per client and in all */
};

/* Use cfg (borrowed for the life of the process) for every connection. */
void	conn_setup(const struct conn_config *cfg);

/*
 * The TLS client context for upstream connections opened from now on
 * (conn takes a reference of its own, tls_client_ref, and drops the one
 * it held; the caller keeps its own; connections open keep theirs).
 * Start-up, and each SIGHUP that re-read the files.
 */
void	conn_set_upstream_tls(struct tls_client *c);

struct door_peer;

/*
 * A client the door admitted and counted: make fd (accepted on l, non-
 * blocking) a connection and start reading.  Each request is judged by
 * l->pol as it is at that moment.  Returns 0, or -1 when out of memory
 * (the caller closes fd and uncounts who).
 */
int	conn_open(struct listener *l, int fd, const struct door_peer *who);

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

/* Number of open client connections, and of their upstream ones. */
size_t	conn_count(void);
size_t	conn_upstreams(void);

struct exchange;

/*
 * Call fn(arg, l, x) for every open client connection with its listener
 * and exchange (borrowed for the call, not to be changed): the metrics'
 * gauges are counted at scrape time, not kept up to date per event.
 */
void	conn_walk(void (*fn)(void *arg, const struct listener *l,
	    const struct exchange *x), void *arg);

/*
 * Judge every open connection again against its listener's admission
 * rules as they are now (after a reload attached a new policy).  A
 * connection no longer admitted answers its next request with 403 and
 * closes; its open stream or hijack is closed now.  Returns how many
 * were revoked.
 */
size_t	conn_revalidate(void);

#endif
