/*
 * tokenize.h - the text pipeline: UTF-8 text -> normalised, stemmed terms.
 *
 *   validate UTF-8 -> Traditional->Simplified (OpenCC, only when Han is
 *   present) -> fold (case, full-width) -> split into word runs and Han runs
 *   -> words: stop words, Snowball stem of the script's language
 *   -> Han: dictionary segmentation (jieba's word list + KB words), bigrams of
 *      long words and of unknown runs -> synonym rewriting.
 *
 * A struct tok_analyzer is built once per KB and is read-only while matching;
 * it is not thread-safe (libstemmer keeps per-stemmer buffers).
 */
#ifndef BOT_TEXT_TOKENIZE_H
#define BOT_TEXT_TOKENIZE_H

#include "core/limits.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tok_kind {
	TOK_WORD = 0,     /* a stemmed alphabetic word */
	TOK_HAN,          /* a Chinese dictionary word or single character */
	TOK_BIGRAM,       /* a Chinese character bigram (inside a long word or an unknown run) */
	TOK_SYN           /* produced by a synonym rewrite */
};

struct tok {
	char term[LIM_TOKEN_BYTES];     /* the indexed form (stem, word or bigram), NUL-terminated */
	char surface[LIM_TOKEN_BYTES];  /* the folded word as typed */
	uint8_t len, surface_len;
	uint8_t kind;                   /* enum tok_kind */
	uint8_t nchars;                 /* code points in surface */
};

struct tok_list {
	struct tok t[LIM_TOKENS];
	size_t n;
	size_t han_chars, word_chars;   /* code points seen per script family */
	size_t stopwords;               /* words dropped as stop words */
	size_t numbers;                 /* numbers dropped (slot values, not topics) */
};

struct tok_config {
	const char *langs[LIM_LANGS];   /* declared languages, first = default */
	size_t n_langs;
	const char *dict_path;          /* jieba dict.txt; NULL = built-in default path */
	const char *t2s_config;         /* OpenCC config; NULL = built-in default path */
};

struct tok_analyzer;

/*
 * Build an analyzer for the declared languages. Loads the Chinese dictionary
 * and OpenCC only when "zh" is declared. Returns NULL on failure with a
 * message in err[0..errlen). Free with tok_analyzer_free().
 */
struct tok_analyzer *tok_analyzer_new(const struct tok_config *cfg, char *err, size_t errlen);

/* Free. NULL is a no-op. */
void tok_analyzer_free(struct tok_analyzer *a);

/* Add a Chinese word to the segmentation dictionary (user dictionary, KB terms). */
int tok_add_word(struct tok_analyzer *a, const char *word, size_t len, uint32_t freq);

/* Load a user dictionary file (segment_load format). -ENOENT if missing. */
int tok_load_userdict(struct tok_analyzer *a, const char *path);

/*
 * Add a synonym set: members[0] is the canonical form; every member's term
 * sequence (1..LIM_SYN_WORDS terms) is rewritten to the canonical one.
 * Chinese members are also added to the dictionary. Call before tokenizing.
 * Returns 0, -EINVAL for an empty or over-long member, -ENOMEM.
 */
int tok_add_synonyms(struct tok_analyzer *a, const char *const *members, size_t n);

#define TOK_LEARN 1u   /* remember surface->stem pairs (used while indexing the KB) */
#define TOK_NO_SYNONYMS 2u

/*
 * Tokenize s[0..len). Returns 0, or -EILSEQ when s is not valid UTF-8
 * (nothing is written then). Tokens beyond LIM_TOKENS are dropped.
 */
int tok_run(struct tok_analyzer *a, const char *s, size_t len, unsigned flags, struct tok_list *out);

/*
 * Call fn for every one-word synonym rule (a member that is one term, whose
 * canonical form is one term): the typo table uses them so that a misspelt
 * synonym ("reciept") still reaches its canonical term ("invoice").
 */
void tok_synonym_words(const struct tok_analyzer *a, void (*fn)(void *arg, const char *from, const char *to), void *arg);

/* True when the analyzer can segment Chinese (zh declared and dictionary loaded). */
bool tok_has_zh(const struct tok_analyzer *a);

/* Bytes held by the analyzer's own tables (dictionary, caches, synonyms). */
size_t tok_bytes(const struct tok_analyzer *a);

/* Default paths of Debian's packages. */
#define TOK_DEFAULT_DICT "/usr/lib/python3/dist-packages/jieba/dict.txt"
#define TOK_DEFAULT_T2S  "/usr/share/opencc/t2s.json"

#endif
