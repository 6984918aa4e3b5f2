/*
 * ratelim.c - one log line per interval (ratelim.h).
 */
#include "ratelim.h"

void
ratelim_init(struct ratelim *r, uint64_t interval_ms)
{
	r->interval = interval_ms;
	r->last = 0;
	r->suppressed = 0;
}

int
ratelim_pass(struct ratelim *r, uint64_t now, unsigned long *suppressed)
{
	if (r->last != 0 && now - r->last < r->interval) {
		r->suppressed++;
		return 0;
	}
	/* now 0 would read as "never logged": keep the clock off zero. */
	r->last = now != 0 ? now : 1;
	*suppressed = r->suppressed;
	r->suppressed = 0;
	return 1;
}

unsigned long
ratelim_flush(struct ratelim *r, uint64_t now)
{
	unsigned long n = r->suppressed;

	if (n == 0 || now - r->last < r->interval)
		return 0;
	/* The summary line is this interval's line. */
	r->last = now != 0 ? now : 1;
	r->suppressed = 0;
	return n;
}

uint64_t
ratelim_due(const struct ratelim *r)
{
	return r->suppressed > 0 ? r->last + r->interval : UINT64_MAX;
}
