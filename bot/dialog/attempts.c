/*
 * attempts.c - failed attempts per key in a sliding window (attempts.h).
 * A flat table searched linearly: sign-ins are rare and the table is small,
 * so simplicity wins over a hash. Never allocates after attempts_new().
 */
#include "dialog/attempts.h"

#include <stdlib.h>
#include <string.h>

struct slot {
	char key[ATTEMPTS_KEY_MAX + 1];   /* "" when free */
	int64_t t[ATTEMPTS_LIMIT_MAX];    /* failure times, a ring */
	unsigned n, head;                 /* failures kept, index of the oldest */
	int64_t last;                     /* the latest failure */
};

struct attempts {
	struct slot *slots;
	size_t max, used;
	unsigned limit;
	int64_t window;
};

struct attempts *attempts_new(size_t max_keys, unsigned limit, int64_t window_ms)
{
	struct attempts *a;

	if (!max_keys || !limit || limit > ATTEMPTS_LIMIT_MAX || window_ms < 1)
		return NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->slots = calloc(max_keys, sizeof(*a->slots));
	if (!a->slots) {
		free(a);
		return NULL;
	}
	a->max = max_keys;
	a->limit = limit;
	a->window = window_ms;
	return a;
}

void attempts_free(struct attempts *a)
{
	if (!a)
		return;
	free(a->slots);
	free(a);
}

/* The key as stored: cut to ATTEMPTS_KEY_MAX bytes. */
static void norm(const char *key, char out[ATTEMPTS_KEY_MAX + 1])
{
	size_t n = strnlen(key ? key : "", ATTEMPTS_KEY_MAX);

	memcpy(out, key ? key : "", n);
	out[n] = '\0';
}

static struct slot *find(const struct attempts *a, const char *k)
{
	for (size_t i = 0; i < a->max; i++)
		if (a->slots[i].key[0] && !strcmp(a->slots[i].key, k))
			return &a->slots[i];
	return NULL;
}

/* Drop failures that left the window at now. */
static void expire(const struct attempts *a, struct slot *s, int64_t now)
{
	while (s->n && now - s->t[s->head] >= a->window) {
		s->head = (s->head + 1) % a->limit;
		s->n--;
	}
}

bool attempts_allowed(const struct attempts *a, const char *key, int64_t now, int64_t *retry_ms)
{
	char k[ATTEMPTS_KEY_MAX + 1];
	struct slot *s, copy;

	if (retry_ms)
		*retry_ms = 0;
	if (!a || !key || !*key)
		return true;
	norm(key, k);
	s = find(a, k);
	if (!s)
		return true;
	copy = *s;   /* const: expire a copy */
	expire(a, &copy, now);
	if (copy.n < a->limit)
		return true;
	if (retry_ms) {
		int64_t r = copy.t[copy.head] + a->window - now;

		*retry_ms = r > 0 ? r : 1;
	}
	return false;
}

void attempts_fail(struct attempts *a, const char *key, int64_t now)
{
	char k[ATTEMPTS_KEY_MAX + 1];
	struct slot *s;

	if (!a || !key || !*key)
		return;
	norm(key, k);
	s = find(a, k);
	if (!s) {
		struct slot *victim = NULL;

		for (size_t i = 0; i < a->max && !victim; i++)
			if (!a->slots[i].key[0])
				victim = &a->slots[i];
		if (!victim) {
			/* Full: forget the key whose latest failure is oldest. */
			victim = &a->slots[0];
			for (size_t i = 1; i < a->max; i++)
				if (a->slots[i].last < victim->last)
					victim = &a->slots[i];
			a->used--;
		}
		memset(victim, 0, sizeof(*victim));
		memcpy(victim->key, k, sizeof(k));
		a->used++;
		s = victim;
	}
	expire(a, s, now);
	if (s->n == a->limit) {   /* full ring: the oldest makes way */
		s->head = (s->head + 1) % a->limit;
		s->n--;
	}
	s->t[(s->head + s->n) % a->limit] = now;
	s->n++;
	s->last = now;
}

void attempts_reset(struct attempts *a, const char *key)
{
	char k[ATTEMPTS_KEY_MAX + 1];
	struct slot *s;

	if (!a || !key)
		return;
	norm(key, k);
	s = find(a, k);
	if (s) {
		memset(s, 0, sizeof(*s));
		a->used--;
	}
}

size_t attempts_count(const struct attempts *a)
{
	return a ? a->used : 0;
}
