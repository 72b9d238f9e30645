/*
 * test_text_tokenize.c - the text pipeline: folding, stop words, stems,
 * Chinese segmentation and Traditional folding, synonyms.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "text/tokenize.h"

static struct tok_analyzer *en, *zh;
static struct tok_list tl;

static int setup(void **state)
{
	struct tok_config c = { .langs = { "en" }, .n_langs = 1 };
	struct tok_config z = { .langs = { "en", "zh" }, .n_langs = 2 };
	char err[256];

	en = tok_analyzer_new(&c, err, sizeof(err));
	zh = tok_analyzer_new(&z, err, sizeof(err));
	return en && zh ? 0 : -1;
}

static int teardown(void **state)
{
	tok_analyzer_free(en);
	tok_analyzer_free(zh);
	return 0;
}

/* The tokens' terms joined with '|'. */
static const char *terms(struct tok_analyzer *a, const char *s)
{
	static char out[1024];
	size_t n = 0;

	assert_int_equal(tok_run(a, s, strlen(s), 0, &tl), 0);
	out[0] = '\0';
	for (size_t i = 0; i < tl.n; i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", i ? "|" : "", tl.t[i].term);
	return out;
}

static void tokenize_should_fold_case_before_stemming(void **state)
{
	assert_string_equal(terms(en, "SHIPPING Refunds"), "ship|refund");
}

static void tokenize_should_drop_stop_words_but_keep_negations_and_question_words(void **state)
{
	assert_string_equal(terms(en, "hi, the parcel is not here please"), "parcel|is|not|here");
	assert_string_equal(terms(en, "how long"), "how|long");
}

static void tokenize_should_fold_full_width_letters_and_punctuation(void **state)
{
	assert_string_equal(terms(en, "ＲＥＦＵＮＤ？"), "refund");
}

static void tokenize_should_join_hyphenated_words(void **state)
{
	assert_string_equal(terms(en, "e-mail t-shirt"), "email|tshirt");
}

static void tokenize_should_split_english_contractions_typed_with_or_without_apostrophe(void **state)
{
	assert_string_equal(terms(en, "this isnt what i ordered"), terms(en, "this is not what i ordered"));
	assert_string_equal(terms(en, "I can't log in"), "i|can|not|log|in");
	assert_string_equal(terms(en, "u"), "you");
	/* The stemmer would fold "personalized" onto "person". */
	assert_string_equal(terms(en, "personalized"), terms(en, "personalised"));
	assert_true(strcmp(terms(en, "personalized"), "person") != 0);
}

static void tokenize_should_leave_numbers_out_of_the_terms(void **state)
{
	assert_string_equal(terms(en, "order 12345 not here"), "order|not|here");
	assert_int_equal(tl.numbers, 1);
}

static void tokenize_should_reject_invalid_utf8(void **state)
{
	assert_int_equal(tok_run(en, "bad \xC3\x28", 6, 0, &tl), -EILSEQ);
}

static void tokenize_should_segment_chinese_with_the_dictionary(void **state)
{
	assert_string_equal(terms(zh, "退货要多久"), "退货|要|多久");
}

static void tokenize_should_fold_traditional_to_simplified(void **state)
{
	assert_string_equal(terms(zh, "退貨"), terms(zh, "退货"));
	assert_string_equal(terms(zh, "發票"), "发票");
}

static void tokenize_should_handle_mixed_english_and_chinese(void **state)
{
	assert_string_equal(terms(zh, "iPhone 退货"), "iphon|退货");
}

static void tokenize_should_add_bigrams_inside_long_chinese_words(void **state)
{
	/* 怎么办 is one dictionary word of three characters: it also yields its bigrams. */
	assert_string_equal(terms(zh, "怎么办"), "怎么办|怎么|么办");
}

static void synonyms_should_rewrite_phrases_to_the_first_member(void **state)
{
	struct tok_config c = { .langs = { "en" }, .n_langs = 1 };
	const char *set[] = { "refund", "money back", "reimbursement" };
	char err[256];
	struct tok_analyzer *a = tok_analyzer_new(&c, err, sizeof(err));

	assert_non_null(a);
	assert_int_equal(tok_add_synonyms(a, set, 3), 0);
	assert_string_equal(terms(a, "I want my money back now"), "i|want|my|refund|now");
	assert_string_equal(terms(a, "reimbursement"), "refund");
	tok_analyzer_free(a);
}

static void synonyms_should_make_chinese_members_dictionary_words(void **state)
{
	struct tok_config c = { .langs = { "zh" }, .n_langs = 1 };
	const char *set[] = { "退款", "退钱" };
	char err[256];
	struct tok_analyzer *a = tok_analyzer_new(&c, err, sizeof(err));

	assert_non_null(a);
	assert_int_equal(tok_add_synonyms(a, set, 2), 0);
	assert_string_equal(terms(a, "怎么退钱"), "怎么|退款");
	tok_analyzer_free(a);
}

static void tokenize_should_bound_the_number_of_tokens(void **state)
{
	char *big = malloc(LIM_UTTERANCE * 2);

	for (size_t i = 0; i < LIM_UTTERANCE * 2 - 1; i++)
		big[i] = (i % 3 == 2) ? ' ' : 'a';
	assert_int_equal(tok_run(en, big, LIM_UTTERANCE * 2 - 1, 0, &tl), 0);
	assert_true(tl.n <= LIM_TOKENS);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tokenize_should_fold_case_before_stemming),
		cmocka_unit_test(tokenize_should_drop_stop_words_but_keep_negations_and_question_words),
		cmocka_unit_test(tokenize_should_fold_full_width_letters_and_punctuation),
		cmocka_unit_test(tokenize_should_join_hyphenated_words),
		cmocka_unit_test(tokenize_should_split_english_contractions_typed_with_or_without_apostrophe),
		cmocka_unit_test(tokenize_should_leave_numbers_out_of_the_terms),
		cmocka_unit_test(tokenize_should_reject_invalid_utf8),
		cmocka_unit_test(tokenize_should_segment_chinese_with_the_dictionary),
		cmocka_unit_test(tokenize_should_fold_traditional_to_simplified),
		cmocka_unit_test(tokenize_should_handle_mixed_english_and_chinese),
		cmocka_unit_test(tokenize_should_add_bigrams_inside_long_chinese_words),
		cmocka_unit_test(synonyms_should_rewrite_phrases_to_the_first_member),
		cmocka_unit_test(synonyms_should_make_chinese_members_dictionary_words),
		cmocka_unit_test(tokenize_should_bound_the_number_of_tokens),
	};
	return cmocka_run_group_tests_name("text/tokenize", tests, setup, teardown);
}
