/*
 * judgebench - how long the body policy takes to judge one body, alone.
 *
 * Links the pure core (body_policy.c, gojson.c and what they use) and
 * calls body_judge on FILE's bytes in a loop, as sockward does for a
 * POST /containers/create under the built-in policy "no-host-escape":
 * no sockets, no event loop, so the figure is the judging cost itself,
 * free of the scheduling noise that the end-to-end cell carries.
 *
 * It times BATCHES batches of N calls each (N chosen so that a batch
 * lasts about 20 ms) and prints one line of key=value pairs: the
 * verdict's status (0: allowed), the body's size, and the time per call
 * in the fastest and the median batch.
 *
 * usage: judgebench FILE [BATCHES]
 * Exit status: 0, 1 when FILE cannot be read or the body is refused
 * (the figure would be a refusal's, not a judging's), 2 on usage.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "body_policy.h"

#define MAX_BATCHES 101
#define BATCH_NS    20000000ull	/* aim of one batch: 20 ms */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Judge body[0..len) n times; returns the verdict's status of the last. */
static int
judge_n(const struct body_policy *p, const char *body, size_t len, long n)
{
	struct body_verdict v;
	long	 i;

	v.status = 0;
	for (i = 0; i < n; i++)
		body_judge(p, BODY_K_CREATE, body, len, &v);
	return v.status;
}

int
main(int argc, char **argv)
{
	struct body_policy pol;
	double	 per[MAX_BATCHES];
	char	*body = NULL;
	size_t	 len = 0, cap = 0;
	long	 n = 1;
	int	 batches = 21, i, status;
	uint64_t t0;
	FILE	*f;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: judgebench FILE [BATCHES]\n");
		return 2;
	}
	if (argc == 3 && ((batches = atoi(argv[2])) < 1 ||
	    batches > MAX_BATCHES)) {
		fprintf(stderr, "judgebench: BATCHES is 1..%d\n", MAX_BATCHES);
		return 2;
	}
	if ((f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "judgebench: %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	for (;;) {
		size_t k;

		if (len == cap && (body = realloc(body, cap = cap * 2 + 65536))
		    == NULL) {
			fprintf(stderr, "judgebench: out of memory\n");
			return 1;
		}
		if ((k = fread(body + len, 1, cap - len, f)) == 0)
			break;
		len += k;
	}
	fclose(f);
	body_policy_init(&pol, "no-host-escape");
	/* Warm the caches and find a batch size of about BATCH_NS. */
	for (;;) {
		t0 = now_ns();
		status = judge_n(&pol, body, len, n);
		if (now_ns() - t0 >= BATCH_NS / 4 || n >= 1L << 24)
			break;
		n *= 2;
	}
	n *= 4;
	for (i = 0; i < batches; i++) {
		t0 = now_ns();
		status = judge_n(&pol, body, len, n);
		per[i] = (double)(now_ns() - t0) / (double)n;
	}
	qsort(per, (size_t)batches, sizeof(per[0]), cmp_dbl);
	printf("status=%d bytes=%zu calls=%ld batches=%d min_us=%.2f "
	    "median_us=%.2f\n", status, len, n, batches, per[0] / 1000.0,
	    per[batches / 2] / 1000.0);
	free(body);
	return status == 0 ? 0 : 1;
}
