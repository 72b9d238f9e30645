/*
 * ws_visitor.c - the "faq-chat" WebSocket protocol: the customer's widget.
 *
 * Admission at the upgrade (path, origin, connection limits), then per
 * connection: reassemble each message up to ws_frame_bytes (beyond: close
 * 1009), rate-limit (token bucket; error, then close 1008), decode
 * (proto/wire), ask the engine (dialog/engine) with this tab's page and
 * context, and queue the encoded replies (and any notices after them) for
 * every tab of the customer's session. Frames are written only
 * from SERVER_WRITEABLE, one lws_write of at most LIM_TX_CHUNK per callback;
 * a connection whose queue passes its bounds is closed, never buffered
 * without end. Never blocks and never frees a session (the sweep does).
 */
#include "net/desk.h"
#include "net/server_int.h"

#include "core/clock.h"
#include "core/log.h"
#include "dialog/bucket.h"
#include "proto/wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct outmsg {
	struct outmsg *next;
	size_t len;
	char data[];
};

struct visitor {
	struct visitor *prev, *next;       /* srv->visitors */
	struct lws *wsi;
	struct server *srv;
	struct sess *sess;                 /* NULL until hello */
	char *rx;                          /* reassembly, grown on demand up to ws_frame_bytes */
	size_t rx_len, rx_cap;
	struct outmsg *head, *tail;        /* output queue */
	size_t q_frames, q_bytes, tx_off;
	struct bucket bucket;
	unsigned strikes;                  /* rate-limited frames in a row */
	char ip[64];
	char scene[LIM_SCENE_BYTES + 1];   /* this tab's page (hello's or scene's "scene") */
	char *context;                     /* and its context, compact JSON, owned, or NULL */
	bool listed, culled;
	int close_code;                    /* non-zero: close with it once the queue is sent */
	const char *close_why;
};

struct ip_count {
	struct ip_count *next;
	unsigned n;
	char ip[64];
};

size_t ws_visitor_pss_size(void)
{
	return sizeof(struct visitor);
}

/* ---- per-address connection counts ---- */

static struct ip_count **ip_slot(struct server *srv, const char *ip)
{
	uint64_t h = 14695981039346656037ull;
	struct ip_count **pp;

	for (const char *p = ip; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ull;
	}
	for (pp = &srv->ips[h % IP_BUCKETS]; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->ip, ip))
			break;
	return pp;
}

static unsigned ip_get(struct server *srv, const char *ip)
{
	struct ip_count *c = *ip_slot(srv, ip);

	return c ? c->n : 0;
}

static int ip_inc(struct server *srv, const char *ip)
{
	struct ip_count **pp = ip_slot(srv, ip);

	if (!*pp) {
		*pp = calloc(1, sizeof(**pp));
		if (!*pp)
			return -ENOMEM;
		snprintf((*pp)->ip, sizeof((*pp)->ip), "%s", ip);
	}
	(*pp)->n++;
	return 0;
}

static void ip_dec(struct server *srv, const char *ip)
{
	struct ip_count **pp = ip_slot(srv, ip), *c = *pp;

	if (c && --c->n == 0) {
		*pp = c->next;
		free(c);
	}
}

/* The client's address: the peer, or with trust_proxy the last X-Forwarded-For hop. */
static void client_ip(struct server *srv, struct lws *wsi, char *ip, size_t size)
{
	char xff[256];

	ip[0] = '\0';
	if (srv->cfg->trust_proxy && lws_hdr_copy(wsi, xff, sizeof(xff), WSI_TOKEN_X_FORWARDED_FOR) > 0) {
		char *last = strrchr(xff, ',');
		char *s = last ? last + 1 : xff;
		size_t n;

		s += strspn(s, " \t");
		n = strcspn(s, " \t");
		if (n && n < size) {
			memcpy(ip, s, n);
			ip[n] = '\0';
			return;
		}
	}
	if (!lws_get_peer_simple(wsi, ip, size))
		snprintf(ip, size, "unknown");
	else if (!strncmp(ip, "::ffff:", 7) && strchr(ip, '.'))
		memmove(ip, ip + 7, strlen(ip + 7) + 1);   /* an IPv4 client on a dual-stack socket */
}

/* ---- admission ---- */

static bool is_localhost(const char *hostport)
{
	static const char *const names[] = { "localhost", "127.0.0.1", "[::1]" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);

		if (!strncasecmp(hostport, names[i], n) && (hostport[n] == '\0' || hostport[n] == ':'))
			return true;
	}
	return false;
}

static bool origin_allowed(struct server *srv, struct lws *wsi, char *why, size_t whylen)
{
	const struct config *cfg = srv->cfg;
	char origin[256], host[256];
	const char *hp;
	int n;

	if (!lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN))
		return true;   /* not a browser: the check protects browser users from other sites */
	n = lws_hdr_copy(wsi, origin, sizeof(origin), WSI_TOKEN_ORIGIN);
	if (n <= 0) {
		snprintf(why, whylen, "origin header too long");
		return false;
	}
	while (n > 1 && origin[n - 1] == '/')
		origin[--n] = '\0';
	for (size_t i = 0; i < cfg->n_origins; i++)
		if (!strcmp(cfg->origins[i], "*") || !strcasecmp(cfg->origins[i], origin))
			return true;
	hp = strstr(origin, "://");
	if (hp) {
		hp += 3;
		if (lws_hdr_copy(wsi, host, sizeof(host), WSI_TOKEN_HOST) > 0 && !strcasecmp(hp, host))
			return true;
		if (cfg->origins_localhost && is_localhost(hp))
			return true;
	}
	snprintf(why, whylen, "origin %.200s not allowed", origin);
	return false;
}

/* Decide at the upgrade. Returns true to accept. */
static bool admit(struct server *srv, struct lws *wsi)
{
	const struct config *cfg = srv->cfg;
	char uri[256], ip[64], why[256];

	why[0] = '\0';
	if (srv->stopping)
		snprintf(why, sizeof(why), "shutting down");
	else if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 || strcmp(uri, cfg->ws_path))
		snprintf(why, sizeof(why), "path is not %s", cfg->ws_path);
	else if (!origin_allowed(srv, wsi, why, sizeof(why)))
		;
	else if (srv->n_visitors >= cfg->conns_total)
		snprintf(why, sizeof(why), "%u connections open (conns_total)", cfg->conns_total);
	else {
		client_ip(srv, wsi, ip, sizeof(ip));
		if (ip_get(srv, ip) >= cfg->conns_per_ip)
			snprintf(why, sizeof(why), "%s has %u connections open (conns_per_ip)", ip, cfg->conns_per_ip);
	}
	if (!why[0])
		return true;
	srv->stats.refused++;
	log_info("chat: upgrade refused: %s", why);
	return false;
}

/* ---- output queue ---- */

static void free_queue(struct visitor *v)
{
	struct outmsg *m, *next;

	for (m = v->head; m; m = next) {
		next = m->next;
		free(m);
	}
	v->head = v->tail = NULL;
	v->q_frames = v->q_bytes = v->tx_off = 0;
}

/* Close v from anywhere (another connection's callback included): it stopped reading. */
static void cull(struct visitor *v)
{
	if (v->culled)
		return;
	v->culled = true;
	v->srv->stats.culled++;
	log_notice("chat: closing a connection from %s: its output queue is full (%zu frames, %zu bytes)", v->ip,
		   v->q_frames, v->q_bytes);
	free_queue(v);
	lws_set_timeout(v->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

/* Close v with code once what is queued has been sent (the client sees the errors first). */
static void close_after_queue(struct visitor *v, int code, const char *why)
{
	if (!v->close_code) {
		v->close_code = code;
		v->close_why = why;
	}
	lws_callback_on_writable(v->wsi);
}

/* Queue a copy of data for v and ask for WRITEABLE. */
static void enqueue(struct visitor *v, const char *data, size_t len)
{
	const struct config *cfg = v->srv->cfg;
	struct outmsg *m;

	if (v->culled)
		return;
	if (v->q_frames && (v->q_frames >= cfg->out_queue_frames || v->q_bytes + len > cfg->out_queue_bytes)) {
		cull(v);
		return;
	}
	m = malloc(sizeof(*m) + len);
	if (!m) {
		cull(v);
		return;
	}
	m->next = NULL;
	m->len = len;
	memcpy(m->data, data, len);
	if (v->tail)
		v->tail->next = m;
	else
		v->head = m;
	v->tail = m;
	v->q_frames++;
	v->q_bytes += len;
	lws_callback_on_writable(v->wsi);
}

/* Queue env for every tab of v's session except `except` (may be NULL). */
static void deliver(struct visitor *v, struct visitor *except, const char *env, size_t len)
{
	struct sess *s = v->sess;

	for (size_t i = 0; i < sess_conn_count(s); i++) {
		struct visitor *t = sess_conn_at(s, i);

		if (t != except)
			enqueue(t, env, len);
	}
}

void ws_visitor_send_sess(struct sess *s, const char *env, size_t len)
{
	for (size_t i = 0; i < sess_conn_count(s); i++)
		enqueue(sess_conn_at(s, i), env, len);
}

static void send_error(struct visitor *v, const char *code, const char *message, long long retry_after_ms)
{
	size_t len;
	char *env = wire_error(code, message, retry_after_ms, &len);

	v->srv->stats.errors++;
	if (env)
		enqueue(v, env, len);
	wire_free(env);
}

/* Record env in the transcript and send it to the session's tabs (but `except`). Frees env. */
static void publish(struct visitor *v, struct visitor *except, char *env, size_t len)
{
	if (!env) {
		send_error(v, WIRE_E_INTERNAL, "out of memory; please try again", -1);
		return;
	}
	if (sess_log(v->sess, env, len))
		log_warn("chat: an envelope of %zu bytes was not kept in the transcript", len);
	deliver(v, except, env, len);
	wire_free(env);
}

/* ---- frames ---- */

/* A copy of client text safe for one log line: control bytes become '?'; "-" when empty. */
static const char *printable(const char *s, char *out, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
	return i ? out : "-";
}

/* This tab's page and context, for the engine. */
static struct engine_where where_of(const struct visitor *v)
{
	struct engine_where w = { v->scene, v->context };

	return w;
}

/* Take the page and context of a hello or scene frame (the context is moved out of in). */
static void set_where(struct visitor *v, struct wire_in *in)
{
	memcpy(v->scene, in->scene, sizeof(v->scene));
	free(v->context);
	v->context = in->context;
	in->context = NULL;
}

/* Queue notices for v only (to_all: for every tab of its session). They are not part of the transcript. */
static void send_notices(struct visitor *v, const struct engine_notice *nv, size_t n, bool to_all)
{
	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *env = wire_notice(nv[i].text, &len);

		if (!env)
			continue;
		if (to_all)
			deliver(v, NULL, env, len);
		else
			enqueue(v, env, len);
		v->srv->stats.notices++;
		wire_free(env);
	}
}

/* Build and queue the welcome for v's page (lang may be NULL: keep the conversation's). */
static void welcome(struct visitor *v, const char *lang, bool resumed)
{
	struct server *srv = v->srv;
	struct engine_where where = where_of(v);
	struct engine_welcome w;
	size_t len;
	char *env;

	if (engine_welcome(srv->engine, v->sess, &where, lang, 0, &w))
		log_warn("chat: the context was not kept (out of memory)");
	env = wire_welcome(v->sess->token, &w, v->sess, resumed, &len);
	if (!env) {
		send_error(v, WIRE_E_INTERNAL, "out of memory; please reconnect", -1);
		return;
	}
	enqueue(v, env, len);
	wire_free(env);
	send_notices(v, w.notices, w.n_notices, false);
	env = desk_chat_hello(srv, v->sess, &len);   /* handed off: where it stands */
	if (env)
		enqueue(v, env, len);
	wire_free(env);
}

static void on_hello(struct visitor *v, struct wire_in *in, uint64_t now)
{
	struct sess *s;
	char scene[LIM_SCENE_BYTES + 1];
	int rc;

	if (v->sess) {
		sess_detach(v->sess, v, now);
		v->sess = NULL;
	}
	if (in->token[0] && !sess_find(v->srv->sessions, in->token, now) && desk_chat_known_token(v->srv, in->token)) {
		/* a restart lost the session, but a person has (or is about to have) the conversation: bring it back */
		rc = sess_open_as(v->srv->sessions, in->token, now, &s);
		if (rc == 0) {
			desk_chat_restore(v->srv, s);
			rc = 1;
		}
	} else {
		rc = sess_open(v->srv->sessions, in->token[0] ? in->token : NULL, now, &s);
	}
	if (rc < 0) {
		log_warn("chat: cannot open a session: %s", strerror(-rc));
		send_error(v, rc == -EBUSY ? WIRE_E_BUSY : WIRE_E_INTERNAL,
			   rc == -EBUSY ? "too many conversations are open; please try again later" : "cannot start a conversation",
			   rc == -EBUSY ? 5000 : -1);
		return;
	}
	if (sess_attach(s, v, now)) {
		send_error(v, WIRE_E_BUSY, "this conversation is open in too many tabs; close one and reload", -1);
		return;
	}
	v->sess = s;
	set_where(v, in);
	welcome(v, in->lang[0] ? in->lang : NULL, rc == 1);
	log_info("chat: %s session %.8s… from %s (lang %s, page %s, scene %s, %zu tab(s))", rc == 1 ? "resumed" : "new",
		 s->token, v->ip, s->lang, printable(v->scene, scene, sizeof(scene)), s->scene[0] ? s->scene : "-",
		 sess_conn_count(s));
}

/* The customer moved to another page: a new welcome for it, same conversation. */
static void on_scene(struct visitor *v, struct wire_in *in, uint64_t now)
{
	char scene[LIM_SCENE_BYTES + 1];

	sess_touch(v->sess, now);
	set_where(v, in);
	welcome(v, NULL, true);
	log_info("chat: %.8s… page %s (scene %s)", v->sess->token, printable(v->scene, scene, sizeof(scene)),
		 v->sess->scene[0] ? v->sess->scene : "-");
}

static void count_reply(struct server *srv, const struct engine_reply *r)
{
	struct scene_stats *sc = server_scene_stats(srv, r->scene);

	sc->replies++;
	switch (r->kind) {
	case ENGINE_ANSWER:
		srv->stats.answers++;
		sc->answers++;
		break;
	case ENGINE_CLARIFY:
		srv->stats.clarifies++;
		sc->clarifies++;
		break;
	case ENGINE_FALLBACK:
		srv->stats.fallbacks++;
		sc->fallbacks++;
		break;
	case ENGINE_ASK:
		srv->stats.asks++;
		sc->asks++;
		break;
	case ENGINE_HANDOFF:
		srv->stats.handoffs++;
		sc->handoffs++;
		break;
	case ENGINE_TICKET:
		srv->stats.tickets++;
		sc->tickets++;
		break;
	case ENGINE_INFO:
		break;
	}
	if (r->intent)
		srv->stats.intents++;
}

/* Log, record and send a reply to every tab, then the notices that waited for it. Frees nothing. */
static void send_reply(struct visitor *v, const struct engine_reply *r, const char *reply_to)
{
	size_t len;
	char *env;

	count_reply(v->srv, r);
	log_info("chat: %.8s… %s %s%s%s (scene %s)", v->sess->token, engine_kind_name(r->kind),
		 r->entry ? r->entry->id : r->intent ? r->intent : r->lang ? r->lang : "-",
		 r->entry && r->intent ? " via " : "", r->entry && r->intent ? r->intent : "", r->scene[0] ? r->scene : "-");
	env = wire_reply(r, reply_to, &len);
	publish(v, NULL, env, len);
	send_notices(v, r->notices, r->n_notices, true);
}

static void on_message(struct visitor *v, struct wire_in *in, uint64_t now)
{
	struct server *srv = v->srv;
	struct engine_reply *r = &srv->reply;
	struct engine_where where = where_of(v);
	size_t len;
	char *env;
	int rc;

	srv->stats.messages++;
	sess_touch(v->sess, now);
	env = wire_customer_message(in->id, in->text, in->text_len, &len);
	publish(v, v, env, len);
	if (desk_chat_message(srv, v->sess, in->id, in->text, in->text_len))
		return;   /* a person has the conversation (or it waits for one): the bot stays silent */
	rc = engine_message(srv->engine, v->sess, &where, in->text, in->text_len, 0, r);
	if (rc) {
		send_error(v, WIRE_E_BAD_FIELD, rc == -EILSEQ ? "the text is not valid UTF-8" : "the text has nothing to match",
			   -1);
		return;
	}
	send_reply(v, r, in->id);
	desk_chat_replied(srv, v->sess, in->text, in->text_len, r);
}

static bool is_our_id(const struct visitor *v, uint32_t n)
{
	return n >= 1 && n <= sess_last_id(v->sess);
}

static void on_choose(struct visitor *v, struct wire_in *in, uint64_t now)
{
	struct server *srv = v->srv;
	struct engine_where where = where_of(v);
	struct engine_reply *r = &srv->reply;
	size_t len;
	char *env;
	int rc;

	if (!is_our_id(v, in->reply_num)) {
		send_error(v, WIRE_E_BAD_FIELD, "\"reply_to\" is not a message of this conversation", -1);
		return;
	}
	sess_touch(v->sess, now);
	rc = engine_choose(srv->engine, v->sess, &where, in->reply_num, in->has_entry ? in->entry : NULL, 0, r);
	if (rc) {
		send_error(v, WIRE_E_BAD_FIELD, "\"entry\" is not in the knowledge base", -1);
		return;
	}
	env = wire_choose(in->reply_to, in->has_entry ? in->entry : NULL, &len);
	publish(v, v, env, len);
	send_reply(v, r, in->reply_to);
	desk_chat_replied(srv, v->sess, NULL, 0, r);
}

static void on_feedback(struct visitor *v, struct wire_in *in, uint64_t now)
{
	const char *entry = NULL;
	size_t len;
	char *env;

	if (!is_our_id(v, in->reply_num)) {
		send_error(v, WIRE_E_BAD_FIELD, "\"reply_to\" is not a message of this conversation", -1);
		return;
	}
	sess_touch(v->sess, now);
	engine_feedback(v->sess, in->reply_num, in->up, &entry);
	if (in->up)
		v->srv->stats.feedback_up++;
	else
		v->srv->stats.feedback_down++;
	log_info("chat: %.8s… feedback %s on %s (entry %s)", v->sess->token, in->up ? "up" : "down", in->reply_to,
		 entry ? entry : "unknown");
	env = wire_feedback(in->reply_to, in->up, &len);
	publish(v, v, env, len);
	desk_chat_feedback(v->srv, v->sess, entry, in->up);
}

/* "Did this solve it?": yes or no on an answer. */
static void on_resolved(struct visitor *v, struct wire_in *in, uint64_t now)
{
	struct engine_where where = where_of(v);
	struct engine_reply *r = &v->srv->reply;
	size_t len;
	char *env;

	if (engine_resolved(v->srv->engine, v->sess, &where, in->reply_num, in->yes, 0, r)) {
		send_error(v, WIRE_E_BAD_FIELD, "\"reply_to\" is not a recent answer of this conversation", -1);
		return;
	}
	sess_touch(v->sess, now);
	if (in->yes) {
		v->srv->stats.solved++;
		server_scene_stats(v->srv, r->scene)->solved++;
	} else {
		v->srv->stats.unsolved++;
		server_scene_stats(v->srv, r->scene)->unsolved++;
	}
	env = wire_resolved(in->reply_to, in->yes, &len);
	publish(v, v, env, len);
	send_reply(v, r, in->reply_to);
	desk_chat_replied(v->srv, v->sess, NULL, 0, r);
}

static void on_survey(struct visitor *v, struct wire_in *in, uint64_t now)
{
	size_t len;
	char *env;

	if (engine_survey(v->sess, in->csat, in->ces)) {
		send_error(v, WIRE_E_BAD_FIELD, "\"csat\" must be 1-5 and \"ces\" 1-7", -1);
		return;
	}
	sess_touch(v->sess, now);
	v->srv->stats.surveys++;
	log_info("chat: %.8s… survey csat %d ces %d", v->sess->token, v->sess->csat, v->sess->ces);
	env = wire_survey(in->csat, in->ces, &len);
	publish(v, v, env, len);
}

/* Handle one complete frame. Returns -1 to close the connection (the reason is set). */
static int on_frame(struct visitor *v, const char *buf, size_t len, bool binary)
{
	struct server *srv = v->srv;
	const struct config *cfg = srv->cfg;
	struct wire_in in;
	struct wire_error err;
	uint64_t now = clock_now_us(), retry_us = 0;
	int rc;

	if (!bucket_take(&v->bucket, now, &retry_us)) {
		srv->stats.rate_limited++;
		if (++v->strikes >= cfg->rate_strikes) {
			log_notice("chat: closing a connection from %s: it kept sending too fast", v->ip);
			close_after_queue(v, LWS_CLOSE_STATUS_POLICY_VIOLATION, "rate limit");
			return 0;
		}
		send_error(v, WIRE_E_RATE_LIMITED, "too many messages; wait before sending more",
			   (long long)((retry_us + 999) / 1000));
		return 0;
	}
	v->strikes = 0;
	if (binary) {
		send_error(v, WIRE_E_BAD_JSON, "binary frames are not accepted; send JSON text frames", -1);
		return 0;
	}
	rc = wire_decode(buf, len, cfg->msg_text_bytes, &in, &err);
	if (rc) {
		send_error(v, err.code ? err.code : WIRE_E_INTERNAL, err.message[0] ? err.message : "cannot decode the frame", -1);
		return 0;
	}
	if (in.type != WIRE_HELLO && !v->sess) {
		send_error(v, WIRE_E_NOT_READY, "send a hello first", -1);
		wire_in_clear(&in);
		return 0;
	}
	switch (in.type) {
	case WIRE_HELLO:
		on_hello(v, &in, now);
		break;
	case WIRE_MESSAGE:
		on_message(v, &in, now);
		break;
	case WIRE_CHOOSE:
		on_choose(v, &in, now);
		break;
	case WIRE_FEEDBACK:
		on_feedback(v, &in, now);
		break;
	case WIRE_TYPING:
		engine_typing(v->sess, in.on, 0);   /* notices wait while the customer types */
		desk_chat_typing(srv, v->sess, in.on);
		break;
	case WIRE_HANDOFF:
		sess_touch(v->sess, now);
		desk_chat_request(srv, v->sess, in.leave_message);
		break;
	case WIRE_CANCEL_HANDOFF:
		sess_touch(v->sess, now);
		desk_chat_cancel(srv, v->sess);
		break;
	case WIRE_SCENE:
		on_scene(v, &in, now);
		break;
	case WIRE_RESOLVED:
		on_resolved(v, &in, now);
		break;
	case WIRE_SURVEY:
		on_survey(v, &in, now);
		break;
	}
	wire_in_clear(&in);
	return 0;
}

/* ---- lifecycle ---- */

#define RX_KEEP 2048   /* reassembly bytes a connection keeps between messages */

/* Make room for need bytes of reassembly (need <= ws_frame_bytes). Returns 0 or -ENOMEM. */
static int reserve(struct visitor *v, size_t need)
{
	size_t cap = v->rx_cap ? v->rx_cap : 512;
	char *grown;

	if (need <= v->rx_cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (cap > v->srv->cfg->ws_frame_bytes)
		cap = v->srv->cfg->ws_frame_bytes;
	grown = realloc(v->rx, cap);
	if (!grown)
		return -ENOMEM;
	v->rx = grown;
	v->rx_cap = cap;
	return 0;
}

static int established(struct server *srv, struct visitor *v, struct lws *wsi)
{
	const struct config *cfg = srv->cfg;

	memset(v, 0, sizeof(*v));
	v->wsi = wsi;
	v->srv = srv;
	client_ip(srv, wsi, v->ip, sizeof(v->ip));
	if (ip_inc(srv, v->ip))
		return -1;
	bucket_init(&v->bucket, cfg->rate_per_sec, cfg->rate_burst, clock_now_us());
	v->next = srv->visitors;
	if (srv->visitors)
		srv->visitors->prev = v;
	srv->visitors = v;
	srv->n_visitors++;
	srv->stats.connections++;
	v->listed = true;
	log_info("chat: connection from %s (%zu open)", v->ip, srv->n_visitors);
	return 0;
}

static void closed(struct server *srv, struct visitor *v)
{
	if (!v->listed)
		return;
	if (v->sess)
		sess_detach(v->sess, v, clock_now_us());
	v->sess = NULL;
	ip_dec(srv, v->ip);
	if (v->prev)
		v->prev->next = v->next;
	else
		srv->visitors = v->next;
	if (v->next)
		v->next->prev = v->prev;
	srv->n_visitors--;
	free_queue(v);
	free(v->rx);
	v->rx = NULL;
	v->rx_cap = 0;
	free(v->context);
	v->context = NULL;
	v->listed = false;
	log_info("chat: connection from %s closed (%zu open)", v->ip, srv->n_visitors);
}

static int writeable(struct visitor *v)
{
	unsigned char buf[LWS_PRE + LIM_TX_CHUNK];
	struct outmsg *m = v->head;
	size_t n;
	int flags;

	if (v->culled)
		return 0;
	if (!m) {
		if (v->close_code) {
			lws_close_reason(v->wsi, (enum lws_close_status)v->close_code, (unsigned char *)v->close_why,
					 strlen(v->close_why));
			return -1;
		}
		return 0;   /* a WRITEABLE we did not ask for */
	}
	n = m->len - v->tx_off;
	if (n > LIM_TX_CHUNK)
		n = LIM_TX_CHUNK;
	memcpy(buf + LWS_PRE, m->data + v->tx_off, n);
	flags = lws_write_ws_flags(LWS_WRITE_TEXT, v->tx_off == 0, v->tx_off + n == m->len);
	if (lws_write(v->wsi, buf + LWS_PRE, n, (enum lws_write_protocol)flags) < (int)n)
		return -1;
	v->tx_off += n;
	if (v->tx_off == m->len) {
		v->head = m->next;
		if (!v->head)
			v->tail = NULL;
		v->q_frames--;
		v->q_bytes -= m->len;
		v->tx_off = 0;
		free(m);
	}
	if (v->head || v->close_code)
		lws_callback_on_writable(v->wsi);
	return 0;
}

void ws_visitor_close_all(struct server *srv)
{
	for (struct visitor *v = srv->visitors; v; v = v->next)
		close_after_queue(v, LWS_CLOSE_STATUS_GOINGAWAY, "server shutting down");
}

int ws_visitor_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct visitor *v = user;
	struct server *srv;
	int n;

	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return admit(server_of(wsi), wsi) ? 0 : 1;

	case LWS_CALLBACK_ESTABLISHED:
		srv = server_of(wsi);
		return established(srv, v, wsi);

	case LWS_CALLBACK_RECEIVE:
		if (!v || !v->listed || v->culled || v->close_code)
			return 0;   /* input after we decided to close is dropped */
		if (lws_is_first_fragment(wsi))
			v->rx_len = 0;
		if (len > v->srv->cfg->ws_frame_bytes - v->rx_len) {
			log_info("chat: closing a connection from %s: a message over %u bytes", v->ip,
				 v->srv->cfg->ws_frame_bytes);
			lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)"message too big", 15);
			return -1;
		}
		if (reserve(v, v->rx_len + len))
			return -1;
		memcpy(v->rx + v->rx_len, in, len);
		v->rx_len += len;
		if (!lws_is_final_fragment(wsi))
			return 0;
		len = v->rx_len;
		v->rx_len = 0;
		n = on_frame(v, v->rx, len, lws_frame_is_binary(wsi));
		if (v->rx_cap > RX_KEEP) {   /* idle connections keep a small buffer */
			free(v->rx);
			v->rx = NULL;
			v->rx_cap = 0;
		}
		return n;

	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (!v || !v->listed)
			return 0;
		return writeable(v);

	case LWS_CALLBACK_CLOSED:
		if (v)
			closed(server_of(wsi), v);
		return 0;

	default:
		/*
		 * The "default" pvo makes this the vhost's default protocol, so plain
		 * HTTP transactions (static files) are bound to it too: lws's dummy
		 * handler completes them (FILE_COMPLETION -> transaction completed),
		 * without which keep-alive requests get stale responses.
		 */
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}
