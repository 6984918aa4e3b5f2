/*
 * test_ratelim.c - one line per interval, the rest counted and reported.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ratelim.h"

static void
test_one_line_per_interval(void **state)
{
	struct ratelim r;
	unsigned long sup = 99, lines = 0;
	uint64_t t;

	(void)state;
	ratelim_init(&r, 1000);
	assert_int_equal(ratelim_due(&r), UINT64_MAX);
	assert_int_equal(ratelim_pass(&r, 5000, &sup), 1);
	assert_int_equal(sup, 0);
	/* A flood within the second: counted, not logged. */
	for (t = 5001; t < 6000; t++)
		lines += (unsigned long)ratelim_pass(&r, t, &sup);
	assert_int_equal(lines, 0);
	assert_int_equal(ratelim_due(&r), 6000);
	assert_int_equal(ratelim_flush(&r, 5999), 0);
	/* The next event past the interval carries the count. */
	assert_int_equal(ratelim_pass(&r, 6000, &sup), 1);
	assert_int_equal(sup, 999);
	assert_int_equal(ratelim_due(&r), UINT64_MAX);
}

static void
test_flush_reports_and_restarts(void **state)
{
	struct ratelim r;
	unsigned long sup;

	(void)state;
	ratelim_init(&r, 1000);
	assert_int_equal(ratelim_pass(&r, 0, &sup), 1);	/* time 0 */
	assert_int_equal(ratelim_pass(&r, 10, &sup), 0);
	assert_int_equal(ratelim_pass(&r, 20, &sup), 0);
	assert_int_equal(ratelim_flush(&r, 1500), 2);
	assert_int_equal(ratelim_flush(&r, 1600), 0);
	/* The summary was this interval's line. */
	assert_int_equal(ratelim_pass(&r, 1700, &sup), 0);
	assert_int_equal(ratelim_pass(&r, 2600, &sup), 1);
	assert_int_equal(sup, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_line_per_interval),
		cmocka_unit_test(test_flush_reports_and_restarts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
