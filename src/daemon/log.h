/*
 * log.h - the daemon's log: one line per event on stderr, as text or JSON.
 *
 * Request-derived strings must be passed through the escaping helpers in
 * escape.h (log_access does this itself) so no client can forge a line.
 */
#ifndef SOCKWARD_LOG_H
#define SOCKWARD_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };
enum log_format { LOG_FMT_TEXT = 0, LOG_FMT_JSON };

/* One finished request, as the access log prints it.  Strings are raw
 * (unescaped) and need not be NUL-terminated beyond their lengths. */
struct log_access_rec {
	const char	*client;
	const char	*listener;	/* name of the listener it came in on */
	const char	*method;
	const char	*target;	/* raw request-target as received */
	size_t		 target_len;
	const char	*path;		/* canonical path, "" if none */
	int		 status;
	uint64_t	 bytes;		/* response bytes sent to the client */
	double		 duration_ms;
	const char	*verdict;	/* "allow", "deny", "reject", "error",
					   "hidden", ... */
	const char	*rule;		/* deciding rule, "" if none */
	int		 filtered;	/* the response was rewritten */
	uint64_t	 redacted;	/* values redacted in it */
	uint64_t	 dropped;	/* elements dropped from it */
};

/* Set format and threshold.  Safe to call again at any time. */
void	log_init(enum log_format fmt, enum log_level level);

/* Parse "debug|info|warn|error" / "text|json"; 0 on success, -1 otherwise. */
int	log_level_parse(const char *s, enum log_level *out);
int	log_format_parse(const char *s, enum log_format *out);

/* Print a message at level (printf-style, the message is escaped). */
void	log_msg(enum log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

struct ratelim;

/*
 * A message at level unless rl already passed one this second (then it
 * is only counted; the caller reports the count when rl is flushed).
 * The first line after a held-back run says "(N more WHAT suppressed)".
 * now: the clock rl runs on (milliseconds).
 */
void	log_limited(struct ratelim *rl, uint64_t now, enum log_level level,
	    const char *what, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));

/* Queue one access line for rec at level info; it is written by the
 * next log_flush or log_msg, whichever comes first. */
void	log_access(const struct log_access_rec *rec);

struct exchange_rec;

/* log_access for the record r of an exchange (core/exchange.h) with
 * client, listener and duration_ms. */
void	log_exchange(const struct exchange_rec *r, const char *client,
	    const char *listener, double duration_ms);

/* Write the queued lines, as far as the log output takes them now.  The
 * event loop calls it after every pass, so an access line is at most one
 * pass late; also before exit.  Once the output drains, a line reports
 * how many lines were dropped while it was blocked. */
void	log_flush(void);

/*
 * From now on, never block on the log output: a pipe or terminal on
 * stderr gets a non-blocking open file description of its own (fd 2's
 * flags are left alone), a socket is written with MSG_DONTWAIT, a regular
 * file stays as it is.  Lines the output cannot take yet wait in a
 * bounded buffer; lines that do not fit are dropped and counted.  Call
 * before the event loop and before the sandbox (it opens /proc/self/fd).
 * Returns 0, or -1 when that open failed (the log stays blocking).
 */
int	log_nonblocking(void);

/* Returns 1 when lines wait for the log output: the event loop should
 * wake up soon to retry (log_flush). */
int	log_pending(void);

/* Print msg and exit(1).  Only before the event loop starts. */
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
