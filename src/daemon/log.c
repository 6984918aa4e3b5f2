/*
 * log.c - text and JSON log lines on stderr.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "exchange.h"
#include "http_lex.h"
#include "log.h"
#include "ratelim.h"

static enum log_format	log_fmt = LOG_FMT_TEXT;
static enum log_level	log_threshold = LOG_INFO;

static const char *const log_level_names[] = { "debug", "info", "warn", "error" };

void
log_init(enum log_format fmt, enum log_level level)
{
	log_fmt = fmt;
	log_threshold = level;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	size_t	i;

	for (i = 0; i < sizeof(log_level_names) / sizeof(log_level_names[0]); i++)
		if (strcmp(s, log_level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	if (strcmp(s, "warning") == 0) {
		*out = LOG_WARN;
		return 0;
	}
	return -1;
}

int
log_format_parse(const char *s, enum log_format *out)
{
	if (strcmp(s, "text") == 0)
		*out = LOG_FMT_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = LOG_FMT_JSON;
	else
		return -1;
	return 0;
}

/*
 * RFC 3339 UTC time with milliseconds.  The seconds part is formatted once
 * per second: under load every request logs a line.
 */
static size_t
log_time(char *dst, size_t cap)
{
	static time_t	cached_sec = -1;
	static char	cached[24];
	struct timespec	ts;
	struct tm	tm;
	long		ms;
	size_t		n;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != cached_sec) {
		gmtime_r(&ts.tv_sec, &tm);
		strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S", &tm);
		cached_sec = ts.tv_sec;
	}
	ms = ts.tv_nsec / 1000000;
	n = strlen(cached);
	if (cap < n + 6)
		return 0;
	memcpy(dst, cached, n);
	dst[n] = '.';
	dst[n + 1] = (char)('0' + ms / 100);
	dst[n + 2] = (char)('0' + ms / 10 % 10);
	dst[n + 3] = (char)('0' + ms % 10);
	dst[n + 4] = 'Z';
	dst[n + 5] = '\0';
	return n + 5;
}

/*
 * Every line goes through one bounded buffer.  Before the event loop it
 * is written at once, blocking; once log_nonblocking() has run, writes
 * never block: what the log pipe cannot take now waits here, and a line
 * that does not fit is dropped and counted, so a stalled log reader
 * (docker's log driver under pressure) slows nobody.  Only whole lines
 * enter the buffer, and a partial write leaves the rest of a line at its
 * front, so the output is whole lines, in order.  Access lines are queued
 * and written with one write(2) per event-loop pass (log_flush); event
 * lines are written as they come.
 */
#define LOG_BUF_SIZE	(128 * 1024)

static char	 log_buf[LOG_BUF_SIZE];
static size_t	 log_off, log_len;	/* pending: log_buf[log_off..+len) */
static int	 log_fd = STDERR_FILENO;
static int	 log_sock;		/* log_fd is a socket: send(2) */
static int	 log_async;		/* writes never block */
static uint64_t	 log_dropped;		/* lines lost since the last report */

/* Write pending bytes until done or the descriptor would block. */
static void
log_drain(void)
{
	ssize_t	n;

	while (log_len > 0) {
		if (log_sock)
			n = send(log_fd, log_buf + log_off, log_len,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			n = write(log_fd, log_buf + log_off, log_len);
		if (n > 0) {
			log_off += (size_t)n;
			log_len -= (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    log_async)
			return;		/* later: log_pending() says so */
		/* A dead log (EPIPE, EBADF, a full disk): nothing can be
		 * done about it, and the proxy must go on. */
		log_dropped += log_len != 0;
		log_len = 0;
	}
	log_off = 0;
}

/* Queue one whole line; drop it, counted, when the buffer has no room. */
static void
log_queue(const char *line, size_t len)
{
	if (log_off + log_len + len > sizeof(log_buf) && log_off > 0) {
		memmove(log_buf, log_buf + log_off, log_len);
		log_off = 0;
	}
	if (log_off + log_len + len > sizeof(log_buf)) {
		if (!log_async) {
			log_drain();
			if (len <= sizeof(log_buf))
				log_queue(line, len);
			return;
		}
		log_dropped++;
		return;
	}
	memcpy(log_buf + log_off + log_len, line, len);
	log_len += len;
}

static void	log_report_dropped(void);

void
log_flush(void)
{
	log_drain();
	if (log_len == 0 && log_dropped > 0)
		log_report_dropped();
}

int
log_pending(void)
{
	return log_len > 0;
}

int
log_nonblocking(void)
{
	struct stat	 st;
	char		 path[32];
	int		 fd;

	log_flush();
	if (fstat(STDERR_FILENO, &st) == -1 || S_ISREG(st.st_mode) ||
	    S_ISBLK(st.st_mode))
		return 0;	/* a file never blocks for long: keep it */
	if (S_ISSOCK(st.st_mode)) {
		log_sock = 1;	/* MSG_DONTWAIT per call: fd 2 unchanged */
		log_async = 1;
		return 0;
	}
	/* A pipe or a terminal: our own open file description of it,
	 * non-blocking, so the O_NONBLOCK flag is not shared with whoever
	 * else holds fd 2 (a shell, the container runtime). */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", STDERR_FILENO);
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd == -1)
		return -1;
	log_fd = fd;
	log_async = 1;
	return 0;
}

static void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char	msg[1024], esc[2048], ts[40], line[2200];
	int	n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_time(ts, sizeof(ts));
	if (log_fmt == LOG_FMT_JSON) {
		esc_json(esc, sizeof(esc), msg, strlen(msg));
		n = snprintf(line, sizeof(line),
		    "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\"}\n",
		    ts, log_level_names[level], esc);
	} else {
		/* Messages are ours; only control bytes need neutralising. */
		esc_text(esc, sizeof(esc), msg, strlen(msg));
		n = snprintf(line, sizeof(line), "%s %s %s\n", ts,
		    log_level_names[level], esc);
	}
	if (n > 0)
		log_queue(line, (size_t)n < sizeof(line) ? (size_t)n :
		    sizeof(line) - 1);
	log_flush();
}

/* The line that says how many were lost, once the log drains again. */
static void
log_report_dropped(void)
{
	uint64_t n = log_dropped;

	log_dropped = 0;
	log_msg(LOG_WARN, "log: %llu lines dropped while the log output "
	    "was blocked", (unsigned long long)n);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list	ap;

	if (level < log_threshold)
		return;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void
log_limited(struct ratelim *rl, uint64_t now, enum log_level level,
    const char *what, const char *fmt, ...)
{
	va_list	 ap;
	char	 line[600];
	unsigned long sup;

	if (!ratelim_pass(rl, now, &sup))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (sup > 0)
		log_msg(level, "%s (%lu more %s suppressed)", line, sup, what);
	else
		log_msg(level, "%s", line);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}

/* A line being built: appends never overrun; a line that would is cut. */
struct log_line {
	char	b[4096];
	size_t	n;
};

static void
log_put(struct log_line *l, const char *p, size_t len)
{
	if (len > sizeof(l->b) - 1 - l->n)
		len = sizeof(l->b) - 1 - l->n;
	memcpy(l->b + l->n, p, len);
	l->n += len;
}

static void
log_puts(struct log_line *l, const char *p)
{
	log_put(l, p, strlen(p));
}

/* v in decimal; with frac digits, v is in 10^-frac units ("12.345"). */
static void
log_putu(struct log_line *l, uint64_t v, int frac)
{
	char	buf[LEX_FIXED_MAX];

	log_put(l, buf, lex_fixed(buf, v, frac));
}

/* Escaped request-derived bytes (the format's own escaping). */
static void
log_put_esc(struct log_line *l, const char *p, size_t len)
{
	char	esc[1100];
	size_t	n;

	n = log_fmt == LOG_FMT_JSON ? esc_json(esc, sizeof(esc), p, len) :
	    esc_text(esc, sizeof(esc), p, len);
	log_put(l, esc, n);
}

/*
 * The access line, appended piece by piece rather than by snprintf:
 * formatting was the largest user-space cost per request (perf).
 */
void
log_access(const struct log_access_rec *r)
{
	struct log_line	l;
	int		json = log_fmt == LOG_FMT_JSON;
	double		ms = r->duration_ms < 0 ? 0 : r->duration_ms;

	if (LOG_INFO < log_threshold)
		return;
	l.n = 0;
	if (json)
		log_puts(&l, "{\"time\":\"");
	l.n += log_time(l.b + l.n, sizeof(l.b) - l.n);
	if (json) {
		log_puts(&l, "\",\"level\":\"info\",\"msg\":\"access\","
		    "\"client\":\"");
		log_put_esc(&l, r->client, strlen(r->client));
		log_puts(&l, "\",\"listener\":\"");
		log_puts(&l, r->listener);
		log_puts(&l, "\",\"method\":\"");
		log_puts(&l, r->method);
		log_puts(&l, "\",\"target\":\"");
		log_put_esc(&l, r->target, r->target_len);
		log_puts(&l, "\",\"path\":\"");
		log_put_esc(&l, r->path, strlen(r->path));
		log_puts(&l, "\",\"status\":");
		log_putu(&l, (uint64_t)(r->status < 0 ? 0 : r->status), 0);
		log_puts(&l, ",\"bytes\":");
		log_putu(&l, r->bytes, 0);
		log_puts(&l, ",\"duration_ms\":");
		log_putu(&l, (uint64_t)(ms * 1000.0 + 0.5), 3);
		log_puts(&l, ",\"verdict\":\"");
		log_puts(&l, r->verdict);
		log_puts(&l, "\",\"rule\":\"");
		log_put_esc(&l, r->rule, strlen(r->rule));
		log_puts(&l, "\"");
		if (r->filtered) {
			log_puts(&l, ",\"filter\":{\"redacted\":");
			log_putu(&l, r->redacted, 0);
			log_puts(&l, ",\"dropped\":");
			log_putu(&l, r->dropped, 0);
			log_puts(&l, "}");
		}
		log_puts(&l, "}");
	} else {
		log_puts(&l, " info access client=");
		log_put_esc(&l, r->client, strlen(r->client));
		log_puts(&l, " listener=");
		log_puts(&l, r->listener);
		log_puts(&l, " method=");
		log_puts(&l, r->method);
		log_puts(&l, " target=\"");
		log_put_esc(&l, r->target, r->target_len);
		log_puts(&l, "\" path=\"");
		log_put_esc(&l, r->path, strlen(r->path));
		log_puts(&l, "\" status=");
		log_putu(&l, (uint64_t)(r->status < 0 ? 0 : r->status), 0);
		log_puts(&l, " bytes=");
		log_putu(&l, r->bytes, 0);
		log_puts(&l, " duration_ms=");
		log_putu(&l, (uint64_t)(ms * 1000.0 + 0.5), 3);
		log_puts(&l, " verdict=");
		log_puts(&l, r->verdict);
		log_puts(&l, " rule=\"");
		log_put_esc(&l, r->rule, strlen(r->rule));
		log_puts(&l, "\"");
		if (r->filtered) {
			log_puts(&l, " filter=redacted:");
			log_putu(&l, r->redacted, 0);
			log_puts(&l, ",dropped:");
			log_putu(&l, r->dropped, 0);
		}
	}
	l.b[l.n++] = '\n';	/* log_put kept a byte for it */
	log_queue(l.b, l.n);
}

void
log_exchange(const struct exchange_rec *x, const char *client,
    const char *listener, double duration_ms)
{
	struct log_access_rec r;

	r.client = client;
	r.listener = listener;
	r.method = x->method != NULL ? x->method : "-";
	r.target = x->target;
	r.target_len = x->target_len;
	r.path = x->path;
	r.status = x->status;
	r.bytes = x->bytes;
	r.duration_ms = duration_ms;
	r.verdict = x->verdict != NULL ? x->verdict : "-";
	r.rule = x->rule;
	r.filtered = x->filtered;
	r.redacted = x->redacted;
	r.dropped = x->dropped;
	log_access(&r);
}
