/*
 * door.c - who gets in: accept pacing, admission, per-client caps and
 * rate-limited refusal warnings (door.h).  Everything past the door (the
 * connection's descriptors and its exchange) is conn.c's.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admit.h"
#include "config.h"
#include "conn.h"
#include "door.h"
#include "escape.h"
#include "ev.h"
#include "log.h"
#include "metrics_srv.h"
#include "ratelim.h"
#include "spipe.h"

#define DOOR_ACCEPT_BATCH   64
#define DOOR_ACCEPT_RETRY   250	/* ms before retrying accept after EMFILE */

/* Warnings a client can cause once per connection, each limited to one
 * line a second (a flood must not flood the log). */
enum door_warn_kind { DOOR_WARN_ADMIT, DOOR_WARN_CONNS, DOOR_WARN_STREAMS,
	DOOR_WARN_N };
static const char *const door_warn_what[DOOR_WARN_N] = {
	"refusals of clients not admitted",
	"connections refused over a cap",
	"streams refused over a cap",
};

static struct listener	*door_listeners[LISTEN_MAX];
static size_t		 door_nlisteners;
static int		 door_paused;
static uint64_t		 door_resume;
static int		 door_closed_for_good;
static struct climit	 door_climit;
static struct ratelim	 door_warn_rl[DOOR_WARN_N];
static int		 door_ready;

static void
door_init(void)
{
	int	i;

	if (door_ready)
		return;
	climit_init(&door_climit, NULL);
	for (i = 0; i < DOOR_WARN_N; i++)
		ratelim_init(&door_warn_rl[i], 1000);
	door_ready = 1;
}

void
door_set_limits(const struct climit_limits *lim)
{
	door_init();
	climit_set_limits(&door_climit, lim);
}

/*
 * A warning of kind k: logged if the kind had no line this second, with
 * how many were held back before it; else only counted (door_expire
 * reports the count when the second is over).
 */
#define door_warn(k, ...) log_limited(&door_warn_rl[k], ev_now_ms(), \
	    LOG_WARN, door_warn_what[k], __VA_ARGS__)

/*
 * Log a pause at most every 10 s: under sustained exhaustion every close
 * resumes accepting and the next accept pauses again.
 */
static void
door_pause_log(const char *why)
{
	static uint64_t last;
	uint64_t	now = ev_now_ms();

	if (last != 0 && now - last < 10000)
		return;
	last = now;
	log_msg(LOG_WARN, "pausing new connections: %s (%zu open)", why,
	    conn_count());
}

/*
 * How many more client connections may be accepted: descriptors in use are
 * the fixed ones (stdio, epoll, signalfd, listeners), the clients and their
 * upstreams; a reserve of a quarter of the limit, at most 64, stays free
 * so clients already accepted can still reach the upstream.  The limit is
 * read each time: it may change under a running process (prlimit).
 */
size_t
door_room(void)
{
	struct rlimit rl;
	size_t	 used, reserve;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return SIZE_MAX;
	used = 5 + door_nlisteners + conn_count() + conn_upstreams() +
	    spipe_fds();
	reserve = rl.rlim_cur / 4 < 64 ? (size_t)rl.rlim_cur / 4 : 64;
	if (used + reserve >= rl.rlim_cur)
		return 0;
	return (size_t)rl.rlim_cur - used - reserve;
}

static void
door_pause(int paused)
{
	size_t	i;

	door_paused = paused;
	for (i = 0; i < door_nlisteners; i++)
		(void)ev_io_set(&door_listeners[i]->io, paused ? 0 : EV_READ);
	if (paused)
		door_resume = ev_now_ms() + DOOR_ACCEPT_RETRY;
}

/* Name the peer at ss for the logs: "ADDR:PORT", "[ADDR6]:PORT" or "unix". */
static void
door_peer_name(char *dst, size_t len, const struct sockaddr_storage *ss,
    int is_unix)
{
	char	addr[INET6_ADDRSTRLEN];

	if (is_unix) {
		snprintf(dst, len, "unix");
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;
		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
		snprintf(dst, len, "%s:%u", addr, ntohs(sin->sin_port));
	} else {
		const struct sockaddr_in6 *sin6 = (const void *)ss;
		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
		snprintf(dst, len, "[%s]:%u", addr, ntohs(sin6->sin6_port));
	}
}

/*
 * TCP peers by source network, unix peers by their credentials (refused
 * wherever credentials count when they could not be read).
 */
/* TCP (and TLS) peers by source network alone. */
static int
door_net_admitted(const struct listener *l, const struct door_peer *p)
{
	const struct admit *a = &l->pol->admit;
	const struct sockaddr_storage *ss = &p->ss;

	if (a->nnets == 0)
		return 1;
	if (ss->ss_family == AF_INET)
		return admit_tcp(a, 4, (const uint8_t *)
		    &((const struct sockaddr_in *)(const void *)ss)->sin_addr);
	return admit_tcp(a, 6, (const uint8_t *)
	    &((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr);
}

/* A TLS peer: its network, and its certificate's names once it has
 * shown them (before the handshake, only the network counts). */
int
door_admitted(const struct listener *l, const struct door_peer *p)
{
	const struct admit *a = &l->pol->admit;

	if (l->is_unix) {
		if (a->nuids == 0 && a->ngids == 0)
			return 1;
		return p->cred_ok && admit_unix(a, p->cred.uid, p->cred.gid);
	}
	if (!door_net_admitted(l, p))
		return 0;
	return l->tls == NULL || admit_cert(a, p->cert);
}

struct listener *
door_tls_pick(struct listener *l, const struct door_peer *p, char *who,
    size_t len)
{
	struct listener	*m;
	char	 cn[3 * ADMIT_NAME_MAX];

	for (m = l; m != NULL; m = m->next_shared)
		if (door_admitted(m, p))
			return m;
	door_peer_name(who, len, &p->ss, 0);
	if (p->cert == NULL) {
		strncat(who, " without a certificate", len - strlen(who) - 1);
	} else {
		esc_text(cn, sizeof(cn), p->cert->cn, strlen(p->cert->cn));
		snprintf(who + strlen(who), len - strlen(who), " with "
		    "certificate CN=%s", cn);
	}
	return NULL;
}

/* Admitted by the network of some listener sharing l's TLS socket? */
static int
door_tls_net_admitted(const struct listener *l, const struct door_peer *p)
{
	for (; l != NULL; l = l->next_shared)
		if (door_net_admitted(l, p))
			return 1;
	return 0;
}

void
door_who(const struct listener *l, const struct door_peer *p, char *who,
    size_t wholen)
{
	if (!l->is_unix)
		door_peer_name(who, wholen, &p->ss, 0);
	else if (p->cred_ok)
		snprintf(who, wholen, "unix peer uid %u gid %u",
		    (unsigned)p->cred.uid, (unsigned)p->cred.gid);
	else
		snprintf(who, wholen, "unix peer (credentials unknown)");
}

/* The peer's climit key: its address (IPv6 by /64), a unix peer by uid. */
static void
door_key(const struct listener *l, struct door_peer *p)
{
	const struct sockaddr_storage *ss = &p->ss;

	if (l->is_unix) {
		/* Unknown credentials share one key: never a way around
		 * the cap. */
		p->key = climit_key_uid(p->cred_ok ? p->cred.uid : UINT32_MAX);
		return;
	}
	if (ss->ss_family == AF_INET)
		p->key = climit_key_ipv4((const uint8_t *)
		    &((const struct sockaddr_in *)(const void *)ss)->sin_addr);
	else
		p->key = climit_key_ipv6((const uint8_t *)
		    &((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr);
}

/* Refuse a client at the door: one 403, one log line, nothing more. */
static void
door_refuse(const struct listener *l, int fd, const char *who)
{
	char	 msg[300], resp[600];
	int	 n;
	ssize_t	 w;

	snprintf(msg, sizeof(msg), "sockward: client %s is not admitted on "
	    "listener %s", who, l->pol->name);
	n = snprintf(resp, sizeof(resp), "HTTP/1.1 403 Forbidden\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n{\"message\":\"%s\"}\n",
	    strlen(msg) + 15, msg);
	if (n > 0 && (size_t)n < sizeof(resp))
		w = write(fd, resp, (size_t)n);
	(void)w;
	metrics_admission_refused(metrics_reg, l->mx,
	    METRICS_ADMIT_NOT_ADMITTED);
	door_warn(DOOR_WARN_ADMIT, "refused client %s on listener %s (%s): "
	    "not admitted", who, l->pol->name, l->name);
	close(fd);
}

/*
 * Judge one accepted descriptor: admission, then the client's connection
 * cap.  Returns 1 when it became a connection, 0 when it was refused (its
 * descriptor is free again), -1 when accepting must pause.
 */
static int
door_enter(struct listener *l, int fd, struct door_peer *p)
{
	enum climit_verdict v;
	char	 who[80], kbuf[64];
	socklen_t crlen = sizeof(p->cred);

	p->cred_ok = l->is_unix && getsockopt(fd, SOL_SOCKET, SO_PEERCRED,
	    &p->cred, &crlen) == 0;
	if (l->tls != NULL && !door_tls_net_admitted(l, p)) {
		/* No plain-text 403 into a TLS client: closed unread. */
		door_who(l, p, who, sizeof(who));
		metrics_admission_refused(metrics_reg, l->mx,
		    METRICS_ADMIT_NOT_ADMITTED);
		door_warn(DOOR_WARN_ADMIT, "refused client %s on %s: not "
		    "admitted (clients)", who, l->name);
		close(fd);
		return 0;
	}
	if (l->tls == NULL && !door_admitted(l, p)) {
		door_who(l, p, who, sizeof(who));
		door_refuse(l, fd, who);
		return 0;
	}
	door_key(l, p);
	if ((v = climit_conn_open(&door_climit, &p->key)) != CLIMIT_OK) {
		/* Over its cap: closed at once, nothing read. */
		close(fd);
		if (v == CLIMIT_NOMEM)
			return -1;
		metrics_admission_refused(metrics_reg, l->mx,
		    METRICS_ADMIT_CLIENT_CONNS);
		door_warn(DOOR_WARN_CONNS, "refused a connection of client %s "
		    "on listener %s: it holds %u connections (client-conns)",
		    climit_key_str(&p->key, kbuf, sizeof(kbuf)), l->pol->name,
		    door_climit.lim.conns);
		return 0;
	}
	door_peer_name(p->name, sizeof(p->name), &p->ss, l->is_unix);
	if (conn_open(l, fd, p) == -1) {
		climit_conn_close(&door_climit, &p->key);
		close(fd);
		return -1;
	}
	metrics_accepted(metrics_reg, l->mx);
	return 1;
}

static void
door_accept_cb(struct ev_io *io, unsigned revents)
{
	struct listener	*l = (struct listener *)(void *)io;
	struct door_peer p;
	socklen_t	 sslen;
	size_t		 room = door_room();
	int		 fd, i, r;

	(void)revents;
	for (i = 0; i < DOOR_ACCEPT_BATCH; i++) {
		if (room-- == 0) {
			/* Accepting more would leave an accepted client
			 * without a descriptor for its upstream. */
			door_pause_log("open-file limit reached");
			door_pause(1);
			return;
		}
		memset(&p, 0, sizeof(p));
		sslen = sizeof(p.ss);
		fd = accept4(io->fd, (struct sockaddr *)&p.ss, &sslen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* Pause instead of spinning; a closing
				 * connection or the retry timer resumes. */
				door_pause_log(strerror(errno));
				door_pause(1);
			}
			return;
		}
		if ((r = door_enter(l, fd, &p)) == -1) {
			door_pause(1);
			return;
		}
		/* A refused client's descriptor is free again: a client at
		 * its cap must not pause accept for the others. */
		if (r == 0)
			room++;
	}
}

int
door_listen(struct listener *l)
{
	door_init();
	if (door_nlisteners == LISTEN_MAX)
		return -1;
	l->io.cb = door_accept_cb;
	door_listeners[door_nlisteners++] = l;
	return ev_io_set(&l->io, EV_READ);
}

int
door_stream_open(const struct listener *l, const struct door_peer *p,
    char *msg, size_t msglen)
{
	enum climit_verdict v;
	char	 kbuf[64];

	if ((v = climit_stream_open(&door_climit, &p->key)) == CLIMIT_OK)
		return 0;
	metrics_admission_refused(metrics_reg, l->mx, v == CLIMIT_CLIENT_FULL ?
	    METRICS_ADMIT_CLIENT_STREAMS : METRICS_ADMIT_STREAMS);
	climit_key_str(&p->key, kbuf, sizeof(kbuf));
	if (v == CLIMIT_CLIENT_FULL)
		snprintf(msg, msglen, "sockward: client %s has %u streams "
		    "open, the most allowed (client-streams)", kbuf,
		    door_climit.lim.streams);
	else
		snprintf(msg, msglen, "sockward: %lu streams are open, the "
		    "most allowed (streams)", door_climit.streams_total);
	door_warn(DOOR_WARN_STREAMS, "refused a stream of client %s on "
	    "listener %s: %s", kbuf, l->pol->name,
	    v == CLIMIT_CLIENT_FULL ? "client-streams reached" :
	    "streams reached");
	return -1;
}

void
door_stream_close(const struct door_peer *p)
{
	climit_stream_close(&door_climit, &p->key);
}

void
door_closed(const struct door_peer *p)
{
	climit_conn_close(&door_climit, &p->key);
	if (door_paused && !door_closed_for_good)
		door_pause(0);
}

uint64_t
door_next_deadline(void)
{
	uint64_t next = UINT64_MAX, t;
	int	 w;

	for (w = 0; w < DOOR_WARN_N; w++)
		if ((t = ratelim_due(&door_warn_rl[w])) < next)
			next = t;
	if (door_paused && !door_closed_for_good && door_resume < next)
		next = door_resume;
	return next;
}

void
door_expire(uint64_t now)
{
	unsigned long sup;
	int	 w;

	for (w = 0; w < DOOR_WARN_N; w++)
		if ((sup = ratelim_flush(&door_warn_rl[w], now)) > 0)
			log_msg(LOG_WARN, "%lu more %s suppressed", sup,
			    door_warn_what[w]);
	if (door_paused && !door_closed_for_good && door_resume <= now)
		door_pause(0);
}

void
door_close(void)
{
	size_t	i;

	door_closed_for_good = 1;
	for (i = 0; i < door_nlisteners; i++)
		listen_close(door_listeners[i]);
	door_nlisteners = 0;
}
