/*
 * profile.c - built-in rule sets.
 *
 * Kept as rule lines, not pre-compiled structs, so built-in and user rules
 * go through the one parser and show up in logs and in "sockward profiles
 * NAME" in the same syntax.  Every profile is an allow list of what one
 * client calls (profile_doc.c names the source read for each), except
 * "readonly" and "podman-readonly", deny lists in front of one rule
 * allowing every GET and HEAD.
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
 * A rule and why it is there: docs/PROFILES.md prints the reason beside
 * the rule, and merges consecutive rules with the same reason into one
 * row (so rules that share a reason share the string).
 */
#define R(line, why)	{ line, why }

/*
 * Image names with up to 6 segments ("registry:5000/group/sub/app:tag"):
 * "*" is one segment, so these rules bound the depth on purpose (a
 * "{name}" would span any depth).
 */
#define PROFILE_IMAGE_RULES(act, meth, tail, why)			\
	R(act " " meth " /images/*/" tail, why),			\
	R(act " " meth " /images/*/*/" tail, why),			\
	R(act " " meth " /images/*/*/*/" tail, why),			\
	R(act " " meth " /images/*/*/*/*/" tail, why),			\
	R(act " " meth " /images/*/*/*/*/*/" tail, why),		\
	R(act " " meth " /images/*/*/*/*/*/*/" tail, why)

/* What the image rules' reason adds, once for all of them. */
#define PROFILE_IMAGE_DEPTH	"; one rule per depth, names of 1 to 6 " \
	"segments ([why](#limit-of-the-pattern-syntax))"

/*
 * Every allow-list profile opens with these ("readonly" allows them with
 * every other read); docs/PROFILES.md, "The common rules", says why.
 * The reasons are the client's own use of them.
 */
#define PROFILE_PING_VERSION(why_ping, why_version)			\
	R("allow GET,HEAD /_ping", why_ping),				\
	R("allow GET /version", why_version)

/* For clients that never call them. */
#define PROFILE_COMMON_WHY(client)					\
	"not called by " client "; [common to every profile]"		\
	"(#the-common-rules)"

/*
 * "GET /containers/json?size=1" makes dockerd walk the writable layer of
 * every listed container to report its disk usage: a cheap request for
 * the client, an expensive one for the host.  dockerd reads "size" as a
 * boolean (httputils.BoolValue), so the list rules say "query
 * size=false": absent, or false as dockerd reads it ("0", "False", ...).
 * Only netdata's client may ask for sizes.
 */
#define PROFILE_NO_SIZE	"query size=false"

/* Pull by name only: fromSrc imports a tarball or a URL. */
#define PROFILE_PULL	"allow POST /images/create require fromImage=* " \
	"query fromSrc="

/*
 * Traefik v2/v3 docker and swarm providers.  The default profile, which
 * users rely on: it changes only where no Traefik release notices (since
 * issue 11 its list refuses size=1, which no release sends).
 */
static const char why_traefik_swarm[] = "swarm provider";
static const struct profile_rule profile_traefik_rules[] = {
	PROFILE_PING_VERSION("API version negotiation (v2.11.31+, v3.6.1+): "
	    "HEAD, then GET", "first call of every provider run"),
	R("allow GET /containers/json " PROFILE_NO_SIZE,
	    "list (`?all=1` since v3.6.0); `ContainerList` never asks for "
	    "sizes"),
	R("allow GET /containers/{id}/json",
	    "labels and network of each container"),
	R("allow GET /events",
	    "`filters={\"type\":{\"container\":true}}`, long-lived"),
	R("allow GET /services", why_traefik_swarm),
	R("allow GET /tasks", why_traefik_swarm),
	R("allow GET /networks", why_traefik_swarm),
	R("allow GET /nodes/{id}", why_traefik_swarm),
	R(NULL, NULL)
};

/*
 * readonly's rules: its deny list, then every other read of dockerd's
 * API (a catch-all never reaches libpod: rule.h).  The deny rules come
 * first (first match wins).  The {id} rules span legacy link names
 * ("web/db") as dockerd's "{name:.*}" does; the slash guard predates
 * that and stays for clients that relied on its reason.  The depth guard
 * is kept from when image rules went per depth, before the spanning
 * image rule so that its reason stays the same.  Constraints hold only
 * in allow rules (rule.h): the list without sizes passes, the rest is
 * refused with the reason.
 */
#define RO_LOGS		"reason \"logs often hold secrets\""
#define RO_FILES	"reason \"reads files out of a container\""
#define RO_IMAGE	"reason \"exports image tarballs\""
static const char why_ro_logs[] = "logs often hold secrets";
static const char why_ro_files[] = "read files out of a container (HEAD "
    "archive reveals file stat)";
static const char why_ro_image[] = "image export (`docker save`), names "
    "of any depth";
#define PROFILE_READONLY_DOCKER						\
	R("deny GET,HEAD /containers/{id}/logs " RO_LOGS, why_ro_logs),	\
	R("deny GET,HEAD /services/{id}/logs " RO_LOGS, why_ro_logs),	\
	R("deny GET,HEAD /tasks/{id}/logs " RO_LOGS, why_ro_logs),	\
	R("deny GET,HEAD /containers/{id}/archive " RO_FILES,		\
	    why_ro_files),						\
	R("deny GET,HEAD /containers/{id}/export " RO_FILES,		\
	    why_ro_files),						\
	R("deny GET,HEAD /containers/{id}/attach/ws "			\
	    "reason \"attaches to a container (hijack)\"",		\
	    "a GET that hijacks the connection into the container's "	\
	    "stdio"),							\
	R("deny GET,HEAD /containers/*/*/*/** "				\
	    "reason \"container names with a slash are not supported\"", \
	    "legacy `--link` names contain a slash (`/web/db`); the "	\
	    "`{id}` denies above span them as dockerd's `{name:.*}` "	\
	    "does, and this older guard stays. Nothing legitimate has "	\
	    "4+ segments under `/containers` except `attach/ws`"),	\
	R("deny GET,HEAD /*/*/*/*/*/*/*/*/*/*/*/** "			\
	    "reason \"paths deeper than 10 segments\"",			\
	    "depth guard: any path of 11 or more segments (no Engine API " \
	    "read needs one except images with very deep names)"),	\
	R("deny GET,HEAD /images/get " RO_IMAGE, why_ro_image),		\
	R("deny GET,HEAD /images/{name}/get " RO_IMAGE, why_ro_image),	\
	R("deny GET,HEAD /swarm/unlockkey "				\
	    "reason \"returns the swarm unlock key\"",			\
	    "the swarm unlock key"),					\
	R("deny GET,HEAD /swarm "					\
	    "reason \"swarm inspect returns the join tokens\"",		\
	    "swarm inspect returns the worker and manager join tokens "	\
	    "(a manager token joins a node that can run anything)"),	\
	R("deny GET,HEAD /debug/** reason \"daemon debug endpoints\"",	\
	    "pprof and expvar when dockerd runs with debug"),		\
	R("allow GET /containers/json " PROFILE_NO_SIZE,		\
	    "the container list without sizes (`size` absent or false)"), \
	R("deny GET /containers/json "					\
	    "reason \"size=1 makes dockerd compute every container's disk " \
	    "usage\"",							\
	    "the list with `size=1`: dockerd would compute the disk "	\
	    "usage of every container. A constraint holds only in an "	\
	    "allow rule, hence the pair"),				\
	R("allow GET,HEAD /**", "every other read; a wildcard never "	\
	    "reaches a `/libpod` path ([podman-readonly](#podman-readonly))")

static const struct profile_rule profile_readonly_rules[] = {
	PROFILE_READONLY_DOCKER,
	R(NULL, NULL)
};

/*
 * readonly for Podman: the same rules for its Docker-compatible API, and
 * the reads `podman --remote` makes for ps, inspect, images, volume,
 * network, pod, events, info and version.  Not granted: logs, exports
 * and archives (files, image tarballs), generated kube YAML and systemd
 * units (they carry the environment), secrets, top, healthcheck runs,
 * attach and exec.  Inspect answers are redacted (resp_filter.h).
 */
static const char why_podman_start[] = "`podman --remote` pings first, then "
    "reads `version` and `info` (also its `version` and `info` commands)";
static const char why_podman_stats[] = "`podman --remote stats`";
static const struct profile_rule profile_podman_readonly_rules[] = {
	PROFILE_READONLY_DOCKER,
	R("allow GET,HEAD /libpod/_ping", why_podman_start),
	R("allow GET /libpod/version", why_podman_start),
	R("allow GET /libpod/info", why_podman_start),
	R("allow GET /libpod/events", "`podman --remote events`"),
	R("allow GET /libpod/system/df", "`podman --remote system df`"),
	R("allow GET /libpod/containers/json " PROFILE_NO_SIZE,
	    "`podman --remote ps` (`--size` refused: disk usage of every "
	    "container)"),
	R("allow GET /libpod/containers/{name}/json " PROFILE_NO_SIZE,
	    "`podman --remote inspect` (`--size` refused); `Config.Env` and "
	    "`Config.CreateCommand` are redacted"),
	R("allow GET /libpod/containers/{name}/exists",
	    "`podman --remote container exists`"),
	R("allow GET /libpod/containers/{name}/changes",
	    "`podman --remote diff`"),
	R("allow GET /libpod/containers/stats", why_podman_stats),
	R("allow GET /libpod/containers/{name}/stats", why_podman_stats),
	R("allow GET /libpod/images/json", "`podman --remote images`"),
	R("allow GET /libpod/images/{name}/json",
	    "`podman --remote image inspect`"),
	R("allow GET /libpod/images/{name}/exists",
	    "`podman --remote image exists`"),
	R("allow GET /libpod/images/{name}/history",
	    "`podman --remote history`"),
	R("allow GET /libpod/images/{name}/tree",
	    "`podman --remote image tree`"),
	R("allow GET /libpod/networks/json", "`podman --remote network ls`"),
	R("allow GET /libpod/networks/{name}/json",
	    "`podman --remote network inspect`"),
	R("allow GET /libpod/networks/{name}/exists",
	    "`podman --remote network exists`"),
	R("allow GET /libpod/volumes/json",
	    "`podman --remote volume ls`; `Options` redacted"),
	R("allow GET /libpod/volumes/{name}/json",
	    "`podman --remote volume inspect`; `Options` redacted"),
	R("allow GET /libpod/volumes/{name}/exists",
	    "`podman --remote volume exists`"),
	R("allow GET /libpod/pods/json", "`podman --remote pod ps`"),
	R("allow GET /libpod/pods/{name}/json",
	    "`podman --remote pod inspect`; `CreateCommand` redacted"),
	R("allow GET /libpod/pods/{name}/exists",
	    "`podman --remote pod exists`"),
	R(NULL, NULL)
};

/* gethomepage/homepage: docker widget, status, service discovery. */
static const char why_homepage_common[] = PROFILE_COMMON_WHY("homepage itself");
static const struct profile_rule profile_homepage_rules[] = {
	PROFILE_PING_VERSION(why_homepage_common, why_homepage_common),
	R("allow GET /containers/json " PROFILE_NO_SIZE,
	    "`listContainers({all: true})`: status, stats and label "
	    "discovery; never sizes"),
	R("allow GET /containers/{name}/json",
	    "container status (older releases inspect)"),
	R("allow GET /containers/{name}/stats require stream=false",
	    "`container.stats({stream: false})`; one sample only"),
	R("allow GET /services", "swarm: service discovery (`?all=true`)"),
	R("allow GET /services/{name}", "swarm: service status"),
	R("allow GET /tasks", "swarm: `filters={\"service\":[..],"
	    "\"desired-state\":[\"running\"]}`"),
	R(NULL, NULL)
};

/* Portainer environment snapshot plus its read-only detail pages. */
static const char why_portainer_facts[] = "engine facts, swarm detection";
static const char why_portainer_images[] = "image list and detail page";
static const char why_portainer_pages[] = "lists and detail pages";
static const char why_portainer_swarm[] = "swarm snapshot and pages";
static const struct profile_rule profile_portainer_ro_rules[] = {
	PROFILE_PING_VERSION("`cli.Ping` before each snapshot (Go client: "
	    "HEAD first)", why_portainer_facts),
	R("allow GET /info", why_portainer_facts),
	R("allow GET /containers/json " PROFILE_NO_SIZE,
	    "the snapshot's list (`ContainerList` with `All: true` only, no "
	    "sizes)"),
	R("allow GET /containers/{id}/json",
	    "running containers are inspected for GPU requests; the "
	    "container page"),
	R("allow GET /images/json", why_portainer_images),
	R("allow GET /images/{id}/json", why_portainer_images),
	R("allow GET /images/{id}/history", why_portainer_images),
	R("allow GET /volumes", why_portainer_pages),
	R("allow GET /volumes/{name}", why_portainer_pages),
	R("allow GET /networks", why_portainer_pages),
	R("allow GET /networks/{id}", why_portainer_pages),
	R("allow GET /services", why_portainer_swarm),
	R("allow GET /services/{id}", why_portainer_swarm),
	R("allow GET /tasks", why_portainer_swarm),
	R("allow GET /nodes", why_portainer_swarm),
	R("allow GET /nodes/{id}", why_portainer_swarm),
	R(NULL, NULL)
};

/* amir20/dozzle without the optional actions and shell. */
static const char why_dozzle_host[] = "host information";
static const struct profile_rule profile_dozzle_rules[] = {
	PROFILE_PING_VERSION("startup check (fatal if it fails) and "
	    "negotiation", why_dozzle_host),
	R("allow GET /info", why_dozzle_host),
	R("allow GET /containers/json " PROFILE_NO_SIZE,
	    "`all=1`, plus the user's `--filter`; never sizes"),
	R("allow GET /containers/{id}/json", "TTY flag and details"),
	R("allow GET /events", "container start/stop/die"),
	R("allow GET /containers/{id}/logs",
	    "the point of Dozzle: `follow=1&tail=300&timestamps=1`, ranges "
	    "with `since`/`until`"),
	R("allow GET /containers/{id}/stats",
	    "`stream=1` for every container"),
	R(NULL, NULL)
};

/*
 * containrrr/watchtower: what every run reads.  It pins /v1.25 and never
 * pings; the maintained forks negotiate with HEAD /_ping.
 */
static const char why_watchtower_common[] = "not used by "
    "containrrr/watchtower; the maintained forks negotiate "
    "([common rules](#the-common-rules))";
static const char why_watchtower_images[] = "the container's image by ID, and "
    "the image of its name (`containrrr/watchtower:latest`): the new one "
    "after a pull, the local one with `--no-pull`" PROFILE_IMAGE_DEPTH;
#define PROFILE_WATCHTOWER_READS					\
	PROFILE_PING_VERSION(why_watchtower_common,			\
	    why_watchtower_common),					\
	R("allow GET /containers/json " PROFILE_NO_SIZE,		\
	    "`filters={\"status\":{\"running\":true}}` (+ "		\
	    "created/exited/restarting); never sizes"),			\
	R("allow GET /containers/{id}/json",				\
	    "every candidate, the `network_mode: container:` parent, "	\
	    "and polling until stopped"),				\
	PROFILE_IMAGE_RULES("allow", "GET", "json", why_watchtower_images)

/* containrrr/watchtower: check, pull, re-create (no lifecycle hooks). */
static const char why_watchtower_nets[] = "restore all networks of the old "
    "container";
static const struct profile_rule profile_watchtower_rules[] = {
	PROFILE_WATCHTOWER_READS,
	R(PROFILE_PULL, "image pull; import from a URL "
	    "(`fromSrc=http://...`) or from the body (`fromSrc=-`) refused"),
	R("allow POST /containers/create",
	    "the replacement container (`?name=`)"),
	R("allow POST /containers/{id}/start", "start the replacement"),
	R("allow POST /containers/{id}/kill",
	    "stop with the container's stop signal"),
	R("allow POST /containers/{id}/rename",
	    "self-update renames the old watchtower"),
	R("allow DELETE /containers/{id}",
	    "remove the old container (`force=1`, `v=1` with "
	    "`--remove-volumes`)"),
	R("allow POST /networks/{id}/connect", why_watchtower_nets),
	R("allow POST /networks/{id}/disconnect", why_watchtower_nets),
	R("allow DELETE /images/{id}", "`--cleanup` removes the old image"),
	R(NULL, NULL)
};

/*
 * watchtower --monitor-only --no-pull: compares each container's image
 * with the local image of the same name and only notifies.  Without
 * --no-pull, --monitor-only still pulls (POST /images/create), so that
 * mode needs "watchtower" or this profile plus the pull rule.
 */
static const struct profile_rule profile_watchtower_ro_rules[] = {
	PROFILE_WATCHTOWER_READS,
	R(NULL, NULL)
};

/*
 * deploy: the docker CLI's run, create, start, stop, rm, exec, logs and
 * pull, and docker-compose's up -d, ps, logs, pull, stop and down -v, for
 * stacks of containers, named volumes and user networks, seen through
 * audit mode.  Every create, exec and volume body is judged by the
 * listener's body policy ("no host escape" by default).
 */
static const char why_deploy_nets[] = "compose `up` connects each container "
    "to its networks with aliases (a disconnect first)";
static const struct profile_rule profile_deploy_rules[] = {
	PROFILE_PING_VERSION("the CLI pings with `HEAD` before every command",
	    "docker-compose (docker-py) asks first, unprefixed"),
	R("allow GET /info",
	    "`docker-compose up` reads the engine facts before creating"),
	R("allow GET /containers/json " PROFILE_NO_SIZE,
	    "`docker ps` (`all=1` with `-a`); compose lists the project's "
	    "containers by label (`size=0`) before every command"),
	R("allow GET /containers/{id}/json",
	    "`exec`, `logs`, `start -a` and `network rm` inspect first; "
	    "compose inspects every container it touches"),
	PROFILE_IMAGE_RULES("allow", "GET", "json",
	    "compose inspects each service's image "
	    "(`sockward-testbox:test`, `ghcr.io/org/app:1`)"
	    PROFILE_IMAGE_DEPTH),
	R(PROFILE_PULL, "`docker pull`, `docker-compose pull`, and `docker "
	    "run` of an image that is not local; an import (`fromSrc`, "
	    "`docker import`) is refused, as in `watchtower`"),
	R("allow POST /containers/create", "`run`, `create`, compose `up` "
	    "(`?name=PROJECT_SERVICE_1`); the body is judged"),
	R("allow POST /containers/{id}/start", "`run`, `start`, compose `up` "
	    "and `start`; a non-empty body is refused by the body policy"),
	R("allow POST /containers/{id}/stop", "`stop`, compose `stop`, "
	    "`down` and the stop before a recreate (`?t=N`)"),
	R("allow POST /containers/{id}/kill", "`docker run` in the "
	    "foreground forwards the signals it gets (`--sig-proxy`, "
	    "`?signal=INT`)"),
	R("allow POST /containers/{id}/rename", "compose `up -d` renames a "
	    "container it recreates (`?name=ID_PROJECT_SERVICE_1`) before it "
	    "removes it"),
	R("allow DELETE /containers/{id}", "`rm` (`force=1` with `-f`), "
	    "compose `down` (`v=True`: the container's anonymous volumes) and "
	    "recreate"),
	R("allow POST /containers/{id}/attach",
	    "hijack: `run` in the foreground, `-i`, `-it`, `start -a`"),
	R("allow POST /containers/{id}/resize",
	    "`run -it`: the terminal's size"),
	R("allow POST /containers/{id}/wait", "`run` "
	    "(`condition=next-exit`, `removed` with `--rm`), `start -a`"),
	R("allow GET /containers/{id}/logs",
	    "`logs` (`follow=1` with `-f`), compose `logs`"),
	R("allow GET /events", "compose `logs` follows the project's events "
	    "(label filter) to notice new containers"),
	R("allow POST /containers/{id}/exec",
	    "`exec`; the body is judged (`Privileged`)"),
	R("allow POST /exec/{id}/start",
	    "hijack: the exec's stdio (`-d`: no hijack)"),
	R("allow POST /exec/{id}/resize", "`exec -it`: the terminal's size"),
	R("allow GET /exec/{id}/json", "`exec` reads the exit code"),
	R("allow POST /networks/create",
	    "compose `up` creates the project's networks"),
	R("allow GET,DELETE /networks/{id}", "compose checks for the network "
	    "before each command and removes it in `down`; `docker network "
	    "rm` inspects first"),
	R("allow POST /networks/{id}/connect", why_deploy_nets),
	R("allow POST /networks/{id}/disconnect", why_deploy_nets),
	R("allow POST /volumes/create", "compose `up` creates the named "
	    "volumes; the body is judged (driver options that bind a host "
	    "path)"),
	R("allow GET,DELETE /volumes/{name}", "compose checks for each "
	    "volume before each command, `down -v` removes it"),
	R(NULL, NULL)
};

/* crazy-max/diun docker and swarm providers. */
static const struct profile_rule profile_diun_rules[] = {
	PROFILE_PING_VERSION("version negotiation (unless `apiVersion` is "
	    "set)", "`ServerVersion` when the client is created"),
	R("allow GET /containers/json " PROFILE_NO_SIZE,
	    "`filters={\"status\":{\"running\":true}}` (+ created/exited with "
	    "`watchStopped`); never sizes"),
	R("allow GET /containers/{id}/json", "listed in clients.md; current "
	    "sources do not call it: remove it with `--deny 'GET "
	    "/containers/{id}/json reason \"diun\"'` if your version works "
	    "without"),
	PROFILE_IMAGE_RULES("allow", "GET", "json",
	    "inspect each container's image (by name, e.g. "
	    "`crazymax/diun:latest`, or `name@sha256:...`) to skip local and "
	    "dangling images" PROFILE_IMAGE_DEPTH),
	R("allow GET /services", "swarm provider"),
	R(NULL, NULL)
};

/* willfarrell/autoheal with the default AUTOHEAL_CONTAINER_LABEL. */
static const char why_autoheal_common[] = PROFILE_COMMON_WHY("autoheal");
static const struct profile_rule profile_autoheal_rules[] = {
	PROFILE_PING_VERSION(why_autoheal_common, why_autoheal_common),
	R("allow GET /containers/json " PROFILE_NO_SIZE
	    " filter health=unhealthy filter label=autoheal=true",
	    "every `AUTOHEAL_INTERVAL` seconds: `filters={\"health\":"
	    "[\"unhealthy\"],\"label\":[\"autoheal=true\"]}` (raw JSON "
	    "characters in the query); curl never asks for sizes"),
	R("allow POST /containers/{id}/restart", "`?t=` the stop timeout"),
	R(NULL, NULL)
};

/* louislam/uptime-kuma docker container monitor. */
static const char why_uptime_kuma_common[] = PROFILE_COMMON_WHY("Uptime Kuma");
static const struct profile_rule profile_uptime_kuma_rules[] = {
	PROFILE_PING_VERSION(why_uptime_kuma_common, why_uptime_kuma_common),
	R("allow GET /containers/json " PROFILE_NO_SIZE,
	    "`?all=true`, checking the docker host; never sizes"),
	R("allow GET /containers/{name}/json",
	    "the monitor: `State.Running`, `State.Health`"),
	R(NULL, NULL)
};

/* Version negotiation of a Go client. */
static const char why_negotiation[] = "version negotiation "
    "([common rules](#the-common-rules))";

/* Prometheus docker_sd_configs and dockerswarm_sd_configs. */
static const char why_prometheus_swarm[] = "`dockerswarm_sd` roles services, "
    "tasks, nodes";
static const struct profile_rule profile_prometheus_rules[] = {
	PROFILE_PING_VERSION(why_negotiation, why_negotiation),
	R("allow GET /containers/json " PROFILE_NO_SIZE,
	    "`docker_sd`, with the configured `filters`; never sizes"),
	R("allow GET /networks", "network labels for every target"),
	R("allow GET /services", why_prometheus_swarm),
	R("allow GET /tasks", why_prometheus_swarm),
	R("allow GET /nodes", why_prometheus_swarm),
	R(NULL, NULL)
};

/* CrowdSec docker acquisition (containers and swarm services). */
static const char why_crowdsec_which[] = "which containers to read, TTY flag, "
    "labels, still running? Never sizes";
static const char why_crowdsec_swarm[] = "swarm services";
static const struct profile_rule profile_crowdsec_rules[] = {
	PROFILE_PING_VERSION(why_negotiation, why_negotiation),
	R("allow GET /info", "is this a swarm manager"),
	R("allow GET /containers/json " PROFILE_NO_SIZE, why_crowdsec_which),
	R("allow GET /containers/{id}/json", why_crowdsec_which),
	R("allow GET /containers/{id}/logs", "the log stream CrowdSec parses "
	    "(`follow=1`; one-shot mode without)"),
	R("allow GET /events",
	    "`filters={\"type\":{\"container\":true,\"service\":...}}`"),
	R("allow GET /services", why_crowdsec_swarm),
	R("allow GET /services/{id}", why_crowdsec_swarm),
	R("allow GET /services/{id}/logs", why_crowdsec_swarm),
	R(NULL, NULL)
};

/* Netdata cgroup name resolution and the go.d docker collector. */
static const char why_netdata_neg[] = "negotiation (go.d) "
    "([common rules](#the-common-rules))";
static const struct profile_rule profile_netdata_rules[] = {
	PROFILE_PING_VERSION(why_netdata_neg, why_netdata_neg),
	R("allow GET /info", "container and image counts"),
	/* The only list rule without PROFILE_NO_SIZE. */
	R("allow GET /containers/json", "`all=1`, health and state per "
	    "container; **with sizes** (`size=1`) when the go.d docker "
	    "collector has `collect_container_size: yes` (off by default; "
	    "its docs warn of the CPU cost)"),
	R("allow GET /containers/{id}/json", "cgroup name resolution"),
	R("allow GET /images/json", "image metrics"),
	R(NULL, NULL)
};

/* google/cadvisor docker container handler. */
static const char why_cadvisor_facts[] = "storage driver, root dir, engine "
    "version";
static const struct profile_rule profile_cadvisor_rules[] = {
	PROFILE_PING_VERSION("negotiation", why_cadvisor_facts),
	R("allow GET /info", why_cadvisor_facts),
	R("allow GET /containers/{id}/json",
	    "labels, env-derived metadata of each cgroup's container"),
	R("allow GET /images/json", "image list"),
	R(NULL, NULL)
};

static const struct profile_rule profile_none_rules[] = {
	R(NULL, NULL)
};

static const struct profile profile_traefik = {
	"traefik",
	"what Traefik v2/v3 docker and swarm providers call",
	profile_traefik_rules,
	0
};

static const struct profile profile_readonly = {
	"readonly",
	"all reads except logs, file and image export, unlock key, debug, "
	    "attach",
	profile_readonly_rules,
	0
};

static const struct profile profile_podman_readonly = {
	"podman-readonly",
	"readonly plus podman --remote's reads (no logs, exports, secrets)",
	profile_podman_readonly_rules,
	0
};

static const struct profile profile_homepage = {
	"homepage",
	"Homepage docker widget and service discovery (read-only, "
	    "one-shot stats)",
	profile_homepage_rules,
	0
};

static const struct profile profile_portainer_ro = {
	"portainer-readonly",
	"Portainer snapshot and read-only browsing, no logs, console "
	    "or writes",
	profile_portainer_ro_rules,
	0
};

static const struct profile profile_dozzle = {
	"dozzle",
	"Dozzle log viewer: list, events, logs, stats (no actions, no shell)",
	profile_dozzle_rules,
	0
};

static const struct profile profile_watchtower = {
	"watchtower",
	"Watchtower: inspect, pull, re-create containers (no hooks)",
	profile_watchtower_rules,
	1
};

static const struct profile profile_watchtower_ro = {
	"watchtower-readonly",
	"Watchtower --monitor-only --no-pull: inspect only, no pull, no writes",
	profile_watchtower_ro_rules,
	1
};

static const struct profile profile_deploy = {
	"deploy",
	"docker run/exec and compose up/down: containers, volumes, networks",
	profile_deploy_rules,
	1
};

static const struct profile profile_diun = {
	"diun",
	"Diun: list containers and services, inspect their images",
	profile_diun_rules,
	0
};

static const struct profile profile_autoheal = {
	"autoheal",
	"autoheal: list unhealthy autoheal=true containers, restart them",
	profile_autoheal_rules,
	0
};

static const struct profile profile_uptime_kuma = {
	"uptime-kuma",
	"Uptime Kuma docker monitor: list and inspect containers",
	profile_uptime_kuma_rules,
	0
};

static const struct profile profile_prometheus = {
	"prometheus",
	"Prometheus docker_sd and dockerswarm_sd service discovery",
	profile_prometheus_rules,
	0
};

static const struct profile profile_crowdsec = {
	"crowdsec",
	"CrowdSec docker acquisition: container and service logs, events",
	profile_crowdsec_rules,
	0
};

static const struct profile profile_netdata = {
	"netdata",
	"Netdata container names and docker collector",
	profile_netdata_rules,
	0
};

static const struct profile profile_cadvisor = {
	"cadvisor",
	"cAdvisor docker handler: info, version, container and image "
	    "metadata",
	profile_cadvisor_rules,
	0
};

static const struct profile profile_none = {
	"none",
	"no built-in rules: only --allow rules apply",
	profile_none_rules,
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

	if (p == NULL || set == NULL || p->name == NULL || p->rules == NULL)
		return -1;
	snprintf(origin, sizeof(origin), "profile %s", p->name);
	saved = set->nrules;
	for (i = 0; p->rules[i].line != NULL; i++) {
		if (rule_parse_line(p->rules[i].line, &r, &why) != 0 ||
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

	if (p == NULL || out == NULL || p->name == NULL || p->rules == NULL)
		return;
	snprintf(buf, sizeof(buf), "# profile %s: %s", p->name,
	    p->summary != NULL ? p->summary : "");
	out(arg, buf);
	for (i = 0; p->rules[i].line != NULL; i++) {
		/* The normalised form is what profile_load installs; a line
		 * that does not parse (never for a tested built-in) is shown
		 * as written so the error is visible when it is pasted. */
		if (rule_parse_line(p->rules[i].line, &r, NULL) == 0)
			out(arg, rule_line_str(&r, buf, sizeof(buf)));
		else
			out(arg, p->rules[i].line);
	}
}
