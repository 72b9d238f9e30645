/*
 * jsonout.h - the building blocks every encoder of proto/ shares: a versioned
 * envelope, a length-bounded string member, and printing (compact) + freeing.
 */
#ifndef BOT_PROTO_JSONOUT_H
#define BOT_PROTO_JSONOUT_H

#include <cjson/cJSON.h>

#include <stdbool.h>
#include <stddef.h>

/* {"v": version, "type": type}, or NULL on allocation failure. Free with cJSON_Delete or jout_finish. */
cJSON *jout_envelope(const char *type, int version);

/* Add the string s[0..n) (no NUL inside) as member name. False on allocation failure. */
bool jout_add_strn(cJSON *j, const char *name, const char *s, size_t n);

/*
 * Print j compactly and free it. Returns the text (free with cJSON_free) and
 * its length in *len, or NULL when j is NULL, ok is false (a step failed) or
 * printing failed.
 */
char *jout_finish(cJSON *j, bool ok, size_t *len);

#endif
