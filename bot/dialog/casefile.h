/*
 * casefile.h - the case file an agent receives with a handed-off chat: who
 * the customer is, where they are, why the bot handed over, how they feel,
 * everything said, every answer the bot showed with the customer's reaction,
 * the detected intent and slots, earlier conversations, and a generated
 * one-paragraph summary at the top, in the agent's language (en or zh).
 *
 * This is the model; proto/casefile.c encodes it as versioned JSON ("v": 1,
 * docs/handoff.md). A case file owns copies of every string it is given.
 * Inputs are bounded (core/limits.h): over-long strings are cut on a
 * character boundary, the oldest transcript messages are dropped and counted.
 * No I/O.
 */
#ifndef BOT_DIALOG_CASEFILE_H
#define BOT_DIALOG_CASEFILE_H

#include "core/limits.h"
#include "dialog/handoff.h"
#include "dialog/sentiment.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CASEFILE_VERSION 1

/* How the customer reacted to an answer. */
enum casefile_reaction {
	CASEFILE_IGNORED = 0,   /* nothing followed (the chat ended or was handed over) */
	CASEFILE_UP,            /* 👍 */
	CASEFILE_DOWN,          /* 👎 */
	CASEFILE_REPHRASED      /* no feedback; the customer wrote again */
};

/* "ignored", "up", "down", "rephrased". Static. */
const char *casefile_reaction_name(enum casefile_reaction r);

struct casefile_pair {
	char *key, *value;
};

struct casefile_msg {
	enum handoff_from from;
	int64_t at;
	char *author;      /* the agent's username, or "" */
	char *text;
};

struct casefile_answer {
	int64_t at;
	char *entry;       /* KB entry id */
	char *question;    /* the entry's first question, or "" */
	enum casefile_reaction reaction;
	bool settled;      /* the reaction was given (👍/👎), not derived */
};

struct casefile_prev {
	char conv[LIM_ID + 1];
	int64_t at;                 /* when it was last updated */
	enum handoff_reason reason;
	enum handoff_state state;
	char resolution[HANDOFF_CODE_LEN + 1];
	char summary[LIM_HANDOFF_SUMMARY + 1];
};

/* Read the fields freely; change them only through the functions below. */
struct casefile {
	char conv[LIM_ID + 1];
	int64_t created_at;
	struct {
		char *id, *name, *tier;
		char lang[8];
		bool verified;
	} customer;
	char *scene, *scene_label;
	struct casefile_pair context[LIM_CASE_PAIRS];
	size_t n_context;
	enum handoff_reason reason;
	struct {
		float anger, complaint;
		char *words[LIM_SENTIMENT_HITS];   /* the words that counted (not the negated ones) */
		size_t n_words;
	} sentiment;
	struct casefile_msg *msgs;             /* transcript, oldest first */
	size_t n_msgs, dropped_msgs;
	struct casefile_answer answers[LIM_CASE_ANSWERS];
	size_t n_answers, dropped_answers;
	struct {
		char *id, *label;                  /* NULL when no intent was detected */
		float confidence;
	} intent;
	struct casefile_pair slots[LIM_CASE_PAIRS];
	size_t n_slots;
	struct casefile_prev prev[LIM_HANDOFF_HISTORY];
	size_t n_prev;
	char summary[LIM_HANDOFF_SUMMARY + 1];
	char summary_lang[8];
};

/* A new, empty case file for conversation conv. NULL on allocation failure. Free with casefile_free(). */
struct casefile *casefile_new(const char *conv, int64_t now);

/* Free the case file and every string it holds. NULL is a no-op. */
void casefile_free(struct casefile *cf);

/*
 * Setters copy their strings (NULL stores "" or clears an optional field)
 * and return 0, -EINVAL (malformed UTF-8, NULL required argument), -E2BIG
 * (that list is full), or -ENOMEM.
 */
int casefile_set_customer(struct casefile *cf, const char *id, const char *name, const char *tier, const char *lang,
			  bool verified);
int casefile_set_scene(struct casefile *cf, const char *scene, const char *label);
int casefile_add_context(struct casefile *cf, const char *key, const char *value);
void casefile_set_reason(struct casefile *cf, enum handoff_reason reason);
/* The sentiment of the message that mattered: its sums and the words that counted. */
int casefile_set_sentiment(struct casefile *cf, const struct sentiment_result *r);
/* Transcript: beyond LIM_CASE_MESSAGES the oldest message is dropped (dropped_msgs counts them). */
int casefile_add_message(struct casefile *cf, enum handoff_from from, const char *author, const char *text,
			 int64_t at);
/* An answer the bot showed; beyond LIM_CASE_ANSWERS the oldest is dropped. */
int casefile_add_answer(struct casefile *cf, const char *entry, const char *question, int64_t at);
/* The customer's 👍/👎 on the latest answer of entry. Returns 0 or -ENOENT. */
int casefile_react(struct casefile *cf, const char *entry, enum casefile_reaction reaction);
/*
 * Derive the reactions not given: an answer followed by another customer
 * message is "rephrased", otherwise "ignored". Call once the transcript is
 * complete (casefile_summarize does).
 */
void casefile_settle_reactions(struct casefile *cf);
int casefile_set_intent(struct casefile *cf, const char *id, const char *label, float confidence);
int casefile_add_slot(struct casefile *cf, const char *key, const char *value);
/* An earlier conversation of the same customer (from handoff_history). Returns 0 or -E2BIG. */
int casefile_add_previous(struct casefile *cf, const struct handoff_conv *c);

/*
 * Settle the reactions, then write the one-paragraph summary in lang ("zh"
 * or "zh-*": Chinese; anything else: English) into cf->summary, e.g. "Asked
 * about a refund for order 1234 on the refund page; the bot answered
 * refund-time (👎); asked for a person." Returns cf->summary (borrowed).
 */
const char *casefile_summarize(struct casefile *cf, const char *lang);

#endif
