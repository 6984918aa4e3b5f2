/*
 * test_judge.c - the decision function: every verdict, the message format,
 * the label, the canonical head, audit mode and the reject statuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "http_req.h"
#include "judge.h"
#include "profile.h"
#include "rule.h"

static struct cfg_listener pol;
static struct judge_result res;
static char head[REQ_MAX_HEAD + 3 * REQ_MAX_TARGET];
static char raw[REQ_MAX_HEAD * 2];
static struct req_head h;

/* A listener "test" with a user deny rule (with reason) in front of the
 * traefik profile. */
static int
pol_setup(void **state)
{
	struct rule r;
	const char *why;

	(void)state;
	memset(&pol, 0, sizeof(pol));
	snprintf(pol.name, sizeof(pol.name), "test");
	snprintf(pol.rules.name, sizeof(pol.rules.name), "traefik");
	if (rule_parse_line("deny GET /containers/{id}/logs reason \"no logs\"",
	    &r, &why) != 0 || rule_set_add(&pol.rules, &r, "--deny") != 0 ||
	    profile_load(profile_find("traefik"), &pol.rules) != 0)
		return -1;
	return 0;
}

static int
pol_teardown(void **state)
{
	(void)state;
	rule_set_free(&pol.rules);
	return 0;
}

/* Parse text (a whole head) into h and judge it. */
static enum judge_verdict
judge_text(const char *text)
{
	struct req_error err;
	size_t	len = strlen(text);

	assert_true(len < sizeof(raw));
	memcpy(raw, text, len);
	if (req_parse(raw, len, &h, &err) != (int)len)
		fail_msg("head does not parse: %s", text);
	return judge_request(&pol, &h, head, sizeof(head), &res);
}

static void
test_allow(void **state)
{
	(void)state;
	pol.mode = CFG_ENFORCE;
	assert_int_equal(judge_text("GET /v1.41/containers/json?all=1 "
	    "HTTP/1.1\r\nHost: docker\r\nUser-Agent: t\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(res.status, 0);
	assert_string_equal(res.message, "");
	assert_non_null(res.rule);
	assert_string_equal(res.label,
	    "profile traefik #3: GET /containers/json query size=false");
	assert_string_equal(res.target.path, "/containers/json");
	assert_string_equal(res.target.version, "1.41");
	assert_int_equal(res.hijack, 0);
	head[res.head_len] = '\0';
	assert_string_equal(head, "GET /v1.41/containers/json?all=1 HTTP/1.1"
	    "\r\nHost: docker\r\nUser-Agent: t\r\n\r\n");
	assert_string_equal(judge_verdict_name(res.verdict), "allow");
}

/* The target is forwarded in its canonical form, never as sent. */
static void
test_allow_canonical_head(void **state)
{
	(void)state;
	pol.mode = CFG_ENFORCE;
	assert_int_equal(judge_text("GET /v1.41/%63ontainers/json HTTP/1.1\r\n"
	    "Host: docker\r\nConnection: keep-alive\r\n\r\n"), JUDGE_ALLOW);
	head[res.head_len] = '\0';
	assert_string_equal(head, "GET /v1.41/containers/json HTTP/1.1\r\n"
	    "Host: docker\r\n\r\n");
}

static void
test_deny_default(void **state)
{
	(void)state;
	pol.mode = CFG_ENFORCE;
	assert_int_equal(judge_text("POST /v1.41/containers/create HTTP/1.1\r\n"
	    "Host: d\r\nContent-Length: 2\r\n\r\n"), JUDGE_DENY);
	assert_int_equal(res.status, 403);
	assert_null(res.rule);
	assert_string_equal(res.label, "default deny");
	assert_string_equal(res.message, "sockward: POST /containers/create "
	    "is not allowed (policy traefik)");
	assert_int_equal(res.head_len, 0);
	assert_string_equal(judge_verdict_name(res.verdict), "deny");
}

/* A default deny explains the constraint an allow rule wanted. */
static void
test_deny_near_miss(void **state)
{
	(void)state;
	pol.mode = CFG_ENFORCE;
	assert_int_equal(judge_text("GET /containers/json?size=1 HTTP/1.1\r\n"
	    "Host: d\r\n\r\n"), JUDGE_DENY);
	assert_string_equal(res.label, "default deny");
	assert_string_equal(res.message, "sockward: GET /containers/json is "
	    "not allowed (policy traefik): allowed only with query size=false");
}

static void
test_deny_rule_reason(void **state)
{
	(void)state;
	pol.mode = CFG_ENFORCE;
	assert_int_equal(judge_text("GET /containers/abc/logs HTTP/1.1\r\n"
	    "Host: d\r\n\r\n"), JUDGE_DENY);
	assert_non_null(res.rule);
	assert_string_equal(res.label,
	    "--deny #1: deny GET /containers/{id}/logs reason \"no logs\"");
	assert_string_equal(res.message, "sockward: GET /containers/abc/logs "
	    "is not allowed (policy traefik): no logs");
}

/* A long path is cut in the message; the policy and reason still show. */
static void
test_deny_long_path(void **state)
{
	char	 text[6000];
	size_t	 n;

	(void)state;
	pol.mode = CFG_ENFORCE;
	n = (size_t)snprintf(text, sizeof(text), "GET /containers/");
	memset(text + n, 'a', 4000);
	n += 4000;
	snprintf(text + n, sizeof(text) - n, "/logs HTTP/1.1\r\nHost: d\r\n\r\n");
	assert_int_equal(judge_text(text), JUDGE_DENY);
	assert_non_null(strstr(res.message, "aaa... is not allowed "
	    "(policy traefik): no logs"));
	assert_true(strlen(res.message) < 400);
}

static void
test_audit_would_deny(void **state)
{
	long	n;

	(void)state;
	pol.mode = CFG_AUDIT;
	assert_int_equal(judge_text("POST /containers/create HTTP/1.1\r\n"
	    "Host: d\r\nContent-Length: 2\r\n\r\n"), JUDGE_WOULD_DENY);
	assert_int_equal(res.status, 0);
	assert_string_equal(res.label, "default deny");
	assert_true(res.head_len > 0);
	/* A create body is judged: read whole first, framed after. */
	assert_true(res.body_collect);
	head[res.head_len] = '\0';
	assert_string_equal(head, "POST /containers/create HTTP/1.1\r\n"
	    "Host: d\r\n\r\n");
	assert_int_equal(judge_body(&pol, "{}", 2, &res), JUDGE_WOULD_DENY);
	n = judge_frame_length(head, res.head_len, sizeof(head), 2);
	assert_true(n > 0);
	head[n] = '\0';
	assert_string_equal(head, "POST /containers/create HTTP/1.1\r\n"
	    "Host: d\r\nContent-Length: 2\r\n\r\n");
	assert_string_equal(judge_verdict_name(res.verdict), "would_deny");
	pol.mode = CFG_ENFORCE;
}

static void
test_reject_target(void **state)
{
	(void)state;
	pol.mode = CFG_ENFORCE;
	assert_int_equal(judge_text("GET /containers%2Fjson HTTP/1.1\r\n"
	    "Host: d\r\n\r\n"), JUDGE_REJECT);
	assert_int_equal(res.status, 400);
	assert_string_equal(res.message,
	    "sockward: bad request target: encoded slash in path");
	assert_int_equal(res.head_len, 0);
	/* In audit mode too: a malformed target is never forwarded. */
	pol.mode = CFG_AUDIT;
	assert_int_equal(judge_text("GET /a/../info HTTP/1.1\r\nHost: d\r\n\r\n"),
	    JUDGE_REJECT);
	pol.mode = CFG_ENFORCE;
}

static void
test_reject_form_body(void **state)
{
	(void)state;
	pol.mode = CFG_AUDIT;
	assert_int_equal(judge_text("POST /containers/x/start HTTP/1.1\r\n"
	    "Host: d\r\nContent-Type: Application/X-WWW-Form-Urlencoded; "
	    "charset=utf-8\r\nContent-Length: 3\r\n\r\n"), JUDGE_REJECT);
	assert_int_equal(res.status, 415);
	pol.mode = CFG_ENFORCE;
}

/* 63 fields and no Host (HTTP/1.0): the added Host would make a head
 * sockward's own parser refuses, so it is not forwarded. */
static void
test_reject_head_past_limits(void **state)
{
	char	 text[8000];
	size_t	 n, i;

	(void)state;
	pol.mode = CFG_ENFORCE;
	n = (size_t)snprintf(text, sizeof(text), "GET /_ping HTTP/1.0\r\n");
	for (i = 0; i < REQ_MAX_HEADERS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "X-F%zu: v\r\n", i);
	snprintf(text + n, sizeof(text) - n, "\r\n");
	assert_int_equal(judge_text(text), JUDGE_REJECT);
	assert_int_equal(res.status, 431);
}

static void
test_hijack_attribute(void **state)
{
	struct rule r;
	const char *why;

	(void)state;
	pol.mode = CFG_ENFORCE;
	assert_int_equal(rule_parse_line("allow POST /containers/{id}/attach",
	    &r, &why), 0);
	assert_int_equal(rule_set_add(&pol.rules, &r, "--allow"), 0);
	assert_int_equal(judge_text("POST /containers/x/attach?stream=1 "
	    "HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
	    "\r\n"), JUDGE_ALLOW);
	assert_int_equal(res.hijack, 1);
	head[res.head_len] = '\0';
	assert_non_null(strstr(head, "Upgrade: tcp\r\n"));
	/* Not a hijacking endpoint: the Upgrade header is not forwarded. */
	assert_int_equal(judge_text("GET /_ping HTTP/1.1\r\nHost: d\r\n"
	    "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(res.hijack, 0);
	head[res.head_len] = '\0';
	assert_null(strstr(head, "Upgrade"));
}

/* Bodies against what the route's handler reads (engine_api.h). */
static void
test_body_kinds(void **state)
{
	struct rule r;
	const char *why;
	static const char *const allows[] = {
		"allow POST /containers/{id}/start",
		"allow POST /containers/create",
		"allow POST /build",
	};
	size_t	 i;

	(void)state;
	pol.mode = CFG_ENFORCE;
	for (i = 0; i < sizeof(allows) / sizeof(allows[0]); i++) {
		assert_int_equal(rule_parse_line(allows[i], &r, &why), 0);
		assert_int_equal(rule_set_add(&pol.rules, &r, "--allow"), 0);
	}
	/* The Docker CLI's bodiless POST: text/plain, Content-Length 0. */
	assert_int_equal(judge_text("POST /containers/x/start HTTP/1.1\r\n"
	    "Host: d\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n"
	    "\r\n"), JUDGE_ALLOW);
	/* start reads no body: "{}" as JSON (Portainer) or untyped passes,
	 * a tar or binary body does not. */
	assert_int_equal(judge_text("POST /containers/x/start HTTP/1.1\r\n"
	    "Host: d\r\nContent-Type: application/json\r\n"
	    "Content-Length: 2\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(judge_text("POST /containers/x/start HTTP/1.1\r\n"
	    "Host: d\r\nContent-Length: 4\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(judge_text("POST /containers/x/start HTTP/1.1\r\n"
	    "Host: d\r\nContent-Type: application/x-tar\r\n"
	    "Content-Length: 2\r\n\r\n"), JUDGE_REJECT);
	assert_int_equal(res.status, 415);
	assert_string_equal(res.message, "sockward: POST "
	    "/containers/{name:.*}/start reads no request body (a body may "
	    "only be untyped, JSON or text/plain)");
	assert_int_equal(judge_text("GET /containers/json HTTP/1.1\r\n"
	    "Host: d\r\nContent-Type: application/octet-stream\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"), JUDGE_REJECT);
	assert_int_equal(res.status, 415);
	/* JSON routes: no Content-Type or application/json, as dockerd. */
	assert_int_equal(judge_text("POST /containers/create HTTP/1.1\r\n"
	    "Host: d\r\nContent-Length: 2\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(judge_text("POST /containers/create HTTP/1.1\r\n"
	    "Host: d\r\nContent-Type:  Application/JSON ; charset=utf-8\r\n"
	    "Content-Length: 2\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(judge_text("POST /containers/create HTTP/1.1\r\n"
	    "Host: d\r\nContent-Type: text/plain\r\n"
	    "Content-Length: 2\r\n\r\n"), JUDGE_REJECT);
	assert_int_equal(res.status, 415);
	assert_non_null(strstr(res.message, "takes a JSON request body"));
	assert_int_equal(judge_text("POST /containers/create HTTP/1.1\r\n"
	    "Host: d\r\nContent-Type: application/jsonx\r\n"
	    "Content-Length: 2\r\n\r\n"), JUDGE_REJECT);
	/* tar: whatever the client calls it (docker-py: application/tar). */
	assert_int_equal(judge_text("POST /build HTTP/1.1\r\nHost: d\r\n"
	    "Content-Type: application/tar\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n"), JUDGE_ALLOW);
	/* No route: dockerd answers 404 whatever the body. */
	assert_int_equal(judge_text("POST /nowhere HTTP/1.1\r\nHost: d\r\n"
	    "Content-Length: 2\r\n\r\n"), JUDGE_DENY);
}

/* Podman's libpod bodies: refused while a body policy is on, with a
 * message saying why; forwarded unjudged once the policy is off. */
static void
test_body_libpod(void **state)
{
	struct rule r;
	const char *why;
	static const char *const req = "POST /v4.3.1/libpod/containers/create "
	    "HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
	    "Content-Length: 2\r\n\r\n";

	(void)state;
	pol.mode = CFG_ENFORCE;
	assert_int_equal(rule_parse_line("allow POST /libpod/containers/create",
	    &r, &why), 0);
	assert_int_equal(rule_set_add(&pol.rules, &r, "--allow"), 0);
	pol.nbody = 1;
	body_policy_init(&pol.body[0], "no-host-escape");
	assert_int_equal(judge_text(req), JUDGE_DENY);
	assert_int_equal(res.status, 403);
	assert_int_equal(res.why, JUDGE_WHY_BODY_ROUTE);
	assert_non_null(strstr(res.message, "POST /libpod/containers/create"));
	assert_non_null(strstr(res.message, "the body policy cannot judge "
	    "libpod request bodies"));
	assert_int_equal(res.body_kind, BODY_K_LIBPOD);
	pol.mode = CFG_AUDIT;
	assert_int_equal(judge_text(req), JUDGE_WOULD_DENY);
	pol.mode = CFG_ENFORCE;
	/* A hijacked stream is no document: exec start is not refused. */
	assert_int_equal(rule_parse_line("allow POST /libpod/exec/{id}/start",
	    &r, &why), 0);
	assert_int_equal(rule_set_add(&pol.rules, &r, "--allow"), 0);
	assert_int_equal(judge_text("POST /v4.3.1/libpod/exec/abc/start "
	    "HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
	    "Content-Length: 2\r\n\r\n"), JUDGE_ALLOW);
	assert_true(res.hijack);
	body_policy_init_off(&pol.body[0]);
	assert_int_equal(judge_text(req), JUDGE_ALLOW);
	assert_null(res.body);
	assert_int_equal(res.body_collect, 0);
	memset(&pol.body[0], 0, sizeof(pol.body[0]));
	pol.nbody = 0;
}

/* What decided, for the metrics: the first reason, never the request's
 * words. */
static void
test_why(void **state)
{
	struct rule r;
	const char *why;
	static const char priv[] = "{\"HostConfig\":{\"Privileged\":true}}";

	(void)state;
	pol.mode = CFG_ENFORCE;
	assert_int_equal(judge_text("GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n"),
	    JUDGE_ALLOW);
	assert_int_equal(res.why, JUDGE_WHY_NONE);
	assert_int_equal(judge_text("GET /containers/x/logs HTTP/1.1\r\n"
	    "Host: d\r\n\r\n"), JUDGE_DENY);
	assert_int_equal(res.why, JUDGE_WHY_RULE);
	assert_int_equal(judge_text("GET /secrets HTTP/1.1\r\nHost: d\r\n\r\n"),
	    JUDGE_DENY);
	assert_int_equal(res.why, JUDGE_WHY_DEFAULT);
	assert_int_equal(judge_text("GET /a/../b HTTP/1.1\r\nHost: d\r\n\r\n"),
	    JUDGE_REJECT);
	assert_int_equal(res.why, JUDGE_WHY_NONE);
	/* Bodies (test_body_kinds allowed create and build). */
	assert_int_equal(judge_text("POST /containers/create HTTP/1.1\r\n"
	    "Host: d\r\nContent-Length: 35\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(judge_body(&pol, priv, strlen(priv), &res),
	    JUDGE_DENY);
	assert_int_equal(res.why, JUDGE_WHY_BODY_FIELD);
	assert_string_equal(res.body_field, "HostConfig.Privileged");
	assert_int_equal(judge_text("POST /containers/create HTTP/1.1\r\n"
	    "Host: d\r\nContent-Length: 1\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(judge_body(&pol, "{", 1, &res), JUDGE_REJECT);
	assert_int_equal(res.why, JUDGE_WHY_BODY_INVALID);
	assert_int_equal(rule_parse_line("allow POST /swarm/**", &r, &why), 0);
	assert_int_equal(rule_set_add(&pol.rules, &r, "--allow"), 0);
	assert_int_equal(judge_text("POST /swarm/init HTTP/1.1\r\nHost: d\r\n"
	    "Content-Length: 2\r\n\r\n"), JUDGE_DENY);
	assert_int_equal(res.why, JUDGE_WHY_BODY_ROUTE);
	/* Audit mode: the default deny came first and stays the reason;
	 * a malformed body is a reject all the same. */
	pol.mode = CFG_AUDIT;
	assert_int_equal(judge_text("POST /volumes/create HTTP/1.1\r\n"
	    "Host: d\r\nContent-Length: 35\r\n\r\n"), JUDGE_WOULD_DENY);
	assert_int_equal(res.why, JUDGE_WHY_DEFAULT);
	assert_int_equal(judge_body(&pol, "{\"Driver\":\"x\"}", 14, &res),
	    JUDGE_WOULD_DENY);
	assert_int_equal(res.why, JUDGE_WHY_DEFAULT);
	assert_string_equal(res.body_field, "Driver");
	assert_int_equal(judge_text("POST /volumes/create HTTP/1.1\r\n"
	    "Host: d\r\nContent-Length: 1\r\n\r\n"), JUDGE_WOULD_DENY);
	assert_int_equal(judge_body(&pol, "[", 1, &res), JUDGE_REJECT);
	assert_int_equal(res.why, JUDGE_WHY_BODY_INVALID);
	pol.mode = CFG_ENFORCE;
}

static void
test_status_reasons(void **state)
{
	(void)state;
	assert_string_equal(judge_status_reason(403), "Forbidden");
	assert_string_equal(judge_status_reason(431),
	    "Request Header Fields Too Large");
	assert_string_equal(judge_verdict_name(JUDGE_REJECT), "reject");
}

/* ---- issue 13: what judge_request says about the response ---- */

static struct cfg_listener vis;

/* A listener of plain rules (auto redaction: on) with visible labels
 * labels[0..n); the first rule has a redact clause of its own. */
static void
vis_build(const char *const *labels, size_t n)
{
	static const char *const lines[] = {
		"allow GET /containers/{name}/json require size=1 redact "
		    "Config.Labels",
		"allow GET /containers/{name}/json",
		"allow POST /containers/{name}/start",
		"allow POST /exec/{id}/start",
		"allow GET /tasks",
		"allow GET /tasks/{id}",
		"allow GET /services/{id}",
		"allow GET /containers/json",
		"allow GET /images/json",
		"allow GET /**",
	};
	struct rule r;
	const char *why;
	char	 err[200];
	size_t	 i;

	rf_policy_unref(vis.rf);
	rule_set_free(&vis.rules);
	cfg_listener_defaults(&vis);
	snprintf(vis.name, sizeof(vis.name), "vis");
	snprintf(vis.rules.name, sizeof(vis.rules.name), "vis");
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (rule_parse_line(lines[i], &r, &why) != 0 ||
		    rule_set_add(&vis.rules, &r, "--allow") != 0)
			fail_msg("%s: %s", lines[i], why);
	for (i = 0; i < n; i++)
		snprintf(vis.visible[i], sizeof(vis.visible[i]), "%s",
		    labels[i]);
	vis.nvisible = n;
	if (cfg_listener_filters(&vis, err, sizeof(err)) != 0)
		fail_msg("cfg_listener_filters: %s", err);
}

static int
vis_teardown(void **state)
{
	(void)state;
	rf_policy_unref(vis.rf);
	rule_set_free(&vis.rules);
	memset(&vis, 0, sizeof(vis));
	return 0;
}

/* Judge text (a whole head) under l. */
static enum judge_verdict
judge_under(const struct cfg_listener *l, const char *text)
{
	struct req_error err;
	size_t	len = strlen(text);

	assert_true(len < sizeof(raw));
	memcpy(raw, text, len);
	if (req_parse(raw, len, &h, &err) != (int)len)
		fail_msg("head does not parse: %s", text);
	return judge_request(l, &h, head, sizeof(head), &res);
}

/* The probed name: target.path[probe_off .. + probe_len). */
static void
assert_probe(enum rf_kind probe, enum rf_object obj, const char *name)
{
	assert_int_equal(res.probe, probe);
	assert_int_equal(res.probe_obj, obj);
	assert_int_equal(res.probe_len, strlen(name));
	assert_true(res.probe_off + res.probe_len <= strlen(res.target.path));
	assert_memory_equal(res.target.path + res.probe_off, name,
	    strlen(name));
}

/* With visible labels, a route naming a container outside its path
 * (commit's query, a network connect body) is refused: no probe reaches
 * it.  Without labels the same rule allows it. */
static void
test_hiding_names_elsewhere(void **state)
{
	static const char *const lab[] = { "app=web" };
	static const char *const reqs[] = {
		"POST /commit?container=db HTTP/1.1\r\nHost: d\r\n\r\n",
		"POST /networks/n/connect HTTP/1.1\r\nHost: d\r\n\r\n",
		"POST /v1.41/networks/n/disconnect HTTP/1.1\r\nHost: d\r\n\r\n",
	};
	struct rule r;
	const char *why;
	size_t	 i;

	(void)state;
	for (i = 0; i < 3; i++) {
		vis_build(NULL, 0);
		assert_int_equal(rule_parse_line("allow POST /**", &r, &why), 0);
		assert_int_equal(rule_set_add(&vis.rules, &r, "--allow"), 0);
		assert_int_equal(judge_under(&vis, reqs[i]), JUDGE_ALLOW);
		vis_build(lab, 1);
		assert_int_equal(rule_parse_line("allow POST /**", &r, &why), 0);
		assert_int_equal(rule_set_add(&vis.rules, &r, "--allow"), 0);
		assert_int_equal(judge_under(&vis, reqs[i]), JUDGE_DENY);
		assert_int_equal(res.status, 403);
		assert_non_null(strstr(res.message, "names a container outside "
		    "its path"));
		assert_non_null(strstr(res.label, "; visible labels"));
		assert_int_equal(res.why, JUDGE_WHY_VISIBLE);
		vis.mode = CFG_AUDIT;
		assert_int_equal(judge_under(&vis, reqs[i]), JUDGE_WOULD_DENY);
		assert_int_equal(res.status, 0);
		assert_int_equal(res.why, JUDGE_WHY_VISIBLE);
	}
}

/* With visible labels every libpod route is refused: its objects'
 * labels are where the filter does not read them. */
static void
test_hiding_libpod(void **state)
{
	static const char *const lab[] = { "app=web" };
	struct rule r;
	const char *why;

	(void)state;
	vis_build(NULL, 0);
	assert_int_equal(rule_parse_line("allow GET /libpod/**", &r, &why), 0);
	assert_int_equal(rule_set_add(&vis.rules, &r, "--allow"), 0);
	assert_int_equal(judge_under(&vis, "GET /v4.3.1/libpod/containers/json "
	    "HTTP/1.1\r\nHost: d\r\n\r\n"), JUDGE_ALLOW);
	/* and the catch-all of vis_build never reached it by itself */
	vis_build(NULL, 0);
	assert_int_equal(judge_under(&vis, "GET /v4.3.1/libpod/containers/json "
	    "HTTP/1.1\r\nHost: d\r\n\r\n"), JUDGE_DENY);
	vis_build(lab, 1);
	assert_int_equal(rule_parse_line("allow GET /libpod/**", &r, &why), 0);
	assert_int_equal(rule_set_add(&vis.rules, &r, "--allow"), 0);
	assert_int_equal(judge_under(&vis, "GET /v4.3.1/libpod/containers/json "
	    "HTTP/1.1\r\nHost: d\r\n\r\n"), JUDGE_DENY);
	assert_int_equal(res.status, 403);
	assert_int_equal(res.why, JUDGE_WHY_VISIBLE);
	assert_non_null(strstr(res.message, "libpod API"));
	assert_non_null(strstr(res.label, "; visible labels: libpod API"));
	vis.mode = CFG_AUDIT;
	assert_int_equal(judge_under(&vis, "GET /libpod/_ping HTTP/1.1\r\n"
	    "Host: d\r\n\r\n"), JUDGE_WOULD_DENY);
	assert_int_equal(res.status, 0);
	assert_string_equal(res.message, "");
}

/* libpod inspect answers are redacted like dockerd's. */
static void
test_response_libpod(void **state)
{
	struct rule r;
	const char *why;

	(void)state;
	vis_build(NULL, 0);
	assert_int_equal(rule_parse_line("allow GET /libpod/**", &r, &why), 0);
	assert_int_equal(rule_set_add(&vis.rules, &r, "--allow"), 0);
	assert_int_equal(judge_under(&vis, "GET /v4.3.1/libpod/containers/web/"
	    "json HTTP/1.1\r\nHost: d\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(res.resp_kind, RF_LIBPOD_CONTAINER_INSPECT);
	assert_non_null(res.resp_plan);
	assert_int_equal(judge_under(&vis, "GET /v4.3.1/libpod/pods/p/json "
	    "HTTP/1.1\r\nHost: d\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(res.resp_kind, RF_LIBPOD_POD_INSPECT);
	assert_non_null(res.resp_plan);
	assert_int_equal(judge_under(&vis, "GET /v4.3.1/libpod/secrets/s/json"
	    "?showsecret=true HTTP/1.1\r\nHost: d\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(res.resp_kind, RF_LIBPOD_SECRET_INSPECT);
	assert_non_null(res.resp_plan);
}

static void
test_response_hiding(void **state)
{
	static const char *const labels[] = { "app=web" };

	(void)state;
	vis_build(labels, 1);
	assert_int_equal(vis.rf->redact, 1);

	/* A container named with '/': the whole name is probed. */
	assert_int_equal(judge_under(&vis, "GET /v1.41/containers/web/db/json "
	    "HTTP/1.1\r\nHost: d\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(res.resp_kind, RF_CONTAINER_INSPECT);
	assert_ptr_equal(res.resp_plan, rf_plan(vis.rf, RF_CONTAINER_INSPECT,
	    0));
	assert_non_null(res.resp_plan);
	assert_probe(RF_PROBE_CONTAINER, RF_OBJ_CONTAINER, "web/db");
	assert_int_equal(res.probe_off, 12);

	/* A route with nothing to filter still names its container. */
	assert_int_equal(judge_under(&vis, "POST /containers/abc/start "
	    "HTTP/1.1\r\nHost: d\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(res.resp_kind, RF_NONE);
	assert_null(res.resp_plan);
	assert_probe(RF_PROBE_CONTAINER, RF_OBJ_CONTAINER, "abc");

	assert_int_equal(judge_under(&vis, "POST /v1.41/exec/e1f2/start "
	    "HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
	    "Content-Length: 2\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(res.resp_kind, RF_NONE);
	assert_probe(RF_PROBE_EXEC, RF_OBJ_EXEC, "e1f2");

	assert_int_equal(judge_under(&vis, "GET /tasks/t9 HTTP/1.1\r\n"
	    "Host: d\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(res.resp_kind, RF_TASK_INSPECT);
	assert_probe(RF_PROBE_TASK, RF_OBJ_TASK, "t9");

	assert_int_equal(judge_under(&vis, "GET /services/s7 HTTP/1.1\r\n"
	    "Host: d\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(res.resp_kind, RF_SERVICE_INSPECT);
	assert_probe(RF_PROBE_SERVICE, RF_OBJ_SERVICE, "s7");

	/* The task list is filtered by the visible services' IDs. */
	assert_int_equal(judge_under(&vis, "GET /tasks HTTP/1.1\r\n"
	    "Host: d\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(res.resp_kind, RF_TASK_LIST);
	assert_non_null(res.resp_plan);
	assert_int_equal(res.probe, RF_PROBE_SERVICES);
	assert_int_equal(res.probe_len, 0);

	/* A list: filtered, no probe. */
	assert_int_equal(judge_under(&vis, "GET /containers/json?all=1 "
	    "HTTP/1.1\r\nHost: d\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(res.resp_kind, RF_CONTAINER_LIST);
	assert_ptr_equal(res.resp_plan, rf_plan(vis.rf, RF_CONTAINER_LIST, 0));
	assert_non_null(res.resp_plan);
	assert_int_equal(res.probe, RF_NONE);
	assert_int_equal(res.probe_obj, RF_OBJ_NONE);

	/* Neither filtered nor probed. */
	assert_int_equal(judge_under(&vis, "GET /images/json HTTP/1.1\r\n"
	    "Host: d\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(res.resp_kind, RF_NONE);
	assert_null(res.resp_plan);
	assert_int_equal(res.probe, RF_NONE);

	/* A denied request is not forwarded: nothing about its response. */
	assert_int_equal(judge_under(&vis, "DELETE /containers/abc HTTP/1.1\r\n"
	    "Host: d\r\n\r\n"), JUDGE_DENY);
	assert_int_equal(res.resp_kind, RF_NONE);
	assert_int_equal(res.probe, RF_NONE);
}

static void
test_response_no_labels(void **state)
{
	static const char *const texts[] = {
		"GET /containers/web/db/json HTTP/1.1\r\nHost: d\r\n\r\n",
		"POST /containers/abc/start HTTP/1.1\r\nHost: d\r\n\r\n",
		"GET /tasks HTTP/1.1\r\nHost: d\r\n\r\n",
		"GET /services/s7 HTTP/1.1\r\nHost: d\r\n\r\n",
	};
	size_t	 i;

	(void)state;
	vis_build(NULL, 0);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(judge_under(&vis, texts[i]), JUDGE_ALLOW);
		assert_int_equal(res.probe, RF_NONE);
		assert_int_equal(res.probe_obj, RF_OBJ_NONE);
		assert_int_equal(res.probe_len, 0);
	}
	/* Redaction still applies. */
	assert_int_equal(judge_under(&vis, texts[0]), JUDGE_ALLOW);
	assert_non_null(res.resp_plan);
	assert_int_equal(judge_under(&vis, "GET /containers/json HTTP/1.1\r\n"
	    "Host: d\r\n\r\n"), JUDGE_ALLOW);
	assert_ptr_equal(res.resp_plan, rf_plan(vis.rf, RF_CONTAINER_LIST, 0));
	assert_non_null(res.resp_plan);

	/* A listener without a response policy filters nothing. */
	pol.mode = CFG_ENFORCE;
	assert_null(pol.rf);
	assert_int_equal(judge_text("GET /containers/json?size=false "
	    "HTTP/1.1\r\nHost: d\r\n\r\n"), JUDGE_ALLOW);
	assert_int_equal(res.resp_kind, RF_NONE);
	assert_null(res.resp_plan);
}

static void
test_response_rule_plan(void **state)
{
	struct rule *any;
	char	 err[200];
	int	 idx;

	(void)state;
	vis_build(NULL, 0);
	/* The first rule (size=1) has its own plan. */
	assert_int_equal(vis.rules.rules[0].redact_idx, 1);
	assert_int_equal(judge_under(&vis, "GET /containers/abc/json?size=1 "
	    "HTTP/1.1\r\nHost: d\r\n\r\n"), JUDGE_ALLOW);
	assert_ptr_equal(res.rule, &vis.rules.rules[0]);
	assert_ptr_equal(res.resp_plan, rf_plan(vis.rf, RF_CONTAINER_INSPECT,
	    1));
	assert_ptr_not_equal(res.resp_plan, rf_plan(vis.rf,
	    RF_CONTAINER_INSPECT, 0));
	/* The next rule has none: the listener's plan. */
	assert_int_equal(judge_under(&vis, "GET /containers/abc/json "
	    "HTTP/1.1\r\nHost: d\r\n\r\n"), JUDGE_ALLOW);
	assert_ptr_equal(res.rule, &vis.rules.rules[1]);
	assert_ptr_equal(res.resp_plan, rf_plan(vis.rf, RF_CONTAINER_INSPECT,
	    0));

	/* A rule's plan is for its own route's kind only: the catch-all
	 * rule given a volume list plan keeps the listener's plan for a
	 * container inspect it decides. */
	any = &vis.rules.rules[vis.rules.nrules - 1];
	idx = rf_policy_rule(vis.rf, RF_VOLUME_LIST, "Volumes", err,
	    sizeof(err));
	assert_true(idx > 0);
	any->redact_idx = idx;
	vis.rules.rules[0].methods = 0;	/* out of the way */
	vis.rules.rules[1].methods = 0;
	assert_int_equal(judge_under(&vis, "GET /containers/abc/json "
	    "HTTP/1.1\r\nHost: d\r\n\r\n"), JUDGE_ALLOW);
	assert_ptr_equal(res.rule, any);
	assert_int_equal(res.resp_kind, RF_CONTAINER_INSPECT);
	assert_ptr_equal(res.resp_plan, rf_plan(vis.rf, RF_CONTAINER_INSPECT,
	    0));
	assert_int_equal(judge_under(&vis, "GET /volumes HTTP/1.1\r\n"
	    "Host: d\r\n\r\n"), JUDGE_ALLOW);
	assert_ptr_equal(res.rule, any);
	assert_int_equal(res.resp_kind, RF_VOLUME_LIST);
	assert_ptr_equal(res.resp_plan, rf_plan(vis.rf, RF_VOLUME_LIST, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allow),
		cmocka_unit_test(test_allow_canonical_head),
		cmocka_unit_test(test_deny_default),
		cmocka_unit_test(test_deny_rule_reason),
		cmocka_unit_test(test_deny_near_miss),
		cmocka_unit_test(test_deny_long_path),
		cmocka_unit_test(test_audit_would_deny),
		cmocka_unit_test(test_reject_target),
		cmocka_unit_test(test_reject_form_body),
		cmocka_unit_test(test_reject_head_past_limits),
		cmocka_unit_test(test_hijack_attribute),
		cmocka_unit_test(test_body_kinds),
		cmocka_unit_test(test_body_libpod),
		cmocka_unit_test(test_why),
		cmocka_unit_test(test_status_reasons),
		cmocka_unit_test_teardown(test_hiding_names_elsewhere,
		    vis_teardown),
		cmocka_unit_test_teardown(test_hiding_libpod, vis_teardown),
		cmocka_unit_test_teardown(test_response_libpod, vis_teardown),
		cmocka_unit_test_teardown(test_response_hiding, vis_teardown),
		cmocka_unit_test_teardown(test_response_no_labels,
		    vis_teardown),
		cmocka_unit_test_teardown(test_response_rule_plan,
		    vis_teardown),
	};

	return cmocka_run_group_tests(tests, pol_setup, pol_teardown);
}
