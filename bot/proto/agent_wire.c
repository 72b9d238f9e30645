/*
 * agent_wire.c - decode console frames and encode the server's envelopes of
 * the faq-agent protocol with cJSON (agent_wire.h). Strings from the
 * console are checked for UTF-8 (cJSON does not) and bounded before they
 * are copied.
 */
#include "proto/agent_wire.h"
#include "proto/jsonout.h"

#include "core/str.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- decoding ---- */

static int fail(struct agent_wire_error *err, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct agent_wire_error *err, const char *code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void agent_wire_in_clear(struct agent_wire_in *in)
{
	if (!in)
		return;
	free(in->text);
	free(in->question);
	free(in->answer);
	memset(in, 0, sizeof(*in));
}

enum need { OPTIONAL = 0, REQUIRED = 1 };

/* Copy string field name (at most size - 1 bytes). Returns 1 copied, 0 absent and optional, -EINVAL. */
static int get_str(const cJSON *obj, const char *name, enum need need, char *dst, size_t size,
		   struct agent_wire_error *err)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
	size_t n;

	dst[0] = '\0';
	if (!it || cJSON_IsNull(it)) {
		if (need == REQUIRED)
			return fail(err, AGENT_E_MISSING_FIELD, "the field \"%s\" is missing", name);
		return 0;
	}
	if (!cJSON_IsString(it) || !it->valuestring)
		return fail(err, AGENT_E_BAD_FIELD, "the field \"%s\" must be a string", name);
	n = strlen(it->valuestring);
	if (n >= size)
		return fail(err, AGENT_E_BAD_FIELD, "the field \"%s\" is longer than %zu bytes", name, size - 1);
	if (!str_utf8_valid(it->valuestring, n, NULL))
		return fail(err, AGENT_E_BAD_FIELD, "the field \"%s\" is not valid UTF-8", name);
	memcpy(dst, it->valuestring, n + 1);
	return 1;
}

/* A required text of 1..max bytes, not only white space, into a malloc'd copy. */
static int get_text(const cJSON *obj, const char *name, size_t max, char **dst, size_t *dlen,
		    struct agent_wire_error *err)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
	size_t n;

	if (!it || cJSON_IsNull(it))
		return fail(err, AGENT_E_MISSING_FIELD, "the field \"%s\" is missing", name);
	if (!cJSON_IsString(it) || !it->valuestring)
		return fail(err, AGENT_E_BAD_FIELD, "the field \"%s\" must be a string", name);
	n = strlen(it->valuestring);
	if (!n || !it->valuestring[strspn(it->valuestring, " \t\r\n")])
		return fail(err, AGENT_E_BAD_FIELD, "the field \"%s\" is empty", name);
	if (n > max)
		return fail(err, AGENT_E_BAD_FIELD, "the field \"%s\" is %zu bytes; at most %zu are accepted", name, n, max);
	if (!str_utf8_valid(it->valuestring, n, NULL))
		return fail(err, AGENT_E_BAD_FIELD, "the field \"%s\" is not valid UTF-8", name);
	*dst = malloc(n + 1);
	if (!*dst)
		return -ENOMEM;
	memcpy(*dst, it->valuestring, n + 1);
	if (dlen)
		*dlen = n;
	return 0;
}

/* [a-z0-9_-], 1..32 bytes: team names and resolution codes. */
static bool is_code(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= HANDOFF_CODE_LEN && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static const struct {
	const char *name;
	enum agent_wire_type type;
} types[] = {
	{ "claim", AGENT_WIRE_CLAIM },        { "agent_msg", AGENT_WIRE_MSG },
	{ "agent_typing", AGENT_WIRE_TYPING }, { "transfer", AGENT_WIRE_TRANSFER },
	{ "return_to_bot", AGENT_WIRE_RETURN }, { "close", AGENT_WIRE_CLOSE },
	{ "propose_kb_entry", AGENT_WIRE_PROPOSE }, { "kb_search", AGENT_WIRE_KB_SEARCH },
};

static int decode_fields(const cJSON *j, size_t max_text, struct agent_wire_in *out, struct agent_wire_error *err)
{
	const cJSON *on;
	int rc;

	/* conv is required except for claim (next) and kb_search (no chat). */
	rc = get_str(j, "conv", out->type == AGENT_WIRE_CLAIM || out->type == AGENT_WIRE_KB_SEARCH ? OPTIONAL : REQUIRED,
		     out->conv, sizeof(out->conv), err);
	if (rc < 0)
		return rc;
	switch (out->type) {
	case AGENT_WIRE_CLAIM:
	case AGENT_WIRE_RETURN:
		return 0;
	case AGENT_WIRE_MSG:
		if ((rc = get_str(j, "id", OPTIONAL, out->id, sizeof(out->id), err)) < 0)
			return rc;
		return get_text(j, "text", max_text, &out->text, &out->text_len, err);
	case AGENT_WIRE_TYPING:
		on = cJSON_GetObjectItemCaseSensitive(j, "on");
		if (!on)
			return fail(err, AGENT_E_MISSING_FIELD, "the field \"on\" is missing");
		if (!cJSON_IsBool(on))
			return fail(err, AGENT_E_BAD_FIELD, "the field \"on\" must be true or false");
		out->on = cJSON_IsTrue(on);
		return 0;
	case AGENT_WIRE_TRANSFER:
		if ((rc = get_str(j, "team", REQUIRED, out->team, sizeof(out->team), err)) < 0)
			return rc;
		if (!is_code(out->team))
			return fail(err, AGENT_E_BAD_FIELD, "the field \"team\" must be a team name ([a-z0-9_-], at most 32)");
		return 0;
	case AGENT_WIRE_CLOSE:
		if ((rc = get_str(j, "resolution", REQUIRED, out->resolution, sizeof(out->resolution), err)) < 0)
			return rc;
		if (!is_code(out->resolution))
			return fail(err, AGENT_E_BAD_FIELD, "the field \"resolution\" must be a code ([a-z0-9_], at most 32)");
		return 0;
	case AGENT_WIRE_PROPOSE:
		if ((rc = get_text(j, "question", LIM_HANDOFF_DRAFT, &out->question, NULL, err)) < 0 ||
		    (rc = get_text(j, "answer", LIM_HANDOFF_DRAFT, &out->answer, NULL, err)) < 0 ||
		    (rc = get_str(j, "lang", OPTIONAL, out->lang, sizeof(out->lang), err)) < 0 ||
		    (rc = get_str(j, "scene", OPTIONAL, out->scene, sizeof(out->scene), err)) < 0)
			return rc;
		return 0;
	case AGENT_WIRE_KB_SEARCH:
		return get_text(j, "text", max_text, &out->text, &out->text_len, err);
	}
	return 0;
}

int agent_wire_decode(const char *buf, size_t len, size_t max_text, struct agent_wire_in *out,
		      struct agent_wire_error *err)
{
	const cJSON *v, *t;
	cJSON *j = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	if (!str_utf8_valid(buf, len, NULL)) {
		rc = fail(err, AGENT_E_BAD_JSON, "the frame is not valid UTF-8");
		goto out;
	}
	j = cJSON_ParseWithLength(buf, len);
	if (!cJSON_IsObject(j)) {
		rc = fail(err, AGENT_E_BAD_JSON, "the frame is not a JSON object");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "v");
	if (!cJSON_IsNumber(v) || v->valuedouble != AGENT_WIRE_VERSION) {
		rc = fail(err, AGENT_E_BAD_VERSION, "\"v\" must be %d", AGENT_WIRE_VERSION);
		goto out;
	}
	t = cJSON_GetObjectItemCaseSensitive(j, "type");
	if (!cJSON_IsString(t) || !t->valuestring) {
		rc = fail(err, AGENT_E_MISSING_FIELD, "the field \"type\" is missing");
		goto out;
	}
	rc = -EINVAL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(t->valuestring, types[i].name)) {
			out->type = types[i].type;
			out->type_name = types[i].name;
			err->type_name = types[i].name;
			rc = 0;
		}
	if (rc) {
		rc = fail(err, AGENT_E_BAD_TYPE, "unknown type \"%.60s\"", str_utf8_valid(t->valuestring, strlen(t->valuestring),
											    NULL) ? t->valuestring : "?");
		goto out;
	}
	rc = decode_fields(j, max_text, out, err);
	if (rc == -ENOMEM)
		fail(err, AGENT_E_INTERNAL, "out of memory");
out:
	cJSON_Delete(j);
	if (rc) {
		const char *tn = err->type_name;

		agent_wire_in_clear(out);
		err->type_name = tn;
	}
	return rc;
}

/* ---- encoding ---- */

void agent_wire_free(char *env)
{
	cJSON_free(env);
}

static bool add_str(cJSON *j, const char *name, const char *s)
{
	return cJSON_AddStringToObject(j, name, s ? s : "") != NULL;
}

static bool add_num(cJSON *j, const char *name, double v)
{
	return cJSON_AddNumberToObject(j, name, v) != NULL;
}

/* "a,b" -> ["a", "b"] */
static cJSON *team_list(const char *teams)
{
	cJSON *a = cJSON_CreateArray();
	const char *p = teams;

	while (a && p && *p) {
		size_t n = strcspn(p, ",");
		char name[LIM_HANDOFF_TEAM + 1];

		if (n && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			cJSON_AddItemToArray(a, cJSON_CreateString(name));
		}
		p += n + (p[n] == ',');
	}
	return a;
}

cJSON *agent_wire_agent(const struct handoff_agent *a)
{
	cJSON *j = cJSON_CreateObject();
	bool ok = j && add_str(j, "username", a->username) && add_str(j, "name", a->name) &&
		  cJSON_AddItemToObject(j, "teams", team_list(a->teams)) && add_num(j, "capacity", a->capacity);

	if (!ok) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

static cJSON *str_array(const char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a && i < n; i++)
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(v[i]))) {
			cJSON_Delete(a);
			return NULL;
		}
	return a;
}

char *agent_wire_hello(const struct handoff_agent *a, const char *const *teams, size_t n_teams,
		       const char *const *resolutions, size_t n_res, size_t *len)
{
	cJSON *j = jout_envelope("hello", AGENT_WIRE_VERSION);
	bool ok = j && cJSON_AddItemToObject(j, "agent", agent_wire_agent(a)) &&
		  cJSON_AddItemToObject(j, "teams", str_array(teams, n_teams)) &&
		  cJSON_AddItemToObject(j, "resolutions", str_array(resolutions, n_res));

	return jout_finish(j, ok, len);
}

char *agent_wire_queue(uint64_t version, const struct handoff_queue_item *waiting, size_t n_waiting, size_t total,
		       const struct handoff_conv *const *mine, size_t n_mine, size_t *len)
{
	cJSON *j = jout_envelope("queue", AGENT_WIRE_VERSION), *w, *m;
	bool ok = j && add_num(j, "version", (double)version) && (w = cJSON_AddArrayToObject(j, "waiting")) &&
		  add_num(j, "total", (double)total) && (m = cJSON_AddArrayToObject(j, "mine"));

	if (n_waiting > AGENT_WIRE_QUEUE_MAX)
		n_waiting = AGENT_WIRE_QUEUE_MAX;
	for (size_t i = 0; ok && i < n_waiting; i++) {
		const struct handoff_conv *c = waiting[i].conv;
		cJSON *it = cJSON_CreateObject();

		ok = it && cJSON_AddItemToArray(w, it) && add_str(it, "conv", c->id) &&
		     add_str(it, "customer_name", c->customer_name) && add_str(it, "lang", c->lang) &&
		     add_str(it, "scene", c->scene) && add_str(it, "team", c->team) &&
		     add_str(it, "reason", handoff_reason_name(c->reason)) && add_num(it, "priority", c->priority) &&
		     cJSON_AddBoolToObject(it, "vip", c->vip) && add_str(it, "summary", c->summary) &&
		     add_num(it, "position", (double)waiting[i].position) &&
		     add_num(it, "waited_ms", (double)waiting[i].waited_ms);
	}
	for (size_t i = 0; ok && i < n_mine; i++) {
		const struct handoff_conv *c = mine[i];
		cJSON *it = cJSON_CreateObject();

		ok = it && cJSON_AddItemToArray(m, it) && add_str(it, "conv", c->id) &&
		     add_str(it, "customer_name", c->customer_name) && add_str(it, "lang", c->lang) &&
		     add_str(it, "scene", c->scene) && add_str(it, "summary", c->summary) &&
		     add_num(it, "assigned_at", (double)c->assigned_at);
	}
	return jout_finish(j, ok, len);
}

char *agent_wire_claimed(const char *conv, size_t *len)
{
	cJSON *j = jout_envelope("claimed", AGENT_WIRE_VERSION);

	return jout_finish(j, j && add_str(j, "conv", conv), len);
}

char *agent_wire_claim_failed(const char *conv, const char *code, const char *message, size_t *len)
{
	cJSON *j = jout_envelope("claim_failed", AGENT_WIRE_VERSION);
	bool ok = j && (conv ? add_str(j, "conv", conv) : cJSON_AddNullToObject(j, "conv") != NULL) &&
		  add_str(j, "code", code) && add_str(j, "message", message);

	return jout_finish(j, ok, len);
}

cJSON *agent_wire_case_file_begin(const char *conv, const char *casefile, size_t cf_len, size_t *skip)
{
	cJSON *j = jout_envelope("case_file", AGENT_WIRE_VERSION), *cf = NULL;
	const cJSON *t, *d;
	bool ok;

	*skip = 0;
	if (casefile) {
		cf = cJSON_ParseWithLength(casefile, cf_len);
		if (!cJSON_IsObject(cf)) {
			cJSON_Delete(cf);
			cf = NULL;
		}
	}
	if (cf) {
		t = cJSON_GetObjectItemCaseSensitive(cf, "transcript");
		d = cJSON_GetObjectItemCaseSensitive(cf, "transcript_dropped");
		*skip = (size_t)cJSON_GetArraySize(t) + (cJSON_IsNumber(d) && d->valuedouble > 0 ? (size_t)d->valuedouble : 0);
	}
	ok = j && add_str(j, "conv", conv) &&
	     (cf ? cJSON_AddItemToObject(j, "case", cf) : cJSON_AddNullToObject(j, "case") != NULL);
	if (!ok && cf && !cJSON_GetObjectItemCaseSensitive(j, "case"))
		cJSON_Delete(cf);
	if (!ok || !cJSON_AddArrayToObject(j, "transcript")) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

static cJSON *msg_json(const struct handoff_msg *m)
{
	cJSON *it = cJSON_CreateObject();
	bool ok = it && add_str(it, "from", handoff_from_name(m->from)) && add_str(it, "author", m->author) &&
		  jout_add_strn(it, "text", m->text, m->text_len) && add_num(it, "at", (double)m->at);

	if (!ok) {
		cJSON_Delete(it);
		return NULL;
	}
	return it;
}

int agent_wire_case_file_add(cJSON *b, const struct handoff_msg *m)
{
	cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "transcript"), *it = msg_json(m);

	if (!it || !cJSON_AddItemToArray(t, it)) {
		cJSON_Delete(it);
		return -ENOMEM;
	}
	return 0;
}

char *agent_wire_case_file_finish(cJSON *b, size_t *len)
{
	return jout_finish(b, b != NULL, len);
}

char *agent_wire_customer_msg(const char *conv, const char *id, const char *text, size_t text_len, int64_t at,
			      size_t *len)
{
	cJSON *j = jout_envelope("customer_msg", AGENT_WIRE_VERSION);
	bool ok = j && add_str(j, "conv", conv) && add_str(j, "id", id) && jout_add_strn(j, "text", text, text_len) &&
		  add_num(j, "at", (double)at);

	return jout_finish(j, ok, len);
}

char *agent_wire_agent_msg(const char *conv, const char *id, const char *text, size_t text_len, int64_t at,
			   const char *author, size_t *len)
{
	cJSON *j = jout_envelope("agent_msg", AGENT_WIRE_VERSION);
	bool ok = j && add_str(j, "conv", conv) && add_str(j, "id", id) && jout_add_strn(j, "text", text, text_len) &&
		  add_num(j, "at", (double)at) && add_str(j, "author", author);

	return jout_finish(j, ok, len);
}

char *agent_wire_typing(const char *conv, bool on, size_t *len)
{
	cJSON *j = jout_envelope("typing", AGENT_WIRE_VERSION);

	return jout_finish(j, j && add_str(j, "conv", conv) && cJSON_AddBoolToObject(j, "on", on), len);
}

char *agent_wire_suggestions(const char *conv, const char *for_, const struct handoff_suggestion *items, size_t n,
			     size_t *len)
{
	cJSON *j = jout_envelope("kb_suggestions", AGENT_WIRE_VERSION), *a;
	bool ok = j && (conv && *conv ? add_str(j, "conv", conv) : cJSON_AddNullToObject(j, "conv") != NULL) &&
		  add_str(j, "for", for_) && (a = cJSON_AddArrayToObject(j, "items"));

	for (size_t i = 0; ok && i < n; i++) {
		cJSON *it = cJSON_CreateObject();

		ok = it && cJSON_AddItemToArray(a, it) && add_str(it, "entry", items[i].entry) &&
		     add_str(it, "question", items[i].question) && add_str(it, "answer", items[i].answer) &&
		     add_num(it, "score", (double)(int)(items[i].score * 1000 + 0.5f) / 1000.0);
	}
	return jout_finish(j, ok, len);
}

char *agent_wire_released(const char *conv, const char *why, size_t *len)
{
	cJSON *j = jout_envelope("released", AGENT_WIRE_VERSION);

	return jout_finish(j, j && add_str(j, "conv", conv) && add_str(j, "why", why), len);
}

char *agent_wire_proposed(const char *conv, int64_t draft, size_t *len)
{
	cJSON *j = jout_envelope("proposed", AGENT_WIRE_VERSION);

	return jout_finish(j, j && add_str(j, "conv", conv) && add_num(j, "draft", (double)draft), len);
}

char *agent_wire_error(const char *code, const char *message, const char *reply_to, size_t *len)
{
	cJSON *j = jout_envelope("error", AGENT_WIRE_VERSION);
	bool ok = j && add_str(j, "code", code) && add_str(j, "message", message) &&
		  (!reply_to || add_str(j, "reply_to", reply_to));

	return jout_finish(j, ok, len);
}

/* ---- the sign-in API ---- */

int agent_wire_login_decode(const char *buf, size_t len, char user[LIM_ID + 1], char pass[KDF_PASSWORD_MAX + 1])
{
	struct agent_wire_error err;
	cJSON *j = NULL;
	int rc = -EINVAL;

	user[0] = pass[0] = '\0';
	if (!buf || !str_utf8_valid(buf, len, NULL))
		return -EINVAL;
	j = cJSON_ParseWithLength(buf, len);
	if (cJSON_IsObject(j) && get_str(j, "username", REQUIRED, user, LIM_ID + 1, &err) == 1 &&
	    get_str(j, "password", REQUIRED, pass, KDF_PASSWORD_MAX + 1, &err) == 1 && user[0] && pass[0])
		rc = 0;
	cJSON_Delete(j);
	if (rc) {
		user[0] = '\0';
		memset(pass, 0, KDF_PASSWORD_MAX + 1);
	}
	return rc;
}

int agent_wire_cookie(const char *header, const char *name, char *out, size_t size)
{
	size_t nl = strlen(name);
	const char *p = header;

	out[0] = '\0';
	while (p && *p) {
		size_t vl;

		p += strspn(p, " \t;");
		if (!strncmp(p, name, nl) && p[nl] == '=') {
			p += nl + 1;
			vl = strcspn(p, ";");
			while (vl && (p[vl - 1] == ' ' || p[vl - 1] == '\t'))
				vl--;
			if (vl >= 2 && p[0] == '"' && p[vl - 1] == '"') {
				p++;
				vl -= 2;
			}
			if (vl >= size)
				return -E2BIG;
			memcpy(out, p, vl);
			out[vl] = '\0';
			return 0;
		}
		p = strchr(p, ';');
	}
	return -ENOENT;
}
