/*
 * test_climit.c - per-client caps: connections, streams, the global
 * stream cap, key forms, and the hash table under churn against a model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "climit.h"

static struct climit_key
v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	const uint8_t x[4] = { a, b, c, d };

	return climit_key_ipv4(x);
}

static void
test_conn_cap_per_client(void **state)
{
	struct climit_limits lim = { 3, 0, 0 };
	struct climit c;
	struct climit_key a = v4(127, 0, 0, 1), b = v4(127, 0, 0, 2);
	int i;

	(void)state;
	climit_init(&c, &lim);
	for (i = 0; i < 3; i++)
		assert_int_equal(climit_conn_open(&c, &a), CLIMIT_OK);
	assert_int_equal(climit_conn_open(&c, &a), CLIMIT_CLIENT_FULL);
	/* Another client is not affected by the first one's cap. */
	assert_int_equal(climit_conn_open(&c, &b), CLIMIT_OK);
	assert_int_equal(climit_find(&c, &a)->conns, 3);
	assert_int_equal(climit_find(&c, &b)->conns, 1);
	climit_conn_close(&c, &a);
	assert_int_equal(climit_conn_open(&c, &a), CLIMIT_OK);
	for (i = 0; i < 3; i++)
		climit_conn_close(&c, &a);
	climit_conn_close(&c, &b);
	assert_null(climit_find(&c, &a));
	assert_null(climit_find(&c, &b));
	assert_int_equal(c.n, 0);
	climit_free(&c);
}

static void
test_stream_caps(void **state)
{
	struct climit_limits lim = { 0, 2, 3 };
	struct climit c;
	struct climit_key a = v4(10, 0, 0, 1), b = v4(10, 0, 0, 2);
	int i;

	(void)state;
	climit_init(&c, &lim);
	/* A stream needs a counted connection. */
	assert_int_equal(climit_stream_open(&c, &a), CLIMIT_CLIENT_FULL);
	for (i = 0; i < 4; i++) {
		assert_int_equal(climit_conn_open(&c, &a), CLIMIT_OK);
		assert_int_equal(climit_conn_open(&c, &b), CLIMIT_OK);
	}
	assert_int_equal(climit_stream_open(&c, &a), CLIMIT_OK);
	assert_int_equal(climit_stream_open(&c, &a), CLIMIT_OK);
	assert_int_equal(climit_stream_open(&c, &a), CLIMIT_CLIENT_FULL);
	assert_int_equal(climit_stream_open(&c, &b), CLIMIT_OK);
	/* Three in all: the global cap. */
	assert_int_equal(climit_stream_open(&c, &b), CLIMIT_TOTAL_FULL);
	assert_int_equal(c.streams_total, 3);
	climit_stream_close(&c, &a);
	assert_int_equal(climit_stream_open(&c, &b), CLIMIT_OK);
	assert_int_equal(climit_find(&c, &b)->streams, 2);
	/* Lowered limits apply to what opens next. */
	lim.streams = 1;
	climit_set_limits(&c, &lim);
	climit_stream_close(&c, &b);
	assert_int_equal(climit_stream_open(&c, &b), CLIMIT_CLIENT_FULL);
	climit_free(&c);
}

static void
test_keys(void **state)
{
	static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2,
	    1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2,
	    9, 9, 9, 9, 9, 9, 9, 9 };
	static const uint8_t c6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 3,
	    1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t m6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
	    0xff, 127, 0, 0, 1 };
	struct climit_limits lim = { 1, 0, 0 };
	struct climit c;
	struct climit_key a = climit_key_ipv6(a6), b = climit_key_ipv6(b6);
	struct climit_key d = climit_key_ipv6(c6), m = climit_key_ipv6(m6);
	struct climit_key l = v4(127, 0, 0, 1), u = climit_key_uid(1000);
	char buf[64];

	(void)state;
	climit_init(&c, &lim);
	/* One /64 is one client. */
	assert_int_equal(climit_conn_open(&c, &a), CLIMIT_OK);
	assert_int_equal(climit_conn_open(&c, &b), CLIMIT_CLIENT_FULL);
	assert_int_equal(climit_conn_open(&c, &d), CLIMIT_OK);
	/* ::ffff:127.0.0.1 is 127.0.0.1. */
	assert_int_equal(climit_conn_open(&c, &m), CLIMIT_OK);
	assert_int_equal(climit_conn_open(&c, &l), CLIMIT_CLIENT_FULL);
	/* uid 1000 is not 0.0.3.232. */
	assert_int_equal(climit_conn_open(&c, &u), CLIMIT_OK);
	assert_string_equal(climit_key_str(&a, buf, sizeof(buf)),
	    "2001:db8:1:2::/64");
	assert_string_equal(climit_key_str(&m, buf, sizeof(buf)), "127.0.0.1");
	assert_string_equal(climit_key_str(&u, buf, sizeof(buf)), "uid 1000");
	climit_free(&c);
}

/* Random opens and closes over many clients against a plain model. */
static void
test_churn_against_model(void **state)
{
	enum { KEYS = 3000, OPS = 200000 };
	static unsigned conns[KEYS], streams[KEYS];
	struct climit_limits lim = { 5, 2, 1000 };
	struct climit c;
	struct climit_key k;
	const struct climit_entry *e;
	unsigned long total = 0, seed = 12345;
	size_t	 i, live = 0;
	int	 op, id, v;

	(void)state;
	memset(conns, 0, sizeof(conns));
	memset(streams, 0, sizeof(streams));
	climit_init(&c, &lim);
	for (i = 0; i < OPS; i++) {
		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		id = (int)((seed >> 33) % KEYS);
		op = (int)((seed >> 20) % 4);
		k = v4(10, (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id);
		switch (op) {
		case 0:
			v = climit_conn_open(&c, &k);
			if (conns[id] < lim.conns) {
				assert_int_equal(v, CLIMIT_OK);
				live += conns[id]++ == 0;
			} else
				assert_int_equal(v, CLIMIT_CLIENT_FULL);
			break;
		case 1:
			if (conns[id] == 0 || conns[id] <= streams[id])
				break;
			climit_conn_close(&c, &k);
			live -= --conns[id] == 0;
			break;
		case 2:
			v = climit_stream_open(&c, &k);
			if (conns[id] == 0 || streams[id] >= lim.streams)
				assert_int_equal(v, CLIMIT_CLIENT_FULL);
			else if (total >= lim.streams_total)
				assert_int_equal(v, CLIMIT_TOTAL_FULL);
			else {
				assert_int_equal(v, CLIMIT_OK);
				streams[id]++;
				total++;
			}
			break;
		case 3:
			if (streams[id] == 0)
				break;
			climit_stream_close(&c, &k);
			streams[id]--;
			total--;
			break;
		}
	}
	assert_int_equal(c.n, live);
	assert_int_equal(c.streams_total, total);
	for (id = 0; id < KEYS; id++) {
		k = v4(10, (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id);
		e = climit_find(&c, &k);
		if (conns[id] == 0) {
			assert_null(e);
			continue;
		}
		assert_non_null(e);
		assert_int_equal(e->conns, conns[id]);
		assert_int_equal(e->streams, streams[id]);
	}
	assert_true(c.n * 2 <= c.cap);
	climit_free(&c);
}

/* No limits: everything is granted and still counted. */
static void
test_unlimited(void **state)
{
	struct climit c;
	struct climit_key a = v4(192, 0, 2, 1);
	int i;

	(void)state;
	climit_init(&c, NULL);
	for (i = 0; i < 10000; i++)
		assert_int_equal(climit_conn_open(&c, &a), CLIMIT_OK);
	for (i = 0; i < 10000; i++)
		assert_int_equal(climit_stream_open(&c, &a), CLIMIT_OK);
	assert_int_equal(climit_find(&c, &a)->streams, 10000);
	climit_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conn_cap_per_client),
		cmocka_unit_test(test_stream_caps),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_churn_against_model),
		cmocka_unit_test(test_unlimited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
