/*
 * learn.h - audit mode: learn the minimal rule set that covers the
 * requests a client made.
 *
 * Pure: no I/O, no allocation.  A listener in audit mode feeds every
 * request it sees (method and canonical path) to learn_add; learn_print
 * then writes one "allow METHODS PATTERN" line per distinct pattern, in
 * rule syntax (rule.h) that rule_parse_line accepts unchanged.
 *
 * A path becomes a pattern through the Engine API route table
 * (engine_api.h): "/containers/3f2a.../json" -> "/containers/{id}/json",
 * "/images/reg:5000/org/app:1/json" -> "/images/{name}/json" (whose
 * placeholder spans segments as dockerd's "{name:.*}" does, rule.h).
 * Requests with the same pattern share one rule; their methods are ORed,
 * which grants exactly the (method, pattern) pairs that were seen.  A
 * path that reaches no route is learned literally and flagged, never
 * generalised; one a rule cannot name literally is not learned at all,
 * only reported.
 *
 * Every learned pattern covers the path it was learned from (rule.h
 * matching), so loading the printed rules admits every recorded request
 * except the reported ones.
 */
#ifndef SOCKWARD_LEARN_H
#define SOCKWARD_LEARN_H

#include <stddef.h>

#include "http_req.h"	/* enum req_method */

#define LEARN_MAX      256	/* distinct patterns kept */
#define LEARN_PATTERN  192	/* pattern buffer, NUL included */

#define LEARN_NOROUTE	0x1u	/* no Engine API route: literal path */
#define LEARN_SKIPPED	0x2u	/* not learned; pattern is the path,
				 * escaped for a comment */

struct learn_entry {
	unsigned	 methods;	/* bit (1u << enum req_method) */
	unsigned	 flags;		/* LEARN_NOROUTE, LEARN_SKIPPED */
	char		 pattern[LEARN_PATTERN];	/* rule pattern */
	unsigned long	 count;		/* requests recorded (saturates) */
};

/* Zero-initialised or learn_init'ed; entries e[0..n) in arrival order. */
struct learn {
	struct learn_entry e[LEARN_MAX];
	size_t		 n;
	int		 overflow;	/* a request was dropped: set is full */
};

/* Empty *l. */
void	learn_init(struct learn *l);

/*
 * Record one request: method m and canonical path (version prefix
 * removed, percent-decoded, NUL-terminated, starting with '/').  The
 * path is mapped with learn_route; an entry with the same pattern and
 * flags gets m ORed into its methods and its count incremented, otherwise
 * a new entry is appended: flagged LEARN_NOROUTE when learn_route returns
 * 0, LEARN_SKIPPED (with the escaped path as its pattern) when it returns
 * -2 or -1.  Returns 0; or -1 with l->overflow set when the entry is new
 * and l already holds LEARN_MAX entries (the request is dropped); or -1
 * without touching l when m is not a method or path is NULL or does not
 * start with '/'.
 */
int	learn_add(struct learn *l, enum req_method m, const char *path);

/*
 * Map the canonical path of a request with method m to the rule pattern
 * that learn_add records, written NUL-terminated to dst[0..cap):
 *
 *   - dockerd dispatches (m, path) to a route (engine_api_match): the
 *     route's pattern (engine_api_pattern: "/containers/{id}/json",
 *     "/images/{name}/json"; container and exec names are written {id},
 *     other variables keep dockerd's names).  Returns 1.  When a
 *     variable binds empty text ("OPTIONS /" on "/{anyroute:.*}"), the
 *     literal path instead, still returning 1.
 *   - No route (dockerd answers 404; HEAD /containers/x/json included,
 *     since dockerd serves HEAD only where it registers it): the literal
 *     path, which matches that path only.  Returns 0.
 *   - No route, and the path cannot be a literal pattern (a segment
 *     holding a byte of "{}*?%\\#", a control or non-ASCII byte, 64
 *     bytes or more; more than RULE_MAX_SEGMENTS segments): nothing is
 *     written, since any wildcard would widen the rule.  Returns -2.
 *
 * Returns -1 (dst set to "" when cap > 0) when path is NULL or does not
 * start with '/', when cap < 4, or when the pattern does not fit cap.
 */
int	learn_route(enum req_method m, const char *path, char *dst,
	    size_t cap);

/*
 * Call out(arg, line) once per entry of l with the rule line
 * "allow METHODS PATTERN" (no newline; METHODS as rule_methods_str
 * writes them: "GET,HEAD"); a LEARN_NOROUTE entry is preceded by the
 * line "# no Engine API route: learned literally", and a LEARN_SKIPPED
 * entry is the single line "# not learned: METHODS PATH (...)", after
 * all rules.  Lines are sorted by pattern, segment by
 * segment: a literal segment sorts before a placeholder, "*" and "**",
 * literals compare bytewise, and a pattern sorts before its extensions
 * ("/containers" < "/containers/json" < "/containers/{id}/json" <
 * "/events").  Nothing is printed for overflow; callers check
 * l->overflow and say so themselves.
 */
void	learn_print(const struct learn *l,
	    void (*out)(void *arg, const char *line), void *arg);

#endif
