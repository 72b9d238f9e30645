/*
 * session.h - conversations that belong to the customer, not to a socket.
 *
 * A session is named by a random 128-bit token (32 hex digits) that the
 * customer keeps and sends back on reconnect. It holds the transcript (the
 * last envelopes sent, as opaque encoded bytes, for replay on resume), the
 * dialog state the engine needs (language, consecutive fallbacks, the open
 * did-you-mean question, recent answers) and the connections ("tabs") open
 * on it, as opaque pointers that net/ sets and clears. It stores KB entry
 * ids, never struct kb_entry pointers: the KB may be reloaded at any time.
 *
 * A session without tabs expires ttl after its last activity; the store is
 * bounded, and when full the least recently used session without tabs is
 * evicted. All times are microseconds from the caller's monotonic clock.
 * No I/O except the kernel's random bytes for new tokens. Not thread-safe.
 */
#ifndef BOT_DIALOG_SESSION_H
#define BOT_DIALOG_SESSION_H

#include "core/limits.h"
#include "intent/intent.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SESS_TOKEN_BYTES 16                       /* 128 bits */
#define SESS_TOKEN_LEN   (2 * SESS_TOKEN_BYTES)   /* as hex */

struct sess_opts {
	size_t max_sessions;      /* sessions kept at once (>= 1) */
	uint64_t ttl_us;          /* idle lifetime after the last tab left */
	size_t transcript_max;    /* envelopes kept (>= 1) */
	size_t transcript_bytes;  /* bytes of envelopes kept */
	size_t max_tabs;          /* connections at once, 1..LIM_TABS */
	/* New tokens: write 2 * SESS_TOKEN_BYTES hex digits and a NUL; 0 or -errno. NULL: the kernel's randomness. */
	int (*token_fn)(char *out, void *arg);
	void *token_arg;
};

/* Fill o with the defaults of core/limits.h. */
void sess_opts_default(struct sess_opts *o);

struct sess_note {
	uint32_t id;                   /* server message number (the N of "s-N") */
	char entry[LIM_ID + 1];        /* the entry answered */
	char lang[8];
};

/* How the conversation ended, as the customer said it: silence stays unknown. */
enum sess_outcome { SESS_OUTCOME_UNKNOWN = 0, SESS_OUTCOME_SOLVED, SESS_OUTCOME_UNSOLVED };

#define SESS_NOTICES_SEEN 16             /* notice ids remembered as shown */

/*
 * A hand-off the engine asked for (engine_request_handoff). Ids and copies
 * only: the hand-off queue (dialog/handoff) takes it from here.
 */
struct sess_handoff {
	bool requested;
	bool ticket;                   /* a ticket rather than a live person */
	int reason;                    /* enum handoff_reason */
	char team[LIM_ID + 1];
	int priority;                  /* enum intent_priority */
	char intent[LIM_ID + 1];       /* the intent that asked, "" for a policy or the button */
	char scene[LIM_ID + 1];
	int64_t at;                    /* seconds since the epoch */
};

struct sess_env {
	char *buf;                     /* NUL-terminated encoded envelope, owned */
	size_t len;
};

struct sess {
	/* Identity: read only. */
	char token[SESS_TOKEN_LEN + 1];

	/* Dialog state, kept by dialog/engine.c (and set from hello by the caller). */
	char lang[8];                  /* the customer's language, "" when not known */
	char *context;                 /* the hello's context as compact JSON, owned, or NULL */
	unsigned fallbacks;            /* consecutive fallback replies */
	uint32_t clarify_id;           /* the open did-you-mean question, 0 when none */
	char clarify_lang[8];
	char clarify_cand[LIM_CANDIDATES][LIM_ID + 1];
	size_t n_clarify;
	struct sess_note notes[LIM_REPLIES_KEPT];   /* recent answers, a ring */
	size_t n_notes, notes_head;

	/* Scene and intents (ids only: the KB and intents may be reloaded at any time). */
	char page[LIM_SCENE_BYTES + 1];   /* the latest hello's or scene's page ("order_detail") */
	char scene[LIM_ID + 1];        /* the scene it matched ("order_detail.shipped"), "" without intents */
	int context_check;             /* context_load's result for it: 0, -EKEYREJECTED, -ETIME, -EINVAL, -E2BIG */
	bool context_signed;           /* a valid signed block was part of it */
	char pending[LIM_ID + 1];      /* the intent waiting for the answer to a slot question, "" when none */
	struct intent_slot *slots;     /* the slots it has so far, owned (sess_set_slots), or NULL */
	size_t n_slots;
	unsigned asks;                 /* times the pending slot was asked */
	char last[LIM_ID + 1];         /* the last answer's entry or intent id, for follow-ups */
	int64_t last_at;               /* when it was given (seconds since the epoch) */
	unsigned turns;                /* customer messages since then */
	uint32_t last_answer;          /* its message number (the N of "s-N"), 0 when none */
	char alts[LIM_CANDIDATES][LIM_ID + 1];   /* runner-up entries of that answer, offered on "no" */
	size_t n_alts;
	unsigned nos;                  /* "not solved" replies since the customer's last question */

	/* Outcomes, as the customer said them. */
	enum sess_outcome outcome;
	int csat, ces;                 /* survey answers, 0 when not given */
	struct sess_handoff handoff;

	/* Notices: shown once per conversation, never while the customer types. */
	uint64_t notices_seen[SESS_NOTICES_SEEN];   /* hashes of the notice ids shown */
	size_t n_notices_seen;
	bool notices_held;             /* notices wait for the next reply */
	bool typing;                   /* the last typing frame said "on" ... */
	int64_t typing_at;             /* ... at this time (seconds since the epoch) */

	/* Private to session.c. */
	uint32_t next_id;
	uint64_t last_seen;
	void *conns[LIM_TABS];
	size_t n_conns;
	struct sess_env *log;          /* ring of transcript_max envelopes */
	size_t log_head, log_n, log_bytes;
	struct sess *hnext, *lru_prev, *lru_next;
	struct sess_store *store;
};

struct sess_store;

/* Create a store. opts is copied. NULL on allocation failure. Free with sess_store_free(). */
struct sess_store *sess_store_new(const struct sess_opts *opts);

/* Free the store and every session in it. NULL is a no-op. */
void sess_store_free(struct sess_store *st);

/*
 * Find the session named by token (may be NULL or malformed: then a new one
 * is made) or create a new one with a fresh token. An expired session is
 * freed and replaced by a new one. Sets *out to the session, borrowed: valid
 * until it expires (never while a tab is attached) or the store is freed.
 * Returns 1 when an existing session was resumed, 0 when a new one was made,
 * -EBUSY when the store is full of sessions that all have tabs, -ENOMEM, or
 * the token generator's error.
 */
int sess_open(struct sess_store *st, const char *token, uint64_t now, struct sess **out);

/*
 * Like sess_open, but a new session keeps token (a well-formed one) instead
 * of a fresh one: to bring back a conversation whose session was lost (a
 * restart) while the hand-off store still holds it. Returns 1 (found), 0
 * (made with token), -EINVAL (malformed token) or sess_open's errors.
 */
int sess_open_as(struct sess_store *st, const char *token, uint64_t now, struct sess **out);

/*
 * Look a session up without creating one. Returns NULL when unknown or
 * expired (an expired one is left for sess_sweep). Borrowed.
 */
struct sess *sess_find(struct sess_store *st, const char *token, uint64_t now);

/* Attach an opaque connection. Returns 0, or -EMLINK when max_tabs are attached. */
int sess_attach(struct sess *s, void *conn, uint64_t now);

/* Detach conn (no-op when it is not attached); the idle clock starts at now. */
void sess_detach(struct sess *s, void *conn, uint64_t now);

/* Attached connections: count and the i-th (borrowed). */
size_t sess_conn_count(const struct sess *s);
void *sess_conn_at(const struct sess *s, size_t i);

/* Mark activity at now (a message), so an idle clock restarts from here. */
void sess_touch(struct sess *s, uint64_t now);

/*
 * Append an encoded envelope to the transcript (copied). The oldest are
 * dropped to stay within transcript_max and transcript_bytes. Returns 0,
 * -ENOMEM, or -E2BIG when env alone is over transcript_bytes (not kept).
 */
int sess_log(struct sess *s, const char *env, size_t len);

/* Transcript: number of envelopes and the i-th, oldest first (borrowed until the next sess_log). */
size_t sess_log_count(const struct sess *s);
const struct sess_env *sess_log_at(const struct sess *s, size_t i);

/* The next server message number (1, 2, ...), for ids "s-N". */
uint32_t sess_next_id(struct sess *s);

/* The last number handed out by sess_next_id (0 when none). */
uint32_t sess_last_id(const struct sess *s);

/* Remember that message id answered entry (in lang); the oldest note is forgotten first. */
void sess_note_answer(struct sess *s, uint32_t id, const char *entry, const char *lang);

/* The note for message id, or NULL when it was not an answer or is forgotten. Borrowed. */
const struct sess_note *sess_note_find(const struct sess *s, uint32_t id);

/* Replace the context (copied; NULL clears). Returns 0 or -ENOMEM. */
int sess_set_context(struct sess *s, const char *json);

/* Replace the slots of the pending intent (copied; n = 0 clears). Returns 0 or -ENOMEM (then cleared). */
int sess_set_slots(struct sess *s, const struct intent_slot *slots, size_t n);

/*
 * Free the sessions without tabs whose idle time reached the TTL. Returns how
 * many were freed. Pointers to them become invalid.
 */
size_t sess_sweep(struct sess_store *st, uint64_t now);

/* Sessions held. */
size_t sess_count(const struct sess_store *st);

/* Whether s is a well-formed token (32 lowercase hex digits). */
bool sess_is_token(const char *s);

#endif
