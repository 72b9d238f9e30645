/*
 * test_store_handoff_db.c - the SQLite hand-off store: schema and
 * migrations, the one-transaction compare-and-set write, every record type
 * round trip on ":memory:", the desk running on it across a reopen, and
 * crash recovery: a child process writes and is killed with SIGKILL, the
 * parent reopens the file and finds the queue order and transcripts intact.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dialog/handoff.h"
#include "store/handoff_db.h"

#define T0  1700000000000LL
#define SEC 1000LL

static struct handoff_db *db;
static const struct handoff_store_ops *ops;
static char dir[64], path[128];

static int setup(void **state)
{
	int err = 0;

	db = handoff_db_open(":memory:", 0, &err);
	ops = handoff_db_ops();
	return db && !err ? 0 : -1;
}

static int teardown(void **state)
{
	handoff_db_close(db);
	db = NULL;
	return 0;
}

static int setup_dir(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/faqbot-handoffdb-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/faqbot.db", dir);
	return 0;
}

static int teardown_dir(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static struct handoff_conv conv(const char *id, enum handoff_state st, uint64_t seq)
{
	struct handoff_conv c = { .state = st, .reason = HANDOFF_REASON_SENTIMENT, .priority = 3, .vip = true,
				  .requested_at = T0, .queued_at = T0 + 1, .assigned_at = T0 + 2, .updated_at = T0 + 3,
				  .entry_position = 4, .seq = seq };

	strcpy(c.id, id);
	strcpy(c.customer, "cust-1");
	strcpy(c.customer_name, "林伟");
	strcpy(c.scene, "refund_form");
	strcpy(c.lang, "zh");
	strcpy(c.team, "billing");
	strcpy(c.summary, "Asked about a refund.");
	return c;
}

static int write_conv(const struct handoff_conv *c, enum handoff_state expect, const char *casefile)
{
	struct handoff_event ev = { c->id, expect, c->state, c->updated_at, "system", "test" };
	struct handoff_write w = { c, expect, &ev, NULL, casefile, casefile ? strlen(casefile) : 0, NULL };

	return ops->write(db, &w);
}

static long count(sqlite3 *s, const char *q)
{
	sqlite3_stmt *st;
	long n = -1;

	if (sqlite3_prepare_v2(s, q, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* ---- schema ---- */

static void open_should_create_the_schema_in_wal_mode_and_set_user_version(void **state)
{
	struct handoff_db *d;
	sqlite3 *s;
	sqlite3_stmt *st;
	int err;

	d = handoff_db_open(path, 0, &err);
	assert_non_null(d);
	handoff_db_close(d);
	d = handoff_db_open(path, 0, &err);          /* reopening migrates nothing */
	assert_non_null(d);
	handoff_db_close(d);
	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	assert_int_equal(count(s, "PRAGMA user_version"), HANDOFF_DB_SCHEMA);
	assert_int_equal(count(s, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'handoff_%' AND type = 'table'"), 8);
	assert_int_equal(sqlite3_prepare_v2(s, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(s);
}

static void open_should_refuse_a_database_from_a_newer_version(void **state)
{
	sqlite3 *s;
	int err = 0;

	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	assert_int_equal(sqlite3_exec(s, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(s);
	assert_null(handoff_db_open(path, 0, &err));
	assert_int_equal(err, -EPROTO);
}

static void open_should_refuse_a_file_that_is_not_a_database(void **state)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	fputs("this is not a database, just text that is long enough to have a header page....", f);
	fclose(f);
	assert_null(handoff_db_open(path, 0, &err));
	assert_int_equal(err, -EIO);
	assert_null(handoff_db_open(NULL, 0, &err));
	handoff_db_close(NULL);
}

/* ---- the write ---- */

static void write_should_round_trip_every_field(void **state)
{
	struct handoff_conv c = conv("c1", HANDOFF_QUEUED, 7), got;

	strcpy(c.agent, "alice");
	strcpy(c.ticket, "T-7K3Q9P");
	strcpy(c.resolution, "solved");
	assert_int_equal(write_conv(&c, HANDOFF_BOT, NULL), 0);
	assert_int_equal(ops->get_conv(db, "c1", &got), 0);
	assert_memory_equal(&got, &c, sizeof(c));
	assert_int_equal(ops->get_conv(db, "c2", &got), -ENOENT);
}

static void write_should_compare_and_set_the_stored_state(void **state)
{
	struct handoff_conv c = conv("c1", HANDOFF_QUEUED, 1), got;

	assert_int_equal(write_conv(&c, HANDOFF_BOT, NULL), 0);
	assert_int_equal(write_conv(&c, HANDOFF_BOT, NULL), -EBUSY);    /* already queued */
	c.state = HANDOFF_ASSIGNED;
	assert_int_equal(write_conv(&c, HANDOFF_QUEUED, NULL), 0);
	c.state = HANDOFF_ASSIGNED;
	assert_int_equal(write_conv(&c, HANDOFF_QUEUED, NULL), -EBUSY);  /* the second claim */
	assert_int_equal(ops->get_conv(db, "c1", &got), 0);
	assert_int_equal(got.state, HANDOFF_ASSIGNED);
}

struct counter {
	int n;
	char ids[8][LIM_ID + 1];
};

static int count_conv(void *arg, const struct handoff_conv *c)
{
	struct counter *k = arg;

	if (k->n < 8)
		strcpy(k->ids[k->n], c->id);
	k->n++;
	return 0;
}

static void write_should_refuse_a_taken_ticket_ref_and_roll_everything_back(void **state)
{
	struct handoff_conv a = conv("a", HANDOFF_QUEUED, 1), b = conv("b", HANDOFF_QUEUED, 2), got;
	struct handoff_ticket t = { .ref = "T-7K3Q9P", .conv = "a", .customer = "cust-1", .team = "billing",
				    .why = "no_agent", .open = true, .created_at = T0 };
	struct handoff_event ev = { "a", HANDOFF_QUEUED, HANDOFF_TICKET, T0, "system", "no_agent" };
	struct handoff_write w = { &a, HANDOFF_QUEUED, &ev, &t, NULL, 0, NULL };
	struct handoff_ticket rt;

	assert_int_equal(write_conv(&a, HANDOFF_BOT, NULL), 0);
	assert_int_equal(write_conv(&b, HANDOFF_BOT, NULL), 0);
	a.state = HANDOFF_TICKET;
	strcpy(a.ticket, t.ref);
	assert_int_equal(ops->write(db, &w), 0);
	assert_int_equal(ops->get_ticket(db, "T-7K3Q9P", &rt), 0);
	assert_string_equal(rt.conv, "a");
	assert_true(rt.open);

	b.state = HANDOFF_TICKET;
	strcpy(t.conv, "b");
	ev.conv = "b";
	w.conv = &b;
	assert_int_equal(ops->write(db, &w), -EEXIST);
	assert_int_equal(ops->get_conv(db, "b", &got), 0);
	assert_int_equal(got.state, HANDOFF_QUEUED);            /* nothing of the failed change stayed */
	assert_int_equal(ops->get_ticket(db, "T-7K3Q9P", &rt), 0);
	assert_string_equal(rt.conv, "a");

	/* closing updates the ticket in the same transaction */
	t.open = false;
	strcpy(t.conv, "a");
	strcpy(t.resolution, "solved");
	t.closed_at = T0 + 5;
	a.state = HANDOFF_RESOLVED;
	ev.conv = "a";
	w.conv = &a;
	w.expect = HANDOFF_TICKET;
	assert_int_equal(ops->write(db, &w), 0);
	assert_int_equal(ops->get_ticket(db, "T-7K3Q9P", &rt), 0);
	assert_false(rt.open);
	assert_string_equal(rt.resolution, "solved");
	assert_int_equal(rt.closed_at, T0 + 5);
	assert_int_equal(ops->get_ticket(db, "T-222222", &rt), -ENOENT);
}

static void load_open_should_return_queued_assigned_and_tickets_only(void **state)
{
	const enum handoff_state st[] = { HANDOFF_QUEUED, HANDOFF_ASSIGNED, HANDOFF_TICKET, HANDOFF_RESOLVED,
					  HANDOFF_BOT };
	const char *ids[] = { "q", "a", "t", "r", "b" };
	struct counter k = { 0 };

	for (int i = 0; i < 5; i++) {
		struct handoff_conv c = conv(ids[i], HANDOFF_QUEUED, (uint64_t)i);

		assert_int_equal(write_conv(&c, HANDOFF_BOT, NULL), 0);
		if (st[i] != HANDOFF_QUEUED) {
			struct handoff_event ev = { ids[i], HANDOFF_QUEUED, st[i], T0, "system", "" };
			struct handoff_write w = { &c, HANDOFF_QUEUED, &ev, NULL, NULL, 0, NULL };

			c.state = st[i];
			assert_int_equal(ops->write(db, &w), 0);
		}
	}
	assert_int_equal(ops->load_open(db, count_conv, &k), 0);
	assert_int_equal(k.n, 3);
	assert_string_equal(k.ids[0], "q");
	assert_string_equal(k.ids[1], "a");
	assert_string_equal(k.ids[2], "t");
}

static void casefiles_should_be_kept_until_replaced(void **state)
{
	struct handoff_conv c = conv("c1", HANDOFF_QUEUED, 1);
	char *cf = NULL;
	size_t len = 0;

	assert_int_equal(ops->get_casefile(db, "c1", &cf, &len), -ENOENT);
	assert_int_equal(write_conv(&c, HANDOFF_BOT, "{\"v\":1}"), 0);
	c.state = HANDOFF_ASSIGNED;
	assert_int_equal(write_conv(&c, HANDOFF_QUEUED, NULL), 0);     /* NULL keeps it */
	assert_int_equal(ops->get_casefile(db, "c1", &cf, &len), 0);
	assert_string_equal(cf, "{\"v\":1}");
	assert_int_equal(len, 7);
	free(cf);
}

static void history_should_list_the_customers_conversations_newest_first(void **state)
{
	struct counter k = { 0 };

	for (int i = 0; i < 4; i++) {
		char id[16];
		struct handoff_conv c;

		snprintf(id, sizeof(id), "h%d", i);
		c = conv(id, HANDOFF_QUEUED, (uint64_t)i);
		c.updated_at = T0 + i;
		if (i == 3)
			strcpy(c.customer, "someone-else");
		assert_int_equal(write_conv(&c, HANDOFF_BOT, NULL), 0);
	}
	assert_int_equal(ops->history(db, "cust-1", "h2", 5, count_conv, &k), 0);
	assert_int_equal(k.n, 2);
	assert_string_equal(k.ids[0], "h1");
	assert_string_equal(k.ids[1], "h0");
}

/* ---- transcripts, samples, agents, sessions, drafts ---- */

struct msgs {
	char all[512];
	int64_t last;
};

static int collect_msg(void *arg, const struct handoff_msg *m)
{
	struct msgs *ms = arg;

	strcat(ms->all, m->author);
	strcat(ms->all, ":");
	strncat(ms->all, m->text, m->text_len);
	strcat(ms->all, "|");
	ms->last = m->id;
	return 0;
}

static void messages_should_come_back_in_order_per_conversation(void **state)
{
	struct handoff_msg m = { .conv = "c1", .at = T0, .from = HANDOFF_FROM_CUSTOMER, .author = "" };
	struct msgs ms = { "", 0 };
	const char *texts[] = { "hi", "你好", "third" };

	for (int i = 0; i < 3; i++) {
		m.text = texts[i];
		m.text_len = strlen(texts[i]);
		m.author = i == 2 ? "alice" : "";
		assert_int_equal(ops->append_msg(db, &m), 0);
	}
	m.conv = "c2";
	assert_int_equal(ops->append_msg(db, &m), 0);
	assert_int_equal(ops->load_msgs(db, "c1", 0, (size_t)-1, collect_msg, &ms), 0);
	assert_string_equal(ms.all, ":hi|:你好|alice:third|");
	ms.all[0] = '\0';
	assert_int_equal(ops->load_msgs(db, "c1", 1, 1, collect_msg, &ms), 0);
	assert_string_equal(ms.all, ":你好|");
}

static int count_sample(void *arg, const struct handoff_sample *s)
{
	(*(int *)arg)++;
	return 0;
}

static void claim_times_should_be_recorded_with_the_claim(void **state)
{
	struct handoff_conv c = conv("c1", HANDOFF_QUEUED, 1);
	struct handoff_sample s = { .team = "billing", .claimed_at = T0 + 60 * SEC, .waited_ms = 60 * SEC, .position = 1 };
	struct handoff_event ev = { "c1", HANDOFF_QUEUED, HANDOFF_ASSIGNED, T0, "alice", "claim" };
	struct handoff_write w = { &c, HANDOFF_QUEUED, &ev, NULL, NULL, 0, &s };
	int n = 0;

	assert_int_equal(write_conv(&c, HANDOFF_BOT, NULL), 0);
	c.state = HANDOFF_ASSIGNED;
	assert_int_equal(ops->write(db, &w), 0);
	assert_int_equal(ops->load_samples(db, T0, count_sample, &n), 0);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(ops->load_samples(db, T0 + 61 * SEC, count_sample, &n), 0);
	assert_int_equal(n, 0);
	/* pruning keeps what is recent and drops what is older */
	assert_int_equal(handoff_db_prune_claims(db, T0 + 60 * SEC), 0);
	assert_int_equal(handoff_db_prune_claims(db, T0 + 61 * SEC), 1);
	n = 0;
	assert_int_equal(ops->load_samples(db, 0, count_sample, &n), 0);
	assert_int_equal(n, 0);
}

static int count_agent(void *arg, const struct handoff_agent *a)
{
	(*(int *)arg)++;
	return 0;
}

static void agents_should_be_put_got_listed_and_deleted(void **state)
{
	struct handoff_agent a = { .username = "alice", .name = "Alice Chen", .teams = "support,billing", .capacity = 3,
				   .password = "pbkdf2-sha256$100000$aa$bb", .created_at = T0 }, got;
	int n = 0;

	assert_int_equal(ops->agent_put(db, &a), 0);
	a.capacity = 5;
	a.disabled = true;
	assert_int_equal(ops->agent_put(db, &a), 0);
	assert_int_equal(ops->agent_get(db, "alice", &got), 0);
	assert_memory_equal(&got, &a, sizeof(a));
	assert_int_equal(ops->agent_list(db, count_agent, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ops->agent_delete(db, "alice"), 0);
	assert_int_equal(ops->agent_delete(db, "alice"), -ENOENT);
	assert_int_equal(ops->agent_get(db, "alice", &got), -ENOENT);
}

static void sessions_should_expire_and_be_purged(void **state)
{
	char agent[LIM_ID + 1];
	int64_t exp;

	assert_int_equal(ops->session_put(db, "h1", "alice", T0 + 10, T0), 0);
	assert_int_equal(ops->session_get(db, "h1", agent, &exp), 0);
	assert_string_equal(agent, "alice");
	assert_int_equal(exp, T0 + 10);
	assert_int_equal(ops->session_put(db, "h2", "bob", T0 + 100, T0 + 20), 0);   /* purges h1 */
	assert_int_equal(ops->session_get(db, "h1", agent, &exp), -ENOENT);
	assert_int_equal(ops->session_delete(db, "h2"), 0);
	assert_int_equal(ops->session_delete(db, "h2"), -ENOENT);
}

static int first_draft(void *arg, const struct handoff_draft *d)
{
	strcpy(arg, d->question);
	return 1;
}

static void drafts_should_be_stored_for_the_editors(void **state)
{
	struct handoff_draft d = { .agent = "alice", .conv = "c1", .lang = "en", .scene = "refund_form",
				   .question = "Can I refund a gift card?", .answer = "No.", .created_at = T0 };
	char q[64] = "";

	assert_int_equal(ops->draft_insert(db, &d), 0);
	assert_int_equal(d.id, 1);
	d.question = "Newer?";
	assert_int_equal(ops->draft_insert(db, &d), 0);
	assert_int_equal(d.id, 2);
	assert_int_equal(ops->draft_list(db, 10, first_draft, q), 1);    /* the callback's stop value */
	assert_string_equal(q, "Newer?");
}

/* ---- the desk on SQLite ---- */

static struct handoff *desk(struct handoff_db *d, int64_t now)
{
	struct handoff_config cfg;
	int err = 0;
	struct handoff *h;

	handoff_config_default(&cfg);
	cfg.kdf_iter = KDF_ITER_MIN;
	h = handoff_new(&cfg, handoff_db_ops(), d, now, &err);
	assert_int_equal(err, 0);
	return h;
}

static void desk_should_run_on_sqlite_and_survive_a_clean_reopen(void **state)
{
	struct handoff_db *d;
	struct handoff *h;
	struct handoff_request rq = { .reason = HANDOFF_REASON_ASKED };
	struct handoff_queue_item q[4];
	char token[HANDOFF_TOKEN_LEN + 1], who[LIM_ID + 1];
	int err;

	d = handoff_db_open(path, 0, &err);
	h = desk(d, T0);
	assert_int_equal(handoff_agent_add(h, "alice", "Alice", "support", 2, "right horse", T0), 0);
	assert_int_equal(handoff_login(h, "alice", "right horse", T0, token), 0);
	assert_true(handoff_agent_online(h, "alice", T0) >= 0);
	rq.conv = "c1";
	assert_int_equal(handoff_request(h, &rq, T0, NULL), 0);
	rq.conv = "c2";
	assert_int_equal(handoff_request(h, &rq, T0 + SEC, NULL), 0);
	assert_int_equal(handoff_claim(h, "alice", "c2", T0 + 2 * SEC), 0);
	assert_int_equal(handoff_claim(h, "alice", "c2", T0 + 2 * SEC), -EBUSY);
	handoff_free(h);
	handoff_db_close(d);

	d = handoff_db_open(path, 0, &err);
	h = desk(d, T0 + 10 * SEC);
	assert_int_equal(handoff_session(h, token, T0 + 10 * SEC, who), 0);       /* still signed in */
	assert_string_equal(who, "alice");
	assert_int_equal(handoff_queue(h, NULL, T0 + 10 * SEC, q, 4), 1);
	assert_string_equal(q[0].conv->id, "c1");
	assert_int_equal(handoff_find(h, "c2")->state, HANDOFF_ASSIGNED);
	assert_int_equal(handoff_agent_online(h, "alice", T0 + 11 * SEC), 1);
	assert_int_equal(handoff_close(h, "alice", "c2", "solved", T0 + 12 * SEC), 0);
	handoff_free(h);
	handoff_db_close(d);
}

/* The child: hand-offs, a claim and messages, then SIGKILL without closing anything. */
static void crash_child(void)
{
	struct handoff_db *d;
	struct handoff *h;
	struct handoff_request rq = { .reason = HANDOFF_REASON_ASKED };
	char id[16], text[64];
	int err;

	d = handoff_db_open(path, 0, &err);
	if (!d)
		_exit(2);
	h = desk(d, T0);
	if (handoff_agent_add(h, "alice", "Alice", "support", 5, "right horse", T0) ||
	    handoff_agent_online(h, "alice", T0) < 0)
		_exit(3);
	for (int i = 0; i < 20; i++) {
		snprintf(id, sizeof(id), "c%02d", i);
		rq.conv = id;
		rq.priority = i % 5 == 0 ? 10 : 0;         /* c00, c05, c10, c15 jump the queue */
		if (handoff_request(h, &rq, T0 + i * SEC, NULL))
			_exit(4);
		for (int k = 0; k < 3; k++) {
			snprintf(text, sizeof(text), "%s message %d", id, k);
			if (handoff_append(h, id, HANDOFF_FROM_CUSTOMER, NULL, text, strlen(text), T0 + i * SEC))
				_exit(5);
		}
	}
	if (handoff_claim(h, "alice", "c07", T0 + 30 * SEC))
		_exit(6);
	raise(SIGKILL);
	_exit(7);
}

static int count_msgs(void *arg, const struct handoff_msg *m)
{
	(*(int *)arg)++;
	return 0;
}

static void crash_should_leave_queue_order_assignments_and_transcripts_intact(void **state)
{
	struct handoff_db *d;
	struct handoff *h;
	struct handoff_queue_item q[32];
	pid_t pid;
	int status, err, n;
	sqlite3 *s;
	sqlite3_stmt *st;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		crash_child();
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	assert_int_equal(access(path, F_OK), 0);

	/* the database file is sound */
	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(s, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	assert_int_equal(count(s, "SELECT count(*) FROM handoff_events"), 21);
	sqlite3_close(s);

	d = handoff_db_open(path, 0, &err);
	assert_non_null(d);
	h = desk(d, T0 + 60 * SEC);
	assert_int_equal(handoff_queue(h, NULL, T0 + 60 * SEC, q, 32), 19);
	assert_string_equal(q[0].conv->id, "c00");
	assert_string_equal(q[1].conv->id, "c05");
	assert_string_equal(q[2].conv->id, "c10");
	assert_string_equal(q[3].conv->id, "c15");
	assert_string_equal(q[4].conv->id, "c01");
	assert_string_equal(q[18].conv->id, "c19");
	for (size_t i = 5; i < 19; i++)
		assert_true(q[i - 1].conv->seq < q[i].conv->seq);
	assert_int_equal(handoff_find(h, "c07")->state, HANDOFF_ASSIGNED);
	assert_string_equal(handoff_find(h, "c07")->agent, "alice");
	assert_int_equal(handoff_agent_online(h, "alice", T0 + 61 * SEC), 1);     /* c07 is back with alice */
	for (int i = 0; i < 20; i++) {
		char id[16];

		snprintf(id, sizeof(id), "c%02d", i);
		n = 0;
		assert_int_equal(handoff_transcript(h, id, count_msgs, &n), 0);
		assert_int_equal(n, 3);
	}
	handoff_free(h);
	handoff_db_close(d);
}

int main(void)
{
#define M(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define F(f) cmocka_unit_test_setup_teardown(f, setup_dir, teardown_dir)
	const struct CMUnitTest tests[] = {
		F(open_should_create_the_schema_in_wal_mode_and_set_user_version),
		F(open_should_refuse_a_database_from_a_newer_version),
		F(open_should_refuse_a_file_that_is_not_a_database),
		M(write_should_round_trip_every_field),
		M(write_should_compare_and_set_the_stored_state),
		M(write_should_refuse_a_taken_ticket_ref_and_roll_everything_back),
		M(load_open_should_return_queued_assigned_and_tickets_only),
		M(casefiles_should_be_kept_until_replaced),
		M(history_should_list_the_customers_conversations_newest_first),
		M(messages_should_come_back_in_order_per_conversation),
		M(claim_times_should_be_recorded_with_the_claim),
		M(agents_should_be_put_got_listed_and_deleted),
		M(sessions_should_expire_and_be_purged),
		M(drafts_should_be_stored_for_the_editors),
		F(desk_should_run_on_sqlite_and_survive_a_clean_reopen),
		F(crash_should_leave_queue_order_assignments_and_transcripts_intact),
	};
#undef M
#undef F

	return cmocka_run_group_tests_name("store/handoff_db", tests, NULL, NULL);
}
