/*
 * desk.h - the human hand-off inside the chat server (private to net/): the
 * hand-off desk (dialog/handoff) with its store, the sentiment lexicon, the
 * agent console connections ("faq-agent", ws_agent.c), the sign-in rate
 * limit, and the timer that drives time-based transitions. Everything here
 * lives on the service thread; the struct server owns the desk.
 */
#ifndef BOT_NET_DESK_H
#define BOT_NET_DESK_H

#include "dialog/attempts.h"
#include "dialog/engine.h"
#include "dialog/handoff.h"
#include "dialog/sentiment.h"
#include "dialog/session.h"

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct server;
struct agent_conn;
struct chat;

#define DESK_TICK_MS         2000      /* handoff_tick period */
#define DESK_SNAPSHOT_MS     15000     /* agents get a fresh queue snapshot at least this often */
#define DESK_RECHECK_MS      60000     /* agent sessions and accounts are re-checked this often */
#define DESK_LOGIN_FAILS     5         /* failed sign-ins per address and per username ... */
#define DESK_LOGIN_WINDOW_MS 60000     /* ... per minute */
#define DESK_LOGIN_KEYS      4096      /* addresses and usernames remembered for that */
#define DESK_AGENT_CONNS     1000      /* agent console connections in all */
#define DESK_COOKIE          "faq_agent"
#define DESK_CLOSE_SIGNED_OUT 4401     /* close code: the agent's session ended */

struct desk {
	struct server *srv;
	struct handoff *h;
	const struct handoff_store_ops *ops;   /* borrowed: the store outlives the desk */
	void *store;
	struct sentiment_lexicon *lex;         /* NULL when the word lists are missing */
	struct attempts *login_fails;          /* failed sign-ins per "ip:" and "user:" key */
	struct agent_conn *agents;             /* every established faq-agent connection */
	size_t n_agents;
	char (*teams)[HANDOFF_CODE_LEN + 1];   /* team names offered for transfers */
	size_t n_teams;
	struct chat **chats;                   /* conversation id -> session token (handoff_chat.c) */
	size_t n_chats;
	bool hush;                             /* a request is under way: its status is sent once, at the end */
	struct {                               /* transitions since the start, for /api/stats */
		unsigned long long queued, claimed, tickets, resolved, returned, cancelled, transferred, agent_gone;
	} counts;
	lws_sorted_usec_list_t sul_tick;
	lws_sorted_usec_list_t sul_positions;  /* queued customers are told their new place */
	int64_t last_snapshot, last_recheck;
};

/* Wall-clock milliseconds since the epoch: the hand-off's time. */
int64_t desk_now(void);

/*
 * Create the desk on store (ops and store borrowed) for srv: the teams'
 * business hours from the config, the sentiment lists from the intents
 * directory, the tick timer. srv->ctx must exist. Returns 0 or a negative
 * errno (logged).
 */
int desk_start(struct server *srv, const struct handoff_store_ops *ops, void *store);

/* Cancel the desk's timer (before lws_context_destroy). */
void desk_stop(struct server *srv);

/* Free the desk (after lws_context_destroy: no connection is left). NULL desk is a no-op. */
void desk_free(struct server *srv);

/* The intents were (re)loaded: read the sentiment word lists again (a bad file keeps the old ones). */
void desk_content_changed(struct server *srv);

/* Add a team name to those offered for transfers (kept once). */
void desk_add_team(struct desk *d, const char *team);

/* The client's address: the peer, or with trust_proxy the last X-Forwarded-For hop. */
void desk_client_ip(struct server *srv, struct lws *wsi, char *ip, size_t size);

/* Whether the request's Origin may use the agent API and console (absent: yes). */
bool desk_origin_ok(struct server *srv, struct lws *wsi);

/* The agent session token of the request's cookie into tok ("" when none). */
void desk_cookie_token(struct lws *wsi, char tok[HANDOFF_TOKEN_LEN + 1]);

/* Connections of agents' consoles open now. */
size_t desk_connections(const struct server *srv);

/* ---- the customer's side (handoff_chat.c), called by ws_visitor.c ---- */

/*
 * s said hello on a tab: remember its conversation. Returns the
 * handoff_status envelope to send that tab when a person has (or is about
 * to have) the conversation, else NULL; free with wire_free.
 */
char *desk_chat_hello(struct server *srv, struct sess *s, size_t *len);

/*
 * The customer wrote (already echoed to the other tabs): store it; to the
 * agent when one holds the chat. Returns true when the bot must stay silent
 * (a person has the chat, or it waits for one).
 */
bool desk_chat_message(struct server *srv, struct sess *s, const char *id, const char *text, size_t len);

/* The bot replied r (to text, may be NULL): store it, then hand over if a trigger holds. */
void desk_chat_replied(struct server *srv, struct sess *s, const char *text, size_t len, const struct engine_reply *r);

/* 👍/👎 on an answer of entry (may be NULL): recorded for the case file; 👎 may hand over. */
void desk_chat_feedback(struct server *srv, struct sess *s, const char *entry, bool up);

/* The `handoff` frame: the customer asks for a person, or (leave_message) for a ticket. */
void desk_chat_request(struct server *srv, struct sess *s, bool leave_message);

/* The `cancel_handoff` frame: back to the bot (from the queue or a ticket). */
void desk_chat_cancel(struct server *srv, struct sess *s);

/* The customer is typing: the agent holding the chat sees it. */
void desk_chat_typing(struct server *srv, struct sess *s, bool on);

/* Whether token names an open hand-off the session store lost (a restart): resume it. */
bool desk_chat_known_token(struct server *srv, const char *token);

/* Fill s, just made for such a token, with the stored transcript (for its welcome). */
void desk_chat_restore(struct server *srv, struct sess *s);

/* Tell queued customers their new place and wait, delay_ms from now (coalesced). */
void desk_chats_refresh(struct server *srv, unsigned delay_ms);

/* Forget conversations whose session is gone; free the table. */
void desk_chats_prune(struct server *srv);
void desk_chats_free(struct desk *d);

/* Queue env for every tab of s (ws_visitor.c). */
void ws_visitor_send_sess(struct sess *s, const char *env, size_t len);

/* A transition of c happened: send the customer's tabs a handoff_status. */
void desk_tell_customer(struct server *srv, const struct handoff_conv *c, const struct handoff_event *ev);

/* The agent holding conv wrote (stored already): send it to the customer's tabs. */
void desk_customer_agent_msg(struct server *srv, const struct handoff_conv *c, const char *text, size_t len,
			     int64_t at);

/* The agent holding conv is typing (or stopped). */
void desk_customer_typing(struct server *srv, const struct handoff_conv *c, bool on);

/* ---- the sign-in API under /api/agent (http_agent.c) ---- */

int http_agent_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
size_t http_agent_pss_size(void);

/* ---- faq-agent connections (ws_agent.c) ---- */

int ws_agent_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
size_t ws_agent_pss_size(void);

/* Every console gets a fresh queue snapshot soon (coalesced). */
void ws_agent_mark_dirty(struct server *srv);

/* Queue env for every connection of agent. */
void ws_agent_send(struct server *srv, const char *agent, const char *env, size_t len);

/* The customer of c (assigned) wrote: customer_msg and KB suggestions to the holding agent's tabs. */
void ws_agent_customer_msg(struct server *srv, const struct handoff_conv *c, const char *id, const char *text,
			   size_t len, int64_t at);

/* The customer of c (assigned) is typing (or stopped). */
void ws_agent_customer_typing(struct server *srv, const struct handoff_conv *c, bool on);

/* Close the consoles signed in with token (a sign-out) with 4401. */
void ws_agent_close_token(struct server *srv, const char *token);

/* Re-check every console's session and account; close those that ended with 4401. */
void ws_agent_recheck(struct server *srv, int64_t now);

/* Shutdown: close every console with 1001 once its queue is sent. */
void ws_agent_close_all(struct server *srv);

#endif
