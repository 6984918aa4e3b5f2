/*
 * listen.c - listening sockets.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen.h"
#include "log.h"
#include "settings.h"

#define LISTEN_BACKLOG 1024

static int
listen_fail(char *err, size_t errlen, const char *what, const char *addr)
{
	snprintf(err, errlen, "%s %s: %s", what, addr, strerror(errno));
	return -1;
}

/* path: absolute and short enough (set_addr_parse). */
static int
listen_unix(const char *path, int mode, struct listener *l, char *err,
    size_t errlen)
{
	struct sockaddr_un sun;
	struct stat	 st;
	mode_t		 old;
	int		 fd, probe, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	/* Replace a stale socket, but never a live one or a non-socket. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket", path);
			return -1;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe != -1) {
			rc = connect(probe, (struct sockaddr *)&sun, sizeof(sun));
			close(probe);
			if (rc == 0) {
				snprintf(err, errlen, "%s is in use by another "
				    "process", path);
				return -1;
			}
		}
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return listen_fail(err, errlen, "socket", path);
	/* Born with its final mode (the umask is the mode's complement), so
	 * there is no chmod after bind: no window, and no path to follow
	 * into a swapped-in symlink. */
	old = umask((mode_t)(~(mode == -1 ? 0660 : mode) & 0777));
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc == -1 || listen(fd, LISTEN_BACKLOG) == -1) {
		listen_fail(err, errlen, "bind/listen", path);
		close(fd);
		return -1;
	}
	l->is_unix = 1;
	snprintf(l->unix_path, sizeof(l->unix_path), "%s", path);
	snprintf(l->name, sizeof(l->name), "unix://%s", path);
	ev_io_init(&l->io, fd, NULL);
	return 0;
}

static int
listen_tcp_bind(const struct sockaddr *sa, socklen_t salen, int v6only)
{
	int	fd, one = 1, saved;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa->sa_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
		    sizeof(v6only));
	if (bind(fd, sa, salen) == -1 || listen(fd, LISTEN_BACKLOG) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static int
listen_tcp(const struct set_addr *a, struct listener *l, char *err,
    size_t errlen)
{
	struct sockaddr_in  sin;
	struct sockaddr_in6 sin6;
	const char	*scheme = a->tls ? "tls" : "tcp";
	int		 fd;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)a->port);
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons((uint16_t)a->port);

	if (a->kind == SET_ADDR_TCP_ANY) {
		/* Dual-stack where the host has IPv6, IPv4 otherwise. */
		sin6.sin6_addr = in6addr_any;
		fd = listen_tcp_bind((struct sockaddr *)&sin6, sizeof(sin6), 0);
		if (fd != -1) {
			snprintf(l->name, sizeof(l->name), "%s://[::]:%u",
			    scheme, a->port);
		} else {
			log_msg(LOG_WARN, "IPv6 unavailable for %s (%s), "
			    "listening on IPv4 only", a->text, strerror(errno));
			sin.sin_addr.s_addr = htonl(INADDR_ANY);
			fd = listen_tcp_bind((struct sockaddr *)&sin,
			    sizeof(sin), 0);
			snprintf(l->name, sizeof(l->name), "%s://0.0.0.0:%u",
			    scheme, a->port);
		}
	} else if (a->kind == SET_ADDR_TCP4) {
		memcpy(&sin.sin_addr, a->ip, 4);
		fd = listen_tcp_bind((struct sockaddr *)&sin, sizeof(sin), 0);
		snprintf(l->name, sizeof(l->name), "%s://%s:%u", scheme,
		    a->host, a->port);
	} else {
		memcpy(&sin6.sin6_addr, a->ip, 16);
		fd = listen_tcp_bind((struct sockaddr *)&sin6, sizeof(sin6), 1);
		snprintf(l->name, sizeof(l->name), "%s://[%s]:%u", scheme,
		    a->host, a->port);
	}
	if (fd == -1)
		return listen_fail(err, errlen, "cannot listen on", a->text);
	l->is_unix = 0;
	l->unix_path[0] = '\0';
	ev_io_init(&l->io, fd, NULL);
	return 0;
}

int
listen_open(const char *addr, int mode, struct listener *l, char *err,
    size_t errlen)
{
	struct set_addr a;

	memset(l, 0, sizeof(*l));
	if (set_addr_parse(addr, &a, err, errlen) == -1)
		return -1;
	if (a.kind == SET_ADDR_UNIX)
		return listen_unix(a.path, mode, l, err, errlen);
	return listen_tcp(&a, l, err, errlen);
}
int
listen_unix_owner(struct listener *l, long uid, long gid, char *err,
    size_t errlen)
{
	struct stat	 st;

	if (!l->is_unix || (uid == -1 && gid == -1))
		return 0;
	/* fchown on a socket fd does not reach the inode, so the path is
	 * used, without following a link: a link swapped in after bind has
	 * its own owner changed, never its target's, and is then refused.
	 * Until this call the socket is ours with its final mode, which is
	 * narrower than the final owner and mode. */
	if (fchownat(AT_FDCWD, l->unix_path, (uid_t)uid, (gid_t)gid,
	    AT_SYMLINK_NOFOLLOW) == -1)
		return listen_fail(err, errlen, "chown", l->unix_path);
	if (lstat(l->unix_path, &st) == -1 || !S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s was replaced after bind (not a "
		    "socket any more)", l->unix_path);
		return -1;
	}
	return 0;
}

void
listen_close(struct listener *l)
{
	ev_io_stop(&l->io);
	if (l->io.fd != -1)
		close(l->io.fd);
	l->io.fd = -1;
	if (l->is_unix && l->unix_path[0] != '\0')
		unlink(l->unix_path);
}
