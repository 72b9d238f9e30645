/*
 * cli.h - the command-line commands that work on a KB without the server:
 * ask (one question or an interactive session), kb check, kb test, kb
 * stats, test dialogs; and the chat engine they drive, the server's own.
 */
#ifndef BOT_CLI_H
#define BOT_CLI_H

#include "dialog/engine.h"
#include "dialog/session.h"
#include "kb/kb.h"

/* Each returns the process exit status. argv[0] is the command name. */
int cli_ask(int argc, char **argv);
int cli_kb(int argc, char **argv);
int cli_test(int argc, char **argv);   /* faqbot test dialogs [DIR] (dialogs.c) */

/* A KB, its intents, the engine over them and a session store, as the server has them. */
struct cli_chat {
	struct kb_snapshot *kb;
	struct intent_set *set;     /* NULL: the FAQ only */
	struct engine *e;
	struct sess_store *st;
};

/*
 * Load kb_dir with ko and, when intents_dir is not NULL, its intents
 * (checked against the KB); secret verifies signed context (may be NULL).
 * Problems go to stderr. Returns 0, or 1 with nothing to close.
 */
int cli_chat_open(struct cli_chat *ch, const char *kb_dir, const char *intents_dir, const struct kb_options *ko,
		  const char *secret);

/* Free everything cli_chat_open made. */
void cli_chat_close(struct cli_chat *ch);

#endif
