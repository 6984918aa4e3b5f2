/*
 * rule.h - allow/deny rules over canonical requests, and what the Engine
 * API does at each endpoint that the proxy must know (hijacks).
 *
 * Pure.  A rule is
 *
 *	METHODS PATTERN [query K=V|V]... [require K=V|V]...
 *	    [filter NAME=VALUE]... [body POLICY] [redact off|PATHS]
 *	    [reason "TEXT"]
 *
 * METHODS is "*" or a comma-separated list of GET, HEAD, POST, PUT,
 * DELETE, PATCH, OPTIONS; PATTERN is an absolute path of segments, each a
 * literal, a placeholder "{name}" or "*" (exactly one non-empty segment),
 * or a final "**" (zero or more segments).
 *
 * Placeholders bind like dockerd's router (engine_api.h): when PATTERN
 * has the shape of an Engine API route for one of METHODS (same literal
 * segments, placeholders exactly at the route's variables), a "{name}"
 * at a position where dockerd declares "{name:.*}" matches one or more
 * segments, as dockerd binds a legacy link name "web/db" or an image
 * "reg:5000/org/app:1" there.  "*" stays one segment.  A deny rule's span
 * matches whatever path has that shape (denying more is the safe side);
 * an allow rule's span covers more than one segment only when dockerd
 * would dispatch the request to that same route (so "allow DELETE
 * /containers/{id}" does not allow a checkpoint delete, which dockerd
 * routes first).  The query constraints are
 * those of query.h; all must hold for the rule to match.  The reason is
 * shown in the 403 message of a deny rule.  A rule set is evaluated in
 * order; the first rule that matches decides; no match denies.
 */
#ifndef SOCKWARD_RULE_H
#define SOCKWARD_RULE_H

#include <stddef.h>

#include "engine_api.h"
#include "http_req.h"
#include "query.h"

#define RULE_MAX_SEGMENTS 16
#define RULE_MAX_TEXT     512
#define RULE_MAX_RULES    1024	/* per set */
#define RULE_MAX_QUERY    4
#define RULE_MAX_REASON   128

enum rule_action { RULE_ALLOW = 0, RULE_DENY };

/*
 * ONE: one segment ("*", "{x}"); REST: a final "**"; SPAN: a "{x}" at a
 * route's spanning variable, one or more segments (at most one per rule,
 * never with REST).
 */
enum rule_seg_kind {
	RULE_SEG_LITERAL = 0, RULE_SEG_ONE, RULE_SEG_REST, RULE_SEG_SPAN
};

struct rule_seg {
	enum rule_seg_kind kind;
	int		 named;		/* a "{x}" placeholder, not "*" */
	char		 lit[64];	/* for RULE_SEG_LITERAL */
	size_t		 lit_len;
};

struct rule {
	enum rule_action action;
	unsigned	 methods;	/* bit (1u << enum req_method) */
	struct rule_seg	 segs[RULE_MAX_SEGMENTS];
	size_t		 nsegs;
	/* The route whose shape the pattern has, or NULL (static table). */
	const struct engine_api_route *route;
	struct query_cond query[RULE_MAX_QUERY];
	size_t		 nquery;
	char		 reason[RULE_MAX_REASON];	/* "" when none */
	/* "body NAME" of an allow rule: the body policy (body_policy.h) its
	 * requests' bodies are judged by, "" for the listener's default;
	 * body_idx is its index in the listener's policies (config.c sets
	 * it; 0 is the default). */
	char		 body[32];
	int		 body_idx;
	/* "redact off|PATH[,PATH...]" of an allow rule: its responses'
	 * filter (resp_filter.h), "" for the listener's; redact_idx is the
	 * plan config.c built for it in the listener's rf_policy (0:
	 * none). */
	char		 redact[160];
	int		 redact_idx;
	char		 text[RULE_MAX_TEXT];	/* normalised rule text */
	char		 origin[48];	/* "profile traefik", "--allow" */
	int		 index;		/* 1-based position within origin */
};

/* Rules live in a growing array owned by the set: zero-initialise a set,
 * fill it with rule_set_add, release it with rule_set_free. */
struct rule_set {
	struct rule	*rules;
	size_t		 nrules;
	size_t		 cap;
	char		 name[64];	/* shown in 403 messages: "traefik" */
};

/*
 * Parse "METHODS PATTERN [constraints] [reason "TEXT"]" (text,
 * NUL-terminated) into *r with action a.  r->text gets the normalised
 * form, which rule_parse accepts again.  Returns 0, or -1 with *reason
 * set to a static explanation.
 */
int	rule_parse(const char *text, enum rule_action a, struct rule *r,
	    const char **reason);

/* Parse "allow RULE" or "deny RULE" (rule_parse syntax). */
int	rule_parse_line(const char *line, struct rule *r, const char **reason);

/* Write "allow TEXT" / "deny TEXT" for r to dst[0..cap); returns dst. */
char	*rule_line_str(const struct rule *r, char *dst, size_t cap);

/*
 * Append a parsed rule to set, recording origin and index.  Returns 0, or -1
 * when the set is full or memory is exhausted.
 */
int	rule_set_add(struct rule_set *set, const struct rule *r,
	    const char *origin);

/* Release set's rules; the set is empty (and reusable) after. */
void	rule_set_free(struct rule_set *set);

/* Deep copy src into *dst (dst need not be initialised).  0 or -1. */
int	rule_set_copy(struct rule_set *dst, const struct rule_set *src);

/*
 * First rule of set matching method m, canonical path (NUL-terminated,
 * version prefix removed) and raw query (NULL when none), or NULL when
 * none does (deny by default).  API families: an allow rule matches a
 * path of Podman's libpod API (engine_api_libpod_path) only when its
 * pattern's first segment is the literal "libpod", so no wildcard
 * written for dockerd's routes (a catch-all, "/{x}/json") grants
 * libpod's; a deny rule matches either family.
 */
const struct rule *rule_match(const struct rule_set *set, enum req_method m,
	    const char *path, const char *query, size_t query_len);

/* Returns 1 when rule r matches (m, path, query). */
int	rule_matches(const struct rule *r, enum req_method m, const char *path,
	    const char *query, size_t query_len);

/* Returns 1 when r's method and path match (with rule_match's API
 * families), ignoring its query constraints (audit learning and explain
 * use this). */
int	rule_matches_path(const struct rule *r, enum req_method m,
	    const char *path);

/* Write "GET,HEAD" for methods mask into dst[0..cap); returns dst. */
char	*rule_methods_str(unsigned methods, char *dst, size_t cap);

#endif
