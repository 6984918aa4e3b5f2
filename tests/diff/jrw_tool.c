/*
 * jrw_tool - run the response rewriter (src/core/jrewrite.c) over stdin.
 *
 * usage: jrw_tool [--redact P]... [--select P] [--labels P]
 *                 [--capture P]... [--label K[=V]]...
 *                 [--keep labels|all|none] [--split N | --every-split]
 *                 [--elem-max N] [--null-out] < in > out
 *
 * The plan is built from the paths as sockward builds it; --capture i-th
 * path is capture index i.  --keep: which elements keep() keeps:
 * "labels" (default) those whose labels matched a --label, "all", "none".
 * --split N feeds [0,N) then [N,n); --every-split feeds every split
 * point k, checks each output is the one-feed output (exit 2 when not),
 * then prints it once.  --null-out feeds with out == NULL and prints only
 * the counters.  On stderr, one line: kept=K dropped=D redacted=R.
 *
 * Exit: 0, 1 when the rewriter refuses the input (w->err on stderr),
 * 2 on a split mismatch, 3 on usage or I/O errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jrewrite.h"

enum { KEEP_LABELS, KEEP_ALL, KEEP_NONE };

struct tool_keep {
	int	 mode;
	/* Last element's captures, printed with --show-captures. */
	int	 show;
};

static int
tool_keep(void *arg, const struct jrw_elem *e)
{
	struct tool_keep *k = arg;
	int	 i;

	if (k->show) {
		fprintf(stderr, "elem labels_seen=%d label_match=%d",
		    e->labels_seen, e->label_match);
		for (i = 0; i < JRW_MAX_CAPTURE; i++)
			fprintf(stderr, " cap%d=%d:%zu:%d:%s", i, e->present[i],
			    e->capture_len[i], e->truncated[i], e->capture[i]);
		fputc('\n', stderr);
	}
	switch (k->mode) {
	case KEEP_ALL:
		return 1;
	case KEEP_NONE:
		return 0;
	default:
		return e->label_match;
	}
}

/* Rewrite in[0..n) fed at the split points cut[0..ncut); 0 or -1. */
static int
tool_run(const struct jrw_plan *plan, struct tool_keep *k, size_t elem_max,
    const char *in, size_t n, const size_t *cut, size_t ncut,
    struct jrw_out *out, struct jrw *w)
{
	size_t	 at = 0, i, to;

	jrw_init(w, plan, tool_keep, k, elem_max);
	for (i = 0; i <= ncut; i++) {
		to = i < ncut ? cut[i] : n;
		if (jrw_feed(w, in + at, to - at, out) == -1)
			return -1;
		at = to;
	}
	return jrw_finish(w);
}

static void
usage(void)
{
	fprintf(stderr, "usage: jrw_tool [--redact P]... [--select P] "
	    "[--labels P] [--capture P]... [--label K[=V]]... "
	    "[--keep labels|all|none] [--split N|--every-split] "
	    "[--elem-max N] [--null-out] [--show-captures] < in > out\n");
	exit(3);
}

int
main(int argc, char **argv)
{
	static struct jrw_label labels[JRW_MAX_LABELS];
	struct jrw_plan plan;
	struct tool_keep k = { KEEP_LABELS, 0 };
	struct jrw_out out = { NULL, 0, 0 }, o2;
	struct jrw w;
	char	 err[200], *in = NULL;
	size_t	 n = 0, cap = 0, r, elem_max = 16u << 20, split = 0, cut;
	int	 i, ncap = 0, every = 0, has_split = 0, null_out = 0, rc;

	jrw_plan_init(&plan);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned fl = 0;

		if (strcmp(a, "--every-split") == 0) {
			every = 1;
			continue;
		}
		if (strcmp(a, "--null-out") == 0) {
			null_out = 1;
			continue;
		}
		if (strcmp(a, "--show-captures") == 0) {
			k.show = 1;
			continue;
		}
		if (v == NULL)
			usage();
		i++;
		if (strcmp(a, "--redact") == 0)
			fl = JRW_N_REDACT;
		else if (strcmp(a, "--select") == 0)
			fl = JRW_N_SELECT;
		else if (strcmp(a, "--labels") == 0)
			fl = JRW_N_LABELS;
		else if (strcmp(a, "--capture") == 0)
			fl = JRW_N_CAPTURE;
		else if (strcmp(a, "--label") == 0) {
			if (plan.nlabels == JRW_MAX_LABELS ||
			    jrw_label_parse(v, &labels[plan.nlabels], err,
			    sizeof(err)) == -1) {
				fprintf(stderr, "jrw_tool: --label: %s\n",
				    plan.nlabels == JRW_MAX_LABELS ?
				    "too many" : err);
				return 3;
			}
			plan.nlabels++;
			plan.label = labels;
			continue;
		} else if (strcmp(a, "--keep") == 0) {
			if (strcmp(v, "labels") == 0)
				k.mode = KEEP_LABELS;
			else if (strcmp(v, "all") == 0)
				k.mode = KEEP_ALL;
			else if (strcmp(v, "none") == 0)
				k.mode = KEEP_NONE;
			else
				usage();
			continue;
		} else if (strcmp(a, "--split") == 0) {
			split = strtoul(v, NULL, 10);
			has_split = 1;
			continue;
		} else if (strcmp(a, "--elem-max") == 0) {
			elem_max = strtoul(v, NULL, 10);
			continue;
		} else
			usage();
		if (jrw_plan_add(&plan, v, fl, fl == JRW_N_CAPTURE ? ncap++ :
		    0, err, sizeof(err)) == -1) {
			fprintf(stderr, "jrw_tool: %s %s: %s\n", a, v, err);
			return 3;
		}
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((in = realloc(in, cap)) == NULL)
				return 3;
		}
		r = fread(in + n, 1, cap - n, stdin);
		n += r;
		if (r == 0) {
			if (ferror(stdin))
				return 3;
			break;
		}
	}
	if (has_split && split > n)
		split = n;
	cut = split;
	rc = tool_run(&plan, &k, elem_max, in, n, &cut, has_split ? 1 : 0,
	    null_out ? NULL : &out, &w);
	jrw_free(&w);
	if (rc == -1) {
		fprintf(stderr, "jrw_tool: %s\n", w.err ? w.err : "(no err)");
		return 1;
	}
	fprintf(stderr, "kept=%llu dropped=%llu redacted=%llu\n",
	    (unsigned long long)w.kept, (unsigned long long)w.dropped,
	    (unsigned long long)w.redacted);
	if (every) {
		k.show = 0;
		for (cut = 0; cut <= n; cut++) {
			struct jrw w2;

			memset(&o2, 0, sizeof(o2));
			rc = tool_run(&plan, &k, elem_max, in, n, &cut, 1, &o2,
			    &w2);
			jrw_free(&w2);
			if (rc == -1 || o2.len != out.len || (out.len > 0 &&
			    memcmp(o2.data, out.data, out.len) != 0) ||
			    w2.kept != w.kept || w2.dropped != w.dropped ||
			    w2.redacted != w.redacted) {
				fprintf(stderr, "jrw_tool: split at %zu "
				    "differs\n", cut);
				return 2;
			}
			free(o2.data);
		}
	}
	if (out.len > 0 && fwrite(out.data, 1, out.len, stdout) != out.len)
		return 3;
	free(out.data);
	free(in);
	return 0;
}
