/*
 * context.h - the scene context of one conversation: what the host page told
 * us (hello's scene and context), flattened into "path" -> string fields
 * ("order.status" -> "shipped"), each marked trusted or not.
 *
 * Context from the browser is a hint. Fields are trusted only when they come
 * from a block the host site's backend signed (core/sign.h): see
 * docs/intents-format.md, "Signed context". Two paths are reserved for the
 * engine: "page" (hello's scene) and "lang" (hello's language).
 */
#ifndef BOT_INTENT_CONTEXT_H
#define BOT_INTENT_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define CONTEXT_MAX_FIELDS  64     /* fields kept per conversation; more are dropped */
#define CONTEXT_PATH_BYTES  64     /* "order.tracking_no"; longer paths are dropped */
#define CONTEXT_VALUE_BYTES 256    /* longer values are cut at a character boundary */
#define CONTEXT_MAX_DEPTH   4      /* nesting levels flattened */

struct context;

/* An empty context. Returns NULL when out of memory. Free with context_free(). */
struct context *context_new(void);

/* Free. NULL is a no-op. */
void context_free(struct context *c);

/* Remove every field. */
void context_clear(struct context *c);

/*
 * Set path to value (copied; control characters become spaces). An untrusted
 * value never replaces a trusted one. Returns 0, -EPERM when a trusted value
 * is kept, -EINVAL for an empty or over-long path or a NULL value, -E2BIG
 * when the context is full.
 */
int context_set(struct context *c, const char *path, const char *value, bool trusted);

/*
 * Add the fields of a hello's context object, json[0..len) (UTF-8 JSON text).
 * Objects are flattened with dots and array elements get their index
 * ("items.0.sku"); strings, numbers and booleans become strings; null is
 * skipped. A member "signed" = {"data": "<JSON object text>", "exp": <unix
 * time>, "sig": "<hex HMAC-SHA256>"} is verified with secret at now
 * (sign_verify over data and exp); when valid, the fields of data are added
 * as trusted and win over unsigned fields with the same path.
 * Returns 0 (including when there is no signed block); -EKEYREJECTED or
 * -ETIME when a signed block was present but rejected or expired (its fields
 * are dropped, the unsigned ones are still added); -EINVAL when json is not
 * a JSON object or the signed block is malformed; -E2BIG when fields were
 * dropped for lack of room.
 */
int context_load(struct context *c, const char *json, size_t len, const char *secret, time_t now);

/*
 * The value at path, or NULL. When trusted is not NULL it receives whether
 * the value came from signed context. Borrowed: valid until the context
 * changes.
 */
const char *context_get(const struct context *c, const char *path, bool *trusted);

/*
 * True when path holds a value or is the prefix of one ("order" for
 * "order.id"). With trusted_only, only trusted fields count.
 */
bool context_has(const struct context *c, const char *path, bool trusted_only);

/* Number of fields, and field i (borrowed, valid until the context changes). */
size_t context_count(const struct context *c);
int context_field(const struct context *c, size_t i, const char **path, const char **value, bool *trusted);

#endif
