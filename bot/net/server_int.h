/*
 * server_int.h - what the parts of net/ share: the server's state (reached
 * from any callback through lws_context_user()), and the entry points of the
 * "faq-chat" protocol (ws_visitor.c) and the /api handler (http_api.c).
 * Private to net/. Everything here lives on the service thread.
 */
#ifndef BOT_NET_SERVER_INT_H
#define BOT_NET_SERVER_INT_H

#include "config.h"
#include "dialog/engine.h"
#include "dialog/session.h"
#include "kb/kb.h"

#include <libwebsockets.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct visitor;
struct ip_count;
struct desk;

#define IP_BUCKETS 1024

struct server_stats {
	unsigned long long connections;    /* WebSocket connections accepted */
	unsigned long long refused;        /* upgrades refused (origin, path, limits) */
	unsigned long long messages;       /* customer messages */
	unsigned long long answers, clarifies, fallbacks;
	unsigned long long intents;        /* replies an intent gave (answers, questions, hand-offs) */
	unsigned long long asks;           /* slot questions */
	unsigned long long handoffs, tickets;
	unsigned long long solved, unsolved;   /* "did this solve it?" yes / no */
	unsigned long long surveys;
	unsigned long long notices;        /* notice envelopes sent */
	unsigned long long feedback_up, feedback_down;
	unsigned long long errors;         /* error envelopes sent */
	unsigned long long culled;         /* closed for not reading */
	unsigned long long rate_limited;   /* frames refused by the rate limit */
};

/*
 * The bot's replies in one scene since the start ("" = no scene; the last
 * slot takes every scene beyond LIM_SCENES): what the fallback and hand-off
 * rates per scene are computed from.
 */
struct scene_stats {
	char scene[LIM_ID + 1];
	unsigned long long replies;        /* every reply: answers, clarifies, fallbacks, questions, hand-offs, ... */
	unsigned long long answers, clarifies, fallbacks, asks, handoffs, tickets;
	unsigned long long solved, unsolved;   /* "did this solve it?" yes / no, in this scene */
};
#define SCENE_STATS (LIM_SCENES + 2)   /* the scenes, no scene, and the rest */

/* What one build of the KB and its intents produced. */
struct reload_build {
	struct kb_snapshot *kb;            /* NULL when it failed */
	struct intent_set *set;            /* NULL without an intents directory */
	struct kb_diag d;
	struct intent_diag id;
	bool intents_failed;
	uint64_t us;
};

struct server {
	const struct config *cfg;
	struct lws_context *ctx;
	struct lws_vhost *vh;
	bool tls;

	/*
	 * The content: the KB snapshot and the intents compiled with its
	 * analyzer, swapped together on reload (intents may be NULL: no
	 * intents directory).
	 */
	struct kb_snapshot *kb;
	struct intent_set *intents;
	struct kb_options kb_opts;
	uint64_t kb_sig;                   /* dirsig of the KB when last (re)loaded or tried */
	uint64_t kb_pending_sig;           /* a changed dirsig waiting to settle */
	double kb_loaded_at;               /* wall time of the current snapshot's load */
	double kb_load_ms;
	unsigned kb_reloads, kb_failures;
	double kb_tried_at;                /* wall time of the last reload attempt (0: none) */
	char kb_error[2048];               /* why the last attempt failed, "" when it did not */
	uint64_t intents_sig, intents_pending_sig;   /* the same for the intents directory */
	double intents_loaded_at, intents_tried_at;
	unsigned intents_reloads, intents_failures;
	char intents_error[2048];
	/* A reload in flight on the worker thread (server.c). */
	bool reloading;
	pthread_t reload_thread;
	struct reload_build rl;            /* the worker's alone until rl_done */
	atomic_bool rl_done;
	const char *reload_why;
	const char *reload_again;          /* asked for while one was in flight: run next */

	/* Conversations. */
	struct sess_store *sessions;
	struct engine *engine;

	/* Connections. */
	struct visitor *visitors;          /* list of every established faq-chat connection */
	size_t n_visitors;
	struct ip_count *ips[IP_BUCKETS];

	/* The human hand-off (net/desk.h). */
	struct desk *desk;

	/* Timers. */
	lws_sorted_usec_list_t sul_kb, sul_sweep, sul_tick;

	/*
	 * The reply being built for the message in hand (one service thread,
	 * one message at a time): ~10 KB that a malloc per message would take
	 * from the allocator's slow bins.
	 */
	struct engine_reply reply;

	/* Lifecycle. */
	double started_at;
	bool stopping;
	struct server_stats stats;
	struct scene_stats scenes[SCENE_STATS];
	size_t n_scenes;
};

/* The counters of scene (NULL or "" = no scene), made on first use; the last slot when full. */
struct scene_stats *server_scene_stats(struct server *srv, const char *scene);

/* The server of the context wsi belongs to. */
static inline struct server *server_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

/*
 * Reload the KB now (why: "SIGHUP", "change" ...): build the new snapshot
 * and the intents on its analyzer, swap both, keep the old pair on error.
 */
void server_reload_kb(struct server *srv, const char *why);

/* The lws protocol callbacks. */
int ws_visitor_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
int http_api_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);

/* Size of the per-connection structs lws allocates. */
size_t ws_visitor_pss_size(void);
size_t http_api_pss_size(void);

/* Begin closing every faq-chat connection with 1001 once its queue is sent. */
void ws_visitor_close_all(struct server *srv);

#endif
