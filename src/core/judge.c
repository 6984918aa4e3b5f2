/*
 * judge.c - the one place a request is decided (judge.h).
 *
 * The allowed path is the hot path of the proxy: no printf there, the
 * label is assembled by hand; messages are formatted only for answers
 * sockward writes itself.
 */
#include <stdio.h>
#include <string.h>

#include "judge.h"

/* Bytes of the path a 403 message shows. */
#define JUDGE_MSG_PATH	256

/* Append the string src to dst (n bytes used of cap), cut to fit;
 * returns the new length. */
static size_t
judge_append(char *dst, size_t cap, size_t n, const char *src)
{
	size_t	k = strlen(src);

	if (k >= cap - n)
		k = cap - n - 1;
	memcpy(dst + n, src, k);
	dst[n + k] = '\0';
	return n + k;
}

/* res->label = "ORIGIN #INDEX: [deny ]TEXT". */
static void
judge_label_rule(struct judge_result *res, const struct rule *r)
{
	char	 num[16];
	size_t	 i = sizeof(num), n;
	unsigned v = r->index < 0 ? 0 : (unsigned)r->index;

	num[--i] = '\0';
	do {
		num[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	n = judge_append(res->label, sizeof(res->label), 0, r->origin);
	n = judge_append(res->label, sizeof(res->label), n, " #");
	n = judge_append(res->label, sizeof(res->label), n, num + i);
	n = judge_append(res->label, sizeof(res->label), n, ": ");
	if (r->action == RULE_DENY)
		n = judge_append(res->label, sizeof(res->label), n, "deny ");
	(void)judge_append(res->label, sizeof(res->label), n, r->text);
}

static enum judge_verdict
judge_reject(struct judge_result *res, int status, const char *what,
    const char *why)
{
	res->verdict = JUDGE_REJECT;
	res->status = status;
	res->why = JUDGE_WHY_NONE;	/* the status says */
	res->head_len = 0;
	snprintf(res->message, sizeof(res->message), "sockward: %s%s", what,
	    why);
	return JUDGE_REJECT;
}

/* In audit mode a request may be refused twice: the first reason is the
 * one counted. */
static void
judge_why_first(struct judge_result *res, enum judge_why w)
{
	if (res->why == JUDGE_WHY_NONE)
		res->why = w;
}

/* Does s[0..n) contain the lower-case ASCII word w, in any case? */
static int
judge_has_word(const char *s, size_t n, const char *w)
{
	size_t	 wl = strlen(w), i;

	for (i = 0; i + wl <= n; i++)
		if (lex_token_eq(s + i, wl, w))
			return 1;
	return 0;
}

/*
 * Go's request form parsing, which dockerd's handlers reach through
 * r.FormValue and httputils.ParseForm, reads form values from a body as
 * well as from the query: an application/x-www-form-urlencoded body of a
 * POST, PUT or PATCH, and a multipart/form-data body of any method when a
 * handler asks for a value before parsing the form itself (container
 * inspect's "size" does).  Such values could override a query the policy
 * judged, and no Docker client sends such a body, so any Content-Type
 * naming either is refused.  Go takes the media type before ';', trimmed
 * of (Unicode) space and lower-cased; a substring test covers every way
 * of writing those two types, at the price of refusing odd types that
 * merely contain the words.
 */
static int
judge_form_body(const struct req_head *h)
{
	size_t	 i;

	for (i = 0; i < h->nhdrs; i++)
		if (req_token_eq(h->hdrs[i].name, h->hdrs[i].name_len,
		    "content-type") && (judge_has_word(h->hdrs[i].value,
		    h->hdrs[i].value_len, "x-www-form-urlencoded") ||
		    judge_has_word(h->hdrs[i].value, h->hdrs[i].value_len,
		    "multipart/")))
			return 1;
	return 0;
}

/* The first Content-Type field of h (Go's Header.Get), or NULL. */
static const struct req_hdr *
judge_content_type(const struct req_head *h)
{
	size_t	 i;

	for (i = 0; i < h->nhdrs; i++)
		if (req_token_eq(h->hdrs[i].name, h->hdrs[i].name_len,
		    "content-type"))
			return &h->hdrs[i];
	return NULL;
}

/* Is the media type of ct (before ';', blanks trimmed, any case) type? */
static int
judge_media_type_is(const struct req_hdr *ct, const char *type)
{
	const char *v = ct->value, *end = ct->value + ct->value_len, *semi;

	if ((semi = memchr(v, ';', ct->value_len)) != NULL)
		end = semi;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return (size_t)(end - v) == strlen(type) &&
	    lex_token_eq(v, (size_t)(end - v), type);
}

/*
 * The request body's Content-Type against what the route's handler reads
 * (engine_api.h), an allowlist per body kind:
 *   JSON  no Content-Type or application/json, as dockerd's CheckForJSON
 *         requires: what sockward reads as JSON is what dockerd decodes;
 *   none  no Content-Type, application/json or text/plain: dockerd reads
 *         nothing, but clients send "{}" or "null" on bodiless POSTs
 *         (dockerd's container start tolerates up to 7 bytes for that),
 *         and the Docker CLI labels an empty body text/plain;
 *   tar, raw  any type (form types were refused before).
 * An empty body (Content-Length: 0) is always fine.  Returns NULL, or why
 * the body is refused.
 */
static const char *
judge_body_kind(const struct req_head *h, const struct engine_api_route *rt)
{
	const struct req_hdr *ct;

	if (rt == NULL || h->body == REQ_BODY_NONE ||
	    (h->body == REQ_BODY_LENGTH && h->content_length == 0))
		return NULL;
	switch (rt->body) {
	case ENGINE_API_BODY_NONE:
		ct = judge_content_type(h);
		if (ct != NULL && !judge_media_type_is(ct, "application/json") &&
		    !judge_media_type_is(ct, "text/plain"))
			return " reads no request body (a body may only be "
			    "untyped, JSON or text/plain)";
		return NULL;
	case ENGINE_API_BODY_JSON:
		ct = judge_content_type(h);
		if (ct != NULL && !judge_media_type_is(ct, "application/json"))
			return " takes a JSON request body (Content-Type: "
			    "application/json)";
		return NULL;
	case ENGINE_API_BODY_TAR:
	case ENGINE_API_BODY_ANY:
		return NULL;
	}
	return NULL;
}

/*
 * The first allow rule of pol whose method and path match but whose query
 * constraints do not, or NULL: a default deny is then explained by the
 * constraint the client missed ("size=1" against "query size=false").
 */
static const struct rule *
judge_near_miss(const struct cfg_listener *pol, enum req_method m,
    const char *path)
{
	size_t	 i;

	for (i = 0; i < pol->rules.nrules; i++)
		if (pol->rules.rules[i].action == RULE_ALLOW &&
		    pol->rules.rules[i].nquery > 0 &&
		    rule_matches_path(&pol->rules.rules[i], m, path))
			return &pol->rules.rules[i];
	return NULL;
}

/*
 * One format wherever a denial is shown: the policy's name, then the
 * rule's reason if any, or for a default deny the constraints of an allow
 * rule that matched all but the query.  A long path is cut (at a
 * character boundary, with "...") so that the name and reason always fit.
 */
static void
judge_deny_message(struct judge_result *res, enum req_method m,
    const struct cfg_listener *pol, const struct rule *r)
{
	const char *path = res->target.path, *method = req_method_name(m);
	const struct rule *near;
	size_t	 plen = res->target.path_len, i, n;
	int	 cut = plen > JUDGE_MSG_PATH;
	char	 why[RULE_MAX_TEXT + 64];

	why[0] = '\0';
	if (r != NULL && r->reason[0] != '\0')
		snprintf(why, sizeof(why), ": %s", r->reason);
	else if (r == NULL && (near = judge_near_miss(pol, m, path)) != NULL) {
		n = (size_t)snprintf(why, sizeof(why), ": allowed only with");
		for (i = 0; i < near->nquery && n < sizeof(why); i++) {
			char	 c[QUERY_MAX_KEY + QUERY_MAX_VALUES + 16];

			n += (size_t)snprintf(why + n, sizeof(why) - n, " %s",
			    query_cond_str(&near->query[i], c, sizeof(c)));
		}
	}

	if (cut) {
		plen = JUDGE_MSG_PATH;
		while (plen > 0 && ((unsigned char)path[plen] & 0xc0) == 0x80)
			plen--;
	}
	snprintf(res->message, sizeof(res->message),
	    "sockward: %s %.*s%s is not allowed (policy %s)%s", method,
	    (int)plen, path, cut ? "..." : "", pol->rules.name, why);
}

/* Is there a query constraint on key in rule r? */
static int
judge_rule_names_key(const struct rule *r, const char *key)
{
	size_t	i;

	for (i = 0; i < r->nquery; i++)
		if (strcmp(r->query[i].key, key) == 0)
			return 1;
	return 0;
}

/* A deny by the body policy (an allow turned into a deny, or a would-deny
 * in audit mode); why follows the policy name in the message. */
static enum judge_verdict
judge_body_deny(const struct cfg_listener *pol, struct judge_result *res,
    const char *what, const char *why)
{
	size_t	n = strlen(res->label);

	snprintf(res->label + n, sizeof(res->label) - n, "; body %s: %s",
	    res->body != NULL ? res->body->name : "-", what);
	if (pol->mode == CFG_AUDIT) {
		/* Forwarded: no message, the label says what was seen. */
		res->verdict = JUDGE_WOULD_DENY;
		return res->verdict;
	}
	res->verdict = JUDGE_DENY;
	res->status = 403;
	res->head_len = 0;
	if (res->body != NULL && strcmp(res->body->name, "no-host-escape"))
		snprintf(res->message, sizeof(res->message), "sockward: %s is "
		    "not allowed (policy %s, body %s)%s%s", what,
		    pol->rules.name, res->body->name, why[0] ? ": " : "", why);
	else
		snprintf(res->message, sizeof(res->message), "sockward: %s is "
		    "not allowed (policy %s)%s%s", what, pol->rules.name,
		    why[0] ? ": " : "", why);
	return res->verdict;
}

/*
 * Step 5: which body policy applies, whether the body must be read, and
 * the routes the policy refuses outright unless the deciding rule names
 * them (its pattern has that route's shape, not a wildcard over it; for
 * an image import, a constraint on fromSrc).  Returns JUDGE_DENY when the
 * request is refused here.
 */
static enum judge_verdict
judge_body_route(const struct cfg_listener *pol, const struct req_head *h,
    const struct rule *r, struct judge_result *res)
{
	const struct body_policy *bp;
	enum body_kind k = body_kind_of(res->route);
	size_t	 vlen;
	char	 what[300];
	int	 names;

	if (k == BODY_K_NONE)
		return res->verdict;
	bp = &pol->body[r != NULL && r->action == RULE_ALLOW &&
	    r->body_idx > 0 && (size_t)r->body_idx < pol->nbody ?
	    r->body_idx : 0];
	if (bp->off)
		return res->verdict;
	res->body = bp;
	res->body_kind = k;
	names = r != NULL && r->action == RULE_ALLOW && r->route == res->route;
	snprintf(what, sizeof(what), "%s %s", req_method_name(h->method),
	    res->target.path);
	if (k == BODY_K_LIBPOD) {
		judge_why_first(res, JUDGE_WHY_BODY_ROUTE);
		return judge_body_deny(pol, res, what, "the body policy cannot "
		    "judge libpod request bodies; use the Docker-compatible "
		    "route, or body-policy off on the rule");
	}
	if (k == BODY_K_OUTRIGHT && !names) {
		judge_why_first(res, JUDGE_WHY_BODY_ROUTE);
		return judge_body_deny(pol, res, what, "the body policy "
		    "refuses this endpoint unless a rule names it");
	}
	if (k == BODY_K_IMAGE_CREATE && (query_first(res->target.query,
	    res->target.query_len, "fromImage", &vlen) != 1 || vlen == 0) &&
	    !(names && judge_rule_names_key(r, "fromSrc"))) {
		/* dockerd imports whenever fromImage is empty. */
		judge_why_first(res, JUDGE_WHY_BODY_ROUTE);
		snprintf(what, sizeof(what), "%s %s without fromImage (an "
		    "image import)", req_method_name(h->method),
		    res->target.path);
		return judge_body_deny(pol, res, what, "the body policy "
		    "refuses imports unless a rule names fromSrc");
	}
	if (k != BODY_K_OUTRIGHT && k != BODY_K_IMAGE_CREATE &&
	    h->body != REQ_BODY_NONE &&
	    !(h->body == REQ_BODY_LENGTH && h->content_length == 0))
		res->body_collect = 1;
	return res->verdict;
}

enum judge_verdict
judge_body(const struct cfg_listener *pol, const char *body, size_t len,
    struct judge_result *res)
{
	struct body_verdict v;
	size_t	n;

	if (!res->body_collect || res->body == NULL ||
	    (res->verdict != JUDGE_ALLOW && res->verdict != JUDGE_WOULD_DENY))
		return res->verdict;
	if (body_judge(res->body, res->body_kind, body, len, &v) == 0)
		return res->verdict;
	snprintf(res->body_field, sizeof(res->body_field), "%s", v.field);
	if (v.status == 400) {
		n = strlen(res->label);
		snprintf(res->label + n, sizeof(res->label) - n,
		    "; body refused: %s", v.field[0] ? v.field : "malformed");
		res->verdict = JUDGE_REJECT;
		res->status = 400;
		res->why = JUDGE_WHY_BODY_INVALID;
		res->head_len = 0;
		snprintf(res->message, sizeof(res->message), "sockward: "
		    "request body refused: %s", v.message);
		return JUDGE_REJECT;
	}
	judge_why_first(res, JUDGE_WHY_BODY_FIELD);
	return judge_body_deny(pol, res, v.message, v.reason);
}

long
judge_frame_length(char *head, size_t len, size_t cap,
    unsigned long long body_len)
{
	char	 num[32];
	int	 k;

	if (len < 4 || memcmp(head + len - 4, "\r\n\r\n", 4) != 0)
		return -1;
	k = snprintf(num, sizeof(num), "Content-Length: %llu\r\n\r\n",
	    body_len);
	if (k < 0 || len - 2 + (size_t)k > cap)
		return -1;
	memcpy(head + len - 2, num, (size_t)k);
	return (long)(len - 2 + (size_t)k);
}

static void	judge_response(const struct cfg_listener *,
		    const struct rule *, const struct engine_api_bind *,
		    struct judge_result *);

/*
 * A request the listener's visible labels cannot check (res->message
 * already says why; note goes into the label): a deny, or in audit mode
 * a would_deny forwarded without the message.  Returns the verdict.
 */
static enum judge_verdict
judge_invisible(const struct cfg_listener *pol, struct judge_result *res,
    const char *note)
{
	size_t	n = strlen(res->label);

	snprintf(res->label + n, sizeof(res->label) - n,
	    "; visible labels: %s", note);
	judge_why_first(res, JUDGE_WHY_VISIBLE);
	if (pol->mode != CFG_AUDIT) {
		res->status = 403;
		res->verdict = JUDGE_DENY;
		return JUDGE_DENY;
	}
	res->message[0] = '\0';
	res->verdict = JUDGE_WOULD_DENY;
	return JUDGE_WOULD_DENY;
}

enum judge_verdict
judge_request(const struct cfg_listener *pol, const struct req_head *h,
    char *head_out, size_t head_cap, struct judge_result *res)
{
	const struct rule *r;
	const char	*why, *method = req_method_name(h->method);
	char		 ctarget[3 * REQ_MAX_TARGET + 64];
	long		 tlen, hlen;
	struct engine_api_bind bind;

	res->verdict = JUDGE_ALLOW;
	res->status = 0;
	res->message[0] = '\0';
	res->rule = NULL;
	res->why = JUDGE_WHY_NONE;
	res->label[0] = '\0';
	res->route = NULL;
	res->hijack = 0;
	res->stream = 0;
	res->head_len = 0;
	res->body = NULL;
	res->body_kind = BODY_K_NONE;
	res->body_collect = 0;
	res->body_field[0] = '\0';
	res->resp_kind = RF_NONE;
	res->resp_plan = NULL;
	res->probe = RF_NONE;
	res->probe_obj = RF_OBJ_NONE;
	res->probe_off = res->probe_len = 0;

	if (canon_target(h->target, h->target_len, &res->target, &why) == -1)
		return judge_reject(res, 400, "bad request target: ", why);
	if (judge_form_body(h))
		return judge_reject(res, 415, "form-encoded and multipart "
		    "request bodies are not accepted (dockerd would read them "
		    "as query parameters)", "");

	r = rule_match(&pol->rules, h->method, res->target.path,
	    res->target.query, res->target.query_len);
	res->rule = r;
	if (r != NULL)
		judge_label_rule(res, r);
	else
		(void)judge_append(res->label, sizeof(res->label), 0,
		    "default deny");
	if (r == NULL || r->action != RULE_ALLOW) {
		res->why = r == NULL ? JUDGE_WHY_DEFAULT : JUDGE_WHY_RULE;
		if (pol->mode != CFG_AUDIT) {
			res->verdict = JUDGE_DENY;
			res->status = 403;
			judge_deny_message(res, h->method, pol, r);
			return JUDGE_DENY;
		}
		res->verdict = JUDGE_WOULD_DENY;
	}

	res->route = engine_api_match(h->method, res->target.path, &bind);
	if (res->route != NULL) {
		res->hijack = (res->route->flags & ENGINE_API_HIJACK) != 0;
		res->stream = (res->route->flags & ENGINE_API_STREAM) != 0;
	}
	judge_response(pol, r, &bind, res);
	if (rf_hiding(pol->rf) && rf_names_elsewhere(res->route)) {
		snprintf(res->message, sizeof(res->message), "sockward: %s %s "
		    "names a container outside its path, which the listener's "
		    "visible labels cannot check", method, res->route->tmpl);
		if (judge_invisible(pol, res, "names a container outside its "
		    "path") == JUDGE_DENY)
			return JUDGE_DENY;
	} else if (rf_hiding(pol->rf) &&
	    engine_api_libpod_path(res->target.path)) {
		/* Pods, libpod's lists and events have other shapes than
		 * the ones the visibility filter reads labels from. */
		snprintf(res->message, sizeof(res->message), "sockward: %s %s "
		    "is Podman's libpod API, whose objects the listener's "
		    "visible labels cannot check", method, res->target.path);
		if (judge_invisible(pol, res, "libpod API") == JUDGE_DENY)
			return JUDGE_DENY;
	}
	if ((why = judge_body_kind(h, res->route)) != NULL) {
		char	what[300];

		snprintf(what, sizeof(what), "%s %s", method, res->route->tmpl);
		return judge_reject(res, 415, what, why);
	}
	if (judge_body_route(pol, h, r, res) == JUDGE_DENY)
		return JUDGE_DENY;
	tlen = canon_serialize(&res->target, ctarget, sizeof(ctarget));
	if (tlen < 0)
		return judge_reject(res, 414, "request target too long", "");
	/* The forwarded head stays within the limits sockward itself reads
	 * heads with, so it is canonical by sockward's own parser too (a
	 * Host field is added to a head without one). */
	if (h->host == NULL && h->nhdrs >= REQ_MAX_HEADERS)
		return judge_reject(res, 431, "request head too large", "");
	if (res->body_collect) {
		/* Framed later with the length of the body judged. */
		struct req_head unframed = *h;

		unframed.body = REQ_BODY_NONE;
		hlen = req_serialize(&unframed, ctarget, (size_t)tlen,
		    res->hijack, head_out, head_cap < REQ_MAX_HEAD ?
		    head_cap : REQ_MAX_HEAD);
	} else
		hlen = req_serialize(h, ctarget, (size_t)tlen, res->hijack,
		    head_out, head_cap < REQ_MAX_HEAD ? head_cap : REQ_MAX_HEAD);
	if (hlen < 0)
		return judge_reject(res, 431, "request head too large", "");
	res->head_len = (size_t)hlen;
	return res->verdict;
}

/*
 * What the response filter does for the route (resp_filter.h): the plan
 * of the deciding rule's redact clause when it has one for this kind of
 * response, else the listener's; and the probe a hidden object needs.
 */
static void
judge_response(const struct cfg_listener *pol, const struct rule *r,
    const struct engine_api_bind *b, struct judge_result *res)
{
	int	ridx = 0;

	if (pol->rf == NULL || res->route == NULL)
		return;
	res->resp_kind = rf_kind_of(res->route);
	if (r != NULL && r->action == RULE_ALLOW && r->redact_idx > 0 &&
	    rf_kind_of(r->route) == res->resp_kind)
		ridx = r->redact_idx;
	res->resp_plan = rf_plan(pol->rf, res->resp_kind, ridx);
	if (!rf_hiding(pol->rf))
		return;
	if (res->resp_kind == RF_TASK_LIST) {
		/* Tasks carry their service's ID, not its labels. */
		res->probe = RF_PROBE_SERVICES;
		return;
	}
	res->probe_obj = rf_object_of(res->route);
	res->probe = rf_probe_kind(res->probe_obj);
	if (res->probe != RF_NONE && b->nvars > 0) {
		res->probe_off = b->var[0].off;
		res->probe_len = b->var[0].len;
	} else
		res->probe = RF_NONE;
}

const char *
judge_verdict_name(enum judge_verdict v)
{
	switch (v) {
	case JUDGE_ALLOW:	return "allow";
	case JUDGE_DENY:	return "deny";
	case JUDGE_WOULD_DENY:	return "would_deny";
	case JUDGE_REJECT:	return "reject";
	}
	return "-";
}

const char *
judge_status_reason(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 408: return "Request Timeout";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 417: return "Expectation Failed";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}
