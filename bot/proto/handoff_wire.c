/*
 * handoff_wire.c - the customer's hand-off envelopes with cJSON (handoff_wire.h).
 */
#include "proto/handoff_wire.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void handoff_wire_free(char *env)
{
	cJSON_free(env);
}

static char *finish(cJSON *j, bool ok, size_t *len)
{
	char *s = NULL;

	if (j && ok)
		s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (s && len)
		*len = strlen(s);
	return s;
}

static cJSON *envelope(const char *type)
{
	cJSON *j = cJSON_CreateObject();

	if (j && (!cJSON_AddNumberToObject(j, "v", 1) || !cJSON_AddStringToObject(j, "type", type))) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

static bool add_strn(cJSON *j, const char *name, const char *s, size_t n)
{
	char *copy = malloc(n + 1);
	cJSON *it;

	if (!copy)
		return false;
	memcpy(copy, s, n);
	copy[n] = '\0';
	it = cJSON_CreateString(copy);
	free(copy);
	return it && cJSON_AddItemToObject(j, name, it);
}

char *handoff_wire_status(const struct handoff_status *st, const char *text, size_t *len)
{
	cJSON *j = envelope("handoff_status"), *w;
	bool ok = j && cJSON_AddStringToObject(j, "state", handoff_state_name(st->state));

	if (ok && st->state == HANDOFF_QUEUED) {
		ok = cJSON_AddNumberToObject(j, "position", (double)st->position) &&
		     (w = cJSON_AddObjectToObject(j, "wait")) && cJSON_AddNumberToObject(w, "minutes", st->wait.minutes) &&
		     cJSON_AddBoolToObject(w, "confident", st->wait.confident);
	}
	if (ok && st->ticket[0] && (st->state == HANDOFF_TICKET || st->state == HANDOFF_QUEUED))
		ok = cJSON_AddStringToObject(j, "ticket", st->ticket) != NULL;
	if (ok && st->state == HANDOFF_ASSIGNED)
		ok = cJSON_AddStringToObject(j, "agent_name", st->agent_name[0] ? st->agent_name : st->agent) != NULL;
	if (ok && st->team[0])
		ok = cJSON_AddStringToObject(j, "team", st->team) != NULL;
	if (ok && text && *text)
		ok = cJSON_AddStringToObject(j, "text", text) != NULL;
	return finish(j, ok, len);
}

char *handoff_wire_agent_msg(uint32_t id, const char *text, size_t text_len, const char *agent_name, int64_t at,
			     size_t *len)
{
	cJSON *j = envelope("agent_msg");
	char sid[16];
	bool ok;

	snprintf(sid, sizeof(sid), "s-%u", id);
	ok = j && cJSON_AddStringToObject(j, "id", sid) && add_strn(j, "text", text, text_len) &&
	     cJSON_AddStringToObject(j, "agent_name", agent_name ? agent_name : "") &&
	     cJSON_AddNumberToObject(j, "at", (double)at);
	return finish(j, ok, len);
}

char *handoff_wire_typing(bool on, size_t *len)
{
	cJSON *j = envelope("typing");

	return finish(j, j && cJSON_AddStringToObject(j, "from", "agent") && cJSON_AddBoolToObject(j, "on", on), len);
}

char *handoff_wire_replay(const struct handoff_msg *m, const char *author_name, size_t *len)
{
	cJSON *j = NULL;
	bool ok = false;

	switch (m->from) {
	case HANDOFF_FROM_CUSTOMER:
		j = envelope("message");
		ok = j && cJSON_AddStringToObject(j, "id", "") && add_strn(j, "text", m->text, m->text_len) &&
		     cJSON_AddStringToObject(j, "from", "customer");
		break;
	case HANDOFF_FROM_BOT:
		j = envelope("answer");
		ok = j && cJSON_AddStringToObject(j, "id", "") && add_strn(j, "text", m->text, m->text_len) &&
		     cJSON_AddNullToObject(j, "entry");
		break;
	case HANDOFF_FROM_AGENT:
		j = envelope("agent_msg");
		ok = j && cJSON_AddStringToObject(j, "id", "") && add_strn(j, "text", m->text, m->text_len) &&
		     cJSON_AddStringToObject(j, "agent_name", author_name && *author_name ? author_name : m->author) &&
		     cJSON_AddNumberToObject(j, "at", (double)m->at);
		break;
	default:
		j = envelope("notice");
		ok = j && add_strn(j, "text", m->text, m->text_len);
		break;
	}
	return finish(j, ok, len);
}
