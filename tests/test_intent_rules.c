/*
 * test_intent_rules.c - trigger rules (all / any / not, phrases, extra-word
 * caps) on analysed English and Chinese text, intent selection (priority,
 * words matched, scene), follow-ups with a fake clock, "solved?" replies and
 * survey values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "intent/rule.h"
#include "test_intent_fixture.h"

#include <errno.h>

/* Compile a rule from "|"-separated lists (NULL = empty). */
static struct rule *compile(struct fx *f, const char *all, const char *any, const char *not_, const char *allow,
			    int max_extra, struct rule_error *err)
{
	static char buf[RULE_LISTS][512];
	static const char *items[RULE_LISTS][16];
	const char *src[RULE_LISTS] = { all, any, not_, allow };
	struct rule_spec spec = { .max_extra = max_extra };
	struct rule *r = NULL;
	struct rule_error e;

	for (int l = 0; l < RULE_LISTS; l++) {
		char *p, *save = NULL;

		if (!src[l])
			continue;
		snprintf(buf[l], sizeof(buf[l]), "%s", src[l]);
		for (p = strtok_r(buf[l], "|", &save); p; p = strtok_r(NULL, "|", &save))
			items[l][spec.n[l]++] = p;
		spec.items[l] = items[l];
	}
	if (rule_compile(f->an, &spec, &r, err ? err : &e))
		return NULL;
	return r;
}

static bool holds(struct fx *f, const struct rule *r, const char *text, unsigned *cov)
{
	struct rule_input in;

	rule_prepare(fx_toks(f, text), &in);
	return rule_match(r, &in, cov);
}

static void rule_should_need_every_all_word(void **state)
{
	struct fx *f = *state;
	struct rule *r = compile(f, "address|change", NULL, NULL, NULL, -1, NULL);

	assert_non_null(r);
	assert_true(holds(f, r, "I need to change my address", NULL));
	assert_true(holds(f, r, "Address changes?", NULL));      /* stems */
	assert_false(holds(f, r, "change my password", NULL));
	rule_free(r);
}

static void rule_should_need_one_any_word(void **state)
{
	struct fx *f = *state;
	struct rule *r = compile(f, NULL, "invoice|receipt|发票", NULL, NULL, -1, NULL);
	unsigned cov;

	assert_non_null(r);
	assert_true(holds(f, r, "can I get a receipt", &cov));
	assert_int_equal(cov, 1);
	assert_true(holds(f, r, "我要开发票", NULL));
	assert_false(holds(f, r, "where is my parcel", NULL));
	rule_free(r);
}

static void rule_should_fail_when_a_not_word_is_present(void **state)
{
	struct fx *f = *state;
	struct rule *r = compile(f, NULL, "invoice|发票", "company|公司", NULL, -1, NULL);

	assert_non_null(r);
	assert_true(holds(f, r, "I need an invoice", NULL));
	assert_false(holds(f, r, "I need an invoice for my company", NULL));
	assert_false(holds(f, r, "公司发票怎么开", NULL));
	rule_free(r);
}

static void rule_should_combine_all_and_any(void **state)
{
	struct fx *f = *state;
	struct rule *r = compile(f, "refund", "where|status", NULL, NULL, -1, NULL);

	assert_non_null(r);
	assert_true(holds(f, r, "where is my refund", NULL));
	assert_true(holds(f, r, "refund status please", NULL));
	assert_false(holds(f, r, "how long does a refund take", NULL));
	assert_false(holds(f, r, "where is my order", NULL));
	rule_free(r);
}

static void rule_should_match_phrases_in_order_with_small_gaps(void **state)
{
	struct fx *f = *state;
	struct rule *r = compile(f, "talk to a person", NULL, NULL, NULL, -1, NULL);

	assert_non_null(r);
	assert_true(holds(f, r, "can I talk to a person", NULL));
	assert_true(holds(f, r, "I want to talk to a real person now", NULL));   /* synonym phrase */
	assert_true(holds(f, r, "talk to this person", NULL));                   /* one word apart */
	assert_false(holds(f, r, "talk with a person", NULL));                   /* every word is needed */
	assert_false(holds(f, r, "a person I can talk to", NULL));              /* order */
	assert_false(holds(f, r, "talk about the weather with my friend and a person", NULL));   /* too far apart */
	rule_free(r);
}

static void rule_should_match_synonyms_both_ways(void **state)
{
	struct fx *f = *state;
	struct rule *r = compile(f, NULL, "money back|human", NULL, NULL, -1, NULL);

	assert_non_null(r);
	assert_true(holds(f, r, "I want a refund", NULL));
	assert_true(holds(f, r, "reimbursement please", NULL));
	assert_true(holds(f, r, "let me speak to an agent", NULL));
	assert_false(holds(f, r, "I want my money", NULL));
	rule_free(r);
}

static void rule_should_match_chinese_inside_and_across_words(void **state)
{
	struct fx *f = *state;
	struct rule *r = compile(f, NULL, "人工", NULL, NULL, -1, NULL);
	struct rule *where = compile(f, "快递|到哪", NULL, NULL, NULL, -1, NULL);

	assert_non_null(r);
	assert_non_null(where);
	assert_true(holds(f, r, "转人工", NULL));           /* inside a longer word */
	assert_true(holds(f, r, "我要人工客服", NULL));
	assert_true(holds(f, r, "有真人吗", NULL));         /* synonym */
	assert_true(holds(f, r, "轉人工", NULL));           /* Traditional */
	assert_false(holds(f, r, "人很好", NULL));
	assert_true(holds(f, where, "我的快递到哪了", NULL));  /* 到 + 哪 */
	assert_true(holds(f, where, "快递现在到哪里了", NULL));
	assert_false(holds(f, where, "快递费多少", NULL));
	rule_free(r);
	rule_free(where);
}

static void rule_should_not_match_a_chinese_word_by_its_neighbours(void **state)
{
	struct fx *f = *state;
	struct rule *r = compile(f, NULL, "多久", NULL, "要", 0, NULL);
	unsigned cov;

	assert_non_null(r);
	assert_true(holds(f, r, "要多久", &cov));
	assert_int_equal(cov, 1);
	/* 退款 is not covered by 多久 just because they are adjacent. */
	assert_false(holds(f, r, "退款要多久", NULL));
	rule_free(r);
}

static void rule_should_cap_extra_words(void **state)
{
	struct fx *f = *state;
	struct rule *r = compile(f, NULL, "how long|多久", NULL, "take|does|it|refund|要", 0, NULL);
	struct rule *one = compile(f, NULL, "how long", NULL, NULL, 1, NULL);

	assert_non_null(r);
	assert_non_null(one);
	assert_true(holds(f, r, "how long?", NULL));
	assert_true(holds(f, r, "how long does it take", NULL));
	assert_true(holds(f, r, "how long does a refund take", NULL));
	assert_false(holds(f, r, "how long is the warranty", NULL));
	assert_true(holds(f, r, "要多久", NULL));
	assert_true(holds(f, one, "how long exactly", NULL));
	assert_false(holds(f, one, "how long is the warranty", NULL));
	rule_free(r);
	rule_free(one);
}

static void rule_should_reject_items_made_of_stop_words(void **state)
{
	struct fx *f = *state;
	struct rule_error e;

	assert_null(compile(f, NULL, "invoice|the", NULL, NULL, -1, &e));
	assert_int_equal(e.list, RULE_ANY);
	assert_int_equal(e.item, 1);
	assert_non_null(strstr(e.msg, "\"the\" has only stop words"));
	assert_null(compile(f, NULL, NULL, "x", NULL, -1, &e));
	assert_non_null(strstr(e.msg, "needs \"all\" or \"any\""));
	/* In allow lists stop words are simply ignored. */
	rule_free(compile(f, NULL, "invoice", NULL, "the", 0, &e));
	assert_int_equal(e.list, -1);
}

/* ---- intents ---- */

static void intent_should_fire_only_in_its_scenes(void **state)
{
	struct fx *f = *state;
	const struct intent_result *r;

	fx_hello(f, "order_detail", "{\"order\": {\"id\": \"77\", \"status\": \"shipped\"}}");
	r = fx_match(f, "can I cancel");
	assert_int_equal(r->action, INTENT_ANSWER);
	assert_string_equal(r->id, "cancel-shipped");
	fx_hello(f, "order_detail", "{\"order\": {\"id\": \"77\", \"status\": \"paid\"}}");
	r = fx_match(f, "can I cancel");
	assert_int_equal(r->action, INTENT_NONE);
	assert_null(r->id);
}

static void intent_should_prefer_the_more_specific_scene_on_equal_words(void **state)
{
	struct fx *f = *state;
	const struct intent_result *r;

	/* track-order (scene order) and track-any (every scene) have the same trigger. */
	fx_hello(f, "order_detail", "{\"order\": {\"id\": \"77\", \"status\": \"shipped\", \"shipped_at\": \"2026-11-27\"}}");
	r = fx_match(f, "where is my order?");
	assert_string_equal(r->id, "track-order");
	assert_string_equal(r->text, "Order 77 shipped on 2026-11-27.");
	fx_hello(f, "refund_form", NULL);
	r = fx_match(f, "where is my order?");
	assert_string_equal(r->id, "track-any");
}

static void intent_should_prefer_priority_over_words_matched(void **state)
{
	struct fx *f = *state;
	const struct intent_result *r;

	fx_hello(f, "order_detail", "{\"order\": {\"id\": \"77\", \"status\": \"shipped\"}}");
	r = fx_match(f, "where is my order, I want a human");
	assert_int_equal(r->action, INTENT_HANDOFF);
	assert_string_equal(r->id, "handoff");
	assert_string_equal(r->route.team, "orders");
	assert_string_equal(r->text, "Connecting you to a person.");
	r = fx_match_at(f, "转人工", "en", 0);
	assert_string_equal(r->id, "handoff");
	assert_string_equal(r->lang, "zh");
	assert_string_equal(r->text, "正在为你转人工。");
	/* A not word keeps it quiet. */
	r = fx_match(f, "what are your human hours");
	assert_int_equal(r->action, INTENT_NONE);
}

static void intent_should_open_a_ticket_with_its_own_team(void **state)
{
	struct fx *f = *state;
	const struct intent_result *r;

	fx_hello(f, "refund_form", "{\"customer\": {\"tier\": \"vip\"}}");
	r = fx_match(f, "I want to file a complaint");
	assert_int_equal(r->action, INTENT_TICKET);
	assert_string_equal(r->route.team, "care");
	assert_int_equal(r->route.priority, INTENT_PRIO_HIGH);
	assert_false(r->route.always_human);   /* the unsigned vip tier grants nothing */
}

static void intent_should_answer_with_a_kb_entry(void **state)
{
	struct fx *f = *state;
	const struct intent_result *r;

	fx_hello(f, "refund_form", NULL);
	r = fx_match(f, "how long?");
	assert_int_equal(r->action, INTENT_ANSWER);
	assert_string_equal(r->id, "refund-when");
	assert_string_equal(r->entry, "refund-time");
	assert_string_equal(r->text, "");
	r = fx_match(f, "多久");
	assert_string_equal(r->entry, "refund-time");
	r = fx_match(f, "how long is the warranty");
	assert_int_equal(r->action, INTENT_NONE);
	fx_hello(f, "product", NULL);
	r = fx_match(f, "how long?");
	assert_int_equal(r->action, INTENT_NONE);
}

static void intent_should_report_nothing_for_stop_words_only(void **state)
{
	struct fx *f = *state;

	fx_hello(f, NULL, NULL);
	assert_int_equal(fx_match(f, "the")->action, INTENT_NONE);
	assert_int_equal(fx_match(f, "")->action, INTENT_NONE);
}

/* ---- follow-ups ---- */

static void followup_should_resolve_within_its_window(void **state)
{
	struct fx *f = *state;
	struct intent_target t;
	const time_t at = 1800000000;

	assert_int_equal(intent_followup(f->set, "refund-policy", 1, at, at + 5, fx_toks(f, "and how long does that take?"), &t), 0);
	assert_string_equal(t.entry, "refund-time");
	assert_null(t.intent);
	assert_int_equal(intent_followup(f->set, "refund-generic", 2, at, at + 600, fx_toks(f, "多久？"), &t), 0);
	assert_string_equal(t.entry, "refund-time");
	assert_int_equal(intent_followup(f->set, "refund-policy", 1, at, at + 5, fx_toks(f, "is it free?"), &t), 0);
	assert_string_equal(t.entry, "return-cost");
	assert_int_equal(intent_followup(f->set, "track-order", 3, at, at + 1799, fx_toks(f, "cancel it"), &t), 0);
	assert_string_equal(t.intent, "cancel-shipped");
}

static void followup_should_expire_after_its_turns_or_minutes(void **state)
{
	struct fx *f = *state;
	struct intent_target t;
	const time_t at = 1800000000;

	/* The default window: 2 turns, 10 minutes. */
	assert_int_equal(intent_followup(f->set, "refund-policy", 3, at, at + 5, fx_toks(f, "how long?"), &t), -ETIME);
	assert_int_equal(intent_followup(f->set, "refund-policy", 1, at, at + 601, fx_toks(f, "how long?"), &t), -ETIME);
	assert_null(t.entry);
	/* A window of its own: 3 turns, 30 minutes. */
	assert_int_equal(intent_followup(f->set, "track-order", 4, at, at + 5, fx_toks(f, "cancel"), &t), -ETIME);
	assert_int_equal(intent_followup(f->set, "track-order", 1, at, at + 1801, fx_toks(f, "cancel"), &t), -ETIME);
	/* A clock going backwards never resolves. */
	assert_int_equal(intent_followup(f->set, "refund-policy", 1, at, at - 1, fx_toks(f, "how long?"), &t), -ETIME);
}

static void followup_should_ignore_other_answers_and_words(void **state)
{
	struct fx *f = *state;
	struct intent_target t;

	assert_int_equal(intent_followup(f->set, "shipping-cost", 1, 0, 1, fx_toks(f, "how long?"), &t), -ENOENT);
	assert_int_equal(intent_followup(f->set, "refund-policy", 1, 0, 1, fx_toks(f, "where is my order"), &t), -ENOENT);
	assert_int_equal(intent_followup(f->set, NULL, 1, 0, 1, fx_toks(f, "how long"), &t), -EINVAL);
}

/* ---- ending well ---- */

static void solved_reply_should_read_yes_and_no(void **state)
{
	struct fx *f = *state;

	assert_int_equal(intent_solved_reply(f->set, fx_toks(f, "yes")), INTENT_SOLVED_YES);
	assert_int_equal(intent_solved_reply(f->set, fx_toks(f, "yes it is solved")), INTENT_SOLVED_YES);
	assert_int_equal(intent_solved_reply(f->set, fx_toks(f, "解决了")), INTENT_SOLVED_YES);
	assert_int_equal(intent_solved_reply(f->set, fx_toks(f, "no")), INTENT_SOLVED_NO);
	assert_int_equal(intent_solved_reply(f->set, fx_toks(f, "not solved")), INTENT_SOLVED_NO);
	assert_int_equal(intent_solved_reply(f->set, fx_toks(f, "没解决")), INTENT_SOLVED_NO);
	assert_int_equal(intent_solved_reply(f->set, fx_toks(f, "yes but where is my refund")), INTENT_SOLVED_UNKNOWN);
	assert_int_equal(intent_solved_reply(f->set, fx_toks(f, "what is the weather")), INTENT_SOLVED_UNKNOWN);
}

static void survey_values_should_be_on_their_scale(void **state)
{
	(void)state;
	assert_int_equal(intent_survey_check(INTENT_CSAT, 1), 0);
	assert_int_equal(intent_survey_check(INTENT_CSAT, 5), 0);
	assert_int_equal(intent_survey_check(INTENT_CSAT, 0), -ERANGE);
	assert_int_equal(intent_survey_check(INTENT_CSAT, 6), -ERANGE);
	assert_int_equal(intent_survey_check(INTENT_CES, 7), 0);
	assert_int_equal(intent_survey_check(INTENT_CES, 8), -ERANGE);
	assert_int_equal(intent_survey_check(INTENT_NPS, 0), 0);
	assert_int_equal(intent_survey_check(INTENT_NPS, 11), -ERANGE);
	assert_int_equal(intent_survey_check((enum intent_survey)9, 1), -ERANGE);
	assert_int_equal(intent_survey_class(INTENT_CSAT, 4), 1);
	assert_int_equal(intent_survey_class(INTENT_CSAT, 3), 0);
	assert_int_equal(intent_survey_class(INTENT_CES, 5), 1);
	assert_int_equal(intent_survey_class(INTENT_CES, 4), 0);
	assert_int_equal(intent_survey_class(INTENT_CES, 3), -1);
	assert_int_equal(intent_survey_class(INTENT_NPS, 9), 1);
	assert_int_equal(intent_survey_class(INTENT_NPS, 7), 0);
	assert_int_equal(intent_survey_class(INTENT_NPS, 6), -1);
	assert_int_equal(intent_survey_class(INTENT_NPS, 42), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rule_should_need_every_all_word),
		cmocka_unit_test(rule_should_need_one_any_word),
		cmocka_unit_test(rule_should_fail_when_a_not_word_is_present),
		cmocka_unit_test(rule_should_combine_all_and_any),
		cmocka_unit_test(rule_should_match_phrases_in_order_with_small_gaps),
		cmocka_unit_test(rule_should_match_synonyms_both_ways),
		cmocka_unit_test(rule_should_match_chinese_inside_and_across_words),
		cmocka_unit_test(rule_should_not_match_a_chinese_word_by_its_neighbours),
		cmocka_unit_test(rule_should_cap_extra_words),
		cmocka_unit_test(rule_should_reject_items_made_of_stop_words),
		cmocka_unit_test(intent_should_fire_only_in_its_scenes),
		cmocka_unit_test(intent_should_prefer_the_more_specific_scene_on_equal_words),
		cmocka_unit_test(intent_should_prefer_priority_over_words_matched),
		cmocka_unit_test(intent_should_open_a_ticket_with_its_own_team),
		cmocka_unit_test(intent_should_answer_with_a_kb_entry),
		cmocka_unit_test(intent_should_report_nothing_for_stop_words_only),
		cmocka_unit_test(followup_should_resolve_within_its_window),
		cmocka_unit_test(followup_should_expire_after_its_turns_or_minutes),
		cmocka_unit_test(followup_should_ignore_other_answers_and_words),
		cmocka_unit_test(solved_reply_should_read_yes_and_no),
		cmocka_unit_test(survey_values_should_be_on_their_scale),
	};

	return cmocka_run_group_tests_name("intent/rules", tests, fx_setup, fx_teardown);
}
