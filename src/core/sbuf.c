/*
 * sbuf.c - pooled fixed-size buffers.
 */
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

#define SBUF_POOL_MAX 64	/* cached free blocks (4 MiB); beyond, back to malloc */

struct sbuf_block { struct sbuf_block *next; };

static struct sbuf_block *sbuf_free;
static size_t		  sbuf_nfree;

int
sbuf_reserve(struct sbuf *b)
{
	struct sbuf_block *blk;

	if (b->data != NULL)
		return 0;
	if ((blk = sbuf_free) != NULL) {
		sbuf_free = blk->next;
		sbuf_nfree--;
		b->data = (char *)blk;
	} else if ((b->data = malloc(SBUF_SIZE)) == NULL)
		return -1;
	b->start = b->end = 0;
	return 0;
}

size_t
sbuf_room(struct sbuf *b)
{
	if (b->data == NULL)
		return 0;
	if (b->start > 0 && b->end == SBUF_SIZE) {
		memmove(b->data, b->data + b->start, b->end - b->start);
		b->end -= b->start;
		b->start = 0;
	}
	return SBUF_SIZE - b->end;
}

void
sbuf_consume(struct sbuf *b, size_t n)
{
	b->start += n;
	if (b->start == b->end)
		sbuf_release(b);
}

void
sbuf_release(struct sbuf *b)
{
	struct sbuf_block *blk;

	if (b->data == NULL)
		return;
	if (sbuf_nfree < SBUF_POOL_MAX) {
		blk = (struct sbuf_block *)(void *)b->data;
		blk->next = sbuf_free;
		sbuf_free = blk;
		sbuf_nfree++;
	} else
		free(b->data);
	b->data = NULL;
	b->start = b->end = 0;
}
