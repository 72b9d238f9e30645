/*
 * test_intent_load.c - the sample content: intents/ loads with no errors
 * against the sample kb/ (its analyzer, its entry ids), and the demo shop's
 * scenes and intents behave as the product description promises.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "intent/context.h"
#include "intent/intent.h"
#include "kb/kb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct demo {
	struct kb_snapshot *kb;
	struct intent_set *set;
	struct context *ctx;
	struct tok_list *tl;
};

static int setup(void **state)
{
	struct demo *d = calloc(1, sizeof(*d));
	struct kb_options o;
	struct kb_diag kd = { 0 };

	if (!d)
		return -1;
	*state = d;
	kb_options_default(&o);
	o.calibrate = false;
	d->kb = kb_load("kb", &o, &kd);
	for (size_t i = 0; i < kd.n && !d->kb; i++)
		fprintf(stderr, "%s\n", kd.msgs[i]);
	kb_diag_clear(&kd);
	d->ctx = context_new();
	d->tl = malloc(sizeof(*d->tl));
	return d->kb && d->ctx && d->tl ? 0 : -1;
}

static int teardown(void **state)
{
	struct demo *d = *state;

	intent_set_free(d->set);
	kb_snapshot_free(d->kb);
	context_free(d->ctx);
	free(d->tl);
	free(d);
	return 0;
}

static bool has_entry(void *kb, const char *id)
{
	return kb_find(kb, id, NULL) != NULL;
}

static void sample_intents_should_load_without_errors(void **state)
{
	struct demo *d = *state;
	struct intent_diag diag = { 0 };

	d->set = intent_load("intents", kb_analyzer(d->kb), &diag);
	for (size_t i = 0; i < diag.n; i++)
		fprintf(stderr, "%s\n", diag.msgs[i]);
	assert_non_null(d->set);
	assert_int_equal(diag.errors, 0);
	assert_int_equal(diag.warnings, 0);
	intent_diag_clear(&diag);
	assert_int_equal(intent_check_entries(d->set, has_entry, d->kb, &diag), 0);
	intent_diag_clear(&diag);
	assert_true(intent_count(d->set) >= 10);
	for (size_t i = 0; i < 12; i++) {
		static const char *const ids[] = { "home", "product", "checkout", "order_detail", "order_detail.unpaid",
						   "order_detail.paid", "order_detail.shipped", "order_detail.delivered",
						   "order_detail.refunding", "refund_form", "refund_form.vip", "account" };

		assert_non_null(intent_scene_find(d->set, ids[i]));
	}
}

/* Run the scene's intents on text; the result is static. */
static const struct intent_result *ask(struct demo *d, const char *page, const char *json, const char *text)
{
	static struct intent_result r;
	const struct intent_scene *sc;
	struct intent_input in;

	context_clear(d->ctx);
	if (json)
		context_load(d->ctx, json, strlen(json), NULL, 0);
	context_set(d->ctx, "page", page, false);
	sc = intent_scene_match(d->set, d->ctx, 0);
	tok_run(kb_analyzer(d->kb), text, strlen(text), 0, d->tl);
	in = (struct intent_input){ d->tl, text, strlen(text), d->ctx, "en", 1795694400, NULL, 0 };
	assert_int_equal(intent_match(d->set, sc, &in, &r), 0);
	return &r;
}

static void how_long_should_depend_on_the_scene(void **state)
{
	struct demo *d = *state;
	static const char *const qs[] = { "how long?", "how long does it take", "多久", "要多久" };

	assert_non_null(d->set);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		const struct intent_result *r = ask(d, "refund_form", NULL, qs[i]);

		assert_int_equal(r->action, INTENT_ANSWER);
		assert_string_equal(r->entry, "refund-time");
		r = ask(d, "product", "{\"product\": {\"id\": \"P-2041\"}}", qs[i]);
		assert_int_equal(r->action, INTENT_ANSWER);
		assert_string_equal(r->entry, "shipping-time");
	}
	/* A longer question is left to the FAQ. */
	assert_int_equal(ask(d, "product", NULL, "how long is the warranty")->action, INTENT_NONE);
	assert_int_equal(ask(d, "refund_form", NULL, "how long do I have to return an item")->action, INTENT_NONE);
}

static void talk_to_a_person_should_hand_off_in_every_scene(void **state)
{
	struct demo *d = *state;
	static const char *const pages[] = { "home", "product", "checkout", "order_detail", "refund_form", "account" };
	static const char *const qs[] = { "I want a human", "agent please", "can I speak to a representative", "人工",
					  "转人工", "人工客服" };

	assert_non_null(d->set);
	for (size_t p = 0; p < sizeof(pages) / sizeof(pages[0]); p++)
		for (size_t q = 0; q < sizeof(qs) / sizeof(qs[0]); q++) {
			const struct intent_result *r = ask(d, pages[p], "{\"order\": {\"id\": \"1\", \"status\": \"shipped\"}}", qs[q]);

			assert_int_equal(r->action, INTENT_HANDOFF);
			assert_string_equal(r->id, "talk-to-human");
		}
	assert_string_equal(ask(d, "refund_form", NULL, "转人工")->route.team, "returns");
	assert_string_equal(ask(d, "order_detail", "{\"order\": {\"status\": \"shipped\"}}", "human")->route.team, "logistics");
}

static void order_page_intents_should_follow_the_order_status(void **state)
{
	struct demo *d = *state;
	const struct intent_result *r;
	const char *shipped = "{\"order\": {\"id\": \"1234\", \"status\": \"shipped\", \"tracking_no\": \"SF1234567890\", "
			      "\"shipped_at\": \"2026-11-27\", \"carrier\": \"SF Express\"}}";

	assert_non_null(d->set);
	r = ask(d, "order_detail", shipped, "where is my order?");
	assert_string_equal(r->id, "track-order-shipped");
	assert_non_null(strstr(r->text, "SF1234567890"));
	r = ask(d, "order_detail", "{\"order\": {\"id\": \"1234\", \"status\": \"unpaid\"}}", "cancel my order");
	assert_string_equal(r->id, "cancel-unpaid-order");
	r = ask(d, "order_detail", "{\"order\": {\"id\": \"1234\", \"status\": \"paid\"}}", "I need to change the address");
	assert_string_equal(r->id, "change-address-before-shipping");
	r = ask(d, "order_detail", shipped, "我想改地址");
	assert_string_equal(r->id, "change-address-shipped");
	r = ask(d, "order_detail", shipped, "my order is late");
	assert_string_equal(r->id, "delivery-delay");
	r = ask(d, "order_detail", "{\"order\": {\"id\": \"1234\", \"status\": \"refunding\"}}", "退款进度");
	assert_string_equal(r->id, "refund-progress");
	r = ask(d, "order_detail", shipped, "I need an invoice");
	assert_string_equal(r->id, "invoice");
	assert_string_equal(r->slots[0].value, "1234");
	r = ask(d, "home", NULL, "I need an invoice");
	assert_int_equal(r->action, INTENT_ASK);
	r = ask(d, "home", NULL, "我要投诉");
	assert_int_equal(r->action, INTENT_TICKET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sample_intents_should_load_without_errors),
		cmocka_unit_test(how_long_should_depend_on_the_scene),
		cmocka_unit_test(talk_to_a_person_should_hand_off_in_every_scene),
		cmocka_unit_test(order_page_intents_should_follow_the_order_status),
	};

	return cmocka_run_group_tests_name("intent/load", tests, setup, teardown);
}
