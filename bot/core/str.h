/*
 * str.h - UTF-8 validation and decoding, Unicode case folding for Latin,
 * Greek and Cyrillic, full-width to half-width folding, script classes.
 * Pure functions over byte strings; never allocates.
 */
#ifndef BOT_CORE_STR_H
#define BOT_CORE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Check that s[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF). Returns true when valid; otherwise false and, if
 * bad_off is not NULL, the byte offset of the first bad sequence.
 */
bool str_utf8_valid(const char *s, size_t len, size_t *bad_off);

/*
 * Decode one code point at s[*i] (s valid UTF-8 of length len) and advance *i.
 * Returns the code point, or 0xFFFD (advancing one byte) on a bad sequence.
 */
uint32_t str_utf8_next(const char *s, size_t len, size_t *i);

/* Encode cp into out (room for 4 bytes). Returns the number of bytes written. */
size_t str_utf8_put(char *out, uint32_t cp);

/*
 * Fold one code point for matching: full-width ASCII and ideographic space to
 * half-width, typographic quotes to ASCII, then simple Unicode case folding
 * for Latin, Greek and Cyrillic (final sigma to sigma). Accents are kept.
 */
uint32_t str_fold(uint32_t cp);

enum str_class {
	STR_SPACE = 0,   /* spaces and punctuation: separators */
	STR_WORD,        /* letters and digits of alphabetic scripts */
	STR_HAN,         /* CJK ideographs */
	STR_JOINER       /* apostrophe / hyphen: part of a word when inside one */
};

/* Classify a folded code point. */
enum str_class str_class_of(uint32_t cp);

/* Which alphabetic script a folded code point belongs to. */
enum str_script { SCRIPT_OTHER = 0, SCRIPT_LATIN, SCRIPT_GREEK, SCRIPT_CYRILLIC, SCRIPT_HAN };
enum str_script str_script_of(uint32_t cp);

/* Number of code points in valid UTF-8 s[0..len). */
size_t str_utf8_count(const char *s, size_t len);

#endif
