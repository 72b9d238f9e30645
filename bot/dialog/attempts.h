/*
 * attempts.h - failed attempts per key within a sliding window, to slow
 * down password guessing at the agent sign-in: at most `limit` failures per
 * key (an address, a username) in `window_ms`, then refusals until the
 * oldest failure leaves the window. Bounded: at most max_keys keys are
 * remembered; when full, the key whose latest failure is oldest is
 * forgotten first. Pure: the caller passes the time (milliseconds).
 */
#ifndef BOT_DIALOG_ATTEMPTS_H
#define BOT_DIALOG_ATTEMPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ATTEMPTS_LIMIT_MAX 32    /* failures counted per key, at most */
#define ATTEMPTS_KEY_MAX   127   /* bytes of a key kept (longer keys are cut) */

struct attempts;

/*
 * A table of max_keys keys (>= 1), allowing limit (1..ATTEMPTS_LIMIT_MAX)
 * failures per window_ms (>= 1). NULL on bad arguments or allocation
 * failure. Free with attempts_free().
 */
struct attempts *attempts_new(size_t max_keys, unsigned limit, int64_t window_ms);

/* Free. NULL is a no-op. */
void attempts_free(struct attempts *a);

/*
 * Whether key may try at now: fewer than limit failures within the window.
 * When not, *retry_ms (may be NULL) is set to the milliseconds until it may.
 */
bool attempts_allowed(const struct attempts *a, const char *key, int64_t now, int64_t *retry_ms);

/* Record a failure of key at now. */
void attempts_fail(struct attempts *a, const char *key, int64_t now);

/* Forget key's failures (after a success). */
void attempts_reset(struct attempts *a, const char *key);

/* Keys remembered (for tests). */
size_t attempts_count(const struct attempts *a);

#endif
