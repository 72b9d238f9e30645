/*
 * jsonout.c - shared encoding helpers of the wire formats.
 */
#include "proto/jsonout.h"

#include <stdlib.h>
#include <string.h>

cJSON *jout_envelope(const char *type, int version)
{
	cJSON *j = cJSON_CreateObject();

	if (j && (!cJSON_AddNumberToObject(j, "v", version) || !cJSON_AddStringToObject(j, "type", type))) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

bool jout_add_strn(cJSON *j, const char *name, const char *s, size_t n)
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

char *jout_finish(cJSON *j, bool ok, size_t *len)
{
	char *s = NULL;

	/* Most envelopes fit 2 KB: one allocation instead of a chain of doubling reallocs. */
	if (j && ok)
		s = cJSON_PrintBuffered(j, 2048, false);
	cJSON_Delete(j);
	if (s && len)
		*len = strlen(s);
	return s;
}
