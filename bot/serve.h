/*
 * serve.h - the "faqbot serve" command: parse its options, build the
 * configuration and run the chat server (net/server.h).
 */
#ifndef BOT_SERVE_H
#define BOT_SERVE_H

/* argv[0] is "serve". Returns the process exit status (0 ok, 1 failure, 2 usage). */
int serve_main(int argc, char **argv);

#endif
