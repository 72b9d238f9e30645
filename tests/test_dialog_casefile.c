/*
 * test_dialog_casefile.c - the case file: building it within its bounds,
 * settling reactions, the one-paragraph summary in English and Chinese, and
 * the JSON encoding (parsed back field by field).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialog/casefile.h"
#include "proto/casefile.h"

#define T0 1700000000000LL

/* The refund story of the issue: asked about a refund, 👎 on the answer, asked for a person. */
static struct casefile *refund_story(void)
{
	struct casefile *cf = casefile_new("3f2a9c", T0);

	assert_non_null(cf);
	assert_int_equal(casefile_set_customer(cf, "cust-42", "Lin Wei", "vip", "en", true), 0);
	assert_int_equal(casefile_set_scene(cf, "refund_form", "refund page"), 0);
	assert_int_equal(casefile_add_context(cf, "order.status", "returned"), 0);
	assert_int_equal(casefile_add_message(cf, HANDOFF_FROM_CUSTOMER, NULL, "how long for my refund?", T0 + 1000), 0);
	assert_int_equal(casefile_add_answer(cf, "refund-time", "How long does a refund take?", T0 + 1100), 0);
	assert_int_equal(casefile_add_message(cf, HANDOFF_FROM_BOT, NULL, "Refunds reach your account in 3-5 days.",
					      T0 + 1100), 0);
	assert_int_equal(casefile_react(cf, "refund-time", CASEFILE_DOWN), 0);
	assert_int_equal(casefile_add_message(cf, HANDOFF_FROM_CUSTOMER, NULL, "I want to talk to a person", T0 + 5000), 0);
	assert_int_equal(casefile_set_intent(cf, "refund", "a refund", 0.82f), 0);
	assert_int_equal(casefile_add_slot(cf, "order_id", "1234"), 0);
	casefile_set_reason(cf, HANDOFF_REASON_ASKED);
	return cf;
}

static void summary_should_read_like_the_example(void **state)
{
	struct casefile *cf = refund_story();

	free(cf->customer.tier);
	cf->customer.tier = strdup("standard");
	assert_string_equal(casefile_summarize(cf, "en"),
			    "Asked about a refund for order 1234 on the refund page; the bot answered refund-time (👎); "
			    "asked for a person.");
	assert_string_equal(cf->summary_lang, "en");
	casefile_free(cf);
}

static void summary_should_be_written_in_chinese_for_a_chinese_agent(void **state)
{
	struct casefile *cf = refund_story();

	assert_int_equal(casefile_set_scene(cf, "refund_form", "退款页面"), 0);
	assert_int_equal(casefile_set_intent(cf, "refund", "退款", 0.82f), 0);
	assert_string_equal(casefile_summarize(cf, "zh-CN"),
			    "在退款页面咨询退款（订单 1234）；机器人回答了 refund-time（👎）；要求转人工。已验证的 VIP 客户。");
	assert_string_equal(cf->summary_lang, "zh");
	casefile_free(cf);
}

static void summary_should_mention_a_verified_vip_and_earlier_contacts(void **state)
{
	struct casefile *cf = refund_story();
	struct handoff_conv prev = { .id = "old1", .state = HANDOFF_RESOLVED, .reason = HANDOFF_REASON_FALLBACKS };

	assert_int_equal(casefile_add_previous(cf, &prev), 0);
	assert_non_null(strstr(casefile_summarize(cf, "en"), "; asked for a person. Verified VIP. Contacted us 1 time before."));
	casefile_free(cf);
}

static void summary_without_an_intent_should_quote_the_first_message(void **state)
{
	struct casefile *cf = casefile_new("c", T0);
	const char *longq = "I ordered a blue jacket last week and the parcel shows delivered but nothing is here at all";

	assert_int_equal(casefile_add_message(cf, HANDOFF_FROM_CUSTOMER, NULL, longq, T0), 0);
	assert_int_equal(casefile_add_message(cf, HANDOFF_FROM_BOT, NULL, "Sorry, I don't know that one.", T0 + 1), 0);
	casefile_set_reason(cf, HANDOFF_REASON_FALLBACKS);
	assert_string_equal(casefile_summarize(cf, "en"),
			    "Asked \"I ordered a blue jacket last week and the parcel shows deliv…\"; the bot had no answer; "
			    "handed over after repeated questions the bot could not answer.");
	casefile_free(cf);
}

static void summary_should_name_the_words_that_sounded_upset(void **state)
{
	struct casefile *cf = casefile_new("c", T0);
	struct sentiment_result r = { .anger = 5.0f, .n_hits = 3 };

	strcpy(r.hits[0].word, "ridiculous");
	strcpy(r.hits[1].word, "angry");
	r.hits[1].negated = true;
	strcpy(r.hits[2].word, "scam");
	assert_int_equal(casefile_set_sentiment(cf, &r), 0);
	assert_int_equal(cf->sentiment.n_words, 2);            /* the negated word does not count */
	casefile_set_reason(cf, HANDOFF_REASON_SENTIMENT);
	assert_string_equal(casefile_summarize(cf, "en"), "Opened the chat; sounded upset (\"ridiculous\", \"scam\").");
	assert_string_equal(casefile_summarize(cf, "zh"), "打开了对话；情绪不满（“ridiculous”、“scam”）。");
	casefile_free(cf);
}

static void summary_should_count_dislikes_and_shorten_long_answer_lists(void **state)
{
	struct casefile *cf = casefile_new("c", T0);
	const char *ids[] = { "a1", "a2", "a3", "a4", "a5" };

	assert_int_equal(casefile_set_scene(cf, "order_detail", NULL), 0);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(casefile_add_message(cf, HANDOFF_FROM_CUSTOMER, NULL, "q", T0 + 10 * i), 0);
		assert_int_equal(casefile_add_answer(cf, ids[i], "", T0 + 10 * i + 1), 0);
	}
	assert_int_equal(casefile_react(cf, "a4", CASEFILE_DOWN), 0);
	assert_int_equal(casefile_react(cf, "a5", CASEFILE_DOWN), 0);
	assert_int_equal(casefile_react(cf, "zz", CASEFILE_DOWN), -ENOENT);
	casefile_set_reason(cf, HANDOFF_REASON_DISLIKES);
	assert_string_equal(casefile_summarize(cf, "en"),
			    "Asked \"q\" on the order detail page; the bot answered a3 (asked again), a4 (👎) and a5 (👎) "
			    "after 2 earlier answers; gave 👎 to 2 answers.");
	casefile_free(cf);
}

static void reactions_should_settle_as_asked_again_or_ignored(void **state)
{
	struct casefile *cf = casefile_new("c", T0);

	casefile_add_message(cf, HANDOFF_FROM_CUSTOMER, NULL, "first", T0);
	casefile_add_answer(cf, "e1", "", T0 + 1);
	casefile_add_message(cf, HANDOFF_FROM_CUSTOMER, NULL, "again", T0 + 2);
	casefile_add_answer(cf, "e2", "", T0 + 3);
	casefile_add_answer(cf, "e3", "", T0 + 4);
	casefile_react(cf, "e3", CASEFILE_UP);
	casefile_settle_reactions(cf);
	assert_int_equal(cf->answers[0].reaction, CASEFILE_REPHRASED);
	assert_int_equal(cf->answers[1].reaction, CASEFILE_IGNORED);
	assert_int_equal(cf->answers[2].reaction, CASEFILE_UP);
	assert_string_equal(casefile_reaction_name(CASEFILE_REPHRASED), "rephrased");
	casefile_free(cf);
}

static void transcript_should_drop_the_oldest_beyond_the_cap_and_count_them(void **state)
{
	struct casefile *cf = casefile_new("c", T0);
	char text[32];

	for (int i = 0; i < LIM_CASE_MESSAGES + 3; i++) {
		snprintf(text, sizeof(text), "m%d", i);
		assert_int_equal(casefile_add_message(cf, HANDOFF_FROM_CUSTOMER, NULL, text, T0 + i), 0);
	}
	assert_int_equal(cf->n_msgs, LIM_CASE_MESSAGES);
	assert_int_equal(cf->dropped_msgs, 3);
	assert_string_equal(cf->msgs[0].text, "m3");
	casefile_free(cf);
	casefile_free(NULL);
}

static void setters_should_refuse_bad_utf8_and_cut_on_character_boundaries(void **state)
{
	struct casefile *cf = casefile_new("c", T0);
	char name[3 * LIM_HANDOFF_NAME + 1] = "";

	assert_int_equal(casefile_set_customer(cf, "x", "\xC0\xAF", NULL, "en", false), -EINVAL);
	for (int i = 0; i < LIM_HANDOFF_NAME; i++)
		strcat(name, "张");                   /* 3 bytes each: over the cap */
	assert_int_equal(casefile_set_customer(cf, "x", name, NULL, "en", false), 0);
	assert_true(strlen(cf->customer.name) <= LIM_HANDOFF_NAME);
	assert_int_equal(strlen(cf->customer.name) % 3, 0);
	assert_int_equal(casefile_add_slot(cf, "", "v"), -EINVAL);
	for (int i = 0; i < LIM_CASE_PAIRS; i++)
		assert_int_equal(casefile_add_slot(cf, "k", "v"), 0);
	assert_int_equal(casefile_add_slot(cf, "k", "v"), -E2BIG);
	casefile_free(cf);
}

static const cJSON *get(const cJSON *o, const char *path)
{
	char buf[128], *save = NULL;

	strcpy(buf, path);
	for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save)) {
		if (*k >= '0' && *k <= '9')
			o = cJSON_GetArrayItem(o, atoi(k));
		else
			o = cJSON_GetObjectItemCaseSensitive(o, k);
	}
	if (!o)
		fail_msg("no %s", path);
	return o;
}

static void encoding_should_parse_back_with_every_field(void **state)
{
	struct casefile *cf = refund_story();
	struct handoff_conv prev = { .id = "old1", .state = HANDOFF_RESOLVED, .reason = HANDOFF_REASON_FALLBACKS,
				     .updated_at = T0 - 86400000, .resolution = "solved", .summary = "Asked about shipping." };
	struct sentiment_result r = { .anger = 2.0f, .n_hits = 1 };
	char *json = NULL;
	size_t len = 0;
	cJSON *root;

	strcpy(r.hits[0].word, "angry");
	assert_int_equal(casefile_set_sentiment(cf, &r), 0);
	assert_int_equal(casefile_add_message(cf, HANDOFF_FROM_AGENT, "alice", "Hi, I'm Alice \"A\" <b>", T0 + 9000), 0);
	assert_int_equal(casefile_add_previous(cf, &prev), 0);
	casefile_summarize(cf, "en");
	assert_int_equal(casefile_encode(cf, &json, &len), 0);
	assert_int_equal(strlen(json), len);
	root = cJSON_ParseWithLength(json, len);
	assert_non_null(root);

	assert_int_equal(get(root, "v")->valueint, 1);
	assert_string_equal(get(root, "conversation")->valuestring, "3f2a9c");
	assert_true(get(root, "created_at")->valuedouble == (double)T0);
	assert_string_equal(get(root, "summary.lang")->valuestring, "en");
	assert_string_equal(get(root, "summary.text")->valuestring, cf->summary);
	assert_string_equal(get(root, "customer.id")->valuestring, "cust-42");
	assert_string_equal(get(root, "customer.name")->valuestring, "Lin Wei");
	assert_string_equal(get(root, "customer.tier")->valuestring, "vip");
	assert_string_equal(get(root, "customer.lang")->valuestring, "en");
	assert_true(cJSON_IsTrue(get(root, "customer.verified")));
	assert_string_equal(get(root, "scene.id")->valuestring, "refund_form");
	assert_string_equal(get(root, "scene.label")->valuestring, "refund page");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(get(root, "scene.context"), "order.status")->valuestring,
			    "returned");
	assert_string_equal(get(root, "reason")->valuestring, "asked");
	assert_true(get(root, "sentiment.anger")->valuedouble == 2.0);
	assert_string_equal(get(root, "sentiment.words.0")->valuestring, "angry");
	assert_string_equal(get(root, "intent.id")->valuestring, "refund");
	assert_true(get(root, "intent.confidence")->valuedouble == 0.82);
	assert_string_equal(get(root, "slots.order_id")->valuestring, "1234");
	assert_string_equal(get(root, "answers.0.entry")->valuestring, "refund-time");
	assert_string_equal(get(root, "answers.0.question")->valuestring, "How long does a refund take?");
	assert_string_equal(get(root, "answers.0.reaction")->valuestring, "down");
	assert_int_equal(get(root, "answers_dropped")->valueint, 0);
	assert_int_equal(cJSON_GetArraySize(get(root, "transcript")), 4);
	assert_string_equal(get(root, "transcript.0.from")->valuestring, "customer");
	assert_string_equal(get(root, "transcript.1.from")->valuestring, "bot");
	assert_string_equal(get(root, "transcript.3.from")->valuestring, "agent");
	assert_string_equal(get(root, "transcript.3.author")->valuestring, "alice");
	assert_string_equal(get(root, "transcript.3.text")->valuestring, "Hi, I'm Alice \"A\" <b>");
	assert_null(cJSON_GetObjectItemCaseSensitive(get(root, "transcript.0"), "author"));
	assert_int_equal(get(root, "transcript_dropped")->valueint, 0);
	assert_string_equal(get(root, "previous.0.conversation")->valuestring, "old1");
	assert_string_equal(get(root, "previous.0.state")->valuestring, "resolved");
	assert_string_equal(get(root, "previous.0.reason")->valuestring, "fallbacks");
	assert_string_equal(get(root, "previous.0.resolution")->valuestring, "solved");
	cJSON_Delete(root);
	free(json);
	casefile_free(cf);
}

static void encoding_should_give_null_for_a_missing_intent_and_scene(void **state)
{
	struct casefile *cf = casefile_new("c", T0);
	cJSON *root = casefile_to_json(cf);

	assert_non_null(root);
	assert_true(cJSON_IsNull(get(root, "intent")));
	assert_true(cJSON_IsNull(get(root, "scene.id")));
	assert_true(cJSON_IsObject(get(root, "slots")));
	assert_string_equal(get(root, "customer.id")->valuestring, "");
	cJSON_Delete(root);
	casefile_free(cf);
}

static void encoder_should_fit_the_handoff_store_hook(void **state)
{
	struct handoff_config cfg;

	handoff_config_default(&cfg);
	cfg.encode_casefile = casefile_encode;
	assert_non_null(cfg.encode_casefile);
	assert_int_equal(casefile_encode(NULL, NULL, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(summary_should_read_like_the_example),
		cmocka_unit_test(summary_should_be_written_in_chinese_for_a_chinese_agent),
		cmocka_unit_test(summary_should_mention_a_verified_vip_and_earlier_contacts),
		cmocka_unit_test(summary_without_an_intent_should_quote_the_first_message),
		cmocka_unit_test(summary_should_name_the_words_that_sounded_upset),
		cmocka_unit_test(summary_should_count_dislikes_and_shorten_long_answer_lists),
		cmocka_unit_test(reactions_should_settle_as_asked_again_or_ignored),
		cmocka_unit_test(transcript_should_drop_the_oldest_beyond_the_cap_and_count_them),
		cmocka_unit_test(setters_should_refuse_bad_utf8_and_cut_on_character_boundaries),
		cmocka_unit_test(encoding_should_parse_back_with_every_field),
		cmocka_unit_test(encoding_should_give_null_for_a_missing_intent_and_scene),
		cmocka_unit_test(encoder_should_fit_the_handoff_store_hook),
	};

	return cmocka_run_group_tests_name("dialog/casefile", tests, NULL, NULL);
}
