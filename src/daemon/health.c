/*
 * health.c - `sockward health [ADDR]`: one HEAD /_ping through the proxy
 * (what Go clients send first, so most profiles allow it).
 *
 * Used as the container's HEALTHCHECK, so it must work in a FROM-scratch
 * image from a static musl binary: numeric addresses only (no resolver),
 * no allocation, one socket, a hard deadline on the whole exchange.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "health.h"

#define HEALTH_RESP_MAX	4096	/* status line, head and the error's JSON */
#define HEALTH_MSG_MAX	200	/* the proxy's message quoted in err */

static const char health_request[] =
	"HEAD /_ping HTTP/1.1\r\n"
	"Host: sockward-health\r\n"
	"User-Agent: sockward-health\r\n"
	"Connection: close\r\n"
	"\r\n";

/* Where to connect: the parsed address and a printable form of it. */
struct health_target {
	struct sockaddr_storage	 ht_sa;
	socklen_t		 ht_salen;
	char			 ht_name[160];
};

static void health_err(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
health_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static long long
health_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left before deadline, at least 0. */
static int
health_left(long long deadline)
{
	long long left = deadline - health_now_ms();

	return left > 0 ? (int)left : 0;
}

/*
 * Parse "unix:///path", "tcp://HOST:PORT" or "tcp://[V6]:PORT" into *t,
 * mapping a wildcard host to its loopback address.  Returns 0 or -1.
 */
static int
health_parse(const char *addr, struct health_target *t)
{
	struct sockaddr_un  *sun = (struct sockaddr_un *)&t->ht_sa;
	struct sockaddr_in  *sin = (struct sockaddr_in *)&t->ht_sa;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&t->ht_sa;
	const char	*hp, *colon, *portstr;
	char		 host[INET6_ADDRSTRLEN], *end;
	unsigned long	 port;
	size_t		 hlen;
	int		 v6;

	memset(t, 0, sizeof(*t));
	if (strncmp(addr, "unix://", 7) == 0) {
		if (addr[7] != '/' || strlen(addr + 7) >= sizeof(sun->sun_path))
			return -1;
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, addr + 7, strlen(addr + 7) + 1);
		t->ht_salen = sizeof(*sun);
		snprintf(t->ht_name, sizeof(t->ht_name), "unix://%s", addr + 7);
		return 0;
	}
	if (strncmp(addr, "tcp://", 6) != 0)
		return -1;
	hp = addr + 6;
	if ((v6 = hp[0] == '[')) {
		if ((colon = strstr(hp, "]:")) == NULL)
			return -1;
		hlen = (size_t)(colon - hp - 1);
		portstr = colon + 2;
		if (hlen == 0 || hlen >= sizeof(host))
			return -1;
		memcpy(host, hp + 1, hlen);
	} else {
		if ((colon = strrchr(hp, ':')) == NULL)
			return -1;
		hlen = (size_t)(colon - hp);
		portstr = colon + 1;
		if (hlen >= sizeof(host) || memchr(hp, ':', hlen) != NULL)
			return -1;
		memcpy(host, hp, hlen);
	}
	host[hlen] = '\0';
	errno = 0;
	port = strtoul(portstr, &end, 10);
	if (*portstr < '0' || *portstr > '9' || *end != '\0' || errno != 0 ||
	    port == 0 || port > 65535)
		return -1;

	/*
	 * A wildcard listener is reached on loopback, spelled out: never
	 * "localhost", which may resolve to ::1 while sockward fell back to
	 * IPv4.  "[::]" is an IPv6-only listener in sockward, so ::1.
	 */
	if (!v6 && (host[0] == '\0' || strcmp(host, "*") == 0 ||
	    strcmp(host, "0.0.0.0") == 0))
		snprintf(host, sizeof(host), "127.0.0.1");
	else if (v6 && strcmp(host, "::") == 0)
		snprintf(host, sizeof(host), "::1");

	if (!v6 && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)port);
		t->ht_salen = sizeof(*sin);
		snprintf(t->ht_name, sizeof(t->ht_name), "%s:%lu", host, port);
		return 0;
	}
	if (v6 && inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((unsigned short)port);
		t->ht_salen = sizeof(*sin6);
		snprintf(t->ht_name, sizeof(t->ht_name), "[%s]:%lu", host, port);
		return 0;
	}
	return -1;
}

/*
 * Wait until fd is ready for events or the deadline passes.  Returns 1
 * ready, 0 timed out, -1 error (errno set).
 */
static int
health_wait(int fd, short events, long long deadline)
{
	struct pollfd pfd;
	int	 n;

	for (;;) {
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		n = poll(&pfd, 1, health_left(deadline));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return n;
		return 1;
	}
}

/* Connect fd to t before the deadline.  Returns 0, or -1 with err set. */
static int
health_connect(int fd, const struct health_target *t, long long deadline,
    int timeout_ms, char *err, size_t errlen)
{
	socklen_t slen = sizeof(int);
	int	 soerr = 0, r;

	if (connect(fd, (const struct sockaddr *)&t->ht_sa, t->ht_salen) == 0)
		return 0;
	if (errno != EINPROGRESS && errno != EINTR) {
		health_err(err, errlen, "cannot connect to %s: %s", t->ht_name,
		    strerror(errno));
		return -1;
	}
	if ((r = health_wait(fd, POLLOUT, deadline)) <= 0) {
		if (r == 0)
			health_err(err, errlen, "timeout: no connection to %s "
			    "within %d ms", t->ht_name, timeout_ms);
		else
			health_err(err, errlen, "cannot connect to %s: %s",
			    t->ht_name, strerror(errno));
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &slen) == -1)
		soerr = errno;
	if (soerr != 0) {
		health_err(err, errlen, "cannot connect to %s: %s", t->ht_name,
		    strerror(soerr));
		return -1;
	}
	return 0;
}

/* Send the whole request before the deadline.  Returns 0 or -1. */
static int
health_send(int fd, const struct health_target *t, long long deadline,
    int timeout_ms, char *err, size_t errlen)
{
	size_t	 off = 0, len = sizeof(health_request) - 1;
	ssize_t	 n;
	int	 r;

	while (off < len) {
		n = send(fd, health_request + off, len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if ((r = health_wait(fd, POLLOUT, deadline)) == 1)
				continue;
			if (r == 0) {
				health_err(err, errlen, "timeout: cannot send the "
				    "request to %s within %d ms", t->ht_name,
				    timeout_ms);
				return -1;
			}
		}
		health_err(err, errlen, "cannot send to %s: %s", t->ht_name,
		    n == 0 ? "nothing written" : strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The status code of the status line at the start of buf ("HTTP/1.x NNN"
 * followed by a space or CR), or -1 when it is not one.
 */
static int
health_status(const char *buf, size_t len)
{
	if (len < 13 || memcmp(buf, "HTTP/1.", 7) != 0 ||
	    buf[7] < '0' || buf[7] > '9' || buf[8] != ' ' ||
	    buf[9] < '1' || buf[9] > '5' ||
	    buf[10] < '0' || buf[10] > '9' ||
	    buf[11] < '0' || buf[11] > '9' ||
	    (buf[12] != ' ' && buf[12] != '\r'))
		return -1;
	return (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
}

/*
 * Has the whole response arrived?  Yes once the head is complete and the
 * body holds Content-Length bytes (no Content-Length: only EOF tells).
 */
static int
health_complete(const char *buf, size_t len)
{
	const char *end, *p, *eol;
	size_t	 head;
	long	 cl = -1;

	if ((end = strstr(buf, "\r\n\r\n")) == NULL)
		return 0;
	head = (size_t)(end - buf) + 4;
	for (p = strstr(buf, "\r\n") + 2; p < end; p = eol + 2) {
		eol = strstr(p, "\r\n");
		if (strncasecmp(p, "Content-Length:", 15) == 0)
			cl = strtol(p + 15, NULL, 10);
	}
	return cl >= 0 && len - head >= (size_t)cl;
}

/*
 * Copy the string value of the first "message" key of the body in buf to
 * out, printable ASCII only; "" when there is none.
 */
static void
health_message(const char *buf, char *out, size_t outlen)
{
	const char *p, *body;
	size_t	 n = 0;

	out[0] = '\0';
	if ((body = strstr(buf, "\r\n\r\n")) == NULL ||
	    (p = strstr(body, "\"message\"")) == NULL)
		return;
	p += 9;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p++ != ':')
		return;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p++ != '"')
		return;
	for (; *p != '\0' && *p != '"' && n + 1 < outlen; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		out[n++] = *p >= 0x20 && *p < 0x7f ? *p : '?';
	}
	out[n] = '\0';
}

/* Printable prefix of an answer that is not HTTP, for err. */
static void
health_printable(const char *buf, size_t len, char *out, size_t outlen)
{
	size_t	 i;

	for (i = 0; i < len && i < 40 && i + 1 < outlen; i++)
		out[i] = buf[i] >= 0x20 && buf[i] < 0x7f ? buf[i] : '.';
	out[i] = '\0';
}

/* Read the answer and judge it.  Returns 0 healthy or -1 with err set. */
static int
health_answer(int fd, const struct health_target *t, long long deadline,
    int timeout_ms, char *err, size_t errlen)
{
	char	 buf[HEALTH_RESP_MAX + 1], msg[HEALTH_MSG_MAX], shown[48];
	size_t	 len = 0;
	ssize_t	 n;
	int	 status, r, eof = 0;
	const char *why;

	/* Up to the end of the status line. */
	while (len < HEALTH_RESP_MAX && memchr(buf, '\n', len) == NULL) {
		n = recv(fd, buf + len, HEALTH_RESP_MAX - len, 0);
		if (n > 0) {
			len += (size_t)n;
			buf[len] = '\0';
			continue;
		}
		if (n == 0) {
			eof = 1;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			health_err(err, errlen, "reading from %s: %s",
			    t->ht_name, strerror(errno));
			return -1;
		}
		if ((r = health_wait(fd, POLLIN, deadline)) == 0) {
			health_err(err, errlen, "timeout: no answer from %s "
			    "within %d ms", t->ht_name, timeout_ms);
			return -1;
		}
		if (r == -1) {
			health_err(err, errlen, "reading from %s: %s",
			    t->ht_name, strerror(errno));
			return -1;
		}
	}
	buf[len] = '\0';
	if (len == 0) {
		health_err(err, errlen, "%s closed the connection without "
		    "answering", t->ht_name);
		return -1;
	}
	if ((status = health_status(buf, len)) == -1) {
		health_printable(buf, len, shown, sizeof(shown));
		health_err(err, errlen, "%s did not answer with HTTP: '%s'",
		    t->ht_name, shown);
		return -1;
	}
	if (status == 200)
		return 0;

	/* Unhealthy: wait (within the deadline) for the JSON message. */
	while (!eof && len < HEALTH_RESP_MAX && !health_complete(buf, len) &&
	    health_wait(fd, POLLIN, deadline) == 1) {
		n = recv(fd, buf + len, HEALTH_RESP_MAX - len, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
	}
	health_message(buf, msg, sizeof(msg));
	switch (status) {
	case 502:
		why = "dockerd is not answering through the proxy";
		break;
	case 503:
		why = "the proxy is not ready";
		break;
	case 403:
		why = "the policy does not allow HEAD /_ping";
		break;
	default:
		why = "unexpected answer to HEAD /_ping";
		break;
	}
	health_err(err, errlen, "status %d from %s: %s%s%s%s", status,
	    t->ht_name, why, msg[0] != '\0' ? " (" : "", msg,
	    msg[0] != '\0' ? ")" : "");
	return -1;
}

int
health_check(const char *addr, int timeout_ms, char *err, size_t errlen)
{
	struct health_target t;
	long long deadline;
	int	 fd, rc = -1;

	if (timeout_ms <= 0)
		timeout_ms = HEALTH_TIMEOUT_MS;
	if (addr == NULL || health_parse(addr, &t) == -1) {
		health_err(err, errlen, "bad address '%s' (want tcp://HOST:PORT, "
		    "tcp://[V6]:PORT or unix:///path; numeric hosts only)",
		    addr != NULL ? addr : "");
		return -1;
	}
	deadline = health_now_ms() + timeout_ms;
	fd = socket(t.ht_sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1) {
		health_err(err, errlen, "socket for %s: %s", t.ht_name,
		    strerror(errno));
		return -1;
	}
	if (health_connect(fd, &t, deadline, timeout_ms, err, errlen) == 0 &&
	    health_send(fd, &t, deadline, timeout_ms, err, errlen) == 0)
		rc = health_answer(fd, &t, deadline, timeout_ms, err, errlen);
	close(fd);
	return rc;
}
