/*
 * body_policy.c - judging request bodies that can reach the host
 * (body_policy.h).
 */
#include <stdio.h>
#include <string.h>

#include "body_policy.h"
#include "gojson.h"

/* ---- which routes are judged ---- */

static const struct {
	enum req_method	 method;
	const char	*tmpl;
	enum body_kind	 kind;
} body_routes[] = {
	{ REQ_M_POST, "/containers/create", BODY_K_CREATE },
	{ REQ_M_POST, "/containers/{name:.*}/update", BODY_K_UPDATE },
	{ REQ_M_POST, "/containers/{name:.*}/start", BODY_K_START },
	{ REQ_M_POST, "/containers/{name:.*}/exec", BODY_K_EXEC },
	{ REQ_M_POST, "/volumes/create", BODY_K_VOLUME },
	{ REQ_M_POST, "/services/create", BODY_K_SERVICE },
	{ REQ_M_POST, "/services/{id}/update", BODY_K_SERVICE },
	{ REQ_M_POST, "/images/create", BODY_K_IMAGE_CREATE },
	/* Builds run what a Dockerfile says, with entitlements (host
	 * network, insecure) the body cannot show; BuildKit's session and
	 * gRPC endpoints are the same build by other means. */
	{ REQ_M_POST, "/build", BODY_K_OUTRIGHT },
	{ REQ_M_POST, "/session", BODY_K_OUTRIGHT },
	{ REQ_M_POST, "/grpc", BODY_K_OUTRIGHT },
	/* Plugins run privileged with the mounts and devices they ask. */
	{ REQ_M_POST, "/plugins/pull", BODY_K_OUTRIGHT },
	{ REQ_M_POST, "/plugins/create", BODY_K_OUTRIGHT },
	{ REQ_M_POST, "/plugins/{name:.*}/enable", BODY_K_OUTRIGHT },
	{ REQ_M_POST, "/plugins/{name:.*}/upgrade", BODY_K_OUTRIGHT },
	{ REQ_M_POST, "/plugins/{name:.*}/set", BODY_K_OUTRIGHT },
	/* The swarm itself: joining a manager hands the node over. */
	{ REQ_M_POST, "/swarm/init", BODY_K_OUTRIGHT },
	{ REQ_M_POST, "/swarm/join", BODY_K_OUTRIGHT },
	{ REQ_M_POST, "/swarm/leave", BODY_K_OUTRIGHT },
	{ REQ_M_POST, "/swarm/update", BODY_K_OUTRIGHT },
	{ REQ_M_POST, "/swarm/unlock", BODY_K_OUTRIGHT },
	/* Cluster (CSI) volume updates reach a plugin's host mounts. */
	{ REQ_M_PUT, "/volumes/{name:.*}", BODY_K_OUTRIGHT },
};

enum body_kind
body_kind_of(const struct engine_api_route *r)
{
	size_t	i;

	if (r == NULL)
		return BODY_K_NONE;
	for (i = 0; i < sizeof(body_routes) / sizeof(body_routes[0]); i++)
		if (body_routes[i].method == r->method &&
		    strcmp(body_routes[i].tmpl, r->tmpl) == 0)
			return body_routes[i].kind;
	return BODY_K_NONE;
}

/* ---- policies ---- */

void
body_policy_init(struct body_policy *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
}

void
body_policy_init_off(struct body_policy *p)
{
	body_policy_init(p, "off");
	p->off = 1;
}

int
body_policy_add_host_path(struct body_policy *p, const char *spec,
    const char **why)
{
	const char *colon = strrchr(spec, ':');
	size_t	 len = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	size_t	 i;
	int	 rw = 0;

	if (colon != NULL) {
		if (strcmp(colon + 1, "rw") == 0)
			rw = 1;
		else if (strcmp(colon + 1, "ro") != 0) {
			*why = "host path must be PATH, PATH:ro or PATH:rw";
			return -1;
		}
	}
	if (len == 0 || spec[0] != '/') {
		*why = "host path must be absolute";
		return -1;
	}
	if (len >= BODY_MAX_PATH) {
		*why = "host path too long";
		return -1;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)spec[i] < 0x20 || spec[i] == 0x7f ||
		    spec[i] == ',' || spec[i] == ':') {
			*why = "host path has a control character, ',' or ':'";
			return -1;
		}
		if (spec[i] == '/' && i > 0 && (spec[i - 1] == '/' ||
		    i + 1 == len)) {
			*why = "host path must be clean (no \"//\", no "
			    "trailing '/')";
			return -1;
		}
		if (spec[i] == '/' && i + 1 < len && spec[i + 1] == '.' &&
		    (i + 2 == len || spec[i + 2] == '/' || (spec[i + 2] == '.' &&
		    (i + 3 == len || spec[i + 3] == '/')))) {
			*why = "host path must be clean (no \".\" or \"..\")";
			return -1;
		}
	}
	if (p->nhost_paths == BODY_MAX_HOST_PATHS) {
		*why = "too many host paths";
		return -1;
	}
	memcpy(p->host_paths[p->nhost_paths].path, spec, len);
	p->host_paths[p->nhost_paths].path[len] = '\0';
	p->host_paths[p->nhost_paths].len = len;
	p->host_paths[p->nhost_paths].rw = rw;
	p->nhost_paths++;
	return 0;
}

/*
 * dockerd's capability spelling: upper case, "CAP_" prefix optional
 * ("net_admin", "CAP_NET_ADMIN" and "NET_ADMIN" are one capability).
 * Writes the name without the prefix to dst; -1 when it is not
 * [A-Z0-9_]+ once upper-cased, or too long.
 */
static int
body_cap_norm(const char *s, size_t n, char *dst, size_t cap)
{
	size_t	i, w = 0;
	char	c;

	if (n >= 4 && (s[0] | 0x20) == 'c' && (s[1] | 0x20) == 'a' &&
	    (s[2] | 0x20) == 'p' && s[3] == '_') {
		s += 4;
		n -= 4;
	}
	if (n == 0 || n >= cap)
		return -1;
	for (i = 0; i < n; i++) {
		c = s[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_'))
			return -1;
		dst[w++] = c;
	}
	dst[w] = '\0';
	return 0;
}

int
body_policy_add_cap(struct body_policy *p, const char *cap, const char **why)
{
	if (p->ncaps == BODY_MAX_CAPS) {
		*why = "too many capabilities";
		return -1;
	}
	if (body_cap_norm(cap, strlen(cap), p->caps[p->ncaps],
	    sizeof(p->caps[0])) == -1) {
		*why = "bad capability name (e.g. NET_ADMIN or CAP_NET_ADMIN)";
		return -1;
	}
	p->ncaps++;
	return 0;
}

int
body_policy_add_driver(struct body_policy *p, const char *driver,
    const char **why)
{
	size_t	i, n = strlen(driver);

	if (n == 0 || n >= BODY_MAX_DRIVER) {
		*why = "volume driver name must be 1 to 63 bytes";
		return -1;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)driver[i] <= 0x20 || driver[i] == 0x7f ||
		    driver[i] == '"' || driver[i] == '\\') {
			*why = "bad volume driver name";
			return -1;
		}
	if (p->ndrivers == BODY_MAX_DRIVERS) {
		*why = "too many volume drivers";
		return -1;
	}
	memcpy(p->drivers[p->ndrivers++], driver, n + 1);
	return 0;
}

void
body_policy_dump(const struct body_policy *p,
    void (*out)(void *arg, const char *line), void *arg)
{
	char	line[BODY_MAX_PATH + BODY_MAX_DRIVER + 32];
	size_t	i;

	for (i = 0; i < p->nhost_paths; i++) {
		snprintf(line, sizeof(line), "host-path \"%s\" %s",
		    p->host_paths[i].path, p->host_paths[i].rw ? "rw" : "ro");
		out(arg, line);
	}
	for (i = 0; i < p->ncaps; i++) {
		snprintf(line, sizeof(line), "cap-add %s", p->caps[i]);
		out(arg, line);
	}
	for (i = 0; i < p->ndrivers; i++) {
		snprintf(line, sizeof(line), "volume-driver \"%s\"",
		    p->drivers[i]);
		out(arg, line);
	}
}

/* ---- judging (stub until the reader lands) ---- */

int
body_judge(const struct body_policy *p, enum body_kind k, const char *body,
    size_t len, struct body_verdict *v)
{
	memset(v, 0, sizeof(*v));
	(void)k;
	if (p->off)
		return 0;
	while (len > 0 && (body[len - 1] == ' ' || body[len - 1] == '\n' ||
	    body[len - 1] == '\r' || body[len - 1] == '\t'))
		len--;
	if (len == 0)
		return 0;
	if (body[0] != '{' || body[len - 1] != '}') {
		v->status = 400;
		snprintf(v->message, sizeof(v->message), "invalid JSON");
		return 400;
	}
	if (memmem(body, len, "\"Privileged\":true", 17) != NULL) {
		v->status = 403;
		snprintf(v->field, sizeof(v->field), "HostConfig.Privileged");
		snprintf(v->message, sizeof(v->message),
		    "HostConfig.Privileged=true");
		return 403;
	}
	return 0;
}
