/*
 * handoff_db.c - hand-off persistence on SQLite: schema and migrations,
 * statements prepared once (reset and cleared after each use), one
 * transaction per state change with a compare-and-set on the stored state.
 * Callbacks given to the walk functions must not call back into the store.
 */
#include "store/handoff_db.h"

#include <sqlite3.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- schema ---- */

static const char *const migrations[] = {
	/* 1: the hand-off tables */
	"CREATE TABLE handoff_conversations ("
	" id TEXT PRIMARY KEY, customer TEXT NOT NULL, customer_name TEXT NOT NULL, scene TEXT NOT NULL,"
	" lang TEXT NOT NULL, team TEXT NOT NULL, agent TEXT NOT NULL, ticket TEXT NOT NULL, summary TEXT NOT NULL,"
	" resolution TEXT NOT NULL, state INTEGER NOT NULL, reason INTEGER NOT NULL, priority INTEGER NOT NULL,"
	" vip INTEGER NOT NULL, requested_at INTEGER NOT NULL, queued_at INTEGER NOT NULL,"
	" assigned_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, entry_position INTEGER NOT NULL,"
	" seq INTEGER NOT NULL, casefile TEXT);"
	"CREATE INDEX handoff_conversations_open ON handoff_conversations(state) WHERE state IN (1, 2, 4);"
	"CREATE INDEX handoff_conversations_customer ON handoff_conversations(customer, updated_at);"
	"CREATE TABLE handoff_events ("
	" id INTEGER PRIMARY KEY, conv TEXT NOT NULL, from_state INTEGER NOT NULL, to_state INTEGER NOT NULL,"
	" at INTEGER NOT NULL, actor TEXT NOT NULL, detail TEXT NOT NULL);"
	"CREATE INDEX handoff_events_conv ON handoff_events(conv, id);"
	"CREATE TABLE handoff_messages ("
	" id INTEGER PRIMARY KEY, conv TEXT NOT NULL, at INTEGER NOT NULL, sender INTEGER NOT NULL,"
	" author TEXT NOT NULL, text TEXT NOT NULL);"
	"CREATE INDEX handoff_messages_conv ON handoff_messages(conv, id);"
	"CREATE TABLE handoff_tickets ("
	" ref TEXT PRIMARY KEY, conv TEXT NOT NULL, customer TEXT NOT NULL, team TEXT NOT NULL, why TEXT NOT NULL,"
	" resolution TEXT NOT NULL, open INTEGER NOT NULL, created_at INTEGER NOT NULL, closed_at INTEGER NOT NULL);"
	"CREATE INDEX handoff_tickets_conv ON handoff_tickets(conv);"
	"CREATE TABLE handoff_claims ("
	" id INTEGER PRIMARY KEY, team TEXT NOT NULL, claimed_at INTEGER NOT NULL, waited_ms INTEGER NOT NULL,"
	" position INTEGER NOT NULL);"
	"CREATE INDEX handoff_claims_at ON handoff_claims(claimed_at);"
	"CREATE TABLE handoff_agents ("
	" username TEXT PRIMARY KEY, name TEXT NOT NULL, teams TEXT NOT NULL, capacity INTEGER NOT NULL,"
	" password TEXT NOT NULL, disabled INTEGER NOT NULL, created_at INTEGER NOT NULL);"
	"CREATE TABLE handoff_sessions ("
	" token_hash TEXT PRIMARY KEY, agent TEXT NOT NULL, expires INTEGER NOT NULL);"
	"CREATE TABLE handoff_drafts ("
	" id INTEGER PRIMARY KEY, agent TEXT NOT NULL, conv TEXT NOT NULL, lang TEXT NOT NULL, scene TEXT NOT NULL,"
	" question TEXT NOT NULL, answer TEXT NOT NULL, created_at INTEGER NOT NULL,"
	" status TEXT NOT NULL DEFAULT 'new');",
};

#define CONV_COLS                                                                                            \
	"id, customer, customer_name, scene, lang, team, agent, ticket, summary, resolution, state, reason,"  \
	" priority, vip, requested_at, queued_at, assigned_at, updated_at, entry_position, seq"

#define TICKET_COLS "ref, conv, customer, team, why, resolution, open, created_at, closed_at"

/* ---- statements ---- */

enum stmt {
	S_BEGIN, S_COMMIT, S_ROLLBACK,
	S_CONV_STATE, S_CONV_UPSERT, S_EVENT_INSERT, S_TICKET_INSERT, S_TICKET_UPDATE, S_CLAIM_INSERT,
	S_CONV_OPEN, S_CONV_GET, S_CONV_HISTORY, S_CASEFILE_GET,
	S_MSG_INSERT, S_MSG_LOAD, S_TICKET_GET, S_CLAIMS_SINCE,
	S_AGENT_PUT, S_AGENT_GET, S_AGENT_LIST, S_AGENT_DELETE,
	S_SESSION_PURGE, S_SESSION_PUT, S_SESSION_GET, S_SESSION_DELETE,
	S_DRAFT_INSERT, S_DRAFT_LIST,
	S_COUNT
};

static const char *const sql[S_COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_CONV_STATE] = "SELECT state FROM handoff_conversations WHERE id = ?1",
	[S_CONV_UPSERT] =
		"INSERT INTO handoff_conversations (" CONV_COLS ", casefile) VALUES"
		" (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)"
		" ON CONFLICT(id) DO UPDATE SET customer = ?2, customer_name = ?3, scene = ?4, lang = ?5, team = ?6,"
		" agent = ?7, ticket = ?8, summary = ?9, resolution = ?10, state = ?11, reason = ?12, priority = ?13,"
		" vip = ?14, requested_at = ?15, queued_at = ?16, assigned_at = ?17, updated_at = ?18,"
		" entry_position = ?19, seq = ?20, casefile = COALESCE(?21, casefile)",
	[S_EVENT_INSERT] = "INSERT INTO handoff_events (conv, from_state, to_state, at, actor, detail)"
			   " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_TICKET_INSERT] = "INSERT INTO handoff_tickets (" TICKET_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_TICKET_UPDATE] = "UPDATE handoff_tickets SET resolution = ?6, open = ?7, closed_at = ?9 WHERE ref = ?1",
	[S_CLAIM_INSERT] = "INSERT INTO handoff_claims (team, claimed_at, waited_ms, position) VALUES (?1, ?2, ?3, ?4)",
	[S_CONV_OPEN] = "SELECT " CONV_COLS " FROM handoff_conversations WHERE state IN (1, 2, 4) ORDER BY seq",
	[S_CONV_GET] = "SELECT " CONV_COLS " FROM handoff_conversations WHERE id = ?1",
	[S_CONV_HISTORY] = "SELECT " CONV_COLS " FROM handoff_conversations WHERE customer = ?1 AND id <> ?2"
			   " ORDER BY updated_at DESC, seq DESC LIMIT ?3",
	[S_CASEFILE_GET] = "SELECT casefile FROM handoff_conversations WHERE id = ?1 AND casefile IS NOT NULL",
	[S_MSG_INSERT] = "INSERT INTO handoff_messages (conv, at, sender, author, text) VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_MSG_LOAD] = "SELECT id, at, sender, author, text FROM handoff_messages WHERE conv = ?1 AND id > ?2"
		       " ORDER BY id LIMIT ?3",
	[S_TICKET_GET] = "SELECT " TICKET_COLS " FROM handoff_tickets WHERE ref = ?1",
	[S_CLAIMS_SINCE] = "SELECT team, claimed_at, waited_ms, position FROM handoff_claims WHERE claimed_at >= ?1"
			   " ORDER BY claimed_at, id",
	[S_AGENT_PUT] = "INSERT INTO handoff_agents (username, name, teams, capacity, password, disabled, created_at)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(username) DO UPDATE SET name = ?2,"
			" teams = ?3, capacity = ?4, password = ?5, disabled = ?6",
	[S_AGENT_GET] = "SELECT username, name, teams, capacity, password, disabled, created_at FROM handoff_agents"
			" WHERE username = ?1",
	[S_AGENT_LIST] = "SELECT username, name, teams, capacity, password, disabled, created_at FROM handoff_agents"
			 " ORDER BY username",
	[S_AGENT_DELETE] = "DELETE FROM handoff_agents WHERE username = ?1",
	[S_SESSION_PURGE] = "DELETE FROM handoff_sessions WHERE expires <= ?1",
	[S_SESSION_PUT] = "INSERT OR REPLACE INTO handoff_sessions (token_hash, agent, expires) VALUES (?1, ?2, ?3)",
	[S_SESSION_GET] = "SELECT agent, expires FROM handoff_sessions WHERE token_hash = ?1",
	[S_SESSION_DELETE] = "DELETE FROM handoff_sessions WHERE token_hash = ?1",
	[S_DRAFT_INSERT] = "INSERT INTO handoff_drafts (agent, conv, lang, scene, question, answer, created_at)"
			   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_DRAFT_LIST] = "SELECT id, agent, conv, lang, scene, question, answer, created_at FROM handoff_drafts"
			 " ORDER BY id DESC LIMIT ?1",
};

struct handoff_db {
	sqlite3 *db;
	sqlite3_stmt *st[S_COUNT];
};

const char *handoff_db_error(const struct handoff_db *db)
{
	return db && db->db ? sqlite3_errmsg(db->db) : "no database";
}

/* ---- helpers ---- */

static void done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Step a statement that returns no rows, then reset it. */
static int exec_stmt(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	done(s);
	return rc == SQLITE_DONE ? 0 : rc;
}

static int to_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EAGAIN;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	default:
		return -EIO;
	}
}

static int bind_text(sqlite3_stmt *s, int i, const char *v)
{
	return sqlite3_bind_text(s, i, v ? v : "", -1, SQLITE_STATIC);
}

static void col_copy(sqlite3_stmt *s, int i, char *dst, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	size_t n = t ? (size_t)sqlite3_column_bytes(s, i) : 0;

	if (n > cap - 1) {
		n = cap - 1;
		while (n && (t[n] & 0xC0) == 0x80)
			n--;
	}
	if (n)
		memcpy(dst, t, n);
	dst[n] = '\0';
}

static int bind_conv(sqlite3_stmt *s, const struct handoff_conv *c)
{
	int rc = bind_text(s, 1, c->id);

	rc = rc ? rc : bind_text(s, 2, c->customer);
	rc = rc ? rc : bind_text(s, 3, c->customer_name);
	rc = rc ? rc : bind_text(s, 4, c->scene);
	rc = rc ? rc : bind_text(s, 5, c->lang);
	rc = rc ? rc : bind_text(s, 6, c->team);
	rc = rc ? rc : bind_text(s, 7, c->agent);
	rc = rc ? rc : bind_text(s, 8, c->ticket);
	rc = rc ? rc : bind_text(s, 9, c->summary);
	rc = rc ? rc : bind_text(s, 10, c->resolution);
	rc = rc ? rc : sqlite3_bind_int(s, 11, (int)c->state);
	rc = rc ? rc : sqlite3_bind_int(s, 12, (int)c->reason);
	rc = rc ? rc : sqlite3_bind_int(s, 13, c->priority);
	rc = rc ? rc : sqlite3_bind_int(s, 14, c->vip);
	rc = rc ? rc : sqlite3_bind_int64(s, 15, c->requested_at);
	rc = rc ? rc : sqlite3_bind_int64(s, 16, c->queued_at);
	rc = rc ? rc : sqlite3_bind_int64(s, 17, c->assigned_at);
	rc = rc ? rc : sqlite3_bind_int64(s, 18, c->updated_at);
	rc = rc ? rc : sqlite3_bind_int64(s, 19, c->entry_position);
	rc = rc ? rc : sqlite3_bind_int64(s, 20, (sqlite3_int64)c->seq);
	return rc;
}

static void read_conv(sqlite3_stmt *s, struct handoff_conv *c)
{
	int st = sqlite3_column_int(s, 10), r = sqlite3_column_int(s, 11);

	memset(c, 0, sizeof(*c));
	col_copy(s, 0, c->id, sizeof(c->id));
	col_copy(s, 1, c->customer, sizeof(c->customer));
	col_copy(s, 2, c->customer_name, sizeof(c->customer_name));
	col_copy(s, 3, c->scene, sizeof(c->scene));
	col_copy(s, 4, c->lang, sizeof(c->lang));
	col_copy(s, 5, c->team, sizeof(c->team));
	col_copy(s, 6, c->agent, sizeof(c->agent));
	col_copy(s, 7, c->ticket, sizeof(c->ticket));
	col_copy(s, 8, c->summary, sizeof(c->summary));
	col_copy(s, 9, c->resolution, sizeof(c->resolution));
	c->state = st >= 0 && st < HANDOFF_STATES ? (enum handoff_state)st : HANDOFF_BOT;
	c->reason = r >= 0 && r < HANDOFF_REASONS ? (enum handoff_reason)r : HANDOFF_REASON_NONE;
	c->priority = sqlite3_column_int(s, 12);
	c->vip = sqlite3_column_int(s, 13) != 0;
	c->requested_at = sqlite3_column_int64(s, 14);
	c->queued_at = sqlite3_column_int64(s, 15);
	c->assigned_at = sqlite3_column_int64(s, 16);
	c->updated_at = sqlite3_column_int64(s, 17);
	c->entry_position = (uint32_t)sqlite3_column_int64(s, 18);
	c->seq = (uint64_t)sqlite3_column_int64(s, 19);
}

static int bind_ticket(sqlite3_stmt *s, const struct handoff_ticket *t)
{
	int rc = bind_text(s, 1, t->ref);

	rc = rc ? rc : bind_text(s, 2, t->conv);
	rc = rc ? rc : bind_text(s, 3, t->customer);
	rc = rc ? rc : bind_text(s, 4, t->team);
	rc = rc ? rc : bind_text(s, 5, t->why);
	rc = rc ? rc : bind_text(s, 6, t->resolution);
	rc = rc ? rc : sqlite3_bind_int(s, 7, t->open);
	rc = rc ? rc : sqlite3_bind_int64(s, 8, t->created_at);
	rc = rc ? rc : sqlite3_bind_int64(s, 9, t->closed_at);
	return rc;
}

static void read_agent(sqlite3_stmt *s, struct handoff_agent *a)
{
	memset(a, 0, sizeof(*a));
	col_copy(s, 0, a->username, sizeof(a->username));
	col_copy(s, 1, a->name, sizeof(a->name));
	col_copy(s, 2, a->teams, sizeof(a->teams));
	a->capacity = (unsigned)sqlite3_column_int(s, 3);
	col_copy(s, 4, a->password, sizeof(a->password));
	a->disabled = sqlite3_column_int(s, 5) != 0;
	a->created_at = sqlite3_column_int64(s, 6);
}

/* ---- open, migrate, close ---- */

static int migrate(struct handoff_db *h)
{
	sqlite3_stmt *s = NULL;
	int version, rc;
	const int latest = (int)(sizeof(migrations) / sizeof(*migrations));

	rc = sqlite3_prepare_v2(h->db, "PRAGMA user_version", -1, &s, NULL);
	if (rc != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return -EIO;
	}
	version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (version > latest)
		return -EPROTO;
	for (int v = version; v < latest; v++) {
		char pragma[64];

		/* each step and its version number commit together */
		rc = sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(h->db, migrations[v], NULL, NULL, NULL);
		if (rc == SQLITE_OK) {
			snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
			rc = sqlite3_exec(h->db, pragma, NULL, NULL, NULL);
		}
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
			return -EIO;
		}
	}
	return 0;
}

struct handoff_db *handoff_db_open(const char *path, unsigned flags, int *err)
{
	struct handoff_db *h = calloc(1, sizeof(*h));
	int rc = -ENOMEM;

	if (!h)
		goto out;
	rc = -EIO;
	if (!path || sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(h->db, 1000);
	if (sqlite3_exec(h->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(h->db, flags & HANDOFF_DB_FULLSYNC ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(h->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	rc = migrate(h);
	if (rc)
		goto out;
	for (int i = 0; i < S_COUNT; i++) {
		if (sqlite3_prepare_v3(h->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &h->st[i], NULL) != SQLITE_OK) {
			rc = -EIO;
			goto out;
		}
	}
	rc = 0;
out:
	if (rc) {
		handoff_db_close(h);
		h = NULL;
	}
	if (err)
		*err = rc;
	return h;
}

int handoff_db_prune_claims(struct handoff_db *h, int64_t before)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (!h || sqlite3_prepare_v2(h->db, "DELETE FROM handoff_claims WHERE claimed_at < ?1", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, before);
	if (sqlite3_step(st) == SQLITE_DONE)
		rc = sqlite3_changes(h->db);
out:
	sqlite3_finalize(st);
	return rc;
}

void handoff_db_close(struct handoff_db *h)
{
	if (!h)
		return;
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(h->st[i]);
	sqlite3_close(h->db);
	free(h);
}

/* ---- the state change: one transaction ---- */

static int db_write(void *self, const struct handoff_write *w)
{
	struct handoff_db *h = self;
	sqlite3_stmt *s;
	int rc, stored = HANDOFF_BOT;

	if (!w || !w->conv || !w->event)
		return -EINVAL;
	rc = exec_stmt(h->st[S_BEGIN]);
	if (rc)
		return to_errno(rc);

	/* compare: the stored state must still be the expected one */
	s = h->st[S_CONV_STATE];
	bind_text(s, 1, w->conv->id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		stored = sqlite3_column_int(s, 0);
	done(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rc = to_errno(rc);
		goto fail;
	}
	if (stored != (int)w->expect) {
		rc = -EBUSY;
		goto fail;
	}

	if (w->ticket) {
		s = h->st[w->ticket->open ? S_TICKET_INSERT : S_TICKET_UPDATE];
		bind_ticket(s, w->ticket);
		rc = exec_stmt(s);
		if (rc) {
			rc = to_errno(rc);
			goto fail;
		}
	}

	s = h->st[S_CONV_UPSERT];
	rc = bind_conv(s, w->conv);
	if (!rc)
		rc = w->casefile ? sqlite3_bind_text(s, 21, w->casefile, (int)w->casefile_len, SQLITE_STATIC)
				 : sqlite3_bind_null(s, 21);
	rc = rc ? (done(s), rc) : exec_stmt(s);
	if (rc) {
		rc = to_errno(rc);
		goto fail;
	}

	s = h->st[S_EVENT_INSERT];
	bind_text(s, 1, w->event->conv);
	sqlite3_bind_int(s, 2, (int)w->event->from);
	sqlite3_bind_int(s, 3, (int)w->event->to);
	sqlite3_bind_int64(s, 4, w->event->at);
	bind_text(s, 5, w->event->actor);
	bind_text(s, 6, w->event->detail);
	rc = exec_stmt(s);
	if (rc) {
		rc = to_errno(rc);
		goto fail;
	}

	if (w->sample) {
		s = h->st[S_CLAIM_INSERT];
		bind_text(s, 1, w->sample->team);
		sqlite3_bind_int64(s, 2, w->sample->claimed_at);
		sqlite3_bind_int64(s, 3, w->sample->waited_ms);
		sqlite3_bind_int64(s, 4, w->sample->position);
		rc = exec_stmt(s);
		if (rc) {
			rc = to_errno(rc);
			goto fail;
		}
	}

	rc = exec_stmt(h->st[S_COMMIT]);
	if (rc) {
		rc = to_errno(rc);
		goto fail;
	}
	return 0;
fail:
	exec_stmt(h->st[S_ROLLBACK]);
	return rc ? rc : -EIO;
}

/* ---- reads ---- */

static int walk_convs(sqlite3_stmt *s, int (*fn)(void *, const struct handoff_conv *), void *arg)
{
	struct handoff_conv c;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int r;

		read_conv(s, &c);
		r = fn(arg, &c);
		if (r) {
			done(s);
			return r;
		}
	}
	done(s);
	return rc == SQLITE_DONE ? 0 : to_errno(rc);
}

static int db_load_open(void *self, int (*fn)(void *, const struct handoff_conv *), void *arg)
{
	struct handoff_db *h = self;

	return walk_convs(h->st[S_CONV_OPEN], fn, arg);
}

static int db_get_conv(void *self, const char *id, struct handoff_conv *out)
{
	struct handoff_db *h = self;
	sqlite3_stmt *s = h->st[S_CONV_GET];
	int rc;

	bind_text(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_conv(s, out);
	done(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : to_errno(rc);
}

static int db_history(void *self, const char *customer, const char *except, size_t max,
		      int (*fn)(void *, const struct handoff_conv *), void *arg)
{
	struct handoff_db *h = self;
	sqlite3_stmt *s = h->st[S_CONV_HISTORY];

	bind_text(s, 1, customer);
	bind_text(s, 2, except);
	sqlite3_bind_int64(s, 3, max > INT32_MAX ? -1 : (sqlite3_int64)max);
	return walk_convs(s, fn, arg);
}

static int db_get_casefile(void *self, const char *conv, char **out, size_t *len)
{
	struct handoff_db *h = self;
	sqlite3_stmt *s = h->st[S_CASEFILE_GET];
	int rc;

	*out = NULL;
	*len = 0;
	bind_text(s, 1, conv);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);
		size_t n = (size_t)sqlite3_column_bytes(s, 0);

		*out = malloc(n + 1);
		if (*out) {
			memcpy(*out, t ? (const char *)t : "", n);
			(*out)[n] = '\0';
			*len = n;
		}
	}
	done(s);
	if (rc == SQLITE_ROW)
		return *out ? 0 : -ENOMEM;
	return rc == SQLITE_DONE ? -ENOENT : to_errno(rc);
}

static int db_append_msg(void *self, const struct handoff_msg *m)
{
	struct handoff_db *h = self;
	sqlite3_stmt *s = h->st[S_MSG_INSERT];

	bind_text(s, 1, m->conv);
	sqlite3_bind_int64(s, 2, m->at);
	sqlite3_bind_int(s, 3, (int)m->from);
	bind_text(s, 4, m->author);
	sqlite3_bind_text(s, 5, m->text, (int)m->text_len, SQLITE_STATIC);
	return to_errno(exec_stmt(s));
}

static int db_load_msgs(void *self, const char *conv, int64_t after, size_t max,
			int (*fn)(void *, const struct handoff_msg *), void *arg)
{
	struct handoff_db *h = self;
	sqlite3_stmt *s = h->st[S_MSG_LOAD];
	char author[LIM_ID + 1];
	int rc;

	bind_text(s, 1, conv);
	sqlite3_bind_int64(s, 2, after);
	sqlite3_bind_int64(s, 3, max > INT32_MAX ? -1 : (sqlite3_int64)max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct handoff_msg m = { 0 };
		int from = sqlite3_column_int(s, 2), r;

		m.id = sqlite3_column_int64(s, 0);
		m.conv = conv;
		m.at = sqlite3_column_int64(s, 1);
		m.from = from >= 0 && from <= HANDOFF_FROM_SYSTEM ? (enum handoff_from)from : HANDOFF_FROM_SYSTEM;
		col_copy(s, 3, author, sizeof(author));
		m.author = author;
		m.text = (const char *)sqlite3_column_text(s, 4);
		m.text_len = (size_t)sqlite3_column_bytes(s, 4);
		if (!m.text)
			m.text = "";
		r = fn(arg, &m);
		if (r) {
			done(s);
			return r;
		}
	}
	done(s);
	return rc == SQLITE_DONE ? 0 : to_errno(rc);
}

static int db_get_ticket(void *self, const char *ref, struct handoff_ticket *out)
{
	struct handoff_db *h = self;
	sqlite3_stmt *s = h->st[S_TICKET_GET];
	int rc;

	bind_text(s, 1, ref);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		col_copy(s, 0, out->ref, sizeof(out->ref));
		col_copy(s, 1, out->conv, sizeof(out->conv));
		col_copy(s, 2, out->customer, sizeof(out->customer));
		col_copy(s, 3, out->team, sizeof(out->team));
		col_copy(s, 4, out->why, sizeof(out->why));
		col_copy(s, 5, out->resolution, sizeof(out->resolution));
		out->open = sqlite3_column_int(s, 6) != 0;
		out->created_at = sqlite3_column_int64(s, 7);
		out->closed_at = sqlite3_column_int64(s, 8);
	}
	done(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : to_errno(rc);
}

static int db_load_samples(void *self, int64_t since, int (*fn)(void *, const struct handoff_sample *), void *arg)
{
	struct handoff_db *h = self;
	sqlite3_stmt *s = h->st[S_CLAIMS_SINCE];
	int rc;

	sqlite3_bind_int64(s, 1, since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct handoff_sample x = { 0 };
		int r;

		col_copy(s, 0, x.team, sizeof(x.team));
		x.claimed_at = sqlite3_column_int64(s, 1);
		x.waited_ms = sqlite3_column_int64(s, 2);
		x.position = (uint32_t)sqlite3_column_int64(s, 3);
		r = fn(arg, &x);
		if (r) {
			done(s);
			return r;
		}
	}
	done(s);
	return rc == SQLITE_DONE ? 0 : to_errno(rc);
}

/* ---- agents, sessions, drafts ---- */

static int db_agent_put(void *self, const struct handoff_agent *a)
{
	struct handoff_db *h = self;
	sqlite3_stmt *s = h->st[S_AGENT_PUT];

	bind_text(s, 1, a->username);
	bind_text(s, 2, a->name);
	bind_text(s, 3, a->teams);
	sqlite3_bind_int(s, 4, (int)a->capacity);
	bind_text(s, 5, a->password);
	sqlite3_bind_int(s, 6, a->disabled);
	sqlite3_bind_int64(s, 7, a->created_at);
	return to_errno(exec_stmt(s));
}

static int db_agent_get(void *self, const char *username, struct handoff_agent *out)
{
	struct handoff_db *h = self;
	sqlite3_stmt *s = h->st[S_AGENT_GET];
	int rc;

	bind_text(s, 1, username);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_agent(s, out);
	done(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : to_errno(rc);
}

static int db_agent_list(void *self, int (*fn)(void *, const struct handoff_agent *), void *arg)
{
	struct handoff_db *h = self;
	sqlite3_stmt *s = h->st[S_AGENT_LIST];
	struct handoff_agent a;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int r;

		read_agent(s, &a);
		r = fn(arg, &a);
		if (r) {
			done(s);
			return r;
		}
	}
	done(s);
	return rc == SQLITE_DONE ? 0 : to_errno(rc);
}

static int db_agent_delete(void *self, const char *username)
{
	struct handoff_db *h = self;
	sqlite3_stmt *s = h->st[S_AGENT_DELETE];
	int rc;

	bind_text(s, 1, username);
	rc = exec_stmt(s);
	if (rc)
		return to_errno(rc);
	return sqlite3_changes(h->db) ? 0 : -ENOENT;
}

static int db_session_put(void *self, const char *token_hash, const char *agent, int64_t expires, int64_t now)
{
	struct handoff_db *h = self;
	sqlite3_stmt *s = h->st[S_SESSION_PURGE];
	int rc;

	sqlite3_bind_int64(s, 1, now);
	rc = exec_stmt(s);
	if (rc)
		return to_errno(rc);
	s = h->st[S_SESSION_PUT];
	bind_text(s, 1, token_hash);
	bind_text(s, 2, agent);
	sqlite3_bind_int64(s, 3, expires);
	return to_errno(exec_stmt(s));
}

static int db_session_get(void *self, const char *token_hash, char agent[LIM_ID + 1], int64_t *expires)
{
	struct handoff_db *h = self;
	sqlite3_stmt *s = h->st[S_SESSION_GET];
	int rc;

	bind_text(s, 1, token_hash);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		col_copy(s, 0, agent, LIM_ID + 1);
		*expires = sqlite3_column_int64(s, 1);
	}
	done(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : to_errno(rc);
}

static int db_session_delete(void *self, const char *token_hash)
{
	struct handoff_db *h = self;
	sqlite3_stmt *s = h->st[S_SESSION_DELETE];
	int rc;

	bind_text(s, 1, token_hash);
	rc = exec_stmt(s);
	if (rc)
		return to_errno(rc);
	return sqlite3_changes(h->db) ? 0 : -ENOENT;
}

static int db_draft_insert(void *self, struct handoff_draft *d)
{
	struct handoff_db *h = self;
	sqlite3_stmt *s = h->st[S_DRAFT_INSERT];
	int rc;

	bind_text(s, 1, d->agent);
	bind_text(s, 2, d->conv);
	bind_text(s, 3, d->lang);
	bind_text(s, 4, d->scene);
	bind_text(s, 5, d->question);
	bind_text(s, 6, d->answer);
	sqlite3_bind_int64(s, 7, d->created_at);
	rc = exec_stmt(s);
	if (rc)
		return to_errno(rc);
	d->id = sqlite3_last_insert_rowid(h->db);
	return 0;
}

static int db_draft_list(void *self, size_t max, int (*fn)(void *, const struct handoff_draft *), void *arg)
{
	struct handoff_db *h = self;
	sqlite3_stmt *s = h->st[S_DRAFT_LIST];
	int rc;

	sqlite3_bind_int64(s, 1, max > INT32_MAX ? -1 : (sqlite3_int64)max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct handoff_draft d = { 0 };
		int r;

		d.id = sqlite3_column_int64(s, 0);
		col_copy(s, 1, d.agent, sizeof(d.agent));
		col_copy(s, 2, d.conv, sizeof(d.conv));
		col_copy(s, 3, d.lang, sizeof(d.lang));
		col_copy(s, 4, d.scene, sizeof(d.scene));
		d.question = (const char *)sqlite3_column_text(s, 5);
		d.answer = (const char *)sqlite3_column_text(s, 6);
		d.created_at = sqlite3_column_int64(s, 7);
		if (!d.question)
			d.question = "";
		if (!d.answer)
			d.answer = "";
		r = fn(arg, &d);
		if (r) {
			done(s);
			return r;
		}
	}
	done(s);
	return rc == SQLITE_DONE ? 0 : to_errno(rc);
}

static const struct handoff_store_ops ops = {
	.write = db_write,
	.load_open = db_load_open,
	.get_conv = db_get_conv,
	.history = db_history,
	.get_casefile = db_get_casefile,
	.append_msg = db_append_msg,
	.load_msgs = db_load_msgs,
	.get_ticket = db_get_ticket,
	.load_samples = db_load_samples,
	.agent_put = db_agent_put,
	.agent_get = db_agent_get,
	.agent_list = db_agent_list,
	.agent_delete = db_agent_delete,
	.session_put = db_session_put,
	.session_get = db_session_get,
	.session_delete = db_session_delete,
	.draft_insert = db_draft_insert,
	.draft_list = db_draft_list,
};

const struct handoff_store_ops *handoff_db_ops(void)
{
	return &ops;
}
