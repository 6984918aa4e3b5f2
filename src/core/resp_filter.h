/*
 * resp_filter.h - what sockward filters in dockerd's responses, and which
 * objects a listener's clients may see.
 *
 * Pure.  Two things, both per listener:
 *  - redaction: values a read-only client does not need and must not
 *    learn (Config.Env, service and task Env, volume Options, driver
 *    options), replaced in the response as jrewrite.h says;
 *  - visibility: with visible labels set, only containers (and swarm
 *    services, and their tasks) carrying one of them exist for the
 *    listener's clients.  Lists and /events are filtered element by
 *    element; a per-object route is preceded by a probe (sockward asks
 *    dockerd for the object first, on the same upstream connection) and
 *    a hidden object is answered with dockerd's own 404.
 * The Engine API routes concerned are recognised by their engine_api row,
 * not by path matching of their own.
 */
#ifndef SOCKWARD_RESP_FILTER_H
#define SOCKWARD_RESP_FILTER_H

#include <stddef.h>

#include "engine_api.h"
#include "jrewrite.h"

/* Responses sockward knows how to filter, and the probes it sends. */
enum rf_kind {
	RF_NONE = 0,
	RF_CONTAINER_LIST,	/* GET /containers/json */
	RF_CONTAINER_INSPECT,	/* GET /containers/{name}/json */
	RF_SERVICE_LIST,	/* GET /services */
	RF_SERVICE_INSPECT,	/* GET /services/{id} */
	RF_TASK_LIST,		/* GET /tasks */
	RF_TASK_INSPECT,	/* GET /tasks/{id} */
	RF_VOLUME_LIST,		/* GET /volumes */
	RF_VOLUME_INSPECT,	/* GET /volumes/{name} */
	RF_EVENTS,		/* GET /events */
	RF_SYSTEM_DF,		/* GET /system/df */
	RF_NETWORK_INSPECT,	/* GET /networks/{id} */
	/* Podman's libpod API: other shapes of the same secrets. */
	RF_LIBPOD_CONTAINER_INSPECT,	/* GET /libpod/containers/{name}/json */
	RF_LIBPOD_POD_INSPECT,	/* GET /libpod/pods/{name}/json */
	RF_LIBPOD_VOLUME_LIST,	/* GET /libpod/volumes/json */
	RF_LIBPOD_VOLUME_INSPECT,	/* GET /libpod/volumes/{name}/json */
	RF_LIBPOD_SECRET_INSPECT,	/* GET /libpod/secrets/{name}/json */
	/* Probes: read for their facts, never sent to the client. */
	RF_PROBE_CONTAINER,	/* GET /containers/ID/json: Config.Labels */
	RF_PROBE_EXEC,		/* GET /exec/ID/json: ContainerID */
	RF_PROBE_SERVICE,	/* GET /services/ID: Spec.Labels */
	RF_PROBE_TASK,		/* GET /tasks/ID: ServiceID */
	RF_PROBE_SERVICES,	/* GET /services: the visible services' IDs */
	RF_KIND_COUNT
};

/* The object a per-object route names, whose visibility is probed. */
enum rf_object {
	RF_OBJ_NONE = 0, RF_OBJ_CONTAINER, RF_OBJ_EXEC, RF_OBJ_SERVICE,
	RF_OBJ_TASK
};

#define RF_MAX_EXTRA	8	/* paths a rule's "redact" clause adds */

/*
 * A listener's response policy.  Built by rf_policy_new from the
 * listener's settings; reference counted, because a response being
 * filtered keeps using the plans of the policy it started under after a
 * reload has replaced it.
 */
struct rf_policy {
	int		 refs;
	int		 redact;	/* redaction on */
	struct jrw_label labels[JRW_MAX_LABELS];	/* visible labels */
	size_t		 nlabels;
	struct jrw_plan	 plan[RF_KIND_COUNT];	/* RF_NONE's is empty */
	/* Plans of rules with a "redact" clause, rule_plan[i] for the rule
	 * whose redact_idx is i + 1. */
	struct jrw_plan	*rule_plan;
	size_t		 nrule_plan;
};

/* The response kind of route r (NULL: RF_NONE). */
enum rf_kind rf_kind_of(const struct engine_api_route *r);

/* The object route r names by its first variable (RF_OBJ_NONE for lists
 * and creates). */
enum rf_object rf_object_of(const struct engine_api_route *r);

/*
 * A new policy (refs 1): redaction on or off, visible labels specs[0..n)
 * ("KEY" or "KEY=VALUE").  Returns NULL with a message in err[0..errlen)
 * for a bad label or when memory runs out.
 */
struct rf_policy *rf_policy_new(int redact, const char *const *specs,
	    size_t n, char *err, size_t errlen);

/*
 * Add the plan of a rule's "redact" clause to p, for responses of kind
 * k: "off" (no redaction, visibility still applies) or dotted paths
 * separated by ','.  Returns the rule's redact_idx (> 0), or -1 with a
 * message.
 */
int	rf_policy_rule(struct rf_policy *p, enum rf_kind k, const char *clause,
	    char *err, size_t errlen);

/* The plan for a response of kind k under a rule with redact_idx ridx
 * (0: none); NULL when nothing is to be done. */
const struct jrw_plan *rf_plan(const struct rf_policy *p, enum rf_kind k,
	    int ridx);

/* Is visibility limited (visible labels set)? */
static inline int
rf_hiding(const struct rf_policy *p)
{
	return p != NULL && p->nlabels > 0;
}

void	rf_policy_ref(struct rf_policy *p);
/* Drop a reference; the last frees p.  NULL is ignored. */
void	rf_policy_unref(struct rf_policy *p);

/*
 * Deciding elements.  One struct per filtered response (or probe):
 * rf_keep is the jrw keep callback with arg = the struct.
 */
struct rf_keeper {
	enum rf_kind	 kind;
	/* RF_PROBE_*: the verdict on the object (1 visible), and for the
	 * exec and task probes the ID of the container or service to probe
	 * next. */
	int		 visible;
	char		 next_id[JRW_CAPTURE_MAX + 1];
	/* RF_PROBE_SERVICES fills it, RF_TASK_LIST reads it: IDs of the
	 * visible services, each NUL-terminated, malloc'd. */
	char		*ids;
	size_t		 ids_len, ids_cap;
	int		 failed;	/* out of memory */
};

int	rf_keep(void *arg, const struct jrw_elem *e);

/* Release what k holds; k may be reused after memset. */
void	rf_keeper_free(struct rf_keeper *k);

/* Does route r name a container outside its path (POST /commit's
 * query, network connect and disconnect bodies)?  A listener that hides
 * containers refuses such routes: it cannot tell which container. */
int	rf_names_elsewhere(const struct engine_api_route *r);

/* The probe kind for object o. */
enum rf_kind rf_probe_kind(enum rf_object o);

/*
 * Write the probe's request path for object o named id[0..len) to
 * dst[0..cap) ("/containers/ID/json", "/exec/ID/json", "/services/ID",
 * "/tasks/ID"; "/services" for RF_PROBE_SERVICES), percent-encoded as
 * canon_serialize encodes every forwarded path.  Returns the length, or
 * -1 when it does not fit.
 */
int	rf_probe_path(enum rf_kind probe, const char *id, size_t len,
	    char *dst, size_t cap);

/* dockerd's 404 message for a missing object o named name[0..len) on
 * route r ("No such container: NAME"; kill's "Cannot kill container:
 * NAME: No such container: NAME"), in dst[0..cap), cut to fit. */
void	rf_hidden_message(enum rf_object o, const struct engine_api_route *r,
	    const char *name, size_t len, char *dst, size_t cap);

/* Does dockerd answer a missing object on route r with a plain-text 404
 * on a hijacked stream (container attach), not a JSON error? */
int	rf_hidden_raw(const struct engine_api_route *r);

/*
 * Describe for `sockward explain` what p does to responses of route r
 * under a rule whose redact clause is clause (NULL: none): one call of
 * out(arg, line) per line ("response: redact Config.Env, ...";
 * "visibility: ..."), none when nothing is done.
 */
void	rf_explain(const struct rf_policy *p, const struct engine_api_route *r,
	    const char *clause, void (*out)(void *arg, const char *line),
	    void *arg);

#endif
