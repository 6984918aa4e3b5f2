/*
 * log.c - text and JSON log lines on stderr.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "log.h"

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

/* RFC 3339 UTC time with milliseconds. */
static void
log_time(char *dst, size_t cap)
{
	struct timespec	ts;
	struct tm	tm;
	char		tmp[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(dst, cap, "%s.%03ldZ", tmp, ts.tv_nsec / 1000000);
}

/* One write(2) per line so lines from a single process never interleave. */
static void
log_write(const char *line, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(STDERR_FILENO, line, len);
		if (n <= 0)
			return;
		line += n;
		len -= (size_t)n;
	}
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
		log_write(line, (size_t)n < sizeof(line) ? (size_t)n :
		    sizeof(line) - 1);
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
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}

void
log_access(const struct log_access_rec *r)
{
	char	ts[40], client[160], target[1100], path[1100], rule[600];
	char	line[4096];
	int	n;
	size_t	(*esc)(char *, size_t, const char *, size_t);

	if (LOG_INFO < log_threshold)
		return;
	log_time(ts, sizeof(ts));
	esc = log_fmt == LOG_FMT_JSON ? esc_json : esc_text;
	esc(client, sizeof(client), r->client, strlen(r->client));
	esc(target, sizeof(target), r->target, r->target_len);
	esc(path, sizeof(path), r->path, strlen(r->path));
	esc(rule, sizeof(rule), r->rule, strlen(r->rule));
	if (log_fmt == LOG_FMT_JSON)
		n = snprintf(line, sizeof(line),
		    "{\"time\":\"%s\",\"level\":\"info\",\"msg\":\"access\","
		    "\"client\":\"%s\",\"listener\":\"%s\","
		    "\"method\":\"%s\",\"target\":\"%s\","
		    "\"path\":\"%s\",\"status\":%d,\"bytes\":%llu,"
		    "\"duration_ms\":%.3f,\"verdict\":\"%s\",\"rule\":\"%s\"}\n",
		    ts, client, r->listener, r->method, target, path, r->status,
		    (unsigned long long)r->bytes, r->duration_ms, r->verdict,
		    rule);
	else
		n = snprintf(line, sizeof(line),
		    "%s info access client=%s listener=%s method=%s target=\"%s\" "
		    "path=\"%s\" status=%d bytes=%llu duration_ms=%.3f "
		    "verdict=%s rule=\"%s\"\n",
		    ts, client, r->listener, r->method, target, path, r->status,
		    (unsigned long long)r->bytes, r->duration_ms, r->verdict,
		    rule);
	if (n > 0)
		log_write(line, (size_t)n < sizeof(line) ? (size_t)n :
		    sizeof(line) - 1);
}
