/*
 * ratelim.h - at most one log line per interval for a kind of event.
 *
 * Pure: the caller passes the time.  A refused client can be made to
 * cause a warning per connection; a flood of them must neither fill the
 * log nor cost the loop a write per refusal.  The first event of an
 * interval is logged; the rest are counted, and the count is reported
 * with the next line that passes, or by ratelim_flush once the interval
 * is over and nothing else came.
 */
#ifndef SOCKWARD_RATELIM_H
#define SOCKWARD_RATELIM_H

#include <stdint.h>

struct ratelim {
	uint64_t	 interval;	/* ms between lines */
	uint64_t	 last;		/* ms of the last line; 0: none yet */
	unsigned long	 suppressed;	/* events not logged since then */
};

/* Zero *r and set its interval (ms, > 0). */
void	ratelim_init(struct ratelim *r, uint64_t interval_ms);

/*
 * An event happened at now (ms).  Returns 1 when it may be logged, with
 * *suppressed set to the events left unlogged before it (and the count
 * reset); 0 when it is only counted.
 */
int	ratelim_pass(struct ratelim *r, uint64_t now, unsigned long *suppressed);

/*
 * Events are counted and the interval is over: returns their number and
 * resets it (the caller logs a line saying how many), else 0.  Call it
 * by the deadline ratelim_due gives.
 */
unsigned long ratelim_flush(struct ratelim *r, uint64_t now);

/* When ratelim_flush has something to say (ms), or UINT64_MAX. */
uint64_t ratelim_due(const struct ratelim *r);

#endif
