/*
 * wire.h - the customer protocol's versioned JSON envelopes (docs/protocol.md)
 * to and from the engine's structs. The only place that knows the wire
 * format; it never touches a socket. Every input is bounded and validated:
 * a bad frame yields an error code and a sentence saying what was wrong,
 * never a crash.
 */
#ifndef BOT_PROTO_WIRE_H
#define BOT_PROTO_WIRE_H

#include "core/limits.h"
#include "dialog/engine.h"
#include "dialog/session.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_VERSION 1

enum wire_type { WIRE_HELLO = 1, WIRE_MESSAGE, WIRE_FEEDBACK, WIRE_CHOOSE, WIRE_TYPING, WIRE_SCENE, WIRE_RESOLVED,
		 WIRE_SURVEY, WIRE_HANDOFF, WIRE_CANCEL_HANDOFF };

/* A decoded client frame. Strings are NUL-terminated; "" when absent. */
struct wire_in {
	enum wire_type type;
	/* hello, scene */
	char token[LIM_WIRE_TOKEN + 1];
	char lang[LIM_WIRE_LANG + 1];
	char scene[LIM_SCENE_BYTES + 1];
	char *context;                     /* compact JSON of the context object, owned, or NULL */
	/* message */
	char id[LIM_WIRE_ID + 1];
	char *text;                        /* owned */
	size_t text_len;
	/* feedback, choose, resolved */
	char reply_to[LIM_WIRE_ID + 1];
	uint32_t reply_num;                /* N when reply_to is "s-N", else 0 */
	bool up;                           /* feedback: "up" */
	char entry[LIM_ID + 1];            /* choose: the entry id */
	bool has_entry;                    /* choose: false for "none of these" (null) */
	bool yes;                          /* resolved: "value" */
	/* typing */
	bool on;
	/* handoff: leave a message (a ticket) rather than wait for a person */
	bool leave_message;
	/* survey: -1 when not given (the range is the engine's to check) */
	int csat, ces;
};

/* Error codes sent in `error` envelopes. */
#define WIRE_E_BAD_JSON      "bad_json"
#define WIRE_E_BAD_UTF8      "bad_utf8"
#define WIRE_E_BAD_VERSION   "bad_version"
#define WIRE_E_BAD_TYPE      "bad_type"
#define WIRE_E_MISSING_FIELD "missing_field"
#define WIRE_E_BAD_FIELD     "bad_field"
#define WIRE_E_TOO_LONG      "too_long"
#define WIRE_E_NOT_READY     "not_ready"
#define WIRE_E_RATE_LIMITED  "rate_limited"
#define WIRE_E_BUSY          "busy"
#define WIRE_E_INTERNAL      "internal"

struct wire_error {
	const char *code;          /* one of WIRE_E_*, static */
	char message[200];         /* for people: what was wrong */
};

/*
 * Decode one frame buf[0..len) (not NUL-terminated). max_text bounds a
 * message's text in bytes. Returns 0 with *out filled (release it with
 * wire_in_clear), -EINVAL with err filled and *out cleared, or -ENOMEM.
 */
int wire_decode(const char *buf, size_t len, size_t max_text, struct wire_in *out, struct wire_error *err);

/* Free what wire_decode allocated in in and zero it. NULL is a no-op. */
void wire_in_clear(struct wire_in *in);

/*
 * Encoders. Each returns a NUL-terminated envelope and its length in *len,
 * owned by the caller (free with wire_free), or NULL when out of memory.
 */

/*
 * welcome: the token, the welcome texts (with the scene matched, when there
 * is one) and s's transcript (oldest first); resumed says whether s existed.
 */
char *wire_welcome(const char *token, const struct engine_welcome *w, const struct sess *s, bool resumed, size_t *len);

/*
 * answer / clarify / fallback for r; reply_to (may be NULL or "") is what it
 * replies to. ENGINE_ASK, _HANDOFF, _TICKET and _INFO are answers with a
 * "kind"; an answer names its "entry" and/or "intent"; hand-offs and tickets
 * carry "action" and "route".
 */
char *wire_reply(const struct engine_reply *r, const char *reply_to, size_t *len);

/* The customer's own message (for their other tabs and the transcript). id may be "" or NULL. */
char *wire_customer_message(const char *id, const char *text, size_t text_len, size_t *len);

/* The customer's feedback and choice, as recorded in the transcript (entry NULL: none of these). */
char *wire_feedback(const char *reply_to, bool up, size_t *len);
char *wire_choose(const char *reply_to, const char *entry, size_t *len);

/* The customer's "did this solve it?" and survey, as recorded in the transcript (a value < 0: not given). */
char *wire_resolved(const char *reply_to, bool yes, size_t *len);
char *wire_survey(int csat, int ces, size_t *len);

/* error: code (WIRE_E_*), message, and retry_after_ms when >= 0. */
char *wire_error(const char *code, const char *message, long long retry_after_ms, size_t *len);

/* notice: a banner text. */
char *wire_notice(const char *text, size_t *len);

/* Free an encoded envelope. NULL is a no-op. */
void wire_free(char *env);

/* Parse "s-N" (N in 1..2^32-1) into *n. Returns true on success. */
bool wire_parse_msg_id(const char *s, uint32_t *n);

#endif
