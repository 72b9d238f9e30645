/*
 * handoff_chat.c - the customer's side of the hand-off, called by the
 * faq-chat protocol (ws_visitor.c): every message and reply goes into the
 * conversation's stored transcript; after each reply the triggers are
 * weighed (the customer asked, an "always a person" policy, anger, 👎 on
 * answers, repeated fallbacks) and the chat is handed over with its case
 * file; while a person (or the queue) has the chat, the customer's words go
 * to the agent and the bot stays silent. Transitions reach the customer's
 * tabs as handoff_status, the agent's words as agent_msg.
 *
 * A small table maps conversation ids to session tokens (the desk names
 * conversations by id; sessions are found by token), with what the case
 * file needs that the session does not keep: the answers shown and the
 * customer's reactions, the 👎 count, the topic's intent.
 */
#include "net/desk.h"

#include "core/clock.h"
#include "core/log.h"
#include "dialog/escalate.h"
#include "net/server_int.h"
#include "proto/handoff_wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHAT_BUCKETS 4096

struct chat {
	struct chat *next;                  /* hash chain */
	char conv[HANDOFF_CONV_LEN + 1];
	char token[SESS_TOKEN_LEN + 1];
	unsigned dislikes;                  /* 👎 since the last hand-off */
	struct escalate_answer answers[ESCALATE_ANSWERS];   /* oldest first */
	size_t n_answers;
	char intent[LIM_ID + 1];            /* the customer's topic, "" when none */
	size_t sent_position;               /* the queue place and wait last told, to tell only changes */
	struct handoff_wait sent_wait;
	bool handed;                        /* handed to a person at least once since this entry was made */
	struct pending *pend;               /* bot-phase messages not stored yet (ring, NULL until used) */
	size_t pend_head, pend_n, pend_bytes;
};

/*
 * While the bot has the chat, its messages stay in memory: writing every
 * message of every conversation to the database on the service thread cost
 * five times the CPU of a round trip. They are stored in one go when a person
 * is asked for (the case file and the agent need them), and directly from then
 * on, while the chat is open.
 */
#define PEND_MAX 50
#define PEND_BYTES 32768

struct pending {
	enum handoff_from from;
	int64_t at;
	char *text;
	size_t len;
};

static void pend_drop_oldest(struct chat *c)
{
	struct pending *p = &c->pend[c->pend_head];

	c->pend_bytes -= p->len;
	free(p->text);
	p->text = NULL;
	c->pend_head = (c->pend_head + 1) % PEND_MAX;
	c->pend_n--;
}

/* Keep a bot-phase message for a later hand-off; the oldest go first past the caps. */
static void pend_add(struct chat *c, enum handoff_from from, const char *text, size_t len, int64_t at)
{
	struct pending *p;

	if (len > PEND_BYTES)
		return;
	if (!c->pend && !(c->pend = calloc(PEND_MAX, sizeof(*c->pend))))
		return;
	while (c->pend_n && (c->pend_n == PEND_MAX || c->pend_bytes + len > PEND_BYTES))
		pend_drop_oldest(c);
	p = &c->pend[(c->pend_head + c->pend_n) % PEND_MAX];
	p->text = malloc(len + 1);
	if (!p->text)
		return;
	memcpy(p->text, text, len);
	p->text[len] = '\0';
	p->len = len;
	p->from = from;
	p->at = at;
	c->pend_n++;
	c->pend_bytes += len;
}

static void pend_free(struct chat *c)
{
	while (c->pend_n)
		pend_drop_oldest(c);
	free(c->pend);
	c->pend = NULL;
	c->pend_head = 0;
}

/* Store the kept messages (before a hand-off request reads the transcript). */
static void pend_flush(struct desk *d, struct chat *c)
{
	for (size_t i = 0; i < c->pend_n; i++) {
		const struct pending *p = &c->pend[(c->pend_head + i) % PEND_MAX];

		if (handoff_append(d->h, c->conv, p->from, NULL, p->text, p->len, p->at))
			log_warn("handoff: a message of %.8s… was not stored", c->conv);
	}
	pend_free(c);
}

/* ---- the conversation table ---- */

static size_t bucket_of(const char *conv)
{
	uint64_t h = 14695981039346656037ull;

	for (const char *p = conv; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ull;
	}
	return (size_t)(h % CHAT_BUCKETS);
}

static struct chat *chat_find(struct desk *d, const char *conv)
{
	if (!d->chats)
		return NULL;
	for (struct chat *c = d->chats[bucket_of(conv)]; c; c = c->next)
		if (!strcmp(c->conv, conv))
			return c;
	return NULL;
}

/* The entry of s, made when missing. NULL when out of memory. */
static struct chat *chat_of(struct desk *d, const struct sess *s)
{
	char conv[HANDOFF_CONV_LEN + 1];
	struct chat *c;
	size_t b;

	handoff_conv_id(s->token, conv);
	c = chat_find(d, conv);
	if (c)
		return c;
	if (!d->chats && !(d->chats = calloc(CHAT_BUCKETS, sizeof(*d->chats))))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	memcpy(c->conv, conv, sizeof(conv));
	snprintf(c->token, sizeof(c->token), "%s", s->token);
	b = bucket_of(conv);
	c->next = d->chats[b];
	d->chats[b] = c;
	d->n_chats++;
	return c;
}

void desk_chats_prune(struct server *srv)
{
	struct desk *d = srv->desk;
	uint64_t now = clock_now_us();

	if (!d || !d->chats)
		return;
	for (size_t b = 0; b < CHAT_BUCKETS; b++)
		for (struct chat **pp = &d->chats[b]; *pp;) {
			struct chat *c = *pp;

			if (sess_find(srv->sessions, c->token, now)) {
				pp = &c->next;
				continue;
			}
			*pp = c->next;
			pend_free(c);
			free(c);
			d->n_chats--;
		}
}

void desk_chats_free(struct desk *d)
{
	if (!d->chats)
		return;
	for (size_t b = 0; b < CHAT_BUCKETS; b++)
		for (struct chat *c = d->chats[b], *nx; c; c = nx) {
			nx = c->next;
			pend_free(c);
			free(c);
		}
	free(d->chats);
	d->chats = NULL;
	d->n_chats = 0;
}

static void add_answer(struct chat *c, const char *entry, int64_t at)
{
	if (c->n_answers == ESCALATE_ANSWERS) {
		memmove(&c->answers[0], &c->answers[1], (ESCALATE_ANSWERS - 1) * sizeof(c->answers[0]));
		c->n_answers--;
	}
	snprintf(c->answers[c->n_answers].entry, sizeof(c->answers[0].entry), "%s", entry);
	c->answers[c->n_answers].at = at;
	c->answers[c->n_answers].reaction = CASEFILE_IGNORED;
	c->n_answers++;
}

/* ---- telling the customer ---- */

static struct sess *sess_of(struct server *srv, const struct chat *c)
{
	return c ? sess_find(srv->sessions, c->token, clock_now_us()) : NULL;
}

/* The handoff_status envelope of conv for a customer in lang, or NULL (never handed off, or out of memory). */
static char *status_env(struct server *srv, const char *conv, const char *lang, bool bot_too, size_t *len)
{
	struct handoff_status st;
	struct handoff_ticket tk;
	const char *why = NULL;
	char text[512];
	int rc = handoff_status(srv->desk->h, conv, desk_now(), &st);

	if (rc == -ENOENT && bot_too) {
		memset(&st, 0, sizeof(st));
		st.state = HANDOFF_BOT;
	} else if (rc) {
		return NULL;
	}
	if (st.state == HANDOFF_BOT && !bot_too)
		return NULL;
	if (st.state == HANDOFF_TICKET && st.ticket[0] && !handoff_ticket(srv->desk->h, st.ticket, &tk))
		why = tk.why;
	escalate_status_text(&st, why, lang, text, sizeof(text));
	return handoff_wire_status(&st, text, len);
}

/* Send s's tabs where their conversation stands. */
static void send_status(struct server *srv, struct sess *s, const char *conv)
{
	struct chat *c = chat_find(srv->desk, conv);
	struct handoff_status st;
	size_t len;
	char *env = status_env(srv, conv, s->lang, true, &len);

	if (env)
		ws_visitor_send_sess(s, env, len);
	handoff_wire_free(env);
	if (c && !handoff_status(srv->desk->h, conv, desk_now(), &st)) {
		c->sent_position = st.state == HANDOFF_QUEUED ? st.position : 0;
		c->sent_wait = st.wait;
	}
}

/* Tell queued customers whose place or wait changed (after transitions, coalesced, and on the tick). */
static void refresh_cb(lws_sorted_usec_list_t *sul)
{
	struct desk *d = lws_container_of(sul, struct desk, sul_positions);
	struct server *srv = d->srv;
	size_t n = handoff_queue(d->h, NULL, desk_now(), NULL, 0), total;
	struct handoff_queue_item *items;

	if (!n || !(items = malloc(n * sizeof(*items))))
		return;
	total = handoff_queue(d->h, NULL, desk_now(), items, n);
	for (size_t i = 0; i < total && i < n; i++) {
		struct chat *c = chat_find(d, items[i].conv->id);
		struct handoff_wait w;
		struct sess *s;

		if (!c)
			continue;
		handoff_estimate(d->h, items[i].conv->team, items[i].position, desk_now(), &w);
		if (c->sent_position == items[i].position && c->sent_wait.minutes == w.minutes &&
		    c->sent_wait.confident == w.confident)
			continue;
		s = sess_of(srv, c);
		if (s && sess_conn_count(s))
			send_status(srv, s, c->conv);
	}
	free(items);
}

void desk_chats_refresh(struct server *srv, unsigned delay_ms)
{
	struct desk *d = srv->desk;

	if (d && d->chats && !lws_dll2_is_detached(&d->sul_positions.list) && delay_ms)
		return;   /* one is due already */
	if (d && srv->ctx)
		lws_sul_schedule(srv->ctx, 0, &d->sul_positions, refresh_cb, (lws_usec_t)delay_ms * LWS_US_PER_MS);
}

void desk_tell_customer(struct server *srv, const struct handoff_conv *c, const struct handoff_event *ev)
{
	struct chat *ch = chat_find(srv->desk, c->id);
	struct sess *s = sess_of(srv, ch);

	if (ch && (ev->to == HANDOFF_BOT || ev->to == HANDOFF_RESOLVED))
		ch->dislikes = 0;
	if (s && !srv->desk->hush)
		send_status(srv, s, c->id);
	if (ev->from == HANDOFF_QUEUED)
		desk_chats_refresh(srv, 50);   /* the others in the queue moved up */
}

void desk_customer_agent_msg(struct server *srv, const struct handoff_conv *c, const char *text, size_t len,
			     int64_t at)
{
	struct sess *s = sess_of(srv, chat_find(srv->desk, c->id));
	const struct handoff_agent *a = handoff_agent_find(srv->desk->h, c->agent);
	size_t elen;
	char *env;

	if (!s)
		return;   /* no tab open: the message is stored, and replayed when the customer comes back */
	env = handoff_wire_agent_msg(sess_next_id(s), text, len, a ? a->name : c->agent, at, &elen);
	if (!env)
		return;
	if (sess_log(s, env, elen))
		log_warn("chat: an agent message of %zu bytes was not kept in the transcript", elen);
	ws_visitor_send_sess(s, env, elen);
	handoff_wire_free(env);
}

void desk_customer_typing(struct server *srv, const struct handoff_conv *c, bool on)
{
	struct sess *s = sess_of(srv, chat_find(srv->desk, c->id));
	size_t len;
	char *env;

	if (!s)
		return;
	env = handoff_wire_typing(on, &len);
	if (env)
		ws_visitor_send_sess(s, env, len);
	handoff_wire_free(env);
}

/* ---- handing over ---- */

/* What this turn knows, gathered once. */
struct turn {
	struct escalate_customer cust;
	struct intent_route route;
	struct handoff_policy pol;
	struct escalate_turn et;
	struct sentiment_result sent;
};

static void gather(struct server *srv, struct sess *s, struct chat *c, const char *text, size_t len, struct turn *t)
{
	struct desk *d = srv->desk;
	const char *secret = srv->cfg->context_secret;
	time_t now = time(NULL);

	memset(t, 0, sizeof(*t));
	escalate_customer(s, secret, now, &t->cust);
	if (s->handoff.requested) {
		t->route.scene = s->handoff.scene;
		t->route.team = s->handoff.team;
		t->route.priority = (enum intent_priority)s->handoff.priority;
		t->route.always_human = s->handoff.reason == HANDOFF_REASON_POLICY;
	} else {
		escalate_route(srv->intents, s, secret, now, &t->route);
	}
	escalate_policy(handoff_policy_for(d->h, NULL), &t->route, &t->pol);
	if (s->scene[0] && handoff_set_policy(d->h, s->scene, &t->pol))
		log_warn("handoff: the policy of scene %s was not kept", s->scene);
	desk_add_team(d, t->pol.team);
	t->et.s = s;
	t->et.conv = c->conv;
	t->et.cust = &t->cust;
	if (text && d->lex && !sentiment_score(d->lex, text, len, NULL, &t->sent))
		t->et.sentiment = &t->sent;
	t->et.asked = s->handoff.requested && s->handoff.reason == HANDOFF_REASON_ASKED;
	t->et.always_person = s->handoff.requested && s->handoff.reason == HANDOFF_REASON_POLICY;
	t->et.dislikes = c->dislikes;
	t->et.answers = c->answers;
	t->et.n_answers = c->n_answers;
	t->et.intent = c->intent[0] ? c->intent : NULL;
}

/* Hand c to a person for reason: the case file, then the request. Returns handoff_request's result. */
static int hand_over(struct server *srv, struct sess *s, struct chat *c, struct turn *t, enum handoff_reason reason,
		     bool leave_message)
{
	struct desk *d = srv->desk;
	struct handoff_signals sig;
	struct handoff_request rq;
	struct handoff_status st;
	struct casefile *cf;
	int64_t now = desk_now();
	int rc;

	escalate_signals(&t->et, &sig);
	pend_flush(d, c);
	cf = escalate_casefile(d->h, srv->kb, &t->et, reason, srv->cfg->context_secret, s->lang, now);
	memset(&rq, 0, sizeof(rq));
	rq.conv = c->conv;
	rq.customer = t->cust.verified && t->cust.id[0] ? t->cust.id : NULL;
	rq.customer_name = t->cust.name[0] ? t->cust.name : NULL;
	rq.scene = s->scene[0] ? s->scene : NULL;
	rq.lang = s->lang[0] ? s->lang : NULL;
	rq.reason = reason;
	rq.priority = handoff_priority(&sig, &t->pol, reason);
	rq.vip = t->cust.vip && t->cust.verified;
	rq.leave_message = leave_message;
	rq.casefile = cf;
	d->hush = true;   /* bot -> queued -> ticket is one answer for the customer, not two */
	rc = handoff_request(d->h, &rq, now, &st);
	d->hush = false;
	casefile_free(cf);
	send_status(srv, s, c->conv);   /* where it stands now (also when it was with a person already, or failed) */
	if (rc) {
		if (rc != -EINVAL)
			log_err("handoff: the request of %.8s… failed: %s", c->conv, strerror(-rc));
		return rc;
	}
	c->dislikes = 0;
	c->handed = true;
	s->fallbacks = 0;
	log_notice("handoff: %.8s… %s (%s, team %s, priority %d)", c->conv, handoff_state_name(st.state),
		   handoff_reason_name(reason), st.team, rq.priority);
	return 0;
}

/* Weigh the triggers of this turn; hand over when one holds. */
static void weigh(struct server *srv, struct sess *s, struct chat *c, const char *text, size_t len)
{
	struct turn *t = malloc(sizeof(*t));
	struct handoff_signals sig;
	enum handoff_reason reason;

	if (!t)
		return;
	gather(srv, s, c, text, len, t);
	escalate_signals(&t->et, &sig);
	if (handoff_should_trigger(&sig, &t->pol, &reason)) {
		bool unasked = reason != HANDOFF_REASON_ASKED && reason != HANDOFF_REASON_POLICY;

		/* Nobody to take it: the bot keeps the chat (its reply offers a person) instead of a ticket. */
		if (!unasked || handoff_team_available(srv->desk->h, t->pol.team, desk_now()))
			hand_over(srv, s, c, t, reason, s->handoff.requested && s->handoff.ticket);
	}
	s->handoff.requested = false;
	free(t);
}

/* ---- what the customer does ---- */

char *desk_chat_hello(struct server *srv, struct sess *s, size_t *len)
{
	struct handoff_status st;
	char conv[HANDOFF_CONV_LEN + 1];

	/* No chat entry yet: it is made at the first message (idle tabs cost no memory here). */
	handoff_conv_id(s->token, conv);
	if (handoff_status(srv->desk->h, conv, desk_now(), &st) ||
	    (st.state != HANDOFF_QUEUED && st.state != HANDOFF_ASSIGNED && st.state != HANDOFF_TICKET))
		return NULL;
	return status_env(srv, conv, s->lang, false, len);
}

bool desk_chat_message(struct server *srv, struct sess *s, const char *id, const char *text, size_t len)
{
	struct desk *d = srv->desk;
	struct chat *c = chat_of(d, s);
	const struct handoff_conv *hc;
	enum handoff_state state = HANDOFF_BOT;
	int64_t now = desk_now();
	int rc;

	if (!c)
		return false;
	if (handoff_find(d->h, c->conv)) {
		rc = handoff_append(d->h, c->conv, HANDOFF_FROM_CUSTOMER, NULL, text, len, now);
		if (rc)
			log_warn("handoff: a message of %.8s… was not stored: %s", c->conv, strerror(-rc));
	} else {
		pend_add(c, HANDOFF_FROM_CUSTOMER, text, len, now);
	}
	/*
	 * Only a chat a person had can have a state to leave (resolved -> bot):
	 * the others skip the store lookup on every message. A chat resolved
	 * before a restart goes back to the bot in handoff_request, if ever.
	 */
	if (c->handed || handoff_find(d->h, c->conv)) {
		rc = handoff_customer_wrote(d->h, c->conv, now, &state);
		if (rc)
			log_warn("handoff: %.8s…: %s", c->conv, strerror(-rc));
	}
	switch (state) {
	case HANDOFF_ASSIGNED:
		hc = handoff_find(d->h, c->conv);
		if (hc)
			ws_agent_customer_msg(srv, hc, id, text, len, now);
		return true;
	case HANDOFF_QUEUED:
	case HANDOFF_TICKET:
		send_status(srv, s, c->conv);   /* kept for the agent; the customer sees where they stand */
		return true;
	default:
		return false;
	}
}

void desk_chat_replied(struct server *srv, struct sess *s, const char *text, size_t len, const struct engine_reply *r)
{
	struct desk *d = srv->desk;
	struct chat *c = chat_of(d, s);
	const char *said = engine_reply_text(r);
	int64_t now = desk_now();

	if (!c)
		return;
	if (said && *said) {
		if (!handoff_find(d->h, c->conv))
			pend_add(c, HANDOFF_FROM_BOT, said, strlen(said), now);
		else if (handoff_append(d->h, c->conv, HANDOFF_FROM_BOT, NULL, said, strlen(said), now))
			log_warn("handoff: a reply in %.8s… was not stored", c->conv);
	}
	if (r->kind == ENGINE_ANSWER && r->entry)
		add_answer(c, r->entry->id, now);
	if (r->intent && r->kind != ENGINE_HANDOFF && r->kind != ENGINE_TICKET)
		snprintf(c->intent, sizeof(c->intent), "%s", r->intent);
	weigh(srv, s, c, text, len);
}

void desk_chat_feedback(struct server *srv, struct sess *s, const char *entry, bool up)
{
	struct desk *d = srv->desk;
	struct chat *c = chat_of(d, s);
	struct handoff_status st;

	if (!c || !entry)
		return;
	for (size_t i = c->n_answers; i-- > 0;)
		if (!strcmp(c->answers[i].entry, entry)) {
			c->answers[i].reaction = up ? CASEFILE_UP : CASEFILE_DOWN;
			break;
		}
	if (up)
		return;
	c->dislikes++;
	if (!handoff_status(d->h, c->conv, desk_now(), &st) && st.state != HANDOFF_BOT && st.state != HANDOFF_RESOLVED)
		return;   /* a person has it already */
	weigh(srv, s, c, NULL, 0);
}

void desk_chat_request(struct server *srv, struct sess *s, bool leave_message)
{
	struct desk *d = srv->desk;
	struct chat *c = chat_of(d, s);
	struct handoff_status st;
	struct turn *t;
	int rc;

	if (!c)
		return;
	rc = handoff_status(d->h, c->conv, desk_now(), &st);
	if (!rc && st.state == HANDOFF_QUEUED && leave_message) {
		rc = handoff_to_ticket(d->h, c->conv, "message", desk_now(), NULL);
		if (rc)
			send_status(srv, s, c->conv);
		return;
	}
	if (!rc && (st.state == HANDOFF_QUEUED || st.state == HANDOFF_ASSIGNED || st.state == HANDOFF_TICKET)) {
		send_status(srv, s, c->conv);   /* already with a person */
		return;
	}
	t = malloc(sizeof(*t));
	if (!t)
		return;
	s->handoff.requested = false;
	gather(srv, s, c, NULL, 0, t);
	t->et.asked = true;    /* the button always reaches a person, whatever the scene's triggers */
	hand_over(srv, s, c, t, HANDOFF_REASON_ASKED, leave_message);
	free(t);
}

void desk_chat_cancel(struct server *srv, struct sess *s)
{
	struct desk *d = srv->desk;
	struct chat *c = chat_of(d, s);

	if (c && handoff_cancel(d->h, c->conv, desk_now()))
		send_status(srv, s, c->conv);
}

void desk_chat_typing(struct server *srv, struct sess *s, bool on)
{
	char conv[HANDOFF_CONV_LEN + 1];
	const struct handoff_conv *hc;

	handoff_conv_id(s->token, conv);
	hc = handoff_find(srv->desk->h, conv);
	if (hc && hc->state == HANDOFF_ASSIGNED)
		ws_agent_customer_typing(srv, hc, on);
}

/* ---- resuming after a restart ---- */

bool desk_chat_known_token(struct server *srv, const char *token)
{
	char conv[HANDOFF_CONV_LEN + 1];
	const struct handoff_conv *hc;

	if (!srv->desk || !token || !sess_is_token(token))
		return false;
	handoff_conv_id(token, conv);
	hc = handoff_find(srv->desk->h, conv);
	return hc != NULL;   /* open: queued, assigned or a ticket */
}

struct replay {
	struct server *srv;
	struct sess *s;
};

static int replay_msg(void *arg, const struct handoff_msg *m)
{
	struct replay *r = arg;
	const struct handoff_agent *a = m->from == HANDOFF_FROM_AGENT ? handoff_agent_find(r->srv->desk->h, m->author) : NULL;
	size_t len;
	char *env = handoff_wire_replay(m, a ? a->name : NULL, &len);

	if (env)
		sess_log(r->s, env, len);
	handoff_wire_free(env);
	return 0;
}

void desk_chat_restore(struct server *srv, struct sess *s)
{
	struct replay r = { srv, s };
	char conv[HANDOFF_CONV_LEN + 1];

	handoff_conv_id(s->token, conv);
	if (handoff_transcript(srv->desk->h, conv, replay_msg, &r))
		log_warn("handoff: the transcript of %.8s… could not be replayed", conv);
	chat_of(srv->desk, s);
}
