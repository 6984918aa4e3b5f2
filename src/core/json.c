/*
 * json.c - a strict, allocation-free JSON reader for dockerd's "filters"
 * query parameter.
 *
 * The grammar is RFC 8259 as Go's encoding/json accepts it.  Where Go
 * quietly repairs its input (invalid UTF-8 and lone surrogate escapes
 * become U+FFFD) we refuse it instead: a policy should not have to guess
 * what a replacement character compares equal to.  Recursion is bounded
 * by JSON_MAX_DEPTH, storage by the caller's arrays.
 */
#include <limits.h>
#include <string.h>

#include "json.h"

/* Parser cursor over the caller's text. */
struct json_in {
	const char	*s;
	size_t		 len;
	size_t		 pos;
	struct json_doc	*doc;
};

static int	json_value(struct json_in *, int, int);

/* The next byte, or -1 at the end: the only way the parser looks ahead. */
static int
json_peek(const struct json_in *in)
{
	return in->pos < in->len ? (unsigned char)in->s[in->pos] : -1;
}

/* Skip the four whitespace bytes JSON allows; nothing else (no NBSP etc.). */
static void
json_ws(struct json_in *in)
{
	int c;

	while ((c = json_peek(in)) == ' ' || c == '\t' || c == '\n' ||
	    c == '\r')
		in->pos++;
}

/* Append a node to the caller's storage; -1 when it is full. */
static int
json_node_new(struct json_in *in, enum json_type type, int parent)
{
	struct json_doc *d = in->doc;

	/* Indices are ints; never hand out one that would not fit. */
	if (d->n >= d->cap || d->n >= (size_t)INT_MAX)
		return -1;
	d->nodes[d->n] = (struct json_node){
		.type = type,
		.parent = parent,
		.next = -1,
		.first = -1,
	};
	return (int)d->n++;
}

/* Append n (> 0) decoded bytes to the scratch space; -1 when it is full. */
static int
json_put(struct json_in *in, const void *b, size_t n)
{
	struct json_doc *d = in->doc;

	if (d->scratch == NULL || n > d->scratch_cap - d->scratch_len)
		return -1;
	memcpy(d->scratch + d->scratch_len, b, n);
	d->scratch_len += n;
	return 0;
}

/* Encode code point cp (a scalar value, never a surrogate) as UTF-8. */
static int
json_put_cp(struct json_in *in, unsigned long cp)
{
	unsigned char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return json_put(in, b, n);
}

/* Read the four hex digits of a \u escape at in->pos. */
static int
json_hex4(struct json_in *in, unsigned long *cp)
{
	size_t i;
	int c;

	if (in->len - in->pos < 4)
		return -1;
	*cp = 0;
	for (i = 0; i < 4; i++) {
		c = (unsigned char)in->s[in->pos + i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return -1;
		*cp = *cp << 4 | (unsigned long)c;
	}
	in->pos += 4;
	return 0;
}

/*
 * Length of the well-formed UTF-8 sequence at s[0..n) (n >= 1), or 0.
 * The ranges are those Go's utf8.DecodeRune accepts: no overlong forms,
 * no encoded surrogates, nothing above U+10FFFF.
 */
static size_t
json_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 2;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 3;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;
	if (n - 1 < need || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i <= need; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return need + 1;
}

/* Decode one escape; in->pos is just past the backslash. */
static int
json_escape(struct json_in *in)
{
	unsigned long cp, lo;
	unsigned char c;
	int e;

	if ((e = json_peek(in)) == -1)
		return -1;
	in->pos++;
	switch (e) {
	case '"':
	case '\\':
	case '/':
		c = (unsigned char)e;
		return json_put(in, &c, 1);
	case 'b':
		c = '\b';
		return json_put(in, &c, 1);
	case 'f':
		c = '\f';
		return json_put(in, &c, 1);
	case 'n':
		c = '\n';
		return json_put(in, &c, 1);
	case 'r':
		c = '\r';
		return json_put(in, &c, 1);
	case 't':
		c = '\t';
		return json_put(in, &c, 1);
	case 'u':
		break;
	default:
		return -1;
	}
	if (json_hex4(in, &cp) == -1)
		return -1;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return -1;		/* low surrogate with no high one */
	if (cp >= 0xd800 && cp <= 0xdbff) {
		/* Go would emit U+FFFD for a lone high surrogate; we refuse. */
		if (in->len - in->pos < 2 || in->s[in->pos] != '\\' ||
		    in->s[in->pos + 1] != 'u')
			return -1;
		in->pos += 2;
		if (json_hex4(in, &lo) == -1 || lo < 0xdc00 || lo > 0xdfff)
			return -1;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	return json_put_cp(in, cp);
}

/*
 * Decode the string whose opening quote is at in->pos into the scratch
 * space; *out and *outlen then describe the decoded bytes.
 */
static int
json_string(struct json_in *in, const char **out, size_t *outlen)
{
	struct json_doc *d = in->doc;
	size_t start = d->scratch_len, k;
	int c;

	in->pos++;
	for (;;) {
		if ((c = json_peek(in)) == -1)
			return -1;
		if (c == '"')
			break;
		if (c < 0x20)
			return -1;	/* raw control bytes are not allowed */
		if (c == '\\') {
			in->pos++;
			if (json_escape(in) == -1)
				return -1;
			continue;
		}
		k = json_utf8_len((const unsigned char *)in->s + in->pos,
		    in->len - in->pos);
		if (k == 0 || json_put(in, in->s + in->pos, k) == -1)
			return -1;
		in->pos += k;
	}
	in->pos++;
	/* Only an empty string can be stored without any scratch space. */
	*out = d->scratch != NULL ? d->scratch + start : "";
	*outlen = d->scratch_len - start;
	return 0;
}

/* One or more decimal digits. */
static int
json_digits(struct json_in *in)
{
	size_t start = in->pos;
	int c;

	while ((c = json_peek(in)) >= '0' && c <= '9')
		in->pos++;
	return in->pos > start ? 0 : -1;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?  (no value is kept) */
static int
json_number(struct json_in *in)
{
	int c;

	if (json_peek(in) == '-')
		in->pos++;
	if (json_peek(in) == '0')
		in->pos++;	/* a lone 0: "01" then fails as trailing bytes */
	else if (json_digits(in) == -1)
		return -1;
	if (json_peek(in) == '.') {
		in->pos++;
		if (json_digits(in) == -1)
			return -1;
	}
	if ((c = json_peek(in)) == 'e' || c == 'E') {
		in->pos++;
		if ((c = json_peek(in)) == '+' || c == '-')
			in->pos++;
		if (json_digits(in) == -1)
			return -1;
	}
	return 0;
}

/* The literal word, exactly; what follows is judged by the caller. */
static int
json_literal(struct json_in *in, const char *word)
{
	size_t n = strlen(word);

	if (in->len - in->pos < n || memcmp(in->s + in->pos, word, n) != 0)
		return -1;
	in->pos += n;
	return 0;
}

/* Hang child under parent, after *last. */
static void
json_link(struct json_doc *d, int parent, int *last, int child)
{
	if (*last == -1)
		d->nodes[parent].first = child;
	else
		d->nodes[*last].next = child;
	*last = child;
}

/*
 * Mark every member whose key repeats later in the object: Go decodes
 * into a map, so the last one wins.  Quadratic in the member count, which
 * the caller's node storage bounds.
 */
static void
json_shadow(struct json_doc *d, int obj)
{
	struct json_node *a, *b;
	int i, j;

	for (i = d->nodes[obj].first; i != -1; i = d->nodes[i].next) {
		a = &d->nodes[i];
		for (j = a->next; j != -1; j = d->nodes[j].next) {
			b = &d->nodes[j];
			if (a->key_len == b->key_len &&
			    memcmp(a->key, b->key, a->key_len) == 0) {
				a->shadowed = 1;
				break;
			}
		}
	}
}

/* Members of the object node self; in->pos is on the '{'. */
static int
json_object(struct json_in *in, int self, int depth)
{
	struct json_doc *d = in->doc;
	const char *key;
	size_t klen;
	int child, last = -1, c;

	in->pos++;
	json_ws(in);
	if (json_peek(in) == '}') {
		in->pos++;
		return 0;
	}
	for (;;) {
		json_ws(in);
		if (json_peek(in) != '"' || json_string(in, &key, &klen) == -1)
			return -1;
		json_ws(in);
		if (json_peek(in) != ':')
			return -1;
		in->pos++;
		if ((child = json_value(in, self, depth + 1)) == -1)
			return -1;
		d->nodes[child].key = key;
		d->nodes[child].key_len = klen;
		json_link(d, self, &last, child);
		if ((c = json_peek(in)) != ',' && c != '}')
			return -1;
		in->pos++;
		if (c == '}')
			break;
	}
	json_shadow(d, self);
	return 0;
}

/* Elements of the array node self; in->pos is on the '['. */
static int
json_array(struct json_in *in, int self, int depth)
{
	int child, last = -1, c;

	in->pos++;
	json_ws(in);
	if (json_peek(in) == ']') {
		in->pos++;
		return 0;
	}
	for (;;) {
		if ((child = json_value(in, self, depth + 1)) == -1)
			return -1;
		json_link(in->doc, self, &last, child);
		if ((c = json_peek(in)) != ',' && c != ']')
			return -1;
		in->pos++;
		if (c == ']')
			return 0;
	}
}

/*
 * One value with the whitespace around it; depth counts the containers
 * enclosing it.  Returns its node index or -1.
 */
static int
json_value(struct json_in *in, int parent, int depth)
{
	struct json_node *n;
	int self, rc;

	json_ws(in);
	switch (json_peek(in)) {
	case '{':
	case '[':
		if (depth >= JSON_MAX_DEPTH)
			return -1;
		if ((self = json_node_new(in, json_peek(in) == '{' ?
		    JSON_OBJECT : JSON_ARRAY, parent)) == -1)
			return -1;
		rc = in->doc->nodes[self].type == JSON_OBJECT ?
		    json_object(in, self, depth) : json_array(in, self, depth);
		break;
	case '"':
		if ((self = json_node_new(in, JSON_STRING, parent)) == -1)
			return -1;
		n = &in->doc->nodes[self];
		rc = json_string(in, &n->str, &n->str_len);
		break;
	case 't':
	case 'f':
		if ((self = json_node_new(in, JSON_BOOL, parent)) == -1)
			return -1;
		n = &in->doc->nodes[self];
		n->boolean = json_peek(in) == 't';
		rc = json_literal(in, n->boolean ? "true" : "false");
		break;
	case 'n':
		if ((self = json_node_new(in, JSON_NULL, parent)) == -1)
			return -1;
		rc = json_literal(in, "null");
		break;
	default:
		if ((self = json_node_new(in, JSON_NUMBER, parent)) == -1)
			return -1;
		rc = json_number(in);
		break;
	}
	if (rc == -1)
		return -1;
	json_ws(in);
	return self;
}

/*
 * Parse text[0..len) into doc: node 0 is the root, nodes are stored in
 * document order, decoded strings and keys live in doc->scratch.  The
 * caller sets nodes/cap and scratch/scratch_cap; n and scratch_len are
 * reset here.  Returns 0, or -1 (with doc->n = 0) unless the text is
 * exactly one valid JSON value within JSON_MAX_DEPTH nested containers
 * that fits the storage.
 */
int
json_parse(const char *text, size_t len, struct json_doc *doc)
{
	struct json_in in;

	if (doc == NULL)
		return -1;
	doc->n = 0;
	doc->scratch_len = 0;
	if (text == NULL || doc->nodes == NULL)
		return -1;
	in = (struct json_in){ .s = text, .len = len, .pos = 0, .doc = doc };
	if (json_value(&in, -1, 0) == -1 || in.pos != in.len) {
		/* Nobody may walk a half-built tree. */
		doc->n = 0;
		return -1;
	}
	return 0;
}
