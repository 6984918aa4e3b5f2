/*
 * sandbox.c - run unprivileged: drop root, no_new_privs, Landlock, seccomp.
 *
 * Order matters.  The user switch comes first, while we still may call
 * setgroups; no_new_privs next (Landlock and an unprivileged seccomp
 * filter both require it); Landlock before seccomp so the filter need not
 * allow the Landlock calls; seccomp last.
 *
 * Raw system calls and BPF on purpose: no libcap, libseccomp or
 * liblandlock, and not even <linux/...> headers (musl-gcc has none), so
 * the static build stays a plain `musl-gcc -static`.  The few kernel ABI
 * constants and structures used are spelled below; they are fixed ABI.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"
#include "settings.h"

/*
 * Sanitizer runtimes read /proc/self/maps, spawn a ptrace()ing thread for
 * the leak check and use many more calls than the daemon: under them the
 * allowlist and Landlock are skipped (one log line), the user switch stays.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || \
    __has_feature(undefined_behavior_sanitizer)
#define SANDBOX_SANITIZED 1
#endif
#endif
#ifndef SANDBOX_SANITIZED
#define SANDBOX_SANITIZED 0
#endif

/* <linux/audit.h>: EM_* | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE */
#if defined(__x86_64__)
#define SANDBOX_ARCH	0xc000003eU	/* AUDIT_ARCH_X86_64 */
#define SANDBOX_ARCH_NAME "x86_64"
#elif defined(__aarch64__)
#define SANDBOX_ARCH	0xc00000b7U	/* AUDIT_ARCH_AARCH64 */
#define SANDBOX_ARCH_NAME "aarch64"
#endif

/* <linux/capability.h> */
#define SANDBOX_CAP_V3		0x20080522U
#define SANDBOX_CAP_SETGID	6
#define SANDBOX_CAP_SETUID	7

struct sandbox_cap_hdr {
	uint32_t	 version;
	int		 pid;
};

struct sandbox_cap_data {
	uint32_t	 effective;
	uint32_t	 permitted;
	uint32_t	 inheritable;
};

/* <linux/filter.h>, <linux/bpf_common.h>, <linux/seccomp.h> */
struct sandbox_sock_filter {
	uint16_t	 code;
	uint8_t		 jt;
	uint8_t		 jf;
	uint32_t	 k;
};

struct sandbox_sock_fprog {
	unsigned short	 len;
	struct sandbox_sock_filter *filter;
};

struct sandbox_seccomp_data {
	int		 nr;
	uint32_t	 arch;
	uint64_t	 instruction_pointer;
	uint64_t	 args[6];
};

#define SANDBOX_BPF_LD_W_ABS	0x20	/* SANDBOX_BPF_LD_W_ABS */
#define SANDBOX_BPF_JEQ_K	0x15	/* SANDBOX_BPF_JEQ_K */
#define SANDBOX_BPF_JGE_K	0x35	/* SANDBOX_BPF_JGE_K */
#define SANDBOX_BPF_JSET_K	0x45	/* SANDBOX_BPF_JSET_K */
#define SANDBOX_BPF_AND_K	0x54	/* SANDBOX_BPF_AND_K */
#define SANDBOX_BPF_RET_K	0x06	/* SANDBOX_BPF_RET_K */
#define SANDBOX_SECCOMP_MODE_FILTER	2	/* prctl(PR_SET_SECCOMP) */
#define SANDBOX_SECCOMP_SET_MODE_FILTER	1	/* seccomp(2) operation */
#define SANDBOX_RET_KILL_PROCESS	0x80000000U
#define SANDBOX_RET_TRAP		0x00030000U
#define SANDBOX_RET_ALLOW		0x7fff0000U

#ifndef SYS_landlock_create_ruleset	/* same numbers on every arch */
#define SYS_landlock_create_ruleset	444
#define SYS_landlock_add_rule		445
#define SYS_landlock_restrict_self	446
#endif

int
sandbox_parse_uid(const char *s, long *uid)
{
	char		*end;
	unsigned long	 v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	/* (uid_t)-1 means "unchanged" to the set*id calls: never a target. */
	if (*end != '\0' || errno != 0 || v >= 4294967295UL)
		return -1;
	*uid = (long)v;
	return 0;
}

/*
 * The port of a tls:// upstream (dockerd over TCP), 0 when the upstream
 * is a unix socket.  Only such an upstream needs TCP sockets and
 * connects, and it needs no socket group.
 */
static unsigned
sandbox_upstream_port(const char *upstream)
{
	struct set_addr	 a;
	char		 err[256];

	if (upstream == NULL || strncmp(upstream, "tls://", 6) != 0 ||
	    set_addr_parse(upstream, &a, err, sizeof(err)) == -1)
		return 0;
	return a.port;
}

/* ---- the user switch ---- */

/* Does the effective set hold CAP_SETUID and CAP_SETGID?  (No libcap.) */
static int
sandbox_can_setid(void)
{
	struct sandbox_cap_hdr	hdr;
	struct sandbox_cap_data	data[2];

	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = SANDBOX_CAP_V3;
	if (syscall(SYS_capget, &hdr, data) == -1)
		return 0;
	return (data[0].effective & (1U << SANDBOX_CAP_SETUID)) != 0 &&
	    (data[0].effective & (1U << SANDBOX_CAP_SETGID)) != 0;
}

/* Is gid among our groups (real, effective or supplementary)? */
static int
sandbox_in_group(gid_t gid)
{
	gid_t	 groups[256];
	int	 i, n;

	if (getgid() == gid || getegid() == gid)
		return 1;
	n = getgroups((int)(sizeof(groups) / sizeof(groups[0])), groups);
	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			return 1;
	return 0;
}

/*
 * After the switch (or when there was none): can we use the upstream?
 * If not, say exactly what to change, since "permission denied" on every
 * request is the usual first-run surprise with `user:` in compose.
 */
static void
sandbox_check_upstream(const char *path)
{
	struct stat st;

	if (path == NULL || stat(path, &st) == -1)
		return;		/* main already warned that it is missing */
	if (access(path, R_OK | W_OK) == 0)
		return;
	/* Single quotes: the text log escapes double quotes. */
	if (!sandbox_in_group(st.st_gid) && (st.st_mode & 060) == 060)
		log_msg(LOG_WARN, "upstream %s is not accessible to uid %u "
		    "gid %u: add group_add: ['%u'] to this service (the "
		    "socket %s belongs to gid %u); until then requests get 502",
		    path, (unsigned)getuid(), (unsigned)getgid(),
		    (unsigned)st.st_gid, path, (unsigned)st.st_gid);
	else
		log_msg(LOG_WARN, "upstream %s (owner %u, group %u, mode %04o) "
		    "is not accessible to uid %u gid %u: requests get 502",
		    path, (unsigned)st.st_uid, (unsigned)st.st_gid,
		    (unsigned)(st.st_mode & 07777), (unsigned)getuid(),
		    (unsigned)getgid());
}

/* Did the switch stick, and is root gone for good? */
static int
sandbox_verify(uid_t uid, gid_t gid)
{
	uid_t	 ru, eu, su;
	gid_t	 rg, eg, sg, groups[2];
	int	 n;

	if (getresuid(&ru, &eu, &su) == -1 || ru != uid || eu != uid ||
	    su != uid) {
		log_msg(LOG_ERROR, "privileges: uids are not all %u after the "
		    "switch", (unsigned)uid);
		return -1;
	}
	if (getresgid(&rg, &eg, &sg) == -1 || rg != gid || eg != gid ||
	    sg != gid) {
		log_msg(LOG_ERROR, "privileges: gids are not all %u after the "
		    "switch", (unsigned)gid);
		return -1;
	}
	n = getgroups(2, groups);
	if (n != 1 || groups[0] != gid) {
		log_msg(LOG_ERROR, "privileges: supplementary groups are not "
		    "exactly [%u] after the switch", (unsigned)gid);
		return -1;
	}
	/* The real test: if this works, we are not unprivileged at all.
	 * (gid 0 may be the target: a socket owned by root:root.) */
	if (setresuid(0, 0, 0) == 0 ||
	    (gid != 0 && setresgid(0, 0, 0) == 0)) {
		log_msg(LOG_ERROR, "privileges: root could be regained after "
		    "switching to uid %u", (unsigned)uid);
		return -1;
	}
	return 0;
}

/*
 * Switch to uid with the upstream's group as the only group.  Returns 0
 * (switched, or nothing to do, logged), -1 on a fatal half-done switch.
 */
static int
sandbox_switch_user(const struct sandbox_opts *o)
{
	struct stat	 st;
	uid_t		 uid = o->uid < 0 ? (uid_t)SANDBOX_DEFAULT_UID :
			    (uid_t)o->uid;
	gid_t		 gid;

	if (geteuid() != 0) {
		if (o->uid >= 0 && (uid_t)o->uid != geteuid())
			log_msg(LOG_WARN, "privileges: not started as root, "
			    "cannot switch to uid %ld; running as uid %u gid %u",
			    o->uid, (unsigned)geteuid(), (unsigned)getegid());
		else
			log_msg(LOG_INFO, "privileges: started unprivileged as "
			    "uid %u gid %u; no user switch needed",
			    (unsigned)geteuid(), (unsigned)getegid());
		sandbox_check_upstream(o->upstream);
		return 0;
	}
	if (o->uid == 0) {
		log_msg(LOG_WARN, "privileges: --user 0 given: staying root "
		    "(not recommended)");
		return 0;
	}
	if (!sandbox_can_setid()) {
		/* cap_drop: [ALL]: root in name only, and stuck there. */
		if (o->upstream != NULL && stat(o->upstream, &st) == 0)
			log_msg(LOG_WARN, "privileges: running as uid 0 without "
			    "capabilities; cannot switch user - run with user: "
			    "%u and group_add: ['%u']", (unsigned)uid,
			    (unsigned)st.st_gid);
		else
			log_msg(LOG_WARN, "privileges: running as uid 0 without "
			    "capabilities; cannot switch user - run with user: "
			    "%u and group_add", (unsigned)uid);
		sandbox_check_upstream(o->upstream);
		return 0;
	}
	if (sandbox_upstream_port(o->upstream) != 0) {
		/* dockerd over TCP: no socket whose group we would need. */
		gid = (gid_t)uid;
	} else if (o->upstream != NULL && stat(o->upstream, &st) == 0)
		gid = st.st_gid;
	else {
		/* No socket yet: its group is unknown, keep none of root's. */
		gid = (gid_t)uid;
		log_msg(LOG_WARN, "privileges: upstream %s: %s; using gid %u "
		    "(restart once the socket exists if its group differs)",
		    o->upstream != NULL ? o->upstream : "(none)",
		    strerror(errno), (unsigned)gid);
	}
	/* From here on every failure is half-way: the caller must exit. */
	if (setgroups(1, &gid) == -1) {
		log_msg(LOG_ERROR, "privileges: setgroups([%u]): %s",
		    (unsigned)gid, strerror(errno));
		return -1;
	}
	if (setresgid(gid, gid, gid) == -1) {
		log_msg(LOG_ERROR, "privileges: setresgid(%u): %s",
		    (unsigned)gid, strerror(errno));
		return -1;
	}
	if (setresuid(uid, uid, uid) == -1) {
		log_msg(LOG_ERROR, "privileges: setresuid(%u): %s",
		    (unsigned)uid, strerror(errno));
		return -1;
	}
	if (sandbox_verify(uid, gid) == -1)
		return -1;
#if SANDBOX_SANITIZED
	/* The leak checker ptrace()s us; the switch made us non-dumpable. */
	(void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
#endif
	if (sandbox_upstream_port(o->upstream) != 0)
		log_msg(LOG_INFO, "privileges: switched to uid %u gid %u "
		    "(groups %u; the upstream %s needs no group); root cannot "
		    "be regained", (unsigned)uid, (unsigned)gid, (unsigned)gid,
		    o->upstream);
	else
		log_msg(LOG_INFO, "privileges: switched to uid %u gid %u "
		    "(groups %u, the group of %s); root cannot be regained",
		    (unsigned)uid, (unsigned)gid, (unsigned)gid, o->upstream);
	sandbox_check_upstream(o->upstream);
	return 0;
}

/* Can the config file still be read for SIGHUP? */
static void
sandbox_check_config(const char *path)
{
	int	fd;

	if (path == NULL)
		return;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_msg(LOG_WARN, "config %s is not readable by uid %u gid %u "
		    "(%s): reload on SIGHUP will fail; make it readable (e.g. "
		    "mode 0644 and a searchable directory)", path,
		    (unsigned)getuid(), (unsigned)getgid(), strerror(errno));
		return;
	}
	close(fd);
}

/* ---- Landlock ---- */

/*
 * Bookworm's <linux/landlock.h> stops at ABI 2, so the newer bits and the
 * three-field ruleset attribute are spelled here; the kernel takes the
 * attribute size we pass, so older kernels see only the fields they know.
 */
#define SANDBOX_LL_CREATE_VERSION	(1U << 0)
#define SANDBOX_LL_RULE_PATH_BENEATH	1
#define SANDBOX_LL_RULE_NET_PORT	2			/* ABI 4 */
#define SANDBOX_LL_FS_ABI1		((1ULL << 13) - 1)	/* EXECUTE..MAKE_SYM */
#define SANDBOX_LL_FS_READ_FILE		(1ULL << 2)
#define SANDBOX_LL_FS_REMOVE_FILE	(1ULL << 5)
#define SANDBOX_LL_FS_REFER		(1ULL << 13)		/* ABI 2 */
#define SANDBOX_LL_FS_TRUNCATE		(1ULL << 14)		/* ABI 3 */
#define SANDBOX_LL_FS_IOCTL_DEV		(1ULL << 15)		/* ABI 5 */
#define SANDBOX_LL_NET_TCP		((1ULL << 0) | (1ULL << 1)) /* ABI 4 */
#define SANDBOX_LL_NET_CONNECT_TCP	(1ULL << 1)
#define SANDBOX_LL_SCOPE_ALL		((1ULL << 0) | (1ULL << 1)) /* ABI 6 */

struct sandbox_ll_ruleset {
	uint64_t	 fs;
	uint64_t	 net;
	uint64_t	 scoped;
};

struct sandbox_ll_beneath {
	uint64_t	 allowed;
	int32_t		 parent_fd;
} __attribute__((packed));

struct sandbox_ll_port {
	uint64_t	 allowed;
	uint64_t	 port;
};

/* The TLS library seeds each session's random generator from this file
 * (wolfSSL without getrandom support: Debian's build). */
#define SANDBOX_URANDOM	"/dev/urandom"

/* Directory part of path ("." or "/" when there is none). */
static void
sandbox_dirname(const char *path, char *dst, size_t cap)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dst, cap, ".");
	else if (slash == path)
		snprintf(dst, cap, "/");
	else
		snprintf(dst, cap, "%.*s", (int)(slash - path), path);
}

/* The rule for path itself (oflags: O_DIRECTORY or 0). */
static int
sandbox_ll_allow_path(int rfd, const char *path, int oflags,
    uint64_t rights)
{
	struct sandbox_ll_beneath pb;
	int	 fd, rc, saved;

	if ((fd = open(path, O_PATH | oflags | O_CLOEXEC)) == -1)
		return -1;
	memset(&pb, 0, sizeof(pb));
	pb.allowed = rights;
	pb.parent_fd = fd;
	rc = (int)syscall(SYS_landlock_add_rule, rfd,
	    SANDBOX_LL_RULE_PATH_BENEATH, &pb, 0);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* Allow reading the file at path itself; 0, or -1 with errno. */
static int
sandbox_ll_allow_file(int rfd, const char *path, uint64_t rights)
{
	return sandbox_ll_allow_path(rfd, path, 0, rights);
}

/* Allow access beneath the directory of path; 0, or -1 with errno. */
static int
sandbox_ll_allow_dir(int rfd, const char *path, uint64_t rights)
{
	char	 dir[PATH_MAX];

	sandbox_dirname(path, dir, sizeof(dir));
	return sandbox_ll_allow_path(rfd, dir, O_DIRECTORY, rights);
}

static void
sandbox_landlock(const struct sandbox_opts *o)
{
	struct sandbox_ll_ruleset attr;
	struct sandbox_ll_port np;
	char	 real[PATH_MAX], what[600], net[80];
	size_t	 i, attr_size, wlen = 0;
	unsigned port = sandbox_upstream_port(o->upstream);
	long	 abi;
	int	 rfd, nrem = 0;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    SANDBOX_LL_CREATE_VERSION);
	if (abi < 1) {
		log_msg(LOG_WARN, "landlock: not available (%s); the "
		    "filesystem stays as the uid and group allow",
		    errno == ENOSYS ? "kernel without Landlock, or blocked by "
		    "a seccomp profile" : errno == EOPNOTSUPP ? "disabled at "
		    "boot" : strerror(errno));
		return;
	}
	memset(&attr, 0, sizeof(attr));
	attr.fs = SANDBOX_LL_FS_ABI1;
	if (abi >= 2)
		attr.fs |= SANDBOX_LL_FS_REFER;
	if (abi >= 3)
		attr.fs |= SANDBOX_LL_FS_TRUNCATE;
	if (abi >= 5)
		attr.fs |= SANDBOX_LL_FS_IOCTL_DEV;
	/* The listeners are bound: no TCP bind is needed again, and no
	 * connect but to a tls:// upstream's port (a rule below). */
	if (abi >= 4)
		attr.net = SANDBOX_LL_NET_TCP;
	/* No abstract unix sockets, no signals to processes outside. */
	if (abi >= 6)
		attr.scoped = SANDBOX_LL_SCOPE_ALL;
	attr_size = abi >= 6 ? 24 : abi >= 4 ? 16 : 8;
	rfd = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
	if (rfd == -1) {
		log_msg(LOG_WARN, "landlock: cannot create a ruleset: %s",
		    strerror(errno));
		return;
	}
	/*
	 * Connecting to the upstream (a pathname unix socket) needs no rule:
	 * Landlock's filesystem rights do not govern connect(2) on ABI <= 7.
	 * The config file's directory, not the file: editors and Kubernetes
	 * ConfigMaps replace the file (a new inode) and the reload must still
	 * read it.  Both the given and the resolved path count for symlinks.
	 */
	what[0] = '\0';
	if (o->config_path != NULL) {
		if (sandbox_ll_allow_dir(rfd, o->config_path,
		    SANDBOX_LL_FS_READ_FILE) == -1)
			log_msg(LOG_WARN, "landlock: no read rule for the "
			    "directory of %s (%s): reload on SIGHUP will fail",
			    o->config_path, strerror(errno));
		if (realpath(o->config_path, real) != NULL &&
		    strcmp(real, o->config_path) != 0)
			(void)sandbox_ll_allow_dir(rfd, real,
			    SANDBOX_LL_FS_READ_FILE);
		sandbox_dirname(o->config_path, real, sizeof(real));
		wlen += (size_t)snprintf(what + wlen, sizeof(what) - wlen,
		    "read files in %s (config)", real);
	}
	/* Exit removes the unix listener sockets; DAC still decides. */
	for (i = 0; i < o->n_unix; i++) {
		if (sandbox_ll_allow_dir(rfd, o->unix_paths[i],
		    SANDBOX_LL_FS_REMOVE_FILE) == -1) {
			log_msg(LOG_DEBUG, "landlock: no remove rule for the "
			    "directory of %s (%s): it stays at exit",
			    o->unix_paths[i], strerror(errno));
			continue;
		}
		nrem++;
	}
	if (nrem > 0 && wlen < sizeof(what))
		wlen += (size_t)snprintf(what + wlen, sizeof(what) - wlen,
		    "%sremove %d unix listener socket%s", wlen ? ", " : "",
		    nrem, nrem == 1 ? "" : "s");
	if (sandbox_ll_allow_file(rfd, SANDBOX_URANDOM,
	    SANDBOX_LL_FS_READ_FILE) == -1)
		log_msg(LOG_WARN, "landlock: no read rule for %s (%s): TLS "
		    "sessions may fail to start", SANDBOX_URANDOM,
		    strerror(errno));
	else if (wlen < sizeof(what))
		wlen += (size_t)snprintf(what + wlen, sizeof(what) - wlen,
		    "%sread %s (TLS)", wlen ? ", " : "", SANDBOX_URANDOM);
	snprintf(net, sizeof(net), "; no TCP bind or connect");
	if (abi >= 4 && port != 0) {
		memset(&np, 0, sizeof(np));
		np.allowed = SANDBOX_LL_NET_CONNECT_TCP;
		np.port = port;
		if (syscall(SYS_landlock_add_rule, rfd,
		    SANDBOX_LL_RULE_NET_PORT, &np, 0) == -1)
			log_msg(LOG_WARN, "landlock: no connect rule for TCP "
			    "port %u (%s): the upstream %s is out of reach",
			    port, strerror(errno), o->upstream);
		else
			snprintf(net, sizeof(net), "; no TCP bind, TCP connect "
			    "only to port %u (upstream)", port);
	}
	if (syscall(SYS_landlock_restrict_self, rfd, 0) == -1) {
		log_msg(LOG_WARN, "landlock: cannot restrict: %s",
		    strerror(errno));
		close(rfd);
		return;
	}
	close(rfd);
	log_msg(LOG_INFO, "landlock: ABI %ld: filesystem access limited to "
	    "%s%s%s", abi, what[0] ? what : "none at all",
	    abi >= 4 ? net : "",
	    abi >= 6 ? "; abstract sockets and signals scoped" : "");
}

/* ---- seccomp ---- */

#ifdef SANDBOX_ARCH

/*
 * What the daemon calls once the loop runs.  strace -f of the whole
 * integration suite, after the first epoll_wait, saw exactly: epoll_ctl,
 * epoll_wait, read, writev, write, accept4, close, setsockopt, socket,
 * connect, shutdown, getsockopt (SO_PEERCRED), brk, unlink, exit_group;
 * the SIGHUP reload adds openat, read, close and mmap/munmap (its 1 MiB
 * buffer).  The rest is what the code can reach on other paths or with
 * the static (musl) build: epoll_pwait (aarch64 has no epoll_wait), open
 * and fstat (musl), clock_gettime without a vDSO, mremap/madvise/munmap
 * (malloc), futex, rt_sigreturn and restart_syscall (signal delivery),
 * getpid/gettid/tgkill (raise, abort), fcntl, lseek and the stat family
 * (harmless metadata).  socket, open(at), mmap, mprotect and tgkill are
 * allowed only with the arguments checked in sandbox_seccomp.
 */
static const int sandbox_plain[] = {
	SYS_read, SYS_readv, SYS_write, SYS_writev, SYS_close,
	SYS_epoll_ctl, SYS_epoll_pwait,
#ifdef SYS_epoll_wait
	SYS_epoll_wait,
#endif
#ifdef SYS_epoll_pwait2
	SYS_epoll_pwait2,
#endif
	SYS_accept4, SYS_connect, SYS_shutdown, SYS_getsockopt,
	SYS_setsockopt,
	SYS_recvfrom,	/* MSG_PEEK at chunk framing while splicing */
	SYS_sendto,	/* a log socket on stderr, MSG_DONTWAIT (log.c) */
	SYS_splice, SYS_pipe2,	/* zero-copy relaying (spipe.c) */
	SYS_fcntl, SYS_lseek, SYS_fstat, SYS_newfstatat,
#ifdef SYS_statx
	SYS_statx,
#endif
#ifdef SYS_stat
	SYS_stat, SYS_lstat,
#endif
#ifdef SYS_unlink
	SYS_unlink,
#endif
	SYS_unlinkat,
	SYS_clock_gettime, SYS_clock_getres, SYS_gettimeofday,
	SYS_rt_sigreturn, SYS_rt_sigprocmask, SYS_restart_syscall,
	SYS_getpid, SYS_gettid, SYS_getuid, SYS_geteuid, SYS_getgid,
	SYS_getegid,
	SYS_brk, SYS_munmap, SYS_mremap, SYS_madvise, SYS_futex,
	SYS_getrandom, SYS_exit, SYS_exit_group,
#ifdef SYS_getrlimit
	SYS_getrlimit,	/* accept pacing reads the open-file limit */
#endif
};

#define SANDBOX_BPF_MAX	256
#define SANDBOX_ARG_LO(i) (offsetof(struct sandbox_seccomp_data, args) + \
	    (i) * sizeof(uint64_t))	/* both arches are little-endian */
#define SANDBOX_ARG_HI(i) (SANDBOX_ARG_LO(i) + sizeof(uint32_t))
#define SANDBOX_RET_DEFAULT	SANDBOX_RET_TRAP	/* -> EPERM + log */

struct sandbox_bpf {
	struct sandbox_sock_filter f[SANDBOX_BPF_MAX];
	size_t			 n;
};

static void
sandbox_emit(struct sandbox_bpf *b, uint16_t code, uint32_t k, uint8_t jt,
    uint8_t jf)
{
	if (b->n < SANDBOX_BPF_MAX) {
		b->f[b->n].code = code;
		b->f[b->n].jt = jt;
		b->f[b->n].jf = jf;
		b->f[b->n].k = k;
	}
	b->n++;		/* overflow is caught before install */
}

/* nr: allow. */
static void
sandbox_allow(struct sandbox_bpf *b, int nr)
{
	sandbox_emit(b, SANDBOX_BPF_JEQ_K, (uint32_t)nr, 0, 1);
	sandbox_emit(b, SANDBOX_BPF_RET_K, SANDBOX_RET_ALLOW, 0, 0);
}

/* nr: allow when no bit of mask is set in argument argi (its low word),
 * else the default action.  A is reloaded with nr afterwards. */
static void
sandbox_allow_clear(struct sandbox_bpf *b, int nr, unsigned argi,
    uint32_t mask)
{
	sandbox_emit(b, SANDBOX_BPF_JEQ_K, (uint32_t)nr, 0, 4);
	sandbox_emit(b, SANDBOX_BPF_LD_W_ABS, (uint32_t)SANDBOX_ARG_LO(argi),
	    0, 0);
	sandbox_emit(b, SANDBOX_BPF_JSET_K, mask, 1, 0);
	sandbox_emit(b, SANDBOX_BPF_RET_K, SANDBOX_RET_ALLOW, 0, 0);
	sandbox_emit(b, SANDBOX_BPF_RET_K, SANDBOX_RET_DEFAULT, 0, 0);
}

/* One 32-bit word of the seccomp data that must hold a value. */
struct sandbox_word {
	uint32_t	 off;	/* SANDBOX_ARG_LO(i) or SANDBOX_ARG_HI(i) */
	uint32_t	 val;
};

/* nr: allow when every word w[0..n) holds its value, else the default
 * action.  A keeps nr when nr does not match. */
static void
sandbox_allow_words(struct sandbox_bpf *b, int nr,
    const struct sandbox_word *w, size_t n)
{
	size_t	 k;

	sandbox_emit(b, SANDBOX_BPF_JEQ_K, (uint32_t)nr, 0,
	    (uint8_t)(2 * n + 2));
	for (k = 0; k < n; k++) {
		sandbox_emit(b, SANDBOX_BPF_LD_W_ABS, w[k].off, 0, 0);
		/* On a mismatch, past the remaining pairs and the allow. */
		sandbox_emit(b, SANDBOX_BPF_JEQ_K, w[k].val, 0,
		    (uint8_t)(2 * (n - 1 - k) + 1));
	}
	sandbox_emit(b, SANDBOX_BPF_RET_K, SANDBOX_RET_ALLOW, 0, 0);
	sandbox_emit(b, SANDBOX_BPF_RET_K, SANDBOX_RET_DEFAULT, 0, 0);
}

/* socket: stream sockets of AF_UNIX only (the upstream connect), and of
 * AF_INET and AF_INET6 with a TCP upstream (tcp != 0). */
static void
sandbox_allow_socket(struct sandbox_bpf *b, int tcp)
{
	uint8_t	 fam = tcp ? 2 : 0;	/* family tests after AF_UNIX's */

	sandbox_emit(b, SANDBOX_BPF_JEQ_K, SYS_socket, 0, (uint8_t)(7 + fam));
	sandbox_emit(b, SANDBOX_BPF_LD_W_ABS, (uint32_t)SANDBOX_ARG_LO(0),
	    0, 0);
	/* A family on the list jumps to the type test, else the default. */
	sandbox_emit(b, SANDBOX_BPF_JEQ_K, AF_UNIX, fam, tcp ? 0 : 3);
	if (tcp) {
		sandbox_emit(b, SANDBOX_BPF_JEQ_K, AF_INET, 1, 0);
		sandbox_emit(b, SANDBOX_BPF_JEQ_K, AF_INET6, 0, 3);
	}
	sandbox_emit(b, SANDBOX_BPF_LD_W_ABS, (uint32_t)SANDBOX_ARG_LO(1),
	    0, 0);
	sandbox_emit(b, SANDBOX_BPF_AND_K, 0xf, 0, 0);	/* type */
	sandbox_emit(b, SANDBOX_BPF_JEQ_K, SOCK_STREAM, 1, 0);
	sandbox_emit(b, SANDBOX_BPF_RET_K, SANDBOX_RET_DEFAULT, 0, 0);
	sandbox_emit(b, SANDBOX_BPF_RET_K, SANDBOX_RET_ALLOW, 0, 0);
}

static void
sandbox_reload_nr(struct sandbox_bpf *b)
{
	sandbox_emit(b, SANDBOX_BPF_LD_W_ABS,
	    (uint32_t)offsetof(struct sandbox_seccomp_data, nr), 0, 0);
}

/* One warning per system call number: enough to report, never a flood. */
static unsigned char sandbox_seen[1024 / 8];

/*
 * SIGSYS from SANDBOX_RET_TRAP: make the call return -EPERM and log its
 * number once.  Why not SECCOMP_RET_ERRNO: it is silent, and a call
 * missing from the list (another libc in the static build, a rare error
 * path) would show up only as a puzzling EPERM.  Why not KILL: a proxy
 * that dies on a rare path is worse than one that logs and refuses it;
 * nothing outside the list (execve, ptrace, mount...) is any use to an
 * attacker when it fails.  log_msg is safe enough here: the daemon is
 * single-threaded, the trap is synchronous, and log_msg only formats
 * into stack buffers and calls clock_gettime and write, both allowed.
 */
static void
sandbox_sigsys(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t	*uc = ctx;
	unsigned	 nr = (unsigned)si->si_syscall;
	int		 saved = errno;

	(void)sig;
#if defined(__x86_64__)
	uc->uc_mcontext.gregs[REG_RAX] = -EPERM;
#elif defined(__aarch64__)
	uc->uc_mcontext.regs[0] = (uint64_t)(int64_t)-EPERM;
#endif
	if (nr >= sizeof(sandbox_seen) * 8 ||
	    !(sandbox_seen[nr / 8] & (1U << (nr % 8)))) {
		if (nr < sizeof(sandbox_seen) * 8)
			sandbox_seen[nr / 8] |= (unsigned char)(1U << (nr % 8));
		log_msg(LOG_WARN, "seccomp: refused system call %u (%s) "
		    "with EPERM: it, or its arguments, are not on sockward's "
		    "list; please report this", nr, SANDBOX_ARCH_NAME);
	}
	errno = saved;
}

static void
sandbox_seccomp(int tcp)
{
	static struct sandbox_bpf b;
	struct sandbox_sock_fprog prog;
	struct sigaction sa;
	uint32_t	 wflags;
	size_t		 i, n = sizeof(sandbox_plain) / sizeof(sandbox_plain[0]);
	size_t		 nargs = 5;	/* openat mmap mprotect socket tgkill */

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == -1 && errno == EINVAL) {
		log_msg(LOG_WARN, "seccomp: not available in this kernel; no "
		    "system call filter");
		return;
	}
	b.n = 0;
	/* A foreign calling convention (i386 int 0x80, x32) has other
	 * numbers: kill rather than misjudge it. */
	sandbox_emit(&b, SANDBOX_BPF_LD_W_ABS,
	    (uint32_t)offsetof(struct sandbox_seccomp_data, arch), 0, 0);
	sandbox_emit(&b, SANDBOX_BPF_JEQ_K, SANDBOX_ARCH, 1, 0);
	sandbox_emit(&b, SANDBOX_BPF_RET_K, SANDBOX_RET_KILL_PROCESS, 0, 0);
	sandbox_reload_nr(&b);
#if defined(__x86_64__)
	sandbox_emit(&b, SANDBOX_BPF_JGE_K, 0x40000000U, 0, 1);
	sandbox_emit(&b, SANDBOX_BPF_RET_K, SANDBOX_RET_KILL_PROCESS, 0, 0);
#endif
	for (i = 0; i < n; i++)
		sandbox_allow(&b, sandbox_plain[i]);
	/* Read-only opens: Landlock may be missing, this filter is not. */
	wflags = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_EXCL |
	    (O_TMPFILE & ~O_DIRECTORY);
	sandbox_allow_clear(&b, SYS_openat, 2, wflags);
	sandbox_reload_nr(&b);
#ifdef SYS_open
	sandbox_allow_clear(&b, SYS_open, 1, wflags);
	sandbox_reload_nr(&b);
	nargs++;
#endif
	/* prlimit64 as getrlimit (libc's way): this process (pid 0) and a
	 * NULL new limit, all 64 bits of the pointer: reading, never
	 * setting.  The pid is an int to the kernel (high word ignored). */
	{
		const struct sandbox_word w[] = {
			{ (uint32_t)SANDBOX_ARG_LO(0), 0 },
			{ (uint32_t)SANDBOX_ARG_LO(2), 0 },
			{ (uint32_t)SANDBOX_ARG_HI(2), 0 },
		};
		sandbox_allow_words(&b, SYS_prlimit64, w, 3);
	}
	/* malloc maps memory; nothing ever needs to become executable. */
	sandbox_allow_clear(&b, SYS_mmap, 2, PROT_EXEC);
	sandbox_reload_nr(&b);
	sandbox_allow_clear(&b, SYS_mprotect, 2, PROT_EXEC);
	sandbox_reload_nr(&b);
	sandbox_allow_socket(&b, tcp);
	sandbox_reload_nr(&b);
	/* raise()/abort() signal this process only. */
	{
		const struct sandbox_word w[] = {
			{ (uint32_t)SANDBOX_ARG_LO(0), (uint32_t)getpid() },
		};
		sandbox_allow_words(&b, SYS_tgkill, w, 1);
	}
	sandbox_emit(&b, SANDBOX_BPF_RET_K, SANDBOX_RET_DEFAULT, 0, 0);
	if (b.n > SANDBOX_BPF_MAX) {
		log_msg(LOG_ERROR, "seccomp: filter too long (%zu); not "
		    "installed", b.n);
		return;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sandbox_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) == -1) {
		log_msg(LOG_WARN, "seccomp: cannot handle SIGSYS (%s); no "
		    "system call filter", strerror(errno));
		return;
	}
	prog.len = (unsigned short)b.n;
	prog.filter = b.f;
	/* seccomp(2) since 3.17; the prctl is the older spelling. */
	if (syscall(SYS_seccomp, SANDBOX_SECCOMP_SET_MODE_FILTER, 0,
	    &prog) == -1 && (errno != ENOSYS || prctl(PR_SET_SECCOMP,
	    SANDBOX_SECCOMP_MODE_FILTER, &prog, 0, 0) == -1)) {
		log_msg(LOG_WARN, "seccomp: cannot install the filter: %s",
		    strerror(errno));
		return;
	}
	log_msg(LOG_INFO, "seccomp: allowlist of %zu system calls installed "
	    "(socket only %s stream, open read-only, no executable memory); "
	    "anything else fails with EPERM and is logged", n + nargs,
	    tcp ? "AF_UNIX, AF_INET and AF_INET6" : "AF_UNIX");
}

#else	/* !SANDBOX_ARCH */

static void
sandbox_seccomp(int tcp)
{
	(void)tcp;
	log_msg(LOG_WARN, "seccomp: no system call list for this "
	    "architecture; no filter");
}

#endif

int
sandbox_apply(const struct sandbox_opts *o)
{
	if (sandbox_switch_user(o) == -1)
		return -1;
	sandbox_check_config(o->config_path);
	/* Nothing we exec (we exec nothing) may gain privileges. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_msg(LOG_WARN, "no_new_privs: cannot set (%s); no Landlock "
		    "or seccomp either", strerror(errno));
		return 0;
	}
	log_msg(LOG_INFO, "no_new_privs: set");
	if (SANDBOX_SANITIZED) {
		if (o->enable_landlock || o->enable_seccomp)
			log_msg(LOG_INFO, "sandbox: sanitizer build: Landlock "
			    "and seccomp skipped");
		return 0;
	}
	if (o->enable_landlock)
		sandbox_landlock(o);
	else
		log_msg(LOG_INFO, "landlock: disabled");
	if (o->enable_seccomp)
		sandbox_seccomp(sandbox_upstream_port(o->upstream) != 0);
	else
		log_msg(LOG_INFO, "seccomp: disabled");
	return 0;
}
