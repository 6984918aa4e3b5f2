/*
 * body_policy.c - judging request bodies that can reach the host
 * (body_policy.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

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
	/* Podman's libpod bodies (SpecGenerator, pod specs, kube YAML,
	 * archives) are other documents than the ones judged here; a
	 * hijacked stream's bytes are no document at all. */
	if ((r->flags & ENGINE_API_LIBPOD) && r->body != ENGINE_API_BODY_NONE &&
	    !(r->flags & ENGINE_API_HIJACK))
		return BODY_K_LIBPOD;
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
body_policy_dump(const struct body_policy *p, const struct body_policy *base,
    void (*out)(void *arg, const char *line), void *arg)
{
	char	line[BODY_MAX_PATH + BODY_MAX_DRIVER + 32];
	size_t	i;

	for (i = base != NULL ? base->nhost_paths : 0; i < p->nhost_paths;
	    i++) {
		snprintf(line, sizeof(line), "host-path \"%s\" %s",
		    p->host_paths[i].path, p->host_paths[i].rw ? "rw" : "ro");
		out(arg, line);
	}
	for (i = base != NULL ? base->ncaps : 0; i < p->ncaps; i++) {
		snprintf(line, sizeof(line), "cap-add %s", p->caps[i]);
		out(arg, line);
	}
	for (i = base != NULL ? base->ndrivers : 0; i < p->ndrivers; i++) {
		snprintf(line, sizeof(line), "volume-driver \"%s\"",
		    p->drivers[i]);
		out(arg, line);
	}
}

/* ---- the fields judged: moby's types, as far as they reach the host ---- */

enum bp_type {
	BP_SKIP = 0,	/* not judged: any value */
	BP_STRUCT,	/* a Go struct: fields ignore ASCII case */
	BP_MAP,		/* a Go map: keys exact, values elem */
	BP_ARRAY,	/* elements elem */
	BP_STRSLICE,	/* a string or an array of strings (StrSlice) */
	BP_BOOL,
	BP_STRING,
	BP_NONEMPTY,	/* any member or element is refused */
	BP_PRESENT	/* any value but null is refused */
};

enum bp_id {
	ID_NONE = 0, ID_PRIVILEGED, ID_CAPADD, ID_NETMODE, ID_PIDMODE,
	ID_IPCMODE, ID_UTSMODE, ID_USERNSMODE, ID_CGROUPNSMODE, ID_SECOPT,
	ID_BIND, ID_CGROUP_PARENT, ID_RUNTIME, ID_SYSCTLS, ID_VOLUME_DRIVER,
	ID_ENDPOINTS, ID_MOUNT, ID_MOUNT_TYPE, ID_MOUNT_SOURCE, ID_MOUNT_RO,
	ID_MOUNT_RONR, ID_MOUNT_PROPAGATION, ID_MOUNT_DRIVER, ID_MOUNT_OPTS,
	ID_MOUNT_OPT, ID_VOLUME, ID_VOL_DRIVER, ID_VOL_OPTS, ID_VOL_OPT,
	ID_SELINUX_DISABLE, ID_SELINUX_TYPE, ID_SECCOMP_MODE,
	ID_APPARMOR_MODE, ID_TASK_RUNTIME, ID_NET_TARGET, ID_SUBPATH, ID_LINK
};

struct bp_field;

struct bp_node {
	enum bp_type		 type;
	enum bp_id		 id;
	const struct bp_field	*fields;	/* BP_STRUCT */
	size_t			 nfields;
	const struct bp_node	*elem;		/* BP_MAP, BP_ARRAY */
	const char		*why;		/* BP_NONEMPTY, BP_PRESENT, and
						   refusals of BP_BOOL */
};

struct bp_field {
	const char		*name;
	size_t			 len;		/* strlen(name) */
	const struct bp_node	*node;
};

#define FLD(name, node)	{ name, sizeof(name) - 1, node }

#define NF(f)	(f), sizeof(f) / sizeof((f)[0])

static const struct bp_node bp_skip = { BP_SKIP, ID_NONE, NULL, 0, NULL,
    NULL };

#define LEAF(var, type, id, why) \
	static const struct bp_node var = { type, id, NULL, 0, NULL, why }
#define NONEMPTY(var, why) LEAF(var, BP_NONEMPTY, ID_NONE, why)
#define PRESENT(var, why) LEAF(var, BP_PRESENT, ID_NONE, why)

LEAF(n_privileged, BP_BOOL, ID_PRIVILEGED,
    "a privileged container is root on the host");
LEAF(n_capadd_s, BP_STRING, ID_CAPADD, NULL);
static const struct bp_node n_capadd = { BP_STRSLICE, ID_CAPADD, NULL, 0,
    &n_capadd_s, NULL };
static const struct bp_node n_capadd_list = { BP_ARRAY, ID_NONE, NULL, 0,
    &n_capadd_s, NULL };
NONEMPTY(n_devices, "devices are the host's");
NONEMPTY(n_device_requests, "device requests (GPUs) are the host's");
NONEMPTY(n_device_cgroup_rules, "device cgroup rules open the host's "
    "devices");
LEAF(n_netmode, BP_STRING, ID_NETMODE, NULL);
LEAF(n_pidmode, BP_STRING, ID_PIDMODE, NULL);
LEAF(n_ipcmode, BP_STRING, ID_IPCMODE, NULL);
LEAF(n_utsmode, BP_STRING, ID_UTSMODE, NULL);
LEAF(n_usernsmode, BP_STRING, ID_USERNSMODE, NULL);
LEAF(n_cgroupnsmode, BP_STRING, ID_CGROUPNSMODE, NULL);
LEAF(n_secopt_s, BP_STRING, ID_SECOPT, NULL);
static const struct bp_node n_secopt = { BP_ARRAY, ID_NONE, NULL, 0,
    &n_secopt_s, NULL };
PRESENT(n_masked_paths, "overriding the masked paths unmasks the host's "
    "/proc and /sys files");
PRESENT(n_readonly_paths, "overriding the read-only paths makes the host's "
    "/proc and /sys files writable");
LEAF(n_bind, BP_STRING, ID_BIND, NULL);
static const struct bp_node n_binds = { BP_ARRAY, ID_NONE, NULL, 0, &n_bind,
    NULL };
NONEMPTY(n_volumes_from, "another container's mounts may be the host's");
LEAF(n_cgroup_parent, BP_STRING, ID_CGROUP_PARENT, NULL);
LEAF(n_runtime, BP_STRING, ID_RUNTIME, NULL);
LEAF(n_sysctl, BP_SKIP, ID_NONE, NULL);
static const struct bp_node n_sysctls = { BP_MAP, ID_SYSCTLS, NULL, 0,
    &n_sysctl, NULL };
NONEMPTY(n_annotations, "annotations are read by the runtime (systemd "
    "properties, hooks)");
LEAF(n_volume_driver, BP_STRING, ID_VOLUME_DRIVER, NULL);
LEAF(n_link, BP_STRING, ID_LINK, NULL);
static const struct bp_node n_links = { BP_ARRAY, ID_NONE, NULL, 0, &n_link,
    NULL };

/* mount.Mount */
LEAF(n_mount_type, BP_STRING, ID_MOUNT_TYPE, NULL);
LEAF(n_mount_source, BP_STRING, ID_MOUNT_SOURCE, NULL);
LEAF(n_mount_ro, BP_BOOL, ID_MOUNT_RO, NULL);
LEAF(n_mount_ronr, BP_BOOL, ID_MOUNT_RONR, NULL);
LEAF(n_mount_propagation, BP_STRING, ID_MOUNT_PROPAGATION, NULL);
static const struct bp_field f_bind_options[] = {
	FLD("Propagation", &n_mount_propagation),
	FLD("ReadOnlyNonRecursive", &n_mount_ronr),
};
static const struct bp_node n_bind_options = { BP_STRUCT, ID_NONE,
    NF(f_bind_options), NULL, NULL };
LEAF(n_mount_driver, BP_STRING, ID_MOUNT_DRIVER, NULL);
LEAF(n_mount_opt, BP_STRING, ID_MOUNT_OPT, NULL);
static const struct bp_node n_mount_opts = { BP_MAP, ID_MOUNT_OPTS, NULL, 0,
    &n_mount_opt, NULL };
static const struct bp_field f_driver_config[] = {
	FLD("Name", &n_mount_driver),
	FLD("Options", &n_mount_opts),
};
static const struct bp_node n_driver_config = { BP_STRUCT, ID_NONE,
    NF(f_driver_config), NULL, NULL };
/* A volume's or image's subpath: inside it, never out of it. */
LEAF(n_subpath, BP_STRING, ID_SUBPATH, NULL);
static const struct bp_field f_volume_options[] = {
	FLD("DriverConfig", &n_driver_config),
	FLD("Subpath", &n_subpath),
};
static const struct bp_field f_image_options[] = {
	FLD("Subpath", &n_subpath),
};
static const struct bp_node n_image_options = { BP_STRUCT, ID_NONE,
    NF(f_image_options), NULL, NULL };
static const struct bp_node n_volume_options = { BP_STRUCT, ID_NONE,
    NF(f_volume_options), NULL, NULL };
static const struct bp_field f_mount[] = {
	FLD("Type", &n_mount_type),
	FLD("Source", &n_mount_source),
	FLD("ReadOnly", &n_mount_ro),
	FLD("BindOptions", &n_bind_options),
	FLD("VolumeOptions", &n_volume_options),
	FLD("ImageOptions", &n_image_options),
};
static const struct bp_node n_mount = { BP_STRUCT, ID_MOUNT, NF(f_mount),
    NULL, NULL };
static const struct bp_node n_mounts = { BP_ARRAY, ID_NONE, NULL, 0,
    &n_mount, NULL };

/* container.HostConfig, with the container.Resources it embeds */
/* container.HostConfig's judged fields, in both tables below. */
#define HOST_CONFIG_FIELDS \
	FLD("Privileged", &n_privileged), \
	FLD("CapAdd", &n_capadd), \
	FLD("Devices", &n_devices), \
	FLD("DeviceRequests", &n_device_requests), \
	FLD("DeviceCgroupRules", &n_device_cgroup_rules), \
	FLD("NetworkMode", &n_netmode), \
	FLD("PidMode", &n_pidmode), \
	FLD("IpcMode", &n_ipcmode), \
	FLD("UTSMode", &n_utsmode), \
	FLD("UsernsMode", &n_usernsmode), \
	FLD("CgroupnsMode", &n_cgroupnsmode), \
	FLD("SecurityOpt", &n_secopt), \
	FLD("MaskedPaths", &n_masked_paths), \
	FLD("ReadonlyPaths", &n_readonly_paths), \
	FLD("Binds", &n_binds), \
	FLD("Mounts", &n_mounts), \
	FLD("VolumesFrom", &n_volumes_from), \
	FLD("CgroupParent", &n_cgroup_parent), \
	FLD("Runtime", &n_runtime), \
	FLD("Sysctls", &n_sysctls), \
	FLD("Annotations", &n_annotations), \
	FLD("VolumeDriver", &n_volume_driver), \
	FLD("Links", &n_links),

static const struct bp_field f_host_config[] = {
	HOST_CONFIG_FIELDS
};
static const struct bp_node n_host_config = { BP_STRUCT, ID_NONE,
    NF(f_host_config), NULL, NULL };

/* network.NetworkingConfig, and the network.EndpointSettings its map
 * holds (only Links is judged). */
static const struct bp_field f_endpoint[] = {
	FLD("Links", &n_links),
};
static const struct bp_node n_endpoint = { BP_STRUCT, ID_NONE,
    NF(f_endpoint), NULL, NULL };
static const struct bp_node n_endpoints = { BP_MAP, ID_ENDPOINTS, NULL, 0,
    &n_endpoint, NULL };
static const struct bp_field f_networking[] = {
	FLD("EndpointsConfig", &n_endpoints),
};
static const struct bp_node n_networking = { BP_STRUCT, ID_NONE,
    NF(f_networking), NULL, NULL };

/*
 * POST /containers/create: container.CreateRequest (Config embedded,
 * HostConfig, NetworkingConfig), and dockerd 20.10's wrapper, which also
 * embedded a HostConfig: its fields count at the top level too.
 */
static const struct bp_field f_create[] = {
	FLD("HostConfig", &n_host_config),
	FLD("NetworkingConfig", &n_networking),
	HOST_CONFIG_FIELDS
};
static const struct bp_node n_create = { BP_STRUCT, ID_NONE, NF(f_create),
    NULL, NULL };

/* POST /containers/{id}/exec: the exec config. */
static const struct bp_field f_exec[] = {
	FLD("Privileged", &n_privileged),
};
static const struct bp_node n_exec = { BP_STRUCT, ID_NONE, NF(f_exec), NULL,
    NULL };

/* POST /containers/{id}/start: API < 1.24 applied a HostConfig from it. */
NONEMPTY(n_start, "a start request body (dockerd applies a HostConfig from "
    "it for API < 1.24)");

/* POST /volumes/create: volume.CreateOptions. */
LEAF(n_vol_driver, BP_STRING, ID_VOL_DRIVER, NULL);
LEAF(n_vol_opt, BP_STRING, ID_VOL_OPT, NULL);
static const struct bp_node n_vol_opts = { BP_MAP, ID_VOL_OPTS, NULL, 0,
    &n_vol_opt, NULL };
PRESENT(n_cluster_volume, "cluster volumes are mounted by a CSI plugin on "
    "the host");
static const struct bp_field f_volume[] = {
	FLD("Driver", &n_vol_driver),
	FLD("DriverOpts", &n_vol_opts),
	FLD("ClusterVolumeSpec", &n_cluster_volume),
};
static const struct bp_node n_volume = { BP_STRUCT, ID_VOLUME, NF(f_volume),
    NULL, NULL };

/* POST /services/create, /services/{id}/update: swarm.ServiceSpec. */
LEAF(n_selinux_disable, BP_BOOL, ID_SELINUX_DISABLE,
    "SELinux confinement is turned off");
LEAF(n_selinux_type, BP_STRING, ID_SELINUX_TYPE, NULL);
static const struct bp_field f_selinux[] = {
	FLD("Disable", &n_selinux_disable),
	FLD("Type", &n_selinux_type),
};
static const struct bp_node n_selinux = { BP_STRUCT, ID_NONE, NF(f_selinux),
    NULL, NULL };
LEAF(n_seccomp_mode, BP_STRING, ID_SECCOMP_MODE, NULL);
static const struct bp_field f_seccomp[] = { FLD("Mode", &n_seccomp_mode) };
static const struct bp_node n_seccomp = { BP_STRUCT, ID_NONE, NF(f_seccomp),
    NULL, NULL };
LEAF(n_apparmor_mode, BP_STRING, ID_APPARMOR_MODE, NULL);
static const struct bp_field f_apparmor[] = { FLD("Mode", &n_apparmor_mode) };
static const struct bp_node n_apparmor = { BP_STRUCT, ID_NONE,
    NF(f_apparmor), NULL, NULL };
static const struct bp_field f_privileges[] = {
	FLD("SELinuxContext", &n_selinux),
	FLD("Seccomp", &n_seccomp),
	FLD("AppArmor", &n_apparmor),
};
static const struct bp_node n_privileges = { BP_STRUCT, ID_NONE,
    NF(f_privileges), NULL, NULL };
static const struct bp_field f_container_spec[] = {
	FLD("Mounts", &n_mounts),
	FLD("CapabilityAdd", &n_capadd_list),
	FLD("Sysctls", &n_sysctls),
	FLD("Privileges", &n_privileges),
};
static const struct bp_node n_container_spec = { BP_STRUCT, ID_NONE,
    NF(f_container_spec), NULL, NULL };
LEAF(n_net_target, BP_STRING, ID_NET_TARGET, NULL);
static const struct bp_field f_net_attach[] = { FLD("Target", &n_net_target) };
static const struct bp_node n_net_attach = { BP_STRUCT, ID_NONE,
    NF(f_net_attach), NULL, NULL };
static const struct bp_node n_net_attachs = { BP_ARRAY, ID_NONE, NULL, 0,
    &n_net_attach, NULL };
PRESENT(n_plugin_spec, "a plugin runs with the privileges it asks for");
LEAF(n_task_runtime, BP_STRING, ID_TASK_RUNTIME, NULL);
static const struct bp_field f_task[] = {
	FLD("ContainerSpec", &n_container_spec),
	FLD("PluginSpec", &n_plugin_spec),
	FLD("Runtime", &n_task_runtime),
	FLD("Networks", &n_net_attachs),
};
static const struct bp_node n_task = { BP_STRUCT, ID_NONE, NF(f_task), NULL,
    NULL };
static const struct bp_field f_service[] = {
	FLD("TaskTemplate", &n_task),
	FLD("Networks", &n_net_attachs),
};
static const struct bp_node n_service = { BP_STRUCT, ID_NONE, NF(f_service),
    NULL, NULL };

/* ---- judging ---- */

/* What a local volume driver is asked to mount (its DriverOpts). */
struct bp_local {
	int	 has_type, has_o, has_device;
	int	 bind;		/* "o" holds bind or rbind */
	int	 unknown;	/* a key the local driver does not take */
	char	 type[16];	/* "" when too long */
};

/* One mount.Mount being read. */
struct bp_mount {
	char	 type[16];	/* as sent; "?" when too long */
	char	 source[BODY_MAX_PATH * 2];
	int	 source_long;
	int	 ro, ronr;
	int	 shared;	/* propagation shared or rshared */
	char	 driver[BODY_MAX_DRIVER];
	int	 driver_long;
	struct bp_local opts;
};

struct bp_frame {
	const struct bp_node *node;
	size_t	 path_len;	/* the container's own path */
	size_t	 index;		/* next array index */
	int	 array;
};

struct bp_ctx {
	const struct body_policy *p;
	struct body_verdict *v;
	const struct bp_node *root;
	struct bp_frame st[GJ_MAX_DEPTH + 2];
	int	 depth;
	const struct bp_node *pending;	/* node of the member value next */
	char	 path[256];
	size_t	 path_len;
	int	 path_long;
	char	 key[256];		/* the last map key */
	size_t	 key_len;
	struct bp_mount mnt;
	char	 vol_driver[BODY_MAX_DRIVER];
	int	 vol_driver_long;
	struct bp_local vol_opts;
};

static int
bp_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* s[0..n) equals the lower-case word w, ignoring ASCII case. */
static int
bp_ieq(const char *s, size_t n, const char *w)
{
	size_t	i;

	if (strlen(w) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (bp_lower((unsigned char)s[i]) != w[i])
			return 0;
	return 1;
}

static int
bp_eq(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

/* s[0..n) starts with the lower-case prefix w, ignoring ASCII case. */
static int
bp_iprefix(const char *s, size_t n, const char *w)
{
	size_t	k = strlen(w);

	return n >= k && bp_ieq(s, k, w);
}

static void
bp_path_set(struct bp_ctx *c, size_t len)
{
	c->path_len = len;
	c->path[len] = '\0';
}

/* Append text to the path (cut, and marked, when it does not fit). */
static void
bp_path_add(struct bp_ctx *c, const char *s, size_t n)
{
	if (c->path_len + n + 4 >= sizeof(c->path)) {
		if (!c->path_long && c->path_len + 4 < sizeof(c->path)) {
			memcpy(c->path + c->path_len, "...", 3);
			c->path_len += 3;
		}
		c->path_long = 1;
		c->path[c->path_len] = '\0';
		return;
	}
	memcpy(c->path + c->path_len, s, n);
	c->path_len += n;
	c->path[c->path_len] = '\0';
}

/* A value for a message: at most 80 bytes (whole characters), control
 * bytes as '?', quotes and backslashes escaped. */
static void
bp_show(char *dst, size_t cap, const char *s, size_t n)
{
	size_t	w = 0, i, lim = n > 80 ? 80 : n;

	while (lim < n && lim > 0 && ((unsigned char)s[lim] & 0xc0) == 0x80)
		lim--;
	for (i = 0; i < lim && w + 5 < cap; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			dst[w++] = '\\';
		dst[w++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	if (lim < n && w + 4 < cap) {
		memcpy(dst + w, "...", 3);
		w += 3;
	}
	dst[w] = '\0';
}

/*
 * Refuse with 403: the field at path[0..plen), its value (a string
 * shown quoted, or a literal such as "true"; NULL: none) and why.
 */
static int
bp_refuse(struct bp_ctx *c, size_t plen, const char *val, size_t vn,
    int quoted, const char *why)
{
	char	 shown[200];

	c->v->status = 403;
	snprintf(c->v->field, sizeof(c->v->field), "%.*s", (int)plen,
	    c->path);
	if (plen == 0) {
		/* The whole body is refused (a start request's). */
		snprintf(c->v->field, sizeof(c->v->field), "body");
		snprintf(c->v->message, sizeof(c->v->message),
		    "a request body");
	} else if (val == NULL)
		snprintf(c->v->message, sizeof(c->v->message), "%s",
		    c->v->field);
	else {
		bp_show(shown, sizeof(shown), val, vn);
		snprintf(c->v->message, sizeof(c->v->message), quoted ?
		    "%s=\"%s\"" : "%s=%s", c->v->field, shown);
	}
	snprintf(c->v->reason, sizeof(c->v->reason), "%s",
	    why != NULL ? why : "");
	return -1;
}

/* Refuse with 400: a judged field has a value of the wrong JSON type. */
static int
bp_wrong_type(struct bp_ctx *c, const char *want)
{
	c->v->status = 400;
	snprintf(c->v->field, sizeof(c->v->field), "%s", c->path);
	snprintf(c->v->message, sizeof(c->v->message), "%s must be %s",
	    c->path[0] != '\0' ? c->path : "the body", want);
	return -1;
}

/*
 * Is the clean absolute host path s[0..n) allowed, read-only (ro) or
 * not?  Returns NULL, or why not.
 */
static const char *
bp_host_path(const struct body_policy *p, const char *s, size_t n, int ro)
{
	const struct body_host_path *h;
	size_t	 i;
	int	 under = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '/')
			continue;
		if (i + 1 == n && n > 1)
			return "host paths must be clean (no trailing '/')";
		if (i + 1 < n && s[i + 1] == '/')
			return "host paths must be clean (no \"//\")";
		if (i + 1 < n && s[i + 1] == '.' && (i + 2 == n ||
		    s[i + 2] == '/' || (s[i + 2] == '.' && (i + 3 == n ||
		    s[i + 3] == '/'))))
			return "host paths must be clean (no \".\" or \"..\")";
	}
	for (i = 0; i < p->nhost_paths; i++) {
		h = &p->host_paths[i];
		if (!(h->len == 1 || (n >= h->len &&
		    memcmp(s, h->path, h->len) == 0 &&
		    (n == h->len || s[h->len] == '/'))))
			continue;
		if (ro || h->rw)
			return NULL;
		under = 1;
	}
	if (under)
		return "that host path is allowed read-only only";
	return p->nhost_paths == 0 ? "the body policy allows no host paths" :
	    "outside the allowed host paths";
}

/* A local volume driver option key=val (DriverOpts). */
static void
bp_local_opt(struct bp_local *l, const char *key, size_t kn, const char *val,
    size_t vn)
{
	size_t	i, start, e;

	if (bp_eq(key, kn, "type")) {
		l->has_type = 1;
		if (vn < sizeof(l->type)) {
			memcpy(l->type, val, vn);
			l->type[vn] = '\0';
		} else
			l->type[0] = '\0';
	} else if (bp_eq(key, kn, "device"))
		l->has_device = 1;
	else if (bp_eq(key, kn, "o")) {
		l->has_o = 1;
		/* mount(8) options, comma-separated, NAME[=VALUE]. */
		for (start = 0; start <= vn; start = i + 1) {
			for (i = start; i < vn && val[i] != ','; i++)
				;
			for (e = start; e < i && val[e] != '='; e++)
				;
			if (bp_ieq(val + start, e - start, "bind") ||
			    bp_ieq(val + start, e - start, "rbind"))
				l->bind = 1;
		}
	} else if (!bp_eq(key, kn, "size"))
		l->unknown = 1;
}

/* What a local volume with options l may mount: NULL, or why not. */
static const char *
bp_local_check(const struct bp_local *l)
{
	static const char *const fs[] = { "tmpfs", "nfs", "nfs4", "cifs",
	    "smb3" };
	size_t	i;

	if (l->unknown)
		return "the local driver takes only type, o, device and size";
	if (l->bind)
		return "o=bind mounts a host path";
	if (!l->has_type && !l->has_o && !l->has_device)
		return NULL;
	for (i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
		if (strcmp(l->type, fs[i]) == 0)
			return NULL;
	return "the local driver may mount only tmpfs, nfs, nfs4, cifs or "
	    "smb3 (a device or host path is the host's)";
}

/* May volume driver d[0..n) be used? ("" and "local" are judged by
 * their options instead.) */
static int
bp_driver_ok(const struct body_policy *p, const char *d, size_t n)
{
	size_t	i;

	for (i = 0; i < p->ndrivers; i++)
		if (bp_eq(d, n, p->drivers[i]))
			return 1;
	return 0;
}

/* Binds entry "SRC:DST[:MODE]" (dockerd's linux parser splits at ':'). */
static int
bp_bind(struct bp_ctx *c, const char *s, size_t n)
{
	const char *part[4], *why;
	size_t	 plen[4], np = 0, i, start, t, e;
	int	 ro = 0;

	for (start = 0; start <= n; start = i + 1) {
		for (i = start; i < n && s[i] != ':'; i++)
			;
		if (np == 4)
			break;
		part[np] = s + start;
		plen[np++] = i - start;
	}
	if (np > 3)
		return bp_refuse(c, c->path_len, s, n, 1, "not a bind "
		    "specification dockerd accepts");
	if (np == 1 || plen[0] == 0 || part[0][0] != '/')
		return 0;	/* an anonymous or a named volume */
	if (np == 3) {
		for (t = 0; t <= plen[2]; t = e + 1) {
			for (e = t; e < plen[2] && part[2][e] != ','; e++)
				;
			if (bp_eq(part[2] + t, e - t, "ro"))
				ro = 1;
			if (bp_eq(part[2] + t, e - t, "shared") ||
			    bp_eq(part[2] + t, e - t, "rshared"))
				return bp_refuse(c, c->path_len, s, n, 1,
				    "shared propagation reaches the host's "
				    "mounts");
		}
	}
	if ((why = bp_host_path(c->p, part[0], plen[0], ro)) != NULL) {
		char	r[200];

		snprintf(r, sizeof(r), "host path %.*s: %s",
		    (int)(plen[0] > 100 ? 100 : plen[0]), part[0], why);
		return bp_refuse(c, c->path_len, s, n, 1, r);
	}
	return 0;
}

/* The kernel parameters that are per container (namespaced), which is
 * what runc lets a container set. */
static int
bp_sysctl_ok(const char *k, size_t n)
{
	static const char *const ipc[] = { "kernel.msgmax", "kernel.msgmnb",
	    "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
	    "kernel.shmmni", "kernel.shm_rmid_forced" };
	size_t	i;

	for (i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' &&
		    k[i] <= '9') || k[i] == '.' || k[i] == '_' || k[i] == '-'))
			return 0;
	for (i = 0; i < sizeof(ipc) / sizeof(ipc[0]); i++)
		if (bp_eq(k, n, ipc[i]))
			return 1;
	return (n > 10 && memcmp(k, "fs.mqueue.", 10) == 0) ||
	    (n > 4 && memcmp(k, "net.", 4) == 0);
}

static int
bp_bool(struct bp_ctx *c, const struct bp_node *nd, int val)
{
	switch (nd->id) {
	case ID_PRIVILEGED:
	case ID_SELINUX_DISABLE:
		return val ? bp_refuse(c, c->path_len, "true", 4, 0,
		    nd->why) : 0;
	case ID_MOUNT_RO:
		c->mnt.ro = val;
		return 0;
	case ID_MOUNT_RONR:
		c->mnt.ronr = val;
		return 0;
	default:
		return 0;
	}
}

static void
bp_copy(char *dst, size_t cap, const char *s, size_t n, int *too_long)
{
	if (n >= cap) {
		if (too_long != NULL)
			*too_long = 1;
		n = 0;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static int
bp_string(struct bp_ctx *c, const struct bp_node *nd, const char *s,
    size_t n)
{
	const struct body_policy *p = c->p;
	char	 cap[BODY_MAX_CAP];
	size_t	 i;

	switch (nd->id) {
	case ID_CAPADD:
		if (body_cap_norm(s, n, cap, sizeof(cap)) == 0)
			for (i = 0; i < p->ncaps; i++)
				if (strcmp(cap, p->caps[i]) == 0)
					return 0;
		return bp_refuse(c, c->path_len, s, n, 1, p->ncaps == 0 ?
		    "the body policy allows no added capabilities" :
		    "not an allowed capability");
	case ID_NETMODE:
		if (bp_ieq(s, n, "host"))
			return bp_refuse(c, c->path_len, s, n, 1,
			    "the host's network namespace");
		if (p->hiding && bp_iprefix(s, n, "container:"))
			return bp_refuse(c, c->path_len, s, n, 1,
			    "another container's network namespace, which "
			    "the listener's visible labels cannot check");
		return 0;
	case ID_LINK:
		/* A link hands the new container the linked one's name,
		 * address and environment. */
		if (p->hiding)
			return bp_refuse(c, c->path_len, s, n, 1,
			    "a link names another container, which the "
			    "listener's visible labels cannot check");
		return 0;
	case ID_PIDMODE:
	case ID_IPCMODE:
		if (bp_ieq(s, n, "host") || bp_iprefix(s, n, "container:"))
			return bp_refuse(c, c->path_len, s, n, 1, bp_ieq(s, n,
			    "host") ? "the host's namespace" : "another "
			    "container's namespace (which may be the host's)");
		return 0;
	case ID_UTSMODE:
	case ID_USERNSMODE:
	case ID_CGROUPNSMODE:
		if (bp_ieq(s, n, "host"))
			return bp_refuse(c, c->path_len, s, n, 1,
			    "the host's namespace");
		return 0;
	case ID_SECOPT:
		/* Only no-new-privileges, which can only confine more. */
		if (bp_eq(s, n, "no-new-privileges"))
			return 0;
		if (n > 18 && memcmp(s, "no-new-privileges", 17) == 0 &&
		    (s[17] == '=' || s[17] == ':')) {
			for (i = 18; i < n; i++)
				if (!((s[i] >= 'a' && s[i] <= 'z') ||
				    (s[i] >= 'A' && s[i] <= 'Z') ||
				    (s[i] >= '0' && s[i] <= '9')))
					break;
			if (i == n)
				return 0;
		}
		return bp_refuse(c, c->path_len, s, n, 1, "only "
		    "no-new-privileges may be set (seccomp, apparmor, label "
		    "and systempaths options can lift confinement)");
	case ID_BIND:
		return bp_bind(c, s, n);
	case ID_CGROUP_PARENT:
		return n > 0 ? bp_refuse(c, c->path_len, s, n, 1,
		    "a cgroup outside the container's") : 0;
	case ID_RUNTIME:
		return n > 0 && !bp_eq(s, n, "runc") ? bp_refuse(c,
		    c->path_len, s, n, 1, "only the default runtime (runc)") :
		    0;
	case ID_VOLUME_DRIVER:
		return n > 0 && !bp_eq(s, n, "local") &&
		    !bp_driver_ok(p, s, n) ? bp_refuse(c, c->path_len, s, n, 1,
		    "not an allowed volume driver") : 0;
	case ID_MOUNT_TYPE:
		bp_copy(c->mnt.type, sizeof(c->mnt.type), s, n, NULL);
		if (n >= sizeof(c->mnt.type))
			strcpy(c->mnt.type, "?");
		return 0;
	case ID_MOUNT_SOURCE:
		bp_copy(c->mnt.source, sizeof(c->mnt.source), s, n,
		    &c->mnt.source_long);
		return 0;
	case ID_MOUNT_PROPAGATION:
		c->mnt.shared = bp_ieq(s, n, "shared") ||
		    bp_ieq(s, n, "rshared");
		return 0;
	case ID_MOUNT_DRIVER:
		bp_copy(c->mnt.driver, sizeof(c->mnt.driver), s, n,
		    &c->mnt.driver_long);
		return 0;
	case ID_MOUNT_OPT:
		bp_local_opt(&c->mnt.opts, c->key, c->key_len, s, n);
		return 0;
	case ID_VOL_DRIVER:
		bp_copy(c->vol_driver, sizeof(c->vol_driver), s, n,
		    &c->vol_driver_long);
		return 0;
	case ID_VOL_OPT:
		bp_local_opt(&c->vol_opts, c->key, c->key_len, s, n);
		return 0;
	case ID_SELINUX_TYPE:
		return n > 0 ? bp_refuse(c, c->path_len, s, n, 1,
		    "an SELinux type can lift confinement (spc_t)") : 0;
	case ID_SECCOMP_MODE:
	case ID_APPARMOR_MODE:
		return n > 0 && !bp_eq(s, n, "default") ? bp_refuse(c,
		    c->path_len, s, n, 1, "only the default profile") : 0;
	case ID_TASK_RUNTIME:
		return bp_ieq(s, n, "plugin") ? bp_refuse(c, c->path_len, s, n,
		    1, "a plugin runs with the privileges it asks for") : 0;
	case ID_SUBPATH:
		/* dockerd checks this too; a slip there would leave the
		 * volume for the host's files. */
		for (i = 0; i < n; i++)
			if (s[i] == '.' && i + 1 < n && s[i + 1] == '.' &&
			    (i == 0 || s[i - 1] == '/') && (i + 2 == n ||
			    s[i + 2] == '/'))
				break;
		return (n > 0 && s[0] == '/') || i < n ? bp_refuse(c,
		    c->path_len, s, n, 1, "a subpath must stay inside its "
		    "volume or image") : 0;
	case ID_NET_TARGET:
		return bp_ieq(s, n, "host") ? bp_refuse(c, c->path_len, s, n, 1,
		    "the host's network namespace") : 0;
	default:
		return 0;
	}
}

/* A map key, exact (Go maps do not fold). */
static int
bp_map_key(struct bp_ctx *c, const struct bp_node *map, const char *k,
    size_t n)
{
	if (map->id == ID_SYSCTLS && !bp_sysctl_ok(k, n))
		return bp_refuse(c, c->path_len, NULL, 0, 0, "not a namespaced "
		    "kernel parameter a container may set");
	if (map->id == ID_ENDPOINTS && bp_ieq(k, n, "host"))
		return bp_refuse(c, c->path_len, NULL, 0, 0,
		    "the host's network namespace");
	return 0;
}

/* A mount.Mount was read whole. */
static int
bp_mount_end(struct bp_ctx *c, size_t plen)
{
	struct bp_mount *m = &c->mnt;
	const char *why;
	char	 r[200];

	if (bp_ieq(m->type, strlen(m->type), "bind")) {
		if (m->shared)
			return bp_refuse(c, plen, NULL, 0, 0, "shared "
			    "propagation reaches the host's mounts");
		why = m->source_long ? "host path too long" :
		    bp_host_path(c->p, m->source, strlen(m->source),
		    m->ro && !m->ronr);
		if (why == NULL)
			return 0;
		snprintf(r, sizeof(r), "a bind mount of host path %.100s: %s",
		    m->source, why);
		return bp_refuse(c, plen, NULL, 0, 0, r);
	}
	if (strcmp(m->type, "volume") == 0) {
		if (m->driver[0] == '\0' || strcmp(m->driver, "local") == 0) {
			if ((why = bp_local_check(&m->opts)) == NULL)
				return 0;
			snprintf(r, sizeof(r), "volume options: %s", why);
			return bp_refuse(c, plen, NULL, 0, 0, r);
		}
		if (!m->driver_long && bp_driver_ok(c->p, m->driver,
		    strlen(m->driver)))
			return 0;
		return bp_refuse(c, plen, NULL, 0, 0, "not an allowed volume "
		    "driver");
	}
	if (strcmp(m->type, "tmpfs") == 0 || strcmp(m->type, "image") == 0)
		return 0;
	snprintf(r, sizeof(r), "mount type \"%.15s\" (only volume, tmpfs, "
	    "image, and bind under an allowed host path)", m->type);
	return bp_refuse(c, plen, NULL, 0, 0, r);
}

/* POST /volumes/create was read whole. */
static int
bp_volume_end(struct bp_ctx *c)
{
	const char *why;
	char	 r[200];

	if (c->vol_driver[0] == '\0' && !c->vol_driver_long)
		goto local;
	if (strcmp(c->vol_driver, "local") == 0)
		goto local;
	if (!c->vol_driver_long && bp_driver_ok(c->p, c->vol_driver,
	    strlen(c->vol_driver)))
		return 0;
	bp_path_set(c, 0);
	bp_path_add(c, "Driver", 6);
	return bp_refuse(c, c->path_len, c->vol_driver,
	    strlen(c->vol_driver), 1, "not an allowed volume driver");
local:
	if ((why = bp_local_check(&c->vol_opts)) == NULL)
		return 0;
	snprintf(r, sizeof(r), "%s", why);
	bp_path_set(c, 0);
	bp_path_add(c, "DriverOpts", 10);
	return bp_refuse(c, c->path_len, NULL, 0, 0, r);
}

static const struct bp_field *
bp_lookup(const struct bp_node *st, const char *k, size_t n)
{
	size_t	i;

	for (i = 0; i < st->nfields; i++)
		if (st->fields[i].len == n &&
		    bp_lower((unsigned char)k[0]) ==
		    bp_lower((unsigned char)st->fields[i].name[0]) &&
		    strncasecmp(st->fields[i].name, k, n) == 0)
			return &st->fields[i];
	return NULL;
}

/* "[I]" into dst (at least 24 bytes); returns its length. */
static size_t
bp_index(char *dst, size_t i)
{
	char	 tmp[24];
	size_t	 n = 0, w = 0;

	do
		tmp[n++] = (char)('0' + i % 10);
	while ((i /= 10) > 0);
	dst[w++] = '[';
	while (n > 0)
		dst[w++] = tmp[--n];
	dst[w++] = ']';
	dst[w] = '\0';
	return w;
}

static int
bp_push(struct bp_ctx *c, const struct bp_node *nd, int array)
{
	struct bp_frame *f = &c->st[c->depth++];

	f->node = nd;
	f->path_len = c->path_len;
	f->index = 0;
	f->array = array;
	if (nd->id == ID_MOUNT)
		memset(&c->mnt, 0, sizeof(c->mnt));
	return 0;
}

static int
bp_event(void *arg, enum gj_event ev, const char *s, size_t n)
{
	struct bp_ctx	*c = arg;
	struct bp_frame *f = c->depth > 0 ? &c->st[c->depth - 1] : NULL;
	const struct bp_node *nd;
	const struct bp_field *fld;
	char	 idx[32];

	/* Keys and ends come only inside a container (gojson's order);
	 * anything else is refused rather than trusted. */
	if (f == NULL && (ev == GJ_KEY || ev == GJ_OBJECT_END ||
	    ev == GJ_ARRAY_END))
		return bp_wrong_type(c, "one JSON value");
	if (ev == GJ_KEY) {
		bp_path_set(c, f->path_len);
		switch (f->node->type) {
		case BP_STRUCT:
			fld = bp_lookup(f->node, s, n);
			if (fld == NULL) {
				c->pending = &bp_skip;
				return 0;
			}
			if (c->path_len > 0)
				bp_path_add(c, ".", 1);
			bp_path_add(c, fld->name, fld->len);
			c->pending = fld->node;
			return 0;
		case BP_MAP:
			bp_path_add(c, "[\"", 2);
			bp_show(idx, sizeof(idx), s, n);
			bp_path_add(c, idx, strlen(idx));
			bp_path_add(c, "\"]", 2);
			bp_copy(c->key, sizeof(c->key), s, n, NULL);
			c->key_len = n < sizeof(c->key) ? n : 0;
			c->pending = f->node->elem;
			return bp_map_key(c, f->node, s, n);
		case BP_NONEMPTY:
			return bp_refuse(c, f->path_len, NULL, 0, 0,
			    f->node->why);
		default:
			c->pending = &bp_skip;
			return 0;
		}
	}
	if (ev == GJ_OBJECT_END || ev == GJ_ARRAY_END) {
		c->depth--;
		if (f->node->id == ID_MOUNT)
			return bp_mount_end(c, f->path_len);
		if (f->node->id == ID_VOLUME && c->depth == 0)
			return bp_volume_end(c);
		return 0;
	}

	/* A value begins: which node describes it? */
	if (f == NULL)
		nd = c->root;
	else if (f->array) {
		if (f->node->type == BP_NONEMPTY)
			return bp_refuse(c, f->path_len, NULL, 0, 0,
			    f->node->why);
		if (f->node->type == BP_SKIP)
			nd = &bp_skip;
		else {
			bp_path_set(c, f->path_len);
			bp_path_add(c, idx, bp_index(idx, f->index++));
			nd = f->node->elem;
		}
	} else
		nd = c->pending;

	if (ev == GJ_NULL) {
		/* null leaves a field unset; in an array or a map it is the
		 * element type's zero value, "" for a string. */
		if (f != NULL && (f->array || f->node->type == BP_MAP) &&
		    nd->type == BP_STRING)
			return bp_string(c, nd, "", 0);
		return 0;
	}
	switch (nd->type) {
	case BP_SKIP:
		if (ev == GJ_OBJECT)
			return bp_push(c, &bp_skip, 0);
		if (ev == GJ_ARRAY)
			return bp_push(c, &bp_skip, 1);
		return 0;
	case BP_PRESENT:
		return bp_refuse(c, c->path_len, NULL, 0, 0, nd->why);
	case BP_NONEMPTY:
		if (ev == GJ_OBJECT || ev == GJ_ARRAY)
			return bp_push(c, nd, ev == GJ_ARRAY);
		return bp_wrong_type(c, "an array or object");
	case BP_STRUCT:
	case BP_MAP:
		if (ev == GJ_OBJECT)
			return bp_push(c, nd, 0);
		return bp_wrong_type(c, "an object");
	case BP_ARRAY:
		if (ev == GJ_ARRAY)
			return bp_push(c, nd, 1);
		return bp_wrong_type(c, "an array");
	case BP_STRSLICE:
		if (ev == GJ_STRING)
			return bp_string(c, nd->elem, s, n);
		if (ev == GJ_ARRAY)
			return bp_push(c, nd, 1);
		return bp_wrong_type(c, "a string or an array of strings");
	case BP_BOOL:
		if (ev == GJ_TRUE || ev == GJ_FALSE)
			return bp_bool(c, nd, ev == GJ_TRUE);
		return bp_wrong_type(c, "a boolean");
	case BP_STRING:
		if (ev == GJ_STRING)
			return bp_string(c, nd, s, n);
		return bp_wrong_type(c, "a string");
	}
	return 0;
}

int
body_judge(const struct body_policy *p, enum body_kind k, const char *body,
    size_t len, struct body_verdict *v)
{
	static struct bp_ctx c;		/* large: off the stack */
	struct gj_error err;
	size_t	 i;

	memset(v, 0, sizeof(*v));
	if (p->off)
		return 0;
	for (i = 0; i < len && (body[i] == ' ' || body[i] == '\t' ||
	    body[i] == '\n' || body[i] == '\r'); i++)
		;
	if (i == len)
		return 0;
	switch (k) {
	case BODY_K_CREATE:	c.root = &n_create; break;
	case BODY_K_UPDATE:	c.root = &n_host_config; break;
	case BODY_K_START:	c.root = &n_start; break;
	case BODY_K_EXEC:	c.root = &n_exec; break;
	case BODY_K_VOLUME:	c.root = &n_volume; break;
	case BODY_K_SERVICE:	c.root = &n_service; break;
	default:		return 0;
	}
	c.p = p;
	c.v = v;
	c.depth = 0;
	c.pending = NULL;
	c.path_long = 0;
	bp_path_set(&c, 0);
	c.key_len = 0;
	memset(&c.vol_opts, 0, sizeof(c.vol_opts));
	c.vol_driver[0] = '\0';
	c.vol_driver_long = 0;
	if (gj_read(body, len, bp_event, &c, &err) == 0)
		return 0;
	if (v->status != 0)
		return v->status;
	v->status = 400;
	v->field[0] = '\0';
	snprintf(v->message, sizeof(v->message), "%s (at byte %zu)",
	    err.why, err.offset);
	return 400;
}
