/*
 * profile.c - built-in rule sets.
 *
 * Kept as rule lines, not pre-compiled structs, so built-in and user rules
 * go through the one parser and show up in logs and in "sockward profiles
 * NAME" in the same syntax.  Every profile is an allow list of what one
 * client calls (docs/PROFILES.md names the source read for each), except
 * "readonly", which is a deny list in front of one rule allowing every
 * GET and HEAD.
 *
 * Rules match the canonical path, after the "/vN.M" prefix is removed.
 * A "{x}" binds what dockerd's router binds at that position (rule.h,
 * engine_api.h): one or more segments where dockerd declares "{name:.*}"
 * (image names "reg:5000/org/app:1", legacy link names "web/db"), one
 * segment elsewhere.  "*" is always one segment.  test_profile checks
 * that every rule names a real route or is a listed wildcard.
 */
#include <stdio.h>
#include <string.h>

#include "profile.h"

/*
 * Image names with up to 6 segments ("registry:5000/group/sub/app:tag"):
 * "*" is one segment, so these rules bound the depth on purpose (a
 * "{name}" would span any depth).
 */
#define PROFILE_IMAGE_RULES(act, meth, tail)				\
	act " " meth " /images/*/" tail,				\
	act " " meth " /images/*/*/" tail,				\
	act " " meth " /images/*/*/*/" tail,				\
	act " " meth " /images/*/*/*/*/" tail,				\
	act " " meth " /images/*/*/*/*/*/" tail,			\
	act " " meth " /images/*/*/*/*/*/*/" tail

/*
 * Every allow-list profile opens with these ("readonly" allows them with
 * every other read).  Go clients ping with HEAD, the Python SDK with GET,
 * and with version="auto" the SDK first asks for an unprefixed "GET
 * /version": without these an SDK-based client fails whatever it calls
 * next.  /version tells the engine, OS and kernel versions, nothing else.
 */
#define PROFILE_PING_VERSION						\
	"allow GET,HEAD /_ping",					\
	"allow GET /version"

/*
 * "GET /containers/json?size=1" makes dockerd walk the writable layer of
 * every listed container to report its disk usage: a cheap request for
 * the client, an expensive one for the host.  dockerd reads "size" as a
 * boolean (httputils.BoolValue), so the list rules say "query
 * size=false": absent, or false as dockerd reads it ("0", "False", ...).
 * Only netdata's client may ask for sizes (docs/PROFILES.md).
 */
#define PROFILE_NO_SIZE	"query size=false"

/*
 * Traefik v2/v3 docker and swarm providers.  The default profile, which
 * users rely on: it changes only where no Traefik release notices (since
 * issue 11 its list refuses size=1, which no release sends).
 */
static const char *const profile_traefik_lines[] = {
	PROFILE_PING_VERSION,
	"allow GET /containers/json " PROFILE_NO_SIZE,
	"allow GET /containers/{id}/json",
	"allow GET /events",
	"allow GET /services",
	"allow GET /tasks",
	"allow GET /networks",
	"allow GET /nodes/{id}",
	NULL
};

/*
 * Every read except those that leak data or hijack the connection.  The
 * deny rules come first (first match wins), then one allow for the rest.
 */
#define RO_LOGS		"reason \"logs often hold secrets\""
#define RO_FILES	"reason \"reads files out of a container\""
#define RO_IMAGE	"reason \"exports image tarballs\""
/*
 * readonly's rules: its deny list, then every other read of dockerd's
 * API (a catch-all never reaches libpod: rule.h).  The {id} rules span
 * legacy link names ("web/db") as dockerd's "{name:.*}" does; the slash
 * guard predates that and stays for clients that relied on its reason.
 * The depth guard is kept from when image rules went per depth, before
 * the spanning image rule so that its reason stays the same.
 * Constraints hold only in allow rules (rule.h): the list without sizes
 * passes, the rest is refused with the reason.
 */
#define PROFILE_READONLY_DOCKER						\
	"deny GET,HEAD /containers/{id}/logs " RO_LOGS,			\
	"deny GET,HEAD /services/{id}/logs " RO_LOGS,			\
	"deny GET,HEAD /tasks/{id}/logs " RO_LOGS,			\
	"deny GET,HEAD /containers/{id}/archive " RO_FILES,		\
	"deny GET,HEAD /containers/{id}/export " RO_FILES,		\
	"deny GET,HEAD /containers/{id}/attach/ws "			\
	    "reason \"attaches to a container (hijack)\"",		\
	"deny GET,HEAD /containers/*/*/*/** "				\
	    "reason \"container names with a slash are not supported\"",	\
	"deny GET,HEAD /*/*/*/*/*/*/*/*/*/*/*/** "			\
	    "reason \"paths deeper than 10 segments\"",			\
	"deny GET,HEAD /images/get " RO_IMAGE,				\
	"deny GET,HEAD /images/{name}/get " RO_IMAGE,			\
	"deny GET,HEAD /swarm/unlockkey "				\
	    "reason \"returns the swarm unlock key\"",			\
	"deny GET,HEAD /swarm "						\
	    "reason \"swarm inspect returns the join tokens\"",		\
	"deny GET,HEAD /debug/** reason \"daemon debug endpoints\"",	\
	"allow GET /containers/json " PROFILE_NO_SIZE,			\
	"deny GET /containers/json "					\
	    "reason \"size=1 makes dockerd compute every container's disk "	\
	    "usage\"",							\
	"allow GET,HEAD /**"

static const char *const profile_readonly_lines[] = {
	PROFILE_READONLY_DOCKER,
	NULL
};

/*
 * readonly for Podman: the same rules for its Docker-compatible API, and
 * the reads `podman --remote` makes for ps, inspect, images, volume,
 * network, pod, events, info and version.  Not granted: logs, exports
 * and archives (files, image tarballs), generated kube YAML and systemd
 * units (they carry the environment), secrets, top, healthcheck runs,
 * attach and exec.  Inspect answers are redacted (resp_filter.h).
 */
static const char *const profile_podman_readonly_lines[] = {
	PROFILE_READONLY_DOCKER,
	"allow GET,HEAD /libpod/_ping",
	"allow GET /libpod/version",
	"allow GET /libpod/info",
	"allow GET /libpod/events",
	"allow GET /libpod/system/df",
	"allow GET /libpod/containers/json " PROFILE_NO_SIZE,
	"allow GET /libpod/containers/{name}/json " PROFILE_NO_SIZE,
	"allow GET /libpod/containers/{name}/exists",
	"allow GET /libpod/containers/{name}/changes",
	"allow GET /libpod/containers/stats",
	"allow GET /libpod/containers/{name}/stats",
	"allow GET /libpod/images/json",
	"allow GET /libpod/images/{name}/json",
	"allow GET /libpod/images/{name}/exists",
	"allow GET /libpod/images/{name}/history",
	"allow GET /libpod/images/{name}/tree",
	"allow GET /libpod/networks/json",
	"allow GET /libpod/networks/{name}/json",
	"allow GET /libpod/networks/{name}/exists",
	"allow GET /libpod/volumes/json",
	"allow GET /libpod/volumes/{name}/json",
	"allow GET /libpod/volumes/{name}/exists",
	"allow GET /libpod/pods/json",
	"allow GET /libpod/pods/{name}/json",
	"allow GET /libpod/pods/{name}/exists",
	NULL
};

/* gethomepage/homepage: docker widget, status, service discovery. */
static const char *const profile_homepage_lines[] = {
	PROFILE_PING_VERSION,
	"allow GET /containers/json " PROFILE_NO_SIZE,
	"allow GET /containers/{name}/json",
	"allow GET /containers/{name}/stats require stream=false",
	"allow GET /services",
	"allow GET /services/{name}",
	"allow GET /tasks",
	NULL
};

/* Portainer environment snapshot plus its read-only detail pages. */
static const char *const profile_portainer_ro_lines[] = {
	PROFILE_PING_VERSION,
	"allow GET /info",
	"allow GET /containers/json " PROFILE_NO_SIZE,
	"allow GET /containers/{id}/json",
	"allow GET /images/json",
	"allow GET /images/{id}/json",
	"allow GET /images/{id}/history",
	"allow GET /volumes",
	"allow GET /volumes/{name}",
	"allow GET /networks",
	"allow GET /networks/{id}",
	"allow GET /services",
	"allow GET /services/{id}",
	"allow GET /tasks",
	"allow GET /nodes",
	"allow GET /nodes/{id}",
	NULL
};

/* amir20/dozzle without the optional actions and shell. */
static const char *const profile_dozzle_lines[] = {
	PROFILE_PING_VERSION,
	"allow GET /info",
	"allow GET /containers/json " PROFILE_NO_SIZE,
	"allow GET /containers/{id}/json",
	"allow GET /events",
	"allow GET /containers/{id}/logs",
	"allow GET /containers/{id}/stats",
	NULL
};

/*
 * containrrr/watchtower: what every run reads.  It pins /v1.25 and never
 * pings; the maintained forks negotiate with HEAD /_ping.
 */
#define PROFILE_WATCHTOWER_READS					\
	PROFILE_PING_VERSION,						\
	"allow GET /containers/json " PROFILE_NO_SIZE,			\
	"allow GET /containers/{id}/json",				\
	PROFILE_IMAGE_RULES("allow", "GET", "json")

/* containrrr/watchtower: check, pull, re-create (no lifecycle hooks). */
static const char *const profile_watchtower_lines[] = {
	PROFILE_WATCHTOWER_READS,
	"allow POST /images/create require fromImage=* query fromSrc=",
	"allow POST /containers/create",
	"allow POST /containers/{id}/start",
	"allow POST /containers/{id}/kill",
	"allow POST /containers/{id}/rename",
	"allow DELETE /containers/{id}",
	"allow POST /networks/{id}/connect",
	"allow POST /networks/{id}/disconnect",
	"allow DELETE /images/{id}",
	NULL
};

/*
 * watchtower --monitor-only --no-pull: compares each container's image
 * with the local image of the same name and only notifies.  Without
 * --no-pull, --monitor-only still pulls (POST /images/create), so that
 * mode needs "watchtower" or this profile plus the pull rule.
 */
static const char *const profile_watchtower_ro_lines[] = {
	PROFILE_WATCHTOWER_READS,
	NULL
};

/*
 * deploy: the docker CLI's run, create, start, stop, rm, exec, logs and
 * pull, and docker-compose's up -d, ps, logs, pull, stop and down -v, for
 * stacks of containers, named volumes and user networks.  Seen through
 * audit mode (docs/PROFILES.md); every create, exec and volume body is
 * judged by the listener's body policy ("no host escape" by default).
 */
static const char *const profile_deploy_lines[] = {
	PROFILE_PING_VERSION,
	/* compose up: engine facts before it creates anything */
	"allow GET /info",
	"allow GET /containers/json " PROFILE_NO_SIZE,
	"allow GET /containers/{id}/json",
	PROFILE_IMAGE_RULES("allow", "GET", "json"),
	/* pull by name only: fromSrc imports a tarball or a URL */
	"allow POST /images/create require fromImage=* query fromSrc=",
	"allow POST /containers/create",
	"allow POST /containers/{id}/start",
	"allow POST /containers/{id}/stop",
	/* docker run forwards the signals it gets (--sig-proxy) */
	"allow POST /containers/{id}/kill",
	/* compose up -d renames a container it recreates */
	"allow POST /containers/{id}/rename",
	"allow DELETE /containers/{id}",
	/* run and start -a: the container's stdio, its size, its end */
	"allow POST /containers/{id}/attach",
	"allow POST /containers/{id}/resize",
	"allow POST /containers/{id}/wait",
	"allow GET /containers/{id}/logs",
	/* compose logs follows the project's events */
	"allow GET /events",
	"allow POST /containers/{id}/exec",
	"allow POST /exec/{id}/start",
	"allow POST /exec/{id}/resize",
	"allow GET /exec/{id}/json",
	"allow POST /networks/create",
	"allow GET,DELETE /networks/{id}",
	"allow POST /networks/{id}/connect",
	"allow POST /networks/{id}/disconnect",
	"allow POST /volumes/create",
	"allow GET,DELETE /volumes/{name}",
	NULL
};

/* crazy-max/diun docker and swarm providers. */
static const char *const profile_diun_lines[] = {
	PROFILE_PING_VERSION,
	"allow GET /containers/json " PROFILE_NO_SIZE,
	"allow GET /containers/{id}/json",
	PROFILE_IMAGE_RULES("allow", "GET", "json"),
	"allow GET /services",
	NULL
};

/* willfarrell/autoheal with the default AUTOHEAL_CONTAINER_LABEL. */
static const char *const profile_autoheal_lines[] = {
	PROFILE_PING_VERSION,
	"allow GET /containers/json " PROFILE_NO_SIZE
	    " filter health=unhealthy filter label=autoheal=true",
	"allow POST /containers/{id}/restart",
	NULL
};

/* louislam/uptime-kuma docker container monitor. */
static const char *const profile_uptime_kuma_lines[] = {
	PROFILE_PING_VERSION,
	"allow GET /containers/json " PROFILE_NO_SIZE,
	"allow GET /containers/{name}/json",
	NULL
};

/* Prometheus docker_sd_configs and dockerswarm_sd_configs. */
static const char *const profile_prometheus_lines[] = {
	PROFILE_PING_VERSION,
	"allow GET /containers/json " PROFILE_NO_SIZE,
	"allow GET /networks",
	"allow GET /services",
	"allow GET /tasks",
	"allow GET /nodes",
	NULL
};

/* CrowdSec docker acquisition (containers and swarm services). */
static const char *const profile_crowdsec_lines[] = {
	PROFILE_PING_VERSION,
	"allow GET /info",
	"allow GET /containers/json " PROFILE_NO_SIZE,
	"allow GET /containers/{id}/json",
	"allow GET /containers/{id}/logs",
	"allow GET /events",
	"allow GET /services",
	"allow GET /services/{id}",
	"allow GET /services/{id}/logs",
	NULL
};

/* Netdata cgroup name resolution and the go.d docker collector. */
static const char *const profile_netdata_lines[] = {
	PROFILE_PING_VERSION,
	"allow GET /info",
	/* go.d's "collect_container_size: yes" lists with size=1. */
	"allow GET /containers/json",
	"allow GET /containers/{id}/json",
	"allow GET /images/json",
	NULL
};

/* google/cadvisor docker container handler. */
static const char *const profile_cadvisor_lines[] = {
	PROFILE_PING_VERSION,
	"allow GET /info",
	"allow GET /containers/{id}/json",
	"allow GET /images/json",
	NULL
};

static const char *const profile_none_lines[] = {
	NULL
};

static const struct profile profile_traefik = {
	"traefik",
	"what Traefik v2/v3 docker and swarm providers call",
	profile_traefik_lines,
	0
};

static const struct profile profile_readonly = {
	"readonly",
	"all reads except logs, file and image export, unlock key, debug, "
	    "attach",
	profile_readonly_lines,
	0
};

static const struct profile profile_podman_readonly = {
	"podman-readonly",
	"readonly plus podman --remote's reads (no logs, exports, secrets)",
	profile_podman_readonly_lines,
	0
};

static const struct profile profile_homepage = {
	"homepage",
	"Homepage docker widget and service discovery (read-only, "
	    "one-shot stats)",
	profile_homepage_lines,
	0
};

static const struct profile profile_portainer_ro = {
	"portainer-readonly",
	"Portainer snapshot and read-only browsing, no logs, console "
	    "or writes",
	profile_portainer_ro_lines,
	0
};

static const struct profile profile_dozzle = {
	"dozzle",
	"Dozzle log viewer: list, events, logs, stats (no actions, no shell)",
	profile_dozzle_lines,
	0
};

static const struct profile profile_watchtower = {
	"watchtower",
	"Watchtower: inspect, pull, re-create containers (no hooks)",
	profile_watchtower_lines,
	1
};

static const struct profile profile_watchtower_ro = {
	"watchtower-readonly",
	"Watchtower --monitor-only --no-pull: inspect only, no pull, no writes",
	profile_watchtower_ro_lines,
	1
};

static const struct profile profile_deploy = {
	"deploy",
	"docker run/exec and compose up/down: containers, volumes, networks",
	profile_deploy_lines,
	1
};

static const struct profile profile_diun = {
	"diun",
	"Diun: list containers and services, inspect their images",
	profile_diun_lines,
	0
};

static const struct profile profile_autoheal = {
	"autoheal",
	"autoheal: list unhealthy autoheal=true containers, restart them",
	profile_autoheal_lines,
	0
};

static const struct profile profile_uptime_kuma = {
	"uptime-kuma",
	"Uptime Kuma docker monitor: list and inspect containers",
	profile_uptime_kuma_lines,
	0
};

static const struct profile profile_prometheus = {
	"prometheus",
	"Prometheus docker_sd and dockerswarm_sd service discovery",
	profile_prometheus_lines,
	0
};

static const struct profile profile_crowdsec = {
	"crowdsec",
	"CrowdSec docker acquisition: container and service logs, events",
	profile_crowdsec_lines,
	0
};

static const struct profile profile_netdata = {
	"netdata",
	"Netdata container names and docker collector",
	profile_netdata_lines,
	0
};

static const struct profile profile_cadvisor = {
	"cadvisor",
	"cAdvisor docker handler: info, version, container and image "
	    "metadata",
	profile_cadvisor_lines,
	0
};

static const struct profile profile_none = {
	"none",
	"no built-in rules: only --allow rules apply",
	profile_none_lines,
	0
};

static const struct profile *const profile_list[] = {
	&profile_traefik,
	&profile_readonly,
	&profile_podman_readonly,
	&profile_homepage,
	&profile_portainer_ro,
	&profile_dozzle,
	&profile_watchtower,
	&profile_watchtower_ro,
	&profile_deploy,
	&profile_diun,
	&profile_autoheal,
	&profile_uptime_kuma,
	&profile_prometheus,
	&profile_crowdsec,
	&profile_netdata,
	&profile_cadvisor,
	&profile_none,
	NULL
};

const struct profile *
profile_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; profile_list[i] != NULL; i++)
		if (strcmp(profile_list[i]->name, name) == 0)
			return profile_list[i];
	return NULL;
}

const struct profile *const *
profile_all(void)
{
	return profile_list;
}

int
profile_load(const struct profile *p, struct rule_set *set)
{
	char origin[sizeof(((struct rule *)0)->origin)];
	const char *why;
	struct rule r;
	size_t i, saved;

	if (p == NULL || set == NULL || p->name == NULL || p->lines == NULL)
		return -1;
	snprintf(origin, sizeof(origin), "profile %s", p->name);
	saved = set->nrules;
	for (i = 0; p->lines[i] != NULL; i++) {
		if (rule_parse_line(p->lines[i], &r, &why) != 0 ||
		    rule_set_add(set, &r, origin) != 0) {
			/* All or nothing: no half-loaded profile.  The
			 * storage may have grown; the set still owns it. */
			set->nrules = saved;
			return -1;
		}
	}
	return 0;
}

void
profile_print(const struct profile *p,
    void (*out)(void *arg, const char *line), void *arg)
{
	char buf[RULE_MAX_TEXT + 64];
	struct rule r;
	size_t i;

	if (p == NULL || out == NULL || p->name == NULL || p->lines == NULL)
		return;
	snprintf(buf, sizeof(buf), "# profile %s: %s", p->name,
	    p->summary != NULL ? p->summary : "");
	out(arg, buf);
	for (i = 0; p->lines[i] != NULL; i++) {
		/* The normalised form is what profile_load installs; a line
		 * that does not parse (never for a tested built-in) is shown
		 * as written so the error is visible when it is pasted. */
		if (rule_parse_line(p->lines[i], &r, NULL) == 0)
			out(arg, rule_line_str(&r, buf, sizeof(buf)));
		else
			out(arg, p->lines[i]);
	}
}
