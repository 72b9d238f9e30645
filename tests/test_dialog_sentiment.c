/*
 * test_dialog_sentiment.c - anger and complaint scoring with the shipped word
 * lists (intents/sentiment.json): negation in English and Chinese, its scope,
 * intensifiers, capitals, phrases and wildcards; the lexicon and file
 * validation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dialog/sentiment.h"
#include "proto/sentiment_json.h"

static struct sentiment_lexicon *lex;

static int setup(void **state)
{
	char err[512];

	lex = sentiment_json_load("intents/sentiment.json", err, sizeof(err));
	if (!lex)
		fprintf(stderr, "%s\n", err);
	return lex ? 0 : -1;
}

static int teardown(void **state)
{
	sentiment_lexicon_free(lex);
	lex = NULL;
	return 0;
}

static struct sentiment_result score(const char *text)
{
	struct sentiment_result r;

	assert_int_equal(sentiment_score(lex, text, strlen(text), NULL, &r), 0);
	return r;
}

static void assert_close(float a, float b)
{
	if (fabsf(a - b) > 0.001f)
		fail_msg("%g != %g", (double)a, (double)b);
}

static void score_should_find_anger_in_english(void **state)
{
	struct sentiment_result r = score("I am angry about this order");

	assert_close(r.anger, 2.0f);
	assert_int_equal(r.n_hits, 1);
	assert_string_equal(r.hits[0].word, "angry");
	assert_string_equal(r.hits[0].lang, "en");
	assert_false(r.hits[0].negated);
}

static void score_should_not_count_not_angry_as_anger(void **state)
{
	struct sentiment_result r = score("I'm not angry, just asking");

	assert_close(sentiment_total(&r), 0.0f);
	assert_int_equal(r.n_hits, 1);
	assert_true(r.hits[0].negated);
	assert_close(r.hits[0].weight, 0.0f);
}

static void score_should_not_count_bu_shengqi_as_anger(void **state)
{
	struct sentiment_result r = score("我不生气，只是想问一下");

	assert_close(sentiment_total(&r), 0.0f);
	assert_int_equal(r.n_hits, 1);
	assert_string_equal(r.hits[0].word, "生气");
	assert_true(r.hits[0].negated);
	r = score("我没有生气");
	assert_close(sentiment_total(&r), 0.0f);
	r = score("我一点也不生气");
	assert_close(sentiment_total(&r), 0.0f);
}

static void score_should_find_anger_in_chinese_and_weigh_intensifiers(void **state)
{
	struct sentiment_result r = score("我很生气");

	assert_close(r.anger, 3.0f);   /* 2 x 1.5 */
	r = score("生气");
	assert_close(r.anger, 2.0f);
	r = score("我生氣了");             /* Traditional forms are listed too */
	assert_close(r.anger, 2.0f);
	r = score("我沒有生氣");
	assert_close(r.anger, 0.0f);
}

static void negation_should_reach_a_few_words_back(void **state)
{
	struct sentiment_result r = score("I am not at all angry");

	assert_close(r.anger, 0.0f);
	r = score("I wasn't ever furious");        /* *n't is a negator */
	assert_close(r.anger, 0.0f);
	r = score("not angry or upset");           /* one negator covers both */
	assert_close(sentiment_total(&r), 0.0f);
	assert_int_equal(r.n_hits, 2);
}

static void negation_should_stop_at_punctuation_and_at_but(void **state)
{
	struct sentiment_result r = score("No, I am angry");

	assert_close(r.anger, 2.0f);
	r = score("not the delivery but I am furious");
	assert_close(r.anger, 3.0f);
	r = score("我不是说快递，我很生气");
	assert_close(r.anger, 3.0f);
	r = score("不是快递但是生气");
	assert_close(r.anger, 2.0f);
}

static void negation_should_not_reach_far_words(void **state)
{
	struct sentiment_result r = score("I do not know why this is such a scam");

	assert_close(r.anger, 3.0f);
}

static void phrases_should_win_over_their_first_word(void **state)
{
	struct sentiment_result r = score("I am not happy with this");   /* "not happy" is a complaint */

	assert_close(r.complaint, 2.0f);
	assert_string_equal(r.hits[0].word, "not happy");
	r = score("我对服务很不满意");                                  /* 不满意 is not 不 + 满意 */
	assert_close(r.complaint, 3.0f);
	r = score("I'm fed up with this rip-off");
	assert_close(r.anger, 5.0f);
}

static void wildcards_should_match_word_forms(void **state)
{
	struct sentiment_result r = score("you are scammers");

	assert_close(r.anger, 3.0f);
	assert_string_equal(r.hits[0].word, "scam");
}

static void capitals_and_exclamations_should_add_weight(void **state)
{
	struct sentiment_result r = score("I am ANGRY");

	assert_close(r.anger, 3.0f);
	r = score("I am angry!!");
	assert_close(r.anger, 2.5f);
	r = score("I am angry!");
	assert_close(r.anger, 2.0f);
}

static void complaints_should_be_scored_apart_from_anger(void **state)
{
	struct sentiment_result r = score("I want to file a complaint");

	assert_close(r.complaint, 3.0f);
	assert_close(r.anger, 0.0f);
	assert_int_equal(r.hits[0].kind, SENTIMENT_COMPLAINT);
	r = score("我要投诉你们");
	assert_close(r.complaint, 3.0f);
}

static void neutral_questions_should_score_zero(void **state)
{
	const char *calm[] = { "How long does a refund take?", "no problem, thanks", "where is my order 1234",
			       "退款多久到账", "我想改一下地址", "Is there a sale on?" };

	for (size_t i = 0; i < sizeof(calm) / sizeof(*calm); i++) {
		struct sentiment_result r = score(calm[i]);

		if (sentiment_total(&r) != 0.0f)
			fail_msg("\"%s\" scored %g", calm[i], (double)sentiment_total(&r));
	}
}

static void language_filter_should_use_only_that_list(void **state)
{
	struct sentiment_result r;

	assert_int_equal(sentiment_score(lex, "angry 生气", strlen("angry 生气"), "en", &r), 0);
	assert_close(r.anger, 2.0f);
	assert_int_equal(sentiment_score(lex, "angry 生气", strlen("angry 生气"), "zh", &r), 0);
	assert_close(r.anger, 2.0f);
	assert_string_equal(r.hits[0].word, "生气");
	assert_int_equal(sentiment_score(lex, "angry 生气", strlen("angry 生气"), NULL, &r), 0);
	assert_close(r.anger, 4.0f);
}

static void score_should_refuse_malformed_utf8(void **state)
{
	struct sentiment_result r;

	assert_int_equal(sentiment_score(lex, "angry \xC0\xAF", 8, NULL, &r), -EILSEQ);
	assert_int_equal(sentiment_score(lex, "", 0, NULL, &r), 0);
	assert_close(sentiment_total(&r), 0.0f);
}

static void lexicon_should_validate_entries_and_keep_the_first_kind(void **state)
{
	struct sentiment_lexicon *l = sentiment_lexicon_new();
	struct sentiment_result r;

	assert_non_null(l);
	assert_int_equal(sentiment_add(l, "en", SENTIMENT_ANGER, "grr", 0.0f), -EINVAL);
	assert_int_equal(sentiment_add(l, "en", SENTIMENT_ANGER, "grr", 11.0f), -EINVAL);
	assert_int_equal(sentiment_add(l, "en", SENTIMENT_ANGER, "a, b", 1.0f), -EINVAL);
	assert_int_equal(sentiment_add(l, "en", SENTIMENT_ANGER, "one two three four five six seven", 1.0f), -EINVAL);
	assert_int_equal(sentiment_add(l, "en", SENTIMENT_ANGER, "", 1.0f), -EINVAL);
	assert_int_equal(sentiment_add(l, "en", SENTIMENT_ANGER, "two words*", 1.0f), -EINVAL);
	assert_int_equal(sentiment_add(l, "en", SENTIMENT_ANGER, "Grr", 2.0f), 0);
	assert_int_equal(sentiment_add(l, "en", SENTIMENT_NEGATOR, "grr", 0.0f), 0);   /* duplicate: ignored */
	assert_int_equal(sentiment_count(l), 1);
	assert_int_equal(sentiment_score(l, "GRR grr", 7, NULL, &r), 0);
	assert_close(r.anger, 5.0f);   /* capitals: 3 + 2 */
	assert_int_equal(sentiment_set_rules(l, 0, 1.5f), -EINVAL);
	assert_int_equal(sentiment_set_rules(l, 3, 0.5f), -EINVAL);
	sentiment_lexicon_free(l);
	sentiment_lexicon_free(NULL);
}

static void file_errors_should_name_the_key(void **state)
{
	char err[256];
	struct {
		const char *json, *want;
	} bad[] = {
		{ "{\"v\":2,\"languages\":{}}", "v: must be 1" },
		{ "{\"v\":1}", "languages: must be an object" },
		{ "{\"v\":1,\"languages\":{\"en\":{\"anger\":{\"mad\":0}}}}", "languages.en.anger.\"mad\": weight" },
		{ "{\"v\":1,\"languages\":{\"en\":{\"rage\":{}}}}", "languages.en.rage: unknown list" },
		{ "{\"v\":1,\"languages\":{\"en\":{\"negators\":[\"not\",3]}}}", "languages.en.negators[1]: must be a string" },
		{ "{\"v\":1,\"lang\":{}}", "lang: unknown key" },
		{ "{\"v\":1,\"languages\":{\"en\":{\"anger\":{\"a. b\":1}}}}", "languages.en.anger.\"a. b\": not a usable" },
		{ "{\"v\":1,", "not valid JSON" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct sentiment_lexicon *l = sentiment_json_parse(bad[i].json, strlen(bad[i].json), err, sizeof(err));

		assert_null(l);
		if (!strstr(err, bad[i].want))
			fail_msg("case %zu: \"%s\" does not contain \"%s\"", i, err, bad[i].want);
	}
	assert_null(sentiment_json_load("tests/data/no-such-file.json", err, sizeof(err)));
	assert_non_null(strstr(err, "no-such-file.json"));
}

static void shipped_lists_should_cover_english_and_chinese(void **state)
{
	assert_true(sentiment_count(lex) > 200);
}

static void bad_json_should_be_refused_with_the_byte_it_went_wrong_at(void **state)
{
	static const char bad[] = "{\"v\": 1, \"anger\": [1,}";   /* the '}' is byte 21, from 0 */
	char err[256];

	assert_null(sentiment_json_parse(bad, sizeof(bad) - 1, err, sizeof(err)));
	assert_non_null(strstr(err, "not valid JSON (near byte 21)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_json_should_be_refused_with_the_byte_it_went_wrong_at),
		cmocka_unit_test(score_should_find_anger_in_english),
		cmocka_unit_test(score_should_not_count_not_angry_as_anger),
		cmocka_unit_test(score_should_not_count_bu_shengqi_as_anger),
		cmocka_unit_test(score_should_find_anger_in_chinese_and_weigh_intensifiers),
		cmocka_unit_test(negation_should_reach_a_few_words_back),
		cmocka_unit_test(negation_should_stop_at_punctuation_and_at_but),
		cmocka_unit_test(negation_should_not_reach_far_words),
		cmocka_unit_test(phrases_should_win_over_their_first_word),
		cmocka_unit_test(wildcards_should_match_word_forms),
		cmocka_unit_test(capitals_and_exclamations_should_add_weight),
		cmocka_unit_test(complaints_should_be_scored_apart_from_anger),
		cmocka_unit_test(neutral_questions_should_score_zero),
		cmocka_unit_test(language_filter_should_use_only_that_list),
		cmocka_unit_test(score_should_refuse_malformed_utf8),
		cmocka_unit_test(lexicon_should_validate_entries_and_keep_the_first_kind),
		cmocka_unit_test(file_errors_should_name_the_key),
		cmocka_unit_test(shipped_lists_should_cover_english_and_chinese),
	};

	return cmocka_run_group_tests_name("dialog/sentiment", tests, setup, teardown);
}
