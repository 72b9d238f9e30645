/*
 * sentiment_json.c - the sentiment word-list file (JSON, "v": 1) to a
 * lexicon. Strict: unknown keys and wrong types are errors, so a typo in a
 * list name is not silently ignored.
 */
#include "proto/sentiment_json.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 3, 4)))
static void fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const char *add_error(int rc)
{
	switch (rc) {
	case -E2BIG:
		return "too many entries";
	case -ENOMEM:
		return "out of memory";
	default:
		return "not a usable word or phrase (empty, too long, punctuation inside, or more than 6 words)";
	}
}

static int load_words(struct sentiment_lexicon *lex, const char *lang, const char *list, const cJSON *obj,
		      enum sentiment_kind kind, char *err, size_t errlen)
{
	const cJSON *it;
	int rc;

	if (!cJSON_IsObject(obj)) {
		fail(err, errlen, "languages.%s.%s: must be an object of \"word\": weight", lang, list);
		return -EINVAL;
	}
	cJSON_ArrayForEach(it, obj) {
		if (!cJSON_IsNumber(it) || !(it->valuedouble > 0.0 && it->valuedouble <= 10.0)) {
			fail(err, errlen, "languages.%s.%s.\"%s\": weight must be a number in (0, 10]", lang, list,
			     it->string);
			return -EINVAL;
		}
		rc = sentiment_add(lex, lang, kind, it->string, (float)it->valuedouble);
		if (rc) {
			fail(err, errlen, "languages.%s.%s.\"%s\": %s", lang, list, it->string, add_error(rc));
			return rc;
		}
	}
	return 0;
}

static int load_list(struct sentiment_lexicon *lex, const char *lang, const char *list, const cJSON *arr,
		     enum sentiment_kind kind, char *err, size_t errlen)
{
	const cJSON *it;
	int rc, i = 0;

	if (!cJSON_IsArray(arr)) {
		fail(err, errlen, "languages.%s.%s: must be an array of strings", lang, list);
		return -EINVAL;
	}
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it)) {
			fail(err, errlen, "languages.%s.%s[%d]: must be a string", lang, list, i);
			return -EINVAL;
		}
		rc = sentiment_add(lex, lang, kind, it->valuestring, 0.0f);
		if (rc) {
			fail(err, errlen, "languages.%s.%s[%d] \"%s\": %s", lang, list, i, it->valuestring,
			     add_error(rc));
			return rc;
		}
		i++;
	}
	return 0;
}

static int load_lang(struct sentiment_lexicon *lex, const cJSON *l, char *err, size_t errlen)
{
	const char *lang = l->string;
	const cJSON *it;
	int rc = 0;

	if (!cJSON_IsObject(l)) {
		fail(err, errlen, "languages.%s: must be an object", lang);
		return -EINVAL;
	}
	if (!*lang || strlen(lang) > 7) {
		fail(err, errlen, "languages.\"%s\": a language is a short tag such as \"en\"", lang);
		return -EINVAL;
	}
	cJSON_ArrayForEach(it, l) {
		const char *k = it->string;

		if (!strcmp(k, "anger"))
			rc = load_words(lex, lang, k, it, SENTIMENT_ANGER, err, errlen);
		else if (!strcmp(k, "complaint"))
			rc = load_words(lex, lang, k, it, SENTIMENT_COMPLAINT, err, errlen);
		else if (!strcmp(k, "negators"))
			rc = load_list(lex, lang, k, it, SENTIMENT_NEGATOR, err, errlen);
		else if (!strcmp(k, "intensifiers"))
			rc = load_list(lex, lang, k, it, SENTIMENT_INTENSIFIER, err, errlen);
		else if (!strcmp(k, "breakers"))
			rc = load_list(lex, lang, k, it, SENTIMENT_BREAKER, err, errlen);
		else {
			fail(err, errlen,
			     "languages.%s.%s: unknown list (anger, complaint, negators, intensifiers, breakers)", lang, k);
			rc = -EINVAL;
		}
		if (rc)
			return rc;
	}
	return 0;
}

struct sentiment_lexicon *sentiment_json_parse(const char *buf, size_t len, char *err, size_t errlen)
{
	struct sentiment_lexicon *lex = NULL;
	cJSON *root = NULL;
	const cJSON *it, *v, *langs, *scope, *inten;
	int rc = -EINVAL;

	if (!buf || len > LIM_SENTIMENT_FILE) {
		fail(err, errlen, "the file is missing or over %u bytes", (unsigned)LIM_SENTIMENT_FILE);
		return NULL;
	}
	{
		/*
		 * The error position from return_parse_end: cJSON_GetErrorPtr()
		 * is a global that a parse on another thread overwrites (the
		 * intents load on the KB reload worker).
		 */
		const char *at = NULL;

		root = cJSON_ParseWithLengthOpts(buf, len, &at, 0);
		if (!root) {
			fail(err, errlen, "not valid JSON (near byte %ld)", at && at >= buf ? (long)(at - buf) : -1L);
			goto out;
		}
	}
	if (!cJSON_IsObject(root)) {
		fail(err, errlen, "the top level must be an object");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "v");
	if (!cJSON_IsNumber(v) || v->valuedouble != 1.0) {
		fail(err, errlen, "v: must be 1");
		goto out;
	}
	cJSON_ArrayForEach(it, root) {
		if (strcmp(it->string, "v") && strcmp(it->string, "kind") && strcmp(it->string, "scope") &&
		    strcmp(it->string, "intensity") && strcmp(it->string, "languages") &&
		    strcmp(it->string, "comment")) {
			fail(err, errlen, "%s: unknown key (v, kind, scope, intensity, languages, comment)", it->string);
			goto out;
		}
	}
	it = cJSON_GetObjectItemCaseSensitive(root, "kind");
	if (it && (!cJSON_IsString(it) || strcmp(it->valuestring, "sentiment"))) {
		fail(err, errlen, "kind: must be \"sentiment\"");
		goto out;
	}
	lex = sentiment_lexicon_new();
	if (!lex) {
		rc = -ENOMEM;
		fail(err, errlen, "out of memory");
		goto out;
	}
	scope = cJSON_GetObjectItemCaseSensitive(root, "scope");
	inten = cJSON_GetObjectItemCaseSensitive(root, "intensity");
	if ((scope && !cJSON_IsNumber(scope)) || (inten && !cJSON_IsNumber(inten)) ||
	    sentiment_set_rules(lex, scope ? (unsigned)(scope->valuedouble >= 0 ? scope->valuedouble : 0) : 3,
				inten ? (float)inten->valuedouble : 1.5f)) {
		fail(err, errlen, "scope must be 1..10 and intensity 1..5");
		goto out;
	}
	langs = cJSON_GetObjectItemCaseSensitive(root, "languages");
	if (!cJSON_IsObject(langs) || !langs->child) {
		fail(err, errlen, "languages: must be an object with at least one language");
		goto out;
	}
	cJSON_ArrayForEach(it, langs) {
		rc = load_lang(lex, it, err, errlen);
		if (rc)
			goto out;
	}
	rc = 0;
out:
	cJSON_Delete(root);
	if (rc) {
		sentiment_lexicon_free(lex);
		return NULL;
	}
	return lex;
}

struct sentiment_lexicon *sentiment_json_load(const char *path, char *err, size_t errlen)
{
	struct sentiment_lexicon *lex = NULL;
	char *buf = NULL;
	size_t n = 0;
	FILE *f = fopen(path, "rb");

	if (!f) {
		fail(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(LIM_SENTIMENT_FILE + 1);
	if (!buf) {
		fail(err, errlen, "%s: out of memory", path);
		goto out;
	}
	n = fread(buf, 1, LIM_SENTIMENT_FILE + 1, f);
	if (ferror(f) || n > LIM_SENTIMENT_FILE) {
		fail(err, errlen, "%s: %s", path, ferror(f) ? "read error" : "over 1 MiB");
		goto out;
	}
	lex = sentiment_json_parse(buf, n, err, errlen);
	if (!lex && err && errlen) {
		char tmp[512];

		snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		snprintf(err, errlen, "%s", tmp);
	}
out:
	free(buf);
	fclose(f);
	return lex;
}
