/*
 * strmap.c - open-addressing string map. Slots hold the full hash, the key's
 * offset in the arena and the value; the table doubles at 70% load.
 */
#include "core/strmap.h"

#include <stdlib.h>
#include <string.h>

struct slot {
	uint32_t hash;     /* 0 = empty; the low half of the 64-bit hash, never 0 */
	uint32_t off;      /* key offset in arena */
	uint32_t len;
	uint32_t val;
};

static uint32_t slot_hash(uint64_t h)
{
	uint32_t x = (uint32_t)(h ^ (h >> 32));

	return x ? x : 1;
}

struct strmap {
	struct slot *slots;
	size_t cap;        /* power of two */
	size_t count;
	char *arena;
	size_t arena_len, arena_cap;
};

uint64_t strmap_hash(const char *key, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

struct strmap *strmap_new(void)
{
	struct strmap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->cap = 64;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

void strmap_free(struct strmap *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m->arena);
	free(m);
}

static struct slot *find(const struct strmap *m, const char *key, size_t len, uint32_t h)
{
	size_t mask = m->cap - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct slot *s = &m->slots[i];

		if (!s->hash)
			return s;
		if (s->hash == h && s->len == len && !memcmp(m->arena + s->off, key, len))
			return s;
	}
}

uint32_t *strmap_get(const struct strmap *m, const char *key, size_t len)
{
	struct slot *s = find(m, key, len, slot_hash(strmap_hash(key, len)));

	return s->hash ? &s->val : NULL;
}

static int grow(struct strmap *m)
{
	size_t ncap = m->cap * 2;
	struct slot *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		struct slot *s = &m->slots[i];
		size_t j;

		if (!s->hash)
			continue;
		for (j = s->hash & (ncap - 1); ns[j].hash; j = (j + 1) & (ncap - 1))
			;
		ns[j] = *s;
	}
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
	return 0;
}

uint32_t *strmap_put(struct strmap *m, const char *key, size_t len, uint32_t val, int *inserted)
{
	uint32_t h = slot_hash(strmap_hash(key, len));
	struct slot *s;

	if (inserted)
		*inserted = 0;
	if (len > UINT32_MAX / 2)
		return NULL;
	s = find(m, key, len, h);
	if (s->hash)
		return &s->val;
	if ((m->count + 1) * 10 > m->cap * 7) {
		if (grow(m))
			return NULL;
		s = find(m, key, len, h);
	}
	if (m->arena_len + len > m->arena_cap) {
		size_t ncap = m->arena_cap ? m->arena_cap * 2 : 1024;
		char *na;

		while (ncap < m->arena_len + len)
			ncap *= 2;
		if (ncap > UINT32_MAX)
			return NULL;
		na = realloc(m->arena, ncap);
		if (!na)
			return NULL;
		m->arena = na;
		m->arena_cap = ncap;
	}
	memcpy(m->arena + m->arena_len, key, len);
	s->hash = h;
	s->off = (uint32_t)m->arena_len;
	s->len = (uint32_t)len;
	s->val = val;
	m->arena_len += len;
	m->count++;
	if (inserted)
		*inserted = 1;
	return &s->val;
}

size_t strmap_count(const struct strmap *m) { return m->count; }

size_t strmap_bytes(const struct strmap *m)
{
	return sizeof(*m) + m->cap * sizeof(struct slot) + m->arena_cap;
}

int strmap_each(const struct strmap *m, int (*fn)(void *arg, const char *key, size_t len, uint32_t val), void *arg)
{
	for (size_t i = 0; i < m->cap; i++) {
		const struct slot *s = &m->slots[i];
		int rc;

		if (!s->hash)
			continue;
		rc = fn(arg, m->arena + s->off, s->len, s->val);
		if (rc)
			return rc;
	}
	return 0;
}
