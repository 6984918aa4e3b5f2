/*
 * health.h - `sockward health [ADDR]`: one probe of a running sockward.
 */
#ifndef SOCKWARD_HEALTH_H
#define SOCKWARD_HEALTH_H

#include <stddef.h>

#define HEALTH_TIMEOUT_MS 5000	/* default total budget of one probe */

/*
 * Probe the sockward listening on addr: connect, send
 *
 *	HEAD /_ping HTTP/1.1
 *	Host: sockward-health
 *	Connection: close
 *
 * and read the status line.  Healthy means status 200: the proxy answered
 * and dockerd answered through it, so the policy must allow HEAD /_ping.
 *
 * addr is a listen address as sockward takes it: "tcp://HOST:PORT",
 * "tcp://[V6]:PORT" or "unix:///path".  A wildcard host ("*", "0.0.0.0"
 * or empty) is probed on 127.0.0.1, "[::]" on ::1 (sockward listens on an
 * IPv6 literal IPv6-only).  Hosts must be numeric: nothing is resolved,
 * and "localhost" is refused rather than guessed.
 *
 * timeout_ms (<= 0 means HEALTH_TIMEOUT_MS) bounds the whole probe:
 * connect, send and the wait for the answer.  One non-blocking socket
 * waited on with poll(2) against a monotonic deadline, closed on return;
 * SIGPIPE cannot fire (MSG_NOSIGNAL).
 *
 * Returns 0 when healthy.  Otherwise -1 with one line (no newline) in
 * err[0..errlen) saying what failed: a bad address, connection refused,
 * the timeout, a malformed answer, or the status with what it means
 * (502: dockerd did not answer through the proxy; 403: the policy does not
 * allow HEAD /_ping), followed by the proxy's JSON message when it sent one.
 * err may be NULL when errlen is 0.  Writes nothing to stdout or stderr.
 */
int	health_check(const char *addr, int timeout_ms, char *err,
	    size_t errlen);

#endif
