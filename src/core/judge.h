/*
 * judge.h - the one place a request is decided.
 *
 * Pure: no I/O, no allocation.  Takes a listener's policy and a parsed
 * request head and returns everything the caller needs to act on it: the
 * verdict, the status and message of a local answer, the deciding rule,
 * what the endpoint may do to the connection (hijack, stream), and the
 * canonical head to forward.  The proxy, `sockward explain`, audit mode,
 * learning, the tests and the fuzzers all call judge_request, so a
 * request cannot be judged two ways.
 *
 * Order of the steps, each of which may end the decision:
 *   1. canonicalise the target (canon.h)            reject 400
 *   2. refuse bodies dockerd would read as form values  reject 415
 *   3. first matching rule of the policy (rule.h)   deny 403, or
 *                                                   would_deny in audit mode
 *   4. the route dockerd dispatches to (engine_api.h): a body where the
 *      handler reads none, or a JSON route's body with another
 *      Content-Type                                 reject 415
 *   5. the body policy (body_policy.h) of the deciding rule: routes it
 *      refuses outright unless the rule names them (build, plugins,
 *      swarm, image import)                         deny 403 / would_deny
 *   6. serialise the canonical head                 reject 414 / 431
 *      (431 also when that head would break sockward's own parser limits,
 *      REQ_MAX_HEAD and REQ_MAX_HEADERS: what is forwarded is canonical)
 * and, for a route whose body is judged, once the whole body is read:
 *   7. judge_body: the body under the rule's body policy
 *                    ambiguous or malformed         reject 400
 *                    a field the policy refuses     deny 403 / would_deny
 */
#ifndef SOCKWARD_JUDGE_H
#define SOCKWARD_JUDGE_H

#include <stddef.h>

#include "body_policy.h"
#include "canon.h"
#include "config.h"
#include "engine_api.h"
#include "http_req.h"
#include "resp_filter.h"
#include "rule.h"

#define JUDGE_MAX_MESSAGE 600
#define JUDGE_MAX_LABEL   200

enum judge_verdict {
	JUDGE_ALLOW = 0,	/* forward */
	JUDGE_DENY,		/* answer 403 */
	JUDGE_WOULD_DENY,	/* audit mode: a deny, forwarded anyway */
	JUDGE_REJECT		/* malformed for sockward: answer 4xx */
};

/*
 * What decided a request that is not forwarded as asked (or, in audit
 * mode, would not be): a fixed set, so that the metrics (metrics.h) can
 * count by it without ever naming request data.  A reject's status says
 * why, except for a refused body.  The exchange (exchange.h) sets the
 * last three for what it decides itself.
 */
enum judge_why {
	JUDGE_WHY_NONE = 0,	/* allowed, or a reject: see its status */
	JUDGE_WHY_RULE,		/* a deny rule matched */
	JUDGE_WHY_DEFAULT,	/* no rule matched (default deny) */
	JUDGE_WHY_VISIBLE,	/* names a container the listener's visible
				   labels cannot check */
	JUDGE_WHY_BODY_ROUTE,	/* the body policy refuses the endpoint */
	JUDGE_WHY_BODY_FIELD,	/* the body policy refuses a field
				   (body_field) */
	JUDGE_WHY_BODY_INVALID,	/* the body is malformed or ambiguous: 400 */
	JUDGE_WHY_REVOKED,	/* the client is no longer admitted */
	JUDGE_WHY_STREAMS,	/* over a stream cap: 429 */
	JUDGE_WHY_HIDDEN,	/* the object is hidden: dockerd's 404 */
	JUDGE_WHY_COUNT
};

struct judge_result {
	enum judge_verdict verdict;
	int		 status;	/* 0 when forwarded, else the answer's */
	/* For a local answer: the JSON "message" text, starting with
	 * "sockward: ".  "" when forwarded. */
	char		 message[JUDGE_MAX_MESSAGE];
	const struct rule *rule;	/* deciding rule; NULL: none matched */
	/* What made it a deny or would_deny (the first thing that did, in
	 * audit mode), JUDGE_WHY_BODY_INVALID for a refused body;
	 * JUDGE_WHY_NONE otherwise. */
	enum judge_why	 why;
	/* "ORIGIN #N: TEXT" of an allow, "ORIGIN #N: deny TEXT" of a deny,
	 * "default deny" when no rule matched, "" for a reject. */
	char		 label[JUDGE_MAX_LABEL];
	/* The Engine API route dockerd dispatches a forwarded request to
	 * (engine_api.h), NULL when none (dockerd answers 404); and what
	 * that route may do to the connection. */
	const struct engine_api_route *route;
	int		 hijack;	/* dockerd may hijack the connection */
	int		 stream;	/* the response may last indefinitely */
	/* The body policy the request's body is judged by (the deciding
	 * rule's, else the listener's default), and how; NULL and
	 * BODY_K_NONE when the body is not judged. */
	const struct body_policy *body;
	enum body_kind	 body_kind;
	/* The body must be read whole (at most pol->body_max bytes) and
	 * passed to judge_body before anything is forwarded; head_out then
	 * ends without a framing header: judge_frame_length adds it. */
	int		 body_collect;
	/* judge_body: the field that decided ("HostConfig.Privileged"),
	 * "" when none did. */
	char		 body_field[128];
	/* What is done to the response (resp_filter.h), for a forwarded
	 * request: its kind, the plan (NULL: passed as it comes), and the
	 * probe that must go first when the listener hides objects
	 * (RF_NONE: none), for the object named by
	 * target.path[probe_off .. probe_off + probe_len). */
	enum rf_kind	 resp_kind;
	const struct jrw_plan *resp_plan;
	enum rf_kind	 probe;
	enum rf_object	 probe_obj;
	size_t		 probe_off, probe_len;
	/* The canonical target; valid unless a reject at step 1. */
	struct canon_target target;
	size_t		 head_len;	/* canonical head in head_out, or 0 */
};

/*
 * Judge request h (parsed by req_parse; its pointers must stay valid for
 * the call) under listener policy pol.  On ALLOW and WOULD_DENY the
 * canonical head to forward is written to head_out[0..head_cap) and its
 * length stored in res->head_len; nothing is written on DENY and REJECT.
 * res->target.query borrows from h->target.  Returns res->verdict.
 */
enum judge_verdict judge_request(const struct cfg_listener *pol,
	    const struct req_head *h, char *head_out, size_t head_cap,
	    struct judge_result *res);

/*
 * Step 7: judge the whole request body body[0..len) of a request that
 * judge_request let through with res->body_collect set (pol is the same
 * listener).  On a refusal res->verdict, status, message and label are
 * updated ("sockward: HostConfig.Privileged=true is not allowed (policy
 * deploy)"; 400 for an ambiguous or malformed body, in audit mode too; a
 * policy refusal is a would_deny in audit mode) and res->head_len is 0
 * unless the request is still forwarded.  Returns res->verdict.
 */
enum judge_verdict judge_body(const struct cfg_listener *pol,
	    const char *body, size_t len, struct judge_result *res);

/*
 * Finish a canonical head written without framing (res->body_collect):
 * head[0..len) ends in "\r\n\r\n"; insert "Content-Length: body_len".
 * Returns the new length, or -1 when cap is too small.
 */
long	judge_frame_length(char *head, size_t len, size_t cap,
	    unsigned long long body_len);

/* "allow", "deny", "would_deny" or "reject": the access log's words. */
const char *judge_verdict_name(enum judge_verdict v);

/* The reason phrase for a status sockward answers itself ("Forbidden"). */
const char *judge_status_reason(int status);

#endif
