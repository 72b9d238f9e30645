/*
 * kb.c - KB loading, validation, index building, threshold calibration and
 * matching. Reads files only inside kb_load(); matching never touches disk.
 * Every problem is reported as "file:line:col: message"; a KB with errors
 * yields no snapshot, so the caller keeps serving the last good one.
 */
#include "kb/kb.h"

#include "core/dirlist.h"
#include "core/jsonpos.h"
#include "core/str.h"
#include "core/strmap.h"
#include "text/tokenize.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FOLDS 5
#define CV_SMALL 3000           /* KBs with fewer variants repeat the cross-validation */
#define CV_REPEATS 4
#define CV_SAMPLES 2000          /* per fold and kind, to bound load time */
#define SCENE_BOOST_TRAINED 0.40f
#define SCENE_BOOST_BM25 0.15f
#define DOMAIN_PIECE 512         /* bytes of an answer tokenized at a time: well under LIM_TOKENS words */

struct kb_lang {
	char code[8];
	struct idx *ix;
	uint32_t *doc_entry;         /* doc -> index in kb->entries */
	uint32_t n_docs;
	struct dec_thresholds th;
	int th_source;               /* 0 defaults, 1 calibrated, 2 kb.json */
	struct idx_scratch *scratch;
	uint8_t *allow;
	float *boost;
	bool any_window, any_scene;
};

struct kb_snapshot {
	char *name;
	char *langs[LIM_LANGS];
	size_t n_langs;
	struct tok_analyzer *an;
	struct kb_entry *entries;
	size_t n_entries, cap_entries;
	struct kb_lang lang[LIM_LANGS];
	struct tok_list *tl;         /* scratch token list */
	struct strmap *ids;          /* "lang id" -> index in entries */
	struct dec_thresholds cfg_th;
	bool has_cfg_th;
	double p_in;                 /* expected share of in-scope questions (kb.json "in_scope_share") */
	struct kb_stats st;
};

/* ---- diagnostics ---- */

void kb_diag_clear(struct kb_diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->msgs[i]);
	memset(d, 0, sizeof(*d));
}

__attribute__((format(printf, 6, 7)))
static void diag(struct kb_diag *d, int is_error, const char *file, int line, int col, const char *fmt, ...)
{
	char msg[1024];
	size_t n = 0;
	va_list ap;

	if (is_error)
		d->errors++;
	else
		d->warnings++;
	if (d->n >= LIM_ERRORS)
		return;
	if (file && line > 0)
		n = (size_t)snprintf(msg, sizeof(msg), "%s:%d:%d: %s", file, line, col, is_error ? "" : "warning: ");
	else if (file)
		n = (size_t)snprintf(msg, sizeof(msg), "%s: %s", file, is_error ? "" : "warning: ");
	if (n >= sizeof(msg))
		n = sizeof(msg) - 1;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	d->msgs[d->n] = strdup(msg);
	if (d->msgs[d->n])
		d->n++;
}

/* ---- positions in entry files ---- */

struct src {
	const char *file;
	const char *text;
	size_t len;
	int *ent_line, *ent_col;   /* where each entries[i] starts (one pass; NULL if unknown) */
	size_t n_ent;
};

/*
 * Find where every element of "entries" starts, and its line and column, in
 * one pass over the text: per-entry lookups from the start of the file would
 * make loading quadratic in the entries of a file.
 */
static void index_entries(struct src *sf, size_t n)
{
	size_t o = jpos_find_key(sf->text, sf->len, 0, "entries", NULL), at = 0;
	int line = 1, col = 1;

	sf->ent_line = calloc(n + 1, sizeof(int));
	sf->ent_col = calloc(n + 1, sizeof(int));
	if (!sf->ent_line || !sf->ent_col || o == SIZE_MAX)
		goto fail;
	o = jpos_ws(sf->text, sf->len, o);
	if (o >= sf->len || sf->text[o] != '[')
		goto fail;
	o = jpos_ws(sf->text, sf->len, o + 1);
	for (size_t k = 0; k < n; k++) {
		/* Advance the line/column count from the previous entry to this one. */
		for (; at < o; at++) {
			if (sf->text[at] == '\n') {
				line++;
				col = 1;
			} else if (((unsigned char)sf->text[at] & 0xC0) != 0x80) {
				col++;
			}
		}
		sf->ent_line[k] = line;
		sf->ent_col[k] = col;
		o = jpos_ws(sf->text, sf->len, jpos_skip_value(sf->text, sf->len, o));
		if (o >= sf->len || sf->text[o] != ',') {
			sf->n_ent = k + 1;
			return;
		}
		o = jpos_ws(sf->text, sf->len, o + 1);
	}
	sf->n_ent = n;
	return;
fail:
	free(sf->ent_line);
	free(sf->ent_col);
	sf->ent_line = sf->ent_col = NULL;
	sf->n_ent = 0;
}

/*
 * Position of entries[ei] (key: optional field, qi: optional element of it;
 * qi == -2 points at the key itself rather than its value).
 */
static void pos_of(const struct src *sf, int ei, const char *key, int qi, int *line, int *col)
{
	size_t o;

	if (!key && ei >= 0 && (size_t)ei < sf->n_ent) {
		*line = sf->ent_line[ei];
		*col = sf->ent_col[ei];
		return;
	}
	o = jpos_find_key(sf->text, sf->len, 0, "entries", NULL);

	if (o != SIZE_MAX && ei >= 0)
		o = jpos_find_index(sf->text, sf->len, o, ei);
	if (o != SIZE_MAX && key) {
		size_t kp = SIZE_MAX, k = jpos_find_key(sf->text, sf->len, o, key, &kp);

		if (qi == -2 && kp != SIZE_MAX)
			k = kp, qi = -1;

		if (k != SIZE_MAX) {
			o = k;
			if (qi >= 0) {
				k = jpos_find_index(sf->text, sf->len, o, qi);
				if (k != SIZE_MAX)
					o = k;
			}
		}
	}
	if (o == SIZE_MAX)
		o = 0;
	jpos_line_col(sf->text, sf->len, o, line, col);
}

/* ---- files ---- */

static char *read_file(const char *path, size_t *len, struct kb_diag *d)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	struct stat st;
	size_t bad;

	if (!f) {
		diag(d, 1, path, 0, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		diag(d, 1, path, 0, 0, "not a regular file");
		goto out;
	}
	if ((size_t)st.st_size > LIM_KB_FILE) {
		diag(d, 1, path, 0, 0, "file too large (%lld bytes, the limit is %u)", (long long)st.st_size, LIM_KB_FILE);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		diag(d, 1, path, 0, 0, "out of memory");
		goto out;
	}
	*len = fread(buf, 1, (size_t)st.st_size, f);
	buf[*len] = '\0';
	if (!str_utf8_valid(buf, *len, &bad)) {
		int line, col;

		jpos_line_col(buf, *len, bad, &line, &col);
		diag(d, 1, path, line, col, "invalid UTF-8 (byte offset %zu)", bad);
		free(buf);
		buf = NULL;
	}
out:
	fclose(f);
	return buf;
}

static cJSON *parse(const char *path, const char *text, size_t len, struct kb_diag *d)
{
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, 0);

	if (!j) {
		int line, col;
		size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;

		/* cJSON stops after the offending token's whitespace: point at the token. */
		while (off > 0 && (text[off] == ' ' || text[off] == '\t' || text[off] == '\n' || text[off] == '\r' || off == len))
			off--;

		jpos_line_col(text, len, off, &line, &col);
		diag(d, 1, path, line, col, "invalid JSON");
	}
	return j;
}

/* ---- entries ---- */

static void entry_free(struct kb_entry *e)
{
	free(e->id);
	for (size_t i = 0; i < e->n_questions; i++)
		free(e->questions[i]);
	free(e->questions);
	free(e->answer);
	for (size_t i = 0; i < e->n_quick; i++)
		free(e->quick_replies[i]);
	free(e->quick_replies);
	for (size_t i = 0; i < e->n_links; i++) {
		free(e->links[i].title);
		free(e->links[i].url);
	}
	free(e->links);
	for (size_t i = 0; i < e->n_scenes; i++)
		free(e->scenes[i]);
	free(e->scenes);
	for (size_t i = 0; i < e->n_tags; i++)
		free(e->tags[i]);
	free(e->tags);
	free(e->owner);
	free(e->file);
}

void kb_snapshot_free(struct kb_snapshot *kb)
{
	if (!kb)
		return;
	for (size_t i = 0; i < kb->n_entries; i++)
		entry_free(&kb->entries[i]);
	free(kb->entries);
	for (size_t i = 0; i < kb->n_langs; i++) {
		struct kb_lang *L = &kb->lang[i];

		free(kb->langs[i]);
		idx_free(L->ix);
		free(L->doc_entry);
		idx_scratch_free(L->scratch);
		free(L->allow);
		free(L->boost);
	}
	tok_analyzer_free(kb->an);
	strmap_free(kb->ids);
	free(kb->tl);
	free(kb->name);
	free(kb);
}

static bool valid_id(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > LIM_ID)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

static bool valid_date(const char *s)
{
	int y, m, dd;
	char tail;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &dd, &tail) != 3)
		return false;
	return y >= 1970 && y <= 9999 && m >= 1 && m <= 12 && dd >= 1 && dd <= 31 && s[4] == '-' && s[7] == '-';
}

static int lang_index(const struct kb_snapshot *kb, const char *code)
{
	for (size_t i = 0; i < kb->n_langs; i++)
		if (!strcmp(kb->langs[i], code))
			return (int)i;
	return -1;
}

/* A string array field: NULL/absent is fine; anything else must be strings. */
static int string_array(const cJSON *a, size_t max, size_t max_bytes, char ***out, size_t *n,
			const struct src *sf, int ei, const char *key, const char *id, struct kb_diag *d)
{
	int line, col, k = 0;
	const cJSON *it;

	*out = NULL;
	*n = 0;
	if (!a)
		return 0;
	if (!cJSON_IsArray(a)) {
		pos_of(sf, ei, key, -1, &line, &col);
		diag(d, 1, sf->file, line, col, "entry \"%s\": \"%s\" must be an array of strings", id, key);
		return -EINVAL;
	}
	if ((size_t)cJSON_GetArraySize(a) > max) {
		pos_of(sf, ei, key, -1, &line, &col);
		diag(d, 1, sf->file, line, col, "entry \"%s\": \"%s\" has %d items (at most %zu)", id, key, cJSON_GetArraySize(a), max);
		return -EINVAL;
	}
	*out = calloc((size_t)cJSON_GetArraySize(a) + 1, sizeof(char *));
	if (!*out)
		return -ENOMEM;
	cJSON_ArrayForEach(it, a) {
		const char *s = cJSON_GetStringValue(it);
		size_t sl = s ? strlen(s) : 0;
		bool blank = true;

		for (size_t i = 0; i < sl; i++)
			if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n')
				blank = false;
		if (!s || blank || sl > max_bytes) {
			pos_of(sf, ei, key, k, &line, &col);
			diag(d, 1, sf->file, line, col, "entry \"%s\": %s[%d] must be a non-empty string of at most %zu bytes",
			     id, key, k, max_bytes);
			return -EINVAL;
		}
		(*out)[*n] = strdup(s);
		if (!(*out)[*n])
			return -ENOMEM;
		(*n)++;
		k++;
	}
	return 0;
}

static const char *const entry_keys[] = {
	"id", "lang", "questions", "answer", "quick_replies", "links", "scenes", "tags",
	"owner", "review", "valid_from", "valid_until", NULL
};

/* Parse one entry object into kb->entries; returns 0 or -EINVAL (reported). */
static int parse_entry(struct kb_snapshot *kb, const cJSON *o, const char *file_lang, const struct src *sf,
		       int ei, struct kb_diag *d)
{
	struct kb_entry e;
	const cJSON *f;
	const char *id, *lang;
	int line, col, bad = 0;

	memset(&e, 0, sizeof(e));
	pos_of(sf, ei, NULL, -1, &line, &col);
	if (!cJSON_IsObject(o)) {
		diag(d, 1, sf->file, line, col, "entries[%d] must be an object", ei);
		return -EINVAL;
	}
	id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "id"));
	if (!id) {
		diag(d, 1, sf->file, line, col, "entries[%d]: missing \"id\" (a string)", ei);
		return -EINVAL;
	}
	if (!valid_id(id)) {
		pos_of(sf, ei, "id", -1, &line, &col);
		diag(d, 1, sf->file, line, col, "entry \"%s\": id must be 1-%d characters of a-z 0-9 - _", id, LIM_ID);
		return -EINVAL;
	}
	cJSON_ArrayForEach(f, o) {
		bool known = false;

		for (int k = 0; entry_keys[k]; k++)
			known |= !strcmp(f->string, entry_keys[k]);
		if (!known) {
			pos_of(sf, ei, f->string, -2, &line, &col);
			diag(d, 1, sf->file, line, col, "entry \"%s\": unknown field \"%s\"", id, f->string);
			bad = 1;
		}
	}
	lang = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "lang"));
	if (!lang)
		lang = file_lang;
	if (!lang || lang_index(kb, lang) < 0) {
		pos_of(sf, ei, lang ? "lang" : NULL, -1, &line, &col);
		diag(d, 1, sf->file, line, col, "entry \"%s\": language \"%s\" is not declared in kb.json", id, lang ? lang : "(none)");
		return -EINVAL;
	}
	e.id = strdup(id);
	e.file = strdup(sf->file);
	snprintf(e.lang, sizeof(e.lang), "%s", lang);
	pos_of(sf, ei, NULL, -1, &e.line, &e.col);
	if (!e.id || !e.file)
		goto oom;

	f = cJSON_GetObjectItemCaseSensitive(o, "questions");
	if (!f) {
		diag(d, 1, sf->file, e.line, e.col, "entry \"%s\": missing \"questions\"", id);
		bad = 1;
	} else if (string_array(f, LIM_QUESTIONS, LIM_QUESTION_BYTES, &e.questions, &e.n_questions, sf, ei, "questions", id, d)) {
		bad = 1;
	} else if (!e.n_questions) {
		pos_of(sf, ei, "questions", -1, &line, &col);
		diag(d, 1, sf->file, line, col, "entry \"%s\": \"questions\" is empty", id);
		bad = 1;
	}
	f = cJSON_GetObjectItemCaseSensitive(o, "answer");
	if (!f) {
		diag(d, 1, sf->file, e.line, e.col, "entry \"%s\": missing \"answer\"", id);
		bad = 1;
	} else if (!cJSON_IsString(f) || !*f->valuestring || strlen(f->valuestring) > LIM_ANSWER_BYTES) {
		pos_of(sf, ei, "answer", -1, &line, &col);
		diag(d, 1, sf->file, line, col, "entry \"%s\": \"answer\" must be a non-empty string of at most %d bytes", id, LIM_ANSWER_BYTES);
		bad = 1;
	} else if (!(e.answer = strdup(f->valuestring))) {
		goto oom;
	}
	if (string_array(cJSON_GetObjectItemCaseSensitive(o, "quick_replies"), LIM_QUICK_REPLIES, LIM_QUESTION_BYTES,
			 &e.quick_replies, &e.n_quick, sf, ei, "quick_replies", id, d) ||
	    string_array(cJSON_GetObjectItemCaseSensitive(o, "scenes"), LIM_SCENES, LIM_ID,
			 &e.scenes, &e.n_scenes, sf, ei, "scenes", id, d) ||
	    string_array(cJSON_GetObjectItemCaseSensitive(o, "tags"), LIM_TAGS, LIM_ID,
			 &e.tags, &e.n_tags, sf, ei, "tags", id, d))
		bad = 1;
	f = cJSON_GetObjectItemCaseSensitive(o, "links");
	if (f) {
		const cJSON *l;
		int k = 0;

		if (!cJSON_IsArray(f) || cJSON_GetArraySize(f) > LIM_LINKS) {
			pos_of(sf, ei, "links", -1, &line, &col);
			diag(d, 1, sf->file, line, col, "entry \"%s\": \"links\" must be an array of at most %d {title, url}", id, LIM_LINKS);
			bad = 1;
		} else {
			e.links = calloc((size_t)cJSON_GetArraySize(f) + 1, sizeof(*e.links));
			if (!e.links)
				goto oom;
			cJSON_ArrayForEach(l, f) {
				const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(l, "title"));
				const char *u = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(l, "url"));

				if (!t || !*t || !u || strlen(t) > 200 || strlen(u) > 2000 ||
				    !(!strncmp(u, "https://", 8) || !strncmp(u, "http://", 7) || (u[0] == '/' && u[1] != '/'))) {
					pos_of(sf, ei, "links", k, &line, &col);
					diag(d, 1, sf->file, line, col,
					     "entry \"%s\": links[%d] needs a title and a url starting with https://, http:// or /", id, k);
					bad = 1;
				} else {
					e.links[e.n_links].title = strdup(t);
					e.links[e.n_links].url = strdup(u);
					e.n_links++;
					if (!e.links[e.n_links - 1].title || !e.links[e.n_links - 1].url)
						goto oom;
				}
				k++;
			}
		}
	}
	f = cJSON_GetObjectItemCaseSensitive(o, "owner");
	if (f) {
		if (!cJSON_IsString(f)) {
			pos_of(sf, ei, "owner", -1, &line, &col);
			diag(d, 1, sf->file, line, col, "entry \"%s\": \"owner\" must be a string", id);
			bad = 1;
		} else if (!(e.owner = strdup(f->valuestring))) {
			goto oom;
		}
	}
	{
		static const char *dk[] = { "review", "valid_from", "valid_until" };
		char *dst[] = { e.review, e.valid_from, e.valid_until };

		for (int k = 0; k < 3; k++) {
			f = cJSON_GetObjectItemCaseSensitive(o, dk[k]);
			if (!f)
				continue;
			if (!cJSON_IsString(f) || !valid_date(f->valuestring)) {
				pos_of(sf, ei, dk[k], -1, &line, &col);
				diag(d, 1, sf->file, line, col, "entry \"%s\": \"%s\" must be a date YYYY-MM-DD", id, dk[k]);
				bad = 1;
			} else {
				memcpy(dst[k], f->valuestring, 11);
			}
		}
		if (e.valid_from[0] && e.valid_until[0] && strcmp(e.valid_from, e.valid_until) > 0) {
			diag(d, 1, sf->file, e.line, e.col, "entry \"%s\": valid_from is after valid_until", id);
			bad = 1;
		}
	}
	if (bad) {
		entry_free(&e);
		return -EINVAL;
	}
	/* Duplicate id in the same language. */
	{
		char key[LIM_ID + 16];
		int kl = snprintf(key, sizeof(key), "%s %s", e.lang, e.id), ins;
		uint32_t *first = strmap_put(kb->ids, key, (size_t)kl, (uint32_t)kb->n_entries, &ins);

		if (!first)
			goto oom;
		if (!ins) {
			const struct kb_entry *o2 = &kb->entries[*first];

			diag(d, 1, sf->file, e.line, e.col, "entry \"%s\": duplicate id (first defined at %s:%d:%d)",
			     e.id, o2->file, o2->line, o2->col);
			entry_free(&e);
			return -EINVAL;
		}
	}
	if (kb->n_entries >= LIM_KB_ENTRIES) {
		diag(d, 1, sf->file, e.line, e.col, "too many entries (the limit is %d)", LIM_KB_ENTRIES);
		entry_free(&e);
		return -E2BIG;
	}
	if (kb->n_entries == kb->cap_entries) {
		size_t nc = kb->cap_entries ? kb->cap_entries * 2 : 64;
		struct kb_entry *ne = realloc(kb->entries, nc * sizeof(*ne));

		if (!ne)
			goto oom;
		kb->entries = ne;
		kb->cap_entries = nc;
	}
	kb->entries[kb->n_entries++] = e;
	return 0;
oom:
	diag(d, 1, sf->file, e.line, e.col, "out of memory");
	entry_free(&e);
	return -ENOMEM;
}

static void load_entry_file(struct kb_snapshot *kb, const char *path, struct kb_diag *d)
{
	struct src sf = { path, NULL, 0, NULL, NULL, 0 };
	char *text = read_file(path, &sf.len, d);
	cJSON *j = NULL;
	const cJSON *ents, *it;
	const char *lang;
	int line, col, ei = 0;

	if (!text)
		return;
	sf.text = text;
	j = parse(path, text, sf.len, d);
	if (!j)
		goto out;
	if (!cJSON_IsObject(j)) {
		diag(d, 1, path, 1, 1, "an entry file must be an object {\"lang\": ..., \"entries\": [...]}");
		goto out;
	}
	cJSON_ArrayForEach(it, j) {
		if (strcmp(it->string, "lang") && strcmp(it->string, "entries")) {
			size_t o = jpos_find_key(text, sf.len, 0, it->string, NULL);

			jpos_line_col(text, sf.len, o == SIZE_MAX ? 0 : o, &line, &col);
			diag(d, 1, path, line, col, "unknown field \"%s\" (expected \"lang\" and \"entries\")", it->string);
		}
	}
	lang = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "lang"));
	ents = cJSON_GetObjectItemCaseSensitive(j, "entries");
	if (!cJSON_IsArray(ents)) {
		diag(d, 1, path, 1, 1, "missing \"entries\" (an array)");
		goto out;
	}
	index_entries(&sf, (size_t)cJSON_GetArraySize(ents));
	cJSON_ArrayForEach(it, ents)
		parse_entry(kb, it, lang, &sf, ei++, d);
out:
	free(sf.ent_line);
	free(sf.ent_col);
	cJSON_Delete(j);
	free(text);
}

/* ---- kb.json, synonyms, user dictionary ---- */

static int load_manifest(struct kb_snapshot *kb, const char *dir, struct kb_diag *d)
{
	char path[4096];
	size_t len;
	char *text;
	cJSON *j = NULL;
	const cJSON *langs, *it, *th;
	int rc = -EINVAL;

	snprintf(path, sizeof(path), "%s/kb.json", dir);
	text = read_file(path, &len, d);
	if (!text)
		return -ENOENT;
	j = parse(path, text, len, d);
	if (!j)
		goto out;
	kb->name = strdup(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "name")) ?
			  cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "name")) : "faqbot KB");
	langs = cJSON_GetObjectItemCaseSensitive(j, "languages");
	if (!cJSON_IsArray(langs) || !cJSON_GetArraySize(langs) || cJSON_GetArraySize(langs) > LIM_LANGS) {
		diag(d, 1, path, 1, 1, "\"languages\" must be an array of 1-%d language codes, e.g. [\"en\", \"zh\"]", LIM_LANGS);
		goto out;
	}
	cJSON_ArrayForEach(it, langs) {
		const char *c = cJSON_GetStringValue(it);

		if (!c || strlen(c) < 2 || strlen(c) > 7) {
			diag(d, 1, path, 1, 1, "\"languages\": each must be a code such as \"en\" or \"zh\"");
			goto out;
		}
		kb->langs[kb->n_langs++] = strdup(c);
	}
	kb->p_in = 0.8;
	th = cJSON_GetObjectItemCaseSensitive(j, "in_scope_share");
	if (th) {
		if (!cJSON_IsNumber(th) || th->valuedouble <= 0 || th->valuedouble >= 1) {
			diag(d, 1, path, 1, 1, "\"in_scope_share\" must be a number between 0 and 1 (exclusive)");
			goto out;
		}
		kb->p_in = th->valuedouble;
	}
	th = cJSON_GetObjectItemCaseSensitive(j, "thresholds");
	if (th) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(th, "answer");
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(th, "margin");
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(th, "clarify");

		if (!cJSON_IsNumber(a) || !cJSON_IsNumber(m) || !cJSON_IsNumber(c) || c->valuedouble > a->valuedouble) {
			diag(d, 1, path, 1, 1, "\"thresholds\" needs numbers answer, margin and clarify, with clarify <= answer");
			goto out;
		}
		kb->cfg_th.answer = (float)a->valuedouble;
		kb->cfg_th.margin = (float)m->valuedouble;
		kb->cfg_th.clarify = (float)c->valuedouble;
		kb->has_cfg_th = true;
	}
	rc = 0;
out:
	cJSON_Delete(j);
	free(text);
	return rc;
}

static void load_synonyms(struct kb_snapshot *kb, const char *dir, struct kb_diag *d)
{
	char path[4096];
	struct stat st;
	size_t len;
	char *text;
	cJSON *j;
	const cJSON *sets, *set;
	int k = 0;

	snprintf(path, sizeof(path), "%s/synonyms.json", dir);
	if (stat(path, &st))
		return;
	text = read_file(path, &len, d);
	if (!text)
		return;
	j = parse(path, text, len, d);
	sets = cJSON_GetObjectItemCaseSensitive(j, "sets");
	if (j && !cJSON_IsArray(sets))
		diag(d, 1, path, 1, 1, "expected {\"sets\": [[\"word\", \"synonym\", ...], ...]}");
	if (!cJSON_IsArray(sets))
		sets = NULL;
	cJSON_ArrayForEach(set, sets) {
		const char *members[LIM_SYN_MEMBERS];
		size_t n = 0;
		const cJSON *m;
		bool ok = cJSON_IsArray(set) && cJSON_GetArraySize(set) >= 2 && cJSON_GetArraySize(set) <= LIM_SYN_MEMBERS;
		int line, col;
		size_t o = jpos_find_index(text, len, jpos_find_key(text, len, 0, "sets", NULL), k);

		jpos_line_col(text, len, o == SIZE_MAX ? 0 : o, &line, &col);
		if (k >= LIM_SYN_SETS) {
			diag(d, 1, path, line, col, "too many synonym sets (the limit is %d)", LIM_SYN_SETS);
			break;
		}
		const cJSON *set_ok = ok ? set : NULL;

		cJSON_ArrayForEach(m, set_ok) {
			if (!cJSON_IsString(m) || !*m->valuestring || strlen(m->valuestring) > 200)
				ok = false;
			else
				members[n++] = m->valuestring;
		}
		if (!ok)
			diag(d, 1, path, line, col, "sets[%d]: a set is 2-%d non-empty strings", k, LIM_SYN_MEMBERS);
		else if (tok_add_synonyms(kb->an, members, n))
			diag(d, 1, path, line, col, "sets[%d]: each member must be 1-%d words that are not all stop words",
			     k, LIM_SYN_WORDS);
		k++;
	}
	cJSON_Delete(j);
	free(text);
}

/* ---- building ---- */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * The duplicate-detection form of a question: folded (case, full-width),
 * Traditional Chinese left as typed, punctuation dropped, spaces collapsed.
 */
static size_t norm_key(const char *q, char *out, size_t cap)
{
	size_t i = 0, n = 0, len = strlen(q);
	bool space = false;

	while (i < len && n + 5 < cap) {
		uint32_t cp = str_fold(str_utf8_next(q, len, &i));
		enum str_class cl = str_class_of(cp);

		if (cl == STR_SPACE || cl == STR_JOINER) {
			space = n > 0;
			continue;
		}
		if (space)
			out[n++] = ' ';
		space = false;
		n += str_utf8_put(out + n, cp);
	}
	out[n] = '\0';
	return n;
}

struct var_ref {
	uint32_t entry;
	uint16_t q;
};

/* Cross-validate: hold out entries (out of scope) and variants (in scope). */
static void calibrate(struct kb_snapshot *kb, struct kb_lang *L, const struct idx_builder *b,
		      const struct var_ref *vr, size_t nv, const struct idx_params *base)
{
	int repeats = nv < CV_SMALL ? CV_REPEATS : 1;
	size_t cap = (size_t)repeats * FOLDS * CV_SAMPLES;
	struct dec_sample *in = malloc(cap * sizeof(*in));
	struct dec_sample *oos = malloc(cap * sizeof(*oos));
	uint32_t *dfold = malloc((L->n_docs + 1) * sizeof(uint32_t));
	uint8_t *skip = malloc(nv + 1), *allow = malloc(L->n_docs + 1);
	uint16_t *ord = malloc((nv + 1) * sizeof(uint16_t));
	uint16_t *count = calloc(L->n_docs + 1, sizeof(uint16_t));
	size_t n_in = 0, n_oos = 0;

	if (!in || !oos || !skip || !allow || !ord || !count || !dfold || L->n_docs < 4)
		goto out;
	for (size_t v = 0; v < nv; v++) {
		uint32_t doc = idx_builder_doc_of(b, v);

		ord[v] = count[doc]++;
	}
	/*
	 * Small KBs give few samples per fold, and the cut would depend on which
	 * entries happened to share a fold: repeat with other assignments.
	 */
	for (int rep = 0; rep < repeats * FOLDS; rep++) {
		int f = rep % FOLDS;
		uint32_t shift = (uint32_t)(rep / FOLDS);

		if (f == 0)
			for (uint32_t dd = 0; dd < L->n_docs; dd++)
				dfold[dd] = (uint32_t)(((dd + 1) * 2654435761u >> (shift * 3)) + dd * shift) % FOLDS;
		struct idx_params p = *base;
		struct idx *ix;
		size_t want_in = 0, want_oos = 0, step_in, step_oos, seen_in = 0, seen_oos = 0;

		for (size_t v = 0; v < nv; v++) {
			uint32_t doc = idx_builder_doc_of(b, v);

			skip[v] = (dfold[doc] == (uint32_t)f) || (count[doc] >= 2 && (ord[v] + shift) % FOLDS == (uint32_t)f);
			if (dfold[doc] == (uint32_t)f)
				want_oos++;
			else if (skip[v])
				want_in++;
		}
		for (uint32_t dd = 0; dd < L->n_docs; dd++)
			allow[dd] = dfold[dd] != (uint32_t)f;
		p.skip_variant = skip;
		p.mode = idx_mode_of(L->ix);
		ix = idx_build(b, L->n_docs, &p);
		if (!ix)
			goto out;
		step_in = want_in / CV_SAMPLES + 1;
		step_oos = want_oos / CV_SAMPLES + 1;
		for (size_t v = 0; v < nv; v++) {
			uint32_t doc = idx_builder_doc_of(b, v);
			bool is_oos = dfold[doc] == (uint32_t)f;
			struct idx_hit h[2];
			size_t nh;
			struct dec_sample s;
			const char *q;

			if (!skip[v])
				continue;
			if (is_oos ? (seen_oos++ % step_oos) : (seen_in++ % step_in))
				continue;
			q = kb->entries[vr[v].entry].questions[vr[v].q];
			if (tok_run(kb->an, q, strlen(q), 0, kb->tl))
				continue;
			nh = idx_search(ix, L->scratch, kb->tl, allow, NULL, h, 2, NULL);
			if (!nh)
				continue;
			s.top = h[0].score;
			s.margin = nh > 1 ? h[0].score - h[1].score : h[0].score;
			s.correct = h[0].doc == doc;
			if (is_oos && n_oos < cap)
				oos[n_oos++] = s;
			else if (!is_oos && n_in < cap)
				in[n_in++] = s;
		}
		idx_free(ix);
	}
	if (!dec_calibrate(in, n_in, oos, n_oos, kb->p_in, &L->th))
		L->th_source = 1;
out:
	free(in);
	free(oos);
	free(skip);
	free(allow);
	free(ord);
	free(count);
	free(dfold);
}

/*
 * The answer's words as the KB's domain, in pieces short enough that the
 * tokenizer keeps every word (it keeps LIM_TOKENS a run), cut at a space or
 * else at a character boundary. Returns 0 or -ENOMEM.
 */
static int add_domain(struct kb_snapshot *kb, struct idx_builder *b, const char *text)
{
	size_t len = strlen(text), at = 0;

	while (at < len) {
		size_t n = len - at > DOMAIN_PIECE ? DOMAIN_PIECE : len - at;

		if (at + n < len) {
			size_t k = n;

			while (k > 0 && text[at + k] != ' ')
				k--;
			if (k)
				n = k;
			else
				while (n > 1 && ((unsigned char)text[at + n] & 0xC0) == 0x80)
					n--;
		}
		if (!tok_run(kb->an, text + at, n, 0, kb->tl) && idx_builder_domain(b, kb->tl))
			return -ENOMEM;
		at += n;
	}
	return 0;
}

static void add_alias(void *arg, const char *from, const char *to)
{
	idx_builder_alias(arg, from, to);   /* on ENOMEM the alias is just missing: typo tolerance is best effort */
}

static int build_lang(struct kb_snapshot *kb, struct kb_lang *L, const struct kb_options *opt, struct kb_diag *d)
{
	struct idx_builder *b = idx_builder_new();
	struct var_ref *vr = NULL;
	size_t nv = 0, cap = 0;
	struct strmap *seen = strmap_new();
	struct idx_params p;
	int rc = -ENOMEM;
	double t0;

	if (!b || !seen)
		goto out;
	L->doc_entry = malloc((kb->n_entries + 1) * sizeof(uint32_t));
	if (!L->doc_entry)
		goto out;
	for (size_t i = 0; i < kb->n_entries; i++) {
		struct kb_entry *e = &kb->entries[i];

		if (strcmp(e->lang, L->code))
			continue;
		L->doc_entry[L->n_docs] = (uint32_t)i;
		if (e->valid_from[0] || e->valid_until[0])
			L->any_window = true;
		if (e->n_scenes)
			L->any_scene = true;
		if (add_domain(kb, b, e->answer))
			goto out;
		for (size_t q = 0; q < e->n_questions; q++) {
			char key[LIM_QUESTION_BYTES * 2];
			size_t kl = norm_key(e->questions[q], key, sizeof(key));
			uint32_t *first;
			int ins;

			first = strmap_put(seen, key, kl, (uint32_t)i, &ins);
			if (!first)
				goto out;
			if (!ins) {
				const struct kb_entry *o = &kb->entries[*first];

				if (o != e)
					diag(d, 1, e->file, e->line, e->col,
					     "entry \"%s\": question \"%s\" is also a question of entry \"%s\" (%s:%d:%d)",
					     e->id, e->questions[q], o->id, o->file, o->line, o->col);
				else
					diag(d, 0, e->file, e->line, e->col, "entry \"%s\": question \"%s\" is listed twice", e->id, e->questions[q]);
				continue;
			}
			if (tok_run(kb->an, e->questions[q], strlen(e->questions[q]), TOK_LEARN, kb->tl))
				continue;   /* cannot happen: validated UTF-8 */
			if (!kb->tl->n) {
				diag(d, 0, e->file, e->line, e->col, "entry \"%s\": questions[%zu] \"%s\" has only stop words and never matches",
				     e->id, q, e->questions[q]);
				continue;
			}
			if (idx_builder_add(b, L->n_docs, kb->tl) < 0)
				goto out;
			if (nv == cap) {
				struct var_ref *n2 = realloc(vr, (cap = cap ? cap * 2 : 256) * sizeof(*vr));

				if (!n2)
					goto out;
				vr = n2;
			}
			vr[nv].entry = (uint32_t)i;
			vr[nv].q = (uint16_t)q;
			nv++;
		}
		L->n_docs++;
	}
	if (d->errors) {
		rc = -EINVAL;
		goto out;
	}
	tok_synonym_words(kb->an, add_alias, b);
	idx_params_default(&p);
	p.mode = opt->mode;

	t0 = now_ms();
	L->ix = idx_build(b, L->n_docs, &p);
	L->scratch = idx_scratch_new(L->n_docs);
	L->allow = malloc(L->n_docs + 1);
	L->boost = calloc(L->n_docs + 1, sizeof(float));
	if (!L->ix || !L->scratch || !L->allow || !L->boost)
		goto out;
	kb->st.train_ms += now_ms() - t0;
	kb->st.mode = idx_mode_of(L->ix);
	kb->st.variants += nv;
	kb->st.terms += idx_terms(L->ix);
	kb->st.postings += idx_postings(L->ix);
	kb->st.postings_bytes += idx_postings_bytes(L->ix);
	kb->st.index_bytes += idx_bytes(L->ix) + idx_scratch_bytes(L->scratch) +
			      (kb->n_entries + 1) * sizeof(uint32_t) + (L->n_docs + 1) * (1 + sizeof(float));
	dec_defaults(idx_mode_of(L->ix), &L->th);
	if (kb->has_cfg_th) {
		L->th = kb->cfg_th;
		L->th_source = 2;
	} else if (opt->calibrate) {
		t0 = now_ms();
		calibrate(kb, L, b, vr, nv, &p);
		kb->st.calibrate_ms += now_ms() - t0;
	}
	rc = 0;
out:
	strmap_free(seen);
	free(vr);
	idx_builder_free(b);
	return rc;
}

void kb_options_default(struct kb_options *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = IDX_AUTO;
	o->calibrate = true;
}

struct kb_snapshot *kb_load(const char *dir, const struct kb_options *opt, struct kb_diag *d)
{
	struct kb_snapshot *kb = calloc(1, sizeof(*kb));
	struct tok_config tc;
	char **files = NULL, path[4096], err[512];
	size_t nf = 0;
	double t0 = now_ms();
	struct stat st;

	if (!kb || !(kb->tl = malloc(sizeof(*kb->tl))) || !(kb->ids = strmap_new())) {
		diag(d, 1, dir, 0, 0, "out of memory");
		goto fail;
	}
	if (load_manifest(kb, dir, d))
		goto fail;
	memset(&tc, 0, sizeof(tc));
	for (size_t i = 0; i < kb->n_langs; i++)
		tc.langs[tc.n_langs++] = kb->langs[i];
	tc.dict_path = opt->dict_path;
	tc.t2s_config = opt->t2s_config;
	kb->an = tok_analyzer_new(&tc, err, sizeof(err));
	if (!kb->an) {
		snprintf(path, sizeof(path), "%s/kb.json", dir);
		diag(d, 1, path, 0, 0, "%s", err);
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/userdict.txt", dir);
	if (!stat(path, &st) && tok_load_userdict(kb->an, path))
		diag(d, 1, path, 0, 0, "cannot read the user dictionary");
	/* Entries first: their files are the KB; synonyms are applied to their tokens. */
	load_synonyms(kb, dir, d);
	{
		static const char *const not_entries[] = { "kb.json", "synonyms.json", NULL };
		int rc = dirlist_json(dir, not_entries, LIM_KB_FILES, &files, &nf);

		if (rc == -E2BIG)
			diag(d, 1, dir, 0, 0, "too many files (the limit is %d)", LIM_KB_FILES);
		else if (rc == -ENOENT)
			diag(d, 1, dir, 0, 0, "cannot open directory: %s", strerror(errno));
		else if (rc)
			diag(d, 1, dir, 0, 0, "out of memory");
		if (rc)
			goto fail;
	}
	for (size_t i = 0; i < nf; i++)
		load_entry_file(kb, files[i], d);
	if (!kb->n_entries && !d->errors)
		diag(d, 1, dir, 0, 0, "no entries: add entry files (docs/kb-format.md)");
	if (d->errors)
		goto fail;
	for (size_t i = 0; i < kb->n_langs; i++) {
		struct kb_lang *L = &kb->lang[i];

		snprintf(L->code, sizeof(L->code), "%s", kb->langs[i]);
		if (build_lang(kb, L, opt, d))
			goto fail;
	}
	if (d->errors)
		goto fail;
	/* Review dates that have passed. */
	{
		time_t now = opt->today ? opt->today : time(NULL);
		struct tm tm;
		char today[11];

		gmtime_r(&now, &tm);
		strftime(today, sizeof(today), "%Y-%m-%d", &tm);
		for (size_t i = 0; i < kb->n_entries; i++) {
			const struct kb_entry *e = &kb->entries[i];

			if (e->review[0] && strcmp(e->review, today) < 0)
				diag(d, 0, e->file, e->line, e->col, "entry \"%s\": review date %s has passed", e->id, e->review);
		}
	}
	for (size_t i = 0; i < kb->n_entries; i++)
		for (size_t q = 0; q < kb->entries[i].n_questions; q++)
			kb->st.text_bytes += strlen(kb->entries[i].questions[q]);
	kb->st.entries = kb->n_entries;
	kb->st.analyzer_bytes = tok_bytes(kb->an);
	kb->st.load_ms = now_ms() - t0;
	dirlist_free(files, nf);
	return kb;
fail:
	dirlist_free(files, nf);
	kb_snapshot_free(kb);
	return NULL;
}

/* ---- accessors ---- */

size_t kb_entry_count(const struct kb_snapshot *kb) { return kb->n_entries; }
const struct kb_entry *kb_entry_at(const struct kb_snapshot *kb, size_t i) { return i < kb->n_entries ? &kb->entries[i] : NULL; }
const char *kb_name(const struct kb_snapshot *kb) { return kb->name; }
struct tok_analyzer *kb_analyzer(const struct kb_snapshot *kb) { return kb->an; }
void kb_stats(const struct kb_snapshot *kb, struct kb_stats *st) { *st = kb->st; }

size_t kb_langs(const struct kb_snapshot *kb, const char *const **langs)
{
	*langs = (const char *const *)kb->langs;
	return kb->n_langs;
}

const struct kb_entry *kb_find(const struct kb_snapshot *kb, const char *id, const char *lang)
{
	for (size_t i = 0; i < kb->n_langs; i++) {
		char key[LIM_ID + 16];
		int kl;
		uint32_t *at;

		if (lang && strcmp(lang, kb->langs[i]))
			continue;
		kl = snprintf(key, sizeof(key), "%s %s", kb->langs[i], id);
		if (kl <= 0 || (size_t)kl >= sizeof(key))
			return NULL;
		at = strmap_get(kb->ids, key, (size_t)kl);
		if (at && *at < kb->n_entries)
			return &kb->entries[*at];
	}
	return NULL;
}

const struct dec_thresholds *kb_thresholds(const struct kb_snapshot *kb, const char *lang)
{
	int li = lang ? lang_index(kb, lang) : 0;

	return &kb->lang[li < 0 ? 0 : li].th;
}

/* ---- matching ---- */

/* The language to match in: the text's script first, then the hint, then the default. */
static struct kb_lang *pick_lang(struct kb_snapshot *kb, const struct tok_list *tl, const char *hint)
{
	int li = -1;

	if (tl->han_chars && tl->han_chars * 2 >= tl->word_chars / 3)
		li = lang_index(kb, "zh");
	if (li < 0 && tl->word_chars) {
		/* The first declared language that is not Chinese. */
		for (size_t i = 0; i < kb->n_langs && li < 0; i++)
			if (strcmp(kb->langs[i], "zh"))
				li = (int)i;
	}
	if (li < 0 && hint)
		li = lang_index(kb, hint);
	if (li < 0 && tl->han_chars)
		li = lang_index(kb, "zh");
	return &kb->lang[li < 0 ? 0 : li];
}

static bool in_list(const char *id, const char *const *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] && !strcmp(ids[i], id))
			return true;
	return false;
}

static bool in_window(const struct kb_entry *e, const char *today)
{
	return (!e->valid_from[0] || strcmp(today, e->valid_from) >= 0) &&
	       (!e->valid_until[0] || strcmp(today, e->valid_until) <= 0);
}

bool kb_entry_valid(const struct kb_entry *e, time_t now)
{
	struct tm tm;
	char today[11];

	if (!now)
		now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	return in_window(e, today);
}

/*
 * Tokenize (unless q brings its tokens; *tl: the tokens used), pick the
 * language, fill allow and boost; returns the language or NULL.
 */
static struct kb_lang *prepare(struct kb_snapshot *kb, const struct kb_query *q, int *rc, const uint8_t **allow,
			       const float **boost, const struct tok_list **tl)
{
	struct kb_lang *L;

	*rc = 0;
	if (q->toks) {
		*tl = q->toks;
	} else {
		*tl = kb->tl;
		*rc = tok_run(kb->an, q->text, q->len, 0, kb->tl);
		if (*rc)
			return NULL;
	}
	L = pick_lang(kb, *tl, q->lang);
	*allow = NULL;
	*boost = NULL;
	if (L->any_window || q->n_exclude) {
		time_t now = q->now ? q->now : time(NULL);
		struct tm tm;
		char today[11];

		gmtime_r(&now, &tm);
		strftime(today, sizeof(today), "%Y-%m-%d", &tm);
		for (uint32_t dd = 0; dd < L->n_docs; dd++) {
			const struct kb_entry *e = &kb->entries[L->doc_entry[dd]];

			L->allow[dd] = in_window(e, today) && !in_list(e->id, q->exclude_ids, q->n_exclude);
		}
		*allow = L->allow;
	}
	if ((L->any_scene && q->scene && *q->scene) || q->n_boost) {
		float b = idx_mode_of(L->ix) == IDX_BM25 ? SCENE_BOOST_BM25 : SCENE_BOOST_TRAINED;
		bool any = false;

		for (uint32_t dd = 0; dd < L->n_docs; dd++) {
			const struct kb_entry *e = &kb->entries[L->doc_entry[dd]];
			bool mine = in_list(e->id, q->boost_ids, q->n_boost);

			for (size_t s = 0; s < e->n_scenes && !mine && q->scene; s++)
				mine = !strcmp(e->scenes[s], q->scene);
			L->boost[dd] = mine ? b : 0;
			any |= mine;
		}
		if (any)
			*boost = L->boost;
	}
	return L;
}

int kb_match(struct kb_snapshot *kb, const struct kb_query *q, struct kb_result *out)
{
	struct kb_lang *L;
	const uint8_t *allow;
	const float *boost;
	const struct tok_list *tl;
	int rc;

	memset(out, 0, sizeof(*out));
	out->verdict = DEC_FALLBACK;
	if (!q->text)
		return -EINVAL;
	L = prepare(kb, q, &rc, &allow, &boost, &tl);
	if (!L)
		return rc;
	out->lang = L->code;
	if (!tl->n)
		return 0;   /* only stop words ("hi"): nothing to match */
	out->n_top = idx_search(L->ix, L->scratch, tl, allow, boost, out->top, LIM_CANDIDATES + 1, &out->info);
	for (size_t i = 0; i < out->n_top; i++)
		out->top_entry[i] = &kb->entries[L->doc_entry[out->top[i].doc]];
	out->verdict = dec_decide(&L->th, out->top, out->n_top, out->info.known + out->info.typo, &out->n_cand);
	for (size_t i = 0; i < out->n_cand; i++) {
		out->cand[i] = out->top_entry[i];
		out->score[i] = out->top[i].score;
	}
	return 0;
}

/* Print s left-aligned in a column of w terminal cells (Han characters take two). */
static void pad(FILE *fp, const char *s, int w)
{
	size_t i = 0, len = strlen(s);
	int cells = 0;

	while (i < len)
		cells += str_script_of(str_utf8_next(s, len, &i)) == SCRIPT_HAN ? 2 : 1;
	fprintf(fp, "%s%*s ", s, cells < w ? w - cells : 0, "");
}

int kb_explain(struct kb_snapshot *kb, const struct kb_query *q, FILE *fp)
{
	static const char *mname[] = { "exact", "typo", "unknown" };
	struct kb_result r;
	struct idx_contrib c[LIM_TOKENS];
	struct tok_list *vt = NULL;
	struct kb_lang *L;
	const uint8_t *allow;
	const float *boost;
	const struct tok_list *tl;
	int rc = kb_match(kb, q, &r);

	if (rc)
		return rc;
	L = prepare(kb, q, &rc, &allow, &boost, &tl);
	if (!L)
		return rc;
	fprintf(fp, "language %s, %zu word(s) matched exactly, %zu by typo tolerance, %zu unknown; known share %.2f\n",
		L->code, r.info.known, r.info.typo, r.info.unknown, r.info.known_share);
	fprintf(fp, "thresholds: answer >= %.3f with margin >= %.3f, clarify >= %.3f (%s)\n", L->th.answer, L->th.margin,
		L->th.clarify, L->th_source == 2 ? "kb.json" : L->th_source == 1 ? "derived by cross-validation" : "defaults");
	vt = malloc(sizeof(*vt));
	if (!vt)
		return -ENOMEM;
	for (size_t i = 0; i < r.n_top && i < LIM_CANDIDATES; i++) {
		const struct kb_entry *e = r.top_entry[i];
		float bias;
		size_t n;

		/* kb_match's tokens were overwritten by prepare(): same text, same tokens. */
		n = idx_explain(L->ix, tl, r.top[i].doc, c, LIM_TOKENS, &bias);
		fprintf(fp, "#%zu %s  score %.3f  (constant %.3f%s)\n", i + 1, e->id, r.top[i].score, bias,
			boost && boost[r.top[i].doc] ? ", scene boost included" : "");
		for (size_t k = 0; k < n; k++) {
			const char *variant = "";

			if (c[k].match != IDX_MATCH_UNKNOWN && c[k].weight != 0) {
				for (size_t v = 0; v < e->n_questions && !*variant; v++) {
					if (tok_run(kb->an, e->questions[v], strlen(e->questions[v]), 0, vt))
						continue;
					for (size_t t = 0; t < vt->n; t++)
						if (!strcmp(vt->t[t].term, c[k].term))
							variant = e->questions[v];
				}
			}
			fprintf(fp, "    ");
			pad(fp, c[k].surface, 16);
			pad(fp, c[k].term, 16);
			fprintf(fp, "%-7s %+.3f  %s%s%s\n", mname[c[k].match], c[k].weight,
				*variant ? "\"" : "", variant, *variant ? "\"" : "");
		}
		/* The variant loop reused the analyzer: re-tokenize the query for the next candidate. */
		if (tl == kb->tl)
			tok_run(kb->an, q->text, q->len, 0, kb->tl);
	}
	free(vt);
	return 0;
}
