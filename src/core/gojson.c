/*
 * gojson.c - a strict JSON reader for request bodies (gojson.h).
 *
 * Recursive descent, depth-bounded.  Keys of the object being read are
 * kept (decoded) on a stack until the object ends, then sorted to find
 * two that fold to the same name: O(n log n) per object, so a body of
 * many keys cannot make the check quadratic.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gojson.h"
#include "http_lex.h"

/* A decoded key of an open object: bytes in the key arena, and a hash
 * of its lower-cased bytes (keys that fold alike hash alike). */
struct gj_key {
	const char	*s;
	size_t		 n;
	uint32_t	 hash;
};

struct gj_reader {
	const char	*p;		/* text */
	size_t		 len;
	size_t		 i;		/* cursor */
	gj_event_fn	 fn;
	void		*arg;
	char		*val;		/* decoded value, O(len) */
	char		*karena;	/* decoded keys of open objects */
	size_t		 kused;
	struct gj_key	*keys;		/* keys of open objects, a stack */
	size_t		 nkeys;
	size_t		 keys_cap;
	const char	*why;
	size_t		 off;
};

/* Bytes a string may hold as they are: printable ASCII but '"' and '\\'. */
static const unsigned char gj_plain[256] = {
	[0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static int
gj_fail(struct gj_reader *r, const char *why, size_t off)
{
	if (r->why == NULL) {
		r->why = why;
		r->off = off;
	}
	return -1;
}

static void
gj_blanks(struct gj_reader *r)
{
	while (r->i < r->len && (r->p[r->i] == ' ' || r->p[r->i] == '\t' ||
	    r->p[r->i] == '\n' || r->p[r->i] == '\r'))
		r->i++;
}

/* Four hex digits at p[i..]; -1 when malformed or short. */
static long
gj_u4(const struct gj_reader *r, size_t i)
{
	long	v = 0;
	int	k, d;

	if (r->len - i < 4)
		return -1;
	for (k = 0; k < 4; k++) {
		if ((d = lex_hex((unsigned char)r->p[i + k])) < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/* Append code point cp as UTF-8 at dst; returns the bytes written. */
static size_t
gj_put_utf8(char *dst, unsigned long cp)
{
	if (cp < 0x80) {
		dst[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		dst[0] = (char)(0xc0 | cp >> 6);
		dst[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		dst[0] = (char)(0xe0 | cp >> 12);
		dst[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		dst[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	dst[0] = (char)(0xf0 | cp >> 18);
	dst[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	dst[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	dst[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Length of the valid UTF-8 sequence at s[0..n) that starts with a byte
 * >= 0x80 (no overlong forms, no surrogates, nothing past U+10FFFF), or 0.
 */
static size_t
gj_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

/*
 * The string at the cursor (which is at its opening quote), decoded into
 * dst.  Returns the decoded length, or -1.
 */
static long
gj_string(struct gj_reader *r, char *dst)
{
	const unsigned char *p = (const unsigned char *)r->p;
	size_t	 w = 0, k, start = r->i;
	long	 hi, lo;
	unsigned char c;

	r->i++;
	for (;;) {
		if (r->i >= r->len)
			return gj_fail(r, "unterminated string", start);
		c = p[r->i];
		if (c == '"') {
			r->i++;
			dst[w] = '\0';
			return (long)w;
		}
		if (c < 0x20)
			return gj_fail(r, "control character in string",
			    r->i);
		if (c >= 0x80) {
			if ((k = gj_utf8_len(p + r->i, r->len - r->i)) == 0)
				return gj_fail(r, "invalid UTF-8", r->i);
			memcpy(dst + w, p + r->i, k);
			w += k;
			r->i += k;
			continue;
		}
		if (c != '\\') {
			/* A run of plain printable ASCII, the common case. */
			k = r->i + 1;
			while (k < r->len && gj_plain[p[k]])
				k++;
			memcpy(dst + w, p + r->i, k - r->i);
			w += k - r->i;
			r->i = k;
			continue;
		}
		if (r->i + 1 >= r->len)
			return gj_fail(r, "unterminated string", start);
		switch (p[r->i + 1]) {
		case '"': dst[w++] = '"'; break;
		case '\\': dst[w++] = '\\'; break;
		case '/': dst[w++] = '/'; break;
		case 'b': dst[w++] = '\b'; break;
		case 'f': dst[w++] = '\f'; break;
		case 'n': dst[w++] = '\n'; break;
		case 'r': dst[w++] = '\r'; break;
		case 't': dst[w++] = '\t'; break;
		case 'u':
			if ((hi = gj_u4(r, r->i + 2)) < 0)
				return gj_fail(r, "bad \\u escape", r->i);
			if (hi >= 0xdc00 && hi <= 0xdfff)
				return gj_fail(r, "lone surrogate escape",
				    r->i);
			if (hi >= 0xd800 && hi <= 0xdbff) {
				/* A surrogate pair: "\uD83D\uDE00". */
				if (r->len - r->i < 12 || p[r->i + 6] != '\\' ||
				    p[r->i + 7] != 'u' ||
				    (lo = gj_u4(r, r->i + 8)) < 0xdc00 ||
				    lo > 0xdfff)
					return gj_fail(r, "lone surrogate "
					    "escape", r->i);
				w += gj_put_utf8(dst + w, 0x10000 +
				    ((unsigned long)(hi - 0xd800) << 10) +
				    (unsigned long)(lo - 0xdc00));
				r->i += 12;
				continue;
			}
			w += gj_put_utf8(dst + w, (unsigned long)hi);
			r->i += 6;
			continue;
		default:
			return gj_fail(r, "bad escape", r->i);
		}
		r->i += 2;
	}
}

/* The number at the cursor, by JSON's grammar. */
static int
gj_number(struct gj_reader *r)
{
	const char *p = r->p;
	size_t	 start = r->i, d;

	if (r->i < r->len && p[r->i] == '-')
		r->i++;
	if (r->i < r->len && p[r->i] == '0')
		r->i++;
	else if (r->i < r->len && p[r->i] >= '1' && p[r->i] <= '9')
		while (r->i < r->len && p[r->i] >= '0' && p[r->i] <= '9')
			r->i++;
	else
		return gj_fail(r, "bad number", start);
	if (r->i < r->len && p[r->i] == '.') {
		r->i++;
		for (d = r->i; r->i < r->len && p[r->i] >= '0' &&
		    p[r->i] <= '9'; r->i++)
			;
		if (r->i == d)
			return gj_fail(r, "bad number", start);
	}
	if (r->i < r->len && (p[r->i] == 'e' || p[r->i] == 'E')) {
		r->i++;
		if (r->i < r->len && (p[r->i] == '+' || p[r->i] == '-'))
			r->i++;
		for (d = r->i; r->i < r->len && p[r->i] >= '0' &&
		    p[r->i] <= '9'; r->i++)
			;
		if (r->i == d)
			return gj_fail(r, "bad number", start);
	}
	memcpy(r->val, p + start, r->i - start);
	r->val[r->i - start] = '\0';
	if (r->fn(r->arg, GJ_NUMBER, r->val, r->i - start) == -1)
		return gj_fail(r, "", start);
	return 0;
}

static int
gj_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Do two keys fold to the same name (equal ignoring ASCII case)? */
static int
gj_key_same(const struct gj_key *x, const struct gj_key *y)
{
	size_t	i;

	if (x->hash != y->hash || x->n != y->n)
		return 0;
	for (i = 0; i < x->n; i++)
		if (gj_lower((unsigned char)x->s[i]) !=
		    gj_lower((unsigned char)y->s[i]))
			return 0;
	return 1;
}

/* Order of keys by hash, then length (qsort); equal ones are compared
 * by gj_key_same. */
static int
gj_key_cmp(const void *a, const void *b)
{
	const struct gj_key *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->n < y->n ? -1 : x->n > y->n;
}

/* Do keys[base..nkeys) hold two that fold to the same name?  Small
 * objects pairwise (cheap with the hashes), large ones sorted. */
static int
gj_keys_collide(struct gj_reader *r, size_t base)
{
	size_t	 n = r->nkeys - base, i, j;

	if (n < 2)
		return 0;
	if (n <= 64) {
		for (i = base; i < r->nkeys; i++)
			for (j = i + 1; j < r->nkeys; j++)
				if (r->keys[i].hash == r->keys[j].hash &&
				    gj_key_same(&r->keys[i], &r->keys[j]))
					return 1;
		return 0;
	}
	qsort(r->keys + base, n, sizeof(r->keys[0]), gj_key_cmp);
	for (i = base; i < r->nkeys; i++)
		for (j = i + 1; j < r->nkeys &&
		    gj_key_cmp(&r->keys[i], &r->keys[j]) == 0; j++)
			if (gj_key_same(&r->keys[i], &r->keys[j]))
				return 1;
	return 0;
}

static int	gj_value(struct gj_reader *, int);

static int
gj_emit(struct gj_reader *r, enum gj_event ev, size_t off)
{
	if (r->fn(r->arg, ev, "", 0) == -1)
		return gj_fail(r, "", off);
	return 0;
}

static int
gj_object(struct gj_reader *r, int depth)
{
	size_t	 base = r->nkeys, kmark = r->kused, start = r->i, koff, i;
	uint32_t h;
	long	 n;
	char	*k;

	if (gj_emit(r, GJ_OBJECT, r->i) == -1)
		return -1;
	r->i++;
	gj_blanks(r);
	if (r->i < r->len && r->p[r->i] == '}') {
		r->i++;
		return gj_emit(r, GJ_OBJECT_END, r->i - 1);
	}
	for (;;) {
		gj_blanks(r);
		if (r->i >= r->len || r->p[r->i] != '"')
			return gj_fail(r, "object key expected", r->i);
		koff = r->i;
		k = r->karena + r->kused;
		if ((n = gj_string(r, k)) < 0)
			return -1;
		h = 2166136261u;
		for (i = 0; i < (size_t)n; i++) {
			if ((unsigned char)k[i] - 0x20u > 0x7eu - 0x20u)
				return gj_fail(r, "object key is not "
				    "printable ASCII", koff);
			h = (h ^ ((unsigned char)k[i] | 0x20u)) * 16777619u;
		}
		if (r->nkeys == r->keys_cap)
			return gj_fail(r, "too many keys", koff);
		r->keys[r->nkeys].s = k;
		r->keys[r->nkeys].n = (size_t)n;
		r->keys[r->nkeys].hash = h;
		r->nkeys++;
		r->kused += (size_t)n + 1;
		if (r->fn(r->arg, GJ_KEY, k, (size_t)n) == -1)
			return gj_fail(r, "", koff);
		gj_blanks(r);
		if (r->i >= r->len || r->p[r->i] != ':')
			return gj_fail(r, "':' expected", r->i);
		r->i++;
		if (gj_value(r, depth + 1) == -1)
			return -1;
		gj_blanks(r);
		if (r->i < r->len && r->p[r->i] == ',') {
			r->i++;
			continue;
		}
		if (r->i < r->len && r->p[r->i] == '}')
			break;
		return gj_fail(r, "',' or '}' expected", r->i);
	}
	if (gj_keys_collide(r, base))
		return gj_fail(r, "two keys of one object differ only in "
		    "case (dockerd would take one of them)", start);
	r->nkeys = base;
	r->kused = kmark;
	r->i++;
	return gj_emit(r, GJ_OBJECT_END, r->i - 1);
}

static int
gj_array(struct gj_reader *r, int depth)
{
	if (gj_emit(r, GJ_ARRAY, r->i) == -1)
		return -1;
	r->i++;
	gj_blanks(r);
	if (r->i < r->len && r->p[r->i] == ']') {
		r->i++;
		return gj_emit(r, GJ_ARRAY_END, r->i - 1);
	}
	for (;;) {
		if (gj_value(r, depth + 1) == -1)
			return -1;
		gj_blanks(r);
		if (r->i < r->len && r->p[r->i] == ',') {
			r->i++;
			continue;
		}
		if (r->i < r->len && r->p[r->i] == ']')
			break;
		return gj_fail(r, "',' or ']' expected", r->i);
	}
	r->i++;
	return gj_emit(r, GJ_ARRAY_END, r->i - 1);
}

/* A literal word w (n bytes) at the cursor. */
static int
gj_word(struct gj_reader *r, const char *w, size_t n, enum gj_event ev)
{
	if (r->len - r->i < n || memcmp(r->p + r->i, w, n) != 0)
		return gj_fail(r, "invalid value", r->i);
	r->i += n;
	return gj_emit(r, ev, r->i - n);
}

static int
gj_value(struct gj_reader *r, int depth)
{
	long	n;
	size_t	off;

	gj_blanks(r);
	if (r->i >= r->len)
		return gj_fail(r, "value expected", r->i);
	if (depth > GJ_MAX_DEPTH)
		return gj_fail(r, "nested too deep", r->i);
	switch (r->p[r->i]) {
	case '{':
		return gj_object(r, depth);
	case '[':
		return gj_array(r, depth);
	case '"':
		off = r->i;
		if ((n = gj_string(r, r->val)) < 0)
			return -1;
		if (r->fn(r->arg, GJ_STRING, r->val, (size_t)n) == -1)
			return gj_fail(r, "", off);
		return 0;
	case 't':
		return gj_word(r, "true", 4, GJ_TRUE);
	case 'f':
		return gj_word(r, "false", 5, GJ_FALSE);
	case 'n':
		return gj_word(r, "null", 4, GJ_NULL);
	default:
		if (r->p[r->i] == '-' || (r->p[r->i] >= '0' &&
		    r->p[r->i] <= '9'))
			return gj_number(r);
		return gj_fail(r, "invalid character", r->i);
	}
}

int
gj_read(const char *text, size_t len, gj_event_fn fn, void *arg,
    struct gj_error *err)
{
	struct gj_reader r;
	int	 rc;

	memset(&r, 0, sizeof(r));
	r.p = text;
	r.len = len;
	r.fn = fn;
	r.arg = arg;
	gj_blanks(&r);
	if (r.i == len) {
		err->why = "empty body";
		err->offset = 0;
		return -1;
	}
	/* Decoded text never outgrows its source; a member takes at least
	 * four bytes ("":0), so len / 4 + 1 keys are ever open at once. */
	r.keys_cap = len / 4 + 1;
	r.val = malloc(len + 1);
	r.karena = malloc(len + 1);
	r.keys = malloc(r.keys_cap * sizeof(r.keys[0]));
	if (r.val == NULL || r.karena == NULL || r.keys == NULL) {
		free(r.val);
		free(r.karena);
		free(r.keys);
		err->why = "out of memory";
		err->offset = 0;
		return -1;
	}
	rc = gj_value(&r, 1);
	if (rc == 0) {
		gj_blanks(&r);
		if (r.i != len)
			rc = gj_fail(&r, "data after the JSON value (dockerd "
			    "reads only the first)", r.i);
	}
	free(r.val);
	free(r.karena);
	free(r.keys);
	if (rc == -1) {
		err->why = r.why != NULL ? r.why : "";
		err->offset = r.off;
	}
	return rc;
}
