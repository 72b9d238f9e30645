/*
 * tmpl.h - response templates: "Your order {order.id} shipped[ with
 * {order.carrier}]." Variables are looked up by the caller; a missing
 * variable is never printed. Pure functions; render into bounded buffers.
 *
 * Syntax: {name} is a variable (letters, digits, '_', '-', '.'); [ ... ] is
 * an optional part, left out when any variable inside it is missing or
 * empty (optional parts do not nest); {{ }} [[ ]] are literal braces and
 * brackets. Any other '{', '}', ']' is an error.
 */
#ifndef BOT_INTENT_TMPL_H
#define BOT_INTENT_TMPL_H

#include <stddef.h>

#define TMPL_NAME_BYTES 64   /* longest variable name */

/*
 * Check the syntax of t. Returns 0, or -EINVAL with the byte offset of the
 * problem in *err_off and a static description in *what. When each_var is
 * not NULL it is called for every variable, with whether it is optional.
 */
int tmpl_check(const char *t, size_t *err_off, const char **what,
	       void (*each_var)(void *arg, const char *name, int optional), void *arg);

/*
 * Render t into out[0..cap) (always NUL-terminated when cap > 0). lookup
 * returns a variable's value (borrowed) or NULL when it is unknown; an empty
 * value counts as missing. Returns the length written; -ENOENT when a
 * variable outside an optional part is missing (its name is copied into
 * missing[0..TMPL_NAME_BYTES) when missing is not NULL, and out is empty);
 * -E2BIG when the text does not fit (out is empty); -EINVAL for bad syntax.
 */
int tmpl_render(const char *t, const char *(*lookup)(void *arg, const char *name), void *arg,
		char *out, size_t cap, char *missing);

#endif
