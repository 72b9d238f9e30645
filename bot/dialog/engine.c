/*
 * engine.c - the customer chat's reply logic over a KB snapshot: welcome,
 * answer / did-you-mean / fallback, choices and feedback, with the texts in
 * English and Chinese. Pure: no I/O, no clock (the caller passes "now").
 */
#include "dialog/engine.h"

#include <errno.h>
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

/* ---- options and language ---- */

void engine_opts_default(struct engine_opts *o)
{
	o->suggestions = 4;
	o->fallbacks_before_human = 2;
}

const char *engine_lang(const struct kb_snapshot *kb, const char *tag)
{
	const char *const *langs;
	size_t n = kb_langs(kb, &langs);
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

/* ---- suggestions ---- */

static void today(time_t now, char out[11])
{
	struct tm tm;

	if (!now)
		now = time(NULL);
	localtime_r(&now, &tm);
	if (strftime(out, 11, "%Y-%m-%d", &tm) != 10)
		strcpy(out, "0000-00-00");
}

static bool is_valid_on(const struct kb_entry *e, const char *day)
{
	if (e->valid_from[0] && strcmp(day, e->valid_from) < 0)
		return false;
	if (e->valid_until[0] && strcmp(day, e->valid_until) > 0)
		return false;
	return true;
}

static bool serves_scene(const struct kb_entry *e, const char *scene)
{
	for (size_t i = 0; i < e->n_scenes; i++)
		if (!strcmp(e->scenes[i], scene))
			return true;
	return false;
}

/* The first questions of up to want entries in lang, scene entries first. Returns the count. */
static size_t suggest(const struct kb_snapshot *kb, const char *lang, const char *scene, time_t now, size_t want,
		      const char **out)
{
	size_t n = 0, total = kb_entry_count(kb);
	char day[11];

	if (want > LIM_SUGGESTIONS)
		want = LIM_SUGGESTIONS;
	today(now, day);
	for (int pass = scene && *scene ? 0 : 1; pass < 2 && n < want; pass++) {
		for (size_t i = 0; i < total && n < want; i++) {
			const struct kb_entry *e = kb_entry_at(kb, i);

			if (strcmp(e->lang, lang) || !e->n_questions || !is_valid_on(e, day))
				continue;
			if (scene && *scene && (pass == 0) != serves_scene(e, scene))
				continue;
			out[n++] = e->questions[0];
		}
	}
	return n;
}

void engine_welcome(const struct engine_opts *o, const struct kb_snapshot *kb, const char *lang, const char *scene,
		 time_t now, struct engine_welcome *out)
{
	const struct ui_texts *t;
	const char *name = kb_name(kb);

	memset(out, 0, sizeof(*out));
	out->lang = engine_lang(kb, lang);
	t = ui_for(out->lang);
	if (name && *name)
		compose(out->greeting, sizeof(out->greeting), t->greeting, "", name, "");
	else
		compose(out->greeting, sizeof(out->greeting), t->greeting_anon, "", "", "");
	out->n_suggestions = suggest(kb, out->lang, scene, now, o->suggestions, out->suggestions);
}

/* ---- replies ---- */

const char *engine_reply_text(const struct engine_reply *r)
{
	return r->kind == ENGINE_ANSWER && r->entry ? r->entry->answer : r->text;
}

static void answer(struct sess *s, const struct kb_entry *e, struct engine_reply *out)
{
	out->kind = ENGINE_ANSWER;
	out->entry = e;
	out->lang = e->lang;
	s->fallbacks = 0;
	s->clarify_id = 0;
	s->n_clarify = 0;
	sess_note_answer(s, out->id, e->id, e->lang);
}

/* A fallback in lang; none_of_these: after "none of these" rather than after a message. */
static void fallback(const struct engine_opts *o, const struct kb_snapshot *kb, struct sess *s, const char *lang,
		     const char *scene, time_t now, bool none_of_these, struct engine_reply *out)
{
	const struct ui_texts *t = ui_for(lang);

	out->kind = ENGINE_FALLBACK;
	out->lang = lang;
	s->fallbacks++;
	s->clarify_id = 0;
	s->n_clarify = 0;
	out->n_suggestions = suggest(kb, lang, scene, now, o->suggestions, out->suggestions);
	if (o->fallbacks_before_human && s->fallbacks >= o->fallbacks_before_human)
		compose(out->text, sizeof(out->text), t->fallback_again, "", "", "");
	else if (out->n_suggestions)
		compose(out->text, sizeof(out->text), none_of_these ? t->none_of_these : t->fallback, t->quote_open,
			out->suggestions[0], t->quote_close);
	else
		compose(out->text, sizeof(out->text), none_of_these ? t->none_of_these_plain : t->fallback_plain, "", "", "");
}

static void begin(struct sess *s, struct engine_reply *out)
{
	memset(out, 0, sizeof(*out));
	out->id = sess_next_id(s);
}

int engine_message(const struct engine_opts *o, struct kb_snapshot *kb, struct sess *s, const char *text, size_t len,
		const char *scene, time_t now, struct engine_reply *out)
{
	struct kb_query q = { .text = text, .len = len, .lang = s->lang[0] ? s->lang : NULL, .scene = scene && *scene ? scene : NULL, .now = now };
	struct kb_result r;
	const char *lang;
	int rc = len ? kb_match(kb, &q, &r) : -EINVAL;

	if (rc)
		return rc;
	begin(s, out);
	lang = r.lang ? r.lang : engine_lang(kb, s->lang);
	/* Never answer or offer candidates on no evidence: a scene boost alone can lift entries over the thresholds. */
	if (!r.info.known && !r.info.typo)
		r.verdict = DEC_FALLBACK;
	switch (r.verdict) {
	case DEC_ANSWER:
		answer(s, r.cand[0], out);
		break;
	case DEC_CLARIFY:
		out->kind = ENGINE_CLARIFY;
		out->lang = lang;
		compose(out->text, sizeof(out->text), ui_for(lang)->did_you_mean, "", "", "");
		for (size_t i = 0; i < r.n_cand && i < LIM_CANDIDATES; i++) {
			out->cand[i].entry = r.cand[i]->id;
			out->cand[i].question = r.cand[i]->n_questions ? r.cand[i]->questions[0] : r.cand[i]->id;
			strncpy(s->clarify_cand[i], r.cand[i]->id, LIM_ID);
			s->clarify_cand[i][LIM_ID] = '\0';
		}
		out->n_cand = s->n_clarify = r.n_cand < LIM_CANDIDATES ? r.n_cand : LIM_CANDIDATES;
		s->clarify_id = out->id;
		strncpy(s->clarify_lang, lang, sizeof(s->clarify_lang) - 1);
		s->clarify_lang[sizeof(s->clarify_lang) - 1] = '\0';
		s->fallbacks = 0;
		break;
	case DEC_FALLBACK:
	default:
		fallback(o, kb, s, lang, scene, now, false, out);
		break;
	}
	return 0;
}

int engine_choose(const struct engine_opts *o, struct kb_snapshot *kb, struct sess *s, uint32_t clarify_id,
	       const char *entry, const char *scene, time_t now, struct engine_reply *out)
{
	const char *lang = clarify_id && clarify_id == s->clarify_id ? s->clarify_lang : engine_lang(kb, s->lang);
	const struct kb_entry *e = NULL;

	if (entry) {
		e = kb_find(kb, entry, lang);
		if (!e)
			e = kb_find(kb, entry, NULL);
		if (!e)
			return -ENOENT;
	}
	begin(s, out);
	if (e)
		answer(s, e, out);
	else
		fallback(o, kb, s, lang, scene, now, true, out);
	return 0;
}

int engine_feedback(struct sess *s, uint32_t reply_to, bool up, const char **entry)
{
	const struct sess_note *n = sess_note_find(s, reply_to);

	(void)up;
	*entry = n ? n->entry : NULL;
	return n ? 0 : -ENOENT;
}
