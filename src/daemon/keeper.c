/*
 * keeper.c - TLS files read as root, at start-up and on SIGHUP (keeper.h).
 *
 * Protocol on the socketpair: the daemon writes one byte 'R'; the keeper
 * answers, for each registered file in order, a header (int32 errno, 0
 * when read; uint32 length) and that many bytes.  Nothing the daemon
 * sends is ever parsed beyond that byte, and the paths were fixed
 * before the fork.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keeper.h"
#include "log.h"

/* <linux/capability.h>, which musl-gcc does not have (as in sandbox.c) */
#define KEEPER_CAP_V3			0x20080522U
#define KEEPER_CAP_DAC_READ_SEARCH	2

struct keeper_cap_hdr {
	uint32_t	 version;
	int		 pid;
};

struct keeper_cap_data {
	uint32_t	 effective;
	uint32_t	 permitted;
	uint32_t	 inheritable;
};

#define KEEPER_WAIT_S	2

struct keeper_file {
	char	*path;
	char	*data;		/* NUL-terminated, or NULL */
	size_t	 len;
};

struct keeper_hdr {
	int32_t	 err;
	uint32_t len;
};

static struct keeper_file keeper_files[KEEPER_MAX_FILES];
static int	keeper_n;
static int	keeper_fd = -1;		/* the daemon's end */
static pid_t	keeper_pid = -1;

int
keeper_add(const char *path)
{
	int i;

	for (i = 0; i < keeper_n; i++)
		if (strcmp(keeper_files[i].path, path) == 0)
			return i;
	if (keeper_n == KEEPER_MAX_FILES ||
	    (keeper_files[keeper_n].path = strdup(path)) == NULL)
		return -1;
	return keeper_n++;
}

const char *
keeper_path(int i)
{
	return i >= 0 && i < keeper_n ? keeper_files[i].path : NULL;
}

int
keeper_count(void)
{
	return keeper_n;
}

const char *
keeper_data(int i, size_t *len)
{
	if (i < 0 || i >= keeper_n || keeper_files[i].data == NULL)
		return NULL;
	*len = keeper_files[i].len;
	return keeper_files[i].data;
}

/*
 * Read path whole into a malloc'd, NUL-terminated buffer.  Returns 0, or
 * an errno (EFBIG beyond KEEPER_FILE_MAX, EINVAL for what is not a
 * regular file).
 */
static int
keeper_slurp(const char *path, char **out, size_t *len)
{
	struct stat st;
	char	*buf;
	size_t	 got = 0;
	ssize_t	 n;
	int	 fd, err;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return errno;
	if (fstat(fd, &st) == -1) {
		err = errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > KEEPER_FILE_MAX) {
		close(fd);
		return S_ISREG(st.st_mode) ? EFBIG : EINVAL;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* shrunk while read: take what is there */
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}

static const char *
keeper_strerror(int err)
{
	if (err == EFBIG)
		return "larger than 1 MiB";
	if (err == EINVAL)
		return "not a regular file";
	return strerror(err);
}

/* Put the new contents in place of the old, all or nothing. */
static void
keeper_swap(char **data, const size_t *len)
{
	int i;

	for (i = 0; i < keeper_n; i++) {
		free(keeper_files[i].data);
		keeper_files[i].data = data[i];
		keeper_files[i].len = len[i];
		data[i] = NULL;
	}
}

static void
keeper_drop(char **data)
{
	int i;

	for (i = 0; i < keeper_n; i++) {
		free(data[i]);
		data[i] = NULL;
	}
}

int
keeper_read_all(char *err, size_t errlen)
{
	char	*data[KEEPER_MAX_FILES] = { NULL };
	size_t	 len[KEEPER_MAX_FILES] = { 0 };
	int	 i, e;

	char	*buf;
	size_t	 n;

	for (i = 0; i < keeper_n; i++) {
		buf = NULL;
		n = 0;
		if ((e = keeper_slurp(keeper_files[i].path, &buf, &n)) != 0) {
			snprintf(err, errlen, "%s: %s", keeper_files[i].path,
			    keeper_strerror(e));
			keeper_drop(data);
			return -1;
		}
		data[i] = buf;
		len[i] = n;
	}
	keeper_swap(data, len);
	return 0;
}

/* ---- the keeper process ---- */

/* All of buf[0..len) written to fd (writing) or read from it; 0 or -1
 * (an error, EOF, or the socket's time-out). */
static int
keeper_full(int fd, void *buf, size_t len, int writing)
{
	char	*p = buf;
	ssize_t	 n;

	while (len > 0) {
		n = writing ? write(fd, p, len) : read(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Keep at most CAP_DAC_READ_SEARCH (read any file): what we hold of it,
 * nothing else.  Asking for a capability we lack makes capset fail and
 * drop nothing (a container without it), so the current sets are read
 * first and only their intersection with it is kept.  Without it, uid 0
 * still reads the files root owns.  If even that fails, the keeper ends:
 * better no reload than a keeper with every capability.
 */
static void
keeper_caps(void)
{
	struct keeper_cap_hdr hdr;
	struct keeper_cap_data data[2];
	uint32_t keep = 1U << KEEPER_CAP_DAC_READ_SEARCH;

	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = KEEPER_CAP_V3;
	if (syscall(SYS_capget, &hdr, data) == -1)
		_exit(1);
	keep &= data[0].permitted;
	memset(data, 0, sizeof(data));
	hdr.version = KEEPER_CAP_V3;
	hdr.pid = 0;
	data[0].effective = data[0].permitted = keep;
	if (syscall(SYS_capset, &hdr, data) == -1)
		_exit(1);
}

static void
keeper_main(int fd, pid_t parent)
{
	struct keeper_hdr h;
	sigset_t none;
	char	 req, *buf;
	size_t	 len;
	int	 i, e;
	long	 max;

	/* The daemon's end gone means the daemon is gone: so are we. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(0);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	max = sysconf(_SC_OPEN_MAX);
	for (i = 0; i < (max > 0 && max < 65536 ? max : 65536); i++)
		if (i != fd)
			(void)close(i);
	keeper_caps();
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* Narrowed: the daemon may say so now. */
	req = 'K';
	if (keeper_full(fd, &req, 1, 1) == -1)
		_exit(0);
	for (;;) {
		ssize_t n = read(fd, &req, 1);

		if (n == -1 && errno == EINTR)
			continue;
		if (n != 1 || req != 'R')
			_exit(0);
		for (i = 0; i < keeper_n; i++) {
			buf = NULL;
			len = 0;
			e = keeper_slurp(keeper_files[i].path, &buf, &len);
			h.err = e;
			h.len = e == 0 ? (uint32_t)len : 0;
			if (keeper_full(fd, &h, sizeof(h), 1) == -1 ||
			    (e == 0 && keeper_full(fd, buf, len, 1) == -1))
				_exit(0);
			free(buf);
		}
	}
}


/* The keeper stopped answering: it is of no more use. */
static void
keeper_lost(void)
{
	close(keeper_fd);
	keeper_fd = -1;
	keeper_pid = -1;
}

int
keeper_start(void)
{
	struct timeval tv = { KEEPER_WAIT_S, 0 };
	pid_t	 parent = getpid(), pid;
	int	 sp[2];
	char	 ready;

	if (keeper_n == 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1) {
		log_msg(LOG_WARN, "keeper: socketpair: %s; SIGHUP will read "
		    "the TLS files as the daemon's user", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		log_msg(LOG_WARN, "keeper: fork: %s; SIGHUP will read the TLS "
		    "files as the daemon's user", strerror(errno));
		close(sp[0]);
		close(sp[1]);
		return -1;
	}
	if (pid == 0)
		keeper_main(sp[1], parent);	/* never returns */
	close(sp[1]);
	(void)setsockopt(sp[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(sp[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	keeper_fd = sp[0];
	keeper_pid = pid;
	/* Its first byte says it has dropped what it does not need. */
	if (keeper_full(keeper_fd, &ready, 1, 0) == -1 || ready != 'K') {
		log_msg(LOG_WARN, "keeper: did not start; SIGHUP will read "
		    "the TLS files as the daemon's user");
		keeper_lost();
		return -1;
	}
	log_msg(LOG_INFO, "keeper: process %ld keeps the right to read the "
	    "%d TLS file%s for SIGHUP, and nothing else", (long)pid, keeper_n,
	    keeper_n == 1 ? "" : "s");
	return 0;
}

int
keeper_refresh(char *err, size_t errlen)
{
	char	*data[KEEPER_MAX_FILES] = { NULL };
	size_t	 len[KEEPER_MAX_FILES] = { 0 };
	struct keeper_hdr h;
	char	 req = 'R';
	int	 i;

	err[0] = '\0';
	if (keeper_fd == -1)
		return keeper_read_all(err, errlen);
	if (keeper_full(keeper_fd, &req, 1, 1) == -1)
		goto lost;
	for (i = 0; i < keeper_n; i++) {
		if (keeper_full(keeper_fd, &h, sizeof(h), 0) == -1 ||
		    h.len > KEEPER_FILE_MAX)
			goto lost;
		len[i] = h.len;
		if ((data[i] = malloc((size_t)h.len + 1)) == NULL)
			goto lost;
		if (keeper_full(keeper_fd, data[i], h.len, 0) == -1)
			goto lost;
		data[i][h.len] = '\0';
		/* On an error, read on: the stream stays in step. */
		if (h.err != 0 && err[0] == '\0')
			snprintf(err, errlen, "%s: %s", keeper_files[i].path,
			    keeper_strerror(h.err));
	}
	if (err[0] != '\0') {
		keeper_drop(data);
		return -1;
	}
	keeper_swap(data, len);
	return 0;
lost:
	keeper_drop(data);
	keeper_lost();
	snprintf(err, errlen, "the keeper process does not answer; restart "
	    "sockward to reload TLS files");
	return -1;
}
