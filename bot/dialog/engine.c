/*
 * engine.c - the customer chat's reply logic over a KB snapshot and the
 * intent set compiled with its analyzer: welcome (scene greeting,
 * suggestions ranked by use, notices), the message pipeline (pending slot
 * question, follow-up, intents, FAQ, "did that solve it?"), choices,
 * outcomes and surveys, with the texts in English and Chinese. Pure: no I/O,
 * no clock except time(NULL) when the caller passes now = 0.
 */
#include "dialog/engine.h"

#include "core/strmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- localised texts ---- */

/* "{}" in a template is replaced by an argument (the KB name, an example question). */
struct ui_texts {
	const char *lang;
	const char *greeting;            /* {} = KB name */
	const char *greeting_anon;
	const char *did_you_mean;
	const char *fallback;            /* {} = an example question */
	const char *fallback_plain;      /* when there is no example */
	const char *fallback_again;      /* after fallbacks_before_human in a row */
	const char *none_of_these;       /* {} = an example question */
	const char *none_of_these_plain;
	const char *quote_open, *quote_close;
	const char *solved;              /* after "yes, that solved it" */
	const char *unsolved_alts;       /* after "no": is it one of these? */
	const char *unsolved_person;     /* after "no", with nothing else to offer */
	const char *handoff;             /* a person takes over (policy) */
	const char *human;               /* the quick reply that asks for a person */
};

static const struct ui_texts ui_en = {
	"en",
	"Hi! I'm the {} assistant. Ask me a question in your own words, or tap one below. "
	"If I can't help, \xe2\x80\x9cTalk to a person\xe2\x80\x9d reaches our team at any time.",
	"Hi! I'm the virtual assistant. Ask me a question in your own words, or tap one below. "
	"If I can't help, \xe2\x80\x9cTalk to a person\xe2\x80\x9d reaches our team at any time.",
	"Did you mean:",
	"Sorry, I don't have an answer to that. Could you rephrase it in a few words, for example {}? "
	"You can also pick one of the questions below, or tap \xe2\x80\x9cTalk to a person\xe2\x80\x9d to reach our team.",
	"Sorry, I don't have an answer to that. Could you rephrase it in a few words? "
	"Or tap \xe2\x80\x9cTalk to a person\xe2\x80\x9d to reach our team.",
	"Sorry, I still can't find an answer to that. A person can help you better: tap "
	"\xe2\x80\x9cTalk to a person\xe2\x80\x9d to reach our team. You can also try one of the questions below.",
	"Sorry none of those fit. Could you describe it in other words, for example {}? "
	"Or tap \xe2\x80\x9cTalk to a person\xe2\x80\x9d to reach our team.",
	"Sorry none of those fit. Could you describe it in other words? "
	"Or tap \xe2\x80\x9cTalk to a person\xe2\x80\x9d to reach our team.",
	"\xe2\x80\x9c", "\xe2\x80\x9d",
	"Great, I'm glad that solved it! If you have a moment, please rate this chat below.",
	"Sorry that didn't solve it. Is it one of these?",
	"Sorry I couldn't solve this. A person from our team can help: tap \xe2\x80\x9cTalk to a person\xe2\x80\x9d "
	"and they'll see this conversation.",
	"I'm connecting you to a person now. They'll see this conversation, so you won't have to repeat yourself.",
	"Talk to a person",
};

static const struct ui_texts ui_zh = {
	"zh",
	"您好！我是{}的智能客服助手。请直接输入您的问题，或点击下面的常见问题。如果我帮不上忙，可以随时点“转人工”联系人工客服。",
	"您好！我是智能客服助手。请直接输入您的问题，或点击下面的常见问题。如果我帮不上忙，可以随时点“转人工”联系人工客服。",
	"您是不是想问：",
	"抱歉，这个问题我暂时回答不了。可以换个简短的说法再问一次吗？例如{}。您也可以点击下面的问题，或者点“转人工”联系人工客服。",
	"抱歉，这个问题我暂时回答不了。可以换个简短的说法再问一次吗？或者点“转人工”联系人工客服。",
	"抱歉，我还是没能找到答案。这个问题更适合由人工客服来帮您：请点“转人工”。您也可以试试下面的问题。",
	"抱歉，这些都不是您要问的。可以换个说法描述一下吗？例如{}。或者点“转人工”联系人工客服。",
	"抱歉，这些都不是您要问的。可以换个说法描述一下吗？或者点“转人工”联系人工客服。",
	"“", "”",
	"太好了，很高兴问题解决了！方便的话，请在下面给这次对话打个分。",
	"抱歉没能解决您的问题。是下面这些问题吗？",
	"抱歉没能帮您解决。人工客服可以帮您：请点“转人工”，客服能看到这段对话。",
	"正在为您转接人工客服，客服能看到这段对话，您不用重复说明。",
	"转人工",
};

static const struct ui_texts *ui_for(const char *lang)
{
	return lang && !strcmp(lang, "zh") ? &ui_zh : &ui_en;
}

/* Append src to out[*n..size) without splitting a UTF-8 sequence; always NUL-terminates. */
static void put(char *out, size_t size, size_t *n, const char *src)
{
	size_t len = strlen(src), room = size - 1 - *n;

	if (len > room) {
		len = room;
		while (len && ((unsigned char)src[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(out + *n, src, len);
	*n += len;
	out[*n] = '\0';
}

/* out = tmpl with "{}" replaced by open + arg + close. */
static void compose(char *out, size_t size, const char *tmpl, const char *open, const char *arg, const char *close)
{
	const char *hole = strstr(tmpl, "{}");
	size_t n = 0;
	char head[LIM_UI_TEXT];

	out[0] = '\0';
	if (!hole) {
		put(out, size, &n, tmpl);
		return;
	}
	if ((size_t)(hole - tmpl) >= sizeof(head))
		return;
	memcpy(head, tmpl, (size_t)(hole - tmpl));
	head[hole - tmpl] = '\0';
	put(out, size, &n, head);
	put(out, size, &n, open);
	put(out, size, &n, arg);
	put(out, size, &n, close);
	put(out, size, &n, hole + 2);
}

static void copy_id(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= size)
		n = size - 1;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

/* ---- the engine ---- */

#define USAGE_KEYS 100000   /* (scene, answer) pairs counted at most */
#define ALT_MAX    2        /* runner-ups offered after "no, that didn't help" */
#define ALT_SLACK  0.5f     /* ... scoring at least the clarify threshold minus this */
#define SOLVED_WORDS 2      /* a yes/no this short is read before the FAQ ("没解决"), a longer one after it */

struct engine {
	struct engine_opts o;
	struct kb_snapshot *kb;          /* borrowed: the current pair */
	struct intent_set *set;
	struct context *ctx;             /* the context of the call in progress */
	struct tok_list *toks;           /* the customer's text, tokenized once */
	struct tok_list *stoks;          /* a suggestion's text (usage ranking) */
	struct intent_result ir, ir2;
	struct strmap *usage;            /* "scene\x1f<answer id>" -> answers; "scene\x1f" -> the scene's total */
	struct strmap *sugg;             /* "scene\x1f<suggestion>" -> 1 + index in sugg_ids, 0 = leads nowhere */
	char (*sugg_ids)[LIM_ID + 1];
	size_t n_sugg_ids, cap_sugg_ids;
};

void engine_opts_default(struct engine_opts *o)
{
	o->suggestions = 4;
	o->fallbacks_before_human = 2;
	o->context_secret = NULL;
}

struct engine *engine_new(const struct engine_opts *o)
{
	struct engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->o = *o;
	if (e->o.suggestions > LIM_SUGGESTIONS)
		e->o.suggestions = LIM_SUGGESTIONS;
	e->ctx = context_new();
	e->toks = malloc(sizeof(*e->toks));
	e->stoks = malloc(sizeof(*e->stoks));
	e->usage = strmap_new();
	e->sugg = strmap_new();
	if (!e->ctx || !e->toks || !e->stoks || !e->usage || !e->sugg) {
		engine_free(e);
		return NULL;
	}
	return e;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	context_free(e->ctx);
	free(e->toks);
	free(e->stoks);
	strmap_free(e->usage);
	strmap_free(e->sugg);
	free(e->sugg_ids);
	free(e);
}

void engine_set_content(struct engine *e, struct kb_snapshot *kb, struct intent_set *intents)
{
	struct strmap *fresh = strmap_new();

	e->kb = kb;
	e->set = kb ? intents : NULL;
	/* What a suggestion leads to depends on the content: forget it (usage counts are ids and stay). */
	if (fresh) {
		strmap_free(e->sugg);
		e->sugg = fresh;
		e->n_sugg_ids = 0;
	} else if (e->sugg && strmap_count(e->sugg)) {
		strmap_free(e->sugg);
		e->sugg = NULL;   /* out of memory: rank suggestions in file order until the next swap */
	}
}

static bool has_entry(void *kb, const char *id)
{
	return kb_find(kb, id, NULL) != NULL;
}

struct intent_set *engine_load_intents(const char *dir, struct kb_snapshot *kb, struct intent_diag *d)
{
	struct intent_set *set = intent_load(dir, kb_analyzer(kb), d);

	if (set && intent_check_entries(set, has_entry, kb, d)) {
		intent_set_free(set);
		set = NULL;
	}
	return set;
}

struct kb_snapshot *engine_kb(const struct engine *e)
{
	return e->kb;
}

struct intent_set *engine_intents(const struct engine *e)
{
	return e->set;
}

const char *engine_lang(const struct kb_snapshot *kb, const char *tag)
{
	const char *const *langs;
	size_t n = kb ? kb_langs(kb, &langs) : 0;
	char primary[8];
	size_t i = 0;

	if (!n)
		return "en";
	if (tag) {
		for (; tag[i] && tag[i] != '-' && tag[i] != '_' && i + 1 < sizeof(primary); i++)
			primary[i] = (char)(tag[i] >= 'A' && tag[i] <= 'Z' ? tag[i] + 32 : tag[i]);
		primary[i] = '\0';
		for (size_t k = 0; k < n; k++)
			if (!strcmp(langs[k], primary))
				return langs[k];
	}
	return langs[0];
}

const char *engine_kind_name(enum engine_kind k)
{
	static const char *const names[] = { "answer", "clarify", "fallback", "ask", "handoff", "ticket", "info" };

	return (size_t)k < sizeof(names) / sizeof(names[0]) ? names[k] : "answer";
}

static const char *prio_name(enum intent_priority p)
{
	return p == INTENT_PRIO_URGENT ? "urgent" : p == INTENT_PRIO_HIGH ? "high" : "normal";
}

/* ---- where the customer is ---- */

/* What one call knows about the scene. */
struct turn {
	const struct intent_scene *sc;   /* NULL without intents */
	const char *kb_scene;            /* kb_query.scene */
	const char *const *boost, *const *excl;
	size_t n_boost, n_excl;
	struct intent_route route;       /* routing from signed context only */
	time_t now;
	int ctx_rc;                      /* context_load's result */
};

/* Load the context of w (or of s's last page) into e->ctx and match the scene. */
static void prepare(struct engine *e, const struct sess *s, const struct engine_where *w, time_t now, struct turn *t)
{
	const char *page = w ? w->page : s->page;
	const char *json = w ? w->context : s->context;
	const char *secret = e->o.context_secret && *e->o.context_secret ? e->o.context_secret : NULL;

	memset(t, 0, sizeof(*t));
	t->now = now;
	if (!e->set) {
		t->kb_scene = page && *page ? page : NULL;
		return;
	}
	context_clear(e->ctx);
	if (json && *json)
		t->ctx_rc = context_load(e->ctx, json, strlen(json), secret, now);
	if (page && *page)
		context_set(e->ctx, "page", page, false);
	if (s->lang[0])
		context_set(e->ctx, "lang", s->lang, false);
	t->sc = intent_scene_match(e->set, e->ctx, 0);
	t->kb_scene = intent_scene_kb_name(t->sc);
	t->n_boost = intent_scene_boosts(t->sc, &t->boost);
	t->n_excl = intent_scene_excludes(t->sc, &t->excl);
	intent_route(e->set, e->ctx, &t->route);
}

static const char *scene_key(const struct turn *t, const struct sess *s)
{
	return t->sc ? intent_scene_id(t->sc) : t->kb_scene ? t->kb_scene : "";
}

/* ---- usage counts and suggestions ---- */

static size_t usage_key(char *key, size_t size, const char *scene, const char *id)
{
	int n = snprintf(key, size, "%s\x1f%s", scene, id ? id : "");

	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

/* Count one answer (an entry or intent id) given in scene. */
static void count_use(struct engine *e, const char *scene, const char *id)
{
	char key[2 * LIM_ID + 4];
	const char *ids[2] = { id, NULL };

	for (size_t i = 0; i < 2; i++) {
		size_t n = usage_key(key, sizeof(key), scene, ids[i]);
		uint32_t *v = strmap_get(e->usage, key, n);

		if (!v && strmap_count(e->usage) < USAGE_KEYS)
			v = strmap_put(e->usage, key, n, 0, NULL);
		if (v && *v < UINT32_MAX)
			(*v)++;
	}
}

static uint32_t use_count(const struct engine *e, const char *scene, const char *id)
{
	char key[2 * LIM_ID + 4];
	size_t n = usage_key(key, sizeof(key), scene, id);
	const uint32_t *v = strmap_get(e->usage, key, n);

	return v ? *v : 0;
}

struct usage_arg {
	struct engine *e;
	const struct turn *t;
	const char *scene;
	const char *lang;
};

/* The answer id a suggestion leads to in this scene (remembered per content pair), or NULL. */
static const char *suggestion_target(struct usage_arg *u, const char *text)
{
	struct engine *e = u->e;
	char key[LIM_ID + LIM_QUESTION_BYTES + 4];
	int kn = snprintf(key, sizeof(key), "%s\x1f%s", u->scene, text);
	size_t n = kn < 0 ? 0 : (size_t)kn < sizeof(key) ? (size_t)kn : sizeof(key) - 1;
	const uint32_t *v = e->sugg ? strmap_get(e->sugg, key, n) : NULL;
	const char *id = NULL;
	struct kb_query q;
	struct kb_result r;

	if (v)
		return *v ? e->sugg_ids[*v - 1] : NULL;
	if (!e->sugg || tok_run(kb_analyzer(e->kb), text, strlen(text), 0, e->stoks))
		return NULL;
	{
		struct intent_input in = { e->stoks, text, strlen(text), e->ctx, u->lang, u->t->now, NULL, 0 };

		if (!intent_match(e->set, u->t->sc, &in, &e->ir2) && e->ir2.action != INTENT_NONE)
			id = e->ir2.entry ? e->ir2.entry : e->ir2.id;
	}
	if (!id) {
		q = (struct kb_query){ .text = text, .len = strlen(text), .lang = u->lang, .scene = u->t->kb_scene,
				       .now = u->t->now, .boost_ids = u->t->boost, .n_boost = u->t->n_boost,
				       .exclude_ids = u->t->excl, .n_exclude = u->t->n_excl };
		if (!kb_match(e->kb, &q, &r) && r.verdict == DEC_ANSWER)
			id = r.cand[0]->id;
	}
	if (id && e->n_sugg_ids == e->cap_sugg_ids) {
		size_t cap = e->cap_sugg_ids ? 2 * e->cap_sugg_ids : 32;
		char(*grown)[LIM_ID + 1] = realloc(e->sugg_ids, cap * sizeof(*grown));

		if (!grown)
			return id;
		e->sugg_ids = grown;
		e->cap_sugg_ids = cap;
	}
	if (id)
		copy_id(e->sugg_ids[e->n_sugg_ids], sizeof(e->sugg_ids[0]), id);
	if (!strmap_put(e->sugg, key, n, id ? (uint32_t)++e->n_sugg_ids : 0, NULL) && id)
		e->n_sugg_ids--;
	return id;
}

static uint32_t usage_cb(void *arg, const char *text)
{
	struct usage_arg *u = arg;
	const char *id = suggestion_target(u, text);

	return id ? use_count(u->e, u->scene, id) : 0;
}

/* The scene's suggestions in lang, most answered first. */
static size_t scene_suggestions(struct engine *e, const struct turn *t, const char *lang, const char **out)
{
	struct usage_arg u = { e, t, intent_scene_id(t->sc), lang };
	bool used = use_count(e, u.scene, NULL) > 0;

	return intent_scene_suggestions(t->sc, lang, used ? usage_cb : NULL, &u, out, e->o.suggestions);
}

/* ---- KB suggestions (without intents) ---- */

static bool serves_scene(const struct kb_entry *e, const char *scene)
{
	for (size_t i = 0; i < e->n_scenes; i++)
		if (!strcmp(e->scenes[i], scene))
			return true;
	return false;
}

/* The first questions of up to want entries in lang, scene entries first. Returns the count. */
static size_t kb_suggest(const struct kb_snapshot *kb, const char *lang, const char *scene, time_t now, size_t want,
			 const char **out)
{
	size_t n = 0, total = kb_entry_count(kb);

	if (want > LIM_SUGGESTIONS)
		want = LIM_SUGGESTIONS;
	for (int pass = scene && *scene ? 0 : 1; pass < 2 && n < want; pass++) {
		for (size_t i = 0; i < total && n < want; i++) {
			const struct kb_entry *e = kb_entry_at(kb, i);

			if (strcmp(e->lang, lang) || !e->n_questions || !kb_entry_valid(e, now))
				continue;
			if (scene && *scene && (pass == 0) != serves_scene(e, scene))
				continue;
			out[n++] = e->questions[0];
		}
	}
	return n;
}

static size_t suggest(struct engine *e, const struct turn *t, const char *lang, const char **out)
{
	size_t n = t->sc ? scene_suggestions(e, t, lang, out) : 0;

	return n ? n : kb_suggest(e->kb, lang, t->kb_scene, t->now, e->o.suggestions, out);
}

/* ---- notices ---- */

static bool is_typing(const struct sess *s, time_t now)
{
	return s->typing && s->typing_at <= (int64_t)now && (int64_t)now - s->typing_at < ENGINE_TYPING_SECS;
}

/* The scene's active notices not yet shown in s; marks them shown. */
static size_t take_notices(struct sess *s, const struct turn *t, const char *lang, struct engine_notice *out)
{
	struct intent_notice nv[ENGINE_NOTICES];
	size_t n = t->sc ? intent_scene_notices(t->sc, lang, t->now, nv, ENGINE_NOTICES) : 0, k = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t h = strmap_hash(nv[i].id, strlen(nv[i].id));
		bool seen = false;

		for (size_t j = 0; j < s->n_notices_seen && !seen; j++)
			seen = s->notices_seen[j] == h;
		if (seen || !nv[i].text || !*nv[i].text)
			continue;
		if (s->n_notices_seen == SESS_NOTICES_SEEN) {
			memmove(s->notices_seen, s->notices_seen + 1, (SESS_NOTICES_SEEN - 1) * sizeof(s->notices_seen[0]));
			s->n_notices_seen--;
		}
		s->notices_seen[s->n_notices_seen++] = h;
		out[k].id = nv[i].id;
		out[k].text = nv[i].text;
		k++;
	}
	return k;
}

/* ---- welcome ---- */

static bool has_trusted(const struct context *c)
{
	for (size_t i = 0; i < context_count(c); i++) {
		const char *p, *v;
		bool trusted = false;

		if (!context_field(c, i, &p, &v, &trusted) && trusted)
			return true;
	}
	return false;
}

int engine_welcome(struct engine *e, struct sess *s, const struct engine_where *w, const char *lang, time_t now,
		   struct engine_welcome *out)
{
	const struct ui_texts *ui;
	struct turn t;
	const char *name;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!now)
		now = time(NULL);
	if ((lang && *lang) || !s->lang[0])
		copy_id(s->lang, sizeof(s->lang), engine_lang(e->kb, lang && *lang ? lang : NULL));
	if (w) {
		copy_id(s->page, sizeof(s->page), w->page);
		rc = sess_set_context(s, w->context);
	}
	prepare(e, s, NULL, now, &t);
	out->lang = engine_lang(e->kb, s->lang);
	ui = ui_for(out->lang);
	s->context_check = t.ctx_rc;
	s->context_signed = e->set && has_trusted(e->ctx);
	s->scene[0] = '\0';
	if (t.sc) {
		copy_id(s->scene, sizeof(s->scene), intent_scene_id(t.sc));
		copy_id(out->scene, sizeof(out->scene), s->scene);
		if (intent_scene_greeting(e->set, t.sc, e->ctx, out->lang, out->greeting, sizeof(out->greeting)) < 0)
			out->greeting[0] = '\0';
		if (is_typing(s, now))
			s->notices_held = true;
		else
			out->n_notices = take_notices(s, &t, out->lang, out->notices);
	}
	if (!out->greeting[0]) {
		name = e->kb ? kb_name(e->kb) : NULL;
		if (name && *name)
			compose(out->greeting, sizeof(out->greeting), ui->greeting, "", name, "");
		else
			compose(out->greeting, sizeof(out->greeting), ui->greeting_anon, "", "", "");
	}
	if (e->kb)
		out->n_suggestions = suggest(e, &t, out->lang, out->suggestions);
	return rc;
}

/* ---- replies ---- */

const char *engine_reply_text(const struct engine_reply *r)
{
	return !r->text[0] && r->entry ? r->entry->answer : r->text;
}

static void begin(struct sess *s, const struct turn *t, struct engine_reply *out)
{
	memset(out, 0, sizeof(*out));
	out->id = sess_next_id(s);
	if (t->sc)
		copy_id(out->scene, sizeof(out->scene), intent_scene_id(t->sc));
}

static void clear_pending(struct sess *s)
{
	s->pending[0] = '\0';
	s->asks = 0;
	sess_set_slots(s, NULL, 0);
}

/*
 * Runner-up entries of text in the scene (not `answered`), worth offering
 * when an answer did not help: the next ones in the ranking that some word
 * matched, a little below the did-you-mean threshold at most.
 */
static void remember_alts(struct engine *e, struct sess *s, const struct turn *t, const char *text, size_t len,
			  const struct kb_result *given, const char *answered)
{
	struct kb_result r;
	const struct kb_result *k = given;
	const struct dec_thresholds *th;

	s->n_alts = 0;
	if (!k) {
		struct kb_query q = { .text = text, .len = len, .lang = s->lang[0] ? s->lang : NULL, .scene = t->kb_scene,
				      .now = t->now, .boost_ids = t->boost, .n_boost = t->n_boost,
				      .exclude_ids = t->excl, .n_exclude = t->n_excl };

		if (!text || kb_match(e->kb, &q, &r))
			return;
		k = &r;
	}
	if (!k->info.known && !k->info.typo)
		return;
	th = kb_thresholds(e->kb, k->lang);
	for (size_t i = 0; i < k->n_top && s->n_alts < ALT_MAX; i++) {
		if ((answered && !strcmp(k->top_entry[i]->id, answered)) || !k->top_entry[i]->n_questions ||
		    (th && k->top[i].score < th->clarify - ALT_SLACK))
			continue;
		copy_id(s->alts[s->n_alts++], sizeof(s->alts[0]), k->top_entry[i]->id);
	}
}

/* Bookkeeping of every answer: feedback note, follow-up window, "did it solve it?", usage. */
static void answered(struct engine *e, struct sess *s, const struct turn *t, struct engine_reply *out, const char *id)
{
	s->fallbacks = 0;
	s->clarify_id = 0;
	s->n_clarify = 0;
	clear_pending(s);
	sess_note_answer(s, out->id, id, out->lang);
	copy_id(s->last, sizeof(s->last), id);
	s->last_at = (int64_t)t->now;
	s->turns = 0;
	s->last_answer = out->id;
	count_use(e, scene_key(t, s), id);
}

static void answer_entry(struct engine *e, struct sess *s, const struct turn *t, const struct kb_entry *en,
			 struct engine_reply *out)
{
	out->kind = ENGINE_ANSWER;
	out->entry = en;
	out->lang = en->lang;
	out->quick = (const char *const *)en->quick_replies;
	out->n_quick = en->n_quick;
	answered(e, s, t, out, en->id);
}

/* The entry id in lang, else in any language. */
static const struct kb_entry *find_entry(const struct kb_snapshot *kb, const char *id, const char *lang)
{
	const struct kb_entry *en = id ? kb_find(kb, id, lang) : NULL;

	return en ? en : id ? kb_find(kb, id, NULL) : NULL;
}

void engine_request_handoff(struct sess *s, enum handoff_reason reason, const struct intent_route *route, bool ticket,
			    const char *intent, time_t now)
{
	struct sess_handoff *h = &s->handoff;

	h->requested = true;
	h->ticket = ticket;
	h->reason = (int)reason;
	copy_id(h->team, sizeof(h->team), route && route->team ? route->team : "support");
	h->priority = route ? (int)route->priority : (int)INTENT_PRIO_NORMAL;
	copy_id(h->intent, sizeof(h->intent), intent);
	copy_id(h->scene, sizeof(h->scene), route && route->scene ? route->scene : s->scene);
	h->at = (int64_t)(now ? now : time(NULL));
}

static void handoff(struct sess *s, const struct turn *t, enum handoff_reason reason, const struct intent_route *route,
		    bool ticket, const char *intent, struct engine_reply *out)
{
	out->kind = ticket ? ENGINE_TICKET : ENGINE_HANDOFF;
	out->team = route->team ? route->team : "support";
	out->priority = prio_name(route->priority);
	out->intent = intent;
	s->fallbacks = 0;
	s->clarify_id = 0;
	s->n_clarify = 0;
	s->last_answer = 0;
	clear_pending(s);
	engine_request_handoff(s, reason, route, ticket, intent, t->now);
}

/* Turn an intent's result into the reply. text/len: the customer's words (for runner-ups). */
static void act(struct engine *e, struct sess *s, const struct turn *t, const struct intent_result *ir,
		const char *text, size_t len, struct engine_reply *out)
{
	const struct kb_entry *en = NULL;
	size_t n = 0;

	out->lang = engine_lang(e->kb, ir->lang);
	out->intent = ir->id;
	out->coverage = ir->coverage;
	out->n_slots = ir->n_slots;
	memcpy(out->slots, ir->slots, ir->n_slots * sizeof(ir->slots[0]));
	if (ir->action == INTENT_ANSWER && ir->route.always_human) {
		put(out->text, sizeof(out->text), &n, ir->text[0] ? ir->text : ui_for(out->lang)->handoff);
		handoff(s, t, HANDOFF_REASON_POLICY, &ir->route, false, ir->id, out);
		return;
	}
	switch (ir->action) {
	case INTENT_ASK:
		out->kind = ENGINE_ASK;
		out->ask = ir->ask;
		put(out->text, sizeof(out->text), &n, ir->text);
		s->asks = !strcmp(s->pending, ir->id) ? s->asks + 1 : 1;
		copy_id(s->pending, sizeof(s->pending), ir->id);
		if (sess_set_slots(s, ir->slots, ir->n_slots))
			s->n_slots = 0;   /* out of memory: the customer may be asked again */
		s->fallbacks = 0;
		s->clarify_id = 0;
		s->n_clarify = 0;
		s->last_answer = 0;
		return;
	case INTENT_HANDOFF:
	case INTENT_TICKET:
		put(out->text, sizeof(out->text), &n, ir->text);
		handoff(s, t, HANDOFF_REASON_ASKED, &ir->route, ir->action == INTENT_TICKET, ir->id, out);
		return;
	case INTENT_ANSWER:
	default:
		break;
	}
	out->kind = ENGINE_ANSWER;
	if (ir->entry)
		en = find_entry(e->kb, ir->entry, out->lang);
	out->entry = en;
	if (ir->text[0]) {
		put(out->text, sizeof(out->text), &n, ir->text);
		if (en) {
			put(out->text, sizeof(out->text), &n, "\n\n");
			put(out->text, sizeof(out->text), &n, en->answer);
		}
	}
	if (ir->n_quick) {
		out->quick = ir->quick;
		out->n_quick = ir->n_quick;
	} else if (en) {
		out->quick = (const char *const *)en->quick_replies;
		out->n_quick = en->n_quick;
	}
	answered(e, s, t, out, en ? en->id : ir->id);
	remember_alts(e, s, t, text, len, NULL, en ? en->id : NULL);
}

/*
 * A fallback in lang; none_of_these: after "none of these" rather than after
 * a message. closest (may be NULL): the entry the message came nearest to,
 * below the thresholds; its question leads the suggestions (and is the
 * example in the text): "made a typo in my address" is offered "How do I
 * change my shipping address?" before the scene's usual questions.
 */
static void fallback(struct engine *e, struct sess *s, const struct turn *t, const char *lang, bool none_of_these,
		     const struct kb_entry *closest, struct engine_reply *out)
{
	const struct ui_texts *ui = ui_for(lang);

	out->kind = ENGINE_FALLBACK;
	out->lang = lang;
	s->fallbacks++;
	s->clarify_id = 0;
	s->n_clarify = 0;
	s->last_answer = 0;
	out->n_suggestions = suggest(e, t, lang, out->suggestions);
	if (closest && closest->n_questions && !strcmp(closest->lang, lang)) {
		const char *q = closest->questions[0];
		size_t n = 0, want = e->o.suggestions < LIM_SUGGESTIONS ? e->o.suggestions : LIM_SUGGESTIONS;
		const char *rest[LIM_SUGGESTIONS];

		for (size_t i = 0; i < out->n_suggestions && n + 1 < want; i++)
			if (strcmp(out->suggestions[i], q))
				rest[n++] = out->suggestions[i];
		out->suggestions[0] = q;
		memcpy(out->suggestions + 1, rest, n * sizeof(rest[0]));
		out->n_suggestions = want ? n + 1 : 0;
	}
	if (e->o.fallbacks_before_human && s->fallbacks >= e->o.fallbacks_before_human)
		compose(out->text, sizeof(out->text), ui->fallback_again, "", "", "");
	else if (out->n_suggestions)
		compose(out->text, sizeof(out->text), none_of_these ? ui->none_of_these : ui->fallback, ui->quote_open,
			out->suggestions[0], ui->quote_close);
	else
		compose(out->text, sizeof(out->text), none_of_these ? ui->none_of_these_plain : ui->fallback_plain, "", "", "");
}

/* Offer candidates (did you mean, or runner-ups after "no"); text is the question asked. */
static void clarify(struct sess *s, const char *lang, const char *text, const struct kb_entry *const *cand, size_t n,
		    struct engine_reply *out)
{
	out->kind = ENGINE_CLARIFY;
	out->lang = lang;
	compose(out->text, sizeof(out->text), text, "", "", "");
	for (size_t i = 0; i < n && i < LIM_CANDIDATES; i++) {
		out->cand[i].entry = cand[i]->id;
		out->cand[i].question = cand[i]->n_questions ? cand[i]->questions[0] : cand[i]->id;
		copy_id(s->clarify_cand[i], sizeof(s->clarify_cand[i]), cand[i]->id);
	}
	out->n_cand = s->n_clarify = n < LIM_CANDIDATES ? n : LIM_CANDIDATES;
	s->clarify_id = out->id;
	copy_id(s->clarify_lang, sizeof(s->clarify_lang), lang);
	s->fallbacks = 0;
	s->last_answer = 0;
}

/* "Yes, that solved it." */
static void solved(struct sess *s, const char *lang, struct engine_reply *out)
{
	size_t n = 0;

	s->outcome = SESS_OUTCOME_SOLVED;
	s->last_answer = 0;
	s->nos = 0;
	out->kind = ENGINE_INFO;
	out->lang = lang;
	out->survey = true;
	put(out->text, sizeof(out->text), &n, ui_for(lang)->solved);
}

/* "No, it did not": the runner-ups once, then a person. */
static void unsolved(struct engine *e, struct sess *s, const char *lang, struct engine_reply *out)
{
	const struct ui_texts *ui = ui_for(lang);
	const struct kb_entry *cand[LIM_CANDIDATES];
	size_t n = 0, k = 0;

	s->outcome = SESS_OUTCOME_UNSOLVED;
	s->last_answer = 0;
	s->nos++;
	if (s->nos == 1)
		for (size_t i = 0; i < s->n_alts && k < LIM_CANDIDATES; i++) {
			const struct kb_entry *en = find_entry(e->kb, s->alts[i], lang);

			if (en)
				cand[k++] = en;
		}
	s->n_alts = 0;
	if (k) {
		clarify(s, lang, ui->unsolved_alts, cand, k, out);
		return;
	}
	out->kind = ENGINE_INFO;
	out->lang = lang;
	put(out->text, sizeof(out->text), &n, ui->unsolved_person);
	out->quick = &ui->human;
	out->n_quick = 1;
	s->clarify_id = 0;
	s->n_clarify = 0;
}

static void give_held_notices(struct sess *s, const struct turn *t, struct engine_reply *out)
{
	if (s->notices_held && t->sc && !is_typing(s, t->now)) {
		out->n_notices = take_notices(s, t, out->lang ? out->lang : s->lang, out->notices);
		s->notices_held = false;
	}
}

/* ---- the message pipeline ---- */

/* The customer's words (stems and Chinese words; not bigrams or synonyms added). */
static size_t words(const struct tok_list *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++)
		n += t->t[i].kind == TOK_WORD || t->t[i].kind == TOK_HAN;
	return n;
}

/* A reply to "did that solve it?" */
static void said_solved(struct engine *e, struct sess *s, const struct turn *t, enum intent_solved sv,
			struct engine_reply *out)
{
	const char *lang = engine_lang(e->kb, intent_reply_lang(e->set, e->toks, s->lang));

	if (sv == INTENT_SOLVED_YES)
		solved(s, lang, out);
	else
		unsolved(e, s, lang, out);
	give_held_notices(s, t, out);
}

/* The intent layer: pending slot question, follow-up, intents. Returns true when it replied. */
static bool intent_step(struct engine *e, struct sess *s, const struct turn *t, const char *text, size_t len,
			struct intent_result **reask, struct engine_reply *out)
{
	struct intent_input in = { e->toks, text, len, e->ctx, s->lang[0] ? s->lang : NULL, t->now, s->slots,
				   s->n_slots };
	struct intent_result *ir = &e->ir;
	struct intent_target tg;

	*reask = NULL;
	if (s->pending[0]) {
		int rc = intent_run(e->set, s->pending, t->sc, &in, ir);

		if (!rc && ir->action == INTENT_ASK && !strcmp(ir->id, s->pending)) {
			/* No value in this text: another intent, the FAQ, or (once) the same question again. */
			if (!intent_match(e->set, t->sc, &in, &e->ir2) && e->ir2.action != INTENT_NONE &&
			    strcmp(e->ir2.id, s->pending)) {
				act(e, s, t, &e->ir2, text, len, out);
				return true;
			}
			if (s->asks < 2)
				*reask = ir;
			else
				clear_pending(s);
			return false;
		}
		if (!rc) {
			act(e, s, t, ir, text, len, out);
			return true;
		}
		clear_pending(s);   /* the intent is gone (a reload): start afresh */
		in.known = NULL;
		in.n_known = 0;
	}
	if (s->last[0] && !intent_followup(e->set, s->last, s->turns, (time_t)s->last_at, t->now, e->toks, &tg)) {
		if (tg.intent && !intent_run(e->set, tg.intent, t->sc, &in, ir)) {
			act(e, s, t, ir, text, len, out);
			out->followup = true;
			return true;
		}
		if (tg.entry) {
			const struct kb_entry *en = find_entry(e->kb, tg.entry, intent_reply_lang(e->set, e->toks, s->lang));

			if (en) {
				answer_entry(e, s, t, en, out);
				remember_alts(e, s, t, text, len, NULL, en->id);
				out->followup = true;
				return true;
			}
		}
	}
	if (!intent_match(e->set, t->sc, &in, ir) && ir->action != INTENT_NONE) {
		act(e, s, t, ir, text, len, out);
		return true;
	}
	return false;
}

int engine_message(struct engine *e, struct sess *s, const struct engine_where *w, const char *text, size_t len,
		   time_t now, struct engine_reply *out)
{
	struct intent_result *reask = NULL;
	enum intent_solved sv = INTENT_SOLVED_UNKNOWN;
	struct turn t;
	struct kb_query q;
	struct kb_result r;
	const char *lang;
	bool confirming, done = false;
	int rc;

	if (!e->kb || !text || !len)
		return -EINVAL;
	rc = tok_run(kb_analyzer(e->kb), text, len, 0, e->toks);
	if (rc)
		return rc;
	if (!now)
		now = time(NULL);
	prepare(e, s, w, now, &t);
	begin(s, &t, out);
	s->typing = false;
	s->turns++;
	confirming = s->last_answer && s->turns == 1;
	if (e->set && t.route.always_human) {
		size_t n = 0;

		out->lang = engine_lang(e->kb, intent_reply_lang(e->set, e->toks, s->lang));
		put(out->text, sizeof(out->text), &n, ui_for(out->lang)->handoff);
		handoff(s, &t, HANDOFF_REASON_POLICY, &t.route, false, NULL, out);
		done = true;
	}
	if (!done && e->set)
		done = intent_step(e, s, &t, text, len, &reask, out);
	/* Right after an answer a short yes or no is a reply to "did that solve it?". */
	if (!done && confirming && e->set && !reask)
		sv = intent_solved_reply(e->set, e->toks);
	if (sv != INTENT_SOLVED_UNKNOWN && words(e->toks) <= SOLVED_WORDS) {
		said_solved(e, s, &t, sv, out);
		return 0;
	}
	if (!done) {
		q = (struct kb_query){ .text = text, .len = len, .lang = s->lang[0] ? s->lang : NULL, .scene = t.kb_scene,
				       .now = now, .boost_ids = t.boost, .n_boost = t.n_boost, .exclude_ids = t.excl,
				       .n_exclude = t.n_excl, .toks = e->toks };   /* tokenized once, above */
		rc = kb_match(e->kb, &q, &r);
		if (rc) {
			r.verdict = DEC_FALLBACK;
			r.lang = NULL;
			r.info.known = r.info.typo = 0;
		}
		lang = r.lang ? r.lang : engine_lang(e->kb, s->lang);
		/* Never answer or offer candidates on no evidence: a scene boost alone can lift entries over the thresholds. */
		if (!r.info.known && !r.info.typo)
			r.verdict = DEC_FALLBACK;
		if (r.verdict != DEC_ANSWER && reask) {
			act(e, s, &t, reask, text, len, out);
		} else if (r.verdict != DEC_ANSWER && sv != INTENT_SOLVED_UNKNOWN) {
			said_solved(e, s, &t, sv, out);
			return 0;
		} else if (r.verdict == DEC_ANSWER) {
			answer_entry(e, s, &t, r.cand[0], out);
			out->score = r.score[0];
			remember_alts(e, s, &t, text, len, &r, r.cand[0]->id);
		} else if (r.verdict == DEC_CLARIFY) {
			clarify(s, lang, ui_for(lang)->did_you_mean, r.cand, r.n_cand, out);
			clear_pending(s);
		} else {
			/* The nearest entry leads the suggestions when the message had words the KB knows. */
			fallback(e, s, &t, lang, false, r.n_top && r.info.known ? r.top_entry[0] : NULL, out);
			clear_pending(s);
		}
	}
	s->nos = 0;
	give_held_notices(s, &t, out);
	return 0;
}

int engine_choose(struct engine *e, struct sess *s, const struct engine_where *w, uint32_t clarify_id,
		  const char *entry, time_t now, struct engine_reply *out)
{
	const char *lang = clarify_id && clarify_id == s->clarify_id ? s->clarify_lang : engine_lang(e->kb, s->lang);
	const struct kb_entry *en = NULL;
	struct turn t;
	char alts[LIM_CANDIDATES][LIM_ID + 1];
	size_t n_alts = 0;

	if (!e->kb)
		return -EINVAL;
	if (entry) {
		en = find_entry(e->kb, entry, lang);
		if (!en)
			return -ENOENT;
	}
	if (!now)
		now = time(NULL);
	/* The other candidates stay on offer should this one not help. */
	if (clarify_id && clarify_id == s->clarify_id)
		for (size_t i = 0; i < s->n_clarify; i++)
			if (!entry || strcmp(s->clarify_cand[i], entry))
				copy_id(alts[n_alts++], sizeof(alts[0]), s->clarify_cand[i]);
	prepare(e, s, w, now, &t);
	begin(s, &t, out);
	if (en) {
		answer_entry(e, s, &t, en, out);
		memcpy(s->alts, alts, sizeof(alts));
		s->n_alts = n_alts;
	} else {
		fallback(e, s, &t, lang, true, NULL, out);
	}
	give_held_notices(s, &t, out);
	return 0;
}

int engine_resolved(struct engine *e, struct sess *s, const struct engine_where *w, uint32_t reply_to, bool yes,
		    time_t now, struct engine_reply *out)
{
	const struct sess_note *note = sess_note_find(s, reply_to);
	char lang[8];
	struct turn t;

	if (!note || !e->kb)
		return -ENOENT;
	copy_id(lang, sizeof(lang), note->lang);
	if (!now)
		now = time(NULL);
	prepare(e, s, w, now, &t);
	begin(s, &t, out);
	if (yes) {
		solved(s, engine_lang(e->kb, lang), out);
	} else {
		if (reply_to != s->last_answer)
			s->n_alts = 0;   /* the runner-ups belong to the latest answer */
		unsolved(e, s, engine_lang(e->kb, lang), out);
	}
	give_held_notices(s, &t, out);
	return 0;
}

int engine_feedback(struct sess *s, uint32_t reply_to, bool up, const char **entry)
{
	const struct sess_note *n = sess_note_find(s, reply_to);

	(void)up;
	*entry = n ? n->entry : NULL;
	return n ? 0 : -ENOENT;
}

int engine_survey(struct sess *s, int csat, int ces)
{
	if (csat < 0 && ces < 0)
		return -EINVAL;
	if ((csat >= 0 && intent_survey_check(INTENT_CSAT, csat)) || (ces >= 0 && intent_survey_check(INTENT_CES, ces)))
		return -ERANGE;
	if (csat >= 0)
		s->csat = csat;
	if (ces >= 0)
		s->ces = ces;
	return 0;
}

void engine_typing(struct sess *s, bool on, time_t now)
{
	s->typing = on;
	if (on)
		s->typing_at = (int64_t)(now ? now : time(NULL));
}

int engine_explain(struct engine *e, struct sess *s, const struct engine_where *w, const char *text, size_t len,
		   time_t now, FILE *out)
{
	struct turn t;
	struct kb_query q;

	if (!e->kb)
		return -EINVAL;
	if (!now)
		now = time(NULL);
	prepare(e, s, w, now, &t);
	q = (struct kb_query){ .text = text, .len = len, .lang = s->lang[0] ? s->lang : NULL, .scene = t.kb_scene,
			       .now = now, .boost_ids = t.boost, .n_boost = t.n_boost, .exclude_ids = t.excl,
			       .n_exclude = t.n_excl };
	return kb_explain(e->kb, &q, out);
}
