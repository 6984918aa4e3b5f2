/*
 * jrewrite.h - a streaming JSON rewriter for responses.
 *
 * Pure: no I/O.  It reads a response payload (the body with its HTTP
 * framing already removed) in pieces of any size, as they arrive, and
 * appends to a caller's buffer the same JSON with
 *  - chosen values redacted: the value keeps its JSON type and shape, and
 *    only its data goes (see "Redaction" below);
 *  - chosen elements dropped: the elements of one array (a list
 *    response), or the top-level values of a stream (/events, one JSON
 *    value after another), each buffered whole (up to elem_max bytes)
 *    until the caller's keep() decides from what the element held.
 * Everything else passes through byte-exact, whitespace and escapes
 * included: nothing is reordered or re-encoded.
 *
 * What to do is a plan (struct jrw_plan), compiled once from dotted
 * paths: keys separated by '.', '*' standing for any key of an object or
 * any element of an array.  A path is relative to each top-level value:
 * "" is the value itself, "Config.Env" a member of a member,
 * "*.Spec.Labels" the Spec.Labels of each element of a top-level array.
 * Keys are matched byte for byte against the key as it is written in the
 * response after unescaping; a key over JRW_KEY_MAX bytes matches only
 * '*'.  A named key matches object members only, '*' also array
 * elements.  Where both '*' and a named key match a member, both paths
 * apply (jrw_plan_add keeps the trie deterministic for that).
 *
 * Elements: a SELECT path is "" (the top-level values: a stream) or ends
 * in '*' (the elements of an array there).  A value at a SELECT node that
 * is an object's member is not an element (an error object such as
 * {"message":"..."} passes as it is), and no element starts inside a
 * redacted object (its members are gone anyway).  LABELS and CAPTURE act
 * only inside an element.
 *
 * Memory: struct jrw is a fixed size (under 2 KB, the depth stack
 * included).  A pending element is written to the output after a mark
 * and cut back if it is dropped; only when a feed ends inside it are its
 * bytes moved to a malloc'd buffer, released once it is decided.  The
 * output grows by what one feed produces (at most the input fed plus one
 * element).  Nothing else is allocated.
 *
 * Redaction (JRW_N_REDACT) of a value v, recursively:
 *  - object: {} (its members go, keys too: option maps such as a
 *    volume's hold secrets in their values, and a map's keys can name
 *    what a client should not see);
 *  - array: every element kept, redacted;
 *  - string: "" - except that a string that starts with an environment
 *    name and '=' ([A-Za-z_][A-Za-z0-9_.-]*=, unescaped bytes only) keeps
 *    that name and the '=': "DB_PASSWORD=hunter2" becomes "DB_PASSWORD=";
 *    a NAME over JRW_NAME_MAX bytes, or with an escape before the '=',
 *    is not kept (fail closed: the string becomes "");
 *  - number: 0;  true, false, null: unchanged.
 * Whitespace inside a redacted value is not kept.  In an array whose
 * elements are selected, jrewrite writes the ',' between kept elements
 * itself and drops the whitespace between elements; after a dropped
 * top-level value of a stream, the whitespace that follows it goes too.
 * So the output is never longer than the input.
 *
 * Errors fail closed: the input is not valid JSON text (a sequence of
 * values, whitespace between them allowed, and required after a
 * top-level number; UTF-8 is not checked, bytes >= 0x80 pass), it nests
 * deeper than JRW_MAX_DEPTH, or an element is over elem_max bytes.
 * Then jrw_feed returns -1 and w->err says why; nothing more may be fed,
 * and what the failed feed appended to the output must be discarded.
 */
#ifndef SOCKWARD_JREWRITE_H
#define SOCKWARD_JREWRITE_H

#include <stddef.h>
#include <stdint.h>

#define JRW_MAX_DEPTH	 256	/* containers open at once */
#define JRW_MAX_NODES	 64	/* nodes of a plan's trie, root included */
#define JRW_KEY_MAX	 48	/* bytes of one key of a plan path */
#define JRW_MAX_CAPTURE	 2	/* captured strings per element */
#define JRW_CAPTURE_MAX	 128	/* bytes kept of a captured string */
#define JRW_LABEL_MAX	 128	/* bytes of a label key or value */
#define JRW_MAX_LABELS	 16
#define JRW_NAME_MAX	 128	/* bytes of a NAME= kept by redaction */

/* What a plan node marks. */
#define JRW_N_REDACT	0x01u	/* redact the value here */
#define JRW_N_SELECT	0x02u	/* the values here are elements, kept
				   or dropped by keep() */
#define JRW_N_LABELS	0x04u	/* an object of string labels, matched
				   against the plan's label set (inside
				   an element) */
#define JRW_N_CAPTURE	0x08u	/* a value captured for keep() (inside
				   an element); node.capture is its
				   index */

/* A label a visible element carries: key, and value unless any_value. */
struct jrw_label {
	char	key[JRW_LABEL_MAX + 1];
	char	val[JRW_LABEL_MAX + 1];
	int	any_value;
};

struct jrw_node {
	char		key[JRW_KEY_MAX + 1];	/* "" for the root */
	unsigned char	key_len;
	unsigned char	wild;		/* '*': any key or index */
	unsigned char	flags;		/* JRW_N_* */
	unsigned char	capture;	/* JRW_N_CAPTURE: 0 .. JRW_MAX_CAPTURE-1 */
	short		first_child;	/* node index, -1: none */
	short		next_sibling;	/* node index, -1: none */
};

/* A compiled plan.  Plain data: it may be copied, and it is shared by
 * every response it filters. */
struct jrw_plan {
	struct jrw_node	 node[JRW_MAX_NODES];	/* node[0]: the root */
	size_t		 nnodes;
	/* The label set JRW_N_LABELS matches against: borrowed (the
	 * listener's), must outlive the plan; NULL/0 for none. */
	const struct jrw_label *label;
	size_t		 nlabels;
};

/* What keep() is told about one element, once it has been read whole. */
struct jrw_elem {
	int	labels_seen;	/* an object was found at the LABELS path */
	int	label_match;	/* one of its members matched a plan label:
				   key equal, and value equal unless the
				   label has any_value (the member's value
				   must be a string either way) */
	int	present[JRW_MAX_CAPTURE];	/* a value was at capture i */
	/* capture i's value if it was a string, unescaped, truncated to
	 * JRW_CAPTURE_MAX bytes (truncated[i] set), NUL-terminated; "" for
	 * other types. */
	char	capture[JRW_MAX_CAPTURE][JRW_CAPTURE_MAX + 1];
	size_t	capture_len[JRW_MAX_CAPTURE];
	int	truncated[JRW_MAX_CAPTURE];
};

/* Growable output, owned by the caller: jrw_feed appends to
 * data[len..), growing data with realloc (data may start NULL). */
struct jrw_out {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

/* The rewriter's state for one response.  Fields are private to
 * jrewrite.c except the counters and err. */
struct jrw {
	const struct jrw_plan *plan;
	int	(*keep)(void *arg, const struct jrw_elem *e);
	void	*keep_arg;
	size_t	 elem_max;
	uint64_t kept;		/* elements kept */
	uint64_t dropped;	/* elements dropped */
	uint64_t redacted;	/* values redacted (outermost only) */
	const char *err;	/* why jrw_feed failed, static text */

	/* private */
	int	 state;				/* JRW_ST_* in jrewrite.c */
	int	 failed;
	int	 sub;				/* number or literal progress */
	int	 copying;			/* input is passed through */
	size_t	 depth;				/* containers open */
	unsigned char is_arr[JRW_MAX_DEPTH / 8];	/* bit per level */
	short	 node[JRW_MAX_DEPTH + 1];	/* plan node of the values
						   at each depth, -1: none */
	char	 key[JRW_KEY_MAX];		/* the key being read */
	unsigned char key_len;
	unsigned char key_long;
	unsigned char str_key;			/* the string is a key */
	unsigned char esc;			/* 0, 1 after '\\', 2..5 \u */
	unsigned coll;				/* who collects the string */
	uint32_t esc_code;
	uint32_t esc_high;			/* a high surrogate pending */
	size_t	 redact_depth;			/* value depth + 1, 0: none */
	size_t	 quiet_depth;			/* a redacted object: silent */
	size_t	 skip_depth;			/* a dead value's depth + 1:
						   only its end is sought */
	int	 rstr;				/* redacted string: 1 reading
						   a NAME, 2 decided */
	size_t	 rname_len;
	char	 rname[JRW_NAME_MAX];
	size_t	 sel_depth;			/* element depth + 1, 0: none */
	size_t	 sel_kept;			/* kept in the selected array */
	int	 sel_skip_ws;			/* after a dropped stream value */
	size_t	 label_depth;			/* depth of the LABELS members */
	size_t	 lkey_len, lval_len;
	int	 lkey_over, lval_over;
	char	 lkey[JRW_LABEL_MAX];
	char	 lval[JRW_LABEL_MAX];
	int	 cap_idx;			/* capturing into elem, or -1 */
	struct jrw_elem elem;
	char	*ebuf;				/* the pending element */
	size_t	 ebuf_len, ebuf_cap;
	size_t	 elem_len;			/* its output, also unbuffered */
	struct jrw_out *last_out;		/* for jrw_finish */
	uint32_t kmask[JRW_MAX_NODES];		/* per plan node: a filter of
						   its named children's keys */
	signed char kwild[JRW_MAX_NODES];	/* per plan node: its '*'
						   child, -1: none */
};

/* Make p an empty plan: a root node with nothing marked, no labels. */
void	jrw_plan_init(struct jrw_plan *p);

/*
 * Mark path (dotted, '*' for any key or index; "" is the root) in p with
 * flags (JRW_N_*; capture is the index for JRW_N_CAPTURE, else ignored).
 * Rules: at most one path is JRW_N_SELECT, and it is "" or ends in '*';
 * once there is one, LABELS and CAPTURE paths must lie strictly below it
 * (added before it, they are checked when it is added); a REDACT node may
 * lie anywhere (also inside an element); a path is captured with one
 * index only.  Returns 0, or -1 with a message in err[0..errlen) (bad
 * flags or capture index, empty key, key over JRW_KEY_MAX, too many
 * nodes, a rule broken); p is unchanged then.  Paths may be added in any
 * order.
 */
int	jrw_plan_add(struct jrw_plan *p, const char *path, unsigned flags,
	    int capture, char *err, size_t errlen);

/*
 * Parse a visible label spec ("KEY" for any value, "KEY=VALUE": split at
 * the first '=') into *l.  Returns 0, or -1 with a message (empty key,
 * key or value over JRW_LABEL_MAX bytes).
 */
int	jrw_label_parse(const char *spec, struct jrw_label *l, char *err,
	    size_t errlen);

/* Does plan p do anything (a node marked)? */
int	jrw_plan_active(const struct jrw_plan *p);

/*
 * Start rewriting one response with plan (borrowed for w's life).
 * keep(keep_arg, e) is called once per element when it has been read
 * whole and returns 1 to keep it, 0 to drop it; keep may be NULL when the
 * plan selects nothing (then every element is kept).  e is valid during
 * the call only.  elem_max bounds a pending element (bytes of its
 * output, counted also when jrw_feed's out is NULL).
 */
void	jrw_init(struct jrw *w, const struct jrw_plan *plan,
	    int (*keep)(void *, const struct jrw_elem *), void *keep_arg,
	    size_t elem_max);

/*
 * Rewrite in[0..n) (the next bytes of the payload; n may be 0) and append
 * what can be emitted so far to out (out may be NULL: nothing is emitted
 * and nothing is buffered, keep() is still called; used to read a
 * response for its facts alone).  Returns 0, or -1 (w->err set; also
 * when memory runs out).  Bytes of a pending element stay in w until the
 * element is decided.
 */
int	jrw_feed(struct jrw *w, const char *in, size_t n, struct jrw_out *out);

/*
 * The payload ended.  Returns 0 when it ended between top-level values,
 * -1 (w->err set) when inside one.  A top-level number still open ends
 * here; when it is a selected element it is decided now and, if kept,
 * appended to the out of the last jrw_feed, which must still be valid.
 */
int	jrw_finish(struct jrw *w);

/* Release what w holds (the pending element); w may be re-initialised. */
void	jrw_free(struct jrw *w);

#endif
