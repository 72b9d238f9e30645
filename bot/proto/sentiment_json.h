/*
 * sentiment_json.h - read the sentiment word lists (intents/sentiment.json,
 * format in docs/handoff.md) into a dialog/sentiment lexicon. The file is
 * content, edited by people: every problem is reported with the key it is
 * under, and a bad file never yields a half-built lexicon.
 */
#ifndef BOT_PROTO_SENTIMENT_JSON_H
#define BOT_PROTO_SENTIMENT_JSON_H

#include "dialog/sentiment.h"

#include <stddef.h>

/*
 * Parse buf[0..len) into a new lexicon. On success returns it (free with
 * sentiment_lexicon_free); on failure returns NULL and writes one sentence
 * naming the offending key ("languages.en.anger.\"mad\": weight must be a
 * number in (0, 10]") into err[0..errlen).
 */
struct sentiment_lexicon *sentiment_json_parse(const char *buf, size_t len, char *err, size_t errlen);

/* Read path (at most LIM_SENTIMENT_FILE bytes) and parse it; errors start with the path. */
struct sentiment_lexicon *sentiment_json_load(const char *path, char *err, size_t errlen);

#endif
