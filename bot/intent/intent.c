/*
 * intent.c - loading scenes, intents and follow-ups from an intents
 * directory (docs/intents-format.md), scene matching, intent matching with
 * slots and templates, follow-up resolution and the "ending well" helpers.
 * Reads files only in intent_load(); everything else is pure over the
 * immutable set. Every problem is reported as "file:line:col: message".
 */
#include "intent/intent.h"

#include "core/dirlist.h"
#include "core/jsonpos.h"
#include "core/str.h"
#include "intent/rule.h"
#include "intent/slot.h"
#include "intent/tmpl.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DEPTH 16            /* JSON path depth tracked for positions */
#define MAX_PREDS 16            /* predicates per scene */
#define MAX_RULES 32            /* triggers per intent */
#define MAX_LIST  64            /* strings per list (suggestions, boosts, scenes...) */
#define MAX_NOTICES 16

/* ---- the set ---- */

struct ltext {
	char lang[8];
	char *text;
};

struct texts {                   /* one text per language */
	struct ltext *v;
	size_t n;
};

struct llist {
	char lang[8];
	char **items;
	size_t n;
};

struct lists {                   /* one list per language */
	struct llist *v;
	size_t n;
};

enum pred_op { P_EQ = 0, P_IN, P_EXISTS, P_GT, P_LT, P_GE, P_LE };

struct pred {
	char *path;
	uint8_t op;
	bool negate;
	bool privileged;             /* under a privileged prefix: needs a signature in trusted-only mode */
	char **vals;
	size_t n_vals;
	double num;
};

struct notice {
	char *id;
	time_t start, end;
	struct texts text;
};

#define H_GREETING 1u
#define H_SUGGEST  2u
#define H_BOOST    4u
#define H_EXCLUDE  8u
#define H_TEAM     16u
#define H_PRIO     32u
#define H_ALWAYS   64u

struct intent_scene {
	char *id, *kb_name;
	bool is_default;
	struct pred *preds;
	size_t n_preds, total_preds, depth;
	int parent;                  /* index of the parent scene, -1 for none (the default scene's children: default) */
	unsigned has;                /* H_* set in this scene itself */
	struct texts greeting;
	struct lists suggest;
	char **boost, **exclude;
	size_t n_boost, n_exclude;
	struct notice *notices;
	size_t n_notices;
	char *team;
	int priority;
	bool always_human;
	const struct intent_set *set;
};

struct slotdef {
	char *name, *ctx_path;
	uint8_t type;
	bool required;
	struct texts prompt;
};

enum { ACT_ANSWER = 0, ACT_HANDOFF, ACT_TICKET };

struct intent {
	char *id;
	char **scenes;
	size_t n_scenes;
	int priority;
	struct rule **rules;
	size_t n_rules;
	struct slotdef *slots;
	size_t n_slots;
	uint8_t action;
	struct texts response, fallback;
	char *entry;
	struct lists quick;
	char *team;
	int handoff_prio;            /* -1: the scene's */
};

struct fu_map {
	struct rule *when;
	char *entry, *intent;
};

struct followup {
	char **after;
	size_t n_after;
	unsigned turns, minutes;
	struct fu_map *map;
	size_t n_map;
};

enum ref_kind { REF_ENTRY = 0, REF_ENTRY_OR_INTENT };

struct ref {
	char *id;
	char *where;                 /* "file:line:col: what" */
	uint8_t kind;
};

struct intent_set {
	char *langs[LIM_LANGS];
	size_t n_langs;
	char **privileged;
	size_t n_priv;
	unsigned fu_turns, fu_minutes;
	struct rule *solved_yes, *solved_no;
	struct intent_scene *scenes;
	size_t n_scenes;
	int def;
	struct intent *intents;
	size_t n_intents;
	struct followup *fus;
	size_t n_fus;
	struct ref *refs;
	size_t n_refs, cap_refs;
};

/* ---- freeing ---- */

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void texts_free(struct texts *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].text);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

static void lists_free(struct lists *l)
{
	for (size_t i = 0; i < l->n; i++)
		strv_free(l->v[i].items, l->v[i].n);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void scene_free(struct intent_scene *sc)
{
	free(sc->id);
	free(sc->kb_name);
	for (size_t i = 0; i < sc->n_preds; i++) {
		free(sc->preds[i].path);
		strv_free(sc->preds[i].vals, sc->preds[i].n_vals);
	}
	free(sc->preds);
	texts_free(&sc->greeting);
	lists_free(&sc->suggest);
	strv_free(sc->boost, sc->n_boost);
	strv_free(sc->exclude, sc->n_exclude);
	for (size_t i = 0; i < sc->n_notices; i++) {
		free(sc->notices[i].id);
		texts_free(&sc->notices[i].text);
	}
	free(sc->notices);
	free(sc->team);
}

static void intent_free(struct intent *it)
{
	free(it->id);
	strv_free(it->scenes, it->n_scenes);
	for (size_t i = 0; i < it->n_rules; i++)
		rule_free(it->rules[i]);
	free(it->rules);
	for (size_t i = 0; i < it->n_slots; i++) {
		free(it->slots[i].name);
		free(it->slots[i].ctx_path);
		texts_free(&it->slots[i].prompt);
	}
	free(it->slots);
	texts_free(&it->response);
	texts_free(&it->fallback);
	free(it->entry);
	lists_free(&it->quick);
	free(it->team);
}

void intent_set_free(struct intent_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_langs; i++)
		free(s->langs[i]);
	strv_free(s->privileged, s->n_priv);
	rule_free(s->solved_yes);
	rule_free(s->solved_no);
	for (size_t i = 0; i < s->n_scenes; i++)
		scene_free(&s->scenes[i]);
	free(s->scenes);
	for (size_t i = 0; i < s->n_intents; i++)
		intent_free(&s->intents[i]);
	free(s->intents);
	for (size_t i = 0; i < s->n_fus; i++) {
		strv_free(s->fus[i].after, s->fus[i].n_after);
		for (size_t k = 0; k < s->fus[i].n_map; k++) {
			rule_free(s->fus[i].map[k].when);
			free(s->fus[i].map[k].entry);
			free(s->fus[i].map[k].intent);
		}
		free(s->fus[i].map);
	}
	free(s->fus);
	for (size_t i = 0; i < s->n_refs; i++) {
		free(s->refs[i].id);
		free(s->refs[i].where);
	}
	free(s->refs);
	free(s);
}

size_t intent_count(const struct intent_set *s) { return s->n_intents; }
size_t intent_scene_count(const struct intent_set *s) { return s->n_scenes; }

/* ---- diagnostics ---- */

void intent_diag_clear(struct intent_diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->msgs[i]);
	memset(d, 0, sizeof(*d));
}

__attribute__((format(printf, 3, 0)))
static void vdiag(struct intent_diag *d, int is_error, const char *fmt, va_list ap)
{
	char msg[1024];

	if (is_error)
		d->errors++;
	else
		d->warnings++;
	if (d->n >= LIM_ERRORS)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	d->msgs[d->n] = strdup(msg);
	if (d->msgs[d->n])
		d->n++;
}

__attribute__((format(printf, 3, 4)))
static void diag(struct intent_diag *d, int is_error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(d, is_error, fmt, ap);
	va_end(ap);
}

/* ---- the loader ---- */

struct jp {
	const char *key;             /* object member, or NULL for an array index */
	int idx;
};

struct file {
	char *path;
	char *text;
	size_t len;
	cJSON *root;
};

struct loader {
	struct intent_set *s;
	struct intent_diag *d;
	struct tok_analyzer *an;
	const struct file *f;
	struct jp path[MAX_DEPTH];
	int depth;
	const char *what;            /* "scene \"x\"", for messages */
	char whatbuf[LIM_ID + 32];
};

static void push_key(struct loader *L, const char *key)
{
	if (L->depth < MAX_DEPTH)
		L->path[L->depth] = (struct jp){ key, -1 };
	L->depth++;
}

static void push_idx(struct loader *L, int idx)
{
	if (L->depth < MAX_DEPTH)
		L->path[L->depth] = (struct jp){ NULL, idx };
	L->depth++;
}

static void pop(struct loader *L) { L->depth--; }

/* Byte offset of the current path in the file (0 when it cannot be found). */
static size_t cur_off(const struct loader *L)
{
	size_t o = 0;

	for (int i = 0; i < L->depth && i < MAX_DEPTH; i++) {
		size_t k = L->path[i].key ? jpos_find_key(L->f->text, L->f->len, o, L->path[i].key, NULL)
					  : jpos_find_index(L->f->text, L->f->len, o, L->path[i].idx);

		if (k == SIZE_MAX)
			break;
		o = k;
	}
	return o;
}

/* "file:line:col: " for the current path, plus extra byte offset inside a string value. */
static void where(const struct loader *L, size_t extra, char *out, size_t cap)
{
	int line, col;
	size_t o = cur_off(L);

	if (extra && o < L->f->len && L->f->text[o] == '"')
		o += 1 + extra;
	jpos_line_col(L->f->text, L->f->len, o, &line, &col);
	snprintf(out, cap, "%s:%d:%d: ", L->f->path, line, col);
}

__attribute__((format(printf, 4, 5)))
static void report(struct loader *L, int is_error, size_t extra, const char *fmt, ...)
{
	char head[600], msg[900];
	va_list ap;

	where(L, extra, head, sizeof(head));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag(L->d, is_error, "%s%s%s%s%s", head, is_error ? "" : "warning: ", L->what ? L->what : "",
	     L->what ? ": " : "", msg);
}

#define ERR(L, ...) report((L), 1, 0, __VA_ARGS__)
#define WARN(L, ...) report((L), 0, 0, __VA_ARGS__)

/* Report members of o not in allowed (NULL-terminated). */
static void check_keys(struct loader *L, const cJSON *o, const char *const *allowed)
{
	for (const cJSON *m = o->child; m; m = m->next) {
		size_t i;

		for (i = 0; allowed[i]; i++)
			if (!strcmp(m->string, allowed[i]))
				break;
		if (!allowed[i]) {
			push_key(L, m->string);
			ERR(L, "unknown field \"%s\"", m->string);
			pop(L);
		}
	}
}

static int add_ref(struct loader *L, const char *id, enum ref_kind kind, const char *what)
{
	struct intent_set *s = L->s;
	char head[600], buf[900];

	if (s->n_refs == s->cap_refs) {
		size_t nc = s->cap_refs ? s->cap_refs * 2 : 32;
		struct ref *nr = realloc(s->refs, nc * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		s->refs = nr;
		s->cap_refs = nc;
	}
	where(L, 0, head, sizeof(head));
	snprintf(buf, sizeof(buf), "%s%s%s%s", head, L->what ? L->what : "", L->what ? ": " : "", what);
	s->refs[s->n_refs].id = strdup(id);
	s->refs[s->n_refs].where = strdup(buf);
	s->refs[s->n_refs].kind = (uint8_t)kind;
	if (!s->refs[s->n_refs].id || !s->refs[s->n_refs].where) {
		free(s->refs[s->n_refs].id);
		free(s->refs[s->n_refs].where);
		return -ENOMEM;
	}
	s->n_refs++;
	return 0;
}

static bool valid_id(const char *s, bool dots)
{
	size_t n = strlen(s);

	if (!n || n > LIM_ID)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.' && dots && i > 0 && i + 1 < n && s[i - 1] != '.')
			continue;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

static bool valid_path(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= CONTEXT_PATH_BYTES || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_' || (c == '.' && s[i - 1] != '.')))
			return false;
	}
	return true;
}

static bool has_lang(const struct intent_set *s, const char *lang)
{
	for (size_t i = 0; i < s->n_langs; i++)
		if (!strcmp(s->langs[i], lang))
			return true;
	return false;
}

/* ---- typed values ---- */

/* A string member: 0, -ENOENT when absent, -EINVAL when reported, -ENOMEM. */
static int get_string(struct loader *L, const cJSON *o, const char *key, char **out, bool required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	int rc = 0;

	*out = NULL;
	if (!v) {
		if (required)
			ERR(L, "missing \"%s\"", key);
		return required ? -EINVAL : -ENOENT;
	}
	push_key(L, key);
	if (!cJSON_IsString(v) || !*v->valuestring) {
		ERR(L, "\"%s\" must be a non-empty string", key);
		rc = -EINVAL;
	} else if (strlen(v->valuestring) > LIM_ANSWER_BYTES) {
		ERR(L, "\"%s\" is too long (at most %d bytes)", key, LIM_ANSWER_BYTES);
		rc = -EINVAL;
	} else if (!(*out = strdup(v->valuestring))) {
		rc = -ENOMEM;
	}
	pop(L);
	return rc;
}

static int get_bool(struct loader *L, const cJSON *o, const char *key, bool *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v)
		return -ENOENT;
	if (!cJSON_IsBool(v)) {
		push_key(L, key);
		ERR(L, "\"%s\" must be true or false", key);
		pop(L);
		return -EINVAL;
	}
	*out = cJSON_IsTrue(v);
	return 0;
}

static int get_int(struct loader *L, const cJSON *o, const char *key, int min, int max, int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v)
		return -ENOENT;
	if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int)v->valuedouble || v->valuedouble < min ||
	    v->valuedouble > max) {
		push_key(L, key);
		ERR(L, "\"%s\" must be a whole number from %d to %d", key, min, max);
		pop(L);
		return -EINVAL;
	}
	*out = (int)v->valuedouble;
	return 0;
}

/* An array of non-empty strings (at most max). valid, if given, checks each one. */
static int get_strv(struct loader *L, const cJSON *o, const char *key, char ***out, size_t *n, size_t max,
		    bool (*valid)(const char *), const char *valid_what)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key), *e;
	int rc = 0, i = 0;

	*out = NULL;
	*n = 0;
	if (!v)
		return -ENOENT;
	push_key(L, key);
	if (!cJSON_IsArray(v)) {
		ERR(L, "\"%s\" must be an array of strings", key);
		rc = -EINVAL;
		goto out;
	}
	if ((size_t)cJSON_GetArraySize(v) > max) {
		ERR(L, "\"%s\" has too many items (at most %zu)", key, max);
		rc = -EINVAL;
		goto out;
	}
	*out = calloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(char *));
	if (!*out) {
		rc = -ENOMEM;
		goto out;
	}
	cJSON_ArrayForEach(e, v) {
		push_idx(L, i++);
		if (!cJSON_IsString(e) || !*e->valuestring || strlen(e->valuestring) > LIM_QUESTION_BYTES) {
			ERR(L, "\"%s\" items must be non-empty strings of at most %d bytes", key, LIM_QUESTION_BYTES);
			rc = -EINVAL;
		} else if (valid && !valid(e->valuestring)) {
			ERR(L, "\"%s\" is not %s", e->valuestring, valid_what);
			rc = -EINVAL;
		} else if (!((*out)[*n] = strdup(e->valuestring))) {
			rc = -ENOMEM;
		} else {
			(*n)++;
		}
		pop(L);
	}
out:
	pop(L);
	return rc;
}

/* Collects the variables of a template that are not inside an optional part. */
struct vars {
	char names[16][TMPL_NAME_BYTES];
	size_t n;
};

static void collect_var(void *arg, const char *name, int optional)
{
	struct vars *v = arg;

	if (!optional && v->n < 16)
		snprintf(v->names[v->n++], TMPL_NAME_BYTES, "%s", name);
}

/* Check one template string at the current path; adds its required variables to vars. */
static int check_template(struct loader *L, const char *t, struct vars *vars)
{
	size_t off;
	const char *what;

	if (tmpl_check(t, &off, &what, vars ? collect_var : NULL, vars)) {
		report(L, 1, off, "template: %s", what);
		return -EINVAL;
	}
	return 0;
}

static int texts_add(struct texts *t, const char *lang, const char *text)
{
	struct ltext *nv = realloc(t->v, (t->n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	t->v = nv;
	snprintf(t->v[t->n].lang, sizeof(t->v[t->n].lang), "%s", lang);
	t->v[t->n].text = strdup(text);
	if (!t->v[t->n].text)
		return -ENOMEM;
	t->n++;
	return 0;
}

/*
 * Per-language text: {"en": "...", "zh": "..."} or one string for every
 * language. Templates are checked when tmpl is set; vars collects their
 * required variables.
 */
static int get_texts(struct loader *L, const cJSON *o, const char *key, struct texts *t, bool required, bool tmpl,
		     struct vars *vars)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key), *e;
	int rc = 0;

	if (!v) {
		if (required)
			ERR(L, "missing \"%s\"", key);
		return required ? -EINVAL : -ENOENT;
	}
	push_key(L, key);
	if (cJSON_IsString(v) && *v->valuestring) {
		if (strlen(v->valuestring) > LIM_ANSWER_BYTES) {
			ERR(L, "\"%s\" is too long (at most %d bytes)", key, LIM_ANSWER_BYTES);
			rc = -EINVAL;
		} else if (!tmpl || !(rc = check_template(L, v->valuestring, vars))) {
			rc = texts_add(t, "", v->valuestring);
		}
		goto out;
	}
	if (!cJSON_IsObject(v) || !v->child) {
		ERR(L, "\"%s\" must be a string or an object of texts per language, e.g. {\"en\": \"...\", \"zh\": \"...\"}", key);
		rc = -EINVAL;
		goto out;
	}
	cJSON_ArrayForEach(e, v) {
		int r = 0;

		push_key(L, e->string);
		if (!has_lang(L->s, e->string)) {
			ERR(L, "language \"%s\" is not one of the settings' languages", e->string);
			r = -EINVAL;
		} else if (!cJSON_IsString(e) || !*e->valuestring) {
			ERR(L, "\"%s\" text must be a non-empty string", e->string);
			r = -EINVAL;
		} else if (strlen(e->valuestring) > LIM_ANSWER_BYTES) {
			ERR(L, "\"%s\" text is too long (at most %d bytes)", e->string, LIM_ANSWER_BYTES);
			r = -EINVAL;
		} else if (!tmpl || !(r = check_template(L, e->valuestring, vars))) {
			r = texts_add(t, e->string, e->valuestring);
		}
		if (r && !rc)
			rc = r;
		pop(L);
	}
out:
	pop(L);
	return rc;
}

/* Per-language lists: {"en": [...], "zh": [...]} or one array for every language. */
static int get_lists(struct loader *L, const cJSON *o, const char *key, struct lists *l, size_t max)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key), *e;
	int rc = 0;

	if (!v)
		return -ENOENT;
	if (cJSON_IsArray(v)) {
		struct llist *nl = calloc(1, sizeof(*nl));

		if (!nl)
			return -ENOMEM;
		l->v = nl;
		l->n = 1;
		return get_strv(L, o, key, &nl->items, &nl->n, max, NULL, NULL);
	}
	push_key(L, key);
	if (!cJSON_IsObject(v)) {
		ERR(L, "\"%s\" must be an array of strings or an object of arrays per language", key);
		rc = -EINVAL;
		goto out;
	}
	cJSON_ArrayForEach(e, v) {
		struct llist *nl;
		int r;

		if (!has_lang(L->s, e->string)) {
			push_key(L, e->string);
			ERR(L, "language \"%s\" is not one of the settings' languages", e->string);
			pop(L);
			rc = -EINVAL;
			continue;
		}
		nl = realloc(l->v, (l->n + 1) * sizeof(*nl));
		if (!nl) {
			rc = -ENOMEM;
			break;
		}
		l->v = nl;
		memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
		snprintf(l->v[l->n].lang, sizeof(l->v[l->n].lang), "%s", e->string);
		r = get_strv(L, v, e->string, &l->v[l->n].items, &l->v[l->n].n, max, NULL, NULL);
		l->n++;
		if (r && !rc)
			rc = r;
	}
out:
	pop(L);
	return rc;
}

/* The text for lang: exact, then the language-neutral one, then the set's first language, then any. */
static const char *texts_get(const struct intent_set *s, const struct texts *t, const char *lang)
{
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < t->n; i++) {
			const char *want = pass == 0 ? (lang ? lang : "") : pass == 1 ? "" : s->langs[0];

			if (!strcmp(t->v[i].lang, want))
				return t->v[i].text;
		}
	return t->n ? t->v[0].text : NULL;
}

static const struct llist *lists_get(const struct intent_set *s, const struct lists *l, const char *lang)
{
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < l->n; i++) {
			const char *want = pass == 0 ? (lang ? lang : "") : pass == 1 ? "" : s->langs[0];

			if (!strcmp(l->v[i].lang, want))
				return &l->v[i];
		}
	return l->n ? &l->v[0] : NULL;
}

/* A trigger rule object: {"all": [...], "any": [...], "not": [...], "allow": [...], "max_extra": N} or {"phrase": "..."}. */
static int get_rule(struct loader *L, const cJSON *o, struct rule **out)
{
	static const char *const keys[] = { "all", "any", "not", "allow", "max_extra", "phrase", NULL };
	static const char *const lname[] = { "all", "any", "not", "allow" };
	char **lists[RULE_LISTS] = { 0 };
	char *phrase = NULL;
	struct rule_spec spec = { .max_extra = -1 };
	struct rule_error err;
	int rc = 0, r;

	*out = NULL;
	if (!cJSON_IsObject(o)) {
		ERR(L, "a trigger must be an object such as {\"any\": [\"word\", \"a phrase\"]}");
		return -EINVAL;
	}
	check_keys(L, o, keys);
	for (int l = 0; l < RULE_LISTS; l++) {
		r = get_strv(L, o, lname[l], &lists[l], &spec.n[l], MAX_LIST * 2, NULL, NULL);
		if (r && r != -ENOENT)
			rc = r;
		spec.items[l] = (const char *const *)lists[l];
	}
	r = get_string(L, o, "phrase", &phrase, false);
	if (r && r != -ENOENT)
		rc = r;
	if (phrase) {
		if (spec.n[RULE_ALL]) {
			ERR(L, "use either \"phrase\" or \"all\"");
			rc = -EINVAL;
		} else {
			spec.items[RULE_ALL] = (const char *const *)&phrase;
			spec.n[RULE_ALL] = 1;
		}
	}
	r = get_int(L, o, "max_extra", 0, LIM_TOKENS, &spec.max_extra);
	if (r && r != -ENOENT)
		rc = r;
	if (rc)
		goto out;
	rc = rule_compile(L->an, &spec, out, &err);
	if (rc == -EINVAL) {
		if (err.list >= 0) {
			push_key(L, phrase && err.list == RULE_ALL ? "phrase" : lname[err.list]);
			if (!(phrase && err.list == RULE_ALL))
				push_idx(L, (int)err.item);
			ERR(L, "%s", err.msg);
			if (!(phrase && err.list == RULE_ALL))
				pop(L);
			pop(L);
		} else {
			ERR(L, "%s", err.msg);
		}
	}
out:
	for (int l = 0; l < RULE_LISTS; l++)
		strv_free(lists[l], spec.items[l] == (const char *const *)&phrase ? 0 : spec.n[l]);
	free(phrase);
	return rc;
}

/* ---- times ---- */

static long days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* ISO 8601: YYYY-MM-DD[(T| )HH:MM[:SS]][Z|+HH:MM|-HH:MM|+HHMM]; no zone = UTC. */
static int parse_time(const char *s, time_t *out)
{
	static const int dim[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = digits(s, 4), mo, d, h = 0, mi = 0, se = 0, off = 0;
	size_t n = strlen(s), i = 10;

	if (n < 10 || y < 1970 || s[4] != '-' || s[7] != '-')
		return -EINVAL;
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (mo < 1 || mo > 12 || d < 1 || d > dim[mo - 1] ||
	    (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)))
		return -EINVAL;
	if (i < n && (s[i] == 'T' || s[i] == ' ')) {
		if (n < i + 6 || s[i + 3] != ':')
			return -EINVAL;
		h = digits(s + i + 1, 2);
		mi = digits(s + i + 4, 2);
		i += 6;
		if (i < n && s[i] == ':') {
			se = digits(s + i + 1, 2);
			i += 3;
			if (i > n)
				return -EINVAL;
		}
		if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
			return -EINVAL;
	}
	if (i < n && s[i] == 'Z') {
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		int oh, om;
		int sign = s[i] == '-' ? -1 : 1;

		if (n >= i + 6 && s[i + 3] == ':') {
			oh = digits(s + i + 1, 2);
			om = digits(s + i + 4, 2);
			i += 6;
		} else if (n >= i + 5) {
			oh = digits(s + i + 1, 2);
			om = digits(s + i + 3, 2);
			i += 5;
		} else {
			return -EINVAL;
		}
		if (oh < 0 || oh > 14 || om < 0 || om > 59)
			return -EINVAL;
		off = sign * (oh * 3600 + om * 60);
	}
	if (i != n)
		return -EINVAL;
	*out = (time_t)(days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400L + h * 3600L + mi * 60L + se - off);
	return 0;
}

/* ---- settings ---- */

static int load_settings(struct loader *L, const cJSON *o)
{
	static const char *const keys[] = { "languages", "privileged", "followup", "solved", NULL };
	struct intent_set *s = L->s;
	const cJSON *v;
	char **langs = NULL;
	size_t nl = 0;
	int rc = 0, r, x;

	if (!cJSON_IsObject(o)) {
		ERR(L, "\"settings\" must be an object");
		return -EINVAL;
	}
	check_keys(L, o, keys);
	r = get_strv(L, o, "languages", &langs, &nl, LIM_LANGS, NULL, NULL);
	if (!r && nl) {
		for (size_t i = 0; i < s->n_langs; i++)
			free(s->langs[i]);
		for (size_t i = 0; i < nl; i++) {
			if (strlen(langs[i]) >= 8) {
				push_key(L, "languages");
				ERR(L, "\"%s\" is not a language code", langs[i]);
				pop(L);
				rc = -EINVAL;
			}
			s->langs[i] = langs[i];
		}
		s->n_langs = nl;
		free(langs);
	} else {
		strv_free(langs, nl);
		if (r && r != -ENOENT)
			rc = r;
	}
	r = get_strv(L, o, "privileged", &langs, &nl, MAX_LIST, valid_path, "a context path");
	if (!r) {
		strv_free(s->privileged, s->n_priv);
		s->privileged = langs;
		s->n_priv = nl;
	} else {
		strv_free(langs, nl);
		if (r != -ENOENT)
			rc = r;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "followup");
	if (v) {
		static const char *const fk[] = { "turns", "minutes", NULL };

		push_key(L, "followup");
		if (!cJSON_IsObject(v)) {
			ERR(L, "\"followup\" must be an object {\"turns\": N, \"minutes\": M}");
			rc = -EINVAL;
		} else {
			check_keys(L, v, fk);
			if (!(r = get_int(L, v, "turns", 1, 100, &x)))
				s->fu_turns = (unsigned)x;
			else if (r != -ENOENT)
				rc = r;
			if (!(r = get_int(L, v, "minutes", 1, 24 * 60, &x)))
				s->fu_minutes = (unsigned)x;
			else if (r != -ENOENT)
				rc = r;
		}
		pop(L);
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "solved");
	if (v) {
		static const char *const sk[] = { "yes", "no", NULL };

		push_key(L, "solved");
		if (!cJSON_IsObject(v)) {
			ERR(L, "\"solved\" must be an object {\"yes\": trigger, \"no\": trigger}");
			rc = -EINVAL;
		} else {
			check_keys(L, v, sk);
			for (int k = 0; k < 2; k++) {
				const cJSON *t = cJSON_GetObjectItemCaseSensitive(v, sk[k]);
				struct rule **dst = k ? &s->solved_no : &s->solved_yes;

				if (!t)
					continue;
				push_key(L, sk[k]);
				rule_free(*dst);
				*dst = NULL;
				r = get_rule(L, t, dst);
				if (r)
					rc = r;
				pop(L);
			}
		}
		pop(L);
	}
	return rc;
}

/* ---- scenes ---- */

static int num_text(const cJSON *v, char *buf, size_t cap)
{
	if (cJSON_IsString(v) && *v->valuestring)
		return snprintf(buf, cap, "%s", v->valuestring) < (int)cap ? 0 : -E2BIG;
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (d == (double)(long long)d && d > -1e15 && d < 1e15)
			snprintf(buf, cap, "%lld", (long long)d);
		else
			snprintf(buf, cap, "%.15g", d);
		return 0;
	}
	return -EINVAL;
}

static int pred_vals(struct pred *p, const char *const *v, size_t n)
{
	p->vals = calloc(n ? n : 1, sizeof(char *));
	if (!p->vals)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		p->vals[i] = strdup(v[i]);
		if (!p->vals[i])
			return -ENOMEM;
		p->n_vals++;
	}
	return 0;
}

/* One predicate on path from its JSON form (see docs/intents-format.md). */
static int parse_pred(struct loader *L, const cJSON *v, struct pred *p, int depth)
{
	static const char *const hint = "a condition must be a string (equals), an array (one of), true/false (present or not), "
					"or an object with one of eq, in, exists, not, gt, lt, gte, lte";
	char buf[CONTEXT_VALUE_BYTES];
	const char *one[1] = { buf };

	if (cJSON_IsString(v) || cJSON_IsNumber(v)) {
		if (num_text(v, buf, sizeof(buf))) {
			ERR(L, "%s", hint);
			return -EINVAL;
		}
		p->op = P_EQ;
		return pred_vals(p, one, 1);
	}
	if (cJSON_IsBool(v)) {
		p->op = P_EXISTS;
		p->negate ^= !cJSON_IsTrue(v);
		return 0;
	}
	if (cJSON_IsArray(v)) {
		const cJSON *e;

		if (!cJSON_GetArraySize(v) || cJSON_GetArraySize(v) > MAX_LIST) {
			ERR(L, "a list of values must have 1 to %d items", MAX_LIST);
			return -EINVAL;
		}
		p->op = P_IN;
		p->vals = calloc((size_t)cJSON_GetArraySize(v), sizeof(char *));
		if (!p->vals)
			return -ENOMEM;
		cJSON_ArrayForEach(e, v) {
			if (num_text(e, buf, sizeof(buf))) {
				ERR(L, "list values must be strings or numbers");
				return -EINVAL;
			}
			p->vals[p->n_vals] = strdup(buf);
			if (!p->vals[p->n_vals])
				return -ENOMEM;
			p->n_vals++;
		}
		return 0;
	}
	if (cJSON_IsObject(v) && v->child && !v->child->next) {
		const cJSON *c = v->child;
		const char *op = c->string;
		int rc = 0;

		push_key(L, op);
		if (!strcmp(op, "eq") && (cJSON_IsString(c) || cJSON_IsNumber(c))) {
			rc = parse_pred(L, c, p, depth);
		} else if (!strcmp(op, "in") && cJSON_IsArray(c)) {
			rc = parse_pred(L, c, p, depth);
		} else if (!strcmp(op, "exists") && cJSON_IsBool(c)) {
			rc = parse_pred(L, c, p, depth);
		} else if (!strcmp(op, "not") && depth == 0) {
			p->negate = !p->negate;
			rc = parse_pred(L, c, p, depth + 1);
		} else if ((!strcmp(op, "gt") || !strcmp(op, "lt") || !strcmp(op, "gte") || !strcmp(op, "lte")) &&
			   cJSON_IsNumber(c)) {
			p->op = op[0] == 'g' ? (op[2] ? P_GE : P_GT) : (op[2] ? P_LE : P_LT);
			p->num = c->valuedouble;
		} else {
			ERR(L, "%s", hint);
			rc = -EINVAL;
		}
		pop(L);
		return rc;
	}
	ERR(L, "%s", hint);
	return -EINVAL;
}

static bool is_privileged(const struct intent_set *s, const char *path)
{
	for (size_t i = 0; i < s->n_priv; i++) {
		size_t l = strlen(s->privileged[i]);

		if (!strncmp(path, s->privileged[i], l) && (path[l] == '\0' || path[l] == '.'))
			return true;
	}
	return false;
}

static int load_when(struct loader *L, const cJSON *o, struct intent_scene *sc)
{
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(o, "when"), *e;
	int rc = 0;

	if (!w)
		return 0;
	push_key(L, "when");
	if (!cJSON_IsObject(w) || cJSON_GetArraySize(w) > MAX_PREDS) {
		ERR(L, "\"when\" must be an object of conditions, e.g. {\"page\": \"order_detail\", \"order.status\": \"shipped\"} "
		       "(at most %d)", MAX_PREDS);
		pop(L);
		return -EINVAL;
	}
	sc->preds = calloc((size_t)cJSON_GetArraySize(w) + 1, sizeof(struct pred));
	if (!sc->preds) {
		pop(L);
		return -ENOMEM;
	}
	cJSON_ArrayForEach(e, w) {
		struct pred *p = &sc->preds[sc->n_preds];
		int r;

		push_key(L, e->string);
		if (!valid_path(e->string)) {
			ERR(L, "\"%s\" is not a context path (letters, digits, '_', '-', dots between names)", e->string);
			rc = -EINVAL;
			pop(L);
			continue;
		}
		p->path = strdup(e->string);
		sc->n_preds++;
		if (!p->path) {
			rc = -ENOMEM;
			pop(L);
			break;
		}
		p->privileged = is_privileged(L->s, p->path);
		r = parse_pred(L, e, p, 0);
		if (r)
			rc = r;
		pop(L);
	}
	pop(L);
	return rc;
}

static int load_notices(struct loader *L, const cJSON *o, struct intent_scene *sc)
{
	static const char *const keys[] = { "id", "start", "end", "text", NULL };
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "notices"), *e;
	int rc = 0, i = 0;

	if (!a)
		return 0;
	push_key(L, "notices");
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > MAX_NOTICES) {
		ERR(L, "\"notices\" must be an array (at most %d)", MAX_NOTICES);
		pop(L);
		return -EINVAL;
	}
	sc->notices = calloc((size_t)cJSON_GetArraySize(a) + 1, sizeof(struct notice));
	if (!sc->notices) {
		pop(L);
		return -ENOMEM;
	}
	cJSON_ArrayForEach(e, a) {
		struct notice *nt = &sc->notices[sc->n_notices];
		char *st = NULL, *en = NULL;
		int r;

		push_idx(L, i);
		if (!cJSON_IsObject(e)) {
			ERR(L, "a notice must be an object {\"id\", \"start\", \"end\", \"text\"}");
			rc = -EINVAL;
			pop(L);
			i++;
			continue;
		}
		sc->n_notices++;
		check_keys(L, e, keys);
		r = get_string(L, e, "id", &nt->id, false);
		if (r == -ENOENT) {
			char id[LIM_ID + 16];

			snprintf(id, sizeof(id), "%s#%d", sc->id, i + 1);
			nt->id = strdup(id);
			r = nt->id ? 0 : -ENOMEM;
		}
		if (r)
			rc = r;
		if (get_string(L, e, "start", &st, true) || get_string(L, e, "end", &en, true)) {
			rc = -EINVAL;
		} else {
			push_key(L, "start");
			if (parse_time(st, &nt->start)) {
				ERR(L, "\"%s\" is not an ISO 8601 time such as 2026-11-25T08:00:00+08:00", st);
				rc = -EINVAL;
			}
			pop(L);
			push_key(L, "end");
			if (parse_time(en, &nt->end)) {
				ERR(L, "\"%s\" is not an ISO 8601 time such as 2026-11-27T20:00:00Z", en);
				rc = -EINVAL;
			} else if (nt->end <= nt->start) {
				ERR(L, "the notice ends before it starts");
				rc = -EINVAL;
			}
			pop(L);
		}
		free(st);
		free(en);
		r = get_texts(L, e, "text", &nt->text, true, false, NULL);
		if (r)
			rc = r;
		pop(L);
		i++;
	}
	pop(L);
	return rc;
}

static int get_priority(struct loader *L, const cJSON *o, int *out)
{
	static const char *const names[] = { "normal", "high", "urgent" };
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "priority");

	if (!v)
		return -ENOENT;
	for (int i = 0; i < 3; i++)
		if (cJSON_IsString(v) && !strcmp(v->valuestring, names[i])) {
			*out = i;
			return 0;
		}
	push_key(L, "priority");
	ERR(L, "\"priority\" must be \"normal\", \"high\" or \"urgent\"");
	pop(L);
	return -EINVAL;
}

static bool valid_entry_id(const char *s) { return valid_id(s, false); }

static int load_scene(struct loader *L, const cJSON *o)
{
	static const char *const keys[] = { "id", "default", "kb_scene", "when", "greeting", "suggestions", "boost",
					    "exclude", "notices", "handoff", NULL };
	struct intent_set *s = L->s;
	struct intent_scene *sc, *ns;
	const cJSON *h;
	int rc = 0, r;
	bool b;

	if (!cJSON_IsObject(o)) {
		ERR(L, "a scene must be an object");
		return -EINVAL;
	}
	ns = realloc(s->scenes, (s->n_scenes + 1) * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	s->scenes = ns;
	sc = &s->scenes[s->n_scenes++];
	memset(sc, 0, sizeof(*sc));
	sc->parent = -1;
	sc->set = s;
	if (get_string(L, o, "id", &sc->id, true)) {
		s->n_scenes--;   /* nothing else was allocated; later lookups need ids */
		return -EINVAL;
	}
	snprintf(L->whatbuf, sizeof(L->whatbuf), "scene \"%s\"", sc->id);
	L->what = L->whatbuf;
	if (!valid_id(sc->id, true)) {
		push_key(L, "id");
		ERR(L, "the id must be 1-%d characters of a-z 0-9 - _, with dots between parts (\"order_detail.shipped\")", LIM_ID);
		pop(L);
		rc = -EINVAL;
	}
	for (size_t i = 0; i + 1 < s->n_scenes; i++)
		if (!strcmp(s->scenes[i].id, sc->id)) {
			push_key(L, "id");
			ERR(L, "duplicate scene id");
			pop(L);
			rc = -EINVAL;
		}
	check_keys(L, o, keys);
	if (!get_bool(L, o, "default", &b))
		sc->is_default = b;
	r = get_string(L, o, "kb_scene", &sc->kb_name, false);
	if (r == -ENOENT) {
		size_t l = strcspn(sc->id, ".");

		sc->kb_name = strndup(sc->id, l);
		r = sc->kb_name ? 0 : -ENOMEM;
	}
	if (r)
		rc = r;
	if ((r = load_when(L, o, sc)))
		rc = r;
	if (!sc->is_default && !sc->n_preds && !r) {
		ERR(L, "a scene other than the default needs \"when\" conditions");
		rc = -EINVAL;
	}
	if (sc->is_default && sc->n_preds) {
		push_key(L, "when");
		ERR(L, "the default scene has no conditions: it is used when no other scene matches");
		pop(L);
		rc = -EINVAL;
	}
	{
		struct vars gv = { .n = 0 };

		r = get_texts(L, o, "greeting", &sc->greeting, false, true, &gv);
		if (!r)
			sc->has |= H_GREETING;
		else if (r != -ENOENT)
			rc = r;
		if (sc->is_default && gv.n) {
			push_key(L, "greeting");
			ERR(L, "the default scene's greeting is the last resort: it cannot need {%s} (put it inside [ ])",
			    gv.names[0]);
			pop(L);
			rc = -EINVAL;
		}
	}
	r = get_lists(L, o, "suggestions", &sc->suggest, MAX_LIST);
	if (!r)
		sc->has |= H_SUGGEST;
	else if (r != -ENOENT)
		rc = r;
	r = get_strv(L, o, "boost", &sc->boost, &sc->n_boost, MAX_LIST, valid_entry_id, "a KB entry id");
	if (!r)
		sc->has |= H_BOOST;
	else if (r != -ENOENT)
		rc = r;
	r = get_strv(L, o, "exclude", &sc->exclude, &sc->n_exclude, MAX_LIST, valid_entry_id, "a KB entry id");
	if (!r)
		sc->has |= H_EXCLUDE;
	else if (r != -ENOENT)
		rc = r;
	for (size_t i = 0; i < sc->n_boost; i++) {
		push_key(L, "boost");
		push_idx(L, (int)i);
		if (add_ref(L, sc->boost[i], REF_ENTRY, "boost"))
			rc = -ENOMEM;
		pop(L);
		pop(L);
	}
	for (size_t i = 0; i < sc->n_exclude; i++) {
		push_key(L, "exclude");
		push_idx(L, (int)i);
		if (add_ref(L, sc->exclude[i], REF_ENTRY, "exclude"))
			rc = -ENOMEM;
		pop(L);
		pop(L);
	}
	if ((r = load_notices(L, o, sc)))
		rc = r;
	h = cJSON_GetObjectItemCaseSensitive(o, "handoff");
	if (h) {
		static const char *const hk[] = { "team", "priority", "always_human", NULL };

		push_key(L, "handoff");
		if (!cJSON_IsObject(h)) {
			ERR(L, "\"handoff\" must be an object {\"team\", \"priority\", \"always_human\"}");
			rc = -EINVAL;
		} else {
			check_keys(L, h, hk);
			r = get_string(L, h, "team", &sc->team, false);
			if (!r)
				sc->has |= H_TEAM;
			else if (r != -ENOENT)
				rc = r;
			r = get_priority(L, h, &sc->priority);
			if (!r)
				sc->has |= H_PRIO;
			else if (r != -ENOENT)
				rc = r;
			r = get_bool(L, h, "always_human", &sc->always_human);
			if (!r)
				sc->has |= H_ALWAYS;
			else if (r != -ENOENT)
				rc = r;
		}
		pop(L);
	}
	L->what = NULL;
	return rc;
}

/* ---- intents ---- */

static bool valid_var(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= TMPL_NAME_BYTES)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

static int load_slots(struct loader *L, const cJSON *o, struct intent *it)
{
	static const char *const keys[] = { "name", "type", "context", "required", "prompt", NULL };
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "slots"), *e;
	int rc = 0, i = 0;

	if (!a)
		return 0;
	push_key(L, "slots");
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > INTENT_MAX_SLOTS) {
		ERR(L, "\"slots\" must be an array (at most %d)", INTENT_MAX_SLOTS);
		pop(L);
		return -EINVAL;
	}
	it->slots = calloc((size_t)cJSON_GetArraySize(a) + 1, sizeof(struct slotdef));
	if (!it->slots) {
		pop(L);
		return -ENOMEM;
	}
	cJSON_ArrayForEach(e, a) {
		struct slotdef *sd = &it->slots[it->n_slots];
		char *type = NULL;
		struct vars pv = { .n = 0 };
		bool req = true;
		int r;

		push_idx(L, i++);
		if (!cJSON_IsObject(e)) {
			ERR(L, "a slot must be an object {\"name\", \"type\", \"context\", \"prompt\"}");
			rc = -EINVAL;
			pop(L);
			continue;
		}
		it->n_slots++;
		check_keys(L, e, keys);
		if (get_string(L, e, "name", &sd->name, true)) {
			rc = -EINVAL;
		} else if (!valid_var(sd->name)) {
			push_key(L, "name");
			ERR(L, "\"%s\" is not a variable name (letters, digits, '_', '-', '.')", sd->name);
			pop(L);
			rc = -EINVAL;
		} else {
			for (size_t k = 0; k + 1 < it->n_slots; k++)
				if (!strcmp(it->slots[k].name, sd->name)) {
					push_key(L, "name");
					ERR(L, "duplicate slot \"%s\"", sd->name);
					pop(L);
					rc = -EINVAL;
				}
		}
		r = get_string(L, e, "type", &type, false);
		if (!r) {
			int t = slot_type_from_name(type);

			if (t < 0) {
				push_key(L, "type");
				ERR(L, "unknown slot type \"%s\" (text, order_number, email, phone, date)", type);
				pop(L);
				rc = -EINVAL;
			} else {
				sd->type = (uint8_t)t;
			}
		} else if (r != -ENOENT) {
			rc = r;
		}
		free(type);
		r = get_string(L, e, "context", &sd->ctx_path, false);
		if (!r && !valid_path(sd->ctx_path)) {
			push_key(L, "context");
			ERR(L, "\"%s\" is not a context path", sd->ctx_path);
			pop(L);
			rc = -EINVAL;
		} else if (r && r != -ENOENT) {
			rc = r;
		}
		if (get_bool(L, e, "required", &req) == -EINVAL)
			rc = -EINVAL;
		sd->required = req;
		r = get_texts(L, e, "prompt", &sd->prompt, req, true, &pv);
		if (r && r != -ENOENT)
			rc = r;
		if (pv.n) {
			push_key(L, "prompt");
			ERR(L, "a prompt cannot need {%s} (put it inside [ ])", pv.names[0]);
			pop(L);
			rc = -EINVAL;
		}
		pop(L);
	}
	pop(L);
	return rc;
}

static const struct slotdef *find_slot(const struct intent *it, const char *name)
{
	for (size_t i = 0; i < it->n_slots; i++)
		if (it->slots[i].name && !strcmp(it->slots[i].name, name))
			return &it->slots[i];
	return NULL;
}

static int load_intent(struct loader *L, const cJSON *o)
{
	static const char *const keys[] = { "id", "scenes", "priority", "triggers", "slots", "action", "response",
					    "fallback", "entry", "quick_replies", "handoff", NULL };
	struct intent_set *s = L->s;
	struct intent *it, *ni;
	const cJSON *tr, *e, *h;
	struct vars rv = { .n = 0 }, fv = { .n = 0 };
	char *action = NULL;
	int rc = 0, r, i = 0;

	if (!cJSON_IsObject(o)) {
		ERR(L, "an intent must be an object");
		return -EINVAL;
	}
	ni = realloc(s->intents, (s->n_intents + 1) * sizeof(*ni));
	if (!ni)
		return -ENOMEM;
	s->intents = ni;
	it = &s->intents[s->n_intents++];
	memset(it, 0, sizeof(*it));
	it->handoff_prio = -1;
	if (get_string(L, o, "id", &it->id, true)) {
		s->n_intents--;
		return -EINVAL;
	}
	snprintf(L->whatbuf, sizeof(L->whatbuf), "intent \"%s\"", it->id);
	L->what = L->whatbuf;
	if (!valid_id(it->id, false)) {
		push_key(L, "id");
		ERR(L, "the id must be 1-%d characters of a-z 0-9 - _", LIM_ID);
		pop(L);
		rc = -EINVAL;
	}
	for (size_t k = 0; k + 1 < s->n_intents; k++)
		if (!strcmp(s->intents[k].id, it->id)) {
			push_key(L, "id");
			ERR(L, "duplicate intent id");
			pop(L);
			rc = -EINVAL;
		}
	check_keys(L, o, keys);
	r = get_strv(L, o, "scenes", &it->scenes, &it->n_scenes, MAX_LIST, NULL, NULL);
	if (r && r != -ENOENT)
		rc = r;
	if (get_int(L, o, "priority", -100, 100, &it->priority) == -EINVAL)
		rc = -EINVAL;
	tr = cJSON_GetObjectItemCaseSensitive(o, "triggers");
	push_key(L, "triggers");
	if (!tr) {
		pop(L);
		ERR(L, "missing \"triggers\"");
		rc = -EINVAL;
	} else if (!cJSON_IsArray(tr) || !cJSON_GetArraySize(tr) || cJSON_GetArraySize(tr) > MAX_RULES) {
		ERR(L, "\"triggers\" must be an array of 1-%d trigger rules", MAX_RULES);
		pop(L);
		rc = -EINVAL;
	} else {
		it->rules = calloc((size_t)cJSON_GetArraySize(tr), sizeof(struct rule *));
		if (!it->rules) {
			pop(L);
			L->what = NULL;
			return -ENOMEM;
		}
		cJSON_ArrayForEach(e, tr) {
			push_idx(L, i++);
			r = get_rule(L, e, &it->rules[it->n_rules]);
			if (!r)
				it->n_rules++;
			else
				rc = r;
			pop(L);
		}
		pop(L);
	}
	if ((r = load_slots(L, o, it)))
		rc = r;
	r = get_string(L, o, "action", &action, false);
	if (!r) {
		if (!strcmp(action, "answer")) {
			it->action = ACT_ANSWER;
		} else if (!strcmp(action, "handoff")) {
			it->action = ACT_HANDOFF;
		} else if (!strcmp(action, "ticket")) {
			it->action = ACT_TICKET;
		} else {
			push_key(L, "action");
			ERR(L, "\"action\" must be \"answer\", \"handoff\" or \"ticket\" (asking for a slot is automatic)");
			pop(L);
			rc = -EINVAL;
		}
	} else if (r != -ENOENT) {
		rc = r;
	}
	free(action);
	r = get_string(L, o, "entry", &it->entry, false);
	if (!r) {
		push_key(L, "entry");
		if (!valid_id(it->entry, false)) {
			ERR(L, "\"%s\" is not a KB entry id", it->entry);
			rc = -EINVAL;
		} else if (add_ref(L, it->entry, REF_ENTRY, "entry")) {
			rc = -ENOMEM;
		}
		pop(L);
		if (it->action != ACT_ANSWER) {
			ERR(L, "\"entry\" is only for the \"answer\" action");
			rc = -EINVAL;
		}
	} else if (r != -ENOENT) {
		rc = r;
	}
	r = get_texts(L, o, "response", &it->response, !it->entry, true, &rv);
	if (r && r != -ENOENT)
		rc = r;
	r = get_texts(L, o, "fallback", &it->fallback, false, true, &fv);
	if (r && r != -ENOENT)
		rc = r;
	/* A text always renders: required variables are required slots, or a fallback covers them. */
	for (size_t k = 0; k < rv.n && !it->fallback.n; k++) {
		const struct slotdef *sd = find_slot(it, rv.names[k]);

		if (!sd || !sd->required) {
			push_key(L, "response");
			ERR(L, "{%s} may be missing: add a \"fallback\" text, or put it inside [ ]", rv.names[k]);
			pop(L);
			rc = -EINVAL;
			break;
		}
	}
	for (size_t k = 0; k < fv.n; k++) {
		const struct slotdef *sd = find_slot(it, fv.names[k]);

		if (!sd || !sd->required) {
			push_key(L, "fallback");
			ERR(L, "the fallback can only need required slots; {%s} is not one (put it inside [ ])", fv.names[k]);
			pop(L);
			rc = -EINVAL;
			break;
		}
	}
	r = get_lists(L, o, "quick_replies", &it->quick, LIM_QUICK_REPLIES);
	if (r && r != -ENOENT)
		rc = r;
	h = cJSON_GetObjectItemCaseSensitive(o, "handoff");
	if (h) {
		static const char *const hk[] = { "team", "priority", NULL };

		push_key(L, "handoff");
		if (!cJSON_IsObject(h)) {
			ERR(L, "\"handoff\" must be an object {\"team\", \"priority\"}");
			rc = -EINVAL;
		} else {
			check_keys(L, h, hk);
			r = get_string(L, h, "team", &it->team, false);
			if (r && r != -ENOENT)
				rc = r;
			r = get_priority(L, h, &it->handoff_prio);
			if (r && r != -ENOENT)
				rc = r;
		}
		pop(L);
	}
	L->what = NULL;
	return rc;
}

/* ---- follow-ups ---- */

static int load_followup(struct loader *L, const cJSON *o)
{
	static const char *const keys[] = { "after", "turns", "minutes", "map", NULL };
	static const char *const mk[] = { "when", "entry", "intent", NULL };
	struct intent_set *s = L->s;
	struct followup *f, *nf;
	const cJSON *m, *e;
	int rc = 0, r, x, i = 0;

	if (!cJSON_IsObject(o)) {
		ERR(L, "a follow-up must be an object {\"after\", \"map\"}");
		return -EINVAL;
	}
	nf = realloc(s->fus, (s->n_fus + 1) * sizeof(*nf));
	if (!nf)
		return -ENOMEM;
	s->fus = nf;
	f = &s->fus[s->n_fus++];
	memset(f, 0, sizeof(*f));
	f->turns = s->fu_turns;
	f->minutes = s->fu_minutes;
	check_keys(L, o, keys);
	r = get_strv(L, o, "after", &f->after, &f->n_after, MAX_LIST, valid_entry_id, "an entry or intent id");
	if (r == -ENOENT || (!r && !f->n_after)) {
		ERR(L, "missing \"after\": the entry or intent ids this follow-up continues");
		rc = -EINVAL;
	} else if (r) {
		rc = r;
	}
	for (size_t k = 0; k < f->n_after; k++) {
		push_key(L, "after");
		push_idx(L, (int)k);
		if (add_ref(L, f->after[k], REF_ENTRY_OR_INTENT, "follow-up after"))
			rc = -ENOMEM;
		pop(L);
		pop(L);
	}
	if (!(r = get_int(L, o, "turns", 1, 100, &x)))
		f->turns = (unsigned)x;
	else if (r != -ENOENT)
		rc = r;
	if (!(r = get_int(L, o, "minutes", 1, 24 * 60, &x)))
		f->minutes = (unsigned)x;
	else if (r != -ENOENT)
		rc = r;
	m = cJSON_GetObjectItemCaseSensitive(o, "map");
	push_key(L, "map");
	if (!cJSON_IsArray(m) || !cJSON_GetArraySize(m) || cJSON_GetArraySize(m) > MAX_LIST) {
		ERR(L, "\"map\" must be an array of {\"when\": trigger, \"entry\": id} or {\"when\": trigger, \"intent\": id}");
		pop(L);
		return -EINVAL;
	}
	f->map = calloc((size_t)cJSON_GetArraySize(m), sizeof(struct fu_map));
	if (!f->map) {
		pop(L);
		return -ENOMEM;
	}
	cJSON_ArrayForEach(e, m) {
		struct fu_map *fm = &f->map[f->n_map];
		const cJSON *w;

		push_idx(L, i++);
		if (!cJSON_IsObject(e)) {
			ERR(L, "a map item must be an object {\"when\", \"entry\" or \"intent\"}");
			rc = -EINVAL;
			pop(L);
			continue;
		}
		f->n_map++;
		check_keys(L, e, mk);
		w = cJSON_GetObjectItemCaseSensitive(e, "when");
		if (!w) {
			ERR(L, "missing \"when\"");
			rc = -EINVAL;
		} else {
			push_key(L, "when");
			if ((r = get_rule(L, w, &fm->when)))
				rc = r;
			pop(L);
		}
		if ((r = get_string(L, e, "entry", &fm->entry, false)) && r != -ENOENT)
			rc = r;
		if ((r = get_string(L, e, "intent", &fm->intent, false)) && r != -ENOENT)
			rc = r;
		if (!fm->entry == !fm->intent) {
			ERR(L, "give exactly one of \"entry\" and \"intent\"");
			rc = -EINVAL;
		} else if (fm->entry) {
			push_key(L, "entry");
			if (!valid_id(fm->entry, false)) {
				ERR(L, "\"%s\" is not a KB entry id", fm->entry);
				rc = -EINVAL;
			} else if (add_ref(L, fm->entry, REF_ENTRY, "follow-up entry")) {
				rc = -ENOMEM;
			}
			pop(L);
		} else {
			bool found = false;

			for (size_t k = 0; k < s->n_intents; k++)
				found |= !strcmp(s->intents[k].id, fm->intent);
			if (!found) {
				push_key(L, "intent");
				ERR(L, "unknown intent \"%s\"", fm->intent);
				pop(L);
				rc = -EINVAL;
			}
		}
		pop(L);
	}
	pop(L);
	return rc;
}

/* ---- files ---- */

static int read_file(const char *path, struct file *f, struct intent_diag *d)
{
	FILE *fp = fopen(path, "rb");
	struct stat st;
	size_t bad;
	int rc = -EINVAL;

	if (!fp) {
		diag(d, 1, "%s: cannot open: %s", path, strerror(errno));
		return -ENOENT;
	}
	if (fstat(fileno(fp), &st) || !S_ISREG(st.st_mode)) {
		diag(d, 1, "%s: not a regular file", path);
		goto out;
	}
	if ((size_t)st.st_size > INTENT_FILE_BYTES) {
		diag(d, 1, "%s: file too large (%lld bytes, the limit is %u)", path, (long long)st.st_size, INTENT_FILE_BYTES);
		goto out;
	}
	f->text = malloc((size_t)st.st_size + 1);
	if (!f->text) {
		rc = -ENOMEM;
		goto out;
	}
	f->len = fread(f->text, 1, (size_t)st.st_size, fp);
	f->text[f->len] = '\0';
	if (!str_utf8_valid(f->text, f->len, &bad)) {
		int line, col;

		jpos_line_col(f->text, f->len, bad, &line, &col);
		diag(d, 1, "%s:%d:%d: invalid UTF-8 (byte offset %zu)", path, line, col, bad);
		goto out;
	}
	{
		const char *end = NULL;

		f->root = cJSON_ParseWithLengthOpts(f->text, f->len, &end, 0);
		if (!f->root) {
			int line, col;
			size_t off = end && end >= f->text && end <= f->text + f->len ? (size_t)(end - f->text) : 0;

			jpos_line_col(f->text, f->len, off, &line, &col);
			diag(d, 1, "%s:%d:%d: invalid JSON", path, line, col);
			goto out;
		}
	}
	rc = 0;
out:
	fclose(fp);
	return rc;
}

/* Run fn on every element of the top-level array key of every file. */
static int each_item(struct loader *L, struct file *files, size_t nf, const char *key,
		     int (*fn)(struct loader *, const cJSON *))
{
	int rc = 0;

	for (size_t i = 0; i < nf; i++) {
		const cJSON *a, *e;
		int k = 0;

		if (!files[i].root)
			continue;
		a = cJSON_GetObjectItemCaseSensitive(files[i].root, key);
		if (!a)
			continue;
		L->f = &files[i];
		L->depth = 0;
		push_key(L, key);
		if (!cJSON_IsArray(a)) {
			ERR(L, "\"%s\" must be an array", key);
			rc = -EINVAL;
			pop(L);
			continue;
		}
		cJSON_ArrayForEach(e, a) {
			int r;

			push_idx(L, k++);
			r = fn(L, e);
			if (r == -ENOMEM)
				return r;
			if (r)
				rc = r;
			L->what = NULL;
			pop(L);
		}
		pop(L);
	}
	return rc;
}

/* Parents, depths and predicate totals; the default scene; intents' scene names. */
static void finish(struct loader *L, const char *dir, struct file *files, size_t nf)
{
	struct intent_set *s = L->s;
	size_t ndef = 0;

	s->def = -1;
	for (size_t i = 0; i < s->n_scenes; i++)
		if (s->scenes[i].is_default) {
			if (s->def < 0)
				s->def = (int)i;
			ndef++;
		}
	if (ndef != 1)
		diag(L->d, 1, "%s: %s", dir,
		     ndef ? "more than one scene says \"default\": true" : "no scene says \"default\": true (the scene used when no other matches)");
	for (size_t i = 0; i < s->n_scenes; i++) {
		struct intent_scene *sc = &s->scenes[i];
		char pid[LIM_ID + 1];
		const char *dot;

		if (!sc->id)
			continue;
		sc->depth = 1;
		for (const char *p = sc->id; *p; p++)
			sc->depth += *p == '.';
		snprintf(pid, sizeof(pid), "%s", sc->id);
		while ((dot = strrchr(pid, '.')) && sc->parent < 0) {
			pid[dot - pid] = '\0';
			for (size_t k = 0; k < s->n_scenes; k++)
				if (k != i && s->scenes[k].id && !strcmp(s->scenes[k].id, pid))
					sc->parent = (int)k;
		}
	}
	for (size_t i = 0; i < s->n_scenes; i++) {
		struct intent_scene *sc = &s->scenes[i];

		sc->total_preds = 0;
		for (int p = (int)i, hops = 0; p >= 0 && hops < 16; p = s->scenes[p].parent, hops++)
			sc->total_preds += s->scenes[p].n_preds;
	}
	for (size_t i = 0; i < s->n_intents; i++) {
		struct intent *it = &s->intents[i];

		for (size_t k = 0; k < it->n_scenes; k++) {
			bool found = !strcmp(it->scenes[k], "*");

			for (size_t j = 0; j < s->n_scenes && !found; j++)
				found = s->scenes[j].id && !strcmp(s->scenes[j].id, it->scenes[k]);
			if (!found) {
				/* Locate the intent for the message. */
				for (size_t f = 0; f < nf; f++) {
					const cJSON *a = files[f].root ? cJSON_GetObjectItemCaseSensitive(files[f].root, "intents") : NULL;
					int idx = 0;
					const cJSON *e;

					cJSON_ArrayForEach(e, a) {
						const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");

						if (cJSON_IsString(id) && !strcmp(id->valuestring, it->id)) {
							L->f = &files[f];
							L->depth = 0;
							push_key(L, "intents");
							push_idx(L, idx);
							push_key(L, "scenes");
							push_idx(L, (int)k);
							snprintf(L->whatbuf, sizeof(L->whatbuf), "intent \"%s\"", it->id);
							L->what = L->whatbuf;
							ERR(L, "unknown scene \"%s\" (use a scene id, a parent scene id, or \"*\")", it->scenes[k]);
							L->what = NULL;
							L->depth = 0;
						}
						idx++;
					}
				}
			}
		}
	}
}

struct intent_set *intent_load(const char *dir, struct tok_analyzer *an, struct intent_diag *d)
{
	static const char *const top[] = { "settings", "scenes", "intents", "followups", "kind", "comment", NULL };
	struct intent_set *s = calloc(1, sizeof(*s));
	struct loader L = { .s = s, .d = d, .an = an };
	char **paths = NULL;
	struct file *files = NULL;
	size_t np = 0, nsettings = 0;
	int rc;

	if (!s)
		goto oom;
	s->fu_turns = 2;
	s->fu_minutes = 10;
	s->langs[0] = strdup("en");
	s->langs[1] = strdup("zh");
	s->n_langs = 2;
	s->privileged = calloc(2, sizeof(char *));
	if (!s->langs[0] || !s->langs[1] || !s->privileged || !(s->privileged[0] = strdup("customer")))
		goto oom;
	s->n_priv = 1;
	rc = dirlist_json(dir, NULL, INTENT_MAX_FILES, &paths, &np);
	if (rc == -ENOMEM)
		goto oom;
	if (rc == -ENOENT)
		diag(d, 1, "%s: cannot open directory: %s", dir, strerror(errno));
	else if (rc == -E2BIG)
		diag(d, 1, "%s: too many files (the limit is %d)", dir, INTENT_MAX_FILES);
	if (!rc && !np)
		diag(d, 1, "%s: no intent files (*.json)", dir);
	files = calloc(np + 1, sizeof(*files));
	if (!files)
		goto oom;
	for (size_t i = 0; i < np; i++) {
		files[i].path = paths[i];
		if (read_file(paths[i], &files[i], d) == -ENOMEM)
			goto oom;
		if (files[i].root && !cJSON_IsObject(files[i].root)) {
			diag(d, 1, "%s:1:1: an intents file is an object with \"settings\", \"scenes\", \"intents\" or \"followups\"", paths[i]);
			continue;
		}
		if (files[i].root) {
			const cJSON *kind = cJSON_GetObjectItemCaseSensitive(files[i].root, "kind");

			/* Other content may live beside the intents (e.g. "kind": "sentiment"): not ours. */
			if (kind && (!cJSON_IsString(kind) || strcmp(kind->valuestring, "intents"))) {
				cJSON_Delete(files[i].root);
				files[i].root = NULL;
				continue;
			}
			L.f = &files[i];
			L.depth = 0;
			check_keys(&L, files[i].root, top);
		}
	}
	/* Settings first: the languages they declare are needed to read texts. */
	for (size_t i = 0; i < np; i++) {
		const cJSON *st = files[i].root ? cJSON_GetObjectItemCaseSensitive(files[i].root, "settings") : NULL;

		if (!st)
			continue;
		L.f = &files[i];
		L.depth = 0;
		push_key(&L, "settings");
		if (nsettings++)
			ERR(&L, "\"settings\" appear in more than one file");
		else if (load_settings(&L, st) == -ENOMEM)
			goto oom;
		pop(&L);
	}
	if (each_item(&L, files, np, "scenes", load_scene) == -ENOMEM ||
	    each_item(&L, files, np, "intents", load_intent) == -ENOMEM ||
	    each_item(&L, files, np, "followups", load_followup) == -ENOMEM)
		goto oom;
	if (!rc)
		finish(&L, dir, files, np);
	goto out;
oom:
	diag(d, 1, "%s: out of memory", dir);
out:
	for (size_t i = 0; i < np; i++) {
		cJSON_Delete(files ? files[i].root : NULL);
		if (files)
			free(files[i].text);
		free(paths[i]);
	}
	free(files);
	free(paths);
	if (d->errors) {
		intent_set_free(s);
		return NULL;
	}
	return s;
}

size_t intent_check_entries(const struct intent_set *s, bool (*has_entry)(void *arg, const char *id), void *arg,
			    struct intent_diag *d)
{
	size_t missing = 0;

	for (size_t i = 0; i < s->n_refs; i++) {
		const struct ref *r = &s->refs[i];
		bool ok = has_entry(arg, r->id);

		if (!ok && r->kind == REF_ENTRY_OR_INTENT)
			for (size_t k = 0; k < s->n_intents && !ok; k++)
				ok = !strcmp(s->intents[k].id, r->id);
		if (!ok) {
			diag(d, 1, "%s: \"%s\" is not %s", r->where, r->id,
			     r->kind == REF_ENTRY ? "an entry of the KB" : "an entry of the KB or an intent");
			missing++;
		}
	}
	return missing;
}

/* ---- scene matching ---- */

static bool ascii_ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;

		if (x != y)
			return false;
	}
	return *a == *b;
}

static bool pred_holds(const struct pred *p, const struct context *ctx, bool trusted_only)
{
	bool only = trusted_only && p->privileged, trusted, r = false;
	const char *v = context_get(ctx, p->path, &trusted);

	if (v && only && !trusted)
		v = NULL;
	switch (p->op) {
	case P_EQ:
	case P_IN:
		for (size_t i = 0; v && i < p->n_vals && !r; i++)
			r = ascii_ieq(v, p->vals[i]);
		break;
	case P_EXISTS:
		r = context_has(ctx, p->path, only);
		break;
	default: {
		char *end;
		double x;

		if (!v || !*v)
			break;
		x = strtod(v, &end);
		if (*end)
			break;
		r = p->op == P_GT ? x > p->num : p->op == P_LT ? x < p->num : p->op == P_GE ? x >= p->num : x <= p->num;
	}
	}
	return p->negate ? !r : r;
}

const struct intent_scene *intent_scene_match(const struct intent_set *s, const struct context *ctx, unsigned flags)
{
	const struct intent_scene *best = &s->scenes[s->def];
	size_t best_n = 0;

	for (size_t i = 0; i < s->n_scenes; i++) {
		const struct intent_scene *sc = &s->scenes[i];
		bool ok = !sc->is_default;

		if (!ok || sc->total_preds <= best_n)
			continue;
		for (int p = (int)i, hops = 0; p >= 0 && ok && hops < 16; p = s->scenes[p].parent, hops++)
			for (size_t k = 0; k < s->scenes[p].n_preds && ok; k++)
				ok = pred_holds(&s->scenes[p].preds[k], ctx, flags & INTENT_TRUSTED_ONLY);
		if (ok) {
			best = sc;
			best_n = sc->total_preds;
		}
	}
	return best;
}

const struct intent_scene *intent_scene_find(const struct intent_set *s, const char *id)
{
	for (size_t i = 0; id && i < s->n_scenes; i++)
		if (!strcmp(s->scenes[i].id, id))
			return &s->scenes[i];
	return NULL;
}

const char *intent_scene_id(const struct intent_scene *sc) { return sc->id; }
const char *intent_scene_kb_name(const struct intent_scene *sc) { return sc->kb_name; }

/* The nearest scene up the chain (itself, parents, then the default) that sets field h. */
static const struct intent_scene *with(const struct intent_scene *sc, unsigned h)
{
	const struct intent_set *s = sc->set;

	for (int hops = 0; sc && hops < 16; hops++) {
		if (sc->has & h)
			return sc;
		if (sc->parent >= 0)
			sc = &s->scenes[sc->parent];
		else if (!sc->is_default)
			sc = &s->scenes[s->def];
		else
			sc = NULL;
	}
	return NULL;
}

static const struct intent_scene *up(const struct intent_scene *sc)
{
	const struct intent_set *s = sc->set;

	if (sc->parent >= 0)
		return &s->scenes[sc->parent];
	return sc->is_default ? NULL : &s->scenes[s->def];
}

struct lookup {
	const struct context *ctx;
	const struct intent_slot *slots;
	size_t n_slots;
};

static const char *lookup_var(void *arg, const char *name)
{
	const struct lookup *lk = arg;

	for (size_t i = 0; i < lk->n_slots; i++)
		if (!strcmp(lk->slots[i].name, name))
			return lk->slots[i].value;
	return lk->ctx ? context_get(lk->ctx, name, NULL) : NULL;
}

int intent_scene_greeting(const struct intent_set *s, const struct intent_scene *sc, const struct context *ctx,
			  const char *lang, char *out, size_t cap)
{
	struct lookup lk = { ctx, NULL, 0 };
	int hops = 0;

	if (!cap)
		return -E2BIG;
	out[0] = '\0';
	for (sc = with(sc, H_GREETING); sc && hops < 32; sc = up(sc) ? with(up(sc), H_GREETING) : NULL, hops++) {
		const char *t = texts_get(s, &sc->greeting, lang);
		int n;

		if (!t)
			continue;
		n = tmpl_render(t, lookup_var, &lk, out, cap, NULL);
		if (n != -ENOENT)
			return n;
	}
	return -ENOENT;
}

struct ranked {
	const char *text;
	uint32_t count;
	size_t order;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

size_t intent_scene_suggestions(const struct intent_scene *sc, const char *lang,
				uint32_t (*usage)(void *arg, const char *text), void *arg,
				const char **out, size_t max)
{
	const struct intent_scene *w = with(sc, H_SUGGEST);
	const struct llist *l = w ? lists_get(sc->set, &w->suggest, lang) : NULL;
	struct ranked r[MAX_LIST];
	size_t n = 0;

	if (!l)
		return 0;
	for (size_t i = 0; i < l->n && i < MAX_LIST; i++) {
		r[n].text = l->items[i];
		r[n].count = usage ? usage(arg, l->items[i]) : 0;
		r[n].order = i;
		n++;
	}
	if (usage)
		qsort(r, n, sizeof(r[0]), cmp_ranked);
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = r[i].text;
	return n < max ? n : max;
}

size_t intent_scene_boosts(const struct intent_scene *sc, const char *const **ids)
{
	const struct intent_scene *w = with(sc, H_BOOST);

	*ids = w ? (const char *const *)w->boost : NULL;
	return w ? w->n_boost : 0;
}

size_t intent_scene_excludes(const struct intent_scene *sc, const char *const **ids)
{
	const struct intent_scene *w = with(sc, H_EXCLUDE);

	*ids = w ? (const char *const *)w->exclude : NULL;
	return w ? w->n_exclude : 0;
}

size_t intent_scene_notices(const struct intent_scene *sc, const char *lang, time_t now,
			    struct intent_notice *out, size_t max)
{
	size_t n = 0;
	int hops = 0;

	/* The scene's own notices, then its parents', then the default scene's. */
	for (; sc && hops < 32; sc = up(sc), hops++)
		for (size_t i = 0; i < sc->n_notices && n < max; i++) {
			const struct notice *nt = &sc->notices[i];

			if (now < nt->start || now >= nt->end)
				continue;
			out[n].id = nt->id;
			out[n].text = texts_get(sc->set, &nt->text, lang);
			out[n].start = nt->start;
			out[n].end = nt->end;
			n++;
		}
	return n;
}

static void route_of(const struct intent_scene *sc, struct intent_route *out)
{
	const struct intent_scene *w;

	out->scene = sc->id;
	w = with(sc, H_TEAM);
	out->team = w ? w->team : "support";
	w = with(sc, H_PRIO);
	out->priority = w ? (enum intent_priority)w->priority : INTENT_PRIO_NORMAL;
	w = with(sc, H_ALWAYS);
	out->always_human = w ? w->always_human : false;
}

void intent_route(const struct intent_set *s, const struct context *ctx, struct intent_route *out)
{
	route_of(intent_scene_match(s, ctx, INTENT_TRUSTED_ONLY), out);
}

/* ---- intents ---- */

const char *intent_reply_lang(const struct intent_set *s, const struct tok_list *toks, const char *hint)
{
	const char *zh = NULL, *hinted = NULL, *latin = NULL;

	for (size_t i = 0; i < s->n_langs; i++) {
		if (!strcmp(s->langs[i], "zh"))
			zh = s->langs[i];
		else if (!latin)
			latin = s->langs[i];
		if (hint && !strcmp(s->langs[i], hint))
			hinted = s->langs[i];
	}
	if (toks && toks->han_chars && toks->han_chars * 2 >= toks->word_chars / 3 && zh)
		return zh;
	if (toks && toks->word_chars)
		return hinted && hinted != zh ? hinted : latin ? latin : s->langs[0];
	return hinted ? hinted : s->langs[0];
}

/* How specifically intent it names scene sc: depth of the matching name + 1, or 0 when it does not apply. */
static size_t applies(const struct intent *it, const struct intent_scene *sc)
{
	size_t best = 0;

	if (!it->n_scenes)
		return 1;
	for (size_t i = 0; i < it->n_scenes; i++) {
		const char *n = it->scenes[i];
		size_t l = strlen(n), d = 1;

		if (!strcmp(n, "*")) {
			best = best ? best : 1;
			continue;
		}
		if (strncmp(sc->id, n, l) || (sc->id[l] != '\0' && sc->id[l] != '.'))
			continue;
		for (size_t k = 0; k < l; k++)
			d += n[k] == '.';
		if (d + 1 > best)
			best = d + 1;
	}
	return best;
}

static const struct intent *find_intent(const struct intent_set *s, const char *id)
{
	for (size_t i = 0; id && i < s->n_intents; i++)
		if (!strcmp(s->intents[i].id, id))
			return &s->intents[i];
	return NULL;
}

static void set_slot(struct intent_result *out, const char *name, const char *value, enum intent_slot_source src)
{
	struct intent_slot *sl;
	size_t n;

	if (out->n_slots >= INTENT_MAX_SLOTS)
		return;
	sl = &out->slots[out->n_slots++];
	snprintf(sl->name, sizeof(sl->name), "%s", name);
	n = strlen(value);
	if (n >= sizeof(sl->value)) {
		n = sizeof(sl->value) - 1;
		while (n && ((unsigned char)value[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(sl->value, value, n);
	sl->value[n] = '\0';
	sl->source = (uint8_t)src;
}

/* Render the first of the texts that renders completely, in lang. */
static int render_first(const struct intent_set *s, const struct texts *const *ts, size_t nts, const char *lang,
			struct lookup *lk, char *out, size_t cap, size_t *which)
{
	int rc = -ENOENT;

	for (size_t i = 0; i < nts; i++) {
		const char *t = texts_get(s, ts[i], lang);

		if (!t)
			continue;
		rc = tmpl_render(t, lookup_var, lk, out, cap, NULL);
		if (rc >= 0) {
			*which = i;
			return rc;
		}
	}
	out[0] = '\0';
	return rc;
}

static int run(const struct intent_set *s, const struct intent *it, const struct intent_scene *sc,
	       const struct intent_input *in, const char *asked, struct intent_result *out)
{
	struct lookup lk;
	const struct llist *q;
	const char *lang = intent_reply_lang(s, in->toks, in->lang);
	size_t which = 0;
	int rc;

	out->id = it->id;
	out->priority = it->priority;
	snprintf(out->lang, sizeof(out->lang), "%s", lang);
	/* Routing never trusts unsigned privileged context: re-match with signed fields only. */
	route_of(in->ctx ? intent_scene_match(s, in->ctx, INTENT_TRUSTED_ONLY) : sc, &out->route);
	if (it->team)
		out->route.team = it->team;
	if (it->handoff_prio >= 0)
		out->route.priority = (enum intent_priority)it->handoff_prio;
	/* Slots: the scene's context, then earlier turns, then this text, else ask. */
	for (size_t i = 0; i < it->n_slots; i++) {
		const struct slotdef *sd = &it->slots[i];
		const char *v = sd->ctx_path && in->ctx ? context_get(in->ctx, sd->ctx_path, NULL) : NULL;
		char buf[INTENT_VALUE_BYTES];

		if (v && *v) {
			set_slot(out, sd->name, v, INTENT_SLOT_CONTEXT);
			continue;
		}
		v = NULL;
		for (size_t k = 0; k < in->n_known && !v; k++)
			if (!strcmp(in->known[k].name, sd->name) && in->known[k].value[0])
				v = in->known[k].value;
		if (v) {
			set_slot(out, sd->name, v, INTENT_SLOT_EARLIER);
			continue;
		}
		if (in->text && (sd->type != SLOT_TEXT || (asked && !strcmp(asked, sd->name))) &&
		    !slot_extract((enum slot_type)sd->type, in->text, in->len, in->now, buf, sizeof(buf))) {
			set_slot(out, sd->name, buf, INTENT_SLOT_TEXT);
			continue;
		}
		if (!sd->required)
			continue;
		/* Ask for it. */
		lk = (struct lookup){ in->ctx, out->slots, out->n_slots };
		{
			const struct texts *ts[1] = { &sd->prompt };

			rc = render_first(s, ts, 1, lang, &lk, out->text, sizeof(out->text), &which);
		}
		if (rc < 0)
			return rc == -ENOENT ? -EINVAL : rc;
		out->action = INTENT_ASK;
		out->ask = sd->name;
		return 0;
	}
	lk = (struct lookup){ in->ctx, out->slots, out->n_slots };
	out->entry = it->entry;
	if (it->response.n) {
		const struct texts *ts[2] = { &it->response, &it->fallback };

		rc = render_first(s, ts, 2, lang, &lk, out->text, sizeof(out->text), &which);
		if (rc < 0)
			return rc == -ENOENT ? -EINVAL : rc;   /* the loader guarantees a text renders */
		out->used_fallback = which == 1;
	}
	q = lists_get(s, &it->quick, lang);
	if (q) {
		out->quick = (const char *const *)q->items;
		out->n_quick = q->n;
	}
	out->action = it->action == ACT_HANDOFF ? INTENT_HANDOFF : it->action == ACT_TICKET ? INTENT_TICKET : INTENT_ANSWER;
	return 0;
}

static void reset(struct intent_result *out)
{
	out->action = INTENT_NONE;
	out->id = out->entry = out->ask = NULL;
	out->lang[0] = out->text[0] = '\0';
	out->used_fallback = false;
	out->quick = NULL;
	out->n_quick = 0;
	out->n_slots = 0;
	memset(&out->route, 0, sizeof(out->route));
	out->coverage = 0;
	out->priority = 0;
}

int intent_match(const struct intent_set *s, const struct intent_scene *sc, const struct intent_input *in,
		 struct intent_result *out)
{
	struct rule_input ri;
	const struct intent *best = NULL;
	unsigned best_cov = 0;
	size_t best_spec = 0;
	int rc;

	if (!s || !sc || !in || !in->toks || !out)
		return -EINVAL;
	reset(out);
	rule_prepare(in->toks, &ri);
	if (!ri.n)
		return 0;
	for (size_t i = 0; i < s->n_intents; i++) {
		const struct intent *it = &s->intents[i];
		size_t spec = applies(it, sc);
		unsigned cov = 0, c;
		bool hit = false;

		if (!spec)
			continue;
		for (size_t r = 0; r < it->n_rules; r++)
			if (rule_match(it->rules[r], &ri, &c)) {
				hit = true;
				cov = c > cov ? c : cov;
			}
		if (!hit)
			continue;
		if (!best || it->priority > best->priority ||
		    (it->priority == best->priority && (cov > best_cov || (cov == best_cov && spec > best_spec)))) {
			best = it;
			best_cov = cov;
			best_spec = spec;
		}
	}
	if (!best)
		return 0;
	rc = run(s, best, sc, in, NULL, out);
	if (rc) {
		reset(out);
		return rc;
	}
	out->coverage = best_cov;
	return 0;
}

int intent_run(const struct intent_set *s, const char *id, const struct intent_scene *sc,
	       const struct intent_input *in, struct intent_result *out)
{
	const struct intent *it;
	const char *asked = NULL;
	int rc;

	if (!s || !in || !out)
		return -EINVAL;
	reset(out);
	it = find_intent(s, id);
	if (!it)
		return -ENOENT;
	/* The slot asked for last time is the first required one still missing. */
	for (size_t i = 0; i < it->n_slots && !asked; i++) {
		const struct slotdef *sd = &it->slots[i];
		const char *v = sd->ctx_path && in->ctx ? context_get(in->ctx, sd->ctx_path, NULL) : NULL;
		bool known = v && *v;

		for (size_t k = 0; k < in->n_known && !known; k++)
			known = !strcmp(in->known[k].name, sd->name) && in->known[k].value[0];
		if (!known && sd->required)
			asked = sd->name;
	}
	rc = run(s, it, sc, in, asked, out);
	if (rc)
		reset(out);
	return rc;
}

/* ---- follow-ups ---- */

int intent_followup(const struct intent_set *s, const char *prev_id, unsigned turns, time_t prev_at, time_t now,
		    const struct tok_list *toks, struct intent_target *out)
{
	struct rule_input ri;
	int rc = -ENOENT;

	out->entry = out->intent = NULL;
	if (!s || !prev_id || !toks)
		return -EINVAL;
	rule_prepare(toks, &ri);
	for (size_t i = 0; i < s->n_fus; i++) {
		const struct followup *f = &s->fus[i];
		bool after = false;

		for (size_t k = 0; k < f->n_after && !after; k++)
			after = !strcmp(f->after[k], prev_id);
		if (!after)
			continue;
		for (size_t k = 0; k < f->n_map; k++) {
			if (!rule_match(f->map[k].when, &ri, NULL))
				continue;
			if (turns < 1 || turns > f->turns || now < prev_at || now - prev_at > (time_t)f->minutes * 60) {
				rc = -ETIME;
				continue;
			}
			out->entry = f->map[k].entry;
			out->intent = f->map[k].intent;
			return 0;
		}
	}
	return rc;
}

/* ---- ending well ---- */

enum intent_solved intent_solved_reply(const struct intent_set *s, const struct tok_list *toks)
{
	struct rule_input ri;

	if (!s || !toks)
		return INTENT_SOLVED_UNKNOWN;
	rule_prepare(toks, &ri);
	if (s->solved_no && rule_match(s->solved_no, &ri, NULL))
		return INTENT_SOLVED_NO;
	if (s->solved_yes && rule_match(s->solved_yes, &ri, NULL))
		return INTENT_SOLVED_YES;
	return INTENT_SOLVED_UNKNOWN;
}

int intent_survey_check(enum intent_survey kind, int value)
{
	switch (kind) {
	case INTENT_CSAT:
		return value >= 1 && value <= 5 ? 0 : -ERANGE;
	case INTENT_CES:
		return value >= 1 && value <= 7 ? 0 : -ERANGE;
	case INTENT_NPS:
		return value >= 0 && value <= 10 ? 0 : -ERANGE;
	}
	return -ERANGE;
}

int intent_survey_class(enum intent_survey kind, int value)
{
	if (intent_survey_check(kind, value))
		return 0;
	switch (kind) {
	case INTENT_CSAT:
		return value >= 4;
	case INTENT_CES:
		return value >= 5 ? 1 : value <= 3 ? -1 : 0;
	case INTENT_NPS:
		return value >= 9 ? 1 : value <= 6 ? -1 : 0;
	}
	return 0;
}
