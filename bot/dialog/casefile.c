/*
 * casefile.c - the case file model and its one-paragraph summary in English
 * or Chinese. Owns copies of all strings; bounded by core/limits.h.
 */
#include "dialog/casefile.h"

#include "core/str.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *casefile_reaction_name(enum casefile_reaction r)
{
	static const char *const names[] = { "ignored", "up", "down", "rephrased" };

	return (unsigned)r < sizeof(names) / sizeof(*names) ? names[r] : "ignored";
}

/* ---- strings ---- */

/* Bytes of s[0..len) that fit in max, cut on a character boundary. */
static size_t cut_len(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	len = max;
	while (len && ((unsigned char)s[len] & 0xC0) == 0x80)
		len--;
	return len;
}

/* A malloc'd copy of s cut to max bytes; "" for NULL. Sets *rc on failure. */
static char *dup_cut(const char *s, size_t max, int *rc)
{
	size_t len = s ? strlen(s) : 0;
	char *d;

	if (s && !str_utf8_valid(s, len, NULL)) {
		*rc = -EINVAL;
		return NULL;
	}
	len = cut_len(s ? s : "", len, max);
	d = malloc(len + 1);
	if (!d) {
		*rc = -ENOMEM;
		return NULL;
	}
	memcpy(d, s ? s : "", len);
	d[len] = '\0';
	return d;
}

/* Replace *slot with a copy of s (NULL clears when optional, else stores ""). */
static int set_str(char **slot, const char *s, size_t max, bool optional)
{
	int rc = 0;
	char *d;

	if (!s && optional) {
		free(*slot);
		*slot = NULL;
		return 0;
	}
	d = dup_cut(s, max, &rc);
	if (!d)
		return rc;
	free(*slot);
	*slot = d;
	return 0;
}

static void copy_cut(char *dst, size_t cap, const char *s)
{
	size_t len = s ? cut_len(s, strlen(s), cap - 1) : 0;

	memcpy(dst, s ? s : "", len);
	dst[len] = '\0';
}

/* ---- building ---- */

struct casefile *casefile_new(const char *conv, int64_t now)
{
	struct casefile *cf = calloc(1, sizeof(*cf));

	if (!cf)
		return NULL;
	copy_cut(cf->conv, sizeof(cf->conv), conv);
	cf->created_at = now;
	cf->msgs = calloc(LIM_CASE_MESSAGES, sizeof(*cf->msgs));
	if (!cf->msgs) {
		free(cf);
		return NULL;
	}
	return cf;
}

static void free_pairs(struct casefile_pair *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].key);
		free(p[i].value);
	}
}

void casefile_free(struct casefile *cf)
{
	if (!cf)
		return;
	free(cf->customer.id);
	free(cf->customer.name);
	free(cf->customer.tier);
	free(cf->scene);
	free(cf->scene_label);
	free_pairs(cf->context, cf->n_context);
	for (size_t i = 0; i < cf->sentiment.n_words; i++)
		free(cf->sentiment.words[i]);
	for (size_t i = 0; i < cf->n_msgs; i++) {
		free(cf->msgs[i].author);
		free(cf->msgs[i].text);
	}
	free(cf->msgs);
	for (size_t i = 0; i < cf->n_answers; i++) {
		free(cf->answers[i].entry);
		free(cf->answers[i].question);
	}
	free(cf->intent.id);
	free(cf->intent.label);
	free_pairs(cf->slots, cf->n_slots);
	free(cf);
}

int casefile_set_customer(struct casefile *cf, const char *id, const char *name, const char *tier, const char *lang,
			  bool verified)
{
	int rc;

	if (!cf)
		return -EINVAL;
	rc = set_str(&cf->customer.id, id, LIM_ID, false);
	if (!rc)
		rc = set_str(&cf->customer.name, name, LIM_HANDOFF_NAME, false);
	if (!rc)
		rc = set_str(&cf->customer.tier, tier, LIM_ID, false);
	if (rc)
		return rc;
	copy_cut(cf->customer.lang, sizeof(cf->customer.lang), lang);
	cf->customer.verified = verified;
	return 0;
}

int casefile_set_scene(struct casefile *cf, const char *scene, const char *label)
{
	int rc;

	if (!cf)
		return -EINVAL;
	rc = set_str(&cf->scene, scene, LIM_ID, true);
	return rc ? rc : set_str(&cf->scene_label, label, LIM_HANDOFF_NAME, true);
}

static int add_pair(struct casefile_pair *p, size_t *n, const char *key, const char *value)
{
	int rc = 0;
	char *k, *v;

	if (!key || !*key)
		return -EINVAL;
	if (*n >= LIM_CASE_PAIRS)
		return -E2BIG;
	k = dup_cut(key, LIM_ID, &rc);
	if (!k)
		return rc;
	v = dup_cut(value, LIM_CASE_VALUE, &rc);
	if (!v) {
		free(k);
		return rc;
	}
	p[*n].key = k;
	p[*n].value = v;
	(*n)++;
	return 0;
}

int casefile_add_context(struct casefile *cf, const char *key, const char *value)
{
	return cf ? add_pair(cf->context, &cf->n_context, key, value) : -EINVAL;
}

int casefile_add_slot(struct casefile *cf, const char *key, const char *value)
{
	return cf ? add_pair(cf->slots, &cf->n_slots, key, value) : -EINVAL;
}

void casefile_set_reason(struct casefile *cf, enum handoff_reason reason)
{
	if (cf)
		cf->reason = reason;
}

int casefile_set_sentiment(struct casefile *cf, const struct sentiment_result *r)
{
	int rc = 0;

	if (!cf || !r)
		return -EINVAL;
	for (size_t i = 0; i < cf->sentiment.n_words; i++)
		free(cf->sentiment.words[i]);
	cf->sentiment.n_words = 0;
	cf->sentiment.anger = r->anger;
	cf->sentiment.complaint = r->complaint;
	for (size_t i = 0; i < r->n_hits && cf->sentiment.n_words < LIM_SENTIMENT_HITS; i++) {
		char *w;

		if (r->hits[i].negated)
			continue;
		w = dup_cut(r->hits[i].word, LIM_SENTIMENT_WORD, &rc);
		if (!w)
			return rc;
		cf->sentiment.words[cf->sentiment.n_words++] = w;
	}
	return 0;
}

int casefile_add_message(struct casefile *cf, enum handoff_from from, const char *author, const char *text,
			 int64_t at)
{
	struct casefile_msg m = { .from = from, .at = at };
	int rc = 0;

	if (!cf || !text)
		return -EINVAL;
	m.author = dup_cut(author, LIM_ID, &rc);
	if (!m.author)
		return rc;
	m.text = dup_cut(text, LIM_MSG_TEXT, &rc);
	if (!m.text) {
		free(m.author);
		return rc;
	}
	if (cf->n_msgs == LIM_CASE_MESSAGES) {
		free(cf->msgs[0].author);
		free(cf->msgs[0].text);
		memmove(cf->msgs, cf->msgs + 1, (LIM_CASE_MESSAGES - 1) * sizeof(*cf->msgs));
		cf->n_msgs--;
		cf->dropped_msgs++;
	}
	cf->msgs[cf->n_msgs++] = m;
	return 0;
}

int casefile_add_answer(struct casefile *cf, const char *entry, const char *question, int64_t at)
{
	struct casefile_answer a = { .at = at };
	int rc = 0;

	if (!cf || !entry || !*entry)
		return -EINVAL;
	a.entry = dup_cut(entry, LIM_ID, &rc);
	if (!a.entry)
		return rc;
	a.question = dup_cut(question, LIM_QUESTION_BYTES, &rc);
	if (!a.question) {
		free(a.entry);
		return rc;
	}
	if (cf->n_answers == LIM_CASE_ANSWERS) {
		free(cf->answers[0].entry);
		free(cf->answers[0].question);
		memmove(cf->answers, cf->answers + 1, (LIM_CASE_ANSWERS - 1) * sizeof(*cf->answers));
		cf->n_answers--;
		cf->dropped_answers++;
	}
	cf->answers[cf->n_answers++] = a;
	return 0;
}

int casefile_react(struct casefile *cf, const char *entry, enum casefile_reaction reaction)
{
	if (!cf || !entry)
		return -EINVAL;
	for (size_t i = cf->n_answers; i-- > 0;) {
		if (strcmp(cf->answers[i].entry, entry) == 0) {
			cf->answers[i].reaction = reaction;
			cf->answers[i].settled = true;
			return 0;
		}
	}
	return -ENOENT;
}

void casefile_settle_reactions(struct casefile *cf)
{
	for (size_t i = 0; i < cf->n_answers; i++) {
		struct casefile_answer *a = &cf->answers[i];
		int64_t next = i + 1 < cf->n_answers ? cf->answers[i + 1].at : INT64_MAX;
		bool wrote = false;

		if (a->settled)
			continue;
		/* a customer message after this answer (and before the next one) */
		for (size_t k = 0; k < cf->n_msgs && !wrote; k++)
			wrote = cf->msgs[k].from == HANDOFF_FROM_CUSTOMER && cf->msgs[k].at > a->at &&
				cf->msgs[k].at <= next;
		a->reaction = wrote ? CASEFILE_REPHRASED : CASEFILE_IGNORED;
	}
}

int casefile_set_intent(struct casefile *cf, const char *id, const char *label, float confidence)
{
	int rc;

	if (!cf)
		return -EINVAL;
	rc = set_str(&cf->intent.id, id, LIM_ID, true);
	if (!rc)
		rc = set_str(&cf->intent.label, id ? label : NULL, LIM_HANDOFF_NAME, true);
	cf->intent.confidence = id ? confidence : 0.0f;
	return rc;
}

int casefile_add_previous(struct casefile *cf, const struct handoff_conv *c)
{
	struct casefile_prev *p;

	if (!cf || !c)
		return -EINVAL;
	if (cf->n_prev >= LIM_HANDOFF_HISTORY)
		return -E2BIG;
	p = &cf->prev[cf->n_prev++];
	copy_cut(p->conv, sizeof(p->conv), c->id);
	p->at = c->updated_at;
	p->reason = c->reason;
	p->state = c->state;
	copy_cut(p->resolution, sizeof(p->resolution), c->resolution);
	copy_cut(p->summary, sizeof(p->summary), c->summary);
	return 0;
}

/* ---- summary ---- */

struct out {
	char *buf;
	size_t cap, len;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= o->cap - o->len) {      /* truncated: cut back to a character boundary */
		o->len = cut_len(o->buf, o->cap - 1, o->cap - 1);
		o->buf[o->len] = '\0';
		return;
	}
	o->len += (size_t)n;
}

/* The customer's first message, cut to 60 characters (with "…"), into buf. */
static const char *first_words(const struct casefile *cf, char *buf, size_t cap)
{
	for (size_t i = 0; i < cf->n_msgs; i++) {
		const char *t = cf->msgs[i].text;
		size_t len = strlen(t), k = 0, chars = 0;

		if (cf->msgs[i].from != HANDOFF_FROM_CUSTOMER)
			continue;
		while (k < len && chars < 60) {
			str_utf8_next(t, len, &k);
			chars++;
		}
		k = cut_len(t, k, cap - 4);
		memcpy(buf, t, k);
		strcpy(buf + k, k < len ? "…" : "");
		return buf;
	}
	return NULL;
}

/* "refund_form" -> "refund form" into buf. */
static const char *humanize(const char *id, char *buf, size_t cap)
{
	size_t i;

	for (i = 0; id[i] && i + 1 < cap; i++)
		buf[i] = (id[i] == '_' || id[i] == '-' || id[i] == '.') ? ' ' : id[i];
	buf[i] = '\0';
	return buf;
}

static const char *slot_value(const struct casefile *cf, const char *const *keys)
{
	for (size_t k = 0; keys[k]; k++)
		for (size_t i = 0; i < cf->n_slots; i++)
			if (strcmp(cf->slots[i].key, keys[k]) == 0 && *cf->slots[i].value)
				return cf->slots[i].value;
	return NULL;
}

static const char *const order_keys[] = { "order_id", "order", "order_no", "order_number", NULL };

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static const char *reaction_en(enum casefile_reaction r)
{
	switch (r) {
	case CASEFILE_UP:
		return "👍";
	case CASEFILE_DOWN:
		return "👎";
	case CASEFILE_REPHRASED:
		return "asked again";
	default:
		return "no reaction";
	}
}

static const char *reaction_zh(enum casefile_reaction r)
{
	switch (r) {
	case CASEFILE_UP:
		return "👍";
	case CASEFILE_DOWN:
		return "👎";
	case CASEFILE_REPHRASED:
		return "又问了一次";
	default:
		return "无反应";
	}
}

static size_t count_down(const struct casefile *cf)
{
	size_t n = 0;

	for (size_t i = 0; i < cf->n_answers; i++)
		n += cf->answers[i].reaction == CASEFILE_DOWN;
	return n;
}

#define SHOWN_ANSWERS 3

static void summary_en(const struct casefile *cf, struct out *o)
{
	char first[300], label[LIM_HANDOFF_NAME + 1], scene[LIM_HANDOFF_NAME + 1];
	const char *order = slot_value(cf, order_keys);
	size_t from = cf->n_answers > SHOWN_ANSWERS ? cf->n_answers - SHOWN_ANSWERS : 0;

	if (cf->intent.id)
		put(o, "Asked about %s", cf->intent.label && *cf->intent.label ? cf->intent.label :
			humanize(cf->intent.id, label, sizeof(label)));
	else if (first_words(cf, first, sizeof(first)))
		put(o, "Asked \"%s\"", first);
	else
		put(o, "Opened the chat");
	if (order)
		put(o, " for order %s", order);
	if (cf->scene_label && *cf->scene_label)
		put(o, " on the %s", cf->scene_label);
	else if (cf->scene && *cf->scene)
		put(o, " on the %s%s", humanize(cf->scene, scene, sizeof(scene)),
		    ends_with(cf->scene, "page") ? "" : " page");

	if (cf->n_answers) {
		put(o, "; the bot answered ");
		for (size_t i = from; i < cf->n_answers; i++)
			put(o, "%s%s (%s)", i == from ? "" : i + 1 == cf->n_answers ? " and " : ", ",
			    cf->answers[i].entry, reaction_en(cf->answers[i].reaction));
		if (from)
			put(o, " after %zu earlier answer%s", from, from == 1 ? "" : "s");
	} else if (cf->reason == HANDOFF_REASON_FALLBACKS || cf->n_msgs) {
		put(o, "; the bot had no answer");
	}

	switch (cf->reason) {
	case HANDOFF_REASON_ASKED:
		put(o, "; asked for a person.");
		break;
	case HANDOFF_REASON_POLICY:
		put(o, "; this topic always goes to a person.");
		break;
	case HANDOFF_REASON_SENTIMENT:
		put(o, "; sounded upset");
		for (size_t i = 0; i < cf->sentiment.n_words && i < 3; i++)
			put(o, "%s\"%s\"", i ? ", " : " (", cf->sentiment.words[i]);
		put(o, "%s.", cf->sentiment.n_words ? ")" : "");
		break;
	case HANDOFF_REASON_DISLIKES:
		put(o, "; gave 👎 to %zu answer%s.", count_down(cf), count_down(cf) == 1 ? "" : "s");
		break;
	case HANDOFF_REASON_FALLBACKS:
		put(o, "; handed over after repeated questions the bot could not answer.");
		break;
	default:
		put(o, ".");
		break;
	}
	if (cf->customer.verified && cf->customer.tier && strcmp(cf->customer.tier, "vip") == 0)
		put(o, " Verified VIP.");
	if (cf->n_prev)
		put(o, " Contacted us %zu time%s before.", cf->n_prev, cf->n_prev == 1 ? "" : "s");
}

static void summary_zh(const struct casefile *cf, struct out *o)
{
	char first[300], label[LIM_HANDOFF_NAME + 1], scene[LIM_HANDOFF_NAME + 1];
	const char *order = slot_value(cf, order_keys);
	size_t from = cf->n_answers > SHOWN_ANSWERS ? cf->n_answers - SHOWN_ANSWERS : 0;

	if (cf->scene_label && *cf->scene_label)
		put(o, "在%s", cf->scene_label);
	else if (cf->scene && *cf->scene)
		put(o, "在 %s 页面", humanize(cf->scene, scene, sizeof(scene)));
	if (cf->intent.id)
		put(o, "咨询%s", cf->intent.label && *cf->intent.label ? cf->intent.label :
			humanize(cf->intent.id, label, sizeof(label)));
	else if (first_words(cf, first, sizeof(first)))
		put(o, "问“%s”", first);
	else
		put(o, "打开了对话");
	if (order)
		put(o, "（订单 %s）", order);

	if (cf->n_answers) {
		put(o, "；机器人回答了 ");
		for (size_t i = from; i < cf->n_answers; i++)
			put(o, "%s%s（%s）", i == from ? "" : "、", cf->answers[i].entry,
			    reaction_zh(cf->answers[i].reaction));
		if (from)
			put(o, "（之前还有 %zu 个回答）", from);
	} else if (cf->reason == HANDOFF_REASON_FALLBACKS || cf->n_msgs) {
		put(o, "；机器人没有找到答案");
	}

	switch (cf->reason) {
	case HANDOFF_REASON_ASKED:
		put(o, "；要求转人工。");
		break;
	case HANDOFF_REASON_POLICY:
		put(o, "；此类问题须由人工处理。");
		break;
	case HANDOFF_REASON_SENTIMENT:
		put(o, "；情绪不满");
		for (size_t i = 0; i < cf->sentiment.n_words && i < 3; i++)
			put(o, "%s“%s”", i ? "、" : "（", cf->sentiment.words[i]);
		put(o, "%s。", cf->sentiment.n_words ? "）" : "");
		break;
	case HANDOFF_REASON_DISLIKES:
		put(o, "；对 %zu 个回答点了👎。", count_down(cf));
		break;
	case HANDOFF_REASON_FALLBACKS:
		put(o, "；机器人多次无法回答，转人工。");
		break;
	default:
		put(o, "。");
		break;
	}
	if (cf->customer.verified && cf->customer.tier && strcmp(cf->customer.tier, "vip") == 0)
		put(o, "已验证的 VIP 客户。");
	if (cf->n_prev)
		put(o, "此前联系过我们 %zu 次。", cf->n_prev);
}

const char *casefile_summarize(struct casefile *cf, const char *lang)
{
	struct out o = { cf->summary, sizeof(cf->summary), 0 };
	bool zh = lang && strncmp(lang, "zh", 2) == 0 && (lang[2] == '\0' || lang[2] == '-' || lang[2] == '_');

	cf->summary[0] = '\0';
	casefile_settle_reactions(cf);
	if (zh)
		summary_zh(cf, &o);
	else
		summary_en(cf, &o);
	copy_cut(cf->summary_lang, sizeof(cf->summary_lang), zh ? "zh" : "en");
	return cf->summary;
}
