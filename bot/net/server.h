/*
 * server.h - the chat server (faqbot serve): static files from web/, the
 * JSON API under /api, the customer WebSocket protocol "faq-chat" and the
 * agent console's "faq-agent", all on one libwebsockets service thread that
 * owns every piece of state.
 */
#ifndef BOT_NET_SERVER_H
#define BOT_NET_SERVER_H

#include "config.h"

struct handoff_store_ops;

/*
 * Load the KB, listen, print "open http://HOST:PORT/" on stdout once
 * listening, and serve until SIGINT or SIGTERM (connections are closed with
 * 1001). SIGHUP reloads the KB. The hand-off desk keeps its state in store
 * through store_ops (both borrowed; the caller opens and closes the store).
 * cfg is borrowed for the whole run and must have passed config_check().
 * Returns the process exit status: 0 after a clean shutdown, 1 when the
 * server could not start.
 */
int server_run(const struct config *cfg, const struct handoff_store_ops *store_ops, void *store);

#endif
