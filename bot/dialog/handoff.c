/*
 * handoff.c - the hand-off desk: triggers, the state machine, routing and
 * the queue, wait estimates, tickets, agents and their sessions. Every
 * transition goes through commit(): write through the store first, then
 * change memory, then tell the caller's hook. No I/O of its own.
 */
#include "dialog/handoff.h"

#include "core/str.h"
#include "core/strmap.h"
#include "dialog/casefile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names and the transition table ---- */

const char *handoff_state_name(enum handoff_state s)
{
	static const char *const names[] = { "bot", "queued", "assigned", "resolved", "ticket" };

	return (unsigned)s < HANDOFF_STATES ? names[s] : "bot";
}

const char *handoff_reason_name(enum handoff_reason r)
{
	static const char *const names[] = { "none", "asked", "policy", "sentiment", "dislikes", "fallbacks" };

	return (unsigned)r < HANDOFF_REASONS ? names[r] : "none";
}

const char *handoff_from_name(enum handoff_from f)
{
	static const char *const names[] = { "customer", "bot", "agent", "system" };

	return (unsigned)f < 4 ? names[f] : "system";
}

bool handoff_is_legal(enum handoff_state from, enum handoff_state to)
{
	/* rows: from; columns: to (bot, queued, assigned, resolved, ticket) */
	static const bool legal[HANDOFF_STATES][HANDOFF_STATES] = {
		[HANDOFF_BOT]      = { [HANDOFF_QUEUED] = true },
		[HANDOFF_QUEUED]   = { [HANDOFF_BOT] = true, [HANDOFF_ASSIGNED] = true, [HANDOFF_TICKET] = true },
		[HANDOFF_ASSIGNED] = { [HANDOFF_BOT] = true, [HANDOFF_QUEUED] = true, [HANDOFF_RESOLVED] = true },
		[HANDOFF_RESOLVED] = { [HANDOFF_BOT] = true },
		[HANDOFF_TICKET]   = { [HANDOFF_BOT] = true, [HANDOFF_RESOLVED] = true },
	};

	return (unsigned)from < HANDOFF_STATES && (unsigned)to < HANDOFF_STATES && legal[from][to];
}

static bool is_open(enum handoff_state s)
{
	return s == HANDOFF_QUEUED || s == HANDOFF_ASSIGNED || s == HANDOFF_TICKET;
}

/* ---- triggers ---- */

void handoff_policy_default(struct handoff_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->on_ask = p->on_fallbacks = p->on_dislikes = p->on_sentiment = p->on_policy = true;
	p->fallbacks = 2;
	p->dislikes = 2;
	p->sentiment = 2.0f;
	strcpy(p->team, "support");
	p->vip_priority = 10;
	p->upset_priority = 2;
}

bool handoff_should_trigger(const struct handoff_signals *s, const struct handoff_policy *p,
			    enum handoff_reason *reason)
{
	enum handoff_reason r = HANDOFF_REASON_NONE;

	if (!s || !p)
		r = HANDOFF_REASON_NONE;
	else if (p->on_ask && s->asked)
		r = HANDOFF_REASON_ASKED;
	else if (p->on_policy && (p->always_person || s->intent_always_person))
		r = HANDOFF_REASON_POLICY;
	else if (p->on_sentiment && p->sentiment > 0.0f && s->sentiment >= p->sentiment)
		r = HANDOFF_REASON_SENTIMENT;
	else if (p->on_dislikes && p->dislikes && s->dislikes >= p->dislikes)
		r = HANDOFF_REASON_DISLIKES;
	else if (p->on_fallbacks && p->fallbacks && s->fallbacks >= p->fallbacks)
		r = HANDOFF_REASON_FALLBACKS;
	if (reason)
		*reason = r;
	return r != HANDOFF_REASON_NONE;
}

int handoff_priority(const struct handoff_signals *s, const struct handoff_policy *p, enum handoff_reason reason)
{
	int prio = p->priority;

	if (s && s->vip && s->verified)
		prio += p->vip_priority;
	if (reason == HANDOFF_REASON_SENTIMENT)
		prio += p->upset_priority;
	return prio;
}

/* ---- business hours ---- */

bool handoff_hours_open(const struct handoff_hours *h, int64_t now)
{
	int64_t local_min, day, minute;
	int wday;

	if (!h || h->always)
		return true;
	local_min = now / 60000 + h->utc_offset_min;
	day = local_min >= 0 ? local_min / 1440 : (local_min - 1439) / 1440;
	minute = local_min - day * 1440;
	wday = (int)(((day % 7) + 7 + 4) % 7);   /* 1970-01-01 was a Thursday (4) */
	return h->open[wday] < h->close[wday] && minute >= h->open[wday] && minute < h->close[wday];
}

/* ---- the desk ---- */

struct oconv {
	struct handoff_conv c;
	struct oconv *hnext;            /* hash chain */
	struct oconv *prev, *next;      /* all open conversations */
};

struct team {
	char name[HANDOFF_CODE_LEN + 1];
	struct handoff_hours hours;
	struct handoff_sample ring[LIM_HANDOFF_SAMPLES];
	size_t n_samples, head;
	int64_t last_online;            /* last time an agent of the team was known online */
};

struct policy {
	char scene[LIM_ID + 1];
	struct handoff_policy p;
};

struct agent {
	struct handoff_agent a;
	unsigned tabs;                  /* open consoles */
	unsigned load;                  /* chats held */
	int64_t offline_at;             /* when the last console closed */
};

struct handoff {
	struct handoff_config cfg;
	const struct handoff_store_ops *ops;
	void *store;
	struct oconv **buckets;
	size_t n_buckets, n_open;
	struct oconv *head;
	struct team *teams;
	size_t n_teams;
	struct policy *policies;
	size_t n_policies;
	struct handoff_policy def;
	struct agent *agents;
	size_t n_agents;
	char dummy_hash[KDF_ENCODED_MAX];   /* verified for unknown users, so they cost the same */
	uint64_t version, seq;
	int64_t started;
};

void handoff_config_default(struct handoff_config *c)
{
	memset(c, 0, sizeof(*c));
	c->agent_grace_s = 60;
	c->ticket_after_s = 300;
	c->wait_window_s = 3600;
	c->wait_cap_min = 10;
	c->wait_samples = 3;
	c->session_ttl_s = 12 * 3600;
	c->max_open = LIM_HANDOFF_OPEN;
}

uint64_t handoff_version(const struct handoff *h)
{
	return h->version;
}

/* ---- validation and copies ---- */

static void copy(char *dst, size_t cap, const char *s)
{
	size_t len = s ? strlen(s) : 0;

	if (len > cap - 1) {
		len = cap - 1;
		while (len && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(dst, s ? s : "", len);
	dst[len] = '\0';
}

/* Conversation ids and usernames: [A-Za-z0-9._-], 1..LIM_ID. */
static bool valid_id(const char *s)
{
	size_t n = 0;

	if (!s)
		return false;
	for (; s[n]; n++) {
		char c = s[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return false;
	}
	return n >= 1 && n <= LIM_ID;
}

/* Team names and resolution codes: [a-z0-9_-], 1..HANDOFF_CODE_LEN. */
static bool valid_code(const char *s)
{
	size_t n = 0;

	if (!s)
		return false;
	for (; s[n]; n++) {
		char c = s[n];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return n >= 1 && n <= HANDOFF_CODE_LEN;
}

static bool valid_text(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	return n <= max && str_utf8_valid(s ? s : "", n, NULL);
}

void handoff_conv_id(const char *session_token, char out[HANDOFF_CONV_LEN + 1])
{
	static const char tag[] = "faqbot conversation ";
	char buf[sizeof(tag) + 256];
	uint8_t d[KDF_HASH_BYTES];
	size_t n = strlen(session_token ? session_token : "");

	if (n > 256)
		n = 256;
	memcpy(buf, tag, sizeof(tag) - 1);
	memcpy(buf + sizeof(tag) - 1, session_token ? session_token : "", n);
	if (kdf_sha256(buf, sizeof(tag) - 1 + n, d))
		memset(d, 0, sizeof(d));
	kdf_hex(d, HANDOFF_CONV_LEN / 2, out);
}

/* ---- open conversations: hash + list ---- */

static size_t bucket_of(const struct handoff *h, const char *id)
{
	return (size_t)(strmap_hash(id, strlen(id)) & (h->n_buckets - 1));
}

static struct oconv *open_find(const struct handoff *h, const char *id)
{
	if (!id)
		return NULL;
	for (struct oconv *o = h->buckets[bucket_of(h, id)]; o; o = o->hnext)
		if (strcmp(o->c.id, id) == 0)
			return o;
	return NULL;
}

static void open_link(struct handoff *h, struct oconv *o)
{
	size_t b = bucket_of(h, o->c.id);

	o->hnext = h->buckets[b];
	h->buckets[b] = o;
	o->prev = NULL;
	o->next = h->head;
	if (h->head)
		h->head->prev = o;
	h->head = o;
	h->n_open++;
}

static void open_unlink(struct handoff *h, struct oconv *o)
{
	struct oconv **pp = &h->buckets[bucket_of(h, o->c.id)];

	while (*pp && *pp != o)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = o->hnext;
	if (o->prev)
		o->prev->next = o->next;
	else
		h->head = o->next;
	if (o->next)
		o->next->prev = o->prev;
	h->n_open--;
}

/* ---- teams, policies, agents ---- */

static struct team *team_find(const struct handoff *h, const char *name)
{
	for (size_t i = 0; i < h->n_teams; i++)
		if (strcmp(h->teams[i].name, name) == 0)
			return &h->teams[i];
	return NULL;
}

/* The team, created (always open, last seen online now) when new; NULL when there are too many. */
static struct team *team_get(struct handoff *h, const char *name, int64_t now)
{
	struct team *t = team_find(h, name);

	if (t || h->n_teams >= LIM_HANDOFF_ROUTES)
		return t;
	t = &h->teams[h->n_teams++];
	memset(t, 0, sizeof(*t));
	copy(t->name, sizeof(t->name), name);
	t->hours.always = true;
	t->last_online = now < h->started ? now : h->started;
	return t;
}

int handoff_set_team(struct handoff *h, const char *team, const struct handoff_hours *hours)
{
	struct team *t;

	if (!h || !valid_code(team))
		return -EINVAL;
	if (hours && !hours->always)
		for (int d = 0; d < 7; d++)
			if (hours->open[d] > 1440 || hours->close[d] > 1440)
				return -EINVAL;
	t = team_get(h, team, h->started);
	if (!t)
		return -E2BIG;
	if (hours)
		t->hours = *hours;
	else
		t->hours.always = true;
	return 0;
}

int handoff_set_policy(struct handoff *h, const char *scene, const struct handoff_policy *p)
{
	struct policy *np;

	if (!h || !p || !valid_code(p->team) || (scene && !valid_id(scene)))
		return -EINVAL;
	if (!scene) {
		h->def = *p;
		return 0;
	}
	for (size_t i = 0; i < h->n_policies; i++) {
		if (strcmp(h->policies[i].scene, scene) == 0) {
			h->policies[i].p = *p;
			return 0;
		}
	}
	if (h->n_policies >= LIM_HANDOFF_ROUTES)
		return -E2BIG;
	np = realloc(h->policies, (h->n_policies + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	h->policies = np;
	copy(np[h->n_policies].scene, sizeof(np->scene), scene);
	np[h->n_policies].p = *p;
	h->n_policies++;
	return 0;
}

const struct handoff_policy *handoff_policy_for(const struct handoff *h, const char *scene)
{
	size_t len = scene ? strlen(scene) : 0;

	/* "order_detail.shipped", then its parent "order_detail", then the default */
	while (len) {
		for (size_t i = 0; i < h->n_policies; i++)
			if (strlen(h->policies[i].scene) == len && memcmp(h->policies[i].scene, scene, len) == 0)
				return &h->policies[i].p;
		while (len && scene[len - 1] != '.')
			len--;
		if (len)
			len--;      /* drop the dot */
	}
	return &h->def;
}

static struct agent *agent_mem(const struct handoff *h, const char *username)
{
	for (size_t i = 0; username && i < h->n_agents; i++)
		if (strcmp(h->agents[i].a.username, username) == 0)
			return &h->agents[i];
	return NULL;
}

/* Put a into memory (replacing the account, keeping presence and load). */
static struct agent *agent_remember(struct handoff *h, const struct handoff_agent *a)
{
	struct agent *m = agent_mem(h, a->username), *na;

	if (m) {
		m->a = *a;
		return m;
	}
	if (h->n_agents >= LIM_HANDOFF_AGENTS)
		return NULL;
	na = realloc(h->agents, (h->n_agents + 1) * sizeof(*na));
	if (!na)
		return NULL;
	h->agents = na;
	m = &na[h->n_agents++];
	memset(m, 0, sizeof(*m));
	m->a = *a;
	m->offline_at = h->started;
	return m;
}

/* The agent from memory, or from the store when another process added it. */
static struct agent *agent_lookup(struct handoff *h, const char *username)
{
	struct agent *m = agent_mem(h, username);
	struct handoff_agent a;

	if (m || !valid_id(username) || h->ops->agent_get(h->store, username, &a))
		return m;
	return agent_remember(h, &a);
}

static bool agent_in_team(const struct handoff_agent *a, const char *team)
{
	const char *p = a->teams;
	size_t n = strlen(team);

	while (*p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if ((len == 1 && *p == '*') || (len == n && memcmp(p, team, n) == 0))
			return true;
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

static bool team_online(const struct handoff *h, const char *team)
{
	for (size_t i = 0; i < h->n_agents; i++)
		if (h->agents[i].tabs && !h->agents[i].a.disabled && agent_in_team(&h->agents[i].a, team))
			return true;
	return false;
}

bool handoff_team_available(const struct handoff *h, const char *team, int64_t now)
{
	const struct team *t = team_find(h, team);

	return team_online(h, team) && (!t || handoff_hours_open(&t->hours, now));
}

/* ---- queue order ---- */

/* Negative when a goes before b: priority, then the longest wait, then request order. */
static int order(const struct handoff_conv *a, const struct handoff_conv *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority ? -1 : 1;
	if (a->requested_at != b->requested_at)
		return a->requested_at < b->requested_at ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* 1-based place of c among the queued chats of its team (c itself need not be open yet). */
static size_t position_of(const struct handoff *h, const struct handoff_conv *c)
{
	size_t pos = 1;

	for (const struct oconv *o = h->head; o; o = o->next)
		if (o->c.state == HANDOFF_QUEUED && &o->c != c && strcmp(o->c.id, c->id) != 0 &&
		    strcmp(o->c.team, c->team) == 0 && order(&o->c, c) < 0)
			pos++;
	return pos;
}

/* ---- the wait estimate ---- */

static void sample_add(struct handoff *h, const struct handoff_sample *s)
{
	struct team *t = team_get(h, s->team, s->claimed_at);

	if (!t)
		return;
	t->ring[t->head] = *s;
	t->head = (t->head + 1) % LIM_HANDOFF_SAMPLES;
	if (t->n_samples < LIM_HANDOFF_SAMPLES)
		t->n_samples++;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

void handoff_estimate(const struct handoff *h, const char *team, size_t position, int64_t now,
		      struct handoff_wait *out)
{
	const struct team *t = team ? team_find(h, team) : NULL;
	int64_t per[LIM_HANDOFF_SAMPLES], since = now - (int64_t)h->cfg.wait_window_s * 1000, est, med;
	size_t n = 0;
	unsigned cap = h->cfg.wait_cap_min ? h->cfg.wait_cap_min : 10;

	out->minutes = cap;
	out->confident = false;
	if (!t || !team_online(h, team) || !handoff_hours_open(&t->hours, now))
		return;
	for (size_t i = 0; i < t->n_samples; i++) {
		const struct handoff_sample *s = &t->ring[i];

		if (s->claimed_at >= since && s->claimed_at <= now && s->waited_ms >= 0)
			per[n++] = s->waited_ms / (s->position ? s->position : 1);
	}
	if (n < (h->cfg.wait_samples ? h->cfg.wait_samples : 1))
		return;
	qsort(per, n, sizeof(*per), cmp_i64);
	med = n % 2 ? per[n / 2] : (per[n / 2 - 1] + per[n / 2]) / 2;
	est = med * (int64_t)(position ? position : 1);
	if (est > (int64_t)cap * 60000)
		return;
	out->minutes = (unsigned)((est + 59999) / 60000);
	if (!out->minutes)
		out->minutes = 1;
	out->confident = true;
}

/* ---- commit: store first, then memory, then the hook ---- */

struct change {
	enum handoff_state expect;
	const char *actor, *detail;
	const struct handoff_ticket *ticket;
	const char *casefile;
	size_t casefile_len;
	const struct handoff_sample *sample;
	struct oconv *fresh;      /* preallocated node when next becomes open and is not yet */
};

static int commit(struct handoff *h, struct oconv *o, struct handoff_conv *next, const struct change *ch, int64_t now)
{
	struct handoff_event ev = { next->id, ch->expect, next->state, now, ch->actor, ch->detail };
	struct handoff_write w = { next, ch->expect, &ev, ch->ticket, ch->casefile, ch->casefile_len, ch->sample };
	enum handoff_state from = ch->expect;
	char prev_agent[LIM_ID + 1] = "";
	struct agent *a;
	int rc;

	if (!handoff_is_legal(ch->expect, next->state) || (is_open(next->state) && !o && !ch->fresh))
		return -EINVAL;
	next->updated_at = now;
	rc = h->ops->write(h->store, &w);
	if (rc)
		return rc;

	/* the write is durable: memory follows, nothing below can fail */
	if (from == HANDOFF_ASSIGNED && o)
		copy(prev_agent, sizeof(prev_agent), o->c.agent);
	if (from == HANDOFF_ASSIGNED && (a = agent_mem(h, prev_agent)) && a->load)
		a->load--;
	if (next->state == HANDOFF_ASSIGNED && (a = agent_mem(h, next->agent)))
		a->load++;
	if (is_open(next->state)) {
		if (!o) {
			o = ch->fresh;
			o->c = *next;
			open_link(h, o);
		} else {
			o->c = *next;
		}
	} else if (o) {
		open_unlink(h, o);
		free(o);
		o = NULL;
	}
	if (ch->sample)
		sample_add(h, ch->sample);
	h->version++;
	if (h->cfg.on_change)
		h->cfg.on_change(h->cfg.arg, o ? &o->c : next, &ev, prev_agent);
	return 0;
}

/* ---- create, load, free ---- */

static int load_one(void *arg, const struct handoff_conv *c)
{
	struct handoff *h = arg;
	struct oconv *o;

	if (!is_open(c->state) || open_find(h, c->id))
		return 0;
	if (h->n_open >= h->cfg.max_open)
		return -E2BIG;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->c = *c;
	open_link(h, o);
	if (c->seq > h->seq)
		h->seq = c->seq;
	return 0;
}

static int load_agent(void *arg, const struct handoff_agent *a)
{
	return agent_remember(arg, a) ? 0 : -ENOMEM;
}

static int load_sample(void *arg, const struct handoff_sample *s)
{
	sample_add(arg, s);
	return 0;
}

struct handoff *handoff_new(const struct handoff_config *cfg, const struct handoff_store_ops *ops, void *store,
			    int64_t now, int *err)
{
	struct handoff *h = NULL;
	int rc = -ENOMEM;

	if (!ops || !ops->write || !ops->load_open || !ops->get_conv) {
		rc = -EINVAL;
		goto out;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		goto out;
	if (cfg)
		h->cfg = *cfg;
	else
		handoff_config_default(&h->cfg);
	if (!h->cfg.max_open || h->cfg.max_open > LIM_HANDOFF_OPEN)
		h->cfg.max_open = LIM_HANDOFF_OPEN;
	h->ops = ops;
	h->store = store;
	h->started = now;
	handoff_policy_default(&h->def);
	for (h->n_buckets = 64; h->n_buckets < 2 * h->cfg.max_open; h->n_buckets *= 2)
		;
	h->buckets = calloc(h->n_buckets, sizeof(*h->buckets));
	h->teams = calloc(LIM_HANDOFF_ROUTES, sizeof(*h->teams));
	if (!h->buckets || !h->teams)
		goto out;
	rc = ops->load_open(store, load_one, h);
	if (!rc && ops->agent_list)
		rc = ops->agent_list(store, load_agent, h);
	if (!rc && ops->load_samples)
		rc = ops->load_samples(store, now - (int64_t)h->cfg.wait_window_s * 1000, load_sample, h);
	if (rc)
		goto out;
	for (struct oconv *o = h->head; o; o = o->next) {
		struct agent *a;

		if (o->c.state == HANDOFF_ASSIGNED && (a = agent_mem(h, o->c.agent)))
			a->load++;
		team_get(h, o->c.team, now);
	}
out:
	if (rc) {
		handoff_free(h);
		h = NULL;
	}
	if (err)
		*err = rc;
	return h;
}

void handoff_free(struct handoff *h)
{
	if (!h)
		return;
	while (h->head) {
		struct oconv *o = h->head;

		h->head = o->next;
		free(o);
	}
	free(h->buckets);
	free(h->teams);
	free(h->policies);
	free(h->agents);
	free(h);
}

/* ---- transitions ---- */

static int random_bytes(struct handoff *h, void *buf, size_t n)
{
	return h->cfg.random ? h->cfg.random(buf, n) : kdf_random(buf, n);
}

/* Unambiguous: no 0/O, 1/I/L, U. */
static const char ticket_alphabet[] = "23456789ABCDEFGHJKMNPQRSTVWXYZ";

static int new_ticket_ref(struct handoff *h, char ref[HANDOFF_TICKET_LEN + 1])
{
	uint8_t b[32];
	size_t k = 0, n = sizeof(ticket_alphabet) - 1;
	int rc;

	strcpy(ref, "T-");
	while (k < 6) {
		rc = random_bytes(h, b, sizeof(b));
		if (rc)
			return rc;
		for (size_t i = 0; i < sizeof(b) && k < 6; i++)
			if (b[i] < 256 - 256 % n)     /* rejection sampling: no bias */
				ref[2 + k++] = ticket_alphabet[b[i] % n];
	}
	ref[HANDOFF_TICKET_LEN] = '\0';
	return 0;
}

/* queued -> ticket, retrying on a reference collision. */
static int make_ticket(struct handoff *h, struct oconv *o, const char *why, int64_t now, char *ref_out)
{
	struct handoff_conv next = o->c;
	struct handoff_ticket t = { 0 };
	struct change ch = { .expect = HANDOFF_QUEUED, .actor = "system", .detail = why, .ticket = &t };
	int rc = -EEXIST;

	copy(t.conv, sizeof(t.conv), o->c.id);
	copy(t.customer, sizeof(t.customer), o->c.customer);
	copy(t.team, sizeof(t.team), o->c.team);
	copy(t.why, sizeof(t.why), why);
	t.open = true;
	t.created_at = now;
	if (strcmp(why, "message") == 0)
		ch.actor = "customer";
	next.state = HANDOFF_TICKET;
	next.agent[0] = '\0';
	for (int attempt = 0; attempt < 8 && rc == -EEXIST; attempt++) {
		rc = new_ticket_ref(h, t.ref);
		if (rc)
			return rc;
		copy(next.ticket, sizeof(next.ticket), t.ref);
		rc = commit(h, o, &next, &ch, now);
	}
	if (!rc && ref_out)
		copy(ref_out, HANDOFF_TICKET_LEN + 1, t.ref);
	return rc;
}

static void fill_status(struct handoff *h, const struct handoff_conv *c, int64_t now, struct handoff_status *out)
{
	const struct agent *a;

	memset(out, 0, sizeof(*out));
	out->state = c->state;
	copy(out->team, sizeof(out->team), c->team);
	copy(out->ticket, sizeof(out->ticket), c->state == HANDOFF_TICKET ? c->ticket : "");
	if (c->state == HANDOFF_QUEUED) {
		out->position = position_of(h, c);
		handoff_estimate(h, c->team, out->position, now, &out->wait);
	}
	if (c->state == HANDOFF_ASSIGNED) {
		copy(out->agent, sizeof(out->agent), c->agent);
		a = agent_mem(h, c->agent);
		copy(out->agent_name, sizeof(out->agent_name), a ? a->a.name : c->agent);
	}
}

/* A conversation that is resolved (or an open ticket) comes back to the bot first. */
static int back_to_bot(struct handoff *h, const char *conv, int64_t now)
{
	struct oconv *o = open_find(h, conv);
	struct handoff_conv c;
	struct change ch = { .actor = "customer", .detail = "customer_returned" };
	int rc;

	if (o) {
		if (o->c.state != HANDOFF_TICKET)
			return -EINVAL;
		c = o->c;
	} else {
		rc = h->ops->get_conv(h->store, conv, &c);
		if (rc == -ENOENT || (!rc && c.state == HANDOFF_BOT))
			return 0;
		if (rc)
			return rc;
		if (c.state != HANDOFF_RESOLVED)
			return -EINVAL;
	}
	ch.expect = c.state;
	c.state = HANDOFF_BOT;
	return commit(h, o, &c, &ch, now);
}

int handoff_request(struct handoff *h, const struct handoff_request *rq, int64_t now, struct handoff_status *out)
{
	const struct handoff_policy *p;
	struct handoff_conv c;
	struct change ch = { .expect = HANDOFF_BOT, .actor = "customer" };
	const struct casefile *cf;
	struct oconv *o;
	struct team *t;
	char *blob = NULL;
	size_t blob_len = 0;
	int rc;

	if (!h || !rq || !valid_id(rq->conv) || (rq->customer && !valid_id(rq->customer)) ||
	    (unsigned)rq->reason >= HANDOFF_REASONS || !valid_text(rq->customer_name, 4 * LIM_HANDOFF_NAME) ||
	    (rq->scene && !valid_text(rq->scene, LIM_ID)) || !valid_text(rq->summary, 4 * LIM_HANDOFF_SUMMARY))
		return -EINVAL;
	rc = back_to_bot(h, rq->conv, now);
	if (rc)
		return rc;
	if (open_find(h, rq->conv))
		return -EINVAL;
	if (h->n_open >= h->cfg.max_open)
		return -E2BIG;
	p = handoff_policy_for(h, rq->scene);
	t = team_get(h, p->team, now);
	if (!t)
		return -E2BIG;

	memset(&c, 0, sizeof(c));
	copy(c.id, sizeof(c.id), rq->conv);
	copy(c.customer, sizeof(c.customer), rq->customer ? rq->customer : rq->conv);
	copy(c.customer_name, sizeof(c.customer_name), rq->customer_name);
	copy(c.scene, sizeof(c.scene), rq->scene);
	copy(c.lang, sizeof(c.lang), rq->lang);
	copy(c.team, sizeof(c.team), p->team);
	cf = rq->casefile;
	copy(c.summary, sizeof(c.summary), rq->summary ? rq->summary : cf ? cf->summary : "");
	c.state = HANDOFF_QUEUED;
	c.reason = rq->reason;
	c.priority = rq->priority;
	c.vip = rq->vip;
	c.requested_at = c.queued_at = now;
	c.seq = h->seq + 1;
	c.entry_position = (uint32_t)position_of(h, &c);

	if (cf && h->cfg.encode_casefile) {
		rc = h->cfg.encode_casefile(cf, &blob, &blob_len);
		if (rc)
			return rc;
		if (blob_len > LIM_HANDOFF_CASEFILE) {
			free(blob);
			return -E2BIG;
		}
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		free(blob);
		return -ENOMEM;
	}
	ch.fresh = o;
	ch.detail = handoff_reason_name(rq->reason);
	ch.casefile = blob;
	ch.casefile_len = blob_len;
	rc = commit(h, NULL, &c, &ch, now);
	free(blob);
	if (rc) {
		free(o);
		return rc;
	}
	h->seq = c.seq;

	/* A failed ticket leaves the chat queued (the status says so); handoff_tick tries again. */
	if (rq->leave_message)
		make_ticket(h, o, "message", now, NULL);
	else if (!handoff_hours_open(&t->hours, now))
		make_ticket(h, o, "closed", now, NULL);
	else if (!team_online(h, c.team))
		make_ticket(h, o, "no_agent", now, NULL);
	if (out)
		fill_status(h, &o->c, now, out);
	return 0;
}

int handoff_claim(struct handoff *h, const char *agent, const char *conv, int64_t now)
{
	struct agent *a = agent_lookup(h, agent);
	struct oconv *o = open_find(h, conv);
	struct handoff_conv next, stored;
	struct handoff_sample s = { 0 };
	struct change ch = { .expect = HANDOFF_QUEUED, .actor = agent, .detail = "claim", .sample = &s };

	if (!a)
		return -ENOENT;
	if (!o)
		return valid_id(conv) && h->ops->get_conv(h->store, conv, &stored) == 0 ? -EBUSY : -ENOENT;
	if (o->c.state != HANDOFF_QUEUED)
		return -EBUSY;
	if (!a->tabs || a->a.disabled || !agent_in_team(&a->a, o->c.team))
		return -EACCES;
	if (a->load >= a->a.capacity)
		return -ENOSPC;
	next = o->c;
	next.state = HANDOFF_ASSIGNED;
	copy(next.agent, sizeof(next.agent), a->a.username);
	next.assigned_at = now;
	copy(s.team, sizeof(s.team), o->c.team);
	s.claimed_at = now;
	s.waited_ms = now - o->c.queued_at;
	s.position = o->c.entry_position;
	return commit(h, o, &next, &ch, now);
}

int handoff_claim_next(struct handoff *h, const char *agent, int64_t now, char conv_out[LIM_ID + 1])
{
	struct agent *a = agent_lookup(h, agent);
	struct oconv *best = NULL;
	int rc;

	if (!a)
		return -ENOENT;
	for (struct oconv *o = h->head; o; o = o->next)
		if (o->c.state == HANDOFF_QUEUED && agent_in_team(&a->a, o->c.team) &&
		    (!best || order(&o->c, &best->c) < 0))
			best = o;
	if (!best)
		return -ENOENT;
	copy(conv_out, LIM_ID + 1, best->c.id);
	rc = handoff_claim(h, agent, conv_out, now);
	if (rc)
		conv_out[0] = '\0';
	return rc;
}

/* The open conversation conv held by agent, or an error. */
static int held_by(struct handoff *h, const char *agent, const char *conv, struct oconv **out)
{
	struct oconv *o = open_find(h, conv);

	*out = o;
	if (!o)
		return -ENOENT;
	if (o->c.state != HANDOFF_ASSIGNED)
		return -EINVAL;
	if (!agent || strcmp(o->c.agent, agent) != 0)
		return -EPERM;
	return 0;
}

/* assigned -> queued for team, keeping its place in the queue. */
static int requeue(struct handoff *h, struct oconv *o, const char *team, const char *actor, const char *detail,
		   int64_t now)
{
	struct handoff_conv next = o->c;
	struct change ch = { .expect = HANDOFF_ASSIGNED, .actor = actor, .detail = detail };

	if (!team_get(h, team, now))
		return -E2BIG;
	next.state = HANDOFF_QUEUED;
	copy(next.team, sizeof(next.team), team);
	next.agent[0] = '\0';
	next.queued_at = now;
	next.entry_position = (uint32_t)position_of(h, &next);
	return commit(h, o, &next, &ch, now);
}

int handoff_transfer(struct handoff *h, const char *agent, const char *conv, const char *team, int64_t now)
{
	struct oconv *o;
	char detail[HANDOFF_CODE_LEN + 16];
	int rc = held_by(h, agent, conv, &o);

	if (rc)
		return rc;
	if (!team)
		team = o->c.team;
	if (!valid_code(team))
		return -EINVAL;
	snprintf(detail, sizeof(detail), "transfer:%s", team);
	return requeue(h, o, team, agent, detail, now);
}

int handoff_return_to_bot(struct handoff *h, const char *agent, const char *conv, int64_t now)
{
	struct oconv *o;
	struct handoff_conv next;
	struct change ch = { .expect = HANDOFF_ASSIGNED, .actor = agent, .detail = "returned" };
	int rc = held_by(h, agent, conv, &o);

	if (rc)
		return rc;
	next = o->c;
	next.state = HANDOFF_BOT;
	return commit(h, o, &next, &ch, now);
}

int handoff_close(struct handoff *h, const char *agent, const char *conv, const char *resolution, int64_t now)
{
	struct oconv *o = open_find(h, conv);
	struct agent *a = agent_lookup(h, agent);
	struct handoff_conv next;
	struct handoff_ticket t;
	struct change ch = { .actor = agent, .detail = resolution };
	int rc;

	if (!o || !a)
		return -ENOENT;
	if (!valid_code(resolution))
		return -EINVAL;
	if (o->c.state == HANDOFF_ASSIGNED) {
		if (strcmp(o->c.agent, agent) != 0)
			return -EPERM;
	} else if (o->c.state == HANDOFF_TICKET) {
		if (a->a.disabled || !agent_in_team(&a->a, o->c.team))
			return -EPERM;
		rc = h->ops->get_ticket ? h->ops->get_ticket(h->store, o->c.ticket, &t) : -ENOENT;
		if (rc)
			return rc;
		t.open = false;
		copy(t.resolution, sizeof(t.resolution), resolution);
		t.closed_at = now;
		ch.ticket = &t;
	} else {
		return -EINVAL;
	}
	ch.expect = o->c.state;
	next = o->c;
	next.state = HANDOFF_RESOLVED;
	copy(next.agent, sizeof(next.agent), agent);
	copy(next.resolution, sizeof(next.resolution), resolution);
	return commit(h, o, &next, &ch, now);
}

int handoff_to_ticket(struct handoff *h, const char *conv, const char *why, int64_t now,
		      char ref[HANDOFF_TICKET_LEN + 1])
{
	struct oconv *o = open_find(h, conv);

	if (!o)
		return -ENOENT;
	if (o->c.state != HANDOFF_QUEUED || !valid_code(why))
		return -EINVAL;
	return make_ticket(h, o, why, now, ref);
}

int handoff_cancel(struct handoff *h, const char *conv, int64_t now)
{
	struct oconv *o = open_find(h, conv);
	struct handoff_conv next;
	struct change ch = { .actor = "customer", .detail = "cancelled" };

	if (!o)
		return -ENOENT;
	if (o->c.state != HANDOFF_QUEUED && o->c.state != HANDOFF_TICKET)
		return -EINVAL;
	ch.expect = o->c.state;
	next = o->c;
	next.state = HANDOFF_BOT;
	return commit(h, o, &next, &ch, now);
}

int handoff_customer_wrote(struct handoff *h, const char *conv, int64_t now, enum handoff_state *state)
{
	struct oconv *o = open_find(h, conv);
	struct handoff_conv c;
	struct change ch = { .expect = HANDOFF_RESOLVED, .actor = "customer", .detail = "customer_returned" };
	int rc;

	if (state)
		*state = o ? o->c.state : HANDOFF_BOT;
	if (o)
		return 0;
	if (!valid_id(conv))
		return -EINVAL;
	rc = h->ops->get_conv(h->store, conv, &c);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	if (c.state != HANDOFF_RESOLVED)
		return 0;
	c.state = HANDOFF_BOT;
	return commit(h, NULL, &c, &ch, now);
}

/* ---- presence and time ---- */

int handoff_agent_online(struct handoff *h, const char *agent, int64_t now)
{
	struct agent *a = agent_lookup(h, agent);

	if (!a)
		return -ENOENT;
	if (a->a.disabled)
		return -EACCES;
	a->tabs++;
	for (size_t i = 0; i < h->n_teams; i++)
		if (agent_in_team(&a->a, h->teams[i].name))
			h->teams[i].last_online = now;
	h->version++;
	return (int)a->load;
}

void handoff_agent_offline(struct handoff *h, const char *agent, int64_t now)
{
	struct agent *a = agent_mem(h, agent);

	if (!a || !a->tabs)
		return;
	if (--a->tabs == 0) {
		a->offline_at = now;
		for (size_t i = 0; i < h->n_teams; i++)
			if (agent_in_team(&a->a, h->teams[i].name))
				h->teams[i].last_online = now;
	}
	h->version++;
}

int handoff_tick(struct handoff *h, int64_t now)
{
	int64_t grace = (int64_t)h->cfg.agent_grace_s * 1000, wait = (int64_t)h->cfg.ticket_after_s * 1000;
	int n = 0, first = 0, rc;

	for (size_t i = 0; i < h->n_teams; i++)
		if (team_online(h, h->teams[i].name))
			h->teams[i].last_online = now;
	for (struct oconv *o = h->head, *nx; o; o = nx) {
		nx = o->next;
		rc = 0;
		if (o->c.state == HANDOFF_ASSIGNED) {
			const struct agent *a = agent_mem(h, o->c.agent);

			if (!a || a->a.disabled || (!a->tabs && now - a->offline_at >= grace)) {
				rc = requeue(h, o, o->c.team, "system", "agent_gone", now);
				n += !rc;
			}
		} else if (o->c.state == HANDOFF_QUEUED) {
			const struct team *t = team_find(h, o->c.team);

			if (t && !handoff_hours_open(&t->hours, now)) {
				rc = make_ticket(h, o, "closed", now, NULL);
				n += !rc;
			} else if (t && !team_online(h, t->name) && now - t->last_online >= wait) {
				rc = make_ticket(h, o, "no_agent", now, NULL);
				n += !rc;
			}
		}
		if (rc && !first)
			first = rc;
	}
	return first ? first : n;
}

/* ---- agent accounts and sessions ---- */

/* Comma-separated team names (or "*"), at most LIM_HANDOFF_TEAMS. */
static bool valid_teams(const char *s)
{
	char buf[LIM_HANDOFF_TEAM_LIST + 1];
	size_t n = 0;

	if (!s || !*s || strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, HANDOFF_ALL_TEAMS) != 0 && !valid_code(tok))
			return false;
		n++;
	}
	return n >= 1 && n <= LIM_HANDOFF_TEAMS && s[strlen(s) - 1] != ',' && s[0] != ',' && !strstr(s, ",,");
}

int handoff_agent_add(struct handoff *h, const char *username, const char *name, const char *teams,
		      unsigned capacity, const char *password, int64_t now)
{
	struct handoff_agent a;
	struct agent *m;
	int rc;

	if (!h || !valid_id(username) || !name || !*name || !valid_text(name, LIM_HANDOFF_NAME) || !valid_teams(teams) ||
	    capacity < 1 || capacity > LIM_HANDOFF_CAPACITY)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	rc = h->ops->agent_get(h->store, username, &a);
	if (rc && rc != -ENOENT)
		return rc;
	if (rc == -ENOENT) {
		if (!password)
			return -EINVAL;
		if (h->n_agents >= LIM_HANDOFF_AGENTS && !agent_mem(h, username))
			return -E2BIG;
		a.created_at = now;
	}
	copy(a.username, sizeof(a.username), username);
	copy(a.name, sizeof(a.name), name);
	copy(a.teams, sizeof(a.teams), teams);
	a.capacity = capacity;
	if (password) {
		rc = kdf_hash_password(password, h->cfg.kdf_iter, a.password);
		if (rc)
			return rc;
	}
	rc = h->ops->agent_put(h->store, &a);
	if (rc)
		return rc;
	m = agent_remember(h, &a);
	if (!m)
		return -ENOMEM;
	h->version++;
	return 0;
}

int handoff_agent_disable(struct handoff *h, const char *username, bool disabled)
{
	struct handoff_agent a;
	int rc = h->ops->agent_get(h->store, username, &a);

	if (rc)
		return rc;
	a.disabled = disabled;
	rc = h->ops->agent_put(h->store, &a);
	if (rc)
		return rc;
	if (!agent_remember(h, &a))
		return -ENOMEM;
	h->version++;
	return 0;
}

int handoff_agent_reload(struct handoff *h, const char *username)
{
	struct handoff_agent a;
	struct agent *m;
	int rc;

	if (!h || !valid_id(username))
		return -EINVAL;
	rc = h->ops->agent_get(h->store, username, &a);
	if (rc == -ENOENT && (m = agent_mem(h, username)) != NULL) {
		m->a.disabled = true;      /* deleted elsewhere: treat as disabled */
		h->version++;
		return -ENOENT;
	}
	if (rc)
		return rc;
	m = agent_mem(h, username);
	if (m && !memcmp(&m->a, &a, sizeof(a)))
		return 0;
	if (!agent_remember(h, &a))
		return -ENOMEM;
	h->version++;
	return 0;
}

const struct handoff_agent *handoff_agent_find(const struct handoff *h, const char *username)
{
	const struct agent *a = agent_mem(h, username);

	return a ? &a->a : NULL;
}

unsigned handoff_agent_load(const struct handoff *h, const char *username)
{
	const struct agent *a = agent_mem(h, username);

	return a ? a->load : 0;
}

static void token_hash(const char *token, char out[2 * KDF_HASH_BYTES + 1])
{
	uint8_t d[KDF_HASH_BYTES];

	if (kdf_sha256(token, strlen(token), d))
		memset(d, 0, sizeof(d));
	kdf_hex(d, sizeof(d), out);
}

static bool valid_token(const char *t)
{
	size_t n = 0;

	if (!t)
		return false;
	for (; t[n]; n++)
		if (!((t[n] >= '0' && t[n] <= '9') || (t[n] >= 'a' && t[n] <= 'f')))
			return false;
	return n == HANDOFF_TOKEN_LEN;
}

int handoff_login(struct handoff *h, const char *username, const char *password, int64_t now,
		  char token[HANDOFF_TOKEN_LEN + 1])
{
	struct handoff_agent a;
	uint8_t raw[HANDOFF_TOKEN_LEN / 2];
	char th[2 * KDF_HASH_BYTES + 1];
	int rc;

	token[0] = '\0';
	if (!password)
		return -EACCES;
	rc = valid_id(username) ? h->ops->agent_get(h->store, username, &a) : -ENOENT;
	if (rc == -ENOENT) {
		/* the same work as a real check, so a wrong name cannot be told from a wrong password */
		if (!h->dummy_hash[0] && kdf_hash_password("faqbot", h->cfg.kdf_iter, h->dummy_hash))
			h->dummy_hash[0] = '\0';
		if (h->dummy_hash[0])
			kdf_verify_password(password, h->dummy_hash);
		return -EACCES;
	}
	if (rc)
		return rc;
	rc = kdf_verify_password(password, a.password);
	if (rc || a.disabled)
		return -EACCES;
	agent_remember(h, &a);      /* refresh: the account may have been changed by another process */
	rc = random_bytes(h, raw, sizeof(raw));
	if (rc)
		return rc;
	kdf_hex(raw, sizeof(raw), token);
	token_hash(token, th);
	rc = h->ops->session_put(h->store, th, a.username, now + (int64_t)h->cfg.session_ttl_s * 1000, now);
	if (rc)
		token[0] = '\0';
	return rc;
}

int handoff_session(struct handoff *h, const char *token, int64_t now, char agent[LIM_ID + 1])
{
	char th[2 * KDF_HASH_BYTES + 1];
	int64_t expires = 0;
	const struct agent *a;

	agent[0] = '\0';
	if (!valid_token(token))
		return -EACCES;
	token_hash(token, th);
	if (h->ops->session_get(h->store, th, agent, &expires) || expires <= now) {
		agent[0] = '\0';
		return -EACCES;
	}
	a = agent_lookup(h, agent);
	if (!a || a->a.disabled) {
		agent[0] = '\0';
		return -EACCES;
	}
	return 0;
}

int handoff_logout(struct handoff *h, const char *token)
{
	char th[2 * KDF_HASH_BYTES + 1];
	int rc;

	if (!valid_token(token))
		return 0;
	token_hash(token, th);
	rc = h->ops->session_delete(h->store, th);
	return rc == -ENOENT ? 0 : rc;
}

/* ---- queries ---- */

const struct handoff_conv *handoff_find(const struct handoff *h, const char *conv)
{
	const struct oconv *o = open_find(h, conv);

	return o ? &o->c : NULL;
}

int handoff_get(struct handoff *h, const char *conv, struct handoff_conv *out)
{
	const struct oconv *o = open_find(h, conv);

	if (o) {
		*out = o->c;
		return 0;
	}
	return valid_id(conv) ? h->ops->get_conv(h->store, conv, out) : -ENOENT;
}

static int cmp_conv(const void *a, const void *b)
{
	return order(*(const struct handoff_conv *const *)a, *(const struct handoff_conv *const *)b);
}

size_t handoff_queue(const struct handoff *h, const char *agent, int64_t now, struct handoff_queue_item *out,
		     size_t max)
{
	const struct agent *a = agent ? agent_mem(h, agent) : NULL;
	const struct handoff_conv **all;
	size_t n = 0, total, *seen;

	if (agent && !a)
		return 0;
	all = malloc((h->n_open + 1) * sizeof(*all));
	seen = calloc(h->n_teams + 1, sizeof(*seen));
	if (!all || !seen) {
		free(all);
		free(seen);
		return 0;
	}
	for (const struct oconv *o = h->head; o; o = o->next)
		if (o->c.state == HANDOFF_QUEUED && (!a || agent_in_team(&a->a, o->c.team)))
			all[n++] = &o->c;
	qsort(all, n, sizeof(*all), cmp_conv);
	total = n;
	for (size_t i = 0; i < n && i < max; i++) {
		size_t k;

		for (k = 0; k < h->n_teams && strcmp(h->teams[k].name, all[i]->team) != 0; k++)
			;
		out[i].conv = all[i];
		out[i].position = ++seen[k];
		out[i].waited_ms = now - all[i]->queued_at;
	}
	free(all);
	free(seen);
	return total;
}

static int cmp_assigned(const void *a, const void *b)
{
	const struct handoff_conv *x = *(const struct handoff_conv *const *)a, *y = *(const struct handoff_conv *const *)b;

	return x->assigned_at < y->assigned_at ? -1 : x->assigned_at > y->assigned_at;
}

size_t handoff_assigned(const struct handoff *h, const char *agent, const struct handoff_conv **out, size_t max)
{
	size_t n = 0, total = 0;

	for (const struct oconv *o = h->head; o; o = o->next) {
		if (o->c.state != HANDOFF_ASSIGNED || !agent || strcmp(o->c.agent, agent) != 0)
			continue;
		if (n < max)
			out[n++] = &o->c;
		total++;
	}
	qsort(out, n, sizeof(*out), cmp_assigned);
	return total;
}

int handoff_status(struct handoff *h, const char *conv, int64_t now, struct handoff_status *out)
{
	struct handoff_conv c;
	int rc = handoff_get(h, conv, &c);

	if (rc)
		return rc;
	fill_status(h, &c, now, out);
	return 0;
}

/* ---- transcripts, case files, history, drafts ---- */

int handoff_append(struct handoff *h, const char *conv, enum handoff_from from, const char *author, const char *text,
		   size_t len, int64_t now)
{
	struct handoff_msg m = { 0 };

	if (!valid_id(conv) || (unsigned)from > HANDOFF_FROM_SYSTEM || !text || !len || len > LIM_MSG_TEXT ||
	    (author && *author && !valid_id(author)) || memchr(text, '\0', len))
		return -EINVAL;
	if (!str_utf8_valid(text, len, NULL))
		return -EILSEQ;
	m.conv = conv;
	m.at = now;
	m.from = from;
	m.author = author ? author : "";
	m.text = text;
	m.text_len = len;
	return h->ops->append_msg(h->store, &m);
}

int handoff_transcript(struct handoff *h, const char *conv, int (*fn)(void *arg, const struct handoff_msg *m),
		       void *arg)
{
	if (!valid_id(conv))
		return -EINVAL;
	return h->ops->load_msgs(h->store, conv, 0, (size_t)-1, fn, arg);
}

int handoff_casefile(struct handoff *h, const char *conv, char **out, size_t *len)
{
	*out = NULL;
	if (!valid_id(conv))
		return -ENOENT;
	return h->ops->get_casefile ? h->ops->get_casefile(h->store, conv, out, len) : -ENOENT;
}

struct hist {
	struct handoff_conv *out;
	size_t n, max;
};

static int hist_one(void *arg, const struct handoff_conv *c)
{
	struct hist *hs = arg;

	if (hs->n < hs->max)
		hs->out[hs->n++] = *c;
	return 0;
}

int handoff_history(struct handoff *h, const char *customer, const char *conv, struct handoff_conv *out, size_t max)
{
	struct hist hs = { out, 0, max };
	int rc;

	if (!valid_id(customer))
		return -EINVAL;
	if (!h->ops->history || !max)
		return 0;
	rc = h->ops->history(h->store, customer, conv, max, hist_one, &hs);
	return rc ? rc : (int)hs.n;
}

int handoff_ticket(struct handoff *h, const char *ref, struct handoff_ticket *out)
{
	char norm[HANDOFF_TICKET_LEN + 1] = "T-";
	size_t k = 2;

	if (!ref)
		return -EINVAL;
	if ((ref[0] == 'T' || ref[0] == 't') && ref[1] == '-')
		ref += 2;
	for (; *ref && k < HANDOFF_TICKET_LEN; ref++) {
		char c = *ref >= 'a' && *ref <= 'z' ? (char)(*ref - 32) : *ref;

		if (!strchr(ticket_alphabet, c) || !c)
			return -EINVAL;
		norm[k++] = c;
	}
	if (*ref || k != HANDOFF_TICKET_LEN)
		return -EINVAL;
	norm[k] = '\0';
	return h->ops->get_ticket ? h->ops->get_ticket(h->store, norm, out) : -ENOENT;
}

int handoff_propose(struct handoff *h, const char *agent, const char *conv, const char *lang, const char *scene,
		    const char *question, const char *answer, int64_t now, int64_t *id)
{
	struct handoff_draft d = { 0 };
	int rc;

	if (!agent_lookup(h, agent))
		return -ENOENT;
	if ((conv && *conv && !valid_id(conv)) || (scene && *scene && !valid_text(scene, LIM_ID)) ||
	    !question || !answer || !*question || !*answer || !valid_text(question, LIM_HANDOFF_DRAFT) ||
	    !valid_text(answer, LIM_HANDOFF_DRAFT) || (lang && strlen(lang) >= sizeof(d.lang)))
		return -EINVAL;
	copy(d.agent, sizeof(d.agent), agent);
	copy(d.conv, sizeof(d.conv), conv);
	copy(d.lang, sizeof(d.lang), lang);
	copy(d.scene, sizeof(d.scene), scene);
	d.question = question;
	d.answer = answer;
	d.created_at = now;
	rc = h->ops->draft_insert(h->store, &d);
	if (!rc && id)
		*id = d.id;
	return rc;
}

/* ---- agent assist ---- */

int handoff_suggest(struct kb_snapshot *kb, const char *text, size_t len, const char *lang, const char *scene,
		    struct handoff_suggestion *out, size_t max)
{
	struct kb_query q = { .text = text, .len = len, .lang = lang, .scene = scene };
	struct kb_result r;
	size_t n = 0;
	int rc;

	if (!kb || !text || !out)
		return -EINVAL;
	rc = kb_match(kb, &q, &r);
	if (rc)
		return rc;
	if (!r.info.known && !r.info.typo)
		return 0;   /* no word the KB knows: nothing to suggest (trained scores may be negative, so no score cut) */
	for (size_t i = 0; i < r.n_top && n < max; i++) {
		const struct kb_entry *e = r.top_entry[i];
		bool dup = false;

		/* The best match always; the others only if the bot itself would offer them. */
		if (i > 0 && r.top[i].score < kb_thresholds(kb, r.lang)->clarify)
			break;
		for (size_t k = 0; k < n && !dup; k++)
			dup = strcmp(out[k].entry, e->id) == 0;
		if (dup || !e)
			continue;
		out[n].entry = e->id;
		out[n].question = e->n_questions ? e->questions[0] : "";
		out[n].answer = e->answer;
		out[n].score = r.top[i].score;
		n++;
	}
	return (int)n;
}
