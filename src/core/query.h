/*
 * query.h - query-string constraints, judged the way dockerd reads them.
 *
 * Pure.  dockerd parses the query with Go's url.ParseQuery (split on '&',
 * '+' is a space, percent-decoding, a ';' anywhere makes the pair invalid)
 * and reads the FIRST value of a repeated key.  Constraints here are
 * stricter: they hold for EVERY occurrence, and anything that does not
 * decode cleanly fails the constraint (fail closed).
 */
#ifndef SOCKWARD_QUERY_H
#define SOCKWARD_QUERY_H

#include <stddef.h>

#define QUERY_MAX_KEY    32
#define QUERY_MAX_VALUES 160	/* all values, '|'-separated, NUL included */

enum query_kind {
	QUERY_ONE_OF = 0,	/* "query K=V1|V2": absent, or every value in set */
	QUERY_REQUIRE,		/* "require K=V1|V2": present, every value in set */
	QUERY_FILTER		/* "filter NAME=VALUE": filters JSON has it */
};

enum query_bool { QUERY_BOOL_NONE = 0, QUERY_BOOL_FALSE, QUERY_BOOL_TRUE };

struct query_cond {
	enum query_kind	 kind;
	char		 key[QUERY_MAX_KEY];	/* K, or the filter NAME */
	char		 values[QUERY_MAX_VALUES];	/* "1|2"; one value
					 * (may contain '|') for QUERY_FILTER */
	/* "K=true" / "K=false": judged as dockerd's httputils.BoolValue
	 * reads the value, not byte for byte. */
	enum query_bool	 boolean;
};

/*
 * Parse the argument of a constraint keyword: "K=V1|V2" for QUERY_ONE_OF
 * and QUERY_REQUIRE ("*" as the only value means any value; an empty value
 * is allowed: "K=" or "K=|1"), "NAME=VALUE" for QUERY_FILTER (VALUE may
 * itself contain '=': "label=autoheal=true").  Keys: [A-Za-z0-9_.-]+.
 * "K=true" and "K=false" alone make a boolean constraint (out->boolean):
 * every occurrence must mean that truth value to dockerd, which reads ""
 * "0" "no" "false" "none" (any case, Unicode space trimmed) as false and
 * anything else as true.  Any other value list matches byte for byte.
 * Returns 0, or -1 with *reason set to a static string.
 */
int	query_cond_parse(enum query_kind kind, const char *arg,
	    struct query_cond *out, const char **reason);

/*
 * Does the raw query (q, len; the bytes after '?', NULL when the target
 * had none) satisfy c?  Returns 1 or 0.  For QUERY_FILTER the (single)
 * "filters" parameter is decoded and parsed as dockerd does
 * (filters.FromJSON: {"name":{"value":true}} or the legacy
 * {"name":["value"]}; last duplicate key wins); two "filters" parameters,
 * malformed JSON or an unknown shape fail.
 */
int	query_cond_match(const struct query_cond *c, const char *q, size_t len);

/*
 * The first value of key in the raw query (q, len; NULL when none), as
 * Go's url.Values.Get reads it: returns 1 with *vlen the decoded length of
 * that value, 0 when key is absent, -1 when the query is malformed (Go's
 * ParseForm fails, dockerd answers 400).
 */
int	query_first(const char *q, size_t len, const char *key, size_t *vlen);

/* Write the constraint as rule text ("query all=1|true") to dst[0..cap).
 * Returns dst. */
char	*query_cond_str(const struct query_cond *c, char *dst, size_t cap);

#endif
