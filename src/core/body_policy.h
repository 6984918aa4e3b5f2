/*
 * body_policy.h - judging request bodies that can reach the host ("no host
 * escape").
 *
 * Pure.  A body is read with gojson.h (strict, Go-exact) and the fields
 * dockerd applies are judged against a body policy: the built-in
 * "no-host-escape" (nothing that reaches the host), or a named policy that
 * widens it with a host-path allowlist (read-only or read-write), a
 * capability allowlist and volume drivers.  The routes judged, and how,
 * come from the Engine API table (engine_api.h): body_kind_of.
 *
 * Field matching follows Go: struct fields ignore ASCII case (gojson has
 * already refused every key where Unicode folding or duplicates could
 * matter); map keys (Sysctls, DriverOpts, EndpointsConfig) are exact.
 * The create body is judged as dockerd 20.10 and 28/29 both read it: the
 * HostConfig object, and the host-config fields 20.10 also takes from the
 * top level of the body (its ContainerConfigWrapper embeds HostConfig).
 */
#ifndef SOCKWARD_BODY_POLICY_H
#define SOCKWARD_BODY_POLICY_H

#include <stddef.h>

#include "engine_api.h"

#define BODY_MAX_NAME		32
#define BODY_MAX_HOST_PATHS	16
#define BODY_MAX_PATH		128
#define BODY_MAX_CAPS		16
#define BODY_MAX_CAP		24
#define BODY_MAX_DRIVERS	8
#define BODY_MAX_DRIVER		64
#define BODY_MAX_MESSAGE	400
#define BODY_DEFAULT_MAX	(1024 * 1024)	/* body-max default */

/* A host path a bind mount may use: path and everything below it. */
struct body_host_path {
	char	 path[BODY_MAX_PATH];	/* absolute, clean, no trailing '/' */
	size_t	 len;			/* 1 for "/" */
	int	 rw;			/* 0: the mount must be read-only */
};

struct body_policy {
	char	 name[BODY_MAX_NAME];	/* "no-host-escape", "off" or the
					   config's name */
	int	 off;			/* bodies are not judged at all */
	struct body_host_path host_paths[BODY_MAX_HOST_PATHS];
	size_t	 nhost_paths;
	/* Capabilities CapAdd may name: upper case, without "CAP_"
	 * ("ALL" only if listed). */
	char	 caps[BODY_MAX_CAPS][BODY_MAX_CAP];
	size_t	 ncaps;
	/* Volume drivers other than "local" that may be used. */
	char	 drivers[BODY_MAX_DRIVERS][BODY_MAX_DRIVER];
	size_t	 ndrivers;
	int	 line;			/* where a config defined it, or 0 */
	/* The listener hides containers (visible labels): a body may not
	 * name another container (HostConfig.NetworkMode "container:X",
	 * Links), which sockward cannot check.  Set by the listener's
	 * filters (config.h cfg_listener_filters), not by the policy. */
	int	 hiding;
};

/* How a route's body is judged. */
enum body_kind {
	BODY_K_NONE = 0,	/* not judged */
	BODY_K_CREATE,		/* POST /containers/create */
	BODY_K_UPDATE,		/* POST /containers/{id}/update */
	BODY_K_START,		/* POST /containers/{id}/start: only empty */
	BODY_K_EXEC,		/* POST /containers/{id}/exec */
	BODY_K_VOLUME,		/* POST /volumes/create */
	BODY_K_SERVICE,		/* POST /services/create, .../update */
	BODY_K_IMAGE_CREATE,	/* POST /images/create: fromSrc is outright */
	BODY_K_OUTRIGHT,	/* build, plugins, swarm: refused unless a
				   rule names the route */
	BODY_K_LIBPOD		/* a Podman libpod route that reads a body
				   (not a hijacked stream): refused unless
				   the policy is off, it cannot be judged */
};

/* The kind of judging route r gets (BODY_K_NONE for NULL). */
enum body_kind body_kind_of(const struct engine_api_route *r);

/* The built-in policy "no-host-escape" (p zeroed, then named). */
void	body_policy_init(struct body_policy *p, const char *name);

/* The built-in policy "off": nothing judged. */
void	body_policy_init_off(struct body_policy *p);

/*
 * Widen p.  spec is "PATH", "PATH:ro" or "PATH:rw" (default ro); PATH
 * absolute and clean (no "." or ".." segments, no "//", no trailing '/'
 * except "/" itself).  cap is a capability name in any case, with or
 * without "CAP_", or "ALL".  driver is a volume driver name.  Each
 * returns 0, or -1 with *why set to a static explanation.
 */
int	body_policy_add_host_path(struct body_policy *p, const char *spec,
	    const char **why);
int	body_policy_add_cap(struct body_policy *p, const char *cap,
	    const char **why);
int	body_policy_add_driver(struct body_policy *p, const char *driver,
	    const char **why);

/*
 * p's clauses as config lines ("host-path "/srv" ro", "cap-add NET_ADMIN",
 * "volume-driver "x""), one call of out(arg, line) per line; with base
 * (the policy p was copied from, or NULL), only what p adds to it.
 */
void	body_policy_dump(const struct body_policy *p,
	    const struct body_policy *base,
	    void (*out)(void *arg, const char *line), void *arg);

struct body_verdict {
	int	 status;	/* 0: allowed; 400: refused as ambiguous or
				   malformed; 403: refused by the policy */
	/* The deciding field as a path into the body
	 * ("HostConfig.Binds[0]"), "" when none (malformed JSON). */
	char	 field[128];
	/* Without the "sockward: " prefix and the policy name, e.g.
	 * "HostConfig.Privileged=true is not allowed" or "invalid JSON at
	 * byte 12: ...". */
	char	 message[BODY_MAX_MESSAGE];
	/* Why, when more than the field is worth saying ("host path / is
	 * outside the allowed host paths"), or "". */
	char	 reason[200];
};

/*
 * Judge body[0..len) of a request to a route of kind k under policy p.
 * Returns v->status.  An empty body (len 0, or only blanks) is allowed
 * for every kind: dockerd applies nothing from it.  p->off allows all.
 * BODY_K_OUTRIGHT and BODY_K_IMAGE_CREATE are decided by the judge from
 * the rule and query, not here: they are allowed.
 */
int	body_judge(const struct body_policy *p, enum body_kind k,
	    const char *body, size_t len, struct body_verdict *v);

#endif
