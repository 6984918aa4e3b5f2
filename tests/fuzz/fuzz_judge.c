/*
 * fuzz_judge.c - the decision function (judge.h).
 *
 * Input: byte 0 picks the policy (a built-in profile, or profiles with a
 * user deny rule in front) and, by its top bit, audit mode; the rest is a
 * raw request head for req_parse.  Heads req_parse refuses are skipped:
 * judging starts from a parsed head.
 *
 * Properties:
 *  - the verdict and the fields agree: forwarded (allow, would_deny) means
 *    status 0, a canonical head, no message; deny means 403, a message
 *    naming the policy and no head; reject means a 4xx sockward answers;
 *    allow means the deciding rule is an allow rule that matches;
 *  - the canonical head is canonical: req_parse reads it back whole, and
 *    judging it again gives the same verdict, rule, hijack flag, canonical
 *    path and byte-identical head (a fixed point);
 *  - judging is deterministic: the same head twice gives the same result;
 *  - the response fields agree (resp_filter.h): the kind is the route's,
 *    the plan is the listener's or the deciding rule's for that kind, a
 *    probe only when the listener hides objects, and the probed name lies
 *    inside the canonical path (probe_off + probe_len <= its length).
 * Every listener gets cfg_listener_filters (redaction auto, so on except
 * under watchtower); two hide objects by visible labels, one has a rule
 * with a redact clause.
 */
#include "fuzz_common.h"

#include "config.h"
#include "http_req.h"
#include "judge.h"
#include "profile.h"
#include "resp_filter.h"
#include "rule.h"

#define FJ_POLICIES 4

static struct cfg_listener fj_pol[FJ_POLICIES];
static int fj_ready;

/* A listener: the user rule line first (NULL: none), then profiles p1
 * and p2, visible label spec vis (NULL: none); its response filter
 * built as the config file's are. */
static void
fj_load(struct cfg_listener *l, const char *first, const char *p1,
    const char *p2, const char *vis)
{
	struct rule r;
	const char *why;
	char	 err[300];

	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "fuzz");
	if (first != NULL) {
		FUZZ_CHECK(rule_parse_line(first, &r, &why) == 0, "%s", why);
		FUZZ_CHECK(rule_set_add(&l->rules, &r, "--allow") == 0, "add");
	}
	FUZZ_CHECK(profile_load(profile_find(p1), &l->rules) == 0, "%s", p1);
	if (p2 != NULL)
		FUZZ_CHECK(profile_load(profile_find(p2), &l->rules) == 0,
		    "%s", p2);
	snprintf(l->rules.name, sizeof(l->rules.name), "%s%s%s", p1,
	    p2 != NULL ? "+" : "", p2 != NULL ? p2 : "");
	l->redact = -1;
	if (vis != NULL) {
		snprintf(l->visible[0], sizeof(l->visible[0]), "%s", vis);
		l->nvisible = 1;
	}
	FUZZ_CHECK(cfg_listener_filters(l, err, sizeof(err)) == 0, "%s", err);
}

static void
fj_setup(void)
{
	fj_load(&fj_pol[0], NULL, "traefik", NULL, "com.example.vis=1");
	fj_load(&fj_pol[1], NULL, "portainer-readonly", NULL, NULL);
	fj_load(&fj_pol[2], "deny POST /containers/{id}/exec reason \"no\"",
	    "watchtower", "readonly", "team");
	fj_load(&fj_pol[3], "allow GET /containers/{name}/json require size=1 "
	    "redact Config.Labels,Mounts", "autoheal", "dozzle", NULL);
	FUZZ_CHECK(fj_pol[0].rf->redact && !fj_pol[2].rf->redact &&
	    fj_pol[3].rules.rules[0].redact_idx == 1, "listener filters");
	fj_ready = 1;
}

/* The response fields of a forwarded request (resp_filter.h). */
static void
fj_response(const struct cfg_listener *pol, const struct judge_result *res)
{
	const struct rule *r = res->rule;
	int	 ridx = 0;

	/* Only a forwarded request's are defined. */
	if (res->verdict != JUDGE_ALLOW && res->verdict != JUDGE_WOULD_DENY)
		return;
	FUZZ_CHECK(res->resp_kind == (res->route != NULL ?
	    rf_kind_of(res->route) : RF_NONE), "response kind %d",
	    res->resp_kind);
	if (r != NULL && r->action == RULE_ALLOW && r->redact_idx > 0 &&
	    rf_kind_of(r->route) == res->resp_kind)
		ridx = r->redact_idx;
	FUZZ_CHECK(res->resp_plan == rf_plan(pol->rf, res->resp_kind, ridx),
	    "response plan");
	if (res->probe == RF_NONE) {
		FUZZ_CHECK(res->probe_len == 0 && res->probe_off == 0,
		    "probe fields without a probe");
		FUZZ_CHECK(!rf_hiding(pol->rf) || res->route == NULL ||
		    rf_object_of(res->route) == RF_OBJ_NONE,
		    "an object's route not probed: %s", res->route->tmpl);
		return;
	}
	FUZZ_CHECK(rf_hiding(pol->rf), "probe without visible labels");
	FUZZ_CHECK(res->probe_off + res->probe_len <=
	    strlen(res->target.path), "probed name outside the path: %zu+%zu "
	    "of '%s'", res->probe_off, res->probe_len, res->target.path);
	if (res->probe == RF_PROBE_SERVICES)
		FUZZ_CHECK(res->resp_kind == RF_TASK_LIST && res->probe_len == 0,
		    "services probe for kind %d", res->resp_kind);
	else
		FUZZ_CHECK(res->probe == rf_probe_kind(res->probe_obj) &&
		    res->probe_obj == rf_object_of(res->route) &&
		    res->probe_len > 0, "probe %d for object %d", res->probe,
		    res->probe_obj);
}

static void
fj_consistent(const struct cfg_listener *pol, const struct req_head *h,
    const struct judge_result *res)
{
	switch (res->verdict) {
	case JUDGE_ALLOW:
		FUZZ_CHECK(res->rule != NULL && res->rule->action == RULE_ALLOW,
		    "allow without an allow rule: %s", res->label);
		FUZZ_CHECK(rule_matches(res->rule, h->method, res->target.path,
		    res->target.query, res->target.query_len),
		    "deciding rule does not match");
		/* FALLTHROUGH */
	case JUDGE_WOULD_DENY:
		FUZZ_CHECK(res->status == 0 && res->head_len > 0 &&
		    res->message[0] == '\0', "forwarded fields");
		FUZZ_CHECK(res->verdict == JUDGE_ALLOW ||
		    pol->mode == CFG_AUDIT, "would_deny in enforce mode");
		break;
	case JUDGE_DENY:
		FUZZ_CHECK(res->status == 403 && res->head_len == 0 &&
		    strstr(res->message, "is not allowed (policy ") != NULL,
		    "deny fields: %d %s", res->status, res->message);
		FUZZ_CHECK(pol->mode == CFG_ENFORCE, "deny in audit mode");
		/* An allow rule's request is denied only by its body
		 * policy, and the label says so. */
		FUZZ_CHECK(res->rule == NULL || res->rule->action == RULE_DENY ||
		    strstr(res->label, "; body ") != NULL,
		    "deny decided by an allow rule");
		break;
	case JUDGE_REJECT:
		FUZZ_CHECK((res->status == 400 || res->status == 414 ||
		    res->status == 415 || res->status == 431) &&
		    res->head_len == 0 &&
		    strncmp(res->message, "sockward: ", 10) == 0,
		    "reject fields: %d", res->status);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char head1[REQ_MAX_HEAD + 3 * REQ_MAX_TARGET];
	static char head2[sizeof(head1)];
	static struct judge_result r1, r2, r3;
	struct cfg_listener *pol;
	struct req_head h, h2;
	struct req_error err;
	char	*buf;
	int	 n;

	if (!fj_ready)
		fj_setup();
	if (size < 1)
		return 0;
	pol = &fj_pol[(data[0] & 0x7f) % FJ_POLICIES];
	pol->mode = data[0] & 0x80 ? CFG_AUDIT : CFG_ENFORCE;
	buf = fuzz_dup(data + 1, size - 1, 0);
	n = req_parse(buf, size - 1, &h, &err);
	if (n <= 0) {
		free(buf);
		return 0;
	}
	judge_request(pol, &h, head1, sizeof(head1), &r1);
	fj_consistent(pol, &h, &r1);
	fj_response(pol, &r1);
	judge_request(pol, &h, head2, sizeof(head2), &r3);
	FUZZ_CHECK(r3.verdict == r1.verdict && r3.rule == r1.rule &&
	    r3.status == r1.status && r3.head_len == r1.head_len &&
	    memcmp(head1, head2, r1.head_len) == 0, "not deterministic");
	FUZZ_CHECK(r3.resp_kind == r1.resp_kind &&
	    r3.resp_plan == r1.resp_plan && r3.probe == r1.probe &&
	    r3.probe_off == r1.probe_off && r3.probe_len == r1.probe_len,
	    "response fields not deterministic");
	if (r1.head_len > 0) {
		n = req_parse(head1, r1.head_len, &h2, &err);
		FUZZ_CHECK(n > 0 && (size_t)n == r1.head_len,
		    "canonical head does not parse back: %d %s", n,
		    n == REQ_ERROR ? err.reason : "");
		judge_request(pol, &h2, head2, sizeof(head2), &r2);
		FUZZ_CHECK(r2.verdict == r1.verdict, "verdict %d then %d",
		    r1.verdict, r2.verdict);
		FUZZ_CHECK(r2.rule == r1.rule && r2.hijack == r1.hijack,
		    "rule or hijack changed");
		/* The probed name is the same in the canonical path. */
		FUZZ_CHECK(r2.resp_kind == r1.resp_kind &&
		    r2.resp_plan == r1.resp_plan && r2.probe == r1.probe &&
		    r2.probe_len == r1.probe_len &&
		    memcmp(r2.target.path + r2.probe_off,
		    r1.target.path + r1.probe_off, r1.probe_len) == 0,
		    "response fields changed");
		FUZZ_CHECK(strcmp(r2.target.path, r1.target.path) == 0,
		    "canonical path changed");
		FUZZ_CHECK(r2.head_len == r1.head_len &&
		    memcmp(head1, head2, r1.head_len) == 0,
		    "canonical head is not a fixed point");
	}
	free(buf);
	return 0;
}
