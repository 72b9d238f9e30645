/*
 * test_dialog_attempts.c - failed sign-in attempts per key in a sliding
 * window: the limit, the retry hint, the window sliding, a reset after a
 * success, keys independent, and the bounded table forgetting the stalest key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "dialog/attempts.h"

#include <stdio.h>

static void attempts_should_refuse_after_the_limit_until_the_oldest_failure_expires(void **state)
{
	struct attempts *a = attempts_new(16, 5, 60000);
	int64_t retry = -1;

	assert_non_null(a);
	for (int i = 0; i < 5; i++) {
		assert_true(attempts_allowed(a, "ip:10.0.0.1", 1000 + i * 1000, NULL));
		attempts_fail(a, "ip:10.0.0.1", 1000 + i * 1000);
	}
	assert_false(attempts_allowed(a, "ip:10.0.0.1", 6000, &retry));
	assert_int_equal(retry, 55000);    /* the first failure (at 1 s) leaves at 61 s */
	assert_false(attempts_allowed(a, "ip:10.0.0.1", 60999, NULL));
	assert_true(attempts_allowed(a, "ip:10.0.0.1", 61000, &retry));
	assert_int_equal(retry, 0);
	attempts_free(a);
}

static void attempts_should_keep_keys_apart_and_forget_on_reset(void **state)
{
	struct attempts *a = attempts_new(16, 2, 60000);

	attempts_fail(a, "user:alice", 0);
	attempts_fail(a, "user:alice", 1);
	assert_false(attempts_allowed(a, "user:alice", 2, NULL));
	assert_true(attempts_allowed(a, "user:bob", 2, NULL));
	assert_int_equal(attempts_count(a), 1);
	attempts_reset(a, "user:alice");
	assert_true(attempts_allowed(a, "user:alice", 3, NULL));
	assert_int_equal(attempts_count(a), 0);
	attempts_free(a);
}

static void attempts_should_count_only_failures_inside_the_window(void **state)
{
	struct attempts *a = attempts_new(4, 3, 1000);

	/* One failure every 500 ms never reaches 3 within 1 s... */
	for (int i = 0; i < 20; i++) {
		assert_true(attempts_allowed(a, "k", i * 500, NULL));
		attempts_fail(a, "k", i * 500);
	}
	/* ...but three in a burst do, and failing more keeps it refused. */
	attempts_fail(a, "k", 10000);
	attempts_fail(a, "k", 10001);
	attempts_fail(a, "k", 10002);
	attempts_fail(a, "k", 10003);
	assert_false(attempts_allowed(a, "k", 10500, NULL));
	assert_true(attempts_allowed(a, "k", 11002, NULL));
	attempts_free(a);
}

static void attempts_should_forget_the_stalest_key_when_full(void **state)
{
	struct attempts *a = attempts_new(3, 1, 60000);
	char key[16];

	for (int i = 0; i < 3; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		attempts_fail(a, key, i);
	}
	assert_int_equal(attempts_count(a), 3);
	attempts_fail(a, "k3", 10);                /* k0 (latest failure at 0) makes way */
	assert_int_equal(attempts_count(a), 3);
	assert_true(attempts_allowed(a, "k0", 11, NULL));
	assert_false(attempts_allowed(a, "k1", 11, NULL));
	assert_false(attempts_allowed(a, "k3", 11, NULL));
	attempts_free(a);
}

static void attempts_should_reject_bad_arguments_and_ignore_empty_keys(void **state)
{
	struct attempts *a;

	assert_null(attempts_new(0, 5, 1000));
	assert_null(attempts_new(4, 0, 1000));
	assert_null(attempts_new(4, ATTEMPTS_LIMIT_MAX + 1, 1000));
	assert_null(attempts_new(4, 5, 0));
	a = attempts_new(4, 1, 1000);
	attempts_fail(a, "", 0);
	attempts_fail(a, NULL, 0);
	assert_int_equal(attempts_count(a), 0);
	assert_true(attempts_allowed(a, "", 0, NULL));
	attempts_free(a);
	attempts_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(attempts_should_refuse_after_the_limit_until_the_oldest_failure_expires),
		cmocka_unit_test(attempts_should_keep_keys_apart_and_forget_on_reset),
		cmocka_unit_test(attempts_should_count_only_failures_inside_the_window),
		cmocka_unit_test(attempts_should_forget_the_stalest_key_when_full),
		cmocka_unit_test(attempts_should_reject_bad_arguments_and_ignore_empty_keys),
	};

	return cmocka_run_group_tests_name("dialog/attempts", tests, NULL, NULL);
}
