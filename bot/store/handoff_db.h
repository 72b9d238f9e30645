/*
 * handoff_db.h - the SQLite implementation of struct handoff_store_ops
 * (dialog/handoff.h): conversations and their transition log, transcripts,
 * tickets, claim times, agent accounts and sessions, KB drafts.
 *
 * One database file in the data directory (var/faqbot.db by default), WAL
 * journal, synchronous=NORMAL (a committed transition survives the process
 * being killed; FULLSYNC also survives power loss), schema migrations by
 * PRAGMA user_version, statements prepared once. Every state change is one
 * transaction. Not thread-safe: the service thread owns the handle.
 */
#ifndef BOT_STORE_HANDOFF_DB_H
#define BOT_STORE_HANDOFF_DB_H

#include "dialog/handoff.h"

#define HANDOFF_DB_SCHEMA    1      /* PRAGMA user_version this code writes */
#define HANDOFF_DB_FULLSYNC  1u     /* synchronous=FULL: fsync on every commit */

struct handoff_db;

/*
 * Open (creating when missing) the database at path, ":memory:" for tests,
 * and bring its schema to HANDOFF_DB_SCHEMA. Returns the handle (close with
 * handoff_db_close) or NULL with *err: -EIO (cannot open, not a database,
 * migration failed), -EPROTO (written by a newer faqbot), -ENOMEM.
 */
struct handoff_db *handoff_db_open(const char *path, unsigned flags, int *err);

/* Finalize every statement and close (checkpointing the WAL). NULL is a no-op. */
void handoff_db_close(struct handoff_db *db);

/*
 * Delete claim times recorded before `before` (ms since the epoch): the
 * wait estimate reads only the last hour, so older rows only grow the
 * file. Returns how many were deleted, or -EIO.
 */
int handoff_db_prune_claims(struct handoff_db *db, int64_t before);

/* The operations, to pass with the handle to handoff_new(). Static. */
const struct handoff_store_ops *handoff_db_ops(void);

/* The last SQLite error message, for logs. Borrowed until the next call on db. */
const char *handoff_db_error(const struct handoff_db *db);

#endif
