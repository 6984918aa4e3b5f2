/*
 * fuzz_chunk.c - chunk_feed, strict and lenient, fed in pieces.
 *
 * Input: byte 0 gives the number k (0..15) of split sizes that follow in
 * bytes 1..k; the rest is the chunked body.  The body is fed whole, in the
 * k pieces (the last piece takes what is left; a size of 0 feeds an empty
 * piece, which must be harmless), and byte by byte (bodies up to 4 KiB).
 *
 * Properties, for strict and lenient trackers alike:
 *  - feeding in pieces gives what feeding whole gives: bytes consumed,
 *    the done flag, the error, and the de-chunked payload bytes;
 *  - a result < len only when done; after an error every feed errs again;
 *    after done, feeds consume nothing;
 *  - the payload ranges lie within the bytes fed;
 *  - skipping (the splice path): fed in the same pieces, but whenever the
 *    tracker is inside a payload a piece's worth of it is passed with
 *    chunk_skip instead: same consumed count, done flag and error, and
 *    skipped plus reported payload bytes are the whole payload;
 *  - differential: a small non-incremental reference decoder written from
 *    chunk.h (RFC 9112 7.1; strict: no extensions, no trailers, at most 16
 *    hex digits; lenient: BWS, extensions and trailer lines skipped) gives
 *    the same consumed count, done flag, error and payload.
 */
#include "fuzz_common.h"

#include "chunk.h"

struct result {
	long	 consumed;	/* total, or -1 on error */
	int	 done;
	char	*pay;
	size_t	 plen;
	size_t	 pcap;
	size_t	 skipped;	/* payload passed by chunk_skip */
	const char *lo, *hi;	/* the piece being fed */
};

static void
on_data(void *arg, const char *p, size_t n)
{
	struct result *r = arg;
	char *np;

	FUZZ_CHECK(n > 0 && p >= r->lo && p + n <= r->hi,
	    "payload range outside the bytes fed");
	if (r->plen + n > r->pcap) {
		r->pcap = (r->plen + n) * 2;
		if ((np = realloc(r->pay, r->pcap)) == NULL)
			abort();
		r->pay = np;
	}
	memcpy(r->pay + r->plen, p, n);
	r->plen += n;
}

/* Feed buf[0..len) as pieces of the given sizes; npieces 0: whole. */
static void
feed(int strict, const char *buf, size_t len, const uint8_t *sizes,
    size_t npieces, size_t bytewise, int skip, struct result *r)
{
	struct chunk_state s;
	size_t off = 0, n, k = 0;
	uint64_t left;
	long got;
	char *piece;

	memset(r, 0, sizeof(*r));
	chunk_init(&s, strict);
	for (;;) {
		if (bytewise)
			n = len - off > 0 ? 1 : 0;
		else if (k < npieces)
			n = sizes[k++];
		else
			n = len - off;
		if (n > len - off)
			n = len - off;
		if (skip && (left = chunk_data_left(&s)) > 0 && n > 0) {
			if (n > left)
				n = (size_t)left;
			FUZZ_CHECK(left == UINT64_MAX ||
			    chunk_skip(&s, left + 1) == CHUNK_ERROR,
			    "skipped past the payload");
			FUZZ_CHECK(chunk_skip(&s, n) == 0, "skip refused");
			r->skipped += n;
			r->consumed += (long)n;
			off += n;
			if (off == len && k >= npieces)
				return;
			continue;
		}
		/* Each piece in its own exact-size block. */
		piece = fuzz_dup((const uint8_t *)buf + off, n, 0);
		r->lo = piece;
		r->hi = piece + n;
		got = chunk_feed(&s, piece, n, on_data, r);
		free(piece);
		if (got == CHUNK_ERROR) {
			FUZZ_CHECK(chunk_feed(&s, "0\r\n\r\n", 5, NULL, NULL) ==
			    CHUNK_ERROR, "feed after error did not err");
			r->consumed = -1;
			return;
		}
		FUZZ_CHECK(got >= 0 && (size_t)got <= n, "consumed %ld of %zu",
		    got, n);
		FUZZ_CHECK((size_t)got == n || s.done,
		    "stopped short without being done");
		r->consumed += got;
		off += n;
		if (s.done) {
			r->done = 1;
			FUZZ_CHECK(chunk_feed(&s, "0\r\n\r\n", 5, NULL, NULL) == 0,
			    "feed after done consumed bytes");
			return;
		}
		if (off == len && (bytewise || k >= npieces))
			return;
	}
}

/* The reference: whole-buffer decoder straight from the grammar. */
static void
reference(int strict, const unsigned char *b, size_t len, struct result *r)
{
	size_t pos = 0, nd, n;
	uint64_t size;
	int d;

	memset(r, 0, sizeof(*r));
	r->lo = (const char *)b;
	r->hi = (const char *)b + len;
#define NEED()	do { if (pos == len) { r->consumed = (long)len; return; } } \
		while (0)
#define BAD()	do { r->consumed = -1; return; } while (0)
	for (;;) {
		/* chunk-size */
		for (nd = 0, size = 0; pos < len; pos++) {
			if (b[pos] >= '0' && b[pos] <= '9')
				d = b[pos] - '0';
			else if (b[pos] >= 'a' && b[pos] <= 'f')
				d = b[pos] - 'a' + 10;
			else if (b[pos] >= 'A' && b[pos] <= 'F')
				d = b[pos] - 'A' + 10;
			else
				break;
			if (++nd > 16)
				BAD();
			size = size << 4 | (uint64_t)d;
		}
		if (nd == 0 && pos < len)
			BAD();
		NEED();
		if (!strict) {
			/* BWS, then an optional extension up to CR. */
			while (pos < len && (b[pos] == ' ' || b[pos] == '\t'))
				pos++;
			NEED();
			if (b[pos] == ';') {
				while (pos < len && b[pos] != '\r') {
					if (b[pos] == '\n')
						BAD();
					pos++;
				}
				NEED();
			}
		}
		if (b[pos++] != '\r')
			BAD();
		NEED();
		if (b[pos++] != '\n')
			BAD();
		if (size == 0)
			break;
		/* chunk-data CRLF */
		n = len - pos < size ? len - pos : (size_t)size;
		if (n > 0)
			on_data(r, (const char *)b + pos, n);
		pos += n;
		if (n < size) {
			r->consumed = (long)len;
			return;
		}
		NEED();
		if (b[pos++] != '\r')
			BAD();
		NEED();
		if (b[pos++] != '\n')
			BAD();
	}
	/* trailer-section CRLF */
	for (;;) {
		NEED();
		if (b[pos] == '\r')
			break;
		if (strict || b[pos] == '\n')
			BAD();
		while (pos < len && b[pos] != '\r') {
			if (b[pos] == '\n')
				BAD();
			pos++;
		}
		NEED();
		pos++;
		NEED();
		if (b[pos++] != '\n')
			BAD();
	}
	pos++;
	NEED();
	if (b[pos++] != '\n')
		BAD();
	r->consumed = (long)pos;
	r->done = 1;
#undef NEED
#undef BAD
}

static void
same(const struct result *a, const struct result *b, const char *what)
{
	FUZZ_CHECK(a->consumed == b->consumed, "%s: consumed %ld vs %ld",
	    what, a->consumed, b->consumed);
	if (a->consumed == -1)
		return;
	FUZZ_CHECK(a->done == b->done, "%s: done %d vs %d", what, a->done,
	    b->done);
	if (b->skipped > 0) {
		FUZZ_CHECK(a->plen == b->plen + b->skipped,
		    "%s: payload %zu vs %zu + %zu skipped", what, a->plen,
		    b->plen, b->skipped);
		return;
	}
	FUZZ_CHECK(fuzz_same(a->pay, a->plen, b->pay, b->plen),
	    "%s: payload differs (%zu vs %zu bytes)", what, a->plen, b->plen);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result whole, pieces, bytes, ref;
	const uint8_t *sizes;
	const char *body;
	size_t k, blen;
	int strict;

	if (size < 1)
		return 0;
	k = data[0] % 16;
	if (size < 1 + k)
		return 0;
	sizes = data + 1;
	body = (const char *)data + 1 + k;
	blen = size - 1 - k;

	for (strict = 0; strict <= 1; strict++) {
		feed(strict, body, blen, NULL, 0, 0, 0, &whole);
		FUZZ_CHECK(whole.consumed == -1 || whole.done ||
		    (size_t)whole.consumed == blen, "whole feed stopped short");
		feed(strict, body, blen, sizes, k, 0, 0, &pieces);
		same(&whole, &pieces, strict ? "strict pieces" :
		    "lenient pieces");
		free(pieces.pay);
		feed(strict, body, blen, sizes, k, 0, 1, &pieces);
		same(&whole, &pieces, strict ? "strict skipping" :
		    "lenient skipping");
		if (blen <= 4096) {
			feed(strict, body, blen, NULL, 0, 1, 0, &bytes);
			same(&whole, &bytes, strict ? "strict bytewise" :
			    "lenient bytewise");
			free(bytes.pay);
		}
		reference(strict, (const unsigned char *)body, blen, &ref);
		same(&ref, &whole, strict ? "strict reference" :
		    "lenient reference");
		free(whole.pay);
		free(pieces.pay);
		free(ref.pay);
	}
	return 0;
}
