/*
 * wire.c - decode client envelopes and encode server envelopes with cJSON.
 * Input is checked for UTF-8 before parsing (cJSON does not), and every
 * string is bounded before it is copied.
 */
#include "proto/wire.h"
#include "proto/jsonout.h"

#include "core/str.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- decoding ---- */

static int fail(struct wire_error *err, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct wire_error *err, const char *code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void wire_in_clear(struct wire_in *in)
{
	if (!in)
		return;
	free(in->context);
	free(in->text);
	memset(in, 0, sizeof(*in));
}

bool wire_parse_msg_id(const char *s, uint32_t *n)
{
	uint64_t v = 0;

	if (!s || s[0] != 's' || s[1] != '-' || s[2] < '1' || s[2] > '9')
		return false;
	for (s += 2; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*n = (uint32_t)v;
	return true;
}

enum need { OPTIONAL = 0, REQUIRED = 1 };

/*
 * Copy the string field name of obj into dst (size bytes with the NUL). Returns
 * 1 when copied, 0 when absent (or null) and optional, -EINVAL with err set.
 */
static int get_str(const cJSON *obj, const char *name, enum need need, char *dst, size_t size, struct wire_error *err)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
	size_t n;

	dst[0] = '\0';
	if (!it || cJSON_IsNull(it)) {
		if (need == REQUIRED)
			return fail(err, WIRE_E_MISSING_FIELD, "the field \"%s\" is missing", name);
		return 0;
	}
	if (!cJSON_IsString(it) || !it->valuestring)
		return fail(err, WIRE_E_BAD_FIELD, "the field \"%s\" must be a string", name);
	n = strlen(it->valuestring);
	if (n >= size)
		return fail(err, WIRE_E_BAD_FIELD, "the field \"%s\" is longer than %zu bytes", name, size - 1);
	if (!str_utf8_valid(it->valuestring, n, NULL))
		return fail(err, WIRE_E_BAD_UTF8, "the field \"%s\" is not valid UTF-8", name);
	memcpy(dst, it->valuestring, n + 1);
	return 1;
}

/* The optional "context" object, as compact JSON. */
static int decode_context(const cJSON *j, struct wire_in *out, struct wire_error *err)
{
	const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(j, "context");

	if (ctx && !cJSON_IsNull(ctx)) {
		if (!cJSON_IsObject(ctx))
			return fail(err, WIRE_E_BAD_FIELD, "the field \"context\" must be an object");
		out->context = cJSON_PrintUnformatted(ctx);
		if (!out->context)
			return -ENOMEM;
		if (strlen(out->context) > LIM_CONTEXT_BYTES)
			return fail(err, WIRE_E_BAD_FIELD, "the field \"context\" is larger than %d bytes", LIM_CONTEXT_BYTES);
	}
	return 0;
}

static int decode_hello(const cJSON *j, struct wire_in *out, struct wire_error *err)
{
	int rc;

	if ((rc = get_str(j, "token", OPTIONAL, out->token, sizeof(out->token), err)) < 0 ||
	    (rc = get_str(j, "lang", OPTIONAL, out->lang, sizeof(out->lang), err)) < 0 ||
	    (rc = get_str(j, "scene", OPTIONAL, out->scene, sizeof(out->scene), err)) < 0)
		return rc;
	return decode_context(j, out, err);
}

static int decode_scene(const cJSON *j, struct wire_in *out, struct wire_error *err)
{
	int rc = get_str(j, "scene", REQUIRED, out->scene, sizeof(out->scene), err);

	return rc < 0 ? rc : decode_context(j, out, err);
}

static int decode_message(const cJSON *j, size_t max_text, struct wire_in *out, struct wire_error *err)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "text");
	size_t n;
	int rc;

	if ((rc = get_str(j, "id", OPTIONAL, out->id, sizeof(out->id), err)) < 0)
		return rc;
	if (!t || cJSON_IsNull(t))
		return fail(err, WIRE_E_MISSING_FIELD, "the field \"text\" is missing");
	if (!cJSON_IsString(t) || !t->valuestring)
		return fail(err, WIRE_E_BAD_FIELD, "the field \"text\" must be a string");
	n = strlen(t->valuestring);
	if (!n || !t->valuestring[strspn(t->valuestring, " \t\r\n")])
		return fail(err, WIRE_E_BAD_FIELD, "the field \"text\" is empty");
	if (n > max_text)
		return fail(err, WIRE_E_TOO_LONG, "the text is %zu bytes; at most %zu are accepted", n, max_text);
	if (!str_utf8_valid(t->valuestring, n, NULL))
		return fail(err, WIRE_E_BAD_UTF8, "the field \"text\" is not valid UTF-8");
	out->text = malloc(n + 1);
	if (!out->text)
		return -ENOMEM;
	memcpy(out->text, t->valuestring, n + 1);
	out->text_len = n;
	return 0;
}

static int decode_reply_to(const cJSON *j, struct wire_in *out, struct wire_error *err)
{
	int rc = get_str(j, "reply_to", REQUIRED, out->reply_to, sizeof(out->reply_to), err);

	if (rc < 0)
		return rc;
	if (!wire_parse_msg_id(out->reply_to, &out->reply_num))
		return fail(err, WIRE_E_BAD_FIELD, "the field \"reply_to\" must be a server message id like \"s-3\"");
	return 0;
}

static int decode_feedback(const cJSON *j, struct wire_in *out, struct wire_error *err)
{
	char value[8];
	int rc;

	if ((rc = decode_reply_to(j, out, err)) < 0)
		return rc;
	rc = get_str(j, "value", REQUIRED, value, sizeof(value), err);
	if (rc == -EINVAL && !strcmp(err->code, WIRE_E_BAD_FIELD) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "value")))
		return fail(err, WIRE_E_BAD_FIELD, "the field \"value\" must be \"up\" or \"down\"");
	if (rc < 0)
		return rc;
	if (strcmp(value, "up") && strcmp(value, "down"))
		return fail(err, WIRE_E_BAD_FIELD, "the field \"value\" must be \"up\" or \"down\"");
	out->up = !strcmp(value, "up");
	return 0;
}

static int decode_choose(const cJSON *j, struct wire_in *out, struct wire_error *err)
{
	const cJSON *e;
	int rc;

	if ((rc = decode_reply_to(j, out, err)) < 0)
		return rc;
	e = cJSON_GetObjectItemCaseSensitive(j, "entry");
	if (!e)
		return fail(err, WIRE_E_MISSING_FIELD, "the field \"entry\" is missing (use null for \"none of these\")");
	if (cJSON_IsNull(e))
		return 0;
	if ((rc = get_str(j, "entry", REQUIRED, out->entry, sizeof(out->entry), err)) < 0)
		return rc;
	if (!out->entry[0])
		return fail(err, WIRE_E_BAD_FIELD, "the field \"entry\" is empty");
	out->has_entry = true;
	return 0;
}

static int decode_resolved(const cJSON *j, struct wire_in *out, struct wire_error *err)
{
	const cJSON *v;
	int rc;

	if ((rc = decode_reply_to(j, out, err)) < 0)
		return rc;
	v = cJSON_GetObjectItemCaseSensitive(j, "value");
	if (!v)
		return fail(err, WIRE_E_MISSING_FIELD, "the field \"value\" is missing");
	if (!cJSON_IsBool(v))
		return fail(err, WIRE_E_BAD_FIELD, "the field \"value\" must be true or false");
	out->yes = cJSON_IsTrue(v);
	return 0;
}

/* An optional small integer field: 1 when given (in *val), 0 when absent, -EINVAL. */
static int get_small_int(const cJSON *j, const char *name, int *val, struct wire_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);

	*val = -1;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int)v->valuedouble || v->valuedouble < 0 ||
	    v->valuedouble > 100)
		return fail(err, WIRE_E_BAD_FIELD, "the field \"%s\" must be a whole number on its scale", name);
	*val = (int)v->valuedouble;
	return 1;
}

static int decode_survey(const cJSON *j, struct wire_in *out, struct wire_error *err)
{
	int a, b;

	if ((a = get_small_int(j, "csat", &out->csat, err)) < 0 || (b = get_small_int(j, "ces", &out->ces, err)) < 0)
		return -EINVAL;
	if (!a && !b)
		return fail(err, WIRE_E_MISSING_FIELD, "the field \"csat\" or \"ces\" is missing");
	return 0;
}

static int decode_typing(const cJSON *j, struct wire_in *out, struct wire_error *err)
{
	const cJSON *on = cJSON_GetObjectItemCaseSensitive(j, "on");

	if (!on)
		return fail(err, WIRE_E_MISSING_FIELD, "the field \"on\" is missing");
	if (!cJSON_IsBool(on))
		return fail(err, WIRE_E_BAD_FIELD, "the field \"on\" must be true or false");
	out->on = cJSON_IsTrue(on);
	return 0;
}

static int decode_handoff(const cJSON *j, struct wire_in *out, struct wire_error *err)
{
	const cJSON *lm = cJSON_GetObjectItemCaseSensitive(j, "leave_message");

	if (lm && !cJSON_IsNull(lm) && !cJSON_IsBool(lm))
		return fail(err, WIRE_E_BAD_FIELD, "the field \"leave_message\" must be true or false");
	out->leave_message = cJSON_IsTrue(lm);
	return 0;
}

int wire_decode(const char *buf, size_t len, size_t max_text, struct wire_in *out, struct wire_error *err)
{
	static const struct {
		const char *name;
		enum wire_type type;
	} types[] = {
		{ "hello", WIRE_HELLO }, { "message", WIRE_MESSAGE }, { "feedback", WIRE_FEEDBACK },
		{ "choose", WIRE_CHOOSE }, { "typing", WIRE_TYPING }, { "scene", WIRE_SCENE },
		{ "resolved", WIRE_RESOLVED }, { "survey", WIRE_SURVEY }, { "handoff", WIRE_HANDOFF },
		{ "cancel_handoff", WIRE_CANCEL_HANDOFF },
	};
	const char *end = NULL;
	const cJSON *v, *t;
	cJSON *j = NULL;
	size_t bad;
	int rc;

	memset(out, 0, sizeof(*out));
	err->code = NULL;
	err->message[0] = '\0';
	if (!len)
		return fail(err, WIRE_E_BAD_JSON, "the frame is empty; expected a JSON object");
	if (!str_utf8_valid(buf, len, &bad))
		return fail(err, WIRE_E_BAD_UTF8, "the frame is not valid UTF-8 (at byte %zu)", bad);
	j = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (!j) {
		rc = fail(err, WIRE_E_BAD_JSON, "the frame is not valid JSON (at byte %zu)",
			  end && end >= buf && end <= buf + len ? (size_t)(end - buf) : (size_t)0);
		goto out;
	}
	while (end && end < buf + len && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
		end++;
	if (end != buf + len) {
		rc = fail(err, WIRE_E_BAD_JSON, "unexpected text after the JSON value (at byte %zu)",
			  end ? (size_t)(end - buf) : (size_t)0);
		goto out;
	}
	if (!cJSON_IsObject(j)) {
		rc = fail(err, WIRE_E_BAD_JSON, "the frame must be a JSON object");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "v");
	if (!v) {
		rc = fail(err, WIRE_E_MISSING_FIELD, "the field \"v\" (protocol version) is missing");
		goto out;
	}
	if (!cJSON_IsNumber(v) || v->valuedouble != WIRE_VERSION) {
		rc = fail(err, WIRE_E_BAD_VERSION, "this server speaks protocol version %d", WIRE_VERSION);
		goto out;
	}
	t = cJSON_GetObjectItemCaseSensitive(j, "type");
	if (!t) {
		rc = fail(err, WIRE_E_MISSING_FIELD, "the field \"type\" is missing");
		goto out;
	}
	if (!cJSON_IsString(t) || !t->valuestring) {
		rc = fail(err, WIRE_E_BAD_FIELD, "the field \"type\" must be a string");
		goto out;
	}
	rc = fail(err, WIRE_E_BAD_TYPE, "unknown type \"%.40s\"; expected hello, message, feedback, choose, typing, scene, "
		  "resolved, survey, handoff or cancel_handoff",
		  t->valuestring);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(t->valuestring, types[i].name)) {
			out->type = types[i].type;
			rc = 0;
		}
	if (rc)
		goto out;
	switch (out->type) {
	case WIRE_HELLO:
		rc = decode_hello(j, out, err);
		break;
	case WIRE_MESSAGE:
		rc = decode_message(j, max_text, out, err);
		break;
	case WIRE_FEEDBACK:
		rc = decode_feedback(j, out, err);
		break;
	case WIRE_CHOOSE:
		rc = decode_choose(j, out, err);
		break;
	case WIRE_TYPING:
		rc = decode_typing(j, out, err);
		break;
	case WIRE_SCENE:
		rc = decode_scene(j, out, err);
		break;
	case WIRE_RESOLVED:
		rc = decode_resolved(j, out, err);
		break;
	case WIRE_SURVEY:
		rc = decode_survey(j, out, err);
		break;
	case WIRE_HANDOFF:
		rc = decode_handoff(j, out, err);
		break;
	case WIRE_CANCEL_HANDOFF:
		break;
	}
out:
	cJSON_Delete(j);
	if (rc) {
		wire_in_clear(out);
		if (rc == -ENOMEM && !err->code)
			fail(err, WIRE_E_INTERNAL, "out of memory");
	}
	return rc;
}

/* ---- encoding ---- */

void wire_free(char *env)
{
	cJSON_free(env);
}

static bool add_strings(cJSON *j, const char *name, const char *const *v, size_t n)
{
	cJSON *a = cJSON_AddArrayToObject(j, name);

	if (!a)
		return false;
	for (size_t i = 0; i < n; i++) {
		cJSON *s = cJSON_CreateString(v[i] ? v[i] : "");

		if (!s)
			return false;
		cJSON_AddItemToArray(a, s);
	}
	return true;
}

static bool add_msg_id(cJSON *j, const char *name, uint32_t id)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "s-%" PRIu32, id);
	return cJSON_AddStringToObject(j, name, buf) != NULL;
}

char *wire_welcome(const char *token, const struct engine_welcome *w, const struct sess *s, bool resumed, size_t *len)
{
	cJSON *j = jout_envelope("welcome", WIRE_VERSION), *tr;
	bool ok = j && cJSON_AddStringToObject(j, "token", token) && cJSON_AddStringToObject(j, "lang", w->lang) &&
		  (!w->scene[0] || cJSON_AddStringToObject(j, "scene", w->scene)) &&
		  cJSON_AddStringToObject(j, "greeting", w->greeting) &&
		  add_strings(j, "suggestions", w->suggestions, w->n_suggestions) &&
		  cJSON_AddBoolToObject(j, "resumed", resumed) && (tr = cJSON_AddArrayToObject(j, "transcript"));

	for (size_t i = 0; ok && s && i < sess_log_count(s); i++) {
		cJSON *raw = cJSON_CreateRaw(sess_log_at(s, i)->buf);

		ok = raw != NULL;
		if (ok)
			cJSON_AddItemToArray(tr, raw);
	}
	return jout_finish(j, ok, len);
}

static bool add_links(cJSON *j, const struct kb_entry *e)
{
	cJSON *a = cJSON_AddArrayToObject(j, "links");

	if (!a)
		return false;
	for (size_t i = 0; e && i < e->n_links; i++) {
		cJSON *l = cJSON_CreateObject();

		if (!l)
			return false;
		cJSON_AddItemToArray(a, l);
		if (!cJSON_AddStringToObject(l, "title", e->links[i].title ? e->links[i].title : "") ||
		    !cJSON_AddStringToObject(l, "url", e->links[i].url ? e->links[i].url : ""))
			return false;
	}
	return true;
}

/* The fields of an answer-like reply: entry, intent, kind and what goes with it. */
static bool add_answer(cJSON *j, const struct engine_reply *r)
{
	const char *const *quick = r->n_quick ? r->quick : r->entry ? (const char *const *)r->entry->quick_replies : NULL;
	size_t n_quick = r->n_quick ? r->n_quick : r->entry ? r->entry->n_quick : 0;
	bool ok = cJSON_AddStringToObject(j, "kind", engine_kind_name(r->kind)) &&
		  (!r->entry || cJSON_AddStringToObject(j, "entry", r->entry->id)) &&
		  (!r->intent || cJSON_AddStringToObject(j, "intent", r->intent)) &&
		  add_strings(j, "quick_replies", quick, n_quick) && add_links(j, r->entry);
	cJSON *route;

	if (ok && r->kind == ENGINE_ASK && r->ask)
		ok = cJSON_AddStringToObject(j, "ask", r->ask) != NULL;
	if (ok && (r->kind == ENGINE_HANDOFF || r->kind == ENGINE_TICKET)) {
		ok = cJSON_AddStringToObject(j, "action", r->kind == ENGINE_TICKET ? "ticket" : "handoff") &&
		     (route = cJSON_AddObjectToObject(j, "route")) &&
		     cJSON_AddStringToObject(route, "team", r->team ? r->team : "support") &&
		     cJSON_AddStringToObject(route, "priority", r->priority ? r->priority : "normal");
	}
	if (ok && r->survey)
		ok = cJSON_AddBoolToObject(j, "survey", true) != NULL;
	return ok;
}

char *wire_reply(const struct engine_reply *r, const char *reply_to, size_t *len)
{
	const char *type = r->kind == ENGINE_CLARIFY ? "clarify" : r->kind == ENGINE_FALLBACK ? "fallback" : "answer";
	cJSON *j = jout_envelope(type, WIRE_VERSION), *a;
	bool ok = j && add_msg_id(j, "id", r->id) &&
		  (!reply_to || !*reply_to || cJSON_AddStringToObject(j, "reply_to", reply_to)) &&
		  cJSON_AddStringToObject(j, "text", engine_reply_text(r)) &&
		  cJSON_AddStringToObject(j, "lang", r->lang ? r->lang : "");

	if (!ok)
		return jout_finish(j, false, len);
	switch (r->kind) {
	case ENGINE_CLARIFY:
		ok = (a = cJSON_AddArrayToObject(j, "candidates")) != NULL;
		for (size_t i = 0; ok && i < r->n_cand; i++) {
			cJSON *c = cJSON_CreateObject();

			ok = c != NULL;
			if (ok) {
				cJSON_AddItemToArray(a, c);
				ok = cJSON_AddStringToObject(c, "entry", r->cand[i].entry) &&
				     cJSON_AddStringToObject(c, "question", r->cand[i].question);
			}
		}
		break;
	case ENGINE_FALLBACK:
		ok = add_strings(j, "suggestions", r->suggestions, r->n_suggestions);
		break;
	default:
		ok = add_answer(j, r);
		break;
	}
	return jout_finish(j, ok, len);
}

char *wire_customer_message(const char *id, const char *text, size_t text_len, size_t *len)
{
	cJSON *j = jout_envelope("message", WIRE_VERSION);
	char *copy = malloc(text_len + 1);
	bool ok;

	if (copy) {
		memcpy(copy, text, text_len);
		copy[text_len] = '\0';
	}
	ok = j && copy && (!id || !*id || cJSON_AddStringToObject(j, "id", id)) &&
	     cJSON_AddStringToObject(j, "text", copy) && cJSON_AddStringToObject(j, "from", "customer");
	free(copy);
	return jout_finish(j, ok, len);
}

char *wire_feedback(const char *reply_to, bool up, size_t *len)
{
	cJSON *j = jout_envelope("feedback", WIRE_VERSION);
	bool ok = j && cJSON_AddStringToObject(j, "reply_to", reply_to) &&
		  cJSON_AddStringToObject(j, "value", up ? "up" : "down");

	return jout_finish(j, ok, len);
}

char *wire_choose(const char *reply_to, const char *entry, size_t *len)
{
	cJSON *j = jout_envelope("choose", WIRE_VERSION);
	bool ok = j && cJSON_AddStringToObject(j, "reply_to", reply_to) &&
		  (entry ? cJSON_AddStringToObject(j, "entry", entry) : cJSON_AddNullToObject(j, "entry"));

	return jout_finish(j, ok, len);
}

char *wire_resolved(const char *reply_to, bool yes, size_t *len)
{
	cJSON *j = jout_envelope("resolved", WIRE_VERSION);
	bool ok = j && cJSON_AddStringToObject(j, "reply_to", reply_to) && cJSON_AddBoolToObject(j, "value", yes);

	return jout_finish(j, ok, len);
}

char *wire_survey(int csat, int ces, size_t *len)
{
	cJSON *j = jout_envelope("survey", WIRE_VERSION);
	bool ok = j && (csat < 0 || cJSON_AddNumberToObject(j, "csat", csat)) &&
		  (ces < 0 || cJSON_AddNumberToObject(j, "ces", ces));

	return jout_finish(j, ok, len);
}

char *wire_error(const char *code, const char *message, long long retry_after_ms, size_t *len)
{
	cJSON *j = jout_envelope("error", WIRE_VERSION);
	bool ok = j && cJSON_AddStringToObject(j, "code", code) && cJSON_AddStringToObject(j, "message", message) &&
		  (retry_after_ms < 0 || cJSON_AddNumberToObject(j, "retry_after_ms", (double)retry_after_ms));

	return jout_finish(j, ok, len);
}

char *wire_notice(const char *text, size_t *len)
{
	cJSON *j = jout_envelope("notice", WIRE_VERSION);
	bool ok = j && cJSON_AddStringToObject(j, "text", text);

	return jout_finish(j, ok, len);
}
