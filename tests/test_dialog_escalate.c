/*
 * test_dialog_escalate.c - from a conversation to a hand-off: the customer
 * read from signed context only, the route of the scene (unsigned VIP
 * claims grant nothing), the scene policy, the case file built from the
 * stored transcript and the answers with their reactions, and what the
 * customer is told about their place in the queue.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/sign.h"
#include "dialog/engine.h"
#include "dialog/escalate.h"

#include "fake_handoff_store.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define SECRET "test secret"
#define NOW    ((time_t)1790000000)
#define T0     ((int64_t)NOW * 1000)

static struct sess_store *store;
static struct sess *s;

static int setup(void **state)
{
	struct sess_opts o;

	sess_opts_default(&o);
	store = sess_store_new(&o);
	assert_non_null(store);
	assert_true(sess_open(store, NULL, 1, &s) >= 0);
	strcpy(s->lang, "en");
	return 0;
}

static int teardown(void **state)
{
	sess_store_free(store);
	store = NULL;
	s = NULL;
	return 0;
}

/* A hello context with a signed block holding data (JSON text), signed with SECRET until exp. */
static void signed_context(const char *plain_members, const char *data, int64_t exp)
{
	char sig[SIGN_HEX_BYTES + 1], esc[512], json[2048];
	size_t n = 0;

	assert_int_equal(sign_context(SECRET, data, exp, sig), 0);
	for (const char *p = data; *p && n + 2 < sizeof(esc); p++) {
		if (*p == '"')
			esc[n++] = '\\';
		esc[n++] = *p;
	}
	esc[n] = '\0';
	snprintf(json, sizeof(json), "{%s%s\"signed\":{\"data\":\"%s\",\"exp\":%lld,\"sig\":\"%s\"}}", plain_members,
		 *plain_members ? "," : "", esc, (long long)exp, sig);
	assert_int_equal(sess_set_context(s, json), 0);
}

static void customer_should_be_verified_only_when_signed(void **state)
{
	struct escalate_customer c;

	assert_int_equal(sess_set_context(s, "{\"customer\":{\"id\":\"c-1\",\"name\":\"Alex\",\"tier\":\"vip\"}}"), 0);
	escalate_customer(s, SECRET, NOW, &c);
	assert_string_equal(c.id, "c-1");
	assert_string_equal(c.name, "Alex");
	assert_true(c.vip);
	assert_false(c.verified);

	signed_context("\"customer\":{\"name\":\"Alex\"}", "{\"customer\":{\"id\":\"c-1001\",\"tier\":\"vip\"}}", NOW + 3600);
	escalate_customer(s, SECRET, NOW, &c);
	assert_string_equal(c.id, "c-1001");
	assert_true(c.vip);
	assert_true(c.verified);
	/* expired, or checked with another secret: not verified */
	escalate_customer(s, SECRET, NOW + 7200, &c);
	assert_false(c.verified);
	escalate_customer(s, "another secret", NOW, &c);
	assert_false(c.verified);
	escalate_customer(s, NULL, NOW, &c);
	assert_false(c.verified);
}

static void route_should_ignore_unsigned_vip_claims(void **state)
{
	struct kb_options ko;
	struct kb_diag kd = { 0 };
	struct intent_diag d = { 0 };
	struct kb_snapshot *kb;
	struct intent_set *set;
	struct intent_route r;

	kb_options_default(&ko);
	kb = kb_load("tests/data/kb-mini", &ko, &kd);
	kb_diag_clear(&kd);
	assert_non_null(kb);
	set = engine_load_intents("tests/data/intents-engine", kb, &d);
	intent_diag_clear(&d);
	assert_non_null(set);

	strcpy(s->page, "refund_form");
	assert_int_equal(sess_set_context(s, "{\"customer\":{\"tier\":\"vip\"}}"), 0);
	escalate_route(set, s, SECRET, NOW, &r);
	assert_string_equal(r.team, "returns");
	assert_false(r.always_human);
	assert_int_equal(r.priority, INTENT_PRIO_NORMAL);

	signed_context("", "{\"customer\":{\"tier\":\"vip\"}}", NOW + 60);
	escalate_route(set, s, SECRET, NOW, &r);
	assert_string_equal(r.team, "returns");
	assert_true(r.always_human);
	assert_int_equal(r.priority, INTENT_PRIO_HIGH);

	escalate_route(NULL, s, SECRET, NOW, &r);   /* no intents: the default team */
	assert_string_equal(r.team, "support");
	intent_set_free(set);
	kb_snapshot_free(kb);
}

static void policy_should_take_the_routes_team_and_priority(void **state)
{
	struct handoff_policy base, p;
	struct intent_route r = { .scene = "refund", .team = "returns", .priority = INTENT_PRIO_HIGH };

	handoff_policy_default(&base);
	escalate_policy(&base, &r, &p);
	assert_string_equal(p.team, "returns");
	assert_int_equal(p.priority, 2);
	assert_false(p.always_person);
	r.priority = INTENT_PRIO_URGENT;
	r.always_human = true;
	escalate_policy(&base, &r, &p);
	assert_int_equal(p.priority, 5);
	assert_true(p.always_person);
	assert_true(p.on_fallbacks && p.fallbacks == base.fallbacks);
}

static void signals_should_count_fallbacks_dislikes_and_anger(void **state)
{
	struct escalate_customer c = { .vip = true, .verified = false };
	struct sentiment_result sr = { .anger = 2.5f, .complaint = 1.0f };
	struct escalate_turn t = { .s = s, .cust = &c, .sentiment = &sr, .dislikes = 2 };
	struct handoff_signals sig;
	struct handoff_policy p;
	enum handoff_reason why;

	s->fallbacks = 1;
	escalate_signals(&t, &sig);
	assert_int_equal(sig.fallbacks, 1);
	assert_int_equal(sig.dislikes, 2);
	assert_true(sig.sentiment > 3.4f && sig.sentiment < 3.6f);
	assert_true(sig.vip);
	assert_false(sig.verified);
	handoff_policy_default(&p);
	assert_true(handoff_should_trigger(&sig, &p, &why));
	assert_int_equal(why, HANDOFF_REASON_SENTIMENT);
	/* an unverified VIP gets no extra priority */
	assert_int_equal(handoff_priority(&sig, &p, HANDOFF_REASON_DISLIKES), 0);
}

static void casefile_should_hold_the_transcript_answers_and_reactions(void **state)
{
	static struct fake_store fs;
	struct handoff_config hc;
	struct handoff *h;
	struct escalate_customer c;
	struct escalate_answer answers[2] = { { "refund-time", T0 + 1, CASEFILE_DOWN }, { "order-tracking", T0 + 3, CASEFILE_IGNORED } };
	struct escalate_turn t = { .s = s, .cust = &c, .answers = answers, .n_answers = 2, .intent = "refund-status" };
	char conv[HANDOFF_CONV_LEN + 1];
	struct casefile *cf;
	int err = 0;

	memset(&fs, 0, sizeof(fs));
	handoff_config_default(&hc);
	h = handoff_new(&hc, &fake_ops, &fs, T0, &err);
	assert_non_null(h);
	handoff_conv_id(s->token, conv);
	t.conv = conv;
	strcpy(s->scene, "refund");
	signed_context("\"order\":{\"id\":\"1234\"}", "{\"customer\":{\"id\":\"c-1001\",\"name\":\"Alex Chen\"}}", NOW + 60);
	escalate_customer(s, SECRET, NOW, &c);
	assert_int_equal(handoff_append(h, conv, HANDOFF_FROM_CUSTOMER, NULL, "how long for my refund", 22, T0), 0);
	assert_int_equal(handoff_append(h, conv, HANDOFF_FROM_BOT, NULL, "3-5 days.", 9, T0 + 1), 0);
	assert_int_equal(handoff_append(h, conv, HANDOFF_FROM_CUSTOMER, NULL, "talk to a person", 16, T0 + 2), 0);

	cf = escalate_casefile(h, NULL, &t, HANDOFF_REASON_ASKED, SECRET, "en", T0 + 5);
	assert_non_null(cf);
	assert_string_equal(cf->customer.id, "c-1001");
	assert_string_equal(cf->customer.name, "Alex Chen");
	assert_true(cf->customer.verified);
	assert_string_equal(cf->scene, "refund");
	assert_int_equal(cf->n_msgs, 3);
	assert_string_equal(cf->msgs[2].text, "talk to a person");
	assert_int_equal(cf->n_answers, 2);
	assert_int_equal(cf->answers[0].reaction, CASEFILE_DOWN);
	assert_int_equal(cf->reason, HANDOFF_REASON_ASKED);
	assert_string_equal(cf->intent.id, "refund-status");
	for (size_t i = 0; i < cf->n_context; i++)
		assert_null(strstr(cf->context[i].key, "signed"));   /* the signature stays out of the case file */
	assert_true(cf->n_context >= 1);
	assert_non_null(strstr(cf->summary, "asked for a person"));
	casefile_free(cf);
	handoff_free(h);
	fake_store_clear(&fs);
}

static void status_text_should_be_honest_about_the_wait(void **state)
{
	struct handoff_status st;
	char out[512];

	memset(&st, 0, sizeof(st));
	st.state = HANDOFF_QUEUED;
	st.position = 2;
	st.wait.minutes = 3;
	st.wait.confident = true;
	escalate_status_text(&st, NULL, "en", out, sizeof(out));
	assert_non_null(strstr(out, "number 2"));
	assert_non_null(strstr(out, "about 3 minutes"));
	st.wait.minutes = 10;
	st.wait.confident = false;
	escalate_status_text(&st, NULL, "en", out, sizeof(out));
	assert_non_null(strstr(out, "more than 10 minutes"));
	assert_non_null(strstr(out, "leave a message"));
	escalate_status_text(&st, NULL, "zh-CN", out, sizeof(out));
	assert_non_null(strstr(out, "超过 10 分钟"));
	st.state = HANDOFF_TICKET;
	strcpy(st.ticket, "T-7K3Q9P");
	escalate_status_text(&st, NULL, "en", out, sizeof(out));
	assert_non_null(strstr(out, "T-7K3Q9P"));
	assert_non_null(strstr(out, "No one can take your chat live"));
	escalate_status_text(&st, "message", "en", out, sizeof(out));
	assert_non_null(strstr(out, "We've saved your conversation as ticket T-7K3Q9P"));
	escalate_status_text(&st, "closed", "en", out, sizeof(out));
	assert_non_null(strstr(out, "closed right now"));
	st.state = HANDOFF_ASSIGNED;
	strcpy(st.agent_name, "Alice Chen");
	escalate_status_text(&st, NULL, "en", out, sizeof(out));
	assert_string_equal(out, "Alice Chen has joined the chat.");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(customer_should_be_verified_only_when_signed),
		T(route_should_ignore_unsigned_vip_claims),
		T(policy_should_take_the_routes_team_and_priority),
		T(signals_should_count_fallbacks_dislikes_and_anger),
		T(casefile_should_hold_the_transcript_answers_and_reactions),
		T(status_text_should_be_honest_about_the_wait),
	};

	return cmocka_run_group_tests_name("dialog/escalate", tests, NULL, NULL);
}
