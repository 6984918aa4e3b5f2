/*
 * learn.h - audit mode: learn the minimal rule set that covers the
 * requests a client made.
 *
 * Pure: no I/O, no allocation.  A listener in audit mode feeds every
 * request it sees (method and canonical path) to learn_add; learn_print
 * then writes one "allow METHODS PATTERN" line per distinct pattern, in
 * rule syntax (rule.h) that rule_parse_line accepts unchanged.
 *
 * A path becomes a pattern through the Engine API route table (API
 * v1.41-1.47): "/containers/3f2a.../json" -> "/containers/{id}/json".
 * Requests with the same pattern share one rule; their methods are ORed,
 * which grants exactly the (method, pattern) pairs that were seen.
 *
 * Every learned pattern covers the path it was learned from (rule.h
 * matching), so loading the printed rules admits every recorded request.
 */
#ifndef SOCKWARD_LEARN_H
#define SOCKWARD_LEARN_H

#include <stddef.h>

#include "http_req.h"	/* enum req_method */

#define LEARN_MAX      256	/* distinct patterns kept */
#define LEARN_PATTERN  192	/* pattern buffer, NUL included */

struct learn_entry {
	unsigned	 methods;	/* bit (1u << enum req_method) */
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
 * path is mapped with learn_route; an entry with the same pattern gets m
 * ORed into its methods and its count incremented, otherwise a new entry
 * is appended.  Returns 0; or -1 with l->overflow set when the pattern is
 * new and l already holds LEARN_MAX entries (the request is dropped); or
 * -1 without touching l when m is not a method or path is NULL or does
 * not start with '/'.
 */
int	learn_add(struct learn *l, enum req_method m, const char *path);

/*
 * Map the canonical path of a request with method m to the rule pattern
 * that learn_add records, written NUL-terminated to dst[0..cap):
 *
 *   - A route of the table for method m matches: its template, e.g.
 *     "/containers/{id}/json".  When several match, the one with the
 *     most literal segments wins ("/containers/json" over
 *     "/containers/{id}/json" is moot, but "/containers/{id}/checkpoints/
 *     {checkpoint}" beats "/containers/{id}" for DELETE).  Returns 1.
 *   - dockerd reads container, exec, image, network, volume, plugin and
 *     distribution names with "{name:.*}", which spans '/'
 *     ("library/nginx:latest", "localhost:5000/a/b", legacy link names
 *     "web/db").  A one-segment placeholder cannot cover such a name and
 *     "**" may only end a pattern, so when the name spans more than one
 *     segment the pattern is the literal path.  Still returns 1.
 *   - No route for m, but one for another method has the path's shape
 *     (HEAD /containers/x/json): that route's template.  Returns 0.
 *   - Otherwise the literal path with ID-looking segments (12 or more
 *     lower-case hex digits) replaced by "{id}".  Returns 0.
 *
 * Literal segments a rule cannot hold (a byte of "{}*?%\\#", a control
 * or non-ASCII byte, 64 bytes or more) become "*", which matches any one
 * segment.  A pattern with more than RULE_MAX_SEGMENTS segments, or too
 * long for cap, is cut at a segment boundary and ended with "**".  So the
 * result is always valid rule syntax and always covers path.
 *
 * Returns -1 (dst set to "" when cap > 0) when path is NULL or does not
 * start with '/', or when cap < 4 (too small for the catch-all pattern).
 */
int	learn_route(enum req_method m, const char *path, char *dst,
	    size_t cap);

/*
 * Call out(arg, line) once per entry of l with the rule line
 * "allow METHODS PATTERN" (no newline; METHODS as rule_methods_str
 * writes them: "GET,HEAD").  Lines are sorted by pattern, segment by
 * segment: a literal segment sorts before a placeholder, "*" and "**",
 * literals compare bytewise, and a pattern sorts before its extensions
 * ("/containers" < "/containers/json" < "/containers/{id}/json" <
 * "/events").  Nothing is printed for overflow; callers check
 * l->overflow and say so themselves.
 */
void	learn_print(const struct learn *l,
	    void (*out)(void *arg, const char *line), void *arg);

/*
 * The i-th route of the built-in table (0-based): sets *m and returns the
 * template as learn_route writes it ("/images/{name}/json"), or NULL when
 * i is past the end.  For tests and documentation.
 */
const char *learn_route_at(size_t i, enum req_method *m);

#endif
