/*
 * jrewrite.c - the streaming JSON rewriter (see jrewrite.h).
 *
 * One pass, byte by byte between tokens; runs of plain string bytes are
 * found sixteen at a time (jrw_scan_plain).  A value that has no plan
 * node and holds nothing to redact or collect (most of a response) is
 * "dead": jrw_skip only checks its grammar and finds its end.  Keys that
 * lie whole in the input are matched where they lie, not copied.
 *
 * Output is produced by "spans": while the input is passed through,
 * nothing is copied until something else must happen (a redacted value
 * starts, an element starts or ends, the feed ends); then the span of
 * input since the last cut is appended at once.  Redacted values and the
 * commas of a selected array are written by the rewriter itself while
 * the span is closed.
 *
 * A pending element is written straight to the caller's buffer, after a
 * mark (jrw_run.mark); dropping it cuts the buffer back to the mark.  If
 * the feed ends first, its bytes move to the element buffer (ebuf) and
 * come back at the next feed, so the caller never sees them early.
 * With out == NULL nothing is stored, but an element's size is still
 * counted, so that elem_max refuses the same responses either way.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "jrewrite.h"

/* Grammar states between bytes. */
enum {
	JRW_ST_TOP = 0,		/* between top-level values */
	JRW_ST_VAL,		/* a value must come (after ':' or ',' in [) */
	JRW_ST_ARR0,		/* after '[': a value or ']' */
	JRW_ST_OBJ0,		/* after '{': a key or '}' */
	JRW_ST_KEY,		/* after ',' in {: a key */
	JRW_ST_COLON,		/* after a key */
	JRW_ST_AFTER,		/* after a value in a container */
	JRW_ST_STR,		/* in a string (key or value) */
	JRW_ST_NUM,		/* in a number (sub: JRW_N_*) */
	JRW_ST_LIT,		/* in true/false/null (sub: literal, pos) */
	JRW_ST_DONE		/* jrw_finish was called */
};

/* Number progress (w->sub). */
enum {
	JRW_NUM_MINUS = 0,	/* '-': a digit must come */
	JRW_NUM_ZERO,		/* a leading 0 */
	JRW_NUM_INT,
	JRW_NUM_DOT,		/* '.': a digit must come */
	JRW_NUM_FRAC,
	JRW_NUM_E,		/* 'e': sign or digit */
	JRW_NUM_ESIGN,		/* sign: a digit must come */
	JRW_NUM_EXP
};

/* Who collects a string's unescaped bytes (w->coll). */
#define JRW_C_KEY	0x1u	/* a key, for the plan */
#define JRW_C_LKEY	0x2u	/* a key of the LABELS object */
#define JRW_C_LVAL	0x4u	/* a string value of the LABELS object */
#define JRW_C_CAP	0x8u	/* a captured string */

static const char *const jrw_lits[3] = { "true", "false", "null" };
static const unsigned char jrw_lit_len[3] = { 4, 5, 4 };

/* One feed: the rewriter, where output goes, and the open span. */
struct jrw_run {
	struct jrw	*w;
	struct jrw_out	*out;
	const char	*span;	/* start of bytes to pass through, or NULL */
	size_t		 mark;	/* out->len where the pending element's
				   output (its comma first) begins */
};

static int
jrw_fail(struct jrw *w, const char *why)
{
	if (!w->failed) {
		w->failed = 1;
		w->err = why;
	}
	return -1;
}

/* Append s[0..n) to a growable buffer; limit bounds its capacity. */
static int
jrw_grow_append(char **data, size_t *len, size_t *cap, const char *s,
    size_t n, size_t limit)
{
	size_t	 want;
	char	*nd;

	if (n > *cap - *len) {
		if (n > SIZE_MAX / 2 - *len)
			return -1;
		want = *cap > 0 ? *cap * 2 : 1024;
		if (want < *len + n)
			want = *len + n;
		if (want > limit && limit >= *len + n)
			want = limit;
		if ((nd = realloc(*data, want)) == NULL)
			return -1;
		*data = nd;
		*cap = want;
	}
	memcpy(*data + *len, s, n);
	*len += n;
	return 0;
}

/* Write s[0..n) to out (see the file comment). */
static int
jrw_emit(struct jrw_run *r, const char *s, size_t n)
{
	struct jrw *w = r->w;
	struct jrw_out *o;

	if (n == 0)
		return 0;
	if (w->sel_depth != 0) {
		if (n > w->elem_max - w->elem_len)
			return jrw_fail(w, "response element over the size limit");
		w->elem_len += n;
	}
	if ((o = r->out) == NULL)
		return 0;
	if (n <= o->cap - o->len) {
		memcpy(o->data + o->len, s, n);
		o->len += n;
		return 0;
	}
	if (jrw_grow_append(&o->data, &o->len, &o->cap, s, n,
	    SIZE_MAX) == -1)
		return jrw_fail(w, "out of memory");
	return 0;
}

/* Pass through the open span up to e and close it. */
static int
jrw_stop(struct jrw_run *r, const char *e)
{
	const char *s = r->span;

	if (s == NULL)
		return 0;
	r->span = NULL;
	return jrw_emit(r, s, (size_t)(e - s));
}

static int
jrw_isarr(const struct jrw *w, size_t level)
{
	return (w->is_arr[level >> 3] >> (level & 7)) & 1;
}

static int
jrw_is_ws(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/*
 * Are we directly in the array whose elements are selected, between
 * elements?  Its whitespace and commas are not copied.
 */
static int
jrw_in_sel_array(const struct jrw *w)
{
	int	n;

	if (w->sel_depth != 0 || w->depth == 0 || !jrw_isarr(w, w->depth - 1))
		return 0;
	n = w->node[w->depth];
	return n >= 0 && (w->plan->node[n].flags & JRW_N_SELECT) != 0 &&
	    w->quiet_depth == 0;
}

/* Where a key of length len starting with byte c0 falls in a node's
 * key filter (w->kmask). */
static unsigned
jrw_khash(unsigned char c0, size_t len)
{
	return (unsigned)(len * 31 + c0) & 31;
}

/*
 * The child of plan node n that a member key key[0..len) leads to; len
 * over JRW_KEY_MAX stands for a longer key (matches '*' only).  Most
 * keys match no named child, and the filter says so without walking
 * the children.
 */
static int
jrw_child_named(const struct jrw *w, int n, const char *key, size_t len)
{
	const struct jrw_plan *p = w->plan;
	const struct jrw_node *x;
	int	 c;

	if (len == 0 || len > JRW_KEY_MAX ||
	    ((w->kmask[n] >> jrw_khash((unsigned char)key[0], len)) & 1) == 0)
		return w->kwild[n];
	for (c = p->node[n].first_child; c >= 0; c = x->next_sibling) {
		x = &p->node[c];
		if (!x->wild && x->key_len == len &&
		    memcmp(x->key, key, len) == 0)
			return c;	/* holds the '*' sibling's paths too */
	}
	return w->kwild[n];
}

/* The child of plan node n that the collected key (w->key) leads to. */
static int
jrw_child_key(const struct jrw *w, int n)
{
	return jrw_child_named(w, n, w->key, w->key_long ? JRW_KEY_MAX + 1 :
	    w->key_len);
}

/* The child of plan node n that array elements lead to: '*' only. */
static int
jrw_child_elem(const struct jrw_plan *p, int n)
{
	int	c;

	if (n < 0)
		return -1;
	for (c = p->node[n].first_child; c >= 0; c = p->node[c].next_sibling)
		if (p->node[c].wild)
			return c;
	return -1;
}

/* Copy what fits of s[0..n) to dst[len..max); returns the bytes copied
 * (fewer than n: the string was cut). */
static size_t
jrw_take(char *dst, size_t len, size_t max, const char *s, size_t n)
{
	size_t	k = n < max - len ? n : max - len;

	memcpy(dst + len, s, k);
	return k;
}

/* Append unescaped bytes s[0..n) to the strings being collected. */
static void
jrw_collect(struct jrw *w, const char *s, size_t n)
{
	size_t	k;
	int	i;

	if (w->coll & JRW_C_KEY) {
		k = jrw_take(w->key, w->key_len, JRW_KEY_MAX, s, n);
		w->key_len += (unsigned char)k;
		w->key_long |= k < n;
	}
	if (w->coll & JRW_C_LKEY) {
		k = jrw_take(w->lkey, w->lkey_len, JRW_LABEL_MAX, s, n);
		w->lkey_len += k;
		w->lkey_over |= k < n;
	}
	if (w->coll & JRW_C_LVAL) {
		k = jrw_take(w->lval, w->lval_len, JRW_LABEL_MAX, s, n);
		w->lval_len += k;
		w->lval_over |= k < n;
	}
	if (w->coll & JRW_C_CAP) {
		i = w->cap_idx;
		k = jrw_take(w->elem.capture[i], w->elem.capture_len[i],
		    JRW_CAPTURE_MAX, s, n);
		w->elem.capture_len[i] += k;
		w->elem.truncated[i] |= k < n;
	}
}

/* Collect code point cp as UTF-8. */
static void
jrw_collect_cp(struct jrw *w, uint32_t cp)
{
	char	b[4];
	size_t	n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	jrw_collect(w, b, n);
}

/* A high surrogate not followed by a low one decodes as U+FFFD, as in
 * Go's encoding/json (what dockerd would have made of it). */
static void
jrw_flush_high(struct jrw *w)
{
	if (w->esc_high != 0) {
		w->esc_high = 0;
		if (w->coll)
			jrw_collect_cp(w, 0xfffd);
	}
}

/*
 * The NAME of a redacted "NAME=value" string, over raw bytes s..e: a
 * name ends at '=' (then NAME= is written) or at anything else (then
 * nothing is: the string becomes "").
 */
static int
jrw_rname(struct jrw_run *r, const char *s, const char *e)
{
	struct jrw *w = r->w;
	unsigned char c;

	for (; s < e; s++) {
		c = (unsigned char)*s;
		if (c == '=' && w->rname_len > 0) {
			w->rstr = 2;
			if (jrw_emit(r, w->rname, w->rname_len) == -1)
				return -1;
			return jrw_emit(r, "=", 1);
		}
		if (w->rname_len < JRW_NAME_MAX &&
		    ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    c == '_' || (w->rname_len > 0 && ((c >= '0' &&
		    c <= '9') || c == '.' || c == '-')))) {
			w->rname[w->rname_len++] = (char)c;
			continue;
		}
		w->rstr = 2;
		return 0;
	}
	return 0;
}

/*
 * First byte in p..e that is '"', '\\' or a control byte; e if none.
 * Most of a response's bytes are plain string bytes, so this is the
 * rewriter's innermost loop: sixteen bytes a step with SSE2 (always there
 * on x86-64), eight with plain 64-bit words elsewhere.
 */
static inline __attribute__((always_inline)) const char *
jrw_scan_plain(const char *p, const char *e)
{
	unsigned char c;
#if defined(__SSE2__)
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	const __m128i ctl = _mm_set1_epi8(0x1f);
	__m128i	 x, m;
	unsigned bits;

	while (e - p >= 16) {
		x = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* x <= 0x1f unsigned: min(x, 0x1f) == x. */
		m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote),
		    _mm_cmpeq_epi8(x, bslash)),
		    _mm_cmpeq_epi8(_mm_min_epu8(x, ctl), x));
		bits = (unsigned)_mm_movemask_epi8(m);
		if (bits != 0)
			return p + __builtin_ctz(bits);
		p += 16;
	}
#else
	const uint64_t ones = 0x0101010101010101ull;
	const uint64_t high = 0x8080808080808080ull;
	uint64_t x, q, b, t;

	while (e - p >= 8) {
		memcpy(&x, p, 8);
		q = x ^ (ones * '"');
		b = x ^ (ones * '\\');
		t = ((q - ones) & ~q) | ((b - ones) & ~b) |
		    ((x - ones * 0x20) & ~x);
		if ((t & high) != 0)
			break;
		p += 8;
	}
#endif
	for (; p < e; p++) {
		c = (unsigned char)*p;
		if (c == '"' || c == '\\' || c < 0x20)
			break;
	}
	return p;
}

static int	jrw_value_end(struct jrw_run *, const char *);

/* Clear what keep() is told, for a new element: the flags, lengths and
 * empty strings (the bytes after a capture's NUL are never read). */
static void
jrw_elem_reset(struct jrw_elem *e)
{
	int	 i;

	e->labels_seen = 0;
	e->label_match = 0;
	for (i = 0; i < JRW_MAX_CAPTURE; i++) {
		e->present[i] = 0;
		e->capture[i][0] = '\0';
		e->capture_len[i] = 0;
		e->truncated[i] = 0;
	}
}


/* Does the pending element follow a kept one in its array (then it
 * needs a ',' before it)? */
static int
jrw_elem_comma(const struct jrw *w)
{
	return w->sel_depth > 1 && w->sel_kept > 0;
}

/*
 * The pending element's output starts here in out: mark the place,
 * then put its comma (if any) and what of it an earlier feed left in
 * ebuf.  Dropping the element cuts out back to the mark.
 */
static int
jrw_elem_open(struct jrw_run *r)
{
	struct jrw *w = r->w;
	struct jrw_out *o = r->out;

	if (o == NULL)
		return 0;
	r->mark = o->len;
	if ((jrw_elem_comma(w) && jrw_grow_append(&o->data, &o->len,
	    &o->cap, ",", 1, SIZE_MAX) == -1) || (w->ebuf_len > 0 &&
	    jrw_grow_append(&o->data, &o->len, &o->cap, w->ebuf,
	    w->ebuf_len, SIZE_MAX) == -1))
		return jrw_fail(w, "out of memory");
	w->ebuf_len = 0;
	return 0;
}

/*
 * The feed ends with an element pending: its bytes leave out (the
 * caller may send out now) for ebuf, where the next feed (or
 * jrw_finish) takes them back.
 */
static int
jrw_elem_park(struct jrw_run *r)
{
	struct jrw *w = r->w;
	struct jrw_out *o = r->out;
	size_t	 s;

	if (o == NULL)
		return 0;
	s = r->mark + (size_t)jrw_elem_comma(w);
	if (o->len > s && jrw_grow_append(&w->ebuf, &w->ebuf_len,
	    &w->ebuf_cap, o->data + s, o->len - s, w->elem_max) == -1)
		return jrw_fail(w, "out of memory");
	o->len = r->mark;
	return 0;
}

/* The element that ended (its output all in out from r->mark) is
 * decided. */
static int
jrw_elem_end(struct jrw_run *r, const char *e)
{
	struct jrw *w = r->w;
	int	 keep;

	if (jrw_stop(r, e) == -1)
		return -1;
	w->sel_depth = 0;
	keep = w->keep != NULL ? w->keep(w->keep_arg, &w->elem) : 1;
	if (keep) {
		w->kept++;
		w->sel_kept++;
	} else {
		w->dropped++;
		if (r->out != NULL)
			r->out->len = r->mark;
		if (w->depth == 0)
			w->sel_skip_ws = 1;
	}
	w->ebuf_len = 0;
	w->elem_len = 0;
	if (w->depth == 0) {
		/* An idle stream holds no element buffer. */
		free(w->ebuf);
		w->ebuf = NULL;
		w->ebuf_cap = 0;
	}
	return 0;
}

/* The value at depth w->depth ended just before e. */
static int
jrw_value_end(struct jrw_run *r, const char *e)
{
	struct jrw *w = r->w;
	size_t	 d1 = w->depth + 1;

	if (w->quiet_depth == d1) {
		w->quiet_depth = 0;
		if (jrw_emit(r, "}", 1) == -1)
			return -1;
	}
	if (w->redact_depth == d1)
		w->redact_depth = 0;
	if (w->skip_depth == d1)
		w->skip_depth = 0;
	if (w->label_depth == d1)
		w->label_depth = 0;
	if (w->sel_depth == d1 && jrw_elem_end(r, e) == -1)
		return -1;
	if (r->span == NULL && w->redact_depth == 0 &&
	    !jrw_in_sel_array(w) && !(w->depth == 0 && w->sel_skip_ws))
		r->span = e;
	w->state = w->depth == 0 ? JRW_ST_TOP : JRW_ST_AFTER;
	return 0;
}

/* A value starts at p (its first byte, already known to be one). */
static int
jrw_value_begin(struct jrw_run *r, const char *p)
{
	struct jrw *w = r->w;
	const struct jrw_plan *pl = w->plan;
	size_t	 d = w->depth;
	int	 n = w->node[d], i;
	unsigned fl = n >= 0 ? pl->node[n].flags : 0;
	unsigned char c = (unsigned char)*p;

	if (d == 0 && w->sel_skip_ws) {
		w->sel_skip_ws = 0;
		r->span = p;
	}
	if ((fl & JRW_N_SELECT) && w->sel_depth == 0 && w->quiet_depth == 0 &&
	    (d == 0 || jrw_isarr(w, d - 1))) {
		if (jrw_stop(r, p) == -1)
			return -1;
		w->sel_depth = d + 1;
		w->elem_len = 0;
		w->ebuf_len = 0;
		jrw_elem_reset(&w->elem);
		if (jrw_elem_open(r) == -1)
			return -1;
		if (w->redact_depth == 0)
			r->span = p;
	}
	if ((fl & JRW_N_REDACT) && w->redact_depth == 0) {
		if (jrw_stop(r, p) == -1)
			return -1;
		w->redact_depth = d + 1;
		w->redacted++;
	}
	if (w->sel_depth != 0 && d >= w->sel_depth) {
		if ((fl & JRW_N_LABELS) && c == '{' && w->label_depth == 0) {
			w->elem.labels_seen = 1;
			w->label_depth = d + 1;
		}
		if (fl & JRW_N_CAPTURE) {
			i = pl->node[n].capture;
			w->elem.present[i] = 1;
			w->elem.capture_len[i] = 0;
			w->elem.truncated[i] = 0;
			w->elem.capture[i][0] = '\0';
			if (c == '"') {
				w->cap_idx = i;
				w->coll |= JRW_C_CAP;
			}
		}
		if (w->label_depth != 0 && d == w->label_depth && c == '"' &&
		    !w->lkey_over) {
			w->coll |= JRW_C_LVAL;
			w->lval_len = 0;
			w->lval_over = 0;
		}
	}
	/* Nothing below can match, nothing is collected or redacted here,
	 * and the span is open: jrw_skip only looks for the end. */
	if (n < 0 && w->redact_depth == 0 && (w->label_depth == 0 ||
	    d != w->label_depth) && r->span != NULL)
		w->skip_depth = d + 1;
	switch (c) {
	case '{':
	case '[':
		if (d == JRW_MAX_DEPTH)
			return jrw_fail(w, "response nests too deep");
		if (c == '[')
			w->is_arr[d >> 3] |= (unsigned char)(1u << (d & 7));
		else
			w->is_arr[d >> 3] &= (unsigned char)~(1u << (d & 7));
		w->depth = d + 1;
		if (c == '{') {
			w->node[d + 1] = -1;
			w->state = JRW_ST_OBJ0;
			if (w->redact_depth != 0 && w->quiet_depth == 0) {
				/* A redacted object loses its members. */
				w->quiet_depth = d + 1;
				if (jrw_emit(r, "{", 1) == -1)
					return -1;
			}
			return 0;
		}
		w->node[d + 1] = (short)jrw_child_elem(pl, n);
		w->state = JRW_ST_ARR0;
		if (w->redact_depth != 0 && w->quiet_depth == 0 &&
		    jrw_emit(r, "[", 1) == -1)
			return -1;
		if (jrw_in_sel_array(w)) {
			w->sel_kept = 0;
			if (jrw_stop(r, p + 1) == -1)
				return -1;
		}
		return 0;
	case '"':
		w->state = JRW_ST_STR;
		w->str_key = 0;
		w->esc = 0;
		w->esc_high = 0;
		if (w->redact_depth != 0 && w->quiet_depth == 0) {
			w->rstr = 1;
			w->rname_len = 0;
			if (jrw_emit(r, "\"", 1) == -1)
				return -1;
		}
		return 0;
	case 't':
	case 'f':
	case 'n':
		w->state = JRW_ST_LIT;
		w->sub = (c == 't' ? 0 : c == 'f' ? 1 : 2) << 8 | 1;
		return 0;
	default:
		if (c == '-' || (c >= '0' && c <= '9')) {
			w->state = JRW_ST_NUM;
			w->sub = c == '-' ? JRW_NUM_MINUS : c == '0' ?
			    JRW_NUM_ZERO : JRW_NUM_INT;
			if (w->redact_depth != 0 && w->quiet_depth == 0 &&
			    jrw_emit(r, "0", 1) == -1)
				return -1;
			return 0;
		}
		return jrw_fail(w, "response is not valid JSON");
	}
}

/* A string's closing quote is at p. */
static int
jrw_str_end(struct jrw_run *r, const char *p)
{
	struct jrw *w = r->w;
	size_t	 i;
	int	 n;

	jrw_flush_high(w);
	if (w->str_key) {
		n = w->depth > 0 ? w->node[w->depth - 1] : -1;
		w->node[w->depth] = (short)(n >= 0 && (w->coll & JRW_C_KEY) ?
		    jrw_child_key(w, n) : -1);
		w->coll = 0;
		w->state = JRW_ST_COLON;
		return 0;
	}
	if (w->rstr != 0) {
		w->rstr = 0;
		if (jrw_emit(r, "\"", 1) == -1)
			return -1;
	}
	if ((w->coll & JRW_C_LVAL) && !w->lval_over && !w->lkey_over) {
		const struct jrw_label *l = w->plan->label;

		for (i = 0; i < w->plan->nlabels; i++) {
			/* strlen(key) == len, without strlen: key[len] is
			 * NUL (in the array: len <= JRW_LABEL_MAX) and the
			 * equal bytes before it hold none. */
			if (l[i].key[w->lkey_len] == '\0' &&
			    memcmp(l[i].key, w->lkey, w->lkey_len) == 0 &&
			    memchr(w->lkey, '\0', w->lkey_len) == NULL &&
			    (l[i].any_value || (l[i].val[w->lval_len] ==
			    '\0' && memcmp(l[i].val, w->lval,
			    w->lval_len) == 0 && memchr(w->lval, '\0',
			    w->lval_len) == NULL))) {
				w->elem.label_match = 1;
				break;
			}
		}
	}
	if (w->coll & JRW_C_CAP) {
		w->elem.capture[w->cap_idx][w->elem.capture_len[w->cap_idx]] =
		    '\0';
		w->cap_idx = -1;
	}
	w->coll = 0;
	return jrw_value_end(r, p + 1);
}

/* One byte c of an escape (w->esc != 0). */
static int
jrw_escape(struct jrw *w, unsigned char c)
{
	uint32_t code;
	int	 v;

	if (w->esc == 1) {
		if (c == 'u') {
			w->esc = 2;
			w->esc_code = 0;
			return 0;
		}
		switch (c) {
		case '"': case '\\': case '/': break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		default:
			return jrw_fail(w, "response has a bad string escape");
		}
		w->esc = 0;
		jrw_flush_high(w);
		if (w->coll)
			jrw_collect(w, (const char *)&c, 1);
		return 0;
	}
	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return jrw_fail(w, "response has a bad string escape");
	w->esc_code = w->esc_code << 4 | (uint32_t)v;
	if (++w->esc < 6)
		return 0;
	w->esc = 0;
	code = w->esc_code;
	if (w->esc_high != 0 && code >= 0xdc00 && code <= 0xdfff) {
		code = 0x10000 + ((w->esc_high - 0xd800) << 10) +
		    (code - 0xdc00);
		w->esc_high = 0;
	} else {
		jrw_flush_high(w);
		if (code >= 0xd800 && code <= 0xdbff) {
			w->esc_high = code;
			return 0;
		}
		if (code >= 0xdc00 && code <= 0xdfff)
			code = 0xfffd;
	}
	if (w->coll)
		jrw_collect_cp(w, code);
	return 0;
}

/* Inside a string: consume what can be; *pp advances. */
static int
jrw_string(struct jrw_run *r, const char **pp, const char *e)
{
	struct jrw *w = r->w;
	const char *p = *pp, *q;
	unsigned char c;

	while (p < e) {
		if (w->esc != 0) {
			if (jrw_escape(w, (unsigned char)*p++) == -1)
				return -1;
			continue;
		}
		q = jrw_scan_plain(p, e);
		if (q > p) {
			jrw_flush_high(w);
			if (w->coll)
				jrw_collect(w, p, (size_t)(q - p));
			if (w->rstr == 1 && jrw_rname(r, p, q) == -1)
				return -1;
			p = q;
			if (p == e)
				break;
		}
		c = (unsigned char)*p;
		if (c == '"') {
			*pp = p + 1;
			return jrw_str_end(r, p);
		}
		if (c != '\\')
			return jrw_fail(w, "response has a control byte in a "
			    "string");
		w->esc = 1;
		if (w->rstr == 1)
			w->rstr = 2;	/* an escape in NAME: no NAME= kept */
		p++;
	}
	*pp = p;
	return 0;
}

/*
 * Read a number's bytes from p on, its progress in *sp (JRW_NUM_*).
 * Returns the first byte that is not part of it (e when the input ends
 * first), or NULL when the number is bad.
 */
static const char *
jrw_num_scan(int *sp, const char *p, const char *e)
{
	unsigned char c;
	int	 s = *sp;

	for (; p < e; p++) {
		c = (unsigned char)*p;
		switch (s) {
		case JRW_NUM_MINUS:
			if (c == '0')
				s = JRW_NUM_ZERO;
			else if (c >= '1' && c <= '9')
				s = JRW_NUM_INT;
			else
				return NULL;
			continue;
		case JRW_NUM_INT:
		case JRW_NUM_FRAC:
		case JRW_NUM_EXP:
			if (c >= '0' && c <= '9')
				continue;
			/* FALLTHROUGH */
		case JRW_NUM_ZERO:
			if (s != JRW_NUM_EXP && c == '.' && s != JRW_NUM_FRAC)
				s = JRW_NUM_DOT;
			else if (s != JRW_NUM_EXP && (c == 'e' || c == 'E'))
				s = JRW_NUM_E;
			else
				goto end;
			continue;
		case JRW_NUM_DOT:
			if (c >= '0' && c <= '9')
				s = JRW_NUM_FRAC;
			else
				return NULL;
			continue;
		case JRW_NUM_E:
			if (c == '+' || c == '-')
				s = JRW_NUM_ESIGN;
			else if (c >= '0' && c <= '9')
				s = JRW_NUM_EXP;
			else
				return NULL;
			continue;
		case JRW_NUM_ESIGN:
			if (c >= '0' && c <= '9')
				s = JRW_NUM_EXP;
			else
				return NULL;
			continue;
		}
	}
end:
	*sp = s;
	return p;
}

/* Inside a number: consume what can be; *pp advances. */
static int
jrw_number(struct jrw_run *r, const char **pp, const char *e)
{
	struct jrw *w = r->w;
	const char *p;

	if ((p = jrw_num_scan(&w->sub, *pp, e)) == NULL)
		return jrw_fail(w, "response has a bad number");
	*pp = p;
	if (p == e)
		return 0;
	/* A top-level number is ended by whitespace, never by the next
	 * value: "1-2" or "0 1" written as "01" is refused.  The byte that
	 * ended it is read again. */
	if (w->depth == 0 && !jrw_is_ws((unsigned char)*p))
		return jrw_fail(w, "response has a bad number");
	return jrw_value_end(r, p);
}

/*
 * Inside a dead value (w->skip_depth != 0): the value at depth
 * skip_depth - 1 has no plan node below it, and nothing in it is
 * redacted or collected, so its bytes only pass through the open span.
 * All that is left is to find where it ends while checking the grammar
 * as the general loop would, byte for byte (same errors at the same
 * byte), without its per-token bookkeeping.  The grammar state lives in
 * the usual fields (state, depth, is_arr, esc, sub, str_key), so a feed
 * may end anywhere in here.  Consumes what it can; *pp advances.
 */
static int
jrw_skip(struct jrw_run *r, const char **pp, const char *e)
{
	struct jrw *w = r->w;
	const char *p = *pp, *q;
	size_t	 base = w->skip_depth - 1, d = w->depth;
	int	 st = w->state, k;
	unsigned char c;

	while (p < e) {
		switch (st) {
		case JRW_ST_STR:
			if (w->esc != 0) {
				c = (unsigned char)*p++;
				if (w->esc == 1) {
					if (c == 'u')
						w->esc = 2;
					else if (c == '"' || c == '\\' ||
					    c == '/' || c == 'b' || c == 'f' ||
					    c == 'n' || c == 'r' || c == 't')
						w->esc = 0;
					else
						goto bad_esc;
				} else {
					if (!((c >= '0' && c <= '9') ||
					    (c >= 'a' && c <= 'f') ||
					    (c >= 'A' && c <= 'F')))
						goto bad_esc;
					if (++w->esc == 6)
						w->esc = 0;
				}
				continue;
			}
			if ((p = jrw_scan_plain(p, e)) == e)
				goto out;
			c = (unsigned char)*p++;
			if (c == '"') {
				if (w->str_key) {
					st = JRW_ST_COLON;
					continue;
				}
				goto done;
			}
			if (c != '\\')
				return jrw_fail(w, "response has a control byte "
				    "in a string");
			w->esc = 1;
			continue;
		case JRW_ST_NUM:
			if ((q = jrw_num_scan(&w->sub, p, e)) == NULL)
				goto bad_num;
			if ((p = q) == e)
				goto out;
			if (d == 0 && !jrw_is_ws((unsigned char)*p))
				goto bad_num;
			goto done;	/* the byte that ended it is read again */
		case JRW_ST_LIT:
			k = w->sub >> 8;
			for (; p < e && (w->sub & 0xff) < jrw_lit_len[k]; p++) {
				if (*p != jrw_lits[k][w->sub & 0xff])
					return jrw_fail(w, "response has a bad "
					    "literal");
				w->sub++;
			}
			if ((w->sub & 0xff) < jrw_lit_len[k])
				goto out;
			goto done;
		default:
			break;
		}
		c = (unsigned char)*p;
		if (jrw_is_ws(c)) {
			p++;
			continue;
		}
		switch (st) {
		case JRW_ST_ARR0:
			if (c == ']')
				goto close;
			/* FALLTHROUGH */
		case JRW_ST_VAL:
			p++;
			switch (c) {
			case '"':
				st = JRW_ST_STR;
				w->str_key = 0;
				continue;
			case '{':
			case '[':
				if (d == JRW_MAX_DEPTH)
					return jrw_fail(w, "response nests too "
					    "deep");
				if (c == '[')
					w->is_arr[d >> 3] |=
					    (unsigned char)(1u << (d & 7));
				else
					w->is_arr[d >> 3] &=
					    (unsigned char)~(1u << (d & 7));
				w->node[++d] = -1;
				st = c == '[' ? JRW_ST_ARR0 : JRW_ST_OBJ0;
				continue;
			case 't':
			case 'f':
			case 'n':
				st = JRW_ST_LIT;
				w->sub = (c == 't' ? 0 : c == 'f' ? 1 : 2) << 8 |
				    1;
				continue;
			default:
				if (c == '-' || (c >= '0' && c <= '9')) {
					st = JRW_ST_NUM;
					w->sub = c == '-' ? JRW_NUM_MINUS :
					    c == '0' ? JRW_NUM_ZERO :
					    JRW_NUM_INT;
					continue;
				}
				goto bad;
			}
		case JRW_ST_OBJ0:
			if (c == '}')
				goto close;
			/* FALLTHROUGH */
		case JRW_ST_KEY:
			if (c != '"')
				goto bad;
			p++;
			st = JRW_ST_STR;
			w->str_key = 1;
			continue;
		case JRW_ST_COLON:
			if (c != ':')
				goto bad;
			p++;
			st = JRW_ST_VAL;
			continue;
		case JRW_ST_AFTER:
			if (c == ',') {
				p++;
				st = jrw_isarr(w, d - 1) ? JRW_ST_VAL :
				    JRW_ST_KEY;
				continue;
			}
			if (c == ']' || c == '}')
				goto close;
			goto bad;
		default:
			goto bad;
		}
	close:
		if ((c == ']') != jrw_isarr(w, d - 1))
			goto bad;
		d--;
		p++;
	done:
		if (d == base) {
			/* The dead value itself ended. */
			w->depth = d;
			*pp = p;
			return jrw_value_end(r, p);
		}
		/* As jrw_value_end does for a value nested in it. */
		if (r->span == NULL)
			r->span = p;
		st = JRW_ST_AFTER;
	}
out:
	w->state = st;
	w->depth = d;
	*pp = p;
	return 0;
bad:
	return jrw_fail(w, "response is not valid JSON");
bad_esc:
	return jrw_fail(w, "response has a bad string escape");
bad_num:
	return jrw_fail(w, "response has a bad number");
}

/* The grammar loop over p..e of one feed. */
static int
jrw_run(struct jrw_run *r, const char *p, const char *e)
{
	struct jrw *w = r->w;
	const char *q;
	unsigned char c;
	size_t	 len;
	int	 k;

	while (p < e) {
		if (w->skip_depth != 0) {
			if (jrw_skip(r, &p, e) == -1)
				return -1;
			continue;
		}
		switch (w->state) {
		case JRW_ST_STR:
			if (jrw_string(r, &p, e) == -1)
				return -1;
			continue;
		case JRW_ST_NUM:
			if (jrw_number(r, &p, e) == -1)
				return -1;
			continue;
		case JRW_ST_LIT:
			k = w->sub >> 8;
			for (; p < e && (w->sub & 0xff) < jrw_lit_len[k]; p++) {
				if (*p != jrw_lits[k][w->sub & 0xff])
					return jrw_fail(w, "response has a bad "
					    "literal");
				w->sub++;
			}
			if ((w->sub & 0xff) < jrw_lit_len[k])
				continue;
			if (w->redact_depth != 0 && w->quiet_depth == 0 &&
			    jrw_emit(r, jrw_lits[k], jrw_lit_len[k]) == -1)
				return -1;
			if (jrw_value_end(r, p) == -1)
				return -1;
			continue;
		default:
			break;
		}
		c = (unsigned char)*p;
		if (jrw_is_ws(c)) {
			/* Copied by the span or dropped with it. */
			p++;
			while (p < e && jrw_is_ws((unsigned char)*p))
				p++;
			continue;
		}
		switch (w->state) {
		case JRW_ST_TOP:
		case JRW_ST_VAL:
		value:
			if (jrw_value_begin(r, p) == -1)
				return -1;
			p++;
			if (w->skip_depth == 0)
				continue;
			/* A dead value: skipped at once, and what follows
			 * it read without a trip round the loop. */
			if (jrw_skip(r, &p, e) == -1)
				return -1;
			if (w->skip_depth != 0 || w->state != JRW_ST_AFTER ||
			    p == e || jrw_is_ws((unsigned char)*p))
				continue;
			c = (unsigned char)*p;
			goto after;
		case JRW_ST_ARR0:
			if (c == ']')
				goto close;
			goto value;
		case JRW_ST_OBJ0:
			if (c == '}')
				goto close;
			/* FALLTHROUGH */
		case JRW_ST_KEY:
		key:
			if (c != '"')
				goto bad;
			k = w->node[w->depth - 1];
			q = jrw_scan_plain(p + 1, e);
			if (q < e && *q == '"') {
				/* The whole key is here and has no escape:
				 * it is matched where it lies. */
				len = (size_t)(q - (p + 1));
				if (w->label_depth == w->depth) {
					w->lkey_len = len < JRW_LABEL_MAX ?
					    len : JRW_LABEL_MAX;
					w->lkey_over = len > JRW_LABEL_MAX;
					memcpy(w->lkey, p + 1, w->lkey_len);
				}
				w->node[w->depth] = (short)(k >= 0 ?
				    jrw_child_named(w, k, p + 1, len) : -1);
				w->esc_high = 0;
				w->coll = 0;
				p = q + 1;
				/* Usually the ':' and the value follow at
				 * once: no trip round the loop for them. */
				if (e - p >= 2 && *p == ':' &&
				    !jrw_is_ws((unsigned char)p[1])) {
					w->state = JRW_ST_VAL;
					c = (unsigned char)*++p;
					goto value;
				}
				w->state = JRW_ST_COLON;
				continue;
			}
			w->state = JRW_ST_STR;
			w->str_key = 1;
			w->esc = 0;
			w->esc_high = 0;
			w->coll = 0;
			/* A key is collected only where it can lead
			 * somewhere: a node with children. */
			if (k >= 0 && w->plan->node[k].first_child >= 0) {
				w->coll |= JRW_C_KEY;
				w->key_len = 0;
				w->key_long = 0;
			}
			if (w->label_depth == w->depth) {
				w->coll |= JRW_C_LKEY;
				w->lkey_len = 0;
				w->lkey_over = 0;
			}
			p++;
			continue;
		case JRW_ST_COLON:
			if (c != ':')
				goto bad;
			w->state = JRW_ST_VAL;
			p++;
			continue;
		case JRW_ST_AFTER:
		after:
			if (c == ',') {
				if (w->redact_depth != 0 &&
				    w->quiet_depth == 0 &&
				    !jrw_in_sel_array(w) &&
				    jrw_emit(r, ",", 1) == -1)
					return -1;
				w->state = jrw_isarr(w, w->depth - 1) ?
				    JRW_ST_VAL : JRW_ST_KEY;
				p++;
				if (p == e || jrw_is_ws((unsigned char)*p))
					continue;
				c = (unsigned char)*p;
				if (w->state == JRW_ST_KEY)
					goto key;
				goto value;
			}
			if (c == ']' || c == '}')
				goto close;
			goto bad;
		default:
			goto bad;
		}
	close:
		if ((c == ']') != jrw_isarr(w, w->depth - 1))
			goto bad;
		if (jrw_in_sel_array(w)) {
			if (w->redact_depth == 0)
				r->span = p;
			free(w->ebuf);
			w->ebuf = NULL;
			w->ebuf_cap = 0;
		}
		w->depth--;
		if (c == ']' && w->redact_depth != 0 && w->quiet_depth == 0 &&
		    jrw_emit(r, "]", 1) == -1)
			return -1;
		p++;
		if (jrw_value_end(r, p) == -1)
			return -1;
		continue;
	bad:
		return jrw_fail(w, "response is not valid JSON");
	}
	return 0;
}

int
jrw_feed(struct jrw *w, const char *in, size_t n, struct jrw_out *out)
{
	struct jrw_run r;

	if (w->failed)
		return -1;
	if (w->state == JRW_ST_DONE)
		return jrw_fail(w, "response fed after its end");
	w->last_out = out;
	if (n == 0)
		return 0;	/* in may be NULL */
	r.w = w;
	r.out = out;
	r.span = w->copying ? in : NULL;
	r.mark = 0;
	if ((w->sel_depth != 0 && jrw_elem_open(&r) == -1) ||
	    jrw_run(&r, in, in + n) == -1)
		goto fail;
	w->copying = r.span != NULL;
	if (jrw_stop(&r, in + n) == -1 ||
	    (w->sel_depth != 0 && jrw_elem_park(&r) == -1))
		goto fail;
	return 0;
fail:
	/* What out holds of a pending element goes. */
	if (w->sel_depth != 0 && out != NULL && out->len > r.mark)
		out->len = r.mark;
	return -1;
}

int
jrw_finish(struct jrw *w)
{
	struct jrw_run r;

	if (w->failed)
		return -1;
	if (w->state == JRW_ST_NUM && w->depth == 0 &&
	    (w->sub == JRW_NUM_ZERO || w->sub == JRW_NUM_INT ||
	    w->sub == JRW_NUM_FRAC || w->sub == JRW_NUM_EXP)) {
		/* A bare top-level number ends with the input. */
		r.w = w;
		r.out = w->last_out;
		r.span = NULL;
		r.mark = 0;
		if ((w->sel_depth != 0 && jrw_elem_open(&r) == -1) ||
		    jrw_value_end(&r, NULL) == -1) {
			if (w->sel_depth != 0 && r.out != NULL &&
			    r.out->len > r.mark)
				r.out->len = r.mark;
			return -1;
		}
		w->copying = 0;
	}
	if (w->state != JRW_ST_TOP)
		return jrw_fail(w, "response ended inside a JSON value");
	w->state = JRW_ST_DONE;
	return 0;
}

void
jrw_init(struct jrw *w, const struct jrw_plan *plan,
    int (*keep)(void *, const struct jrw_elem *), void *keep_arg,
    size_t elem_max)
{
	size_t	 i;
	int	 c;

	memset(w, 0, sizeof(*w));
	w->plan = plan;
	w->keep = keep;
	w->keep_arg = keep_arg;
	w->elem_max = elem_max;
	w->state = JRW_ST_TOP;
	w->copying = 1;
	w->cap_idx = -1;
	w->node[0] = jrw_plan_active(plan) ? 0 : -1;
	/* Each node's key filter (a bit per jrw_khash of its named
	 * children) and its '*' child. */
	for (i = 0; i < plan->nnodes; i++) {
		w->kwild[i] = -1;
		for (c = plan->node[i].first_child; c >= 0;
		    c = plan->node[c].next_sibling) {
			if (plan->node[c].wild)
				w->kwild[i] = (signed char)c;
			else
				w->kmask[i] |= 1u << jrw_khash(
				    (unsigned char)plan->node[c].key[0],
				    plan->node[c].key_len);
		}
	}
}

void
jrw_free(struct jrw *w)
{
	free(w->ebuf);
	w->ebuf = NULL;
	w->ebuf_len = w->ebuf_cap = 0;
}

/* ---- plans ---- */

void
jrw_plan_init(struct jrw_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->node[0].first_child = -1;
	p->node[0].next_sibling = -1;
	p->nnodes = 1;
}

int
jrw_plan_active(const struct jrw_plan *p)
{
	size_t	i;

	for (i = 0; i < p->nnodes; i++)
		if (p->node[i].flags != 0)
			return 1;
	return 0;
}

static int
jrw_plan_new(struct jrw_plan *p, int parent, const char *key, size_t len,
    int wild)
{
	struct jrw_node *n;
	int	 i;

	if (p->nnodes >= JRW_MAX_NODES)
		return -1;
	i = (int)p->nnodes++;
	n = &p->node[i];
	memset(n, 0, sizeof(*n));
	memcpy(n->key, key, len);
	n->key_len = (unsigned char)len;
	n->wild = (unsigned char)wild;
	n->first_child = -1;
	n->next_sibling = p->node[parent].first_child;
	p->node[parent].first_child = (short)i;
	return i;
}

/* Give node dst (childless) copies of src's marks and subtree. */
static int
jrw_plan_copy(struct jrw_plan *p, int src, int dst)
{
	int	c, d;

	p->node[dst].flags = p->node[src].flags;
	p->node[dst].capture = p->node[src].capture;
	for (c = p->node[src].first_child; c >= 0;
	    c = p->node[c].next_sibling) {
		if ((d = jrw_plan_new(p, dst, p->node[c].key,
		    p->node[c].key_len, p->node[c].wild)) == -1 ||
		    jrw_plan_copy(p, c, d) == -1)
			return -1;
	}
	return 0;
}

/*
 * Mark the path comps[i..ncomp) below node n.  The trie stays
 * deterministic: a named child holds everything its '*' sibling holds,
 * so that a key needs one node (the named one if any, else '*').
 */
static int
jrw_plan_mark(struct jrw_plan *p, int n, const char *const *comp,
    const size_t *clen, size_t i, size_t ncomp, unsigned flags, int capture)
{
	int	 c, wild = -1, named = -1;

	if (i == ncomp) {
		if ((flags & JRW_N_CAPTURE) &&
		    (p->node[n].flags & JRW_N_CAPTURE) &&
		    p->node[n].capture != capture)
			return -2;
		p->node[n].flags |= (unsigned char)flags;
		if (flags & JRW_N_CAPTURE)
			p->node[n].capture = (unsigned char)capture;
		return 0;
	}
	for (c = p->node[n].first_child; c >= 0; c = p->node[c].next_sibling) {
		if (p->node[c].wild)
			wild = c;
		else if (p->node[c].key_len == clen[i] &&
		    memcmp(p->node[c].key, comp[i], clen[i]) == 0)
			named = c;
	}
	if (clen[i] == 1 && comp[i][0] == '*') {
		if (wild < 0 && (wild = jrw_plan_new(p, n, "*", 1, 1)) == -1)
			return -1;
		for (c = p->node[n].first_child; c >= 0;
		    c = p->node[c].next_sibling) {
			int rc = jrw_plan_mark(p, c, comp, clen, i + 1, ncomp,
			    flags, capture);

			if (rc != 0)
				return rc;
		}
		return 0;
	}
	if (named < 0) {
		if ((named = jrw_plan_new(p, n, comp[i], clen[i], 0)) == -1)
			return -1;
		if (wild >= 0 && jrw_plan_copy(p, wild, named) == -1)
			return -1;
	}
	return jrw_plan_mark(p, named, comp, clen, i + 1, ncomp, flags,
	    capture);
}

/* SELECT nodes are not nested; LABELS/CAPTURE lie strictly below one. */
static const char *
jrw_plan_check(const struct jrw_plan *p, int n, int in_sel, int have_sel)
{
	const struct jrw_node *x = &p->node[n];
	const char *why;
	int	 c;

	if ((x->flags & JRW_N_SELECT) && in_sel)
		return "a selected path lies inside another";
	if (have_sel && !in_sel && (x->flags & (JRW_N_LABELS | JRW_N_CAPTURE)))
		return "a labels or capture path must lie below the "
		    "selected path";
	in_sel |= (x->flags & JRW_N_SELECT) != 0;
	for (c = x->first_child; c >= 0; c = p->node[c].next_sibling)
		if ((why = jrw_plan_check(p, c, in_sel, have_sel)) != NULL)
			return why;
	return NULL;
}

static int
jrw_errf(char *err, size_t errlen, const char *what, const char *path)
{
	if (errlen > 0) {
		size_t	 i = 0;
		const char *s;

		for (s = what; *s != '\0' && i + 1 < errlen; s++)
			err[i++] = *s;
		if (path != NULL) {
			for (s = ": \""; *s != '\0' && i + 1 < errlen; s++)
				err[i++] = *s;
			for (s = path; *s != '\0' && i + 1 < errlen; s++)
				err[i++] = *s;
			if (i + 1 < errlen)
				err[i++] = '"';
		}
		err[i] = '\0';
	}
	return -1;
}

int
jrw_plan_add(struct jrw_plan *p, const char *path, unsigned flags,
    int capture, char *err, size_t errlen)
{
	struct jrw_plan np;
	const char *comp[JRW_MAX_DEPTH], *s, *dot, *why;
	size_t	 clen[JRW_MAX_DEPTH], ncomp = 0, i;
	int	 had_sel = 0, rc;

	if (flags == 0 || (flags & ~(unsigned)(JRW_N_REDACT | JRW_N_SELECT |
	    JRW_N_LABELS | JRW_N_CAPTURE)) != 0)
		return jrw_errf(err, errlen, "bad flags", path);
	if ((flags & JRW_N_CAPTURE) &&
	    (capture < 0 || capture >= JRW_MAX_CAPTURE))
		return jrw_errf(err, errlen, "capture index out of range", path);
	for (s = path; *path != '\0'; s = dot + 1) {
		if ((dot = strchr(s, '.')) == NULL)
			dot = s + strlen(s);
		if (dot == s)
			return jrw_errf(err, errlen, "empty key in path", path);
		if ((size_t)(dot - s) > JRW_KEY_MAX)
			return jrw_errf(err, errlen, "key too long in path",
			    path);
		if (ncomp == JRW_MAX_DEPTH)
			return jrw_errf(err, errlen, "path too deep", path);
		comp[ncomp] = s;
		clen[ncomp++] = (size_t)(dot - s);
		if (*dot == '\0')
			break;
	}
	if ((flags & JRW_N_SELECT) && ncomp > 0 &&
	    !(clen[ncomp - 1] == 1 && comp[ncomp - 1][0] == '*'))
		return jrw_errf(err, errlen, "a selected path must be \"\" or "
		    "end in '*'", path);
	for (i = 0; i < p->nnodes; i++)
		if (p->node[i].flags & JRW_N_SELECT)
			had_sel = 1;
	if ((flags & JRW_N_SELECT) && had_sel)
		return jrw_errf(err, errlen, "a plan selects one path only",
		    path);
	np = *p;
	rc = jrw_plan_mark(&np, 0, comp, clen, 0, ncomp, flags, capture);
	if (rc == -1)
		return jrw_errf(err, errlen, "too many plan nodes", path);
	if (rc == -2)
		return jrw_errf(err, errlen, "path captured twice", path);
	if ((why = jrw_plan_check(&np, 0, 0, had_sel ||
	    (flags & JRW_N_SELECT))) != NULL)
		return jrw_errf(err, errlen, why, path);
	*p = np;
	return 0;
}

int
jrw_label_parse(const char *spec, struct jrw_label *l, char *err,
    size_t errlen)
{
	const char *eq = strchr(spec, '=');
	size_t	 klen = eq != NULL ? (size_t)(eq - spec) : strlen(spec);

	memset(l, 0, sizeof(*l));
	if (klen == 0)
		return jrw_errf(err, errlen, "empty label key", NULL);
	if (klen > JRW_LABEL_MAX)
		return jrw_errf(err, errlen, "label key too long", NULL);
	memcpy(l->key, spec, klen);
	if (eq == NULL) {
		l->any_value = 1;
		return 0;
	}
	if (strlen(eq + 1) > JRW_LABEL_MAX)
		return jrw_errf(err, errlen, "label value too long", NULL);
	memcpy(l->val, eq + 1, strlen(eq + 1));
	return 0;
}
