/*
 * sbuf.h - fixed-size byte buffers from a small pool.
 *
 * A connection holds a buffer only while it has bytes to keep, so idle
 * connections cost no buffer memory and busy ones never allocate per
 * request: blocks return to a free list, not to malloc.
 */
#ifndef SOCKWARD_SBUF_H
#define SOCKWARD_SBUF_H

#include <stddef.h>

#define SBUF_SIZE 65536		/* > REQ_MAX_HEAD (431 detectable); big enough that a streamed body moves in few passes */

/* Bytes live in data[start..end). data is NULL while the buffer is empty
 * and released. */
struct sbuf {
	char	*data;
	size_t	 start;
	size_t	 end;
};

/* Length of the live bytes. */
static inline size_t sbuf_len(const struct sbuf *b) { return b->end - b->start; }

/* Ensure b has a block.  Returns 0, or -1 when memory is exhausted. */
int	sbuf_reserve(struct sbuf *b);

/*
 * Free room after end, compacting first when that gains room.  Returns the
 * number of bytes writable at b->data + b->end (0 when b has no block).
 */
size_t	sbuf_room(struct sbuf *b);

/* Drop n live bytes from the front; releases the block when empty. */
void	sbuf_consume(struct sbuf *b, size_t n);

/* Return b's block to the pool (live bytes are discarded). */
void	sbuf_release(struct sbuf *b);

#endif
