/*
 * chunk.h - incremental tracker for the chunked transfer coding.
 *
 * Pure.  It does not copy: it reads bytes as they stream past and reports
 * how many belong to the chunked body, which of them are payload, and when
 * the body has ended.  Used strictly on request bodies (no extensions, no
 * trailers, at most 16 hex digits) and leniently on responses from the
 * trusted upstream (extensions and trailers skipped).
 */
#ifndef SOCKWARD_CHUNK_H
#define SOCKWARD_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#define CHUNK_ERROR (-1)

struct chunk_state {
	int		 st;		/* internal state */
	int		 strict;	/* 1: reject extensions and trailers */
	int		 ndigits;
	uint64_t	 remain;	/* payload bytes left in this chunk */
	int		 done;		/* last-chunk and final CRLF seen */
};

/* Initialise s; strict = 1 for client bodies, 0 for upstream bodies. */
void	chunk_init(struct chunk_state *s, int strict);

/*
 * Feed buf[0..len).  Returns the number of bytes consumed (<= len; less than
 * len only when the body ended inside buf, s->done then being 1), or
 * CHUNK_ERROR on malformed framing.  When data is not NULL, payload byte
 * ranges are reported through data(arg, ptr, n) so a caller can de-chunk.
 */
long	chunk_feed(struct chunk_state *s, const char *buf, size_t len,
	    void (*data)(void *arg, const char *p, size_t n), void *arg);

/*
 * Payload bytes of the current chunk that may pass without being looked
 * at: s->remain while inside a chunk's data, else 0 (framing comes next).
 */
uint64_t chunk_data_left(const struct chunk_state *s);

/*
 * Account n payload bytes that passed without going through chunk_feed
 * (zero-copy relaying).  n must not exceed chunk_data_left(s); returns 0,
 * or CHUNK_ERROR (s unchanged) when it does.
 */
int	chunk_skip(struct chunk_state *s, uint64_t n);

#endif
