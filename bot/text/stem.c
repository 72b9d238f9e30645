/*
 * stem.c - the only file that includes <libstemmer.h>. Maps ISO codes to
 * Snowball algorithm names and copies every stem out of libstemmer's buffer,
 * which is owned by the stemmer and invalid after the next call.
 */
#include "text/stem.h"

#include <errno.h>
#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

struct stem {
	struct sb_stemmer *sb;
};

static const struct {
	const char *iso, *name;
} lang_names[] = {
	{ "ar", "arabic" }, { "da", "danish" }, { "de", "german" }, { "el", "greek" },
	{ "en", "english" }, { "es", "spanish" }, { "fi", "finnish" }, { "fr", "french" },
	{ "hu", "hungarian" }, { "id", "indonesian" }, { "it", "italian" }, { "lt", "lithuanian" },
	{ "ne", "nepali" }, { "nl", "dutch" }, { "no", "norwegian" }, { "pt", "portuguese" },
	{ "ro", "romanian" }, { "ru", "russian" }, { "sv", "swedish" }, { "ta", "tamil" },
	{ "tr", "turkish" }, { "ga", "irish" }, { "hy", "armenian" }, { "eu", "basque" },
	{ "ca", "catalan" }, { "sr", "serbian" }, { "yi", "yiddish" },
};

static const char *algorithm(const char *lang)
{
	for (size_t i = 0; i < sizeof(lang_names) / sizeof(lang_names[0]); i++)
		if (!strcmp(lang_names[i].iso, lang))
			return lang_names[i].name;
	return lang;
}

int stem_has_lang(const char *lang)
{
	struct sb_stemmer *sb = sb_stemmer_new(algorithm(lang), "UTF_8");

	if (!sb)
		return 0;
	sb_stemmer_delete(sb);
	return 1;
}

struct stem *stem_new(const char *lang)
{
	struct stem *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->sb = sb_stemmer_new(algorithm(lang), "UTF_8");
	if (!st->sb) {
		free(st);
		return NULL;
	}
	return st;
}

void stem_free(struct stem *st)
{
	if (!st)
		return;
	sb_stemmer_delete(st->sb);
	free(st);
}

int stem_word(struct stem *st, const char *word, size_t len, char *out, size_t cap)
{
	const sb_symbol *s;
	size_t n;

	if (!cap)
		return -EINVAL;
	s = sb_stemmer_stem(st->sb, (const sb_symbol *)word, (int)len);
	if (!s) {
		/* Out of memory inside libstemmer: fall back to the word itself. */
		s = (const sb_symbol *)word;
		n = len;
	} else {
		n = (size_t)sb_stemmer_length(st->sb);
	}
	if (n > cap - 1) {
		n = cap - 1;
		while (n > 0 && (s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return (int)n;
}
