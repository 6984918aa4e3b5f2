/*
 * metrics.h - what sockward counts for Prometheus, without I/O.
 *
 * A registry of metric families with fixed label sets: counters, gauges
 * and one histogram, kept as plain uint64_t indexed by small integers
 * (listener index, verdict, status class, reason, interned rule and body
 * field), and their rendering in the Prometheus text exposition format
 * (version 0.0.4).  The daemon is single-threaded: no atomics.
 *
 * Cardinality stays bounded whatever clients send.  Every label value is
 * a fixed word of this module or comes from the configuration: listener
 * names, and rules named "ORIGIN #N" ("profile traefik #3",
 * "sockward.conf:12 #1"); never a path, a header or a query.  The one
 * value a request shapes, the body field a body policy refused, is
 * reduced to the policy's own field names (array indices and map keys
 * dropped: "HostConfig.Binds[]"), and distinct rules, fields and sparse
 * series are capped (METRICS_MAX_*): past a cap, "(other)".
 *
 * Every function but metrics_new and the helpers at the end accepts a
 * NULL registry and does nothing: the daemon's hooks call them whether or
 * not --metrics is set.  Listener indices are those given to
 * metrics_new; an index out of range is ignored.
 */
#ifndef SOCKWARD_METRICS_H
#define SOCKWARD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define METRICS_MAX_LISTENERS	16	/* CFG_MAX_LISTENERS */
#define METRICS_NAME_MAX	80	/* bytes of a label value, NUL too */
#define METRICS_MAX_RULES	1024	/* distinct rule labels */
#define METRICS_MAX_FIELDS	128	/* distinct body field labels */
#define METRICS_MAX_SERIES	8192	/* series of the denial family */
#define METRICS_MAX_OUTPUT	(16u * 1024 * 1024)	/* rendered bytes */
#define METRICS_NBUCKETS	14	/* histogram buckets, +Inf apart */

/* Why the door refused a client or a stream (admission refusals). */
enum metrics_admit {
	METRICS_ADMIT_NOT_ADMITTED = 0,	/* the listener's admission rules */
	METRICS_ADMIT_CLIENT_CONNS,	/* client-conns reached */
	METRICS_ADMIT_CLIENT_STREAMS,	/* client-streams reached */
	METRICS_ADMIT_STREAMS,		/* streams (all clients) reached */
	METRICS_ADMIT_N
};

struct metrics;
struct exchange_rec;

/*
 * A registry for listeners names[0..n) (the config's listener blocks, in
 * order; n <= METRICS_MAX_LISTENERS; names copied, cut to fit), with the
 * build's version for sockward_build_info and the process's start time
 * (seconds since the epoch).  Returns NULL when out of memory or n is
 * out of range.  Free with metrics_free.
 */
struct metrics *metrics_new(const char *const *names, size_t n,
	    const char *version, int64_t start_time);
void	metrics_free(struct metrics *m);

/*
 * One exchange of listener l is over: count r (borrowed for the call) by
 * verdict and status class; observe its time from head to first
 * response byte (r->t_first - r->t_start) when a byte went; count a
 * refusal by reason and rule, a body policy's by field, a 502 sockward
 * answered, and what the response filter redacted and hid.
 */
void	metrics_record(struct metrics *m, unsigned l,
	    const struct exchange_rec *r);

/*
 * The two byte counters of listener l, [0] towards the upstream and [1]
 * towards clients, for exchange.bytes_ctr (valid until metrics_free), or
 * NULL (m NULL or l out of range).
 */
uint64_t *metrics_bytes_ctr(struct metrics *m, unsigned l);

/* The door let a connection in on listener l. */
void	metrics_accepted(struct metrics *m, unsigned l);

/* The door refused a client (or a stream: the CLIENT_STREAMS and
 * STREAMS reasons) on listener l. */
void	metrics_admission_refused(struct metrics *m, unsigned l,
	    enum metrics_admit why);

/* A TLS handshake on listener l failed (a client without a certificate,
 * one from another CA, a protocol error): for the TLS transport. */
void	metrics_tls_handshake_failed(struct metrics *m, unsigned l);

/* Dialling the upstream failed (the 502 that follows is recorded with its
 * exchange). */
void	metrics_upstream_connect_failed(struct metrics *m);

/* A SIGHUP reload succeeded (ok 1) or was refused (0) at time now
 * (seconds since the epoch). */
void	metrics_reload(struct metrics *m, int ok, int64_t now);

/*
 * Gauges are set at scrape time by walking what is open: clear them,
 * count each open connection of listener l (streaming: a stream or hijack
 * is counted open for it; hijacked: it is a hijacked two-way pipe), and
 * set the number of open upstream connections.
 */
void	metrics_gauges_clear(struct metrics *m);
void	metrics_gauge_conn(struct metrics *m, unsigned l, int streaming,
	    int hijacked);
void	metrics_gauge_upstreams(struct metrics *m, uint64_t n);

/* Rendered exposition text: data[0..len), malloc'd (NULL while empty). */
struct metrics_text {
	char	*data;
	size_t	 len, cap;
	int	 failed;	/* out of memory or METRICS_MAX_OUTPUT */
};

/*
 * Append every family of m, with its HELP and TYPE lines, to *out (zero
 * it first; release it with metrics_text_free).  Families of fixed label
 * sets are always present, zeros included; the requests, denials and
 * body refusals families list the series that have counted something, in
 * the order they first did.  Returns 0, or -1 (out->failed) when memory
 * or METRICS_MAX_OUTPUT ran out.
 */
int	metrics_render(const struct metrics *m, struct metrics_text *out);
void	metrics_text_free(struct metrics_text *t);

/* ---- helpers, exposed for the tests ---- */

/*
 * Escape s as a label value of the text format into dst[0..cap) (cap >
 * 0; the result is cut, on a character boundary, to fit): backslash,
 * double quote and newline escaped; other control bytes and bytes that
 * are not well-formed UTF-8 written as '?'.  Returns the length written.
 */
size_t	metrics_escape(char *dst, size_t cap, const char *s);

/*
 * The label of body field f as the body policy names it (body_policy.h's
 * field paths): bracketed array indices and map keys reduced to "[]",
 * only letters, digits, '.', '_' and '[]' kept, cut to fit dst[0..cap)
 * (cap > 0).  "" stays "".  Returns the length written.
 */
size_t	metrics_field_label(char *dst, size_t cap, const char *f);

#endif
