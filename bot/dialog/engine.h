/*
 * engine.h - the reply logic of the customer chat: what the bot says to a
 * hello or a change of page, a message, a did-you-mean choice, "did this
 * solve it?", feedback and a survey. The server, `faqbot ask` and `faqbot
 * test dialogs` all go through these functions. No I/O and no encoding: it
 * returns reply structs that proto/ encodes and net/ sends.
 *
 * One message goes: tokens (once) -> a pending slot question -> a follow-up
 * of the last answer -> the scene's intents -> the FAQ (with the scene's
 * boosts and exclusions) -> "was that a yes/no to 'did this solve it?'".
 *
 * The engine borrows a content pair, a KB snapshot and the intent set
 * compiled with its analyzer (engine_set_content); the caller swaps both
 * together. Replies borrow strings from that pair (answers, questions, quick
 * replies, links, intent ids): encode them before the pair is freed, i.e.
 * before returning to the event loop. Sessions keep only ids.
 *
 * The engine's own texts (greeting, "Did you mean:", fallbacks, "glad that
 * helped") exist in English and Chinese; other languages get the English.
 * Not thread-safe: one engine per service thread.
 */
#ifndef BOT_DIALOG_ENGINE_H
#define BOT_DIALOG_ENGINE_H

#include "core/limits.h"
#include "dialog/handoff.h"
#include "dialog/session.h"
#include "intent/intent.h"
#include "kb/kb.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define ENGINE_TEXT_BYTES   (INTENT_TEXT_BYTES + LIM_ANSWER_BYTES + 2)   /* an intent's words, then its entry */
#define ENGINE_NOTICES      4          /* notices sent with one welcome or reply */
#define ENGINE_TYPING_SECS  8          /* a typing "on" this recent holds notices back */

struct engine_opts {
	size_t suggestions;               /* questions offered in welcome and fallback, <= LIM_SUGGESTIONS */
	unsigned fallbacks_before_human;  /* after this many fallbacks in a row, say a person should help */
	const char *context_secret;       /* verifies signed context (borrowed); NULL or "": nothing is trusted */
};

/* Defaults: 4 suggestions, a person after 2 fallbacks, no secret. */
void engine_opts_default(struct engine_opts *o);

struct engine;

/* A new engine without content. o is copied (the secret string is borrowed). NULL when out of memory. */
struct engine *engine_new(const struct engine_opts *o);

/* Free. NULL is a no-op. The content pair is the caller's. */
void engine_free(struct engine *e);

/*
 * Use kb and intents (borrowed until the next call or engine_free; intents
 * may be NULL: FAQ only, and must have been compiled with kb_analyzer(kb)).
 * Call it with the new pair before freeing the old one.
 */
void engine_set_content(struct engine *e, struct kb_snapshot *kb, struct intent_set *intents);

/*
 * Load the intents in dir for kb: intent_load with kb's analyzer, then
 * intent_check_entries against kb's entries. Returns the set (free with
 * intent_set_free) or NULL when there are errors; d gets every message
 * (the caller must intent_diag_clear it in both cases).
 */
struct intent_set *engine_load_intents(const char *dir, struct kb_snapshot *kb, struct intent_diag *d);

/* The current pair (borrowed). */
struct kb_snapshot *engine_kb(const struct engine *e);
struct intent_set *engine_intents(const struct engine *e);

/*
 * The KB language to use for a customer's language tag ("zh-TW" -> "zh",
 * "EN_gb" -> "en"): its primary subtag when the KB declares it, otherwise
 * the KB's default language. tag may be NULL. Borrowed from the snapshot.
 */
const char *engine_lang(const struct kb_snapshot *kb, const char *tag);

/*
 * Where the customer is: the page (hello's or scene's "scene") and its
 * context object as compact JSON. Both borrowed, both may be NULL. One per
 * connection: two tabs of one conversation can be on different pages.
 */
struct engine_where {
	const char *page;
	const char *context;
};

struct engine_notice {
	const char *id;                 /* borrowed from the intent set */
	const char *text;
};

struct engine_welcome {
	const char *lang;                               /* borrowed from the snapshot */
	char scene[LIM_ID + 1];                         /* the scene matched, "" without intents */
	char greeting[LIM_UI_TEXT];
	const char *suggestions[LIM_SUGGESTIONS];       /* questions, borrowed from the pair */
	size_t n_suggestions;
	struct engine_notice notices[ENGINE_NOTICES];   /* to send right after the welcome */
	size_t n_notices;
};

/*
 * A hello or a new page: record where in s (page, scene, context, whether it
 * was signed), set s's language from lang (a tag, may be NULL: keep s's, or
 * the KB's default), and build the welcome: the scene's greeting and "you
 * may want to ask" (ranked by what customers in this scene were answered),
 * or without intents the KB's greeting and entries serving the page. Active
 * notices not yet shown in s come with it, unless the customer is typing:
 * then they wait for the next reply. now: seconds since the epoch, 0 = now.
 * Returns 0 or -ENOMEM (the context was not kept; the welcome is still made).
 */
int engine_welcome(struct engine *e, struct sess *s, const struct engine_where *w, const char *lang, time_t now,
		   struct engine_welcome *out);

enum engine_kind {
	ENGINE_ANSWER = 0,   /* a solution: a KB entry or an intent's words */
	ENGINE_CLARIFY,      /* did you mean: candidates */
	ENGINE_FALLBACK,     /* no answer, honestly */
	ENGINE_ASK,          /* a question for a fact the answer needs (slot) */
	ENGINE_HANDOFF,      /* handed to a person */
	ENGINE_TICKET,       /* a ticket for a team */
	ENGINE_INFO          /* the bot's own words: after "solved", after "not solved" */
};

/* "answer", "clarify", "fallback", "ask", "handoff", "ticket", "info". Static. */
const char *engine_kind_name(enum engine_kind k);

struct engine_cand {
	const char *entry;      /* entry id, borrowed */
	const char *question;   /* its first question, borrowed */
};

struct engine_reply {
	enum engine_kind kind;
	uint32_t id;                                  /* server message number: "s-<id>" */
	const char *lang;                             /* language of the reply, borrowed */
	char scene[LIM_ID + 1];                       /* the scene it was matched in, "" without intents */
	const struct kb_entry *entry;                 /* the entry answered, or NULL */
	float score;                                  /* the FAQ's score when it answered, else 0 */
	const char *intent;                           /* the intent that replied (borrowed), or NULL */
	char text[ENGINE_TEXT_BYTES];                 /* the words; "" for an entry's answer alone */
	const char *const *quick;                     /* quick replies (borrowed) */
	size_t n_quick;
	struct engine_cand cand[LIM_CANDIDATES];      /* ENGINE_CLARIFY: 1..LIM_CANDIDATES */
	size_t n_cand;
	const char *suggestions[LIM_SUGGESTIONS];     /* ENGINE_FALLBACK: questions to try */
	size_t n_suggestions;
	const char *ask;                              /* ENGINE_ASK: the slot asked for (borrowed) */
	const char *team;                             /* ENGINE_HANDOFF, ENGINE_TICKET: the route (borrowed) */
	const char *priority;                         /* "normal", "high", "urgent" */
	bool survey;                                  /* invite the customer to rate the chat */
	bool followup;                                /* read as a follow-up of the previous answer */
	unsigned coverage;                            /* words the intent's trigger matched */
	struct intent_slot slots[INTENT_MAX_SLOTS];   /* slots filled (copies) */
	size_t n_slots;
	struct engine_notice notices[ENGINE_NOTICES]; /* held notices: send them after the reply */
	size_t n_notices;
};

/* The reply's text: an entry's answer when there are no words of its own. Borrowed. */
const char *engine_reply_text(const struct engine_reply *r);

/*
 * Reply to the customer's text in session s, on the page w (NULL: the one
 * recorded by the last engine_welcome). The text is matched in the
 * language it is written in, with the session's language as the hint; the
 * reply is in the language matched. Updates s (message id, pending slot
 * question, last answer and follow-up turns, consecutive fallbacks, open
 * did-you-mean, outcome, hand-off request, usage counts). now: seconds since
 * the epoch (0 = now), for validity windows, follow-ups and notices.
 * Returns 0, -EINVAL for empty text or no content, -EILSEQ for invalid UTF-8
 * (s untouched).
 */
int engine_message(struct engine *e, struct sess *s, const struct engine_where *w, const char *text, size_t len,
		   time_t now, struct engine_reply *out);

/*
 * Reply to a did-you-mean choice: entry (an id) is answered in the language
 * of the did-you-mean question clarify_id when it is the open one, else in
 * the session's language; entry NULL ("none of these") gets a fallback.
 * Returns 0, or -ENOENT when entry is not in the KB (s untouched).
 */
int engine_choose(struct engine *e, struct sess *s, const struct engine_where *w, uint32_t clarify_id,
		  const char *entry, time_t now, struct engine_reply *out);

/*
 * "Did this solve it?" on answer reply_to: yes records the conversation as
 * solved and thanks the customer with a survey; no records it unsolved and
 * offers the answer's runner-ups, or (when there are none, or they did not
 * help either) a person. Returns 0, or -ENOENT when reply_to is not a recent
 * answer of s (s untouched).
 */
int engine_resolved(struct engine *e, struct sess *s, const struct engine_where *w, uint32_t reply_to, bool yes,
		    time_t now, struct engine_reply *out);

/*
 * Feedback on message reply_to. Returns 0 and sets *entry (borrowed from s,
 * valid until the next answer) to the entry it answered, or -ENOENT when
 * reply_to is not a recent answer of this session (*entry = NULL).
 */
int engine_feedback(struct sess *s, uint32_t reply_to, bool up, const char **entry);

/*
 * The end-of-chat survey: csat 1-5 and/or ces 1-7 (a negative value: not
 * given). Returns 0 (recorded in s), -EINVAL when neither is given, -ERANGE
 * when one is off its scale (s untouched).
 */
int engine_survey(struct sess *s, int csat, int ces);

/* The customer started (on) or stopped typing at now (seconds since the epoch, 0 = now). */
void engine_typing(struct sess *s, bool on, time_t now);

/*
 * Hand the conversation to a person: the one place the hand-off queue
 * (dialog/handoff) is to be called from. For now it records the request in
 * s->handoff (reason, ticket or not, the route's team and priority, the
 * intent that asked, the scene, the time). route may be NULL (team
 * "support", normal priority). intent may be NULL.
 */
void engine_request_handoff(struct sess *s, enum handoff_reason reason, const struct intent_route *route, bool ticket,
			    const char *intent, time_t now);

/*
 * Print how the FAQ ranks text on the page w (the scene's boosts and
 * exclusions included): kb_explain with the query engine_message would use.
 * Returns kb_explain's result.
 */
int engine_explain(struct engine *e, struct sess *s, const struct engine_where *w, const char *text, size_t len,
		   time_t now, FILE *out);

#endif
