/*
 * config.c - the configuration table and its JSON file and command-line
 * parsers (nginx-style {key, type, offset, default}). Wiring only: nothing
 * here knows what a key is used for.
 */
#include "config.h"

#include "core/limits.h"
#include "dialog/handoff.h"
#include "dialog/hours.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum cfg_type { CFG_STR, CFG_UINT, CFG_INT, CFG_DOUBLE, CFG_BOOL, CFG_LIST, CFG_JSON };

struct cfg_key {
	const char *name;
	enum cfg_type type;
	size_t off;
	double def;          /* numbers and booleans */
	const char *def_s;   /* strings (NULL: unset) */
	double min, max;
};

#define K(name, type, field, def, def_s, min, max) { name, type, offsetof(struct config, field), def, def_s, min, max }

static const struct cfg_key keys[] = {
	K("bind", CFG_STR, bind, 0, "127.0.0.1", 0, 0),
	K("port", CFG_INT, port, 8080, NULL, 0, 65535),
	K("tls_cert", CFG_STR, tls_cert, 0, NULL, 0, 0),
	K("tls_key", CFG_STR, tls_key, 0, NULL, 0, 0),
	K("kb", CFG_STR, kb, 0, "kb", 0, 0),
	K("intents", CFG_STR, intents, 0, "intents", 0, 0),
	K("web", CFG_STR, web, 0, "web", 0, 0),
	K("data", CFG_STR, data, 0, "var", 0, 0),
	K("ws_path", CFG_STR, ws_path, 0, "/ws", 0, 0),
	K("origins", CFG_LIST, origins, 0, NULL, 0, LIM_ORIGINS),
	K("origins_localhost", CFG_BOOL, origins_localhost, 1, NULL, 0, 1),
	K("trust_proxy", CFG_BOOL, trust_proxy, 0, NULL, 0, 1),
	K("ws_frame_bytes", CFG_UINT, ws_frame_bytes, LIM_WS_MSG, NULL, 256, LIM_WS_MSG_MAX),
	K("msg_text_bytes", CFG_UINT, msg_text_bytes, LIM_MSG_TEXT, NULL, 1, LIM_UTTERANCE),
	K("rate_per_sec", CFG_DOUBLE, rate_per_sec, LIM_RATE_PER_SEC, NULL, 0.01, 10000),
	K("rate_burst", CFG_UINT, rate_burst, LIM_RATE_BURST, NULL, 1, 100000),
	K("rate_strikes", CFG_UINT, rate_strikes, LIM_RATE_STRIKES, NULL, 1, 100000),
	K("conns_per_ip", CFG_UINT, conns_per_ip, LIM_CONNS_PER_IP, NULL, 1, 1000000),
	K("conns_total", CFG_UINT, conns_total, LIM_CONNS_TOTAL, NULL, 1, 1000000),
	K("out_queue_frames", CFG_UINT, out_queue_frames, LIM_OUT_FRAMES, NULL, 2, 100000),
	K("out_queue_bytes", CFG_UINT, out_queue_bytes, LIM_OUT_BYTES, NULL, 4096, 1u << 30),
	K("ping_secs", CFG_UINT, ping_secs, LIM_PING_SECS, NULL, 1, 65535),
	K("idle_timeout_secs", CFG_UINT, idle_timeout_secs, LIM_HANGUP_SECS, NULL, 2, 65535),
	K("sessions_max", CFG_UINT, sessions_max, LIM_SESSIONS, NULL, 1, 10000000),
	K("session_ttl_secs", CFG_UINT, session_ttl_secs, LIM_SESSION_TTL_SECS, NULL, 1, 30 * 86400),
	K("transcript_envelopes", CFG_UINT, transcript_envelopes, LIM_TRANSCRIPT, NULL, 1, 10000),
	K("transcript_bytes", CFG_UINT, transcript_bytes, LIM_TRANSCRIPT_BYTES, NULL, 1024, 1u << 26),
	K("tabs_per_session", CFG_UINT, tabs_per_session, LIM_TABS, NULL, 1, LIM_TABS),
	K("kb_poll_ms", CFG_UINT, kb_poll_ms, LIM_KB_POLL_MS, NULL, 0, 3600000),
	K("suggestions", CFG_UINT, suggestions, 4, NULL, 0, LIM_SUGGESTIONS),
	K("fallbacks_before_human", CFG_UINT, fallbacks_before_human, 2, NULL, 0, 100),
	K("shutdown_ms", CFG_UINT, shutdown_ms, LIM_SHUTDOWN_MS, NULL, 0, 60000),
	K("log_level", CFG_STR, log_level, 0, "notice", 0, 0),
	K("context_secret", CFG_STR, context_secret, 0, NULL, 0, 0),
	K("db", CFG_STR, db, 0, NULL, 0, 0),
	K("handoff_teams", CFG_JSON, handoff_teams, 0, NULL, 0, 0),
	K("agent_grace_secs", CFG_UINT, agent_grace_secs, 60, NULL, 1, 86400),
	K("ticket_after_secs", CFG_UINT, ticket_after_secs, 300, NULL, 1, 7 * 86400),
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static int say(char *err, size_t errlen, int rc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int say(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s);
	char *d = malloc(n + 1);

	if (d)
		memcpy(d, s, n + 1);
	return d;
}

static void *field(struct config *c, const struct cfg_key *k)
{
	return (char *)c + k->off;
}

static const void *cfield(const struct config *c, const struct cfg_key *k)
{
	return (const char *)c + k->off;
}

static void free_list(struct config *c)
{
	for (size_t i = 0; i < c->n_origins; i++)
		free(c->origins[i]);
	free(c->origins);
	c->origins = NULL;
	c->n_origins = 0;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < N_KEYS; i++)
		if (keys[i].type == CFG_STR || keys[i].type == CFG_JSON) {
			char **p = field(c, &keys[i]);

			free(*p);
			*p = NULL;
		}
	free_list(c);
	memset(c, 0, sizeof(*c));
}

static int set_str(struct config *c, const struct cfg_key *k, const char *v)
{
	char **p = field(c, k), *d = NULL;

	if (v && !(d = dup_str(v)))
		return -ENOMEM;
	free(*p);
	*p = d;
	return 0;
}

/* Keep a JSON object as compact text (NULL: unset). */
static int set_json(struct config *c, const struct cfg_key *k, const cJSON *v, char *err, size_t errlen)
{
	char **p = field(c, k), *d = NULL;

	if (v && !(d = cJSON_PrintUnformatted(v)))
		return -ENOMEM;
	if (d && strlen(d) > LIM_HTTP_BODY) {
		cJSON_free(d);
		return say(err, errlen, -E2BIG, "\"%s\" is too large", k->name);
	}
	free(*p);
	*p = NULL;
	if (d) {
		*p = dup_str(d);
		cJSON_free(d);
		if (!*p)
			return -ENOMEM;
	}
	return 0;
}

static int set_num(struct config *c, const struct cfg_key *k, double v, char *err, size_t errlen)
{
	if (isnan(v) || v < k->min || v > k->max)
		return say(err, errlen, -EINVAL, "\"%s\" must be between %g and %g", k->name, k->min, k->max);
	if ((k->type == CFG_UINT || k->type == CFG_INT) && v != floor(v))
		return say(err, errlen, -EINVAL, "\"%s\" must be a whole number", k->name);
	switch (k->type) {
	case CFG_UINT:
		*(unsigned *)field(c, k) = (unsigned)v;
		break;
	case CFG_INT:
		*(int *)field(c, k) = (int)v;
		break;
	case CFG_DOUBLE:
		*(double *)field(c, k) = v;
		break;
	case CFG_BOOL:
		*(bool *)field(c, k) = v != 0;
		break;
	default:
		break;
	}
	return 0;
}

static int list_add(struct config *c, const char *v, size_t len, char *err, size_t errlen)
{
	char **grown, *d;

	if (c->n_origins >= LIM_ORIGINS)
		return say(err, errlen, -E2BIG, "\"origins\" may list at most %d entries", LIM_ORIGINS);
	grown = realloc(c->origins, (c->n_origins + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	c->origins = grown;
	d = malloc(len + 1);
	if (!d)
		return -ENOMEM;
	memcpy(d, v, len);
	d[len] = '\0';
	/* "https://shop.example.com/" and "https://shop.example.com" are the same origin. */
	while (len > 1 && d[len - 1] == '/' && strcmp(d, "*"))
		d[--len] = '\0';
	c->origins[c->n_origins++] = d;
	return 0;
}

int config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct cfg_key *k = &keys[i];

		if (k->type == CFG_STR || k->type == CFG_JSON) {
			if (k->def_s && set_str(c, k, k->def_s)) {
				config_free(c);
				return -ENOMEM;
			}
		} else if (k->type != CFG_LIST && k->type != CFG_JSON) {
			set_num(c, k, k->def, NULL, 0);
		}
	}
	return 0;
}

static const struct cfg_key *find_key(const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

int config_set(struct config *c, const char *name, const char *value, char *err, size_t errlen)
{
	const struct cfg_key *k = find_key(name);
	char *end;
	double v;

	if (!k)
		return say(err, errlen, -ENOENT, "unknown config key \"%s\"", name);
	switch (k->type) {
	case CFG_STR:
		return set_str(c, k, *value ? value : NULL);
	case CFG_JSON: {
		cJSON *j = *value ? cJSON_Parse(value) : NULL;
		int rc;

		if (*value && !cJSON_IsObject(j)) {
			cJSON_Delete(j);
			return say(err, errlen, -EINVAL, "\"%s\" must be a JSON object", name);
		}
		rc = set_json(c, k, j, err, errlen);
		cJSON_Delete(j);
		return rc;
	}
	case CFG_LIST:
		free_list(c);
		while (*value) {
			size_t n = strcspn(value, ",");
			int rc = n ? list_add(c, value, n, err, errlen) : 0;

			if (rc)
				return rc;
			value += n + (value[n] == ',');
		}
		return 0;
	case CFG_BOOL:
		if (!strcmp(value, "true") || !strcmp(value, "1") || !strcmp(value, "yes"))
			return set_num(c, k, 1, err, errlen);
		if (!strcmp(value, "false") || !strcmp(value, "0") || !strcmp(value, "no"))
			return set_num(c, k, 0, err, errlen);
		return say(err, errlen, -EINVAL, "\"%s\" must be true or false", name);
	default:
		errno = 0;
		v = strtod(value, &end);
		if (errno || end == value || *end)
			return say(err, errlen, -EINVAL, "\"%s\" must be a number, not \"%s\"", name, value);
		return set_num(c, k, v, err, errlen);
	}
}

static int apply_json(struct config *c, const struct cfg_key *k, const cJSON *v, char *err, size_t errlen)
{
	switch (k->type) {
	case CFG_JSON:
		if (!cJSON_IsNull(v) && !cJSON_IsObject(v))
			return say(err, errlen, -EINVAL, "\"%s\" must be an object", k->name);
		return set_json(c, k, cJSON_IsNull(v) ? NULL : v, err, errlen);
	case CFG_STR:
		if (cJSON_IsNull(v))
			return set_str(c, k, NULL);
		if (!cJSON_IsString(v))
			return say(err, errlen, -EINVAL, "\"%s\" must be a string", k->name);
		return set_str(c, k, *v->valuestring ? v->valuestring : NULL);
	case CFG_LIST: {
		const cJSON *it;

		if (!cJSON_IsArray(v))
			return say(err, errlen, -EINVAL, "\"%s\" must be an array of strings", k->name);
		free_list(c);
		cJSON_ArrayForEach(it, v) {
			int rc;

			if (!cJSON_IsString(it) || !*it->valuestring)
				return say(err, errlen, -EINVAL, "\"%s\" must be an array of non-empty strings", k->name);
			rc = list_add(c, it->valuestring, strlen(it->valuestring), err, errlen);
			if (rc)
				return rc;
		}
		return 0;
	}
	case CFG_BOOL:
		if (!cJSON_IsBool(v))
			return say(err, errlen, -EINVAL, "\"%s\" must be true or false", k->name);
		return set_num(c, k, cJSON_IsTrue(v), err, errlen);
	default:
		if (!cJSON_IsNumber(v))
			return say(err, errlen, -EINVAL, "\"%s\" must be a number", k->name);
		return set_num(c, k, v->valuedouble, err, errlen);
	}
}

int config_load_file(struct config *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, msg[200];
	cJSON *j = NULL;
	const cJSON *it;
	struct stat st;
	size_t n;
	int rc = 0;

	if (!f)
		return say(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) || st.st_size > (off_t)LIM_HTTP_BODY) {
		rc = say(err, errlen, -EFBIG, "%s: not a regular file of at most %d bytes", path, LIM_HTTP_BODY);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	buf[n] = '\0';
	j = cJSON_ParseWithLength(buf, n);
	if (!cJSON_IsObject(j)) {
		rc = say(err, errlen, -EINVAL, "%s: not a JSON object", path);
		goto out;
	}
	cJSON_ArrayForEach(it, j) {
		const struct cfg_key *k = find_key(it->string);

		if (!k) {
			rc = say(err, errlen, -EINVAL, "%s: unknown key \"%s\" (see docs/config.md)", path, it->string);
			goto out;
		}
		rc = apply_json(c, k, it, msg, sizeof(msg));
		if (rc) {
			say(err, errlen, rc, "%s: %s", path, rc == -ENOMEM ? "out of memory" : msg);
			goto out;
		}
	}
out:
	cJSON_Delete(j);
	free(buf);
	fclose(f);
	return rc;
}

int config_check(const struct config *c, char *err, size_t errlen)
{
	static const char *const levels[] = { "err", "warn", "notice", "info", "debug" };
	bool level_ok = false;

	if (!c->tls_cert != !c->tls_key)
		return say(err, errlen, -EINVAL, "TLS needs both \"tls_cert\" and \"tls_key\"");
	if (!c->kb || !c->web)
		return say(err, errlen, -EINVAL, "\"kb\" and \"web\" must be set");
	if (!c->ws_path || c->ws_path[0] != '/')
		return say(err, errlen, -EINVAL, "\"ws_path\" must start with /");
	if (c->msg_text_bytes + 512 > c->ws_frame_bytes)
		return say(err, errlen, -EINVAL, "\"ws_frame_bytes\" must leave room for the text: at least msg_text_bytes + 512");
	if (c->idle_timeout_secs <= c->ping_secs)
		return say(err, errlen, -EINVAL, "\"idle_timeout_secs\" must be longer than \"ping_secs\"");
	if (c->conns_per_ip > c->conns_total)
		return say(err, errlen, -EINVAL, "\"conns_per_ip\" cannot exceed \"conns_total\"");
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		level_ok |= c->log_level && !strcmp(c->log_level, levels[i]);
	if (!level_ok)
		return say(err, errlen, -EINVAL, "\"log_level\" must be err, warn, notice, info or debug");
	return config_teams(c, NULL, NULL, err, errlen);
}

/* ---- hand-off teams ---- */

static bool team_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= HANDOFF_CODE_LEN && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* One team's object into *h. */
static int team_hours(const char *team, const cJSON *t, struct handoff_hours *h, char *err, size_t errlen)
{
	const cJSON *it, *hours = NULL;

	memset(h, 0, sizeof(*h));
	h->always = true;
	if (!cJSON_IsObject(t))
		return say(err, errlen, -EINVAL, "\"handoff_teams\".\"%s\" must be an object", team);
	cJSON_ArrayForEach(it, t) {
		if (!strcmp(it->string, "utc_offset")) {
			if (!cJSON_IsString(it) || hours_parse_offset(it->valuestring, &h->utc_offset_min))
				return say(err, errlen, -EINVAL,
					   "\"handoff_teams\".\"%s\".\"utc_offset\" must be like \"+08:00\" or \"UTC\"", team);
		} else if (!strcmp(it->string, "hours")) {
			hours = it;
		} else {
			return say(err, errlen, -EINVAL, "\"handoff_teams\".\"%s\": unknown key \"%s\" (utc_offset, hours)",
				   team, it->string);
		}
	}
	if (!hours || (cJSON_IsString(hours) && !strcmp(hours->valuestring, "always")))
		return 0;
	if (!cJSON_IsObject(hours))
		return say(err, errlen, -EINVAL,
			   "\"handoff_teams\".\"%s\".\"hours\" must be \"always\" or an object like {\"mon-fri\": \"09:00-18:00\"}",
			   team);
	h->always = false;
	cJSON_ArrayForEach(it, hours) {
		unsigned mask;
		uint16_t open, close;

		if (hours_parse_days(it->string, &mask))
			return say(err, errlen, -EINVAL,
				   "\"handoff_teams\".\"%s\".\"hours\": \"%s\" is not days like \"mon-fri\" or \"sat,sun\"", team,
				   it->string);
		if (!cJSON_IsString(it) || hours_parse_span(it->valuestring, &open, &close))
			return say(err, errlen, -EINVAL,
				   "\"handoff_teams\".\"%s\".\"hours\".\"%s\" must be like \"09:00-18:00\" or \"closed\"", team,
				   it->string);
		hours_apply(h, mask, open, close);
	}
	return 0;
}

int config_teams(const struct config *c, int (*fn)(void *arg, const char *team, const struct handoff_hours *hours),
		 void *arg, char *err, size_t errlen)
{
	const cJSON *t;
	cJSON *j;
	int rc = 0;

	if (!c->handoff_teams)
		return 0;
	j = cJSON_Parse(c->handoff_teams);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return say(err, errlen, -EINVAL, "\"handoff_teams\" must be an object");
	}
	cJSON_ArrayForEach(t, j) {
		struct handoff_hours h;

		if (!team_name_ok(t->string)) {
			rc = say(err, errlen, -EINVAL, "\"handoff_teams\": \"%.40s\" is not a team name ([a-z0-9_-], at most %d)",
				 t->string, HANDOFF_CODE_LEN);
			break;
		}
		rc = team_hours(t->string, t, &h, err, errlen);
		if (!rc && fn)
			rc = fn(arg, t->string, &h);
		if (rc)
			break;
	}
	cJSON_Delete(j);
	return rc;
}

int config_db_path(const struct config *c, char *out, size_t size)
{
	int n = c->db ? snprintf(out, size, "%s", c->db) : snprintf(out, size, "%s/faqbot.db", c->data ? c->data : "var");

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

void config_print(const struct config *c, FILE *out)
{
	cJSON *j = cJSON_CreateObject();
	char *s;

	if (!j)
		return;
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct cfg_key *k = &keys[i];
		const void *p = cfield(c, k);

		switch (k->type) {
		case CFG_STR:
			if (*(char *const *)p && !strcmp(k->name, "context_secret"))
				cJSON_AddStringToObject(j, k->name, **(char *const *)p ? "(set)" : "");
			else if (*(char *const *)p)
				cJSON_AddStringToObject(j, k->name, *(char *const *)p);
			else
				cJSON_AddNullToObject(j, k->name);
			break;
		case CFG_LIST:
			cJSON_AddItemToObject(j, k->name,
					      cJSON_CreateStringArray((const char *const *)c->origins, (int)c->n_origins));
			break;
		case CFG_JSON:
			if (*(char *const *)p)
				cJSON_AddItemToObject(j, k->name, cJSON_Parse(*(char *const *)p));
			else
				cJSON_AddNullToObject(j, k->name);
			break;
		case CFG_BOOL:
			cJSON_AddBoolToObject(j, k->name, *(const bool *)p);
			break;
		case CFG_UINT:
			cJSON_AddNumberToObject(j, k->name, *(const unsigned *)p);
			break;
		case CFG_INT:
			cJSON_AddNumberToObject(j, k->name, *(const int *)p);
			break;
		case CFG_DOUBLE:
			cJSON_AddNumberToObject(j, k->name, *(const double *)p);
			break;
		}
	}
	s = cJSON_Print(j);
	if (s)
		fprintf(out, "%s\n", s);
	cJSON_free(s);
	cJSON_Delete(j);
}
