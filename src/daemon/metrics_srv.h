/*
 * metrics_srv.h - the metrics listener (--metrics ADDR): a small HTTP
 * server on the event loop that answers GET and HEAD /metrics with the
 * registry (core/metrics.h) in the Prometheus text format, 404 or 405 to
 * anything else, and closes the connection after each answer.  It shares
 * nothing with the proxy's listeners: no policy, no door, no upstream.
 *
 * Bounds: METRICS_SRV_CONNS connections at once (more are closed as soon
 * as accepted), METRICS_SRV_HEAD bytes of request head (more: 431), the
 * header timeout to send the head and the send timeout to read the
 * answer, so a slow or silent scraper holds one small slot for a bounded
 * time and nothing else.
 */
#ifndef SOCKWARD_METRICS_SRV_H
#define SOCKWARD_METRICS_SRV_H

#include <stddef.h>
#include <stdint.h>

#include "metrics.h"

#define METRICS_SRV_CONNS	8
#define METRICS_SRV_HEAD	4096

/*
 * The registry every hook counts into (door.c, conn.c, main.c), NULL
 * while metrics are off: the hooks are then no-ops.
 */
extern struct metrics *metrics_reg;

/*
 * Create the registry for listener blocks names[0..n) and listen on addr
 * (tcp:// or unix://, already validated by set_resolve: none of the
 * proxy's addresses).  Call before privileges are dropped, after
 * ev_init.  head_ms and send_ms: the header and send timeouts.  Returns
 * 0, or -1 with a message in err[0..errlen).
 */
int	metrics_srv_start(const char *addr, const char *const *names,
	    size_t n, int head_ms, int send_ms, char *err, size_t errlen);

/* The unix socket path of the metrics listener (for the sandbox, which
 * must let it be removed at exit), or NULL (TCP, or off). */
const char *metrics_srv_unix_path(void);

/*
 * Milliseconds until the metrics server's next deadline, folded into
 * timeout (the loop's, -1 for none): the smaller of the two.
 * metrics_srv_expire closes connections whose deadline is past at now and
 * resumes an accept that a lack of descriptors paused.
 */
int	metrics_srv_timeout(uint64_t now, int timeout);
void	metrics_srv_expire(uint64_t now);

/* Close every metrics connection and the listener (its unix socket
 * removed); the registry stays (hooks may still count). */
void	metrics_srv_close(void);

#endif
