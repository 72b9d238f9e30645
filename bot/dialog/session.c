/*
 * session.c - the session store: a hash table by token (chained), an LRU
 * list (least recently active first) for eviction and the TTL sweep, and a
 * transcript ring per session. Never touches a connection: conns are opaque.
 */
#include "dialog/session.h"

#include "core/rand.h"
#include "core/strmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct sess_store {
	struct sess_opts o;
	struct sess **tab;          /* hash buckets */
	size_t mask;                /* buckets - 1 */
	size_t n;
	struct sess *lru_head, *lru_tail;
};

void sess_opts_default(struct sess_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_sessions = LIM_SESSIONS;
	o->ttl_us = (uint64_t)LIM_SESSION_TTL_SECS * 1000000u;
	o->transcript_max = LIM_TRANSCRIPT;
	o->transcript_bytes = LIM_TRANSCRIPT_BYTES;
	o->max_tabs = LIM_TABS;
}

bool sess_is_token(const char *s)
{
	size_t i;

	if (!s)
		return false;
	for (i = 0; i < SESS_TOKEN_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[i] == '\0';
}

/* ---- store ---- */

struct sess_store *sess_store_new(const struct sess_opts *opts)
{
	struct sess_store *st = calloc(1, sizeof(*st));
	size_t nb = 16;

	if (!st)
		return NULL;
	st->o = *opts;
	if (!st->o.max_sessions)
		st->o.max_sessions = 1;
	if (!st->o.transcript_max)
		st->o.transcript_max = 1;
	if (!st->o.max_tabs || st->o.max_tabs > LIM_TABS)
		st->o.max_tabs = LIM_TABS;
	while (nb < st->o.max_sessions && nb < ((size_t)1 << 24))
		nb <<= 1;
	st->tab = calloc(nb, sizeof(*st->tab));
	if (!st->tab) {
		free(st);
		return NULL;
	}
	st->mask = nb - 1;
	return st;
}

static size_t bucket_of(const struct sess_store *st, const char *token)
{
	return (size_t)strmap_hash(token, SESS_TOKEN_LEN) & st->mask;
}

static void lru_unlink(struct sess_store *st, struct sess *s)
{
	if (s->lru_prev)
		s->lru_prev->lru_next = s->lru_next;
	else
		st->lru_head = s->lru_next;
	if (s->lru_next)
		s->lru_next->lru_prev = s->lru_prev;
	else
		st->lru_tail = s->lru_prev;
	s->lru_prev = s->lru_next = NULL;
}

static void lru_append(struct sess_store *st, struct sess *s)
{
	s->lru_prev = st->lru_tail;
	s->lru_next = NULL;
	if (st->lru_tail)
		st->lru_tail->lru_next = s;
	else
		st->lru_head = s;
	st->lru_tail = s;
}

static void sess_free(struct sess *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->log_n; i++)
		free(s->log[(s->log_head + i) % s->store->o.transcript_max].buf);
	free(s->log);
	free(s->context);
	free(s->slots);
	free(s);
}

/* Unlink s from the table and the LRU list, then free it. */
static void destroy(struct sess_store *st, struct sess *s)
{
	struct sess **pp = &st->tab[bucket_of(st, s->token)];

	while (*pp && *pp != s)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = s->hnext;
	lru_unlink(st, s);
	st->n--;
	sess_free(s);
}

void sess_store_free(struct sess_store *st)
{
	struct sess *s, *next;

	if (!st)
		return;
	for (s = st->lru_head; s; s = next) {
		next = s->lru_next;
		sess_free(s);
	}
	free(st->tab);
	free(st);
}

static struct sess *lookup(const struct sess_store *st, const char *token)
{
	struct sess *s;

	if (!sess_is_token(token))
		return NULL;
	for (s = st->tab[bucket_of(st, token)]; s; s = s->hnext)
		if (!memcmp(s->token, token, SESS_TOKEN_LEN))
			return s;
	return NULL;
}

static bool is_expired(const struct sess_store *st, const struct sess *s, uint64_t now)
{
	return !s->n_conns && now >= s->last_seen && now - s->last_seen >= st->o.ttl_us;
}

void sess_touch(struct sess *s, uint64_t now)
{
	if (now > s->last_seen)
		s->last_seen = now;
	lru_unlink(s->store, s);
	lru_append(s->store, s);
}

struct sess *sess_find(struct sess_store *st, const char *token, uint64_t now)
{
	struct sess *s = lookup(st, token);

	return s && !is_expired(st, s, now) ? s : NULL;
}

size_t sess_sweep(struct sess_store *st, uint64_t now)
{
	struct sess *s, *next;
	size_t n = 0;

	for (s = st->lru_head; s; s = next) {
		next = s->lru_next;
		if (is_expired(st, s, now)) {
			destroy(st, s);
			n++;
		}
	}
	return n;
}

/* Make room for one more session: sweep, then evict the least recently active idle one. */
static int make_room(struct sess_store *st, uint64_t now)
{
	struct sess *s;

	if (st->n < st->o.max_sessions)
		return 0;
	sess_sweep(st, now);
	for (s = st->lru_head; s && st->n >= st->o.max_sessions;) {
		struct sess *next = s->lru_next;

		if (!s->n_conns)
			destroy(st, s);
		s = next;
	}
	return st->n < st->o.max_sessions ? 0 : -EBUSY;
}

static int default_token(char *out, void *arg)
{
	(void)arg;
	return rand_hex(out, SESS_TOKEN_BYTES);
}

/* sess_open, and with adopt a new session keeps the caller's token (sess_open_as). */
static int open_session(struct sess_store *st, const char *token, bool adopt, uint64_t now, struct sess **out)
{
	struct sess *s = lookup(st, token);
	int rc = 0, tries;
	size_t b;

	*out = NULL;
	if (s && !is_expired(st, s, now)) {
		sess_touch(s, now);
		*out = s;
		return 1;
	}
	if (s)
		destroy(st, s);
	rc = make_room(st, now);
	if (rc)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->store = st;
	s->log = calloc(st->o.transcript_max, sizeof(*s->log));
	if (!s->log) {
		free(s);
		return -ENOMEM;
	}
	/* A collision of 128 random bits does not happen; a broken generator might repeat. */
	for (tries = 0; !adopt && tries < 4; tries++) {
		rc = (st->o.token_fn ? st->o.token_fn : default_token)(s->token, st->o.token_arg);
		if (rc)
			break;
		if (!sess_is_token(s->token)) {
			rc = -EINVAL;
			break;
		}
		if (!lookup(st, s->token))
			break;
		rc = -EEXIST;
	}
	if (adopt)
		memcpy(s->token, token, SESS_TOKEN_LEN + 1);
	if (rc) {
		sess_free(s);
		return rc;
	}
	b = bucket_of(st, s->token);
	s->hnext = st->tab[b];
	st->tab[b] = s;
	s->last_seen = now;
	lru_append(st, s);
	st->n++;
	*out = s;
	return 0;
}

int sess_open(struct sess_store *st, const char *token, uint64_t now, struct sess **out)
{
	return open_session(st, token, false, now, out);
}

int sess_open_as(struct sess_store *st, const char *token, uint64_t now, struct sess **out)
{
	*out = NULL;
	if (!token || !sess_is_token(token))
		return -EINVAL;
	return open_session(st, token, true, now, out);
}

size_t sess_count(const struct sess_store *st)
{
	return st->n;
}

/* ---- tabs ---- */

int sess_attach(struct sess *s, void *conn, uint64_t now)
{
	for (size_t i = 0; i < s->n_conns; i++)
		if (s->conns[i] == conn)
			return 0;
	if (s->n_conns >= s->store->o.max_tabs)
		return -EMLINK;
	s->conns[s->n_conns++] = conn;
	sess_touch(s, now);
	return 0;
}

void sess_detach(struct sess *s, void *conn, uint64_t now)
{
	for (size_t i = 0; i < s->n_conns; i++)
		if (s->conns[i] == conn) {
			memmove(&s->conns[i], &s->conns[i + 1], (s->n_conns - i - 1) * sizeof(s->conns[0]));
			s->n_conns--;
			break;
		}
	sess_touch(s, now);
}

size_t sess_conn_count(const struct sess *s)
{
	return s->n_conns;
}

void *sess_conn_at(const struct sess *s, size_t i)
{
	return i < s->n_conns ? s->conns[i] : NULL;
}

/* ---- transcript ---- */

static void drop_oldest(struct sess *s)
{
	struct sess_env *e = &s->log[s->log_head];

	s->log_bytes -= e->len;
	free(e->buf);
	e->buf = NULL;
	e->len = 0;
	s->log_head = (s->log_head + 1) % s->store->o.transcript_max;
	s->log_n--;
}

int sess_log(struct sess *s, const char *env, size_t len)
{
	const struct sess_opts *o = &s->store->o;
	struct sess_env *e;
	char *copy;

	if (len > o->transcript_bytes)
		return -E2BIG;
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, env, len);
	copy[len] = '\0';
	while (s->log_n && (s->log_n >= o->transcript_max || s->log_bytes + len > o->transcript_bytes))
		drop_oldest(s);
	e = &s->log[(s->log_head + s->log_n) % o->transcript_max];
	e->buf = copy;
	e->len = len;
	s->log_n++;
	s->log_bytes += len;
	return 0;
}

size_t sess_log_count(const struct sess *s)
{
	return s->log_n;
}

const struct sess_env *sess_log_at(const struct sess *s, size_t i)
{
	if (i >= s->log_n)
		return NULL;
	return &s->log[(s->log_head + i) % s->store->o.transcript_max];
}

/* ---- dialog state ---- */

uint32_t sess_next_id(struct sess *s)
{
	return ++s->next_id;
}

uint32_t sess_last_id(const struct sess *s)
{
	return s->next_id;
}

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

void sess_note_answer(struct sess *s, uint32_t id, const char *entry, const char *lang)
{
	struct sess_note *n;

	if (s->n_notes < LIM_REPLIES_KEPT) {
		n = &s->notes[(s->notes_head + s->n_notes) % LIM_REPLIES_KEPT];
		s->n_notes++;
	} else {
		n = &s->notes[s->notes_head];
		s->notes_head = (s->notes_head + 1) % LIM_REPLIES_KEPT;
	}
	n->id = id;
	copy_str(n->entry, sizeof(n->entry), entry);
	copy_str(n->lang, sizeof(n->lang), lang);
}

const struct sess_note *sess_note_find(const struct sess *s, uint32_t id)
{
	for (size_t i = 0; i < s->n_notes; i++) {
		const struct sess_note *n = &s->notes[(s->notes_head + i) % LIM_REPLIES_KEPT];

		if (n->id == id)
			return n;
	}
	return NULL;
}

int sess_set_context(struct sess *s, const char *json)
{
	char *copy = NULL;

	if (json) {
		size_t n = strlen(json);

		copy = malloc(n + 1);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, json, n + 1);
	}
	free(s->context);
	s->context = copy;
	return 0;
}

int sess_set_slots(struct sess *s, const struct intent_slot *slots, size_t n)
{
	struct intent_slot *copy = NULL;

	if (n) {
		copy = malloc(n * sizeof(*copy));
		if (copy)
			memcpy(copy, slots, n * sizeof(*copy));
	}
	free(s->slots);
	s->slots = copy;
	s->n_slots = copy ? n : 0;
	return n && !copy ? -ENOMEM : 0;
}
