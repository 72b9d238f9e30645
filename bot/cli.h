/*
 * cli.h - the command-line commands that work on a KB without the server:
 * ask (one question or an interactive session), kb check, kb test, kb stats.
 */
#ifndef BOT_CLI_H
#define BOT_CLI_H

/* Each returns the process exit status. argv[0] is the command name. */
int cli_ask(int argc, char **argv);
int cli_kb(int argc, char **argv);

#endif
