/*
 * test_dialog_session.c - sessions belong to the customer: resume by token
 * within the TTL (fake clock: times are plain numbers), expiry, tabs, the
 * bounded transcript and the bounded store.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dialog/session.h"

#define SEC 1000000ull

/* Deterministic tokens: 000...1, 000...2, ... */
static int counting_token(char *out, void *arg)
{
	unsigned *n = arg;

	snprintf(out, SESS_TOKEN_LEN + 1, "%032x", ++*n);
	return 0;
}

static struct sess_store *store(size_t max, unsigned *counter)
{
	struct sess_opts o;

	sess_opts_default(&o);
	o.max_sessions = max;
	o.ttl_us = 60 * SEC;
	o.transcript_max = 3;
	o.transcript_bytes = 100;
	o.max_tabs = 2;
	if (counter) {
		o.token_fn = counting_token;
		o.token_arg = counter;
	}
	return sess_store_new(&o);
}

static void sess_should_make_a_new_session_with_a_random_token(void **state)
{
	struct sess_store *st = store(10, NULL);
	struct sess *a, *b;

	assert_int_equal(sess_open(st, NULL, 0, &a), 0);
	assert_int_equal(sess_open(st, "not-a-token", 0, &b), 0);
	assert_true(sess_is_token(a->token));
	assert_true(sess_is_token(b->token));
	assert_string_not_equal(a->token, b->token);
	assert_int_equal(sess_count(st), 2);
	sess_store_free(st);
}

static void sess_should_resume_with_the_token_within_the_ttl(void **state)
{
	unsigned n = 0;
	struct sess_store *st = store(10, &n);
	struct sess *a, *b;
	char token[SESS_TOKEN_LEN + 1];

	assert_int_equal(sess_open(st, NULL, 1 * SEC, &a), 0);
	assert_int_equal(sess_attach(a, (void *)1, 1 * SEC), 0);
	sess_detach(a, (void *)1, 10 * SEC);   /* the idle clock starts when the last tab leaves */
	strcpy(token, a->token);
	assert_int_equal(sess_open(st, token, 10 * SEC + 60 * SEC - 1, &b), 1);
	assert_ptr_equal(a, b);
	sess_store_free(st);
}

static void sess_should_expire_after_the_ttl_without_tabs(void **state)
{
	unsigned n = 0;
	struct sess_store *st = store(10, &n);
	struct sess *a, *b;
	char token[SESS_TOKEN_LEN + 1];

	assert_int_equal(sess_open(st, NULL, 0, &a), 0);
	strcpy(token, a->token);
	assert_null(sess_find(st, token, 60 * SEC));
	assert_int_equal(sess_open(st, token, 60 * SEC, &b), 0);   /* a new one, with a new token */
	assert_string_not_equal(b->token, token);
	assert_int_equal(sess_count(st), 1);
	sess_store_free(st);
}

static void sess_should_never_expire_while_a_tab_is_attached(void **state)
{
	struct sess_store *st = store(10, NULL);
	struct sess *a;

	assert_int_equal(sess_open(st, NULL, 0, &a), 0);
	assert_int_equal(sess_attach(a, (void *)1, 0), 0);
	assert_int_equal(sess_sweep(st, 3600 * SEC), 0);
	assert_ptr_equal(sess_find(st, a->token, 3600 * SEC), a);
	sess_detach(a, (void *)1, 3600 * SEC);
	assert_int_equal(sess_sweep(st, 3659 * SEC), 0);
	assert_int_equal(sess_sweep(st, 3660 * SEC), 1);
	assert_int_equal(sess_count(st), 0);
	sess_store_free(st);
}

static void sess_should_share_one_session_between_tabs_up_to_the_limit(void **state)
{
	struct sess_store *st = store(10, NULL);
	struct sess *a, *b;
	int t1, t2, t3;

	assert_int_equal(sess_open(st, NULL, 0, &a), 0);
	assert_int_equal(sess_attach(a, &t1, 0), 0);
	assert_int_equal(sess_open(st, a->token, 1, &b), 1);
	assert_int_equal(sess_attach(b, &t2, 1), 0);
	assert_int_equal(sess_attach(b, &t2, 1), 0);   /* attaching twice is harmless */
	assert_int_equal(sess_conn_count(a), 2);
	assert_ptr_equal(sess_conn_at(a, 0), &t1);
	assert_ptr_equal(sess_conn_at(a, 1), &t2);
	assert_int_equal(sess_attach(a, &t3, 1), -EMLINK);
	sess_detach(a, &t1, 2);
	assert_int_equal(sess_conn_count(a), 1);
	assert_ptr_equal(sess_conn_at(a, 0), &t2);
	sess_detach(a, &t1, 2);                          /* not attached: no-op */
	assert_int_equal(sess_conn_count(a), 1);
	sess_store_free(st);
}

static void sess_should_keep_only_the_last_envelopes_of_the_transcript(void **state)
{
	struct sess_store *st = store(10, NULL);
	struct sess *s;
	char big[200];

	assert_int_equal(sess_open(st, NULL, 0, &s), 0);
	assert_int_equal(sess_log(s, "{\"n\":1}", 7), 0);
	assert_int_equal(sess_log(s, "{\"n\":2}", 7), 0);
	assert_int_equal(sess_log(s, "{\"n\":3}", 7), 0);
	assert_int_equal(sess_log(s, "{\"n\":4}", 7), 0);
	assert_int_equal(sess_log_count(s), 3);          /* transcript_max */
	assert_string_equal(sess_log_at(s, 0)->buf, "{\"n\":2}");
	assert_string_equal(sess_log_at(s, 2)->buf, "{\"n\":4}");
	assert_null(sess_log_at(s, 3));
	memset(big, 'x', sizeof(big));
	assert_int_equal(sess_log(s, big, 90), 0);       /* bytes bound: 100, so only 7 + 90 stay */
	assert_int_equal(sess_log_count(s), 2);
	assert_string_equal(sess_log_at(s, 0)->buf, "{\"n\":4}");
	assert_int_equal(sess_log_at(s, 1)->len, 90);
	assert_int_equal(sess_log(s, big, sizeof(big)), -E2BIG);
	assert_int_equal(sess_log_count(s), 2);
	sess_store_free(st);
}

static void sess_should_evict_the_least_recently_active_idle_session_when_full(void **state)
{
	unsigned n = 0;
	struct sess_store *st = store(2, &n);
	struct sess *a, *b, *c, *d;
	char ta[SESS_TOKEN_LEN + 1], tb[SESS_TOKEN_LEN + 1];
	int t1, t2;

	assert_int_equal(sess_open(st, NULL, 0, &a), 0);
	assert_int_equal(sess_open(st, NULL, 1, &b), 0);
	strcpy(ta, a->token);
	strcpy(tb, b->token);
	sess_touch(a, 2);                                /* b is now the least recently active */
	assert_int_equal(sess_open(st, NULL, 3, &c), 0);
	assert_int_equal(sess_count(st), 2);
	assert_null(sess_find(st, tb, 3));
	assert_non_null(sess_find(st, ta, 3));
	/* When every session has a tab, a new customer is refused. */
	assert_int_equal(sess_attach(sess_find(st, ta, 3), &t1, 3), 0);
	assert_int_equal(sess_attach(c, &t2, 3), 0);
	assert_int_equal(sess_open(st, NULL, 4, &d), -EBUSY);
	assert_null(d);
	sess_store_free(st);
}

static void sess_should_number_messages_and_remember_recent_answers(void **state)
{
	struct sess_store *st = store(10, NULL);
	struct sess *s;

	assert_int_equal(sess_open(st, NULL, 0, &s), 0);
	assert_int_equal(sess_last_id(s), 0);
	assert_int_equal(sess_next_id(s), 1);
	assert_int_equal(sess_next_id(s), 2);
	for (uint32_t i = 1; i <= LIM_REPLIES_KEPT + 2; i++)
		sess_note_answer(s, i, "refund-time", "en");
	assert_null(sess_note_find(s, 1));               /* forgotten: the ring is bounded */
	assert_null(sess_note_find(s, 2));
	assert_string_equal(sess_note_find(s, 3)->entry, "refund-time");
	assert_non_null(sess_note_find(s, LIM_REPLIES_KEPT + 2));
	assert_int_equal(sess_set_context(s, "{\"order\":1}"), 0);
	assert_string_equal(s->context, "{\"order\":1}");
	assert_int_equal(sess_set_context(s, NULL), 0);
	assert_null(s->context);
	sess_store_free(st);
}

static void sess_should_accept_only_well_formed_tokens(void **state)
{
	assert_true(sess_is_token("0123456789abcdef0123456789abcdef"));
	assert_false(sess_is_token("0123456789ABCDEF0123456789abcdef"));
	assert_false(sess_is_token("0123456789abcdef0123456789abcde"));
	assert_false(sess_is_token("0123456789abcdef0123456789abcdef0"));
	assert_false(sess_is_token(""));
	assert_false(sess_is_token(NULL));
	sess_store_free(NULL);
}

static void sess_should_bring_back_a_lost_session_under_its_own_token(void **state)
{
	unsigned n = 0;
	struct sess_store *st = store(4, &n);
	const char *tok = "0123456789abcdef0123456789abcdef";
	struct sess *s, *again;

	assert_int_equal(sess_open_as(st, tok, 0, &s), 0);          /* unknown: made with that token */
	assert_string_equal(s->token, tok);
	assert_int_equal(sess_open_as(st, tok, SEC, &again), 1);    /* now known: resumed */
	assert_ptr_equal(again, s);
	assert_int_equal(sess_open(st, tok, SEC, &again), 1);
	assert_ptr_equal(again, s);
	assert_int_equal(sess_open_as(st, "not a token", 0, &s), -EINVAL);
	assert_null(s);
	assert_int_equal(n, 0);                                        /* no fresh token was drawn */
	sess_store_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sess_should_make_a_new_session_with_a_random_token),
		cmocka_unit_test(sess_should_resume_with_the_token_within_the_ttl),
		cmocka_unit_test(sess_should_expire_after_the_ttl_without_tabs),
		cmocka_unit_test(sess_should_never_expire_while_a_tab_is_attached),
		cmocka_unit_test(sess_should_share_one_session_between_tabs_up_to_the_limit),
		cmocka_unit_test(sess_should_keep_only_the_last_envelopes_of_the_transcript),
		cmocka_unit_test(sess_should_evict_the_least_recently_active_idle_session_when_full),
		cmocka_unit_test(sess_should_number_messages_and_remember_recent_answers),
		cmocka_unit_test(sess_should_accept_only_well_formed_tokens),
		cmocka_unit_test(sess_should_bring_back_a_lost_session_under_its_own_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
