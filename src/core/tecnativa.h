/*
 * tecnativa.h - the environment surface of tecnativa/docker-socket-proxy,
 * translated to sockward rules.
 *
 * Pure: the environment is read through a lookup callback, so tests pass
 * a table.  A compose file written for Tecnativa keeps working when only
 * the image changes: the same docker CLI commands succeed and fail.
 */
#ifndef SOCKWARD_TECNATIVA_H
#define SOCKWARD_TECNATIVA_H

#include <stddef.h>

#include "rule.h"

/* Returns the value of variable name, or NULL when unset. */
typedef const char *(*tec_getenv_fn)(void *arg, const char *name);

/*
 * Returns 1 when Tecnativa mode is on: one of its variables (the sections
 * CONTAINERS, IMAGES, ..., POST, ALLOW_START, ALLOW_STOP, ALLOW_RESTARTS,
 * ALLOW_PAUSE, ALLOW_UNPAUSE) or of linuxserver's (LIBPOD_CONTAINERS, ...,
 * LIBPOD_ALLOW_START, ..., ALLOW_ARCHIVE, ALLOW_CHANGES, ALLOW_EXPORT,
 * ALLOW_LOGS, ALLOW_TOP) is set, even to 0, or SOCKWARD_COMPAT is
 * tecnativa or linuxserver (case-insensitive).
 */
int	tec_enabled(tec_getenv_fn get, void *arg);

/*
 * Append the rules Tecnativa's variables ask for to set, origin
 * "tecnativa" (defaults EVENTS=1 PING=1 VERSION=1, all else 0; a value
 * counts as on when haproxy's "-m bool" would: a non-zero integer; also
 * true/yes/on, case-insensitive, which haproxy reads as 0 - a warning
 * says so; empty, 0 and false/no/off are off).  As in Tecnativa, the
 * ALLOW_* variables take effect only with POST=1 (its method gate comes
 * first).  SOCKWARD_COMPAT=linuxserver reads the variables as
 * linuxserver/socket-proxy does: first deny rules for the container and
 * pod subpaths archive, changes, export, logs and top (Docker and libpod,
 * every method) unless ALLOW_ARCHIVE, ... ALLOW_TOP is on; then ALLOW_*
 * without POST, for /containers, /libpod/containers and /libpod/pods, and
 * LIBPOD_ALLOW_* (/libpod/containers) and LIBPOD_ALLOW_POD_*
 * (/libpod/pods); then the sections, then its libpod sections
 * (LIBPOD_CONTAINERS: /libpod/containers and below; LIBPOD_PING and
 * LIBPOD_VERSION default to 1).  Under Tecnativa a linuxserver-only
 * variable that is set is an error naming it.  For every setting whose
 * Tecnativa meaning is wider than it looks, warn(warg, text) is called once with a
 * message naming the tighter sockward rule (warn may be NULL).  Returns 0,
 * or -1 with *reason set (a value that is not a boolean, an unknown
 * SOCKWARD_COMPAT) and set unchanged; *reason may point to static storage
 * valid until the next call.
 */
int	tec_load(tec_getenv_fn get, void *arg, struct rule_set *set,
	    void (*warn)(void *warg, const char *text), void *warg,
	    const char **reason);

/*
 * The listen address Tecnativa would use: every address, dual-stack, on
 * port 2375 (host "*"), or "tcp://0.0.0.0:2375" when DISABLE_IPV6 is 1,
 * true or yes (case-insensitive: the values Tecnativa's entrypoint tests).
 */
const char *tec_listen(tec_getenv_fn get, void *arg);

/*
 * Check envp (NULL-terminated "NAME=VALUE" strings, as environ; NULL is
 * empty) for a LIBPOD_* name that linuxserver/socket-proxy does not
 * define: lookups by name cannot see a misspelt section, which would
 * otherwise leave it closed in silence.  Returns 0, or -1 with *reason
 * naming the first such variable (static storage, valid until the next
 * call into this module).
 */
int	tec_check_names(char *const *envp, const char **reason);

/*
 * Tecnativa's LOG_LEVEL (haproxy's names, any case) as a sockward level:
 * debug; info or notice is info; warning or warn is warn; anything else
 * (err, crit, alert, emerg) is error.  NULL for v NULL.  The result is a
 * string constant.
 */
const char *tec_log_level(const char *v);

#endif
