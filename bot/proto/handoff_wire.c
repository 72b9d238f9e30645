/*
 * handoff_wire.c - the customer's hand-off envelopes with cJSON (handoff_wire.h).
 */
#include "proto/handoff_wire.h"
#include "proto/jsonout.h"
#include "proto/wire.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void handoff_wire_free(char *env)
{
	cJSON_free(env);
}

char *handoff_wire_status(const struct handoff_status *st, const char *text, size_t *len)
{
	cJSON *j = jout_envelope("handoff_status", WIRE_VERSION), *w;
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
	return jout_finish(j, ok, len);
}

char *handoff_wire_agent_msg(uint32_t id, const char *text, size_t text_len, const char *agent_name, int64_t at,
			     size_t *len)
{
	cJSON *j = jout_envelope("agent_msg", WIRE_VERSION);
	char sid[16];
	bool ok;

	snprintf(sid, sizeof(sid), "s-%u", id);
	ok = j && cJSON_AddStringToObject(j, "id", sid) && jout_add_strn(j, "text", text, text_len) &&
	     cJSON_AddStringToObject(j, "agent_name", agent_name ? agent_name : "") &&
	     cJSON_AddNumberToObject(j, "at", (double)at);
	return jout_finish(j, ok, len);
}

char *handoff_wire_typing(bool on, size_t *len)
{
	cJSON *j = jout_envelope("typing", WIRE_VERSION);

	return jout_finish(j, j && cJSON_AddStringToObject(j, "from", "agent") && cJSON_AddBoolToObject(j, "on", on), len);
}

char *handoff_wire_replay(const struct handoff_msg *m, const char *author_name, size_t *len)
{
	cJSON *j = NULL;
	bool ok = false;

	switch (m->from) {
	case HANDOFF_FROM_CUSTOMER:
		j = jout_envelope("message", WIRE_VERSION);
		ok = j && cJSON_AddStringToObject(j, "id", "") && jout_add_strn(j, "text", m->text, m->text_len) &&
		     cJSON_AddStringToObject(j, "from", "customer");
		break;
	case HANDOFF_FROM_BOT:
		j = jout_envelope("answer", WIRE_VERSION);
		ok = j && cJSON_AddStringToObject(j, "id", "") && jout_add_strn(j, "text", m->text, m->text_len) &&
		     cJSON_AddNullToObject(j, "entry");
		break;
	case HANDOFF_FROM_AGENT:
		j = jout_envelope("agent_msg", WIRE_VERSION);
		ok = j && cJSON_AddStringToObject(j, "id", "") && jout_add_strn(j, "text", m->text, m->text_len) &&
		     cJSON_AddStringToObject(j, "agent_name", author_name && *author_name ? author_name : m->author) &&
		     cJSON_AddNumberToObject(j, "at", (double)m->at);
		break;
	default:
		j = jout_envelope("notice", WIRE_VERSION);
		ok = j && jout_add_strn(j, "text", m->text, m->text_len);
		break;
	}
	return jout_finish(j, ok, len);
}
