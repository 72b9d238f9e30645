/*
 * test_proto_wire.c - the customer protocol's envelopes: every client frame
 * decoded, every server envelope encoded (and parsed back), and bad input of
 * every kind answered with the right error code and a message, never a crash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/wire.h"

/* ---- decoding ---- */

static int decode(const char *frame, struct wire_in *in, struct wire_error *err)
{
	return wire_decode(frame, strlen(frame), LIM_MSG_TEXT, in, err);
}

static void expect_error(const char *frame, size_t len, const char *code)
{
	struct wire_in in;
	struct wire_error err;

	assert_int_equal(wire_decode(frame, len, LIM_MSG_TEXT, &in, &err), -EINVAL);
	assert_string_equal(err.code, code);
	assert_true(strlen(err.message) > 5);
	assert_null(in.text);
	assert_null(in.context);
}

#define EXPECT_ERROR(frame, code) expect_error(frame, sizeof(frame) - 1, code)

static void wire_should_decode_a_full_hello(void **state)
{
	struct wire_in in;
	struct wire_error err;

	assert_int_equal(decode("{\"v\":1,\"type\":\"hello\",\"token\":\"0123456789abcdef0123456789abcdef\","
				"\"lang\":\"zh-CN\",\"scene\":\"order_detail\",\"context\":{\"order\":{\"id\":\"1234\"}}}",
				&in, &err), 0);
	assert_int_equal(in.type, WIRE_HELLO);
	assert_string_equal(in.token, "0123456789abcdef0123456789abcdef");
	assert_string_equal(in.lang, "zh-CN");
	assert_string_equal(in.scene, "order_detail");
	assert_string_equal(in.context, "{\"order\":{\"id\":\"1234\"}}");
	wire_in_clear(&in);
	assert_null(in.context);
}

static void wire_should_decode_a_minimal_hello(void **state)
{
	struct wire_in in;
	struct wire_error err;

	assert_int_equal(decode("{\"type\":\"hello\",\"v\":1,\"context\":null,\"token\":null}", &in, &err), 0);
	assert_int_equal(in.type, WIRE_HELLO);
	assert_string_equal(in.token, "");
	assert_string_equal(in.lang, "");
	assert_null(in.context);
	wire_in_clear(&in);
}

static void wire_should_decode_a_message(void **state)
{
	struct wire_in in;
	struct wire_error err;

	assert_int_equal(decode("{\"v\":1,\"type\":\"message\",\"id\":\"c-17\",\"text\":\"\xe9\x80\x80\xe6\xac\xbe \\\"now\\\"\\n\"}",
				&in, &err), 0);
	assert_int_equal(in.type, WIRE_MESSAGE);
	assert_string_equal(in.id, "c-17");
	assert_string_equal(in.text, "\xe9\x80\x80\xe6\xac\xbe \"now\"\n");
	assert_int_equal(in.text_len, strlen(in.text));
	wire_in_clear(&in);
	/* The id is optional. */
	assert_int_equal(decode("{\"v\":1,\"type\":\"message\",\"text\":\"hi\"}", &in, &err), 0);
	assert_string_equal(in.id, "");
	wire_in_clear(&in);
}

static void wire_should_decode_feedback_choose_and_typing(void **state)
{
	struct wire_in in;
	struct wire_error err;

	assert_int_equal(decode("{\"v\":1,\"type\":\"feedback\",\"reply_to\":\"s-12\",\"value\":\"down\"}", &in, &err), 0);
	assert_int_equal(in.type, WIRE_FEEDBACK);
	assert_int_equal(in.reply_num, 12);
	assert_false(in.up);
	wire_in_clear(&in);
	assert_int_equal(decode("{\"v\":1,\"type\":\"feedback\",\"reply_to\":\"s-1\",\"value\":\"up\"}", &in, &err), 0);
	assert_true(in.up);
	wire_in_clear(&in);

	assert_int_equal(decode("{\"v\":1,\"type\":\"choose\",\"reply_to\":\"s-3\",\"entry\":\"refund-time\"}", &in, &err), 0);
	assert_int_equal(in.type, WIRE_CHOOSE);
	assert_int_equal(in.reply_num, 3);
	assert_true(in.has_entry);
	assert_string_equal(in.entry, "refund-time");
	wire_in_clear(&in);
	assert_int_equal(decode("{\"v\":1,\"type\":\"choose\",\"reply_to\":\"s-3\",\"entry\":null}", &in, &err), 0);
	assert_false(in.has_entry);
	wire_in_clear(&in);

	assert_int_equal(decode("{\"v\":1,\"type\":\"typing\",\"on\":true}", &in, &err), 0);
	assert_int_equal(in.type, WIRE_TYPING);
	assert_true(in.on);
	wire_in_clear(&in);
}

static void wire_should_decode_handoff_and_cancel_handoff(void **state)
{
	struct wire_in in;
	struct wire_error err;

	assert_int_equal(decode("{\"v\":1,\"type\":\"handoff\"}", &in, &err), 0);
	assert_int_equal(in.type, WIRE_HANDOFF);
	assert_false(in.leave_message);
	wire_in_clear(&in);
	assert_int_equal(decode("{\"v\":1,\"type\":\"handoff\",\"leave_message\":true}", &in, &err), 0);
	assert_true(in.leave_message);
	wire_in_clear(&in);
	assert_int_equal(decode("{\"v\":1,\"type\":\"handoff\",\"leave_message\":\"yes\"}", &in, &err), -EINVAL);
	assert_string_equal(err.code, WIRE_E_BAD_FIELD);
	assert_int_equal(decode("{\"v\":1,\"type\":\"cancel_handoff\"}", &in, &err), 0);
	assert_int_equal(in.type, WIRE_CANCEL_HANDOFF);
	wire_in_clear(&in);
}

static void wire_should_decode_scene_resolved_and_survey(void **state)
{
	struct wire_in in;
	struct wire_error err;

	assert_int_equal(decode("{\"v\":1,\"type\":\"scene\",\"scene\":\"refund_form\",\"context\":{\"order\":{\"id\":\"1234\"}}}",
				&in, &err), 0);
	assert_int_equal(in.type, WIRE_SCENE);
	assert_string_equal(in.scene, "refund_form");
	assert_string_equal(in.context, "{\"order\":{\"id\":\"1234\"}}");
	wire_in_clear(&in);
	assert_int_equal(decode("{\"v\":1,\"type\":\"scene\",\"scene\":\"\"}", &in, &err), 0);
	assert_null(in.context);
	wire_in_clear(&in);
	assert_int_equal(decode("{\"v\":1,\"type\":\"resolved\",\"reply_to\":\"s-4\",\"value\":false}", &in, &err), 0);
	assert_int_equal(in.type, WIRE_RESOLVED);
	assert_int_equal(in.reply_num, 4);
	assert_false(in.yes);
	assert_int_equal(decode("{\"v\":1,\"type\":\"resolved\",\"reply_to\":\"s-4\",\"value\":true}", &in, &err), 0);
	assert_true(in.yes);
	assert_int_equal(decode("{\"v\":1,\"type\":\"survey\",\"csat\":5}", &in, &err), 0);
	assert_int_equal(in.type, WIRE_SURVEY);
	assert_int_equal(in.csat, 5);
	assert_int_equal(in.ces, -1);
	assert_int_equal(decode("{\"v\":1,\"type\":\"survey\",\"ces\":7,\"csat\":null}", &in, &err), 0);
	assert_int_equal(in.csat, -1);
	assert_int_equal(in.ces, 7);
	/* The scale is the engine's to check; the wire wants whole numbers. */
	EXPECT_ERROR("{\"v\":1,\"type\":\"scene\"}", WIRE_E_MISSING_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"scene\",\"scene\":5}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"scene\",\"scene\":\"x\",\"context\":[1]}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"resolved\",\"reply_to\":\"s-4\"}", WIRE_E_MISSING_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"resolved\",\"reply_to\":\"s-4\",\"value\":\"yes\"}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"resolved\",\"reply_to\":\"c-4\",\"value\":true}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"survey\"}", WIRE_E_MISSING_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"survey\",\"csat\":4.5}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"survey\",\"csat\":\"5\"}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"survey\",\"ces\":1e9}", WIRE_E_BAD_FIELD);
}

static void wire_should_refuse_frames_that_are_not_json_objects(void **state)
{
	EXPECT_ERROR("", WIRE_E_BAD_JSON);
	EXPECT_ERROR("{\"v\":1,", WIRE_E_BAD_JSON);
	EXPECT_ERROR("hello", WIRE_E_BAD_JSON);
	EXPECT_ERROR("[1,2,3]", WIRE_E_BAD_JSON);
	EXPECT_ERROR("\"a string\"", WIRE_E_BAD_JSON);
	EXPECT_ERROR("{\"v\":1,\"type\":\"message\",\"text\":\"a\"} trailing", WIRE_E_BAD_JSON);
}

static void wire_should_refuse_invalid_utf8_with_its_offset(void **state)
{
	struct wire_in in;
	struct wire_error err;
	static const char frame[] = "{\"v\":1,\"type\":\"message\",\"text\":\"\xc3\x28\"}";

	assert_int_equal(wire_decode(frame, sizeof(frame) - 1, LIM_MSG_TEXT, &in, &err), -EINVAL);
	assert_string_equal(err.code, WIRE_E_BAD_UTF8);
	assert_non_null(strstr(err.message, "byte 32"));
	EXPECT_ERROR("{\"v\":1,\"type\":\"message\",\"text\":\"\xed\xa0\x80\"}", WIRE_E_BAD_UTF8);   /* a surrogate */
}

static void wire_should_refuse_a_lone_surrogate_escape(void **state)
{
	struct wire_in in;
	struct wire_error err;

	assert_int_equal(decode("{\"v\":1,\"type\":\"message\",\"text\":\"\\ud800x\"}", &in, &err), -EINVAL);
	assert_true(!strcmp(err.code, WIRE_E_BAD_JSON) || !strcmp(err.code, WIRE_E_BAD_UTF8));
}

static void wire_should_refuse_deep_nesting_without_crashing(void **state)
{
	size_t n = 6000;
	char *frame = malloc(2 * n + 1);
	struct wire_in in;
	struct wire_error err;

	assert_non_null(frame);
	memset(frame, '[', n);
	memset(frame + n, ']', n);
	frame[2 * n] = '\0';
	assert_int_equal(decode(frame, &in, &err), -EINVAL);
	assert_string_equal(err.code, WIRE_E_BAD_JSON);
	free(frame);
}

static void wire_should_refuse_other_versions_and_types(void **state)
{
	EXPECT_ERROR("{\"type\":\"hello\"}", WIRE_E_MISSING_FIELD);
	EXPECT_ERROR("{\"v\":2,\"type\":\"hello\"}", WIRE_E_BAD_VERSION);
	EXPECT_ERROR("{\"v\":\"1\",\"type\":\"hello\"}", WIRE_E_BAD_VERSION);
	EXPECT_ERROR("{\"v\":1}", WIRE_E_MISSING_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":7}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"dance\"}", WIRE_E_BAD_TYPE);
	EXPECT_ERROR("{\"v\":1,\"type\":\"welcome\"}", WIRE_E_BAD_TYPE);
}

static void wire_should_refuse_missing_and_malformed_fields(void **state)
{
	char frame[LIM_MSG_TEXT + 100];
	size_t n;
	struct wire_in in;
	struct wire_error err;

	EXPECT_ERROR("{\"v\":1,\"type\":\"message\"}", WIRE_E_MISSING_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"message\",\"text\":null}", WIRE_E_MISSING_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"message\",\"text\":42}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"message\",\"text\":\"\"}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"message\",\"text\":\" \\n \"}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"message\",\"text\":\"a\",\"id\":[1]}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"message\",\"text\":\"a\",\"id\":\"0123456789012345678901234567890123456789"
		     "012345678901234567890123456789\"}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"hello\",\"token\":5}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"hello\",\"context\":\"order 12\"}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"feedback\",\"value\":\"up\"}", WIRE_E_MISSING_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"feedback\",\"reply_to\":\"c-1\",\"value\":\"up\"}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"feedback\",\"reply_to\":\"s-0\",\"value\":\"up\"}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"feedback\",\"reply_to\":\"s-99999999999\",\"value\":\"up\"}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"feedback\",\"reply_to\":\"s-1\",\"value\":\"sideways\"}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"feedback\",\"reply_to\":\"s-1\",\"value\":\"upwards and beyond\"}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"feedback\",\"reply_to\":\"s-1\"}", WIRE_E_MISSING_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"choose\",\"reply_to\":\"s-1\"}", WIRE_E_MISSING_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"choose\",\"reply_to\":\"s-1\",\"entry\":3}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"choose\",\"reply_to\":\"s-1\",\"entry\":\"\"}", WIRE_E_BAD_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"typing\"}", WIRE_E_MISSING_FIELD);
	EXPECT_ERROR("{\"v\":1,\"type\":\"typing\",\"on\":1}", WIRE_E_BAD_FIELD);

	/* Text over the limit: too_long, with the numbers. */
	strcpy(frame, "{\"v\":1,\"type\":\"message\",\"text\":\"");
	n = strlen(frame);
	memset(frame + n, 'a', LIM_MSG_TEXT + 1);
	strcpy(frame + n + LIM_MSG_TEXT + 1, "\"}");
	assert_int_equal(decode(frame, &in, &err), -EINVAL);
	assert_string_equal(err.code, WIRE_E_TOO_LONG);
	assert_non_null(strstr(err.message, "4097"));
	/* Exactly at the limit is fine. */
	strcpy(frame + n + LIM_MSG_TEXT, "\"}");
	assert_int_equal(decode(frame, &in, &err), 0);
	assert_int_equal(in.text_len, LIM_MSG_TEXT);
	wire_in_clear(&in);
}

static void wire_should_refuse_a_context_over_its_limit(void **state)
{
	char frame[LIM_CONTEXT_BYTES + 200];
	size_t n;

	n = (size_t)snprintf(frame, sizeof(frame), "{\"v\":1,\"type\":\"hello\",\"context\":{\"x\":\"");
	memset(frame + n, 'y', LIM_CONTEXT_BYTES);
	strcpy(frame + n + LIM_CONTEXT_BYTES, "\"}}");
	expect_error(frame, strlen(frame), WIRE_E_BAD_FIELD);
}

static void wire_should_parse_server_message_ids(void **state)
{
	uint32_t n = 0;

	assert_true(wire_parse_msg_id("s-1", &n) && n == 1);
	assert_true(wire_parse_msg_id("s-4294967295", &n) && n == 4294967295u);
	assert_false(wire_parse_msg_id("s-4294967296", &n));
	assert_false(wire_parse_msg_id("s-0", &n));
	assert_false(wire_parse_msg_id("s-01", &n));
	assert_false(wire_parse_msg_id("s-", &n));
	assert_false(wire_parse_msg_id("s-1x", &n));
	assert_false(wire_parse_msg_id("c-1", &n));
	assert_false(wire_parse_msg_id(NULL, &n));
}

/* ---- encoding ---- */

/* Parse an encoder's result; *len is read after the encoder has run. */
static cJSON *parse(char *env, const size_t *len, const char *type)
{
	cJSON *j;

	assert_non_null(env);
	assert_int_equal(*len, strlen(env));
	j = cJSON_Parse(env);
	wire_free(env);
	assert_non_null(j);
	assert_int_equal(cJSON_GetObjectItem(j, "v")->valueint, 1);
	assert_string_equal(cJSON_GetObjectItem(j, "type")->valuestring, type);
	return j;
}

static const char *str(const cJSON *j, const char *name)
{
	const cJSON *it = cJSON_GetObjectItem(j, name);

	assert_true(cJSON_IsString(it));
	return it->valuestring;
}

static void wire_should_encode_a_welcome_with_the_transcript(void **state)
{
	struct sess_opts so;
	struct sess_store *st;
	struct sess *s;
	struct engine_welcome w = { .lang = "en", .greeting = "Hi!", .suggestions = { "Where is my order?", "Refunds?" },
				    .n_suggestions = 2 };
	size_t len;
	cJSON *j, *tr;

	sess_opts_default(&so);
	st = sess_store_new(&so);
	assert_int_equal(sess_open(st, NULL, 0, &s), 0);
	assert_int_equal(sess_log(s, "{\"v\":1,\"type\":\"message\",\"text\":\"hi\",\"from\":\"customer\"}", 55), 0);
	assert_int_equal(sess_log(s, "{\"v\":1,\"type\":\"fallback\",\"id\":\"s-1\"}", 36), 0);
	j = parse(wire_welcome(s->token, &w, s, true, &len), &len, "welcome");
	assert_string_equal(str(j, "token"), s->token);
	assert_string_equal(str(j, "lang"), "en");
	assert_string_equal(str(j, "greeting"), "Hi!");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "suggestions")), 2);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "resumed")));
	assert_null(cJSON_GetObjectItem(j, "scene"));   /* no scene rules: no scene */
	tr = cJSON_GetObjectItem(j, "transcript");
	assert_int_equal(cJSON_GetArraySize(tr), 2);
	assert_string_equal(str(cJSON_GetArrayItem(tr, 0), "from"), "customer");
	assert_string_equal(str(cJSON_GetArrayItem(tr, 1), "type"), "fallback");
	cJSON_Delete(j);
	/* A new conversation has an empty transcript; the scene matched is named. */
	strcpy(w.scene, "order_detail.shipped");
	j = parse(wire_welcome(s->token, &w, NULL, false, &len), &len, "welcome");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "transcript")), 0);
	assert_string_equal(str(j, "scene"), "order_detail.shipped");
	cJSON_Delete(j);
	sess_store_free(st);
}

static void wire_should_encode_an_answer_with_links_and_quick_replies(void **state)
{
	char q0[] = "How do I return an item?", title[] = "Refund policy", url[] = "https://shop.example.com/help/refunds";
	char id[] = "refund-time", answer[] = "Within 3 days.";
	char *quick[] = { q0 };
	struct kb_link link = { title, url };
	struct kb_entry e = { .id = id, .lang = "en", .answer = answer, .quick_replies = quick, .n_quick = 1,
			      .links = &link, .n_links = 1 };
	struct engine_reply r = { .kind = ENGINE_ANSWER, .id = 7, .lang = "en", .entry = &e };
	const cJSON *l;
	size_t len;
	cJSON *j = parse(wire_reply(&r, "c-17", &len), &len, "answer");

	assert_string_equal(str(j, "id"), "s-7");
	assert_string_equal(str(j, "reply_to"), "c-17");
	assert_string_equal(str(j, "text"), "Within 3 days.");
	assert_string_equal(str(j, "entry"), "refund-time");
	assert_string_equal(str(j, "lang"), "en");
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "quick_replies"), 0)->valuestring, quick[0]);
	l = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "links"), 0);
	assert_string_equal(str(l, "title"), "Refund policy");
	assert_string_equal(str(l, "url"), link.url);
	cJSON_Delete(j);
}

static void wire_should_encode_answers_by_kind(void **state)
{
	static const char *const quick[] = { "Talk to a person" };
	struct engine_reply r = { .kind = ENGINE_ASK, .id = 3, .lang = "en", .intent = "invoice", .ask = "order_id",
				  .text = "Which order?" };
	size_t len;
	cJSON *j = parse(wire_reply(&r, "c-2", &len), &len, "answer");

	assert_string_equal(str(j, "kind"), "ask");
	assert_string_equal(str(j, "intent"), "invoice");
	assert_string_equal(str(j, "ask"), "order_id");
	assert_string_equal(str(j, "text"), "Which order?");
	assert_null(cJSON_GetObjectItem(j, "entry"));
	assert_null(cJSON_GetObjectItem(j, "action"));
	cJSON_Delete(j);
	r = (struct engine_reply){ .kind = ENGINE_HANDOFF, .id = 4, .lang = "zh", .intent = "talk-to-human",
				   .team = "logistics", .priority = "high", .text = "正在为你转接人工客服。" };
	j = parse(wire_reply(&r, "c-3", &len), &len, "answer");
	assert_string_equal(str(j, "kind"), "handoff");
	assert_string_equal(str(j, "action"), "handoff");
	assert_string_equal(str(cJSON_GetObjectItem(j, "route"), "team"), "logistics");
	assert_string_equal(str(cJSON_GetObjectItem(j, "route"), "priority"), "high");
	cJSON_Delete(j);
	r.kind = ENGINE_TICKET;
	j = parse(wire_reply(&r, "c-3", &len), &len, "answer");
	assert_string_equal(str(j, "action"), "ticket");
	cJSON_Delete(j);
	r = (struct engine_reply){ .kind = ENGINE_INFO, .id = 5, .lang = "en", .text = "Glad that helped!", .survey = true,
				   .quick = quick, .n_quick = 1 };
	j = parse(wire_reply(&r, "s-4", &len), &len, "answer");
	assert_string_equal(str(j, "kind"), "info");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "survey")));
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "quick_replies"), 0)->valuestring, "Talk to a person");
	cJSON_Delete(j);
	j = parse(wire_resolved("s-4", false, &len), &len, "resolved");
	assert_string_equal(str(j, "reply_to"), "s-4");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "value")));
	cJSON_Delete(j);
	j = parse(wire_survey(5, -1, &len), &len, "survey");
	assert_int_equal(cJSON_GetObjectItem(j, "csat")->valueint, 5);
	assert_null(cJSON_GetObjectItem(j, "ces"));
	cJSON_Delete(j);
}

static void wire_should_encode_clarify_and_fallback(void **state)
{
	struct engine_reply r = { .kind = ENGINE_CLARIFY, .id = 2, .lang = "en", .text = "Did you mean:",
				  .cand = { { "refund-time", "How long does a refund take?" },
					    { "return-item", "How do I return an item?" } },
				  .n_cand = 2 };
	const cJSON *c;
	size_t len;
	cJSON *j = parse(wire_reply(&r, "c-1", &len), &len, "clarify");

	assert_string_equal(str(j, "text"), "Did you mean:");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "candidates")), 2);
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "candidates"), 1);
	assert_string_equal(str(c, "entry"), "return-item");
	assert_string_equal(str(c, "question"), "How do I return an item?");
	cJSON_Delete(j);

	memset(&r, 0, sizeof(r));
	r.kind = ENGINE_FALLBACK;
	r.id = 3;
	r.lang = "zh";
	strcpy(r.text, "\xe6\x8a\xb1\xe6\xad\x89");
	r.suggestions[0] = "Where is my order?";
	r.n_suggestions = 1;
	j = parse(wire_reply(&r, NULL, &len), &len, "fallback");
	assert_null(cJSON_GetObjectItem(j, "reply_to"));
	assert_string_equal(str(j, "text"), "\xe6\x8a\xb1\xe6\xad\x89");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "suggestions")), 1);
	cJSON_Delete(j);
}

static void wire_should_encode_the_customers_own_frames_for_the_transcript(void **state)
{
	static const char text[] = "quote \" backslash \\ newline \n emoji \xf0\x9f\x98\x80 \xe4\xb8\xad";
	size_t len;
	cJSON *j = parse(wire_customer_message("c-9", text, sizeof(text) - 1, &len), &len, "message");

	assert_string_equal(str(j, "id"), "c-9");
	assert_string_equal(str(j, "text"), text);
	assert_string_equal(str(j, "from"), "customer");
	cJSON_Delete(j);

	j = parse(wire_feedback("s-4", false, &len), &len, "feedback");
	assert_string_equal(str(j, "reply_to"), "s-4");
	assert_string_equal(str(j, "value"), "down");
	cJSON_Delete(j);

	j = parse(wire_choose("s-5", NULL, &len), &len, "choose");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "entry")));
	cJSON_Delete(j);
	j = parse(wire_choose("s-5", "refund-time", &len), &len, "choose");
	assert_string_equal(str(j, "entry"), "refund-time");
	cJSON_Delete(j);
}

static void wire_should_encode_errors_and_notices(void **state)
{
	size_t len;
	cJSON *j = parse(wire_error(WIRE_E_RATE_LIMITED, "slow down", 250, &len), &len, "error");

	assert_string_equal(str(j, "code"), "rate_limited");
	assert_string_equal(str(j, "message"), "slow down");
	assert_int_equal(cJSON_GetObjectItem(j, "retry_after_ms")->valueint, 250);
	cJSON_Delete(j);
	j = parse(wire_error(WIRE_E_BAD_JSON, "nope", -1, &len), &len, "error");
	assert_null(cJSON_GetObjectItem(j, "retry_after_ms"));
	cJSON_Delete(j);
	j = parse(wire_notice("Deliveries are delayed today.", &len), &len, "notice");
	assert_string_equal(str(j, "text"), "Deliveries are delayed today.");
	cJSON_Delete(j);
	wire_free(NULL);
	wire_in_clear(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wire_should_decode_a_full_hello),
		cmocka_unit_test(wire_should_decode_a_minimal_hello),
		cmocka_unit_test(wire_should_decode_a_message),
		cmocka_unit_test(wire_should_decode_feedback_choose_and_typing),
		cmocka_unit_test(wire_should_decode_scene_resolved_and_survey),
		cmocka_unit_test(wire_should_decode_handoff_and_cancel_handoff),
		cmocka_unit_test(wire_should_refuse_frames_that_are_not_json_objects),
		cmocka_unit_test(wire_should_refuse_invalid_utf8_with_its_offset),
		cmocka_unit_test(wire_should_refuse_a_lone_surrogate_escape),
		cmocka_unit_test(wire_should_refuse_deep_nesting_without_crashing),
		cmocka_unit_test(wire_should_refuse_other_versions_and_types),
		cmocka_unit_test(wire_should_refuse_missing_and_malformed_fields),
		cmocka_unit_test(wire_should_refuse_a_context_over_its_limit),
		cmocka_unit_test(wire_should_parse_server_message_ids),
		cmocka_unit_test(wire_should_encode_a_welcome_with_the_transcript),
		cmocka_unit_test(wire_should_encode_an_answer_with_links_and_quick_replies),
		cmocka_unit_test(wire_should_encode_answers_by_kind),
		cmocka_unit_test(wire_should_encode_clarify_and_fallback),
		cmocka_unit_test(wire_should_encode_the_customers_own_frames_for_the_transcript),
		cmocka_unit_test(wire_should_encode_errors_and_notices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
