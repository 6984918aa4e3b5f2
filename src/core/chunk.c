/*
 * chunk.c - incremental tracker for the chunked transfer coding.
 *
 * A byte-at-a-time state machine, so the input may be split anywhere.
 * Payload is not copied: runs of it are skipped in one step and reported
 * through the optional callback.
 */
#include <stddef.h>
#include <stdint.h>

#include "chunk.h"
#include "http_lex.h"

#define CHUNK_MAX_DIGITS 16	/* 16 hex digits fill a uint64_t exactly */

enum {
	CH_SIZE0 = 0,	/* first hex digit of a chunk-size */
	CH_SIZE,	/* further hex digits */
	CH_SIZE_WS,	/* lenient: BWS between chunk-size and ';' */
	CH_EXT,		/* lenient: skipping a chunk extension */
	CH_SIZE_LF,	/* LF ending the chunk-size line */
	CH_DATA,	/* payload */
	CH_DATA_CR,	/* CRLF after the payload */
	CH_DATA_LF,
	CH_TRAILER,	/* start of a trailer line or the final empty line */
	CH_TRAILER_LINE,/* lenient: skipping a trailer field */
	CH_TRAILER_LF,
	CH_END_LF,	/* LF of the final empty line */
	CH_DONE,
	CH_ERROR
};

void
chunk_init(struct chunk_state *s, int strict)
{
	s->st = CH_SIZE0;
	s->strict = strict != 0;
	s->ndigits = 0;
	s->remain = 0;
	s->done = 0;
}

long
chunk_feed(struct chunk_state *s, const char *buf, size_t len,
    void (*data)(void *arg, const char *p, size_t n), void *arg)
{
	size_t		i = 0, n;
	unsigned char	c;
	int		d;

	if (s->st == CH_ERROR)
		return CHUNK_ERROR;
	while (i < len && s->st != CH_DONE) {
		if (s->st == CH_DATA) {
			n = len - i;
			if (s->remain < n)
				n = (size_t)s->remain;
			if (data != NULL)
				data(arg, buf + i, n);
			i += n;
			s->remain -= n;
			if (s->remain == 0)
				s->st = CH_DATA_CR;
			continue;
		}
		c = (unsigned char)buf[i++];
		switch (s->st) {
		case CH_SIZE0:
		case CH_SIZE:
			if ((d = lex_hex(c)) >= 0) {
				if (++s->ndigits > CHUNK_MAX_DIGITS)
					goto bad;
				s->remain = s->remain << 4 | (uint64_t)d;
				s->st = CH_SIZE;
			} else if (s->st == CH_SIZE0)
				goto bad;
			else if (c == '\r')
				s->st = CH_SIZE_LF;
			else if (s->strict)
				goto bad;
			else if (c == ' ' || c == '\t')
				s->st = CH_SIZE_WS;
			else if (c == ';')
				s->st = CH_EXT;
			else
				goto bad;
			break;
		case CH_SIZE_WS:
			if (c == ';')
				s->st = CH_EXT;
			else if (c == '\r')
				s->st = CH_SIZE_LF;
			else if (c != ' ' && c != '\t')
				goto bad;
			break;
		case CH_EXT:
			/* Content is the upstream's business; framing is not. */
			if (c == '\r')
				s->st = CH_SIZE_LF;
			else if (c == '\n')
				goto bad;
			break;
		case CH_SIZE_LF:
			if (c != '\n')
				goto bad;
			s->ndigits = 0;
			s->st = s->remain == 0 ? CH_TRAILER : CH_DATA;
			break;
		case CH_DATA_CR:
			if (c != '\r')
				goto bad;
			s->st = CH_DATA_LF;
			break;
		case CH_DATA_LF:
			if (c != '\n')
				goto bad;
			s->st = CH_SIZE0;
			break;
		case CH_TRAILER:
			if (c == '\r')
				s->st = CH_END_LF;
			else if (s->strict || c == '\n')
				goto bad;
			else
				s->st = CH_TRAILER_LINE;
			break;
		case CH_TRAILER_LINE:
			if (c == '\r')
				s->st = CH_TRAILER_LF;
			else if (c == '\n')
				goto bad;
			break;
		case CH_TRAILER_LF:
			if (c != '\n')
				goto bad;
			s->st = CH_TRAILER;
			break;
		case CH_END_LF:
			if (c != '\n')
				goto bad;
			s->st = CH_DONE;
			s->done = 1;
			break;
		default:
			goto bad;
		}
	}
	return (long)i;
bad:
	s->st = CH_ERROR;
	return CHUNK_ERROR;
}

uint64_t
chunk_data_left(const struct chunk_state *s)
{
	return s->st == CH_DATA ? s->remain : 0;
}

int
chunk_skip(struct chunk_state *s, uint64_t n)
{
	if (n == 0)
		return 0;
	if (s->st != CH_DATA || n > s->remain)
		return CHUNK_ERROR;
	s->remain -= n;
	if (s->remain == 0)
		s->st = CH_DATA_CR;
	return 0;
}
