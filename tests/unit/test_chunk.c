/*
 * test_chunk.c - unit tests for the chunked-coding tracker: strict and
 * lenient grammar, every possible split of the input, payload reporting,
 * and no reads past the bytes fed (guard.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "chunk.h"
#include "guard.h"

struct sink {
	char		 b[1 << 17];
	size_t		 n;
	const char	*lo, *hi;	/* payload must lie inside [lo, hi) */
};

static struct sink	S;

static void
collect(void *arg, const char *p, size_t n)
{
	struct sink	*s = arg;

	assert_true(n > 0);
	assert_true(p >= s->lo && p + n <= s->hi);
	assert_true(s->n + n <= sizeof(s->b));
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

static void
count(void *arg, const char *p, size_t n)
{
	(void)p;
	(void)n;
	(*(int *)arg)++;
}

/*
 * Feed in[0..len) in pieces of `step` bytes (0: all at once), each piece
 * placed at the end of a guarded page.  Returns the bytes consumed in
 * total, or CHUNK_ERROR; *done gets the final state.
 */
static long
feed(int strict, const char *in, size_t len, size_t step, int *done)
{
	struct chunk_state	 cs;
	const char		*p;
	size_t			 off = 0, n;
	long			 r;

	chunk_init(&cs, strict);
	S.n = 0;
	if (step == 0)
		step = len;
	while (off < len) {
		n = len - off < step ? len - off : step;
		p = guard_place(0, in + off, n);
		S.lo = p;
		S.hi = p + n;
		r = chunk_feed(&cs, p, n, collect, &S);
		if (r == CHUNK_ERROR) {
			*done = cs.done;
			return CHUNK_ERROR;
		}
		assert_true(r >= 0 && (size_t)r <= n);
		off += (size_t)r;
		if (cs.done)
			break;
		assert_int_equal((size_t)r, n);
	}
	*done = cs.done;
	return (long)off;
}

struct good {
	const char	*in;
	size_t		 len;
	const char	*payload;
	size_t		 plen;
	size_t		 body;		/* bytes that belong to the body */
	int		 line;
};
#define G(s, p, extra) \
	{ (s), sizeof(s) - 1, (p), sizeof(p) - 1, sizeof(s) - 1 - (extra), \
	    __LINE__ }

/* Accepted in both modes. */
static const struct good strict_ok[] = {
	G("0\r\n\r\n", "", 0),
	G("5\r\nhello\r\n0\r\n\r\n", "hello", 0),
	G("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world", 0),
	G("a\r\n0123456789\r\n0\r\n\r\n", "0123456789", 0),
	G("A\r\n0123456789\r\n0\r\n\r\n", "0123456789", 0),
	G("00005\r\nhello\r\n000\r\n\r\n", "hello", 0),
	G("0000000000000003\r\nabc\r\n0000000000000000\r\n\r\n", "abc", 0),
	G("1\r\n\r\r\n1\r\n\n\r\n0\r\n\r\n", "\r\n", 0),
	G("3\r\n\0\xff\n\r\n0\r\n\r\n", "\0\xff\n", 0),
	G("2\r\nhi\r\n0\r\n\r\nPOST / HTTP/1.1\r\n", "hi", 17),
	G("0\r\n\r\n0\r\n\r\n", "", 5),
	G("0\r\n\r\nX", "", 1),
};

/* Rejected in strict mode (the ones also rejected leniently: below). */
static const char *const strict_bad[] = {
	"5;ext\r\nhello\r\n0\r\n\r\n",
	"5;\r\nhello\r\n0\r\n\r\n",
	"0;x=1\r\n\r\n",
	"5 \r\nhello\r\n0\r\n\r\n",
	"5\t\r\nhello\r\n0\r\n\r\n",
	"0\r\nX-Trailer: a\r\n\r\n",
	"0\r\nX: \r\n\r\n",
	"0\r\n:\r\n\r\n",
};

static const char *const both_bad[] = {
	"",			/* placeholder: replaced by "\r\n" below */
	" 5\r\nhello\r\n0\r\n\r\n",
	"\t5\r\nhello\r\n0\r\n\r\n",
	"+5\r\nhello\r\n0\r\n\r\n",
	"-5\r\nhello\r\n0\r\n\r\n",
	"0x5\r\nhello\r\n0\r\n\r\n",
	"g\r\n",
	"5g\r\nhello\r\n0\r\n\r\n",
	";5\r\nhello\r\n0\r\n\r\n",
	"5\nhello\r\n0\r\n\r\n",
	"5\r\rhello\r\n0\r\n\r\n",
	"5\rXhello\r\n0\r\n\r\n",
	"5\r\nhello\n0\r\n\r\n",
	"5\r\nhelloX\r\n0\r\n\r\n",
	"5\r\nhello\r\r0\r\n\r\n",
	"5\r\nhello\r\n\r\n0\r\n\r\n",
	"5\r\nhelloo\r\n",
	"0\n\r\n",
	"0\r\n\n",
	"0\r\n\rX",
	"0\r\n\r\r",
	"00000000000000000\r\n\r\n",
	"10000000000000000\r\n",
	"FFFFFFFFFFFFFFFFF\r\n",
	"5\r\nhello\r\n0\r\n\r \n",
};

static const char *const lenient_bad[] = {
	"5;x\nhello\r\n0\r\n\r\n",
	"5;x\rhello\r\n0\r\n\r\n",
	"5 x\r\nhello\r\n0\r\n\r\n",
	"5 \n",
	"0\r\nX: a\n\r\n",
	"0\r\nX: a\rb\r\n\r\n",
	"0\r\n\n",
};

static void
check_good(int strict, const struct good *g)
{
	size_t	step;
	long	r;
	int	done;

	for (step = 0; step <= g->len; step++) {
		r = feed(strict, g->in, g->len, step, &done);
		if (r != (long)g->body || !done || S.n != g->plen ||
		    memcmp(S.b, g->payload, g->plen) != 0) {
			print_error("line %d strict %d step %zu: r %ld "
			    "done %d plen %zu\n", g->line, strict, step, r,
			    done, S.n);
			fail();
		}
	}
}

static void
check_bad(int strict, const char *in)
{
	size_t	len = strlen(in), step;
	int	done;

	if (len == 0) {
		in = "\r\n";
		len = 2;
	}
	for (step = 0; step <= len; step++) {
		if (feed(strict, in, len, step, &done) != CHUNK_ERROR) {
			print_error("strict %d step %zu accepted: \"%s\"\n",
			    strict, step, in);
			fail();
		}
		assert_int_equal(done, 0);
	}
}

static void
test_strict_ok(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(strict_ok) / sizeof(strict_ok[0]); i++) {
		check_good(1, &strict_ok[i]);
		check_good(0, &strict_ok[i]);
	}
}

static void
test_strict_bad(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(strict_bad) / sizeof(strict_bad[0]); i++)
		check_bad(1, strict_bad[i]);
	for (i = 0; i < sizeof(both_bad) / sizeof(both_bad[0]); i++)
		check_bad(1, both_bad[i]);
}

static void
test_lenient(void **state)
{
	static const struct good ok[] = {
		G("5;name=val\r\nhello\r\n0\r\n\r\n", "hello", 0),
		G("5;a;b=\"x;y\"\r\nhello\r\n0;z\r\n\r\n", "hello", 0),
		G("5 ;a\r\nhello\r\n0\t; b\r\n\r\n", "hello", 0),
		G("5 \r\nhello\r\n0\r\n\r\n", "hello", 0),
		G("5;\r\nhello\r\n0\r\n\r\n", "hello", 0),
		G("0\r\nX-T: a\r\n\r\n", "", 0),
		G("0\r\nX-T: a\r\nY:b\r\n\r\nGET", "", 3),
		G("3;\xff\x01\r\nabc\r\n0\r\n:\r\n\r\n", "abc", 0),
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		check_good(0, &ok[i]);
		check_bad(1, ok[i].in);
	}
	for (i = 0; i < sizeof(strict_bad) / sizeof(strict_bad[0]); i++) {
		struct good g = { strict_bad[i], strlen(strict_bad[i]), NULL,
		    0, strlen(strict_bad[i]), __LINE__ };
		int done;

		/* Accepted leniently; payload checked elsewhere. */
		assert_int_equal(feed(0, g.in, g.len, 0, &done),
		    (long)g.len);
		assert_int_equal(done, 1);
	}
	for (i = 0; i < sizeof(both_bad) / sizeof(both_bad[0]); i++)
		check_bad(0, both_bad[i]);
	for (i = 0; i < sizeof(lenient_bad) / sizeof(lenient_bad[0]); i++)
		check_bad(0, lenient_bad[i]);
}

/* 16 hex digits is the limit, leading zeros included. */
static void
test_digit_limit(void **state)
{
	struct chunk_state	cs;
	char			buf[64];

	(void)state;
	chunk_init(&cs, 1);
	memcpy(buf, "FFFFFFFFFFFFFFFF\r\n", 18);
	assert_int_equal(chunk_feed(&cs, buf, 18, NULL, NULL), 18);
	assert_true(cs.remain == UINT64_MAX);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(chunk_feed(&cs, buf, sizeof(buf), NULL, NULL),
	    (long)sizeof(buf));
	assert_true(cs.remain == UINT64_MAX - sizeof(buf));
	assert_int_equal(cs.done, 0);

	chunk_init(&cs, 0);
	assert_int_equal(chunk_feed(&cs, "0000000000000001", 16, NULL, NULL),
	    16);
	assert_int_equal(chunk_feed(&cs, "0", 1, NULL, NULL), CHUNK_ERROR);
}

static void
test_states(void **state)
{
	struct chunk_state	cs;
	int			hits = 0;

	(void)state;
	/* Empty feeds are harmless. */
	chunk_init(&cs, 1);
	assert_int_equal(cs.done, 0);
	assert_int_equal(chunk_feed(&cs, "", 0, NULL, NULL), 0);
	assert_int_equal(chunk_feed(&cs, "3\r\nab", 5, NULL, NULL), 5);
	assert_true(cs.remain == 1);
	assert_int_equal(chunk_feed(&cs, "", 0, NULL, NULL), 0);
	assert_int_equal(chunk_feed(&cs, "c\r\n0\r\n\r\nrest", 12, NULL,
	    NULL), 8);
	assert_int_equal(cs.done, 1);
	/* After the end, nothing more is consumed. */
	assert_int_equal(chunk_feed(&cs, "0\r\n\r\n", 5, NULL, NULL), 0);
	assert_int_equal(cs.done, 1);

	/* Errors are sticky, even on input that would be fine. */
	chunk_init(&cs, 1);
	assert_int_equal(chunk_feed(&cs, "z", 1, NULL, NULL), CHUNK_ERROR);
	assert_int_equal(chunk_feed(&cs, "0\r\n\r\n", 5, NULL, NULL),
	    CHUNK_ERROR);
	assert_int_equal(chunk_feed(&cs, "", 0, NULL, NULL), CHUNK_ERROR);
	assert_int_equal(cs.done, 0);

	/* The callback is not called for empty chunks or framing. */
	chunk_init(&cs, 1);
	assert_int_equal(chunk_feed(&cs, "0\r\n\r\n", 5, count, &hits), 5);
	assert_int_equal(hits, 0);
	chunk_init(&cs, 1);
	assert_int_equal(chunk_feed(&cs, "1\r\na\r\n0\r\n\r\n", 11, count,
	    &hits), 11);
	assert_int_equal(hits, 1);

	/* chunk_init resets everything. */
	chunk_init(&cs, 0);
	assert_int_equal(cs.strict, 0);
	chunk_init(&cs, 7);
	assert_int_equal(cs.strict, 1);
	assert_true(cs.remain == 0);
	assert_int_equal(cs.ndigits, 0);
}

/* Payload runs are reported in place, one call per run in a buffer. */
static void
test_payload_ranges(void **state)
{
	static const char	in[] = "4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n";
	struct chunk_state	cs;

	(void)state;
	chunk_init(&cs, 1);
	S.n = 0;
	S.lo = in;
	S.hi = in + sizeof(in) - 1;
	assert_int_equal(chunk_feed(&cs, in, sizeof(in) - 1, collect, &S),
	    (long)sizeof(in) - 1);
	assert_int_equal(S.n, 7);
	assert_memory_equal(S.b, "abcdefg", 7);
}

/* Property: random payloads, randomly chunked and randomly split. */
static uint64_t	rng = 0x2545f4914f6cdd1dULL;

static uint32_t
rnd(uint32_t n)
{
	/* xorshift64; the masks only keep -fsanitize=integer quiet. */
	rng ^= (rng & (UINT64_MAX >> 13)) << 13;
	rng ^= rng >> 7;
	rng ^= (rng & (UINT64_MAX >> 17)) << 17;
	return (uint32_t)(rng >> 32) % n;
}

static char	enc[1 << 18], pay[1 << 16];

static void
test_random(void **state)
{
	struct chunk_state	cs;
	size_t			plen, n, off, e, step, c;
	long			r;
	int			iter, strict, k;

	(void)state;
	for (iter = 0; iter < 3000; iter++) {
		strict = (int)rnd(2);
		plen = rnd(iter % 10 == 0 ? 60000 : 300);
		for (off = 0; off < plen; off++)
			pay[off] = (char)rnd(256);
		e = 0;
		for (off = 0; off < plen; off += c) {
			c = 1 + rnd(iter % 10 == 0 ? 9000 : 40);
			if (c > plen - off)
				c = plen - off;
			e += (size_t)sprintf(enc + e, rnd(2) ? "%s%zx" :
			    "%s%zX", rnd(4) ? "" : "000", c);
			if (!strict && rnd(3) == 0)
				e += (size_t)sprintf(enc + e, " ;x=\"%u\"",
				    rnd(100));
			e += (size_t)sprintf(enc + e, "\r\n");
			memcpy(enc + e, pay + off, c);
			e += c;
			e += (size_t)sprintf(enc + e, "\r\n");
		}
		e += (size_t)sprintf(enc + e, "0\r\n");
		if (!strict)
			for (k = 0, n = rnd(3); k < (int)n; k++)
				e += (size_t)sprintf(enc + e, "X-%d: v\r\n",
				    k);
		e += (size_t)sprintf(enc + e, "\r\n");
		n = e;
		e += (size_t)sprintf(enc + e, "NEXT");

		chunk_init(&cs, strict);
		S.n = 0;
		S.lo = enc;
		S.hi = enc + e;
		for (off = 0; off < e && !cs.done; off += (size_t)r) {
			step = rnd(4) == 0 ? 1 : 1 + rnd(5000);
			if (step > e - off)
				step = e - off;
			r = chunk_feed(&cs, enc + off, step, collect, &S);
			assert_true(r >= 0);
			if (!cs.done)
				assert_int_equal((size_t)r, step);
		}
		assert_int_equal(cs.done, 1);
		assert_int_equal(off, n);
		assert_int_equal(S.n, plen);
		if (plen > 0)
			assert_memory_equal(S.b, pay, plen);
	}
}

/*
 * The zero-copy relay's use: feed framing, skip a random part of each
 * payload run unseen (chunk_skip up to chunk_data_left), feed the rest.
 * The tracker must end exactly where feeding everything ends, and the
 * payload it reports plus the skipped bytes must be the whole payload.
 */
static void
test_skip(void **state)
{
	struct chunk_state	cs;
	size_t			plen, off, e, c, skipped, left, k;
	long			r;
	int			iter;

	(void)state;
	for (iter = 0; iter < 2000; iter++) {
		plen = rnd(iter % 5 == 0 ? 60000 : 500);
		e = 0;
		for (off = 0; off < plen; off += c) {
			c = 1 + rnd(9000);
			if (c > plen - off)
				c = plen - off;
			e += (size_t)sprintf(enc + e, "%zx\r\n", c);
			memset(enc + e, 'p', c);
			e += c;
			e += (size_t)sprintf(enc + e, "\r\n");
		}
		e += (size_t)sprintf(enc + e, "0\r\n\r\n");
		chunk_init(&cs, 0);
		S.n = 0;
		S.lo = enc;
		S.hi = enc + e;
		skipped = 0;
		for (off = 0; off < e && !cs.done;) {
			left = (size_t)chunk_data_left(&cs);
			if (left > 0 && rnd(2)) {
				k = 1 + rnd(left);
				assert_int_equal(chunk_skip(&cs, k), 0);
				skipped += k;
				off += k;
				continue;
			}
			k = 1 + rnd(40);
			if (k > e - off)
				k = e - off;
			r = chunk_feed(&cs, enc + off, k, collect, &S);
			assert_true(r >= 0);
			off += (size_t)r;
		}
		assert_int_equal(cs.done, 1);
		assert_int_equal(off, e);
		assert_int_equal(S.n + skipped, plen);
	}
	/* Outside payload nothing may be skipped, inside no more than left. */
	chunk_init(&cs, 0);
	assert_int_equal(chunk_data_left(&cs), 0);
	assert_int_equal(chunk_skip(&cs, 1), CHUNK_ERROR);
	assert_int_equal(chunk_skip(&cs, 0), 0);
	r = chunk_feed(&cs, "4\r\n", 3, NULL, NULL);
	assert_int_equal(r, 3);
	assert_int_equal(chunk_data_left(&cs), 4);
	assert_int_equal(chunk_skip(&cs, 5), CHUNK_ERROR);
	assert_int_equal(chunk_data_left(&cs), 4);
	assert_int_equal(chunk_skip(&cs, 4), 0);
	assert_int_equal(chunk_data_left(&cs), 0);
	assert_int_equal(chunk_feed(&cs, "\r\n0\r\n\r\n", 7, NULL, NULL), 7);
	assert_int_equal(cs.done, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strict_ok),
		cmocka_unit_test(test_strict_bad),
		cmocka_unit_test(test_lenient),
		cmocka_unit_test(test_digit_limit),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_payload_ranges),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_skip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
