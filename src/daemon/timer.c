/*
 * timer.c - FIFO deadline lists.
 */
#include <stddef.h>

#include "timer.h"

void
timer_stop(struct timer *t)
{
	struct timer_list *l = t->list;

	if (l == NULL)
		return;
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		l->head = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	else
		l->tail = t->prev;
	t->next = t->prev = NULL;
	t->list = NULL;
}

void
timer_set(struct timer *t, struct timer_list *l, uint64_t now)
{
	if (t->list == l)
		return;
	timer_stop(t);
	if (l == NULL)
		return;
	t->deadline = now + l->ms;
	t->list = l;
	t->prev = l->tail;
	t->next = NULL;
	if (t->prev != NULL)
		t->prev->next = t;
	else
		l->head = t;
	l->tail = t;
}

struct timer *
timer_due(const struct timer_list *l, uint64_t now)
{
	if (l->head == NULL || l->head->deadline > now)
		return NULL;
	return l->head;
}

uint64_t
timer_next(const struct timer_list *l)
{
	return l->head != NULL ? l->head->deadline : UINT64_MAX;
}
