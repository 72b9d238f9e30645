/*
 * test_intent_slots.c - typed slot values from customer text (order numbers,
 * e-mail addresses, phone numbers, dates) and how intents fill slots: scene
 * context first, then earlier turns, then the text, else a question.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "intent/slot.h"
#include "test_intent_fixture.h"

#include <errno.h>

static const time_t now = 1795694400;   /* 2026-11-26T12:00:00Z */

/* The value of type t in text, or "-" when there is none. */
static const char *x(enum slot_type t, const char *text)
{
	static char out[128];
	int rc = slot_extract(t, text, strlen(text), now, out, sizeof(out));

	return rc ? "-" : out;
}

static void order_number_should_be_found_in_text(void **state)
{
	(void)state;
	assert_string_equal(x(SLOT_ORDER_NUMBER, "my order 1234 hasn't arrived"), "1234");
	assert_string_equal(x(SLOT_ORDER_NUMBER, "it's #A-20391"), "A-20391");
	assert_string_equal(x(SLOT_ORDER_NUMBER, "订单号：20261127001"), "20261127001");
	assert_string_equal(x(SLOT_ORDER_NUMBER, "订单号２０２６１１２７００２"), "20261127002");   /* full-width digits */
	assert_string_equal(x(SLOT_ORDER_NUMBER, "SO-88213"), "SO-88213");
	assert_string_equal(x(SLOT_ORDER_NUMBER, "I paid 12 dollars"), "-");      /* too few digits */
	assert_string_equal(x(SLOT_ORDER_NUMBER, "where is my order"), "-");
}

static void order_number_should_prefer_one_after_an_order_word(void **state)
{
	(void)state;
	assert_string_equal(x(SLOT_ORDER_NUMBER, "ticket 5555 about order no. 778899"), "778899");
	assert_string_equal(x(SLOT_ORDER_NUMBER, "ticket 5555 about order #778899"), "778899");
	assert_string_equal(x(SLOT_ORDER_NUMBER, "ticket 5555 about 778899"), "5555");
}

static void order_number_should_skip_dates_phones_and_emails(void **state)
{
	(void)state;
	assert_string_equal(x(SLOT_ORDER_NUMBER, "ordered on 2026-11-20, number 90210"), "90210");
	assert_string_equal(x(SLOT_ORDER_NUMBER, "call 13800138000 about 4455"), "4455");
	assert_string_equal(x(SLOT_ORDER_NUMBER, "call +44 20 7946 0958"), "-");
	assert_string_equal(x(SLOT_ORDER_NUMBER, "mail alex1234@example.com"), "-");
	assert_string_equal(x(SLOT_ORDER_NUMBER, "it cost 1234.50"), "-");
}

static void email_should_be_found_and_lowercased(void **state)
{
	(void)state;
	assert_string_equal(x(SLOT_EMAIL, "write to Alex.Chen+shop@Example.co.uk please"), "alex.chen+shop@example.co.uk");
	assert_string_equal(x(SLOT_EMAIL, "邮箱是 li@example.cn。"), "li@example.cn");
	assert_string_equal(x(SLOT_EMAIL, "mail me at bob@example.com."), "bob@example.com");
	assert_string_equal(x(SLOT_EMAIL, "me@localhost"), "-");
	assert_string_equal(x(SLOT_EMAIL, "@example.com"), "-");
	assert_string_equal(x(SLOT_EMAIL, "a@b.c"), "-");
	assert_string_equal(x(SLOT_EMAIL, "a@.example.com"), "-");
	assert_string_equal(x(SLOT_EMAIL, "no address here"), "-");
}

static void phone_should_be_found_and_normalised(void **state)
{
	(void)state;
	assert_string_equal(x(SLOT_PHONE, "call me on +44 20 7946 0958"), "+442079460958");
	assert_string_equal(x(SLOT_PHONE, "我的手机 138 0013 8000"), "13800138000");
	assert_string_equal(x(SLOT_PHONE, "13800138000"), "13800138000");
	assert_string_equal(x(SLOT_PHONE, "(555) 123-4567"), "5551234567");
	assert_string_equal(x(SLOT_PHONE, "+1-800-555-0199 any time"), "+18005550199");
	assert_string_equal(x(SLOT_PHONE, "order 12345678"), "-");           /* no grouping, no "+" */
	assert_string_equal(x(SLOT_PHONE, "on 2026-11-20"), "-");            /* a date */
	assert_string_equal(x(SLOT_PHONE, "+12 34"), "-");                   /* too short */
	assert_string_equal(x(SLOT_PHONE, "+1234567890123456"), "-");        /* too long */
}

static void date_should_be_read_in_common_forms(void **state)
{
	(void)state;
	assert_string_equal(x(SLOT_DATE, "ordered 2026-11-20"), "2026-11-20");
	assert_string_equal(x(SLOT_DATE, "on 2026/3/5 please"), "2026-03-05");
	assert_string_equal(x(SLOT_DATE, "2026年11月27日发的货"), "2026-11-27");
	assert_string_equal(x(SLOT_DATE, "11月3号"), "2026-11-03");
	assert_string_equal(x(SLOT_DATE, "on 27 Nov 2026"), "2026-11-27");
	assert_string_equal(x(SLOT_DATE, "the 3rd of December"), "2026-12-03");
	assert_string_equal(x(SLOT_DATE, "November 27th, 2025"), "2025-11-27");
	assert_string_equal(x(SLOT_DATE, "sept 9"), "2026-09-09");
	assert_string_equal(x(SLOT_DATE, "27/11/2026"), "2026-11-27");
	assert_string_equal(x(SLOT_DATE, "11/27/2026"), "2026-11-27");
}

static void date_should_resolve_relative_words_with_the_clock(void **state)
{
	(void)state;
	assert_string_equal(x(SLOT_DATE, "it came yesterday"), "2026-11-25");
	assert_string_equal(x(SLOT_DATE, "Today"), "2026-11-26");
	assert_string_equal(x(SLOT_DATE, "tomorrow morning"), "2026-11-27");
	assert_string_equal(x(SLOT_DATE, "前天下的单"), "2026-11-24");
	assert_string_equal(x(SLOT_DATE, "明天"), "2026-11-27");
}

static void date_should_refuse_impossible_or_ambiguous_dates(void **state)
{
	(void)state;
	assert_string_equal(x(SLOT_DATE, "2026-02-30"), "-");
	assert_string_equal(x(SLOT_DATE, "2025-02-29"), "-");
	assert_string_equal(x(SLOT_DATE, "2028-02-29"), "2028-02-29");
	assert_string_equal(x(SLOT_DATE, "3/4/2026"), "-");
	assert_string_equal(x(SLOT_DATE, "May I ask"), "-");
	assert_string_equal(x(SLOT_DATE, "todays deals"), "-");
	assert_string_equal(x(SLOT_DATE, "order 20261127"), "-");
}

static void extract_should_respect_the_buffer_and_input(void **state)
{
	char small[4];

	(void)state;
	assert_int_equal(slot_extract(SLOT_ORDER_NUMBER, "order 123456", 12, now, small, sizeof(small)), -E2BIG);
	assert_int_equal(slot_extract(SLOT_TEXT, "  leave it at the door \n", 24, now, small, sizeof(small)), -E2BIG);
	assert_string_equal(x(SLOT_TEXT, "  leave it at the door \n"), "leave it at the door");
	assert_string_equal(x(SLOT_TEXT, "   "), "-");
	assert_int_equal(slot_extract(SLOT_EMAIL, "\xff@example.com", 13, now, small, sizeof(small)), -ENOENT);
	assert_int_equal(slot_extract(SLOT_EMAIL, NULL, 0, now, small, sizeof(small)), -EINVAL);
	assert_int_equal(slot_type_from_name("order_number"), SLOT_ORDER_NUMBER);
	assert_int_equal(slot_type_from_name("zip"), -EINVAL);
	assert_string_equal(slot_type_name(SLOT_DATE), "date");
}

/* ---- slots in intents ---- */

static void slot_known_from_the_scene_should_never_be_asked(void **state)
{
	struct fx *f = *state;
	const struct intent_result *r;

	fx_hello(f, "refund_form", "{\"order\": {\"id\": \"4321\"}}");
	r = fx_match(f, "where is my order");
	assert_int_equal(r->action, INTENT_ANSWER);
	assert_string_equal(r->id, "track-any");
	assert_int_equal(r->n_slots, 1);
	assert_string_equal(r->slots[0].name, "order_id");
	assert_string_equal(r->slots[0].value, "4321");
	assert_int_equal(r->slots[0].source, INTENT_SLOT_CONTEXT);
	assert_string_equal(r->text, "Track order 4321 in My orders.");
	/* The scene's value wins over one in the text. */
	r = fx_match(f, "where is my order 9999");
	assert_string_equal(r->slots[0].value, "4321");
}

static void slot_should_come_from_the_text_when_the_scene_lacks_it(void **state)
{
	struct fx *f = *state;
	const struct intent_result *r;

	fx_hello(f, NULL, NULL);
	r = fx_match(f, "where is my order #5566");
	assert_int_equal(r->action, INTENT_ANSWER);
	assert_string_equal(r->slots[0].value, "5566");
	assert_int_equal(r->slots[0].source, INTENT_SLOT_TEXT);
	r = fx_match_at(f, "订单 5566 到哪了", "en", 0);
	assert_string_equal(r->lang, "zh");
	assert_string_equal(r->text, "在「我的订单」里查看订单 5566。");
}

static void slot_should_be_asked_then_filled_from_the_answer(void **state)
{
	struct fx *f = *state;
	const struct intent_result *r;
	struct intent_result next;
	struct intent_slot known[INTENT_MAX_SLOTS];
	const char *reply = "it's 7788";
	struct intent_input in;
	size_t nk;

	fx_hello(f, NULL, NULL);
	r = fx_match(f, "where is my order");
	assert_int_equal(r->action, INTENT_ASK);
	assert_string_equal(r->ask, "order_id");
	assert_string_equal(r->text, "Which order? Send the order number.");
	assert_int_equal(r->n_slots, 0);
	/* The engine keeps the intent id and the slots, then runs the intent on the answer. */
	in = (struct intent_input){ fx_toks(f, reply), reply, strlen(reply), f->ctx, "en", now, NULL, 0 };
	assert_int_equal(intent_run(f->set, r->id, intent_scene_match(f->set, f->ctx, 0), &in, &next), 0);
	assert_int_equal(next.action, INTENT_ANSWER);
	assert_string_equal(next.text, "Track order 7788 in My orders.");
	/* An answer without a value asks again. */
	reply = "I don't know";
	in = (struct intent_input){ fx_toks(f, reply), reply, strlen(reply), f->ctx, "en", now, NULL, 0 };
	assert_int_equal(intent_run(f->set, "track-any", intent_scene_match(f->set, f->ctx, 0), &in, &next), 0);
	assert_int_equal(next.action, INTENT_ASK);
	assert_string_equal(next.ask, "order_id");
	/* Two slots: the first answer is kept while the second is asked. */
	reply = "please call me back on +44 20 7946 0958";
	in = (struct intent_input){ fx_toks(f, reply), reply, strlen(reply), f->ctx, "en", now, NULL, 0 };
	assert_int_equal(intent_match(f->set, intent_scene_match(f->set, f->ctx, 0), &in, &next), 0);
	assert_int_equal(next.action, INTENT_ASK);
	assert_string_equal(next.ask, "day");
	assert_int_equal(next.n_slots, 1);
	nk = next.n_slots;
	memcpy(known, next.slots, nk * sizeof(known[0]));
	reply = "tomorrow";
	in = (struct intent_input){ fx_toks(f, reply), reply, strlen(reply), f->ctx, "en", now, known, nk };
	assert_int_equal(intent_run(f->set, "callback", intent_scene_match(f->set, f->ctx, 0), &in, &next), 0);
	assert_int_equal(next.action, INTENT_ANSWER);
	assert_string_equal(next.text, "We will call +442079460958 on 2026-11-27.");
	assert_int_equal(next.slots[0].source, INTENT_SLOT_EARLIER);
	assert_int_equal(next.slots[1].source, INTENT_SLOT_TEXT);
}

static void text_slot_should_take_the_whole_answer_only_when_asked(void **state)
{
	struct fx *f = *state;
	const struct intent_result *r;
	struct intent_result next;
	const char *reply = "Leave it with the neighbour at no. 5";
	struct intent_input in;

	fx_hello(f, NULL, NULL);
	r = fx_match(f, "I want to leave a note");
	assert_int_equal(r->action, INTENT_ASK);
	assert_string_equal(r->ask, "note");
	in = (struct intent_input){ fx_toks(f, reply), reply, strlen(reply), f->ctx, "en", now, NULL, 0 };
	assert_int_equal(intent_run(f->set, "leave-note", intent_scene_match(f->set, f->ctx, 0), &in, &next), 0);
	assert_int_equal(next.action, INTENT_ANSWER);
	assert_string_equal(next.text, "Noted: Leave it with the neighbour at no. 5");
	assert_int_equal(intent_run(f->set, "no-such-intent", NULL, &in, &next), -ENOENT);
	assert_int_equal(next.action, INTENT_NONE);
}

static void email_slot_should_use_context_before_the_text(void **state)
{
	struct fx *f = *state;
	const struct intent_result *r;

	fx_hello(f, NULL, "{\"customer\": {\"email\": \"known@example.com\"}}");
	r = fx_match(f, "contact me by email at other@example.com");
	assert_string_equal(r->text, "We will write to known@example.com.");
	fx_hello(f, NULL, NULL);
	r = fx_match(f, "contact me by email at Other@Example.com");
	assert_string_equal(r->text, "We will write to other@example.com.");
	r = fx_match(f, "contact me by email");
	assert_int_equal(r->action, INTENT_ASK);
	assert_string_equal(r->text, "What is your email address?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order_number_should_be_found_in_text),
		cmocka_unit_test(order_number_should_prefer_one_after_an_order_word),
		cmocka_unit_test(order_number_should_skip_dates_phones_and_emails),
		cmocka_unit_test(email_should_be_found_and_lowercased),
		cmocka_unit_test(phone_should_be_found_and_normalised),
		cmocka_unit_test(date_should_be_read_in_common_forms),
		cmocka_unit_test(date_should_resolve_relative_words_with_the_clock),
		cmocka_unit_test(date_should_refuse_impossible_or_ambiguous_dates),
		cmocka_unit_test(extract_should_respect_the_buffer_and_input),
		cmocka_unit_test(slot_known_from_the_scene_should_never_be_asked),
		cmocka_unit_test(slot_should_come_from_the_text_when_the_scene_lacks_it),
		cmocka_unit_test(slot_should_be_asked_then_filled_from_the_answer),
		cmocka_unit_test(text_slot_should_take_the_whole_answer_only_when_asked),
		cmocka_unit_test(email_slot_should_use_context_before_the_text),
	};

	return cmocka_run_group_tests_name("intent/slots", tests, fx_setup, fx_teardown);
}
