/*
 * test_proto_agent_wire.c - the faq-agent protocol: console frames decoded
 * or refused with the right error code, the server's envelopes as the
 * console reads them (queue snapshots, case files with the messages since,
 * suggestions), the sign-in body and the Cookie header.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "proto/agent_wire.h"

#include <errno.h>
#include <string.h>

static int decode(const char *s, struct agent_wire_in *in, struct agent_wire_error *err)
{
	return agent_wire_decode(s, strlen(s), 4096, in, err);
}

static void agent_wire_should_decode_every_console_frame(void **state)
{
	struct agent_wire_in in;
	struct agent_wire_error err;

	assert_int_equal(decode("{\"v\":1,\"type\":\"claim\"}", &in, &err), 0);
	assert_int_equal(in.type, AGENT_WIRE_CLAIM);
	assert_string_equal(in.conv, "");
	agent_wire_in_clear(&in);
	assert_int_equal(decode("{\"v\":1,\"type\":\"claim\",\"conv\":\"abc\"}", &in, &err), 0);
	assert_string_equal(in.conv, "abc");
	agent_wire_in_clear(&in);
	assert_int_equal(decode("{\"v\":1,\"type\":\"agent_msg\",\"conv\":\"abc\",\"id\":\"a-1\",\"text\":\"Hi \xe4\xbd\xa0\"}",
				&in, &err), 0);
	assert_int_equal(in.type, AGENT_WIRE_MSG);
	assert_string_equal(in.id, "a-1");
	assert_string_equal(in.text, "Hi \xe4\xbd\xa0");
	assert_int_equal(in.text_len, 6);
	agent_wire_in_clear(&in);
	assert_int_equal(decode("{\"v\":1,\"type\":\"agent_typing\",\"conv\":\"abc\",\"on\":true}", &in, &err), 0);
	assert_true(in.on);
	agent_wire_in_clear(&in);
	assert_int_equal(decode("{\"v\":1,\"type\":\"transfer\",\"conv\":\"abc\",\"team\":\"after-sales\"}", &in, &err), 0);
	assert_string_equal(in.team, "after-sales");
	agent_wire_in_clear(&in);
	assert_int_equal(decode("{\"v\":1,\"type\":\"return_to_bot\",\"conv\":\"abc\"}", &in, &err), 0);
	assert_int_equal(in.type, AGENT_WIRE_RETURN);
	agent_wire_in_clear(&in);
	assert_int_equal(decode("{\"v\":1,\"type\":\"close\",\"conv\":\"abc\",\"resolution\":\"solved\"}", &in, &err), 0);
	assert_string_equal(in.resolution, "solved");
	agent_wire_in_clear(&in);
	assert_int_equal(decode("{\"v\":1,\"type\":\"propose_kb_entry\",\"conv\":\"abc\",\"question\":\"q?\",\"answer\":\"a.\","
				"\"lang\":\"en\"}", &in, &err), 0);
	assert_string_equal(in.question, "q?");
	assert_string_equal(in.answer, "a.");
	assert_string_equal(in.lang, "en");
	agent_wire_in_clear(&in);
	assert_int_equal(decode("{\"v\":1,\"type\":\"kb_search\",\"text\":\"refund\"}", &in, &err), 0);
	assert_int_equal(in.type, AGENT_WIRE_KB_SEARCH);
	assert_string_equal(in.type_name, "kb_search");
	agent_wire_in_clear(&in);
}

static void agent_wire_should_refuse_bad_frames_with_a_code(void **state)
{
	struct agent_wire_in in;
	struct agent_wire_error err;

	assert_int_equal(decode("not json", &in, &err), -EINVAL);
	assert_string_equal(err.code, AGENT_E_BAD_JSON);
	assert_int_equal(decode("{\"v\":2,\"type\":\"claim\"}", &in, &err), -EINVAL);
	assert_string_equal(err.code, AGENT_E_BAD_VERSION);
	assert_int_equal(decode("{\"v\":1,\"type\":\"explode\"}", &in, &err), -EINVAL);
	assert_string_equal(err.code, AGENT_E_BAD_TYPE);
	assert_int_equal(decode("{\"v\":1,\"type\":\"agent_msg\",\"conv\":\"abc\"}", &in, &err), -EINVAL);
	assert_string_equal(err.code, AGENT_E_MISSING_FIELD);
	assert_string_equal(err.type_name, "agent_msg");
	assert_non_null(strstr(err.message, "text"));
	assert_int_equal(decode("{\"v\":1,\"type\":\"agent_msg\",\"text\":\"hi\"}", &in, &err), -EINVAL);
	assert_string_equal(err.code, AGENT_E_MISSING_FIELD);
	assert_int_equal(decode("{\"v\":1,\"type\":\"agent_msg\",\"conv\":\"abc\",\"text\":\"  \"}", &in, &err), -EINVAL);
	assert_string_equal(err.code, AGENT_E_BAD_FIELD);
	assert_int_equal(decode("{\"v\":1,\"type\":\"transfer\",\"conv\":\"abc\",\"team\":\"Billing Team\"}", &in, &err),
			 -EINVAL);
	assert_string_equal(err.code, AGENT_E_BAD_FIELD);
	assert_int_equal(decode("{\"v\":1,\"type\":\"agent_typing\",\"conv\":\"abc\",\"on\":1}", &in, &err), -EINVAL);
	assert_string_equal(err.code, AGENT_E_BAD_FIELD);
	assert_int_equal(agent_wire_decode("{\"v\":1,\"type\":\"kb_search\",\"text\":\"\xff\"}", 35, 4096, &in, &err), -EINVAL);
	assert_string_equal(err.code, AGENT_E_BAD_JSON);
	assert_int_equal(agent_wire_decode("{\"v\":1,\"type\":\"kb_search\",\"text\":\"abcdef\"}", 42, 5, &in, &err), -EINVAL);
	assert_string_equal(err.code, AGENT_E_BAD_FIELD);
	assert_null(in.text);
}

static void agent_wire_should_encode_a_queue_snapshot(void **state)
{
	struct handoff_conv a, b;
	struct handoff_queue_item w[1];
	const struct handoff_conv *mine[1] = { &b };
	size_t len;
	char *s;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	strcpy(a.id, "c1");
	strcpy(a.customer_name, "Alex");
	strcpy(a.team, "support");
	a.reason = HANDOFF_REASON_ASKED;
	a.priority = 10;
	a.vip = true;
	strcpy(b.id, "c2");
	b.assigned_at = 42;
	w[0].conv = &a;
	w[0].position = 1;
	w[0].waited_ms = 1500;
	s = agent_wire_queue(7, w, 1, 3, mine, 1, &len);
	assert_non_null(s);
	assert_int_equal(strlen(s), len);
	assert_non_null(strstr(s, "\"type\":\"queue\""));
	assert_non_null(strstr(s, "\"version\":7"));
	assert_non_null(strstr(s, "\"conv\":\"c1\",\"customer_name\":\"Alex\""));
	assert_non_null(strstr(s, "\"reason\":\"asked\",\"priority\":10,\"vip\":true"));
	assert_non_null(strstr(s, "\"position\":1,\"waited_ms\":1500"));
	assert_non_null(strstr(s, "\"total\":3"));
	assert_non_null(strstr(s, "\"mine\":[{\"conv\":\"c2\""));
	assert_non_null(strstr(s, "\"assigned_at\":42"));
	agent_wire_free(s);
}

static void agent_wire_should_send_only_the_messages_after_the_case_file(void **state)
{
	const char *cf = "{\"v\":1,\"conversation\":\"c1\",\"transcript\":[{\"from\":\"customer\",\"text\":\"a\"},"
			 "{\"from\":\"bot\",\"text\":\"b\"}],\"transcript_dropped\":3}";
	struct handoff_msg m = { 0 };
	size_t skip = 0, len;
	cJSON *b;
	char *s;

	b = agent_wire_case_file_begin("c1", cf, strlen(cf), &skip);
	assert_non_null(b);
	assert_int_equal(skip, 5);
	m.from = HANDOFF_FROM_AGENT;
	m.author = "alice";
	m.text = "hello";
	m.text_len = 5;
	m.at = 9;
	assert_int_equal(agent_wire_case_file_add(b, &m), 0);
	s = agent_wire_case_file_finish(b, &len);
	assert_non_null(s);
	assert_non_null(strstr(s, "\"case\":{\"v\":1,\"conversation\":\"c1\""));
	assert_non_null(strstr(s, "\"transcript\":[{\"from\":\"agent\",\"author\":\"alice\",\"text\":\"hello\",\"at\":9}]"));
	agent_wire_free(s);
	/* No stored case file: "case" is null and nothing is skipped. */
	b = agent_wire_case_file_begin("c1", NULL, 0, &skip);
	assert_int_equal(skip, 0);
	s = agent_wire_case_file_finish(b, &len);
	assert_non_null(strstr(s, "\"case\":null"));
	agent_wire_free(s);
}

static void agent_wire_should_encode_the_small_envelopes(void **state)
{
	struct handoff_suggestion sug = { "refund-time", "How long?", "3-5 days.", 0.8765f };
	struct handoff_agent ag;
	const char *teams[] = { "support", "billing" }, *res[] = { "solved" };
	size_t len;
	char *s;

	memset(&ag, 0, sizeof(ag));
	strcpy(ag.username, "alice");
	strcpy(ag.name, "Alice Chen");
	strcpy(ag.teams, "support,billing");
	ag.capacity = 3;
	strcpy(ag.password, "secret-hash");
	s = agent_wire_hello(&ag, teams, 2, res, 1, &len);
	assert_string_equal(s, "{\"v\":1,\"type\":\"hello\",\"agent\":{\"username\":\"alice\",\"name\":\"Alice Chen\","
			       "\"teams\":[\"support\",\"billing\"],\"capacity\":3},\"teams\":[\"support\",\"billing\"],"
			       "\"resolutions\":[\"solved\"]}");
	agent_wire_free(s);
	s = agent_wire_claim_failed(NULL, "not_found", "Nobody is waiting.", &len);
	assert_string_equal(s, "{\"v\":1,\"type\":\"claim_failed\",\"conv\":null,\"code\":\"not_found\","
			       "\"message\":\"Nobody is waiting.\"}");
	agent_wire_free(s);
	s = agent_wire_suggestions("c1", "m-3", &sug, 1, &len);
	assert_non_null(strstr(s, "\"items\":[{\"entry\":\"refund-time\",\"question\":\"How long?\",\"answer\":\"3-5 days.\","
				  "\"score\":0.877}]"));
	agent_wire_free(s);
	s = agent_wire_customer_msg("c1", "c-4", "hi\nthere", 8, 5, &len);
	assert_string_equal(s, "{\"v\":1,\"type\":\"customer_msg\",\"conv\":\"c1\",\"id\":\"c-4\",\"text\":\"hi\\nthere\",\"at\":5}");
	agent_wire_free(s);
	s = agent_wire_released("c1", "transferred", &len);
	assert_string_equal(s, "{\"v\":1,\"type\":\"released\",\"conv\":\"c1\",\"why\":\"transferred\"}");
	agent_wire_free(s);
	s = agent_wire_error("not_yours", "You do not hold this chat.", "close", &len);
	assert_non_null(strstr(s, "\"reply_to\":\"close\""));
	agent_wire_free(s);
}

static void agent_wire_should_read_the_sign_in_body_and_the_cookie(void **state)
{
	char user[LIM_ID + 1], pass[KDF_PASSWORD_MAX + 1], tok[80];
	const char *ok = "{\"username\":\"alice\",\"password\":\"p4ss w0rd\"}";

	assert_int_equal(agent_wire_login_decode(ok, strlen(ok), user, pass), 0);
	assert_string_equal(user, "alice");
	assert_string_equal(pass, "p4ss w0rd");
	assert_int_equal(agent_wire_login_decode("{\"username\":\"alice\"}", 20, user, pass), -EINVAL);
	assert_int_equal(agent_wire_login_decode("[1]", 3, user, pass), -EINVAL);
	assert_int_equal(agent_wire_login_decode("{\"username\":\"\",\"password\":\"x\"}", 30, user, pass), -EINVAL);

	assert_int_equal(agent_wire_cookie("a=1; faq_agent=abc123; b=2", "faq_agent", tok, sizeof(tok)), 0);
	assert_string_equal(tok, "abc123");
	assert_int_equal(agent_wire_cookie("faq_agent=\"q\"", "faq_agent", tok, sizeof(tok)), 0);
	assert_string_equal(tok, "q");
	assert_int_equal(agent_wire_cookie("xfaq_agent=abc", "faq_agent", tok, sizeof(tok)), -ENOENT);
	assert_int_equal(agent_wire_cookie("", "faq_agent", tok, sizeof(tok)), -ENOENT);
	assert_int_equal(agent_wire_cookie("faq_agent=0123456789", "faq_agent", tok, 5), -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(agent_wire_should_decode_every_console_frame),
		cmocka_unit_test(agent_wire_should_refuse_bad_frames_with_a_code),
		cmocka_unit_test(agent_wire_should_encode_a_queue_snapshot),
		cmocka_unit_test(agent_wire_should_send_only_the_messages_after_the_case_file),
		cmocka_unit_test(agent_wire_should_encode_the_small_envelopes),
		cmocka_unit_test(agent_wire_should_read_the_sign_in_body_and_the_cookie),
	};

	return cmocka_run_group_tests_name("proto/agent_wire", tests, NULL, NULL);
}
