/*
 * server.c - faqbot serve: the lws context and its one vhost (static files,
 * /api, "faq-chat"), the KB and its atomic reload, the timers (KB poll,
 * session sweep, a tick), signals and the clean shutdown. The only mutable
 * globals are the signal flags. Everything runs on the lws service thread
 * but the building of a reloaded KB, which runs on a worker (reload_main).
 */
#include "net/server.h"

#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/str.h"
#include "net/desk.h"
#include "net/dirsig.h"
#include "net/server_int.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

static volatile sig_atomic_t sig_stop, sig_reload;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		sig_reload = 1;
	else
		sig_stop = 1;
}

static int install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;   /* no SA_RESTART: poll() returns EINTR and the loop sees the flag */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) || sigaction(SIGHUP, &sa, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* lws's own log lines go through core/log. */
static void lws_emit(int level, const char *line)
{
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	/* A refused upgrade is ours to log (once, with the reason); lws's warning would let anyone flood the log. */
	if (strstr(line, "denied connection"))
		level = LLL_INFO;
	log_msg(level & LLL_ERR ? LOG_ERR : level & LLL_WARN ? LOG_WARN : LOG_INFO, "lws: %.*s", (int)n, line);
}

static enum log_level level_of(const char *name)
{
	static const char *const names[] = { "err", "warn", "notice", "info", "debug" };

	for (int i = 0; i < 5; i++)
		if (name && !strcmp(name, names[i]))
			return (enum log_level)i;
	return LOG_NOTICE;
}

/* ---- the content: the KB and the intents compiled with its analyzer ---- */

static int kb_signature(struct server *srv, uint64_t *sig)
{
	return dirsig_compute(srv->cfg->kb, LIM_KB_DEPTH, 2 * LIM_KB_FILES, sig);
}

static bool is_dir(const char *p)
{
	struct stat st;

	return p && !stat(p, &st) && S_ISDIR(st.st_mode);
}

static int intents_signature(struct server *srv, uint64_t *sig)
{
	*sig = 0;
	return is_dir(srv->cfg->intents) ? dirsig_compute(srv->cfg->intents, LIM_KB_DEPTH, 2 * INTENT_MAX_FILES, sig)
					 : -ENOENT;
}

/* "N error(s): msg; msg ..." into out, cut on a character boundary (it goes out as JSON). */
static void describe(char *out, size_t size, const char *what, size_t errors, char *const *msgs, size_t n_msgs)
{
	size_t n = (size_t)snprintf(out, size, "%s%zu error(s)", what, errors);

	for (size_t i = 0; i < n_msgs && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%s%s", i ? "; " : ": ", msgs[i]);
	if (!str_utf8_valid(out, strlen(out), &n))
		out[n] = '\0';
}

/* out = prefix + text, cut on a character boundary. */
static void str_copy_prefixed(char *out, size_t size, const char *prefix, const char *text, size_t *n)
{
	size_t p = strlen(prefix), t = strlen(text);

	if (p >= size)
		p = size - 1;
	memcpy(out, prefix, p);
	if (t > size - 1 - p)
		t = size - 1 - p;
	memcpy(out + p, text, t);
	out[p + t] = '\0';
	if (!str_utf8_valid(out, p + t, n))
		out[*n] = '\0';
}

/* Put kb and set in service together, then free the pair they replace. */
static void swap_content(struct server *srv, struct kb_snapshot *kb, struct intent_set *set)
{
	struct kb_snapshot *old_kb = srv->kb;
	struct intent_set *old_set = srv->intents;

	srv->kb = kb;
	srv->intents = set;
	engine_set_content(srv->engine, kb, set);
	if (old_set != set)
		intent_set_free(old_set);
	if (old_kb != kb)
		kb_snapshot_free(old_kb);
	desk_content_changed(srv);   /* the sentiment lists live beside the intents */
}

/* Load the intents for kb into *out (NULL when the directory is absent); on errors record why. Returns 0 or -EINVAL. */
static int load_intents_for(struct server *srv, struct kb_snapshot *kb, bool initial, struct intent_set **out)
{
	struct intent_diag d = { 0 };

	*out = NULL;
	intents_signature(srv, &srv->intents_sig);
	if (!is_dir(srv->cfg->intents))
		return 0;
	*out = engine_load_intents(srv->cfg->intents, kb, &d);
	if (!*out) {
		describe(srv->intents_error, sizeof(srv->intents_error), "", d.errors, d.msgs, d.n);
		if (initial)
			for (size_t i = 0; i < d.n; i++)
				log_err("%s", d.msgs[i]);
		intent_diag_clear(&d);
		return -EINVAL;
	}
	srv->intents_error[0] = '\0';
	srv->intents_loaded_at = clock_wall();
	for (size_t i = 0; i < d.n && i < 5; i++)
		log_warn("%s", d.msgs[i]);
	intent_diag_clear(&d);
	return 0;
}

/*
 * Build the KB, then the intents on its analyzer, into b. Reads only what
 * never changes while the server runs (the configuration and the KB
 * options), so it runs on the reload worker as well as at start.
 */
static void build_content(const struct server *srv, struct reload_build *b)
{
	uint64_t t0 = clock_now_us();

	b->kb = kb_load(srv->cfg->kb, &srv->kb_opts, &b->d);
	if (b->kb && is_dir(srv->cfg->intents) && !(b->set = engine_load_intents(srv->cfg->intents, b->kb, &b->id))) {
		kb_snapshot_free(b->kb);   /* the intents name its entries: the pair fails together */
		b->kb = NULL;
		b->intents_failed = true;
	}
	b->us = clock_now_us() - t0;
}

/*
 * On the service thread: swap in what b built, or keep the old pair and
 * record why it failed. Takes b's KB, intents and messages. Returns 0 or
 * -EINVAL.
 */
static int apply_content(struct server *srv, struct reload_build *b, const char *why, bool initial)
{
	if (!initial)
		srv->kb_tried_at = clock_wall();
	if (b->intents_failed) {
		describe(srv->intents_error, sizeof(srv->intents_error), "", b->id.errors, b->id.msgs, b->id.n);
		srv->kb_failures += !initial;
		srv->intents_failures += !initial;
		srv->intents_tried_at = srv->kb_tried_at;
		{
			size_t n = 0;

			str_copy_prefixed(srv->kb_error, sizeof(srv->kb_error), "intents: ", srv->intents_error, &n);
		}
		if (initial) {
			for (size_t i = 0; i < b->id.n; i++)
				log_err("%s", b->id.msgs[i]);
			log_err("intents: %s: the intents do not load with this KB; not starting", srv->cfg->intents);
		} else {
			log_err("kb: reload (%s) failed; still serving the previous KB and intents: intents: %s", why,
				srv->intents_error);
		}
	} else if (!b->kb) {
		srv->kb_failures += !initial;
		describe(srv->kb_error, sizeof(srv->kb_error), "", b->d.errors, b->d.msgs, b->d.n);
		if (initial) {
			for (size_t i = 0; i < b->d.n; i++)
				log_err("%s", b->d.msgs[i]);
			log_err("kb: %s: %zu error(s); the KB was not loaded", srv->cfg->kb, b->d.errors);
		} else {
			log_err("kb: reload (%s) failed; still serving the previous KB: %s", why, srv->kb_error);
		}
	} else {
		if (b->set) {
			srv->intents_error[0] = '\0';
			srv->intents_loaded_at = clock_wall();
			for (size_t i = 0; i < b->id.n && i < 5; i++)
				log_warn("%s", b->id.msgs[i]);
		}
		swap_content(srv, b->kb, b->set);
		srv->kb_load_ms = (double)b->us / 1000.0;
		srv->kb_loaded_at = clock_wall();
		srv->kb_error[0] = '\0';
		if (!initial)
			srv->kb_reloads++;
		log_notice("kb: %s \"%s\": %zu entries, %zu scene(s) and %zu intent(s) in %.0f ms (%s)%s",
			   initial ? "loaded" : "reloaded", kb_name(b->kb), kb_entry_count(b->kb),
			   b->set ? intent_scene_count(b->set) : 0, b->set ? intent_count(b->set) : 0, srv->kb_load_ms, why,
			   b->d.warnings ? ", with warnings" : "");
		for (size_t i = 0; i < b->d.n && i < 5; i++)
			log_warn("%s", b->d.msgs[i]);
	}
	kb_diag_clear(&b->d);
	intent_diag_clear(&b->id);
	return b->kb ? 0 : -EINVAL;
}

/* Load the KB and its intents on this thread (at start). Returns 0 or -EINVAL. */
static int load_kb(struct server *srv, const char *why, bool initial)
{
	struct reload_build b = { 0 };

	/* Before reading: a change during the load is seen by the next poll. */
	kb_signature(srv, &srv->kb_sig);
	intents_signature(srv, &srv->intents_sig);
	build_content(srv, &b);
	return apply_content(srv, &b, why, initial);
}

/*
 * Reloads run on a worker thread: a KB of 10,000 variants takes seconds to
 * train, and the service thread keeps answering with the old pair meanwhile.
 * The worker wakes the loop (lws_cancel_service, the one lws call allowed
 * off the service thread), which swaps the new pair in (reload_poll).
 */
static void *reload_main(void *arg)
{
	struct server *srv = arg;

	build_content(srv, &srv->rl);
	atomic_store(&srv->rl_done, true);
	lws_cancel_service(srv->ctx);
	return NULL;
}

struct scene_stats *server_scene_stats(struct server *srv, const char *scene)
{
	struct scene_stats *st;

	if (!scene)
		scene = "";
	for (size_t i = 0; i < srv->n_scenes; i++)
		if (!strcmp(srv->scenes[i].scene, scene))
			return &srv->scenes[i];
	if (srv->n_scenes == SCENE_STATS - 1) {
		st = &srv->scenes[SCENE_STATS - 1];   /* every further scene: named "*" */
		if (!st->scene[0])
			st->scene[0] = '*';
		return st;
	}
	st = &srv->scenes[srv->n_scenes++];
	snprintf(st->scene, sizeof(st->scene), "%s", scene);
	return st;
}

void server_reload_kb(struct server *srv, const char *why)
{
	sigset_t all, old;
	int failed;

	if (srv->reloading) {
		srv->reload_again = why;   /* once this one is in: the files may have changed since it read them */
		return;
	}
	kb_signature(srv, &srv->kb_sig);
	intents_signature(srv, &srv->intents_sig);
	memset(&srv->rl, 0, sizeof(srv->rl));
	atomic_store(&srv->rl_done, false);
	srv->reload_why = why;
	/* The worker starts with every signal blocked: SIGHUP and SIGTERM must interrupt the service thread's poll. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	failed = !srv->ctx || pthread_create(&srv->reload_thread, NULL, reload_main, srv);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (failed) {
		build_content(srv, &srv->rl);   /* no thread: on this one, as before */
		apply_content(srv, &srv->rl, why, false);
		return;
	}
	srv->reloading = true;
}

/* After each pass of the loop: swap in a reload the worker finished. */
static void reload_poll(struct server *srv)
{
	const char *again;

	if (!srv->reloading || !atomic_load(&srv->rl_done))
		return;
	pthread_join(srv->reload_thread, NULL);
	srv->reloading = false;
	apply_content(srv, &srv->rl, srv->reload_why, false);
	again = srv->reload_again;
	srv->reload_again = NULL;
	if (again && !srv->stopping)
		server_reload_kb(srv, again);
}

/* Wait for a reload in flight and drop what it built (shutdown). */
static void reload_abandon(struct server *srv)
{
	if (!srv->reloading)
		return;
	pthread_join(srv->reload_thread, NULL);
	srv->reloading = false;
	intent_set_free(srv->rl.set);
	kb_snapshot_free(srv->rl.kb);
	kb_diag_clear(&srv->rl.d);
	intent_diag_clear(&srv->rl.id);
}

/* The intents directory changed (the KB did not): rebuild the intents on the current KB's analyzer. */
static void reload_intents(struct server *srv, const char *why)
{
	struct intent_set *set;

	srv->intents_tried_at = clock_wall();
	if (load_intents_for(srv, srv->kb, false, &set)) {
		srv->intents_failures++;
		log_err("intents: reload (%s) failed; still serving the previous intents: %s", why, srv->intents_error);
		return;
	}
	swap_content(srv, srv->kb, set);
	srv->intents_reloads++;
	if (set)
		log_notice("intents: reloaded %zu scene(s) and %zu intent(s) (%s)", intent_scene_count(set),
			   intent_count(set), why);
	else
		log_notice("intents: %s is gone: scene rules are off (%s)", srv->cfg->intents, why);
}

/*
 * One directory of the poll: true when it changed and then stayed the same
 * for one short poll (a save may be in progress). *settle asks for that poll.
 */
static bool settled_change(uint64_t now_sig, uint64_t loaded_sig, uint64_t *pending, bool *settle)
{
	if (now_sig == loaded_sig)
		return false;
	if (now_sig == *pending) {
		*pending = 0;
		return true;
	}
	*pending = now_sig;
	*settle = true;
	return false;
}

/* Every kb_poll_ms: reload the KB (and the intents with it), or only the intents, when their files changed. */
static void kb_poll_cb(lws_sorted_usec_list_t *sul)
{
	struct server *srv = lws_container_of(sul, struct server, sul_kb);
	static const uint64_t settle_us = 200 * LWS_US_PER_MS;
	uint64_t next = (uint64_t)srv->cfg->kb_poll_ms * LWS_US_PER_MS, sig;
	bool settle = false;

	if (!srv->stopping && !kb_signature(srv, &sig) &&
	    settled_change(sig, srv->kb_sig, &srv->kb_pending_sig, &settle))
		server_reload_kb(srv, "files changed");
	else if (!srv->stopping && srv->cfg->intents) {
		intents_signature(srv, &sig);
		if (settled_change(sig, srv->intents_sig, &srv->intents_pending_sig, &settle)) {
			/* The last KB reload failed (perhaps on these intents): try the pair again. */
			if (srv->kb_error[0])
				server_reload_kb(srv, "intents changed");
			else
				reload_intents(srv, "files changed");
		}
	}
	lws_sul_schedule(srv->ctx, 0, &srv->sul_kb, kb_poll_cb, (lws_usec_t)(settle ? settle_us : next));
}

/* ---- sessions ---- */

static uint64_t sweep_period_us(const struct config *cfg)
{
	uint64_t us = (uint64_t)cfg->session_ttl_secs * LWS_US_PER_SEC / 4;

	if (us < LWS_US_PER_SEC)
		us = LWS_US_PER_SEC;
	if (us > 60 * LWS_US_PER_SEC)
		us = 60 * LWS_US_PER_SEC;
	return us;
}

static void sweep_cb(lws_sorted_usec_list_t *sul)
{
	struct server *srv = lws_container_of(sul, struct server, sul_sweep);
	size_t n = sess_sweep(srv->sessions, clock_now_us());

	if (n)
		log_info("sessions: %zu expired, %zu kept", n, sess_count(srv->sessions));
	lws_sul_schedule(srv->ctx, 0, &srv->sul_sweep, sweep_cb, (lws_usec_t)sweep_period_us(srv->cfg));
}

/* Wakes the loop regularly, so a signal that arrived just before poll() is seen within a tick. */
static void tick_cb(lws_sorted_usec_list_t *sul)
{
	struct server *srv = lws_container_of(sul, struct server, sul_tick);

	lws_sul_schedule(srv->ctx, 0, &srv->sul_tick, tick_cb, (srv->stopping ? 50 : 500) * LWS_US_PER_MS);
}

/* ---- start and stop ---- */

/* An absolute path for p (lws resolves mount origins against the current directory). */
static int absolute(const char *p, char *out, size_t size)
{
	char cwd[PATH_MAX];
	int n;

	if (p[0] == '/')
		n = snprintf(out, size, "%s", p);
	else if (!getcwd(cwd, sizeof(cwd)))
		return -errno;
	else
		n = snprintf(out, size, "%s/%s", cwd, p);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
	return 0;
}

/* Print the address people can open; a wildcard bind is shown as 127.0.0.1. */
static void announce(const struct server *srv, int port)
{
	const char *host = srv->cfg->bind;

	if (!host || !*host || !strcmp(host, "0.0.0.0") || !strcmp(host, "*") || !strcmp(host, "::"))
		host = "127.0.0.1";
	printf("open %s://%s%s%s:%d/\n", srv->tls ? "https" : "http", strchr(host, ':') ? "[" : "", host,
	       strchr(host, ':') ? "]" : "", port);
	fflush(stdout);
}

static void check_dirs(const struct config *cfg)
{
	if (cfg->intents && !is_dir(cfg->intents))
		log_notice("intents directory %s not found: scene rules are off", cfg->intents);
	if (cfg->data && !is_dir(cfg->data) && mkdir(cfg->data, 0750) && errno != EEXIST)
		log_warn("data directory %s cannot be created: %s", cfg->data, strerror(errno));
}

int server_run(const struct config *cfg, const struct handoff_store_ops *store_ops, void *store)
{
	static const struct lws_protocol_vhost_options mime_map = { NULL, NULL, ".map", "application/json" };
	static const struct lws_protocol_vhost_options mime_mjs = { &mime_map, NULL, ".mjs", "text/javascript" };
	static const struct lws_protocol_vhost_options mime_manifest = { &mime_mjs, NULL, ".webmanifest",
									  "application/manifest+json" };
	static const struct lws_protocol_vhost_options hsts = { NULL, NULL, "strict-transport-security:", "max-age=15768000" };
	static const struct lws_protocol_vhost_options pvo_default = { NULL, NULL, "default", "1" };
	static const struct lws_protocol_vhost_options pvo_chat = { NULL, &pvo_default, "faq-chat", "" };
	struct lws_protocols protocols[] = {
		{ "http", lws_callback_http_dummy, 0, 0, 0, NULL, 0 },
		{ "faq-chat", ws_visitor_callback, ws_visitor_pss_size(), LIM_TX_CHUNK, 0, NULL, LIM_TX_CHUNK },
		{ "faq-agent", ws_agent_callback, ws_agent_pss_size(), LIM_TX_CHUNK, 0, NULL, LIM_TX_CHUNK },
		{ "api", http_api_callback, http_api_pss_size(), 0, 0, NULL, 0 },
		{ "agent-api", http_agent_callback, http_agent_pss_size(), 0, 0, NULL, 0 },
		{ NULL, NULL, 0, 0, 0, NULL, 0 },
	};
	struct lws_http_mount mount_agent, mount_api, mount_web;
	struct lws_context_creation_info info;
	struct sess_opts so;
	struct engine_opts eo;
	lws_retry_bo_t retry;
	char web_abs[PATH_MAX];
	struct server *srv;
	uint64_t deadline = 0;
	int rc = 1, port;

	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		log_err("out of memory");
		return 1;
	}
	srv->cfg = cfg;
	srv->tls = cfg->tls_cert && cfg->tls_key;
	srv->started_at = clock_wall();
	log_set_level(level_of(cfg->log_level));
	lws_set_log_level(LLL_ERR | LLL_WARN | (level_of(cfg->log_level) >= LOG_DEBUG ? LLL_NOTICE | LLL_INFO : 0), lws_emit);
	engine_opts_default(&eo);
	eo.suggestions = cfg->suggestions;
	eo.fallbacks_before_human = cfg->fallbacks_before_human;
	eo.context_secret = cfg->context_secret;
	srv->engine = engine_new(&eo);
	sess_opts_default(&so);
	so.max_sessions = cfg->sessions_max;
	so.ttl_us = (uint64_t)cfg->session_ttl_secs * 1000000u;
	so.transcript_max = cfg->transcript_envelopes;
	so.transcript_bytes = cfg->transcript_bytes;
	so.max_tabs = cfg->tabs_per_session;
	srv->sessions = sess_store_new(&so);
	if (!srv->sessions || !srv->engine) {
		log_err("out of memory");
		goto out;
	}
	if (absolute(cfg->web, web_abs, sizeof(web_abs)) || !is_dir(web_abs)) {
		log_err("web directory %s not found", cfg->web);
		goto out;
	}
	check_dirs(cfg);
	kb_options_default(&srv->kb_opts);
	if (load_kb(srv, "start", true))
		goto out;
	if (install_signals()) {
		log_err("cannot install signal handlers: %s", strerror(errno));
		goto out;
	}

	memset(&mount_agent, 0, sizeof(mount_agent));
	mount_agent.mountpoint = "/api/agent";
	mount_agent.mountpoint_len = 10;
	mount_agent.protocol = "agent-api";
	mount_agent.origin_protocol = LWSMPRO_CALLBACK;
	memset(&mount_api, 0, sizeof(mount_api));
	mount_api.mount_next = &mount_agent;
	mount_api.mountpoint = "/api";
	mount_api.mountpoint_len = 4;
	mount_api.protocol = "api";
	mount_api.origin_protocol = LWSMPRO_CALLBACK;
	memset(&mount_web, 0, sizeof(mount_web));
	mount_web.mount_next = &mount_api;
	mount_web.mountpoint = "/";
	mount_web.mountpoint_len = 1;
	mount_web.origin = web_abs;
	mount_web.def = "index.html";
	mount_web.origin_protocol = LWSMPRO_FILE;
	mount_web.extra_mimetypes = &mime_manifest;

	memset(&retry, 0, sizeof(retry));
	retry.secs_since_valid_ping = (uint16_t)cfg->ping_secs;
	retry.secs_since_valid_hangup = (uint16_t)cfg->idle_timeout_secs;

	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS | LWS_SERVER_OPTION_HTTP_HEADERS_SECURITY_BEST_PRACTICES_ENFORCE;
	if (srv->tls)
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.user = srv;
	srv->ctx = lws_create_context(&info);
	if (!srv->ctx) {
		log_err("cannot create the libwebsockets context");
		goto out;
	}
	if (desk_start(srv, store_ops, store))
		goto out;
	info.vhost_name = "faqbot";
	info.port = cfg->port;
	info.iface = cfg->bind && *cfg->bind && strcmp(cfg->bind, "0.0.0.0") && strcmp(cfg->bind, "*") &&
				     strcmp(cfg->bind, "::") ? cfg->bind : NULL;
	info.protocols = protocols;
	info.mounts = &mount_web;
	info.pvo = &pvo_chat;
	info.retry_and_idle_policy = &retry;
	info.alpn = "http/1.1";
	if (srv->tls) {
		info.ssl_cert_filepath = cfg->tls_cert;
		info.ssl_private_key_filepath = cfg->tls_key;
		info.headers = &hsts;   /* added to every response, beside the security headers */
	}
	srv->vh = lws_create_vhost(srv->ctx, &info);
	if (!srv->vh) {
		log_err("cannot listen on %s:%d%s", cfg->bind ? cfg->bind : "*", cfg->port,
			srv->tls ? " (or cannot load the TLS certificate and key)" : "");
		goto out;
	}
	port = lws_get_vhost_listen_port(srv->vh);
	log_notice("faqbot %s listening on %s:%d (web %s, kb %s)", FAQBOT_VERSION, info.iface ? info.iface : "*", port,
		   cfg->web, cfg->kb);
	announce(srv, port);

	if (cfg->kb_poll_ms)
		lws_sul_schedule(srv->ctx, 0, &srv->sul_kb, kb_poll_cb, (lws_usec_t)cfg->kb_poll_ms * LWS_US_PER_MS);
	lws_sul_schedule(srv->ctx, 0, &srv->sul_sweep, sweep_cb, (lws_usec_t)sweep_period_us(cfg));
	lws_sul_schedule(srv->ctx, 0, &srv->sul_tick, tick_cb, 500 * LWS_US_PER_MS);

	rc = 0;
	for (;;) {
		if (lws_service(srv->ctx, 0) < 0) {
			log_err("the event loop failed");
			rc = 1;
			break;
		}
		reload_poll(srv);
		if (sig_reload) {
			sig_reload = 0;
			server_reload_kb(srv, "SIGHUP");
		}
		if (sig_stop && !srv->stopping) {
			srv->stopping = true;
			deadline = clock_now_us() + (uint64_t)cfg->shutdown_ms * 1000u;
			log_notice("shutting down: closing %zu connection(s)", srv->n_visitors + desk_connections(srv));
			ws_visitor_close_all(srv);
			ws_agent_close_all(srv);
			lws_sul_schedule(srv->ctx, 0, &srv->sul_tick, tick_cb, 50 * LWS_US_PER_MS);
		}
		if (srv->stopping && ((!srv->n_visitors && !desk_connections(srv)) || clock_now_us() >= deadline))
			break;
	}
out:
	reload_abandon(srv);   /* before the context goes: the worker wakes it when done */
	if (srv->ctx) {
		lws_sul_cancel(&srv->sul_kb);
		lws_sul_cancel(&srv->sul_sweep);
		lws_sul_cancel(&srv->sul_tick);
		desk_stop(srv);
		lws_context_destroy(srv->ctx);   /* CLOSED runs for what is left: sessions and the desk must still exist */
		srv->ctx = NULL;
	}
	desk_free(srv);
	sess_store_free(srv->sessions);
	engine_free(srv->engine);
	intent_set_free(srv->intents);
	kb_snapshot_free(srv->kb);
	free(srv);
	if (!rc)
		log_notice("stopped");
	return rc;
}
