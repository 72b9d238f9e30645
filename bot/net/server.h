/*
 * server.h - the chat server (faqbot serve): static files from web/, the
 * JSON API under /api and the customer WebSocket protocol "faq-chat", all on
 * one libwebsockets service thread that owns every piece of state.
 */
#ifndef BOT_NET_SERVER_H
#define BOT_NET_SERVER_H

#include "config.h"

/*
 * Load the KB, listen, print "open http://HOST:PORT/" on stdout once
 * listening, and serve until SIGINT or SIGTERM (connections are closed with
 * 1001). SIGHUP reloads the KB. cfg is borrowed for the whole run and must
 * have passed config_check(). Returns the process exit status: 0 after a
 * clean shutdown, 1 when the server could not start.
 */
int server_run(const struct config *cfg);

#endif
