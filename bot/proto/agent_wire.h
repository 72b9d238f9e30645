/*
 * agent_wire.h - the agent console's protocol "faq-agent" (docs/agent-protocol.md):
 * versioned JSON envelopes from the console decoded into a struct, and the
 * server's envelopes (hello, queue snapshots, case files, messages, ...)
 * encoded from the hand-off desk's records; also the small JSON bodies of
 * the sign-in API and the Cookie header. Never touches a socket. Every
 * input is bounded and checked for UTF-8: a bad frame gives an error code
 * and a sentence, never a crash.
 */
#ifndef BOT_PROTO_AGENT_WIRE_H
#define BOT_PROTO_AGENT_WIRE_H

#include "core/limits.h"
#include "dialog/handoff.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AGENT_WIRE_VERSION 1
#define AGENT_WIRE_QUEUE_MAX 100          /* waiting chats in one snapshot */

enum agent_wire_type {
	AGENT_WIRE_CLAIM = 1,
	AGENT_WIRE_MSG,
	AGENT_WIRE_TYPING,
	AGENT_WIRE_TRANSFER,
	AGENT_WIRE_RETURN,
	AGENT_WIRE_CLOSE,
	AGENT_WIRE_PROPOSE,
	AGENT_WIRE_KB_SEARCH
};

/* A decoded console frame. Strings are NUL-terminated, "" when absent. */
struct agent_wire_in {
	enum agent_wire_type type;
	const char *type_name;                    /* static: "claim", "agent_msg", ... (for reply_to) */
	char conv[LIM_ID + 1];                    /* "" when absent (claim: the next one; kb_search: none) */
	char id[LIM_WIRE_ID + 1];                 /* agent_msg: the console's id */
	char *text;                               /* agent_msg, kb_search: owned */
	size_t text_len;
	bool on;                                  /* agent_typing */
	char team[HANDOFF_CODE_LEN + 1];          /* transfer */
	char resolution[HANDOFF_CODE_LEN + 1];    /* close */
	char *question, *answer;                  /* propose_kb_entry: owned */
	char lang[8];                             /* propose_kb_entry, optional */
	char scene[LIM_ID + 1];                   /* propose_kb_entry, optional */
};

/* Error codes of `error` envelopes (the customer protocol's, plus the desk's). */
#define AGENT_E_BAD_JSON      "bad_json"
#define AGENT_E_BAD_VERSION   "bad_version"
#define AGENT_E_BAD_TYPE      "bad_type"
#define AGENT_E_MISSING_FIELD "missing_field"
#define AGENT_E_BAD_FIELD     "bad_field"
#define AGENT_E_NOT_YOURS     "not_yours"
#define AGENT_E_BAD_STATE     "bad_state"
#define AGENT_E_NOT_FOUND     "not_found"
#define AGENT_E_RATE_LIMITED  "rate_limited"
#define AGENT_E_INTERNAL      "internal"

struct agent_wire_error {
	const char *code;          /* AGENT_E_*, static */
	char message[200];
	const char *type_name;     /* the frame's type when known, else NULL */
};

/*
 * Decode one frame buf[0..len) (not NUL-terminated). Texts are 1..max_text
 * bytes (agent_msg, kb_search), proposals 1..LIM_HANDOFF_DRAFT. Returns 0
 * with *out filled (release with agent_wire_in_clear), -EINVAL with err
 * filled, or -ENOMEM.
 */
int agent_wire_decode(const char *buf, size_t len, size_t max_text, struct agent_wire_in *out,
		      struct agent_wire_error *err);

/* Free what agent_wire_decode allocated and zero in. NULL is a no-op. */
void agent_wire_in_clear(struct agent_wire_in *in);

/*
 * Encoders: each returns a NUL-terminated envelope, its length in *len,
 * owned by the caller (free with agent_wire_free), or NULL when out of memory.
 */

/* The agent as the API and hello show it: {username, name, teams: [...], capacity}. Caller frees with cJSON_Delete. */
cJSON *agent_wire_agent(const struct handoff_agent *a);

/* hello: the agent, the teams it may transfer to and the resolution codes offered. */
char *agent_wire_hello(const struct handoff_agent *a, const char *const *teams, size_t n_teams,
		       const char *const *resolutions, size_t n_res, size_t *len);

/* queue: version, the waiting chats (at most AGENT_WIRE_QUEUE_MAX), how many wait in all, and the agent's own. */
char *agent_wire_queue(uint64_t version, const struct handoff_queue_item *waiting, size_t n_waiting, size_t total,
		       const struct handoff_conv *const *mine, size_t n_mine, size_t *len);

char *agent_wire_claimed(const char *conv, size_t *len);

/* claim_failed: conv may be NULL ("next"); code "busy", "capacity", "not_allowed", "not_found". */
char *agent_wire_claim_failed(const char *conv, const char *code, const char *message, size_t *len);

/*
 * case_file in three steps: begin with the stored case file (JSON text,
 * may be NULL: "case": null), which sets *skip to the transcript messages
 * it already holds; add the messages after those; finish (which frees b).
 */
cJSON *agent_wire_case_file_begin(const char *conv, const char *casefile, size_t cf_len, size_t *skip);
int agent_wire_case_file_add(cJSON *b, const struct handoff_msg *m);
char *agent_wire_case_file_finish(cJSON *b, size_t *len);

/* customer_msg: what the customer wrote in a chat the agent holds. id may be "". */
char *agent_wire_customer_msg(const char *conv, const char *id, const char *text, size_t text_len, int64_t at,
			      size_t *len);

/* agent_msg: an agent's message, echoed to the agent's tabs. */
char *agent_wire_agent_msg(const char *conv, const char *id, const char *text, size_t text_len, int64_t at,
			   const char *author, size_t *len);

char *agent_wire_typing(const char *conv, bool on, size_t *len);

/* kb_suggestions for conv (may be NULL), for a message id or a query. */
char *agent_wire_suggestions(const char *conv, const char *for_, const struct handoff_suggestion *items, size_t n,
			     size_t *len);

/* released: why is "closed", "transferred", "returned", "agent_gone", "customer_left". */
char *agent_wire_released(const char *conv, const char *why, size_t *len);

char *agent_wire_proposed(const char *conv, int64_t draft, size_t *len);

/* error: reply_to (may be NULL) is the type of the refused frame. */
char *agent_wire_error(const char *code, const char *message, const char *reply_to, size_t *len);

/* Free an encoded envelope. NULL is a no-op. */
void agent_wire_free(char *env);

/* ---- the sign-in API ---- */

/*
 * The body of POST /api/agent/login: {"username": "...", "password": "..."}.
 * Returns 0 with both copied (username up to LIM_ID bytes, password up to
 * KDF_PASSWORD_MAX), or -EINVAL (not that object, missing or over-long fields).
 */
int agent_wire_login_decode(const char *buf, size_t len, char user[LIM_ID + 1], char pass[KDF_PASSWORD_MAX + 1]);

/*
 * The value of cookie name in a Cookie header ("a=1; faq_agent=abc"), copied
 * to out (size bytes with the NUL). Returns 0, -ENOENT (absent), -E2BIG (too long).
 */
int agent_wire_cookie(const char *header, const char *name, char *out, size_t size);

#endif
