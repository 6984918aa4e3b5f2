/*
 * fuzz_jrewrite.c - the streaming response rewriter (jrewrite.h).
 *
 * Input: byte 0 picks the plan (bits 0-2: one of eight fixed plans, the
 * ones sockward uses and a few that combine redaction and selection),
 * the keep() policy (bits 3-4) and a small elem_max (bit 5); byte 1 the
 * split point (a fraction of the payload); the rest is the payload.
 * Properties:
 *  - feeding the payload split in two gives the output, verdict and
 *    counters of one feed; so do 1-byte pieces (payloads under 512
 *    bytes);
 *  - with out == NULL: the same verdict and counters, nothing buffered;
 *  - when feed and finish succeed, the output is valid JSON text (an
 *    independent validator below, same rules: values with whitespace
 *    between them, required after a top-level number) and no longer
 *    than the input; with the empty plan it is the input, byte for byte;
 *  - the element buffer never holds more than elem_max bytes;
 *  - jrw_free leaves nothing allocated (LeakSanitizer);
 *  - the payload is accepted exactly when the validator accepts it
 *    (unless the small elem_max refused it).
 */
#include "fuzz_common.h"

#include "jrewrite.h"

/* ---- An independent validator of JSON text (recursive, bounded). ---- */

struct v {
	const unsigned char *p, *e;
};

static void
v_ws(struct v *v)
{
	while (v->p < v->e && (*v->p == ' ' || *v->p == '\t' ||
	    *v->p == '\n' || *v->p == '\r'))
		v->p++;
}

static int
v_digits(struct v *v)
{
	const unsigned char *s = v->p;

	while (v->p < v->e && *v->p >= '0' && *v->p <= '9')
		v->p++;
	return v->p > s;
}

static int
v_value(struct v *v, int depth)
{
	int	 i;

	if (depth > JRW_MAX_DEPTH + 1 || v->p >= v->e)
		return 0;
	switch (*v->p) {
	case '{':
	case '[': {
		unsigned char close = *v->p == '{' ? '}' : ']';

		if (depth == JRW_MAX_DEPTH)
			return 0;
		v->p++;
		v_ws(v);
		if (v->p < v->e && *v->p == close) {
			v->p++;
			return 1;
		}
		for (;;) {
			if (close == '}') {
				if (v->p >= v->e || *v->p != '"' ||
				    !v_value(v, depth + 1))
					return 0;
				v_ws(v);
				if (v->p >= v->e || *v->p++ != ':')
					return 0;
				v_ws(v);
			}
			if (!v_value(v, depth + 1))
				return 0;
			v_ws(v);
			if (v->p >= v->e)
				return 0;
			if (*v->p == close) {
				v->p++;
				return 1;
			}
			if (*v->p++ != ',')
				return 0;
			v_ws(v);
		}
	}
	case '"':
		for (v->p++; v->p < v->e; v->p++) {
			if (*v->p == '"') {
				v->p++;
				return 1;
			}
			if (*v->p < 0x20)
				return 0;
			if (*v->p != '\\')
				continue;
			if (++v->p >= v->e)
				return 0;
			if (*v->p == 'u') {
				for (i = 0; i < 4; i++) {
					if (++v->p >= v->e ||
					    !((*v->p >= '0' && *v->p <= '9') ||
					    ((*v->p | 0x20) >= 'a' &&
					    (*v->p | 0x20) <= 'f')))
						return 0;
				}
			} else if (strchr("\"\\/bfnrt", *v->p) == NULL ||
			    *v->p == '\0')
				return 0;
		}
		return 0;
	case 't':
		if (v->e - v->p < 4 || memcmp(v->p, "true", 4) != 0)
			return 0;
		v->p += 4;
		return 1;
	case 'f':
		if (v->e - v->p < 5 || memcmp(v->p, "false", 5) != 0)
			return 0;
		v->p += 5;
		return 1;
	case 'n':
		if (v->e - v->p < 4 || memcmp(v->p, "null", 4) != 0)
			return 0;
		v->p += 4;
		return 1;
	default:
		if (*v->p == '-')
			v->p++;
		if (v->p < v->e && *v->p == '0')
			v->p++;
		else if (v->p >= v->e || *v->p < '1' || *v->p > '9' ||
		    !v_digits(v))
			return 0;
		if (v->p < v->e && *v->p == '.') {
			v->p++;
			if (!v_digits(v))
				return 0;
		}
		if (v->p < v->e && (*v->p == 'e' || *v->p == 'E')) {
			v->p++;
			if (v->p < v->e && (*v->p == '+' || *v->p == '-'))
				v->p++;
			if (!v_digits(v))
				return 0;
		}
		/* A top-level number needs whitespace (or the end) after. */
		if (depth == 0 && v->p < v->e && *v->p != ' ' &&
		    *v->p != '\t' && *v->p != '\n' && *v->p != '\r')
			return 0;
		return 1;
	}
}

static int
v_text(const char *s, size_t n)
{
	struct v v;

	if (n == 0)
		return 1;
	v.p = (const unsigned char *)s;
	v.e = v.p + n;
	for (;;) {
		v_ws(&v);
		if (v.p == v.e)
			return 1;
		if (!v_value(&v, 0))
			return 0;
	}
}

/* ---- Plans and keep policies. ---- */

static struct jrw_label fz_labels[3];

static void
fz_add(struct jrw_plan *p, const char *path, unsigned fl, int cap)
{
	char	err[128];

	FUZZ_CHECK(jrw_plan_add(p, path, fl, cap, err, sizeof(err)) == 0,
	    "%s: %s", path, err);
}

static void
fz_plan(struct jrw_plan *p, int which)
{
	char	err[128];

	jrw_plan_init(p);
	if (fz_labels[0].key[0] == '\0') {
		FUZZ_CHECK(jrw_label_parse("app", &fz_labels[0], err,
		    sizeof(err)) == 0, "%s", err);
		FUZZ_CHECK(jrw_label_parse("tier=web", &fz_labels[1], err,
		    sizeof(err)) == 0, "%s", err);
		FUZZ_CHECK(jrw_label_parse("e=\xc3\xa9", &fz_labels[2], err,
		    sizeof(err)) == 0, "%s", err);
	}
	p->label = fz_labels;
	p->nlabels = 3;
	switch (which) {
	case 0:		/* nothing: output is input */
		break;
	case 1:		/* GET /containers/json */
		fz_add(p, "*", JRW_N_SELECT, 0);
		fz_add(p, "*.Labels", JRW_N_LABELS, 0);
		fz_add(p, "*.NetworkSettings.Networks.*.DriverOpts",
		    JRW_N_REDACT, 0);
		break;
	case 2:		/* GET /containers/{id}/json */
		fz_add(p, "Config.Env", JRW_N_REDACT, 0);
		fz_add(p, "HostConfig.Mounts.*.VolumeOptions.DriverConfig."
		    "Options", JRW_N_REDACT, 0);
		fz_add(p, "NetworkSettings.Networks.*.DriverOpts",
		    JRW_N_REDACT, 0);
		break;
	case 3:		/* GET /events */
		fz_add(p, "", JRW_N_SELECT, 0);
		fz_add(p, "Actor.Attributes", JRW_N_LABELS, 0);
		fz_add(p, "Type", JRW_N_CAPTURE, 0);
		fz_add(p, "Actor.ID", JRW_N_CAPTURE, 1);
		break;
	case 4:		/* volumes, and '*' beside named keys */
		fz_add(p, "Volumes.*.Options", JRW_N_REDACT, 0);
		fz_add(p, "*.x", JRW_N_REDACT, 0);
		fz_add(p, "a.y", JRW_N_REDACT, 0);
		break;
	case 5:		/* everything redacted */
		fz_add(p, "", JRW_N_REDACT, 0);
		break;
	case 6:		/* a redacted list */
		fz_add(p, "*", JRW_N_SELECT, 0);
		fz_add(p, "", JRW_N_REDACT, 0);
		fz_add(p, "*.L", JRW_N_LABELS, 0);
		break;
	default:	/* elements redacted inside, a capture */
		fz_add(p, "*", JRW_N_SELECT, 0);
		fz_add(p, "*.*", JRW_N_REDACT, 0);
		fz_add(p, "*.Name", JRW_N_CAPTURE, 0);
		fz_add(p, "*.Labels", JRW_N_LABELS, 0);
		break;
	}
}

struct fz_keep {
	int	 mode;
	size_t	 calls;
	uint64_t h;		/* what keep() saw, hashed */
	struct jrw *w;
};

static int
fz_keep(void *arg, const struct jrw_elem *e)
{
	struct fz_keep *k = arg;
	int	 i, r;

	FUZZ_CHECK(k->w->ebuf_len <= k->w->elem_max, "ebuf %zu > %zu",
	    k->w->ebuf_len, k->w->elem_max);
	k->calls++;
	k->h = k->h * 31 + (uint64_t)(e->labels_seen * 2 + e->label_match);
	for (i = 0; i < JRW_MAX_CAPTURE; i++) {
		FUZZ_CHECK(e->capture_len[i] <= JRW_CAPTURE_MAX &&
		    strlen(e->capture[i]) <= e->capture_len[i], "capture %d", i);
		FUZZ_CHECK(e->present[i] || e->capture_len[i] == 0,
		    "capture %d absent with bytes", i);
		k->h = k->h * 31 + (uint64_t)e->present[i] * 7 +
		    e->capture_len[i] + (uint64_t)e->truncated[i] * 1000;
		if (e->capture_len[i] > 0)
			k->h = k->h * 31 + (unsigned char)e->capture[i][0];
	}
	switch (k->mode) {
	case 0:
		r = e->label_match;
		break;
	case 1:
		r = 1;
		break;
	case 2:
		r = 0;
		break;
	default:
		r = (k->calls & 1) != 0;
		break;
	}
	return r;
}

struct fz_res {
	int	 rc;
	struct jrw_out out;
	uint64_t kept, dropped, redacted, h;
	size_t	 calls;
};

/* Rewrite in[0..n) in pieces of at most piece bytes, or at cut. */
static void
fz_run(const struct jrw_plan *plan, int mode, size_t elem_max,
    const char *in, size_t n, size_t cut, size_t piece, int null_out,
    struct fz_res *res)
{
	struct fz_keep k = { mode, 0, 0, NULL };
	struct jrw w;
	size_t	 at = 0, to;

	memset(res, 0, sizeof(*res));
	k.w = &w;
	jrw_init(&w, plan, fz_keep, &k, elem_max);
	res->rc = 0;
	while (res->rc == 0) {
		if (piece > 0)
			to = n - at < piece ? n : at + piece;
		else
			to = at < cut ? cut : n;
		/* Each piece in its own exact-size block (ASan). */
		{
			char *b = fuzz_dup((const uint8_t *)in + at, to - at, 0);

			res->rc = jrw_feed(&w, b, to - at,
			    null_out ? NULL : &res->out);
			free(b);
		}
		FUZZ_CHECK(w.ebuf_len <= w.elem_max, "ebuf %zu > %zu",
		    w.ebuf_len, w.elem_max);
		if (null_out)
			FUZZ_CHECK(w.ebuf == NULL, "out NULL, ebuf held");
		at = to;
		if (at == n)
			break;
	}
	if (res->rc == 0)
		res->rc = jrw_finish(&w);
	if (res->rc != 0)
		FUZZ_CHECK(w.err != NULL, "failed without err");
	else
		FUZZ_CHECK(w.ebuf == NULL, "buffer held after the end");
	res->kept = w.kept;
	res->dropped = w.dropped;
	res->redacted = w.redacted;
	res->h = k.h;
	res->calls = k.calls;
	jrw_free(&w);
}

static void
fz_same(const struct fz_res *a, const struct fz_res *b, int out_too,
    const char *what)
{
	FUZZ_CHECK(a->rc == b->rc, "%s: rc %d vs %d", what, a->rc, b->rc);
	if (a->rc != 0)
		return;
	FUZZ_CHECK(a->kept == b->kept && a->dropped == b->dropped &&
	    a->redacted == b->redacted && a->calls == b->calls &&
	    a->h == b->h, "%s: counters or elements differ", what);
	if (out_too)
		FUZZ_CHECK(fuzz_same(a->out.data, a->out.len, b->out.data,
		    b->out.len), "%s: output differs (%zu vs %zu bytes)", what,
		    a->out.len, b->out.len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jrw_plan plan;
	struct fz_res one, two;
	const char *in;
	size_t	 n, cut, elem_max;
	int	 mode;

	if (size < 2)
		return 0;
	fz_plan(&plan, data[0] & 7);
	mode = (data[0] >> 3) & 3;
	elem_max = (data[0] & 0x20) ? 1 + data[1] % 64 : 1 << 20;
	in = (const char *)data + 2;
	n = size - 2;
	cut = n * data[1] / 255;

	fz_run(&plan, mode, elem_max, in, n, 0, 0, 0, &one);
	/* The rewriter's grammar is the validator's. */
	if (one.rc == 0)
		FUZZ_CHECK(v_text(in, n), "accepted a payload that is not "
		    "JSON text");
	else if (!(data[0] & 0x20))
		FUZZ_CHECK(!v_text(in, n), "refused JSON text");
	if (one.rc == 0) {
		FUZZ_CHECK(one.out.len <= n, "output longer than input");
		FUZZ_CHECK(v_text(one.out.data, one.out.len),
		    "output is not JSON text");
		if ((data[0] & 7) == 0)
			FUZZ_CHECK(fuzz_same(one.out.data, one.out.len, in, n),
			    "empty plan changed the payload");
	}
	fz_run(&plan, mode, elem_max, in, n, cut, 0, 0, &two);
	fz_same(&one, &two, 1, "split");
	free(two.out.data);
	if (n < 512) {
		fz_run(&plan, mode, elem_max, in, n, 0, 1, 0, &two);
		fz_same(&one, &two, 1, "1-byte pieces");
		free(two.out.data);
	}
	fz_run(&plan, mode, elem_max, in, n, cut, 0, 1, &two);
	fz_same(&one, &two, 0, "out NULL");
	FUZZ_CHECK(two.out.data == NULL, "out NULL yet written");
	free(one.out.data);
	return 0;
}
