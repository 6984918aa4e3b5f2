/*
 * sandbox.h - give up what the daemon does not need once it listens:
 * root (switch to an unprivileged uid with the upstream socket's group),
 * the means to regain it (no_new_privs), most of the kernel (a seccomp
 * allowlist) and most of the filesystem (Landlock).
 *
 * Every step that cannot be taken here (not root, no CAP_SETUID, an old
 * kernel, no seccomp) is reported in one log line and skipped; the only
 * fatal case is a switch of user that fails half-way.
 */
#ifndef SOCKWARD_SANDBOX_H
#define SOCKWARD_SANDBOX_H

#include <stddef.h>

#define SANDBOX_DEFAULT_UID 65534L	/* "nobody" on Debian and Alpine */

struct sandbox_opts {
	long		 uid;		/* -1: SANDBOX_DEFAULT_UID; 0: stay root */
	const char	*upstream;	/* path of the Docker socket, or
					   "tls://HOST:PORT": dockerd over
					   TCP (sockets of AF_INET and
					   AF_INET6, connects to PORT; no
					   socket group to join) */
	const char	*config_path;	/* NULL if no config file */
	const char *const *unix_paths;	/* unix listener sockets, for unlink */
	size_t		 n_unix;
	int		 enable_seccomp;
	int		 enable_landlock;
};

/*
 * Parse a --user / SOCKWARD_USER value: a decimal uid from 0 to
 * 4294967294 (no names: a static binary has no NSS).  Returns 0 and sets
 * *uid, or -1.
 */
int	sandbox_parse_uid(const char *s, long *uid);

/*
 * Call once, after the listeners are open and before the event loop (it
 * needs no fd of its own afterwards).  Started as root: reads the group
 * of o->upstream with stat(2), then setgroups([gid]), setresgid(gid),
 * setresuid(uid) and checks that root cannot come back.  Started as
 * another user: stays that user and says which group_add the socket
 * needs if it is not accessible.  Then, each where the kernel has it:
 * no_new_privs, Landlock (read o->config_path, remove the unix listener
 * sockets, read /dev/urandom for the TLS library's random generator,
 * connect to a tls:// upstream's TCP port, nothing else) and a seccomp
 * allowlist.  Logs one line per step
 * through log_msg.  Returns 0, or -1 only when the switch of user failed
 * half-way (the message is logged; the caller must exit at once).
 */
int	sandbox_apply(const struct sandbox_opts *o);

#endif
