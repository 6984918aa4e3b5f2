/*
 * rule.h - allow/deny rules over canonical requests, and what the Engine
 * API does at each endpoint that the proxy must know (hijacks).
 *
 * Pure.  A rule is "METHODS PATTERN": METHODS is "*" or a comma-separated
 * list of GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS; PATTERN is an
 * absolute path of segments, each a literal, a placeholder "{name}" or "*"
 * (exactly one non-empty segment), or a final "**" (zero or more segments).
 * A rule set is evaluated in order; the first rule that matches decides;
 * no match denies.
 */
#ifndef SOCKWARD_RULE_H
#define SOCKWARD_RULE_H

#include <stddef.h>

#include "http_req.h"

#define RULE_MAX_SEGMENTS 16
#define RULE_MAX_TEXT     256
#define RULE_MAX_RULES    256

enum rule_action { RULE_ALLOW = 0, RULE_DENY };

enum rule_seg_kind { RULE_SEG_LITERAL = 0, RULE_SEG_ONE, RULE_SEG_REST };

struct rule_seg {
	enum rule_seg_kind kind;
	char		 lit[64];	/* for RULE_SEG_LITERAL */
	size_t		 lit_len;
};

struct rule {
	enum rule_action action;
	unsigned	 methods;	/* bit (1u << enum req_method) */
	struct rule_seg	 segs[RULE_MAX_SEGMENTS];
	size_t		 nsegs;
	char		 text[RULE_MAX_TEXT];	/* "GET,HEAD /_ping" as given */
	char		 origin[48];	/* "profile traefik", "--allow" */
	int		 index;		/* 1-based position within origin */
};

struct rule_set {
	struct rule	 rules[RULE_MAX_RULES];
	size_t		 nrules;
	char		 name[64];	/* shown in 403 messages: "traefik" */
};

/*
 * Parse "METHODS PATTERN" (text, NUL-terminated) into *r with action a.
 * Returns 0, or -1 with *reason set to a static explanation.
 */
int	rule_parse(const char *text, enum rule_action a, struct rule *r,
	    const char **reason);

/*
 * Append a parsed rule to set, recording origin and index.  Returns 0, or -1
 * when the set is full.
 */
int	rule_set_add(struct rule_set *set, const struct rule *r,
	    const char *origin);

/*
 * First rule of set matching method m and canonical path (NUL-terminated,
 * version prefix removed), or NULL when none does (deny by default).
 */
const struct rule *rule_match(const struct rule_set *set, enum req_method m,
	    const char *path);

/* Returns 1 when rule r matches (m, path). */
int	rule_matches(const struct rule *r, enum req_method m, const char *path);

/*
 * Returns 1 when dockerd may hijack the connection for (m, path): attach,
 * exec start, attach/ws, session, grpc.  Decided from the endpoint, not the
 * headers, because dockerd hijacks even without an Upgrade header.
 */
int	rule_endpoint_hijacks(enum req_method m, const char *path);

/* Write "GET,HEAD" for methods mask into dst[0..cap); returns dst. */
char	*rule_methods_str(unsigned methods, char *dst, size_t cap);

#endif
