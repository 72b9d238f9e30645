/*
 * t2s.h - Traditional to Simplified Chinese folding through OpenCC, so a
 * customer typing 退貨 finds the entry written 退货. The only user of OpenCC.
 */
#ifndef BOT_TEXT_T2S_H
#define BOT_TEXT_T2S_H

#include <stddef.h>

struct t2s;

/*
 * Open OpenCC with config (a path such as /usr/share/opencc/t2s.json).
 * Returns NULL when OpenCC cannot load it. Free with t2s_free().
 */
struct t2s *t2s_new(const char *config);

/* Close. NULL is a no-op. */
void t2s_free(struct t2s *t);

/*
 * Convert in[0..len) (valid UTF-8). Returns a malloc'd NUL-terminated string
 * the caller must free() and stores its length in *out_len, or NULL on error.
 */
char *t2s_convert(struct t2s *t, const char *in, size_t len, size_t *out_len);

#endif
