/*
 * handoff.h - the human hand-off: when to hand a conversation to a person,
 * the state machine every handed-off conversation moves through, routing to
 * teams and agents, the queue with honest wait estimates, tickets, agent
 * accounts and sign-in sessions, transcripts and KB drafts proposed by agents.
 *
 *   bot ──request──► queued ──claim──► assigned ──close──► resolved
 *                    │  ▲  │             │  │                 │
 *          no agent, │  │  └─cancel─►bot │  └─return─► bot    └─customer writes─► bot
 *          closed,   │  └──transfer, agent gone
 *          message   ▼
 *                  ticket ──close──► resolved;  ticket ──cancel (back to the bot)──► bot
 *
 * Every transition is written through struct handoff_store_ops (one
 * transaction) before memory changes and before the caller can tell anyone;
 * a refused write changes nothing. Illegal transitions return -EINVAL and
 * change nothing. The module keeps the open conversations (queued, assigned,
 * ticket) in memory and reloads them from the store on start.
 *
 * No I/O of its own (persistence goes through the ops, randomness through
 * the config), no third-party headers. Times are wall-clock milliseconds
 * since the epoch (they are stored and compared across restarts), passed in
 * by the caller. Not thread-safe: the service thread owns it.
 */
#ifndef BOT_DIALOG_HANDOFF_H
#define BOT_DIALOG_HANDOFF_H

#include "core/kdf.h"
#include "core/limits.h"
#include "kb/kb.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HANDOFF_CONV_LEN   24    /* hex digits of a conversation id */
#define HANDOFF_TICKET_LEN 8     /* "T-" and six characters: T-7K3Q9P */
#define HANDOFF_TOKEN_LEN  64    /* hex digits of an agent session token (256 bits) */
#define HANDOFF_CODE_LEN   32    /* bytes of a resolution code or a team name */
#define HANDOFF_ALL_TEAMS  "*"   /* an agent in this team sees and may claim every team's chats */

struct casefile;

/* ---- states, reasons ---- */

enum handoff_state {
	HANDOFF_BOT = 0,     /* the bot talks (also: never handed off) */
	HANDOFF_QUEUED,      /* waiting for an agent of its team */
	HANDOFF_ASSIGNED,    /* an agent holds it */
	HANDOFF_RESOLVED,    /* closed with a resolution code */
	HANDOFF_TICKET       /* no agent could take it live: a ticket the customer can quote */
};
#define HANDOFF_STATES 5

/* "bot", "queued", "assigned", "resolved", "ticket". Static. */
const char *handoff_state_name(enum handoff_state s);

/* Whether from -> to is a transition of the state machine above. */
bool handoff_is_legal(enum handoff_state from, enum handoff_state to);

enum handoff_reason {
	HANDOFF_REASON_NONE = 0,
	HANDOFF_REASON_ASKED,       /* the button, or words such as "agent", 转人工 */
	HANDOFF_REASON_POLICY,      /* the intent or scene is "always a person" */
	HANDOFF_REASON_SENTIMENT,   /* anger or complaint words */
	HANDOFF_REASON_DISLIKES,    /* 👎 on answers */
	HANDOFF_REASON_FALLBACKS    /* consecutive "I don't know" */
};
#define HANDOFF_REASONS 6

/* "none", "asked", "policy", "sentiment", "dislikes", "fallbacks". Static. */
const char *handoff_reason_name(enum handoff_reason r);

/* Who wrote a transcript message. */
enum handoff_from { HANDOFF_FROM_CUSTOMER = 0, HANDOFF_FROM_BOT, HANDOFF_FROM_AGENT, HANDOFF_FROM_SYSTEM };

/* "customer", "bot", "agent", "system". Static. */
const char *handoff_from_name(enum handoff_from f);

/* ---- triggers (pure) ---- */

/* A scene's hand-off policy. Every trigger is on by default. */
struct handoff_policy {
	bool on_ask;                 /* the customer asks (button or words) */
	bool on_fallbacks;
	unsigned fallbacks;          /* consecutive fallbacks that hand off (default 2) */
	bool on_dislikes;
	unsigned dislikes;           /* answers given 👎 that hand off (default 2) */
	bool on_sentiment;
	float sentiment;             /* anger + complaint of one message that hands off (default 2) */
	bool on_policy;              /* an intent marked "always a person" hands off */
	bool always_person;          /* this scene always goes to a person */
	char team[HANDOFF_CODE_LEN + 1];   /* the team that receives this scene's chats (default "support") */
	int priority;                /* base priority of this scene's chats (default 0; higher first) */
	int vip_priority;            /* added for a verified VIP (default 10) */
	int upset_priority;          /* added when the reason is sentiment (default 2) */
};

/* Fill p with the defaults above. */
void handoff_policy_default(struct handoff_policy *p);

/* What the engine knows about the conversation at this turn. */
struct handoff_signals {
	bool asked;                  /* this turn: the button, or hand-off words */
	unsigned fallbacks;          /* consecutive fallbacks, this turn included */
	unsigned dislikes;           /* answers given 👎 since the last hand-off */
	float sentiment;             /* sentiment_total() of this turn's message */
	bool intent_always_person;   /* the detected intent's policy */
	bool vip;                    /* the customer's tier is VIP ... */
	bool verified;               /* ... and the host signed it */
};

/*
 * Whether to hand off now, and why (the first that holds: asked, policy,
 * sentiment, dislikes, fallbacks). A verified VIP is never handed off for
 * being a VIP: it only raises the priority (handoff_priority). *reason is
 * HANDOFF_REASON_NONE when false. reason may be NULL.
 */
bool handoff_should_trigger(const struct handoff_signals *s, const struct handoff_policy *p,
			    enum handoff_reason *reason);

/* The queue priority of a hand-off: base, + vip_priority for a verified VIP, + upset_priority for sentiment. */
int handoff_priority(const struct handoff_signals *s, const struct handoff_policy *p, enum handoff_reason reason);

/* ---- business hours (pure) ---- */

struct handoff_hours {
	bool always;                 /* open around the clock (then the rest is ignored) */
	int utc_offset_min;          /* local time = UTC + this (fixed: no daylight saving) */
	uint16_t open[7], close[7];  /* minutes after local midnight, Sunday first; open >= close: closed that day */
};

/* Whether hours are open at now (ms since the epoch). NULL means always open. */
bool handoff_hours_open(const struct handoff_hours *h, int64_t now);

/* ---- records ---- */

/* A handed-off conversation, as stored. */
struct handoff_conv {
	char id[LIM_ID + 1];
	char customer[LIM_ID + 1];              /* the verified customer id, or the conversation id */
	char customer_name[LIM_HANDOFF_NAME + 1];
	char scene[LIM_ID + 1];
	char lang[8];
	char team[HANDOFF_CODE_LEN + 1];
	char agent[LIM_ID + 1];                 /* assigned: the agent; resolved, ticket: the last agent or "" */
	char ticket[HANDOFF_TICKET_LEN + 1];    /* the latest ticket reference, or "" */
	char summary[LIM_HANDOFF_SUMMARY + 1];  /* one paragraph for the queue view */
	char resolution[HANDOFF_CODE_LEN + 1];  /* resolved: the code */
	enum handoff_state state;
	enum handoff_reason reason;
	int priority;
	bool vip;
	int64_t requested_at;     /* first entered the queue this hand-off: orders the queue */
	int64_t queued_at;        /* last entered the queue: measures the time to claim */
	int64_t assigned_at;      /* last claimed, or 0 */
	int64_t updated_at;       /* last transition */
	uint32_t entry_position;  /* its place in the queue when it last entered it */
	uint64_t seq;             /* request order, breaks ties */
};

struct handoff_event {
	const char *conv;
	enum handoff_state from, to;
	int64_t at;
	const char *actor;        /* an agent's username, "customer" or "system" */
	const char *detail;       /* the reason, the resolution code, "transfer:billing", "agent_gone", ... */
};

struct handoff_ticket {
	char ref[HANDOFF_TICKET_LEN + 1];
	char conv[LIM_ID + 1];
	char customer[LIM_ID + 1];
	char team[HANDOFF_CODE_LEN + 1];
	char why[HANDOFF_CODE_LEN + 1];         /* "no_agent", "closed", "message" (the customer chose it) */
	char resolution[HANDOFF_CODE_LEN + 1];  /* "" while open */
	bool open;
	int64_t created_at, closed_at;
};

/* A claim time, for the wait estimate. */
struct handoff_sample {
	char team[HANDOFF_CODE_LEN + 1];
	int64_t claimed_at;
	int64_t waited_ms;        /* queued_at -> claim */
	uint32_t position;        /* the place it entered the queue at */
};

struct handoff_msg {
	int64_t id;               /* store order (set by the store) */
	const char *conv;
	int64_t at;
	enum handoff_from from;
	const char *author;       /* the agent's username for HANDOFF_FROM_AGENT, else "" */
	const char *text;         /* UTF-8, text_len bytes, NUL-terminated */
	size_t text_len;
};

struct handoff_agent {
	char username[LIM_ID + 1];
	char name[LIM_HANDOFF_NAME + 1];         /* display name, shown to customers */
	char teams[LIM_HANDOFF_TEAM_LIST + 1];   /* comma-separated team names; "*" = every team */
	unsigned capacity;                       /* chats held at once, 1..LIM_HANDOFF_CAPACITY */
	char password[KDF_ENCODED_MAX];          /* kdf_hash_password() string */
	bool disabled;
	int64_t created_at;
};

struct handoff_draft {
	int64_t id;               /* set by the store */
	char agent[LIM_ID + 1];
	char conv[LIM_ID + 1];
	char lang[8];
	char scene[LIM_ID + 1];
	const char *question;     /* borrowed for the call */
	const char *answer;
	int64_t created_at;
};

/* Everything one state change writes: the store applies all of it in one transaction or nothing. */
struct handoff_write {
	const struct handoff_conv *conv;         /* the row after the change */
	enum handoff_state expect;               /* the stored state it must still be in (HANDOFF_BOT: absent or bot) */
	const struct handoff_event *event;       /* appended to the transition log */
	const struct handoff_ticket *ticket;     /* inserted (new ref) or updated, or NULL */
	const char *casefile;                    /* replaces the stored case file, or NULL to keep it */
	size_t casefile_len;
	const struct handoff_sample *sample;     /* a claim time to record, or NULL */
};

/* ---- the store interface (store/handoff_db.c implements it with SQLite) ---- */

/*
 * Every function returns 0 or a negative errno (-EIO for a database error).
 * Callbacks return 0 to go on; a non-zero return stops the walk and is
 * returned. Records passed to callbacks are borrowed for the call only.
 */
struct handoff_store_ops {
	/* Write one state change (see struct handoff_write): -EBUSY when the stored state is not w->expect,
	 * -EEXIST when w->ticket is new and its ref is taken; nothing is written then. */
	int (*write)(void *self, const struct handoff_write *w);
	/* Every conversation in state queued, assigned or ticket. */
	int (*load_open)(void *self, int (*fn)(void *arg, const struct handoff_conv *c), void *arg);
	/* One conversation in any state: 0 or -ENOENT. */
	int (*get_conv)(void *self, const char *id, struct handoff_conv *out);
	/* Up to max earlier conversations of customer, newest first, except the one named except (may be NULL). */
	int (*history)(void *self, const char *customer, const char *except, size_t max,
		       int (*fn)(void *arg, const struct handoff_conv *c), void *arg);
	/* The stored case file of conv: *out is malloc'd (free()), NUL-terminated; -ENOENT when none. */
	int (*get_casefile)(void *self, const char *conv, char **out, size_t *len);
	/* Append one transcript message (m->id is ignored). */
	int (*append_msg)(void *self, const struct handoff_msg *m);
	/* The transcript of conv, oldest first, messages with id > after, at most max. */
	int (*load_msgs)(void *self, const char *conv, int64_t after, size_t max,
			 int (*fn)(void *arg, const struct handoff_msg *m), void *arg);
	/* A ticket by ref: 0 or -ENOENT. */
	int (*get_ticket)(void *self, const char *ref, struct handoff_ticket *out);
	/* Claim times recorded at or after since, oldest first. */
	int (*load_samples)(void *self, int64_t since, int (*fn)(void *arg, const struct handoff_sample *s), void *arg);
	/* Agents: insert or replace; one by username (-ENOENT); all, by username; delete (-ENOENT). */
	int (*agent_put)(void *self, const struct handoff_agent *a);
	int (*agent_get)(void *self, const char *username, struct handoff_agent *out);
	int (*agent_list)(void *self, int (*fn)(void *arg, const struct handoff_agent *a), void *arg);
	int (*agent_delete)(void *self, const char *username);
	/* Agent sign-in sessions, by the SHA-256 (hex) of the token: store, look up (-ENOENT), delete.
	 * session_put also deletes sessions expired at now. */
	int (*session_put)(void *self, const char *token_hash, const char *agent, int64_t expires, int64_t now);
	int (*session_get)(void *self, const char *token_hash, char agent[LIM_ID + 1], int64_t *expires);
	int (*session_delete)(void *self, const char *token_hash);
	/* A KB entry proposed by an agent; d->id is set. */
	int (*draft_insert)(void *self, struct handoff_draft *d);
	/* Drafts, newest first, at most max. */
	int (*draft_list)(void *self, size_t max, int (*fn)(void *arg, const struct handoff_draft *d), void *arg);
};

/* ---- the hand-off desk ---- */

struct handoff_config {
	unsigned agent_grace_s;     /* an assigned chat waits this long for its agent to reconnect (default 60) */
	unsigned ticket_after_s;    /* queued chats of a team without an agent online this long become tickets (default 300) */
	unsigned wait_window_s;     /* claim times older than this are not used for estimates (default 3600) */
	unsigned wait_cap_min;      /* an estimate above this is "more than N minutes" (default 10) */
	unsigned wait_samples;      /* claim times needed for a confident estimate (default 3) */
	unsigned session_ttl_s;     /* an agent's sign-in lasts this long (default 12 h) */
	unsigned kdf_iter;          /* PBKDF2 iterations for new passwords (0: KDF_ITER_DEFAULT) */
	size_t max_open;            /* open conversations held (default and most LIM_HANDOFF_OPEN) */
	/* Random bytes for ticket references and session tokens; NULL: kdf_random(). */
	int (*random)(void *buf, size_t n);
	/* Encode a case file for storage (malloc'd, freed with free()); NULL: case files are not stored. */
	int (*encode_casefile)(const struct casefile *cf, char **out, size_t *len);
	/* Called after every persisted transition (including those made by handoff_tick), with the
	 * conversation after the change, the transition (ev->from, ev->to, ev->actor, ev->detail:
	 * "claim", "transfer:billing", "agent_gone", "returned", the resolution code, ...) and the agent
	 * who held the chat before it ("" when none): enough to tell the customer and to send
	 * `released` to that agent. It must not call back into the desk. NULL: none. */
	void (*on_change)(void *arg, const struct handoff_conv *c, const struct handoff_event *ev,
			  const char *prev_agent);
	void *arg;
};

/* Fill c with the defaults above. */
void handoff_config_default(struct handoff_config *c);

struct handoff;

/*
 * Create the desk on store (ops borrowed, store borrowed: both must outlive
 * it) and load the open conversations, the agents and the recent claim times.
 * Every agent starts offline at now: assigned chats wait agent_grace_s for
 * their agent. Returns NULL with *err set (-ENOMEM, -E2BIG when the store
 * holds more than max_open open conversations, the store's error).
 * Free with handoff_free().
 */
struct handoff *handoff_new(const struct handoff_config *cfg, const struct handoff_store_ops *ops, void *store,
			    int64_t now, int *err);

/* Free the desk (the store is untouched). NULL is a no-op. */
void handoff_free(struct handoff *h);

/* A counter that changes whenever the queue, an assignment or an agent's presence changes. */
uint64_t handoff_version(const struct handoff *h);

/*
 * The conversation id for a session token: 24 hex digits of a SHA-256 of
 * the token, so the id can be shown to agents and stored without revealing
 * the token (which resumes the conversation), and found again from it after
 * a restart.
 */
void handoff_conv_id(const char *session_token, char out[HANDOFF_CONV_LEN + 1]);

/* ---- configuration: teams and scene policies ---- */

/* Set a team's business hours (copied; NULL: always open). Returns 0, -EINVAL (bad name), -E2BIG. */
int handoff_set_team(struct handoff *h, const char *team, const struct handoff_hours *hours);

/* Set scene's policy (copied; scene NULL sets the default policy). Returns 0, -EINVAL, -E2BIG, -ENOMEM. */
int handoff_set_policy(struct handoff *h, const char *scene, const struct handoff_policy *p);

/*
 * The policy for scene: its own, else its nearest parent's ("order_detail"
 * for "order_detail.shipped"), else the default. Borrowed until the next
 * handoff_set_policy.
 */
const struct handoff_policy *handoff_policy_for(const struct handoff *h, const char *scene);

/* ---- transitions ---- */

struct handoff_wait {
	unsigned minutes;       /* confident: "about N minutes"; not: "more than N minutes" */
	bool confident;
};

/* What the customer should be told about their conversation. */
struct handoff_status {
	enum handoff_state state;
	size_t position;                        /* queued: 1-based place in its team's queue */
	struct handoff_wait wait;               /* queued: the estimate */
	char ticket[HANDOFF_TICKET_LEN + 1];    /* ticket: the reference to quote */
	char team[HANDOFF_CODE_LEN + 1];
	char agent[LIM_ID + 1];                 /* assigned: the agent's username */
	char agent_name[LIM_HANDOFF_NAME + 1];  /* assigned: the agent's display name */
};

struct handoff_request {
	const char *conv;              /* conversation id (handoff_conv_id) */
	const char *customer;          /* verified customer id; NULL: the conversation id */
	const char *customer_name;     /* may be NULL */
	const char *scene;             /* may be NULL: the default policy's team */
	const char *lang;              /* the customer's language, may be NULL */
	enum handoff_reason reason;
	int priority;                  /* handoff_priority() */
	bool vip;
	bool leave_message;            /* the customer prefers a ticket: skip the live queue */
	const char *summary;           /* NULL: casefile's summary, if any */
	const struct casefile *casefile;   /* stored with the conversation via encode_casefile; may be NULL */
};

/*
 * Hand rq->conv to a person: bot -> queued, then queued -> ticket at once
 * when the customer asked for it, when no agent of the team is online or
 * when the team is outside its business hours (should writing the ticket
 * fail, the chat stays queued and handoff_tick retries). A resolved
 * conversation, or an open ticket, first returns to the bot. Fills *out
 * (may be NULL) with where the chat now stands. Returns 0; -EINVAL for a bad
 * request or a conversation already queued or assigned (nothing changes);
 * -E2BIG when max_open conversations are open; -ENOMEM; the store's error.
 */
int handoff_request(struct handoff *h, const struct handoff_request *rq, int64_t now, struct handoff_status *out);

/*
 * True when a person of team could take a chat now: an agent of the team is
 * online and the team is inside its business hours. Hand-offs the customer did
 * not ask for (fallbacks, dislikes, sentiment) are only made when this holds;
 * otherwise the bot keeps the chat and offers a person, rather than turning it
 * into a ticket the customer never asked for.
 */
bool handoff_team_available(const struct handoff *h, const char *team, int64_t now);

/*
 * Agent claims conv: queued -> assigned. Atomic: of two claims of one chat
 * the second returns -EBUSY. Returns 0; -ENOENT (unknown conversation or
 * agent); -EBUSY (not queued any more); -EACCES (agent offline, disabled or
 * not in the chat's team); -ENOSPC (the agent holds capacity chats); the
 * store's error.
 */
int handoff_claim(struct handoff *h, const char *agent, const char *conv, int64_t now);

/*
 * Agent claims the first chat of its teams in routing order (priority, then
 * the longest wait). Writes the conversation id to conv_out. Returns 0,
 * -ENOENT when nothing is waiting, or handoff_claim's errors.
 */
int handoff_claim_next(struct handoff *h, const char *agent, int64_t now, char conv_out[LIM_ID + 1]);

/*
 * The holding agent hands conv to team (NULL: its own team) : assigned ->
 * queued, keeping its place (requested_at) and priority. Returns 0, -ENOENT,
 * -EPERM (agent does not hold it), -EINVAL (not assigned, bad team).
 */
int handoff_transfer(struct handoff *h, const char *agent, const char *conv, const char *team, int64_t now);

/* The holding agent returns conv to the bot: assigned -> bot. Errors as handoff_transfer. */
int handoff_return_to_bot(struct handoff *h, const char *agent, const char *conv, int64_t now);

/*
 * Close conv with a resolution code ([a-z0-9_], 1..32 bytes: "solved",
 * "no_reply", ...): assigned -> resolved by its agent, or ticket -> resolved
 * by any agent of the ticket's team (the ticket is closed too). Returns 0,
 * -ENOENT, -EPERM, -EINVAL (bad code or state).
 */
int handoff_close(struct handoff *h, const char *agent, const char *conv, const char *resolution, int64_t now);

/*
 * Queued -> ticket: why is "message" (the customer chose to leave one),
 * "no_agent" or "closed". Writes the reference to ref (may be NULL).
 * Returns 0, -ENOENT, -EINVAL (not queued).
 */
int handoff_to_ticket(struct handoff *h, const char *conv, const char *why, int64_t now,
		      char ref[HANDOFF_TICKET_LEN + 1]);

/*
 * The customer goes back to the bot: queued -> bot (left the queue) or
 * ticket -> bot (the ticket stays open for the agents). Returns 0, -ENOENT,
 * -EINVAL (neither queued nor ticket).
 */
int handoff_cancel(struct handoff *h, const char *conv, int64_t now);

/*
 * The customer wrote in conv: resolved -> bot; other states are kept. Sets
 * *state (may be NULL) to the state after the call: HANDOFF_ASSIGNED means
 * "forward to the agent", QUEUED and TICKET "record it for the agent", BOT
 * "the bot answers". Returns 0, -EINVAL (malformed id) or the store's error
 * (an unknown conversation is in the bot state).
 */
int handoff_customer_wrote(struct handoff *h, const char *conv, int64_t now, enum handoff_state *state);

/* ---- agents and presence ---- */

/*
 * An agent connected (one more console tab). Chats assigned to it stop
 * waiting for it. Returns the number of chats it holds, -ENOENT (unknown),
 * -EACCES (disabled).
 */
int handoff_agent_online(struct handoff *h, const char *agent, int64_t now);

/* An agent's tab closed; when it was the last, its chats wait agent_grace_s for it. */
void handoff_agent_offline(struct handoff *h, const char *agent, int64_t now);

/*
 * Time-driven transitions: assigned chats whose agent stayed away
 * agent_grace_s go back to the queue (keeping their place); queued chats of
 * a team outside its hours, or without an agent online for ticket_after_s,
 * become tickets. Call every few seconds. Returns the number of transitions,
 * or the first store error (the other transitions still happen).
 */
int handoff_tick(struct handoff *h, int64_t now);

/*
 * Add or replace an agent account: username [A-Za-z0-9._-] 1..64, a display
 * name, teams (comma-separated names, or "*"), capacity 1..20 and a
 * password (hashed with a fresh salt; NULL keeps the current one when
 * replacing). Returns 0, -EINVAL, -E2BIG (LIM_HANDOFF_AGENTS), the store's
 * error.
 */
int handoff_agent_add(struct handoff *h, const char *username, const char *name, const char *teams,
		      unsigned capacity, const char *password, int64_t now);

/* Disable (or enable) an account; a disabled agent cannot sign in or claim. Returns 0, -ENOENT. */
int handoff_agent_disable(struct handoff *h, const char *username, bool disabled);

/*
 * Re-read an account from the store: another process (the `faqbot agent`
 * command) may have changed it. An account deleted from the store is kept
 * in memory as disabled. Returns 0, -EINVAL, -ENOENT, the store's error.
 */
int handoff_agent_reload(struct handoff *h, const char *username);

/* The account (password holds the hash), or NULL. Borrowed until the next agent change. */
const struct handoff_agent *handoff_agent_find(const struct handoff *h, const char *username);

/* Chats the agent holds now. */
unsigned handoff_agent_load(const struct handoff *h, const char *username);

/*
 * Sign in: check the password (constant time; an unknown user costs the same
 * time) and open a session. Writes the session token (64 hex digits; give it
 * to the browser as an HttpOnly cookie, it is stored only as a hash).
 * Returns 0, -EACCES (unknown user, wrong password or disabled account), the
 * store's error.
 */
int handoff_login(struct handoff *h, const char *username, const char *password, int64_t now,
		  char token[HANDOFF_TOKEN_LEN + 1]);

/* The agent signed in with token, if the session is valid at now. Returns 0, -EACCES. */
int handoff_session(struct handoff *h, const char *token, int64_t now, char agent[LIM_ID + 1]);

/* Sign out: the token stops working. Returns 0 (also for an unknown token). */
int handoff_logout(struct handoff *h, const char *token);

/* ---- queries ---- */

/* An open conversation (queued, assigned, ticket), or NULL. Borrowed until the next transition. */
const struct handoff_conv *handoff_find(const struct handoff *h, const char *conv);

/* A conversation in any state, from memory or the store. Returns 0, -ENOENT, the store's error. */
int handoff_get(struct handoff *h, const char *conv, struct handoff_conv *out);

struct handoff_queue_item {
	const struct handoff_conv *conv;   /* borrowed until the next transition */
	size_t position;                   /* 1-based within its team */
	int64_t waited_ms;                 /* since queued_at */
};

/*
 * The queued chats an agent may claim (agent NULL: all), in routing order:
 * priority, then the longest wait (requested_at), then request order.
 * Writes at most max items; returns how many chats there are in all.
 */
size_t handoff_queue(const struct handoff *h, const char *agent, int64_t now, struct handoff_queue_item *out,
		     size_t max);

/* The chats agent holds, oldest claim first (borrowed); returns how many there are in all. */
size_t handoff_assigned(const struct handoff *h, const char *agent, const struct handoff_conv **out, size_t max);

/* Where conv stands, for the customer. Returns 0, -ENOENT (never handed off: state bot), the store's error. */
int handoff_status(struct handoff *h, const char *conv, int64_t now, struct handoff_status *out);

/*
 * Estimate the wait at position (1-based) in team's queue from the claim
 * times of the last wait_window_s: the median wait per place ahead, times
 * position. Not confident (minutes = wait_cap_min: "more than N minutes")
 * with fewer than wait_samples claim times, no agent online, the team
 * closed, or an estimate above the cap. A confident estimate is at least 1.
 */
void handoff_estimate(const struct handoff *h, const char *team, size_t position, int64_t now,
		      struct handoff_wait *out);

/* ---- transcripts, case files, history, drafts ---- */

/* Append a transcript message (text is UTF-8, 1..LIM_MSG_TEXT bytes). Returns 0, -EINVAL, -EILSEQ, the store's error. */
int handoff_append(struct handoff *h, const char *conv, enum handoff_from from, const char *author, const char *text,
		   size_t len, int64_t now);

/* Walk conv's transcript, oldest first (see load_msgs). */
int handoff_transcript(struct handoff *h, const char *conv, int (*fn)(void *arg, const struct handoff_msg *m),
		       void *arg);

/* The stored case file of conv: *out malloc'd (free()), NUL-terminated. Returns 0, -ENOENT. */
int handoff_casefile(struct handoff *h, const char *conv, char **out, size_t *len);

/* Up to max earlier conversations of customer (newest first), except conv. Returns how many, or an error. */
int handoff_history(struct handoff *h, const char *customer, const char *conv, struct handoff_conv *out, size_t max);

/* A ticket by reference (case-insensitive, with or without "T-"). Returns 0, -ENOENT, -EINVAL. */
int handoff_ticket(struct handoff *h, const char *ref, struct handoff_ticket *out);

/*
 * An agent proposes question -> answer (UTF-8, 1..LIM_HANDOFF_DRAFT bytes
 * each) as a KB entry for the editors' worklist. Writes the draft id to *id
 * (may be NULL). Returns 0, -ENOENT (agent), -EINVAL, the store's error.
 */
int handoff_propose(struct handoff *h, const char *agent, const char *conv, const char *lang, const char *scene,
		    const char *question, const char *answer, int64_t now, int64_t *id);

/* ---- agent assist ---- */

struct handoff_suggestion {
	const char *entry;       /* entry id, borrowed from the snapshot */
	const char *question;    /* its first question, borrowed */
	const char *answer;      /* borrowed */
	float score;
};

/*
 * The KB's best matches for the customer's latest message, whatever the
 * bot's decision would be (the agent judges). Strings are borrowed from kb:
 * encode them before it is freed. Returns how many (0..max), or kb_match's
 * error.
 */
int handoff_suggest(struct kb_snapshot *kb, const char *text, size_t len, const char *lang, const char *scene,
		    struct handoff_suggestion *out, size_t max);

#endif
