/*
 * test_dialog_engine.c - the reply logic against the tiny English fixture KB
 * in tests/data/kb-mini: welcome and its suggestions, answer, did-you-mean
 * and its choices, the honest fallback and what it says after two in a row,
 * feedback, and bad input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "dialog/engine.h"

struct fixture {
	struct kb_snapshot *kb;
	struct sess_store *st;
	struct sess *s;
	struct engine_opts o;
	struct engine_reply r;
};

static int setup(void **state)
{
	static struct fixture f;
	struct kb_options ko;
	struct kb_diag d = { 0 };
	struct sess_opts so;

	memset(&f, 0, sizeof(f));
	kb_options_default(&ko);
	f.kb = kb_load("tests/data/kb-mini", &ko, &d);
	kb_diag_clear(&d);
	sess_opts_default(&so);
	f.st = sess_store_new(&so);
	if (!f.kb || !f.st || sess_open(f.st, NULL, 0, &f.s) != 0)
		return -1;
	engine_opts_default(&f.o);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sess_store_free(f->st);
	kb_snapshot_free(f->kb);
	return 0;
}

static int say(struct fixture *f, const char *text)
{
	return engine_message(&f->o, f->kb, f->s, text, strlen(text), NULL, 0, &f->r);
}

static void engine_should_greet_with_suggestions_in_the_customers_language(void **state)
{
	struct fixture *f = *state;
	struct engine_welcome w;

	engine_welcome(&f->o, f->kb, "en-GB", NULL, 0, &w);
	assert_string_equal(w.lang, "en");
	assert_non_null(strstr(w.greeting, "Mini shop"));
	assert_non_null(strstr(w.greeting, "Talk to a person"));
	assert_int_equal(w.n_suggestions, 4);
	assert_string_equal(w.suggestions[0], "Where is my order?");
	assert_string_equal(w.suggestions[1], "How long does a refund take?");
	/* A language the KB does not have gets the KB's default. */
	engine_welcome(&f->o, f->kb, "zh-TW", NULL, 0, &w);
	assert_string_equal(w.lang, "en");
}

static void engine_should_suggest_the_scenes_entries_first(void **state)
{
	struct fixture *f = *state;
	struct engine_welcome w;

	engine_welcome(&f->o, f->kb, "en", "refund_form", 0, &w);
	assert_int_equal(w.n_suggestions, 4);
	assert_string_equal(w.suggestions[0], "How long does a refund take?");
	assert_string_equal(w.suggestions[1], "How do I return an item?");
	assert_string_equal(w.suggestions[2], "Where is my order?");
}

static void engine_should_not_suggest_entries_outside_their_validity_window(void **state)
{
	struct fixture *f = *state;
	struct engine_opts o = f->o;
	struct engine_welcome w;

	o.suggestions = LIM_SUGGESTIONS;
	engine_welcome(&o, f->kb, "en", NULL, 0, &w);
	assert_int_equal(w.n_suggestions, 6);   /* 7 entries, one expired */
	for (size_t i = 0; i < w.n_suggestions; i++)
		assert_string_not_equal(w.suggestions[i], "When is the spring sale?");
}

static void engine_should_answer_a_clear_question_with_its_entry(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(say(f, "where is my order"), 0);
	assert_int_equal(f->r.kind, ENGINE_ANSWER);
	assert_string_equal(f->r.entry->id, "order-status");
	assert_string_equal(f->r.lang, "en");
	assert_string_equal(engine_reply_text(&f->r), f->r.entry->answer);
	assert_int_equal(f->r.id, sess_last_id(f->s));
	assert_string_equal(sess_note_find(f->s, f->r.id)->entry, "order-status");
}

static void engine_should_offer_candidates_on_a_close_call_and_answer_the_choice(void **state)
{
	struct fixture *f = *state;
	uint32_t clarify;
	int seen = 0;

	assert_int_equal(say(f, "how do I get a refund or return"), 0);
	assert_int_equal(f->r.kind, ENGINE_CLARIFY);
	assert_string_equal(f->r.text, "Did you mean:");
	assert_in_range(f->r.n_cand, 1, LIM_CANDIDATES);
	for (size_t i = 0; i < f->r.n_cand; i++)
		seen += !strcmp(f->r.cand[i].entry, "refund-time") &&
			!strcmp(f->r.cand[i].question, "How long does a refund take?");
	assert_int_equal(seen, 1);
	clarify = f->r.id;
	assert_int_equal(f->s->clarify_id, clarify);

	assert_int_equal(engine_choose(&f->o, f->kb, f->s, clarify, "refund-time", NULL, 0, &f->r), 0);
	assert_int_equal(f->r.kind, ENGINE_ANSWER);
	assert_string_equal(f->r.entry->id, "refund-time");
	assert_true(f->r.id > clarify);
	assert_int_equal(f->s->clarify_id, 0);
}

static void engine_should_fall_back_on_none_of_these_and_refuse_unknown_entries(void **state)
{
	struct fixture *f = *state;

	f->s->fallbacks = 0;
	assert_int_equal(engine_choose(&f->o, f->kb, f->s, 1, NULL, NULL, 0, &f->r), 0);
	assert_int_equal(f->r.kind, ENGINE_FALLBACK);
	assert_non_null(strstr(f->r.text, "none of those"));
	assert_non_null(strstr(f->r.text, "Talk to a person"));
	assert_int_equal(engine_choose(&f->o, f->kb, f->s, 1, "no-such-entry", NULL, 0, &f->r), -ENOENT);
}

static void engine_should_fall_back_honestly_and_say_so_after_two_in_a_row(void **state)
{
	struct fixture *f = *state;
	char first[LIM_UI_TEXT];

	assert_int_equal(say(f, "where is my order"), 0);   /* an answer resets the count */
	assert_int_equal(say(f, "quantum physics lecture"), 0);
	assert_int_equal(f->r.kind, ENGINE_FALLBACK);
	assert_non_null(strstr(f->r.text, "rephrase"));
	assert_non_null(strstr(f->r.text, "for example \xe2\x80\x9cWhere is my order?\xe2\x80\x9d"));
	assert_non_null(strstr(f->r.text, "Talk to a person"));
	assert_int_equal(f->r.n_suggestions, 4);
	strcpy(first, f->r.text);
	assert_int_equal(say(f, "orbital mechanics homework"), 0);
	assert_int_equal(f->r.kind, ENGINE_FALLBACK);
	assert_string_not_equal(f->r.text, first);
	assert_non_null(strstr(f->r.text, "still"));
	assert_non_null(strstr(f->r.text, "Talk to a person"));
	assert_int_equal(f->s->fallbacks, 2);
	assert_int_equal(say(f, "talk to a person"), 0);
	assert_int_equal(f->r.kind, ENGINE_ANSWER);
	assert_int_equal(f->s->fallbacks, 0);
}

static void engine_should_not_guess_when_no_word_is_known_even_in_a_scene(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "asdf qwer zxcv";

	assert_int_equal(engine_message(&f->o, f->kb, f->s, text, strlen(text), "order_detail", 0, &f->r), 0);
	assert_int_equal(f->r.kind, ENGINE_FALLBACK);
}

static void engine_should_tie_feedback_to_the_answered_entry(void **state)
{
	struct fixture *f = *state;
	const char *entry = "x";

	assert_int_equal(say(f, "I forgot my password"), 0);
	assert_int_equal(f->r.kind, ENGINE_ANSWER);
	assert_int_equal(engine_feedback(f->s, f->r.id, false, &entry), 0);
	assert_string_equal(entry, "reset-password");
	assert_int_equal(engine_feedback(f->s, f->r.id + 100, true, &entry), -ENOENT);
	assert_null(entry);
}

static void engine_should_refuse_empty_and_invalid_text_without_touching_the_session(void **state)
{
	struct fixture *f = *state;
	uint32_t last = sess_last_id(f->s);

	assert_int_equal(say(f, ""), -EINVAL);
	assert_int_equal(engine_message(&f->o, f->kb, f->s, "\xff\xfe", 2, NULL, 0, &f->r), -EILSEQ);
	assert_int_equal(sess_last_id(f->s), last);
}

static void engine_should_map_language_tags_to_the_kbs_languages(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(engine_lang(f->kb, "EN_gb"), "en");
	assert_string_equal(engine_lang(f->kb, NULL), "en");
	assert_string_equal(engine_lang(f->kb, "fr"), "en");
	assert_string_equal(engine_lang(f->kb, "a-very-long-language-tag"), "en");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(engine_should_greet_with_suggestions_in_the_customers_language),
		cmocka_unit_test(engine_should_suggest_the_scenes_entries_first),
		cmocka_unit_test(engine_should_not_suggest_entries_outside_their_validity_window),
		cmocka_unit_test(engine_should_answer_a_clear_question_with_its_entry),
		cmocka_unit_test(engine_should_offer_candidates_on_a_close_call_and_answer_the_choice),
		cmocka_unit_test(engine_should_fall_back_on_none_of_these_and_refuse_unknown_entries),
		cmocka_unit_test(engine_should_fall_back_honestly_and_say_so_after_two_in_a_row),
		cmocka_unit_test(engine_should_not_guess_when_no_word_is_known_even_in_a_scene),
		cmocka_unit_test(engine_should_tie_feedback_to_the_answered_entry),
		cmocka_unit_test(engine_should_refuse_empty_and_invalid_text_without_touching_the_session),
		cmocka_unit_test(engine_should_map_language_tags_to_the_kbs_languages),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
