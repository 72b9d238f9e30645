/*
 * casefile.c (proto) - struct casefile to JSON, schema v1 (docs/handoff.md).
 * Times are milliseconds since the epoch; enumerations are lowercase words.
 */
#include "proto/casefile.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double round2(float x)
{
	return round((double)x * 100.0) / 100.0;
}

/* Add a string, NULL as JSON null. Returns false on allocation failure. */
static bool add_str(cJSON *o, const char *k, const char *v)
{
	return v ? cJSON_AddStringToObject(o, k, v) != NULL : cJSON_AddNullToObject(o, k) != NULL;
}

static bool add_num(cJSON *o, const char *k, double v)
{
	return cJSON_AddNumberToObject(o, k, v) != NULL;
}

static cJSON *pairs(const struct casefile_pair *p, size_t n)
{
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; o && i < n; i++) {
		if (!add_str(o, p[i].key, p[i].value)) {
			cJSON_Delete(o);
			return NULL;
		}
	}
	return o;
}

static bool add_customer(cJSON *root, const struct casefile *cf)
{
	cJSON *c = cJSON_AddObjectToObject(root, "customer");

	return c && add_str(c, "id", cf->customer.id ? cf->customer.id : "") &&
	       add_str(c, "name", cf->customer.name ? cf->customer.name : "") &&
	       add_str(c, "tier", cf->customer.tier ? cf->customer.tier : "") &&
	       add_str(c, "lang", cf->customer.lang) && cJSON_AddBoolToObject(c, "verified", cf->customer.verified);
}

static bool add_scene(cJSON *root, const struct casefile *cf)
{
	cJSON *s = cJSON_AddObjectToObject(root, "scene"), *ctx;

	if (!s || !add_str(s, "id", cf->scene) || !add_str(s, "label", cf->scene_label))
		return false;
	ctx = pairs(cf->context, cf->n_context);
	if (ctx && cJSON_AddItemToObject(s, "context", ctx))
		return true;
	cJSON_Delete(ctx);
	return false;
}

static bool add_sentiment(cJSON *root, const struct casefile *cf)
{
	cJSON *s = cJSON_AddObjectToObject(root, "sentiment"), *w;

	if (!s || !add_num(s, "anger", round2(cf->sentiment.anger)) ||
	    !add_num(s, "complaint", round2(cf->sentiment.complaint)))
		return false;
	w = cJSON_AddArrayToObject(s, "words");
	for (size_t i = 0; w && i < cf->sentiment.n_words; i++) {
		cJSON *x = cJSON_CreateString(cf->sentiment.words[i]);

		if (!x || !cJSON_AddItemToArray(w, x)) {
			cJSON_Delete(x);
			return false;
		}
	}
	return w != NULL;
}

static bool add_intent(cJSON *root, const struct casefile *cf)
{
	cJSON *in;

	if (!cf->intent.id)
		return cJSON_AddNullToObject(root, "intent") != NULL;
	in = cJSON_AddObjectToObject(root, "intent");
	return in && add_str(in, "id", cf->intent.id) && add_str(in, "label", cf->intent.label) &&
	       add_num(in, "confidence", round2(cf->intent.confidence));
}

static bool add_answers(cJSON *root, const struct casefile *cf)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "answers");

	for (size_t i = 0; arr && i < cf->n_answers; i++) {
		const struct casefile_answer *a = &cf->answers[i];
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			return false;
		}
		if (!add_num(o, "at", (double)a->at) || !add_str(o, "entry", a->entry) ||
		    !add_str(o, "question", a->question) || !add_str(o, "reaction", casefile_reaction_name(a->reaction)))
			return false;
	}
	return arr && add_num(root, "answers_dropped", (double)cf->dropped_answers);
}

static bool add_transcript(cJSON *root, const struct casefile *cf)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "transcript");

	for (size_t i = 0; arr && i < cf->n_msgs; i++) {
		const struct casefile_msg *m = &cf->msgs[i];
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			return false;
		}
		if (!add_num(o, "at", (double)m->at) || !add_str(o, "from", handoff_from_name(m->from)) ||
		    (*m->author && !add_str(o, "author", m->author)) || !add_str(o, "text", m->text))
			return false;
	}
	return arr && add_num(root, "transcript_dropped", (double)cf->dropped_msgs);
}

static bool add_previous(cJSON *root, const struct casefile *cf)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "previous");

	for (size_t i = 0; arr && i < cf->n_prev; i++) {
		const struct casefile_prev *p = &cf->prev[i];
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			return false;
		}
		if (!add_str(o, "conversation", p->conv) || !add_num(o, "at", (double)p->at) ||
		    !add_str(o, "reason", handoff_reason_name(p->reason)) ||
		    !add_str(o, "state", handoff_state_name(p->state)) || !add_str(o, "resolution", p->resolution) ||
		    !add_str(o, "summary", p->summary))
			return false;
	}
	return arr != NULL;
}

cJSON *casefile_to_json(const struct casefile *cf)
{
	cJSON *root, *sum, *slots;

	if (!cf)
		return NULL;
	root = cJSON_CreateObject();
	if (!root)
		return NULL;
	if (!add_num(root, "v", CASEFILE_VERSION) || !add_str(root, "conversation", cf->conv) ||
	    !add_num(root, "created_at", (double)cf->created_at) || !(sum = cJSON_AddObjectToObject(root, "summary")) ||
	    !add_str(sum, "lang", cf->summary_lang[0] ? cf->summary_lang : "en") || !add_str(sum, "text", cf->summary) ||
	    !add_customer(root, cf) || !add_scene(root, cf) ||
	    !add_str(root, "reason", handoff_reason_name(cf->reason)) || !add_sentiment(root, cf) ||
	    !add_intent(root, cf))
		goto fail;
	slots = pairs(cf->slots, cf->n_slots);
	if (!slots || !cJSON_AddItemToObject(root, "slots", slots)) {
		cJSON_Delete(slots);
		goto fail;
	}
	if (!add_answers(root, cf) || !add_transcript(root, cf) || !add_previous(root, cf))
		goto fail;
	return root;
fail:
	cJSON_Delete(root);
	return NULL;
}

int casefile_encode(const struct casefile *cf, char **out, size_t *len)
{
	cJSON *root;
	char *txt;
	size_t n;

	if (!cf || !out || !len)
		return -EINVAL;
	*out = NULL;
	*len = 0;
	root = casefile_to_json(cf);
	if (!root)
		return -ENOMEM;
	txt = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!txt)
		return -ENOMEM;
	n = strlen(txt);
	*out = malloc(n + 1);
	if (*out) {
		memcpy(*out, txt, n + 1);
		*len = n;
	}
	cJSON_free(txt);
	return *out ? 0 : -ENOMEM;
}
