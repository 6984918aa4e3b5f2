/*
 * timer.h - deadline lists for connections.
 *
 * Every entry of a list has the same timeout, so a list kept in arrival
 * order is also kept in deadline order: setting, stopping and finding the
 * next deadline are O(1), with no heap.  A kind of timeout is one list.
 */
#ifndef SOCKWARD_TIMER_H
#define SOCKWARD_TIMER_H

#include <stdint.h>

struct timer_list;

/* Embedded in its owner, which finds itself from the pointer. */
struct timer {
	struct timer	*next, *prev;
	struct timer_list *list;	/* NULL while not set */
	uint64_t	 deadline;	/* ms, valid while set */
};

/* Entries in deadline order; ms is the list's timeout. */
struct timer_list {
	struct timer	*head, *tail;
	uint64_t	 ms;
};

/*
 * Put t on l with deadline now + l->ms; a no-op when t is on l already
 * (its deadline stands).  l NULL stops t.
 */
void	timer_set(struct timer *t, struct timer_list *l, uint64_t now);

/* Take t off its list, if any. */
void	timer_stop(struct timer *t);

/* The earliest entry of l if its deadline is at or before now, else
 * NULL.  It stays on l: the caller stops or re-sets it. */
struct timer *timer_due(const struct timer_list *l, uint64_t now);

/* The earliest deadline on l, or UINT64_MAX when l is empty. */
uint64_t timer_next(const struct timer_list *l);

#endif
