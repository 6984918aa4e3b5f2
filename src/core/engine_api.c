/*
 * engine_api.c - the Engine API route table and dockerd's dispatch.
 *
 * The rows were checked against moby's router source (NewGetRoute,
 * NewPostRoute, ... calls of api/server/router/<area>/<area>.go, moved to
 * daemon/server/router in v28) on the 20.10 branch (API 1.41), the 28.x
 * branch and the docker-29.x branch (API 1.55), and their order against
 * the router list (cmd/dockerd/daemon.go, daemon/command/daemon.go).
 * Minimum versions are those the router declares (WithMinimumAPIVersion);
 * handlers may refuse older versions themselves.  The form flag and body
 * kind come from reading each handler (httputils.ParseForm, r.FormValue,
 * httputils.ReadJSON).
 *
 * The libpod rows were checked against podman's pkg/api/server
 * (register_*.go, the register calls' order in server.go) at v4.3.1 and
 * at a 5.x head, and their flags against pkg/api/handlers.  Podman's
 * APIHandler wrapper calls r.ParseForm for every route, but handlers
 * decode their parameters from r.URL.Query(): a form body is consumed,
 * never read as parameters, except by image tag and untag (r.Form.Get),
 * the only libpod rows with ENGINE_API_FORM.  Hijacks: HTTPAttach and
 * ExecHTTPStartAndAttach, called by container attach and exec start.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_api.h"

#define OLD	ENGINE_API_OLDEST
#define NEW	ENGINE_API_NEWEST
#define HJ	ENGINE_API_HIJACK
#define ST	ENGINE_API_STREAM
#define FM	ENGINE_API_FORM
#define EX	ENGINE_API_EXPERIMENTAL
#define LP	ENGINE_API_LIBPOD
#define B0	ENGINE_API_BODY_NONE
#define BJ	ENGINE_API_BODY_JSON
#define BT	ENGINE_API_BODY_TAR
#define BA	ENGINE_API_BODY_ANY
#define GET	REQ_M_GET
#define HEAD	REQ_M_HEAD
#define POST	REQ_M_POST
#define PUT	REQ_M_PUT
#define DEL	REQ_M_DELETE
#define OPT	REQ_M_OPTIONS

/* A template and its length. */
#define T(tmpl)	tmpl, sizeof(tmpl) - 1

#define ENV	"container config incl. Config.Env (secrets)"
#define LOGS	"logs (often hold secrets)"
#define AUTH	"registry credentials (X-Registry-Auth)"
/* A libpod route that podman 4.3 lacks. */
#define P5	" (podman 5)"

/*
 * Registration order matters where two templates match one path: the
 * checkpoint router comes first so that DELETE /containers/a/checkpoints/b
 * is a checkpoint delete, not the removal of container "a/checkpoints/b".
 * Debug routes: dockerd 20.10 adds them last and for every method; since
 * v23 they are GET routes of a debug router.  Both serve them only with
 * --debug (404 otherwise); listed as GET.
 */
static const struct engine_api_route engine_api_routes[] = {
	/* checkpoint (experimental) */
	{ GET,	T("/containers/{name:.*}/checkpoints"), OLD, NEW, FM | EX, B0,
	    NULL },
	{ POST,	T("/containers/{name:.*}/checkpoints"), OLD, NEW, FM | EX, BJ,
	    NULL },
	{ DEL,	T("/containers/{name}/checkpoints/{checkpoint}"), OLD, NEW,
	    FM | EX, B0, NULL },
	/* container */
	{ HEAD,	T("/containers/{name:.*}/archive"), OLD, NEW, FM, B0,
	    "container files (stat)" },
	{ GET,	T("/containers/json"), OLD, NEW, FM, B0, NULL },
	{ GET,	T("/containers/{name:.*}/export"), OLD, NEW, 0, B0,
	    "the container's whole filesystem" },
	{ GET,	T("/containers/{name:.*}/changes"), OLD, NEW, 0, B0, NULL },
	{ GET,	T("/containers/{name:.*}/json"), OLD, NEW, FM, B0, ENV },
	{ GET,	T("/containers/{name:.*}/top"), OLD, NEW, FM, B0,
	    "process command lines" },
	{ GET,	T("/containers/{name:.*}/logs"), OLD, NEW, FM | ST, B0, LOGS },
	{ GET,	T("/containers/{name:.*}/stats"), OLD, NEW, FM | ST, B0, NULL },
	{ GET,	T("/containers/{name:.*}/attach/ws"), OLD, NEW, FM | HJ, BA,
	    "container stdin/stdout" },
	{ GET,	T("/exec/{id:.*}/json"), OLD, NEW, 0, B0, "exec command line" },
	{ GET,	T("/containers/{name:.*}/archive"), OLD, NEW, FM, B0,
	    "container files" },
	{ POST,	T("/containers/create"), OLD, NEW, FM, BJ,
	    "HostConfig: privileged, host mounts (root on the host)" },
	{ POST,	T("/containers/{name:.*}/kill"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/containers/{name:.*}/pause"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/containers/{name:.*}/unpause"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/containers/{name:.*}/restart"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/containers/{name:.*}/start"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/containers/{name:.*}/stop"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/containers/{name:.*}/wait"), OLD, NEW, FM | ST, B0, NULL },
	{ POST,	T("/containers/{name:.*}/resize"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/containers/{name:.*}/attach"), OLD, NEW, FM | HJ, BA,
	    "container stdin/stdout" },
	{ POST,	T("/containers/{name:.*}/copy"), OLD, 44, 0, BJ,
	    "removed in v26; errors out" },
	{ POST,	T("/containers/{name:.*}/exec"), OLD, NEW, FM, BJ,
	    "runs a command in a container" },
	{ POST,	T("/exec/{name:.*}/start"), OLD, NEW, FM | HJ, BJ,
	    "exec stdin/stdout" },
	{ POST,	T("/exec/{name:.*}/resize"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/containers/{name:.*}/rename"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/containers/{name:.*}/update"), OLD, NEW, FM, BJ, NULL },
	{ POST,	T("/containers/prune"), 25, NEW, FM, B0, NULL },
	{ POST,	T("/commit"), OLD, NEW, FM, BJ, NULL },
	{ PUT,	T("/containers/{name:.*}/archive"), OLD, NEW, FM, BT,
	    "writes files into a container" },
	{ DEL,	T("/containers/{name:.*}"), OLD, NEW, FM, B0, NULL },
	/* image */
	{ GET,	T("/images/json"), OLD, NEW, FM, B0, NULL },
	{ GET,	T("/images/search"), OLD, NEW, FM, B0, AUTH },
	{ GET,	T("/images/get"), OLD, NEW, FM, B0, "image tarballs" },
	{ GET,	T("/images/{name:.*}/get"), OLD, NEW, FM, B0,
	    "image tarballs" },
	{ GET,	T("/images/{name:.*}/history"), OLD, NEW, FM, B0, NULL },
	{ GET,	T("/images/{name:.*}/json"), OLD, NEW, FM, B0, NULL },
	{ GET,	T("/images/{name:.*}/attestations"), 55, NEW, FM, B0, NULL },
	{ POST,	T("/images/load"), OLD, NEW, FM, BT, NULL },
	{ POST,	T("/images/create"), OLD, NEW, FM | ST, BA, AUTH },
	{ POST,	T("/images/{name:.*}/push"), OLD, NEW, FM | ST, B0, AUTH },
	{ POST,	T("/images/{name:.*}/tag"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/images/prune"), 25, NEW, FM, B0, NULL },
	{ DEL,	T("/images/{name:.*}"), OLD, NEW, FM, B0, NULL },
	/* system */
	{ OPT,	T("/{anyroute:.*}"), OLD, NEW, 0, B0, NULL },
	{ GET,	T("/_ping"), OLD, NEW, 0, B0, NULL },
	{ HEAD,	T("/_ping"), OLD, NEW, 0, B0, NULL },
	{ GET,	T("/events"), OLD, NEW, FM | ST, B0, NULL },
	{ GET,	T("/info"), OLD, NEW, 0, B0, "host and registry details" },
	{ GET,	T("/version"), OLD, NEW, 0, B0, NULL },
	{ GET,	T("/system/df"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/auth"), OLD, NEW, 0, BJ, "registry credentials" },
	/* volume */
	{ GET,	T("/volumes"), OLD, NEW, FM, B0, "volume Options" },
	{ GET,	T("/volumes/{name:.*}"), OLD, NEW, FM, B0, "volume Options" },
	{ POST,	T("/volumes/create"), OLD, NEW, FM, BJ, NULL },
	{ POST,	T("/volumes/prune"), 25, NEW, FM, B0, NULL },
	{ PUT,	T("/volumes/{name:.*}"), 42, NEW, FM, BJ, NULL },
	{ DEL,	T("/volumes/{name:.*}"), OLD, NEW, FM, B0, NULL },
	/* build */
	{ POST,	T("/build"), OLD, NEW, FM | ST, BT, AUTH },
	{ POST,	T("/build/prune"), 31, NEW, FM, B0, NULL },
	{ POST,	T("/build/cancel"), OLD, NEW, FM, B0, NULL },
	/* session */
	{ POST,	T("/session"), OLD, NEW, HJ, BA, "build session (hijack)" },
	/* swarm */
	{ POST,	T("/swarm/init"), OLD, NEW, 0, BJ, NULL },
	{ POST,	T("/swarm/join"), OLD, NEW, 0, BJ, "join token" },
	{ POST,	T("/swarm/leave"), OLD, NEW, FM, B0, NULL },
	{ GET,	T("/swarm"), OLD, NEW, 0, B0, "join tokens" },
	{ GET,	T("/swarm/unlockkey"), OLD, NEW, 0, B0, "swarm unlock key" },
	{ POST,	T("/swarm/update"), OLD, NEW, 0, BJ, NULL },
	{ POST,	T("/swarm/unlock"), OLD, NEW, 0, BJ, "swarm unlock key" },
	{ GET,	T("/services"), OLD, NEW, FM, B0, "service specs incl. Env" },
	{ GET,	T("/services/{id}"), OLD, NEW, 0, B0,
	    "service spec incl. Env" },
	{ POST,	T("/services/create"), OLD, NEW, 0, BJ, AUTH },
	{ POST,	T("/services/{id}/update"), OLD, NEW, 0, BJ, AUTH },
	{ DEL,	T("/services/{id}"), OLD, NEW, 0, B0, NULL },
	{ GET,	T("/services/{id}/logs"), OLD, NEW, FM | ST, B0, LOGS },
	{ GET,	T("/nodes"), OLD, NEW, FM, B0, NULL },
	{ GET,	T("/nodes/{id}"), OLD, NEW, 0, B0, NULL },
	{ DEL,	T("/nodes/{id}"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/nodes/{id}/update"), OLD, NEW, 0, BJ, NULL },
	{ GET,	T("/tasks"), OLD, NEW, FM, B0, "task specs incl. Env" },
	{ GET,	T("/tasks/{id}"), OLD, NEW, 0, B0, "task spec incl. Env" },
	{ GET,	T("/tasks/{id}/logs"), OLD, NEW, FM | ST, B0, LOGS },
	{ GET,	T("/secrets"), 25, NEW, FM, B0, NULL },
	{ POST,	T("/secrets/create"), 25, NEW, 0, BJ, "secret data" },
	{ DEL,	T("/secrets/{id}"), 25, NEW, 0, B0, NULL },
	{ GET,	T("/secrets/{id}"), 25, NEW, 0, B0, NULL },
	{ POST,	T("/secrets/{id}/update"), 25, NEW, 0, BJ, NULL },
	{ GET,	T("/configs"), 30, NEW, FM, B0, "config data" },
	{ POST,	T("/configs/create"), 30, NEW, 0, BJ, NULL },
	{ DEL,	T("/configs/{id}"), 30, NEW, 0, B0, NULL },
	{ GET,	T("/configs/{id}"), 30, NEW, 0, B0, "config data" },
	{ POST,	T("/configs/{id}/update"), 30, NEW, 0, BJ, NULL },
	/* plugin */
	{ GET,	T("/plugins"), OLD, NEW, FM, B0, NULL },
	{ GET,	T("/plugins/{name:.*}/json"), OLD, NEW, 0, B0, NULL },
	{ GET,	T("/plugins/privileges"), OLD, NEW, FM, B0, NULL },
	{ DEL,	T("/plugins/{name:.*}"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/plugins/{name:.*}/enable"), OLD, NEW, FM, B0,
	    "plugins run with the privileges they ask for" },
	{ POST,	T("/plugins/{name:.*}/disable"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/plugins/pull"), OLD, NEW, FM | ST, BJ, AUTH },
	{ POST,	T("/plugins/{name:.*}/push"), OLD, NEW, FM | ST, B0, AUTH },
	{ POST,	T("/plugins/{name:.*}/upgrade"), 26, NEW, FM | ST, BJ, AUTH },
	{ POST,	T("/plugins/{name:.*}/set"), OLD, NEW, 0, BJ, NULL },
	{ POST,	T("/plugins/create"), OLD, NEW, FM, BT, NULL },
	/* distribution */
	{ GET,	T("/distribution/{name:.*}/json"), 30, NEW, FM, B0, AUTH },
	/* network */
	{ GET,	T("/networks"), OLD, NEW, FM, B0, NULL },
	{ GET,	T("/networks/"), OLD, NEW, FM, B0, NULL },
	{ GET,	T("/networks/{id:.+}"), OLD, NEW, FM, B0, NULL },
	{ POST,	T("/networks/create"), OLD, NEW, FM, BJ, NULL },
	{ POST,	T("/networks/{id:.*}/connect"), OLD, NEW, FM, BJ, NULL },
	{ POST,	T("/networks/{id:.*}/disconnect"), OLD, NEW, FM, BJ, NULL },
	{ POST,	T("/networks/prune"), 25, NEW, FM, B0, NULL },
	{ DEL,	T("/networks/{id:.*}"), OLD, NEW, FM, B0, NULL },
	/* debug (dockerd --debug only) */
	{ GET,	T("/debug/vars"), OLD, NEW, 0, B0, "daemon internals" },
	{ GET,	T("/debug/pprof/"), OLD, NEW, 0, B0, "daemon internals" },
	{ GET,	T("/debug/pprof/cmdline"), OLD, NEW, 0, B0,
	    "daemon internals" },
	{ GET,	T("/debug/pprof/profile"), OLD, NEW, 0, B0,
	    "daemon internals" },
	{ GET,	T("/debug/pprof/symbol"), OLD, NEW, 0, B0, "daemon internals" },
	{ GET,	T("/debug/pprof/trace"), OLD, NEW, 0, B0, "daemon internals" },
	{ GET,	T("/debug/pprof/{name}"), OLD, NEW, 0, B0, "daemon internals" },
	/* grpc (BuildKit) */
	{ POST,	T("/grpc"), OLD, NEW, HJ, BA, "BuildKit gRPC (hijack)" },
	/*
	 * Podman's libpod API.  Podman registers these next to its Docker-
	 * compatible routes, but no template of one family matches a path
	 * of the other, so the libpod rows keep their own registration
	 * order (pkg/api/server/server.go, register_*.go; v4.3.1 and the
	 * routes podman 5 added, marked "podman 5").  Every one is served
	 * under "/v{version}"; only "/libpod/_ping" also without it.
	 */
	/* artifacts (podman 5) */
	{ GET,	T("/libpod/artifacts/{name:.*}/json"), OLD, NEW, LP, B0,
	    "podman 5" },
	{ GET,	T("/libpod/artifacts/json"), OLD, NEW, LP, B0, "podman 5" },
	{ POST,	T("/libpod/artifacts/pull"), OLD, NEW, LP, B0, AUTH P5 },
	{ DEL,	T("/libpod/artifacts/remove"), OLD, NEW, LP, B0, "podman 5" },
	{ DEL,	T("/libpod/artifacts/{name:.*}"), OLD, NEW, LP, B0,
	    "podman 5" },
	{ POST,	T("/libpod/artifacts/add"), OLD, NEW, LP, BA, "podman 5" },
	{ POST,	T("/libpod/artifacts/local/add"), OLD, NEW, LP, B0,
	    "reads a file on the host (path=)" P5 },
	{ POST,	T("/libpod/artifacts/{name:.*}/push"), OLD, NEW, LP, B0,
	    AUTH P5 },
	{ GET,	T("/libpod/artifacts/{name:.*}/extract"), OLD, NEW, LP, B0,
	    "podman 5" },
	/* archive */
	{ GET,	T("/libpod/containers/{name}/archive"), OLD, NEW, LP, B0,
	    "container files" },
	{ PUT,	T("/libpod/containers/{name}/archive"), OLD, NEW, LP, BT,
	    "writes files into a container" },
	{ HEAD,	T("/libpod/containers/{name}/archive"), OLD, NEW, LP, B0,
	    "container files (stat)" },
	/* containers */
	{ POST,	T("/libpod/containers/create"), OLD, NEW, LP, BJ,
	    "SpecGenerator: privileged, host mounts (root on the host)" },
	{ GET,	T("/libpod/containers/json"), OLD, NEW, LP, B0, NULL },
	{ POST,	T("/libpod/containers/prune"), OLD, NEW, LP, B0, NULL },
	{ GET,	T("/libpod/containers/showmounted"), OLD, NEW, LP, B0,
	    "host paths of mounted root filesystems" },
	{ DEL,	T("/libpod/containers/{name}"), OLD, NEW, LP, B0, NULL },
	{ GET,	T("/libpod/containers/{name}/json"), OLD, NEW, LP, B0,
	    ENV ", CreateCommand" },
	{ POST,	T("/libpod/containers/{name}/kill"), OLD, NEW, LP, B0, NULL },
	{ POST,	T("/libpod/containers/{name}/mount"), OLD, NEW, LP, B0,
	    "mounts the container's root filesystem on the host" },
	{ POST,	T("/libpod/containers/{name}/unmount"), OLD, NEW, LP, B0,
	    NULL },
	{ GET,	T("/libpod/containers/{name}/logs"), OLD, NEW, LP | ST, B0,
	    LOGS },
	{ POST,	T("/libpod/containers/{name}/pause"), OLD, NEW, LP, B0, NULL },
	{ POST,	T("/libpod/containers/{name}/restart"), OLD, NEW, LP, B0,
	    NULL },
	{ POST,	T("/libpod/containers/{name}/start"), OLD, NEW, LP, B0, NULL },
	{ GET,	T("/libpod/containers/{name}/stats"), OLD, NEW, LP | ST, B0,
	    NULL },
	{ GET,	T("/libpod/containers/stats"), OLD, NEW, LP | ST, B0, NULL },
	{ GET,	T("/libpod/containers/{name}/top"), OLD, NEW, LP | ST, B0,
	    "process command lines" },
	{ POST,	T("/libpod/containers/{name}/unpause"), OLD, NEW, LP, B0,
	    NULL },
	{ POST,	T("/libpod/containers/{name}/wait"), OLD, NEW, LP | ST, B0,
	    NULL },
	{ GET,	T("/libpod/containers/{name}/exists"), OLD, NEW, LP, B0,
	    NULL },
	{ POST,	T("/libpod/containers/{name}/stop"), OLD, NEW, LP, B0, NULL },
	{ POST,	T("/libpod/containers/{name}/attach"), OLD, NEW, LP | HJ, BA,
	    "container stdin/stdout" },
	{ POST,	T("/libpod/containers/{name}/resize"), OLD, NEW, LP, B0,
	    NULL },
	{ GET,	T("/libpod/containers/{name}/export"), OLD, NEW, LP, B0,
	    "the container's whole filesystem" },
	{ POST,	T("/libpod/containers/{name}/checkpoint"), OLD, NEW, LP, B0,
	    "container memory and files (export=true)" },
	{ POST,	T("/libpod/containers/{name}/restore"), OLD, NEW, LP, BT,
	    "restores an uploaded checkpoint (import=true)" },
	{ GET,	T("/libpod/containers/{name}/changes"), OLD, NEW, LP, B0,
	    NULL },
	{ POST,	T("/libpod/containers/{name}/init"), OLD, NEW, LP, B0, NULL },
	{ POST,	T("/libpod/containers/{name}/rename"), OLD, NEW, LP, B0,
	    NULL },
	{ POST,	T("/libpod/containers/{name}/update"), OLD, NEW, LP, BJ,
	    NULL },
	/* events */
	{ GET,	T("/libpod/events"), OLD, NEW, LP | ST, B0, NULL },
	/* exec */
	{ POST,	T("/libpod/containers/{name}/exec"), OLD, NEW, LP, BJ,
	    "runs a command in a container" },
	{ POST,	T("/libpod/exec/{id}/start"), OLD, NEW, LP | HJ, BJ,
	    "exec stdin/stdout" },
	{ POST,	T("/libpod/exec/{id}/resize"), OLD, NEW, LP, B0, NULL },
	{ GET,	T("/libpod/exec/{id}/json"), OLD, NEW, LP, B0,
	    "exec command line" },
	{ POST,	T("/libpod/exec/{id}/remove"), OLD, NEW, LP, BJ, "podman 5" },
	/* generate ("GET /libpod/generate/kube" again in kube: unreachable) */
	{ GET,	T("/libpod/generate/{name:.*}/systemd"), OLD, NEW, LP, B0,
	    "container command and env in the unit" },
	{ GET,	T("/libpod/generate/kube"), OLD, NEW, LP, B0,
	    "container env in YAML" },
	/* healthcheck */
	{ GET,	T("/libpod/containers/{name:.*}/healthcheck"), OLD, NEW, LP,
	    B0, NULL },
	/* images */
	{ POST,	T("/libpod/images/{name:.*}/push"), OLD, NEW, LP | ST, B0,
	    AUTH },
	{ GET,	T("/libpod/images/{name:.*}/exists"), OLD, NEW, LP, B0, NULL },
	{ GET,	T("/libpod/images/{name:.*}/tree"), OLD, NEW, LP, B0, NULL },
	{ GET,	T("/libpod/images/{name:.*}/history"), OLD, NEW, LP, B0,
	    NULL },
	{ GET,	T("/libpod/images/json"), OLD, NEW, LP, B0, NULL },
	{ POST,	T("/libpod/images/load"), OLD, NEW, LP, BT, NULL },
	{ POST,	T("/libpod/local/images/load"), OLD, NEW, LP, B0,
	    "reads a tar on the host (path=)" P5 },
	{ POST,	T("/libpod/images/import"), OLD, NEW, LP, BT,
	    "fetches url= from the host's network" },
	{ DEL,	T("/libpod/images/remove"), OLD, NEW, LP, B0, NULL },
	{ DEL,	T("/libpod/images/{name:.*}"), OLD, NEW, LP, B0, NULL },
	{ POST,	T("/libpod/images/pull"), OLD, NEW, LP | ST, B0, AUTH },
	{ POST,	T("/libpod/images/prune"), OLD, NEW, LP, B0, NULL },
	{ GET,	T("/libpod/images/search"), OLD, NEW, LP, B0, AUTH },
	{ GET,	T("/libpod/images/{name:.*}/get"), OLD, NEW, LP, B0,
	    "image tarballs" },
	{ GET,	T("/libpod/images/export"), OLD, NEW, LP, B0,
	    "image tarballs" },
	{ GET,	T("/libpod/images/{name:.*}/json"), OLD, NEW, LP, B0, NULL },
	{ POST,	T("/libpod/images/{name:.*}/tag"), OLD, NEW, LP | FM, B0,
	    NULL },
	{ POST,	T("/libpod/commit"), OLD, NEW, LP | ST, BJ, NULL },
	{ POST,	T("/libpod/images/{name:.*}/untag"), OLD, NEW, LP | FM, B0,
	    NULL },
	{ GET,	T("/libpod/images/{name}/changes"), OLD, NEW, LP, B0, NULL },
	{ POST,	T("/libpod/build"), OLD, NEW, LP | ST, BT, AUTH },
	{ POST,	T("/libpod/local/build"), OLD, NEW, LP | ST, B0,
	    "builds from a directory on the host" P5 },
	{ POST,	T("/libpod/images/scp/{name:.*}"), OLD, NEW, LP, B0,
	    "copies an image to another host or user (ssh)" },
	{ GET,	T("/libpod/images/{name:.*}/resolve"), OLD, NEW, LP, B0,
	    "podman 5" },
	/* info */
	{ GET,	T("/libpod/info"), OLD, NEW, LP, B0,
	    "host and registry details" },
	/*
	 * manifests: podman registers them on two subrouters, for version
	 * prefixes /v0..3.x and /v4+.  The table holds the v4+ routes (and
	 * order): under a v3 prefix podman also has "POST .../{name}/push",
	 * "POST .../create", "POST .../{name:.*}/add", a digest-removing
	 * DELETE and no PUT or registry push.
	 */
	{ POST,	T("/libpod/manifests/{name:.*}/registry/{destination:.*}"),
	    OLD, NEW, LP | ST, B0, AUTH },
	{ POST,	T("/libpod/manifests/{name:.*}"), OLD, NEW, LP, BJ, NULL },
	{ GET,	T("/libpod/manifests/{name:.*}/exists"), OLD, NEW, LP, B0,
	    NULL },
	{ GET,	T("/libpod/manifests/{name:.*}/json"), OLD, NEW, LP, B0,
	    NULL },
	{ PUT,	T("/libpod/manifests/{name:.*}"), OLD, NEW, LP, BA,
	    AUTH "; podman 5 takes multipart files" },
	{ DEL,	T("/libpod/manifests/{name:.*}"), OLD, NEW, LP, B0, NULL },
	/* networks */
	{ DEL,	T("/libpod/networks/{name}"), OLD, NEW, LP, B0, NULL },
	{ POST,	T("/libpod/networks/{name}/update"), OLD, NEW, LP, BJ,
	    "podman 5" },
	{ GET,	T("/libpod/networks/{name}/exists"), OLD, NEW, LP, B0, NULL },
	{ GET,	T("/libpod/networks/json"), OLD, NEW, LP, B0, NULL },
	{ GET,	T("/libpod/networks/{name}/json"), OLD, NEW, LP, B0, NULL },
	{ GET,	T("/libpod/networks/{name}"), OLD, NEW, LP, B0, NULL },
	{ POST,	T("/libpod/networks/create"), OLD, NEW, LP, BJ, NULL },
	{ POST,	T("/libpod/networks/{name}/connect"), OLD, NEW, LP, BJ,
	    NULL },
	{ POST,	T("/libpod/networks/{name}/disconnect"), OLD, NEW, LP, BJ,
	    NULL },
	{ POST,	T("/libpod/networks/prune"), OLD, NEW, LP, B0, NULL },
	/* ping */
	{ GET,	T("/libpod/_ping"), OLD, NEW, LP, B0, NULL },
	{ HEAD,	T("/libpod/_ping"), OLD, NEW, LP, B0, NULL },
	/* kube */
	{ POST,	T("/libpod/play/kube"), OLD, NEW, LP, BA,
	    "pod YAML: privileged, host mounts (root on the host)" },
	{ POST,	T("/libpod/kube/play"), OLD, NEW, LP, BA,
	    "pod YAML: privileged, host mounts (root on the host)" },
	{ DEL,	T("/libpod/play/kube"), OLD, NEW, LP, BA, NULL },
	{ DEL,	T("/libpod/kube/play"), OLD, NEW, LP, BA, NULL },
	{ POST,	T("/libpod/kube/apply"), OLD, NEW, LP, BA,
	    "deploys YAML to a Kubernetes cluster (kubeconfig=)" P5 },
	{ GET,	T("/libpod/kube/generate"), OLD, NEW, LP, B0,
	    "container env in YAML" },
	/* pods */
	{ GET,	T("/libpod/pods/json"), OLD, NEW, LP, B0, NULL },
	{ POST,	T("/libpod/pods/create"), OLD, NEW, LP, BJ,
	    "PodSpecGenerator: host namespaces, mounts (root on the host)" },
	{ POST,	T("/libpod/pods/prune"), OLD, NEW, LP, B0, NULL },
	{ DEL,	T("/libpod/pods/{name}"), OLD, NEW, LP, B0, NULL },
	{ GET,	T("/libpod/pods/{name}/json"), OLD, NEW, LP, B0,
	    "CreateCommand" },
	{ GET,	T("/libpod/pods/{name}/exists"), OLD, NEW, LP, B0, NULL },
	{ POST,	T("/libpod/pods/{name}/kill"), OLD, NEW, LP, B0, NULL },
	{ POST,	T("/libpod/pods/{name}/pause"), OLD, NEW, LP, B0, NULL },
	{ POST,	T("/libpod/pods/{name}/restart"), OLD, NEW, LP, B0, NULL },
	{ POST,	T("/libpod/pods/{name}/start"), OLD, NEW, LP, B0, NULL },
	{ POST,	T("/libpod/pods/{name}/stop"), OLD, NEW, LP, B0, NULL },
	{ POST,	T("/libpod/pods/{name}/unpause"), OLD, NEW, LP, B0, NULL },
	{ GET,	T("/libpod/pods/{name}/top"), OLD, NEW, LP | ST, B0,
	    "process command lines" },
	{ GET,	T("/libpod/pods/stats"), OLD, NEW, LP | ST, B0, NULL },
	/* quadlets (podman 5) */
	{ GET,	T("/libpod/quadlets/json"), OLD, NEW, LP, B0, "podman 5" },
	{ GET,	T("/libpod/quadlets/{name}/file"), OLD, NEW, LP, B0,
	    "unit file text (may hold Environment=)" P5 },
	{ GET,	T("/libpod/quadlets/{name}/exists"), OLD, NEW, LP, B0,
	    "podman 5" },
	{ POST,	T("/libpod/quadlets"), OLD, NEW, LP, BA,
	    "installs systemd units" P5 },
	{ DEL,	T("/libpod/quadlets"), OLD, NEW, LP, B0, "podman 5" },
	{ DEL,	T("/libpod/quadlets/{name}"), OLD, NEW, LP, B0, "podman 5" },
	/* secrets */
	{ POST,	T("/libpod/secrets/create"), OLD, NEW, LP, BA, "secret data" },
	{ GET,	T("/libpod/secrets/json"), OLD, NEW, LP, B0, NULL },
	{ GET,	T("/libpod/secrets/{name}/json"), OLD, NEW, LP, B0,
	    "secret data with showsecret=true (podman 4.5+)" },
	{ GET,	T("/libpod/secrets/{name}/exists"), OLD, NEW, LP, B0,
	    "podman 5" },
	{ DEL,	T("/libpod/secrets/{name}"), OLD, NEW, LP, B0, NULL },
	/* swagger */
	{ GET,	T("/libpod/swagger"), OLD, NEW, LP, B0, NULL },
	/* system */
	{ POST,	T("/libpod/system/check"), OLD, NEW, LP, B0,
	    "repairs storage (repair=true)" P5 },
	{ POST,	T("/libpod/system/prune"), OLD, NEW, LP, B0,
	    "removes every unused container, pod, image, volume" },
	{ GET,	T("/libpod/system/df"), OLD, NEW, LP, B0, NULL },
	/* version */
	{ GET,	T("/libpod/version"), OLD, NEW, LP, B0, NULL },
	/* volumes */
	{ POST,	T("/libpod/volumes/create"), OLD, NEW, LP, BJ, NULL },
	{ GET,	T("/libpod/volumes/{name}/exists"), OLD, NEW, LP, B0, NULL },
	{ GET,	T("/libpod/volumes/json"), OLD, NEW, LP, B0, NULL },
	{ POST,	T("/libpod/volumes/prune"), OLD, NEW, LP, B0, NULL },
	{ GET,	T("/libpod/volumes/{name}/json"), OLD, NEW, LP, B0, NULL },
	{ DEL,	T("/libpod/volumes/{name}"), OLD, NEW, LP, B0, NULL },
	{ GET,	T("/libpod/volumes/{name}/export"), OLD, NEW, LP, B0,
	    "volume contents" P5 },
	{ POST,	T("/libpod/volumes/{name}/import"), OLD, NEW, LP, BT,
	    "writes volume contents" P5 },
};

#define ENGINE_API_NROUTES \
	(sizeof(engine_api_routes) / sizeof(engine_api_routes[0]))

/* Segments of a template (the longest has 5) or a rule pattern. */
#define ENGINE_API_SEGS	16

/* Bind slot nv of b (if any) to variable t..close, path[s..e). */
static void
engine_api_bind_var(struct engine_api_bind *b, size_t nv, const char *t,
    const char *colon, const char *close, size_t s, size_t e)
{
	if (b == NULL || nv >= ENGINE_API_MAX_VARS)
		return;
	b->var[nv].name = t + 1;
	b->var[nv].name_len = (size_t)((colon != NULL ? colon : close) -
	    (t + 1));
	b->var[nv].off = s;
	b->var[nv].len = e - s;
}

/*
 * Match template t against path[p..len) with gorilla/mux's semantics: the
 * template is a regular expression anchored at both ends, literal bytes
 * compare exactly, "{v}" takes [^/]+, "{v:.*}" or "{v:.+}" any text but
 * '\n' (Go's '.').  Go matches leftmost-first, so a spanning variable
 * takes as much as the rest of the template allows: when only literal
 * text follows it, it ends where that suffix starts; when another
 * variable follows ("{name:.*}/registry/{destination:.*}"), the literal
 * between them is tried at its occurrences from the right.  Variables
 * are bound from slot nv on and b->nvars is set on success.  Returns 1
 * or 0.
 */
static int
engine_api_tmatch_at(const char *t, const char *path, size_t p, size_t len,
    struct engine_api_bind *b, size_t nv)
{
	const char *close, *colon, *lit, *next, *nl;
	size_t s, llen, end, lo;

	for (;;) {
		if (*t == '\0') {
			if (p != len)
				return 0;
			if (b != NULL)
				b->nvars = nv < ENGINE_API_MAX_VARS ? nv :
				    ENGINE_API_MAX_VARS;
			return 1;
		}
		if (*t != '{') {
			if (p == len || path[p] != *t)
				return 0;
			t++;
			p++;
			continue;
		}
		close = strchr(t, '}');
		colon = memchr(t, ':', (size_t)(close - t));
		s = p;
		if (colon == NULL) {
			while (p < len && path[p] != '/')
				p++;
			if (p == s)
				return 0;
		} else {
			lit = close + 1;
			next = strchr(lit, '{');
			llen = next != NULL ? (size_t)(next - lit) : strlen(lit);
			if (len - p < llen)
				return 0;
			end = len - llen;
			/* The span holds no '\n': no end past the first. */
			if ((nl = memchr(path + s, '\n', end - s)) != NULL)
				end = (size_t)(nl - path);
			lo = colon[2] == '+' ? s + 1 : s;
			if (end < lo)
				return 0;
			if (next == NULL) {
				/* Only literal text follows: it ends the
				 * path, so the span ends where it starts. */
				if (end != len - llen)
					return 0;
				p = end;
			} else {
				/* Greedy: the rightmost end that lets the
				 * rest match. */
				while (memcmp(path + end, lit, llen) != 0 ||
				    !engine_api_tmatch_at(next, path,
				    end + llen, len, b, nv + 1)) {
					if (end == lo)
						return 0;
					end--;
				}
				engine_api_bind_var(b, nv, t, colon, close, s,
				    end);
				return 1;
			}
		}
		engine_api_bind_var(b, nv, t, colon, close, s, p);
		nv++;
		t = close + 1;
	}
}

/* engine_api_tmatch_at from the start of path (len = strlen(path)). */
static int
engine_api_tmatch(const char *t, const char *path, size_t len,
    struct engine_api_bind *b)
{
	if (b != NULL)
		b->nvars = 0;
	if (engine_api_tmatch_at(t, path, 0, len, b, 0))
		return 1;
	if (b != NULL)
		b->nvars = 0;
	return 0;
}

/*
 * gorilla/mux answers a path that path.Clean would change ("//", "." or
 * ".." segments; a trailing '/' is kept) with a redirect, never a
 * dispatch.
 */
static int
engine_api_clean(const char *p)
{
	if (p[0] != '/')
		return 0;
	for (; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		if (p[1] == '/')
			return 0;
		if (p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
			return 0;
		if (p[1] == '.' && p[2] == '.' && (p[3] == '/' ||
		    p[3] == '\0'))
			return 0;
	}
	return 1;
}

/*
 * Every request asks for its route, so the rows are bucketed once by
 * family, method and the first byte of the path after "/" (after
 * "/libpod/" for a libpod path), keeping registration order within a
 * bucket: a lookup walks the few rows that could match, in the server's
 * order.  A Docker template that starts with a variable ("OPTIONS
 * /{anyroute:.*}") goes into every Docker bucket of its method, never a
 * libpod one: a libpod path is dispatched among Podman's libpod routes
 * only, and Podman registers no catch-all.
 */
#define ENGINE_API_FAMILY	(REQ_M_COUNT * 128)
#define ENGINE_API_NKEYS	(2 * ENGINE_API_FAMILY)
#define ENGINE_API_NWILD	2	/* rows starting with a variable */
#define ENGINE_API_MAXHIJACK	16

static unsigned short	 engine_api_bucket[ENGINE_API_NKEYS + 1];
static unsigned short	 engine_api_bucket_rows[ENGINE_API_NROUTES +
			    128 * ENGINE_API_NWILD];
static unsigned short	 engine_api_fill[ENGINE_API_NKEYS];
/* Rows with ENGINE_API_HIJACK, so that the per-request hijack test
 * looks at a handful of rows, not all. */
static unsigned short	 engine_api_hijack_rows[ENGINE_API_MAXHIJACK];
static size_t		 engine_api_nhijack;
static int		 engine_api_bucketed;

/* The bucket of (m, p), p a path or a template. */
static size_t
engine_api_key(enum req_method m, const char *p)
{
	if (engine_api_libpod_path(p))
		return ENGINE_API_FAMILY + (size_t)m * 128 +
		    ((unsigned char)p[p[7] == '\0' ? 7 : 8] & 0x7f);
	return (size_t)m * 128 + ((unsigned char)p[1] & 0x7f);
}

/* Call f(key, i) for each bucket row i belongs to. */
static void
engine_api_row_keys(size_t i, void (*f)(size_t key, size_t row))
{
	const struct engine_api_route *r = &engine_api_routes[i];
	int	 c;

	if (r->tmpl[1] != '{') {
		f(engine_api_key(r->method, r->tmpl), i);
		return;
	}
	for (c = 0; c < 128; c++)
		f((size_t)r->method * 128 + (size_t)c, i);
}

static void
engine_api_count_row(size_t key, size_t row)
{
	(void)row;
	engine_api_bucket[key + 1]++;
}

static void
engine_api_place_row(size_t key, size_t row)
{
	engine_api_bucket_rows[engine_api_fill[key]++] = (unsigned short)row;
}

static void
engine_api_bucket_init(void)
{
	size_t		 i, k;

	memset(engine_api_bucket, 0, sizeof(engine_api_bucket));
	engine_api_nhijack = 0;
	for (i = 0; i < ENGINE_API_NROUTES; i++) {
		engine_api_row_keys(i, engine_api_count_row);
		if (!(engine_api_routes[i].flags & ENGINE_API_HIJACK))
			continue;
		/* More than ENGINE_API_MAXHIJACK: a table edit that every
		 * test run catches at its first lookup. */
		if (engine_api_nhijack == ENGINE_API_MAXHIJACK)
			abort();
		engine_api_hijack_rows[engine_api_nhijack++] =
		    (unsigned short)i;
	}
	for (k = 0; k < ENGINE_API_NKEYS; k++)
		engine_api_bucket[k + 1] += engine_api_bucket[k];
	/* Likewise for more rows starting with a variable than
	 * ENGINE_API_NWILD. */
	if (engine_api_bucket[ENGINE_API_NKEYS] >
	    sizeof(engine_api_bucket_rows) / sizeof(engine_api_bucket_rows[0]))
		abort();
	memcpy(engine_api_fill, engine_api_bucket, sizeof(engine_api_fill));
	for (i = 0; i < ENGINE_API_NROUTES; i++)
		engine_api_row_keys(i, engine_api_place_row);
	engine_api_bucketed = 1;
}

const struct engine_api_route *
engine_api_match(enum req_method m, const char *path,
    struct engine_api_bind *b)
{
	const struct engine_api_route *r;
	size_t i, len, key;
	char last;

	if (b != NULL)
		b->nvars = 0;
	if (path == NULL || (unsigned)m >= REQ_M_COUNT ||
	    !engine_api_clean(path))
		return NULL;
	if (!engine_api_bucketed)
		engine_api_bucket_init();
	len = strlen(path);
	key = engine_api_key(m, path);
	for (i = engine_api_bucket[key]; i < engine_api_bucket[key + 1];
	    i++) {
		r = &engine_api_routes[engine_api_bucket_rows[i]];
		/* A cheap reject first: the last byte, when the template
		 * ends in a literal. */
		last = r->tmpl[r->tmpl_len - 1];
		if (last != '}' && path[len - 1] != last)
			continue;
		if (engine_api_tmatch(r->tmpl, path, len, b))
			return r;
	}
	if (b != NULL)
		b->nvars = 0;
	return NULL;
}

int
engine_api_libpod_path(const char *path)
{
	return path != NULL && strncmp(path, "/libpod", 7) == 0 &&
	    (path[7] == '\0' || path[7] == '/');
}

const struct engine_api_route *
engine_api_route_at(size_t i)
{
	return i < ENGINE_API_NROUTES ? &engine_api_routes[i] : NULL;
}

size_t
engine_api_count(void)
{
	return ENGINE_API_NROUTES;
}

int
engine_api_hijacks(enum req_method m, const char *path)
{
	const struct engine_api_route *r;
	size_t i, len;
	char last;

	if (path == NULL || (unsigned)m >= REQ_M_COUNT)
		return 0;
	if (!engine_api_bucketed)
		engine_api_bucket_init();
	len = strlen(path);
	/*
	 * Called for every request: try the few hijacking rows first, and
	 * only when one matches ask which route the server really
	 * dispatches to (an earlier row could take the path).
	 */
	for (i = 0; i < engine_api_nhijack; i++) {
		r = &engine_api_routes[engine_api_hijack_rows[i]];
		last = r->tmpl[r->tmpl_len - 1];
		if (r->method == m && len > 0 &&
		    (last == '}' || path[len - 1] == last) &&
		    engine_api_tmatch(r->tmpl, path, len, NULL))
			break;
	}
	if (i == engine_api_nhijack)
		return 0;
	r = engine_api_match(m, path, NULL);
	return r != NULL && (r->flags & ENGINE_API_HIJACK) != 0;
}

struct engine_api_seg {
	const char	*s;
	size_t		 n;
};

/* Split p[0..n) ("/a/b") into segments; -1 when more than max. */
static int
engine_api_split(const char *p, size_t n, struct engine_api_seg *seg,
    size_t max)
{
	size_t i = 0, k = 0, start;

	if (n == 0 || p[0] != '/')
		return -1;
	if (n == 1)
		return 0;
	while (i < n) {
		start = ++i;	/* past '/' */
		while (i < n && p[i] != '/')
			i++;
		if (k == max)
			return -1;
		seg[k].s = p + start;
		seg[k].n = i - start;
		k++;
	}
	return (int)k;
}

const struct engine_api_route *
engine_api_shape(unsigned methods, const char *p, size_t n, int *span)
{
	struct engine_api_seg ps[ENGINE_API_SEGS], ts[ENGINE_API_SEGS];
	const struct engine_api_route *r;
	int np, nt, k, sp;
	size_t i;

	if (span != NULL)
		*span = -1;
	if (p == NULL || (np = engine_api_split(p, n, ps,
	    ENGINE_API_SEGS)) < 0)
		return NULL;
	for (i = 0; i < ENGINE_API_NROUTES; i++) {
		r = &engine_api_routes[i];
		if (!(methods & (1u << r->method)))
			continue;
		nt = engine_api_split(r->tmpl, strlen(r->tmpl), ts,
		    ENGINE_API_SEGS);
		if (nt != np)
			continue;
		sp = -1;
		for (k = 0; k < nt; k++) {
			int tvar = ts[k].n > 0 && ts[k].s[0] == '{';
			int pvar = ps[k].n > 0 && (ps[k].s[0] == '{' ||
			    (ps[k].n == 1 && ps[k].s[0] == '*'));

			if (tvar != pvar)
				break;
			if (tvar) {
				/* The first spanning variable: the
				 * only one but in the manifest push
				 * route, where the list's name spans
				 * and the destination is one segment
				 * to a rule (engine_api.h). */
				if (sp < 0 &&
				    memchr(ts[k].s, ':', ts[k].n) != NULL)
					sp = k;
				continue;
			}
			if (ts[k].n != ps[k].n ||
			    memcmp(ts[k].s, ps[k].s, ps[k].n) != 0)
				break;
		}
		if (k == nt) {
			if (span != NULL)
				*span = sp;
			return r;
		}
	}
	return NULL;
}

int
engine_api_pattern(const struct engine_api_route *r, char *dst, size_t cap)
{
	const char *t, *close, *colon;
	size_t w = 0, n;
	int as_id;

	if (dst != NULL && cap > 0)
		dst[0] = '\0';
	if (r == NULL || dst == NULL || cap == 0)
		return -1;
	/* Containers and execs are addressed by ID in practice. */
	as_id = strncmp(r->tmpl, "/containers/", 12) == 0 ||
	    strncmp(r->tmpl, "/exec/", 6) == 0 ||
	    strncmp(r->tmpl, "/libpod/containers/", 19) == 0 ||
	    strncmp(r->tmpl, "/libpod/exec/", 13) == 0;
	for (t = r->tmpl; *t != '\0'; t++) {
		if (*t != '{') {
			if (w + 1 >= cap)
				goto toolong;
			dst[w++] = *t;
			continue;
		}
		close = strchr(t, '}');
		colon = memchr(t, ':', (size_t)(close - t));
		n = (size_t)((colon != NULL ? colon : close) - t);
		if (as_id && n == 5 && memcmp(t, "{name", 5) == 0) {
			t = "{id";
			n = 3;
		}
		if (w + n + 1 >= cap)
			goto toolong;
		memcpy(dst + w, t, n);
		w += n;
		dst[w++] = '}';
		t = close;
	}
	dst[w] = '\0';
	return (int)w;

toolong:
	dst[0] = '\0';
	return -1;
}

void
engine_api_doc(void (*out)(void *arg, const char *line), void *arg)
{
	static const char *const bodies[] = { "-", "JSON", "tar", "raw" };
	const struct engine_api_route *r;
	char line[512], ver[16], flags[64];
	size_t i;

	if (out == NULL)
		return;
	out(arg, "| Method | Route | API | Flags | Body | Sensitive |");
	out(arg, "|---|---|---|---|---|---|");
	for (i = 0; i < ENGINE_API_NROUTES; i++) {
		r = &engine_api_routes[i];
		if (r->flags & LP)
			snprintf(ver, sizeof(ver), "libpod");
		else if (r->api_min == OLD && r->api_max == NEW)
			snprintf(ver, sizeof(ver), "all");
		else if (r->api_max == NEW)
			snprintf(ver, sizeof(ver), "1.%u+", r->api_min);
		else
			snprintf(ver, sizeof(ver), "1.%u-1.%u", r->api_min,
			    r->api_max);
		snprintf(flags, sizeof(flags), "%s%s%s%s",
		    (r->flags & HJ) ? "hijack " : "",
		    (r->flags & ST) ? "stream " : "",
		    (r->flags & FM) ? "form " : "",
		    (r->flags & EX) ? "experimental " : "");
		if (flags[0] != '\0')
			flags[strlen(flags) - 1] = '\0';
		snprintf(line, sizeof(line),
		    "| %s | `%s` | %s | %s | %s | %s |",
		    req_method_name(r->method), r->tmpl, ver,
		    flags[0] != '\0' ? flags : "-", bodies[r->body],
		    r->sensitive != NULL ? r->sensitive : "-");
		out(arg, line);
	}
}
