/*
 * metrics.c - the registry and its text exposition (metrics.h).
 *
 * Per listener, fixed arrays; the two families whose label sets depend on
 * the config (denials by rule, body refusals by field) are sparse: small
 * open-addressing tables of packed keys, entries kept in the order they
 * were first counted so that a scrape lists them in a stable order.
 */
#include <stdlib.h>
#include <string.h>

#include "exchange.h"
#include "http_lex.h"
#include "metrics.h"

/* Verdicts, as the exchange record names them (exchange.c, judge.c). */
enum mx_verdict { MX_V_ALLOW = 0, MX_V_DENY, MX_V_WOULD_DENY, MX_V_REJECT,
	MX_V_LIMIT, MX_V_HIDDEN, MX_V_ERROR, MX_V_NONE, MX_V_N };
static const char *const mx_verdict_name[MX_V_N] = {
	"allow", "deny", "would_deny", "reject", "limit", "hidden", "error",
	"none"
};

/* Status classes: 1xx to 5xx, then anything else. */
#define MX_C_N	6
static const char *const mx_class_name[MX_C_N] = {
	"1xx", "2xx", "3xx", "4xx", "5xx", "other"
};

/* Reasons of the denials family: what decided (judge_why), else, for a
 * reject, its status. */
enum mx_reason {
	MX_R_RULE = 0, MX_R_DEFAULT, MX_R_VISIBLE, MX_R_BODY_ROUTE,
	MX_R_BODY_FIELD, MX_R_BODY_INVALID, MX_R_REVOKED, MX_R_STREAMS,
	MX_R_HIDDEN, MX_R_400, MX_R_408, MX_R_413, MX_R_414, MX_R_415,
	MX_R_417, MX_R_431, MX_R_501, MX_R_505, MX_R_OTHER, MX_R_N
};
static const char *const mx_reason_name[MX_R_N] = {
	"rule", "default_deny", "visible_labels", "body_endpoint",
	"body_field", "body_invalid", "revoked", "stream_limit",
	"hidden_object", "bad_request", "timeout", "body_too_large",
	"target_too_long", "unsupported_media_type", "expectation_failed",
	"head_too_large", "method_not_implemented", "version_not_supported",
	"other"
};

static const char *const mx_admit_name[METRICS_ADMIT_N] = {
	"not_admitted", "client_conns", "client_streams", "streams"
};

/*
 * Histogram buckets, microseconds, from head to first response byte.  A
 * local answer (a 403) or a relayed /_ping takes tens to hundreds of
 * microseconds on one host, so 0.5 ms is the first bound; inspects and
 * lists take 1 to 50 ms; creating, starting and stopping containers 0.1
 * to several seconds (a stop waits up to 10 s for its container before
 * dockerd answers); past 10 s the daemon is stuck, +Inf says enough.
 */
static const uint64_t mx_bucket_us[METRICS_NBUCKETS] = {
	500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000
};
static const char *const mx_bucket_le[METRICS_NBUCKETS] = {
	"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
	"0.25", "0.5", "1", "2.5", "5", "10"
};

/* Interned label values: index 0 is "", 1 is "(other)" (a full table). */
#define MX_NAME_EMPTY	0
#define MX_NAME_OTHER	1

struct mx_names {
	char		(*name)[METRICS_NAME_MAX];
	size_t		 n, cap, max;
	uint32_t	*slot;		/* index + 1, 0: free */
	size_t		 nslots;	/* a power of two, >= 2 * max */
};

/* A sparse counter family: packed key -> count. */
struct mx_sparse {
	struct mx_ent { uint32_t key; uint64_t n; } *ent;
	size_t		 n, cap, max;
	uint32_t	*slot;		/* index + 1, 0: free */
	size_t		 nslots;
};

struct mx_listener {
	char		 name[METRICS_NAME_MAX];
	uint64_t	 requests[MX_V_N][MX_C_N];
	uint64_t	 hist[METRICS_NBUCKETS + 1];	/* not cumulative */
	uint64_t	 hist_sum_us, hist_count;
	uint64_t	 bytes[2];	/* to the upstream, to clients */
	uint64_t	 filtered, redacted, dropped;
	uint64_t	 bad_gateway;
	uint64_t	 accepted;
	uint64_t	 admit[METRICS_ADMIT_N];
	uint64_t	 tls_failed;
	uint64_t	 conns, streams, hijacks;	/* gauges */
};

struct metrics {
	struct mx_listener l[METRICS_MAX_LISTENERS];
	size_t		 nl;
	char		 version[METRICS_NAME_MAX];
	int64_t		 start_time;
	uint64_t	 up_connect_failed;
	uint64_t	 up_open;	/* gauge */
	uint64_t	 reloads[2];	/* failure, success */
	int		 reload_ok;
	int64_t		 reload_time;	/* of the last success */
	uint64_t	 dropped;	/* denials not counted: table full */
	struct mx_names	 rules, fields;
	struct mx_sparse denials, bodies;
};

/* ---- small tables ---- */

static size_t
mx_pow2(size_t n)
{
	size_t	p = 16;

	while (p < n)
		p <<= 1;
	return p;
}

static uint32_t
mx_hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static uint32_t
mx_hash_key(uint32_t k)
{
	k ^= k >> 16;
	k *= 0x7feb352du;
	k ^= k >> 15;
	k *= 0x846ca68bu;
	return k ^ (k >> 16);
}

static int
mx_names_init(struct mx_names *t, size_t max)
{
	t->max = max + 2;
	t->nslots = mx_pow2(2 * t->max);
	t->slot = calloc(t->nslots, sizeof(*t->slot));
	t->cap = 16;
	t->name = calloc(t->cap, sizeof(*t->name));
	if (t->slot == NULL || t->name == NULL)
		return -1;
	/* "" and "(other)" are found by index, never by name. */
	strcpy(t->name[MX_NAME_OTHER], "(other)");
	t->n = 2;
	return 0;
}

static void
mx_names_free(struct mx_names *t)
{
	free(t->slot);
	free(t->name);
}

/* The index of s (cut to METRICS_NAME_MAX - 1 bytes), added when new;
 * MX_NAME_OTHER when the table is full or out of memory. */
static uint32_t
mx_intern(struct mx_names *t, const char *s)
{
	char	 key[METRICS_NAME_MAX];
	size_t	 i, k = strlen(s);
	uint32_t idx;
	void	*p;

	if (k == 0)
		return MX_NAME_EMPTY;
	if (k >= sizeof(key))
		k = sizeof(key) - 1;
	memcpy(key, s, k);
	key[k] = '\0';
	for (i = mx_hash_str(key) & (t->nslots - 1);; i = (i + 1) &
	    (t->nslots - 1)) {
		if (t->slot[i] == 0)
			break;
		idx = t->slot[i] - 1;
		if (strcmp(t->name[idx], key) == 0)
			return idx;
	}
	if (t->n == t->max)
		return MX_NAME_OTHER;
	if (t->n == t->cap) {
		if ((p = realloc(t->name, 2 * t->cap * sizeof(*t->name))) ==
		    NULL)
			return MX_NAME_OTHER;
		t->name = p;
		t->cap *= 2;
	}
	memcpy(t->name[t->n], key, k + 1);
	t->slot[i] = (uint32_t)t->n + 1;
	return (uint32_t)t->n++;
}

static int
mx_sparse_init(struct mx_sparse *t, size_t max)
{
	t->max = max;
	t->nslots = mx_pow2(2 * max);
	t->slot = calloc(t->nslots, sizeof(*t->slot));
	return t->slot == NULL ? -1 : 0;
}

static void
mx_sparse_free(struct mx_sparse *t)
{
	free(t->slot);
	free(t->ent);
}

/* The counter of key, added at 0 when new; NULL when the table is full
 * or out of memory. */
static uint64_t *
mx_sparse_get(struct mx_sparse *t, uint32_t key)
{
	size_t	 i;
	void	*p;

	for (i = mx_hash_key(key) & (t->nslots - 1);; i = (i + 1) &
	    (t->nslots - 1)) {
		if (t->slot[i] == 0)
			break;
		if (t->ent[t->slot[i] - 1].key == key)
			return &t->ent[t->slot[i] - 1].n;
	}
	if (t->n == t->max)
		return NULL;
	if (t->n == t->cap) {
		size_t cap = t->cap == 0 ? 32 : 2 * t->cap;

		if ((p = realloc(t->ent, cap * sizeof(*t->ent))) == NULL)
			return NULL;
		t->ent = p;
		t->cap = cap;
	}
	t->ent[t->n].key = key;
	t->ent[t->n].n = 0;
	t->slot[i] = (uint32_t)t->n + 1;
	return &t->ent[t->n++].n;
}

/* Denial keys: listener (5 bits), verdict (3), reason (5), rule (11). */
#define MX_DKEY(l, v, r, rule) \
	((uint32_t)(l) << 19 | (uint32_t)(v) << 16 | (uint32_t)(r) << 11 | \
	(uint32_t)(rule))
/* Body refusal keys: listener, field. */
#define MX_BKEY(l, f)	((uint32_t)(l) << 16 | (uint32_t)(f))

/* ---- the registry ---- */

static void
mx_copy(char *dst, const char *src)
{
	size_t	k = strlen(src);

	if (k >= METRICS_NAME_MAX)
		k = METRICS_NAME_MAX - 1;
	memcpy(dst, src, k);
	dst[k] = '\0';
}

struct metrics *
metrics_new(const char *const *names, size_t n, const char *version,
    int64_t start_time)
{
	struct metrics *m;
	size_t	 i;

	if (n == 0 || n > METRICS_MAX_LISTENERS ||
	    (m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->nl = n;
	for (i = 0; i < n; i++)
		mx_copy(m->l[i].name, names[i]);
	mx_copy(m->version, version);
	m->start_time = start_time;
	/* The config loaded at start-up counts as the last good one. */
	m->reload_ok = 1;
	m->reload_time = start_time;
	if (mx_names_init(&m->rules, METRICS_MAX_RULES) == -1 ||
	    mx_names_init(&m->fields, METRICS_MAX_FIELDS) == -1 ||
	    mx_sparse_init(&m->denials, METRICS_MAX_SERIES) == -1 ||
	    mx_sparse_init(&m->bodies, METRICS_MAX_LISTENERS *
	    (METRICS_MAX_FIELDS + 2)) == -1) {
		metrics_free(m);
		return NULL;
	}
	return m;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	mx_names_free(&m->rules);
	mx_names_free(&m->fields);
	mx_sparse_free(&m->denials);
	mx_sparse_free(&m->bodies);
	free(m);
}

static enum mx_verdict
mx_verdict_of(const char *v)
{
	int	i;

	if (v == NULL)
		return MX_V_NONE;
	for (i = 0; i < MX_V_NONE; i++)
		if (strcmp(v, mx_verdict_name[i]) == 0)
			return (enum mx_verdict)i;
	return MX_V_NONE;
}

static enum mx_reason
mx_reason_of(enum mx_verdict v, enum judge_why why, int status)
{
	static const enum mx_reason by_why[JUDGE_WHY_COUNT] = {
		[JUDGE_WHY_NONE] = MX_R_OTHER,
		[JUDGE_WHY_RULE] = MX_R_RULE,
		[JUDGE_WHY_DEFAULT] = MX_R_DEFAULT,
		[JUDGE_WHY_VISIBLE] = MX_R_VISIBLE,
		[JUDGE_WHY_BODY_ROUTE] = MX_R_BODY_ROUTE,
		[JUDGE_WHY_BODY_FIELD] = MX_R_BODY_FIELD,
		[JUDGE_WHY_BODY_INVALID] = MX_R_BODY_INVALID,
		[JUDGE_WHY_REVOKED] = MX_R_REVOKED,
		[JUDGE_WHY_STREAMS] = MX_R_STREAMS,
		[JUDGE_WHY_HIDDEN] = MX_R_HIDDEN,
	};

	if (v == MX_V_LIMIT)
		return MX_R_STREAMS;
	if (v == MX_V_HIDDEN)
		return MX_R_HIDDEN;
	/* A reject is said by its status, but for a refused body: what
	 * an audit-mode request was first judged is no longer the point. */
	if (v == MX_V_REJECT && why != JUDGE_WHY_BODY_INVALID) {
		switch (status) {
		case 400: return MX_R_400;
		case 408: return MX_R_408;
		case 413: return MX_R_413;
		case 414: return MX_R_414;
		case 415: return MX_R_415;
		case 417: return MX_R_417;
		case 431: return MX_R_431;
		case 501: return MX_R_501;
		case 505: return MX_R_505;
		default: return MX_R_OTHER;
		}
	}
	if ((unsigned)why >= JUDGE_WHY_COUNT)
		return MX_R_OTHER;
	return by_why[why];
}

static void
mx_observe(struct mx_listener *L, uint64_t us)
{
	size_t	b;

	for (b = 0; b < METRICS_NBUCKETS && us > mx_bucket_us[b]; b++)
		;
	L->hist[b]++;
	L->hist_sum_us += us;
	L->hist_count++;
}

void
metrics_record(struct metrics *m, unsigned l, const struct exchange_rec *r)
{
	struct mx_listener *L;
	enum mx_verdict v;
	enum mx_reason why;
	char	 f[METRICS_NAME_MAX];
	uint64_t *n;
	uint32_t rule, field;
	int	 c;

	if (m == NULL || l >= m->nl)
		return;
	L = &m->l[l];
	v = mx_verdict_of(r->verdict);
	c = r->status >= 100 && r->status < 600 ? r->status / 100 - 1 :
	    MX_C_N - 1;
	L->requests[v][c]++;
	if (r->t_first != 0 && r->t_first >= r->t_start)
		mx_observe(L, r->t_first - r->t_start);
	if (r->filtered) {
		L->filtered++;
		L->redacted += r->redacted;
		L->dropped += r->dropped;
	}
	if (v == MX_V_ERROR && r->status == 502)
		L->bad_gateway++;
	if (v == MX_V_ALLOW || v == MX_V_ERROR || v == MX_V_NONE)
		return;
	why = mx_reason_of(v, r->why, r->status);
	rule = mx_intern(&m->rules, r->rule_id);
	if ((n = mx_sparse_get(&m->denials, MX_DKEY(l, v, why, rule))) ==
	    NULL)
		m->dropped++;
	else
		(*n)++;
	if (v == MX_V_LIMIT || v == MX_V_HIDDEN ||
	    (r->field[0] == '\0' && r->why != JUDGE_WHY_BODY_ROUTE &&
	    r->why != JUDGE_WHY_BODY_FIELD && r->why != JUDGE_WHY_BODY_INVALID))
		return;
	metrics_field_label(f, sizeof(f), r->field);
	if (f[0] == '\0')
		mx_copy(f, r->why == JUDGE_WHY_BODY_ROUTE ? "(endpoint)" :
		    "(invalid)");
	field = mx_intern(&m->fields, f);
	if ((n = mx_sparse_get(&m->bodies, MX_BKEY(l, field))) == NULL)
		m->dropped++;
	else
		(*n)++;
}

uint64_t *
metrics_bytes_ctr(struct metrics *m, unsigned l)
{
	if (m == NULL || l >= m->nl)
		return NULL;
	return m->l[l].bytes;
}

void
metrics_accepted(struct metrics *m, unsigned l)
{
	if (m != NULL && l < m->nl)
		m->l[l].accepted++;
}

void
metrics_admission_refused(struct metrics *m, unsigned l,
    enum metrics_admit why)
{
	if (m != NULL && l < m->nl && (unsigned)why < METRICS_ADMIT_N)
		m->l[l].admit[why]++;
}

void
metrics_tls_handshake_failed(struct metrics *m, unsigned l)
{
	if (m != NULL && l < m->nl)
		m->l[l].tls_failed++;
}

void
metrics_upstream_connect_failed(struct metrics *m)
{
	if (m != NULL)
		m->up_connect_failed++;
}

void
metrics_reload(struct metrics *m, int ok, int64_t now)
{
	if (m == NULL)
		return;
	m->reloads[ok != 0]++;
	m->reload_ok = ok != 0;
	if (ok)
		m->reload_time = now;
}

void
metrics_gauges_clear(struct metrics *m)
{
	size_t	i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nl; i++)
		m->l[i].conns = m->l[i].streams = m->l[i].hijacks = 0;
	m->up_open = 0;
}

void
metrics_gauge_conn(struct metrics *m, unsigned l, int streaming,
    int hijacked)
{
	if (m == NULL || l >= m->nl)
		return;
	m->l[l].conns++;
	if (hijacked)
		m->l[l].hijacks++;
	else if (streaming)
		m->l[l].streams++;
}

void
metrics_gauge_upstreams(struct metrics *m, uint64_t n)
{
	if (m != NULL)
		m->up_open = n;
}

/* ---- label values ---- */

/* Length of the well-formed UTF-8 character at s[0..n), or 0. */
static size_t
mx_utf8_len(const unsigned char *s, size_t n)
{
	size_t	 k, i;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4, c = s[0] & 0x07;
	else
		return 0;
	if (k > n)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and code points past U+10FFFF. */
	if ((k == 3 && c < 0x800) || (k == 4 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return k;
}

size_t
metrics_escape(char *dst, size_t cap, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t	 n = strlen(s), i = 0, w = 0, k;

	while (i < n) {
		k = mx_utf8_len(p + i, n - i);
		if (k == 0 || (k == 1 && (p[i] < 0x20 || p[i] == 0x7f) &&
		    p[i] != '\n')) {
			if (w + 1 >= cap)
				break;
			dst[w++] = '?';
			i += k == 0 ? 1 : k;
			continue;
		}
		if (k == 1 && (p[i] == '\\' || p[i] == '"' || p[i] == '\n')) {
			if (w + 2 >= cap)
				break;
			dst[w++] = '\\';
			dst[w++] = p[i] == '\n' ? 'n' : (char)p[i];
			i++;
			continue;
		}
		if (w + k >= cap)
			break;
		memcpy(dst + w, p + i, k);
		w += k;
		i += k;
	}
	dst[w] = '\0';
	return w;
}

size_t
metrics_field_label(char *dst, size_t cap, const char *f)
{
	size_t	 i, w = 0, n = strlen(f);
	char	 ch;

	for (i = 0; i < n;) {
		ch = f[i];
		if (ch == '[') {
			/* An index "[3]" or a map key ["..."] as body_policy.c
			 * shows it: quotes and backslashes escaped. */
			i++;
			if (i < n && f[i] == '"') {
				for (i++; i < n && !(f[i] == '"' &&
				    (i + 1 == n || f[i + 1] == ']')); i++)
					if (f[i] == '\\')
						i++;
				i++;
			}
			while (i < n && f[i] != ']')
				i++;
			i++;
			if (w + 2 >= cap)
				break;
			dst[w++] = '[';
			dst[w++] = ']';
			continue;
		}
		i++;
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_'))
			continue;
		if (w + 1 >= cap)
			break;
		dst[w++] = ch;
	}
	dst[w] = '\0';
	return w;
}

/* ---- rendering ---- */

static void
mt_put(struct metrics_text *t, const char *s, size_t n)
{
	size_t	 cap;
	char	*p;

	if (t->failed)
		return;
	if (t->len + n > t->cap) {
		cap = t->cap == 0 ? 16384 : t->cap;
		while (cap < t->len + n)
			cap *= 2;
		if (cap > METRICS_MAX_OUTPUT || (p = realloc(t->data, cap)) ==
		    NULL) {
			t->failed = 1;
			return;
		}
		t->data = p;
		t->cap = cap;
	}
	memcpy(t->data + t->len, s, n);
	t->len += n;
}

static void
mt_puts(struct metrics_text *t, const char *s)
{
	mt_put(t, s, strlen(s));
}

/* v in decimal; with frac digits, v is in 10^-frac units. */
static void
mt_putu(struct metrics_text *t, uint64_t v, int frac)
{
	char	 buf[LEX_FIXED_MAX];

	mt_put(t, buf, lex_fixed(buf, v, frac));
}

static void
mt_puti(struct metrics_text *t, int64_t v)
{
	if (v < 0) {
		mt_puts(t, "-");
		mt_putu(t, (uint64_t)-(v + 1) + 1, 0);
	} else
		mt_putu(t, (uint64_t)v, 0);
}

static void
mt_family(struct metrics_text *t, const char *name, const char *type,
    const char *help)
{
	mt_puts(t, "# HELP ");
	mt_puts(t, name);
	mt_puts(t, " ");
	mt_puts(t, help);
	mt_puts(t, "\n# TYPE ");
	mt_puts(t, name);
	mt_puts(t, " ");
	mt_puts(t, type);
	mt_puts(t, "\n");
}

/* ',' (unless first) then key="escaped value". */
static void
mt_label(struct metrics_text *t, int first, const char *key, const char *val)
{
	char	 esc[2 * METRICS_NAME_MAX + 1];

	if (!first)
		mt_puts(t, ",");
	mt_puts(t, key);
	mt_puts(t, "=\"");
	mt_put(t, esc, metrics_escape(esc, sizeof(esc), val));
	mt_puts(t, "\"");
}

/* name{listener="L"} v, or name{listener="L",key="val"} v. */
static void
mt_sample_l(struct metrics_text *t, const char *name,
    const struct mx_listener *L, const char *key, const char *val,
    uint64_t v)
{
	mt_puts(t, name);
	mt_puts(t, "{");
	mt_label(t, 1, "listener", L->name);
	if (key != NULL)
		mt_label(t, 0, key, val);
	mt_puts(t, "} ");
	mt_putu(t, v, 0);
	mt_puts(t, "\n");
}

/* One counter or gauge per listener, from the field at offset off. */
static void
mt_per_listener(struct metrics_text *t, const struct metrics *m,
    const char *name, const char *type, const char *help, size_t off)
{
	size_t	 i;

	mt_family(t, name, type, help);
	for (i = 0; i < m->nl; i++)
		mt_sample_l(t, name, &m->l[i], NULL, NULL,
		    *(const uint64_t *)(const void *)((const char *)&m->l[i] +
		    off));
}

static void
mt_global(struct metrics_text *t, const char *name, const char *type,
    const char *help, uint64_t v)
{
	mt_family(t, name, type, help);
	mt_puts(t, name);
	mt_puts(t, " ");
	mt_putu(t, v, 0);
	mt_puts(t, "\n");
}

static void
mt_requests(struct metrics_text *t, const struct metrics *m)
{
	static const char name[] = "sockward_requests_total";
	size_t	 i, v, c;

	mt_family(t, name, "counter", "Requests by listener, verdict "
	    "(allow, deny, would_deny, reject, limit, hidden, error, none) "
	    "and status class of the answer.");
	for (i = 0; i < m->nl; i++)
		for (v = 0; v < MX_V_N; v++)
			for (c = 0; c < MX_C_N; c++) {
				if (m->l[i].requests[v][c] == 0)
					continue;
				mt_puts(t, name);
				mt_puts(t, "{");
				mt_label(t, 1, "listener", m->l[i].name);
				mt_label(t, 0, "verdict", mx_verdict_name[v]);
				mt_label(t, 0, "status_class",
				    mx_class_name[c]);
				mt_puts(t, "} ");
				mt_putu(t, m->l[i].requests[v][c], 0);
				mt_puts(t, "\n");
			}
}

static void
mt_histogram(struct metrics_text *t, const struct metrics *m)
{
	static const char name[] = "sockward_request_duration_seconds";
	const struct mx_listener *L;
	uint64_t cum;
	size_t	 i, b;

	mt_family(t, name, "histogram", "Time from a request head to the "
	    "first byte of its answer, by listener.");
	for (i = 0; i < m->nl; i++) {
		L = &m->l[i];
		for (cum = 0, b = 0; b <= METRICS_NBUCKETS; b++) {
			cum += L->hist[b];
			mt_puts(t, name);
			mt_puts(t, "_bucket{");
			mt_label(t, 1, "listener", L->name);
			mt_label(t, 0, "le", b < METRICS_NBUCKETS ?
			    mx_bucket_le[b] : "+Inf");
			mt_puts(t, "} ");
			mt_putu(t, cum, 0);
			mt_puts(t, "\n");
		}
		mt_puts(t, name);
		mt_puts(t, "_sum{");
		mt_label(t, 1, "listener", L->name);
		mt_puts(t, "} ");
		mt_putu(t, L->hist_sum_us, 6);
		mt_puts(t, "\n");
		mt_puts(t, name);
		mt_puts(t, "_count{");
		mt_label(t, 1, "listener", L->name);
		mt_puts(t, "} ");
		mt_putu(t, L->hist_count, 0);
		mt_puts(t, "\n");
	}
}

static void
mt_denials(struct metrics_text *t, const struct metrics *m)
{
	static const char name[] = "sockward_denials_total";
	const struct mx_ent *e;
	size_t	 i;

	mt_family(t, name, "counter", "Requests not forwarded as asked (deny, "
	    "reject, limit, hidden) and audit mode's would_deny, by listener, "
	    "verdict, reason and deciding rule (ORIGIN #N, \"\" when none).");
	for (i = 0; i < m->denials.n; i++) {
		e = &m->denials.ent[i];
		mt_puts(t, name);
		mt_puts(t, "{");
		mt_label(t, 1, "listener", m->l[e->key >> 19].name);
		mt_label(t, 0, "verdict", mx_verdict_name[e->key >> 16 & 7]);
		mt_label(t, 0, "reason", mx_reason_name[e->key >> 11 & 31]);
		mt_label(t, 0, "rule", m->rules.name[e->key & 2047]);
		mt_puts(t, "} ");
		mt_putu(t, e->n, 0);
		mt_puts(t, "\n");
	}
}

static void
mt_bodies(struct metrics_text *t, const struct metrics *m)
{
	static const char name[] = "sockward_body_refusals_total";
	const struct mx_ent *e;
	size_t	 i;

	mt_family(t, name, "counter", "Request bodies a body policy refused, "
	    "by listener and field (array indices and map keys as [], "
	    "(endpoint) for a route refused outright, (invalid) for a "
	    "malformed body).");
	for (i = 0; i < m->bodies.n; i++) {
		e = &m->bodies.ent[i];
		mt_sample_l(t, name, &m->l[e->key >> 16], "field",
		    m->fields.name[e->key & 0xffff], e->n);
	}
}

#define MX_OFF(f)	offsetof(struct mx_listener, f)

int
metrics_render(const struct metrics *m, struct metrics_text *t)
{
	size_t	 i, k;

	if (m == NULL)
		return 0;
	mt_family(t, "sockward_build_info", "gauge", "The running sockward's "
	    "version; always 1.");
	mt_puts(t, "sockward_build_info{");
	mt_label(t, 1, "version", m->version);
	mt_puts(t, "} 1\n");
	mt_family(t, "sockward_start_time_seconds", "gauge", "When sockward "
	    "started, in seconds since the epoch.");
	mt_puts(t, "sockward_start_time_seconds ");
	mt_puti(t, m->start_time);
	mt_puts(t, "\n");

	mt_requests(t, m);
	mt_histogram(t, m);
	mt_denials(t, m);
	mt_bodies(t, m);
	mt_per_listener(t, m, "sockward_filtered_responses_total", "counter",
	    "Responses that went through the response filter, by listener.",
	    MX_OFF(filtered));
	mt_per_listener(t, m, "sockward_redactions_total", "counter",
	    "Values the response filter redacted, by listener.",
	    MX_OFF(redacted));
	mt_per_listener(t, m, "sockward_hidden_elements_total", "counter",
	    "Elements the response filter dropped as hidden (visible "
	    "labels), by listener.", MX_OFF(dropped));

	mt_family(t, "sockward_bytes_total", "counter", "Bytes written, by "
	    "listener and direction: to_upstream (requests) or to_client "
	    "(responses).");
	for (i = 0; i < m->nl; i++)
		for (k = 0; k < 2; k++)
			mt_sample_l(t, "sockward_bytes_total", &m->l[i],
			    "direction", k == 0 ? "to_upstream" : "to_client",
			    m->l[i].bytes[k]);

	mt_per_listener(t, m, "sockward_bad_gateway_responses_total",
	    "counter", "502 answers sockward wrote itself (the Docker daemon "
	    "could not be reached, closed or answered badly), by listener.",
	    MX_OFF(bad_gateway));
	mt_global(t, "sockward_upstream_connect_errors_total", "counter",
	    "Connections to the Docker daemon that could not be opened.",
	    m->up_connect_failed);
	mt_global(t, "sockward_upstream_open_connections", "gauge",
	    "Connections to the Docker daemon open now.", m->up_open);
	mt_per_listener(t, m, "sockward_connections_accepted_total",
	    "counter", "Client connections admitted, by listener.",
	    MX_OFF(accepted));
	mt_per_listener(t, m, "sockward_open_connections", "gauge",
	    "Client connections open now, by listener.", MX_OFF(conns));
	mt_per_listener(t, m, "sockward_open_streams", "gauge", "Streaming "
	    "responses open now (logs, events, stats...), by listener.",
	    MX_OFF(streams));
	mt_per_listener(t, m, "sockward_open_hijacks", "gauge", "Hijacked "
	    "connections open now (attach, exec), by listener.",
	    MX_OFF(hijacks));

	mt_family(t, "sockward_admission_refusals_total", "counter",
	    "Clients and streams refused at the door, by listener and reason "
	    "(not_admitted, client_conns, client_streams, streams).");
	for (i = 0; i < m->nl; i++)
		for (k = 0; k < METRICS_ADMIT_N; k++)
			mt_sample_l(t, "sockward_admission_refusals_total",
			    &m->l[i], "reason", mx_admit_name[k],
			    m->l[i].admit[k]);
	mt_per_listener(t, m, "sockward_tls_handshake_failures_total",
	    "counter", "TLS handshakes that failed on tls:// addresses, by "
	    "listener.", MX_OFF(tls_failed));

	mt_family(t, "sockward_config_reloads_total", "counter", "SIGHUP "
	    "reloads of the config file, by result.");
	mt_puts(t, "sockward_config_reloads_total{result=\"success\"} ");
	mt_putu(t, m->reloads[1], 0);
	mt_puts(t, "\nsockward_config_reloads_total{result=\"failure\"} ");
	mt_putu(t, m->reloads[0], 0);
	mt_puts(t, "\n");
	mt_global(t, "sockward_config_last_reload_successful", "gauge",
	    "1 if the last reload succeeded (or none was tried), else 0.",
	    (uint64_t)m->reload_ok);
	mt_family(t, "sockward_config_last_reload_success_timestamp_seconds",
	    "gauge", "When the config in force was loaded, in seconds since "
	    "the epoch.");
	mt_puts(t, "sockward_config_last_reload_success_timestamp_seconds ");
	mt_puti(t, m->reload_time);
	mt_puts(t, "\n");
	mt_global(t, "sockward_metrics_dropped_total", "counter", "Refusals "
	    "not counted in sockward_denials_total or "
	    "sockward_body_refusals_total because their series cap was "
	    "reached.", m->dropped);
	return t->failed ? -1 : 0;
}

void
metrics_text_free(struct metrics_text *t)
{
	free(t->data);
	t->data = NULL;
	t->len = t->cap = 0;
	t->failed = 0;
}
