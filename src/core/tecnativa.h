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
 * ALLOW_PAUSE, ALLOW_UNPAUSE) is set, even to 0, or SOCKWARD_COMPAT is
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
 * first); SOCKWARD_COMPAT=linuxserver makes them work without POST, as
 * linuxserver/socket-proxy does.  For every setting whose Tecnativa
 * meaning is wider than it looks, warn(warg, text) is called once with a
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
 * Tecnativa's LOG_LEVEL (haproxy's names, any case) as a sockward level:
 * debug; info or notice is info; warning or warn is warn; anything else
 * (err, crit, alert, emerg) is error.  NULL for v NULL.  The result is a
 * string constant.
 */
const char *tec_log_level(const char *v);

#endif
