/*
 * jsonpos.h - positions in JSON text, for messages that point at the line and
 * column of a problem (cJSON keeps no positions). A light scanner over text
 * that cJSON has already accepted: it never validates, it only skips.
 */
#ifndef BOT_CORE_JSONPOS_H
#define BOT_CORE_JSONPOS_H

#include <stddef.h>

/* Line and column (1-based, columns in characters) of byte offset off. */
void jpos_line_col(const char *text, size_t len, size_t off, int *line, int *col);

/* The offset after the whitespace at s[i]. */
size_t jpos_ws(const char *s, size_t n, size_t i);

/* The offset just after the value starting at s[i] (or of the ',', ':', '}' or ']' ending it). */
size_t jpos_skip_value(const char *s, size_t n, size_t i);

/*
 * Offset of the value of key in the object starting at s[i], or SIZE_MAX.
 * When kpos is not NULL it receives the offset of the key itself. Keys are
 * compared as written (no unescaping).
 */
size_t jpos_find_key(const char *s, size_t n, size_t i, const char *key, size_t *kpos);

/* Offset of element idx of the array starting at s[i], or SIZE_MAX. */
size_t jpos_find_index(const char *s, size_t n, size_t i, int idx);

#endif
