/*
 * test_proto_handoff_wire.c - the customer's hand-off envelopes: the status
 * with only the fields of its state, the agent's message and typing, and a
 * stored transcript replayed as the envelopes the widget shows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "proto/handoff_wire.h"

#include <string.h>

static void status_should_carry_the_fields_of_its_state(void **state)
{
	struct handoff_status st;
	size_t len;
	char *s;

	memset(&st, 0, sizeof(st));
	st.state = HANDOFF_QUEUED;
	st.position = 3;
	st.wait.minutes = 10;
	strcpy(st.team, "general");
	s = handoff_wire_status(&st, "You're number 3.", &len);
	assert_string_equal(s, "{\"v\":1,\"type\":\"handoff_status\",\"state\":\"queued\",\"position\":3,"
			       "\"wait\":{\"minutes\":10,\"confident\":false},\"team\":\"general\",\"text\":\"You're number 3.\"}");
	assert_int_equal(len, strlen(s));
	handoff_wire_free(s);
	st.state = HANDOFF_ASSIGNED;
	strcpy(st.agent, "alice");
	strcpy(st.agent_name, "Alice Chen");
	s = handoff_wire_status(&st, NULL, &len);
	assert_non_null(strstr(s, "\"state\":\"assigned\",\"agent_name\":\"Alice Chen\""));
	assert_null(strstr(s, "position"));
	assert_null(strstr(s, "alice\""));   /* the username is not shown to customers */
	handoff_wire_free(s);
	st.state = HANDOFF_TICKET;
	strcpy(st.ticket, "T-7K3Q9P");
	s = handoff_wire_status(&st, NULL, &len);
	assert_non_null(strstr(s, "\"state\":\"ticket\",\"ticket\":\"T-7K3Q9P\""));
	handoff_wire_free(s);
}

static void agent_frames_should_name_the_agent_not_the_account(void **state)
{
	size_t len;
	char *s = handoff_wire_agent_msg(7, "Hello \xe4\xbd\xa0", 9, "Alice Chen", 42, &len);

	assert_string_equal(s, "{\"v\":1,\"type\":\"agent_msg\",\"id\":\"s-7\",\"text\":\"Hello \xe4\xbd\xa0\","
			       "\"agent_name\":\"Alice Chen\",\"at\":42}");
	handoff_wire_free(s);
	s = handoff_wire_typing(true, &len);
	assert_string_equal(s, "{\"v\":1,\"type\":\"typing\",\"from\":\"agent\",\"on\":true}");
	handoff_wire_free(s);
}

static void replay_should_rebuild_each_side(void **state)
{
	struct handoff_msg m = { .conv = "c", .at = 5, .author = "", .text = "hi", .text_len = 2 };
	size_t len;
	char *s;

	m.from = HANDOFF_FROM_CUSTOMER;
	s = handoff_wire_replay(&m, NULL, &len);
	assert_string_equal(s, "{\"v\":1,\"type\":\"message\",\"id\":\"\",\"text\":\"hi\",\"from\":\"customer\"}");
	handoff_wire_free(s);
	m.from = HANDOFF_FROM_BOT;
	s = handoff_wire_replay(&m, NULL, &len);
	assert_string_equal(s, "{\"v\":1,\"type\":\"answer\",\"id\":\"\",\"text\":\"hi\",\"entry\":null}");
	handoff_wire_free(s);
	m.from = HANDOFF_FROM_AGENT;
	m.author = "alice";
	s = handoff_wire_replay(&m, "Alice Chen", &len);
	assert_non_null(strstr(s, "\"agent_name\":\"Alice Chen\""));
	handoff_wire_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(status_should_carry_the_fields_of_its_state),
		cmocka_unit_test(agent_frames_should_name_the_agent_not_the_account),
		cmocka_unit_test(replay_should_rebuild_each_side),
	};

	return cmocka_run_group_tests_name("proto/handoff_wire", tests, NULL, NULL);
}
