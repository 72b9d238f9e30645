/*
 * test_dialog_bucket.c - the token bucket that rate-limits each customer
 * connection: the burst, the refill rate, the retry hint, a clock that goes
 * back. Times are plain microsecond numbers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "dialog/bucket.h"

#define SEC 1000000ull

static void bucket_should_allow_a_burst_then_refuse(void **state)
{
	struct bucket b;
	uint64_t retry = 0;

	bucket_init(&b, 5, 10, 0);
	for (int i = 0; i < 10; i++)
		assert_true(bucket_take(&b, 0, NULL));
	assert_false(bucket_take(&b, 0, &retry));
	assert_int_equal(retry, SEC / 5 + 1);   /* one token comes back in 200 ms */
}

static void bucket_should_refill_at_the_rate_and_not_above_the_burst(void **state)
{
	struct bucket b;
	uint64_t retry = 0;

	bucket_init(&b, 5, 10, 0);
	for (int i = 0; i < 10; i++)
		assert_true(bucket_take(&b, 0, NULL));
	assert_false(bucket_take(&b, SEC / 10, &retry));   /* half a token after 100 ms */
	assert_true(retry > 0 && retry <= SEC / 10 + 1);
	assert_true(bucket_take(&b, SEC / 5, NULL));       /* one after 200 ms */
	assert_false(bucket_take(&b, SEC / 5, NULL));
	/* An hour idle refills to the burst, not beyond. */
	for (int i = 0; i < 10; i++)
		assert_true(bucket_take(&b, 3600 * SEC, NULL));
	assert_false(bucket_take(&b, 3600 * SEC, NULL));
}

static void bucket_should_sustain_exactly_the_rate(void **state)
{
	struct bucket b;
	int ok = 0;

	bucket_init(&b, 5, 1, 0);
	/* 100 attempts every 50 ms over 5 s: 5/s plus the initial token. */
	for (int i = 0; i < 100; i++)
		ok += bucket_take(&b, (uint64_t)i * SEC / 20, NULL);
	assert_in_range(ok, 25, 26);
}

static void bucket_should_treat_a_clock_going_back_as_no_time(void **state)
{
	struct bucket b;

	bucket_init(&b, 1, 1, 10 * SEC);
	assert_true(bucket_take(&b, 10 * SEC, NULL));
	assert_false(bucket_take(&b, 5 * SEC, NULL));
	assert_true(bucket_take(&b, 11 * SEC, NULL));
}

static void bucket_should_clamp_nonsense_parameters(void **state)
{
	struct bucket b;

	bucket_init(&b, 0, 0, 0);
	assert_true(bucket_take(&b, 0, NULL));
	assert_false(bucket_take(&b, 0, NULL));
	assert_true(bucket_take(&b, SEC, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bucket_should_allow_a_burst_then_refuse),
		cmocka_unit_test(bucket_should_refill_at_the_rate_and_not_above_the_burst),
		cmocka_unit_test(bucket_should_sustain_exactly_the_rate),
		cmocka_unit_test(bucket_should_treat_a_clock_going_back_as_no_time),
		cmocka_unit_test(bucket_should_clamp_nonsense_parameters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
