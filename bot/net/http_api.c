/*
 * http_api.c - the JSON API under /api (read-only: GET and HEAD):
 *   /api/health   200 {"status":"ok",...}, 503 while shutting down
 *   /api/version  name, version, protocol version, libwebsockets version
 *   /api/stats    KB (entries, variants, languages, load time, index memory,
 *                 last reload and its error), intents (scenes, intents, last
 *                 reload and its error), the hand-off (waiting, agent consoles,
 *                 transitions), sessions, connections, counters
 * Bodies are built with cJSON into one buffer with LWS_PRE headroom and sent
 * in one write from HTTP_WRITEABLE; they are small (a few KiB).
 */
#include "net/desk.h"
#include "net/server_int.h"

#include "core/clock.h"
#include "dialog/session.h"
#include "proto/wire.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct api_pss {
	unsigned char *resp;    /* LWS_PRE + len bytes, owned */
	size_t len;
};

size_t http_api_pss_size(void)
{
	return sizeof(struct api_pss);
}

static void iso_time(double t, char out[32])
{
	time_t s = (time_t)t;
	struct tm tm;

	gmtime_r(&s, &tm);
	if (!strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		out[0] = '\0';
}

static void add_time(cJSON *j, const char *name, double t)
{
	char buf[32];

	if (t <= 0) {
		cJSON_AddNullToObject(j, name);
		return;
	}
	iso_time(t, buf);
	cJSON_AddStringToObject(j, name, buf);
}

static cJSON *health(struct server *srv, unsigned *status)
{
	cJSON *j = cJSON_CreateObject();

	*status = srv->stopping ? HTTP_STATUS_SERVICE_UNAVAILABLE : HTTP_STATUS_OK;
	cJSON_AddStringToObject(j, "status", srv->stopping ? "stopping" : "ok");
	cJSON_AddBoolToObject(j, "kb_loaded", srv->kb != NULL);
	cJSON_AddNumberToObject(j, "uptime_s", (double)(long long)(clock_wall() - srv->started_at));
	return j;
}

static cJSON *version(struct server *srv, unsigned *status)
{
	cJSON *j = cJSON_CreateObject();

	*status = HTTP_STATUS_OK;
	cJSON_AddStringToObject(j, "name", "faqbot");
	cJSON_AddStringToObject(j, "version", FAQBOT_VERSION);
	cJSON_AddNumberToObject(j, "protocol", WIRE_VERSION);
	cJSON_AddStringToObject(j, "libwebsockets", lws_get_library_version());
	return j;
}

/* The hand-off: who waits, who is online, and the transitions since the start. */
static void handoff_stats(struct server *srv, cJSON *j)
{
	const struct desk *d = srv->desk;
	cJSON *h = d ? cJSON_AddObjectToObject(j, "handoff") : NULL;
	cJSON *c;

	if (!h)
		return;
	cJSON_AddNumberToObject(h, "waiting", (double)handoff_queue(d->h, NULL, desk_now(), NULL, 0));
	cJSON_AddNumberToObject(h, "agent_consoles", (double)d->n_agents);
	cJSON_AddBoolToObject(h, "sentiment", d->lex != NULL);
	c = cJSON_AddObjectToObject(h, "since_start");
	if (!c)
		return;
	cJSON_AddNumberToObject(c, "queued", (double)d->counts.queued);
	cJSON_AddNumberToObject(c, "claimed", (double)d->counts.claimed);
	cJSON_AddNumberToObject(c, "tickets", (double)d->counts.tickets);
	cJSON_AddNumberToObject(c, "resolved", (double)d->counts.resolved);
	cJSON_AddNumberToObject(c, "returned_to_bot", (double)d->counts.returned);
	cJSON_AddNumberToObject(c, "cancelled", (double)d->counts.cancelled);
	cJSON_AddNumberToObject(c, "transferred", (double)d->counts.transferred);
	cJSON_AddNumberToObject(c, "agent_gone", (double)d->counts.agent_gone);
}

/*
 * "scenes": the bot's replies per scene since the start, with the fallback
 * and hand-off rates (of the replies in that scene; a hand-off counts its
 * tickets too). "" is no scene, "*" every scene beyond the first LIM_SCENES.
 */
static void scene_stats_json(struct server *srv, cJSON *j)
{
	cJSON *a = cJSON_AddArrayToObject(j, "scenes");

	for (size_t i = 0; a && i < SCENE_STATS; i++) {
		const struct scene_stats *st = &srv->scenes[i];
		cJSON *o;

		if (!st->replies && !st->solved && !st->unsolved)
			continue;
		if (!(o = cJSON_CreateObject()))
			return;
		cJSON_AddItemToArray(a, o);
		cJSON_AddStringToObject(o, "scene", st->scene);
		cJSON_AddNumberToObject(o, "replies", (double)st->replies);
		cJSON_AddNumberToObject(o, "answers", (double)st->answers);
		cJSON_AddNumberToObject(o, "clarifies", (double)st->clarifies);
		cJSON_AddNumberToObject(o, "fallbacks", (double)st->fallbacks);
		cJSON_AddNumberToObject(o, "asks", (double)st->asks);
		cJSON_AddNumberToObject(o, "handoffs", (double)st->handoffs);
		cJSON_AddNumberToObject(o, "tickets", (double)st->tickets);
		cJSON_AddNumberToObject(o, "solved", (double)st->solved);
		cJSON_AddNumberToObject(o, "unsolved", (double)st->unsolved);
		cJSON_AddNumberToObject(o, "fallback_rate", st->replies ? (double)st->fallbacks / (double)st->replies : 0);
		cJSON_AddNumberToObject(o, "handoff_rate",
					st->replies ? (double)(st->handoffs + st->tickets) / (double)st->replies : 0);
	}
}

static cJSON *stats(struct server *srv, unsigned *status)
{
	const struct server_stats *s = &srv->stats;
	cJSON *j = cJSON_CreateObject(), *kb = cJSON_AddObjectToObject(j, "kb"), *last, *c, *langs, *it;
	const char *const *lv;
	struct kb_stats st;
	size_t nl;

	*status = HTTP_STATUS_OK;
	if (kb) {
		kb_stats(srv->kb, &st);
		nl = kb_langs(srv->kb, &lv);
		cJSON_AddStringToObject(kb, "name", kb_name(srv->kb));
		cJSON_AddNumberToObject(kb, "entries", (double)st.entries);
		cJSON_AddNumberToObject(kb, "variants", (double)st.variants);
		langs = cJSON_AddArrayToObject(kb, "languages");
		for (size_t i = 0; langs && i < nl; i++)
			cJSON_AddItemToArray(langs, cJSON_CreateString(lv[i]));
		cJSON_AddNumberToObject(kb, "load_ms", srv->kb_load_ms);
		cJSON_AddNumberToObject(kb, "index_bytes", (double)st.index_bytes);
		cJSON_AddStringToObject(kb, "scoring", st.mode == IDX_BM25 ? "bm25" : "trained");
		add_time(kb, "loaded_at", srv->kb_loaded_at);
		cJSON_AddNumberToObject(kb, "reloads", srv->kb_reloads);
		cJSON_AddNumberToObject(kb, "reload_failures", srv->kb_failures);
		last = cJSON_AddObjectToObject(kb, "last_reload");
		if (last) {
			add_time(last, "at", srv->kb_tried_at);
			cJSON_AddBoolToObject(last, "ok", srv->kb_error[0] == '\0');
			if (srv->kb_error[0])
				cJSON_AddStringToObject(last, "error", srv->kb_error);
			else
				cJSON_AddNullToObject(last, "error");
		}
	}
	it = cJSON_AddObjectToObject(j, "intents");
	if (it) {
		cJSON_AddStringToObject(it, "dir", srv->cfg->intents ? srv->cfg->intents : "");
		cJSON_AddBoolToObject(it, "on", srv->intents != NULL);
		cJSON_AddNumberToObject(it, "scenes", srv->intents ? (double)intent_scene_count(srv->intents) : 0);
		cJSON_AddNumberToObject(it, "intents", srv->intents ? (double)intent_count(srv->intents) : 0);
		add_time(it, "loaded_at", srv->intents_loaded_at);
		cJSON_AddNumberToObject(it, "reloads", srv->intents_reloads);
		cJSON_AddNumberToObject(it, "reload_failures", srv->intents_failures);
		last = cJSON_AddObjectToObject(it, "last_reload");
		if (last) {
			add_time(last, "at", srv->intents_tried_at);
			cJSON_AddBoolToObject(last, "ok", srv->intents_error[0] == '\0');
			if (srv->intents_error[0])
				cJSON_AddStringToObject(last, "error", srv->intents_error);
			else
				cJSON_AddNullToObject(last, "error");
		}
	}
	handoff_stats(srv, j);
	cJSON_AddNumberToObject(j, "sessions", (double)sess_count(srv->sessions));
	cJSON_AddNumberToObject(j, "connections", (double)srv->n_visitors);
	cJSON_AddNumberToObject(j, "uptime_s", (double)(long long)(clock_wall() - srv->started_at));
	c = cJSON_AddObjectToObject(j, "counters");
	if (c) {
		cJSON_AddNumberToObject(c, "connections", (double)s->connections);
		cJSON_AddNumberToObject(c, "refused", (double)s->refused);
		cJSON_AddNumberToObject(c, "messages", (double)s->messages);
		cJSON_AddNumberToObject(c, "answers", (double)s->answers);
		cJSON_AddNumberToObject(c, "clarifies", (double)s->clarifies);
		cJSON_AddNumberToObject(c, "fallbacks", (double)s->fallbacks);
		cJSON_AddNumberToObject(c, "intents", (double)s->intents);
		cJSON_AddNumberToObject(c, "asks", (double)s->asks);
		cJSON_AddNumberToObject(c, "handoffs", (double)s->handoffs);
		cJSON_AddNumberToObject(c, "tickets", (double)s->tickets);
		cJSON_AddNumberToObject(c, "solved", (double)s->solved);
		cJSON_AddNumberToObject(c, "unsolved", (double)s->unsolved);
		cJSON_AddNumberToObject(c, "surveys", (double)s->surveys);
		cJSON_AddNumberToObject(c, "notices", (double)s->notices);
		cJSON_AddNumberToObject(c, "feedback_up", (double)s->feedback_up);
		cJSON_AddNumberToObject(c, "feedback_down", (double)s->feedback_down);
		cJSON_AddNumberToObject(c, "errors", (double)s->errors);
		cJSON_AddNumberToObject(c, "rate_limited", (double)s->rate_limited);
		cJSON_AddNumberToObject(c, "culled", (double)s->culled);
	}
	scene_stats_json(srv, j);
	return j;
}

static cJSON *not_found(struct server *srv, unsigned *status)
{
	cJSON *j = cJSON_CreateObject();

	*status = HTTP_STATUS_NOT_FOUND;
	cJSON_AddStringToObject(j, "error", "not found; try /api/health, /api/version or /api/stats");
	return j;
}

/* Build the response for path and send its headers (and for HEAD nothing more). Returns 0, or non-zero to close. */
static int respond(struct lws *wsi, struct api_pss *pss, const char *path, bool head)
{
	static const struct {
		const char *path;
		cJSON *(*fn)(struct server *, unsigned *);
	} routes[] = { { "/health", health }, { "/version", version }, { "/stats", stats } };
	struct server *srv = server_of(wsi);
	unsigned char hb[LWS_PRE + LWS_RECOMMENDED_MIN_HEADER_SPACE], *start = &hb[LWS_PRE], *p = start,
		*end = &hb[sizeof(hb) - 1];
	cJSON *(*fn)(struct server *, unsigned *) = not_found;
	unsigned status;
	cJSON *j;
	char *body;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (!strcmp(path, routes[i].path))
			fn = routes[i].fn;
	j = fn(srv, &status);
	body = j ? cJSON_PrintUnformatted(j) : NULL;
	cJSON_Delete(j);
	if (!body)
		return lws_return_http_status(wsi, HTTP_STATUS_INTERNAL_SERVER_ERROR, NULL) ||
		       lws_http_transaction_completed(wsi);
	pss->len = strlen(body);
	pss->resp = malloc(LWS_PRE + pss->len + 1);
	if (!pss->resp) {
		cJSON_free(body);
		return 1;
	}
	memcpy(pss->resp + LWS_PRE, body, pss->len + 1);
	cJSON_free(body);
	if (lws_add_http_common_headers(wsi, status, "application/json", pss->len, &p, end) ||
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL, (const unsigned char *)"no-store", 8, &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return 1;
	if (head) {
		free(pss->resp);
		pss->resp = NULL;
		return lws_http_transaction_completed(wsi);
	}
	lws_callback_on_writable(wsi);
	return 0;
}

static void release(struct api_pss *pss)
{
	if (!pss)
		return;
	free(pss->resp);
	pss->resp = NULL;
	pss->len = 0;
}

int http_api_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct api_pss *pss = user;
	char path[128];
	bool head;
	int n;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		head = lws_hdr_total_length(wsi, WSI_TOKEN_HEAD_URI) > 0;
		if (!head && !lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI)) {
			/* Not a GET or HEAD: answer 405 (a POST body is never read). */
			if (lws_return_http_status(wsi, HTTP_STATUS_METHOD_NOT_ALLOWED, NULL))
				return -1;
			return lws_http_transaction_completed(wsi) ? -1 : 0;
		}
		n = in ? (int)strnlen(in, sizeof(path) - 1) : 0;
		memcpy(path, in ? in : "", (size_t)n);
		path[n] = '\0';
		release(pss);
		return respond(wsi, pss, path, head) ? -1 : 0;

	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (!pss || !pss->resp)
			break;
		n = lws_write(wsi, pss->resp + LWS_PRE, pss->len, LWS_WRITE_HTTP_FINAL);
		release(pss);
		if (n < 0)
			return -1;
		return lws_http_transaction_completed(wsi) ? -1 : 0;

	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		release(pss);
		break;

	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}
