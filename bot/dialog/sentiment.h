/*
 * sentiment.h - rule-based anger and complaint scoring of one customer
 * message, for the hand-off trigger and the case file.
 *
 * A lexicon holds weighted words and phrases per language (anger,
 * complaint), negators ("not", "*n't", 不, 没有), intensifiers ("very", 非常)
 * and scope breakers ("but", 但是). Text is folded (case, full-width) and cut
 * into units: a word of an alphabetic script, or one Han character, so
 * Chinese phrases match without segmentation. A hit preceded by a negator
 * within `scope` units (no punctuation or breaker in between) is negated and
 * scores nothing: "not angry" and 不生气 are not anger. An intensifier right
 * before a hit, or a hit written in capitals, multiplies its weight.
 *
 * The word lists live in a data file (intents/sentiment.json, read by
 * proto/sentiment_json.c); this module only builds and scores. Pure: no I/O.
 * A lexicon is immutable after loading and may be shared.
 */
#ifndef BOT_DIALOG_SENTIMENT_H
#define BOT_DIALOG_SENTIMENT_H

#include "core/limits.h"

#include <stdbool.h>
#include <stddef.h>

enum sentiment_kind {
	SENTIMENT_ANGER = 0,
	SENTIMENT_COMPLAINT,
	SENTIMENT_NEGATOR,
	SENTIMENT_INTENSIFIER,
	SENTIMENT_BREAKER
};

struct sentiment_lexicon;

/* An empty lexicon (scope 3, intensity 1.5). NULL on allocation failure. Free with sentiment_lexicon_free(). */
struct sentiment_lexicon *sentiment_lexicon_new(void);

/* Free. NULL is a no-op. */
void sentiment_lexicon_free(struct sentiment_lexicon *lex);

/*
 * Add phrase (UTF-8, at most LIM_SENTIMENT_UNITS units and
 * LIM_SENTIMENT_WORD bytes) for language lang (a short tag, "en", "zh") as
 * kind. weight (> 0, <= 10) is used for anger and complaint words only. A
 * single-word phrase may end in '*' (a prefix: "scam*" matches "scammers")
 * or start with '*' (a suffix: "*n't" matches "isn't"). A phrase already in
 * the lexicon keeps its first kind. Returns 0, -EINVAL (empty, malformed
 * UTF-8, too many units, bad weight or kind), -E2BIG (LIM_SENTIMENT_ENTRIES
 * reached), -ENOMEM.
 */
int sentiment_add(struct sentiment_lexicon *lex, const char *lang, enum sentiment_kind kind, const char *phrase,
		  float weight);

/*
 * Set how many units before a hit a negator may stand (1..10, default 3)
 * and the multiplier of an intensifier or capitals (1..5, default 1.5).
 * Returns 0 or -EINVAL.
 */
int sentiment_set_rules(struct sentiment_lexicon *lex, unsigned scope, float intensity);

/* Entries of all kinds, for messages and tests. */
size_t sentiment_count(const struct sentiment_lexicon *lex);

struct sentiment_hit {
	char word[LIM_SENTIMENT_WORD + 1];   /* the lexicon phrase, folded ("angry", "生气") */
	char lang[8];                        /* the list it came from */
	enum sentiment_kind kind;            /* SENTIMENT_ANGER or SENTIMENT_COMPLAINT */
	float weight;                        /* as scored: 0 when negated */
	bool negated;
};

struct sentiment_result {
	float anger;                                    /* sum of anger weights */
	float complaint;                                /* sum of complaint weights */
	struct sentiment_hit hits[LIM_SENTIMENT_HITS];  /* in text order, negated ones too */
	size_t n_hits;
};

/* anger + complaint. */
float sentiment_total(const struct sentiment_result *r);

/*
 * Score text[0..len). lang restricts the lists used to that language ("en");
 * NULL uses every language, which suits mixed text. Two or more
 * exclamation marks add 0.5 to a non-zero anger. Returns 0 (out filled; no
 * hit gives zeros), -EILSEQ for malformed UTF-8, -EINVAL for NULL arguments.
 * Text over LIM_UTTERANCE bytes is scored on its first LIM_UTTERANCE bytes.
 */
int sentiment_score(const struct sentiment_lexicon *lex, const char *text, size_t len, const char *lang,
		    struct sentiment_result *out);

#endif
