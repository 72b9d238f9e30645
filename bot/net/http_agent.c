/*
 * http_agent.c - the agent sign-in API under /api/agent (docs/agent-protocol.md):
 *   POST /api/agent/login   {"username","password"} -> 200 {"agent"} and the
 *                           HttpOnly SameSite=Strict session cookie; 401; 429
 *                           after 5 failures a minute per address or username
 *   GET  /api/agent/me      200 {"agent"} while the cookie's session is valid, else 401
 *   POST /api/agent/logout  204; the session ends and the cookie is cleared
 * A mount of its own ("agent-api"), so the read-only /api handler stays
 * read-only. Bodies are small JSON, read up to a cap; responses go out as
 * headers, then one body write from HTTP_WRITEABLE.
 */
#include "net/desk.h"

#include "core/kdf.h"
#include "core/log.h"
#include "net/server_int.h"
#include "proto/agent_wire.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AGENT_API_BODY 8192     /* bytes of a sign-in body accepted */
#define HTTP_TOO_MANY_REQUESTS 429   /* lws 4.1 has no name for it */

struct agent_api_pss {
	char path[32];
	char *body;              /* the request body, owned */
	size_t body_len;
	bool too_big, answered;
	unsigned char *resp;     /* LWS_PRE + len bytes, owned */
	size_t len;
};

size_t http_agent_pss_size(void)
{
	return sizeof(struct agent_api_pss);
}

static void release(struct agent_api_pss *pss)
{
	if (!pss)
		return;
	free(pss->body);
	pss->body = NULL;
	pss->body_len = 0;
	free(pss->resp);
	pss->resp = NULL;
	pss->len = 0;
}

/*
 * Send status with the JSON body j (freed; NULL: no body) and an optional
 * Set-Cookie value. Returns 0, or non-zero to close.
 */
static int respond(struct lws *wsi, struct agent_api_pss *pss, unsigned status, cJSON *j, const char *cookie)
{
	unsigned char hb[LWS_PRE + LWS_RECOMMENDED_MIN_HEADER_SPACE], *start = &hb[LWS_PRE], *p = start,
		*end = &hb[sizeof(hb) - 1];
	char *body = j ? cJSON_PrintUnformatted(j) : NULL;

	cJSON_Delete(j);
	pss->answered = true;
	free(pss->resp);
	pss->resp = NULL;
	pss->len = body ? strlen(body) : 0;
	if (body) {
		pss->resp = malloc(LWS_PRE + pss->len + 1);
		if (!pss->resp) {
			cJSON_free(body);
			return 1;
		}
		memcpy(pss->resp + LWS_PRE, body, pss->len + 1);
		cJSON_free(body);
	}
	if (lws_add_http_common_headers(wsi, status, body ? "application/json" : NULL, pss->len, &p, end) ||
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL, (const unsigned char *)"no-store", 8, &p, end) ||
	    (cookie && lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_SET_COOKIE, (const unsigned char *)cookie,
						     (int)strlen(cookie), &p, end)) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return 1;
	if (!pss->resp)
		return lws_http_transaction_completed(wsi);
	lws_callback_on_writable(wsi);
	return 0;
}

static int respond_error(struct lws *wsi, struct agent_api_pss *pss, unsigned status, const char *code,
			 long long retry_after_ms)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "error", code);
	if (retry_after_ms >= 0)
		cJSON_AddNumberToObject(j, "retry_after_ms", (double)retry_after_ms);
	return respond(wsi, pss, status, j, NULL);
}

static int respond_agent(struct lws *wsi, struct agent_api_pss *pss, const struct handoff_agent *a, const char *cookie)
{
	cJSON *j = cJSON_CreateObject();

	if (!j || !cJSON_AddItemToObject(j, "agent", agent_wire_agent(a))) {
		cJSON_Delete(j);
		return respond_error(wsi, pss, HTTP_STATUS_INTERNAL_SERVER_ERROR, "internal", -1);
	}
	return respond(wsi, pss, HTTP_STATUS_OK, j, cookie);
}

/* The session cookie, or one that clears it (token NULL). */
static void cookie_value(struct server *srv, const char *token, char *out, size_t size)
{
	snprintf(out, size, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", DESK_COOKIE, token ? token : "",
		 token ? 12 * 3600 : 0, srv->tls ? "; Secure" : "");
}

static int login(struct lws *wsi, struct agent_api_pss *pss)
{
	struct server *srv = server_of(wsi);
	struct desk *d = srv->desk;
	char user[LIM_ID + 1], *pass = NULL, tok[HANDOFF_TOKEN_LEN + 1], ip[64], k_ip[80], k_user[80], cookie[256];
	int64_t now = desk_now(), r1 = 0, r2 = 0;
	int rc;

	if (pss->too_big)
		return respond_error(wsi, pss, HTTP_STATUS_REQ_ENTITY_TOO_LARGE, "too_large", -1);
	if (!desk_origin_ok(srv, wsi))
		return respond_error(wsi, pss, HTTP_STATUS_FORBIDDEN, "origin_not_allowed", -1);
	pass = calloc(1, KDF_PASSWORD_MAX + 1);
	if (!pass)
		return respond_error(wsi, pss, HTTP_STATUS_INTERNAL_SERVER_ERROR, "internal", -1);
	if (agent_wire_login_decode(pss->body, pss->body_len, user, pass)) {
		free(pass);
		return respond_error(wsi, pss, HTTP_STATUS_BAD_REQUEST, "bad_request", -1);
	}
	desk_client_ip(srv, wsi, ip, sizeof(ip));
	snprintf(k_ip, sizeof(k_ip), "ip:%s", ip);
	snprintf(k_user, sizeof(k_user), "user:%s", user);
	if (!attempts_allowed(d->login_fails, k_ip, now, &r1) || !attempts_allowed(d->login_fails, k_user, now, &r2)) {
		memset(pass, 0, KDF_PASSWORD_MAX + 1);
		free(pass);
		log_notice("agent: sign-in as %s from %s refused: too many failures", user, ip);
		return respond_error(wsi, pss, HTTP_TOO_MANY_REQUESTS, "rate_limited", r1 > r2 ? r1 : r2);
	}
	rc = handoff_login(d->h, user, pass, now, tok);
	memset(pass, 0, KDF_PASSWORD_MAX + 1);
	free(pass);
	if (rc == -EACCES) {
		attempts_fail(d->login_fails, k_ip, now);
		attempts_fail(d->login_fails, k_user, now);
		log_notice("agent: sign-in as %s from %s failed", user, ip);
		return respond_error(wsi, pss, HTTP_STATUS_UNAUTHORIZED, "bad_credentials", -1);
	}
	if (rc) {
		log_err("agent: sign-in as %s failed: %s", user, strerror(-rc));
		return respond_error(wsi, pss, HTTP_STATUS_INTERNAL_SERVER_ERROR, "internal", -1);
	}
	attempts_reset(d->login_fails, k_user);
	attempts_reset(d->login_fails, k_ip);
	log_notice("agent: %s signed in from %s", user, ip);
	cookie_value(srv, tok, cookie, sizeof(cookie));
	rc = respond_agent(wsi, pss, handoff_agent_find(d->h, user), cookie);
	memset(tok, 0, sizeof(tok));
	memset(cookie, 0, sizeof(cookie));
	return rc;
}

static int me(struct lws *wsi, struct agent_api_pss *pss)
{
	struct server *srv = server_of(wsi);
	struct desk *d = srv->desk;
	char tok[HANDOFF_TOKEN_LEN + 1], agent[LIM_ID + 1];
	const struct handoff_agent *a;

	desk_cookie_token(wsi, tok);
	if (!tok[0] || handoff_session(d->h, tok, desk_now(), agent))
		return respond_error(wsi, pss, HTTP_STATUS_UNAUTHORIZED, "signed_out", -1);
	handoff_agent_reload(d->h, agent);
	a = handoff_agent_find(d->h, agent);
	if (!a || a->disabled)
		return respond_error(wsi, pss, HTTP_STATUS_UNAUTHORIZED, "signed_out", -1);
	return respond_agent(wsi, pss, a, NULL);
}

static int logout(struct lws *wsi, struct agent_api_pss *pss)
{
	struct server *srv = server_of(wsi);
	char tok[HANDOFF_TOKEN_LEN + 1], cookie[256];

	desk_cookie_token(wsi, tok);
	if (tok[0]) {
		handoff_logout(srv->desk->h, tok);
		ws_agent_close_token(srv, tok);
	}
	cookie_value(srv, NULL, cookie, sizeof(cookie));
	return respond(wsi, pss, HTTP_STATUS_NO_CONTENT, NULL, cookie);
}

/* Answer the request now that its body (if any) is in. */
static int dispatch(struct lws *wsi, struct agent_api_pss *pss)
{
	if (!server_of(wsi)->desk)
		return respond_error(wsi, pss, HTTP_STATUS_SERVICE_UNAVAILABLE, "unavailable", -1);
	if (!strcmp(pss->path, "/login"))
		return login(wsi, pss);
	return logout(wsi, pss);
}

static bool is_post(struct lws *wsi)
{
	return lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0;
}

static long content_length(struct lws *wsi)
{
	char buf[32];

	if (lws_hdr_copy(wsi, buf, sizeof(buf), WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0)
		return 0;
	return strtol(buf, NULL, 10);
}

int http_agent_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct agent_api_pss *pss = user;
	size_t n;
	int rc;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		release(pss);
		memset(pss, 0, sizeof(*pss));
		n = in ? strnlen(in, sizeof(pss->path) - 1) : 0;
		memcpy(pss->path, in ? in : "", n);
		pss->path[n] = '\0';
		if (!strcmp(pss->path, "/me")) {
			if (is_post(wsi))
				rc = respond_error(wsi, pss, HTTP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed", -1);
			else if (!server_of(wsi)->desk)
				rc = respond_error(wsi, pss, HTTP_STATUS_SERVICE_UNAVAILABLE, "unavailable", -1);
			else
				rc = me(wsi, pss);
			return rc ? -1 : 0;
		}
		if (strcmp(pss->path, "/login") && strcmp(pss->path, "/logout"))
			return respond_error(wsi, pss, HTTP_STATUS_NOT_FOUND, "not_found", -1) ? -1 : 0;
		if (!is_post(wsi))
			return respond_error(wsi, pss, HTTP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed", -1) ? -1 : 0;
		if (content_length(wsi) <= 0)
			return dispatch(wsi, pss) ? -1 : 0;
		return 0;   /* wait for the body */

	case LWS_CALLBACK_HTTP_BODY:
		if (!pss || pss->answered || pss->too_big)
			return 0;
		if (pss->body_len + len > AGENT_API_BODY) {
			pss->too_big = true;
			free(pss->body);
			pss->body = NULL;
			pss->body_len = 0;
			return 0;
		}
		{
			char *grown = realloc(pss->body, pss->body_len + len + 1);

			if (!grown)
				return -1;
			pss->body = grown;
			memcpy(pss->body + pss->body_len, in, len);
			pss->body_len += len;
			pss->body[pss->body_len] = '\0';
		}
		return 0;

	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (!pss || pss->answered)
			return 0;
		return dispatch(wsi, pss) ? -1 : 0;

	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (!pss || !pss->resp)
			break;
		rc = lws_write(wsi, pss->resp + LWS_PRE, pss->len, LWS_WRITE_HTTP_FINAL);
		release(pss);
		if (rc < 0)
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
