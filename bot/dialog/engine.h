/*
 * engine.h - the reply logic of the customer chat: what the bot says to a
 * hello, a message, a did-you-mean choice or feedback. No I/O and no
 * encoding: it returns reply structs that proto/ encodes and net/ sends.
 *
 * Replies borrow strings from the KB snapshot they were computed with (the
 * answer text, questions, quick replies, links): encode them before that
 * snapshot is freed, i.e. before returning to the event loop. The session
 * keeps only entry ids.
 *
 * Localised texts (greeting, "Did you mean:", fallbacks) exist in English
 * and Chinese; other languages get the English ones.
 */
#ifndef BOT_DIALOG_ENGINE_H
#define BOT_DIALOG_ENGINE_H

#include "core/limits_serve.h"
#include "dialog/session.h"
#include "kb/kb.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct engine_opts {
	size_t suggestions;               /* questions offered in welcome and fallback, <= LIM_SUGGESTIONS */
	unsigned fallbacks_before_human;  /* after this many fallbacks in a row, say a person should help */
};

/* Defaults: 4 suggestions, a person after 2 fallbacks. */
void engine_opts_default(struct engine_opts *o);

/*
 * The KB language to use for a customer's language tag ("zh-TW" -> "zh",
 * "EN_gb" -> "en"): its primary subtag when the KB declares it, otherwise
 * the KB's default language. tag may be NULL. Borrowed from the snapshot.
 */
const char *engine_lang(const struct kb_snapshot *kb, const char *tag);

struct engine_welcome {
	const char *lang;                               /* borrowed from the snapshot */
	char greeting[LIM_UI_TEXT];
	const char *suggestions[LIM_SUGGESTIONS];       /* questions, borrowed from the snapshot */
	size_t n_suggestions;
};

/*
 * The welcome for a customer in lang (a tag, see engine_lang) on scene (may be
 * NULL): the greeting and the first question of a few entries in that
 * language, entries serving the scene first. now is for validity windows
 * (0 = the current time).
 */
void engine_welcome(const struct engine_opts *o, const struct kb_snapshot *kb, const char *lang, const char *scene,
		 time_t now, struct engine_welcome *out);

enum engine_kind { ENGINE_ANSWER = 0, ENGINE_CLARIFY, ENGINE_FALLBACK };

struct engine_cand {
	const char *entry;      /* entry id, borrowed */
	const char *question;   /* its first question, borrowed */
};

struct engine_reply {
	enum engine_kind kind;
	uint32_t id;                                  /* server message number: "s-<id>" */
	const char *lang;                             /* language of the reply, borrowed */
	const struct kb_entry *entry;                 /* ENGINE_ANSWER: the entry (text = entry->answer) */
	char text[LIM_UI_TEXT];                       /* ENGINE_CLARIFY, ENGINE_FALLBACK: the bot's words */
	struct engine_cand cand[LIM_CANDIDATES];         /* ENGINE_CLARIFY: 1..LIM_CANDIDATES */
	size_t n_cand;
	const char *suggestions[LIM_SUGGESTIONS];     /* ENGINE_FALLBACK: questions to try */
	size_t n_suggestions;
};

/* The reply's text: the answer of an ENGINE_ANSWER, otherwise r->text. Borrowed. */
const char *engine_reply_text(const struct engine_reply *r);

/*
 * Reply to the customer's text in session s on scene (may be NULL). The text
 * is matched in the language it is written in, with the session's language
 * as the hint; the reply is in the language matched. Updates s (message id,
 * consecutive fallbacks, open did-you-mean, answer notes). Returns 0, -EINVAL
 * for empty text, -EILSEQ for invalid UTF-8 (s untouched).
 */
int engine_message(const struct engine_opts *o, struct kb_snapshot *kb, struct sess *s, const char *text, size_t len,
		const char *scene, time_t now, struct engine_reply *out);

/*
 * Reply to a did-you-mean choice: entry (an id) is answered in the language
 * of the did-you-mean question clarify_id when it is the open one, else in
 * the session's language; entry NULL ("none of these") gets a fallback.
 * Returns 0, or -ENOENT when entry is not in the KB (s untouched).
 */
int engine_choose(const struct engine_opts *o, struct kb_snapshot *kb, struct sess *s, uint32_t clarify_id,
	       const char *entry, const char *scene, time_t now, struct engine_reply *out);

/*
 * Feedback on message reply_to. Returns 0 and sets *entry (borrowed from s,
 * valid until the next answer) to the entry it answered, or -ENOENT when
 * reply_to is not a recent answer of this session (*entry = NULL).
 */
int engine_feedback(struct sess *s, uint32_t reply_to, bool up, const char **entry);

#endif
