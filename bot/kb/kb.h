/*
 * kb.h - the knowledge base: load and validate a KB directory (docs/kb-format.md)
 * into an immutable snapshot (entries + analyzer + one index per language +
 * decision thresholds), and match customer utterances against it.
 *
 * A snapshot never changes after kb_load() returns; a reload builds a new one
 * and the caller swaps pointers. Code that must survive a reload keeps entry
 * ids, never struct kb_entry pointers.
 */
#ifndef BOT_KB_KB_H
#define BOT_KB_KB_H

#include "core/limits.h"
#include "search/decide.h"
#include "search/index.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

struct kb_link {
	char *title, *url;
};

struct kb_entry {
	char *id;
	char lang[8];
	char **questions;
	size_t n_questions;
	char *answer;
	char **quick_replies;
	size_t n_quick;
	struct kb_link *links;
	size_t n_links;
	char **scenes;
	size_t n_scenes;
	char **tags;
	size_t n_tags;
	char *owner;
	char review[11], valid_from[11], valid_until[11];   /* "YYYY-MM-DD" or "" */
	char *file;        /* where it was defined, for messages */
	int line, col;
};

/* Diagnostics collected by a load or check: "file:line:col: message" lines. */
struct kb_diag {
	char *msgs[LIM_ERRORS];
	size_t n;          /* messages kept */
	size_t errors;     /* errors seen (may exceed n) */
	size_t warnings;
};

/* Free the messages (the struct itself is the caller's). */
void kb_diag_clear(struct kb_diag *d);

struct kb_options {
	const char *dict_path;     /* jieba dict.txt (NULL: Debian's path) */
	const char *t2s_config;    /* OpenCC t2s.json (NULL: Debian's path) */
	enum idx_mode mode;        /* IDX_AUTO unless forced */
	bool calibrate;            /* derive thresholds by cross-validation (default true via kb_options_default) */
	time_t today;              /* for review dates; 0 = now */
};

void kb_options_default(struct kb_options *o);

struct kb_snapshot;

/*
 * Load and validate the KB in dir. On success returns a snapshot (free with
 * kb_snapshot_free) and diag holds only warnings; on failure returns NULL and
 * diag holds every error (as many as LIM_ERRORS). The caller must
 * kb_diag_clear(diag) in both cases.
 */
struct kb_snapshot *kb_load(const char *dir, const struct kb_options *opt, struct kb_diag *diag);

/* Free. NULL is a no-op. */
void kb_snapshot_free(struct kb_snapshot *kb);

/* Entries, in load order. Borrowed: valid until kb_snapshot_free. */
size_t kb_entry_count(const struct kb_snapshot *kb);
const struct kb_entry *kb_entry_at(const struct kb_snapshot *kb, size_t i);

/* The entry id in lang, or NULL. Borrowed. */
const struct kb_entry *kb_find(const struct kb_snapshot *kb, const char *id, const char *lang);

/* Declared languages (borrowed) and their count. */
size_t kb_langs(const struct kb_snapshot *kb, const char *const **langs);

/*
 * The snapshot's text analyzer (tokenizer, stemmers, synonyms, dictionary),
 * for other modules that match rules on the same terms (intents). Borrowed:
 * valid until kb_snapshot_free; not thread-safe.
 */
struct tok_analyzer *kb_analyzer(const struct kb_snapshot *kb);

/* The KB's name from kb.json. Borrowed. */
const char *kb_name(const struct kb_snapshot *kb);

struct kb_stats {
	size_t entries, variants, terms, postings;
	size_t index_bytes;             /* the languages' indexes and their matching buffers */
	size_t postings_bytes;          /* of which the postings (docs and weights) */
	size_t analyzer_bytes, text_bytes;
	double load_ms, train_ms, calibrate_ms;
	enum idx_mode mode;
};

void kb_stats(const struct kb_snapshot *kb, struct kb_stats *st);

/* True when e may be answered on the day of now (0 = today): inside its validity window. */
bool kb_entry_valid(const struct kb_entry *e, time_t now);

/* Thresholds in use for lang (NULL = default language). */
const struct dec_thresholds *kb_thresholds(const struct kb_snapshot *kb, const char *lang);

struct kb_query {
	const char *text;
	size_t len;
	const char *lang;      /* the customer's language when the text does not tell; NULL = KB default */
	const char *scene;     /* optional: entries serving this scene are ranked up */
	time_t now;            /* for validity windows; 0 = now */
	const char *const *boost_ids;     /* optional: entry ids ranked up as the scene's own (scene rules) */
	size_t n_boost;
	const char *const *exclude_ids;   /* optional: entry ids never offered in this scene */
	size_t n_exclude;
	const struct tok_list *toks;      /* optional: text as kb_analyzer() tokenized it (flags 0), not redone */
};

struct kb_result {
	enum dec_verdict verdict;
	const char *lang;                          /* language matched in (borrowed) */
	const struct kb_entry *cand[LIM_CANDIDATES];   /* the answer, or clarification candidates */
	float score[LIM_CANDIDATES];
	size_t n_cand;
	struct idx_hit top[LIM_CANDIDATES + 1];    /* raw ranking before the decision */
	const struct kb_entry *top_entry[LIM_CANDIDATES + 1];
	size_t n_top;
	struct idx_query_info info;
};

/*
 * Match an utterance. Returns 0, -EILSEQ for invalid UTF-8, -EINVAL for empty
 * text. The snapshot's scratch memory is used: one call at a time.
 */
int kb_match(struct kb_snapshot *kb, const struct kb_query *q, struct kb_result *out);

/*
 * Print, for the top candidates of q, each query term's contribution: term as
 * typed, stem, how it matched, the variant of the entry it came from, weight.
 */
int kb_explain(struct kb_snapshot *kb, const struct kb_query *q, FILE *out);

#endif
