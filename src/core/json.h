/*
 * json.h - the small JSON reader behind query filters, with Go's
 * encoding/json rules where they matter to a policy: object keys of a map
 * are exact, the last duplicate key wins, \u escapes (surrogate pairs too)
 * are decoded, and trailing bytes after the value are an error here
 * (stricter than Go, fail closed).
 *
 * Pure; no allocation: the caller supplies node storage.
 */
#ifndef SOCKWARD_JSON_H
#define SOCKWARD_JSON_H

#include <stddef.h>

#define JSON_MAX_DEPTH 16

enum json_type { JSON_NULL = 0, JSON_BOOL, JSON_NUMBER, JSON_STRING,
	JSON_ARRAY, JSON_OBJECT };

/* A parsed value.  Strings are decoded into the caller's scratch space. */
struct json_node {
	enum json_type	 type;
	const char	*str;		/* JSON_STRING: decoded UTF-8 */
	size_t		 str_len;
	const char	*key;		/* member name when parent is an object */
	size_t		 key_len;
	int		 boolean;
	int		 parent;	/* index of the parent node, -1 for root */
	int		 next;		/* next sibling index, -1 at the end */
	int		 first;		/* first child index, -1 if none */
	int		 shadowed;	/* a later member has the same key */
};

struct json_doc {
	struct json_node *nodes;	/* caller storage */
	size_t		  cap;
	size_t		  n;
	char		 *scratch;	/* caller storage for decoded strings */
	size_t		  scratch_cap;
	size_t		  scratch_len;
};

/*
 * Parse text[0..len) into doc (node 0 is the root).  Returns 0, or -1 when
 * the text is not exactly one valid JSON value (bad syntax, invalid UTF-8,
 * lone surrogate escapes, depth > JSON_MAX_DEPTH, storage exhausted).
 * Members whose key repeats later in the same object get shadowed = 1.
 */
int	json_parse(const char *text, size_t len, struct json_doc *doc);

#endif
