/*
 * resp_filter.c - response redaction and label visibility, as plans for
 * jrewrite.  See resp_filter.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "resp_filter.h"

/* Where each filtered response lives in the Engine API table. */
static const struct {
	enum req_method	 method;
	const char	*tmpl;
	enum rf_kind	 kind;
} rf_routes[] = {
	{ REQ_M_GET, "/containers/json",		RF_CONTAINER_LIST },
	{ REQ_M_GET, "/containers/{name:.*}/json",	RF_CONTAINER_INSPECT },
	{ REQ_M_GET, "/services",			RF_SERVICE_LIST },
	{ REQ_M_GET, "/services/{id}",			RF_SERVICE_INSPECT },
	{ REQ_M_GET, "/tasks",				RF_TASK_LIST },
	{ REQ_M_GET, "/tasks/{id}",			RF_TASK_INSPECT },
	{ REQ_M_GET, "/volumes",			RF_VOLUME_LIST },
	{ REQ_M_GET, "/volumes/{name:.*}",		RF_VOLUME_INSPECT },
	{ REQ_M_GET, "/events",				RF_EVENTS },
	{ REQ_M_GET, "/system/df",			RF_SYSTEM_DF },
	{ REQ_M_GET, "/networks/{id:.+}",		RF_NETWORK_INSPECT },
	{ REQ_M_GET, "/libpod/containers/{name}/json",
	    RF_LIBPOD_CONTAINER_INSPECT },
	{ REQ_M_GET, "/libpod/pods/{name}/json",	RF_LIBPOD_POD_INSPECT },
	{ REQ_M_GET, "/libpod/volumes/json",		RF_LIBPOD_VOLUME_LIST },
	{ REQ_M_GET, "/libpod/volumes/{name}/json",	RF_LIBPOD_VOLUME_INSPECT },
	{ REQ_M_GET, "/libpod/secrets/{name}/json",	RF_LIBPOD_SECRET_INSPECT },
};

/*
 * What is redacted, by kind: secrets a read-only client has no use for.
 * Container inspect: the environment (passwords, tokens), the options of
 * volumes a mount creates, of network endpoints and of the log driver
 * (splunk-token, awslogs keys, a loki URL with credentials).  Services
 * and tasks: the same in their specs (a service's previous spec too).
 * Volumes: the driver options, which hold CIFS/NFS credentials
 * (o=username=,password=).
 */
#define RF_SVC_SECRETS(pre)						\
	pre "Spec.TaskTemplate.ContainerSpec.Env",			\
	pre "Spec.TaskTemplate.ContainerSpec.Mounts.*.VolumeOptions.DriverConfig.Options", \
	pre "PreviousSpec.TaskTemplate.ContainerSpec.Env",		\
	pre "PreviousSpec.TaskTemplate.ContainerSpec.Mounts.*.VolumeOptions.DriverConfig.Options", \
	pre "Spec.TaskTemplate.LogDriver.Options",			\
	pre "PreviousSpec.TaskTemplate.LogDriver.Options"
#define RF_TASK_SECRETS(pre)						\
	pre "Spec.ContainerSpec.Env",					\
	pre "Spec.ContainerSpec.Mounts.*.VolumeOptions.DriverConfig.Options", \
	pre "Spec.LogDriver.Options"

#define RF_MAX_REDACT	8

static const char *const rf_redact_paths[RF_KIND_COUNT][RF_MAX_REDACT] = {
	[RF_CONTAINER_LIST] = { "*.NetworkSettings.Networks.*.DriverOpts" },
	[RF_CONTAINER_INSPECT] = { "Config.Env",
	    "HostConfig.Mounts.*.VolumeOptions.DriverConfig.Options",
	    "HostConfig.LogConfig.Config",
	    "NetworkSettings.Networks.*.DriverOpts" },
	[RF_SERVICE_LIST] = { RF_SVC_SECRETS("*.") },
	[RF_SERVICE_INSPECT] = { RF_SVC_SECRETS("") },
	[RF_TASK_LIST] = { RF_TASK_SECRETS("*.") },
	[RF_TASK_INSPECT] = { RF_TASK_SECRETS("") },
	[RF_VOLUME_LIST] = { "Volumes.*.Options" },
	[RF_VOLUME_INSPECT] = { "Options" },
	[RF_SYSTEM_DF] = { "Volumes.*.Options",
	    "Containers.*.NetworkSettings.Networks.*.DriverOpts" },
	/* libpod's inspect repeats the environment in the command line
	 * that created the container ("podman run -e TOKEN=..."), as pod
	 * inspect does for the pod; secret inspect shows the secret itself
	 * when asked (showsecret=true, Podman 4.5 and later). */
	[RF_LIBPOD_CONTAINER_INSPECT] = { "Config.Env", "Config.CreateCommand",
	    "NetworkSettings.Networks.*.DriverOpts" },
	[RF_LIBPOD_POD_INSPECT] = { "CreateCommand" },
	[RF_LIBPOD_VOLUME_LIST] = { "*.Options" },
	[RF_LIBPOD_VOLUME_INSPECT] = { "Options" },
	[RF_LIBPOD_SECRET_INSPECT] = { "SecretData" },
};

/* What visibility adds, by kind: the elements to select and where their
 * labels (or the ID that decides) are. */
static const struct {
	const char	*select;
	const char	*labels;
	const char	*capture[JRW_MAX_CAPTURE];
	const char	*redact;	/* emptied when hiding */
} rf_hide_paths[RF_KIND_COUNT] = {
	[RF_CONTAINER_LIST] = { "*", "*.Labels", { NULL }, NULL },
	[RF_SERVICE_LIST] = { "*", "*.Spec.Labels", { NULL }, NULL },
	[RF_TASK_LIST] = { "*", NULL, { "*.ServiceID" }, NULL },
	[RF_EVENTS] = { "", "Actor.Attributes",
	    { "Type", "Actor.Attributes.container" }, NULL },
	[RF_SYSTEM_DF] = { "Containers.*", "Containers.*.Labels", { NULL },
	    NULL },
	/* Which containers are on a network names hidden ones too. */
	[RF_NETWORK_INSPECT] = { NULL, NULL, { NULL }, "Containers" },
	[RF_PROBE_CONTAINER] = { "", "Config.Labels", { NULL }, NULL },
	[RF_PROBE_EXEC] = { "", NULL, { "ContainerID" }, NULL },
	[RF_PROBE_SERVICE] = { "", "Spec.Labels", { NULL }, NULL },
	[RF_PROBE_TASK] = { "", NULL, { "ServiceID" }, NULL },
	[RF_PROBE_SERVICES] = { "*", "*.Spec.Labels", { "*.ID" }, NULL },
};

enum rf_kind
rf_kind_of(const struct engine_api_route *r)
{
	size_t	i;

	if (r == NULL)
		return RF_NONE;
	for (i = 0; i < sizeof(rf_routes) / sizeof(rf_routes[0]); i++)
		if (r->method == rf_routes[i].method &&
		    strcmp(r->tmpl, rf_routes[i].tmpl) == 0)
			return rf_routes[i].kind;
	return RF_NONE;
}

enum rf_object
rf_object_of(const struct engine_api_route *r)
{
	if (r == NULL)
		return RF_OBJ_NONE;
	if (strncmp(r->tmpl, "/containers/{name", 17) == 0)
		return RF_OBJ_CONTAINER;
	if (strncmp(r->tmpl, "/exec/{", 7) == 0)
		return RF_OBJ_EXEC;
	if (strncmp(r->tmpl, "/services/{id}", 14) == 0)
		return RF_OBJ_SERVICE;
	if (strncmp(r->tmpl, "/tasks/{id}", 11) == 0)
		return RF_OBJ_TASK;
	return RF_OBJ_NONE;
}

int
rf_names_elsewhere(const struct engine_api_route *r)
{
	/* The container is in the query (commit) or the body (network
	 * connect, disconnect), where no probe reaches. */
	return r != NULL && r->method == REQ_M_POST &&
	    (strcmp(r->tmpl, "/commit") == 0 ||
	    strcmp(r->tmpl, "/networks/{id:.*}/connect") == 0 ||
	    strcmp(r->tmpl, "/networks/{id:.*}/disconnect") == 0);
}

enum rf_kind
rf_probe_kind(enum rf_object o)
{
	switch (o) {
	case RF_OBJ_CONTAINER:	return RF_PROBE_CONTAINER;
	case RF_OBJ_EXEC:	return RF_PROBE_EXEC;
	case RF_OBJ_SERVICE:	return RF_PROBE_SERVICE;
	case RF_OBJ_TASK:	return RF_PROBE_TASK;
	default:		return RF_NONE;
	}
}

/* Build the plan of kind k: redaction when redact, visibility when p
 * hides, then extra[0..nextra) (a rule's paths). */
static int
rf_build(const struct rf_policy *p, enum rf_kind k, int redact,
    const char *const *extra, size_t nextra, struct jrw_plan *out,
    char *err, size_t errlen)
{
	size_t	i;

	jrw_plan_init(out);
	out->label = p->labels;
	out->nlabels = p->nlabels;
	if (redact)
		for (i = 0; i < RF_MAX_REDACT &&
		    rf_redact_paths[k][i] != NULL; i++)
			if (jrw_plan_add(out, rf_redact_paths[k][i],
			    JRW_N_REDACT, 0, err, errlen) == -1)
				return -1;
	for (i = 0; i < nextra; i++)
		if (jrw_plan_add(out, extra[i], JRW_N_REDACT, 0, err,
		    errlen) == -1)
			return -1;
	if (!rf_hiding(p))
		return 0;
	if (rf_hide_paths[k].select != NULL &&
	    jrw_plan_add(out, rf_hide_paths[k].select, JRW_N_SELECT, 0, err,
	    errlen) == -1)
		return -1;
	if (rf_hide_paths[k].labels != NULL &&
	    jrw_plan_add(out, rf_hide_paths[k].labels, JRW_N_LABELS, 0, err,
	    errlen) == -1)
		return -1;
	for (i = 0; i < JRW_MAX_CAPTURE; i++)
		if (rf_hide_paths[k].capture[i] != NULL &&
		    jrw_plan_add(out, rf_hide_paths[k].capture[i],
		    JRW_N_CAPTURE, (int)i, err, errlen) == -1)
			return -1;
	if (rf_hide_paths[k].redact != NULL &&
	    jrw_plan_add(out, rf_hide_paths[k].redact, JRW_N_REDACT, 0, err,
	    errlen) == -1)
		return -1;
	return 0;
}

struct rf_policy *
rf_policy_new(int redact, const char *const *specs, size_t n, char *err,
    size_t errlen)
{
	struct rf_policy *p;
	size_t	i;

	if (n > JRW_MAX_LABELS) {
		snprintf(err, errlen, "more than %d visible labels",
		    JRW_MAX_LABELS);
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->refs = 1;
	p->redact = redact != 0;
	for (i = 0; i < n; i++) {
		if (jrw_label_parse(specs[i], &p->labels[i], err,
		    errlen) == -1) {
			free(p);
			return NULL;
		}
		/* dockerd writes a container's name and image over labels
		 * of those names in its events' attributes: such a label
		 * would decide differently in /events than in lists. */
		if (strcmp(p->labels[i].key, "name") == 0 ||
		    strcmp(p->labels[i].key, "image") == 0) {
			snprintf(err, errlen, "label \"%s\" cannot be told "
			    "from the container's own %s in dockerd's events; "
			    "use another label", p->labels[i].key,
			    p->labels[i].key);
			free(p);
			return NULL;
		}
	}
	p->nlabels = n;
	for (i = 0; i < RF_KIND_COUNT; i++)
		if (rf_build(p, (enum rf_kind)i, p->redact, NULL, 0,
		    &p->plan[i], err, errlen) == -1) {
			free(p);
			return NULL;
		}
	return p;
}

int
rf_policy_rule(struct rf_policy *p, enum rf_kind k, const char *clause,
    char *err, size_t errlen)
{
	char	 buf[400], *s, *tok;
	const char *extra[RF_MAX_EXTRA];
	size_t	 n = 0;
	int	 off = strcmp(clause, "off") == 0;
	struct jrw_plan *np;

	if (k == RF_NONE || k >= RF_PROBE_CONTAINER) {
		snprintf(err, errlen, "redact: the rule's route has no "
		    "response sockward filters");
		return -1;
	}
	if (strlen(clause) >= sizeof(buf)) {
		snprintf(err, errlen, "redact: clause too long");
		return -1;
	}
	strcpy(buf, clause);
	if (!off)
		for (s = buf; (tok = strsep(&s, ",")) != NULL; ) {
			if (*tok == '\0' || n == RF_MAX_EXTRA) {
				snprintf(err, errlen, "redact: %s",
				    *tok == '\0' ? "empty path" :
				    "too many paths");
				return -1;
			}
			extra[n++] = tok;
		}
	np = realloc(p->rule_plan, (p->nrule_plan + 1) * sizeof(*np));
	if (np == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->rule_plan = np;
	if (rf_build(p, k, p->redact && !off, extra, n,
	    &p->rule_plan[p->nrule_plan], err, errlen) == -1)
		return -1;
	p->nrule_plan++;
	return (int)p->nrule_plan;
}

const struct jrw_plan *
rf_plan(const struct rf_policy *p, enum rf_kind k, int ridx)
{
	const struct jrw_plan *pl;

	if (p == NULL || k <= RF_NONE || k >= RF_KIND_COUNT)
		return NULL;
	pl = ridx > 0 && (size_t)ridx <= p->nrule_plan ?
	    &p->rule_plan[ridx - 1] : &p->plan[k];
	return jrw_plan_active(pl) ? pl : NULL;
}

void
rf_policy_ref(struct rf_policy *p)
{
	if (p != NULL)
		p->refs++;
}

void
rf_policy_unref(struct rf_policy *p)
{
	if (p == NULL || --p->refs > 0)
		return;
	free(p->rule_plan);
	free(p);
}

/* Add id to the visible services' set. */
static void
rf_ids_add(struct rf_keeper *k, const char *id, size_t len)
{
	char	*b;
	size_t	 cap;

	if (len + 1 > k->ids_cap - k->ids_len) {
		cap = k->ids_cap ? k->ids_cap * 2 : 1024;
		while (cap - k->ids_len < len + 1)
			cap *= 2;
		if ((b = realloc(k->ids, cap)) == NULL) {
			k->failed = 1;
			return;
		}
		k->ids = b;
		k->ids_cap = cap;
	}
	memcpy(k->ids + k->ids_len, id, len);
	k->ids[k->ids_len + len] = '\0';
	k->ids_len += len + 1;
}

static int
rf_ids_has(const struct rf_keeper *k, const char *id)
{
	size_t	off, len;

	for (off = 0; off < k->ids_len; off += len + 1) {
		len = strlen(k->ids + off);
		if (strcmp(k->ids + off, id) == 0)
			return 1;
	}
	return 0;
}

/* An object ID as dockerd makes them: 1 to 128 letters and digits. */
static int
rf_is_id(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > 128)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

int
rf_keep(void *arg, const struct jrw_elem *e)
{
	struct rf_keeper *k = arg;

	switch (k->kind) {
	case RF_EVENTS:
		/* A container's events carry its labels.  Another object's
		 * event that names a container (a network connect, a volume
		 * mount) and a service's (which carry no labels) cannot be
		 * told apart from a hidden one's. */
		if (strcmp(e->capture[0], "container") == 0)
			return e->label_match;
		if (e->present[1])
			return 0;
		return strcmp(e->capture[0], "service") != 0;
	case RF_TASK_LIST:
		return !e->truncated[0] && rf_ids_has(k, e->capture[0]);
	case RF_PROBE_EXEC:
	case RF_PROBE_TASK:
		/* The ID of the object that decides, probed next: dockerd's
		 * IDs are letters and digits; anything else fails closed. */
		k->visible = e->present[0] && !e->truncated[0] &&
		    rf_is_id(e->capture[0], e->capture_len[0]);
		if (k->visible)
			memcpy(k->next_id, e->capture[0],
			    e->capture_len[0] + 1);
		return k->visible;
	case RF_PROBE_CONTAINER:
	case RF_PROBE_SERVICE:
		k->visible = e->label_match;
		return k->visible;
	case RF_PROBE_SERVICES:
		if (e->label_match && !e->truncated[0] &&
		    rf_is_id(e->capture[0], e->capture_len[0]))
			rf_ids_add(k, e->capture[0], e->capture_len[0]);
		return e->label_match;
	default:
		return e->label_match;
	}
}

void
rf_keeper_free(struct rf_keeper *k)
{
	free(k->ids);
	k->ids = NULL;
	k->ids_len = k->ids_cap = 0;
}

int
rf_probe_path(enum rf_kind probe, const char *id, size_t len, char *dst,
    size_t cap)
{
	struct canon_target t;
	const char *pre, *post = "";
	size_t	 np, nq;

	switch (probe) {
	case RF_PROBE_CONTAINER: pre = "/containers/"; post = "/json"; break;
	case RF_PROBE_EXEC:	pre = "/exec/"; post = "/json"; break;
	case RF_PROBE_SERVICE:	pre = "/services/"; break;
	case RF_PROBE_TASK:	pre = "/tasks/"; break;
	case RF_PROBE_SERVICES:	pre = "/services"; len = 0; break;
	default:		return -1;
	}
	/* The decoded path, encoded as every forwarded path is. */
	np = strlen(pre);
	nq = strlen(post);
	if (len >= sizeof(t.path) - np - nq)
		return -1;
	memcpy(t.path, pre, np);
	memcpy(t.path + np, id, len);
	memcpy(t.path + np + len, post, nq + 1);
	t.path_len = np + len + nq;
	t.version[0] = '\0';
	t.query = NULL;
	t.query_len = 0;
	return (int)canon_serialize(&t, dst, cap);
}

void
rf_hidden_message(enum rf_object o, const struct engine_api_route *r,
    const char *name, size_t len, char *dst, size_t cap)
{
	/* dockerd's words: errNoSuchContainer, errExecNotFound, the
	 * cluster's "service %s not found" / "task %s not found"; kill
	 * wraps the first ("Cannot kill container: %s: %w"). */
	switch (o) {
	case RF_OBJ_EXEC:
		snprintf(dst, cap, "No such exec instance: %.*s", (int)len,
		    name);
		break;
	case RF_OBJ_SERVICE:
		snprintf(dst, cap, "service %.*s not found", (int)len, name);
		break;
	case RF_OBJ_TASK:
		snprintf(dst, cap, "task %.*s not found", (int)len, name);
		break;
	default:
		if (r != NULL && r->method == REQ_M_POST &&
		    strcmp(r->tmpl, "/containers/{name:.*}/kill") == 0)
			snprintf(dst, cap, "Cannot kill container: %.*s: No "
			    "such container: %.*s", (int)len, name, (int)len,
			    name);
		else
			snprintf(dst, cap, "No such container: %.*s", (int)len,
			    name);
		break;
	}
}

int
rf_hidden_raw(const struct engine_api_route *r)
{
	/* dockerd hijacks the connection before it looks the container
	 * up, then writes a plain-text 404 on the raw stream and closes. */
	return r != NULL && r->method == REQ_M_POST &&
	    strcmp(r->tmpl, "/containers/{name:.*}/attach") == 0;
}

void
rf_explain(const struct rf_policy *p, const struct engine_api_route *r,
    const char *clause, void (*out)(void *arg, const char *line), void *arg)
{
	enum rf_kind	 k = rf_kind_of(r);
	enum rf_object	 o = rf_object_of(r);
	char		 line[1024];
	size_t		 n, i;
	int		 off = clause != NULL && strcmp(clause, "off") == 0;
	int		 any = 0;

	if (p == NULL)
		return;
	n = (size_t)snprintf(line, sizeof(line), "response: redact ");
	if (p->redact && !off)
		for (i = 0; i < RF_MAX_REDACT &&
		    rf_redact_paths[k][i] != NULL && n < sizeof(line);
		    i++, any++)
			n += (size_t)snprintf(line + n, sizeof(line) - n,
			    "%s%s", any ? ", " : "", rf_redact_paths[k][i]);
	if (clause != NULL && !off && n < sizeof(line)) {
		n += (size_t)snprintf(line + n, sizeof(line) - n,
		    "%s%s (the rule's redact)", any ? ", " : "", clause);
		any = 1;
	}
	if (rf_hiding(p) && rf_hide_paths[k].redact != NULL &&
	    n < sizeof(line)) {
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s "
		    "(visible labels are set)", any ? ", " : "",
		    rf_hide_paths[k].redact);
		any = 1;
	}
	if (any)
		out(arg, line);
	else if (rf_redact_paths[k][0] != NULL) {
		snprintf(line, sizeof(line), "response: nothing redacted "
		    "(%s)", off ? "the rule's redact off" : "redact off");
		out(arg, line);
	}
	if (!rf_hiding(p))
		return;
	n = (size_t)snprintf(line, sizeof(line), "visibility: only "
	    "containers and services labelled ");
	for (i = 0; i < p->nlabels && n < sizeof(line); i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s%s%s",
		    i ? " or " : "", p->labels[i].key,
		    p->labels[i].any_value ? "" : "=",
		    p->labels[i].any_value ? "" : p->labels[i].val);
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	if (rf_hide_paths[k].select != NULL && k < RF_PROBE_CONTAINER)
		snprintf(line + n, sizeof(line) - n, "; the elements at '%s' "
		    "of others are dropped%s", rf_hide_paths[k].select,
		    k == RF_TASK_LIST ? " (sockward lists the services first: "
		    "a task is kept when its service is visible)" : "");
	else if (o != RF_OBJ_NONE)
		snprintf(line + n, sizeof(line) - n, "; this route names %s: "
		    "sockward asks dockerd for it first, and a hidden one gets "
		    "dockerd's own 404", o == RF_OBJ_CONTAINER ? "a container" :
		    o == RF_OBJ_EXEC ? "an exec instance (judged by its "
		    "container)" : o == RF_OBJ_SERVICE ? "a service" :
		    "a task (judged by its service)");
	out(arg, line);
}
