/*
 * test_resp_filter.c - the response filter's policy (resp_filter.h):
 * which routes have a filtered response and which name an object, the
 * plans a listener's settings and a rule's redact clause give, the keep
 * decisions for every kind, probe paths, dockerd's 404 texts, explain's
 * lines, and the plans run end to end through jrewrite.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine_api.h"
#include "jrewrite.h"
#include "resp_filter.h"

#define ELEM_MAX (1u << 20)

static char err[256];

/* The route dockerd dispatches (m, path) to; path is canonical. */
static const struct engine_api_route *
route(enum req_method m, const char *path)
{
	struct engine_api_bind b;

	return engine_api_match(m, path, &b);
}

static enum rf_kind
kind(enum req_method m, const char *path)
{
	return rf_kind_of(route(m, path));
}

static enum rf_object
object(enum req_method m, const char *path)
{
	return rf_object_of(route(m, path));
}

static void
test_kind_of(void **state)
{
	static const struct {
		enum req_method	 m;
		const char	*path;
		enum rf_kind	 kind;
	} cases[] = {
		{ REQ_M_GET, "/containers/json", RF_CONTAINER_LIST },
		{ REQ_M_GET, "/containers/abc/json", RF_CONTAINER_INSPECT },
		{ REQ_M_GET, "/containers/web/db/json", RF_CONTAINER_INSPECT },
		{ REQ_M_GET, "/services", RF_SERVICE_LIST },
		{ REQ_M_GET, "/services/svc1", RF_SERVICE_INSPECT },
		{ REQ_M_GET, "/tasks", RF_TASK_LIST },
		{ REQ_M_GET, "/tasks/t1", RF_TASK_INSPECT },
		{ REQ_M_GET, "/volumes", RF_VOLUME_LIST },
		{ REQ_M_GET, "/volumes/data", RF_VOLUME_INSPECT },
		{ REQ_M_GET, "/events", RF_EVENTS },
		{ REQ_M_GET, "/system/df", RF_SYSTEM_DF },
		{ REQ_M_GET, "/networks/net1", RF_NETWORK_INSPECT },
		/* Podman's libpod API: each kind needs its route row. */
		{ REQ_M_GET, "/libpod/containers/web/json",
		    RF_LIBPOD_CONTAINER_INSPECT },
		{ REQ_M_GET, "/libpod/pods/p1/json", RF_LIBPOD_POD_INSPECT },
		{ REQ_M_GET, "/libpod/volumes/json", RF_LIBPOD_VOLUME_LIST },
		{ REQ_M_GET, "/libpod/volumes/data/json",
		    RF_LIBPOD_VOLUME_INSPECT },
		{ REQ_M_GET, "/libpod/secrets/s1/json",
		    RF_LIBPOD_SECRET_INSPECT },
		{ REQ_M_GET, "/libpod/containers/json", RF_NONE },
		/* Not filtered. */
		{ REQ_M_POST, "/containers/create", RF_NONE },
		{ REQ_M_GET, "/images/json", RF_NONE },
		{ REQ_M_GET, "/networks", RF_NONE },
		{ REQ_M_GET, "/containers/abc/logs", RF_NONE },
		{ REQ_M_GET, "/services/svc1/logs", RF_NONE },
		{ REQ_M_DELETE, "/volumes/data", RF_NONE },
		{ REQ_M_DELETE, "/services/svc1", RF_NONE },
		{ REQ_M_GET, "/_ping", RF_NONE },
		{ REQ_M_GET, "/info", RF_NONE },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].kind != RF_NONE &&
		    route(cases[i].m, cases[i].path) == NULL)
			fail_msg("%s: no route", cases[i].path);
		if (kind(cases[i].m, cases[i].path) != cases[i].kind)
			fail_msg("%s: kind %d, want %d", cases[i].path,
			    kind(cases[i].m, cases[i].path), cases[i].kind);
	}
	assert_int_equal(rf_kind_of(NULL), RF_NONE);
}

static void
test_object_of(void **state)
{
	static const struct {
		enum req_method	 m;
		const char	*path;
		enum rf_object	 obj;
	} cases[] = {
		{ REQ_M_GET, "/containers/abc/json", RF_OBJ_CONTAINER },
		{ REQ_M_GET, "/containers/web/db/json", RF_OBJ_CONTAINER },
		{ REQ_M_GET, "/containers/abc/logs", RF_OBJ_CONTAINER },
		{ REQ_M_POST, "/containers/web/db/start", RF_OBJ_CONTAINER },
		{ REQ_M_POST, "/containers/abc/exec", RF_OBJ_CONTAINER },
		{ REQ_M_DELETE, "/containers/abc", RF_OBJ_CONTAINER },
		{ REQ_M_GET, "/containers/abc/archive", RF_OBJ_CONTAINER },
		{ REQ_M_GET, "/exec/e1/json", RF_OBJ_EXEC },
		{ REQ_M_POST, "/exec/e1/start", RF_OBJ_EXEC },
		{ REQ_M_POST, "/exec/e1/resize", RF_OBJ_EXEC },
		{ REQ_M_GET, "/services/s1", RF_OBJ_SERVICE },
		{ REQ_M_POST, "/services/s1/update", RF_OBJ_SERVICE },
		{ REQ_M_GET, "/services/s1/logs", RF_OBJ_SERVICE },
		{ REQ_M_DELETE, "/services/s1", RF_OBJ_SERVICE },
		{ REQ_M_GET, "/tasks/t1", RF_OBJ_TASK },
		{ REQ_M_GET, "/tasks/t1/logs", RF_OBJ_TASK },
		/* Lists and creates name no object. */
		{ REQ_M_GET, "/containers/json", RF_OBJ_NONE },
		{ REQ_M_POST, "/containers/create", RF_OBJ_NONE },
		{ REQ_M_POST, "/containers/prune", RF_OBJ_NONE },
		{ REQ_M_GET, "/services", RF_OBJ_NONE },
		{ REQ_M_POST, "/services/create", RF_OBJ_NONE },
		{ REQ_M_GET, "/tasks", RF_OBJ_NONE },
		{ REQ_M_GET, "/volumes/data", RF_OBJ_NONE },
		{ REQ_M_GET, "/networks/n1", RF_OBJ_NONE },
	};
	struct engine_api_bind b;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (route(cases[i].m, cases[i].path) == NULL)
			fail_msg("%s: no route", cases[i].path);
		if (object(cases[i].m, cases[i].path) != cases[i].obj)
			fail_msg("%s: object %d, want %d", cases[i].path,
			    object(cases[i].m, cases[i].path), cases[i].obj);
	}
	assert_int_equal(rf_object_of(NULL), RF_OBJ_NONE);

	/* The name with '/' is the route's first variable, whole. */
	assert_non_null(engine_api_match(REQ_M_GET, "/containers/web/db/json",
	    &b));
	assert_true(b.nvars >= 1);
	assert_int_equal(b.var[0].off, 12);
	assert_int_equal(b.var[0].len, 6);

	assert_int_equal(rf_probe_kind(RF_OBJ_CONTAINER), RF_PROBE_CONTAINER);
	assert_int_equal(rf_probe_kind(RF_OBJ_EXEC), RF_PROBE_EXEC);
	assert_int_equal(rf_probe_kind(RF_OBJ_SERVICE), RF_PROBE_SERVICE);
	assert_int_equal(rf_probe_kind(RF_OBJ_TASK), RF_PROBE_TASK);
	assert_int_equal(rf_probe_kind(RF_OBJ_NONE), RF_NONE);
}

/* Kinds whose plan redaction alone makes active. */
static int
redacts(enum rf_kind k)
{
	switch (k) {
	case RF_CONTAINER_LIST: case RF_CONTAINER_INSPECT:
	case RF_SERVICE_LIST: case RF_SERVICE_INSPECT:
	case RF_TASK_LIST: case RF_TASK_INSPECT:
	case RF_VOLUME_LIST: case RF_VOLUME_INSPECT:
	case RF_SYSTEM_DF:
	case RF_LIBPOD_CONTAINER_INSPECT: case RF_LIBPOD_POD_INSPECT:
	case RF_LIBPOD_VOLUME_LIST: case RF_LIBPOD_VOLUME_INSPECT:
	case RF_LIBPOD_SECRET_INSPECT:
		return 1;
	default:
		return 0;
	}
}

/* Kinds whose plan visible labels alone make active. */
static int
hides(enum rf_kind k)
{
	switch (k) {
	case RF_CONTAINER_LIST: case RF_SERVICE_LIST: case RF_TASK_LIST:
	case RF_EVENTS: case RF_SYSTEM_DF: case RF_NETWORK_INSPECT:
	case RF_PROBE_CONTAINER: case RF_PROBE_EXEC: case RF_PROBE_SERVICE:
	case RF_PROBE_TASK: case RF_PROBE_SERVICES:
		return 1;
	default:
		return 0;
	}
}

static void
test_policy_new(void **state)
{
	static const char *const specs[] = { "app=web", "team", "x=" };
	struct rf_policy *p;
	const struct jrw_plan *pl;
	int	 k;

	(void)state;
	/* Nothing to do: no plan for any kind. */
	p = rf_policy_new(0, NULL, 0, err, sizeof(err));
	assert_non_null(p);
	assert_int_equal(p->refs, 1);
	assert_int_equal(p->redact, 0);
	assert_false(rf_hiding(p));
	for (k = 0; k < RF_KIND_COUNT; k++)
		if (rf_plan(p, (enum rf_kind)k, 0) != NULL)
			fail_msg("redact off, no labels: plan for kind %d", k);
	rf_policy_unref(p);

	/* Redaction alone. */
	p = rf_policy_new(5, NULL, 0, err, sizeof(err));
	assert_non_null(p);
	assert_int_equal(p->redact, 1);
	for (k = 0; k < RF_KIND_COUNT; k++)
		if ((rf_plan(p, (enum rf_kind)k, 0) != NULL) != redacts(k))
			fail_msg("redact on: kind %d plan %s", k,
			    redacts(k) ? "missing" : "unexpected");
	rf_policy_unref(p);

	/* Labels alone: the lists, events and probes are filtered. */
	p = rf_policy_new(0, specs, 3, err, sizeof(err));
	assert_non_null(p);
	assert_true(rf_hiding(p));
	assert_int_equal(p->nlabels, 3);
	assert_string_equal(p->labels[0].key, "app");
	assert_string_equal(p->labels[0].val, "web");
	assert_int_equal(p->labels[0].any_value, 0);
	assert_string_equal(p->labels[1].key, "team");
	assert_int_equal(p->labels[1].any_value, 1);
	assert_string_equal(p->labels[2].key, "x");
	assert_string_equal(p->labels[2].val, "");
	assert_int_equal(p->labels[2].any_value, 0);
	for (k = 0; k < RF_KIND_COUNT; k++)
		if ((rf_plan(p, (enum rf_kind)k, 0) != NULL) != hides(k))
			fail_msg("labels: kind %d plan %s", k,
			    hides(k) ? "missing" : "unexpected");
	pl = rf_plan(p, RF_CONTAINER_LIST, 0);
	assert_ptr_equal(pl->label, p->labels);
	assert_int_equal(pl->nlabels, 3);
	rf_policy_unref(p);

	/* Both. */
	p = rf_policy_new(1, specs, 1, err, sizeof(err));
	assert_non_null(p);
	for (k = 0; k < RF_KIND_COUNT; k++)
		if ((rf_plan(p, (enum rf_kind)k, 0) != NULL) !=
		    (redacts(k) || hides(k)))
			fail_msg("both: kind %d", k);
	/* Out of range kinds have none. */
	assert_null(rf_plan(p, RF_NONE, 0));
	assert_null(rf_plan(p, RF_KIND_COUNT, 0));
	assert_null(rf_plan(NULL, RF_CONTAINER_LIST, 0));
	rf_policy_unref(p);
}

static void
test_policy_bad_labels(void **state)
{
	const char *specs[JRW_MAX_LABELS + 1];
	struct rf_policy *p;
	char	 longkey[JRW_LABEL_MAX + 2], longval[JRW_LABEL_MAX + 4];
	size_t	 i;

	(void)state;
	specs[0] = "=x";
	assert_null(rf_policy_new(1, specs, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "empty label key"));
	specs[0] = "";
	assert_null(rf_policy_new(1, specs, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "empty label key"));
	/* dockerd's own event attributes. */
	specs[0] = "name=web";
	assert_null(rf_policy_new(1, specs, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "own name in dockerd's events"));
	specs[0] = "image";
	assert_null(rf_policy_new(1, specs, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "own image"));
	specs[0] = "names=web";
	assert_non_null(p = rf_policy_new(1, specs, 1, err, sizeof(err)));
	rf_policy_unref(p);

	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	specs[0] = "ok";
	specs[1] = longkey;
	assert_null(rf_policy_new(1, specs, 2, err, sizeof(err)));
	assert_non_null(strstr(err, "label key too long"));
	/* JRW_LABEL_MAX bytes of key is the limit, not over it. */
	longkey[JRW_LABEL_MAX] = '\0';
	if ((p = rf_policy_new(1, specs, 2, err, sizeof(err))) == NULL)
		fail_msg("key of %d bytes refused: %s", JRW_LABEL_MAX, err);
	rf_policy_unref(p);

	longval[0] = 'k';
	longval[1] = '=';
	memset(longval + 2, 'v', sizeof(longval) - 3);
	longval[sizeof(longval) - 1] = '\0';
	specs[1] = longval;
	assert_null(rf_policy_new(1, specs, 2, err, sizeof(err)));
	assert_non_null(strstr(err, "label value too long"));

	for (i = 0; i <= JRW_MAX_LABELS; i++)
		specs[i] = "a";
	assert_null(rf_policy_new(1, specs, JRW_MAX_LABELS + 1, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "more than 16 visible labels"));
}

static void
test_policy_rule(void **state)
{
	static const char *const lab[] = { "app=web" };
	struct rf_policy *p;
	char	 clause[512];
	int	 i;

	(void)state;
	p = rf_policy_new(1, NULL, 0, err, sizeof(err));
	assert_non_null(p);

	/* "off" with no labels: nothing left to do for the rule. */
	assert_int_equal(rf_policy_rule(p, RF_CONTAINER_INSPECT, "off", err,
	    sizeof(err)), 1);
	assert_null(rf_plan(p, RF_CONTAINER_INSPECT, 1));
	assert_non_null(rf_plan(p, RF_CONTAINER_INSPECT, 0));

	/* Paths add to the listener's: a plan of its own. */
	assert_int_equal(rf_policy_rule(p, RF_CONTAINER_INSPECT, "A.B,C", err,
	    sizeof(err)), 2);
	assert_int_equal(p->nrule_plan, 2);
	assert_non_null(rf_plan(p, RF_CONTAINER_INSPECT, 2));
	assert_ptr_not_equal(rf_plan(p, RF_CONTAINER_INSPECT, 2),
	    rf_plan(p, RF_CONTAINER_INSPECT, 0));
	assert_ptr_equal(rf_plan(p, RF_CONTAINER_INSPECT, 2), &p->rule_plan[1]);
	/* An index past the rule plans falls back to the listener's. */
	assert_ptr_equal(rf_plan(p, RF_CONTAINER_INSPECT, 99),
	    rf_plan(p, RF_CONTAINER_INSPECT, 0));

	/* Errors, and nothing added by them. */
	assert_int_equal(rf_policy_rule(p, RF_CONTAINER_INSPECT, "A,,B", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "redact: empty path");
	assert_int_equal(rf_policy_rule(p, RF_CONTAINER_INSPECT, "A,", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "redact: empty path");
	assert_int_equal(rf_policy_rule(p, RF_CONTAINER_INSPECT, "", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "redact: empty path");
	assert_int_equal(rf_policy_rule(p, RF_CONTAINER_INSPECT,
	    "a,b,c,d,e,f,g,h,i", err, sizeof(err)), -1);
	assert_string_equal(err, "redact: too many paths");
	assert_int_equal(rf_policy_rule(p, RF_NONE, "A", err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "has no response sockward filters"));
	assert_int_equal(rf_policy_rule(p, RF_PROBE_CONTAINER, "A", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "has no response sockward filters"));
	assert_int_equal(rf_policy_rule(p, RF_KIND_COUNT, "A", err,
	    sizeof(err)), -1);
	memset(clause, 'a', sizeof(clause) - 1);
	clause[sizeof(clause) - 1] = '\0';
	assert_int_equal(rf_policy_rule(p, RF_CONTAINER_INSPECT, clause, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "redact: clause too long");
	/* A key over JRW_KEY_MAX: jrewrite's own refusal. */
	memset(clause, 'k', JRW_KEY_MAX + 1);
	clause[JRW_KEY_MAX + 1] = '\0';
	assert_int_equal(rf_policy_rule(p, RF_CONTAINER_INSPECT, clause, err,
	    sizeof(err)), -1);
	assert_int_equal(p->nrule_plan, 2);

	/* RF_MAX_EXTRA paths is the limit, not over it. */
	assert_int_equal(rf_policy_rule(p, RF_EVENTS, "a,b,c,d,e,f,g,h", err,
	    sizeof(err)), 3);
	assert_non_null(rf_plan(p, RF_EVENTS, 3));
	assert_null(rf_plan(p, RF_EVENTS, 0));
	rf_policy_unref(p);

	/* With labels, "off" keeps the selection. */
	p = rf_policy_new(1, lab, 1, err, sizeof(err));
	assert_non_null(p);
	assert_int_equal(rf_policy_rule(p, RF_CONTAINER_LIST, "off", err,
	    sizeof(err)), 1);
	assert_non_null(rf_plan(p, RF_CONTAINER_LIST, 1));
	assert_int_equal(rf_policy_rule(p, RF_CONTAINER_INSPECT, "off", err,
	    sizeof(err)), 2);
	assert_null(rf_plan(p, RF_CONTAINER_INSPECT, 2));
	/* Many rules: the array grows and earlier indices stay. */
	for (i = 3; i <= 40; i++)
		assert_int_equal(rf_policy_rule(p, RF_VOLUME_LIST, "Name", err,
		    sizeof(err)), i);
	assert_non_null(rf_plan(p, RF_CONTAINER_LIST, 1));
	assert_ptr_equal(rf_plan(p, RF_VOLUME_LIST, 40), &p->rule_plan[39]);
	rf_policy_unref(p);
}

static void
test_ref_unref(void **state)
{
	struct rf_policy *p;

	(void)state;
	p = rf_policy_new(1, NULL, 0, err, sizeof(err));
	assert_non_null(p);
	assert_int_equal(rf_policy_rule(p, RF_VOLUME_LIST, "Name", err,
	    sizeof(err)), 1);
	rf_policy_ref(p);
	assert_int_equal(p->refs, 2);
	rf_policy_unref(p);
	assert_int_equal(p->refs, 1);
	/* Still usable with one reference left. */
	assert_non_null(rf_plan(p, RF_VOLUME_LIST, 1));
	rf_policy_unref(p);	/* freed: ASan and valgrind see a leak if not */
	rf_policy_ref(NULL);
	rf_policy_unref(NULL);
}

/* An element with capture 0 = s (NULL: absent), label_match lm. */
static struct jrw_elem
elem(int lm, const char *c0, const char *c1)
{
	struct jrw_elem e;

	memset(&e, 0, sizeof(e));
	e.labels_seen = lm;
	e.label_match = lm;
	if (c0 != NULL) {
		e.present[0] = 1;
		snprintf(e.capture[0], sizeof(e.capture[0]), "%s", c0);
		e.capture_len[0] = strlen(e.capture[0]);
	}
	if (c1 != NULL) {
		e.present[1] = 1;
		snprintf(e.capture[1], sizeof(e.capture[1]), "%s", c1);
		e.capture_len[1] = strlen(e.capture[1]);
	}
	return e;
}

static void
test_keep_events(void **state)
{
	struct rf_keeper k;
	struct jrw_elem e;

	(void)state;
	memset(&k, 0, sizeof(k));
	k.kind = RF_EVENTS;
	e = elem(1, "container", NULL);
	assert_int_equal(rf_keep(&k, &e), 1);
	e = elem(0, "container", NULL);
	assert_int_equal(rf_keep(&k, &e), 0);
	/* A network event naming a container cannot be told visible. */
	e = elem(0, "network", NULL);
	assert_int_equal(rf_keep(&k, &e), 1);
	e = elem(0, "network", "abc123");
	assert_int_equal(rf_keep(&k, &e), 0);
	e = elem(1, "network", "abc123");
	assert_int_equal(rf_keep(&k, &e), 0);
	/* Service events carry no labels: dropped. */
	e = elem(1, "service", NULL);
	assert_int_equal(rf_keep(&k, &e), 0);
	/* Other objects' events stay. */
	e = elem(0, "image", NULL);
	assert_int_equal(rf_keep(&k, &e), 1);
	e = elem(0, "volume", NULL);
	assert_int_equal(rf_keep(&k, &e), 1);
	e = elem(0, "daemon", NULL);
	assert_int_equal(rf_keep(&k, &e), 1);
}

static void
test_keep_lists(void **state)
{
	static const enum rf_kind kinds[] = {
		RF_CONTAINER_LIST, RF_SERVICE_LIST, RF_SYSTEM_DF
	};
	struct rf_keeper k;
	struct jrw_elem e;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		memset(&k, 0, sizeof(k));
		k.kind = kinds[i];
		e = elem(1, NULL, NULL);
		assert_int_equal(rf_keep(&k, &e), 1);
		e = elem(0, NULL, NULL);
		assert_int_equal(rf_keep(&k, &e), 0);
		/* Labels seen but none matching. */
		e.labels_seen = 1;
		assert_int_equal(rf_keep(&k, &e), 0);
	}
}

static void
test_keep_probes(void **state)
{
	static const enum rf_kind idk[] = { RF_PROBE_EXEC, RF_PROBE_TASK };
	static const enum rf_kind labk[] = {
		RF_PROBE_CONTAINER, RF_PROBE_SERVICE
	};
	struct rf_keeper k;
	struct jrw_elem e;
	size_t	 i;

	(void)state;
	for (i = 0; i < 2; i++) {
		memset(&k, 0, sizeof(k));
		k.kind = idk[i];
		e = elem(0, "c0ffee", NULL);
		assert_int_equal(rf_keep(&k, &e), 1);
		assert_int_equal(k.visible, 1);
		assert_string_equal(k.next_id, "c0ffee");
		/* No ID, an empty one, or a cut one: not visible. */
		memset(&k, 0, sizeof(k));
		k.kind = idk[i];
		e = elem(0, NULL, NULL);
		assert_int_equal(rf_keep(&k, &e), 0);
		assert_int_equal(k.visible, 0);
		assert_string_equal(k.next_id, "");
		e = elem(0, "", NULL);
		assert_int_equal(rf_keep(&k, &e), 0);
		assert_int_equal(k.visible, 0);
		e = elem(0, "c0ffee", NULL);
		e.truncated[0] = 1;
		assert_int_equal(rf_keep(&k, &e), 0);
		assert_int_equal(k.visible, 0);
	}
	for (i = 0; i < 2; i++) {
		memset(&k, 0, sizeof(k));
		k.kind = labk[i];
		e = elem(1, NULL, NULL);
		assert_int_equal(rf_keep(&k, &e), 1);
		assert_int_equal(k.visible, 1);
		e = elem(0, NULL, NULL);
		assert_int_equal(rf_keep(&k, &e), 0);
		assert_int_equal(k.visible, 0);
	}
}

static void
test_keep_tasks(void **state)
{
	struct rf_keeper k;
	struct jrw_elem e;
	char	 id[80];
	int	 i;

	(void)state;
	memset(&k, 0, sizeof(k));
	k.kind = RF_PROBE_SERVICES;
	e = elem(1, "svcvisible", NULL);
	assert_int_equal(rf_keep(&k, &e), 1);
	e = elem(0, "svchidden", NULL);
	assert_int_equal(rf_keep(&k, &e), 0);
	/* What does not look like a dockerd ID is not recorded. */
	e = elem(1, "svc-dash", NULL);
	rf_keep(&k, &e);
	/* A cut ID is not recorded: it would match a wrong task. */
	e = elem(1, "svccut", NULL);
	e.truncated[0] = 1;
	rf_keep(&k, &e);
	/* Enough IDs to grow the set past its first allocation. */
	for (i = 0; i < 100; i++) {
		snprintf(id, sizeof(id), "%064d", i);
		e = elem(1, id, NULL);
		assert_int_equal(rf_keep(&k, &e), 1);
	}
	assert_int_equal(k.failed, 0);
	assert_true(k.ids_cap > 1024);

	k.kind = RF_TASK_LIST;
	e = elem(0, "svcvisible", NULL);
	assert_int_equal(rf_keep(&k, &e), 1);
	e = elem(0, "svchidden", NULL);
	assert_int_equal(rf_keep(&k, &e), 0);
	e = elem(0, "svccut", NULL);
	assert_int_equal(rf_keep(&k, &e), 0);
	e = elem(0, "svc-dash", NULL);
	assert_int_equal(rf_keep(&k, &e), 0);
	e = elem(0, "svc", NULL);		/* a prefix is not the ID */
	assert_int_equal(rf_keep(&k, &e), 0);
	e = elem(0, "svcvisible", NULL);
	e.truncated[0] = 1;
	assert_int_equal(rf_keep(&k, &e), 0);
	e = elem(0, NULL, NULL);
	assert_int_equal(rf_keep(&k, &e), 0);
	snprintf(id, sizeof(id), "%064d", 99);
	e = elem(0, id, NULL);
	assert_int_equal(rf_keep(&k, &e), 1);
	rf_keeper_free(&k);
	assert_null(k.ids);
	assert_int_equal(k.ids_len, 0);

	/* An empty set keeps no task. */
	memset(&k, 0, sizeof(k));
	k.kind = RF_TASK_LIST;
	e = elem(0, "svcvisible", NULL);
	assert_int_equal(rf_keep(&k, &e), 0);
	rf_keeper_free(&k);
}

static void
test_probe_path(void **state)
{
	char	 dst[128];
	static const char odd[] = "a b%?#\x01\xff/~._-Z9";

	(void)state;
	assert_int_equal(rf_probe_path(RF_PROBE_CONTAINER, "abc", 3, dst,
	    sizeof(dst)), 20);
	assert_string_equal(dst, "/containers/abc/json");
	assert_true(rf_probe_path(RF_PROBE_CONTAINER, "web/db", 6, dst,
	    sizeof(dst)) > 0);
	assert_string_equal(dst, "/containers/web/db/json");
	assert_true(rf_probe_path(RF_PROBE_CONTAINER, odd, sizeof(odd) - 1,
	    dst, sizeof(dst)) > 0);
	assert_string_equal(dst,
	    "/containers/a%20b%25%3F%23%01%FF/~._-Z9/json");
	/* Only len bytes are read: a NUL inside is encoded too. */
	assert_true(rf_probe_path(RF_PROBE_TASK, "a\0b", 3, dst,
	    sizeof(dst)) > 0);
	assert_string_equal(dst, "/tasks/a%00b");
	assert_true(rf_probe_path(RF_PROBE_EXEC, "e1", 2, dst,
	    sizeof(dst)) > 0);
	assert_string_equal(dst, "/exec/e1/json");
	assert_true(rf_probe_path(RF_PROBE_SERVICE, "s1", 2, dst,
	    sizeof(dst)) > 0);
	assert_string_equal(dst, "/services/s1");
	assert_int_equal(rf_probe_path(RF_PROBE_SERVICES, "ignored", 7, dst,
	    sizeof(dst)), 9);
	assert_string_equal(dst, "/services");
	assert_int_equal(rf_probe_path(RF_NONE, "x", 1, dst, sizeof(dst)), -1);
	assert_int_equal(rf_probe_path(RF_CONTAINER_INSPECT, "x", 1, dst,
	    sizeof(dst)), -1);

	/* Capacity: the exact fit (with its NUL) and one byte less. */
	assert_int_equal(rf_probe_path(RF_PROBE_CONTAINER, "abc", 3, dst, 21),
	    20);
	assert_string_equal(dst, "/containers/abc/json");
	assert_int_equal(rf_probe_path(RF_PROBE_CONTAINER, "abc", 3, dst, 20),
	    -1);
	assert_int_equal(rf_probe_path(RF_PROBE_TASK, " ", 1, dst, 11), 10);
	assert_string_equal(dst, "/tasks/%20");
	assert_int_equal(rf_probe_path(RF_PROBE_TASK, " ", 1, dst, 10), -1);
	assert_int_equal(rf_probe_path(RF_PROBE_TASK, " ", 1, dst, 8), -1);
	assert_int_equal(rf_probe_path(RF_PROBE_TASK, "x", 1, dst, 3), -1);
	assert_int_equal(rf_probe_path(RF_PROBE_SERVICES, "", 0, dst, 9), -1);
	assert_int_equal(rf_probe_path(RF_PROBE_SERVICES, "", 0, dst, 0), -1);
}

static void
test_hidden_message(void **state)
{
	char	 dst[64];

	(void)state;
	rf_hidden_message(RF_OBJ_CONTAINER, NULL, "web/dbXX", 6, dst, sizeof(dst));
	assert_string_equal(dst, "No such container: web/db");
	rf_hidden_message(RF_OBJ_EXEC, NULL, "e1", 2, dst, sizeof(dst));
	assert_string_equal(dst, "No such exec instance: e1");
	rf_hidden_message(RF_OBJ_SERVICE, NULL, "s1", 2, dst, sizeof(dst));
	assert_string_equal(dst, "service s1 not found");
	rf_hidden_message(RF_OBJ_TASK, NULL, "t1", 2, dst, sizeof(dst));
	assert_string_equal(dst, "task t1 not found");
	rf_hidden_message(RF_OBJ_CONTAINER, NULL, "abc", 3, dst, 10);
	assert_string_equal(dst, "No such c");
	/* Kill wraps dockerd's error; attach answers on the raw stream. */
	rf_hidden_message(RF_OBJ_CONTAINER, route(REQ_M_POST,
	    "/containers/web/kill"), "web", 3, dst, sizeof(dst));
	assert_string_equal(dst, "Cannot kill container: web: No such "
	    "container: web");
	rf_hidden_message(RF_OBJ_CONTAINER, route(REQ_M_POST,
	    "/containers/web/stop"), "web", 3, dst, sizeof(dst));
	assert_string_equal(dst, "No such container: web");
	assert_true(rf_hidden_raw(route(REQ_M_POST, "/containers/web/attach")));
	assert_false(rf_hidden_raw(route(REQ_M_GET,
	    "/containers/web/attach/ws")));
	assert_false(rf_hidden_raw(route(REQ_M_POST, "/containers/web/kill")));
	assert_false(rf_hidden_raw(NULL));
}

struct lines {
	char	 text[4][2048];
	int	 n;
};

static void
lines_out(void *arg, const char *line)
{
	struct lines *l = arg;

	assert_true(l->n < 4);
	assert_null(strchr(line, '\n'));
	snprintf(l->text[l->n++], sizeof(l->text[0]), "%s", line);
}

static struct lines *
explain(const struct rf_policy *p, enum req_method m, const char *path,
    const char *clause)
{
	static struct lines l;

	memset(&l, 0, sizeof(l));
	rf_explain(p, route(m, path), clause, lines_out, &l);
	return &l;
}

static void
test_explain(void **state)
{
	static const char *const lab[] = { "app=web", "team" };
	struct rf_policy *p;
	struct lines *l;

	(void)state;
	p = rf_policy_new(1, NULL, 0, err, sizeof(err));
	assert_non_null(p);
	l = explain(p, REQ_M_GET, "/containers/abc/json", NULL);
	assert_int_equal(l->n, 1);
	assert_string_equal(l->text[0], "response: redact Config.Env, "
	    "HostConfig.Mounts.*.VolumeOptions.DriverConfig.Options, "
	    "HostConfig.LogConfig.Config, "
	    "NetworkSettings.Networks.*.DriverOpts");
	l = explain(p, REQ_M_GET, "/volumes", NULL);
	assert_int_equal(l->n, 1);
	assert_string_equal(l->text[0], "response: redact Volumes.*.Options");
	l = explain(p, REQ_M_GET, "/images/json", NULL);
	assert_int_equal(l->n, 0);
	l = explain(p, REQ_M_GET, "/events", NULL);
	assert_int_equal(l->n, 0);
	/* A rule's clause: its paths after the defaults, or off. */
	l = explain(p, REQ_M_GET, "/volumes", "Volumes.*.Labels");
	assert_string_equal(l->text[0], "response: redact Volumes.*.Options, "
	    "Volumes.*.Labels (the rule's redact)");
	l = explain(p, REQ_M_GET, "/volumes", "off");
	assert_string_equal(l->text[0], "response: nothing redacted (the "
	    "rule's redact off)");
	l = explain(NULL, REQ_M_GET, "/containers/abc/json", NULL);
	assert_int_equal(l->n, 0);
	rf_policy_unref(p);

	p = rf_policy_new(0, lab, 2, err, sizeof(err));
	assert_non_null(p);
	l = explain(p, REQ_M_GET, "/containers/json", NULL);
	assert_int_equal(l->n, 2);
	assert_string_equal(l->text[0], "response: nothing redacted "
	    "(redact off)");
	assert_string_equal(l->text[1], "visibility: only containers and "
	    "services labelled app=web or team; the elements at '*' of "
	    "others are dropped");
	l = explain(p, REQ_M_GET, "/containers/web/db/json", NULL);
	assert_int_equal(l->n, 2);
	assert_string_equal(l->text[1], "visibility: only containers and "
	    "services labelled app=web or team; this route names a "
	    "container: sockward asks dockerd for it first, and a hidden one "
	    "gets dockerd's own 404");
	l = explain(p, REQ_M_POST, "/exec/e1/start", NULL);
	assert_int_equal(l->n, 1);
	assert_non_null(strstr(l->text[0], "; this route names an exec "
	    "instance (judged by its container): "));
	l = explain(p, REQ_M_GET, "/tasks", NULL);
	assert_int_equal(l->n, 2);
	assert_non_null(strstr(l->text[1], "(sockward lists the services "
	    "first: a task is kept when its service is visible)"));
	l = explain(p, REQ_M_GET, "/networks/n1", NULL);
	assert_int_equal(l->n, 2);
	assert_string_equal(l->text[0], "response: redact Containers "
	    "(visible labels are set)");
	/* Even a route with nothing to filter gets the visibility line. */
	l = explain(p, REQ_M_GET, "/images/json", NULL);
	assert_int_equal(l->n, 1);
	assert_int_equal(strncmp(l->text[0], "visibility: ", 12), 0);
	rf_policy_unref(p);
}

/* Run plan over in[0..n), fed in pieces of step bytes, keeping by k. */
static char *
rewrite(const struct jrw_plan *plan, struct rf_keeper *k, const char *in,
    size_t step, struct jrw *w)
{
	struct jrw_out out = { NULL, 0, 0 };
	size_t	 n = strlen(in), off, len;

	assert_non_null(plan);
	jrw_init(w, plan, rf_keep, k, ELEM_MAX);
	for (off = 0; off < n; off += len) {
		len = n - off < step ? n - off : step;
		if (jrw_feed(w, in + off, len, &out) == -1)
			fail_msg("jrw_feed: %s", w->err);
	}
	assert_int_equal(jrw_finish(w), 0);
	jrw_free(w);
	if (out.len == out.cap) {
		/* Room for the NUL (also when nothing was emitted). */
		out.data = realloc(out.data, out.len + 1);
		assert_non_null(out.data);
	}
	out.data[out.len] = '\0';
	return out.data;
}

static const char containers_json[] =
    "[{\"Id\":\"a1\",\"Labels\":{\"app\":\"web\"},\"NetworkSettings\":"
    "{\"Networks\":{\"bridge\":{\"DriverOpts\":{\"k\":\"s3cret\"}}}}},\n"
    " {\"Id\":\"b2\",\"Labels\":{\"app\":\"db\"},\"NetworkSettings\":"
    "{\"Networks\":{\"bridge\":{\"DriverOpts\":null}}}},\n"
    " {\"Id\":\"c3\",\"Labels\":{},\"NetworkSettings\":{}},\n"
    " {\"Id\":\"d4\",\"Labels\":{\"z\":\"1\",\"team\":\"ops\"},"
    "\"NetworkSettings\":{\"Networks\":{\"n\":{\"DriverOpts\":"
    "{\"password\":\"x\"}}}}}]";

static void
test_jrw_container_list(void **state)
{
	static const char *const lab[] = { "app=web", "team" };
	static const size_t steps[] = { 1, 3, 7, 4096 };
	struct rf_policy *p;
	struct rf_keeper k;
	struct jrw w;
	char	*out;
	size_t	 i;

	(void)state;
	p = rf_policy_new(0, lab, 2, err, sizeof(err));
	assert_non_null(p);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		memset(&k, 0, sizeof(k));
		k.kind = RF_CONTAINER_LIST;
		out = rewrite(rf_plan(p, RF_CONTAINER_LIST, 0), &k,
		    containers_json, steps[i], &w);
		/* Redaction off: only the selection. */
		assert_string_equal(out, "[{\"Id\":\"a1\",\"Labels\":{\"app\":"
		    "\"web\"},\"NetworkSettings\":{\"Networks\":{\"bridge\":"
		    "{\"DriverOpts\":{\"k\":\"s3cret\"}}}}},{\"Id\":\"d4\","
		    "\"Labels\":{\"z\":\"1\",\"team\":\"ops\"},"
		    "\"NetworkSettings\":{\"Networks\":{\"n\":{\"DriverOpts\":"
		    "{\"password\":\"x\"}}}}}]");
		assert_int_equal(w.kept, 2);
		assert_int_equal(w.dropped, 2);
		free(out);
	}
	rf_policy_unref(p);

	p = rf_policy_new(1, lab, 2, err, sizeof(err));
	assert_non_null(p);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		memset(&k, 0, sizeof(k));
		k.kind = RF_CONTAINER_LIST;
		out = rewrite(rf_plan(p, RF_CONTAINER_LIST, 0), &k,
		    containers_json, steps[i], &w);
		assert_string_equal(out, "[{\"Id\":\"a1\",\"Labels\":{\"app\":"
		    "\"web\"},\"NetworkSettings\":{\"Networks\":{\"bridge\":"
		    "{\"DriverOpts\":{}}}}},{\"Id\":\"d4\",\"Labels\":"
		    "{\"z\":\"1\",\"team\":\"ops\"},\"NetworkSettings\":"
		    "{\"Networks\":{\"n\":{\"DriverOpts\":{}}}}}]");
		assert_null(strstr(out, "s3cret"));
		assert_int_equal(w.kept, 2);
		assert_int_equal(w.dropped, 2);
		assert_true(w.redacted >= 2);
		free(out);
	}
	/* The rule's "off" keeps the selection and drops the redaction. */
	assert_int_equal(rf_policy_rule(p, RF_CONTAINER_LIST, "off", err,
	    sizeof(err)), 1);
	memset(&k, 0, sizeof(k));
	k.kind = RF_CONTAINER_LIST;
	out = rewrite(rf_plan(p, RF_CONTAINER_LIST, 1), &k, containers_json,
	    5, &w);
	assert_non_null(strstr(out, "s3cret"));
	assert_null(strstr(out, "\"b2\""));
	assert_int_equal(w.dropped, 2);
	free(out);
	rf_policy_unref(p);
}

static const char inspect_json[] =
    "{\"Id\":\"a1\",\"Config\":{\"Env\":[\"DB_PASSWORD=hunter2\","
    "\"PATH=/bin\"],\"Labels\":{\"app\":\"web\"}},\"HostConfig\":"
    "{\"Mounts\":[{\"VolumeOptions\":{\"DriverConfig\":{\"Options\":"
    "{\"o\":\"password=pw\"}}}}]}}";

static void
test_jrw_inspect_and_rule(void **state)
{
	struct rf_policy *p;
	struct rf_keeper k;
	struct jrw w;
	char	*out;

	(void)state;
	memset(&k, 0, sizeof(k));
	p = rf_policy_new(1, NULL, 0, err, sizeof(err));
	assert_non_null(p);
	out = rewrite(rf_plan(p, RF_CONTAINER_INSPECT, 0), &k, inspect_json,
	    2, &w);
	assert_string_equal(out, "{\"Id\":\"a1\",\"Config\":{\"Env\":"
	    "[\"DB_PASSWORD=\",\"PATH=\"],\"Labels\":{\"app\":\"web\"}},"
	    "\"HostConfig\":{\"Mounts\":[{\"VolumeOptions\":{\"DriverConfig\":"
	    "{\"Options\":{}}}}]}}");
	free(out);
	/* A rule's paths add to the listener's. */
	assert_int_equal(rf_policy_rule(p, RF_CONTAINER_INSPECT,
	    "Config.Labels", err, sizeof(err)), 1);
	out = rewrite(rf_plan(p, RF_CONTAINER_INSPECT, 1), &k, inspect_json,
	    4096, &w);
	assert_non_null(strstr(out, "\"Labels\":{}"));
	assert_non_null(strstr(out, "\"DB_PASSWORD=\""));
	free(out);
	rf_policy_unref(p);

	/* Redaction off: a rule's paths alone. */
	p = rf_policy_new(0, NULL, 0, err, sizeof(err));
	assert_non_null(p);
	assert_int_equal(rf_policy_rule(p, RF_CONTAINER_INSPECT,
	    "Config.Labels", err, sizeof(err)), 1);
	out = rewrite(rf_plan(p, RF_CONTAINER_INSPECT, 1), &k, inspect_json,
	    4096, &w);
	assert_non_null(strstr(out, "\"Labels\":{}"));
	assert_non_null(strstr(out, "hunter2"));
	free(out);
	rf_policy_unref(p);
}

static void
test_jrw_events(void **state)
{
	static const char *const lab[] = { "app=web" };
	static const char events[] =
	    "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":"
	    "\"a1\",\"Attributes\":{\"app\":\"web\",\"name\":\"w\"}}}\n"
	    "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":"
	    "\"b2\",\"Attributes\":{\"app\":\"db\",\"name\":\"d\"}}}\n"
	    "{\"Type\":\"network\",\"Action\":\"connect\",\"Actor\":{\"ID\":"
	    "\"n1\",\"Attributes\":{\"container\":\"b2\",\"name\":\"n\"}}}\n"
	    "{\"Type\":\"network\",\"Action\":\"create\",\"Actor\":{\"ID\":"
	    "\"n2\",\"Attributes\":{\"name\":\"n2\"}}}\n"
	    "{\"Type\":\"service\",\"Action\":\"create\",\"Actor\":{\"ID\":"
	    "\"s1\",\"Attributes\":{\"name\":\"s\"}}}\n"
	    "{\"Type\":\"image\",\"Action\":\"pull\",\"Actor\":{\"ID\":"
	    "\"busybox\",\"Attributes\":{\"name\":\"busybox\"}}}\n";
	struct rf_policy *p;
	struct rf_keeper k;
	struct jrw w;
	char	*out;

	(void)state;
	p = rf_policy_new(1, lab, 1, err, sizeof(err));
	assert_non_null(p);
	memset(&k, 0, sizeof(k));
	k.kind = RF_EVENTS;
	out = rewrite(rf_plan(p, RF_EVENTS, 0), &k, events, 3, &w);
	assert_non_null(strstr(out, "\"a1\""));
	assert_null(strstr(out, "\"b2\""));	/* its network event too */
	assert_non_null(strstr(out, "\"n2\""));
	assert_null(strstr(out, "\"s1\""));
	assert_non_null(strstr(out, "\"busybox\""));
	assert_int_equal(w.kept, 3);
	assert_int_equal(w.dropped, 3);
	free(out);
	rf_policy_unref(p);
}

/* A probe reads its response for facts alone (out NULL). */
static void
probe(const struct rf_policy *p, struct rf_keeper *k, const char *json)
{
	struct jrw w;

	jrw_init(&w, rf_plan(p, k->kind, 0), rf_keep, k, ELEM_MAX);
	assert_int_equal(jrw_feed(&w, json, strlen(json), NULL), 0);
	assert_int_equal(jrw_finish(&w), 0);
	jrw_free(&w);
}

static void
test_jrw_probes(void **state)
{
	static const char *const lab[] = { "app=web" };
	static const char services[] =
	    "[{\"ID\":\"s1\",\"Spec\":{\"Labels\":{\"app\":\"web\"}}},"
	    "{\"ID\":\"s2\",\"Spec\":{\"Labels\":{\"app\":\"db\"}}}]";
	static const char tasks[] =
	    "[{\"ID\":\"t1\",\"ServiceID\":\"s1\",\"Spec\":{\"ContainerSpec\":"
	    "{\"Env\":[\"K=v\"]}}},{\"ID\":\"t2\",\"ServiceID\":\"s2\"},"
	    "{\"ID\":\"t3\"}]";
	struct rf_policy *p;
	struct rf_keeper k;
	struct jrw w;
	char	*out;

	(void)state;
	p = rf_policy_new(1, lab, 1, err, sizeof(err));
	assert_non_null(p);

	memset(&k, 0, sizeof(k));
	k.kind = RF_PROBE_CONTAINER;
	probe(p, &k, "{\"Id\":\"a1\",\"Config\":{\"Labels\":{\"app\":"
	    "\"web\"}}}");
	assert_int_equal(k.visible, 1);
	memset(&k, 0, sizeof(k));
	k.kind = RF_PROBE_CONTAINER;
	probe(p, &k, "{\"Id\":\"a1\",\"Config\":{\"Labels\":null},"
	    "\"Labels\":{\"app\":\"web\"}}");
	assert_int_equal(k.visible, 0);

	memset(&k, 0, sizeof(k));
	k.kind = RF_PROBE_EXEC;
	probe(p, &k, "{\"ID\":\"e1\",\"ContainerID\":\"a1b2\",\"Running\":"
	    "false}");
	assert_int_equal(k.visible, 1);
	assert_string_equal(k.next_id, "a1b2");

	memset(&k, 0, sizeof(k));
	k.kind = RF_PROBE_TASK;
	probe(p, &k, "{\"ID\":\"t1\",\"ServiceID\":\"s9\"}");
	assert_string_equal(k.next_id, "s9");

	memset(&k, 0, sizeof(k));
	k.kind = RF_PROBE_SERVICE;
	probe(p, &k, "{\"ID\":\"s1\",\"Spec\":{\"Labels\":{\"app\":\"db\"}}}");
	assert_int_equal(k.visible, 0);

	/* The services' probe fills the set the task list is filtered by. */
	memset(&k, 0, sizeof(k));
	k.kind = RF_PROBE_SERVICES;
	probe(p, &k, services);
	assert_int_equal(k.ids_len, 3);
	assert_string_equal(k.ids, "s1");
	k.kind = RF_TASK_LIST;
	out = rewrite(rf_plan(p, RF_TASK_LIST, 0), &k, tasks, 4096, &w);
	assert_string_equal(out, "[{\"ID\":\"t1\",\"ServiceID\":\"s1\","
	    "\"Spec\":{\"ContainerSpec\":{\"Env\":[\"K=\"]}}}]");
	free(out);
	rf_keeper_free(&k);
	rf_policy_unref(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_of),
		cmocka_unit_test(test_object_of),
		cmocka_unit_test(test_policy_new),
		cmocka_unit_test(test_policy_bad_labels),
		cmocka_unit_test(test_policy_rule),
		cmocka_unit_test(test_ref_unref),
		cmocka_unit_test(test_keep_events),
		cmocka_unit_test(test_keep_lists),
		cmocka_unit_test(test_keep_probes),
		cmocka_unit_test(test_keep_tasks),
		cmocka_unit_test(test_probe_path),
		cmocka_unit_test(test_hidden_message),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_jrw_container_list),
		cmocka_unit_test(test_jrw_inspect_and_rule),
		cmocka_unit_test(test_jrw_events),
		cmocka_unit_test(test_jrw_probes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
