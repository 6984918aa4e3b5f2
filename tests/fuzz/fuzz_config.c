/*
 * fuzz_config.c - cfg_parse on arbitrary text; on success the dump must
 * parse again and describe the same policy.
 *
 * Properties:
 *  - cfg_parse never reads past len; a failure leaves an error of the form
 *    "fuzz.conf:LINE: ..."; cfg_free is always called (LeakSanitizer);
 *  - dump1 = cfg_dump(parse(input)) parses again, and its dump2 equals
 *    dump1 except for two kinds of comment that legitimately change:
 *      "\t# policy NAME: ..."  NAME is the list of profiles a listener
 *                              used ("traefik+readonly"); in the dump the
 *                              profiles are expanded into allow/deny lines,
 *                              so the re-parse names the policy after the
 *                              listener instead;
 *      "\tRULE\t# ORIGIN"      ORIGIN is "profile traefik" or
 *                              "FILE:LINE" of the input; after the
 *                              re-parse it is the line in dump1;
 *    those comments are stripped from both dumps before comparing;
 *  - dump2 is a fixed point: parse(dump2) dumps byte-identically to dump2,
 *    comments included;
 *  - every listener has its response filter (cfg_listener_filters), and
 *    the re-parse filters alike: same effective redaction (auto may come
 *    back explicit), visible labels and redact clause plans.
 */
#include "fuzz_common.h"

#include "config.h"
#include "resp_filter.h"

struct text {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

static void
text_add(struct text *t, const char *s, size_t n)
{
	char *ns;

	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		if ((ns = realloc(t->s, t->cap)) == NULL)
			abort();
		t->s = ns;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void
dump_line(void *arg, const char *line)
{
	FUZZ_CHECK(strchr(line, '\n') == NULL, "newline inside a dump line");
	text_add(arg, line, strlen(line));
	text_add(arg, "\n", 1);
}

/* dump without the policy-name and rule-origin comments (see above). */
static void
strip_comments(const struct text *in, struct text *out)
{
	const char *p = in->s, *end = in->s + in->len, *nl, *c;
	size_t n;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)(nl - p);
		if (n > 10 && memcmp(p, "\t# policy ", 10) == 0) {
			/* Keep ": N rules, ..." and drop the name. */
			c = memchr(p, ':', n);
			FUZZ_CHECK(c != NULL, "policy line without ':'");
			text_add(out, "\t# policy", 9);
			text_add(out, c, (size_t)(nl - c));
		} else if ((n > 7 && memcmp(p, "\tallow ", 7) == 0) ||
		    (n > 6 && memcmp(p, "\tdeny ", 6) == 0)) {
			/* Rule text holds no tab, so the next one starts the
			 * origin comment. */
			c = memchr(p + 1, '\t', n - 1);
			FUZZ_CHECK(c != NULL && (size_t)(nl - c) >= 3 &&
			    memcmp(c, "\t# ", 3) == 0, "rule line without "
			    "origin");
			text_add(out, p, (size_t)(c - p));
		} else
			text_add(out, p, n);
		text_add(out, "\n", 1);
	}
}

static void
dump_to(const struct cfg *c, struct text *t)
{
	t->len = 0;
	text_add(t, "", 0);
	cfg_dump(c, dump_line, t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg c1, c2, c3;
	struct text d1 = { 0 }, d2 = { 0 }, d3 = { 0 }, s1 = { 0 }, s2 = { 0 };
	char err[512];
	char *buf, *d1copy;
	size_t i, j;

	if (size > 65536)
		return 0;
	buf = fuzz_dup(data, size, 0);
	if (cfg_parse(buf, size, "fuzz.conf", &c1, err, sizeof(err)) != 0) {
		FUZZ_CHECK(strncmp(err, "fuzz.conf:", 10) == 0,
		    "error message '%s'", err);
		FUZZ_CHECK(c1.nlisteners == 0, "failed parse left listeners");
		cfg_free(&c1);
		free(buf);
		return 0;
	}
	FUZZ_CHECK(c1.nlisteners >= 1 && c1.nlisteners <= CFG_MAX_LISTENERS,
	    "nlisteners %zu", c1.nlisteners);
	for (i = 0; i < c1.nlisteners; i++) {
		FUZZ_CHECK(c1.listeners[i].naddrs >= 1 &&
		    c1.listeners[i].rules.nrules >= 1, "empty listener");
		for (j = 0; j < c1.listeners[i].rules.nrules; j++)
			FUZZ_CHECK(c1.listeners[i].rules.rules[j].index >= 1,
			    "rule index");
	}

	dump_to(&c1, &d1);
	d1copy = fuzz_dup((const uint8_t *)d1.s, d1.len, 0);
	FUZZ_CHECK(cfg_parse(d1copy, d1.len, "fuzz.conf", &c2, err,
	    sizeof(err)) == 0, "dump does not parse: %s\n--- dump:\n%s", err,
	    d1.s);
	FUZZ_CHECK(c2.nlisteners == c1.nlisteners, "listener count");
	for (i = 0; i < c1.nlisteners; i++) {
		const struct rf_policy *f1 = c1.listeners[i].rf;
		const struct rf_policy *f2 = c2.listeners[i].rf;

		FUZZ_CHECK(f1 != NULL && f2 != NULL, "listener %zu without "
		    "a response filter", i);
		FUZZ_CHECK(f1->redact == f2->redact, "listener %zu: redact %d, "
		    "after the dump %d\n--- dump:\n%s", i, f1->redact,
		    f2->redact, d1.s);
		FUZZ_CHECK(f1->nlabels == c1.listeners[i].nvisible &&
		    f1->nlabels == f2->nlabels && memcmp(f1->labels,
		    f2->labels, sizeof(f1->labels)) == 0, "listener %zu: "
		    "visible labels changed", i);
		FUZZ_CHECK(f1->nrule_plan == f2->nrule_plan, "listener %zu: "
		    "redact clauses changed", i);
		FUZZ_CHECK(c2.listeners[i].rules.nrules ==
		    c1.listeners[i].rules.nrules, "rule count");
		for (j = 0; j < c1.listeners[i].rules.nrules; j++)
			FUZZ_CHECK(strcmp(c1.listeners[i].rules.rules[j].text,
			    c2.listeners[i].rules.rules[j].text) == 0 &&
			    c1.listeners[i].rules.rules[j].action ==
			    c2.listeners[i].rules.rules[j].action &&
			    c1.listeners[i].rules.rules[j].redact_idx ==
			    c2.listeners[i].rules.rules[j].redact_idx,
			    "rule %zu of listener %zu", j, i);
	}
	dump_to(&c2, &d2);
	strip_comments(&d1, &s1);
	strip_comments(&d2, &s2);
	FUZZ_CHECK(fuzz_same(s1.s, s1.len, s2.s, s2.len),
	    "dump changed by a round trip\n--- dump1:\n%s--- dump2:\n%s",
	    d1.s, d2.s);

	FUZZ_CHECK(cfg_parse(d2.s, d2.len, "fuzz.conf", &c3, err,
	    sizeof(err)) == 0, "second dump does not parse: %s", err);
	dump_to(&c3, &d3);
	FUZZ_CHECK(fuzz_same(d2.s, d2.len, d3.s, d3.len),
	    "dump of a dump is not a fixed point\n--- dump2:\n%s--- dump3:\n%s",
	    d2.s, d3.s);

	cfg_free(&c1);
	cfg_free(&c2);
	cfg_free(&c3);
	free(d1copy);
	free(d1.s);
	free(d2.s);
	free(d3.s);
	free(s1.s);
	free(s2.s);
	free(buf);
	return 0;
}
