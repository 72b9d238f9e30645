/*
 * rule.h - trigger rules: boolean keyword groups over analysed tokens.
 *
 * A rule has lists of items: all (every item present), any (at least one),
 * not (none present), allow (words that may appear without counting as
 * extra) and an optional cap on extra words. An item is a word or a phrase
 * in any language, analysed with the same tok_analyzer as the customer's
 * text (folding, stemming, Traditional->Simplified, synonyms), so "refunds"
 * matches "refund" and "money back" matches "refund" when the KB says so.
 * A phrase's words must appear in order, at most RULE_GAP other words apart.
 * A Chinese word also matches inside a longer word ("人工" in "转人工").
 */
#ifndef BOT_INTENT_RULE_H
#define BOT_INTENT_RULE_H

#include "text/tokenize.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RULE_GAP       2     /* other words allowed between two words of a phrase */
#define RULE_MAX_TERMS 16    /* words in one item after analysis */

enum rule_list { RULE_ALL = 0, RULE_ANY, RULE_NOT, RULE_ALLOW, RULE_LISTS };

struct rule_spec {
	const char *const *items[RULE_LISTS];   /* indexed by enum rule_list */
	size_t n[RULE_LISTS];
	int max_extra;                          /* words outside all/any/allow items; -1 = no cap */
};

struct rule_error {
	int list;            /* enum rule_list of the bad item, or -1 */
	size_t item;         /* its index */
	char msg[160];
};

struct rule;

/*
 * Compile spec with an (the caller's analyzer, used only during the call).
 * An all/any/not item that analyses to nothing (only stop words) or to more
 * than RULE_MAX_TERMS words is an error; so is a rule with no all and no any
 * item. Allow items that analyse to nothing are ignored. Returns 0 and *out
 * (free with rule_free), or -EINVAL (err filled) or -ENOMEM.
 */
int rule_compile(struct tok_analyzer *an, const struct rule_spec *spec, struct rule **out, struct rule_error *err);

/* Free. NULL is a no-op. */
void rule_free(struct rule *r);

/*
 * An utterance prepared for matching many rules: the word units of a token
 * list (bigrams inside words skipped, bigrams of unknown Chinese runs kept).
 * Borrows the token list, which must outlive it.
 */
struct rule_input {
	const struct tok *u[LIM_TOKENS];
	uint32_t hash[LIM_TOKENS];   /* hash of each unit's term (rule_prepare fills it) */
	size_t n;
};

void rule_prepare(const struct tok_list *tl, struct rule_input *in);

/*
 * True when r holds for in. *coverage (if not NULL) receives the number of
 * the utterance's words matched by all/any items, for ranking.
 */
bool rule_match(const struct rule *r, const struct rule_input *in, unsigned *coverage);

#endif
