/*
 * test_dialog_handoff.c - the hand-off desk on an in-memory store: trigger
 * rules (with the shipped sentiment lists, negation included), every legal
 * and illegal transition, routing order, capacity, the claim race, agent
 * presence and restarts, wait estimates, tickets, accounts and sessions,
 * transcripts, drafts and agent assist.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dialog/casefile.h"
#include "dialog/handoff.h"
#include "dialog/sentiment.h"
#include "proto/sentiment_json.h"

#include "fake_handoff_store.h"

#define T0  1700000000000LL     /* a Tuesday, 22:13 UTC */
#define SEC 1000LL
#define MIN (60 * SEC)

static struct fake_store fs;
static struct handoff *h;
static int changes;
static enum handoff_state last_from, last_to;
static char last_detail[64], last_prev_agent[LIM_ID + 1];

static void on_change(void *arg, const struct handoff_conv *c, const struct handoff_event *ev, const char *prev_agent)
{
	changes++;
	last_from = ev->from;
	last_to = ev->to;
	assert_int_equal(c->state, ev->to);
	snprintf(last_detail, sizeof(last_detail), "%s", ev->detail ? ev->detail : "");
	snprintf(last_prev_agent, sizeof(last_prev_agent), "%s", prev_agent);
}

static void config(struct handoff_config *cfg)
{
	handoff_config_default(cfg);
	cfg->kdf_iter = KDF_ITER_MIN;
	cfg->on_change = on_change;
}

static struct handoff *desk_at(int64_t now)
{
	struct handoff_config cfg;
	int err = 0;
	struct handoff *d;

	config(&cfg);
	d = handoff_new(&cfg, &fake_ops, &fs, now, &err);
	assert_int_equal(err, 0);
	assert_non_null(d);
	return d;
}

static int setup(void **state)
{
	memset(&fs, 0, sizeof(fs));
	changes = 0;
	h = desk_at(T0);
	return 0;
}

static int teardown(void **state)
{
	handoff_free(h);
	h = NULL;
	fake_store_clear(&fs);
	return 0;
}

/* An agent account, signed in (one console open). */
static void agent(const char *user, const char *teams, unsigned capacity)
{
	assert_int_equal(handoff_agent_add(h, user, user, teams, capacity, "secret pw", T0), 0);
	assert_true(handoff_agent_online(h, user, T0) >= 0);
}

static int request_at(const char *conv, const char *scene, int priority, int64_t now, struct handoff_status *st)
{
	struct handoff_request rq = { .conv = conv, .scene = scene, .reason = HANDOFF_REASON_ASKED,
				      .priority = priority, .lang = "en" };

	return handoff_request(h, &rq, now, st);
}

static enum handoff_state state_of(const char *conv)
{
	struct handoff_conv c;

	if (handoff_get(h, conv, &c))
		return HANDOFF_BOT;
	return c.state;
}

/* ---- triggers ---- */

static void trigger_should_fire_when_the_customer_asks(void **state)
{
	struct handoff_policy p;
	struct handoff_signals s = { .asked = true };
	enum handoff_reason r;

	handoff_policy_default(&p);
	assert_true(handoff_should_trigger(&s, &p, &r));
	assert_int_equal(r, HANDOFF_REASON_ASKED);
	p.on_ask = false;
	assert_false(handoff_should_trigger(&s, &p, &r));
	assert_int_equal(r, HANDOFF_REASON_NONE);
}

static void trigger_should_fire_after_two_consecutive_fallbacks_not_one(void **state)
{
	struct handoff_policy p;
	struct handoff_signals s = { .fallbacks = 1 };
	enum handoff_reason r;

	handoff_policy_default(&p);
	assert_false(handoff_should_trigger(&s, &p, &r));
	s.fallbacks = 2;
	assert_true(handoff_should_trigger(&s, &p, &r));
	assert_int_equal(r, HANDOFF_REASON_FALLBACKS);
	p.fallbacks = 3;
	assert_false(handoff_should_trigger(&s, &p, NULL));
}

static void trigger_should_fire_after_dislikes_on_two_answers(void **state)
{
	struct handoff_policy p;
	struct handoff_signals s = { .dislikes = 1 };
	enum handoff_reason r;

	handoff_policy_default(&p);
	assert_false(handoff_should_trigger(&s, &p, &r));
	s.dislikes = 2;
	assert_true(handoff_should_trigger(&s, &p, &r));
	assert_int_equal(r, HANDOFF_REASON_DISLIKES);
}

static bool triggers_on(const struct sentiment_lexicon *lex, const char *text)
{
	struct sentiment_result res;
	struct handoff_policy p;
	struct handoff_signals s = { 0 };
	enum handoff_reason r;
	bool fired;

	assert_int_equal(sentiment_score(lex, text, strlen(text), NULL, &res), 0);
	s.sentiment = sentiment_total(&res);
	handoff_policy_default(&p);
	fired = handoff_should_trigger(&s, &p, &r);
	assert_int_equal(r, fired ? HANDOFF_REASON_SENTIMENT : HANDOFF_REASON_NONE);
	return fired;
}

static void trigger_should_fire_on_anger_but_not_on_negated_anger(void **state)
{
	char err[256];
	struct sentiment_lexicon *lex = sentiment_json_load("intents/sentiment.json", err, sizeof(err));

	assert_non_null(lex);
	assert_true(triggers_on(lex, "I am angry, this is ridiculous"));
	assert_true(triggers_on(lex, "我很生气"));
	assert_true(triggers_on(lex, "I want to make a complaint"));
	assert_false(triggers_on(lex, "I'm not angry, just curious"));
	assert_false(triggers_on(lex, "我不生气，就问问"));
	assert_false(triggers_on(lex, "where is my parcel?"));
	sentiment_lexicon_free(lex);
}

static void trigger_should_fire_for_an_always_a_person_intent_or_scene(void **state)
{
	struct handoff_policy p;
	struct handoff_signals s = { .intent_always_person = true };
	enum handoff_reason r;

	handoff_policy_default(&p);
	assert_true(handoff_should_trigger(&s, &p, &r));
	assert_int_equal(r, HANDOFF_REASON_POLICY);
	s.intent_always_person = false;
	assert_false(handoff_should_trigger(&s, &p, &r));
	p.always_person = true;
	assert_true(handoff_should_trigger(&s, &p, &r));
	assert_int_equal(r, HANDOFF_REASON_POLICY);
	p.on_policy = false;
	assert_false(handoff_should_trigger(&s, &p, &r));
}

static void trigger_should_prefer_the_customers_own_request_as_the_reason(void **state)
{
	struct handoff_policy p;
	struct handoff_signals s = { .asked = true, .fallbacks = 5, .dislikes = 5, .sentiment = 9 };
	enum handoff_reason r;

	handoff_policy_default(&p);
	assert_true(handoff_should_trigger(&s, &p, &r));
	assert_int_equal(r, HANDOFF_REASON_ASKED);
	s.asked = false;
	assert_true(handoff_should_trigger(&s, &p, &r));
	assert_int_equal(r, HANDOFF_REASON_SENTIMENT);
}

static void vip_should_raise_priority_without_forcing_a_handoff(void **state)
{
	struct handoff_policy p;
	struct handoff_signals vip = { .vip = true, .verified = true }, unverified = { .vip = true };
	enum handoff_reason r;

	handoff_policy_default(&p);
	assert_false(handoff_should_trigger(&vip, &p, &r));
	vip.asked = unverified.asked = true;
	assert_true(handoff_should_trigger(&vip, &p, &r));
	assert_int_equal(handoff_priority(&vip, &p, r), 10);
	assert_int_equal(handoff_priority(&unverified, &p, r), 0);   /* an unsigned claim grants nothing */
	assert_int_equal(handoff_priority(&unverified, &p, HANDOFF_REASON_SENTIMENT), 2);
}

/* ---- the transition table ---- */

static void table_should_allow_exactly_the_documented_transitions(void **state)
{
	static const int legal[][2] = {
		{ HANDOFF_BOT, HANDOFF_QUEUED },      { HANDOFF_QUEUED, HANDOFF_ASSIGNED },
		{ HANDOFF_QUEUED, HANDOFF_TICKET },   { HANDOFF_QUEUED, HANDOFF_BOT },
		{ HANDOFF_ASSIGNED, HANDOFF_QUEUED }, { HANDOFF_ASSIGNED, HANDOFF_RESOLVED },
		{ HANDOFF_ASSIGNED, HANDOFF_BOT },    { HANDOFF_RESOLVED, HANDOFF_BOT },
		{ HANDOFF_TICKET, HANDOFF_RESOLVED }, { HANDOFF_TICKET, HANDOFF_BOT },
	};
	size_t n_legal = 0;

	for (int from = 0; from < HANDOFF_STATES; from++)
		for (int to = 0; to < HANDOFF_STATES; to++) {
			bool want = false;

			for (size_t k = 0; k < sizeof(legal) / sizeof(*legal); k++)
				want = want || (legal[k][0] == from && legal[k][1] == to);
			n_legal += want;
			if (handoff_is_legal(from, to) != want)
				fail_msg("%s -> %s", handoff_state_name(from), handoff_state_name(to));
		}
	assert_int_equal(n_legal, 10);
	assert_false(handoff_is_legal(HANDOFF_STATES, HANDOFF_BOT));
	assert_string_equal(handoff_state_name(HANDOFF_TICKET), "ticket");
	assert_string_equal(handoff_reason_name(HANDOFF_REASON_DISLIKES), "dislikes");
}

/* ---- transitions ---- */

static void request_should_queue_when_an_agent_of_the_team_is_online(void **state)
{
	struct handoff_status st;

	agent("alice", "support", 2);
	assert_int_equal(request_at("c1", NULL, 0, T0, &st), 0);
	assert_int_equal(st.state, HANDOFF_QUEUED);
	assert_int_equal(st.position, 1);
	assert_string_equal(st.team, "support");
	assert_false(st.wait.confident);          /* no claim history yet */
	assert_int_equal(st.wait.minutes, 10);
	assert_int_equal(fs.writes, 1);           /* written before we were told */
	assert_int_equal(fs.conv[0].state, HANDOFF_QUEUED);
	assert_int_equal(changes, 1);
	assert_int_equal(last_from, HANDOFF_BOT);
	assert_int_equal(last_to, HANDOFF_QUEUED);
}

static void request_should_make_a_ticket_when_no_agent_is_online(void **state)
{
	struct handoff_status st;
	struct handoff_ticket t;

	assert_int_equal(handoff_agent_add(h, "bob", "Bob", "support", 2, "pw pw pw", T0), 0);   /* offline */
	assert_int_equal(request_at("c1", NULL, 0, T0, &st), 0);
	assert_int_equal(st.state, HANDOFF_TICKET);
	assert_int_equal(strlen(st.ticket), HANDOFF_TICKET_LEN);
	assert_memory_equal(st.ticket, "T-", 2);
	for (size_t i = 2; i < HANDOFF_TICKET_LEN; i++)
		assert_non_null(strchr("23456789ABCDEFGHJKMNPQRSTVWXYZ", st.ticket[i]));
	assert_int_equal(handoff_ticket(h, st.ticket, &t), 0);
	assert_string_equal(t.conv, "c1");
	assert_string_equal(t.why, "no_agent");
	assert_true(t.open);
	assert_int_equal(fs.n_event, 2);          /* bot -> queued -> ticket */
	assert_int_equal(fs.event[1].from, HANDOFF_QUEUED);
	assert_int_equal(fs.event[1].to, HANDOFF_TICKET);
}

static void request_should_make_a_ticket_outside_business_hours(void **state)
{
	struct handoff_hours hours = { .utc_offset_min = 0 };
	struct handoff_status st;

	for (int d = 1; d <= 5; d++) {       /* Monday to Friday, 09:00-17:00 UTC */
		hours.open[d] = 9 * 60;
		hours.close[d] = 17 * 60;
	}
	assert_int_equal(handoff_set_team(h, "support", &hours), 0);
	agent("alice", "support", 2);
	assert_int_equal(request_at("c1", NULL, 0, T0, &st), 0);   /* Tuesday 22:13 */
	assert_int_equal(st.state, HANDOFF_TICKET);
	assert_int_equal(fs.n_ticket, 1);
	assert_string_equal(fs.ticket[0].why, "closed");
}

static void request_should_make_a_ticket_when_the_customer_leaves_a_message(void **state)
{
	struct handoff_request rq = { .conv = "c1", .reason = HANDOFF_REASON_ASKED, .leave_message = true };
	struct handoff_status st;

	agent("alice", "support", 2);
	assert_int_equal(handoff_request(h, &rq, T0, &st), 0);
	assert_int_equal(st.state, HANDOFF_TICKET);
	assert_string_equal(fs.ticket[0].why, "message");
}

static void request_should_refuse_a_chat_already_queued_and_change_nothing(void **state)
{
	struct handoff_status st;

	agent("alice", "support", 2);
	assert_int_equal(request_at("c1", NULL, 0, T0, &st), 0);
	assert_int_equal(request_at("c1", NULL, 5, T0 + SEC, &st), -EINVAL);
	assert_int_equal(fs.writes, 1);
	assert_int_equal(handoff_find(h, "c1")->priority, 0);
	assert_int_equal(request_at("bad id!", NULL, 0, T0, &st), -EINVAL);
}

static void claim_should_assign_and_a_second_claim_should_get_ebusy(void **state)
{
	struct handoff_status st;

	agent("alice", "support", 2);
	agent("bob", "support", 2);
	assert_int_equal(request_at("c1", NULL, 0, T0, NULL), 0);
	assert_int_equal(handoff_claim(h, "alice", "c1", T0 + 30 * SEC), 0);
	assert_int_equal(handoff_claim(h, "bob", "c1", T0 + 30 * SEC), -EBUSY);
	assert_int_equal(state_of("c1"), HANDOFF_ASSIGNED);
	assert_int_equal(handoff_status(h, "c1", T0 + 31 * SEC, &st), 0);
	assert_string_equal(st.agent, "alice");
	assert_int_equal(handoff_agent_load(h, "alice"), 1);
	assert_int_equal(handoff_agent_load(h, "bob"), 0);
	assert_int_equal(fs.n_sample, 1);
	assert_int_equal(fs.sample[0].waited_ms, 30 * SEC);
	assert_int_equal(handoff_claim(h, "bob", "nope", T0), -ENOENT);
	assert_int_equal(handoff_claim(h, "carol", "c1", T0), -ENOENT);
}

static void claim_should_get_ebusy_when_the_store_already_moved_the_chat(void **state)
{
	agent("alice", "support", 2);
	assert_int_equal(request_at("c1", NULL, 0, T0, NULL), 0);
	fs.conv[0].state = HANDOFF_ASSIGNED;        /* another node claimed it */
	assert_int_equal(handoff_claim(h, "alice", "c1", T0), -EBUSY);
	assert_int_equal(handoff_find(h, "c1")->state, HANDOFF_QUEUED);
	assert_int_equal(handoff_agent_load(h, "alice"), 0);
}

static void claim_should_never_exceed_the_agents_capacity(void **state)
{
	char conv[LIM_ID + 1];

	agent("alice", "support", 2);
	assert_int_equal(request_at("c1", NULL, 0, T0, NULL), 0);
	assert_int_equal(request_at("c2", NULL, 0, T0, NULL), 0);
	assert_int_equal(request_at("c3", NULL, 0, T0, NULL), 0);
	assert_int_equal(handoff_claim(h, "alice", "c1", T0), 0);
	assert_int_equal(handoff_claim_next(h, "alice", T0, conv), 0);
	assert_int_equal(handoff_claim(h, "alice", "c3", T0), -ENOSPC);
	assert_int_equal(handoff_claim_next(h, "alice", T0, conv), -ENOSPC);
	assert_int_equal(state_of("c3"), HANDOFF_QUEUED);
	assert_int_equal(handoff_close(h, "alice", "c1", "solved", T0), 0);
	assert_int_equal(handoff_claim(h, "alice", "c3", T0), 0);
}

static void claim_should_refuse_agents_offline_or_of_another_team(void **state)
{
	agent("alice", "billing", 2);
	assert_int_equal(handoff_agent_add(h, "bob", "Bob", "support", 2, "pw pw pw", T0), 0);
	agent("carol", "support", 2);
	assert_int_equal(request_at("c1", NULL, 0, T0, NULL), 0);
	assert_int_equal(handoff_claim(h, "alice", "c1", T0), -EACCES);
	assert_int_equal(handoff_claim(h, "bob", "c1", T0), -EACCES);
	assert_int_equal(handoff_agent_disable(h, "carol", true), 0);
	assert_int_equal(handoff_claim(h, "carol", "c1", T0), -EACCES);
	assert_int_equal(state_of("c1"), HANDOFF_QUEUED);
}

static void agents_of_every_team_should_see_and_claim_all_chats(void **state)
{
	struct handoff_policy p;
	struct handoff_queue_item q[4];

	handoff_policy_default(&p);
	strcpy(p.team, "billing");
	assert_int_equal(handoff_set_policy(h, "refund_form", &p), 0);
	agent("lead", "*", 5);
	assert_int_equal(request_at("c1", "refund_form", 0, T0, NULL), 0);
	assert_int_equal(request_at("c2", NULL, 0, T0, NULL), 0);
	assert_int_equal(handoff_queue(h, "lead", T0, q, 4), 2);
	assert_int_equal(handoff_claim(h, "lead", "c1", T0), 0);
}

static void transfer_should_requeue_to_the_new_team_keeping_its_place(void **state)
{
	struct handoff_queue_item q[4];

	agent("alice", "support", 2);
	agent("bea", "billing", 2);
	assert_int_equal(request_at("c1", NULL, 0, T0, NULL), 0);
	assert_int_equal(handoff_claim(h, "alice", "c1", T0 + MIN), 0);
	assert_int_equal(handoff_transfer(h, "bea", "c1", "billing", T0 + 2 * MIN), -EPERM);
	assert_int_equal(handoff_transfer(h, "alice", "c1", "Bad Team", T0 + 2 * MIN), -EINVAL);
	assert_int_equal(handoff_transfer(h, "alice", "c1", "billing", T0 + 2 * MIN), 0);
	assert_int_equal(state_of("c1"), HANDOFF_QUEUED);
	assert_string_equal(handoff_find(h, "c1")->team, "billing");
	assert_int_equal(handoff_find(h, "c1")->requested_at, T0);
	assert_string_equal(fs.event[fs.n_event - 1].detail, "transfer:billing");
	assert_string_equal(last_detail, "transfer:billing");           /* the hook can tell alice why */
	assert_string_equal(last_prev_agent, "alice");
	assert_int_equal(handoff_agent_load(h, "alice"), 0);
	assert_int_equal(handoff_queue(h, "alice", T0, q, 4), 0);
	assert_int_equal(handoff_queue(h, "bea", T0, q, 4), 1);
	assert_int_equal(handoff_claim(h, "bea", "c1", T0 + 3 * MIN), 0);
}

static void close_should_resolve_and_writing_again_should_return_to_the_bot(void **state)
{
	enum handoff_state s;

	agent("alice", "support", 2);
	assert_int_equal(request_at("c1", NULL, 0, T0, NULL), 0);
	assert_int_equal(handoff_claim(h, "alice", "c1", T0), 0);
	assert_int_equal(handoff_customer_wrote(h, "c1", T0, &s), 0);
	assert_int_equal(s, HANDOFF_ASSIGNED);
	assert_int_equal(handoff_close(h, "alice", "c1", "Solved!", T0), -EINVAL);
	assert_int_equal(handoff_close(h, "alice", "c1", "solved", T0 + MIN), 0);
	assert_null(handoff_find(h, "c1"));                 /* no longer open */
	assert_int_equal(state_of("c1"), HANDOFF_RESOLVED);
	assert_int_equal(handoff_agent_load(h, "alice"), 0);
	assert_int_equal(handoff_customer_wrote(h, "c1", T0 + 2 * MIN, &s), 0);
	assert_int_equal(s, HANDOFF_BOT);
	assert_int_equal(state_of("c1"), HANDOFF_BOT);
	assert_int_equal(last_from, HANDOFF_RESOLVED);
	/* and the conversation can be handed off again */
	assert_int_equal(request_at("c1", NULL, 0, T0 + 3 * MIN, NULL), 0);
	assert_int_equal(state_of("c1"), HANDOFF_QUEUED);
}

static void return_to_bot_should_free_the_agents_capacity(void **state)
{
	agent("alice", "support", 1);
	assert_int_equal(request_at("c1", NULL, 0, T0, NULL), 0);
	assert_int_equal(request_at("c2", NULL, 0, T0, NULL), 0);
	assert_int_equal(handoff_claim(h, "alice", "c1", T0), 0);
	assert_int_equal(handoff_return_to_bot(h, "alice", "c1", T0), 0);
	assert_int_equal(state_of("c1"), HANDOFF_BOT);
	assert_int_equal(handoff_claim(h, "alice", "c2", T0), 0);
}

static void cancel_should_take_the_customer_out_of_the_queue(void **state)
{
	agent("alice", "support", 1);
	assert_int_equal(request_at("c1", NULL, 0, T0, NULL), 0);
	assert_int_equal(handoff_cancel(h, "c1", T0), 0);
	assert_int_equal(state_of("c1"), HANDOFF_BOT);
	assert_string_equal(fs.event[1].detail, "cancelled");
}

static void ticket_should_keep_messages_and_close_with_its_ticket(void **state)
{
	struct handoff_status st;
	enum handoff_state s;

	assert_int_equal(handoff_agent_add(h, "alice", "Alice", "support", 2, "pw pw pw", T0), 0);
	assert_int_equal(request_at("c1", NULL, 0, T0, &st), 0);
	assert_int_equal(st.state, HANDOFF_TICKET);
	assert_int_equal(handoff_customer_wrote(h, "c1", T0, &s), 0);
	assert_int_equal(s, HANDOFF_TICKET);
	assert_int_equal(handoff_close(h, "bob", "c1", "solved", T0), -ENOENT);
	assert_int_equal(handoff_close(h, "alice", "c1", "solved", T0 + MIN), 0);
	assert_int_equal(state_of("c1"), HANDOFF_RESOLVED);
	assert_false(fs.ticket[0].open);
	assert_string_equal(fs.ticket[0].resolution, "solved");
}

static int draws;

/* The first two draws give the same bytes (T-999999), later ones differ. */
static int repeat_then_vary(void *buf, size_t n)
{
	memset(buf, draws < 2 ? 7 : 8 + draws, n);
	draws++;
	return 0;
}

static void ticket_references_should_be_retried_on_a_collision(void **state)
{
	struct handoff_config cfg;
	struct handoff_status st;
	int err;

	handoff_free(h);
	config(&cfg);
	cfg.random = repeat_then_vary;
	draws = 0;
	h = handoff_new(&cfg, &fake_ops, &fs, T0, &err);
	assert_int_equal(request_at("c1", NULL, 0, T0, &st), 0);
	assert_string_equal(st.ticket, "T-999999");
	assert_int_equal(request_at("c2", NULL, 0, T0, &st), 0);
	assert_int_equal(st.state, HANDOFF_TICKET);
	assert_int_equal(draws, 3);                     /* one collision, one retry */
	assert_string_not_equal(st.ticket, "T-999999");
	assert_int_equal(fs.n_ticket, 2);
}

static int same_bytes(void *buf, size_t n)
{
	memset(buf, 7, n);     /* every reference comes out the same: T-999999 */
	return 0;
}

static void ticket_should_fail_cleanly_when_references_keep_colliding(void **state)
{
	struct handoff_config cfg;
	struct handoff_status st;
	int err;

	handoff_free(h);
	config(&cfg);
	cfg.random = same_bytes;
	h = handoff_new(&cfg, &fake_ops, &fs, T0, &err);
	assert_non_null(h);
	assert_int_equal(request_at("c1", NULL, 0, T0, &st), 0);
	assert_string_equal(st.ticket, "T-999999");
	assert_int_equal(request_at("c2", NULL, 0, T0, &st), 0);
	assert_int_equal(st.state, HANDOFF_QUEUED);        /* left queued, not lost */
	assert_int_equal(handoff_to_ticket(h, "c2", "no_agent", T0, NULL), -EEXIST);
}

static void illegal_transitions_should_return_einval_and_change_nothing(void **state)
{
	char ref[HANDOFF_TICKET_LEN + 1];
	size_t writes;

	agent("alice", "support", 2);
	assert_int_equal(request_at("c1", NULL, 0, T0, NULL), 0);
	writes = fs.writes;
	/* queued: not closable, not transferable, not returnable */
	assert_int_equal(handoff_close(h, "alice", "c1", "solved", T0), -EINVAL);
	assert_int_equal(handoff_transfer(h, "alice", "c1", "billing", T0), -EINVAL);
	assert_int_equal(handoff_return_to_bot(h, "alice", "c1", T0), -EINVAL);
	assert_int_equal(state_of("c1"), HANDOFF_QUEUED);
	/* assigned: not cancellable, no ticket, no new request */
	assert_int_equal(handoff_claim(h, "alice", "c1", T0), 0);
	writes = fs.writes;
	assert_int_equal(handoff_cancel(h, "c1", T0), -EINVAL);
	assert_int_equal(handoff_to_ticket(h, "c1", "no_agent", T0, ref), -EINVAL);
	assert_int_equal(request_at("c1", NULL, 0, T0, NULL), -EINVAL);
	assert_int_equal(state_of("c1"), HANDOFF_ASSIGNED);
	/* resolved: nothing but back to the bot */
	assert_int_equal(handoff_close(h, "alice", "c1", "solved", T0), 0);
	writes = fs.writes;
	assert_int_equal(handoff_close(h, "alice", "c1", "solved", T0), -ENOENT);
	assert_int_equal(handoff_claim(h, "alice", "c1", T0), -EBUSY);
	assert_int_equal(handoff_cancel(h, "c1", T0), -ENOENT);
	assert_int_equal(fs.writes, writes);
	assert_int_equal(state_of("c1"), HANDOFF_RESOLVED);
	/* bot (never handed off): nothing to claim, cancel or close */
	assert_int_equal(handoff_claim(h, "alice", "c9", T0), -ENOENT);
	assert_int_equal(handoff_cancel(h, "c9", T0), -ENOENT);
	assert_int_equal(fs.writes, writes);
}

static void a_refused_write_should_change_nothing(void **state)
{
	struct handoff_status st;

	agent("alice", "support", 2);
	fs.fail_next_write = -EIO;
	assert_int_equal(request_at("c1", NULL, 0, T0, &st), -EIO);
	assert_null(handoff_find(h, "c1"));
	assert_int_equal(changes, 0);
	assert_int_equal(request_at("c1", NULL, 0, T0, &st), 0);
	fs.fail_next_write = -EIO;
	assert_int_equal(handoff_claim(h, "alice", "c1", T0), -EIO);
	assert_int_equal(state_of("c1"), HANDOFF_QUEUED);
	assert_int_equal(handoff_agent_load(h, "alice"), 0);
	assert_int_equal(fs.n_sample, 0);
}

/* ---- routing ---- */

static void queue_should_order_by_priority_then_wait(void **state)
{
	struct handoff_queue_item q[8];
	char conv[LIM_ID + 1];

	agent("alice", "support", 5);
	assert_int_equal(request_at("old", NULL, 0, T0, NULL), 0);
	assert_int_equal(request_at("vip", NULL, 10, T0 + 2 * MIN, NULL), 0);
	assert_int_equal(request_at("mid", NULL, 0, T0 + MIN, NULL), 0);
	assert_int_equal(request_at("upset", NULL, 2, T0 + 3 * MIN, NULL), 0);
	assert_int_equal(handoff_queue(h, NULL, T0 + 4 * MIN, q, 8), 4);
	assert_string_equal(q[0].conv->id, "vip");
	assert_string_equal(q[1].conv->id, "upset");
	assert_string_equal(q[2].conv->id, "old");
	assert_string_equal(q[3].conv->id, "mid");
	assert_int_equal(q[2].position, 3);
	assert_int_equal(q[2].waited_ms, 4 * MIN);
	assert_int_equal(handoff_queue(h, NULL, T0, q, 2), 4);   /* capped output, full count */
	assert_int_equal(handoff_claim_next(h, "alice", T0 + 5 * MIN, conv), 0);
	assert_string_equal(conv, "vip");
	assert_int_equal(handoff_claim_next(h, "alice", T0 + 5 * MIN, conv), 0);
	assert_string_equal(conv, "upset");
	assert_int_equal(handoff_claim_next(h, "alice", T0 + 5 * MIN, conv), 0);
	assert_string_equal(conv, "old");
}

static void scenes_should_route_to_their_team_and_positions_count_per_team(void **state)
{
	struct handoff_policy p;
	struct handoff_status st;

	handoff_policy_default(&p);
	strcpy(p.team, "billing");
	p.priority = 1;
	assert_int_equal(handoff_set_policy(h, "refund_form", &p), 0);
	assert_string_equal(handoff_policy_for(h, "refund_form")->team, "billing");
	assert_string_equal(handoff_policy_for(h, "checkout")->team, "support");
	assert_string_equal(handoff_policy_for(h, "refund_form.partial")->team, "billing");    /* a child scene */
	assert_string_equal(handoff_policy_for(h, "refund_formx")->team, "support");
	assert_string_equal(handoff_policy_for(h, NULL)->team, "support");
	agent("alice", "support", 2);
	agent("bea", "billing", 2);
	assert_int_equal(request_at("s1", NULL, 0, T0, NULL), 0);
	assert_int_equal(request_at("s2", "checkout", 0, T0, NULL), 0);
	assert_int_equal(request_at("b1", "refund_form", 0, T0, &st), 0);
	assert_string_equal(st.team, "billing");
	assert_int_equal(st.position, 1);
	assert_int_equal(handoff_status(h, "s2", T0, &st), 0);
	assert_int_equal(st.position, 2);
	assert_int_equal(handoff_claim(h, "alice", "b1", T0), -EACCES);
}

/* ---- presence, time, restarts ---- */

static void agent_disconnect_should_requeue_after_the_grace_unless_they_return(void **state)
{
	agent("alice", "support", 2);
	assert_int_equal(request_at("c1", NULL, 0, T0, NULL), 0);
	assert_int_equal(request_at("c2", NULL, 0, T0, NULL), 0);
	assert_int_equal(handoff_claim(h, "alice", "c1", T0), 0);
	assert_int_equal(handoff_claim(h, "alice", "c2", T0), 0);
	handoff_agent_offline(h, "alice", T0 + MIN);
	assert_int_equal(handoff_tick(h, T0 + MIN + 59 * SEC), 0);
	assert_int_equal(state_of("c1"), HANDOFF_ASSIGNED);
	assert_int_equal(handoff_agent_online(h, "alice", T0 + MIN + 59 * SEC), 2);   /* reload: both back */
	assert_int_equal(handoff_tick(h, T0 + 10 * MIN), 0);
	handoff_agent_offline(h, "alice", T0 + 10 * MIN);
	assert_int_equal(handoff_tick(h, T0 + 11 * MIN), 2);
	assert_int_equal(state_of("c1"), HANDOFF_QUEUED);
	assert_int_equal(state_of("c2"), HANDOFF_QUEUED);
	assert_int_equal(handoff_find(h, "c1")->requested_at, T0);
	assert_string_equal(fs.event[fs.n_event - 1].detail, "agent_gone");
	assert_string_equal(last_prev_agent, "alice");
	assert_int_equal(handoff_agent_load(h, "alice"), 0);
}

static void queued_chats_should_become_tickets_when_the_team_stays_away(void **state)
{
	agent("alice", "support", 2);
	assert_int_equal(request_at("c1", NULL, 0, T0, NULL), 0);
	handoff_agent_offline(h, "alice", T0 + MIN);
	assert_int_equal(handoff_tick(h, T0 + 5 * MIN), 0);
	assert_int_equal(state_of("c1"), HANDOFF_QUEUED);
	assert_int_equal(handoff_tick(h, T0 + 6 * MIN), 1);
	assert_int_equal(state_of("c1"), HANDOFF_TICKET);
	assert_string_equal(fs.ticket[0].why, "no_agent");
}

static void queued_chats_should_become_tickets_at_closing_time(void **state)
{
	struct handoff_hours hours = { .utc_offset_min = 0 };

	for (int d = 0; d < 7; d++) {
		hours.open[d] = 8 * 60;
		hours.close[d] = 22 * 60 + 20;     /* T0 is 22:13 */
	}
	assert_int_equal(handoff_set_team(h, "support", &hours), 0);
	agent("alice", "support", 2);
	assert_int_equal(request_at("c1", NULL, 0, T0, NULL), 0);
	assert_int_equal(handoff_tick(h, T0 + MIN), 0);
	assert_int_equal(handoff_tick(h, T0 + 8 * MIN), 1);
	assert_int_equal(state_of("c1"), HANDOFF_TICKET);
	assert_string_equal(fs.ticket[0].why, "closed");
}

static void restart_should_keep_the_queue_order_and_return_chats_to_their_agent(void **state)
{
	struct handoff_queue_item q[8];
	struct handoff_status st;

	agent("alice", "support", 3);
	assert_int_equal(request_at("a", NULL, 0, T0, NULL), 0);
	assert_int_equal(request_at("b", NULL, 5, T0 + SEC, NULL), 0);
	assert_int_equal(request_at("c", NULL, 0, T0 + 2 * SEC, NULL), 0);
	assert_int_equal(request_at("d", NULL, 0, T0 + 3 * SEC, NULL), 0);
	assert_int_equal(handoff_claim(h, "alice", "d", T0 + 4 * SEC), 0);

	handoff_free(h);                               /* the process dies; the store survives */
	h = desk_at(T0 + MIN);
	assert_int_equal(handoff_queue(h, NULL, T0 + MIN, q, 8), 3);
	assert_string_equal(q[0].conv->id, "b");
	assert_string_equal(q[1].conv->id, "a");
	assert_string_equal(q[2].conv->id, "c");
	assert_int_equal(handoff_status(h, "d", T0 + MIN, &st), 0);
	assert_int_equal(st.state, HANDOFF_ASSIGNED);
	assert_int_equal(handoff_agent_load(h, "alice"), 1);
	assert_int_equal(handoff_agent_online(h, "alice", T0 + MIN + 5 * SEC), 1);   /* d is back with alice */
	assert_int_equal(handoff_tick(h, T0 + 10 * MIN), 0);
	assert_int_equal(state_of("d"), HANDOFF_ASSIGNED);
	/* a new request after the restart goes after the old ones */
	assert_int_equal(request_at("e", NULL, 0, T0 + 2 * MIN, NULL), 0);
	assert_int_equal(handoff_queue(h, NULL, T0 + 2 * MIN, q, 8), 4);
	assert_string_equal(q[3].conv->id, "e");
	assert_true(handoff_find(h, "e")->seq > handoff_find(h, "c")->seq);
}

static void restart_should_requeue_chats_whose_agent_never_returns(void **state)
{
	agent("alice", "support", 3);
	assert_int_equal(request_at("a", NULL, 0, T0, NULL), 0);
	assert_int_equal(handoff_claim(h, "alice", "a", T0), 0);
	handoff_free(h);
	h = desk_at(T0 + MIN);
	assert_int_equal(handoff_tick(h, T0 + MIN + 30 * SEC), 0);
	assert_int_equal(handoff_tick(h, T0 + 2 * MIN), 1);
	assert_int_equal(state_of("a"), HANDOFF_QUEUED);
}

/* ---- estimates ---- */

/* n claims of chats that waited `wait` at position 1, ending at `end`. */
static void history(int n, int64_t wait, int64_t end)
{
	char id[16];

	for (int i = 0; i < n; i++) {
		int64_t at = end - (n - i) * MIN;

		snprintf(id, sizeof(id), "h%d", i);
		assert_int_equal(request_at(id, NULL, 0, at - wait, NULL), 0);
		assert_int_equal(handoff_claim(h, "alice", id, at), 0);
		assert_int_equal(handoff_close(h, "alice", id, "solved", at), 0);
	}
}

static void estimate_should_be_unsure_without_claim_history(void **state)
{
	struct handoff_wait w;

	agent("alice", "support", 9);
	handoff_estimate(h, "support", 1, T0, &w);
	assert_false(w.confident);
	assert_int_equal(w.minutes, 10);
	history(2, MIN, T0);
	handoff_estimate(h, "support", 1, T0, &w);
	assert_false(w.confident);
}

static void estimate_should_scale_the_median_wait_by_position(void **state)
{
	struct handoff_wait w;
	struct handoff_status st;

	agent("alice", "support", 9);
	history(5, 50 * SEC, T0);
	handoff_estimate(h, "support", 1, T0, &w);
	assert_true(w.confident);
	assert_int_equal(w.minutes, 1);
	handoff_estimate(h, "support", 3, T0, &w);
	assert_true(w.confident);
	assert_int_equal(w.minutes, 3);      /* 150 s -> about 3 minutes */
	assert_int_equal(request_at("x", NULL, 0, T0, NULL), 0);
	assert_int_equal(request_at("y", NULL, 0, T0, &st), 0);
	assert_int_equal(st.position, 2);
	assert_true(st.wait.confident);
	assert_int_equal(st.wait.minutes, 2);
}

static void estimate_should_say_more_than_ten_minutes_when_long_or_stale(void **state)
{
	struct handoff_wait w;

	agent("alice", "support", 9);
	history(5, 4 * MIN, T0);
	handoff_estimate(h, "support", 3, T0, &w);       /* 12 minutes: over the cap */
	assert_false(w.confident);
	assert_int_equal(w.minutes, 10);
	handoff_estimate(h, "support", 1, T0 + 2 * 3600 * SEC, &w);   /* an hour later: too old */
	assert_false(w.confident);
	handoff_agent_offline(h, "alice", T0);
	handoff_estimate(h, "support", 1, T0, &w);       /* nobody online */
	assert_false(w.confident);
}

static void estimate_should_survive_a_restart(void **state)
{
	struct handoff_wait w;

	agent("alice", "support", 9);
	history(4, 2 * MIN, T0);
	handoff_free(h);
	h = desk_at(T0);
	assert_true(handoff_agent_online(h, "alice", T0) >= 0);
	handoff_estimate(h, "support", 2, T0, &w);
	assert_true(w.confident);
	assert_int_equal(w.minutes, 4);
}

/* ---- hours ---- */

static void hours_should_follow_the_teams_local_time(void **state)
{
	struct handoff_hours hr = { .utc_offset_min = 8 * 60 };   /* China */

	hr.open[3] = 9 * 60;     /* Wednesday 09:00-18:00 local */
	hr.close[3] = 18 * 60;
	/* T0 = Tue 22:13 UTC = Wed 06:13 in UTC+8: closed; +3 h = 09:13: open */
	assert_false(handoff_hours_open(&hr, T0));
	assert_true(handoff_hours_open(&hr, T0 + 3 * 3600 * SEC));
	assert_false(handoff_hours_open(&hr, T0 + 12 * 3600 * SEC));   /* 18:13 */
	assert_true(handoff_hours_open(NULL, T0));
	hr.always = true;
	assert_true(handoff_hours_open(&hr, T0));
}

/* ---- accounts and sessions ---- */

static void login_should_accept_the_right_password_only(void **state)
{
	char token[HANDOFF_TOKEN_LEN + 1], who[LIM_ID + 1];

	assert_int_equal(handoff_agent_add(h, "alice", "Alice Chen", "support,billing", 3, "right horse", T0), 0);
	assert_string_equal(handoff_agent_find(h, "alice")->name, "Alice Chen");
	assert_non_null(strstr(fs.agent[0].password, "pbkdf2-sha256$"));
	assert_null(strstr(fs.agent[0].password, "right horse"));
	assert_int_equal(handoff_login(h, "alice", "wrong horse", T0, token), -EACCES);
	assert_string_equal(token, "");
	assert_int_equal(handoff_login(h, "nobody", "right horse", T0, token), -EACCES);
	assert_int_equal(handoff_login(h, "alice", "right horse", T0, token), 0);
	assert_int_equal(strlen(token), HANDOFF_TOKEN_LEN);
	assert_null(strstr(fs.session[0].hash, token));           /* only a hash is stored */
	assert_int_equal(handoff_session(h, token, T0 + MIN, who), 0);
	assert_string_equal(who, "alice");
	assert_int_equal(handoff_session(h, token, T0 + 13 * 3600 * SEC, who), -EACCES);   /* expired */
	assert_int_equal(handoff_session(h, "forged", T0, who), -EACCES);
	assert_int_equal(handoff_logout(h, token), 0);
	assert_int_equal(handoff_session(h, token, T0 + MIN, who), -EACCES);
}

static void disabled_agents_should_not_sign_in(void **state)
{
	char token[HANDOFF_TOKEN_LEN + 1], who[LIM_ID + 1];

	assert_int_equal(handoff_agent_add(h, "alice", "Alice", "support", 3, "right horse", T0), 0);
	assert_int_equal(handoff_login(h, "alice", "right horse", T0, token), 0);
	assert_int_equal(handoff_agent_disable(h, "alice", true), 0);
	assert_int_equal(handoff_session(h, token, T0, who), -EACCES);
	assert_int_equal(handoff_login(h, "alice", "right horse", T0, token), -EACCES);
	assert_int_equal(handoff_agent_online(h, "alice", T0), -EACCES);
}

static void accounts_should_be_validated(void **state)
{
	assert_int_equal(handoff_agent_add(h, "bad name", "X", "support", 3, "pw pw pw", T0), -EINVAL);
	assert_int_equal(handoff_agent_add(h, "x", "X", "Support", 3, "pw pw pw", T0), -EINVAL);
	assert_int_equal(handoff_agent_add(h, "x", "X", "a,,b", 3, "pw pw pw", T0), -EINVAL);
	assert_int_equal(handoff_agent_add(h, "x", "X", "support", 0, "pw pw pw", T0), -EINVAL);
	assert_int_equal(handoff_agent_add(h, "x", "X", "support", 21, "pw pw pw", T0), -EINVAL);
	assert_int_equal(handoff_agent_add(h, "x", "X", "support", 3, NULL, T0), -EINVAL);
	assert_int_equal(handoff_agent_add(h, "x", "X", "support", 3, "", T0), -EINVAL);
	assert_int_equal(handoff_agent_add(h, "x", "X", "support,billing", 3, "pw pw pw", T0), 0);
	/* replacing without a password keeps the hash */
	assert_int_equal(handoff_agent_add(h, "x", "Xavier", "support", 4, NULL, T0), 0);
	assert_int_equal(handoff_agent_find(h, "x")->capacity, 4);
	assert_non_null(strstr(fs.agent[0].password, "pbkdf2-sha256$"));
}

static void agents_added_by_another_process_should_be_found(void **state)
{
	struct handoff_agent a = { .username = "late", .name = "Late", .teams = "support", .capacity = 2 };

	assert_int_equal(fake_agent_put(&fs, &a), 0);    /* e.g. `faqbot agent add` while serving */
	assert_null(handoff_agent_find(h, "late"));
	assert_int_equal(handoff_agent_online(h, "late", T0), 0);
	assert_non_null(handoff_agent_find(h, "late"));
}

static void agents_disabled_by_another_process_should_be_seen_on_reload(void **state)
{
	struct handoff_agent a;
	char token[HANDOFF_TOKEN_LEN + 1], who[LIM_ID + 1];

	assert_int_equal(handoff_agent_add(h, "alice", "Alice", "support", 3, "right horse", T0), 0);
	assert_int_equal(handoff_login(h, "alice", "right horse", T0, token), 0);
	assert_int_equal(fake_agent_get(&fs, "alice", &a), 0);
	a.disabled = true;
	assert_int_equal(fake_agent_put(&fs, &a), 0);      /* `faqbot agent disable alice` while serving */
	assert_int_equal(handoff_session(h, token, T0, who), 0);   /* memory does not know yet */
	assert_int_equal(handoff_agent_reload(h, "alice"), 0);
	assert_true(handoff_agent_find(h, "alice")->disabled);
	assert_int_equal(handoff_session(h, token, T0, who), -EACCES);
	assert_int_equal(handoff_agent_reload(h, "nobody"), -ENOENT);
	assert_int_equal(handoff_agent_reload(h, "bad name"), -EINVAL);
}

/* ---- ids, transcripts, history, drafts, case files ---- */

static void conversation_ids_should_not_reveal_the_session_token(void **state)
{
	char a[HANDOFF_CONV_LEN + 1], b[HANDOFF_CONV_LEN + 1];
	const char *tok = "0123456789abcdef0123456789abcdef";

	handoff_conv_id(tok, a);
	handoff_conv_id(tok, b);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), HANDOFF_CONV_LEN);
	assert_null(strstr(tok, a));
	handoff_conv_id("0123456789abcdef0123456789abcdee", b);
	assert_string_not_equal(a, b);
}

static int collect(void *arg, const struct handoff_msg *m)
{
	char *buf = arg;

	strcat(buf, handoff_from_name(m->from));
	strcat(buf, ":");
	strcat(buf, m->text);
	strcat(buf, "|");
	return 0;
}

static void transcripts_should_keep_every_side_in_order(void **state)
{
	char all[256] = "";

	assert_int_equal(handoff_append(h, "c1", HANDOFF_FROM_CUSTOMER, NULL, "hi", 2, T0), 0);
	assert_int_equal(handoff_append(h, "c1", HANDOFF_FROM_BOT, NULL, "hello", 5, T0), 0);
	assert_int_equal(handoff_append(h, "c2", HANDOFF_FROM_CUSTOMER, NULL, "other", 5, T0), 0);
	assert_int_equal(handoff_append(h, "c1", HANDOFF_FROM_AGENT, "alice", "I'm Alice", 9, T0), 0);
	assert_int_equal(handoff_append(h, "c1", HANDOFF_FROM_CUSTOMER, NULL, "\xC0\xAF", 2, T0), -EILSEQ);
	assert_int_equal(handoff_append(h, "c1", HANDOFF_FROM_CUSTOMER, NULL, "", 0, T0), -EINVAL);
	assert_int_equal(handoff_transcript(h, "c1", collect, all), 0);
	assert_string_equal(all, "customer:hi|bot:hello|agent:I'm Alice|");
}

static int encode_summary(const struct casefile *cf, char **out, size_t *len)
{
	*out = strdup(cf->summary);
	*len = strlen(*out);
	return 0;
}

static void request_should_store_the_case_file_and_its_summary(void **state)
{
	struct handoff_config cfg;
	struct casefile *cf = casefile_new("c1", T0);
	struct handoff_request rq = { .conv = "c1", .customer = "cust-9", .reason = HANDOFF_REASON_ASKED };
	char *blob = NULL;
	size_t len = 0;
	int err;

	handoff_free(h);
	config(&cfg);
	cfg.encode_casefile = encode_summary;
	h = handoff_new(&cfg, &fake_ops, &fs, T0, &err);
	agent("alice", "support", 2);
	casefile_set_reason(cf, HANDOFF_REASON_ASKED);
	casefile_summarize(cf, "en");
	rq.casefile = cf;
	assert_int_equal(handoff_request(h, &rq, T0, NULL), 0);
	assert_string_equal(handoff_find(h, "c1")->summary, cf->summary);
	assert_string_equal(handoff_find(h, "c1")->customer, "cust-9");
	assert_int_equal(handoff_casefile(h, "c1", &blob, &len), 0);
	assert_string_equal(blob, cf->summary);
	free(blob);
	assert_int_equal(handoff_casefile(h, "c9", &blob, &len), -ENOENT);
	casefile_free(cf);
}

static void history_should_list_earlier_conversations_of_the_customer(void **state)
{
	struct handoff_request rq = { .customer = "cust-9", .reason = HANDOFF_REASON_ASKED };
	struct handoff_conv prev[4];

	agent("alice", "support", 2);
	rq.conv = "old";
	assert_int_equal(handoff_request(h, &rq, T0, NULL), 0);
	assert_int_equal(handoff_claim(h, "alice", "old", T0), 0);
	assert_int_equal(handoff_close(h, "alice", "old", "solved", T0), 0);
	rq.conv = "new";
	assert_int_equal(handoff_request(h, &rq, T0 + MIN, NULL), 0);
	assert_int_equal(handoff_history(h, "cust-9", "new", prev, 4), 1);
	assert_string_equal(prev[0].id, "old");
	assert_string_equal(prev[0].resolution, "solved");
}

static void agents_should_propose_kb_entries(void **state)
{
	int64_t id = 0;

	assert_int_equal(handoff_agent_add(h, "alice", "Alice", "support", 2, "pw pw pw", T0), 0);
	assert_int_equal(handoff_propose(h, "alice", "c1", "en", "refund_form", "Can I refund a gift card?",
					 "Gift cards cannot be refunded.", T0, &id), 0);
	assert_int_equal(id, 1);
	assert_string_equal(fs.last_draft_q, "Can I refund a gift card?");
	assert_int_equal(handoff_propose(h, "nobody", "c1", "en", NULL, "q", "a", T0, &id), -ENOENT);
	assert_int_equal(handoff_propose(h, "alice", "c1", "en", NULL, "", "a", T0, &id), -EINVAL);
}

static void ticket_lookup_should_forgive_case_and_prefix(void **state)
{
	struct handoff_status st;
	struct handoff_ticket t;
	char lower[16];

	assert_int_equal(request_at("c1", NULL, 0, T0, &st), 0);
	for (size_t i = 0; i <= strlen(st.ticket); i++)
		lower[i] = (char)(st.ticket[i] >= 'A' && st.ticket[i] <= 'Z' ? st.ticket[i] + 32 : st.ticket[i]);
	assert_int_equal(handoff_ticket(h, lower, &t), 0);
	assert_int_equal(handoff_ticket(h, lower + 2, &t), 0);
	assert_int_equal(handoff_ticket(h, "T-00000O", &t), -EINVAL);
	assert_int_equal(handoff_ticket(h, "T-2345", &t), -EINVAL);
}

static void suggestions_should_rank_kb_entries_for_the_customers_message(void **state)
{
	struct kb_options o;
	struct kb_diag d = { 0 };
	struct kb_snapshot *kb;
	struct handoff_suggestion s[LIM_HANDOFF_SUGGEST];
	const char *msg = "my refund still has not arrived";
	int n;

	kb_options_default(&o);
	kb = kb_load("tests/data/kb-tiny", &o, &d);
	kb_diag_clear(&d);
	assert_non_null(kb);
	n = handoff_suggest(kb, msg, strlen(msg), "en", NULL, s, LIM_HANDOFF_SUGGEST);
	assert_true(n >= 1);
	assert_string_equal(s[0].entry, "refund-time");
	assert_non_null(s[0].answer);
	assert_int_equal(handoff_suggest(kb, "blorp zzzq", 10, "en", NULL, s, LIM_HANDOFF_SUGGEST), 0);
	kb_snapshot_free(kb);
	/* The sample KB's trained weights give negative scores to good matches: they are suggested all the same. */
	kb = kb_load("kb", &o, &d);
	kb_diag_clear(&d);
	assert_non_null(kb);
	n = handoff_suggest(kb, "where is my order", 17, "en", NULL, s, LIM_HANDOFF_SUGGEST);
	assert_true(n >= 1);
	assert_string_equal(s[0].entry, "order-tracking");
	kb_snapshot_free(kb);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(trigger_should_fire_when_the_customer_asks),
		T(trigger_should_fire_after_two_consecutive_fallbacks_not_one),
		T(trigger_should_fire_after_dislikes_on_two_answers),
		T(trigger_should_fire_on_anger_but_not_on_negated_anger),
		T(trigger_should_fire_for_an_always_a_person_intent_or_scene),
		T(trigger_should_prefer_the_customers_own_request_as_the_reason),
		T(vip_should_raise_priority_without_forcing_a_handoff),
		T(table_should_allow_exactly_the_documented_transitions),
		T(request_should_queue_when_an_agent_of_the_team_is_online),
		T(request_should_make_a_ticket_when_no_agent_is_online),
		T(request_should_make_a_ticket_outside_business_hours),
		T(request_should_make_a_ticket_when_the_customer_leaves_a_message),
		T(request_should_refuse_a_chat_already_queued_and_change_nothing),
		T(claim_should_assign_and_a_second_claim_should_get_ebusy),
		T(claim_should_get_ebusy_when_the_store_already_moved_the_chat),
		T(claim_should_never_exceed_the_agents_capacity),
		T(claim_should_refuse_agents_offline_or_of_another_team),
		T(agents_of_every_team_should_see_and_claim_all_chats),
		T(transfer_should_requeue_to_the_new_team_keeping_its_place),
		T(close_should_resolve_and_writing_again_should_return_to_the_bot),
		T(return_to_bot_should_free_the_agents_capacity),
		T(cancel_should_take_the_customer_out_of_the_queue),
		T(ticket_should_keep_messages_and_close_with_its_ticket),
		T(ticket_references_should_be_retried_on_a_collision),
		T(ticket_should_fail_cleanly_when_references_keep_colliding),
		T(illegal_transitions_should_return_einval_and_change_nothing),
		T(a_refused_write_should_change_nothing),
		T(queue_should_order_by_priority_then_wait),
		T(scenes_should_route_to_their_team_and_positions_count_per_team),
		T(agent_disconnect_should_requeue_after_the_grace_unless_they_return),
		T(queued_chats_should_become_tickets_when_the_team_stays_away),
		T(queued_chats_should_become_tickets_at_closing_time),
		T(restart_should_keep_the_queue_order_and_return_chats_to_their_agent),
		T(restart_should_requeue_chats_whose_agent_never_returns),
		T(estimate_should_be_unsure_without_claim_history),
		T(estimate_should_scale_the_median_wait_by_position),
		T(estimate_should_say_more_than_ten_minutes_when_long_or_stale),
		T(estimate_should_survive_a_restart),
		T(hours_should_follow_the_teams_local_time),
		T(login_should_accept_the_right_password_only),
		T(disabled_agents_should_not_sign_in),
		T(accounts_should_be_validated),
		T(agents_added_by_another_process_should_be_found),
		T(agents_disabled_by_another_process_should_be_seen_on_reload),
		T(conversation_ids_should_not_reveal_the_session_token),
		T(transcripts_should_keep_every_side_in_order),
		T(request_should_store_the_case_file_and_its_summary),
		T(history_should_list_earlier_conversations_of_the_customer),
		T(agents_should_propose_kb_entries),
		T(ticket_lookup_should_forgive_case_and_prefix),
		T(suggestions_should_rank_kb_entries_for_the_customers_message),
	};
#undef T

	return cmocka_run_group_tests_name("dialog/handoff", tests, NULL, NULL);
}
