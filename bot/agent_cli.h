/*
 * agent_cli.h - "faqbot agent": manage agent accounts in the hand-off
 * database (add, disable, enable, passwd, list). Works while the server
 * runs (SQLite WAL); the server reads an account at its next sign-in.
 */
#ifndef BOT_AGENT_CLI_H
#define BOT_AGENT_CLI_H

/* argv[0] is "agent". Returns the process exit status (0 ok, 1 failure, 2 usage). */
int agent_cli_main(int argc, char **argv);

#endif
