/*
 * stem.h - Snowball stemming. The only user of libstemmer: results are copied
 * out, so no libstemmer memory escapes this module.
 */
#ifndef BOT_TEXT_STEM_H
#define BOT_TEXT_STEM_H

#include <stddef.h>

struct stem;

/*
 * Create a stemmer for lang (ISO 639-1 code such as "en" or a Snowball name
 * such as "english"). Returns NULL when the language has no Snowball stemmer
 * or on allocation failure. Free with stem_free().
 */
struct stem *stem_new(const char *lang);

/* Free a stemmer. NULL is a no-op. */
void stem_free(struct stem *st);

/*
 * Stem word[0..len) (folded UTF-8) into out (cap bytes, NUL-terminated).
 * Returns the stem's length; a stem longer than cap-1 is truncated at a
 * character boundary. Returns -EINVAL if cap is 0.
 */
int stem_word(struct stem *st, const char *word, size_t len, char *out, size_t cap);

/* True if lang names a language libstemmer can stem. */
int stem_has_lang(const char *lang);

#endif
