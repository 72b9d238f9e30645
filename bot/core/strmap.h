/*
 * strmap.h - a hash map from byte strings to uint32 values, open addressing
 * with linear probing. Keys are copied into an internal arena, so callers may
 * pass temporary buffers. Used for vocabularies and dictionaries: build once,
 * then read many times. Not thread-safe.
 */
#ifndef BOT_CORE_STRMAP_H
#define BOT_CORE_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap;

/* Create an empty map. Returns NULL on allocation failure. Free with strmap_free(). */
struct strmap *strmap_new(void);

/* Free the map and its keys. NULL is a no-op. */
void strmap_free(struct strmap *m);

/*
 * Look key[0..len) up. Returns a pointer to its value (valid until the next
 * insertion or strmap_free), or NULL when absent.
 */
uint32_t *strmap_get(const struct strmap *m, const char *key, size_t len);

/*
 * Insert key with value val if absent. Returns a pointer to the stored value
 * (the existing one when the key was present; *inserted tells which), or
 * NULL on allocation failure.
 */
uint32_t *strmap_put(struct strmap *m, const char *key, size_t len, uint32_t val, int *inserted);

/* Number of keys. */
size_t strmap_count(const struct strmap *m);

/* Bytes allocated by the map (table and key arena). */
size_t strmap_bytes(const struct strmap *m);

/*
 * Iterate: call fn for every key. Stops and returns fn's value when it
 * returns non-zero; returns 0 after visiting all keys.
 */
int strmap_each(const struct strmap *m, int (*fn)(void *arg, const char *key, size_t len, uint32_t val), void *arg);

/* Hash a byte string (FNV-1a, 64-bit). */
uint64_t strmap_hash(const char *key, size_t len);

#endif
