/*
 * fuzz_body.c - the strict body reader (gojson.h) and the body policy
 * (body_policy.h).
 *
 * Input: one byte choosing the route kind and policy, then the body.
 * Properties:
 *  - reading is deterministic: a second read of the same bytes gives the
 *    same events (keys, strings, numbers, structure) and the same verdict;
 *  - what the reader accepts, written out again canonically (every string
 *    re-escaped), reads back as the same events and is judged the same
 *    way: escapes, UTF-8 and structure cannot make one text mean two
 *    things to sockward;
 *  - the verdict is 0, 400 or 403, and a 403 names a field.
 */
#include "fuzz_common.h"

#include "body_policy.h"
#include "gojson.h"

struct digest {
	uint64_t h;
	size_t	 events;
	/* The canonical rewrite, when out != NULL. */
	char	*out;
	size_t	 len, cap;
	int	 need_comma[GJ_MAX_DEPTH + 2];
	int	 depth;
	int	 after_key;
};

static void
dg_mix(struct digest *d, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t	i;

	for (i = 0; i < n; i++) {
		d->h ^= s[i];
		d->h *= 1099511628211ULL;
	}
}

static void
dg_put(struct digest *d, const char *s, size_t n)
{
	if (d->out == NULL)
		return;
	if (d->len + n > d->cap) {
		d->cap = (d->len + n) * 2 + 64;
		if ((d->out = realloc(d->out, d->cap)) == NULL)
			abort();
	}
	memcpy(d->out + d->len, s, n);
	d->len += n;
}

static void
dg_string(struct digest *d, const char *s, size_t n)
{
	char	 esc[8];
	size_t	 i;

	dg_put(d, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			dg_put(d, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			dg_put(d, esc, 6);
		} else
			dg_put(d, (const char *)&c, 1);
	}
	dg_put(d, "\"", 1);
}

/* Before a value or key: the separator its position needs. */
static void
dg_sep(struct digest *d)
{
	if (d->after_key) {
		d->after_key = 0;
		return;
	}
	if (d->depth > 0 && d->need_comma[d->depth])
		dg_put(d, ",", 1);
	if (d->depth > 0)
		d->need_comma[d->depth] = 1;
}

static int
dg_event(void *arg, enum gj_event ev, const char *s, size_t n)
{
	struct digest *d = arg;
	unsigned char e = (unsigned char)ev;

	FUZZ_CHECK(s[n] == '\0', "event text not terminated");
	d->events++;
	dg_mix(d, &e, 1);
	dg_mix(d, &n, sizeof(n));
	dg_mix(d, s, n);
	switch (ev) {
	case GJ_OBJECT:
	case GJ_ARRAY:
		dg_sep(d);
		dg_put(d, ev == GJ_OBJECT ? "{" : "[", 1);
		FUZZ_CHECK(d->depth < GJ_MAX_DEPTH + 1, "too deep");
		d->need_comma[++d->depth] = 0;
		break;
	case GJ_OBJECT_END:
	case GJ_ARRAY_END:
		dg_put(d, ev == GJ_OBJECT_END ? "}" : "]", 1);
		d->depth--;
		break;
	case GJ_KEY:
		dg_sep(d);
		dg_string(d, s, n);
		dg_put(d, ":", 1);
		d->after_key = 1;
		break;
	case GJ_STRING:
		dg_sep(d);
		dg_string(d, s, n);
		break;
	case GJ_NUMBER:
		dg_sep(d);
		dg_put(d, s, n);
		break;
	case GJ_TRUE:
		dg_sep(d);
		dg_put(d, "true", 4);
		break;
	case GJ_FALSE:
		dg_sep(d);
		dg_put(d, "false", 5);
		break;
	case GJ_NULL:
		dg_sep(d);
		dg_put(d, "null", 4);
		break;
	}
	return 0;
}

static int
read_digest(const char *p, size_t n, struct digest *d, int rewrite)
{
	struct gj_error err;

	memset(d, 0, sizeof(*d));
	d->h = 14695981039346656037ULL;
	if (rewrite && (d->out = malloc(64)) == NULL)
		abort();
	d->cap = rewrite ? 64 : 0;
	return gj_read(p, n, dg_event, d, &err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum body_kind kinds[] = { BODY_K_CREATE, BODY_K_UPDATE,
	    BODY_K_START, BODY_K_EXEC, BODY_K_VOLUME, BODY_K_SERVICE };
	struct body_policy pol;
	struct body_verdict v1, v2, v3;
	struct digest a, b, c;
	enum body_kind k;
	const char *why;
	char	*body;
	int	 ra, rb, rc, s1, s2, s3;

	/* Also keeps k's type honest if the kinds grow. */

	if (size < 1)
		return 0;
	k = kinds[data[0] % 6];
	body_policy_init(&pol, "fuzz");
	if (data[0] & 0x40) {
		FUZZ_CHECK(body_policy_add_host_path(&pol, "/srv/data:rw",
		    &why) == 0, "%s", why);
		FUZZ_CHECK(body_policy_add_host_path(&pol, "/etc/ro", &why) == 0,
		    "%s", why);
		FUZZ_CHECK(body_policy_add_cap(&pol, "net_admin", &why) == 0,
		    "%s", why);
		FUZZ_CHECK(body_policy_add_driver(&pol, "rexray", &why) == 0,
		    "%s", why);
	}
	body = fuzz_dup(data + 1, size - 1, 0);

	ra = read_digest(body, size - 1, &a, 1);
	rb = read_digest(body, size - 1, &b, 0);
	FUZZ_CHECK(ra == rb && a.h == b.h && a.events == b.events,
	    "two reads of the same bytes differ");
	s1 = body_judge(&pol, k, body, size - 1, &v1);
	s2 = body_judge(&pol, k, body, size - 1, &v2);
	FUZZ_CHECK(s1 == s2 && strcmp(v1.field, v2.field) == 0 &&
	    strcmp(v1.message, v2.message) == 0, "two verdicts differ");
	FUZZ_CHECK(s1 == 0 || s1 == 400 || s1 == 403, "status %d", s1);
	FUZZ_CHECK(s1 != 403 || v1.field[0] != '\0', "403 without a field");
	if (ra == 0) {
		rc = read_digest(a.out, a.len, &c, 0);
		FUZZ_CHECK(rc == 0 && c.h == a.h && c.events == a.events,
		    "the canonical rewrite reads differently: %.*s",
		    (int)(a.len > 200 ? 200 : a.len), a.out);
		s3 = body_judge(&pol, k, a.out, a.len, &v3);
		FUZZ_CHECK(s3 == s1 && strcmp(v3.field, v1.field) == 0,
		    "the canonical rewrite is judged differently (%d %s, "
		    "%d %s)", s1, v1.field, s3, v3.field);
	} else {
		/* What the reader refuses, the policy never lets through
		 * (only a blank body, which dockerd applies nothing from). */
		size_t	i;

		for (i = 1; i < size && (data[i] == ' ' || data[i] == '\t' ||
		    data[i] == '\n' || data[i] == '\r'); i++)
			;
		FUZZ_CHECK(s1 != 0 || i == size, "a refused read was allowed");
	}
	free(a.out);
	free(body);
	return 0;
}
