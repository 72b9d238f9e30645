/*
 * desk.c - the hand-off desk inside the server: start and stop, the tick
 * that drives time-based transitions (agents gone, queues turning into
 * tickets) and keeps the consoles' queue views fresh, the change hook that
 * tells agents (and customers) what happened, and the small helpers the
 * agent API and console share (client address, origin, cookie).
 */
#include "net/desk.h"

#include "core/clock.h"
#include "core/log.h"
#include "dialog/hours.h"
#include "net/server_int.h"
#include "proto/agent_wire.h"
#include "proto/casefile.h"
#include "proto/sentiment_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int64_t desk_now(void)
{
	return (int64_t)(clock_wall() * 1000.0);
}

/* ---- teams ---- */

void desk_add_team(struct desk *d, const char *team)
{
	char(*grown)[HANDOFF_CODE_LEN + 1];

	if (!team || !*team || strlen(team) > HANDOFF_CODE_LEN || !strcmp(team, HANDOFF_ALL_TEAMS))
		return;
	for (size_t i = 0; i < d->n_teams; i++)
		if (!strcmp(d->teams[i], team))
			return;
	if (d->n_teams >= LIM_HANDOFF_ROUTES)
		return;
	grown = realloc(d->teams, (d->n_teams + 1) * sizeof(*grown));
	if (!grown)
		return;
	d->teams = grown;
	snprintf(d->teams[d->n_teams++], HANDOFF_CODE_LEN + 1, "%s", team);
}

static int set_team_hours(void *arg, const char *team, const struct handoff_hours *hours)
{
	struct desk *d = arg;
	int rc = handoff_set_team(d->h, team, hours);

	if (rc)
		log_err("handoff_teams: team \"%s\" not accepted: %s", team, strerror(-rc));
	desk_add_team(d, team);
	return rc;
}

/* ---- the change hook ---- */

static const char *released_why(const struct handoff_event *ev)
{
	const char *detail = ev->detail ? ev->detail : "";

	if (!strncmp(detail, "transfer:", 9))
		return "transferred";
	if (!strcmp(detail, "agent_gone"))
		return "agent_gone";
	if (ev->to == HANDOFF_BOT)
		return !strcmp(detail, "returned") ? "returned" : "customer_left";
	return "closed";
}

/* Called by the desk after every persisted transition: agents and the customer learn of it now. */
static void on_change(void *arg, const struct handoff_conv *c, const struct handoff_event *ev, const char *prev_agent)
{
	struct server *srv = arg;
	struct desk *d = srv->desk;
	const char *detail = ev->detail ? ev->detail : "";
	size_t len;
	char *env;

	if (d) {
		d->counts.queued += ev->to == HANDOFF_QUEUED && ev->from == HANDOFF_BOT;
		d->counts.claimed += ev->to == HANDOFF_ASSIGNED;
		d->counts.tickets += ev->to == HANDOFF_TICKET;
		d->counts.resolved += ev->to == HANDOFF_RESOLVED;
		d->counts.returned += ev->to == HANDOFF_BOT && ev->from == HANDOFF_ASSIGNED;
		d->counts.cancelled += ev->to == HANDOFF_BOT && (ev->from == HANDOFF_QUEUED || ev->from == HANDOFF_TICKET);
		d->counts.transferred += !strncmp(detail, "transfer:", 9);
		d->counts.agent_gone += !strcmp(detail, "agent_gone");
	}
	ws_agent_mark_dirty(srv);
	if (prev_agent && *prev_agent) {
		env = agent_wire_released(c->id, released_why(ev), &len);
		if (env)
			ws_agent_send(srv, prev_agent, env, len);
		agent_wire_free(env);
	}
	log_info("handoff: %.8s… %s -> %s (%s, %s)", c->id, handoff_state_name(ev->from), handoff_state_name(ev->to),
		 ev->actor ? ev->actor : "-", ev->detail ? ev->detail : "-");
	desk_tell_customer(srv, c, ev);
}

/* ---- the tick ---- */

static void tick_cb(lws_sorted_usec_list_t *sul)
{
	struct desk *d = lws_container_of(sul, struct desk, sul_tick);
	int64_t now = desk_now();
	int rc;

	rc = handoff_tick(d->h, now);
	if (rc < 0)
		log_err("handoff: a timed transition failed: %s", strerror(-rc));
	desk_chats_refresh(d->srv, 0);   /* waits change with time too */
	if (now - d->last_snapshot >= DESK_SNAPSHOT_MS) {
		d->last_snapshot = now;
		ws_agent_mark_dirty(d->srv);
	}
	if (now - d->last_recheck >= DESK_RECHECK_MS) {
		d->last_recheck = now;
		ws_agent_recheck(d->srv, now);
		desk_chats_prune(d->srv);
	}
	lws_sul_schedule(d->srv->ctx, 0, &d->sul_tick, tick_cb, DESK_TICK_MS * LWS_US_PER_MS);
}

/* ---- start and stop ---- */

/*
 * Read the sentiment word lists into *out. Returns 0 (loaded), -ENOENT (no
 * file: the trigger is off) or -EINVAL (a bad file, logged with the key at fault).
 */
static int load_sentiment(const struct config *cfg, struct sentiment_lexicon **out)
{
	char path[4096], err[512];

	*out = NULL;
	if (!cfg->intents || snprintf(path, sizeof(path), "%s/sentiment.json", cfg->intents) >= (int)sizeof(path) ||
	    access(path, R_OK))
		return -ENOENT;
	*out = sentiment_json_load(path, err, sizeof(err));
	if (!*out) {
		log_err("handoff: %s", err);
		return -EINVAL;
	}
	return 0;
}

void desk_content_changed(struct server *srv)
{
	struct desk *d = srv->desk;
	struct sentiment_lexicon *lex;
	int rc;

	if (!d)
		return;
	rc = load_sentiment(srv->cfg, &lex);
	if (rc == -EINVAL) {
		log_err("handoff: keeping the previous sentiment word lists");
		return;
	}
	if (!lex && d->lex)
		log_notice("handoff: the sentiment word lists are gone: the sentiment trigger is off");
	sentiment_lexicon_free(d->lex);
	d->lex = lex;
}

int desk_start(struct server *srv, const struct handoff_store_ops *ops, void *store)
{
	const struct config *cfg = srv->cfg;
	struct handoff_config hc;
	struct desk *d;
	char err[256];
	int rc = 0;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	srv->desk = d;
	d->srv = srv;
	d->ops = ops;
	d->store = store;
	handoff_config_default(&hc);
	hc.agent_grace_s = cfg->agent_grace_secs;
	hc.ticket_after_s = cfg->ticket_after_secs;
	hc.encode_casefile = casefile_encode;
	hc.on_change = on_change;
	hc.arg = srv;
	d->h = handoff_new(&hc, ops, store, desk_now(), &rc);
	if (!d->h) {
		log_err("handoff: cannot load the open conversations: %s", strerror(-rc));
		return rc ? rc : -ENOMEM;
	}
	d->login_fails = attempts_new(DESK_LOGIN_KEYS, DESK_LOGIN_FAILS, DESK_LOGIN_WINDOW_MS);
	if (!d->login_fails)
		return -ENOMEM;
	desk_add_team(d, handoff_policy_for(d->h, NULL)->team);
	rc = config_teams(cfg, set_team_hours, d, err, sizeof(err));
	if (rc) {
		log_err("%s", err);
		return rc;
	}
	if (load_sentiment(cfg, &d->lex) == -ENOENT)
		log_notice("handoff: no %s/sentiment.json: the sentiment trigger is off", cfg->intents ? cfg->intents : "intents");
	d->last_snapshot = d->last_recheck = desk_now();
	lws_sul_schedule(srv->ctx, 0, &d->sul_tick, tick_cb, DESK_TICK_MS * LWS_US_PER_MS);
	log_notice("handoff: %zu chat(s) waiting, teams: %zu known", handoff_queue(d->h, NULL, desk_now(), NULL, 0),
		   d->n_teams);
	return 0;
}

void desk_stop(struct server *srv)
{
	if (srv->desk) {
		lws_sul_cancel(&srv->desk->sul_tick);
		lws_sul_cancel(&srv->desk->sul_positions);
	}
}

void desk_free(struct server *srv)
{
	struct desk *d = srv->desk;

	if (!d)
		return;
	lws_sul_cancel(&d->sul_tick);
	lws_sul_cancel(&d->sul_positions);
	desk_chats_free(d);
	handoff_free(d->h);
	sentiment_lexicon_free(d->lex);
	attempts_free(d->login_fails);
	free(d->teams);
	free(d);
	srv->desk = NULL;
}

/* ---- request helpers ---- */

void desk_client_ip(struct server *srv, struct lws *wsi, char *ip, size_t size)
{
	char xff[256];

	ip[0] = '\0';
	if (srv->cfg->trust_proxy && lws_hdr_copy(wsi, xff, sizeof(xff), WSI_TOKEN_X_FORWARDED_FOR) > 0) {
		char *last = strrchr(xff, ',');
		char *s = last ? last + 1 : xff;
		size_t n;

		s += strspn(s, " \t");
		n = strcspn(s, " \t");
		if (n && n < size) {
			memcpy(ip, s, n);
			ip[n] = '\0';
			return;
		}
	}
	if (!lws_get_peer_simple(wsi, ip, size))
		snprintf(ip, size, "unknown");
	else if (!strncmp(ip, "::ffff:", 7) && strchr(ip, '.'))
		memmove(ip, ip + 7, strlen(ip + 7) + 1);
}

static bool is_localhost(const char *hostport)
{
	static const char *const names[] = { "localhost", "127.0.0.1", "[::1]" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);

		if (!strncasecmp(hostport, names[i], n) && (hostport[n] == '\0' || hostport[n] == ':'))
			return true;
	}
	return false;
}

bool desk_origin_ok(struct server *srv, struct lws *wsi)
{
	const struct config *cfg = srv->cfg;
	char origin[256], host[256];
	const char *hp;
	int n;

	if (!lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN))
		return true;   /* not a browser, or a same-origin GET */
	n = lws_hdr_copy(wsi, origin, sizeof(origin), WSI_TOKEN_ORIGIN);
	if (n <= 0)
		return false;
	while (n > 1 && origin[n - 1] == '/')
		origin[--n] = '\0';
	for (size_t i = 0; i < cfg->n_origins; i++)
		if (!strcmp(cfg->origins[i], "*") || !strcasecmp(cfg->origins[i], origin))
			return true;
	hp = strstr(origin, "://");
	if (!hp)
		return false;
	hp += 3;
	if (lws_hdr_copy(wsi, host, sizeof(host), WSI_TOKEN_HOST) > 0 && !strcasecmp(hp, host))
		return true;
	return cfg->origins_localhost && is_localhost(hp);
}

void desk_cookie_token(struct lws *wsi, char tok[HANDOFF_TOKEN_LEN + 1])
{
	char cookie[2048];

	tok[0] = '\0';
	if (lws_hdr_copy(wsi, cookie, sizeof(cookie), WSI_TOKEN_HTTP_COOKIE) <= 0)
		return;
	if (agent_wire_cookie(cookie, DESK_COOKIE, tok, HANDOFF_TOKEN_LEN + 1))
		tok[0] = '\0';
}
