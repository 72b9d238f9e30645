/*
 * test_dialog_engine.c - the reply logic against the tiny English fixture KB
 * in tests/data/kb-mini: welcome and its suggestions, answer, did-you-mean
 * and its choices, the honest fallback and what it says after two in a row,
 * feedback, and bad input; then the intent path with the scenes and intents
 * of tests/data/intents-engine, driven by a fake clock: the scene from
 * hello, a slot asked then filled, follow-ups and their expiry, notices held
 * while the customer types, hand-offs, "did this solve it?", surveys and
 * suggestions ranked by use.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dialog/engine.h"

#define T0 ((time_t)1795262400)   /* 2026-11-21T08:00:00Z: the fixture's storm notice is active */

struct fixture {
	struct kb_snapshot *kb;
	struct intent_set *set;
	struct sess_store *st;
	struct sess *s;
	struct engine *e;        /* the FAQ only */
	struct engine *ei;       /* the FAQ and the intents */
	struct engine_reply r;
	struct engine_welcome w;
};

static int setup(void **state)
{
	static struct fixture f;
	struct kb_options ko;
	struct kb_diag d = { 0 };
	struct intent_diag id = { 0 };
	struct engine_opts o;
	struct sess_opts so;

	memset(&f, 0, sizeof(f));
	kb_options_default(&ko);
	f.kb = kb_load("tests/data/kb-mini", &ko, &d);
	kb_diag_clear(&d);
	if (!f.kb)
		return -1;
	f.set = engine_load_intents("tests/data/intents-engine", f.kb, &id);
	for (size_t i = 0; i < id.n; i++)
		fprintf(stderr, "%s\n", id.msgs[i]);
	intent_diag_clear(&id);
	sess_opts_default(&so);
	f.st = sess_store_new(&so);
	engine_opts_default(&o);
	f.e = engine_new(&o);
	f.ei = engine_new(&o);
	if (!f.set || !f.st || !f.e || !f.ei || sess_open(f.st, NULL, 0, &f.s) != 0)
		return -1;
	engine_set_content(f.e, f.kb, NULL);
	engine_set_content(f.ei, f.kb, f.set);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sess_store_free(f->st);
	engine_free(f->e);
	engine_free(f->ei);
	intent_set_free(f->set);
	kb_snapshot_free(f->kb);
	return 0;
}

static int say(struct fixture *f, const char *text)
{
	return engine_message(f->e, f->s, NULL, text, strlen(text), 0, &f->r);
}

/* The FAQ-only engine's welcome on page (may be NULL) in lang. */
static void greet(struct fixture *f, const char *page, const char *lang)
{
	struct engine_where w = { page, NULL };

	engine_welcome(f->e, f->s, &w, lang, 0, &f->w);
}

static void engine_should_greet_with_suggestions_in_the_customers_language(void **state)
{
	struct fixture *f = *state;
	struct engine_welcome *w = &f->w;

	greet(f, NULL, "en-GB");
	assert_string_equal(w->lang, "en");
	assert_string_equal(w->scene, "");
	assert_non_null(strstr(w->greeting, "Mini shop"));
	assert_non_null(strstr(w->greeting, "Talk to a person"));
	assert_int_equal(w->n_suggestions, 4);
	assert_string_equal(w->suggestions[0], "Where is my order?");
	assert_string_equal(w->suggestions[1], "How long does a refund take?");
	/* A language the KB does not have gets the KB's default. */
	greet(f, NULL, "zh-TW");
	assert_string_equal(w->lang, "en");
}

static void engine_should_suggest_the_scenes_entries_first(void **state)
{
	struct fixture *f = *state;
	struct engine_welcome *w = &f->w;

	greet(f, "refund_form", "en");
	assert_int_equal(w->n_suggestions, 4);
	assert_string_equal(w->suggestions[0], "How long does a refund take?");
	assert_string_equal(w->suggestions[1], "How do I return an item?");
	assert_string_equal(w->suggestions[2], "Where is my order?");
	greet(f, NULL, "en");
}

static void engine_should_not_suggest_entries_outside_their_validity_window(void **state)
{
	struct fixture *f = *state;
	struct engine_opts o;
	struct engine *e;

	engine_opts_default(&o);
	o.suggestions = LIM_SUGGESTIONS;
	e = engine_new(&o);
	assert_non_null(e);
	engine_set_content(e, f->kb, NULL);
	engine_welcome(e, f->s, NULL, "en", 0, &f->w);
	assert_int_equal(f->w.n_suggestions, 6);   /* 7 entries, one expired */
	for (size_t i = 0; i < f->w.n_suggestions; i++)
		assert_string_not_equal(f->w.suggestions[i], "When is the spring sale?");
	engine_free(e);
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

	assert_int_equal(engine_choose(f->e, f->s, NULL, clarify, "refund-time", 0, &f->r), 0);
	assert_int_equal(f->r.kind, ENGINE_ANSWER);
	assert_string_equal(f->r.entry->id, "refund-time");
	assert_true(f->r.id > clarify);
	assert_int_equal(f->s->clarify_id, 0);
}

static void engine_should_fall_back_on_none_of_these_and_refuse_unknown_entries(void **state)
{
	struct fixture *f = *state;

	f->s->fallbacks = 0;
	assert_int_equal(engine_choose(f->e, f->s, NULL, 1, NULL, 0, &f->r), 0);
	assert_int_equal(f->r.kind, ENGINE_FALLBACK);
	assert_non_null(strstr(f->r.text, "none of those"));
	assert_non_null(strstr(f->r.text, "Talk to a person"));
	assert_int_equal(engine_choose(f->e, f->s, NULL, 1, "no-such-entry", 0, &f->r), -ENOENT);
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

static void a_fallback_should_lead_with_the_entry_the_question_came_nearest_to(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(say(f, "is shipping to the moon by rocket possible"), 0);
	assert_int_equal(f->r.kind, ENGINE_FALLBACK);
	assert_true(f->r.n_suggestions >= 2);
	assert_string_equal(f->r.suggestions[0], "How much is shipping?");
	assert_non_null(strstr(f->r.text, "for example \xe2\x80\x9cHow much is shipping?\xe2\x80\x9d"));
	for (size_t i = 1; i < f->r.n_suggestions; i++)
		assert_string_not_equal(f->r.suggestions[i], "How much is shipping?");   /* offered once */
	f->s->fallbacks = 0;
}

static void engine_should_not_guess_when_no_word_is_known_even_in_a_scene(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "asdf qwer zxcv";
	struct engine_where w = { "order_detail", NULL };

	assert_int_equal(engine_message(f->e, f->s, &w, text, strlen(text), 0, &f->r), 0);
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
	assert_int_equal(engine_message(f->e, f->s, NULL, "\xff\xfe", 2, 0, &f->r), -EILSEQ);
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

/* ---- the intent path (tests/data/intents-engine) ---- */

static struct sess *fresh(struct fixture *f)
{
	struct sess *s = NULL;

	assert_int_equal(sess_open(f->st, NULL, 0, &s), 0);
	return s;
}

/* A hello on page with context (JSON, may be NULL) at now, with the intents. */
static void hello_on(struct fixture *f, struct sess *s, const char *page, const char *ctx, time_t now)
{
	struct engine_where w = { page, ctx };

	assert_int_equal(engine_welcome(f->ei, s, &w, "en", now, &f->w), 0);
}

static int tell(struct fixture *f, struct sess *s, const char *text, time_t now)
{
	return engine_message(f->ei, s, NULL, text, strlen(text), now, &f->r);
}

static const char shipped[] = "{\"order\": {\"id\": \"1234\", \"status\": \"shipped\", \"tracking_no\": \"SF1234567890\"}}";

static void engine_should_match_the_scene_from_hello_and_greet_with_its_facts(void **state)
{
	struct fixture *f = *state;
	struct sess *s = fresh(f);

	hello_on(f, s, "order_detail", shipped, T0);
	assert_string_equal(f->w.scene, "order.shipped");
	assert_string_equal(s->scene, "order.shipped");
	assert_string_equal(s->page, "order_detail");
	assert_non_null(s->context);
	assert_false(s->context_signed);
	assert_string_equal(f->w.greeting, "Questions about order 1234?");   /* inherited from "order" */
	assert_int_equal(f->w.n_suggestions, 3);                             /* inherited from the default scene */
	assert_int_equal(tell(f, s, "where is my order", T0), 0);
	assert_int_equal(f->r.kind, ENGINE_ANSWER);
	assert_string_equal(f->r.intent, "track-shipped");
	assert_string_equal(f->r.scene, "order.shipped");
	assert_null(f->r.entry);
	assert_non_null(strstr(engine_reply_text(&f->r), "SF1234567890"));
	/* Another page: another scene, same conversation. */
	hello_on(f, s, "refund_form", NULL, T0);
	assert_string_equal(f->w.scene, "refund");
	assert_string_equal(f->w.greeting, "Hi from the mini shop!");
	assert_string_equal(f->w.suggestions[0], "How long does a refund take?");
	assert_int_equal(tell(f, s, "how long?", T0), 0);
	assert_int_equal(f->r.kind, ENGINE_ANSWER);
	assert_string_equal(f->r.intent, "how-long-refund");
	assert_string_equal(f->r.entry->id, "refund-time");
	/* Without a page: the default scene. */
	hello_on(f, s, NULL, NULL, T0);
	assert_string_equal(f->w.scene, "home");
}

static void engine_should_ask_for_a_missing_slot_and_fill_it_from_the_next_message(void **state)
{
	struct fixture *f = *state;
	struct sess *s = fresh(f);

	hello_on(f, s, NULL, NULL, T0);
	assert_int_equal(tell(f, s, "where is my order", T0), 0);
	assert_int_equal(f->r.kind, ENGINE_ASK);
	assert_string_equal(f->r.intent, "track-any");
	assert_string_equal(f->r.ask, "order_id");
	assert_string_equal(f->r.text, "Which order? Send the order number.");
	assert_string_equal(s->pending, "track-any");
	assert_int_equal(tell(f, s, "it's #A-20391", T0 + 20), 0);
	assert_int_equal(f->r.kind, ENGINE_ANSWER);
	assert_string_equal(f->r.intent, "track-any");
	assert_string_equal(f->r.text, "Track order A-20391 in My orders.");
	assert_int_equal(f->r.n_slots, 1);
	assert_int_equal(f->r.slots[0].source, INTENT_SLOT_TEXT);
	assert_string_equal(s->pending, "");
	/* A fact the page knows is never asked. */
	hello_on(f, s, "order_detail", "{\"order\": {\"id\": \"555\", \"status\": \"paid\"}}", T0);
	assert_int_equal(tell(f, s, "where is my order", T0), 0);
	assert_int_equal(f->r.kind, ENGINE_ANSWER);
	assert_string_equal(f->r.text, "Track order 555 in My orders.");
	assert_int_equal(f->r.slots[0].source, INTENT_SLOT_CONTEXT);
}

static void engine_should_not_ask_the_same_question_more_than_twice(void **state)
{
	struct fixture *f = *state;
	struct sess *s = fresh(f);

	hello_on(f, s, NULL, NULL, T0);
	assert_int_equal(tell(f, s, "where is my order", T0), 0);
	assert_int_equal(f->r.kind, ENGINE_ASK);
	assert_int_equal(tell(f, s, "I don't know", T0), 0);
	assert_int_equal(f->r.kind, ENGINE_ASK);   /* asked again once */
	assert_int_equal(tell(f, s, "no idea", T0), 0);
	assert_int_not_equal(f->r.kind, ENGINE_ASK);
	assert_string_equal(s->pending, "");
	/* A question the FAQ answers is answered, pending or not. */
	assert_int_equal(tell(f, s, "where is my order", T0), 0);
	assert_int_equal(tell(f, s, "how much is shipping", T0), 0);
	assert_int_equal(f->r.kind, ENGINE_ANSWER);
	assert_string_equal(f->r.entry->id, "shipping-cost");
	assert_string_equal(s->pending, "");
}

static void engine_should_read_a_follow_up_in_the_light_of_the_last_answer_until_it_expires(void **state)
{
	struct fixture *f = *state;
	struct sess *s = fresh(f);

	hello_on(f, s, NULL, NULL, T0);
	assert_int_equal(tell(f, s, "how do I return an item", T0), 0);
	assert_string_equal(f->r.entry->id, "return-item");
	assert_string_equal(s->last, "return-item");
	assert_int_equal(tell(f, s, "and how long does that take?", T0 + 60), 0);
	assert_int_equal(f->r.kind, ENGINE_ANSWER);
	assert_true(f->r.followup);
	assert_string_equal(f->r.entry->id, "refund-time");
	/* Eleven minutes later the window (10 minutes) has closed. */
	assert_int_equal(tell(f, s, "how do I return an item", T0 + 120), 0);
	assert_int_equal(tell(f, s, "and how long does that take?", T0 + 120 + 11 * 60), 0);
	assert_false(f->r.followup);
	/* So has it after two other messages (turns: 2). */
	assert_int_equal(tell(f, s, "how do I return an item", T0 + 2000), 0);
	assert_int_equal(tell(f, s, "asdf qwer", T0 + 2001), 0);
	assert_int_equal(tell(f, s, "zxcv uiop", T0 + 2002), 0);
	assert_int_equal(tell(f, s, "when?", T0 + 2003), 0);
	assert_false(f->r.followup);
}

static void engine_should_hold_notices_while_the_customer_types(void **state)
{
	struct fixture *f = *state;
	struct sess *s = fresh(f);

	/* Not typing: the notice comes with the welcome, once per conversation. */
	hello_on(f, s, "order_detail", shipped, T0);
	assert_int_equal(f->w.n_notices, 1);
	assert_string_equal(f->w.notices[0].id, "storm");
	assert_string_equal(f->w.notices[0].text, "A storm is delaying deliveries.");
	hello_on(f, s, "order_detail", shipped, T0 + 5);
	assert_int_equal(f->w.n_notices, 0);
	/* Outside its window there is none. */
	s = fresh(f);
	hello_on(f, s, "order_detail", shipped, T0 + 2 * 86400);
	assert_int_equal(f->w.n_notices, 0);
	/* Typing: held until the next reply. */
	s = fresh(f);
	engine_typing(s, true, T0);
	hello_on(f, s, "order_detail", shipped, T0 + 2);
	assert_int_equal(f->w.n_notices, 0);
	assert_true(s->notices_held);
	assert_int_equal(tell(f, s, "where is my order", T0 + 6), 0);
	assert_int_equal(f->r.n_notices, 1);
	assert_string_equal(f->r.notices[0].id, "storm");
	assert_false(s->notices_held);
	assert_int_equal(tell(f, s, "where is my order", T0 + 9), 0);
	assert_int_equal(f->r.n_notices, 0);
	/* A typing "on" long ago (no "off" came) does not hold them back. */
	s = fresh(f);
	engine_typing(s, true, T0);
	hello_on(f, s, "order_detail", shipped, T0 + ENGINE_TYPING_SECS + 1);
	assert_int_equal(f->w.n_notices, 1);
	/* Nor does a typing "off". */
	s = fresh(f);
	engine_typing(s, true, T0);
	engine_typing(s, false, T0 + 1);
	hello_on(f, s, "order_detail", shipped, T0 + 2);
	assert_int_equal(f->w.n_notices, 1);
}

static void engine_should_hand_off_with_the_scenes_route_and_record_the_request(void **state)
{
	struct fixture *f = *state;
	struct sess *s = fresh(f);

	hello_on(f, s, "order_detail", shipped, T0);
	assert_int_equal(tell(f, s, "I want to talk to a person", T0), 0);
	assert_int_equal(f->r.kind, ENGINE_HANDOFF);
	assert_string_equal(f->r.intent, "talk-to-human");
	assert_string_equal(f->r.team, "logistics");
	assert_string_equal(f->r.priority, "normal");
	assert_string_equal(f->r.text, "Connecting you to a person.");
	assert_true(s->handoff.requested);
	assert_false(s->handoff.ticket);
	assert_int_equal(s->handoff.reason, HANDOFF_REASON_ASKED);
	assert_string_equal(s->handoff.team, "logistics");
	assert_string_equal(s->handoff.intent, "talk-to-human");
	assert_string_equal(s->handoff.scene, "order.shipped");
	assert_int_equal(s->handoff.at, T0);
}

static void engine_should_send_a_signed_vip_to_a_person_but_not_an_unsigned_one(void **state)
{
	struct fixture *f = *state;
	struct sess *s = fresh(f);

	/* Unsigned "vip": greeted in the VIP scene, routed as anyone. */
	hello_on(f, s, "refund_form", "{\"customer\": {\"tier\": \"vip\"}}", T0);
	assert_string_equal(f->w.scene, "refund.vip");
	assert_int_equal(tell(f, s, "how do I return an item", T0), 0);
	assert_int_equal(f->r.kind, ENGINE_ANSWER);
	assert_false(s->handoff.requested);
}

static void engine_should_record_solved_and_offer_runner_ups_then_a_person_when_not(void **state)
{
	struct fixture *f = *state;
	struct sess *s = fresh(f);
	uint32_t answer;

	hello_on(f, s, NULL, NULL, T0);
	assert_int_equal(tell(f, s, "return a product refund", T0), 0);
	assert_int_equal(f->r.kind, ENGINE_ANSWER);
	assert_string_equal(f->r.entry->id, "return-item");
	answer = f->r.id;
	assert_int_equal(s->outcome, SESS_OUTCOME_UNKNOWN);   /* silence is not success */
	assert_int_equal(engine_resolved(f->ei, s, NULL, answer + 50, false, T0, &f->r), -ENOENT);
	assert_int_equal(engine_resolved(f->ei, s, NULL, answer, false, T0, &f->r), 0);
	assert_int_equal(s->outcome, SESS_OUTCOME_UNSOLVED);
	assert_int_equal(f->r.kind, ENGINE_CLARIFY);
	assert_non_null(strstr(f->r.text, "didn't solve it"));
	assert_int_equal(f->r.n_cand, 1);
	assert_string_equal(f->r.cand[0].entry, "refund-time");
	assert_int_equal(engine_choose(f->ei, s, NULL, f->r.id, f->r.cand[0].entry, T0, &f->r), 0);
	assert_int_equal(f->r.kind, ENGINE_ANSWER);
	/* That did not help either: a person. */
	assert_int_equal(engine_resolved(f->ei, s, NULL, f->r.id, false, T0, &f->r), 0);
	assert_int_equal(f->r.kind, ENGINE_INFO);
	assert_non_null(strstr(f->r.text, "Talk to a person"));
	assert_int_equal(f->r.n_quick, 1);
	assert_string_equal(f->r.quick[0], "Talk to a person");
	/* Yes, by text, right after an answer. */
	assert_int_equal(tell(f, s, "how much is shipping", T0), 0);
	assert_int_equal(tell(f, s, "yes that helped, thanks", T0), 0);
	assert_int_equal(f->r.kind, ENGINE_INFO);
	assert_true(f->r.survey);
	assert_int_equal(s->outcome, SESS_OUTCOME_SOLVED);
	/* "No" by text: the runner-ups or a person, never a loop. */
	assert_int_equal(tell(f, s, "how much is shipping", T0), 0);
	assert_int_equal(tell(f, s, "no", T0), 0);
	assert_true(f->r.kind == ENGINE_CLARIFY || f->r.kind == ENGINE_INFO);
	assert_int_equal(s->outcome, SESS_OUTCOME_UNSOLVED);
	/* "no" out of the blue is just an unknown message. */
	assert_int_equal(tell(f, s, "no", T0), 0);
	assert_int_equal(f->r.kind, ENGINE_FALLBACK);
}

static void engine_should_check_survey_values_against_their_scales(void **state)
{
	struct fixture *f = *state;
	struct sess *s = fresh(f);

	assert_int_equal(engine_survey(s, -1, -1), -EINVAL);
	assert_int_equal(engine_survey(s, 6, -1), -ERANGE);
	assert_int_equal(engine_survey(s, 0, -1), -ERANGE);
	assert_int_equal(engine_survey(s, 4, 8), -ERANGE);
	assert_int_equal(s->csat, 0);
	assert_int_equal(engine_survey(s, 5, -1), 0);
	assert_int_equal(engine_survey(s, -1, 7), 0);
	assert_int_equal(s->csat, 5);
	assert_int_equal(s->ces, 7);
}

static void engine_should_rank_the_scenes_suggestions_by_what_was_answered_there(void **state)
{
	struct fixture *f = *state;
	struct sess *s = fresh(f);
	struct engine *saved = f->ei;
	struct engine_opts o;

	/* A new engine: no counts yet. */
	engine_opts_default(&o);
	f->ei = engine_new(&o);
	assert_non_null(f->ei);
	engine_set_content(f->ei, f->kb, f->set);
	hello_on(f, s, NULL, NULL, T0);
	assert_string_equal(f->w.suggestions[0], "Where is my order?");
	assert_int_equal(tell(f, s, "delivery fee", T0), 0);
	assert_string_equal(f->r.entry->id, "shipping-cost");
	hello_on(f, s, NULL, NULL, T0);
	assert_string_equal(f->w.suggestions[0], "How much is shipping?");
	assert_string_equal(f->w.suggestions[1], "Where is my order?");
	/* Counts are per scene. */
	hello_on(f, s, "refund_form", NULL, T0);
	assert_string_equal(f->w.suggestions[0], "How long does a refund take?");
	/* A reload forgets what the suggestions lead to, not the counts. */
	engine_set_content(f->ei, f->kb, f->set);
	hello_on(f, s, NULL, NULL, T0);
	assert_string_equal(f->w.suggestions[0], "How much is shipping?");
	engine_free(f->ei);
	f->ei = saved;
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
		cmocka_unit_test(a_fallback_should_lead_with_the_entry_the_question_came_nearest_to),
		cmocka_unit_test(engine_should_not_guess_when_no_word_is_known_even_in_a_scene),
		cmocka_unit_test(engine_should_tie_feedback_to_the_answered_entry),
		cmocka_unit_test(engine_should_refuse_empty_and_invalid_text_without_touching_the_session),
		cmocka_unit_test(engine_should_map_language_tags_to_the_kbs_languages),
		cmocka_unit_test(engine_should_match_the_scene_from_hello_and_greet_with_its_facts),
		cmocka_unit_test(engine_should_ask_for_a_missing_slot_and_fill_it_from_the_next_message),
		cmocka_unit_test(engine_should_not_ask_the_same_question_more_than_twice),
		cmocka_unit_test(engine_should_read_a_follow_up_in_the_light_of_the_last_answer_until_it_expires),
		cmocka_unit_test(engine_should_hold_notices_while_the_customer_types),
		cmocka_unit_test(engine_should_hand_off_with_the_scenes_route_and_record_the_request),
		cmocka_unit_test(engine_should_send_a_signed_vip_to_a_person_but_not_an_unsigned_one),
		cmocka_unit_test(engine_should_record_solved_and_offer_runner_ups_then_a_person_when_not),
		cmocka_unit_test(engine_should_check_survey_values_against_their_scales),
		cmocka_unit_test(engine_should_rank_the_scenes_suggestions_by_what_was_answered_there),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
