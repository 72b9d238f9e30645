/*
 * index.h - the inverted index, scored per entry ("doc"), never per variant.
 *
 * Postings are term -> [(doc, weight)]. Two ways to fill the weights:
 *   IDX_TRAINED: a one-vs-rest L2-loss linear SVM trained at build time over
 *                the length-normalised TF-IDF vectors of the question variants
 *                (dual coordinate descent), small weights pruned, one bias per
 *                doc. The vectors hold words and pairs of adjacent words
 *                ("card arrived"), a pair's value scaled by pair_weight; only
 *                pairs left with a weight are kept. KBs with many variants
 *                per entry also train on the character n-grams of each word
 *                as written, folded after training into postings per
 *                spelling (see gram_weight). A query scores
 *                bias + sum(w * q) with q normalised over all its words,
 *                unknown ones included, so words the KB does not know lower
 *                the confidence.
 *   IDX_BM25:    entry-level BM25 (all variants of a doc pooled), no training;
 *                the score is divided by the query's best possible score, so
 *                it is a confidence in [0, 1].
 * Unknown query words are matched to vocabulary terms within edit distance 1
 * (2 for words of 8+ letters) through a deletion-neighbourhood table, at a
 * reduced weight.
 *
 * A struct idx is immutable once built; scoring needs a struct idx_scratch
 * (one per thread).
 */
#ifndef BOT_SEARCH_INDEX_H
#define BOT_SEARCH_INDEX_H

#include "text/tokenize.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum idx_mode { IDX_AUTO = 0, IDX_TRAINED, IDX_BM25 };

struct idx_params {
	enum idx_mode mode;
	float C;                 /* SVM cost (default 1) */
	int epochs;              /* SVM passes (default 20) */
	float prune;             /* drop a word's |w| below this (default 0.1) */
	float k1, b;             /* BM25 (defaults 1.5, 0.75) */
	double train_budget;     /* IDX_AUTO trains when docs*nnz*epochs is below it */
	float typo_weight;       /* weight of a typo-corrected term (default 0.7) */
	float foreign_weight;    /* an unknown word that no answer uses either weighs this many
				    times an unseen term in the confidence (default 2) */
	float pair_weight;       /* learned weights: a pair of adjacent words is a feature of this
				    weight relative to a word's (default 0.3; 0 = words only) */
	float pair_prune;        /* drop a pair's |w| below this (default 0.2) */
	/*
	 * Spellings (learned weights, KBs with at least gram_variants question
	 * variants per entry on average): the character n-grams of each word as
	 * written are features too, at gram_weight each, and pairs weigh
	 * gram_pair_weight. After training, a spelling's n-gram weights are
	 * folded into postings of its own, so a query looks a word up once.
	 */
	float gram_weight;       /* default 0.3; 0 = never */
	int gram_min, gram_max;  /* n-gram lengths in code points, the word's two ends included (2, 4) */
	float gram_variants;     /* default 20 */
	float gram_pair_weight;  /* pairs' weight with spellings (default 1) */
	float gram_C;            /* SVM cost with spellings (default 1.5) */
	float gram_prune;        /* with spellings, drop a word's or spelling's |w| below this (0.05) */
	float gram_pair_prune;   /* and a pair's below this (0.1) */
	double gram_budget;      /* spellings only while entries x non-zeros x epochs is below it (4e9) */
	const uint8_t *skip_variant;   /* optional: variants left out (cross-validation) */
};

/* Fill p with the defaults above. */
void idx_params_default(struct idx_params *p);

struct idx_builder;

/* Create a builder. NULL on allocation failure. Free with idx_builder_free(). */
struct idx_builder *idx_builder_new(void);

/* Free. NULL is a no-op. */
void idx_builder_free(struct idx_builder *b);

/*
 * Add one question variant of doc (0-based, dense) as its tokens. Returns the
 * variant's number (>= 0) or -ENOMEM / -E2BIG.
 */
int idx_builder_add(struct idx_builder *b, uint32_t doc, const struct tok_list *toks);

/*
 * Declare from (a term that never reaches the index, e.g. a synonym member
 * rewritten to its canonical form) as a spelling of the term to: a query word
 * within typo distance of from matches to. Returns 0 or -ENOMEM.
 */
int idx_builder_alias(struct idx_builder *b, const char *from, const char *to);

/*
 * Declare the words of an answer (its tokens) as the KB's domain: they are
 * not indexed, but a query word the questions do not know and an answer uses
 * lowers the confidence less than a word foreign to the whole KB.
 * Returns 0 or -ENOMEM.
 */
int idx_builder_domain(struct idx_builder *b, const struct tok_list *toks);

/* Number of variants added. */
size_t idx_builder_variants(const struct idx_builder *b);

/* Doc of variant v. */
uint32_t idx_builder_doc_of(const struct idx_builder *b, size_t v);

struct idx;

/*
 * Build an index over docs 0..n_docs-1 from the builder's variants (the
 * builder is left unchanged and may build again, e.g. for cross-validation).
 * Returns NULL on allocation failure. Free with idx_free().
 */
struct idx *idx_build(const struct idx_builder *b, uint32_t n_docs, const struct idx_params *p);

/* Free. NULL is a no-op. */
void idx_free(struct idx *ix);

/* The mode actually used (IDX_TRAINED or IDX_BM25). */
enum idx_mode idx_mode_of(const struct idx *ix);

/* Bytes allocated by the index (vocabulary, postings, typo table, all of it). */
size_t idx_bytes(const struct idx *ix);

/* Number of postings and of vocabulary terms (pairs of words included). */
size_t idx_postings(const struct idx *ix);
size_t idx_terms(const struct idx *ix);

/* Bytes of the postings' docs and weights, part of idx_bytes(). */
size_t idx_postings_bytes(const struct idx *ix);

struct idx_scratch;

/* Working memory for scoring against ix (or any index with <= n_docs docs). */
struct idx_scratch *idx_scratch_new(uint32_t n_docs);
void idx_scratch_free(struct idx_scratch *s);

/* Bytes allocated by s. */
size_t idx_scratch_bytes(const struct idx_scratch *s);

struct idx_hit {
	uint32_t doc;
	float score;
};

struct idx_query_info {
	size_t known, typo, unknown;   /* query words by how they matched */
	float known_share;             /* norm of known part / norm of whole query */
};

/*
 * Score query q against every doc; write the k best to hits (descending) and
 * return how many were written. allow (optional, n_docs bytes) restricts the
 * docs considered; boost (optional, n_docs floats) is added to the scores of
 * docs the query's words reached, times the square of its known share (a
 * question mostly about unknown things is not lifted much).
 */
size_t idx_search(const struct idx *ix, struct idx_scratch *s, const struct tok_list *q,
		  const uint8_t *allow, const float *boost, struct idx_hit *hits, size_t k,
		  struct idx_query_info *info);

enum idx_match { IDX_MATCH_EXACT = 0, IDX_MATCH_TYPO, IDX_MATCH_UNKNOWN };

struct idx_contrib {
	char term[LIM_TOKEN_BYTES];     /* the vocabulary term that matched */
	char surface[LIM_TOKEN_BYTES];  /* the word as typed */
	enum idx_match match;
	float weight;                   /* contribution to the doc's score */
};

/*
 * Explain doc's score for q: one contribution per query term, in query order
 * (unknown words included with weight 0); a pair of adjacent words counts
 * half to each of its two words, so the contributions and *bias (the doc's
 * constant part) add up to the score. Returns the number written.
 */
size_t idx_explain(const struct idx *ix, const struct tok_list *q, uint32_t doc,
		   struct idx_contrib *out, size_t max, float *bias);

/* Damerau-Levenshtein (optimal string alignment) distance over code points, capped at max+1. */
int idx_edit_distance(const char *a, size_t al, const char *b, size_t bl, int max);

#endif
