/*
 * casefile.h (proto) - the case file as versioned JSON ("v": 1), the schema
 * in docs/handoff.md. Encoding only: the agent console reads it, and the
 * hand-off store keeps it verbatim with the conversation (pass
 * casefile_encode as handoff_config.encode_casefile).
 */
#ifndef BOT_PROTO_CASEFILE_H
#define BOT_PROTO_CASEFILE_H

#include "dialog/casefile.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/*
 * The case file as a cJSON object, to embed in an envelope. The caller is
 * responsible to free it with cJSON_Delete(). NULL on allocation failure.
 */
cJSON *casefile_to_json(const struct casefile *cf);

/*
 * The case file as compact JSON text: *out is malloc'd and NUL-terminated,
 * *len its length; the caller frees it with free(). Returns 0, -EINVAL
 * (NULL arguments) or -ENOMEM.
 */
int casefile_encode(const struct casefile *cf, char **out, size_t *len);

#endif
