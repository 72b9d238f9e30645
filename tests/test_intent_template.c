/*
 * test_intent_template.c - response templates: variables, optional parts,
 * escapes, syntax errors with offsets, bounded output, and intents that fall
 * back to a safe text instead of ever showing "{order.id}" to a customer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "intent/tmpl.h"
#include "test_intent_fixture.h"

#include <errno.h>

static const char *vars(void *arg, const char *name)
{
	static const char *const kv[][2] = {
		{ "order.id", "1234" }, { "order.carrier", "SF Express" }, { "empty", "" }, { "name", "Alex" },
	};

	(void)arg;
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
		if (!strcmp(kv[i][0], name))
			return kv[i][1];
	return NULL;
}

static const char *render(const char *t, int *rc)
{
	static char out[256];

	*rc = tmpl_render(t, vars, NULL, out, sizeof(out), NULL);
	return out;
}

static void template_should_fill_variables(void **state)
{
	int rc;

	(void)state;
	assert_string_equal(render("Order {order.id} ships with {order.carrier}.", &rc), "Order 1234 ships with SF Express.");
	assert_int_equal(rc, (int)strlen("Order 1234 ships with SF Express."));
	assert_string_equal(render("no variables", &rc), "no variables");
	assert_string_equal(render("订单 {order.id} 已发货", &rc), "订单 1234 已发货");
	assert_string_equal(render("", &rc), "");
	assert_int_equal(rc, 0);
}

static void template_should_refuse_a_missing_variable(void **state)
{
	char out[64], missing[TMPL_NAME_BYTES];

	(void)state;
	strcpy(out, "junk");
	assert_int_equal(tmpl_render("Shipped on {order.shipped_at}.", vars, NULL, out, sizeof(out), missing), -ENOENT);
	assert_string_equal(out, "");
	assert_string_equal(missing, "order.shipped_at");
	/* An empty value counts as missing. */
	assert_int_equal(tmpl_render("Hi {empty}", vars, NULL, out, sizeof(out), missing), -ENOENT);
	assert_string_equal(missing, "empty");
}

static void template_should_drop_optional_parts_with_missing_variables(void **state)
{
	int rc;

	(void)state;
	assert_string_equal(render("Shipped[ with {order.carrier}][ on {order.shipped_at}].", &rc), "Shipped with SF Express.");
	assert_string_equal(render("Hi[ {name}][ {empty}]!", &rc), "Hi Alex!");
	assert_string_equal(render("[{nope} and {name}]x", &rc), "x");
	assert_string_equal(render("[no variable at all]", &rc), "no variable at all");
}

static void template_should_read_escapes_literally(void **state)
{
	int rc;

	(void)state;
	assert_string_equal(render("{{order.id}} is {order.id} [[x]]", &rc), "{order.id} is 1234 [x]");
}

static void template_check_should_point_at_syntax_errors(void **state)
{
	static const struct {
		const char *t;
		size_t off;
		const char *what;
	} bad[] = {
		{ "Order {order id}", 6, "followed by a variable name" },
		{ "Order {}", 6, "empty variable name" },
		{ "a } b", 2, "'}' without '{'" },
		{ "a ] b", 2, "']' without '['" },
		{ "x [a [b] c]", 5, "cannot nest" },
		{ "x [a {b}", 2, "never closed" },
		{ "x {abc", 2, "followed by a variable name" },
	};
	size_t off;
	const char *what;
	char out[32];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tmpl_check(bad[i].t, &off, &what, NULL, NULL), -EINVAL);
		assert_int_equal(off, bad[i].off);
		assert_non_null(strstr(what, bad[i].what));
		assert_int_equal(tmpl_render(bad[i].t, vars, NULL, out, sizeof(out), NULL), -EINVAL);
		assert_string_equal(out, "");
	}
	assert_int_equal(tmpl_check("fine {a.b-c_d} [ok {x}]", &off, &what, NULL, NULL), 0);
}

static void count_var(void *arg, const char *name, int optional)
{
	int *n = arg;

	(void)name;
	n[optional ? 1 : 0]++;
}

static void template_check_should_list_required_and_optional_variables(void **state)
{
	int n[2] = { 0, 0 };

	(void)state;
	assert_int_equal(tmpl_check("{a} {b}[ {c}]", NULL, NULL, count_var, n), 0);
	assert_int_equal(n[0], 2);
	assert_int_equal(n[1], 1);
}

static void template_should_stay_inside_its_buffer(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(tmpl_render("Order {order.id}", vars, NULL, out, sizeof(out), NULL), -E2BIG);
	assert_string_equal(out, "");
	assert_int_equal(tmpl_render("1234567", vars, NULL, out, sizeof(out), NULL), 7);
	assert_string_equal(out, "1234567");
	assert_int_equal(tmpl_render("x", vars, NULL, out, 0, NULL), -EINVAL);
}

/* ---- in intents ---- */

static void intent_should_fill_its_template_from_the_scene(void **state)
{
	struct fx *f = *state;
	const struct intent_result *r;

	fx_hello(f, "order_detail", "{\"order\": {\"id\": \"1234\", \"status\": \"shipped\", \"shipped_at\": \"2026-11-27\", "
				    "\"carrier\": \"SF Express\"}}");
	r = fx_match(f, "where is my order");
	assert_string_equal(r->id, "track-order");
	assert_false(r->used_fallback);
	assert_string_equal(r->text, "Order 1234 shipped on 2026-11-27 with SF Express.");
	assert_int_equal(r->n_quick, 1);
	assert_string_equal(r->quick[0], "Cancel it");
	r = fx_match_at(f, "我的快递到哪了", "en", 0);
	assert_string_equal(r->text, "订单 1234 已于 2026-11-27 发货（SF Express）。");
	assert_string_equal(r->quick[0], "取消订单");
}

static void intent_should_use_its_fallback_when_a_variable_is_missing(void **state)
{
	struct fx *f = *state;
	const struct intent_result *r;

	fx_hello(f, "order_detail", "{\"order\": {\"status\": \"shipped\", \"carrier\": \"SF Express\"}}");
	r = fx_match(f, "where is my order");
	assert_string_equal(r->id, "track-order");
	assert_true(r->used_fallback);
	assert_string_equal(r->text, "Your order is on its way.");
	assert_null(strchr(r->text, '{'));
	r = fx_match_at(f, "我的快递到哪了", "zh", 0);
	assert_string_equal(r->text, "你的订单已发货。");
	/* Optional parts need no fallback. */
	r = fx_match(f, "can I cancel");
	assert_string_equal(r->text, "It has shipped: refuse the delivery or return it.");
	assert_false(r->used_fallback);
}

static void intent_text_should_follow_the_customers_language(void **state)
{
	struct fx *f = *state;
	const struct intent_result *r;

	fx_hello(f, NULL, NULL);
	/* Chinese text gets Chinese; Latin text in a Chinese widget gets English; no words: the hint. */
	r = fx_match_at(f, "人工客服", "en", 0);
	assert_string_equal(r->lang, "zh");
	r = fx_match_at(f, "human please", "zh", 0);
	assert_string_equal(r->lang, "en");
	assert_string_equal(intent_reply_lang(f->set, fx_toks(f, "   "), "zh"), "zh");
	assert_string_equal(intent_reply_lang(f->set, fx_toks(f, "   "), "fr"), "en");
	/* A single-language text serves every language. */
	r = fx_match_at(f, "I want to file a complaint", "zh", 0);
	assert_int_equal(r->action, INTENT_TICKET);
	assert_string_equal(r->text, "We opened a ticket.");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(template_should_fill_variables),
		cmocka_unit_test(template_should_refuse_a_missing_variable),
		cmocka_unit_test(template_should_drop_optional_parts_with_missing_variables),
		cmocka_unit_test(template_should_read_escapes_literally),
		cmocka_unit_test(template_check_should_point_at_syntax_errors),
		cmocka_unit_test(template_check_should_list_required_and_optional_variables),
		cmocka_unit_test(template_should_stay_inside_its_buffer),
		cmocka_unit_test(intent_should_fill_its_template_from_the_scene),
		cmocka_unit_test(intent_should_use_its_fallback_when_a_variable_is_missing),
		cmocka_unit_test(intent_text_should_follow_the_customers_language),
	};

	return cmocka_run_group_tests_name("intent/template", tests, fx_setup, fx_teardown);
}
