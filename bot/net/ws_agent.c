/*
 * ws_agent.c - the "faq-agent" WebSocket protocol: the agent console
 * (docs/agent-protocol.md).
 *
 * The upgrade is admitted only with a valid sign-in cookie (HttpOnly,
 * checked against the desk's sessions) and an allowed Origin. Then, per
 * connection: reassemble each message (capped), rate-limit, decode
 * (proto/agent_wire) and act on the hand-off desk (claim, write, transfer,
 * return, close, propose, search). The queue view is coalesced state, not a
 * stream: a change marks every console dirty, and the snapshot is rendered
 * when the connection can write, replacing any older unsent one. Frames are
 * written only from SERVER_WRITEABLE, one lws_write of at most LIM_TX_CHUNK
 * per callback; a console whose queue passes its bounds is closed.
 */
#include "net/desk.h"

#include "core/clock.h"
#include "core/log.h"
#include "dialog/bucket.h"
#include "net/server_int.h"
#include "proto/agent_wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct outmsg {
	struct outmsg *next;
	size_t len;
	char data[];
};

struct agent_conn {
	struct agent_conn *prev, *next;    /* desk->agents */
	struct lws *wsi;
	struct server *srv;
	char agent[LIM_ID + 1];
	char token[HANDOFF_TOKEN_LEN + 1];
	char ip[64];
	char *rx;
	size_t rx_len, rx_cap;
	struct outmsg *head, *tail;
	struct outmsg *snap;               /* the queued, unsent queue snapshot, or NULL */
	size_t q_frames, q_bytes, tx_off;
	struct bucket bucket;
	unsigned strikes;
	bool listed, online, dirty, culled;
	int close_code;
	const char *close_why;
};

static const char *const resolutions[] = { "solved", "answered_kb", "no_reply", "duplicate", "escalated", "spam" };

size_t ws_agent_pss_size(void)
{
	return sizeof(struct agent_conn);
}

size_t desk_connections(const struct server *srv)
{
	return srv->desk ? srv->desk->n_agents : 0;
}

/* ---- output queue ---- */

static size_t max_frames(const struct server *srv)
{
	return (size_t)srv->cfg->out_queue_frames * 4;   /* case files and snapshots are bigger than chat frames */
}

static size_t max_bytes(const struct server *srv)
{
	return (size_t)srv->cfg->out_queue_bytes * 8;
}

static void free_queue(struct agent_conn *a)
{
	for (struct outmsg *m = a->head, *nx; m; m = nx) {
		nx = m->next;
		free(m);
	}
	a->head = a->tail = a->snap = NULL;
	a->q_frames = a->q_bytes = a->tx_off = 0;
}

static void cull(struct agent_conn *a)
{
	if (a->culled)
		return;
	a->culled = true;
	a->srv->stats.culled++;
	log_notice("agent: closing %s's console from %s: its output queue is full (%zu frames, %zu bytes)", a->agent,
		   a->ip, a->q_frames, a->q_bytes);
	free_queue(a);
	lws_set_timeout(a->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static void close_after_queue(struct agent_conn *a, int code, const char *why)
{
	if (!a->close_code) {
		a->close_code = code;
		a->close_why = why;
	}
	lws_callback_on_writable(a->wsi);
}

static struct outmsg *new_msg(const char *data, size_t len)
{
	struct outmsg *m = malloc(sizeof(*m) + len);

	if (m) {
		m->next = NULL;
		m->len = len;
		memcpy(m->data, data, len);
	}
	return m;
}

static void enqueue(struct agent_conn *a, const char *data, size_t len)
{
	struct outmsg *m;

	if (a->culled || a->close_code)
		return;
	if (a->q_frames && (a->q_frames >= max_frames(a->srv) || a->q_bytes + len > max_bytes(a->srv))) {
		cull(a);
		return;
	}
	m = new_msg(data, len);
	if (!m) {
		cull(a);
		return;
	}
	if (a->tail)
		a->tail->next = m;
	else
		a->head = m;
	a->tail = m;
	a->q_frames++;
	a->q_bytes += len;
	lws_callback_on_writable(a->wsi);
}

/* Queue env (freed here) for a. */
static void put(struct agent_conn *a, char *env, size_t len)
{
	if (env)
		enqueue(a, env, len);
	else
		log_warn("agent: out of memory encoding a frame for %s", a->agent);
	agent_wire_free(env);
}

void ws_agent_send(struct server *srv, const char *agent, const char *env, size_t len)
{
	if (!srv->desk || !env)
		return;
	for (struct agent_conn *a = srv->desk->agents; a; a = a->next)
		if (!strcmp(a->agent, agent))
			enqueue(a, env, len);
}

/* Encode-and-send to every tab of agent; frees env. */
static void put_agent(struct server *srv, const char *agent, char *env, size_t len)
{
	ws_agent_send(srv, agent, env, len);
	agent_wire_free(env);
}

static void send_error(struct agent_conn *a, const char *code, const char *message, const char *reply_to)
{
	size_t len;
	char *env;

	a->srv->stats.errors++;
	env = agent_wire_error(code, message, reply_to, &len);
	put(a, env, len);
}

/* ---- the queue snapshot ---- */

static char *render_snapshot(struct agent_conn *a, size_t *len)
{
	struct handoff *h = a->srv->desk->h;
	struct handoff_queue_item *items = malloc(AGENT_WIRE_QUEUE_MAX * sizeof(*items));
	const struct handoff_conv *mine[LIM_HANDOFF_CAPACITY];
	int64_t now = desk_now();
	size_t total, n, n_mine;
	char *env;

	if (!items)
		return NULL;
	total = handoff_queue(h, a->agent, now, items, AGENT_WIRE_QUEUE_MAX);
	n = total < AGENT_WIRE_QUEUE_MAX ? total : AGENT_WIRE_QUEUE_MAX;
	n_mine = handoff_assigned(h, a->agent, mine, LIM_HANDOFF_CAPACITY);
	if (n_mine > LIM_HANDOFF_CAPACITY)
		n_mine = LIM_HANDOFF_CAPACITY;
	env = agent_wire_queue(handoff_version(h), items, n, total, mine, n_mine, len);
	free(items);
	return env;
}

/* Put a fresh snapshot in a's queue: in place of an older unsent one, else at the end. */
static void queue_snapshot(struct agent_conn *a)
{
	struct outmsg **pp, *m, *old;
	size_t len;
	char *env;

	a->dirty = false;
	env = render_snapshot(a, &len);
	if (!env) {
		log_warn("agent: out of memory rendering the queue for %s", a->agent);
		return;
	}
	for (pp = &a->head; *pp; pp = &(*pp)->next) {
		if (*pp != a->snap || (pp == &a->head && a->tx_off))
			continue;
		old = *pp;
		m = new_msg(env, len);
		if (m) {
			m->next = old->next;
			*pp = m;
			if (a->tail == old)
				a->tail = m;
			a->q_bytes = a->q_bytes - old->len + len;
			a->snap = m;
			free(old);
		}
		agent_wire_free(env);
		return;
	}
	enqueue(a, env, len);
	a->snap = a->tail;
	agent_wire_free(env);
}

void ws_agent_mark_dirty(struct server *srv)
{
	if (!srv->desk)
		return;
	for (struct agent_conn *a = srv->desk->agents; a; a = a->next) {
		a->dirty = true;
		lws_callback_on_writable(a->wsi);
	}
}

/* ---- case files and suggestions ---- */

struct walk {
	cJSON *b;
	size_t i, skip, added;
	char last[LIM_MSG_TEXT + 1];   /* the customer's latest message */
	size_t last_len;
	int64_t last_id;
	int rc;
};

#define CASE_MSGS_MAX 1000   /* messages sent after the case file's own transcript */

static int walk_msg(void *arg, const struct handoff_msg *m)
{
	struct walk *w = arg;

	if (m->from == HANDOFF_FROM_CUSTOMER) {
		w->last_len = m->text_len < LIM_MSG_TEXT ? m->text_len : LIM_MSG_TEXT;
		memcpy(w->last, m->text, w->last_len);
		w->last[w->last_len] = '\0';
		w->last_id = m->id;
	}
	if (w->i++ < w->skip || w->added >= CASE_MSGS_MAX)
		return 0;
	w->added++;
	if (agent_wire_case_file_add(w->b, m))
		w->rc = -ENOMEM;
	return 0;
}

/* The KB scene name of a scene id: "order_detail" for "order_detail.shipped". */
static void kb_scene(const char *scene, char out[LIM_ID + 1])
{
	size_t n = strcspn(scene ? scene : "", ".");

	if (n > LIM_ID)
		n = LIM_ID;
	memcpy(out, scene ? scene : "", n);
	out[n] = '\0';
}

/* Where frames go: one connection, or every tab of an agent. */
struct target {
	struct server *srv;
	struct agent_conn *one;
	const char *agent;
};

static void emit(const struct target *t, char *env, size_t len)
{
	if (t->one)
		put(t->one, env, len);
	else
		put_agent(t->srv, t->agent, env, len);
}

/* kb_suggestions of text (c may be NULL; for_ names what they are for). */
static void send_suggestions(const struct target *t, const struct handoff_conv *c, const char *text, size_t len,
			     const char *for_)
{
	struct server *srv = t->srv;
	struct handoff_suggestion items[LIM_HANDOFF_SUGGEST];
	char scene[LIM_ID + 1], *env;
	size_t elen;
	int n;

	if (!srv->kb || !len)
		return;
	kb_scene(c ? c->scene : NULL, scene);
	n = handoff_suggest(srv->kb, text, len, c && c->lang[0] ? c->lang : NULL, scene[0] ? scene : NULL, items,
			    LIM_HANDOFF_SUGGEST);
	if (n < 0)
		n = 0;
	env = agent_wire_suggestions(c ? c->id : NULL, for_, items, (size_t)n, &elen);
	emit(t, env, elen);
}

/* Send the case file of conv and the messages since, then suggestions for the latest question. */
static void send_case_file(const struct target *t, const char *conv)
{
	struct server *srv = t->srv;
	struct handoff *h = srv->desk->h;
	struct walk *w = calloc(1, sizeof(*w));
	const struct handoff_conv *c;
	char *cf = NULL, *env, for_[32];
	size_t cf_len = 0, len;
	int rc;

	if (!w)
		return;
	rc = handoff_casefile(h, conv, &cf, &cf_len);
	if (rc && rc != -ENOENT)
		log_warn("agent: the case file of %.8s… cannot be read: %s", conv, strerror(-rc));
	w->b = agent_wire_case_file_begin(conv, rc ? NULL : cf, cf_len, &w->skip);
	free(cf);
	if (!w->b) {
		free(w);
		return;
	}
	rc = handoff_transcript(h, conv, walk_msg, w);
	if (rc || w->rc)
		log_warn("agent: the transcript of %.8s… is incomplete: %s", conv, strerror(-(rc ? rc : w->rc)));
	env = agent_wire_case_file_finish(w->b, &len);
	emit(t, env, len);
	c = handoff_find(h, conv);
	snprintf(for_, sizeof(for_), "m-%lld", (long long)w->last_id);
	if (w->last_len)
		send_suggestions(t, c, w->last, w->last_len, for_);
	free(w);
}

/* ---- frames ---- */

static const char *claim_code(int rc, const char **message)
{
	switch (rc) {
	case -EBUSY:
		*message = "Another agent has just taken this chat.";
		return "busy";
	case -ENOSPC:
		*message = "You already hold as many chats as you can.";
		return "capacity";
	case -EACCES:
		*message = "This chat belongs to a team you are not in, or you are signed out.";
		return "not_allowed";
	default:
		*message = "Nobody is waiting.";
		return "not_found";
	}
}

static void on_claim(struct agent_conn *a, const struct agent_wire_in *in, int64_t now)
{
	struct server *srv = a->srv;
	struct handoff *h = srv->desk->h;
	struct target t = { srv, NULL, a->agent };
	char conv[LIM_ID + 1], *env;
	const char *msg;
	size_t len;
	int rc;

	if (in->conv[0]) {
		snprintf(conv, sizeof(conv), "%s", in->conv);
		rc = handoff_claim(h, a->agent, conv, now);
	} else {
		rc = handoff_claim_next(h, a->agent, now, conv);
	}
	if (rc) {
		const char *code = claim_code(rc, &msg);

		if (rc != -EBUSY && rc != -ENOSPC && rc != -EACCES && rc != -ENOENT)
			log_err("agent: %s's claim failed: %s", a->agent, strerror(-rc));
		log_info("agent: %s's claim of %.8s… refused: %s", a->agent, in->conv[0] ? in->conv : "next", code);
		env = agent_wire_claim_failed(in->conv[0] ? in->conv : NULL, code, msg, &len);
		put(a, env, len);
		return;
	}
	log_info("agent: %s claimed %.8s…", a->agent, conv);
	env = agent_wire_claimed(conv, &len);
	put_agent(srv, a->agent, env, len);
	send_case_file(&t, conv);
}

/* The chat conv if a holds it; otherwise an error is sent and NULL returned. */
static const struct handoff_conv *held(struct agent_conn *a, const struct agent_wire_in *in)
{
	const struct handoff_conv *c = handoff_find(a->srv->desk->h, in->conv);

	if (!c) {
		send_error(a, AGENT_E_NOT_FOUND, "There is no open chat with this id.", in->type_name);
		return NULL;
	}
	if (c->state != HANDOFF_ASSIGNED || strcmp(c->agent, a->agent)) {
		send_error(a, AGENT_E_NOT_YOURS, "You do not hold this chat.", in->type_name);
		return NULL;
	}
	return c;
}

static void on_agent_msg(struct agent_conn *a, const struct agent_wire_in *in, int64_t now)
{
	struct server *srv = a->srv;
	const struct handoff_conv *c = held(a, in);
	size_t len;
	char *env;
	int rc;

	if (!c)
		return;
	rc = handoff_append(srv->desk->h, c->id, HANDOFF_FROM_AGENT, a->agent, in->text, in->text_len, now);
	if (rc) {
		log_err("agent: %s's message in %.8s… was not stored: %s", a->agent, c->id, strerror(-rc));
		send_error(a, rc == -EINVAL || rc == -EILSEQ ? AGENT_E_BAD_FIELD : AGENT_E_INTERNAL,
			   "The message was not stored; nothing was sent.", in->type_name);
		return;
	}
	desk_customer_agent_msg(srv, c, in->text, in->text_len, now);
	env = agent_wire_agent_msg(c->id, in->id, in->text, in->text_len, now, a->agent, &len);
	put_agent(srv, a->agent, env, len);
}

static void on_action(struct agent_conn *a, const struct agent_wire_in *in, int64_t now)
{
	struct handoff *h = a->srv->desk->h;
	const char *what;
	int rc;

	switch (in->type) {
	case AGENT_WIRE_TRANSFER:
		rc = handoff_transfer(h, a->agent, in->conv, in->team, now);
		what = "transfer";
		break;
	case AGENT_WIRE_RETURN:
		rc = handoff_return_to_bot(h, a->agent, in->conv, now);
		what = "return";
		break;
	default:
		rc = handoff_close(h, a->agent, in->conv, in->resolution, now);
		what = "close";
		break;
	}
	if (!rc) {
		log_info("agent: %s: %s of %.8s…%s%s", a->agent, what, in->conv, in->team[0] ? " to " : "", in->team);
		return;
	}
	if (rc == -ENOENT)
		send_error(a, AGENT_E_NOT_FOUND, "There is no open chat with this id.", in->type_name);
	else if (rc == -EPERM)
		send_error(a, AGENT_E_NOT_YOURS, "You do not hold this chat.", in->type_name);
	else if (rc == -EINVAL)
		send_error(a, AGENT_E_BAD_STATE, "The chat cannot do that in its current state.", in->type_name);
	else {
		log_err("agent: %s's %s of %.8s… failed: %s", a->agent, what, in->conv, strerror(-rc));
		send_error(a, AGENT_E_INTERNAL, "The change was not stored; nothing changed.", in->type_name);
	}
}

static void on_propose(struct agent_conn *a, const struct agent_wire_in *in, int64_t now)
{
	const struct handoff_conv *c = handoff_find(a->srv->desk->h, in->conv);
	int64_t id = 0;
	size_t len;
	char *env;
	int rc;

	rc = handoff_propose(a->srv->desk->h, a->agent, in->conv,
			     in->lang[0] ? in->lang : c ? c->lang : NULL, in->scene[0] ? in->scene : c ? c->scene : NULL,
			     in->question, in->answer, now, &id);
	if (rc) {
		send_error(a, rc == -EINVAL ? AGENT_E_BAD_FIELD : AGENT_E_INTERNAL, "The proposal was not stored.",
			   in->type_name);
		return;
	}
	log_info("agent: %s proposed draft %lld", a->agent, (long long)id);
	env = agent_wire_proposed(in->conv, id, &len);
	put(a, env, len);
}

static void on_kb_search(struct agent_conn *a, const struct agent_wire_in *in)
{
	const struct handoff_conv *c = in->conv[0] ? handoff_find(a->srv->desk->h, in->conv) : NULL;
	struct handoff_suggestion items[LIM_HANDOFF_SUGGEST];
	char scene[LIM_ID + 1], *env;
	size_t len;
	int n = 0;

	if (a->srv->kb) {
		kb_scene(c ? c->scene : NULL, scene);
		n = handoff_suggest(a->srv->kb, in->text, in->text_len, c && c->lang[0] ? c->lang : NULL,
				    scene[0] ? scene : NULL, items, LIM_HANDOFF_SUGGEST);
	}
	env = agent_wire_suggestions(in->conv, in->text, items, n > 0 ? (size_t)n : 0, &len);
	put(a, env, len);
}

static int on_frame(struct agent_conn *a, const char *buf, size_t len, bool binary)
{
	struct server *srv = a->srv;
	struct agent_wire_in in;
	struct agent_wire_error err;
	uint64_t retry_us = 0;
	int64_t now = desk_now();

	if (!bucket_take(&a->bucket, clock_now_us(), &retry_us)) {
		srv->stats.rate_limited++;
		if (++a->strikes >= srv->cfg->rate_strikes) {
			log_notice("agent: closing %s's console from %s: it kept sending too fast", a->agent, a->ip);
			close_after_queue(a, LWS_CLOSE_STATUS_POLICY_VIOLATION, "rate limit");
			return 0;
		}
		send_error(a, AGENT_E_RATE_LIMITED, "Too many frames; wait a moment.", NULL);
		return 0;
	}
	a->strikes = 0;
	if (binary) {
		send_error(a, AGENT_E_BAD_JSON, "Binary frames are not accepted; send JSON text frames.", NULL);
		return 0;
	}
	if (agent_wire_decode(buf, len, srv->cfg->msg_text_bytes, &in, &err)) {
		send_error(a, err.code ? err.code : AGENT_E_INTERNAL, err.message[0] ? err.message : "Cannot decode the frame.",
			   err.type_name);
		return 0;
	}
	switch (in.type) {
	case AGENT_WIRE_CLAIM:
		on_claim(a, &in, now);
		break;
	case AGENT_WIRE_MSG:
		on_agent_msg(a, &in, now);
		break;
	case AGENT_WIRE_TYPING: {
		const struct handoff_conv *c = held(a, &in);

		if (c)
			desk_customer_typing(srv, c, in.on);
		break;
	}
	case AGENT_WIRE_TRANSFER:
	case AGENT_WIRE_RETURN:
	case AGENT_WIRE_CLOSE:
		on_action(a, &in, now);
		break;
	case AGENT_WIRE_PROPOSE:
		on_propose(a, &in, now);
		break;
	case AGENT_WIRE_KB_SEARCH:
		on_kb_search(a, &in);
		break;
	}
	agent_wire_in_clear(&in);
	return 0;
}

/* ---- lifecycle ---- */

/* The signed-in agent of the request's cookie, or an error. */
static int session_of(struct server *srv, struct lws *wsi, char tok[HANDOFF_TOKEN_LEN + 1], char agent[LIM_ID + 1])
{
	struct handoff *h = srv->desk->h;
	const struct handoff_agent *acc;
	int64_t now = desk_now();

	desk_cookie_token(wsi, tok);
	if (!tok[0] || handoff_session(h, tok, now, agent))
		return -EACCES;
	handoff_agent_reload(h, agent);   /* `faqbot agent disable` may have run meanwhile */
	acc = handoff_agent_find(h, agent);
	return !acc || acc->disabled ? -EACCES : 0;
}

/* Decide at the upgrade. Returns true to accept. */
static bool admit(struct server *srv, struct lws *wsi)
{
	char uri[256], tok[HANDOFF_TOKEN_LEN + 1], agent[LIM_ID + 1], ip[64];
	const char *why = NULL;

	if (srv->stopping || !srv->desk)
		why = "shutting down";
	else if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 || strcmp(uri, srv->cfg->ws_path))
		why = "wrong path";
	else if (!desk_origin_ok(srv, wsi))
		why = "origin not allowed";
	else if (srv->desk->n_agents >= DESK_AGENT_CONNS)
		why = "too many agent connections";
	else if (session_of(srv, wsi, tok, agent))
		why = "not signed in";
	if (!why)
		return true;
	srv->stats.refused++;
	desk_client_ip(srv, wsi, ip, sizeof(ip));
	log_info("agent: upgrade from %s refused: %s", ip, why);
	return false;
}

static int established(struct server *srv, struct agent_conn *a, struct lws *wsi)
{
	struct desk *d = srv->desk;
	const struct handoff_conv *mine[LIM_HANDOFF_CAPACITY];
	const char *teams[LIM_HANDOFF_ROUTES];
	const struct handoff_agent *acc;
	int64_t now = desk_now();
	size_t len, n;
	char *env;
	int rc;

	memset(a, 0, sizeof(*a));
	a->wsi = wsi;
	a->srv = srv;
	desk_client_ip(srv, wsi, a->ip, sizeof(a->ip));
	if (!d || session_of(srv, wsi, a->token, a->agent))
		return -1;
	rc = handoff_agent_online(d->h, a->agent, now);
	if (rc < 0)
		return -1;
	a->online = true;
	bucket_init(&a->bucket, srv->cfg->rate_per_sec, srv->cfg->rate_burst, clock_now_us());
	a->next = d->agents;
	if (d->agents)
		d->agents->prev = a;
	d->agents = a;
	d->n_agents++;
	a->listed = true;
	srv->stats.connections++;
	ws_agent_mark_dirty(srv);          /* the others see the new presence */
	a->dirty = false;
	acc = handoff_agent_find(d->h, a->agent);
	for (const char *p = acc->teams; *p;) {   /* the agent's own teams can be transfer targets too */
		char team[HANDOFF_CODE_LEN + 1];
		size_t k = strcspn(p, ",");

		if (k && k <= HANDOFF_CODE_LEN) {
			memcpy(team, p, k);
			team[k] = '\0';
			desk_add_team(d, team);
		}
		p += k + (p[k] == ',');
	}
	for (size_t i = 0; i < d->n_teams; i++)
		teams[i] = d->teams[i];
	env = agent_wire_hello(acc, teams, d->n_teams, resolutions, sizeof(resolutions) / sizeof(resolutions[0]), &len);
	put(a, env, len);
	env = render_snapshot(a, &len);
	put(a, env, len);
	n = handoff_assigned(d->h, a->agent, mine, LIM_HANDOFF_CAPACITY);
	for (size_t i = 0; i < n && i < LIM_HANDOFF_CAPACITY; i++) {
		struct target t = { srv, a, a->agent };   /* only this tab: the others have them */

		send_case_file(&t, mine[i]->id);
	}
	log_info("agent: %s connected from %s (%zu console(s) open, holds %d)", a->agent, a->ip, d->n_agents, rc);
	return 0;
}

static void closed(struct server *srv, struct agent_conn *a)
{
	struct desk *d = srv->desk;

	if (!a->listed)
		return;
	if (a->prev)
		a->prev->next = a->next;
	else
		d->agents = a->next;
	if (a->next)
		a->next->prev = a->prev;
	d->n_agents--;
	a->listed = false;
	if (a->online)
		handoff_agent_offline(d->h, a->agent, desk_now());
	a->online = false;
	free_queue(a);
	free(a->rx);
	a->rx = NULL;
	a->rx_cap = 0;
	ws_agent_mark_dirty(srv);
	log_info("agent: %s's console from %s closed (%zu open)", a->agent, a->ip, d->n_agents);
}

static int writeable(struct agent_conn *a)
{
	unsigned char buf[LWS_PRE + LIM_TX_CHUNK];
	struct outmsg *m;
	size_t n;
	int flags;

	if (a->culled)
		return 0;
	if (a->dirty && !a->close_code)
		queue_snapshot(a);
	m = a->head;
	if (!m) {
		if (a->close_code) {
			lws_close_reason(a->wsi, (enum lws_close_status)a->close_code, (unsigned char *)a->close_why,
					 strlen(a->close_why));
			return -1;
		}
		return 0;
	}
	n = m->len - a->tx_off;
	if (n > LIM_TX_CHUNK)
		n = LIM_TX_CHUNK;
	memcpy(buf + LWS_PRE, m->data + a->tx_off, n);
	flags = lws_write_ws_flags(LWS_WRITE_TEXT, a->tx_off == 0, a->tx_off + n == m->len);
	if (lws_write(a->wsi, buf + LWS_PRE, n, (enum lws_write_protocol)flags) < (int)n)
		return -1;
	a->tx_off += n;
	if (a->tx_off == m->len) {
		a->head = m->next;
		if (!a->head)
			a->tail = NULL;
		if (a->snap == m)
			a->snap = NULL;
		a->q_frames--;
		a->q_bytes -= m->len;
		a->tx_off = 0;
		free(m);
	}
	if (a->head || a->close_code || a->dirty)
		lws_callback_on_writable(a->wsi);
	return 0;
}

void ws_agent_customer_msg(struct server *srv, const struct handoff_conv *c, const char *id, const char *text,
			   size_t len, int64_t at)
{
	struct target t = { srv, NULL, c->agent };
	size_t elen;
	char *env;

	if (c->state != HANDOFF_ASSIGNED || !c->agent[0])
		return;
	env = agent_wire_customer_msg(c->id, id ? id : "", text, len, at, &elen);
	put_agent(srv, c->agent, env, elen);
	send_suggestions(&t, c, text, len, id ? id : "");
}

void ws_agent_customer_typing(struct server *srv, const struct handoff_conv *c, bool on)
{
	size_t len;
	char *env;

	if (c->state != HANDOFF_ASSIGNED || !c->agent[0])
		return;
	env = agent_wire_typing(c->id, on, &len);
	put_agent(srv, c->agent, env, len);
}

void ws_agent_close_token(struct server *srv, const char *token)
{
	if (!srv->desk)
		return;
	for (struct agent_conn *a = srv->desk->agents; a; a = a->next)
		if (!strcmp(a->token, token))
			close_after_queue(a, DESK_CLOSE_SIGNED_OUT, "signed out");
}

void ws_agent_recheck(struct server *srv, int64_t now)
{
	struct handoff *h = srv->desk->h;
	char who[LIM_ID + 1];

	for (struct agent_conn *a = srv->desk->agents; a; a = a->next) {
		const struct handoff_agent *acc;

		if (a->close_code)
			continue;
		handoff_agent_reload(h, a->agent);
		acc = handoff_agent_find(h, a->agent);
		if (!acc || acc->disabled || handoff_session(h, a->token, now, who) || strcmp(who, a->agent)) {
			log_notice("agent: %s's session ended; closing the console from %s", a->agent, a->ip);
			close_after_queue(a, DESK_CLOSE_SIGNED_OUT, "session ended");
		}
	}
}

void ws_agent_close_all(struct server *srv)
{
	if (!srv->desk)
		return;
	for (struct agent_conn *a = srv->desk->agents; a; a = a->next)
		close_after_queue(a, LWS_CLOSE_STATUS_GOINGAWAY, "server shutting down");
}

#define RX_KEEP 2048

static int reserve(struct agent_conn *a, size_t need)
{
	size_t cap = a->rx_cap ? a->rx_cap : 512;
	char *grown;

	if (need <= a->rx_cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (cap > a->srv->cfg->ws_frame_bytes)
		cap = a->srv->cfg->ws_frame_bytes;
	grown = realloc(a->rx, cap);
	if (!grown)
		return -ENOMEM;
	a->rx = grown;
	a->rx_cap = cap;
	return 0;
}

int ws_agent_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct agent_conn *a = user;
	int n;

	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return admit(server_of(wsi), wsi) ? 0 : 1;

	case LWS_CALLBACK_ESTABLISHED:
		return established(server_of(wsi), a, wsi);

	case LWS_CALLBACK_RECEIVE:
		if (!a || !a->listed || a->culled || a->close_code)
			return 0;
		if (lws_is_first_fragment(wsi))
			a->rx_len = 0;
		if (len > a->srv->cfg->ws_frame_bytes - a->rx_len) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)"message too big", 15);
			return -1;
		}
		if (reserve(a, a->rx_len + len))
			return -1;
		memcpy(a->rx + a->rx_len, in, len);
		a->rx_len += len;
		if (!lws_is_final_fragment(wsi))
			return 0;
		len = a->rx_len;
		a->rx_len = 0;
		n = on_frame(a, a->rx, len, lws_frame_is_binary(wsi));
		if (a->rx_cap > RX_KEEP) {
			free(a->rx);
			a->rx = NULL;
			a->rx_cap = 0;
		}
		return n;

	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (!a || !a->listed)
			return 0;
		return writeable(a);

	case LWS_CALLBACK_CLOSED:
		if (a)
			closed(server_of(wsi), a);
		return 0;

	default:
		return 0;
	}
}
